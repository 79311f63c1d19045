"""The log of log-ins: each one made, and each one refused, with where it came from."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    MFA = "mfa", _("Password and authenticator code")
    WEBAUTHN = "webauthn", _("Security key or passkey")
    SSO = "sso", _("Single sign-on")


class LoginEvent(models.Model):
    """One log-in of an account, made or refused (a wrong password, a wrong code)."""

    user = models.ForeignKey("people.User", on_delete=models.CASCADE, related_name="login_events")
    at = models.DateTimeField(_("when"))
    succeeded = models.BooleanField(_("succeeded"))
    method = models.CharField(_("method"), max_length=16, choices=LoginMethod.choices, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    # The browser's own identifier (a long-lived signed cookie), not its address: the
    # new-device alert compares it with the browsers this account used before.
    device = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [
            # Each person's page and the office's list read newest first, by position.
            models.Index(fields=["user", "-at", "-id"], name="login_event_user_order"),
            models.Index(fields=["-at", "-id"], name="login_event_order"),
            models.Index(fields=["user", "device"], name="login_event_device"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.at:%Y-%m-%d %H:%M} {self.method}"
