"""The iCalendar feed, read back the way calendar programs read it.

Three independent readers: icalendar (and recurring-ical-events on top of it, which
expands RRULEs the way clients do), and vobject. The key test holds our own
occurrence computation and the expansion of our feed together over several years.
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from eventsys.arshjul import ical, rules
from eventsys.arshjul.ical import EventStatus, FeedEvent, build_calendar
from eventsys.arshjul.rules import Audience, Category, CycleItem, Recurrence

OSLO = ZoneInfo("Europe/Oslo")
BASE_URL = "https://arrangement.studentsuksess.no"
HOST = "arrangement.studentsuksess.no"
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)


def item(item_id, recurrence, *, at=None, until=None, duration=None, **kwargs):
    """A cycle item; all-day unless `at` (a local start time) is given."""
    kwargs.setdefault("category", Category.ACTIVITY)
    kwargs.setdefault("title_nb", f"Punkt {item_id}")
    if at is not None:
        kwargs |= {"all_day": False, "start_time": at}
        kwargs |= {"duration": duration} if duration else {"end_time": until or time(at.hour + 1)}
    return CycleItem(id=item_id, recurrence=recurrence, **kwargs)


# Every kind of recurrence, all-day and timed, and the corners of the calendar.
ITEMS = [
    item(1, Recurrence.fixed_date(5, 17)),
    item(2, Recurrence.fixed_date(2, 29)),
    item(3, Recurrence.fixed_date(12, 31), at=time(22), duration=timedelta(hours=4)),
    item(4, Recurrence.nth_weekday(9, 0, 2), at=time(10), until=time(12)),
    item(5, Recurrence.nth_weekday(3, 6, -1), at=time(10)),  # the spring DST Sunday
    item(6, Recurrence.nth_weekday(10, 6, -1), at=time(2, 30)),  # autumn: 02:30 twice
    item(7, Recurrence.nth_weekday(3, 6, -1), at=time(2, 30)),  # spring: no 02:30
    item(8, Recurrence.nth_weekday(11, 4, -1)),
    item(9, Recurrence.period(12, 20, 1, 5)),
    item(10, Recurrence.period(1, 10, 3, 15)),
    item(11, Recurrence.nth_weekday(6, 2, 1), at=time(9), first_year=2027, last_year=2029),
    item(12, Recurrence.fixed_date(8, 15), first_year=2028, last_year=2029),
    item(
        13, Recurrence.rrule("FREQ=MONTHLY;BYDAY=1TU;UNTIL=20280630", date(2026, 2, 1)), at=time(9)
    ),
    item(14, Recurrence.rrule("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=40", date(2026, 8, 12))),
    item(
        15,
        Recurrence.rrule("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", date(2026, 1, 1)),
        at=time(15),
    ),
    item(16, Recurrence.rrule("FREQ=YEARLY;INTERVAL=2;BYMONTH=3;BYMONTHDAY=1", date(2025, 6, 1))),
]

EVENTS = [
    FeedEvent(
        id=101,
        title="Nettverkssamling i Bergen",
        start=datetime(2026, 10, 22, 9, 30, tzinfo=OSLO),
        end=datetime(2026, 10, 23, 15, 0, tzinfo=OSLO),
        url=f"{BASE_URL}/events/101",
        location="Universitetet i Bergen",
        categories=("Seminar",),
        alarm=timedelta(days=1),
        sequence=3,
        last_modified=datetime(2026, 5, 1, 8, 0, tzinfo=UTC),
    ),
    FeedEvent(
        id=102,
        title="Frokostmøte",
        start=datetime(2026, 6, 3, 6, 0, tzinfo=UTC),  # given in UTC, 08:00 in Oslo
        end=datetime(2026, 6, 3, 7, 30, tzinfo=UTC),
        url=f"{BASE_URL}/events/102",
        status=EventStatus.CANCELLED,
        alarm=timedelta(hours=2),
        sequence=1,
    ),
    FeedEvent(
        id=103,
        title="Skrivedag",
        start=date(2026, 11, 5),
        end=date(2026, 11, 7),
        url=f"{BASE_URL}/events/103",
        alarm=timedelta(days=7),
    ),
    FeedEvent(
        id=104,
        title="Webinar fra New York",
        start=datetime(2026, 3, 20, 9, 0, tzinfo=ZoneInfo("America/New_York")),
        end=datetime(2026, 3, 20, 10, 0, tzinfo=ZoneInfo("America/New_York")),
        url=f"{BASE_URL}/events/104",
    ),
]


def build(items=ITEMS, events=EVENTS, now=NOW, lang="nb"):
    return build_calendar("Årshjul", items, events, BASE_URL, now, lang)


@pytest.fixture(scope="module")
def data():
    return build()


@pytest.fixture(scope="module")
def cal(data):
    return Calendar.from_ical(data)


def vevents(cal):
    return {str(event["UID"]): event for event in cal.walk("VEVENT")}


def unfolded_lines(data):
    return data.decode("utf-8").replace("\r\n ", "").split("\r\n")


# --- the shape of the file --------------------------------------------------------------


def test_lines_end_in_crlf_and_are_folded_at_75_octets(data):
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    # The long Norwegian title below is folded, and folding never splits a character.
    long = item(50, Recurrence.fixed_date(1, 1), title_nb="Søknadsfrist for " + "æøå" * 40)
    folded = build(items=[long], events=[]).split(b"\r\n")
    assert max(len(line) for line in folded) <= 75
    for line in folded:
        line.decode("utf-8")  # raises if a fold fell inside a character
    summary = Calendar.from_ical(build(items=[long], events=[])).walk("VEVENT")[0]["SUMMARY"]
    assert summary == long.title_nb


def test_calendar_properties(cal, data):
    assert cal["PRODID"] == "-//Kompetansenettverk for studenters suksess//eventsys//NB"
    assert cal["VERSION"] == "2.0"
    assert cal["CALSCALE"] == "GREGORIAN"
    assert cal["METHOD"] == "PUBLISH"
    assert cal["X-WR-CALNAME"] == "Årshjul"
    assert cal["X-WR-TIMEZONE"] == "Europe/Oslo"
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in data


def test_every_tzid_has_its_vtimezone(cal, data):
    used = set(re.findall(r";TZID=([^:;]+)[:;]", "\n".join(unfolded_lines(data))))
    defined = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    assert used == {"Europe/Oslo"}  # the New York webinar is written in Oslo time
    assert used <= defined


def test_an_event_from_another_zone_keeps_its_instant(cal):
    webinar = vevents(cal)[f"event-104@{HOST}"]
    assert webinar.decoded("DTSTART") == datetime(2026, 3, 20, 13, 0, tzinfo=UTC)


def test_the_second_half_past_two_in_october_keeps_its_instant():
    # 25 October 2026: 02:30 happens twice; the second one (CET) is 01:30 UTC.
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    events = [
        FeedEvent(201, "Første", first, first + timedelta(minutes=20), url="u"),
        FeedEvent(202, "Andre", second, second + timedelta(minutes=20), url="u"),
    ]
    parsed = vevents(Calendar.from_ical(build([], events)))
    # (Via UTC: PEP 495 makes an ambiguous local time unequal to every other zone's.)
    assert parsed[f"event-201@{HOST}"].decoded("DTSTART").astimezone(UTC) == first
    assert parsed[f"event-202@{HOST}"].decoded("DTSTART").astimezone(UTC) == second


def test_vtimezone_agrees_with_the_tz_database(data):
    # vobject builds the zone from our VTIMEZONE text alone, not from tzdata.
    ours = vobject.readOne(data.decode("utf-8")).vtimezone.gettzinfo()
    for year in range(1997, 2101):
        for month in (3, 10):
            last_sunday = rules.nth_weekday_of_month(year, month, 6, -1)
            change = datetime.combine(last_sunday, time(1), UTC)  # 01:00 UTC in the EU
            for instant in (change - timedelta(seconds=1), change, change + timedelta(days=90)):
                assert (
                    instant.astimezone(ours).utcoffset() == instant.astimezone(OSLO).utcoffset()
                ), instant


def test_parses_with_vobject(data):
    parsed = vobject.readOne(data.decode("utf-8"))
    uids = [event.uid.value for event in parsed.vevent_list]
    assert len(uids) == len(ITEMS) + len(EVENTS)
    meeting = next(e for e in parsed.vevent_list if e.uid.value == f"arshjul-4@{HOST}")
    firsts = list(meeting.getrruleset(addRDate=True))[:3]
    assert [d.date() for d in firsts] == [date(2000, 9, 11), date(2001, 9, 10), date(2002, 9, 9)]
    assert {d.hour for d in firsts} == {10}


# --- identity and change ----------------------------------------------------------------


def test_uids_are_stable_across_builds_and_times(data):
    again = Calendar.from_ical(build(now=NOW + timedelta(days=30)))
    assert vevents(Calendar.from_ical(data)).keys() == vevents(again).keys()
    assert f"arshjul-4@{HOST}" in vevents(again)
    assert f"event-101@{HOST}" in vevents(again)


def test_same_input_same_bytes_and_etag(data):
    shuffled = build(items=list(reversed(ITEMS)), events=list(reversed(EVENTS)))
    assert shuffled == data
    assert ical.etag_for(shuffled) == ical.etag_for(data)
    assert re.fullmatch(r'"[0-9a-f]{32}"', ical.etag_for(data))


def test_a_change_shows_in_sequence_and_etag(data):
    changed = [CycleItem(**(vars(ITEMS[3]) | {"sequence": 2, "title_nb": "Nytt navn"})), *ITEMS[4:]]
    rebuilt = build(items=changed)
    assert ical.etag_for(rebuilt) != ical.etag_for(data)
    meeting = vevents(Calendar.from_ical(rebuilt))[f"arshjul-4@{HOST}"]
    assert meeting["SEQUENCE"] == 2
    assert vevents(Calendar.from_ical(data))[f"event-101@{HOST}"]["SEQUENCE"] == 3


def test_explicit_uid_wins_over_the_derived_one():
    kept = item(60, Recurrence.fixed_date(1, 1), uid="arshjul-60@old-host.example")
    assert "arshjul-60@old-host.example" in vevents(Calendar.from_ical(build([kept], [])))


def test_dtstamp_is_now_in_utc_and_last_modified_is_utc(cal, data):
    for event in cal.walk("VEVENT"):
        assert event.decoded("DTSTAMP") == NOW
    assert b"\r\nDTSTAMP:20260504T120000Z\r\n" in data
    assert b"\r\nLAST-MODIFIED:20260501T080000Z\r\n" in data


# --- content of the components ----------------------------------------------------------


def test_all_day_is_value_date_with_exclusive_dtend(cal, data):
    events = vevents(cal)
    national_day = events[f"arshjul-1@{HOST}"]
    assert national_day.decoded("DTSTART") == date(2000, 5, 17)
    assert national_day.decoded("DTEND") == date(2000, 5, 18)
    assert b"\r\nDTSTART;VALUE=DATE:20000517\r\nDTEND;VALUE=DATE:20000518\r\n" in data
    period = events[f"arshjul-9@{HOST}"]
    assert (period.decoded("DTSTART"), period.decoded("DTEND")) == (
        date(2000, 12, 20),
        date(2001, 1, 6),  # the day after 5 January
    )
    writing_days = events[f"event-103@{HOST}"]
    assert writing_days.decoded("DTEND") == date(2026, 11, 7)
    assert national_day["TRANSP"] == "TRANSPARENT"


def test_rrule_and_dtstart_of_recurring_items(data):
    lines = unfolded_lines(data)
    assert "RRULE:FREQ=YEARLY;BYDAY=2MO;BYMONTH=9" in lines
    assert "RRULE:FREQ=YEARLY;UNTIL=20291231T225959Z;BYDAY=1WE;BYMONTH=6" in lines
    assert "DTSTART;TZID=Europe/Oslo:20270602T090000" in lines
    assert "RRULE:FREQ=YEARLY;UNTIL=20291231;BYMONTHDAY=15;BYMONTH=8" in lines
    # A custom rule's UNTIL date becomes the end of that day in UTC for a timed item.
    assert "RRULE:FREQ=MONTHLY;UNTIL=20280630T215959Z;BYDAY=1TU" in lines
    # One-off events have no RRULE.
    assert sum(line.startswith("RRULE:") for line in lines) == len(ITEMS) + 2  # + VTIMEZONE


def test_alarms(cal):
    events = vevents(cal)
    for uid, trigger in [
        (f"event-101@{HOST}", timedelta(days=-1)),
        (f"event-103@{HOST}", timedelta(days=-6, hours=-15)),  # 09:00, a week before
    ]:
        [alarm] = events[uid].walk("VALARM")
        assert alarm["ACTION"] == "DISPLAY"
        assert alarm["DESCRIPTION"] == events[uid]["SUMMARY"]
        assert alarm.decoded("TRIGGER") == trigger
    assert events[f"arshjul-1@{HOST}"].walk("VALARM") == []


def test_item_alarm_matches_reminder_due():
    reminded = item(70, Recurrence.fixed_date(4, 10), reminder=timedelta(days=14))
    event = Calendar.from_ical(build([reminded], [])).walk("VEVENT")[0]
    [alarm] = event.walk("VALARM")
    assert alarm.to_ical().decode().count("TRIGGER:-P13DT15H") == 1
    # Local midnight of the first day plus the trigger is when our e-mail goes out.
    [occ] = rules.occurrences(reminded, date(2027, 1, 1), date(2028, 1, 1))
    start = datetime.combine(occ.start, time(), OSLO)
    nominal = (start.replace(tzinfo=None) + alarm.decoded("TRIGGER")).replace(tzinfo=OSLO)
    assert nominal == rules.reminder_due(reminded, occ)


def test_cancelled_event(cal):
    breakfast = vevents(cal)[f"event-102@{HOST}"]
    assert breakfast["STATUS"] == "CANCELLED"
    assert breakfast["SUMMARY"] == "AVLYST: Frokostmøte"
    assert breakfast.walk("VALARM") == []  # no reminder for what will not happen
    assert vevents(cal)[f"event-101@{HOST}"]["STATUS"] == "CONFIRMED"


def test_categories_urls_and_language(cal):
    events = vevents(cal)
    assert events[f"arshjul-1@{HOST}"]["CATEGORIES"].cats == ["Aktivitet"]
    assert events[f"arshjul-1@{HOST}"]["URL"] == f"{BASE_URL}/arshjul#item-1"
    assert events[f"event-101@{HOST}"]["CATEGORIES"].cats == ["Seminar"]
    assert events[f"event-101@{HOST}"]["URL"] == f"{BASE_URL}/events/101"
    english = item(80, Recurrence.fixed_date(1, 1), category="deadline", title_en="Deadline")
    event = Calendar.from_ical(build([english], [], lang="en")).walk("VEVENT")[0]
    assert (event["SUMMARY"], event["CATEGORIES"].cats) == ("Deadline", ["Deadline"])


def test_public_feed_filters_by_audience_and_category():
    everyone = [
        item(1, Recurrence.fixed_date(3, 1), category="deadline"),
        item(2, Recurrence.fixed_date(3, 2), category="seminar"),
        item(3, Recurrence.fixed_date(3, 3), category="deadline", audience=Audience.OWNERS),
        item(4, Recurrence.fixed_date(3, 4), category="meeting", audience="secretariat"),
    ]
    public_deadlines = rules.select_items(everyone, [Audience.PUBLIC], [Category.DEADLINE])
    feed = Calendar.from_ical(build(public_deadlines, []))
    assert set(vevents(feed)) == {f"arshjul-1@{HOST}"}


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        build(now=datetime(2026, 1, 1))  # naive
    with pytest.raises(ValueError):
        build(lang="de")
    with pytest.raises(ValueError):
        build_calendar("x", [], [], "not a url", NOW)
    with pytest.raises(ValueError):
        FeedEvent(1, "x", datetime(2026, 1, 1, 10), datetime(2026, 1, 1, 11), url="u")
    with pytest.raises(ValueError):
        FeedEvent(1, "x", date(2026, 1, 1), date(2026, 1, 1), url="u")  # DTEND is exclusive
    with pytest.raises(ValueError):
        FeedEvent(1, "x", date(2026, 1, 1), date(2026, 1, 2), url="u", alarm=timedelta(hours=1))


# --- THE KEY TEST: our occurrences are what calendar programs expand from the feed ----


def normalise(value):
    """Dates as they are; date-times as UTC instants (a 02:30 in the spring gap is the
    same instant whether or not it has been normalised to 03:30)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


