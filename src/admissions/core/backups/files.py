"""The objects of a storage, listed through Django's storage API (local folder or S3 alike)."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.files.storage import Storage


def names(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name of `storage` under `folder`, folders first listed, in name order."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local storage whose folder was never created
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from names(storage, f"{folder}/{sub}" if folder else sub)
