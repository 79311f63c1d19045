"""The application: one candidate, one programme, one campaign; and its history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admissions.applications.funnel import FIRST_MASK
from admissions.applications.lifecycle import STAFF_STEPS, Status
from admissions.catalog.models import RulebookVersion
from admissions.catalog.parsed import parsed_rulebook
from admissions.rules.schema import BankAccount, Rulebook
from admissions.rules.vocabulary import Track

QUEUE_INDEXES: dict[str, list[str]] = {
    "waiting": ["status_changed_at", "id"],
    "name": ["sort_name", "id"],
    "route": ["entry_route", "-submitted_at", "-id"],
    "eu": ["eu_national", "-submitted_at", "-id"],
    "abroad": ["lives_abroad", "-submitted_at", "-id"],
    "financing": ["financing_mode", "-submitted_at", "-id"],
    "track": ["track", "-submitted_at", "-id"],
    "status": ["status", "-submitted_at", "-id"],
}


class Application(models.Model):
    reference = models.CharField(max_length=40, unique=True)
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    campaign = models.ForeignKey(
        "catalog.Campaign", on_delete=models.PROTECT, related_name="applications"
    )
    programme = models.ForeignKey(
        "catalog.Programme", on_delete=models.PROTECT, related_name="applications"
    )
    track = models.CharField(_("track"), max_length=20, choices=[(t.value, t.value) for t in Track])
    financing_mode = models.CharField(_("financing mode"), max_length=60)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT)
    cover_letter = models.TextField(_("cover letter"), blank=True)
    professional_project = models.TextField(_("professional project"), blank=True)
    # What the eligibility engine said when the file was submitted (route, implications).
    eligibility = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    # The digest of the campaign's rules when the file was first submitted: a later change
    # of the campaign does not change the rules it is judged by. Empty for a draft.
    rulebook_digest = models.CharField(max_length=64, blank=True)
    # The jury's rank for a file on the waiting list (1 is called first); set on publication.
    waitlist_rank = models.PositiveIntegerField(null=True, blank=True)
    # Copied at submission for the staff's queue, which filters and sorts on them at a
    # million files: the route inside `eligibility` and the profile's countries cannot be
    # indexed on both databases, these columns can. Empty/None on drafts.
    entry_route = models.CharField(_("entry route"), max_length=60, blank=True)
    eu_national = models.BooleanField(_("EU national"), null=True, blank=True)
    lives_abroad = models.BooleanField(_("lives abroad"), null=True, blank=True)
    # "family name given names", lower case: the queue's order by name.
    sort_name = models.CharField(max_length=300, blank=True)
    # The funnel's steps the file reached (bits of `funnel.BIT`) and when it reached the
    # furthest: kept by `history.transition` for the report's counts (applications/funnel.py).
    steps_reached = models.PositiveIntegerField(default=FIRST_MASK)
    step_reached_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "programme", "campaign"],
                name="one_application_per_programme_and_campaign",
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "status", "-submitted_at"]),
            models.Index(fields=["programme", "status", "-submitted_at"]),
            models.Index(fields=["candidate", "-created_at"]),
            # The staff's list of files: newest submitted first, drafts never listed.
            models.Index(
                fields=["-submitted_at", "-id"],
                condition=~models.Q(status="draft"),
                name="application_submitted_order",
            ),
            # The files waiting on the staff, longest waiting first (the staff's home): only
            # the steps where a file waits on a move of theirs, so a scan in this order
            # never walks through the years of decided files to find the twenty it shows.
            models.Index(
                fields=["status_changed_at", "id"],
                condition=models.Q(status__in=sorted(STAFF_STEPS)),
                name="application_waiting_on_staff",
            ),
            # A programme's waiting list, in the order it is called: the status page's place
            # in line counts the files ahead (workflow/status_version.py) without reading
            # the programme's other files. Not a partial index: SQLite prepares again, on
            # every run, a statement whose `status = ?` might imply a partial index's
            # condition, which would be every statement filtering the files by status.
            models.Index(
                fields=["campaign", "programme", "status", "waitlist_rank", "id"],
                name="application_waiting_line",
            ),
            # The queue's other orders, and each filter kept in the default order.
            *[
                models.Index(
                    fields=fields,
                    condition=~models.Q(status="draft"),
                    name=f"application_queue_{name}",
                )
                for name, fields in QUEUE_INDEXES.items()
            ],
        ]
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")

    def __str__(self) -> str:
        return self.reference

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def rules(self) -> Rulebook:
        """The rules this file is judged by: those it was submitted under, else its campaign's.

        A file sent before its campaign changed reads the kept version (one query the first
        time in a process for that digest, see catalog/parsed.py); every other file reads
        its campaign's rules as they are.
        """
        campaign = self.campaign
        digest = self.rulebook_digest
        if not digest or digest == campaign.rulebook_digest:
            return campaign.rules
        kept = RulebookVersion.objects.values_list("data", flat=True)
        return parsed_rulebook(digest, lambda: kept.get(digest=digest))

    @property
    def bank_account(self) -> BankAccount | None:
        """Where the file's money goes: the institution's account as it is now (its campaign's
        current rules), not the one of the version the file was submitted under, so that a
        changed account (workflow/bank_details.py) reaches every file at once."""
        return self.campaign.rules.bank_account


class ApplicationEvent(models.Model):
    """One row per change of a file: who did what, when, and from what to what."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=80)  # dotted: application.submitted
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["application", "at"])]
        ordering = ["at", "id"]
        verbose_name = _("history event")
        verbose_name_plural = _("history events")

    def __str__(self) -> str:
        return f"{self.application_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class StepCount(models.Model):
    """How many files of a programme stand at a status, kept with each move.

    Written by `history.transition` in the move's own transaction (never drafts, which staff
    do not list); `manage.py rebuild_step_counts` counts them again from the files, for rows
    written in bulk (imports, generated data) or after a change made by hand.
    """

    programme = models.ForeignKey("catalog.Programme", on_delete=models.CASCADE)
    status = models.CharField(max_length=30, choices=Status.choices)
    files = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["programme", "status"], name="one_count_per_step")
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.status}: {self.files}"


