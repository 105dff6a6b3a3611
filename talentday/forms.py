"""The base form, field builders and filters shared by every feature's forms."""

import unicodedata
from datetime import date, datetime

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, FieldList, FormField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, ValidationError

EMAIL_MAX_LENGTH = 254

# What the id columns hold on every database: PostgreSQL's integer is 32-bit, and a bigger
# number in a query is an error there (SQLite's limit, 64-bit, is an OverflowError).
ID_MIN, ID_MAX = -(2**31), 2**31 - 1

# Dates the domain can mean. Year 1 in the city's zone is before year 1 in UTC (an
# OverflowError), and day counts to year 9999 overflow too; no talent salon is that old.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099

# Line breaks and tabs belong in multi-line text; nowhere else does a control character.
MULTILINE_WHITESPACE = frozenset("\n\r\t")
# Explicit bidirectional embeddings, overrides and isolates: they make a name or a subject
# display in a different order than it is stored ("Trojan Source"), and no one types them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# ...and the two non-characters XML forbids (an export would drop them).
INVISIBLE_TRAPS = BIDI_CONTROLS | frozenset("\ufffe\uffff")


def has_forbidden_characters(value: str, *, multiline: bool) -> bool:
    """True when text holds characters that no person means to type: control characters
    (which break email headers, spreadsheet exports and PostgreSQL, for NUL), bidirectional
    overrides (a suggestion with U+202E before "gnp.exe" reads "exe.png" and misleads the
    unit acting on it as much as a name does), lone surrogates (only JSON carries one, and
    no database encoding stores it) and the two non-characters XML forbids; in a single-line
    value also line and paragraph separators."""
    for character in value:
        category = unicodedata.category(character)
        if category == "Cc":
            if not (multiline and character in MULTILINE_WHITESPACE):
                return True
        elif (
            category == "Cs"
            or character in INVISIBLE_TRAPS
            or (not multiline and category in ("Zl", "Zp"))
        ):
            return True
    return False


def _refuse_forbidden_characters(fields) -> bool:
    valid = True
    for field in fields:
        if isinstance(field, FieldList):
            if not _refuse_forbidden_characters(field.entries):
                # A FieldList keeps a copy of its entries' errors made when it validated.
                field.errors = [entry.errors for entry in field.entries]
                valid = False
        elif isinstance(field, FormField):
            valid = _refuse_forbidden_characters(field.form) and valid
        elif isinstance(field, StringField) and not isinstance(field, PasswordField):
            # Passwords are never shown, mailed or exported; any character may be in one.
            multiline = isinstance(field, TextAreaField)
            if isinstance(field.data, str) and has_forbidden_characters(
                field.data, multiline=multiline
            ):
                message = (
                    _l("Remove the invisible control characters from this text")
                    if multiline
                    else _l("Remove line breaks, tabs and other invisible characters")
                )
                field.errors = [*field.errors, message]
                valid = False
    return valid


class EntryList(FieldList):
    """A FieldList whose entries are numbered in ASCII digits only. WTForms takes any key
    whose number passes str.isdigit, and "suggestions-²-content" then fails in int()."""

    def _extract_indices(self, prefix, formdata):
        offset = len(prefix) + 1
        for key in formdata:
            if key.startswith(prefix):
                index = key[offset:].split(self._field_separator, 1)[0]
                if index.isascii() and index.isdigit():
                    yield int(index)


class BaseForm(FlaskForm):
    """Every form of the application: CSRF from Flask-WTF, and no text field accepts
    characters that would break a message header, an export or the database."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        return _refuse_forbidden_characters(self) and valid


def to_int(value) -> int | None:
    """A whole number from a form or URL value that an id column can hold, or None for
    anything else."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if ID_MIN <= number <= ID_MAX else None


def to_id(value) -> int:
    """`coerce` for multiple-choice fields: anything `to_int` refuses is the field's error."""
    number = to_int(value)
    if number is None:
        raise ValueError(value)
    return number


def to_optional_id(value) -> int | None:
    """`coerce` for a choice that may be left empty: None for empty, else as `to_id`."""
    if value in (None, "", "None"):
        return None
    return to_id(value)


