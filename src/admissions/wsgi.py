import contextlib
import ctypes
import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "admissions.settings")
# A web thread gives the interpreter back while it waits for the database, then must wait to
# take it again: by default up to 5 ms, for a query of a tenth of that. Taking turns every
# 0.5 ms lets a few threads per worker overlap their queries (docs/operations.md).
sys.setswitchinterval(0.0005)
# glibc gives each thread that allocates its own arena of memory, which a web worker keeps
# for its whole life: with two threads, two arenas are enough (docs/operations.md).
M_ARENA_MAX = -8
# Not glibc: its allocator has no such setting.
with contextlib.suppress(AttributeError, OSError):
    ctypes.CDLL(None).mallopt(M_ARENA_MAX, 2)
application = get_wsgi_application()
