from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from defusedxml.ElementTree import fromstring
from django.db import connection

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.payments import ledger, mandates, sepa, services
from admissions.payments.errors import IllegalMoveError, InvalidBankDetails, NothingToPayError
from admissions.payments.models import (
    DebitItem,
    DebitStatus,
    EntryKind,
    LedgerEntry,
    MandateStatus,
    Method,
)
from admissions.people.models import User
from admissions.rules.vocabulary import ChargeKind
from tests.payments.conftest import MakeApplication, make_user

XSD = Path(sepaxml.__file__).parent / "schemas" / f"{sepa.SCHEMA}.xsd"
NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{sepa.SCHEMA}"}
TODAY = dt.date(2024, 7, 1)
DEBTOR_IBAN = "FR1420041010050500013M02606"


@pytest.fixture
def creditor(nord_campaign: Campaign, nord_finance: User) -> None:
    sepa.set_creditor_id(nord_campaign.institution, "FR72 ZZZ 123456", by=nord_finance)


def registered(
    campaign: Campaign, make_application: MakeApplication, owner: User | None = None
) -> Application:
    application = make_application(campaign, status="confirmed", owner=owner)
    services.charge_tuition(
        application, by=None, registered_on=TODAY, starts_on=dt.date(2024, 10, 1)
    )
    return application


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("FR72ZZZ123456", True),
        ("DE98ZZZ09999999999", True),
        ("fr72 zzz 123456", True),
        ("FR73ZZZ123456", False),
        ("FR72ZZZ", False),
        ("", False),
    ],
)
def test_creditor_identifiers(value: str, valid: bool) -> None:
    assert sepa.creditor_id_is_valid(value) is valid


def test_a_mandate_needs_a_valid_sepa_iban(
    nord_campaign: Campaign, make_application: MakeApplication, candidate: User
) -> None:
    application = make_application(nord_campaign)
    with pytest.raises(InvalidBankDetails):
        mandates.sign_mandate(
            application, holder="Camille Martin", iban="FR1420041010050500013M02607", by=candidate
        )
    with pytest.raises(InvalidBankDetails):
        mandates.sign_mandate(
            application, holder="Camille Martin", iban="US64SVBKUS6S3300958879", by=candidate
        )
    with pytest.raises(InvalidBankDetails):
        mandates.sign_mandate(application, holder="  ", iban=DEBTOR_IBAN, by=candidate)
    with pytest.raises(InvalidBankDetails):
        mandates.sign_mandate(
            application, holder="Camille Martin", iban=DEBTOR_IBAN, bic="NOTABIC", by=candidate
        )
    mandate = mandates.sign_mandate(
        application, holder="Camille Martin", iban="fr14 2004 1010 0505 0001 3M02 606", by=candidate
    )
    assert mandate.iban == DEBTOR_IBAN
    assert mandate.bic == "PSSTFRPP"  # La Banque Postale, known from the IBAN
    assert mandate.reference == f"{application.reference}-M1"
    second = mandates.sign_mandate(
        application, holder="Camille Martin", iban=DEBTOR_IBAN, by=candidate
    )
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.REVOKED
    assert second.status == MandateStatus.ACTIVE
    assert second.reference.endswith("-M2")
    actions = ApplicationEvent.objects.filter(application=application).values_list(
        "action", flat=True
    )
    assert list(actions) == [
        "payment.mandate_signed",
        "payment.mandate_revoked",
        "payment.mandate_signed",
    ]


