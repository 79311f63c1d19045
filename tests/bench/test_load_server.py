"""The bench's servers run the project's compiled bytecode, as production installs it, at the
level the server runs (PYTHONOPTIMIZE=2) and at the other processes' level."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import load_server  # noqa: E402


def test_a_server_runs_the_projects_sources_compiled() -> None:
    sources = [
        ROOT / "src" / "admissions" / "wsgi.py",
        ROOT / "src" / "admissions" / "portal" / "views.py",
    ]
    compiled = [
        Path(importlib.util.cache_from_source(str(source), optimization=level))
        for source in sources
        for level in ("", load_server.SERVER_OPTIMIZE)
    ]
    for path in compiled:
        path.unlink(missing_ok=True)
    load_server.compiled_sources(Path(sys.executable))
    for path in compiled:
        source = Path(importlib.util.source_from_cache(str(path)))
        assert path.exists(), path.name
        assert path.stat().st_mtime >= source.stat().st_mtime
