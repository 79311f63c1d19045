"""The candidate's answer to the offer of a place."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you decline? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that a declined place is given to another candidate."),
        required=True,
        error_messages={"required": _("Tick the box to confirm that you decline the place.")},
    )
