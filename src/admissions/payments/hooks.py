"""Provider notifications: /hooks/payments/<provider>/, signed, never CSRF-protected.

The provider proves who it is by its signature, which the provider adapter verifies
before anything is read; an unsigned or badly signed request, or a signed one that lacks
what it must say, gets 400 with a JSON error and changes nothing.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from admissions.payments import checkout
from admissions.payments.providers.base import (
    InvalidSignatureError,
    MalformedNotificationError,
    get_provider,
    names,
)

log = logging.getLogger(__name__)
MAX_BYTES = 512 * 1024


@csrf_exempt
@require_POST
def provider_hook(request: HttpRequest, provider: str) -> HttpResponse:
    if provider not in names():
        return HttpResponse(status=404)
    try:
        adapter = get_provider(provider)
    except ImproperlyConfigured:
        log.warning("notification for %s, which is not configured", provider)
        return HttpResponse(status=404)
    payload = request.body
    if len(payload) > MAX_BYTES:
        return HttpResponse(status=413)
    try:
        checkout.handle_webhook(adapter, payload=payload, headers=request.headers)
    except InvalidSignatureError as error:
        log.warning("refused a %s notification: %s", provider, error)
        return _refused("invalid_signature", "The signature does not verify.")
    except MalformedNotificationError as error:
        log.warning("refused a signed %s notification: %s", provider, error)
        return _refused("malformed_notification", f"The notification cannot be read: {error}.")
    return HttpResponse("ok", content_type="text/plain")


def _refused(code: str, message: str) -> JsonResponse:
    # Read by the provider's delivery logs, not by a person of the platform: English.
    return JsonResponse({"code": code, "message": message, "details": None}, status=400)
