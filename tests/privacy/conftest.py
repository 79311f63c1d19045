"""The documents tests' personas and rulebook, with a storage folder of each test's own."""

from __future__ import annotations

from tests.documents.conftest import (  # noqa: F401 - fixtures
    application,
    campaign,
    candidate,
    clock,
    interviewer,
    media,
    officer,
    other_candidate,
    other_programme,
    programme,
    upload,
)
