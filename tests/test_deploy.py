"""Several app servers (docs/deploy.md): the rate limits' storage comes from the environment
(TALENTDAY_RATELIMIT_STORAGE_URI), memory:// in tests and Redis when one is at hand."""

import shutil
import socket
import subprocess
import time

import pytest
from flask import request

from talentday import access, auth, create_app
from talentday.extensions import db, limiter
from tests.conftest import empty_all_tables, sign_in


@pytest.fixture
def app_from_environment(database_url, tmp_path, monkeypatch):
    """The application as gunicorn builds it: no test config, everything from TALENTDAY_*."""
    built = []

    def build(storage: str):
        settings = {
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": "deploy-test",
            "PUBLIC_BASE_URL": "http://localhost",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "RATELIMIT_STORAGE_URI": storage,
            "SIGN_IN_LIMITS": "3 per minute",
        }
        for name, value in settings.items():
            monkeypatch.setenv(f"TALENTDAY_{name}", value)
        monkeypatch.setattr(auth.throttle, "pause", lambda seconds: None)
        built.append(create_app())
        return built[-1]

    yield build
    for app in built:
        with app.app_context():
            empty_all_tables()  # the refused sign-ins are in the audit log
            db.engine.dispose()


def refused_after_failures(app) -> list[int]:
    client = app.test_client()
    return [sign_in(client, "nobody@example.com", "wrong password").status_code for _ in range(4)]


def test_the_limits_storage_comes_from_the_environment(app_from_environment):
    app = app_from_environment("memory://")
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert type(limiter.storage).__name__ == "MemoryStorage"
    assert refused_after_failures(app)[-1] == 429


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url():
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed (Debian package redis-server)")
    redis = pytest.importorskip(
        "redis", reason="the redis extra is not installed: pip install -e '.[redis]'"
    )
    port = _free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(100):
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_two_servers_share_their_counts_in_redis(app_from_environment, redis_url):
    import redis

    first = app_from_environment(redis_url)
    assert type(limiter.storage).__name__ == "RedisStorage"
    assert refused_after_failures(first)[:3] == [200, 200, 200]
    # A second server (its own application and connection) sees the first one's count.
    second = app_from_environment(redis_url)
    assert refused_after_failures(second)[0] == 429
    assert redis.Redis.from_url(redis_url).dbsize() > 0


@pytest.mark.parametrize(("proxies", "seen"), [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_the_clients_address_behind_one_proxy(app_from_environment, monkeypatch, proxies, seen):
    monkeypatch.setenv("TALENTDAY_PROXY_COUNT", str(proxies))
    app = app_from_environment("memory://")
    environ = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.1, 203.0.113.9"}
    addresses = []

    @app.get("/probe-address", endpoint="probe-address")
    def probe():
        addresses.append(request.remote_addr)
        return ""

    access.ROUTES["probe-address"] = access.Audience.EVERYONE
    try:
        app.test_client().get("/probe-address", environ_base=environ)
    finally:
        del access.ROUTES["probe-address"]
    # Only the address the one trusted proxy saw; never one the client wrote itself.
    assert addresses == [seen]
