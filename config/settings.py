"""PeerTables settings, read from the environment.

With nothing set, the app runs for development: SQLite in var/, a Celery
broker on the local filesystem (no server), mail printed to the console and
saved in var/mail. Set DATABASE_URL and REDIS_URL to run on PostgreSQL and
Redis. DJANGO_ENV=production (or DEBUG=0) turns on production mode, which
refuses to start without a real SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
Every variable is listed in the README.

Why one module of about 400 lines: Django reads its settings from one module,
and splitting them (base/dev/prod files, or imports from several) would hide
the order they depend on (production checks read what the environment set
above them) and how one switch (DJANGO_ENV, REDIS_URL) changes many. The
helpers that read the environment are already apart, in config/env.py.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import email_settings_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DJANGO_ENV = env_str("DJANGO_ENV", "development")
DEBUG = env_bool("DEBUG", DJANGO_ENV != "production")
PRODUCTION = DJANGO_ENV == "production" or not DEBUG

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-this-in-production"  # noqa: S105
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
DATABASE_URL = env_str("DATABASE_URL")
REDIS_URL = env_str("REDIS_URL")

if PRODUCTION:
    # Refuse to start rather than run a production site with a guessable key,
    # a Host header anyone can forge, or a throwaway SQLite file.
    _problems = []
    if SECRET_KEY == _DEV_SECRET_KEY or SECRET_KEY.startswith("django-insecure-"):
        _problems.append("SECRET_KEY is not set to a real secret")
    elif len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        _problems.append("SECRET_KEY must be at least 50 characters with 5 distinct ones")
    if not ALLOWED_HOSTS:
        _problems.append("ALLOWED_HOSTS is empty")
    if not DATABASE_URL:
        _problems.append("DATABASE_URL is not set")
    if _problems:
        raise ImproperlyConfigured(
            "Production mode (DJANGO_ENV=production or DEBUG off) refuses to start: "
            + "; ".join(_problems)
            + ". See README.md, 'Configuration'."
        )

SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "PeerTables"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "template_partials",
    "members",
    "circles",
    "meetings",
    "conversations",
    "notifications",
    "moderation",
    "home",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # A thread poll with nothing new is answered here, from the session and the cache.
    "conversations.middleware.ThreadPollMiddleware",
    # The switcher's cookie, else Accept-Language; a signed-in member's own choice
    # replaces it once they are known (members.middleware.UserLanguageMiddleware).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "members.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.middleware.StaffMFARequiredMiddleware",
    "members.middleware.UserTimeZoneMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
            ],
            # Cached loaders are on outside DEBUG by Django's default; the
            # partials loader wraps them so "template.html#partial" resolves.
        },
    },
]

# --- Database ------------------------------------------------------------
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
    if "postgresql" in DATABASES["default"]["ENGINE"] and env_bool("DB_PREPARED_STATEMENTS", True):
        # The compiled queries of the pages read most (config/compiled.py) are prepared
        # once per connection, where this is set; they ask for it, so the number itself
        # does not matter, and Django's own cursors bind on the client and never prepare.
        # Off (0) behind a pooler in transaction mode that does not keep prepared
        # statements (PgBouncer before 1.21).
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "peertables.sqlite3",
            # WAL and a busy timeout let runserver and the Celery worker share
            # the file without "database is locked" on every overlap.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # A file, not Django's in-memory default, so a test can change a row
            # from another process (tests/test_other_process.py), as a Celery
            # worker or a shell does beside the web process.
            "TEST": {"NAME": VAR_DIR / "test_peertables.sqlite3"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and sessions ------------------------------------------------------
# Signed-out landing and directory pages are kept this long (config/pagecache.py).
SIGNED_OUT_PAGE_CACHE_SECONDS = env_int("SIGNED_OUT_PAGE_CACHE_SECONDS", 60)

# allauth's rate limits count in the cache, so several web processes must
# share one: Redis when REDIS_URL is set. Without it each process counts on
# its own, which is fine for the single development server.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",  # one redis-py client per pool
            "LOCATION": env_str("REDIS_CACHE_URL", REDIS_URL),
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "peertables"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# An open thread's poll answers "nothing new" from the cache, once one query said the
# person may still read it; only a cache every web process shares can vouch for what
# is new (conversations/live.py).
THREAD_POLL_FAST_PATH = env_bool("THREAD_POLL_FAST_PATH", bool(REDIS_URL))
# Viewer-independent pieces of pages, where a page keeps any, are kept this long
# under a key of what they show (never per viewer). 0 keeps
# none: `make bench` sets it for its "uncached" rows, so every fragment cache
# must use it as its timeout (a cache timeout of 0 stores nothing).
FRAGMENT_CACHE_SECONDS = env_int("FRAGMENT_CACHE_SECONDS", 24 * 60 * 60)

# --- Accounts ----------------------------------------------------------------
AUTH_USER_MODEL = "members.User"
# Django's and allauth's backends. Each request loads the signed-in person's row
# from the database, never from a cache: a suspension, deletion or new password
# made by any process (another web process, a Celery task, a shell) counts on
# the very next request (docs/PERFORMANCE.md has the cost, one indexed query).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "members.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "members.forms.SignupExtraForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_USER_DISPLAY = "members.models.user_display"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[PeerTables] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Written out so the limits are visible here; these are allauth's defaults
# tightened for failed sign-ins.
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}

# Invitations email people who have no account, so they are limited
# (circles/invitation_services.py).
# New invitations per inviter in 24 hours: counted from their rows in the database.
INVITATIONS_PER_DAY = env_int("INVITATIONS_PER_DAY", 20)
# Invitations sent again (the Resend button, or inviting a pending address again),
# counted in the shared cache (config/ratelimit.py): one invitation is emailed at
# most once in this many seconds, its first email included ...
INVITATION_RESEND_SECONDS = env_int("INVITATION_RESEND_SECONDS", 60 * 60)
# ... and one inviter sends again at most this many in 24 hours, across every circle.
INVITATION_RESENDS_PER_DAY = env_int("INVITATION_RESENDS_PER_DAY", 10)

# Two-factor sign-in (allauth.mfa): an authenticator app, with recovery codes.
# With MFA_REQUIRED_FOR_STAFF on (the production default), staff without an
# authenticator are sent to set one up before they reach the admin.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PeerTables"
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", PRODUCTION)

# --- Email ---------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PeerTables <hello@peertables.local>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
MAIL_DIR = VAR_DIR / "mail"
if env_str("EMAIL_URL"):
    globals().update(email_settings_from_url(env_str("EMAIL_URL")))
elif env_str("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("EMAIL_HOST")
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
elif PRODUCTION:
    raise ImproperlyConfigured("Production mode needs EMAIL_URL or EMAIL_HOST to send mail.")
else:
    EMAIL_BACKEND = "config.mail.DevelopmentEmailBackend"

# --- Internationalization ----------------------------------------------------
# Pages and emails in the member's language (members.User.language), else the
# switcher's cookie, else the browser's Accept-Language, else English. No
# language prefix in URLs: a link works whoever opens it. docs/I18N.md.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("de", _("German")),
    ("es", _("Spanish")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "config.staticfiles.ProductionStaticStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security ------------------------------------------------------------------
# Content-Security-Policy (django-csp 4): only our own scripts and styles run.
# Pages carry no inline <script>, no hx-on/onclick attributes and no style=""
# attributes (HTML emails do, but no browser applies a CSP to an email), and
# htmx runs with allowEval off and no injected indicator styles (base.html),
# so neither scripts nor styles need 'unsafe-inline' or 'unsafe-eval'. NONCE is
# listed for script-src so a view that ever needs one inline script can write
# <script nonce="{{ request.csp_nonce }}">; the nonce is only sent on pages that
# use it. img-src allows data: for the authenticator QR code (allauth.mfa).
# SECURITY.md explains the policy; tests/security/test_headers.py pins it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain HTTP inside the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"

# --- Celery --------------------------------------------------------------------
# With REDIS_URL the broker is Redis. Without it, kombu's filesystem
# transport passes messages through files in var/celery, so a real worker and
# beat run with no server installed.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "members-heartbeat": {
        "task": "members.tasks.heartbeat",
        "schedule": 60.0,
    },
    "meetings-extend-horizon": {
        "task": "meetings.tasks.extend_meeting_horizon",
        "schedule": 24 * 60 * 60.0,
    },
    # A short sweep, not an ETA task per reminder (docs/REMINDERS.md).
    "notifications-send-due-reminders": {
        "task": "notifications.tasks.send_due_reminders",
        "schedule": 2 * 60.0,
    },
    "notifications-send-due-digests": {
        "task": "notifications.tasks.send_due_digests",
        "schedule": 15 * 60.0,
    },
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task not acknowledged within this window is delivered again; it must
    # exceed the longest task so a slow task is not run twice.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 60 * 60}
else:
    _celery_dir = VAR_DIR / "celery"
    for _sub in ("queue", "processed", "control"):
        (_celery_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_dir / "queue"),
        "data_folder_out": str(_celery_dir / "queue"),
        "processed_folder": str(_celery_dir / "processed"),
        "store_processed": False,
        # Exchange tables (remote control, broadcast); kombu's default is ./control.
        "control_folder": str(_celery_dir / "control"),
    }
# The broker is checked by /healthz only when it is a server we depend on.
HEALTHZ_CHECK_BROKER = bool(REDIS_URL)

# bench/run.py mounts a constant-string view at /bench/ceiling to measure this
# stack's ceiling on the machine; off everywhere else.
BENCH_CEILING = env_bool("BENCH_CEILING", False)

# --- Logging ---------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
