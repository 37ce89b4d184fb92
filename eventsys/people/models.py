from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.clock import utcnow
from eventsys.columns import UTCDateTime
from eventsys.extensions import db

person_themes = Table(
    "person_themes",
    db.metadata,
    Column("profile_id", ForeignKey("person_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ResourcePerson(db.Model):
    """An owner's resource person for a period. Rows are never deleted: a new
    appointment ends the one before it (history kept)."""

    __tablename__ = "resource_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    appointed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation = relationship("Organisation")
    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (
        CheckConstraint("valid_to >= valid_from", name="period_order"),
        Index("ix_resource_persons_organisation", "organisation_id", "valid_from"),
    )


class PersonProfile(db.Model):
    """What the directory shows of a person. Contact details only with consent."""

    __tablename__ = "person_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(20), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User")
    themes = relationship("Theme", secondary=person_themes, order_by="Theme.position")


class EventHost(db.Model):
    """A person (typically the local resource person) who organises one event."""

    __tablename__ = "event_hosts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    event = relationship("Event")

    __table_args__ = (UniqueConstraint("event_id", "user_id", name="uq_event_hosts_event_user"),)


class ResourcePersonsOnly(db.Model):
    """An event (the yearly gathering) whose registration is for resource persons."""

    __tablename__ = "events_for_resource_persons"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
