"""The table of moves: for every action on a follow-up item, who may make it and from which
states. The services call `require_move` themselves, so that a page, a command, an import or
an API client meets the same rule; pages ask `allowed_moves` what to offer.

Adding a move is a row here (with its service, its form and its message in the views).
"""

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from talentday.auth.models import User
from talentday.errors_domain import DomainError
from talentday.followup.models import DONE_STATES, FollowUpItem, ItemState
from talentday.followup.permissions import Standing, standing
from talentday.registrations.models import Speaker


class Move(enum.Enum):
    ASSIGN = "assign"
    ACCEPT = "accept"
    RETURN = "return"
    PROGRESS = "progress"
    RESULT = "result"
    CLOSE = "close"
    REOPEN = "reopen"  # sending a resolved item back, or reopening a closed one
    URGE = "urge"
    RATE = "rate"
    MERGE = "merge"
    SPLIT = "split"


# The speaker whose suggestion the item is; a standing that only the private link gives.
SPEAKER = "speaker"

UNITS_AT_WORK = frozenset({ItemState.ACCEPTED, ItemState.IN_PROGRESS, ItemState.REOPENED})


@dataclass(frozen=True)
class MoveRule:
    who: frozenset  # Standing members, or SPEAKER
    states: frozenset[ItemState]
    # Whether an item merged into another may still make it (only its target is followed).
    on_merged: bool = False


MOVES: dict[Move, MoveRule] = {
    Move.ASSIGN: MoveRule(
        frozenset({Standing.ORGANIZER}),
        frozenset({ItemState.NEW, ItemState.ASSIGNED, ItemState.RETURNED}),
    ),
    Move.ACCEPT: MoveRule(frozenset({Standing.LEAD_UNIT}), frozenset({ItemState.ASSIGNED})),
    Move.RETURN: MoveRule(frozenset({Standing.LEAD_UNIT}), frozenset({ItemState.ASSIGNED})),
    Move.PROGRESS: MoveRule(frozenset({Standing.LEAD_UNIT, Standing.CO_UNIT}), UNITS_AT_WORK),
    Move.RESULT: MoveRule(frozenset({Standing.LEAD_UNIT}), UNITS_AT_WORK),
    Move.CLOSE: MoveRule(frozenset({Standing.ORGANIZER}), frozenset({ItemState.RESOLVED})),
    Move.REOPEN: MoveRule(frozenset({Standing.ORGANIZER}), DONE_STATES),
    # A returned item waits on the organizers, not on a unit: nobody to urge.
    Move.URGE: MoveRule(
        frozenset({Standing.ORGANIZER}),
        frozenset({ItemState.ASSIGNED}) | UNITS_AT_WORK,
    ),
    Move.RATE: MoveRule(frozenset({SPEAKER}), DONE_STATES),
    Move.MERGE: MoveRule(frozenset({Standing.ORGANIZER}), frozenset({ItemState.NEW})),
    Move.SPLIT: MoveRule(frozenset({Standing.ORGANIZER}), frozenset({ItemState.NEW})),
}


class FollowUpError(DomainError):
    """A change to a follow-up item that the rules refuse."""


class MoveRefused(FollowUpError):
    """The actor may not make this move on this item now."""


def actor_standing(actor: User | Speaker | None, item: FollowUpItem):
    if isinstance(actor, Speaker):
        return SPEAKER if item.speaker_id == actor.id else Standing.NONE
    if actor is None:
        return Standing.NONE
    return standing(actor, item)


def may(actor: User | Speaker | None, item: FollowUpItem, move: Move) -> bool:
    rule = MOVES[move]
    if item.merged_into_id is not None and not rule.on_merged:
        return False
    return item.state in rule.states and actor_standing(actor, item) in rule.who


def allowed_moves(actor: User | Speaker | None, item: FollowUpItem) -> set[Move]:
    """What this actor may do with this item now."""
    return {move for move in MOVES if may(actor, item, move)}


def require_move(actor: User | Speaker | None, item: FollowUpItem, move: Move) -> None:
    if may(actor, item, move):
        return
    rule = MOVES[move]
    if actor_standing(actor, item) not in rule.who:
        raise MoveRefused(_l("You may not do this with this item."))
    if item.merged_into_id is not None:
        raise MoveRefused(_l("This suggestion was merged into another item; act on that one."))
    raise MoveRefused(
        _l("This cannot be done while the item is %(state)s.", state=item.state.label)
    )
