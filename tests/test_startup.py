"""What a web worker loads before its first request: the application and every view, but
none of the heavy libraries that only some requests need (docs/operations.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.test_settings import SOURCE_DIR

# Loaded where they are used: PDF reading and writing, images, IBAN checks, Redis, the card
# provider, object storage, calendar invitations, Django's test client, X.509 certificates,
# SAML (with lxml and xmlsec) and WebAuthn (people/auth_urls.py).
HEAVY = [
    "pikepdf",
    "PIL",
    "schwifty",
    "redis",
    "stripe",
    "boto3",
    "reportlab",
    "icalendar",
    "django.test.client",
    "cryptography",
    "onelogin",
    "lxml",
    "xmlsec",
    "fido2",
]

STARTUP = """
import json, sys
from django.urls import get_resolver
from admissions.wsgi import application
get_resolver().url_patterns  # every URLconf and view module, as the first request loads them
print(json.dumps(sorted(name for name in sys.modules if name in %r or name.split(".")[0] in %r)))
"""


def test_a_web_worker_loads_no_heavy_library_at_start_up(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", STARTUP % (HEAVY, HEAVY)],
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(SOURCE_DIR),
            "HOME": str(tmp_path),
            "ADMISSIONS_VAR_DIR": str(tmp_path / "var"),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
