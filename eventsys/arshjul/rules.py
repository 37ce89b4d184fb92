"""The årshjul's recurrences as pure code: no Flask, no database, no icalendar.

A cycle item recurs in one of four ways: on a fixed date ("1 March"), on the nth
weekday of a month ("the second Monday of September"), over a period ("10 January to
15 February", possibly over New Year), or by a custom RFC 5545 RRULE. This module
computes the occurrences in a date range, in Europe/Oslo local time, and the RRULE
text the iCalendar feed publishes for the same item. The two must agree: a calendar
client expanding our feed has to show exactly the dates this module computes (the
tests compare them with recurring-ical-events over several years).

Decisions the issue left open (see also the docstrings):

* 29 February as a fixed date occurs in leap years only, as RFC 5545 says for
  ``FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29`` (invalid dates are skipped).
* A period has the same length every year, counted in a common year, because an
  RRULE repeats the first instance's exact duration. A period that contains the end
  of February therefore ends one day earlier (in calendar terms) in leap years.
  Periods cannot start or end on 29 February.
* Reminders for all-day items go out at 09:00 Oslo time, the lead time's number of
  days before the first day; for timed items at the lead time before the start.
* An item without ``first_year`` starts in ``DEFAULT_FIRST_YEAR``, so the feed's
  DTSTART is stable and our computation and the feed agree about the past too.
"""

from __future__ import annotations

import calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rrulestr

OSLO = ZoneInfo("Europe/Oslo")

#: When an all-day item's reminder goes out (local time), both as e-mail and as VALARM.
REMINDER_TIME = time(9, 0)

#: The first year of items that do not say when they begin.
DEFAULT_FIRST_YEAR = 2000

#: A timed item may last up to this long; occurrences are looked up one year back.
MAX_DURATION = timedelta(days=365)

#: A custom rule must produce an occurrence within this many years of its DTSTART.
_RRULE_HORIZON_YEARS = 50

_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_COMMON_YEAR = 2001  # a year that is not a leap year, for lengths of periods
_LEAP_YEAR = 2000  # a leap year, so 29 February is a date at all


class Category(enum.StrEnum):
    CONFERENCE = "conference"
    SEMINAR = "seminar"
    MEETING = "meeting"
    NEWSLETTER = "newsletter"
    DEADLINE = "deadline"
    ACTIVITY = "activity"


class Audience(enum.StrEnum):
    PUBLIC = "public"
    OWNERS = "owners"
    SECRETARIAT = "secretariat"


class RecurrenceKind(enum.StrEnum):
    FIXED_DATE = "fixed_date"
    NTH_WEEKDAY = "nth_weekday"
    PERIOD = "period"
    RRULE = "rrule"


