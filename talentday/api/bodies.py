"""What a request body to the API must be: JSON, or nothing.

webargs reads a JSON body only when the Content-Type says JSON, and treats any other body as
no body at all: a move posted as text or as a form was made with an empty note, and the
client never learned that its words were dropped. And Python's JSON reader gives up with a
RecursionError, not a ValueError, on a body nested a thousand deep, and a plain ValueError
on a number of more than 4,300 digits: each a 500 to anyone.

The check is in the parser, so it runs where an operation reads its body: after the caller
is known (an anonymous caller of a token's operation gets 401, whatever it sent)."""

import json

import flask_smorest
from flask_babel import gettext as _
from flask_smorest import abort
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from talentday.api import problems


class JsonBodyParser(FlaskParser):
    def _raw_load_json(self, req):
        if not req.content_length and not req.headers.get("Transfer-Encoding"):
            return core.missing  # no body: the operation reads it as {}
        if not is_json_request(req):
            abort(415)
        try:
            return core.parse_json(req.get_data(cache=True))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise  # webargs answers these: "Invalid JSON body."
        except (RecursionError, ValueError):
            # Nested too deep, or a number past the 4,300 digits Python converts.
            abort(
                400,
                kind=problems.INVALID,
                detail=_("The body is nested too deeply or holds a number too long to read."),
            )


class Blueprint(flask_smorest.Blueprint):
    """A blueprint of the API: flask-smorest's, reading request bodies as JSON only."""

    ARGUMENTS_PARSER = JsonBodyParser()
