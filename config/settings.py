"""Muster's settings: everything comes from the environment (see .env.example).

A missing or malformed variable stops the process at import with one line naming it.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta
from pathlib import Path

from kombu import Queue

from config import env
from config.env import SettingError
from config.queues import MUSTER_QUEUES

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

if env.boolean("DJANGO_READ_DOT_ENV_FILE", False) and (BASE_DIR / ".env").exists():
    env.env.read_env(str(BASE_DIR / ".env"), overwrite=False)

try:
    DEBUG = env.boolean("DEBUG", False)

    # In local development a missing key is replaced by a per-process random one
    # (sessions end when the process restarts); production must set it.
    SECRET_KEY = env.string("SECRET_KEY", required=not DEBUG) or secrets.token_urlsafe(50)
    ALLOWED_HOSTS = env.string_list(
        "ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else None, required=not DEBUG
    )
    # Keys the hash that stands for a member in an anonymous poll (polls.services.voter_key).
    # Secret (POLL_VOTER_KEY_FILE works too), held by workers only: a worker refuses to start
    # without it outside DEBUG, while web and the gateway never need it. None: not set.
    POLL_VOTER_KEY = env.string("POLL_VOTER_KEY")
    CSRF_TRUSTED_ORIGINS = env.string_list("CSRF_TRUSTED_ORIGINS", [])
    # Encrypts members' Jira OAuth tokens at rest (jira_sync.crypto). Secret (JIRA_TOKEN_KEY_FILE
    # works too), held by workers and web only. None: not set (refused outside DEBUG when used).
    JIRA_TOKEN_KEY = env.string("JIRA_TOKEN_KEY")
    # Where members' browsers reach Muster's web (the /jira/connect links Discord shows).
    MUSTER_PUBLIC_URL = env.url("MUSTER_PUBLIC_URL", "http://127.0.0.1:8000", schemes=("https", "http"))
    # Atlassian's OAuth 2.0 (3LO) endpoints; the sandbox stands in for them in tests.
    ATLASSIAN_AUTH_URL = env.url("ATLASSIAN_AUTH_URL", "https://auth.atlassian.com", schemes=("https", "http"))
    ATLASSIAN_API_URL = env.url("ATLASSIAN_API_URL", "https://api.atlassian.com", schemes=("https", "http"))

    DATABASES = {
        "default": env.database(
            "DATABASE_URL",
            default={
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": VAR_DIR / "muster.sqlite3",
                "OPTIONS": {
                    # WAL lets readers run beside the one writer; IMMEDIATE takes the
                    # write lock at BEGIN so concurrent writers queue instead of failing.
                    "transaction_mode": "IMMEDIATE",
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                    "timeout": 20,
                },
            },
        )
    }
    DATABASES["default"]["CONN_MAX_AGE"] = env.integer("CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

    REDIS_URL = env.url("REDIS_URL", "redis://127.0.0.1:6379/0", schemes=("redis", "rediss"))

    # The broker's visibility timeout must exceed the longest countdown/ETA any task
    # uses (the outbox retries at most MAX_RETRY_DELAY_S ahead), or Redis would hand
    # the still-waiting message to a second worker.
    CELERY_VISIBILITY_TIMEOUT_S = env.integer("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)
    MAX_RETRY_DELAY_S = env.integer("MAX_RETRY_DELAY", 900, minimum=1)

    SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", not DEBUG)
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
    SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", False)
    USE_X_FORWARDED_PROTO = env.boolean("USE_X_FORWARDED_PROTO", False)

    LOG_LEVEL = (env.string("LOG_LEVEL", "INFO") or "INFO").upper()
    if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise SettingError(f"LOG_LEVEL={LOG_LEVEL!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL")

    # plain: "time level logger message" lines; json: one JSON object per line (config.logfilters).
    LOG_FORMAT = (env.string("LOG_FORMAT", "plain") or "plain").lower()
    if LOG_FORMAT not in {"plain", "json"}:
        raise SettingError(f"LOG_FORMAT={LOG_FORMAT!r} is not one of plain, json")

    BEAT_HEARTBEAT_MAX_AGE = timedelta(seconds=env.integer("BEAT_HEARTBEAT_MAX_AGE", 180, minimum=10))
    # Each worker writes its Heartbeat row ("worker:<hostname>") this often (config.celery_app).
    WORKER_HEARTBEAT_INTERVAL_S = env.integer("WORKER_HEARTBEAT_INTERVAL", 30, minimum=1)
    # Registrants are told of an event's edits this long after the first, in one DM.
    EVENT_EDIT_WINDOW_S = env.integer("EVENT_EDIT_WINDOW", 60, minimum=0)
    # Registration changes are announced in an event's thread or channel together, this long after the first.
    EVENT_SPACE_NEWS_WINDOW_S = env.integer("EVENT_SPACE_NEWS_WINDOW", 60, minimum=0)
    # Members are told their team by DM once team changes settled this long (a member moved twice: one DM).
    TEAM_NOTICE_WINDOW_S = env.integer("TEAM_NOTICE_WINDOW", 60, minimum=0)
    # Occurrences of a series exist this many days ahead (events.series); the rest come with time.
    SERIES_WINDOW_DAYS = env.integer("SERIES_WINDOW_DAYS", 56, minimum=1)
    # Command logs, delivered outbox rows and summarised held nudges older than this are pruned (core.retention).
    RETENTION_DAYS = env.integer("RETENTION_DAYS", 90, minimum=1)
    # A guild that removed Muster has its data deleted this long after (core.retention); a rejoin keeps it.
    GUILD_DATA_GRACE_DAYS = env.integer("GUILD_DATA_GRACE_DAYS", 30, minimum=0)
    # How long an event without an end lasts in Discord's scheduled events (they need one).
    NATIVE_EVENT_DEFAULT_MINUTES = env.integer("NATIVE_EVENT_DEFAULT_MINUTES", 120, minimum=1)
    # Requests per minute one REST API token may make (api.throttle); past it, 429 with Retry-After.
    API_RATE_LIMIT_PER_MINUTE = env.integer("API_RATE_LIMIT", 120, minimum=1)
    # Prometheus scrapes /metrics with "Authorization: Bearer <METRICS_TOKEN>" (core.views.metrics).
    # Secret (METRICS_TOKEN_FILE works too), held by web only. Unset: /metrics is 404.
    METRICS_TOKEN = env.string("METRICS_TOKEN")
    # Error tracking (config.sentry): set, every process sends its errors there, scrubbed.
    SENTRY_DSN = env.url("SENTRY_DSN", None, schemes=("https", "http"))
    SENTRY_ENVIRONMENT = env.string("SENTRY_ENVIRONMENT")
except SettingError as exc:
    # One line, no traceback, whichever process (manage.py, gunicorn, celery) imports us.
    raise SystemExit(f"muster: configuration error: {exc}") from None

# --- Discord ------------------------------------------------------------------------------
# Without DISCORD_TOKEN, `make run` starts the Discord sandbox and points these URLs at it.
try:
    DISCORD_TOKEN = env.string("DISCORD_TOKEN")  # secret; DISCORD_TOKEN_FILE works too. Never logged.
    # The gateway signs each interaction with it and workers run only what it signed
    # (core.interactions.signing). Web holds it too, for HTTP interactions mode; never Flower.
    # Required by the gateway and workers outside DEBUG (they refuse to start without it).
    INTERACTION_SIGNING_KEY = env.string("INTERACTION_SIGNING_KEY")
    DISCORD_APPLICATION_ID = env.integer("DISCORD_APPLICATION_ID", 0, minimum=0) or None
    DISCORD_DEV_GUILD_ID = env.integer("DISCORD_DEV_GUILD_ID", 0, minimum=0) or None
    DISCORD_API_BASE = env.url("DISCORD_API_BASE", "https://discord.com/api/v10", schemes=("https", "http")).rstrip("/")
    DISCORD_GATEWAY_URL = env.url("DISCORD_GATEWAY_URL", None, schemes=("wss", "ws"))
    # HTTP interactions mode (README): set, the web process answers Discord's signed POSTs at
    # /discord/interactions (discord_gateway.views); unset, that URL is 404. The portal's
    # Public Key (General Information); public, but DISCORD_PUBLIC_KEY_FILE works too.
    DISCORD_PUBLIC_KEY = (env.string("DISCORD_PUBLIC_KEY") or "").strip().lower() or None
    if DISCORD_PUBLIC_KEY and not re.fullmatch(r"[0-9a-f]{64}", DISCORD_PUBLIC_KEY):
        raise SettingError("DISCORD_PUBLIC_KEY must be the portal's Public Key: 64 hexadecimal digits")
    SHARD_COUNT = env.integer("SHARD_COUNT", 0, minimum=0) or None
    try:
        SHARD_IDS = [int(item) for item in env.string_list("SHARD_IDS", [])] or None
    except ValueError:
        raise SettingError("SHARD_IDS must be a comma-separated list of whole numbers") from None
    if SHARD_IDS and not SHARD_COUNT:
        raise SettingError("SHARD_IDS is set but SHARD_COUNT is not")
    if SHARD_IDS and SHARD_COUNT and any(not 0 <= i < SHARD_COUNT for i in SHARD_IDS):
        raise SettingError(f"SHARD_IDS must lie between 0 and SHARD_COUNT-1 ({SHARD_COUNT - 1})")
    DISCORD_GLOBAL_RATE_LIMIT = env.number("DISCORD_GLOBAL_RATE_LIMIT", 50.0)
    if DISCORD_GLOBAL_RATE_LIMIT <= 0:
        raise SettingError("DISCORD_GLOBAL_RATE_LIMIT must be a positive number of requests per second")
    DISCORD_REQUEST_TIMEOUT_S = env.number("DISCORD_REQUEST_TIMEOUT", 10.0)
    # Every Jira request's read timeout (the connect timeout is at most 5 s of it).
    JIRA_REQUEST_TIMEOUT_S = env.number("JIRA_REQUEST_TIMEOUT", 20.0)
    # Public messages re-rendered on change (poll tallies, rosters) are edited at most this often.
    REFRESH_INTERVAL_S = env.number("REFRESH_INTERVAL", 2.0)
    # The event-day timeline's beat tick: alerts are sent at most this long after their time.
    TIMELINE_TICK_S = env.number("TIMELINE_TICK_INTERVAL", 15.0)
    # "Log in with Discord" (the dashboard, django-allauth): the application's OAuth2 client.
    # Unset: no Discord login (superusers still log in to /admin/ with their password).
    DISCORD_CLIENT_ID = env.string("DISCORD_CLIENT_ID")
    DISCORD_CLIENT_SECRET = env.string("DISCORD_CLIENT_SECRET")  # secret; DISCORD_CLIENT_SECRET_FILE works too
    # Where a browser is sent to consent; `make run` points it at the sandbox.
    DISCORD_OAUTH_AUTHORIZE_URL = env.url(
        "DISCORD_OAUTH_AUTHORIZE_URL", "https://discord.com/oauth2/authorize", schemes=("https", "http")
    )
except SettingError as exc:
    raise SystemExit(f"muster: configuration error: {exc}") from None

# --- Google Sheets export (sheets_export). The service account's key file is read by
# workers only, from GOOGLE_APPLICATION_CREDENTIALS or GOOGLE_SERVICE_ACCOUNT_FILE.
try:
    SHEETS_API_ENDPOINT = env.url("SHEETS_API_ENDPOINT", "https://sheets.googleapis.com/", schemes=("https", "http"))
    SHEETS_REQUEST_TIMEOUT_S = env.number("SHEETS_REQUEST_TIMEOUT", 30.0)
    SHEETS_CELL_LIMIT = env.integer("SHEETS_CELL_LIMIT", 10_000_000, minimum=1)
    # Beat's export tick, and the least time between two runs of an "after each change" target.
    SHEETS_EXPORT_TICK_S = env.integer("SHEETS_EXPORT_TICK", 60, minimum=1)
    SHEETS_DEBOUNCE_S = env.integer("SHEETS_DEBOUNCE", 60, minimum=1)
except SettingError as exc:
    raise SystemExit(f"muster: configuration error: {exc}") from None

# Check-in (results): the "Check in" button is live from this many minutes before an event's
# start to its end; an event without an end is taken to last CHECKIN_DEFAULT_HOURS.
try:
    CHECKIN_OPENS_MINUTES = env.integer("CHECKIN_OPENS_MINUTES", 30, minimum=0)
    CHECKIN_DEFAULT_HOURS = env.integer("CHECKIN_DEFAULT_HOURS", 3, minimum=1)
except SettingError as exc:
    raise SystemExit(f"muster: configuration error: {exc}") from None

if CELERY_VISIBILITY_TIMEOUT_S <= MAX_RETRY_DELAY_S:
    raise SystemExit(
        f"muster: configuration error: CELERY_VISIBILITY_TIMEOUT={CELERY_VISIBILITY_TIMEOUT_S} must exceed "
        f"the longest task countdown ({MAX_RETRY_DELAY_S} s)"
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "core",
    "events",
    "polls",
    "carpool",
    "jira_sync",
    "sheets_export",
    "community",
    "desk",
    "leave",
    "standups",
    "teams",
    "timeline",
    "results",
    "discord_gateway",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "dashboard",
    "dashboard.discord_login",
    "api",
    # django-ninja, for its templates and static files: /api/v1/docs serves Swagger UI
    # from Muster's own static files instead of a CDN.
    "ninja",
]

MIDDLEWARE = [
    # Each request's log lines carry its id (X-Request-ID, kept from a proxy or made here).
    "config.middleware.RequestId",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Every 5 minutes: what Discord says of the member's permissions, fetched again.
    "dashboard.middleware.FreshOrganiserRights",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- logging in: Discord for organisers and members (allauth), passwords for superusers only
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # superusers' password login to /admin/
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "/accounts/discord/login/"
LOGIN_REDIRECT_URL = "/dashboard/"
ACCOUNT_ADAPTER = "dashboard.accounts.NoPasswordAccounts"
SOCIALACCOUNT_ADAPTER = "dashboard.accounts.DiscordAccounts"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
# The OAuth2 redirect URI Discord checks is https://<host>/... outside DEBUG, even when a
# proxy in front does not say the request came over HTTPS.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_LOGOUT_ON_GET = False  # logging out is a POST with its CSRF token
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_ONLY = True  # no local accounts: no password signup, reset or change pages
# The tokens are kept to ask Discord again, every 5 minutes, which guilds the member manages.
SOCIALACCOUNT_STORE_TOKENS = True
# allauth's rate limits (Redis cache): the Discord login below counts as "login".
ACCOUNT_RATE_LIMITS = {"login": "30/m/ip", "login_failed": "10/m/ip,5/5m/key"}
SOCIALACCOUNT_PROVIDERS = {
    "discord": {
        # Our subclass of allauth's Discord provider: endpoints from DISCORD_API_BASE and
        # DISCORD_OAUTH_AUTHORIZE_URL, so the sandbox can stand in for Discord.
        "provider_class": "dashboard.discord_login.provider.MusterDiscordProvider",
        "SCOPE": ["identify", "guilds"],
        "APPS": [{"client_id": DISCORD_CLIENT_ID, "secret": DISCORD_CLIENT_SECRET, "key": ""}]
        if DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET
        else [],
    }
}
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
}

# --- security (python manage.py check --deploy is clean with production settings)
# load balancers and the kubelet probe, Prometheus scrapes, over plain HTTP
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/live$", r"^healthz/ready$", r"^metrics$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# Lax, not Strict: the browser comes back from Discord's consent page by a top-level GET
# to the OAuth2 callback, which must carry the session that holds the login's state.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if USE_X_FORWARDED_PROTO:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS preload is a commitment for the whole domain that only its owner can make;
# SECURE_HSTS_PRELOAD=true opts in, and until then Django's reminder is silenced.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# --- Celery (cookiecutter-django's namespace="CELERY")
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT_S}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Unset, Celery's Django fixup closes the database connection around every task, so each
# task paid for a new PostgreSQL backend. Reused instead (recycled every N tasks), with
# CONN_MAX_AGE and health checks applied around each task by config.celery_app.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_SOFT_TIME_LIMIT = env.integer("CELERY_TASK_SOFT_TIME_LIMIT", 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env.integer("CELERY_TASK_TIME_LIMIT", 90, minimum=1)
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_WORKER_SEND_TASK_EVENTS = True
# Workers lower their CPU priority at start (os.nice, inherited by the pool's children), so
# on a shared machine the gateway's and web's acknowledgements (Discord's 3 s deadline) never
# wait behind domain work. 0 keeps the workers at the default priority (their own machine).
WORKER_NICE = env.integer("WORKER_NICE", 10, minimum=0)
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Queues by latency class (config/queues.py).
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue(name) for name in MUSTER_QUEUES]
CELERY_TASK_ROUTES = {
    "core.interactions.tasks.*": {"queue": "interactions"},
    "core.tasks.deliver_*": {"queue": "discord"},
    "core.tasks.refresh_*": {"queue": "discord"},
    "events.tasks.sync_native_events": {"queue": "discord"},
    "events.tasks.sync_event_space": {"queue": "discord"},
    "community.tasks.apply_roster": {"queue": "discord"},
    "timeline.tasks.open_dm_channels": {"queue": "discord"},
    "community.tasks.read_roster_roles": {"queue": "discord"},
    "jira_sync.tasks.*": {"queue": "jira"},
    "sheets_export.tasks.*": {"queue": "sheets"},
}

# Beat only ticks; what is due lives in PostgreSQL. Every tick expires well before the
# next one so an outage never piles them up.
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {
        "task": "core.tasks.record_beat_heartbeat",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Retention: old command logs and delivered outbox rows, in bounded batches; departed guilds' data.
    "retention-prune": {
        "task": "core.tasks.prune_old_records",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "retention-departed-guilds": {
        "task": "core.tasks.delete_departed_guilds",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    # Outbox retries, and any message whose on-commit task was lost.
    "outbox-due": {
        "task": "core.tasks.deliver_due_outbound",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Refreshes of public messages that could not be queued when their change committed.
    "refresh-pending": {
        "task": "core.tasks.refresh_pending",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # "While you were away": one DM to each member back from leave with what was held (core.away_summary).
    "away-summary": {
        "task": "core.tasks.send_away_summaries",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    # Event reminders and poll deadlines: each tick claims what is due with a compare-and-set.
    "event-reminders": {
        "task": "events.tasks.send_due_reminders",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    "event-change-notices": {
        "task": "events.tasks.send_due_change_notices",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Series: create the occurrences that came into the window (bulk, bounded queries).
    "event-series": {
        "task": "events.tasks.materialise_series",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    # Expected members who have not answered an event get one DM per nudge time (events.nudges).
    "event-nudges": {
        "task": "events.tasks.send_due_nudges",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Discord's scheduled events of guilds that mirror theirs: the nearest 100 follow the events.
    "event-native": {
        "task": "events.tasks.reconcile_native_events",
        "schedule": 120.0,
        "options": {"expires": 100},
    },
    # Event threads, channels and roles (events.spaces): what a lost task left, warnings and cleanups due.
    "event-spaces": {
        "task": "events.tasks.sync_due_event_spaces",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Teams' roles, threads and voice channels (teams.spaces): DMs, lost tasks, warnings and cleanups due.
    "teams": {
        "task": "teams.tasks.sync_due_teams",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Leave: each guild's "Away today" post, once per local working day at its hour.
    "leave-away-today": {
        "task": "leave.tasks.post_away_today",
        "schedule": 300.0,
        "options": {"expires": 240},
    },
    # Going members with no ride get one DM before an event that needs rides.
    "ride-nudges": {
        "task": "carpool.tasks.send_due_nudges",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Jira: claim the sites due for a poll (each site's interval lives in its row).
    "jira-poll": {
        "task": "jira_sync.tasks.poll_due_sites",
        "schedule": 30.0,
        "options": {"expires": 25, "queue": "jira"},
    },
    # Jira: send the reminders members' hours allow now (digest hour, quiet hours, snoozes).
    "jira-deliver": {
        "task": "jira_sync.tasks.deliver_due_reminders",
        "schedule": 60.0,
        "options": {"expires": 55, "queue": "jira"},
    },
    # Jira: read link issues' comments while members have a link code open.
    "jira-link-codes": {
        "task": "jira_sync.tasks.check_link_codes",
        "schedule": 15.0,
        "options": {"expires": 12, "queue": "jira"},
    },
    "jira-oauth-refresh": {
        "task": "jira_sync.tasks.refresh_oauth_links",
        "schedule": 600.0,
        "options": {"expires": 550, "queue": "jira"},
    },
    "poll-closing": {
        "task": "polls.tasks.close_due_polls",
        "schedule": 15.0,
        "options": {"expires": 12},
    },
    # Sheets exports: each target's cadence lives in PostgreSQL; the tick queues what is due.
    "sheets-export": {
        "task": "sheets_export.tasks.export_due",
        "schedule": float(SHEETS_EXPORT_TICK_S),
        "options": {"expires": max(1, SHEETS_EXPORT_TICK_S - 5), "queue": "sheets"},
    },
    # Scheduled messages: each occurrence claimed once with a compare-and-set.
    "community-schedules": {
        "task": "community.tasks.post_due_schedules",
        "schedule": 20.0,
        "options": {"expires": 18},
    },
    # Tasks: the assignee's reminder before the due time (claimed by compare-and-set), boards
    # of guilds where a task just became overdue.
    "desk-reminders": {
        "task": "desk.tasks.send_due_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Tasks: the overdue digest of members no other digest (Jira's) carries today.
    "desk-digests": {
        "task": "desk.tasks.send_digests",
        "schedule": 300.0,
        "options": {"expires": 280},
    },
    # Standups: prompts at each participant's local time, reminders, the digests at the cutoff.
    "standups": {
        "task": "standups.tasks.tick",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # The event-day timeline: alerts and pre-alerts due (each once per time), the Now / Next posts.
    "timeline": {
        "task": "timeline.tasks.tick",
        "schedule": TIMELINE_TICK_S,
        "options": {"expires": max(1.0, TIMELINE_TICK_S - 2)},
    },
    # Custom slash commands whose debounced registration task was lost.
    "community-slash-sync": {
        "task": "community.tasks.sync_due_guild_commands",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Check-in: redraw event posts whose check-in window just opened or closed (claimed once each).
    "results-checkin-windows": {
        "task": "results.tasks.redraw_check_in_windows",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
}

# Loggers that write raw payloads or URLs with interaction tokens below INFO (discord.py's
# every gateway event and request URL, Celery's pool with each task's raw arguments) are
# capped at INFO even at LOG_LEVEL=DEBUG; httpx logs every URL at INFO, so WARNING. The
# handler's filter masks a token in any interaction URL that still reaches a line.
_AT_LEAST_INFO = LOG_LEVEL if LOG_LEVEL != "DEBUG" else "INFO"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact_tokens": {"()": "config.logfilters.RedactInteractionTokens"},
        "quiet_while_starting": {"()": "core.startup.QuietWhileStarting"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logfilters.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact_tokens"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": _AT_LEAST_INFO},
        "discord": {"level": _AT_LEAST_INFO},
        "celery.pool": {"level": _AT_LEAST_INFO},
        "celery.worker": {"level": _AT_LEAST_INFO},
        "kombu": {"level": _AT_LEAST_INFO},
        # /healthz answers 503 while Muster starts: INFO, not ERROR, for the first minute.
        "django.request": {"filters": ["quiet_while_starting"]},
    },
}

if SENTRY_DSN:
    from config import sentry

    sentry.init(SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

if LOG_FORMAT == "json":
    # Python's warnings (Celery's SecurityWarning ...) as log lines too, not bare text on stderr.
    logging.captureWarnings(True)

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    VAR_DIR.mkdir(exist_ok=True)
