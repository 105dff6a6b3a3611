"""An approved speaker says whether they will come; `flask remind` reminds and asks once."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentday.audit.models import AuditEntry
from talentday.auth.models import Role, User
from talentday.database import utcnow
from talentday.extensions import db
from talentday.outbox.models import MessageStatus, OutboxMessage
from talentday.outbox.services import text_to_send
from talentday.registrations import services
from talentday.registrations.models import Attendance, Registration, RegistrationState
from talentday.registrations.privacy import anonymise_speaker
from talentday.registrations.reminders import remind_speakers
from tests import factories
from tests.conftest import open_private_link, sign_in, submit


def coming_event(days=10, **overrides):
    starts = datetime.now(UTC) + timedelta(days=days)
    return factories.event(starts_at=starts, ends_at=starts + timedelta(hours=3), **overrides)


def approved(event, *, days_ago=0, **overrides):
    registration = factories.registration(
        event=event, state=RegistrationState.APPROVED, topic="Flats", **overrides
    )
    registration.decided_at = utcnow() - timedelta(days=days_ago)
    return registration


def messages(kind=None) -> list[OutboxMessage]:
    statement = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        statement = statement.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(statement))


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


# --- the speaker's answer -----------------------------------------------------------------


def test_an_approved_speaker_confirms_once_and_it_is_recorded(app_ctx):
    registration = approved(coming_event())
    assert registration.attendance is Attendance.NOT_YET
    assert services.confirm_attendance(registration, by=registration.speaker) is True
    assert registration.attendance is Attendance.CONFIRMED
    first = registration.attendance_confirmed_at
    assert services.confirm_attendance(registration, by=registration.speaker) is False
    assert registration.attendance_confirmed_at == first
    assert audit_actions().count("attendance_confirmed") == 1


def test_only_the_approved_speaker_answers_and_only_before_the_event(app_ctx):
    event = coming_event()
    waiting = factories.registration(event=event, state=RegistrationState.WAITLISTED)
    with pytest.raises(services.RegistrationError):
        services.confirm_attendance(waiting, by=waiting.speaker)
    registration = approved(event)
    other = factories.speaker()
    with pytest.raises(services.RegistrationRefused):
        services.confirm_attendance(registration, by=other)
    with pytest.raises(services.RegistrationRefused):
        services.decline_attendance(registration, by=other)
    started = approved(coming_event(days=-1))
    with pytest.raises(services.RegistrationError):
        services.confirm_attendance(started, by=started.speaker)
    with pytest.raises(services.RegistrationError):
        services.decline_attendance(started, by=started.speaker)
    assert started.state is RegistrationState.APPROVED


def test_declining_frees_the_slot_for_the_first_speaker_waiting(app_ctx):
    event = coming_event(speaking_slots=1)
    registration = approved(event)
    services.confirm_attendance(registration, by=registration.speaker)
    waiting = factories.registration(event=event, state=RegistrationState.WAITLISTED)
    moved_up = services.decline_attendance(registration, by=registration.speaker)
    assert moved_up is waiting and waiting.state is RegistrationState.APPROVED
    assert registration.state is RegistrationState.WITHDRAWN
    assert registration.attendance is Attendance.DECLINED
    assert waiting.attendance is Attendance.NOT_YET
    assert [m.kind for m in messages()] == ["withdrawn", "moved_up"]
    assert "attendance_declined" in audit_actions()


def test_approved_afresh_the_speaker_answers_afresh(app_ctx, make_user):
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    registration = approved(coming_event())
    services.confirm_attendance(registration, by=registration.speaker)
    services.decide(registration, RegistrationState.WAITLISTED, by=organizer)
    assert registration.attendance is None
    services.decide(registration, RegistrationState.APPROVED, by=organizer)
    assert registration.attendance is Attendance.NOT_YET


# --- reminders and the one question --------------------------------------------------------


def test_speakers_are_reminded_before_the_event_once(app_ctx, app):
    event = coming_event(days=1, venue="Science Hall")
    confirmed, silent = approved(event), approved(event)
    confirmed.speaking_order, confirmed.speaking_minutes = 1, 10
    confirmed.attendance_confirmed_at = utcnow()
    factories.registration(event=event, state=RegistrationState.WAITLISTED)
    erased = approved(event)
    anonymise_speaker(erased.speaker, by=None)
    run = remind_speakers(utcnow())
    assert (run.reminders, run.chases) == (2, 0)
    by_registration = {m.registration_id: m for m in messages("reminder")}
    assert set(by_registration) == {confirmed.id, silent.id}
    told_confirmed = text_to_send(by_registration[confirmed.id])
    assert "Science Hall" in told_confirmed and "number 1 in the programme" in told_confirmed
    assert "10 minutes" in told_confirmed and "/r/" in told_confirmed
    assert "not told us yet" not in told_confirmed
    assert "not told us yet" in by_registration[silent.id].body
    again = remind_speakers(utcnow())
    assert (again.reminders, again.chases) == (0, 0)
    assert len(messages("reminder")) == 2


def test_a_speaker_who_has_not_answered_is_asked_once(app_ctx):
    event = coming_event(days=10)
    silent = approved(event, days_ago=4)
    approved(event, days_ago=1)  # approved yesterday: not asked yet
    confirmed = approved(event, days_ago=4)
    confirmed.attendance_confirmed_at = utcnow()
    approved(coming_event(days=-1), days_ago=9)  # the event has started
    run = remind_speakers(utcnow())
    assert (run.reminders, run.chases) == (0, 1)
    (chase,) = messages("chase")
    assert chase.registration_id == silent.id and chase.locale
    assert "whether you will come" in chase.body
    # Discarded by an organizer: not asked again either.
    chase.status = MessageStatus.DISCARDED
    assert remind_speakers(utcnow()).chases == 0
    assert remind_speakers(utcnow() + timedelta(days=3)).chases == 1  # the one approved late


def test_flask_remind_says_what_it_queued_for_speakers(app, runner):
    with app.app_context():
        approved(coming_event(days=1))
        db.session.commit()
    result = runner.invoke(args=["remind"])
    assert result.exit_code == 0, result.output
    assert "reminded 1 speakers of their event and asked 0 whether they will come" in (
        result.output
    )
    result = runner.invoke(args=["remind"])
    assert "reminded 0 speakers" in result.output


# --- the pages -----------------------------------------------------------------------------


@pytest.fixture
def speaker_link(app):
    with app.app_context():
        event = coming_event(speaking_slots=1)
        registration = approved(event)
        waiting = factories.registration(event=event, state=RegistrationState.WAITLISTED)
        link = services.private_link(services.issue_token(registration))
        db.session.commit()
        return {
            "link": link,
            "event": event.id,
            "registration": registration.id,
            "waiting": waiting.id,
        }


def test_the_speaker_says_yes_on_their_page_and_the_organizers_see_it(
    app, client, speaker_link, make_user
):
    page_url = open_private_link(client, speaker_link["link"])
    page = client.get(page_url).get_data(as_text=True)
    assert "Will you come?" in page and "Yes, I will come" in page
    assert "Withdraw my registration" not in page  # "I cannot come" is the way out
    response = submit(client, "/r/attendance", {}, form_url=page_url)
    assert response.status_code == 302
    page = client.get(page_url).get_data(as_text=True)
    assert "the organizers know that you will come" in page
    assert "You have told the organizers that you will come" in page
    assert "Yes, I will come" not in page

    organizer = app.test_client()
    sign_in(organizer, make_user(Role.ORGANIZER).email)
    queue = organizer.get(f"/manage/events/{speaker_link['event']}/registrations")
    assert "Will come" in queue.get_data(as_text=True)
    programme = organizer.get(f"/manage/events/{speaker_link['event']}/programme")
    assert "Will come" in programme.get_data(as_text=True)


def test_declining_needs_the_tick_then_gives_the_place_away(app, client, speaker_link):
    page_url = open_private_link(client, speaker_link["link"])
    refused = submit(client, "/r/decline", {}, form_url=page_url)
    assert refused.status_code == 400
    assert "Tick the box to confirm that you cannot come" in refused.get_data(as_text=True)
    response = submit(client, "/r/decline", {"decline-confirm": "y"}, form_url=page_url)
    assert response.status_code == 302
    page = client.get(page_url).get_data(as_text=True)
    assert "your place goes to the next speaker" in page and "Cannot come" in page
    with app.app_context():
        waiting = db.session.get(Registration, speaker_link["waiting"])
        assert waiting.state is RegistrationState.APPROVED


def test_the_question_in_chinese(app, client, speaker_link):
    page_url = open_private_link(client, speaker_link["link"])
    page = client.get(page_url, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "您会出席吗" in page and "是的，我会出席" in page
