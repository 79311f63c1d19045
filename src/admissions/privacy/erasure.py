"""Erasing a candidate's personal data: a file's, an account's, and a candidate's request.

What goes (docs/privacy.md): the documents and their stored bytes, the typed texts (cover
letter, professional project), message bodies and attachments, staff's free-text notes and
comments on the file, the emails' contents, the reasons written in the history; for an
account, its identity and profile. What stays is what the statistics count: the Application
row with its status, programme, campaign, track, financing mode, entry route, EU and abroad
flags and dates; its history's actions and statuses; the step counts. The accounting records
(ledger, receipts and invoices, mandates, refund requests) stay until their own period ends
(`erase_accounting`).

Each function is idempotent: a file or account already erased is left as it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.history import record_event
from admissions.applications.lifecycle import REGISTERING, WITHDRAWABLE
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import without_rulebooks
from admissions.core.errors import NotAllowed
from admissions.documents import storage
from admissions.documents.models import Document, DocumentVersion, QuarantinedFile
from admissions.notify.models import Audience, Notification
from admissions.notify.models import Status as NotificationStatus
from admissions.payments.models import FinanceDocument, LedgerEntry, Mandate, RefundRequest
from admissions.people.models import User
from admissions.people.profile import CandidateProfile
from admissions.people.tokens import ApiToken
from admissions.privacy.models import Cause, ErasedAccount, ErasedFile, ErasureRequest
from admissions.review.models import AdmissibilityReview, Interview, StaffNote
from admissions.rules.deadlines import paris_date
from admissions.rules.retention import accounting_until, personal_data_until
from admissions.rules.schema import Retention
from admissions.workflow.drafts import withdraw
from admissions.workflow.models import InternationalFile, Message, MessageAttachment

ERASED_DOMAIN = "erased.invalid"
NOT_SENT = "not sent: the personal data of the file was erased"
# Keys of history details that hold words someone wrote about the person.
FREE_TEXT_KEYS = frozenset({"reason", "note", "text", "body", "comment", "subject"})


def erased_email(user_id: int) -> str:
    return f"erased-{user_id}@{ERASED_DOMAIN}"


# Periods --------------------------------------------------------------------------------


def retention_of(application: Application) -> Retention | None:
    privacy = application.campaign.institution.rules.privacy
    return privacy.retention if privacy is not None else None


def is_admitted(application: Application) -> bool:
    return application.status in REGISTERING


def personal_until(application: Application, retention: Retention) -> dt.date:
    last_change = max(application.updated_at, application.status_changed_at)
    return personal_data_until(
        retention,
        admitted=is_admitted(application),
        campaign_closes_on=application.campaign.closes_on,
        last_change_on=paris_date(last_change),
    )


def last_entry_on(application: Application) -> dt.date | None:
    last = LedgerEntry.objects.filter(application=application).aggregate(last=Max("created_at"))
    return paris_date(last["last"]) if last["last"] is not None else None


def accounts_until(application: Application, retention: Retention) -> dt.date | None:
    return accounting_until(retention, last_entry_on=last_entry_on(application))


# One file -------------------------------------------------------------------------------


@dataclass
class FileErasure:
    documents: int = 0
    messages: int = 0
    keys: list[str] = field(default_factory=list)


def _erase_documents(application: Application, done: FileErasure) -> None:
    versions = DocumentVersion.objects.filter(document__application=application)
    done.keys += [key for key in versions.values_list("file", flat=True) if key]
    quarantined = QuarantinedFile.objects.filter(application=application)
    done.keys += list(quarantined.values_list("storage_key", flat=True))
    quarantined.delete()
    documents = Document.objects.filter(application=application)
    done.documents = documents.count()
    # Versions go with their documents (CASCADE); the access log keeps its copied names.
    Document.objects.filter(application=application).update(current_version=None)
    documents.delete()


def _erase_messages(application: Application, done: FileErasure) -> None:
    attachments = MessageAttachment.objects.filter(message__application=application)
    done.keys += list(attachments.values_list("file", flat=True))
    attachments.delete()
    done.messages = Message.objects.filter(application=application).update(body="")


def _erase_texts(application: Application) -> None:
    Application.objects.filter(pk=application.pk).update(
        cover_letter="", professional_project="", sort_name=""
    )
    StaffNote.objects.filter(application=application).update(text="")
    AdmissibilityReview.objects.filter(application=application).update(comment="")
    Interview.objects.filter(application=application).update(comment="")
    InternationalFile.objects.filter(application=application).update(campus_france_number="")
    emails = Notification.objects.filter(application=application)
    # What is still queued would go out empty: it is not sent.
    emails.filter(status=NotificationStatus.QUEUED).update(
        status=NotificationStatus.FAILED, last_error=NOT_SENT
    )
    emails.exclude(audience=Audience.STAFF).update(
        to_address=erased_email(application.candidate_id)
    )
    emails.update(reply_to="", subject="", text="", html="", calendar="")
    events = list(ApplicationEvent.objects.filter(application=application))
    changed = []
    for event in events:
        details = event.details if isinstance(event.details, dict) else {}
        if FREE_TEXT_KEYS & details.keys():
            event.details = {k: v for k, v in details.items() if k not in FREE_TEXT_KEYS}
            changed.append(event)
    ApplicationEvent.objects.bulk_update(changed, ["details"])


def erase_file(application: Application, *, cause: Cause, by: User | None = None) -> bool:
    """Erase the file's personal data; False when it was erased already."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if ErasedFile.objects.filter(application=locked).exists():
            return False
        done = FileErasure()
        _erase_documents(locked, done)
        _erase_messages(locked, done)
        _erase_texts(locked)
        ErasedFile.objects.create(application=locked, cause=cause)
        record_event(
            locked,
            action="privacy.erased",
            by=by,
            details={"cause": str(cause), "documents": done.documents, "messages": done.messages},
        )
        keys = [key for key in done.keys if key]
        # The bytes go once the rows are gone for good: a rolled-back erasure keeps them.
        transaction.on_commit(lambda: storage.delete_quietly(*keys))
    return True


