"""The consent text of the registration form, in one place with its version.

Change the version whenever the wording (in either language) changes: each registration
stores the version its speaker agreed to, which is what PIPL and GDPR ask us to be able to
show."""

from flask_babel import lazy_gettext as _l

CONSENT_VERSION = "2026-11-27"

CONSENT_LABEL = _l("I agree that the organizers may use my personal data for this event")
CONSENT_HINT = _l(
    "Your phone number and email are seen only by the organizers and by the unit "
    "that answers your suggestions."
)
