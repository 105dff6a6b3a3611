"""The salon day at the door: check-in codes, marking a speaker present once, the list."""

import csv
import io

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.outbox.models import OutboxMessage
from talentday.outbox.services import CHECK_IN_CODE_FILE, _as_email
from talentday.registrations import check_in as door
from talentday.registrations import services
from talentday.registrations.models import CheckIn, Registration, RegistrationState
from tests import factories
from tests.conftest import open_private_link, sign_in, submit
from tests.test_concurrency import run_together


@pytest.fixture
def door_setting(app_ctx, make_user):
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    event = factories.event(title="25th Talent Salon")
    approved = factories.registration(
        event=event,
        speaker=factories.speaker(name="Gao Lizhi", organization="Subei Institute"),
        state=RegistrationState.APPROVED,
    )
    waiting = factories.registration(event=event, state=RegistrationState.WAITLISTED)
    return {"organizer": organizer, "event": event, "approved": approved, "waiting": waiting}


def test_a_code_names_one_registration_of_one_event_and_cannot_be_made_up(door_setting):
    event, approved = door_setting["event"], door_setting["approved"]
    code = door.code_for(approved)
    assert door.registration_for_code(event, code) is approved
    number, signature = code.split(".")
    assert door.registration_for_code(event, f"{number}.{signature[:-1]}x") is None
    waiting = door_setting["waiting"]
    assert door.registration_for_code(event, f"{waiting.id}.{signature}") is None
    assert door.registration_for_code(factories.event(), code) is None
    for nonsense in ("", "abc", "1", "99999999999999999.x", f"{number}."):
        assert door.registration_for_code(event, nonsense) is None
    assert door.check_in_url(approved).endswith(f"/manage/events/{event.id}/check-in/{code}")


def test_a_speaker_is_checked_in_once_and_it_can_be_taken_back(door_setting):
    organizer, approved = door_setting["organizer"], door_setting["approved"]
    first = door.check_in(approved, by=organizer)
    assert first.first and first.check_in.checked_in_by is organizer
    again = door.check_in(approved, by=organizer)
    assert not again.first and again.check_in.id == first.check_in.id
    with pytest.raises(door.CheckInRefused):
        door.check_in(door_setting["waiting"], by=organizer)
    rows = door.attendance(door_setting["event"])
    assert [(r.id, row is not None) for r, row in rows] == [(approved.id, True)]
    assert door.undo_check_in(approved, by=organizer)
    assert not door.undo_check_in(approved, by=organizer)
    assert door.attendance(door_setting["event"])[0][1] is None


def test_names_typed_at_the_door(door_setting):
    event = door_setting["event"]
    approved = door_setting["approved"]
    assert door.find_by_name(event, "Gao Lizhi (Subei Institute)") == [approved]
    assert door.find_by_name(event, "  gao   lizhi ") == [approved]
    assert door.find_by_name(event, "Gao") == []
    twin = factories.registration(
        event=event,
        speaker=factories.speaker(name="Gao Lizhi", organization="Yangzhou University"),
        state=RegistrationState.APPROVED,
    )
    assert set(door.find_by_name(event, "Gao Lizhi")) == {approved, twin}
    assert door.find_by_name(event, "Gao Lizhi (Yangzhou University)") == [twin]


def test_organizers_scanning_one_code_at_once_record_one_check_in(app, make_user):
    organizers = [make_user(Role.ORGANIZER).id for _ in range(4)]
    with app.app_context():
        registration = factories.registration(state=RegistrationState.APPROVED)
        db.session.commit()
        registration_id = registration.id

    def scan(user_id):
        def job():
            outcome = door.check_in(
                db.session.get(Registration, registration_id), by=db.session.get(User, user_id)
            )
            db.session.commit()
            return outcome.first

        return job

    results = run_together(app, [scan(user_id) for user_id in organizers])
    assert sorted(results) == [False, False, False, True], results
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 1


def test_the_approval_message_carries_the_code_as_a_picture(app, door_setting):
    approved = door_setting["approved"]
    services.issue_token(approved)
    services._tell_speaker(approved, "approved")
    db.session.flush()
    message = db.session.scalar(sa.select(OutboxMessage))
    assert "check-in-code.png" in message.body
    email = _as_email(message)
    (attachment,) = list(email.iter_attachments())
    assert attachment.get_filename() == CHECK_IN_CODE_FILE
    assert attachment.get_content().startswith(b"\x89PNG")
    # No longer approved when it is sent: no code goes with it.
    approved.state = RegistrationState.WITHDRAWN
    assert list(_as_email(message).iter_attachments()) == []


# --- the pages -----------------------------------------------------------------------------