class CycleRuleError(ValueError):
    """Why a recurrence or cycle item is not valid; `code` is stable, the text English."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


# --- recurrences ----------------------------------------------------------------------


# RFC 5545 order, so that equal rules are equal strings.
_RRULE_PART_ORDER = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYMONTH",
    "BYWEEKNO",
    "BYYEARDAY",
    "BYMONTHDAY",
    "BYDAY",
    "BYSETPOS",
    "WKST",
)
# No DAILY: nothing in an annual cycle happens every day, and dateutil checks UNTIL
# only when a day matches, so a daily rule that never matches is searched day by day
# up to the year 9999 (seconds of CPU for one form submission). What remains costs
# well under a second even for a rule that never matches.
_FREQS = ("WEEKLY", "MONTHLY", "YEARLY")


@dataclass(frozen=True)
class Recurrence:
    """How a cycle item repeats. Build one with the class methods, e.g.
    ``Recurrence.nth_weekday(month=9, weekday=0, n=2)`` for the second Monday of
    September. Invalid combinations raise CycleRuleError when constructed.

    Fields by kind (the others stay None):
      fixed_date   month, day
      nth_weekday  month, weekday (0 = Monday), n (1..4, or -1 for the last)
      period       month, day (first day), end_month, end_day (last day, inclusive)
      rrule        rule (RRULE text without DTSTART), dtstart (a date)
    """

    kind: RecurrenceKind
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    n: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    rule: str | None = None
    dtstart: date | None = None

    @classmethod
    def fixed_date(cls, month: int, day: int) -> Recurrence:
        return cls(RecurrenceKind.FIXED_DATE, month=month, day=day)

    @classmethod
    def nth_weekday(cls, month: int, weekday: int, n: int) -> Recurrence:
        return cls(RecurrenceKind.NTH_WEEKDAY, month=month, weekday=weekday, n=n)

    @classmethod
    def period(cls, start_month: int, start_day: int, end_month: int, end_day: int) -> Recurrence:
        return cls(
            RecurrenceKind.PERIOD,
            month=start_month,
            day=start_day,
            end_month=end_month,
            end_day=end_day,
        )

    @classmethod
    def rrule(cls, rule: str, dtstart: date) -> Recurrence:
        return cls(RecurrenceKind.RRULE, rule=rule, dtstart=dtstart)

    def __post_init__(self) -> None:
        try:
            kind = RecurrenceKind(self.kind)
        except ValueError:
            raise CycleRuleError(
                "unknown_kind", f"Unknown recurrence kind: {self.kind!r}."
            ) from None
        object.__setattr__(self, "kind", kind)
        used = {
            RecurrenceKind.FIXED_DATE: {"month", "day"},
            RecurrenceKind.NTH_WEEKDAY: {"month", "weekday", "n"},
            RecurrenceKind.PERIOD: {"month", "day", "end_month", "end_day"},
            RecurrenceKind.RRULE: {"rule", "dtstart"},
        }[kind]
        for name in ("month", "day", "weekday", "n", "end_month", "end_day", "rule", "dtstart"):
            value = getattr(self, name)
            if name in used and value is None:
                raise CycleRuleError("missing_field", f"A {kind} recurrence needs {name}.")
            if name not in used and value is not None:
                # Refused rather than ignored: a stray field usually means a mixed-up form.
                raise CycleRuleError("unexpected_field", f"A {kind} recurrence has no {name}.")

        if kind is RecurrenceKind.FIXED_DATE:
            _check_month_day(self.month, self.day, allow_feb_29=True)
        elif kind is RecurrenceKind.NTH_WEEKDAY:
            _check_month(self.month)
            if self.weekday not in range(7):
                raise CycleRuleError("bad_weekday", "The weekday is 0 (Monday) to 6 (Sunday).")
            if self.n not in (1, 2, 3, 4, -1):
                # A fifth weekday does not exist every year, so it would skip years.
                raise CycleRuleError("bad_n", "n is 1 to 4, or -1 for the last one.")
        elif kind is RecurrenceKind.PERIOD:
            # 29 February has no place in a common year, where period lengths are counted.
            _check_month_day(self.month, self.day, allow_feb_29=False)
            _check_month_day(self.end_month, self.end_day, allow_feb_29=False)
        else:
            if not isinstance(self.dtstart, date) or isinstance(self.dtstart, datetime):
                raise CycleRuleError("bad_dtstart", "The dtstart of a custom rule is a date.")
            object.__setattr__(self, "rule", _normalise_rrule(self.rule))
            _check_rrule_has_occurrences(self)

    def period_length(self) -> int:
        """Days in a period, counting both ends, as in a common year (1..365)."""
        if self.kind is not RecurrenceKind.PERIOD:
            raise TypeError("only periods have a length")
        first = date(_COMMON_YEAR, self.month, self.day)
        last = date(_COMMON_YEAR, self.end_month, self.end_day)
        if last < first:  # wraps over New Year
            last = last.replace(year=_COMMON_YEAR + 1)
        return (last - first).days + 1

    def wraps_new_year(self) -> bool:
        return self.kind is RecurrenceKind.PERIOD and (self.end_month, self.end_day) < (
            self.month,
            self.day,
        )

    def start_in_year(self, year: int) -> date | None:
        """The first day of this year's occurrence, or None when there is none
        (29 February in a common year). Not for custom rules."""
        if self.kind in (RecurrenceKind.FIXED_DATE, RecurrenceKind.PERIOD):
            if self.month == 2 and self.day == 29 and not calendar.isleap(year):
                return None
            return date(year, self.month, self.day)
        if self.kind is RecurrenceKind.NTH_WEEKDAY:
            return nth_weekday_of_month(year, self.month, self.weekday, self.n)
        raise TypeError("custom rules have no single start per year")


def nth_weekday_of_month(year: int, month: int, weekday: int, n: int) -> date:
    """The nth (1..5, or -1 for the last) weekday (0 = Monday) of a month."""
    if n > 0:
        first = date(year, month, 1)
        offset = (weekday - first.weekday()) % 7
        found = first + timedelta(days=offset + 7 * (n - 1))
        if found.month != month:
            raise CycleRuleError("bad_n", f"There is no weekday number {n} in {year}-{month:02}.")
        return found
    if n == -1:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    raise CycleRuleError("bad_n", "n is 1 to 5, or -1 for the last one.")


def _check_month(month: int | None) -> None:
    if not isinstance(month, int) or month not in range(1, 13):
        raise CycleRuleError("bad_month", "The month is 1 to 12.")


def _check_month_day(month: int | None, day: int | None, *, allow_feb_29: bool) -> None:
    _check_month(month)
    days = calendar.monthrange(_LEAP_YEAR if allow_feb_29 else _COMMON_YEAR, month)[1]
    if not isinstance(day, int) or day not in range(1, days + 1):
        if month == 2 and day == 29:
            raise CycleRuleError(
                "feb_29_period", "A period cannot start or end on 29 February: use 28 February."
            )
        raise CycleRuleError(
            "bad_day", f"{calendar.month_name[month]} has days 1 to {days}, not {day}."
        )


def _normalise_rrule(text: str | None) -> str:
    """Check a custom RRULE and write it in a canonical form (upper case, RFC order).

    Refused: BYHOUR/BYMINUTE/BYSECOND (the time comes from the item, and one occurrence
    per day keeps reminder keys unique), FREQ=DAILY and finer, UNTIL as a date-time
    (the feed writes UNTIL itself, as DATE for all-day and UTC for timed items, as RFC
    5545 requires), COUNT together with UNTIL, and DTSTART inside the rule.
    """
    if not isinstance(text, str) or not text.strip():
        raise CycleRuleError("empty_rrule", "The custom rule is empty.")
    body = text.strip().upper()
    body = body.removeprefix("RRULE:").strip().strip(";")
    parts: dict[str, str] = {}
    for chunk in body.split(";"):
        key, sep, value = chunk.strip().partition("=")
        if not sep or not key or not value:
            raise CycleRuleError("bad_rrule", f"Not a KEY=VALUE part of a rule: {chunk!r}.")
        if key in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            raise CycleRuleError(
                "time_in_rrule", "Set the time on the item, not with BYHOUR/BYMINUTE/BYSECOND."
            )
        if key not in _RRULE_PART_ORDER:
            raise CycleRuleError("unknown_rrule_part", f"Unsupported rule part: {key}.")
        if key in parts:
            raise CycleRuleError("bad_rrule", f"{key} appears twice in the rule.")
        parts[key] = value
    freq = parts.get("FREQ")
    if freq not in _FREQS:
        raise CycleRuleError("bad_freq", "FREQ is WEEKLY, MONTHLY or YEARLY.")
    for key in ("INTERVAL", "COUNT"):
        if key in parts and not (parts[key].isdigit() and int(parts[key]) > 0):
            raise CycleRuleError("bad_rrule", f"{key} is a positive whole number.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise CycleRuleError("count_and_until", "A rule has COUNT or UNTIL, not both.")
    if "UNTIL" in parts:
        _parse_until(parts["UNTIL"])
    # RFC 5545, section 3.3.10: where these parts may appear.
    if freq != "YEARLY" and ("BYWEEKNO" in parts or "BYYEARDAY" in parts):
        raise CycleRuleError("bad_rrule", "BYWEEKNO and BYYEARDAY need FREQ=YEARLY.")
    if freq == "WEEKLY" and "BYMONTHDAY" in parts:
        raise CycleRuleError("bad_rrule", "BYMONTHDAY cannot be used with FREQ=WEEKLY.")
    if freq == "WEEKLY" and any(
        day.strip()[:1] in "+-0123456789" for day in parts.get("BYDAY", "").split(",") if day
    ):
        raise CycleRuleError("bad_rrule", "A numbered BYDAY needs FREQ=MONTHLY or YEARLY.")
    if freq == "WEEKLY" and "BYSETPOS" in parts:
        # Allowed by RFC 5545 but of no use here, and the one way a weekly rule can
        # be empty (see _FREQS).
        raise CycleRuleError("bad_rrule", "BYSETPOS needs FREQ=MONTHLY or YEARLY.")
    normalised = ";".join(f"{key}={parts[key]}" for key in _RRULE_PART_ORDER if key in parts)
    try:
        rrulestr(normalised, dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        raise CycleRuleError("bad_rrule", f"Not a valid RRULE: {exc}.") from None
    return normalised


def _parse_until(value: str) -> date:
    if len(value) != 8 or not value.isdigit():
        raise CycleRuleError("until_not_date", "UNTIL in a custom rule is a date (YYYYMMDD).")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise CycleRuleError("until_not_date", f"UNTIL={value} is not a date.") from None


def _rrule_parts(rule: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in rule.split(";"))


def _dateutil_rule(
    rule: str, dtstart: date, *, until: date | None = None, keep_count: bool = True
) -> rrule:
    """A custom rule for dateutil, expanded over naive midnights of local dates.

    Expanding dates rather than local times is what makes the feed agree with us: the
    rule has no time parts, so every occurrence is at the item's time of day. UNTIL
    (the rule's, or `until`, whichever is earlier) is inclusive; it only bounds the
    search when there is no COUNT, which counts from the rule's own start.
    """
    parts = _rrule_parts(rule)
    limits = [until] if until else []
    if "UNTIL" in parts:
        limits.append(_parse_until(parts.pop("UNTIL")))
    if not keep_count:
        parts.pop("COUNT", None)
    text = ";".join(f"{key}={value}" for key, value in parts.items())
    expanded = rrulestr(text, dtstart=datetime.combine(dtstart, time()))
    if limits and "COUNT" not in parts:
        expanded = expanded.replace(until=datetime.combine(min(limits), time()))
    return expanded


def _check_rrule_has_occurrences(recurrence: Recurrence) -> None:
    dtstart = recurrence.dtstart
    horizon = date(dtstart.year + _RRULE_HORIZON_YEARS, 1, 1)
    # Without COUNT, which only ever shortens the set; UNTIL makes dateutil stop at the
    # first match after the horizon.
    probe = _dateutil_rule(recurrence.rule, dtstart, until=horizon, keep_count=False)
    if next(iter(probe), None) is None:
        raise CycleRuleError(
            "no_occurrences",
            f"The rule has no occurrence within {_RRULE_HORIZON_YEARS} years of its start.",
        )


def to_rrule(recurrence: Recurrence) -> str:
    """The RRULE text for the feed, without UNTIL from the item's last year.

    >>> to_rrule(Recurrence.nth_weekday(month=9, weekday=0, n=2))
    'FREQ=YEARLY;BYMONTH=9;BYDAY=2MO'
    """
    kind = recurrence.kind
    if kind in (RecurrenceKind.FIXED_DATE, RecurrenceKind.PERIOD):
        # BYMONTHDAY is spelled out so that 29 February is skipped in common years
        # (RFC 5545) instead of being left to how each client reads DTSTART.
        return f"FREQ=YEARLY;BYMONTH={recurrence.month};BYMONTHDAY={recurrence.day}"
    if kind is RecurrenceKind.NTH_WEEKDAY:
        byday = f"{recurrence.n}{_WEEKDAYS[recurrence.weekday]}"  # 2MO, -1FR
        return f"FREQ=YEARLY;BYMONTH={recurrence.month};BYDAY={byday}"
    return recurrence.rule


@dataclass(frozen=True)
class RuleShape:
    """A custom rule taken apart for describing it in words (see `rule_shape`).

    `weekdays` are (weekday, n) pairs: 0 = Monday, n is None for every such weekday or
    the ordinal (2 = the second, -1 = the last). What RFC 5545 takes from DTSTART when
    the rule does not say (the month and day of a yearly rule, the day of a monthly
    one, the weekday of a weekly one) is filled in. `plain` is False when the rule has
    parts a sentence cannot say simply (BYSETPOS, BYWEEKNO, BYYEARDAY, a negative day
    of the month, or an unusual mix); then only `freq`, `start`, `count` and `until`
    are to be trusted.
    """

    freq: str  # "WEEKLY", "MONTHLY" or "YEARLY"
    interval: int
    start: date
    months: tuple[int, ...] = ()
    month_days: tuple[int, ...] = ()
    weekdays: tuple[tuple[int, int | None], ...] = ()
    count: int | None = None
    until: date | None = None
    plain: bool = True


def _weekday_part(text: str) -> tuple[int, int | None]:
    code, number = text[-2:], text[:-2]
    return _WEEKDAYS.index(code), (int(number) if number not in ("", "+") else None)


def rule_shape(rule: str, dtstart: date) -> RuleShape:
    """A normalised custom rule (see Recurrence.rrule) as a RuleShape.

    >>> rule_shape("FREQ=MONTHLY;BYDAY=1TU", date(2026, 1, 1)).weekdays
    ((1, 1),)
    """
    parts = _rrule_parts(rule)
    freq = parts["FREQ"]
    months = tuple(int(m) for m in parts["BYMONTH"].split(",")) if "BYMONTH" in parts else ()
    month_days = (
        tuple(int(d) for d in parts["BYMONTHDAY"].split(",")) if "BYMONTHDAY" in parts else ()
    )
    weekdays = (
        tuple(_weekday_part(d) for d in parts["BYDAY"].split(",")) if "BYDAY" in parts else ()
    )
    plain = not ({"BYSETPOS", "BYWEEKNO", "BYYEARDAY"} & parts.keys()) and all(
        d > 0 for d in month_days
    )
    if month_days and weekdays:  # "every Friday the 13th": rare, and hard to say
        plain = False
    numbered = [n for _, n in weekdays if n is not None]
    if numbered and (len(numbered) != len(weekdays) or freq == "YEARLY" and not months):
        plain = False  # a mix, or "the 20th Monday of the year"
    if freq == "YEARLY" and month_days and not months:
        plain = False  # that day of every month, yet written as a yearly rule
    if any(n not in (1, 2, 3, 4, 5, -1) for n in numbered):
        plain = False  # "the second to last": rare, and no word for it here
    # RFC 5545: what DTSTART gives when the rule leaves it out.
    if freq == "YEARLY" and not weekdays and not month_days:
        months = months or (dtstart.month,)
        month_days = (dtstart.day,)
    elif freq == "MONTHLY" and not weekdays and not month_days:
        month_days = (dtstart.day,)
    elif freq == "WEEKLY" and not weekdays:
        weekdays = ((dtstart.weekday(), None),)
    return RuleShape(
        freq=freq,
        interval=int(parts.get("INTERVAL", "1")),
        start=dtstart,
        months=months,
        month_days=month_days,
        weekdays=weekdays,
        count=int(parts["COUNT"]) if "COUNT" in parts else None,
        until=_parse_until(parts["UNTIL"]) if "UNTIL" in parts else None,
        plain=plain,
    )


# --- cycle items ----------------------------------------------------------------------


@dataclass(frozen=True)
class CycleItem:
    """One item of the årshjul, as the rules and the feed need it.

    All-day items have no times. Timed items have a local (Oslo) `start_time` and
    either an `end_time` later the same day or a `duration` (for items that run over
    midnight or several days). `reminder` is the lead time: whole days for all-day
    items (sent at 09:00), any positive timedelta for timed ones. `sequence` is raised
    by whoever changes the item. `uid` overrides the UID the feed derives from `id`,
    for items whose UID must survive a change of host.
    """

    id: int
    title_nb: str
    category: Category
    recurrence: Recurrence
    title_en: str = ""
    description: str = ""
    all_day: bool = True
    start_time: time | None = None
    end_time: time | None = None
    duration: timedelta | None = None
    reminder: timedelta | None = None
    audience: Audience = Audience.PUBLIC
    link: str | None = None
    sequence: int = 0
    first_year: int | None = None
    last_year: int | None = None
    uid: str | None = None
    last_modified: datetime | None = None

    def __post_init__(self) -> None:
        # Nullable columns arrive as None; the feed and the titles want text.
        for name in ("title_en", "description"):
            if getattr(self, name) is None:
                object.__setattr__(self, name, "")
        if not self.title_nb or not self.title_nb.strip():
            raise CycleRuleError("missing_title", "An item needs a Norwegian title.")
        try:
            object.__setattr__(self, "category", Category(self.category))
        except ValueError:
            raise CycleRuleError("bad_category", f"Unknown category: {self.category!r}.") from None
        try:
            object.__setattr__(self, "audience", Audience(self.audience))
        except ValueError:
            raise CycleRuleError("bad_audience", f"Unknown audience: {self.audience!r}.") from None
        if not isinstance(self.recurrence, Recurrence):
            raise CycleRuleError("bad_recurrence", "recurrence must be a Recurrence.")
        self._check_times()
        if self.reminder is not None:
            if self.reminder < timedelta(0):
                raise CycleRuleError("bad_reminder", "A reminder comes before the item.")
            if self.all_day and self.reminder % timedelta(days=1):
                raise CycleRuleError(
                    "bad_reminder", "Reminders of all-day items are whole days before."
                )
        if self.sequence < 0:
            raise CycleRuleError("bad_sequence", "SEQUENCE starts at 0.")
        self._check_years()

    def _check_times(self) -> None:
        if self.all_day:
            if (self.start_time, self.end_time, self.duration) != (None, None, None):
                raise CycleRuleError("times_on_all_day", "An all-day item has no times.")
            return
        if self.recurrence.kind is RecurrenceKind.PERIOD:
            raise CycleRuleError("timed_period", "A period is all-day.")
        if self.start_time is None:
            raise CycleRuleError("missing_start_time", "A timed item needs a start time.")
        if self.start_time.tzinfo is not None:
            raise CycleRuleError("aware_time", "Times are local Oslo times, without a zone.")
        if (self.end_time is None) == (self.duration is None):
            raise CycleRuleError("end_or_duration", "Give either an end time or a duration.")
        if self.end_time is not None and self.end_time <= self.start_time:
            raise CycleRuleError("end_before_start", "The end time is after the start time.")
        if self.duration is not None and not timedelta(0) < self.duration <= MAX_DURATION:
            raise CycleRuleError("bad_duration", "The duration is positive and at most a year.")

    def _check_years(self) -> None:
        first, last = self.first_year, self.last_year
        if self.recurrence.kind is RecurrenceKind.RRULE:
            if first is not None or last is not None:
                # COUNT would count from a different start if we moved DTSTART.
                raise CycleRuleError(
                    "years_with_rrule",
                    "A custom rule is bounded by its own start date and COUNT or UNTIL.",
                )
            return
        if first is not None and last is not None and last < first:
            raise CycleRuleError("years_reversed", "The last year is before the first.")
        if first_start(self) is None:
            raise CycleRuleError("no_occurrences", "The item never occurs in its years.")

    @property
    def start_year(self) -> int:
        if self.recurrence.kind is RecurrenceKind.RRULE:
            return self.recurrence.dtstart.year
        return self.first_year if self.first_year is not None else DEFAULT_FIRST_YEAR

    def title(self, lang: str) -> str:
        """The title in `lang` ("nb" or "en"), falling back to Norwegian."""
        if lang == "en" and self.title_en.strip():
            return self.title_en
        return self.title_nb

    def length(self) -> timedelta:
        """How long each occurrence lasts: whole days for all-day items (wall-clock
        duration for timed ones)."""
        if self.all_day:
            if self.recurrence.kind is RecurrenceKind.PERIOD:
                return timedelta(days=self.recurrence.period_length())
            return timedelta(days=1)
        if self.duration is not None:
            return self.duration
        return datetime.combine(date.min, self.end_time) - datetime.combine(
            date.min, self.start_time
        )


def select_items(
    items: Iterable[CycleItem],
    audiences: Iterable[Audience | str] = (Audience.PUBLIC,),
    categories: Iterable[Category | str] | None = None,
) -> list[CycleItem]:
    """The items meant for `audiences`, in `categories` (None = every category)."""
    wanted_audiences = {Audience(a) for a in audiences}
    wanted_categories = None if categories is None else {Category(c) for c in categories}
    return [
        item
        for item in items
        if item.audience in wanted_audiences
        and (wanted_categories is None or item.category in wanted_categories)
    ]


# --- occurrences ----------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a cycle item.

    All-day: `start` and `end` are dates and `end` is exclusive (a one-day item on
    13 September ends on 14 September), as in iCalendar. Timed: aware datetimes in
    Europe/Oslo (or the zone asked for).
    """

    item_id: int
    start: date | datetime
    end: date | datetime
    all_day: bool

    @property
    def key(self) -> str:
        """The local start date, e.g. "2027-09-13": unique per item (a rule has at most
        one occurrence a day), so reminders can be recorded as sent once per key."""
        start = self.start if self.all_day else self.start.date()
        return start.isoformat()

    def start_instant(self, tz: ZoneInfo = OSLO) -> datetime:
        """The start as an aware datetime (local midnight for all-day occurrences)."""
        if self.all_day:
            return _local(self.start, time(), tz)
        return self.start


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """A local date and time as an aware datetime, with real wall-clock fields.

    A time in the spring gap (02:30 on the last Sunday of March) is read with the
    offset before the gap, as RFC 5545 says, and becomes 03:30 CEST. In the autumn
    overlap the first of the two (fold=0) is meant, again as in RFC 5545. The round
    trip through UTC matters: Python compares datetimes that share a tzinfo by their
    wall-clock fields, so a non-existent 02:30 must not survive.
    """
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC).astimezone(tz)


