"""Submitting: only a ready file, only in time (Paris time), once; the eligibility is frozen."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.utils import translation

from admissions.applications.errors import (
    ApplicationLockedError,
    DeadlinePassedError,
    NotReadyError,
    NotYourApplicationError,
)
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.people.models import User
from admissions.rules.deadlines import PARIS
from admissions.workflow.drafts import update_draft, withdraw
from admissions.workflow.submission import submit
from tests.factories import (
    CandidateProfileFactory,
    EducationFactory,
    draft,
    eligible_candidate,
    load_preset,
    ready_application,
)


def submit_events(application: Application) -> int:
    return ApplicationEvent.objects.filter(
        application=application, action="application.submit"
    ).count()


def test_a_ready_file_is_submitted_and_its_eligibility_frozen(
    nord: Campaign, candidate: User
) -> None:
    application = ready_application(candidate, nord)

    submit(application, by=candidate)

    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.submitted_at == dt.datetime(2024, 2, 12, 9, 0, tzinfo=dt.UTC)
    frozen = application.eligibility
    assert frozen["eligible"] is True
    assert frozen["route"] == "ingenieur-cti"
    assert frozen["route_label"]["en"].startswith("Engineering degree")
    assert frozen["on"] == "2024-02-12"
    assert frozen["deadline"] == "2024-06-07"
    event = ApplicationEvent.objects.get(application=application, action="application.submit")
    assert (event.from_status, event.to_status, event.actor) == ("draft", "submitted", candidate)
    assert event.details == {"route": "ingenieur-cti"}


def test_a_file_with_problems_is_refused_with_the_list(nord: Campaign, candidate: User) -> None:
    application = draft(candidate, nord)
    with pytest.raises(NotReadyError) as refused:
        submit(application, by=candidate)
    codes = {problem["code"] for problem in refused.value.details["problems"]}
    assert codes == {"missing_document", "text_too_short", "fee_unpaid"}
    application.refresh_from_db()
    assert application.status == "draft"
    assert application.eligibility == {}
    assert submit_events(application) == 0


def test_an_ineligible_candidate_cannot_submit(nord: Campaign) -> None:
    profile = CandidateProfileFactory()
    EducationFactory(profile=profile, level=3, diploma_kind="licence", title="Licence")
    application = ready_application(profile.user, nord)
    with pytest.raises(NotReadyError) as refused:
        submit(application, by=profile.user)
    assert [p["code"] for p in refused.value.details["problems"]] == ["not_eligible"]


def test_submitting_twice_records_one_event(nord: Campaign, candidate: User) -> None:
    application = ready_application(candidate, nord)
    submit(application, by=candidate)
    submit(application, by=candidate)
    stale = Application.objects.get(pk=application.pk)
    submit(stale, by=candidate)
    assert submit_events(application) == 1


def test_only_the_candidate_submits(nord: Campaign, candidate: User, other_candidate: User) -> None:
    application = ready_application(candidate, nord)
    with pytest.raises(NotYourApplicationError):
        submit(application, by=other_candidate)
    assert submit_events(application) == 0


def test_a_withdrawn_file_cannot_be_submitted(nord: Campaign, candidate: User) -> None:
    application = ready_application(candidate, nord)
    withdraw(application, by=candidate)
    with pytest.raises(ApplicationLockedError):
        submit(application, by=candidate)


def test_a_submitted_file_is_locked(nord: Campaign, candidate: User) -> None:
    application = ready_application(candidate, nord)
    submit(application, by=candidate)
    with translation.override("en"), pytest.raises(ApplicationLockedError) as refused:
        update_draft(application, by=candidate, cover_letter="Une autre lettre")
    assert "submitted" in refused.value.message
    application.refresh_from_db()
    assert application.cover_letter != "Une autre lettre"


# Deadlines: "midnight" on a date is the end of that date in Paris, whatever the season.


def _paris(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=PARIS)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("moment", "in_time"),
    [
        (_paris(2024, 6, 7, 23, 59, 59), True),
        (_paris(2024, 6, 8, 0, 0, 0), False),
    ],
)
def test_summer_deadline_in_paris_time(
    nord: Campaign, candidate: User, clock: time_machine.Coordinates, moment: Any, in_time: bool
) -> None:
    # 7 June 2024 is summer time: midnight in Paris is 22:00 UTC.
    application = ready_application(candidate, nord)
    clock.move_to(moment)
    _submit_and_expect(application, candidate, in_time)


@pytest.mark.parametrize(
    ("moment", "in_time"),
    [
        (_paris(2024, 3, 17, 23, 59, 59), True),
        (_paris(2024, 3, 18, 0, 0, 0), False),
    ],
)
def test_winter_international_deadline_for_a_candidate_abroad(
    nord: Campaign, clock: time_machine.Coordinates, moment: Any, in_time: bool
) -> None:
    # 17 March 2024 is winter time (UTC+1); the candidate lives in Belgium.
    abroad = eligible_candidate(nationality="BE", residence_country="BE")
    application = ready_application(abroad, nord)
    clock.move_to(moment)
    _submit_and_expect(application, abroad, in_time)


def test_the_international_deadline_does_not_bind_a_candidate_in_france(
    nord: Campaign, candidate: User, clock: time_machine.Coordinates
) -> None:
    application = ready_application(candidate, nord)
    clock.move_to(_paris(2024, 3, 18, 10, 0, 0))
    _submit_and_expect(application, candidate, True)


@pytest.mark.parametrize(
    ("moment", "in_time"),
    [
        (dt.datetime(2024, 3, 30, 22, 59, 59, tzinfo=dt.UTC), True),
        (dt.datetime(2024, 3, 30, 23, 0, 0, tzinfo=dt.UTC), False),
    ],
)
def test_deadline_on_the_eve_of_the_clock_change(
    db: None, clock: time_machine.Coordinates, moment: dt.datetime, in_time: bool
) -> None:
    # Clocks go forward at 02:00 on 31 March 2024: the end of 30 March is still UTC+1.
    campaign = load_preset(
        "imt-bs", closes_on={"date": dt.date(2024, 3, 30)}, opens_on=dt.date(2023, 10, 2)
    )
    candidate = eligible_candidate()
    application = ready_application(
        candidate, campaign, campaign.institution.programmes.get(slug="ms-achats-supply-chain")
    )
    clock.move_to(moment)
    _submit_and_expect(application, candidate, in_time)


def _submit_and_expect(application: Application, candidate: User, in_time: bool) -> None:
    if in_time:
        submit(application, by=candidate)
        application.refresh_from_db()
        assert application.status == "submitted"
        return
    with translation.override("en"), pytest.raises(DeadlinePassedError) as refused:
        submit(application, by=candidate)
    assert refused.value.code == "deadline_passed"
    assert "midnight (Paris time)" in refused.value.message
    application.refresh_from_db()
    assert application.status == "draft"
    assert submit_events(application) == 0


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submissions_make_one_event(
    database_engine: str, clock: time_machine.Coordinates
) -> None:
    campaign = load_preset("imt-nord-europe")
    candidate = eligible_candidate()
    application = ready_application(candidate, campaign)
    barrier = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def attempt() -> None:
        try:
            barrier.wait()
            submit(Application.objects.get(pk=application.pk), by=candidate)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert errors == []
    assert submit_events(application) == 1
