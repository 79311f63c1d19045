"""The refusals of the payment services, each with a stable code for pages and the API."""

from __future__ import annotations

from admissions.core.errors import DomainError, ValidationFailed


class LedgerError(DomainError):
    """A ledger move that would break a money invariant (refund above what was paid...)."""

    code = "ledger_refused"
    http_status = 409


class RefundNotAllowedError(DomainError):
    """The rulebook does not allow this refund; `details` names the rule when there is one."""

    code = "refund_not_allowed"
    http_status = 409


class IllegalMoveError(DomainError):
    code = "illegal_move"
    http_status = 409


class InvalidBankDetails(ValidationFailed):
    code = "invalid_bank_details"


class StatementRefused(ValidationFailed):
    """A file that is not a camt.053 statement we can read."""

    code = "statement_refused"


class ProviderError(DomainError):
    """The card provider could not be reached or refused the request."""

    code = "provider_error"
    http_status = 502


class NothingToPayError(DomainError):
    code = "nothing_to_pay"
    http_status = 409
