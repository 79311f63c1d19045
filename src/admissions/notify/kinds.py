"""Every email the platform sends about a file: its placeholders, its link, who reads it.

The registry is the one list of what an institution may reword (`TemplateOverride`): an
override may use exactly the placeholders its kind lists, and the preview fills them with
the samples below. The default templates (`notify/templates/notify/email/<kind>/`) receive
the same names, so a default and an override say the same things.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from admissions.applications.lifecycle import Status
from admissions.notify.models import Audience
from admissions.notify.restricted import Value
from admissions.rules.deadlines import PARIS
from admissions.rules.money import format_eur


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _day(year: int, month: int, day: int) -> Callable[[], Value]:
    return lambda: formats.date_format(dt.date(year, month, day), "DATE_FORMAT")


def _moment(year: int, month: int, day: int, hour: int, minute: int) -> Callable[[], Value]:
    return lambda: formats.date_format(
        dt.datetime(year, month, day, hour, minute, tzinfo=PARIS), "DATETIME_FORMAT"
    )


def _euros(cents: int) -> Callable[[], Value]:
    return lambda: format_eur(cents, _language())


@dataclass(frozen=True)
class Placeholder:
    label: Promise
    sample: Callable[[], Value]


PLACEHOLDERS: dict[str, Placeholder] = {
    "candidate_name": Placeholder(gettext_lazy("the candidate's name"), lambda: "Camille Martin"),
    "reference": Placeholder(gettext_lazy("the file's reference"), lambda: "NE-2024-000123"),
    "programme": Placeholder(
        gettext_lazy("the programme"), lambda: _("Specialised Master in Cybersecurity")
    ),
    "institution": Placeholder(gettext_lazy("the institution"), lambda: "IMT Nord Europe"),
    "link": Placeholder(
        gettext_lazy("the address of the page where the reader acts"),
        lambda: "https://admissions.example.org/me/applications/NE-2024-000123/",
    ),
    "deadline": Placeholder(gettext_lazy("the last day (Paris time)"), _day(2024, 6, 7)),
    "previous_deadline": Placeholder(
        gettext_lazy("the last day before it was moved (Paris time)"), _day(2024, 6, 3)
    ),
    "days_left": Placeholder(gettext_lazy("the number of days left"), lambda: "7"),
    "to_do": Placeholder(
        gettext_lazy("what is still missing (a list)"),
        lambda: [_("Application fee not paid"), _("Missing document: CV")],
    ),
    "submitted_at": Placeholder(gettext_lazy("when it was sent"), _moment(2024, 3, 2, 14, 5)),
    "documents": Placeholder(
        gettext_lazy("the documents (a list)"),
        lambda: [_("CV: cv.pdf"), _("Cover letter: letter.pdf")],
    ),
    "amount": Placeholder(gettext_lazy("the amount"), _euros(6000)),
    "charge": Placeholder(gettext_lazy("what is paid"), lambda: _("Application fee")),
    "receipt_number": Placeholder(gettext_lazy("the receipt's number"), lambda: "R-000042"),
    "creditor_reference": Placeholder(
        gettext_lazy("the reference to quote on the transfer"), lambda: "RF18 5390 0754 7034"
    ),
    "bank_holder": Placeholder(
        gettext_lazy("the account holder"), lambda: "IMT NORD EUROPE – AGENCE COMPTABLE"
    ),
    "iban": Placeholder(gettext_lazy("the IBAN"), lambda: "FR76 1007 1590 0000 0010 2433 444"),
    "bic": Placeholder(gettext_lazy("the BIC"), lambda: "TRPUFRP1"),
    "document": Placeholder(gettext_lazy("the document"), lambda: _("Curriculum vitae")),
    "reason": Placeholder(
        gettext_lazy("the reason given"), lambda: _("The scan is unreadable: send a sharper copy.")
    ),
    "opinion": Placeholder(
        gettext_lazy("the opinion, in the rulebook's words"), lambda: _("favourable opinion")
    ),
    "interview_at": Placeholder(gettext_lazy("the interview's time"), _moment(2024, 4, 9, 10, 30)),
    "interview_mode": Placeholder(gettext_lazy("phone or video"), lambda: _("video")),
    "interview_minutes": Placeholder(gettext_lazy("its length in minutes"), lambda: "30"),
    "interview_where": Placeholder(
        gettext_lazy("the video link or the number that will call"),
        lambda: "https://visio.example.org/ms-2024-000123",
    ),
    "decision": Placeholder(gettext_lazy("the decision"), lambda: _("Admitted")),
    "jury_wording": Placeholder(
        gettext_lazy("the rulebook's words on the jury's decision"),
        lambda: _("The decision is notified by email. No appeal can be made against it."),
    ),
    "condition": Placeholder(
        gettext_lazy("the condition to lift"), lambda: _("Send your diploma once you have it.")
    ),
    "rank": Placeholder(gettext_lazy("the rank on the waiting list"), lambda: "3"),
    "confirm_by": Placeholder(gettext_lazy("the last day to confirm"), _day(2024, 5, 30)),
    "amounts": Placeholder(
        gettext_lazy("the amounts to pay (a list)"),
        lambda: [
            _("Tuition, first instalment: %(amount)s") % {"amount": format_eur(250000, _language())}
        ],
    ),
    "confirmation_wording": Placeholder(
        gettext_lazy("the rulebook's words on confirming"),
        lambda: _("You have 15 days to complete your administrative registration."),
    ),
    "declared_on": Placeholder(
        gettext_lazy("the day the transfer was declared"), _day(2024, 3, 17)
    ),
    "days": Placeholder(gettext_lazy("the number of days waited"), lambda: "10"),
    "funding": Placeholder(
        gettext_lazy("the financing mode"),
        lambda: _("Place funded by the Hauts-de-France region"),
    ),
    "funder": Placeholder(gettext_lazy("who funds it"), lambda: _("the Hauts-de-France region")),
    "request_by": Placeholder(gettext_lazy("the last day to ask for it"), _day(2024, 9, 16)),
    "due_on": Placeholder(gettext_lazy("the due date"), _day(2025, 1, 15)),
    "note": Placeholder(
        gettext_lazy("the finance office's note"), lambda: _("Transfer within 30 days.")
    ),
    "candidate_email": Placeholder(
        gettext_lazy("the candidate's email address"), lambda: "camille.martin@example.org"
    ),
    "filename": Placeholder(gettext_lazy("the file's name"), lambda: "diploma.pdf"),
    "signature": Placeholder(gettext_lazy("what the antivirus found"), lambda: "Eicar-Signature"),
    "sha256": Placeholder(gettext_lazy("the file's SHA-256"), lambda: "275a021b…f651fd0f"),
}

FILE = ("candidate_name", "reference", "programme", "institution", "link")
# The decision each decision email tells, for its samples.
DECISIONS = {
    "decision_admitted": Status.ADMITTED,
    "decision_admitted_conditionally": Status.ADMITTED_CONDITIONALLY,
    "decision_waitlisted": Status.WAITLISTED,
    "decision_not_admitted": Status.NOT_ADMITTED,
}


@dataclass(frozen=True)
class Kind:
    code: str
    audience: Audience
    label: Promise
    action: Promise  # the words of the button that opens `link`
    placeholders: tuple[str, ...] = FILE
    links: frozenset[str] = field(default_factory=lambda: frozenset({"link"}))
    sensitive: bool = False

    @property
    def overridable(self) -> bool:
        return self.audience != Audience.ACCOUNT

    def samples(self) -> dict[str, Value]:
        """Sample values of every placeholder, in the active language."""
        values = {name: PLACEHOLDERS[name].sample() for name in self.placeholders}
        decision = DECISIONS.get(self.code)
        if decision is not None:
            values["decision"] = str(decision.label)
        return values


def _kind(
    code: str,
    label: Promise,
    action: Promise,
    *extra: str,
    audience: Audience = Audience.CANDIDATE,
) -> Kind:
    return Kind(
        code=code, audience=audience, label=label, action=action, placeholders=(*FILE, *extra)
    )


C, S = Audience.CANDIDATE, Audience.STAFF
KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in [
        # Filled in: the draft and the fee.
        _kind(
            "draft_reminder",
            gettext_lazy("Deadline reminder"),
            gettext_lazy("Complete my application"),
            "deadline",
            "days_left",
            "to_do",
        ),
        _kind(
            "deadline_extended",
            gettext_lazy("Deadline extended"),
            gettext_lazy("Complete my application"),
            "deadline",
            "previous_deadline",
            "reason",
        ),
        _kind(
            "transfer_awaited",
            gettext_lazy("Application fee awaited by transfer"),
            gettext_lazy("Pay by transfer"),
            "amount",
            "charge",
            "creditor_reference",
            "bank_holder",
            "iban",
            "bic",
        ),
        _kind(
            "transfer_unmatched",
            gettext_lazy("Declared transfer not found"),
            gettext_lazy("See the bank details"),
            "declared_on",
            "days",
            "amount",
            "creditor_reference",
            "iban",
        ),
        _kind(
            "funding_reminder",
            gettext_lazy("Reminder: ask for your funding"),
            gettext_lazy("Download the quote"),
            "funding",
            "funder",
            "request_by",
            "days_left",
        ),
        _kind(
            "payment_received",
            gettext_lazy("Payment received"),
            gettext_lazy("See my payments"),
            "amount",
            "charge",
            "receipt_number",
        ),
        _kind(
            "submission_receipt",
            gettext_lazy("Application received"),
            gettext_lazy("Where my file stands"),
            "submitted_at",
            "documents",
        ),
        # Review of the documents and of the file.
        _kind(
            "document_rejected",
            gettext_lazy("Document to replace"),
            gettext_lazy("Replace the document"),
            "document",
            "reason",
        ),
        _kind(
            "document_requested",
            gettext_lazy("Document asked for"),
            gettext_lazy("Send the document"),
            "document",
            "reason",
        ),
        _kind(
            "refused_items_reminder",
            gettext_lazy("Documents still to replace"),
            gettext_lazy("Replace my documents"),
            "documents",
        ),
        _kind("file_complete", gettext_lazy("File complete"), gettext_lazy("Where my file stands")),
        _kind(
            "admissible",
            gettext_lazy("Admissible"),
            gettext_lazy("Where my file stands"),
            "opinion",
        ),
        _kind(
            "not_admissible",
            gettext_lazy("Not admissible"),
            gettext_lazy("Where my file stands"),
            "opinion",
        ),
        _kind(
            "interview_to_book",
            gettext_lazy("Interview: book a slot"),
            gettext_lazy("Book my interview"),
        ),
        _kind(
            "interview_invitation",
            gettext_lazy("Interview invitation"),
            gettext_lazy("See my interview"),
            "interview_at",
            "interview_mode",
            "interview_minutes",
            "interview_where",
        ),
        _kind(
            "interview_changed",
            gettext_lazy("Interview moved"),
            gettext_lazy("See my interview"),
            "interview_at",
            "interview_mode",
            "interview_minutes",
            "interview_where",
        ),
        _kind(
            "interview_reminder",
            gettext_lazy("Interview reminder"),
            gettext_lazy("See my interview"),
            "interview_at",
            "interview_mode",
            "interview_minutes",
            "interview_where",
        ),
        # The jury and the place.
        _kind(
            "decision_admitted",
            gettext_lazy("Decision: admitted"),
            gettext_lazy("Where my file stands"),
            "decision",
            "jury_wording",
        ),
        _kind(
            "decision_admitted_conditionally",
            gettext_lazy("Decision: admitted on condition"),
            gettext_lazy("Where my file stands"),
            "decision",
            "jury_wording",
            "condition",
        ),
        _kind(
            "decision_waitlisted",
            gettext_lazy("Decision: waiting list"),
            gettext_lazy("Where my file stands"),
            "decision",
            "jury_wording",
            "rank",
        ),
        _kind(
            "decision_not_admitted",
            gettext_lazy("Decision: not admitted"),
            gettext_lazy("Where my file stands"),
            "decision",
            "jury_wording",
        ),
        _kind(
            "waitlist_promotion",
            gettext_lazy("A place from the waiting list"),
            gettext_lazy("Confirm my place"),
            "confirm_by",
        ),
        _kind(
            "confirmation_opened",
            gettext_lazy("Place offered: confirm it"),
            gettext_lazy("Confirm my place"),
            "confirm_by",
            "amounts",
            "confirmation_wording",
        ),
        _kind(
            "confirmation_reminder",
            gettext_lazy("Reminder: confirm your place"),
            gettext_lazy("Confirm my place"),
            "confirm_by",
            "days_left",
            "amounts",
        ),
        _kind(
            "place_confirmed", gettext_lazy("Place confirmed"), gettext_lazy("Where my file stands")
        ),
        _kind(
            "place_released",
            gettext_lazy("Place released"),
            gettext_lazy("Where my file stands"),
            "confirm_by",
        ),
        _kind(
            "condition_lifted",
            gettext_lazy("Admission final: condition lifted"),
            gettext_lazy("Where my file stands"),
        ),
        _kind(
            "condition_lapsed",
            gettext_lazy("Admission lapsed: condition not met"),
            gettext_lazy("Where my file stands"),
            "deadline",
        ),
        # Money after admission.
        _kind(
            "instalment_due",
            gettext_lazy("Instalment due"),
            gettext_lazy("See my payments"),
            "amount",
            "charge",
            "due_on",
            "creditor_reference",
        ),
        _kind(
            "refund_approved",
            gettext_lazy("Refund approved"),
            gettext_lazy("See my payments"),
            "amount",
            "charge",
            "note",
        ),
        _kind(
            "refund_rejected",
            gettext_lazy("Refund refused"),
            gettext_lazy("See my payments"),
            "amount",
            "charge",
            "note",
        ),
        # Messages and files opened by staff.
        _kind("new_message", gettext_lazy("New message"), gettext_lazy("Read the message")),
        _kind("file_opened", gettext_lazy("File opened for you"), gettext_lazy("See my documents")),
        _kind(
            "staff_new_message",
            gettext_lazy("New message from a candidate"),
            gettext_lazy("Read the message"),
            audience=S,
        ),
        _kind(
            "infected_upload",
            gettext_lazy("Infected file refused"),
            gettext_lazy("See the documents"),
            "document",
            "filename",
            "signature",
            "sha256",
            "candidate_email",
            audience=S,
        ),
        _kind(
            "staff_transfer_unmatched",
            gettext_lazy("Declared transfer not found"),
            gettext_lazy("See the file's payments"),
            "declared_on",
            "days",
            "amount",
            "creditor_reference",
            "candidate_email",
            audience=S,
        ),
    ]
}
# A new account's link chooses its password: no one but the candidate may read it.
KINDS["file_opened_new_account"] = Kind(
    code="file_opened_new_account",
    audience=C,
    label=gettext_lazy("File and account opened for you"),
    action=gettext_lazy("Choose my password"),
    placeholders=(*FILE, "documents_link"),
    links=frozenset({"link", "documents_link"}),
    sensitive=True,
)
PLACEHOLDERS["documents_link"] = Placeholder(
    gettext_lazy("the address of the documents page"),
    lambda: "https://admissions.example.org/documents/NE-2024-000123/",
)
# Account emails are allauth's words, sent through the outbox: not reworded per school.
ACCOUNT = Kind(
    code="account",
    audience=Audience.ACCOUNT,
    label=gettext_lazy("Account"),
    action=gettext_lazy("Open the link"),
    placeholders=(),
    links=frozenset(),
    sensitive=True,
)


def kind(code: str) -> Kind:
    if code == ACCOUNT.code:
        return ACCOUNT
    return KINDS[code]
