"""The field types of the API's schemas.

Each field's error messages are our error codes (`missing_field`, `invalid_type`, …),
so a validation error becomes {"error": {"code", "message"}} without parsing English.
The same field reads a request, writes an answer and documents itself in OpenAPI.
"""

from __future__ import annotations

from datetime import datetime

from marshmallow import ValidationError, fields, missing, validate

from eventsys.text import has_line_break

# Text may hold line breaks and tabs, nothing else below U+0020 (PostgreSQL refuses
# NUL outright, and the others only cause trouble in e-mails and exports). Written so
# that Python's `re` and the ECMA regex of JSON Schema read it alike.
PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
DATABASE_ID_MAX = 2**31 - 1


def _codes(**extra) -> dict:
    return {
        "required": "missing_field",
        "null": "missing_field",
        "validator_failed": "invalid_value",
        "invalid": "invalid_type",
        **extra,
    }


class Text(fields.String):
    """A string without control characters, at most `max_length` long."""

    def __init__(self, max_length: int = 500, *, required=False, allow_none=False, **kwargs):
        validators = [
            validate.Length(max=max_length, error="too_long"),
            validate.Regexp(PRINTABLE, error="invalid_characters"),
            *kwargs.pop("validate", []),
        ]
        super().__init__(
            required=required,
            allow_none=allow_none,
            validate=validators,
            error_messages=_codes(),
            **kwargs,
        )


def _one_line(value: str) -> None:
    if has_line_break(value):
        raise ValidationError("single_line")


class Line(Text):
    """Text on one line (a title, a name): no line break of any kind, as these go into
    e-mail subjects and calendar properties (eventsys/text.py)."""

    def __init__(self, max_length: int = 500, **kwargs):
        super().__init__(max_length, validate=[_one_line, *kwargs.pop("validate", [])], **kwargs)


class Choice(fields.String):
    """One of a fixed set of strings (documented as an enum). Answers from models'
    StrEnums dump as their value."""

    def __init__(self, choices, *, required=False, allow_none=False, **kwargs):
        self.choices = tuple(str(c) for c in choices)
        super().__init__(
            required=required,
            allow_none=allow_none,
            validate=validate.OneOf(self.choices, error="invalid_choice"),
            error_messages=_codes(),
            **kwargs,
        )


class Integer(fields.Integer):
    """A whole number: "40", 4.0 and true are refused."""

    def __init__(self, *, minimum=None, maximum=None, required=False, allow_none=False, **kwargs):
        validators = list(kwargs.pop("validate", []))
        if minimum is not None or maximum is not None:
            validators.append(validate.Range(min=minimum, max=maximum, error="out_of_range"))
        super().__init__(
            strict=True,
            required=required,
            allow_none=allow_none,
            validate=validators,
            error_messages=_codes(),
            **kwargs,
        )


def Id(**kwargs) -> Integer:  # noqa: N802  (reads like a field class)
    """A database id: a positive 32-bit integer."""
    return Integer(minimum=1, maximum=DATABASE_ID_MAX, **kwargs)


class Boolean(fields.Boolean):
    """true or false, nothing else (not 1, "yes" or "true")."""

    def __init__(self, *, required=False, allow_none=False, **kwargs):
        super().__init__(
            required=required,
            allow_none=allow_none,
            error_messages=_codes(),
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Moment(fields.AwareDateTime):
    """An ISO 8601 date-time with a UTC offset; answered in the network's time zone
    (e.g. 2027-03-10T09:00:00+01:00)."""

    def __init__(self, *, required=False, allow_none=False, **kwargs):
        super().__init__(
            format="iso",
            required=required,
            allow_none=allow_none,
            error_messages=_codes(invalid="invalid_datetime", invalid_awareness="naive_datetime"),
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)

    def _serialize(self, value: datetime | None, attr, obj, **kwargs):
        from eventsys.database import current_timezone

        return value.astimezone(current_timezone()).isoformat() if value else None


class Day(fields.Date):
    """An ISO 8601 date, e.g. 2027-01-01."""

    def __init__(self, *, required=False, allow_none=False, **kwargs):
        super().__init__(
            required=required,
            allow_none=allow_none,
            error_messages=_codes(invalid="invalid_date"),
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class Email(Text):
    """A single, syntactically valid address, normalised (no display name or line
    breaks: it ends up in e-mail headers)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("metadata", {}).setdefault("format", "email")
        super().__init__(max_length=320, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        from email_validator import EmailNotValidError, validate_email

        value = super()._deserialize(value, attr, data, **kwargs)
        try:
            return validate_email(value.strip(), check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise ValidationError("invalid_email") from exc


class List(fields.List):
    """A list; its items are never null."""

    def __init__(self, item, *, required=False, **kwargs):
        super().__init__(item, required=required, error_messages=_codes(), **kwargs)
        self.inner.allow_none = False


class Nested(fields.Nested):
    def __init__(self, schema, *, required=False, allow_none=False, **kwargs):
        super().__init__(
            schema,
            required=required,
            allow_none=allow_none,
            error_messages=_codes(type="invalid_type"),
            **kwargs,
        )


class Derived(fields.Field):
    """An answer-only value computed from the object (e.g. seats held): wraps a typed
    field, so the document still says its type."""

    def __init__(self, field: fields.Field, getter):
        super().__init__(dump_only=True, required=field.required, metadata=field.metadata)
        self.field = field
        self.getter = getter

    def _bind_to_schema(self, field_name, parent):
        super()._bind_to_schema(field_name, parent)
        self.field._bind_to_schema(field_name, parent)

    def serialize(self, attr, obj, accessor=None, **kwargs):
        value = self.getter(obj)
        if value is missing:  # left out of the answer
            return missing
        return self.field._serialize(value, attr, obj, **kwargs)
