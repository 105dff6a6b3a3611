"""Personal data: the consent on record, erasure on request, retention, and what is left."""

import sqlalchemy as sa

from talentday.extensions import db
from talentday.registrations.consent import CONSENT_VERSION
from talentday.registrations.models import Registration
from tests.conftest import submit
from tests.test_registration_pages import GOOD, event_id, register_url  # noqa: F401


def test_a_registration_records_which_consent_text_was_agreed_and_when(app, client, event_id):  # noqa: F811
    page = client.get(register_url(event_id)).get_data(as_text=True)
    assert CONSENT_VERSION in page, "the speaker can see which version they agree to"

    response = submit(client, register_url(event_id), GOOD)

    assert response.status_code == 302
    with app.app_context():
        registration = db.session.scalar(sa.select(Registration))
        assert registration.consent_version == CONSENT_VERSION
        assert registration.consent_at is not None
