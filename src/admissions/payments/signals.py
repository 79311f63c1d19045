"""What payments tells the layers above it, after the transaction commits.

`payment_recorded` is sent with `entry` (the LedgerEntry of the payment) and
`application_id`; receivers may, for instance, move a file forward once its fee is paid.
"""

from __future__ import annotations

from django.dispatch import Signal

payment_recorded = Signal()
