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
# SAML (with lxml and xmlsec) and WebAuthn (people/auth_urls.py), bank statements' XML.
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
    "defusedxml",
    "xml.etree.ElementTree",
]

STARTUP = """
import json, sys
from django.urls import get_resolver
from admissions.wsgi import application
get_resolver().url_patterns  # every URLconf and view module, as the first request loads them
print(json.dumps(sorted(name for name in sys.modules if name in %r or name.split(".")[0] in %r)))
"""

# The API's areas build their pydantic models when imported (admissions/api/router.py): a
# worker loads none at start-up, nor for a page's links, and for an address only the areas
# under its prefix up to the one that has it: a draft's creation is in the first area under
# /applications, the staff's files in the first under /staff. A link of an answer into the
# API is reversed in the area that has it (the staff's list links to itself, a version of a
# document to its download): only a reverse() by Django of an API name loads every area.
API_AREAS = """
import json, sys, uuid
from django.urls import get_resolver, resolve, reverse
from admissions.wsgi import application
from admissions.api.router import AREAS, reverse_in_area
get_resolver().url_patterns
areas = sorted({name.rsplit(".", 1)[0] for _, name in AREAS})
loaded = lambda: [name for name in areas if name in sys.modules]
steps = {"start-up": loaded()}
reverse("portal:home")
steps["a page's link"] = loaded()
resolve("/api/v1/eligibility/check")
steps["an eligibility check"] = loaded()
resolve("/api/v1/applications")
steps["a draft's creation"] = loaded()
resolve("/api/v1/staff/files")
steps["the staff's files"] = loaded()
reverse_in_area("admissions.api.staff.router", "staff_files")
steps["the staff's list's own link"] = loaded()
reverse_in_area("admissions.api.documents.router", "document_file", [uuid.uuid4()])
steps["a document's download link"] = loaded()
resolve("/api/v1/staff/jury/sessions")
steps["the jury's sessions"] = loaded()
reverse("api:staff_files")
steps["a link into the API"] = loaded()
steps["every area"] = areas
print(json.dumps(steps))
"""

# The admin site's names are not gathered by a page's link, in any language
# (core/namespaces.py); a link into the admin reads them through Django's own resolver of
# the namespace, built by that first link.
ADMIN_NAMES = """
import json
from django.urls import URLResolver, get_resolver, reverse
from django.utils import translation
from admissions.wsgi import application
admin = [
    pattern
    for prefixed in get_resolver().url_patterns
    if isinstance(prefixed, URLResolver)
    for pattern in prefixed.url_patterns
    if getattr(pattern, "namespace", None) == "admin"
][0]
steps = {}
for language in ("fr", "en"):
    with translation.override(language):
        reverse("portal:home")
        steps[language + ": a page's link"] = sorted(admin._reverse_dict)
steps["a link into the admin"] = reverse("admin:index")
print(json.dumps(steps))
"""

# The first page builds the template engine, which imports every installed app's template
# tags: humanize's (one filter, and a catalogue per language) is not among them.
TEMPLATE_TAGS = """
import json, sys
from django.template import engines
from admissions.wsgi import application
engines["django"].from_string("{% load ui %}{{ 1234|grouped }}").render({})
print(json.dumps(sorted(name for name in sys.modules if "humanize" in name)))
"""


# The pages a worker may never serve load their views with their first request
# (core/lazy_views.py): not at start-up, not for the staff's home, nor for a link or an
# address resolved; the staff's home and queue and the candidate's file pages are there.
LAZY_VIEWS = [
    "admissions.office.after_jury_views",
    "admissions.office.catalogue_views",
    "admissions.office.file_views",
    "admissions.office.finance.views",
    "admissions.office.jury_views",
    "admissions.office.report_views",
    "admissions.portal.interview_views",
    "admissions.portal.messages_views",
    "admissions.portal.payments_views",
    "admissions.portal.privacy_views",
    "admissions.portal.profile_views",
    "admissions.portal.programme_views",
]
VIEWS = """
import json, sys
from django.urls import get_resolver, resolve, reverse
from admissions.wsgi import application
get_resolver().url_patterns
resolve("/office/")
resolve(reverse("office:jury_session", args=[1]))
reverse("portal:profile"), reverse("privacy:notice"), reverse("office:finance:issues")
eager = ["admissions.office.views", "admissions.office.queue_views",
         "admissions.portal.applications_views"]
print(json.dumps({"lazy": sorted(name for name in sys.modules if name in %r),
                  "eager": [name for name in eager if name in sys.modules]}))
"""