def _starts(item: CycleItem, first: date, last: date) -> list[date]:
    """Local start dates of the item's occurrences from `first` to `last`, inclusive."""
    recurrence = item.recurrence
    if recurrence.kind is RecurrenceKind.RRULE:
        rule = _dateutil_rule(recurrence.rule, recurrence.dtstart, until=last)
        return [
            found.date()
            for found in rule.between(
                datetime.combine(first, time()), datetime.combine(last, time()), inc=True
            )
        ]
    years = range(max(first.year, item.start_year), last.year + 1)
    if item.last_year is not None:
        years = range(years.start, min(years.stop, item.last_year + 1))
    starts = (recurrence.start_in_year(year) for year in years)
    return [start for start in starts if start is not None and first <= start <= last]


def occurrences(item: CycleItem, start: date, end: date, tz: ZoneInfo = OSLO) -> list[Occurrence]:
    """The item's occurrences that overlap the dates `start` (inclusive) to `end`
    (exclusive), sorted. Timed occurrences are in `tz`; the range's dates are local
    midnights there. A period from 20 December to 5 January shows in January too.

    Overlap is the rule recurring-ical-events and calendar clients use, so a feed
    reader sees the same occurrences in the same window.
    """
    if end <= start:
        return []
    length = item.length()
    # Occurrences that began before `start` may still be running.
    look_back = timedelta(days=length.days + 1)
    result = []
    for day in _starts(item, start - look_back, end - timedelta(days=1)):
        if item.all_day:
            occurrence = Occurrence(item.id, day, day + length, True)
            overlaps = occurrence.end > start and occurrence.start < end
        else:
            begin = _local(day, item.start_time, tz)
            # Wall-clock arithmetic: 10:00 to 12:00 stays so on a DST Sunday, as does a
            # recurring-ical-events expansion of DTSTART/DTEND with a TZID.
            finish = datetime.combine(day, item.start_time) + length
            occurrence = Occurrence(item.id, begin, _local(finish.date(), finish.time(), tz), False)
            overlaps = occurrence.end > _local(start, time(), tz) and begin < _local(
                end, time(), tz
            )
        if overlaps:
            result.append(occurrence)
    return result


