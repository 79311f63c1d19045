"""The scene of the query budgets: the demonstration data, then more of every row a page lists.

`build()` loads what `make run` shows (both schools' demonstration campaigns, staff for every
role, candidates at every stage) and adds one row of each kind the demonstration lacks (a
bank statement, a payment issue, a refund request, a direct-debit batch). `grow()` then adds
`MORE` rows of every kind a page lists: history events, files, documents, ledger entries and
receipts, diplomas and jobs, statements, issues, refunds, debits. A page whose queries depend
on its rows costs more after `grow()`; one within its budget costs the same.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from admissions.applications.choices import financing_modes_for
from admissions.applications.history import record_event
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign, JurySession, Programme
from admissions.demo.candidates import sample_pdf
from admissions.documents.models import AccessKind, Document, DocumentAccess
from admissions.documents.services import upload_document
from admissions.jury.models import AgendaItem, Conflict, Decision, SessionMember
from admissions.notify.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from admissions.payments import checkout, ledger, mandates, receipts, reconcile, sepa, services
from admissions.payments.models import (
    DebitBatch,
    FinanceDocument,
    Method,
    PaymentIssue,
    RefundRequest,
)
from admissions.people.bank_rights import BankDetailsChange
from admissions.people.logins import LoginEvent
from admissions.people.models import ApiToken, CandidateProfile, Education, User, WorkPeriod
from admissions.people.tokens import new_secret
from admissions.rules.deadlines import PARIS, paris_date
from admissions.rules.vocabulary import ChargeKind
from admissions.workflow.drafts import create_application
from admissions.workflow.messages import post_message
from tests.payments.camt import statement

# A moment when the demonstration campaigns are open (they follow the clock).
NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS)
MORE = 3
_numbers = itertools.count(1)

CANDIDATES = {
    "account": "camille.durand@candidate.example",
    "draft": "lea.martin@candidate.example",
    "submitted": "karim.benali@candidate.example",
    "admissible": "sofia.rossi@candidate.example",
    "admitted": "hugo.lefebvre@candidate.example",
    "withdrawn": "ines.moreau@candidate.example",
}
NORD = "imt-nord-europe"
IBAN = "FR1420041010050500013M02606"


@dataclass
class World:
    people: dict[str, User] = field(default_factory=dict)
    files: dict[str, Application] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    rows: dict[str, Any] = field(default_factory=dict)

    def client(self, who: str) -> Client:
        client = Client()
        if who != "anonymous":
            client.force_login(self.people[who])
        return client


def build() -> World:
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    world = World()
    for stage, email in CANDIDATES.items():
        world.people[stage] = User.objects.get(email=email)
        found = Application.objects.filter(candidate__email=email).first()
        if found is not None:
            world.files[stage] = found
    for school in ("imt-bs", NORD):
        world.campaigns[school] = Campaign.objects.get(
            institution__slug=school, slug__endswith="-demo"
        )
        for role in ("officer", "finance", "admin", "lead", "president"):
            world.people[f"{role}@{school}"] = User.objects.get(email=f"{role}@{school}.example")
    world.people["platform"] = User.objects.get(email="platform@admissions.example")
    _upload(world.files["draft"], by=world.people["draft"])  # one document of the draft
    _money_on_the_admitted_file(world)
    _card_payment_started(world)
    _finance_rows(world, count=1)
    _integrations(world, count=1)
    _document_reads(world, count=1)
    return world


def grow(world: World) -> None:
    """`MORE` more of every row the pages list."""
    for application in world.files.values():
        for _ in range(MORE):
            record_event(application, action="application.draft_saved", by=application.candidate)
    for user in [world.people[stage] for stage in CANDIDATES]:
        profile = CandidateProfile.objects.get(user=user)
        for number in range(MORE):
            Education.objects.create(
                profile=profile,
                level=5,
                diploma_kind="master_m2",
                title=f"Master {number}",
                school="Université de démonstration",
                country="FR",
                year=2015 + number,
            )
            WorkPeriod.objects.create(
                profile=profile,
                employer=f"Entreprise {number}",
                position="Analyste",
                start=dt.date(2016 + number, 1, 1),
                end=dt.date(2016 + number, 12, 31),
            )
    _more_files(world)
    _more_agenda(world)
    _more_places(world)
    _more_documents(world)
    _more_money(world)
    _more_debits(world)
    _finance_rows(world, count=MORE)
    _more_logins(world)
    _integrations(world, count=MORE)
    _document_reads(world, count=MORE)


def _more_files(world: World) -> None:
    """Drafts of the draft candidate in other programmes, and submitted files of others."""
    draft = world.files["draft"]
    others = Programme.objects.filter(institution__slug=NORD, is_active=True).exclude(
        pk=draft.programme_id
    )
    for programme in others[:MORE]:
        track = programme.tracks[0]
        create_application(
            candidate=draft.candidate,
            campaign=draft.campaign,
            programme=programme,
            track=track,
            financing_mode=_mode(draft.campaign, track),
        )
    submitted = world.files["submitted"]
    for _ in range(MORE):
        application = create_application(
            candidate=_new_candidate(),
            campaign=submitted.campaign,
            programme=submitted.programme,
            track=submitted.track,
            financing_mode=submitted.financing_mode,
        )
        Application.objects.filter(pk=application.pk).update(
            status=Status.SUBMITTED, submitted_at=timezone.now()
        )
        # More files with money too, for the lists of balances.
        ledger.charge(
            application.pk, charge_kind=ChargeKind.APPLICATION_FEE, amount_cents=100, by=None
        )


def _more_agenda(world: World) -> None:
    """More files on the demonstration jury's agenda, with decisions, reviews and conflicts."""
    session = JurySession.objects.filter(agenda__application__status="on_agenda").distinct().get()
    juror = User.objects.get(email=f"juror@{NORD}.example")
    submitted = world.files["submitted"]
    for _ in range(MORE):
        application = create_application(
            candidate=_new_candidate(),
            campaign=session.campaign,
            programme=submitted.programme,
            track=submitted.track,
            financing_mode=submitted.financing_mode,
        )
        Application.objects.filter(pk=application.pk).update(
            status=Status.ON_AGENDA, submitted_at=timezone.now()
        )
        AgendaItem.objects.create(session=session, application=application, ready_on=NOW.date())
        Conflict.objects.create(application=application, member=juror, reason="Ancien collègue")
        Decision.objects.create(
            application=application,
            session=session,
            outcome="not_admitted",
            reason="Dossier incomplet",
            entered_by=juror,
            entered_at=timezone.now(),
        )
    SessionMember.objects.create(session=session, user=_new_candidate(), present=False)


