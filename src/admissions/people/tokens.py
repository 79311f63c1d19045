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

from django.db import models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admissions.core.prepared import Statement

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


# Built with this in place of the token's key id, then swapped.
_KEY_ID = "\x00key-id\x00"
# Per database: the statement, the token's columns and its owner's, in the row's order.
_lookups: dict[str, tuple[Statement, list[str], list[str]]] = {}


def _lookup(using: str) -> tuple[Statement, list[str], list[str]]:
    found = _lookups.get(using)
    if found is None:
        owner: Any = ApiToken._meta.get_field("user").related_model
        token_fields = [field.attname for field in ApiToken._meta.concrete_fields]
        owner_fields = [field.attname for field in owner._meta.concrete_fields]
        rows = (
            ApiToken.objects.filter(key_id=_KEY_ID, revoked_at__isnull=True)
            .order_by("pk")
            .values_list(*token_fields, *[f"user__{name}" for name in owner_fields])[:1]
        )
        found = _lookups[using] = (Statement.of(rows, [_KEY_ID], using), token_fields, owner_fields)
    return found


def _read_token(key_id: str) -> ApiToken | None:
    """The live token of `key_id` with its owner, as `select_related("user").first()` reads
    them, by a statement compiled once per process and database (`core.prepared`): the ORM's
    making of that query was a fifth of a token-signed list's time in the worker. Read on
    every request: a token revoked or an owner deactivated counts at once."""
    using = router.db_for_read(ApiToken)
    statement, token_fields, owner_fields = _lookup(using)
    row = statement.fetchone([key_id], using)
    if row is None:
        return None
    values = statement.converted(row, using)
    token = ApiToken.from_db(using, token_fields, values[: len(token_fields)])
    owner: Any = ApiToken._meta.get_field("user").related_model
    token.user = owner.from_db(using, owner_fields, values[len(token_fields) :])
    return token


def find_token(text: str) -> ApiToken | None:
    """The live token `text` names, its owner loaded, or None; records when it was used."""
    parts = text.split("_")
    if len(parts) < 3 or parts[0] != TOKEN_PREFIX or len(parts[1]) != 12:
        return None
    token = _read_token(parts[1])
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
