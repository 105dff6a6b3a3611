import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship, selectinload

from talentday.auth.models import User
from talentday.database import UTCDateTime, enum_column, utcnow
from talentday.events.models import Event
from talentday.extensions import db
from talentday.registrations.models import ANONYMISED, Publication, Registration, Speaker
from talentday.units.models import ResponsibleUnit, localized


class ItemState(enum.Enum):
    NEW = "new"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RETURNED = "returned"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"

    @property
    def label(self):
        return ITEM_STATE_LABELS[self]


ITEM_STATE_LABELS = {
    ItemState.NEW: _l("New"),
    ItemState.ASSIGNED: _l("Assigned"),
    ItemState.ACCEPTED: _l("Accepted"),
    ItemState.IN_PROGRESS: _l("In progress"),
    ItemState.RETURNED: _l("Returned"),
    ItemState.RESOLVED: _l("Resolved"),
    ItemState.CLOSED: _l("Closed"),
    ItemState.REOPENED: _l("Reopened"),
}

# The allowed moves of a follow-up item (docs/domain.md, "Life of a follow-up item").
ITEM_TRANSITIONS: dict[ItemState, frozenset[ItemState]] = {
    ItemState.NEW: frozenset({ItemState.ASSIGNED}),
    ItemState.ASSIGNED: frozenset({ItemState.ACCEPTED, ItemState.RETURNED}),
    ItemState.RETURNED: frozenset({ItemState.ASSIGNED}),
    ItemState.ACCEPTED: frozenset({ItemState.IN_PROGRESS}),
    ItemState.IN_PROGRESS: frozenset({ItemState.RESOLVED}),
    ItemState.RESOLVED: frozenset({ItemState.CLOSED, ItemState.REOPENED}),
    ItemState.CLOSED: frozenset({ItemState.REOPENED}),
    ItemState.REOPENED: frozenset({ItemState.IN_PROGRESS}),
}

# An item in one of these states is finished for the purpose of lateness.
DONE_STATES = frozenset({ItemState.RESOLVED, ItemState.CLOSED})
# Nor is a returned item late: it waits on the organizers to assign it again (with a new due
# date), not on the unit that returned it. In no other state can an item be overdue.
NOT_WAITING_ON_A_UNIT = DONE_STATES | {ItemState.RETURNED}


class Satisfaction(enum.Enum):
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"

    @property
    def label(self):
        return SATISFACTION_LABELS[self]


SATISFACTION_LABELS = {
    Satisfaction.SATISFIED: _l("Satisfied"),
    Satisfaction.BASICALLY_SATISFIED: _l("Basically satisfied"),
    Satisfaction.UNSATISFIED: _l("Unsatisfied"),
}


class ResultClass(enum.Enum):
    """What a handling result promises (答复分类), as the offices that supervise suggestions
    class their answers."""

    SOLVED = "solved"  # A: solved or adopted (已解决/采纳)
    BEING_SOLVED = "being_solved"  # B: being solved (正在解决)
    PLANNED = "planned"  # C: planned, solved step by step (列入计划逐步解决)
    NOT_NOW = "not_now"  # D: cannot be solved now, the reason explained (因条件限制暂不能解决)

    @property
    def label(self):
        return RESULT_CLASS_LABELS[self]

    @property
    def letter(self) -> str:
        return RESULT_CLASS_LETTERS[self]

    @property
    def promises(self) -> bool:
        """B and C answers promise a date by which the work is done."""
        return self in PROMISING_CLASSES


RESULT_CLASS_LETTERS = {
    ResultClass.SOLVED: "A",
    ResultClass.BEING_SOLVED: "B",
    ResultClass.PLANNED: "C",
    ResultClass.NOT_NOW: "D",
}
RESULT_CLASS_LABELS = {
    ResultClass.SOLVED: _l("A (solved or adopted)"),
    ResultClass.BEING_SOLVED: _l("B (being solved)"),
    ResultClass.PLANNED: _l("C (planned, to be solved step by step)"),
    ResultClass.NOT_NOW: _l("D (cannot be solved now, the reason explained)"),
}
PROMISING_CLASSES = frozenset({ResultClass.BEING_SOLVED, ResultClass.PLANNED})


