"""The queue's rows as written from their columns: the names a row shows are those the
models give, the choices keep their selection and escape their labels, and the page's
statement reads no programme (their names come from the reader's choices)."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from admissions.office.queue_rows import display_name, options_html
from admissions.people.models import CandidateProfile, Role, User
from tests.factories import IN_NORD_CAMPAIGN, load_preset, staff_member
from tests.office.test_queue_page import QUEUE, _files, _listed


@pytest.mark.parametrize(
    ("profile", "account", "expected"),
    [
        (("Awa", "Diallo"), ("Aminata", "D."), "Awa Diallo"),
        (("", ""), ("Aminata", "D."), "Aminata D."),
        (("", "Diallo"), ("", ""), "Diallo"),
        (None, ("Aminata", ""), "Aminata"),
        (None, ("", ""), "awa@example.org"),
    ],
)
def test_a_row_names_a_person_as_the_model_does(
    profile: tuple[str, str] | None, account: tuple[str, str], expected: str
) -> None:
    user = User(first_name=account[0], last_name=account[1], email="awa@example.org")
    if profile is not None:
        user.profile = CandidateProfile(given_names=profile[0], family_name=profile[1])
    given, family = profile if profile is not None else (None, None)
    assert user.display_name == expected
    assert display_name(given, family, *account, user.email) == expected


def test_the_choices_keep_their_selection_and_escape_their_labels() -> None:
    written = options_html([(1, "R&D <lab>"), (2, 'say "hi"')], 2)
    assert written == (
        '<option value="1">R&amp;D &lt;lab&gt;</option>'
        '<option value="2" selected>say &quot;hi&quot;</option>'
    )
    assert options_html([("a", "A")], None) == '<option value="a">A</option>'


@pytest.mark.django_db
def test_the_page_statement_reads_no_programme(client: Client) -> None:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        nord = load_preset("imt-nord-europe")
        files = _files(nord, 2)
        client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution))
        with CaptureQueriesContext(connection) as captured:
            page = client.get(f"{QUEUE}?sort=waiting").content.decode()
    assert sorted(_listed(page)) == sorted(f.reference for f in files)
    for file in files:
        assert file.programme.name_en in page
    [statement] = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "applications_application"."id" AS "pk"')
        and "LIMIT" in q["sql"]
    ]
    assert "catalog_programme" not in statement
