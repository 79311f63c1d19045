"""The emails to a programme's staff about a file: a candidate's message, an infected file,
a declared transfer not found.

They go to the officers of the programme (or of its whole institution) whose role the email
concerns, each in their own language; with no officer assigned, to the institution's contact
address, so that nothing is silently dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.models import Q

from admissions.applications.models import Application
from admissions.notify.context import day, file_values, language_of, money, speaking, text, url
from admissions.notify.kinds import KINDS
from admissions.notify.models import Notification
from admissions.notify.outbox import enqueue
from admissions.notify.restricted import Value
from admissions.people.models import Role, StaffRole, User
from admissions.rules import creditor_reference
from admissions.rules.deadlines import paris_date
from admissions.rules.schema import Text


def officers(application: Application, role: Role) -> list[User]:
    """Staff holding `role` on the programme, or on its whole institution."""
    programme = application.programme
    roles = StaffRole.objects.filter(role=role).filter(
        Q(programme=programme) | Q(programme__isnull=True, institution_id=programme.institution_id)
    )
    users = User.objects.filter(pk__in=roles.values("user_id"), is_active=True).order_by("pk")
    return list(users)


def admissions_officers(application: Application) -> list[User]:
    return officers(application, Role.ADMISSIONS_OFFICER)


def _to_officers(
    application: Application,
    code: str,
    *,
    event: str,
    values_for: Callable[[], dict[str, Value]],
    role: Role = Role.ADMISSIONS_OFFICER,
) -> list[Notification]:
    readers: list[User | None] = list(officers(application, role)) or [None]
    sent = []
    for officer in readers:
        language = language_of(officer) if officer else settings.LANGUAGE_CODE
        with speaking(language):
            values = values_for()
        address = officer.email if officer else application.programme.institution.contact_email
        sent.append(
            enqueue(
                KINDS[code],
                event=event,
                to=address,
                values=values,
                recipient=officer,
                language=language,
                application=application,
            )
        )
    return sent


def send_staff_new_message(application: Application, *, event: str) -> list[Notification]:
    """The candidate wrote on the file: the officers are told a message waits, not its words."""

    def values() -> dict[str, Value]:
        return file_values(application, link=url("office:file_messages", application.reference))

    return _to_officers(application, "staff_new_message", event=event, values_for=values)


def send_infected_upload(
    application: Application,
    *,
    event: str,
    document: Text | str,
    filename: str,
    signature: str,
    sha256: str,
) -> list[Notification]:
    """The antivirus refused a file sent for the file: what it was, where it is kept."""

    def values() -> dict[str, Value]:
        found = file_values(application, link=url("documents:list", application.reference))
        return found | {
            "document": text(document) if isinstance(document, Text) else document,
            "filename": filename,
            "signature": signature,
            "sha256": sha256,
            "candidate_email": application.candidate.email,
        }

    return _to_officers(application, "infected_upload", event=event, values_for=values)


def send_staff_transfer_unmatched(
    application: Application,
    *,
    event: str,
    declared_at: dt.datetime,
    days: int,
    amount_cents: int,
    reference: str,
) -> list[Notification]:
    """A declared transfer is still not matched: the finance officers look for it."""

    def values() -> dict[str, Value]:
        found = file_values(application, link=url("office:finance:file", application.reference))
        return found | {
            "declared_on": day(paris_date(declared_at)),
            "days": str(days),
            "amount": money(amount_cents),
            "creditor_reference": creditor_reference.printed(reference) if reference else "",
            "candidate_email": application.candidate.email,
        }

    return _to_officers(
        application,
        "staff_transfer_unmatched",
        event=event,
        values_for=values,
        role=Role.FINANCE_OFFICER,
    )
