"""The salon day at the door: each approved speaker's check-in code, and marking them present.

The code is made from the secret key and the registration (HMAC), so nothing is stored and
nobody can make one: `<registration id>.<signature>`. Its QR code holds the address of the
organizers' check-in page for it, so a phone's own camera app opens that page. The code
grants nothing by itself: only an organizer, signed in, can check a speaker in with it, and
it does not open the speaker's page (the private link does that, and is another secret)."""

import base64
import hashlib
import hmac
import io
from dataclasses import dataclass

import qrcode
import qrcode.image.pure
import qrcode.image.svg
from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from talentday.audit.services import record
from talentday.auth.models import User
from talentday.errors_domain import DomainError
from talentday.events.models import Event
from talentday.extensions import db
from talentday.navigation import public_url
from talentday.registrations import queries
from talentday.registrations.models import CheckIn, Registration, RegistrationState


class CheckInRefused(DomainError):
    """A code that is not an approved speaker's of this event."""


def _signature(registration_id: int, event_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"check-in:{event_id}:{registration_id}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode().rstrip("=")


def code_for(registration: Registration) -> str:
    return f"{registration.id}.{_signature(registration.id, registration.event_id)}"


def check_in_url(registration: Registration) -> str:
    return public_url(
        "registrations.check_in_code", event_id=registration.event_id, code=code_for(registration)
    )


def registration_for_code(event: Event, code: str) -> Registration | None:
    """The registration of this event whose code this is; None for anything else (a code
    typed wrong, made up, or another event's)."""
    number, _dot, signature = (code or "").strip().partition(".")
    if not number.isdigit() or len(number) > 12:
        return None
    expected = _signature(int(number), event.id)
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        return None
    registration = db.session.get(Registration, int(number))
    return registration if registration is not None and registration.event_id == event.id else None


def qr_svg(registration: Registration) -> Markup:
    """The code's QR code as an inline SVG: drawn here, sized by the page's CSS."""
    image = qrcode.make(
        check_in_url(registration), image_factory=qrcode.image.svg.SvgPathImage, border=2
    )
    svg = image.to_string(encoding="unicode")
    svg = svg.replace('width="', 'data-width="', 1).replace('height="', 'data-height="', 1)
    # Made by qrcode from our own address: no text from anyone in it.
    return Markup(svg)  # nosec B704


def qr_png(registration: Registration) -> bytes:
    """The same QR code as a PNG, for a message: mail programs do not show SVG."""
    image = qrcode.make(
        check_in_url(registration), image_factory=qrcode.image.pure.PyPNGImage, border=2
    )
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class CheckInOutcome:
    check_in: CheckIn
    first: bool  # False: the speaker had been checked in already (by whom, when: check_in)


def check_in(registration: Registration, *, by: User) -> CheckInOutcome:
    """Mark an approved speaker present, once. Two organizers at once: the unique key lets
    one row in and the other gets the row that is there."""
    if registration.state is not RegistrationState.APPROVED:
        raise CheckInRefused(
            _l(
                "%(name)s is not an approved speaker (%(state)s): not checked in.",
                name=registration.speaker.display_name,
                state=registration.state.label,
            )
        )
    existing = check_in_of(registration)
    if existing is not None:
        return CheckInOutcome(existing, first=False)
    row = CheckIn(registration_id=registration.id, event_id=registration.event_id, checked_in_by=by)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return CheckInOutcome(check_in_of(registration), first=False)
    record("speaker_checked_in", actor=by, target=registration)
    return CheckInOutcome(row, first=True)


def undo_check_in(registration: Registration, *, by: User) -> bool:
    """A mistaken check-in taken back; returns whether there was one."""
    existing = check_in_of(registration)
    if existing is None:
        return False
    db.session.delete(existing)
    record("speaker_check_in_undone", actor=by, target=registration)
    return True


def check_in_of(registration: Registration) -> CheckIn | None:
    return db.session.scalar(db.select(CheckIn).where(CheckIn.registration_id == registration.id))


def attendance(event: Event) -> list[tuple[Registration, CheckIn | None]]:
    """The approved speakers in programme order, each with their check-in, in two queries."""
    speakers = queries.programme(event)
    check_ins = {
        row.registration_id: row
        for row in db.session.scalars(
            db.select(CheckIn)
            .where(CheckIn.event_id == event.id)
            .options(db.joinedload(CheckIn.checked_in_by))
        )
    }
    return [(registration, check_ins.get(registration.id)) for registration in speakers]


def name_choice(registration: Registration) -> str:
    """How a speaker appears in the name field's suggestions: name, then organization."""
    speaker = registration.speaker
    if speaker.organization:
        return f"{speaker.display_name} ({speaker.organization})"
    return speaker.display_name


def find_by_name(event: Event, typed: str) -> list[Registration]:
    """The approved speakers a typed name stands for: the suggestion picked exactly, else the
    speakers whose name is the text typed (ignoring case and spaces)."""
    typed = " ".join((typed or "").split())
    if not typed:
        return []
    speakers = [registration for registration, _row in attendance(event)]
    exact = [r for r in speakers if name_choice(r) == typed]
    if exact:
        return exact
    wanted = typed.casefold().replace(" ", "")
    return [r for r in speakers if r.speaker.display_name.casefold().replace(" ", "") == wanted]
