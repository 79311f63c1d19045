"""The outbox row is written in the event's transaction: rolled back, nothing is sent; the
same event twice, one email."""

from __future__ import annotations

import pytest
from django.db import transaction

from admissions.applications.lifecycle import Status as FileStatus
from admissions.applications.models import Application
from admissions.applications.queries import history
from admissions.catalog.models import Campaign
from admissions.notify.file_emails import send_file_complete
from admissions.notify.models import Notification
from admissions.notify.staff_emails import send_staff_new_message
from admissions.people.models import Role, User
from admissions.workflow.submission import submit
from tests.factories import programme_of, ready_application, staff_member
from tests.notify.conftest import committed
from tests.services.smtp import SmtpServer


class UndoneError(Exception):
    """Raised to roll back the transaction of the event."""


def test_a_rolled_back_submission_sends_no_receipt(
    bs: Campaign, candidate: User, smtp_inbox: SmtpServer
) -> None:
    application = ready_application(candidate, bs, programme_of(bs, "ms-achats-supply-chain"))
    queued: list[int] = []

    def submit_then_fail() -> None:
        with transaction.atomic():
            submit(application, by=candidate)
            queued.append(Notification.objects.filter(kind="submission_receipt").count())
            raise UndoneError

    with committed(), pytest.raises(UndoneError):
        submit_then_fail()
    assert queued == [1]
    application.refresh_from_db()
    assert application.status == FileStatus.DRAFT
    assert not Notification.objects.filter(kind="submission_receipt").exists()
    assert smtp_inbox.received == []


def test_the_same_event_twice_queues_one_email(
    bs: Campaign, candidate: User, smtp_inbox: SmtpServer
) -> None:
    application = ready_application(candidate, bs, programme_of(bs, "ms-achats-supply-chain"))
    with committed():
        first = send_file_complete(application, event="event:42")
        second = send_file_complete(application, event="event:42")
        other = send_file_complete(application, event="event:43")
    assert first.pk == second.pk != other.pk
    assert len(smtp_inbox.received) == 2


def test_emails_to_staff_stay_out_of_the_candidate_history(
    bs: Campaign, candidate: User, smtp_inbox: SmtpServer
) -> None:
    application: Application = ready_application(
        candidate, bs, programme_of(bs, "ms-achats-supply-chain")
    )
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    officer.preferred_language = "en"
    officer.save()
    with committed():
        [email] = send_staff_new_message(application, event="event:1")
    assert email.to_address == officer.email
    assert email.language == "en"
    assert [m.recipients for m in smtp_inbox.received] == [[officer.email]]
    assert application.events.filter(action="notification.sent").count() == 1
    assert not [line for line in history(application) if "mail" in line.text.lower()]


def test_with_no_officer_the_institution_contact_is_told(
    bs: Campaign, candidate: User, smtp_inbox: SmtpServer
) -> None:
    application = ready_application(candidate, bs, programme_of(bs, "ms-achats-supply-chain"))
    with committed():
        [email] = send_staff_new_message(application, event="event:1")
    assert email.to_address == bs.institution.contact_email
    assert email.language == "fr"
