"""Loading a validated rulebook into the catalogue: the only writer of catalogue rows.

`load_rulebook` is idempotent: each row is compared field by field and saved only when a
value differs, so loading the same rules twice writes nothing. Rows a rulebook no longer
lists are deactivated, never deleted: applications and jury agendas keep pointing at them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from django.db import models, transaction

from admissions.catalog.models import (
    Campaign,
    Institution,
    JurySession,
    Programme,
    RulebookVersion,
    Site,
)
from admissions.rules.rulebook import LoadedRulebook
from admissions.rules.schema import Rulebook

RowT = TypeVar("RowT", bound=models.Model)


class Action(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class Change:
    kind: str  # "institution", "site", "programme", "campaign", "jury session"
    key: str  # the slug in the rulebook
    action: Action
    fields: tuple[str, ...] = ()  # the fields an update changed


@dataclass
class LoadReport:
    source: str
    institution: str
    campaign: str
    digest: str
    changes: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def with_action(self, action: Action) -> list[Change]:
        return [change for change in self.changes if change.action == action]

    @property
    def changed(self) -> bool:
        return any(change.action != Action.UNCHANGED for change in self.changes)

    def summary(self) -> str:
        counts = ", ".join(f"{len(self.with_action(action))} {action.value}" for action in Action)
        return f"{counts}, {len(self.warnings)} warning{'s' if len(self.warnings) != 1 else ''}"


def load_rulebook(loaded: LoadedRulebook) -> LoadReport:
    """Create or update the institution, sites, programmes, campaign and jury sessions."""
    rules = loaded.rulebook
    report = LoadReport(
        source=loaded.source,
        institution=rules.institution.slug,
        campaign=rules.campaign.slug,
        digest=loaded.digest,
        warnings=list(loaded.warnings),
    )
    with transaction.atomic():
        newest = _is_newest(rules)
        if not newest:
            report.warnings.append(
                f"campaign {rules.campaign.slug}: a later campaign of {rules.institution.slug} "
                "is loaded; its institution, sites and programmes are kept, only this campaign "
                "and its jury sessions are updated"
            )
        institution = _institution(rules, loaded, report, newest=newest)
        sites = _sites(rules, institution, report, newest=newest)
        _programmes(rules, institution, sites, report, newest=newest)
        campaign = _campaign(rules, loaded, institution, report)
        _jury_sessions(rules, campaign, report)
    return report


def _is_newest(rules: Rulebook) -> bool:
    """Whether no other campaign of the institution opens after this rulebook's."""
    # A rulebook of an older campaign must not undo what a newer one set up.
    institution = (
        Institution.objects.select_for_update().filter(slug=rules.institution.slug).first()
    )
    if institution is None:
        return True
    later = institution.campaigns.filter(opens_on__gt=rules.campaign.opens_on)
    return not later.exclude(slug=rules.campaign.slug).exists()


def _institution(
    rules: Rulebook, loaded: LoadedRulebook, report: LoadReport, *, newest: bool
) -> Institution:
    values: dict[str, Any] = {
        "name": rules.institution.name,
        "short_name": rules.institution.short_name,
        "contact_email": rules.institution.contact_email,
        "website": rules.institution.website,
        "rulebook": loaded.data,
        "rulebook_digest": loaded.digest,
    }
    institution, change = _sync(
        Institution, {"slug": rules.institution.slug}, values, kind="institution", update=newest
    )
    report.changes.append(change)
    return institution


def _sites(
    rules: Rulebook, institution: Institution, report: LoadReport, *, newest: bool
) -> dict[str, Site]:
    sites: dict[str, Site] = {}
    for site in rules.sites:
        values = {
            "name": site.name,
            "address": site.address,
            "phone": site.phone,
            "is_active": True,
        }
        row, change = _sync(
            Site,
            {"institution": institution, "slug": site.slug},
            values,
            kind="site",
            update=newest,
        )
        sites[site.slug] = row
        report.changes.append(change)
    if newest:
        stale = Site.objects.filter(institution=institution, is_active=True)
        report.changes.extend(_deactivate(stale.exclude(slug__in=sites), kind="site"))
    return sites


