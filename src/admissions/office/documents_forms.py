"""Staff forms on documents: a rejection with its reason, a new file opened from a ZIP."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it rejected?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The candidate reads this to send a new file."),
    )


class AskForm(forms.Form):
    """An officer asks the candidate for a piece the file has no copy of."""

    requirement = forms.ChoiceField(label=_("Document"))
    reason = forms.CharField(
        label=_("Why is it asked for?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The candidate reads this on the status page of the file."),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement"].choices = choices  # type: ignore[attr-defined]


class NewFileForm(forms.Form):
    """Staff open a file for a candidate from a ZIP; the choices come from the open campaigns."""

    offer = forms.ChoiceField(label=_("Campaign and programme"))
    track = forms.ChoiceField(label=_("Track"))
    financing_mode = forms.ChoiceField(label=_("Financing mode"))
    email = forms.EmailField(
        label=_("Candidate's email address"),
        help_text=_("An account is created if none uses this address."),
    )
    given_names = forms.CharField(label=_("Given names"), max_length=150)
    family_name = forms.CharField(label=_("Family name"), max_length=150)
    language = forms.ChoiceField(
        label=_("Language of the candidate's email"),
        choices=[("fr", "Français"), ("en", "English")],
        help_text=_("For a new account; an existing one keeps its language."),
    )
    archive = forms.FileField(
        label=_("ZIP archive"),
        help_text=_("Files named after the documents they hold: see the naming convention."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )

    def __init__(
        self,
        *args: Any,
        offers: list[tuple[str, str]],
        tracks: list[tuple[str, str]],
        financing_modes: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["offer"].choices = offers  # type: ignore[attr-defined]
        self.fields["track"].choices = tracks  # type: ignore[attr-defined]
        self.fields["financing_mode"].choices = financing_modes  # type: ignore[attr-defined]
