"""Learning Lab settings: one module, every deployment value read from the environment.

Unset, the values give the zero-setup demo (SQLite, in-process tasks, console email).
Production sets ``DEBUG=0`` and must provide ``SECRET_KEY``; see the README's table.
Tests override a few values in ``config/settings_test.py`` and nowhere else.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)

# Build steps that sign nothing (e.g. in an image build without secrets) may run without a key.
OFFLINE_COMMANDS = {"makemigrations", "collectstatic", "compilemessages", "makemessages", "help"}
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    offline = len(sys.argv) > 1 and sys.argv[0].endswith("manage.py") and sys.argv[1] in OFFLINE_COMMANDS
    if not DEBUG and not offline:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Only the local demo (DEBUG on) and offline build steps run with a throwaway key.
    SECRET_KEY = "insecure-key-only-for-local-development-and-offline-build-steps"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "Learning Lab"

# Our own apps, from the ground floor up (the import-linter contract in pyproject.toml holds
# the layers). Their permissions go to coordinators (network/roles.py); each has a catalogue.
LEARNINGLAB_APPS = [
    "core",
    "network",
    "outbox",
    "invitations",
    "exchanges",
    "evidence",
    "practice",
    "programmes",
    "matches",
    "strategy",
    "search",
    "digests",
    "api",
]
# Seeds, benchmarks and local services (``seed_demo``, ``seed_bench``, ``bench``): on for the
# demo (DEBUG), ``make bench`` and the tests; a production deployment does not install them.
DEVTOOLS = env_bool("DEVTOOLS", DEBUG)

INSTALLED_APPS = [
    # modeltranslation must come before the admin to patch its forms.
    "modeltranslation",
    "config.apps.LearningLabAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "django_countries",
    "django_filters",
    "csp",
    # django-ninja: the API's schema and its Swagger UI, served from our own static files.
    "ninja",
    *LEARNINGLAB_APPS,
    *(["devtools"] if DEVTOOLS else []),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # CORS for /api/v1/, and JSON instead of HTML for what is refused before the API runs.
    "api.middleware.ApiCorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.ViewerMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Last, so that their answers pass through every middleware above (security headers, CSP):
    # personal responses get Cache-Control: private, no-store; unusable input gets the 400 page.
    "core.http.PrivateCacheMiddleware",
    "core.http.UnusableInputMiddleware",
    # After them, and last: nothing above reads the body before its size is checked; the 413
    # page passes through every middleware above.
    "core.uploads.RequestSizeLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
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
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "core.context_processors.site",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    # A kept connection that PostgreSQL dropped (restart, terminated backend) is noticed and
    # replaced at the start of the next request instead of failing it.
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
    # DB_POOLER=transaction: DATABASE_URL points at PgBouncer in transaction pooling mode, where
    # each transaction (each query in autocommit) may run on another server connection. Nothing
    # may then outlive a transaction on the server: no server-side cursors (iterator() fetches
    # in chunks across statements, so Django reads the whole result client-side instead) and no
    # prepared statements (psycopg prepares a query after 5 runs; PgBouncer 1.18 cannot follow
    # them). The code keeps no other session state: locks are row locks inside transactions,
    # SET is always SET LOCAL, and there is no LISTEN, advisory lock or temporary table. The
    # time zone Django sets on connect is one of the parameters PgBouncer tracks per client.
    # DB_CONN_MAX_AGE then keeps the cheap client connection to PgBouncer, not a server one.
    # See README, "Capacity".
    DB_POOLER = env_str("DB_POOLER") or "none"
    if DB_POOLER not in ("none", "transaction"):
        raise ImproperlyConfigured(f"DB_POOLER must be 'none' or 'transaction', got {DB_POOLER!r}")
    # DATABASE_REPLICA_URL: a streaming replica of the same database. The evidence dashboard,
    # its report and its exports read from it (core.replica.reads_from_replica); everything
    # else, and every write, uses default. See README, "Capacity".
    DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
    if DATABASE_REPLICA_URL:
        DATABASES["replica"] = dj_database_url.parse(
            DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
        DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    if DB_POOLER == "transaction":
        for _database in DATABASES.values():
            _database["DISABLE_SERVER_SIDE_CURSORS"] = True
            _database.setdefault("OPTIONS", {})["prepare_threshold"] = None
    else:
        # PostgreSQL's JIT compiler starts on any query its planner costs above 100,000: the
        # dashboard's aggregates and the evidence export spent 0.3-3 s compiling (measured with
        # EXPLAIN ANALYZE on seed_bench data) to run queries that take less than that
        # without it. Our queries are short and indexed, so JIT is off for our connections.
        # PgBouncer does not pass startup options on: behind it, set jit = off for the database
        # (ALTER DATABASE … SET jit = off; README, "Capacity").
        for _database in DATABASES.values():
            if _database["ENGINE"].endswith("postgresql"):
                _database.setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
REPLICA_READS = "replica" in DATABASES
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "ll"),
            # A hung Redis must not hang a request: fail fast and let the caller decide.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
# Without a broker (the demo) tasks run in-process, right where they are enqueued.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# We never read task results; a results backend would only add load (and redis-py 8 warns).
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "UTC"
# A task is acknowledged only after it finished, and handed back to the queue if its worker
# process dies: together with the outbox's claim this is what makes a SIGKILL lose nothing.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Each worker process reserves one task at a time, so a killed worker strands at most one.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Every task is short (one email is well under a second); a hung one is stopped.
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 90)
# A down or hung Redis must never hold a web request: connect and socket timeouts are short,
# and publishing does not retry (the outbox sweeper hands over whatever was not enqueued).
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_TIMEOUT", 2)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_POOL_LIMIT = env_int("CELERY_BROKER_POOL_LIMIT", 10)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": env_int("CELERY_BROKER_TIMEOUT", 2),
    "socket_connect_timeout": env_int("CELERY_BROKER_TIMEOUT", 2),
    # Don't try again and again to connect when publishing: fail once, fast.
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    # An unacknowledged task (its worker died) is redelivered after this many seconds. It must
    # exceed the longest task including its countdown; ours take seconds and use no countdowns.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600),
    "health_check_interval": 25,
}
# When a worker loses Redis, the task it is running carries on and records its outcome in the
# database (a redelivered copy then finds the row done and does nothing). Cancelling it instead
# terminated an email in the middle of its SMTP transaction, after the server had stored it,
# and the email went twice (issue 16). Set explicitly: Celery 6 turns cancelling on by default.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_WORKER_SEND_TASK_EVENTS = False
# Every periodic job (``make beat``), in one place. Schedules in seconds or crontabs (UTC).
CELERY_BEAT_SCHEDULE = {
    # Hands over rows that no worker took (Redis was down) and takes back those whose worker died.
    "outbox-sweep": {"task": "outbox.sweep", "schedule": float(env_int("OUTBOX_SWEEP_INTERVAL", 60))},
    "exchanges-reminders": {"task": "exchanges.tasks.reminders_send", "schedule": 15 * 60},
    "exchanges-offers-expire": {"task": "exchanges.tasks.offers_expire", "schedule": 5 * 60},
    "exchanges-erase-sensitive": {"task": "exchanges.tasks.sensitive_answers_erase", "schedule": 6 * 60 * 60},
    "exchanges-reflection-invitations": {"task": "exchanges.tasks.reflection_invitations_send", "schedule": 60 * 60},
    # The weekly and monthly runs send the digests of the period that just ended; the hourly
    # catch-up finishes anything a lost batch or a broker outage left due (nothing due: two
    # counting queries). See digests/services.py.
    "digests-weekly": {
        "task": "digests.run",
        "schedule": crontab(minute=0, hour=6, day_of_week="mon"),
        "kwargs": {"frequency": "weekly"},
    },
    "digests-monthly": {
        "task": "digests.run",
        "schedule": crontab(minute=0, hour=6, day_of_month="1"),
        "kwargs": {"frequency": "monthly"},
    },
    "digests-catch-up": {"task": "digests.catch_up", "schedule": crontab(minute=30)},
    # Once per due date per commitment (idempotent), so an hourly run costs one query when idle.
    "strategy-commitments-overdue": {"task": "strategy.tasks.commitments_overdue_notify", "schedule": 60 * 60},
    # The open-data package of the day (api/opendata.py), at night.
    "api-open-data": {"task": "api.open_data_package", "schedule": crontab(minute=15, hour=2)},
}

# --- Outbox ---------------------------------------------------------------------------------
# How often a failing email is tried (capped exponential backoff from the base, in seconds).
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 6)
OUTBOX_BACKOFF_BASE_SECONDS = env_int("OUTBOX_BACKOFF_BASE_SECONDS", 30)
OUTBOX_BACKOFF_CAP_SECONDS = env_int("OUTBOX_BACKOFF_CAP_SECONDS", 60 * 60)
# Backlogs (after an outage, bulk sends) are handed to workers this many rows per task.
OUTBOX_BATCH_SIZE = env_int("OUTBOX_BATCH_SIZE", 50)
# The sweeper hands a queued row to the broker again when it was never handed over (Redis was
# down) after the grace period, or was handed over this long ago and is still not sent (the
# task was lost). Longer than the visibility timeout, so a backlog is not enqueued twice.
OUTBOX_REQUEUE_GRACE_SECONDS = env_int("OUTBOX_REQUEUE_GRACE_SECONDS", 10)
OUTBOX_REQUEUE_AFTER_SECONDS = env_int("OUTBOX_REQUEUE_AFTER_SECONDS", 900)
# A row claimed ("sending") for longer than this is taken back: its worker died. It must
# exceed the hard task time limit and the SMTP timeout so a slow but live send is never doubled.
OUTBOX_RECLAIM_AFTER_SECONDS = env_int("OUTBOX_RECLAIM_AFTER_SECONDS", 300)

# --- Invitations ----------------------------------------------------------------------------
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 14)
# At most this many rows in one uploaded invitation CSV.
INVITATION_CSV_MAX_ROWS = env_int("INVITATION_CSV_MAX_ROWS", 1000)

# --- Digests (the job's entries are in CELERY_BEAT_SCHEDULE above) --------------------------
DIGESTS_BATCH_SIZE = env_int("DIGESTS_BATCH_SIZE", 500)

# --- Auth and accounts ----------------------------------------------------------------------
AUTH_USER_MODEL = "network.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Learning Lab] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# network's adapter (emails through the outbox, the page's language) plus invited sign-ups.
ACCOUNT_ADAPTER = "invitations.adapters.AccountAdapter"
# The login form in the site's words ("Remember me"); the pages are templates/account/.
ACCOUNT_FORMS = {"login": "network.account_forms.LoginForm"}
# allauth's defaults, written out so that nobody turns them off by accident. They count in
# the cache, which is Redis (shared by every process) whenever REDIS_URL is set.
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

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("sv", _("Swedish")), ("nl", _("Dutch"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# Each app keeps its own catalogue; the project-wide one (templates, config) comes last
# because makemessages files a string under the first path whose parent contains it.
LOCALE_PATHS = [BASE_DIR / app / "locale" for app in LEARNINGLAB_APPS] + [BASE_DIR / "locale"]
# English written the European way (day-month-year, 24-hour clock): config/formats/en/.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads are stored here and served only by views that apply the access policy
# (core/files.py): no URL maps onto this folder. MEDIA_URL is never routed.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploads in a shared object store, so that several machines serve the same files
# (README, "Capacity"): MEDIA_STORAGE=libcloud through django-storages' Apache Libcloud backend.
# MEDIA_LIBCLOUD_PROVIDER names a libcloud storage provider (S3, MINIO, AZURE_BLOBS, ...;
# LOCAL is a directory on disk with the same API, which the tests use), MEDIA_LIBCLOUD_USER and
# MEDIA_LIBCLOUD_KEY its credentials (LOCAL: USER is the directory), MEDIA_LIBCLOUD_BUCKET the
# container. Files are then streamed by Django from the store (SENDFILE_BACKEND applies to
# the file system only); they are still served only through the policy's views.
MEDIA_STORAGE = env_str("MEDIA_STORAGE") or "filesystem"
if MEDIA_STORAGE == "libcloud":
    _libcloud_provider = env_str("MEDIA_LIBCLOUD_PROVIDER") or "LOCAL"
    LIBCLOUD_PROVIDERS = {
        "media": {
            "type": f"libcloud.storage.types.Provider.{_libcloud_provider}",
            "user": env_str("MEDIA_LIBCLOUD_USER") or str(MEDIA_ROOT),
            "key": env_str("MEDIA_LIBCLOUD_KEY") or "",
            "bucket": env_str("MEDIA_LIBCLOUD_BUCKET") or "media",
        }
    }
    if env_str("MEDIA_LIBCLOUD_REGION"):
        LIBCLOUD_PROVIDERS["media"]["region"] = env_str("MEDIA_LIBCLOUD_REGION")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.apache_libcloud.LibCloudStorage",
        "OPTIONS": {"provider_name": "media"},
    }
elif MEDIA_STORAGE != "filesystem":
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be 'filesystem' or 'libcloud', got {MEDIA_STORAGE!r}")
# Django does not cap upload sizes by itself: SizeLimitUploadHandler stops a file larger than
# this (bytes) while it streams in, and every file field checks it again.
MAX_UPLOAD_SIZE = env_int("MAX_UPLOAD_SIZE", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
# A request body declared larger than this is answered 413 before it is read.
MAX_REQUEST_SIZE = env_int("MAX_REQUEST_SIZE", MAX_UPLOAD_SIZE + DATA_UPLOAD_MAX_MEMORY_SIZE)
FILE_UPLOAD_HANDLERS = [
    "core.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Images with more pixels are refused before they are decoded (decompression bombs).
MAX_IMAGE_PIXELS = env_int("MAX_IMAGE_PIXELS", 40_000_000)
# How stored files leave: "simple" (Django reads and sends them: the demo, small sites),
# "nginx" (X-Accel-Redirect to SENDFILE_URL, an `internal` location of the proxy) or
# "xsendfile" (Apache mod_xsendfile, lighttpd). See README, "Files behind a proxy".
SENDFILE_BACKENDS = {
    "simple": "django_sendfile.backends.simple",
    "nginx": "django_sendfile.backends.nginx",
    "xsendfile": "django_sendfile.backends.xsendfile",
}
_sendfile_backend = env_str("SENDFILE_BACKEND") or "simple"
if _sendfile_backend not in SENDFILE_BACKENDS:
    raise ImproperlyConfigured(
        f"SENDFILE_BACKEND must be one of {', '.join(SENDFILE_BACKENDS)}, got {_sendfile_backend!r}"
    )
SENDFILE_BACKEND = SENDFILE_BACKENDS[_sendfile_backend]
SENDFILE_ROOT = str(MEDIA_ROOT)
SENDFILE_URL = env_str("SENDFILE_URL") or "/protected-media"

# --- Email ----------------------------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
    EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Learning Lab <no-reply@learninglab.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("BEHIND_TLS_PROXY", False):
    # The proxy terminates TLS (and redirects plain HTTP itself); trust its header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS: list[str] = []
if not SECURE_SSL_REDIRECT and env_bool("BEHIND_TLS_PROXY", False):
    SILENCED_SYSTEM_CHECKS.append("security.W008")
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are only sent over HTTPS, for this exact host, on every path.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Styles allow inline attributes (the Django admin uses a few); scripts never do.
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Public API and open data ---------------------------------------------------------------
# Calls a minute: per address for anonymous calls, per personal access token otherwise.
API_RATE_LIMIT_ANONYMOUS = env_int("API_RATE_LIMIT_ANONYMOUS", 60)
API_RATE_LIMIT_TOKEN = env_int("API_RATE_LIMIT_TOKEN", 600)
# Take the caller's address from X-Forwarded-For (only behind a proxy that sets it).
API_TRUST_FORWARDED_FOR = env_bool("API_TRUST_FORWARDED_FOR", False)
# Small-cell suppression: an indicator figure (or one of its splits) built from fewer
# contributing records than this is not published (api/figures.py).
OPEN_DATA_MIN_CELL_SIZE = env_int("OPEN_DATA_MIN_CELL_SIZE", 5)
# Where the nightly packages are written: under MEDIA_ROOT, so that they leave through
# django-sendfile2 (and the proxy) like every stored file; served by api.views only.
OPEN_DATA_ROOT = MEDIA_ROOT / "open-data"

# --- Exchanges (their periodic jobs are in CELERY_BEAT_SCHEDULE above) ---------------------
# How long a freed place is held for the waitlisted member it was offered to.
EXCHANGE_OFFER_HOLD_HOURS = env_int("EXCHANGE_OFFER_HOLD_HOURS", 48)
# Access, dietary and interpretation answers are erased this many days after an exchange ends.
EXCHANGE_SENSITIVE_RETENTION_DAYS = env_int("EXCHANGE_SENSITIVE_RETENTION_DAYS", 30)
