"""The API's error shape: {"error": {"code", "message"}} with a 4xx status. The
message comes from the message catalogues (eventsys/messages.py and each area's
messages.py) in the caller's language."""

from __future__ import annotations

from flask import jsonify

from eventsys.messages import COMMON, field_message


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str | None = None, details: dict | None = None
    ):
        super().__init__(code)
        self.status = status
        self.code = code
        self._message = message
        self.details = details

    @property
    def message(self) -> str:
        # Looked up when the answer is written, after the token told who is asking.
        return str(self._message) if self._message is not None else COMMON(self.code)

    def response(self):
        body = {"error": {"code": self.code, "message": self.message}}
        if self.details:
            body["error"]["details"] = self.details
        response = jsonify(body)
        response.status_code = self.status
        return response


def bad_request(code: str, message: str | None = None, *, field: str | None = None) -> ApiError:
    """A 400; with `field`, the message names it and details.field says it."""
    if field is None:
        return ApiError(400, code, message)
    return ApiError(400, code, message or field_message(field, code), {"field": field})


def invalid_json() -> ApiError:
    return ApiError(400, "invalid_json")


def not_found(message: str | None = None) -> ApiError:
    return ApiError(404, "not_found", message)


def forbidden(message: str | None = None) -> ApiError:
    return ApiError(403, "forbidden", message or COMMON("token_forbidden"))
