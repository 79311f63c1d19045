"""The jury's periodic jobs, added to the platform's list by the app's `ready()`."""

from __future__ import annotations

import datetime as dt

from admissions.core.scheduler import Job
from admissions.jury.agenda import place_ready_files
from admissions.jury.publication import publish_due


def _agenda(now: dt.datetime) -> str:
    placed = place_ready_files(now)
    return f"files placed on a jury's agenda: {', '.join(placed) or 'none'}"


def _publish(now: dt.datetime) -> str:
    published = publish_due(now)
    return f"jury sessions published: {', '.join(published) or 'none'}"


JURY_JOBS = [Job("jury_agendas", _agenda), Job("jury_publications", _publish)]
