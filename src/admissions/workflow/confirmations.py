"""Who reads and who confirms the values a school must still confirm in its rulebook.

Every staff member of an institution reads its campaigns' values "to be confirmed by the
school"; an institution administrator of the campaign's school (or a platform
administrator) confirms them, one recorded action each (catalog.confirmations).
"""

from __future__ import annotations

from django.db.models import QuerySet

from admissions.catalog.models import Campaign
from admissions.people.models import Role, StaffRole, User
from admissions.people.permissions import has_platform_role


def staff_campaigns(user: User) -> QuerySet[Campaign]:
    """The campaigns of the institutions `user` works for, newest first."""
    campaigns = Campaign.objects.select_related("institution").order_by("-opens_on", "-pk")
    if has_platform_role(user):
        return campaigns
    institutions = StaffRole.objects.filter(user=user).values("institution_id")
    return campaigns.filter(institution_id__in=institutions)


def can_confirm(user: User, campaign: Campaign) -> bool:
    """An institution administrator of the campaign's school, or a platform administrator."""
    return (
        has_platform_role(user)
        or StaffRole.objects.filter(
            user=user, role=Role.INSTITUTION_ADMIN, institution_id=campaign.institution_id
        ).exists()
    )
