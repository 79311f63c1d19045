"""/api/v1/webhooks: an institution administrator's endpoints and their deliveries.

An endpoint outside the institutions the caller administers answers 404. Deliveries are
signed and retried as notify/webhooks.py describes (docs/api.md shows how to check them).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Answer

from admissions.api.auth import caller, token_institution, user_auth
from admissions.api.schemas import ErrorOut, Input
from admissions.catalog.models import Institution, without_rulebooks
from admissions.core.errors import NotAllowed
from admissions.notify import webhooks
from admissions.notify.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from admissions.people.permissions import (
    administered_institution_ids,
    administers,
    has_platform_role,
)

router = Router(tags=["webhooks"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
DELIVERIES_SHOWN = 50


class EndpointIn(Input):
    institution: str = Field(max_length=60, description="slug of the institution")
    url: str = Field(max_length=500)
    events: list[WebhookEvent] = Field(min_length=1)
    description: str = Field(default="", max_length=200)


class EndpointOut(Schema):
    id: int
    institution: str
    url: str
    description: str
    events: list[str]
    active: bool
    created_at: dt.datetime


class NewEndpointOut(EndpointOut):
    secret: str = Field(description="the signing key; keep it on the receiving side")


class DeliveryOut(Schema):
    id: int
    event: str
    event_id: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    response_status: int | None
    response_body: str
    last_error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None
    payload: dict[str, Any]


def endpoint_out(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {
        "id": endpoint.pk,
        "institution": endpoint.institution.slug,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events),
        "active": endpoint.active,
        "created_at": endpoint.created_at,
    }


def delivery_out(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "event": delivery.event,
        "event_id": str(delivery.event_id),
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "response_status": delivery.response_status,
        "response_body": delivery.response_body,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "delivered_at": delivery.delivered_at,
        "payload": delivery.payload,
    }


def _endpoints(request: HttpRequest) -> QuerySet[WebhookEndpoint]:
    user = caller(request)
    endpoints = WebhookEndpoint.objects.select_related("institution").defer(
        *without_rulebooks("institution")
    )
    if not has_platform_role(user):
        endpoints = endpoints.filter(institution_id__in=administered_institution_ids(user))
    bound = token_institution(request)
    if bound is not None:
        endpoints = endpoints.filter(institution_id=bound)
    return endpoints.order_by("pk")


@router.get("", response={200: list[EndpointOut], **ERRORS}, summary="List webhook endpoints")
def list_endpoints(request: HttpRequest) -> list[dict[str, Any]]:
    return [endpoint_out(endpoint) for endpoint in _endpoints(request)]


@router.post("", response={201: NewEndpointOut, **ERRORS}, summary="Register a webhook endpoint")
def register(request: HttpRequest, payload: EndpointIn) -> Answer[dict[str, Any]]:
    user = caller(request)
    institution = get_object_or_404(
        Institution.objects.defer(*without_rulebooks("")), slug=payload.institution
    )
    bound = token_institution(request)
    if (bound is not None and bound != institution.pk) or not administers(user, institution.pk):
        raise NotAllowed(_("Only an administrator of the institution may manage its webhooks."))
    endpoint = webhooks.register_endpoint(
        institution=institution,
        url=payload.url,
        events=[event.value for event in payload.events],
        by=user,
        description=payload.description,
    )
    return Answer(201, {**endpoint_out(endpoint), "secret": endpoint.secret})


@router.delete("/{endpoint_id}", response={200: EndpointOut, **ERRORS}, summary="Disable")
def disable(request: HttpRequest, endpoint_id: int) -> dict[str, Any]:
    endpoint = get_object_or_404(_endpoints(request), pk=endpoint_id)
    return endpoint_out(webhooks.disable_endpoint(endpoint))


@router.get(
    "/{endpoint_id}/deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    summary="The latest deliveries to an endpoint, with the answers received",
)
def deliveries(request: HttpRequest, endpoint_id: int) -> list[dict[str, Any]]:
    endpoint = get_object_or_404(_endpoints(request), pk=endpoint_id)
    rows = endpoint.deliveries.order_by("-created_at", "-pk")[:DELIVERIES_SHOWN]
    return [delivery_out(delivery) for delivery in rows]


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/retry",
    response={200: DeliveryOut, **ERRORS},
    summary="Try a delivery again now",
)
def retry(request: HttpRequest, endpoint_id: int, delivery_id: int) -> dict[str, Any]:
    endpoint = get_object_or_404(_endpoints(request), pk=endpoint_id)
    delivery = get_object_or_404(endpoint.deliveries, pk=delivery_id)
    webhooks.redeliver(delivery)
    delivery.refresh_from_db()
    return delivery_out(delivery)
