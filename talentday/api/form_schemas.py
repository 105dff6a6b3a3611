"""The API's request bodies are the pages' forms: one rule, written once.

`schema_for(FormClass)` reads a WTForms form class and builds the marshmallow schema that
flask-smorest validates the JSON body with and documents in the OpenAPI file: its fields, which
are required, their lengths, ranges and choices. `validated_form(FormClass, data)` then runs
the form itself on the body, for everything a schema cannot say (the control characters every
form refuses, a phone number's shape, a date's plausible years, one field's rule on another),
and gives its cleaned data. A change to a form changes the page, the API and its document
together.
"""

from datetime import date, datetime

from marshmallow import RAISE, Schema, fields, validate
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from talentday.forms import ID_MAX, ID_MIN, to_id, to_int, to_optional_id

# Never part of a body: CSRF is for cookies (the API takes none), the version travels in
# If-Match, a confirmation is what the API call itself is.
NOT_IN_BODY = frozenset({"csrf_token", "version", "confirmed"})
ID_COERCIONS = (to_id, to_int, to_optional_id, int)


def unbound_fields(form_class) -> list[tuple[str, UnboundField]]:
    found = [
        (name, value)
        for name in dir(form_class)
        if not name.startswith("_") and isinstance(value := getattr(form_class, name), UnboundField)
    ]
    return sorted(found, key=lambda pair: pair[1].creation_counter)


def _validators(unbound: UnboundField) -> list:
    return list(unbound.kwargs.get("validators") or ())


def _required(unbound: UnboundField) -> bool:
    return any(isinstance(v, DataRequired | InputRequired) for v in _validators(unbound))


def _text(value) -> str | None:
    return str(value) if value else None


def _choices(unbound: UnboundField) -> list[str] | None:
    choices = unbound.kwargs.get("choices")
    if not choices or callable(choices):
        return None
    values = [choice.value if isinstance(choice, SelectChoice) else choice[0] for choice in choices]
    # An empty choice ("choose one") is null in JSON, which an optional field takes.
    return [str(value) for value in values if value not in ("", None)]


def _length(unbound: UnboundField) -> validate.Length | None:
    for validator in _validators(unbound):
        if isinstance(validator, Length) and validator.max not in (None, -1):
            return validate.Length(max=validator.max)
    return None


def _range(unbound: UnboundField) -> validate.Range:
    for validator in _validators(unbound):
        if isinstance(validator, NumberRange):
            return validate.Range(
                min=ID_MIN if validator.min is None else validator.min,
                max=ID_MAX if validator.max is None else validator.max,
            )
    return validate.Range(min=ID_MIN, max=ID_MAX)