def expanded_from_feed(cal, start, end):
    # Local midnights, as rules.occurrences() reads its dates. Given plain dates,
    # recurring-ical-events compares timed events by their dates, and would leave out
    # an event from 22:00 on 31 December to 02:00 when asked from 1 January on.
    found = recurring_ical_events.of(cal).between(
        datetime.combine(start, time(), OSLO), datetime.combine(end, time(), OSLO)
    )
    return sorted(
        (str(event["UID"]), normalise(event.start), normalise(event.end))
        for event in found
        if str(event["UID"]).startswith("arshjul-")
    )


def computed(items, start, end):
    return sorted(
        (ical.item_uid(it, BASE_URL), normalise(occ.start), normalise(occ.end))
        for it in items
        for occ in rules.occurrences(it, start, end)
    )


@pytest.mark.parametrize(
    "start, end",
    [
        (date(2026, 1, 1), date(2031, 1, 1)),
        (date(2000, 1, 1), date(2003, 7, 1)),  # from DTSTART on
        (date(2097, 6, 15), date(2102, 2, 1)),  # 2100 is not a leap year
        (date(2026, 3, 29), date(2026, 3, 30)),  # one day, the spring change
    ],
)
def test_feed_expands_to_our_occurrences(cal, start, end):
    ours = computed(ITEMS, start, end)
    assert ours  # a comparison of two empty lists proves nothing
    assert expanded_from_feed(cal, start, end) == ours


