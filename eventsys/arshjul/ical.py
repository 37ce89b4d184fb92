"""iCalendar (RFC 5545) feeds of the årshjul and of events: the only module that
imports icalendar.

Input is plain data (CycleItem from the rules, FeedEvent for one-off events); output
is the bytes of a VCALENDAR. The recurrence of a cycle item is published as an RRULE
whose expansion equals `rules.occurrences()`; the tests hold the two together.

Every date-time is written either in UTC (DTSTAMP, LAST-MODIFIED) or with
TZID=Europe/Oslo, and the calendar carries the matching VTIMEZONE, so no TZID is
left without its definition. Events given in another zone are converted to Oslo
time: the instant is the same, and one zone keeps every client's job simple.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from icalendar import Alarm, Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vDuration, vRecur

from eventsys.arshjul.rules import (
    OSLO,
    Category,
    CycleItem,
    alarm_offset,
    feed_rrule,
    first_start,
)
from eventsys.text import one_line

PRODID = "-//Kompetansenettverk for studenters suksess//eventsys//NB"
TZID = "Europe/Oslo"

#: Where a cycle item is shown on our site, relative to base_url.
ITEM_PAGE = "/arshjul#item-{id}"

#: How often subscribers should fetch the feed again (RFC 7986 and the Microsoft form).
REFRESH_INTERVAL = timedelta(hours=12)

# The feed is read by calendar programs, not rendered by Flask, so its few words live
# here rather than in the Babel catalogue; the titles themselves come translated.
CATEGORY_LABELS: dict[str, dict[Category, str]] = {
    "nb": {
        Category.CONFERENCE: "Konferanse",
        Category.SEMINAR: "Seminar",
        Category.MEETING: "Møte",
        Category.NEWSLETTER: "Nyhetsbrev",
        Category.DEADLINE: "Frist",
        Category.ACTIVITY: "Aktivitet",
    },
    "en": {
        Category.CONFERENCE: "Conference",
        Category.SEMINAR: "Seminar",
        Category.MEETING: "Meeting",
        Category.NEWSLETTER: "Newsletter",
        Category.DEADLINE: "Deadline",
        Category.ACTIVITY: "Activity",
    },
}
# Some clients ignore STATUS:CANCELLED, so the title says it as well.
CANCELLED_PREFIX = {"nb": "AVLYST: ", "en": "CANCELLED: "}


class EventStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class FeedEvent:
    """A one-off event as a feed shows it.

    All-day events have dates with an exclusive `end` (a one-day event on 3 March
    ends on 4 March); timed events have aware datetimes. `url` is the event's page.
    `alarm` is the reminder lead time (whole days, at 09:00, for all-day events).
    """

    id: int
    title: str
    start: date | datetime
    end: date | datetime
    url: str
    description: str = ""
    location: str = ""
    status: EventStatus = EventStatus.CONFIRMED
    sequence: int = 0
    categories: tuple[str, ...] = ()
    last_modified: datetime | None = None
    alarm: timedelta | None = None
    uid: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", EventStatus(self.status))
        object.__setattr__(self, "categories", tuple(self.categories))
        if isinstance(self.start, datetime) != isinstance(self.end, datetime):
            raise ValueError("start and end are both dates or both datetimes")
        if not self.all_day and (self.start.tzinfo is None or self.end.tzinfo is None):
            raise ValueError("the start and end of a timed event are aware datetimes")
        if self.end <= self.start:
            raise ValueError("an event ends after it starts (the end of a date is exclusive)")
        if self.alarm is not None and (
            self.alarm < timedelta(0) or (self.all_day and self.alarm % timedelta(days=1))
        ):
            raise ValueError("the alarm is a lead time: whole days before an all-day event")
        if self.sequence < 0:
            raise ValueError("SEQUENCE starts at 0")

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)


def host_of(base_url: str) -> str:
    """The host part of our own address, which makes UIDs globally unique."""
    host = urlsplit(base_url).hostname
    if not host:
        raise ValueError(f"base_url has no host: {base_url!r}")
    return host


def item_uid(item: CycleItem, base_url: str) -> str:
    """The item's UID: the same for every build, so clients update, not duplicate."""
    return item.uid or f"arshjul-{item.id}@{host_of(base_url)}"


def event_uid(event: FeedEvent, base_url: str) -> str:
    return event.uid or f"event-{event.id}@{host_of(base_url)}"


def etag_for(data: bytes) -> str:
    """A strong ETag (quoted, as HTTP wants it) for a built feed."""
    return f'"{hashlib.sha256(data).hexdigest()[:32]}"'


def oslo_timezone() -> Timezone:
    """The VTIMEZONE for Europe/Oslo: CET/CEST with the EU rules (since 1996).

    Written with RRULEs rather than a list of transitions, so it holds for recurring
    items far into the future. The tests compare it with the tz database.
    """
    tz = Timezone()
    tz.add("tzid", TZID)
    tz.add("x-lic-location", TZID)
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("dtstart", datetime(1970, 3, 29, 2, 0, 0))
    summer.add("rrule", vRecur.from_ical("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"))
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("dtstart", datetime(1970, 10, 25, 3, 0, 0))
    winter.add("rrule", vRecur.from_ical("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"))
    tz.add_component(summer)
    tz.add_component(winter)
    return tz


