"""A request Django cannot read gets a page in the reader's language, never a bare 400."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from admissions.core.views import bad_request
from tests.factories import eligible_candidate

pytestmark = pytest.mark.django_db


def long_name_form() -> bytes:
    return (
        b"--form\r\n"
        + b'Content-Disposition: form-data; name="given_names"; filename="'
        + b"a" * 5000
        + b'.pdf"\r\n\r\nx\r\n--form--\r\n'
    )


@pytest.mark.parametrize(
    ("prefix", "words"),
    [("/en", "The form could not be read"), ("", "Le formulaire n’a pas pu être lu")],
)
def test_a_form_django_cannot_parse_gets_a_page(client: Client, prefix: str, words: str) -> None:
    client.force_login(eligible_candidate())
    response = client.post(
        f"{prefix}/me/profile/identity/",
        data=long_name_form(),
        content_type="multipart/form-data; boundary=form",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html
    assert "<main" in html  # the site's own page, not Django's bare one


def test_a_host_the_site_does_not_serve_gets_a_page(client: Client) -> None:
    response = client.get("/en/", headers={"Host": "elsewhere.example"})
    assert response.status_code == 400
    assert "The form could not be read" in response.content.decode()


def test_under_the_api_the_answer_is_json() -> None:
    response = bad_request(RequestFactory().post("/api/v1/me/profile"))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
