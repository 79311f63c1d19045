"""An SMTP server on a free loopback port that keeps what it receives."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pytest_django.fixtures import Settings

from tests.services.base import LOOPBACK, START_ATTEMPTS, free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        """The value of ADMISSIONS_EMAIL_URL that sends here."""
        return f"smtp://{self.host}:{self.port}"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        self.received.append(
            Received(
                sender=str(envelope.mail_from),
                recipients=[str(rcpt) for rcpt in envelope.rcpt_tos],
                message=message_from_bytes(content, _class=EmailMessage, policy=policy.default),
            )
        )
        return "250 Message accepted for delivery"


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    # aiosmtpd logs every SMTP command at INFO level.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    for attempt in range(1, START_ATTEMPTS + 1):
        server = SmtpServer(host=LOOPBACK, port=free_port())
        controller = Controller(server, hostname=LOOPBACK, port=server.port, ready_timeout=10)
        try:
            controller.start()
        except OSError:
            # Another process took the port in the meantime.
            if attempt == START_ATTEMPTS:
                raise
            continue
        break
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_inbox(smtp_server: SmtpServer, settings: Settings) -> Iterator[SmtpServer]:
    """The session's server with an empty inbox, and Django's mail sent to it."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    smtp_server.received.clear()
    yield smtp_server
    smtp_server.received.clear()
