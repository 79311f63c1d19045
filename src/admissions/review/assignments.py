"""Files given to a reviewer: a pedagogical lead or an interviewer of the file's programme.

Those who organise the review (the office, the lead, the institution's administrator) give
files out; the reviewer must hold a reviewing role on each file's programme. Each
assignment is an event of the file's history; giving a file to its reviewer again changes
nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from admissions.applications.history import record_event
from admissions.applications.models import Application
from admissions.catalog.models import Programme
from admissions.core.errors import ValidationFailed
from admissions.people.models import Role, StaffRole, User
from admissions.people.permissions import can_act_on_programme, programme_filter
from admissions.review.models import Assignment
from admissions.review.roles import require

ASSIGNERS = (
    Role.ADMISSIONS_OFFICER,
    Role.PEDAGOGICAL_LEAD,
    Role.INSTITUTION_ADMIN,
    Role.PLATFORM_ADMIN,
)
REVIEWERS = (Role.PEDAGOGICAL_LEAD, Role.INTERVIEWER)


def possible_reviewers(user: User) -> QuerySet[User]:
    """Leads and interviewers of the programmes `user` may give files out on."""
    programmes = Programme.objects.filter(programme_filter(user, ASSIGNERS))
    holders = StaffRole.objects.filter(role__in=list(REVIEWERS)).filter(
        Q(programme__in=programmes.values("pk"))
        | Q(programme__isnull=True, institution__in=programmes.values("institution_id"))
    )
    return (
        User.objects.filter(is_active=True, pk__in=holders.values("user_id"))
        .select_related("profile")
        .order_by("last_name", "first_name", "email")
    )


def reviewer_for(user: User, reviewer_id: int) -> User | None:
    """The reviewer `user` chose, if one of those they may give files to."""
    return possible_reviewers(user).filter(pk=reviewer_id).first()


def may_assign(user: User, applications: Sequence[Application]) -> bool:
    """Whether `user` organises the review of every one of these files."""
    return all(can_act_on_programme(user, a.programme_id, ASSIGNERS) for a in applications)


def assign_reviewer(
    applications: Sequence[Application], *, reviewer: User, by: User
) -> list[Application]:
    """Give each file to `reviewer`; returns the files whose reviewer changed.

    All or nothing: a single file out of `by`'s reach, or out of the reviewer's, refuses
    the whole batch before anything is written.
    """
    for application in applications:
        require(by, application, ASSIGNERS)
        if not can_act_on_programme(reviewer, application.programme_id, REVIEWERS):
            raise ValidationFailed(
                _("%(name)s reviews no file of %(programme)s.")
                % {"name": reviewer.display_name, "programme": application.programme.name},
                details={"field": "reviewer", "reference": application.reference},
            )
    changed: list[Application] = []
    with transaction.atomic():
        current = dict(
            Assignment.objects.select_for_update()
            .filter(application__in=[a.pk for a in applications])
            .values_list("application_id", "reviewer_id")
        )
        for application in applications:
            previous = current.get(application.pk)
            if previous == reviewer.pk:
                continue
            Assignment.objects.update_or_create(
                application=application, defaults={"reviewer": reviewer, "assigned_by": by}
            )
            details: dict[str, object] = {"reviewer": reviewer.pk}
            if previous is not None:
                details["previous_reviewer"] = previous
            record_event(application, action="review.assigned", by=by, details=details)
            changed.append(application)
    return changed
