"""The parts of a campaign's rules its administrators change, each through its form.

The back office's edit pages and the API bind the same form to what was typed or sent, then
check the change (what it changes and which files it reaches) or save it, through
`workflow.catalogue`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from admissions.catalog.models import Campaign, CatalogChange
from admissions.people.models import User
from admissions.workflow.catalogue import (
    Proposal,
    administered,
    apply_change,
    propose,
    rulebook_data,
)
from admissions.workflow.catalogue_forms import (
    CampaignDatesForm,
    DocumentForm,
    FeesForm,
    JurySessionForm,
    ProgrammeForm,
    RulesForm,
)


@dataclass(frozen=True)
class Section:
    form: type[RulesForm]
    kind: str
    title: Any
    keyed: bool = False  # the change names a programme, a session or a document


SECTIONS = {
    "dates": Section(CampaignDatesForm, "campaign_dates", gettext_lazy("Campaign dates")),
    "programme": Section(ProgrammeForm, "programme", gettext_lazy("Programme"), keyed=True),
    "fees": Section(FeesForm, "fees", gettext_lazy("Fees")),
    "jury": Section(JurySessionForm, "jury_session", gettext_lazy("Jury session"), keyed=True),
    "jury-new": Section(JurySessionForm, "jury_session", gettext_lazy("New jury session")),
    "document": Section(DocumentForm, "document", gettext_lazy("Document required"), keyed=True),
    "document-new": Section(DocumentForm, "document", gettext_lazy("New document required")),
}


def administered_campaigns(user: User) -> QuerySet[Campaign]:
    """The campaigns of the institutions whose catalogue `user` administers."""
    return Campaign.objects.select_related("institution").filter(institution__in=administered(user))


def section_form(
    campaign: Campaign, section: str, key: str, data: Mapping[str, Any] | None
) -> tuple[Section, RulesForm]:
    """The section's form over the campaign's rules, bound to `data` when given.

    Raises LookupError for a section that does not exist, or a key it does not name.
    """
    spec = SECTIONS.get(section)
    if spec is None or spec.keyed != bool(key):
        raise LookupError(section)
    try:
        form = spec.form(data, rules=campaign.rules, key=key)
    except (KeyError, StopIteration):
        raise LookupError(key) from None
    return spec, form


def check_section(campaign: Campaign, form: RulesForm) -> Proposal:
    """What the valid form's change would change, and which files it reaches; nothing saved."""
    return propose(campaign, form.apply(rulebook_data(campaign)))


def save_section(
    campaign: Campaign, spec: Section, form: RulesForm, *, by: User, based_on: str
) -> CatalogChange:
    """Save the valid form's change, read when the rules' digest was `based_on`."""
    return apply_change(
        campaign,
        form.apply(rulebook_data(campaign)),
        by=by,
        kind=spec.kind,
        subject=form.key or _new_key(form),
        based_on=based_on,
    )


def _new_key(form: RulesForm) -> str:
    return str(form.cleaned_data.get("slug") or form.cleaned_data.get("code") or "")
