import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers(client: Client) -> None:
    assert client.get("/healthz").status_code == 200
