"""The refusals of the document services, each with a stable code for pages and the API."""

from __future__ import annotations

from admissions.core.errors import DomainError, NotAllowed, ValidationFailed


class UnknownRequirementError(DomainError):
    code = "unknown_requirement"
    http_status = 404


class DocumentLockedError(DomainError):
    """The file's status no longer lets this person change this document."""

    code = "document_locked"
    http_status = 409


class NotYourDocumentError(NotAllowed):
    code = "not_your_document"


class InvalidDocumentInputError(ValidationFailed):
    """A value sent with the file is missing or wrong (validity date, translation...)."""

    code = "invalid_document_input"
