"""What `people` tells the layers above about (they connect in their `ready()`)."""

from django.dispatch import Signal

# A person logged in from a browser this account never used before (not the very first
# log-in of the account). Arguments: user, event (the LoginEvent).
new_device_login = Signal()
