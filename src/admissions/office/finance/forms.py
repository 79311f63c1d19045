"""Forms of the finance pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from admissions.catalog.models import Campaign, Institution
from admissions.payments.camt053 import MAX_BYTES as MAX_STATEMENT_BYTES
from admissions.payments.models import REFUND_EVENTS, IssueStatus, Method
from admissions.people.forms import DateInput

NOTE_MAX_LENGTH = 1000  # a note kept on a payment, an issue or a refund


class StatementForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none()
    )
    statement = forms.FileField(
        label=_("Bank statement (camt.053 XML)"),
        help_text=_("The ISO 20022 camt.053 file your bank provides, one statement per file."),
    )

    def __init__(self, *args: Any, institutions: QuerySet[Institution], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["institution"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = institutions
        if institutions.count() == 1:
            field.initial = institutions.first()

    def clean_statement(self) -> Any:
        upload = self.cleaned_data["statement"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(_("The file is too large for a bank statement."))
        return upload


class ResolveForm(forms.Form):
    status = forms.ChoiceField(label=_("Outcome"))
    charge_reference = forms.CharField(
        label=_("Creditor reference of the charge"),
        required=False,
        max_length=40,
        help_text=_("For a transfer to assign: the RF reference of the charge it pays."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, statuses: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(IssueStatus.choices)
        self.fields["status"].choices = [(s, labels[s]) for s in statuses]  # type: ignore[attr-defined]


class RefundRequestForm(forms.Form):
    line = forms.ChoiceField(label=_("Charge"))
    # A funding agreement is proven by its document accepted by staff, shown beside the form,
    # never by a box ticked here.
    event = forms.ChoiceField(label=_("Reason"), choices=REFUND_EVENTS)
    visa_refusal_proven = forms.BooleanField(label=_("The visa refusal is on file"), required=False)
    amount = forms.DecimalField(
        label=_("Amount (EUR)"),
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=12,
        help_text=_("Leave empty to refund everything paid on this charge."),
    )
    reason = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, lines: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = lines  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    method = forms.ChoiceField(
        label=_("Paid back by"),
        required=False,
        choices=[
            (Method.BANK_TRANSFER.value, Method.BANK_TRANSFER.label),
            (Method.CARD.value, Method.CARD.label),
        ],
    )


class TuitionForm(forms.Form):
    registered_on = forms.DateField(label=_("Registration date"), widget=DateInput())
    starts_on = forms.DateField(
        label=_("Programme start"),
        required=False,
        widget=DateInput(),
        help_text=_("The rulebook's start date, unless this file starts on another day."),
    )


class CreditorForm(forms.Form):
    creditor_id = forms.CharField(
        label=_("SEPA creditor identifier (ICS)"),
        max_length=40,
        help_text=_("For example FR72ZZZ123456."),
    )


class CollectionForm(forms.Form):
    collection_date = forms.DateField(label=_("Collection date"), widget=DateInput())


class RejectDebitForm(forms.Form):
    reason = forms.CharField(
        label=_("Bank's reason"),
        max_length=140,
        help_text=_("The return code and its words, e.g. AM04 insufficient funds."),
    )


class ExportForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=_("All campaigns"),
    )
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX (Excel)")]
    )

    def __init__(self, *args: Any, campaigns: QuerySet[Campaign], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["campaign"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = campaigns

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data
