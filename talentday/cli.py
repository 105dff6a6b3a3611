"""Command-line tasks: thin wrappers around the services."""

from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import with_appcontext

from talentday.auth.models import Role
from talentday.auth.services import AccountError, create_user
from talentday.extensions import db
from talentday.units.models import ResponsibleUnit


@click.command("create-user")
@click.option("--email", prompt=True, help="Sign-in email address.")
@click.option("--name", prompt=True, help="Full name.")
@click.option(
    "--role",
    type=click.Choice([role.value for role in Role]),
    default=Role.ADMIN.value,
    show_default=True,
)
@click.option("--unit", "unit_name", default=None, help="Responsible unit name (staff only).")
@click.password_option(
    help="At least 10 characters; not a common password, nor built from the name or email."
)
@with_appcontext
def create_user_command(email, name, role, unit_name, password):
    """Create an account, for example the first admin."""
    unit = None
    if unit_name:
        unit = db.session.scalar(
            db.select(ResponsibleUnit).where(ResponsibleUnit.name == unit_name)
        )
        if unit is None:
            raise click.ClickException(f"No responsible unit is named {unit_name!r}.")
    try:
        user = create_user(email=email, name=name, password=password, role=Role(role), unit=unit)
    except AccountError as error:
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    click.echo(f"Created {user.role.value} account {user.email}.")


@click.command("demo")
@click.option(
    "--skip-if-real-data",
    is_flag=True,
    help="On a database with real data, say so and succeed without loading (for make run).",
)
@with_appcontext
def demo_command(skip_if_real_data):
    """Load the demo: the 24th Talent Salon, its speakers, suggestions and accounts.
    Refuses on a database holding real data (any account, event or speaker it did not create)."""
    from talentday.demo.services import DEMO_PASSWORD, DemoRefused, load_demo

    try:
        summary = load_demo()
    except DemoRefused as refused:
        db.session.rollback()
        if skip_if_real_data:
            click.echo(f"Demo not loaded: {refused.message}")
            return
        raise click.ClickException(str(refused.message)) from refused
    db.session.commit()
    if summary.created:
        click.echo("Loaded the demo: the 24th Talent Salon, its speakers and suggestions.")
    else:
        click.echo("The demo is already loaded; nothing changed.")
    click.echo(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
    for role, email in summary.accounts:
        click.echo(f"  {role:<18} {email}")


@click.command("send-mail")
@click.option("--limit", default=500, show_default=True, help="At most this many messages.")
@with_appcontext
def send_mail_command(limit):
    """Send the outbox's queued and failed messages: emails through SMTP, group robot
    messages to their webhooks (those go even without SMTP). Safe to run often."""
    from talentday.outbox.services import pending_messages, send_pending, smtp_configured
    from talentday.webhooks.services import deliver_pending

    sent, failed = send_pending(limit)
    delivered, undelivered = deliver_pending(limit)
    if delivered or undelivered:
        click.echo(
            f"Webhooks: {delivered} deliveries made; {undelivered} failed and wait for a later run."
        )
    if not smtp_configured():
        waiting = len(pending_messages(limit))
        click.echo(
            f"SMTP is not configured (MAIL_SERVER); sent {sent} group robot messages, "
            f"{failed} failed; {waiting} messages stay in the outbox."
        )
        if failed:
            raise SystemExit(1)
        return
    click.echo(f"Sent {sent} messages; {failed} failed and stay queued for the next run.")
    if failed:
        raise SystemExit(1)


@click.command("remind")
@with_appcontext
def remind_command():
    """Queue each unit's digest and the organizers' summary; flag newly overdue items; tell
    the leaders and organizers of key items gone overdue; bring back the answers whose
    promised date passed; remind speakers of their coming event and
    ask those who have not said if they will come. Meant for cron; running it again the same
    day sends nothing twice."""
    from talentday.database import utcnow
    from talentday.followup.reminders import remind
    from talentday.i18n import city_today
    from talentday.registrations.reminders import remind_speakers

    run = remind(city_today())
    speakers = remind_speakers(utcnow())
    db.session.commit()
    click.echo(
        f"Flagged {len(run.flagged)} newly overdue items; queued {run.digests} unit digests "
        f"and {run.summaries} organizer summaries; reminded {speakers.reminders} speakers "
        f"of their event and asked {speakers.chases} whether they will come; "
        f"{len(run.promises_due)} promised dates passed and their speakers were asked; "
        f"{len(run.escalated)} key items went overdue and {run.escalations} leaders and "
        f"organizers were told."
    )


@click.command("anonymise-old")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Retention period in days (default: the PERSONAL_DATA_RETENTION_DAYS setting).",
)
@click.option("--dry-run", is_flag=True, help="Only count the speakers who would be anonymised.")
@with_appcontext
def anonymise_old_command(days, dry_run):
    """Erase the personal data of speakers whose events all ended before the retention
    period; their suggestions and the answers stay. Delete the import uploads nobody
    confirmed within a day. Meant for a daily cron job; safe to run again."""
    from talentday.followup import imports
    from talentday.registrations import privacy

    days = days or current_app.config["PERSONAL_DATA_RETENTION_DAYS"]
    folder = imports.upload_folder()
    if dry_run:
        due = privacy.speakers_past_retention(privacy.retention_cutoff(days))
        uploads = len(imports.stale_uploads(folder))
        click.echo(
            f"{len(due)} speaker(s) are past the {days}-day period and {uploads} import "
            "upload(s) were left unconfirmed for more than a day; nothing changed."
        )
        return
    run = privacy.anonymise_old(days)
    db.session.commit()
    uploads = imports.remove_stale_uploads(folder)
    count = len(run.speakers)
    click.echo(
        f"Anonymised {count} speaker{'' if count == 1 else 's'} whose events ended more than "
        f"{days} days ago; erased {run.names} typed name(s) and "
        f"{run.addresses} old network address(es) in the audit log; deleted {uploads} import "
        "upload(s) left unconfirmed for more than a day."
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path):
    """Copy the live SQLite database to PATH and check the copy.
    For PostgreSQL it refuses and prints the pg_dump command to use instead."""
    from talentday.backup import BackupError, backup_sqlite, pg_dump_command

    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            f"flask backup copies SQLite databases only; this one is {url.get_backend_name()}. "
            f"Use pg_dump instead (see README, Backups):\n  {pg_dump_command(url, path)}"
        )
    if not url.database or url.database == ":memory:":
        raise click.ClickException("An in-memory database cannot be backed up.")
    try:
        report = backup_sqlite(Path(url.database), Path(path))
    except BackupError as error:
        raise click.ClickException(str(error.message)) from error
    config = current_app.extensions["migrate"].migrate.get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    where = (
        "the current one"
        if report.revision == head
        else f"not the code's {head}: run flask db upgrade after restoring"
    )
    click.echo(
        f"Backed up {report.source} to {report.copy} ({report.size:,} bytes); "
        f"integrity check: {report.integrity}; it opens at Alembic revision "
        f"{report.revision}, {where}."
    )


