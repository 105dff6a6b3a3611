"""Organizers change the wording of every message the system sends, per language."""

import re

import pytest
import sqlalchemy as sa

from talentday.audit.models import AuditEntry
from talentday.auth import reset as password_reset
from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.outbox import message_templates
from talentday.outbox.message_templates import KINDS, body_problems, subject_problems
from talentday.outbox.models import MessageTemplate, OutboxMessage
from talentday.outbox.services import text_to_send, text_to_show
from talentday.registrations import services as registrations
from talentday.registrations.models import RegistrationState
from tests import factories
from tests.conftest import sign_in, submit

LANGUAGES = ("en", "zh_Hans")
APPROVED = KINDS["registration_approved"]
CHINESE_APPROVAL = (
    "{name}您好：\n\n恭喜！您在{event}的发言已确定。\n{when_and_where}\n\n{will_you_come}\n\n"
    "{private_link}\n\n{organizer_message}\n\n--\n{host}\n"
)


def outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def salon(app_ctx, make_user):
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    event = factories.event(
        title="25th Talent Salon", title_zh="第二十五期人才沙龙", venue="Hall 1", venue_zh="一号厅"
    )

    def registration(name, locale):
        return factories.registration(
            event=event,
            speaker=factories.speaker(name=name, locale=locale),
            state=RegistrationState.SUBMITTED,
            topic="Talent flats",
        )

    return {
        "organizer": organizer,
        "event": event,
        "wang": registration("王洪洋", "zh_Hans"),
        "gao": registration("Gao Lizhi", "en"),
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_default_wording_is_one_an_organizer_could_save(app_ctx, language):
    """The editor shows each default as a wording: only the kind's own placeholders, the one
    the message is for kept, no template code left over."""
    for kind in KINDS.values():
        subject, body = message_templates.default_wording(kind, language)
        assert body_problems(kind, body) == [], kind.key
        assert subject_problems(kind, subject) == [], kind.key
        assert "{{" not in body and "{%" not in body and subject.strip(), kind.key
        if language == "zh_Hans":
            # Translated: no English sentence left in the Chinese default.
            assert subject != message_templates.default_wording(kind, "en")[0], kind.key
            assert not re.search(r"[A-Za-z]{4,} [a-z]{3,}", re.sub(r"\{\w+\}", "", body)), kind.key


def test_a_chinese_wording_is_sent_to_chinese_speakers_only(salon):
    organizer = salon["organizer"]
    assert message_templates.save(
        APPROVED, "zh_Hans", "{event}：发言确认", CHINESE_APPROVAL, by=organizer
    )
    db.session.commit()
    registrations.decide(salon["wang"], RegistrationState.APPROVED, by=organizer)
    registrations.decide(salon["gao"], RegistrationState.APPROVED, by=organizer)
    db.session.commit()
    chinese, english = outbox()
    assert chinese.subject == "第二十五期人才沙龙：发言确认"
    sent = text_to_send(chinese)
    assert sent.startswith("王洪洋您好：\n\n恭喜！您在第二十五期人才沙龙的发言已确定。\n请于")
    assert "一号厅" in sent and "/r/" in sent
    assert "{" not in sent  # every placeholder was filled
    # The organizers reading the outbox see no private link.
    assert "/r/" not in text_to_show(chinese)
    # An English reader still gets the default.
    assert english.subject == "Your registration is approved"
    assert "Your registration to speak at 25th Talent Salon is approved." in english.body


def test_a_speakers_typed_braces_are_never_filled(salon):
    """A name is a value, not a wording: "{link}" in it stays as typed."""
    salon["gao"].speaker.name = "Gao {link} {name.__class__}"
    registrations.decide(salon["gao"], RegistrationState.APPROVED, by=salon["organizer"])
    db.session.commit()
    [message] = outbox()
    assert message.body.startswith("Dear Gao {link} {name.__class__},")
    assert text_to_send(message).startswith("Dear Gao {link} {name.__class__},")


def test_an_empty_paragraph_leaves_no_run_of_blank_lines(salon):
    """No message from the organizers: its paragraph is empty, and no gap is left."""
    registrations.decide(salon["gao"], RegistrationState.APPROVED, by=salon["organizer"])
    db.session.commit()
    [message] = outbox()
    assert "\n\n\n" not in message.body
    assert message.body.rstrip().endswith("--\nTalentDay")


def test_a_saved_wording_equal_to_the_default_is_no_wording_of_their_own(salon):
    subject, body = message_templates.default_wording(APPROVED, "en")
    assert not message_templates.save(APPROVED, "en", subject, body, by=salon["organizer"])
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MessageTemplate)) == 0


