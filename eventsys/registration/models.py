from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import UTCDateTime, utcnow
from eventsys.extensions import db
from eventsys.organisations.models import _enum
from eventsys.registration.rules import ACTIVE, SEAT_HOLDING, State

ACTIVE_STATES = tuple(sorted(s.value for s in ACTIVE))


class Registration(db.Model):
    __tablename__ = "registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The person, also when an organiser registered someone without an account.
    email: Mapped[str] = mapped_column(String(320))
    name: Mapped[str] = mapped_column(String(200), default="")
    locale: Mapped[str] = mapped_column(String(5), default="nb")
    state: Mapped[State] = mapped_column(_enum(State, "registration_state"))
    tier: Mapped[int] = mapped_column(Integer)
    tier_reason: Mapped[str] = mapped_column(String(40), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Queue position key; equals registered_at unless an organiser moved the person.
    queue_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Seat given by an organiser's explicit override beyond capacity (shown to organisers).
    over_capacity: Mapped[bool] = mapped_column(Boolean, default=False)
    fee_waived: Mapped[bool] = mapped_column(Boolean, default=False)
    dietary_needs: Mapped[str] = mapped_column(Text, default="")
    accessibility_needs: Mapped[str] = mapped_column(Text, default="")
    needs_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    event = relationship("Event")
    user = relationship("User", foreign_keys=[user_id])
    organisation = relationship("Organisation")
    registered_by = relationship("User", foreign_keys=[registered_by_id])

    __table_args__ = (
        # The database itself refuses a second active registration of one person.
        Index(
            "uq_registrations_active_person",
            "event_id",
            "email",
            unique=True,
            sqlite_where=text("state IN ('pending', 'confirmed', 'offered', 'waitlisted')"),
            postgresql_where=text("state IN ('pending', 'confirmed', 'offered', 'waitlisted')"),
        ),
        Index("ix_registrations_event_state", "event_id", "state"),
        # The waiting list in queue order: a registration reads its head and counts
        # its own place from here, whatever the list's length.
        Index(
            "ix_registrations_queue",
            "event_id",
            "tier",
            "queue_at",
            "id",
            sqlite_where=text("state IN ('pending', 'waitlisted')"),
            postgresql_where=text("state IN ('pending', 'waitlisted')"),
        ),
        Index("ix_registrations_user", "user_id"),
        Index("ix_registrations_offer_expiry", "state", "offer_expires_at"),
        # Ids appear in links and e-mails: SQLite must never hand a deleted one out again.
        {"sqlite_autoincrement": True},
    )

    @property
    def holds_seat(self) -> bool:
        return self.state in SEAT_HOLDING

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE


class RegistrationLog(db.Model):
    """Every change to a registration, with who did it and why (moves need a reason)."""

    __tablename__ = "registration_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")

    actor = relationship("User")
