"""Docket's one settings module: everything comes from DOCKET_* variables (README, "Configuration").

Defaults run on one machine with nothing installed: SQLite and a local vault under
DOCKET_DATA_DIR. PostgreSQL, S3-compatible storage and production hardening are chosen by
variables, never by editing this file.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from docket.intake.public_process import refuse_private_key
from docket.lib.env import (
    env_bool,
    env_int,
    env_list,
    env_optional,
    env_path,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR = env_path("DOCKET_DATA_DIR", Path("data"))
KEYS_DIR = env_path("DOCKET_KEYS_DIR", DATA_DIR / "keys")
TMP_DIR = env_path("DOCKET_TMP_DIR", DATA_DIR / "tmp")

DEBUG = env_bool("DOCKET_DEBUG", False)
HTTPS = env_bool("DOCKET_HTTPS", False)


_SECRET_KEY_ENV = env_secret("DOCKET_SECRET_KEY")
SECRET_KEY_FROM_ENV = _SECRET_KEY_ENV is not None


def _secret_key() -> str:
    if _SECRET_KEY_ENV:
        return _SECRET_KEY_ENV
    # `docket init` writes one; before that (or for one-off commands) a process-local key
    # is fine because nothing signed with it outlives the process.
    stored = KEYS_DIR / "secret-key"
    if stored.exists():
        return stored.read_text().strip()
    import secrets

    return secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("DOCKET_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DOCKET_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # In the order of the stack (docs/architecture.md): each app imports only those above it.
    "docket.accounts",
    "docket.vault",
    "docket.jobs",
    "docket.register",
    "docket.enrich",
    "docket.ingest",
    "docket.intake",
    "docket.leads",
    "docket.cases",
    "docket.exports",
    "docket.api",
    "docket.core",
]

MIDDLEWARE = [
    "docket.accounts.middleware.RequestIdMiddleware",
    "docket.accounts.middleware.NoNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "docket.accounts.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "docket.accounts.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "docket.accounts.middleware.OneTimePasswordMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "docket.core.urls"
WSGI_APPLICATION = "docket.wsgi.application"
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
                "docket.accounts.context_processors.navigation",
                "docket.leads.context_processors.leads",
            ]
        },
    }
]


#: The embedded database's key (SQLite only): with it the file is encrypted at rest. Given at
#: start, like the vault passphrase, never kept beside the data in a real deployment.
DATABASE_KEY = env_secret("DOCKET_DATABASE_KEY")
if DATABASE_KEY is not None and len(DATABASE_KEY) < 12:
    raise ImproperlyConfigured(
        "DOCKET_DATABASE_KEY is set but shorter than 12 characters (an empty file, say): "
        "refusing to run with a database that would not be encrypted as meant"
    )


def _databases() -> dict[str, dict[str, object]]:
    url = env_str("DOCKET_DATABASE_URL", f"sqlite:///{DATA_DIR / 'docket.sqlite3'}")
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DOCKET_DATABASE_URL: {exc}") from exc
    engine = str(config.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        if DATABASE_KEY:
            # SQLCipher: the file, its WAL and its journal encrypted (docket/sqlcipher).
            config["ENGINE"] = "docket.sqlcipher"
            config["KEY"] = DATABASE_KEY  # type: ignore[typeddict-unknown-key]
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            # IMMEDIATE: a write transaction takes the lock at BEGIN, so two processes never
            # deadlock upgrading read locks; WAL lets readers run beside the one writer.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
            ),
        }
    elif not engine.endswith("postgresql"):
        raise ImproperlyConfigured(
            "DOCKET_DATABASE_URL must be sqlite:///PATH or postgres://USER:PASSWORD@HOST/NAME"
        )
    return {"default": config}  # type: ignore[dict-item]


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTHENTICATION_BACKENDS = ["docket.accounts.lockout.LockoutBackend"]
LOGIN_MAX_FAILURES = env_int("DOCKET_LOGIN_MAX_FAILURES", 5, minimum=1)
AUDIT_BULK_READS = env_int("DOCKET_AUDIT_BULK_READS", 100, minimum=1)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]


def _storage() -> dict[str, object]:
    """DOCKET_STORAGE_URL: file:///PATH (default DATA_DIR/vault) or s3://BUCKET/PREFIX?…"""
    url = env_str("DOCKET_STORAGE_URL", f"file://{DATA_DIR / 'vault'}")
    parts = urlsplit(url)
    if parts.scheme == "file":
        return {
            "BACKEND": "docket.lib.storage.DurableFileSystemStorage",
            "OPTIONS": {"location": parts.path},
        }
    if parts.scheme == "s3":
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        unknown = set(query) - {"endpoint_url", "region", "addressing_style"}
        if not parts.netloc or unknown:
            raise ImproperlyConfigured(
                "DOCKET_STORAGE_URL: s3://BUCKET/PREFIX?endpoint_url=…&region=…"
                + (f" (unknown option {', '.join(sorted(unknown))})" if unknown else "")
            )
        options: dict[str, object] = {
            "bucket_name": parts.netloc,
            "location": parts.path.strip("/"),
            "file_overwrite": False,
            "default_acl": None,
            "querystring_auth": True,
            "access_key": env_secret("DOCKET_S3_ACCESS_KEY_ID"),
            "secret_key": env_secret("DOCKET_S3_SECRET_ACCESS_KEY"),
        }
        if "endpoint_url" in query:
            options["endpoint_url"] = query["endpoint_url"]
        if "region" in query:
            options["region_name"] = query["region"]
        if "addressing_style" in query:
            options["addressing_style"] = query["addressing_style"]
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    raise ImproperlyConfigured(
        f"DOCKET_STORAGE_URL must start with file:// or s3://, not {parts.scheme or url!r}"
    )


STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "media")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "vault": _storage(),
}
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served straight from the apps' static folders: no collectstatic step to forget.
WHITENOISE_USE_FINDERS = True

# --- The vault ---------------------------------------------------------------------------------
VAULT_PUBLIC_KEY = env_optional("DOCKET_VAULT_PUBLIC_KEY")
VAULT_IDENTITY_FILE = env_path("DOCKET_VAULT_IDENTITY_FILE", KEYS_DIR / "vault-identity.age")
VAULT_PASSPHRASE = env_secret("DOCKET_VAULT_PASSPHRASE")
LOG_SIGNING_KEY_FILE = env_path("DOCKET_LOG_SIGNING_KEY_FILE", KEYS_DIR / "log-signing.key")
LOG_ORIGIN = env_optional("DOCKET_LOG_ORIGIN")
TSA_URL = env_optional("DOCKET_TSA_URL")


def _map_tiles() -> str | None:
    """DOCKET_MAP_TILES: a tile URL template (https://tiles.example.org/{z}/{x}/{y}.png).
    Unset, the map draws Belarus from the shipped outline and fetches nothing."""
    template = env_optional("DOCKET_MAP_TILES")
    if template is None:
        return None
    parts = urlsplit(template)
    if (
        parts.scheme not in ("https", "http")
        or not parts.netloc
        or not all(key in template for key in ("{z}", "{x}", "{y}"))
    ):
        raise ImproperlyConfigured(
            "DOCKET_MAP_TILES must be an http(s) URL template with {z}, {x} and {y}, "
            "for example https://tiles.example.org/{z}/{x}/{y}.png"
        )
    return template


MAP_TILES = _map_tiles()
TSA_TIMEOUT = env_int("DOCKET_TSA_TIMEOUT", 20, minimum=1)
WORKER_POLL_SECONDS = env_int("DOCKET_WORKER_POLL_SECONDS", 2, minimum=1)
#: Web server processes for `docket serve` (its --workers option overrides it).
WEB_WORKERS = env_int("DOCKET_WEB_WORKERS", 2, minimum=1)


