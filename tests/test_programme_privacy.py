"""The public printable programme: earlier suggestions appear only as a topic being handled;
their details only for those who may see the item on the tracker."""

from datetime import UTC, datetime, timedelta

import pytest

from talentday.auth.models import Role
from talentday.extensions import db
from talentday.followup.models import ItemState
from talentday.i18n import city_today
from talentday.registrations.services import issue_token
from tests import factories
from tests.conftest import open_private_link, sign_in

# Texts only the tracker may show: each must stay off the page for the public.
NEW_TEXT = "Fresh idea nobody has vetted yet"
RETURNED_TEXT = "Suggestion the bureau sent back"
OWN_TEXT = "Open apartments near the zone"
RESULT_TEXT = "Two hundred flats are being fitted out"
OTHER_TEXT = "Kindergarten places for talents"
INTERNAL = [NEW_TEXT, RETURNED_TEXT, OWN_TEXT, RESULT_TEXT, OTHER_TEXT]
INTERNAL += ["Lead Bureau", "Other Bureau"]


@pytest.fixture
def salons(app, make_unit):
    """An earlier salon with open items in every internal state, and the next salon."""
    lead, other = make_unit(name="Lead Bureau"), make_unit(name="Other Bureau")
    with app.app_context():
        starts = datetime.now(UTC) - timedelta(days=60)
        earlier = factories.event(series="Salon", title="24th Salon", starts_at=starts,
                                  ends_at=starts + timedelta(hours=3))  # fmt: skip
        later = factories.event(series="Salon", title="25th Salon",
                                starts_at=starts + timedelta(days=90),
                                ends_at=starts + timedelta(days=90, hours=3))  # fmt: skip
        apartments = factories.category(name="Talent apartments")
        lead_unit, other_unit = db.session.merge(lead), db.session.merge(other)
        late = city_today() - timedelta(days=5)
        for content, state, unit, result in (
            (NEW_TEXT, ItemState.NEW, None, ""),
            (RETURNED_TEXT, ItemState.RETURNED, lead_unit, ""),
            (OWN_TEXT, ItemState.RESOLVED, lead_unit, RESULT_TEXT),
            (OTHER_TEXT, ItemState.IN_PROGRESS, other_unit, ""),
        ):
            extra = {"lead_unit": unit, "due_on": late} if unit else {}
            factories.item(event=earlier, category=apartments, content=content, state=state,
                           result=result, **extra)  # fmt: skip
        speaker_registration = factories.registration(event=later)
        token = issue_token(speaker_registration)
        db.session.commit()
        return {"event": later.id, "token": token, "lead": lead.id}


def programme(client, salons) -> str:
    response = client.get(f"/events/{salons['event']}/programme")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def assert_public_only(page: str) -> None:
    for text in INTERNAL:
        assert text not in page, text
    assert "overdue" not in page and "Handling result" not in page
    assert "/followup/items/" not in page
    # What the public may know: the topic and that it is being handled, and how many.
    assert "Talent apartments" in page and "Being handled" in page
    assert "24th Salon" in page


def test_anonymous_visitors_see_only_topics_being_handled(app, salons):
    assert_public_only(programme(app.test_client(), salons))


def test_a_speaker_on_a_private_link_sees_only_topics(app, salons):
    client = app.test_client()
    assert client.get(open_private_link(client, f"/r/{salons['token']}")).status_code == 200
    assert_public_only(programme(client, salons))


def test_staff_see_details_only_of_their_own_units_items(app, salons, make_user):
    client = app.test_client()
    sign_in(client, make_user(Role.DEPARTMENT_STAFF, unit_id=salons["lead"]).email)
    page = programme(client, salons)
    # The same items the tracker shows them: their own, including the one they returned.
    assert OWN_TEXT in page and RESULT_TEXT in page and RETURNED_TEXT in page
    assert NEW_TEXT not in page and OTHER_TEXT not in page and "Other Bureau" not in page
    assert "Being handled" in page, "the other unit's item as a topic only"


def test_other_staff_and_admins_see_only_topics(app, salons, make_user, make_unit):
    for user in (make_user(Role.DEPARTMENT_STAFF, unit_id=make_unit().id), make_user(Role.ADMIN)):
        client = app.test_client()
        sign_in(client, user.email)
        assert_public_only(programme(client, salons))


@pytest.mark.parametrize("role", [Role.ORGANIZER, Role.LEADER])
def test_organizers_and_leaders_see_every_detail(app, salons, make_user, role):
    client = app.test_client()
    sign_in(client, make_user(role).email)
    page = programme(client, salons)
    for text in INTERNAL:
        assert text in page, text
    assert "days overdue" in page
