"""Personal data: the consent on record, erasure on request, retention, and what is left."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentday.audit.models import AuditEntry
from talentday.audit.services import record
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
from tests.test_registration_pages import GOOD, register_url


def test_a_registration_records_which_consent_text_was_agreed_and_when(app, client, event_id):
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
        registration_services._tell_speaker(registration, "approved")
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


# --- retention ---------------------------------------------------------------------------


def ended_days_ago(days: int) -> dict:
    end = datetime.now(UTC) - timedelta(days=days)
    return {"starts_at": end - timedelta(hours=3), "ends_at": end}


def speaker_at(*events, name: str, email: str) -> Speaker:
    speaker = factories.speaker(name=name, email=email, phone="13900000000")
    for event in events:
        registration = factories.registration(event=event, speaker=speaker)
        factories.item(event=event, speaker=speaker, registration=registration)
    return speaker


def anonymised_emails() -> set[str]:
    return set(
        db.session.scalars(sa.select(Speaker.email).where(Speaker.anonymised_at.is_not(None)))
    )


def test_the_default_retention_is_three_years(app):
    assert app.config["PERSONAL_DATA_RETENTION_DAYS"] == 1096


def test_anonymise_old_erases_speakers_whose_events_all_passed_the_period(app, runner):
    with app.app_context():
        old = factories.event(title="Salon of 2022", **ended_days_ago(1100))
        recent = factories.event(title="Salon of last year", **ended_days_ago(400))
        gone = speaker_at(old, name="Old Speaker", email="old@example.com")
        queue_message(
            kind="approved",
            to_email="old@example.com",
            to_name="Old Speaker",
            locale="en",
            template="item_resolved",
            subject="Old news",
            event=old,
            item=db.session.scalar(sa.select(FollowUpItem)),
        )
        kept = speaker_at(recent, name="Recent Speaker", email="recent@example.com")
        both = speaker_at(old, recent, name="Returning Speaker", email="both@example.com")
        db.session.commit()
        ids = {"gone": gone.id, "kept": kept.id, "both": both.id}
        items_before = db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpItem))

    result = runner.invoke(args=["anonymise-old"])

    assert result.exit_code == 0, result.output
    assert "Anonymised 1 speaker" in result.output
    with app.app_context():
        assert db.session.get(Speaker, ids["gone"]).anonymised_at is not None
        assert db.session.get(Speaker, ids["kept"]).name == "Recent Speaker"
        assert db.session.get(Speaker, ids["both"]).name == "Returning Speaker", (
            "a speaker of a recent event keeps their data until that event too is past"
        )
        text = all_database_text()
        assert "Old Speaker" not in text and "old@example.com" not in text
        assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUpItem)) == (
            items_before
        ), "the follow-up record stays"
        entry = db.session.scalar(
            sa.select(AuditEntry).where(AuditEntry.action == "speaker_anonymised")
        )
        assert entry.target_id == ids["gone"] and entry.actor_id is None
        assert entry.details["reason"] == "retention"


def test_anonymise_old_twice_changes_nothing(app, runner):
    with app.app_context():
        old = factories.event(**ended_days_ago(1200))
        speaker_at(old, name="Old Speaker", email="old@example.com")
        db.session.commit()
    assert runner.invoke(args=["anonymise-old"]).exit_code == 0
    with app.app_context():
        before = all_database_text()

    second = runner.invoke(args=["anonymise-old"])

    assert second.exit_code == 0, second.output
    assert "Anonymised 0 speakers" in second.output
    with app.app_context():
        assert all_database_text() == before


def test_a_returning_speaker_is_anonymised_once_their_last_event_is_past(app_ctx):
    old = factories.event(**ended_days_ago(1500))
    later = factories.event(**ended_days_ago(400))
    speaker = speaker_at(old, later, name="Returning Speaker", email="both@example.com")
    db.session.commit()

    assert privacy.anonymise_old(1096).speakers == []
    two_years_on = datetime.now(UTC) + timedelta(days=730)
    assert privacy.anonymise_old(1096, now=two_years_on).speakers == [speaker]
    assert speaker.anonymised_at is not None


def test_the_retention_period_is_configurable(app, runner):
    app.config["PERSONAL_DATA_RETENTION_DAYS"] = 30
    with app.app_context():
        speaker_at(factories.event(**ended_days_ago(40)), name="Last Month", email="m@example.com")
        db.session.commit()

    result = runner.invoke(args=["anonymise-old"])

    assert "Anonymised 1 speaker" in result.output
    with app.app_context():
        assert anonymised_emails() and "m@example.com" not in all_database_text()


def test_a_dry_run_only_counts(app, runner):
    with app.app_context():
        speaker_at(factories.event(**ended_days_ago(1200)), name="Old", email="old@example.com")
        db.session.commit()

    result = runner.invoke(args=["anonymise-old", "--dry-run"])

    assert result.exit_code == 0
    assert "1 speaker" in result.output and "nothing changed" in result.output
    with app.app_context():
        assert anonymised_emails() == set()


def test_old_audit_addresses_are_forgotten_and_the_entries_kept(app_ctx, make_user):
    user = db.session.get(User, make_user(Role.ORGANIZER).id)
    old = record("sign_in", actor=user, remote_addr="203.0.113.7")
    old.at = datetime.now(UTC) - timedelta(days=1200)
    recent = record("sign_in", actor=user, remote_addr="198.51.100.9")
    db.session.commit()

    privacy.anonymise_old(1096)
    db.session.commit()

    db.session.refresh(old)
    db.session.refresh(recent)
    assert old.remote_addr == "" and old.actor_id == user.id and old.action == "sign_in"
    assert recent.remote_addr == "198.51.100.9"


def test_names_typed_for_people_without_a_speaker_record_are_erased_too(app_ctx):
    """An organizer may record a suggestion for someone who never registered."""
    old = factories.event(**ended_days_ago(1200))
    recent = factories.event(**ended_days_ago(10))
    gone = factories.item(event=old, raised_by_name="Ma Xiaoyun (guest)")
    kept = factories.item(event=recent, raised_by_name="Li Guest")
    db.session.commit()

    privacy.anonymise_old(1096)
    db.session.commit()

    assert "Ma Xiaoyun" not in all_database_text()
    assert gone.raised_by == "A speaker" and gone.content
    assert kept.raised_by == "Li Guest"
