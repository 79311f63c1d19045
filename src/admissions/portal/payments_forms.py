"""Forms of the candidates' payment pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from admissions.catalog.models import Programme
from admissions.rules.schema import Rulebook
from admissions.rules.vocabulary import Track

TRACK_LABELS = {
    Track.FULL_TIME: _("Full time with an internship"),
    Track.WORK_STUDY: _("Work-study (alternance)"),
}


class ProgrammeChoiceField(forms.ModelChoiceField[Programme]):
    def label_from_instance(self, obj: Programme) -> str:
        return f"{obj.institution.short_name} — {obj.name}"


class ProgrammeForm(forms.Form):
    programme = ProgrammeChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        empty_label=_("Choose a programme"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Programme.objects.filter(is_active=True).select_related("institution")


class SimulatorForm(ProgrammeForm):
    financing_mode = forms.ChoiceField(label=_("Financing"))
    track = forms.ChoiceField(label=_("Track"))

    def __init__(self, *args: Any, rules: Rulebook, programme_slug: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = get_language() or "fr"
        offered = rules.programme(programme_slug)
        self.fields["track"].choices = [  # type: ignore[attr-defined]
            (track.value, TRACK_LABELS[track]) for track in offered.tracks
        ]
        self.fields["financing_mode"].choices = [  # type: ignore[attr-defined]
            (mode.code, mode.label.get(language)) for mode in rules.financing_modes
        ]


class MandateForm(forms.Form):
    holder = forms.CharField(label=_("Account holder"), max_length=70)
    iban = forms.CharField(
        label=_("IBAN"), max_length=42, help_text=_("Spaces are allowed: FR76 3000 …")
    )
    bic = forms.CharField(
        label=_("BIC"),
        max_length=14,
        required=False,
        help_text=_("Found from the IBAN when left empty."),
    )
    consent = forms.BooleanField(
        label=_(
            "I authorise the school to send instructions to my bank to debit my account, and "
            "my bank to debit it, for the instalments of this programme. I may ask my bank for "
            "a refund within eight weeks of a debit."
        )
    )
