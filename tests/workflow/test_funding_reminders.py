"""A place funded by the Hauts-de-France region must be asked of the candidate's France Travail
adviser three weeks before the programme starts: the candidate is reminded 7 days and 1 day
before that day, once each, with the quote to hand over."""

from __future__ import annotations

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from django.test import Client

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.notify.models import Notification
from admissions.people.models import User
from admissions.workflow import reminders
from admissions.workflow.drafts import withdraw
from admissions.workflow.submission import submit
from tests.factories import draft, eligible_candidate, programme_of, ready_application
from tests.notify.mail import Mail, mails
from tests.services.smtp import SmtpServer
from tests.workflow.test_reminders import paris, run_jobs, setup_emails_sent

REGION = "region-hauts-de-france"
PROGRAMME = "ms-batiment-bas-carbone"  # starts on 7 October 2024: ask by 16 September


class RolledBackError(Exception):
    pass


def job_seeker(language: str) -> User:
    person = eligible_candidate()
    person.preferred_language = language
    person.save()
    person.profile.france_travail_registered = True
    person.profile.save()
    return person


def regional(campaign: Campaign, person: User) -> Application:
    application = ready_application(
        person, campaign, programme_of(campaign, PROGRAMME), financing_mode=REGION
    )
    return submit(application, by=person)


def by_recipient(inbox: SmtpServer) -> dict[str, Mail]:
    arrived = mails(inbox.received)
    inbox.received.clear()
    found = {mail.to[0]: mail for mail in arrived}
    assert len(found) == len(arrived), [mail.subject for mail in arrived]
    return found


@pytest.fixture
def files(nord: Campaign) -> dict[str, Application]:
    """Two files on the regional funding, and three that must hear nothing."""
    withdrawn = draft(job_seeker("fr"), nord, programme_of(nord, PROGRAMME), financing_mode=REGION)
    withdraw(withdrawn, by=withdrawn.candidate)
    payer = job_seeker("fr")
    found = {
        "fr": regional(nord, job_seeker("fr")),
        "en": regional(nord, job_seeker("en")),
        # Never sent, and its deadline is long past by September: no place to fund.
        "stale draft": draft(
            job_seeker("fr"), nord, programme_of(nord, PROGRAMME), financing_mode=REGION
        ),
        "withdrawn": withdrawn,
        "paid by the candidate": submit(
            ready_application(payer, nord, programme_of(nord, PROGRAMME)), by=payer
        ),
    }
    setup_emails_sent()
    return found


def test_a_regional_funding_is_reminded_seven_days_then_one_day_before_its_last_day(
    files: dict[str, Application], smtp_inbox: SmtpServer, clock: time_machine.Coordinates
) -> None:
    french, english = files["fr"], files["en"]
    clock.move_to(paris(2024, 9, 8, 10, 0))  # 8 days before 16 September: nothing yet
    run_jobs()
    assert smtp_inbox.received == []
    clock.move_to(paris(2024, 9, 9, 10, 0))
    assert "funding request reminders queued: 2" in run_jobs()
    week = by_recipient(smtp_inbox)
    assert set(week) == {french.candidate.email, english.candidate.email}
    told = week[french.candidate.email]
    assert told.language == "fr"
    assert "16 septembre 2024" in told.subject
    assert "7 jours pour demander votre financement" in told.text
    assert "conseiller France Travail" in told.text
    assert "Région Hauts-de-France" in told.html
    quote = week[english.candidate.email]
    assert quote.language == "en"
    assert "16 September 2024" in quote.subject
    assert "France Travail adviser by 16 September 2024" in quote.text
    assert quote.links[0].startswith(settings.SITE_URL)
    for mail, application in ((told, french), (quote, english)):
        [path] = mail.paths()
        assert path.endswith(f"/payments/{application.reference}/quote/")
        client = Client()
        client.force_login(application.candidate)
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
    # Run again, and again days later: the seven-day reminder was sent.
    run_jobs()
    clock.move_to(paris(2024, 9, 12, 10, 0))
    run_jobs()
    assert smtp_inbox.received == []
    clock.move_to(paris(2024, 9, 15, 8, 0))
    run_jobs()
    run_jobs()
    day = by_recipient(smtp_inbox)
    assert set(day) == {french.candidate.email, english.candidate.email}
    assert "One day left to ask for your funding" in day[english.candidate.email].text
    # On the last day, and after it, nothing more.
    clock.move_to(paris(2024, 9, 16, 8, 0))
    run_jobs()
    clock.move_to(paris(2024, 9, 20, 8, 0))
    run_jobs()
    assert smtp_inbox.received == []


def test_a_reminder_rolled_back_sends_nothing(
    files: dict[str, Application], smtp_inbox: SmtpServer, clock: time_machine.Coordinates
) -> None:
    clock.move_to(paris(2024, 9, 9, 10, 0))
    try:
        with transaction.atomic():
            assert reminders.remind_funding_requests() == 2
            raise RolledBackError
    except RolledBackError:
        pass
    assert not Notification.objects.filter(kind="funding_reminder").exists()
    assert smtp_inbox.received == []
