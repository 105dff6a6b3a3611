"""The table of moves, enforced by the services themselves (issue 9): every move from every
state by every kind of actor, without HTTP."""

from datetime import UTC, datetime, timedelta

import pytest

from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup import services
from talentday.followup.models import (
    ContactMethod,
    ItemState,
    ResultClass,
    Satisfaction,
    TimelineEntry,
    TimelineKind,
)
from talentday.followup.moves import MOVES, SPEAKER, Move, MoveRefused, allowed_moves
from talentday.followup.permissions import Standing
from talentday.i18n import city_today
from talentday.registrations.models import Publication
from tests import factories

ACTORS = ("organizer", "leader", "admin", "lead_staff", "co_staff", "other_staff", "speaker")
STANDING = {
    "organizer": Standing.ORGANIZER,
    "leader": Standing.LEADER,
    "lead_staff": Standing.LEAD_UNIT,
    "co_staff": Standing.CO_UNIT,
    "speaker": SPEAKER,
}


SPEAKER_MOVES = (Move.RATE, Move.ANSWER_PROMISE)


@pytest.fixture
def cast(app_ctx, make_user):
    lead, co, other = factories.unit(), factories.unit(), factories.unit()
    db.session.commit()

    def user(role, unit=None):
        return db.session.get(User, make_user(role, unit_id=unit.id if unit else None).id)

    return {
        "units": (lead, co),
        "organizer": user(Role.ORGANIZER),
        "leader": user(Role.LEADER),
        "admin": user(Role.ADMIN),
        "lead_staff": user(Role.DEPARTMENT_STAFF, lead),
        "co_staff": user(Role.DEPARTMENT_STAFF, co),
        "other_staff": user(Role.DEPARTMENT_STAFF, other),
        "speaker": factories.speaker(),
    }


def _make(move: Move, item, actor, cast):
    today = city_today()
    if move is Move.ASSIGN:
        services.assign(
            item, lead_unit=cast["units"][0], co_units=[], due_on=today + timedelta(days=9),
            instructions="", by=actor, today=today,
        )  # fmt: skip
    elif move is Move.ACCEPT:
        services.accept(item, by=actor)
    elif move is Move.RETURN:
        services.return_to_organizer(item, reason="Not ours.", by=actor)
    elif move is Move.PROGRESS:
        services.post_progress(item, note="Working on it.", percent=None, by=actor)
    elif move is Move.RESULT:
        services.submit_result(item, result_class=ResultClass.SOLVED, result="Done.", by=actor)
    elif move is Move.CLOSE:
        services.close(item, by=actor)
    elif move is Move.REOPEN:
        services.reopen(item, reason="Not finished.", by=actor)
    elif move is Move.URGE:
        services.urge(item, note="Please hurry.", by=actor)
    elif move is Move.RATE:
        services.rate(item, satisfaction=Satisfaction.SATISFIED, comment="", speaker=actor)
    elif move is Move.MERGE:
        services.merge(item, into=factories.item(event=item.event), by=actor)
    elif move is Move.SPLIT:
        services.split(item, parts=["One point.", "Another point."], by=actor)
    elif move is Move.ASK_EXTENSION:
        services.ask_extension(
            item,
            due_on=(item.due_on or city_today()) + timedelta(days=5),
            reason="Budget.",
            by=actor,
        )
    elif move is Move.DECIDE_EXTENSION:
        services.decide_extension(item, grant=True, due_on=None, reason="", by=actor)
    elif move is Move.ANSWER_PROMISE:
        services.answer_commitment(item, kept=True, comment="", speaker=actor)
    elif move is Move.CHECK_PROMISE:
        services.check_commitment(item, kept=True, reason="", by=actor)
    elif move is Move.GIVE_OPINION:
        services.give_opinion(item, opinion="We agree.", by=actor)
    elif move is Move.WAIVE_OPINIONS:
        services.waive_opinions(item, reason="Said by phone.", by=actor)
    elif move is Move.MARK_KEY:
        services.mark_key(item, instruction="Report weekly.", by=actor)
    elif move is Move.INSTRUCT:
        services.instruct(item, instruction="Report daily now.", by=actor)
    elif move is Move.LIFT_KEY:
        services.lift_key(item, reason="Settled.", by=actor)
    elif move is Move.PUBLISH:
        services.publish(item, content="Flats.", result="Open in May.", by=actor)
    elif move is Move.UNPUBLISH:
        services.unpublish(item, reason="Asked to.", by=actor)
    elif move is Move.CONTACT:
        services.record_contact(
            item, method=ContactMethod.PHONE, contacted_on=city_today(), summary="Called.",
            by=actor,
        )  # fmt: skip


def _kinds_written(item) -> set[TimelineKind]:
    db.session.flush()
    return set(
        db.session.scalars(db.select(TimelineEntry.kind).where(TimelineEntry.item_id == item.id))
    )