def test_tuition_is_charged_in_instalments_with_due_dates(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = registered(nord_campaign, make_application)
    charges = LedgerEntry.objects.filter(application=application, kind=EntryKind.CHARGE).order_by(
        "pk"
    )
    assert [(c.charge_kind, c.instalment, c.amount_cents, c.due_on) for c in charges] == [
        ("tuition", 1, 250_000, TODAY),
        ("tuition", 2, 250_000, dt.date(2025, 2, 1)),
        ("tuition", 3, 250_000, dt.date(2025, 6, 1)),
        ("cvec", None, 10_000, TODAY),
    ]
    # Charging again adds nothing.
    assert services.charge_tuition(application, by=None, registered_on=TODAY) == []


def test_export_a_valid_pain008_per_collection_date(
    nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User, creditor: None
) -> None:
    first = registered(nord_campaign, make_application)
    second = registered(nord_campaign, make_application, owner=make_user())
    without_mandate = registered(nord_campaign, make_application, owner=make_user())
    for application in (first, second):
        mandates.sign_mandate(
            application, holder="Camille Martin", iban=DEBTOR_IBAN, by=application.candidate
        )
    # The first instalment of `second` is already paid by transfer.
    ledger.record_payment(
        second.pk,
        charge_kind=ChargeKind.TUITION,
        instalment=1,
        amount_cents=250_000,
        method=Method.BANK_TRANSFER,
        by=None,
    )
    assert sepa.upcoming_collections(nord_campaign.institution, today=TODAY) == [
        (dt.date(2024, 7, 2), 1, 250_000),
        (dt.date(2025, 2, 1), 2, 500_000),
        (dt.date(2025, 6, 1), 2, 500_000),
    ]
    batch = sepa.export_batch(
        nord_campaign.institution, dt.date(2024, 7, 5), by=nord_finance, today=TODAY
    )
    xmlschema.XMLSchema(XSD).validate(batch.document)
    root = fromstring(batch.document.encode())
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "1"
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "2500.00"
    info = root.find("p:CstmrDrctDbtInitn/p:PmtInf", NS)
    assert info is not None
    assert info.findtext("p:ReqdColltnDt", namespaces=NS) == "2024-07-05"
    assert info.findtext("p:PmtTpInf/p:SeqTp", namespaces=NS) == "FRST"
    assert (
        info.findtext("p:CdtrSchmeId/p:Id/p:PrvtId/p:Othr/p:Id", namespaces=NS) == "FR72ZZZ123456"
    )
    assert info.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == "FR7610071590000000102433444"
    tx = info.find("p:DrctDbtTxInf", NS)
    assert tx is not None
    assert (
        tx.findtext("p:DrctDbtTx/p:MndtRltdInf/p:MndtId", namespaces=NS) == f"{first.reference}-M1"
    )
    assert tx.findtext("p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == DEBTOR_IBAN
    assert (batch.transactions, batch.total_cents) == (1, 250_000)
    item = DebitItem.objects.get()
    assert item.payment.method == Method.SEPA_DIRECT_DEBIT
    assert ledger.line_of(first.pk, ChargeKind.TUITION, 1).outstanding == 0
    assert ledger.balance_cents(without_mandate.pk) == 760_000
    assert ApplicationEvent.objects.filter(
        application=first, action="payment.debit_submitted"
    ).exists()
    # The next instalments: a second debit under the same mandate is recurrent.
    later = sepa.export_batch(
        nord_campaign.institution, dt.date(2025, 2, 3), by=nord_finance, today=TODAY
    )
    xmlschema.XMLSchema(XSD).validate(later.document)
    sequences = sorted(
        DebitItem.objects.filter(batch=later).values_list("application_id", "sequence_type")
    )
    assert sequences == [(first.pk, "RCUR"), (second.pk, "FRST")]
    with pytest.raises(NothingToPayError):
        sepa.export_batch(
            nord_campaign.institution, dt.date(2025, 2, 3), by=nord_finance, today=TODAY
        )


def test_a_rejected_debit_reverses_its_payment_and_is_collected_again(
    nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User, creditor: None
) -> None:
    application = registered(nord_campaign, make_application)
    mandates.sign_mandate(
        application, holder="Camille Martin", iban=DEBTOR_IBAN, by=application.candidate
    )
    sepa.export_batch(nord_campaign.institution, dt.date(2024, 7, 5), by=nord_finance, today=TODAY)
    item = DebitItem.objects.get()
    with pytest.raises(IllegalMoveError):
        sepa.reject_debit(item, reason=" ", by=nord_finance)
    sepa.reject_debit(item, reason="AM04 insufficient funds", by=nord_finance)
    item.refresh_from_db()
    assert item.status == DebitStatus.REJECTED
    assert item.reversal is not None
    assert item.reversal.kind == EntryKind.REVERSAL
    assert ledger.line_of(application.pk, ChargeKind.TUITION, 1).outstanding == 250_000
    assert ApplicationEvent.objects.filter(
        application=application, action="payment.debit_rejected"
    ).exists()
    with pytest.raises(IllegalMoveError):
        sepa.reject_debit(item, reason="again", by=nord_finance)
    again = sepa.export_batch(
        nord_campaign.institution, dt.date(2024, 7, 10), by=nord_finance, today=TODAY
    )
    item = DebitItem.objects.get(batch=again)
    assert item.sequence_type == "FRST"  # the first debit never went through
    assert item.end_to_end_id.endswith("-T1-2")


def test_export_needs_a_future_date_and_a_creditor_id(
    nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User
) -> None:
    application = registered(nord_campaign, make_application)
    mandates.sign_mandate(
        application, holder="Camille Martin", iban=DEBTOR_IBAN, by=application.candidate
    )
    with pytest.raises(IllegalMoveError) as missing:
        sepa.export_batch(
            nord_campaign.institution, dt.date(2024, 7, 5), by=nord_finance, today=TODAY
        )
    assert missing.value.code == "creditor_missing"
    sepa.set_creditor_id(nord_campaign.institution, "FR72ZZZ123456", by=nord_finance)
    with pytest.raises(IllegalMoveError) as past:
        sepa.export_batch(nord_campaign.institution, TODAY, by=nord_finance, today=TODAY)
    assert past.value.code == "collection_date_past"
    with pytest.raises(InvalidBankDetails):
        sepa.set_creditor_id(nord_campaign.institution, "FR73ZZZ123456", by=nord_finance)


def test_withdrawn_files_are_not_debited(
    nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User, creditor: None
) -> None:
    application = registered(nord_campaign, make_application)
    mandates.sign_mandate(
        application, holder="Camille Martin", iban=DEBTOR_IBAN, by=application.candidate
    )
    Application.objects.filter(pk=application.pk).update(status="withdrawn")
    assert sepa.due_debits(nord_campaign.institution, dt.date(2025, 12, 31)) == []


@pytest.mark.postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_exports_at_once_debit_each_instalment_once(
    database_engine: str,
    nord_campaign: Campaign,
    make_application: MakeApplication,
    nord_finance: User,
    creditor: None,
) -> None:
    application = registered(nord_campaign, make_application)
    mandates.sign_mandate(
        application, holder="Camille Martin", iban=DEBTOR_IBAN, by=application.candidate
    )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            sepa.export_batch(
                nord_campaign.institution, dt.date(2024, 7, 5), by=nord_finance, today=TODAY
            )
            outcomes.append("exported")
        except NothingToPayError:
            outcomes.append("nothing")
        except BaseException as error:
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["exported", "nothing"]
    assert DebitItem.objects.count() == 1
