from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import string

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.office.finance import views as finance_views
from admissions.payments import balances, ledger, mandates, services
from admissions.payments.exports import LedgerExport
from admissions.payments.ledger import FeeStatus
from admissions.payments.models import (
    BankStatement,
    DebitBatch,
    DebitItem,
    EntryKind,
    IssueStatus,
    LedgerEntry,
    Method,
    PaymentIssue,
    RefundRequest,
    RefundStatus,
)
from admissions.payments.templatetags.payment_tags import rf
from admissions.people.models import Role, User
from admissions.rules import creditor_reference
from admissions.rules.deadlines import paris_date
from admissions.rules.vocabulary import ChargeKind
from tests.payments.agreements import validated_agreement
from tests.payments.camt import statement
from tests.payments.conftest import MakeApplication, make_user, staff

FEE = ChargeKind.APPLICATION_FEE


@pytest.fixture
def nord_file(
    nord_campaign: Campaign, make_application: MakeApplication
) -> tuple[Application, LedgerEntry]:
    application = make_application(nord_campaign)
    return application, ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)


PAGES = ["", "issues/", "statements/", "refunds/", "sepa/", "balances/", "export/"]


@pytest.mark.parametrize("page", PAGES)
def test_finance_pages_are_for_finance_staff(
    client: Client, candidate: User, nord_campaign: Campaign, page: str
) -> None:
    url = f"/office/finance/{page}"
    assert client.get(url).status_code == 302
    client.force_login(candidate)
    assert client.get(url).status_code == 404
    client.force_login(staff(Role.ADMISSIONS_OFFICER, nord_campaign.institution))
    assert client.get(url).status_code == 404
    client.force_login(staff(Role.FINANCE_OFFICER, nord_campaign.institution))
    assert client.get(url).status_code in (200, 302)


def test_officers_see_only_their_institutions(
    client: Client,
    nord_file: tuple[Application, LedgerEntry],
    bs_finance: User,
    nord_finance: User,
) -> None:
    application, _charge = nord_file
    client.force_login(bs_finance)
    assert client.get(f"/office/finance/files/{application.reference}/").status_code == 404
    client.force_login(nord_finance)
    assert client.get(f"/office/finance/files/{application.reference}/").status_code == 200


def test_statement_import_from_the_page_and_its_report(
    client: Client,
    nord_campaign: Campaign,
    nord_file: tuple[Application, LedgerEntry],
    nord_finance: User,
) -> None:
    _application, charge = nord_file
    client.force_login(nord_finance)
    data = statement("duplicate.xml", charge.creditor_reference)
    upload = io.BytesIO(data)
    upload.name = "releve.xml"
    answer = client.post(
        "/en/office/finance/statements/",
        {"institution": nord_campaign.institution.pk, "statement": upload},
    )
    record = BankStatement.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/en/office/finance/statements/{record.pk}/"
    report = client.get(answer["Location"]).content.decode()
    assert "Matched" in report
    assert "Charge already paid" in report
    again = io.BytesIO(data)
    again.name = "releve.xml"
    repeated = client.post(
        "/en/office/finance/statements/",
        {"institution": nord_campaign.institution.pk, "statement": again},
        follow=True,
    )
    assert "already imported" in repeated.content.decode()
    assert BankStatement.objects.count() == 1


def _upload(client: Client, campaign: Campaign, data: bytes) -> str:
    upload = io.BytesIO(data)
    upload.name = "releve.xml"
    answer = client.post(
        "/en/office/finance/statements/",
        {"institution": campaign.institution.pk, "statement": upload},
        follow=True,
    )
    return answer.content.decode()


def _glued_name(reference: str) -> str:
    """Words that, written after the printed reference, glue into a longer valid reading."""
    for first, second in itertools.product(string.ascii_uppercase, repeat=2):
        name = f"{first}{second}ANE MARTIN"
        if creditor_reference.find_in(f"{creditor_reference.printed(reference)} {name}")[0] != (
            reference
        ):
            return name
    raise AssertionError("no glued reading found")


