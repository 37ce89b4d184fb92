"""The API's error shape: {"error": {"code", "message"}} with a 4xx status."""

from __future__ import annotations

from flask import jsonify


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details

    def response(self):
        body = {"error": {"code": self.code, "message": self.message}}
        if self.details:
            body["error"]["details"] = self.details
        response = jsonify(body)
        response.status_code = self.status
        return response


def bad_request(code: str, message: str, **details) -> ApiError:
    return ApiError(400, code, message, details or None)


def not_found(what: str = "resource") -> ApiError:
    return ApiError(404, "not_found", f"No such {what}.")


def forbidden(message: str = "Your token does not give access to this.") -> ApiError:
    return ApiError(403, "forbidden", message)
