"""Files an email carries, made when it is sent (an admission letter): a registry by kind.

The layer that owns a document registers its maker in its app's `ready()`; the outbox row
keeps only the words, so that queuing thousands of emails makes no document, and a resend
makes the document again from what is stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from admissions.notify.models import Notification


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


Maker = Callable[[Notification], list[Attachment]]
_MAKERS: dict[str, Maker] = {}


def register(kind_code: str, maker: Maker) -> None:
    _MAKERS[kind_code] = maker


def attachments_of(notification: Notification) -> list[Attachment]:
    maker = _MAKERS.get(notification.kind)
    return maker(notification) if maker is not None else []
