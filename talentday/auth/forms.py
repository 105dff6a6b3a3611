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


def _same_new_password(form, field):
    if field.data != form.new_password.data:
        raise ValidationError(_l("Enter the same new password twice"))


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    """The new password and its confirmation, as every page that sets one's own password
    asks for them (change password, reset password); the rules the password must meet are
    auth.services.check_new_password, applied by the service that sets it."""
    return (
        PasswordField(
            _l("New password"),
            description=_l(
                "At least %(count)d characters. A phrase of several unrelated words is easy to "
                "remember and hard to guess.",
                count=MIN_PASSWORD_LENGTH,
            ),
            validators=[DataRequired(_l("Enter a new password"))],
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            _l("Confirm new password"),
            validators=[DataRequired(_l("Enter the new password again")), _same_new_password],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password"))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password, confirm_password = new_password_fields()


class ResetPasswordForm(BaseForm):
    """The page a password reset link opens: the same two fields as changing a password."""

    new_password, confirm_password = new_password_fields()


class ForgotPasswordForm(BaseForm):
    email = email_field(
        _l("Email address"),
        missing=_l("Enter the email address of your account"),
        autocomplete="username",
    )


class LanguageForm(BaseForm):
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice("en", "English"), SelectChoice("zh_Hans", "简体中文")],
        validate_choice=True,
    )
    next = HiddenField()
