"""Every message says what happened and carries the link to act, in text and in HTML."""

import re
from datetime import date

import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup import reminders, services
from talentday.outbox.models import OutboxMessage
from talentday.outbox.services import send_pending
from talentday.registrations import services as registration_services
from talentday.registrations.models import RegistrationState
from talentday.units.models import ResponsibleUnit
from tests import factories


def body_of(kind: str) -> str:
    return db.session.scalar(
        sa.select(OutboxMessage.body)
        .where(OutboxMessage.kind == kind)
        .order_by(OutboxMessage.id.desc())
    )


def test_a_sent_message_has_a_text_and_an_html_part_with_the_link_to_tap(app_ctx, smtp):
    event = factories.event(title="<b>25th</b> Talent Salon")
    speaker = factories.speaker(name="Gao <script>Lizhi</script>", locale="zh_Hans")
    registration = factories.registration(event=event, speaker=speaker)
    registration_services._tell_speaker(registration, "received")
    db.session.commit()
    assert send_pending() == (1, 0)
    sent = smtp.sent[0]
    text = sent.get_body(("plain",)).get_content()
    html = sent.get_body(("html",)).get_content()
    link = re.search(r"http://localhost/r/\S+", text).group(0)
    assert f'<a href="{link}">{link}</a>' in html
    assert '<html lang="zh-Hans">' in html
    assert "<script>" not in html and "&lt;script&gt;Lizhi&lt;/script&gt;" in html
    assert "&lt;b&gt;25th&lt;/b&gt;" in html
    assert text.count("\n\n") + 1 == html.count("<p>"), "one paragraph for each of the text's"


def test_an_address_in_chinese_text_links_only_the_address():
    """Found by the attack on key items: an instruction with Chinese words written straight
    after an address made those words part of the link."""
    from talentday.outbox.services import _linked

    line = "按照https://zjj.huaian.gov.cn/art/2026/a.html?id=3的要求，本月底前选定地块。"
    html = str(_linked(line))
    address = "https://zjj.huaian.gov.cn/art/2026/a.html?id=3"
    assert html == f'按照<a href="{address}">{address}</a>的要求，本月底前选定地块。'
    english = str(_linked("See https://example.com/a_b-c~d%20e, then reply."))
    assert '<a href="https://example.com/a_b-c~d%20e">' in english and "</a>, then" in english


def test_unit_messages_link_to_the_item(app_ctx, make_user, make_unit):
    lead_id = make_unit(name="Housing Bureau").id
    organizer_id = make_user(Role.ORGANIZER).id
    make_user(Role.DEPARTMENT_STAFF, unit_id=lead_id)
    lead, organizer = db.session.get(ResponsibleUnit, lead_id), db.session.get(User, organizer_id)
    item = factories.item()
    services.assign(
        item, lead_unit=lead, co_units=[], due_on=date(2026, 10, 20), instructions="",
        by=organizer, today=date(2026, 9, 25),
    )  # fmt: skip
    services.urge(item, note="This week, please.", by=organizer)
    db.session.commit()
    address = f"http://localhost/followup/items/{item.id}"
    assert address in body_of("item_assigned") and address in body_of("item_urged")
    reminders.remind(date(2026, 10, 22))
    db.session.commit()
    assert address in body_of("unit_digest")
    assert "http://localhost/followup/" in body_of("organizer_summary")


def test_the_approval_says_when_where_and_which_slot_and_leaves_out_what_is_empty(app_ctx):
    with_venue = factories.event(venue="Conference Hall 1")
    for order, minutes in ((1, 10), (2, 12)):
        factories.registration(
            event=with_venue,
            state=RegistrationState.APPROVED,
            speaking_order=order,
            speaking_minutes=minutes,
        )
    registration = factories.registration(
        event=with_venue, state=RegistrationState.APPROVED, speaking_order=3, speaking_minutes=8
    )
    registration_services._tell_speaker(registration, "approved")
    body = body_of("approved")
    assert "at Conference Hall 1" in body
    assert "You speak as number 3 in the programme." in body
    assert "Your turn is planned for 14:52–15:00 (Beijing time)." in body, "14:30 + 10 + 12"
    assert "You have 8 minutes to speak." in body

    no_venue = factories.event(venue="")
    registration = factories.registration(event=no_venue, state=RegistrationState.APPROVED)
    registration_services._tell_speaker(registration, "approved")
    body = body_of("approved")
    assert re.search(r"Please be there on [^\n]+ 14:30\.\n", body), "no “at ” with nothing after"
    assert "number" not in body and "minutes to speak" not in body and "turn" not in body


def test_chinese_messages_put_no_ascii_punctuation_after_chinese_text(
    app_ctx, make_user, make_unit
):
    lead_id = make_unit(name="Housing Bureau", name_zh="市住建局").id
    organizer_id = make_user(Role.ORGANIZER, locale="zh_Hans").id
    make_user(Role.DEPARTMENT_STAFF, unit_id=lead_id, locale="zh_Hans")
    lead, organizer = db.session.get(ResponsibleUnit, lead_id), db.session.get(User, organizer_id)
    item = factories.item()
    services.assign(
        item, lead_unit=lead, co_units=[], due_on=date(2026, 10, 20), instructions="",
        by=organizer, today=date(2026, 9, 25),
    )  # fmt: skip
    db.session.commit()
    reminders.remind(date(2026, 10, 22))
    db.session.commit()
    for kind in ("item_assigned", "unit_digest", "organizer_summary"):
        body = body_of(kind)
        assert not re.search(r"[\u4e00-\u9fff）][:,;(]", body), (kind, body)
