"""/api/v1/applications: the signed-in candidate's own files.

Session authentication with Django's CSRF check on every unsafe method; another candidate's
file answers 404, as if it did not exist. Refusals come back as `{code, message, details}`
(see api/errors.py).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Router
from ninja import Status as Answer

from admissions.api.auth import user_auth
from admissions.api.schemas import (
    ApplicationCreateIn,
    ApplicationOut,
    ApplicationUpdateIn,
    CheckOut,
    ErrorOut,
    NamedOut,
    ProblemOut,
    WithdrawIn,
)
from admissions.applications import queries
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog import offer
from admissions.catalog.models import Campaign, Programme, without_rulebooks
from admissions.payments import ledger
from admissions.people.models import User
from admissions.workflow import checks, declared_transfers, drafts, submission

router = Router(tags=["applications"], auth=user_auth)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined,no-any-return]


def application_out(
    application: Application, fee_status: ledger.FeeStatus | None = None
) -> ApplicationOut:
    """The file as the API shows it; `fee_status` when the caller read it with others.

    Built from the row's own typed values: `model_construct` skips validating them again
    (django-ninja's schemas check every field twice, each nested part twice again)."""
    campaign = application.campaign
    programme = application.programme
    return ApplicationOut.model_construct(
        reference=application.reference,
        status=str(application.status),
        status_label=str(Status(application.status).label),
        institution=campaign.institution.slug,
        campaign=NamedOut.model_construct(id=campaign.pk, slug=campaign.slug, name=campaign.name),
        programme=NamedOut.model_construct(
            id=programme.pk, slug=programme.slug, name=programme.name
        ),
        track=application.track,
        financing_mode=application.financing_mode,
        cover_letter=application.cover_letter,
        professional_project=application.professional_project,
        fee_status=str(fee_status or ledger.fee_status(application.pk)),
        created_at=application.created_at,
        submitted_at=application.submitted_at,
        eligibility=application.eligibility or None,
    )


@router.get("", response=list[ApplicationOut], summary="List my applications")
def list_applications(request: HttpRequest) -> list[ApplicationOut]:
    applications = list(queries.my_applications(_user(request)))
    fees = ledger.fee_statuses([application.pk for application in applications])
    return [application_out(a, fees[a.pk]) for a in applications]


@router.post(
    "",
    response={201: ApplicationOut, **ERRORS},
    summary="Create an application (a draft)",
)
def create_application(
    request: HttpRequest, payload: ApplicationCreateIn
) -> Answer[ApplicationOut]:
    # An open campaign and its programmes are kept in the process (catalog.offer): read
    # here only when the campaign is not open today (the service refuses it) or unknown.
    now = timezone.now()
    campaign = offer.kept_campaign(now, payload.campaign_id) or get_object_or_404(
        Campaign.objects.select_related("institution").defer(*without_rulebooks("", "institution")),
        pk=payload.campaign_id,
    )
    programme = offer.kept_programme(
        now, payload.programme_id, campaign.institution_id
    ) or get_object_or_404(
        # Its site signs the transfer email some campaigns send.
        Programme.objects.select_related("site"),
        pk=payload.programme_id,
        institution_id=campaign.institution_id,
    )
    application = drafts.create_application(
        candidate=_user(request),
        campaign=campaign,
        programme=programme,
        track=payload.track,
        financing_mode=payload.financing_mode,
        cover_letter=payload.cover_letter,
        professional_project=payload.professional_project,
        now=now,
    )
    # Nothing is paid on a file just created: its fee, if any, is due.
    charged = drafts.application_fee_cents(campaign) > 0
    fee = ledger.FeeStatus.DUE if charged else ledger.FeeStatus.NOT_CHARGED
    return Answer(201, application_out(application, fee))


@router.get("/{reference}", response={200: ApplicationOut, **ERRORS}, summary="Read my application")
def read_application(request: HttpRequest, reference: str) -> ApplicationOut:
    return application_out(queries.own_application(_user(request), reference))


@router.patch(
    "/{reference}",
    response={200: ApplicationOut, **ERRORS},
    summary="Change a draft application",
)
def update_application(
    request: HttpRequest, reference: str, payload: ApplicationUpdateIn
) -> ApplicationOut:
    user = _user(request)
    application = queries.own_application(user, reference)
    drafts.update_draft(application, by=user, **payload.model_dump(exclude_none=True))
    return application_out(application)


@router.get(
    "/{reference}/check",
    response={200: CheckOut, **ERRORS},
    summary="Run the pre-submission check",
)
def check_application(request: HttpRequest, reference: str) -> CheckOut:
    application = queries.own_application(_user(request), reference)
    report = checks.run_checks(application)
    return CheckOut(
        ready=report.ready,
        deadline=report.deadline,
        problems=[ProblemOut(**problem.as_data()) for problem in report.problems],
    )


@router.post(
    "/{reference}/submit",
    response={200: ApplicationOut, **ERRORS},
    summary="Submit my application",
)
def submit_application(request: HttpRequest, reference: str) -> ApplicationOut:
    user = _user(request)
    application = submission.submit(queries.own_application(user, reference), by=user)
    return application_out(application)


@router.post(
    "/{reference}/withdraw",
    response={200: ApplicationOut, **ERRORS},
    summary="Withdraw my application",
)
def withdraw_application(
    request: HttpRequest, reference: str, payload: WithdrawIn | None = None
) -> ApplicationOut:
    user = _user(request)
    reason = payload.reason if payload is not None else ""
    application = drafts.withdraw(queries.own_application(user, reference), by=user, reason=reason)
    return application_out(application)


@router.post(
    "/{reference}/fee-transfer-made",
    response={200: ApplicationOut, **ERRORS},
    summary="Say the application fee's transfer is made (where the school takes it), to submit",
)
def declare_transfer(request: HttpRequest, reference: str) -> ApplicationOut:
    user = _user(request)
    declared_transfers.declare_transfer(queries.own_application(user, reference), by=user)
    return application_out(queries.own_application(user, reference))
