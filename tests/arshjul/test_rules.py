"""Occurrences, reminders and validation of årshjul items, without an app."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventsys.arshjul import rules
from eventsys.arshjul.rules import (
    Audience,
    Category,
    CycleItem,
    CycleRuleError,
    Occurrence,
    Recurrence,
    occurrences,
)

OSLO = ZoneInfo("Europe/Oslo")


def all_day(recurrence, item_id=1, **kwargs):
    kwargs.setdefault("category", Category.DEADLINE)
    return CycleItem(id=item_id, title_nb="Frist", recurrence=recurrence, **kwargs)


def timed(recurrence, start=time(10), end=time(12), item_id=1, **kwargs):
    kwargs.setdefault("category", Category.MEETING)
    return CycleItem(
        id=item_id,
        title_nb="Møte",
        recurrence=recurrence,
        all_day=False,
        start_time=start,
        end_time=end,
        **kwargs,
    )


def starts(item, first_year, last_year):
    """The local start dates from 1 January of first_year to 31 December of last_year."""
    found = occurrences(item, date(first_year, 1, 1), date(last_year + 1, 1, 1))
    return [occ.start if occ.all_day else occ.start.date() for occ in found]


# --- the simple recurrences, against a printed calendar --------------------------------


def test_second_monday_of_september():
    item = all_day(Recurrence.nth_weekday(month=9, weekday=0, n=2))
    assert starts(item, 2026, 2030) == [
        date(2026, 9, 14),
        date(2027, 9, 13),
        date(2028, 9, 11),
        date(2029, 9, 10),
        date(2030, 9, 9),
    ]


def test_last_friday_of_november():
    item = all_day(Recurrence.nth_weekday(month=11, weekday=4, n=-1))
    assert starts(item, 2026, 2029) == [
        date(2026, 11, 27),
        date(2027, 11, 26),
        date(2028, 11, 24),
        date(2029, 11, 30),  # November 2029 has five Fridays
    ]


def test_fixed_date_is_one_day_with_an_exclusive_end():
    item = all_day(Recurrence.fixed_date(month=3, day=1))
    [occ] = occurrences(item, date(2027, 1, 1), date(2028, 1, 1))
    assert occ == Occurrence(item_id=1, start=date(2027, 3, 1), end=date(2027, 3, 2), all_day=True)
    assert occ.key == "2027-03-01"


def test_29_february_only_in_leap_years():
    item = all_day(Recurrence.fixed_date(month=2, day=29))
    assert starts(item, 2024, 2033) == [date(2024, 2, 29), date(2028, 2, 29), date(2032, 2, 29)]
    # The feed says the same: RFC 5545 skips the invalid date in other years.
    assert rules.to_rrule(item.recurrence) == "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"


def test_29_february_in_no_leap_year_is_refused():
    with pytest.raises(CycleRuleError) as error:
        all_day(Recurrence.fixed_date(2, 29), first_year=2025, last_year=2027)
    assert error.value.code == "no_occurrences"


def test_2100_is_not_a_leap_year():
    item = all_day(Recurrence.fixed_date(month=2, day=29))
    assert starts(item, 2096, 2104) == [date(2096, 2, 29), date(2104, 2, 29)]


# --- periods ----------------------------------------------------------------------------


def test_period_over_new_year_is_seen_from_both_years():
    item = all_day(Recurrence.period(start_month=12, start_day=20, end_month=1, end_day=5))
    january = occurrences(item, date(2027, 1, 1), date(2027, 2, 1))
    december = occurrences(item, date(2027, 12, 1), date(2028, 1, 1))
    assert [(o.start, o.end) for o in january] == [(date(2026, 12, 20), date(2027, 1, 6))]
    assert [(o.start, o.end) for o in december] == [(date(2027, 12, 20), date(2028, 1, 6))]
    assert item.recurrence.wraps_new_year()
    assert item.recurrence.period_length() == 17


def test_period_ends_the_day_after_its_last_day():
    item = all_day(Recurrence.period(1, 10, 2, 15))
    [occ] = occurrences(item, date(2027, 1, 1), date(2028, 1, 1))
    assert (occ.start, occ.end) == (date(2027, 1, 10), date(2027, 2, 16))


def test_period_over_29_february_keeps_its_length():
    # An RRULE repeats the first instance's exact duration, so a period has the same
    # number of days every year: in a leap year, 10 January to 15 March ends a day early.
    item = all_day(Recurrence.period(1, 10, 3, 15))
    by_year = {o.start.year: o.end for o in occurrences(item, date(2027, 1, 1), date(2029, 1, 1))}
    assert by_year == {2027: date(2027, 3, 16), 2028: date(2028, 3, 15)}


def test_range_end_is_exclusive_and_overlap_counts():
    item = all_day(Recurrence.period(3, 1, 3, 10))
    assert occurrences(item, date(2027, 2, 1), date(2027, 3, 1)) == []
    assert len(occurrences(item, date(2027, 3, 10), date(2027, 3, 11))) == 1
    assert occurrences(item, date(2027, 3, 11), date(2027, 4, 1)) == []


# --- time of day and daylight saving ----------------------------------------------------


@pytest.mark.parametrize(
    "month, utc_hour",
    [
        (3, 8),  # 29 March 2026: CEST has begun at 02:00, so 10:00 is 08:00 UTC
        (10, 9),  # 25 October 2026: back to CET at 03:00, so 10:00 is 09:00 UTC
    ],
)
def test_item_on_the_dst_sunday_stays_at_10_local(month, utc_hour):
    item = timed(Recurrence.nth_weekday(month=month, weekday=6, n=-1))
    [occ] = occurrences(item, date(2026, 1, 1), date(2027, 1, 1))
    assert occ.start.timetz().replace(tzinfo=None) == time(10)
    assert occ.start.astimezone(UTC).hour == utc_hour
    assert occ.end - occ.start == timedelta(hours=2)


def test_weekly_meeting_keeps_local_time_across_the_change():
    item = timed(Recurrence.rrule("FREQ=WEEKLY;BYDAY=SU", dtstart=date(2026, 3, 15)))
    found = occurrences(item, date(2026, 3, 15), date(2026, 4, 12))
    assert [o.start.hour for o in found] == [10, 10, 10, 10]
    assert [o.start.utcoffset() for o in found] == [timedelta(hours=h) for h in (1, 1, 2, 2)]


def test_a_time_in_the_spring_gap_is_read_with_the_winter_offset():
    # 02:30 does not exist on 29 March 2026; RFC 5545 reads it with the offset before
    # the gap, which is 03:30 CEST. On other Sundays it is plain 02:30.
    item = timed(
        Recurrence.rrule("FREQ=WEEKLY;BYDAY=SU", dtstart=date(2026, 3, 22)),
        start=time(2, 30),
        end=time(4),
    )
    first, second, third = occurrences(item, date(2026, 3, 22), date(2026, 4, 6))
    assert first.start == datetime(2026, 3, 22, 2, 30, tzinfo=OSLO)
    assert second.start.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert (second.start.hour, second.start.minute) == (3, 30)
    assert third.start == datetime(2026, 4, 5, 2, 30, tzinfo=OSLO)


def test_timed_item_running_over_midnight_is_found_the_next_day():
    item = CycleItem(
        id=7,
        title_nb="Nattseminar",
        category=Category.SEMINAR,
        recurrence=Recurrence.fixed_date(6, 1),
        all_day=False,
        start_time=time(20),
        duration=timedelta(hours=6),
    )
    [occ] = occurrences(item, date(2027, 6, 2), date(2027, 6, 3))
    assert occ.end == datetime(2027, 6, 2, 2, tzinfo=OSLO)


# --- custom rules -----------------------------------------------------------------------


def test_custom_rule_is_normalised_and_expanded():
    recurrence = Recurrence.rrule("rrule:freq=monthly;byday=1tu;count=3", dtstart=date(2026, 1, 1))
    assert recurrence.rule == "FREQ=MONTHLY;COUNT=3;BYDAY=1TU"
    item = all_day(recurrence)
    assert starts(item, 2026, 2030) == [date(2026, 1, 6), date(2026, 2, 3), date(2026, 3, 3)]
    assert rules.first_start(item) == date(2026, 1, 6)


def test_custom_rule_until_is_inclusive_and_written_per_kind():
    recurrence = Recurrence.rrule(
        "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=17;UNTIL=20280517", date(2026, 1, 1)
    )
    assert starts(all_day(recurrence), 2026, 2032)[-1] == date(2028, 5, 17)
    assert rules.feed_rrule(all_day(recurrence)).endswith(";UNTIL=20280517")
    # Timed: RFC 5545 wants UTC; the end of 17 May in Oslo (CEST) is 21:59:59Z.
    assert rules.feed_rrule(timed(recurrence)).endswith(";UNTIL=20280517T215959Z")


@pytest.mark.parametrize(
    "rule, code",
    [
        ("", "empty_rrule"),
        ("FREQ=HOURLY", "bad_freq"),
        ("BYMONTH=3", "bad_freq"),
        ("FREQ=WEEKLY;BYHOUR=9", "time_in_rrule"),
        ("FREQ=DAILY", "bad_freq"),
        ("FREQ=YEARLY;COUNT=3;UNTIL=20300101", "count_and_until"),
        ("FREQ=YEARLY;UNTIL=20300101T000000Z", "until_not_date"),
        ("FREQ=YEARLY;X-FOO=1", "unknown_rrule_part"),
        ("FREQ=YEARLY;INTERVAL=0", "bad_rrule"),
        ("FREQ=YEARLY;BYDAY=XX", "bad_rrule"),
        ("FREQ=WEEKLY;BYDAY=2MO", "bad_rrule"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "no_occurrences"),
        ("FREQ=WEEKLY;BYDAY=MO;BYSETPOS=2", "bad_rrule"),
        ("FREQ=MONTHLY;BYMONTHDAY=1;BYMONTH=4,5;UNTIL=20260301", "no_occurrences"),
    ],
)
def test_bad_custom_rules_say_what_is_wrong(rule, code):
    with pytest.raises(CycleRuleError) as error:
        Recurrence.rrule(rule, dtstart=date(2026, 1, 1))
    assert error.value.code == code


# --- validation -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, code",
    [
        (lambda: Recurrence.fixed_date(4, 31), "bad_day"),
        (lambda: Recurrence.fixed_date(2, 30), "bad_day"),
        (lambda: Recurrence.fixed_date(13, 1), "bad_month"),
        (lambda: Recurrence.nth_weekday(9, 7, 1), "bad_weekday"),
        (lambda: Recurrence.nth_weekday(9, 0, 5), "bad_n"),
        (lambda: Recurrence.nth_weekday(9, 0, 0), "bad_n"),
        (lambda: Recurrence.period(2, 29, 3, 5), "feb_29_period"),
        (lambda: Recurrence.period(1, 1, 6, 31), "bad_day"),
        (lambda: Recurrence("weekly"), "unknown_kind"),
        (lambda: Recurrence("fixed_date", month=3), "missing_field"),
        (lambda: Recurrence("fixed_date", month=3, day=1, n=2), "unexpected_field"),
    ],
)
def test_bad_recurrences_say_what_is_wrong(make, code):
    with pytest.raises(CycleRuleError) as error:
        make()
    assert error.value.code == code
    assert isinstance(error.value, ValueError)  # forms can catch ValueError


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"title_nb": " "}, "missing_title"),
        ({"category": "party"}, "bad_category"),
        ({"audience": "everyone"}, "bad_audience"),
        ({"start_time": time(9)}, "times_on_all_day"),
        ({"reminder": timedelta(hours=3)}, "bad_reminder"),
        ({"reminder": -timedelta(days=1)}, "bad_reminder"),
        ({"first_year": 2030, "last_year": 2029}, "years_reversed"),
        ({"all_day": False}, "missing_start_time"),
        ({"all_day": False, "start_time": time(9)}, "end_or_duration"),
        ({"all_day": False, "start_time": time(9), "end_time": time(9)}, "end_before_start"),
        ({"all_day": False, "start_time": time(9), "duration": timedelta(0)}, "bad_duration"),
        ({"sequence": -1}, "bad_sequence"),
    ],
)
def test_bad_items_say_what_is_wrong(kwargs, code):
    fields = {
        "id": 1,
        "title_nb": "Frist",
        "category": "deadline",
        "recurrence": Recurrence.fixed_date(3, 1),
    }
    with pytest.raises(CycleRuleError) as error:
        CycleItem(**(fields | kwargs))
    assert error.value.code == code


def test_a_period_is_all_day():
    with pytest.raises(CycleRuleError) as error:
        timed(Recurrence.period(1, 10, 2, 15))
    assert error.value.code == "timed_period"


def test_a_custom_rule_brings_its_own_bounds():
    with pytest.raises(CycleRuleError) as error:
        all_day(Recurrence.rrule("FREQ=YEARLY", date(2026, 3, 1)), first_year=2027)
    assert error.value.code == "years_with_rrule"


def test_strings_from_a_form_become_enums():
    item = all_day(Recurrence("nth_weekday", month=9, weekday=0, n=2), category="seminar")
    assert item.category is Category.SEMINAR
    assert item.recurrence.kind is rules.RecurrenceKind.NTH_WEEKDAY


def test_english_title_falls_back_to_norwegian():
    item = all_day(Recurrence.fixed_date(3, 1), title_en="")
    assert item.title("en") == "Frist"
    assert all_day(Recurrence.fixed_date(3, 1), title_en="Deadline").title("en") == "Deadline"


# --- first and last year, and the RRULE text --------------------------------------------


def test_first_and_last_year_bound_the_occurrences_and_the_feed_rule():
    item = all_day(Recurrence.nth_weekday(9, 0, 2), first_year=2027, last_year=2029)
    assert [d.year for d in starts(item, 2020, 2035)] == [2027, 2028, 2029]
    assert rules.first_start(item) == date(2027, 9, 13)
    assert rules.feed_rrule(item) == "FREQ=YEARLY;BYMONTH=9;BYDAY=2MO;UNTIL=20291231"
    # Timed: the end of 31 December in Oslo (CET) in UTC.
    timed_item = timed(Recurrence.nth_weekday(9, 0, 2), last_year=2029)
    assert rules.feed_rrule(timed_item).endswith(";UNTIL=20291231T225959Z")


def test_an_item_without_first_year_starts_in_the_default_year():
    item = all_day(Recurrence.fixed_date(5, 17))
    assert rules.first_start(item) == date(rules.DEFAULT_FIRST_YEAR, 5, 17)
    assert starts(item, 1990, 2000) == [date(2000, 5, 17)]


@pytest.mark.parametrize(
    "recurrence, text",
    [
        (Recurrence.fixed_date(5, 17), "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=17"),
        (Recurrence.nth_weekday(9, 0, 2), "FREQ=YEARLY;BYMONTH=9;BYDAY=2MO"),
        (Recurrence.nth_weekday(11, 4, -1), "FREQ=YEARLY;BYMONTH=11;BYDAY=-1FR"),
        (Recurrence.period(12, 20, 1, 5), "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=20"),
    ],
)
def test_to_rrule(recurrence, text):
    assert rules.to_rrule(recurrence) == text


# --- reminders --------------------------------------------------------------------------


def test_all_day_reminder_goes_out_at_nine_the_lead_days_before():
    item = all_day(Recurrence.fixed_date(4, 10), reminder=timedelta(days=14))
    [occ] = occurrences(item, date(2027, 1, 1), date(2028, 1, 1))
    # 27 March is still winter time, 10 April summer time: 09:00 local either way.
    assert rules.reminder_due(item, occ) == datetime(2027, 3, 27, 9, tzinfo=OSLO)


def test_timed_reminder_keeps_the_wall_clock_for_whole_days():
    item = timed(Recurrence.fixed_date(4, 5), reminder=timedelta(days=14))
    [occ] = occurrences(item, date(2027, 1, 1), date(2028, 1, 1))
    due = rules.reminder_due(item, occ)
    assert due == datetime(2027, 3, 22, 10, tzinfo=OSLO)
    assert due.utcoffset() == timedelta(hours=1)  # before the change, while the item is after


def test_timed_reminder_in_hours_is_exact():
    item = timed(Recurrence.nth_weekday(3, 6, -1), start=time(4), end=time(5))
    item = CycleItem(**(vars(item) | {"reminder": timedelta(hours=3)}))
    [occ] = occurrences(item, date(2026, 1, 1), date(2027, 1, 1))
    # 04:00 CEST on 29 March 2026 is 02:00 UTC; three hours earlier is 00:00 CET.
    assert rules.reminder_due(item, occ) == datetime(2026, 3, 28, 23, tzinfo=UTC)


def test_no_reminder_without_a_lead_time():
    item = all_day(Recurrence.fixed_date(4, 10))
    [occ] = occurrences(item, date(2027, 1, 1), date(2028, 1, 1))
    assert rules.reminder_due(item, occ) is None


def test_due_reminders_each_once_in_consecutive_windows():
    items = [
        all_day(Recurrence.fixed_date(4, 10), item_id=1, reminder=timedelta(days=14)),
        timed(Recurrence.nth_weekday(9, 0, 2), item_id=2, reminder=timedelta(days=1)),
        all_day(Recurrence.fixed_date(6, 1), item_id=3, reminder=timedelta(0)),
        all_day(Recurrence.fixed_date(6, 2), item_id=4),
    ]
    # Run the periodic command every six hours through 2027.
    ticks = [datetime(2027, 1, 1, tzinfo=OSLO) + timedelta(hours=6 * i) for i in range(4 * 365)]
    sent = []
    for after, until in zip(ticks, ticks[1:], strict=False):
        sent += [
            (item.id, occ.key, when) for item, occ, when in rules.due_reminders(items, after, until)
        ]
    assert sent == [
        (1, "2027-04-10", datetime(2027, 3, 27, 9, tzinfo=OSLO)),
        (3, "2027-06-01", datetime(2027, 6, 1, 9, tzinfo=OSLO)),
        (2, "2027-09-13", datetime(2027, 9, 12, 10, tzinfo=OSLO)),
    ]


# --- filters and sorting ----------------------------------------------------------------


def test_select_items_by_audience_and_category():
    public_deadline = all_day(Recurrence.fixed_date(3, 1), item_id=1)
    public_seminar = all_day(Recurrence.fixed_date(3, 2), item_id=2, category=Category.SEMINAR)
    secretariat = all_day(Recurrence.fixed_date(3, 3), item_id=3, audience=Audience.SECRETARIAT)
    items = [public_deadline, public_seminar, secretariat]
    assert rules.select_items(items) == [public_deadline, public_seminar]
    assert rules.select_items(items, categories=["seminar"]) == [public_seminar]
    assert rules.select_items(items, audiences=["public", "secretariat"], categories=[]) == []
    assert rules.select_items(items, audiences=list(Audience)) == items


def test_occurrences_all_sorted_by_start_all_day_first():
    items = [
        timed(Recurrence.fixed_date(3, 1), item_id=1, start=time(8), end=time(9)),
        all_day(Recurrence.fixed_date(3, 1), item_id=2),
        all_day(Recurrence.fixed_date(2, 1), item_id=3),
    ]
    found = rules.occurrences_all(items, date(2027, 1, 1), date(2028, 1, 1))
    assert [o.item_id for o in found] == [3, 2, 1]


# --- properties -------------------------------------------------------------------------

months_days = st.tuples(st.integers(1, 12), st.integers(1, 31)).filter(
    lambda md: md[1] <= (28 if md[0] == 2 else 30 if md[0] in (4, 6, 9, 11) else 31)
)
yearly_recurrences = st.one_of(
    months_days.map(lambda md: Recurrence.fixed_date(*md)),
    st.builds(
        Recurrence.nth_weekday,
        month=st.integers(1, 12),
        weekday=st.integers(0, 6),
        n=st.sampled_from([1, 2, 3, 4, -1]),
    ),
    st.tuples(months_days, months_days).map(lambda p: Recurrence.period(*p[0], *p[1])),
)
ranges = st.tuples(st.dates(date(2000, 1, 1), date(2060, 1, 1)), st.integers(1, 3000)).map(
    lambda r: (r[0], r[0] + timedelta(days=r[1]))
)


def make_item(recurrence, is_timed, start_minute):
    if is_timed and recurrence.kind is not rules.RecurrenceKind.PERIOD:
        return timed(
            recurrence,
            start=time(start_minute // 60, start_minute % 60),
            end=None,
            duration=timedelta(hours=2),
        )
    return all_day(recurrence)


@settings(max_examples=200, deadline=None)
@given(yearly_recurrences, st.booleans(), st.integers(0, 22 * 60), ranges)
def test_occurrences_are_sorted_and_overlap_the_range(recurrence, is_timed, minute, span):
    item = make_item(recurrence, is_timed, minute)
    start, end = span
    found = occurrences(item, start, end)
    instants = [occ.start_instant() for occ in found]
    assert instants == sorted(instants)
    for occ in found:
        if occ.all_day:
            assert occ.start < end and occ.end > start
        else:
            assert occ.start < datetime.combine(end, time(), OSLO)
            assert occ.end > datetime.combine(start, time(), OSLO)
            assert occ.start.tzinfo is OSLO
        assert occ.end > occ.start


@settings(max_examples=200, deadline=None)
@given(yearly_recurrences, st.booleans(), st.integers(0, 22 * 60), st.integers(2000, 2090))
def test_one_occurrence_a_year(recurrence, is_timed, minute, first_year):
    item = make_item(recurrence, is_timed, minute)
    years = range(first_year, first_year + 10)
    found = occurrences(item, date(first_year - 1, 1, 1), date(years.stop + 1, 1, 1))
    by_year = [occ.key[:4] for occ in found if int(occ.key[:4]) in years]
    assert by_year == [str(year) for year in years]


@settings(max_examples=50, deadline=None)
@given(st.integers(2000, 2400))
def test_29_february_occurs_exactly_in_leap_years(year):
    item = all_day(Recurrence.fixed_date(2, 29))
    found = occurrences(item, date(year, 1, 1), date(year + 1, 1, 1))
    is_leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    assert len(found) == (1 if is_leap else 0)
