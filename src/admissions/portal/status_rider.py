"""The status page's version read in the session's statement (`people/session_riders.py`).

A look at a kept status page reads the session with its user, then the file's version: two
round trips. For a path of the status page, the session's statement reads the version too,
as the version's own query does (`workflow.status_version.version_subquery`), correlated to
the session's user column. The view takes it when it was read for the signed-in user and
the reference it serves, after every check of the session; else (a draft, no such file,
another store) it reads the version itself as before.
"""

from __future__ import annotations

import functools
import re

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from admissions.people.session_riders import NOTHING, Rider, ridden
from admissions.portal.references import ReferenceConverter
from admissions.workflow.status_version import REFERENCE, digest, version_subquery

_SAMPLE = "XX-0000-000000"
_REFERENCES = re.compile(ReferenceConverter.regex)


@functools.cache
def _addresses() -> tuple[tuple[str, str], ...]:
    """What comes before and after the reference in the status page's path, per language."""
    found = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            try:
                path = reverse("portal:application_status", args=[_SAMPLE])
            except NoReverseMatch:
                continue
        prefix, _sample, suffix = path.partition(_SAMPLE)
        found.add((prefix, suffix))
    return tuple(sorted(found, key=lambda parts: -len(parts[0])))


def match(path: str) -> tuple[str] | None:
    """The reference of a status page's path, or None for any other path."""
    for prefix, suffix in _addresses():
        if path.startswith(prefix) and path.endswith(suffix):
            reference = path[len(prefix) : len(path) - len(suffix)]
            if _REFERENCES.fullmatch(reference):
                return (reference,)
    return None


RIDER = Rider(
    name="portal.status-version",
    placeholders=(REFERENCE,),
    build=version_subquery,
    match=match,
)


def version(request: HttpRequest, user_id: int, reference: str) -> str | None:
    """The version of the reader's own file `reference` read with this request's session, if
    it was, and the file is not a draft."""
    value = ridden(request.session, RIDER.name, (reference,), user_id)
    if value is NOTHING or value is None:
        return None
    return digest(value)
