"""The JSON API, /api/v1, with bearer tokens (CONTRACT.md).

One blueprint, `bp` (a flask-smorest Blueprint): every endpoint registers on it with
its schemas (`@bp.arguments(...)`, `@bp.response(...)`), and the OpenAPI document at
GET /api/v1/openapi.json is generated from them. Errors are {"error": {"code",
"message"}} with a 4xx status, never a 500 for bad input. See README, "Adding an API
endpoint".
"""

from __future__ import annotations

from functools import wraps

from flask import Flask, g, request
from flask_smorest import Blueprint

from eventsys.api.errors import ApiError, bad_request, forbidden, invalid_json, not_found
from eventsys.api.parser import Parser
from eventsys.extensions import csrf
from eventsys.messages import COMMON

__all__ = ["ApiError", "bad_request", "bp", "forbidden", "links", "not_found", "requires"]

bp = Blueprint(
    "api", __name__, url_prefix="/api/v1", description="Events, registrations and payments"
)
bp.ARGUMENTS_PARSER = Parser()
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.openapi"}
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@bp.before_request
def authenticate():
    from eventsys.auth.operations import user_for_api_token

    g.api_user = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", COMMON("no_token"))
    user = user_for_api_token(token.strip())
    if user is None:
        raise ApiError(401, "unauthorized", COMMON("invalid_token"))
    g.api_user = user
    return None


@bp.before_request
def refuse_a_body_that_is_not_an_object():
    """Every body is a JSON object, also for calls that need none (an empty body is
    fine there): an array, a string or broken JSON is a 400 before any view runs."""
    if request.method not in BODY_METHODS or not request.get_data(cache=True):
        return
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the JSON parser goes
        data = None
    if not isinstance(data, dict):
        raise invalid_json()


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    from eventsys.extensions import db

    db.session.rollback()
    response = error.response()
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="eventsys"'
    return response


def requires(*roles):
    """Only tokens of users with one of these roles (checked before the body is read)."""

    def decorator(view):
        @wraps(view)
        def checked(*args, **kwargs):
            if not g.api_user.has_role(*roles):
                raise forbidden()
            return view(*args, **kwargs)

        return checked

    return decorator


def links(status: int, parameter: str, *operations: str, value: str = "$response.body#/id"):
    """Document that the answer's `value` (its id) is the `parameter` of these operations
    (named by their view function): OpenAPI links, which clients and the stateful
    fuzzing follow from one call to the next."""
    return bp.doc(
        responses={
            status: {  # an int, as flask-smorest keys the answers it documents
                "links": {
                    operation: {"operationId": operation, "parameters": {parameter: value}}
                    for operation in operations
                }
            }
        }
    )


def init_app(app: Flask) -> None:
    """Register the blueprint with every endpoint imported so far and build the
    document from it. The app factory imports the endpoint modules first."""
    from eventsys.api.openapi import Api

    Api(app).register_blueprint(bp)
