"""Each test service answers a real round trip."""

from __future__ import annotations

import socket
import struct
import uuid

import psycopg
import pytest
import redis
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from storages.backends.s3 import S3Storage

from tests.services.clamd import EICAR, EICAR_SIGNATURE
from tests.services.postgres import PostgresServer
from tests.services.s3 import S3Server
from tests.services.smtp import SmtpServer


@pytest.mark.django_db
def test_django_uses_the_database_of_the_run(database_engine: str) -> None:
    expected = {"sqlite": "sqlite", "postgres": "postgresql"}[database_engine]
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_postgres_runs_sql(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.url(), connect_timeout=5) as connection:
        version = connection.execute("SHOW server_version_num").fetchone()
        total = connection.execute("SELECT 40 + %s", (2,)).fetchone()
    assert version is not None
    assert int(version[0]) >= 150000
    assert total == (42,)


def test_redis_sets_and_gets(redis_server: str) -> None:
    client = redis.Redis.from_url(redis_server, socket_timeout=5)
    key = f"test:{uuid.uuid4()}"
    try:
        client.set(key, "valeur", ex=60)
        assert client.get(key) == b"valeur"
    finally:
        client.delete(key)
        client.close()


def _clamd_command(address: str, payload: bytes) -> bytes:
    host, port = address.removeprefix("tcp://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(payload)
        reply = b""
        while not reply.endswith(b"\0"):
            data = connection.recv(1024)
            if not data:
                break
            reply += data
    return reply


def _instream(content: bytes) -> bytes:
    return b"zINSTREAM\0" + struct.pack("!L", len(content)) + content + struct.pack("!L", 0)


def test_clamd_answers_ping(clamd: str) -> None:
    assert _clamd_command(clamd, b"zPING\0") == b"PONG\0"


def test_clamd_finds_the_test_signature(clamd: str) -> None:
    reply = _clamd_command(clamd, _instream(EICAR))
    assert reply.startswith(f"stream: {EICAR_SIGNATURE}".encode())
    assert reply.endswith(b" FOUND\0")


def test_clamd_passes_clean_bytes(clamd: str) -> None:
    assert _clamd_command(clamd, _instream(b"%PDF-1.7\nrien de suspect\n")) == b"stream: OK\0"


@pytest.mark.django_db
def test_django_mail_reaches_the_smtp_server(smtp_inbox: SmtpServer) -> None:
    sent = mail.send_mail(
        "Dossier reçu",
        "Votre candidature est enregistrée.",
        "admissions@example.org",
        ["candidate@example.org"],
    )
    assert sent == 1
    assert len(smtp_inbox.received) == 1
    received = smtp_inbox.received[0]
    assert received.recipients == ["candidate@example.org"]
    assert received.message["Subject"] == "Dossier reçu"
    assert received.message.get_content().strip() == "Votre candidature est enregistrée."


def test_s3_storage_stores_and_reads_back(s3_server: S3Server) -> None:
    storage = S3Storage(**s3_server.storage_options())
    name = storage.save("probes/relevé.pdf", ContentFile(b"%PDF-1.7 contenu", name="relevé.pdf"))
    try:
        assert storage.exists(name)
        with storage.open(name) as stored:
            assert stored.read() == b"%PDF-1.7 contenu"
        listed = s3_server.client().list_objects_v2(Bucket=s3_server.bucket, Prefix="probes/")
        assert [item["Key"] for item in listed["Contents"]] == [name]
    finally:
        storage.delete(name)
    assert not storage.exists(name)
