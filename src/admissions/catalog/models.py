"""The catalogue: institutions, their sites and programmes, campaigns and jury sessions.

It is written only by `catalog.services.load_rulebook` from a validated rulebook; the
rulebook itself is kept on the institution and, frozen, on each campaign, so that files of
a past campaign are judged by the rules they were made under.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from admissions.catalog.parsed import parsed_rulebook, values_to_confirm
from admissions.rules import deadlines
from admissions.rules.rulebook import data_digest
from admissions.rules.schema import Rulebook

RULEBOOK_FIELD = "rulebook"


def without_rulebooks(*relations: str) -> list[str]:
    """The rulebook fields for `.defer()`: of the row itself ("") or of each relation named.

    A rulebook's JSON is tens of kB and `rules` reads it only the first time in a process
    (see catalog/parsed.py), so queries that select a campaign or an institution leave it
    out: `.defer(*without_rulebooks("campaign", "campaign__institution"))`.
    """
    return [
        f"{relation}__{RULEBOOK_FIELD}" if relation else RULEBOOK_FIELD for relation in relations
    ]


class HoldsRulebook(models.Model):
    """A row that keeps a frozen rulebook and the digest of its content, always in step."""

    rulebook = models.JSONField(default=dict)
    rulebook_digest = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if RULEBOOK_FIELD not in self.get_deferred_fields():
            self.rulebook_digest = data_digest(self.rulebook)
            fields = kwargs.get("update_fields")
            if fields is not None and RULEBOOK_FIELD in fields:
                kwargs["update_fields"] = {*fields, "rulebook_digest"}
        super().save(*args, **kwargs)

    @cached_property
    def rules(self) -> Rulebook:
        return parsed_rulebook(self.rulebook_digest, lambda: self.rulebook)

    @cached_property
    def to_confirm_values(self) -> dict[str, Any]:
        """The value at each of the rules' `to_confirm` keys, without reading the JSON again."""
        return values_to_confirm(self.rulebook_digest, lambda: self.rulebook)


class BilingualName(models.Model):
    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "fr").startswith("en") else self.name_fr


class Institution(HoldsRulebook):
    slug = models.SlugField(unique=True, max_length=60)
    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=60)
    contact_email = models.EmailField()
    website = models.URLField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")

    def __str__(self) -> str:
        return self.name


class Site(models.Model):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="sites")
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)  # False once a rulebook no longer lists it
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "slug"], name="site_unique_slug")
        ]
        ordering = ["name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name


class Programme(BilingualName):
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="programmes"
    )
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="programmes")
    slug = models.SlugField(max_length=60)
    duration_months = models.PositiveSmallIntegerField()
    internship_months = models.PositiveSmallIntegerField(default=0)
    tracks = models.JSONField(default=list)
    capacity = models.PositiveIntegerField()
    is_active = models.BooleanField(default=True)  # False once a rulebook no longer lists it
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "slug"], name="programme_unique_slug")
        ]
        ordering = ["institution__name", "name_fr"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name


class CampaignQuerySet(models.QuerySet["Campaign"]):
    def open_at(self, moment: dt.datetime) -> CampaignQuerySet:
        # A coarse filter by date; `Campaign.is_open` decides at the instant in Paris time.
        day = deadlines.paris_date(moment)
        return self.filter(opens_on__lte=day, closes_on__gte=day)


class Campaign(BilingualName, HoldsRulebook):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="campaigns")
    slug = models.SlugField(max_length=60)
    academic_year = models.CharField(max_length=9, blank=True)
    opens_on = models.DateField()
    closes_on = models.DateField(help_text=_("Last day applications are accepted (Paris time)."))
    international_deadline = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "slug"], name="campaign_unique_slug")
        ]
        indexes = [models.Index(fields=["opens_on", "closes_on"])]
        ordering = ["-opens_on"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return f"{self.institution.short_name} {self.name}"

    @property
    def closes_at(self) -> dt.datetime:
        return deadlines.end_of_day(self.closes_on)

    @property
    def international_closes_at(self) -> dt.datetime | None:
        if self.international_deadline is None:
            return None
        return deadlines.end_of_day(self.international_deadline)

    def is_open(self, moment: dt.datetime | None = None) -> bool:
        return deadlines.is_open(moment or timezone.now(), self.opens_on, self.closes_on)


class JurySession(BilingualName):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="jury_sessions")
    slug = models.SlugField(max_length=60)
    month = models.CharField(max_length=7)
    date = models.DateField(null=True, blank=True)
    files_cutoff = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(default=True)  # False once the rulebook no longer lists it
    # A rolling jury's sessions are set by the school, not listed by the rulebook: loading the
    # rulebook again leaves them alone.
    from_rulebook = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "slug"], name="jury_session_unique_slug")
        ]
        ordering = ["month", "date"]
        verbose_name = _("jury session")
        verbose_name_plural = _("jury sessions")

    def __str__(self) -> str:
        return self.name

    def as_dict(self) -> dict[str, Any]:
        return {"slug": self.slug, "month": self.month, "date": self.date}


