import enum
from datetime import datetime

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from talentday.database import UTCDateTime, enum_column, utcnow
from talentday.extensions import db
from talentday.outbox.models import MessageChannel


class UnitKind(enum.Enum):
    MUNICIPAL_DEPARTMENT = "municipal_department"
    COUNTY_OR_DISTRICT = "county_or_district"
    UNIVERSITY = "university"
    ENTERPRISE = "enterprise"
    OTHER = "other"

    @property
    def label(self):
        return UNIT_KIND_LABELS[self]


UNIT_KIND_LABELS = {
    UnitKind.MUNICIPAL_DEPARTMENT: _l("Municipal department"),
    UnitKind.COUNTY_OR_DISTRICT: _l("County or district"),
    UnitKind.UNIVERSITY: _l("University"),
    UnitKind.ENTERPRISE: _l("Enterprise"),
    UnitKind.OTHER: _l("Other"),
}


def localized(english: str, chinese: str | None) -> str:
    """The Chinese text in the Chinese interface when there is one, else the other text; and
    the other way round, so that a field filled in only in Chinese still shows in English."""
    locale = get_locale()
    if chinese and locale is not None and locale.language == "zh":
        return chinese
    return english or chinese or ""


class ResponsibleUnit(db.Model):
    """A department that acts on suggestions: a bureau, a county or district, a university."""

    __tablename__ = "responsible_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    name_zh: Mapped[str | None] = mapped_column(sa.String(200))
    kind: Mapped[UnitKind] = mapped_column(enum_column(UnitKind, "unit_kind"), index=True)
    contact_name: Mapped[str | None] = mapped_column(sa.String(100))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The unit's group robot (WeCom or DingTalk), if it has one: its digests and urges go
    # there as well as by email. The webhook address carries the robot's key and the secret
    # signs DingTalk messages: neither is ever shown back (outbox.robots).
    robot_channel: Mapped[MessageChannel | None] = mapped_column(
        enum_column(MessageChannel, "robot_channel")
    )
    robot_webhook_url: Mapped[str | None] = mapped_column(sa.String(500))
    robot_secret: Mapped[str | None] = mapped_column(sa.String(200))

    @property
    def has_robot(self) -> bool:
        return self.robot_channel is not None and bool(self.robot_webhook_url)

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_zh)

    def __repr__(self) -> str:
        return f"<ResponsibleUnit {self.id} {self.name!r}>"
