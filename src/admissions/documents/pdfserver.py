"""The PDF check's fork server: a small process that has loaded qpdf once and forks one child
per file, and the web worker's side of it.

Nothing here imports Django. A worker process starts its fork server on its first PDF, as a
fresh interpreter that imports only `pdfscan` and qpdf. For each file the worker makes a
socket pair and hands one end to the fork server over their control socket; the fork server
forks a child that reads the limits and the file's descriptor from that end, bounds itself,
scans and answers, then exits. The fork server says on the same socket which child it forked
and, once it has reaped it, how the child ended; so a child that dies without answering (past its
processor time, out of memory, crashed) is told apart from one that answers. Every message on
the file's socket is a tag, a length of four bytes and the payload:

    P <pid>        from the fork server, once it has forked the child
    A <JSON>       from the child: its answer (`pdfscan.run`)
    X <exit code>  from the fork server, once the child has ended (negative: its signal)

Python's own fork server (multiprocessing's) pickles a process object with the file inside,
and its child unpickles it, imports the parent's main module unless told not to and runs a
bootstrap before the target: about a millisecond and 340 page faults of each child's time
on top of the fork. Here the child is handed the file's descriptor (`SCM_RIGHTS`) and qpdf
maps the file: nothing of it crosses the socket, and the child reads only the pages of the
file the scan needs, not a copy of the whole file in fresh memory.

The fork server exits when the worker that started it closes the control socket (its exit,
however it ends), killing any child still running; a fork server that died is started again
on the next file. A worker process forked from one that had started a fork server starts its
own.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from admissions.documents import pdfscan

PID = b"P"
ANSWER = b"A"
EXIT = b"X"
FRAME = struct.Struct("!cI")
# What the worker sends with the file's descriptor: the child's limits.
HEADER = struct.Struct("!QQQ")
# The child answers with a few dozen bytes; anything longer is not an answer of ours.
MAX_ANSWER_BYTES = 4096
# How long the worker waits for a fork server that is told to stop, before killing it.
STOP_SECONDS = 5


@dataclass(frozen=True)
class Ending:
    """How the scan of one file ended, as the worker saw it."""

    answer: bytes | None = None  # the child's answer, as it sent it
    exitcode: int | None = None  # how a child that did not answer ended (None: not known)
    timed_out: bool = False  # the wall clock ran out: the child was killed
    too_long: bool = False  # the child sent more than any answer of ours


class _Gone(Exception):  # noqa: N818 - the fork server was not there to fork the child
    pass


class ForkServer:
    """The worker's side: starts the fork server on first use, and again if it died."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._control: socket.socket | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._owner = 0
        atexit.register(self.stop)
        os.register_at_fork(after_in_child=self._forget)

    @property
    def pid(self) -> int | None:
        """The fork server's process id, when this process has one running."""
        process = self._process
        return process.pid if process is not None and self._owner == os.getpid() else None

    def scan(self, descriptor: int, limits: pdfscan.Limits, *, seconds: float) -> Ending:
        """Scan the regular file open at `descriptor` (all of it, whatever its position) in a
        child under `limits`, waiting at most `seconds` for its answer. The file must not
        change until the answer."""
        deadline = time.monotonic() + seconds
        try:
            return self._scan(descriptor, limits, deadline)
        except _Gone:  # it died before forking: once more, with a fork server started anew
            pass
        try:
            return self._scan(descriptor, limits, deadline)
        except _Gone:
            return Ending()

    def stop(self) -> None:
        """Close the control socket and wait for the fork server to exit (at exit)."""
        with self._lock:
            self._stop()

    def _scan(self, descriptor: int, limits: pdfscan.Limits, deadline: float) -> Ending:
        ours, theirs = socket.socketpair()
        pid: int | None = None
        ended = False
        try:
            self._hand_over(theirs)
            theirs.close()
            header = HEADER.pack(limits.max_objects, limits.cpu_seconds, limits.memory_bytes)
            try:
                ours.settimeout(max(deadline - time.monotonic(), 0.001))
                socket.send_fds(ours, [header], [descriptor])
            except TimeoutError:
                pass  # the reading below finds the deadline passed
            except OSError:
                pass  # the child ended before reading it: the fork server says how
            buffer = bytearray()
            while True:
                message = _receive(ours, buffer, deadline)
                if message is None:  # both ends closed with nothing said
                    if pid is None:
                        raise _Gone
                    ended = True
                    return Ending()
                tag, payload = message
                if tag == PID:
                    pid = int.from_bytes(payload, "big")
                elif tag == ANSWER:
                    ended = True  # it exits by itself once it has answered
                    return Ending(answer=payload)
                elif tag == EXIT:
                    ended = True
                    return Ending(exitcode=int.from_bytes(payload, "big", signed=True))
                else:
                    ended = True
                    return Ending(too_long=True)
        except TimeoutError:
            if pid is None:  # a fork server that does not fork is of no use: start anew
                self.stop()
            return Ending(timed_out=True)
        finally:
            ours.close()
            theirs.close()
            if pid is not None and not ended:
                _kill(pid)

    def _hand_over(self, end: socket.socket) -> None:
        with self._lock:
            if (
                self._owner != os.getpid()
                or self._process is None
                or self._process.poll() is not None
            ):
                self._stop()
                self._start()
            assert self._control is not None
            try:
                socket.send_fds(self._control, [b"F"], [end.fileno()])
            except OSError:
                self._stop()
                raise _Gone from None

    def _start(self) -> None:
        control, served = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = (
            f"import sys; sys.path[:] = {sys.path!r}; "
            f"from {__name__} import main; main({served.fileno()})"
        )
        try:
            self._process = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
                [sys.executable, "-c", command],
                pass_fds=[served.fileno()],
                stdin=subprocess.DEVNULL,
            )
        except BaseException:
            control.close()
            raise
        finally:
            served.close()
        self._control = control
        self._owner = os.getpid()

    def _stop(self) -> None:
        control, process, owner = self._control, self._process, self._owner
        self._control = self._process = None
        if control is not None:
            control.close()  # the fork server exits when it reads the end of it
        if process is None or owner != os.getpid():
            return
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _forget(self) -> None:
        # In a process forked from this one: the parent's fork server is not this process's
        # to use or wait for; dropping the inherited control socket lets it see its parent's
        # exit alone.
        self._lock = threading.Lock()
        if self._control is not None:
            self._control.close()
        self._control = self._process = None
        self._owner = 0


