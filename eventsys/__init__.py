"""eventsys: events, seminars and the årshjul of the competence network."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, abort, g, jsonify, render_template, request, session
from flask_babel import get_locale, ngettext
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from eventsys import database
from eventsys.extensions import babel, csrf, db, login_manager, migrate
from eventsys.messages import COMMON

ROOT = Path(__file__).resolve().parent.parent


def create_app(config=None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
        instance_path=str(ROOT / "instance"),
    )
    if config is None:
        from config import config_from_env

        config = config_from_env()
    app.config.from_object(config)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    # Ids in URLs are database integers: a number beyond their range is a 404, not a
    # database error.
    app.url_map.converters["int"] = DatabaseId
    import_models()
    connect_listeners()
    register_extensions(app)
    register_blueprints(app)
    register_rate_limits(app)
    register_request_hooks(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


class DatabaseId(IntegerConverter):
    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def import_models() -> None:
    """Every model module, so metadata (and Alembic) sees the whole schema."""
    from eventsys import ratelimit as _ratelimit  # noqa: F401
    from eventsys.arshjul import models as _arshjul  # noqa: F401
    from eventsys.auth import models as _auth  # noqa: F401
    from eventsys.events import models as _events  # noqa: F401
    from eventsys.finance import models as _finance  # noqa: F401
    from eventsys.forum import models as _forum  # noqa: F401
    from eventsys.mail import models as _mail  # noqa: F401
    from eventsys.newsletters import models as _newsletters  # noqa: F401
    from eventsys.organisations import models as _org  # noqa: F401
    from eventsys.payments import models as _payments  # noqa: F401
    from eventsys.people import models as _people  # noqa: F401
    from eventsys.registration import models as _registration  # noqa: F401
    from eventsys.resources import models as _resources  # noqa: F401
    from eventsys.themes import models as _themes  # noqa: F401


def connect_listeners() -> None:
    """The domain signals' listeners, each in the package that cares (see
    registration/signals.py). Connecting twice is harmless."""
    from eventsys.arshjul import listeners as _arshjul  # noqa: F401
    from eventsys.payments import listeners as _payments  # noqa: F401
    from eventsys.people import listeners as _people  # noqa: F401


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"
    database.configure_engine(app)

    from eventsys.auth.operations import load_user_from_session

    login_manager.user_loader(load_user_from_session)


def select_locale() -> str:
    """Bokmål unless the person chose English (switch, saved in the session and on
    the account). Browsers' Accept-Language is not used: many Norwegians run English
    browsers but expect the network's Norwegian pages. The API is different (see
    `api_locale`)."""
    if request and request.path.startswith("/api/"):
        return api_locale()
    wanted = request.args.get("lang") if request else None
    if wanted in ("nb", "en"):
        return wanted
    if session.get("lang") in ("nb", "en"):
        return session["lang"]
    try:
        if current_user and current_user.is_authenticated and current_user.locale in ("nb", "en"):
            return current_user.locale
    except OperationalError:
        pass  # the database is locked or down: the 503 page still needs a language
    return "nb"


def api_locale() -> str:
    """An API client's language: its Accept-Language header when that names bokmål
    (nb, or no/nn) or English (a program says what it wants; nobody else reads it),
    else the language the token's user chose on their account, else bokmål."""
    for value, _quality in request.accept_languages:
        primary = value.split("-")[0].lower()
        if primary in ("nb", "no", "nn"):
            return "nb"
        if primary == "en":
            return "en"
    user = g.get("api_user")
    if user is not None and user.locale in ("nb", "en"):
        return user.locale
    return "nb"


