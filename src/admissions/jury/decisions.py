"""Entering and validating the jury's decisions: four eyes, quorum, conflicts, places, cap.

A member of the session enters a decision for a file on its agenda; entering it again before
publication replaces it (and undoes a validation). The president validates the decisions
others entered: never one they entered themselves, never one on a file they are in
conflict with, only with the rulebook's quorum sitting, and only when the admissions fit
in the programme's places and the derogatory-route cap. Once published, nothing changes a
decision: the attempt is refused and recorded in the file's history.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.history import record_event
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import JurySession
from admissions.core import faults
from admissions.core.errors import DomainError, NotAllowed, ValidationFailed
from admissions.jury.access import require_member, require_president
from admissions.jury.irrevocable import refuse_published
from admissions.jury.models import AgendaItem, Decision, SessionMember
from admissions.jury.places import (
    ADMITTING,
    check_capacity,
    check_derogation,
    is_derogatory,
    lock_programme,
)
from admissions.jury.sessions import in_conflict, is_closed
from admissions.people.models import User
from admissions.rules.jury import (
    DIPLOMA_ALREADY_OBTAINED,
    NO_DIPLOMA_IN_PROGRESS,
    diploma_mismatch,
    has_quorum,
    reason_missing,
)
from admissions.rules.vocabulary import JuryDecision


class ConflictOfInterestError(NotAllowed):
    code = "conflict_of_interest"


class QuorumError(DomainError):
    code = "no_quorum"
    http_status = 409


class FourEyesError(NotAllowed):
    code = "four_eyes"


class SessionClosedError(DomainError):
    code = "session_published"
    http_status = 409


class DiplomaConditionError(ValidationFailed):
    code = "diploma_condition"


def diploma_in_progress(application: Application) -> bool:
    """What the eligibility recorded at submission says: admission on condition of the diploma."""
    return bool((application.eligibility or {}).get("conditional_admission"))


def _diploma_message(code: str) -> str:
    if code == NO_DIPLOMA_IN_PROGRESS:
        return _(
            "Admission on condition is for a candidate whose entry diploma is still in "
            "progress; this candidate's diploma was recorded as obtained when the file was "
            "submitted: admit without condition."
        )
    if code == DIPLOMA_ALREADY_OBTAINED:
        return _(
            "You state that the diploma has been obtained: the admission is without condition."
        )
    return _(
        "This candidate's entry diploma was in progress when the file was submitted: admit on "
        "condition, or state that the diploma has been obtained since."
    )


@dataclass(frozen=True)
class Validated:
    validated: list[int]  # decision ids
    left_for_another: list[int]  # entered by the president: another member enters them


def _refuse_if_published(application: Application, *, by: User, via: str, attempted: str) -> None:
    """Record and refuse outside the change's transaction, so that the record stays."""
    refuse_published(
        Decision.objects.filter(application=application), via=via, by=by, attempted=attempted
    )


