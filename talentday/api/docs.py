"""The API's documentation page, made by the application from its own OpenAPI document: no
script, no outside asset, readable on a phone and printable. Everything it says of an
operation comes from the document, which comes from the schemas that validate requests."""

import re

from flask import Blueprint, render_template
from flask_babel import get_locale
from markupsafe import Markup, escape

bp = Blueprint("api_docs", __name__)

# In a Chinese sentence of this page, every run of Latin letters is a name from the protocol
# (a header, a field, a method, a format): set as code, as the English reference is.
TECHNICAL = re.compile(r"[A-Za-z][A-Za-z0-9_.:/<>…*+-]*(?: [0-9]+)?")


@bp.app_template_filter("technical_terms")
def technical_terms(text: str) -> Markup:
    if not str(get_locale()).startswith("zh"):
        return escape(text)
    pieces, done = [], 0
    for match in TECHNICAL.finditer(text):
        pieces += [escape(text[done : match.start()]), Markup("<code>%s</code>") % match.group(0)]
        done = match.end()
    pieces.append(escape(text[done:]))
    return Markup("").join(pieces)


METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(spec: dict, node):
    while isinstance(node, dict) and "$ref" in node:
        path = node["$ref"].removeprefix("#/").split("/")
        found = spec
        for part in path:
            found = found[part]
        node = found
    return node


def _type(spec: dict, schema: dict) -> str:
    schema = _resolve(spec, schema) or {}
    kind = schema.get("type", "")
    if isinstance(kind, list):
        kind = " or ".join(k for k in kind)
    if kind == "array" or (isinstance(schema.get("type"), list) and "array" in schema["type"]):
        return f"array of {_type(spec, schema.get('items', {}))}"
    if schema.get("format"):
        kind = f"{kind} ({schema['format']})"
    return kind or "object"


def _constraints(schema: dict) -> list[str]:
    said = []
    for key, words in (
        ("maxLength", "at most {} characters"),
        ("minimum", "from {}"),
        ("maximum", "to {}"),
        ("maxItems", "at most {} entries"),
    ):
        if key in schema:
            said.append(words.format(schema[key]))
    if "enum" in schema:
        said.append(
            "one of " + ", ".join(f"`{value}`" for value in schema["enum"] if value is not None)
        )
    return said


def fields_of(spec: dict, schema: dict, prefix: str = "") -> list[dict]:
    """A schema's properties as rows, nested objects and lists of objects flattened."""
    schema = _resolve(spec, schema) or {}
    required = set(schema.get("required", []))
    rows = []
    for name, prop in (schema.get("properties") or {}).items():
        resolved = _resolve(spec, prop)
        rows.append(
            {
                "name": prefix + name,
                "type": _type(spec, prop),
                "required": name in required,
                "description": resolved.get("description") or resolved.get("title") or "",
                "constraints": _constraints(resolved)
                + _constraints(_resolve(spec, resolved.get("items", {})) or {}),
            }
        )
        items = _resolve(spec, resolved.get("items", {})) or {}
        if items.get("properties"):
            rows.extend(fields_of(spec, items, prefix=f"{prefix}{name}[]."))
        elif resolved.get("properties"):
            rows.extend(fields_of(spec, resolved, prefix=f"{prefix}{name}."))
    return rows


def operations(spec: dict) -> list[dict]:
    found = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            parameters = [_resolve(spec, p) for p in item.get("parameters", [])]
            parameters += [_resolve(spec, p) for p in operation.get("parameters", [])]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            responses = []
            for status, response in operation.get("responses", {}).items():
                response = _resolve(spec, response)
                content = response.get("content", {})
                kind, media = next(iter(content.items()), (None, {}))
                responses.append(
                    {
                        "status": status,
                        "description": response.get("description", ""),
                        "type": kind,
                        "fields": fields_of(spec, media.get("schema", {}))
                        if status.startswith("2")
                        else [],
                    }
                )
            security = operation.get("security", spec.get("security", []))
            schemes = sorted({name for requirement in security for name in requirement})
            found.append(
                {
                    "id": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                    "method": method.upper(),
                    "path": path,
                    "tag": (operation.get("tags") or ["Other"])[0],
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "schemes": schemes,
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": p["in"],
                            "required": p.get("required", False),
                            "type": _type(spec, p.get("schema", {})),
                            "description": p.get("description", ""),
                            "constraints": _constraints(_resolve(spec, p.get("schema", {})) or {}),
                        }
                        for p in parameters
                    ],
                    "body": fields_of(spec, body["schema"]) if body else None,
                    "responses": responses,
                }
            )
    return found


@bp.get("/docs")
def docs():
    from talentday.api import api

    spec = api.spec.to_dict()
    found = operations(spec)
    tags = []
    for operation in found:
        if operation["tag"] not in tags:
            tags.append(operation["tag"])
    return render_template("api/docs.html", spec=spec, operations=found, tags=tags)
