import contextlib
import ctypes
import importlib.util
import os
import sys
from pathlib import Path

import django

from admissions.core import resolution

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


def _load_test_signals_alone() -> None:
    """django-ninja takes `setting_changed` from `django.test.signals`, and importing that
    module first runs the `django.test` package: the test client and test cases, about 5 MiB
    per worker that serves no test. The module is loaded from its own file under its own
    name, receivers and all, so that a later `import django.test` reuses it."""
    name = "django.test.signals"
    if name in sys.modules or "django.test" in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(
        name, Path(django.__file__).parent / "test" / "signals.py"
    )
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)


_load_test_signals_alone()
# Django's `get_wsgi_application`, with each path's view kept once found (core/resolution.py).
django.setup(set_prefix=False)
application = resolution.WSGIHandler()
