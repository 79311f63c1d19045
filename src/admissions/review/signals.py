"""Events of the review that others (the notifications outbox) connect to.

Each is sent inside the transaction that made the change, with the application's id, so a
receiver that writes an outbox row commits or rolls back with the change itself.
"""

from __future__ import annotations

from django.dispatch import Signal

# application_id, document_ids, by: documents rejected; the candidate replaces them.
documents_rejected = Signal()
# application_id, by: every required document accepted and the fee paid.
file_complete = Signal()
# application_id, outcome ("positive" / "negative"), ends_file, by.
admissibility_recorded = Signal()
# application_id, by: the candidate is invited to book an interview slot.
interview_invited = Signal()
# application_id, slot_id, by: a slot was booked (the invitation with its .ics goes out).
interview_booked = Signal()
# application_id, slot_id, previous_slot_id, by: the booking moved to another slot.
interview_moved = Signal()
# application_id, slot_id, by: the booking was cancelled; the candidate may book again.
interview_cancelled = Signal()
# application_id, no_show, by: the interview was held, or the candidate did not come.
interview_recorded = Signal()