def test_every_item_takes_part_in_the_comparison(cal):
    seen = {uid for uid, *_ in expanded_from_feed(cal, date(2026, 1, 1), date(2031, 1, 1))}
    assert seen == {ical.item_uid(it, BASE_URL) for it in ITEMS}


def test_vobject_expands_the_same_starts(data):
    """A second, independent expansion, with vobject's reading of our VTIMEZONE.

    Item 7 (02:30 on the spring DST Sunday) is left out: vobject, through dateutil's
    tzical, reads a local time that does not exist with the offset after the gap;
    RFC 5545 (3.3.5) says the offset before it, as zoneinfo and recurring-ical-events do.
    """
    parsed = vobject.readOne(data.decode("utf-8"))
    start, end = date(2026, 1, 1), date(2031, 1, 1)
    for it in ITEMS:
        if it.id == 7:
            continue
        vevent = next(e for e in parsed.vevent_list if e.uid.value == ical.item_uid(it, BASE_URL))
        ours = [
            o
            for o in rules.occurrences(it, start, end)
            if o.start_instant() >= datetime.combine(start, time(), OSLO)
        ]
        lower = datetime.combine(start, time())
        theirs = []
        for found in vevent.getrruleset(addRDate=True):
            naive = found.replace(tzinfo=None)
            if naive >= datetime.combine(end, time()):
                break
            if naive >= lower:
                theirs.append(found.date() if it.all_day else found)
        assert [normalise(x) for x in theirs] == [normalise(o.start) for o in ours], it.id