def _receive(sock: socket.socket, buffer: bytearray, deadline: float) -> tuple[bytes, bytes] | None:
    """The next message on `sock`; None at its end. A message longer than an answer may be is
    given an empty tag."""
    while True:
        if len(buffer) >= FRAME.size:
            tag, size = FRAME.unpack_from(buffer)
            if size > MAX_ANSWER_BYTES:
                return b"", b""
            if len(buffer) >= FRAME.size + size:
                payload = bytes(buffer[FRAME.size : FRAME.size + size])
                del buffer[: FRAME.size + size]
                return tag, payload
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock.settimeout(remaining)
        chunk = sock.recv(MAX_ANSWER_BYTES)
        if not chunk:
            return None
        buffer += chunk


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
        os.kill(pid, signal.SIGKILL)


def _frame(tag: bytes, payload: bytes) -> bytes:
    return FRAME.pack(tag, len(payload)) + payload


# The fork server's side -----------------------------------------------------------------


def main(control_fd: int) -> None:
    """The fork server's life: fork a child for each file handed over, until the worker
    closes the control socket."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a ^C is the worker's to handle
    pdfscan.load_qpdf()
    control = socket.socket(fileno=control_fd)
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, _ignore)
    children: dict[int, socket.socket] = {}
    selector = selectors.DefaultSelector()
    selector.register(control, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    try:
        while True:
            for key, _events in selector.select():
                if key.fileobj is control:
                    try:
                        _message, fds, _flags, _address = socket.recv_fds(control, 1, 1)
                    except OSError:
                        return
                    if not fds:  # the worker closed its end
                        return
                    end = socket.socket(fileno=fds[0])
                    pid = os.fork()
                    if pid == 0:
                        _child(end, [control, selector, wake_read, wake_write, *children.values()])
                    children[pid] = end
                    _tell(end, PID, pid.to_bytes(4, "big"))
                else:
                    while len(os.read(wake_read, 512)) == 512:
                        pass
                    _reap(children)
    finally:
        for pid in children:
            _kill(pid)
        for pid in children:
            os.waitpid(pid, 0)


def _ignore(_signum: int, _frame: object) -> None:
    pass  # the wake-up descriptor tells the loop


def _tell(end: socket.socket, tag: bytes, payload: bytes) -> None:
    # Never wait on a worker that stopped reading: it has its answer, or gave up.
    with contextlib.suppress(OSError):
        end.send(_frame(tag, payload), socket.MSG_DONTWAIT)


def _reap(children: dict[int, socket.socket]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        end = children.pop(pid, None)
        if end is not None:
            _tell(end, EXIT, os.waitstatus_to_exitcode(status).to_bytes(4, "big", signed=True))
            end.close()


def _child(end: socket.socket, inherited: list[object]) -> None:
    """A child's whole life, which ends here whatever happens."""
    code = 1
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        for item in inherited:
            if isinstance(item, int):
                os.close(item)
            else:
                item.close()  # type: ignore[attr-defined]
        header, fds, _flags, _address = socket.recv_fds(end, HEADER.size, 1)
        if len(header) == HEADER.size and len(fds) == 1:
            max_objects, cpu_seconds, memory_bytes = HEADER.unpack(header)
            limits = pdfscan.Limits(
                max_objects=max_objects, cpu_seconds=cpu_seconds, memory_bytes=memory_bytes
            )
            pdfscan.bound(limits)
            with open(fds[0], "rb") as source:
                end.sendall(_frame(ANSWER, pdfscan.run(source, limits)))
        code = 0
    finally:
        os._exit(code)
