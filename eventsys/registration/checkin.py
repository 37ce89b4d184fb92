"""Check-in at the door: the signed link in each participant's QR code, and the code.

The link names one registration and carries a fingerprint of it (its id, the event
and the address), signed with the app's SECRET_KEY. It cannot be
guessed or moved to another registration, and it stops working when the seat is handed
to a colleague (the address changes). It does not expire: the event may be months
away. Only an organiser of the event can use it (see checkin_views); for anyone else
it shows nothing.
"""

from __future__ import annotations

import io

import segno
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from eventsys.auth.tokens import fingerprint
from eventsys.extensions import db
from eventsys.registration.models import Registration

SALT = "eventsys-checkin"
QR_CONTENT_ID = "checkin-qr"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(reg: Registration) -> str:
    return fingerprint(reg.id, reg.event_id, reg.email)


def token_for(reg: Registration) -> str:
    return _serializer().dumps({"r": reg.id, "fp": _fingerprint(reg)})


def registration_for(token: str) -> Registration | None:
    """The registration a check-in token names, or None when it is not valid (any
    more)."""
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("r"), int):
        return None
    reg = db.session.get(Registration, payload["r"])
    if reg is None or payload.get("fp") != _fingerprint(reg):
        return None
    return reg


def link_for(reg: Registration) -> str:
    return current_app.config["EVENTSYS_BASE_URL"] + f"/checkin/{token_for(reg)}"


def qr_png(reg: Registration) -> bytes:
    """The check-in link as a PNG QR code, large enough to scan from a phone screen
    or a printout."""
    buffer = io.BytesIO()
    segno.make(link_for(reg), error="m").save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()


def qr_svg_data_uri(reg: Registration) -> str:
    """The same code for a web page (an <img> with a data: URI; the CSP allows it)."""
    return segno.make(link_for(reg), error="m").svg_data_uri(scale=6, border=4)
