"""The form of the pages where a person makes a personal API token (portal and office); the
API takes the same fields (api/tokens.py). Both call people.token_service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from admissions.catalog.models import Institution
from admissions.core.errors import DomainError
from admissions.people import token_service
from admissions.people.models import ApiToken, User


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, to recognise it in the list."),
    )
    scope = forms.ChoiceField(
        label=_("Rights"),
        choices=[
            ("read", _("Read only")),
            ("write", _("Read and write")),
        ],
        initial="read",
        widget=forms.RadioSelect,
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label=_("All my institutions"),
        help_text=_("A token tied to one institution reaches only its files."),
    )
    otp_code = forms.CharField(
        label=_("Code of your authenticator app"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def __init__(
        self,
        *args: Any,
        institutions: QuerySet[Institution] | None = None,
        staff: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if staff and institutions is not None:
            self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]
        else:
            # A candidate's token reaches their own files: no institution, no second factor.
            del self.fields["institution"]
            del self.fields["otp_code"]

    def make(self, user: User) -> tuple[ApiToken, str] | None:
        """The token and its text, made by the service the API calls; None, with the
        refusal added to the form, when it refuses."""
        data = self.cleaned_data
        try:
            return token_service.create_token(
                user,
                name=data["name"],
                can_write=data["scope"] == "write",
                institution=data.get("institution"),
                otp_code=data.get("otp_code", ""),
            )
        except DomainError as error:
            field = "otp_code" if error.code.startswith("second_factor") else None
            if field not in self.fields:
                field = None
            self.add_error(field, str(error.message))
            return None
