"""The finance office's decisions through the API: a refund request approved, rejected or
paid back, a payment issue closed, through the pages' services, within the finance pages'
scope (404 outside)."""

from __future__ import annotations

import pytest
import time_machine
from django.test import Client

from admissions.payments.models import IssueStatus, PaymentIssue, RefundRequest, RefundStatus
from admissions.people.models import Role
from tests.api.test_staff_api import as_
from tests.budgets.world import NORD, NOW, build
from tests.factories import load_preset, staff_member

pytestmark = pytest.mark.django_db
JSON = "application/json"


@time_machine.travel(NOW, tick=False)
def test_finance_decisions_through_the_api() -> None:
    world = build()
    refund = RefundRequest.objects.filter(status=RefundStatus.REQUESTED).order_by("pk")[0]
    issue = PaymentIssue.objects.filter(status=IssueStatus.OPEN).order_by("pk")[0]
    refund_url = f"/api/v1/staff/finance/refunds/{refund.pk}/decision"
    issue_url = f"/api/v1/staff/finance/issues/{issue.pk}/resolve"
    bs = load_preset("imt-bs")
    outsiders = [
        world.people["submitted"],
        staff_member(Role.FINANCE_OFFICER, institution=bs.institution),
        world.people[f"officer@{NORD}"],  # no finance role
    ]
    for user in outsiders:
        client = as_(user)
        assert (
            client.post(refund_url, {"decision": "approve"}, content_type=JSON).status_code == 404
        )
        assert client.post(issue_url, {"status": "kept"}, content_type=JSON).status_code == 404
    assert Client().post(refund_url, {"decision": "approve"}, content_type=JSON).status_code == 401
    finance = as_(world.people[f"finance@{NORD}"])
    unknown = finance.post(refund_url, {"decision": "forget"}, content_type=JSON)
    assert unknown.status_code == 422
    assert unknown.json()["details"][0]["field"] == "decision"
    no_reason = finance.post(refund_url, {"decision": "reject"}, content_type=JSON)
    assert no_reason.status_code == 409  # the service's refusal, as the page tells it
    assert no_reason.json()["code"] == "reason_required"
    # The rulebook keeps the application fee: approving is refused, as on the page.
    refused = finance.post(refund_url, {"decision": "approve"}, content_type=JSON)
    assert refused.status_code == 409
    assert refused.json()["code"] == "refund_not_allowed"
    rejected = finance.post(
        refund_url, {"decision": "reject", "note": "Not refundable"}, content_type=JSON
    )
    assert rejected.status_code == 200, rejected.content
    assert rejected.json()["status"] == RefundStatus.REJECTED
    assert rejected.json()["decision_note"] == "Not refundable"
    again = finance.post(refund_url, {"decision": "approve"}, content_type=JSON)
    assert again.status_code == 409
    refund.refresh_from_db()
    assert refund.status == RefundStatus.REJECTED
    # A payment issue: only the ways its kind allows.
    wrong = finance.post(issue_url, {"status": "nonsense"}, content_type=JSON)
    assert wrong.status_code == 422
    assert wrong.json()["details"][0]["field"] == "status"
    no_charge = finance.post(
        issue_url,
        {"status": issue.resolutions[0], "charge_reference": "RF00 NOPE"},
        content_type=JSON,
    )
    assert no_charge.status_code == 422
    assert no_charge.json()["details"][0]["field"] == "charge_reference"
    way = next(s for s in issue.resolutions if s != IssueStatus.ASSIGNED)
    closed = finance.post(issue_url, {"status": way, "note": "Sent back"}, content_type=JSON)
    assert closed.status_code == 200, closed.content
    assert closed.json()["status"] == way
    issue.refresh_from_db()
    assert issue.status == way
    assert finance.post(issue_url, {"status": way}, content_type=JSON).status_code == 422
