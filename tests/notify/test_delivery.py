"""Delivery through a real SMTP server: outages lose nothing, failures end visible, bounces stop.

The server is started on 127.0.0.1 for the test, really stopped and started again.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.notify import delivery, outbox
from admissions.notify.file_emails import send_file_complete
from admissions.notify.models import Notification, Status
from admissions.notify.queue import deliver_notification
from admissions.people.models import Role, User
from tests.factories import draft, programme_of, ready_application, staff_member
from tests.notify.conftest import committed
from tests.notify.mail import mails
from tests.services.smtp import RestartableSmtp, SmtpServer


@pytest.fixture
def application(bs: Campaign, candidate: User) -> Application:
    """A draft whose fee is paid by card: opening it sends no email of its own."""
    return draft(candidate, bs, programme_of(bs, "ms-achats-supply-chain"))


def sweep() -> str:
    """The periodic jobs, as `serve`'s thread or a scheduler process runs them."""
    out = StringIO()
    call_command("periodic", "--force", stdout=out)
    return out.getvalue()


def test_an_smtp_outage_loses_nothing_and_sends_nothing_twice(
    application: Application,
    candidate: User,
    restartable_smtp: RestartableSmtp,
    clock: time_machine.Coordinates,
) -> None:
    with committed():
        for event in ("before-1", "before-2"):
            send_file_complete(application, event=event)
    assert len(restartable_smtp.received) == 2
    restartable_smtp.stop()
    with committed():
        for event in ("during-1", "during-2", "during-3"):
            send_file_complete(application, event=event)
    waiting = Notification.objects.filter(key__contains=":during-")
    assert {(n.status, n.attempts) for n in waiting} == {(Status.QUEUED, 1)}
    assert all("Connection refused" in n.last_error or "Errno" in n.last_error for n in waiting)
    # While the server is away, the periodic jobs try again and keep the mail queued.
    clock.shift(dt.timedelta(minutes=5))
    sweep()
    assert {(n.status, n.attempts) for n in waiting.all()} == {(Status.QUEUED, 2)}

    restartable_smtp.start()
    clock.shift(dt.timedelta(minutes=5))
    output = sweep()
    assert "deliver_due_emails: emails due sent again: 3" in output
    assert {n.status for n in Notification.objects.all()} == {Status.SENT}
    subjects = [mail.subject for mail in mails(restartable_smtp.received)]
    assert len(subjects) == 5
    # Running the jobs again finds nothing to send.
    clock.shift(dt.timedelta(hours=1))
    sweep()
    assert len(restartable_smtp.received) == 5


def test_the_person_who_caused_an_email_sees_no_error_while_smtp_is_down(
    nord: Campaign, candidate: User, restartable_smtp: RestartableSmtp
) -> None:
    application = ready_application(candidate, nord, programme_of(nord, "ms-cybersecurite"))
    restartable_smtp.stop()
    client = Client()
    client.force_login(candidate)
    with translation.override("fr"):
        page = reverse("portal:application", args=[application.reference])
    with committed():
        response = client.post(
            page,
            {
                "track": application.track,
                "financing_mode": application.financing_mode,
                "cover_letter": application.cover_letter,
                "professional_project": application.professional_project,
                "action": "submit",
            },
        )
    assert response.status_code == 302, response.content.decode()[:500]
    application.refresh_from_db()
    assert application.status == "submitted"
    receipt = Notification.objects.get(kind="submission_receipt")
    assert (receipt.status, receipt.attempts) == (Status.QUEUED, 1)


