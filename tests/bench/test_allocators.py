"""What a worker's allocators hold (`bench/allocators.py`): blocks kept alive show as in use
in the allocator that holds them, glibc's for large blocks, Python's own for small objects."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import allocators  # noqa: E402

MIB = 1024 * 1024


def test_it_names_the_process() -> None:
    assert allocators.allocators()["pid"] == os.getpid()


def test_small_objects_kept_are_in_use_in_pythons_allocator() -> None:
    before = allocators.obmalloc()
    # 64 bytes each: below Python's 512-byte limit for its own allocator.
    kept = [(i, i + 1, i + 2) for i in range(100_000)]
    after = allocators.obmalloc()
    assert after["python_used"] - before["python_used"] >= 4
    assert after["python_arenas"] >= after["python_used"]
    assert len(kept) == 100_000


def test_large_blocks_kept_are_in_use_in_glibcs_allocator() -> None:
    before = allocators.glibc()
    if not before:
        pytest.skip("malloc is not glibc's here")
    # 2 KiB each: above Python's limit, below glibc's threshold for mapping a block alone.
    kept = [bytes(2048 - 40) + i.to_bytes(4, "big") for i in range(2048)]
    after = allocators.glibc()
    assert after["glibc_used"] - before["glibc_used"] >= 3.5
    assert after["glibc_arenas"] >= after["glibc_used"]
    assert len(kept) == 2048
