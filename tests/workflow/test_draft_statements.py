"""Creating a draft writes its rows without reading back or locking what it just wrote."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from admissions.applications.models import ApplicationEvent
from admissions.payments.models import EntryKind, LedgerEntry
from admissions.people.models import User
from admissions.workflow.drafts import create_application
from tests.factories import IN_NORD_CAMPAIGN, eligible_candidate, load_preset, programme_of

pytestmark = pytest.mark.django_db


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_creation_reads_no_row_it_wrote_and_charges_the_fee() -> None:
    campaign = load_preset("imt-nord-europe")
    programme = programme_of(campaign)

    def create(candidate: User) -> object:
        return create_application(
            candidate=candidate,
            campaign=campaign,
            programme=programme,
            track="full_time",
            financing_mode="personnel",
        )

    create(eligible_candidate())  # the first of a process may create its sequences
    candidate = eligible_candidate()
    with CaptureQueriesContext(connection) as captured:
        application = create(candidate)
    statements = [q["sql"] for q in captured.captured_queries]
    assert not [s for s in statements if s.startswith('SELECT "applications_application"')]
    assert not [s for s in statements if "FOR UPDATE" in s]
    # The file, the report's count of drafts, its event, the fee's charge, its event and the
    # fee's kept total: one INSERT each (the counts add to their row when it exists).
    inserts = [s for s in statements if s.startswith("INSERT")]
    assert [s.split('"')[1] for s in inserts][:6] == [
        "applications_application",
        "applications_funnelcount",
        "applications_applicationevent",
        "payments_ledgerentry",
        "applications_applicationevent",
        "payments_feetotal",
    ]
    charge = LedgerEntry.objects.get(application=application, kind=EntryKind.CHARGE)
    assert charge.creditor_reference.startswith("RF")
    assert charge.reference == application.reference  # type: ignore[attr-defined]
    actions = list(
        ApplicationEvent.objects.filter(application=application)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[:2] == ["application.created", "payment.charged"]
