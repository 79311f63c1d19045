"""GET /api/v1/payments/simulate: what a programme costs for a financing mode and a track.

Public and read-only, like the candidates' cost simulator page; amounts are integer cents
of EUR, and the tuition comes with its instalment schedule.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from admissions.api.schemas import ErrorOut
from admissions.catalog.models import Programme
from admissions.core.errors import ValidationFailed
from admissions.payments.simulator import simulate
from admissions.rules.vocabulary import ChargeKind, FeeDue, FinancingCategory, Track

router = Router(tags=["payments"])


class SimulationQuery(Schema):
    institution: str = Field(description="Institution slug, e.g. imt-nord-europe", max_length=60)
    programme: str = Field(description="Programme slug within the institution", max_length=60)
    financing_mode: str = Field(description="Financing mode code of the rulebook", max_length=60)
    track: Track = Field(description="full_time or work_study")


class CostLineOut(Schema):
    charge_kind: ChargeKind
    amount_cents: int = Field(ge=0)
    due: FeeDue


class InstalmentOut(Schema):
    number: int = Field(ge=1)
    amount_cents: int = Field(ge=0)
    month_offset: int = Field(ge=0, description="months after the programme starts")
    due: FeeDue | None = Field(description="the event the first instalment is due at")


class SimulationOut(Schema):
    institution: str
    programme: str
    financing_mode: str
    category: FinancingCategory
    track: Track
    currency: Literal["EUR"] = "EUR"
    total_cents: int = Field(ge=0)
    lines: list[CostLineOut]
    instalments: list[InstalmentOut]


@router.get(
    "/simulate",
    response={200: SimulationOut, 422: ErrorOut},
    summary="Cost simulator",
    description=(
        "Every amount a candidate pays for a programme, financing mode and track (application "
        "fee, deposit, tuition, CVEC), the total, and the tuition's instalments. A choice the "
        "rulebook does not offer answers 422 with the field in error."
    ),
    auth=None,
)
def simulate_costs(request: HttpRequest, query: Query[SimulationQuery]) -> SimulationOut:
    programme = (
        Programme.objects.filter(
            institution__slug=query.institution, slug=query.programme, is_active=True
        )
        .select_related("institution")
        .first()
    )
    if programme is None:
        raise ValidationFailed(
            _("This programme is not offered."),
            code="unknown_programme",
            details=[{"field": "programme", "message": "unknown programme"}],
        )
    simulation = simulate(programme, financing_mode=query.financing_mode, track=query.track)
    estimate = simulation.estimate
    return SimulationOut(
        institution=programme.institution.slug,
        programme=programme.slug,
        financing_mode=estimate.financing_mode,
        category=estimate.category,
        track=estimate.track,
        total_cents=estimate.total_cents,
        lines=[
            CostLineOut(charge_kind=line.charge_kind, amount_cents=line.amount_cents, due=line.due)
            for line in estimate.lines
        ],
        instalments=[
            InstalmentOut(
                number=item.number,
                amount_cents=item.amount_cents,
                month_offset=item.month_offset,
                due=item.due,
            )
            for item in estimate.instalments
        ],
    )