@pytest.mark.parametrize("move", list(Move))
def test_every_move_from_every_state_by_every_actor(cast, move):
    lead, co = cast["units"]
    wrong = []
    for state in ItemState:
        for name in ACTORS:
            actor = cast[name]
            if move in SPEAKER_MOVES and name != "speaker":
                continue  # only a speaker can be passed to rate(); the other speaker is below
            if move not in SPEAKER_MOVES and name == "speaker":
                continue  # services for units and organizers take an account
            savepoint = db.session.begin_nested()
            item = factories.item(state=state, speaker=cast["speaker"])
            if state is not ItemState.NEW:
                item.lead_unit, item.co_units = lead, [co]
                # Extensions are asked for before the due date, and decided once asked for.
                item.due_on = city_today() + timedelta(days=9)
                if move is Move.DECIDE_EXTENSION:
                    item.extension_asked_to = item.due_on + timedelta(days=5)
                if move is Move.RESULT:  # the co-handling unit's opinion is not waited for
                    item.opinions_waived_at = datetime.now(UTC)
                # A B or C answer whose promised date passed, not checked yet.
                if move in (Move.ANSWER_PROMISE, Move.CHECK_PROMISE):
                    item.result_class = ResultClass.BEING_SOLVED
                    item.commitment_on = city_today() - timedelta(days=1)
                    item.commitment_due_at = datetime.now(UTC)
            if move is Move.PUBLISH:  # an answer that stands, its speaker consenting
                item.resolved_at = datetime.now(UTC)
                item.registration = factories.registration(
                    speaker=cast["speaker"], publication=Publication.NAMED
                )
            if move is Move.UNPUBLISH:
                item.published_at = datetime.now(UTC)
            if move in (Move.INSTRUCT, Move.LIFT_KEY):  # a key item already
                item.key_at, item.key_instruction = datetime.now(UTC), "Report weekly."
            db.session.flush()
            allowed = state in MOVES[move].states and STANDING.get(name) in MOVES[move].who
            assert (move in allowed_moves(actor, item)) == allowed, (move, state, name)
            try:
                _make(move, item, actor, cast)
            except MoveRefused:
                if allowed:
                    wrong.append(f"{name} refused {move.value} from {state.value}")
            else:
                if not allowed:
                    wrong.append(f"{name} made {move.value} from {state.value}")
                elif MOVES[move].kind not in _kinds_written(item):
                    wrong.append(f"{move.value} wrote no {MOVES[move].kind.value} entry")
            savepoint.rollback()
    assert wrong == [], wrong


def test_a_unit_that_has_nothing_to_do_with_an_item_cannot_close_it_through_the_service(cast):
    item = factories.item(state=ItemState.RESOLVED, lead_unit=cast["units"][0])
    for name in ("other_staff", "lead_staff", "leader", "admin"):
        with pytest.raises(MoveRefused):
            services.close(item, by=cast[name])
        for refused in (
            lambda actor: services.reopen(item, reason="Because.", by=actor),
            lambda actor: services.urge(item, note="", by=actor),
        ):
            with pytest.raises(MoveRefused):
                refused(cast[name])
    assert item.state is ItemState.RESOLVED


def test_a_speaker_rates_only_their_own_suggestion(cast):
    item = factories.item(state=ItemState.RESOLVED, speaker=cast["speaker"])
    with pytest.raises(MoveRefused):
        services.rate(
            item, satisfaction=Satisfaction.SATISFIED, comment="", speaker=factories.speaker()
        )
    services.rate(item, satisfaction=Satisfaction.SATISFIED, comment="", speaker=cast["speaker"])
    assert item.satisfaction is Satisfaction.SATISFIED


def test_a_promise_is_answered_and_checked_only_when_its_date_passed(cast):
    item = factories.item(
        state=ItemState.RESOLVED, speaker=cast["speaker"], result_class=ResultClass.PLANNED,
        commitment_on=city_today() + timedelta(days=30),
    )  # fmt: skip
    assert Move.CHECK_PROMISE not in allowed_moves(cast["organizer"], item)
    assert Move.ANSWER_PROMISE not in allowed_moves(cast["speaker"], item)
    with pytest.raises(MoveRefused):
        services.check_commitment(item, kept=True, reason="", by=cast["organizer"])
    item.commitment_due_at = datetime.now(UTC)
    services.answer_commitment(item, kept=True, comment="", speaker=cast["speaker"])
    with pytest.raises(MoveRefused):  # the speaker says once
        services.answer_commitment(item, kept=False, comment="x", speaker=cast["speaker"])
    services.check_commitment(item, kept=True, reason="", by=cast["organizer"])
    assert item.result_class is ResultClass.SOLVED
    assert Move.CHECK_PROMISE not in allowed_moves(cast["organizer"], item)
