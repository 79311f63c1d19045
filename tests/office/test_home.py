"""The staff's entry page: only staff, only their programmes, a constant number of queries."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from admissions.applications import step_counts
from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.applications.queue import Filters, filtered
from admissions.catalog.models import Programme
from admissions.core.keyset import keyset_page
from admissions.office import home_list, views
from admissions.office.file_rows import LIST_COLUMNS, listed_cursor
from admissions.office.worklist import scope_counts
from admissions.people.models import CandidateProfile, Role, StaffRole
from admissions.people.permissions import programme_scope
from admissions.workflow.drafts import create_application
from admissions.workflow.messages import mark_read, post_message
from tests.factories import (
    IN_NORD_CAMPAIGN,
    eligible_candidate,
    load_preset,
    programme_of,
    ready_application,
    staff_member,
)

pytestmark = pytest.mark.django_db


def _files(count: int, campaign: object, programme: object) -> list[Application]:
    made = []
    for _ in range(count):
        application = create_application(
            candidate=eligible_candidate(),
            campaign=campaign,  # type: ignore[arg-type]
            programme=programme,  # type: ignore[arg-type]
            track="full_time",
            financing_mode="personnel",
        )
        # Straight to submitted, as the move would: this page lists files, it does not judge them.
        Application.objects.filter(pk=application.pk).update(
            status=Status.SUBMITTED, submitted_at=timezone.now()
        )
        made.append(application)
    # Moved without `transition`: the counts per step are made again, as after an import.
    step_counts.rebuild()
    return made


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_staff_see_only_the_files_of_their_programmes(client: Client) -> None:
    campaign = load_preset("imt-nord-europe")
    cyber = programme_of(campaign, "ms-cybersecurite")
    other = programme_of(campaign, "ms-transition-energetique")
    mine = _files(2, campaign, cyber)
    theirs = _files(1, campaign, other)
    officer = staff_member(Role.ADMISSIONS_OFFICER, programme=cyber)
    client.force_login(officer)
    page = client.get("/en/office/").content.decode()
    for application in mine:
        assert application.reference in page
    assert theirs[0].reference not in page
    assert "Open a file from a ZIP archive" in page
    assert "Finance" not in page


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_finance_officers_see_the_files_whose_payments_they_handle(client: Client) -> None:
    campaign = load_preset("imt-nord-europe")
    cyber = programme_of(campaign, "ms-cybersecurite")
    [application] = _files(1, campaign, cyber)
    client.force_login(staff_member(Role.FINANCE_OFFICER, institution=campaign.institution))
    page = client.get("/en/office/").content.decode()
    assert "No file has been submitted" not in page
    assert application.reference in page
    assert f'href="/en/office/finance/files/{application.reference}/"' in page
    # An admissions officer reads the file, without a link to its finance page.
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution))
    page = client.get("/en/office/").content.decode()
    assert application.reference in page
    assert "/office/finance/files/" not in page


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_rows_escape_what_candidates_typed(client: Client) -> None:
    campaign = load_preset("imt-nord-europe")
    [application] = _files(1, campaign, programme_of(campaign, "ms-cybersecurite"))
    CandidateProfile.objects.filter(user=application.candidate).update(
        given_names="<i>Zoé</i>", family_name="O'Brien & co"
    )
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution))
    page = client.get("/en/office/").content.decode()
    assert "&lt;i&gt;Zoé&lt;/i&gt; O&#x27;Brien &amp; co" in page
    assert "<i>Zoé</i>" not in page


def test_a_visitor_is_sent_to_log_in_as_on_every_staff_page(client: Client) -> None:
    for page in ("/en/office/", "/en/office/finance/"):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"] == f"/en/accounts/login/?next={page}"


def test_a_candidate_is_refused_as_on_every_staff_page(client: Client) -> None:
    client.force_login(eligible_candidate())
    assert client.get("/en/office/finance/").status_code == 404
    assert client.get("/en/office/").status_code == 404


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_page_costs_the_same_queries_for_3_or_30_files(client: Client) -> None:
    campaign = load_preset("imt-nord-europe")
    cyber = programme_of(campaign, "ms-cybersecurite")
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)
    client.force_login(officer)
    _files(3, campaign, cyber)
    # The first request of a process parses the campaign's rules (catalog/parsed.py).
    client.get("/en/office/")
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert client.get("/en/office/").status_code == 200
    _files(27, campaign, cyber)
    # The figures kept a short while are counted again (the dearer case).
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        assert client.get("/en/office/").status_code == 200
    assert len(many) == len(few)


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_menu_links_staff_to_the_back_office(client: Client) -> None:
    campaign = load_preset("imt-nord-europe")
    client.force_login(staff_member(Role.FINANCE_OFFICER, institution=campaign.institution))
    assert 'href="/en/office/"' in client.get("/en/").content.decode()
    assert "Finance" in client.get("/en/office/").content.decode()
    client.force_login(eligible_candidate())
    assert 'href="/en/office/"' not in client.get("/en/").content.decode()


def _submitted(count: int, campaign: object, programme: object, *, same_moment: bool) -> list[str]:
    """References of `count` submitted files, newest first (ties broken by the newest row)."""
    made = _files(count, campaign, programme)
    start = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)
    for number, application in enumerate(made):
        moment = start if same_moment else start + dt.timedelta(minutes=number)
        Application.objects.filter(pk=application.pk).update(submitted_at=moment)
    return [application.reference for application in reversed(made)]


def _listed(page: str) -> list[str]:
    """The references of the paged list (the files waiting on the reader come before it)."""
    return re.findall(r">([A-Z]{1,4}-\d{4}-\d{6,})</a>", page.split('id="files"')[-1])


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'href="(\?[^"]*)" rel="{rel}"', page)
    return html.unescape(found[1]) if found else None


@pytest.mark.parametrize("same_moment", [False, True])
@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_pages_follow_each_other_by_position(
    client: Client, monkeypatch: pytest.MonkeyPatch, same_moment: bool
) -> None:
    monkeypatch.setattr(home_list, "PAGE_SIZE", 4)
    campaign = load_preset("imt-nord-europe")
    newest_first = _submitted(
        10, campaign, programme_of(campaign, "ms-cybersecurite"), same_moment=same_moment
    )
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution))
    first = client.get("/en/office/").content.decode()
    assert _listed(first) == newest_first[:4]
    assert _link(first, "prev") is None
    assert "10 submitted files." in first
    second = client.get(f"/en/office/{_link(first, 'next')}").content.decode()
    assert _listed(second) == newest_first[4:8]
    third = client.get(f"/en/office/{_link(second, 'next')}").content.decode()
    assert _listed(third) == newest_first[8:]
    assert _link(third, "next") is None
    back = client.get(f"/en/office/{_link(third, 'prev')}").content.decode()
    assert _listed(back) == newest_first[4:8]
    # The oldest files, a full page of them, and the way back to the newest.
    oldest = client.get(f"/en/office/{_link(first, 'last')}").content.decode()
    assert _listed(oldest) == newest_first[-4:]
    assert _link(oldest, "next") is None
    newest = client.get(f"/en/office/{_link(oldest, 'first')}").content.decode()
    assert _listed(newest) == newest_first[:4]


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_a_page_back_to_the_start_is_the_full_first_page(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(home_list, "PAGE_SIZE", 4)
    campaign = load_preset("imt-nord-europe")
    newest_first = _submitted(
        6, campaign, programme_of(campaign, "ms-cybersecurite"), same_moment=False
    )
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution))
    oldest = client.get("/en/office/?last=1").content.decode()
    assert _listed(oldest) == newest_first[2:]
    # Only two files are newer than the oldest page: "previous" shows the first page, full.
    previous = client.get(f"/en/office/{_link(oldest, 'prev')}").content.decode()
    assert _listed(previous) == newest_first[:4]
    assert _link(previous, "prev") is None


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_a_cursor_made_up_shows_the_first_page(client: Client) -> None:
    campaign = load_preset("imt-nord-europe")
    newest_first = _submitted(
        3, campaign, programme_of(campaign, "ms-cybersecurite"), same_moment=False
    )
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution))
    for query in ("after=yesterday", "before=2024-01-01T09:00:00~x", "after=2024-01-01~3"):
        response = client.get(f"/en/office/?{query}")
        assert response.status_code == 200
        assert _listed(response.content.decode()) == newest_first


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_a_long_list_is_not_counted_to_the_end(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "COUNTED", 4)
    campaign = load_preset("imt-nord-europe")
    _submitted(5, campaign, programme_of(campaign, "ms-cybersecurite"), same_moment=False)
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution))
    assert "More than 4 submitted files." in client.get("/en/office/").content.decode()


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_last_page_costs_the_queries_of_the_first(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(home_list, "PAGE_SIZE", 2)
    campaign = load_preset("imt-nord-europe")
    _submitted(5, campaign, programme_of(campaign, "ms-cybersecurite"), same_moment=False)
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution))
    client.get("/en/office/")
    counts = []
    for query in ("", "last=1"):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/en/office/?{query}").status_code == 200
        counts.append(len(captured))
    # The session with its user, the roles, the page, the counts per step and programme (kept
    # rows, which also count the unfiltered list), the files waiting on the reader, the
    # campaigns (their targets, and the values to confirm) with the values' confirmations,
    # and the figures kept a short while: unread messages and files over their target per
    # step.
    assert counts == [8, 8]


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_list_is_counted_from_the_steps_unless_filtered(client: Client) -> None:
    campaign = load_preset("imt-nord-europe")
    _submitted(3, campaign, programme_of(campaign, "ms-cybersecurite"), same_moment=False)
    ready_application(eligible_candidate(), campaign)  # a draft: never listed nor counted
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution))
    assert "3 submitted files." in client.get("/en/office/").content.decode()
    found = client.get("/en/office/?status=submitted").content.decode()
    assert "3 submitted files." in found


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_figures_kept_a_while_change_on_the_next_request_after_a_message_or_a_move(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    campaign = load_preset("imt-nord-europe")
    cyber = programme_of(campaign, "ms-cybersecurite")
    [application] = _files(1, campaign, cyber)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)
    client.force_login(officer)
    page = client.get("/en/office/").content.decode()
    assert "unread" not in page
    assert '1<span class="visually-hidden"> Submitted</span>' in page
    with django_capture_on_commit_callbacks(execute=True):
        post_message(application, by=application.candidate, body="A question.")
    page = client.get("/en/office/").content.decode()
    assert "1 unread" in page
    with django_capture_on_commit_callbacks(execute=True):
        mark_read(application, officer)
    assert "unread" not in client.get("/en/office/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        transition(application, action="mark_complete", by=officer)
    page = client.get("/en/office/").content.decode()
    assert '1<span class="visually-hidden"> Complete, under review</span>' in page
    assert '<span class="visually-hidden"> Submitted</span>' not in page


def _orm_page(ids: list[int], filters: Any, query: QueryDict) -> list[tuple[Any, ...]]:
    files = Application.objects.filter(programme_id__in=ids).exclude(status=Status.DRAFT)
    page = keyset_page(
        filtered(files, filters).values_list(*LIST_COLUMNS),
        field="submitted_at",
        size=home_list.PAGE_SIZE,
        query=query,
        cursor=listed_cursor,
    )
    return [tuple(row) for row in page.rows]


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_compiled_list_reads_what_the_orm_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each shape (page asked for, chosen status and programme, number of programmes) is
    compiled once, then run with each request's values: the same rows as the ORM's query,
    for every reader's own programmes."""
    monkeypatch.setattr(home_list, "PAGE_SIZE", 3)
    campaign = load_preset("imt-nord-europe")
    cyber = programme_of(campaign, "ms-cybersecurite")
    other = Programme.objects.filter(institution_id=campaign.institution_id).exclude(pk=cyber.pk)
    second = other.order_by("pk").first()
    assert second is not None
    _submitted(7, campaign, cyber, same_moment=False)
    _submitted(4, campaign, second, same_moment=True)
    moved = Application.objects.filter(programme=cyber).order_by("pk")[:3]
    Application.objects.filter(pk__in=[a.pk for a in moved]).update(status=Status.COMPLETE)
    newest = Application.objects.filter(programme=cyber).order_by("-submitted_at", "-pk")[3]
    middle = f"{newest.submitted_at.isoformat()}~{newest.pk}"
    scopes = [[cyber.pk], [second.pk], [cyber.pk, second.pk], [second.pk, cyber.pk], []]
    shapes = [
        Filters(),
        Filters(status=Status.SUBMITTED),
        Filters(programme=cyber.pk),
        Filters(status=Status.COMPLETE, programme=cyber.pk),
        Filters(search="nobody"),
    ]
    queries = ["", "last=1", f"after={middle}", f"before={middle}"]
    compared = 0
    for ids in scopes:
        for filters in shapes:
            for text in queries:
                query = QueryDict(text)
                page = home_list.list_page(ids, filters, query)
                assert [tuple(row) for row in page.rows] == _orm_page(ids, filters, query)
                compared += bool(page.rows)
    assert compared > 20


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_a_shape_compiled_for_one_reader_reads_another_readers_files() -> None:
    campaign = load_preset("imt-nord-europe")
    cyber = programme_of(campaign, "ms-cybersecurite")
    second = (
        Programme.objects.filter(institution_id=campaign.institution_id)
        .exclude(pk=cyber.pk)
        .order_by("pk")
        .first()
    )
    assert second is not None
    mine = _submitted(2, campaign, cyber, same_moment=False)
    theirs = _submitted(3, campaign, second, same_moment=False)
    for ids, expected in (([cyber.pk], mine), ([second.pk], theirs), ([cyber.pk], mine)):
        page = home_list.list_page(ids, Filters(), QueryDict(""))
        assert [row[2] for row in page.rows] == expected


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_each_reader_gets_the_programmes_of_their_own_roles() -> None:
    """The scope's statement is compiled once per shape; the roles are read on each request
    and each reader of the same shape gets their own programmes."""
    nord = load_preset("imt-nord-europe").institution
    bs = load_preset("imt-bs").institution
    nord_ids = sorted(Programme.objects.filter(institution=nord).values_list("pk", flat=True))
    bs_ids = sorted(Programme.objects.filter(institution=bs).values_list("pk", flat=True))
    one_bs = Programme.objects.get(pk=bs_ids[0])
    readers = [
        (staff_member(Role.ADMISSIONS_OFFICER, institution=nord), nord_ids),
        (staff_member(Role.ADMISSIONS_OFFICER, institution=bs), bs_ids),
        (staff_member(Role.PEDAGOGICAL_LEAD, programme=one_bs), [one_bs.pk]),
        (staff_member(Role.PLATFORM_ADMIN), sorted(nord_ids + bs_ids)),
        (staff_member(Role.ADMISSIONS_OFFICER, institution=nord), nord_ids),
    ]
    both = staff_member(Role.ADMISSIONS_OFFICER, institution=nord)
    StaffRole.objects.create(user=both, role=Role.PEDAGOGICAL_LEAD, programme=one_bs)
    readers.append((both, sorted([*nord_ids, one_bs.pk])))
    # A deactivated account: no programme, whatever its roles.
    gone = staff_member(Role.ADMISSIONS_OFFICER, institution=nord)
    gone.is_active = False
    readers.append((gone, []))
    for user, expected in readers:
        scope = scope_counts(programme_scope(user, views.FILE_ROLES))
        assert sorted(scope.programme_ids) == expected, user
