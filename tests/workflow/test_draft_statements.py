"""Creating a draft writes its rows without reading back or locking what it just wrote, and
its transaction holds its writes only, every value made before it."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult, get_date_max
from pytest_django.fixtures import Settings

from admissions.applications.choices import financing_modes_for, tracks_of
from admissions.applications.models import ApplicationEvent
from admissions.core.deferred_writes import SEPARATOR
from admissions.notify import markers
from admissions.payments.models import EntryKind, LedgerEntry
from admissions.people.models import User
from admissions.rules import creditor_reference
from admissions.workflow.drafts import create_application
from tests.factories import IN_NORD_CAMPAIGN, eligible_candidate, load_preset, programme_of

pytestmark = pytest.mark.django_db


def shape(statement: str) -> str:
    return " ".join(statement.split()[:3]).replace('"', "")


def shapes(statements: list[str]) -> list[str]:
    """Each statement's shape, those sent together in one query (deferred_writes) each."""
    return [shape(part) for statement in statements for part in statement.split(SEPARATOR)]


def sent_together(statements: list[str]) -> list[list[str]]:
    return [shapes([s]) for s in statements if SEPARATOR in s]


@pytest.mark.parametrize(
    ("preset", "by_transfer"),
    # imt-nord-europe's fee is paid by transfer only (an email gives the account); imt-bs's
    # by card.
    [("imt-nord-europe", True), ("imt-bs", False)],
)
@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_creation_holds_its_writes_only_and_charges_the_fee(
    preset: str, by_transfer: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(markers, "_kept", {})  # the first email is rendered in full
    campaign = load_preset(preset)
    programme = programme_of(campaign)
    track = str(tracks_of(campaign, programme)[0])
    mode = financing_modes_for(campaign, track)[0].code

    def create(candidate: User) -> object:
        return create_application(
            candidate=candidate,
            campaign=campaign,
            programme=programme,
            track=track,
            financing_mode=mode,
        )

    first = create(eligible_candidate())  # the first of a process may create its sequences
    candidate = eligible_candidate()
    with CaptureQueriesContext(connection) as captured:
        application = create(candidate)
    statements = [q["sql"] for q in captured.captured_queries]
    assert not [s for s in statements if s.startswith('SELECT "applications_application"')]
    assert not [s for s in statements if "FOR UPDATE" in s]
    # The creation's transaction (a savepoint inside the test's) holds its writes only: the
    # checks, the account and the email (letterhead read, text rendered) come before it. The
    # history lines go in one INSERT, the kept totals (rows every creation of the programme
    # writes) last.
    begin = max(i for i, s in enumerate(statements) if s.startswith("SAVEPOINT"))
    end = next(i for i, s in enumerate(statements) if i > begin and s.startswith("RELEASE"))
    held = shapes(statements[begin + 1 : end])
    # Both numbers and the new rows' ids, before the transaction: on PostgreSQL in one
    # statement, `SELECT nextval(a), nextval(b), nextval(the file's table's), ...`; on SQLite
    # one UPDATE of the numbers' counter rows and one of the tables' id counts.
    ids = 3 if by_transfer else 2
    if connection.vendor == "postgresql":
        [numbers] = [s for s in statements if "nextval(" in s]
        assert numbers.count("nextval(") == 2 + ids
        assert numbers.count("pg_get_serial_sequence(") == ids
        ahead = [numbers]
    else:
        [numbers] = [s for s in statements if s.startswith('UPDATE "core_counter"')]
        assert numbers.count("payments:creditor") == 1
        [moved] = [s for s in statements if s.startswith("UPDATE sqlite_sequence")]
        assert moved.count("'applications_application'") == 1
        assert moved.count("'notify_notification'") == (1 if by_transfer else 0)
        ahead = [numbers, moved]
    if connection.vendor == "sqlite":
        # SQLite takes them first thing in the draft's transaction, the rows and the email
        # made with stand-ins until then: one writer's turn, not two.
        assert [statements.index(statement) for statement in ahead] == [begin + 1, begin + 2]
        assert held[:2] == ["UPDATE core_counter SET", "UPDATE sqlite_sequence SET"]
        held = held[2:]
        begin += 2
    else:
        assert all(statements.index(statement) < begin for statement in ahead)
    rows = [
        "INSERT INTO applications_application",
        "INSERT INTO payments_ledgerentry",
        *(["INSERT INTO notify_notification"] if by_transfer else []),
    ]
    assert held == [
        *rows,
        "INSERT INTO applications_applicationevent",
        "INSERT INTO applications_funnelcount",
        "INSERT INTO payments_feetotal",
        "INSERT INTO payments_filebalance",
        "INSERT INTO payments_chargedfiles",
    ]
    # Nothing is read back: on PostgreSQL the transaction sends everything in one round trip.
    assert not [s for s in statements[begin + 1 : end] if "RETURNING" in s]
    assert sent_together(statements[begin + 1 : end]) == (
        [held] if connection.vendor == "postgresql" else []
    )
    charge = LedgerEntry.objects.get(application=application, kind=EntryKind.CHARGE)
    assert charge.creditor_reference.startswith("RF")
    assert charge.reference == application.reference  # type: ignore[attr-defined]
    actions = list(
        ApplicationEvent.objects.filter(application=application)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    queued = ["notification.queued"] if by_transfer else []
    assert actions == ["application.created", "payment.charged", *queued]
    if by_transfer:
        # Made before the numbers and ids were taken on SQLite: each is in its place, in the
        # email rendered in full (the first) as in one filled from a kept rendering.
        for made in (first, application):
            email = made.notifications.get()  # type: ignore[attr-defined]
            fee = LedgerEntry.objects.get(application=made, kind=EntryKind.CHARGE)
            for part in (email.subject, email.text, email.html):
                assert made.reference in part  # type: ignore[attr-defined]
            printed = creditor_reference.printed(fee.creditor_reference)
            assert printed in email.text
            assert printed in email.html
            assert email.key == f"transfer_awaited:charge:{fee.pk}:{made.candidate_id}"  # type: ignore[attr-defined]


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_with_the_database_queue_the_email_task_is_written_in_the_creation(
    settings: Settings,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    campaign = load_preset("imt-nord-europe")  # paid by transfer: the account by email
    programme = programme_of(campaign)
    track = str(tracks_of(campaign, programme)[0])
    mode = financing_modes_for(campaign, track)[0].code

    def create() -> object:
        return create_application(
            candidate=eligible_candidate(),
            campaign=campaign,
            programme=programme,
            track=track,
            financing_mode=mode,
        )

    create()  # the first of a process may create its sequences and counters
    with CaptureQueriesContext(connection) as captured:
        application = create()
    statements = [q["sql"] for q in captured.captured_queries]
    begin = max(i for i, s in enumerate(statements) if s.startswith("SAVEPOINT"))
    end = next(i for i, s in enumerate(statements) if i > begin and s.startswith("RELEASE"))
    held = shapes(statements[begin + 1 : end])
    assert held.index("INSERT INTO django_tasks_database_dbtaskresult") == (
        held.index("INSERT INTO notify_notification") + 1
    )
    # The task's row goes with the other rows, the history lines and the totals (nothing is
    # read back).
    assert sent_together(statements[begin + 1 : end]) == (
        [held] if connection.vendor == "postgresql" else []
    )
    email = application.notifications.get()  # type: ignore[attr-defined]
    [task] = [t for t in DBTaskResult.objects.all() if t.args_kwargs["args"] == [email.pk]]
    assert task.args_kwargs == {"args": [email.pk], "kwargs": {}}
    assert task.task_path == "admissions.notify.queue.deliver_notification"
    assert task.status == "READY"
    assert task.run_after == get_date_max()
