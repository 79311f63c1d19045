"""Nothing lost: the served application killed (SIGKILL) in the middle of each write that
matters leaves its database and storage consistent; started again, the same request
succeeds, and sending it again changes nothing.

The server is `manage serve` in a process of its own, on the run's engine (SQLite, or the
PostgreSQL cluster in the PostgreSQL run), on the demonstration data. Every fault point of
`admissions.core.faults` is armed: the first request to reach one holds there, its
transaction open, until the test kills the process; a process started again passes it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest

from admissions.demo.candidates import sample_pdf
from tests.core.processes import SOURCE_DIR, environment, manage, start_manage
from tests.migrated_database import copy_sqlite
from tests.payments.stripe_server import SECRET_KEY, WEBHOOK_SECRET, event, session, sign
from tests.services.base import LOOPBACK, free_port, stop_process, wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
POINTS = (
    "upload.before_commit",
    "submission.before_commit",
    "payment.before_commit",
    "confirmation.before_commit",
    "decision.before_commit",
    "publication.before_commit",
)
ABANDONED_SECONDS = 3
# Runs one function of tests/core/crash_data.py in the site's environment.
INSPECT = (
    "import json, sys, django; django.setup(); "
    "from tests.core import crash_data; "
    "getattr(crash_data, sys.argv[1])(*json.loads(sys.argv[2]))"
)


@dataclass
class Answer:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Site:
    var_dir: Path
    environment: dict[str, str]
    data: dict[str, Any] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    port: int = 0
    starts: int = 0

    # The site's processes -----------------------------------------------------------------

    def run(self, function: str, *arguments: Any) -> dict[str, Any]:
        done = subprocess.run(
            [sys.executable, "-c", INSPECT, function, json.dumps(arguments)],
            env=self.environment,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return dict(json.loads(done.stdout.strip().splitlines()[-1]))

    def start(self) -> None:
        self.port = free_port()
        self.starts += 1
        log = self.var_dir / f"serve-{self.starts}.log"
        arguments = ["serve", "--host", LOOPBACK, "--port", str(self.port)]
        # Only the server holds at the fault points; the commands that build and read the
        # data pass them.
        armed = {
            **self.environment,
            "ADMISSIONS_FAULT_POINTS": ",".join(POINTS),
            "ADMISSIONS_FAULT_DIR": str(self.var_dir / "faults"),
        }
        self.process = start_manage(armed, log, *arguments, "--worker-interval", "0.2")
        wait_until(self._answers, timeout=90, what="serve", process=self.process, log=log)

    def _answers(self) -> bool:
        try:
            return self.call("GET", "/healthz", timeout=5).status in (200, 503)
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, timeout=30)
            self.process = None

    # Requests -----------------------------------------------------------------------------

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Answer:
        sent = {"Accept-Language": "en", **(headers or {})}
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        if body is not None and "Content-Type" not in sent:
            sent["Content-Type"] = "application/json"
        request = urllib.request.Request(
            f"http://{LOOPBACK}:{self.port}{path}", data=body, method=method, headers=sent
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 (http only)
                return Answer(reply.status, reply.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read())

    def killed_during(self, point: str, method: str, path: str, **request: Any) -> float:
        """Send the request, wait (bounded) until it holds at `point`, kill the server with
        SIGKILL; returns when (time.monotonic)."""
        marker = self.var_dir / "faults" / point
        assert not marker.exists(), f"{point} was reached before"
        outcome: list[object] = []

        def send() -> None:
            try:
                outcome.append(self.call(method, path, timeout=120, **request))
            except OSError as error:  # the connection dies with the server
                outcome.append(error)

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        deadline = time.monotonic() + 90
        while not marker.exists() and sender.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), f"the request never reached {point}: {outcome}"
        assert self.process is not None
        self.process.kill()
        killed = time.monotonic()
        self.process.wait(timeout=30)
        self.process = None
        sender.join(timeout=30)
        assert not sender.is_alive()
        assert not any(isinstance(answer, Answer) for answer in outcome), outcome
        return killed

    # What the database and storage hold ----------------------------------------------------

    def state(self) -> dict[str, Any]:
        references = [self.data["draft"], self.data["admitted"], *self.data["on_agenda"]]
        found = self.run("state", sorted(set(references)), self.data["session"])
        assert found["totals"] == {"steps": True, "report": True, "fees": True}, found["totals"]
        # Every row's file is stored; every stored file is named by a row, or left by a
        # request killed mid-upload and swept by the upkeep a day later.
        assert found["storage"]["missing"] == []
        assert found["storage"]["left_by_upkeep"] == []
        return found


@pytest.fixture(scope="module")
def database_url(
    request: pytest.FixtureRequest,
    database_engine: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """A database of the site's own, migrated: a copy of the run's (tests/migrated_database.py)."""
    if database_engine == "sqlite":
        database = tmp_path_factory.mktemp("crash-db") / "admissions.sqlite3"
        copy_sqlite(request.getfixturevalue("migrated_sqlite"), database)
        yield f"sqlite:///{database}"
        return
    server = request.getfixturevalue("postgres_server")
    migrated = request.getfixturevalue("migrated_postgres")
    name = f"crash_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.url(), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated}"')
    yield server.url(name)
    with psycopg.connect(server.url(), autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Site]:
    var_dir = tmp_path_factory.mktemp("crash-var")
    (var_dir / "faults").mkdir()
    env = environment(
        var_dir,
        DATABASE_URL=database_url,
        EMAIL_URL="locmem://",
        TASKS="database",
        PERIODIC_MINUTES="0",
        CARD_PROVIDER="stripe",
        STRIPE_SECRET_KEY=SECRET_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        API_IDEMPOTENCY_ABANDONED_SECONDS=str(ABANDONED_SECONDS),
    )
    # The children read the test data builders too.
    env["PYTHONPATH"] = f"{SOURCE_DIR}:{REPO_ROOT}"
    env["DJANGO_SETTINGS_MODULE"] = "admissions.settings"
    rulebook = SOURCE_DIR / "admissions" / "rulebooks" / "imt-nord-europe.toml"
    for command in (
        ("load_rulebook", str(rulebook)),
        ("seed_demo",),
    ):
        done = manage(env, *command, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    site = Site(var_dir=var_dir, environment=env)
    site.data = site.run("prepare")
    site.start()
    try:
        yield site
    finally:
        site.stop()


def _multipart(name: str, content: bytes, content_type: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{name}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data).encode()


# Once, on PostgreSQL, the engine of a school with more than one server: the writes and
# their transactions are the same code on SQLite.
@pytest.mark.postgres_only
@pytest.mark.timeout(1800)
def test_a_server_killed_in_the_middle_of_each_write_loses_nothing(site: Site) -> None:
    data = site.data
    draft, admitted = data["draft"], data["admitted"]
    candidate, offered = data["candidate_token"], data["admitted_token"]
    before = site.state()["files"]

    # An upload: the file is in storage, its version row not committed.
    body, content_type = _multipart("cv.pdf", sample_pdf("CV"), "application/pdf")
    upload = f"/api/v1/documents/{draft}/cv"
    headers = {"Content-Type": content_type}
    site.killed_during(
        "upload.before_commit", "POST", upload, token=candidate, body=body, headers=headers
    )
    after = site.state()
    assert after["files"][draft]["versions"] == before[draft]["versions"]
    assert after["files"][draft]["events"] == before[draft]["events"]
    assert after["storage"]["unnamed"], "the killed upload had stored its file"
    site.start()
    uploaded = site.call("POST", upload, token=candidate, body=body, headers=headers)
    assert uploaded.status == 201, uploaded.body
    assert ("cv", 2) in [tuple(row) for row in site.state()["files"][draft]["current"]]

    # The submission: status, eligibility, history and the receipt email, all or nothing.
    before = site.state()["files"]
    submit = f"/api/v1/applications/{draft}/submit"
    site.killed_during("submission.before_commit", "POST", submit, token=candidate)
    after = site.state()["files"][draft]
    assert after["status"] == "draft"
    assert after["events"] == before[draft]["events"]
    assert after["emails"] == before[draft]["emails"]
    site.start()
    for _ in range(2):  # the candidate's second click changes nothing
        submitted = site.call("POST", submit, token=candidate)
        assert submitted.status == 200, submitted.body
        assert submitted.json()["status"] == "submitted"
    after = site.state()["files"][draft]
    assert after["events"].count("application.submit") == 1
    assert after["emails"].count("submission_receipt") == 1

    # The provider's notification of the card payment of the deposit.
    before = site.state()["files"][admitted]
    paid = event(
        "checkout.session.completed",
        {
            **session(data["checkout"], amount=data["deposit_cents"]),
            "payment_intent": "pi_crash_deposit",
        },
    )
    hook = "/hooks/payments/stripe/"

    def notify() -> Answer:
        signed = {"Stripe-Signature": sign(paid)}
        return site.call("POST", hook, body=paid, headers=signed)

    site.killed_during(
        "payment.before_commit", "POST", hook, body=paid, headers={"Stripe-Signature": sign(paid)}
    )
    after = site.state()["files"][admitted]
    assert after["payments"] == before["payments"]
    assert after["checkouts"] == before["checkouts"]
    assert after["events"] == before["events"]
    assert after["emails"] == before["emails"]
    site.start()
    # The provider delivers again, and twice at the same moment: one payment.
    answers: list[Answer] = []
    threads = [threading.Thread(target=lambda: answers.append(notify())) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [answer.status for answer in answers] == [200, 200, 200], answers
    assert notify().status == 200
    after = site.state()["files"][admitted]
    new = [row for row in after["payments"] if row not in before["payments"]]
    assert len(new) == 1, after["payments"]
    assert new[0][1] == data["deposit_cents"]
    assert after["checkouts"][0][1] == "paid"
    assert (
        after["events"].count("payment.received") == before["events"].count("payment.received") + 1
    )

    # The confirmation of the place, the deposit paid.
    before = site.state()["files"][admitted]
    confirm = f"/api/v1/applications/{admitted}/confirm"
    site.killed_during("confirmation.before_commit", "POST", confirm, token=offered)
    after = site.state()["files"][admitted]
    assert after["status"] == "admitted"
    assert after["events"] == before["events"]
    assert after["emails"] == before["emails"]
    site.start()
    for _ in range(2):
        confirmed = site.call("POST", confirm, token=offered)
        assert confirmed.status == 200, confirmed.body
    after = site.state()["files"][admitted]
    assert after["status"] == "confirmed"
    assert len(after["events"]) == len(before["events"]) + 2  # the move and its email
    assert after["emails"].count("place_confirmed") == 1

    # A jury member's decision, sent with an Idempotency-Key and retried with it.
    last, jury = data["last_on_agenda"], f"/api/v1/staff/jury/sessions/{data['session']}"
    decision = f"{jury}/files/{last}/decision"
    key = {"Idempotency-Key": f"decision-{uuid.uuid4()}"}
    admit = _json({"outcome": "admitted"})
    before = site.state()["files"][last]
    killed = site.killed_during(
        "decision.before_commit",
        "PUT",
        decision,
        token=data["juror_token"],
        body=admit,
        headers=key,
    )
    assert before["decision"] == []
    after = site.state()["files"][last]
    assert after["decision"] == []
    assert after["events"] == before["events"]
    site.start()
    # The killed request's key is held until it is old enough to be abandoned (the API's
    # tests see the 409 meanwhile); then the retry runs, once.
    time.sleep(max(0.0, killed + ABANDONED_SECONDS + 1 - time.monotonic()))
    entered = site.call("PUT", decision, token=data["juror_token"], body=admit, headers=key)
    assert entered.status == 200, entered.body
    replayed = site.call("PUT", decision, token=data["juror_token"], body=admit, headers=key)
    assert replayed.status == 200
    assert replayed.body == entered.body
    after = site.state()["files"][last]
    assert len(after["decision"]) == 1
    assert after["events"].count("jury.decision_entered") == 1

    # The president validates, then publishes: every file moves and is told, or none.
    president = data["president_token"]
    validated = site.call("POST", f"{jury}/validate", token=president)
    assert validated.status == 200, validated.body
    before = site.state()
    publish = f"{jury}/publish"
    site.killed_during("publication.before_commit", "POST", publish, token=president, body=b"{}")
    after = site.state()
    assert after["session"]["published"] == 0
    assert after["session"]["publications_due"] == 1  # the periodic job would publish it
    for reference in data["on_agenda"]:
        assert after["files"][reference]["status"] == "on_agenda"
        assert after["files"][reference]["events"] == before["files"][reference]["events"]
        assert after["files"][reference]["emails"] == before["files"][reference]["emails"]
    site.start()
    published = site.call("POST", publish, token=president, body=b"{}")
    assert published.status == 200, published.body
    again = site.call("POST", publish, token=president, body=b"{}")
    assert again.status == 422, again.body
    assert again.json()["code"] == "nothing_to_publish"
    after = site.state()
    assert after["session"]["published"] == len(data["on_agenda"])
    for reference in data["on_agenda"]:
        moved, outcome = after["files"][reference], after["files"][reference]["decision"][0][0]
        assert moved["status"] == outcome
        assert moved["events"].count(f"application.publish_{outcome}") == 1
        told = [kind for kind in moved["emails"] if kind.startswith("decision_")]
        assert len(told) == 1, moved["emails"]
