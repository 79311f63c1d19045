"""Forms of the candidates' payment pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from admissions.applications.choices import TRACK_LABELS
from admissions.catalog.models import Programme
from admissions.portal.widgets import TaggedSelect
from admissions.rules.fees import modes_for_track
from admissions.rules.schema import Rulebook
from admissions.rules.vocabulary import Track


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
    """The track first, then only the financing modes the programme's tracks allow.

    Each mode is tagged with its tracks, so that the page's script hides the modes of the
    other track; without the script, a mode chosen for the wrong track is refused with the
    right ones named, and the default is always a mode open to the default track.
    """

    track = forms.ChoiceField(label=_("Track"))
    financing_mode = forms.ChoiceField(label=_("Financing"), widget=TaggedSelect)

    def __init__(self, *args: Any, rules: Rulebook, programme_slug: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = get_language() or "fr"
        tracks = list(rules.programme(programme_slug).tracks)
        self.fields["track"].choices = [  # type: ignore[attr-defined]
            (track.value, TRACK_LABELS[track]) for track in tracks
        ]
        modes = [
            mode
            for mode in rules.financing_modes
            if any(track in tracks for track in mode.tracks or tracks)
        ]
        field = self.fields["financing_mode"]
        field.choices = [  # type: ignore[attr-defined]
            (mode.code, _mode_label(mode.label.get(language), mode.tracks, tracks))
            for mode in modes
        ]
        widget = field.widget
        assert isinstance(widget, TaggedSelect)
        widget.option_attrs = {
            mode.code: {"data-tracks": " ".join(str(t) for t in (mode.tracks or tracks))}
            for mode in modes
        }
        self.rules = rules
        track = self.data.get("track") if self.is_bound else None
        chosen = Track(track) if track in {str(t) for t in tracks} else tracks[0]
        self.fields["track"].initial = chosen.value
        open_to_track = modes_for_track(rules, chosen)
        if open_to_track:
            self.fields["financing_mode"].initial = open_to_track[0].code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        track, mode = data.get("track"), data.get("financing_mode")
        if track and mode:
            allowed = modes_for_track(self.rules, track)
            if mode not in {m.code for m in allowed}:
                language = get_language() or "fr"
                self.add_error(
                    "financing_mode",
                    forms.ValidationError(
                        _("For the %(track)s track, choose one of: %(modes)s."),
                        code="mode_not_for_track",
                        params={
                            "track": TRACK_LABELS[Track(track)],
                            "modes": ", ".join(m.label.get(language) for m in allowed),
                        },
                    ),
                )
        return data


def _mode_label(label: str, mode_tracks: list[Track], offered: list[Track]) -> str:
    """A mode open to only some of the programme's tracks says which."""
    limited = [t for t in mode_tracks if t in offered]
    if mode_tracks and len(limited) < len(offered):
        return f"{label} ({', '.join(str(TRACK_LABELS[t]) for t in limited)})"
    return label


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
