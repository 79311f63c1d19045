"""The rulebook keys that say what a candidate provides, who pays and what is still to confirm."""

from __future__ import annotations

import copy
import functools
import tomllib
from collections.abc import Callable
from typing import Any

import pytest

from admissions.rulebooks import preset_path
from admissions.rules.rulebook import RulebookError, validate_rulebook
from admissions.rules.rulebook_checks import values_at

Raw = dict[str, Any]


@functools.cache
def _parsed(slug: str) -> Raw:
    return tomllib.loads(preset_path(slug).read_text(encoding="utf-8"))


def nord() -> Raw:
    return copy.deepcopy(_parsed("imt-nord-europe"))


def bs() -> Raw:
    return copy.deepcopy(_parsed("imt-bs"))


def problems(data: Raw) -> list[str]:
    with pytest.raises(RulebookError) as caught:
        validate_rulebook(data, source="test.toml")
    return caught.value.problems


def _requirement(data: Raw, code: str) -> dict[str, Any]:
    return next(r for r in data["documents"]["requirements"] if r["code"] == code)


CASES: list[tuple[str, Callable[[], Raw], Callable[[Raw], object], str]] = [
    (
        "uploaded piece without formats",
        nord,
        lambda r: _requirement(r, "cv").pop("formats"),
        "documents.requirements[1].formats: missing; a piece sent as a file needs at least one",
    ),
    (
        "uploaded piece without a size limit",
        nord,
        lambda r: _requirement(r, "cv").pop("max_size_mb"),
        "documents.requirements[1].max_size_mb: missing",
    ),
    (
        "typed text asked after admission",
        nord,
        lambda r: _requirement(r, "projet-professionnel").update(due="registration"),
        "documents.requirements[7].due: a typed text is part of the application",
    ),
    (
        "form given twice",
        nord,
        lambda r: _requirement(r, "dossier-candidature").update(form_file="dossier.pdf"),
        "documents.requirements[0]: form_url, form_file: give the form once",
    ),
    (
        "form file that is not a plain PDF name",
        nord,
        lambda r: _requirement(r, "cv").update(form_file="../../etc/passwd"),
        "documents.requirements[1].form_file:",
    ),
    (
        "form address that is not a web address",
        nord,
        lambda r: _requirement(r, "cv").update(form_url="javascript:alert(1)"),
        "documents.requirements[1].form_url:",
    ),
    (
        "declared transfer of a fee paid by card",
        bs,
        lambda r: r["fees"]["application"].update(declared_transfer_days=5),
        "fees.application.declared_transfer_days: only a fee paid by bank_transfer",
    ),
    (
        "declared transfer days out of range",
        nord,
        lambda r: r["fees"]["application"].update(declared_transfer_days=0),
        "fees.application.declared_transfer_days:",
    ),
    (
        "CVEC collected by an unknown body",
        nord,
        lambda r: r["fees"]["cvec"].update(collected_by="caf"),
        "fees.cvec.collected_by:",
    ),
    (
        "funder that is not a text in both languages",
        nord,
        lambda r: r["financing_modes"][2].update(funder="Votre employeur"),
        "financing_modes[2].funder:",
    ),
    (
        "teaching language outside French and English",
        nord,
        lambda r: r["programmes"][0].update(teaching_languages=["de"]),
        "programmes[0].teaching_languages[0]:",
    ),
    (
        "value to confirm that the rulebook does not hold",
        bs,
        lambda r: r["to_confirm"].append({"key": "campaign.opens_onn"}),
        'to_confirm[8].key: "campaign.opens_onn" names no value of this rulebook',
    ),
    (
        "value to confirm past the end of a list",
        bs,
        lambda r: r["to_confirm"].append({"key": "programmes[9].tuition"}),
        'to_confirm[8].key: "programmes[9].tuition" names no value',
    ),
]


@pytest.mark.parametrize(
    ("make", "mutate", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_a_wrong_value_is_refused_with_its_key_path(
    make: Callable[[], Raw], mutate: Callable[[Raw], object], expected: str
) -> None:
    data = make()
    mutate(data)
    found = problems(data)
    assert any(line.startswith(expected) for line in found), found


def test_a_typed_text_needs_no_file_format() -> None:
    data = nord()
    project = _requirement(data, "projet-professionnel")
    assert "formats" not in project
    loaded = validate_rulebook(data)
    typed = next(r for r in loaded.rulebook.documents.requirements if r.typed)
    assert typed.code == "projet-professionnel"


def test_defaults_keep_earlier_rulebooks_valid() -> None:
    data = nord()
    data["documents"]["requirements"] = [
        r
        for r in data["documents"]["requirements"]
        if not r.get("typed") and r["code"] != "attestation-cvec"
    ]
    for requirement in data["documents"]["requirements"]:
        for key in ("optional", "due", "number_label", "form_url"):
            requirement.pop(key, None)
        if requirement.get("condition") == "experience_declared":
            requirement.pop("condition")
    data["fees"]["application"].pop("declared_transfer_days")
    data["fees"]["cvec"].pop("collected_by")
    for mode in data["financing_modes"]:
        mode.pop("funder", None)
        mode.pop("requires_france_travail", None)
    for programme in data["programmes"]:
        programme.pop("teaching_languages")
    data.pop("to_confirm")
    rulebook = validate_rulebook(data).rulebook
    assert rulebook.fees.cvec is not None
    assert rulebook.fees.cvec.collected_by == "school"
    assert rulebook.programmes[0].teaching_languages == ["fr"]
    assert rulebook.fees.application.declared_transfer_days is None
    assert rulebook.to_confirm == []


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("campaign.opens_on", ["2023-10-02"]),
        ("programmes[1].capacity", [25]),
        ("programmes[*].capacity", [30, 25, 28, 24]),
        ("fees.deposit.tracks[0]", ["work_study"]),
        ("programmes[*].tuition.company", ["14500", "13900", "15500", "13500"]),
        ("programmes[4].capacity", None),
        ("programmes.capacity", None),
        ("campaign[0]", None),
        ("programmes[x]", None),
        ("programmes[1", None),
        ("nowhere", None),
    ],
)
def test_key_paths_name_values(path: str, expected: list[object] | None) -> None:
    data = bs()
    found = values_at(data, path)
    if expected is None:
        assert found is None
    else:
        assert [str(v) if hasattr(v, "isoformat") else v for v in found or []] == expected
