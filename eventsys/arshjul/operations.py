"""Årshjul operations: cycle items, feeds, private calendar links, follows and the
reminders `eventsys tick` sends. They flush and queue e-mails; the caller commits."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, or_, select

from eventsys import database, formatting, mail
from eventsys.arshjul import ical, rules, wheel
from eventsys.arshjul.models import CalendarToken, CategoryFollow, CycleItem, ReminderSent
from eventsys.arshjul.rules import Audience, Category, CycleRuleError, RecurrenceKind
from eventsys.auth.models import Role, User
from eventsys.database import current_timezone, local_date, lock_for_update, utcnow
from eventsys.events.models import Event, EventKind, EventStatus
from eventsys.extensions import db
from eventsys.organisations.operations import affiliation_for
from eventsys.registration.models import Registration
from eventsys.registration.operations import registrations_of
from eventsys.registration.rules import SEAT_HOLDING, SEES_ONLINE_LINK, WAITING, State

log = logging.getLogger("eventsys.arshjul")

#: Categories in the order of the wheel's rings (inside out) and of every list.
CATEGORIES = tuple(Category)

#: Which ring an event of each kind belongs to.
EVENT_CATEGORY = {
    EventKind.conference: Category.CONFERENCE,
    EventKind.gathering: Category.SEMINAR,
    EventKind.seminar: Category.SEMINAR,
    EventKind.workshop: Category.SEMINAR,
    EventKind.course: Category.SEMINAR,
    EventKind.webinar: Category.SEMINAR,
    EventKind.meeting: Category.MEETING,
}

#: A reminder missed by this much (cron stopped, a host down) is still sent; older ones
#: are not, and neither is one whose occurrence is already over.
CATCH_UP = timedelta(hours=24)

#: DTSTAMP of an empty feed, so that its bytes (and ETag) do not change by themselves.
EMPTY_FEED_STAMP = datetime(2000, 1, 1, tzinfo=UTC)

UNSUBSCRIBE_SALT = "eventsys-unsubscribe"
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


# --- cycle items ----------------------------------------------------------------------


class CycleItemError(Exception):
    """The item cannot be saved as given. `problems` is a list of (field, code, detail):
    field is a CycleItem column (or "" for the whole item), code a stable word (the
    rules' CycleRuleError codes, plus "required", "bad_link", "bad_year",
    "reminder_minutes_all_day"), detail the rules' English text."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        super().__init__("; ".join(f"{f}: {c}" for f, c, _ in problems))
        self.problems = problems


EDITABLE = (
    "title_nb",
    "title_en",
    "description",
    "category",
    "audience",
    "link",
    "recurrence_kind",
    "month",
    "day",
    "weekday",
    "nth",
    "end_month",
    "end_day",
    "rrule",
    "rrule_start",
    "all_day",
    "start_time",
    "end_time",
    "reminder_days",
    "reminder_minutes",
    "first_year",
    "last_year",
)

RECURRENCE_FIELDS = {
    RecurrenceKind.FIXED_DATE: ("month", "day"),
    RecurrenceKind.NTH_WEEKDAY: ("month", "weekday", "nth"),
    RecurrenceKind.PERIOD: ("month", "day", "end_month", "end_day"),
    RecurrenceKind.RRULE: ("rrule", "rrule_start"),
}
_ALL_RECURRENCE_FIELDS = tuple(
    dict.fromkeys(name for names in RECURRENCE_FIELDS.values() for name in names)
)


def _recurrence(values: dict) -> rules.Recurrence:
    kind = RecurrenceKind(values["recurrence_kind"])
    if kind is RecurrenceKind.FIXED_DATE:
        return rules.Recurrence.fixed_date(values["month"], values["day"])
    if kind is RecurrenceKind.NTH_WEEKDAY:
        return rules.Recurrence.nth_weekday(values["month"], values["weekday"], values["nth"])
    if kind is RecurrenceKind.PERIOD:
        return rules.Recurrence.period(
            values["month"], values["day"], values["end_month"], values["end_day"]
        )
    return rules.Recurrence.rrule(values["rrule"], values["rrule_start"])


def _reminder(values: dict) -> timedelta | None:
    days, minutes = values.get("reminder_days"), values.get("reminder_minutes")
    if days is None and minutes is None:
        return None
    return timedelta(days=days or 0, minutes=minutes or 0)


