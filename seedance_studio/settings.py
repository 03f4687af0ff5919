"""The one settings file. Every knob is an environment variable, documented in README.md ("Settings").

Defaults are the embedded, zero-config studio: SQLite, media on local disk, the local preview provider.
They are safe outside `make run`: DEBUG is off and a secret key is required unless DEBUG is on.
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from seedance_studio.env import env_bool, env_int, env_list, env_megabytes, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("STUDIO_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", False)


def _secret_key() -> str:
    key = env_str("DJANGO_SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("DJANGO_SECRET_KEY is too short: use at least 32 random characters.")
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), or use `make run` for development."
        )
    # Development only: the random key `make run` keeps in var/ (runstudio writes it) so sessions survive
    # restarts; until it exists, a throwaway key for this process. Importing the settings writes no file.
    key_file = VAR_DIR / "dev-secret-key"
    if key_file.exists():
        return key_file.read_text().strip()
    return secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "csp",
    "seedance_studio.accounts",
    "seedance_studio.references",
    "seedance_studio.studio",
    "seedance_studio.worker",
    "seedance_studio.credits",
    "seedance_studio.sharing",
    "seedance_studio.alerts",
    "seedance_studio.mediatools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "seedance_studio.urls"
WSGI_APPLICATION = "seedance_studio.wsgi.application"

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
                "seedance_studio.credits.balance.balance_context",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'studio.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, which makes the file's directory on the first connection (not here, at import).
    DATABASES["default"]["ENGINE"] = "seedance_studio.sqlite3"
    # The web server and the worker write to the same file: WAL lets readers run beside a writer, the busy
    # timeout makes a writer wait instead of failing with "database is locked", and IMMEDIATE transactions take
    # the write lock up front so two writers never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests that start a real worker process need the test database in a file both processes can open; one
    # file per test run, so two runs at once (a developer's and CI's) never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-studio-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The request's user comes with its credit balance in the same query (header, live check).
AUTHENTICATION_BACKENDS = ["seedance_studio.credits.balance.UserWithBalanceBackend"]
# Sign-in throttling (seedance_studio/accounts/throttle.py): failures for one account, or from one address, are
# slowed and then, from these counts on, refused for SIGNIN_LOCKOUT_MINUTES.
SIGNIN_ACCOUNT_FAILURES = env_int("SIGNIN_ACCOUNT_FAILURES", 10, minimum=1)
SIGNIN_ADDRESS_FAILURES = env_int("SIGNIN_ADDRESS_FAILURES", 50, minimum=1)
SIGNIN_LOCKOUT_MINUTES = env_int("SIGNIN_LOCKOUT_MINUTES", 15, minimum=1)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "compose"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))


def _default_storage() -> dict:
    """Local disk (MEDIA_ROOT) unless STORAGE_S3_BUCKET names a bucket: then S3 or any S3-compatible service
    (MinIO, R2, Ceph) at STORAGE_S3_ENDPOINT_URL. An empty variable counts as unset."""
    values = {name: env_str(name, "").strip() for name in _S3_VARIABLES}
    bucket = values.pop("STORAGE_S3_BUCKET")
    if not bucket:
        stray = [name for name, value in values.items() if value]
        if stray:
            raise ImproperlyConfigured(
                f"{', '.join(stray)} set but STORAGE_S3_BUCKET is not: set STORAGE_S3_BUCKET to keep files in "
                "an S3 bucket, or unset them to keep files on local disk (MEDIA_ROOT)."
            )
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    for name in ("STORAGE_S3_ENDPOINT_URL", "STORAGE_S3_PUBLIC_ENDPOINT_URL"):
        if values[name] and not values[name].startswith(("http://", "https://")):
            raise ImproperlyConfigured(f"{name}={values[name]!r} is not a URL: use e.g. https://s3.example.com.")
    key, secret = values["STORAGE_S3_ACCESS_KEY_ID"], values["STORAGE_S3_SECRET_ACCESS_KEY"]
    if bool(key) != bool(secret):
        raise ImproperlyConfigured(
            "Set both STORAGE_S3_ACCESS_KEY_ID and STORAGE_S3_SECRET_ACCESS_KEY, or neither (then boto3 finds "
            "credentials itself: AWS_* variables, a profile or an instance role)."
        )
    style = values["STORAGE_S3_ADDRESSING_STYLE"] or ("path" if values["STORAGE_S3_ENDPOINT_URL"] else "auto")
    if style not in ("auto", "path", "virtual"):
        raise ImproperlyConfigured(f"STORAGE_S3_ADDRESSING_STYLE={style!r} is not a style: use path, virtual or auto.")
    return {
        "BACKEND": "seedance_studio.s3_storage.StudioS3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "location": values["STORAGE_S3_PREFIX"].strip("/"),
            "region_name": values["STORAGE_S3_REGION"] or None,
            "endpoint_url": values["STORAGE_S3_ENDPOINT_URL"] or None,
            "public_endpoint_url": values["STORAGE_S3_PUBLIC_ENDPOINT_URL"] or None,
            "access_key": key or None,
            "secret_key": secret or None,
            "addressing_style": style,
            "signature_version": "s3v4",
            "default_acl": None,  # objects stay private: browsers reach them only through presigned URLs
            "querystring_expire": STORAGE_URL_EXPIRY_SECONDS,
            "file_overwrite": True,  # every stored name is random (references/models.py, job_file_upload_to)
            "max_memory_size": 4 * 1024 * 1024,  # a file opened for reading spills to disk past this
        },
    }


_S3_VARIABLES = (
    "STORAGE_S3_BUCKET",
    "STORAGE_S3_ENDPOINT_URL",
    "STORAGE_S3_PUBLIC_ENDPOINT_URL",
    "STORAGE_S3_REGION",
    "STORAGE_S3_ACCESS_KEY_ID",
    "STORAGE_S3_SECRET_ACCESS_KEY",
    "STORAGE_S3_PREFIX",
    "STORAGE_S3_ADDRESSING_STYLE",
)
# How long a presigned URL (S3 storage) stays valid: a player that sits paused longer fetches a fresh one
# through the studio when it is reloaded.
STORAGE_URL_EXPIRY_SECONDS = env_int("STORAGE_URL_EXPIRY_SECONDS", 900, minimum=60, maximum=7 * 24 * 3600)
STORAGES = {
    "default": _default_storage(),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Media is never served as public static files: every file goes through an ownership-checked view.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media"))).resolve()

# Local disk behind nginx: the studio checks the owner and answers with `X-Accel-Redirect: <prefix><name>`, and
# nginx sends the file (Range included) from an `internal` location aliased to MEDIA_ROOT. Empty: Django streams.
MEDIA_X_ACCEL_REDIRECT = env_str("MEDIA_X_ACCEL_REDIRECT", "").strip()
if MEDIA_X_ACCEL_REDIRECT:
    if not (MEDIA_X_ACCEL_REDIRECT.startswith("/") and MEDIA_X_ACCEL_REDIRECT.endswith("/")):
        raise ImproperlyConfigured(
            f"MEDIA_X_ACCEL_REDIRECT={MEDIA_X_ACCEL_REDIRECT!r} must be a location path that starts and ends with "
            "'/', e.g. /internal-media/."
        )
    if STORAGES["default"]["BACKEND"] != "django.core.files.storage.FileSystemStorage":
        raise ImproperlyConfigured(
            "MEDIA_X_ACCEL_REDIRECT is for files on local disk; with STORAGE_S3_BUCKET the studio already "
            "redirects to presigned URLs. Unset one of them."
        )
# Per-job scratch space on this machine: renders, result downloads and the copies they read are made here and
# removed when the job step ends. Needs room for a few videos per concurrent job; never shared between machines.
STUDIO_SCRATCH_DIR = Path(env_str("STUDIO_SCRATCH_DIR", "").strip() or str(VAR_DIR / "scratch"))

# Uploads stream to a temporary file on disk from the first byte; nothing is held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 0
FILE_UPLOAD_HANDLERS = ["seedance_studio.references.upload_handlers.LimitedTemporaryFileUploadHandler"]
FILE_UPLOAD_TEMP_DIR = str(VAR_DIR / "upload-tmp")  # made on first use (references.upload_handlers)
FILE_UPLOAD_PERMISSIONS = 0o640
DATA_UPLOAD_MAX_NUMBER_FILES = env_int("UPLOAD_MAX_FILES", 20, minimum=1)

UPLOAD_MAX_BYTES = {
    "image": env_megabytes("UPLOAD_MAX_IMAGE_MB", 30),
    "video": env_megabytes("UPLOAD_MAX_VIDEO_MB", 100),
    "audio": env_megabytes("UPLOAD_MAX_AUDIO_MB", 30),
}
# Decompression-bomb guard: Pillow refuses images with more pixels than this before decoding them.
UPLOAD_MAX_IMAGE_PIXELS = env_int("UPLOAD_MAX_IMAGE_PIXELS", 50_000_000, minimum=1_000_000)
UPLOAD_MAX_MEDIA_SECONDS = env_int("UPLOAD_MAX_MEDIA_SECONDS", 600, minimum=1)

# --- ffmpeg and the worker ------------------------------------------------------------------------------
FFMPEG_BINARY = env_str("FFMPEG_BINARY")  # unset: the system's ffmpeg if on PATH, else the bundled one (renders and
# frames; probing reads media through PyAV, see mediatools/probe.py)
FFMPEG_PROBE_TIMEOUT = env_int("FFMPEG_PROBE_TIMEOUT", 20, minimum=1)
FFMPEG_RENDER_TIMEOUT = env_int("FFMPEG_RENDER_TIMEOUT", 600, minimum=10)
WORKER_CONCURRENCY = env_int("WORKER_CONCURRENCY", 2, minimum=1, maximum=32)
WORKER_PROVIDER_CONCURRENCY = env_int("WORKER_PROVIDER_CONCURRENCY", 4, minimum=1, maximum=64)
WORKER_LEASE_SECONDS = env_int("WORKER_LEASE_SECONDS", 30, minimum=5)
WORKER_IDLE_SLEEP_SECONDS = env_int("WORKER_IDLE_SLEEP_MS", 500, minimum=50) / 1000
WORKER_MAX_ATTEMPTS = env_int("WORKER_MAX_ATTEMPTS", 3, minimum=1)

# Where providers fetch reference files from: must be reachable from the internet for remote providers.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")


# --- Remote providers: each is switched on by its API key (names in seedance_studio/provider_api ENV_VARS) ----
def _provider_configs() -> dict:
    from seedance_studio.provider_api import ENV_VARS, make_config

    emulated = env_bool("PROVIDER_EMULATOR", False)
    configs = {}
    for provider_id, names in ENV_VARS.items():
        api_key = env_str(names["api_key"])
        if not api_key:
            continue  # unavailable: the composer says which variable an admin must set
        hosts = env_list(names["allowed_result_hosts"], []) or None
        configs[provider_id] = make_config(
            provider_id,
            api_key,
            base_url=env_str(names["base_url"]) or None,
            webhook_secret=env_str(names["webhook_secret"], "") if "webhook_secret" in names else "",
            signing_key=env_str(names["signing_key"], "") if "signing_key" in names else "",
            allowed_result_hosts=hosts,
            emulated=emulated,
        )
    if emulated:
        _refuse_emulator_mode_against_real_hosts(configs, ENV_VARS)
    return configs


def _refuse_emulator_mode_against_real_hosts(configs: dict, env_vars: dict) -> None:
    """PROVIDER_EMULATOR loosens the result download rules (http, loopback addresses): harmless against the
    emulator on this machine, a hole against a real provider. So it is refused unless every configured provider
    talks to this machine."""
    import ipaddress
    from urllib.parse import urlsplit

    def on_this_machine(url: str) -> bool:
        host = (urlsplit(url).hostname or "").rstrip(".").lower()
        if host == "localhost" or host.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    remote = [
        f"{env_vars[provider_id]['base_url']}={config.base_url}"
        for provider_id, config in configs.items()
        if not on_this_machine(config.base_url)
    ]
    if remote:
        raise ImproperlyConfigured(
            "PROVIDER_EMULATOR=1 is only for the provider emulator on this machine, but "
            f"{', '.join(remote)} is not (unset base URLs mean the real provider). Unset PROVIDER_EMULATOR in "
            "production, or point every configured provider at the emulator (make emulator prints the variables)."
        )


# provider id -> ProviderConfig (its repr hides the secrets), only for providers with a key.
PROVIDERS = _provider_configs()
# How long the worker follows a provider task before it marks it overdue (and the admins are told); after one more
# such period it fails it as timed out. Peak queues last hours.
PROVIDER_FOLLOW_HOURS = env_int("PROVIDER_FOLLOW_HOURS", 24, minimum=1)
PROVIDER_POLL_MAX_SECONDS = env_int("PROVIDER_POLL_MAX_SECONDS", 60, minimum=5)
PROVIDER_RESULT_MAX_MB = env_int("PROVIDER_RESULT_MAX_MB", 500, minimum=10)


# --- Seedance pricing (the pure core in seedance_studio/seedance/ quotes every job with this) -------------
def _seedance_pricing() -> dict:
    import json
    from decimal import Decimal

    from seedance_studio.seedance import PricingConfig
    from seedance_studio.seedance.pricing import EstimatedPrices

    overrides = {}
    raw = env_str("SEEDANCE_PRICING_JSON")
    if raw:
        try:
            overrides = json.loads(raw, parse_float=Decimal)
        except ValueError as error:
            raise ImproperlyConfigured(f"SEEDANCE_PRICING_JSON is not valid JSON: {error}") from None
    for variable, key in (
        ("STUDIO_CREDITS_PER_USD", "studio_credits_per_usd"),
        ("STUDIO_CREDITS_PER_SEEDANCE2_CREDIT", "studio_credits_per_seedance2_credit"),
    ):
        if env_str(variable):
            overrides[key] = env_str(variable)
    # Whether a quote that still uses a guessed price ("estimated") may be submitted.
    policy = env_str("STUDIO_ESTIMATED_PRICES")
    if policy:
        choices = [choice.value for choice in EstimatedPrices]
        if policy not in choices:
            raise ImproperlyConfigured(
                f"STUDIO_ESTIMATED_PRICES={policy!r} is not a policy: use {' or '.join(choices)}."
            )
        overrides["estimated_prices"] = policy
    try:
        PricingConfig.from_mapping(overrides)
    except ValueError as error:
        raise ImproperlyConfigured(f"Seedance pricing configuration is invalid: {error}") from None
    return overrides


SEEDANCE_PRICING = _seedance_pricing()
# Credits granted once to the first admin `make run` creates (ensure_first_admin), so a new studio can try a
# paid provider at once; 0: no grant.
STUDIO_FIRST_ADMIN_CREDITS = env_int("STUDIO_FIRST_ADMIN_CREDITS", 1000, minimum=0)


# --- Mail to admins: alerts about stuck jobs (seedance_studio/alerts) go to ADMINS through mail_admins --------
def _admins() -> list[tuple[str, str]]:
    from email.utils import getaddresses

    raw = env_str("STUDIO_ADMINS", "Studio admins <admins@localhost>")
    admins = [(name or address, address) for name, address in getaddresses([raw]) if "@" in address]
    if raw.strip() and not admins:
        raise ImproperlyConfigured(
            f"STUDIO_ADMINS={raw!r} names no e-mail address: use 'Name <name@example.com>, other@example.com'."
        )
    return admins


ADMINS = _admins()
# The console backend prints each mail to the terminal that runs the worker (`make run` shows them).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for the file backend
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
SERVER_EMAIL = env_str("SERVER_EMAIL", "studio@localhost")
DEFAULT_FROM_EMAIL = SERVER_EMAIL
EMAIL_SUBJECT_PREFIX = "[Seedance Studio] "

# --- Security ---
# Sessions live in a signed cookie: no database read per request, which keeps the live check (run on every
# keystroke) at three queries. The session holds only the user id and its auth hash; changing a password
# still signs out every other session.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", False)
# Probes speak plain HTTP to the process itself (seedance_studio/health.py).
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# FILE_UPLOAD_TEMP_DIR is made on first use (references.upload_handlers.upload_temp_dir), so Django's check
# that it already exists would fail every fresh deployment's `check --deploy` for a directory nobody needs yet.
SILENCED_SYSTEM_CHECKS = ["files.E001"]


def _object_store_origins(storage: dict) -> list[str]:
    """The origin browsers fetch presigned URLs from: the public endpoint (or the endpoint), with the bucket in
    the host name for virtual-hosted addressing; AWS's own hosts when no endpoint is named."""
    options = storage.get("OPTIONS", {})
    if "bucket_name" not in options:
        return []
    endpoint = options["public_endpoint_url"] or options["endpoint_url"]
    if not endpoint:
        return ["https://*.amazonaws.com"]
    parts = urlsplit(endpoint)
    host = f"{options['bucket_name']}.{parts.netloc}" if options["addressing_style"] == "virtual" else parts.netloc
    return [f"{parts.scheme}://{host}"]


