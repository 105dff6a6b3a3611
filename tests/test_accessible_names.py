"""Issue 10: links and figures named so that a screen reader's list of links or of form
landmarks says what each one is, not "#12" or "12" a hundred times."""

import re

import sqlalchemy as sa

from talentday.auth.models import Role
from talentday.extensions import db
from talentday.followup.models import FollowUpItem
from talentday.outbox.models import OutboxMessage
from tests import factories
from tests.conftest import sign_in


def test_item_links_are_named_by_their_content(app, client, make_user):
    with app.app_context():
        item = factories.item(content="More talent apartments near the science park")
        db.session.commit()
        item_id = item.id
    sign_in(client, make_user(Role.ORGANIZER).email)
    page = client.get("/followup/").get_data(as_text=True)
    link = re.search(rf'<a href="/followup/items/{item_id}">(.*?)</a>', page).group(1)
    assert re.sub(r"<[^>]+>", "", link) == (
        f"#{item_id}: More talent apartments near the science park"
    )


def test_outbox_links_are_named_by_subject_and_recipient(app, client, make_user):
    with app.app_context():
        for name in ("Gao Lizhi", "Wen Qiaoyun"):
            db.session.add(
                OutboxMessage(kind="approved", to_email="x@example.com", to_name=name,
                              subject="Your registration is approved", body="B")
            )  # fmt: skip
        db.session.commit()
    sign_in(client, make_user(Role.ORGANIZER).email)
    page = client.get("/manage/outbox/").get_data(as_text=True)
    names = [
        re.sub(r"<[^>]+>", "", link)
        for link in re.findall(r'<a href="/manage/outbox/\d+">(.*?)</a>', page)
    ]
    assert names == [
        "Your registration is approved, to Wen Qiaoyun",
        "Your registration is approved, to Gao Lizhi",
    ]


def test_each_dashboard_figure_is_the_definition_of_its_label(app, client, make_user):
    with app.app_context():
        factories.item()
        db.session.commit()
    sign_in(client, make_user(Role.LEADER).email)
    page = client.get("/dashboard/").get_data(as_text=True)
    cards = re.findall(r'<dl class="card-body[^"]*">(.*?)</dl>', page, re.S)
    assert cards, "the figures are description lists"
    for card in cards:
        term = re.search(r"<dt[^>]*>(.*?)</dt>", card, re.S).group(1).strip()
        value = re.search(r"<dd[^>]*>(.*?)</dd>", card, re.S).group(1)
        assert term and "data-figure" in value, card


def test_each_rating_form_is_named_by_its_suggestion(app, make_user):
    from talentday.followup.models import ItemState
    from talentday.registrations import services as registrations
    from tests.conftest import open_private_link

    with app.app_context():
        registration = factories.registration()
        item = factories.item(
            registration=registration, speaker=registration.speaker, event=registration.event,
            state=ItemState.RESOLVED, result="Flats are being built.",
            content="Build flats for young engineers",
        )  # fmt: skip
        token = registrations.issue_token(registration)
        db.session.commit()
        item_id = item.id
    speaker = app.test_client()
    page = speaker.get(open_private_link(speaker, f"/r/{token}")).get_data(as_text=True)
    form = re.search(r'<form[^>]*/rating"[^>]*aria-labelledby="([^"]+)"', page)
    assert form, "the rating form is named"
    named = re.search(rf'id="{form.group(1)}">([^<]*)<', page).group(1)
    assert named == "Build flats for young engineers"
    with app.app_context():
        assert db.session.scalar(sa.select(FollowUpItem.id)) == item_id