def test_an_edited_password_reset_still_carries_a_working_link(app_ctx, make_user):
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    user = make_user(Role.DEPARTMENT_STAFF)
    kind = KINDS["password_reset"]
    message_templates.save(
        kind, "en", "New password", "Hello {name}, open {link} within {duration}.", by=organizer
    )
    password_reset.request_reset(user.email)
    db.session.commit()
    [message] = outbox()
    assert message.subject == "New password"
    sent = text_to_send(message)
    assert re.search(r"open http://localhost/reset-password/\S+ within 1 hour\.", sent), sent


def test_unusable_wordings_are_refused():
    footer = "{private_link}\n{organizer_message}\n{will_you_come}"
    assert body_problems(APPROVED, f"Dear {{nom}}, {footer}")  # unknown
    assert body_problems(APPROVED, f"Dear {{name}}, {{name.__class__}} {footer}")  # not a name
    assert body_problems(APPROVED, "Dear {name}.\n{organizer_message}\n{will_you_come}")
    assert body_problems(APPROVED, f"Dear {{name}}, {footer}") == []
    assert (
        body_problems(APPROVED, "Dear {name}, {link}\n{organizer_message}\n{will_you_come}") == []
    )
    assert subject_problems(APPROVED, "{link}")  # a link is never in a subject
    assert subject_problems(APPROVED, "{when_and_where}")  # nor a paragraph
    assert subject_problems(APPROVED, "{event}: approved") == []
    assert body_problems(KINDS["unit_digest"], "Dear {name}")  # the list is what it is for


def test_what_a_decision_promises_the_speaker_cannot_be_dropped():
    """The decision form says its message is "added to the email each chosen speaker
    receives", and an approval asks whether the speaker will come: no wording loses either."""
    assert body_problems(APPROVED, "Dear {name}, {private_link}\n{will_you_come}")
    assert body_problems(APPROVED, "Dear {name}, {private_link}\n{organizer_message}")
    assert body_problems(KINDS["registration_reminder"], "{private_link}\n{organizer_message}")


def test_the_speakers_result_message_keeps_their_own_link():
    """Found from outside: the result message could keep only the staff's link to the item,
    which a speaker cannot open, and then they could not rate the answer."""
    resolved = KINDS["item_resolved"]
    assert body_problems(resolved, "Dear {name}, answered. {item_link}")
    assert body_problems(resolved, "Dear {name}, answered.\n{private_link}") == []


@pytest.mark.parametrize(
    "body",
    [
        "Open https://help.example/go?to={link} now",  # the link sent on to another site
        "Open ({link})",
        "Open {link}.",
    ],
)
def test_nothing_may_be_joined_to_a_link(body):
    """Found from outside: a reset link glued to another address went to that site."""
    reset = KINDS["password_reset"]
    assert body_problems(reset, body)
    assert body_problems(reset, "Open this link:\n{link}\nwithin {duration}.") == []
    assert body_problems(reset, "Open {link} within {duration}.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Dear ｛name｝, {link}",  # braces from a Chinese keyboard
        "Dear {{name}}, {link}",
        "Dear {name}\u202e, {link}",
        "{link} " + "{name} " * 60,
    ],
)
def test_mistyped_or_runaway_placeholders_are_refused(text):
    assert body_problems(KINDS["password_reset"], text)


def test_a_paragraph_is_used_once():
    assert body_problems(
        APPROVED, "{private_link}\n{organizer_message}\n{will_you_come}\n{when_and_where}" * 2
    )


