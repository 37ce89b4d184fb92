"""The API's error shape: {"error": {"code", "message"}} with a 4xx status."""

from __future__ import annotations

from flask import jsonify


class ApiError(Exception):
    """`code` is for programs; the message is looked up by `message_key` (the code
    unless given) in the caller's language when the answer is written."""

    def __init__(
        self,
        status: int,
        code: str,
        message_key: str | None = None,
        details: dict | None = None,
        **params,
    ):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message_key = message_key or code
        self.details = details
        self.params = params

    @property
    def message(self) -> str:
        from eventsys.api.messages import api_message

        return api_message(self.message_key, **self.params)

    def response(self):
        body = {"error": {"code": self.code, "message": self.message}}
        if self.details:
            body["error"]["details"] = self.details
        response = jsonify(body)
        response.status_code = self.status
        return response


def bad_request(code: str, message_key: str | None = None, **details) -> ApiError:
    return ApiError(400, code, message_key, details or None, **details)


def invalid_json() -> ApiError:
    return ApiError(400, "invalid_json")


def not_found(what: str = "resource") -> ApiError:
    return ApiError(404, "not_found", f"{what}_not_found")


def forbidden(message_key: str = "forbidden") -> ApiError:
    return ApiError(403, "forbidden", message_key)
