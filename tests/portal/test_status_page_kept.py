"""The status page kept rendered: every change of what it shows, made through the services
(or behind their back), shows on the next request; time passing too; nothing of one reader
or one request is served to another."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.demo.candidates import sample_pdf
from admissions.documents import review
from admissions.documents.models import Document
from admissions.documents.services import upload_document
from admissions.payments import ledger
from admissions.payments.models import Method
from admissions.people.models import Role, User, WorkPeriod
from admissions.portal import status_cache
from admissions.review import interviews
from admissions.rules.deadlines import PARIS
from admissions.rules.vocabulary import ChargeKind
from admissions.workflow.confirmation import decline_place
from admissions.workflow.messages import mark_read, post_message
from admissions.workflow.status_version import status_version
from admissions.workflow.submission import submit
from tests.factories import (
    IN_NORD_CAMPAIGN,
    eligible_candidate,
    load_preset,
    programme_of,
    ready_application,
    staff_member,
)
from tests.review.conftest import admissible, complete

ADMITTED_AT = dt.datetime(2024, 3, 20, 18, 30, tzinfo=PARIS)
# 15 days from 20 March: the window ends with 4 April, Paris time.
TOO_LATE = dt.datetime(2024, 4, 5, 0, 0, tzinfo=PARIS)
# A kept page costs one statement: the session with its user and the file's version.
HIT = 1
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

Capture = Callable[..., Any]


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    caches["pages"].clear()
    yield
    caches["pages"].clear()


RENDERED: list[str] = []


@pytest.fixture(autouse=True)
def renders(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Notes each page rendered to be kept (a miss), keeping it as the view does."""
    keep = status_cache.put

    def noted(key: str, page: str, mark: str, until: dt.datetime) -> None:
        RENDERED.append(key)
        keep(key, page, mark, until)

    monkeypatch.setattr(status_cache, "put", noted)
    RENDERED.clear()
    yield
    RENDERED.clear()


@pytest.fixture
def nord(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-nord-europe")


@pytest.fixture
def bs(db: None, clock: time_machine.Coordinates) -> Campaign:
    return load_preset("imt-bs")


@pytest.fixture
def candidate(db: None) -> User:
    return eligible_candidate(given_names="Camille")


@pytest.fixture
def officer(nord: Campaign) -> User:
    return staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)


@pytest.fixture
def submitted(nord: Campaign, candidate: User) -> Application:
    return submit(ready_application(candidate, nord), by=candidate)


@pytest.fixture
def admit(
    clock: time_machine.Coordinates, django_capture_on_commit_callbacks: Capture
) -> Callable[..., Application]:
    """A file taken to the jury and decided on ADMITTED_AT, its commit hooks run."""

    def make(
        candidate: User, campaign: Campaign, *, action: str = "publish_admitted"
    ) -> Application:
        application = ready_application(candidate, campaign, programme_of(campaign))
        submit(application, by=candidate)
        officer = staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)
        for step in ("mark_complete", "record_admissible", "place_on_agenda"):
            transition(application, action=step, by=officer)
        clock.move_to(ADMITTED_AT)
        with django_capture_on_commit_callbacks(execute=True):
            transition(application, action=action, by=officer)
        application.refresh_from_db()
        return application

    return make


def url(application: Application) -> str:
    with translation.override("en"):
        return reverse("portal:application_status", args=[application.reference])


def client_of(user: User, **options: Any) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def page(client: Client, address: str) -> tuple[str, int, bool]:
    """The page's HTML (its CSRF tokens blanked), the queries it cost, and whether it was
    rendered (not served from the cache)."""
    before = len(RENDERED)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(address)
    assert response.status_code == 200
    html = TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())
    return html, len(captured), len(RENDERED) > before


def kept(client: Client, address: str) -> str:
    """Load the page until it is kept: the second load is served from the cache, for the
    session, the user and the version."""
    first, _, _ = page(client, address)
    again, queries, rendered = page(client, address)
    assert (queries, rendered) == (HIT, False)
    assert again == first
    return again


def next_page(client: Client, address: str) -> str:
    """The next request's page, which must be what a page rendered afresh shows."""
    served, _, rendered = page(client, address)
    assert rendered, "the change did not reach the page's version"
    caches["pages"].clear()
    fresh, _, _ = page(client, address)
    assert served == fresh
    return served


