"""How long a file's personal data is kept: pure dates from the institution's periods.

A file is kept until the latest of what keeps it:
- never admitted: `not_admitted_months` after the end of its campaign or its last change,
  whichever is later (a file still moving after its campaign is counted from the move);
- admitted (or confirmed): `admitted_years` after the end of its campaign;
- money on it: `accounting_years` after its last ledger entry, for the accounting records
  only (the file's other data may go before, see `personal_data_until`).
"""

from __future__ import annotations

import calendar
import datetime as dt

from admissions.rules.schema import Retention


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it is shorter (31 Jan + 1)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def personal_data_until(
    retention: Retention,
    *,
    admitted: bool,
    campaign_closes_on: dt.date,
    last_change_on: dt.date,
) -> dt.date:
    """The last day a file's personal data (documents, texts, messages) is kept."""
    if admitted:
        return add_months(campaign_closes_on, 12 * retention.admitted_years)
    counted_from = max(campaign_closes_on, last_change_on)
    return add_months(counted_from, retention.not_admitted_months)


def accounting_until(retention: Retention, *, last_entry_on: dt.date | None) -> dt.date | None:
    """The last day a file's accounting records are kept; None when it has none."""
    if last_entry_on is None:
        return None
    return add_months(last_entry_on, 12 * retention.accounting_years)


def access_log_cutoff(retention: Retention, today: dt.date) -> dt.date:
    """Access log rows written before this day are past their period."""
    return add_months(today, -retention.access_log_months)
