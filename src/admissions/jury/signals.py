"""What a publication tells the parts above it, once it has committed.

`decisions_published` is sent once per publication of a session, after its commit, with
`application_ids` (the files it decided, in the order of their decisions). It is sent after
every other hook of that commit: the life cycle's signals (and the confirmation charges they
make) and the scheduling of the publication's emails. A task a receiver queues then waits
behind those emails' deliveries, whose lines in each file's history the status page shows.
A publication rolled back sends nothing.
"""

from __future__ import annotations

from django.dispatch import Signal

decisions_published = Signal()
