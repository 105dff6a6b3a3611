from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, SelectChoice, SelectField
from wtforms.validators import DataRequired, ValidationError

from talentday.auth.services import MIN_PASSWORD_LENGTH
from talentday.forms import BaseForm, email_field


class SignInForm(BaseForm):
    email = email_field(
        _l("Email address"), missing=_l("Enter your email address"), autocomplete="username"
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password"))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password"))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        description=_l(
            "At least %(count)d characters. A phrase of several unrelated words is easy to "
            "remember and hard to guess.",
            count=MIN_PASSWORD_LENGTH,
        ),
        validators=[DataRequired(_l("Enter a new password"))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        _l("Confirm new password"),
        validators=[DataRequired(_l("Enter the new password again"))],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_confirm_password(self, field):
        if field.data != self.new_password.data:
            raise ValidationError(_l("Enter the same new password twice"))


class LanguageForm(BaseForm):
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice("en", "English"), SelectChoice("zh_Hans", "简体中文")],
        validate_choice=True,
    )
    next = HiddenField()
