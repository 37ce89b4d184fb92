import enum
import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import UTCDateTime, utcnow
from eventsys.extensions import db


class Role(enum.StrEnum):
    participant = "participant"
    organiser = "organiser"
    finance = "finance"
    admin = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    # A deleted account's id is never handed to the next one (SQLite would reuse it).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-case: one account per address, however it is typed.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", native_enum=False, length=20), default=Role.participant
    )
    locale: Mapped[str] = mapped_column(String(5), default="nb")
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An organiser vouched for the person's affiliation with an organisation by hand.
    confirmed_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    confirmed_organisation = relationship("Organisation", foreign_keys=[confirmed_organisation_id])
    confirmed_by = relationship("User", remote_side=[id], foreign_keys=[confirmed_by_id])

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def has_role(self, *roles: Role) -> bool:
        return self.role == Role.admin or self.role in roles

    # The secret of the login session this object was loaded for (never stored plain).
    session_secret = None

    def get_id(self) -> str | None:
        # Flask-Login keeps this in the cookie: a random secret of a server-side
        # session, never the user's id, so nothing in it can point at another account.
        return self.session_secret

    # Two users are the same object, not "the same session secret" (UserMixin's idea).
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__


class UserSession(db.Model):
    """A login: the cookie holds a random secret whose SHA-256 is kept here. Logging
    out deletes the row, so a copied cookie stops working at once."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