@click.command("bench-data")
@click.option(
    "--scale",
    type=click.FloatRange(min=0, min_open=True),
    default=1.0,
    show_default=True,
    help="1 is a province: 200,000 follow-up items.",
)
@click.option("--seed", type=int, default=2026, show_default=True, help="Same seed, same data.")
@click.option("--force", is_flag=True, help="Add the data even though the database holds events.")
@with_appcontext
def bench_data_command(scale, seed, force):
    """Fill an empty database with made-up data to measure the pages with (make bench).
    Never on a database with real data: it refuses when any event exists, unless --force."""
    from talentday.benchdata import BENCH_PASSWORD, BenchDataRefused, generate

    click.echo(f"Writing bench data at scale {scale:g} (seed {seed}) to {db.engine.url!r}...")
    try:
        summary = generate(scale, seed, force=force, echo=click.echo)
    except BenchDataRefused as refused:
        raise click.ClickException(str(refused)) from refused
    for table, count in summary.counts.items():
        click.echo(f"  {table:<24} {count:>10,}")
    click.echo(
        f"Done in {summary.seconds:.1f} s. The busiest unit: {summary.busiest_unit}; "
        f"the event with the long review queue: /events/{summary.big_event_id}."
    )
    click.echo(f"Sign-ins (password for all: {BENCH_PASSWORD}):")
    for role, email in summary.accounts:
        click.echo(f"  {role:<18} {email}")


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(remind_command)
    app.cli.add_command(anonymise_old_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(bench_data_command)