def test_back_off_then_a_final_failure_visible_to_staff_who_resend_it(
    application: Application,
    bs: Campaign,
    restartable_smtp: RestartableSmtp,
    clock: time_machine.Coordinates,
) -> None:
    restartable_smtp.stop()
    with committed():
        email = send_file_complete(application, event="complete")
    waits = []
    for _ in range(delivery.MAX_ATTEMPTS - 1):
        email.refresh_from_db()
        assert email.status == Status.QUEUED
        waits.append(email.next_attempt_at - timezone.now())
        clock.move_to(email.next_attempt_at)
        assert delivery.deliver(email.pk).status in (Status.QUEUED, Status.FAILED)
    email.refresh_from_db()
    assert [int(w.total_seconds() // 60) for w in waits[:5]] == [1, 2, 4, 8, 16]
    assert max(waits) == delivery.LONGEST_DELAY
    assert (email.status, email.attempts) == (Status.FAILED, delivery.MAX_ATTEMPTS)
    failed = ApplicationEvent.objects.get(application=application, action="notification.failed")
    assert failed.details["notification"] == email.pk

    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=bs.institution)
    client = Client()
    client.force_login(officer)
    with translation.override("en"):
        listing = client.get(reverse("office:outbox") + "?status=failed").content.decode()
        assert email.subject in listing
        restartable_smtp.start()
        with committed():
            response = client.post(reverse("office:outbox_resend", args=[email.pk]))
    assert response.status_code == 302
    copy = Notification.objects.get(resend_of=email)
    assert copy.status == Status.SENT
    assert copy.created_by == officer
    assert len(restartable_smtp.received) == 1
    resent = ApplicationEvent.objects.get(application=application, action="notification.resent")
    assert resent.actor == officer


def test_an_address_the_server_refuses_for_good_bounces_at_once(
    application: Application, candidate: User, smtp_inbox: SmtpServer
) -> None:
    smtp_inbox.unknown.add(candidate.email)
    with committed():
        email = send_file_complete(application, event="complete")
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.BOUNCED, 1)
    assert "550" in email.last_error
    bounced = ApplicationEvent.objects.get(application=application, action="notification.bounced")
    assert bounced.details["to"] == candidate.email


def test_a_bounce_reported_later_marks_the_email(
    application: Application, smtp_inbox: SmtpServer
) -> None:
    with committed():
        email = send_file_complete(application, event="complete")
    delivered = mails(smtp_inbox.received)[0]
    assert delivered.headers["Message-ID"] == email.message_id
    delivery.record_bounce(email.message_id, reason="mailbox full")
    email.refresh_from_db()
    assert email.status == Status.BOUNCED
    assert application.events.filter(action="notification.bounced").count() == 1


def test_a_row_is_claimed_once(application: Application) -> None:
    email = send_file_complete(application, event="complete")
    now = timezone.now()
    assert delivery.claim(email.pk, now) is not None
    assert delivery.claim(email.pk, now) is None
    # A claim whose worker died is taken again once it expires.
    assert delivery.claim(email.pk, now + delivery.CLAIM + dt.timedelta(seconds=1)) is not None


def test_an_email_queued_on_commit_shows_in_the_history(
    application: Application, candidate: User, smtp_inbox: SmtpServer
) -> None:
    with committed():
        email = send_file_complete(application, event="complete")
    actions = list(
        application.events.filter(action__startswith="notification.").values_list(
            "action", flat=True
        )
    )
    assert actions == ["notification.queued", "notification.sent"]
    client = Client()
    client.force_login(candidate)
    with translation.override("en"):
        page = client.get(reverse("portal:application_status", args=[application.reference]))
    text = page.content.decode()
    assert f"Email sent: {email.subject}" in text
    assert "Email queued" not in text


def test_a_resend_by_a_stranger_is_refused(application: Application, nord: Campaign) -> None:
    email = send_file_complete(application, event="complete")
    stranger = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    assert not outbox.may_resend(stranger, email)
    client = Client()
    client.force_login(stranger)
    assert client.post(reverse("office:outbox_resend", args=[email.pk])).status_code == 404
    assert client.get(reverse("office:outbox_detail", args=[email.pk])).status_code == 404


def test_with_the_database_queue_a_retry_waits_for_its_time(
    application: Application,
    restartable_smtp: RestartableSmtp,
    settings: Settings,
    clock: time_machine.Coordinates,
) -> None:
    """A queue that can defer gets the retry at its back-off time, not before."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    restartable_smtp.stop()
    email = send_file_complete(application, event="complete")
    deliver_notification.call(email.pk)  # what the worker does with the first task
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 1)
    retry = DBTaskResult.objects.get()
    assert retry.args_kwargs == {"args": [email.pk], "kwargs": {}}
    assert retry.run_after == email.next_attempt_at == timezone.now() + delivery.FIRST_DELAY
    assert not DBTaskResult.objects.ready().exists()  # not before its time
    restartable_smtp.start()
    clock.move_to(email.next_attempt_at)
    assert DBTaskResult.objects.ready().count() == 1
    deliver_notification.call(email.pk)
    email.refresh_from_db()
    assert email.status == Status.SENT