def build_calendar(
    name: str,
    items: Iterable[CycleItem],
    events: Iterable[FeedEvent],
    base_url: str,
    now: datetime,
    lang: Literal["nb", "en"] = "nb",
) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH) with the cycle items and events given.

    The caller chooses what goes in (audience, categories, published events); this
    only writes it. The output depends only on the arguments, components sorted by id:
    build twice with the same `now` and the bytes, and so the ETag, are equal. `now`
    is the DTSTAMP of every component.
    """
    if lang not in CATEGORY_LABELS:
        raise ValueError(f"lang is 'nb' or 'en', not {lang!r}")
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    host_of(base_url)  # refuse a base_url without a host even for an empty feed
    stamp = now.astimezone(UTC)
    base = base_url.rstrip("/")

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # One-line properties: a line break in a title must never start a property of
    # its own (NAME is not escaped like TEXT by icalendar).
    cal.add("name", one_line(name))
    cal.add("x-wr-calname", one_line(name))
    cal.add("x-wr-timezone", TZID)
    # vDuration spelled out: icalendar 5 writes a bare timedelta of a property it does
    # not know as "12:00:00" (and drops `parameters=` for a ready-made value).
    refresh = vDuration(REFRESH_INTERVAL)
    refresh.params["VALUE"] = "DURATION"  # required by RFC 7986
    cal.add("refresh-interval", refresh)
    cal.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    # Always present: X-WR-TIMEZONE names it, and the feed stays valid when the first
    # timed item is added.
    cal.add_component(oslo_timezone())

    for item in sorted(items, key=lambda item: item.id):
        cal.add_component(_item_component(item, base, stamp, lang))
    for event in sorted(events, key=lambda event: event.id):
        cal.add_component(_event_component(event, base, stamp, lang))
    return cal.to_ical()


def _item_component(item: CycleItem, base: str, stamp: datetime, lang: str) -> Event:
    first = first_start(item)
    vevent = Event()
    vevent.add("uid", item_uid(item, base))
    vevent.add("dtstamp", stamp)
    vevent.add("sequence", item.sequence)
    if item.last_modified is not None:
        vevent.add("last-modified", item.last_modified.astimezone(UTC))
    vevent.add("summary", one_line(item.title(lang)))
    description = "\n\n".join(part for part in (item.description.strip(), item.link) if part)
    if description:
        vevent.add("description", description)
    if item.all_day:
        vevent.add("dtstart", first)
        vevent.add("dtend", first + item.length())
        # A deadline or a two-month period must not show people as busy.
        vevent.add("transp", "TRANSPARENT")
    else:
        # The nominal local time, not normalised: an RRULE repeats DTSTART's wall-clock
        # time, and 02:30 on a spring DST Sunday must stay 02:30 in the other years.
        start = datetime.combine(first, item.start_time)
        vevent.add("dtstart", start.replace(tzinfo=OSLO))
        vevent.add("dtend", (start + item.length()).replace(tzinfo=OSLO))
    vevent.add("rrule", vRecur.from_ical(feed_rrule(item, OSLO)))
    vevent.add("categories", [CATEGORY_LABELS[lang][item.category]])
    vevent.add("status", "CONFIRMED")
    vevent.add("url", base + ITEM_PAGE.format(id=item.id))
    if item.reminder is not None:
        vevent.add_component(_alarm(item.title(lang), alarm_offset(item.all_day, item.reminder)))
    return vevent


def _event_component(event: FeedEvent, base: str, stamp: datetime, lang: str) -> Event:
    cancelled = event.status is EventStatus.CANCELLED
    vevent = Event()
    vevent.add("uid", event_uid(event, base))
    vevent.add("dtstamp", stamp)
    vevent.add("sequence", event.sequence)
    if event.last_modified is not None:
        vevent.add("last-modified", event.last_modified.astimezone(UTC))
    title = (CANCELLED_PREFIX[lang] + event.title) if cancelled else event.title
    vevent.add("summary", one_line(title))
    if event.description.strip():
        vevent.add("description", event.description.strip())
    if event.location.strip():
        vevent.add("location", one_line(event.location))
    if event.all_day:
        vevent.add("dtstart", event.start)
        vevent.add("dtend", event.end)
    else:
        vevent.add("dtstart", _oslo_or_utc(event.start))
        vevent.add("dtend", _oslo_or_utc(event.end))
    if event.categories:
        vevent.add("categories", list(event.categories))
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("url", event.url)
    # No reminder for something that will not happen.
    if event.alarm is not None and not cancelled:
        vevent.add_component(_alarm(event.title, alarm_offset(event.all_day, event.alarm)))
    return vevent


def _oslo_or_utc(instant: datetime) -> datetime:
    """Oslo local time, except for the second 02:00-03:00 of the October night: a
    reader takes a local time there as the first of the two (RFC 5545), so that hour
    is written in UTC to keep the instant."""
    local = instant.astimezone(OSLO)
    if local.replace(fold=0).utcoffset() != local.utcoffset():
        return instant.astimezone(UTC)
    return local


def _alarm(description: str, trigger: timedelta) -> Alarm:
    """A DISPLAY alarm; RFC 5545 requires DESCRIPTION for that action."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", one_line(description))
    alarm.add("trigger", trigger)
    return alarm
