"""Saring settings. Everything that differs between machines comes from the environment.

The defaults are safe for production: DEBUG is off and SECRET_KEY must be set. ``SARING_ENV=dev``
(what ``make run`` sets) switches on the developer profile: DEBUG, a throwaway secret key, the
console email backend and local hosts. See the configuration table in README.md.
"""

from pathlib import Path

import environ
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SARING_ENV = env.str("SARING_ENV", default="production")
DEV = SARING_ENV in {"dev", "test"}

DEBUG = env.bool("DEBUG", default=SARING_ENV == "dev")
# Required to serve or sign anything, not to inspect the project: in production a missing key
# leaves SECRET_KEY empty, which Django refuses the moment anything reads it (pemilu/wsgi.py reads
# it at start-up, so gunicorn without a key never starts), while `manage.py makemigrations
# --check` and similar still run in a bare shell.
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me" if DEV else "")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"] if DEV else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "pgtrigger",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "moderation",
]

MIDDLEWARE = [
    "moderation.middleware.RequestLimitsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "moderation.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "moderation.middleware.PrivateAnswersMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "moderation.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pemilu.urls"
WSGI_APPLICATION = "pemilu.wsgi.application"
ASGI_APPLICATION = "pemilu.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "moderation.context_processors.workspace",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------
# PostgreSQL is the only supported database (partial unique indexes, SKIP LOCKED, triggers).
DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/saring")
}
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["OPTIONS"].setdefault(
    "connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=5)
)
DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DATABASE_NAME", default="test_saring")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError("Saring runs on PostgreSQL only: set DATABASE_URL to a postgres:// URL.")

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="saring"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "moderation.User"

# --- Celery ------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = False
CELERY_LONGEST_TASK_SECONDS = 300

# --- Auth and login security ------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# Locked out: this account from this client address, for the cool-off after the last failure.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Failures are kept: a success neither wipes the count nor the failure log.
AXES_RESET_ON_SUCCESS = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "moderation.accounts.lockout.lockout_response"
# The client address, for the lockout and the audit log alike: behind TRUSTED_PROXY_COUNT
# reverse proxies (each appending to X-Forwarded-For), the address the outermost one saw.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "moderation.middleware.client_ip"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# The lockout answer is a page in the site's layout that says when to try again.
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# The Django admin (users, platforms, calendar) asks for a one-time password in production.
# Bootstrap the first administrator's device with `manage.py addstatictoken <username>`, then
# add a TOTP device in the admin.
ADMIN_REQUIRE_OTP = env.bool("ADMIN_REQUIRE_OTP", default=not DEV)
OTP_TOTP_ISSUER = "Saring"
# The workspace asks these roles for a TOTP code at every sign-in (superusers too); with
# OTP_REQUIRED_FOR_ALL_ROLES, every staff member. docs/security.md.
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=["supervisor", "administrator"])
OTP_REQUIRED_FOR_ALL_ROLES = env.bool("OTP_REQUIRED_FOR_ALL_ROLES", default=False)
# API tokens of those roles expire this many hours after they were made (a new one in the
# admin); other roles' tokens do not expire (user_disable revokes them).
SECOND_FACTOR_ROLE_TOKEN_HOURS = env.int("SECOND_FACTOR_ROLE_TOKEN_HOURS", default=12)

# --- Internationalisation: Bahasa Indonesia first, times in WIB ---------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEV
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEV

