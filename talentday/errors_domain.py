"""The one kind of error the domain rules raise: a refused move, with a message for people."""


class DomainError(ValueError):
    """A change the rules refuse. `field` names the form field the message belongs beside."""

    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
