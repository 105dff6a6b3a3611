"""`flask backup PATH`: a consistent, checked copy of a live SQLite database that restores."""

import sqlite3

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from talentday import create_app
from talentday.auth.models import User
from talentday.demo.data import DEMO_PASSWORD
from talentday.events.models import Event
from talentday.extensions import db
from talentday.followup.models import FollowUpItem
from talentday.registrations.models import Registration, Speaker
from tests.conftest import app_config, migrate_to_head, sign_in

COUNTED = (User, Event, Speaker, Registration, FollowUpItem)


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in COUNTED
    }


def head_revision(app) -> str:
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        return ScriptDirectory.from_config(config).get_current_head()


def sqlite_app(tmp_path, name="live.sqlite3"):
    url = f"sqlite:///{tmp_path / name}"
    migrate_to_head(url)
    return create_app(app_config(url))


def test_backup_copies_a_live_database_checks_it_and_the_copy_restores(tmp_path):
    live = sqlite_app(tmp_path)
    runner = live.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    with live.app_context():
        before = counts()
        db.engine.dispose()
    # A writer is in the middle of a transaction while the copy is taken: the copy holds
    # only what was committed, and the writer is not disturbed.
    writer = sqlite3.connect(tmp_path / "live.sqlite3")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE speaker SET name = 'half-written'")
    copy = tmp_path / "copy.sqlite3"

    result = runner.invoke(args=["backup", str(copy)])

    writer.rollback()
    writer.close()
    assert result.exit_code == 0, result.output
    assert "integrity check: ok" in result.output
    assert f"revision {head_revision(live)}, the current one" in result.output
    restored = create_app(app_config(f"sqlite:///{copy}"))
    with restored.app_context():
        assert counts() == before
        assert before["FollowUpItem"] > 0
        assert (
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(Speaker)
                .where(Speaker.name == "half-written")
            )
            == 0
        )
        db.engine.dispose()
    client = restored.test_client()
    assert sign_in(client, "organizer@example.com", DEMO_PASSWORD).status_code == 302
    with live.app_context():
        db.engine.dispose()
    with restored.app_context():
        db.engine.dispose()


def test_backup_refuses_to_overwrite_a_file(tmp_path):
    live = sqlite_app(tmp_path)
    existing = tmp_path / "existing.sqlite3"
    existing.write_text("yesterday's backup")

    result = live.test_cli_runner().invoke(args=["backup", str(existing)])

    assert result.exit_code != 0
    assert "already exists" in result.output
    assert existing.read_text() == "yesterday's backup"
    with live.app_context():
        db.engine.dispose()


def test_backup_says_so_when_the_copy_fails_its_check(tmp_path, monkeypatch):
    from talentday import backup

    live = sqlite_app(tmp_path)
    monkeypatch.setattr(backup, "_integrity", lambda connection: "row 7 missing from index")
    copy = tmp_path / "copy.sqlite3"

    result = live.test_cli_runner().invoke(args=["backup", str(copy)])

    assert result.exit_code != 0
    assert "row 7 missing from index" in result.output
    assert not copy.exists(), "a copy that failed its check is not left looking like a backup"
    with live.app_context():
        db.engine.dispose()


def test_backup_of_postgresql_refuses_and_gives_the_pg_dump_command(tmp_path):
    app = create_app(app_config("postgresql+psycopg://talentday:s3cret@db-host:5433/talentday"))

    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.dump")])

    assert result.exit_code != 0
    assert "pg_dump" in result.output
    assert "-h db-host -p 5433 -U talentday" in result.output and "talentday" in result.output
    assert "s3cret" not in result.output, "the password is never printed"
    assert not (tmp_path / "x.dump").exists()
