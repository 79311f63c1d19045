"""SQLite whose writers wait their turn in order, instead of polling for the write lock.

SQLite lets one transaction write at a time. The others poll: sqlite3's busy handler sleeps
1, 2, 5, 10, 15, 20, 25... ms between tries, so under a burst of writes a request spends most
of its time asleep while the lock is already free (two-thirds of the time of creating files
through the API at 8 clients, py-spy says). Here a transaction first takes its turn: a lock
shared by the threads of the process, then an exclusive `flock` on a file beside the
database, shared by the processes. Both hand the turn over the moment the previous writer
commits, and BEGIN IMMEDIATE then finds the database free. A write outside a transaction
(an INSERT, UPDATE or DELETE in autocommit: a queued task's row, a session saved) takes the
turn for that one statement: otherwise it would take SQLite's lock behind the turns' back,
and the next BEGIN IMMEDIATE would fall to the busy handler's sleeps. Another program still
meets the busy handler. An in-memory database (tests) has no file to lock and needs no turn.

SQLite copies the pages a WAL holds back into the database (a checkpoint) in the commit
that finds the WAL past 1,000 pages: a sync of the WAL, the pages' writes and a sync of the
database, 10 to 40 ms, while that writer holds the turn and every other writer waits (a draft
adds about 40 pages, so one commit in 25). Here a connection does not checkpoint as it
commits: a process checkpoints after each `CHECKPOINT_EVERY` of its writes, once the turn is
given back (PASSIVE: the other writers go on meanwhile). Such a checkpoint cannot reach the
pages added while it runs, and the WAL starts over only when a writer finds it all copied:
when it has passed `RESTART_PAGES`, the checkpoint is finished in a turn of its own, where no
writer adds pages, so the next writer starts it over.

Django's cursor rewrites each statement's `%s` placeholders as sqlite3's `?` with a regular
expression, on every call: for the long statements run on every request (the status page's
version) that is a good part of the request's own time. The rewritten text depends on the
text alone, so it is kept per text (`ConvertedQueries`), within a bound.

A date and time comes back from sqlite3 as a naive moment (in UTC); Django's conversion
then checks it twice through `is_aware` and `make_aware` before giving it its zone, a good
part of reading a list of files. `DatabaseOperations` gives it the zone directly.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import sqlite3
import threading
from typing import Any

from django.conf import settings
from django.db.backends.sqlite3 import base, operations

# The lock file beside the database: `admissions.sqlite3-writer.lock`.
LOCK_SUFFIX = "-writer.lock"
# A process's writes between two checkpoints outside the turn; pages of the WAL past which a
# checkpoint is finished in a turn (10,000 pages of 4 KiB: a WAL of 40 MiB at most, between
# two finished checkpoints).
CHECKPOINT_EVERY = 32
RESTART_PAGES = 10_000

logger = logging.getLogger(__name__)


class Turn:
    """One database's turn to write, for the threads and processes that share its file."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._threads = threading.Lock()
        self._file: int | None = None
        # This process's writes since its last checkpoint (its threads may race on it: at
        # worst a checkpoint comes a write early or late).
        self._writes = 0

    def take(self) -> None:
        self._threads.acquire()
        try:
            if self._file is None:
                self._file = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._file, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def give_back(self) -> None:
        try:
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def written(self, connection: sqlite3.Connection) -> None:
        """After a write that `connection` committed, the turn given back: every
        `CHECKPOINT_EVERY`th of the process, a checkpoint (the module's docstring)."""
        self._writes += 1
        if self._writes < CHECKPOINT_EVERY:
            return
        self._writes = 0
        try:
            _busy, pages, _copied = _checkpoint(connection)
            if pages >= RESTART_PAGES:
                self.take()
                try:
                    _checkpoint(connection)
                finally:
                    self.give_back()
        except sqlite3.Error as error:
            if error.sqlite_errorcode == sqlite3.SQLITE_LOCKED:
                # A statement of this connection is still reading (a cursor not read to its
                # end): no checkpoint can run on it now; the next write tries again.
                self._writes = CHECKPOINT_EVERY - 1
                return
            # The write is committed: its request must not fail for the copy that follows it.
            logger.warning("SQLite checkpoint failed", exc_info=True)


def _checkpoint(connection: sqlite3.Connection) -> tuple[int, int, int]:
    """PASSIVE: copies what no reader still needs, without waiting for anyone; answers
    whether another checkpoint was running, the WAL's pages and those copied."""
    busy, pages, copied = connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(busy), int(pages), int(copied)


