"""Importing a camt.053 statement: match each transfer received to its charge.

A transfer is matched by the RF creditor reference it quotes (structured field first, then
the free text) and its amount is compared with what is still owed on that charge line.
Each bank entry is imported once per institution: importing the same statement again, or a
later one that repeats entries, changes nothing for the entries already seen.
"""

from __future__ import annotations

import hashlib
from collections import Counter as Tally
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admissions.catalog.models import Institution
from admissions.payments import camt053
from admissions.payments.errors import StatementRefused
from admissions.payments.models import (
    BankStatement,
    BankStatementEntry,
    EntryKind,
    IssueKind,
    LedgerEntry,
    Method,
    Outcome,
)
from admissions.payments.settlement import raise_issue, settle
from admissions.people.models import User

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


def external_id(institution: Institution, entry_ref: str) -> str:
    return f"camt:{institution.pk}:{entry_ref}"[:120]


def _check_account(institution: Institution, statement: camt053.Statement) -> None:
    bank = institution.rules.bank_account
    if bank is not None and statement.iban and statement.iban != bank.iban:
        raise StatementRefused(
            _("This statement is for account %(statement)s, not %(institution)s's account.")
            % {"statement": statement.iban, "institution": institution.name},
            code="wrong_account",
        )


def import_statement(
    *, institution: Institution, data: bytes, filename: str, by: User | None
) -> BankStatement | None:
    """Import a statement; returns None when every entry in it was already imported."""
    try:
        statement = camt053.parse(data)
    except camt053.CamtError as error:
        raise StatementRefused(
            str(_CAMT_MESSAGES.get(error.code, error.code)), code=error.code
        ) from None
    _check_account(institution, statement)
    with transaction.atomic():
        # One import at a time per institution, so an entry is never taken twice.
        Institution.objects.select_for_update().filter(pk=institution.pk).first()
        refs = [tx.entry_ref for tx in statement.transactions]
        seen = set(
            BankStatementEntry.objects.filter(
                institution=institution, entry_ref__in=refs
            ).values_list("entry_ref", flat=True)
        )
        fresh: list[camt053.Transaction] = []
        for tx in statement.transactions:
            if tx.entry_ref not in seen:
                fresh.append(tx)
                seen.add(tx.entry_ref)  # the same reference twice in one file counts once
        if not fresh:
            return None
        record = BankStatement.objects.create(
            institution=institution,
            statement_id=statement.statement_id[:100],
            message_id=statement.message_id[:100],
            account_iban=statement.iban[:34],
            filename=filename[:255],
            file_digest=hashlib.sha256(data).hexdigest(),
            imported_by=by,
        )
        outcomes: Tally[str] = Tally()
        credited = 0
        for tx in fresh:
            outcome = _import_one(record, institution, tx, by)
            outcomes[outcome] += 1
            if outcome != Outcome.IGNORED:
                credited += tx.amount_cents
        report: dict[str, Any] = {
            "entries": len(statement.transactions),
            "already_imported": len(statement.transactions) - len(fresh),
            "outcomes": dict(outcomes),
            "credited_cents": credited,
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


def _import_one(
    record: BankStatement, institution: Institution, tx: camt053.Transaction, by: User | None
) -> str:
    references = tx.references
    entry = BankStatementEntry.objects.create(
        statement=record,
        institution=institution,
        entry_ref=tx.entry_ref,
        amount_cents=tx.amount_cents,
        currency=tx.currency[:3],
        credit=tx.credit,
        booked_on=tx.booked_on,
        debtor=tx.debtor,
        remittance=tx.remittance,
        reference=references[0] if references else "",
        outcome=Outcome.IGNORED,
    )
    if not tx.credit or not tx.booked or tx.amount_cents <= 0:
        return Outcome.IGNORED
    charge = _charge_for(institution, references) if tx.currency == "EUR" else None
    if charge is None:
        raise_issue(
            institution_id=institution.pk,
            kind=IssueKind.UNKNOWN,
            amount_cents=tx.amount_cents,
            currency=tx.currency[:3],
            reference=tx.remittance or ", ".join(references),
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
        external_id=external_id(institution, tx.entry_ref),
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
