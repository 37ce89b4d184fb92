"""One-line fields refuse line breaks (forms and the API), and every e-mail header and
iCalendar property stays one line whatever text is already in the database."""

from __future__ import annotations

import pytest
from conftest import upcoming
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import update

from eventsys import database
from eventsys.extensions import db
from eventsys.text import LINE_BREAKS, has_line_break, one_line

HOSTILE = [
    "Seminar\nX-INJECTED:1",
    "Seminar\r\nBCC: victim@evil.example",
    "Seminar\rX-WR-CALNAME:Evil",
    "Seminar\u2028second line",
    "Seminar\x85\x0b\x0cend",
]


@given(st.text())
def test_one_line_never_holds_a_line_break_or_control_character(text):
    result = one_line(text)
    assert not has_line_break(result)
    assert not any(ord(c) < 32 or ord(c) == 127 for c in result)
    assert result == result.strip()


def test_one_line_keeps_ordinary_text():
    assert one_line("Seminar om studentengasjement – Bergen") == (
        "Seminar om studentengasjement – Bergen"
    )
    assert one_line("A\r\n  B") == "A B"
    assert LINE_BREAKS.search("\u2029")


@pytest.fixture
def hostile_event(app, make_event, network):
    """An event whose title and venue hold line breaks already in the database (as
    data saved before the check existed, or written by another system)."""

    def make(title):
        event_id = make_event(**upcoming(), capacity=5, fee=0)
        with app.app_context():
            from eventsys.events.models import Event

            db.session.execute(
                update(Event).where(Event.id == event_id).values(title=title, venue=title)
            )
            database.commit()
        return event_id

    return make


@pytest.mark.parametrize("title", HOSTILE)
def test_an_events_calendar_file_stays_valid_with_a_hostile_title(client, hostile_event, title):
    event_id = hostile_event(title)
    response = client.get(f"/events/{event_id}.ics")
    assert response.status_code == 200
    data = response.get_data()
    lines = data.decode().split("\r\n")
    assert not any(line.startswith(("X-INJECTED", "BCC", "X-WR-CALNAME:Evil")) for line in lines)
    assert b"\r" not in data.replace(b"\r\n", b"")
    assert b"\n" not in data.replace(b"\r\n", b"")
    calendar = Calendar.from_ical(data)
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]).startswith("Seminar")
    assert not has_line_break(str(vevent["SUMMARY"]))
    assert not has_line_break(str(calendar["X-WR-CALNAME"]))


@pytest.mark.parametrize("title", HOSTILE)
def test_mail_for_an_event_with_a_hostile_title_is_delivered_with_a_one_line_subject(
    app, smtp, hostile_event, title
):
    from eventsys.registration import operations as reg_ops

    event_id = hostile_event(title)
    with app.app_context():
        reg_ops.register(
            event_id, reg_ops.Person(email="kari@uib.no", name="Kari", vouched=True), None
        )
        database.commit()
    message = smtp.last_to("kari@uib.no")
    assert "Seminar" in message["Subject"]
    assert not has_line_break(str(message["Subject"]))
    assert message["Bcc"] is None and message["X-Injected"] is None


def test_the_public_feed_stays_valid_with_a_hostile_title(client, hostile_event):
    hostile_event("Seminar\rX-WR-CALNAME:Evil")
    response = client.get("/arshjul.ics")
    assert response.status_code == 200
    assert b"\r" not in response.get_data().replace(b"\r\n", b"")


def test_the_event_form_refuses_a_line_break_in_the_title(app, make_user, submit, login):
    make_user("arr@nettverket.no", role="organiser")
    login("arr@nettverket.no")
    page = submit(
        "/organiser/events/new",
        {
            "title": "Seminar\r\nBCC: victim@evil.example",
            "kind": "seminar",
            "format": "on_site",
            "capacity": "20",
            "fee": "0",
        },
    )
    assert page.status_code == 422
    assert "Feltet må stå på én linje." in page.get_data(as_text=True)


def test_sign_up_refuses_a_line_break_in_the_name(client, submit, smtp):
    response = submit(
        "/signup",
        {"name": "Kari\rX-Evil: 1", "email": "kari@uib.no", "password": "et-langt-passord"},
    )
    assert response.status_code == 422
    assert "Feltet må stå på én linje." in response.get_data(as_text=True)


def test_the_api_refuses_a_line_break_in_an_event_title(app, client, make_user):
    from eventsys.auth import operations
    from eventsys.auth.models import User

    make_user("arr@nettverket.no", role="organiser")
    with app.app_context():
        user = db.session.query(User).filter_by(email="arr@nettverket.no").one()
        token = operations.issue_api_token(user)
        database.commit()
    response = client.post(
        "/api/v1/events",
        json={
            "title": "Seminar\nX-INJECTED:1",
            "kind": "seminar",
            "format": "online",
            "starts_at": "2030-03-10T09:00:00+01:00",
            "ends_at": "2030-03-10T15:00:00+01:00",
            "capacity": 20,
            "registration_opens_at": "2030-01-10T09:00:00+01:00",
            "registration_closes_at": "2030-03-09T09:00:00+01:00",
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "single_line"
