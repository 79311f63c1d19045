"""The jury's pages: who sees them, and the decisions, validation and publication made there."""

from __future__ import annotations

import io

import pikepdf
from django.test import Client
from django.urls import reverse

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import JurySession
from admissions.jury import decisions, publication
from admissions.jury.irrevocable import REFUSED
from admissions.jury.models import Conflict, Decision
from admissions.people.models import Role, User
from tests.documents.pdftext import pdf_text
from tests.factories import load_preset, staff_member
from tests.jury.conftest import OnAgenda


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_staff_out_of_scope_and_candidates_get_404(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    application = on_agenda()
    bs = load_preset("imt-bs")
    outsider = staff_member(Role.JURY_MEMBER, institution=bs.institution)
    page = reverse("office:jury_session", args=[march.pk])
    minutes = reverse("office:jury_minutes", args=[march.pk])
    for user in (outsider, application.candidate):
        assert _client(user).get(page).status_code == 404
        assert _client(user).get(minutes).status_code == 404
    assert _client(panel["a"]).get(page).status_code == 200


def test_a_member_decides_on_the_page_and_the_president_validates_and_publishes(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    application = on_agenda()
    member = _client(panel["a"])
    page = member.get(reverse("office:jury_session", args=[march.pk]))
    assert application.reference in page.content.decode()
    prefix = f"f{application.pk}"
    decide = reverse("office:jury_decide", args=[march.pk, application.reference])
    response = member.post(
        decide, {f"{prefix}-outcome": "waitlisted", f"{prefix}-waitlist_rank": "2"}
    )
    assert response.status_code == 302
    assert not Decision.objects.exists()  # a reason is required for the waiting list
    member.post(
        decide,
        {
            f"{prefix}-outcome": "waitlisted",
            f"{prefix}-waitlist_rank": "2",
            f"{prefix}-reason": "Bon dossier, places limitées",
        },
    )
    assert Decision.objects.get(application=application).waitlist_rank == 2
    president = _client(panel["president"])
    assert member.post(reverse("office:jury_validate", args=[march.pk])).status_code == 302
    assert Decision.objects.get().validated_at is None  # a member does not validate
    president.post(reverse("office:jury_validate", args=[march.pk]))
    president.post(reverse("office:jury_publish", args=[march.pk]), {"publish_at": ""})
    application.refresh_from_db()
    assert (application.status, application.waitlist_rank) == (Status.WAITLISTED, 2)
    # Published: the page offers no form, and a post is refused and recorded.
    page = member.get(reverse("office:jury_session", args=[march.pk])).content.decode()
    assert decide not in page
    member.post(decide, {f"{prefix}-outcome": "admitted"})
    event = ApplicationEvent.objects.get(application=application, action=REFUSED)
    assert event.details["path"] == "deliberation page"
    assert event.actor == panel["a"]


def test_a_member_declares_a_conflict_on_the_page(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    application = on_agenda()
    member = _client(panel["b"])
    member.post(
        reverse("office:jury_conflict", args=[march.pk, application.reference]),
        {"reason": "Ancienne collègue"},
    )
    assert Conflict.objects.filter(application=application, member=panel["b"]).exists()
    page = member.get(reverse("office:jury_session", args=[march.pk])).content.decode()
    assert "conflit" in page


def test_the_minutes_download_for_members(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    application = on_agenda()
    decisions.enter_decision(application, by=panel["a"], outcome="admitted")
    decisions.validate_decisions(march, by=panel["president"])
    publication.schedule_publication(march, by=panel["president"])
    response = _client(panel["c"]).get(reverse("office:jury_minutes", args=[march.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(pikepdf.open(io.BytesIO(response.content)))
    assert application.reference in text
    assert Application.objects.get(pk=application.pk).status == Status.ADMITTED


def test_the_office_seats_members_and_only_jury_staff(
    march: JurySession, officer: User, panel: dict[str, User]
) -> None:
    client = _client(officer)
    lead = staff_member(Role.PEDAGOGICAL_LEAD, institution=march.campaign.institution)
    client.post(reverse("office:jury_add_member", args=[march.pk]), {"user": lead.pk})
    assert not march.members.filter(user=lead).exists()
    juror = staff_member(Role.JURY_MEMBER, institution=march.campaign.institution)
    client.post(reverse("office:jury_add_member", args=[march.pk]), {"user": juror.pk})
    assert march.members.filter(user=juror).exists()
    sessions_page = client.get(reverse("office:jury_sessions")).content.decode()
    assert reverse("office:jury_session", args=[march.pk]) in sessions_page
