"""Settings. Everything deployment-specific comes from the environment (see docs/deployment.md)."""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("LINGJUN_VAR_DIR", PROJECT_DIR / "var"))

_DEV_SECRET = "lingjun-dev-secret-key-never-use-in-production-0123456789"
SECRET_KEY = os.environ.get("LINGJUN_SECRET_KEY", _DEV_SECRET)
# Keys being rotated out (comma-separated): sessions and certificate signatures made under them stay valid.
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("LINGJUN_SECRET_KEY_FALLBACKS", "").split(",") if k]
DEBUG = os.environ.get("LINGJUN_DEBUG", "0") == "1"
ALLOWED_HOSTS = [
    h for h in os.environ.get("LINGJUN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("LINGJUN_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Key for personal data encrypted at rest (resident ID numbers). A dev key only for the embedded default.
FIELD_ENCRYPTION_KEY = os.environ.get("LINGJUN_FIELD_KEY", "")
# Key of the keyed hash used to find a person by ID number without decrypting; must never change.
LOOKUP_HASH_KEY = os.environ.get("LINGJUN_LOOKUP_KEY", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "lingjun.core",
    "lingjun.reference",
    "lingjun.institutions",
    "lingjun.accounts",
    "lingjun.programmes",
    "lingjun.registrations",
    "lingjun.classes",
    "lingjun.attendance",
    "lingjun.certificates",
    "lingjun.evaluations",
    "lingjun.alumni",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "lingjun.core.middleware.ScopeMiddleware",
    "lingjun.core.middleware.SecurityHeadersMiddleware",
    "lingjun.core.middleware.ApiErrorBodyMiddleware",
    "lingjun.core.middleware.ApiInputGuardMiddleware",
]

ROOT_URLCONF = "lingjun.urls"
WSGI_APPLICATION = "lingjun.wsgi.application"

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
                "lingjun.core.context_processors.navigation",
            ],
        },
    }
]

_DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'lingjun.sqlite3'}"
# PostgreSQL forks a server process per connection: opening one per request costs more than a check-in
# itself (bench_checkin), so connections are kept for a minute and health-checked before reuse.
DATABASES = {
    "default": dj_database_url.parse(
        _DATABASE_URL,
        conn_max_age=int(
            os.environ.get("LINGJUN_CONN_MAX_AGE", "0" if _DATABASE_URL.startswith("sqlite") else "60")
        ),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN so two
    # transactions never both read then fail to upgrade (the quota race is decided by the database).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("LINGJUN_TEST_SQLITE") or None

# Personal data of a trainee is purged this many years after their last programme's year, once archived
# (registrations.retention; `python -m lingjun purge_personal_data`, run daily next to purge_expired).
RETENTION_YEARS = int(os.environ.get("LINGJUN_RETENTION_YEARS", "10"))

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed-login throttling: per (account, client) pair, so officers sharing one office address are never
# locked out together; plus a generous per-account ceiling against distributed guessing.
LOGIN_FAILURES_PER_CLIENT = int(os.environ.get("LINGJUN_LOGIN_FAILURES_PER_CLIENT", "5"))
LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LINGJUN_LOGIN_FAILURES_PER_ACCOUNT", "30"))
# ... and a ceiling per client address over all accounts, against password spraying.
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LINGJUN_LOGIN_FAILURES_PER_ADDRESS", "100"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LINGJUN_LOGIN_WINDOW", "900"))
API_TOKEN_TTL_HOURS = int(os.environ.get("LINGJUN_TOKEN_TTL_HOURS", "12"))
# Certificates (SPEC §3.5). The public address is printed in every certificate's QR code, so production must
# set it; the font must have the rare characters of real names (Noto Sans CJK SC; see scripts/system-deps.sh).
PUBLIC_BASE_URL = os.environ.get("LINGJUN_PUBLIC_URL", "").rstrip("/")
CJK_FONT = os.environ.get("LINGJUN_CJK_FONT", "")  # "/path/font.ttc" or "/path/font.ttc#2"; empty = auto
CJK_FONT_INDEX = (
    int(os.environ["LINGJUN_CJK_FONT_INDEX"]) if os.environ.get("LINGJUN_CJK_FONT_INDEX") else None
)
CERTIFICATE_VERIFY_PER_MINUTE = int(os.environ.get("LINGJUN_VERIFY_PER_MINUTE", "20"))  # per client address
# Processes drawing a class's certificates at once (default: one per CPU; 1 = in the request's process).
CERTIFICATE_RENDER_PROCESSES = (
    int(os.environ["LINGJUN_CERT_PROCESSES"]) if os.environ.get("LINGJUN_CERT_PROCESSES") else None
)
# Number of reverse proxies in front of us whose X-Forwarded-For we trust (0 = use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = int(os.environ.get("LINGJUN_TRUSTED_PROXIES", "0"))

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = os.environ.get("LINGJUN_SECURE_COOKIES", "0") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
if os.environ.get("LINGJUN_PROXY_SSL_HEADER", "0") == "1":
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (see docs/deployment.md).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS is sent only on requests Django sees as HTTPS (behind a TLS proxy: LINGJUN_PROXY_SSL_HEADER=1). A deployment
# that marks its cookies secure is served over TLS only, so it gets one year by default.
SECURE_HSTS_SECONDS = int(
    os.environ.get("LINGJUN_HSTS_SECONDS", "31536000" if SESSION_COOKIE_SECURE else "0")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("LINGJUN_HSTS_SUBDOMAINS", "0") == "1"
SECURE_SSL_REDIRECT = os.environ.get("LINGJUN_SSL_REDIRECT", "0") == "1"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP on the private network

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("LINGJUN_STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every worker start otherwise
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"lingjun": {"handlers": ["console"], "level": os.environ.get("LINGJUN_LOG_LEVEL", "INFO")}},
}