#: Media and incidents (docs/analysis.md): an item may show an event when its capture time is
#: within this many hours of the event's window and its place within this many kilometres.
def _non_negative(name: str, default: float) -> float:
    text = env_str(name, str(default))
    try:
        value = float(text)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {text!r}") from None
    if not value >= 0 or value == float("inf"):
        raise ImproperlyConfigured(f"{name} must be a number of at least 0, not {text!r}")
    return value


MATCH_HOURS = _non_negative("DOCKET_MATCH_HOURS", 2)
MATCH_KM = _non_negative("DOCKET_MATCH_KM", 1)

# --- Enrichment and its sandbox (docs/enrichment.md) ------------------------------------------
#: Queue enrichment (type, metadata, thumbnails, OCR, speech, hashes, clean copy) for every
#: new original.
ENRICH_ON_STORE = env_bool("DOCKET_ENRICH_ON_STORE", True)
#: Where parsers' boxes are made. Every directory above it must be open to the unprivileged
#: user the parsers run as (some tools open files by absolute path), so not under a private
#: DATA_DIR; each box itself is private to that user and removed after its job.
SANDBOX_DIR = env_path("DOCKET_SANDBOX_DIR", Path(tempfile.gettempdir()) / "docket-sandbox")
#: Which enrichers run, comma-separated (empty: all of them); type detection always runs.
ENRICHERS = [name.strip() for name in env_str("DOCKET_ENRICHERS", "").split(",") if name.strip()]
SANDBOX_CPU_SECONDS = env_int("DOCKET_SANDBOX_CPU_SECONDS", 600, minimum=1)
SANDBOX_WALL_SECONDS = env_int("DOCKET_SANDBOX_WALL_SECONDS", 900, minimum=1)
SANDBOX_MEMORY_MB = env_int("DOCKET_SANDBOX_MEMORY_MB", 2048, minimum=64)
SANDBOX_FILE_MB = env_int("DOCKET_SANDBOX_FILE_MB", 4096, minimum=1)
#: Run parsers without bubblewrap where it cannot be had (a development machine): they then
#: share a uid and see each other's processes. Never on a server with real evidence.
SANDBOX_UNSAFE = env_bool("DOCKET_SANDBOX_UNSAFE", False)
#: Tesseract's language packs, joined by "+" (Debian: tesseract-ocr-bel, -rus, -eng).
OCR_LANGUAGES = env_str("DOCKET_OCR_LANGUAGES", "bel+rus+eng")
OCR_MAX_PAGES = env_int("DOCKET_OCR_MAX_PAGES", 500, minimum=1)
#: A CTranslate2 Whisper model directory; empty: the small bundled model.
WHISPER_MODEL = env_str("DOCKET_WHISPER_MODEL", "")
WHISPER_DEVICE = env_str("DOCKET_WHISPER_DEVICE", "auto")
if WHISPER_DEVICE not in ("auto", "cpu", "cuda"):
    raise ImproperlyConfigured("DOCKET_WHISPER_DEVICE must be auto, cpu or cuda")
WHISPER_THREADS = env_int("DOCKET_WHISPER_THREADS", 0, minimum=0)
# Beams searched per piece: 5 (Whisper's own default) transcribes best; 1 (greedy) about twice
# as fast on a CPU, for a first pass over hours of recordings.
WHISPER_BEAM_SIZE = env_int("DOCKET_WHISPER_BEAM_SIZE", 5, minimum=1)
# Candidates sampled when a piece's first decoding fails its checks (it repeats itself, or the
# model is unsure) and is decoded again at a higher temperature: 1, as Whisper's own Python
# API, or 5, as its command line: better words on such pieces, much slower where many fall back.
WHISPER_BEST_OF = env_int("DOCKET_WHISPER_BEST_OF", 1, minimum=1)
#: Where the bundled model is unpacked (once).
MODELS_DIR = env_path("DOCKET_MODELS_DIR", DATA_DIR / "models")
#: Archives given to `docket import files` are unpacked in the sandbox up to these limits.
IMPORT_ARCHIVE_MAX_FILES = env_int("DOCKET_IMPORT_ARCHIVE_MAX_FILES", 100_000, minimum=1)
IMPORT_ARCHIVE_MAX_MB = env_int("DOCKET_IMPORT_ARCHIVE_MAX_MB", 100 * 1024, minimum=1)

