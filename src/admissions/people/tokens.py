"""Personal API tokens: what an integration shows instead of a session.

Only a SHA-256 digest of the secret is kept, so the token is shown once, when it is made.
The secret is 32 random bytes: a plain digest is enough, no slow hash is needed against
guessing. A token reads, or reads and writes, as its owner; a token tied to an institution
reaches only that institution's files.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "adm"  # noqa: S105 - the visible start of every token, no secret
# last_used_at is written at most this often, so a busy integration costs no write per call.
LAST_USED_PRECISION_SECONDS = 60


class ApiToken(models.Model):
    user = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_id = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    can_write = models.BooleanField(_("may write"), default=False)
    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_owner")]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    @property
    def scope(self) -> str:
        return "write" if self.can_write else "read"


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str, str]:
    """A fresh token as (the text shown once, its key id, the digest kept)."""
    key_id = secrets.token_hex(6)
    text = f"{TOKEN_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
    return text, key_id, digest_of(text)


def find_token(text: str) -> ApiToken | None:
    """The live token `text` names, its owner loaded, or None; records when it was used."""
    parts = text.split("_")
    if len(parts) < 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) != 12:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_id=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, digest_of(text)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_PRECISION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def owned(user: Any) -> models.QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")
