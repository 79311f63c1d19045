"""Sessions kept in the database, each request's session and user read in one statement.

Django's store builds the same ORM query for every request (`Session.objects.get`), then
the authentication reads the user's row with another. This store reads the session's row
LEFT JOIN its user's row (`session_rows.Session.user`, the key copied from the session's
data at each save) with one statement compiled once per process and database
(`core.prepared`: planned once per PostgreSQL connection). The row is read on every request,
as before, so a logout, a session run out or deleted in any process ends it at once; the
user's row read with it is kept on the store, for this request only, and
`people/authentication.py` checks it as Django checks a user it reads itself. Everything
else (writes, creation, expiry) is Django's.

A session's data is signed and compressed: checking the signature and decoding it is most
of the store's own work on a request. The serialised data a text holds is kept per process
by the exact signed text it came from and the salt, serialiser and secret keys that checked
it (`DECODED`, at most `DECODED_ENTRIES`, emptied when full), and every request gets its own
data made from it by the serialiser: the row itself is still read on every request, so this
keeps nothing about whether the session is valid, only what a given text decodes to, which
never changes while the keys stay. A text not kept (more sessions than the process keeps, on
result day) is checked with the keys' HMACs prepared once (`people/session_signing.py`);
one refused is refused by Django's own decoding, with its warning.

For a page that reads a value of its own on every request right after (the candidate's
status page), the statement reads that value too, as a subquery of the session's user column
(`people/session_riders.py`): one round trip for both.

A session that changed is written back (its idle clock too, when it has moved by its grain:
`people/session_expiry.py`) with the UPDATE that Django's `Model.save(force_update=True)`
sends, compiled once per process and database, run alone outside a transaction (one
statement needs none): not the ORM's save, whose making of the statement and savepoint cost
as much as the rest of the request (bench/RESULTS.md, tenth round). No row updated is
Django's `UpdateError`, as with its save; inside a transaction, and for a new session, the
write is Django's own.

The store is the one engine, with or without a shared cache: Django's `cached_db` in front
would spare no statement (the user's row is read on every request anyway) and costs more on
a session's first look (bench/RESULTS.md, seventh round).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connections, router
from django.db.models import OuterRef, Q
from django.db.models.sql import UpdateQuery
from django.utils import timezone

from admissions.core.prepared import Statement
from admissions.people import session_signing
from admissions.people.models import Session, User
from admissions.people.session_riders import Ridden, Rider

# The columns of the user's row, as `User.objects.get` reads them.
FIELDS = [field.attname for field in User._meta.concrete_fields]
# A column no user's row leaves empty: empty in the join, the user's row is not there.
_PRESENT = next(
    i
    for i, field in enumerate(User._meta.concrete_fields)
    if not field.null and not field.primary_key
)
# Built with these in place of the request's key and time, then swapped.
_KEY = "\x00session-key\x00"
_MOMENT = dt.datetime(1901, 2, 3, 4, 5, 6, 789, tzinfo=dt.UTC)
_DATA = "\x00session-data\x00"
_USER = -7_301_512_664
_compiled: dict[tuple[str, str | None], Statement] = {}
_updates: dict[str, Statement] = {}
# Signed text -> (the salt, serialiser and secret keys it was checked with, the serialised
# data it holds).
DECODED_ENTRIES = 512
DECODED: dict[str | bytes, tuple[tuple[Any, ...], bytes]] = {}


def _statement(using: str, rider: Rider | None = None) -> Statement:
    ridden_by = rider.name if rider is not None else None
    found = _compiled.get((using, ridden_by))
    if found is None:
        ops = connections[using].ops
        rows = Session.objects.filter(session_key=_KEY, expire_date__gt=_MOMENT)
        columns: list[Any] = [
            "session_key",
            "session_data",
            "expire_date",
            *(f"user__{name}" for name in FIELDS),
        ]
        placeholders = [_KEY, ops.adapt_datetimefield_value(_MOMENT)]
        if rider is not None:
            # Correlated to the session's own user column: one row, one subquery.
            columns.append(rider.build(OuterRef("user_id")))
            placeholders.extend(rider.placeholders)
        found = _compiled[(using, ridden_by)] = Statement.of(
            rows.values_list(*columns), placeholders, using
        )
    return found


def _update(using: str) -> Statement:
    """The UPDATE of `Model.save(force_update=True)` for a session's row: every column but
    the key, by the key."""
    found = _updates.get(using)
    if found is None:
        query = UpdateQuery(Session)
        query.add_update_values({"session_data": _DATA, "expire_date": _MOMENT, "user_id": _USER})
        query.add_q(Q(session_key=_KEY))
        sql, params = query.get_compiler(using).as_sql()
        markers = [_DATA, connections[using].ops.adapt_datetimefield_value(_MOMENT), _USER, _KEY]
        found = _updates[using] = Statement.placed(sql, params, markers)
    return found


def write(row: Session, using: str) -> None:
    """Write the existing session `row` back as `row.save(force_update=True)` would: every
    column but the key. `UpdateError` if no row has its key (deleted in the meantime)."""
    statement = _update(using)
    values = [
        row.session_data,
        connections[using].ops.adapt_datetimefield_value(row.expire_date),
        row.user_id,
        row.session_key,
    ]
    try:
        updated = statement.execute(values, using)
    except IntegrityError:
        raise
    except DatabaseError as error:
        raise UpdateError from error
    if updated != 1:
        raise UpdateError


def read(session_key: str | None) -> tuple[Session, User | None] | None:
    """The unexpired session row named `session_key` (unsaved instance) and the row of the
    user its `user` column names (None if it names none, or one that is not there), or None."""
    found = read_riding(session_key, None)
    return None if found is None else found[:2]


def read_riding(
    session_key: str | None, ride: tuple[Rider, tuple[Any, ...]] | None
) -> tuple[Session, User | None, Ridden | None] | None:
    """`read`, and what the rider of `ride` reads with its values in the same statement."""
    if session_key is None:
        return None
    using = router.db_for_read(Session)
    rider, values = ride if ride is not None else (None, ())
    statement = _statement(using, rider)
    now = connections[using].ops.adapt_datetimefield_value(timezone.now())
    row = statement.fetchone([session_key, now, *values], using)
    if row is None:
        return None
    key, data, expires, *columns = statement.converted(row, using)
    ridden = None
    if rider is not None:
        ridden = Ridden(rider.name, values, columns[0], columns.pop())
    found = Session(session_key=key, session_data=data, expire_date=expires, user_id=columns[0])
    found._state.adding = False
    found._state.db = using
    user = None
    if columns[_PRESENT] is not None:
        user = User.from_db(using, FIELDS, columns)
    return found, user, ridden


def user_key(value: Any) -> Any:
    """The user's key a session's `_auth_user_id` names, or None."""
    if value is None:
        return None
    try:
        return User._meta.pk.to_python(value)
    except ValidationError:
        return None


def joined_user(session: Any, user_id: Any) -> User | None:
    """The user's row read with `session` in this request, if it is the row of `user_id`;
    given once (a second call reads nothing and returns None)."""
    user = getattr(session, "joined_user", None)
    if user is None or user.pk != user_id:
        return None
    session.joined_user = None
    return user  # type: ignore[no-any-return]


class JoinedRead:
    """What a database store of Django's does differently here: the key it signs with,
    the table, the user's key written beside the session, the joined read."""

    session_key: str | None
    _session_key: str | None
    joined_user: User | None = None
    # Set by the session middleware (`session_riders`) before the first read.
    rider: tuple[Rider, tuple[Any, ...]] | None = None
    ridden: Ridden | None = None

    @property
    def key_salt(self) -> str:
        # Django signs a session with its store's class name: the name of Django's own
        # stores, so that sessions written by either engine, or before, stay readable.
        return "django.contrib.sessions.SessionStore"

    @classmethod
    def get_model_class(cls) -> type[Session]:
        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        instance: Session = super().create_model_instance(data)  # type: ignore[misc]
        instance.user_id = user_key(data.get(SESSION_KEY))
        return instance

    def decode(self, session_data: bytes | str) -> dict[str, Any]:
        salt = self.key_salt
        secret = settings.SECRET_KEY
        fallbacks = tuple(settings.SECRET_KEY_FALLBACKS)
        serializer = self.serializer  # type: ignore[attr-defined]
        keys = (salt, serializer, secret, *fallbacks)
        found = DECODED.get(session_data)
        if found is not None and found[0] == keys:
            # A new copy each time (the request may change its session's data), made by the
            # serialiser from the text's own bytes, as Django makes it.
            return serializer().loads(found[1])  # type: ignore[no-any-return]
        try:
            if type(session_data) is not str:
                raise TypeError(session_data)
            serialised = session_signing.unsigned(session_data, salt, secret, fallbacks)
            data: dict[str, Any] = serializer().loads(serialised)
        except Exception:
            # Refused (a signature no key gives, a text that does not decode): Django's own
            # answer and warning.
            return super().decode(session_data)  # type: ignore[misc,no-any-return]
        if data:
            # An empty answer is also what a bad signature gives: never kept.
            if len(DECODED) >= DECODED_ENTRIES:
                DECODED.clear()
            DECODED[session_data] = (keys, serialised)
        return data

    def save(self, must_create: bool = False) -> None:
        using = router.db_for_write(Session)
        if must_create or self.session_key is None or connections[using].in_atomic_block:
            super().save(must_create)  # type: ignore[misc]
            return
        write(self.create_model_instance(self._get_session()), using)  # type: ignore[attr-defined]

    def _get_session_from_db(self) -> Session | None:
        found = read_riding(self.session_key, self.rider)
        if found is None:
            self._session_key = None
            self.joined_user = None
            self.ridden = None
            return None
        session, self.joined_user, self.ridden = found
        return session


class SessionStore(JoinedRead, db.SessionStore):
    """Django's database sessions, read with their user in one compiled statement."""
