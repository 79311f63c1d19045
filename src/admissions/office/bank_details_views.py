"""An institution's bank account, and its changes, for its administrators.

Every administrator of the institution reads the account and the record of its changes; only
one who was also granted the right (`BankDetailsPermission`) changes it, with a second factor
given at that moment. An institution the reader does not administer does not exist (404).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from admissions.catalog.models import Institution, without_rulebooks
from admissions.core.errors import DomainError, ValidationFailed
from admissions.people.bank_rights import BankDetailsChange
from admissions.people.models import User
from admissions.people.permissions import (
    administered_institution_ids,
    administers,
    has_platform_role,
)
from admissions.people.second_factor import confirm_fresh
from admissions.workflow import bank_details as service

HISTORY = 50


class BankDetailsForm(forms.Form):
    holder = forms.CharField(label=gettext_lazy("Account holder"), max_length=200)
    holder_address = forms.CharField(
        label=gettext_lazy("Holder's address"), max_length=300, required=False
    )
    iban = forms.CharField(label=gettext_lazy("IBAN"), max_length=50)
    bic = forms.CharField(label=gettext_lazy("BIC"), max_length=20)
    bank_name = forms.CharField(label=gettext_lazy("Bank"), max_length=200, required=False)
    bank_address = forms.CharField(
        label=gettext_lazy("Bank's address"), max_length=300, required=False
    )
    phone = forms.CharField(label=gettext_lazy("Bank's phone"), max_length=40, required=False)
    otp_code = forms.CharField(
        label=gettext_lazy("Code of your authenticator app"),
        max_length=12,
        required=False,
        help_text=gettext_lazy(
            "Or confirm with your security key first, with the link above the form."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def _institution(user: User, slug: str) -> Institution:
    institution = Institution.objects.filter(slug=slug).first()
    if institution is None or not administers(user, institution.pk):
        raise Http404
    return institution


@login_required
@require_GET
def institutions(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    found = Institution.objects.defer(*without_rulebooks("")).order_by("name")
    if not has_platform_role(user):
        found = found.filter(pk__in=administered_institution_ids(user))
    listed = list(found)
    if not listed:
        raise Http404
    if len(listed) == 1:
        return redirect("office:bank_details", slug=listed[0].slug)
    return render(request, "office/bank_details_index.html", {"institutions": listed})


def _initial(institution: Institution) -> dict[str, str]:
    account = service.current_account(institution)
    if account is None:
        return {}
    return {key: str(getattr(account, key)) for key in service.FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def bank_details(request: HttpRequest, slug: str) -> HttpResponse:
    user = _user(request)
    institution = _institution(user, slug)
    allowed = service.may_change(user, institution.pk)
    form = BankDetailsForm(request.POST or None, initial=_initial(institution))
    status = 200
    if request.method == "POST":
        if not allowed:
            messages.error(request, _("You may not change this institution's bank details."))
            status = 403
        elif form.is_valid():
            values = {key: form.cleaned_data[key] for key in service.FIELDS}
            try:
                service.checked_account(values)
                confirmed = confirm_fresh(request, user, form.cleaned_data["otp_code"])
                service.change_bank_details(
                    institution, by=user, values=values, confirmed_by=confirmed
                )
            except ValidationFailed as refused:
                details = refused.details if isinstance(refused.details, dict) else {}
                fields = details.get("fields", {})
                for name, message in fields.items():
                    if name in form.fields:
                        form.add_error(name, message)
                if not fields:
                    form.add_error(None, refused.message)
                status = 422
            except DomainError as refused:
                form.add_error("otp_code", refused.message)
                status = 403 if refused.http_status == 403 else 422
            else:
                messages.success(request, _("The bank details were changed."))
                return redirect("office:bank_details", slug=institution.slug)
        else:
            status = 422
    account = service.current_account(institution)
    history = list(
        BankDetailsChange.objects.filter(institution=institution)
        .select_related("by", "by__profile")
        .order_by("-at", "-id")[:HISTORY]
    )
    reauthenticate = (
        f"{reverse('mfa_reauthenticate')}?next="
        f"{reverse('office:bank_details', args=[institution.slug])}"
    )
    context = {
        "institution": institution,
        "account": account,
        "iban_masked": service.mask_iban(account.iban) if account else "",
        "form": form,
        "allowed": allowed,
        "history": history,
        "reauthenticate": reauthenticate,
    }
    return render(request, "office/bank_details.html", context, status=status)
