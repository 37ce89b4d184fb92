"""Pure checks of an event's fields and times. No Flask, no database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from eventsys.text import has_line_break

MAX_CAPACITY = 5000
MAX_FEE_ORE = 10_000_000  # 100 000 kr


@dataclass(frozen=True)
class EventFields:
    title: str
    kind: str
    format: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    registration_opens_at: datetime
    registration_closes_at: datetime
    priority_deadline: datetime | None = None
    cancellation_deadline: datetime | None = None
    fee: int = 0
    payment_days: int = 7
    offer_hours: int = 48
    venue: str = ""
    online_url: str = ""
    language: str = "nb"


KINDS = ("seminar", "workshop", "course", "webinar", "conference", "gathering", "meeting")
FORMATS = ("on_site", "online", "hybrid")


def problems(e: EventFields, publishing: bool = False) -> list[tuple[str, str]]:
    """Every problem as (field, code); empty when the event can be saved (or published)."""
    found: list[tuple[str, str]] = []
    if not e.title.strip():
        found.append(("title", "required"))
    # One-line fields go into e-mail subjects and calendar properties.
    for name in ("title", "venue", "online_url"):
        if has_line_break(getattr(e, name)):
            found.append((name, "single_line"))
    if e.kind not in KINDS:
        found.append(("kind", "invalid_choice"))
    if e.format not in FORMATS:
        found.append(("format", "invalid_choice"))
    if e.language not in ("nb", "en"):
        found.append(("language", "invalid_choice"))
    if e.ends_at < e.starts_at:
        found.append(("ends_at", "ends_before_start"))
    if not 0 <= e.capacity <= MAX_CAPACITY:
        found.append(("capacity", "capacity_range"))
    if not 0 <= e.fee <= MAX_FEE_ORE:
        found.append(("fee", "fee_range"))
    if not 1 <= e.payment_days <= 60:
        found.append(("payment_days", "payment_days_range"))
    if not 1 <= e.offer_hours <= 14 * 24:
        found.append(("offer_hours", "offer_hours_range"))
    if e.registration_closes_at < e.registration_opens_at:
        found.append(("registration_closes_at", "closes_before_opens"))
    if e.registration_closes_at > e.ends_at:
        found.append(("registration_closes_at", "closes_after_end"))
    if e.priority_deadline is not None and not (
        e.registration_opens_at < e.priority_deadline <= e.registration_closes_at
    ):
        found.append(("priority_deadline", "priority_outside_registration"))
    if e.cancellation_deadline is not None and e.cancellation_deadline > e.starts_at:
        found.append(("cancellation_deadline", "cancellation_after_start"))
    if publishing:
        if e.format in ("on_site", "hybrid") and not e.venue.strip():
            found.append(("venue", "venue_required"))
        if e.format in ("online", "hybrid") and not e.online_url.strip():
            found.append(("online_url", "online_url_required"))
    if e.online_url and not e.online_url.startswith(("https://", "http://")):
        found.append(("online_url", "url_invalid"))
    return found


def registration_is_open(opens: datetime, closes: datetime, now: datetime) -> bool:
    return opens <= now < closes
