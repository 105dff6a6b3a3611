"""Responsible units: the departments, counties and universities that act on suggestions."""

from flask_babel import lazy_gettext as _l

from talentday.audit.services import record
from talentday.auth.models import User
from talentday.errors_domain import DomainError
from talentday.extensions import db
from talentday.outbox.models import MessageChannel
from talentday.units.models import ResponsibleUnit, UnitKind


class UnitError(DomainError):
    """A change to a unit that the rules refuse."""


def _check_name_free(name: str, unit_id: int | None) -> None:
    existing = db.session.scalar(
        db.select(ResponsibleUnit).where(db.func.lower(ResponsibleUnit.name) == name.lower())
    )
    if existing is not None and existing.id != unit_id:
        raise UnitError(_l("A unit with this name already exists"), field="name")


def save_unit(
    unit: ResponsibleUnit | None,
    *,
    name: str,
    kind: UnitKind,
    name_zh: str | None = None,
    contact_name: str | None = None,
    contact_phone: str | None = None,
    active: bool = True,
    by: User,
) -> ResponsibleUnit:
    """Create a unit (unit=None) or change one, in the audit log under `by`. Names are unique
    whatever their capitals."""
    name = name.strip()
    _check_name_free(name, unit.id if unit else None)
    if unit is None:
        unit = ResponsibleUnit()
        db.session.add(unit)
    unit.name = name
    unit.name_zh = name_zh.strip() if name_zh else None
    unit.kind = kind
    unit.contact_name = contact_name
    unit.contact_phone = contact_phone
    unit.active = active
    db.session.flush()
    record("unit_saved", actor=by, target=unit, active=unit.active)
    return unit


def active_units() -> list[ResponsibleUnit]:
    return list(
        db.session.scalars(
            db.select(ResponsibleUnit)
            .where(ResponsibleUnit.active.is_(True))
            .order_by(ResponsibleUnit.kind, ResponsibleUnit.name)
        )
    )


def set_robot(
    unit: ResponsibleUnit,
    *,
    channel: MessageChannel | None,
    url: str | None,
    secret: str | None = None,
    clear_secret: bool = False,
    by: User,
) -> None:
    """Give a unit a WeCom or DingTalk group robot, change it or take it away (channel None).
    The address must pass outbox.robots.check_webhook_url. Address and secret are write-only
    (the address holds the platform's key): left empty, each is kept; only DingTalk signs.
    Audited without address or secret."""
    from talentday.outbox.robots import check_webhook_url

    previous = unit.robot_channel.value if unit.robot_channel else ""
    if channel is None or channel is MessageChannel.EMAIL:
        changed = unit.robot_channel is not None
        unit.robot_channel = unit.robot_webhook_url = unit.robot_secret = None
    else:
        if (url or "").strip():
            url = check_webhook_url(url)
        elif unit.robot_webhook_url and unit.robot_channel is channel:
            url = unit.robot_webhook_url  # left empty: the address that is set is kept
        else:
            raise UnitError(_l("Enter the robot's webhook address"), field="robot_url")
        changed = (
            unit.robot_channel is not channel
            or unit.robot_webhook_url != url
            or bool(secret)
            or (clear_secret and bool(unit.robot_secret))
        )
        unit.robot_channel, unit.robot_webhook_url = channel, url
        if secret and secret.strip():
            unit.robot_secret = secret.strip()
        elif clear_secret:
            unit.robot_secret = None
        if channel is not MessageChannel.DINGTALK:
            unit.robot_secret = None  # only DingTalk signs
    if changed:
        record(
            "unit_robot_changed",
            actor=by,
            target=unit,
            previous=previous,
            channel=unit.robot_channel.value if unit.robot_channel else "",
            signed=bool(unit.robot_secret),
        )


def queue_robot_test(unit: ResponsibleUnit, *, by: User, locale: str):
    """An admin checks a unit's robot: a test message is queued for it. Audited."""
    from flask_babel import force_locale

    from talentday.outbox import robots

    if not unit.has_robot:
        raise UnitError(_l("This unit has no group robot."))
    with force_locale(locale):
        body = robots.test_body(unit, locale)
    message = robots.queue_robot_message(
        kind="robot_test",
        unit=unit,
        subject=_l("TalentDay test message"),
        body=body,
        locale=locale,
    )
    record("unit_robot_tested", actor=by, target=unit, channel=unit.robot_channel.value)
    return message
