from __future__ import annotations

import datetime as dt

from admissions.applications.models import ApplicationEvent
from admissions.catalog.models import Campaign
from admissions.payments import services
from admissions.payments.models import EntryKind, LedgerEntry
from admissions.rules.vocabulary import ChargeKind
from tests.payments.conftest import MakeApplication, make_user


def _charges(application_id: int) -> list[tuple[str, int | None, int]]:
    return list(
        LedgerEntry.objects.filter(application_id=application_id, kind=EntryKind.CHARGE)
        .order_by("pk")
        .values_list("charge_kind", "instalment", "amount_cents")
    )


def test_amounts_to_confirm_follow_the_file(
    nord_campaign: Campaign, bs_campaign: Campaign, make_application: MakeApplication
) -> None:
    personal = make_application(nord_campaign, financing_mode="personal")
    company = make_application(nord_campaign, financing_mode="employer", owner=make_user())
    cyber = make_application(nord_campaign, programme="cyber", owner=make_user())
    work_study = make_application(bs_campaign, track="work_study", financing_mode="opco")
    full_time = make_application(bs_campaign, owner=make_user())
    assert services.amounts_to_confirm(personal) == [
        (ChargeKind.TUITION_FIRST_INSTALMENT, 250_000),
        (ChargeKind.CVEC, 10_000),
    ]
    assert services.amounts_to_confirm(company) == [(ChargeKind.TUITION_FIRST_INSTALMENT, 416_667)]
    assert services.amounts_to_confirm(cyber) == [
        (ChargeKind.TUITION_FIRST_INSTALMENT, 300_000),
        (ChargeKind.CVEC, 10_000),
    ]
    assert services.amounts_to_confirm(work_study) == [(ChargeKind.DEPOSIT, 45_000)]
    assert services.amounts_to_confirm(full_time) == []


def test_confirmation_charges_once_then_the_plan_completes_them(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(nord_campaign, status="admitted")
    day = dt.date(2024, 5, 2)
    created = services.charge_confirmation_amounts(application, by=None, today=day)
    assert [(c.charge_kind, c.instalment, c.amount_cents, c.due_on) for c in created] == [
        ("tuition", 1, 250_000, day),
        ("cvec", None, 10_000, day),
    ]
    assert services.charge_confirmation_amounts(application, by=None, today=day) == []
    services.charge_tuition(application, by=None, registered_on=day)
    assert _charges(application.pk) == [
        ("tuition", 1, 250_000),
        ("cvec", None, 10_000),
        ("tuition", 2, 250_000),
        ("tuition", 3, 250_000),
    ]
    # The rulebook's start date (1 October 2024) places the later instalments.
    later = LedgerEntry.objects.filter(application=application, instalment__in=[2, 3]).order_by(
        "instalment"
    )
    assert [entry.due_on for entry in later] == [dt.date(2025, 2, 1), dt.date(2025, 6, 1)]
    assert (
        ApplicationEvent.objects.filter(application=application, action="payment.charged").count()
        == 4
    )


def test_a_company_funded_file_pays_no_cvec(
    nord_campaign: Campaign, make_application: MakeApplication
) -> None:
    application = make_application(
        nord_campaign, financing_mode="transition-pro", status="confirmed"
    )
    services.charge_tuition(application, by=None, registered_on=dt.date(2024, 7, 1))
    assert _charges(application.pk) == [
        ("tuition", 1, 416_667),
        ("tuition", 2, 416_667),
        ("tuition", 3, 416_666),
    ]
