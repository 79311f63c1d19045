"""Moments written for the API's JSON: the same text as Django's JSON encoder writes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.serializers.json import DjangoJSONEncoder
from hypothesis import given
from hypothesis import strategies as st

from admissions.core import iso_moments
from admissions.core.iso_moments import json_moment

ENCODE = DjangoJSONEncoder().default
PARIS = ZoneInfo("Europe/Paris")
# Any moment Python holds, to the microsecond.
MOMENTS = st.datetimes()


@given(MOMENTS)
def test_utc_moments_as_the_encoder_writes_them(naive: dt.datetime) -> None:
    moment = naive.replace(tzinfo=dt.UTC)
    assert json_moment(moment) == ENCODE(moment)


@given(MOMENTS.map(lambda naive: naive.replace(microsecond=naive.microsecond % 1000)))
def test_less_than_a_millisecond(naive: dt.datetime) -> None:
    # Under a millisecond the encoder writes ".000", and no fraction only at zero.
    moment = naive.replace(tzinfo=dt.UTC)
    assert json_moment(moment) == ENCODE(moment)


@given(
    st.datetimes(
        min_value=dt.datetime(1970, 1, 1),
        max_value=dt.datetime(2100, 1, 1),
        timezones=st.sampled_from([PARIS, ZoneInfo("UTC"), dt.timezone(dt.timedelta(hours=5))]),
    )
)
def test_other_zones_as_the_encoder_writes_them(moment: dt.datetime) -> None:
    assert json_moment(moment) == ENCODE(moment)


def test_around_paris_changes_of_time() -> None:
    """The moments on either side of the clocks' changes, read in UTC as the database gives
    them and in Paris time, each as the encoder writes it."""
    for year in (1996, 2024, 2026, 2038):
        for month in (3, 10):
            last_sunday = max(
                dt.date(year, month, day)
                for day in range(25, 32)
                if dt.date(year, month, day).weekday() == 6
            )
            change = dt.datetime.combine(last_sunday, dt.time(1), tzinfo=dt.UTC)
            for seconds in (-3601, -1, 0, 1, 3599, 3600):
                for microsecond in (0, 999, 1000, 999_999):
                    moment = change + dt.timedelta(seconds=seconds, microseconds=microsecond)
                    assert json_moment(moment) == ENCODE(moment)
                    local = moment.astimezone(PARIS)
                    assert json_moment(local) == ENCODE(local)
                    assert json_moment(local.astimezone(dt.UTC)) == json_moment(moment)


def test_naive_moments() -> None:
    for moment in (dt.datetime(2026, 3, 29, 2, 30), dt.datetime(2026, 1, 1, 0, 0, 0, 1500)):
        assert json_moment(moment) == ENCODE(moment)


def test_days_met_are_bounded() -> None:
    iso_moments._DAYS.clear()
    start = dt.datetime(2000, 1, 1, 12, tzinfo=dt.UTC)
    for offset in range(iso_moments._MOST_DAYS + 10):
        moment = start + dt.timedelta(days=offset)
        assert json_moment(moment) == ENCODE(moment)
    assert len(iso_moments._DAYS) <= iso_moments._MOST_DAYS
