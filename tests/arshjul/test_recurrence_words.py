"""How the organisers' list and the year wheel say when an item recurs: custom rules
in words (never the raw RRULE), one-off items by their date, and limited years."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventsys.arshjul import rules

START = date(2026, 1, 1)


@pytest.mark.parametrize(
    ("rule", "nb", "en"),
    [
        (
            "FREQ=MONTHLY;BYMONTH=2,4,9,11;BYDAY=1TH",
            "Første torsdag i februar, april, september og november, fra 1. januar 2026",
            "The first Thursday of February, April, September and November, from 1 January 2026",
        ),
        (
            "FREQ=MONTHLY;COUNT=3;BYDAY=-1FR",
            "Siste fredag i hver måned, fra 1. januar 2026, 3 ganger",
            "The last Friday of every month, from 1 January 2026, 3 times",
        ),
        (
            "FREQ=YEARLY;BYMONTH=9;BYDAY=2MO",
            "Andre mandag i september, fra 1. januar 2026",
            "The second Monday of September, from 1 January 2026",
        ),
        (
            "FREQ=YEARLY;INTERVAL=2;BYMONTH=3;BYMONTHDAY=15",
            "Hvert 2. år 15. mars, fra 1. januar 2026",
            "Every 2 years on 15 March, from 1 January 2026",
        ),
        (
            "FREQ=YEARLY;UNTIL=20280517;BYMONTH=5;BYMONTHDAY=17",
            "Hvert år 17. mai, fra 1. januar 2026, til og med 17. mai 2028",
            "Every year on 17 May, from 1 January 2026, until 17 May 2028",
        ),
        (
            "FREQ=YEARLY",  # the month and day come from the start
            "Hvert år 1. januar, fra 1. januar 2026",
            "Every year on 1 January, from 1 January 2026",
        ),
        (
            "FREQ=MONTHLY;BYMONTHDAY=1,15",
            "Hver måned den 1. og 15., fra 1. januar 2026",
            "Every month on the 1st and 15th, from 1 January 2026",
        ),
        (
            "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=22",
            "Hver 3. måned den 22., fra 1. januar 2026",
            "Every 3 months on the 22nd, from 1 January 2026",
        ),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE",
            "Hver 2. uke på mandag og onsdag, fra 1. januar 2026",
            "Every 2 weeks on Monday and Wednesday, from 1 January 2026",
        ),
        (
            "FREQ=WEEKLY;COUNT=1",  # the weekday of the start (a Thursday)
            "Hver uke på torsdag, fra 1. januar 2026, 1 gang",
            "Every week on Thursday, from 1 January 2026, 1 time",
        ),
        (
            "FREQ=MONTHLY;BYMONTH=6;BYDAY=MO",
            "Hver mandag i juni, fra 1. januar 2026",
            "Every Monday in June, from 1 January 2026",
        ),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",  # the last working day
            "Etter en egen regel, fra 1. januar 2026",
            "By a custom rule, from 1 January 2026",
        ),
    ],
)
def test_custom_rules_in_words(app, rule, nb, en):
    from flask_babel import force_locale

    from eventsys.arshjul.models import CycleItem
    from eventsys.arshjul.views import recurrence_text

    rule = rules.Recurrence.rrule(rule, START).rule
    item = CycleItem(recurrence_kind=rules.RecurrenceKind.RRULE, rrule=rule, rrule_start=START)
    for lang, expected in (("en", en), ("nb", nb)):
        with app.test_request_context(), force_locale(lang):
            text = recurrence_text(item)
        assert text == expected
        assert "FREQ" not in text


def fixed(**years):
    return dict(recurrence_kind=rules.RecurrenceKind.FIXED_DATE, month=1, day=15, **years)


@pytest.mark.parametrize(
    ("values", "nb", "en"),
    [
        (fixed(first_year=2027, last_year=2027), "15. januar 2027", "15 January 2027"),
        (fixed(), "Hvert år 15. januar", "Every year on 15 January"),
        (
            fixed(first_year=2025, last_year=2027),
            "Hvert år 15. januar, 2025–2027",
            "Every year on 15 January, 2025–2027",
        ),
        (
            fixed(first_year=2025),
            "Hvert år 15. januar, fra 2025",
            "Every year on 15 January, from 2025",
        ),
        (
            fixed(last_year=2027),
            "Hvert år 15. januar, til og med 2027",
            "Every year on 15 January, until 2027",
        ),
        (
            dict(
                recurrence_kind=rules.RecurrenceKind.NTH_WEEKDAY,
                month=9,
                weekday=0,
                nth=2,
                first_year=2027,
                last_year=2027,
            ),
            "Mandag 13. september 2027",
            "Monday, 13 September 2027",
        ),
        (
            dict(
                recurrence_kind=rules.RecurrenceKind.PERIOD,
                month=12,
                day=20,
                end_month=1,
                end_day=5,
                first_year=2027,
                last_year=2027,
            ),
            "20. desember 2027 – 5. januar 2028",
            "20 December 2027 – 5 January 2028",
        ),
    ],
)
def test_one_off_and_limited_years_are_said_truthfully(app, values, nb, en):
    from flask_babel import force_locale

    from eventsys.arshjul.models import CycleItem
    from eventsys.arshjul.views import recurrence_text

    item = CycleItem(**values)
    for lang, expected in (("en", en), ("nb", nb)):
        with app.test_request_context(), force_locale(lang):
            assert recurrence_text(item) == expected


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (
            "FREQ=MONTHLY;BYMONTH=2,4;BYDAY=1TH",
            dict(freq="MONTHLY", months=(2, 4), weekdays=((3, 1),), plain=True),
        ),
        ("FREQ=YEARLY;BYMONTH=9;BYDAY=-1FR", dict(weekdays=((4, -1),), months=(9,), plain=True)),
        # What DTSTART (Thursday 1 January 2026) gives when the rule leaves it out.
        ("FREQ=YEARLY;INTERVAL=2", dict(interval=2, months=(1,), month_days=(1,))),
        ("FREQ=MONTHLY;COUNT=4", dict(month_days=(1,), count=4)),
        ("FREQ=WEEKLY;UNTIL=20260301", dict(weekdays=((3, None),), until=date(2026, 3, 1))),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", dict(plain=False)),
        ("FREQ=MONTHLY;BYDAY=MO,1TU", dict(plain=False)),
        ("FREQ=YEARLY;BYDAY=20MO", dict(plain=False)),
        ("FREQ=YEARLY;BYMONTHDAY=13;BYDAY=FR", dict(plain=False)),
        ("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", dict(plain=False)),
    ],
)
def test_rule_shape(rule, expected):
    shape = rules.rule_shape(rule, START)
    assert {name: getattr(shape, name) for name in expected} == expected


_PARTS = st.fixed_dictionaries(
    {"FREQ": st.sampled_from(["WEEKLY", "MONTHLY", "YEARLY"])},
    optional={
        "INTERVAL": st.integers(1, 4).map(str),
        "COUNT": st.integers(1, 9).map(str),
        "BYMONTH": st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True).map(
            lambda ms: ",".join(map(str, ms))
        ),
        "BYMONTHDAY": st.lists(
            st.integers(-3, 31).filter(bool), min_size=1, max_size=2, unique=True
        ).map(lambda ds: ",".join(map(str, ds))),
        "BYDAY": st.lists(
            st.tuples(
                st.sampled_from(["", "1", "2", "-1", "5", "-2"]), st.sampled_from(["MO", "FR"])
            ),
            min_size=1,
            max_size=2,
            unique=True,
        ).map(lambda days: ",".join(n + d for n, d in days)),
    },
)


@settings(max_examples=60, deadline=None)
@given(parts=_PARTS)
def test_every_valid_rule_reads_as_words(app, parts):
    from flask_babel import force_locale

    from eventsys.arshjul.models import CycleItem
    from eventsys.arshjul.views import recurrence_text

    try:
        recurrence = rules.Recurrence.rrule(";".join(f"{k}={v}" for k, v in parts.items()), START)
    except rules.CycleRuleError:
        return
    item = CycleItem(
        recurrence_kind=rules.RecurrenceKind.RRULE, rrule=recurrence.rule, rrule_start=START
    )
    for lang in ("nb", "en"):
        with app.test_request_context(), force_locale(lang):
            text = recurrence_text(item)
        assert "FREQ" not in text and "BY" not in text and "%(" not in text
