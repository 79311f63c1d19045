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
    # Addresses the server refuses for good (550), as a mail server does an unknown mailbox.
    unknown: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        """The value of ADMISSIONS_EMAIL_URL that sends here."""
        return f"smtp://{self.host}:{self.port}"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.unknown:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

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


def _send_to(server: SmtpServer, settings: Settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


@pytest.fixture
def smtp_inbox(smtp_server: SmtpServer, settings: Settings) -> Iterator[SmtpServer]:
    """The session's server with an empty inbox, and Django's mail sent to it."""
    _send_to(smtp_server, settings)
    smtp_server.received.clear()
    smtp_server.unknown.clear()
    yield smtp_server
    smtp_server.received.clear()
    smtp_server.unknown.clear()


class RestartableSmtp(SmtpServer):
    """A server of its own that a test stops and starts again on the same port."""

    controller: Controller | None = None

    def start(self) -> None:
        controller = Controller(self, hostname=self.host, port=self.port, ready_timeout=10)
        controller.start()
        self.controller = controller

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def restartable_smtp(settings: Settings) -> Iterator[RestartableSmtp]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    for attempt in range(1, START_ATTEMPTS + 1):
        server = RestartableSmtp(host=LOOPBACK, port=free_port())
        try:
            server.start()
        except OSError:
            if attempt == START_ATTEMPTS:
                raise
            continue
        break
    _send_to(server, settings)
    try:
        yield server
    finally:
        server.stop()
