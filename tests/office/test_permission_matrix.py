"""Every staff URL that names a file or a programme answers 404 to anyone outside its scope:
staff of another school whatever their role, and candidates (the file's own candidate too,
for the staff-only pages)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from admissions.applications.models import Application
from admissions.catalog.models import Campaign, JurySession
from admissions.people.models import Role, User
from admissions.workflow.submission import submit
from tests.factories import (
    IN_NORD_CAMPAIGN,
    eligible_candidate,
    load_preset,
    programme_of,
    ready_application,
    staff_member,
)

# Pages of a file that its candidate reads too (documents, payments): only staff are tried.
SHARED = {
    "documents:list",
    "documents:bundle",
    "documents:import",
    "documents:upload",
    "documents:upload_translation",
    "documents:delete",
    "documents:language",
}


def _named_urls() -> list[tuple[str, tuple[str, ...]]]:
    found: set[tuple[str, tuple[str, ...]]] = set()

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(p for p in (namespace, pattern.namespace or "") if p)
                walk(pattern.url_patterns, inner)
            elif pattern.name and namespace.split(":")[0] in {"office", "documents"}:
                params = tuple(pattern.pattern.regex.groupindex)
                if {"reference", "programme_id"} & set(params) or (
                    pattern.name.startswith("jury_") and params
                ):
                    found.add((f"{namespace}:{pattern.name}", params))

    walk(get_resolver().url_patterns, "")
    return sorted(found)


SCOPED = _named_urls()
STAFF_ROLES = [role for role in Role if role != Role.PLATFORM_ADMIN]


def test_the_walk_finds_the_staff_pages() -> None:
    names = {name for name, _ in SCOPED}
    assert {"office:file", "office:admissibility", "office:slots", "office:finance:file"} <= names
    assert len(SCOPED) >= 15


@pytest.fixture
def world(db: None) -> Iterator[tuple[Campaign, Campaign, Application]]:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False):
        bs = load_preset("imt-bs")
        nord = load_preset("imt-nord-europe")
        candidate = eligible_candidate()
        application = ready_application(
            candidate, bs, programme_of(bs), track="work_study", financing_mode="opco"
        )
        yield bs, nord, submit(application, by=candidate)


def _url(name: str, params: tuple[str, ...], application: Application) -> str:
    session, _created = JurySession.objects.get_or_create(
        campaign=application.campaign,
        slug="jury-test",
        defaults={"name_fr": "Jury", "name_en": "Jury", "month": "2024-03", "from_rulebook": False},
    )
    values = {
        "reference": application.reference,
        "programme_id": application.programme_id,
        "campaign_id": application.campaign_id,
        "pk": session.pk,
        "member_id": 1,
    }
    values["code"] = "cv"
    return reverse(name, kwargs={p: values[p] for p in params})


def _answer(client: Client, url: str) -> int:
    status = client.get(url).status_code
    if status == 405:
        status = client.post(url, {"decision": "accept", "text": "x"}).status_code
    return status


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_of_another_school_get_404_everywhere(
    client: Client, world: tuple[Campaign, Campaign, Application], role: Role
) -> None:
    _bs, nord, application = world
    client.force_login(staff_member(role, institution=nord.institution))
    answers = {name: _answer(client, _url(name, params, application)) for name, params in SCOPED}
    assert {name: code for name, code in answers.items() if code != 404} == {}


def test_candidates_get_404_on_the_staff_pages(
    client: Client, world: tuple[Campaign, Campaign, Application]
) -> None:
    _bs, _nord, application = world
    for user in (application.candidate, eligible_candidate()):
        client.force_login(user)
        answers = {
            name: _answer(client, _url(name, params, application))
            for name, params in SCOPED
            if name not in SHARED or user != application.candidate
        }
        assert {name: code for name, code in answers.items() if code != 404} == {}


def test_staff_of_the_programme_get_the_file(
    client: Client, world: tuple[Campaign, Campaign, Application]
) -> None:
    bs, _nord, application = world
    for role in STAFF_ROLES:
        user: User = staff_member(role, institution=bs.institution)
        client.force_login(user)
        assert client.get(f"/en/office/files/{application.reference}/").status_code == 200
