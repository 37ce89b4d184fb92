"""The årshjul's iCalendar feeds as calendar programs fetch them: the public feed, the
private per-user feed and one event, read back with icalendar, recurring-ical-events
and vobject."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
import vobject
from conftest import NOW
from icalendar import Calendar
from sqlalchemy import select, update

from eventsys import database
from eventsys.arshjul.models import CalendarToken, CycleItem
from eventsys.extensions import db

OSLO = ZoneInfo("Europe/Oslo")


def parse(response) -> Calendar:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.data)


def vevents(cal: Calendar) -> dict:
    return {str(component["UID"]): component for component in cal.walk("VEVENT")}


def uid(kind: str, number: int, suffix: str = "") -> str:
    return f"{kind}-{number}{suffix}@localhost"


def private_link(html: str) -> str:
    match = re.search(r'value="http://localhost(/calendar/[A-Za-z0-9_-]+\.ics)"', html)
    assert match, "no private calendar link on the page"
    return match.group(1)


@pytest.fixture
def cycle(make_item, make_event, app):
    """A small årshjul: items of every kind and audience, and events in each state."""
    from eventsys.registration import operations as reg_ops

    ids = {
        "deadline": make_item(),  # 15 February, reminder 14 days before
        "meeting": make_item(
            title_nb="Styringsgruppemøte",
            title_en="Steering group meeting",
            category="meeting",
            recurrence_kind="nth_weekday",
            month=3,
            weekday=1,
            nth=2,
            all_day=False,
            start_time=time(10),
            end_time=time(12),
            reminder_days=None,
        ),
        "period": make_item(
            title_nb="Forberedelse til studiestart",
            category="activity",
            recurrence_kind="period",
            month=4,
            day=15,
            end_month=6,
            end_day=15,
            reminder_days=None,
        ),
        "secret": make_item(title_nb="Sakspapirer sendes ut", audience="secretariat"),
        "owners": make_item(title_nb="Kontingent forfaller", audience="owners", day=28),
        "published": make_event(title="Seminar om studentengasjement"),
        "cancelled": make_event(title="Frokostmøte", kind="meeting"),
        "draft": make_event(title="Hemmelig utkast", status="draft"),
    }
    with app.app_context():
        reg_ops.cancel_event(ids["cancelled"], None)
        database.commit()
    return ids


def test_public_feed_parses_and_holds_public_items_and_events(client, cycle):
    response = client.get("/arshjul.ics")
    cal = parse(response)
    found = vevents(cal)
    assert set(found) == {
        uid("arshjul", cycle["deadline"]),
        uid("arshjul", cycle["meeting"]),
        uid("arshjul", cycle["period"]),
        uid("event", cycle["published"]),
        uid("event", cycle["cancelled"]),
    }  # no draft, nothing for the secretariat or the owners only

    # A second, independent reader agrees.
    parsed = vobject.readOne(response.get_data(as_text=True))
    assert {str(v.uid.value) for v in parsed.vevent_list} == set(found)
    assert str(parsed.vtimezone.tzid.value) == "Europe/Oslo"

    # Every TZID used has its VTIMEZONE.
    used = set(re.findall(r"TZID=([^:;]+)", response.get_data(as_text=True)))
    defined = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    assert used and used <= defined

    meeting = found[uid("arshjul", cycle["meeting"])]
    assert meeting["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert meeting["RRULE"] == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["2TU"]}
    assert meeting["URL"] == f"http://localhost/arshjul#item-{cycle['meeting']}"

    # All-day: dates, and DTEND is the day after the last day.
    deadline = found[uid("arshjul", cycle["deadline"])]
    assert deadline["DTSTART"].dt == date(2000, 2, 15)
    assert deadline["DTEND"].dt == date(2000, 2, 16)
    assert deadline["DTSTART"].params["VALUE"] == "DATE"
    assert not isinstance(deadline["DTEND"].dt, datetime)
    period = found[uid("arshjul", cycle["period"])]
    assert (period["DTSTART"].dt, period["DTEND"].dt) == (date(2000, 4, 15), date(2000, 6, 16))

    # The reminder is an alarm: 14 days before, at 09:00.
    (alarm,) = deadline.walk("VALARM")
    assert alarm["TRIGGER"].dt == -timedelta(days=13, hours=15)
    assert meeting.walk("VALARM") == []

    cancelled = found[uid("event", cycle["cancelled"])]
    assert cancelled["STATUS"] == "CANCELLED"
    assert cancelled["SEQUENCE"] == 1  # cancelling is a change
    assert cancelled.walk("VALARM") == []
    published = found[uid("event", cycle["published"])]
    assert published["STATUS"] == "CONFIRMED"
    assert published["URL"] == f"http://localhost/events/{cycle['published']}"
    assert published["DTSTART"].dt == NOW + timedelta(days=30)

    # What a calendar program shows in 2027: the second Tuesday of March at 10:00.
    shown = recurring_ical_events.of(cal).between(date(2027, 3, 1), date(2027, 4, 1))
    assert [
        (e["SUMMARY"], e["DTSTART"].dt) for e in shown if str(e["UID"]).startswith("arshjul")
    ] == [("Styringsgruppemøte", datetime(2027, 3, 9, 10, tzinfo=OSLO))]


def test_english_feed_on_request(client, cycle):
    found = vevents(parse(client.get("/arshjul.ics?lang=en")))
    assert found[uid("arshjul", cycle["meeting"])]["SUMMARY"] == "Steering group meeting"
    assert found[uid("arshjul", cycle["period"])]["SUMMARY"] == "Forberedelse til studiestart"
    assert found[uid("event", cycle["cancelled"])]["SUMMARY"] == "CANCELLED: Frokostmøte"


def test_same_bytes_across_requests_and_an_app_restart(app, client, cycle, database_url):
    from config import TestConfig
    from eventsys import create_app

    first = client.get("/arshjul.ics")
    second = client.get("/arshjul.ics")
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    restarted = create_app(Config())
    try:
        third = restarted.test_client().get("/arshjul.ics")
    finally:
        with restarted.app_context():
            db.engine.dispose()
    assert third.data == first.data
    assert set(vevents(parse(third))) == set(vevents(parse(first)))


def test_sequence_rises_when_an_item_or_an_event_changes(app, client, cycle, organiser, submit):
    from eventsys.events import operations as event_ops
    from eventsys.events.models import Event

    before = vevents(parse(client.get("/arshjul.ics")))
    assert before[uid("arshjul", cycle["deadline"])]["SEQUENCE"] == 0
    assert before[uid("event", cycle["published"])]["SEQUENCE"] == 0

    # The organiser moves the deadline to 20 February on the item's page.
    url = f"/organiser/arshjul/{cycle['deadline']}/edit"
    response = submit(
        url,
        {
            "title_nb": "Budsjettfrist for eierne",
            "title_en": "Budget deadline for the owners",
            "description": "Eierne melder inn budsjettet.",
            "category": "deadline",
            "audience": "public",
            "recurrence_kind": "fixed_date",
            "fixed_month": "2",
            "fixed_day": "20",
            "all_day": "y",
            "reminder_days": "14",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    # The event starts an hour later.
    with app.app_context():
        event = db.session.get(Event, cycle["published"])
        event_ops.update_event(
            event,
            {"starts_at": event.starts_at + timedelta(hours=1)},
            None,
        )
        database.commit()

    after = vevents(parse(client.get("/arshjul.ics")))
    deadline = after[uid("arshjul", cycle["deadline"])]
    assert deadline["SEQUENCE"] == 1
    assert deadline["DTSTART"].dt == date(2000, 2, 20)
    assert (
        deadline["LAST-MODIFIED"].dt
        >= before[uid("arshjul", cycle["deadline"])]["LAST-MODIFIED"].dt
    )
    event = after[uid("event", cycle["published"])]
    assert event["SEQUENCE"] == 1
    assert event["DTSTART"].dt == NOW + timedelta(days=30, hours=1)
    # Unchanged components keep their SEQUENCE.
    assert after[uid("arshjul", cycle["meeting"])]["SEQUENCE"] == 0


def test_category_filter(client, cycle):
    only = vevents(parse(client.get("/arshjul.ics?category=deadline")))
    assert set(only) == {uid("arshjul", cycle["deadline"])}

    both = vevents(parse(client.get("/arshjul.ics?category=seminar&category=meeting")))
    # Events belong to a ring too: a seminar is a seminar, a meeting a meeting.
    assert set(both) == {
        uid("arshjul", cycle["meeting"]),
        uid("event", cycle["published"]),
        uid("event", cycle["cancelled"]),
    }
    assert client.get("/arshjul.ics?category=konferanse").status_code == 400


def test_year_filter_gives_that_years_occurrences(client, cycle, make_event):
    later = make_event(
        title="Neste års seminar",
        starts_at=datetime(2028, 3, 1, 9, tzinfo=UTC),
        ends_at=datetime(2028, 3, 1, 15, tzinfo=UTC),
        registration_opens_at=NOW,
        registration_closes_at=datetime(2028, 2, 1, tzinfo=UTC),
    )
    found = vevents(parse(client.get("/arshjul.ics?year=2027")))
    assert set(found) == {
        uid("arshjul", cycle["deadline"], "-2027-02-15"),
        uid("arshjul", cycle["meeting"], "-2027-03-09"),
        uid("arshjul", cycle["period"], "-2027-04-15"),
        uid("event", cycle["published"]),
        uid("event", cycle["cancelled"]),
    }
    assert uid("event", later) not in found
    deadline = found[uid("arshjul", cycle["deadline"], "-2027-02-15")]
    assert "RRULE" not in deadline
    assert (deadline["DTSTART"].dt, deadline["DTEND"].dt) == (date(2027, 2, 15), date(2027, 2, 16))
    assert deadline["URL"] == f"http://localhost/arshjul?year=2027#item-{cycle['deadline']}"
    assert deadline.walk("VALARM")  # the reminder stays an alarm
    meeting = found[uid("arshjul", cycle["meeting"], "-2027-03-09")]
    assert meeting["DTSTART"].dt == datetime(2027, 3, 9, 10, tzinfo=OSLO)

    found_2028 = vevents(parse(client.get("/arshjul.ics?year=2028&category=seminar")))
    assert set(found_2028) == {uid("event", later)}
    assert client.get("/arshjul.ics?year=27").status_code == 400


def test_etag_and_last_modified_answer_304(app, client, cycle):
    with app.app_context():
        # The content last changed an hour ago (Last-Modified has whole seconds, so
        # it is not sent in the second of a change).
        db.session.execute(
            update(CycleItem).values(updated_at=datetime.now(UTC) - timedelta(hours=1))
        )
        from eventsys.events.models import Event

        db.session.execute(update(Event).values(updated_at=datetime.now(UTC) - timedelta(hours=1)))
        database.commit()

    first = client.get("/arshjul.ics")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")

    again = client.get("/arshjul.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/arshjul.ics", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    # The ETag is per variant: another filter is another feed.
    other = client.get("/arshjul.ics?category=deadline", headers={"If-None-Match": etag})
    assert other.status_code == 200

    from eventsys.arshjul import operations

    with app.app_context():
        item = operations.lock_item(cycle["meeting"])
        values = {name: getattr(item, name) for name in operations.EDITABLE}
        operations.update_item(item, values | {"end_time": time(13)}, None)
        database.commit()
    changed = client.get("/arshjul.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert client.get("/arshjul.ics", headers={"If-Modified-Since": modified}).status_code == 200


def test_one_event_as_ics(app, client, cycle):
    from eventsys.arshjul.operations import event_ics
    from eventsys.events.models import Event

    response = client.get(f"/events/{cycle['published']}.ics")
    (event,) = parse(response).walk("VEVENT")
    assert str(event["UID"]) == uid("event", cycle["published"])
    assert event["SUMMARY"] == "Seminar om studentengasjement"
    assert "attachment" in response.headers["Content-Disposition"]
    assert client.get(f"/events/{cycle['cancelled']}.ics").status_code == 200
    assert client.get(f"/events/{cycle['draft']}.ics").status_code == 404
    assert client.get("/events/999999.ics").status_code == 404

    # The operation the confirmation e-mail attaches: the same UID and SEQUENCE.
    with app.app_context():
        data = event_ics(db.session.get(Event, cycle["published"]), "nb")
        with pytest.raises(ValueError):
            event_ics(db.session.get(Event, cycle["draft"]))
    (attached,) = Calendar.from_ical(data).walk("VEVENT")
    assert (attached["UID"], attached["SEQUENCE"]) == (event["UID"], event["SEQUENCE"])


def test_private_feed_needs_the_right_token_and_stops_after_revoke(
    app, client, submit, login, make_user, owners, cycle, follow
):
    from eventsys.auth.operations import find_user
    from eventsys.registration import operations as reg_ops

    make_user("kari@uib.no")  # owner staff (tier 1)
    follow("kari@uib.no", "deadline", "activity")
    with app.app_context():
        user = find_user("kari@uib.no")
        person = reg_ops.Person(email=user.email, name=user.name, user=user)
        reg_ops.register(cycle["published"], person, user, now=NOW)
        database.commit()

    login("kari@uib.no")
    page = client.get("/account/calendar")
    assert page.status_code == 200
    link = private_link(page.get_data(as_text=True))
    assert "webcal://localhost/calendar/" in page.get_data(as_text=True)
    assert private_link(client.get("/account/calendar").get_data(as_text=True)) == link

    stranger = app.test_client()  # calendar programs do not log in
    response = stranger.get(link)
    found = vevents(parse(response))
    assert set(found) == {
        uid("arshjul", cycle["deadline"]),
        uid("arshjul", cycle["owners"]),  # owner staff see the owners' items
        uid("arshjul", cycle["period"]),
        uid("event", cycle["published"]),
    }
    assert {
        str(v.uid.value) for v in vobject.readOne(response.get_data(as_text=True)).vevent_list
    } == set(found)
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Last-Modified" not in response.headers
    assert (
        stranger.get(link, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    )

    token = link.removeprefix("/calendar/").removesuffix(".ics")
    wrong = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert stranger.get(f"/calendar/{wrong}.ics").status_code == 404
    assert stranger.get("/calendar/guess.ics").status_code == 404
    with app.app_context():
        stored = db.session.scalars(select(CalendarToken)).all()
        assert len(stored) == 1 and token not in (stored[0].token_hash, stored[0].nonce)

    response = submit("/account/calendar/new-link", {}, page="/account/calendar")
    assert response.status_code == 302
    assert stranger.get(link).status_code == 404
    new_link = private_link(client.get("/account/calendar").get_data(as_text=True))
    assert new_link != link
    assert stranger.get(new_link).status_code == 200


def test_private_feed_keeps_an_event_the_organisers_cancelled(
    app, client, login, make_user, owners, cycle
):
    """The event must turn into STATUS:CANCELLED in the calendar, not vanish from it."""
    from eventsys.auth.operations import find_user
    from eventsys.registration import operations as reg_ops

    make_user("kari@uib.no")
    with app.app_context():
        user = find_user("kari@uib.no")
        reg_ops.register(
            cycle["published"], reg_ops.Person(email=user.email, user=user), user, now=NOW
        )
        database.commit()
    login("kari@uib.no")
    link = private_link(client.get("/account/calendar").get_data(as_text=True))
    with app.app_context():
        reg_ops.cancel_event(cycle["published"], None)
        database.commit()
    found = vevents(parse(app.test_client().get(link)))
    event = found[uid("event", cycle["published"])]
    assert str(event["STATUS"]) == "CANCELLED"
