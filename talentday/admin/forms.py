from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from talentday.auth.models import Role
from talentday.forms import (
    BaseForm,
    blank_to_none,
    email_field,
    to_optional_id,
    whole_number_field,
)
from talentday.outbox.models import MessageChannel
from talentday.units.models import UnitKind


class UserForm(BaseForm):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter the person's full name")), Length(max=100)],
        render_kw={"autocomplete": "off"},
    )
    email = email_field(
        _l("Email address"),
        missing=_l("Enter an email address"),
        autocomplete="off",
        description=_l("They sign in with this address."),
    )
    # No role is chosen for the admin: a new account with a role nobody picked (the first
    # in the list) would open pages its owner was never meant to see.
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("", _l("Choose a role"))]
        + [SelectChoice(role.value, role.label) for role in Role],
        validators=[DataRequired(_l("Choose a role"))],
    )
    unit_id = SelectField(
        _l("Responsible unit"),
        description=_l("Only for department staff: the unit whose items they handle."),
        coerce=to_optional_id,
        validate_choice=False,
    )
    password = PasswordField(
        _l("Password"),
        validators=[Optional()],
        render_kw={"autocomplete": "new-password"},
    )
    active = BooleanField(_l("Account is active"), default=True)


class UnitForm(BaseForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter the unit's name")), Length(max=200)],
    )
    name_zh = StringField(
        _l("Name in Chinese"),
        description=_l("Shown in the Chinese interface. Leave empty to use the name above."),
        validators=[Optional(), Length(max=200)],
        filters=[blank_to_none],
    )
    kind = SelectField(
        _l("Kind of unit"),
        choices=[SelectChoice(kind.value, kind.label) for kind in UnitKind],
        validators=[DataRequired(_l("Choose the kind of unit"))],
    )
    contact_name = StringField(
        _l("Contact person"), validators=[Optional(), Length(max=100)], filters=[blank_to_none]
    )
    contact_phone = StringField(
        _l("Contact phone"),
        validators=[Optional(), Length(max=40)],
        filters=[blank_to_none],
        render_kw={"type": "tel", "autocomplete": "off"},
    )
    active = BooleanField(_l("Unit is active"), default=True)
    robot_channel = SelectField(
        _l("Group robot"),
        description=_l(
            "Digests and reminders also go to this group chat; staff still get their emails."
        ),
        choices=[
            SelectChoice("", _l("None")),
            SelectChoice(MessageChannel.WECOM.value, MessageChannel.WECOM.label),
            SelectChoice(MessageChannel.DINGTALK.value, MessageChannel.DINGTALK.label),
        ],
        validators=[Optional()],
    )
    robot_url = StringField(
        _l("Robot's webhook address"),
        description=_l(
            "Copied from the robot's settings in the group chat, starting with https://"
        ),
        validators=[Optional(), Length(max=500)],
        filters=[blank_to_none],
        render_kw={"type": "url", "autocomplete": "off", "spellcheck": "false"},
    )
    # Named unlike the unit's attribute, so that the form never fills it from the unit.
    robot_new_secret = PasswordField(
        _l("DingTalk signing secret"),
        description=_l("The secret starting with SEC, for DingTalk robots that sign messages."),
        validators=[Optional(), Length(max=200)],
        render_kw={"autocomplete": "off"},
    )
    robot_secret_clear = BooleanField(_l("Remove the signing secret"))


class RobotTestForm(BaseForm):
    """Queue a test message for a unit's robot (a button only)."""


class CategoryForm(BaseForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter the category's name")), Length(max=200)],
    )
    name_zh = StringField(
        _l("Name in Chinese"),
        description=_l("Shown in the Chinese interface. Leave empty to use the name above."),
        validators=[Optional(), Length(max=200)],
        filters=[blank_to_none],
    )
    code = StringField(
        _l("Short code"),
        description=_l("Lower-case letters, digits and hyphens, such as talent-apartments."),
        validators=[
            DataRequired(_l("Enter a short code")),
            Length(max=64),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                message=_l("Use lower-case letters, digits and hyphens, like talent-apartments"),
            ),
        ],
        filters=[blank_to_none],
    )
    position = whole_number_field(
        _l("Position in lists"), required_message=_l("Enter a position"), minimum=0, maximum=999
    )
    active = BooleanField(_l("Category is in use"), default=True)


def _weight(label):
    return whole_number_field(
        label, required_message=_l("Enter a weight from 0 to 100"), minimum=0, maximum=100
    )


class ScoreWeightsForm(BaseForm):
    """How much each part of a unit's score counts (0 leaves it out), and the items a unit
    needs as lead unit to be ranked."""

    on_time = _weight(_l("On time"))
    solved = _weight(_l("Solved (A)"))
    satisfied = _weight(_l("Satisfied"))
    kept = _weight(_l("Not returned"))
    not_extended = _weight(_l("Without extension"))
    contacted = _weight(_l("Contact made"))
    minimum_items = whole_number_field(
        _l("Items needed to be ranked"),
        required_message=_l("Enter how many items a unit needs to be ranked"),
        minimum=1,
        maximum=10000,
        description=_l("A unit with fewer items as lead unit in the period is scored, not ranked."),
    )
