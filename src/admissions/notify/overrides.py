"""An institution's own wording of its emails: checked, previewed on sample data, saved.

Only the institution's administrators (and platform administrators) change them. A text is
refused when it names a placeholder its email does not offer, or has a stray brace: the
reason is said in a sentence, and nothing is saved.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from admissions.catalog.models import Institution
from admissions.core.errors import NotAllowed, ValidationFailed
from admissions.notify.context import LANGUAGES, footer_of, speaking
from admissions.notify.kinds import KINDS, Kind
from admissions.notify.models import TemplateOverride
from admissions.notify.render import Rendered, Wording, render
from admissions.notify.restricted import problems
from admissions.people.models import Role, StaffRole, User
from admissions.people.permissions import has_platform_role

MAX_SUBJECT = 200
MAX_BODY = 10_000


def editable_institutions(user: User) -> QuerySet[Institution]:
    if not user.is_authenticated:
        return Institution.objects.none()
    if has_platform_role(user):
        return Institution.objects.all()
    administered = StaffRole.objects.filter(
        user=user, role=Role.INSTITUTION_ADMIN, programme__isnull=True
    ).values("institution_id")
    return Institution.objects.filter(pk__in=administered)


def may_edit(user: User, institution: Institution) -> bool:
    return editable_institutions(user).filter(pk=institution.pk).exists()


def overridable(code: str) -> Kind:
    kind = KINDS.get(code)
    if kind is None or not kind.overridable:
        raise ValidationFailed(_("No such email."), details={"kind": code})
    return kind


def check(kind: Kind, subject: str, body: str) -> dict[str, list[str]]:
    """The problems of a wording, by field; empty when it may be saved."""
    found: dict[str, list[str]] = {}
    allowed = kind.placeholders
    subject_problems = problems(subject, allowed, single_line=True)
    if not subject.strip():
        subject_problems.insert(0, _("Write a subject."))
    elif len(subject) > MAX_SUBJECT:
        subject_problems.append(
            _("A subject holds at most %(count)d characters.") % {"count": MAX_SUBJECT}
        )
    body_problems = problems(body, allowed)
    if not body.strip():
        body_problems.insert(0, _("Write the text of the email."))
    elif len(body) > MAX_BODY:
        body_problems.append(_("A text holds at most %(count)d characters.") % {"count": MAX_BODY})
    if subject_problems:
        found["subject"] = subject_problems
    if body_problems:
        found["body"] = body_problems
    return found


def _checked_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ValidationFailed(_("No such language."), details={"language": language})
    return language


def preview(
    institution: Institution, kind: Kind, language: str, *, subject: str, body: str
) -> Rendered:
    """The email as it would be sent, filled with sample values; raises on a refused text."""
    found = check(kind, subject, body)
    if found:
        raise ValidationFailed(_("This text cannot be used as it is."), details=found)
    language = _checked_language(language)
    with speaking(language):
        samples = kind.samples()
    return render(
        kind,
        samples,
        language=language,
        footer=footer_of(institution),
        wording=Wording(subject=subject, body=body),
    )


def default_preview(institution: Institution, kind: Kind, language: str) -> Rendered:
    """The platform's own wording of the email, on sample values."""
    language = _checked_language(language)
    with speaking(language):
        samples = kind.samples()
    return render(kind, samples, language=language, footer=footer_of(institution))


def sample(
    institution: Institution, kind: Kind, language: str, *, subject: str, body: str
) -> Rendered:
    """The email on sample values: in the wording given, or the platform's when none is."""
    if subject.strip() or body.strip():
        return preview(institution, kind, language, subject=subject, body=body)
    return default_preview(institution, kind, language)


def current(institution: Institution, kind: Kind, language: str) -> TemplateOverride | None:
    """The institution's saved wording of the email in a language, if it has one."""
    return TemplateOverride.objects.filter(
        institution=institution, kind=kind.code, language=language
    ).first()


def save_override(
    institution: Institution, kind: Kind, language: str, *, subject: str, body: str, by: User
) -> TemplateOverride:
    if not may_edit(by, institution):
        raise NotAllowed(_("Only the institution's administrators may change its emails."))
    language = _checked_language(language)
    found = check(kind, subject, body)
    if found:
        raise ValidationFailed(_("This text cannot be used as it is."), details=found)
    with transaction.atomic():
        override, _created = TemplateOverride.objects.update_or_create(
            institution=institution,
            kind=kind.code,
            language=language,
            defaults={"subject": subject.strip(), "body": body.strip(), "updated_by": by},
        )
    return override


def delete_override(institution: Institution, kind: Kind, language: str, *, by: User) -> None:
    """Back to the platform's wording."""
    if not may_edit(by, institution):
        raise NotAllowed(_("Only the institution's administrators may change its emails."))
    TemplateOverride.objects.filter(
        institution=institution, kind=kind.code, language=language
    ).delete()
