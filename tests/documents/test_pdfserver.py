"""The PDF check's fork server: one child per file, its crashes and hangs reported, the fork
server started again when it died, nothing left running once its worker has exited."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from admissions.core.filedescriptors import ByDescriptor
from admissions.documents import pdfcheck, pdfscan
from admissions.documents.pdfcheck import inspect_pdf
from admissions.documents.pdfserver import Ending, ForkServer
from admissions.documents.refusals import Refusal, RefusalCode
from tests.documents import corpus

ROOT = Path(__file__).resolve().parents[2]
# Bounds under which the scan of a million objects runs for seconds: time to catch its child.
SLOW = pdfscan.Limits(max_objects=10**9, cpu_seconds=60, memory_bytes=4 * 1024**3)
ROOMY = pdfscan.Limits(max_objects=500_000, cpu_seconds=10, memory_bytes=512 * 1024**2)


@pytest.fixture
def server() -> Iterator[ForkServer]:
    own = ForkServer()
    yield own
    own.stop()


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def children_of(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(child) for child in found]


def wait_for(check: Callable[[], object], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.02)


def scan_bytes(
    server: ForkServer, data: bytes, limits: pdfscan.Limits, *, seconds: float
) -> Ending:
    """The fork server's scan of `data`, handed by descriptor as the checks hand a file."""
    with ByDescriptor(io.BytesIO(data)) as held:
        return server.scan(held.file().fileno(), limits, seconds=seconds)


def scan_in_thread(
    server: ForkServer, data: bytes, seconds: float
) -> tuple[threading.Thread, list[Ending]]:
    endings: list[Ending] = []
    thread = threading.Thread(
        target=lambda: endings.append(scan_bytes(server, data, SLOW, seconds=seconds)), daemon=True
    )
    thread.start()
    return thread, endings


def the_child(server: ForkServer) -> int:
    wait_for(lambda: server.pid is not None and children_of(server.pid))
    pid = server.pid
    assert pid is not None
    (child,) = children_of(pid)
    return child


def test_a_child_answers_and_is_gone(server: ForkServer) -> None:
    ending = scan_bytes(server, corpus.pdf(pages=2), ROOMY, seconds=20)
    assert ending.answer is not None
    assert b'"pages": 2' in ending.answer
    pid = server.pid
    assert pid is not None
    wait_for(lambda: not children_of(pid))


def test_a_child_that_crashes_is_reported_with_its_signal(server: ForkServer) -> None:
    thread, endings = scan_in_thread(server, corpus.many_objects_pdf(1_000_000), 60)
    os.kill(the_child(server), signal.SIGSEGV)
    thread.join(30)
    assert endings[0].answer is None
    assert endings[0].exitcode == -signal.SIGSEGV


def test_a_child_that_hangs_is_killed_at_the_deadline(server: ForkServer) -> None:
    thread, endings = scan_in_thread(server, corpus.many_objects_pdf(1_000_000), 2)
    child = the_child(server)
    os.kill(child, signal.SIGSTOP)  # it neither computes nor answers any more
    thread.join(30)
    assert endings[0].timed_out
    wait_for(lambda: not alive(child))


def test_a_fork_server_that_died_is_started_again(server: ForkServer) -> None:
    assert scan_bytes(server, corpus.pdf(), ROOMY, seconds=20).answer is not None
    first = server.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: not alive(first))
    ending = scan_bytes(server, corpus.pdf(pages=3), ROOMY, seconds=20)
    assert ending.answer is not None
    assert b'"pages": 3' in ending.answer
    assert server.pid not in (None, first)


