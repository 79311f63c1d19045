"""Messages on a file between its candidate and the programme's staff, with attachments."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Written by staff (to the candidate) or by the candidate (to staff).
    from_staff = models.BooleanField()
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["application", "created_at"]),
            models.Index(fields=["from_staff", "created_at"]),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.created_at:%Y-%m-%d %H:%M}"


class MessageAttachment(models.Model):
    """A file sent with a message, checked on arrival as a document is; served by a view."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.CharField(max_length=255)  # a key of the documents' storage
    original_filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=80)
    detected_type = models.CharField(max_length=20)
    scan_status = models.CharField(max_length=20)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_filename

    @property
    def extension(self) -> str:
        return {"pdf": "pdf", "jpeg": "jpg"}.get(self.detected_type, "bin")


class MessageReadMark(models.Model):
    """The last message of a file a person has read (each person reads for themself).

    By message, not by time: two messages written within the same instant stay apart.
    """

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_message_id = models.PositiveBigIntegerField(default=0)
    read_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "user"], name="one_read_mark_per_file")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.application_id} up to {self.last_message_id}"


class VisaOutcome(models.TextChoices):
    PENDING = "pending", _("Awaited")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class InternationalFile(models.Model):
    """The steps of a non-EU admitted candidate towards the visa: the Campus France
    "Études en France" number, the admission certificate given for the visa, the outcome."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="international"
    )
    campus_france_number = models.CharField(_("Études en France number"), max_length=40, blank=True)
    certificate_issued_at = models.DateTimeField(null=True, blank=True)
    visa_outcome = models.CharField(
        max_length=10, choices=VisaOutcome.choices, default=VisaOutcome.PENDING
    )
    visa_decided_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.application_id} visa {self.visa_outcome}"
