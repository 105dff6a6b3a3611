"""Field filters shared by every feature's forms."""


def strip_whitespace(value):
    """Spaces pasted around an email or a name are never meant."""
    return value.strip() if isinstance(value, str) else value


def blank_to_none(value):
    value = strip_whitespace(value)
    return value or None
