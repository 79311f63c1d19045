"""The texts a candidate types on an application: which, their limits, how two are compared.

A text is asked once. The document requirement that stands for the same text (found by its
code: `lettre-motivation` or `cover-letter` for the cover letter, `projet-professionnel` or
`professional-project` for the project) says how: typed in the form when it is `typed`,
uploaded as a file otherwise, and then the form has no box for it. Without such a
requirement the form asks for the text.

The minimum lengths below apply when the rulebook gives none (a `min_text_length` on that
requirement). They are meant to catch the empty or one-line text, not to grade writing:
600 characters is about ten lines of a cover letter, 400 about seven lines of a project.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher

from admissions.rules.schema import DocumentRequirement, Rulebook

TEXT_FIELDS = ("cover_letter", "professional_project")
MAX_TEXT_LENGTH = 20_000
DEFAULT_MIN_LENGTH = {"cover_letter": 600, "professional_project": 400}
# The rulebook requirement codes that may set each field's minimum length.
REQUIREMENT_CODES = {
    "cover_letter": ("lettre-motivation", "cover-letter"),
    "professional_project": ("projet-professionnel", "professional-project"),
}
# Two texts at least this similar (0..1, after normalising) are the same text.
NEAR_IDENTICAL_RATIO = 0.9

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def text_requirement(rulebook: Rulebook, field_name: str) -> DocumentRequirement | None:
    """The rulebook's requirement that stands for a text of the form, if any."""
    codes = REQUIREMENT_CODES[field_name]
    return next((r for r in rulebook.documents.requirements if r.code in codes), None)


def asked_texts(rulebook: Rulebook) -> tuple[str, ...]:
    """The texts the application form asks for: a text sent as a file is not asked again."""
    asked = []
    for name in TEXT_FIELDS:
        requirement = text_requirement(rulebook, name)
        if requirement is None or requirement.typed:
            asked.append(name)
    return tuple(asked)


def min_length(rulebook: Rulebook, field_name: str) -> int:
    """The rulebook's minimum for a typed text, else the documented default."""
    requirement = text_requirement(rulebook, field_name)
    if requirement is not None and requirement.min_text_length:
        return requirement.min_text_length
    return DEFAULT_MIN_LENGTH[field_name]


def normalise(text: str) -> str:
    """Lower case, without accents, punctuation or runs of spaces: what is left is the words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", plain).strip()


def counted_length(text: str) -> int:
    """Characters that count towards a minimum: spaces collapsed, ends trimmed."""
    return len(re.sub(r"\s+", " ", text).strip())


def near_identical(first: str, second: str) -> bool:
    a, b = normalise(first), normalise(second)
    if not a or not b:
        return False
    if a == b:
        return True
    # Compared word by word: as telling as characters for a copied letter, and much cheaper.
    # quick_ratio is an upper bound of ratio: clearly different texts stop there.
    matcher = SequenceMatcher(None, a.split(), b.split(), autojunk=False)
    return (
        matcher.real_quick_ratio() >= NEAR_IDENTICAL_RATIO
        and matcher.quick_ratio() >= NEAR_IDENTICAL_RATIO
        and matcher.ratio() >= NEAR_IDENTICAL_RATIO
    )
