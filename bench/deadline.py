"""Deadline day: many candidates uploading their documents and submitting at once.

Usage (from the repository root):

    .venv/bin/python bench/deadline.py --candidates 64 --seconds 60
    .venv/bin/python bench/deadline.py --candidates 2 --seconds 2 --databases sqlite

For each database (SQLite in a temporary folder, then a throw-away PostgreSQL cluster on
127.0.0.1), a process of its own prepares the candidates, starts clamd and granian as
production runs them (WSGI, two workers, DEBUG off, the antivirus on), drives the load with
wrk on 127.0.0.1, checks that nothing was lost, and hashes the same bytes with hashlib for
comparison. The figures are written to bench/RESULTS.md between the `deadline.py` markers.

The interface, for other ways of serving the same load (a proxy in front of several
application processes, say):

- `prepare(count, folder)`, with Django set up on the target database, its catalogue loaded
  and the demonstration campaigns open (`load_catalogue`, `open_demo_campaigns`): creates
  `count` candidates, each with a paid draft that lacks nothing but its six documents, a
  signed-in session written to the session store, and the template of their PDF files
  (valid PDFs of `DOCUMENT_BYTES`, each file's bytes made different by a tag). Returns the
  `Plan`, which `Plan.save` / `Plan.load` keep as JSON in `folder` for another process.
- `drive(base_url, plan, clients, seconds, out_dir)`: runs wrk with `deadline.lua`, one
  connection per client, each playing one candidate at a time (six multipart uploads to
  the API with the session cookie and CSRF token, then the submission), then the next
  candidate of the plan. Returns a `Result`: counts by kind and status, errors, latency
  percentiles per kind (`result.latency["upload"]["p95"]`, in ms), the bytes of documents
  accepted per second, and the raw `hashlib.sha256` speed on the same bytes.
- `verify(plan, result)`, with Django set up on the same database: every upload answered
  2xx is in the database and in storage with its SHA-256 and size, every submission
  answered 2xx left its file submitted, no file was submitted twice. Returns a
  `Verification` whose `failures` list says what is wrong (empty when all is well).

See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from load_server import (
    MemorySampler,
    Server,
    collected_static,
    profile,
    profile_summary,
    stop_on_term,
)
from results_file import write_section
from staff_lists import (
    ROOT,
    batches,
    load_catalogue,
    migrated_options,
    postgres_database,
    setup_django,
    start_from_migrated,
    timed,
)

BENCH = ROOT / "bench"
RESULTS = BENCH / "RESULTS.md"
BEGIN = "<!-- deadline.py: begin -->"
END = "<!-- deadline.py: end -->"
DATABASES = ("sqlite", "postgres")
DOCUMENT_BYTES = 1024 * 1024
DOCUMENTS = 6
# Each file's bytes differ by this tag, written where the template holds the placeholder.
TAG_LENGTH = len("C00000000D00")
PLACEHOLDER = "T" * TAG_LENGTH
# The institution whose files ask for exactly six PDF documents.
INSTITUTION = "imt-nord-europe"
# Candidates prepared: enough for this many submissions a second, plus one per client.
MAX_CANDIDATE_RATE = 12.0
VALID_UNTIL = "2036-01-01"
BLOCKING_THREADS = 2
UPLOAD_P95_MS = 1000.0
CHILD_TIMEOUT = 40 * 60


# The plan --------------------------------------------------------------------------------


@dataclass
class Candidate:
    index: int
    reference: str
    session: str
    # (requirement code, validity date or "") of each document to upload, in order.
    documents: list[tuple[str, str]]


@dataclass
class Plan:
    folder: Path
    candidates: list[Candidate]
    prefix: Path  # the template's bytes before the tag
    suffix: Path  # and after it

    def document(self, candidate: int, number: int) -> bytes:
        """The bytes of a candidate's document (1-based number), as deadline.lua sends them."""
        return self.prefix.read_bytes() + tag(candidate, number) + self.suffix.read_bytes()

    def documents(self) -> Iterator[tuple[int, int, bytes]]:
        head, tail = self.prefix.read_bytes(), self.suffix.read_bytes()
        for candidate in self.candidates:
            for number in range(1, len(candidate.documents) + 1):
                yield candidate.index, number, head + tag(candidate.index, number) + tail

    def save(self) -> Path:
        path = self.folder / "plan.json"
        data = {
            "candidates": [asdict(candidate) for candidate in self.candidates],
            "prefix": str(self.prefix),
            "suffix": str(self.suffix),
        }
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    @classmethod
    def load(cls, folder: Path) -> Plan:
        data = json.loads((folder / "plan.json").read_text(encoding="utf-8"))
        candidates = [
            Candidate(
                index=item["index"],
                reference=item["reference"],
                session=item["session"],
                documents=[(code, valid) for code, valid in item["documents"]],
            )
            for item in data["candidates"]
        ]
        return cls(folder, candidates, Path(data["prefix"]), Path(data["suffix"]))

    def write_lines(self, path: Path) -> Path:
        """The plan as deadline.lua reads it: one candidate a line."""
        import load_data

        lines = []
        for candidate in self.candidates:
            cookie = (
                f"{load_data.SESSION_COOKIE}={candidate.session}; "
                f"{load_data.CSRF_COOKIE}={load_data.CSRF_SECRET}"
            )
            documents = [
                f"{code}|{valid}" if valid else code for code, valid in candidate.documents
            ]
            fields = [str(candidate.index), candidate.reference, cookie, load_data.CSRF_SECRET]
            lines.append("\t".join(fields + documents))
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        return path


