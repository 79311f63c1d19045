"""Staff record an application fee paid outside the platform."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from admissions.applications.history import record_event
from admissions.applications.models import Application
from admissions.catalog.models import without_rulebooks
from admissions.core.errors import NotAllowed
from admissions.payments import ledger
from admissions.payments.models import Method
from admissions.people.models import Role, User
from admissions.people.permissions import can_act_on_programme
from admissions.rules.vocabulary import ChargeKind
from admissions.workflow.drafts import application_fee_cents

# Staff roles that may record an application fee as paid.
FEE_RECORDERS = (Role.FINANCE_OFFICER, Role.ADMISSIONS_OFFICER, Role.INSTITUTION_ADMIN)


def mark_fee_paid(application: Application, *, by: User, note: str = "") -> bool:
    """Staff record that the application fee was paid outside the platform.

    Charges the rulebook's fee first if it was never charged. Returns False when the fee was
    already settled (nothing recorded).
    """
    if not can_act_on_programme(by, application.programme_id, FEE_RECORDERS):
        raise NotAllowed(_("You may not record payments for this programme."))
    with transaction.atomic():
        locked = (
            Application.objects.select_for_update(of=("self",))
            .select_related("campaign")
            .defer(*without_rulebooks("campaign"))
            .get(pk=application.pk)
        )
        status = ledger.fee_status(locked.pk)
        if status in (ledger.FeeStatus.PAID, ledger.FeeStatus.WAIVED):
            return False
        if status == ledger.FeeStatus.NOT_CHARGED:
            fee = application_fee_cents(locked.campaign)
            if fee <= 0:
                return False
            ledger.charge(
                locked.pk,
                charge_kind=ChargeKind.APPLICATION_FEE,
                amount_cents=fee,
                by=by,
                reference=locked.reference,
            )
        due = ledger.balance_cents(locked.pk, ChargeKind.APPLICATION_FEE)
        ledger.record_payment(
            locked.pk,
            charge_kind=ChargeKind.APPLICATION_FEE,
            amount_cents=due,
            method=Method.RECORDED_BY_STAFF,
            by=by,
            reference=locked.reference,
            note=note,
        )
        record_event(
            locked,
            action="application.fee_marked_paid",
            by=by,
            details={"amount_cents": due, "note": note},
        )
    return True
