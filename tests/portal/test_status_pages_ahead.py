"""The status pages of a publication's files rendered ahead into a shared pages cache (Redis):
each candidate's first look is a kept page, in their language, equal to the page their own
request renders; a change made after that shows on the next look; with each process's own
memory cache nothing is queued."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import JurySession, Programme
from admissions.core.errors import DomainError
from admissions.jury import decisions, publication
from admissions.people.models import User
from admissions.portal import status_ahead
from admissions.workflow.messages import post_message
from tests.jury.cleanup import remove_published_decisions
from tests.jury.conftest import OnAgenda
from tests.jury.conftest import clock as clock  # the fixtures, shared
from tests.jury.conftest import march as march
from tests.jury.conftest import nord as nord
from tests.jury.conftest import officer as officer
from tests.jury.conftest import on_agenda as on_agenda
from tests.jury.conftest import panel as panel
from tests.jury.conftest import submitted as submitted
from tests.portal.test_status_page_kept import RENDERED
from tests.portal.test_status_page_kept import renders as renders  # its autouse fixture

# A kept page costs one statement: the session with its user and the file's version, the
# version read there the same as the one the page was rendered ahead under.
HIT = 1
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TASK = status_ahead.render_ahead.module_path
OUTCOMES: list[dict[str, Any]] = [
    {"outcome": "admitted"},
    {"outcome": "waitlisted", "waitlist_rank": 1, "reason": "Bon dossier"},
    {"outcome": "not_admitted", "reason": "Projet flou"},
    {"outcome": "admitted_conditionally"},
]


@pytest.fixture
def database_queue(settings: Settings) -> None:
    """Tasks wait in the database queue, as in production, until `run_queued` works them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def shared_pages(settings: Settings, redis_server: str) -> Iterator[None]:
    """The pages cache in Redis, as a site with `ADMISSIONS_CACHE_URL` has it."""
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server,
            "KEY_PREFIX": "pages",
        },
    }
    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.fixture
def committed(transactional_db: None) -> Iterator[None]:
    """Real commits; the decisions published (irrevocable) are removed before the tables
    are emptied."""
    yield
    remove_published_decisions()


def run_queued() -> int:
    """Work the queued renderings as a worker does (not its loop, which would close the test's
    connection); returns how many tasks ran."""
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    ran = 0
    while (found := DBTaskResult.objects.ready().filter(task_path=TASK).get_locked()) is not None:
        found.claim("tests")
        worker.run_task(found)
        found.refresh_from_db()
        assert found.status == "SUCCESSFUL", found.traceback
        ran += 1
    return ran


def decided(on_agenda: OnAgenda, panel: dict[str, User], march: JurySession) -> list[Application]:
    """Four files decided and validated, one of each outcome; the first two candidates read
    English, the others French."""
    files = []
    for n, outcome in enumerate(OUTCOMES):
        application = on_agenda(in_progress=outcome["outcome"] == "admitted_conditionally")
        User.objects.filter(pk=application.candidate_id).update(
            preferred_language="en" if n < 2 else "fr"
        )
        decisions.enter_decision(application, by=panel["a"], **outcome)
        files.append(application)
    decisions.validate_decisions(march, by=panel["president"])
    return files


def publish(session: JurySession) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        publication.publish_session(session.pk)


def address(application: Application, language: str) -> str:
    with translation.override(language):
        return reverse("portal:application_status", args=[application.reference])


def look(client: Client, path: str) -> tuple[str, int, bool]:
    """The page (its CSRF tokens blanked), its queries, and whether it was rendered."""
    before = len(RENDERED)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    html = TOKEN.sub('name="csrfmiddlewaretoken" value=""', response.content.decode())
    # A statement is prepared once per PostgreSQL connection (core/prepared.py), on whichever
    # request first runs it: not a cost of this page.
    queries = [q for q in captured.captured_queries if not q["sql"].startswith("PREPARE ")]
    return html, len(queries), len(RENDERED) > before


def client_of(user_id: int) -> Client:
    client = Client()
    client.force_login(User.objects.get(pk=user_id))
    return client


def fresh(client: Client, path: str) -> str:
    """The page as a request renders it with nothing kept."""
    caches["pages"].clear()
    html, _, rendered = look(client, path)
    assert rendered
    return html


