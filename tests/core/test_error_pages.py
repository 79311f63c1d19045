"""Error pages in the site's design and the reader's language; the admin and the API's
documentation readable too."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory
from django.utils import translation
from django.views import defaults

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"


def in_site_design(page: str) -> bool:
    return 'class="site-header"' in page and "admissions/css/site.css" in page


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("/en", "This page does not exist"), ("", "Cette page n’existe pas")],
)
def test_a_missing_page(client: Client, prefix: str, expected: str) -> None:
    response = client.get(f"{prefix}/nothing-here/")
    page = response.content.decode()
    assert response.status_code == 404
    assert in_site_design(page)
    assert expected in page


@pytest.mark.parametrize(
    ("view", "error", "status", "english", "french"),
    [
        (defaults.bad_request, SuspiciousOperation(), 400, "could not be understood", "comprise"),
        (defaults.permission_denied, PermissionDenied(), 403, "You may not open", "Vous ne pouvez"),
    ],
)
def test_bad_requests_and_refusals(
    rf: RequestFactory,
    view: object,
    error: Exception,
    status: int,
    english: str,
    french: str,
) -> None:
    for language, words in (("en", english), ("fr", french)):
        request = rf.get("/")
        request.user = UserFactory()  # type: ignore[attr-defined]
        with translation.override(language):
            response = view(request, error)  # type: ignore[operator]
        page = response.content.decode()
        assert response.status_code == status
        assert in_site_design(page)
        assert words in page


def test_a_server_error_needs_no_context(rf: RequestFactory) -> None:
    for language, words in (("en", "Something went wrong"), ("fr", "Une erreur")):
        with translation.override(language):
            response = defaults.server_error(rf.get("/"))
        page = response.content.decode()
        assert response.status_code == 500
        assert in_site_design(page)
        assert words in page


def test_a_form_sent_without_its_csrf_token(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/en/accounts/login/", {"login": "a@example.org", "password": "x"})
    page = response.content.decode()
    assert response.status_code == 403
    assert in_site_design(page)
    assert "This form could not be sent" in page
    response = client.post("/accounts/login/", {"login": "a@example.org", "password": "x"})
    assert "Ce formulaire n’a pas pu être envoyé" in response.content.decode()


def test_the_admin_speaks_the_reader_s_language(client: Client) -> None:
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    french = client.get("/admin/").content.decode()
    assert "Administration des admissions" in french
    assert "Catalogue" in french
    assert "Campagnes" in french
    assert "Candidatures" in french
    assert "Django" not in french.split("<title>", 1)[1].split("</title>", 1)[0]
    english = client.get("/en/admin/").content.decode()
    assert "Admissions administration" in english
    assert "Campaigns" in english


def test_the_api_documentation_s_assets_are_served_by_the_platform(client: Client) -> None:
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    # Found among the platform's own static files: served from here, as the CSP allows.
    assert finders.find("ninja/swagger-ui-init.js") is not None
    assert finders.find("ninja/swagger-ui-bundle.js") is not None


def test_the_readme_says_how_to_change_the_port_and_where_emails_go() -> None:
    readme = README.read_text(encoding="utf-8")
    assert "make run PORT=8080" in readme
    assert "serve --port 8080" in readme
    assert "printed in the terminal" in readme
    assert "verification link" in readme
