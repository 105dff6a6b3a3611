"""Follow-up items: the rules for raising them (the tracker's other rules come with it)."""

from talentday.auth.models import User
from talentday.events.models import Event
from talentday.extensions import db
from talentday.followup.models import (
    Category,
    FollowUpItem,
    ItemState,
    TimelineEntry,
    TimelineKind,
)
from talentday.registrations.models import Registration, Speaker


def raise_suggestion(
    *,
    event: Event,
    category: Category,
    content: str,
    speaker: Speaker | None = None,
    registration: Registration | None = None,
    raised_by_name: str = "",
    by_user: User | None = None,
) -> FollowUpItem:
    """A new suggestion becomes a follow-up item in state new, its raising on the timeline."""
    item = FollowUpItem(
        event=event,
        category=category,
        content=content.strip(),
        speaker=speaker,
        registration=registration,
        raised_by_name=raised_by_name,
        created_by=by_user,
        state=ItemState.NEW,
    )
    db.session.add(item)
    db.session.add(
        TimelineEntry(
            item=item,
            kind=TimelineKind.CREATED,
            actor_user=by_user,
            actor_speaker=speaker if by_user is None else None,
            to_state=ItemState.NEW,
        )
    )
    return item


def active_categories() -> list[Category]:
    return list(
        db.session.scalars(
            db.select(Category).where(Category.active.is_(True)).order_by(Category.position)
        )
    )
