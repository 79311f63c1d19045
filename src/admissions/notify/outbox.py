"""Writing emails to the outbox, in the transaction of the event that causes them.

`enqueue` renders the email in the recipient's language and writes its row; the row's
delivery is scheduled only once the transaction commits, so an event rolled back sends
nothing, and an enqueue with a key already used returns the first row and sends nothing
more. The file's history gets `notification.queued` in the same transaction; delivery
adds `notification.sent`, `.failed` or `.bounced`.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from email.utils import make_msgid
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from admissions.applications.history import Batch
from admissions.applications.models import Application
from admissions.catalog.models import Institution, Site
from admissions.core import compiled
from admissions.core.errors import NotAllowed
from admissions.notify.context import Footer, footer_of, language_of
from admissions.notify.history import record
from admissions.notify.kinds import Kind
from admissions.notify.kinds import kind as kind_of
from admissions.notify.markers import kept_render
from admissions.notify.models import Audience, Notification, Status
from admissions.notify.queue import schedule, schedule_with_transaction
from admissions.notify.render import Rendered, Wording, override_for, render
from admissions.notify.restricted import Value
from admissions.people.models import Role, User
from admissions.people.permissions import can_act_on_programme, has_platform_role

# Staff who may send an email of a file again.
RESENDERS = (
    Role.ADMISSIONS_OFFICER,
    Role.PEDAGOGICAL_LEAD,
    Role.FINANCE_OFFICER,
    Role.INSTITUTION_ADMIN,
    Role.PLATFORM_ADMIN,
)


def _message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost"
    return make_msgid(domain=domain)


def idempotency_key(kind: Kind, event: str, recipient: str) -> str:
    return f"{kind.code}:{event}:{recipient}"[:200]


@dataclass(frozen=True)
class Letterhead:
    """What an email's rendering reads besides its values, read before the transaction of
    its event, so that the transaction holds only its writes."""

    institution: Institution | None
    footer: Footer
    wording: Wording | None


def letterhead(
    code: str, *, institution: Institution, site: Site | None, language: str
) -> Letterhead:
    return Letterhead(
        institution=institution,
        footer=footer_of(institution, site),
        wording=override_for(institution, kind_of(code), language),
    )


def render_ahead(
    code: str,
    values: Mapping[str, Value],
    *,
    language: str,
    head: Letterhead,
    varying: Collection[str] = (),
) -> Rendered:
    """The email `enqueue` would write, rendered before the transaction of its event (pass
    it as `rendered`), so that the transaction does not hold its locks while it renders.

    `varying`: the values that change from one email of the kind to the next (the name, the
    reference...): the email is then filled into a rendering kept in the process
    (`notify.markers`), the same words for a fraction of the work."""
    return kept_render(
        kind_of(code),
        values,
        language=language,
        footer=head.footer,
        wording=head.wording,
        varying=varying,
    )


def enqueue(
    kind: Kind,
    *,
    event: str,
    to: str,
    values: Mapping[str, Value],
    recipient: User | None = None,
    language: str | None = None,
    application: Application | None = None,
    institution: Institution | None = None,
    site: Site | None = None,
    rendered: Rendered | None = None,
    calendar: str = "",
    batch: Batch | None = None,
    head: Letterhead | None = None,
) -> Notification:
    """Queue one email; `event` names what happened, once (an event id, a job's date).

    Call it inside the transaction of the event. The key (kind, event, recipient) makes a
    second call for the same event return the first row. With `batch`, the event is a row
    the transaction writes (no email can hold its key yet: none is looked for), and the
    email's row (`Batch.insert`), its history line and its task go with the batch's: where
    the batch took the email's id ahead, this may be called before the transaction.
    """
    key = idempotency_key(kind, event, str(recipient.pk) if recipient else to.lower())
    if batch is None:
        existing = Notification.objects.filter(key=key).first()
        if existing is not None:
            return existing
    language = language or language_of(recipient)
    if application is not None:
        institution = institution or application.programme.institution
        site = site or application.programme.site
    if head is not None:
        institution = head.institution
    if rendered is None and head is not None:
        rendered = render(kind, values, language=language, footer=head.footer, wording=head.wording)
    if rendered is None:
        wording: Wording | None = override_for(institution, kind, language)
        rendered = render(
            kind, values, language=language, footer=footer_of(institution, site), wording=wording
        )
    if batch is not None:
        notification = _write(
            kind, key, to, recipient, language, application, institution, calendar, rendered, batch
        )
        record(notification, "notification.queued", by=None, batch=batch)
        schedule_with_transaction(notification.pk, writes=batch.writes)
        return notification
    try:
        with transaction.atomic():
            notification = _write(
                kind, key, to, recipient, language, application, institution, calendar, rendered
            )
            record(notification, "notification.queued", by=None)
    except IntegrityError:
        # The same event raced in from a second request or job: the first row stands.
        return Notification.objects.get(key=key)
    transaction.on_commit(partial(schedule, notification.pk), robust=True)
    return notification


def _write(
    kind: Kind,
    key: str,
    to: str,
    recipient: User | None,
    language: str,
    application: Application | None,
    institution: Institution | None,
    calendar: str,
    rendered: Rendered,
    batch: Batch | None = None,
) -> Notification:
    notification = Notification(
        key=key,
        kind=kind.code,
        audience=kind.audience,
        application=application,
        institution=institution,
        recipient=recipient,
        to_address=to,
        reply_to=institution.contact_email if institution is not None else "",
        language=language,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        sensitive=kind.sensitive,
        message_id=_message_id(),
        calendar=calendar,
    )
    if batch is not None:
        batch.insert(notification)  # with the batch's writes where its id was taken ahead
    else:
        compiled.insert(notification)  # the statement `save` runs, compiled once per process
    return notification


def may_resend(user: User, notification: Notification) -> bool:
    if not user.is_authenticated:
        return False
    if notification.application is None:
        return has_platform_role(user)
    return can_act_on_programme(user, notification.application.programme_id, RESENDERS)


def resend(notification: Notification, *, by: User) -> Notification:
    """Send an email of a file again, as it was written, to the recipient's current address."""
    if not may_resend(by, notification):
        raise NotAllowed(_("You may not send the emails of this file."))
    original = notification.resend_of or notification
    address = original.recipient.email if original.recipient is not None else original.to_address
    with transaction.atomic():
        copy = Notification.objects.create(
            key=f"{original.key}:again:{uuid.uuid4().hex}"[:200],
            kind=original.kind,
            audience=original.audience,
            application=original.application,
            institution=original.institution,
            recipient=original.recipient,
            to_address=address,
            reply_to=original.reply_to,
            language=original.language,
            subject=original.subject,
            text=original.text,
            html=original.html,
            calendar=original.calendar,
            sensitive=original.sensitive,
            message_id=_message_id(),
            resend_of=original,
            created_by=by,
        )
        record(copy, "notification.resent", by=by, original=original.pk)
    transaction.on_commit(partial(schedule, copy.pk), robust=True)
    return copy


def to_candidate(
    code: str,
    application: Application,
    *,
    event: str,
    values: Mapping[str, Value],
    calendar: str = "",
    batch: Batch | None = None,
    head: Letterhead | None = None,
    rendered: Rendered | None = None,
) -> Notification:
    """The common case: an email about a file to its candidate, in the candidate's language."""
    candidate = application.candidate
    return enqueue(
        kind_of(code),
        event=event,
        to=candidate.email,
        values=values,
        recipient=candidate,
        language=language_of(candidate),
        application=application,
        calendar=calendar,
        batch=batch,
        head=head,
        rendered=rendered,
    )


__all__ = [
    "Audience",
    "Letterhead",
    "Status",
    "enqueue",
    "letterhead",
    "render_ahead",
    "resend",
    "to_candidate",
]
