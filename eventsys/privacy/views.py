import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from eventsys.auth.operations import password_matches
from eventsys.privacy import operations
from eventsys.privacy.forms import DeleteAccountForm

bp = Blueprint("privacy", __name__)


@bp.route("/account/data")
@login_required
def data():
    return render_template("privacy/data.html", form=DeleteAccountForm())


@bp.route("/account/data.json")
@login_required
def download():
    body = json.dumps(operations.export(current_user), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="mine-data.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/account/delete", methods=["POST"])
@login_required
def delete():
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if not password_matches(current_user, form.password.data):
            form.password.errors.append(_("The password is wrong."))
        else:
            try:
                operations.delete_account(current_user._get_current_object())
            except operations.PrivacyError:
                form.form_errors.append(
                    _(
                        "Cancel your registrations for coming events first; then you can delete the account."
                    )
                )
            else:
                logout_user()
                flash(_("Your account and your personal data are deleted."), "success")
                return redirect(url_for("public.index"))
    return render_template("privacy/data.html", form=form), 422
