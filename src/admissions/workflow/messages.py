"""Messages on a file: the candidate and the programme's staff write to each other.

Attachments go through the same checks on arrival as documents (`documents.intake`:
size, antivirus, real type, structure) and live in the documents' storage, served only to
the people who may read the file. A new message is told by email to the other side without
its words (the email says a message waits, with the link): a message may hold what a
mailbox should not. Each person's reading is their own: unread counts are per person.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import IO

from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.history import record_event
from admissions.applications.models import Application
from admissions.core.errors import DomainError, NotAllowed
from admissions.documents import access, storage
from admissions.documents.intake import Infected, ScanOutcome, check_file, measure
from admissions.documents.refusals import Refusal
from admissions.documents.services import clean_filename
from admissions.documents.sniffing import CONTENT_TYPES, EXTENSIONS, FileKind
from admissions.notify.file_emails import send_new_message
from admissions.notify.staff_emails import send_staff_new_message
from admissions.people.models import User
from admissions.people.permissions import allowed_programme_ids
from admissions.rules.schema import DocumentRequirement, Text
from admissions.rules.vocabulary import DocumentFormat
from admissions.workflow.models import Message, MessageAttachment, MessageReadMark
from admissions.workflow.signals import messages_changed

logger = logging.getLogger(__name__)

PREFIX = "messages"
MAX_BODY = 5000
MAX_ATTACHMENTS = 3
# What an attachment may be: the checks of a document asked as PDF or JPEG.
ATTACHMENT = DocumentRequirement(
    code="message-attachment",
    label=Text(fr="Pièce jointe", en="Attachment"),
    formats=[DocumentFormat.PDF, DocumentFormat.JPEG],
    max_size_mb=Decimal(10),
    max_pages=100,
)


class MessageRefused(DomainError):  # noqa: N818 - the domain's word
    code = "message_refused"
    http_status = 422


@dataclass(frozen=True)
class Upload:
    stream: IO[bytes]
    filename: str


@dataclass(frozen=True)
class _Checked:
    incoming: str
    filename: str
    kind: FileKind
    size: int
    sha256: str
    scan: str


def may_read(user: User, application: Application) -> bool:
    return access.can_read(user, application)


def _side(user: User, application: Application) -> bool:
    """True when `user` writes as staff, False as the candidate; refused for anyone else."""
    if access.is_owner(user, application):
        return False
    if access.is_staff_on(user, application):
        return True
    raise NotAllowed(_("You may not write on this file."))


def checked_body(body: str, *, empty: str = "") -> str:
    """The message's text, stripped; refused when empty (with `empty`, if given) or too long."""
    body = body.strip()
    if not body:
        raise MessageRefused(empty or _("Write a message."), details={"field": "body"})
    if len(body) > MAX_BODY:
        raise MessageRefused(
            _("A message holds at most %(count)d characters.") % {"count": MAX_BODY},
            details={"field": "body"},
        )
    return body


@dataclass(frozen=True)
class Sent:
    sent: list[str]  # the references written on
    refused: list[str]  # those where writing was refused (a file closed to messages)


def post_to_many(applications: Sequence[Application], *, by: User, body: str) -> Sent:
    """The same message on each file (each in its own transaction): the text is checked
    once, before any is sent; a file that refuses it is named, the others are written on."""
    body = checked_body(body, empty=_("Write the message first."))
    sent: list[str] = []
    refused: list[str] = []
    for application in applications:
        try:
            post_message(application, by=by, body=body)
        except DomainError:
            refused.append(application.reference)
        else:
            sent.append(application.reference)
    return Sent(sent, refused)


def post_message(
    application: Application, *, by: User, body: str, attachments: Sequence[Upload] = ()
) -> Message:
    """Write on the file; the other side is told by email, in the same transaction."""
    from_staff = _side(by, application)
    body = checked_body(body)
    if len(attachments) > MAX_ATTACHMENTS:
        raise MessageRefused(
            _("Send at most %(count)d files with one message.") % {"count": MAX_ATTACHMENTS},
            details={"field": "attachments"},
        )
    checked: list[_Checked] = []
    written: list[str] = []
    try:
        for upload in attachments:
            checked.append(_check(upload))
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            message = Message.objects.create(
                application=locked, author=by, from_staff=from_staff, body=body
            )
            for item in checked:
                key = storage.new_key(PREFIX, EXTENSIONS[item.kind])
                written.append(key)
                storage.copy(item.incoming, key)
                MessageAttachment.objects.create(
                    message=message,
                    file=key,
                    original_filename=item.filename,
                    size=item.size,
                    sha256=item.sha256,
                    content_type=CONTENT_TYPES[item.kind],
                    detected_type=item.kind.value,
                    scan_status=item.scan,
                )
            event = record_event(
                locked,
                action="message.posted",
                by=by,
                details={
                    "message": message.pk,
                    "from_staff": from_staff,
                    "attachments": len(checked),
                },
            )
            mark_read(locked, by, up_to=message)
            if from_staff:
                send_new_message(locked, event=f"event:{event.pk}")
            else:
                send_staff_new_message(locked, event=f"event:{event.pk}")
    except BaseException:
        storage.delete_quietly(*written)
        raise
    finally:
        storage.delete_quietly(*(item.incoming for item in checked))
    return message


