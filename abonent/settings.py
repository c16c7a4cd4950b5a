"""Abonent settings: one module, read from the environment (12-factor), safe defaults for development.

Production sets at least SECRET_KEY, DEBUG=0, ALLOWED_HOSTS and DATABASE_URL.
"""

import datetime as dt
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "captcha",
    "axes",
    "abonent.orgs",
    "abonent.housing",
    "abonent.users",
    "abonent.metering",
    "abonent.billing",
    "abonent.portal",
    "abonent.demo",
    "abonent.payments",
    "abonent.notifications",
    "abonent.support",
    "abonent.news",
    "abonent.receipts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Russian pages for empty 4xx answers; a number beyond the database's range is a 400, not a 500.
    "abonent.portal.errors.RussianErrorsMiddleware",
    # Form bodies that are not UTF-8 are refused (Django would turn their bytes into U+FFFD and forms save that).
    "abonent.portal.utf8_forms.Utf8FormsMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Subscribers with an operator-issued temporary password change it before anything else.
    "abonent.users.middleware.MustChangePasswordMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lock-out page.
    "axes.middleware.AxesMiddleware",
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
    "abonent.users.backends.LockoutBackend",  # first: django-axes refuses a locked-out login before any password check
    "abonent.users.backends.LoginBackend",  # account number, user name or e-mail
]
# One-time links (set password, reset, confirm e-mail) live 24 hours.
PASSWORD_RESET_TIMEOUT = 24 * 60 * 60
# Without "Запомнить меня" the session ends with the browser; with it, it lasts 30 days.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 30 * 24 * 60 * 60

# django-axes: 5 failures for one login lock it for 15 minutes; per-IP throttling is in users.ratelimit.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "abonent.users.views.locked_out"
AXES_VERBOSE = False
# Per-IP throttling is our own cache counter (users.ratelimit) with a higher limit than per login, so one
# household behind a NAT is not locked out by a neighbour; hence axes' own per-IP warning is silenced.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
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
# their thousands spaces from the portal's ru_format filters (money, ru_decimal), which is where they belong.
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
    CACHES["default"] = {"BACKEND": "abonent.cache_backends.SharedRedisCache", "LOCATION": env("REDIS_URL")}
    # Sessions read from the shared cache and written through to the database: one query less on every page.
    # Not with local memory, where a logout in one worker would leave the session alive in the others' copies.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# A cache every process shares (Redis) keeps what must change everywhere at once: the logged-in user
# (users.backends), and the home and the account card cached whole per user (portal.page_cache). With local
# memory a change in one gunicorn worker would not reach the others.
SHARED_CACHE = bool(env("REDIS_URL", default=""))
SUBSCRIBER_PAGE_CACHE = env.bool("SUBSCRIBER_PAGE_CACHE", default=SHARED_CACHE)

EMAIL_CONFIG = env.email("EMAIL_URL", default="filemail://" + str(VAR_DIR / "mail"))
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Абонент <noreply@abonent.local>")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# --- background work: Celery when a broker is configured, inline otherwise (see abonent/celery.py) ---
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # run_schedule decides per organisation, in its own time zone, which step of the month is due today.
    "run-schedule-hourly": {"task": "abonent.billing.tasks.run_schedule", "schedule": 3600.0},
}

# Receipts embed a Cyrillic TTF font (DejaVu Sans from Debian's fonts-dejavu-core by default).
RECEIPT_FONT_DIR = env("RECEIPT_FONT_DIR", default="/usr/share/fonts/truetype/dejavu")
