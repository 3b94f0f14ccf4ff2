"""One settings module, read from the environment (django-environ).

With no environment at all it runs the demo: SQLite under ``var/``, a fixed demo secret and a
demo field-encryption key. A real deployment sets ``SECRET_KEY``, ``DATABASE_URL`` and
``JICENG_FIELD_KEY``; ``manage.py check --deploy`` then passes.
"""

import sys
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent  # src/jiceng
PROJECT_DIR = BASE_DIR.parent.parent  # checkout root
VAR_DIR = Path(environ.Env().str("JICENG_VAR_DIR", default=str(PROJECT_DIR / "var")))

env = environ.Env(
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost", "[::1]", "testserver"]),
    JICENG_HTTPS=(bool, False),
)

DEMO_SECRET_KEY = "jiceng-demo-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=DEMO_SECRET_KEY)
DEBUG = env("DEBUG")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")

# 32-byte key, urlsafe base64. The demo key is public: it protects nothing and exists so that the
# demo runs with no environment. `jiceng check-deploy` refuses it.
DEMO_FIELD_KEY = "ZGVtby1rZXktZG8tbm90LXVzZS1pbi1wcm9kdWN0aW9uIQ=="
JICENG_FIELD_KEY = env.str("JICENG_FIELD_KEY", default=DEMO_FIELD_KEY)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "django_htmx",
    "template_partials",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "jiceng.core",
    "jiceng.people",
    "jiceng.orglife",
    "jiceng.grading",
    "jiceng.grids",
    "jiceng.cases",
    "jiceng.development",
    "jiceng.contacts",
    "jiceng.dues",
    "jiceng.mobility",
    "jiceng.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "jiceng.core.middleware.RequestContextMiddleware",
    "jiceng.core.middleware.IdleSessionMiddleware",
    "jiceng.core.middleware.SecondFactorMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Log-in throttling (django-axes; core/security.py): per (user name, client address), so a wrong
# password typed elsewhere never locks a secretary out of their own phone.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("JICENG_LOGIN_FAILURE_LIMIT", default=5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = "jiceng.core.security.cooloff"  # 15 min, doubling per repeated lock-out
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "jiceng.core.middleware.client_ip"
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
JICENG_SECURITY_LOG_DAYS = env.int("JICENG_SECURITY_LOG_DAYS", default=400)  # ≥ 183 (six months)
# A second factor (TOTP, django-otp) for the roles that hold it, when a deployment turns it on
# (等保 level 3 expects it for administrators); off in the demo.
JICENG_REQUIRE_2FA = env.bool("JICENG_REQUIRE_2FA", default=False)
JICENG_2FA_ROLES = ("county_admin", "township_admin")
OTP_TOTP_ISSUER = "jiceng 基层"

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
                "jiceng.core.context_processors.platform",
            ],
        },
    }
]


def _database(url: str) -> dict:
    config = env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the single writer; IMMEDIATE takes the write lock at BEGIN so
        # two concurrent tree writes serialise instead of failing half-way (CONVENTIONS: trees).
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    else:
        config.setdefault("CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {
    "default": _database(env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'jiceng.sqlite3'}")),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("TEST", {})["NAME"] = None  # in-memory test DB
# Reports and exports read from a streaming replica when one is given (core/dbrouter.py).
if "pytest" in sys.modules:
    # Tests never reach a real replica: "reporting" is the test database itself (a TEST MIRROR),
    # used only by the tests that switch it on (tests/core/test_dbrouter.py).
    _mirror_options = dict(DATABASES["default"].get("OPTIONS", {}))
    if "transaction_mode" in _mirror_options:
        # SQLite's in-memory test database is one shared cache and TestCase opens a transaction on
        # both aliases: the mirror only reads, so no write lock at BEGIN, and it reads through the
        # test transaction's table locks (PostgreSQL needs neither).
        del _mirror_options["transaction_mode"]
        _mirror_options["init_command"] += " PRAGMA read_uncommitted=1;"
    DATABASES["reporting"] = {
        **DATABASES["default"],
        "OPTIONS": _mirror_options,
        "TEST": {"MIRROR": "default"},
    }
elif env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["reporting"] = _database(env.str("DATABASE_REPLICA_URL"))
DATABASE_ROUTERS = ["jiceng.core.dbrouter.ReportingRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Uploaded files (meeting photos, minutes) are served only through scoped views, never by URL.
MEDIA_ROOT = VAR_DIR / "media"
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even when serving from finders
STATICFILES_DIRS = [BASE_DIR / "static"]
# Serve straight from the app directories: `make run` needs no collectstatic step, and a
# government intranet needs no separate web server for a county-sized deployment.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
# Idle sessions end: IdleSessionMiddleware restarts the session's age at most once a minute of
# activity (not one UPDATE per request), so this is the idle time, give or take that minute.
SESSION_COOKIE_AGE = env.int("JICENG_SESSION_IDLE_MINUTES", default=30) * 60
CSRF_COOKIE_HTTPONLY = True  # htmx takes the token from the header rendered into base.html
JICENG_PROXY_COUNT = env.int("JICENG_PROXY_COUNT", default=0)  # trusted reverse proxies in front
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if env("JICENG_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline script anywhere: page data travels in json_script blocks, behaviour in static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Long work runs as tracked jobs (core/jobs.py) on django-tasks with its database backend: the
# embedded default needs no other server; `jiceng worker` runs them (make run starts one).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
JICENG_JOBS_DIR = VAR_DIR / "jobs"
JICENG_JOB_PERSONAL_TTL = env.int(
    "JICENG_JOB_PERSONAL_TTL", default=24 * 3600
)  # seconds a personal job's files (its upload, its result) last after it ends
JICENG_JOB_STALE_SECONDS = env.int("JICENG_JOB_STALE_SECONDS", default=15 * 60)  # silent this long: failed
JICENG_JOB_KEEP_DAYS = env.int("JICENG_JOB_KEEP_DAYS", default=30)
# A ledger larger than this is written by a job instead of inside the request.
JICENG_LEDGER_INLINE_MAX = env.int("JICENG_LEDGER_INLINE_MAX", default=50_000)

# Notification senders (core/notify.py): channel → dotted sender class. Unset channels hold their
# messages in the outbox (/outbox/) instead of sending them, which is what the demo does.
JICENG_NOTIFY_SENDERS: dict[str, str] = env.dict("JICENG_NOTIFY_SENDERS", default={})
# the site's address, for absolute links in SMS, WeChat and e-mail messages
JICENG_SITE_URL = env.str("JICENG_SITE_URL", default="")
# e-mail for the e-mail sender: EMAIL_URL=smtp+tls://user:password@mail.example.gov.cn:587
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="jiceng@localhost")
JICENG_SMS_URL = env.str("JICENG_SMS_URL", default="")
JICENG_SMS_TOKEN = env.str("JICENG_SMS_TOKEN", default="")
JICENG_SMS_SIGN = env.str("JICENG_SMS_SIGN", default="基层治理")
JICENG_WECHAT_API = env.str("JICENG_WECHAT_API", default="https://api.weixin.qq.com")
JICENG_WECHAT_APPID = env.str("JICENG_WECHAT_APPID", default="")
JICENG_WECHAT_SECRET = env.str("JICENG_WECHAT_SECRET", default="")
JICENG_WECHAT_TEMPLATE = env.str("JICENG_WECHAT_TEMPLATE", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
