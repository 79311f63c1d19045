"""A name of the API reversed in its own area gives the address Django's reverse() gives."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import URLPattern, reverse
from django.urls.converters import IntConverter, UUIDConverter

from admissions.api.router import AREAS, api, reverse_in_area
from tests.test_settings import SOURCE_DIR

# reverse("api:..."), reverse_lazy("api:...") or {% url "api:..." %}, either quote.
DJANGO_REVERSE = re.compile(r"""(?:reverse(?:_lazy)?\(|\{%\s*url\s+)["']api:[\w-]+""")
SAMPLE = uuid.UUID("6f1c0c4e-8d7a-4a43-9b55-2f6a1d0e7c11")


def sample(converter: object) -> object:
    if isinstance(converter, IntConverter):
        return 7
    if isinstance(converter, UUIDConverter):
        return SAMPLE
    return "ms-finance"


def named_patterns(index: int) -> list[URLPattern]:
    return [
        pattern
        for bound in api.area(index)
        for pattern in bound.urls_paths(bound.prefix)
        if isinstance(pattern, URLPattern) and pattern.name
    ]


@pytest.mark.parametrize(("index", "area"), [(i, name) for i, (_, name) in enumerate(AREAS)])
def test_every_name_of_an_area_reverses_as_django_reverses_it(index: int, area: str) -> None:
    patterns = named_patterns(index)
    assert patterns
    for pattern in patterns:
        args = [sample(converter) for converter in pattern.pattern.converters.values()]
        expected = reverse(f"api:{pattern.name}", args=args)
        assert reverse_in_area(area, pattern.name, args) == expected
        assert expected.startswith("/api/v1/")


def test_a_router_that_is_no_area_is_refused() -> None:
    with pytest.raises(ValueError, match="no area"):
        reverse_in_area("admissions.api.staff_queue.router", "staff_files")


def test_no_page_or_answer_reverses_an_api_name_through_django() -> None:
    """Django's reverse() of an "api:" name loads every area of the API in the worker that
    makes the link: the project's own links into the API go through `reverse_in_area`."""
    found = [
        f"{path.relative_to(SOURCE_DIR)}: {match.group(0)}"
        for path in sorted((SOURCE_DIR / "admissions").rglob("*"))
        if path.suffix in (".py", ".html", ".txt")
        for match in DJANGO_REVERSE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