# Every source of the page ----------------------------------------------------------------


def test_a_move_shows(submitted: Application, candidate: User, officer: User) -> None:
    client = client_of(candidate)
    assert "<strong>Submitted</strong>" in kept(client, url(submitted))
    transition(submitted, action="mark_complete", by=officer)
    shown = next_page(client, url(submitted))
    assert "<strong>Submitted</strong>" not in shown
    assert "Mark complete" in shown or "Complete" in shown


def test_a_change_of_the_file_made_without_any_service_shows(
    submitted: Application, candidate: User
) -> None:
    """As another process or a bulk update would do it: no save, no signal."""
    client = client_of(candidate)
    kept(client, url(submitted))
    Application.objects.filter(pk=submitted.pk).update(status=Status.COMPLETE)
    assert "<strong>Submitted</strong>" not in next_page(client, url(submitted))


def test_a_payment_shows(
    nord: Campaign, candidate: User, admit: Callable[..., Application]
) -> None:
    application = admit(candidate, nord)
    client = client_of(candidate)
    before = kept(client, url(application))
    assert "To pay" in before
    for line in ledger.lines(application.pk):
        if line.outstanding > 0:
            ledger.record_payment(
                application.pk,
                charge_kind=ChargeKind(line.charge_kind),
                instalment=line.instalment,
                amount_cents=line.outstanding,
                method=Method.BANK_TRANSFER,
                by=None,
            )
    after = next_page(client, url(application))
    assert after.count("To pay") < before.count("To pay")


def test_a_document_refused_shows(submitted: Application, candidate: User, officer: User) -> None:
    client = client_of(candidate)
    kept(client, url(submitted))
    cv = Document.objects.get(application=submitted, requirement_code="cv")
    review.reject_document(cv, by=officer, reason="Le CV date de 2019.")
    assert "Le CV date de 2019." in next_page(client, url(submitted))


def test_a_document_sent_then_accepted_shows(
    nord: Campaign, candidate: User, admit: Callable[..., Application], officer: User
) -> None:
    """The registration pieces of an admitted file: sent by the candidate, accepted by the
    office, each without a move of the file."""
    application = admit(candidate, nord)
    client = client_of(candidate)
    before = kept(client, url(application))
    upload_document(
        application=application,
        requirement_code="attestation-cvec",
        stream=io.BytesIO(sample_pdf("Attestation CVEC")),
        filename="cvec.pdf",
        by=candidate,
        foreign_language=False,
        number="LIL1-2024-00042",
    )
    sent = next_page(client, url(application))
    assert sent != before
    kept(client, url(application))
    document = Document.objects.get(application=application, requirement_code="attestation-cvec")
    review.accept_document(document, by=officer)
    assert next_page(client, url(application)) != sent


def test_a_message_and_its_reading_show(
    submitted: Application, candidate: User, officer: User
) -> None:
    client = client_of(candidate)
    assert "1 new" not in kept(client, url(submitted))
    message = post_message(submitted, by=officer, body="Pouvez-vous préciser votre projet ?")
    assert "1 new" in next_page(client, url(submitted))
    kept(client, url(submitted))
    mark_read(submitted, candidate, up_to=message)
    assert "1 new" not in next_page(client, url(submitted))


def test_an_interview_booked_shows(bs: Campaign, candidate: User) -> None:
    choices = {"track": "work_study", "financing_mode": "opco"}
    draft = ready_application(candidate, bs, programme_of(bs), **choices)
    application = admissible(complete(submit(draft, by=candidate)))
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    interviews.invite(application, by=officer)
    client = client_of(candidate)
    before = kept(client, url(application))
    interviewer = staff_member(Role.INTERVIEWER, programme=programme_of(bs))
    slot = interviews.publish_slot(
        programme_of(bs),
        by=officer,
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=5),
        interviewer=interviewer,
    )
    interviews.book(application, slot=slot, by=candidate)
    after = next_page(client, url(application))
    assert after != before
    assert str(Status.INTERVIEW_SCHEDULED.label) in after


