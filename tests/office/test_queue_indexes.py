"""Each filter and order of the queue has an index that reads its page in order, without
sorting the table: checked on the query the page runs, on SQLite (the index named with
INDEXED BY must serve the query, with no sort) and on PostgreSQL (with scans and sorts
priced out and the other queue indexes set aside, the plan walks the expected index and
sorts nothing)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.db import connection
from django.http import QueryDict

from admissions.applications.queue import filtered, read_filters
from admissions.applications.staff_files import scoped_files
from admissions.people.models import Role
from tests.factories import IN_NORD_CAMPAIGN, load_preset, staff_member

pytestmark = pytest.mark.django_db

# query string -> the index that serves it
SERVED = {
    "": "application_submitted_order",
    "sort=oldest": "application_submitted_order",
    "sort=waiting": "application_queue_waiting",
    "sort=waiting&waiting=10": "application_queue_waiting",
    "sort=name": "application_queue_name",
    "route=vapp": "application_queue_route",
    "nationality=eu": "application_queue_eu",
    "nationality=non_eu": "application_queue_eu",
    "abroad=yes": "application_queue_abroad",
    "financing=opco": "application_queue_financing",
    "track=work_study": "application_queue_track",
    "status=complete": "application_queue_status",
}


def _page_sql(query: str) -> tuple[str, list[object]]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        nord = load_preset("imt-nord-europe")
        officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
        filters = read_filters(QueryDict(query))
        files = filtered(scoped_files(officer), filters, reader_id=officer.pk, targets={})
        order = filters.order
        sign = "-" if order.descending else ""
        page = files.order_by(f"{sign}{order.field}", f"{sign}pk")[:51]
        sql, params = page.query.sql_with_params()
        return sql, list(params)


@pytest.mark.parametrize("query", sorted(SERVED))
def test_each_filter_and_order_has_its_index(query: str, database_engine: str) -> None:
    sql, params = _page_sql(query)
    index = SERVED[query]
    with connection.cursor() as cursor:
        if database_engine == "sqlite":
            # A partial index is proven usable at prepare time: the drafts' exclusion is
            # written out as the page's statement holds it once its values are bound.
            position = sql[: sql.index('NOT ("applications_application"."status" = %s)')]
            params.pop(position.count("%s"))
            sql = sql.replace(
                'NOT ("applications_application"."status" = %s)',
                """NOT ("applications_application"."status" = 'draft')""",
            )
            forced = re.sub(
                r'FROM "applications_application"',
                f'FROM "applications_application" INDEXED BY "{index}"',
                sql,
                count=1,
            )
            # SQLite refuses INDEXED BY with an index that cannot serve the query.
            cursor.execute("EXPLAIN QUERY PLAN " + forced, params)
            plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
            assert index in plan
            assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
        else:
            # Without hints, PostgreSQL may walk another ordered index and filter as it
            # goes when the tables are small; the other queue indexes are dropped inside
            # the test's transaction, so that the plan shows whether this one serves.
            for other in set(SERVED.values()) - {index}:
                cursor.execute(f'DROP INDEX IF EXISTS "{other}"')
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " | ".join(row[0] for row in cursor.fetchall())
            assert index in plan, plan
            assert "Sort" not in plan.replace("Sort Key", ""), plan
