from __future__ import annotations

import io
import threading

import pikepdf
import pytest
from django.db import connection, transaction

from admissions.catalog.models import Campaign
from admissions.core.models import Counter
from admissions.payments import ledger, receipts
from admissions.payments.models import DocumentKind, EntryKind, FinanceDocument, LedgerEntry, Method
from admissions.rules.vocabulary import ChargeKind
from tests.payments.conftest import MakeApplication, make_user

FEE = ChargeKind.APPLICATION_FEE


def _pay(application_id: int, cents: int = 6_000, **extra: object) -> LedgerEntry:
    return ledger.record_payment(
        application_id,
        charge_kind=FEE,
        amount_cents=cents,
        method=Method.BANK_TRANSFER,
        by=None,
        **extra,
    )


def test_receipts_are_numbered_per_institution_without_gaps(
    nord_campaign: Campaign, bs_campaign: Campaign, make_application: MakeApplication
) -> None:
    nord_file = make_application(nord_campaign)
    bs_file = make_application(bs_campaign)
    for application in (nord_file, bs_file, nord_file):
        ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
        _pay(application.pk)
    numbers = list(
        FinanceDocument.objects.filter(kind=DocumentKind.RECEIPT)
        .order_by("pk")
        .values_list("institution__slug", "number")
    )
    assert numbers == [("test-nord", 1), ("test-bs", 1), ("test-nord", 2)]


def test_a_rolled_back_payment_gives_its_number_back(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(nord_campaign)
    ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)

    def failing_request() -> None:
        with transaction.atomic():
            _pay(application.pk)
            raise RuntimeError("the request failed after the payment")

    with pytest.raises(RuntimeError):
        failing_request()
    assert not FinanceDocument.objects.exists()
    payment = _pay(application.pk)
    assert FinanceDocument.objects.get(entry=payment).number == 1


def test_an_invoice_is_issued_once_per_charge(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(nord_campaign)
    charge = ledger.charge(
        application.pk, charge_kind=ChargeKind.TUITION, instalment=1, amount_cents=250_000, by=None
    )
    first = receipts.issue_invoice(charge, by=None)
    again = receipts.issue_invoice(charge, by=None)
    assert first.pk == again.pk
    assert first.display_number == "F-000001"
    assert first.content["creditor_reference"] == charge.creditor_reference
    assert first.content["bank"]["iban"] == "FR7610071590000000102433444"
    with pytest.raises(ValueError, match="invoice"):
        receipts.issue_invoice(_pay(application.pk), by=None)


def _title(pdf: bytes) -> str:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return str(document.docinfo.get("/Title", ""))


@pytest.mark.parametrize("kind", ["receipt", "invoice"])
def test_documents_render_in_french_and_english(
    nord_campaign: Campaign, make_application: MakeApplication, kind: str
) -> None:
    application = make_application(nord_campaign)
    charge = ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    if kind == "receipt":
        document = FinanceDocument.objects.get(entry=_pay(application.pk))
    else:
        document = receipts.issue_invoice(charge, by=None)
    english = receipts.render_document(document, language="en")
    french = receipts.render_document(document, language="fr")
    for pdf in (english, french):
        assert pdf.startswith(b"%PDF")
    assert (
        _title(english)
        == f"{'Receipt' if kind == 'receipt' else 'Invoice'} {document.display_number}"
    )
    assert _title(french).endswith(document.display_number)
    assert _title(french) != _title(english)


@pytest.mark.postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_payments_get_consecutive_receipt_numbers(
    database_engine: str, nord_campaign: Campaign
) -> None:
    from admissions.applications.models import Application

    files = []
    for index in range(8):
        files.append(
            Application.objects.create(
                reference=f"PG-{index}",
                candidate=make_user(),
                campaign=nord_campaign,
                programme=nord_campaign.institution.programmes.first(),
                track="full_time",
                financing_mode="personal",
            )
        )
        ledger.charge(files[-1].pk, charge_kind=FEE, amount_cents=6_000, by=None)
    barrier = threading.Barrier(len(files))
    errors: list[BaseException] = []

    def pay(application_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            with transaction.atomic():
                _pay(application_id)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(f.pk,)) for f in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    numbers = sorted(
        FinanceDocument.objects.filter(kind=DocumentKind.RECEIPT).values_list("number", flat=True)
    )
    assert numbers == list(range(1, len(files) + 1))
    key = receipts.counter_key(nord_campaign.institution.pk, DocumentKind.RECEIPT)
    assert Counter.objects.get(key=key).value == len(files)
    assert LedgerEntry.objects.filter(kind=EntryKind.PAYMENT).count() == len(files)
