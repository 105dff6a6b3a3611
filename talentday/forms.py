"""Field builders and filters shared by every feature's forms."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField
from wtforms.validators import DataRequired, Email, Length

EMAIL_MAX_LENGTH = 254


def strip_whitespace(value):
    """Spaces pasted around an email or a name are never meant."""
    return value.strip() if isinstance(value, str) else value


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
