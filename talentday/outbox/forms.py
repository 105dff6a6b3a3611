from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from talentday.forms import BaseForm, strip_whitespace
from talentday.outbox.message_templates import (
    MAX_BODY_LENGTH,
    TemplateKind,
    body_problems,
    subject_problems,
)


class OutboxActionForm(BaseForm):
    """Resend or discard one message: nothing to type, the CSRF token is the form."""


class MessageTemplateForm(BaseForm):
    """An organizer's wording of one kind of message in one language
    (outbox/message_templates.py): checked against the kind's placeholders."""

    subject = StringField(
        _l("Subject"),
        filters=[strip_whitespace],
        validators=[DataRequired(), Length(max=300)],
        render_kw={"translate": "no"},
    )
    body = TextAreaField(
        _l("Message text"),
        validators=[DataRequired(), Length(max=MAX_BODY_LENGTH)],
        # Placeholders such as {name} are code: a browser's translation must leave them be.
        render_kw={"rows": 18, "translate": "no"},
    )

    def __init__(self, *args, kind: TemplateKind, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        # The wording is in its own language, whatever the page's.
        for field in (self.subject, self.body):
            field.render_kw = {
                **field.render_kw,
                "lang": "zh-Hans" if language == "zh_Hans" else "en",
            }

    def validate_subject(self, field):
        for problem in subject_problems(self.kind, field.data or ""):
            raise ValidationError(problem)

    def validate_body(self, field):
        problems = body_problems(self.kind, field.data or "")
        if problems:
            raise ValidationError(" ".join(str(problem) for problem in problems))