class FunnelCount(models.Model):
    """How many files of a campaign's programme reached a step of the funnel, in all
    (`dimension` empty) or with one value of a breakdown (`funnel.DIMENSIONS`).

    Kept with each move by `report_counts` in the move's transaction; `manage.py
    rebuild_report_counts` counts them again from the history.
    """

    campaign = models.ForeignKey("catalog.Campaign", on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey("catalog.Programme", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=20)
    dimension = models.CharField(max_length=20, blank=True)
    value = models.CharField(max_length=60, blank=True)
    files = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "programme", "step", "dimension", "value"],
                name="one_funnel_count",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.programme_id} {self.step} {self.dimension}={self.value}"


class StepDuration(models.Model):
    """How many files of a campaign's programme spent a bucket of days in a step before
    reaching a further one (`funnel.BUCKET_STARTS`)."""

    campaign = models.ForeignKey("catalog.Campaign", on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey("catalog.Programme", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=20)
    bucket = models.PositiveSmallIntegerField()
    files = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "programme", "step", "bucket"], name="one_duration_bucket"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.programme_id} {self.step} #{self.bucket}"


class WaitlistMove(models.Model):
    """How many files of a campaign's programme made one move onto or off the waiting list."""

    campaign = models.ForeignKey("catalog.Campaign", on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey("catalog.Programme", on_delete=models.CASCADE, related_name="+")
    from_status = models.CharField(max_length=30)
    to_status = models.CharField(max_length=30)
    files = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "programme", "from_status", "to_status"],
                name="one_waitlist_move",
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.programme_id} {self.from_status}>{self.to_status}"
