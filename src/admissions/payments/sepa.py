"""SEPA direct debits of tuition instalments: one pain.008 file per collection date.

An instalment is collected when it is due on or before the collection date, still owed,
and its file has an active mandate and is still going on. Exporting the file records each
debit as a payment (the bank collects it on the date unless the debtor's bank returns it);
a returned debit is recorded later as a reversal of that payment.

The file is written by sepaxml in pain.008.001.02 (CORE), which every French bank accepts,
and validated against that schema before it is stored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.lifecycle import TERMINAL
from admissions.applications.models import Application
from admissions.catalog.models import Institution, without_rulebooks
from admissions.payments import history, ledger
from admissions.payments.errors import IllegalMoveError, InvalidBankDetails, NothingToPayError
from admissions.payments.ledger import ChargeLine
from admissions.payments.models import (
    DebitBatch,
    DebitItem,
    DebitStatus,
    EntryKind,
    LedgerEntry,
    Mandate,
    MandateStatus,
    Method,
    SepaCreditor,
)
from admissions.people.models import User
from admissions.rules.deadlines import paris_date
from admissions.rules.vocabulary import ChargeKind, PaymentMethod

SCHEMA = "pain.008.001.02"
_CREDITOR_ID = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{3}[A-Z0-9]{1,28}$")


def creditor_id_is_valid(value: str) -> bool:
    """A SEPA creditor identifier (ICS): country, check digits, business code, national id.

    The check digits are computed like an IBAN's over the national id and the country,
    leaving out the business code (usually "ZZZ").
    """
    text = value.replace(" ", "").upper()
    if not _CREDITOR_ID.fullmatch(text):
        return False
    country, digits, national = text[:2], text[2:4], text[7:]
    number = int("".join(str(int(char, 36)) for char in national + country + "00"))
    return f"{98 - number % 97:02d}" == digits


def set_creditor_id(institution: Institution, creditor_id: str, *, by: User) -> SepaCreditor:
    text = creditor_id.replace(" ", "").upper()
    if not creditor_id_is_valid(text):
        raise InvalidBankDetails(
            _("This SEPA creditor identifier is not valid (e.g. FR72ZZZ123456)."),
            details={"field": "creditor_id"},
        )
    creditor, _created = SepaCreditor.objects.update_or_create(
        institution=institution, defaults={"creditor_id": text}
    )
    return creditor


@dataclass(frozen=True)
class DueDebit:
    application: Application
    mandate: Mandate
    line: ChargeLine

    @property
    def amount_cents(self) -> int:
        return self.line.outstanding


def _going_on(application: Application) -> bool:
    return application.status not in TERMINAL


def _debit_allowed(application: Application) -> bool:
    plan = application.rules.payment_plan
    return plan is not None and PaymentMethod.SEPA_DIRECT_DEBIT in plan.methods


def due_debits(institution: Institution, collection_date: dt.date) -> list[DueDebit]:
    """The instalments to collect on `collection_date`, in a constant number of queries."""
    charges = (
        LedgerEntry.objects.filter(
            kind=EntryKind.CHARGE,
            charge_kind=ChargeKind.TUITION,
            due_on__lte=collection_date,
            application__programme__institution=institution,
            application__mandates__status=MandateStatus.ACTIVE,
        )
        .select_related("application__campaign", "application__programme")
        .defer(*without_rulebooks("application__campaign"))
        .order_by("application_id", "instalment", "id")
    )
    applications: dict[int, Application] = {}
    wanted: dict[int, set[str]] = defaultdict(set)
    for charge in charges:
        applications[charge.application_id] = charge.application
        wanted[charge.application_id].add(ChargeLine(charge.charge_kind, charge.instalment).key)
    mandates = {
        mandate.application_id: mandate
        for mandate in Mandate.objects.filter(
            application_id__in=list(applications), status=MandateStatus.ACTIVE
        )
    }
    all_lines = ledger.lines_for(list(applications))
    due: list[DueDebit] = []
    for application_id, application in applications.items():
        if not _going_on(application) or not _debit_allowed(application):
            continue
        for key in sorted(wanted[application_id]):
            line = all_lines[application_id][key]
            if line.outstanding > 0:
                due.append(DueDebit(application, mandates[application_id], line))
    return due


def upcoming_collections(
    institution: Institution, *, today: dt.date
) -> list[tuple[dt.date, int, int]]:
    """(collection date, number of debits, total cents) for every date with debits to send.

    An instalment already past due is collected on the first possible date, tomorrow.
    """
    earliest = today + dt.timedelta(days=1)
    totals: dict[dt.date, tuple[int, int]] = {}
    for debit in due_debits(institution, dt.date.max):
        day = max(debit.line.due_on or earliest, earliest)
        count, total = totals.get(day, (0, 0))
        totals[day] = (count + 1, total + debit.amount_cents)
    return [(day, count, total) for day, (count, total) in sorted(totals.items())]


def _clean_id(text: str, limit: int) -> str:
    return re.sub(r"[^A-Za-z0-9-]", "", text)[:limit]


def _end_to_end_id(debit: DueDebit) -> str:
    before = DebitItem.objects.filter(
        application=debit.application,
        charge_kind=debit.line.charge_kind,
        instalment=debit.line.instalment,
    ).count()
    return _clean_id(
        f"{debit.application.reference}-T{debit.line.instalment or 0}-{before + 1}", 35
    )


def export_batch(
    institution: Institution, collection_date: dt.date, *, by: User, today: dt.date | None = None
) -> DebitBatch:
    """Write the pain.008 file of `collection_date` and record its debits as payments."""
    from sepaxml import SepaDD
    from sepaxml.validation import ValidationError as SepaValidationError

    day = today or paris_date(timezone.now())
    if collection_date <= day:
        raise IllegalMoveError(
            _("The collection date must be after today."), code="collection_date_past"
        )
    bank = institution.rules.bank_account
    with transaction.atomic():
        # The creditor row is the institution's lock: two exports never pick the same
        # instalments.
        creditor = SepaCreditor.objects.select_for_update().filter(institution=institution).first()
        if creditor is None or bank is None:
            raise IllegalMoveError(
                _("Set the institution's SEPA creditor identifier and bank account first."),
                code="creditor_missing",
            )
        debits = due_debits(institution, collection_date)
        if not debits:
            raise NothingToPayError(_("No instalment is due for this date."))
        first_time = set(
            DebitItem.objects.filter(
                mandate__in=[debit.mandate for debit in debits], status=DebitStatus.SUBMITTED
            ).values_list("mandate_id", flat=True)
        )
        document = SepaDD(
            {
                "name": bank.holder,
                "IBAN": bank.iban,
                "BIC": bank.bic,
                "batch": True,
                "creditor_id": creditor.creditor_id,
                "currency": "EUR",
            },
            schema=SCHEMA,
            clean=True,
        )
        planned: list[tuple[DueDebit, str, str]] = []
        for debit in debits:
            sequence = "RCUR" if debit.mandate.pk in first_time else "FRST"
            first_time.add(debit.mandate.pk)
            end_to_end = _end_to_end_id(debit)
            payment: dict[str, object] = {
                "name": debit.mandate.holder,
                "IBAN": debit.mandate.iban,
                "amount": debit.amount_cents,
                "type": sequence,
                "collection_date": collection_date,
                "mandate_id": debit.mandate.reference,
                "mandate_date": debit.mandate.signed_on,
                "description": f"{debit.application.reference} {debit.line.label}"[:140],
                "endtoend_id": end_to_end,
            }
            if debit.mandate.bic:
                payment["BIC"] = debit.mandate.bic
            document.add_payment(payment)
            planned.append((debit, sequence, end_to_end))
        try:
            xml = document.export(validate=True)
        except SepaValidationError:
            raise InvalidBankDetails(
                _("The direct-debit file does not pass the SEPA schema; check the bank details.")
            ) from None
        batch = DebitBatch.objects.create(
            institution=institution,
            collection_date=collection_date,
            message_id=document.msg_id[:35],
            document=xml.decode("utf-8"),
            transactions=len(planned),
            total_cents=sum(debit.amount_cents for debit, _s, _e in planned),
            created_by=by,
        )
        for debit, sequence, end_to_end in planned:
            entry = ledger.record_payment(
                debit.application.pk,
                charge_kind=ChargeKind(debit.line.charge_kind),
                instalment=debit.line.instalment,
                amount_cents=debit.amount_cents,
                method=Method.SEPA_DIRECT_DEBIT,
                by=by,
                external_id=f"sepa:{end_to_end}",
                reference=debit.mandate.reference,
                note=_("Direct debit of %(date)s") % {"date": collection_date.isoformat()},
            )
            DebitItem.objects.create(
                batch=batch,
                mandate=debit.mandate,
                application=debit.application,
                charge_kind=debit.line.charge_kind,
                instalment=debit.line.instalment,
                amount_cents=debit.amount_cents,
                end_to_end_id=end_to_end,
                sequence_type=sequence,
                payment=entry,
            )
            history.record(
                debit.application,
                action="payment.debit_submitted",
                by=by,
                details={
                    "batch": batch.message_id,
                    "end_to_end_id": end_to_end,
                    "collection_date": collection_date.isoformat(),
                    "amount_cents": debit.amount_cents,
                },
            )
    return batch


def reject_debit(item: DebitItem, *, reason: str, by: User) -> DebitItem:
    """The debtor's bank returned the debit: reverse its payment, once."""
    reason = reason.strip()
    if not reason:
        raise IllegalMoveError(
            _("Give the bank's reason for the rejection."), code="reason_required"
        )
    with transaction.atomic():
        locked = DebitItem.objects.select_for_update().get(pk=item.pk)
        if locked.status != DebitStatus.SUBMITTED:
            raise IllegalMoveError(
                _("This debit is already marked as rejected."), code="already_rejected"
            )
        reversal = ledger.reverse_payment(locked.payment, by=by, note=reason)
        locked.status = DebitStatus.REJECTED
        locked.rejection_reason = reason[:140]
        locked.rejected_at = timezone.now()
        locked.reversal = reversal
        locked.save(update_fields=["status", "rejection_reason", "rejected_at", "reversal"])
        history.record(
            history.lock_application(locked.application_id),
            action="payment.debit_rejected",
            by=by,
            details={"end_to_end_id": locked.end_to_end_id, "reason": locked.rejection_reason},
        )
    return locked