def enter_decision(
    application: Application,
    *,
    by: User,
    outcome: JuryDecision | str,
    reason: str = "",
    waitlist_rank: int | None = None,
    diploma_obtained: bool = False,
    via: str = "service",
) -> Decision:
    _refuse_if_published(application, by=by, via=via, attempted=str(outcome))
    item = AgendaItem.objects.select_related("session__campaign", "session__publication")
    agenda = item.filter(application=application).first()
    if agenda is None or application.status != Status.ON_AGENDA:
        raise ValidationFailed(_("This file is not on a jury's agenda."), code="not_on_agenda")
    session = agenda.session
    if is_closed(session):
        raise SessionClosedError(
            _("This session's decisions are published: the file waits for the next session.")
        )
    require_member(by, session, application)
    if in_conflict(application.pk, by.pk):
        raise ConflictOfInterestError(
            _("You declared a conflict of interest with this file: you cannot decide it.")
        )
    rules = session.campaign.rules.jury
    outcome = JuryDecision(outcome)
    if outcome not in rules.decisions:
        raise ValidationFailed(
            _("This institution's jury does not give that decision."), code="decision_not_given"
        )
    if reason_missing(outcome, reason, [str(d) for d in rules.reasons_required_for]):
        raise ValidationFailed(
            _("The rules ask for a reason for this decision."), code="reason_required"
        )
    in_progress = diploma_in_progress(application)
    mismatch = diploma_mismatch(
        outcome.value, diploma_in_progress=in_progress, stated_obtained=diploma_obtained
    )
    if mismatch is not None:
        raise DiplomaConditionError(_diploma_message(mismatch), details={"reason": mismatch})
    stated = True if in_progress and diploma_obtained and outcome in ADMITTING else None
    if outcome == JuryDecision.WAITLISTED:
        if waitlist_rank is None or waitlist_rank < 1:
            raise ValidationFailed(
                _("Give the file's rank on the waiting list (1 is first)."), code="rank_required"
            )
    else:
        waitlist_rank = None
    now = timezone.now()
    with transaction.atomic():
        # The programme's lock orders this decision with confirmations and other decisions.
        lock_programme(application.programme_id)
        if waitlist_rank is not None and _rank_taken(application, waitlist_rank):
            raise ValidationFailed(
                _("Rank %(rank)d is already given on this programme's waiting list.")
                % {"rank": waitlist_rank},
                code="rank_taken",
            )
        previous = Decision.objects.filter(application=application).first()
        fields = {
            "session": session,
            "outcome": outcome.value,
            "reason": reason.strip(),
            "waitlist_rank": waitlist_rank,
            "derogatory": is_derogatory(application),
            "diploma_obtained": stated,
            "entered_by": by,
            "entered_at": now,
            "validated_by": None,
            "validated_at": None,
        }
        if previous is None:
            decision = Decision.objects.create(application=application, **fields)
        else:
            for name, value in fields.items():
                setattr(previous, name, value)
            previous.save()
            decision = previous
        if outcome in ADMITTING:
            check_capacity(session.campaign, application.programme)
        record_event(
            application,
            action="jury.decision_entered",
            by=by,
            details={
                "session": session.slug,
                "decision": outcome.value,
                "reason": decision.reason,
                "rank": waitlist_rank,
                "replaces": previous_outcome(previous),
                **({"diploma_obtained": True} if stated else {}),
            },
        )
        faults.point("decision.before_commit")
    return decision


def previous_outcome(previous: Decision | None) -> str:
    return previous.outcome if previous is not None else ""


def _rank_taken(application: Application, rank: int) -> bool:
    return (
        Decision.objects.filter(
            session__campaign_id=application.campaign_id,
            application__programme_id=application.programme_id,
            outcome="waitlisted",
            waitlist_rank=rank,
        )
        .exclude(application=application)
        .exists()
    )


def sitting(session: JurySession) -> int:
    return SessionMember.objects.filter(session=session, present=True).count()


def validate_decisions(session: JurySession, *, by: User) -> Validated:
    """The president validates every decision others entered; all or none."""
    require_president(by, session)
    quorum = session.campaign.rules.jury.quorum
    present = sitting(session)
    if not has_quorum(present, quorum):
        raise QuorumError(
            _("The quorum is %(quorum)d members sitting; %(present)d sit.")
            % {"quorum": quorum, "present": present},
            details={"quorum": quorum, "present": present},
        )
    now = timezone.now()
    with transaction.atomic():
        waiting = list(
            Decision.objects.filter(
                session=session, validated_at__isnull=True, published_at__isnull=True
            ).select_related("application__programme")
        )
        mine = [d.pk for d in waiting if d.entered_by_id == by.pk]
        others = [d for d in waiting if d.entered_by_id != by.pk]
        conflicted = [d for d in others if in_conflict(d.application_id, by.pk)]
        if conflicted:
            raise ConflictOfInterestError(
                _(
                    "You declared a conflict of interest with %(files)s: another president "
                    "must validate the session."
                )
                % {"files": ", ".join(d.application.reference for d in conflicted)}
            )
        programmes = {d.application.programme_id: d.application.programme for d in others}
        for programme_id in sorted(programmes):
            lock_programme(programme_id)
        for programme in programmes.values():
            check_capacity(session.campaign, programme)
            check_derogation(session.campaign, programme)
        ids = [d.pk for d in others]
        Decision.objects.filter(pk__in=ids).update(validated_by=by, validated_at=now)
        for decision in others:
            record_event(
                decision.application,
                action="jury.decision_validated",
                by=by,
                details={"session": session.slug, "decision": decision.outcome},
            )
    return Validated(validated=ids, left_for_another=mine)
