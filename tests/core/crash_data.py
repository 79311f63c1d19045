"""What the crash tests build and read in the served site's own database, from a child process.

Each function prints one line of JSON. They run with `manage shell -c` in the environment of
the server under test (its database and storage), on the demonstration data (`seed_demo`).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import Counter
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from admissions.applications import report_counts, step_counts
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent, StepCount
from admissions.catalog.models import Campaign
from admissions.demo.candidates import sample_jpeg, sample_pdf
from admissions.documents import housekeeping, storage
from admissions.documents.models import DocumentVersion, QuarantinedFile
from admissions.documents.services import requirement_for, upload_document
from admissions.documents.status import missing_requirements
from admissions.jury import agenda, decisions
from admissions.jury.models import Decision, Publication, Seat, SessionMember
from admissions.notify.models import Notification
from admissions.payments import fee_totals, ledger
from admissions.payments.models import CardCheckout, LedgerEntry, Method
from admissions.people.models import User
from admissions.people.tokens import ApiToken, new_secret
from admissions.rules.vocabulary import ChargeKind, DocumentFormat
from admissions.workflow import checks
from admissions.workflow.confirmation import confirmation_state
from tests import factories

INSTITUTION = "imt-nord-europe"


def _print(data: dict[str, Any]) -> None:
    print(json.dumps(data, default=str))


def _token(user: User) -> str:
    text, key_id, digest = new_secret()
    ApiToken.objects.create(
        user=user, name="crash test", key_id=key_id, digest=digest, can_write=True
    )
    return text


def _campaign() -> Campaign:
    return Campaign.objects.get(institution__slug=INSTITUTION, slug__endswith="-demo")


def _upload(application: Application, code: str, by: User) -> None:
    requirement = requirement_for(application, code)
    if DocumentFormat.PDF in requirement.formats:
        content, name = sample_pdf(str(requirement.label)), f"{code}.pdf"
    else:
        content, name = sample_jpeg(), f"{code}.jpg"
    valid_until = timezone.localdate() + dt.timedelta(days=1000)
    upload_document(
        application=application,
        requirement_code=code,
        stream=io.BytesIO(content),
        filename=name,
        by=by,
        valid_until=valid_until if requirement.needs_validity_date else None,
        foreign_language=False,
        number="NOR1 123456 78" if requirement.number_label is not None else "",
    )


def _line(kind: str) -> dict[str, Any]:
    """The ledger's line of what confirming costs: the first instalment is the tuition's."""
    if kind == ChargeKind.TUITION_FIRST_INSTALMENT:
        return {"charge_kind": ChargeKind.TUITION, "instalment": 1}
    return {"charge_kind": ChargeKind(kind), "instalment": None}


def prepare() -> None:
    """A complete draft with its documents stored, an admission whose deposit is due, and a
    jury session with files on its agenda; the kept totals counted from the raw rows."""
    campaign = _campaign()
    # A draft ready to send: documents uploaded (stored), fee paid.
    candidate = factories.eligible_candidate()
    draft = factories.draft(
        candidate,
        campaign,
        cover_letter=factories.COVER_LETTER,
        professional_project=factories.PROFESSIONAL_PROJECT,
    )
    for code in missing_requirements(draft):
        if requirement_for(draft, code).provided_by == "candidate":
            _upload(draft, code, candidate)
    factories.pay_fee(draft)
    report = checks.run_checks(draft)
    assert report.ready, report.as_data()
    # A demonstration's admitted file: the sum confirming costs (the deposit: at IMT Nord
    # Europe the first instalment of tuition) is left for a card checkout of the provider.
    admitted, state = next(
        (application, found)
        for application in Application.objects.filter(
            campaign=campaign, status=Status.ADMITTED
        ).order_by("pk")
        if (found := confirmation_state(application)) is not None
        and found.is_open
        and any(not amount.paid for amount in found.amounts)
    )
    for code, _label in state.missing:
        _upload(admitted, code, admitted.candidate)
    unpaid = [amount for amount in state.amounts if not amount.paid]
    for amount in unpaid[1:]:
        ledger.record_payment(
            admitted.pk,
            **_line(amount.charge_kind),
            amount_cents=amount.outstanding_cents,
            method=Method.CARD,
            by=None,
            external_id=f"crash-{amount.charge_kind}",
        )
    deposit = unpaid[0]
    checkout = CardCheckout.objects.create(
        application=admitted,
        **_line(deposit.charge_kind),
        amount_cents=deposit.outstanding_cents,
        provider="stripe",
        session_id="cs_test_crash_deposit",
    )
    # The jury: every file on the agenda but one decided by a member; the test enters the
    # last decision, has the president validate and publish.
    session = agenda.open_sessions(campaign.pk)[0]
    seats = {m.seat: m.user for m in SessionMember.objects.filter(session=session)}
    juror = (
        SessionMember.objects.filter(session=session, seat=Seat.MEMBER)
        .select_related("user")
        .order_by("pk")[0]
        .user
    )
    on_agenda = list(
        Application.objects.filter(campaign=campaign, status=Status.ON_AGENDA).order_by("pk")
    )
    undecided = [a for a in on_agenda if not Decision.objects.filter(application=a).exists()]
    assert undecided, on_agenda
    for application in undecided[1:]:
        decisions.enter_decision(application, by=juror, outcome="admitted", via="crash test")
    _rebuild_totals()
    _print(
        {
            "draft": draft.reference,
            "candidate_token": _token(candidate),
            "admitted": admitted.reference,
            "admitted_token": _token(admitted.candidate),
            "checkout": checkout.session_id,
            "deposit_cents": checkout.amount_cents,
            "session": session.pk,
            "last_on_agenda": undecided[0].reference,
            "on_agenda": [a.reference for a in on_agenda],
            "juror_token": _token(juror),
            "president_token": _token(seats[Seat.PRESIDENT]),
        }
    )


def _rebuild_totals() -> None:
    step_counts.rebuild()
    report_counts.rebuild()
    fee_totals.rebuild()


def _step_counts_agree() -> bool:
    kept = {
        (p, s): n
        for p, s, n in StepCount.objects.exclude(files=0).values_list(
            "programme_id", "status", "files"
        )
    }
    counted = {
        (p, s): n
        for p, s, n in Application.objects.exclude(status=Status.DRAFT)
        .order_by()
        .values("programme_id", "status")
        .annotate(n=Count("pk"))
        .values_list("programme_id", "status", "n")
    }
    return kept == counted


def _report_counts_agree() -> bool:
    totals, _reached = report_counts.recount()
    kept = report_counts.kept()

    def positive(counter: Counter[Any]) -> dict[Any, int]:
        return {key: n for key, n in counter.items() if n}

    return (
        positive(totals.funnel) == positive(kept.funnel)
        and positive(totals.durations) == positive(kept.durations)
        and positive(totals.waitlist) == positive(kept.waitlist)
    )


def _storage() -> dict[str, Any]:
    """Files rows name but storage lacks, and files no row names that upkeep leaves."""
    named = set(DocumentVersion.objects.exclude(file="").values_list("file", flat=True))
    named |= set(QuarantinedFile.objects.values_list("storage_key", flat=True))
    missing = sorted(key for key in named if not storage.exists(key))
    stored = {
        key
        for prefix in (storage.DOCUMENTS, storage.QUARANTINE, storage.INCOMING)
        for key in storage.keys_under(prefix)
    }
    unnamed = sorted(stored - named)
    # What the upkeep would do a day later; nothing is deleted here.
    later = timezone.now() + housekeeping.INCOMING_GRACE + dt.timedelta(minutes=1)
    swept = [key for key in unnamed if storage.older_than(key, later)]
    return {
        "missing": missing,
        "unnamed": unnamed,
        "left_by_upkeep": sorted(set(unnamed) - set(swept)),
    }


def state(references: list[str], session_id: int | None = None) -> None:
    """The files' status, history, money, emails and documents, the kept totals and storage."""
    files = {}
    for application in Application.objects.filter(reference__in=references):
        files[application.reference] = {
            "status": application.status,
            # The outbox's deliveries, which the server's worker makes whenever it runs,
            # are left out: what a request wrote is the rest.
            "events": list(
                ApplicationEvent.objects.filter(application=application)
                .exclude(Q(action__startswith="notification.") & ~Q(action="notification.queued"))
                .order_by("pk")
                .values_list("action", flat=True)
            ),
            "payments": list(
                LedgerEntry.objects.filter(application=application, kind="payment")
                .order_by("pk")
                .values_list("charge_kind", "amount_cents", "external_id")
            ),
            "emails": list(
                Notification.objects.filter(application=application)
                .order_by("pk")
                .values_list("kind", flat=True)
            ),
            "versions": list(
                DocumentVersion.objects.filter(document__application=application)
                .order_by("pk")
                .values_list("document__requirement_code", "number", "file")
            ),
            "current": sorted(
                application.documents.exclude(current_version=None).values_list(
                    "requirement_code", "current_version__number"
                )
            ),
            "decision": list(
                Decision.objects.filter(application=application).values_list(
                    "outcome", "validated_at", "published_at"
                )
            ),
            "checkouts": list(
                CardCheckout.objects.filter(application=application).values_list(
                    "session_id", "status", "payment_id"
                )
            ),
        }
    session = None
    if session_id is not None:
        session = {
            "decided": Decision.objects.filter(session_id=session_id).count(),
            "published": Decision.objects.filter(
                session_id=session_id, published_at__isnull=False
            ).count(),
            "publications_done": Publication.objects.filter(
                session_id=session_id, done_at__isnull=False
            ).count(),
            "publications_due": Publication.objects.filter(
                session_id=session_id, done_at__isnull=True
            ).count(),
        }
    with transaction.atomic():
        fees = fee_totals.kept() == fee_totals.recount()
    _print(
        {
            "files": files,
            "session": session,
            "totals": {
                "steps": _step_counts_agree(),
                "report": _report_counts_agree(),
                "fees": fees,
            },
            "storage": _storage(),
        }
    )
