"""Webhooks for an institution's administrators: register an endpoint and the events it
wants, read every delivery with the answer it got, try one again, switch an endpoint off.

The signing secret is shown once, on the page that follows the registration. An endpoint
of an institution the reader does not administer does not exist for them (404).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from admissions.catalog.models import Institution, without_rulebooks
from admissions.core.errors import DomainError
from admissions.core.keyset import keyset_page
from admissions.notify import webhooks
from admissions.notify.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from admissions.people.models import User
from admissions.people.permissions import administered_institution_ids, has_platform_role

PAGE_SIZE = 50


class EndpointForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=gettext_lazy("Institution"), queryset=Institution.objects.none()
    )
    url = forms.URLField(label=gettext_lazy("Address"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)

    def __init__(self, institutions: QuerySet[Institution], *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]
        only = list(institutions[:2])
        if len(only) == 1:
            self.fields["institution"].initial = only[0].pk


def _institutions(request: HttpRequest) -> QuerySet[Institution]:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    institutions = Institution.objects.defer(*without_rulebooks("")).order_by("name")
    if not has_platform_role(user):
        institutions = institutions.filter(pk__in=administered_institution_ids(user))
    if not institutions.exists():
        raise Http404
    return institutions


def _endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    institutions = _institutions(request)
    return get_object_or_404(
        WebhookEndpoint.objects.select_related("institution").defer(
            *without_rulebooks("institution")
        ),
        pk=pk,
        institution__in=institutions,
    )


@login_required
@require_http_methods(["GET", "POST"])
def endpoints(request: HttpRequest) -> HttpResponse:
    institutions = _institutions(request)
    form = EndpointForm(institutions, request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = webhooks.register_endpoint(
                institution=form.cleaned_data["institution"],
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                by=request.user,
                description=form.cleaned_data["description"],
            )
        except DomainError as error:
            form.add_error("url", str(error.message))
        else:
            form = EndpointForm(institutions)
    rows = (
        WebhookEndpoint.objects.filter(institution__in=institutions)
        .select_related("institution")
        .defer(*without_rulebooks("institution"))
        .order_by("institution__name", "pk")
    )
    labels = dict(WebhookEvent.choices)
    context = {
        "endpoints": [(row, [labels.get(e, e) for e in row.events]) for row in rows],
        "form": form,
        "created": created,
    }
    return render(
        request,
        "office/webhooks/list.html",
        context,
        status=422 if request.method == "POST" and created is None else 200,
    )


@login_required
def deliveries(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    page = keyset_page(
        WebhookDelivery.objects.filter(endpoint=endpoint),
        field="created_at",
        size=PAGE_SIZE,
        query=request.GET,
    )
    return render(
        request,
        "office/webhooks/deliveries.html",
        {"endpoint": endpoint, "page": page},
    )


@login_required
@require_POST
def retry(request: HttpRequest, pk: int, delivery_id: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id, endpoint=endpoint)
    webhooks.redeliver(delivery)
    messages.success(request, _("The delivery is being tried again."))
    return redirect("office:webhook_deliveries", pk=endpoint.pk)


@login_required
@require_POST
def disable(request: HttpRequest, pk: int) -> HttpResponse:
    webhooks.disable_endpoint(_endpoint(request, pk))
    messages.success(request, _("The endpoint is switched off: nothing more is sent to it."))
    return redirect("office:webhooks")
