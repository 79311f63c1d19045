"""The candidate's profile forms: each checks what it is given and says why in plain words.

Every form takes `today` (a Paris date) so that "in the future" and "under 16" are judged on
the day the candidate sees, and tests can pick the day.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions.people.countries import country_choices
from admissions.people.profile import (
    ADDRESS_MAX_LENGTH,
    CandidateProfile,
    DiplomaKindChoice,
    Education,
    EducationStatus,
    PermitChoice,
    WorkPeriod,
)
from admissions.rules.countries import is_france

# Digits with the usual separators, a + only in front: "+33 6 12 34 56 78", "(0)3.20.00".
PHONE_CHARACTERS = re.compile(r"\+?[0-9 .()\-]+")
PHONE_DIGITS = (6, 15)  # a short national number; E.164's longest international one
MINIMUM_AGE = 16
MAXIMUM_AGE = 100
EARLIEST_YEAR = 1950


def check_diploma_year(year: int, today: dt.date) -> None:
    """A diploma's year: from EARLIEST_YEAR to next year (expected diplomas)."""
    latest = today.year + 1
    if not EARLIEST_YEAR <= year <= latest:
        raise forms.ValidationError(
            _("Enter a year between %(first)d and %(last)d."),
            code="out_of_range",
            params={"first": EARLIEST_YEAR, "last": latest},
        )


# The level a diploma kind always has; kinds left out exist at several levels.
LEVEL_OF_KIND = {
    DiplomaKindChoice.CTI_ENGINEERING: 5,
    DiplomaKindChoice.MASTER_M2: 5,
    DiplomaKindChoice.RNCP_LEVEL_7: 5,
    DiplomaKindChoice.MANAGEMENT_SCHOOL: 5,
    DiplomaKindChoice.MASTER_M1: 4,
    DiplomaKindChoice.LICENCE: 3,
    DiplomaKindChoice.BACHELOR_OTHER: 3,
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        # The browser's date picker sends and shows ISO dates whatever the page language.
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def bound_text(field: forms.Field, limit: int) -> None:
    """A text field of a model without a length of its own, limited in the form."""
    assert isinstance(field, forms.CharField)
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)
    field.error_messages["max_length"] = _(
        "This text is too long: at most %(limit_value)d characters (it has %(show_value)d)."
    )


