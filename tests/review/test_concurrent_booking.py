"""Two candidates booking one slot at the same moment: one gets it, the other is told."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.core.errors import IllegalTransition
from admissions.people.models import Role
from admissions.review import interviews
from admissions.review.models import Interview, InterviewSlot
from tests.factories import load_preset, programme_of, staff_member
from tests.review.conftest import SubmittedFile, admissible, complete, officer_of


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_candidates_book_one_slot_at_once(
    database_engine: str, clock: time_machine.Coordinates, submitted: SubmittedFile
) -> None:
    bs = load_preset("imt-bs")
    files: list[Application] = [admissible(complete(submitted(bs))) for _ in range(4)]
    officer = officer_of(bs)
    for application in files:
        interviews.invite(application, by=officer)
    interviewer = staff_member(Role.INTERVIEWER, programme=programme_of(bs))
    slot = interviews.publish_slot(
        programme_of(bs),
        by=officer,
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=5),
        interviewer=interviewer,
    )
    barrier = threading.Barrier(len(files), timeout=10)
    refused: list[BaseException] = []
    failed: list[BaseException] = []

    def attempt(application: Application) -> None:
        try:
            barrier.wait()
            interviews.book(
                Application.objects.get(pk=application.pk),
                slot=InterviewSlot.objects.get(pk=slot.pk),
                by=application.candidate,
            )
        except IllegalTransition as error:
            refused.append(error)
        except BaseException as error:
            failed.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(a,)) for a in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failed == []
    assert len(refused) == len(files) - 1
    assert all(error.code == "slot_taken" for error in refused)
    assert Interview.objects.filter(slot=slot).count() == 1
    statuses = sorted(
        Application.objects.filter(pk__in=[a.pk for a in files]).values_list("status", flat=True)
    )
    assert statuses.count(Status.INTERVIEW_SCHEDULED) == 1
