"""Command-line tasks: thin wrappers around the services."""

import click
from flask import Flask
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
@with_appcontext
def demo_command():
    """Load the demo: the 24th Talent Salon, its speakers, suggestions and accounts."""
    from talentday.demo.services import DEMO_PASSWORD, load_demo

    summary = load_demo()
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
    """Send the outbox's queued and failed messages through SMTP (safe to run often)."""
    from talentday.outbox.services import pending_messages, send_pending, smtp_configured

    if not smtp_configured():
        waiting = len(pending_messages(limit))
        click.echo(f"SMTP is not configured (MAIL_SERVER); {waiting} messages stay in the outbox.")
        return
    sent, failed = send_pending(limit)
    click.echo(f"Sent {sent} messages; {failed} failed and stay queued for the next run.")
    if failed:
        raise SystemExit(1)


@click.command("remind")
@with_appcontext
def remind_command():
    """Queue each unit's digest and the organizers' summary; flag newly overdue items.
    Meant for cron; running it again the same day sends nothing twice."""
    from talentday.followup.reminders import remind
    from talentday.i18n import city_today

    run = remind(city_today())
    db.session.commit()
    click.echo(
        f"Flagged {len(run.flagged)} newly overdue items; queued {run.digests} unit digests "
        f"and {run.summaries} organizer summaries."
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(send_mail_command)
    app.cli.add_command(remind_command)
