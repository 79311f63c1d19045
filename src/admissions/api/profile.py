"""/api/v1/me/profile: the signed-in candidate's own profile.

Every change goes through the profile form the web pages use (`admissions.people.forms`), so
the rules of a good profile live in one place; a refusal is a 422 naming each field with the
form's message in the reader's language. Another candidate's entries answer 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router
from ninja import Status as Answer

from admissions.api.auth import user_auth
from admissions.api.profile_schemas import (
    EducationIn,
    EducationOut,
    ExperienceOut,
    FrenchIn,
    FrenchOut,
    IdentityIn,
    IdentityOut,
    ProfileOut,
    ResidenceIn,
    ResidenceOut,
    SectionOut,
    WorkPeriodIn,
    WorkPeriodOut,
)
from admissions.api.schemas import ErrorOut, Input
from admissions.core.errors import ValidationFailed
from admissions.people import services
from admissions.people.forms import (
    EducationForm,
    FrenchForm,
    IdentityForm,
    ProfileForm,
    ResidenceForm,
    WorkPeriodForm,
)
from admissions.people.models import User
from admissions.people.profile import CandidateProfile, Education, WorkPeriod
from admissions.rules.deadlines import paris_date

router = Router(tags=["profile"], auth=user_auth)

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _profile(request: HttpRequest) -> CandidateProfile:
    user: User = request.auth  # type: ignore[attr-defined]
    return services.profile_for(user)


def _today() -> dt.date:
    return paris_date(timezone.now())


def form_errors(form: ProfileForm) -> list[dict[str, str]]:
    """The form's errors as API details; an error of the whole form has an empty field."""
    return [
        {
            "field": "" if field == "__all__" else field,
            "message": error["message"],
            "type": error["code"] or "invalid",
        }
        for field, errors in form.errors.get_json_data().items()
        for error in errors
    ]


def save_with_form(
    form_class: type[ProfileForm],
    payload: Input,
    instance: Model,
) -> Any:
    """Check the payload with the web pages' form, save it if the form accepts it."""
    data = {
        name: "" if value is None else str(value)
        for name, value in payload.model_dump(mode="json").items()
    }
    form = form_class(data, instance=instance, today=_today())
    if not form.is_valid():
        raise ValidationFailed(_("Some values are missing or wrong."), details=form_errors(form))
    return form.save()


def experience_out(profile: CandidateProfile) -> ExperienceOut:
    on = _today()
    experience = services.experience_of(profile, on)
    return ExperienceOut(
        on=on,
        days=experience.days,
        months=experience.span.months,
        extra_days=experience.span.days,
        years=experience.years,
        text=services.describe_span(experience.span),
    )


@router.get("", response={200: ProfileOut, **ERRORS}, summary="Read my whole profile")
def read_profile(request: HttpRequest) -> ProfileOut:
    profile = services.full_profile_for(request.auth)  # type: ignore[attr-defined]
    completeness = services.completeness(profile)
    return ProfileOut(
        identity=IdentityOut.model_validate(profile),
        residence=ResidenceOut.model_validate(profile),
        french=FrenchOut.model_validate(profile),
        education=[EducationOut.model_validate(e) for e in profile.education.all()],
        work_periods=[WorkPeriodOut.model_validate(p) for p in profile.work_periods.all()],
        experience=experience_out(profile),
        sections=[
            SectionOut(key=section.key, label=str(section.label), done=section.done)
            for section in completeness.sections
        ],
        complete=completeness.complete,
    )


# Identity, nationality and residence, French level -----------------------------------------


@router.get("/identity", response={200: IdentityOut, **ERRORS}, summary="Read my identity")
def read_identity(request: HttpRequest) -> IdentityOut:
    return IdentityOut.model_validate(_profile(request))


@router.put("/identity", response={200: IdentityOut, **ERRORS}, summary="Replace my identity")
def put_identity(request: HttpRequest, payload: IdentityIn) -> IdentityOut:
    return IdentityOut.model_validate(save_with_form(IdentityForm, payload, _profile(request)))


@router.get(
    "/residence",
    response={200: ResidenceOut, **ERRORS},
    summary="Read my nationality, residence and permit",
)
def read_residence(request: HttpRequest) -> ResidenceOut:
    return ResidenceOut.model_validate(_profile(request))


@router.put(
    "/residence",
    response={200: ResidenceOut, **ERRORS},
    summary="Replace my nationality, residence and permit",
)
def put_residence(request: HttpRequest, payload: ResidenceIn) -> ResidenceOut:
    return ResidenceOut.model_validate(save_with_form(ResidenceForm, payload, _profile(request)))


