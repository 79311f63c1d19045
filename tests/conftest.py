"""Test settings come from the environment, set here before Django reads its settings."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("ADMISSIONS_EMAIL_URL", "locmem://")
os.environ.setdefault("ADMISSIONS_TASKS", "immediate")
os.environ.setdefault("ADMISSIONS_MEDIA_ROOT", tempfile.mkdtemp(prefix="admissions-media-"))
os.environ.setdefault("ADMISSIONS_LOGIN_FAILED_RATE", "5/5m/ip,5/5m/key")

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fast_passwords(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
