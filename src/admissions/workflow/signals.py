"""What the messages of a file tell other parts, once written.

`messages_changed` is sent after the transaction commits, with `application_id`, when a
message is posted on the file or someone marks its messages read.
"""

from __future__ import annotations

from django.dispatch import Signal

messages_changed = Signal()
