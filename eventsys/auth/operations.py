"""Operations on accounts. They flush and queue e-mails; the caller commits."""

from __future__ import annotations

import contextlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import delete, select

from eventsys import mail
from eventsys.auth import tokens
from eventsys.auth.models import ApiToken, Role, User, UserSession
from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.links import absolute

# Verifying against this when no account exists takes as long as a real check, so the
# login form's timing does not tell whether an address is registered.
_DUMMY_HASH: dict[tuple, str] = {}


class AccountError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["PASSWORD_HASH_TIME_COST"],
        memory_cost=cfg["PASSWORD_HASH_MEMORY_COST"],
        parallelism=cfg["PASSWORD_HASH_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_matches(user: User | None, password: str) -> bool:
    hasher = _hasher()
    if user is None:
        key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
        if key not in _DUMMY_HASH:
            _DUMMY_HASH[key] = hasher.hash(secrets.token_hex(16))
        with contextlib.suppress(VerificationError):
            hasher.verify(_DUMMY_HASH[key], password)
        return False
    try:
        return hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def start_session(user: User) -> str:
    """A new server-side login session; its secret goes into the cookie (via
    user.get_id()) and is returned."""
    secret = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, secret_hash=UserSession.hash(secret)))
    db.session.flush()
    user.session_secret = secret
    return secret


def end_session(secret: str | None) -> None:
    """Log out: the session's row goes, so a copy of the cookie no longer works."""
    if secret:
        db.session.execute(
            delete(UserSession).where(UserSession.secret_hash == UserSession.hash(secret))
        )
        db.session.flush()


def end_other_sessions(user: User) -> None:
    """Every session of the account but the one this object was loaded for."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if user.session_secret:
        query = query.where(UserSession.secret_hash != UserSession.hash(user.session_secret))
    db.session.execute(query)
    db.session.flush()


def load_user_from_session(secret: str) -> User | None:
    """The user of a live session; None for an ended, expired or made-up one."""
    if not secret or len(secret) > 100:
        return None
    row = db.session.scalar(
        select(UserSession).where(UserSession.secret_hash == UserSession.hash(secret))
    )
    if row is None:
        return None
    if row.created_at < utcnow() - timedelta(days=current_app.config["SESSION_MAX_AGE_DAYS"]):
        return None
    user = row.user
    user.session_secret = secret
    return user


_link = absolute


def create_user(
    email: str,
    password: str,
    name: str = "",
    role: Role = Role.participant,
    verified: bool = False,
    locale: str = "nb",
) -> User:
    """Create an account; raises AccountError('exists') for a taken address."""
    email = normalise_email(email)
    if find_user(email) is not None:
        raise AccountError("exists")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
        locale=locale,
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def sign_up(email: str, password: str, name: str, locale: str) -> int | None:
    """Register a participant and send the verification link; returns the new
    account's id (None when the address had one already).

    When the address already has an account, that account's owner gets a notice
    instead, and the caller shows the same page either way: sign-up never reveals
    which addresses are registered.
    """
    existing = find_user(email)
    if existing is not None:
        # The same work as a new account (an argon2 hash, a queued mail), so the time
        # the answer takes does not tell either.
        hash_password(password)
        mail.queue(
            existing.email,
            "auth/already_registered",
            locale=existing.locale,
            user=existing,
            login_url=_link("auth.login"),
            reset_url=_link("auth.forgot_password"),
        )
        return None
    user = create_user(email, password, name=name, locale=locale)
    send_verification(user)
    return user.id


def send_verification(user: User) -> None:
    token = tokens.make(user, "verify")
    mail.queue(
        user.email,
        "auth/verify",
        locale=user.locale,
        user=user,
        url=_link("auth.verify_email", token=token),
        hours=current_app.config["VERIFY_TOKEN_MAX_AGE"] // 3600,
    )


def verify_email(token: str) -> User:
    """Mark the address verified; raises tokens.TokenError."""
    payload = tokens.read(token, "verify", current_app.config["VERIFY_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload["uid"])
    tokens.check_state(user, payload, "verify")
    user.email_verified_at = utcnow()
    db.session.flush()
    return user


def request_password_reset(email: str) -> None:
    """Send a reset link if the account exists, else a note that there is no account
    with the address. The page says the same either way, and the work is the same (a
    link made, a message queued), so neither the answer nor its timing tells whether
    the address is registered. Rate limits keep the note from being a way to spam."""
    user = find_user(email)
    if user is None:
        nobody = User(id=0, email=normalise_email(email), password_hash="")
        tokens.make(nobody, "reset")  # the same work as a real link
        mail.queue(
            nobody.email,
            "auth/reset_no_account",
            reset_url=_link("auth.forgot_password"),
            signup_url=_link("auth.signup"),
        )
        return
    token = tokens.make(user, "reset")
    mail.queue(
        user.email,
        "auth/reset",
        locale=user.locale,
        user=user,
        url=_link("auth.reset_password", token=token),
        minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
    )


def check_reset_token(token: str) -> User:
    payload = tokens.read(token, "reset", current_app.config["RESET_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload["uid"])
    tokens.check_state(user, payload, "reset")
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set a new password from a reset link; the link then stops working and every
    other session of the account ends. Following the link proves the address."""
    user = check_reset_token(token)
    set_password(user, new_password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    db.session.flush()
    return user


def set_password(user: User, new_password: str) -> None:
    """A new password ends every other session of the account."""
    user.password_hash = hash_password(new_password)
    end_other_sessions(user)


def request_email_change(user: User, new_email: str) -> None:
    """Send a confirmation link to the new address; the old one stays in use until
    the link is followed. A taken address gets the same answer (no enumeration)."""
    new_email = normalise_email(new_email)
    if find_user(new_email) is not None:
        return
    token = tokens.make(user, "change_email", email=new_email)
    mail.queue(
        new_email,
        "auth/change_email",
        locale=user.locale,
        user=user,
        new_email=new_email,
        url=_link("auth.confirm_email_change", token=token),
        hours=current_app.config["VERIFY_TOKEN_MAX_AGE"] // 3600,
    )


def confirm_email_change(token: str) -> User:
    payload = tokens.read(token, "change_email", current_app.config["VERIFY_TOKEN_MAX_AGE"])
    user = db.session.get(User, payload["uid"])
    tokens.check_state(user, payload, "change_email")
    new_email = str(payload.get("email", ""))
    if not new_email or find_user(new_email) is not None:
        raise tokens.TokenError("used")
    user.email = new_email
    user.email_verified_at = utcnow()
    db.session.flush()
    return user


def issue_api_token(user: User, label: str = "") -> str:
    """Create a bearer token; the plain value is returned once and never stored."""
    token = "evs_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=ApiToken.hash(token), label=label))
    db.session.flush()
    return token


def user_for_api_token(token: str) -> User | None:
    """The account a bearer token belongs to (one query: every API call asks)."""
    return db.session.scalar(
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == ApiToken.hash(token), ApiToken.revoked_at.is_(None))
    )
