import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import UTCDateTime, utcnow
from eventsys.extensions import db
from eventsys.organisations.models import _enum


class ResourceKind(enum.StrEnum):
    literature = "literature"
    report = "report"
    best_practice = "best_practice"
    method = "method"
    presentation = "presentation"
    video = "video"
    conference = "conference"
    link = "link"


class ResourceStatus(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    published = "published"
    withdrawn = "withdrawn"


resource_themes = Table(
    "resource_themes",
    db.metadata,
    Column("resource_id", ForeignKey("resources.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Resource(db.Model):
    """A record in the resource bank. Published resources are public."""

    __tablename__ = "resources"
    __table_args__ = (
        # The search joins its matches to the published records: with this index
        # PostgreSQL reads the ids alone (an index-only scan) instead of every record.
        Index(
            "ix_resources_published_id",
            "id",
            sqlite_where=text("status = 'published'"),
            postgresql_where=text("status = 'published'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ResourceKind] = mapped_column(_enum(ResourceKind, "resource_kind"), index=True)
    status: Mapped[ResourceStatus] = mapped_column(
        _enum(ResourceStatus, "resource_status"), default=ResourceStatus.draft, index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")  # Markdown
    authors: Mapped[list] = mapped_column(JSON, default=list)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    language: Mapped[str] = mapped_column(String(5), default="nb")
    url: Mapped[str] = mapped_column(String(1000), default="")
    doi: Mapped[str | None] = mapped_column(String(200))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    contributor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Conferences: dates, place and the deadline for submissions.
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(300), default="")
    deadline: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    themes = relationship("Theme", secondary=resource_themes, order_by="Theme.position")
    event = relationship("Event")
    organisation = relationship("Organisation")
    contributor = relationship("User")
    file: Mapped["ResourceFile | None"] = relationship(
        back_populates="resource", cascade="all, delete-orphan", uselist=False
    )
    log: Mapped[list["ResourceLog"]] = relationship(
        back_populates="resource",
        cascade="all, delete-orphan",
        order_by="ResourceLog.id",
    )

    @property
    def is_public(self) -> bool:
        return self.status == ResourceStatus.published

    @property
    def theme_codes(self) -> list[str]:
        return [t.code for t in self.themes]


class ResourceFile(db.Model):
    """The uploaded file of a resource. Its bytes are in the storage (by default the
    `stored_blobs` table) under `storage_key`; its extracted text feeds the search."""

    __tablename__ = "resource_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), unique=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resource: Mapped[Resource] = relationship(back_populates="file")


class StoredBlob(db.Model):
    """File bytes kept in the database: every app host sees them, and one database
    backup holds them (the default storage, see storage.py)."""

    __tablename__ = "stored_blobs"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ResourceLog(db.Model):
    """Every step of a resource: created, submitted, published, sent back, withdrawn,
    edited (with what changed), file replaced."""

    __tablename__ = "resource_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(
        ForeignKey("resources.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    # {"field": [old, new], ...} for edits
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resource: Mapped[Resource] = relationship(back_populates="log")
    actor = relationship("User")


class MaterialsNotice(db.Model):
    """The one "materials are ready" e-mail of an event: the primary key makes a
    second sending impossible, also from two hosts at once."""

    __tablename__ = "materials_notices"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(Integer, default=0)
