from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from eventsys import formatting
from eventsys.clock import utcnow
from eventsys.extensions import csrf, db
from eventsys.public import front

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    """The network's front door: the next events, the årshjul's next items and the
    newest resources, with ways into the forum and the people directory."""
    from eventsys.themes.operations import all_themes

    now = utcnow()
    viewer = current_user if current_user.is_authenticated else None
    return render_template(
        "public/index.html",
        themes=all_themes(),
        events=front.next_events(now),
        items=front.next_items(viewer, now, formatting.lang()),
        resources=front.newest_resources(),
    )


@bp.route("/healthz")
@csrf.exempt
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means "not healthy"
        db.session.rollback()
        return jsonify({"status": "unavailable"}), 503
    return jsonify({"status": "ok"})


@bp.route("/accessibility")
def accessibility():
    return render_template("public/accessibility.html")
