"""`load_rulebook FILE [FILE...]`: what it prints and how it exits."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from admissions.catalog.models import Institution, Programme
from admissions.rulebooks import preset_path

pytestmark = pytest.mark.django_db
BS = str(preset_path("imt-bs"))
NORD = str(preset_path("imt-nord-europe"))


def run(*files: str, verbosity: int = 1) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("load_rulebook", *files, stdout=out, stderr=err, verbosity=verbosity)
    return out.getvalue(), err.getvalue()


def broken_copy(tmp_path: Path) -> Path:
    text = Path(NORD).read_text(encoding="utf-8")
    path = tmp_path / "broken.toml"
    path.write_text(
        text.replace('company = "12500"', 'company = "abc"').replace(
            'site = "lille"', 'site = "lile"'
        ),
        encoding="utf-8",
    )
    return path


def test_prints_what_it_created_then_that_nothing_changed() -> None:
    out, err = run(BS, NORD)
    assert err == ""
    assert f"{NORD}: institution imt-nord-europe, campaign 2024-2025" in out
    assert "  created     institution imt-bs\n" in out
    assert "  created     programme ms-cybersecurite\n" in out
    assert "  created     jury session jury-2024-03\n" in out
    assert "  7 created, 0 updated, 0 unchanged, 0 deactivated, 0 warnings\n" in out
    assert "  12 created, 0 updated, 0 unchanged, 0 deactivated, 7 warnings\n" in out
    assert (
        "  warning: campaign.closes_on: the source documents also state 2024-06-06 for this "
        "deadline; 2024-06-07 is the one applied\n"
    ) in out

    out, _ = run(BS, NORD)
    assert "created" not in out.replace("0 created", "")
    assert "  unchanged   programme ms-cybersecurite\n" in out
    assert "  0 created, 0 updated, 12 unchanged, 0 deactivated, 7 warnings\n" in out


def test_quiet_run_prints_only_the_summary_and_warnings() -> None:
    out, _ = run(NORD, verbosity=0)
    assert "created     " not in out
    assert "warning: fees.cvec.reference_year" in out
    assert out.strip().endswith("12 created, 0 updated, 0 unchanged, 0 deactivated, 7 warnings")


def test_a_broken_file_loads_nothing_and_fails(tmp_path: Path) -> None:
    run(BS)
    before = Institution.objects.get().rulebook_digest
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load_rulebook", NORD, str(broken_copy(tmp_path)), BS, stderr=err)
    assert caught.value.returncode == 1
    assert str(caught.value) == "1 of 3 rulebook file(s) refused; nothing was loaded."
    assert "broken.toml: the rulebook is refused:\n" in err.getvalue()
    assert '  - fees.tuition.company: expected an amount in EUR, got "abc"\n' in err.getvalue()
    assert '  - programmes[0].site: unknown site "lile"' in err.getvalue()
    # The valid file given before the broken one was not loaded either.
    assert list(Institution.objects.values_list("slug", flat=True)) == ["imt-bs"]
    assert Institution.objects.get().rulebook_digest == before
    assert not Programme.objects.filter(institution__slug="imt-nord-europe").exists()


def test_exit_status_of_the_real_command(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ADMISSIONS_VAR_DIR": str(tmp_path),
        "ADMISSIONS_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "admissions.settings",
    }
    command = [sys.executable, "-m", "admissions.manage", "load_rulebook"]
    broken = subprocess.run(
        [*command, str(broken_copy(tmp_path))],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert broken.returncode == 1
    assert '  - fees.tuition.company: expected an amount in EUR, got "abc"' in broken.stderr
    assert "CommandError: 1 of 1 rulebook file(s) refused; nothing was loaded." in broken.stderr
    assert broken.stdout == ""


def test_an_unreadable_file_fails(tmp_path: Path) -> None:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("load_rulebook", str(tmp_path / "missing.toml"), stderr=err)
    assert f"{tmp_path / 'missing.toml'}: the rulebook is refused:\n" in err.getvalue()
    assert "  - cannot be read: No such file or directory" in err.getvalue()
