"""The staff list filtered and searched, its pages keeping the filters, and its export."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.office import home_list
from admissions.people.models import Role
from admissions.review.assignments import assign_reviewer
from admissions.workflow.submission import submit
from tests.factories import (
    IN_NORD_CAMPAIGN,
    eligible_candidate,
    load_preset,
    programme_of,
    ready_application,
    staff_member,
)

pytestmark = pytest.mark.django_db


def _files(campaign: Campaign, count: int, slug: str | None = None) -> list[Application]:
    made = []
    for _ in range(count):
        candidate = eligible_candidate()
        made.append(
            submit(
                ready_application(candidate, campaign, programme_of(campaign, slug)), by=candidate
            )
        )
    return made


def _listed(page: str) -> list[str]:
    return re.findall(r">([A-Z]{1,4}-\d{4}-\d{6,})</a>", page.split('id="files"')[-1])


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_filters_and_search(client: Client) -> None:
    nord = load_preset("imt-nord-europe")
    files = _files(nord, 4)
    Application.objects.filter(pk=files[0].pk).update(status=Status.COMPLETE)
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    Application.objects.filter(pk=files[1].pk).update(status_changed_at=old)
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution))

    def listed(query: str) -> set[str]:
        return set(_listed(client.get(f"/en/office/?{query}").content.decode()))

    assert listed("status=complete") == {files[0].reference}
    assert listed("waiting=21") == {files[1].reference}
    assert listed(f"q={files[2].reference.lower()}") == {files[2].reference}
    assert listed(f"q={files[3].candidate.email.upper()}") == {files[3].reference}
    assert listed(f"programme={files[0].programme_id}&status=submitted") == {
        f.reference for f in files[1:]
    }
    # Nonsense is ignored, not an error.
    assert listed("status=nope&programme=x&waiting=-1") == {f.reference for f in files}


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_pages_keep_the_filters(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(home_list, "PAGE_SIZE", 2)
    nord = load_preset("imt-nord-europe")
    files = _files(nord, 5)
    Application.objects.filter(pk=files[0].pk).update(status=Status.COMPLETE)
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution))
    first = client.get("/en/office/?status=submitted").content.decode()
    link = re.search(r'href="(\?[^"]*)" rel="next"', first)
    assert link is not None
    second = client.get("/en/office/" + html.unescape(link[1])).content.decode()
    seen = set(_listed(first)) | set(_listed(second))
    assert seen == {f.reference for f in files[1:]}


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
@pytest.mark.parametrize("size", [2, 10, 50])
def test_a_page_costs_the_same_queries_whatever_its_size(
    client: Client, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(home_list, "PAGE_SIZE", size)
    nord = load_preset("imt-nord-europe")
    _files(nord, 6)
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution))
    # The first request is not counted: it may read what a process keeps (the campaign's
    # rulebook, parsed once), depending on which tests ran before it in this process, and
    # it starts the session's idle clock (a write).
    assert client.get("/en/office/?status=submitted&q=b").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/en/office/?status=submitted&q=a").status_code == 200
    assert len(captured) == 7


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_export_streams_the_filtered_list_of_ones_programmes(client: Client) -> None:
    nord = load_preset("imt-nord-europe")
    bs = load_preset("imt-bs")
    files = _files(nord, 3)
    Application.objects.filter(pk=files[0].pk).update(status=Status.COMPLETE)
    candidate = eligible_candidate()
    theirs = ready_application(
        candidate, bs, programme_of(bs), track="work_study", financing_mode="opco"
    )
    submit(theirs, by=candidate)
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution))
    response = client.get("/en/office/export.csv?status=submitted")
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    lines = text.strip().splitlines()
    assert lines[0].startswith("Reference,Candidate,Email")
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(
        f.reference for f in files[1:]
    )
    client.force_login(candidate)
    assert client.get("/en/office/export.csv").status_code == 404


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_export_names_the_reviewers_without_a_query_per_file(client: Client) -> None:
    nord = load_preset("imt-nord-europe")
    files = _files(nord, 3)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    reviewer = staff_member(Role.PEDAGOGICAL_LEAD, institution=nord.institution)
    client.force_login(officer)

    def exported() -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/en/office/export.csv")
            body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
        return len(captured), body.decode("utf-8-sig").strip().splitlines()

    assign_reviewer(files[:1], reviewer=reviewer, by=officer)
    one, _lines = exported()
    assign_reviewer(files, reviewer=reviewer, by=officer)
    every, lines = exported()

    assert every == one
    assert [line.rsplit(",", 1)[1] for line in lines[1:]] == [reviewer.display_name] * 3
