"""Personal data: the consent on record, erasure on request, retention, and what is left."""

import pytest
import sqlalchemy as sa

from talentday.audit.models import AuditEntry
from talentday.auth.models import Role, User
from talentday.extensions import db
from talentday.followup.models import FollowUpItem, ItemState
from talentday.outbox.models import OutboxMessage
from talentday.outbox.services import queue_message
from talentday.registrations import privacy
from talentday.registrations import services as registration_services
from talentday.registrations.consent import CONSENT_VERSION
from talentday.registrations.models import Registration, RegistrationState, Speaker
from tests import factories
from tests.conftest import sign_in, submit
from tests.test_registration_pages import GOOD, event_id, register_url  # noqa: F401


def test_a_registration_records_which_consent_text_was_agreed_and_when(app, client, event_id):  # noqa: F811
    page = client.get(register_url(event_id)).get_data(as_text=True)
    assert CONSENT_VERSION in page, "the speaker can see which version they agree to"

    response = submit(client, register_url(event_id), GOOD)

    assert response.status_code == 302
    with app.app_context():
        registration = db.session.scalar(sa.select(Registration))
        assert registration.consent_version == CONSENT_VERSION
        assert registration.consent_at is not None


# --- erasure on request ------------------------------------------------------------------

NAME, EMAIL, PHONE = "Qiao Wanrong", "qiao.wanrong@example.com", "13912345678"
ORGANIZATION, POSITION = "Huaiyin Precision Optics Ltd.", "Chief Optical Engineer"
RESULT = "The bureau opens 30 apartments in the zone next spring."


def all_database_text() -> str:
    """Every value of every row of every table, as one string."""
    chunks = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)):
            chunks.extend(str(value) for value in row)
    return "\n".join(chunks)


@pytest.fixture
def speaker_with_history(app):
    """A speaker with a registration, an answered suggestion, messages and an audit trail."""
    with app.app_context():
        event = factories.event(title="24th Talent Salon")
        speaker = factories.speaker(
            name=NAME,
            email=EMAIL,
            phone=PHONE,
            organization=ORGANIZATION,
            position=POSITION,
            locale="en",
        )
        registration = factories.registration(
            event=event, speaker=speaker, state=RegistrationState.APPROVED, topic="Optics"
        )
        token = registration_services.issue_token(registration)
        item = factories.item(
            event=event,
            speaker=speaker,
            registration=registration,
            state=ItemState.RESOLVED,
            result=RESULT,
        )
        registration_services._tell_speaker(registration, "approved", token=token)
        queue_message(
            kind="item_resolved",
            to_email=speaker.email,
            to_name=speaker.name,
            locale="en",
            template="item_resolved",
            subject="Your suggestion has an answer",
            event=event,
            item=item,
        )
        db.session.commit()
        return {
            "speaker": speaker.id,
            "item": item.id,
            "event": event.id,
            "token": token,
        }


def test_anonymising_a_speaker_erases_their_data_and_keeps_the_follow_up(
    app_ctx, speaker_with_history, make_user
):
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    speaker = db.session.get(Speaker, speaker_with_history["speaker"])
    text = all_database_text()
    assert NAME in text and EMAIL in text and PHONE in text, "the fixture holds the data"

    assert privacy.anonymise_speaker(speaker, by=organizer) is True
    db.session.commit()

    text = all_database_text()
    for value in (NAME, EMAIL, PHONE, POSITION, "Qiao"):
        assert value not in text, f"{value!r} is still somewhere in the database"
    item = db.session.get(FollowUpItem, speaker_with_history["item"])
    assert item.speaker_id == speaker.id, "the item keeps its speaker record"
    assert item.content and item.result == RESULT
    assert item.raised_by == "A speaker"
    assert registration_services.find_by_token(speaker_with_history["token"]) is None
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "speaker_anonymised")
    )
    assert entry.actor_id == organizer.id and entry.target_id == speaker.id
    assert entry.details["reason"] == "request"


