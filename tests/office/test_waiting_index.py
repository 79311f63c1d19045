"""The home's "waiting on you" list reads its twenty files in the order of the index
`application_waiting_on_staff`: the planner is left no other index to answer the scope and
the steps, so it cannot read every file of those steps and sort them."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection

from admissions.applications.lifecycle import STAFF_STEPS
from admissions.core.plans import InConstants
from admissions.office.views import FILE_ROLES
from admissions.office.worklist import WAITS_ON, waiting_on
from admissions.people.models import Role
from admissions.people.permissions import allowed_programme_ids
from tests.factories import IN_NORD_CAMPAIGN, load_preset, staff_member

pytestmark = pytest.mark.django_db

INDEX = "application_waiting_on_staff"


def test_every_role_waits_on_steps_the_index_holds() -> None:
    for steps in WAITS_ON.values():
        assert set(steps) <= STAFF_STEPS


def test_only_codes_are_written_into_the_sql() -> None:
    with pytest.raises(ValueError, match="not a code"):
        InConstants("status", ["submitted", "x') OR ('1'='1"])


@pytest.mark.parametrize("scope_as", ["ids", "query"])
@pytest.mark.parametrize("role", [Role.ADMISSIONS_OFFICER, Role.INTERVIEWER])
def test_the_waiting_files_are_read_in_the_index_order(
    role: Role, scope_as: str, database_engine: str
) -> None:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        nord = load_preset("imt-nord-europe")
        user = staff_member(role, institution=nord.institution)
        roles = {str(role)}
        programmes = allowed_programme_ids(user, FILE_ROLES)
        # The home passes the ids it read with the counts (`scope_counts`).
        scope = [row["pk"] for row in programmes] if scope_as == "ids" else programmes
        query = waiting_on(user.pk, roles, scope, False)
        sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if database_engine == "sqlite":
            # Unforced: the statistics of an empty table must not matter either.
            cursor.execute("ANALYZE")
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            rows = cursor.fetchall()
            plan = " | ".join(str(row[-1]) for row in rows)
            assert f"USING INDEX {INDEX}" in plan, plan
            # The only sort is the outer one, of the twenty files found.
            assert plan.count("TEMP B-TREE FOR ORDER BY") <= 1, plan
        else:
            # On a table this small the planner would rather sort: sorts priced out, as in
            # the queue's index test, show which index reads the files in order. At 100,000
            # files its own statistics choose this index (0.1 ms).
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = " | ".join(row[0] for row in cursor.fetchall())
            assert INDEX in plan, plan
