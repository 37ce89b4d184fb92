"""Presentation of money and time for templates and e-mails (Norwegian conventions)."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_interval
from flask_babel import format_date, format_datetime, format_decimal, format_time, get_locale

from eventsys.clock import current_timezone


def money(ore: int | None, currency: str = "NOK") -> str:
    """12500 øre -> 'kr 125,00' in bokmål, 'NOK 125.00' in English."""
    if ore is None:
        return ""
    amount = format_decimal(ore / 100, format="#,##0.00")
    return (
        f"kr {amount}"
        if str(get_locale()) == "nb" and currency == "NOK"
        else f"{currency} {amount}"
    )


# Norwegian readers expect "16. desember 2026 kl. 09:00": no seconds, no zone name
# (every time shown is Oslo time).
PATTERNS = {
    "nb": {"medium": "d. MMMM y 'kl.' HH:mm", "full": "EEEE d. MMMM y 'kl.' HH:mm"},
    "en": {"medium": "d MMMM y, HH:mm", "full": "EEEE d MMMM y, HH:mm"},
}


def when(value: datetime | None, fmt: str = "medium") -> str:
    """A time in Europe/Oslo: "short" (16.12.2026, 09:00), "medium"/"long", "full"."""
    if not value:
        return ""
    if fmt == "short":
        return format_datetime(value, "short")
    lang = "nb" if str(get_locale()) == "nb" else "en"
    pattern = PATTERNS[lang]["full" if fmt == "full" else "medium"]
    return format_datetime(value, pattern)


def day(value: date | datetime | None, fmt: str = "long") -> str:
    return format_date(value, fmt) if value else ""


def period(start: datetime, end: datetime) -> str:
    """A timed span in the network's time: 'onsdag 10. mars 2027, 09:00–15:00' (the
    hours by Babel's format_interval, in the reader's language), or both days with
    their times when it spans two."""
    zone = current_timezone()
    start, end = start.astimezone(zone), end.astimezone(zone)
    if start.date() == end.date():
        hours = format_interval(start, end, "Hm", tzinfo=zone, locale=get_locale())
        return f"{format_date(start, 'full')}, {hours}"
    return days_between(start, end, "full", with_time=True)


def days_between(first, last, fmt: str = "long", with_time: bool = False) -> str:
    """'20. desember 2026 – 5. januar 2027'. Babel's interval skeletons have only
    abbreviated months in bokmål ('20. des. 2026–5. jan. 2027'), so whole dates are
    joined the way its interval fallback does."""

    def one(moment) -> str:
        text = format_date(moment, fmt)
        return f"{text} {format_time(moment, 'HH:mm')}" if with_time else text

    return f"{one(first)} – {one(last)}"


FILTERS = {"money": money, "when": when, "day": day}