def erase_accounting(application: Application, *, by: User | None = None) -> bool:
    """Make the file's accounting records anonymous once their period is over.

    The amounts, dates and numbers stay (they are the accounts); the payer's name, address,
    bank details and free texts go. False when done already or the file is not erased yet.
    """
    with transaction.atomic():
        erased = ErasedFile.objects.select_for_update().filter(application=application).first()
        if erased is None or erased.accounting_erased_at is not None:
            return False
        Mandate.objects.filter(application=application).update(holder="", iban="", bic="")
        RefundRequest.objects.filter(application=application).update(reason="", decision_note="")
        LedgerEntry.objects.filter(application=application).update(note="")
        documents = list(FinanceDocument.objects.filter(application=application))
        for document in documents:
            content: dict[str, Any] = dict(document.content or {})
            content["candidate"] = {"name": "", "email": ""}
            document.content = content
        FinanceDocument.objects.bulk_update(documents, ["content"])
        erased.accounting_erased_at = timezone.now()
        erased.save(update_fields=["accounting_erased_at"])
        record_event(application, action="privacy.accounting_erased", by=by)
    return True


# One account ----------------------------------------------------------------------------


def close_account(user: User) -> None:
    """No more signing in: no password, inactive; other sessions end with the password."""
    user.set_unusable_password()
    user.is_active = False
    user.save(update_fields=["password", "is_active"])
    ApiToken.objects.filter(user=user).delete()


