from talentday.forms import BaseForm


class OutboxActionForm(BaseForm):
    """Resend or discard one message: nothing to type, the CSRF token is the form."""