def _rule_item(values: dict, item_id: int = 0, **extra) -> rules.CycleItem:
    return rules.CycleItem(
        id=item_id,
        title_nb=values["title_nb"],
        title_en=values.get("title_en") or "",
        description=values.get("description") or "",
        category=values["category"],
        recurrence=_recurrence(values),
        all_day=values["all_day"],
        start_time=values.get("start_time"),
        end_time=values.get("end_time"),
        reminder=_reminder(values),
        audience=values["audience"],
        link=values.get("link") or None,
        first_year=values.get("first_year"),
        last_year=values.get("last_year"),
        **extra,
    )


def to_rule(item: CycleItem) -> rules.CycleItem:
    """The stored item as the pure rules and the feed builder see it."""
    values = {name: getattr(item, name) for name in EDITABLE}
    return _rule_item(
        values, item.id, sequence=item.sequence, last_modified=item.updated_at or item.created_at
    )


# Which field shows a rules error (see _error_field for those that depend on the kind).
_ERROR_FIELDS = {
    "missing_title": "title_nb",
    "bad_category": "category",
    "bad_audience": "audience",
    "bad_weekday": "weekday",
    "bad_n": "nth",
    "bad_dtstart": "rrule_start",
    "timed_period": "all_day",
    "missing_start_time": "start_time",
    "end_or_duration": "end_time",
    "end_before_start": "end_time",
    "bad_reminder": "reminder_days",
    "years_with_rrule": "first_year",
    "years_reversed": "last_year",
    "no_occurrences": "first_year",
}


def _error_field(code: str, values: dict) -> str:
    if values.get("recurrence_kind") == RecurrenceKind.RRULE and (
        code not in _ERROR_FIELDS or code == "no_occurrences"
    ):
        return "rrule"
    if code == "bad_month":
        return "month"
    if code in ("bad_day", "feb_29_period"):
        return "day"
    if code == "bad_reminder" and not values.get("all_day"):
        return "reminder_minutes"
    return _ERROR_FIELDS.get(code, "")


def _clean(values: dict) -> dict:
    """The item's values as they will be stored: text stripped, fields the chosen kind
    does not use emptied, no times on all-day items."""
    values = {name: values.get(name) for name in EDITABLE}
    for name in ("title_nb", "title_en", "description", "link", "rrule"):
        if isinstance(values[name], str):
            values[name] = values[name].strip()
    for name in ("title_en", "description", "link"):
        values[name] = values[name] or ""
    values["all_day"] = bool(values["all_day"])
    try:
        kind = RecurrenceKind(values["recurrence_kind"])
    except ValueError:
        kind = None
    for name in _ALL_RECURRENCE_FIELDS:
        if kind is None or name not in RECURRENCE_FIELDS[kind]:
            values[name] = None
    if kind is RecurrenceKind.PERIOD:
        values["all_day"] = True  # a period is all-day (rules: timed_period)
    if values["all_day"]:
        values["start_time"] = values["end_time"] = None
    if values["rrule"] == "":
        values["rrule"] = None
    return values


def check_item(values: dict) -> dict:
    """Clean and validate an item's values; raise CycleItemError with every problem
    found (form-level checks first, then the rules)."""
    values = _clean(values)
    problems = _choice_problems(values) + _field_problems(values)
    if problems:
        raise CycleItemError(problems)
    _check_with_rules(values)
    return values


def _choice_problems(values: dict) -> list[tuple[str, str, str]]:
    """The title and the three choices; turns the choices into their enums in place."""
    problems = [] if values["title_nb"] else [("title_nb", "required", "")]
    for name, enum_type in (
        ("category", Category),
        ("audience", Audience),
        ("recurrence_kind", RecurrenceKind),
    ):
        try:
            values[name] = enum_type(values[name])
        except ValueError:
            problems.append((name, "invalid_choice", ""))
    return problems


def _field_problems(values: dict) -> list[tuple[str, str, str]]:
    """What a form can say before the rules look: the fields the recurrence needs, the
    link, the years and the times."""
    problems = []
    kind = values["recurrence_kind"]
    if isinstance(kind, RecurrenceKind):
        problems += [
            (name, "required", "") for name in RECURRENCE_FIELDS[kind] if values[name] is None
        ]
    if values["link"] and not values["link"].startswith("https://"):
        problems.append(("link", "bad_link", ""))
    for name in ("first_year", "last_year"):
        if values[name] is not None and not 1900 <= values[name] <= 2200:
            problems.append((name, "bad_year", ""))
    if values["all_day"] and values["reminder_minutes"]:
        problems.append(("reminder_minutes", "reminder_minutes_all_day", ""))
    if not values["all_day"]:
        problems += [
            (name, "required", "") for name in ("start_time", "end_time") if values[name] is None
        ]
    return problems


