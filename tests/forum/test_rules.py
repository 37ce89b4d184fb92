from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventsys.forum import rules

BASE = "https://arrangement.example.no"


@pytest.mark.parametrize(
    ("moderator", "published_before", "waits"),
    [(False, False, True), (False, True, False), (True, False, False), (True, True, False)],
)
def test_only_a_first_post_of_a_non_moderator_waits(moderator, published_before, waits):
    assert rules.needs_moderation(moderator, published_before) is waits


@pytest.mark.parametrize(
    ("minutes", "author", "allowed"),
    [(0, True, True), (29, True, True), (30, True, True), (31, True, False), (5, False, False)],
)
def test_editing_window(minutes, author, allowed):
    written = datetime(2027, 2, 1, 9, tzinfo=UTC)
    assert rules.may_edit(author, written, written + timedelta(minutes=minutes)) is allowed


def test_quote_marks_every_line_and_names_the_author():
    text = rules.quote("Linje en\n\nLinje to", "Kari")
    assert text.startswith("> **Kari:**\n>\n> Linje en\n>\n> Linje to\n")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (f"Se [seminaret]({BASE}/events/12).", [("event", 12)]),
        ("Se /events/3 og /resources/7.", [("event", 3), ("resource", 7)]),
        (f"<{BASE}/resources/9>", [("resource", 9)]),
        ("https://annet.example.com/events/4", []),
        ("/events/5.ics eller /events/5/register", []),
        (f"{BASE}/events/2 og igjen {BASE}/events/2", [("event", 2)]),
    ],
)
def test_links_to_events_and_resources_become_cards(body, expected):
    assert [(link.kind, link.id) for link in rules.linked(body, BASE)] == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_digest_periods_are_whole_and_before_today(today):
    daily = rules.last_complete_period("daily", today)
    assert daily.first == daily.last == today - timedelta(days=1)
    weekly = rules.last_complete_period("weekly", today)
    assert weekly.first.weekday() == 0 and (weekly.last - weekly.first).days == 6
    assert weekly.last < today <= weekly.last + timedelta(days=7)
    assert weekly.key == f"{weekly.first.isocalendar()[0]}-W{weekly.first.isocalendar()[1]:02d}"
