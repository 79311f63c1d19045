"""Numbers that need not be gapless: unique, increasing, and never waited for."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from admissions.core.sequences import next_number

pytestmark = pytest.mark.django_db


def test_numbers_follow_each_other_per_key() -> None:
    assert [next_number("test:a"), next_number("test:a"), next_number("test:b")] == [1, 2, 1]


@pytest.mark.postgres_only
@pytest.mark.postgres
def test_a_sequence_whose_creation_was_rolled_back_is_made_again(
    database_engine: str, django_capture_on_commit_callbacks: Any
) -> None:
    with transaction.atomic():
        # What runs the hooks of a transaction that is then undone (as a test does).
        with django_capture_on_commit_callbacks(execute=True):
            assert next_number("test:undone") == 1
        transaction.set_rollback(True)
    assert next_number("test:undone") == 1
    assert next_number("test:undone") == 2
