"""What speakers and organizers see: the registration form, the private link, the review."""

import csv
import io
import re
from html import unescape

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from talentday.auth.models import Role
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.followup.models import FollowUpItem
from talentday.outbox.models import OutboxMessage
from talentday.outbox.services import text_to_send
from talentday.registrations import services
from talentday.registrations.models import Registration, RegistrationState, Speaker
from tests import factories
from tests.conftest import csrf_token, open_private_link, sign_in, submit

GOOD = {
    "name": "Wang Hongyang",
    "email": "wang.hongyang@example.com",
    "phone": "138 0000 1234",
    "organization": "Jiangsu FTR Communication Co., Ltd.",
    "position": "Chairman and General Manager",
    "talent_team": "enterprise",
    "topic": "Intelligent manufacturing",
    "summary": "What we learned.",
    "suggestions-0-category": "",
    "suggestions-0-content": "",
    "consent": "y",
}


def category_id(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.min(factories.Category.id)))


def register_url(event_id) -> str:
    return f"/events/{event_id}/register"


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def last_link(app) -> str:
    """The path of the private link in the newest message, as it is sent."""
    with app.app_context():
        message = db.session.scalar(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()))
        body = text_to_send(message)
    return re.search(r"http://localhost(/r/\S+)", body).group(1)


def test_a_speaker_registers_with_a_suggestion(app, client, event_id):
    data = {
        **GOOD,
        "suggestions-0-category": str(category_id(app)),
        "suggestions-0-content": "Open talent apartments near the zone.",
    }
    response = submit(client, register_url(event_id), data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We have sent a message to wang.hongyang@example.com" in page
    with app.app_context():
        speaker = db.session.scalar(sa.select(Speaker))
        assert speaker.phone == "13800001234", "spaces are taken out of the number"
        assert db.session.scalar(sa.select(FollowUpItem.content)) == (
            "Open talent apartments near the zone."
        )
        message = db.session.scalar(sa.select(OutboxMessage))
        assert message.kind == "received" and message.locale == "en"


def test_the_form_fits_a_phone_and_names_its_inputs(client, event_id):
    page = client.get(register_url(event_id)).get_data(as_text=True)
    assert 'name="viewport" content="width=device-width' in page
    assert re.search(r'<input[^>]*autocomplete="email"[^>]*type="email"', page) or re.search(
        r'<input[^>]*type="email"[^>]*autocomplete="email"', page
    )
    assert 'autocomplete="tel"' in page and 'type="tel"' in page
    assert 'autocomplete="name"' in page and 'autocomplete="organization"' in page
    assert 'autocomplete="organization-title"' in page
    assert "<legend" in page and "Talent team" in page
    assert re.search(r'<input[^>]*name="consent"[^>]*>', page)
    assert "checked" not in re.search(r'<input[^>]*name="consent"[^>]*>', page).group(0)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "Enter your full name"),
        ({"email": ""}, "email", "Enter your email address"),
        ({"email": "wang@"}, "email", "Enter an email address like name@example.com"),
        ({"phone": "12345"}, "phone", "Enter an 11-digit mobile number, like 138 0000 0000"),
        ({"phone": "23800001234"}, "phone", "Enter an 11-digit mobile number, like 138 0000 0000"),
        # From abroad: a London landline, and a number too short for any country.
        ({"phone": "+44 20 7946 0958"}, "phone", "or a mobile number from abroad with +"),
        ({"phone": "+1 555"}, "phone", "or a mobile number from abroad with +"),
        ({"organization": ""}, "organization", "Enter your organization"),
        ({"talent_team": ""}, "talent_team-0", "Choose the team you speak for"),
        ({"talent_team": "astronaut"}, "talent_team-0", None),
        ({"topic": "x" * 301}, "topic", "Enter at most 300 characters"),
        ({"summary": "x" * 2001}, "summary", "Enter at most 2000 characters"),
        ({"consent": ""}, "consent", "Agree to the use of your personal data to register"),
        (
            {"suggestions-0-content": "A suggestion without a category"},
            "suggestions-0-category",
            "Choose a category for this suggestion",
        ),
    ],
)
def test_bad_input_is_explained_by_the_field_and_kept(
    app, client, event_id, changes, field, message
):
    response = submit(client, register_url(event_id), {**GOOD, **changes})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error:" in page and "There is a problem" in page
    assert f'href="#{field}"' in page
    if message:
        assert message in page
    if changes.get("name") != "":
        assert 'value="Wang Hongyang"' in page
    assert count(app, Registration) == 0 and count(app, Speaker) == 0


