import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import UTCDateTime, utcnow
from eventsys.extensions import db
from eventsys.organisations.models import _enum
from eventsys.themes.models import event_themes


class EventKind(enum.StrEnum):
    seminar = "seminar"
    workshop = "workshop"
    course = "course"
    webinar = "webinar"
    conference = "conference"
    gathering = "gathering"  # the yearly resource-person gathering
    meeting = "meeting"  # steering-group meetings


class EventFormat(enum.StrEnum):
    on_site = "on_site"
    online = "online"
    hybrid = "hybrid"


class EventStatus(enum.StrEnum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, "event_kind"))
    format: Mapped[EventFormat] = mapped_column(_enum(EventFormat, "event_format"))
    status: Mapped[EventStatus] = mapped_column(
        _enum(EventStatus, "event_status"), default=EventStatus.draft
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    venue: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    language: Mapped[str] = mapped_column(String(5), default="nb")
    capacity: Mapped[int] = mapped_column(Integer)
    registration_opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    priority_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the allocation at the priority deadline has run (once, by tick).
    priority_closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fee: Mapped[int] = mapped_column(Integer, default=0)  # øre, for non-owners
    currency: Mapped[str] = mapped_column(String(3), default="NOK")
    cancellation_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_days: Mapped[int] = mapped_column(Integer, default=7)
    offer_hours: Mapped[int] = mapped_column(Integer, default=48)
    host_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # iCalendar SEQUENCE: raised on every change a calendar should pick up.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The last download of the participant list (the staff dashboard asks for one
    # before an event starts).
    participants_exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    host_organisation = relationship("Organisation")
    created_by = relationship("User")
    themes = relationship("Theme", secondary=event_themes, order_by="Theme.position")

    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        CheckConstraint("fee >= 0", name="fee_not_negative"),
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        CheckConstraint(
            "registration_closes_at >= registration_opens_at", name="registration_window"
        ),
    )

    @property
    def is_public(self) -> bool:
        return self.status != EventStatus.draft
