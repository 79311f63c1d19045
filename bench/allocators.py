"""What a process's two allocators hold: glibc's malloc and Python's own (obmalloc).

RSS says how much memory a worker holds, not whether it is in use: a block freed by Python
or by a library stays in the process until its allocator gives the pages back. Read in the
worker itself (`served.py`'s memory view), so it counts what that worker's threads did.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys

MIB = 1024 * 1024
# Where `served.py` answers them.
MEMORY_PATH = "bench/memory"


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def glibc() -> dict[str, float]:
    """MiB of glibc's arenas (every thread's): taken from the system, in use, free inside
    them, and the large blocks mapped on their own. Empty where malloc is not glibc's."""
    try:
        mallinfo2 = ctypes.CDLL(None).mallinfo2
    except (AttributeError, OSError):
        return {}
    mallinfo2.restype = _MallInfo2
    info = mallinfo2()
    return {
        "glibc_arenas": info.arena / MIB,
        "glibc_used": info.uordblks / MIB,
        "glibc_free": info.fordblks / MIB,
        "glibc_mapped": info.hblkhd / MIB,
    }


def obmalloc() -> dict[str, float]:
    """MiB of Python's small-object allocator: its arenas, the blocks in use, and the free
    blocks and pools inside those arenas (an arena goes back to the system only when all
    of it is free)."""
    # sys._debugmallocstats writes to the C stream stderr only; its report (a few KiB)
    # fits in a pipe's buffer.
    reading, writing = os.pipe()
    saved = os.dup(2)
    try:
        os.dup2(writing, 2)
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(writing)
    with os.fdopen(reading, "rb") as report:
        text = report.read().decode("ascii", errors="replace")

    def field(label: str) -> int:
        found = re.search(re.escape(label) + r"\s*=\s*([\d,]+)", text)
        return int(found[1].replace(",", "")) if found else 0

    unused = re.search(r"(\d+) unused pools \* (\d+) bytes", text)
    return {
        "python_arenas": field("# arenas allocated current") * _arena_size(text) / MIB,
        "python_used": field("# bytes in allocated blocks") / MIB,
        "python_free": (
            field("# bytes in available blocks")
            + (int(unused[1]) * int(unused[2]) if unused else 0)
        )
        / MIB,
    }


def _arena_size(text: str) -> int:
    found = re.search(r"arenas \* (\d+) bytes/arena", text)
    return int(found[1]) if found else 0


def allocators() -> dict[str, float]:
    return {"pid": os.getpid(), **glibc(), **obmalloc()}