def test_a_mobile_number_with_the_country_code_is_accepted(app, client, event_id):
    submit(client, register_url(event_id), {**GOOD, "phone": "+86 139-1234-5678"})
    with app.app_context():
        assert db.session.scalar(sa.select(Speaker.phone)) == "13912345678"


@pytest.mark.parametrize("typed", ["+44 7911 123456", "0044 7911 123456", "+44 (0)7911-123456"])
def test_a_mobile_number_from_abroad_is_accepted_in_international_form(
    app, client, event_id, typed
):
    """Issue 10: a speaker from a foreign enterprise has a foreign mobile number."""
    response = submit(client, register_url(event_id), {**GOOD, "phone": typed})
    assert response.status_code == 302, typed
    with app.app_context():
        assert db.session.scalar(sa.select(Speaker.phone)) == "+447911123456"


def test_html_and_script_are_shown_as_text(app, client, event_id, make_user):
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    submit(
        client,
        register_url(event_id),
        {
            **GOOD,
            "name": hostile,
            "organization": hostile,
            "position": hostile,
            "topic": hostile,
            "summary": hostile,
            "suggestions-0-category": str(category_id(app)),
            "suggestions-0-content": hostile,
        },
    )
    organizer = app.test_client()
    sign_in(organizer, make_user(Role.ORGANIZER).email)
    pages = [
        client.get(open_private_link(client, last_link(app))).get_data(as_text=True),
        organizer.get(f"/manage/events/{event_id}/registrations").get_data(as_text=True),
    ]
    for page in pages:
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_error_keeps_what_was_typed_in_every_field(client, event_id):
    page = submit(client, register_url(event_id), {**GOOD, "email": "bad"}).get_data(as_text=True)
    # The phone number comes back tidied, without its spaces.
    for value in (
        "Wang Hongyang",
        "13800001234",
        "Jiangsu FTR Communication Co., Ltd.",
        "Intelligent manufacturing",
    ):
        assert f'value="{value}"' in page
    assert "What we learned." in page
    assert re.search(r'value="enterprise"[^>]*checked|checked[^>]*value="enterprise"', page)


def test_a_double_submission_makes_one_registration(app, client, event_id):
    token = csrf_token(client, register_url(event_id))
    for _ in range(2):
        response = client.post(register_url(event_id), data={**GOOD, "csrf_token": token})
        assert response.status_code == 302
    assert count(app, Registration) == 1
    page = client.get(f"/events/{event_id}/registered").get_data(as_text=True)
    assert "We have sent a message to wang.hongyang@example.com" in page


def test_registering_again_says_what_was_typed_is_not_saved_in_the_same_words_as_new(app, event_id):
    """Issue 10: a second registration with the same address silently threw away what was
    typed. The page now says so, in words that are the same for a new address, so that it
    still tells nobody whether an address is registered."""
    first, second = app.test_client(), app.test_client()
    new_page = first.get(submit(first, register_url(event_id), GOOD).headers["Location"])
    again = submit(second, register_url(event_id), {**GOOD, "topic": "A changed topic"})
    again_page = second.get(again.headers["Location"])
    said = "If this address was already registered for this event, what you typed now has not"
    assert said in new_page.get_data(as_text=True)
    assert again_page.get_data(as_text=True) == new_page.get_data(as_text=True).replace(
        *re.findall(r'name="csrf_token" value="([^"]+)"', new_page.get_data(as_text=True))[:1],
        *re.findall(r'name="csrf_token" value="([^"]+)"', again_page.get_data(as_text=True))[:1],
    )
    with app.app_context():
        assert db.session.scalar(sa.select(Registration.topic)) == "Intelligent manufacturing"


