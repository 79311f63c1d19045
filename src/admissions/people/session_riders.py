"""A value read in the session's own statement, for the page that reads it next.

A page looked at over and over reads one value of its own on every request (the candidate's
status page: its file's version) in a round trip after the session's. Such a page registers
a rider: how to know its paths (matched before the URL is resolved: the middleware reads the
session before the view runs) and a scalar subquery correlated to the session's user column
(`session_rows.Session.user`). For a path it matches, the session's statement reads the
subquery too (`people/sessions.py`), and the value is kept on the session's store for this
request with the user column it was read for and the values taken from the path.

The view takes it (`ridden`) only when that user is the one the request is signed in as
(after every check of the session and its user) and the values are its own arguments, and
only once; otherwise it reads the value itself. A path matched wrongly, a session read
before the middleware (none is), or a store without the joined read cost the view its own
read, never a wrong value.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db.models import OuterRef
from django.db.models.expressions import BaseExpression
from django.http import HttpRequest


@dataclasses.dataclass(frozen=True)
class Rider:
    """`build(user)` is a scalar subquery over `user`, the session's user column, built
    with `placeholders` (each found once in its parameters, as the database receives it) in
    place of a request's values; `match(path)` gives those values for a request's
    `path_info`, or None when the path is not the page's."""

    name: str
    placeholders: tuple[Any, ...]
    build: Callable[[OuterRef], BaseExpression]
    match: Callable[[str], tuple[Any, ...] | None]


@dataclasses.dataclass(frozen=True)
class Ridden:
    """What a rider read with a request's session."""

    name: str
    values: tuple[Any, ...]
    user_id: Any
    value: Any


RIDERS: dict[str, Rider] = {}
# `ridden`'s answer when there is nothing to take (the subquery's value may be None).
NOTHING = object()


def register(rider: Rider) -> None:
    RIDERS[rider.name] = rider


def for_path(path: str) -> tuple[Rider, tuple[Any, ...]] | None:
    """The rider of the page at `path` and the values it reads with, if any."""
    for rider in RIDERS.values():
        values = rider.match(path)
        if values is not None:
            return rider, values
    return None


def ridden(session: Any, name: str, values: tuple[Any, ...], user_id: Any) -> Any:
    """The value the rider `name` read with this request's session for `values` and the user
    `user_id`, taken once; `NOTHING` if it read none for them."""
    found: Ridden | None = getattr(session, "ridden", None)
    if found is None:
        return NOTHING
    session.ridden = None
    if user_id is None or found.name != name or found.values != values or found.user_id != user_id:
        return NOTHING
    return found.value


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, which hands the store the rider of the path asked for, before anything reads
    the session."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        if RIDERS and hasattr(request.session, "rider"):
            request.session.rider = for_path(request.path_info)
