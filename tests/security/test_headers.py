"""The security headers, on every page people reach, and the production transport settings.

Pages are found by following links from each person's home, on the demonstration data: each
answer carries a Content-Security-Policy whose scripts come from the site only (no inline
script, no `eval`), `X-Content-Type-Options: nosniff`, a frame refusal and a referrer policy;
each HTML page holds no inline script, event-handler attribute or `javascript:` link, which
the policy would block. Production is started in a process of its own, from its environment:
HTTPS enforced (HSTS, redirect), every cookie secure and out of reach of scripts.
"""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
import time_machine
from django.test import Client

from admissions.core.middleware import POLICY
from tests.budgets.world import NORD, NOW, build
from tests.test_settings import SAFE_PRODUCTION, SOURCE_DIR

pytestmark = pytest.mark.django_db

PAGES_PER_PERSON = 40
# Links not to follow while crawling: they change state or end the session.
SKIPPED = ("/accounts/logout/", "/i18n/", "/admin/")


class _Inline(HTMLParser):
    """What a strict policy would block in a page, and the links it holds."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and not values.get("src"):
            kind = values.get("type") or ""
            if kind not in ("application/json", "application/ld+json"):
                self.blocked.append(f"<script> without src, type={kind!r}")
        for name, value in attrs:
            if name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.blocked.append(f"<{tag} {name}={value!r}>")
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))


def _policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def _check(url: str, response: object) -> tuple[list[str], list[str]]:
    """Problems of one answer, and the links of its page."""
    problems = []
    headers = response.headers  # type: ignore[attr-defined]
    policy = _policy(headers.get("Content-Security-Policy", ""))
    scripts = policy.get("script-src", policy.get("default-src", []))
    if not scripts or set(scripts) - {"'self'", "'none'"}:
        problems.append(f"{url}: scripts allowed from {scripts}")
    if policy.get("frame-ancestors", ["*"])[0] not in ("'none'", "'self'"):
        problems.append(f"{url}: frame-ancestors {policy.get('frame-ancestors')}")
    if headers.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"{url}: no X-Content-Type-Options: nosniff")
    if headers.get("X-Frame-Options") not in ("DENY", "SAMEORIGIN"):
        problems.append(f"{url}: X-Frame-Options {headers.get('X-Frame-Options')}")
    if headers.get("Referrer-Policy") != "same-origin":
        problems.append(f"{url}: Referrer-Policy {headers.get('Referrer-Policy')}")
    if headers.get("Cross-Origin-Opener-Policy") != "same-origin":
        problems.append(
            f"{url}: Cross-Origin-Opener-Policy {headers.get('Cross-Origin-Opener-Policy')}"
        )
    if not headers.get("Content-Type", "").startswith("text/html"):
        return problems, []
    page = _Inline()
    page.feed(response.content.decode())  # type: ignore[attr-defined]
    problems += [f"{url}: {blocked}" for blocked in page.blocked]
    return problems, page.links


def _crawl(client: Client, start: str) -> tuple[int, list[str]]:
    """Pages seen and problems found, following the site's own links from `start`."""
    queue, seen, problems = [start], set(), []
    while queue and len(seen) < PAGES_PER_PERSON:
        url = urldefrag(queue.pop(0))[0]
        parts = urlsplit(url)
        if parts.netloc or url in seen or url.startswith(SKIPPED) or not url.startswith("/"):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            queue.append(response["Location"])
            continue
        found, links = _check(url, response)
        problems += found
        queue += links
    return len(seen), problems


@time_machine.travel(NOW, tick=False)
def test_every_page_reached_carries_the_headers_and_no_inline_script() -> None:
    world = build()
    problems = []
    for who, start in (
        ("anonymous", "/"),
        ("submitted", "/me/"),
        ("admitted", "/me/"),
        (f"officer@{NORD}", "/office/"),
        (f"finance@{NORD}", "/office/"),
        (f"admin@{NORD}", "/office/"),
    ):
        pages, found = _crawl(world.client(who), start)
        assert pages >= 10, (who, pages)
        problems += found
    assert not problems, "\n".join(problems)


def test_the_sites_policy_allows_no_inline_script_or_style() -> None:
    policy = _policy(POLICY)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_errors_and_the_api_carry_the_headers() -> None:
    for url in ("/nowhere/", "/api/v1/nowhere", "/api/v1/catalogue/programmes"):
        problems, _links = _check(url, Client().get(url))
        assert not problems, problems


PRODUCTION_REQUESTS = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings

# Pages name their assets plainly: no collectstatic manifest here. Nothing else changes.
plain_assets = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_assets}).enable()

site = Client(SERVER_NAME="admissions.example.org")
secure = {"X-Forwarded-Proto": "https"}
plain = site.get("/programmes/")
probe = site.get("/healthz")
page = site.get("/healthz", headers=secure)
language = site.post("/i18n/setlang/", {"language": "en", "next": "/"}, headers=secure)
form = site.get("/accounts/login/", headers=secure)
cookies = {}
for response in (language, form):
    for name, morsel in response.cookies.items():
        cookies[name] = {
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
        }
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location", "")],
    "probe": probe.status_code,
    "hsts": page.get("Strict-Transport-Security", ""),
    "cookies": cookies,
}))
"""


def test_production_enforces_https_and_secure_cookies(tmp_path: Path) -> None:
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(SOURCE_DIR),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "admissions.settings",
        "ADMISSIONS_VAR_DIR": str(tmp_path / "var"),
        **{f"ADMISSIONS_{name}": value for name, value in SAFE_PRODUCTION.items()},
        # The database is never reached by these requests: none needs a row.
        "ADMISSIONS_DATABASE_CONN_MAX_AGE": "0",
    }
    done = subprocess.run(
        [sys.executable, "-c", PRODUCTION_REQUESTS],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    assert seen["plain"] == [301, "https://admissions.example.org/programmes/"]
    assert seen["probe"] != 301  # the load balancer's probe may stay on HTTP
    assert seen["hsts"] == "max-age=31536000"
    for name in ("django_language", "csrftoken"):
        assert seen["cookies"][name] == {"secure": True, "httponly": True, "samesite": "Lax"}, (
            name,
            seen["cookies"],
        )


def test_the_session_cookie_is_secure_in_production(tmp_path: Path) -> None:
    """Set by a log-in, which needs the database: its settings are read instead."""
    report = (
        "import json; from admissions import settings as s; print(json.dumps(["
        "s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE]))"
    )
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(SOURCE_DIR),
        "HOME": str(tmp_path),
        "ADMISSIONS_VAR_DIR": str(tmp_path / "var"),
        **{f"ADMISSIONS_{key}": value for key, value in SAFE_PRODUCTION.items()},
    }
    done = subprocess.run(
        [sys.executable, "-c", report],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [True, True, "Lax"]


def test_the_page_check_finds_what_the_policy_would_block() -> None:
    page = _Inline()
    page.feed(
        '<script src="/static/a.js"></script><script type="application/json">{}</script>'
        '<script>alert(1)</script><button onclick="go()">Go</button>'
        '<a href="javascript:go()">Go</a><a href="/office/">Office</a>'
    )
    assert page.blocked == [
        "<script> without src, type=''",
        "<button onclick=...>",
        "<a href='javascript:go()'>",
    ]
    assert page.links == ["javascript:go()", "/office/"]
