"""File references that people can read out on the phone: NE-2024-000123."""

from __future__ import annotations

from admissions.catalog.models import Campaign
from admissions.core.sequences import next_number


def institution_code(slug: str) -> str:
    """A short code for an institution slug.

    A group name leads multi-part slugs ("imt-nord-europe", "imt-bs"), so it is dropped;
    one remaining part is kept whole up to four letters ("bs" -> "BS"), several give their
    initials ("nord-europe" -> "NE").
    """
    parts = [part for part in slug.split("-") if part]
    if len(parts) > 1:
        parts = parts[1:]
    if len(parts) == 1:
        return parts[0][:4].upper()
    return "".join(part[0] for part in parts)[:4].upper()


def next_reference(campaign: Campaign) -> str:
    """The next reference of the campaign's institution and year.

    The sequence is keyed by the printed prefix itself, so two institutions whose codes
    happen to coincide share one sequence and never print the same reference. A reference
    need not be gapless: a file whose creation failed leaves its number unused, and no
    creation waits for another to commit (see core/sequences.py).
    """
    return printed(campaign, next_number(sequence_key(campaign)))


def prefix_of(campaign: Campaign) -> str:
    return f"{institution_code(campaign.institution.slug)}-{campaign.closes_on.year}"


def sequence_key(campaign: Campaign) -> str:
    """The key of the campaign's references in `core.sequences`."""
    return f"application-reference:{prefix_of(campaign)}"


def printed(campaign: Campaign, number: int) -> str:
    """The reference of number `number` of the campaign's sequence."""
    return f"{prefix_of(campaign)}-{number:06d}"
