"""Values the school must still confirm: shown to every staff member of the institution as
"to be confirmed by the school", confirmed by an institution administrator (a recorded action).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from admissions.catalog.confirmations import ValueToConfirm, confirm_value, values_to_confirm
from admissions.catalog.models import Campaign
from admissions.people.models import User
from admissions.people.permissions import is_staff_member
from admissions.workflow.confirmations import can_confirm, staff_campaigns


@dataclass(frozen=True)
class CampaignValues:
    campaign: Campaign
    values: list[ValueToConfirm]
    can_confirm: bool

    @property
    def pending(self) -> int:
        return sum(1 for value in self.values if value.confirmed is None)


def campaign_values(user: User) -> list[CampaignValues]:
    return [
        CampaignValues(
            campaign=campaign,
            values=values_to_confirm(campaign),
            can_confirm=can_confirm(user, campaign),
        )
        for campaign in staff_campaigns(user)
        if campaign.rules.to_confirm
    ]


def shown(value: object) -> str:
    """A value of the rulebook as staff read it: the text itself, else compact JSON."""
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not is_staff_member(user):
        raise Http404
    return user


@login_required
def values_page(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    groups = campaign_values(user)
    return render(
        request,
        "office/to_confirm.html",
        {
            "groups": [
                (group, [(value, shown(value.value)) for value in group.values]) for group in groups
            ]
        },
    )


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    user = _staff(request)
    campaign = get_object_or_404(staff_campaigns(user), pk=pk)
    if not can_confirm(user, campaign):
        raise PermissionDenied
    key = request.POST.get("key", "")
    if key not in {item.key for item in campaign.rules.to_confirm}:
        raise Http404
    confirm_value(campaign, key, by=user)
    messages.success(request, _("The value is recorded as confirmed by the school."))
    return redirect("office:to_confirm")
