"""Event pages: the public list and event page, and the organisers' event admin.

They live with registration, not in events/, because every one of them shows or
changes seats (the page's registration form, counts, capacity changes that offer
seats, cancelling an event and its registrations); events/ holds the event itself
(models, rules, operations, forms) and imports nothing above it."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from eventsys.auth.access import role_required
from eventsys.auth.models import Role
from eventsys.database import current_timezone, utcnow
from eventsys.events import operations as event_ops
from eventsys.events import rules
from eventsys.events.forms import (
    FORMAT_LABELS,
    KIND_LABELS,
    EventFilterForm,
    EventForm,
    default_event_form,
)
from eventsys.events.messages import MESSAGES
from eventsys.events.models import Event, EventFormat, EventKind, EventStatus
from eventsys.extensions import db
from eventsys.formatting import month_year, period
from eventsys.organisations.models import Organisation
from eventsys.registration import operations as reg_ops
from eventsys.registration import telling
from eventsys.registration.forms import RegisterForm
from eventsys.themes import operations as theme_ops
from eventsys.themes.models import Theme

bp = Blueprint("events", __name__)


# --- presentation ---------------------------------------------------------------------


@bp.app_template_filter("kind_label")
def kind_label(kind) -> str:
    return str(KIND_LABELS.get(str(kind), kind))


@bp.app_template_filter("format_label")
def format_label(value) -> str:
    return str(FORMAT_LABELS.get(str(value), value))


@bp.app_template_filter("event_when")
def event_when(event: Event) -> str:
    """'onsdag 10. mars 2027, 09:00–15:00' in Oslo time; both days when it spans two."""
    return period(event.starts_at, event.ends_at)


# --- reading --------------------------------------------------------------------------


def is_organiser() -> bool:
    return current_user.is_authenticated and current_user.has_role(Role.organiser)


def visible_event(event_id: int) -> Event:
    """The event, or 404: drafts exist only for organisers."""
    event = event_ops.visible_event(event_id, current_user)
    if event is None:
        abort(404)
    return event


def _organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def _month_bounds(month: str) -> tuple[datetime, datetime] | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})", month)
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1970 <= int(match.group(1)) <= 2200:
        return None
    year, number = int(match.group(1)), int(match.group(2))
    zone = current_timezone()
    start = datetime(year, number, 1, tzinfo=zone)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


# --- public pages ---------------------------------------------------------------------


@bp.route("/events")
def index():
    """Upcoming published and cancelled events, filtered by kind, format and month."""
    upcoming = (
        select(Event)
        .where(
            Event.status.in_([EventStatus.published, EventStatus.cancelled]),
            Event.ends_at >= utcnow(),
        )
        .order_by(Event.starts_at, Event.id)
    )
    zone = current_timezone()
    months = sorted(
        {
            (s.astimezone(zone).year, s.astimezone(zone).month)
            for s in db.session.scalars(upcoming.with_only_columns(Event.starts_at))
        }
    )
    form = EventFilterForm(formdata=request.args)
    form.set_choices(
        [(f"{y}-{m:02d}", month_year(date(y, m, 1))) for y, m in months],
        theme_ops.all_themes(),
        str(get_locale()),
    )
    query = upcoming
    if form.kind.data:
        if form.kind.data in KIND_LABELS:
            query = query.where(Event.kind == EventKind(form.kind.data))
        else:
            form.kind.errors = [_("Choose one of the options.")]
    if form.format.data:
        if form.format.data in FORMAT_LABELS:
            query = query.where(Event.format == EventFormat(form.format.data))
        else:
            form.format.errors = [_("Choose one of the options.")]
    if form.month.data:
        bounds = _month_bounds(form.month.data)
        if bounds:
            query = query.where(Event.starts_at >= bounds[0], Event.starts_at < bounds[1])
            if form.month.data not in dict(form.month.choices):
                form.month.choices.append((form.month.data, form.month.data))
        else:
            form.month.errors = [_("Choose one of the options.")]
    if form.theme.data:
        if form.theme.data in dict(form.theme.choices):
            query = query.where(Event.themes.any(Theme.code == form.theme.data))
        else:
            form.theme.errors = [_("Choose one of the options.")]
    events = list(db.session.scalars(query))
    counts = reg_ops.seat_counts([e.id for e in events])
    filtered = bool(form.kind.data or form.format.data or form.month.data or form.theme.data)
    status = 422 if form.errors else 200
    return render_template(
        "events/index.html", events=events, counts=counts, form=form, filtered=filtered
    ), status


@bp.route("/events/<int:event_id>")
def show(event_id):
    return event_page(visible_event(event_id))


def event_page(event: Event, form: RegisterForm | None = None, status: int = 200):
    """The event page; the registration view renders it again with the form's errors."""
    now = utcnow()
    regs = reg_ops.rule_view(event.id)
    registration_open = event.status == EventStatus.published and rules.registration_is_open(
        event.registration_opens_at, event.registration_closes_at, now
    )
    viewer = None
    if current_user.is_authenticated:
        viewer = reg_ops.viewer(event, current_user._get_current_object())
    own = viewer.registration if viewer else None
    if viewer is not None:
        told = telling.tell(event, own, regs, now, tier=viewer.tier, fee=viewer.fee)
    else:
        told = telling.tell(event, None, regs, now)
    return render_template(
        "events/show.html",
        event=event,
        told=told,
        registration_open=registration_open,
        registration_upcoming=now < event.registration_opens_at,
        priority_open=event.priority_deadline is not None and event.priority_deadline > now,
        viewer=viewer,
        can_register=registration_open and not (own is not None and own.is_active),
        shows_link=reg_ops.sees_online_link(event, current_user, own),
        form=form or RegisterForm(),
        organiser=is_organiser(),
        # Sections higher areas add (the resource bank's materials), without events
        # importing them.
        sections=[
            render(event) for render in current_app.extensions.get("event_page_sections", [])
        ],
    ), status


