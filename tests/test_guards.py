"""Each state and permission guard is decided once (in operations or rules), so the
pages and the JSON API give the same answer. One test per guard, through both."""

from __future__ import annotations

import re

import pytest
from conftest import upcoming
from sqlalchemy import select

from eventsys import database
from eventsys.events.models import Event, EventStatus
from eventsys.extensions import db
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration
from eventsys.registration.rules import State


@pytest.fixture
def token(api_token):
    return api_token


@pytest.fixture
def api(app):
    client = app.test_client()  # its own client: no page session leaks into the API calls

    def call(method, path, token, json=None):
        headers = {"Authorization": f"Bearer {token}"}
        return client.open(f"/api/v1{path}", method=method, headers=headers, json=json)

    return call


def _register(app, event_id, email, **kwargs) -> int:
    with app.app_context():
        reg = reg_ops.register(
            event_id, reg_ops.Person(email=email, name=email.split("@")[0], vouched=True), None
        )
        database.commit()
        return reg.id


def _status(app, event_id) -> EventStatus:
    with app.app_context():
        return db.session.get(Event, event_id).status


def _signed_in(app, email):
    """A browser of its own, signed in as `email`."""
    from conftest import csrf_token

    browser = app.test_client()
    html = browser.get("/login").get_data(as_text=True)
    data = {"csrf_token": csrf_token(html), "email": email, "password": "riktig-passord-1"}
    assert browser.post("/login", data=data).status_code == 302
    return browser


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def organiser(make_user, login):
    make_user("arrangor@nettverket.no", role="organiser", name="Arrangøren")
    login("arrangor@nettverket.no", "riktig-passord-1")
    return "arrangor@nettverket.no"


# --- a cancelled event is final -------------------------------------------------------


def test_a_cancelled_event_cannot_be_edited_on_the_page(app, client, submit, make_event, organiser):
    event_id = make_event(title="Avlyst seminar", **upcoming())
    assert submit(f"/organiser/events/{event_id}/cancel", {}).status_code == 302
    edit = f"/organiser/events/{event_id}/edit"
    response = submit(edit, {"title": "Nytt navn", "capacity": "99"})
    assert response.status_code == 302
    assert "Et avlyst arrangement kan ikke endres." in client.get(edit).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Event, event_id).title == "Avlyst seminar"