def _programmes(
    rules: Rulebook,
    institution: Institution,
    sites: dict[str, Site],
    report: LoadReport,
    *,
    newest: bool,
) -> None:
    for programme in rules.programmes:
        values = {
            "name_fr": programme.name.fr,
            "name_en": programme.name.en,
            "site": sites[programme.site],
            "duration_months": programme.duration_months,
            "internship_months": programme.internship_months,
            "tracks": [track.value for track in programme.tracks],
            "capacity": programme.capacity,
            "is_active": True,
        }
        _, change = _sync(
            Programme,
            {"institution": institution, "slug": programme.slug},
            values,
            kind="programme",
            update=newest,
        )
        report.changes.append(change)
    if newest:
        listed = [programme.slug for programme in rules.programmes]
        stale = Programme.objects.filter(institution=institution, is_active=True)
        report.changes.extend(_deactivate(stale.exclude(slug__in=listed), kind="programme"))


def _campaign(
    rules: Rulebook, loaded: LoadedRulebook, institution: Institution, report: LoadReport
) -> Campaign:
    campaign = rules.campaign
    deadline = campaign.international_deadline
    values = {
        "name_fr": campaign.name.fr,
        "name_en": campaign.name.en,
        "academic_year": campaign.teaching_year,
        "opens_on": campaign.opens_on,
        "closes_on": campaign.closes_on.date,
        "international_deadline": deadline.date if deadline else None,
        "rulebook": loaded.data,
        "rulebook_digest": loaded.digest,
    }
    held = Campaign.objects.filter(institution=institution, slug=campaign.slug).first()
    if held is not None:
        keep_version(held)  # the rules its submitted files keep, however it was made
    row, change = _sync(
        Campaign, {"institution": institution, "slug": campaign.slug}, values, kind="campaign"
    )
    report.changes.append(change)
    keep_version(row)
    if "rulebook_digest" in change.fields:
        count = _applications_of(row)
        if count:
            report.warnings.append(
                f"campaign {campaign.slug}: {count} application(s) already exist; drafts "
                "follow the rules just loaded, submitted files keep those they were sent under"
            )
    return row


def keep_version(campaign: Campaign) -> None:
    """Keep the campaign's rules by digest, for the files that will be submitted under them."""
    RulebookVersion.objects.get_or_create(
        digest=campaign.rulebook_digest, defaults={"data": campaign.rulebook}
    )


def _applications_of(campaign: Campaign) -> int:
    # Named through the reverse relation: the catalogue does not import the applications app.
    related = getattr(campaign, "applications", None)
    return int(related.count()) if related is not None else 0


def _jury_sessions(rules: Rulebook, campaign: Campaign, report: LoadReport) -> None:
    for session in rules.jury_sessions:
        values = {
            "name_fr": session.name.fr,
            "name_en": session.name.en,
            "month": session.month,
            "date": session.date,
            "files_cutoff": session.files_cutoff,
            "is_active": True,
        }
        _, change = _sync(
            JurySession,
            {"campaign": campaign, "slug": session.slug},
            values,
            kind="jury session",
        )
        report.changes.append(change)
    listed = [session.slug for session in rules.jury_sessions]
    stale = JurySession.objects.filter(
        campaign=campaign, is_active=True, from_rulebook=True
    ).exclude(slug__in=listed)
    report.changes.extend(_deactivate(stale, kind="jury session"))


def _sync(
    model: type[RowT],
    lookup: dict[str, Any],
    values: dict[str, Any],
    *,
    kind: str,
    update: bool = True,
) -> tuple[RowT, Change]:
    key = str(lookup["slug"])
    row = model._default_manager.select_for_update().filter(**lookup).first()
    if row is None:
        return model._default_manager.create(**lookup, **values), Change(kind, key, Action.CREATED)
    changed = [name for name, value in values.items() if not _same(row, name, value)]
    if not changed or not update:
        return row, Change(kind, key, Action.UNCHANGED)
    for name in changed:
        setattr(row, name, values[name])
    row.save(update_fields=[*changed, *_touched(model)])
    return row, Change(kind, key, Action.UPDATED, tuple(changed))


def _same(row: models.Model, name: str, value: Any) -> bool:
    if isinstance(value, models.Model):
        return bool(getattr(row, f"{name}_id") == value.pk)
    return bool(getattr(row, name) == value)


def _touched(model: type[models.Model]) -> list[str]:
    return [
        item.name
        for item in model._meta.concrete_fields
        if isinstance(item, models.DateTimeField) and item.auto_now
    ]


def _deactivate(rows: Iterable[Site | Programme | JurySession], *, kind: str) -> list[Change]:
    changes = []
    for row in rows:
        row.is_active = False
        row.save(update_fields=["is_active", "updated_at"])
        changes.append(Change(kind, row.slug, Action.DEACTIVATED, ("is_active",)))
    return changes