def _country_choices_with_blank() -> list[tuple[str, str]]:
    # Called each time the choices are read, so the blank label follows the active language.
    return [("", gettext("Choose a country")), *country_choices()]


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class CountryField(forms.ChoiceField):
    """An ISO 3166-1 alpha-2 code chosen from the localized list of countries."""

    default_error_messages = {
        "invalid_choice": _(
            "“%(value)s” is not a known country code. Choose a country from the list."
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=_country_choices_with_blank, **kwargs)
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().upper()


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()


class IdentityForm(ProfileForm):
    class Meta:
        model = CandidateProfile
        fields = ["given_names", "family_name", "birth_date", "birth_place", "phone", "address"]
        widgets = {
            "birth_date": DateInput(attrs={"autocomplete": "bday"}),
            "address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "given_names": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "family_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
        }
        help_texts = {
            "given_names": _("As written on your identity document."),
            "phone": _("With the country code if you live outside France, e.g. +216 …"),
            "birth_place": _("Town and country, e.g. Dakar (Senegal)."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("given_names", "family_name", "birth_date"):
            self.fields[name].required = True
        bound_text(self.fields["address"], ADDRESS_MAX_LENGTH)

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data.get("phone") or ""
        phone = " ".join(phone.split())
        digits = sum(char.isdigit() for char in phone)
        low, high = PHONE_DIGITS
        if phone and (not PHONE_CHARACTERS.fullmatch(phone) or not low <= digits <= high):
            raise forms.ValidationError(
                _(
                    "Enter a phone number: %(low)d to %(high)d digits, which may be separated "
                    "by spaces, dots, dashes or brackets, with + and the country code in front "
                    "outside France (e.g. +33 6 12 34 56 78)."
                ),
                code="invalid_phone",
                params={"low": low, "high": high},
            )
        return phone

    def clean_birth_date(self) -> dt.date:
        born: dt.date = self.cleaned_data["birth_date"]
        if born > self.today:
            raise forms.ValidationError(
                _("Your date of birth cannot be in the future."), code="future"
            )
        age = (
            self.today.year
            - born.year
            - ((self.today.month, self.today.day) < (born.month, born.day))
        )
        if age < MINIMUM_AGE:
            raise forms.ValidationError(
                _("This date makes you younger than %(age)d: check your date of birth."),
                code="too_young",
                params={"age": MINIMUM_AGE},
            )
        if age > MAXIMUM_AGE:
            raise forms.ValidationError(
                _("This date makes you older than %(age)d: check the year of your date of birth."),
                code="too_old",
                params={"age": MAXIMUM_AGE},
            )
        return born


class ResidenceForm(ProfileForm):
    nationality = CountryField(label=_("Nationality"))
    residence_country = CountryField(
        label=_("Country of residence"), help_text=_("The country where you live now.")
    )

    class Meta:
        model = CandidateProfile
        fields = [
            "nationality",
            "residence_country",
            "permit_kind",
            "permit_valid_until",
            "in_france_since",
            "france_travail_registered",
        ]
        widgets = {
            "permit_kind": forms.RadioSelect,
            "permit_valid_until": DateInput,
            "in_france_since": DateInput,
        }
        help_texts = {
            "permit_kind": _("Only if you are not a national of the European Union."),
            "in_france_since": _("The date you arrived in France to live there, if you do."),
            "france_travail_registered": _(
                "France Travail was formerly Pôle Emploi. Some funding, such as a place paid "
                "by the Hauts-de-France region, is open only to registered job seekers."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "permit_kind").choices = PermitChoice.choices

    def clean_in_france_since(self) -> dt.date | None:
        since: dt.date | None = self.cleaned_data.get("in_france_since")
        if since is not None and since > self.today:
            raise forms.ValidationError(
                _("The date you arrived in France cannot be in the future."), code="future"
            )
        return since

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        nationality = data.get("nationality") or ""
        residence = data.get("residence_country") or ""
        permit = data.get("permit_kind") or ""
        valid_until = data.get("permit_valid_until")
        since = data.get("in_france_since")
        if permit and nationality and is_france(nationality):
            self.add_error(
                "permit_kind",
                forms.ValidationError(
                    _("French nationals do not need a residence permit."), code="not_needed"
                ),
            )
        if permit and residence and not is_france(residence):
            self.add_error(
                "permit_kind",
                forms.ValidationError(
                    _(
                        "A French residence permit is for candidates living in France: choose "
                        "France as your country of residence, or no permit."
                    ),
                    code="not_in_france",
                ),
            )
        if permit and since is None and "in_france_since" not in self.errors:
            self.add_error(
                "in_france_since",
                forms.ValidationError(_("Give the date you arrived in France."), code="required"),
            )
        if permit and valid_until is None and "permit_valid_until" not in self.errors:
            self.add_error(
                "permit_valid_until",
                forms.ValidationError(
                    _("Give the date until which your residence permit is valid."),
                    code="required",
                ),
            )
        if not permit and valid_until is not None:
            self.add_error(
                "permit_valid_until",
                forms.ValidationError(
                    _("You gave a validity date but no residence permit: choose its kind."),
                    code="no_permit",
                ),
            )
        if since is not None and valid_until is not None and valid_until < since:
            self.add_error(
                "permit_valid_until",
                forms.ValidationError(
                    _("Your permit cannot end before the date you arrived in France."),
                    code="inconsistent",
                ),
            )
        if data.get("france_travail_registered") and residence and not is_france(residence):
            self.add_error(
                "france_travail_registered",
                forms.ValidationError(
                    _("France Travail registers people who live in France."),
                    code="not_in_france",
                ),
            )
        if since is not None and residence and not is_france(residence):
            self.add_error(
                "in_france_since",
                forms.ValidationError(
                    _(
                        "You live in France since this date, but your country of residence is "
                        "not France: correct one of them."
                    ),
                    code="inconsistent",
                ),
            )
        return data


class FrenchForm(ProfileForm):
    class Meta:
        model = CandidateProfile
        fields = ["french_certificate", "french_level"]
        widgets = {"french_certificate": forms.RadioSelect}
        help_texts = {
            "french_certificate": _("DELF, DALF, TCF or TEF: the certificate you hold, if any."),
            "french_level": _("The level written on your certificate (B2 is often required)."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        certificate = data.get("french_certificate") or ""
        level = data.get("french_level") or ""
        if certificate and not level:
            self.add_error(
                "french_level",
                forms.ValidationError(
                    _("Give the level written on your certificate."), code="required"
                ),
            )
        if level and not certificate:
            self.add_error(
                "french_certificate",
                forms.ValidationError(
                    _("Choose the certificate that shows this level."), code="required"
                ),
            )
        return data


class EducationForm(ProfileForm):
    country = CountryField(label=_("Country"), help_text=_("Where the diploma was awarded."))

    class Meta:
        model = Education
        fields = ["level", "diploma_kind", "title", "school", "country", "year", "status"]
        widgets = {
            "status": forms.RadioSelect,
            "year": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }
        labels = {
            "level": _("Level (years of study after the baccalauréat)"),
            "school": _("School or university"),
        }
        help_texts = {
            "title": _("For example: Master Systèmes d'information."),
            "year": _("The year the diploma was (or will be) awarded."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "level").choices = [
            ("", _("Choose a level")),
            *(Education._meta.get_field("level").choices or []),
        ]
        _choice_field(self, "diploma_kind").choices = [
            ("", _("Choose a kind")),
            *DiplomaKindChoice.choices,
        ]
        self.fields["year"].widget.attrs.update({"min": EARLIEST_YEAR, "max": self.today.year + 1})

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        check_diploma_year(year, self.today)
        return year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        year = data.get("year")
        status = data.get("status")
        level = data.get("level")
        kind = data.get("diploma_kind")
        country = data.get("country")
        if year is not None and status == EducationStatus.OBTAINED and year > self.today.year:
            self.add_error(
                "year",
                forms.ValidationError(
                    _(
                        "A diploma awarded in %(year)d is not obtained yet: choose "
                        "“Expected this year” or correct the year."
                    ),
                    code="future",
                    params={"year": year},
                ),
            )
        if year is not None and status == EducationStatus.EXPECTED and year < self.today.year:
            self.add_error(
                "year",
                forms.ValidationError(
                    _("A diploma expected this year cannot have been awarded in %(year)d."),
                    code="past",
                    params={"year": year},
                ),
            )
        expected_level = LEVEL_OF_KIND.get(kind) if kind else None
        if expected_level is not None and level is not None and level != expected_level:
            self.add_error(
                "level",
                forms.ValidationError(
                    _("This kind of diploma is at level Bac+%(level)d."),
                    code="level_mismatch",
                    params={"level": expected_level},
                ),
            )
        if kind == DiplomaKindChoice.FOREIGN and country and is_france(country):
            self.add_error(
                "country",
                forms.ValidationError(
                    _("A foreign diploma is awarded outside France: correct the country."),
                    code="inconsistent",
                ),
            )
        return data


class WorkPeriodForm(ProfileForm):
    class Meta:
        model = WorkPeriod
        fields = ["employer", "position", "start", "end"]
        widgets = {"start": DateInput, "end": DateInput}
        labels = {"start": _("Start date"), "end": _("End date")}
        help_texts = {
            "end": _("Leave empty if you still hold this job."),
            "position": _("Internships and work-study periods count too."),
        }

    def clean_start(self) -> dt.date:
        start: dt.date = self.cleaned_data["start"]
        if start > self.today:
            raise forms.ValidationError(_("The start date cannot be in the future."), code="future")
        if start.year < EARLIEST_YEAR:
            raise forms.ValidationError(
                _("Enter a date after %(year)d."),
                code="out_of_range",
                params={"year": EARLIEST_YEAR},
            )
        return start

    def clean_end(self) -> dt.date | None:
        end: dt.date | None = self.cleaned_data.get("end")
        if end is not None and end > self.today:
            raise forms.ValidationError(
                _("The end date cannot be in the future: leave it empty if the job is ongoing."),
                code="future",
            )
        return end

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start = data.get("start")
        end = data.get("end")
        if start is not None and end is not None and end < start:
            self.add_error(
                "end",
                forms.ValidationError(
                    _("The end date is before the start date."), code="end_before_start"
                ),
            )
        return data
