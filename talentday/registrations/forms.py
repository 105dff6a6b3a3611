import re

import phonenumbers
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from talentday.forms import (
    BaseForm,
    EntryList,
    email_field,
    strip_whitespace,
    whole_number_field,
)
from talentday.registrations.consent import CONSENT_HINT, CONSENT_LABEL, CONSENT_VERSION
from talentday.registrations.models import Publication, RegistrationState, TalentTeam

# A mainland China mobile number: 11 digits starting 13 to 19, optionally after +86.
MOBILE_PATTERN = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
# A number from abroad, as phonenumbers writes it (E.164): + and up to 15 digits.
INTERNATIONAL_PATTERN = re.compile(r"^\+[1-9]\d{6,14}$")
SUGGESTION_SLOTS = 3


def normalize_phone(value):
    """A mainland mobile number as its 11 digits; a number from abroad, typed with + (or 00)
    and its country code, in international form (+447911123456) when Google's phonenumbers
    knows it for a mobile number; anything else as typed, for the check to refuse."""
    if not isinstance(value, str):
        return value
    compact = re.sub(r"[\s\-().]", "", value)
    match = MOBILE_PATTERN.match(compact)
    if match:
        return match.group(1)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+"):
        try:
            number = phonenumbers.parse(compact, None)
        except phonenumbers.NumberParseException:
            return value.strip()
        mobile = phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
        if phonenumbers.is_valid_number(number) and mobile:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return value.strip()


def _mobile(form, field):
    if field.data and not (
        MOBILE_PATTERN.match(field.data) or INTERNATIONAL_PATTERN.match(field.data)
    ):
        raise ValidationError(
            _l(
                "Enter an 11-digit mobile number, like 138 0000 0000, or a mobile number from "
                "abroad with + and its country code, like +44 7911 123456"
            )
        )


def _length(maximum: int):
    return Length(max=maximum, message=_l("Enter at most %(max)d characters"))


class SpeakerFields(BaseForm):
    """The speaker's own details: shared by the registration and the private link."""

    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter your full name")), _length(100)],
        filters=[strip_whitespace],
        render_kw={"autocomplete": "name"},
    )
    phone = StringField(
        _l("Mobile phone"),
        description=_l("11-digit mobile number; from abroad, + and the country code."),
        validators=[DataRequired(_l("Enter your mobile phone number")), _mobile],
        filters=[normalize_phone],
        render_kw={"type": "tel", "autocomplete": "tel", "inputmode": "tel"},
    )
    organization = StringField(
        _l("Organization"),
        description=_l("Your enterprise, university or institute."),
        validators=[DataRequired(_l("Enter your organization")), _length(200)],
        filters=[strip_whitespace],
        render_kw={"autocomplete": "organization"},
    )
    position = StringField(
        _l("Position"),
        validators=[DataRequired(_l("Enter your position")), _length(200)],
        filters=[strip_whitespace],
        render_kw={"autocomplete": "organization-title"},
    )
    talent_team = RadioField(
        _l("Talent team"),
        choices=[SelectChoice(team.value, team.label) for team in TalentTeam],
        validators=[InputRequired(_l("Choose the team you speak for"))],
    )
    topic = StringField(
        _l("Topic of your talk"),
        validators=[DataRequired(_l("Enter the topic of your talk")), _length(300)],
        filters=[strip_whitespace],
    )
    summary = TextAreaField(
        _l("Short summary"),
        description=_l("A few sentences on what you will say. At most 2,000 characters."),
        validators=[Optional(), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 4},
    )


class SuggestionEntry(Form):
    """One suggestion to raise; an empty one is ignored."""

    category = SelectField(_l("Category"), validate_choice=False)
    content = TextAreaField(
        _l("Suggestion"),
        validators=[Optional(), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 3},
    )

    def validate_category(self, field):
        if not self.content.data:
            return
        if not field.data:
            raise ValidationError(_l("Choose a category for this suggestion"))
        # The view offers the active categories; one withdrawn meanwhile, or any other value,
        # must be said at the field, not drop the suggestion unseen.
        if field.choices is None:
            return
        offered = {str(value) for value, *_rest in field.iter_choices() if value != ""}
        if str(field.data) not in offered:
            raise ValidationError(_l("Choose one of the categories in the list"))


