"""The emails about money on a file: fee awaited or received, instalments, refunds."""

from __future__ import annotations

import datetime as dt

from django.utils.functional import Promise

from admissions.applications.history import Batch
from admissions.applications.models import Application
from admissions.notify.context import (
    day,
    file_values,
    language_of,
    money,
    speaking,
    text,
    url,
)
from admissions.notify.models import Notification
from admissions.notify.outbox import Letterhead, render_ahead, to_candidate
from admissions.notify.render import Rendered
from admissions.notify.restricted import Value
from admissions.rules import creditor_reference
from admissions.rules.deadlines import paris_date
from admissions.rules.schema import Text
from admissions.rules.vocabulary import ChargeKind


def send_transfer_awaited(
    application: Application,
    *,
    event: str,
    amount_cents: int,
    charge: Promise | str,
    charge_kind: str,
    reference: str,
    holder: str,
    iban: str,
    bic: str,
    batch: Batch | None = None,
    head: Letterhead | None = None,
    rendered: Rendered | None = None,
) -> Notification:
    """The fee is paid by bank transfer only: the account and the reference to quote.
    `batch`, `head` and `rendered` (by `render_transfer_awaited`) as for `outbox.enqueue`."""
    # Once rendered, the email needs its values no more.
    values = {}
    if rendered is None:
        values = _transfer_awaited_values(
            application, amount_cents, charge, charge_kind, reference, holder, iban, bic
        )
    return to_candidate(
        "transfer_awaited",
        application,
        event=event,
        values=values,
        batch=batch,
        head=head,
        rendered=rendered,
    )


def render_transfer_awaited(
    application: Application,
    *,
    amount_cents: int,
    charge: Promise | str,
    charge_kind: str,
    reference: str,
    holder: str,
    iban: str,
    bic: str,
    head: Letterhead,
) -> Rendered:
    """`send_transfer_awaited`'s email, rendered before the transaction that sends it (the
    file need not be saved yet)."""
    values = _transfer_awaited_values(
        application, amount_cents, charge, charge_kind, reference, holder, iban, bic
    )
    language = language_of(application.candidate)
    return render_ahead("transfer_awaited", values, language=language, head=head, varying=_PER_FILE)


# What changes from one draft's transfer email to the next: the rest (the programme, the
# amount, the account) is the same for every draft of a programme.
_PER_FILE = ("candidate_name", "reference", "link", "creditor_reference")


def _transfer_awaited_values(
    application: Application,
    amount_cents: int,
    charge: Promise | str,
    charge_kind: str,
    reference: str,
    holder: str,
    iban: str,
    bic: str,
) -> dict[str, Value]:
    with speaking(language_of(application.candidate)):
        link = url("payments:transfer", application.reference, charge_kind, 0)
        values = file_values(application, link=link)
        values |= {
            "amount": money(amount_cents),
            "charge": str(charge),
            "creditor_reference": creditor_reference.printed(reference),
            "bank_holder": holder,
            "iban": iban,
            "bic": bic,
        }
    return values


def send_transfer_unmatched(
    application: Application,
    *,
    event: str,
    declared_at: dt.datetime,
    days: int,
    amount_cents: int,
    reference: str,
    iban: str,
) -> Notification:
    """A transfer the candidate declared has not reached the school after the rulebook's
    days: what to check, and where the account and the reference are."""
    with speaking(language_of(application.candidate)):
        link = url("payments:transfer", application.reference, ChargeKind.APPLICATION_FEE, 0)
        values = file_values(application, link=link)
        values |= {
            "declared_on": day(paris_date(declared_at)),
            "days": str(days),
            "amount": money(amount_cents),
            "creditor_reference": creditor_reference.printed(reference) if reference else "",
            "iban": iban,
        }
    return to_candidate("transfer_unmatched", application, event=event, values=values)


def send_funding_reminder(
    application: Application,
    *,
    event: str,
    funding: Text,
    funder: Text | None,
    request_by: dt.date,
    days_left: int,
) -> Notification:
    """A regional funding must reach the candidate's adviser by a day: the quote to hand over."""
    with speaking(language_of(application.candidate)):
        values = file_values(application, link=url("payments:quote", application.reference))
        values |= {
            "funding": text(funding),
            "funder": text(funder),
            "request_by": day(request_by),
            "days_left": str(days_left),
        }
    return to_candidate("funding_reminder", application, event=event, values=values)


def send_payment_received(
    application: Application,
    *,
    event: str,
    amount_cents: int,
    charge: Promise | str,
    receipt_number: str,
) -> Notification:
    with speaking(language_of(application.candidate)):
        values = file_values(application, link=url("payments:overview", application.reference))
        values |= {
            "amount": money(amount_cents),
            "charge": str(charge),
            "receipt_number": receipt_number,
        }
    return to_candidate("payment_received", application, event=event, values=values)


def send_instalment_due(
    application: Application,
    *,
    event: str,
    amount_cents: int,
    charge: Promise | str,
    due_on: dt.date,
    reference: str,
) -> Notification:
    with speaking(language_of(application.candidate)):
        values = file_values(application, link=url("payments:overview", application.reference))
        values |= {
            "amount": money(amount_cents),
            "charge": str(charge),
            "due_on": day(due_on),
            "creditor_reference": creditor_reference.printed(reference) if reference else "",
        }
    return to_candidate("instalment_due", application, event=event, values=values)


def _refund_values(
    application: Application, amount_cents: int, charge: Promise | str, note: str
) -> dict[str, Value]:
    values = file_values(application, link=url("payments:overview", application.reference))
    values |= {"amount": money(amount_cents), "charge": str(charge), "note": note}
    return values


def send_refund_approved(
    application: Application, *, event: str, amount_cents: int, charge: Promise | str, note: str
) -> Notification:
    with speaking(language_of(application.candidate)):
        values = _refund_values(application, amount_cents, charge, note)
    return to_candidate("refund_approved", application, event=event, values=values)


def send_refund_rejected(
    application: Application, *, event: str, amount_cents: int, charge: Promise | str, note: str
) -> Notification:
    with speaking(language_of(application.candidate)):
        values = _refund_values(application, amount_cents, charge, note)
    return to_candidate("refund_rejected", application, event=event, values=values)
