"""Sign-in throttling that an attacker cannot turn against an account's owner.

Flask-Limiter keeps a hard limit per client address (see auth.views). Failures against one
account from anywhere only slow that account's next attempts, with a growing delay that is
capped at a few seconds: the owner, typing the right password, always gets in. The counts
live in the limiter's storage, shared by every worker when that is Redis.
"""

import hashlib
import logging
import time

from flask import current_app

from talentday.database import utcnow
from talentday.extensions import limiter

logger = logging.getLogger(__name__)

# Replaced in tests, which record the delays instead of waiting them out.
pause = time.sleep

# Failures against an account are forgotten this long after the first of them.
FAILURE_WINDOW_SECONDS = 15 * 60


def sign_in_delay(failures: int, *, free: int, cap: float) -> float:
    """Seconds to wait before checking a password for an account with this many recent
    failures: nothing for the first `free`, then 0.5 s doubling each time, at most `cap`."""
    if failures < free:
        return 0
    return min(0.5 * 2 ** (failures - free), cap)


def _key(account: str) -> str:
    # A digest keeps odd or very long typed emails out of the storage's key space.
    return "talentday/sign-in-failures/" + hashlib.sha256(account.encode()).hexdigest()


def _storage():
    """The limiter's storage, or None when rate limiting is turned off (RATELIMIT_ENABLED):
    Flask-Limiter then sets none up, and the account throttle is off with it."""
    return limiter.storage if limiter.enabled else None


def wait_for_account(account: str) -> None:
    config = current_app.config
    storage = _storage()
    if storage is None:
        return
    failures = storage.get(_key(account))
    pause(
        sign_in_delay(
            failures,
            free=config["SIGN_IN_FREE_FAILURES"],
            cap=config["SIGN_IN_MAX_DELAY_SECONDS"],
        )
    )


def count_failure(account: str) -> None:
    if (storage := _storage()) is not None:
        storage.incr(_key(account), FAILURE_WINDOW_SECONDS)


def clear_failures(account: str) -> None:
    if (storage := _storage()) is not None:
        storage.clear(_key(account))


def log_refused(account: str, remote_addr: str) -> None:
    """A sign-in refused by the per-address limit goes on the application log; not on the
    audit trail, where a flood would mean a database write per refused request."""
    logger.warning(
        "Sign-in refused at %s, too many failures from %s, for account %r",
        utcnow().isoformat(),
        remote_addr,
        account,
    )


def per_worker_counts_warning(config, workers: int) -> str | None:
    """Why the throttling is weaker than configured, when several worker processes each
    count in their own memory: an attacker gets the limit once per worker."""
    storage = str(config.get("RATELIMIT_STORAGE_URI", "memory://"))
    if workers > 1 and storage.startswith("memory"):
        return (
            f"{workers} workers each keep their own rate-limit counts in memory (sign-in, "
            "password reset, registration, private links, link requests, the API), so every "
            "limit allows that many times more requests than configured: set "
            "TALENTDAY_RATELIMIT_STORAGE_URI to a shared storage such as redis://host:6379/0"
        )
    return None
