"""Table cards (桌签) and name badges for the salon day: who gets one, and how large a name
can be printed so that it fits its card.

Sizes are fractions of the card's width (CSS `cqw`), so a card previewed on a phone and the
same card on A4 or A5 paper keep their proportions: A-series sheets all have the same shape."""

import re
import unicodedata
from dataclasses import dataclass

from talentday.events.models import Event
from talentday.registrations.check_in import attendance

# What people type between the names of attending leaders.
LEADER_SEPARATORS = re.compile(r"[\n;；,，、]+")


@dataclass(frozen=True)
class NameCard:
    name: str
    organization: str
    is_leader: bool


def _leaders(text: str) -> list[str]:
    return [name.strip() for name in LEADER_SEPARATORS.split(text or "") if name.strip()]


def cards_for(event: Event, chinese: bool) -> list[NameCard]:
    """The attending leaders first (in the event's language), then the approved speakers in
    programme order; an erased speaker has no name left to print and is left out."""
    leaders_text = (
        (event.attending_leaders_zh or event.attending_leaders)
        if chinese
        else (event.attending_leaders or event.attending_leaders_zh)
    )
    cards = [NameCard(name, "", True) for name in _leaders(leaders_text)]
    for registration, _row in attendance(event):
        speaker = registration.speaker
        if speaker.anonymised_at is None:
            cards.append(NameCard(speaker.name, speaker.organization, False))
    return cards


def _width_in_em(text: str) -> float:
    """How wide `text` is, in ems: a Chinese character is a square, a Latin letter about
    0.6 of one, a space less."""
    width = 0.0
    for character in text:
        if unicodedata.east_asian_width(character) in ("W", "F"):
            width += 1.0
        elif character == " ":
            width += 0.3
        else:
            width += 0.62
    return width or 1.0


def fitted_size(text: str, *, room: float, largest: float) -> float:
    """The font size (in % of the card's width) at which `text` fills at most `room` % of
    it on one line, and never larger than `largest`."""
    return round(min(largest, room / _width_in_em(text)), 2)


# The steps of the name sizes the style sheet has (talentday.css, .fit-20 to .fit-130: tenths
# of a percent of the card's width). A class, not a style attribute: the Content Security
# Policy allows no inline style.
SMALLEST_FIT, LARGEST_FIT, FIT_STEP = 20, 130, 5


# Below this size (in % of the card's width) a name of several words goes on two lines.
WRAP_BELOW = 5.0


def fit_class(text: str, *, room: float, largest: float) -> str:
    """The classes that size a name to its card: one line while it stays legible, else two
    (a long Western name), at the size where its longer half fits."""
    size = fitted_size(text, room=room, largest=largest)
    wraps = ""
    if size < WRAP_BELOW and " " in text.strip():
        words = text.split()
        halves = [(" ".join(words[:cut]), " ".join(words[cut:])) for cut in range(1, len(words))]
        longest = min(max(_width_in_em(a), _width_in_em(b)) for a, b in halves)
        size, wraps = round(min(largest, room / longest), 2), " wraps"
    tenths = int(size * 10) // FIT_STEP * FIT_STEP
    return f"fit-{max(SMALLEST_FIT, min(LARGEST_FIT, tenths))}{wraps}"
