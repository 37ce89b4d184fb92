from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsys.auth.access import role_required
from eventsys.auth.models import Role
from eventsys.extensions import db
from eventsys.organisations import operations
from eventsys.organisations.forms import OrganisationForm, OwnershipForm
from eventsys.organisations.messages import MESSAGES
from eventsys.organisations.models import Organisation, Ownership

bp = Blueprint("organisations", __name__, url_prefix="/admin/organisations")


@bp.app_template_global("affiliation_of")
def affiliation_of(user):
    """A person's affiliation today, for pages outside this package (the account page
    in auth/ shows it; auth sits below organisations and does not import it)."""
    return operations.affiliation_for(user)


def error_message(error: operations.OrganisationError) -> str:
    """The user's language for each error code of the organisation operations."""
    return MESSAGES(error.code, detail=error.detail)


def _attach(form, error: operations.OrganisationError) -> None:
    field = getattr(form, error.field or "", None)
    target = field.errors if field is not None else form.form_errors
    if isinstance(target, tuple):
        target = list(target)
        field.errors = target
    target.append(error_message(error))


def _get(org_id: int) -> Organisation:
    org = db.session.get(Organisation, org_id)
    if org is None:
        abort(404)
    return org


@bp.route("/")
@role_required(Role.admin)
def index():
    orgs = db.session.scalars(
        select(Organisation)
        .options(selectinload(Organisation.domains), selectinload(Organisation.ownerships))
        .order_by(Organisation.name)
    ).all()
    return render_template("organisations/index.html", organisations=orgs)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.admin)
def create():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = operations.create_organisation(
                form.name.data, form.kind.data, form.org_number.data, form.domain_list()
            )
        except operations.OrganisationError as exc:
            _attach(form, exc)
        else:
            flash(_("The organisation is created."), "success")
            return redirect(url_for("organisations.edit", org_id=org.id))
    return render_template("organisations/form.html", form=form, org=None), (
        422 if form.errors or form.form_errors else 200
    )


@bp.route("/<int:org_id>", methods=["GET", "POST"])
@role_required(Role.admin)
def edit(org_id):
    org = _get(org_id)
    form = OrganisationForm(obj=org)
    if not form.is_submitted():
        form.domains.data = "\n".join(org.domain_names)
        form.kind.data = org.kind.value
    if form.validate_on_submit():
        try:
            operations.update_organisation(
                org, form.name.data, form.kind.data, form.org_number.data, form.domain_list()
            )
        except operations.OrganisationError as exc:
            db.session.rollback()
            org = _get(org_id)
            _attach(form, exc)
        else:
            flash(_("The organisation is saved."), "success")
            return redirect(url_for("organisations.edit", org_id=org.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "organisations/form.html", form=form, org=org, period_form=OwnershipForm(prefix="period")
    ), status


@bp.route("/<int:org_id>/periods", methods=["POST"])
@role_required(Role.admin)
def add_period(org_id):
    org = _get(org_id)
    period_form = OwnershipForm(prefix="period")
    if period_form.validate_on_submit():
        try:
            operations.add_ownership(
                org,
                period_form.role.data,
                period_form.valid_from.data,
                period_form.valid_to.data,
                period_form.staff_band.data or None,
            )
        except operations.OrganisationError as exc:
            db.session.rollback()
            org = _get(org_id)
            _attach(period_form, exc)
        else:
            flash(_("The period is added."), "success")
            return redirect(url_for("organisations.edit", org_id=org.id))
    form = OrganisationForm(obj=org)
    form.domains.data = "\n".join(org.domain_names)
    return render_template(
        "organisations/form.html", form=form, org=org, period_form=period_form
    ), 422


@bp.route("/<int:org_id>/periods/<int:period_id>/delete", methods=["POST"])
@role_required(Role.admin)
def delete_period(org_id, period_id):
    period = db.session.get(Ownership, period_id)
    if period is None or period.organisation_id != org_id:
        abort(404)
    operations.delete_ownership(period)
    flash(_("The period is deleted."), "success")
    return redirect(url_for("organisations.edit", org_id=org_id))
