"""Abonent settings: one module, read from the environment (12-factor), safe defaults for development.

Production sets at least SECRET_KEY, DEBUG=0, ALLOWED_HOSTS, DATABASE_URL and the payment provider
(docs/DEPLOYMENT.md); abonent.deploy_guard refuses to start without them.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF

from abonent import deploy_guard

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
# Without DEBUG=1 the development key is refused at start-up (deploy_guard), as is a missing one.
SECRET_KEY = env("SECRET_KEY", default=deploy_guard.DEV_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "abonent.users.admin_apps.AdminConfig",  # django.contrib.admin with the back office's own site (two-factor)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "captcha",
    "csp",
    "django_otp",
    "abonent.users.admin_apps.TOTPConfig",  # django_otp.plugins.otp_totp
    "abonent.lib",  # shared helpers; an app for its template library (ru_format)
    "abonent.orgs",
    "abonent.housing",
    "abonent.users",
    "abonent.jobs",
    "abonent.metering",
    "abonent.billing",
    "abonent.portal",
    "abonent.demo",
    "abonent.payments",
    "abonent.notifications",
    "abonent.support",
    "abonent.news",
    "abonent.outages",
    "abonent.applications",
    "abonent.receipts",
    "abonent.office",  # the operator's office at /office/
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our own static files, no CDN
    "abonent.api",
    "oauth2_provider",  # after abonent.api: its authorisation page is ours (abonent/api/templates/oauth2_provider)
    "abonent.exchange",
    "abonent.bots",  # Telegram and MAX bots of the organisations
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "abonent.lib.site.RequestOriginMiddleware",  # the host for letters' links when SITE_URL is not set
    # Russian pages for empty 4xx answers; a number beyond the database's range is a 400, not a 500.
    "abonent.portal.errors.RussianErrorsMiddleware",
    # Form bodies that are not UTF-8 are refused (Django would turn their bytes into U+FFFD and forms save that).
    "abonent.portal.utf8_forms.Utf8FormsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # An idle session ends here, before anything is served from it (the page cache included).
    "abonent.users.idle_timeout.IdleTimeoutMiddleware",
    # request.user.is_verified(): the second factor of the session; then staff who still owe it are sent to give it.
    "django_otp.middleware.OTPMiddleware",
    "abonent.users.two_factor.TwoFactorMiddleware",
    "abonent.portal.no_store.NoStoreMiddleware",
    # Subscribers with an operator-issued temporary password change it before anything else.
    "abonent.users.middleware.MustChangePasswordMiddleware",
]

ROOT_URLCONF = "abonent.urls"
CSRF_FAILURE_VIEW = "abonent.portal.errors.csrf_failure"
WSGI_APPLICATION = "abonent.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "abonent" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "abonent.portal.context_processors.site",
            ],
        },
    },
]

# SQLite under var/ is the zero-set-up default; PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'abonent.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server, commands and tests share the file. IMMEDIATE: a transaction takes
    # the write lock when it begins, so a second writer waits out the timeout; a DEFERRED one that read first and
    # then wanted to write got "database is locked" at once (the busy timeout does not apply to that upgrade).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Each worker keeps its connection: opening one per request (PostgreSQL starts a backend process for it) cost
# ≈ 9 ms of a 12 ms request under gunicorn (bench/pages.py). Checked before reuse, so a restarted server is
# reconnected rather than an error.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "users.User"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
AUTHENTICATION_BACKENDS = [
    "abonent.users.backends.LoginBackend",  # account number, user name or e-mail
]
# One-time links (set password, reset, confirm e-mail) live 24 hours.
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60
# Without "Запомнить меня" the session ends with the browser and after SESSION_IDLE_TIMEOUT seconds without a
# request (users.idle_timeout); with it a subscriber's session lasts 30 days (users.views.REMEMBER_AGE). Staff
# sessions end after STAFF_SESSION_IDLE_TIMEOUT idle seconds whatever was ticked.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
STAFF_SESSION_IDLE_TIMEOUT = env.int("STAFF_SESSION_IDLE_TIMEOUT", default=20 * 60)
# The server-side life of a session without "Запомнить меня" (its row's expire_date, its cache entry), renewed
# each time the idle middleware records activity: a browser that never closes does not keep a 30-day session.
# The idle middleware refuses the session once idle for its timeout; the row lives 12 hours longer only so that
# the middleware can still tell the user "Сеанс завершён из-за бездействия" rather than show a bare login page.
SESSION_COOKIE_AGE = max(SESSION_IDLE_TIMEOUT, STAFF_SESSION_IDLE_TIMEOUT) + 12 * 60 * 60

# Two-factor login (TOTP, django-otp) for operators and superusers: required in production, offered in
# development so that the demo logins work with a password alone. A staff member who has set it up is asked for
# the code either way.
OTP_REQUIRED_FOR_STAFF = env.bool("OTP_REQUIRED_FOR_STAFF", default=not DEBUG)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Абонент")
# After each wrong code the next try waits 1, 2, 4, 8… seconds (django-otp's throttling, per device).
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)
# The devices' admin shows no secret key and no QR code: enrolment is the staff member's own page.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Failed logins are counted per user, per IP and per user+IP by our own counters (users.login_guard, which
# says why not django-axes); repeated failures bring a captcha and this pause on each further failure.
LOGIN_SLOWDOWN_SECONDS = env.float("LOGIN_SLOWDOWN_SECONDS", default=1.0)
# How many proxies of ours stand in front of the app, each appending to X-Forwarded-For (nginx: 1). With 0 the
# header is ignored and REMOTE_ADDR is the client (users.ratelimit.client_ip).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Captchas are drawn locally (django-simple-captcha), nothing loaded from outside.
CAPTCHA_LENGTH = 5
CAPTCHA_TIMEOUT = 15
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.random_char_challenge"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "abonent" / "locale"]
# The server keeps UTC; every organisation's local date comes from its own time zone (orgs.Organisation).
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True
# Off: with it every {{ id }} in a form field name or URL becomes "24 016" once ids pass 999. Amounts get
# their thousands spaces from the ru_format filters (lib.numbers: money, ru_decimal), which is where they belong.
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
# Uploaded files live outside the static root and are served only through views that check access.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://abonent")}
if env("REDIS_URL", default=""):
    CACHES["default"] = {
        "BACKEND": "abonent.cache_backends.SharedRedisCache",
        "LOCATION": env("REDIS_URL"),
        # Several deployments (or test runs) sharing one Redis database keep apart by a prefix.
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default=""),
    }
    # Sessions read from the shared cache and written through to the database: one query less on every page.
    # Not with local memory, where a logout in one worker would leave the session alive in the others' copies.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# A cache every process shares (Redis) keeps what must change everywhere at once: the logged-in user
# (users.backends), and the home and the account card cached whole per user (lib.page_cache). With local
# memory a change in one gunicorn worker would not reach the others.
SHARED_CACHE = bool(env("REDIS_URL", default=""))
SUBSCRIBER_PAGE_CACHE = env.bool("SUBSCRIBER_PAGE_CACHE", default=SHARED_CACHE)

# Without EMAIL_URL letters are files in var/mail/ (one .log per connection). A filemail:// URL names a folder:
# "filemail:///srv/mail" an absolute one, "filemail://var/mail" one under the project (django-environ would read
# both as relative to the current directory, the first one without its leading "/").
EMAIL_CONFIG = env.email("EMAIL_URL", default="filemail://var/mail")
if EMAIL_CONFIG["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend":
    _mail_url = urlsplit(env("EMAIL_URL", default="filemail://var/mail"))
    EMAIL_CONFIG["EMAIL_FILE_PATH"] = str(BASE_DIR / (_mail_url.netloc + _mail_url.path))
    EMAIL_CONFIG["EMAIL_HOST"] = None
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Абонент <noreply@abonent.local>")
# The address in the letters' links (lib.site.site_url): empty means the host of the request being answered.
SITE_URL = env("SITE_URL", default="")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HTTPS only. Behind a TLS-terminating proxy that redirects and sends HSTS itself, turn these off with
    # SECURE_SSL_REDIRECT=0 and SECURE_HSTS_SECONDS=0 (docs/DEPLOYMENT.md).
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

# Content-Security-Policy: everything from our own origin, no inline script or style anywhere (templates use
# static files and classes), no plugins, no framing. Card data is entered on the provider's own site, reached by
# a redirect, so nothing of it is loaded here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- payments: the provider, its credentials, the sandbox and the cap on one payment ---
# yookassa takes real money; sandbox is the built-in test acquirer (any test card "pays", nothing is charged),
# the default only with DEBUG=1. With DEBUG=0 it runs only where PAYMENTS_SANDBOX_ALLOWED=1 (a staging site).
PAYMENTS_PROVIDER = env("PAYMENTS_PROVIDER", default="sandbox" if DEBUG else "yookassa")
PAYMENTS_SANDBOX_ALLOWED = env.bool("PAYMENTS_SANDBOX_ALLOWED", default=DEBUG)
PAYMENTS_YOOKASSA_SHOP_ID = env("YOOKASSA_SHOP_ID", default="")
PAYMENTS_YOOKASSA_SECRET_KEY = env("YOOKASSA_SECRET_KEY", default="")
# The key the sandbox signs its notifications with: its own, not SECRET_KEY; required with DEBUG=0 when allowed.
PAYMENTS_SIGNING_KEY = env("PAYMENTS_SIGNING_KEY", default=deploy_guard.DEV_SIGNING_KEY if DEBUG else "")
# One card payment for one account may exceed its debt (paying ahead) but not by far: at most
# max(debt × PAYMENTS_MAX_DEBT_MULTIPLE, PAYMENTS_MAX_AMOUNT_FLOOR) roubles (payments.amount_cap).
PAYMENTS_MAX_DEBT_MULTIPLE = env.int("PAYMENTS_MAX_DEBT_MULTIPLE", default=3)
PAYMENTS_MAX_AMOUNT_FLOOR = env.int("PAYMENTS_MAX_AMOUNT_FLOOR", default=30000)
# 54-ФЗ receipts go with every YooKassa payment and refund (0 only for a shop whose register is fed otherwise).
PAYMENTS_YOOKASSA_RECEIPTS = env.bool("PAYMENTS_YOOKASSA_RECEIPTS", default=True)
# The sandbox's emulated fiscal drive number (9999… is the tax service's test range).
PAYMENTS_SANDBOX_FN = env("PAYMENTS_SANDBOX_FN", default="9999078900012345")
# How many times a declined auto-pay charge is tried before the subscriber is asked to pay themselves.
PAYMENTS_AUTOPAY_ATTEMPTS = env.int("PAYMENTS_AUTOPAY_ATTEMPTS", default=3)
deploy_guard.refuse_unsafe(vars())

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# --- the monthly close: on SQLite (no lock to look at) a "running" step silent this long was cut off ---
BILLING_RUN_STALE_MINUTES = env.int("BILLING_RUN_STALE_MINUTES", default=30)

# --- background work: every long job is a Celery task (abonent.jobs); see abonent/celery.py ---
# With no broker configured the jobs still run outside the request: kombu's filesystem transport (a folder under
# var/, no server to install) carries them to the worker `make run` starts beside the dev server.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default="")) or "filesystem://"
CELERY_QUEUE_DIR = VAR_DIR / "celery"
if CELERY_BROKER_URL == "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_QUEUE_DIR / "queue"),
        "data_folder_out": str(CELERY_QUEUE_DIR / "queue"),
        "processed_folder": str(CELERY_QUEUE_DIR / "processed"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed"):
        (CELERY_QUEUE_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    # Redis hands an unacknowledged task to another worker after this long; longer than any chunk or step runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
    # Anything else for the transport, as JSON (e.g. {"global_keyprefix": "abonent:"} to share a Redis database).
    CELERY_BROKER_TRANSPORT_OPTIONS.update(env.json("CELERY_TRANSPORT_OPTIONS", default={}))
# Accounts per task of the receipts mailing: a few seconds of work, so a killed worker's chunk is soon redone.
RECEIPTS_MAIL_CHUNK = env.int("RECEIPTS_MAIL_CHUNK", default=100)
# Messenger notices: chats per chunk of a job, and sends a second per bot (Telegram and MAX allow about 30).
BOTS_NOTICE_CHUNK = env.int("BOTS_NOTICE_CHUNK", default=200)
BOTS_SEND_RATE = env.float("BOTS_SEND_RATE", default=25.0)
RECEIPTS_EXPORT_CHUNK = env.int("RECEIPTS_EXPORT_CHUNK", default=500)
PAYMENTS_DUE_MAIL_CHUNK = env.int("PAYMENTS_DUE_MAIL_CHUNK", default=200)  # payment-due letters in one task
# Tests run the tasks in the test process (conftest); anything else sends them to a worker.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="abonent")
# A task is acknowledged when it has ended (a killed worker's task goes to another) and a worker takes one task
# at a time, so a long chunk does not hold others back from idle workers.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # run_schedule decides per organisation, in its own time zone, which step of the month is due today.
    "run-schedule-hourly": {"task": "abonent.billing.tasks.run_schedule", "schedule": 3600.0},
    # The reading reminders due today, in each organisation's time zone (a job; each reminder goes out once).
    "reading-reminders-hourly": {"task": "abonent.metering.tasks.reminders", "schedule": 3600.0},
    # Auto-pay letters and charges (each organisation's local day decides what is due), receipts still waiting for
    # the register's fiscal data; the reconciliation of yesterday once a day.
    "payments-autopay-hourly": {"task": "abonent.payments.tasks.autopay_run", "schedule": 3600.0},
    "payments-fiscal-pending": {"task": "abonent.payments.tasks.fiscal_pending", "schedule": 600.0},
    "payments-reconcile-daily": {"task": "abonent.payments.tasks.reconcile_yesterday", "schedule": 86400.0},
    # webhook retries whose back-off has passed (abonent.api.webhooks); without beat, cron runs deliver_webhooks
    "deliver-webhooks": {"task": "abonent.api.tasks.deliver_due", "schedule": 60.0},
}
# With a broker the first attempt of a webhook is a task queued when the event commits; without one (tasks would
# run inline, inside the request) it waits for deliver_webhooks.
WEBHOOKS_DELIVER_ON_COMMIT = not CELERY_TASK_ALWAYS_EAGER

# --- the public API (/api/v1/, abonent.api): tokens only, Russian errors with machine codes, limits per token ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "abonent.api.authentication.TokenAuthentication",
        "oauth2_provider.contrib.rest_framework.OAuth2Authentication",  # third-party apps: /o/authorize/ + PKCE
    ],
    "DEFAULT_PERMISSION_CLASSES": ["abonent.api.permissions.ResidentScope"],
    "DEFAULT_THROTTLE_CLASSES": ["abonent.api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": env("API_RATE_PER_TOKEN", default="600/min")},
    "DEFAULT_PAGINATION_CLASS": "abonent.api.pagination.Pages",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "EXCEPTION_HANDLER": "abonent.api.errors.handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Third-party apps (registered by a superuser in the back office) act for a resident who allowed them: OAuth 2
# authorization code with PKCE (django-oauth-toolkit), the same two scopes as the personal tokens.
OAUTH2_PROVIDER = {
    "SCOPES": {
        "read": "Видеть счета, начисления, показания и платежи",
        "write": "Передавать показания, оплачивать, писать обращения",
    },
    "DEFAULT_SCOPES": ["read"],
    "PKCE_REQUIRED": True,
    # RFC 9700 (OAuth 2.0 Security BCP) in full, as the toolkit's 4.0 will by default: no implicit or password grant,
    # S256 only, tokens hashed at rest and never in the query string, exact redirect URIs, the `iss` parameter
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_PKCE_REQUIRED": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,  # a replayed refresh token revokes its whole family
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],  # apps register https callbacks only
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Абонент API",
    "DESCRIPTION": 'Личный кабинет абонента и интеграции организаций. Ошибки: {"error": {"code", "message"}}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # abonent.api.converters.AnyId: the view reads the id, the schema says it is an integer
    "PATH_CONVERTER_OVERRIDES": {"id": int},
}

# Receipts embed a Cyrillic TTF font (DejaVu Sans from Debian's fonts-dejavu-core by default).
RECEIPT_FONT_DIR = env("RECEIPT_FONT_DIR", default="/usr/share/fonts/truetype/dejavu")
