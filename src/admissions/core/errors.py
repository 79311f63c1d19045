"""Typed domain errors with stable codes, mapped to HTTP answers in one place (api/)."""

from __future__ import annotations


class DomainError(Exception):
    code = "domain_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, details: object = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class IllegalTransition(DomainError):  # noqa: N818 - a name callers already use
    code = "illegal_transition"
    http_status = 409


class NotAllowed(DomainError):  # noqa: N818 - a name callers already use
    code = "not_allowed"
    http_status = 403


class ValidationFailed(DomainError):  # noqa: N818 - a name callers already use
    code = "validation_failed"
    http_status = 422
