"""Idempotency-Key on the API's writes.

A client that sends a write again (its connection broke before the answer came) sends the
same `Idempotency-Key`: the same key with the same method, path (with its query) and body
answers what the first request answered, without running it again; the same key with
another request is refused (422 `idempotency_key_reused`), and while the first is still
running a second one waits for nothing and is told so (409 `idempotency_in_progress`). Keys
belong to a user and are forgotten after `API_IDEMPOTENCY_HOURS`. A server error is not
kept: it may be retried. A first request that never answered (its process was killed) left
its key "running": after `API_IDEMPOTENCY_ABANDONED_SECONDS` a retry takes the key over and
runs, once. The killed request's write was rolled back with its process; should the process
have died between the write's commit and keeping the answer, the write runs a second time,
and the services' own guards (a file already submitted, a place already confirmed, a payment
id already recorded) make that change nothing, or enter the same decision again.

Uploads (multipart) are outside this: their body is judged by their operation before it is
read, and a retried upload only adds a version the candidate can see.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.api.errors import error_body
from admissions.api.models import IdempotentAnswer

# The Idempotency-Key header as Django keeps it: `request.headers` would copy them all first.
META_KEY = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY = 255
NOT_KEPT = frozenset({401, 403, 429})


def _json(status: int, code: str, message: str) -> HttpResponse:
    return JsonResponse(error_body(code, message), status=status)


def _lifetime() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "API_IDEMPOTENCY_HOURS", 24)))


def fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def _replay(kept: IdempotentAnswer) -> HttpResponse:
    response = HttpResponse(
        bytes(kept.body), status=kept.status or 200, content_type=kept.content_type or None
    )
    response["Idempotent-Replayed"] = "true"
    return response


def _abandoned_after() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "API_IDEMPOTENCY_ABANDONED_SECONDS", 300)))


def _taken_over(earlier: IdempotentAnswer, now: dt.datetime) -> bool:
    """Take over a key whose first request has run too long to be alive; one retry wins."""
    if earlier.created_at > now - _abandoned_after():
        return False
    taken = IdempotentAnswer.objects.filter(
        pk=earlier.pk, status__isnull=True, created_at=earlier.created_at
    ).update(created_at=now)
    earlier.created_at = now
    return taken == 1


def handle(request: HttpRequest, run: Callable[[HttpRequest], HttpResponse]) -> HttpResponse:
    """Run the write `request` once for its key; `run` is the rest of the request's way."""
    key = request.META.get(META_KEY, "").strip()
    user = getattr(request, "user", None)
    if not key or user is None or not user.is_authenticated:
        return run(request)
    if len(key) > MAX_KEY:
        return _json(
            422, "idempotency_key_invalid", _("The Idempotency-Key is longer than 255 characters.")
        )
    now = timezone.now()
    print_ = fingerprint(request)
    # Each user's expired keys go as they write: no job has to sweep them.
    IdempotentAnswer.objects.filter(user=user, created_at__lt=now - _lifetime()).delete()
    try:
        with transaction.atomic():
            kept = IdempotentAnswer.objects.create(
                user=user, key=key, fingerprint=print_, created_at=now
            )
    except IntegrityError:
        earlier = IdempotentAnswer.objects.filter(user=user, key=key).first()
        if earlier is None:  # expired and removed in between: run it as a first request
            return run(request)
        if earlier.fingerprint != print_:
            return _json(
                422,
                "idempotency_key_reused",
                _("This Idempotency-Key was used for another request: use a new key."),
            )
        if earlier.status is None and not _taken_over(earlier, now):
            return _json(
                409,
                "idempotency_in_progress",
                _("The first request with this Idempotency-Key is still running."),
            )
        if earlier.status is not None:
            return _replay(earlier)
        kept = earlier
    try:
        response = run(request)
    except BaseException:
        kept.delete()
        raise
    # A refusal of the caller (signed out, forbidden, throttled) did not run the write.
    if response.status_code in NOT_KEPT or response.status_code >= 500 or response.streaming:
        kept.delete()
        return response
    kept.status = response.status_code
    kept.content_type = response.get("Content-Type", "")
    kept.body = response.content
    kept.save(update_fields=["status", "content_type", "body"])
    return response