def _check_with_rules(values: dict) -> None:
    """The rules' verdict on the whole item (a period's two ends one at a time, so the
    error lands on the right fields)."""
    if values["recurrence_kind"] is RecurrenceKind.PERIOD:
        problems = []
        for month, day in (("month", "day"), ("end_month", "end_day")):
            try:
                rules.Recurrence.period(values[month], values[day], values[month], values[day])
            except CycleRuleError as exc:
                field = month if exc.code == "bad_month" else day
                problems.append((field, exc.code, str(exc)))
        if problems:
            raise CycleItemError(problems)
    try:
        _rule_item(values)
    except CycleRuleError as exc:
        raise CycleItemError([(_error_field(exc.code, values), exc.code, str(exc))]) from None


def create_item(values: dict, by: User | None) -> CycleItem:
    """Add a cycle item; raise CycleItemError when the values do not make one."""
    values = check_item(values)
    item = CycleItem(created_by_id=by.id if by else None, sequence=0, **values)
    db.session.add(item)
    db.session.flush()
    return item


def lock_item(item_id: int) -> CycleItem | None:
    """A live (not deleted) item with its row locked for the rest of the transaction."""
    return db.session.scalar(
        lock_for_update(
            select(CycleItem).where(CycleItem.id == item_id, CycleItem.deleted_at.is_(None))
        ).execution_options(populate_existing=True)
    )


