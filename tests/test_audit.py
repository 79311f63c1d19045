"""`make audit`: the runtime dependencies checked against PyPI's vulnerability data.

The target runs pip-audit with PyPI's per-release JSON API, which lists the advisories of
each release (`https://pypi.org/pypi/<name>/<version>/json`, "vulnerabilities"). Where
that API does not answer (a network that only lets package downloads through), the test
that needs it is skipped and says why; the target itself still runs in `make test`.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
# A release with published advisories (SQL injection, directory traversal, and more), fixed
# in later 3.2 releases: any vulnerability database lists it.
VULNERABLE = "django==3.2"
PER_RELEASE_API = "https://pypi.org/pypi/django/3.2/json"


def _make(*arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("MAKE")}
    return subprocess.run(
        ["make", "--no-print-directory", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )


def _vulnerability_data_reachable() -> str:
    """Why PyPI's per-release data cannot be read from here, or "" when it can."""
    try:
        response = requests.get(PER_RELEASE_API, timeout=15)
    except requests.RequestException as error:
        return f"{PER_RELEASE_API} is unreachable: {error.__class__.__name__}"
    if response.status_code != 200:
        return f"{PER_RELEASE_API} answers HTTP {response.status_code}"
    if "vulnerabilities" not in response.json():
        return f"{PER_RELEASE_API} holds no vulnerability data"
    return ""


def test_make_test_audits_the_runtime_lock() -> None:
    plan = re.sub(r"\\\n\s*", " ", _make("-n", "test").stdout)
    audit = [line for line in plan.splitlines() if "pip-audit" in line]
    assert audit, "make test does not run pip-audit"
    assert "requirements/main.txt" in audit[0]
    assert plan.index("pip-audit") < plan.index("pytest")


def test_a_known_vulnerable_release_fails_the_audit(tmp_path: Path) -> None:
    unreachable = _vulnerability_data_reachable()
    if unreachable:
        pytest.skip(f"PyPI's vulnerability data cannot be read here: {unreachable}")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"{VULNERABLE}\n", encoding="utf-8")

    audit = _make("audit", f"AUDIT_REQUIREMENTS={requirements}")

    assert audit.returncode != 0, audit.stdout + audit.stderr
    assert re.search(r"^django\s+3\.2\s+(PYSEC|GHSA|CVE)-", audit.stdout, re.MULTILINE), (
        audit.stdout
    )


def test_a_release_without_advisories_passes_the_audit(tmp_path: Path) -> None:
    unreachable = _vulnerability_data_reachable()
    if unreachable:
        pytest.skip(f"PyPI's vulnerability data cannot be read here: {unreachable}")
    requirements = tmp_path / "requirements.txt"
    # A small pure-Python package with no advisory on record.
    requirements.write_text("tomli-w==1.2.0\n", encoding="utf-8")

    audit = _make("audit", f"AUDIT_REQUIREMENTS={requirements}")

    assert audit.returncode == 0, audit.stdout + audit.stderr
    assert "No known vulnerabilities found" in audit.stdout + audit.stderr
