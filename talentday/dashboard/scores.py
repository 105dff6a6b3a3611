"""Unit scores for the year-end assessment: each responsible unit's record over a period,
weighed by documented weights that the admins set. Every part is a share of the unit's own
items, taken from the registry's figures; the score is the weighted mean of the parts that
have a base, out of 100, and a unit is ranked only with enough items as lead unit."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from talentday.database import UTCDateTime, utcnow
from talentday.extensions import db

# The weights a city starts with (docs/decisions.md says why these).
DEFAULT_WEIGHTS = {
    "on_time": 30,
    "solved": 25,
    "satisfied": 25,
    "kept": 10,
    "not_extended": 5,
    "contacted": 5,
    "minimum_items": 5,
}


class ScoreWeights(db.Model):
    """The admins' weights (one row): how much each part counts, and the number of items
    as lead unit below which a unit is shown but not ranked."""

    __tablename__ = "score_weights"

    id: Mapped[int] = mapped_column(primary_key=True)
    on_time: Mapped[int] = mapped_column()
    solved: Mapped[int] = mapped_column()
    satisfied: Mapped[int] = mapped_column()
    kept: Mapped[int] = mapped_column()
    not_extended: Mapped[int] = mapped_column()
    contacted: Mapped[int] = mapped_column()
    minimum_items: Mapped[int] = mapped_column()
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Part:
    key: str  # a ScoreWeights column
    label: object
    explained: object  # what share it is, with %(part)d and %(whole)d

    def share(self, row) -> tuple[int, int]:
        """(part, whole) of the unit's items."""
        return PARTS_COUNTED[self.key](row)


PARTS = (
    Part("on_time", _l("On time"), _l("%(part)d on time of %(whole)d answered or overdue")),
    Part("solved", _l("Solved (A)"), _l("%(part)d classed A of %(whole)d classed answers")),
    Part("satisfied", _l("Satisfied"), _l("%(part)d satisfied of %(whole)d rated")),
    Part("kept", _l("Not returned"), _l("%(part)d kept of %(whole)d given to the unit")),
    Part("not_extended", _l("Without extension"), _l("%(part)d without extension of %(whole)d")),
    Part("contacted", _l("Contact made"), _l("%(part)d with a contact of %(whole)d answered")),
)
PARTS_COUNTED = {
    "on_time": lambda row: (row["on_time"], row["judged"]),
    "solved": lambda row: (row["solved"], row["classed"]),
    "satisfied": lambda row: (row["satisfied"], row["rated"]),
    # A return counts against the unit among all the items it was given.
    "kept": lambda row: (row["as_lead"], row["as_lead"] + row["returned"]),
    "not_extended": lambda row: (row["as_lead"] - row["extended"], row["as_lead"]),
    "contacted": lambda row: (row["with_result"] - row["without_contact"], row["with_result"]),
}


@dataclass(frozen=True)
class Line:
    part: Part
    weight: int
    counted: tuple[int, int]

    @property
    def share(self) -> float | None:
        part, whole = self.counted
        return part / whole if whole else None

    @property
    def explained(self) -> str:
        part, whole = self.counted
        return str(self.part.explained) % {"part": part, "whole": whole}


@dataclass(frozen=True)
class Score:
    lines: list[Line]
    value: float | None  # out of 100; None when no weighted part has a base
    ranked: bool
    minimum: int

    @property
    def weighed(self) -> int:
        return sum(line.weight for line in self.lines if line.share is not None)

    def points(self, line: Line) -> float | None:
        """What this line adds to the score out of 100."""
        if line.share is None or not self.weighed:
            return None
        return 100 * line.weight * line.share / self.weighed


def weights() -> ScoreWeights:
    """The weights in force: the saved ones, else the defaults (not saved until changed)."""
    saved = db.session.scalar(db.select(ScoreWeights).order_by(ScoreWeights.id).limit(1))
    return saved if saved is not None else ScoreWeights(**DEFAULT_WEIGHTS)


def save_weights(values: dict, *, by) -> ScoreWeights:
    """The admin's weights take the place of the ones in force; audited with the values."""
    from talentday.audit.services import record

    chosen = db.session.scalar(db.select(ScoreWeights).order_by(ScoreWeights.id).limit(1))
    if chosen is None:
        chosen = ScoreWeights()
        db.session.add(chosen)
    for key in DEFAULT_WEIGHTS:
        setattr(chosen, key, values[key])
    chosen.updated_at = utcnow()
    record("score_weights_saved", actor=by, **{key: values[key] for key in DEFAULT_WEIGHTS})
    return chosen


# A unit is scored once its work can be judged: an answer, or an item gone overdue. Not
# returning and not asking for time alone say nothing of a unit that has answered nothing.
JUDGING_PARTS = frozenset({"on_time", "solved", "satisfied"})


def score(row, chosen: ScoreWeights) -> Score:
    lines = [Line(part, getattr(chosen, part.key), part.share(row)) for part in PARTS]
    if not any(line.share is not None for line in lines if line.part.key in JUDGING_PARTS):
        return Score(lines, None, False, chosen.minimum_items)
    weighed = [line for line in lines if line.share is not None and line.weight]
    total = sum(line.weight for line in weighed)
    value = sum(100 * line.weight * line.share for line in weighed) / total if total else None
    return Score(lines, value, row["as_lead"] >= chosen.minimum_items, chosen.minimum_items)


def scored(rows) -> None:
    """Give each unit row its score (`row.score`), with one read of the weights."""
    chosen = weights()
    for row in rows:
        row.score = score(row, chosen)
