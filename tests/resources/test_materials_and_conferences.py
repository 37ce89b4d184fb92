"""Materials from events (event page, one e-mail, last year's link) and conferences
(the listing and the public årshjul feed)."""

from datetime import UTC, date, datetime, timedelta

from conftest import csrf_token


def _register(app, event_id, email, name):
    from eventsys import database
    from eventsys.registration import operations as reg_ops

    with app.app_context():
        reg_ops.register(event_id, reg_ops.Person(email=email, name=name, vouched=True), None)
        database.commit()


def test_materials_on_the_event_page_and_one_mail(
    app, client, make_event, make_resource, login, smtp
):
    now = datetime.now(UTC)
    event_id = make_event(
        capacity=10,
        starts_at=now + timedelta(days=3),
        ends_at=now + timedelta(days=3, hours=4),
        registration_opens_at=now - timedelta(days=5),
        registration_closes_at=now + timedelta(days=2),
        fee=0,
    )
    _register(app, event_id, "kari@uib.no", "Kari")
    _register(app, event_id, "per@ntnu.no", "Per")
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Materiell" in page and "Lysark og oppsummeringer publiseres her" in page

    make_resource("Lysark: Tiltak mot frafall", kind="presentation", event_id=event_id)
    make_resource("Ikke publisert ennå", kind="presentation", event_id=event_id, status="draft")
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Lysark: Tiltak mot frafall" in page and "Ikke publisert ennå" not in page

    login("arrangement@kompetansenettverk.no")
    url = f"/organiser/events/{event_id}/materials/notify"
    token = csrf_token(client.get(f"/events/{event_id}").get_data(as_text=True))
    assert client.post(url, data={"csrf_token": token}).status_code == 302

    def materials_mail():
        return [m for m in smtp.messages if m["Subject"].startswith("Materiellet fra")]

    assert sorted(m["To"] for m in materials_mail()) == ["kari@uib.no", "per@ntnu.no"]
    body = smtp.body(smtp.last_to("kari@uib.no"))
    assert "Lysark: Tiltak mot frafall" in body and f"/events/{event_id}" in body
    # Only once.
    client.post(url, data={"csrf_token": token})
    assert len(materials_mail()) == 2
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Deltakerne fikk beskjed om at materiellet er klart" in page


def _two_editions(make_event, title: str, kind: str) -> tuple[int, int]:
    """Last year's edition (over) and this year's (in five weeks) of an event."""
    now = datetime.now(UTC)
    last_year = make_event(
        title=f"{title} 2025",
        kind=kind,
        starts_at=now - timedelta(days=330),
        ends_at=now - timedelta(days=329),
        registration_opens_at=now - timedelta(days=400),
        registration_closes_at=now - timedelta(days=331),
    )
    this_year = make_event(
        title=f"{title} 2026",
        kind=kind,
        starts_at=now + timedelta(days=35),
        ends_at=now + timedelta(days=36),
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=30),
    )
    return last_year, this_year


def test_next_years_event_links_to_last_years_materials(client, make_event, make_resource):
    last_year, this_year = _two_editions(make_event, "Nasjonal konferanse", "conference")
    unrelated = make_event(title="Seminar om økonomi")
    make_resource("Hovedinnlegg 2025", kind="presentation", event_id=last_year)
    page = client.get(f"/events/{this_year}").get_data(as_text=True)
    assert "Materiell fra i fjor" in page and "Hovedinnlegg 2025" in page
    assert "Materiell fra i fjor" not in client.get(f"/events/{unrelated}").get_data(as_text=True)


def _yearly_item(app, title: str, link: str, day: date) -> int:
    """A public årshjul item on `day` every year, linking to `link`; its id."""
    from eventsys import database
    from eventsys.arshjul import operations as arshjul

    values = {
        "title_nb": title,
        "title_en": "",
        "description": "Meld deg på i god tid.",
        "category": "deadline",
        "audience": "public",
        "link": link,
        "recurrence_kind": "fixed_date",
        "month": day.month,
        "day": day.day,
        "all_day": True,
    }
    with app.app_context():
        item = arshjul.create_item(values, None).id
        database.commit()
    return item


