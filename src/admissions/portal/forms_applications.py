"""The candidate's application forms: choosing a track and funding, writing the texts.

The texts are never refused for being short here: a draft keeps whatever the candidate
typed, and the pre-submission check says what is still missing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from admissions.applications.choices import (
    TRACK_LABELS,
    financing_modes_for,
    programmes_of,
    tracks_of,
)
from admissions.applications.self_check import MAX_YEARS, Answers
from admissions.applications.texts import (
    MAX_TEXT_LENGTH,
    TEXT_FIELDS,
    asked_texts,
    counted_length,
    min_length,
)
from admissions.catalog.models import Campaign, Programme
from admissions.people.forms import EARLIEST_YEAR, CountryField, DateInput, check_diploma_year
from admissions.people.profile import (
    CefrLevel,
    DiplomaKindChoice,
    EducationStatus,
    PermitChoice,
)
from admissions.people.profile import FrenchCertificate as FrenchCertificateChoice
from admissions.portal.widgets import TaggedRadioSelect
from admissions.rules.countries import is_france
from admissions.rules.facts import MAX_LEVEL, CertificateKind, DiplomaStatus, LanguageLevel
from admissions.rules.schema import FinancingMode
from admissions.rules.vocabulary import DiplomaKind, PermitKind, Track


def track_label(track: str) -> str:
    return str(TRACK_LABELS.get(track, track))


def _language() -> str:
    return get_language() or "fr"


def financing_choice_label(mode: FinancingMode, offered_tracks: list[str]) -> str:
    label = mode.label.get(_language())
    limited = [t for t in mode.tracks if t in offered_tracks]
    if mode.tracks and len(limited) < len(offered_tracks):
        names = ", ".join(track_label(t) for t in limited)
        label = f"{label} ({names})"
    return label


class ChoicesForm(forms.Form):
    """Track and financing mode, limited to what the campaign's rulebook offers."""

    track = forms.ChoiceField(label=_("Track"), widget=forms.RadioSelect)
    financing_mode = forms.ChoiceField(
        label=_("Financing mode"),
        widget=TaggedRadioSelect,
        help_text=_("How your tuition will be paid."),
    )

    def __init__(self, *args: Any, campaign: Campaign, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.programme = programme
        tracks = [str(t) for t in tracks_of(campaign, programme)]
        self.choice_field("track").choices = [(t, track_label(t)) for t in tracks]
        modes = [
            mode
            for mode in campaign.rules.financing_modes
            if not mode.tracks or any(t in tracks for t in mode.tracks)
        ]
        self.choice_field("financing_mode").choices = [
            (mode.code, financing_choice_label(mode, tracks)) for mode in modes
        ]
        widget = self.fields["financing_mode"].widget
        assert isinstance(widget, TaggedRadioSelect)
        # The page's script shows only the modes open to the track chosen.
        widget.option_attrs = {
            mode.code: {"data-tracks": " ".join(str(t) for t in (mode.tracks or tracks))}
            for mode in modes
        }
        if len(tracks) == 1:
            self.fields["track"].initial = tracks[0]
            open_to_track = financing_modes_for(campaign, tracks[0])
            if open_to_track and not self.initial.get("financing_mode"):
                self.fields["financing_mode"].initial = open_to_track[0].code
        self.fields["track"].error_messages["invalid_choice"] = _(
            "This programme does not offer this track: choose one from the list."
        )
        self.fields["financing_mode"].error_messages["invalid_choice"] = _(
            "Choose a financing mode from the list."
        )

    def choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        track = data.get("track")
        mode = data.get("financing_mode")
        if track and mode:
            allowed = [m.code for m in financing_modes_for(self.campaign, track)]
            if mode not in allowed:
                self.add_error(
                    "financing_mode",
                    forms.ValidationError(
                        _("This financing mode is not available for the %(track)s track."),
                        code="track_mismatch",
                        params={"track": track_label(track)},
                    ),
                )
        return data


class DraftForm(ChoicesForm):
    """Everything a candidate writes on a draft; saving keeps each valid field."""

    cover_letter = forms.CharField(
        label=_("Cover letter"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_(
            "Why this programme, and why now: write it for this programme, not for any programme."
        ),
    )
    professional_project = forms.CharField(
        label=_("Professional project"),
        required=False,
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "The job you aim for after the programme, in which sector, and how the programme "
            "gets you there."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = self.campaign.rules
        # A text the rulebook asks as a file (the cover letter in a PDF) is not asked twice.
        self.texts = asked_texts(rules)
        self.limits: dict[str, tuple[int, int]] = {}
        for name in TEXT_FIELDS:
            if name not in self.texts:
                del self.fields[name]
                continue
            field = self.fields[name]
            field.error_messages["max_length"] = _(
                "This text is too long: at most %(limit_value)d characters (it has %(show_value)d)."
            )
            minimum = min_length(rules, name)
            typed = str(self.initial.get(name) or "")
            # Read by the character count and its script; the check before submission
            # enforces the minimum with or without it.
            field.widget.attrs.update(
                {
                    "data-min-length": str(minimum),
                    "aria-describedby": f"id_{name}_helptext id_{name}_count",
                }
            )
            self.limits[name] = (minimum, counted_length(typed))

    def text_fields(self) -> list[tuple[forms.BoundField, int, int]]:
        """Each text asked, with its minimum length and the length of what is typed."""
        return [(self[name], *self.limits[name]) for name in self.texts]

    def valid_changes(self) -> dict[str, str]:
        """The fields that validated, to save even when others did not."""
        self.is_valid()
        changes: dict[str, str] = {}
        for name in self.texts:
            if name not in self.errors and name in self.cleaned_data:
                changes[name] = self.cleaned_data[name]
        if "track" not in self.errors and "financing_mode" not in self.errors:
            for name in ("track", "financing_mode"):
                if self.cleaned_data.get(name):
                    changes[name] = self.cleaned_data[name]
        return changes


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you withdraw? (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that a withdrawn application cannot be reopened."),
        required=True,
        error_messages={"required": _("Tick the box to confirm that you withdraw.")},
    )


class FeePaidForm(forms.Form):
    note = forms.CharField(
        label=_("Note (how and when it was paid)"), required=False, max_length=500
    )


def open_offer_choices(campaigns: list[Campaign]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Programmes of open campaigns grouped by institution, as "campaign:programme" values."""
    groups = []
    for campaign in campaigns:
        options = [
            (f"{campaign.pk}:{programme.pk}", programme.name)
            for programme in programmes_of(campaign)
        ]
        if options:
            groups.append((f"{campaign.institution.name} — {campaign.name}", options))
    return groups


class SelfCheckForm(forms.Form):
    """A few questions that are enough to tell whether someone may apply, without an account."""

    offer = forms.ChoiceField(label=_("Programme"))
    track = forms.ChoiceField(
        label=_("Track"),
        widget=TaggedRadioSelect,
        choices=[(str(t), TRACK_LABELS[t]) for t in Track],
    )
    nationality = CountryField(label=_("Nationality"))
    residence_country = CountryField(
        label=_("Country of residence"), help_text=_("The country where you live now.")
    )
    permit_kind = forms.ChoiceField(
        label=_("Residence permit in France"),
        required=False,
        widget=forms.RadioSelect,
        choices=PermitChoice.choices,
        help_text=_("Only if you live in France and are not a national of the European Union."),
    )
    permit_valid_until = forms.DateField(
        label=_("Permit valid until"), required=False, widget=DateInput
    )
    years_in_france = forms.DecimalField(
        label=_("Years lived in France"),
        required=False,
        min_value=Decimal(0),
        max_value=MAX_YEARS,
        decimal_places=1,
        help_text=_("For example 1.5 for a year and a half."),
    )
    diploma_level = forms.TypedChoiceField(
        label=_("Level of your highest diploma"),
        coerce=int,
        choices=[(n, "Bac" if n == 0 else f"Bac+{n}") for n in range(0, MAX_LEVEL + 1)],
        help_text=_("Years of higher education after the baccalauréat."),
    )
    diploma_kind = forms.ChoiceField(label=_("Kind of diploma"), choices=DiplomaKindChoice.choices)
    diploma_country = CountryField(
        label=_("Country where the diploma is awarded"),
    )
    diploma_status = forms.ChoiceField(
        label=_("Diploma"),
        widget=forms.RadioSelect,
        choices=EducationStatus.choices,
        initial=EducationStatus.OBTAINED,
    )
    diploma_year = forms.IntegerField(
        label=_("Year of award"),
        required=False,
        help_text=_("Leave empty for this year (or the end of this academic year)."),
    )
    experience_years = forms.DecimalField(
        label=_("Professional experience, in years"),
        min_value=Decimal(0),
        max_value=MAX_YEARS,
        decimal_places=1,
        initial=Decimal(0),
        help_text=_("Internships and work-study periods count too. For example 2.5."),
    )
    french_certificate = forms.ChoiceField(
        label=_("French certificate"), required=False, choices=FrenchCertificateChoice.choices
    )
    french_level = forms.ChoiceField(
        label=_("Level of the certificate"),
        required=False,
        choices=[("", _("Choose a level")), *[(c.value, c.label) for c in CefrLevel if c.value]],
    )

    def __init__(
        self, *args: Any, campaigns: list[Campaign], today: dt.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.campaigns = {campaign.pk: campaign for campaign in campaigns}
        offer = self.fields["offer"]
        assert isinstance(offer, forms.ChoiceField)
        offer.choices = [
            ("", _("Choose a programme")),
            *open_offer_choices(campaigns),
        ]
        # The tracks each programme offers: only those are offered for the one chosen.
        self.offer_tracks: dict[str, list[str]] = {}
        self.obtained_only: list[str] = []  # programmes that take no diploma in progress
        for campaign in campaigns:
            for programme in programmes_of(campaign):
                value = f"{campaign.pk}:{programme.pk}"
                self.offer_tracks[value] = [str(t) for t in tracks_of(campaign, programme)]
                routes = campaign.rules.routes_for(programme.slug)
                if routes and not any(r.requires.in_progress_allowed for r in routes):
                    self.obtained_only.append(value)
        chosen = (self.data.get("offer") if self.is_bound else self.initial.get("offer")) or ""
        self.chosen_offer = str(chosen) if str(chosen) in self.offer_tracks else ""
        track = self.choice_field("track")
        track.error_messages["invalid_choice"] = _(
            "This programme does not offer this track: choose one from the list."
        )
        if self.chosen_offer:
            offered = self.offer_tracks[self.chosen_offer]
            track.choices = [(t, TRACK_LABELS[Track(t)]) for t in offered]
            if len(offered) == 1:
                track.initial = offered[0]
        widget = track.widget
        assert isinstance(widget, TaggedRadioSelect)
        widget.option_attrs = {
            str(t): {
                "data-offers": " ".join(o for o, ts in self.offer_tracks.items() if str(t) in ts)
            }
            for t in Track
        }
        self.fields["offer"].error_messages["invalid_choice"] = _(
            "This programme is not open to applications: choose one from the list."
        )
        for name in ("years_in_france", "experience_years"):
            self.fields[name].error_messages["max_decimal_places"] = _(
                "Give at most one decimal, e.g. 2.5."
            )
        self.fields["diploma_year"].widget.attrs.update(
            {"min": EARLIEST_YEAR, "max": today.year + 1, "inputmode": "numeric"}
        )

    def choice_field(self, name: str) -> forms.ChoiceField:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        return field

    @property
    def obtained_only_chosen(self) -> bool:
        return self.chosen_offer in self.obtained_only

    def clean_diploma_year(self) -> int | None:
        year: int | None = self.cleaned_data.get("diploma_year")
        if year is not None:
            check_diploma_year(year, self.today)
        return year

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        residence = data.get("residence_country") or ""
        nationality = data.get("nationality") or ""
        permit = data.get("permit_kind") or ""
        offer, track = data.get("offer"), data.get("track")
        if offer and track and track not in self.offer_tracks.get(offer, [track]):
            self.add_error(
                "track",
                forms.ValidationError(
                    _("This programme does not offer this track: choose one from the list."),
                    code="track_not_offered",
                ),
            )
        if permit and residence and not is_france(residence):
            self.add_error(
                "permit_kind",
                forms.ValidationError(
                    _("A residence permit in France concerns only candidates living in France."),
                    code="not_in_france",
                ),
            )
        if permit and nationality and is_france(nationality):
            self.add_error(
                "permit_kind",
                forms.ValidationError(
                    _("French nationals do not need a residence permit."), code="not_needed"
                ),
            )
        if (
            permit
            and data.get("permit_valid_until") is None
            and "permit_valid_until" not in self.errors
        ):
            self.add_error(
                "permit_valid_until",
                forms.ValidationError(
                    _("Give the date until which your residence permit is valid."),
                    code="required",
                ),
            )
        if permit and data.get("years_in_france") is None and "years_in_france" not in self.errors:
            self.add_error(
                "years_in_france",
                forms.ValidationError(
                    _("Give how long you have lived in France."), code="required"
                ),
            )
        kind = data.get("diploma_kind")
        country = data.get("diploma_country")
        if kind == DiplomaKindChoice.FOREIGN and country and is_france(country):
            self.add_error(
                "diploma_country",
                forms.ValidationError(
                    _("A foreign diploma is awarded outside France: correct the country."),
                    code="inconsistent",
                ),
            )
        certificate = data.get("french_certificate") or ""
        level = data.get("french_level") or ""
        if bool(certificate) != bool(level):
            field = "french_level" if certificate else "french_certificate"
            self.add_error(
                field,
                forms.ValidationError(
                    _("Give both the certificate and its level, or neither."), code="required"
                ),
            )
        year = data.get("diploma_year")
        status = data.get("diploma_status")
        if year is not None and status == EducationStatus.OBTAINED and year > self.today.year:
            self.add_error(
                "diploma_year",
                forms.ValidationError(
                    _("A diploma awarded in %(year)d is not obtained yet."),
                    code="future",
                    params={"year": year},
                ),
            )
        return data

    def chosen(self) -> tuple[Campaign, int]:
        campaign_id, programme_id = (int(part) for part in self.cleaned_data["offer"].split(":"))
        return self.campaigns[campaign_id], programme_id

    def answers(self) -> Answers:
        data = self.cleaned_data
        return Answers(
            nationality=data["nationality"],
            residence_country=data["residence_country"],
            diploma_level=data["diploma_level"],
            diploma_kind=DiplomaKind(data["diploma_kind"]),
            diploma_country=data["diploma_country"],
            diploma_status=DiplomaStatus(data["diploma_status"]),
            diploma_year=data.get("diploma_year"),
            experience_years=data["experience_years"],
            permit_kind=PermitKind(data["permit_kind"]) if data.get("permit_kind") else None,
            permit_valid_until=data.get("permit_valid_until"),
            years_in_france=data.get("years_in_france"),
            french_certificate=(
                CertificateKind(data["french_certificate"])
                if data.get("french_certificate")
                else None
            ),
            french_level=LanguageLevel(data["french_level"]) if data.get("french_level") else None,
        )