class ConfirmedValue(models.Model):
    """An administrator confirmed a value the rulebook marks `to_confirm`, as it then was.

    The confirmation holds for that value only: a rulebook loaded later with another value
    asks for it again. Rows are never changed; each confirmation is a new one.
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="confirmed_values"
    )
    key = models.CharField(max_length=200)  # the rulebook's key path
    value = models.JSONField()  # the values at that path when confirmed
    confirmed_by = models.ForeignKey(
        "people.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["campaign", "key"])]
        ordering = ["confirmed_at", "id"]
        verbose_name = _("confirmed value")
        verbose_name_plural = _("confirmed values")

    def __str__(self) -> str:
        return f"{self.campaign} {self.key}"


class RulebookVersion(models.Model):
    """Every rulebook a campaign has held, by digest: a file keeps the rules it was sent under.

    A submitted application names the digest of its campaign's rules at that moment; when an
    administrator changes the campaign later, the file is still read against this copy.
    Rows are written when a campaign takes a rulebook and never changed.
    """

    digest = models.CharField(max_length=64, unique=True)
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rulebook version")
        verbose_name_plural = _("rulebook versions")

    def __str__(self) -> str:
        return self.digest[:12]


class CatalogChange(models.Model):
    """One change an administrator made to an institution's catalogue, as it was recorded.

    `details` holds each changed key path with its old and new value and the files the
    change reached ("kept": submitted files, which keep their rules; "following": drafts).
    """

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="catalog_changes"
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="catalog_changes", null=True
    )
    kind = models.CharField(max_length=40)  # "campaign_dates", "programme", "fees"...
    subject = models.CharField(max_length=200, blank=True)  # the programme, document...
    by = models.ForeignKey(
        "people.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    old_digest = models.CharField(max_length=64, blank=True)
    new_digest = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["institution", "-at"])]
        ordering = ["-at", "-id"]
        verbose_name = _("catalogue change")
        verbose_name_plural = _("catalogue changes")

    def __str__(self) -> str:
        return f"{self.institution_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class DeadlineExtension(models.Model):
    """A deadline moved later in one recorded action (after an outage, say), and why."""

    class Which(models.TextChoices):
        GENERAL = "closes_on", _("Application deadline")
        INTERNATIONAL = "international_deadline", _("International deadline")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="deadline_extensions"
    )
    which = models.CharField(max_length=30, choices=Which.choices)
    old_date = models.DateField()
    new_date = models.DateField()
    reason = models.TextField()
    by = models.ForeignKey(
        "people.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    change = models.OneToOneField(CatalogChange, on_delete=models.CASCADE, related_name="extension")

    class Meta:
        indexes = [models.Index(fields=["campaign", "-at"])]
        ordering = ["-at", "-id"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.which} {self.old_date} -> {self.new_date}"

    @property
    def new_closes_at(self) -> dt.datetime:
        return deadlines.end_of_day(self.new_date)
