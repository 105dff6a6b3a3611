"""Named placeholders such as {name} in a text an organizer writes.

A text an organizer writes is never a template: each placeholder is replaced by plain
substitution, in one pass, so that nothing typed into it can run as code or reach an
object's attributes (as Jinja or str.format would let `{name.__class__}` do), and a value
that itself holds "{link}" (a speaker's name, say) stays as it is."""

import re
from collections.abc import Collection

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def placeholders_in(text: str) -> list[str]:
    """The {names} in `text`, in order of appearance, once each."""
    names: list[str] = []
    for match in PLACEHOLDER.finditer(text):
        if match[1] not in names:
            names.append(match[1])
    return names


def unknown_placeholders(text: str, known: Collection[str]) -> list[str]:
    """The {names} in `text` that are not among `known`, in order of appearance, once each."""
    return [name for name in placeholders_in(text) if name not in known]


def fill(text: str, values: dict[str, str]) -> str:
    """Each {placeholder} replaced by its value; anything else stays as typed."""
    return PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), text)
