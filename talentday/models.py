"""Imports every feature's models so that the metadata is complete wherever it is needed."""

from talentday.api.models import ApiToken
from talentday.audit.models import AuditEntry
from talentday.auth.models import Role, User
from talentday.dashboard.scores import ScoreWeights
from talentday.events.models import Event, EventState
from talentday.followup.models import (
    Category,
    FollowUpItem,
    ItemState,
    Satisfaction,
    TimelineEntry,
    TimelineKind,
)
from talentday.outbox.models import MessageStatus, OutboxMessage
from talentday.registrations.models import (
    Registration,
    RegistrationState,
    Speaker,
    TalentTeam,
    TeamQuota,
)
from talentday.units.models import ResponsibleUnit, UnitKind
from talentday.webhooks.models import Webhook, WebhookDelivery

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Category",
    "Event",
    "EventState",
    "FollowUpItem",
    "ItemState",
    "MessageStatus",
    "OutboxMessage",
    "Registration",
    "RegistrationState",
    "ResponsibleUnit",
    "Role",
    "Satisfaction",
    "ScoreWeights",
    "Speaker",
    "TalentTeam",
    "TeamQuota",
    "TimelineEntry",
    "TimelineKind",
    "UnitKind",
    "User",
    "Webhook",
    "WebhookDelivery",
]
