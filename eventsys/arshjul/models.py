"""Årshjul models: cycle items, per-user calendar tokens, category follows and the
log of reminders sent."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.arshjul.rules import Audience, Category, RecurrenceKind
from eventsys.database import UTCDateTime, utcnow
from eventsys.extensions import db
from eventsys.organisations.models import _enum


class CycleItem(db.Model):
    """One recurring item of the årshjul. The recurrence fields in use depend on
    `recurrence_kind` (see rules.Recurrence); the others stay NULL."""

    __tablename__ = "cycle_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_nb: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[Category] = mapped_column(_enum(Category, "cycle_category"))
    audience: Mapped[Audience] = mapped_column(
        _enum(Audience, "cycle_audience"), default=Audience.PUBLIC
    )
    link: Mapped[str] = mapped_column(String(500), default="")

    recurrence_kind: Mapped[RecurrenceKind] = mapped_column(
        _enum(RecurrenceKind, "cycle_recurrence_kind")
    )
    month: Mapped[int | None] = mapped_column(Integer)
    day: Mapped[int | None] = mapped_column(Integer)
    weekday: Mapped[int | None] = mapped_column(Integer)  # 0 = Monday
    nth: Mapped[int | None] = mapped_column(Integer)  # 1..4, -1 = the last
    end_month: Mapped[int | None] = mapped_column(Integer)
    end_day: Mapped[int | None] = mapped_column(Integer)
    rrule: Mapped[str | None] = mapped_column(String(500))
    rrule_start: Mapped[date | None] = mapped_column(Date)

    all_day: Mapped[bool] = mapped_column(Boolean, default=True)
    start_time: Mapped[time | None] = mapped_column(Time)  # local Oslo time
    end_time: Mapped[time | None] = mapped_column(Time)
    # Lead time of the reminder; no reminder when both are NULL.
    reminder_days: Mapped[int | None] = mapped_column(Integer)
    reminder_minutes: Mapped[int | None] = mapped_column(Integer)
    first_year: Mapped[int | None] = mapped_column(Integer)
    last_year: Mapped[int | None] = mapped_column(Integer)

    # iCalendar SEQUENCE: raised on every change.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Deleted items stay as rows, so a feed's Last-Modified never goes backwards.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("User")

    __table_args__ = (
        CheckConstraint("sequence >= 0", name="sequence_not_negative"),
        CheckConstraint(
            "reminder_days IS NULL OR reminder_days >= 0", name="reminder_days_not_negative"
        ),
        CheckConstraint(
            "reminder_minutes IS NULL OR reminder_minutes >= 0",
            name="reminder_minutes_not_negative",
        ),
        Index("ix_cycle_items_category", "category"),
    )

    @property
    def has_reminder(self) -> bool:
        return self.reminder_days is not None or self.reminder_minutes is not None


class CalendarToken(db.Model):
    """The secret of a user's private calendar feed.

    The token itself is not stored: it is an HMAC of `nonce` under the app's
    SECRET_KEY (so the account page can show the link again), and only its SHA-256 is
    kept for the lookup. Revoking sets `revoked_at`; a new link is a new row.
    """

    __tablename__ = "calendar_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")

    __table_args__ = (
        # One link in use per person.
        Index(
            "uq_calendar_tokens_active_user",
            "user_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class CategoryFollow(db.Model):
    """A person follows a category: its items in their private feed, and reminders."""

    __tablename__ = "cycle_follows"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category: Mapped[Category] = mapped_column(_enum(Category, "cycle_category"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")

    __table_args__ = (
        UniqueConstraint("user_id", "category", name="uq_cycle_follows_user_category"),
        Index("ix_cycle_follows_category", "category"),
    )


class ReminderSent(db.Model):
    """One reminder e-mail per item, occurrence and recipient. The unique key is what
    makes two ticks at once send it once: the row is inserted before the e-mail is
    queued, in the same transaction."""

    __tablename__ = "cycle_reminders_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("cycle_items.id", ondelete="CASCADE"))
    # The occurrence's local start date (rules.Occurrence.key), e.g. "2027-09-13".
    occurrence_key: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_mail.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint(
            "item_id", "occurrence_key", "user_id", name="uq_cycle_reminders_sent_once"
        ),
        Index("ix_cycle_reminders_sent_user", "user_id"),
    )