def test_the_duplicate_answer_reveals_nobody_elses_data(app, event_id):
    submit(app.test_client(), register_url(event_id), GOOD)
    stranger = app.test_client()
    response = submit(stranger, register_url(event_id), {**GOOD, "name": "Stranger"})
    page = stranger.get(response.headers["Location"]).get_data(as_text=True)
    assert "Jiangsu FTR" not in page and "13800001234" not in page and "/r/" not in page


@pytest.mark.parametrize(
    "state", [EventState.DRAFT, EventState.REGISTRATION_CLOSED, EventState.HELD]
)
def test_closed_or_unpublished_events_say_so_without_an_error(app, client, event_id, state):
    with app.app_context():
        event = db.session.get(factories.Event, event_id)
        event.state = state
        db.session.commit()
    response = client.get(register_url(event_id))
    if state is EventState.DRAFT:
        assert response.status_code == 404  # not public at all
    else:
        assert response.status_code == 200
        assert "Registration is not open" in response.get_data(as_text=True)
        response = submit(client, register_url(event_id), GOOD, form_url="/")
        assert response.status_code == 200 and count(app, Registration) == 0


def test_a_full_event_offers_the_waiting_list_on_the_page(app, client, event_id):
    with app.app_context():
        event = db.session.get(factories.Event, event_id)
        for _ in range(2):
            factories.registration(event=event, state=RegistrationState.APPROVED)
        db.session.commit()
    page = client.get(register_url(event_id)).get_data(as_text=True)
    assert "All speaking slots are taken" in page and "Join the waiting list" in page
    submit(client, register_url(event_id), {**GOOD, "join_waiting_list": "yes"})
    with app.app_context():
        registration = db.session.scalar(
            sa.select(Registration).join(Speaker).where(Speaker.email == GOOD["email"])
        )
        assert registration.state is RegistrationState.WAITLISTED


def test_the_private_link_shows_edits_adds_and_withdraws(app, client, event_id):
    submit(client, register_url(event_id), GOOD)
    link = open_private_link(client, last_link(app))
    assert link == "/r/", "the secret leaves the address bar at once"
    page = client.get(link).get_data(as_text=True)
    assert "Your registration" in page and "Submitted" in page

    response = submit(
        client,
        "/r/details",
        {
            "details-name": "Wang Hongyang",
            "details-phone": "13900009999",
            "details-organization": "Jiangsu FTR",
            "details-position": "Chairman",
            "details-talent_team": "enterprise",
            "details-topic": "A new topic",
            "details-summary": "",
        },
        form_url=link,
    )
    assert response.status_code == 302
    bad = submit(
        client,
        "/r/details",
        {
            "details-name": "",
            "details-phone": "1",
            "details-talent_team": "enterprise",
        },
        form_url=link,
    ).get_data(as_text=True)
    assert "Enter your full name" in bad and "Enter an 11-digit mobile number" in bad

    submit(
        client,
        "/r/suggestions",
        {
            "suggestion-category": str(category_id(app)),
            "suggestion-content": "Faster housing subsidies.",
        },
        form_url=link,
    )
    page = client.get(link).get_data(as_text=True)
    assert "Faster housing subsidies." in page and "A new topic" in page

    refused = submit(client, "/r/withdraw", {}, form_url=link).get_data(as_text=True)
    assert "Tick the box to confirm" in refused
    submit(client, "/r/withdraw", {"withdraw-confirm": "y"}, form_url=link)
    page = client.get(link).get_data(as_text=True)
    assert "Withdrawn" in page and "Withdraw my registration" not in page


def test_a_wrong_private_link_is_not_found(client):
    assert client.get("/r/not-a-real-token").status_code == 404


# --- organizer ------------------------------------------------------------------------


@pytest.fixture
def organizer(app, make_user):
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANIZER).email)
    return client


def submitted(app, event_id, count_: int, prefix="s") -> list[int]:
    with app.app_context():
        event = db.session.get(factories.Event, event_id)
        ids = [
            services.register(
                event,
                services.SpeakerDetails(
                    name=f"Speaker {n}",
                    email=f"{prefix}{n}@example.com",
                    phone="13800000000",
                    organization=f"Org {n}",
                    position="Engineer",
                    talent_team=factories.TalentTeam.ENTERPRISE,
                ),
                topic=f"Topic {n}",
                summary="",
                suggestions=[],
                consent=True,
            ).registration.id
            for n in range(count_)
        ]
        db.session.commit()
        return ids


