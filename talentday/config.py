"""Defaults only; secrets and local settings come from instance/config.py or TALENTDAY_* vars."""

from datetime import timedelta

# A placeholder that create_app() refuses outside development and testing.
INSECURE_SECRET_KEY = "dev"


class DefaultConfig:
    SECRET_KEY = INSECURE_SECRET_KEY
    # Werkzeug's memory-hard default; tests set a cheap method to stay fast.
    PASSWORD_HASH_METHOD = "scrypt"
    # None means "SQLite in the instance folder"; create_app() fills in the path.
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Seconds SQLite waits for a lock held by another writer before giving up.
    SQLITE_BUSY_TIMEOUT_MS = 5000

    # The city's time zone: dates are stored in UTC and shown in this zone.
    TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("en", "zh_Hans")
    BABEL_DEFAULT_LOCALE = "en"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False

    # Strict-Transport-Security on responses served over HTTPS (0 turns it off). HSTS_ALWAYS
    # sends it on every response: set it when TLS ends at a proxy and the app sees plain HTTP.
    HSTS_MAX_AGE = 31_536_000
    HSTS_ALWAYS = False

    # The largest request accepted, uploads included (a 413 page above it): an import of
    # 1,000 rows is well under 1 MB. TALENTDAY_MAX_CONTENT_LENGTH changes it.
    MAX_CONTENT_LENGTH = 4 * 1024 * 1024

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session: long forms on phones

    BOOTSTRAP_SERVE_LOCAL = True  # works with no internet, no CDN

    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins allowed per client address and per account before a pause is imposed.
    SIGN_IN_LIMITS = "5 per minute; 30 per hour"
    # Registration posts and private-link requests per client address: generous for an
    # office behind one address, a brake on scripts guessing links or flooding the outbox.
    REGISTRATION_LIMITS = "30 per hour"
    PRIVATE_LINK_LIMITS = "60 per minute"

    # Outgoing mail. Without MAIL_SERVER every message is only kept in the outbox.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_SENDER = "TalentDay <talentday@localhost>"
    MAIL_TIMEOUT = 10
    # Send new messages right after the response instead of waiting for `flask send-mail`.
    MAIL_SEND_AFTER_REQUEST = False
    # The address speakers' private links start with; by default, the address of the request.
    PUBLIC_BASE_URL: str | None = None

    USERS_PER_PAGE = 25
    UNITS_PER_PAGE = 25