def _more_places(world: World) -> None:
    """More offers and waiting candidates in the admitted file's programme, with their moves."""
    admitted = world.files["admitted"]
    for number in range(MORE * 2):
        application = create_application(
            candidate=_new_candidate(),
            campaign=admitted.campaign,
            programme=admitted.programme,
            track=admitted.track,
            financing_mode=admitted.financing_mode,
        )
        status = Status.WAITLISTED if number % 2 else Status.ADMITTED
        Application.objects.filter(pk=application.pk).update(
            status=status, waitlist_rank=number if number % 2 else None
        )
        ApplicationEvent.objects.create(
            application=application,
            action=f"application.publish_{status}",
            from_status=Status.ON_AGENDA,
            to_status=status,
        )


def _more_documents(world: World) -> None:
    """New versions of a document of the submitted file, and documents of the draft."""
    for stage, by in (("submitted", f"officer@{NORD}"), ("draft", "draft")):
        for _ in range(MORE):
            _upload(world.files[stage], by=world.people[by])
    draft = world.files["draft"]
    for code in ("lettre-motivation", "diplome")[:MORE]:
        _upload(draft, by=draft.candidate, code=code)


def _upload(application: Application, *, by: User, code: str = "cv") -> None:
    upload_document(
        application=application,
        requirement_code=code,
        stream=io.BytesIO(sample_pdf(f"{code} {next(_numbers)}")),
        filename=f"{code}.pdf",
        by=by,
        valid_until=None,
        foreign_language=False,
    )


