"""A programme's places after the jury: who may confirm, and how many of the waiting list are
called, under the rulebook's `confirmation.after_window`.

Pure arithmetic over counts taken under the programme's lock (`workflow.places`):

- confirmed: places confirmed (on condition or not);
- open: offers whose window is still running;
- overdue: offers whose window ended, not released yet (the rulebook keeps them for now);
- waiting: files on the waiting list.

A promotion never brings `confirmed + open + overdue` above the capacity; where the jury
offered more places than the programme has, nobody is called until enough give theirs up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from admissions.rules.deadlines import add_days_deadline
from admissions.rules.vocabulary import AfterWindow


def window_end(offered_at: dt.datetime, window_days: int) -> dt.datetime:
    """The first instant too late to confirm: the end of the N-th day after the offer, in
    Paris (23:59:59.999... on the last day is in time), whatever the daylight-saving change
    between the two days."""
    return add_days_deadline(offered_at, window_days)


@dataclass(frozen=True)
class Places:
    capacity: int
    confirmed: int
    open: int
    overdue: int
    waiting: int

    @property
    def held(self) -> int:
        return self.confirmed + self.open + self.overdue

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.held)


@dataclass(frozen=True)
class Calls:
    """How many of the waiting list to call, and how many overdue offers release for them."""

    promote: int
    release_overdue: int


def calls(policy: AfterWindow, places: Places) -> Calls:
    """The best-ranked waiting candidates take the free places first; then, where the rulebook
    releases an overdue offer only when someone waits for it, the overdue offers go to the
    candidates still waiting."""
    from_free = min(places.free, places.waiting)
    released = 0
    if policy == AfterWindow.RELEASE_WHEN_NEEDED and places.held <= places.capacity:
        released = min(places.waiting - from_free, places.overdue)
    return Calls(promote=from_free + released, release_overdue=released)


def may_confirm(policy: AfterWindow, places: Places, *, overdue: bool) -> bool:
    """Whether one more place may be confirmed by a candidate whose offer is counted in
    `places` (as open, or as overdue when `overdue`).

    In the window the offer is the candidate's while the programme has a place not yet
    confirmed. After it: never where the place is released at once; while the office has not
    released it where it is kept; and where it is released only when needed, while a place is
    free that no other running offer nor any waiting candidate needs.
    """
    if places.confirmed >= places.capacity:
        return False
    if not overdue:
        return True
    if policy == AfterWindow.RELEASE_AT_ONCE:
        return False
    if policy == AfterWindow.KEEP_UNTIL_RELEASED:
        return True
    return places.confirmed + places.open + places.waiting < places.capacity
