"""Presentation of money and time for pages, e-mails, feeds and PDFs: the one place
that turns a date or a moment into words.

One convention in each language, everywhere: bokmål as Norwegians write it
("25. november 2026 kl. 18:00") and English the British way, with the day before the
month and a 24-hour clock ("25 November 2026", "Wed 25 Nov 2026, 18:00"): the
network's English readers are in Europe, and Babel's plain "en" is American
("November 25, 2026", "6:00 PM"). Every time is shown in the network's time zone
(Europe/Oslo), without a zone name.

The reader's language is Flask-Babel's current locale (the request's, or the one an
e-mail is rendered in under `force_locale`); `lang()` says which of the two it is and
`babel_locale()` gives the Babel locale the formats come from."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from babel import Locale
from babel.dates import (
    format_date,
    format_datetime,
    format_interval,
    format_skeleton,
    format_time,
    get_day_names,
    get_month_names,
)
from flask_babel import format_decimal, get_locale

from eventsys.clock import current_timezone

# The Babel locale each of the application's languages is formatted in.
BABEL_LOCALES = {"nb": "nb_NO", "en": "en_GB"}


def lang() -> str:
    """'en' when the reader reads English, else 'nb' (the default). Outside a request
    (the worker, `tick`) it is the language forced for the message, else bokmål."""
    try:
        locale = get_locale()
    except RuntimeError:  # no request to ask, and no force_locale around the call
        return "nb"
    return "en" if str(locale or "nb").split("_")[0] == "en" else "nb"


def babel_locale() -> Locale:
    return Locale.parse(BABEL_LOCALES[lang()])


def _local(value: date | datetime) -> date | datetime:
    """A moment in the network's time zone; a naive one is taken as UTC (as stored)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(current_timezone())
    return value


def money(ore: int | None, currency: str = "NOK") -> str:
    """12500 øre -> 'kr 125,00' in bokmål, 'NOK 125.00' in English."""
    if ore is None:
        return ""
    amount = format_decimal(ore / 100, format="#,##0.00")
    return f"kr {amount}" if lang() == "nb" and currency == "NOK" else f"{currency} {amount}"


# Moments, with the time. Norwegian readers expect "16. desember 2026 kl. 09:00": no
# seconds, no zone name (every time shown is Oslo time).
PATTERNS = {
    "nb": {
        "short": "dd.MM.y, HH:mm",
        "medium": "d. MMMM y 'kl.' HH:mm",
        "full": "EEEE d. MMMM y 'kl.' HH:mm",
    },
    "en": {
        "short": "EEE d MMM y, HH:mm",
        "medium": "d MMMM y, HH:mm",
        "full": "EEEE d MMMM y, HH:mm",
    },
}


def when(value: datetime | None, fmt: str = "medium") -> str:
    """A moment in Europe/Oslo: "short" (25.11.2026, 18:00 / Wed 25 Nov 2026, 18:00),
    "medium" or "long" (25. november 2026 kl. 18:00 / 25 November 2026, 18:00),
    "full" (with the weekday)."""
    if not value:
        return ""
    pattern = PATTERNS[lang()].get(fmt, PATTERNS[lang()]["medium"])
    return format_datetime(_local(value), pattern, locale=babel_locale())


def day(value: date | datetime | None, fmt: str = "long") -> str:
    """A calendar day: "short" (25.11.2026 / 25/11/2026), "medium" (25. nov. 2026 /
    25 Nov 2026), "long" (25. november 2026 / 25 November 2026), "full" (with the
    weekday), or a Babel pattern. A moment is first put in Europe/Oslo."""
    if not value:
        return ""
    return format_date(_local(value), fmt, locale=babel_locale())


def clock(value: datetime | time | None) -> str:
    """The time of day on the 24-hour clock: '18:00'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value)
    return format_time(value, "HH:mm", locale=babel_locale())


def day_month(month: int, day_of_month: int, width: str = "wide") -> str:
    """A day in any year: '15. februar' / '15 February' ('abbreviated': '15 Feb')."""
    skeleton = "MMMMd" if width == "wide" else "MMMd"
    return format_skeleton(skeleton, date(2000, month, day_of_month), locale=babel_locale())


def day_and_month(value: date | datetime | None, width: str = "abbreviated") -> str:
    """A date without its year: '25. nov.' / '25 Nov'."""
    if not value:
        return ""
    value = _local(value)
    return day_month(value.month, value.day, width)


def month_year(value: date) -> str:
    """'November 2026' (stand-alone month name, capitalised)."""
    text = format_date(value, "LLLL y", locale=babel_locale())
    return text[:1].upper() + text[1:]


def month_names(width: str = "wide") -> list[str]:
    """January … December (stand-alone), in the reader's language."""
    names = get_month_names(width, context="stand-alone", locale=babel_locale())
    return [names[i] for i in range(1, 13)]


def weekday_names(width: str = "wide") -> list[str]:
    """Monday … Sunday (stand-alone), in the reader's language."""
    names = get_day_names(width, context="stand-alone", locale=babel_locale())
    return [names[i] for i in range(7)]


def period(start: datetime, end: datetime) -> str:
    """A timed span in the network's time: 'onsdag 10. mars 2027, 09:00–15:00' (the
    hours by Babel's format_interval, in the reader's language), or both days with
    their times when it spans two."""
    zone = current_timezone()
    start, end = start.astimezone(zone), end.astimezone(zone)
    if start.date() == end.date():
        hours = format_interval(start, end, "Hm", tzinfo=zone, locale=babel_locale())
        return f"{day(start, 'full')}, {hours}"
    return days_between(start, end, "full", with_time=True)


def days_between(first, last, fmt: str = "long", with_time: bool = False) -> str:
    """'20. desember 2026 – 5. januar 2027'. Babel's interval skeletons have only
    abbreviated months in bokmål ('20. des. 2026–5. jan. 2027'), so whole dates are
    joined the way its interval fallback does."""

    def one(moment) -> str:
        text = day(moment, fmt)
        return f"{text} {clock(moment)}" if with_time else text

    return f"{one(first)} – {one(last)}"


FILTERS = {
    "money": money,
    "when": when,
    "day": day,
    "clock": clock,
    "day_month": day_and_month,
    "period": period,
}