def update_item(item: CycleItem, values: dict, by: User | None) -> CycleItem:
    """Change an item. Any change raises its SEQUENCE, so calendars pick it up."""
    values = check_item(values)
    if any(getattr(item, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(item, name, value)
        item.sequence += 1
        item.updated_at = utcnow()
    db.session.flush()
    return item


def delete_item(item: CycleItem, by: User | None) -> None:
    """Take an item out of the årshjul. The row stays (marked deleted) so the feeds'
    Last-Modified moves forward; its reminders stop."""
    item.deleted_at = utcnow()
    item.updated_at = item.deleted_at
    item.sequence += 1
    db.session.flush()


def live_items(
    audiences: Iterable[Audience] | None = None, categories: Iterable[Category] | None = None
) -> list[CycleItem]:
    """Items not deleted, for the audiences and categories given (None = all)."""
    query = select(CycleItem).where(CycleItem.deleted_at.is_(None))
    if audiences is not None:
        query = query.where(CycleItem.audience.in_(list(audiences)))
    if categories is not None:
        query = query.where(CycleItem.category.in_(list(categories)))
    return list(db.session.scalars(query.order_by(CycleItem.id)))


def rule_items(items: Iterable[CycleItem]) -> list[rules.CycleItem]:
    """to_rule() for each item; a row the rules refuse (edited by hand in the database,
    say) is left out and logged rather than breaking every page and feed."""
    result = []
    for item in items:
        try:
            result.append(to_rule(item))
        except CycleRuleError as exc:
            log.warning("cycle item %s is not valid and is left out: %s", item.id, exc)
    return result


def audiences_for(user: User | None, on: date | None = None) -> set[Audience]:
    """Which items a person may see: public ones; owners' items for owner staff (tier 1
    by the derived affiliation); the secretariat's for organisers and admins."""
    audiences = {Audience.PUBLIC}
    if user is None or not getattr(user, "is_authenticated", True):
        return audiences
    if user.has_role(Role.organiser):
        audiences.add(Audience.SECRETARIAT)
    if affiliation_for(user, on).tier == 1:
        audiences.add(Audience.OWNERS)
    return audiences


# --- events in feeds ------------------------------------------------------------------


def event_category(event: Event) -> Category:
    return EVENT_CATEGORY.get(EventKind(event.kind), Category.ACTIVITY)


def public_events(
    categories: Iterable[Category] | None = None, start: date | None = None, end: date | None = None
) -> list[Event]:
    """Published and cancelled events (never drafts), optionally only those in the
    categories and overlapping the local dates [start, end)."""
    query = select(Event).where(Event.status.in_([EventStatus.published, EventStatus.cancelled]))
    if start is not None and end is not None:
        zone = current_timezone()
        query = query.where(
            Event.ends_at > datetime.combine(start, time(), zone),
            Event.starts_at < datetime.combine(end, time(), zone),
        )
    events = list(db.session.scalars(query.order_by(Event.starts_at, Event.id)))
    if categories is not None:
        wanted = set(categories)
        events = [event for event in events if event_category(event) in wanted]
    return events


def feed_event(
    event: Event, lang: str = "nb", *, online_link: bool = False, title_prefix: str = ""
) -> ical.FeedEvent:
    """One published or cancelled event as the feed shows it. The online link is only
    given to people with a seat (as on the event page)."""
    base = current_app.config["EVENTSYS_BASE_URL"]
    start, end = event.starts_at, event.ends_at
    if end <= start:
        end = start + timedelta(minutes=1)  # the model allows no length; iCalendar does not
    location = event.venue or ""
    description = event.description or ""
    if online_link and event.online_url:
        if location:
            description = f"{description}\n\n{event.online_url}".strip()
        else:
            location = event.online_url
    return ical.FeedEvent(
        id=event.id,
        title=title_prefix + event.title,
        start=start,
        end=end,
        url=f"{base}/events/{event.id}",
        description=description,
        location=location,
        status=(
            ical.EventStatus.CANCELLED
            if event.status == EventStatus.cancelled
            else ical.EventStatus.CONFIRMED
        ),
        sequence=event.sequence or 0,
        categories=(ical.CATEGORY_LABELS[_lang(lang)][event_category(event)],),
        last_modified=event.updated_at,
    )


def feed_events(events: Iterable[Event], lang: str = "nb") -> list[ical.FeedEvent]:
    """Published and cancelled events for a feed (drafts are left out):
    STATUS:CANCELLED for cancelled ones, SEQUENCE from Event.sequence, URL to the
    event page."""
    return [feed_event(event, lang) for event in events if event.status != EventStatus.draft]


def event_ics(event: Event, lang: str = "nb", *, online_link: bool = False) -> bytes:
    """One event as an iCalendar file (bytes), e.g. for the confirmation e-mail:
    ``("arrangement.ics", "text/calendar; charset=utf-8", event_ics(event, reg.locale,
    online_link=True))``. Same UID, SEQUENCE and times as in the feeds. A draft has no
    calendar (ValueError)."""
    if event.status == EventStatus.draft:
        raise ValueError("a draft event has no calendar")
    return ical.build_calendar(
        event.title,
        [],
        [feed_event(event, lang, online_link=online_link)],
        current_app.config["EVENTSYS_BASE_URL"],
        now=event.updated_at or event.created_at,
        lang=_lang(lang),
    )


def _lang(lang: str | None) -> str:
    return "en" if lang == "en" else "nb"


# --- feeds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Feed:
    data: bytes
    last_modified: datetime
    etag: str  # quoted


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def occurrences_as_events(
    items: Iterable[rules.CycleItem], start: date, end: date, lang: str
) -> list[ical.FeedEvent]:
    """The items' occurrences in [start, end) as single events, for a feed of one year.
    Each occurrence has its own stable UID: arshjul-<id>-<date>@host, and links to its
    entry on that year's wheel page."""
    base = current_app.config["EVENTSYS_BASE_URL"]
    host = ical.host_of(base)
    lang = _lang(lang)
    result = []
    for item in items:
        description = "\n\n".join(p for p in (item.description.strip(), item.link) if p)
        for number, occ in enumerate(rules.occurrences(item, start, end)):
            anchor = f"item-{item.id}" if number == 0 else f"item-{item.id}-{occ.key}"
            result.append(
                ical.FeedEvent(
                    id=item.id,
                    title=item.title(lang),
                    start=occ.start,
                    end=occ.end,
                    url=f"{base}/arshjul?year={start.year}#{anchor}",
                    description=description,
                    categories=(ical.CATEGORY_LABELS[lang][item.category],),
                    sequence=item.sequence,
                    last_modified=item.last_modified,
                    alarm=item.reminder,
                    uid=f"arshjul-{item.id}-{occ.key}@{host}",
                )
            )
    return result


def _latest(*stamps: datetime | None) -> datetime:
    found = [s for s in stamps if s is not None]
    return max(found) if found else EMPTY_FEED_STAMP


def _content_last_modified() -> datetime:
    """The last change to anything a public feed shows: every item (deleted ones too,
    so a deletion moves it forward) and every event that is not a draft."""
    items = db.session.scalar(select(func.max(CycleItem.updated_at)))
    events = db.session.scalar(
        select(func.max(Event.updated_at)).where(Event.status != EventStatus.draft)
    )
    return _latest(_aware(items), _aware(events))


def _aware(value):
    # func.max() bypasses the column type on SQLite: naive UTC text comes back.
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _feed(name: str, items, events, stamp: datetime, lang: str) -> Feed:
    stamp = stamp.astimezone(UTC).replace(microsecond=0)
    data = ical.build_calendar(
        name, items, events, current_app.config["EVENTSYS_BASE_URL"], now=stamp, lang=_lang(lang)
    )
    return Feed(data=data, last_modified=stamp, etag=ical.etag_for(data))


def public_feed(
    categories: Iterable[Category] | None = None, year: int | None = None, lang: str = "nb"
) -> Feed:
    """The public årshjul: public items (RRULE, or one VEVENT per occurrence when a
    year is given) and the published and cancelled events. DTSTAMP is the content's
    last change, so the bytes and the ETag only change when the content does."""
    lang = _lang(lang)
    categories = None if categories is None else list(categories)
    items = rule_items(live_items([Audience.PUBLIC], categories))
    with force_locale(lang):
        name = _("Årshjul – competence network for student success")
        if year is not None:
            name = f"{name} {year}"
    if year is None:
        extra, changed = _contributed(categories, None, None, lang)
        events = feed_events(public_events(categories), lang)
        items, events, noted = _materials_noted(items, events, lang)
        stamp = _latest(_content_last_modified(), *(c for c in (changed, noted) if c))
        return _feed(name, items, events + extra, stamp, lang)
    start, end = _year_bounds(year)
    extra, changed = _contributed(categories, start, end, lang)
    events = feed_events(public_events(categories, start, end), lang)
    items, events, noted = _materials_noted(items, events, lang)
    events = occurrences_as_events(items, start, end, lang) + events
    stamp = _latest(_content_last_modified(), *(c for c in (changed, noted) if c))
    return _feed(name, [], events + extra, stamp, lang)


def _materials_noted(items: list[rules.CycleItem], events: list[ical.FeedEvent], lang: str):
    """The feed's items and events with a line "Materials from last year: <link>" in
    their description where there are any (see materials_path; an item's reference
    time is now, as one RRULE stands for every year), and the materials' last change."""
    base = current_app.config["EVENTSYS_BASE_URL"]
    linked = {item.id: linked_event_id(item.link) for item in items}
    materials, changed = event_materials(
        [e.id for e in events] + list(filter(None, linked.values()))
    )
    with force_locale(lang):
        label = _("Materials from last year")

    def noted(description: str, path: str) -> str:
        if not path:
            return description
        return "\n\n".join(p for p in (description.strip(), f"{label}: {base}{path}") if p)

    now = utcnow()
    items = [
        replace(
            item,
            description=noted(
                item.description, materials_path(None, linked[item.id], now, materials)
            ),
        )
        for item in items
    ]
    events = [
        replace(
            event,
            description=noted(event.description, materials_path(event.id, None, now, materials)),
        )
        for event in events
    ]
    return items, events, changed


def _contributed(categories, start, end, lang):
    """Entries other areas add to the public feed (the resource bank's external
    conferences), registered as callables in app.extensions["arshjul_public_sources"]
    so the årshjul never imports them. Each returns (feed events, last change)."""
    events: list[ical.FeedEvent] = []
    changed = None
    for source in current_app.extensions.get("arshjul_public_sources", []):
        found, last = source(categories, start, end, lang)
        events += found
        changed = _latest(changed, last) if changed else last
    return events, changed


def private_feed(user: User) -> Feed:
    """A person's own calendar, in their language: the events they are registered for
    (waiting lists marked in the title, the online link for those with a seat) and the
    items of the categories they follow that are meant for them."""
    lang = _lang(user.locale)
    followed = follows_of(user)
    items = rule_items(live_items(audiences_for(user), followed)) if followed else []
    registrations = _feed_registrations(user)
    with force_locale(lang):
        prefixes = {
            State.PENDING: _("Awaiting answer: "),
            State.WAITLISTED: _("Waiting list: "),
            State.OFFERED: _("Offered a place: "),
        }
        name = _("My calendar – competence network for student success")
    events = [
        feed_event(
            reg.event,
            lang,
            online_link=reg.state in SEES_ONLINE_LINK,
            title_prefix=prefixes.get(reg.state, ""),
        )
        for reg in registrations
    ]
    stamp = _latest(
        *(item.last_modified for item in items),
        *(reg.event.updated_at for reg in registrations),
        *(reg.updated_at for reg in registrations),
    )
    return _feed(name, items, events, stamp, lang)


def _feed_registrations(user: User) -> list[Registration]:
    """One registration per event, the active one first. Registrations the person
    cancelled, and drafts, are left out; an event the organisers cancelled stays, so
    calendars show it as cancelled instead of losing it without a word."""
    shown = SEAT_HOLDING | WAITING | {State.ATTENDED, State.NO_SHOW}
    chosen: dict[int, Registration] = {}
    for reg in registrations_of(user):
        if reg.event.status == EventStatus.draft:
            continue
        if reg.state not in shown and reg.event.status != EventStatus.cancelled:
            continue
        if reg.event_id not in chosen or (reg.is_active and not chosen[reg.event_id].is_active):
            chosen[reg.event_id] = reg
    return sorted(chosen.values(), key=lambda reg: reg.event_id)


# --- the year wheel's content ---------------------------------------------------------


def year_entries(
    year: int,
    audiences: Iterable[Audience],
    categories: Iterable[Category] | None = None,
    lang: str = "nb",
) -> list[wheel.Entry]:
    """Everything in one year for the wheel and its list: each occurrence of the items
    meant for `audiences`, and the published and cancelled events, by start. The first
    occurrence of an item in the year is anchored as item-<id> (where the feeds and
    e-mails link), later ones as item-<id>-<date>."""
    lang = _lang(lang)
    zone = current_timezone()
    categories = None if categories is None else list(categories)
    start, end = _year_bounds(year)
    items = {item.id: item for item in rule_items(live_items(audiences, categories))}
    entries = []
    seen: set[int] = set()
    for occ in rules.occurrences_all(items.values(), start, end, zone):
        item = items[occ.item_id]
        anchor = f"item-{item.id}" if item.id not in seen else f"item-{item.id}-{occ.key}"
        seen.add(item.id)
        entries.append(_item_entry(item, occ, anchor, f"#{anchor}", lang))
    for event in public_events(categories, start, end):
        entries.append(
            wheel.Entry(
                anchor=f"event-{event.id}",
                href=f"/events/{event.id}",
                kind="event",
                category=event_category(event),
                title=event.title,
                start=event.starts_at.astimezone(zone),
                end=max(event.ends_at, event.starts_at).astimezone(zone),
                all_day=False,
                cancelled=event.status == EventStatus.cancelled,
                event_id=event.id,
            )
        )

    entries = _with_materials(entries)

    def order(entry: wheel.Entry):
        begins = datetime.combine(entry.start, time(), zone) if entry.all_day else entry.start
        return (begins, not entry.all_day, entry.kind, entry.item_id or entry.event_id or 0)

    return sorted(entries, key=order)


# --- last year's materials -----------------------------------------------------------

#: A cycle item whose link is one of our event pages belongs to that event.
_EVENT_PATH = re.compile(r"/events/(\d+)/?")


def linked_event_id(link: str) -> int | None:
    """The event an item's link points to: an event page of this site (the host of
    EVENTSYS_BASE_URL), not some other site's /events/."""
    parts = urlsplit(link or "")
    ours = urlsplit(current_app.config["EVENTSYS_BASE_URL"]).netloc
    found = _EVENT_PATH.fullmatch(parts.path)
    return int(found.group(1)) if found and parts.netloc == ours else None


def event_materials(event_ids: Iterable[int]) -> tuple[dict[int, dict], datetime | None]:
    """What other areas tell about the materials of these events (the resource bank,
    registered in app.extensions["arshjul_event_materials"], so the årshjul never
    imports it): {event id: {"ends_at", "own", "previous"}} and the last change."""
    found: dict[int, dict] = {}
    changed = None
    ids = sorted(set(event_ids))
    if not ids:
        return found, None
    for source in current_app.extensions.get("arshjul_event_materials", []):
        more, last = source(ids)
        found |= more
        changed = _latest(changed, last) if changed and last else (last or changed)
    return found, changed


def materials_path(entry_event: int | None, linked: int | None, starts, materials) -> str:
    """Last year's materials of an entry: for an event, those of its previous edition;
    for an item that belongs to an event (its link), that event's own once it is over
    by the time of the occurrence, otherwise its previous edition's."""
    if entry_event is not None:
        return (materials.get(entry_event) or {}).get("previous") or ""
    known = materials.get(linked) if linked is not None else None
    if not known:
        return ""
    if known["own"] and _aware(known["ends_at"]) <= _as_datetime(starts):
        return known["own"]
    return known["previous"] or ""


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return _aware(value)
    return datetime.combine(value, time(), current_timezone())


def _with_materials(entries: list[wheel.Entry]) -> list[wheel.Entry]:
    ids = [e.event_id for e in entries if e.event_id is not None]
    ids += [i for i in (linked_event_id(e.link) for e in entries) if i is not None]
    materials, _changed = event_materials(ids)
    return [
        replace(
            entry,
            materials=materials_path(
                entry.event_id, linked_event_id(entry.link), entry.start, materials
            ),
        )
        for entry in entries
    ]


def _item_entry(
    item: rules.CycleItem, occ: rules.Occurrence, anchor: str, href: str, lang: str
) -> wheel.Entry:
    return wheel.Entry(
        anchor=anchor,
        href=href,
        kind="item",
        category=item.category,
        title=item.title(lang),
        start=occ.start,
        end=occ.end,
        all_day=occ.all_day,
        description=item.description,
        link=item.link or "",
        audience=item.audience,
        item_id=item.id,
    )


def next_entries(
    user: User | None, now: datetime, lang: str = "nb", limit: int = 5
) -> list[wheel.Entry]:
    """The next occurrences of the items meant for `user` that are not over, soonest
    first, over the coming year (the front page's list; events are listed apart).
    Each links to its entry on the wheel page of its year."""
    lang = _lang(lang)
    zone = current_timezone()
    today = now.astimezone(zone).date()
    items = {item.id: item for item in rule_items(live_items(audiences_for(user, today)))}
    found = [
        occ
        for occ in rules.occurrences_all(
            items.values(), today - timedelta(days=31), today + timedelta(days=366), zone
        )
        if not _occurrence_over(occ, now, zone)
    ]

    def begins(occ: rules.Occurrence) -> datetime:
        return datetime.combine(occ.start, time(), zone) if occ.all_day else occ.start

    found.sort(key=lambda occ: (begins(occ), occ.item_id))
    return [
        _item_entry(
            items[occ.item_id], occ, f"item-{occ.item_id}", item_page(items[occ.item_id], occ), lang
        )
        for occ in found[:limit]
    ]


# --- private calendar links ----------------------------------------------------------


def _derive(user_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    mac = hmac.new(key, f"eventsys-calendar\x1f{user_id}\x1f{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")


def _lock_user(user: User) -> None:
    db.session.scalar(lock_for_update(select(User.id).where(User.id == user.id)))


def _active_token(user: User) -> CalendarToken | None:
    return db.session.scalar(
        select(CalendarToken).where(
            CalendarToken.user_id == user.id, CalendarToken.revoked_at.is_(None)
        )
    )


def _new_token(user: User) -> str:
    nonce = secrets.token_urlsafe(24)
    token = _derive(user.id, nonce)
    db.session.add(
        CalendarToken(user_id=user.id, nonce=nonce, token_hash=CalendarToken.hash(token))
    )
    db.session.flush()
    return token


def calendar_token(user: User) -> str:
    """The secret of the person's private feed, made on first use. Only its hash is
    stored; the value is derived again from the row's nonce and SECRET_KEY."""
    _lock_user(user)
    row = _active_token(user)
    if row is not None:
        token = _derive(user.id, row.nonce)
        if CalendarToken.hash(token) == row.token_hash:
            return token
        # SECRET_KEY changed: the old link still works, but we cannot show it.
        row.revoked_at = utcnow()
        db.session.flush()
    return _new_token(user)


def renew_calendar_token(user: User) -> str:
    """Revoke the private feed's link and make a new one."""
    _lock_user(user)
    row = _active_token(user)
    if row is not None:
        row.revoked_at = utcnow()
        db.session.flush()
    return _new_token(user)


def user_for_calendar_token(token: str) -> User | None:
    if not _TOKEN_RE.fullmatch(token or ""):
        return None
    row = db.session.scalar(
        select(CalendarToken).where(
            CalendarToken.token_hash == CalendarToken.hash(token),
            CalendarToken.revoked_at.is_(None),
        )
    )
    return row.user if row is not None else None


# --- follows and unsubscribing -------------------------------------------------------


def follows_of(user: User) -> set[Category]:
    return set(
        db.session.scalars(select(CategoryFollow.category).where(CategoryFollow.user_id == user.id))
    )


def set_follows(user: User, categories: Iterable[Category | str]) -> set[Category]:
    """Follow exactly these categories."""
    wanted = {Category(c) for c in categories}
    _lock_user(user)
    current = {
        follow.category: follow
        for follow in db.session.scalars(
            select(CategoryFollow).where(CategoryFollow.user_id == user.id)
        )
    }
    for category, follow in current.items():
        if category not in wanted:
            db.session.delete(follow)
    for category in sorted(wanted - set(current)):
        db.session.add(CategoryFollow(user_id=user.id, category=category))
    db.session.flush()
    return wanted


def _unsubscribe_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user: User, category: Category) -> str:
    return _unsubscribe_serializer().dumps({"u": user.id, "c": Category(category).value})


def read_unsubscribe_token(token: str) -> tuple[User, Category] | None:
    """The person and category of an unsubscribe link, or None when it is not ours."""
    try:
        payload = _unsubscribe_serializer().loads(token)
        user = db.session.get(User, int(payload["u"]))
        category = Category(payload["c"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    return (user, category) if user is not None else None


def unfollow(user: User, category: Category) -> bool:
    """Stop following a category; False when the person did not follow it."""
    follow = db.session.scalar(
        select(CategoryFollow).where(
            CategoryFollow.user_id == user.id, CategoryFollow.category == Category(category)
        )
    )
    if follow is None:
        return False
    db.session.delete(follow)
    db.session.flush()
    return True


# --- reminders -----------------------------------------------------------------------


def _followers(categories: set[Category]) -> dict[Category, list[User]]:
    """Followers with a verified address (reminders never go to an address nobody has
    confirmed), by category, in id order so that concurrent ticks lock alike."""
    rows = db.session.execute(
        select(CategoryFollow.category, User)
        .join(User, User.id == CategoryFollow.user_id)
        .where(CategoryFollow.category.in_(list(categories)), User.email_verified_at.is_not(None))
        .order_by(User.id)
    )
    found: dict[Category, list[User]] = {category: [] for category in categories}
    for category, user in rows:
        found[category].append(user)
    return found


def send_due_reminders(now: datetime) -> int:
    """Queue the reminder e-mails due by `now` (and at most CATCH_UP late): one per item,
    occurrence and recipient, ever. The log row goes in first, in a savepoint; when
    another tick has written it already, the unique key refuses it and this one skips.
    Returns the number of e-mails queued. Flushes; the caller commits."""
    rows = db.session.scalars(
        select(CycleItem).where(
            CycleItem.deleted_at.is_(None),
            or_(CycleItem.reminder_days.is_not(None), CycleItem.reminder_minutes.is_not(None)),
        )
    ).all()
    models = {row.id: row for row in rows}
    zone = current_timezone()
    due = rules.due_reminders(rule_items(rows), now - CATCH_UP, now, zone)
    if not due:
        return 0
    followers = _followers({item.category for item, _, _ in due})
    today = local_date(now)
    qualifies: dict[int, set[Audience]] = {}
    base = current_app.config["EVENTSYS_BASE_URL"]
    sent = 0
    for item, occurrence, _when in due:
        if _occurrence_over(occurrence, now, zone):
            continue
        for user in followers[item.category]:
            if user.id not in qualifies:
                qualifies[user.id] = audiences_for(user, today)
            if item.audience not in qualifies[user.id]:
                continue
            entry = _claim_reminder(item.id, occurrence.key, user.id)
            if entry is None:
                continue
            message = mail.queue(
                user.email,
                "arshjul/reminder",
                locale=_lang(user.locale),
                user=user,
                item=item,
                model=models[item.id],
                occurrence=occurrence,
                title=item.title(_lang(user.locale)),
                last_day=_last_day(occurrence),
                at=None if occurrence.all_day else formatting.clock(occurrence.start),
                item_url=f"{base}{item_page(item, occurrence)}",
                unsubscribe_url=f"{base}/arshjul/unsubscribe/{unsubscribe_token(user, item.category)}",
                account_url=f"{base}/account/calendar",
            )
            entry.mail_id = message.id
            sent += 1
    db.session.flush()
    return sent


def _claim_reminder(item_id: int, key: str, user_id: int) -> ReminderSent | None:
    """Insert the log row in a savepoint; None when it exists (sent by another tick)."""
    entry = ReminderSent(item_id=item_id, occurrence_key=key, user_id=user_id)
    if not database.add_once(entry):
        log.info("reminder %s/%s for user %s was sent by another run", item_id, key, user_id)
        return None
    return entry


def item_page(item: rules.CycleItem, occurrence: rules.Occurrence) -> str:
    """The path of an occurrence's entry on the wheel page of its year (see
    year_entries: the year's first occurrence is item-<id>, later ones have the date)."""
    year = (occurrence.start if occurrence.all_day else occurrence.start.date()).year
    first = rules.occurrences(item, *_year_bounds(year), current_timezone())
    anchor = f"item-{item.id}"
    if first and first[0].key != occurrence.key:
        anchor = f"{anchor}-{occurrence.key}"
    return f"/arshjul?year={year}#{anchor}"


def _last_day(occurrence: rules.Occurrence) -> date | None:
    """The last day of a multi-day all-day occurrence, else None."""
    if occurrence.all_day and occurrence.end - occurrence.start > timedelta(days=1):
        return occurrence.end - timedelta(days=1)
    return None


def _occurrence_over(occurrence: rules.Occurrence, now: datetime, zone) -> bool:
    if occurrence.all_day:
        return datetime.combine(occurrence.end, time(), zone) <= now
    return occurrence.end <= now