def test_a_cancelled_event_cannot_be_patched_through_the_api(app, api, token, make_event):
    event_id = make_event(title="Avlyst seminar", **upcoming())
    organiser = token("arrangor@nettverket.no", "organiser")
    assert (
        api("PATCH", f"/events/{event_id}", organiser, {"status": "cancelled"}).status_code == 200
    )
    response = api(
        "PATCH", f"/events/{event_id}", organiser, {"title": "Nytt navn", "capacity": 99}
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "event_cancelled"
    with app.app_context():
        event = db.session.get(Event, event_id)
        assert (event.title, event.capacity) == ("Avlyst seminar", 2)


# --- a draft is never public ------------------------------------------------------------


def test_cancelling_a_draft_on_the_page_keeps_it_hidden(app, client, submit, make_event, organiser):
    draft = make_event(title="Hemmelig utkast", status="draft", **upcoming())
    response = client.get(f"/organiser/events/{draft}/cancel")
    assert response.status_code == 302
    assert "Et utkast er ikke offentlig" in client.get(response.location).get_data(as_text=True)
    submit(f"/organiser/events/{draft}/cancel", {}, page=f"/organiser/events/{draft}/edit")
    assert _status(app, draft) == EventStatus.draft
    anonymous = app.test_client()
    assert anonymous.get(f"/events/{draft}").status_code == 404
    assert b"Hemmelig utkast" not in anonymous.get("/arshjul.ics").data


def test_cancelling_a_draft_through_the_api_keeps_it_hidden(app, api, token, make_event):
    draft = make_event(title="Hemmelig utkast", status="draft", **upcoming())
    organiser = token("arrangor@nettverket.no", "organiser")
    response = api("PATCH", f"/events/{draft}", organiser, {"status": "cancelled"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "draft_not_public"
    assert _status(app, draft) == EventStatus.draft
    anonymous = app.test_client()
    assert anonymous.get(f"/events/{draft}").status_code == 404
    assert b"Hemmelig utkast" not in anonymous.get("/arshjul.ics").data
    participant = token("jonas@bi.no")
    assert api("GET", f"/events/{draft}", participant).status_code == 404
    assert draft not in [e["id"] for e in api("GET", "/events", participant).get_json()["events"]]


# --- who owns a registration ---------------------------------------------------------------


def test_someone_elses_registration_is_not_found_on_pages_and_api(
    app, client, login, make_user, make_event, api, token, network
):
    event_id = make_event(**upcoming())
    theirs = _register(app, event_id, "per@bi.no")
    make_user("jonas@bi.no", name="Jonas")
    login("jonas@bi.no")
    for url in (
        f"/account/registrations/{theirs}/cancel",
        f"/registrations/{theirs}/pay",
        f"/registrations/{theirs}/transfer",
    ):
        assert client.get(url).status_code == 404, url
    jonas = token("jonas@bi.no")
    for method, path in (
        ("GET", f"/registrations/{theirs}"),
        ("POST", f"/registrations/{theirs}/cancel"),
        ("POST", f"/registrations/{theirs}/checkout"),
    ):
        response = api(method, path, jonas)
        assert response.status_code == 404, path
    with app.app_context():
        assert db.session.get(Registration, theirs).state == State.CONFIRMED


def test_a_registration_made_for_a_verified_address_is_the_persons_own(
    app, client, login, make_user, make_event, api, token, network
):
    """An organiser registered per@bi.no; once Per has an account with that verified
    address, the registration is his on the pages and in the API alike."""
    event_id = make_event(**upcoming())
    reg_id = _register(app, event_id, "per@bi.no")
    make_user("per@bi.no", name="Per")
    login("per@bi.no")
    assert client.get(f"/account/registrations/{reg_id}/cancel").status_code == 200
    assert client.get(f"/registrations/{reg_id}/pay").status_code == 200
    assert api("GET", f"/registrations/{reg_id}", token("per@bi.no")).status_code == 200

    make_user("ulf@bi.no", name="Ulf", verified=False)
    with app.app_context():
        # An unverified account with the same address would not own it.
        from eventsys.auth.models import User

        user = db.session.scalar(select(User).where(User.email == "ulf@bi.no"))
        reg = db.session.get(Registration, reg_id)
        reg.email = "ulf@bi.no"
        assert not reg_ops.is_owner(reg, user)
        db.session.rollback()


# --- which row actions an organiser may take ---------------------------------------------


def test_waiving_a_fee_nobody_owes_is_refused_on_the_page_and_in_the_api(
    app, client, make_user, login, make_event, api, token, network
):
    event_id = make_event(**upcoming())
    owner_staff = _register(app, event_id, "kari@uib.no")  # tier 1: free
    make_user("arrangor@nettverket.no", role="organiser")
    login("arrangor@nettverket.no")
    url = f"/organiser/events/{event_id}/participants"
    assert f"{url}/{owner_staff}/waive-fee" not in client.get(url).get_data(as_text=True)

    response = api(
        "POST", f"/registrations/{owner_staff}/waive-fee", token("arrangor@nettverket.no"), {}
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "no_fee_to_waive"
    with app.app_context():
        assert not db.session.get(Registration, owner_staff).fee_waived


def test_a_cancelled_registration_offers_no_row_actions(
    app, client, make_user, login, make_event, api, token, network, make_org
):
    event_id = make_event(**upcoming())
    reg_id = _register(app, event_id, "jonas@bi.no")
    with app.app_context():
        reg_ops.cancel(reg_id, None)
        database.commit()
    make_user("arrangor@nettverket.no", role="organiser")
    login("arrangor@nettverket.no")
    page = client.get(f"/organiser/events/{event_id}/participants").get_data(as_text=True)
    for action in ("waive-fee", "affiliation", "move"):
        assert f"/{reg_id}/{action}" not in page
    organiser = token("arrangor@nettverket.no")
    waive = api("POST", f"/registrations/{reg_id}/waive-fee", organiser, {})
    assert (waive.status_code, waive.get_json()["error"]["code"]) == (409, "not_active")
    with app.app_context():
        from eventsys.organisations.models import Organisation

        uib = db.session.scalar(select(Organisation.id).where(Organisation.name.like("%Bergen")))
    confirm = api(
        "POST", f"/registrations/{reg_id}/confirm-affiliation", organiser, {"organisation_id": uib}
    )
    assert (confirm.status_code, confirm.get_json()["error"]["code"]) == (409, "not_active")


# --- who sees the online link ------------------------------------------------------------


def test_the_online_link_is_for_seat_holders_on_the_page_and_in_the_api(
    app, client, make_user, login, make_event, api, token, network
):
    link = "https://meet.example.no/rom"
    event_id = make_event(
        format="online", venue="", online_url=link, capacity=1, fee=0, **upcoming()
    )
    _register(app, event_id, "per@bi.no")  # takes the only seat
    make_user("jonas@bi.no", name="Jonas")
    make_user("kari@bi.no", name="Kari")
    _register(app, event_id, "jonas@bi.no")  # waiting list

    def page_shows(email):
        return link in _signed_in(app, email).get(f"/events/{event_id}").get_data(as_text=True)

    def api_shows(email, role="participant"):
        key = token(email, role)
        one = api("GET", f"/events/{event_id}", key).get_json()["online_url"]
        listed = {e["id"]: e for e in api("GET", "/events", key).get_json()["events"]}
        assert listed[event_id]["online_url"] == one
        return one == link

    assert link not in client.get(f"/events/{event_id}").get_data(as_text=True)
    assert not page_shows("jonas@bi.no") and not api_shows("jonas@bi.no")  # waiting
    assert not page_shows("kari@bi.no") and not api_shows("kari@bi.no")  # not registered
    make_user("per@bi.no", name="Per")
    assert page_shows("per@bi.no") and api_shows("per@bi.no")  # holds the seat
    make_user("arrangor@nettverket.no", role="organiser")
    assert page_shows("arrangor@nettverket.no")
    assert api_shows("arrangor@nettverket.no", "organiser")


# --- the fee a visitor would pay -----------------------------------------------------------


def test_the_fee_shown_before_registering_is_the_fee_then_owed(
    app, client, make_user, login, make_event, api, token, network
):
    event_id = make_event(fee=75000, capacity=5, **upcoming())
    for email, shown, owed in (
        ("jonas@bi.no", "Avgiften din er kr 750,00.", 75000),
        ("kari@uib.no", "Ansatt hos eier: prioritet og gratis deltakelse", 0),
    ):
        make_user(email)
        browser = _signed_in(app, email)
        assert shown in _text(browser.get(f"/events/{event_id}").get_data(as_text=True))
        body = api("POST", f"/events/{event_id}/registrations", token(email), {}).get_json()
        assert body["fee_due"] == owed
