"""A row a `Batch` writes with stand-ins in place of its id and numbers (`DeferredWrites.fill`)
holds, once written, what was written: the whole values and the texts that name them."""

from __future__ import annotations

import pytest

from admissions.applications.choices import financing_modes_for, tracks_of
from admissions.applications.history import Batch
from admissions.applications.models import Application
from admissions.core.sequences import STAND_IN_DIGITS, next_numbers_and_ids
from tests.factories import eligible_candidate, load_preset, programme_of

pytestmark = pytest.mark.django_db


def test_a_row_made_with_stand_ins_holds_what_was_written() -> None:
    campaign = load_preset("imt-bs")
    programme = programme_of(campaign)
    track = str(tracks_of(campaign, programme)[0])
    _numbers, [taken] = next_numbers_and_ids([], [Application])
    stand_in = 10 ** (STAND_IN_DIGITS - 1) + 12_345
    batch = Batch(ahead={Application: stand_in})
    batch.writes.fill(lambda: {stand_in: taken, f"T-{stand_in}": "T-7"})
    application = Application(
        candidate=eligible_candidate(),
        campaign=campaign,
        programme=programme,
        track=track,
        financing_mode=financing_modes_for(campaign, track)[0].code,
        reference=f"T-{stand_in}",
        cover_letter=f"File T-{stand_in}, row {stand_in}.",
    )
    batch.insert(application)
    batch.write_alone()

    assert (application.pk, application.reference) == (taken, "T-7")
    assert application.cover_letter == f"File T-7, row {taken}."
    written = Application.objects.get(pk=taken)
    assert (written.reference, written.cover_letter) == ("T-7", application.cover_letter)