_turns: dict[str, Turn] = {}
_turns_lock = threading.Lock()


def turn_for(database: str) -> Turn:
    path = os.path.abspath(database) + LOCK_SUFFIX
    with _turns_lock:
        return _turns.setdefault(path, Turn(path))


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _writes(query: str) -> bool:
    return query.lstrip()[:7].upper().startswith(WRITES)


class ConvertedQueries:
    """Statements' texts in sqlite3's style, by their text in Django's, for statements with
    positional parameters. Emptied whenever the texts it holds pass `limit` characters, so a
    process sending ever new texts (values written into the text, long IN lists) keeps at
    most that much; the statements a site runs on every request come back at once."""

    def __init__(self, limit: int = 2_000_000) -> None:
        self.limit = limit
        self._texts: dict[str, str] = {}
        self._size = 0

    def __len__(self) -> int:
        return len(self._texts)

    @property
    def size(self) -> int:
        """Characters held (each text and its rewriting)."""
        return self._size

    def get(self, query: str) -> str | None:
        return self._texts.get(query)

    def put(self, query: str, converted: str) -> None:
        added = len(query) + len(converted)
        if added > self.limit:
            return
        # Threads of a process share it: at worst an entry is counted twice or lost.
        if self._size + added > self.limit:
            self._texts.clear()
            self._size = 0
        self._texts[query] = converted
        self._size += added


converted_queries = ConvertedQueries()


class TurnCursor(base.SQLiteCursorWrapper):
    """Django's cursor, whose writes outside a transaction wait for the turn."""

    turn: Turn | None = None

    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is not None:
            # Named parameters: the rewriting depends on the names too (Django's way).
            return super().convert_query(query, param_names=param_names)
        found = converted_queries.get(query)
        if found is None:
            found = super().convert_query(query)
            converted_queries.put(query, found)
        return found

    def execute(self, query: str, params: Any = None) -> Any:
        if self.turn is None or self.connection.in_transaction or not _writes(query):
            return super().execute(query, params)
        self.turn.take()
        try:
            done = super().execute(query, params)
        finally:
            self.turn.give_back()
        self.turn.written(self.connection)
        return done

    def executemany(self, query: str, param_list: Any) -> Any:
        if self.turn is None or self.connection.in_transaction or not _writes(query):
            return super().executemany(query, param_list)
        self.turn.take()
        try:
            done = super().executemany(query, param_list)
        finally:
            self.turn.give_back()
        self.turn.written(self.connection)
        return done


class DatabaseOperations(operations.DatabaseOperations):
    def convert_datetimefield_value(self, value: Any, expression: Any, connection: Any) -> Any:
        # sqlite3 hands the column over parsed already (Django registers `parse_datetime` for
        # "datetime" columns): a naive moment in the connection's zone, given that zone here
        # as Django's `make_aware` would after its checks.
        if type(value) is dt.datetime and value.tzinfo is None and settings.USE_TZ:
            return value.replace(tzinfo=self.connection.timezone)
        return super().convert_datetimefield_value(value, expression, connection)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._turn: Turn | None = None
        self._cursor_class: type[TurnCursor] | None = None

    def get_new_connection(self, conn_params: Any) -> Any:
        connection = super().get_new_connection(conn_params)
        if not self.is_in_memory_db():
            # Checkpoints wait for the turn to be given back (`Turn.written`).
            connection.execute("PRAGMA wal_autocheckpoint=0")
        return connection

    def create_cursor(self, name: str | None = None) -> Any:
        if self._cursor_class is None:
            turn = None if self.is_in_memory_db() else turn_for(str(self.settings_dict["NAME"]))
            self._cursor_class = type("TurnCursor", (TurnCursor,), {"turn": turn})
        return self.connection.cursor(factory=self._cursor_class)

    def _start_transaction_under_autocommit(self) -> None:
        turn = None if self.is_in_memory_db() else turn_for(str(self.settings_dict["NAME"]))
        if turn is not None:
            turn.take()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            if turn is not None:
                turn.give_back()
            raise
        self._turn = turn

    def _end_turn(self) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.give_back()

    def _commit(self) -> None:
        turn = self._turn
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._end_turn()
        if turn is not None:
            turn.written(self.connection)

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._end_turn()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._end_turn()
