"""What the application life cycle tells other parts, once a move has committed.

`status_changed` is sent after the transaction of a `history.transition` commits, with
`application_id`, `action` (the move's name), `from_status`, `to_status` and `by` (the
acting user or None). A move rolled back sends nothing.
"""

from __future__ import annotations

from django.dispatch import Signal

status_changed = Signal()
