"""Refuse to run production with development values."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-never-use-in-production"  # noqa: S105


def check_production(
    *,
    debug: bool,
    secret_key: str,
    allowed_hosts: list[str],
    database_url: str,
    clamd_address: str,
    email_backend: str,
    site_url: str,
    staff_second_factor: bool = True,
    fault_points: list[str] | None = None,
) -> None:
    """Raise ImproperlyConfigured listing every unsafe production value at once."""
    problems: list[str] = []
    if debug:
        problems.append("ADMISSIONS_DEBUG must be off in production")
    if not secret_key or secret_key == DEVELOPMENT_SECRET_KEY:
        problems.append("ADMISSIONS_SECRET_KEY must be set to a secret value in production")
    elif len(secret_key) < 32:
        problems.append("ADMISSIONS_SECRET_KEY must be at least 32 characters long")
    if not allowed_hosts or "*" in allowed_hosts:
        problems.append("ADMISSIONS_ALLOWED_HOSTS must list the site's host names in production")
    if database_url.startswith("sqlite"):
        problems.append("ADMISSIONS_DATABASE_URL must point to PostgreSQL in production")
    if not clamd_address:
        problems.append("ADMISSIONS_CLAMD must be set in production: documents must be scanned")
    if email_backend.endswith(("console.EmailBackend", "locmem.EmailBackend")):
        problems.append("ADMISSIONS_EMAIL_URL must point to a real mail server in production")
    if not site_url.startswith("https://"):
        problems.append("ADMISSIONS_SITE_URL must be an https:// address in production")
    if not staff_second_factor:
        problems.append("ADMISSIONS_STAFF_SECOND_FACTOR_REQUIRED must stay on in production")
    if fault_points:
        problems.append("ADMISSIONS_FAULT_POINTS is for crash tests only, never production")
    if problems:
        raise ImproperlyConfigured("Unsafe production settings: " + "; ".join(problems))
