"""The files per programme and status kept with each move equal a count of the files."""

from __future__ import annotations

import io
import random

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count

from admissions.applications import step_counts
from admissions.applications.history import transition
from admissions.applications.lifecycle import Status, allowed_actions
from admissions.applications.models import Application, StepCount
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


def _counted() -> dict[tuple[int, str], int]:
    """What a COUNT of the files says, drafts left out."""
    rows = (
        Application.objects.exclude(status=Status.DRAFT)
        .order_by()
        .values_list("programme_id", "status")
        .annotate(n=Count("pk"))
    )
    return {(p, s): n for p, s, n in rows}


def _kept() -> dict[tuple[int, str], int]:
    rows = StepCount.objects.exclude(files=0).values_list("programme_id", "status", "files")
    return {(p, s): n for p, s, n in rows}


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_counts_equal_a_count_of_the_files_after_many_moves() -> None:
    campaign = load_preset("imt-nord-europe")
    programmes = [
        programme_of(campaign, "ms-cybersecurite"),
        programme_of(campaign, "ms-transition-energetique"),
    ]
    actor = staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution)
    files = [draft(eligible_candidate(), campaign, programmes[n % 2]) for n in range(8)]
    assert _kept() == {}
    rng = random.Random(20261206)
    moves = 0
    for _ in range(300):
        index = rng.randrange(len(files))
        application = files[index]
        application.refresh_from_db()
        actions = allowed_actions(application.status)
        if not actions:
            # At the end of its road: another candidate's file takes its place.
            files[index] = draft(eligible_candidate(), campaign, programmes[index % 2])
            continue
        transition(application, action=rng.choice(actions), by=actor)
        moves += 1
        assert _kept() == _counted()
    assert moves > 100
    # The walk went through many steps, not only the first.
    assert len({status for _, status in _kept()}) >= 3


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_a_move_undone_is_not_counted() -> None:
    campaign = load_preset("imt-nord-europe")
    application = draft(eligible_candidate(), campaign, programme_of(campaign))
    transition(application, action="submit", by=None)
    before = _kept()

    def move_then_fail() -> None:
        with transaction.atomic():
            transition(application, action=allowed_actions(Status.SUBMITTED)[0], by=None)
            raise RuntimeError("undone")

    with pytest.raises(RuntimeError):
        move_then_fail()
    assert _kept() == before == _counted()


@time_machine.travel(IN_NORD_CAMPAIGN, tick=False)
def test_the_command_counts_again_files_moved_without_a_transition() -> None:
    campaign = load_preset("imt-nord-europe")
    files = [draft(eligible_candidate(), campaign, programme_of(campaign)) for _ in range(3)]
    transition(files[0], action="submit", by=None)
    # As an import or generated data would: rows written without the life cycle.
    Application.objects.filter(pk__in=[f.pk for f in files[1:]]).update(status=Status.COMPLETE)
    StepCount.objects.create(programme=programme_of(campaign), status=Status.ADMITTED, files=7)
    assert _kept() != _counted()
    out = io.StringIO()
    call_command("rebuild_step_counts", stdout=out)
    assert (
        _kept()
        == _counted()
        == {
            (files[0].programme_id, "submitted"): 1,
            (files[0].programme_id, "complete"): 2,
        }
    )
    assert "2 step counts written" in out.getvalue()
    assert step_counts.rebuild() == 2
