"""Fulfillment Hub settings: one module, every value read from the environment once.

Embedded default (no variables set): SQLite file, Celery eager in-process, local media.
Production: set DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

import sys
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
TESTING = env.bool("TESTING", default="pytest" in sys.modules)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-dev-only-key-change-me" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "apps.core.admin_site.HubAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "apps.core",
    "apps.accounts",
    "apps.documents",
    "apps.catalog",
    "apps.warehouses",
    "apps.inventory",
    "apps.inbound",
    "apps.shipping",
    "apps.billing",
    "apps.orders",
    "apps.fulfillment",
    "apps.tracking",
    "apps.integrations",
    "apps.portal",
    "apps.backoffice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.accounts.middleware.ApiKeyMiddleware",
    "apps.accounts.middleware.TenantScopeMiddleware",
    "apps.warehouses.middleware.StaffTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Project templates restyle Django's form widgets for Bootstrap (templates/django/forms/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "config.wsgi.application"

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
                "apps.core.context_processors.site",
                "apps.portal.context_processors.portal_navigation",
                "apps.backoffice.context_processors.staff_navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections in production: a request reuses its worker thread's connection instead
# of opening one (a TCP connect, TLS and a PostgreSQL backend start) per request; the health check
# replaces one the server has dropped before a request uses it. Off under DEBUG: runserver starts a
# thread per request, so a kept connection would never be reused.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
    # WAL + a busy timeout let the dev server, the eager tasks and the tests share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = ""  # in-memory for tests
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ---------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="fh"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker the tasks run in-process, right after the transaction that enqueued them.
# Tests run eagerly too, except those that ask for the real worker (tests/test_celery_worker.py).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL or TESTING)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_EAGER_PROPAGATES = True
# Don't lose or double work (DESIGN §3): ack after the task ran, requeue if the worker dies,
# and give Redis a visibility timeout well above the longest task.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Periodic jobs (celery beat); each is idempotent, so a missed or doubled tick is harmless.
CELERY_BEAT_SCHEDULE = {
    # Storage fees for yesterday, every night at 02:00 UTC.
    "billing-storage-fee-run": {"task": "billing.storage_fee_run", "schedule": crontab(hour=2, minute=0)},
    # Waiting misc fees, whenever the balance allows: hourly at :15.
    "billing-misc-fees-collect": {"task": "billing.misc_fees_collect", "schedule": crontab(minute=15)},
    # Import and export files older than JOB_FILES_KEEP_DAYS, every night at 03:30 UTC.
    "documents-jobs-purge": {"task": "documents.jobs_purge", "schedule": crontab(hour=3, minute=30)},
    # Outbox messages not published after commit (broker down, process killed), every minute.
    "core-outbox-sweep": {"task": "core.outbox_sweep", "schedule": 60.0},
    # Hand-overs left half done by a process that died (each order ships once), every 5 minutes.
    "fulfillment-manifests-finish": {"task": "fulfillment.manifests_finish", "schedule": 300.0},
    # The shops' orders that webhooks missed: every active Shopify connection, every 10 minutes.
    "integrations-sync-all": {"task": "integrations.sync_all", "schedule": 600.0},
    # Stock levels to the shops whose stock moved (each at most once a minute), every minute;
    # and every mapped SKU of every such shop each night at 01:30 UTC.
    "integrations-stock-out": {"task": "integrations.stock_out_due", "schedule": 60.0},
    "integrations-stock-out-full": {"task": "integrations.stock_out_full", "schedule": crontab(hour=1, minute=30)},
    # Parcels waiting to be registered at 17TRACK (a failed or throttled batch), every 5 minutes;
    # shipments without news for TRACKING_SWEEP_HOURS (pushes are at most once), hourly at :40;
    # the provider's quota, daily at 06:10 UTC; the measured transit days the quotes use, daily at 04:20 UTC.
    "tracking-register-pending": {"task": "tracking.register_pending", "schedule": 300.0},
    "tracking-sweep": {"task": "tracking.sweep", "schedule": crontab(minute=40)},
    "tracking-quota": {"task": "tracking.quota_read", "schedule": crontab(hour=6, minute=10)},
    "tracking-transit-publish": {"task": "tracking.transit_publish", "schedule": crontab(hour=4, minute=20)},
}
# The sweep leaves a message this long to its after-commit publish before sending it itself;
# published messages are kept this many days for inspection.
OUTBOX_GRACE_SECONDS = env.int("OUTBOX_GRACE_SECONDS", default=60)
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=7)
JOB_FILES_KEEP_DAYS = env.int("JOB_FILES_KEEP_DAYS", default=7)

# --- Auth ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# Our login form posts the e-mail as "username" (Django's AuthenticationForm); axes would look for "email".
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Fulfillment Hub <no-reply@hub.example>")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))

# --- I18N, static, media ---------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end libraries come from package.json; only their built files are served.
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
]
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# PDF fonts (apps/documents/toolkit/faces.py): directories searched for the TrueType files before the
# system's font directories (Debian's packages put them under /usr/share/fonts/truetype).
DOCUMENT_FONT_DIRS = env.list("DOCUMENT_FONT_DIRS", default=[])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.accounts.api.permissions.IsCustomerUser"],
    "DEFAULT_PAGINATION_CLASS": "apps.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="60/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fulfillment Hub API",
    "DESCRIPTION": (
        "Customer API of Fulfillment Hub. Authenticate with `Authorization: Token <key>`; "
        "keys are made in the portal under Integration → API keys."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "InboundStatusEnum": "apps.inbound.choices.InboundStatus",
        "JobStatusEnum": "apps.documents.models.JobStatus",
        "MoveKindEnum": "apps.inventory.choices.MoveKind",
        "OrderStatusEnum": "apps.orders.choices.OrderStatus",
        "TopUpStatusEnum": "apps.billing.choices.TopUpStatus",
    },
}

# --- Security (production when DEBUG is off) -------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # Behind TLS in production. SECURE_COOKIES=false only for a plain-http local stack.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# --- Product settings ------------------------------------------------------------------------
SITE_NAME = "Fulfillment Hub"
# Quotes from order lines add this much for the carton and filling.
SHIPPING_PACKAGING_WEIGHT_PCT = env.int("SHIPPING_PACKAGING_WEIGHT_PCT", default=10)
SHIPPING_PACKAGING_VOLUME_PCT = env.int("SHIPPING_PACKAGING_VOLUME_PCT", default=20)
# Customs (issue 18): a parcel leaving its warehouse's country declared at up to CUSTOMS_CN22_LIMIT_SDR
# travels with a CN 22, above it with a CN 23 and a commercial invoice. The SDR rates are currency
# units per SDR as the IMF publishes them daily (imf.org, "SDRs per currency unit and currency units
# per SDR"); the default table is the IMF's of the date below. Override with
# CUSTOMS_SDR_RATES="USD=1.36568,EUR=1.17176" and CUSTOMS_SDR_RATES_DATE=YYYY-MM-DD. A currency with no
# rate gets a CN 23 (never wrong, only more paper).
CUSTOMS_CN22_LIMIT_SDR = env.int("CUSTOMS_CN22_LIMIT_SDR", default=300)
CUSTOMS_SDR_RATES_DATE = env.str("CUSTOMS_SDR_RATES_DATE", default="2025-10-20")
CUSTOMS_SDR_RATES = env.dict(
    "CUSTOMS_SDR_RATES",
    default={
        "USD": "1.36568", "EUR": "1.17176", "GBP": "1.01841", "CNY": "9.72772", "JPY": "206.163",
        "AUD": "2.10008", "CAD": "1.91687", "MXN": "25.1329", "NZD": "2.37945", "CHF": "1.08258",
        "SEK": "12.8776", "NOK": "13.7581", "DKK": "8.75113", "PLN": "4.96411", "CZK": "28.4595",
        "SGD": "1.76799", "KRW": "1938.59", "INR": "119.888", "BRL": "7.34258", "ILS": "4.52178",
    },
)  # fmt: skip
# "Apply ST-UPC": generated UPC-A codes are this prefix + a running number + the check digit.
ST_UPC_PREFIX = env.str("ST_UPC_PREFIX", default="08600")
if not (ST_UPC_PREFIX.isdigit() and 4 <= len(ST_UPC_PREFIX) <= 10):
    raise environ.ImproperlyConfigured("ST_UPC_PREFIX must be 4 to 10 digits")
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-pass-123")
ALLOW_DEMO_SEED = env.bool("ALLOW_DEMO_SEED", default=DEBUG)

# --- Shop integrations (apps/integrations) ----------------------------------------------------
# Fernet keys for shop credentials at rest, comma-separated: the first encrypts, all decrypt (put
# a new key first to rotate). Under DEBUG/TESTING with none set, a key is derived from SECRET_KEY.
INTEGRATION_KEYS = env.list("INTEGRATION_KEYS", default=[])
SHOPIFY_API_VERSION = env.str("SHOPIFY_API_VERSION", default="2026-10")
# The public app the portal's "Install with Shopify" (OAuth) uses; unset: the portal says OAuth
# install is not configured and only the Dev-Dashboard-app form is offered.
SHOPIFY_APP_CLIENT_ID = env.str("SHOPIFY_APP_CLIENT_ID", default="")
SHOPIFY_APP_CLIENT_SECRET = env.str("SHOPIFY_APP_CLIENT_SECRET", default="")
SHOPIFY_APP_SCOPES = env.str(
    "SHOPIFY_APP_SCOPES",
    default="read_orders,read_products,read_locations,read_inventory,write_inventory,"
    "read_merchant_managed_fulfillment_orders,write_merchant_managed_fulfillment_orders,write_fulfillments",
)
# eBay (Sell Fulfillment API): the app's keyset and RuName from the eBay developer portal, the
# environment ("production" or "sandbox"), and the marketplace account deletion endpoint's
# verification token and its public URL exactly as registered there (the challenge hashes it).
EBAY_CLIENT_ID = env.str("EBAY_CLIENT_ID", default="")
EBAY_CLIENT_SECRET = env.str("EBAY_CLIENT_SECRET", default="")
EBAY_RU_NAME = env.str("EBAY_RU_NAME", default="")
EBAY_ENVIRONMENT = env.str("EBAY_ENVIRONMENT", default="production")
EBAY_VERIFICATION_TOKEN = env.str("EBAY_VERIFICATION_TOKEN", default="")
EBAY_DELETION_ENDPOINT_URL = env.str("EBAY_DELETION_ENDPOINT_URL", default="")
# Where the fake eBay of `make run` listens (the demo's eBay connection points here); "" in production.
EBAY_API_BASE = env.str("EBAY_API_BASE", default="")
EBAY_TIMEOUT_SECONDS = env.float("EBAY_TIMEOUT_SECONDS", default=20.0)  # read timeout of one eBay call
# The connect forms' advanced "API base" (point a connection at another server, e.g. the local
# fake shop): off in production, where it would let a customer make us call any URL.
INTEGRATION_ALLOW_API_BASE = env.bool("INTEGRATION_ALLOW_API_BASE", default=DEBUG)

# --- Parcel tracking (apps/tracking) ----------------------------------------------------------
# 17TRACK: the API key (unset: parcels are not registered anywhere) and the security key its pushes
# are signed with (unset: every push is refused with 401). The version is v2.4 or v2.2.
# Under DEBUG (the demo) with no key of its own, the app talks to the local fake 17TRACK that
# `make run` starts on 127.0.0.1:8767 (`manage.py fake_17track --demo`); never in tests or production.
_FAKE_17TRACK = DEBUG and not TESTING and not env.str("SEVENTEENTRACK_API_KEY", default="")
SEVENTEENTRACK_API_KEY = env.str("SEVENTEENTRACK_API_KEY", default="fake-17track-api-key" if _FAKE_17TRACK else "")
SEVENTEENTRACK_SECURITY_KEY = env.str(
    "SEVENTEENTRACK_SECURITY_KEY", default="fake-17track-security-key" if _FAKE_17TRACK else ""
)
SEVENTEENTRACK_API_VERSION = env.str("SEVENTEENTRACK_API_VERSION", default="v2.4")
if SEVENTEENTRACK_API_VERSION not in ("v2.2", "v2.4"):
    raise environ.ImproperlyConfigured("SEVENTEENTRACK_API_VERSION must be v2.2 or v2.4")
SEVENTEENTRACK_API_BASE = env.str(
    "SEVENTEENTRACK_API_BASE",
    default="http://127.0.0.1:8767/track" if _FAKE_17TRACK else "https://api.17track.net/track",
)
SEVENTEENTRACK_MAX_RPS = env.float("SEVENTEENTRACK_MAX_RPS", default=3.0)
# More of our carrier codes → 17TRACK carrier numbers, e.g. "ontrac=100049,lasership=100104".
SEVENTEENTRACK_CARRIER_CODES = {
    k.lower(): int(v) for k, v in env.dict("SEVENTEENTRACK_CARRIER_CODES", default={}).items()
}
# The sweep asks for shipments without news this long; the quota warning shows below this share.
TRACKING_SWEEP_HOURS = env.int("TRACKING_SWEEP_HOURS", default=12)
TRACKING_PICKUP_WAIT_DAYS = env.int("TRACKING_PICKUP_WAIT_DAYS", default=5)
TRACKING_QUOTA_WARN_PERCENT = env.int("TRACKING_QUOTA_WARN_PERCENT", default=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