def test_next_years_arshjul_entries_link_to_last_years_materials(
    app, client, make_event, make_resource
):
    import icalendar

    now = datetime.now(UTC)
    last_year, this_year = _two_editions(make_event, "Samling for ressurspersoner", "gathering")
    unrelated = make_event(title="Seminar om økonomi", starts_at=now + timedelta(days=36))
    make_resource("Innlegg fra samlingen 2025", kind="presentation", event_id=last_year)
    # A yearly item that belongs to the gathering (its link is the event's page).
    day = (now + timedelta(days=40)).date()
    item = _yearly_item(
        app, "Påmelding til samlingen", f"https://localhost/events/{last_year}", day
    )
    # Another site's /events/ page is not one of ours.
    elsewhere = _yearly_item(
        app, "Konferanse et annet sted", f"https://example.org/events/{last_year}", day
    )

    materials = f"/events/{last_year}#materials-heading"
    html = client.get(f"/arshjul?year={day.year}").get_data(as_text=True)
    item_entry = html.split(f'id="item-{item}"')[1].split("</li>")[0]
    assert materials in item_entry and "Materiell fra i fjor" in item_entry
    assert materials not in html.split(f'id="item-{elsewhere}"')[1].split("</li>")[0]
    if (now + timedelta(days=35)).year == day.year:
        event_entry = html.split(f'id="event-{this_year}"')[1].split("</li>")[0]
        assert materials in event_entry
        unrelated_entry = html.split(f'id="event-{unrelated}"')[1].split("</li>")[0]
        assert "Materiell fra i fjor" not in unrelated_entry

    cal = icalendar.Calendar.from_ical(client.get("/arshjul.ics").data)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    line = f"Materiell fra i fjor: http://localhost{materials}"
    assert line in str(events["Samling for ressurspersoner 2026"]["description"])
    assert line in str(events["Påmelding til samlingen"]["description"])
    assert "description" not in events["Seminar om økonomi"] or line not in str(
        events["Seminar om økonomi"]["description"]
    )
    english = icalendar.Calendar.from_ical(client.get("/arshjul.ics?lang=en").data)
    assert any(
        "Materials from last year: http://localhost" in str(e.get("description", ""))
        for e in english.walk("VEVENT")
    )


def test_conferences_listed_upcoming_first(client, make_resource):
    today = date.today()
    make_resource(
        "EAIR Forum",
        kind="conference",
        starts_on=today + timedelta(days=200),
        ends_on=today + timedelta(days=202),
        location="Lisboa",
    )
    make_resource(
        "Læringsmiljøkonferansen",
        kind="conference",
        starts_on=today + timedelta(days=40),
        location="Trondheim",
        deadline=today + timedelta(days=10),
    )
    make_resource("Over for lenge siden", kind="conference", starts_on=today - timedelta(days=90))
    html = client.get("/resources?kind=conference").get_data(as_text=True)
    assert "Over for lenge siden" not in html
    assert html.index("Læringsmiljøkonferansen") < html.index("EAIR Forum")
    assert "Trondheim" in html and "frist" in html


def test_conferences_in_the_public_arshjul_feed(client, make_resource):
    import icalendar

    start = date.today() + timedelta(days=60)
    rid = make_resource(
        "EAIR Forum",
        kind="conference",
        starts_on=start,
        ends_on=start + timedelta(days=2),
        location="Lisboa",
        deadline=start - timedelta(days=30),
        language="en",
    )
    make_resource("Ikke en konferanse", kind="report")
    for query in ("", "?category=conference"):
        cal = icalendar.Calendar.from_ical(client.get(f"/arshjul.ics{query}").data)
        events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
        assert "EAIR Forum" in events, query
        conference = events["EAIR Forum"]
        assert conference.decoded("dtstart") == start
        assert conference.decoded("dtend") == start + timedelta(days=3)
        assert str(conference["location"]) == "Lisboa"
        assert str(conference["uid"]).startswith(f"resource-{rid}@")
        assert "Konferanse" in conference.to_ical().decode()
        deadline = events["Frist: EAIR Forum"]
        assert deadline.decoded("dtstart") == start - timedelta(days=30)
    cal = icalendar.Calendar.from_ical(client.get("/arshjul.ics?category=seminar").data)
    assert "EAIR Forum" not in [str(e["summary"]) for e in cal.walk("VEVENT")]