class RegistrationForm(SpeakerFields):
    email = email_field(
        _l("Email address"),
        missing=_l("Enter your email address"),
        description=_l("We send your private link to this address."),
    )
    # max_entries: the page offers three slots, and a hand-made post must not raise more.
    suggestions = EntryList(
        FormField(SuggestionEntry),
        min_entries=SUGGESTION_SLOTS,
        max_entries=SUGGESTION_SLOTS,
    )
    consent = BooleanField(
        CONSENT_LABEL,
        description=_l(
            "%(hint)s Consent text version %(version)s.",
            hint=CONSENT_HINT,
            version=CONSENT_VERSION,
        ),
        validators=[DataRequired(_l("Agree to the use of your personal data to register"))],
    )
    publication = RadioField(
        _l("May the organizers publish your suggestions and their answers?"),
        description=_l(
            "On the event's public results page, if the organizers keep one: your suggestion "
            "and the answer, never your phone or email. The organizers may shorten them."
        ),
        choices=[SelectChoice(option.value, option.label) for option in Publication],
        # A post without it (an older form, a mini-program) publishes nothing.
        default=Publication.NONE.value,
        validators=[Optional()],
    )
    join_waiting_list = HiddenField()

    # The order of the page, so that the error summary lists problems top to bottom.
    PAGE_ORDER = ("name", "email", "phone", "organization", "position", "talent_team")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        first = {name: self._fields[name] for name in self.PAGE_ORDER}
        rest = {name: field for name, field in self._fields.items() if name not in first}
        self._fields.clear()
        self._fields.update({**first, **rest})


class SpeakerDetailsForm(SpeakerFields):
    pass


class RequestLinkForm(BaseForm):
    """The "Send me my link again" page: the address the speaker registered with."""

    email = email_field(
        _l("Email address"),
        missing=_l("Enter the email address you registered with"),
        description=_l("The address you gave when you registered to speak."),
    )


class AddSuggestionForm(BaseForm):
    category = SelectField(
        _l("Category"), validators=[DataRequired(_l("Choose a category for this suggestion"))]
    )
    content = TextAreaField(
        _l("Suggestion"),
        validators=[DataRequired(_l("Enter your suggestion")), _length(2000)],
        filters=[strip_whitespace],
        render_kw={"rows": 4},
    )


class ConfirmRegistrationForm(BaseForm):
    """Confirming a registration made with one's address is one button: no fields."""


class WithdrawForm(BaseForm):
    confirm = BooleanField(
        _l("Yes, withdraw my registration"),
        validators=[DataRequired(_l("Tick the box to confirm that you want to withdraw"))],
    )


class AttendanceForm(BaseForm):
    """ "I will come" is one button: no fields."""


class DeclineForm(BaseForm):
    confirm = BooleanField(
        _l("Yes, I cannot come: give my place to the next speaker waiting"),
        validators=[DataRequired(_l("Tick the box to confirm that you cannot come"))],
    )


class AnonymiseSpeakerForm(BaseForm):
    confirm = BooleanField(
        _l("Yes, erase this speaker's personal data for good"),
        validators=[
            DataRequired(_l("Tick the box to confirm that the personal data is to be erased"))
        ],
    )


REVIEW_ACTIONS = [
    RegistrationState.APPROVED,
    RegistrationState.WAITLISTED,
    RegistrationState.REJECTED,
    RegistrationState.CANCELLED,
]


class ReviewForm(BaseForm):
    # Nothing preselected: a bulk decision nobody picked (the first, "approve") would approve
    # every ticked speaker.
    action = SelectField(
        _l("Decision"),
        choices=[SelectChoice("", _l("Choose a decision"))]
        + [SelectChoice(state.value, state.label) for state in REVIEW_ACTIONS],
        validators=[DataRequired(_l("Choose a decision"))],
    )
    message = TextAreaField(
        _l("Message to the speakers (optional)"),
        description=_l("Added to the email each chosen speaker receives."),
        validators=[Optional(), _length(1000)],
        filters=[strip_whitespace],
        render_kw={"rows": 2},
    )


