"""The status page's version follows every table the page reads, at every stage of a file."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.people.models import Session, User
from admissions.workflow import status_version
from admissions.workflow.status_version import TABLES
from tests.budgets.world import NOW, build, grow

pytestmark = pytest.mark.django_db

TABLE = re.compile(r'(?:FROM|JOIN) "(\w+)"')
# Read on every request by the session and the user's middleware: the reader's own rows.
READER = {Session._meta.db_table, User._meta.db_table}


@time_machine.travel(NOW, tick=False)
def test_a_page_rendered_reads_only_what_the_version_follows() -> None:
    world = build()
    grow(world)
    seen: set[str] = set()
    read: dict[str, set[str]] = {}
    for application in Application.objects.exclude(status=Status.DRAFT).select_related("candidate"):
        client = Client()
        client.force_login(application.candidate)
        address = reverse("portal:application_status", args=[application.reference])
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(address).status_code == 200
        seen.add(application.status)
        for query in captured.captured_queries:
            for table in TABLE.findall(query["sql"]):
                read.setdefault(table, set()).add(application.status)
            if query["sql"].startswith(f'SELECT "{User._meta.db_table}".'):
                # Only the reader's own row, by the authentication middleware.
                assert f'"{User._meta.db_table}"."id" = {application.candidate_id}' in query[
                    "sql"
                ].replace("%s", str(application.candidate_id)), query["sql"]
    assert seen >= {
        Status.SUBMITTED,
        Status.ADMISSIBLE,
        Status.ON_AGENDA,
        Status.ADMITTED,
        Status.ADMITTED_CONDITIONALLY,
        Status.WAITLISTED,
        Status.CONFIRMED,
        Status.WITHDRAWN,
    }
    # And the version's query reads each of those tables.
    sql = status_version.compiled_sql()
    assert {table for table in TABLES if f'"{table}"' not in sql} == set()
    unfollowed = {table: statuses for table, statuses in read.items() if table not in TABLES}
    assert set(unfollowed) <= READER, unfollowed
