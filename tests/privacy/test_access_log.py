"""Every view or download of a document by staff is logged; the administrator reads the log."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Institution
from admissions.documents.models import AccessKind, DocumentAccess, DocumentVersion
from admissions.people.models import Role, User
from tests.documents import corpus
from tests.documents.conftest import Upload
from tests.factories import load_preset, staff_member


def version_of(application: Application) -> DocumentVersion:
    return DocumentVersion.objects.get(document__application=application)


def test_staff_reads_are_logged_and_the_candidates_are_not(
    client: Client, upload: Upload, application: Application, candidate: User, officer: User
) -> None:
    upload("cv", corpus.pdf())
    version = version_of(application)
    client.force_login(candidate)
    assert client.get(reverse("documents:download", args=[version.public_id])).status_code == 200
    assert not DocumentAccess.objects.exists()

    client.force_login(officer)
    download = client.get(
        reverse("documents:download", args=[version.public_id]), REMOTE_ADDR="203.0.113.7"
    )
    assert download.status_code == 200
    preview = client.get(reverse("office:preview", args=[version.public_id]))
    assert preview.status_code == 200
    bundle = client.get(reverse("documents:bundle", args=[application.reference]))
    assert bundle.status_code == 200
    rows = list(DocumentAccess.objects.order_by("at", "pk"))
    assert [row.kind for row in rows] == [AccessKind.DOWNLOAD, AccessKind.VIEW, AccessKind.BUNDLE]
    first = rows[0]
    assert (first.user_id, first.application_id, first.version_id) == (
        officer.pk,
        application.pk,
        version.pk,
    )
    assert (first.requirement_code, first.version_number) == ("cv", 1)
    assert first.ip_address == "203.0.113.7"
    assert first.institution_id == application.programme.institution_id


def test_a_refused_read_is_not_logged(
    client: Client, upload: Upload, application: Application, campaign: Campaign
) -> None:
    upload("cv", corpus.pdf())
    stranger = staff_member(Role.ADMISSIONS_OFFICER, institution=load_preset("imt-bs").institution)
    client.force_login(stranger)
    url = reverse("documents:download", args=[version_of(application).public_id])
    assert client.get(url).status_code == 404
    assert not DocumentAccess.objects.exists()


def test_the_administrator_reads_the_log_filtered_by_reader_and_file(
    client: Client,
    upload: Upload,
    application: Application,
    campaign: Campaign,
    officer: User,
    interviewer: User,
) -> None:
    upload("cv", corpus.pdf())
    version = version_of(application)
    for reader in (officer, interviewer):
        client.force_login(reader)
        client.get(reverse("documents:download", args=[version.public_id]))
    admin = staff_member(Role.INSTITUTION_ADMIN, institution=campaign.institution)
    client.force_login(admin)
    assert client.get(reverse("office:access_logs")).status_code == 302
    url = reverse("office:access_log", args=[campaign.institution.slug])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert officer.email in text
    assert interviewer.email in text
    one = client.get(url, {"staff": officer.pk, "file": application.reference})
    assert one.status_code == 200
    text = one.content.decode()
    assert officer.email in text.split("<tbody>")[1]
    assert interviewer.email not in text.split("<tbody>")[1]
    wrong = client.get(url, {"file": "NOPE-1"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert wrong.status_code == 422
    assert "Aucun dossier de cet établissement ne porte cette référence." in wrong.content.decode()
    wrong = client.get("/en" + url, {"file": "NOPE-1"})
    assert "No file of this institution has this reference." in wrong.content.decode()
    bad = client.get(url, {"staff": "abc"})
    assert bad.status_code == 422


def test_other_people_get_404(client: Client, campaign: Campaign, officer: User) -> None:
    url = reverse("office:access_log", args=[campaign.institution.slug])
    other = load_preset("imt-bs").institution
    foreign_admin = staff_member(Role.INSTITUTION_ADMIN, institution=other)
    for person in (foreign_admin, officer):
        client.force_login(person)
        assert client.get(url).status_code == 404
    client.force_login(foreign_admin)
    assert client.get(reverse("office:access_log", args=["nowhere"])).status_code == 404
    assert Institution.objects.count() == 2
    client.logout()
    assert client.get(url).status_code == 302  # to the sign-in page
