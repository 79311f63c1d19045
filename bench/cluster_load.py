"""The load `cluster.py` drives through nginx, and what it checks in the data afterwards.

`for_run` gives the deadline-day load of `deadline.py` (candidates uploading their
documents and submitting: every request a POST, which nginx never sends twice), or with
`--load drafts` candidates' status pages (GET, which nginx may send again to the other
process) interleaved with application drafts created through the API (POST). Each load
prepares its data in this process (Django set up on the cluster's database), checks a
request through nginx, drives the load, and counts in the database what the answers
promised.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from staff_lists import create_applications, load_catalogue, setup_django, timed

BENCH = Path(__file__).resolve().parent
# Drafts are prepared for this rate at most: each is created once.
MAX_DRAFT_RATE = 1000
DRAFTS_PATH = "/api/v1/applications"
# Candidates of the deadline-day plan whose uploads warm the application processes up.
WARM_UP = 2


@dataclass
class Outcome:
    """What the load tool saw."""

    requests: int = 0
    socket_errors: int = 0
    status_errors: int = 0
    wraps: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        text = f"{self.requests} answers, {self.status_errors} non-2xx/3xx"
        text += f", {self.socket_errors} socket errors"
        return text + (f", {self.wraps} wraps" if self.wraps else "")

    def detail(self) -> str:
        return str(self.extra.get("detail", ""))


class Load(Protocol):
    name: str

    def prepare(self, rng: random.Random) -> None: ...

    def check_through(self, nginx: Any) -> None: ...

    def drive(self, url: str, clients: int, seconds: float, out_dir: Path) -> Outcome: ...

    def verify(self, records: list[dict[str, Any]]) -> tuple[dict[str, str], list[str]]: ...


def for_run(args: argparse.Namespace, root: Path) -> Load:
    if args.load == "deadline":
        return DeadlineDay(root / "var", args.seconds, args.clients, args.seed)
    return DraftsAndStatus(root / "var", args.seconds, args.applications)


def django_ready(var_dir: Path) -> None:
    import os

    setup_django(str(var_dir), os.environ["ADMISSIONS_DATABASE_URL"])


class DraftsAndStatus:
    """Status pages and draft creations, one of each in turn, with wrk."""

    name = "candidates' status pages and application drafts through the API (wrk)"

    def __init__(self, var_dir: Path, seconds: float, applications: int) -> None:
        self.var_dir = var_dir
        self.seconds = seconds
        self.applications = applications
        self.lines: list[Any] = []

    def prepare(self, rng: random.Random) -> None:
        django_ready(self.var_dir)
        import load_data

        load_catalogue()
        load_data.open_demo_campaigns()
        create_applications(self.applications, rng)
        status = timed("status pages", lambda: load_data.status_pages(rng))
        drafts = timed("drafts", lambda: load_data.drafts(round(self.seconds * MAX_DRAFT_RATE) + 1))
        self.checked = [status[0], drafts[0]]
        self.lines = []
        for number, draft in enumerate(drafts[1:]):
            self.lines += [status[number % len(status)], draft]

    def check_through(self, nginx: Any) -> None:
        for request, expected in zip(self.checked, (200, 201), strict=True):
            cookie, token = request.line().split("\t")[2:4]
            headers = {"Cookie": cookie}
            if token:
                headers |= {"X-CSRFToken": token, "Origin": nginx.url}
                headers["Content-Type"] = "application/json"
            status, body = nginx.get(
                request.path,
                method=request.method,
                headers=headers,
                data=request.body.encode() if request.body else None,
            )
            if status != expected:
                raise RuntimeError(f"{request.method} {request.path}: {status}\n{body[:2000]!r}")

    def drive(self, url: str, clients: int, seconds: float, out_dir: Path) -> Outcome:
        import load_data

        out_dir.mkdir(parents=True, exist_ok=True)
        requests = load_data.write_requests(out_dir / "requests.txt", self.lines)
        threads = min(clients, 2)
        command = ["wrk", "--threads", str(threads), "--connections", str(clients)]
        command += ["--duration", f"{max(1, round(seconds))}s", "--timeout", "30s"]
        command += ["--script", str(BENCH / "requests.lua"), url, "--", str(requests)]
        command += [str(threads), url]
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds + 60, check=False
        )
        lines = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
        if done.returncode != 0 or not lines:
            raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        data = json.loads(lines[-1].removeprefix("BENCH "))
        return Outcome(
            requests=data["requests"],
            socket_errors=sum(data[key] for key in ("connect", "read", "write", "timeout")),
            status_errors=data["status"],
            wraps=data["wraps"],
        )

    def verify(self, records: list[dict[str, Any]]) -> tuple[dict[str, str], list[str]]:
        """Every draft answered 201 is in the database, once; a draft left unanswered (its
        process killed, or its client gone at the end of the load) may be there or not."""
        from django.db.models import Count

        from admissions.applications.models import Application

        posts = [r for r in records if r["method"] == "POST" and r["uri"] == DRAFTS_PATH]
        created = sum(1 for r in posts if r["status"] == 201)
        # Unanswered: died with the killed process, or cut by the client at the end of its time.
        unanswered = sum(1 for r in posts if r["status"] in (499, 502, 504))
        drafts = Application.objects.filter(candidate__email__startswith="drafter")
        # The draft checked through nginx before the load is one of them.
        stored = drafts.count() - 1
        doubles = (
            drafts.values("candidate", "programme", "campaign")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
            .count()
        )
        failures = []
        if not created <= stored <= created + unanswered:
            failures.append(
                f"{created} drafts answered 201 and {unanswered} unanswered, "
                f"but {stored} in the database"
            )
        if doubles:
            failures.append(f"{doubles} drafts recorded twice")
        data = {
            "drafts created (answered 201 / in the database)": f"{created:,} / {stored:,}",
            "drafts recorded twice": str(doubles),
        }
        return data, failures


class DeadlineDay:
    """deadline.py's load: each client plays candidates uploading six 1 MB PDFs, then
    submitting; an upload or submission left unanswered by a dying process is sent again."""

    name = "deadline day, candidates uploading six 1 MB PDFs each then submitting (wrk)"

    def __init__(self, var_dir: Path, seconds: float, clients: int, seed: int) -> None:
        self.var_dir, self.seconds, self.clients, self.seed = var_dir, seconds, clients, seed
        self.checked: list[Any] = []

    def prepare(self, rng: random.Random) -> None:
        django_ready(self.var_dir)
        import deadline
        import load_data

        load_catalogue()
        load_data.open_demo_campaigns()
        count = round(self.seconds * deadline.MAX_CANDIDATE_RATE) + self.clients + WARM_UP
        self.plan = timed(
            f"prepare {count} candidates",
            lambda: deadline.prepare(count, self.var_dir / "plan", seed=self.seed),
        )

    def check_through(self, nginx: Any) -> None:
        """The last candidates of the plan upload their documents through nginx, all at once,
        before the load: each application process's workers load what an upload needs (the
        PDF checker, the S3 client) on their first one, which the load should not measure.
        Those candidates are then left out of the plan."""
        from concurrent.futures import ThreadPoolExecutor

        warm = self.plan.candidates[-WARM_UP:]
        del self.plan.candidates[-WARM_UP:]
        uploads = [
            (candidate, number)
            for candidate in warm
            for number in range(1, len(candidate.documents) + 1)
        ]
        with ThreadPoolExecutor(len(uploads)) as pool:
            answers = list(pool.map(lambda item: self.upload(nginx, *item), uploads))
        refused = [answer for answer in answers if not 200 <= answer[0] < 300]
        if refused:
            status, body = refused[0]
            raise RuntimeError(f"an upload through nginx answered {status}: {body[:2000]!r}")
        self.checked = warm

    def upload(self, nginx: Any, candidate: Any, number: int) -> tuple[int, bytes]:
        import load_data

        code, valid = candidate.documents[number - 1]
        boundary = "cluster-warm-up-boundary"
        body = b""
        if valid:
            body += (
                f'--{boundary}\r\nContent-Disposition: form-data; name="valid_until"\r\n\r\n'
                f"{valid}\r\n"
            ).encode()
        body += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{code}.pdf"'
            f"\r\nContent-Type: application/pdf\r\n\r\n"
        ).encode()
        body += self.plan.document(candidate.index, number) + f"\r\n--{boundary}--\r\n".encode()
        cookie = (
            f"{load_data.SESSION_COOKIE}={candidate.session}; "
            f"{load_data.CSRF_COOKIE}={load_data.CSRF_SECRET}"
        )
        headers = {
            "Cookie": cookie,
            "X-CSRFToken": load_data.CSRF_SECRET,
            "Origin": nginx.url,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        }
        path = f"/api/v1/documents/{candidate.reference}/{code}"
        status, answer = nginx.get(path, method="POST", headers=headers, data=body)
        return status, answer

    def drive(self, url: str, clients: int, seconds: float, out_dir: Path) -> Outcome:
        import deadline

        self.result = deadline.drive(url, self.plan, clients, seconds, out_dir)
        wrk = self.result.wrk
        return Outcome(
            requests=wrk.get("requests", 0),
            socket_errors=sum(wrk.get(key, 0) for key in ("connect", "read", "write", "timeout")),
            status_errors=wrk.get("status", 0),
            wraps=1 if self.result.exhausted else 0,
            extra={"detail": self.detail()},
        )

    def detail(self) -> str:
        latency = self.result.latency
        parts = [
            f"{kind}: p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms"
            for kind, figures in sorted(latency.items())
        ]
        return (
            f"As the load tool saw it: {self.result.intake_mb_s:.1f} MB/s of documents "
            f"accepted; " + "; ".join(parts) + "."
        )

    def verify(self, records: list[dict[str, Any]]) -> tuple[dict[str, str], list[str]]:
        """deadline.py's checks on what was answered 2xx; the answers that were not are
        counted from nginx's log by cluster_checks (lost only with the killed process)."""
        import dataclasses

        import deadline

        checked = deadline.verify(self.plan, dataclasses.replace(self.result, errors=0))
        data = {
            "uploads answered 2xx / in the database and S3 with their SHA-256": (
                f"{checked.uploads_answered:,} / {checked.uploads_stored:,}"
            ),
            "submissions answered 2xx / files found submitted": (
                f"{checked.submissions_answered:,} / {checked.submissions_found:,}"
            ),
            "files submitted (answered or cut at the end) / submitted twice": (
                f"{checked.files_submitted:,} / {checked.submitted_twice}"
            ),
        }
        return data, checked.failures
