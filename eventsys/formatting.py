"""Presentation of money and time for templates and e-mails (Norwegian conventions)."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_datetime, format_decimal, get_locale


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


FILTERS = {"money": money, "when": when, "day": day}