def erase_account(user: User, *, cause: Cause) -> bool:
    """Erase the account's identity and profile; False when it was erased already."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if ErasedAccount.objects.filter(user=locked).exists():
            return False
        close_account(locked)
        CandidateProfile.objects.filter(user=locked).delete()
        locked.email = erased_email(locked.pk)
        locked.first_name = ""
        locked.last_name = ""
        locked.save(update_fields=["email", "first_name", "last_name"])
        _forget_addresses(locked)
        emails = Notification.objects.filter(recipient=locked)
        emails.filter(status=NotificationStatus.QUEUED).update(
            status=NotificationStatus.FAILED, last_error=NOT_SENT
        )
        emails.update(to_address=locked.email, subject="", text="", html="", calendar="")
        ErasedAccount.objects.create(user=locked, cause=cause)
    return True


def _forget_addresses(user: User) -> None:
    EmailAddress.objects.filter(user=user).delete()


# A candidate's request ------------------------------------------------------------------


@dataclass(frozen=True)
class Kept:
    reference: str
    until: dt.date | None  # None: the institution set no period; kept until it does
    admitted: bool


@dataclass(frozen=True)
class Outcome:
    erased: list[str]
    kept: list[Kept]
    accounting: list[Kept]
    account_erased: bool

    def as_json(self) -> dict[str, Any]:
        def row(kept: Kept) -> dict[str, Any]:
            until = kept.until.isoformat() if kept.until else None
            return {"reference": kept.reference, "until": until, "admitted": kept.admitted}

        return {
            "erased": self.erased,
            "kept": [row(k) for k in self.kept],
            "accounting": [row(k) for k in self.accounting],
            "account_erased": self.account_erased,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        def kept(row: dict[str, Any]) -> Kept:
            until = dt.date.fromisoformat(row["until"]) if row.get("until") else None
            return Kept(reference=row["reference"], until=until, admitted=row["admitted"])

        return cls(
            erased=list(data.get("erased", [])),
            kept=[kept(row) for row in data.get("kept", [])],
            accounting=[kept(row) for row in data.get("accounting", [])],
            account_erased=bool(data.get("account_erased")),
        )


def _files(user: User) -> list[Application]:
    """The candidate's files with their last ledger entry's time (`last_entry_at`), in a
    number of queries that does not grow with the files."""
    return list(
        Application.objects.filter(candidate=user)
        .select_related("campaign__institution", "programme")
        .defer(*without_rulebooks("campaign", "campaign__institution"))
        .annotate(last_entry_at=Max("ledger_entries__created_at"))
        .order_by("created_at", "pk")
    )


def request_erasure(user: User, *, now: dt.datetime | None = None) -> Outcome:
    """Carry out a candidate's request: erase what may go now, keep what the law keeps.

    Files in progress are withdrawn first (a file without its documents cannot be judged);
    admitted and confirmed files are kept for their period, and the account's identity with
    them; the accounting records of every file stay for theirs. The request is recorded in
    every file's history, and the account is closed at once whatever is kept.
    """
    if user.holds_staff_role or user.is_superuser:
        raise NotAllowed(
            _("A staff account is closed by the institution's administrator."),
            code="staff_account",
        )
    with transaction.atomic():
        return _request_erasure(user, today=paris_date(now or timezone.now()))


@dataclass(frozen=True)
class Decision:
    """What a request would do to one file."""

    application: Application
    erase_now: bool
    kept_until: dt.date | None  # personal data, when kept (None: no period set)
    has_accounting: bool  # ledger entries, kept for their own period
    accounting_until: dt.date | None  # None: no period set, or no entries


def plan(user: User, *, today: dt.date) -> list[Decision]:
    """What a request by `user` would erase at once and keep, file by file."""
    decisions = []
    for application in _files(user):
        retention = retention_of(application)
        last_entry_at: dt.datetime | None = getattr(application, "last_entry_at", None)
        has_money = last_entry_at is not None
        accounts = (
            accounting_until(retention, last_entry_on=paris_date(last_entry_at))
            if retention is not None and last_entry_at is not None
            else None
        )
        if is_admitted(application):
            until = personal_until(application, retention) if retention else None
            if until is None or until >= today:
                decisions.append(Decision(application, False, until, has_money, accounts))
                continue
        decisions.append(Decision(application, True, None, has_money, accounts))
    return decisions


def _request_erasure(user: User, *, today: dt.date) -> Outcome:
    erased: list[str] = []
    kept: list[Kept] = []
    accounting: list[Kept] = []
    for decision in plan(user, today=today):
        application = decision.application
        record_event(application, action="privacy.erasure_requested", by=user)
        if decision.has_accounting:
            accounting.append(Kept(application.reference, decision.accounting_until, False))
        if not decision.erase_now:
            kept.append(Kept(application.reference, decision.kept_until, admitted=True))
            continue
        if application.status in WITHDRAWABLE:
            withdraw(application, by=user, reason="")
        erase_file(application, cause=Cause.REQUEST, by=user)
        erased.append(application.reference)
    if kept:
        close_account(user)
        account_erased = False
    else:
        erase_account(user, cause=Cause.REQUEST)
        account_erased = True
    outcome = Outcome(erased, kept, accounting, account_erased)
    ErasureRequest.objects.create(user=user, outcome=outcome.as_json())
    return outcome
