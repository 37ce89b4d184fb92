"""Admin pages for the theme vocabulary."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from eventsys.auth.access import role_required
from eventsys.auth.models import Role
from eventsys.extensions import db
from eventsys.formerrors import attach
from eventsys.themes import operations
from eventsys.themes.forms import ThemeForm
from eventsys.themes.models import Theme

bp = Blueprint("themes", __name__, url_prefix="/admin/themes")


def error_message(code: str) -> str:
    messages = {
        "code_invalid": _(
            "A code is 2–50 characters: lower-case letters a–z, digits and _, starting with a letter."
        ),
        "code_taken": _("A theme with this code exists already."),
        "name_nb_required": _("Enter the Norwegian name."),
        "name_en_required": _("Enter the English name."),
        "unknown_theme": _("Unknown theme."),
    }
    return messages.get(code, code)


def _attach(form, error: operations.ThemeError) -> None:
    attach(form, error.field, error_message(error.code))


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.admin)
def index():
    form = ThemeForm()
    if form.validate_on_submit():
        try:
            operations.create_theme(form.code.data, form.name_nb.data, form.name_en.data)
        except operations.ThemeError as exc:
            db.session.rollback()
            _attach(form, exc)
        else:
            flash(_("The theme is added."), "success")
            return redirect(url_for("themes.index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("themes/index.html", themes=operations.all_themes(), form=form), status


@bp.route("/<int:theme_id>", methods=["GET", "POST"])
@role_required(Role.admin)
def edit(theme_id):
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    form = ThemeForm(obj=theme)
    del form.code
    if form.validate_on_submit():
        try:
            operations.rename_theme(theme, form.name_nb.data, form.name_en.data)
        except operations.ThemeError as exc:
            db.session.rollback()
            theme = db.session.get(Theme, theme_id)
            _attach(form, exc)
        else:
            flash(_("The theme is saved."), "success")
            return redirect(url_for("themes.index"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("themes/edit.html", theme=theme, form=form), status
