"""Settings for the ITSM platform, all taken from the environment (see `.env.example`)."""

from pathlib import Path

import dj_database_url

from itsm.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ITSM_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
# The fallback is flagged by `manage.py check --deploy` (security.W009): set SECRET_KEY in production.
SECRET_KEY = env_str("SECRET_KEY") or "django-insecure-development-key-set-SECRET_KEY-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_NAME = env_str("SITE_NAME", "ITSM")
SITE_URL = env_str("SITE_URL", "http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "itsm.core",
    "itsm.cmdb",
    "itsm.notifications",
    "itsm.mail",
    "itsm.sla",
    "itsm.approvals",
    "itsm.maintenance",
    "itsm.api",
    "itsm.portal",
    "itsm.dashboards",
    "incidents",
    "problems",
    "changes",
    "knowledge",
    "catalog",
    "suppliers",
    "improvements",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "itsm.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "itsm.core.middleware.UserPreferencesMiddleware",
    # API only: rate-limit headers on counted responses; Idempotency-Key on POSTs.
    "itsm.api.ratelimit.RateLimitHeadersMiddleware",
    "itsm.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "itsm.urls"
WSGI_APPLICATION = "itsm.wsgi.application"

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
                "itsm.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'itsm.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web, worker and beat processes read while one writes; IMMEDIATE
    # transactions take the write lock up front instead of failing on upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("SQLITE_TEST_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_DIR = VAR_DIR / "celery-broker"
# "localhost" only names this machine: kombu warns about a filesystem:// URL without a host.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://localhost/"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        # The serverless broker: web, worker and beat exchange messages through files.
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": 3600}
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    "core.heartbeat": {
        "task": "core.heartbeat",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "incidents.auto_close": {
        "task": "incidents.auto_close",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "sla.sweep": {
        "task": "sla.sweep",
        "schedule": 5.0,
        "options": {"expires": 4},
    },
    # Dashboard rollups: today and the days touched since the last run (itsm.dashboards.rollups).
    "dashboards.refresh_rollups": {
        "task": "dashboards.refresh_rollups",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    # The Requests board's rollup, on the same cadence as the overview's (catalog.rollups).
    "catalog.refresh_request_rollups": {
        "task": "catalog.refresh_request_rollups",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    "suppliers.remind_renewals": {
        "task": "suppliers.remind_renewals",
        "schedule": 86400.0,
        "options": {"expires": 3600},
    },
    "problems.propose": {
        "task": "problems.propose",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "knowledge.sweep": {
        "task": "knowledge.sweep",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    "notifications.sweep_outbox": {
        "task": "notifications.sweep_outbox",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "mail.poll_mailboxes": {
        "task": "mail.poll_mailboxes",
        "schedule": float(env_int("MAIL_POLL_SECONDS", 60)),
        "options": {"expires": 50},
    },
    "mail.send_digests": {
        "task": "mail.send_digests",
        "schedule": 900.0,
        "options": {"expires": 800},
    },
    # Once per ISO week per subscribed manager (deduplicated); hourly so a stopped beat catches up.
    "improvements.send_weekly_summaries": {
        "task": "improvements.send_weekly_summaries",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "api.purge_idempotency_keys": {
        "task": "api.purge_idempotency_keys",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
}

# --- Auth -----------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW = env_int("LOGIN_FAILURE_WINDOW", 900)

# --- Security -------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Requests larger than this are refused with 413 before a view reads them.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 30 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Attachments ----------------------------------------------------------------------
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)
ATTACHMENT_ALLOWED_EXTENSIONS = env_list(
    "ATTACHMENT_ALLOWED_EXTENSIONS",
    "txt,log,csv,json,xml,pdf,png,jpg,jpeg,gif,webp,doc,docx,xls,xlsx,ppt,pptx,odt,ods,zip,eml,msg",
)

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Service Desk <servicedesk@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_MESSAGE_ID_DOMAIN = env_str("EMAIL_MESSAGE_ID_DOMAIN", "itsm.localhost")

# --- E-mail channel (itsm.mail) -------------------------------------------------------
#: Where replies go; empty: the address in DEFAULT_FROM_EMAIL.
MAIL_REPLY_ADDRESS = env_str("MAIL_REPLY_ADDRESS")
#: Per-record reply addresses (desk+INC0001234.<token>@domain); off if the server cannot deliver them.
MAIL_PLUS_ADDRESSING = env_bool("MAIL_PLUS_ADDRESSING", True)
#: Handler for new mail when no mailbox is configured (a mailbox names its own).
MAIL_DEFAULT_HANDLER = env_str("MAIL_DEFAULT_HANDLER", "incident")
#: Larger messages are quarantined unread (attachments also obey ATTACHMENT_MAX_BYTES).
MAIL_MAX_MESSAGE_BYTES = env_int("MAIL_MAX_MESSAGE_BYTES", 40 * 1024 * 1024)
#: At most this many messages per sender address within MAIL_RATE_WINDOW seconds.
MAIL_RATE_LIMIT = env_int("MAIL_RATE_LIMIT", 20)
MAIL_RATE_WINDOW = env_int("MAIL_RATE_WINDOW", 3600)
MAIL_POLL_BATCH = env_int("MAIL_POLL_BATCH", 100)
MAIL_IMAP_TIMEOUT = env_int("MAIL_IMAP_TIMEOUT", 30)
#: Seconds between two digests for people who chose the digest.
MAIL_DIGEST_INTERVAL = env_int("MAIL_DIGEST_INTERVAL", 24 * 3600)

# --- Configuration cache (itsm.core.configcache) ------------------------------------------
# Seconds a process keeps SLA definitions, routing rules and the priority matrix before
# reading them again; the process that changes them forgets its copy at once.
CONFIG_CACHE_SECONDS = env_int("CONFIG_CACHE_SECONDS", 5)

# --- SLA ------------------------------------------------------------------------------
SLA_SWEEP_BATCH = env_int("SLA_SWEEP_BATCH", 200)

# --- Incidents ------------------------------------------------------------------------
INCIDENT_REOPEN_DAYS = env_int("INCIDENT_REOPEN_DAYS", 7)
INCIDENT_AUTO_CLOSE_DAYS = env_int("INCIDENT_AUTO_CLOSE_DAYS", 5)

# --- Approvals ------------------------------------------------------------------------
#: Seconds an e-mailed approval link stays valid (it also stops working once used).
APPROVAL_LINK_MAX_AGE = env_int("APPROVAL_LINK_MAX_AGE", 7 * 24 * 3600)

# --- Change schedule ------------------------------------------------------------------
#: How many hops of the CMDB graph (depends on / runs on) two changes' CIs may be apart and
#: still collide when their windows overlap.
CHANGE_COLLISION_HOPS = env_int("CHANGE_COLLISION_HOPS", 2)
#: Seconds a calendar feed link stays valid (0: until the user's feed key is reset).
CHANGE_CALENDAR_FEED_MAX_AGE = env_int("CHANGE_CALENDAR_FEED_MAX_AGE", 0)

# --- Outbox ---------------------------------------------------------------------------
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)
OUTBOX_CLAIM_TIMEOUT = env_int("OUTBOX_CLAIM_TIMEOUT", 600)
OUTBOX_SWEEP_BATCH = env_int("OUTBOX_SWEEP_BATCH", 500)

# --- Webhooks (itsm.notifications.webhooks) -------------------------------------------
#: Hosts an admin allows although they resolve to private/loopback addresses (SSRF guard).
WEBHOOK_ALLOWED_HOSTS = [
    h.strip().lower() for h in env_str("WEBHOOK_ALLOWED_HOSTS", "").split(",") if h.strip()
]
WEBHOOK_CONNECT_TIMEOUT = float(env_str("WEBHOOK_CONNECT_TIMEOUT", "3"))
WEBHOOK_READ_TIMEOUT = float(env_str("WEBHOOK_READ_TIMEOUT", "5"))
#: Seconds after the event within which failed deliveries are retried (backoff with jitter).
WEBHOOK_RETRY_WINDOW = env_int("WEBHOOK_RETRY_WINDOW", 24 * 3600)
#: A subscription is disabled after this many failed attempts in a row (and at once on HTTP 410).
WEBHOOK_DISABLE_AFTER_FAILURES = env_int("WEBHOOK_DISABLE_AFTER_FAILURES", 20)
#: At most this many deliveries to one subscription at once; one slow receiver cannot take every worker.
WEBHOOK_MAX_IN_FLIGHT = env_int("WEBHOOK_MAX_IN_FLIGHT", 4)
#: The Celery queue of webhook deliveries (run a worker on it: docs/operations.md).
WEBHOOK_QUEUE = env_str("WEBHOOK_QUEUE", "webhooks")
CELERY_TASK_ROUTES = {"notifications.deliver_webhook": {"queue": WEBHOOK_QUEUE}}

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "static_root")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"  # never routed: attachments are served by a view that checks access
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": env_str("MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Locale ---------------------------------------------------------------------------
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("es", "Español")]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "itsm.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        # Never authenticates: counts what the others did not accept against the client address.
        "itsm.api.ratelimit.AnonymousRateLimit",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "itsm.api.pagination.OrderedCursorPagination",
    "DEFAULT_FILTER_BACKENDS": ["itsm.api.filters.StrictFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "itsm.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "PAGE_SIZE": 50,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_MAX_PAGE_SIZE = 200
# Requests per token, and per client address for requests without a valid token ("off": none).
API_RATE_LIMITS = {
    "token": env_str("API_RATE_LIMIT_TOKEN", "6000/minute"),
    "anonymous": env_str("API_RATE_LIMIT_ANONYMOUS", "60/minute"),
}
# How long an Idempotency-Key's stored response is replayed, and when an unfinished claim is given up.
IDEMPOTENCY_KEY_TTL = env_int("IDEMPOTENCY_KEY_TTL", 24 * 3600)
IDEMPOTENCY_IN_FLIGHT_TIMEOUT = env_int("IDEMPOTENCY_IN_FLIGHT_TIMEOUT", 120)
SPECTACULAR_SETTINGS = {
    "TITLE": "ITSM API",
    "DESCRIPTION": "REST API of the ITSM platform. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Impact and urgency share one 1-3 scale.
    "ENUM_NAME_OVERRIDES": {
        "LevelEnum": "itsm.core.choices.Impact",
        "TaskKindEnum": "itsm.core.choices.TaskKind",
        "TimelineKindEnum": "itsm.core.choices.TimelineKind",
        "LinkKindEnum": "itsm.core.choices.LinkKind",
        "ServiceKindEnum": "itsm.cmdb.choices.ServiceKind",
        "RelationshipKindEnum": "itsm.cmdb.choices.RelationshipKind",
        "CIStatusEnum": "itsm.cmdb.choices.CIStatus",
        "EnvironmentEnum": "itsm.cmdb.choices.Environment",
        "HoldReasonEnum": "incidents.choices.HoldReason",
        "ApprovalDecisionEnum": "itsm.approvals.choices.Decision",
        "ApprovalStageRuleEnum": "itsm.approvals.choices.StageRule",
        "ApprovalStageStateEnum": "itsm.approvals.choices.StageState",
        "ApprovalOutcomeEnum": "itsm.approvals.choices.PlanOutcome",
        "ResolutionCodeEnum": "incidents.choices.ResolutionCode",
        "FixResolutionEnum": "problems.choices.FixResolution",
        "ChangeTypeEnum": "changes.choices.ChangeType",
        "RaisableChangeTypeEnum": "changes.choices.RaisableChangeType",
        "ChangeTaskTypeEnum": "changes.choices.ChangeTaskType",
        "ProblemTaskTypeEnum": "problems.choices.ProblemTaskType",
    },
}

LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # "django" through the root handler only: Django's own console handler would print each line twice.
    "loggers": {"django": {"level": LOG_LEVEL}, "django.db.backends": {"level": "WARNING"}},
}
