"""schemathesis against the API served live: every operation, the coverage, fuzzing and
stateful phases (following the links the schema declares), no server error and no answer
outside the schema; once with a candidate's token, once with a token of a staff member
holding every role of an institution, on the demonstration data. Each run is kept to a
minute or so: it has a time budget."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django.live_server_helper import LiveServer

from admissions.catalog.models import Institution
from admissions.people.models import ApiToken, Role, StaffRole, User
from admissions.people.tokens import new_secret
from tests.factories import eligible_candidate, load_preset
from tests.jury.cleanup import remove_published_decisions

BUDGET_SECONDS = 60
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def run_schemathesis(url: str, token: str, cwd: Path) -> str:
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "run",
            f"{url}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
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
        cwd=cwd,
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
    return report


def token_for(user: User, *, institution: Institution | None = None) -> str:
    text, key_id, digest = new_secret()
    ApiToken.objects.create(
        user=user,
        name="fuzz",
        key_id=key_id,
        digest=digest,
        can_write=True,
        institution=institution,
    )
    return text


# Once, in the SQLite run: the staff's run below takes the production engine, and each run
# of the suite keeps one of the two minutes.
@pytest.mark.one_engine
@pytest.mark.django_db(transaction=True)
def test_schemathesis_as_a_candidate(
    live_server: LiveServer, settings: object, tmp_path: Path
) -> None:
    settings.API_RATE_PER_MINUTE = 0  # type: ignore[attr-defined]
    load_preset("imt-nord-europe")
    load_preset("imt-bs")
    # A candidate with a profile, whose token may write: what an integration of theirs sees.
    run_schemathesis(live_server.url, token_for(eligible_candidate()), tmp_path)


@pytest.fixture
def published_decisions_removed() -> Iterator[None]:
    """The demonstration publishes a jury's decision: irrevocable, even for the cleaning."""
    yield
    remove_published_decisions()


# Once, on the production engine: the suite's time, and the staff's operations meet the
# engine's limits (integer ranges, NUL characters) there first.
@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_schemathesis_as_a_staff_member_of_every_role(
    live_server: LiveServer, settings: object, tmp_path: Path, published_decisions_removed: None
) -> None:
    settings.API_RATE_PER_MINUTE = 0  # type: ignore[attr-defined]
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    institution = Institution.objects.get(slug="imt-nord-europe")
    user = User.objects.create_user(email="integration@imt-nord-europe.example", password=None)
    for role in Role:
        if role != Role.PLATFORM_ADMIN:
            StaffRole.objects.create(user=user, role=role, institution=institution)
    # What an institution's integration sees: the files, the jury, the finance of its school.
    run_schemathesis(live_server.url, token_for(user, institution=institution), tmp_path)