def _more_money(world: World) -> None:
    """More charges, payments, receipts and invoices on the files that hold money."""
    for stage in ("submitted", "admitted"):
        application = world.files[stage]
        for _ in range(MORE):
            charge = ledger.charge(
                application.pk, charge_kind=ChargeKind.APPLICATION_FEE, amount_cents=100, by=None
            )
            ledger.record_payment(
                application.pk,
                charge_kind=ChargeKind.APPLICATION_FEE,
                amount_cents=100,
                method=Method.CARD,
                by=None,
            )
            receipts.issue_invoice(charge, by=None)


def _money_on_the_admitted_file(world: World) -> None:
    """Tuition in instalments, a signed mandate and its first debit; an invoice."""
    application = world.files["admitted"]
    institution = application.programme.institution
    sepa.set_creditor_id(institution, "FR72ZZZ123456", by=world.people[f"finance@{NORD}"])
    _tuition_by_direct_debit(application)
    entry = application.ledger_entries.filter(kind="charge").order_by("pk").first()
    assert entry is not None
    world.rows["invoice"] = receipts.issue_invoice(entry, by=None)
    world.rows["batch"] = _debits(world, days=3)


def _card_payment_started(world: World) -> None:
    """A draft at IMT-BS, whose fee is paid by card, with a card payment started."""
    campaign = world.campaigns["imt-bs"]
    programme = Programme.objects.filter(institution=campaign.institution, is_active=True)[0]
    track = programme.tracks[0]
    application = create_application(
        candidate=world.people["account"],
        campaign=campaign,
        programme=programme,
        track=track,
        financing_mode=_mode(campaign, track),
    )
    world.files["card"] = application
    world.rows["checkout"], _ = checkout.start_card_checkout(
        application,
        charge_kind=ChargeKind.APPLICATION_FEE,
        instalment=None,
        by=application.candidate,
        success_url="http://testserver/done/",
        cancel_url="http://testserver/",
        language="fr",
    )


def _tuition_by_direct_debit(application: Application) -> None:
    today = paris_date(timezone.now())
    services.charge_tuition(application, by=None, registered_on=today, starts_on=today)
    mandates.sign_mandate(application, holder="Camille Martin", iban=IBAN, by=application.candidate)


def _debits(world: World, *, days: int) -> DebitBatch:
    """The direct-debit file of the instalments due in `days` days."""
    return sepa.export_batch(
        world.campaigns[NORD].institution,
        paris_date(timezone.now()) + dt.timedelta(days=days),
        by=world.people[f"finance@{NORD}"],
    )


def _finance_rows(world: World, *, count: int) -> None:
    """Statements with an unknown transfer (an issue each) and refund requests."""
    institution = world.campaigns[NORD].institution
    finance = world.people[f"finance@{NORD}"]
    admitted = world.files["admitted"]
    for _ in range(count):
        number = next(_numbers)
        record = reconcile.import_statement(
            institution=institution,
            data=statement("unknown.xml").replace(b"UNKNOWN", f"UNKNOWN{number}".encode()),
            filename=f"releve-{number}.xml",
            by=finance,
        )
        world.rows.setdefault("statement", record)
        RefundRequest.objects.create(
            application=admitted,
            charge_kind=ChargeKind.APPLICATION_FEE,
            amount_cents=100,
            event="candidate_withdraws",
            rule_code="demo",
            requested_by=finance,
        )
    world.rows["issue"] = PaymentIssue.objects.order_by("pk").first()
    world.rows["refund"] = RefundRequest.objects.order_by("pk").first()
    world.rows["receipt"] = FinanceDocument.objects.filter(kind="receipt").order_by("pk").first()
    world.rows["document"] = (
        Document.objects.filter(application=world.files["submitted"]).order_by("pk").first()
    )


