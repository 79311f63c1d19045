"""The one settings module. Every deployment value comes from an ADMISSIONS_* variable.

The defaults are the embedded set-up: SQLite, a local media folder, a database-backed task
queue worked in-process, mail printed to the console. Production mode (ADMISSIONS_MODE=
production) refuses to start with development values; see `admissions.safety`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.utils.translation import gettext_lazy as _

from admissions import env
from admissions.safety import DEVELOPMENT_SECRET_KEY, check_production

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(env.string("HOME_DIR", str(PACKAGE_DIR.parent.parent)))
VAR_DIR = Path(env.string("VAR_DIR", str(BASE_DIR / "var")))

MODE = env.choice("MODE", "development", ("development", "production"))
PRODUCTION = MODE == "production"
DEBUG = env.boolean("DEBUG", default=False)
SECRET_KEY = env.string("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.listing("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.listing("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env.string("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Serves the API documentation's assets (Swagger UI) from here, as the CSP allows.
    "ninja",
    "allauth",
    "allauth.account",
    # Staff confirm sensitive acts (an API token) with a TOTP second factor.
    "allauth.mfa",
    # Staff log in through their institution's SAML 2 identity provider (people/sso.py).
    "allauth.socialaccount",
    "allauth.socialaccount.providers.saml",
    "django_tasks",
    "django_tasks_db",
    "admissions.core",
    "admissions.people",
    "admissions.catalog",
    "admissions.documents",
    "admissions.payments",
    "admissions.applications",
    "admissions.workflow",
    "admissions.review",
    "admissions.jury",
    "admissions.notify",
    "admissions.privacy",
    "admissions.portal",
    "admissions.office",
    "admissions.api",
    "admissions.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one, so that every answer carries them, the API's errors included.
    "admissions.core.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's, which hands the session the value a page reads with it (people/session_riders.py).
    "admissions.people.session_riders.SessionMiddleware",
    # Django's, short under /api/ (core/middleware.py).
    "admissions.core.middleware.LocaleMiddleware",
    "admissions.core.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Django's, the cookie's expiry date written once a second (core/csrf_cookie.py).
    "admissions.core.csrf_cookie.CsrfViewMiddleware",
    # Django's, the user's row read with one compiled statement (people/authentication.py).
    "admissions.people.authentication.AuthenticationMiddleware",
    "admissions.api.middleware.ApiMiddleware",
    "admissions.core.middleware.UploadRateLimitMiddleware",
    "admissions.core.middleware.OutageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After the user and the API token are known: ends idle sessions, then keeps staff
    # without a second factor out of staff pages.
    "admissions.people.middleware.SessionExpiryMiddleware",
    "admissions.people.middleware.SecondFactorMiddleware",
]

ROOT_URLCONF = "admissions.urls"
WSGI_APPLICATION = "admissions.wsgi.application"
ASGI_APPLICATION = "admissions.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "admissions.office.context.staff",
                # After Django's own `csrf`: its `csrf_token`, masked more cheaply.
                "admissions.core.csrf_tokens.context",
            ],
        },
    },
]

# Database --------------------------------------------------------------------------------
DATABASE_URL = env.string("DATABASE_URL", f"sqlite:///{VAR_DIR / 'admissions.sqlite3'}")
# Seconds a web thread keeps its database connection between requests (0: a new one for
# each request, which costs PostgreSQL's handshake or SQLite's set-up every time). A kept
# connection is checked before a request uses it, so a restarted database costs no error.
DATABASE_CONN_MAX_AGE = env.integer("DATABASE_CONN_MAX_AGE", 600, minimum=0)
# PostgreSQL: milliseconds after a request during which its connection is not checked again
# before the next request (core/postgresql/base.py); 0 checks before every request.
DATABASE_HEALTH_CHECK_BYPASS_MS = env.integer("DATABASE_HEALTH_CHECK_BYPASS_MS", 500, minimum=0)
# PostgreSQL plans the statements every request runs once per connection (core/prepared.py);
# off behind a pooler in transaction mode, which may run them on another server connection.
DATABASE_PREPARED_STATEMENTS = env.boolean("DATABASE_PREPARED_STATEMENTS", default=True)
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True
        )
    }
except ValueError as error:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"ADMISSIONS_DATABASE_URL: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "admissions.core.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Django's engine, with writers taking turns instead of polling for the lock.
    DATABASES["default"]["ENGINE"] = "admissions.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while one writer commits; with synchronous=NORMAL a commit
        # does not wait for the disk (a power cut may lose the last commits, never corrupt
        # the file). IMMEDIATE takes the write lock at the start of a transaction, so two
        # writers never deadlock upgrading a read lock. Temporary tables stay in memory.
        # Each connection (one per thread of a web worker) keeps 256 KiB of pages instead of
        # SQLite's 2 MiB: the pages it no longer keeps are read again from the system's file
        # cache, which all processes share (bench/RESULTS.md, a web worker's memory).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; "
            "PRAGMA cache_size=-256;"
        ),
        "transaction_mode": "IMMEDIATE",
        # Seconds a writer waits for the lock held by another before giving up.
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts --------------------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"
# Account emails go through the outbox like every other email (notify/accounts.py).
ACCOUNT_ADAPTER = "admissions.notify.accounts.AccountAdapter"
# Single sign-on for staff: the identity providers are set per institution in the database;
# the platform's own SAML key and certificate (PEM) come from the environment, usually
# ADMISSIONS_SAML_SP_KEY_FILE and ADMISSIONS_SAML_SP_CERTIFICATE_FILE
# (docs/operations.md#single-sign-on-for-staff). Without them, no institution is offered.
SOCIALACCOUNT_ADAPTER = "admissions.people.sso.SocialAccountAdapter"
SAML_SP_KEY = env.string("SAML_SP_KEY", "")
SAML_SP_CERTIFICATE = env.string("SAML_SP_CERTIFICATE", "")
# Staff must use a second factor (people/second_factor.py): an authenticator app (TOTP) or
# a security key / passkey (WebAuthn); recovery codes stand in for either.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
# Off only for a local demonstration or the test suite: production refuses it off.
STAFF_SECOND_FACTOR_REQUIRED = env.boolean("STAFF_SECOND_FACTOR_REQUIRED", default=True)
# A log-in through the institution's identity provider (single sign-on) counts as the second
# factor when that provider enforces one itself.
STAFF_SSO_SATISFIES_SECOND_FACTOR = env.boolean("STAFF_SSO_SATISFIES_SECOND_FACTOR", default=True)
# Sessions end after this long without a request, and staff sessions in any case this long
# after the log-in (people/session_expiry.py).
STAFF_SESSION_IDLE_MINUTES = env.integer("STAFF_SESSION_IDLE_MINUTES", 30, minimum=1)
STAFF_SESSION_MAX_HOURS = env.integer("STAFF_SESSION_MAX_HOURS", 10, minimum=1)
CANDIDATE_SESSION_IDLE_MINUTES = env.integer(
    "CANDIDATE_SESSION_IDLE_MINUTES", 7 * 24 * 60, minimum=1
)
# Log-ins recorded (people/logins.py) are kept this many days.
LOGIN_LOG_DAYS = env.integer("LOGIN_LOG_DAYS", 180, minimum=1)
# The cookie that names a browser for the new-device alert, kept this many days.
DEVICE_COOKIE_DAYS = env.integer("DEVICE_COOKIE_DAYS", 400, minimum=1)
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
# Tell a person when their password or email address changes (to the old address too).
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Admissions] "
# Failed log-ins count per account ("key": the address typed) and per client address, as
# people/adapters.py finds it behind the trusted proxies below.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.string("LOGIN_FAILED_RATE", "20/5m/ip,5/5m/key"),
    "login": "30/m/ip",
    "signup": "20/h/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reauthenticate": "10/m/user",
}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"

# Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Dates written one way per language (day first in both): see admissions.core.formats.
FORMAT_MODULE_PATH = ["admissions.core.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

# Static and media files ------------------------------------------------------------------
STATIC_URL = "/static/"
# The shared look (base.html's stylesheet and scripts) belongs to no single app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env.string("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env.string("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGE_BACKEND = env.choice("STORAGE", "local", ("local", "s3"))
_private_storage: dict[str, object]
if STORAGE_BACKEND == "s3":
    _private_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.string("S3_BUCKET", "admissions"),
            "endpoint_url": env.string("S3_ENDPOINT_URL", "") or None,
            "access_key": env.string("S3_ACCESS_KEY_ID", ""),
            "secret_key": env.string("S3_SECRET_ACCESS_KEY", ""),
            "region_name": env.string("S3_REGION", "eu-west-3"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    _private_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # Not under STATIC_ROOT and no MEDIA_URL route: files leave only through views.
        "OPTIONS": {"location": str(MEDIA_ROOT), "base_url": "/nowhere/"},
    }
STORAGES = {
    "default": _private_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Requests one token, user or address may make to the API in a minute (0: no limit).
API_RATE_PER_MINUTE = env.integer("API_RATE_PER_MINUTE", 600, minimum=0)
# Multipart requests (uploads, and messages, whose form takes attachments) one person or
# address may send in an hour, pages and API alike (0: no limit).
UPLOADS_PER_HOUR = env.integer("UPLOADS_PER_HOUR", 120, minimum=0)
# Hours an Idempotency-Key keeps its first answer.
API_IDEMPOTENCY_HOURS = env.integer("API_IDEMPOTENCY_HOURS", 24, minimum=1)
# A key still "running" this long after its first request came was left by a dead process.
API_IDEMPOTENCY_ABANDONED_SECONDS = env.integer("API_IDEMPOTENCY_ABANDONED_SECONDS", 300, minimum=1)
FILE_UPLOAD_PERMISSIONS = 0o600

# Email -----------------------------------------------------------------------------------
EMAIL_URL = env.string("EMAIL_URL", "console://")
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "Admissions <admissions@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL


def _email_settings(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if parts.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": parts.path,
        }
    if parts.scheme in ("smtp", "smtps"):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname or "127.0.0.1",
            "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_USE_TLS": query.get("tls", "") in ("1", "true", "yes"),
            "EMAIL_TIMEOUT": 20,
        }
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"ADMISSIONS_EMAIL_URL: expected console://, locmem://, file:///path or "
        f"smtp://user:password@host:port, got {url!r}"
    )


globals().update(_email_settings(EMAIL_URL))
# Where mail reaches no one (console, file, memory), the staff outbox page also shows the
# emails that carry a sign-in link, so that a first run can be tried without a mail server.
EMAIL_OUTBOX_SHOWS_LINKS = not str(globals()["EMAIL_BACKEND"]).endswith("smtp.EmailBackend")

# Background tasks ------------------------------------------------------------------------
TASK_BACKEND_NAME = env.choice("TASKS", "database", ("database", "immediate", "rq"))
REDIS_URL = env.string("REDIS_URL", "redis://127.0.0.1:6379/0")
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
}
TASKS = {"default": _TASK_BACKENDS[TASK_BACKEND_NAME]}
if TASK_BACKEND_NAME == "rq":
    INSTALLED_APPS.append("django_rq")  # the RQ backend reads its queues through django_rq
# /healthz reports the platform degraded when a ready task waits longer than this.
TASKS_STALE_MINUTES = env.integer("TASKS_STALE_MINUTES", 15, minimum=1)
RQ_QUEUES = {"default": {"URL": REDIS_URL}}

# Periodic jobs (deadlines, document upkeep) run by `serve` every N minutes; 0 turns that
# off where cron or a scheduler runs `manage.py periodic` instead.
PERIODIC_MINUTES = env.integer("PERIODIC_MINUTES", 5)

# Cache -----------------------------------------------------------------------------------
# Rate limits (failed log-ins, sign-ups) count in the cache: every process of a site must
# share it, so a site with several processes sets a Redis URL here.
CACHE_URL = env.string("CACHE_URL", "")
# Pages kept rendered (the candidate's status page, portal/status_cache.py) have a cache of
# their own, so that they never push the rate limits' counters out: in Redis under their own
# prefix, or in each process's memory, at most PAGE_CACHE_ENTRIES pages there (compressed,
# about 3 KiB each with the key: 1,000 pages are 3 MiB of a web worker, 5,000 were 14).
PAGE_CACHE_ENTRIES = env.integer("PAGE_CACHE_ENTRIES", 1000, minimum=1)
# Django's Redis backend, its client made once per process (core/redis_cache.py).
REDIS_CACHE = "admissions.core.redis_cache.RedisCache"
CACHES = {
    "default": (
        {"BACKEND": REDIS_CACHE, "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "pages": (
        {
            "BACKEND": REDIS_CACHE,
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "pages",
        }
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": PAGE_CACHE_ENTRIES},
        }
    ),
}

# Antivirus -------------------------------------------------------------------------------
# tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl; empty means documents stay unscanned.
CLAMD_ADDRESS = env.string("CLAMD", "").strip()
if CLAMD_ADDRESS and not CLAMD_ADDRESS.startswith(("tcp://", "unix://")):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"ADMISSIONS_CLAMD: expected tcp://host:port or unix:///path/to/socket, "
        f"got {CLAMD_ADDRESS!r}"
    )
CLAMD_TIMEOUT = env.integer("CLAMD_TIMEOUT", 30, minimum=1)

# Documents -------------------------------------------------------------------------------
# Each document's own limits are in the rulebook; these bound what any upload may cost to
# check (docs/documents.md).
DOCUMENTS_IMPORT_MAX_BYTES = env.integer("DOCUMENTS_IMPORT_MAX_MB", 100, minimum=1) * 1024**2
DOCUMENTS_MAX_IMAGE_PIXELS = (
    env.integer("DOCUMENTS_MAX_IMAGE_MEGAPIXELS", 40, minimum=1) * 1_000_000
)
DOCUMENTS_QUARANTINE_DAYS = env.integer("DOCUMENTS_QUARANTINE_DAYS", 30, minimum=1)
# Each PDF is checked in a child process bounded by these (docs/documents.md).
DOCUMENTS_PDF_MAX_OBJECTS = env.integer("DOCUMENTS_PDF_MAX_OBJECTS", 500_000, minimum=1000)
DOCUMENTS_PDF_SECONDS = env.integer("DOCUMENTS_PDF_SECONDS", 10, minimum=1, maximum=600)
DOCUMENTS_PDF_MEMORY_BYTES = (
    env.integer("DOCUMENTS_PDF_MEMORY_MB", 512, minimum=64, maximum=16384) * 1024**2
)

# Rulebooks -------------------------------------------------------------------------------
RULEBOOK_DIR = PACKAGE_DIR / "rulebooks"

# Payments --------------------------------------------------------------------------------
# "demo" takes no real money (pages say so); "stripe" needs both Stripe secrets below.
PAYMENTS_CARD_PROVIDER = env.choice("CARD_PROVIDER", "demo", ("demo", "stripe"))
STRIPE_SECRET_KEY = env.string("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = env.string("STRIPE_WEBHOOK_SECRET", "")

# Security --------------------------------------------------------------------------------
# Sessions are rows of the database, with or without a shared cache: each request reads its
# session and its user's row in one statement (people/sessions.py), so a logout, a deleted
# or expired session ends at once in every process. A shared cache in front (Django's
# `cached_db`) would spare no statement, the user's row being read on every request anyway,
# and costs more on a session's first look (bench/RESULTS.md, seventh round); a cache kept
# per process would keep a session logged out in one process alive in the others.
SESSION_ENGINE = "admissions.people.sessions"
# Django's default (a cookie, then the session), its cookie's signer made only when used.
MESSAGE_STORAGE = "admissions.core.messages_storage.FallbackStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# Forms carry the token; no script reads it from the cookie.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The reverse proxies whose X-Forwarded-For names the client (core/clientaddress.py).
TRUSTED_PROXIES = env.networks("TRUSTED_PROXIES", [])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = 31536000 if PRODUCTION else 0
# A plain-HTTP request reaching the application in production is sent to HTTPS (the proxy
# should already do it); the load balancer's probe of /healthz may stay on HTTP.
SECURE_SSL_REDIRECT = PRODUCTION
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env.choice(
            "LOG_LEVEL", "info", ("debug", "info", "warning", "error", "critical")
        ).upper(),
    },
    # pikepdf announces its logging bridge at INFO on every start.
    "loggers": {"pikepdf": {"level": "WARNING"}},
}

if PRODUCTION:
    check_production(
        debug=DEBUG,
        secret_key=SECRET_KEY,
        allowed_hosts=ALLOWED_HOSTS,
        database_url=DATABASE_URL,
        clamd_address=CLAMD_ADDRESS,
        email_backend=str(globals()["EMAIL_BACKEND"]),
        site_url=SITE_URL,
        staff_second_factor=STAFF_SECOND_FACTOR_REQUIRED,
        fault_points=env.listing("FAULT_POINTS", []),
    )
