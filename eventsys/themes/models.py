from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.database import UTCDateTime, utcnow
from eventsys.extensions import db


class Theme(db.Model):
    """A theme with its name in both languages. The code is the stable key other
    systems (the API, feeds, links) use; admins may rename, never re-code."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    name_nb: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name_nb


# Events carry themes (the /events filter and the event page show them).
event_themes = Table(
    "event_themes",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True),
)
