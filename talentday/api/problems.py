"""Errors as `application/problem+json` (RFC 9457), with a field-by-field list.

Every error under /api/ comes through `problem_response`: the HTTP errors Flask and the
views raise, the requests the schemas or the forms refuse, and the failures of the server.
The words are in the language the client asks for (Accept-Language), like the pages."""

from http import HTTPStatus

from flask import current_app, json, request
from flask_babel import gettext as _
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "application/problem+json"
API_PREFIX = "/api/"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX) and request.path != "/api/v1/docs"


class FieldProblemSchema(Schema):
    field = fields.String(
        required=True,
        metadata={
            "description": "The field, as a dotted path into the body or the name of a query "
            "parameter: `name`, `suggestions.0.content`, `limit`.",
        },
    )
    message = fields.String(required=True, metadata={"description": "What to change."})


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(
        required=True,
        metadata={"description": "A URI naming the kind of problem; `about:blank` when the "
        "status says it all."},
    )  # fmt: skip
    title = fields.String(required=True, metadata={"description": "The kind of problem."})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    detail = fields.String(metadata={"description": "What happened to this request."})
    errors = fields.List(
        fields.Nested(FieldProblemSchema),
        metadata={"description": "For a refused request body or query: one entry per field."},
    )


# The kinds of problem beyond the plain status, each explained on the documentation page.
INVALID = "invalid-request"
REFUSED = "refused"
STALE = "stale-version"
SCOPE = "insufficient-scope"


def problem_type(kind: str) -> str:
    return f"/api/v1/docs#problem-{kind}"


def problem_response(
    status: int,
    *,
    detail: str | None = None,
    kind: str | None = None,
    title: str | None = None,
    errors: list[dict] | None = None,
    headers: dict | None = None,
):
    body = {
        "type": problem_type(kind) if kind else "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    # A message may quote what the client sent, a lone surrogate included (an unknown key
    # "\ud800"): written back as the same JSON escape, it cannot fail to encode.
    text = json.dumps(body, ensure_ascii=False).encode("utf-8", "backslashreplace")
    response = current_app.response_class(text, status=status, mimetype=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten(messages, path: str = "") -> list[dict]:
    """marshmallow's and WTForms' nested error dicts and lists as one list of field errors."""
    found = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{path}.{key}" if path else str(key)
            found.extend(flatten(value, name))
    elif isinstance(messages, list | tuple):
        if all(
            isinstance(message, str | bytes) or hasattr(message, "__html__") for message in messages
        ):
            found.extend({"field": path, "message": str(message)} for message in messages)
        else:
            for index, value in enumerate(messages):
                if value:
                    found.extend(flatten(value, f"{path}.{index}" if path else str(index)))
    elif messages:
        found.append({"field": path, "message": str(messages)})
    return found


# The words for the statuses the API answers with; the rest keep Werkzeug's own.
def _details() -> dict[int, str]:
    return {
        400: _("The request could not be read."),
        401: _("Send a valid token: %(header)s.", header="Authorization: Bearer <token>"),
        403: _("This token may not do that."),
        404: _("There is nothing here, or nothing this token may see."),
        405: _("This address does not take that method."),
        406: _("This API answers in JSON only."),
        413: _("The request is too large."),
        415: _("Send the body as JSON, with %(header)s.", header="Content-Type: application/json"),
        429: _("Too many requests: wait as long as Retry-After says, then try again."),
        500: _("Something went wrong on our side. The request changed nothing."),
    }


# Headers of an error that the client needs: which methods, how long to wait, how to sign in.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def from_http_exception(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    if data.get("messages"):
        # webargs (through flask-smorest) refused the body or the query against the schema.
        errors = [found for located in data["messages"].values() for found in flatten(located)]
        return problem_response(
            status,
            kind=INVALID,
            title=_("The request has errors."),
            detail=_("Correct the fields listed under errors and send it again."),
            errors=errors,
        )
    return problem_response(
        status,
        detail=data.get("detail") or _details().get(status) or error.description,
        kind=data.get("kind"),
        title=data.get("title"),
        errors=data.get("errors"),
        headers={
            **{name: value for name, value in error.get_headers() if name in KEPT_HEADERS},
            **(data.get("headers") or {}),
        },
    )


def server_error_detail() -> str:
    return _details()[500]


_DESCRIPTIONS = {
    400: "The request could not be read (a bad cursor, a malformed value).",
    401: "No token, or one that is unknown, revoked, or of an inactive account.",
    403: "The token may not do this: its role, or its read-only scope.",
    404: "Nothing here, or nothing this token may see.",
    405: "The address does not take that method.",
    409: "The rules refuse the change now (see detail), or a registration was lost to a race.",
    412: "If-Match names a version of the item that is no longer the latest.",
    413: "The request is too large.",
    415: "The body is not JSON.",
    422: "The body or the query has errors, listed field by field.",
    428: "The change needs If-Match.",
    429: "Too many requests: wait as long as Retry-After says.",
}


def describe(status: int) -> str:
    return _DESCRIPTIONS[status]


def response_name(status: int) -> str:
    return HTTPStatus(status).name