def test_review_approves_until_the_slots_are_full(app, organizer, event_id):
    ids = submitted(app, event_id, 3)
    url = f"/manage/events/{event_id}/registrations"
    response = submit(
        organizer,
        url,
        {"registration": [str(i) for i in ids], "action": "approved", "message": "Welcome!"},
    )
    page = organizer.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 registrations are now Approved." in page
    assert (
        "No speaking place was left for 1 registration: it is now on the waiting list "
        "(Speaker 2)." in page
    )
    with app.app_context():
        states = [db.session.get(Registration, i).state for i in ids]
        assert states == [RegistrationState.APPROVED] * 2 + [RegistrationState.WAITLISTED]
        approved_mail = db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind == "approved")
        ).all()
        assert len(approved_mail) == 2 and "Welcome!" in approved_mail[0].body


def test_review_filters_and_searches(app, organizer, event_id):
    submitted(app, event_id, 3)
    page = organizer.get(f"/manage/events/{event_id}/registrations?q=org+1").get_data(as_text=True)
    assert "Speaker 1" in page and "Speaker 2" not in page
    page = organizer.get(f"/manage/events/{event_id}/registrations?state=approved").get_data(
        as_text=True
    )
    assert "No registrations match" in page


def test_only_organizers_review(app, client, make_user, event_id):
    for role in (Role.DEPARTMENT_STAFF, Role.LEADER, Role.ADMIN):
        other = app.test_client()
        sign_in(other, make_user(role).email)
        assert other.get(f"/manage/events/{event_id}/registrations").status_code == 403
        assert other.get(f"/manage/events/{event_id}/registrations.csv").status_code == 403
    assert client.get(f"/manage/events/{event_id}/registrations").status_code == 302


def test_programme_order_shows_on_the_public_page(app, organizer, event_id):
    ids = submitted(app, event_id, 2)
    submit(
        organizer,
        f"/manage/events/{event_id}/registrations",
        {"registration": [str(i) for i in ids], "action": "approved"},
    )
    form = {
        "placements-0-registration_id": str(ids[0]),
        "placements-0-order": "2",
        "placements-0-minutes": "8",
        "placements-1-registration_id": str(ids[1]),
        "placements-1-order": "1",
        "placements-1-minutes": "10",
    }
    assert submit(organizer, f"/manage/events/{event_id}/programme", form).status_code == 302
    page = app.test_client().get(f"/events/{event_id}").get_data(as_text=True)
    assert page.index("Speaker 1") < page.index("Speaker 0")
    printable = app.test_client().get(f"/events/{event_id}/programme").get_data(as_text=True)
    assert "Speaker 1" in printable and "@media print" not in printable
    same = submit(
        organizer, f"/manage/events/{event_id}/programme", {**form, "placements-1-order": "2"}
    )
    assert "Give each speaker a different place" in same.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Registration, ids[1]).speaking_order == 1, "nothing was saved"


