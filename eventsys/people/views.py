"""The directory of resource persons, one's own profile, the admins' appointments and
the organisers' host page of an event."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventsys.auth.access import role_required
from eventsys.auth.models import Role
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.formerrors import attach
from eventsys.organisations.models import Organisation
from eventsys.people import operations, ownersmap
from eventsys.people.forms import AppointForm, DirectoryFilter, HostForm, LimitForm, ProfileForm
from eventsys.people.messages import MESSAGES
from eventsys.people.models import EventHost

bp = Blueprint("people", __name__)


error_message = MESSAGES


@bp.app_template_filter("region_label")
def region_label(code: str) -> str:
    labels = {
        "nord": _("Northern Norway"),
        "midt": _("Central Norway"),
        "vest": _("Western Norway"),
        "sor": _("Southern Norway"),
        "ost": _("Eastern Norway"),
    }
    return labels.get(code or "", "")


def _locale() -> str:
    return str(get_locale())


@bp.route("/people")
def directory():
    form = DirectoryFilter(request.args)
    form.theme.choices = [("", _("All themes"))] + [
        (t.code, t.name(_locale())) for t in operations.all_themes()
    ]
    form.organisation.choices = [("", _("All owners"))] + [
        (str(o.id), o.name) for o in operations.owners()
    ]
    organisation_id = (
        int(form.organisation.data) if (form.organisation.data or "").isdigit() else None
    )
    people = operations.directory(
        theme=form.theme.data or None,
        organisation_id=organisation_id,
        region=form.region.data or None,
    )
    filtered = bool(form.theme.data or organisation_id or form.region.data)
    owners_map = ownersmap.draw(
        [
            ownersmap.Owner(
                id=appointment.organisation_id,
                name=appointment.organisation.name,
                person=appointment.user.name or appointment.user.email,
                region=profile.region if profile else "",
                number=number,
            )
            for number, (appointment, profile) in enumerate(people, start=1)
        ]
    )
    return render_template(
        "people/directory.html",
        form=form,
        people=people,
        filtered=filtered,
        owners_map=owners_map,
    )


@bp.route("/people/me", methods=["GET", "POST"])
@login_required
def my_profile():
    me = current_user._get_current_object()
    profile = operations.profile_of(me)
    form = ProfileForm(obj=profile) if request.method == "GET" else ProfileForm()
    form.themes.choices = [(t.code, t.name(_locale())) for t in operations.all_themes()]
    if request.method == "GET":
        form.name.data = me.name
        form.themes.data = [t.code for t in profile.themes]
    if form.validate_on_submit():
        try:
            operations.save_profile(me, form.data)
        except operations.PeopleError as exc:
            db.session.rollback()
            attach(form, exc.field, error_message(exc.code))
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("people.my_profile"))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "people/profile_form.html",
        form=form,
        is_resource_person=operations.is_resource_person(me),
    ), status


@bp.route("/admin/people", methods=["GET", "POST"])
@role_required(Role.admin)
def admin():
    form = AppointForm()
    owners = operations.owners()
    form.organisation.choices = [(str(o.id), o.name) for o in owners]
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, int(form.organisation.data or 0))
        if organisation is None:
            abort(400)
        try:
            operations.appoint(
                current_user._get_current_object(),
                organisation,
                form.email.data,
                form.valid_from.data,
                form.valid_to.data,
            )
        except operations.PeopleError as exc:
            db.session.rollback()
            attach(form, exc.field or "email", error_message(exc.code))
        else:
            flash(_("The resource person is appointed."), "success")
            return redirect(url_for("people.admin"))
    status = 422 if form.errors or form.form_errors else 200
    current = {a.organisation_id: a for a in operations.current_appointments()}
    return render_template(
        "people/admin.html",
        form=form,
        owners=owners,
        current=current,
        missing=operations.owners_without_resource_person(),
    ), status


@bp.route("/admin/people/<int:organisation_id>")
@role_required(Role.admin)
def admin_history(organisation_id):
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return render_template(
        "people/history.html",
        organisation=organisation,
        history=operations.history(organisation_id),
    )


@bp.route("/organiser/events/<int:event_id>/hosts", methods=["GET", "POST"])
@role_required(Role.organiser)
def hosts(event_id):
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    me = current_user._get_current_object()
    form = HostForm(prefix="host")
    limit = LimitForm(prefix="limit")
    action = request.form.get("action")
    if request.method == "POST" and action == "remove" and limit.validate_on_submit():
        host = db.session.get(EventHost, request.form.get("host", type=int) or 0)
        if host is None or host.event_id != event.id:
            abort(404)
        operations.remove_host(me, host)
        flash(_("The host is removed."), "success")
        return redirect(url_for("people.hosts", event_id=event.id))
    if request.method == "POST" and action == "limit" and limit.validate_on_submit():
        operations.limit_to_resource_persons(me, event, limit.limited.data)
        flash(_("Saved."), "success")
        return redirect(url_for("people.hosts", event_id=event.id))
    if action == "add" and form.validate_on_submit():
        try:
            operations.add_host(me, event, form.email.data)
        except operations.PeopleError as exc:
            db.session.rollback()
            event = db.session.get(Event, event_id)
            attach(form, exc.field or "email", error_message(exc.code))
        else:
            flash(_("The host is added. They can now organise this event."), "success")
            return redirect(url_for("people.hosts", event_id=event.id))
    if request.method == "GET":
        limit.limited.data = operations.for_resource_persons_only(event.id)
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "people/hosts.html",
        event=event,
        hosts=operations.hosts_of(event.id),
        form=form,
        limit=limit,
    ), status


@bp.route("/account/hosting")
@login_required
def hosting():
    """The events the person hosts, with the way to their participant lists."""
    return render_template(
        "people/hosting.html", events=operations.hosted_events(current_user._get_current_object())
    )