@pytest.fixture
def door_pages(app, make_user):
    organizer = make_user(Role.ORGANIZER, name="Li Na")
    with app.app_context():
        event = factories.event(title="25th Talent Salon")
        approved = factories.registration(
            event=event,
            speaker=factories.speaker(name="Gao Lizhi", organization="Subei Institute"),
            state=RegistrationState.APPROVED,
        )
        other = factories.registration(
            event=event,
            speaker=factories.speaker(name="Wang Hongyang", organization="Jiangsu FTR"),
            state=RegistrationState.APPROVED,
        )
        db.session.commit()
        client = app.test_client()
        sign_in(client, organizer.email)
        return {
            "client": client,
            "event": event.id,
            "code": door.code_for(approved),
            "approved": approved.id,
            "other": other.id,
        }


def test_a_scanned_code_shows_who_it_is_and_checks_in_on_the_button(app, door_pages):
    client, event = door_pages["client"], door_pages["event"]
    url = f"/manage/events/{event}/check-in/{door_pages['code']}"
    page = client.get(url).get_data(as_text=True)
    assert "Gao Lizhi" in page and "Check in Gao Lizhi" in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckIn)) == 0
    done = submit(client, url, {}, follow_redirects=True).get_data(as_text=True)
    assert "Gao Lizhi is checked in (" in done and "1 of 2 speakers present" in done
    again = submit(client, url, {}, follow_redirects=True).get_data(as_text=True)
    assert "Gao Lizhi was checked in already, at" in again and "by Li Na" in again
    page = client.get(url).get_data(as_text=True)
    assert "Checked in already" in page and "Check in Gao Lizhi" not in page
    wrong = client.get(f"/manage/events/{event}/check-in/1.forged", follow_redirects=True)
    assert "This is not a check-in code of this event" in wrong.get_data(as_text=True)


def test_checking_in_by_name_with_the_list_and_mistakes_at_the_field(app, door_pages):
    client, event = door_pages["client"], door_pages["event"]
    url = f"/manage/events/{event}/check-in"
    page = client.get(url).get_data(as_text=True)
    assert '<option value="Wang Hongyang (Jiangsu FTR)">' in page
    unknown = submit(client, url, {"name": "Zhang San"})
    assert unknown.status_code == 400
    assert "No approved speaker of this event has this name" in unknown.get_data(as_text=True)
    assert 'value="Zhang San"' in unknown.get_data(as_text=True)
    done = submit(client, url, {"name": "Wang Hongyang (Jiangsu FTR)"}, follow_redirects=True)
    assert "Wang Hongyang is checked in" in done.get_data(as_text=True)
    undo = f"/manage/events/{event}/check-in/{door_pages['other']}/undo"
    undone = submit(client, undo, {}, form_url=url, follow_redirects=True)
    assert "Wang Hongyang is no longer checked in" in undone.get_data(as_text=True)
    assert "0 of 2 speakers present" in undone.get_data(as_text=True)


def test_the_attendance_list_on_the_event_page_and_as_a_file(app, door_pages):
    client, event = door_pages["client"], door_pages["event"]
    url = f"/manage/events/{event}/check-in/{door_pages['code']}"
    submit(client, url, {})
    page = client.get(f"/manage/events/{event}").get_data(as_text=True)
    assert "1 of 2 speakers present" in page and "Present since" in page
    response = client.get(f"/manage/events/{event}/attendance.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    table = {row[1]: row for row in rows if len(row) > 4}
    assert table["Gao Lizhi"][4] == "Yes" and table["Gao Lizhi"][6] == "Li Na"
    assert table["Wang Hongyang"][4] == "No"


@pytest.mark.parametrize("role", [Role.DEPARTMENT_STAFF, Role.LEADER, Role.ADMIN])
def test_only_organizers_check_speakers_in(app, door_pages, make_user, make_unit, role):
    unit_id = make_unit().id if role is Role.DEPARTMENT_STAFF else None
    client = app.test_client()
    sign_in(client, make_user(role, unit_id=unit_id).email)
    event = door_pages["event"]
    for url in (
        f"/manage/events/{event}/check-in",
        f"/manage/events/{event}/check-in/{door_pages['code']}",
        f"/manage/events/{event}/attendance.csv",
    ):
        assert client.get(url).status_code in (403, 404), url
    anonymous = app.test_client().get(f"/manage/events/{event}/check-in")
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]


def test_the_approved_speaker_sees_their_code_on_their_page(app, client):
    with app.app_context():
        approved = factories.registration(state=RegistrationState.APPROVED)
        waiting = factories.registration(state=RegistrationState.WAITLISTED)
        links = [services.private_link(services.issue_token(r)) for r in (approved, waiting)]
        code = door.code_for(approved)
        db.session.commit()
    page = client.get(open_private_link(client, links[0])).get_data(as_text=True)
    assert "Your check-in code" in page and "<svg" in page and code in page
    other = app.test_client()
    page = other.get(open_private_link(other, links[1])).get_data(as_text=True)
    assert "Your check-in code" not in page


def test_the_door_in_chinese(app, door_pages):
    client, event = door_pages["client"], door_pages["event"]
    page = client.get(
        f"/manage/events/{event}/check-in", headers={"Accept-Language": "zh-CN"}
    ).get_data(as_text=True)
    assert "签到" in page and "0/2" not in page
