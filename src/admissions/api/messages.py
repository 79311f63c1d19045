"""Pydantic's validation errors told in the reader's language.

Pydantic writes its messages in English only. The common error types are mapped here to
gettext messages; where Django's own forms say the same thing, its wording is reused, so that
the API and the web pages speak alike. An error type not listed keeps a generic message
(or pydantic's own, for an English reader).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import get_language, gettext, ngettext

Context = Mapping[str, Any]


def _required(ctx: Context) -> str:
    return gettext("This field is required.")


def _not_expected(ctx: Context) -> str:
    return gettext("This field is not expected: remove it.")


def _too_short(ctx: Context) -> str:
    limit = int(ctx.get("min_length", 0))
    return ngettext(
        "Enter at least %(limit)d character.", "Enter at least %(limit)d characters.", limit
    ) % {"limit": limit}


def _too_long(ctx: Context) -> str:
    limit = int(ctx.get("max_length", 0))
    return ngettext(
        "Enter at most %(limit)d character.", "Enter at most %(limit)d characters.", limit
    ) % {"limit": limit}


def _date(ctx: Context) -> str:
    return gettext("Enter a valid date.")


def _datetime(ctx: Context) -> str:
    return gettext("Enter a valid date/time.")


def _integer(ctx: Context) -> str:
    return gettext("Enter a whole number.")


def _number(ctx: Context) -> str:
    return gettext("Enter a number.")


def _choice(ctx: Context) -> str:
    return gettext("Select a valid choice. That choice is not one of the available choices.")


def _at_least(ctx: Context) -> str:
    return gettext("Ensure this value is greater than or equal to %(limit_value)s.") % {
        "limit_value": ctx.get("ge", "")
    }


def _at_most(ctx: Context) -> str:
    return gettext("Ensure this value is less than or equal to %(limit_value)s.") % {
        "limit_value": ctx.get("le", "")
    }


def _decimal_places(ctx: Context) -> str:
    places = int(ctx.get("decimal_places", 0))
    return ngettext(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
        places,
    ) % {"max": places}


def _json(ctx: Context) -> str:
    return gettext("Enter a valid JSON.")


def _unknown_country(ctx: Context) -> str:
    return gettext("“%(value)s” is not a known country code. Choose a country from the list.") % {
        "value": ctx.get("value", "")
    }


MESSAGES: dict[str, Callable[[Context], str]] = {
    "missing": _required,
    "extra_forbidden": _not_expected,
    "string_too_short": _too_short,
    "string_too_long": _too_long,
    "date_parsing": _date,
    "date_type": _date,
    "date_from_datetime_parsing": _date,
    "date_from_datetime_inexact": _date,
    "datetime_parsing": _datetime,
    "datetime_type": _datetime,
    "datetime_from_date_parsing": _datetime,
    "int_parsing": _integer,
    "int_type": _integer,
    "int_from_float": _integer,
    "int_parsing_size": _integer,
    "decimal_parsing": _number,
    "decimal_type": _number,
    "float_parsing": _number,
    "float_type": _number,
    "enum": _choice,
    "literal_error": _choice,
    "greater_than_equal": _at_least,
    "less_than_equal": _at_most,
    "decimal_max_places": _decimal_places,
    "json_invalid": _json,
    "unknown_country": _unknown_country,
}


def choices_of(error: Mapping[str, Any]) -> list[str] | None:
    """The values an enum or literal field accepts, from pydantic's "'a', 'b' or 'c'"."""
    if error.get("type") not in ("enum", "literal_error"):
        return None
    expected = str((error.get("ctx") or {}).get("expected", ""))
    return re.findall(r"'([^']*)'", expected) or None


def validation_message(error: Mapping[str, Any]) -> str:
    """The message of one pydantic error in the active language."""
    explain = MESSAGES.get(str(error.get("type", "")))
    if explain is not None:
        return explain(error.get("ctx") or {})
    original = str(error.get("msg", ""))
    if error.get("type") == "value_error":
        # Validators of the project raise ValueError with a message already meant for people.
        return original.removeprefix("Value error, ")
    if (get_language() or "").startswith("en") and original:
        return original
    return gettext("Enter a valid value.")
