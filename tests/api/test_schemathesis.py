"""schemathesis against the API served live: every operation, the coverage, fuzzing and
stateful phases (following the links the schema declares), no server error and no answer
outside the schema. Kept to a couple of minutes: the run has a time budget."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_django.live_server_helper import LiveServer

from admissions.people.models import ApiToken
from admissions.people.tokens import new_secret
from tests.factories import eligible_candidate, load_preset

BUDGET_SECONDS = 60
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    live_server: LiveServer, settings: object, tmp_path: Path
) -> None:
    settings.API_RATE_PER_MINUTE = 0  # type: ignore[attr-defined]
    load_preset("imt-nord-europe")
    load_preset("imt-bs")
    # A candidate with a profile, whose token may write: what an integration of theirs sees.
    candidate = eligible_candidate()
    text, key_id, digest = new_secret()
    ApiToken.objects.create(
        user=candidate, name="fuzz", key_id=key_id, digest=digest, can_write=True
    )
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{live_server.url}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {text}",
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,"
            "response_schema_conformance",
            "--phases",
            "coverage,fuzzing,stateful",
            "--max-examples",
            "5",
            "--max-time",
            str(BUDGET_SECONDS),
            # One worker: hypothesis describes its filters by parsing their source, and
            # Python 3.11's parser is not safe from two threads at once ("AST constructor
            # recursion depth mismatch").
            "--workers",
            "1",
            "--seed",
            "20260101",
            "--generation-database",
            "none",
            "--no-color",
            "--request-timeout",
            "30",
        ],
        capture_output=True,
        text=True,
        timeout=BUDGET_SECONDS * 4,
        cwd=tmp_path,
        env={**os.environ, "SCHEMATHESIS_HOOKS": ""},
        check=False,
    )
    report = run.stdout[-20000:] + run.stderr[-5000:]
    assert run.returncode == 0, report
    # Every operation was tested, in each phase.
    counted = re.search(r"(\d+) selected / (\d+) total", report)
    assert counted is not None, report
    assert counted.group(1) == counted.group(2)
    for phase in ("Coverage", "Fuzzing", "Stateful"):
        assert f"✅  {phase}" in report, report
