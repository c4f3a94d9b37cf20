"""Settings, read from the environment with safe defaults (SQLite, local-memory cache, console SMS).

Production switches on PostgreSQL (DATABASE_URL), Redis (REDIS_URL) and the task worker without
code changes; see README.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from bazaarche.stylesheets import StyleSources

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG=0.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdefghij"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "bazaarche",
    "vendors",
    "events",
    "booths",
    "worker",
]

MIDDLEWARE = [
    "bazaarche.api_errors.ApiErrorMiddleware",  # every answer under /api/ is JSON, errors included
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, compressed ahead of time
    # Pages compressed on the way out (a third of their bytes on a thin link), cached ones included;
    # Django's GZip pads each answer at random against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "events.public_cache.PublicPageCacheMiddleware",  # cached public pages for visitors, see there
    # The database away: 503 with Retry-After, outside the session and user that need it, inside the
    # security headers and the page cache (which answers a page's last good copy instead).
    "bazaarche.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "bazaarche.urls"
WSGI_APPLICATION = "bazaarche.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bazaarche.context_processors.shell",
                "vendors.context_processors.roles",
            ],
            "builtins": ["bazaarche.templatetags.persian", "bazaarche.templatetags.stylesheets"],
        },
    }
]

# Database: SQLite by default; DATABASE_URL (postgres://… or sqlite:///…) chooses another.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Waiting on a locked SQLite file beats failing at once when a worker writes at the same time.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "vendors.User"

# Cache and sessions: local memory by default; Redis when REDIS_URL is set. The site keeps working
# while Redis is away: the backend answers misses (bazaarche/cache.py), sessions are kept in the
# database and only cached in Redis, sign-in limits count in the database meanwhile.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "bazaarche.cache.ResilientRedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Background work: Django's tasks framework, stored in the database, run by `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# The worker (`manage.py run_worker`, worker/) beats this often; a task whose worker has not beaten for
# a lease is lost and is retried or failed; live workers look for lost tasks this often.
WORKER_BEAT_SECONDS = float(os.environ.get("WORKER_BEAT_SECONDS", "5"))
WORKER_LEASE_SECONDS = float(os.environ.get("WORKER_LEASE_SECONDS", "60"))
WORKER_SCAN_SECONDS = float(os.environ.get("WORKER_SCAN_SECONDS", "15"))

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "signin"
LOGIN_REDIRECT_URL = "me"
LOGOUT_REDIRECT_URL = "home"

# Language and time: Persian first, English second; Asia/Tehran is UTC+03:30 all year.
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", "فارسی"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Tehran"
USE_TZ = True

# Which weekdays are off (Python numbering: Monday 0 … Friday 4, Saturday 5). Friday always;
# whether Thursday or Saturday joins it is a policy decision, hence a setting.
WEEKEND_DAYS = [int(d) for d in env_list("BAZAARCHE_WEEKEND_DAYS", "4")]

# Static files: everything the browser loads is served by the app itself (WhiteNoise), never a CDN.
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Browsers may load nothing from another host: a filtered network must not break a page.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": StyleSources(),  # 'self' and the stylesheets pages write in (bazaarche/stylesheets.py)
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
# A form refused by the CSRF check gets a page in the site's layout and language (bazaarche/errors.py).
CSRF_FAILURE_VIEW = "bazaarche.errors.csrf_failure"
# Behind a TLS proxy (docs/deploy.md): trust its X-Forwarded-Proto, and take the client's address
# for sign-in limits from the X-Forwarded-For entry it adds (vendors/limits.py).
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the proxy asks over plain HTTP on the inside
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Sign-in by SMS one-time code (vendors and company managers). The console backend prints the
# message; "vendors.sms.MemoryBackend" records it (tests); "vendors.sms.KavenegarBackend" sends it.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "vendors.sms.ConsoleBackend")
SMS_API_KEY = os.environ.get("SMS_API_KEY", "")
SMS_SENDER = os.environ.get("SMS_SENDER", "")
SMS_API_URL = os.environ.get("SMS_API_URL", "https://api.kavenegar.com/v1")
# The site's address for the links in text messages (sent from tasks, with no request to read a host
# from) and the sign-in code's "@host #code" line; production's trusted origin unless set.
SITE_URL = os.environ.get("SITE_URL") or next(iter(CSRF_TRUSTED_ORIGINS), "http://127.0.0.1:8000")
SITE_URL = SITE_URL.rstrip("/")
OTP_TTL_SECONDS = int(os.environ.get("OTP_TTL_SECONDS", "300"))
# Limits (README, Design): wrong tries burn the code, never the number; sending bounds guessing.
OTP_MAX_WRONG = 3  # tries per code; then the code is void and a new one must be asked for
OTP_SENDS_PER_NUMBER = (6, 60 * 60)  # codes per number per hour (browsers not known for it)
OTP_SENDS_PER_ADDRESS_AND_NUMBER = (3, 60 * 60)  # of those, from one client address
OTP_SENDS_PER_ADDRESS = (10, 60 * 60)  # code requests per client address per hour, any number
OTP_SENDS_PER_KNOWN_BROWSER = (3, 60 * 60)  # codes per number per hour to browsers it signed in on
PASSWORD_FAILURES_ALLOWED = (10, 15 * 60)  # wrong passwords per account or address in 15 minutes

# Product photos: real images only, limited in bytes and pixels, re-encoded without metadata.
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_MAX_SIDE = 2000  # stored photos are scaled down to fit
PHOTO_THUMB_SIDE = 400
PHOTOS_PER_VENDOR = 12
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# E-mail (status notices to vendors whose account has an address): printed in development, SMTP
# (to localhost unless DJANGO_MAIL_OPTIONS says otherwise) in production.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get(
            "DJANGO_MAIL_BACKEND",
            "django.core.mail.backends.console.EmailBackend"
            if DEBUG
            else "django.core.mail.backends.smtp.EmailBackend",
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "bazaarche@localhost")