# --- Staff uploads from the web (docket/ingest/uploads.py) ---------------------------------------
STAFF_UPLOAD_MAX_BYTES = env_int("DOCKET_STAFF_UPLOAD_MAX_BYTES", 50 * 1024**3, minimum=1)
STAFF_UPLOAD_DAYS = env_int("DOCKET_STAFF_UPLOAD_DAYS", 7, minimum=1)

# --- Intake (docs/intake.md) ---------------------------------------------------------------------
#: The public intake process: only intake pages, and never a key that decrypts.
INTAKE_ONLY = env_bool("DOCKET_INTAKE_ONLY", False)
INTAKE_COMPARTMENT = env_str("DOCKET_INTAKE_COMPARTMENT", "intake")
INTAKE_MAX_FILE_BYTES = env_int("DOCKET_INTAKE_MAX_FILE_BYTES", 10 * 1024**3, minimum=1)
INTAKE_MAX_FILES = env_int("DOCKET_INTAKE_MAX_FILES", 200, minimum=1)
INTAKE_MAX_SUBMISSION_BYTES = env_int("DOCKET_INTAKE_MAX_SUBMISSION_BYTES", 50 * 1024**3, minimum=1)
INTAKE_SUBMISSIONS_PER_HOUR = env_int("DOCKET_INTAKE_SUBMISSIONS_PER_HOUR", 3600, minimum=1)
INTAKE_RECEIPT_CHECKS_PER_HOUR = env_int("DOCKET_INTAKE_RECEIPT_CHECKS_PER_HOUR", 3600, minimum=1)
INTAKE_MESSAGES_PER_DAY = env_int("DOCKET_INTAKE_MESSAGES_PER_DAY", 50, minimum=1)
INTAKE_DISK_RESERVE_MB = env_int("DOCKET_INTAKE_DISK_RESERVE_MB", 1024, minimum=0)
INTAKE_CHUNK_BYTES = env_int("DOCKET_INTAKE_CHUNK_BYTES", 64 * 1024**2, minimum=1024)
INTAKE_UPLOAD_HOURS = env_int("DOCKET_INTAKE_UPLOAD_HOURS", 48, minimum=1)
#: Resumable uploads: new ones per hour from everyone together, the declared bytes that those
#: not yet stored may hold (reserved at creation), and the parts one upload may take.
INTAKE_UPLOADS_PER_HOUR = env_int("DOCKET_INTAKE_UPLOADS_PER_HOUR", 3600, minimum=1)
INTAKE_OUTSTANDING_MB = env_int("DOCKET_INTAKE_OUTSTANDING_MB", 100 * 1024, minimum=1)
INTAKE_MAX_PARTS = env_int("DOCKET_INTAKE_MAX_PARTS", 2000, minimum=1)
#: Proof of work: with JavaScript, a sender's browser can pass a spent budget by finding a
#: hash with this many leading zero bits (0: off). Never required while a budget lasts.
INTAKE_POW_BITS = env_int("DOCKET_INTAKE_POW_BITS", 18, minimum=0)
RECEIPT_ARGON2_MEMORY_KIB = env_int("DOCKET_RECEIPT_ARGON2_MEMORY_KIB", 65536, minimum=8)
RECEIPT_ARGON2_TIME = env_int("DOCKET_RECEIPT_ARGON2_TIME", 3, minimum=1)
#: The Telegram bot (`docket intake telegram`); the worker uses the same token to send replies.
TELEGRAM_TOKEN = env_secret("DOCKET_TELEGRAM_TOKEN") or ""
TELEGRAM_API = env_str("DOCKET_TELEGRAM_API", "https://api.telegram.org").rstrip("/")
TELEGRAM_VERIFY_URL = env_str("DOCKET_TELEGRAM_VERIFY_URL", "")
#: A chat's route (its keyed hash, its sealed id, its message numbers) is forgotten by a worker
#: once neither side has written for this many days; staff replies then reach the sender only
#: through their receipt.
TELEGRAM_ROUTE_DAYS = env_int("DOCKET_TELEGRAM_ROUTE_DAYS", 30, minimum=1)
#: The e-mail poller (`docket intake mail`): any IMAP server, ProtonMail Bridge included.
IMAP_HOST = env_str("DOCKET_IMAP_HOST", "")
IMAP_SECURITY = env_str("DOCKET_IMAP_SECURITY", "tls")
IMAP_PORT = env_int("DOCKET_IMAP_PORT", 993 if IMAP_SECURITY == "tls" else 143, minimum=1)
IMAP_USER = env_str("DOCKET_IMAP_USER", "")
IMAP_PASSWORD = env_secret("DOCKET_IMAP_PASSWORD") or ""
IMAP_CA_FILE = env_optional("DOCKET_IMAP_CA_FILE")
IMAP_FOLDER = env_str("DOCKET_IMAP_FOLDER", "INBOX")
IMAP_STORED_FOLDER = env_str("DOCKET_IMAP_STORED_FOLDER", "Docket-Stored")
IMAP_FAILED_FOLDER = env_str("DOCKET_IMAP_FAILED_FOLDER", "Docket-Failed")
IMAP_INTERVAL = env_int("DOCKET_IMAP_INTERVAL", 60, minimum=1)
#: Keep each stored message in DOCKET_IMAP_STORED_FOLDER instead of expunging it.
IMAP_KEEP = env_bool("DOCKET_IMAP_KEEP", False)
if INTAKE_ONLY:
    # `docket serve --intake-only` sets DOCKET_INTAKE_ONLY before the settings load (cli.py).
    ROOT_URLCONF = "docket.intake.channels.web.urls_only"
    refuse_private_key(
        "the public intake (DOCKET_INTAKE_ONLY, serve --intake-only)", VAULT_PASSPHRASE
    )