def test_threads_scan_at_once_each_with_its_own_answer(server: ForkServer) -> None:
    pages: dict[int, bytes | None] = {}

    def scan(count: int) -> None:
        pages[count] = scan_bytes(server, corpus.pdf(pages=count), ROOMY, seconds=30).answer

    threads = [threading.Thread(target=scan, args=(count,)) for count in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(f'"pages": {count}'.encode() in (pages[count] or b"") for count in range(1, 9))


def test_a_forked_worker_starts_its_own_fork_server() -> None:
    assert inspect_pdf(io.BytesIO(corpus.pdf()), max_pages=None).pages == 1
    parent_server = pdfcheck.FORK_SERVER.pid
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the forked worker
        code = 1
        try:
            os.close(read)
            inherited = pdfcheck.FORK_SERVER.pid
            pages = inspect_pdf(io.BytesIO(corpus.pdf(pages=2)), max_pages=None).pages
            own = pdfcheck.FORK_SERVER.pid
            os.write(write, f"{inherited} {pages} {own}".encode())
            pdfcheck.FORK_SERVER.stop()
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as told:
        answer = told.read().decode().split()
    _pid, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert answer[:2] == ["None", "2"]  # none inherited; the file checked
    assert answer[2] not in ("None", str(parent_server))
    assert pdfcheck.FORK_SERVER.pid == parent_server
    assert inspect_pdf(io.BytesIO(corpus.pdf()), max_pages=None).pages == 1


# A worker that ends abruptly (no exit handlers) while a child of its fork server is stopped.
ABRUPT = """
import io, os, signal, sys, threading, time
sys.path.insert(0, sys.argv[1])
from tests.documents import corpus
from admissions.core.filedescriptors import ByDescriptor
from admissions.documents import pdfcheck, pdfscan

limits = pdfscan.Limits(max_objects=10**9, cpu_seconds=60, memory_bytes=4 * 1024**3)
held = ByDescriptor(io.BytesIO(corpus.many_objects_pdf(1_000_000))).file()
threading.Thread(
    target=pdfcheck.FORK_SERVER.scan,
    args=(held.fileno(), limits),
    kwargs={"seconds": 60},
    daemon=True,
).start()
while pdfcheck.FORK_SERVER.pid is None:
    time.sleep(0.02)
server = pdfcheck.FORK_SERVER.pid
while not open(f"/proc/{server}/task/{server}/children").read().split():
    time.sleep(0.02)
child = int(open(f"/proc/{server}/task/{server}/children").read().split()[0])
os.kill(child, signal.SIGSTOP)
print(server, child, flush=True)
os._exit(0)
"""


def test_nothing_is_left_running_once_the_worker_has_exited(tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(ABRUPT, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    server, child = (int(pid) for pid in done.stdout.split())
    wait_for(lambda: not alive(server) and not alive(child))


def test_a_child_that_dies_is_a_refusal_not_an_error(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    settings.DOCUMENTS_PDF_MAX_OBJECTS = SLOW.max_objects
    settings.DOCUMENTS_PDF_SECONDS = SLOW.cpu_seconds
    settings.DOCUMENTS_PDF_MEMORY_BYTES = SLOW.memory_bytes
    server = ForkServer()
    monkeypatch.setattr(pdfcheck, "FORK_SERVER", server)
    thread_refusal: list[RefusalCode] = []
    data = corpus.many_objects_pdf(1_000_000)

    def check() -> None:
        try:
            inspect_pdf(io.BytesIO(data), max_pages=None)
        except Refusal as refusal:
            thread_refusal.append(refusal.code)

    try:
        thread = threading.Thread(target=check)
        thread.start()
        os.kill(the_child(server), signal.SIGBUS)
        thread.join(60)
    finally:
        server.stop()
    assert thread_refusal == [RefusalCode.PDF_UNREADABLE]


# A main script with a side effect at import, as a server's command has (granian's imports
# its whole command line): each run of its top level leaves a line in the file.
MAIN = """
import io, os, sys
with open(sys.argv[1], "a", encoding="ascii") as runs:
    runs.write(f"{os.getpid()}\\n")

def main():
    sys.path.insert(0, sys.argv[2])
    from tests.documents import corpus
    from admissions.documents.pdfcheck import inspect_pdf

    for _ in range(3):
        assert inspect_pdf(io.BytesIO(corpus.pdf(pages=1)), max_pages=None).pages == 1

if __name__ == "__main__":
    main()
"""


def test_checking_pdfs_does_not_import_the_main_script_again(tmp_path: Path) -> None:
    script, runs = tmp_path / "server.py", tmp_path / "runs.txt"
    script.write_text(MAIN, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(runs), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # Once, by the script itself: neither the fork server nor the three children ran it.
    assert len(runs.read_text(encoding="ascii").split()) == 1
