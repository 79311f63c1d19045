"""What documents tell the layers above them.

`document_changed` is sent inside the transaction that changes a document, while the
application row is locked, with `application` (that locked row), `document`, `action` (the
history name without its `document.` prefix: "uploaded", "rejected_by_staff"...) and `by`.
A receiver runs in the same transaction: what it changes commits or rolls back with the
document, and an exception it raises undoes the change.
"""

from __future__ import annotations

from django.dispatch import Signal

document_changed = Signal()
