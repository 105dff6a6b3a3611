import sqlite3

import pytest

from talentday import ConfigurationError, create_app
from talentday.extensions import db


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """A clean instance folder and no TALENTDAY_* variables from the machine."""
    for name in list(__import__("os").environ):
        if name.startswith("TALENTDAY_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("TALENTDAY_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("TALENTDAY_PUBLIC_BASE_URL", "https://talentday.example.gov.cn")
    return tmp_path


def test_refuses_to_start_without_a_secret_key(instance):
    with pytest.raises(ConfigurationError, match="TALENTDAY_SECRET_KEY"):
        create_app()


def test_refuses_the_placeholder_secret_key(instance, monkeypatch):
    monkeypatch.setenv("TALENTDAY_SECRET_KEY", "dev")
    with pytest.raises(ConfigurationError):
        create_app()


def test_secret_key_from_the_environment(instance, monkeypatch):
    monkeypatch.setenv("TALENTDAY_SECRET_KEY", "s3cret-from-env")
    assert create_app().config["SECRET_KEY"] == "s3cret-from-env"


def test_instance_config_then_environment(instance, monkeypatch):
    (instance / "config.py").write_text(
        "SECRET_KEY = 'from-instance'\nTIMEZONE = 'Asia/Urumqi'\n", encoding="utf-8"
    )
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-instance"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Urumqi"

    monkeypatch.setenv("TALENTDAY_SECRET_KEY", "from-env")
    monkeypatch.setenv("TALENTDAY_DATABASE_URL", f"sqlite:///{instance / 'other.db'}")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("other.db")


def test_default_database_is_sqlite_in_the_instance_folder_with_safe_settings(
    instance, monkeypatch
):
    monkeypatch.setenv("TALENTDAY_SECRET_KEY", "x" * 32)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (f"sqlite:///{instance / 'talentday.sqlite3'}")
    with app.app_context():
        connection = db.session.connection().connection.dbapi_connection
        assert isinstance(connection, sqlite3.Connection)
        assert connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert connection.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        db.session.remove()
        db.engine.dispose()


def test_development_may_use_the_placeholder_key(instance):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.testing


def test_refuses_to_start_without_its_public_address(instance, monkeypatch):
    monkeypatch.setenv("TALENTDAY_SECRET_KEY", "x" * 32)
    monkeypatch.delenv("TALENTDAY_PUBLIC_BASE_URL")
    with pytest.raises(ConfigurationError, match="TALENTDAY_PUBLIC_BASE_URL"):
        create_app()


@pytest.mark.parametrize("address", ["talentday.example.gov.cn", "ftp://x.cn", "https://"])
def test_refuses_a_public_address_that_is_not_a_web_address(instance, monkeypatch, address):
    monkeypatch.setenv("TALENTDAY_SECRET_KEY", "x" * 32)
    monkeypatch.setenv("TALENTDAY_PUBLIC_BASE_URL", address)
    with pytest.raises(ConfigurationError, match="PUBLIC_BASE_URL"):
        create_app()


def test_the_public_address_decides_the_trusted_host_and_secure_cookies(instance, monkeypatch):
    monkeypatch.setenv("TALENTDAY_SECRET_KEY", "x" * 32)
    app = create_app()
    assert app.config["TRUSTED_HOSTS"] == ["talentday.example.gov.cn"]
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]

    monkeypatch.setenv("TALENTDAY_TRUSTED_HOSTS", '["talentday.example.gov.cn", "td.intra"]')
    assert create_app().config["TRUSTED_HOSTS"] == ["talentday.example.gov.cn", "td.intra"]
