"""Reading JSON request bodies strictly: every problem is a 400 with a clear code."""

from __future__ import annotations

import re
from datetime import date, datetime

from flask import request

from eventsys.api.errors import bad_request

# Text may hold line breaks and tabs, nothing else below U+0020 (PostgreSQL refuses
# NUL outright, and the others only cause trouble in e-mails and exports).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise bad_request(
            "invalid_json", "The body must be a JSON object (Content-Type: application/json)."
        )
    return data


def aware_datetime(data: dict, name: str, required: bool = True) -> datetime | None:
    value = data.get(name)
    if value is None:
        if required:
            raise bad_request("missing_field", f"'{name}' is required.", field=name)
        return None
    if not isinstance(value, str):
        raise bad_request("invalid_datetime", f"'{name}' must be an ISO 8601 string.", field=name)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise bad_request(
            "invalid_datetime", f"'{name}' is not an ISO 8601 date-time.", field=name
        ) from exc
    if parsed.tzinfo is None:
        raise bad_request(
            "naive_datetime",
            f"'{name}' needs a UTC offset, e.g. 2027-03-10T09:00:00+01:00.",
            field=name,
        )
    return parsed


def a_date(data: dict, name: str, required: bool = True) -> date | None:
    value = data.get(name)
    if value is None:
        if required:
            raise bad_request("missing_field", f"'{name}' is required.", field=name)
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise bad_request(
            "invalid_date", f"'{name}' must be a date like 2027-01-01.", field=name
        ) from exc


def string(data: dict, name: str, required: bool = True, max_length: int = 500) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise bad_request("missing_field", f"'{name}' is required.", field=name)
        return None
    if not isinstance(value, str):
        raise bad_request("invalid_type", f"'{name}' must be a string.", field=name)
    if CONTROL_CHARACTERS.search(value):
        raise bad_request(
            "invalid_characters", f"'{name}' contains control characters.", field=name
        )
    if len(value) > max_length:
        raise bad_request(
            "too_long", f"'{name}' is longer than {max_length} characters.", field=name
        )
    return value


def integer(data: dict, name: str, required: bool = True, minimum: int | None = None) -> int | None:
    value = data.get(name)
    if value is None:
        if required:
            raise bad_request("missing_field", f"'{name}' is required.", field=name)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request("invalid_type", f"'{name}' must be a whole number.", field=name)
    if minimum is not None and value < minimum:
        raise bad_request("out_of_range", f"'{name}' must be at least {minimum}.", field=name)
    return value


def choice(data: dict, name: str, choices, required: bool = True) -> str | None:
    value = string(data, name, required)
    if value is not None and value not in choices:
        raise bad_request(
            "invalid_choice", f"'{name}' must be one of: {', '.join(choices)}.", field=name
        )
    return value


def email_address(value: str, name: str = "email") -> str:
    """A single, syntactically valid address (no spaces, line breaks or display names:
    it ends up in e-mail headers)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise bad_request(
            "invalid_email", f"'{name}' is not an e-mail address: {exc}", field=name
        ) from exc