# --- Email -------------------------------------------------------------------------------------
# Django 6.1 mailers. EMAIL_URL is smtp://user:pass@host:587/?tls=True, consolemail:// or
# memorymail:// (django-environ's email URL schemes).
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEV else "smtp://127.0.0.1:25")
_email_options = {
    key: _email[setting]
    for key, setting in [
        ("host", "EMAIL_HOST"),
        ("port", "EMAIL_PORT"),
        ("username", "EMAIL_HOST_USER"),
        ("password", "EMAIL_HOST_PASSWORD"),
        ("use_tls", "EMAIL_USE_TLS"),
        ("use_ssl", "EMAIL_USE_SSL"),
    ]
    if _email.get(setting) not in (None, "")
}
_smtp = _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": {**_email_options, "timeout": 15} if _smtp else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Saring <noreply@saring.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "moderation.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "moderation.api.errors.problem_exception_handler",
}
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=False)
SPECTACULAR_SETTINGS = {
    "TITLE": "Saring API",
    "DESCRIPTION": "Case operations for staff tools and the platform webhook.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Clients send JSON (the form parsers stay for the browsable API and the test client).
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # The schema and the docs page need a sign-in (API_DOCS_PUBLIC=true opens them).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"]
    if API_DOCS_PUBLIC
    else ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per domain choice set, wherever a field uses it.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "moderation.choices.CaseStatus",
        "ClarificationStatusEnum": "moderation.choices.ClarificationStatus",
        "DecisionActionEnum": "moderation.choices.Action",
        "AuditActionEnum": "moderation.choices.AuditAction",
        "ReasonEnum": "moderation.choices.Reason",
    },
}

# --- Security headers (production) -------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEV)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = not DEV
CSRF_COOKIE_SECURE = not DEV
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEV else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEV
SECURE_HSTS_PRELOAD = not DEV
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (Django's own, on every response; docs/security.md): only our origin,
# no inline script or <style> without the request's nonce, no inline style attributes, no
# plugins, no framing, forms post only to us. Images also from data: (the TOTP QR code).
# Platform thumbnails are not loaded from the platforms' hosts (a proxy serves them from ours).
# The API docs page (Swagger UI) widens style-src for itself
# (pemilu/urls.py); the admin works under this policy (Django 6.1's admin carries the nonce).
SECURE_CSP: dict[str, list[str]] = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Swagger UI sets inline styles from script (its settings script carries the nonce).
API_DOCS_CSP: dict[str, list[str]] = {**SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Domain settings ---------------------------------------------------------------------------
SARING = {
    # How long a claim holds a case before it returns to the queue.
    "LEASE_MINUTES": env.int("LEASE_MINUTES", default=15),
    # Webhook body cap (contract §2) and signature tolerance.
    "WEBHOOK_MAX_BYTES": 256 * 1024,
    "WEBHOOK_TOLERANCE_SECONDS": 300,
    # Processing a stored webhook event gives up waiting for a lock after this long (the event
    # stays stored and is retried), so one stuck transaction cannot stall all processing.
    "INGEST_LOCK_TIMEOUT": "5s",
    # Public base URL used in links sent to platforms (clarification pages).
    "PUBLIC_BASE_URL": env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000"),
    # The queues overview aggregates every open case; its numbers are cached this long per
    # visibility scope (0 = no cache, the default under tests).
    "QUEUE_OVERVIEW_CACHE_SECONDS": env.int(
        "QUEUE_OVERVIEW_CACHE_SECONDS", default=0 if SARING_ENV == "test" else 15
    ),
    # Video thumbnails are fetched from the platform through our own proxy (review/thumbnails.py):
    # at most this many bytes, within this many seconds, kept in the cache this long.
    "THUMBNAIL_MAX_BYTES": env.int("THUMBNAIL_MAX_BYTES", default=2 * 1024 * 1024),
    "THUMBNAIL_TIMEOUT_SECONDS": env.float("THUMBNAIL_TIMEOUT_SECONDS", default=3.0),
    "THUMBNAIL_CACHE_SECONDS": env.int("THUMBNAIL_CACHE_SECONDS", default=6 * 3600),
    # Whether a thumbnail URL may point at a private or loopback address (dev and tests serve
    # them locally; in production that would let a platform make us fetch internal URLs).
    "THUMBNAIL_ALLOW_PRIVATE_HOSTS": env.bool("THUMBNAIL_ALLOW_PRIVATE_HOSTS", default=DEV),
}

if SARING_ENV == "test":
    # Hashing every test user's password with PBKDF2's full work factor costs seconds per test
    # on a busy machine; the tests of sign-in still run the whole flow, with a fast hasher.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "saring.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
