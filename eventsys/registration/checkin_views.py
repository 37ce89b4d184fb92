"""Check-in at the door, for a phone: the organisers' list (search, one tap per
person, undo, a live counter), the QR link an organiser scans, and the participant's
ticket that carries the QR code.

The list works as plain forms without JavaScript (each tap posts and comes back to the
same search and row); static/js/checkin.js sends the same forms with fetch and updates
the row and the counter in place, so the scroll position and the search stay.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from eventsys.database import utcnow, writes_database
from eventsys.events.access import event_organiser_required, may_organise
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.registration import checkin, rules
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration
from eventsys.registration.rules import State

bp = Blueprint("checkin", __name__)

#: Who is expected at the door: everybody with a confirmed seat, and those already
#: marked either way.
AT_THE_DOOR = (State.CONFIRMED, State.ATTENDED, State.NO_SHOW)


def _expected(event: Event) -> list[Registration]:
    regs = [r for r in reg_ops.all_registrations(event.id) if r.state in AT_THE_DOOR]
    return sorted(regs, key=lambda r: ((r.name or r.email).casefold(), r.id))


def counter(regs: list[Registration]) -> tuple[int, int]:
    """(arrived, expected)."""
    return sum(1 for r in regs if r.state == State.ATTENDED), len(regs)


def counter_text(arrived: int, expected: int) -> str:
    return _("%(arrived)d of %(expected)d have arrived", arrived=arrived, expected=expected)


def _matches(reg: Registration, query: str) -> bool:
    words = query.casefold().split()
    text = " ".join(
        [reg.name or "", reg.email, reg.organisation.name if reg.organisation else ""]
    ).casefold()
    return all(word in text for word in words)


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.route("/organiser/events/<int:event_id>/checkin")
@event_organiser_required
def door(event_id):
    event = db.session.get(Event, event_id)
    query = (request.args.get("q") or "").strip()[:100]
    regs = _expected(event)
    arrived, expected = counter(regs)
    shown = [r for r in regs if _matches(r, query)] if query else regs
    now = utcnow()
    return render_template(
        "registration/checkin.html",
        event=event,
        regs=shown,
        query=query,
        arrived=arrived,
        expected=expected,
        counter_text=counter_text(arrived, expected),
        is_open=rules.attendance_open(event.starts_at, now),
        opens_at=event.starts_at - rules.CHECKIN_OPENS_BEFORE,
    )


def _record(reg: Registration, action: str) -> str:
    """Check the person in ('in') or take it back ('undo'); returns what happened."""
    user = current_user._get_current_object()
    name = reg.name or reg.email
    if action == "undo":
        reg_ops.mark_attendance(reg.id, None, user)
        return _("Check-in of %(name)s is undone.", name=name)
    reg_ops.mark_attendance(reg.id, True, user)
    return _("%(name)s is checked in.", name=name)


@bp.route("/organiser/events/<int:event_id>/checkin/<int:reg_id>", methods=["POST"])
@event_organiser_required
def tap(event_id, reg_id):
    from eventsys.registration.views import error_message

    event = db.session.get(Event, event_id)
    reg = db.session.get(Registration, reg_id)
    if reg is None or reg.event_id != event.id:
        abort(404)
    action = request.form.get("action", "in")
    if action not in ("in", "undo"):
        abort(400)
    query = (request.form.get("q") or "").strip()[:100]
    try:
        message = _record(reg, action)
    except reg_ops.RegistrationError as exc:
        db.session.rollback()
        text = error_message(exc.code, on_behalf=True)
        if _wants_json():
            return jsonify({"error": {"code": exc.code, "message": text}}), exc.status
        flash(text, "error")
    else:
        if _wants_json():
            arrived, expected = counter(_expected(event))
            return jsonify(
                {
                    "id": reg.id,
                    "state": reg.state.value,
                    "arrived": arrived,
                    "expected": expected,
                    "counter": counter_text(arrived, expected),
                    "message": message,
                }
            )
        flash(message, "success")
    return redirect(
        url_for("checkin.door", event_id=event.id, q=query or None, _anchor=f"reg-{reg.id}")
    )


@bp.route("/checkin/<token>")
@login_required
@writes_database  # opening the scanned link is the check-in
def scanned(token):
    """An organiser scans a participant's QR code: that person is checked in. For
    anyone else the link shows nothing (the same 404 as a wrong link)."""
    from eventsys.registration.views import error_message

    reg = checkin.registration_for(token)
    if reg is None or not may_organise(current_user, reg.event):
        abort(404)
    already = reg.state == State.ATTENDED
    problem = None
    try:
        if not already:
            reg_ops.mark_attendance(reg.id, True, current_user._get_current_object())
    except reg_ops.RegistrationError as exc:
        db.session.rollback()
        problem = error_message(exc.code, on_behalf=True)
    regs = _expected(reg.event)
    arrived, expected = counter(regs)
    return render_template(
        "registration/checkin_scanned.html",
        event=reg.event,
        reg=reg,
        already=already,
        problem=problem,
        counter_text=counter_text(arrived, expected),
    ), (409 if problem else 200)


@bp.route("/account/registrations/<int:reg_id>/ticket")
@login_required
def ticket(reg_id):
    """The participant's confirmation with the QR code to show at the door."""
    from eventsys.registration.views import _own

    reg = _own(reg_id)
    if reg.state not in (State.CONFIRMED, State.ATTENDED):
        flash(_("Only a confirmed place has a ticket."), "info")
        return redirect(url_for("registration.mine"))
    return render_template(
        "registration/ticket.html",
        reg=reg,
        event=reg.event,
        qr=checkin.qr_svg_data_uri(reg),
        link=checkin.link_for(reg),
    )
