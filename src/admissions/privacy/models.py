"""What was erased of whom, and when: the marks that make erasure and retention idempotent.

The rows hold no personal data: a file or an account is named by its key, the summary by
counts and dates.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Cause(models.TextChoices):
    REQUEST = "request", _("Asked by the candidate")
    RETENTION = "retention", _("End of the retention period")


class ErasedFile(models.Model):
    """A file whose personal data is gone; its statistics (status, programme...) stay."""

    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="erasure"
    )
    erased_at = models.DateTimeField(default=timezone.now)
    cause = models.CharField(max_length=10, choices=Cause.choices)
    # When the accounting records of the file were made anonymous too (null: still kept).
    accounting_erased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.application_id} erased ({self.cause})"


class ErasedAccount(models.Model):
    """An account whose identity is gone: it can no longer sign in, its address is free."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure"
    )
    erased_at = models.DateTimeField(default=timezone.now)
    cause = models.CharField(max_length=10, choices=Cause.choices)

    def __str__(self) -> str:
        return f"{self.user_id} erased ({self.cause})"


class ErasureRequest(models.Model):
    """A candidate's request to erase their data, with what was done and what is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="erasure_requests"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    # {"erased": [reference...], "kept": [{"reference", "until", "why"}...],
    #  "accounting": [{"reference", "until"}...], "account": "erased" | "kept_until:<date>"}
    outcome = models.JSONField(default=dict)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.requested_at:%Y-%m-%d}"


class RetentionRun(models.Model):
    """The summary of one run of the retention job that changed something."""

    ran_at = models.DateTimeField(default=timezone.now, db_index=True)
    files_erased = models.PositiveIntegerField(default=0)
    accounting_erased = models.PositiveIntegerField(default=0)
    accounts_erased = models.PositiveIntegerField(default=0)
    access_log_deleted = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-ran_at", "-id"]

    def __str__(self) -> str:
        return f"retention {self.ran_at:%Y-%m-%d %H:%M}"
