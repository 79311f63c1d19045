"""Members entering admissions at the same moment never offer more places than the programme
has, counting the places confirmed at that moment too (row locks on PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
import time_machine
from django.db import connection

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import JurySession, Programme
from admissions.jury import agenda, decisions, sessions
from admissions.jury.models import Decision, Seat
from admissions.jury.places import CapacityError
from admissions.people.models import Role, User
from tests.factories import load_preset, staff_member
from tests.review.conftest import SubmittedFile, admissible, complete, officer_of


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_admissions_stay_within_the_places(
    database_engine: str, clock: time_machine.Coordinates, submitted: SubmittedFile
) -> None:
    nord = load_preset("imt-nord-europe")
    march = JurySession.objects.get(campaign=nord, slug="jury-2024-03")
    officer = officer_of(nord)
    members: list[User] = []
    for _ in range(5):
        member = staff_member(Role.JURY_MEMBER, institution=nord.institution)
        sessions.add_member(march, user=member, seat=Seat.MEMBER, by=officer)
        members.append(member)
    files = [admissible(complete(submitted(nord))) for _ in range(6)]
    agenda.place_ready_files()
    programme_id = files[0].programme_id
    # Two places: one already confirmed, so one is left for five simultaneous admissions.
    Programme.objects.filter(pk=programme_id).update(capacity=2)
    Application.objects.filter(pk=files[5].pk).update(status=Status.CONFIRMED)
    barrier = threading.Barrier(5, timeout=10)
    refused: list[BaseException] = []
    failed: list[BaseException] = []

    def attempt(application: Application, member: User) -> None:
        try:
            barrier.wait()
            decisions.enter_decision(
                Application.objects.get(pk=application.pk), by=member, outcome="admitted"
            )
        except CapacityError as error:
            refused.append(error)
        except BaseException as error:
            failed.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=attempt, args=(application, member))
        for application, member in zip(files[:5], members, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == []
    assert len(refused) == 4
    assert Decision.objects.filter(outcome="admitted").count() == 1
