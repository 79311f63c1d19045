"""A statement compiled once answers each call with that call's values."""

from __future__ import annotations

import pytest

from admissions.catalog.models import Institution
from admissions.core.compiled import CompiledQuery
from tests.factories import load_preset

pytestmark = pytest.mark.django_db


def test_each_call_reads_with_its_own_values() -> None:
    load_preset("imt-nord-europe")
    load_preset("imt-bs")
    by_slug = CompiledQuery(
        lambda slug: Institution.objects.filter(slug=slug).values_list("pk", "slug"), "\x00slug"
    )
    rows = {slug: by_slug.rows(slug) for slug in ("imt-bs", "imt-nord-europe", "nowhere")}
    assert rows["imt-bs"] == [(Institution.objects.get(slug="imt-bs").pk, "imt-bs")]
    assert rows["imt-nord-europe"][0][1] == "imt-nord-europe"
    assert rows["nowhere"] == []


def test_a_marker_the_statement_does_not_hold_is_refused() -> None:
    lost = CompiledQuery(lambda slug: Institution.objects.filter(slug="fixed"), "\x00slug")
    with pytest.raises(RuntimeError, match="lost its parameter"):
        lost.rows("imt-bs")
