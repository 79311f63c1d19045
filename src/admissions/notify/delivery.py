"""Sending one outbox row: claimed by a conditional UPDATE, sent once, its outcome recorded.

The claim (`queued` to `sending`, with an expiry) is what keeps two workers, or a task and
the sweep of the periodic jobs, from sending the same row twice. A mail server that does not
answer, or answers "try later", puts the row back in the queue with an exponential
back-off; after `MAX_ATTEMPTS` the row is `failed` for staff to see and resend. A
recipient the server refuses for good (a 5xx answer to RCPT) is `bounced` at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from admissions.notify.attachments import attachments_of
from admissions.notify.history import record_status
from admissions.notify.models import Notification, Status

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
FIRST_DELAY = dt.timedelta(minutes=1)
LONGEST_DELAY = dt.timedelta(hours=4)
# Longer than any SMTP exchange (the connection times out after 20 s): a claim older than
# this belongs to a worker that died, and the row may be taken again.
CLAIM = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class Outcome:
    status: Status | None  # None: nothing was done (claimed elsewhere, or already final)
    retry_at: dt.datetime | None = None


def delay_after(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8... minutes after the n-th failed attempt, at most four hours."""
    factor: int = 2 ** max(attempts - 1, 0)
    return min(FIRST_DELAY * factor, LONGEST_DELAY)


def claimable(moment: dt.datetime) -> Q:
    return Q(status=Status.QUEUED, next_attempt_at__lte=moment) | Q(
        status=Status.SENDING, claimed_until__lt=moment
    )


def claim(notification_id: int, moment: dt.datetime) -> Notification | None:
    taken = Notification.objects.filter(claimable(moment), pk=notification_id).update(
        status=Status.SENDING, claimed_until=moment + CLAIM, attempts=F("attempts") + 1
    )
    if taken != 1:
        return None
    return Notification.objects.select_related("application").get(pk=notification_id)


def message_of(notification: Notification) -> EmailMultiAlternatives:
    headers = {
        "Message-ID": notification.message_id,
        # Tells out-of-office replies and mail filters that no person typed it.
        "Auto-Submitted": "auto-generated",
        "Content-Language": notification.language,
    }
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.to_address],
        reply_to=[notification.reply_to] if notification.reply_to else None,
        headers=headers,
        connection=get_connection(fail_silently=False),
    )
    message.attach_alternative(notification.html, "text/html")
    if notification.calendar:
        # Mail programs offer to add a text/calendar REQUEST to the reader's calendar.
        message.attach("invitation.ics", notification.calendar, "text/calendar; method=REQUEST")
    for attachment in attachments_of(notification):
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message


def deliver(notification_id: int, *, now: dt.datetime | None = None) -> Outcome:
    """Send the row if it is due and free; never raises for a mail server's failure."""
    moment = now or timezone.now()
    notification = claim(notification_id, moment)
    if notification is None:
        return Outcome(status=None)
    try:
        message_of(notification).send()
    except smtplib.SMTPRecipientsRefused as refused:
        codes = [code for code, _message in refused.recipients.values()]
        if codes and all(code >= 500 for code in codes):
            return _finish(notification, Status.BOUNCED, error=_describe(refused))
        return _retry(notification, refused)
    except (smtplib.SMTPException, OSError) as error:
        return _retry(notification, error)
    return _finish(notification, Status.SENT)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _settle(notification: Notification, **fields: object) -> bool:
    """Write the outcome only if the claim is still ours (same attempt, still sending)."""
    return (
        Notification.objects.filter(
            pk=notification.pk, status=Status.SENDING, attempts=notification.attempts
        ).update(claimed_until=None, **fields)
        == 1
    )


def _finish(notification: Notification, status: Status, *, error: str = "") -> Outcome:
    moment = timezone.now()
    with transaction.atomic():
        fields: dict[str, object] = {"status": status, "last_error": error}
        if status == Status.SENT:
            fields["sent_at"] = moment
        if not _settle(notification, **fields):
            return Outcome(status=None)
        extra: dict[str, object] = {"attempts": notification.attempts}
        if error:
            extra["error"] = error
        record_status(notification, f"notification.{status.value}", **extra)
    if status != Status.SENT:
        logger.warning(
            "email %s to %s %s: %s", notification.pk, notification.to_address, status, error
        )
    return Outcome(status=status)


def _retry(notification: Notification, error: BaseException) -> Outcome:
    if notification.attempts >= MAX_ATTEMPTS:
        return _finish(notification, Status.FAILED, error=_describe(error))
    retry_at = timezone.now() + delay_after(notification.attempts)
    if not _settle(
        notification, status=Status.QUEUED, next_attempt_at=retry_at, last_error=_describe(error)
    ):
        return Outcome(status=None)
    logger.info(
        "email %s not sent (attempt %d), next try at %s: %s",
        notification.pk,
        notification.attempts,
        retry_at.isoformat(),
        error,
    )
    return Outcome(status=Status.QUEUED, retry_at=retry_at)


def record_bounce(message_id: str, *, reason: str) -> Notification | None:
    """A provider reported later that a sent email bounced (a delivery status notification)."""
    with transaction.atomic():
        notification = (
            # Only the email's row: its file is read, not held (and may be none).
            Notification.objects.select_for_update(of=("self",))
            .select_related("application")
            .filter(message_id=message_id)
            .first()
        )
        if notification is None or notification.status == Status.BOUNCED:
            return notification
        notification.status = Status.BOUNCED
        notification.last_error = reason[:2000]
        notification.save(update_fields=["status", "last_error"])
        record_status(notification, "notification.bounced", error=notification.last_error)
    return notification
