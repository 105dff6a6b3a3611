"""The contact record (联系记录): the lead unit records how it reached the speaker (a meeting,
a phone call, a letter), when and what was said; a setting makes it a condition of the result;
the speaker reads it on their page and says, when rating, whether the unit made contact; the
figures count the results given without one."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from talentday.auth.models import Role, User
from talentday.dashboard import metrics
from talentday.extensions import db
from talentday.followup import services
from talentday.followup.models import (
    ContactMethod,
    FollowUpItem,
    ItemState,
    ResultClass,
    Satisfaction,
    TimelineEntry,
    TimelineKind,
)
from talentday.followup.moves import FollowUpError, MoveRefused
from talentday.i18n import city_today
from tests import factories
from tests.conftest import csrf_token, open_private_link, sign_in


@pytest.fixture
def setting(app_ctx, make_user):
    housing, zone = factories.unit(name="Housing Bureau"), factories.unit(name="Development Zone")
    db.session.commit()

    def user(role, unit=None):
        return db.session.get(User, make_user(role, unit_id=unit.id if unit else None).id)

    people = {
        "lead": user(Role.DEPARTMENT_STAFF, housing),
        "co": user(Role.DEPARTMENT_STAFF, zone),
        "organizer": user(Role.ORGANIZER),
    }
    item = factories.item(
        state=ItemState.IN_PROGRESS, lead_unit=housing, co_units=[zone],
        due_on=city_today() + timedelta(days=10), opinions_waived_at=datetime.now(UTC),
        created_at=datetime.now(UTC) - timedelta(days=30),
    )  # fmt: skip
    return {"item": item, "today": city_today(), **people}


def contact(setting, who="lead", **changes):
    values = {
        "method": ContactMethod.PHONE,
        "contacted_on": setting["today"],
        "summary": "Called her: the site near the zone suits her.",
    }
    services.record_contact(setting["item"], by=setting[who], **{**values, **changes})


def result(setting):
    services.submit_result(
        setting["item"], result="A site is agreed.", result_class=ResultClass.SOLVED,
        by=setting["lead"],
    )  # fmt: skip


def test_the_lead_unit_records_its_contacts_on_the_timeline(setting):
    item, today = setting["item"], setting["today"]
    contact(setting, method=ContactMethod.MEETING, contacted_on=today - timedelta(days=2))
    contact(setting, contacted_on=today - timedelta(days=1), summary="Called back.")
    db.session.flush()
    assert item.contacted_on == today - timedelta(days=1)
    entries = services.contacts([item.id])[item.id]
    assert [entry.note for entry in entries] == [
        "Called her: the site near the zone suits her.", "Called back."
    ]  # fmt: skip
    assert entries[0].details == {
        "contact_method": "meeting",
        "contacted_on": (today - timedelta(days=2)).isoformat(),
    }
    contact(setting, contacted_on=today - timedelta(days=5))  # an older one noted late
    assert item.contacted_on == today - timedelta(days=1)


def test_a_contact_is_refused_from_others_in_the_future_before_the_suggestion_or_unsaid(setting):
    for who in ("co", "organizer"):
        with pytest.raises(MoveRefused):
            contact(setting, who=who)
    for changes, field in (
        ({"contacted_on": setting["today"] + timedelta(days=1)}, "contacted_on"),
        ({"contacted_on": setting["today"] - timedelta(days=400)}, "contacted_on"),
        ({"summary": "  "}, "summary"),
    ):
        with pytest.raises(FollowUpError) as refused:
            contact(setting, **changes)
        assert refused.value.field == field
    assert setting["item"].contacted_on is None


def test_the_setting_makes_the_contact_a_condition_of_the_result(setting, app):
    app.config["CONTACT_BEFORE_RESULT"] = True
    try:
        with pytest.raises(FollowUpError) as waiting:
            result(setting)
        assert waiting.value.field == "result" and "reached the speaker" in str(
            waiting.value.message
        )
        contact(setting)
        result(setting)
    finally:
        app.config["CONTACT_BEFORE_RESULT"] = False
    assert setting["item"].state is ItemState.RESOLVED


def test_the_figures_count_results_without_contact_and_speakers_who_deny_one(setting):
    today = setting["today"]
    result(setting)  # no contact recorded: allowed by default, and counted
    contacted = factories.item(
        state=ItemState.IN_PROGRESS, lead_unit=setting["item"].lead_unit, due_on=today,
    )  # fmt: skip
    services.record_contact(
        contacted, method=ContactMethod.WRITTEN, contacted_on=today, summary="Wrote to him.",
        by=setting["lead"],
    )  # fmt: skip
    services.submit_result(
        contacted, result="Done.", result_class=ResultClass.SOLVED, by=setting["lead"]
    )
    services.rate(
        contacted, satisfaction=Satisfaction.SATISFIED, comment="", contacted=False,
        speaker=contacted.speaker,
    )  # fmt: skip
    db.session.flush()
    head = metrics.headline(metrics.Scope(), today)
    assert head["without_contact"] == 1 and head["contact_denied"] == 1
    (row,) = metrics.units(metrics.Scope(), today, unit_id=contacted.lead_unit_id)
    assert row["without_contact"] == 1
    rated = db.session.scalars(
        sa.select(TimelineEntry).where(
            TimelineEntry.item_id == contacted.id, TimelineEntry.kind == TimelineKind.RATED
        )
    ).one()
    assert rated.details == {"says_contacted": False}


def test_the_unit_records_it_on_the_page_and_the_speaker_reads_it_and_answers(app, make_user):
    from talentday.registrations import services as registrations
    from talentday.registrations.models import RegistrationState

    with app.app_context():
        housing = factories.unit(name="Housing Bureau")
        registration = factories.registration(state=RegistrationState.APPROVED)
        db.session.commit()
        item = factories.item(
            event=registration.event, speaker=registration.speaker, registration=registration,
            state=ItemState.IN_PROGRESS, lead_unit=housing, due_on=city_today(),
        )  # fmt: skip
        token = registrations.issue_token(registration)
        db.session.commit()
        item_id, housing_id, today = item.id, housing.id, city_today()
    page = f"/followup/items/{item_id}"
    staff = app.test_client()
    sign_in(staff, make_user(Role.DEPARTMENT_STAFF, unit_id=housing_id).email)
    shown = staff.get(page).get_data(as_text=True)
    assert "No contact with the speaker is recorded yet." in shown
    form = {
        "csrf_token": csrf_token(staff, page),
        "contact-method": "phone",
        "contact-contacted_on": (today + timedelta(days=3)).isoformat(),
        "contact-summary": "She prefers <b>the north site</b>.",
    }
    refused = staff.post(f"{page}/contact", data=form)
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "cannot be in the future" in text
    assert "She prefers &lt;b&gt;the north site&lt;/b&gt;." in text  # what was typed is kept
    form["contact-contacted_on"] = today.isoformat()
    assert staff.post(f"{page}/contact", data=form).status_code == 302
    card = staff.get(page).get_data(as_text=True).split('id="contacts"', 1)[1]
    card = card.split("</section>", 1)[0]
    assert "By phone, on" in card and "She prefers &lt;b&gt;the north site&lt;/b&gt;." in card

    with app.app_context():
        item = db.session.get(FollowUpItem, item_id)
        item.state, item.result = ItemState.RESOLVED, "The north site is yours."
        db.session.commit()
        version = item.version
    speaker = app.test_client()
    link = open_private_link(speaker, f"/r/{token}")
    own = speaker.get(link).get_data(as_text=True)
    assert "How the unit reached you" in own and "By phone, on" in own
    assert "She prefers &lt;b&gt;the north site&lt;/b&gt;." in own
    assert "Did the unit contact you before answering?" in own
    rating = {
        "csrf_token": csrf_token(speaker, link),
        f"rate{item_id}-version": str(version),
        f"rate{item_id}-satisfaction": "satisfied",
    }
    unanswered = speaker.post(f"/r/items/{item_id}/rating", data=rating)
    assert unanswered.status_code == 400
    assert "Say whether the unit contacted you" in unanswered.get_data(as_text=True)
    rating[f"rate{item_id}-contacted"] = "yes"
    assert speaker.post(f"/r/items/{item_id}/rating", data=rating).status_code == 302
    with app.app_context():
        assert db.session.get(FollowUpItem, item_id).speaker_says_contacted is True


def test_a_merged_speaker_does_not_read_the_contacts_with_the_other_speaker(app, make_user):
    """Found by the attack: the speaker of a suggestion merged into another item read the
    unit's notes of its calls with that item's speaker, as if about them."""
    from talentday.registrations import services as registrations
    from talentday.registrations.models import RegistrationState

    with app.app_context():
        housing = factories.unit(name="Housing Bureau")
        db.session.commit()
        staff_id = make_user(Role.DEPARTMENT_STAFF, unit_id=housing.id).id
        main = factories.registration(state=RegistrationState.APPROVED)
        merged = factories.registration(event=main.event, state=RegistrationState.APPROVED)
        db.session.commit()
        item = factories.item(
            event=main.event, speaker=main.speaker, registration=main,
            state=ItemState.IN_PROGRESS, lead_unit=housing, due_on=city_today(),
            created_at=datetime.now(UTC) - timedelta(days=30),
        )  # fmt: skip
        duplicate = factories.item(
            event=main.event, speaker=merged.speaker, registration=merged, merged_into=item
        )
        staff = db.session.get(User, staff_id)
        services.record_contact(
            item, method=ContactMethod.PHONE, contacted_on=city_today(),
            summary="Called Mr Wang about his unpaid wages.", by=staff,
        )  # fmt: skip
        token = registrations.issue_token(merged)
        db.session.commit()
        assert duplicate.merged_into_id == item.id
    speaker = app.test_client()
    page = speaker.get(open_private_link(speaker, f"/r/{token}")).text
    assert "unpaid wages" not in page and "How the unit reached you" not in page
