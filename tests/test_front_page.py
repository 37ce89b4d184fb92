"""The front page is the network's front door: the next events with what registering
would mean now, the årshjul's next items and the newest resources, for anyone, in
bokmål and English, in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import upcoming
from sqlalchemy import event as sa_event

from eventsys import database
from eventsys.extensions import db


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


@pytest.fixture
def make_item(app):
    from eventsys.arshjul import operations

    def make(title_nb, title_en, on: date, audience="public", **overrides) -> int:
        values = dict(
            title_nb=title_nb,
            title_en=title_en,
            description="",
            category="deadline",
            audience=audience,
            link="",
            recurrence_kind="fixed_date",
            month=on.month,
            day=on.day,
            all_day=True,
            reminder_days=None,
        )
        values.update(overrides)
        with app.app_context():
            item = operations.create_item(values, None)
            database.commit()
            return item.id

    return make


@pytest.fixture
def make_resource(app):
    from eventsys.resources.models import Resource, ResourceKind, ResourceStatus

    def make(title, status="published", days_ago=1):
        with app.app_context():
            resource = Resource(
                kind=ResourceKind.report,
                title=title,
                status=ResourceStatus(status),
                language="nb",
                published_at=datetime.now(UTC) - timedelta(days=days_ago)
                if status == "published"
                else None,
            )
            db.session.add(resource)
            database.commit()
            return resource.id

    return make


def _register(app, event_id, *emails):
    from eventsys.registration import operations as reg_ops

    with app.app_context():
        for address in emails:
            reg_ops.register(
                event_id, reg_ops.Person(email=address, name=address, vouched=True), None
            )
        database.commit()


@pytest.fixture
def front(app, make_event, make_item, make_resource):
    """Events, items and resources, some of which must not be shown."""
    now = datetime.now(UTC)
    today = date.today()
    # Events, made out of order.
    later = make_event(title="Konferansen", capacity=40, **upcoming(days=60))
    full = make_event(title="Fullt seminar", capacity=1, **upcoming(days=20))
    _register(app, full, "a@gmail.com", "b@gmail.com", "c@gmail.com")
    make_event(title="Kladdeseminar", status="draft", **upcoming(days=5))
    make_event(
        title="Forrige seminar",
        starts_at=now - timedelta(days=3),
        ends_at=now - timedelta(days=3) + timedelta(hours=4),
        registration_opens_at=now - timedelta(days=30),
        registration_closes_at=now - timedelta(days=4),
    )
    soon = make_event(title="Webinar om frafall", capacity=30, **upcoming(days=10))
    not_yet = make_event(
        title="Vårseminaret",
        capacity=25,
        **upcoming(days=120, registration_opens_at=now + timedelta(days=30)),
    )
    # Årshjul items: two public ones ahead, one only for the secretariat, one past.
    make_item("Frist for søknader", "Application deadline", today + timedelta(days=40))
    make_item("Innspill til programmet", "Programme suggestions", today + timedelta(days=12))
    make_item("Styremøte", "Board meeting", today + timedelta(days=8), audience="secretariat")
    make_item(
        "Gammel engangsfrist",
        "Old one-off deadline",
        today,
        recurrence_kind="rrule",
        rrule="FREQ=YEARLY;COUNT=1",
        rrule_start=today - timedelta(days=20),
    )
    # Resources: the newest first, drafts never.
    make_resource("Eldre rapport", days_ago=30)
    make_resource("Ny rapport om gjennomføring", days_ago=1)
    make_resource("Utkast som ikke er publisert", status="draft")
    make_resource("Veileder for mentorordninger", days_ago=5)
    return dict(soon=soon, full=full, later=later, not_yet=not_yet)


def test_front_page_shows_what_comes_next_in_order(client, front):
    response = client.get("/")
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))

    events = _between(text, "Neste arrangementer", "Alle arrangementer")
    order = ["Webinar om frafall", "Fullt seminar", "Konferansen", "Vårseminaret"]
    assert [events.index(title) for title in order] == sorted(
        events.index(title) for title in order
    )
    for hidden in ("Kladdeseminar", "Forrige seminar"):
        assert hidden not in text
    # The registration state in words, per event.
    assert "30 av 30 plasser ledige" in events
    assert "Fullt: melder du deg på, kommer du på ventelisten, der 2 personer venter." in events
    assert "Påmeldingen åpner" in events[events.index("Vårseminaret") :]
    assert f'href="/events/{front["soon"]}"' in response.get_data(as_text=True)

    items = _between(text, "Neste i årshjulet", "Hele årshjulet")
    assert items.index("Innspill til programmet") < items.index("Frist for søknader")
    assert "Styremøte" not in items and "Gammel engangsfrist" not in items

    bank = _between(text, "Nytt i ressursbanken", "Søk i ressursbanken")
    assert bank.index("Ny rapport om gjennomføring") < bank.index("Veileder for mentorordninger")
    assert bank.index("Veileder for mentorordninger") < bank.index("Eldre rapport")
    assert "Utkast som ikke er publisert" not in text

    assert "/forum" in response.get_data(as_text=True)
    assert "/people" in response.get_data(as_text=True)


def test_front_page_in_english_and_for_a_member(client, front, make_user, login):
    text = _text(client.get("/?lang=en").get_data(as_text=True))
    events = _between(text, "Next events", "All events")
    assert "30 of 30 places left" in events and "Webinar om frafall" in events
    assert "Full: registering puts you on the waiting list, where 2 people are waiting." in events
    items = _between(text, "Coming up in the annual cycle", "The whole annual cycle")
    assert "Programme suggestions" in items and "Application deadline" in items

    # Staff of the secretariat see their own items too.
    make_user("sekretariat@nettverket.no", role="organiser")
    login("sekretariat@nettverket.no")
    text = _text(client.get("/").get_data(as_text=True))
    assert "Styremøte" in _between(text, "Neste i årshjulet", "Hele årshjulet")


def test_front_page_queries_do_not_grow_with_the_content(app, client, make_event, make_resource):
    def queries() -> int:
        count = 0

        def counted(*_args):
            nonlocal count
            count += 1

        with app.app_context():
            engine = db.engine
        sa_event.listen(engine, "before_cursor_execute", counted)
        try:
            assert client.get("/").status_code == 200
        finally:
            sa_event.remove(engine, "before_cursor_execute", counted)
        return count

    make_event(title="Ett", **upcoming(days=3))
    make_resource("En rapport")
    few = queries()
    for number in range(4):
        make_event(title=f"Seminar {number}", **upcoming(days=10 + number))
        make_resource(f"Rapport {number}")
    assert queries() == few


@pytest.mark.parametrize(
    ("opens", "closes", "priority", "left", "state"),
    [
        (1, 10, None, 5, "opens"),  # opens tomorrow
        (-10, -1, None, 5, "closed"),
        (-10, 10, None, 0, "full"),
        (-10, 10, 3, 0, "full"),  # full is full, priority or not
        (-10, 10, 3, 5, "priority"),
        (-10, 10, -3, 5, "open"),  # the priority deadline has passed
        (-10, 10, None, 5, "open"),
    ],
)
def test_registration_state_is_one_thing_at_a_time(opens, closes, priority, left, state):
    from eventsys.public.front import registration_state

    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    day = timedelta(days=1)
    assert (
        registration_state(
            now, now + opens * day, now + closes * day, priority and now + priority * day, left
        )
        == state
    )