def occurrences_all(
    items: Iterable[CycleItem], start: date, end: date, tz: ZoneInfo = OSLO
) -> list[Occurrence]:
    """The occurrences of every item in the range, by start; all-day before timed ones
    on the same day, then by item id."""
    found = [occ for item in items for occ in occurrences(item, start, end, tz)]
    return sorted(found, key=lambda occ: (occ.start_instant(tz), not occ.all_day, occ.item_id))


def first_start(item: CycleItem) -> date | None:
    """The local date of the item's first occurrence ever: the feed's DTSTART."""
    recurrence = item.recurrence
    if recurrence.kind is RecurrenceKind.RRULE:
        found = next(iter(_dateutil_rule(recurrence.rule, recurrence.dtstart)), None)
        return found.date() if found else None
    # Eight years always include a leap year, for 29 February.
    last_year = item.start_year + 7
    if item.last_year is not None:
        last_year = min(last_year, item.last_year)
    for year in range(item.start_year, last_year + 1):
        found = recurrence.start_in_year(year)
        if found is not None:
            return found
    return None


def feed_rrule(item: CycleItem, tz: ZoneInfo = OSLO) -> str:
    """The item's RRULE as the feed writes it, with UNTIL for `last_year` or the
    custom rule's UNTIL date in the form RFC 5545 requires: a DATE for all-day items,
    a UTC date-time (the end of that local day) for timed ones."""
    rule = to_rrule(item.recurrence)
    until: date | None = None
    if item.recurrence.kind is RecurrenceKind.RRULE:
        parts = _rrule_parts(rule)
        if "UNTIL" in parts:
            until = _parse_until(parts.pop("UNTIL"))
            rule = ";".join(f"{k}={v}" for k, v in parts.items())
    elif item.last_year is not None:
        until = date(item.last_year, 12, 31)
    if until is None:
        return rule
    if item.all_day:
        return f"{rule};UNTIL={until:%Y%m%d}"
    end_of_day = _local(until, time(23, 59, 59), tz).astimezone(UTC)
    return f"{rule};UNTIL={end_of_day:%Y%m%dT%H%M%SZ}"


