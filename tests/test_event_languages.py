"""An event's texts in two languages: each reader sees theirs, and the other when it is missing."""

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.events import services
from talentday.events.models import Event, EventState
from talentday.extensions import db
from talentday.outbox.models import OutboxMessage
from tests import factories
from tests.conftest import sign_in, submit
from tests.test_events import FORM, details

CHINESE = {"Accept-Language": "zh-CN"}
ENGLISH = {"Accept-Language": "en"}


def published(app, **texts) -> int:
    with app.app_context():
        event = factories.event(state=EventState.PUBLISHED, **texts)
        db.session.commit()
        return event.id


def test_each_reader_sees_the_event_in_their_language(app, client):
    event_id = published(
        app,
        title="24th Talent Salon",
        title_zh="第二十四期人才沙龙",
        theme="Industry and talent",
        theme_zh="深化产才融合",
        venue="Conference Hall 1",
        venue_zh="第一会议室",
        attending_leaders="Chen Zhichang\nSun Hu",
        attending_leaders_zh="陈之常\n孙虎",
    )
    chinese = client.get(f"/events/{event_id}", headers=CHINESE).get_data(as_text=True)
    assert "<title>第二十四期人才沙龙" in chinese
    assert "深化产才融合" in chinese and "第一会议室" in chinese and "孙虎" in chinese
    assert "24th Talent Salon" not in chinese and "Conference Hall 1" not in chinese
    english = client.get(f"/events/{event_id}", headers=ENGLISH).get_data(as_text=True)
    assert "<title>24th Talent Salon" in english and "Conference Hall 1" in english
    assert "第二十四期" not in english and "孙虎" not in english


def test_a_text_missing_in_one_language_is_shown_in_the_other(app, client):
    event_id = published(app, title="25th Talent Salon", theme="", theme_zh="聚焦主导产业")
    chinese = client.get(f"/events/{event_id}", headers=CHINESE).get_data(as_text=True)
    assert "25th Talent Salon" in chinese, "no Chinese title: the one there is"
    english = client.get(f"/events/{event_id}", headers=ENGLISH).get_data(as_text=True)
    assert "聚焦主导产业" in english, "a theme typed only in Chinese still shows"


def test_messages_to_a_chinese_reader_name_the_event_in_chinese(app, client):
    event_id = published(
        app, title="24th Talent Salon", title_zh="第二十四期人才沙龙", venue_zh="第一会议室"
    )
    with app.app_context():
        event = db.session.get(Event, event_id)
        registration = factories.registration(
            event=event, speaker=factories.speaker(locale="zh_Hans")
        )
        from talentday.registrations.services import _tell_speaker

        _tell_speaker(registration, "received")
        _tell_speaker(
            factories.registration(event=event, speaker=factories.speaker(locale="en")),
            "received",
        )
        db.session.commit()
        bodies = {
            message.locale: message.body for message in db.session.scalars(sa.select(OutboxMessage))
        }
    assert "第二十四期人才沙龙" in bodies["zh_Hans"] and "24th" not in bodies["zh_Hans"]
    assert "24th Talent Salon" in bodies["en"] and "第二十四期" not in bodies["en"]


def test_the_organizer_types_the_chinese_texts_and_finds_them_again(app, client, make_user):
    sign_in(client, make_user(Role.ORGANIZER).email)
    response = submit(
        client,
        "/manage/events/new",
        {
            **FORM,
            "title_zh": "第二十五期人才沙龙",
            "venue_zh": "  ",
            "attending_leaders_zh": "孙虎",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(sa.select(Event))
        assert event.title_zh == "第二十五期人才沙龙" and event.attending_leaders_zh == "孙虎"
        assert event.venue_zh is None, "blank means: show the venue above"
        event_id = event.id
    form = client.get(f"/manage/events/{event_id}/edit").get_data(as_text=True)
    assert 'value="第二十五期人才沙龙"' in form
    assert 'lang="zh-Hans"' in form, "screen readers read the Chinese fields as Chinese"


@pytest.mark.parametrize(
    ("title", "edition", "expected"),
    [
        ("第二十四期党政亲商会暨“尚贤会”人才沙龙", 24, "第二十五期党政亲商会暨“尚贤会”人才沙龙"),
        ("第24期人才沙龙", 24, "第25期人才沙龙"),
        ("第九期人才沙龙", 9, "第十期人才沙龙"),
        ("第十九期人才沙龙", 19, "第二十期人才沙龙"),
        ("第九十九期", 99, "第一百期"),
        ("第一百零五期", 105, "第一百零六期"),
        ("人才沙龙", 24, "人才沙龙"),
    ],
)
def test_the_next_edition_raises_a_chinese_number(app_ctx, make_user, title, edition, expected):
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    source = services.save_event(
        None, details(edition=edition, title=f"{edition}th salon", title_zh=title), by=organizer
    )
    following = services.details_for_next_edition(source)
    assert following.title_zh == expected
    assert following.venue_zh == source.venue_zh and following.theme_zh is None
