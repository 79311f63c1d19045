"""The home's figures that read every visible file: kept a short while per staff member.

The unread messages and the files over their target are counted over all the files a staff
member sees, which grows with the files. They are cached per user under the version
"staff-files", bumped in this process as soon as a file moves or its messages change
(receivers in office/apps.py), and in every process when the site shares a cache (Redis);
a figure computed by another process without a shared cache is at most `KEPT_SECONDS` old.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import get_language

from admissions.applications.models import Application
from admissions.applications.waiting import StepLateness, lateness_by_step
from admissions.core import versions
from admissions.people.models import User
from admissions.workflow.messages import unread_for_staff

VERSION = "staff-files"
KEPT_SECONDS = 30


@dataclass(frozen=True)
class HomeFigures:
    unread: int
    lateness: list[StepLateness]


def home_figures(
    user: User,
    files: Callable[[], QuerySet[Application]],
    targets: dict[int, int],
    now: dt.datetime,
) -> HomeFigures:
    """The figures over `files` (made only when the kept ones are out of date)."""
    # The labels of the steps are in the reader's language.
    key = f"office-home:{user.pk}:{get_language()}:{versions.current(VERSION)}"
    found = cache.get(key)
    if isinstance(found, HomeFigures):
        return found
    figures = HomeFigures(
        unread=sum(unread_for_staff(user).values()),
        lateness=lateness_by_step(files(), targets, now),
    )
    cache.set(key, figures, KEPT_SECONDS)
    return figures


def files_changed(**kwargs: Any) -> None:
    """Receiver: a file moved, or its messages changed."""
    versions.bump(VERSION)
