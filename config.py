"""Configuration classes. The environment (or a `.env` file) sets the values named in
CONTRACT.md; `EVENTSYS_CONFIG` picks the class (development, production, testing)."""

import os
import secrets
from pathlib import Path

from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"

# gunicorn does not read .env by itself; the Flask CLI does, and loading twice is harmless.
load_dotenv(BASE_DIR / ".env")


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int | None) -> int | None:
    value = os.environ.get(name)
    return int(value) if value else default


def _development_secret_key() -> str:
    """Generate a key once and keep it under instance/, so sessions survive restarts."""
    INSTANCE_DIR.mkdir(exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'eventsys.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SECRET_KEY = os.environ.get("SECRET_KEY")
    EVENTSYS_BASE_URL = os.environ.get("EVENTSYS_BASE_URL", "http://localhost:5000").rstrip("/")
    EVENTSYS_TIMEZONE = os.environ.get("EVENTSYS_TIMEZONE", "Europe/Oslo")

    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS")
    MAIL_DEFAULT_SENDER = os.environ.get(
        "MAIL_DEFAULT_SENDER", "Kompetansenettverket <arrangement@localhost>"
    )

    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE")

    # The seller on every invoice and credit note (PDF, EHF and the web page): the
    # network's legal entity. Address: street line(s), then "postcode city".
    SELLER_NAME = os.environ.get(
        "EVENTSYS_SELLER_NAME", "Kompetansenettverk for studenters suksess i høyere utdanning"
    )
    SELLER_ADDRESS = os.environ.get("EVENTSYS_SELLER_ADDRESS", "")
    SELLER_ORG_NUMBER = os.environ.get("EVENTSYS_SELLER_ORG_NUMBER", "")
    # CONTRACT.md names it EVENTSYS_BANK_ACCOUNT; the SELLER_ spelling is accepted too.
    SELLER_BANK_ACCOUNT = os.environ.get(
        "EVENTSYS_BANK_ACCOUNT", os.environ.get("EVENTSYS_SELLER_BANK_ACCOUNT", "")
    )
    SELLER_EMAIL = os.environ.get("EVENTSYS_SELLER_EMAIL", "")
    # EN 16931 VAT category of the network's fees: "O" (not subject to VAT, the
    # default for a network that is not VAT-registered) or "E" (exempt).
    SELLER_VAT_CATEGORY = os.environ.get("EVENTSYS_SELLER_VAT_CATEGORY", "O")

    BABEL_DEFAULT_LOCALE = "nb"
    BABEL_DEFAULT_TIMEZONE = EVENTSYS_TIMEZONE
    LANGUAGES = {"nb": "Norsk bokmål", "en": "English"}

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = 8 * 3600

    # argon2id, RFC 9106 "second recommended" profile (64 MiB, 3 passes, 4 lanes).
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_COST = 64 * 1024
    PASSWORD_HASH_PARALLELISM = 4

    # Dietary and accessibility needs are deleted this many days after an event ends.
    NEEDS_RETENTION_DAYS = _int("EVENTSYS_NEEDS_RETENTION_DAYS", 30)
    # Uploaded files (the resource bank): bytes kept by the storage named here
    # ("database": in the database, seen by every host).
    FILE_STORAGE = os.environ.get("EVENTSYS_FILE_STORAGE", "database")

    # Sent e-mails (their text) are kept this long, then deleted.
    SENT_MAIL_RETENTION_DAYS = _int("EVENTSYS_SENT_MAIL_RETENTION_DAYS", 90)

    # Request bodies: the upload limit (forms with files) for everything, and a lower
    # one for JSON (the API) and webhooks. Larger requests are answered 413 unread.
    # One file may be EVENTSYS_MAX_UPLOAD_MB (25, the resource bank's limit); the form
    # around it gets a megabyte more.
    UPLOAD_MAX_BYTES = _int("EVENTSYS_MAX_UPLOAD_MB", 25) * 1024 * 1024
    MAX_CONTENT_LENGTH = UPLOAD_MAX_BYTES + 1024 * 1024
    MAX_JSON_BYTES = _int("EVENTSYS_MAX_JSON_BYTES", 1024 * 1024)

    # Rate limits (Flask-Limiter syntax; counted in the database, shared by every
    # worker and host). Login attempts per address and per IP; mails (sign-up, password
    # reset, verification, e-mail change) per address and per IP; the API per token.
    RATELIMIT_ENABLED = _bool("EVENTSYS_RATELIMIT_ENABLED", True)
    RATELIMIT_LOGIN_PER_ADDRESS = os.environ.get(
        "EVENTSYS_RATELIMIT_LOGIN_PER_ADDRESS", "10 per 15 minutes; 50 per day"
    )
    RATELIMIT_LOGIN_PER_IP = os.environ.get(
        "EVENTSYS_RATELIMIT_LOGIN_PER_IP", "30 per minute; 300 per day"
    )
    RATELIMIT_MAIL_PER_ADDRESS = os.environ.get(
        "EVENTSYS_RATELIMIT_MAIL_PER_ADDRESS", "3 per 15 minutes; 10 per day"
    )
    RATELIMIT_MAIL_PER_IP = os.environ.get("EVENTSYS_RATELIMIT_MAIL_PER_IP", "20 per hour")
    RATELIMIT_API = os.environ.get("EVENTSYS_RATELIMIT_API", "300 per minute")
    # Proxies in front of the app (nginx: 1) whose X-Forwarded-For is trusted, so rate
    # limits see the client's address and not the proxy's.
    TRUSTED_PROXIES = _int("EVENTSYS_TRUSTED_PROXIES", 0)

    # A login session ends on the server after this many days (or at logout).
    SESSION_MAX_AGE_DAYS = _int("EVENTSYS_SESSION_DAYS", 14)

    VERIFY_TOKEN_MAX_AGE = 3 * 24 * 3600
    RESET_TOKEN_MAX_AGE = 2 * 3600

    # How long a writer waits for a lock before the request answers 503 (milliseconds):
    # PostgreSQL's lock_timeout for row locks, SQLite's busy timeout for the database.
    LOCK_TIMEOUT_MS = _int("EVENTSYS_LOCK_TIMEOUT_MS", 15_000)
    SQLITE_BUSY_TIMEOUT_MS = _int("EVENTSYS_LOCK_TIMEOUT_MS", 30_000)


# A made-up seller for the demo and the tests (valid check digits, not a real entity).
DEMO_SELLER = {
    "SELLER_ADDRESS": "Postboks 7800\n5020 Bergen",
    "SELLER_ORG_NUMBER": "999999999",
    "SELLER_BANK_ACCOUNT": "12345678903",
    "SELLER_EMAIL": "okonomi@kompetansenettverk.no",
}


class DevelopmentConfig(Config):
    def __init__(self) -> None:
        for name, value in DEMO_SELLER.items():
            if not getattr(self, name):
                setattr(self, name, value)
        if not self.SECRET_KEY:
            self.SECRET_KEY = _development_secret_key()


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    def __init__(self) -> None:
        if not self.SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set in production")


class TestConfig(Config):
    TESTING = True
    SELLER_ADDRESS = DEMO_SELLER["SELLER_ADDRESS"]
    SELLER_ORG_NUMBER = DEMO_SELLER["SELLER_ORG_NUMBER"]
    SELLER_BANK_ACCOUNT = DEMO_SELLER["SELLER_BANK_ACCOUNT"]
    SELLER_EMAIL = DEMO_SELLER["SELLER_EMAIL"]
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "TEST_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'test.sqlite'}"
    )
    EVENTSYS_BASE_URL = "http://localhost"
    MAIL_SERVER = None
    STRIPE_SECRET_KEY = None
    STRIPE_WEBHOOK_SECRET = None
    STRIPE_API_BASE = None
    # Cheap hashing keeps the suite fast; a test checks the production parameters.
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 1024
    PASSWORD_HASH_PARALLELISM = 1
    SQLITE_BUSY_TIMEOUT_MS = 30_000
    # The suite logs in hundreds of times from one address; the rate-limit tests
    # switch the limits on in an app of their own.
    RATELIMIT_ENABLED = _bool("EVENTSYS_RATELIMIT_ENABLED", False)
    # Test-only: switch the seat lock off to show that the concurrency test catches
    # the race (never honoured outside TestConfig).
    EVENTSYS_DISABLE_LOCKING = _bool("EVENTSYS_DISABLE_LOCKING")


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestConfig,
}


def config_from_env():
    name = os.environ.get("EVENTSYS_CONFIG", "development")
    try:
        cls = CONFIGS[name]
    except KeyError as exc:
        raise RuntimeError(f"EVENTSYS_CONFIG must be one of {sorted(CONFIGS)}") from exc
    return cls()
