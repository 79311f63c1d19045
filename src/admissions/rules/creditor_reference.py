"""ISO 11649 structured creditor references ("RF" references) for bank transfers.

A reference is "RF", two check digits, then 1 to 21 letters or digits. The check digits are
computed as for an IBAN (ISO 7064 MOD 97-10): the body followed by "RF00", letters turned
into numbers (A=10 ... Z=35), gives 98 minus its remainder by 97. Banks carry the reference
in the structured remittance field of a transfer, so a payment can be matched to its charge
without a human reading the free text.
"""

from __future__ import annotations

import re

PREFIX = "RF"
MAX_BODY = 21
_BODY = re.compile(r"^[A-Z0-9]{1,21}$")
_CANDIDATE = re.compile(r"RF\d{2}[A-Z0-9]{1,21}")


class CreditorReferenceError(ValueError):
    pass


def compact(reference: str) -> str:
    """Upper case without spaces: the electronic form banks exchange."""
    return re.sub(r"\s+", "", reference).upper()


def _numeric(text: str) -> int:
    return int("".join(str(int(char, 36)) for char in text))


def check_digits(body: str) -> str:
    body = compact(body)
    if not _BODY.fullmatch(body):
        raise CreditorReferenceError(
            f"a creditor reference body is 1 to {MAX_BODY} letters or digits, got {body!r}"
        )
    return f"{98 - _numeric(body + PREFIX + '00') % 97:02d}"


def make(body: str) -> str:
    """The reference for `body`, in electronic form: make("539007547034") == "RF18539007547034"."""
    body = compact(body)
    return PREFIX + check_digits(body) + body


def is_valid(reference: str) -> bool:
    text = compact(reference)
    if not text.startswith(PREFIX) or len(text) < 5 or len(text) > 4 + MAX_BODY:
        return False
    digits, body = text[2:4], text[4:]
    if not digits.isdigit() or not _BODY.fullmatch(body):
        return False
    return _numeric(body + text[:4]) % 97 == 1


def printed(reference: str) -> str:
    """Groups of four characters, as printed on a payment slip: "RF18 5390 0754 7034"."""
    text = compact(reference)
    return " ".join(text[index : index + 4] for index in range(0, len(text), 4))


def find_in(text: str) -> list[str]:
    """Every valid reading of a reference in a free text (an unstructured remittance line).

    Spaces inside a printed reference are tolerated, so the words after it may glue onto it;
    each start is therefore read at every valid length, longest first, and the caller keeps
    the first reading it knows. A random suffix passes the check with odds of 1 in 97.
    """
    found: list[str] = []
    squeezed = compact(text)
    for match in re.finditer(r"(?=RF\d{2})", squeezed):
        window = squeezed[match.start() : match.start() + 4 + MAX_BODY]
        candidate = _CANDIDATE.match(window)
        if candidate is None:
            continue
        for end in range(len(candidate.group(0)), 4, -1):
            reading = window[:end]
            if is_valid(reading) and reading not in found:
                found.append(reading)
    return found
