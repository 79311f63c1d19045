"""A bench's section of RESULTS.md, written between its markers with the text around kept."""

from __future__ import annotations

from pathlib import Path


def write_section(path: Path, section: str, *, begin: str, end: str, heading: str = "") -> None:
    """`section` (its markers included) in place of what stands between `begin` and `end`
    in `path`, or at its end, after `heading`, when the markers are not there yet."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Results\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + heading + section + "\n"
    path.write_text(text, encoding="utf-8")
