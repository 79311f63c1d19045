"""A jury session's members, conflicts of interest, agenda, decisions and publication.

A decision is entered by a member, validated by the session's president (another person:
the database refuses the same person twice), then published. A published decision is
irrevocable: the service refuses to change it, so do `save()` and the queryset's `update()`
and `delete()` (each recording the attempt in the file's history), and a trigger of the
database refuses any UPDATE or DELETE of its row (migration 0002).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from admissions.jury.irrevocable import refuse_published
from admissions.rules.vocabulary import JuryDecision


class Seat(models.TextChoices):
    MEMBER = "member", _("Member")
    PRESIDENT = "president", _("President")


class SessionMember(models.Model):
    session = models.ForeignKey(
        "catalog.JurySession", on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seat = models.CharField(max_length=10, choices=Seat.choices, default=Seat.MEMBER)
    # Sits at the deliberation: counts for the quorum.
    present = models.BooleanField(default=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="jury_member_once"),
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(seat="president"),
                name="jury_one_president",
            ),
        ]
        ordering = ["-seat", "added_at", "id"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.user_id} {self.seat}"


class Conflict(models.Model):
    """A member declared in conflict of interest with a file: they cannot decide it."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.CASCADE, related_name="jury_conflicts"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "member"], name="jury_conflict_once")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.member_id}"


class AgendaItem(models.Model):
    """A file on a session's agenda; a file is on one agenda at a time."""

    session = models.ForeignKey(
        "catalog.JurySession", on_delete=models.PROTECT, related_name="agenda"
    )
    application = models.OneToOneField(
        "applications.Application", on_delete=models.CASCADE, related_name="agenda_item"
    )
    ready_on = models.DateField()  # the Paris day the file became ready for the jury
    placed_at = models.DateTimeField(auto_now_add=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["session", "id"])]
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.session_id} {self.application_id}"


class DecisionQuerySet(models.QuerySet["Decision"]):
    def update(self, **kwargs: Any) -> int:
        refuse_published(self, via="queryset update")
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        refuse_published(self, via="queryset delete")
        return super().delete()


class Decision(models.Model):
    application = models.OneToOneField(
        "applications.Application", on_delete=models.PROTECT, related_name="jury_decision"
    )
    session = models.ForeignKey(
        "catalog.JurySession", on_delete=models.PROTECT, related_name="decisions"
    )
    outcome = models.CharField(
        _("decision"), max_length=30, choices=[(d.value, d.value) for d in JuryDecision]
    )
    waitlist_rank = models.PositiveIntegerField(_("rank on the waiting list"), null=True)
    reason = models.TextField(_("reason"), blank=True)
    # Whether the file came through a derogatory route, frozen from its eligibility.
    derogatory = models.BooleanField(default=False)
    # For a file whose entry diploma was in progress at submission: True when the member
    # stated it has been obtained since (an admission without condition); None otherwise.
    # Nullable without a default, so that adding it keeps the table and its triggers.
    diploma_obtained = models.BooleanField(null=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField()
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    validated_at = models.DateTimeField(null=True)
    published_at = models.DateTimeField(null=True)

    objects = DecisionQuerySet.as_manager()

    class Meta:
        constraints = [
            # Four eyes: the president validates what another member entered.
            models.CheckConstraint(
                condition=Q(validated_by__isnull=True) | ~Q(validated_by=F("entered_by")),
                name="jury_decision_four_eyes",
            ),
            models.CheckConstraint(
                condition=Q(outcome="waitlisted", waitlist_rank__isnull=False)
                | (~Q(outcome="waitlisted") & Q(waitlist_rank__isnull=True)),
                name="jury_decision_rank_iff_waitlisted",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(validated_at__isnull=False),
                name="jury_decision_published_after_validation",
            ),
        ]
        indexes = [models.Index(fields=["session", "published_at"])]

    def __str__(self) -> str:
        return f"{self.application_id} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            refuse_published(Decision.objects.filter(pk=self.pk), via="model save")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        refuse_published(Decision.objects.filter(pk=self.pk), via="model delete")
        return super().delete(*args, **kwargs)

    @property
    def published(self) -> bool:
        return self.published_at is not None


class Publication(models.Model):
    """When a session's validated decisions go out: at a set time, or at once."""

    session = models.OneToOneField(
        "catalog.JurySession", on_delete=models.PROTECT, related_name="publication"
    )
    publish_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["done_at", "publish_at"])]

    def __str__(self) -> str:
        return f"{self.session_id} at {self.publish_at}"