# --- Web hardening -----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_AGE = env_int("DOCKET_SESSION_IDLE_SECONDS", 3600, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True  # the age above is an idle timeout, not a hard one
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: nothing is sent to other sites, but Chromium sends
# "Origin: null" on a form POST under no-referrer, and Django's CSRF check then refuses every
# login. Pages link to no other origin anyway.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DOCKET_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DOCKET_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# The staff interface in English, Belarusian and Russian: chosen in the page header (a cookie),
# else from the browser's Accept-Language. Catalogues: docket/locale/*/LC_MESSAGES/django.po.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("be", "Беларуская"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Strict"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "UTC"
USE_I18N = True


def _time_zone() -> str:
    """DOCKET_TIME_ZONE: where the instance's people are. A time written without an offset
    (a form, a CSV, a camera's clock) is read in it; pages show times in it with the offset.
    Django itself keeps UTC: what is stored and logged does not move with this setting."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = env_str("DOCKET_TIME_ZONE", "Europe/Minsk").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"DOCKET_TIME_ZONE: {name!r} is not a time zone name; use an IANA name such as "
            "Europe/Minsk or UTC"
        ) from exc
    return name


DOCKET_TIME_ZONE = _time_zone()

#: The organisation that runs this instance, as exports name it (a court bundle's
#: Source-Organization). Set it before sending anything out.
DOCKET_ORGANISATION = env_str("DOCKET_ORGANISATION", "").strip() or "Docket instance"
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"no_addresses": {"()": "docket.lib.addresses.NoAddresses"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_addresses"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DOCKET_LOG_LEVEL", "INFO").upper()},
    # runserver logs each request with the client address; Docket serves with gunicorn, whose
    # access log is off (docket/core/serve.py). The filter above catches what slips through.
    "loggers": {
        "django.server": {"level": "WARNING"},
        # httpx logs every Bot API request's URL, which holds the bot's token; the Telegram
        # library logs whole updates (a sender's id and name) at DEBUG.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        "telegram": {"level": "INFO"},
    },
}