def _more_debits(world: World) -> None:
    """Admitted files of other candidates paying by direct debit, in a new, larger file."""
    admitted = world.files["admitted"]
    for _ in range(MORE):
        application = create_application(
            candidate=_new_candidate(),
            campaign=admitted.campaign,
            programme=admitted.programme,
            track=admitted.track,
            financing_mode=admitted.financing_mode,
        )
        Application.objects.filter(pk=application.pk).update(
            status=Status.ADMITTED, submitted_at=timezone.now()
        )
        _tuition_by_direct_debit(application)
    world.rows["batch"] = _debits(world, days=4)


def _new_candidate() -> User:
    number = next(_numbers)
    return User.objects.create_user(f"budget{number}@candidate.example", None, first_name="A")


def _mode(campaign: Campaign, track: str) -> str:
    return financing_modes_for(campaign, track)[0].code


def _integrations(world: World, *, count: int) -> None:
    """Webhook endpoints with deliveries, API tokens, and messages on the submitted file."""
    institution = world.campaigns[NORD].institution
    submitted = world.files["submitted"]
    for number in range(count):
        endpoint = WebhookEndpoint.objects.create(
            institution=institution,
            url=f"https://erp{number}.example.org/hooks",
            events=["application.submitted"],
            secret="s",
        )
        world.rows.setdefault("endpoint", endpoint)
        WebhookDelivery.objects.create(
            endpoint=world.rows["endpoint"],
            event="application.submitted",
            event_id=uuid.uuid4(),
            payload={"data": {"reference": submitted.reference}},
            response_status=200,
            status=DeliveryStatus.DELIVERED,
        )
        _text, key_id, digest = new_secret()
        ApiToken.objects.create(
            user=world.people["submitted"], name=f"token {number}", key_id=key_id, digest=digest
        )
        _text, key_id, digest = new_secret()
        ApiToken.objects.create(
            user=world.people[f"officer@{NORD}"],
            name=f"staff token {number}",
            key_id=key_id,
            digest=digest,
            institution=world.campaigns[NORD].institution,
        )
        post_message(submitted, by=submitted.candidate, body=f"Question {number}")


def _document_reads(world: World, *, count: int) -> None:
    """Views and downloads of documents by staff, for the administrator's access log."""
    submitted = world.files["submitted"]
    readers = [world.people[f"officer@{NORD}"], world.people[f"lead@{NORD}"]]
    DocumentAccess.objects.bulk_create(
        DocumentAccess(
            user=reader,
            institution_id=submitted.programme.institution_id,
            application=submitted,
            reference=submitted.reference,
            requirement_code="cv",
            version_number=1,
            kind=AccessKind.VIEW,
            ip_address="127.0.0.1",
        )
        for reader in readers
        for _ in range(count)
    )


def _more_logins(world: World) -> None:
    """Log-ins of everyone, refused ones too, and changes of the school's bank details."""
    now = timezone.now()
    institution = world.campaigns[NORD].institution
    for user in User.objects.order_by("pk"):
        for number in range(MORE):
            LoginEvent.objects.create(
                user=user,
                at=now - dt.timedelta(hours=number + 1),
                succeeded=number != 0,
                method="mfa",
                ip="203.0.113.7",
                user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
                device=f"device-{number}",
            )
    for number in range(MORE):
        BankDetailsChange.objects.create(
            institution=institution,
            by=User.objects.order_by("pk").first(),
            at=now - dt.timedelta(days=number + 1),
            old_iban="FR76 •••• 3444",
            new_iban="FR76 •••• 0189",
            old_bic="TRPUFRP1",
            new_bic="AGRIFRPP",
            old_holder="IMT",
            new_holder="IMT",
            confirmed_by="totp",
        )