def tag(candidate: int, number: int) -> bytes:
    return f"C{candidate:08d}D{number:02d}".encode("ascii")


def pdf_template(size: int, seed: int) -> bytes:
    """A one-page PDF of about `size` bytes: an uncompressed image of random pixels (so no
    compression shrinks it on the way), and a title holding the placeholder of the tag."""
    import pikepdf

    rng = random.Random(seed)
    side = max(16, int(((size - 2048) / 3) ** 0.5))
    pixels = rng.randbytes(side * side * 3)
    pdf = pikepdf.new()
    image = pikepdf.Stream(pdf, pixels)
    image.Type = pikepdf.Name.XObject
    image.Subtype = pikepdf.Name.Image
    image.Width, image.Height = side, side
    image.ColorSpace = pikepdf.Name.DeviceRGB
    image.BitsPerComponent = 8
    content = pikepdf.Stream(pdf, f"q {side} 0 0 {side} 0 0 cm /Im0 Do Q".encode())
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, side, side],
        Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image)),
        Contents=content,
    )
    pdf.pages.append(pikepdf.Page(page))
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False):
        pass
    pdf.docinfo[pikepdf.Name.Title] = PLACEHOLDER
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, deterministic_id=True)
    return out.getvalue()


def prepare(count: int, folder: Path, *, seed: int = 2026) -> Plan:
    """`count` candidates ready to submit but for their documents; see the module's text."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # the tests' factories
    import load_data
    from django.contrib.auth.hashers import make_password
    from tests.factories import (
        COVER_LETTER,
        PROFESSIONAL_PROJECT,
        CandidateProfileFactory,
        EducationFactory,
        draft,
        pay_fee,
    )

    from admissions.applications.choices import open_campaigns, programmes_of, tracks_of
    from admissions.applications.models import Application
    from admissions.documents.services import requirement_for
    from admissions.documents.status import missing_requirements
    from admissions.people.models import User
    from admissions.workflow import checks

    folder.mkdir(parents=True, exist_ok=True)
    template = pdf_template(DOCUMENT_BYTES, seed)
    head, _, tail = template.partition(PLACEHOLDER.encode())
    if not tail or PLACEHOLDER.encode() in tail:
        raise RuntimeError("the PDF template must hold its placeholder once")
    prefix, suffix = folder / "document.prefix", folder / "document.suffix"
    prefix.write_bytes(head)
    suffix.write_bytes(tail)

    choices = [
        (campaign, programme, tracks_of(campaign, programme)[0])
        for campaign in open_campaigns()
        if campaign.institution.slug == INSTITUTION
        for programme in programmes_of(campaign)
    ]
    if not choices:
        raise RuntimeError(f"no open campaign of {INSTITUTION}: open the demo campaigns first")
    password = make_password(None)
    marker = f"deadline{time.monotonic_ns()}"
    for chunk in batches(count):
        User.objects.bulk_create(
            [
                User(
                    email=f"{marker}-{i}@bench.invalid",
                    first_name="Camille",
                    last_name=f"Candidate{i}",
                    password=password,
                )
                for i in chunk
            ]
        )
    users = list(User.objects.filter(email__startswith=marker).order_by("pk"))
    sessions = load_data.sessions_for([user.pk for user in users])
    candidates = []
    for index, user in enumerate(users):
        EducationFactory(profile=CandidateProfileFactory(user=user))
        campaign, programme, track = choices[index % len(choices)]
        application: Application = draft(
            user,
            campaign,
            programme,
            track=str(track),
            cover_letter=COVER_LETTER,
            professional_project=PROFESSIONAL_PROJECT,
        )
        pay_fee(application)
        codes = missing_requirements(application)
        if index < len(choices):
            # Each kind of file is checked once: nothing but its documents is missing.
            problems = checks.run_checks(application).problems
            others = [p for p in problems if p.code is not checks.Code.MISSING_DOCUMENT]
            if others or len(codes) != DOCUMENTS:
                raise RuntimeError(f"{application.reference}: {others or codes}")
        documents = []
        for code in codes:
            needs_date = requirement_for(application, code).needs_validity_date
            documents.append((code, VALID_UNTIL if needs_date else ""))
        candidates.append(Candidate(index, application.reference, sessions[user.pk], documents))
    plan = Plan(folder, candidates, prefix, suffix)
    plan.save()
    return plan


# The load --------------------------------------------------------------------------------


@dataclass
class Result:
    seconds: float
    clients: int
    counts: dict[str, dict[str, int]]  # kind -> status -> answers
    latency: dict[str, dict[str, float]]  # kind -> p50, p95, p99, max (ms)
    errors: int  # answers not 2xx, requests left without an answer, socket errors
    error_detail: str
    uploads_ok: list[tuple[int, int]]  # (candidate, document) answered 2xx
    submitted_ok: list[int]  # candidates whose submission was answered 2xx
    candidates_started: int
    exhausted: bool  # a client ran out of candidates: the plan was too small
    accepted_bytes: int
    intake_mb_s: float  # bytes of documents accepted per second of the run, in MB/s
    sha256_mb_s: float  # hashlib.sha256 over the same bytes, in this process
    wrk: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def drive(base_url: str, plan: Plan, clients: int, seconds: float, out_dir: Path) -> Result:
    """Run the load against `base_url` for `seconds` with `clients` connections."""
    out_dir.mkdir(parents=True, exist_ok=True)
    logs = out_dir / "logs"
    logs.mkdir(exist_ok=True)
    for old in logs.glob("thread-*.log"):
        old.unlink()
    lines = plan.write_lines(out_dir / "plan.tsv")
    command = [
        "wrk",
        "--threads",
        str(clients),
        "--connections",
        str(clients),
        "--duration",
        f"{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "--script",
        str(BENCH / "deadline.lua"),
        base_url,
        "--",
        str(lines),
        str(plan.prefix),
        str(plan.suffix),
        str(logs),
        str(clients),
        # Sent as each request's Origin, as a browser does: Django checks it over HTTPS.
        base_url,
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 120, check=False
    )
    summary = [line for line in done.stdout.splitlines() if line.startswith("BENCH ")]
    if done.returncode != 0 or not summary:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    wrk = json.loads(summary[-1].removeprefix("BENCH "))
    return summarise(plan, clients, wrk, logs)


def summarise(plan: Plan, clients: int, wrk: dict[str, int], logs: Path) -> Result:
    counts: dict[str, Counter[str]] = {}
    times: dict[str, list[float]] = {}
    uploads_ok: list[tuple[int, int]] = []
    submitted_ok: list[int] = []
    started: set[int] = set()
    accepted = 0
    bad: Counter[str] = Counter()
    for log in sorted(logs.glob("thread-*.log")):
        for line in log.read_text(encoding="utf-8").splitlines():
            kind, candidate, document, status, micros, size = line.split("\t")
            code = int(status)
            counts.setdefault(kind, Counter())[status] += 1
            times.setdefault(kind, []).append(int(micros) / 1000)
            ok = 200 <= code < 300
            if kind == "upload":
                started.add(int(candidate))
                if ok:
                    uploads_ok.append((int(candidate), int(document)))
                    accepted += int(size)
            elif kind == "submit" and ok:
                submitted_ok.append(int(candidate))
            if not ok:
                bad[f"{kind} {code or 'no answer'}"] += 1
    socket_errors = sum(wrk[key] for key in ("connect", "read", "write", "timeout"))
    if socket_errors:
        bad["socket errors"] += socket_errors
    exhausted = "idle" in counts
    if exhausted:
        bad["clients without a candidate left (plan too small)"] += 1
    seconds = wrk["duration_us"] / 1e6
    return Result(
        seconds=seconds,
        clients=clients,
        counts={kind: dict(counter) for kind, counter in counts.items()},
        latency={kind: percentiles(values) for kind, values in times.items()},
        errors=sum(bad.values()),
        error_detail=", ".join(f"{n} {what}" for what, n in bad.most_common()),
        uploads_ok=uploads_ok,
        submitted_ok=submitted_ok,
        candidates_started=len(started),
        exhausted=exhausted,
        accepted_bytes=accepted,
        intake_mb_s=accepted / 1e6 / seconds if seconds else 0.0,
        sha256_mb_s=sha256_speed(plan, uploads_ok),
        wrk=wrk,
    )


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


def sha256_speed(plan: Plan, uploads: list[tuple[int, int]]) -> float:
    """MB/s of hashlib.sha256 over the bytes of the accepted documents, hashing timed only."""
    if not uploads:
        return 0.0
    head, tail = plan.prefix.read_bytes(), plan.suffix.read_bytes()
    total, spent = 0, 0.0
    for candidate, number in uploads:
        data = head + tag(candidate, number) + tail
        begun = time.perf_counter()
        hashlib.sha256(data).hexdigest()
        spent += time.perf_counter() - begun
        total += len(data)
    return total / 1e6 / spent if spent else 0.0


# Checking what was kept -------------------------------------------------------------------


@dataclass
class Verification:
    uploads_answered: int
    uploads_stored: int  # of those, found in the database and storage, bytes identical
    submissions_answered: int
    submissions_found: int  # of those, files found submitted
    files_submitted: int  # files of the plan submitted (answered or cut off at the end)
    submitted_twice: int
    failures: list[str]

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def verify(plan: Plan, result: Result, *, require_uploads: bool = True) -> Verification:
    """Everything the server said it kept is kept, once; see the module's text. A run in
    which no upload was accepted fails, unless `require_uploads` is off (a warm-up)."""
    from django.db.models import Count, Q

    from admissions.applications.lifecycle import SUBMITTED_STATUSES
    from admissions.applications.models import Application
    from admissions.documents import storage
    from admissions.documents.models import Document

    failures: list[str] = []
    by_index = {candidate.index: candidate for candidate in plan.candidates}
    references = [by_index[index].reference for index in {c for c, _ in result.uploads_ok}]
    current: dict[tuple[str, str], Any] = {}
    for document in Document.objects.filter(
        application__reference__in=references, translation_of__isnull=True
    ).select_related("application", "current_version"):
        current[(document.application.reference, document.requirement_code)] = (
            document.current_version
        )
    stored = 0
    head, tail = plan.prefix.read_bytes(), plan.suffix.read_bytes()
    for index, number in result.uploads_ok:
        candidate = by_index[index]
        code = candidate.documents[number - 1][0]
        data = head + tag(index, number) + tail
        expected = hashlib.sha256(data).hexdigest()
        version = current.get((candidate.reference, code))
        where = f"{candidate.reference} {code}"
        if version is None:
            failures.append(f"{where}: answered 2xx, no version in the database")
            continue
        if version.sha256 != expected or version.size != len(data):
            failures.append(f"{where}: the database holds another file ({version.sha256})")
            continue
        try:
            with storage.open_file(version.file.name) as kept:
                found = hashlib.sha256(kept.read()).hexdigest()
        except OSError as error:
            failures.append(f"{where}: not in storage ({error})")
            continue
        if found != expected:
            failures.append(f"{where}: storage holds other bytes ({found})")
            continue
        stored += 1

    plan_references = [candidate.reference for candidate in plan.candidates]
    files = Application.objects.filter(reference__in=plan_references).annotate(
        submits=Count("events", filter=Q(events__action__startswith="application.submit"))
    )
    status_of = {}
    twice = 0
    for application in files.only("reference", "status"):
        status_of[application.reference] = application.status
        if application.submits > 1:
            twice += 1
            failures.append(f"{application.reference}: submitted {application.submits} times")
    found_submitted = 0
    for index in result.submitted_ok:
        reference = by_index[index].reference
        if status_of.get(reference) in SUBMITTED_STATUSES:
            found_submitted += 1
        else:
            failures.append(
                f"{reference}: submission answered 2xx, file {status_of.get(reference)}"
            )
    if result.errors:
        failures.append(f"{result.errors} errors during the load: {result.error_detail}")
    if require_uploads and not result.uploads_ok:
        failures.append("no upload was accepted")
    return Verification(
        uploads_answered=len(result.uploads_ok),
        uploads_stored=stored,
        submissions_answered=len(result.submitted_ok),
        submissions_found=found_submitted,
        files_submitted=sum(1 for status in status_of.values() if status in SUBMITTED_STATUSES),
        submitted_twice=twice,
        failures=failures,
    )


# The bench ---------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--candidates", type=int, default=64, help="clients at once")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--databases", nargs="+", choices=DATABASES, default=list(DATABASES))
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--profile", action="store_true", help="py-spy on a worker meanwhile")
    parser.add_argument(
        "--blocking-threads",
        type=int,
        default=BLOCKING_THREADS,
        help=f"granian's threads per worker (default {BLOCKING_THREADS}, as docs/operations.md)",
    )
    parser.add_argument(
        "--server-venv",
        type=Path,
        default=Path(sys.prefix),
        help="the virtual environment the server runs from (make bench-deadline: the runtime "
        "dependencies only, as production installs them); default: this one",
    )
    parser.add_argument(
        "--no-write", action="store_true", help="print the figures, leave RESULTS.md alone"
    )
    parser.add_argument(
        "--warm-up", type=float, default=5.0, help="seconds of load before, not counted"
    )
    parser.add_argument("--json", type=Path, help="also write each database's figures here")
    parser.add_argument("--keep", type=Path, help="copy the load's logs and plan here")
    migrated_options(parser)
    parser.add_argument("--one", choices=DATABASES, help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    stop_on_term()
    if args.one:
        with tempfile.TemporaryDirectory(prefix="admissions-deadline-") as var_dir:
            if args.one == "postgres":
                with postgres_database(args.migrated_postgres) as url:
                    result = measure(args, Path(var_dir), url)
            else:
                result = measure(args, Path(var_dir), None)
        args.output.write_text(json.dumps(result), encoding="utf-8")
        return
    started = time.monotonic()
    results = {}
    with tempfile.TemporaryDirectory(prefix="admissions-deadline-out-") as folder:
        for database in args.databases:
            output = Path(folder) / f"{database}.json"
            command = [sys.executable, __file__, *sys.argv[1:], "--one", database]
            command += ["--output", str(output)]
            print(f"== {database}", flush=True)
            subprocess.run(command, check=True, timeout=CHILD_TIMEOUT)
            results[database] = json.loads(output.read_text(encoding="utf-8"))
    elapsed = time.monotonic() - started
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    if not args.no_write:
        write_results(args, results, elapsed)
        print(f"\nwhole run: {elapsed / 60:.1f} min; results written to {args.results}")
    failed = [db for db, result in results.items() if result["verification"]["failures"]]
    if failed:
        raise SystemExit(f"the deadline load failed on: {', '.join(failed)} (see above)")


@contextmanager
def clamd_process(*, over: str = "unix") -> Iterator[tuple[str, int]]:
    """The tests' clamd (tests/services/clamd.py): the daemon production scans with, given a
    one-signature database (the EICAR test file) as no signature download is made here; the
    address of its unix socket, as production reaches a clamd on the same machine (files
    handed by descriptor), or of its loopback TCP port (`over="tcp"`: files streamed), and
    its process id."""
    sys.path.insert(0, str(ROOT))
    from tests.services.clamd import running_clamd

    with running_clamd() as (daemon, pid):
        yield (daemon.tcp_address if over == "tcp" else daemon.unix_address), pid


@contextmanager
def throwaway_clamd() -> Iterator[str]:
    """The tests' clamd's address (`clamd_process`)."""
    with clamd_process() as (address, _pid):
        yield address


def measure(args: argparse.Namespace, var_dir: Path, database_url: str | None) -> dict[str, Any]:
    warnings.filterwarnings("ignore", message="No directory at")
    with throwaway_clamd() as clamd_address:
        os.environ["ADMISSIONS_CLAMD"] = clamd_address
        setup_django(str(var_dir), database_url)
        return measure_on(args, var_dir, database_url, clamd_address)


def measure_on(
    args: argparse.Namespace, var_dir: Path, database_url: str | None, clamd_address: str
) -> dict[str, Any]:
    import django
    import load
    import load_data
    from django.db import connection

    print(f"database: {connection.vendor}, clients: {args.candidates}", flush=True)
    migrated = start_from_migrated(args, database_url)
    timed("migrate and load rulebooks", lambda: load_catalogue(migrated=migrated))
    timed("open the demonstration campaigns", load_data.open_demo_campaigns)
    warm_count = round(args.warm_up * MAX_CANDIDATE_RATE) + args.candidates
    count = round(args.seconds * MAX_CANDIDATE_RATE) + args.candidates
    everyone = timed(
        f"prepare {warm_count + count} candidates",
        lambda: prepare(warm_count + count, var_dir / "plan"),
    )
    # The first candidates warm the workers up (the fork server of the PDF scan, the
    # connections), in a run of their own whose figures are checked but not counted.
    warm_plan = Plan(
        everyone.folder, everyone.candidates[:warm_count], everyone.prefix, everyone.suffix
    )
    plan = Plan(everyone.folder, everyone.candidates[warm_count:], everyone.prefix, everyone.suffix)
    env = load.server_env(var_dir, database_url)
    # The production defaults but for the API's rate per address: every client is 127.0.0.1.
    env["ADMISSIONS_CLAMD"] = clamd_address
    python = str(args.server_venv / "bin" / "python")
    env["ADMISSIONS_STATIC_ROOT"] = str(
        timed("collect static files", lambda: collected_static(Path(python), env))
    )
    version = load.database_version()
    connection.close()

    granian = args.server_venv / "bin" / "granian"
    profiled = ""
    with Server(granian, env, var_dir / "granian.log", threads=args.blocking_threads) as server:
        load_average = os.getloadavg()[0]
        warm = drive(server.url, warm_plan, args.candidates, args.warm_up, var_dir / "warm-up")
        with MemorySampler(server.workers) as memory:
            spy = None
            raw = var_dir / "deadline.profile"
            if args.profile:
                spy = profile(server.workers[0], args.seconds, raw)
            result = drive(server.url, plan, args.candidates, args.seconds, var_dir / "load")
            if spy is not None:
                _, error = spy.communicate(timeout=120)
                profiled = profile_summary(raw) if raw.exists() else error.decode()
                print(f"py-spy on one worker:\n{profiled}", flush=True)
                if args.keep:
                    args.keep.mkdir(parents=True, exist_ok=True)
                    (args.keep / f"{connection.vendor}.profile").write_bytes(raw.read_bytes())
        if result.errors:
            print(f"errors: {result.error_detail}; the server's log ends with:", flush=True)
            print(server.log.read_text(errors="replace")[-4000:], flush=True)
    if args.keep:
        import shutil

        shutil.copytree(var_dir / "load", args.keep / connection.vendor, dirs_exist_ok=True)
        shutil.copy(var_dir / "granian.log", args.keep / connection.vendor / "granian.log")
    warm_verification = verify(warm_plan, warm, require_uploads=False)
    verification = verify(plan, result)
    if warm_verification.failures:
        verification.failures[:0] = [f"warm-up: {f}" for f in warm_verification.failures]
    print(summary_line(result, verification), flush=True)
    for failure in verification.failures[:20]:
        print(f"  FAILED: {failure}", flush=True)
    outcome = result.as_dict()
    del outcome["uploads_ok"], outcome["submitted_ok"]
    return {
        "database": connection.vendor,
        "version": version,
        "django": django.get_version(),
        "candidates_prepared": count,
        "result": outcome,
        "verification": verification.as_dict(),
        "memory_peak": memory.peak,
        "load_average": load_average,
        "profile": profiled,
    }


def summary_line(result: Result, verification: Verification) -> str:
    upload = result.latency.get("upload", {})
    submit = result.latency.get("submit", {})
    return (
        f"{verification.uploads_answered} uploads accepted, "
        f"{verification.submissions_answered} submissions; upload p50 "
        f"{upload.get('p50', 0):.0f} ms, p95 {upload.get('p95', 0):.0f} ms; submission p95 "
        f"{submit.get('p95', 0):.0f} ms; intake {result.intake_mb_s:.1f} MB/s, sha256 "
        f"{result.sha256_mb_s:.0f} MB/s; {result.errors} errors; "
        f"verify {'passed' if verification.ok else 'FAILED'}"
    )


# Results ------------------------------------------------------------------------------------


def write_results(args: argparse.Namespace, results: dict[str, Any], elapsed: float) -> None:
    section = render(args, results, elapsed)
    write_section(args.results, section, begin=BEGIN, end=END)


def render(args: argparse.Namespace, results: dict[str, Any], elapsed: float) -> str:
    import load

    first = next(iter(results.values()))
    dbs = list(results)
    lines = [
        BEGIN,
        "## Deadline day (`deadline.py`)",
        "",
        f"Written by `make bench-deadline` on {dt.datetime.now(dt.UTC):%Y-%m-%d} at commit "
        f"`{load.commit()}`, on {load.machine()}, Django {first['django']}. "
        f"{args.candidates} candidates at once for {args.seconds:g} s, each uploading "
        f"{DOCUMENTS} PDF files of {DOCUMENT_BYTES // 1024**2} MB through the API then "
        "submitting, then the next candidate; wrk on 127.0.0.1; granian with 2 WSGI workers "
        f"of {args.blocking_threads} threads, DEBUG off; every file scanned by clamd (on its "
        "unix socket, the file handed by descriptor; with a "
        "one-signature database: the test file EICAR) and checked by the PDF scan, as in "
        f"production. The whole run took {elapsed / 60:.1f} min. The load average of the "
        "machine (over a minute) as each database's load began, other work included: "
        + ", ".join(f"{results[db]['version']} {results[db]['load_average']:.1f}" for db in dbs)
        + ".",
        "",
        "| figure | " + " | ".join(results[db]["version"] for db in dbs) + " | target |",
        "|---|" + "---|" * len(dbs) + "---|",
    ]

    def row(label: str, cell: Any, target: str) -> None:
        lines.append(
            f"| {label} | " + " | ".join(cell(results[db]) for db in dbs) + f" | {target} |"
        )

    def lat(r: dict[str, Any], kind: str, name: str) -> float:
        return float(r["result"]["latency"].get(kind, {}).get(name, 0.0))

    row(
        "uploads accepted / submissions",
        lambda r: (
            f"{r['verification']['uploads_answered']:,} / "
            f"{r['verification']['submissions_answered']:,}"
        ),
        "-",
    )
    row(
        "upload p50 / p95 / p99",
        lambda r: (
            f"{lat(r, 'upload', 'p50'):.0f} / {lat(r, 'upload', 'p95'):.0f} / "
            f"{lat(r, 'upload', 'p99'):.0f} ms, "
            + load.met(0 < lat(r, "upload", "p95") < UPLOAD_P95_MS)
        ),
        "p95 < 1 s",
    )
    row(
        "submission p50 / p95",
        lambda r: f"{lat(r, 'submit', 'p50'):.0f} / {lat(r, 'submit', 'p95'):.0f} ms",
        "-",
    )
    row(
        "errors, files lost",
        lambda r: (
            f"{r['result']['errors']}, "
            f"{r['verification']['uploads_answered'] - r['verification']['uploads_stored']}, "
            + load.met(not r["verification"]["failures"])
        ),
        "none",
    )
    row(
        "document intake (accepted bytes per second)",
        lambda r: (
            f"{r['result']['intake_mb_s']:.1f} MB/s "
            f"(SHA-256 alone: {r['result']['sha256_mb_s']:,.0f} MB/s)"
        ),
        "-",
    )
    row("peak memory of one web worker", lambda r: f"{r['memory_peak']:.0f} MiB", "-")
    for db in dbs:
        profiled = results[db]["profile"]
        if profiled:
            lines += ["", f"py-spy on one worker ({db}):", "", "```", profiled, "```"]
    lines.append(END)
    return "\n".join(lines)


if __name__ == "__main__":
    main()