def register_blueprints(app: Flask) -> None:
    from eventsys import api
    from eventsys.arshjul.views import bp as arshjul_bp
    from eventsys.auth.views import bp as auth_bp
    from eventsys.dashboard.views import bp as dashboard_bp
    from eventsys.finance.views import bp as finance_bp
    from eventsys.finance.views import documents_bp
    from eventsys.forum.views import bp as forum_bp
    from eventsys.newsletters.views import bp as newsletters_bp
    from eventsys.organisations.views import bp as organisations_bp
    from eventsys.payments.views import bp as payments_bp
    from eventsys.people.views import bp as people_bp
    from eventsys.privacy.views import bp as privacy_bp
    from eventsys.public.views import bp as public_bp
    from eventsys.registration.checkin_views import bp as checkin_bp
    from eventsys.registration.event_pages import bp as events_bp
    from eventsys.registration.views import bp as registration_bp
    from eventsys.resources.views import bp as resources_bp
    from eventsys.themes.views import bp as themes_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(organisations_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(registration_bp)
    # The JSON API: import each module with endpoints, then register the blueprint
    # (the OpenAPI document is built from what is registered by then).
    from eventsys.api import views as _api_views  # noqa: F401
    from eventsys.finance import api as _finance_api  # noqa: F401
    from eventsys.forum import api as _forum_api  # noqa: F401
    from eventsys.newsletters import api as _newsletters_api  # noqa: F401
    from eventsys.people import api as _people_api  # noqa: F401
    from eventsys.resources import api as _resources_api  # noqa: F401

    api.init_app(app)
    app.register_blueprint(payments_bp)
    app.register_blueprint(arshjul_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(finance_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(themes_bp)
    app.register_blueprint(resources_bp)
    app.register_blueprint(forum_bp)
    app.register_blueprint(newsletters_bp)
    app.register_blueprint(people_bp)
    app.register_blueprint(checkin_bp)
    app.register_blueprint(dashboard_bp)


def register_rate_limits(app: Flask) -> None:
    """Before the request hooks, so the limits' after-request counting (failed logins)
    runs after the request's commit or rollback."""
    from eventsys import ratelimit

    if app.config.get("TRUSTED_PROXIES"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    from eventsys.api import bp as api_bp

    app.extensions["eventsys_limiter"] = ratelimit.init_app(app, api_bp)


JSON_BODY_PATHS = ("/api/", "/stripe/webhook")


def register_request_hooks(app: Flask) -> None:
    @app.before_request
    def limit_body_size():
        """JSON and webhooks get a smaller limit than forms with files; a body without
        a Content-Length is cut off at the limit while it is read."""
        limit = request.max_content_length
        if request.path.startswith(JSON_BODY_PATHS):
            limit = app.config["MAX_JSON_BYTES"]
            if request.content_length is None and request.environ.get("wsgi.input_terminated"):
                # Chunked: Werkzeug would cut the body off silently at the limit.
                request.max_content_length = limit + 1
                if len(request.get_data(cache=True)) > limit:
                    abort(413)
            request.max_content_length = limit
        if limit is not None and (request.content_length or 0) > limit:
            abort(413)

    @app.after_request
    def finish_request(response):
        """The one commit of a request: only when it succeeded (status < 400)."""
        if response.status_code >= 400:
            db.session.rollback()
            return response
        try:
            database.commit()
        except OperationalError:
            db.session.rollback()
            app.logger.exception("database busy at commit")
            # A write that waited for SQLite's lock in vain at the commit's flush.
            return app.make_response(_busy_response())
        except IntegrityError:
            db.session.rollback()
            app.logger.exception("conflict at commit")
            return app.make_response(_error_response(409, "conflict", COMMON("concurrent_change")))
        return response

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", _content_security_policy(app))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def _content_security_policy(app: Flask) -> str:
    """Everything from this site only. Forms post here; the card-payment form is
    redirected on to Stripe Checkout (form-action governs that redirect too), or to
    STRIPE_API_BASE's origin when a Stripe-compatible server (the local fake) is set."""
    checkout = "https://checkout.stripe.com"
    if app.config.get("STRIPE_API_BASE"):
        parts = urlsplit(app.config["STRIPE_API_BASE"])
        checkout += f" {parts.scheme}://{parts.netloc}"
    return (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        f"frame-ancestors 'none'; form-action 'self' {checkout}"
    )


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/stripe/webhook")) or request.path == "/healthz"


def _error_response(status: int, code: str, message: str, without_database: bool = False):
    if _wants_json():
        response = jsonify({"error": {"code": code, "message": message}})
        response.status_code = status
        return response
    # Without the database the page must not ask who is logged in (that is a query).
    return render_template(
        "errors/error.html", status=status, message=message, without_database=without_database
    ), status


def _busy_response():
    # Flask-Login reads the user for every template; without the database that query
    # fails again, so this request goes on as nobody in particular.
    g._login_user = login_manager.anonymous_user()
    return _error_response(503, "busy", COMMON("busy"), without_database=True)


def register_errorhandlers(app: Flask) -> None:
    codes = {
        400: "bad_request",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        429: "rate_limited",
    }

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        return _error_response(400, "csrf_failed", COMMON("csrf_failed"))

    @app.errorhandler(HTTPException)
    def http_error(error):
        db.session.rollback()
        code = codes.get(error.code)
        if error.code == 429:
            from eventsys.ratelimit import retry_after_seconds

            seconds = retry_after_seconds()
            if seconds:
                minutes = max(1, round(seconds / 60))
                return _error_response(
                    429,
                    code,
                    ngettext(
                        "Too many attempts. Please try again in %(num)d minute.",
                        "Too many attempts. Please try again in %(num)d minutes.",
                        minutes,
                    ),
                )
        message = COMMON(code) if code else error.description
        return _error_response(error.code or 500, code or "error", message)

    @app.errorhandler(DataError)
    def database_refused_value(error):
        # A value the database cannot store (e.g. a NUL byte in text, a number out of
        # range) is bad input: a 400, and nothing is kept.
        db.session.rollback()
        return _error_response(400, "invalid_data", COMMON("invalid_data"))

    @app.before_request
    def refuse_nul_bytes():
        """Forms and query strings with NUL bytes never reach a view (PostgreSQL text
        cannot hold them)."""
        values = list(request.args.values())
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            values += list(request.form.values())
        if any("\x00" in value for value in values):
            return _error_response(400, "invalid_data", COMMON("invalid_data"))
        return None

    @app.errorhandler(OperationalError)
    def database_busy(error):
        db.session.rollback()
        app.logger.exception("database error")
        return _busy_response()

    @app.errorhandler(Exception)
    def unexpected(error):
        db.session.rollback()
        app.logger.exception("unhandled error")
        return _error_response(500, "internal", COMMON("internal"))


def register_template_helpers(app: Flask) -> None:
    from eventsys import formatting
    from eventsys.content import markdown

    app.jinja_env.filters.update(formatting.FILTERS)
    app.jinja_env.filters["markdown"] = markdown.render

    @app.context_processor
    def inject():
        return {
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
        }


def register_commands(app: Flask) -> None:
    from eventsys.commands import eventsys_cli

    app.cli.add_command(eventsys_cli)
