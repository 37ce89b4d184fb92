"""Check-in at the door: the organisers' phone list (search, one tap, undo, counter),
the QR code in each confirmation, and who may use its link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import csrf_token

from eventsys import database
from eventsys.extensions import db
from eventsys.registration import operations as reg_ops
from eventsys.registration.models import Registration
from eventsys.registration.rules import State

PASSWORD = "riktig-passord-1"


class Browser:
    def __init__(self, app, email=None):
        self.client = app.test_client()
        if email:
            response = self.post("/login", {"email": email, "password": PASSWORD})
            assert response.status_code == 302, response.get_data(as_text=True)

    def get(self, url, **kwargs):
        return self.client.get(url, **kwargs)

    def text(self, url) -> str:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())

    def post(self, url, data, page="/", **kwargs):
        token = csrf_token(self.client.get(page).get_data(as_text=True))
        return self.client.post(url, data={"csrf_token": token, **data}, **kwargs)


@pytest.fixture
def door(make_user, event_with_people, smtp):
    """An event starting in an hour with three confirmed participants and one waiting."""
    make_user("ola@nettverket.no", password=PASSWORD, role="organiser", name="Ola")
    make_user("per@gmail.com", password=PASSWORD, name="Per Pedersen")
    people = [
        ("Anne Aas", "anne@gmail.com"),
        ("Bjørn Berg", "bjorn@gmail.com"),
        ("Per Pedersen", "per@gmail.com"),
        ("Vera Vik", "vera@gmail.com"),
    ]
    event_id, ids = event_with_people(people, capacity=3)
    return {
        "event": event_id,
        **{name.split()[0]: i for (name, _), i in zip(people, ids, strict=True)},
    }


def _state(app, reg_id):
    with app.app_context():
        return db.session.get(Registration, reg_id).state


def test_the_door_list_counts_searches_checks_in_and_undoes_without_javascript(app, door):
    ola = Browser(app, "ola@nettverket.no")
    url = f"/organiser/events/{door['event']}/checkin"
    page = ola.text(url)
    assert "0 av 3 har kommet" in page
    assert "Anne Aas" in page and "Bjørn Berg" in page
    assert "Vera Vik" not in page  # waiting list: not expected at the door

    found = ola.text(url + "?q=bjø")
    assert "Bjørn Berg" in found and "Anne Aas" not in found

    response = ola.post(f"{url}/{door['Bjørn']}", {"action": "in", "q": "bjø"}, page=url)
    assert response.status_code == 302
    # Back to the same search and the same row.
    assert response.location.endswith(f"{url}?q=bj%C3%B8#reg-{door['Bjørn']}")
    assert _state(app, door["Bjørn"]) == State.ATTENDED
    page = ola.text(url)
    assert "1 av 3 har kommet" in page and "Bjørn Berg er sjekket inn." in page

    ola.post(f"{url}/{door['Bjørn']}", {"action": "undo"}, page=url)
    assert _state(app, door["Bjørn"]) == State.CONFIRMED
    assert "0 av 3 har kommet" in ola.text(url)


def test_a_tap_with_javascript_answers_json_for_the_row_and_the_counter(app, door):
    ola = Browser(app, "ola@nettverket.no")
    url = f"/organiser/events/{door['event']}/checkin"
    response = ola.post(
        f"{url}/{door['Anne']}", {"action": "in"}, page=url, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "id": door["Anne"],
        "state": "attended",
        "arrived": 1,
        "expected": 3,
        "counter": "1 av 3 har kommet",
        "message": "Anne Aas er sjekket inn.",
    }
    refused = ola.post(
        f"{url}/{door['Vera']}", {"action": "in"}, page=url, headers={"Accept": "application/json"}
    )
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "not_confirmed"


def test_check_in_opens_three_hours_before_the_start(app, make_user, make_event):
    now = datetime.now(UTC)
    event_id = make_event(
        fee=0,
        starts_at=now + timedelta(hours=5),
        ends_at=now + timedelta(hours=8),
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(hours=4),
    )
    make_user("ola@nettverket.no", password=PASSWORD, role="organiser")
    with app.app_context():
        reg = reg_ops.register(
            event_id, reg_ops.Person(email="a@gmail.com", name="Anne", vouched=True), None
        )
        database.commit()
        with pytest.raises(reg_ops.RegistrationError):
            reg_ops.mark_attendance(reg.id, True, None)
        assert reg_ops.mark_attendance(reg.id, True, None, now=now + timedelta(hours=2.5))
    page = Browser(app, "ola@nettverket.no").text(f"/organiser/events/{event_id}/checkin")
    assert "Innsjekkingen åpner" in page and "Sjekk inn:" not in page


def test_participants_and_strangers_get_nothing_from_the_door(app, door):
    url = f"/organiser/events/{door['event']}/checkin"
    per = Browser(app, "per@gmail.com")
    assert per.get(url).status_code == 403
    assert per.post(f"{url}/{door['Per']}", {"action": "in"}).status_code == 403
    stranger = Browser(app)
    assert stranger.get(url).status_code == 302
    assert stranger.post(f"{url}/{door['Per']}", {"action": "in"}).status_code == 302
    assert _state(app, door["Per"]) == State.CONFIRMED


def test_the_confirmation_carries_a_qr_code_whose_link_checks_in_for_organisers_only(
    app, door, smtp
):
    import io

    import segno

    message = smtp.last_to("per@gmail.com")
    assert "Plassen din er bekreftet" in message["Subject"]
    text = smtp.body(message)
    link = next(u for u in smtp.links(message) if "/checkin/" in u)
    assert "QR-koden" in text
    # The HTML part shows the code inline: an image/png part with a Content-ID.
    html = message.get_body(preferencelist=("html",))
    assert 'src="cid:checkin-qr"' in html.get_content()
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"] == "<checkin-qr>"
    expected = io.BytesIO()
    segno.make(link, error="m").save(expected, kind="png", scale=6, border=4)
    assert images[0].get_content() == expected.getvalue()  # the code holds that link
    path = link.removeprefix(app.config["EVENTSYS_BASE_URL"])

    # A participant (even the person themself) and a stranger get nothing.
    assert Browser(app, "per@gmail.com").get(path).status_code == 404
    stranger = Browser(app).get(path)
    assert stranger.status_code == 302 and "/login" in stranger.location
    assert _state(app, door["Per"]) == State.CONFIRMED
    # A changed token is no link at all.
    assert Browser(app, "ola@nettverket.no").get(path[:-2] + "xx").status_code == 404

    ola = Browser(app, "ola@nettverket.no")
    page = ola.text(path)
    assert "Per Pedersen er sjekket inn" in page and "1 av 3 har kommet" in page
    assert _state(app, door["Per"]) == State.ATTENDED
    assert "Per Pedersen var allerede sjekket inn" in ola.text(path)


def test_the_participant_sees_the_code_on_a_ticket_page(app, door):
    per = Browser(app, "per@gmail.com")
    page = per.get(f"/account/registrations/{door['Per']}/ticket").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page and "QR-kode for innsjekking av Per" in page
    assert per.get(f"/account/registrations/{door['Anne']}/ticket").status_code == 404
    mine = per.get("/account/registrations").get_data(as_text=True)
    per_id = door["Per"]
    assert f'href="/account/registrations/{per_id}/ticket"' in mine
