"""The JSON API, /api/v1, with bearer tokens (CONTRACT.md). Errors are
{"error": {"code", "message"}} with a 4xx status, never a 500 for bad input."""

from flask import Blueprint, g, request

from eventsys.api.errors import ApiError
from eventsys.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def authenticate():
    from eventsys.auth.operations import user_for_api_token

    g.api_user = None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "Send 'Authorization: Bearer <token>'.")
    user = user_for_api_token(token.strip())
    if user is None:
        raise ApiError(401, "unauthorized", "The token is not valid or has been revoked.")
    g.api_user = user
    return None


@bp.errorhandler(ApiError)
def api_error(error: ApiError):
    from eventsys.extensions import db

    db.session.rollback()
    response = error.response()
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="eventsys"'
    return response


from eventsys.api import views  # noqa: E402,F401  (routes register on bp)
