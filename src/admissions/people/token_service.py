"""Making and revoking personal API tokens; staff confirm a new token with their second factor.

A staff token reaches candidates' files, so a stolen password must not be enough to make one:
the staff member types a code of their TOTP authenticator (allauth.mfa) with the request.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.catalog.models import Institution, without_rulebooks
from admissions.core.errors import DomainError, NotAllowed
from admissions.people.models import ApiToken, StaffRole, User
from admissions.people.permissions import has_platform_role, is_staff_member
from admissions.people.tokens import new_secret, owned

MAX_LIVE_TOKENS = 20


class SecondFactorRequired(DomainError):  # noqa: N818 - named for the client's case
    code = "second_factor_required"
    http_status = 403


def has_second_factor(user: User) -> bool:
    """Whether `user` has set an authenticator app up (the staff's condition for a token)."""
    return bool(Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists())


def token_institutions(user: User) -> QuerySet[Institution]:
    """The institutions `user` may tie a token to: those they hold a role in."""
    institutions = Institution.objects.defer(*without_rulebooks("")).order_by("name")
    if has_platform_role(user):
        return institutions
    return institutions.filter(pk__in=StaffRole.objects.filter(user=user).values("institution_id"))


def check_second_factor(user: User, code: str) -> None:
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is None:
        raise SecondFactorRequired(
            _("Activate two-factor authentication on your account before making a token.")
        )
    if not code or not TOTP(totp).validate_code(code.strip()):
        raise SecondFactorRequired(
            _("Enter the current code of your authenticator app."),
            code="second_factor_invalid",
        )


def create_token(
    user: User,
    *,
    name: str,
    can_write: bool = False,
    institution: Institution | None = None,
    otp_code: str = "",
) -> tuple[ApiToken, str]:
    """A new token of `user` and its text, which is shown this once and never kept."""
    name = name.strip()
    if not name:
        raise DomainError(_("Give the token a name."), code="validation_failed")
    if (
        institution is not None
        and not has_platform_role(user)
        and not StaffRole.objects.filter(user=user, institution=institution).exists()
    ):
        raise NotAllowed(_("You hold no role in this institution."))
    if owned(user).filter(revoked_at__isnull=True).count() >= MAX_LIVE_TOKENS:
        raise DomainError(
            _("You have too many tokens: revoke one you no longer use."), code="too_many_tokens"
        )
    # Last: a code of the authenticator is spent once checked.
    if is_staff_member(user):
        check_second_factor(user, otp_code)
    text, key_id, digest = new_secret()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        key_id=key_id,
        digest=digest,
        can_write=can_write,
        institution=institution,
    )
    return token, text


@transaction.atomic
def revoke_token(token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
