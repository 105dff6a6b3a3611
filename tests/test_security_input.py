"""Hostile characters: refused at every text field, and one bad message never stops the mail.

Issue 8, finding 2: a name such as ``Eve\\r\\nBcc: x@evil.example`` or one with a vertical tab
used to reach the outbox, and `flask send-mail` then crashed on that message on every run.
"""

import importlib
import pkgutil

import pytest
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

import talentday
from talentday.extensions import db
from talentday.forms import BaseForm, has_forbidden_characters
from talentday.outbox.models import MessageStatus, OutboxMessage
from talentday.outbox.services import queue_message, send_pending
from talentday.registrations.models import Registration, Speaker
from tests import factories
from tests.conftest import submit
from tests.test_registration_pages import GOOD, count, register_url


@pytest.mark.parametrize(
    "name",
    [
        "Eve\r\nBcc: x@evil.example",
        "Eve\nBcc: x@evil.example",
        "Eve\x0bAdams",
        "Eve\u2028Adams",
        "Eve\u202eAdams",
        "Eve\tAdams",
    ],
)
def test_a_single_line_field_refuses_control_characters_at_the_field(app, client, event_id, name):
    response = submit(client, register_url(event_id), {**GOOD, "name": name})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="#name"' in page
    assert "Remove line breaks, tabs and other invisible characters" in page
    assert 'value="Jiangsu FTR Communication Co., Ltd."' in page, "the rest is kept"
    assert count(app, Registration) == 0 and count(app, Speaker) == 0


def test_a_nul_anywhere_in_a_form_is_refused_before_the_form(app, client, event_id):
    # PostgreSQL cannot store NUL: talentday.security refuses it in every request.
    response = submit(client, register_url(event_id), {**GOOD, "name": "Eve\x00Adams"})
    assert response.status_code == 400
    assert count(app, Registration) == 0


def test_multi_line_text_keeps_its_line_breaks_but_not_other_controls(app, client, event_id):
    response = submit(client, register_url(event_id), {**GOOD, "summary": "One\r\nTwo\x07"})
    assert response.status_code == 200
    assert "Remove the invisible control characters from this text" in response.get_data(
        as_text=True
    )
    assert count(app, Registration) == 0

    response = submit(client, register_url(event_id), {**GOOD, "summary": "One\r\nTwo\tthree"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Registration.summary)) == "One\r\nTwo\tthree"


def test_nested_fields_are_checked_too(app, client, event_id):
    with app.app_context():
        category_id = factories.category().id
        db.session.commit()
    response = submit(
        client,
        register_url(event_id),
        {
            **GOOD,
            "suggestions-0-category": str(category_id),
            "suggestions-0-content": "Talent flats\x1b[31m",
        },
    )
    assert response.status_code == 200
    assert 'href="#suggestions-0-content"' in response.get_data(as_text=True)
    assert count(app, Registration) == 0


def test_ordinary_text_in_any_script_passes():
    for text in ("王红阳", "Zoë O'Brien-Łukasz", "محمد", "emoji 🎉 ok", "a\u200db"):
        assert not has_forbidden_characters(text, multiline=False)


def test_overrides_surrogates_and_non_characters_are_refused_in_long_text_too():
    # "pay \u202egnp.exe" shows as "pay exe.png": a suggestion or a note can mislead the
    # unit that acts on it as much as a name. A lone surrogate comes only through JSON.
    for text in ("pay \u202egnp.exe", "a\ud800b", "x\uffffy", "\u2066isolated\u2069"):
        assert has_forbidden_characters(text, multiline=True), repr(text)
        assert has_forbidden_characters(text, multiline=False), repr(text)
    # Line breaks, tabs and the marks some scripts need stay allowed in long text.
    for text in ("One\r\nTwo\tthree", "محمد\u200f (PhD)", "a\u2029b"):
        assert not has_forbidden_characters(text, multiline=True), repr(text)


def test_every_form_of_the_application_refuses_control_characters():
    # A form that forgets the base class would let control characters in again.
    for module in pkgutil.walk_packages(talentday.__path__, "talentday."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [cls for cls in subclasses(FlaskForm) if cls.__module__.startswith("talentday.")]
    assert len(ours) > 10
    assert [cls for cls in ours if not issubclass(cls, BaseForm)] == []


def _queue(to_name: str) -> OutboxMessage:
    event = factories.event(title="25th Talent Salon")
    return queue_message(
        kind="received",
        to_email=f"{len(to_name)}@example.com",
        to_name=to_name,
        locale="en",
        template="registration_received",
        subject=_l("We have received your registration"),
        event=event,
        registration=factories.registration(event=event),
    )


def test_one_message_that_cannot_be_written_does_not_stop_the_others(app_ctx, smtp, runner):
    # Stored before input was checked, or by a path that does not check it.
    bad = _queue("Eve\r\nBcc: x@evil.example")
    odd = _queue("Eve\x0bAdams")
    good = _queue("Gao Lizhi")
    db.session.commit()

    result = runner.invoke(args=["send-mail"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    db.session.expire_all()
    assert good.status is MessageStatus.SENT
    assert bad.status is MessageStatus.FAILED and bad.last_error
    assert "x@evil.example" not in " ".join(str(m) for m in smtp.sent)
    assert odd.status in (MessageStatus.SENT, MessageStatus.FAILED)

    # A message that cannot be written is not tried again on every run.
    attempts = bad.attempts
    send_pending()
    db.session.expire_all()
    assert bad.attempts == attempts and bad.status_label == "Failed, not retried"