# The server runs with docstrings and asserts dropped (`PYTHONOPTIMIZE=2`,
# docs/operations.md): what the API's document says of an operation or a type is stated,
# never read from a docstring, and the document is the same with them or without.
OPENAPI = """
import json
from admissions.wsgi import application
from admissions.api.router import api
print(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), sort_keys=True))
"""


def run_in_a_worker(script: str, tmp_path: Path, *options: str) -> str:
    done = subprocess.run(
        [sys.executable, *options, "-c", script],
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
    return done.stdout.strip().splitlines()[-1]


def test_a_web_worker_loads_no_heavy_library_at_start_up(tmp_path: Path) -> None:
    assert json.loads(run_in_a_worker(STARTUP % (HEAVY, HEAVY), tmp_path)) == []


def test_the_api_areas_load_with_their_first_use(tmp_path: Path) -> None:
    steps = json.loads(run_in_a_worker(API_AREAS, tmp_path))
    assert steps["start-up"] == []
    assert steps["a page's link"] == []
    assert steps["an eligibility check"] == ["admissions.api.eligibility"]
    assert steps["a draft's creation"] == [
        "admissions.api.applications",
        "admissions.api.eligibility",
    ]
    assert steps["the staff's files"] == [
        "admissions.api.applications",
        "admissions.api.eligibility",
        "admissions.api.staff",
    ]
    assert steps["the staff's list's own link"] == steps["the staff's files"]
    assert steps["a document's download link"] == [
        "admissions.api.applications",
        "admissions.api.documents",
        "admissions.api.eligibility",
        "admissions.api.staff",
    ]
    # Tried in the order of AREAS: the staff's areas before the jury's, none after it.
    assert steps["the jury's sessions"] == [
        "admissions.api.applications",
        "admissions.api.documents",
        "admissions.api.eligibility",
        "admissions.api.jury",
        "admissions.api.review",
        "admissions.api.staff",
    ]
    assert steps["a link into the API"] == steps["every area"]
    assert len(steps["every area"]) == 29


def test_a_page_link_gathers_no_admin_name(tmp_path: Path) -> None:
    steps = json.loads(run_in_a_worker(ADMIN_NAMES, tmp_path))
    assert steps == {
        "fr: a page's link": [],
        "en: a page's link": [],
        "a link into the admin": "/admin/",
    }


def test_the_first_page_loads_no_humanize_tag(tmp_path: Path) -> None:
    assert json.loads(run_in_a_worker(TEMPLATE_TAGS, tmp_path)) == []


def test_the_pages_few_workers_serve_load_their_views_on_first_use(tmp_path: Path) -> None:
    loaded = json.loads(run_in_a_worker(VIEWS % (LAZY_VIEWS,), tmp_path))
    assert loaded == {
        "lazy": [],
        "eager": [
            "admissions.office.views",
            "admissions.office.queue_views",
            "admissions.portal.applications_views",
        ],
    }


def test_the_api_document_is_the_same_without_docstrings(tmp_path: Path) -> None:
    served = json.loads(run_in_a_worker(OPENAPI, tmp_path, "-OO"))
    assert served == json.loads(run_in_a_worker(OPENAPI, tmp_path))
    check = served["paths"]["/api/v1/eligibility/check"]["post"]
    assert check["description"].startswith("Which entry route of the programme")
    assert served["components"]["schemas"]["FeeDue"]["description"] == "When a charge becomes due."
