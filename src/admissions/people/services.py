"""The candidate's profile: fetching it, saving its parts, and how complete it is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from admissions.people.models import User
from admissions.people.profile import CandidateProfile, Education, WorkPeriod
from admissions.rules.experience import (
    MONTHS_PER_YEAR,
    Experience,
    Span,
    professional_experience,
)


def set_preferred_language(user: User, language: str) -> bool:
    """The language the person reads the site in becomes the language of their emails.

    Returns whether it changed; a language the site does not offer changes nothing.
    """
    if language not in dict(settings.LANGUAGES) or user.preferred_language == language:
        return False
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.preferred_language = language
    return True


def profile_for(user: User) -> CandidateProfile:
    """The user's own profile, created empty the first time it is asked for."""
    profile, _created = CandidateProfile.objects.get_or_create(user=user)
    return profile


def full_profile_for(user: User) -> CandidateProfile:
    """The user's profile with its education and work periods fetched in the same go."""
    profile_for(user)
    return CandidateProfile.objects.prefetch_related(
        Prefetch("education", queryset=Education.objects.order_by("-year", "-level", "-pk")),
        Prefetch("work_periods", queryset=WorkPeriod.objects.order_by("-start", "-pk")),
    ).get(user=user)


@transaction.atomic
def delete_education(*, profile: CandidateProfile, education: Education) -> None:
    if education.profile_id != profile.pk:
        raise Education.DoesNotExist
    education.delete()


@transaction.atomic
def delete_work_period(*, profile: CandidateProfile, period: WorkPeriod) -> None:
    if period.profile_id != profile.pk:
        raise WorkPeriod.DoesNotExist
    period.delete()


def experience_of(profile: CandidateProfile, on: dt.date) -> Experience:
    return professional_experience(list(profile.work_periods.all()), on)


def describe_span(span: Span) -> str:
    """ "4 years 2 months", "1 year", "5 months", or "less than a month" in the active language.

    Leftover days are not shown: eligibility compares exact durations, this is for reading.
    """
    years, months = divmod(span.months, MONTHS_PER_YEAR)
    parts = []
    if years:
        parts.append(ngettext("%(count)d year", "%(count)d years", years) % {"count": years})
    if months:
        parts.append(ngettext("%(count)d month", "%(count)d months", months) % {"count": months})
    if not parts:
        return str(_("less than a month")) if span.days else str(_("none"))
    return " ".join(parts)


@dataclass(frozen=True)
class Section:
    key: str
    label: str | Promise
    url_name: str
    done: bool


@dataclass(frozen=True)
class Completeness:
    sections: tuple[Section, ...]

    @property
    def done(self) -> int:
        return sum(section.done for section in self.sections)

    @property
    def total(self) -> int:
        return len(self.sections)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def complete(self) -> bool:
        return self.done == self.total


def completeness(profile: CandidateProfile) -> Completeness:
    """Which parts of the profile the rules need are filled in.

    Work experience and French level are not counted: having none is a valid answer.
    """
    return Completeness(
        sections=(
            Section(
                "identity",
                _("Identity"),
                "portal:profile_identity",
                bool(profile.given_names and profile.family_name and profile.birth_date),
            ),
            Section(
                "residence",
                _("Nationality and residence"),
                "portal:profile_residence",
                bool(profile.nationality and profile.residence_country),
            ),
            Section(
                "education",
                _("Education"),
                "portal:education_add",
                bool(profile.education.all()),
            ),
        )
    )
