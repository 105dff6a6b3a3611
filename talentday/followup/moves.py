"""The table of moves: for every action on a follow-up item, who may make it and from which
states. The services call `require_move` themselves, so that a page, a command, an import or
an API client meets the same rule; pages ask `allowed_moves` what to offer.

Each row also carries what the pages need to offer the move: its form, the message shown
once it is made and the kind of timeline entry it writes. Adding a move is a row here, plus
its service (which calls `require_move`) and, for a move made on the item's page, a branch in
`followup.views._apply`.
"""

import enum
from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from talentday.auth.models import User
from talentday.errors_domain import DomainError
from talentday.followup.countersigning import opinions_missing
from talentday.followup.forms import (
    AssignForm,
    ClosingForm,
    CommitmentAnswerForm,
    CommitmentCheckForm,
    ContactForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    InstructionForm,
    MergeForm,
    NoteForm,
    OpinionForm,
    ProgressForm,
    PublishForm,
    RatingForm,
    ReasonForm,
    ResultForm,
    SplitForm,
)
from talentday.followup.models import DONE_STATES, FollowUpItem, ItemState, TimelineKind
from talentday.followup.permissions import Standing, standing
from talentday.i18n import city_today
from talentday.registrations.models import Publication, Speaker


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
    ASK_EXTENSION = "extend"  # the lead unit asks for a later due date (延期)
    DECIDE_EXTENSION = "extension"  # the organizer grants or refuses it
    # A B or C answer's promised date passed: the speaker says whether it was done, and the
    # organizer checks it.
    ANSWER_PROMISE = "promise"
    CHECK_PROMISE = "check_promise"
    # Countersigning (会签): a co-handling unit gives its opinion; the lead unit's result
    # waits for every one unless an organizer waives the missing ones.
    GIVE_OPINION = "opinion"
    WAIVE_OPINIONS = "waive"
    # Key items (重点督办): a leader marks one with an instruction (领导批示), may give later
    # instructions, and may lift the mark. Leaders make no other move.
    MARK_KEY = "key"
    INSTRUCT = "instruct"
    LIFT_KEY = "unkey"
    # The contact record (联系记录): the lead unit notes how it reached the speaker.
    CONTACT = "contact"
    # Public results (办理结果公开): an organizer publishes a result that stands, with the
    # speaker's consent, in words fit for the public, or takes it off the page.
    PUBLISH = "publish"
    UNPUBLISH = "unpublish"


# The speaker whose suggestion the item is; a standing that only the private link gives.
SPEAKER = "speaker"

UNITS_AT_WORK = frozenset({ItemState.ACCEPTED, ItemState.IN_PROGRESS, ItemState.REOPENED})
# A closed item's follow-up has ended: nothing left to instruct.
NOT_CLOSED = frozenset(ItemState) - {ItemState.CLOSED}


@dataclass(frozen=True)
class MoveRule:
    who: frozenset  # Standing members, or SPEAKER
    states: frozenset[ItemState]
    form: type  # the form that asks for the move
    kind: TimelineKind  # the timeline entry the move writes
    # Flashed once the move is made; None when the page counts or names what it made.
    done: object | None = None
    # Posted to the item page's own address (followup.act); the others have their own pages.
    item_page: bool = True
    # Whether an item merged into another may still make it (only its target is followed).
    on_merged: bool = False
    # What the move ends, said on a page before it is made (followup.act asks first), and
    # that page's button.
    confirm: object | None = None
    confirm_button: object | None = None
    # What else the item must be for the move, beyond its state (None: nothing else).
    applies: Callable[[FollowUpItem], bool] | None = None


