"""The OpenAPI document lists the application and eligibility endpoints with their schemas."""

from __future__ import annotations

import json

from django.test import Client


def test_openapi_lists_the_endpoints(client: Client, db: None) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    paths = spec["paths"]
    expected = {
        "/api/v1/eligibility/check": {"post"},
        "/api/v1/applications": {"get", "post"},
        "/api/v1/applications/{reference}": {"get", "patch"},
        "/api/v1/applications/{reference}/check": {"get"},
        "/api/v1/applications/{reference}/submit": {"post"},
        "/api/v1/applications/{reference}/withdraw": {"post"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    schemas = spec["components"]["schemas"]
    assert {"EligibilityCheckIn", "EligibilityCheckOut", "ApplicationOut", "ErrorOut"} <= set(
        schemas
    )
    check = paths["/api/v1/eligibility/check"]["post"]
    assert "422" in check["responses"]
    assert "security" not in check or check["security"] in ([], [{}])
    submit = paths["/api/v1/applications/{reference}/submit"]["post"]
    assert {"200", "404", "409"} <= set(submit["responses"])
    assert submit["security"]


def test_no_two_schemas_share_a_name() -> None:
    """ninja names a component after its class: two classes of one name would make one of
    the operations document the other's shape."""
    import ast
    from collections import Counter
    from pathlib import Path

    import admissions.api

    folder = Path(admissions.api.__file__).parent
    names = Counter(
        node.name
        for path in folder.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    )
    assert [name for name, count in names.items() if count > 1] == []


def test_the_document_has_no_key_twice(client: Client, db: None) -> None:
    """An answer listed twice (as 400 and "400") makes Swagger UI refuse the document."""

    def no_twice(pairs: list[tuple[str, object]]) -> dict[str, object]:
        keys = [key for key, _value in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_twice)
