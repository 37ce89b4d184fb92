"""Request parsing for flask-smorest's `@bp.arguments`: a validation error becomes our
400 with the first problem's code and field, never webargs' own 422 shape."""

from __future__ import annotations

from webargs.flaskparser import FlaskParser

from eventsys.api.errors import ApiError, bad_request

LOCATIONS = {"json", "query", "querystring", "view_args", "headers"}


def first_problem(messages, path=()) -> tuple[tuple, str] | None:
    """The first (path, message) in marshmallow's nested error messages."""
    if isinstance(messages, str):
        return path, messages
    if isinstance(messages, dict):
        items = messages.items()
    elif isinstance(messages, list | tuple):
        items = ((None, m) for m in messages)
    else:
        return None
    for key, value in items:
        found = first_problem(value, path if key is None else (*path, key))
        if found:
            return found
    return None


def validation_error(messages) -> ApiError:
    path, code = first_problem(messages) or ((), "invalid_value")
    names = [str(p) for p in path if p not in LOCATIONS and p != "_schema"]
    if not code.replace("_", "").isalpha() or not code.islower():
        code = "invalid_value"  # marshmallow's own text (e.g. a nested object's type)
    field = ".".join(names)
    return bad_request(code, field=field or None)


class Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400

    def load_json(self, req, schema):
        # The blueprint already refused any body that is not a JSON object.
        data = req.get_json(silent=True) if req.get_data(cache=True) else None
        return data if isinstance(data, dict) else {}

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        raise validation_error(error.messages)
