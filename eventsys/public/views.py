from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from eventsys.extensions import csrf, db

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    from eventsys.themes.operations import all_themes

    return render_template("public/index.html", themes=all_themes())


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
