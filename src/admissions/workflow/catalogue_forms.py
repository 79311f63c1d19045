"""The forms of the catalogue's administration: each writes its part of a rulebook's data.

A form checks what a person types (dates in order, amounts in euros with at most two
decimals) with errors in their language; `apply` then writes the values into a copy of the
campaign's rules, which `workflow.catalogue` checks again as a rulebook file is checked. A
value left as it was is written back as it was stored, so that it reads as no change.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from admissions.catalog.models import DeadlineExtension
from admissions.rules.money import AmountError, from_cents, parse_amount, to_cents
from admissions.rules.schema import MONTH, SLUG, Rulebook
from admissions.rules.vocabulary import DocumentCondition, DocumentFormat

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EuroField(forms.Field):
    """An amount in euros, "7500", "7 500,50" or "7500.50", cleaned to integer cents."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("In euros, e.g. 7500 or 7 500,50."))
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "maxlength": "20"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            amount = str(from_cents(value))
            # As the reader writes amounts: "7500,00" in French.
            return amount.replace(".", ",") if (get_language() or "fr").startswith("fr") else amount
        return value

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return to_cents(parse_amount(text))
        except AmountError:
            raise ValidationError(
                _("Enter an amount in euros with at most two decimals, e.g. 60 or 60,50."),
                code="amount",
            ) from None


def cents(amount: Any) -> int | None:
    return None if amount is None else to_cents(parse_amount(amount))


def set_amount(table: dict[str, Any], key: str, value: int) -> None:
    """Write an amount given in cents; an unchanged amount keeps its stored form."""
    if cents(table.get(key)) != value:
        table[key] = str(from_cents(value))


def _find(items: list[dict[str, Any]], key: str, value: str) -> dict[str, Any]:
    for item in items:
        if item.get(key) == value:
            return item
    raise KeyError(value)


class RulesForm(forms.Form):
    """A form over part of a campaign's rules; `apply` writes it into the rulebook's data."""

    def __init__(self, *args: Any, rules: Rulebook, key: str = "", **kwargs: Any) -> None:
        self.rules = rules
        self.key = key
        kwargs.setdefault("initial", self.initial_from(rules))
        super().__init__(*args, **kwargs)

    def initial_from(self, rules: Rulebook) -> dict[str, Any]:
        return {}

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError


