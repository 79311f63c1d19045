"""A campaign's rules changed through the API by its institution's administrators: a
deadline extended, a part of the rules checked then saved, through the catalogue pages'
services and forms; 404 to anyone else, as the pages do."""

from __future__ import annotations

import datetime as dt

from django.test import Client

from admissions.applications.models import ApplicationEvent
from admissions.catalog.models import Campaign, CatalogChange, DeadlineExtension, Programme
from admissions.notify.models import Notification
from admissions.people.models import Role
from tests.api.test_staff_api import as_
from tests.factories import draft, eligible_candidate, programme_of, staff_member

JSON = "application/json"
CAPACITY_SLUG = "ms-cybersecurite"


def _admin(campaign: Campaign) -> Client:
    return as_(staff_member(Role.INSTITUTION_ADMIN, institution=campaign.institution))


def _outsiders(campaign: Campaign, other: Campaign) -> list[Client]:
    return [
        as_(eligible_candidate()),
        as_(staff_member(Role.INSTITUTION_ADMIN, institution=other.institution)),
        # The school's staff other than its administrators: 404, as the pages answer.
        as_(staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)),
    ]


def test_an_administrator_extends_a_deadline_and_the_candidates_are_told(
    nord: Campaign, bs: Campaign
) -> None:
    candidate = eligible_candidate()
    application = draft(candidate, nord, programme_of(nord, CAPACITY_SLUG))
    url = f"/api/v1/staff/campaigns/{nord.pk}/deadline-extensions"
    new_day = nord.closes_on + dt.timedelta(days=4)
    body = {"which": "closes_on", "new_date": new_day.isoformat(), "reason": "Outage."}
    for outsider in _outsiders(nord, bs):
        answer = outsider.post(url, body, content_type=JSON)
        assert answer.status_code == 404
        assert answer.json()["code"] == "not_found"
    assert Client().post(url, body, content_type=JSON).status_code == 401
    admin = _admin(nord)
    missing = admin.post(
        url, {"which": "closes_on", "new_date": new_day.isoformat()}, content_type=JSON
    )
    assert missing.status_code == 422
    assert missing.json()["details"][0]["field"] == "reason"
    earlier = admin.post(
        url,
        {**body, "new_date": (nord.closes_on - dt.timedelta(days=1)).isoformat()},
        content_type=JSON,
        headers={"Accept-Language": "fr"},
    )
    assert earlier.status_code == 422
    assert earlier.json()["message"].startswith("La nouvelle date limite doit")
    assert not DeadlineExtension.objects.exists()

    key = {"Idempotency-Key": "extend-once"}
    done = admin.post(url, body, content_type=JSON, headers=key)
    again = admin.post(url, body, content_type=JSON, headers=key)

    assert done.status_code == 201, done.content
    assert done.json()["new_date"] == new_day.isoformat()
    assert done.json()["old_date"] == nord.closes_on.isoformat()
    assert again.json() == done.json()
    extension = DeadlineExtension.objects.get()
    assert (extension.reason, extension.new_date) == ("Outage.", new_day)
    assert Notification.objects.get(kind="deadline_extended").application == application


def test_a_change_is_checked_without_saving_then_saved(nord: Campaign, bs: Campaign) -> None:
    application = draft(eligible_candidate(), nord, programme_of(nord, CAPACITY_SLUG))
    base = f"/api/v1/staff/campaigns/{nord.pk}/rules/programme"
    body = {"key": CAPACITY_SLUG, "values": {"capacity": 31}}
    for outsider in _outsiders(nord, bs):
        assert outsider.post(base + "/check", body, content_type=JSON).status_code == 404
        assert outsider.post(base, body, content_type=JSON).status_code == 404
    assert Client().post(base, body, content_type=JSON).status_code == 401
    admin = _admin(nord)

    checked = admin.post(base + "/check", body, content_type=JSON)

    assert checked.status_code == 200, checked.content
    paths = [row["path"] for row in checked.json()["differences"]]
    assert paths == [f"programmes[{CAPACITY_SLUG}].capacity"]
    assert checked.json()["differences"][0]["new"] == 31
    assert checked.json()["impact"] == {"following": 1, "kept": 0}
    assert checked.json()["based_on"] == nord.rulebook_digest
    assert not CatalogChange.objects.exists()

    saved = admin.post(base, {**body, "based_on": checked.json()["based_on"]}, content_type=JSON)

    assert saved.status_code == 201, saved.content
    assert (saved.json()["kind"], saved.json()["subject"]) == ("programme", CAPACITY_SLUG)
    assert Programme.objects.get(slug=CAPACITY_SLUG).capacity == 31
    assert CatalogChange.objects.get().pk == saved.json()["id"]
    event = ApplicationEvent.objects.get(application=application, action="catalog.rules_changed")
    assert event.details["kept"] is False
    stale = admin.post(
        base,
        {"key": CAPACITY_SLUG, "values": {"capacity": 33}, "based_on": nord.rulebook_digest},
        content_type=JSON,
    )
    assert stale.status_code == 422
    assert stale.json()["code"] == "stale"
    assert Programme.objects.get(slug=CAPACITY_SLUG).capacity == 31


def test_refused_values_say_why_by_field_in_the_reader_s_language(nord: Campaign) -> None:
    admin = _admin(nord)
    dates = f"/api/v1/staff/campaigns/{nord.pk}/rules/dates"
    refused = admin.post(
        dates,
        {"values": {"opens_on": "2024-01-10", "closes_on": "2023-12-01"}},
        content_type=JSON,
        headers={"Accept-Language": "fr"},
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "validation_failed"
    assert refused.json()["details"][0] == {
        "field": "values.closes_on",
        "message": "Le dernier jour ne peut pas précéder le jour d’ouverture.",
        "type": "invalid",
    }
    fees = f"/api/v1/staff/campaigns/{nord.pk}/rules/fees"
    amount = admin.post(fees, {"values": {"application": "12,345"}}, content_type=JSON)
    assert amount.status_code == 422
    assert amount.json()["details"][0]["field"] == "values.application"
    unknown = admin.post(fees, {"values": {"colour": "red"}}, content_type=JSON)
    assert unknown.status_code == 422
    assert unknown.json()["details"][0]["field"] == "values.colour"
    nothing = admin.post(fees, {"values": {}}, content_type=JSON)
    assert nothing.status_code == 422
    assert nothing.json()["message"] == "Nothing was changed."
    for section, key in (
        ("nowhere", ""),
        ("programme", ""),
        ("programme", "no-such"),
        ("fees", "x"),
    ):
        answer = admin.post(
            f"/api/v1/staff/campaigns/{nord.pk}/rules/{section}/check",
            {"key": key},
            content_type=JSON,
        )
        assert answer.status_code == 404, (section, key)
    assert not CatalogChange.objects.exists()


def test_a_change_the_rulebook_refuses_lists_its_checks(bs: Campaign) -> None:
    admin = _admin(bs)  # IMT-BS's jury is rolling: it has no sessions
    values = {
        "slug": "jury-juin",
        "name_fr": "Jury de juin",
        "name_en": "June jury",
        "month": f"{bs.closes_on:%Y-%m}",
    }
    refused = admin.post(
        f"/api/v1/staff/campaigns/{bs.pk}/rules/jury-new",
        {"values": values},
        content_type=JSON,
    )
    assert refused.status_code == 422
    assert refused.json()["message"] == "The rules refuse this change."
    assert any("jury.rolling" in problem for problem in refused.json()["details"]["problems"])
    assert not CatalogChange.objects.exists()