MOVES: dict[Move, MoveRule] = {
    Move.ASSIGN: MoveRule(
        frozenset({Standing.ORGANIZER}),
        frozenset({ItemState.NEW, ItemState.ASSIGNED, ItemState.RETURNED}),
        AssignForm,
        TimelineKind.ASSIGNED,
        _l("The item has been assigned and the units told."),
    ),
    Move.ACCEPT: MoveRule(
        frozenset({Standing.LEAD_UNIT}),
        frozenset({ItemState.ASSIGNED}),
        NoteForm,
        TimelineKind.ACCEPTED,
        _l("Your unit has accepted the item."),
    ),
    Move.RETURN: MoveRule(
        frozenset({Standing.LEAD_UNIT}),
        frozenset({ItemState.ASSIGNED}),
        ReasonForm,
        TimelineKind.RETURNED,
        _l("The item has been returned to the organizers."),
    ),
    Move.PROGRESS: MoveRule(
        frozenset({Standing.LEAD_UNIT, Standing.CO_UNIT}),
        UNITS_AT_WORK,
        ProgressForm,
        TimelineKind.PROGRESS,
        _l("Your progress note has been added."),
    ),
    Move.RESULT: MoveRule(
        frozenset({Standing.LEAD_UNIT}),
        UNITS_AT_WORK,
        ResultForm,
        TimelineKind.RESULT,
        _l("The handling result has been submitted; the item is resolved."),
    ),
    Move.CLOSE: MoveRule(
        frozenset({Standing.ORGANIZER}),
        frozenset({ItemState.RESOLVED}),
        ClosingForm,
        TimelineKind.CLOSED,
        _l("The item is closed."),
        confirm=_l(
            "Closing ends the follow-up of this suggestion: its units stop reporting on it, it "
            "leaves their desks and the reminders, and it counts as closed in every figure. "
            "Only an organizer can reopen it."
        ),
        confirm_button=_l("Close item"),
    ),
    Move.REOPEN: MoveRule(
        frozenset({Standing.ORGANIZER}),
        DONE_STATES,
        ReasonForm,
        TimelineKind.REOPENED,
        _l("The item has been reopened and the lead unit told."),
    ),
    # A returned item waits on the organizers, not on a unit: nobody to urge.
    Move.URGE: MoveRule(
        frozenset({Standing.ORGANIZER}),
        frozenset({ItemState.ASSIGNED}) | UNITS_AT_WORK,
        NoteForm,
        TimelineKind.URGED,
        _l("The units have been urged."),
    ),
    # Made on the speaker's own page (registrations.rate_item).
    Move.RATE: MoveRule(
        frozenset({SPEAKER}),
        DONE_STATES,
        RatingForm,
        TimelineKind.RATED,
        _l("Thank you: your rating has been recorded."),
        item_page=False,
    ),
    # Their pages name the item merged into, or count the items a split made.
    Move.MERGE: MoveRule(
        frozenset({Standing.ORGANIZER}),
        frozenset({ItemState.NEW}),
        MergeForm,
        TimelineKind.MERGED,
        item_page=False,
    ),
    Move.SPLIT: MoveRule(
        frozenset({Standing.ORGANIZER}),
        frozenset({ItemState.NEW}),
        SplitForm,
        TimelineKind.SPLIT,
        item_page=False,
    ),
    # Before the due date, one request at a time; the caps are the service's (they need the
    # settings and say how much is left).
    Move.ASK_EXTENSION: MoveRule(
        frozenset({Standing.LEAD_UNIT}),
        UNITS_AT_WORK,
        ExtensionRequestForm,
        TimelineKind.EXTENSION_REQUESTED,
        _l("Your request for more time has been sent to the organizers."),
        applies=lambda item: (
            item.extension_asked_to is None
            and item.due_on is not None
            and city_today() <= item.due_on
        ),
    ),
    Move.DECIDE_EXTENSION: MoveRule(
        frozenset({Standing.ORGANIZER}),
        UNITS_AT_WORK,
        ExtensionDecisionForm,
        TimelineKind.EXTENSION_GRANTED,
        _l("The extension has been decided and the lead unit told."),
        applies=lambda item: item.extension_asked_to is not None,
    ),
    # Made on the speaker's own page, once, after the promised date passed.
    Move.ANSWER_PROMISE: MoveRule(
        frozenset({SPEAKER}),
        DONE_STATES,
        CommitmentAnswerForm,
        TimelineKind.COMMITMENT_ANSWERED,
        _l("Thank you: the organizers will check it."),
        item_page=False,
        applies=lambda item: _promise_due(item) and item.commitment_kept is None,
    ),
    Move.CHECK_PROMISE: MoveRule(
        frozenset({Standing.ORGANIZER}),
        DONE_STATES,
        CommitmentCheckForm,
        TimelineKind.COMMITMENT_SETTLED,
        _l("The promise has been checked."),
        applies=lambda item: _promise_due(item),
    ),
    Move.GIVE_OPINION: MoveRule(
        frozenset({Standing.CO_UNIT}),
        frozenset({ItemState.ASSIGNED}) | UNITS_AT_WORK,
        OpinionForm,
        TimelineKind.CO_OPINION,
        _l("Your unit's opinion has been given to the lead unit."),
    ),
    Move.WAIVE_OPINIONS: MoveRule(
        frozenset({Standing.ORGANIZER}),
        frozenset({ItemState.ASSIGNED}) | UNITS_AT_WORK,
        ReasonForm,
        TimelineKind.OPINIONS_WAIVED,
        _l("The missing opinions are waived: the lead unit may submit its result."),
        applies=lambda item: _opinions_to_waive(item),
    ),
    Move.MARK_KEY: MoveRule(
        frozenset({Standing.LEADER}),
        NOT_CLOSED,
        InstructionForm,
        TimelineKind.KEY_MARKED,
        _l("The item is a key item now, and your instruction has been passed on."),
        applies=lambda item: not item.is_key,
    ),
    Move.INSTRUCT: MoveRule(
        frozenset({Standing.LEADER}),
        NOT_CLOSED,
        InstructionForm,
        TimelineKind.LEADER_INSTRUCTION,
        _l("Your instruction has been passed on."),
        applies=lambda item: item.is_key,
    ),
    Move.CONTACT: MoveRule(
        frozenset({Standing.LEAD_UNIT}),
        UNITS_AT_WORK,
        ContactForm,
        TimelineKind.CONTACTED,
        _l("Your contact with the speaker has been recorded."),
    ),
    Move.PUBLISH: MoveRule(
        frozenset({Standing.ORGANIZER}),
        DONE_STATES,
        PublishForm,
        TimelineKind.PUBLISHED,
        _l("The result is on the event's public results page."),
        applies=lambda item: may_be_published(item),
    ),
    Move.UNPUBLISH: MoveRule(
        frozenset({Standing.ORGANIZER}),
        frozenset(ItemState),
        ReasonForm,
        TimelineKind.UNPUBLISHED,
        _l("The result is no longer on the public results page."),
        applies=lambda item: item.published_at is not None,
    ),
    # A closed key item keeps its mark: the year's record of key items stands.
    Move.LIFT_KEY: MoveRule(
        frozenset({Standing.LEADER}),
        NOT_CLOSED,
        ReasonForm,
        TimelineKind.KEY_LIFTED,
        _l("The item is no longer a key item."),
        applies=lambda item: item.is_key,
    ),
}


