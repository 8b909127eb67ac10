"""Settings for every environment, read from environment variables (see README, Configuration)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, served_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SHARED_DIR = BASE_DIR.parent / "shared"

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"

# Where `make run HOST=addr:port` serves the portal, as a browser opens it (0.0.0.0 becomes
# 127.0.0.1): the default PORTAL_BASE_URL, and with DEBUG a host the portal answers to.
_served_url = served_url(env_str("HOST")) or "http://127.0.0.1:8000"
_debug_hosts = ["localhost", "127.0.0.1", "[::1]"]
_served_host = _served_url.removeprefix("http://").rsplit(":", 1)[0]
if _served_host not in _debug_hosts:
    _debug_hosts.append(_served_host)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", _debug_hosts if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "guardian",
    "django_q",
    "crispy_forms",
    "crispy_forms_gds",
    "django_linear_migrations",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Recovery codes (accounts.two_factor): one-time codes, kept as keyed hashes.
    "django_otp.plugins.otp_static",
    "csp",
    "core",
    "directory",
    "accounts",
    "workflow",
    "workflow.quality",
    "workflow.tagging",
    "publish",
    "publish.finder",
]

MIDDLEWARE = [
    # First, so that every log line of the request (and its response header) carries the id.
    "core.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "publish.api.middleware.OpenDataHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session passed two-factor authentication?
    "django_otp.middleware.OTPMiddleware",
    # Client address for the audit log (accounts.services.audit_record).
    "accounts.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # People who need (or chose) two-factor authentication go to set-up or verify first.
    "accounts.two_factor.TwoFactorMiddleware",
    # Turns a locked-out sign-in into the lock-out page; axes wants to be last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
                "accounts.context_processors.staff_navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the django-q2 cluster write while the web process reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out address is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend, refusing the demo accounts when DEBUG is off.
    "accounts.backends.PortalModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Guardian: no anonymous-user row (the public holds no permissions here, and accounts.policy
# refuses anonymous users before asking guardian); no monkey-patched User/Group helpers, which
# would write guardian's generic tables instead of accounts' direct foreign-key ones.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False
GUARDIAN_MONKEY_PATCH_GROUP = False
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "workflow:home"  # each role lands on its own work
LOGOUT_REDIRECT_URL = "accounts:sign-in"
# A password reset link works for an hour (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 60 * 60

# Login throttling (django-axes), see README "Accounts, roles and permissions": five wrong
# passwords for one email address from one client address lock that pair out for 15 minutes.
# Locking by the pair, not the address alone, because a council office signs in from one
# shared address; not the email alone, because then anyone could lock a named assurer out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Emails are compared as accounts store them (lower case), and the client address is the one
# the audit log records (REMOTE_ADDR; a proxy must set it).
AXES_USERNAME_CALLABLE = "accounts.lockout.username_tried"
AXES_CLIENT_IP_CALLABLE = "accounts.services.audit.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.auth.locked_out"
# A successful sign-in forgets earlier mistakes; sign-ins are logged in our own audit log, so
# axes keeps no second access log of personal data.
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# No start-up banner on every manage.py command.
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
# The GOV.UK Frontend release pinned in package.json and copied into static/govuk/.
CRISPY_GDS_FRONTEND_VERSION = "5.14.0"

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # ORUK's `format` parameter (json/ndjson) is ours to read, not DRF's renderer override.
    "URL_FORMAT_OVERRIDE": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Local services directory: Open Referral UK 3.0 API",
    "DESCRIPTION": (
        "Every assured service of this directory, in the Open Referral UK 3.0 format "
        "(HSDS-UK-3.0). Open data: no key, any origin. See /api/v3/docs/ for the decisions "
        "this implementation takes where the standard is silent."
    ),
    "VERSION": "3.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": ["publish.api.openapi.add_oruk_schemas"],
    # check --deploy judges the document we serve, not every URL (publish/api/schema_generator).
    "DEFAULT_GENERATOR_CLASS": "publish.api.schema_generator.OrukSchemaGenerator",
}

Q_CLUSTER = {
    "name": "portal",
    "orm": "default",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": 600,
    "retry": 720,
    "catch_up": False,
    "max_attempts": 3,
}
if env_str("REDIS_URL"):
    Q_CLUSTER.pop("orm")
    Q_CLUSTER["redis"] = env_str("REDIS_URL")

EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "directory@localhost")

# Secure by default; DEBUG (development) relaxes what needs HTTPS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER") else None
)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Content-Security-Policy (django-csp): only this site's own scripts, styles, fonts and images; no
# inline scripts or styles (templates keep their scripts in static/app/ and styles in app.css).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# One cache shared by every web process and machine when Redis is configured (the API's counts,
# page starts and feed settings must agree everywhere); otherwise each process keeps its own.
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("CACHE_URL") or env_str("REDIS_URL"),
            "KEY_PREFIX": "portal",
        }
        if env_str("CACHE_URL") or env_str("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Logs go to standard error: plain lines in development, one JSON object per line in production
# (LOG_FORMAT=json|text), each with the request id (core.observability).
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.observability.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "core.observability.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Portal knobs: defaults live in config/portal_defaults.py, overridable from the environment.
from config.portal_defaults import *  # noqa: E402,F403

ORUK_SCHEMA_DIR = Path(env_str("ORUK_SCHEMA_DIR", str(SHARED_DIR / "oruk" / "v3")))
ORUK_CACHE_DIR = Path(env_str("ORUK_CACHE_DIR", str(BASE_DIR / ".cache" / "oruk")))
PORTAL_TAXONOMY_DIR = Path(env_str("PORTAL_TAXONOMY_DIR", str(SHARED_DIR / "taxonomies")))
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", _served_url)
PORTAL_NAME = env_str("PORTAL_NAME", PORTAL_NAME)  # noqa: F405
# Two-factor authentication (django-otp TOTP) for assurers and admins; see accounts/two_factor.py.
PORTAL_REQUIRE_2FA = env_bool("PORTAL_REQUIRE_2FA", default=PORTAL_REQUIRE_2FA)  # noqa: F405
PORTAL_SEARCH_RECORD_MONTHS = env_int("PORTAL_SEARCH_RECORD_MONTHS", PORTAL_SEARCH_RECORD_MONTHS)  # noqa: F405
# The name authenticator apps show beside the code.
OTP_TOTP_ISSUER = PORTAL_NAME
