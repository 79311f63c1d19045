"""The one place where errors become HTTP answers: `{code, message, details}` every time.

Domain errors carry their own code and status (`admissions.core.errors`); bad input is a 422
whose details name the path of every field in error, with a message in the reader's language
(see `admissions.api.messages`).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from admissions.api.messages import choices_of, validation_message
from admissions.core.errors import DomainError

HTTP_CODES = {
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details}


def field_path(location: list[Any] | tuple[Any, ...]) -> str:
    """ninja's error location ("body", "payload", "diploma", "level") as "diploma.level".

    The first part says where the value came from and the second is the parameter's name,
    which the client never sees, so both are dropped for a body.
    """
    parts = [str(part) for part in location]
    if len(parts) >= 2 and parts[0] == "body":
        parts = parts[2:] or parts[1:]
    elif parts and parts[0] in ("query", "path", "header", "cookie", "form", "file"):
        parts = parts[1:]
    return ".".join(parts)


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for error in errors:
        detail: dict[str, Any] = {
            "field": field_path(error.get("loc", ())),
            "message": validation_message(error),
            "type": error["type"],
        }
        choices = choices_of(error)
        if choices:
            detail["choices"] = choices
        details.append(detail)
    return details


def install(api: NinjaAPI) -> None:
    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(
            request, error_body(exc.code, str(exc.message), exc.details), status=exc.http_status
        )

    def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body(
                "validation_failed",
                _("Some values are missing or wrong."),
                _validation_details(exc.errors),
            ),
            status=422,
        )

    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body("not_found", _("Not found.")), status=404)

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, error_body("not_authenticated", _("Please sign in.")), status=401
        )

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.message
        # ninja's own refusals are in English; the two a client meets most are told here.
        if exc.status_code == 403 and "CSRF" in exc.message:
            code = "csrf_failed"
            message = _("CSRF verification failed. Request aborted.")
        elif exc.status_code == 400 and exc.message.startswith("Cannot parse request body"):
            code = "malformed_body"
            message = _("Enter a valid JSON.")
        return api.create_response(request, error_body(code, message), status=exc.status_code)

    api.add_exception_handler(DomainError, on_domain_error)  # type: ignore[arg-type]
    api.add_exception_handler(ValidationError, on_validation_error)  # type: ignore[arg-type]
    api.add_exception_handler(Http404, on_not_found)  # type: ignore[arg-type]
    api.add_exception_handler(AuthenticationError, on_authentication)  # type: ignore[arg-type]
    api.add_exception_handler(HttpError, on_http_error)  # type: ignore[arg-type]


# What the API's middleware, or Django under it, may answer to any operation, before or
# after the operation itself (api/middleware.py, api/idempotency.py): each listed on every
# operation, so that a client, and the contract tests, know them.
ANY_OPERATION = {
    "400": "The request could not be read (a malformed header or body).",
    "401": (
        "The bearer token is unknown or revoked, or a sign-in is needed (for staff, a sign-in "
        "with their second factor)."
    ),
    "413": "The body is larger than the limit, judged from its declared length.",
    "429": "Too many requests in a minute; retry after the Retry-After header's seconds.",
    "500": "A failure on the server's side.",
    "503": "Document storage does not answer for a moment: nothing was saved; retry after "
    "the Retry-After header's seconds.",
}
ANY_WRITE = {
    "403": "The CSRF check failed, the token may only read, or the role does not allow it.",
    "409": "The first request with this Idempotency-Key is still running.",
    "422": "The Idempotency-Key was used for another request, or the input is wrong.",
}
WRITES = {"post", "put", "patch", "delete"}


def with_common_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with the answers any operation may give, in the error shape."""
    reference = {"$ref": "#/components/schemas/ErrorOut"}
    content = {"application/json": {"schema": reference}}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            answers = operation.setdefault("responses", {})
            listed = dict(ANY_OPERATION)
            if method in WRITES:
                listed.update(ANY_WRITE)
            for status, description in listed.items():
                # ninja keys its answers by number; JSON writes both as text.
                if int(status) not in answers and status not in answers:
                    answers[int(status)] = {"description": description, "content": content}
    return schema


# Operations that make a resource, and those that then read or change it by its key: the
# OpenAPI links a client (and schemathesis's stateful tests) follows.
LINKS: dict[tuple[str, str, str], tuple[str, str, list[tuple[str, str]]]] = {
    ("/api/v1/applications", "post", "201"): (
        "reference",
        "$response.body#/reference",
        [
            ("/api/v1/applications/{reference}", "get"),
            ("/api/v1/applications/{reference}", "patch"),
            ("/api/v1/applications/{reference}/check", "get"),
            ("/api/v1/applications/{reference}/submit", "post"),
            ("/api/v1/applications/{reference}/withdraw", "post"),
            ("/api/v1/applications/{reference}/messages", "get"),
            ("/api/v1/applications/{reference}/payments", "get"),
            ("/api/v1/documents/{reference}", "get"),
        ],
    ),
    ("/api/v1/me/profile/education", "post", "201"): (
        "entry_id",
        "$response.body#/id",
        [
            ("/api/v1/me/profile/education/{entry_id}", "get"),
            ("/api/v1/me/profile/education/{entry_id}", "put"),
            ("/api/v1/me/profile/education/{entry_id}", "delete"),
        ],
    ),
    ("/api/v1/me/profile/work", "post", "201"): (
        "period_id",
        "$response.body#/id",
        [
            ("/api/v1/me/profile/work/{period_id}", "get"),
            ("/api/v1/me/profile/work/{period_id}", "put"),
            ("/api/v1/me/profile/work/{period_id}", "delete"),
        ],
    ),
    ("/api/v1/me/tokens", "post", "201"): (
        "token_id",
        "$response.body#/id",
        [("/api/v1/me/tokens/{token_id}", "delete")],
    ),
    ("/api/v1/webhooks", "post", "201"): (
        "endpoint_id",
        "$response.body#/id",
        [
            ("/api/v1/webhooks/{endpoint_id}/deliveries", "get"),
            ("/api/v1/webhooks/{endpoint_id}", "delete"),
        ],
    ),
}


def with_links(schema: dict[str, Any]) -> dict[str, Any]:
    paths = schema.get("paths", {})
    for (path, method, status), (parameter, value, targets) in LINKS.items():
        answers = paths.get(path, {}).get(method, {}).get("responses", {})
        answer = answers.get(int(status), answers.get(status))
        if answer is None:
            continue
        links = answer.setdefault("links", {})
        for target_path, target_method in targets:
            target = paths.get(target_path, {}).get(target_method)
            if target is None or "operationId" not in target:
                continue
            links[target["operationId"]] = {
                "operationId": target["operationId"],
                "parameters": {parameter: value},
            }
    return schema