# Content-Security-Policy (django-csp): no inline script or style anywhere, the studio's own origin only. The
# Django admin runs under the same policy (its 5.2 templates have no inline code). Every page refuses to be
# framed, except the share embed (sharing.views.share_embed), which any site may frame.
def _content_security_policy() -> dict:
    from csp.constants import NONE, SELF

    # Where media files may come from besides the studio: the object store the studio redirects to (presigned
    # URLs), and any origin an admin adds (a CDN in front of it), as origins: https://bucket.s3.example.com.
    media = [SELF, *_object_store_origins(STORAGES["default"]), *env_list("CSP_MEDIA_ORIGINS", [])]
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF],
            "style-src": [SELF],
            "img-src": media,
            "media-src": media,
            "connect-src": [SELF],
            "font-src": [SELF],
            "object-src": [NONE],
            "base-uri": [NONE],
            "form-action": [SELF],
            "frame-ancestors": [NONE],
        }
    }


CONTENT_SECURITY_POLICY = _content_security_policy()

# --- Logging: to stderr; secrets never logged (providers log ids and statuses, never keys or bodies) -----
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is not a log format: use plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        # One JSON object a line, for log collectors (seedance_studio/logs.py names the fields).
        "json": {"()": "seedance_studio.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # httpx logs every request's whole URL at INFO: a provider's signed result link must never reach the logs
    # (provider_api/http.py logs each call itself, host and path only).
    "loggers": {"django.server": {"level": "WARNING"}, "httpx": {"level": "WARNING"}, "httpcore": {"level": "WARNING"}},
}
