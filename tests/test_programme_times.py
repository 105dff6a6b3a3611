"""Clock times on the programme: each speaker's turn from the event's start and the speaking
minutes, in order (registrations.services.speaking_times), without a request."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role
from talentday.extensions import db
from talentday.registrations.models import ProgrammeBreak, RegistrationState
from talentday.registrations.services import Slot, speaking_times, timetable
from tests import factories
from tests.conftest import sign_in, submit

START = datetime(2026, 9, 20, 6, 30, tzinfo=UTC)  # 14:30 in the city


def turn(id, order, minutes):
    return SimpleNamespace(id=id, speaking_order=order, speaking_minutes=minutes)


def at(hour, minute):
    return datetime(2026, 9, 20, hour, minute, tzinfo=UTC)


def test_each_turn_starts_when_the_one_before_ends():
    times = speaking_times(START, [turn(1, 1, 10), turn(2, 2, 15), turn(3, 3, 5)])
    assert times == {
        1: Slot(at(6, 30), at(6, 40)),
        2: Slot(at(6, 40), at(6, 55)),
        3: Slot(at(6, 55), at(7, 0)),
    }


def test_the_order_is_the_speaking_order_not_the_order_given():
    times = speaking_times(START, [turn(2, 2, 15), turn(1, 1, 10)])
    assert times[1] == Slot(at(6, 30), at(6, 40)) and times[2] == Slot(at(6, 40), at(6, 55))


@pytest.mark.parametrize("minutes", [None, 0])
def test_after_a_speaker_without_minutes_nobody_gets_a_time(minutes):
    """The third speaker's turn depends on the second's length: a time for it would be a
    guess, and a speaker would arrive by it."""
    times = speaking_times(START, [turn(1, 1, 10), turn(2, 2, minutes), turn(3, 3, 5)])
    assert times == {1: Slot(at(6, 30), at(6, 40))}


def test_a_speaker_not_yet_placed_gets_no_time():
    times = speaking_times(START, [turn(1, None, 10), turn(2, 1, 5)])
    assert times == {2: Slot(at(6, 30), at(6, 35))}


def test_nobody_timed_is_an_empty_timetable():
    assert speaking_times(START, []) == {}
    assert speaking_times(START, [turn(1, None, None)]) == {}


def test_the_printable_programme_and_the_organizers_page_show_the_clock_times(
    app, client, make_user
):
    with app.app_context():
        event = factories.event(starts_at=START)
        for order, minutes, name in ((2, 15, "Second"), (1, 10, "First"), (3, None, "Untimed")):
            factories.registration(
                event=event,
                speaker=factories.speaker(name=name),
                state=RegistrationState.APPROVED,
                speaking_order=order,
                speaking_minutes=minutes,
            )
        db.session.commit()
        event_id = event.id
    page = client.get(f"/events/{event_id}/programme").get_data(as_text=True)
    assert "14:30–14:40" in page and "14:40–14:55" in page
    assert "from a speaker without minutes on, and for a speaker without a place" in page
    chinese = client.get(
        f"/events/{event_id}/programme", headers={"Accept-Language": "zh-CN"}
    ).get_data(as_text=True)
    assert "14:30–14:40" in chinese and "自未填时长的发言人起，其后均不列时间" in chinese
    sign_in(client, make_user(Role.ORGANIZER).email)
    form = client.get(f"/manage/events/{event_id}/programme").get_data(as_text=True)
    assert "14:40–14:55" in form and "From a speaker without minutes on, nobody gets a time" in form


# --- breaks ---------------------------------------------------------------------------------


def pause(id, after, minutes):
    return SimpleNamespace(id=id, after_order=after, minutes=minutes)


def test_a_break_moves_the_clock_on_for_the_speakers_after_it():
    speakers = [turn(1, 1, 10), turn(2, 2, 15), turn(3, 3, 5)]
    rows = timetable(START, speakers, [pause(7, 2, 20)])
    assert [(row.registration.id if row.registration else "break") for row in rows] == [
        1,
        2,
        "break",
        3,
    ]
    assert rows[2].slot == Slot(at(6, 55), at(7, 15))
    assert speaking_times(START, speakers, [pause(7, 2, 20)])[3] == Slot(at(7, 15), at(7, 20))


def test_breaks_after_a_gap_in_the_order_or_after_the_last_speaker_keep_their_place():
    speakers = [turn(1, 1, 10), turn(2, 5, 10)]
    rows = timetable(START, speakers, [pause(2, 9, 5), pause(1, 3, 15)])
    assert [row.pause.id if row.pause else row.registration.id for row in rows] == [1, 1, 2, 2]
    assert rows[1].slot == Slot(at(6, 40), at(6, 55))  # after place 3, before place 5
    assert rows[3].slot == Slot(at(7, 5), at(7, 10))  # after the last speaker


def test_after_a_speaker_without_minutes_a_break_has_no_time_either():
    rows = timetable(START, [turn(1, 1, None), turn(2, 2, 10)], [pause(1, 1, 15)])
    assert [row.slot for row in rows] == [None, None, None]


def test_organizers_add_and_remove_breaks_and_the_print_shows_them(app, client, make_user):
    with app.app_context():
        event = factories.event(starts_at=START)
        for order, name in ((1, "First"), (2, "Second")):
            factories.registration(
                event=event,
                speaker=factories.speaker(name=name),
                state=RegistrationState.APPROVED,
                speaking_order=order,
                speaking_minutes=10,
            )
        db.session.commit()
        event_id = event.id
    sign_in(client, make_user(Role.ORGANIZER).email)
    page = f"/manage/events/{event_id}/programme"
    url = f"{page}/breaks"
    bad = submit(client, url, {"after_order": "0", "minutes": "", "label": "Tea"}, form_url=page)
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Enter a whole number from 1 to 999" in text
    assert "Enter how many minutes the break lasts" in text and 'value="Tea"' in text
    done = submit(
        client, url, {"after_order": "1", "minutes": "20", "label": "Tea break"}, form_url=page
    )
    assert done.status_code == 302
    form = client.get(page).get_data(as_text=True)
    assert "Tea break" in form and "14:40–15:00" in form and "15:00–15:10" in form
    printed = client.get(f"/events/{event_id}/programme").get_data(as_text=True)
    assert "Tea break" in printed and "14:40–15:00" in printed and "15:00–15:10" in printed
    with app.app_context():
        (break_id,) = db.session.scalars(sa.select(ProgrammeBreak.id))
    submit(client, f"{page}/breaks/{break_id}/remove", {}, form_url=page)
    assert "<strong>Tea break</strong>" not in client.get(page).get_data(as_text=True)
    chinese = client.get(page, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "添加休息" in chinese
