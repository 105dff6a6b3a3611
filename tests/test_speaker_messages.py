"""An organizer writes to an event's speakers: placeholders, groups, languages, no resend."""

import re

import pytest
import sqlalchemy as sa

from talentday.audit.models import AuditEntry
from talentday.auth.models import Role, User
from talentday.database import utcnow
from talentday.extensions import db
from talentday.outbox.models import OutboxMessage
from talentday.outbox.services import text_to_send, text_to_show
from talentday.registrations import speaker_messages
from talentday.registrations.models import RegistrationState, TalentTeam
from talentday.registrations.privacy import anonymise_speaker
from talentday.registrations.speaker_messages import Audience, Wording
from tests import factories
from tests.conftest import sign_in, submit

WORDING = Wording(
    subject_en="{event}: see you soon",
    body_en="Dear {name},\n\nWe meet at {venue} on {when}. Your topic: {topic}.\n\n{link}",
    subject_zh="{event}：期待与您见面",
    body_zh="{name}您好：\n\n请于{when}到{venue}。您的专属链接：{link}",
)


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def salon(app_ctx, make_user):
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    event = factories.event(
        title="25th Talent Salon", title_zh="第二十五期人才沙龙", venue="Hall 1", venue_zh="一号厅"
    )

    def speaker(state, *, locale="en", team=TalentTeam.UNIVERSITY, **values):
        return factories.registration(
            event=event,
            speaker=factories.speaker(locale=locale, talent_team=team, **values),
            state=state,
            topic="Talent flats",
        )

    registrations = {
        "gao": speaker(RegistrationState.APPROVED, name="Gao Lizhi"),
        "wang": speaker(
            RegistrationState.APPROVED, locale="zh_Hans", name="王洪洋", team=TalentTeam.ENTERPRISE
        ),
        "chen": speaker(RegistrationState.WAITLISTED, name="Chen Jing"),
        "li": speaker(RegistrationState.SUBMITTED, name="Li Ming"),
        "zhou": speaker(RegistrationState.REJECTED, name="Zhou Qiang"),
        "sun": speaker(RegistrationState.UNCONFIRMED, name="Sun Hu"),
    }
    registrations["gao"].attendance_confirmed_at = utcnow()
    return {"organizer": organizer, "event": event, **registrations}


def names(registrations) -> set[str]:
    return {registration.speaker.name for registration in registrations}


def test_placeholders_are_replaced_and_nothing_else_runs():
    assert speaker_messages.unknown_placeholders("Hi {name}, {nom} {x.__class__} {}") == [
        "nom",
        "x.__class__",
        "",
    ]
    values = {"name": "Gao"}
    assert speaker_messages.fill("Hi {name} {{7*7}} {nom}", values) == "Hi Gao {{7*7}} {nom}"
    assert speaker_messages.fill("{name.__class__}", values) == "{name.__class__}"


def test_each_group_is_who_it_says(salon):
    event = salon["event"]
    assert names(speaker_messages.recipients(event, Audience.ALL)) == {
        "Gao Lizhi",
        "王洪洋",
        "Chen Jing",
        "Li Ming",
    }
    assert names(speaker_messages.recipients(event, Audience.APPROVED)) == {"Gao Lizhi", "王洪洋"}
    assert names(speaker_messages.recipients(event, Audience.NOT_CONFIRMED)) == {"王洪洋"}
    assert names(speaker_messages.recipients(event, Audience.WAITLISTED)) == {"Chen Jing"}
    assert names(speaker_messages.recipients(event, Audience.SUBMITTED)) == {"Li Ming"}
    assert names(speaker_messages.recipients(event, Audience.UNCONFIRMED)) == {"Sun Hu"}
    assert names(speaker_messages.recipients(event, Audience.APPROVED, TalentTeam.ENTERPRISE)) == {
        "王洪洋"
    }
    anonymise_speaker(salon["wang"].speaker, by=None)
    assert names(speaker_messages.recipients(event, Audience.APPROVED)) == {"Gao Lizhi"}


def test_each_speaker_gets_one_copy_in_their_language_with_their_link(app, salon):
    count = speaker_messages.send(
        salon["event"], Audience.APPROVED, WORDING, by=salon["organizer"], batch="b1"
    )
    assert count == 2
    english, chinese = outbox()
    assert english.to_email == salon["gao"].speaker.email and english.locale == "en"
    assert english.subject == "25th Talent Salon: see you soon"
    assert "Dear Gao Lizhi," in english.body and "at Hall 1 on" in english.body
    assert "Your topic: Talent flats." in english.body
    assert chinese.subject == "第二十五期人才沙龙：期待与您见面"
    assert "王洪洋您好" in chinese.body and "到一号厅" in chinese.body
    # The link is made when sent, never kept in the outbox.
    assert not re.search(r"/r/\S+", english.body)
    assert "/r/" in text_to_send(english) and "/r/" not in text_to_show(english)
    (entry,) = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "speakers_messaged")
    )
    assert entry.details["speakers"] == 2 and entry.actor_id == salon["organizer"].id


