"""Every answer of the API in the test suite is checked against the OpenAPI document.

`check` is called on each response the Django test client receives (the autouse fixture
in tests/conftest.py): an answer under /api/v1/ must have its status listed for its
operation, and a JSON body must match the schema of that status. An answer to a path no
operation serves (404, 405) must still be the API's error shape.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from openapi_schema_validator import OAS31Validator

PREFIX = "/api/v1/"
SPEC_PATH = "/api/v1/openapi.json"


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    literal_parts: int
    template: str


@cache
def spec() -> dict[str, Any]:
    from admissions.api.router import api

    # Through JSON, as a client reads it: dates and enums as text.
    return json.loads(json.dumps(api.get_openapi_schema(), default=str))


@cache
def routes() -> list[Route]:
    found = []
    for template in spec()["paths"]:
        parts = template.strip("/").split("/")
        regex = "/".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
        found.append(
            Route(
                re.compile(f"/{regex}/?"),
                sum(1 for p in parts if not p.startswith("{")),
                template,
            )
        )
    # The most literal path wins: /staff/files before /staff/{anything}.
    return sorted(found, key=lambda route: -route.literal_parts)


def _schema_of(status: int, operation: dict[str, Any]) -> dict[str, Any] | None:
    answers = operation["responses"]
    answer = answers.get(str(status)) or answers.get("default")
    assert answer is not None, f"status {status} is not in the schema of the operation"
    content = answer.get("content") or {}
    media = content.get("application/json")
    return media.get("schema") if media else None


def _validate(body: Any, schema: dict[str, Any], where: str) -> None:
    document = {**schema, "components": spec().get("components", {})}
    errors = sorted(OAS31Validator(document).iter_errors(body), key=str)
    assert not errors, f"{where}: the answer does not match the schema: {errors[0].message}"


def check(method: str, path: str, response: Any) -> None:
    if not path.startswith(PREFIX) or path == SPEC_PATH or path.startswith(f"{PREFIX}docs"):
        return
    where = f"{method} {path} -> {response.status_code}"
    is_json = response.get("Content-Type", "").startswith("application/json")
    streaming = getattr(response, "streaming", False)
    body = json.loads(response.content) if is_json and not streaming and response.content else None
    route = next((r for r in routes() if r.pattern.fullmatch(path)), None)
    operation = spec()["paths"][route.template].get(method.lower()) if route else None
    if operation is None:
        # Refused before any routing (throttled), or no route: still the API's error shape.
        assert response.status_code in (404, 405, 429, 500), f"{where}: no operation answers this"
        _validate(body, {"$ref": "#/components/schemas/ErrorOut"}, where)
        return
    try:
        schema = _schema_of(response.status_code, operation)
    except AssertionError as error:
        raise AssertionError(f"{where}: {error}") from None
    if response.status_code == 204 or schema is None or streaming or not is_json:
        return
    _validate(body, schema, where)
