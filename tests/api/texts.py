"""Messages as the French catalogue translates them, so tests do not depend on its wording."""

from __future__ import annotations

from django.utils import translation


def french(message: str, **params: object) -> str:
    """The French translation of an English message, which must have one."""
    with translation.override("fr"):
        translated = translation.gettext(message)
    assert translated != message, f"not translated: {message!r}"
    return translated % params if params else translated
