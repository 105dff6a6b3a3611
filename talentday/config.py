"""Defaults only; secrets and local settings come from instance/config.py or TALENTDAY_* vars."""

from datetime import timedelta

# A placeholder that create_app() refuses outside development and testing.
INSECURE_SECRET_KEY = "dev"  # nosec B105
# Where `flask run` serves in development; links point here when no address is configured.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"


class DefaultConfig:
    SECRET_KEY = INSECURE_SECRET_KEY
    # Werkzeug's memory-hard default; tests set a cheap method to stay fast.
    PASSWORD_HASH_METHOD = "scrypt"  # nosec B105
    # Words a targeted attacker tries first: the service and the city (ASVS 6.2.11).
    # The person's own name and email are added for each password.
    PASSWORD_CONTEXT_WORDS = ("talentday", "talent day", "huaian", "huai'an", "淮安")
    # None means "SQLite in the instance folder"; create_app() fills in the path.
    DATABASE_URL: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Seconds SQLite waits for a lock held by another writer before giving up.
    SQLITE_BUSY_TIMEOUT_MS = 5000

    # The city's time zone: dates are stored in UTC and shown in this zone.
    TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("en", "zh_Hans")
    # The language of a visitor whose browser asks for neither, of emails to people who have
    # none yet, and of the command line: TALENTDAY_DEFAULT_LOCALE=zh_Hans in a Chinese city.
    DEFAULT_LOCALE = "en"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    # A signed-in session ends after this long without a request, and this long after signing
    # in whatever the use; "keep me signed in" skips the idle limit but not its 14 days.
    SESSION_IDLE_MINUTES = 120
    SESSION_LIFETIME_HOURS = 12
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

    # Short caches in each worker (talentday/caching.py; 0 turns one off): the dashboard's
    # figures, and a salon's public page for visitors who are not signed in.
    FIGURES_CACHE_SECONDS = 60
    VISITOR_PAGE_CACHE_SECONDS = 30

    # Said outright: Flask-Limiter's one extension object would otherwise carry the last
    # application's choice over to the next one made in the same process.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    # Proxies in front of gunicorn (nginx: 1) whose X-Forwarded-For and X-Forwarded-Proto are
    # believed. 0 believes none: a client could otherwise claim any address to the limits.
    PROXY_COUNT = 0
    RATELIMIT_HEADERS_ENABLED = True
    # Failed sign-ins allowed per client address before it is refused (429) for a while.
    SIGN_IN_LIMITS = "5 per minute; 30 per hour"
    # Failures against one account (from any address, 15 minutes) before each further
    # attempt on it waits, 0.5 s doubling up to the cap: slower guessing, never a lockout.
    SIGN_IN_FREE_FAILURES = 5
    SIGN_IN_MAX_DELAY_SECONDS = 3.0
    # Registration posts and private-link requests per client address: generous for an
    # office behind one address, a brake on scripts guessing links or flooding the outbox.
    REGISTRATION_LIMITS = "30 per hour"
    # Every API request, counted per token (per address without one): a runaway office
    # system slows itself down, not the city's pages.
    API_LIMITS = "300 per minute; 10000 per hour"
    PRIVATE_LINK_LIMITS = "60 per minute"
    # A speaker who opened their private link stays on their registration's pages until
    # idle this long; then they open the link from their email again.
    PRIVATE_LINK_IDLE_MINUTES = 120
    # A link sent by email on request (a registration form posted again, "Send me my link
    # again", "Forgot your password?") goes to one address at most once in this many
    # minutes: further requests get the same answer and send nothing.
    LINK_RESEND_MINUTES = 10
    # "Send me my link again" and "Forgot your password?" posts per client address: each one
    # that names a known address queues a message.
    LINK_REQUEST_LIMITS = "5 per minute; 20 per hour"
    PASSWORD_RESET_LIMITS = "5 per minute; 20 per hour"  # nosec B105
    # A password reset link works once, for this long after the message is sent; a message
    # that waited longer than this in the outbox is not sent at all (asked for too long ago).
    PASSWORD_RESET_MINUTES = 60

    # Outgoing mail. Without MAIL_SERVER every message is only kept in the outbox.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_SENDER = "TalentDay <talentday@localhost>"
    MAIL_TIMEOUT = 10
    # Group robots (outbox.robots): the only hosts a unit's webhook may point at, so that an
    # admin's typing cannot make the server post to an internal address; https only unless
    # ROBOT_WEBHOOK_ALLOW_HTTP (tests' local receiver).
    ROBOT_WEBHOOK_HOSTS = ["qyapi.weixin.qq.com", "oapi.dingtalk.com"]
    ROBOT_WEBHOOK_ALLOW_HTTP = False
    ROBOT_TIMEOUT = 10
    # Webhooks for office systems (talentday.webhooks): off in a deployment that wants none.
    # Deliveries go to public addresses over https only; a test's receiver on this machine
    # needs both ALLOW settings.
    WEBHOOKS_ENABLED = True
    WEBHOOK_ALLOW_HTTP = False
    WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    WEBHOOK_TIMEOUT = 10
    # Send new messages right after the response instead of waiting for `flask send-mail`.
    MAIL_SEND_AFTER_REQUEST = False
    # The address every link in an email or a file starts with, such as
    # https://talentday.example.gov.cn. Required outside development: a link is never built
    # from the Host header of a request, which the sender of the request chooses.
    PUBLIC_BASE_URL: str | None = None
    # Host names this site answers to (Flask refuses others with 400). By default only the
    # host of PUBLIC_BASE_URL; add others, such as an intranet name, as a list.
    TRUSTED_HOSTS: list[str] | None = None

    # Speakers' personal data is kept this many days after the end of their last event;
    # `flask anonymise-old` (run it from cron) then erases it. Three years, a leap day included.
    PERSONAL_DATA_RETENTION_DAYS = 3 * 365 + 1

    # `flask remind` reminds each approved speaker this many days before their event (time,
    # venue, their slot), and asks once those who have not said whether they will come,
    # this many days after they were approved.
    # A new event's follow-up period: so many working days (the State Council's calendar),
    # or calendar days when FOLLOW_UP_IN_WORKING_DAYS is false. Each event may change it.
    FOLLOW_UP_DAYS = 20
    FOLLOW_UP_IN_WORKING_DAYS = True
    # Extensions (延期) an item may be granted: so many, adding so many calendar days in all.
    EXTENSION_MAX_COUNT = 2
    EXTENSION_MAX_DAYS = 60
    # The contact record (联系记录): with True, the lead unit's result is refused until it has
    # recorded how it reached the speaker (meeting, phone or in writing). Either way the
    # report counts the results given without a recorded contact.
    CONTACT_BEFORE_RESULT = False
    # Files attached to progress notes and results (the signed reply letter, photos,
    # spreadsheets): at most so many per note, each at most so large. Kept in a folder
    # (ATTACHMENT_FOLDER, by default instance/attachments) or, with ATTACHMENT_STORAGE = "s3",
    # in the bucket ATTACHMENT_S3_BUCKET of an S3-compatible store (ATTACHMENT_S3_ENDPOINT_URL
    # for one that is not AWS; credentials from boto3's environment variables).
    ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
    ATTACHMENT_MAX_FILES = 5
    ATTACHMENT_STORAGE = "folder"
    ATTACHMENT_FOLDER: str | None = None
    ATTACHMENT_S3_BUCKET: str | None = None
    ATTACHMENT_S3_ENDPOINT_URL: str | None = None
    ATTACHMENT_S3_REGION: str | None = None
    # Imported ledgers wait here between preview and confirmation, a day at most
    # (by default instance/imports).
    IMPORT_FOLDER: str | None = None

    SPEAKER_REMINDER_DAYS = 2
    ATTENDANCE_CHASE_AFTER_DAYS = 3

    USERS_PER_PAGE = 25
    AUDIT_PER_PAGE = 50
    UNITS_PER_PAGE = 25
