"""A campaign's jury sessions: the rulebook's, or those a rolling jury's school sets; members."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from admissions.applications.history import record_event
from admissions.applications.models import Application
from admissions.catalog.models import Campaign, JurySession
from admissions.core.errors import DomainError, NotAllowed, ValidationFailed
from admissions.jury.access import JURY_ROLES, ORGANISERS, holds_role_at, require_organiser
from admissions.jury.models import Conflict, Seat, SessionMember
from admissions.people.models import Role, User
from admissions.rules.jury import session_cutoff


def cutoff_of(session: JurySession) -> dt.date:
    return session_cutoff(month=session.month, date=session.date, files_cutoff=session.files_cutoff)


def is_closed(session: JurySession) -> bool:
    """Published: the session decides nothing more, and takes no file."""
    publication = getattr(session, "publication", None)
    return publication is not None and publication.done_at is not None


def sessions_by_cutoff(campaign_id: int) -> list[JurySession]:
    sessions = JurySession.objects.filter(campaign_id=campaign_id, is_active=True).select_related(
        "publication"
    )
    return sorted(sessions, key=lambda session: (cutoff_of(session), session.pk))


def create_session(
    campaign: Campaign, *, by: User, date: dt.date, files_cutoff: dt.date
) -> JurySession:
    """A session of a rolling jury, set by the school (the rulebook lists none)."""
    if not holds_role_at(by, campaign.institution_id, ORGANISERS):
        raise NotAllowed(_("Only the admissions office sets jury sessions."))
    if not campaign.rules.jury.rolling:
        raise ValidationFailed(
            _("This campaign's jury meets at the sessions its rules list; none can be added.")
        )
    if files_cutoff > date:
        raise ValidationFailed(_("The cut-off for files cannot be after the session's day."))
    slug = slugify(f"jury-{date.isoformat()}")
    with transaction.atomic():
        if JurySession.objects.filter(campaign=campaign, slug=slug).exists():
            raise ValidationFailed(_("A session already sits on that day."))
        session = JurySession.objects.create(
            campaign=campaign,
            slug=slug,
            name_fr=f"Jury d'admission du {date:%d/%m/%Y}",
            name_en=f"Admission jury of {date:%d %B %Y}",
            month=date.strftime("%Y-%m"),
            date=date,
            files_cutoff=files_cutoff,
            from_rulebook=False,
        )
    return session


def add_member(session: JurySession, *, user: User, seat: Seat, by: User) -> SessionMember:
    require_organiser(by, session)
    needed = (Role.JURY_PRESIDENT,) if seat == Seat.PRESIDENT else JURY_ROLES
    if not holds_role_at(user, session.campaign.institution_id, needed):
        raise ValidationFailed(
            _("This person holds no jury role at this institution.")
            if seat == Seat.MEMBER
            else _("This person is not a jury president at this institution.")
        )
    try:
        with transaction.atomic():
            return SessionMember.objects.create(session=session, user=user, seat=seat, added_by=by)
    except IntegrityError:
        raise DomainError(
            _("This person already sits on the session, or it already has a president."),
            code="member_taken",
        ) from None


def set_presence(member: SessionMember, *, present: bool, by: User) -> None:
    require_organiser(by, member.session)
    SessionMember.objects.filter(pk=member.pk).update(present=present)


def members_of(session: JurySession) -> QuerySet[SessionMember]:
    return SessionMember.objects.filter(session=session).select_related("user__profile")


def declare_conflict(
    application: Application, *, member: User, reason: str, by: User, session: JurySession
) -> Conflict:
    """`member` may not decide `application`: declared by them, or by the office."""
    if by.pk != member.pk:
        require_organiser(by, session)
    if not reason.strip():
        raise ValidationFailed(_("Say what the conflict of interest is."))
    with transaction.atomic():
        conflict, created = Conflict.objects.get_or_create(
            application=application,
            member=member,
            defaults={"reason": reason.strip(), "declared_by": by},
        )
        if created:
            record_event(
                application,
                action="jury.conflict_declared",
                by=by,
                details={"member": member.pk, "session": session.pk, "reason": conflict.reason},
            )
    return conflict


def in_conflict(application_id: int, user_id: int) -> bool:
    return Conflict.objects.filter(application_id=application_id, member_id=user_id).exists()
