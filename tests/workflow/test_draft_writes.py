"""Every row a draft's creation writes is there, with its values: the file, its fee's charge,
the history lines, the transfer email and its delivery task, and every kept total (checked
against a recount from the rows themselves). The history lines, the task and the totals are
sent together at the end of the transaction: none of them may be lost on the way."""

from __future__ import annotations

import pytest
import time_machine
from django.db import DatabaseError, connection
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from admissions.applications import report_counts
from admissions.applications.choices import financing_modes_for, tracks_of
from admissions.applications.funnel import Step
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign, Programme
from admissions.notify.models import Notification
from admissions.payments import fee_totals, file_balances
from admissions.payments.models import ChargedFiles, EntryKind, FeeTotal, FileBalance, LedgerEntry
from admissions.rules.vocabulary import ChargeKind
from admissions.workflow.drafts import application_fee_cents, create_application
from tests.factories import IN_NORD_CAMPAIGN, eligible_candidate, load_preset, programme_of

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def created(campaign: Campaign, programme: Programme) -> Application:
    track = str(tracks_of(campaign, programme)[0])
    return create_application(
        candidate=eligible_candidate(),
        campaign=campaign,
        programme=programme,
        track=track,
        financing_mode=financing_modes_for(campaign, track)[0].code,
    )


def drafts_counted(application: Application) -> int:
    key = (application.campaign_id, application.programme_id, Step.DRAFTS.value, "", "")
    return report_counts.kept().funnel[key]


@pytest.mark.parametrize(("preset", "by_transfer"), [("imt-nord-europe", True), ("imt-bs", False)])
@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_a_draft_writes_every_row_and_total(
    settings: Settings, preset: str, by_transfer: bool
) -> None:
    settings.TASKS = DATABASE_QUEUE
    campaign = load_preset(preset)
    programme = programme_of(campaign)
    fee = application_fee_cents(campaign)
    first = created(campaign, programme)
    fee_row = {"campaign_id": campaign.pk, "programme_id": programme.pk}

    application = created(campaign, programme)

    assert application.status == "draft"
    charge = LedgerEntry.objects.get(application=application)
    assert (charge.kind, charge.charge_kind, charge.amount_cents) == (
        EntryKind.CHARGE,
        ChargeKind.APPLICATION_FEE,
        fee,
    )
    assert charge.reference == application.reference
    assert charge.creditor_reference.startswith("RF")
    lines = list(
        ApplicationEvent.objects.filter(application=application)
        .order_by("pk")
        .values_list("action", "actor_id", "to_status", "details")
    )
    charged = {
        "entry_id": charge.pk,
        "charge_kind": ChargeKind.APPLICATION_FEE.value,
        "amount_cents": fee,
        "creditor_reference": charge.creditor_reference,
    }
    expected = [
        (
            "application.created",
            application.candidate_id,
            "draft",
            {"track": application.track, "financing_mode": application.financing_mode},
        ),
        ("payment.charged", None, "", charged),
    ]
    emails = list(Notification.objects.filter(application=application))
    tasks = list(DBTaskResult.objects.filter(args_kwargs__args=[emails[0].pk]) if emails else [])
    if by_transfer:
        [email] = emails
        # The RF reference is printed in groups of four.
        assert application.reference in email.text
        assert charge.creditor_reference[-4:] in email.text.replace(" ", "")
        queued = {
            "notification": email.pk,
            "kind": email.kind,
            "audience": email.audience,
            "to": email.to_address,
            "subject": email.subject,
        }
        expected.append(("notification.queued", None, "", queued))
        assert len(tasks) == 1
        assert tasks[0].task_path == "admissions.notify.queue.deliver_notification"
    else:
        assert emails == []
    assert lines == expected
    # Each kept total as its rows recount it: one lost write would leave it behind.
    assert report_counts.kept() == report_counts.recount()[0]
    assert drafts_counted(application) == 2
    assert fee_totals.kept() == fee_totals.recount()
    assert (
        FeeTotal.objects.get(
            **fee_row, charge_kind=ChargeKind.APPLICATION_FEE, kind=EntryKind.CHARGE
        ).entries
        == 2
    )
    assert file_balances.kept() == file_balances.recount()
    balance = FileBalance.objects.get(pk=application.pk)
    assert (balance.charged, balance.outstanding) == (fee, fee)
    assert file_balances.kept_files() == file_balances.recount_files()
    assert ChargedFiles.objects.get(**fee_row).files == 2
    assert FileBalance.objects.filter(pk=first.pk).exists()


