"""A statement compiled once answers each call with that call's values."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from django_tasks_db.models import DBTaskResult

from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Institution
from admissions.core import compiled
from admissions.core.compiled import CompiledQuery
from admissions.core.keyset import Cursor, keyset_query
from admissions.core.sequences import next_numbers_and_ids
from admissions.documents.models import Document, DocumentVersion
from admissions.notify.models import Notification
from admissions.payments.models import LedgerEntry
from tests.factories import (
    IN_NORD_CAMPAIGN,
    eligible_candidate,
    load_preset,
    programme_of,
    unsaved_application,
)

pytestmark = pytest.mark.django_db


def test_each_call_reads_with_its_own_values() -> None:
    load_preset("imt-nord-europe")
    load_preset("imt-bs")
    by_slug = CompiledQuery(
        lambda slug: Institution.objects.filter(slug=slug).values_list("pk", "slug"), "\x00slug"
    )
    rows = {slug: by_slug.rows(slug) for slug in ("imt-bs", "imt-nord-europe", "nowhere")}
    assert rows["imt-bs"] == [(Institution.objects.get(slug="imt-bs").pk, "imt-bs")]
    assert rows["imt-nord-europe"][0][1] == "imt-nord-europe"
    assert rows["nowhere"] == []


def test_a_marker_the_statement_does_not_hold_is_refused() -> None:
    lost = CompiledQuery(lambda slug: Institution.objects.filter(slug="fixed"), "\x00slug")
    with pytest.raises(RuntimeError, match="lost its parameter"):
        lost.rows("imt-bs")


@pytest.mark.parametrize(
    "model", [Application, LedgerEntry, ApplicationEvent, Notification, Document, DocumentVersion]
)
def test_the_models_inserted_by_compiled_statements_add_nothing_to_a_new_row(
    model: type[Model],
) -> None:
    # `compiled.insert` runs the INSERT `save` would, without `save` and its signals.
    assert "save" not in vars(model) or model is LedgerEntry  # LedgerEntry's guards updates
    assert not pre_save.has_listeners(model)
    assert not post_save.has_listeners(model)


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_a_row_inserted_is_the_row_save_writes() -> None:
    campaign = load_preset("imt-nord-europe")
    programme = programme_of(campaign)

    def new(reference: str) -> Application:
        return unsaved_application(campaign, programme, reference)

    saved, inserted = new("NE-1"), new("NE-2")
    saved.save(force_insert=True)
    compiled.insert(inserted)
    assert inserted.pk is not None
    assert inserted.pk != saved.pk
    assert not inserted._state.adding
    columns = [f.attname for f in Application._meta.concrete_fields if f.attname != "id"]
    kept = Application.objects.values(*columns)
    first, second = kept.get(pk=saved.pk), kept.get(pk=inserted.pk)
    different = {"candidate_id", "reference"}
    assert {k: v for k, v in first.items() if k not in different} == {
        k: v for k, v in second.items() if k not in different
    }
    assert second["reference"] == "NE-2"
    with pytest.raises(IntegrityError), transaction.atomic():
        compiled.insert(new("NE-2"))  # the unique reference answers as with `save`


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
@pytest.mark.parametrize("count", [1, 3, compiled.MANY + 1])
def test_rows_inserted_together_are_the_rows_bulk_create_writes(count: int) -> None:
    campaign = load_preset("imt-nord-europe")
    application = Application.objects.create(
        candidate=eligible_candidate(),
        campaign=campaign,
        programme=programme_of(campaign),
        track="full_time",
        financing_mode="personnel",
        reference="NE-3",
    )

    def lines(action: str) -> list[ApplicationEvent]:
        return [
            ApplicationEvent(
                application=application,
                actor=None,
                action=action,
                to_status="draft" if n else "",
                details={"n": n, "word": "déjà"},
            )
            for n in range(count)
        ]

    bulk, together = lines("bulk"), lines("together")
    ApplicationEvent.objects.bulk_create(bulk)
    compiled.insert_many(together)
    assert all(event.pk is not None and not event._state.adding for event in together)
    columns = ["application_id", "at", "actor_id", "to_status", "details"]
    kept = ApplicationEvent.objects.order_by("pk").values(*columns)
    assert list(kept.filter(action="bulk")) == list(kept.filter(action="together"))
    assert [e.pk for e in together] == list(
        kept.filter(action="together").values_list("pk", flat=True)
    )
    compiled.insert_many([])  # nothing to write, nothing written
    assert ApplicationEvent.objects.count() == 2 * count


def test_a_shape_is_compiled_once_and_read_with_each_calls_values() -> None:
    load_preset("imt-nord-europe")
    load_preset("imt-bs")
    ids = {i.slug: i.pk for i in Institution.objects.all()}
    shapes = compiled.Shaped()
    built: list[int] = []

    def build(count: int) -> Any:
        built.append(count)
        markers = compiled.id_markers(count)
        # The marker is written twice: each place takes the call's value.
        return (
            Institution.objects.filter(pk__in=markers, slug__gt="")
            .exclude(slug=compiled.TEXT_MARKER)
            .filter(pk__in=markers)
            .order_by("pk")
            .values_list("slug", "updated_at")
        )

    def read(wanted: list[int], excluded: str) -> list[str]:
        markers = [*compiled.id_markers(len(wanted)), compiled.TEXT_MARKER]
        rows = shapes.rows(
            ("slugs", len(wanted)), lambda: build(len(wanted)), markers, [*wanted, excluded]
        )
        # Converted as the queryset would give them: aware dates and times.
        assert all(row[1].tzinfo is not None for row in rows)
        return [row[0] for row in rows]

    assert read([ids["imt-bs"]], "") == ["imt-bs"]
    assert read([ids["imt-nord-europe"]], "") == ["imt-nord-europe"]
    assert read([ids["imt-nord-europe"]], "imt-nord-europe") == []
    both = sorted([ids["imt-bs"], ids["imt-nord-europe"]])
    assert read(both, "") == [slug for slug, _pk in sorted(ids.items(), key=lambda i: i[1])]
    assert built == [1, 2]


def test_a_shape_that_matches_nothing_sends_no_statement(
    django_assert_num_queries: Any,
) -> None:
    shapes = compiled.Shaped()
    with django_assert_num_queries(0):
        rows = shapes.rows("none", lambda: Institution.objects.filter(pk__in=[]), [], [])
    assert rows == []


def test_a_shape_that_lost_a_marker_is_refused() -> None:
    shapes = compiled.Shaped()
    with pytest.raises(RuntimeError, match="lost one of its markers"):
        shapes.rows("lost", lambda: Institution.objects.filter(pk=1), [-1], [5])


def test_marked_values_take_their_places_a_bound_included() -> None:
    load_preset("imt-nord-europe")
    load_preset("imt-bs")
    institutions = list(Institution.objects.order_by("-updated_at", "-pk"))
    shapes = compiled.Shaped()

    def read(wanted: list[int], excluded: str, bound: Cursor | None) -> list[str]:
        marked = compiled.Marked()
        ids = [marked.id(pk) for pk in wanted]
        text = marked.text(excluded)
        bound_marker = marked.bound(bound)
        # Distinct markers, whatever their kind; one value each.
        assert len(set(map(str, marked.markers))) == len(marked.markers) == len(marked.values)

        def build() -> Any:
            rows = Institution.objects.filter(pk__in=ids).exclude(slug=text).values_list("slug")
            return keyset_query(rows, field="updated_at", size=5, kind="after", bound=bound_marker)

        shape = ("marked", len(wanted), bound is None)
        return [row[0] for row in shapes.rows(shape, build, marked.markers, marked.values)]

    every = [i.pk for i in institutions]
    assert read(every, "", None) == [i.slug for i in institutions]
    first, second = institutions[:2]
    assert read(every, first.slug, None) == [i.slug for i in institutions[1:]]
    after_first = read(every, "", (first.updated_at, first.pk))
    assert after_first == [i.slug for i in institutions[1:]]
    assert read(every, "", (second.updated_at, second.pk)) == [i.slug for i in institutions[2:]]
    with pytest.raises(TypeError, match="date and time"):
        compiled.Marked().bound(("2026-03-01", 1))


# Values of every kind a service writes, and some it does not (they go through the field).
VALUES: list[Any] = [
    None,
    "",
    "text",
    "  spaced  text ",
    gettext_lazy("Draft"),
    mark_safe("<b>safe</b>"),
    0,
    7,
    -3,
    2**40,
    True,
    False,
    dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=ZoneInfo("Europe/Paris")),
    dt.date(2026, 3, 1),
    Decimal("12.50"),
    uuid.UUID(int=42),
    {"a": [1, "b"]},
]


REFUSED = (TypeError, ValueError, ValidationError, RuntimeWarning)


@pytest.mark.parametrize(
    "model",
    [Application, LedgerEntry, ApplicationEvent, Notification, DBTaskResult, DocumentVersion],
)
def test_each_column_is_prepared_as_its_field_prepares_it(model: type[Model]) -> None:
    for field in model._meta.local_concrete_fields:
        prepare = compiled.preparer(field)
        if prepare == field.get_db_prep_save:
            continue  # the field's own, as before
        for value in VALUES:
            try:
                expected = field.get_db_prep_save(value, connection)
            except REFUSED as refused:
                # Refused, or warned of (a naive moment; warnings are errors), alike.
                with pytest.raises(type(refused)):
                    prepare(value, connection)
                continue
            found = prepare(value, connection)
            assert (type(found), found) == (type(expected), expected), (field, value)


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_a_keyed_row_is_written_under_the_id_it_holds() -> None:
    campaign = load_preset("imt-nord-europe")
    programme = programme_of(campaign)

    def new(reference: str) -> Application:
        return unsaved_application(campaign, programme, reference)

    saved, keyed = new("NE-1"), new("NE-2")
    saved.save(force_insert=True)
    with pytest.raises(ValueError, match="holds its id"):
        compiled.insert_statement([keyed], keyed=True)
    _numbers, [keyed.pk] = next_numbers_and_ids([], [Application])
    statement = compiled.insert_statement([keyed], keyed=True)
    assert statement is not None
    assert "RETURNING" not in statement[0]
    with connection.cursor() as cursor:
        cursor.execute(*statement)
    columns = [f.attname for f in Application._meta.concrete_fields if f.attname != "id"]
    kept = Application.objects.values(*columns)
    first, second = kept.get(pk=saved.pk), kept.get(pk=keyed.pk)
    different = {"candidate_id", "reference"}
    assert {k: v for k, v in first.items() if k not in different} == {
        k: v for k, v in second.items() if k not in different
    }
    assert second["reference"] == "NE-2"


@pytest.mark.parametrize("count", [1, 3])
@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_rows_given_as_values_are_written_as_their_instances_would_be(count: int) -> None:
    """`values_statement` (history lines without a model instance each): the statement and
    values `insert_statement` gives for the same rows as instances."""
    campaign = load_preset("imt-nord-europe")
    application = unsaved_application(campaign, programme_of(campaign), "NE-1")
    application.save()
    at = timezone.now()  # what an instance's `auto_now_add` takes: the clock stands still
    rows = [
        {
            "application_id": application.pk,
            "at": at,
            "actor_id": None if i else application.candidate_id,
            "action": f"test.line_{i}",
            "from_status": "",
            "to_status": "draft" if i else "",
            "details": {"n": i, "text": "l'été"},
        }
        for i in range(count)
    ]
    events = [ApplicationEvent(**row) for row in rows]
    expected = compiled.insert_statement(events)
    found = compiled.values_statement(ApplicationEvent, rows)
    assert expected is not None
    assert found is not None
    assert found[0] == expected[0]
    assert [str(value) for value in found[1]] == [str(value) for value in expected[1]]
    with connection.cursor() as cursor:
        cursor.execute(*found)
    written = ApplicationEvent.objects.filter(application=application).order_by("pk")
    assert [(e.action, e.at, e.actor_id, e.details) for e in written] == [
        (row["action"], at, row["actor_id"], row["details"]) for row in rows
    ]


def test_a_row_updated_is_the_row_save_writes() -> None:
    campaign = load_preset("imt-nord-europe")
    application = unsaved_application(campaign, programme_of(campaign), "NE-4")
    application.save(force_insert=True)
    start = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        saved = Document.objects.create(application=application, requirement_code="cv")
        updated = Document.objects.create(application=application, requirement_code="photo")
    changes = {
        "state": "accepted_on_arrival",
        "state_changed_at": start + dt.timedelta(hours=1),
        "refusal_code": "",
        "refusal_params": {"size": 3, "names": ["é", None]},
        "valid_until": dt.date(2027, 1, 31),
        "foreign_language": True,
        "number": "CVEC 123",
    }
    for document in (saved, updated):
        for name, value in changes.items():
            setattr(document, name, value)
    with time_machine.travel(start + dt.timedelta(hours=2), tick=False):
        saved.save()
        compiled.update(updated, list(changes))
    columns = [f.attname for f in Document._meta.concrete_fields]
    kept = Document.objects.values(*columns)
    first, second = kept.get(pk=saved.pk), kept.get(pk=updated.pk)
    different = {"id", "requirement_code"}
    assert {k: v for k, v in first.items() if k not in different} == {
        k: v for k, v in second.items() if k not in different
    }
    assert second["updated_at"] == start + dt.timedelta(hours=2)  # `auto_now` is written too
    # A column not named keeps what the row holds.
    updated.staff_reason = "not written"
    compiled.update(updated, ["state"])
    assert Document.objects.get(pk=updated.pk).staff_reason == ""
    gone = Document(pk=updated.pk + 1000, application=application, requirement_code="x")
    with pytest.raises(DatabaseError, match="did not affect any rows"), transaction.atomic():
        compiled.update(gone, ["state"])