months_days = st.tuples(st.integers(1, 12), st.integers(1, 31)).filter(
    lambda md: md[1] <= (28 if md[0] == 2 else 30 if md[0] in (4, 6, 9, 11) else 31)
)
recurrences = st.one_of(
    st.tuples(st.integers(1, 12), st.integers(1, 31))
    .filter(lambda md: md[1] <= (29 if md[0] == 2 else 30 if md[0] in (4, 6, 9, 11) else 31))
    .map(lambda md: Recurrence.fixed_date(*md)),
    st.builds(
        Recurrence.nth_weekday,
        month=st.integers(1, 12),
        weekday=st.integers(0, 6),
        n=st.sampled_from([1, 2, 3, 4, -1]),
    ),
    st.tuples(months_days, months_days).map(lambda p: Recurrence.period(*p[0], *p[1])),
    st.builds(
        Recurrence.rrule,
        rule=st.sampled_from(
            [
                "FREQ=YEARLY;BYMONTH=1,7;BYDAY=-1MO",
                "FREQ=MONTHLY;BYMONTHDAY=-1",
                "FREQ=MONTHLY;INTERVAL=3;BYDAY=2WE",
                "FREQ=WEEKLY;BYDAY=FR;COUNT=30",
                "FREQ=YEARLY;BYWEEKNO=1;BYDAY=MO",
            ]
        ),
        dtstart=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    ),
)


@settings(max_examples=40, deadline=None)
@given(
    recurrences,
    st.one_of(st.none(), st.times().map(lambda t: t.replace(second=0, microsecond=0))),
    st.one_of(st.none(), st.integers(2020, 2030)),
    st.dates(date(2020, 1, 1), date(2035, 1, 1)),
)
def test_any_item_expands_from_the_feed_as_we_compute(recurrence, at, first_year, start):
    is_custom = recurrence.kind is rules.RecurrenceKind.RRULE
    if recurrence.kind is rules.RecurrenceKind.PERIOD:
        at = None
    years = (
        {}
        if is_custom or first_year is None
        else {"first_year": first_year, "last_year": first_year + 3}
    )
    try:
        one = item(1, recurrence, at=at, duration=timedelta(minutes=90), **years)
    except rules.CycleRuleError as error:
        assert error.code == "no_occurrences"  # 29 February in four common years
        return
    end = start + timedelta(days=5 * 365)
    cal = Calendar.from_ical(build([one], []))
    assert expanded_from_feed(cal, start, end) == computed([one], start, end)
