from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from talentday.events.models import CHINESE_TEXTS
from talentday.forms import (
    BaseForm,
    blank_to_none,
    city_datetime_field,
    strip_whitespace,
    whole_number_field,
)
from talentday.registrations.models import TalentTeam


def _text(label, *, required=None, max_length=300, **kwargs):
    validators = [DataRequired(required)] if required else [Optional()]
    validators.append(Length(max=max_length, message=_l("Enter at most %(max)d characters")))
    return StringField(label, validators=validators, filters=[strip_whitespace], **kwargs)


def _chinese(label, *, max_length=300, lines=0):
    """The optional Chinese version of a text: empty means the text above is shown."""
    kind = TextAreaField if lines else StringField
    return kind(
        label,
        validators=[
            Optional(),
            Length(max=max_length, message=_l("Enter at most %(max)d characters")),
        ],
        filters=[strip_whitespace, blank_to_none],
        render_kw={"rows": lines, "lang": "zh-Hans"} if lines else {"lang": "zh-Hans"},
    )


class EventForm(BaseForm):
    series = _text(
        _l("Series"),
        required=_l("Enter the series this event belongs to"),
        max_length=200,
        description=_l("For example: “Shang Xian Hui” Talent Salon."),
    )
    edition = whole_number_field(
        _l("Edition number"),
        minimum=1,
        maximum=10_000,
        description=_l("The number of this event in its series, such as 24."),
    )
    title = _text(_l("Title"), required=_l("Enter the event's title"))
    theme = _text(_l("Theme"), max_length=500)
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=5000, message=_l("Enter at most %(max)d characters"))],
        filters=[strip_whitespace],
        render_kw={"rows": 4},
    )
    starts_at = city_datetime_field(
        _l("Starts"), required_message=_l("Enter when the event starts")
    )
    ends_at = city_datetime_field(_l("Ends"), required_message=_l("Enter when the event ends"))
    venue = _text(_l("Venue"))
    host = _text(_l("Host"))
    presiding_official = _text(_l("Presiding official"))
    attending_leaders = TextAreaField(
        _l("Attending leaders"),
        description=_l("One per line, in the order they are to be named."),
        validators=[Optional(), Length(max=2000, message=_l("Enter at most %(max)d characters"))],
        filters=[strip_whitespace],
        render_kw={"rows": 3},
    )
    title_zh = _chinese(_l("Title in Chinese"))
    theme_zh = _chinese(_l("Theme in Chinese"), max_length=500)
    description_zh = _chinese(_l("Description in Chinese"), max_length=5000, lines=4)
    venue_zh = _chinese(_l("Venue in Chinese"))
    host_zh = _chinese(_l("Host in Chinese"))
    presiding_official_zh = _chinese(_l("Presiding official in Chinese"))
    attending_leaders_zh = _chinese(_l("Attending leaders in Chinese"), max_length=2000, lines=3)
    speaking_slots = whole_number_field(
        _l("Speaking slots"),
        required_message=_l("Enter the number of speaking slots"),
        minimum=1,
        maximum=500,
        default=12,
    )
    registration_opens_at = city_datetime_field(
        _l("Registration opens"), description=_l("Leave empty to open when published.")
    )
    registration_closes_at = city_datetime_field(
        _l("Registration closes"), description=_l("Leave empty to close when the event starts.")
    )
    follow_up_days = whole_number_field(
        _l("Days for follow-up"),
        required_message=_l("Enter the number of days units have to answer"),
        minimum=1,
        maximum=365,
        default=lambda: current_app.config["FOLLOW_UP_DAYS"],
        description=_l("Default time a responsible unit has to deliver a result."),
    )
    follow_up_in_working_days = BooleanField(
        _l("Counted in working days"),
        default=lambda: current_app.config["FOLLOW_UP_IN_WORKING_DAYS"],
        description=_l(
            "On the State Council's calendar: public holidays skipped, make-up working days "
            "counted. Otherwise every day counts."
        ),
    )

    results_public = BooleanField(
        _l("Keep a public page of the results"),
        description=_l(
            "The results the organizers publish, each with its speaker's consent, on a page "
            "anyone may read; never a phone number or an email address."
        ),
    )

    def chinese_fields(self):
        return [self[name] for name in CHINESE_TEXTS]

    def quota_fields(self):
        return [getattr(self, f"quota_{team.value}") for team in TalentTeam]


# One optional quota field per talent team ("at most four Industry Professors").
for _team in TalentTeam:
    setattr(
        EventForm,
        f"quota_{_team.value}",
        whole_number_field(_team.label, minimum=0, maximum=500),
    )
