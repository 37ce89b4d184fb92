from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.clock import utcnow
from eventsys.columns import UTCDateTime
from eventsys.extensions import db
from eventsys.organisations.models import _enum


class IssueStatus(enum.StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    sending = "sending"
    sent = "sent"


subscriber_themes = Table(
    "newsletter_subscriber_themes",
    db.metadata,
    Column(
        "subscriber_id",
        ForeignKey("newsletter_subscribers.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)

issue_themes = Table(
    "newsletter_issue_themes",
    db.metadata,
    Column("issue_id", ForeignKey("newsletter_issues.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Subscriber(db.Model):
    """Someone who gets the newsletter: themes (none = all) and one language. People
    without an account confirm by e-mail first (double opt-in)."""

    __tablename__ = "newsletter_subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    language: Mapped[str] = mapped_column(String(5), default="nb")
    # Random secret in confirmation and unsubscribe links.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    themes = relationship("Theme", secondary=subscriber_themes, order_by="Theme.position")

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class Issue(db.Model):
    __tablename__ = "newsletter_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="nb")
    status: Mapped[IssueStatus] = mapped_column(
        _enum(IssueStatus, "newsletter_issue_status"), default=IssueStatus.draft
    )
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    cycle_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("cycle_items.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    themes = relationship("Theme", secondary=issue_themes, order_by="Theme.position")
    cycle_item = relationship("CycleItem")
    created_by = relationship("User")

    __table_args__ = (Index("ix_newsletter_issues_status_send_at", "status", "send_at"),)


class Delivery(db.Model):
    """One issue to one subscriber, written in the transaction that queues the e-mail.
    The unique key is what makes a second host or a rerun after a crash skip them."""

    __tablename__ = "newsletter_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("newsletter_issues.id", ondelete="CASCADE"))
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("newsletter_subscribers.id", ondelete="CASCADE"), index=True
    )
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_mail.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("issue_id", "subscriber_id", name="uq_newsletter_deliveries_issue"),
    )