def test_the_statement_page_shows_references_whole(
    client: Client,
    nord_campaign: Campaign,
    nord_file: tuple[Application, LedgerEntry],
    nord_finance: User,
) -> None:
    application, charge = nord_file
    reference = str(charge.creditor_reference)
    name = _glued_name(reference)
    long_bank_ref = "20240603TRPU000000123456789ABCDEF0001"
    long_text = "Frais de dossier candidature mastere cybersecurite Dupont Alex dossier 4471"
    data = (
        statement("unknown.xml")
        .replace(
            b"<AcctSvcrRef>BANK-0006</AcctSvcrRef>",
            f"<AcctSvcrRef>{long_bank_ref}</AcctSvcrRef>".encode(),
        )
        .replace(b"frais dossier Martin", long_text.encode())
        # The second transfer quotes the reference in its free text, a name glued after it.
        .replace(
            b"<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>ISO"
            b"</Issr></Tp><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>",
            f"<RmtInf><Ustrd>{creditor_reference.printed(reference)} {name}</Ustrd>"
            "</RmtInf>".encode(),
        )
    )
    client.force_login(nord_finance)
    page = _upload(client, nord_campaign, data)
    assert ledger.fee_status(application.pk) == FeeStatus.PAID
    glued = creditor_reference.find_in(f"{reference} {name}")[0]
    assert creditor_reference.printed(reference) in page
    assert creditor_reference.printed(glued) not in page
    assert long_bank_ref in page
    assert long_text in page
    issues = client.get("/en/office/finance/issues/").content.decode()
    assert long_text in issues


def test_the_rf_filter_groups_rf_references_only() -> None:
    assert rf("RF18539007547034") == "RF18 5390 0754 7034"
    assert rf("rf18 5390 0754 7034") == "RF18 5390 0754 7034"
    assert rf("Virement frais de dossier") == "Virement frais de dossier"
    assert rf("RF00BAD") == "RF00BAD"
    assert rf(None) == ""


def test_the_file_page_speaks_labels_and_charges_the_tuition(
    client: Client,
    nord_campaign: Campaign,
    nord_file: tuple[Application, LedgerEntry],
    nord_finance: User,
) -> None:
    application, _charge = nord_file
    client.force_login(nord_finance)
    url = f"/en/office/finance/files/{application.reference}/"
    page = client.get(url).content.decode()
    assert "Personal funding · Full time with an internship" in page
    assert "personal · full_time" not in page
    assert ">Charge the tuition instalments</button>" in page
    # Date fields carry ISO dates a browser's date picker shows: today, and the rulebook's start.
    today = paris_date(timezone.now()).isoformat()
    assert f'name="registered_on" value="{today}"' in page
    assert 'name="starts_on" value="2024-10-01"' in page
    french = client.get(f"/office/finance/files/{application.reference}/").content.decode()
    assert "Facturer les échéances de la formation</button>" in french
    assert "Financement personnel · Temps plein avec stage" in french
    answer = client.post(
        f"/en/office/finance/files/{application.reference}/tuition/",
        {"registered_on": today, "starts_on": "2024-10-01"},
    )
    assert answer.status_code == 302
    tuition = LedgerEntry.objects.filter(
        application=application, kind=EntryKind.CHARGE, charge_kind=ChargeKind.TUITION
    ).order_by("instalment")
    assert [entry.instalment for entry in tuition] == [1, 2, 3]
    assert sum(entry.amount_cents for entry in tuition) == 750_000


def test_a_broken_statement_gets_a_clear_error(
    client: Client, nord_campaign: Campaign, nord_finance: User
) -> None:
    client.force_login(nord_finance)
    upload = io.BytesIO(b"<not a statement")
    upload.name = "oops.xml"
    answer = client.post(
        "/en/office/finance/statements/",
        {"institution": nord_campaign.institution.pk, "statement": upload},
    )
    assert answer.status_code == 200
    assert "not readable XML" in answer.content.decode()