@router.get("/french", response={200: FrenchOut, **ERRORS}, summary="Read my French level")
def read_french(request: HttpRequest) -> FrenchOut:
    return FrenchOut.model_validate(_profile(request))


@router.put("/french", response={200: FrenchOut, **ERRORS}, summary="Replace my French level")
def put_french(request: HttpRequest, payload: FrenchIn) -> FrenchOut:
    return FrenchOut.model_validate(save_with_form(FrenchForm, payload, _profile(request)))


@router.get(
    "/experience",
    response={200: ExperienceOut, **ERRORS},
    summary="My professional experience, counted today",
    description="Overlapping periods count once; an ongoing job counts up to today (Paris time).",
)
def read_experience(request: HttpRequest) -> ExperienceOut:
    return experience_out(_profile(request))


# Education ---------------------------------------------------------------------------------


@router.get("/education", response={200: list[EducationOut], **ERRORS}, summary="List my diplomas")
def list_education(request: HttpRequest) -> list[EducationOut]:
    entries = Education.objects.filter(profile=_profile(request))
    return [EducationOut.model_validate(entry) for entry in entries]


@router.post("/education", response={201: EducationOut, **ERRORS}, summary="Add a diploma")
def add_education(request: HttpRequest, payload: EducationIn) -> Answer[EducationOut]:
    entry = save_with_form(EducationForm, payload, Education(profile=_profile(request)))
    return Answer(201, EducationOut.model_validate(entry))


@router.get(
    "/education/{entry_id}", response={200: EducationOut, **ERRORS}, summary="Read a diploma"
)
def read_education(request: HttpRequest, entry_id: int) -> EducationOut:
    return EducationOut.model_validate(
        get_object_or_404(Education, pk=entry_id, profile=_profile(request))
    )


@router.put(
    "/education/{entry_id}", response={200: EducationOut, **ERRORS}, summary="Replace a diploma"
)
def put_education(request: HttpRequest, entry_id: int, payload: EducationIn) -> EducationOut:
    entry = get_object_or_404(Education, pk=entry_id, profile=_profile(request))
    return EducationOut.model_validate(save_with_form(EducationForm, payload, entry))


@router.delete("/education/{entry_id}", response={204: None, **ERRORS}, summary="Delete a diploma")
def delete_education(request: HttpRequest, entry_id: int) -> Answer[None]:
    profile = _profile(request)
    entry = get_object_or_404(Education, pk=entry_id, profile=profile)
    services.delete_education(profile=profile, education=entry)
    return Answer(204, None)


# Periods of work ---------------------------------------------------------------------------


@router.get("/work", response={200: list[WorkPeriodOut], **ERRORS}, summary="List my jobs")
def list_work(request: HttpRequest) -> list[WorkPeriodOut]:
    periods = WorkPeriod.objects.filter(profile=_profile(request))
    return [WorkPeriodOut.model_validate(period) for period in periods]


@router.post("/work", response={201: WorkPeriodOut, **ERRORS}, summary="Add a period of work")
def add_work(request: HttpRequest, payload: WorkPeriodIn) -> Answer[WorkPeriodOut]:
    period = save_with_form(WorkPeriodForm, payload, WorkPeriod(profile=_profile(request)))
    return Answer(201, WorkPeriodOut.model_validate(period))


@router.get(
    "/work/{period_id}", response={200: WorkPeriodOut, **ERRORS}, summary="Read a period of work"
)
def read_work(request: HttpRequest, period_id: int) -> WorkPeriodOut:
    return WorkPeriodOut.model_validate(
        get_object_or_404(WorkPeriod, pk=period_id, profile=_profile(request))
    )


@router.put(
    "/work/{period_id}",
    response={200: WorkPeriodOut, **ERRORS},
    summary="Replace a period of work",
)
def put_work(request: HttpRequest, period_id: int, payload: WorkPeriodIn) -> WorkPeriodOut:
    period = get_object_or_404(WorkPeriod, pk=period_id, profile=_profile(request))
    return WorkPeriodOut.model_validate(save_with_form(WorkPeriodForm, payload, period))


@router.delete(
    "/work/{period_id}", response={204: None, **ERRORS}, summary="Delete a period of work"
)
def delete_work(request: HttpRequest, period_id: int) -> Answer[None]:
    profile = _profile(request)
    period = get_object_or_404(WorkPeriod, pk=period_id, profile=profile)
    services.delete_work_period(profile=profile, period=period)
    return Answer(204, None)
