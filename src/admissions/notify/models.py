"""The outbox: one row per email to send, written in the transaction of the event it tells.

A row is born `queued` with its rendered subject and parts, so that what was sent is kept
as it was sent and a resend sends the same words. A delivery task claims it with a
conditional UPDATE (`queued` to `sending`), sends it, and marks it `sent`, or puts it back
`queued` with a later attempt time; after the last attempt it is `failed`, for staff to see
and resend. `bounced` is a final refusal by the recipient's mail server.

`key` is the idempotency key of (event, recipient, kind): a second enqueue with the same key
(a webhook delivered twice, a job run twice) finds the first row and sends nothing more.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


FINAL = frozenset({Status.SENT, Status.FAILED, Status.BOUNCED})


class Audience(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    STAFF = "staff", _("Staff")
    ACCOUNT = "account", _("Account")


class Notification(models.Model):
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=60)
    audience = models.CharField(max_length=12, choices=Audience.choices)
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    to_address = models.EmailField()
    reply_to = models.EmailField(blank=True)
    language = models.CharField(max_length=8)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField()
    # An iCalendar invitation (RFC 5545) sent with the email, as the interview's booking.
    calendar = models.TextField(blank=True)
    # Carries a sign-in, password or confirmation link: shown to no one but its recipient,
    # except on the outbox page of a site whose mail goes nowhere (the embedded default).
    sensitive = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    resend_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resends"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["application", "-created_at"]),
            models.Index(fields=["-created_at", "-id"]),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to_address} ({self.status})"

    @property
    def status_enum(self) -> Status:
        return Status(self.status)


class TemplateOverride(models.Model):
    """An institution's own wording of one email in one language.

    Written in the restricted syntax of `notify.restricted` (text, blank lines between
    paragraphs, `{placeholder}` from the kind's list); the layout, the action button and the
    footer stay the platform's.
    """

    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.CASCADE, related_name="email_overrides"
    )
    kind = models.CharField(max_length=60)
    language = models.CharField(max_length=8)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "kind", "language"], name="one_override_per_email"
            )
        ]
        ordering = ["institution_id", "kind", "language"]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.kind} {self.language}"


from admissions.notify.webhook_models import (  # noqa: E402  (models of the app, in their module)
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

__all__ = [
    "Audience",
    "DeliveryStatus",
    "Notification",
    "Status",
    "TemplateOverride",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
]