def test_a_language_left_empty_is_written_in_the_other(salon):
    only_english = Wording(subject_en="Hello", body_en="Dear {name}")
    speaker_messages.send(
        salon["event"], Audience.APPROVED, only_english, by=salon["organizer"], batch="b"
    )
    assert [m.subject for m in outbox()] == ["Hello", "Hello"]
    assert "Dear 王洪洋" in outbox()[1].body
    # Without {link} in the text, the link is added below it.
    assert "Your private link" in outbox()[0].body


def test_a_subject_made_long_by_its_placeholders_is_cut_to_what_the_outbox_keeps(salon):
    long = Wording(subject_en="{event} " * 40, body_en="Hello")
    speaker_messages.send(salon["event"], Audience.APPROVED, long, by=salon["organizer"], batch="l")
    db.session.flush()
    subjects = [message.subject for message in outbox()]
    assert subjects and all(len(s) == 300 and s.endswith("…") for s in subjects)


def test_the_same_message_posted_twice_goes_once(salon):
    event, organizer = salon["event"], salon["organizer"]
    assert speaker_messages.send(event, Audience.ALL, WORDING, by=organizer, batch="x") == 4
    assert speaker_messages.send(event, Audience.ALL, WORDING, by=organizer, batch="x") == 0
    assert len(outbox()) == 4
    assert speaker_messages.send(event, Audience.ALL, WORDING, by=organizer, batch="y") == 4


# --- the pages -----------------------------------------------------------------------------


@pytest.fixture
def page_salon(app, make_user):
    organizer = make_user(Role.ORGANIZER)
    with app.app_context():
        event = factories.event(title="25th Talent Salon")
        for index, state in enumerate((RegistrationState.APPROVED,) * 3):
            factories.registration(
                event=event,
                speaker=factories.speaker(name=f"Speaker {index}", locale="en"),
                state=state,
            )
        factories.registration(event=event, state=RegistrationState.WAITLISTED)
        db.session.commit()
        return {"event": event.id, "organizer": organizer}


FORM = {
    "audience": "approved",
    "team": "",
    "subject_en": "See you on Friday",
    "body_en": "Dear {name}, the salon is at {venue}.",
    "subject_zh": "",
    "body_zh": "",
    "batch": "page-batch",
}


def test_preview_shows_the_count_and_a_copy_then_send_queues_them(app, page_salon):
    client = app.test_client()
    sign_in(client, page_salon["organizer"].email)
    url = f"/manage/events/{page_salon['event']}/message"
    assert client.get(url).status_code == 200
    preview = submit(client, url, {**FORM, "step": "preview"}).get_data(as_text=True)
    assert "It goes to 3 speakers." in preview
    assert "Dear Speaker 0, the salon is at" in preview
    assert "Send to 3 speakers" in preview
    with app.app_context():
        assert outbox() == []
    sent = submit(client, url, {**FORM, "step": "send"})
    assert sent.status_code == 302
    again = submit(client, url, {**FORM, "step": "send"}, follow_redirects=True)
    assert "had been sent already" in again.get_data(as_text=True)
    with app.app_context():
        assert len(outbox()) == 3


def test_mistakes_are_shown_at_their_fields_and_the_text_is_kept(app, page_salon):
    client = app.test_client()
    sign_in(client, page_salon["organizer"].email)
    url = f"/manage/events/{page_salon['event']}/message"
    bad = {
        **FORM,
        "subject_en": "Hello {link}",
        "body_en": "Dear {nom}, come",
        "subject_zh": "你好",
        "step": "preview",
    }
    response = submit(client, url, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "{nom} is not a placeholder. Use only {name}, {event}" in page
    assert "Put {link} in the text" in page
    assert "Write the text that goes with this subject" in page
    assert "Dear {nom}, come" in page  # the typed text is kept
    empty = submit(client, url, {**FORM, "subject_en": "", "body_en": "", "step": "preview"})
    assert "Write the message in English, in Chinese or in both" in empty.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.DEPARTMENT_STAFF, Role.LEADER, Role.ADMIN])
def test_only_organizers_write_to_speakers(app, page_salon, make_user, make_unit, role):
    unit_id = make_unit().id if role is Role.DEPARTMENT_STAFF else None
    client = app.test_client()
    sign_in(client, make_user(role, unit_id=unit_id).email)
    url = f"/manage/events/{page_salon['event']}/message"
    assert client.get(url).status_code in (403, 404)
    with app.app_context():
        assert outbox() == []


def test_the_page_in_chinese(app, page_salon):
    client = app.test_client()
    sign_in(client, page_salon["organizer"].email)
    url = f"/manage/events/{page_salon['event']}/message"
    page = client.get(url, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "致发言人" in page and "占位符" in page
