"""An institution administrator changes the catalogue: what it affects, then the change itself.

A change is a new version of the campaign's rulebook, checked by the same validation as a
rulebook file (`rules.rulebook.validate_rulebook`) and written by the same loader
(`catalog.services.load_rulebook`), so the back office cannot make a catalogue that a file
could not describe. Drafts follow the new rules; files already submitted keep the version
they were sent under (`Application.rules`); each of them is told so in its history, and the
change is one audit row (`CatalogChange`). A deadline moved later is one recorded action
(`DeadlineExtension`) that emails the candidates it concerns.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from admissions.applications.deadline import facts_of
from admissions.applications.lifecycle import TERMINAL, Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import (
    Campaign,
    CatalogChange,
    DeadlineExtension,
    Institution,
)
from admissions.catalog.services import keep_version, load_rulebook
from admissions.core.errors import NotAllowed, ValidationFailed
from admissions.notify.file_emails import send_deadline_extended
from admissions.notify.overrides import editable_institutions
from admissions.people.models import User
from admissions.rules.international import in_group
from admissions.rules.rulebook import (
    LoadedRulebook,
    RulebookError,
    rulebook_warnings,
    validate_rulebook,
)
from admissions.rules.rulebook_diff import Difference, differences

RULES_CHANGED = "catalog.rules_changed"
DEADLINE_EXTENDED = "catalog.deadline_extended"
BATCH = 1000
STALE = "stale"  # the code of a change refused because the rules changed since it was read


def administered(user: User) -> QuerySet[Institution]:
    """The institutions whose catalogue `user` administers (all, for a platform administrator)."""
    return editable_institutions(user)


def may_administer(user: User, institution_id: int) -> bool:
    return administered(user).filter(pk=institution_id).exists()


def _require(user: User, campaign: Campaign) -> None:
    if not may_administer(user, campaign.institution_id):
        raise NotAllowed(_("Only the institution's administrators change its catalogue."))


@dataclass(frozen=True)
class Impact:
    """The files of a campaign a change reaches: drafts follow it, submitted files do not."""

    following: int  # drafts
    kept: int  # files submitted and still alive: they keep the rules they were sent under
    statuses: tuple[tuple[Status, int], ...] = ()

    def sentences(self) -> list[str]:
        return [
            ngettext(
                "%(count)d submitted file keeps the rules it was submitted under.",
                "%(count)d submitted files keep the rules they were submitted under.",
                self.kept,
            )
            % {"count": self.kept},
            ngettext(
                "%(count)d draft will follow the new ones.",
                "%(count)d drafts will follow the new ones.",
                self.following,
            )
            % {"count": self.following},
        ]


def impact_of(campaign: Campaign) -> Impact:
    rows = (
        Application.objects.filter(campaign=campaign)
        .exclude(status__in=TERMINAL)
        .values("status")
        .annotate(count=Count("id"))
        .order_by("status")
    )
    statuses = tuple((Status(row["status"]), int(row["count"])) for row in rows)
    following = sum(count for status, count in statuses if status == Status.DRAFT)
    kept = sum(count for status, count in statuses if status != Status.DRAFT)
    return Impact(following=following, kept=kept, statuses=statuses)


@dataclass(frozen=True)
class Proposal:
    """A change checked and measured, not saved."""

    loaded: LoadedRulebook
    differences: list[Difference]
    impact: Impact
    warnings: list[str] = field(default_factory=list)


def rulebook_data(campaign: Campaign) -> dict[str, Any]:
    """A copy of the campaign's rules to change."""
    return copy.deepcopy(campaign.rulebook)


def propose(campaign: Campaign, data: dict[str, Any]) -> Proposal:
    """Check the changed rules as a rulebook file is checked, and say what they change."""
    try:
        loaded = validate_rulebook(data, source=campaign.slug)
    except RulebookError as refused:
        raise ValidationFailed(
            _("The rules refuse this change."), details={"problems": refused.problems}
        ) from None
    if (loaded.rulebook.institution.slug, loaded.rulebook.campaign.slug) != (
        campaign.institution.slug,
        campaign.slug,
    ):
        raise ValidationFailed(_("A change cannot rename the institution or the campaign."))
    return Proposal(
        loaded=loaded,
        differences=differences(campaign.rulebook, loaded.data),
        impact=impact_of(campaign),
        # Only what this change brings: the rules' standing warnings are known already.
        warnings=[w for w in loaded.warnings if w not in rulebook_warnings(campaign.rules)],
    )


def apply_change(
    campaign: Campaign,
    data: dict[str, Any],
    *,
    by: User,
    kind: str,
    subject: str = "",
    based_on: str,
    extra: dict[str, Any] | None = None,
) -> CatalogChange:
    """Save the changed rules of `campaign`, read when its digest was `based_on`.

    Refused when someone saved another change in between: the form is shown again with what
    was typed, against the rules as they are now.
    """
    _require(by, campaign)
    proposal = propose(campaign, data)
    if not proposal.differences:
        raise ValidationFailed(_("Nothing was changed."))
    with transaction.atomic():
        locked = (
            Campaign.objects.select_for_update().select_related("institution").get(pk=campaign.pk)
        )
        if locked.rulebook_digest != based_on:
            raise ValidationFailed(
                _(
                    "Someone saved another change to these rules meanwhile. Check the values "
                    "below against the current rules, then save again."
                ),
                code=STALE,
            )
        keep_version(locked)  # the version submitted files keep, whatever loaded it
        load_rulebook(proposal.loaded)
        change = CatalogChange.objects.create(
            institution=locked.institution,
            campaign=locked,
            kind=kind,
            subject=subject,
            by=by,
            old_digest=based_on,
            new_digest=proposal.loaded.digest,
            details={
                "differences": [
                    {"path": item.path, "old": item.old, "new": item.new}
                    for item in proposal.differences
                ],
                "kept": proposal.impact.kept,
                "following": proposal.impact.following,
                **(extra or {}),
            },
        )
        _record_in_files(locked, change, by=by)
    campaign.refresh_from_db()
    campaign.__dict__.pop("rules", None)
    return change


