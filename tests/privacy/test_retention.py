"""The retention job: files past their period lose their personal data, statistics stay."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.test import TestCase

from admissions.applications.models import Application, ApplicationEvent, StepCount
from admissions.catalog.models import Campaign, Programme
from admissions.core.scheduler import with_registered
from admissions.documents.models import AccessKind, Document, DocumentAccess
from admissions.payments.models import FinanceDocument
from admissions.people.models import User
from admissions.privacy.erasure import erased_email
from admissions.privacy.models import ErasedFile, RetentionRun
from admissions.privacy.retention import apply_retention
from admissions.rules.deadlines import PARIS
from tests.documents import corpus
from tests.documents.conftest import Upload
from tests.workflow.places_helpers import NORD_PROGRAMME, decided

STATISTICS_FIELDS = (
    "pk",
    "status",
    "programme_id",
    "campaign_id",
    "track",
    "financing_mode",
    "entry_route",
    "eu_national",
    "lives_abroad",
    "submitted_at",
)


def statistics() -> tuple[list[Any], list[Any], int]:
    files = list(Application.objects.order_by("pk").values_list(*STATISTICS_FIELDS))
    counts = list(StepCount.objects.order_by("programme_id", "status").values_list())
    return files, counts, ApplicationEvent.objects.exclude(action__startswith="privacy.").count()


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def test_files_go_at_the_end_of_their_period_and_the_statistics_stay(
    campaign: Campaign,
    clock: time_machine.Coordinates,
    upload: Upload,
    application: Application,
    candidate: User,
) -> None:
    upload("cv", corpus.pdf())  # a draft never sent
    admitted = decided(campaign, NORD_PROGRAMME, "publish_admitted")
    other = Programme.objects.filter(institution=campaign.institution).exclude(slug=NORD_PROGRAMME)
    refused = decided(campaign, other.order_by("pk")[0].slug, "publish_not_admitted")
    before = statistics()

    # The campaign closed on 7 June 2024; files not admitted are kept 24 months.
    clock.move_to(paris(2026, 6, 7, 12))
    assert not apply_retention().changed  # the last day is still within the period
    clock.move_to(paris(2026, 6, 8, 12))
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = apply_retention()
    assert first.files == 2
    assert set(ErasedFile.objects.values_list("application_id", flat=True)) == {
        application.pk,
        refused.pk,
    }
    assert not Document.objects.filter(application__in=[application, refused]).exists()
    assert Document.objects.filter(application=admitted).exists()
    assert ApplicationEvent.objects.filter(application=refused, action="privacy.erased").exists()
    assert statistics() == before
    runs = RetentionRun.objects.count()
    assert runs == 1

    # A second run finds nothing to do and writes nothing.
    events = ApplicationEvent.objects.count()
    second = apply_retention()
    assert not second.changed
    assert ApplicationEvent.objects.count() == events
    assert RetentionRun.objects.count() == runs

    # Admitted files: five years after the end of the campaign.
    clock.move_to(paris(2029, 6, 8, 12))
    with TestCase.captureOnCommitCallbacks(execute=True):
        third = apply_retention()
    assert third.files == 1
    assert ErasedFile.objects.filter(application=admitted).exists()
    admitted.candidate.refresh_from_db()
    assert admitted.candidate.email == erased_email(admitted.candidate.pk)
    assert statistics() == before

    # Accounting records: ten years after their last entry (the fee, paid in February 2024).
    assert ErasedFile.objects.filter(accounting_erased_at__isnull=True).count() == 3
    clock.move_to(paris(2034, 2, 13, 12))
    fourth = apply_retention()
    assert fourth.accounting == 3
    for document in FinanceDocument.objects.filter(application=admitted):
        assert document.content["candidate"] == {"name": "", "email": ""}
    assert not ErasedFile.objects.filter(accounting_erased_at__isnull=True).exists()
    assert not apply_retention().changed
    assert statistics() == before


def test_the_access_log_keeps_its_months(
    campaign: Campaign, clock: time_machine.Coordinates, application: Application
) -> None:
    staff = User.objects.create_user("reader@example.org")
    DocumentAccess.objects.create(
        user=staff,
        institution=campaign.institution,
        application=application,
        reference=application.reference,
        requirement_code="cv",
        kind=AccessKind.VIEW,
    )
    clock.move_to(paris(2025, 2, 11, 12))  # 12 months less a day later
    assert apply_retention().access_log == 0
    clock.move_to(paris(2025, 2, 13, 12))
    assert apply_retention().access_log == 1
    assert not DocumentAccess.objects.exists()


def test_the_job_is_on_the_schedulers_list() -> None:
    assert "personal_data_retention" in [job.name for job in with_registered([], [])]
