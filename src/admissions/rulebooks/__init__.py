"""The rulebooks shipped with the platform, ready to load: one TOML file per institution."""

from __future__ import annotations

from pathlib import Path

PRESETS_DIR = Path(__file__).resolve().parent
PRESETS = ("imt-bs", "imt-nord-europe")


def preset_path(slug: str) -> Path:
    """The shipped rulebook of the institution `slug`, such as "imt-bs"."""
    if slug not in PRESETS:
        raise KeyError(slug)
    return PRESETS_DIR / f"{slug}.toml"