def _living_files(campaign: Campaign) -> QuerySet[Application]:
    return Application.objects.filter(campaign=campaign).exclude(status__in=TERMINAL)


def _record_in_files(campaign: Campaign, change: CatalogChange, *, by: User) -> None:
    """Each file the change reaches says so in its history, drafts and submitted files apart."""
    files = _living_files(campaign).values_list("pk", "status").order_by("pk")
    details: dict[str, Any] = {"change": change.pk, "kind": change.kind}
    if change.kind == "deadline_extended":
        action = DEADLINE_EXTENDED
        details |= {key: change.details[key] for key in ("which", "old", "new", "reason")}
    else:
        action = RULES_CHANGED
    for batch in _batches(files.iterator(chunk_size=BATCH)):
        ApplicationEvent.objects.bulk_create(
            ApplicationEvent(
                application_id=pk,
                actor=by,
                action=action,
                details={**details, "kept": status != Status.DRAFT},
            )
            for pk, status in batch
        )


def _batches(rows: Iterator[tuple[int, str]]) -> Iterator[list[tuple[int, str]]]:
    batch: list[tuple[int, str]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def extend_deadline(
    campaign: Campaign,
    *,
    which: str,
    new_date: dt.date,
    reason: str,
    by: User,
) -> DeadlineExtension:
    """Move a deadline later in one recorded action and email the candidates it concerns.

    Concerned: the drafts of the campaign (for the international deadline, those of the
    candidates it binds), who can submit until the new day; submitted files are told in
    their history only.
    """
    _require(by, campaign)
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(_("Say why the deadline is extended: the candidates read it."))
    if which not in DeadlineExtension.Which.values:
        raise ValidationFailed(_("Choose the deadline to extend."))
    data = rulebook_data(campaign)
    dated = data["campaign"].get(which)
    if not dated:
        raise ValidationFailed(_("This campaign has no international deadline."))
    old_date = dt.date.fromisoformat(str(dated["date"]))
    if new_date <= old_date:
        raise ValidationFailed(
            _("The new deadline must be after the current one, %(day)s.")
            % {"day": formats.date_format(old_date, "DATE_FORMAT")}
        )
    closes_on = dt.date.fromisoformat(str(data["campaign"]["closes_on"]["date"]))
    if which == DeadlineExtension.Which.INTERNATIONAL and new_date > closes_on:
        raise ValidationFailed(
            _("The international deadline cannot be after the application deadline, %(day)s.")
            % {"day": formats.date_format(closes_on, "DATE_FORMAT")}
        )
    dated["date"] = new_date.isoformat()
    record = {"which": which, "old": old_date.isoformat(), "new": new_date.isoformat()}
    with transaction.atomic():
        change = apply_change(
            campaign,
            data,
            by=by,
            kind="deadline_extended",
            subject=which,
            based_on=campaign.rulebook_digest,
            extra={**record, "reason": reason},
        )
        extension = DeadlineExtension.objects.create(
            campaign=campaign,
            which=which,
            old_date=old_date,
            new_date=new_date,
            reason=reason,
            by=by,
            change=change,
        )
        for application in concerned_drafts(campaign, which):
            send_deadline_extended(
                application,
                event=f"deadline_extension:{extension.pk}:application:{application.pk}",
                deadline=new_date,
                previous=old_date,
                reason=reason,
            )
    return extension


def concerned_drafts(campaign: Campaign, which: str) -> list[Application]:
    drafts = (
        Application.objects.filter(campaign=campaign, status=Status.DRAFT)
        .select_related("candidate", "programme__institution")
        .order_by("pk")
    )
    if which != DeadlineExtension.Which.INTERNATIONAL:
        return list(drafts)
    group = campaign.rules.international.deadline_applies_to
    bound = []
    for application in drafts:
        facts = facts_of(application.candidate)
        if facts is not None and in_group(group, facts):
            bound.append(application)
    return bound


def changes_of(institution: Institution) -> QuerySet[CatalogChange]:
    return CatalogChange.objects.filter(institution=institution).select_related("by", "campaign")


def extensions_of(campaign_ids: Iterable[int]) -> dict[int, list[DeadlineExtension]]:
    """The last extension of each deadline of each campaign, for the candidate's pages."""
    found: dict[int, list[DeadlineExtension]] = {}
    seen: set[tuple[int, str]] = set()
    rows = DeadlineExtension.objects.filter(campaign_id__in=list(campaign_ids)).order_by(
        "campaign_id", "-at", "-id"
    )
    for extension in rows:
        if (extension.campaign_id, extension.which) not in seen:
            seen.add((extension.campaign_id, extension.which))
            found.setdefault(extension.campaign_id, []).append(extension)
    return found