class ContactMethod(enum.Enum):
    """How the lead unit reached the speaker before answering (联系方式)."""

    MEETING = "meeting"
    PHONE = "phone"
    WRITTEN = "written"

    @property
    def label(self):
        return CONTACT_METHOD_LABELS[self]


CONTACT_METHOD_LABELS = {
    ContactMethod.MEETING: _l("Met in person"),
    ContactMethod.PHONE: _l("By phone"),
    ContactMethod.WRITTEN: _l("In writing"),
}


class TimelineKind(enum.Enum):
    CREATED = "created"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    PROGRESS = "progress"
    RESULT = "result"
    CLOSED = "closed"
    REOPENED = "reopened"
    URGED = "urged"
    RATED = "rated"
    BECAME_OVERDUE = "became_overdue"
    NOTE = "note"
    MERGED = "merged"
    SPLIT = "split"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_GRANTED = "extension_granted"
    EXTENSION_REFUSED = "extension_refused"
    COMMITMENT_DUE = "commitment_due"
    COMMITMENT_ANSWERED = "commitment_answered"
    COMMITMENT_SETTLED = "commitment_settled"
    CO_OPINION = "co_opinion"
    OPINIONS_WAIVED = "opinions_waived"
    KEY_MARKED = "key_marked"
    LEADER_INSTRUCTION = "leader_instruction"
    KEY_LIFTED = "key_lifted"
    CONTACTED = "contacted"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"

    @property
    def label(self):
        return TIMELINE_KIND_LABELS[self]


TIMELINE_KIND_LABELS = {
    TimelineKind.CREATED: _l("Raised"),
    TimelineKind.ASSIGNED: _l("Assigned"),
    TimelineKind.ACCEPTED: _l("Accepted"),
    TimelineKind.RETURNED: _l("Returned"),
    TimelineKind.PROGRESS: _l("Progress"),
    TimelineKind.RESULT: _l("Handling result"),
    TimelineKind.CLOSED: _l("Closed"),
    TimelineKind.REOPENED: _l("Reopened"),
    TimelineKind.URGED: _l("Urged"),
    TimelineKind.RATED: _l("Rated by the speaker"),
    TimelineKind.BECAME_OVERDUE: _l("Became overdue"),
    TimelineKind.NOTE: _l("Note"),
    TimelineKind.MERGED: _l("Merged"),
    TimelineKind.SPLIT: _l("Split"),
    TimelineKind.EXTENSION_REQUESTED: _l("Extension asked for"),
    TimelineKind.EXTENSION_GRANTED: _l("Extension granted"),
    TimelineKind.EXTENSION_REFUSED: _l("Extension refused"),
    TimelineKind.COMMITMENT_DUE: _l("Promised date passed"),
    TimelineKind.COMMITMENT_ANSWERED: _l("The speaker said whether it was done"),
    TimelineKind.COMMITMENT_SETTLED: _l("Promise checked"),
    TimelineKind.CO_OPINION: _l("Co-handling unit's opinion"),
    TimelineKind.OPINIONS_WAIVED: _l("Co-handling opinions waived"),
    TimelineKind.KEY_MARKED: _l("Made a key item, with a leader's instruction"),
    TimelineKind.LEADER_INSTRUCTION: _l("Leader's instruction"),
    TimelineKind.KEY_LIFTED: _l("No longer a key item"),
    TimelineKind.CONTACTED: _l("Contact with the speaker"),
    TimelineKind.PUBLISHED: _l("Published on the public results page"),
    TimelineKind.UNPUBLISHED: _l("Taken off the public results page"),
}


class Category(db.Model):
    """A topic that suggestions are filed under, such as talent apartments."""

    __tablename__ = "category"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_zh: Mapped[str | None] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    @property
    def display_name(self) -> str:
        return localized(self.name, self.name_zh)

    def __repr__(self) -> str:
        return f"<Category {self.code}>"


