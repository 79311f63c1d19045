"""The finance office's moves through the API, each calling its page's service within the
page's scope: a bank statement imported, a refund asked for on a file, a file's tuition
plan, the SEPA creditor identifier, a direct-debit file and a debit the bank rejected."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.test.client import encode_multipart
from django.utils import timezone

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.core.errors import NotAllowed
from admissions.payments import ledger, mandates, services
from admissions.payments.camt053 import MAX_BYTES
from admissions.payments.models import (
    BankStatement,
    DebitBatch,
    DebitItem,
    EntryKind,
    LedgerEntry,
    Method,
    RefundRequest,
    RefundStatus,
)
from admissions.people.models import Role, User
from admissions.rules.deadlines import paris_date
from admissions.rules.vocabulary import ChargeKind
from tests.payments.agreements import validated_agreement
from tests.payments.camt import statement
from tests.payments.conftest import MakeApplication, staff

pytestmark = pytest.mark.django_db
JSON = "application/json"
FEE = ChargeKind.APPLICATION_FEE


@pytest.fixture
def nord_file(
    nord_campaign: Campaign, make_application: MakeApplication
) -> tuple[Application, LedgerEntry]:
    application = make_application(nord_campaign)
    return application, ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)


def as_(user: User | None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def _upload(client: Client, url: str, data: bytes, name: str = "releve.xml") -> object:
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(url, {"file": upload})


def _statements(campaign: Campaign) -> str:
    return f"/api/v1/staff/finance/institutions/{campaign.institution.pk}/statements"


def test_a_statement_is_imported_as_on_its_page(
    nord_campaign: Campaign,
    bs_campaign: Campaign,
    nord_file: tuple[Application, LedgerEntry],
    nord_finance: User,
    bs_finance: User,
) -> None:
    _application, charge = nord_file
    url = _statements(nord_campaign)
    data = statement("duplicate.xml", charge.creditor_reference)
    assert _upload(as_(None), url, data).status_code == 401  # type: ignore[attr-defined]
    outsiders = [
        bs_finance,  # finance staff of the other school
        staff(Role.ADMISSIONS_OFFICER, nord_campaign.institution),  # no finance role
        staff(Role.FINANCE_OFFICER, nord_campaign.institution, charge.application.programme),
    ]
    for user in outsiders:
        answer = _upload(as_(user), url, data)
        assert answer.status_code == 404, user  # type: ignore[attr-defined]
        assert answer.json()["code"] == "not_found"  # type: ignore[attr-defined]
    assert not BankStatement.objects.exists()
    finance = as_(nord_finance)
    imported = _upload(finance, url, data)
    assert imported.status_code == 201, imported.content  # type: ignore[attr-defined]
    body = imported.json()  # type: ignore[attr-defined]
    record = BankStatement.objects.get()
    assert body["imported"] is True
    assert body["statement"]["id"] == record.pk
    assert body["statement"]["filename"] == "releve.xml"
    assert body["statement"]["report"] == record.report
    assert record.imported_by == nord_finance
    assert ledger.line_of(charge.application_id, FEE, None).paid > 0
    again = _upload(finance, url, data)
    assert again.status_code == 200  # type: ignore[attr-defined]
    assert again.json() == {"imported": False, "statement": None}  # type: ignore[attr-defined]
    assert BankStatement.objects.count() == 1
    # The statement of the other school's account is refused, in the reader's language.
    wrong = finance.post(
        url,
        {"file": io.BytesIO(b"<not a statement")},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "not_xml"
    assert "XML" in wrong.json()["message"]
    missing = finance.post(url, {})
    assert missing.status_code == 422
    assert missing.json()["details"][0]["field"] == "file"


def test_a_statement_too_large_is_refused_before_its_body_is_read(
    nord_campaign: Campaign, nord_finance: User
) -> None:
    url = _statements(nord_campaign)
    body = encode_multipart("BoUnDaRy", {"file": io.BytesIO(b"<x/>")})
    answer = as_(nord_finance).generic(
        "POST",
        url,
        body,
        content_type="multipart/form-data; boundary=BoUnDaRy",
        CONTENT_LENGTH=str(MAX_BYTES * 2),
    )
    assert answer.status_code == 413
    assert answer.json()["code"] == "too_large"


def test_a_refund_is_asked_for_on_a_file_as_on_its_page(
    bs_campaign: Campaign,
    nord_campaign: Campaign,
    make_application: MakeApplication,
    bs_finance: User,
    nord_finance: User,
) -> None:
    application = make_application(
        bs_campaign, track="work_study", financing_mode="opco", status="confirmed"
    )
    for kind, cents in ((FEE, 8_000), (ChargeKind.DEPOSIT, 45_000)):
        ledger.charge(application.pk, charge_kind=kind, amount_cents=cents, by=None)
        ledger.record_payment(
            application.pk, charge_kind=kind, amount_cents=cents, method=Method.CARD, by=None
        )
    url = f"/api/v1/staff/finance/files/{application.reference}/refunds"
    deposit = {"charge_kind": "deposit", "event": "funding_agreement_validated"}
    assert as_(None).post(url, deposit, content_type=JSON).status_code == 401
    for user in (
        nord_finance,  # finance staff of the other school
        staff(Role.ADMISSIONS_OFFICER, bs_campaign.institution),  # as the page: finance only
        application.candidate,
    ):
        answer = as_(user).post(url, deposit, content_type=JSON)
        assert answer.status_code == 404, user
    finance = as_(bs_finance)
    unknown = finance.post(url, {"charge_kind": "deposit", "event": "luck"}, content_type=JSON)
    assert unknown.status_code == 422
    assert unknown.json()["details"][0]["field"] == "event"
    negative = finance.post(url, {**deposit, "amount_cents": 0}, content_type=JSON)
    assert negative.status_code == 422
    assert negative.json()["details"][0]["field"] == "amount_cents"
    # The rulebook keeps the application fee: refused as on the page, in the reader's words.
    kept = finance.post(
        url,
        {"charge_kind": "application_fee", "event": "candidate_withdraws"},
        content_type=JSON,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert kept.status_code == 409
    assert kept.json()["code"] == "refund_not_allowed"
    assert "The application fee is not refundable." in kept.json()["message"]
    assert not RefundRequest.objects.exists()
    validated_agreement(application)  # the proof: the agreement accepted by staff
    too_much = finance.post(url, {**deposit, "amount_cents": 45_001}, content_type=JSON)
    assert too_much.status_code == 409
    assert too_much.json()["code"] == "refund_exceeds_paid"
    asked = finance.post(url, {**deposit, "reason": "OPCO pays"}, content_type=JSON)
    assert asked.status_code == 201, asked.content
    refund = RefundRequest.objects.get()
    assert asked.json()["id"] == refund.pk
    assert asked.json()["amount_cents"] == 45_000
    assert refund.status == RefundStatus.REQUESTED
    assert refund.requested_by == bs_finance
    assert refund.reason == "OPCO pays"
    twice = finance.post(url, deposit, content_type=JSON)
    assert twice.status_code == 409
    assert twice.json()["code"] == "refund_pending"


def test_a_files_tuition_is_charged_as_on_its_page(
    nord_campaign: Campaign,
    nord_file: tuple[Application, LedgerEntry],
    nord_finance: User,
    bs_finance: User,
) -> None:
    application, _charge = nord_file
    url = f"/api/v1/staff/finance/files/{application.reference}/tuition"
    plan = {"registered_on": "2024-09-02", "starts_on": "2024-10-01"}
    assert as_(None).post(url, plan, content_type=JSON).status_code == 401
    for user in (
        bs_finance,
        staff(Role.ADMISSIONS_OFFICER, nord_campaign.institution),
        staff(
            Role.FINANCE_OFFICER,
            nord_campaign.institution,
            nord_campaign.institution.programmes.exclude(pk=application.programme_id).order_by(
                "pk"
            )[0],
        ),
    ):
        assert as_(user).post(url, plan, content_type=JSON).status_code == 404, user
    finance = as_(nord_finance)
    wrong = finance.post(url, {"registered_on": "someday"}, content_type=JSON)
    assert wrong.status_code == 422
    assert wrong.json()["details"][0]["field"] == "registered_on"
    charged = finance.post(url, plan, content_type=JSON)
    assert charged.status_code == 201, charged.content
    tuition = LedgerEntry.objects.filter(
        application=application, kind=EntryKind.CHARGE, charge_kind=ChargeKind.TUITION
    ).order_by("instalment")
    assert [entry.instalment for entry in tuition] == [1, 2, 3]
    assert sum(entry.amount_cents for entry in tuition) == 750_000
    answered = [row for row in charged.json()["charged"] if row["charge_kind"] == "tuition"]
    assert [row["instalment"] for row in answered] == [1, 2, 3]
    assert answered[0]["due_on"] == "2024-09-02"
    assert answered[0]["creditor_reference"] == tuition[0].creditor_reference
    again = finance.post(url, plan, content_type=JSON)
    assert again.status_code == 200
    assert again.json() == {"charged": []}
    assert LedgerEntry.objects.filter(application=application, charge_kind="tuition").count() == 3


def test_direct_debits_as_on_the_sepa_page(
    nord_campaign: Campaign,
    make_application: MakeApplication,
    nord_finance: User,
    bs_finance: User,
) -> None:
    application = make_application(nord_campaign, status="confirmed")
    today = paris_date(timezone.now())
    services.charge_tuition(application, by=None, registered_on=today, starts_on=today)
    mandates.sign_mandate(
        application,
        holder="Camille Martin",
        iban="FR1420041010050500013M02606",
        by=application.candidate,
    )
    institution = nord_campaign.institution
    creditor_url = f"/api/v1/staff/finance/institutions/{institution.pk}/sepa/creditor"
    export_url = f"/api/v1/staff/finance/institutions/{institution.pk}/sepa/batches"
    later = {"collection_date": (today + dt.timedelta(days=3)).isoformat()}
    creditor = {"creditor_id": "FR72ZZZ123456"}
    outsiders = [
        bs_finance,
        staff(Role.ADMISSIONS_OFFICER, institution),
        staff(Role.FINANCE_OFFICER, institution, application.programme),  # not the whole school
        application.candidate,
    ]
    assert as_(None).put(creditor_url, creditor, content_type=JSON).status_code == 401
    assert as_(None).post(export_url, later, content_type=JSON).status_code == 401
    for user in outsiders:
        client = as_(user)
        assert client.put(creditor_url, creditor, content_type=JSON).status_code == 404, user
        assert client.post(export_url, later, content_type=JSON).status_code == 404, user
    finance = as_(nord_finance)
    no_creditor = finance.post(export_url, later, content_type=JSON)
    assert no_creditor.status_code == 409
    assert no_creditor.json()["code"] == "creditor_missing"
    bad = finance.put(
        creditor_url, {"creditor_id": "FR00ZZZ000000"}, content_type=JSON, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_bank_details"
    assert "identifiant" in bad.json()["message"]
    empty = finance.put(creditor_url, {"creditor_id": ""}, content_type=JSON)
    assert empty.status_code == 422
    assert empty.json()["details"][0]["field"] == "creditor_id"
    saved = finance.put(creditor_url, {"creditor_id": "fr72 zzz 123456"}, content_type=JSON)
    assert saved.status_code == 200
    assert saved.json() == {"institution_id": institution.pk, "creditor_id": "FR72ZZZ123456"}
    past = finance.post(export_url, {"collection_date": today.isoformat()}, content_type=JSON)
    assert past.status_code == 409
    assert past.json()["code"] == "collection_date_past"
    assert finance.post(export_url, {"collection_date": "soon"}, content_type=JSON).status_code == (
        422
    )
    made = finance.post(export_url, later, content_type=JSON)
    assert made.status_code == 201, made.content
    batch = DebitBatch.objects.get()
    assert made.json()["id"] == batch.pk
    assert made.json()["transactions"] == batch.transactions == 1
    assert "pain.008.001.02" in made.json()["document"]
    nothing = finance.post(export_url, later, content_type=JSON)
    assert nothing.status_code == 409
    assert nothing.json()["code"] == "nothing_to_pay"
    # The bank returns the debit.
    item = DebitItem.objects.get()
    reject_url = f"/api/v1/staff/finance/debits/{item.pk}/reject"
    reason = {"reason": "MD01 no mandate"}
    assert as_(None).post(reject_url, reason, content_type=JSON).status_code == 401
    for user in outsiders:
        assert as_(user).post(reject_url, reason, content_type=JSON).status_code == 404, user
    blank = finance.post(reject_url, {"reason": ""}, content_type=JSON)
    assert blank.status_code == 422
    assert blank.json()["details"][0]["field"] == "reason"
    spaces = finance.post(reject_url, {"reason": "   "}, content_type=JSON)
    assert spaces.status_code == 422
    assert spaces.json()["details"][0]["field"] == "reason"
    rejected = finance.post(reject_url, reason, content_type=JSON)
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["reference"] == application.reference
    item.refresh_from_db()
    assert item.status == "rejected"
    assert item.rejection_reason == "MD01 no mandate"
    line = ledger.line_of(application.pk, item.charge_kind, item.instalment)
    assert line.outstanding == item.amount_cents  # owed again
    again = finance.post(reject_url, reason, content_type=JSON)
    assert again.status_code == 409
    assert again.json()["code"] == "already_rejected"


def test_only_finance_staff_charge_a_tuition_plan(
    nord_campaign: Campaign, nord_file: tuple[Application, LedgerEntry]
) -> None:
    application, _charge = nord_file
    officer = staff(Role.ADMISSIONS_OFFICER, nord_campaign.institution)
    with pytest.raises(NotAllowed):
        services.plan_tuition(application, by=officer)
    assert not LedgerEntry.objects.filter(application=application, charge_kind="tuition").exists()
