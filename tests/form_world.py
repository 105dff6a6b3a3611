"""Every form the application accepts by POST, and a small world in which each can be used.

Shared by the hostile-text proof (tests/test_hostile_input.py) and the property-based fuzz
(tests/test_fuzz_forms.py): one list of forms, so that a form added to the application and
missing here fails `test_every_post_route_has_a_form_case` in both.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import count
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    FileField,
    FormField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)

from talentday.admin.forms import CategoryForm, RobotTestForm, ScoreWeightsForm, UnitForm, UserForm
from talentday.api import tokens as api_tokens
from talentday.api.account import RevokeTokenForm, TokenForm
from talentday.api.models import ApiToken
from talentday.auth import reset, throttle
from talentday.auth.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    ResetPasswordForm,
    SignInForm,
)
from talentday.auth.models import Role, User
from talentday.events.forms import EventForm
from talentday.events.models import EventState
from talentday.extensions import db
from talentday.followup.forms import (
    AssignForm,
    BulkAssignForm,
    ClosingForm,
    CommitmentAnswerForm,
    CommitmentCheckForm,
    ConfirmImportForm,
    ContactForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    ImportForm,
    InstructionForm,
    MergeForm,
    NoteForm,
    OpinionForm,
    ProgressForm,
    PublishForm,
    QuickEntryForm,
    RatingForm,
    ReasonForm,
    ResultForm,
    SplitForm,
)
from talentday.followup.models import ItemState, ResultClass
from talentday.forms import BaseForm
from talentday.outbox.forms import MessageTemplateForm, OutboxActionForm
from talentday.outbox.message_templates import KINDS
from talentday.outbox.models import MessageChannel, MessageStatus, OutboxMessage
from talentday.registrations import check_in
from talentday.registrations import services as registrations
from talentday.registrations.forms import (
    AddSuggestionForm,
    AnonymiseSpeakerForm,
    AttendanceForm,
    BreakForm,
    CheckInByNameForm,
    CheckInForm,
    ConfirmRegistrationForm,
    DeclineForm,
    ProgrammeForm,
    RegistrationForm,
    RemoveBreakForm,
    RequestLinkForm,
    ReviewForm,
    SpeakerDetailsForm,
    SpeakersMessageForm,
    WithdrawForm,
)
from talentday.registrations.models import (
    ProgrammeBreak,
    Publication,
    RegistrationState,
    TalentTeam,
)
from talentday.webhooks.models import DeliveryStatus, Webhook, WebhookDelivery
from talentday.webhooks.views import WebhookActionForm, WebhookForm
from tests import factories
from tests.conftest import PASSWORD, open_private_link, sign_in

# A group robot on the platform's own host (nothing is sent in these tests).
ROBOT_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=form-world"

# Tables that a refused form may still write to: failed sign-ins are audited by design.
AUDIT_TABLES = {"audit_entry"}


@dataclass
class World:
    """Ids of what the forms act on, and one signed-in client per role."""

    event: int
    category: int
    unit_a: int
    unit_b: int
    new_item: int
    assigned_item: int
    working_item: int
    resolved_item: int
    registration: int
    anonymise_speaker: int
    staff_user: int
    failed_message: int = 0
    queued_message: int = 0
    check_in_code: str = ""
    programme_break: int = 0
    extension_item: int = 0
    promise_item: int = 0
    opinion_item: int = 0
    waive_item: int = 0
    keyed_item: int = 0
    published_item: int = 0
    staff_token: int = 0  # an API token of the staff account
    webhook: int = 0
    webhook_delivery: int = 0
    app: object = None
    clients: dict = field(default_factory=dict)
    emails: dict = field(default_factory=dict)


def build_world(app, make_user, monkeypatch) -> World:
    # Hundreds of posts from one address: the limits under test elsewhere would answer 429
    # before the forms here are reached, and the sign-in delay would wait them out.
    app.config.update(
        SIGN_IN_LIMITS="100000 per minute",
        REGISTRATION_LIMITS="100000 per minute",
        PRIVATE_LINK_LIMITS="100000 per minute",
        LINK_REQUEST_LIMITS="100000 per minute",
        PASSWORD_RESET_LIMITS="100000 per minute",
    )
    monkeypatch.setattr(throttle, "pause", lambda seconds: None)
    with app.app_context():
        now = datetime.now(UTC)
        event = factories.event(
            state=EventState.PUBLISHED,
            title="25th Talent Salon",
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=3),
            registration_closes_at=now + timedelta(days=20),
            speaking_slots=50,
        )
        category = factories.category(name="Talent apartments", code="talent-apartments")
        unit_a, unit_b = (
            factories.unit(name="Housing Bureau"),
            factories.unit(
                name="Science Bureau",
                robot_channel=MessageChannel.WECOM,
                robot_webhook_url=ROBOT_URL,
            ),
        )
        speaker = factories.speaker(
            name="Gao Lizhi",
            phone="13800001234",
            organization="SEU",
            talent_team=TalentTeam(REGISTRATION["talent_team"]),
        )
        registration = factories.registration(
            event=event,
            speaker=speaker,
            state=RegistrationState.APPROVED,
            topic="Flats",
            publication=Publication.NAMED,
        )
        token = registrations.issue_token(registration)
        due = datetime.now(UTC).date() + timedelta(days=20)

        def item(state, **values):
            return factories.item(
                event=event,
                category=category,
                speaker=speaker,
                registration=registration,
                state=state,
                **({"lead_unit": unit_a, "due_on": due} if state is not ItemState.NEW else {}),
                **values,
            ).id

        world = World(
            event=event.id,
            category=category.id,
            unit_a=unit_a.id,
            unit_b=unit_b.id,
            new_item=item(ItemState.NEW),
            assigned_item=item(ItemState.ASSIGNED),
            working_item=item(ItemState.IN_PROGRESS),
            resolved_item=item(
                ItemState.RESOLVED, result="Flats are being built.", resolved_at=now
            ),
            registration=registration.id,
            anonymise_speaker=factories.registration(event=event).speaker_id,
            staff_user=0,
        )
        world.extension_item = item(
            ItemState.IN_PROGRESS, extension_asked_to=due + timedelta(days=10)
        )
        world.promise_item = item(
            ItemState.RESOLVED,
            result="Flats are being built.",
            result_class=ResultClass.BEING_SOLVED,
            commitment_on=due - timedelta(days=40),
            commitment_due_at=now,
        )
        # Countersigning: unit A co-handles one item (its opinion is wanted) and leads
        # another whose co-handling unit B has not given its opinion.
        world.opinion_item = factories.item(
            event=event, category=category, state=ItemState.IN_PROGRESS, lead_unit=unit_b,
            co_units=[unit_a], due_on=due,
        ).id  # fmt: skip
        world.waive_item = factories.item(
            event=event, category=category, state=ItemState.IN_PROGRESS, lead_unit=unit_a,
            co_units=[unit_b], due_on=due,
        ).id  # fmt: skip
        # A published answer, its speaker having agreed (to take it off the page).
        world.published_item = factories.item(
            event=event, category=category, state=ItemState.CLOSED, lead_unit=unit_a,
            due_on=due, result="Flats open in May.", resolved_at=now, published_at=now,
            published_content="Flats for engineers.", published_result="Open in May.",
        ).id  # fmt: skip
        # A key item with a leader's instruction (for a later one, and lifting the mark).
        world.keyed_item = factories.item(
            event=event, category=category, state=ItemState.IN_PROGRESS, lead_unit=unit_a,
            due_on=due, key_at=now, key_instruction="Report weekly.",
        ).id  # fmt: skip
        world.emails["speaker"] = speaker.email
        world.check_in_code = check_in.code_for(registration)
        pause = ProgrammeBreak(event_id=event.id, after_order=1, minutes=15, label="Tea")
        db.session.add(pause)
        db.session.flush()
        world.programme_break = pause.id
        for status in (MessageStatus.FAILED, MessageStatus.QUEUED):
            message = OutboxMessage(
                kind="approved", to_email="gao@example.com", subject="S", body="B", status=status
            )
            db.session.add(message)
            db.session.flush()
            setattr(world, f"{status.value}_message", message.id)
        db.session.commit()
    world.app = app
    staff = make_user(Role.DEPARTMENT_STAFF, unit_id=world.unit_a)
    world.staff_user = staff.id
    with app.app_context():
        api_tokens.create(db.session.get(User, staff.id), name="Office system", can_write=True)
        db.session.commit()
        world.staff_token = db.session.scalar(sa.select(sa.func.max(ApiToken.id)))
        hook = Webhook(url="https://office.example.gov.cn/hook", secret="s" * 20)
        db.session.add(hook)
        db.session.flush()
        delivery = WebhookDelivery(
            webhook_id=hook.id, event="item.state_changed", payload="{}",
            status=DeliveryStatus.FAILED,
        )  # fmt: skip
        db.session.add(delivery)
        db.session.commit()
        world.webhook, world.webhook_delivery = hook.id, delivery.id
    users = {
        "admin": make_user(Role.ADMIN),
        "organizer": make_user(Role.ORGANIZER),
        "leader": make_user(Role.LEADER),
        "staff": staff,
    }
    world.clients["anonymous"] = app.test_client()
    for role, user in users.items():
        client = app.test_client()
        assert sign_in(client, user.email).status_code == 302
        world.clients[role] = client
        world.emails[role] = user.email
    world.clients["speaker"] = app.test_client()
    open_private_link(world.clients["speaker"], f"/r/{token}")
    # Someone who opened a password reset link: the reset form is theirs to post.
    forgetful = make_user(Role.ORGANIZER)
    with app.app_context():
        reset_token = reset.make_token(db.session.get(User, forgetful.id))
    world.clients["reset"] = app.test_client()
    assert world.clients["reset"].get(f"/reset-password/{reset_token}").status_code == 302
    world.emails["reset"] = forgetful.email
    return world


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables
            if table.name not in AUDIT_TABLES
        }


@dataclass
class FormCase:
    """One form as a browser sends it: who may use it, where it posts, where it is shown."""

    name: str
    role: str
    url: Callable[[World], str]
    page: Callable[[World], str]
    # The forms whose fields the body is made of, with their prefixes.
    forms: list[tuple[type[BaseForm], str]]
    valid: Callable[[World], dict]
    # Pages that show what the form stores, to check it is escaped there.
    shows: Callable[[World], list[str]] = lambda world: []
    # Fields the view reads from request.form without a form class.
    extra: Callable[[World], dict] = lambda world: {}


def _event_form(world: World) -> dict:
    return {
        "series": "Talent Salon",
        "edition": "26",
        "title": "26th Talent Salon",
        "starts_at": "2030-09-20T14:30",
        "ends_at": "2030-09-20T17:30",
        "speaking_slots": "12",
        "follow_up_days": "30",
    }


def _item(name: str) -> Callable[[World], str]:
    return lambda world: f"/followup/items/{getattr(world, name)}"


def _role(action: str) -> str:
    if action in ("assign", "close", "reopen", "urge", "extension", "check_promise", "waive",
                  "publish", "unpublish"):  # fmt: skip
        return "organizer"
    return "leader" if action in ("key", "instruct", "unkey") else "staff"


def _act(action: str, item: str, form, valid: Callable[[World], dict]) -> FormCase:
    return FormCase(
        name=f"item {action}",
        role=_role(action),
        url=lambda world: f"{_item(item)(world)}/{action}",
        page=_item(item),
        forms=[(form, action)],
        valid=lambda world: {f"{action}-{key}": value for key, value in valid(world).items()},
        shows=lambda world: [_item(item)(world)],
    )


SCORE_WEIGHTS = dict.fromkeys(
    ("on_time", "solved", "satisfied", "kept", "not_extended", "contacted", "minimum_items"), "5"
)

REGISTRATION = {
    "name": "Wang Hongyang",
    "email": "wang.hongyang@example.com",
    "phone": "138 0000 1234",
    "organization": "Jiangsu FTR Communication Co., Ltd.",
    "position": "Chairman and General Manager",
    "talent_team": "enterprise",
    "topic": "Intelligent manufacturing",
    "summary": "What we learned.",
    "consent": "y",
}

_addresses = count(1)

FORM_CASES = [
    FormCase(
        "sign in",
        "anonymous",
        lambda world: "/sign-in",
        lambda world: "/sign-in",
        [(SignInForm, "")],
        lambda world: {"email": world.emails["leader"], "password": PASSWORD, "next": "/"},
    ),
    FormCase(
        "sign out",
        "anonymous",
        lambda world: "/sign-out",
        lambda world: "/sign-in",
        [],
        lambda world: {},
    ),
    FormCase(
        "language",
        "anonymous",
        lambda world: "/language",
        lambda world: "/sign-in",
        [(LanguageForm, "")],
        lambda world: {"locale": "zh_Hans", "next": "/"},
    ),
    FormCase(
        "change password",
        "leader",
        lambda world: "/account/password",
        lambda world: "/account/password",
        [(ChangePasswordForm, "")],
        lambda world: {
            "current_password": "wrong password",
            "new_password": "a much longer passphrase",
            "confirm_password": "a much longer passphrase",
        },
    ),
    FormCase(
        "forgot password",
        "anonymous",
        lambda world: "/forgot-password",
        lambda world: "/forgot-password",
        [(ForgotPasswordForm, "")],
        lambda world: {"email": world.emails["leader"]},
    ),
    FormCase(
        "reset password",
        "reset",
        lambda world: "/reset-password/",
        lambda world: "/reset-password/",
        [(ResetPasswordForm, "")],
        lambda world: {
            "new_password": "a much longer passphrase",
            "confirm_password": "a much longer passphrase",
        },
    ),
    FormCase(
        "new user",
        "admin",
        lambda world: "/admin/users/new",
        lambda world: "/admin/users/new",
        [(UserForm, "")],
        lambda world: {
            "name": "Li Ming",
            "email": "li.ming@example.com",
            "role": "leader",
            "unit_id": "",
            "password": "river lantern orchard tides",
            "active": "y",
        },
        shows=lambda world: ["/admin/users"],
    ),
    FormCase(
        "edit user",
        "admin",
        lambda world: f"/admin/users/{world.staff_user}/edit",
        lambda world: f"/admin/users/{world.staff_user}/edit",
        [(UserForm, "")],
        lambda world: {
            "name": "Zhou Ping",
            "email": world.emails["staff"],
            "role": "department_staff",
            "unit_id": str(world.unit_a),
            "active": "y",
        },
        shows=lambda world: ["/admin/users"],
    ),
    FormCase(
        "new unit",
        "admin",
        lambda world: "/admin/units/new",
        lambda world: "/admin/units/new",
        [(UnitForm, "")],
        lambda world: {"name": "Education Bureau", "kind": "municipal_department", "active": "y"},
        shows=lambda world: ["/admin/units"],
    ),
    FormCase(
        "edit unit",
        "admin",
        lambda world: f"/admin/units/{world.unit_b}/edit",
        lambda world: f"/admin/units/{world.unit_b}/edit",
        [(UnitForm, "")],
        lambda world: {
            "name": "Science Bureau",
            "kind": "municipal_department",
            "active": "y",
            "robot_channel": "wecom",
            "robot_url": ROBOT_URL,
        },
        shows=lambda world: ["/admin/units", f"/followup/items/{world.working_item}"],
    ),
    FormCase(
        "robot test",
        "admin",
        lambda world: f"/admin/units/{world.unit_b}/robot-test",
        lambda world: f"/admin/units/{world.unit_b}/edit",
        [(RobotTestForm, "")],
        lambda world: {},
    ),
    FormCase(
        "new category",
        "admin",
        lambda world: "/admin/categories/new",
        lambda world: "/admin/categories/new",
        [(CategoryForm, "")],
        lambda world: {"name": "Talent ecosystem", "code": "ecosystem", "position": "2"},
        shows=lambda world: ["/admin/categories"],
    ),
    FormCase(
        "make api token",
        "leader",
        lambda world: "/account/api-tokens",
        lambda world: "/account/api-tokens",
        [(TokenForm, "")],
        lambda world: {"name": "Office system of the Housing Bureau"},
        shows=lambda world: ["/account/api-tokens"],
    ),
    FormCase(
        "revoke api token",
        "staff",
        lambda world: f"/account/api-tokens/{world.staff_token}/revoke",
        lambda world: "/account/api-tokens",
        [(RevokeTokenForm, "")],
        lambda world: {},
    ),
    FormCase(
        "admin revokes api token",
        "admin",
        lambda world: f"/admin/users/{world.staff_user}/api-tokens/{world.staff_token}/revoke",
        lambda world: f"/admin/users/{world.staff_user}/edit",
        [(RevokeTokenForm, "")],
        lambda world: {},
    ),
    FormCase(
        "register webhook",
        "organizer",
        lambda world: "/manage/webhooks/",
        lambda world: "/manage/webhooks/",
        [(WebhookForm, "")],
        lambda world: {
            "url": "https://office.example.gov.cn/talentday",
            "secret": "a secret of the office system",
            "description": "Office system of the Housing Bureau",
        },
        shows=lambda world: ["/manage/webhooks/"],
    ),
    FormCase(
        "pause webhook",
        "organizer",
        lambda world: f"/manage/webhooks/{world.webhook}/pause",
        lambda world: "/manage/webhooks/",
        [(WebhookActionForm, "")],
        lambda world: {},
    ),
    FormCase(
        "retry webhook delivery",
        "organizer",
        lambda world: f"/manage/webhooks/deliveries/{world.webhook_delivery}/retry",
        lambda world: "/manage/webhooks/",
        [(WebhookActionForm, "")],
        lambda world: {},
    ),
    FormCase(
        "score weights",
        "admin",
        lambda world: "/admin/scores",
        lambda world: "/admin/scores",
        [(ScoreWeightsForm, "")],
        lambda world: {**SCORE_WEIGHTS},
    ),
    FormCase(
        "edit category",
        "admin",
        lambda world: f"/admin/categories/{world.category}/edit",
        lambda world: f"/admin/categories/{world.category}/edit",
        [(CategoryForm, "")],
        lambda world: {
            "name": "Talent apartments",
            "code": "talent-apartments",
            "position": "1",
            "active": "y",
        },
        shows=lambda world: ["/admin/categories", f"/followup/items/{world.new_item}"],
    ),
    FormCase(
        "new event",
        "organizer",
        lambda world: "/manage/events/new",
        lambda world: "/manage/events/new",
        [(EventForm, "")],
        _event_form,
        shows=lambda world: ["/manage/events"],
    ),
    FormCase(
        "edit event",
        "organizer",
        lambda world: f"/manage/events/{world.event}/edit",
        lambda world: f"/manage/events/{world.event}/edit",
        [(EventForm, "")],
        lambda world: {**_event_form(world), "title": "25th Talent Salon", "edition": "25"},
        shows=lambda world: [
            f"/manage/events/{world.event}",
            f"/events/{world.event}",
            f"/events/{world.event}/programme",
        ],
    ),
    FormCase(
        "event state",
        "organizer",
        lambda world: f"/manage/events/{world.event}/state",
        lambda world: f"/manage/events/{world.event}",
        [],
        lambda world: {"state": "published"},
        extra=lambda world: {"state": "published"},
    ),
    FormCase(
        "register",
        "anonymous",
        lambda world: f"/events/{world.event}/register",
        lambda world: f"/events/{world.event}/register",
        [(RegistrationForm, "")],
        # A new address each time: one already on file is held unconfirmed (finding 7).
        lambda world: {
            **REGISTRATION,
            "email": f"speaker{next(_addresses)}@example.com",
            "suggestions-0-category": str(world.category),
            "suggestions-0-content": "Talent flats near the zone.",
        },
        shows=lambda world: [f"/manage/events/{world.event}/registrations"],
    ),
    FormCase(
        "request link",
        "anonymous",
        lambda world: "/send-my-link",
        lambda world: "/send-my-link",
        [(RequestLinkForm, "")],
        lambda world: {"email": world.emails["speaker"]},
    ),
    FormCase(
        "review registrations",
        "organizer",
        lambda world: f"/manage/events/{world.event}/registrations",
        lambda world: f"/manage/events/{world.event}/registrations",
        [(ReviewForm, "")],
        lambda world: {"registration": str(world.registration), "action": "approved"},
        extra=lambda world: {"registration": str(world.registration)},
    ),
    FormCase(
        "decide one registration",
        "organizer",
        lambda world: f"/manage/events/{world.event}/registrations/{world.registration}",
        lambda world: f"/manage/events/{world.event}/registrations/{world.registration}",
        [(ReviewForm, "")],
        lambda world: {"action": "approved"},
    ),
    FormCase(
        "programme",
        "organizer",
        lambda world: f"/manage/events/{world.event}/programme",
        lambda world: f"/manage/events/{world.event}/programme",
        [(ProgrammeForm, "")],
        lambda world: {
            "placements-0-registration_id": str(world.registration),
            "placements-0-order": "1",
            "placements-0-minutes": "10",
        },
    ),
    FormCase(
        "anonymise speaker",
        "organizer",
        lambda world: f"/manage/speakers/{world.anonymise_speaker}/anonymise",
        lambda world: f"/manage/speakers/{world.anonymise_speaker}/anonymise",
        [(AnonymiseSpeakerForm, "")],
        lambda world: {"confirm": ""},
    ),
    FormCase(
        "speaker details",
        "speaker",
        lambda world: "/r/details",
        lambda world: "/r/",
        [(SpeakerDetailsForm, "details")],
        lambda world: {f"details-{key}": value for key, value in REGISTRATION.items()},
        shows=lambda world: ["/r/", f"/manage/events/{world.event}/registrations"],
    ),
    FormCase(
        "speaker suggestion",
        "speaker",
        lambda world: "/r/suggestions",
        lambda world: "/r/",
        [(AddSuggestionForm, "suggestion")],
        lambda world: {
            "suggestion-category": str(world.category),
            "suggestion-content": "More talent flats.",
        },
        shows=lambda world: ["/r/", "/followup/?state=new"],
    ),
    FormCase(
        "speaker rating",
        "speaker",
        lambda world: f"/r/items/{world.resolved_item}/rating",
        lambda world: "/r/",
        [(RatingForm, "rate")],
        lambda world: {
            f"rate{world.resolved_item}-satisfaction": "unsatisfied",
            f"rate{world.resolved_item}-contacted": "yes",
            f"rate{world.resolved_item}-comment": "The flats are too far away.",
        },
        shows=lambda world: ["/r/", f"/followup/items/{world.resolved_item}"],
    ),
    FormCase(
        "speaker promise",
        "speaker",
        lambda world: f"/r/items/{world.promise_item}/promise",
        lambda world: "/r/",
        [(CommitmentAnswerForm, "promise")],
        lambda world: {
            f"promise{world.promise_item}-kept": "no",
            f"promise{world.promise_item}-comment": "Nothing built yet.",
        },
        shows=lambda world: ["/r/", f"/followup/items/{world.promise_item}"],
    ),
    FormCase(
        "speaker confirm",
        "speaker",
        lambda world: "/r/confirm",
        lambda world: "/r/",
        [(ConfirmRegistrationForm, "confirm")],
        lambda world: {},
    ),
    FormCase(
        "speaker withdraw",
        "speaker",
        lambda world: "/r/withdraw",
        lambda world: "/r/",
        [(WithdrawForm, "withdraw")],
        lambda world: {"withdraw-confirm": ""},
    ),
    FormCase(
        "message speakers",
        "organizer",
        lambda world: f"/manage/events/{world.event}/message",
        lambda world: f"/manage/events/{world.event}/message",
        [(SpeakersMessageForm, "")],
        lambda world: {
            "audience": "approved",
            "team": "",
            "subject_en": "The salon is on Friday",
            "body_en": "Dear {name}, see you at {venue}.",
            "subject_zh": "",
            "body_zh": "",
            "batch": "form-world",
            "step": "send",
        },
        extra=lambda world: {"step": "send"},
    ),
    FormCase(
        "check in by name",
        "organizer",
        lambda world: f"/manage/events/{world.event}/check-in",
        lambda world: f"/manage/events/{world.event}/check-in",
        [(CheckInByNameForm, "")],
        lambda world: {"name": "Gao Lizhi"},
    ),
    FormCase(
        "check in by code",
        "organizer",
        lambda world: f"/manage/events/{world.event}/check-in/{world.check_in_code}",
        lambda world: f"/manage/events/{world.event}/check-in/{world.check_in_code}",
        [(CheckInForm, "")],
        lambda world: {},
    ),
    FormCase(
        "undo check-in",
        "organizer",
        lambda world: f"/manage/events/{world.event}/check-in/{world.registration}/undo",
        lambda world: f"/manage/events/{world.event}/check-in",
        [(CheckInForm, "")],
        lambda world: {},
    ),
    FormCase(
        "add a break",
        "organizer",
        lambda world: f"/manage/events/{world.event}/programme/breaks",
        lambda world: f"/manage/events/{world.event}/programme",
        [(BreakForm, "")],
        lambda world: {"after_order": "2", "minutes": "10", "label": "Tea break"},
        shows=lambda world: [f"/manage/events/{world.event}/programme"],
    ),
    FormCase(
        "remove a break",
        "organizer",
        lambda world: (
            f"/manage/events/{world.event}/programme/breaks/{world.programme_break}/remove"
        ),
        lambda world: f"/manage/events/{world.event}/programme",
        [(RemoveBreakForm, "")],
        lambda world: {},
    ),
    FormCase(
        "speaker will come",
        "speaker",
        lambda world: "/r/attendance",
        lambda world: "/r/",
        [(AttendanceForm, "attendance")],
        lambda world: {},
    ),
    FormCase(
        "speaker declines",
        "speaker",
        lambda world: "/r/decline",
        lambda world: "/r/",
        [(DeclineForm, "decline")],
        lambda world: {"decline-confirm": ""},
    ),
    FormCase(
        "quick entry",
        "organizer",
        lambda world: "/followup/new",
        lambda world: f"/followup/new?event={world.event}",
        [(QuickEntryForm, "")],
        lambda world: {
            "event_id": str(world.event),
            "speaker_id": "",
            "raised_by_name": "Chen Jing",
            "category_id": str(world.category),
            "content": "Open talent apartments near the zone.",
        },
        shows=lambda world: ["/followup/?state=new", f"/events/{world.event}/programme"],
    ),
    FormCase(
        "assign many",
        "organizer",
        lambda world: "/followup/assign",
        lambda world: "/followup/",
        [(BulkAssignForm, "")],
        lambda world: {
            "item": str(world.new_item),
            "lead_unit_id": str(world.unit_b),
            "due_on": "2030-12-31",
            "instructions": "Answer within the month.",
            "back": "/followup/",
        },
        shows=lambda world: [f"/followup/items/{world.new_item}"],
        extra=lambda world: {"item": str(world.new_item), "back": "/followup/"},
    ),
    _act(
        "assign",
        "new_item",
        AssignForm,
        lambda world: {
            "lead_unit_id": str(world.unit_a),
            "co_unit_ids": str(world.unit_b),
            "due_on": "2030-12-31",
            "instructions": "Answer within the month.",
        },
    ),
    _act("accept", "assigned_item", NoteForm, lambda world: {"note": "We take it."}),
    _act("return", "assigned_item", ReasonForm, lambda world: {"reason": "Not ours."}),
    _act(
        "progress",
        "working_item",
        ProgressForm,
        lambda world: {"note": "Site chosen.", "percent": "40"},
    ),
    _act(
        "result",
        "working_item",
        ResultForm,
        lambda world: {"result": "Flats open in May.", "result_class": "solved"},
    ),
    _act("urge", "working_item", NoteForm, lambda world: {"note": "Please hurry."}),
    _act(
        "close", "resolved_item", ClosingForm, lambda world: {"result_class": "", "note": "Done."}
    ),
    _act("opinion", "opinion_item", OpinionForm, lambda world: {"opinion": "We agree."}),
    _act("waive", "waive_item", ReasonForm, lambda world: {"reason": "They said so by phone."}),
    _act(
        "contact",
        "working_item",
        ContactForm,
        lambda world: {
            "method": "phone",
            # The city's day (TIMEZONE): never before the item was raised there.
            "contacted_on": datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat(),
            "summary": "Called the speaker about the site.",
        },
    ),
    _act(
        "publish",
        "resolved_item",
        PublishForm,
        lambda world: {"content": "Flats for young engineers.", "result": "Open in May."},
    ),
    _act("unpublish", "published_item", ReasonForm, lambda world: {"reason": "Asked to."}),
    _act("key", "working_item", InstructionForm, lambda world: {"instruction": "Weekly."}),
    _act("instruct", "keyed_item", InstructionForm, lambda world: {"instruction": "Daily."}),
    _act("unkey", "keyed_item", ReasonForm, lambda world: {"reason": "Settled."}),
    _act(
        "check_promise",
        "promise_item",
        CommitmentCheckForm,
        lambda world: {
            "outcome": "not_kept",
            "reason": "The flats are not built.",
            "due_on": (datetime.now(UTC).date() + timedelta(days=30)).isoformat(),
        },
    ),
    _act("reopen", "resolved_item", ReasonForm, lambda world: {"reason": "Not done."}),
    _act(
        "extend",
        "working_item",
        ExtensionRequestForm,
        lambda world: {
            "due_on": (datetime.now(UTC).date() + timedelta(days=25)).isoformat(),
            "reason": "Awaiting the budget.",
        },
    ),
    _act(
        "extension",
        "extension_item",
        ExtensionDecisionForm,
        lambda world: {"decision": "refuse", "due_on": "", "reason": "Not this time."},
    ),
    FormCase(
        "merge",
        "organizer",
        lambda world: f"/followup/items/{world.new_item}/merge",
        lambda world: f"/followup/items/{world.new_item}",
        [(MergeForm, "")],
        lambda world: {"into": str(world.working_item)},
    ),
    FormCase(
        "split",
        "organizer",
        lambda world: f"/followup/items/{world.new_item}/split",
        lambda world: f"/followup/items/{world.new_item}/split",
        [(SplitForm, "")],
        lambda world: {
            "parts-0": "Build flats.",
            "parts-1": "Cut the rent.",
            "parts-2": "",
        },
        shows=lambda world: ["/followup/?state=new"],
    ),
    FormCase(
        "import",
        "organizer",
        lambda world: "/followup/import",
        lambda world: "/followup/import",
        [(ImportForm, "")],
        lambda world: {"event_id": str(world.event)},
    ),
    FormCase(
        "confirm import",
        "organizer",
        lambda world: "/followup/import/confirm",
        lambda world: "/followup/import",
        [(ConfirmImportForm, "")],
        lambda world: {"batch": "a" * 32 + ".csv", "event_id": str(world.event)},
        extra=lambda world: {"event_id": str(world.event)},
    ),
]

FORM_CASES += [
    FormCase(
        "outbox resend",
        "organizer",
        lambda world: f"/manage/outbox/{world.failed_message}/resend",
        lambda world: f"/manage/outbox/{world.failed_message}",
        [(OutboxActionForm, "")],
        lambda world: {},
    ),
    FormCase(
        "outbox discard",
        "organizer",
        lambda world: f"/manage/outbox/{world.queued_message}/discard",
        lambda world: f"/manage/outbox/{world.queued_message}/discard",
        [(OutboxActionForm, "")],
        lambda world: {},
    ),
    FormCase(
        "message wording",
        "organizer",
        lambda world: "/manage/messages/registration_approved/en",
        lambda world: "/manage/messages/registration_approved/en",
        [(partial(MessageTemplateForm, kind=KINDS["registration_approved"], language="en"), "")],
        lambda world: {
            "subject": "Approved for {event}",
            "body": "Dear {name},\n\nSee you on {when}.\n{will_you_come}\n{private_link}\n"
            "{organizer_message}",
            "step": "save",
        },
        shows=lambda world: ["/manage/messages/registration_approved/en"],
        extra=lambda world: {"step": "save"},
    ),
    FormCase(
        "message wording reset",
        "organizer",
        lambda world: "/manage/messages/registration_approved/en/reset",
        lambda world: "/manage/messages/registration_approved/en",
        [(OutboxActionForm, "")],
        lambda world: {},
    ),
]

# The fields each case's `shows` pages display, to prove a stored payload appears there escaped.
SHOWN_FIELDS = {
    "make api token": {"name"},
    "register webhook": {"description"},
    "new user": {"name"},
    "edit user": {"name"},
    "new unit": {"name"},
    "edit unit": {"name"},
    "new category": {"name"},
    "edit category": {"name"},
    "new event": {"title"},
    "edit event": {"title"},
    "register": {"name", "topic"},
    "speaker details": {"details-name", "details-topic"},
    "speaker suggestion": {"suggestion-content"},
    "quick entry": {"content"},
    "item return": {"return-reason"},
    "item progress": {"progress-note"},
    "item result": {"result-result"},
    "item reopen": {"reopen-reason"},
    "item key": {"key-instruction"},
    "item contact": {"contact-summary"},
    "item publish": {"publish-content", "publish-result"},
    "item instruct": {"instruct-instruction"},
    "split": {"parts-0", "parts-1"},
}

# Routes that take a POST, by endpoint, and the cases that cover them.
ENDPOINTS = {
    "auth.sign_in": ["sign in"],
    "auth.sign_out": ["sign out"],
    "auth.language": ["language"],
    "auth.password": ["change password"],
    "auth.forgot_password": ["forgot password"],
    "auth.reset_password": ["reset password"],
    "admin.new_user": ["new user"],
    "admin.edit_user": ["edit user"],
    "admin.edit_unit": ["new unit", "edit unit"],
    "admin.send_robot_test": ["robot test"],
    "admin.edit_category": ["new category", "edit category"],
    "admin.score_weights": ["score weights"],
    "api_tokens.index": ["make api token"],
    "api_tokens.revoke": ["revoke api token"],
    "api_tokens.admin_revoke": ["admin revokes api token"],
    "webhooks.index": ["register webhook"],
    "webhooks.change": ["pause webhook"],
    "webhooks.retry": ["retry webhook delivery"],
    "events.new_event": ["new event"],
    "events.edit_event": ["edit event"],
    "events.change_state": ["event state"],
    "registrations.register": ["register"],
    "registrations.request_link": ["request link"],
    "registrations.review": ["review registrations"],
    "registrations.registration_page": ["decide one registration"],
    "registrations.programme": ["programme"],
    "registrations.anonymise_speaker": ["anonymise speaker"],
    "registrations.save_details": ["speaker details"],
    "registrations.add_suggestion": ["speaker suggestion"],
    "registrations.rate_item": ["speaker rating"],
    "registrations.answer_promise": ["speaker promise"],
    "registrations.confirm_registration": ["speaker confirm"],
    "registrations.withdraw": ["speaker withdraw"],
    "registrations.confirm_attendance": ["speaker will come"],
    "registrations.message_speakers": ["message speakers"],
    "registrations.check_in_page": ["check in by name"],
    "registrations.check_in_code": ["check in by code"],
    "registrations.undo_check_in": ["undo check-in"],
    "registrations.add_break": ["add a break"],
    "registrations.remove_break": ["remove a break"],
    "registrations.decline": ["speaker declines"],
    "followup.new_item": ["quick entry"],
    "followup.assign_many": ["assign many"],
    "followup.act": [
        "item assign",
        "item accept",
        "item return",
        "item progress",
        "item result",
        "item urge",
        "item close",
        "item reopen",
        "item extend",
        "item extension",
        "item check_promise",
        "item opinion",
        "item waive",
        "item key",
        "item instruct",
        "item unkey",
        "item contact",
        "item publish",
        "item unpublish",
    ],
    "followup.merge": ["merge"],
    "followup.split": ["split"],
    "followup.import_items": ["import"],
    "followup.confirm_import": ["confirm import"],
    "outbox.resend": ["outbox resend"],
    "outbox.discard": ["outbox discard"],
    "messages.edit": ["message wording"],
    "messages.reset": ["message wording reset"],
}


@dataclass
class FieldSpec:
    name: str
    kind: str  # text, multiline, password, number, date, datetime, boolean, choice, file


def field_specs(app, case: FormCase, world: World) -> list[FieldSpec]:
    """The names the browser sends for the case's forms, read from the form classes."""
    specs = []
    with app.test_request_context():
        for form_class, prefix in case.forms:
            if form_class is RatingForm:
                prefix = f"rate{world.resolved_item}"
            if form_class is CommitmentAnswerForm:
                prefix = f"promise{world.promise_item}"
            form = form_class(prefix=prefix, meta={"csrf": False})
            if isinstance(getattr(form, "placements", None), FieldList):
                form.placements.append_entry()
            specs.extend(_specs(form))
    return specs


def _specs(fields) -> list[FieldSpec]:
    specs = []
    for item in fields:
        if isinstance(item, FieldList):
            specs.extend(_specs(item.entries))
        elif isinstance(item, FormField):
            specs.extend(_specs(item.form))
        else:
            specs.append(FieldSpec(item.name, _kind(item)))
    return [spec for spec in specs if not spec.name.endswith("csrf_token")]


def _kind(item) -> str:
    kinds = [
        (PasswordField, "password"),
        (FileField, "file"),
        (BooleanField, "boolean"),
        (IntegerField, "number"),
        (DateTimeLocalField, "datetime"),
        (DateField, "date"),
        ((SelectField, SelectMultipleField, RadioField), "choice"),
    ]
    for classes, kind in kinds:
        if isinstance(item, classes):
            return kind
    if item.type == "TextAreaField":
        return "multiline"
    assert isinstance(item, StringField), item
    return "text"


def case(name: str) -> FormCase:
    return next(c for c in FORM_CASES if c.name == name)
