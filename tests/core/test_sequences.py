"""Numbers that need not be gapless: unique, increasing, and never waited for."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.db import connection, transaction

from admissions.applications.models import Application
from admissions.core.models import Counter
from admissions.core.sequences import (
    STAND_IN_DIGITS,
    TakenInTransaction,
    next_number,
    next_numbers_and_ids,
    taken_in_transaction,
)
from tests.factories import IN_NORD_CAMPAIGN, load_preset, programme_of, unsaved_application

pytestmark = pytest.mark.django_db


def test_numbers_follow_each_other_per_key() -> None:
    assert [next_number("test:a"), next_number("test:a"), next_number("test:b")] == [1, 2, 1]


@pytest.mark.postgres_only
@pytest.mark.postgres
def test_a_sequence_whose_creation_was_rolled_back_is_made_again(
    database_engine: str, django_capture_on_commit_callbacks: Any
) -> None:
    with transaction.atomic():
        # What runs the hooks of a transaction that is then undone (as a test does).
        with django_capture_on_commit_callbacks(execute=True):
            assert next_number("test:undone") == 1
        transaction.set_rollback(True)
    assert next_number("test:undone") == 1
    assert next_number("test:undone") == 2


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_an_id_taken_ahead_is_never_given_to_a_row_saved_after() -> None:
    """A row written under an id taken ahead, and rows saved the usual way before and after
    it: every id distinct, the automatic ones after the one taken."""
    campaign = load_preset("imt-nord-europe")
    programme = programme_of(campaign)

    def new(reference: str, pk: int | None = None) -> Application:
        return unsaved_application(campaign, programme, reference, pk)

    before = new("NE-1")
    before.save()
    numbers, [taken, counter_id] = next_numbers_and_ids(["test:ahead"], [Application, Counter])
    assert numbers == [1]
    assert taken > before.pk
    saved = new("NE-2")
    saved.save()
    assert saved.pk > taken
    new("NE-3", pk=taken).save(force_insert=True)
    assert Application.objects.filter(pk=taken, reference="NE-3").exists()
    # A table whose rows were all made the usual way, or none yet, gives ids the same way.
    assert counter_id > max(Counter.objects.values_list("pk", flat=True), default=0)
    assert Counter.objects.create(key="test:after").pk > counter_id
    later, [again] = next_numbers_and_ids(["test:ahead"], [Application])
    assert later == [2]
    assert again > saved.pk


@pytest.mark.one_engine  # SQLite's own count of a table's ids: the SQLite run only
def test_a_table_never_written_gives_its_first_id() -> None:
    """SQLite counts a table's ids in `sqlite_sequence` from its first row on."""
    Counter.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [Counter._meta.db_table])
    assert next_numbers_and_ids([], [Counter]) == ([], [1])
    assert Counter.objects.create(key="test:next").pk == 2


def test_numbers_and_ids_taken_in_the_transaction_follow_those_taken_ahead() -> None:
    """On SQLite a draft's transaction may take its numbers and ids itself: the same ones
    `next_numbers_and_ids` would have given, their stand-ins until then random and distinct."""
    later = taken_in_transaction(["test:inside"], [Application, Counter])
    if connection.vendor == "postgresql":
        assert later is None  # `nextval` waits for no one: taken ahead there
        return
    assert later is not None
    stand_ins = [*later.numbers, *later.ids]
    assert len(set(stand_ins)) == 3
    assert all(len(str(stand_in)) == STAND_IN_DIGITS for stand_in in stand_ins)
    [number], [application_id, counter_id] = next_numbers_and_ids(
        ["test:inside"], [Application, Counter]
    )
    with transaction.atomic():
        numbers, ids = later.take()
    assert numbers == [number + 1]
    assert ids[0] > application_id
    assert ids[1] > counter_id
    assert later.replaced(numbers, ids) == dict(zip(stand_ins, [*numbers, *ids], strict=True))
    assert TakenInTransaction(["test:inside"], [Application]).numbers != later.numbers
