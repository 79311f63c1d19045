"""The jury's rules: which session a ready file goes to, quorum, reasons, places and the
derogatory-route cap.

The cap follows the Conférence des Grandes Écoles' rule for Mastères Spécialisés: the
candidates admitted without the standard entry diploma (derogatory routes) may make up at
most a share of the cohort. The cohort is every file admitted or holding a place in the
programme for the campaign, derogatory ones included, so the check does not depend on the
order in which the jury decides: it is made on the whole set of decisions.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


def session_cutoff(
    *, month: str, date: dt.date | None = None, files_cutoff: dt.date | None = None
) -> dt.date:
    """The last day (Paris time, to its end) a file may become ready for a session.

    The rulebook's `files_cutoff`; else the session's day; else the last day of its month.
    """
    if files_cutoff is not None:
        return files_cutoff
    if date is not None:
        return date
    year, number = (int(part) for part in month.split("-"))
    return dt.date(year, number, calendar.monthrange(year, number)[1])


def session_for(ready_on: dt.date, cutoffs: Sequence[dt.date]) -> int | None:
    """The index of the first session (by cut-off) whose cut-off the file meets, or None.

    A file ready on the day of a cut-off meets it: the cut-off is the end of that day.
    """
    meeting = [index for index, cutoff in enumerate(cutoffs) if ready_on <= cutoff]
    if not meeting:
        return None
    return min(meeting, key=lambda index: (cutoffs[index], index))


def has_quorum(sitting: int, quorum: int) -> bool:
    return sitting >= quorum


def reason_missing(decision: str, reason: str, required_for: Sequence[str]) -> bool:
    return decision in required_for and not reason.strip()


def places_left(capacity: int, holding: int, offered: int) -> int:
    """Places not yet confirmed nor offered; never below zero."""
    return max(capacity - holding - offered, 0)


def within_capacity(capacity: int, holding: int, offered: int, admitting: int) -> bool:
    """Whether `admitting` more offers fit beside the places confirmed and offered."""
    return holding + offered + admitting <= capacity


@dataclass(frozen=True)
class DerogationUse:
    percent: int
    cohort: int  # files admitted or holding a place, derogatory ones included
    derogatory: int
    allowed: int  # the most derogatory files this cohort may hold

    @property
    def within(self) -> bool:
        return self.derogatory <= self.allowed


def derogatory_allowed(percent: int, cohort: int) -> int:
    """floor(percent % of the cohort), in integers."""
    if not 0 <= percent <= 100:
        raise ValueError(f"percent out of range: {percent}")
    if cohort < 0:
        raise ValueError(f"negative cohort: {cohort}")
    return percent * cohort // 100


def derogation_use(percent: int, standard: int, derogatory: int) -> DerogationUse:
    if standard < 0 or derogatory < 0:
        raise ValueError("counts cannot be negative")
    cohort = standard + derogatory
    return DerogationUse(
        percent=percent,
        cohort=cohort,
        derogatory=derogatory,
        allowed=derogatory_allowed(percent, cohort),
    )


def derogatory_room(percent: int, standard: int, derogatory: int) -> int | None:
    """How many more derogatory admissions the cohort takes with `standard` ones fixed.

    None: no limit (100 %). 0 when the cohort is already at or over its cap.
    """
    if percent >= 100:
        return None
    if standard < 0 or derogatory < 0:
        raise ValueError("counts cannot be negative")
    # d more fit when 100 (D + d) <= p (S + D + d), that is d <= (p (S + D) - 100 D) / (100 - p).
    numerator = percent * (standard + derogatory) - 100 * derogatory
    if numerator <= 0:
        return 0
    return numerator // (100 - percent)


# Why a decision does not fit the candidate's diploma (codes of `diploma_mismatch`).
NO_DIPLOMA_IN_PROGRESS = "no_diploma_in_progress"
DIPLOMA_IN_PROGRESS = "diploma_in_progress"
DIPLOMA_ALREADY_OBTAINED = "diploma_already_obtained"


def diploma_mismatch(
    decision: str, *, diploma_in_progress: bool, stated_obtained: bool
) -> str | None:
    """Whether an admission fits the entry diploma the file was submitted with; None if so.

    A candidate still studying may apply, but the diploma "devra toutefois être fourni pour
    l'admission définitive" (IMT Nord Europe's notice): the admission on condition is for
    a diploma still in progress at submission, and only then. Such a candidate is admitted
    without condition only when the jury states the diploma has been obtained since; stating
    it and admitting on condition at once says two things.
    """
    if decision == "admitted_conditionally":
        if not diploma_in_progress:
            return NO_DIPLOMA_IN_PROGRESS
        if stated_obtained:
            return DIPLOMA_ALREADY_OBTAINED
    if decision == "admitted" and diploma_in_progress and not stated_obtained:
        return DIPLOMA_IN_PROGRESS
    return None