def plausible_date(day: date | None) -> bool:
    return day is None or EARLIEST_YEAR <= day.year <= LATEST_YEAR


def to_date(value) -> date | None:
    """A plausible date from an ISO string (yyyy-mm-dd), or None for anything else."""
    try:
        day = date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
    return day if plausible_date(day) else None


def date_in_range(form, field) -> None:
    """A validator for date and date-time fields: the years `plausible_date` allows."""
    value = field.data
    if isinstance(value, datetime):
        value = value.date()
    if not plausible_date(value):
        raise ValidationError(
            _l(
                "Enter a date between the years %(first)d and %(last)d",
                first=EARLIEST_YEAR,
                last=LATEST_YEAR,
            )
        )


def _invisible(character: str) -> bool:
    return character.isspace() or unicodedata.category(character) == "Cf"


def strip_whitespace(value):
    """Spaces pasted around an email or a name are never meant, nor are invisible format
    characters (a zero-width space, a direction mark) at either end: text made only of them
    is empty, and a required field refuses it."""
    if not isinstance(value, str):
        return value
    start, end = 0, len(value)
    while start < end and _invisible(value[start]):
        start += 1
    while end > start and _invisible(value[end - 1]):
        end -= 1
    return value[start:end]


def blank_to_none(value):
    value = strip_whitespace(value)
    return value or None


def email_field(label, *, missing, autocomplete: str = "email", **kwargs) -> EmailField:
    """An email input that phones show with the right keyboard, checked without a network
    lookup, with a message that says how to fix a bad address."""
    return EmailField(
        label,
        validators=[
            DataRequired(missing),
            Email(_l("Enter an email address like name@example.com"), check_deliverability=False),
            Length(
                max=EMAIL_MAX_LENGTH,
                message=_l("Enter an email address of at most %(max)d characters"),
            ),
        ],
        filters=[strip_whitespace],
        render_kw={"autocomplete": autocomplete, "spellcheck": "false"},
        **kwargs,
    )


def show_domain_error(form, error) -> bool:
    """Put a refused move's message beside its field; False when no field fits (flash it)."""
    field = getattr(form, error.field or "", None)
    if field is None:
        return False
    field.errors = [*field.errors, str(error.message)]
    return True


def city_datetime_field(label, *, required_message=None, **kwargs):
    """A date and time typed in the city's time zone (converted to UTC by the view)."""
    from wtforms import DateTimeLocalField
    from wtforms.validators import InputRequired, Optional

    validators = [InputRequired(required_message)] if required_message else [Optional()]
    validators.append(date_in_range)
    return DateTimeLocalField(
        label,
        format="%Y-%m-%dT%H:%M",
        validators=validators,
        invalid_value_message=_l("Enter a date and time like 2026-09-20 14:30"),
        **kwargs,
    )


def whole_number_field(label, *, required_message=None, minimum=None, maximum=None, **kwargs):
    from wtforms import IntegerField
    from wtforms.validators import InputRequired, NumberRange, Optional

    validators = [InputRequired(required_message)] if required_message else [Optional()]
    if minimum is not None or maximum is not None:
        validators.append(
            NumberRange(
                min=minimum,
                max=maximum,
                message=_l("Enter a whole number from %(min)s to %(max)s"),
            )
        )
    return IntegerField(
        label,
        validators=validators,
        invalid_value_message=_l("Enter a whole number, like 12"),
        render_kw={"inputmode": "numeric"},
        **kwargs,
    )


# --- asking before a move that cannot be undone --------------------------------------------
# The first post of such a move renders a page saying what it will do; that page sends what
# was posted again, with `confirmed=yes`, under its button (the confirm_form macro).


def confirmed() -> bool:
    """The person has read the page that asks before a move that cannot be undone."""
    return request.form.get("confirmed") == "yes"


def posted_again() -> list[tuple[str, str]]:
    """What was posted, to send again from the page that asks."""
    return [(key, value) for key, value in request.form.items(multi=True) if key != "confirmed"]
