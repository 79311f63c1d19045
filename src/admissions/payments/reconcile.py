"""Importing a camt.053 statement: match each transfer received to its charge.

A transfer is matched by the RF creditor reference it quotes (structured field first, then
the free text) and its amount is compared with what is still owed on that charge line.
Each bank transaction is imported once per institution, known by its identity (everything
it says, see `camt053`): importing the same statement again, or a later one that repeats
transactions, changes nothing for those already seen, and a transaction that only shares
the bank's reference with another is still recorded.

A transfer the bank sends back (a debit quoting a charge's reference, with or without the
reversal indicator) reverses the bank-transfer payment of that amount on that charge: the
charge is owed again, and the file's history says so.

A statement is imported only into the institution whose account it is for.
"""

from __future__ import annotations

import hashlib
from collections import Counter as Tally
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admissions.catalog.models import Institution
from admissions.payments import camt053, ledger
from admissions.payments.errors import LedgerError, StatementRefused
from admissions.payments.models import (
    BankStatement,
    BankStatementEntry,
    EntryKind,
    IssueKind,
    LedgerEntry,
    Method,
    Outcome,
    RefundRequest,
    RefundStatus,
)
from admissions.payments.settlement import raise_issue, settle
from admissions.people.models import User
from admissions.rules import creditor_reference

_CAMT_MESSAGES = {
    "too_large": gettext_lazy("The file is too large for a bank statement."),
    "not_xml": gettext_lazy(
        "The file is not readable XML (or contains declarations that are refused)."
    ),
    "not_camt053": gettext_lazy("The file is not an ISO 20022 camt.053 bank statement."),
    "no_statement": gettext_lazy("The file holds no statement."),
    "several_statements": gettext_lazy(
        "The file holds several statements; import them one by one."
    ),
    "bad_amount": gettext_lazy("The statement has an amount that cannot be read."),
    "bad_date": gettext_lazy("The statement has a date that cannot be read."),
    "entry_without_amount": gettext_lazy("The statement has an entry without an amount."),
}
REVERSAL_NOTE = gettext_lazy("Transfer returned by the bank (statement %(statement)s)")


def external_id(institution: Institution, identity: str) -> str:
    return f"camt:{institution.pk}:{identity}"[:120]


def _check_account(institution: Institution, statement: camt053.Statement) -> None:
    """Refuse a statement unless it names the institution's own account."""
    bank = institution.rules.bank_account
    if bank is None:
        raise StatementRefused(
            _(
                "%(institution)s has no bank account in its rulebook: no statement can be "
                "matched to it."
            )
            % {"institution": institution.name},
            code="no_account",
        )
    given = statement.iban or statement.account_other
    if not given:
        raise StatementRefused(
            _(
                "This statement does not say which account it is for, so it cannot be "
                "matched to %(institution)s's account."
            )
            % {"institution": institution.name},
            code="no_account_in_statement",
        )
    # Without an IBAN, a bank may give the national account number (the IBAN's BBAN).
    if given not in (bank.iban, bank.iban[4:]):
        raise StatementRefused(
            _("This statement is for account %(statement)s, not %(institution)s's account.")
            % {"statement": given[:34], "institution": institution.name},
            code="wrong_account",
        )


def import_statement(
    *, institution: Institution, data: bytes, filename: str, by: User | None
) -> BankStatement | None:
    """Import a statement; returns None when every transaction in it was already imported."""
    try:
        statement = camt053.parse(data)
    except camt053.CamtError as error:
        raise StatementRefused(
            str(_CAMT_MESSAGES.get(error.code, error.code)), code=error.code
        ) from None
    _check_account(institution, statement)
    if not statement.transactions:
        raise StatementRefused(
            _("This statement has no entries: there is nothing to import."), code="no_entries"
        )
    with transaction.atomic():
        # One import at a time per institution, so an entry is never taken twice.
        Institution.objects.select_for_update().filter(pk=institution.pk).first()
        seen = set(
            BankStatementEntry.objects.filter(
                institution=institution,
                identity__in=[tx.identity for tx in statement.transactions],
            ).values_list("identity", flat=True)
        )
        fresh = [tx for tx in statement.transactions if tx.identity not in seen]
        if not fresh:
            return None
        record = BankStatement.objects.create(
            institution=institution,
            statement_id=statement.statement_id[:100],
            message_id=statement.message_id[:100],
            account_iban=(statement.iban or statement.account_other)[:34],
            filename=filename[:255],
            file_digest=hashlib.sha256(data).hexdigest(),
            imported_by=by,
        )
        outcomes: Tally[str] = Tally()
        credited = reversed_cents = 0
        for tx in fresh:
            outcome = _import_one(record, institution, tx, by)
            outcomes[outcome] += 1
            if outcome == Outcome.REVERSED:
                reversed_cents += tx.amount_cents
            elif outcome != Outcome.IGNORED:
                credited += tx.amount_cents
        report: dict[str, Any] = {
            "entries": len(statement.transactions),
            "already_imported": len(statement.transactions) - len(fresh),
            "outcomes": dict(outcomes),
            "credited_cents": credited,
            "reversed_cents": reversed_cents,
        }
        record.report = report
        record.save(update_fields=["report"])
    return record


