"""Who makes a move, in the tables of the moves of events and registrations.

A transition's entry names the kinds of actor that may make it; each feature's
`require_transition` works out which kind the actor at hand is for the object moved.
"""

import enum


class Who(enum.Enum):
    # A person who may manage the event (events.permissions.may_manage).
    ORGANIZER = "organizer"
    # The registration's own speaker, acting through their private link.
    SPEAKER = "speaker"
    # The application on its own account, e.g. moving the waiting list up.
    SYSTEM = "system"


class _System:
    """The actor of the moves nobody makes by hand; never a signed-in person."""

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()
