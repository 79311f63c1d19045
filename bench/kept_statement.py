"""The PostgreSQL server's CPU per run of a kept status page's statement, by parts.

Usage (from the repository root), on a database filled by `signed_in.py --database postgres
--database-url URL` (its status pages' sessions):

    .venv/bin/python bench/kept_statement.py --database-url postgres://...
    .venv/bin/python bench/kept_statement.py --database-url postgres://... --clients 4

A kept hit sends one statement: the session, its user and the status page's version
(`people/sessions.py` with `portal/status_rider.py`'s rider). This compiles it as the site
does and runs it prepared, by the protocol's Bind and Execute (psycopg's preparing), over the
sessions of candidates with a file that is not a draft, beside statements cut from it, each
on its own connection, in turn:

- `statement`: the statement as the site runs it;
- `no subqueries`: the version's subqueries (the file's other rows, the waiting line) each
  replaced by NULL: what the version would cost if it read them from the file's own row;
- `keys only`: besides, the fingerprint's record holding one column of each joined row
  instead of all of them: what writing and hashing the record costs;
- `session and user`: the statement without the version (`people/sessions.py`'s own);
- `parameters only`: `SELECT` of the three parameters: what any statement costs.

The cut statements return other values: they are for timing only. Prints each one's server
CPU per run (its backend's /proc entry: the server runs on this machine) over `--rounds`
rounds in turn (`--clients` connections at once, each its own process), and the relations the
statement locks, by PostgreSQL's fast path or its shared lock table.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import multiprocessing
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FINGERPRINT = "sha256(convert_to(ROW("
SESSIONS = 200


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--runs", type=int, default=3_000, help="runs of each statement a round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=1)
    parser.add_argument("--status", help="only the sessions of files of this status")
    return parser.parse_args()


def _arguments(text: str, start: int) -> tuple[list[tuple[int, int]], int]:
    """The spans of the comma-separated arguments of the call whose "(" is at `start`, and
    the position of its ")": parentheses and quoted text and names taken into account."""
    spans = []
    depth = 0
    begin = start + 1
    position = start
    while True:
        char = text[position]
        if char in "'\"":
            position = text.index(char, position + 1)
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                spans.append((begin, position))
                return spans, position
        elif char == "," and depth == 1:
            spans.append((begin, position))
            begin = position + 1
        position += 1


def _record(sql: str) -> tuple[int, list[str], int]:
    """Where the fingerprint's record's arguments start and end, and the arguments."""
    opening = sql.index(FINGERPRINT) + len(FINGERPRINT) - 1
    spans, closing = _arguments(sql, opening)
    return opening, [sql[begin:end].strip() for begin, end in spans], closing


def _subquery(argument: str) -> bool:
    return argument.startswith(("(SELECT", "CASE WHEN"))


def without_subqueries(sql: str) -> str:
    opening, arguments, closing = _record(sql)
    kept = ["NULL" if _subquery(argument) else argument for argument in arguments]
    if kept == arguments:
        raise SystemExit("the fingerprint has no subquery: the statement changed shape")
    return f"{sql[: opening + 1]}{', '.join(kept)}{sql[closing:]}"


def keys_only(sql: str) -> str:
    sql = without_subqueries(sql)
    opening, arguments, closing = _record(sql)
    kept, aliases = [], set()
    for argument in arguments:
        alias = re.match(r'(\w+)\."', argument)
        if alias is not None and alias.group(1) not in aliases:
            aliases.add(alias.group(1))
            kept.append(argument)
    return f"{sql[: opening + 1]}{', '.join(kept)}{sql[closing:]}"


def statements(url: str, status: str | None) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Each statement's text with psycopg's placeholders, and (session key, reference)s."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "admissions.settings"
    os.environ["ADMISSIONS_DATABASE_URL"] = url
    if "ADMISSIONS_VAR_DIR" not in os.environ:
        var_dir = tempfile.mkdtemp(prefix="admissions-bench-")
        atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
        os.environ["ADMISSIONS_VAR_DIR"] = var_dir
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connection

    from admissions.applications.lifecycle import Status
    from admissions.people import sessions
    from admissions.portal.status_rider import RIDER

    def text(statement: Any) -> str:
        # The site's PREPARE text: its constants inlined, its values as $1, $2, $3.
        prepared: str = statement._prepare_sql(connection.connection)
        return re.sub(r"\$(\d)", lambda m: "%(p" + m.group(1) + ")s", prepared.split(" AS ", 1)[1])

    connection.ensure_connection()
    ridden = text(sessions._statement("default", RIDER))
    texts = {
        "statement": ridden,
        "no subqueries": without_subqueries(ridden),
        "keys only": keys_only(ridden),
        "session and user": text(sessions._statement("default")),
        "parameters only": "SELECT %(p1)s::text, %(p2)s::timestamptz, %(p3)s::text",
    }
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.session_key, a.reference FROM people_session s"
            " JOIN applications_application a ON a.candidate_id = s.user_id"
            " WHERE a.status <> %s AND (%s::text IS NULL OR a.status = %s)"
            " AND s.expire_date > now() ORDER BY s.session_key LIMIT %s",
            [Status.DRAFT, status, status, SESSIONS],
        )
        found = [(key, reference) for key, reference in cursor.fetchall()]
    if not found:
        raise SystemExit("no signed-in candidate with a file: fill the database with signed_in.py")
    return texts, found


def _backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _values(found: list[tuple[str, str]], start: int) -> Iterator[dict[str, Any]]:
    now = dt.datetime.now(dt.UTC)
    position = start
    while True:
        key, reference = found[position % len(found)]
        position += 1
        yield {"p1": key, "p2": now, "p3": reference}


def _client(url: str, sql: str, found: list, runs: int, start: int, barrier: Any, out: Any) -> None:
    import psycopg

    # prepare_threshold 0: prepared on its first run, then run by Bind and Execute.
    with psycopg.connect(url, autocommit=True, prepare_threshold=0) as connection:
        pid = connection.info.backend_pid
        cursor = connection.cursor()
        values = _values(found, start)
        for _ in range(10):
            cursor.execute(sql, next(values)).fetchone()
        barrier.wait()
        before = _backend_cpu(pid)
        for _ in range(runs):
            cursor.execute(sql, next(values)).fetchone()
        out.put(_backend_cpu(pid) - before)


def timed(url: str, sql: str, found: list, runs: int, clients: int) -> float:
    """Server CPU per run, in µs, `clients` at once."""
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(clients), context.Queue()
    processes = [
        context.Process(target=_client, args=(url, sql, found, runs, n * 37, barrier, out))
        for n in range(clients)
    ]
    for process in processes:
        process.start()
    spent = sum(out.get() for _ in processes)
    for process in processes:
        process.join()
    return spent / (runs * clients) * 1e6


def locks(url: str, sql: str, found: list) -> tuple[int, int]:
    """(relations locked by the fast path, by the shared lock table) by one run, read from
    another connection while the run's transaction is open."""
    import psycopg

    values = _values(found, 0)
    with (
        psycopg.connect(url, autocommit=True, prepare_threshold=0) as running,
        psycopg.connect(url, autocommit=True) as watching,
    ):
        for _ in range(10):
            running.execute(sql, next(values)).fetchone()
        with running.transaction():
            running.execute(sql, next(values)).fetchone()
            rows = watching.execute(
                "SELECT fastpath, count(*) FROM pg_locks WHERE pid = %s"
                " AND locktype = 'relation' GROUP BY fastpath",
                [running.info.backend_pid],
            ).fetchall()
    counts = dict(rows)
    return counts.get(True, 0), counts.get(False, 0)


def main() -> None:
    args = parse_args()
    texts, found = statements(args.database_url, args.status)
    fast, shared = locks(args.database_url, texts["statement"], found)
    print(f"relations the statement locks: {fast + shared} ({fast} by the fast path, {shared} not)")
    times: dict[str, list[float]] = {name: [] for name in texts}
    started = time.monotonic()
    for round_ in range(args.rounds):
        order = list(texts) if round_ % 2 == 0 else list(reversed(texts))
        for name in order:
            sql = texts[name]
            times[name].append(timed(args.database_url, sql, found, args.runs, args.clients))
    print(
        f"{args.clients} client(s), {args.runs} runs each a round, {args.rounds} rounds in turn, "
        f"{time.monotonic() - started:.0f} s"
    )
    for name, spent in times.items():
        rounds = " ".join(f"{value:.0f}" for value in spent)
        print(f"{name:18} server CPU a run: median {statistics.median(spent):.0f} µs ({rounds})")


if __name__ == "__main__":
    main()
