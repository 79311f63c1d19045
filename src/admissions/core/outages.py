"""A service the platform leans on is down for a moment: object storage, so far.

Document storage on S3 that does not answer (connection refused or timed out, a 5xx or
"slow down") must not show a server error: the person is told, in their language, to try
again in a moment (503 with Retry-After); nothing they saved before is touched, and the
request's own transaction was rolled back with the error.
"""

from __future__ import annotations

import sys

RETRY_AFTER_SECONDS = 30
# botocore's errors of a connection that did not work out, by name: botocore is imported
# only where object storage is used, never at start-up.
_CONNECTION_ERRORS = (
    "EndpointConnectionError",
    "ConnectTimeoutError",
    "ReadTimeoutError",
    "ConnectionClosedError",
)


def is_storage_outage(error: BaseException) -> bool:
    """Whether `error` says object storage is unreachable or overloaded, not that we erred."""
    exceptions = sys.modules.get("botocore.exceptions")
    if exceptions is None:  # object storage never used by this process
        return False
    if isinstance(error, tuple(getattr(exceptions, name) for name in _CONNECTION_ERRORS)):
        return True
    if isinstance(error, exceptions.ClientError):
        metadata = error.response.get("ResponseMetadata", {})
        code = str(error.response.get("Error", {}).get("Code", ""))
        return int(metadata.get("HTTPStatusCode") or 0) >= 500 or code in ("SlowDown", "503")
    return False