# --- organisers -----------------------------------------------------------------------


def problem_message(code: str) -> str:
    """The user's language for each problem code of events.rules and operations."""
    return MESSAGES(code)


def _attach(form: EventForm, error: event_ops.EventError) -> None:
    for name, code in error.problems:
        field = form._fields.get(name) if name != "csrf_token" else None
        if field is None:
            # Not form_errors: the error summary macro cannot show those with WTForms 3.3.
            flash(problem_message(code), "error")
        else:
            field.errors = [*field.errors, problem_message(code)]


def _theme_choices(form: EventForm, event: Event | None = None) -> None:
    form.themes.set_themes(theme_ops.all_themes(), str(get_locale()))
    if event is not None and not form.is_submitted():
        form.themes.data = [t.code for t in event.themes]


def _status(form) -> int:
    return 422 if form.errors else 200


def _locked(event_id: int) -> Event:
    event = event_ops.lock_event(event_id)
    if event is None:
        abort(404)
    return event


@bp.route("/organiser/events")
@role_required(Role.organiser)
def admin_index():
    from eventsys.registration.listing import attended_counts

    events = list(db.session.scalars(select(Event).order_by(Event.starts_at.desc(), Event.id)))
    ids = [e.id for e in events]
    return render_template(
        "events/admin_index.html",
        events=events,
        counts=reg_ops.seat_counts(ids),
        came=attended_counts(ids),
        now=utcnow(),
    )


@bp.route("/organiser/events/new", methods=["GET", "POST"])
@role_required(Role.organiser)
def create():
    form = default_event_form(_organisations())
    _theme_choices(form)
    if form.validate_on_submit():
        publishing = request.form.get("action") == "publish"
        try:
            event = event_ops.create_event(
                form.values(), current_user, status="published" if publishing else "draft"
            )
            theme_ops.set_themes(event, form.themes.data or [])
        except event_ops.EventError as exc:
            db.session.rollback()
            _attach(form, exc)
        else:
            if publishing:
                flash(_("The event is created and published."), "success")
            else:
                flash(_("The event is saved as a draft. Only organisers can see it."), "success")
            return redirect(url_for("events.edit", event_id=event.id))
    return render_template("events/form.html", form=form, event=None), _status(form)


def _flash_new_seats(offered: list, confirmed: list) -> None:
    def names(regs):
        return ", ".join(r.name or r.email for r in regs)

    if offered:
        flash(
            _(
                "Offers sent by e-mail to %(n)d on the waiting list: %(names)s.",
                n=len(offered),
                names=names(offered),
            ),
            "success",
        )
    if confirmed:
        flash(
            _("Places confirmed and told by e-mail: %(names)s.", names=names(confirmed)),
            "success",
        )


