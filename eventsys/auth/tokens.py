"""Signed, expiring, single-use links (verification, password reset, e-mail change).

A token carries a fingerprint of the state it is meant to change (the address and its
verification time, or the password hash). Using it changes that state, so the same
link cannot work twice, and no table of used tokens is needed.
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

PURPOSES = {"verify", "reset", "change_email"}


class TokenError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # "expired" | "invalid" | "used"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    if purpose not in PURPOSES:
        raise ValueError(purpose)
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"eventsys-{purpose}")


def fingerprint(*parts: object) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def state_of(user, purpose: str) -> str:
    if purpose == "reset":
        return fingerprint(user.password_hash, user.email)
    if purpose == "change_email":
        return fingerprint(user.email, user.password_hash)
    return fingerprint(user.email, user.email_verified_at)


def make(user, purpose: str, **extra) -> str:
    payload = {"uid": user.id, "fp": state_of(user, purpose), **extra}
    return _serializer(purpose).dumps(payload)


def read(token: str, purpose: str, max_age: int) -> dict:
    """Return the payload; raise TokenError('expired'|'invalid')."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenError("expired") from exc
    except BadSignature as exc:
        raise TokenError("invalid") from exc
    if not isinstance(payload, dict) or "uid" not in payload or "fp" not in payload:
        raise TokenError("invalid")
    return payload


def check_state(user, payload: dict, purpose: str) -> None:
    if user is None:
        raise TokenError("invalid")
    if payload["fp"] != state_of(user, purpose):
        raise TokenError("used")
