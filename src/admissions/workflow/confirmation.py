"""Confirming or declining an offered place, and releasing the places not confirmed in time.

An admitted file owes what the rulebook's `confirmation.charges` price for it; those amounts
are charged once, when the file becomes admitted, by the receiver of `status_changed`
(whatever moved it: a jury's publication, a call from the waiting list, a demonstration).
The candidate confirms within `confirmation.window_days` days, once every one of those
amounts is paid or written off. What follows the window is the rulebook's
`confirmation.after_window`: `lapse_overdue` releases at once the places of the rulebooks
that say so; where a place is released only when someone waits for it, the waiting list
(`workflow.waitlist`) releases it; where it is kept, the office releases it
(`release_place`). Until then the candidate may still confirm (`rules.places.may_confirm`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from admissions.applications.errors import NotYourApplicationError
from admissions.applications.history import transition
from admissions.applications.lifecycle import MOVES, Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.applications.signals import Moved, status_changed, statuses_changed
from admissions.catalog.models import without_rulebooks
from admissions.core import faults
from admissions.core.errors import DomainError, NotAllowed
from admissions.documents.status import application_checklist, checklist_with_states
from admissions.notify.decision_emails import (
    confirmation_opened,
    send_confirmation_opened,
    send_many,
    send_place_confirmed,
    send_place_released,
)
from admissions.payments import ledger, services
from admissions.payments.models import CHARGE_LABELS
from admissions.people.models import Role, User
from admissions.people.permissions import can_act_on_programme
from admissions.rules import deadlines
from admissions.rules.places import may_confirm, window_end
from admissions.rules.vocabulary import AfterWindow, ChargeKind, FeeDue
from admissions.workflow.places import (
    ADMITTING_ACTIONS,
    OFFERED,
    ProgrammeFullError,
    count_places,
    full_message,
    lock_programme,
    policy_of,
)

logger = logging.getLogger(__name__)

# The confirming move of each admitted status: a condition stays on the confirmed place.
CONFIRM_MOVES = {
    Status.ADMITTED: "confirm",
    Status.ADMITTED_CONDITIONALLY: "confirm_conditionally",
}
ADMITTED = OFFERED
CONFIRMED = frozenset({Status.CONFIRMED, Status.CONFIRMED_CONDITIONALLY})
# Who may release a place kept after its window.
RELEASERS = (Role.ADMISSIONS_OFFICER, Role.INSTITUTION_ADMIN)


class NotAdmittedError(DomainError):
    code = "not_admitted"
    http_status = 409


class ConfirmationWindowClosedError(DomainError):
    code = "confirmation_window_closed"
    http_status = 409


class PlaceNotOverdueError(DomainError):
    code = "place_not_overdue"
    http_status = 409


class ConfirmationDocumentsMissingError(DomainError):
    """A piece due to confirm (the CVEC attestation) is not in; `details` lists the codes."""

    code = "confirmation_documents_missing"
    http_status = 409


class ConfirmationUnpaidError(DomainError):
    """Some confirmation amount is still owed; `details` lists the kinds."""

    code = "confirmation_unpaid"
    http_status = 409


@dataclass(frozen=True)
class AmountToConfirm:
    charge_kind: str  # the rulebook's kind: deposit, tuition_first_instalment, cvec
    label: str
    amount_cents: int
    charged: bool
    outstanding_cents: int

    @property
    def paid(self) -> bool:
        """Paid or written off: nothing is owed on a line that was charged."""
        return self.charged and self.outstanding_cents <= 0


@dataclass(frozen=True)
class ConfirmationState:
    deadline: dt.datetime  # UTC; the first instant that is too late
    is_open: bool
    amounts: list[AmountToConfirm]
    confirm_action: str
    wording: str  # the rulebook's words on confirming, in the page's language
    after_window: AfterWindow = AfterWindow.RELEASE_AT_ONCE
    # Pieces due to confirm (documents due "confirmation") not sent yet: (code, label).
    missing: tuple[tuple[str, str], ...] = ()

    @property
    def last_day(self) -> dt.date:
        return last_day(self.deadline)

    @property
    def all_paid(self) -> bool:
        return all(amount.paid for amount in self.amounts)

    @property
    def still_possible(self) -> bool:
        """The window is over, and the rulebook lets the candidate confirm for now."""
        return not self.is_open and self.after_window != AfterWindow.RELEASE_AT_ONCE

    @property
    def can_confirm(self) -> bool:
        return (self.is_open or self.still_possible) and self.all_paid and not self.missing


def _ledger_line(kind: ChargeKind) -> tuple[ChargeKind, int | None]:
    # How payments books it: the first instalment is instalment 1 of the tuition line.
    if kind == ChargeKind.TUITION_FIRST_INSTALMENT:
        return ChargeKind.TUITION, 1
    return kind, None


def admitted_at(application: Application) -> dt.datetime:
    """When the place was offered: the last admitting move, else the last change of status."""
    moment = (
        application.events.filter(action__in=ADMITTING_ACTIONS)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    return moment or application.status_changed_at


def confirmation_deadline(
    application: Application, *, offered_at: dt.datetime | None = None
) -> dt.datetime:
    """The end of the N-th day after the offer, in Paris (`confirmation.window_days`)."""
    days = application.rules.confirmation.window_days
    offered = admitted_at(application) if offered_at is None else offered_at
    return window_end(offered, days)


def last_day(deadline: dt.datetime) -> dt.date:
    """The Paris day a deadline ends (a deadline is the first instant after that day)."""
    return deadlines.paris_date(deadline - dt.timedelta(microseconds=1))


def confirmation_state(
    application: Application, *, now: dt.datetime | None = None
) -> ConfirmationState | None:
    """Where the confirmation of an admitted file stands; None for any other status."""
    status = Status(application.status)
    if status not in ADMITTED:
        return None
    moment = now or timezone.now()
    deadline = confirmation_deadline(application)
    lines = {line.key: line for line in ledger.lines(application.pk)}
    amounts = []
    for kind, cents in services.amounts_to_confirm(application):
        charge_kind, instalment = _ledger_line(kind)
        line = lines.get(f"{charge_kind.value}:{instalment or 0}")
        amounts.append(
            AmountToConfirm(
                charge_kind=kind.value,
                label=str(CHARGE_LABELS.get(kind.value, kind.value)),
                amount_cents=line.charged if line else cents,
                charged=line is not None and line.charged > 0,
                outstanding_cents=line.outstanding if line else cents,
            )
        )
    return ConfirmationState(
        deadline=deadline,
        is_open=moment < deadline,
        amounts=amounts,
        confirm_action=CONFIRM_MOVES[status],
        wording=application.rules.confirmation.wording.get(get_language() or "fr"),
        after_window=policy_of(application.campaign),
        missing=tuple(missing_to_confirm(application)),
    )


def missing_to_confirm(application: Application) -> list[tuple[str, str]]:
    """The pieces the candidate sends to confirm (due "confirmation"), not in yet."""
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    due = [
        item
        for item in application_checklist(application)
        if item.provided_by == "candidate" and item.due == FeeDue.CONFIRMATION
    ]
    if not due:
        return []
    return [
        (row.code, row.item.label.get(language))
        for row in checklist_with_states(application, due)
        if not row.satisfied
    ]


def charge_on_admission(application_id: int) -> int:
    """Charge what confirming costs an admitted file; returns how many lines were charged.

    Safe to call again (a publication replayed, a file admitted from the waiting list after
    an earlier offer): payments charges a line only once.
    """
    application = (
        Application.objects.select_related("campaign", "programme")
        .defer(*without_rulebooks("campaign"))
        .get(pk=application_id)
    )
    if Status(application.status) not in ADMITTED:
        return 0
    # Due by the last day of the window, so no collection takes it earlier.
    due_on = last_day(confirmation_deadline(application))
    with transaction.atomic():
        charged = services.charge_confirmation_amounts(application, by=None, today=due_on)
        send_confirmation_opened(
            application,
            event=f"offer:{application.pk}:{admitted_at(application).isoformat()}",
            confirm_by=due_on,
            amounts=[
                (CHARGE_LABELS[kind.value], cents)
                for kind, cents in services.amounts_to_confirm(application)
            ],
        )
    return len(charged)


def charge_on_admission_many(application_ids: list[int]) -> int:
    """`charge_on_admission` for many files at once (a jury's publication): the same lines
    and emails, in a number of queries that does not grow with the files."""
    applications = list(
        Application.objects.select_related(
            "campaign", "programme__institution", "programme__site", "candidate"
        )
        .defer(*without_rulebooks("campaign", "programme__institution"))
        .filter(pk__in=application_ids, status__in=list(ADMITTED))
        .order_by("pk")
    )
    if not applications:
        return 0
    offered = dict(
        ApplicationEvent.objects.filter(
            application_id__in=[a.pk for a in applications], action__in=ADMITTING_ACTIONS
        )
        .values("application_id")
        .annotate(last=Max("at"))
        .values_list("application_id", "last")
    )
    moments = {a.pk: offered.get(a.pk) or a.status_changed_at for a in applications}
    due = {a.pk: last_day(confirmation_deadline(a, offered_at=moments[a.pk])) for a in applications}
    with transaction.atomic():
        charged = services.charge_confirmation_amounts_many(applications, by=None, due_on=due)
        send_many(
            [
                (
                    "confirmation_opened",
                    confirmation_opened(
                        application,
                        event=f"offer:{application.pk}:{moments[application.pk].isoformat()}",
                        confirm_by=due[application.pk],
                        amounts=[
                            (CHARGE_LABELS[kind.value], cents)
                            for kind, cents in services.amounts_to_confirm(application)
                        ],
                    ),
                )
                for application in applications
            ]
        )
    return len(charged)


def _charge_when_admitted(
    sender: Any, *, application_id: int, to_status: str, **kwargs: Any
) -> None:
    if kwargs.get("in_bulk"):
        return  # `_charge_many_when_admitted` did it for the whole batch
    if to_status in ADMITTED:
        charge_on_admission(application_id)


def _charge_many_when_admitted(sender: Any, *, moves: list[Moved], **kwargs: Any) -> None:
    admitted = [moved.application_id for moved in moves if moved.to_status in ADMITTED]
    if admitted:
        charge_on_admission_many(admitted)


def connect() -> None:
    status_changed.connect(_charge_when_admitted, dispatch_uid="confirmation.charge_on_admission")
    statuses_changed.connect(
        _charge_many_when_admitted, dispatch_uid="confirmation.charge_on_admission_many"
    )


def _locked(application: Application) -> Application:
    return (
        # Only the file's row: the campaign's and programme's rows are read, not held.
        Application.objects.select_for_update(of=("self",))
        .select_related("campaign", "programme")
        .defer(*without_rulebooks("campaign"))
        .get(pk=application.pk)
    )


def _own(application: Application, by: User) -> None:
    if application.candidate_id != by.pk:
        raise NotYourApplicationError(_("Only the candidate can answer the offer of a place."))


def confirm_place(
    application: Application, *, by: User, now: dt.datetime | None = None
) -> Application:
    """Confirm the offered place: the candidate, every amount settled, within the window (or
    after it while the rulebook still allows), while the programme has a place left.

    Confirming a place already confirmed changes nothing and writes no second event.
    """
    moment = now or timezone.now()
    with transaction.atomic():
        programme = lock_programme(application.programme_id)
        locked = _locked(application)
        _own(locked, by)
        status = Status(locked.status)
        if status in CONFIRMED:
            application.refresh_from_db()
            return application
        state = confirmation_state(locked, now=moment)
        if state is None:
            raise NotAdmittedError(
                _("This application has no place to confirm (status: %(status)s).")
                % {"status": status.label}
            )
        if not state.is_open and not state.still_possible:
            raise _window_closed(state)
        unpaid = [amount for amount in state.amounts if not amount.paid]
        if unpaid:
            raise ConfirmationUnpaidError(
                _("Pay what confirming costs before you confirm: %(amounts)s.")
                % {"amounts": ", ".join(amount.label for amount in unpaid)},
                details={"unpaid": [amount.charge_kind for amount in unpaid]},
            )
        if state.missing:
            raise ConfirmationDocumentsMissingError(
                _("Send what confirming asks before you confirm: %(documents)s.")
                % {"documents": ", ".join(label for _code, label in state.missing)},
                details={"missing": [code for code, _label in state.missing]},
            )
        places = count_places(programme, locked.campaign, now=moment)
        if not may_confirm(state.after_window, places, overdue=not state.is_open):
            if places.confirmed >= places.capacity:
                raise ProgrammeFullError(
                    full_message(programme.capacity), details={"capacity": programme.capacity}
                )
            raise _window_closed(state, needed=True)
        details = None if state.is_open else {"after_window": True}
        transition(locked, action=state.confirm_action, by=by, details=details)
        send_place_confirmed(locked, event=f"application:{locked.pk}:confirmed")
        faults.point("confirmation.before_commit")
    application.refresh_from_db()
    return application


def _window_closed(state: ConfirmationState, *, needed: bool = False) -> DomainError:
    day = formats.date_format(last_day(state.deadline), "DATE_FORMAT")
    if needed:
        message = _(
            "The time to confirm this place ended at midnight on %(day)s (Paris time), and "
            "the places left are now offered to candidates on the waiting list."
        )
    else:
        message = _("The time to confirm this place ended at midnight on %(day)s (Paris time).")
    return ConfirmationWindowClosedError(
        message % {"day": day}, details={"deadline": state.deadline.isoformat()}
    )


def decline_place(application: Application, *, by: User, reason: str = "") -> Application:
    """Give up the offered place (or the place on the waiting list); declining twice is one."""
    with transaction.atomic():
        # The programme's row first, as every move of a place: then the file's.
        lock_programme(application.programme_id)
        locked = _locked(application)
        _own(locked, by)
        status = Status(locked.status)
        if status == Status.DECLINED:
            application.refresh_from_db()
            return application
        if status not in MOVES["decline"].sources:
            raise NotAdmittedError(
                _("This application has no place to decline (status: %(status)s).")
                % {"status": status.label}
            )
        details = {"reason": reason.strip()} if reason.strip() else None
        transition(locked, action="decline", by=by, details=details)
    application.refresh_from_db()
    return application


def _release(locked: Application, deadline: dt.datetime, *, by: User | None, why: str) -> None:
    transition(
        locked, action="lapse", by=by, details={"deadline": deadline.isoformat(), "why": why}
    )
    send_place_released(
        locked, event=f"application:{locked.pk}:lapsed", confirm_by=last_day(deadline)
    )


def release_overdue(application_id: int, *, why: str, now: dt.datetime) -> bool:
    """Release one offer whose window is over, on its locked row; False if it moved on."""
    locked = _locked(Application(pk=application_id))
    if Status(locked.status) not in ADMITTED:
        return False
    deadline = confirmation_deadline(locked)
    if now < deadline:
        return False
    _release(locked, deadline, by=None, why=why)
    return True


def lapse_overdue(now: dt.datetime | None = None) -> list[str]:
    """Release the offers whose window has closed, where the rulebook releases them at once;
    returns their references.

    A periodic job: each file is decided again on its locked row, so a candidate confirming
    at the same moment wins or loses cleanly, and a second run finds nothing to do.
    """
    moment = now or timezone.now()
    lapsed: list[str] = []
    # Admitted files are few (a campaign's offers); each is decided in its own transaction.
    admitted = Application.objects.filter(status__in=list(ADMITTED)).order_by("pk")
    for pk, programme_id in list(admitted.values_list("pk", "programme_id")):
        with transaction.atomic():
            # The programme first, as every service that takes a place (see `places`).
            lock_programme(programme_id)
            locked = _locked(Application(pk=pk))
            if policy_of(locked.campaign) != AfterWindow.RELEASE_AT_ONCE:
                continue
            if release_overdue(pk, why="window_over", now=moment):
                lapsed.append(locked.reference)
    if lapsed:
        logger.info("released %d places not confirmed in time", len(lapsed))
    return lapsed


def release_place(
    application: Application, *, by: User, now: dt.datetime | None = None
) -> Application:
    """The office releases a place not confirmed in time (kept by the rulebook until then)."""
    moment = now or timezone.now()
    if not can_act_on_programme(by, application.programme_id, RELEASERS):
        raise NotAllowed(_("You may not release places of this programme."))
    with transaction.atomic():
        lock_programme(application.programme_id)
        locked = _locked(application)
        if Status(locked.status) not in ADMITTED:
            raise NotAdmittedError(
                _("This application has no offered place to release (status: %(status)s).")
                % {"status": Status(locked.status).label}
            )
        deadline = confirmation_deadline(locked)
        if moment < deadline:
            raise PlaceNotOverdueError(
                _("The candidate has until midnight on %(day)s (Paris time) to confirm.")
                % {"day": formats.date_format(last_day(deadline), "DATE_FORMAT")},
                details={"deadline": deadline.isoformat()},
            )
        _release(locked, deadline, by=by, why="released_by_staff")
    application.refresh_from_db()
    return application
