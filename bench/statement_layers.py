"""The worker's CPU time for a kept status page's statement, layer by layer, in one process.

Usage (from the repository root), over a PostgreSQL database filled by `signed_in.py`:

    .venv/bin/python bench/statement_layers.py --database-url postgres://... [--calls 5000]

Sets Django up as `signed_in.py` does, serves the status pages of `load_data.status_pages`
once (each then kept), and takes the session's statement (the session, its user and the
page's version) and the values the first page sent it with. Then times, in turn and in
rounds, with `time.process_time` (best and median round, µs a call, and the kernel's part
of it by `os.times`):

- `hit`: the kept status page through the WSGI handler;
- `statement`: `Statement.fetchone` as `people/sessions.py` calls it (Django's cursor
  wrapper, the kept cursor, psycopg);
- `psycopg`: the kept psycopg cursor's `execute` and `fetchone`, without Django;
- `libpq`: the floor, the statement sent by `PQsendQueryPrepared` and its result read by
  psycopg's C generator and wait function, the row made by psycopg's C row loader.

`--before REVISION` times `hit`, `statement` and `psycopg` also as they were at REVISION
(`core/postgresql/base.py`, `Statement._run`), in the same rounds; `--profile KIND` prints the
top of cProfile's listing for one kind.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import os
import pstats
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from typing import Any

from signed_in import call, environ, setup


def timed_rounds(
    kinds: dict[str, Callable[[], Any]], calls: int, rounds: int
) -> dict[str, list[tuple[float, float]]]:
    """Each kind's CPU a call in each round, µs: (all, of it in the kernel)."""
    figures: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    for round_ in range(rounds):
        order = list(kinds.items())
        if round_ % 2:
            order.reverse()
        for kind, function in order:
            for _ in range(200):
                function()
            started, kernel = time.process_time(), os.times().system
            for _ in range(calls):
                function()
            figures[kind].append(
                (
                    (time.process_time() - started) * 1e6 / calls,
                    (os.times().system - kernel) * 1e6 / calls,
                )
            )
    return figures


def loaded(revision: str, path: str, name: str) -> Any:
    """The module at `path` as it was at `revision`."""
    text = subprocess.run(
        ["git", "show", f"{revision}:{path}"], check=True, capture_output=True, text=True
    ).stdout
    with tempfile.TemporaryDirectory(prefix="admissions-statement-layers-") as folder:
        with open(f"{folder}/{name}.py", "w", encoding="utf-8") as file:
            file.write(text)
        spec = importlib.util.spec_from_file_location(name, f"{folder}/{name}.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    return module


def before_kinds(
    revision: str,
    connection: Any,
    statement: Any,
    sql: str,
    values: Any,
    functions: dict[str, Callable[[], Any]],
) -> dict[str, Callable[[], Any]]:
    """`hit`, `statement` and `psycopg` each as it is and as it was at `revision`, in turn: the
    connection's class, its statement cursor and `Statement._run` of that revision swapped
    in before each call of the `-before` kinds and back before each of the others."""
    from admissions.core.prepared import Statement

    base = loaded(revision, "src/admissions/core/postgresql/base.py", "base_before")
    prepared = loaded(revision, "src/admissions/core/prepared.py", "prepared_before")
    now = (type(connection), connection._kept_statement, Statement._run)
    before_cursor = base.StatementCursor(connection.connection)
    before_cursor.statement = now[1].statement
    then = (base.DatabaseWrapper, before_cursor, prepared.Statement._run)

    def as_(state: tuple[Any, Any, Any], function: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            connection.__class__, connection._kept_statement, Statement._run = state  # type: ignore[method-assign]
            return function()

        return run

    def psycopg_before() -> Any:
        before_cursor.execute(sql, values)
        return before_cursor.fetchone()

    kinds = {kind: as_(now, functions[kind]) for kind in ("hit", "statement", "psycopg")}
    kinds["hit-before"] = as_(then, functions["hit"])
    kinds["statement-before"] = as_(then, functions["statement"])
    kinds["psycopg-before"] = psycopg_before
    return kinds


def profile(function: Callable[[], Any], calls: int) -> None:
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(calls):
        function()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(40)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--calls", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--kinds", default="hit,statement,psycopg,libpq")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", help="the top of cProfile's listing for this kind")
    parser.add_argument(
        "--before",
        metavar="REVISION",
        help="also time `hit`, `statement` and `psycopg` with core/postgresql/base.py and "
        "core/prepared.py's `Statement._run` as at REVISION, in turn (`hit-before`...)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="admissions-statement-layers-") as var_dir:
        measure(args, var_dir)


def measure(args: argparse.Namespace, var_dir: str) -> None:
    setup(var_dir, args.database_url)
    import load_data
    from django.db import connections
    from psycopg import generators, waiting

    from admissions.people import session_expiry, sessions

    status = load_data.status_pages(random.Random(args.seed))
    envs = [environ(request.path, request.session) for request in status]
    from served import application

    for env in envs:
        assert call(application, env) == 200
    # The connection itself (not Django's proxy to it), whose class `--before` swaps.
    connection = connections["default"]
    session_expiry.SEEN_GRAIN = 10**9
    sent: list[Any] = []

    def capture(execute: Callable[..., Any], sql: str, params: Any, *rest: Any) -> Any:
        sent.append((sql, params))
        return execute(sql, params, *rest)

    with connection.execute_wrapper(capture):
        assert call(application, envs[0]) == 200
    sql, values = sent[0]
    statement = next(s for s in sessions._compiled.values() if s._execute_sql == sql)
    print(f"statements of a kept hit: {len(sent)}; the session's: {sql}")
    expected = statement.fetchone(values)
    kept = connection._kept_statement
    pgconn = connection.connection.pgconn
    name = statement.name.encode()
    texts = [kept._text(value) for value in values]
    encoded = [None if text is None else text.encode() for text in texts]

    def hit() -> None:
        call(application, envs[0])

    def through_statement() -> Any:
        return statement.fetchone(values)

    def through_psycopg() -> Any:
        kept.execute(sql, values)
        return kept.fetchone()

    wait = waiting.wait

    def through_libpq() -> Any:
        pgconn.send_query_prepared(name, encoded)
        results = wait(generators.execute(pgconn), pgconn.socket, 0.1)
        kept._tx.set_pgresult(results[0])
        return kept._tx.load_row(0, tuple)

    functions = {
        "hit": hit,
        "statement": through_statement,
        "psycopg": through_psycopg,
        "libpq": through_libpq,
    }
    if args.before:
        functions.update(before_kinds(args.before, connection, statement, sql, values, functions))
    for kind, function in functions.items():
        if not kind.startswith("hit"):
            assert function() == expected, kind
    if args.profile:
        profile(functions[args.profile], args.calls)
    chosen = {kind: functions[kind] for kind in args.kinds.split(",")}
    figures = timed_rounds(chosen, args.calls, args.rounds)
    print(f"wait function: {wait.__name__}")
    for kind, rounds in figures.items():
        cpu = [all_ for all_, _kernel in rounds]
        kernel = statistics.median(kernel for _all, kernel in rounds)
        print(
            f"{kind:16} lowest {min(cpu):7.1f} µs, median {statistics.median(cpu):7.1f} µs"
            f" (in the kernel {kernel:5.1f})  ({', '.join(f'{r:.1f}' for r in cpu)})"
        )


if __name__ == "__main__":
    main()
