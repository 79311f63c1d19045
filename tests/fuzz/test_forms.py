"""Every form of the platform, fed with hostile data.

Each form class of the project is found by walking its modules, so a new form fails
`test_every_form_is_fuzzed` until it is given its context here. For each form and each
generated set of values (any text, control characters, huge lengths, numbers and dates out
of range, fields missing or added, random bytes as files):

- validating raises nothing but what Django turns into form errors;
- the errors of a French reader are in French: a message that reads the same in both
  languages is a message left untranslated, unless it holds no English;
- where the form feeds a service through a function of its own (a rules form's `apply`, a
  profile form's save), the cleaned data goes through it and is saved or refused with a
  clear error, never another exception.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django import forms
from django.db import transaction
from django.utils import translation
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import admissions
from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Institution, Programme
from admissions.core.errors import ValidationFailed
from admissions.documents import review
from admissions.office import (
    access_log_views,
    bank_details_views,
    file_forms,
    jury_views,
    slot_views,
    webhook_views,
)
from admissions.office import documents_forms as office_documents
from admissions.office.finance import forms as finance
from admissions.payments import ledger
from admissions.people import forms as profile_forms
from admissions.people import token_forms
from admissions.people.models import Role, User
from admissions.people.profile import CandidateProfile, Education, WorkPeriod
from admissions.portal import documents_forms as portal_documents
from admissions.portal import forms_applications, forms_confirmation, payments_forms, privacy_views
from admissions.rules.vocabulary import TranslationPolicy
from admissions.workflow import catalogue_forms as catalogue
from admissions.workflow.catalogue import propose, rulebook_data
from tests.factories import (
    IN_NORD_CAMPAIGN,
    draft,
    eligible_candidate,
    load_preset,
    programme_of,
    staff_member,
)
from tests.fuzz.values import TEXT, value_for

# Hostile input against the forms' own checks: the same on either engine, run once.
pytestmark = [pytest.mark.django_db, pytest.mark.one_engine]


def project_form_classes() -> set[type[forms.BaseForm]]:
    """Every concrete form class written in the project's own modules."""
    found: set[type[forms.BaseForm]] = set()
    for module_info in pkgutil.walk_packages(admissions.__path__, "admissions."):
        if ".migrations" in module_info.name or module_info.name.endswith("__main__"):
            continue
        module = importlib.import_module(module_info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if (
                issubclass(value, forms.BaseForm)
                and value.__module__ == module.__name__
                and value.__module__.startswith("admissions.")
            ):
                found.add(value)
    return found


@dataclass
class Context:
    campaign: Campaign
    programme: Programme
    institution: Institution
    candidate: User
    application: Application
    profile: CandidateProfile


Builder = Callable[[Context, Any, Any], forms.BaseForm]


def _rules_form(form_class: type[catalogue.RulesForm], key: Callable[[Context], str]) -> Builder:
    return lambda c, data, files: form_class(data, rules=c.campaign.rules, key=key(c))


def _grid(form_class: type[file_forms.GridForm], step: str) -> Builder:
    def build(c: Context, data: Any, files: Any) -> forms.BaseForm:
        criteria = getattr(c.campaign.rules, step).criteria
        return form_class(criteria, translation.get_language() or "fr", data)

    return build


def _refund_lines(c: Context) -> list[tuple[str, str]]:
    return [(line.key, line.label) for line in ledger.lines(c.application.pk)] or [("x", "x")]


def _upload(c: Context, data: Any, files: Any) -> forms.BaseForm:
    return portal_documents.UploadForm(
        data,
        files,
        formats=["pdf", "jpeg"],
        max_bytes=2_000_000,
        needs_validity_date=True,
        translation_policy=TranslationPolicy.CERTIFIED,
        number_label="Numéro",
    )


def _new_file(c: Context, data: Any, files: Any) -> forms.BaseForm:
    rules = c.campaign.rules
    return office_documents.NewFileForm(
        data,
        files,
        offers=[(f"{c.campaign.pk}:{c.programme.pk}", c.programme.name)],
        tracks=[(str(t), str(t)) for t in rules.programme(c.programme.slug).tracks],
        financing_modes=[(m.code, m.code) for m in rules.financing_modes],
    )


BUILDERS: dict[type[forms.BaseForm], Builder] = {
    # office/
    catalogue.CampaignDatesForm: _rules_form(catalogue.CampaignDatesForm, lambda c: ""),
    catalogue.ProgrammeForm: _rules_form(catalogue.ProgrammeForm, lambda c: c.programme.slug),
    catalogue.FeesForm: _rules_form(catalogue.FeesForm, lambda c: ""),
    catalogue.JurySessionForm: _rules_form(catalogue.JurySessionForm, lambda c: ""),
    catalogue.DocumentForm: _rules_form(catalogue.DocumentForm, lambda c: ""),
    catalogue.ExtensionForm: lambda c, d, f: catalogue.ExtensionForm(d, rules=c.campaign.rules),
    office_documents.RejectForm: lambda c, d, f: office_documents.RejectForm(d),
    office_documents.AskForm: lambda c, d, f: office_documents.AskForm(
        d, choices=review.askable(c.application) or [("cv", "CV")]
    ),
    office_documents.NewFileForm: _new_file,
    file_forms.RejectForm: lambda c, d, f: file_forms.RejectForm(d),
    file_forms.NoteForm: lambda c, d, f: file_forms.NoteForm(d),
    file_forms.GridForm: _grid(file_forms.GridForm, "review"),
    file_forms.AdmissibilityForm: _grid(file_forms.AdmissibilityForm, "review"),
    file_forms.InterviewForm: _grid(file_forms.InterviewForm, "interview"),
    finance.StatementForm: lambda c, d, f: finance.StatementForm(
        d, f, institutions=Institution.objects.all()
    ),
    finance.ResolveForm: lambda c, d, f: finance.ResolveForm(
        d, statuses=["kept", "refunded", "returned"]
    ),
    finance.RefundRequestForm: lambda c, d, f: finance.RefundRequestForm(d, lines=_refund_lines(c)),
    finance.DecisionForm: lambda c, d, f: finance.DecisionForm(d),
    finance.TuitionForm: lambda c, d, f: finance.TuitionForm(d),
    finance.CreditorForm: lambda c, d, f: finance.CreditorForm(d),
    finance.CollectionForm: lambda c, d, f: finance.CollectionForm(d),
    finance.RejectDebitForm: lambda c, d, f: finance.RejectDebitForm(d),
    finance.ExportForm: lambda c, d, f: finance.ExportForm(d, campaigns=Campaign.objects.all()),
    jury_views.SessionForm: lambda c, d, f: jury_views.SessionForm(d),
    jury_views.DecisionForm: lambda c, d, f: jury_views.DecisionForm(
        [("admitted", "Admis"), ("refused", "Refusé"), ("waitlisted", "Liste")],
        d,
        in_progress=True,
    ),
    jury_views.PublishForm: lambda c, d, f: jury_views.PublishForm(d),
    access_log_views.FilterForm: lambda c, d, f: access_log_views.FilterForm(c.institution, d),
    bank_details_views.BankDetailsForm: lambda c, d, f: bank_details_views.BankDetailsForm(d),
    slot_views.SlotForm: lambda c, d, f: slot_views.SlotForm(c.programme, d),
    webhook_views.EndpointForm: lambda c, d, f: webhook_views.EndpointForm(
        Institution.objects.all(), d
    ),
    # portal/
    privacy_views.ErasureForm: lambda c, d, f: privacy_views.ErasureForm(d),
    forms_applications.ChoicesForm: lambda c, d, f: forms_applications.ChoicesForm(
        d, campaign=c.campaign, programme=c.programme
    ),
    forms_applications.DraftForm: lambda c, d, f: forms_applications.DraftForm(
        d, campaign=c.campaign, programme=c.programme
    ),
    forms_applications.WithdrawForm: lambda c, d, f: forms_applications.WithdrawForm(d),
    forms_applications.FeePaidForm: lambda c, d, f: forms_applications.FeePaidForm(d),
    forms_applications.SelfCheckForm: lambda c, d, f: forms_applications.SelfCheckForm(
        d, campaigns=[c.campaign], today=IN_NORD_CAMPAIGN.date()
    ),
    portal_documents.UploadForm: _upload,
    portal_documents.ImportForm: lambda c, d, f: portal_documents.ImportForm(d, f),
    forms_confirmation.DeclineForm: lambda c, d, f: forms_confirmation.DeclineForm(d),
    payments_forms.ProgrammeForm: lambda c, d, f: payments_forms.ProgrammeForm(d),
    payments_forms.SimulatorForm: lambda c, d, f: payments_forms.SimulatorForm(
        d, rules=c.campaign.rules, programme_slug=c.programme.slug
    ),
    payments_forms.MandateForm: lambda c, d, f: payments_forms.MandateForm(d),
    # people/
    profile_forms.IdentityForm: lambda c, d, f: profile_forms.IdentityForm(
        d, instance=c.profile, today=IN_NORD_CAMPAIGN.date()
    ),
    profile_forms.ResidenceForm: lambda c, d, f: profile_forms.ResidenceForm(
        d, instance=c.profile, today=IN_NORD_CAMPAIGN.date()
    ),
    profile_forms.FrenchForm: lambda c, d, f: profile_forms.FrenchForm(
        d, instance=c.profile, today=IN_NORD_CAMPAIGN.date()
    ),
    profile_forms.EducationForm: lambda c, d, f: profile_forms.EducationForm(
        d, instance=Education(profile=c.profile), today=IN_NORD_CAMPAIGN.date()
    ),
    profile_forms.WorkPeriodForm: lambda c, d, f: profile_forms.WorkPeriodForm(
        d, instance=WorkPeriod(profile=c.profile), today=IN_NORD_CAMPAIGN.date()
    ),
    token_forms.TokenForm: lambda c, d, f: token_forms.TokenForm(
        d, institutions=Institution.objects.all(), staff=True
    ),
}

# Base classes that are never shown on their own: their subclasses above are.
ABSTRACT = {catalogue.RulesForm, profile_forms.ProfileForm}


def test_every_form_is_fuzzed() -> None:
    missing = project_form_classes() - set(BUILDERS) - ABSTRACT
    assert not missing, f"forms without a fuzzing context: {sorted(map(str, missing))}"


@pytest.fixture
def context() -> Iterator[Context]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        campaign = load_preset("imt-nord-europe")
        programme = programme_of(campaign)
        candidate = eligible_candidate()
        application = draft(candidate, campaign, programme)
        staff_member(Role.INTERVIEWER, institution=programme.institution)
        yield Context(
            campaign=campaign,
            programme=programme,
            institution=programme.institution,
            candidate=candidate,
            application=application,
            profile=candidate.profile,
        )


def _as_sent(value: object) -> list[str]:
    """A value as a browser sends it back."""
    if value is None or value is False:
        return []
    if value is True:
        return ["on"]
    if isinstance(value, list | tuple):
        return [item for inner in value for item in _as_sent(inner)]
    if isinstance(value, dt.date):
        return [value.isoformat()]
    return [str(getattr(value, "pk", value))]


def filled_in(form: forms.BaseForm) -> dict[str, list[str]]:
    """What the page sends when the reader changes nothing: its initial values."""
    return {
        name: _as_sent(form[name].value())
        for name, field in form.fields.items()
        if not isinstance(field, forms.FileField)
    }


@st.composite
def form_data(draw: st.DrawFn, form: forms.BaseForm) -> tuple[MultiValueDict, MultiValueDict]:  # type: ignore[type-arg]
    """Either everything at random, or the page as shown with one or two values changed:
    the second reaches the cleaning across fields and the services behind a valid form."""
    data: MultiValueDict = MultiValueDict()  # type: ignore[type-arg]
    files: MultiValueDict = MultiValueDict()  # type: ignore[type-arg]
    fields = form.fields
    if draw(st.booleans()):
        for name, values in filled_in(form).items():
            data.setlist(name, values)
        changed = draw(st.lists(st.sampled_from(sorted(fields)), max_size=2, unique=True))
    else:
        changed = list(fields)
    for name in changed:
        field = fields[name]
        if draw(st.integers(0, 9)) == 0:
            data.pop(name, None)  # a field left out of the request
            continue
        value = draw(value_for(field))
        target = files if isinstance(field, forms.FileField) and value != "" else data
        target.setlist(name, value if isinstance(value, list) else [value])
    for name in draw(st.lists(TEXT, max_size=2)):
        data.setlist(name, [draw(TEXT)])  # fields nobody asked for
    return data, files


# Words that give away an English sentence; a French message shares none of them.
ENGLISH = re.compile(
    r"\b(the|this|that|is|are|must|enter|ensure|select|valid|field|required|value|"
    r"characters|file|not|should|at least|at most|please)\b",
    re.IGNORECASE,
)


def untranslated(english: dict[str, list[str]], french: dict[str, list[str]]) -> list[str]:
    """The French run's messages that are the English ones, word for word."""
    return [
        f"{name}: {in_french!r}"
        for name, messages in french.items()
        for in_english, in_french in zip(english.get(name, []), messages, strict=False)
        if in_french == in_english and ENGLISH.search(in_french)
    ]


class _Untranslated(forms.Form):
    code = forms.CharField(error_messages={"required": "The code must be given."})
    name = forms.CharField()


def test_the_language_check_finds_a_message_left_in_english() -> None:
    build: Builder = lambda c, data, files: _Untranslated(data)  # noqa: E731
    english = _errors(build, None, {}, None, "en")  # type: ignore[arg-type]
    french = _errors(build, None, {}, None, "fr")  # type: ignore[arg-type]
    assert untranslated(english, french) == ["code: 'The code must be given.'"]


def _errors(
    build: Builder, c: Context, data: Any, files: Any, language: str
) -> dict[str, list[str]]:
    with translation.override(language):
        form = build(c, data, files)
        form.is_valid()
        return {
            name: [str(message) for message in messages] for name, messages in form.errors.items()
        }


def _rewind(files: MultiValueDict) -> None:  # type: ignore[type-arg]
    for upload in files.values():
        upload.seek(0)


def _through_the_service(form: forms.BaseForm, c: Context) -> None:
    """What the page does with a valid form, where a function of the form's own does it."""
    if isinstance(form, catalogue.RulesForm):
        try:
            propose(c.campaign, form.apply(rulebook_data(c.campaign)))
        except ValidationFailed as refused:
            told = str(refused.message)  # the rulebook's own checks refuse, in a sentence
        else:
            told = "accepted"
        assert told
    elif isinstance(form, profile_forms.ProfileForm):
        with transaction.atomic():
            form.save()
            transaction.set_rollback(True)
    elif isinstance(form, file_forms.GridForm):
        assert set(form.scores()) == {criterion.code for criterion in form.criteria}


FORMS = sorted(BUILDERS, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


@pytest.mark.parametrize(
    "form_class", FORMS, ids=[f"{c.__module__}.{c.__qualname__}" for c in FORMS]
)
# A few examples per form in every run (`make fuzz` runs the long campaigns).
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_form_refuses_hostile_data_in_the_readers_language(
    form_class: type[forms.BaseForm], context: Context, data: st.DataObject
) -> None:
    build = BUILDERS[form_class]
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        values, files = data.draw(form_data(build(context, None, None)))
        english = _errors(build, context, values, files, "en")
        _rewind(files)
        french = _errors(build, context, values, files, "fr")
        _rewind(files)
        assert set(english) == set(french)
        assert not untranslated(english, french), form_class.__qualname__
        event("valid" if not french else "refused")
        if not french:
            with translation.override("fr"):
                form = build(context, values, files)
                assert form.is_valid()
                _through_the_service(form, context)