def _edit_page(event: Event, form: EventForm, status: int | None = None, capacity_preview=None):
    from eventsys.registration import listing

    held, waiting = reg_ops.counts(event.id)
    came = listing.attendance(reg_ops.all_registrations(event.id))
    return render_template(
        "events/form.html",
        form=form,
        event=event,
        held=held,
        waiting=waiting,
        came=came,
        started=utcnow() >= event.starts_at,
        capacity_preview=capacity_preview,
    ), status or _status(form)


@bp.route("/organiser/events/<int:event_id>/edit", methods=["GET", "POST"])
@role_required(Role.organiser)
def edit(event_id):
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    form = EventForm(obj=event)
    form.set_organisations(_organisations())
    _theme_choices(form, event)
    if form.is_submitted():
        try:
            event_ops.check_editable(event)
        except event_ops.EventError as exc:
            flash(problem_message(exc.problems[0][1]), "error")
            return redirect(url_for("events.edit", event_id=event.id))
    if form.validate_on_submit():
        from eventsys.registration import preview

        changes = form.changes_to(event)
        if "capacity" in changes and request.form.get("confirm_capacity") != "1":
            # Raising the capacity e-mails offers: say to whom, and save on a second click.
            coming = preview.capacity_changes(event, changes["capacity"], utcnow())
            if coming:
                return _edit_page(event, form, capacity_preview=coming)
        before = preview.seat_holders(event.id)
        try:
            event, over_by = reg_ops.update_event(event.id, changes, current_user)
            theme_ops.set_themes(event, form.themes.data or [])
        except event_ops.EventError as exc:
            db.session.rollback()
            _attach(form, exc)
            return _edit_page(db.session.get(Event, event_id), form)
        flash(_("The event is saved."), "success")
        _flash_new_seats(*preview.new_seats(event.id, before))
        if over_by > 0:
            flash(MESSAGES("over_capacity", n=over_by), "warning")
        return redirect(url_for("events.edit", event_id=event.id))
    return _edit_page(event, form)


@bp.route("/organiser/events/<int:event_id>/publish", methods=["POST"])
@role_required(Role.organiser)
def publish(event_id):
    event = _locked(event_id)
    try:
        event_ops.publish(event, current_user)
    except event_ops.EventError as exc:
        db.session.rollback()
        event = db.session.get(Event, event_id)
        form = EventForm(obj=event, formdata=None)
        form.set_organisations(_organisations())
        flash(_("The event cannot be published yet."), "error")
        _attach(form, exc)
        return _edit_page(event, form, 422)
    flash(_("The event is published and visible to everyone."), "success")
    return redirect(url_for("events.edit", event_id=event.id))


@bp.route("/organiser/events/<int:event_id>/delete", methods=["GET", "POST"])
@role_required(Role.organiser)
def delete_draft(event_id):
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    if event.status != EventStatus.draft:
        flash(MESSAGES("not_draft"), "info")
        return redirect(url_for("events.edit", event_id=event.id))
    if request.method == "POST":
        title = event.title
        try:
            reg_ops.delete_draft(event)
        except event_ops.EventError as exc:
            db.session.rollback()
            flash(MESSAGES(exc.problems[0][1]), "error")
            return redirect(url_for("events.edit", event_id=event_id))
        flash(_("The draft “%(title)s” is deleted.", title=title), "success")
        return redirect(url_for("events.admin_index"))
    return render_template("events/delete.html", event=event)


@bp.route("/organiser/events/<int:event_id>/cancel", methods=["GET", "POST"])
@role_required(Role.organiser)
def cancel(event_id):
    event = db.session.get(Event, event_id)
    if event is None:
        abort(404)
    if event.status == EventStatus.cancelled:
        flash(_("The event is already cancelled."), "info")
        return redirect(url_for("events.edit", event_id=event.id))
    try:
        event_ops.check_cancellable(event)
    except event_ops.EventError as exc:
        flash(problem_message(exc.problems[0][1]), "info")
        return redirect(url_for("events.edit", event_id=event.id))
    held, waiting = reg_ops.counts(event.id)
    if request.method == "POST":
        try:
            reg_ops.cancel_event(event.id, current_user)
        except event_ops.EventError as exc:
            db.session.rollback()
            flash(problem_message(exc.problems[0][1]), "error")
            return redirect(url_for("events.edit", event_id=event_id))
        flash(
            _(
                "The event is cancelled. Registered people told by e-mail: %(n)d.",
                n=held + waiting,
            ),
            "success",
        )
        return redirect(url_for("events.edit", event_id=event.id))
    return render_template("events/cancel.html", event=event, affected=held + waiting)