def test_anonymising_twice_changes_nothing_more(app_ctx, speaker_with_history, make_user):
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    speaker = db.session.get(Speaker, speaker_with_history["speaker"])
    assert privacy.anonymise_speaker(speaker, by=organizer) is True
    db.session.commit()

    assert privacy.anonymise_speaker(speaker, by=organizer) is False
    db.session.commit()

    audits = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "speaker_anonymised")
    )
    assert audits == 1


def test_an_anonymised_speaker_gets_no_more_mail(app_ctx, speaker_with_history, make_user):
    organizer = db.session.get(User, make_user(Role.ORGANIZER).id)
    speaker = db.session.get(Speaker, speaker_with_history["speaker"])
    privacy.anonymise_speaker(speaker, by=organizer)
    db.session.commit()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))

    registration = db.session.scalar(sa.select(Registration))
    registration_services.decide(registration, RegistrationState.CANCELLED, by=organizer)
    db.session.commit()

    after = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage))
    assert after == before


def erase_url(ids) -> str:
    return f"/manage/speakers/{ids['speaker']}/anonymise"


def test_an_organizer_erases_a_speaker_after_confirming(
    app, client, speaker_with_history, make_user
):
    organizer = make_user(Role.ORGANIZER)
    sign_in(client, organizer.email)
    item_url = f"/followup/items/{speaker_with_history['item']}"
    review_url = f"/manage/events/{speaker_with_history['event']}/registrations"
    assert NAME in client.get(review_url).get_data(as_text=True)
    assert erase_url(speaker_with_history) in client.get(review_url).get_data(as_text=True)

    confirm_page = client.get(erase_url(speaker_with_history))
    assert confirm_page.status_code == 200
    assert NAME in confirm_page.get_data(as_text=True)

    # Without ticking the confirmation: nothing happens, and the page says why beside the box.
    refused = submit(client, erase_url(speaker_with_history), {})
    assert refused.status_code == 200
    assert "Tick the box to confirm" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Speaker, speaker_with_history["speaker"]).name == NAME

    done = submit(client, erase_url(speaker_with_history), {"confirm": "y"})
    assert done.status_code == 302
    assert "has been erased" in client.get(done.headers["Location"]).get_data(as_text=True)

    for url in (item_url, review_url, "/followup/"):
        page = client.get(url).get_data(as_text=True)
        for value in (NAME, EMAIL, PHONE):
            assert value not in page, f"{value} still shown at {url}"
    item_page = client.get(item_url).get_data(as_text=True)
    assert "A speaker" in item_page and RESULT in item_page
    in_chinese = app.test_client()
    sign_in(in_chinese, organizer.email)
    chinese = in_chinese.get(item_url, headers={"Accept-Language": "zh-CN"})
    assert "一位发言人" in chinese.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(FollowUpItem, speaker_with_history["item"]) is not None


@pytest.mark.parametrize("role", [Role.DEPARTMENT_STAFF, Role.LEADER, Role.ADMIN])
def test_only_organizers_erase_speakers(app, client, speaker_with_history, make_user, role):
    sign_in(client, make_user(role).email)
    assert client.get(erase_url(speaker_with_history)).status_code == 403
    assert client.post(erase_url(speaker_with_history), data={"confirm": "y"}).status_code in (
        400,
        403,
    )
    with app.app_context():
        assert db.session.get(Speaker, speaker_with_history["speaker"]).name == NAME


def test_erasing_needs_the_csrf_token(app, client, speaker_with_history, make_user):
    sign_in(client, make_user(Role.ORGANIZER).email)
    response = client.post(erase_url(speaker_with_history), data={"confirm": "y"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.get(Speaker, speaker_with_history["speaker"]).name == NAME


def test_erasing_an_unknown_speaker_is_not_found(client, make_user):
    sign_in(client, make_user(Role.ORGANIZER).email)
    assert client.get("/manage/speakers/999999/anonymise").status_code == 404