def test_exports_neutralise_formulas(app, organizer, event_id):
    with app.app_context():
        event = db.session.get(factories.Event, event_id)
        services.register(
            event,
            services.SpeakerDetails(
                name='=HYPERLINK("http://evil.example","x")',
                email="evil@example.com",
                phone="13800000000",
                organization="+cmd|' /C calc'!A0",
                position="@SUM(1+1)",
                talent_team=factories.TalentTeam.OTHER,
            ),
            topic="-2+3",
            summary="",
            suggestions=[],
            consent=True,
        )
        db.session.commit()
    csv_text = organizer.get(f"/manage/events/{event_id}/registrations.csv").get_data(as_text=True)
    row = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))[1]
    assert row[1].startswith("'=HYPERLINK") and row[3].startswith("'+cmd")
    assert row[4] == "'@SUM(1+1)" and row[7] == "'-2+3"

    response = organizer.get(f"/manage/events/{event_id}/registrations.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [cell.value for cell in sheet[3]]
    assert values[1].startswith("'=") and all(cell.data_type != "f" for cell in sheet[3])
    assert [cell.value for cell in sheet[2]][:2] == ["Speaking order", "Full name"]


def test_calendar_entry(app, client, event_id):
    response = client.get(f"/events/{event_id}/calendar.ics")
    assert response.mimetype == "text/calendar"
    text = response.get_data(as_text=True)
    assert "BEGIN:VEVENT" in text and "SUMMARY:25th Talent Salon" in text
    assert re.search(r"DTSTART:\d{8}T\d{6}Z", text)


def test_the_outbox_lists_every_message(app, organizer, event_id):
    submitted(app, event_id, 1)
    page = organizer.get("/manage/outbox/").get_data(as_text=True)
    assert "We have received your registration" in page and "s0@example.com" in page
    assert "No mail server is configured" in page


def test_review_without_a_ticked_registration_says_what_to_do(app, organizer, event_id):
    submitted(app, event_id, 1)
    url = f"/manage/events/{event_id}/registrations"
    response = submit(organizer, url, {"action": "approved"})
    page = organizer.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tick at least one registration, then choose a decision." in page
    with app.app_context():
        assert db.session.scalar(sa.select(Registration.state)) is RegistrationState.SUBMITTED


def test_review_has_no_decision_chosen_until_the_organizer_chooses_one(app, organizer, event_id):
    """Issue 10: "Approve" was preselected, so a click on the button approved every ticked
    speaker whatever the organizer meant."""
    ids = submitted(app, event_id, 1)
    url = f"/manage/events/{event_id}/registrations"
    page = organizer.get(url).get_data(as_text=True)
    select = re.search(r'<select[^>]*name="action".*?</select>', page, re.S).group(0)
    # The browser shows the first option when none is selected: the empty one.
    assert re.search(r'<select[^>]*><option value="">Choose a decision</option>', select)
    assert "selected" not in select
    response = submit(organizer, url, {"registration": [str(i) for i in ids]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="#action">Choose a decision</a>' in page
    assert re.search(rf'id="registration-{ids[0]}"[^>]*checked', page)
    with app.app_context():
        assert db.session.scalar(sa.select(Registration.state)) is RegistrationState.SUBMITTED


def test_cancelling_approved_speakers_names_them_first_and_asks(app, organizer, event_id):
    """Issue 10: a bulk "Cancel" took approved speakers' places away in one click."""
    ids = submitted(app, event_id, 2)
    url = f"/manage/events/{event_id}/registrations"
    submit(organizer, url, {"registration": [str(ids[0])], "action": "approved"})
    data = {"registration": [str(i) for i in ids], "action": "cancelled", "message": "Sorry"}
    asked = submit(organizer, url, data)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200
    assert "This speaker is approved to speak." in page and "Speaker 0" in page
    assert "Speaker 1" not in page.split("<ul>")[1].split("</ul>")[0], "only the approved one"
    assert 'name="message" value="Sorry"' in page
    with app.app_context():
        assert db.session.get(Registration, ids[0]).state is RegistrationState.APPROVED
    done = submit(organizer, url, {**data, "confirmed": "yes"})
    assert done.status_code == 302
    with app.app_context():
        states = [db.session.get(Registration, i).state for i in ids]
    # Only an approved registration can be cancelled; the other is refused, as before.
    assert states == [RegistrationState.CANCELLED, RegistrationState.SUBMITTED]


def test_review_ignores_registrations_of_other_events(app, organizer, event_id):
    with app.app_context():
        other = factories.registration(state=RegistrationState.SUBMITTED)
        db.session.commit()
        other_id = other.id
    submit(
        organizer,
        f"/manage/events/{event_id}/registrations",
        {"registration": [str(other_id)], "action": "approved"},
    )
    with app.app_context():
        assert db.session.get(Registration, other_id).state is RegistrationState.SUBMITTED


def test_the_home_page_offers_registration_for_open_events(client, event_id):
    page = client.get("/").get_data(as_text=True)
    assert f'href="/events/{event_id}/register"' in page


def test_the_registrations_export_carries_topic_summary_and_suggestions(app, organizer, event_id):
    with app.app_context():
        event = db.session.get(factories.Event, event_id)
        category = db.session.scalar(sa.select(factories.Category))
        services.register(
            event,
            services.SpeakerDetails(
                name="Gao Lizhi", email="gao@example.com", phone="13800000000",
                organization="Institute", position="Dean", talent_team=factories.TalentTeam.OTHER,
            ),
            topic="Talent flats",
            summary="Why young engineers leave.",
            suggestions=[
                services.SuggestionDraft(category, "Open flats near the zone."),
                services.SuggestionDraft(category, "Rent subsidies for two years."),
            ],
            consent=True,
        )  # fmt: skip
        db.session.commit()
    text = organizer.get(f"/manage/events/{event_id}/registrations.csv").get_data(as_text=True)
    header, row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[:2]
    values = dict(zip(header, row, strict=True))
    assert values["Topic of your talk"] == "Talent flats"
    assert values["Summary"] == "Why young engineers leave."
    assert values["Suggestions"] == "Open flats near the zone.\nRent subsidies for two years."


def test_a_failed_suggestion_keeps_the_saved_details_in_their_form(app, client, event_id):
    submit(client, register_url(event_id), GOOD)
    link = open_private_link(client, last_link(app))
    page = submit(
        client,
        "/r/suggestions",
        {"suggestion-category": "", "suggestion-content": ""},
        form_url=link,
    ).get_data(as_text=True)
    assert "There is a problem" in page
    assert 'value="Wang Hongyang"' in page and 'value="13800001234"' in page
    assert 'value="Intelligent manufacturing"' in page


def _summary_points_at_a_field(page: str) -> None:
    """The summary's links each lead to an input on the page."""
    targets = re.findall(r'class="alert-link" href="#([^"]+)"', page)
    assert targets, "an error summary with links"
    for target in targets:
        assert f'id="{target}"' in page, target


@pytest.mark.parametrize(
    ("language", "title"), [("en", "<title>Error: Programme: "), ("zh-CN", "<title>错误：议程：")]
)
def test_the_programme_table_gives_errors_as_every_form_does(
    app, organizer, event_id, language, title
):
    ids = submitted(app, event_id, 1)
    submit(
        organizer,
        f"/manage/events/{event_id}/registrations",
        {"registration": [str(ids[0])], "action": "approved"},
    )
    form = {
        "placements-0-registration_id": str(ids[0]),
        "placements-0-order": "first",
        "placements-0-minutes": "8",
    }
    page = submit(
        organizer,
        f"/manage/events/{event_id}/programme",
        form,
        headers={"Accept-Language": language},
    ).get_data(as_text=True)
    assert title in page
    _summary_points_at_a_field(page)
    assert 'value="first"' in page, "what was typed is kept"


@pytest.mark.parametrize(
    ("language", "title"), [("en", "<title>Error: Your registration"), ("zh-CN", "<title>错误：")]
)
def test_the_rating_form_gives_errors_as_every_form_does(app, language, title):
    from talentday.followup.models import ItemState

    with app.app_context():
        registration = factories.registration()
        item = factories.item(
            registration=registration, speaker=registration.speaker, event=registration.event,
            state=ItemState.RESOLVED, result="Flats are being built.",
        )  # fmt: skip
        token = services.issue_token(registration)
        db.session.commit()
        item_id = item.id
    speaker = app.test_client()
    private = open_private_link(speaker, f"/r/{token}")
    page = submit(
        speaker,
        f"/r/items/{item_id}/rating",
        {f"rate{item_id}-comment": "Without a choice."},
        form_url=private,
        headers={"Accept-Language": language},
    ).get_data(as_text=True)
    assert title in page and "错误： " not in page
    _summary_points_at_a_field(page)
    assert "Without a choice." in page


def _flashes(page: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page)))


def test_a_bulk_decision_says_who_moved_up_and_what_to_do_for_those_left_waiting(
    app, organizer, event_id
):
    """Issue 10: two places, three speakers. Approving all three puts the third on the
    waiting list with a next step; cancelling an approved one says who moved up."""
    ids = submitted(app, event_id, 3)
    url = f"/manage/events/{event_id}/registrations"
    response = submit(organizer, url, {"registration": [str(i) for i in ids], "action": "approved"})
    page = _flashes(organizer.get(response.headers["Location"]).get_data(as_text=True))
    assert "No speaking place was left for 1 registration" in page and "(Speaker 2)" in page
    assert "To approve them, free a place first" in page
    response = submit(
        organizer, url, {"registration": [str(ids[0])], "action": "cancelled", "confirmed": "yes"}
    )
    page = _flashes(organizer.get(response.headers["Location"]).get_data(as_text=True))
    assert (
        "A place became free: Speaker 2 moved up from the waiting list and has been told." in page
    )


def test_each_registration_has_its_own_page_with_the_decision(app, organizer, event_id):
    ids = submitted(app, event_id, 1)
    queue = organizer.get(f"/manage/events/{event_id}/registrations").get_data(as_text=True)
    address = f"/manage/events/{event_id}/registrations/{ids[0]}"
    assert f'href="{address}"' in queue, "reached from the review queue"
    page = organizer.get(address).get_data(as_text=True)
    for shown in ("Speaker 0", "Org 0", "s0@example.com", "Topic 0", "Registered"):
        assert shown in page
    decision = page.split('id="action"', 1)[1].split("</select>", 1)[0]
    assert "Choose a decision" in decision
    assert not re.search(r'selected value="[a-z]', decision), "no decision chosen beforehand"
    response = submit(organizer, address, {"action": "approved", "message": "Welcome."})
    assert response.headers["Location"].endswith(address), "the page again, not the queue"
    page = _flashes(organizer.get(address).get_data(as_text=True))
    assert "1 registration is now Approved." in page
    assert "Registration decided: Approved" in page, "the history says what was decided"
    with app.app_context():
        assert db.session.get(Registration, ids[0]).state is RegistrationState.APPROVED


def test_a_registration_is_found_only_under_its_own_event(app, organizer, event_id):
    ids = submitted(app, event_id, 1)
    with app.app_context():
        other = factories.event()
        db.session.commit()
        other_id = other.id
    assert organizer.get(f"/manage/events/{other_id}/registrations/{ids[0]}").status_code == 404
    assert organizer.get(f"/manage/events/{event_id}/registrations/999999").status_code == 404


def test_cancelling_an_approved_speaker_on_their_page_asks_and_then_cancels(
    app, organizer, event_id
):
    """Found by review: the page that asks before an approved speaker is cancelled posted
    its button to the review queue, without the registration, so a cancellation decided on
    the registration's own page could never be confirmed ("Tick at least one
    registration")."""
    ids = submitted(app, event_id, 1)
    address = f"/manage/events/{event_id}/registrations/{ids[0]}"
    submit(organizer, address, {"action": "approved"})
    asked = submit(organizer, address, {"action": "cancelled", "message": "Sorry"})
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "This speaker is approved to speak." in page
    form = re.search(r'<form method="post" action="([^"]+)" novalidate>.*?</form>', page, re.S)
    assert form.group(1) == address, "the button sends the decision back to this page"
    assert f'href="{address}"' in form.group(0), "keeping the speaker leads back here too"
    with app.app_context():
        assert db.session.get(Registration, ids[0]).state is RegistrationState.APPROVED
    sent = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(0)))
    done = organizer.post(form.group(1), data=sent)
    assert done.headers["Location"].endswith(address)
    with app.app_context():
        assert db.session.get(Registration, ids[0]).state is RegistrationState.CANCELLED


def test_a_suggestion_under_a_category_no_longer_offered_is_not_dropped_unseen(
    app, client, event_id
):
    """The category was read only when the suggestion was kept: one withdrawn from the list
    while the speaker typed (or any number in a hand-made post) dropped the suggestion while
    the registration went through, and nobody was told."""
    with app.app_context():
        category = factories.category()
        db.session.commit()
        gone = category.id + 1000
    data = {**GOOD, "suggestions-0-category": str(gone), "suggestions-0-content": "Build flats."}
    response = submit(client, register_url(event_id), data)
    assert response.status_code == 200
    assert 'href="#suggestions-0-category"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Registration)) == 0
