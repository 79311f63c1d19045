"""Splitting tuition into instalments, exact to the cent.

The total is divided into equal parts; the cents that do not divide go one each to the
first instalments, so the parts differ by at most one cent and always add up to the total.
The first instalment is due when the plan says (at registration for the shipped
rulebooks); the others are spread evenly over the programme's months.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from admissions.rules.vocabulary import FeeDue


@dataclass(frozen=True)
class Instalment:
    number: int  # 1 for the first
    amount_cents: int
    month_offset: int  # months after the start of the programme
    due: FeeDue | None  # for the first instalment: the event it is due at


def split_cents(total_cents: int, count: int) -> list[int]:
    if count < 1:
        raise ValueError(f"an instalment plan has at least one instalment, got {count}")
    if total_cents < 0:
        raise ValueError(f"cannot split a negative amount ({total_cents} cents)")
    base, extra = divmod(total_cents, count)
    return [base + 1 if index < extra else base for index in range(count)]


def schedule(
    total_cents: int, *, count: int, first_due: FeeDue, duration_months: int
) -> tuple[Instalment, ...]:
    """The instalments of `total_cents` over a programme of `duration_months`.

    Instalment k (from 0) falls k * duration / count months after the start, rounded down:
    3 instalments over 12 months fall at months 0, 4 and 8.
    """
    if duration_months < 1:
        raise ValueError(f"a programme lasts at least one month, got {duration_months}")
    amounts = split_cents(total_cents, count)
    return tuple(
        Instalment(
            number=index + 1,
            amount_cents=amount,
            month_offset=index * duration_months // count,
            due=first_due if index == 0 else None,
        )
        for index, amount in enumerate(amounts)
    )


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the last day of that month when it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def due_dates(
    instalments: tuple[Instalment, ...], *, starts_on: dt.date, first_due_on: dt.date
) -> list[dt.date]:
    """Calendar dates: the first on the day of its event (registration), the others counted
    from the start of the programme and never before the first."""
    dates: list[dt.date] = []
    for instalment in instalments:
        if instalment.number == 1:
            dates.append(first_due_on)
        else:
            dates.append(max(add_months(starts_on, instalment.month_offset), first_due_on))
    return dates