def _check(upload: Upload) -> _Checked:
    """The document checks; a refused file refuses the whole message, saying why."""
    name = clean_filename(upload.filename)
    if measure(upload.stream) > ATTACHMENT.max_bytes:
        raise MessageRefused(
            _("“%(name)s”: the file is larger than the 10 MB a message may carry.")
            % {"name": name},
            details={"field": "attachments"},
        )
    incoming = storage.write(storage.INCOMING, upload.stream)
    try:
        result = check_file(upload.stream, requirement=ATTACHMENT)
    except Infected as infected:
        logger.warning("infected message attachment refused: %s", infected.signature)
        storage.delete_quietly(incoming)
        raise MessageRefused(
            _("“%(name)s”: %(reason)s") % {"name": name, "reason": infected.message},
            details={"field": "attachments"},
        ) from None
    except Refusal as refusal:
        storage.delete_quietly(incoming)
        raise MessageRefused(
            _("“%(name)s”: %(reason)s") % {"name": name, "reason": refusal.message},
            details={"field": "attachments"},
        ) from None
    except BaseException:
        storage.delete_quietly(incoming)
        raise
    if result.scan == ScanOutcome.ERROR:
        storage.delete_quietly(incoming)
        raise MessageRefused(
            _(
                "“%(name)s”: the antivirus could not check the file just now. Send it "
                "again in a few minutes."
            )
            % {"name": name},
            details={"field": "attachments"},
        )
    return _Checked(
        incoming=incoming,
        filename=name,
        kind=result.kind,
        size=result.size,
        sha256=result.sha256,
        scan=result.scan.value,
    )


def thread(application: Application) -> list[Message]:
    return list(
        Message.objects.filter(application=application)
        .select_related("author")
        .prefetch_related("attachments")
    )


def mark_read(application: Application, user: User, *, up_to: Message | None = None) -> None:
    """`user` has read the file's messages up to `up_to` (all of them by default)."""
    last = (
        up_to.pk
        if up_to is not None
        else Message.objects.filter(application=application).aggregate(top=Max("pk"))["top"]
    )
    if not last:
        return
    mark, created = MessageReadMark.objects.get_or_create(
        application=application, user=user, defaults={"last_message_id": last}
    )
    if not created and mark.last_message_id < last:
        MessageReadMark.objects.filter(pk=mark.pk, last_message_id__lt=last).update(
            last_message_id=last, read_at=timezone.now()
        )
    elif not created:
        return
    # A message posted marks its author's read up to it: this is sent for both.
    transaction.on_commit(
        partial(messages_changed.send, sender=Message, application_id=application.pk),
        robust=True,
    )


def unread_by_candidate(application: Application) -> int:
    """Messages of the staff the candidate has not read yet."""
    # One query, on every page of the file: the mark is read inside the count.
    last_read = MessageReadMark.objects.filter(
        application_id=application.pk, user_id=application.candidate_id
    ).values("last_message_id")[:1]
    return Message.objects.filter(
        application_id=application.pk,
        from_staff=True,
        pk__gt=Coalesce(Subquery(last_read), Value(0)),
    ).count()


def unread_for_staff(user: User) -> dict[int, int]:
    """Per file of the staff member's programmes: the candidate's messages they have not read."""
    last_read = MessageReadMark.objects.filter(
        application=OuterRef("application"), user=user
    ).values("last_message_id")[:1]
    counts = (
        Message.objects.filter(
            from_staff=False, application__programme_id__in=allowed_programme_ids(user)
        )
        .annotate(last_read=Subquery(last_read))
        .filter(Q(last_read__isnull=True) | Q(pk__gt=F("last_read")))
        .values("application_id")
        .annotate(unread=Count("id"))
    )
    return {row["application_id"]: row["unread"] for row in counts}