def test_resolve_an_unknown_transfer_from_the_page(
    client: Client,
    nord_campaign: Campaign,
    nord_file: tuple[Application, LedgerEntry],
    nord_finance: User,
) -> None:
    application, charge = nord_file
    client.force_login(nord_finance)
    upload = io.BytesIO(statement("unknown.xml"))
    upload.name = "releve.xml"
    client.post(
        "/office/finance/statements/",
        {"institution": nord_campaign.institution.pk, "statement": upload},
    )
    issue = PaymentIssue.objects.order_by("pk").first()
    assert issue is not None
    page = client.get("/en/office/finance/issues/").content.decode()
    assert "Unknown reference" in page
    assert "DUPONT ALEX" in page
    wrong = client.post(
        f"/en/office/finance/issues/{issue.pk}/resolve/",
        {f"i{issue.pk}-status": "assigned", f"i{issue.pk}-charge_reference": "RF18539007547034"},
        follow=True,
    )
    assert "No charge of your programmes has this reference" in wrong.content.decode()
    client.post(
        f"/office/finance/issues/{issue.pk}/resolve/",
        {
            f"i{issue.pk}-status": "assigned",
            f"i{issue.pk}-charge_reference": charge.creditor_reference,
        },
    )
    issue.refresh_from_db()
    assert issue.status == IssueStatus.ASSIGNED
    assert ledger.fee_status(application.pk) == "paid"


def test_refund_request_and_approval_from_the_pages(
    client: Client, bs_campaign: Campaign, make_application: MakeApplication, bs_finance: User
) -> None:
    application = make_application(
        bs_campaign, track="work_study", financing_mode="opco", status="confirmed"
    )
    for kind, cents in ((FEE, 8_000), (ChargeKind.DEPOSIT, 45_000)):
        ledger.charge(application.pk, charge_kind=kind, amount_cents=cents, by=None)
        ledger.record_payment(
            application.pk, charge_kind=kind, amount_cents=cents, method=Method.CARD, by=None
        )
    client.force_login(bs_finance)
    url = f"/en/office/finance/files/{application.reference}/refund/"
    refused = client.post(url, {"line": "application_fee:0", "event": "candidate_withdraws"})
    assert refused.status_code == 200
    assert "The application fee is not refundable." in refused.content.decode()
    assert not RefundRequest.objects.exists()
    validated_agreement(application)  # the proof: the agreement accepted by staff
    asked = client.post(url, {"line": "deposit:0", "event": "funding_agreement_validated"})
    assert asked.status_code == 302
    refund = RefundRequest.objects.get()
    assert refund.status == RefundStatus.REQUESTED
    listing = client.get("/en/office/finance/refunds/").content.decode()
    assert "deposit-funded" in listing
    client.post(
        f"/office/finance/refunds/{refund.pk}/approve/", {f"r{refund.pk}-note": "agreement seen"}
    )
    client.post(
        f"/office/finance/refunds/{refund.pk}/record/", {f"r{refund.pk}-method": "bank_transfer"}
    )
    refund.refresh_from_db()
    assert refund.status == RefundStatus.RECORDED
    assert LedgerEntry.objects.filter(kind=EntryKind.REFUND, amount_cents=45_000).exists()
    assert client.post(f"/office/finance/refunds/{refund.pk}/nonsense/").status_code == 404


def test_the_refund_form_cannot_refund_a_deposit_kept_on_withdrawal(
    client: Client, bs_campaign: Campaign, make_application: MakeApplication, bs_finance: User
) -> None:
    application = make_application(
        bs_campaign, track="work_study", financing_mode="opco", status="confirmed"
    )
    ledger.charge(application.pk, charge_kind=ChargeKind.DEPOSIT, amount_cents=45_000, by=None)
    ledger.record_payment(
        application.pk,
        charge_kind=ChargeKind.DEPOSIT,
        amount_cents=45_000,
        method=Method.CARD,
        by=None,
    )
    validated_agreement(application)
    Application.objects.filter(pk=application.pk).update(status="withdrawn")
    client.force_login(bs_finance)
    for prefix, wording in (("/en", "not refunded if you withdraw"), ("", "renonciation")):
        answer = client.post(
            f"{prefix}/office/finance/files/{application.reference}/refund/",
            {"line": "deposit:0", "event": "funding_agreement_validated"},
        )
        assert answer.status_code == 200
        assert wording in answer.content.decode()
    assert not RefundRequest.objects.exists()