def _charge_for(institution: Institution, references: list[str]) -> LedgerEntry | None:
    if not references:
        return None
    charges = {
        charge.creditor_reference: charge
        for charge in LedgerEntry.objects.filter(
            kind=EntryKind.CHARGE,
            creditor_reference__in=references,
            application__programme__institution=institution,
        )
    }
    for reference in references:
        if reference in charges:
            return charges[reference]
    return None


def _shown_reference(charge: LedgerEntry | None, tx: camt053.Transaction) -> str:
    """The reference a person reads for the transfer: the charge's when one matched, else
    a valid one the payer gave in the structured field; never a reading guessed from the
    free text, whose words after a reference can glue onto it."""
    if charge is not None and charge.creditor_reference:
        return charge.creditor_reference
    given = [
        creditor_reference.compact(ref)
        for ref in tx.structured_references
        if creditor_reference.is_valid(ref)
    ]
    return given[0] if given else ""


def _import_one(
    record: BankStatement, institution: Institution, tx: camt053.Transaction, by: User | None
) -> str:
    references = tx.references
    charge = _charge_for(institution, references) if tx.currency == "EUR" else None
    entry = BankStatementEntry.objects.create(
        statement=record,
        institution=institution,
        entry_ref=tx.entry_ref,
        identity=tx.identity,
        amount_cents=tx.amount_cents,
        currency=tx.currency[:3],
        credit=tx.credit,
        booked_on=tx.booked_on,
        debtor=tx.debtor,
        remittance=tx.remittance,
        reference=_shown_reference(charge, tx),
        outcome=Outcome.IGNORED,
    )
    if not tx.booked or tx.amount_cents <= 0:
        return Outcome.IGNORED
    if not tx.credit:
        return _returned(record, entry, charge, tx, by)
    if charge is None:
        raise_issue(
            institution_id=institution.pk,
            kind=IssueKind.UNKNOWN,
            amount_cents=tx.amount_cents,
            currency=tx.currency[:3],
            reference=tx.remittance or " ".join(tx.structured_references),
            payer=tx.debtor,
            bank_entry=entry,
            by=by,
        )
        entry.outcome = Outcome.UNKNOWN
        entry.save(update_fields=["outcome"])
        return Outcome.UNKNOWN
    settlement = settle(
        charge.application_id,
        charge_kind=charge.charge_kind,
        instalment=charge.instalment,
        amount_cents=tx.amount_cents,
        method=Method.BANK_TRANSFER,
        external_id=external_id(institution, tx.identity),
        by=by,
        reference=charge.creditor_reference or "",
        note=tx.remittance[:500],
        payer=tx.debtor,
        bank_entry=entry,
    )
    entry.outcome = settlement.outcome
    entry.payment = settlement.payment
    entry.save(update_fields=["outcome", "payment"])
    return settlement.outcome


def _returned(
    record: BankStatement,
    entry: BankStatementEntry,
    charge: LedgerEntry | None,
    tx: camt053.Transaction,
    by: User | None,
) -> str:
    """A debit quoting a charge: the bank sent back a transfer it had paid it with.

    A plain debit may also be a refund the school sent, quoting the reference: when a
    refund of that amount on that charge is recorded (and not yet seen on a statement) or
    approved, the debit is that refund and nothing is reversed. A debit the bank marks as
    a reversal is always a return.
    """
    if charge is None:
        return Outcome.IGNORED  # money the school sent, not a transfer returned
    line = LedgerEntry.objects.filter(
        application_id=charge.application_id,
        charge_kind=charge.charge_kind,
        instalment=charge.instalment,
        amount_cents=tx.amount_cents,
    )
    if not tx.reversal:
        refund = line.filter(kind=EntryKind.REFUND, bank_entry__isnull=True).first()
        if refund is not None:
            entry.payment = refund
            entry.save(update_fields=["payment"])
            return Outcome.IGNORED
        approved = RefundRequest.objects.filter(
            application_id=charge.application_id,
            charge_kind=charge.charge_kind,
            instalment=charge.instalment,
            amount_cents=tx.amount_cents,
            status=RefundStatus.APPROVED,
        )
        if approved.exists():
            return Outcome.IGNORED
    payment = (
        line.filter(kind=EntryKind.PAYMENT, method=Method.BANK_TRANSFER)
        .exclude(corrections__kind=EntryKind.REVERSAL)
        .order_by("-created_at", "-pk")
        .first()
    )
    if payment is None:
        return Outcome.IGNORED
    try:
        reversal = ledger.reverse_payment(
            payment,
            by=by,
            note=str(REVERSAL_NOTE) % {"statement": record.statement_id or record.pk},
        )
    except LedgerError:
        # Refunded since (the debit is that refund going out): nothing was returned.
        return Outcome.IGNORED
    entry.outcome = Outcome.REVERSED
    entry.payment = reversal
    entry.save(update_fields=["outcome", "payment"])
    return Outcome.REVERSED
