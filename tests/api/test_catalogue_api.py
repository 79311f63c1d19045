"""The public catalogue: institutions, campaigns, programmes as their pages show them."""

from __future__ import annotations

from django.test import Client

from admissions.catalog.models import Campaign
from admissions.people.models import User
from tests.factories import UserFactory, programme_of


def test_institutions_and_campaigns_are_public(nord: Campaign, bs: Campaign) -> None:
    client = Client()
    slugs = [i["slug"] for i in client.get("/api/v1/catalogue/institutions").json()]
    assert sorted(slugs) == ["imt-bs", "imt-nord-europe"]
    campaigns = client.get("/api/v1/catalogue/campaigns", {"institution": "imt-bs"}).json()
    assert [c["id"] for c in campaigns] == [bs.pk]
    assert campaigns[0]["open"] is True


def test_the_programme_page_in_the_readers_language(nord: Campaign) -> None:
    programme = programme_of(nord)
    url = f"/api/v1/catalogue/programmes/imt-nord-europe/{programme.slug}"
    english = Client().get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    french = Client().get(url, HTTP_ACCEPT_LANGUAGE="fr").json()
    assert english["name"] == programme.name_en
    assert french["name"] == programme.name_fr
    assert english["routes"]
    assert english["documents"]
    assert english["financing_modes"]
    assert "€" in english["application_fee"]
    assert english["campaign"]["id"] == nord.pk
    assert Client().get(url + "-nothing").status_code == 404


def test_the_catalogue_filters_as_its_page(nord: Campaign, bs: Campaign) -> None:
    everything = Client().get("/api/v1/catalogue/programmes").json()
    only_bs = Client().get("/api/v1/catalogue/programmes", {"school": "imt-bs"}).json()
    assert {p["institution"] for p in everything} == {"imt-bs", "imt-nord-europe"}
    assert {p["institution"] for p in only_bs} == {"imt-bs"}
    work_study = Client().get("/api/v1/catalogue/programmes", {"track": "work_study"}).json()
    assert all("work_study" in p["tracks"] for p in work_study)


def test_eligibility_from_my_saved_profile(api: Client, candidate: User, nord: Campaign) -> None:
    programme = programme_of(nord)
    body = {"institution": "imt-nord-europe", "programme": programme.slug, "track": "full_time"}
    answer = api.post("/api/v1/eligibility/check-my-profile", body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["eligible"] is True
    assert (
        Client()
        .post("/api/v1/eligibility/check-my-profile", body, content_type="application/json")
        .status_code
        == 401
    )


def test_eligibility_from_an_empty_profile_says_what_to_fill(db: None, nord: Campaign) -> None:
    client = Client()
    client.force_login(UserFactory())
    programme = programme_of(nord)
    body = {"institution": "imt-nord-europe", "programme": programme.slug, "track": "full_time"}
    answer = client.post(
        "/api/v1/eligibility/check-my-profile", body, content_type="application/json"
    )
    assert answer.status_code == 422
    assert answer.json()["code"] == "profile_incomplete"