def may_be_published(item: FollowUpItem) -> bool:
    """A result stands, and the speaker agreed (on registering) to its publication."""
    registration = item.registration
    return (
        item.resolved_at is not None
        and registration is not None
        and registration.publication is not Publication.NONE
    )


def _opinions_to_waive(item: FollowUpItem) -> bool:
    """Some co-handling unit's opinion is still missing (none waived them yet)."""
    return bool(opinions_missing(item))


def _promise_due(item: FollowUpItem) -> bool:
    """The promised date of a B or C answer passed and no organizer has checked it yet."""
    return item.commitment_due_at is not None and item.commitment_settled_at is None


# The moves made through the item page's own forms, by name (the address's last part).
ITEM_PAGE_MOVES = {move.value: move for move, rule in MOVES.items() if rule.item_page}
# The moves an account makes (each has its API operation); the others are the speaker's,
# made from their private link.
ACCOUNT_MOVES = tuple(move for move, rule in MOVES.items() if SPEAKER not in rule.who)


# Why a move cannot be made now, though the item's state allows it (its `applies`).
NOT_NOW_REFUSALS = {
    Move.ASK_EXTENSION: _l(
        "More time can be asked for once at a time, and only until the due date."
    ),
    Move.DECIDE_EXTENSION: _l("No extension is waiting for a decision."),
    Move.ANSWER_PROMISE: _l("Nothing promised is waiting for your answer."),
    Move.CHECK_PROMISE: _l("No promised date has passed unchecked."),
    Move.WAIVE_OPINIONS: _l("No co-handling unit's opinion is waited for."),
    Move.MARK_KEY: _l("The item is a key item already."),
    Move.INSTRUCT: _l("Only a key item takes a leader's instruction: mark it first."),
    Move.LIFT_KEY: _l("The item is not a key item."),
    Move.PUBLISH: _l(
        "Only a result that stands, whose speaker agreed to publication, can be published."
    ),
    Move.UNPUBLISH: _l("The result is not on the public results page."),
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
    if rule.applies is not None and not rule.applies(item):
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
    if item.state in rule.states and rule.applies is not None:
        raise MoveRefused(NOT_NOW_REFUSALS.get(move, _l("You may not do this with this item now.")))
    raise MoveRefused(
        _l("This cannot be done while the item is %(state)s.", state=item.state.label)
    )