def test_a_decision_published_shows(
    nord: Campaign,
    candidate: User,
    clock: time_machine.Coordinates,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    application = submit(ready_application(candidate, nord), by=candidate)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    for step in ("mark_complete", "record_admissible", "place_on_agenda"):
        transition(application, action=step, by=officer)
    client = client_of(candidate)
    assert 'id="confirmation"' not in kept(client, url(application))
    clock.move_to(ADMITTED_AT)
    with django_capture_on_commit_callbacks(execute=True):
        transition(application, action="publish_admitted", by=officer)
    client.force_login(candidate)  # a session idle for weeks has ended
    assert 'id="confirmation"' in next_page(client, url(application))


def test_the_place_in_line_follows_the_other_files(
    nord: Campaign, candidate: User, admit: Callable[..., Application]
) -> None:
    """The place on the waiting list depends on other candidates' files: a rank changed
    on one of them (as publication writes it, with an update) shows on this one's page."""
    first = admit(eligible_candidate(given_names="Dominique"), nord, action="publish_waitlisted")
    second = admit(candidate, nord, action="publish_waitlisted")
    Application.objects.filter(pk=first.pk).update(waitlist_rank=1)
    Application.objects.filter(pk=second.pk).update(waitlist_rank=2)
    client = client_of(candidate)
    assert "You are number 2 in line today." in kept(client, url(second))
    Application.objects.filter(pk=first.pk).update(waitlist_rank=3)
    assert "You are number 1 in line today." in next_page(client, url(second))


def test_the_place_in_line_of_an_unranked_file_follows_the_other_files(
    nord: Campaign, candidate: User, admit: Callable[..., Application]
) -> None:
    """Without a rank, a file comes after every ranked one and after the unranked ones put
    on the list before it: a file ranked, and one ahead leaving the list, show on its page."""
    ahead = admit(eligible_candidate(given_names="Dominique"), nord, action="publish_waitlisted")
    waiting = admit(candidate, nord, action="publish_waitlisted")
    client = client_of(candidate)
    assert "You are number 2 in line today." in kept(client, url(waiting))
    ranked = admit(eligible_candidate(given_names="Camille"), nord, action="publish_waitlisted")
    Application.objects.filter(pk=ranked.pk).update(waitlist_rank=1)
    assert "You are number 3 in line today." in next_page(client, url(waiting))
    Application.objects.filter(pk=ahead.pk).update(status=Status.WITHDRAWN)
    assert "You are number 2 in line today." in next_page(client, url(waiting))
    Application.objects.filter(pk=ranked.pk).update(waitlist_rank=None)
    assert "You are number 1 in line today." in next_page(client, url(waiting))


def test_the_confirmation_window_closing_shows(
    nord: Campaign,
    candidate: User,
    admit: Callable[..., Application],
    clock: time_machine.Coordinates,
) -> None:
    application = admit(candidate, nord)
    client = client_of(candidate)
    assert "Confirm by" in kept(client, url(application))
    clock.move_to(TOO_LATE - dt.timedelta(seconds=1))
    client.force_login(candidate)  # a session idle for weeks has ended
    assert "Confirm by" in page(client, url(application))[0]
    clock.move_to(TOO_LATE)
    shown = next_page(client, url(application))
    assert "Confirm by" not in shown
    assert "The time to confirm this place ended" in shown


def test_a_kept_page_holds_through_the_day_and_not_past_midnight_in_paris(
    submitted: Application, candidate: User, clock: time_machine.Coordinates
) -> None:
    """What is judged by the day (the funding date turning late) changes at midnight in
    Paris: a page with no deadline to come holds until then, through every hour of the day."""
    client = client_of(candidate)
    kept(client, url(submitted))
    for hour in (11, 12, 18, 23):
        clock.move_to(dt.datetime(2024, 2, 12, hour, 0, tzinfo=PARIS))
        client.force_login(candidate)  # the session's own expiry is not what is tested
        assert not page(client, url(submitted))[2]
    clock.move_to(dt.datetime(2024, 2, 12, 23, 59, 59, tzinfo=PARIS))
    assert not page(client, url(submitted))[2]
    clock.move_to(dt.datetime(2024, 2, 13, 0, 0, tzinfo=PARIS))
    next_page(client, url(submitted))
    assert not page(client, url(submitted))[2]


def _utc(*moment: int) -> dt.datetime:
    return dt.datetime(*moment, tzinfo=dt.UTC)


def _paris(*moment: int) -> dt.datetime:
    return dt.datetime(*moment, tzinfo=PARIS).astimezone(dt.UTC)


@pytest.mark.parametrize(
    ("now", "until"),
    [
        # A winter day: midnight in Paris is 23:00 UTC.
        (_paris(2024, 2, 12, 10, 0), _utc(2024, 2, 12, 23, 0)),
        (_paris(2024, 2, 12, 23, 59, 59), _utc(2024, 2, 12, 23, 0)),
        # From midnight on: the new day's end.
        (_paris(2024, 2, 13, 0, 0), _utc(2024, 2, 13, 23, 0)),
        # The day clocks go forward has 23 hours, and ends at 22:00 UTC...
        (_paris(2024, 3, 31, 1, 30), _utc(2024, 3, 31, 22, 0)),
        (_paris(2024, 3, 31, 3, 30), _utc(2024, 3, 31, 22, 0)),
        # ...its eve still at 23:00 UTC.
        (_utc(2024, 3, 30, 22, 30), _utc(2024, 3, 30, 23, 0)),
        # The day clocks go back has 25 hours, and ends at 23:00 UTC; its hour lived twice
        # (00:30 and 01:30 UTC are both 02:30 in Paris) too. Its eve ends at 22:00 UTC.
        (_utc(2024, 10, 27, 0, 30), _utc(2024, 10, 27, 23, 0)),
        (_utc(2024, 10, 27, 1, 30), _utc(2024, 10, 27, 23, 0)),
        (_utc(2024, 10, 26, 21, 59), _utc(2024, 10, 26, 22, 0)),
    ],
)
def test_with_nothing_to_come_a_page_holds_until_the_end_of_the_paris_day(
    now: dt.datetime, until: dt.datetime
) -> None:
    assert status_cache.valid_until(now, {"due_day": None}) == until


@dataclasses.dataclass(frozen=True)
class Shown:
    due_by: dt.datetime | None
    history: list[dt.datetime]


def test_a_moment_shown_that_comes_within_the_day_ends_the_page_then() -> None:
    now = _paris(2024, 2, 12, 10, 0)
    at_three = _paris(2024, 2, 12, 15, 0)
    past = [now - dt.timedelta(days=2), now]
    context = {"summary": Shown(due_by=at_three, history=past), "extensions": []}
    assert status_cache.valid_until(now, context) == at_three
    # Once it has passed, the end of the day again; one of another day is not waited for.
    later = at_three + dt.timedelta(seconds=1)
    assert status_cache.valid_until(later, context) == _paris(2024, 2, 13, 0, 0)
    tomorrow = {"summary": Shown(due_by=at_three + dt.timedelta(days=1), history=past)}
    assert status_cache.valid_until(now, tomorrow) == _paris(2024, 2, 13, 0, 0)


def test_the_page_of_a_file_sent_back_ends_with_the_campaign(
    submitted: Application, candidate: User, officer: User, clock: time_machine.Coordinates
) -> None:
    """A file sent back is to be completed before the campaign closes, at the end of its
    last day: the page says so until that moment and that the time is over from it on,
    whatever the hour."""
    transition(submitted, action="request_documents", by=officer)
    campaign = submitted.campaign
    client = client_of(candidate)
    clock.move_to(campaign.closes_at - dt.timedelta(hours=5))
    client.force_login(candidate)
    before = kept(client, url(submitted))
    clock.move_to(campaign.closes_at - dt.timedelta(seconds=1))
    assert page(client, url(submitted))[0] == before
    clock.move_to(campaign.closes_at)
    assert next_page(client, url(submitted)) != before


def test_a_diploma_or_job_edited_changes_the_version(
    submitted: Application, candidate: User, clock: time_machine.Coordinates
) -> None:
    """An admitted file's checklist reads the diplomas and jobs: any edit is a new version
    (an edit is seen by its time of change: the clock moves between them, as it does)."""
    versions = [status_version(candidate.pk, submitted.reference)]
    clock.shift(dt.timedelta(seconds=1))
    diploma = candidate.profile.education.order_by("pk").first()
    assert diploma is not None
    diploma.title = "Master of Science"
    diploma.save()
    versions.append(status_version(candidate.pk, submitted.reference))
    clock.shift(dt.timedelta(seconds=1))
    job = WorkPeriod.objects.create(
        profile=candidate.profile, employer="Décathlon", start=dt.date(2020, 9, 1)
    )
    versions.append(status_version(candidate.pk, submitted.reference))
    clock.shift(dt.timedelta(seconds=1))
    job.position = "Acheteuse"
    job.save()
    versions.append(status_version(candidate.pk, submitted.reference))
    assert len(set(versions)) == 4
    assert status_version(eligible_candidate().pk, submitted.reference) is None


# What is the reader's own, or the request's ------------------------------------------------


def test_two_candidates_never_see_each_others_page(
    nord: Campaign, candidate: User, submitted: Application
) -> None:
    other = eligible_candidate(given_names="Dominique")
    theirs = submit(ready_application(other, nord), by=other)
    mine = client_of(candidate)
    kept(mine, url(submitted))
    stranger = client_of(other)
    assert stranger.get(url(submitted)).status_code == 404
    shown = kept(stranger, url(theirs))
    assert theirs.reference in shown
    assert submitted.reference not in shown
    assert mine.get(url(theirs)).status_code == 404


def test_each_language_has_its_page(submitted: Application, candidate: User) -> None:
    client = client_of(candidate)
    english = kept(client, url(submitted))
    with translation.override("fr"):
        french_url = reverse("portal:application_status", args=[submitted.reference])
    french = kept(client, french_url)
    assert '<html lang="en">' in english
    assert '<html lang="fr">' in french


def test_a_message_to_show_is_shown_once_and_never_kept(
    nord: Campaign, candidate: User, admit: Callable[..., Application]
) -> None:
    application = admit(candidate, nord)
    client = client_of(candidate)
    kept(client, url(application))
    with translation.override("en"):
        confirm = reverse("portal:application_confirm", args=[application.reference])
    rendered_before = len(RENDERED)
    answer = client.post(confirm, follow=True)
    shown = answer.content.decode()
    assert 'class="messages"' in shown
    assert len(RENDERED) == rendered_before, "a page with a message was kept"
    after, _, _ = page(client, url(application))
    assert 'class="messages"' not in after
    again, queries, rendered = page(client, url(application))
    assert (queries, rendered) == (HIT, False)
    assert 'class="messages"' not in again


def test_a_form_of_a_kept_page_posts_with_the_readers_token(
    nord: Campaign, candidate: User, admit: Callable[..., Application]
) -> None:
    application = admit(candidate, nord)
    client = client_of(candidate, enforce_csrf_checks=True)
    client.get(url(application))
    response = client.get(url(application))
    html = response.content.decode()
    tokens = TOKEN.findall(html)
    assert tokens
    assert not re.search(r"csrf[0-9a-f]{32}", html), "the placeholder was served"
    # The cookie is renewed with the answer, as with a page rendered.
    assert settings.CSRF_COOKIE_NAME in response.cookies
    # Each answer masks the session's secret afresh, as Django does for a page rendered.
    assert TOKEN.findall(client.get(url(application)).content.decode()) != tokens
    with translation.override("en"):
        confirm = reverse("portal:application_confirm", args=[application.reference])
    assert client.post(confirm, {"csrfmiddlewaretoken": tokens[-1]}).status_code == 302
    assert client.post(confirm, {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    # Another reader's kept page never carries this reader's token.
    other = eligible_candidate(given_names="Dominique")
    theirs = admit(other, nord)
    stranger = client_of(other, enforce_csrf_checks=True)
    stranger.get(url(theirs))
    their_tokens = TOKEN.findall(stranger.get(url(theirs)).content.decode())
    assert client.post(confirm, {"csrfmiddlewaretoken": their_tokens[-1]}).status_code == 403


def test_a_declined_place_shows(
    nord: Campaign, candidate: User, admit: Callable[..., Application]
) -> None:
    application = admit(candidate, nord)
    client = client_of(candidate)
    kept(client, url(application))
    decline_place(application, by=candidate, reason="")
    assert str(Status.DECLINED.label) in next_page(client, url(application))
