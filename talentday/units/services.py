"""Responsible units: the departments, counties and universities that act on suggestions."""

from flask_babel import lazy_gettext as _l

from talentday.audit.services import record
from talentday.auth.models import User
from talentday.errors_domain import DomainError
from talentday.extensions import db
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
