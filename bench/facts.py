"""The ids and counts `make bench` needs, read from the generated database as JSON: run with
the app's environment (TALENTDAY_DATABASE_URL or TALENTDAY_INSTANCE_PATH)."""

import json

import sqlalchemy as sa

from talentday import create_app
from talentday.auth.models import User
from talentday.events.models import Event, EventState
from talentday.extensions import db
from talentday.followup.models import Category, FollowUpItem, TimelineEntry
from talentday.registrations.models import Registration, RegistrationState


def count(statement) -> int:
    return db.session.scalar(statement) or 0


def main() -> None:
    with create_app().app_context():
        busy = db.session.scalar(
            sa.select(User.unit_id).where(User.email == "staff-busiest@bench.example")
        )
        waiting = sa.func.count().label("waiting")
        big_event, queue = db.session.execute(
            sa.select(Registration.event_id, waiting)
            .join(Event, Event.id == Registration.event_id)
            .where(
                Event.state == EventState.PUBLISHED,
                Registration.state == RegistrationState.SUBMITTED,
            )
            .group_by(Registration.event_id)
            .order_by(waiting.desc())
            .limit(1)
        ).one()
        version = (
            "select sqlite_version()"
            if db.engine.dialect.name == "sqlite"
            else "show server_version"
        )
        print(
            json.dumps(
                {
                    "busy_unit": busy,
                    "big_event": big_event,
                    "review_queue": queue,
                    "busy_items": count(
                        sa.select(sa.func.count()).where(FollowUpItem.lead_unit_id == busy)
                    ),
                    "items": count(sa.select(sa.func.count()).select_from(FollowUpItem)),
                    "counted": count(
                        sa.select(sa.func.count()).where(FollowUpItem.merged_into_id.is_(None))
                    ),
                    "entries": count(sa.select(sa.func.count()).select_from(TimelineEntry)),
                    "events": count(sa.select(sa.func.count()).select_from(Event)),
                    "category": count(sa.select(sa.func.min(Category.id))),
                    "server": db.session.execute(sa.text(version)).scalar(),
                }
            )
        )


if __name__ == "__main__":
    main()
