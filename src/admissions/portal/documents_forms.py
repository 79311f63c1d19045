"""The forms of the documents pages; the services judge the values, the forms only read them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from admissions.rules.vocabulary import DocumentFormat, TranslationPolicy

ACCEPT = {DocumentFormat.PDF: ".pdf,application/pdf", DocumentFormat.JPEG: ".jpg,.jpeg,image/jpeg"}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=DateInput(),
        help_text=_("The last day of validity written on the document."),
    )
    number = forms.CharField(
        label=_("Number"),
        max_length=40,
        help_text=_("As printed on the document."),
    )
    foreign_language = forms.BooleanField(
        label=_("This document is not written in French or English"),
        required=False,
        help_text=_("A translation will then be asked for, as a separate document."),
    )
    FOREIGN_LABELS = {
        TranslationPolicy.CERTIFIED: _("This document is not written in French"),
        TranslationPolicy.FRENCH_OR_ENGLISH: _("This document is not written in French or English"),
    }

    def __init__(
        self,
        *args: Any,
        formats: tuple[str, ...] | list[str] = (),
        max_bytes: int = 0,
        needs_validity_date: bool = False,
        translation_policy: TranslationPolicy | None = None,
        foreign_language: bool = False,
        file_label: str = "",
        number_label: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if number_label:
            self.fields["number"].label = number_label
        else:
            del self.fields["number"]
        if file_label:
            self.fields["file"].label = file_label
        widget = self.fields["file"].widget
        widget.attrs["accept"] = ",".join(ACCEPT[DocumentFormat(f)] for f in formats)
        if max_bytes:
            # Read by the progress script to refuse an over-size file before sending it.
            widget.attrs["data-max-bytes"] = str(max_bytes)
        if needs_validity_date:
            self.fields["valid_until"].required = True
        else:
            del self.fields["valid_until"]
        if translation_policy in self.FOREIGN_LABELS:
            self.fields["foreign_language"].initial = foreign_language
            self.fields["foreign_language"].label = self.FOREIGN_LABELS[translation_policy]
        else:
            del self.fields["foreign_language"]


class ImportForm(forms.Form):
    archive = forms.FileField(
        label=_("ZIP archive"),
        help_text=_("Files named after the documents they hold: see the naming convention."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
