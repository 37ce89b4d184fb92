from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventsys.people.rules import Appointment, AppointmentError, appoint, current, owners_without

D = date


def a(id, org, user, start, end):
    return Appointment(id, org, user, start, end)


def test_current_and_missing_owners():
    history = [
        a(1, 10, 100, D(2024, 1, 1), D(2025, 12, 31)),
        a(2, 10, 101, D(2026, 1, 1), D(2027, 12, 31)),
        a(3, 11, 102, D(2024, 1, 1), D(2025, 12, 31)),
    ]
    now = current(history, D(2026, 5, 1))
    assert {org: ap.user_id for org, ap in now.items()} == {10: 101}
    assert owners_without([10, 11, 12], history, D(2026, 5, 1)) == [11, 12]


def test_a_new_appointment_ends_the_running_one_the_day_before():
    running = a(1, 10, 100, D(2026, 1, 1), D(2027, 12, 31))
    changed, new = appoint([running], a(0, 10, 101, D(2026, 9, 1), D(2027, 12, 31)))
    assert changed == [a(1, 10, 100, D(2026, 1, 1), D(2026, 8, 31))]
    assert new.user_id == 101


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [(D(2026, 1, 1), D(2025, 1, 1), "period_order"), (D(2025, 6, 1), D(2026, 6, 1), "overlap")],
)
def test_refused_appointments(start, end, code):
    later = a(1, 10, 100, D(2026, 1, 1), D(2027, 12, 31))
    with pytest.raises(AppointmentError) as exc:
        appoint([later], a(0, 10, 101, start, end))
    assert exc.value.code == code


@given(
    st.lists(st.integers(min_value=0, max_value=2000), min_size=1, max_size=8, unique=True),
    st.integers(min_value=1, max_value=900),
)
def test_appointing_in_date_order_never_leaves_two_on_one_day(starts, length):
    base = D(2024, 1, 1)
    history: list[Appointment] = []
    for n, offset in enumerate(sorted(starts)):
        start = base + timedelta(days=offset)
        changed, new = appoint(history, a(n + 1, 10, n, start, start + timedelta(days=length)))
        by_id = {c.id: c for c in changed}
        history = [by_id.get(h.id, h) for h in history] + [new]
    for day in range(0, 3000, 7):
        on = base + timedelta(days=day)
        assert sum(h.covers(on) for h in history) <= 1
