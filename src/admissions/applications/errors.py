"""The refusals of the application services, each with a stable code for pages and the API."""

from __future__ import annotations

from admissions.core.errors import DomainError, NotAllowed, ValidationFailed


class CampaignClosedError(DomainError):
    code = "campaign_closed"
    http_status = 409


class DuplicateApplicationError(DomainError):
    code = "duplicate_application"
    http_status = 409


class InvalidChoiceError(ValidationFailed):
    """A programme, track or financing mode that the campaign does not offer."""

    code = "invalid_choice"


class ApplicationLockedError(DomainError):
    code = "application_locked"
    http_status = 409


class DeadlinePassedError(DomainError):
    code = "deadline_passed"
    http_status = 409


class NotReadyError(DomainError):
    """The pre-submission check found problems; `details` lists them."""

    code = "not_ready"
    http_status = 409


class NotYourApplicationError(NotAllowed):
    code = "not_your_application"