followup_item_co_unit = sa.Table(
    "followup_item_co_unit",
    db.metadata,
    sa.Column("item_id", sa.ForeignKey("followup_item.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "unit_id", sa.ForeignKey("responsible_unit.id", ondelete="RESTRICT"), primary_key=True
    ),
    # A unit's co-handled items, read from the index alone (desks, ledger, visibility).
    sa.Index("ix_followup_item_co_unit_unit_item", "unit_id", "item_id"),
)

# The counted items (merged duplicates are left out, `definitions.counted`): the ledger's
# sort orders read these partial indexes in order and stop after one page.
_COUNTED = sa.text("merged_into_id IS NULL")


_OPEN_COMMITMENT = sa.text("commitment_on IS NOT NULL AND commitment_settled_at IS NULL")


def _counted_index(name: str, *expressions) -> sa.Index:
    return sa.Index(name, *expressions, sqlite_where=_COUNTED, postgresql_where=_COUNTED)


class FollowUpItem(db.Model):
    """A suggestion raised at an event, and its follow-up until it is closed.

    The version counter makes a save based on a stale copy fail instead of overwriting
    someone else's change.
    """

    __tablename__ = "followup_item"
    __table_args__ = (
        sa.CheckConstraint(
            "speaker_id IS NOT NULL OR raised_by_name <> ''", name="has_someone_who_raised_it"
        ),
        sa.CheckConstraint(
            "state = 'new' OR (lead_unit_id IS NOT NULL AND due_on IS NOT NULL)",
            name="assigned_items_have_lead_unit_and_due_date",
        ),
        # A unit's items by state, in due order: the unit desk's groups and the unit filters.
        sa.Index("ix_followup_item_lead_unit_state_due", "lead_unit_id", "state", "due_on", "id"),
        # One per sort order of the ledger (`followup.ledger.SORT_KEYS`); "-raised" reads the
        # "raised" index backwards. Items without a due date come last either way.
        _counted_index("ix_followup_item_ledger_due", sa.text("(due_on IS NULL)"), "due_on", "id"),
        _counted_index(
            "ix_followup_item_ledger_due_desc",
            sa.text("(due_on IS NULL)"),
            sa.text("due_on DESC"),
            sa.text("id DESC"),
        ),
        _counted_index("ix_followup_item_ledger_raised", "created_at", "id"),
        _counted_index("ix_followup_item_ledger_number", "id"),
        _counted_index("ix_followup_item_ledger_state", "state", "id"),
        # A state filter (the desks' and the dashboard's links) in the default order.
        _counted_index(
            "ix_followup_item_ledger_state_due",
            "state",
            sa.text("(due_on IS NULL)"),
            "due_on",
            "id",
        ),
        # The requests for more time the organizers have to decide (their desk): a few items.
        sa.Index(
            "ix_followup_item_extension_asked",
            "extension_asked_to",
            sqlite_where=sa.text("extension_asked_to IS NOT NULL"),
            postgresql_where=sa.text("extension_asked_to IS NOT NULL"),
        ),
        # The promises not yet checked (B and C results): the daily run's and the desk's.
        sa.Index(
            "ix_followup_item_commitment_open",
            "commitment_on",
            sqlite_where=_OPEN_COMMITMENT,
            postgresql_where=_OPEN_COMMITMENT,
        ),
        # The duplicates merged into an item. Only the few merged ones are in it: an index
        # holding every unmerged item too made SQLite read them all for `IS NULL` and sort them.
        # The key items (重点督办): a few, read first on the desks and by the daily run.
        sa.Index(
            "ix_followup_item_key",
            "key_at",
            sqlite_where=sa.text("key_at IS NOT NULL"),
            postgresql_where=sa.text("key_at IS NOT NULL"),
        ),
        sa.Index(
            "ix_followup_item_merged_into",
            "merged_into_id",
            sqlite_where=sa.text("merged_into_id IS NOT NULL"),
            postgresql_where=sa.text("merged_into_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(
        sa.ForeignKey("event.id", ondelete="RESTRICT"), index=True
    )
    speaker_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("speaker.id", ondelete="RESTRICT"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    # Who raised it when that person has no speaker record (entered by an organizer).
    raised_by_name: Mapped[str] = mapped_column(sa.String(100), default="")
    category_id: Mapped[int] = mapped_column(
        sa.ForeignKey("category.id", ondelete="RESTRICT"), index=True
    )
    content: Mapped[str] = mapped_column(sa.Text)
    state: Mapped[ItemState] = mapped_column(
        enum_column(ItemState, "item_state"), default=ItemState.NEW, index=True
    )
    lead_unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("responsible_unit.id", ondelete="RESTRICT")
    )
    due_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    # An extension (延期) the lead unit asked for and the organizers have not decided yet:
    # the new due date asked. Its reason is on the timeline.
    extension_asked_to: Mapped[date | None] = mapped_column(sa.Date)
    # Extensions granted so far, and the days they added in all (capped by the settings);
    # each one's dates are on the timeline.
    extensions_granted: Mapped[int] = mapped_column(default=0, server_default="0")
    days_extended: Mapped[int] = mapped_column(default=0, server_default="0")
    instructions: Mapped[str] = mapped_column(sa.Text, default="")
    result: Mapped[str] = mapped_column(sa.Text, default="")
    # What the result that stands promises (A/B/C/D); an organizer may correct it.
    result_class: Mapped[ResultClass | None] = mapped_column(
        enum_column(ResultClass, "result_class")
    )
    # A B or C result's promise: the date the work is to be done by. When it passes, the
    # item comes back to the organizers' desk and the speaker is asked whether it was done
    # (`commitment_due_at`), they may answer (`commitment_kept`), and an organizer checks
    # it (`commitment_settled_at`).
    commitment_on: Mapped[date | None] = mapped_column(sa.Date)
    commitment_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    commitment_kept: Mapped[bool | None] = mapped_column()
    commitment_settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Countersigning (会签): the lead unit's result waits for every co-handling unit's
    # opinion (timeline entries) unless an organizer waived the missing ones (since the
    # item was last assigned).
    opinions_waived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A key item (重点督办) since a leader marked it, with the leader's instruction in force
    # (领导批示; each one, and who gave it, is on the timeline). The daily run escalates a
    # key item once for each due date it misses (`key_escalated_due_on`).
    key_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    key_instruction: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    key_escalated_due_on: Mapped[date | None] = mapped_column(sa.Date)
    # The contact record (联系记录): the day of the lead unit's latest recorded contact with
    # the speaker (each one, how and what was said, is on the timeline), and what the speaker
    # said when rating: whether the unit made contact before answering.
    contacted_on: Mapped[date | None] = mapped_column(sa.Date)
    speaker_says_contacted: Mapped[bool | None] = mapped_column()
    # Published on the event's public results page (办理结果公开), as the organizer worded
    # it for the public: the suggestion and the result, redacted where need be.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_content: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    published_result: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfaction: Mapped[Satisfaction | None] = mapped_column(
        enum_column(Satisfaction, "satisfaction")
    )
    satisfaction_comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Set when an organizer merged this suggestion into another item that says the same.
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("followup_item.id", ondelete="RESTRICT")
    )
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    event: Mapped[Event] = relationship()
    speaker: Mapped[Speaker | None] = relationship()
    registration: Mapped[Registration | None] = relationship()
    category: Mapped[Category] = relationship()
    lead_unit: Mapped[ResponsibleUnit | None] = relationship()
    co_units: Mapped[list[ResponsibleUnit]] = relationship(secondary=followup_item_co_unit)
    created_by: Mapped[User | None] = relationship()
    merged_into: Mapped["FollowUpItem | None"] = relationship(
        remote_side="FollowUpItem.id", foreign_keys=[merged_into_id]
    )

    @property
    def raised_by(self) -> str:
        if self.speaker is not None:
            return self.speaker.display_name
        if self.raised_by_name == ANONYMISED:
            return str(_l("A speaker"))
        return self.raised_by_name

    @property
    def reopening_sends_back(self) -> bool:
        """Reopening a resolved item sends it back to its unit; a closed one is reopened."""
        return self.state is ItemState.RESOLVED

    @property
    def waits_on_a_unit(self) -> bool:
        """Assigned and not yet answered, nor returned: a unit owes it by its due date."""
        return self.state not in NOT_WAITING_ON_A_UNIT and self.state is not ItemState.NEW

    def is_overdue(self, today: date) -> bool:
        """The Python twin of followup.definitions.overdue: for one item already loaded."""
        return (
            self.due_on is not None
            and self.due_on < today
            and self.state not in NOT_WAITING_ON_A_UNIT
        )

    @property
    def publicly_named(self) -> Speaker | None:
        """The speaker the public results page may name: only with their consent to be named,
        and never once their personal data are erased."""
        registration, speaker = self.registration, self.speaker
        if registration is None or speaker is None or speaker.anonymised_at is not None:
            return None
        return speaker if registration.publication is Publication.NAMED else None

    @property
    def is_key(self) -> bool:
        return self.key_at is not None

    def can_move_to(self, state: ItemState) -> bool:
        return state in ITEM_TRANSITIONS[self.state]

    def __repr__(self) -> str:
        return f"<FollowUpItem {self.id} {self.state.value}>"


class TimelineEntry(db.Model):
    """One thing that happened to a follow-up item. Entries are only ever added."""

    __tablename__ = "timeline_entry"
    __table_args__ = (
        sa.Index("ix_timeline_entry_item_at", "item_id", "at"),
        # What each unit returned (or did) by kind, then unit. Only entries written for a unit
        # are in it: with every entry, SQLite chose it for a page's `kind IN (...)` lookup of
        # latest notes and read a third of the timeline; a query for units says
        # `unit_id = X` or `unit_id IS NOT NULL`.
        sa.Index(
            "ix_timeline_entry_kind_unit_item",
            "kind",
            "unit_id",
            "item_id",
            sqlite_where=sa.text("unit_id IS NOT NULL"),
            postgresql_where=sa.text("unit_id IS NOT NULL"),
        ),
        sa.CheckConstraint(
            "progress_percent IS NULL OR (progress_percent BETWEEN 0 AND 100)",
            name="progress_percent_in_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("followup_item.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[TimelineKind] = mapped_column(enum_column(TimelineKind, "timeline_kind"))
    actor_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    # Set when the speaker acted through the private link rather than a signed-in user.
    actor_speaker_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("speaker.id", ondelete="SET NULL")
    )
    # The unit on whose behalf the actor wrote, for co-handling contributions.
    unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("responsible_unit.id", ondelete="RESTRICT")
    )
    from_state: Mapped[ItemState | None] = mapped_column(enum_column(ItemState, "from_state"))
    to_state: Mapped[ItemState | None] = mapped_column(enum_column(ItemState, "to_state"))
    # What a person wrote: a reason, a result, a comment; shown as written.
    note: Mapped[str] = mapped_column(sa.Text, default="")
    # What the system records of the move as values (unit ids, dates, item numbers), worded
    # in the reader's language when shown: talentday.followup.timeline.
    details: Mapped[dict | None] = mapped_column(sa.JSON)
    progress_percent: Mapped[int | None] = mapped_column()

    item: Mapped[FollowUpItem] = relationship()
    actor_user: Mapped[User | None] = relationship()
    actor_speaker: Mapped[Speaker | None] = relationship()
    unit: Mapped[ResponsibleUnit | None] = relationship()


class Attachment(db.Model):
    """A file that came with a progress note or a result: the signed reply letter (with its
    document number, 文号), photos, spreadsheets. The file itself is in the storage
    (talentday.storage) under a random key; only a view that checked who may see the item
    hands it out. Like the timeline, attachments are only ever added."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(
        sa.ForeignKey("followup_item.id", ondelete="RESTRICT"), index=True
    )
    entry_id: Mapped[int] = mapped_column(
        sa.ForeignKey("timeline_entry.id", ondelete="RESTRICT"), index=True
    )
    storage_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The name it had on the uploader's computer, without any folder; sent back with it.
    filename: Mapped[str] = mapped_column(sa.String(255))
    # What its content is (read from its first bytes, never taken from the browser).
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int] = mapped_column()
    document_number: Mapped[str] = mapped_column(sa.String(100), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("responsible_unit.id", ondelete="RESTRICT")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[FollowUpItem] = relationship()
    entry: Mapped[TimelineEntry] = relationship()
    unit: Mapped[ResponsibleUnit | None] = relationship()


# What every page or list showing items reads of each: loaded with the items, in a constant
# number of queries however many items there are.
ITEM_DISPLAY_LOADS = (
    joinedload(FollowUpItem.event),
    joinedload(FollowUpItem.category),
    joinedload(FollowUpItem.lead_unit),
    joinedload(FollowUpItem.speaker),
    selectinload(FollowUpItem.co_units),
)