# --- reminders ------------------------------------------------------------------------


def reminder_due(item: CycleItem, occurrence: Occurrence, tz: ZoneInfo = OSLO) -> datetime | None:
    """When the reminder for this occurrence goes out (aware, in `tz`), or None.

    All-day: at 09:00 local, `reminder` days before the first day. Timed: the days of
    the lead time are calendar days (same wall-clock time, whatever DST does in
    between) and the rest is exact, as RFC 5545 reads a TRIGGER such as -P14DT2H.
    """
    if item.reminder is None:
        return None
    lead = item.reminder
    if occurrence.all_day:
        return _local(occurrence.start - timedelta(days=lead.days), REMINDER_TIME, tz)
    local = occurrence.start.astimezone(tz).replace(tzinfo=None) - timedelta(days=lead.days)
    day_before = _local(local.date(), local.time(), tz)
    return (day_before.astimezone(UTC) - timedelta(seconds=lead.seconds)).astimezone(tz)


def alarm_offset(all_day: bool, lead: timedelta) -> timedelta:
    """The VALARM TRIGGER (relative to DTSTART) for a lead time; see reminder_due().

    For all-day items DTSTART is local midnight, so 14 days at 09:00 is -P13DT15H.
    """
    if all_day:
        return -lead + (datetime.combine(date.min, REMINDER_TIME) - datetime.min)
    return -lead


def due_reminders(
    items: Iterable[CycleItem], after: datetime, until: datetime, tz: ZoneInfo = OSLO
) -> list[tuple[CycleItem, Occurrence, datetime]]:
    """Reminders due in the interval (`after`, `until`], with the occurrence they are
    for, sorted by when they are due. For the periodic command: recording the
    (item, occurrence key, recipient) it has sent keeps sending idempotent."""
    if after.tzinfo is None or until.tzinfo is None:
        raise ValueError("after and until must be aware datetimes")
    due = []
    for item in items:
        if item.reminder is None:
            continue
        # An occurrence is at most the lead time (plus a day for 09:00 and DST) ahead.
        first = after.astimezone(tz).date()
        last = until.astimezone(tz).date() + timedelta(days=item.reminder.days + 2)
        for occ in occurrences(item, first, last, tz):
            when = reminder_due(item, occ, tz)
            if after < when <= until:
                due.append((item, occ, when))
    return sorted(due, key=lambda entry: (entry[2], entry[0].id))
