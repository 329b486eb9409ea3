"""Django settings for Kollega, read from the environment by :mod:`kollega.config`.

Programme choices (meeting counts, dates, group sizes) are data in the
database, never settings here.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from kollega import config as _config

CONFIG = _config.load()

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = CONFIG.data_dir
KOLLEGA_ENV = CONFIG.env
KOLLEGA_BASE_URL = CONFIG.base_url
KOLLEGA_REDIS_URL = CONFIG.redis_url
KOLLEGA_DATABASE_URL = CONFIG.database_url

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "huey.contrib.djhuey",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Kollega: a small core, one app per step of the process, and the shared services.
    "kollega.core",
    "kollega.accounts",
    "kollega.notifications",
    "kollega.surveys",
    "kollega.outreach",
    "kollega.recruitment",
    "kollega.interviews",
    "kollega.grouping",
    "kollega.meetings",
    "kollega.facilitation",
    "kollega.boards",
    "kollega.evaluation",
    "kollega.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kollega.core.middleware.OrganisationTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "kollega.accounts.middleware.StaffMfaRequiredMiddleware",
]

ROOT_URLCONF = "kollega.urls"
WSGI_APPLICATION = "kollega.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kollega.accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": CONFIG.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
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
LOGOUT_REDIRECT_URL = "home"

# Sign-in (django-allauth): email is the identity; participants use a one-time
# code, staff a password and TOTP.
ACCOUNT_ADAPTER = "kollega.accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 5
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "request_login_code": "20/m/ip,3/m/key",
    "reset_password": "20/m/ip,5/m/key",
}
# allauth's own security notices (password changed, authenticator added)
# would each need an outbox kind and templates; they are off for now.
ACCOUNT_EMAIL_NOTIFICATIONS = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Kollega"
# Accept the code of the 30 seconds before and after too: phone clocks drift.
MFA_TOTP_TOLERANCE = 1
KOLLEGA_STAFF_MFA_REQUIRED = CONFIG.is_production

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "kollega_language"
TIME_ZONE = "Europe/Helsinki"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": DATA_DIR / "media"}},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if CONFIG.is_production
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = not CONFIG.is_production
WHITENOISE_AUTOREFRESH = not CONFIG.is_production

# Email: every message is a row in the outbox (kollega.notifications) and is
# handed to this backend by the sender job.
DEFAULT_FROM_EMAIL = CONFIG.default_from_email
SERVER_EMAIL = CONFIG.default_from_email
if CONFIG.email:
    EMAIL_BACKEND = CONFIG.email.pop("EMAIL_BACKEND")
    for _key, _value in CONFIG.email.items():
        globals()[_key] = _value
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Background jobs: Huey with Redis when REDIS_URL is set, else a SQLite file.
if CONFIG.redis_url:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "kollega",
        "url": CONFIG.redis_url,
        "immediate": False,
        "utc": True,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "kollega",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
        "utc": True,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

if CONFIG.env == "test":
    # Tests run jobs at once, in the test's own process and transaction.
    HUEY["immediate"] = True

CACHES = (
    {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CONFIG.redis_url}}
    if CONFIG.redis_url
    else {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kollega_cache"}}
)

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if CONFIG.is_production:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

# Behind KOLLEGA_TRUSTED_PROXIES reverse proxies, the proxy tells the scheme
# and the visitor's address (rate limits count visitors, not the proxy).
if CONFIG.trusted_proxies:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    ALLAUTH_TRUSTED_PROXY_COUNT = CONFIG.trusted_proxies

# Error reports never show URLs with passwords or the parsed configuration.
DEFAULT_EXCEPTION_REPORTER_FILTER = "kollega.errors.SettingsHidingFilter"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "huey": {"level": "INFO"}},
}

# Notifications: how often the sender retries and how long a claim lasts.
KOLLEGA_MAIL_MAX_ATTEMPTS = 8
KOLLEGA_MAIL_CLAIM_TIMEOUT_SECONDS = 10 * 60
