"""A child of the fork server that does not run the parent's main script again.

Before running its target, a child of multiprocessing's fork server imports the parent's
`__main__` anew, so that functions defined there can be unpickled. A web worker's main is
the server's command (granian's, which imports its whole command line): every PDF checked
paid that import again, hundreds of milliseconds per upload on a busy machine, for nothing,
since the scan's target lives in an importable module (`pdfscan.run`). This process sends
the child everything it needs but the main script. CPython's own switch for it, the
`"__main__"` entry of the fork server's preload list, does not take effect in 3.11.
"""

from __future__ import annotations

import io
import os
from multiprocessing import forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.context import ForkServerProcess, set_spawning_popen
from typing import Any

# Keys of the preparation data that make the child import the parent's main module.
MAIN_KEYS = ("init_main_from_name", "init_main_from_path")


class _Popen(popen_forkserver.Popen):
    def _launch(self, process_obj: Any) -> None:
        # popen_forkserver.Popen._launch (3.11), the main module's keys left out.
        prep_data = spawn.get_preparation_data(process_obj._name)
        for key in MAIN_KEYS:
            prep_data.pop(key, None)
        buf = io.BytesIO()
        set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            set_spawning_popen(None)
        # Neither attribute is in the standard library's type stubs.
        fds: list[int] = self._fds  # type: ignore[attr-defined]
        self.sentinel, w = forkserver.connect_to_new_process(fds)
        # The parent's sentinel of the data pipe, as the standard library keeps it.
        parent_w = os.dup(w)
        close_fds = util.close_fds  # type: ignore[attr-defined]
        self.finalizer = util.Finalize(self, close_fds, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as pipe:
            pipe.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class ScanProcess(ForkServerProcess):
    """A fork-server process whose target is a function of an importable module."""

    @staticmethod
    def _Popen(process_obj: Any) -> _Popen:  # noqa: N802 - the name multiprocessing calls
        return _Popen(process_obj)