class CampaignDatesForm(RulesForm):
    opens_on = forms.DateField(label=_("Applications open on"), widget=DATE)
    closes_on = forms.DateField(
        label=_("Last day to apply"),
        widget=DATE,
        help_text=_("Applications are accepted until midnight at the end of this day, Paris time."),
    )
    international_deadline = forms.DateField(
        label=_("Last day for the candidates the international deadline binds"),
        widget=DATE,
        required=False,
        help_text=_("Leave empty when the campaign has no earlier international deadline."),
    )

    def initial_from(self, rules: Rulebook) -> dict[str, Any]:
        campaign = rules.campaign
        deadline = campaign.international_deadline
        return {
            "opens_on": campaign.opens_on,
            "closes_on": campaign.closes_on.date,
            "international_deadline": deadline.date if deadline else None,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        international = cleaned.get("international_deadline")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The last day cannot be before the opening day."))
        if international and opens and closes and not opens <= international <= closes:
            self.add_error(
                "international_deadline",
                _("The international deadline must fall between the opening and the last day."),
            )
        return cleaned

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        campaign = data["campaign"]
        values = self.cleaned_data
        campaign["opens_on"] = values["opens_on"].isoformat()
        campaign["closes_on"]["date"] = values["closes_on"].isoformat()
        international: dt.date | None = values["international_deadline"]
        if international is None:
            campaign.pop("international_deadline", None)
        elif campaign.get("international_deadline"):
            campaign["international_deadline"]["date"] = international.isoformat()
        else:
            campaign["international_deadline"] = {"date": international.isoformat()}
        return data


class ProgrammeForm(RulesForm):
    name_fr = forms.CharField(label=_("Name in French"), max_length=200)
    name_en = forms.CharField(label=_("Name in English"), max_length=200)
    capacity = forms.IntegerField(label=_("Places (capacity)"), min_value=1)
    duration_months = forms.IntegerField(label=_("Length in months"), min_value=1, max_value=36)
    internship_months = forms.IntegerField(
        label=_("Internship in months"), min_value=0, max_value=36
    )
    tuition_personal = EuroField(label=_("Tuition, paid by the candidate"), required=False)
    tuition_company = EuroField(label=_("Tuition, paid by a company or funder"), required=False)

    def initial_from(self, rules: Rulebook) -> dict[str, Any]:
        programme = rules.programme(self.key)
        tuition = programme.tuition
        return {
            "name_fr": programme.name.fr,
            "name_en": programme.name.en,
            "capacity": programme.capacity,
            "duration_months": programme.duration_months,
            "internship_months": programme.internship_months,
            "tuition_personal": to_cents(tuition.personal) if tuition else None,
            "tuition_company": to_cents(tuition.company) if tuition else None,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        duration, internship = cleaned.get("duration_months"), cleaned.get("internship_months")
        if duration and internship is not None and internship > duration:
            self.add_error(
                "internship_months", _("The internship cannot be longer than the programme.")
            )
        personal, company = cleaned.get("tuition_personal"), cleaned.get("tuition_company")
        if (personal is None) != (company is None):
            self.add_error(
                None,
                _(
                    "Give both tuition amounts, or neither (the campaign's default tuition "
                    "then applies)."
                ),
            )
        if personal is None and company is None and self.rules.fees.tuition is None:
            self.add_error(
                None, _("The campaign has no default tuition: give this programme's amounts.")
            )
        return cleaned

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        programme = _find(data["programmes"], "slug", self.key)
        values = self.cleaned_data
        programme["name"] = {"fr": values["name_fr"], "en": values["name_en"]}
        for name in ("capacity", "duration_months", "internship_months"):
            programme[name] = values[name]
        if values["tuition_personal"] is None:
            programme.pop("tuition", None)
        else:
            tuition = programme.setdefault("tuition", {})
            set_amount(tuition, "personal", values["tuition_personal"])
            set_amount(tuition, "company", values["tuition_company"])
        return data


class FeesForm(RulesForm):
    application = EuroField(label=_("Application fee"))
    deposit = EuroField(label=_("Deposit"), required=False)
    tuition_personal = EuroField(label=_("Default tuition, paid by the candidate"), required=False)
    tuition_company = EuroField(
        label=_("Default tuition, paid by a company or funder"), required=False
    )
    cvec = EuroField(label=_("CVEC (student life contribution)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fees = self.rules.fees
        # A charge the rulebook does not define is not offered: adding one needs its other
        # settings (the tracks a deposit applies to, the CVEC's year), written in the file.
        if fees.deposit is None:
            del self.fields["deposit"]
        else:
            self.fields["deposit"].required = True
        if fees.cvec is None:
            del self.fields["cvec"]
        else:
            self.fields["cvec"].required = True

    def initial_from(self, rules: Rulebook) -> dict[str, Any]:
        fees = rules.fees
        return {
            "application": to_cents(fees.application.amount),
            "deposit": to_cents(fees.deposit.amount) if fees.deposit else None,
            "tuition_personal": to_cents(fees.tuition.personal) if fees.tuition else None,
            "tuition_company": to_cents(fees.tuition.company) if fees.tuition else None,
            "cvec": to_cents(fees.cvec.amount) if fees.cvec else None,
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        personal, company = cleaned.get("tuition_personal"), cleaned.get("tuition_company")
        if (personal is None) != (company is None):
            self.add_error(None, _("Give both default tuition amounts, or neither."))
        return cleaned

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        fees = data["fees"]
        values = self.cleaned_data
        set_amount(fees["application"], "amount", values["application"])
        if "deposit" in self.fields:
            set_amount(fees["deposit"], "amount", values["deposit"])
        if "cvec" in self.fields:
            set_amount(fees["cvec"], "amount", values["cvec"])
        if values["tuition_personal"] is None:
            fees.pop("tuition", None)
        else:
            tuition = fees.setdefault("tuition", {})
            set_amount(tuition, "personal", values["tuition_personal"])
            set_amount(tuition, "company", values["tuition_company"])
        return data


class JurySessionForm(RulesForm):
    slug = forms.RegexField(
        label=_("Code"),
        regex=SLUG,
        max_length=60,
        help_text=_("Lower-case letters, digits and hyphens, e.g. jury-june."),
        error_messages={"invalid": _("Use lower-case letters, digits and hyphens only.")},
    )
    name_fr = forms.CharField(label=_("Name in French"), max_length=200)
    name_en = forms.CharField(label=_("Name in English"), max_length=200)
    month = forms.RegexField(
        label=_("Month"),
        regex=MONTH,
        help_text=_("Year and month, e.g. 2025-06."),
        error_messages={"invalid": _("Write the year and the month, e.g. 2025-06.")},
    )
    date = forms.DateField(label=_("Day of the session"), widget=DATE, required=False)
    files_cutoff = forms.DateField(
        label=_("Files complete by"),
        widget=DATE,
        required=False,
        help_text=_("Files complete by this day go on the session's agenda."),
    )
    remove = forms.BooleanField(label=_("Remove this session"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.key:
            self.fields["slug"].disabled = True
        else:
            del self.fields["remove"]

    def initial_from(self, rules: Rulebook) -> dict[str, Any]:
        if not self.key:
            return {}
        session = next(s for s in rules.jury_sessions if s.slug == self.key)
        return {
            "slug": session.slug,
            "name_fr": session.name.fr,
            "name_en": session.name.en,
            "month": session.month,
            "date": session.date,
            "files_cutoff": session.files_cutoff,
        }

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if not self.key and any(s.slug == slug for s in self.rules.jury_sessions):
            raise ValidationError(_("A session of this campaign already has this code."))
        return slug

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        month, day, cutoff = cleaned.get("month"), cleaned.get("date"), cleaned.get("files_cutoff")
        if day and month and day.strftime("%Y-%m") != month:
            self.add_error("date", _("The day is not in the session's month."))
        if day and cutoff and cutoff > day:
            self.add_error("files_cutoff", _("Files must be complete before the session's day."))
        return cleaned

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        values = self.cleaned_data
        sessions: list[dict[str, Any]] = data.setdefault("jury_sessions", [])
        if values.get("remove"):
            data["jury_sessions"] = [s for s in sessions if s["slug"] != self.key]
            return data
        if self.key:
            session = _find(sessions, "slug", self.key)
        else:
            session = {"slug": values["slug"]}
            sessions.append(session)
        session["name"] = {"fr": values["name_fr"], "en": values["name_en"]}
        session["month"] = values["month"]
        for name in ("date", "files_cutoff"):
            if values[name] is None:
                session.pop(name, None)
            else:
                session[name] = values[name].isoformat()
        return data


class DocumentForm(RulesForm):
    code = forms.RegexField(
        label=_("Code"),
        regex=SLUG,
        max_length=60,
        help_text=_("Lower-case letters, digits and hyphens, e.g. cv."),
        error_messages={"invalid": _("Use lower-case letters, digits and hyphens only.")},
    )
    label_fr = forms.CharField(label=_("Name in French"), max_length=200)
    label_en = forms.CharField(label=_("Name in English"), max_length=200)
    formats = forms.MultipleChoiceField(
        label=_("Accepted formats"),
        choices=[(f.value, f.value.upper()) for f in DocumentFormat],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Needed for a document sent as a file."),
    )
    max_size_mb = forms.DecimalField(
        label=_("Largest size (MB)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=1,
        required=False,
    )
    max_pages = forms.IntegerField(label=_("Most pages"), min_value=1, required=False)
    condition = forms.ChoiceField(
        label=_("Asked when"),
        choices=[(c.value, c.value.replace("_", " ")) for c in DocumentCondition],
    )
    optional = forms.BooleanField(
        label=_("Optional: shown, never required to submit"), required=False
    )
    remove = forms.BooleanField(label=_("Remove this document"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.key:
            self.fields["code"].disabled = True
            if self._requirement().typed:
                # A text typed in the form has neither formats nor a size.
                for name in ("formats", "max_size_mb", "max_pages"):
                    del self.fields[name]
        else:
            del self.fields["remove"]

    def _requirement(self) -> Any:
        return next(r for r in self.rules.documents.requirements if r.code == self.key)

    def initial_from(self, rules: Rulebook) -> dict[str, Any]:
        if not self.key:
            return {"condition": DocumentCondition.ALWAYS.value, "formats": ["pdf"]}
        item = next(r for r in rules.documents.requirements if r.code == self.key)
        return {
            "code": item.code,
            "label_fr": item.label.fr,
            "label_en": item.label.en,
            "formats": [f.value for f in item.formats],
            "max_size_mb": item.max_size_mb or None,
            "max_pages": item.max_pages,
            "condition": item.condition.value,
            "optional": item.optional,
        }

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if not self.key and any(r.code == code for r in self.rules.documents.requirements):
            raise ValidationError(_("A document of this campaign already has this code."))
        return code

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("remove") or "formats" not in self.fields:
            return cleaned
        if not cleaned.get("formats"):
            self.add_error("formats", _("Tick at least one format."))
        if not cleaned.get("max_size_mb"):
            self.add_error("max_size_mb", _("Give the largest size accepted."))
        return cleaned

    def apply(self, data: dict[str, Any]) -> dict[str, Any]:
        values = self.cleaned_data
        items: list[dict[str, Any]] = data["documents"]["requirements"]
        if values.get("remove"):
            data["documents"]["requirements"] = [r for r in items if r["code"] != self.key]
            return data
        if self.key:
            item = _find(items, "code", self.key)
        else:
            item = {"code": values["code"]}
            items.append(item)
        item["label"] = {"fr": values["label_fr"], "en": values["label_en"]}
        item["condition"] = values["condition"]
        item["optional"] = values["optional"]
        if "formats" in self.fields:
            item["formats"] = values["formats"]
            size = values["max_size_mb"]
            if size is None or Decimal(str(item.get("max_size_mb", "0"))) != size:
                item["max_size_mb"] = format(size.normalize(), "f") if size is not None else "0"
            if values["max_pages"] is None:
                item.pop("max_pages", None)
            else:
                item["max_pages"] = values["max_pages"]
        return data


class ExtensionForm(forms.Form):
    which = forms.ChoiceField(
        label=_("Deadline"), choices=DeadlineExtension.Which.choices, widget=forms.RadioSelect
    )
    new_date = forms.DateField(
        label=_("New last day"),
        widget=DATE,
        help_text=_("Applications are accepted until midnight at the end of this day, Paris time."),
    )
    reason = forms.CharField(
        label=_("Reason, told to the candidates"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("For example: the platform was unavailable on the last two days."),
    )

    def __init__(self, *args: Any, rules: Rulebook, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        which = self.fields["which"]
        assert isinstance(which, forms.ChoiceField)
        if rules.campaign.international_deadline is None:
            which.choices = [
                choice
                for choice in DeadlineExtension.Which.choices
                if choice[0] == DeadlineExtension.Which.GENERAL
            ]
        which.initial = DeadlineExtension.Which.GENERAL
