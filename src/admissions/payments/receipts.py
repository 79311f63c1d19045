"""Receipts for payments and invoices for charges: numbered, frozen, rendered to PDF.

Numbers come from a gapless counter per institution and kind (`core.Counter`, a locked
row): the number is taken inside the transaction that records the payment, so a rolled
back payment gives its number back and two payments never share one.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from admissions.applications.models import Application
from admissions.core.models import Counter
from admissions.payments import history
from admissions.payments.models import DocumentKind, EntryKind, FinanceDocument, LedgerEntry
from admissions.payments.pdf import render_pdf
from admissions.people.models import User
from admissions.rules.fees import Payer, payer_of
from admissions.rules.schema import Rulebook
from admissions.rules.vocabulary import ChargeKind


def counter_key(institution_id: int, kind: DocumentKind) -> str:
    return f"payments:{kind.value}:{institution_id}"


def _funder(rules: Rulebook, application: Application, entry: LedgerEntry) -> dict[str, str] | None:
    """The funder a charge is billed to (an OPCO, the employer, a region), if not the candidate."""
    try:
        payer = payer_of(rules, application.financing_mode, ChargeKind(entry.charge_kind))
        mode = rules.financing_mode(application.financing_mode)
    except (KeyError, ValueError):
        return None
    if payer != Payer.FUNDER or mode.funder is None:
        return None
    return {"fr": mode.funder.fr, "en": mode.funder.en}


def _content(entry: LedgerEntry, application: Application) -> dict[str, Any]:
    programme = application.programme
    campaign = application.campaign
    rules = application.rules
    candidate = application.candidate
    bank = application.bank_account
    return {
        "institution": {
            "name": rules.institution.name,
            "contact_email": rules.institution.contact_email,
            "address": bank.holder_address if bank else "",
        },
        "candidate": {
            "name": candidate.display_name,
            "email": candidate.email,
        },
        # Set when the charge is the funder's share: the invoice is addressed to the funder.
        "funder": _funder(rules, application, entry),
        "application": application.reference,
        "programme": {"fr": programme.name_fr, "en": programme.name_en},
        "campaign": {"fr": campaign.name_fr, "en": campaign.name_en},
        "charge_kind": entry.charge_kind,
        "instalment": entry.instalment,
        "amount_cents": entry.amount_cents,
        "currency": entry.currency,
        "method": entry.method,
        "at": (entry.created_at or timezone.now()).isoformat(),
        "due_on": entry.due_on.isoformat() if entry.due_on else None,
        "creditor_reference": entry.creditor_reference or "",
        "bank": {"holder": bank.holder, "iban": bank.iban, "bic": bank.bic} if bank else None,
    }


def _issue(kind: DocumentKind, entry: LedgerEntry, application: Application) -> FinanceDocument:
    existing = FinanceDocument.objects.filter(kind=kind, entry=entry).first()
    if existing is not None:
        return existing
    institution_id = application.programme.institution_id
    with transaction.atomic():
        number = Counter.next_value(counter_key(institution_id, kind))
        return FinanceDocument.objects.create(
            institution_id=institution_id,
            kind=kind,
            number=number,
            application=application,
            entry=entry,
            amount_cents=entry.amount_cents,
            content=_content(entry, application),
        )


def issue_receipt(payment: LedgerEntry, *, application: Application) -> FinanceDocument:
    if payment.kind != EntryKind.PAYMENT:
        raise ValueError("a receipt acknowledges a payment")
    return _issue(DocumentKind.RECEIPT, payment, application)


def issue_invoice(charge: LedgerEntry, *, by: User | None) -> FinanceDocument:
    """The invoice of a charge (for an employer or a funder); issued once, then reused."""
    if charge.kind != EntryKind.CHARGE:
        raise ValueError("an invoice is for a charge")
    with transaction.atomic():
        application = history.lock_application(charge.application_id)
        before = FinanceDocument.objects.filter(kind=DocumentKind.INVOICE, entry=charge).first()
        if before is not None:
            return before
        document = _issue(DocumentKind.INVOICE, charge, application)
        history.record(
            application,
            action="payment.invoice_issued",
            by=by,
            details={"number": document.display_number, "entry_id": charge.pk},
        )
    return document


def invoice_of_line(
    application: Application, *, charge_kind: str, instalment: int | None, by: User | None
) -> FinanceDocument | None:
    """The invoice of a charge line, issued on first asking; None when nothing is charged on it."""
    charge = (
        LedgerEntry.objects.filter(
            application=application,
            kind=EntryKind.CHARGE,
            charge_kind=charge_kind,
            instalment=instalment,
        )
        .order_by("pk")
        .first()
    )
    if charge is None:
        return None
    return issue_invoice(charge, by=by)


def render_document(document: FinanceDocument, *, language: str) -> bytes:
    template = (
        "payments/pdf/receipt.html"
        if document.kind == DocumentKind.RECEIPT
        else "payments/pdf/invoice.html"
    )
    content = document.content
    return render_pdf(
        template,
        {
            "document": document,
            "content": content,
            "programme_name": content["programme"]["en" if language == "en" else "fr"],
            "campaign_name": content["campaign"]["en" if language == "en" else "fr"],
        },
        language=language,
    )
