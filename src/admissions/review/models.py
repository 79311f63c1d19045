"""What staff record while judging a file: admissibility reviews, interviews, their slots.

Only the services of this package write these rows; each change is also an event of the
file's history.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from admissions.applications.models import Application
from admissions.catalog.models import Programme

DEFAULT_SLOT_MINUTES = 30


class Outcome(models.TextChoices):
    POSITIVE = "positive", _("Admissible (favourable opinion)")
    NEGATIVE = "negative", _("Not admissible (unfavourable opinion)")


class AdmissibilityReview(models.Model):
    """One admissibility study of a file: a score and comment per criterion, and the outcome."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="admissibility_review"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # {criterion code: {"score": int, "comment": str}}, in the rulebook's order.
    scores = models.JSONField(default=dict)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.application_id}: {self.outcome}"


class InterviewSetup(models.Model):
    """A programme's interview settings: the video link every new slot starts from."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="interview_setup"
    )
    # `{slot}` becomes the slot's number, e.g. https://visio.example.org/ms-{slot}
    video_link_template = models.CharField(_("video link template"), max_length=300)

    def __str__(self) -> str:
        return self.video_link_template


class InterviewSlot(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="interview_slots"
    )
    starts_at = models.DateTimeField(_("start"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration in minutes"), default=DEFAULT_SLOT_MINUTES
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="interview_slots"
    )
    video_link = models.CharField(_("video link"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["programme", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.starts_at.isoformat()}"

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


class InterviewState(models.TextChoices):
    INVITED = "invited", _("Invited, no slot booked")
    BOOKED = "booked", _("Slot booked")
    HELD = "held", _("Interview held")
    NO_SHOW = "no_show", _("Candidate did not attend")


class Recommendation(models.TextChoices):
    FAVOURABLE = "favourable", _("Favourable")
    RESERVED = "reserved", _("Favourable with reservations")
    UNFAVOURABLE = "unfavourable", _("Unfavourable")


class Interview(models.Model):
    """A file's interview: the invitation, the slot booked, then the grid or the no-show.

    The slot is unique: whatever the timing of two bookings, one slot holds one candidate.
    """

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="interview"
    )
    state = models.CharField(max_length=10, choices=InterviewState.choices)
    slot = models.OneToOneField(
        InterviewSlot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interview",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    # {criterion code: {"score": int, "comment": str}}, in the rulebook's order.
    scores = models.JSONField(default=dict, blank=True)
    recommendation = models.CharField(
        _("recommendation"), max_length=15, choices=Recommendation.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    # Interviews the candidate missed: each returns the file to "admissible" to book again.
    no_shows = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.application_id}: {self.state}"


class Assignment(models.Model):
    """The reviewer a file is given to (a pedagogical lead or an interviewer of its
    programme); given again, it changes hands. The history keeps every assignment."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="assignment"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        # "Assigned to me" in the queue: the reviewer's files.
        indexes = [models.Index(fields=["reviewer", "application"])]

    def __str__(self) -> str:
        return f"{self.application_id} → {self.reviewer_id}"


class StaffNote(models.Model):
    """A note staff leave on a file; never shown to the candidate."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="staff_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["application", "created_at"])]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.text[:40]}"
