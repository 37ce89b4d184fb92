"""Rate limits on logging in, signing up, password resets, the mails they send and the
API, counted in the database so they hold across gunicorn workers and hosts.

Flask-Limiter does the limiting (limit syntax, keys, headers, Retry-After); its
counters live in one table through a `limits` storage of our own, because production
is several hosts on one PostgreSQL and no Redis or memcached: a counter per process
would let an attacker multiply every limit by the number of workers. Counters are
written on their own connection and committed at once, so a request that fails (a
wrong password answers 422 and rolls back) still counts.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits.storage import Storage
from sqlalchemy import String, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.database import UTCDateTime, utcnow
from eventsys.extensions import db


class RateLimitCounter(db.Model):
    """One fixed window of one limit for one key (an address, an IP, a token)."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class DatabaseStorage(Storage):
    """A `limits` storage on the application's database (fixed windows)."""

    STORAGE_SCHEME = ["eventsys-db"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    @staticmethod
    def _engine():
        return db.engine

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add to the window's count (starting a new window if the old one is over) in
        one atomic statement, and return the new count."""
        now = utcnow()
        table = RateLimitCounter.__table__
        engine = self._engine()
        insert = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert
        statement = insert(table).values(
            key=key[:255], count=amount, expires_at=now + timedelta(seconds=expiry)
        )
        over = table.c.expires_at <= now
        statement = statement.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={
                "count": case(
                    (over, statement.excluded.count), else_=table.c.count + statement.excluded.count
                ),
                "expires_at": case((over, statement.excluded.expires_at), else_=table.c.expires_at),
            },
        ).returning(table.c.count)
        with engine.begin() as conn:
            return int(conn.execute(statement).scalar_one())

    def _row(self, key: str):
        with self._engine().connect() as conn:
            return conn.execute(
                select(RateLimitCounter.count, RateLimitCounter.expires_at).where(
                    RateLimitCounter.key == key[:255], RateLimitCounter.expires_at > utcnow()
                )
            ).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.count) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return (row.expires_at if row else utcnow()).timestamp()

    def check(self) -> bool:
        try:
            with self._engine().connect() as conn:
                conn.execute(select(1))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self._engine().begin() as conn:
            return conn.execute(delete(RateLimitCounter)).rowcount

    def clear(self, key: str) -> None:
        with self._engine().begin() as conn:
            conn.execute(delete(RateLimitCounter).where(RateLimitCounter.key == key[:255]))


def purge_expired(now: datetime | None = None) -> int:
    """Delete windows that are over (run by `tick`)."""
    result = db.session.execute(
        delete(RateLimitCounter).where(RateLimitCounter.expires_at <= (now or utcnow()))
    )
    return result.rowcount or 0


# --- what is limited, and by which key -----------------------------------------------


def client_address() -> str:
    """The client's IP; behind EVENTSYS_TRUSTED_PROXIES proxies ProxyFix has already put
    the address the proxy saw here."""
    return request.remote_addr or "unknown"


def submitted_address() -> str:
    """The e-mail address a form was sent for, normalised as accounts store it."""
    return "email:" + (request.form.get("email") or "").strip().lower()[:320]


def logged_in_person() -> str:
    """The login session (a random secret), without a database query: the limits run
    before the view loads the user."""
    from flask import session

    return "session:" + str(session.get("_user_id") or client_address())


def api_client() -> str:
    """The API token (its first characters are enough to tell tokens apart), else the IP."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return "token:" + token.strip()[:24]
    return "ip:" + client_address()


def _limits_of(app: Flask) -> dict[str, list[tuple[str, object]]]:
    """endpoint -> [(limit, key function)]. Every POST counts, successful or not: the
    count is taken atomically before the view runs, so a burst of parallel guesses
    cannot slip past the limit (counting only failures would test first and count
    after the answer, leaving room for as many guesses as run at once)."""
    cfg = app.config
    mail_limits = [
        (cfg["RATELIMIT_MAIL_PER_ADDRESS"], submitted_address),
        (cfg["RATELIMIT_MAIL_PER_IP"], client_address),
    ]
    return {
        "auth.login": [
            (cfg["RATELIMIT_LOGIN_PER_ADDRESS"], submitted_address),
            (cfg["RATELIMIT_LOGIN_PER_IP"], client_address),
        ],
        "auth.signup": mail_limits,
        "auth.forgot_password": mail_limits,
        "auth.resend_verification": [(cfg["RATELIMIT_MAIL_PER_ADDRESS"], logged_in_person)],
        # Both ask for the current password (a guess each) and the first sends a mail.
        "auth.change_email": [(cfg["RATELIMIT_MAIL_PER_ADDRESS"], logged_in_person)],
        "auth.change_password": [(cfg["RATELIMIT_LOGIN_PER_ADDRESS"], logged_in_person)],
    }


def init_app(app: Flask) -> Limiter:
    """One Limiter per application (Flask-Limiter keeps its settings on the instance),
    wrapped around the views named in _limits_of and the whole API blueprint."""
    limiter = Limiter(
        key_func=client_address,
        storage_uri="eventsys-db://",
        strategy="fixed-window",
        headers_enabled=True,
        key_prefix="eventsys",
    )
    limiter.init_app(app)
    for endpoint, limits in _limits_of(app).items():
        view = app.view_functions[endpoint]
        for limit, key in limits:
            view = limiter.limit(limit, key_func=key, methods=["POST"], per_method=True)(view)
        app.view_functions[endpoint] = view
    from eventsys.api import bp as api_bp

    limiter.limit(app.config["RATELIMIT_API"], key_func=api_client)(api_bp)
    return limiter


def retry_after_seconds() -> int | None:
    """Seconds until the limit that was hit in this request lets the client in again."""
    limiter = current_app.extensions.get("eventsys_limiter")
    current = limiter.current_limit if limiter else None
    if current is None:
        return None
    return max(1, math.ceil(current.reset_at - utcnow().timestamp()))
