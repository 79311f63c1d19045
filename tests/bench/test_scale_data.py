"""`bench/scale_data.py` writes consistent data: the rows it says, kept totals equal to a real
recount, and a database the application goes on using (ids and references taken after it).

Runs on the suite's database, SQLite or PostgreSQL (`--database=postgres`: COPY).
"""

from __future__ import annotations

import random
import sys
from collections import Counter
from pathlib import Path

import pytest
import time_machine
from django.db.models import Count, F, Max

from admissions.applications import report_counts
from admissions.applications.models import Application, ApplicationEvent, StepCount
from admissions.catalog.models import Campaign, Institution, Programme
from admissions.documents.models import Document, DocumentVersion
from admissions.payments import fee_totals
from admissions.payments.models import LedgerEntry
from admissions.people.models import User
from admissions.workflow.drafts import create_application
from tests.factories import IN_NORD_CAMPAIGN, eligible_candidate

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import scale_data  # the bench folder is not a package: found through sys.path

pytestmark = pytest.mark.django_db
FILES = 300


def _reached_on_rows() -> dict[int, tuple[int, object]]:
    rows = Application.objects.values_list("pk", "steps_reached", "step_reached_at")
    return {pk: (mask, since) for pk, mask, since in rows}


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_generator_writes_consistent_rows_and_totals() -> None:
    scale_data.load_rulebooks()
    assert Institution.objects.count() == 2
    assert Programme.objects.count() == scale_data.PROGRAMMES
    assert Campaign.objects.count() == 2

    generated = scale_data.generate(FILES, random.Random(7))

    statuses = Counter(Application.objects.values_list("status", flat=True))
    assert sum(statuses.values()) == FILES == generated.rows["applications"]
    assert len(statuses) > 10
    assert User.objects.count() == FILES // scale_data.APPLICATIONS_PER_CANDIDATE
    events = sum((1 + len(scale_data.PATHS[s])) * n for s, n in statuses.items())
    assert ApplicationEvent.objects.count() == events == generated.rows["history lines"]
    submitted = FILES - statuses["draft"]
    assert LedgerEntry.objects.filter(kind="charge").count() == submitted
    assert LedgerEntry.objects.count() == generated.rows["ledger entries"]
    assert Document.objects.count() == FILES * scale_data.DOCUMENTS_PER_FILE
    with_file = Document.objects.exclude(state="missing")
    assert with_file.filter(current_version__isnull=True).count() == 0
    assert DocumentVersion.objects.count() == with_file.count()
    assert DocumentVersion.objects.values("file").distinct().count() == scale_data.BLOBS
    # Three files per candidate, each to a programme of its campaign's institution.
    elsewhere = Application.objects.exclude(programme__institution=F("campaign__institution"))
    assert not elsewhere.exists()
    per_candidate = Application.objects.values("candidate").annotate(n=Count("programme"))
    assert {row["n"] for row in per_candidate} == {scale_data.APPLICATIONS_PER_CANDIDATE}

    # The kept totals are those a recount from the rows finds.
    counted, reached = report_counts.recount()
    assert report_counts.kept().as_dicts() == counted.as_dicts() != ({}, {}, {})
    assert _reached_on_rows() == {pk: (r.mask, r.since) for pk, r in reached.items()}
    steps = {
        (p, s): n
        for p, s, n in Application.objects.exclude(status="draft")
        .values_list("programme_id", "status")
        .annotate(n=Count("pk"))
    }
    assert {(c.programme_id, c.status): c.files for c in StepCount.objects.all()} == steps
    assert fee_totals.kept() == fee_totals.recount() != {}

    # A file opened afterwards through the service takes the next id and reference.
    campaign = Campaign.objects.get(institution__slug="imt-nord-europe")
    top_id = Application.objects.aggregate(top=Max("pk"))["top"]
    prefix = f"NE-{campaign.closes_on.year}-"
    taken = Application.objects.filter(reference__startswith=prefix).count()
    programme = Programme.objects.filter(institution=campaign.institution).order_by("pk").last()
    assert programme is not None
    track = programme.tracks[0]
    place = next(p for p in scale_data.places() if p.programme_id == programme.pk)
    new = create_application(
        candidate=eligible_candidate(),
        campaign=campaign,
        programme=programme,
        track=track,
        financing_mode=place.modes[track][0],
    )
    assert new.pk > top_id
    assert new.reference == f"{prefix}{taken + 1:06d}"
    assert Application.objects.filter(reference=new.reference).count() == 1
    assert report_counts.kept().as_dicts() == report_counts.recount()[0].as_dicts()
    assert fee_totals.kept() == fee_totals.recount()