def _field(unbound: UnboundField, schema_name: str, optional: bool = False):
    kind = unbound.field_class
    required = _required(unbound) and not optional
    # A list's first argument is the field of its entries, not a label.
    first = unbound.args[0] if unbound.args and not issubclass(kind, FieldList) else None
    label = first or unbound.kwargs.get("label")
    metadata = {"title": _text(label)} if _text(label) else {}
    if description := _text(unbound.kwargs.get("description")):
        metadata["description"] = description
    options = {"required": required, "metadata": metadata}
    if optional:
        pass  # a PATCH: what is left out keeps its value; null is no value
    elif required:
        # The form's own words ("Enter your full name"), in the client's language.
        message = next(
            (
                v.message
                for v in _validators(unbound)
                if isinstance(v, DataRequired | InputRequired) and v.message
            ),
            None,
        )
        if message is not None:
            options["error_messages"] = {"required": message, "null": message}
    else:
        options["allow_none"] = True
    coerce = unbound.kwargs.get("coerce")
    if issubclass(kind, FieldList):
        entry = unbound.args[0] if unbound.args else unbound.kwargs["unbound_field"]
        inner = _field(entry, schema_name)
        inner.required, inner.allow_none = False, False
        most = unbound.kwargs.get("max_entries")
        return fields.List(inner, validate=validate.Length(max=most) if most else None, **options)
    if issubclass(kind, FormField):
        return fields.Nested(schema_for(unbound.args[0]), **options)
    if issubclass(kind, BooleanField):
        return fields.Boolean(**options)
    if issubclass(kind, DateTimeLocalField):
        return fields.NaiveDateTime(format="%Y-%m-%dT%H:%M", **options)
    if issubclass(kind, DateField):
        return fields.Date(**options)
    if issubclass(kind, IntegerField):
        return fields.Integer(strict=True, validate=_range(unbound), **options)
    if issubclass(kind, SelectMultipleField):
        if coerce in ID_COERCIONS:
            inner = fields.Integer(strict=True, validate=validate.Range(min=1, max=ID_MAX))
        else:
            inner = fields.String(validate=_one_of(unbound))
        return fields.List(inner, **options)
    if issubclass(kind, SelectField | RadioField):
        if coerce in ID_COERCIONS:
            return fields.Integer(
                strict=True, validate=validate.Range(min=1, max=ID_MAX), **options
            )
        return fields.String(validate=_one_of(unbound), **options)
    if issubclass(kind, EmailField):
        metadata["format"] = "email"
        return fields.String(validate=_length(unbound), **options)
    if issubclass(kind, StringField | HiddenField):
        return fields.String(validate=_length(unbound), **options)
    raise TypeError(f"{schema_name}: no schema for {kind.__name__}")


def _one_of(unbound: UnboundField):
    values = _choices(unbound)
    return validate.OneOf(values) if values else None


_SCHEMAS: dict[tuple, type[Schema]] = {}


def schema_for(
    form_class, *, name: str | None = None, exclude=(), optional: bool = False
) -> type[Schema]:
    """The marshmallow schema of a form's body: built once per form, named for the document.
    `optional`: every field may be left out (a PATCH; the form then checks the whole)."""
    key = (form_class, name, tuple(exclude), optional)
    if key not in _SCHEMAS:
        schema_name = name or form_class.__name__.removesuffix("Form") + "Body"
        attributes = {
            field_name: _field(unbound, schema_name, optional)
            for field_name, unbound in unbound_fields(form_class)
            if field_name not in NOT_IN_BODY and field_name not in exclude and not _is_file(unbound)
        }

        class Meta:
            unknown = RAISE

        attributes["Meta"] = Meta
        attributes["__doc__"] = (form_class.__doc__ or "").strip() or None
        _SCHEMAS[key] = type(schema_name, (Schema,), attributes)
    return _SCHEMAS[key]


def _is_file(unbound: UnboundField) -> bool:
    return unbound.field_class.__name__ in ("FileField", "MultipleFileField")


def form_data(data: dict, prefix: str = "") -> MultiDict:
    """A validated body as the form data WTForms reads: a list as repeated keys, a list of
    objects as numbered entries (suggestions-0-content), true as "y", false and null left out."""
    pairs = MultiDict()
    for key, value in data.items():
        name = f"{prefix}{key}"
        if value is None or value is False:
            continue
        if isinstance(value, list):
            for index, entry in enumerate(value):
                if isinstance(entry, dict):
                    pairs.update(form_data(entry, f"{name}-{index}-"))
                else:
                    pairs.add(name, _as_text(entry))
        elif isinstance(value, dict):
            pairs.update(form_data(value, f"{name}-"))
        else:
            pairs.add(name, _as_text(value))
    return pairs


def _as_text(value) -> str:
    if value is True:
        return "y"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def validated_form(form_class, data: dict, prepare=None):
    """The form filled from the body, validated; `prepare(form)` sets choices first. None
    and the form's errors when it refuses."""
    form = form_class(formdata=form_data(data), meta={"csrf": False})
    if prepare is not None:
        prepare(form)
    return form, form.validate()
