"""Reading what reached the test SMTP server: subject, language, both parts, links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from tests.services.smtp import Received

LINK = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Mail:
    to: list[str]
    subject: str
    language: str
    text: str
    html: str
    headers: dict[str, str]

    @property
    def links(self) -> list[str]:
        return LINK.findall(self.text)

    def paths(self) -> list[str]:
        """The site's own links, as paths a test client can follow."""
        return [urlsplit(link).path for link in self.links if link.startswith(settings.SITE_URL)]


def read(received: Received) -> Mail:
    message = received.message
    text = html = ""
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            text = part.get_content()
        elif part.get_content_type() == "text/html":
            html = part.get_content()
    return Mail(
        to=received.recipients,
        subject=" ".join(str(message["Subject"]).split()),
        language=str(message["Content-Language"] or ""),
        text=text,
        html=html,
        headers={key: str(value) for key, value in message.items()},
    )


def mails(inbox: list[Received]) -> list[Mail]:
    return [read(received) for received in inbox]
