"""How an application's reference is written in the candidate's addresses."""

from __future__ import annotations


class ReferenceConverter:
    """An application reference as printed: NE-2024-000123."""

    regex = r"[A-Z0-9]{1,8}-[0-9]{4}-[0-9]{6,}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
