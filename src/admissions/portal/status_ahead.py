"""The status pages of decided files rendered ahead, when the jury's decisions are published.

On result day every candidate of a session comes to their status page at once, told by the
decision's email. Each first look would render the page (a dozen queries and about 13 ms of
CPU) since nothing is kept yet: the platform would serve a few percent of what it serves
otherwise. So once a publication has committed, its files' pages are rendered into the
"pages" cache by background tasks of `CHUNK` files each, as the candidate's own request would
render them (`applications_views.keep_status_page`): the candidate as the reader, in their
language (the one their email's link is in), the CSRF token a placeholder, no message to
show. The first look is then a kept page. The key holds the file's version as read from the
data when the task runs (`workflow.status_version`): a change made after it (a payment, a
message, the candidate's own move) changes the version, and the next look renders the page
afresh, as for any kept page.

The tasks are queued by the receiver of `jury.signals.decisions_published`, sent after the
publication's commit (never inside its transaction) and after its emails' deliveries are
queued: a queue works its tasks in order, so a page is rendered once its file's emails are
sent. Rendered before, it would be outdated at once: each email sent writes a line in the
file's history, which the page shows (and its version follows).

Only where the pages cache is shared by every process (Redis, `ADMISSIONS_CACHE_URL`). With
each process's own memory (the embedded set-up) a page rendered by a task would be kept by
the process that ran it and serve no one else: then nothing is queued.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from admissions.applications import queries
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.jury.signals import decisions_published
from admissions.notify.context import language_of
from admissions.people.models import User
from admissions.portal import status_cache
from admissions.portal.applications_views import keep_status_page
from admissions.workflow.status_version import status_version

# Files whose pages one task renders: about 1.3 s of a worker's CPU.
CHUNK = 100


def shared() -> bool:
    """Whether a page kept by one process is found by the others."""
    return not isinstance(caches["pages"], LocMemCache | DummyCache)


def queue(application_ids: list[int]) -> int:
    """Queue the rendering of these files' status pages, `CHUNK` files a task; returns how
    many tasks were queued (none when the pages cache is not shared)."""
    if not application_ids or not shared():
        return 0
    tasks = 0
    for start in range(0, len(application_ids), CHUNK):
        render_ahead.enqueue(application_ids[start : start + CHUNK])
        tasks += 1
    return tasks


def _published(sender: Any, *, application_ids: list[int], **kwargs: Any) -> None:
    # Sent robustly: a queue that refuses is logged and costs the first looks a render.
    queue(application_ids)


def connect() -> None:
    decisions_published.connect(_published, dispatch_uid="portal.status_pages_ahead")


@task()
def render_ahead(application_ids: list[int]) -> int:
    """Render and keep the status pages of these files; returns how many were rendered (a
    page already kept under its current version is left as it is)."""
    if not shared():
        return 0
    files = list(
        Application.objects.filter(pk__in=application_ids)
        .exclude(status=Status.DRAFT)
        .order_by("pk")
        .values_list("reference", "candidate_id")
    )
    readers = User.objects.in_bulk({candidate for _, candidate in files})
    rendered = 0
    for reference, candidate_id in files:
        reader = readers.get(candidate_id)
        if reader is not None and reader.is_active:
            rendered += render_page(reader, reference)
    return rendered


def request_of(reader: User, path: str) -> HttpRequest:
    """The reader's GET of `path` as the status page's view sees it: signed in, no query
    string, no message waiting."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.user = reader
    return request


def render_page(reader: User, reference: str) -> bool:
    """Render the reader's status page of their file into the pages cache, in the reader's
    language, unless it is kept already; returns whether it was rendered."""
    language = language_of(reader)
    with translation.override(language):
        request = request_of(reader, reverse("portal:application_status", args=[reference]))
        found = status_version(reader.pk, reference)
        if found is None or found[1] == Status.DRAFT:
            return False
        key = status_cache.key(request, found[0], language)
        now = timezone.now()
        if status_cache.get(key, now) is not None:
            return False
        keep_status_page(request, queries.own_application(reader, reference), key, now)
    return True