class PlacementEntry(Form):
    registration_id = HiddenField()
    order = whole_number_field(_l("Order"), minimum=1, maximum=500)
    minutes = whole_number_field(_l("Minutes"), minimum=1, maximum=240)


class ProgrammeForm(BaseForm):
    placements = EntryList(FormField(PlacementEntry))


class BreakForm(BaseForm):
    """A break in the programme, after a place in the speaking order."""

    after_order = whole_number_field(
        _l("After speaker number"),
        required_message=_l("Enter the place in the order after which the break comes"),
        minimum=1,
        maximum=999,
    )
    minutes = whole_number_field(
        _l("Minutes"),
        required_message=_l("Enter how many minutes the break lasts"),
        minimum=1,
        maximum=600,
    )
    label = StringField(
        _l("Name of the break"),
        filters=[strip_whitespace],
        validators=[Length(max=100)],
        description=_l("For example: Tea break. Left empty, it reads “Break”."),
    )


class RemoveBreakForm(BaseForm):
    """Taking a break out of the programme is one button: no fields."""


def _audience_choices():
    from talentday.registrations.speaker_messages import Audience

    return [(audience.value, audience.label) for audience in Audience]


class SpeakersMessageForm(BaseForm):
    """A message to an event's speakers, in English, in Chinese or both; each speaker gets
    their language (registrations/speaker_messages.py)."""

    audience = SelectField(_l("To"), choices=_audience_choices, default="approved")
    team = SelectField(
        _l("Talent team"),
        choices=lambda: [("", _l("Every team"))] + [(t.value, t.label) for t in TalentTeam],
        default="",
    )
    subject_en = StringField(
        _l("Subject in English"), filters=[strip_whitespace], validators=[Length(max=200)]
    )
    body_en = TextAreaField(
        _l("Text in English"), validators=[Length(max=5000)], render_kw={"rows": 8}
    )
    subject_zh = StringField(
        _l("Subject in Chinese"),
        filters=[strip_whitespace],
        validators=[Length(max=200)],
        render_kw={"lang": "zh-Hans"},
    )
    body_zh = TextAreaField(
        _l("Text in Chinese"),
        validators=[Length(max=5000)],
        render_kw={"rows": 8, "lang": "zh-Hans"},
    )
    # Names this message, so that a second click or a page posted again sends nothing more.
    batch = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        from talentday.registrations.speaker_messages import PLACEHOLDERS, unknown_placeholders

        valid = super().validate(extra_validators)
        allowed = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
        for field in (self.subject_en, self.body_en, self.subject_zh, self.body_zh):
            unknown = unknown_placeholders(field.data or "")
            if unknown:
                field.errors.append(
                    _l(
                        "%(unknown)s is not a placeholder. Use only %(allowed)s.",
                        unknown=", ".join(f"{{{name}}}" for name in unknown),
                        allowed=allowed,
                    )
                )
                valid = False
        for subject in (self.subject_en, self.subject_zh):
            if "{link}" in (subject.data or ""):
                subject.errors.append(_l("Put {link} in the text: a subject line shows no link."))
                valid = False
        for subject, body in ((self.subject_en, self.body_en), (self.subject_zh, self.body_zh)):
            has_body = bool((body.data or "").strip())
            if subject.data and not has_body:
                body.errors.append(_l("Write the text that goes with this subject"))
                valid = False
            elif has_body and not subject.data:
                subject.errors.append(_l("Give this text a subject"))
                valid = False
        if not (self.body_en.data or "").strip() and not (self.body_zh.data or "").strip():
            self.body_en.errors.append(_l("Write the message in English, in Chinese or in both"))
            valid = False
        return valid


class CheckInByNameForm(BaseForm):
    """At the door, a speaker found by name (the field suggests the approved speakers)."""

    name = StringField(
        _l("Speaker's name"),
        filters=[strip_whitespace],
        validators=[
            DataRequired(_l("Type the speaker's name")),
            Length(max=300),
        ],
        render_kw={"autocomplete": "off", "list": "speaker-names"},
    )


class CheckInForm(BaseForm):
    """Checking in a scanned code, or taking a check-in back, is one button: no fields."""
