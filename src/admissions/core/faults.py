"""Named points inside the writes that matter, where a test kills the process mid-request.

`point("submission.before_commit")` costs one dictionary lookup and does nothing, unless
`ADMISSIONS_FAULT_POINTS` (comma-separated names, set by the crash tests only, refused in
production) names the point. Then the first request that reaches it writes a file named
after the point in `ADMISSIONS_FAULT_DIR` and waits there, its transaction open, until the
test kills the process with SIGKILL. The file stays: the next process, started on the same
folder, passes the point, so the test can replay the request and see it succeed.

Points sit after partial writes and after storage writes, before the commit; never in a loop.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

_WAIT_SECONDS = 3600.0


def _armed() -> dict[str, Path]:
    names = [name.strip() for name in os.environ.get("ADMISSIONS_FAULT_POINTS", "").split(",")]
    folder = Path(os.environ.get("ADMISSIONS_FAULT_DIR", "."))
    return {name: folder / name for name in names if name}


_ARMED = _armed()


def point(name: str) -> None:
    """Hold here until killed when a crash test armed `name`; otherwise nothing."""
    marker = _ARMED.get(name)
    if marker is not None:
        _hold(marker)


def _hold(marker: Path) -> None:
    try:
        with marker.open("x", encoding="utf-8") as reached:
            reached.write(f"{os.getpid()}\n")
    except FileExistsError:
        return  # reached by a process killed earlier: this one goes through
    deadline = time.monotonic() + _WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.05)
    raise SystemExit(f"fault point {marker.name} was never killed")
