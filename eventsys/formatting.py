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


def when(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def day(value: date | datetime | None, fmt: str = "long") -> str:
    return format_date(value, fmt) if value else ""


FILTERS = {"money": money, "when": when, "day": day}