# --- the pages ---------------------------------------------------------------------------


def _edit_url(key="registration_approved", language="zh_Hans"):
    return f"/manage/messages/{key}/{language}"


def test_organizer_previews_saves_and_resets_a_wording(client, salon):
    db.session.commit()
    sign_in(client, salon["organizer"].email)
    index = client.get("/manage/messages/")
    assert index.status_code == 200 and _edit_url() in index.text

    page = client.get(_edit_url())
    assert "{when_and_where}" in page.text and "尊敬的{name}" in page.text
    # The default is shown at once, with the latest registration.
    assert "Gao Lizhi" in page.text or "王洪洋" in page.text

    # A preview keeps nothing and shows the wording with the latest real registration.
    data = {"subject": "{event}：发言确认", "body": CHINESE_APPROVAL, "step": "preview"}
    preview = submit(client, _edit_url(), data)
    assert preview.status_code == 200
    assert "第二十五期人才沙龙：发言确认" in preview.text
    assert "Gao Lizhi您好" in preview.text  # the latest registration
    assert "［发言人的专属链接，发送时填入］" in preview.text  # the link is made when sent
    assert message_templates.saved_wording("registration_approved", "zh_Hans") is None

    saved = submit(client, _edit_url(), {**data, "step": "save"}, follow_redirects=True)
    assert "恭喜！您在{event}的发言已确定。" in saved.text
    assert message_templates.saved_wording("registration_approved", "zh_Hans") is not None
    assert "registration_approved" in client.get("/manage/messages/").text

    submit(client, _edit_url() + "/reset", {}, form_url=_edit_url())
    db.session.expire_all()
    assert message_templates.saved_wording("registration_approved", "zh_Hans") is None
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [entry.action for entry in entries[-2:]] == [
        "message_template_saved",
        "message_template_reset",
    ]
    # Who wrote what is kept.
    assert entries[-2].details["text"].startswith("{name}您好：")


def test_an_unknown_placeholder_is_shown_at_its_field_with_the_text_kept(client, salon):
    db.session.commit()
    sign_in(client, salon["organizer"].email)
    body = "Dear {nom},\n\n{private_link}\n{organizer_message}\n{will_you_come}\n"
    response = submit(
        client, _edit_url(language="en"), {"subject": "Hi {link}", "body": body, "step": "save"}
    )
    assert response.status_code == 400
    assert "{nom} is not a placeholder." in response.text
    assert "{link} cannot be in a subject." in response.text
    assert "Dear {nom}," in response.text  # what was typed is kept
    assert 'id="template-preview"' not in response.text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MessageTemplate)) == 0


def test_only_organizers_reach_the_wordings(client, salon, make_user):
    db.session.commit()
    staff = make_user(Role.DEPARTMENT_STAFF)
    sign_in(client, staff.email)
    assert client.get("/manage/messages/").status_code == 403
    assert client.get(_edit_url()).status_code == 403
    body = "{private_link}"
    response = submit(client, _edit_url(), {"subject": "x", "body": body, "step": "save"},
                      form_url="/")  # fmt: skip
    assert response.status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MessageTemplate)) == 0


def test_an_unknown_kind_or_language_is_not_found(client, salon):
    db.session.commit()
    sign_in(client, salon["organizer"].email)
    assert client.get(_edit_url(key="speaker_message")).status_code == 404
    assert client.get(_edit_url(language="fr")).status_code == 404


def test_the_audit_log_names_the_message_and_its_language(salon):
    from talentday.audit.services import detail_lines

    message_templates.save(
        APPROVED, "zh_Hans", "{event}：发言确认", CHINESE_APPROVAL, by=salon["organizer"]
    )
    db.session.commit()
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "message_template_saved")
    ).one()
    lines = {label: (value, code) for label, value, code in detail_lines(entry)}
    assert lines["Message"] == ("Registration approved", False)
    assert lines["Language"] == ("Chinese", False)
    assert lines["Message text"][0] == CHINESE_APPROVAL
