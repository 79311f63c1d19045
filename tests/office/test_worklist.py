"""Each role's home lists the files waiting on it, the longest waiting first, late ones flagged."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.people.models import Role
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


def _waiting(page: str) -> list[str]:
    part = page.split('id="waiting"')[1].split('id="files"')[0]
    return re.findall(r">([A-Z]{1,4}-\d{4}-\d{6,})</a>", part)


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_each_role_sees_what_waits_on_it(client: Client) -> None:
    campaign = load_preset("imt-nord-europe")
    files = []
    for _ in range(3):
        candidate = eligible_candidate()
        files.append(submit(ready_application(candidate, campaign), by=candidate))
    now = dt.datetime.now(dt.UTC)
    # The first file waits 30 days, the second 2, the third is complete (the lead's move).
    Application.objects.filter(pk=files[0].pk).update(status_changed_at=now - dt.timedelta(30))
    Application.objects.filter(pk=files[1].pk).update(status_changed_at=now - dt.timedelta(2))
    Application.objects.filter(pk=files[2].pk).update(status=Status.COMPLETE)
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution))
    page = client.get("/en/office/").content.decode()
    assert _waiting(page) == [files[0].reference, files[1].reference]
    # The Nord rulebook's target: 7 days in a step.
    assert "over 7 days" in page
    assert "Files per step" in page
    client.force_login(staff_member(Role.PEDAGOGICAL_LEAD, programme=programme_of(campaign)))
    assert _waiting(client.get("/en/office/").content.decode()) == [files[2].reference]
    client.force_login(staff_member(Role.FINANCE_OFFICER, institution=campaign.institution))
    assert _waiting(client.get("/en/office/").content.decode()) == []


def _lateness(page: str) -> dict[str, tuple[str, str]]:
    part = page.split('id="late"')[1].split("</table>")[0]
    rows = re.findall(
        r'<th scope="row">([^<]+)</th><td class="num"><a[^>]*>(\d+)<.*?<td class="num">(.*?)</td>',
        part,
    )
    return {
        label: (waiting, re.sub(r"<[^>]+>|\s.*", "", late) or late) for label, waiting, late in rows
    }


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_home_counts_the_files_over_the_target_per_step(client: Client) -> None:
    campaign = load_preset("imt-nord-europe")
    files = []
    for _ in range(4):
        candidate = eligible_candidate()
        files.append(submit(ready_application(candidate, campaign), by=candidate))
    now = dt.datetime.now(dt.UTC)
    late = now - dt.timedelta(days=8)
    Application.objects.filter(pk=files[0].pk).update(status_changed_at=late)
    Application.objects.filter(pk=files[1].pk).update(status_changed_at=now - dt.timedelta(6))
    Application.objects.filter(pk=files[2].pk).update(
        status=Status.COMPLETE, status_changed_at=late
    )
    # Waiting on the candidate, not the staff: never counted late.
    Application.objects.filter(pk=files[3].pk).update(
        status=Status.INCOMPLETE, status_changed_at=late
    )
    client.force_login(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution))
    page = client.get("/en/office/").content.decode()
    assert _lateness(page) == {"Submitted": ("2", "1"), "Complete, under review": ("1", "1")}
    assert "/en/office/queue/?status=submitted&amp;late=1&amp;sort=waiting" in page
