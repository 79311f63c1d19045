"""The message catalogues: every French message translated, and compiled where Django reads it.

A machine without gettext cannot compile catalogues, so the compiled .mo files ship with the
code and must match their .po sources.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "admissions" / "locale"
FIELD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$')
ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda match: ESCAPES.get(match.group(1), match.group(1)), text)


def entries(language: str, locale: Path = LOCALE) -> list[dict[str, str]]:
    text = (locale / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    found = []
    for block in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fields["fuzzy"] = "yes"
            match = FIELD.match(line)
            if match:
                key = match.group(1)
                fields[key] = unescape(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += unescape(line[1:-1])
        if fields.get("msgid") and not block.lstrip().startswith("#~"):
            found.append(fields)
    return found


def is_translated(entry: dict[str, str]) -> bool:
    strings = [value for key, value in entry.items() if key.startswith("msgstr")]
    return not entry.get("fuzzy") and bool(strings) and all(strings)


def test_every_french_message_is_translated() -> None:
    missing = [entry["msgid"] for entry in entries("fr") if not is_translated(entry)]
    assert not missing, f"{len(missing)} French messages to translate, e.g. {missing[:5]}"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_compiled_catalogue_matches_its_source(language: str) -> None:
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    expected = {
        (entry["msgctxt"] + "\x04" if "msgctxt" in entry else "") + entry["msgid"]
        for entry in entries(language)
        if is_translated(entry)
    }
    compiled_ids = {
        key[0] if isinstance(key, tuple) else key
        for key in catalogue._catalog  # type: ignore[attr-defined]
    } - {""}
    assert compiled_ids == expected, "the .mo file does not match its .po: run `make messages`"


def test_no_message_of_the_code_is_missing_from_the_french_catalogue(tmp_path: Path) -> None:
    """Extract the messages again from a copy of the code: a new string must be translated."""
    import os
    import shutil
    import subprocess
    import sys

    from tests.services.base import require_binary

    require_binary("xgettext", package="gettext")
    copy = tmp_path / "admissions"
    shutil.copytree(
        LOCALE.parent,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "migrations"),
    )
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO")}
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "fr", "--no-obsolete", "-v", "0"],
        cwd=copy,
        env=environment,
        check=True,
        timeout=240,
    )
    found = entries("fr", copy / "locale")
    missing = [entry["msgid"] for entry in found if not is_translated(entry)]
    assert len(found) > 500  # the extraction ran over the whole code
    assert not missing, f"{len(missing)} messages to translate (`make messages`): {missing[:5]}"
