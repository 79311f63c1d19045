"""Charging what the rulebook asks of a file: confirmation amounts, tuition instalments.

The amounts come from `rules.fees` applied to the campaign's frozen rulebook, so a file is
always priced by the rules it was made under.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.models import Application
from admissions.catalog.models import Programme
from admissions.core.errors import NotAllowed
from admissions.payments import access, history, ledger
from admissions.payments.models import EntryKind, LedgerEntry
from admissions.people.models import User
from admissions.rules import fees, instalments
from admissions.rules.deadlines import paris_date
from admissions.rules.vocabulary import ChargeKind, Track


def amounts_to_confirm(application: Application) -> list[tuple[ChargeKind, int]]:
    """What the candidate pays to confirm a place: `confirmation.charges` priced for them.

    A kind that costs them nothing (no deposit on their track, no CVEC when a company
    pays) is left out; the first instalment is the first of the tuition plan.
    """
    return fees.confirmation_amounts(
        application.rules,
        programme=application.programme.slug,
        financing_mode=application.financing_mode,
        track=Track(application.track),
    )


def _charged_lines(application_id: int) -> set[tuple[str, int]]:
    return {
        (kind, instalment or 0)
        for kind, instalment in LedgerEntry.objects.filter(
            application_id=application_id, kind=EntryKind.CHARGE
        ).values_list("charge_kind", "instalment")
    }


def _ledger_line(kind: ChargeKind) -> tuple[ChargeKind, int | None]:
    # The first instalment is instalment 1 of the tuition line, whoever charges it first.
    if kind == ChargeKind.TUITION_FIRST_INSTALMENT:
        return ChargeKind.TUITION, 1
    return kind, None


def charge_confirmation_amounts(
    application: Application, *, by: User | None, today: dt.date | None = None
) -> list[LedgerEntry]:
    """Charge what confirming a place costs, once: a line already charged is left alone."""
    day = today or paris_date(timezone.now())
    created: list[LedgerEntry] = []
    with transaction.atomic():
        history.lock_application(application.pk)
        charged = _charged_lines(application.pk)
        for kind, cents in amounts_to_confirm(application):
            charge_kind, instalment = _ledger_line(kind)
            if (charge_kind.value, instalment or 0) in charged:
                continue
            created.append(
                ledger.charge(
                    application.pk,
                    charge_kind=charge_kind,
                    amount_cents=cents,
                    by=by,
                    instalment=instalment,
                    due_on=day,
                )
            )
    return created


def charge_confirmation_amounts_many(
    applications: list[Application], *, by: User | None, due_on: dict[int, dt.date]
) -> list[LedgerEntry]:
    """`charge_confirmation_amounts` for many files at once (a jury's publication): the same
    lines, each charged once, due on each file's day in `due_on`."""
    ids = [application.pk for application in applications]
    with transaction.atomic():
        # The programmes' rows before the files', as every move and money move takes them.
        list(
            Programme.objects.select_for_update(no_key=True)
            .filter(pk__in=Application.objects.filter(pk__in=ids).values("programme_id"))
            .order_by("pk")
            .values("pk")
        )
        list(Application.objects.select_for_update(of=("self",)).filter(pk__in=ids).values("pk"))
        charged: set[tuple[int, str, int]] = {
            (pk, kind, instalment or 0)
            for pk, kind, instalment in LedgerEntry.objects.filter(
                application_id__in=ids, kind=EntryKind.CHARGE
            ).values_list("application_id", "charge_kind", "instalment")
        }
        charges = []
        for application in applications:
            for kind, cents in amounts_to_confirm(application):
                charge_kind, instalment = _ledger_line(kind)
                if (application.pk, charge_kind.value, instalment or 0) in charged:
                    continue
                charges.append(
                    ledger.Charge(
                        application_id=application.pk,
                        charge_kind=charge_kind,
                        amount_cents=cents,
                        instalment=instalment,
                        due_on=due_on[application.pk],
                    )
                )
        return ledger.charge_many(charges, by=by)


def charge_tuition(
    application: Application,
    *,
    by: User | None,
    registered_on: dt.date | None = None,
    starts_on: dt.date | None = None,
) -> list[LedgerEntry]:
    """Charge the tuition instalments (and the CVEC when it applies) not charged yet.

    The first instalment is due on the registration day; the others fall over the programme
    from its start date (the rulebook's `starts_on`, else the registration day).
    """
    rules = application.rules
    programme = application.programme.slug
    mode = application.financing_mode
    registered = registered_on or paris_date(timezone.now())
    start = starts_on or rules.programme(programme).starts_on or registered
    plan = fees.tuition_schedule(rules, programme=programme, financing_mode=mode)
    dates = instalments.due_dates(plan, starts_on=start, first_due_on=registered)
    created: list[LedgerEntry] = []
    with transaction.atomic():
        history.lock_application(application.pk)
        charged = _charged_lines(application.pk)
        for instalment, due_on in zip(plan, dates, strict=True):
            if (ChargeKind.TUITION.value, instalment.number) in charged:
                continue
            created.append(
                ledger.charge(
                    application.pk,
                    charge_kind=ChargeKind.TUITION,
                    amount_cents=instalment.amount_cents,
                    by=by,
                    instalment=instalment.number,
                    due_on=due_on,
                )
            )
        cvec = fees.cvec_cents(rules, financing_mode=mode)
        if cvec and (ChargeKind.CVEC.value, 0) not in charged:
            created.append(
                ledger.charge(
                    application.pk,
                    charge_kind=ChargeKind.CVEC,
                    amount_cents=cvec,
                    by=by,
                    due_on=registered,
                )
            )
    return created


def plan_tuition(
    application: Application,
    *,
    by: User,
    registered_on: dt.date | None = None,
    starts_on: dt.date | None = None,
) -> list[LedgerEntry]:
    """A finance officer charges a file's tuition plan (the file's finance page, the API):
    the instalments not charged yet; none when they all were."""
    if not access.can_handle_money(by, application):
        raise NotAllowed(_("You may not handle money on this programme."))
    return charge_tuition(application, by=by, registered_on=registered_on, starts_on=starts_on)
