"""The time: now in UTC, and the network's calendar (Europe/Oslo by default)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(UTC)


def current_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["EVENTSYS_TIMEZONE"])


def local_date(moment: datetime | None = None) -> date:
    """The network's calendar date (Europe/Oslo) of a moment; today by default."""
    return (moment or utcnow()).astimezone(current_timezone()).date()