def test_each_candidates_first_look_is_kept_and_equals_their_own_render(
    shared_pages: None,
    database_queue: None,
    on_agenda: OnAgenda,
    panel: dict[str, User],
    march: JurySession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(status_ahead, "CHUNK", 3)
    files = decided(on_agenda, panel, march)
    publish(march)
    # The publication rendered nothing itself: it queued tasks of CHUNK files.
    assert RENDERED == []
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 2
    assert run_queued() == 2
    assert len(RENDERED) == len(files)
    first_looks = []
    for n, application in enumerate(files):
        application.refresh_from_db()
        assert application.status != Status.ON_AGENDA
        language = "en" if n < 2 else "fr"
        client = client_of(application.candidate_id)
        path = address(application, language)
        first, queries, rendered = look(client, path)
        assert (queries, rendered) == (HIT, False), application.status
        assert f'<html lang="{language}">' in first
        first_looks.append((client, path, first))
    for client, path, first in first_looks:
        assert first == fresh(client, path)


def test_the_pages_are_rendered_in_each_candidates_language(
    shared_pages: None,
    database_queue: None,
    on_agenda: OnAgenda,
    panel: dict[str, User],
    march: JurySession,
) -> None:
    english, _, french, _ = decided(on_agenda, panel, march)
    publish(march)
    run_queued()
    english_client, french_client = client_of(english.candidate_id), client_of(french.candidate_id)
    page, _, rendered = look(english_client, address(english, "en"))
    assert not rendered
    assert "Where my file stands" in page
    page, _, rendered = look(french_client, address(french, "fr"))
    assert not rendered
    assert "Où en est mon dossier" in page
    # The other language was not rendered ahead: its first look renders it.
    assert look(english_client, address(english, "fr"))[2]


def test_a_change_after_the_pages_were_rendered_shows_on_the_next_look(
    shared_pages: None,
    database_queue: None,
    on_agenda: OnAgenda,
    panel: dict[str, User],
    march: JurySession,
    officer: User,
) -> None:
    admitted, *_ = decided(on_agenda, panel, march)
    publish(march)
    run_queued()
    post_message(admitted, by=officer, body="Bienvenue ! Voici les prochaines étapes.")
    client = client_of(admitted.candidate_id)
    path = address(admitted, "en")
    page, _, rendered = look(client, path)
    assert rendered, "the message did not change the page's version"
    assert "1 new" in page
    assert page == fresh(client, path)


def test_a_task_leaves_a_page_already_kept_as_it_is(
    shared_pages: None,
    database_queue: None,
    on_agenda: OnAgenda,
    panel: dict[str, User],
    march: JurySession,
) -> None:
    files = decided(on_agenda, panel, march)
    publish(march)
    run_queued()
    RENDERED.clear()
    assert status_ahead.render_ahead.call([a.pk for a in files]) == 0
    assert RENDERED == []


def test_a_refused_publication_queues_nothing(
    shared_pages: None,
    database_queue: None,
    on_agenda: OnAgenda,
    panel: dict[str, User],
    march: JurySession,
) -> None:
    admitted, *_ = decided(on_agenda, panel, march)
    Programme.objects.filter(pk=admitted.programme_id).update(capacity=0)
    with pytest.raises(DomainError):
        publish(march)
    assert not DBTaskResult.objects.filter(task_path=TASK).exists()


def test_with_each_processs_own_cache_nothing_is_queued(
    database_queue: None,
    on_agenda: OnAgenda,
    panel: dict[str, User],
    march: JurySession,
) -> None:
    """The pages cache in each process's memory (the default): a page rendered by a worker
    would serve no web process."""
    assert not status_ahead.shared()
    files = decided(on_agenda, panel, march)
    publish(march)
    assert all(Application.objects.get(pk=a.pk).status != Status.ON_AGENDA for a in files)
    assert not DBTaskResult.objects.filter(task_path=TASK).exists()
    assert status_ahead.render_ahead.call([a.pk for a in files]) == 0
    assert RENDERED == []


@pytest.mark.parametrize("one_by_one", [False, True])
def test_the_pages_are_rendered_after_the_publications_emails_are_sent(
    shared_pages: None,
    on_agenda: OnAgenda,
    panel: dict[str, User],
    march: JurySession,
    one_by_one: bool,
    committed: None,
) -> None:
    """Each email sent writes a line in its file's history, which the page shows: a page
    rendered before its emails were sent would be outdated. With the tests' task backend,
    which runs each task as it is queued, and real commits (the hooks of a commit made
    inside another's run at once, as in production): the emails first, the confirmation's
    included, then the pages, whichever way the session is published."""
    files = decided(on_agenda, panel, march)
    publication.publish_session(march.pk, one_by_one=one_by_one)
    assert len(RENDERED) == len(files)
    for n, application in enumerate(files):
        client = client_of(application.candidate_id)
        page, queries, rendered = look(client, address(application, "en" if n < 2 else "fr"))
        assert (queries, rendered) == (HIT, False)
        assert "Email sent" in page or "Email envoyé" in page
