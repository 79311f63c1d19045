"""What every email about a file says the same way: who, which file, where to act, the footer.

Values are formatted in the language active when they are computed: the email functions
compute them inside `speaking(recipient)`, so dates, amounts and the rulebook's texts reach
the recipient in their own language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import get_language

from admissions.applications.models import Application
from admissions.catalog.models import Institution, Site
from admissions.notify.restricted import Value
from admissions.people.models import User
from admissions.rules.deadlines import PARIS
from admissions.rules.money import format_eur
from admissions.rules.schema import Text

LANGUAGES = ("fr", "en")


def language_of(user: User | None) -> str:
    """The language the person chose (saved on their account), else the site's default."""
    chosen = (getattr(user, "preferred_language", "") or "")[:2]
    return chosen if chosen in LANGUAGES else settings.LANGUAGE_CODE


@contextmanager
def speaking(language: str) -> Iterator[str]:
    with translation.override(language):
        yield language


def current_language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def absolute(path: str) -> str:
    """A path of the site as an address that works from a mail client."""
    return f"{settings.SITE_URL}{path}"


def url(name: str, *args: object, anchor: str = "") -> str:
    """The absolute address of a named page, in the active language's prefix."""
    path = reverse(name, args=args)
    return absolute(f"{path}#{anchor}" if anchor else path)


# A file reference the URL patterns accept, standing for any other in `file_url`.
_SAMPLE_REFERENCE = "ZZZZZZZZ-0000-000000"
_REFERENCE = re.compile(r"[A-Z0-9]{1,8}-[0-9]{4}-[0-9]{6,}")


@lru_cache(maxsize=64)
def _file_path(name: str, language: str, urlconf: str) -> str:
    _ = (language, urlconf)  # part of the cache's key: the prefix and the patterns
    return reverse(name, args=[_SAMPLE_REFERENCE])


def file_url(name: str, reference: str) -> str:
    """`url(name, reference)` for a page of a file, without resolving the patterns each time:
    emails sent in bulk ask it for thousands of files."""
    if not _REFERENCE.fullmatch(reference):
        return url(name, reference)
    path = _file_path(name, get_language() or "", str(settings.ROOT_URLCONF))
    return absolute(path.replace(_SAMPLE_REFERENCE, reference))


def day(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def moment(value: dt.datetime) -> str:
    """A moment in Paris time, as the platform always shows them."""
    return formats.date_format(timezone.localtime(value, PARIS), "DATETIME_FORMAT")


def money(cents: int) -> str:
    return format_eur(cents, current_language())


def text(value: Text | None) -> str:
    return value.get(current_language()) if value is not None else ""


def file_values(application: Application, *, link: str) -> dict[str, Value]:
    """The placeholders every email about a file offers (`kinds.FILE`)."""
    candidate = application.candidate
    return {
        "candidate_name": candidate.get_full_name() or candidate.email,
        "reference": application.reference,
        "programme": application.programme.name,
        "institution": application.programme.institution.name,
        "link": link,
    }


@dataclass(frozen=True)
class Footer:
    """Who sends the email and how to reach them, from the catalogue the rulebook wrote."""

    name: str
    short_name: str
    address: list[str] = field(default_factory=list)
    phone: str = ""
    email: str = ""
    website: str = ""


def footer_of(institution: Institution | None, site: Site | None = None) -> Footer:
    if institution is None:
        return Footer(name=platform_name(), short_name=platform_name(), website=settings.SITE_URL)
    place = site or institution.sites.filter(is_active=True).order_by("pk").first()
    address = [line.strip() for line in (place.address if place else "").splitlines()]
    return Footer(
        name=institution.name,
        short_name=institution.short_name,
        address=[line for line in address if line],
        phone=place.phone if place else "",
        email=institution.contact_email,
        website=institution.website,
    )


def platform_name() -> str:
    return str(translation.gettext("Admissions"))
