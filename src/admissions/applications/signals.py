"""What the application life cycle tells other parts, once a move has committed.

`status_changed` is sent after the transaction of a `history.transition` commits, with
`application_id`, `action` (the move's name), `from_status`, `to_status` and `by` (the
acting user or None). A move rolled back sends nothing.

`history.transition_many` moves many files at once. Once it commits it sends
`statuses_changed` once, with `moves` (a list of `Moved`), for the receivers that act on
many files in few queries; then `status_changed` for each file as above, with
`in_bulk=True`, so that a receiver that has a bulk counterpart skips it, and any other
receiver sees every move as if it had been made one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.dispatch import Signal

status_changed = Signal()
statuses_changed = Signal()


@dataclass(frozen=True)
class Moved:
    application_id: int
    action: str
    from_status: str
    to_status: str
    by_id: int | None
