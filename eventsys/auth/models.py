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
    # Changed on password change and logout-everywhere; ends other sessions.
    session_version: Mapped[int] = mapped_column(default=1)

    confirmed_organisation = relationship("Organisation", foreign_keys=[confirmed_organisation_id])
    confirmed_by = relationship("User", remote_side=[id], foreign_keys=[confirmed_by_id])

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def has_role(self, *roles: Role) -> bool:
        return self.role == Role.admin or self.role in roles

    def get_id(self) -> str:
        # Flask-Login keeps this in the session; a new session_version ends old sessions.
        return f"{self.id}:{self.session_version}"


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
