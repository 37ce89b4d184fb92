"""Forum models: categories, threads, posts with their revisions, reports, the
moderation log, follows and the digest log."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.clock import utcnow
from eventsys.columns import UTCDateTime
from eventsys.extensions import db
from eventsys.organisations.models import _enum


class PostState(enum.StrEnum):
    published = "published"
    pending = "pending"  # a new user's first post, waiting for a moderator
    hidden = "hidden"  # hidden by a moderator (logged with a reason)
    rejected = "rejected"  # a pending post a moderator refused


class FollowMode(enum.StrEnum):
    immediate = "immediate"
    daily = "daily"
    weekly = "weekly"


class ForumCategory(db.Model):
    __tablename__ = "forum_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_nb: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    theme = relationship("Theme")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_nb


class ForumThread(db.Model):
    """A thread lives in a category, or belongs to one event (its participants' thread)."""

    __tablename__ = "forum_threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_categories.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), unique=True
    )
    title: Mapped[str] = mapped_column(String(200))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    category = relationship("ForumCategory")
    event = relationship("Event")
    author = relationship("User")

    __table_args__ = (
        CheckConstraint(
            "category_id IS NOT NULL OR event_id IS NOT NULL", name="in_category_or_event"
        ),
        Index("ix_forum_threads_category_last", "category_id", "last_post_at"),
    )

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class ForumPost(db.Model):
    __tablename__ = "forum_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("forum_threads.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[PostState] = mapped_column(_enum(PostState, "forum_post_state"))
    quoted_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_posts.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When it became visible (published at once, or approved later): digests use it.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    thread = relationship("ForumThread")
    author = relationship("User")
    quoted = relationship("ForumPost", remote_side=[id])
    revisions = relationship(
        "PostRevision", order_by="PostRevision.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_forum_posts_thread_created", "thread_id", "created_at"),
        Index("ix_forum_posts_state_published", "state", "published_at"),
        Index("ix_forum_posts_author", "author_id"),
    )


class PostRevision(db.Model):
    """The text a post had before an edit (history kept)."""

    __tablename__ = "forum_post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PostReport(db.Model):
    __tablename__ = "forum_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(
        ForeignKey("forum_posts.id", ondelete="CASCADE"), index=True
    )
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    post = relationship("ForumPost")
    reporter = relationship("User", foreign_keys=[reporter_id])


class ModerationLog(db.Model):
    """Every moderator action, with the reason given."""

    __tablename__ = "forum_moderation_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))  # approve reject hide unhide lock unlock
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_threads.id", ondelete="CASCADE"), index=True
    )
    post_id: Mapped[int | None] = mapped_column(ForeignKey("forum_posts.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")

    actor = relationship("User")


class ForumFollow(db.Model):
    """A person follows a category or a thread, by e-mail at once or in a digest."""

    __tablename__ = "forum_follows"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_categories.id", ondelete="CASCADE")
    )
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("forum_threads.id", ondelete="CASCADE")
    )
    mode: Mapped[FollowMode] = mapped_column(_enum(FollowMode, "forum_follow_mode"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")
    category = relationship("ForumCategory")
    thread = relationship("ForumThread")

    __table_args__ = (
        CheckConstraint("(category_id IS NULL) <> (thread_id IS NULL)", name="category_or_thread"),
        Index(
            "uq_forum_follows_user_category",
            "user_id",
            "category_id",
            unique=True,
            sqlite_where=text("category_id IS NOT NULL"),
            postgresql_where=text("category_id IS NOT NULL"),
        ),
        Index(
            "uq_forum_follows_user_thread",
            "user_id",
            "thread_id",
            unique=True,
            sqlite_where=text("thread_id IS NOT NULL"),
            postgresql_where=text("thread_id IS NOT NULL"),
        ),
        Index("ix_forum_follows_mode", "mode"),
    )


class DigestSent(db.Model):
    """One digest per person and period (e.g. daily 2027-02-01, weekly 2027-W05). The
    unique key, not a lock, keeps two ticks on two hosts from sending it twice."""

    __tablename__ = "forum_digests_sent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    mode: Mapped[FollowMode] = mapped_column(_enum(FollowMode, "forum_follow_mode"))
    period: Mapped[str] = mapped_column(String(10))
    posts: Mapped[int] = mapped_column(Integer, default=0)
    mail_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_mail.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("user_id", "mode", "period", name="uq_forum_digests_sent_period"),
    )
