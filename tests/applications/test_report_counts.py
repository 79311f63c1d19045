"""The report's kept totals equal a recount from the history, whatever the moves."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from admissions.applications import report_counts
from admissions.applications.choices import financing_modes_for, tracks_of
from admissions.applications.funnel import BIT, Step, bucket_of, steps_in
from admissions.applications.history import Planned, transition, transition_many
from admissions.applications.lifecycle import (
    MOVES,
    SUBMITTED_STATUSES,
    TERMINAL,
    Status,
    allowed_actions,
)
from admissions.applications.models import Application, FunnelCount, StepDuration, WaitlistMove
from admissions.people.models import Role
from tests.factories import (
    IN_NORD_CAMPAIGN,
    draft,
    eligible_candidate,
    load_preset,
    programme_of,
    staff_member,
)

pytestmark = pytest.mark.django_db
ROUTES = ["standard", "derogatory", "vae"]


def _same() -> None:
    kept = report_counts.kept().as_dicts()
    counted, reached = report_counts.recount()
    assert kept == counted.as_dicts()
    rows = Application.objects.values_list("pk", "steps_reached", "step_reached_at")
    assert {pk: (mask, since) for pk, mask, since in rows} == {
        pk: (r.mask, r.since) for pk, r in reached.items()
    }


def _pick(actions: list[str], rng: random.Random) -> str:
    """Mostly a move that goes on, so that the walk reaches the far steps."""
    going_on = [a for a in actions if MOVES[a].target not in TERMINAL]
    return rng.choice(going_on if going_on and rng.random() > 0.08 else actions)


def _as_submitted(application: Application, rng: random.Random) -> None:
    """The columns submission copies on the file before its move (workflow.submission)."""
    Application.objects.filter(pk=application.pk).update(
        entry_route=rng.choice(ROUTES),
        eu_national=rng.choice([True, False, None]),
        lives_abroad=rng.choice([True, False]),
    )


def test_the_kept_totals_equal_a_recount_after_random_moves() -> None:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as clock:
        campaign = load_preset("imt-nord-europe")
        programmes = [
            programme_of(campaign, "ms-cybersecurite"),
            programme_of(campaign, "ms-transition-energetique"),
        ]
        actor = staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)
        rng = random.Random(20261206)
        files = []
        for n in range(24):
            track = rng.choice(tracks_of(campaign, programmes[n % 2]))
            mode = rng.choice(financing_modes_for(campaign, track)).code
            programme = programmes[n % 2]
            files.append(
                draft(eligible_candidate(), campaign, programme, track=track, financing_mode=mode)
            )
        _same()
        moves = 0
        for _round in range(160):
            clock.shift(dt.timedelta(hours=rng.choice([1, 5, 30, 200, 900])))
            if rng.random() < 0.25:
                # Several files at once, as a jury's publication moves them.
                planned = []
                for application in rng.sample(files, 4):
                    application.refresh_from_db()
                    actions = [
                        a
                        for a in allowed_actions(application.status)
                        if MOVES[a].target not in SUBMITTED_STATUSES
                    ]
                    if actions:
                        planned.append(Planned(application.pk, _pick(actions, rng), actor))
                moves += len(transition_many(planned))
            else:
                index = rng.randrange(len(files))
                application = files[index]
                application.refresh_from_db()
                actions = allowed_actions(application.status)
                if not actions:
                    continue  # at the end of its road
                action = _pick(actions, rng)
                if application.status == Status.DRAFT:
                    _as_submitted(application, rng)
                transition(application, action=action, by=actor)
                moves += 1
            _same()
        assert moves > 40
        kept = report_counts.kept()
        assert len({key[2] for key in kept.funnel}) >= 5
        assert kept.durations
        assert any(key[4] in ROUTES for key in kept.funnel)


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_a_move_undone_counts_nothing() -> None:
    campaign = load_preset("imt-nord-europe")
    application = draft(eligible_candidate(), campaign, programme_of(campaign))
    transition(application, action="submit", by=None)
    before = report_counts.kept().as_dicts()

    def move_then_fail() -> None:
        with transaction.atomic():
            transition(application, action="mark_complete", by=None)
            raise RuntimeError("undone")

    with pytest.raises(RuntimeError):
        move_then_fail()
    assert report_counts.kept().as_dicts() == before
    _same()


def test_a_file_counts_in_every_step_it_reached_once() -> None:
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as clock:
        campaign = load_preset("imt-nord-europe")
        programme = programme_of(campaign)
        application = draft(eligible_candidate(), campaign, programme)
        clock.shift(dt.timedelta(days=3))
        transition(application, action="submit", by=None)
        clock.shift(dt.timedelta(days=2))
        transition(application, action="mark_complete", by=None)
        # Sent back for a piece, then complete again: counted once in each step.
        transition(application, action="request_documents", by=None)
        transition(application, action="resubmit", by=None)
        clock.shift(dt.timedelta(days=20))
        transition(application, action="mark_complete", by=None)
        transition(application, action="record_not_admissible", by=None)
        transition(application, action="place_on_agenda", by=None)
        clock.shift(dt.timedelta(days=40))
        transition(application, action="publish_waitlisted", by=None)
        transition(application, action="admit_from_waitlist", by=None)
        clock.shift(dt.timedelta(days=1))
        transition(application, action="confirm", by=None)
        transition(application, action="withdraw", by=None)
    application.refresh_from_db()
    assert steps_in(application.steps_reached) == [
        Step.DRAFTS,
        Step.SUBMITTED,
        Step.COMPLETE,
        Step.ADMITTED,
        Step.CONFIRMED,
        Step.ENROLLED,
    ]
    assert not application.steps_reached & BIT[Step.ADMISSIBLE]
    reached = {
        row.step: row.files for row in FunnelCount.objects.filter(programme=programme, dimension="")
    }
    assert reached == {
        "drafts": 1,
        "submitted": 1,
        "complete": 1,
        "admitted": 1,
        "confirmed": 1,
        "enrolled": 1,
    }
    durations = {
        (row.step, row.bucket): row.files
        for row in StepDuration.objects.filter(programme=programme)
    }
    # Drafting 3 days, submitted to complete 2 days, complete to admitted 60 days, 1 day
    # from the admission to the confirmation (and the enrolment with it).
    assert durations == {
        ("drafts", bucket_of(3)): 1,
        ("submitted", bucket_of(2)): 1,
        ("complete", bucket_of(60)): 1,
        ("admitted", bucket_of(1)): 1,
    }
    moves = set(WaitlistMove.objects.values_list("from_status", "to_status", "files"))
    assert moves == {("on_agenda", "waitlisted", 1), ("waitlisted", "admitted", 1)}
    _same()


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_command_counts_again_from_the_history() -> None:
    campaign = load_preset("imt-nord-europe")
    files = [draft(eligible_candidate(), campaign, programme_of(campaign)) for _ in range(3)]
    transition(files[0], action="submit", by=None)
    transition(files[0], action="mark_complete", by=None)
    FunnelCount.objects.all().delete()
    Application.objects.filter(pk=files[0].pk).update(steps_reached=1)
    WaitlistMove.objects.create(
        campaign=campaign, programme=programme_of(campaign), from_status="x", to_status="y", files=4
    )
    out = io.StringIO()
    call_command("rebuild_report_counts", stdout=out)
    _same()
    files[0].refresh_from_db()
    assert files[0].steps_reached == BIT[Step.DRAFTS] | BIT[Step.SUBMITTED] | BIT[Step.COMPLETE]
    assert not WaitlistMove.objects.exists()
    drafts = FunnelCount.objects.get(step="drafts", dimension="")
    assert drafts.files == 3
    assert "report counts written" in out.getvalue()