def test_sepa_pages_export_download_and_reject(
    client: Client, nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User
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
    client.force_login(nord_finance)
    institution = nord_campaign.institution
    page = client.get(f"/en/office/finance/sepa/{institution.pk}/").content.decode()
    assert "Save the creditor identifier first" in page
    bad = client.post(
        f"/en/office/finance/sepa/{institution.pk}/creditor/",
        {"creditor_id": "FR00ZZZ000000"},
        follow=True,
    )
    assert "not valid" in bad.content.decode()
    client.post(
        f"/office/finance/sepa/{institution.pk}/creditor/", {"creditor_id": "FR72ZZZ123456"}
    )
    made = client.post(
        f"/office/finance/sepa/{institution.pk}/export/",
        {"collection_date": (today + dt.timedelta(days=3)).isoformat()},
    )
    batch = DebitBatch.objects.get()
    assert made["Location"] == f"/office/finance/sepa/batches/{batch.pk}/"
    download = client.get(f"/office/finance/sepa/batches/{batch.pk}/xml/")
    assert download["Content-Type"] == "application/xml"
    assert b"pain.008.001.02" in download.content
    item = DebitItem.objects.get()
    client.post(
        f"/office/finance/sepa/debits/{item.pk}/reject/", {f"d{item.pk}-reason": "MD01 no mandate"}
    )
    item.refresh_from_db()
    assert item.status == "rejected"
    past = client.post(
        f"/en/office/finance/sepa/{institution.pk}/export/",
        {"collection_date": today.isoformat()},
        follow=True,
    )
    assert "must be after today" in past.content.decode()


def test_sepa_pages_need_a_whole_institution(
    client: Client, nord_campaign: Campaign, bs_finance: User
) -> None:
    client.force_login(bs_finance)
    assert client.get(f"/office/finance/sepa/{nord_campaign.institution.pk}/").status_code == 404


def _files_with_money(campaign: Campaign, make_application: MakeApplication, count: int) -> None:
    for _index in range(count):
        application = make_application(campaign, owner=make_user())
        ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None)
        ledger.record_payment(
            application.pk, charge_kind=FEE, amount_cents=2_500, method=Method.CARD, by=None
        )


def test_balances_by_campaign_in_constant_queries(
    client: Client, nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User
) -> None:
    client.force_login(nord_finance)
    _files_with_money(nord_campaign, make_application, 2)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/en/office/finance/balances/")
    assert "€70" in page.content.decode()  # 2 × 35 EUR still owed
    detail_url = f"/en/office/finance/balances/{nord_campaign.pk}/"
    with CaptureQueriesContext(connection) as few_detail:
        client.get(detail_url)
    _files_with_money(nord_campaign, make_application, 12)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/en/office/finance/balances/")
    assert "€490" in page.content.decode()
    [row] = page.context["campaigns"]
    assert (row.files, row.charged, row.paid) == (14, 14 * 6_000, 14 * 2_500)
    with CaptureQueriesContext(connection) as many_detail:
        detail = client.get(detail_url)
    assert len(many) == len(few)
    assert len(many_detail) == len(few_detail)
    assert detail.content.decode().count("€35") == 14