REFUSE = {
    "sqlite": [
        "CREATE TRIGGER refuse_charged_files BEFORE INSERT ON payments_chargedfiles "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'refused'; END $$",
        "CREATE TRIGGER refuse_charged_files BEFORE INSERT ON payments_chargedfiles "
        "FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}
DROP = {
    "sqlite": "DROP TRIGGER IF EXISTS refuse_charged_files",
    "postgresql": "DROP TRIGGER IF EXISTS refuse_charged_files ON payments_chargedfiles",
}


def kept_everything() -> tuple[object, ...]:
    return (
        report_counts.kept(),
        fee_totals.kept(),
        file_balances.kept(),
        file_balances.kept_files(),
        Application.objects.count(),
        ApplicationEvent.objects.count(),
        LedgerEntry.objects.count(),
        Notification.objects.count(),
        DBTaskResult.objects.count(),
    )


# imt-nord-europe's fee is paid by transfer (the email and its task too); imt-bs's by card
# (on SQLite its numbers and ids are taken in the draft's transaction).
PRESETS = ("imt-nord-europe", "imt-bs")


@pytest.mark.parametrize("preset", PRESETS)
@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_a_write_refused_at_the_end_leaves_nothing_of_the_draft(
    settings: Settings, preset: str
) -> None:
    """Every row is made before the transaction, which only sends them: the last statement
    refused (the kept count of charged files), none of the others stays."""
    refused_at_the_end(settings, preset)


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.django_db(transaction=True)
@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_a_draft_made_outside_any_transaction_is_undone_whole_too(
    settings: Settings, preset: str
) -> None:
    """Alone, the draft's writes are a transaction of their own (on PostgreSQL one query,
    which the server runs as one): the last refused, none of the others stays."""
    try:
        refused_at_the_end(settings, preset)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(DROP[connection.vendor])


def refused_at_the_end(settings: Settings, preset: str) -> None:
    settings.TASKS = DATABASE_QUEUE
    campaign = load_preset(preset)
    programme = programme_of(campaign)
    created(campaign, programme)
    before = kept_everything()
    with connection.cursor() as cursor:
        for statement in REFUSE[connection.vendor]:
            cursor.execute(statement)
    candidate = eligible_candidate()
    track = str(tracks_of(campaign, programme)[0])
    with pytest.raises(DatabaseError, match="refused"):
        create_application(
            candidate=candidate,
            campaign=campaign,
            programme=programme,
            track=track,
            financing_mode=financing_modes_for(campaign, track)[0].code,
        )
    assert not Application.objects.filter(candidate=candidate).exists()
    assert kept_everything() == before
    with connection.cursor() as cursor:
        cursor.execute(DROP[connection.vendor])
    # The ids and numbers the refused draft took stay unused; the next draft takes others.
    again = create_application(
        candidate=candidate,
        campaign=campaign,
        programme=programme,
        track=track,
        financing_mode=financing_modes_for(campaign, track)[0].code,
    )
    assert LedgerEntry.objects.filter(application=again).count() == 1
    by_transfer = preset == "imt-nord-europe"
    assert Notification.objects.filter(application=again).count() == (1 if by_transfer else 0)
    assert report_counts.kept() == report_counts.recount()[0]
    assert fee_totals.kept() == fee_totals.recount()
    assert file_balances.kept_files() == file_balances.recount_files()
