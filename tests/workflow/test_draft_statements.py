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
    # The creation's transaction (a savepoint inside the test's) holds its writes only: the
    # checks, the account and the email's letterhead are read before it. On PostgreSQL both
    # numbers come from one `SELECT nextval(a), nextval(b)` before it; on SQLite from one
    # UPDATE of their counter rows in it. The history lines go in one INSERT, the kept totals
    # (rows every creation of the programme writes) last.
    begin = max(i for i, s in enumerate(statements) if s.startswith("SAVEPOINT"))
    end = next(i for i, s in enumerate(statements) if i > begin and s.startswith("RELEASE"))
    held = [" ".join(s.split()[:3]).replace('"', "") for s in statements[begin + 1 : end]]
    numbers = (
        []
        if connection.vendor == "postgresql"
        else ["UPDATE core_counter SET"]  # both keys: WHERE key IN (...)
    )
    assert held == [
        *numbers,
        "INSERT INTO applications_application",
        "INSERT INTO payments_ledgerentry",
        "INSERT INTO notify_notification",  # this programme's fee is paid by transfer only
        "INSERT INTO applications_applicationevent",
        "INSERT INTO applications_funnelcount",
        "INSERT INTO payments_feetotal",
    ]
    if connection.vendor == "postgresql":
        taken = [s for s in statements[:begin] if "nextval" in s]
        assert len(taken) == 1 and taken[0].count("nextval(") == 2
    charge = LedgerEntry.objects.get(application=application, kind=EntryKind.CHARGE)
    assert charge.creditor_reference.startswith("RF")
    assert charge.reference == application.reference  # type: ignore[attr-defined]
    actions = list(
        ApplicationEvent.objects.filter(application=application)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["application.created", "payment.charged", "notification.queued"]