def test_campaign_balances_page_by_position_and_show_the_ledger_s_figures(
    client: Client,
    nord_campaign: Campaign,
    make_application: MakeApplication,
    nord_finance: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(finance_views, "PAGE_SIZE", 2)
    _files_with_money(nord_campaign, make_application, 3)
    paid_up = make_application(nord_campaign, owner=make_user())
    ledger.charge(paid_up.pk, charge_kind=FEE, amount_cents=6_000, by=None)
    ledger.record_payment(
        paid_up.pk, charge_kind=FEE, amount_cents=6_000, method=Method.CARD, by=None
    )
    files = list(
        Application.objects.filter(campaign=nord_campaign, ledger_entries__isnull=False)
        .distinct()
        .order_by("pk")
    )
    expected = {
        row.reference: row
        for row in balances.with_balances(Application.objects.filter(pk__in=[f.pk for f in files]))
    }
    client.force_login(nord_finance)
    url = f"/en/office/finance/balances/{nord_campaign.pk}/"
    seen: list[str] = []
    page = client.get(url)
    assert "4 files with money entries." in page.content.decode()
    while True:
        rows = page.context["page"].rows
        for row in rows:
            figures = expected[row.application.reference]
            assert (row.charged, row.paid, row.refunded, row.written_off, row.outstanding) == (
                figures.charged,
                figures.paid,
                figures.refunded,
                figures.written_off,
                figures.outstanding,
            )
        seen += [row.application.reference for row in rows]
        if page.context["page"].is_last:
            break
        page = client.get(f"{url}?{page.context['page'].next_query}")
    assert seen == [f.reference for f in files]
    last = client.get(url, {"last": "1"}).context["page"]
    assert [row.application.reference for row in last.rows] == seen[-2:]
    owing = client.get(url, {"owing": "1"})
    assert paid_up.reference not in owing.content.decode()
    assert 'href="?owing=1&amp;after=' in owing.content.decode()
    assert len(owing.context["page"].rows) == 2
    assert owing.context["count"] == 3


def test_balances_of_a_campaign_as_csv_and_xlsx(
    client: Client, nord_campaign: Campaign, make_application: MakeApplication, nord_finance: User
) -> None:
    _files_with_money(nord_campaign, make_application, 3)
    client.force_login(nord_finance)
    answer = client.get(
        f"/en/office/finance/balances/{nord_campaign.pk}/", {"format": "csv", "owing": "1"}
    )
    assert answer.streaming  # written as it is read, never whole in memory
    rows = list(csv.reader(io.StringIO(answer.getvalue().decode("utf-8-sig"))))
    assert rows[0][0] == "Application"
    assert len(rows) == 4
    assert rows[1][-1] == "35.00"
    spreadsheet = client.get(f"/office/finance/balances/{nord_campaign.pk}/", {"format": "xlsx"})
    assert spreadsheet.streaming
    workbook = openpyxl.load_workbook(io.BytesIO(spreadsheet.getvalue()))
    assert workbook.active is not None
    assert workbook.active.max_row == 4


def test_ledger_export_filters_and_formats(
    client: Client,
    nord_campaign: Campaign,
    bs_campaign: Campaign,
    make_application: MakeApplication,
    nord_finance: User,
) -> None:
    _files_with_money(nord_campaign, make_application, 2)
    elsewhere = make_application(bs_campaign)
    ledger.charge(elsewhere.pk, charge_kind=FEE, amount_cents=8_000, by=None)
    client.force_login(nord_finance)
    answer = client.get(
        "/en/office/finance/export/", {"format": "csv", "campaign": nord_campaign.pk}
    )
    assert answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 4  # two charges and two payments, nothing of the other school
    assert {row[5] for row in rows[1:]} == {"Charge", "Payment"}
    assert {row[9] for row in rows[1:]} == {"60.00", "-25.00"}
    xlsx = client.get("/office/finance/export/", {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet.max_row == 5
    bad = client.get(
        "/en/office/finance/export/", {"format": "csv", "start": "2024-06-02", "end": "2024-06-01"}
    )
    assert "The start date is after the end date." in bad.content.decode()


def test_exports_never_start_a_cell_with_a_formula(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    owner = make_user(first_name='=HYPERLINK("http://x")')
    application = make_application(nord_campaign, owner=owner)
    ledger.charge(application.pk, charge_kind=FEE, amount_cents=6_000, by=None, note="+cmd")
    rows = list(
        csv.reader(io.StringIO(LedgerExport(LedgerEntry.objects.all()).csv().decode("utf-8-sig")))
    )
    assert rows[1][2].startswith("'=")
    assert rows[1][-1] == "'+cmd"
