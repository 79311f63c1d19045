"""Words for the rules' explanations, in French and English, as plain data.

The rules answer in both languages at once (a `Text`); the page or the email picks one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

from admissions.rules.experience import Duration, Span
from admissions.rules.schema import Text
from admissions.rules.vocabulary import DiplomaKind, Track, TranslationPolicy

FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)

# Spelt out rather than taken from strftime("%B"), which follows the process locale.
ENGLISH_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

DIPLOMA_KINDS: dict[DiplomaKind, Text] = {
    DiplomaKind.CTI_ENGINEERING: Text(
        fr="diplôme d'ingénieur habilité par la CTI", en="CTI-accredited engineering diploma"
    ),
    DiplomaKind.MASTER_M2: Text(fr="master M2", en="M2 master's degree"),
    DiplomaKind.MASTER_M1: Text(fr="master M1 ou maîtrise", en="M1 or maîtrise"),
    DiplomaKind.MANAGEMENT_SCHOOL: Text(
        fr="diplôme d'école de management", en="management school diploma"
    ),
    DiplomaKind.RNCP_LEVEL_7: Text(fr="titre RNCP de niveau 7", en="RNCP level 7 title"),
    DiplomaKind.LICENCE: Text(fr="licence", en="licence degree"),
    DiplomaKind.BACHELOR_OTHER: Text(fr="autre diplôme de niveau Bac+3", en="other Bac+3 diploma"),
    DiplomaKind.FOREIGN: Text(fr="diplôme étranger", en="foreign diploma"),
    DiplomaKind.OTHER: Text(fr="autre diplôme", en="other diploma"),
}

TRACKS: dict[Track, Text] = {
    Track.FULL_TIME: Text(fr="temps plein avec stage", en="full-time with an internship"),
    Track.WORK_STUDY: Text(fr="alternance", en="work-study"),
}

TRANSLATIONS: dict[TranslationPolicy, Text] = {
    TranslationPolicy.NONE: Text(
        fr="les documents sont acceptés dans leur langue d'origine",
        en="documents are accepted in their original language",
    ),
    TranslationPolicy.CERTIFIED: Text(
        fr="une traduction certifiée est demandée pour tout document qui n'est pas en français",
        en="a certified translation is required for any document not in French",
    ),
    TranslationPolicy.FRENCH_OR_ENGLISH: Text(
        fr="tout document qui n'est ni en français ni en anglais doit être traduit en français "
        "ou en anglais",
        en="any document in neither French nor English must be translated into French or English",
    ),
}


_new = object.__new__
_set = object.__setattr__


def text(fr: str, en: str) -> Text:
    # Dozens per eligibility check: the one rule of `Text` checked here, not by pydantic, and
    # the instance made as `Text.model_construct` makes it, without its search for defaults
    # and extras (a third of its cost; tests/rules/test_explain.py compares the two).
    if not fr or not en:
        raise ValueError(f"a text needs both languages: {fr!r} / {en!r}")
    made = _new(Text)
    _set(made, "__dict__", {"fr": fr, "en": en})
    _set(made, "__pydantic_fields_set__", {"fr", "en"})
    _set(made, "__pydantic_extra__", None)
    _set(made, "__pydantic_private__", None)
    return made


def join(parts: Sequence[Text], *, fr: str = "ou", en: str = "or") -> Text:
    """["A", "B", "C"] -> "A, B ou C" / "A, B or C"."""
    return text(_join([part.fr for part in parts], fr), _join([part.en for part in parts], en))


def concat(*parts: Text, separator: str = " ") -> Text:
    return text(
        separator.join(part.fr for part in parts), separator.join(part.en for part in parts)
    )


def level(bac_plus: int) -> str:
    return "Bac" if bac_plus == 0 else f"Bac+{bac_plus}"


def duration(value: Duration, *, round_up: bool = False) -> Text:
    """A requirement or a shortfall: days are thirtieths of a month, rounded up for what a
    candidate still needs."""
    return _years_months_days(*value.parts(round_up=round_up))


def span(value: Span) -> Text:
    """2 years, 4 months, 3 days: "2 ans, 4 mois et 3 jours" / "2 years, 4 months and 3 days"."""
    years, months = divmod(value.months, 12)
    return _years_months_days(years, months, value.days)


# A few durations, each said in every check (a route's experience, what a candidate has):
# the text (immutable) is made once for each.
@lru_cache(maxsize=1024)
def _years_months_days(years: int, months: int, days: int) -> Text:
    fr: list[str] = []
    en: list[str] = []
    if years:
        fr.append(f"{years} an{'s' if years > 1 else ''}")
        en.append(f"{years} year{'s' if years > 1 else ''}")
    if months:
        fr.append(f"{months} mois")
        en.append(f"{months} month{'s' if months > 1 else ''}")
    if days or not fr:
        fr.append(f"{days} jour{'s' if days > 1 else ''}")
        en.append(f"{days} day{'s' if days != 1 else ''}")
    return text(_join(fr, "et"), _join(en, "and"))


def date(day: dt.date) -> Text:
    """1 March 2024 -> "1 mars 2024" / "1 March 2024", as the pages write dates."""
    return text(
        f"{day.day} {FRENCH_MONTHS[day.month - 1]} {day.year}",
        f"{day.day} {ENGLISH_MONTHS[day.month - 1]} {day.year}",
    )


def _join(parts: Sequence[str], word: str) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} {word} {parts[-1]}"
