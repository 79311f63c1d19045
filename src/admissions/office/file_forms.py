"""Forms of the whole-file page: a document judged, the admissibility and interview grids."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from admissions.review.completeness import RejectionReason
from admissions.review.models import Outcome, Recommendation
from admissions.review.scores import MAX_SCORE, Score
from admissions.rules.schema import Criterion


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=RejectionReason.choices)
    note = forms.CharField(label=_("In your words"), required=False, max_length=1000)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note for the team"), widget=forms.Textarea(attrs={"rows": 3}))


class GridForm(forms.Form):
    """One score and one comment per criterion of the rulebook, then a comment."""

    def __init__(self, criteria: list[Criterion], language: str, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"score_{criterion.code}"] = forms.IntegerField(
                label=criterion.label.get(language), min_value=0, max_value=MAX_SCORE
            )
            self.fields[f"comment_{criterion.code}"] = forms.CharField(
                label=_("Comment"), required=False, max_length=2000
            )
        self.fields["comment"] = forms.CharField(
            label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
        )

    def scores(self) -> dict[str, Score]:
        data = self.cleaned_data
        return {
            c.code: Score(data[f"score_{c.code}"], data.get(f"comment_{c.code}", ""))
            for c in self.criteria
        }

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"score_{c.code}"], self[f"comment_{c.code}"]) for c in self.criteria]


class AdmissibilityForm(GridForm):
    def __init__(self, criteria: list[Criterion], language: str, *args: Any, **kwargs: Any):
        super().__init__(criteria, language, *args, **kwargs)
        self.fields["outcome"] = forms.ChoiceField(
            label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
        )


class InterviewForm(GridForm):
    def __init__(self, criteria: list[Criterion], language: str, *args: Any, **kwargs: Any):
        super().__init__(criteria, language, *args, **kwargs)
        self.fields["recommendation"] = forms.ChoiceField(
            label=_("Recommendation"), choices=Recommendation.choices, widget=forms.RadioSelect
        )
