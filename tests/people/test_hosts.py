"""A host organises one event: its participant list and exports, messages and
attendance, and nothing of any other event (every organiser route walked)."""

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import client_of, csrf_token


@pytest.fixture
def hosted(app, make_user, make_event, network, api_token):
    """Event A hosted by vert@uib.no (started an hour ago), event B not; one confirmed
    participant on each."""
    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.people import operations as people
    from eventsys.registration import operations as reg_ops

    make_user("ola@nettverket.no", role="organiser", name="Ola Org")
    make_user("vert@uib.no", name="Vera Vert")
    now = datetime.now(UTC)
    started = dict(
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
        registration_opens_at=now - timedelta(days=10),
        registration_closes_at=now - timedelta(days=1),
    )
    a = make_event(title="Lokalt seminar i Bergen", capacity=10, **started)
    b = make_event(title="Seminar i Tromsø", capacity=10, **started)
    with app.app_context():
        organiser = db.session.scalar(db.select(User).where(User.email == "ola@nettverket.no"))
        people.add_host(organiser, db.session.get(people.Event, a), "vert@uib.no")
        regs = {}
        for event_id, email in ((a, "anne@uib.no"), (b, "bjorn@uit.no")):
            reg = reg_ops.register(
                event_id, reg_ops.Person(email=email, name=email.split("@")[0]), organiser
            )
            regs[event_id] = reg.id
        database.commit()
    return {"a": a, "b": b, "regs": regs, "token": api_token("vert@uib.no")}


def test_a_host_organises_their_event(app, smtp, hosted):
    a, reg = hosted["a"], hosted["regs"][hosted["a"]]
    host = client_of(app, "vert@uib.no")
    assert f"/events/{a}" in host.get("/account/hosting").get_data(as_text=True)
    page = host.get(f"/organiser/events/{a}/participants")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "anne@uib.no" in html and "bjorn@uit.no" not in html
    assert "Registrer en person" not in html  # registering others is the organisers'
    assert host.get(f"/organiser/events/{a}/participants.csv").status_code == 200

    token = csrf_token(html)
    response = host.post(
        f"/organiser/events/{a}/participants/{reg}/attendance",
        data={"csrf_token": token, "attendance": "attended"},
    )
    assert response.status_code == 302
    response = host.post(
        f"/organiser/events/{a}/participants/message",
        data={"csrf_token": token, "subject": "Velkommen", "message": "Vi starter kl. 10."},
    )
    assert response.status_code == 200  # the preview first
    response = host.post(
        f"/organiser/events/{a}/participants/message",
        data={
            "csrf_token": token,
            "subject": "Velkommen",
            "message": "Vi starter kl. 10.",
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    assert smtp.last_to("anne@uib.no")["Subject"] == "Velkommen"

    api = app.test_client()
    headers = {"Authorization": f"Bearer {hosted['token']}"}
    assert api.get(f"/api/v1/events/{a}/participants.csv", headers=headers).status_code == 200
    listed = api.get(f"/api/v1/events/{a}/registrations", headers=headers).get_json()
    assert [r["email"] for r in listed["registrations"]] == ["anne@uib.no"]
    # The event's forum thread is the host's too, the other event's is not.
    own = host.get(f"/forum/events/{a}")
    assert host.get(own.location).status_code == 200
    other = host.get(f"/forum/events/{hosted['b']}")
    assert host.get(other.location).status_code == 403
    # Not the organisers' other powers, even on the hosted event.
    assert host.get(f"/organiser/events/{a}/edit").status_code == 403
    response = host.post(
        f"/organiser/events/{a}/participants/{reg}/waive-fee",
        data={"csrf_token": token, "reason": "x"},
    )
    assert response.status_code == 403


def _url(app, rule, values):
    with app.test_request_context():
        from flask import url_for

        args = {}
        for name in rule.arguments:
            if name in values:
                args[name] = values[name]
            elif name == "fmt":
                args[name] = "csv"
            elif name == "action":
                args[name] = sorted(rule._converters[name].items)[0]
            else:
                args[name] = 1
        return url_for(rule.endpoint, **args).removeprefix("http://localhost")


def test_a_host_reaches_nothing_of_another_event(app, hosted):
    b, reg_b = hosted["b"], hosted["regs"][hosted["b"]]
    host = client_of(app, "vert@uib.no")
    token = csrf_token(host.get("/account").get_data(as_text=True))
    api_headers = {"Authorization": f"Bearer {hosted['token']}"}
    values = {"event_id": b, "reg_id": reg_b}
    walked = []
    for rule in app.url_map.iter_rules():
        if "event_id" not in rule.arguments:
            continue
        organiser_route = rule.rule.startswith("/organiser/") or rule.rule.startswith("/api/")
        if not organiser_route:
            continue
        url = _url(app, rule, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.rule.startswith("/api/"):
                if method == "GET" and rule.rule == "/api/v1/events/<int:event_id>":
                    continue  # a published event is public
                response = app.test_client().open(url, method=method, headers=api_headers, json={})
                if rule.rule.endswith("/registrations") and method == "POST":
                    continue  # registering oneself (refused here only as closed)
            else:
                response = host.open(url, method=method, data={"csrf_token": token})
            walked.append((method, url, response.status_code))
    assert len(walked) > 15
    wrong = [w for w in walked if w[2] not in (403, 404)]
    assert not wrong, wrong


def _material(event_id, status="published"):
    return {
        "kind": "presentation",
        "title": "Lysark fra seminaret",
        "summary": "Hva vi lærte om frafall.",
        "authors": ["Vert, Vera"],
        "year": 2026,
        "language": "nb",
        "themes": [],
        "event_id": event_id,
        "status": status,
    }


def test_a_host_marks_attendance_through_the_api_of_their_event_alone(
    app, hosted, api_request, api_token
):
    a, b = hosted["a"], hosted["b"]
    reg_a, reg_b = hosted["regs"][a], hosted["regs"][b]
    host = hosted["token"]
    answer = api_request(
        "POST", f"/registrations/{reg_a}/attendance", host, json={"attended": True}
    )
    assert answer.status_code == 200
    assert answer.get_json()["state"] == "attended"
    answer = api_request(
        "POST", f"/registrations/{reg_b}/attendance", host, json={"attended": True}
    )
    assert answer.status_code == 404
    # The participant may see their registration but not mark it.
    anne = api_token("anne@uib.no")
    answer = api_request(
        "POST", f"/registrations/{reg_a}/attendance", anne, json={"attended": False}
    )
    assert answer.status_code == 403
    answer = api_request("GET", f"/registrations/{reg_a}", api_token("ola@nettverket.no"))
    assert answer.get_json()["state"] == "attended"  # neither refusal changed anything


def test_a_host_publishes_materials_of_their_event_alone(app, smtp, hosted, api_request, api_token):
    a, b = hosted["a"], hosted["b"]
    host = hosted["token"]
    answer = api_request("POST", "/resources", host, json=_material(a))
    assert answer.status_code == 201, answer.get_json()
    mine = answer.get_json()
    assert mine["status"] == "published" and mine["event_id"] == a
    page = app.test_client().get(f"/events/{a}").get_data(as_text=True)
    assert "Lysark fra seminaret" in page

    # Not for the other event, nor to move their material there.
    answer = api_request("POST", "/resources", host, json=_material(b))
    assert answer.status_code == 403
    answer = api_request("PATCH", f"/resources/{mine['id']}", host, json={"event_id": b})
    assert answer.status_code == 403
    organiser = api_token("ola@nettverket.no")
    theirs = api_request("POST", "/resources", organiser, json=_material(b)).get_json()
    answer = api_request("PATCH", f"/resources/{theirs['id']}", host, json={"title": "Mitt nå"})
    assert answer.status_code == 403
    # A participant submits material for review; publishing is not theirs.
    anne = api_token("anne@uib.no")
    assert api_request("POST", "/resources", anne, json=_material(a)).status_code == 403
    answer = api_request("POST", "/resources", anne, json=_material(a, status="submitted"))
    assert answer.status_code == 201 and answer.get_json()["status"] == "submitted"
    # The host reviews what was submitted for their event.
    answer = api_request(
        "PATCH", f"/resources/{answer.get_json()['id']}", host, json={"status": "published"}
    )
    assert answer.status_code == 200 and answer.get_json()["status"] == "published"

    # On the pages: the host tells the participants of their event, not of the other.
    browser = client_of(app, "vert@uib.no")
    html = browser.get(f"/events/{a}").get_data(as_text=True)
    assert "Legg til materiell for dette arrangementet" in html
    token = csrf_token(html)
    response = browser.post(f"/organiser/events/{a}/materials/notify", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Lysark fra seminaret" in smtp.body(smtp.last_to("anne@uib.no"))
    response = browser.post(f"/organiser/events/{b}/materials/notify", data={"csrf_token": token})
    assert response.status_code == 403
    # The form offers the host "Publish" for material of their event alone.
    publish = 'name="action" value="publish"'
    assert publish in browser.get(f"/resources/new?event={a}").get_data(as_text=True)
    assert publish not in browser.get(f"/resources/new?event={b}").get_data(as_text=True)


def test_a_host_has_a_dashboard_of_the_events_they_host(app, hosted, make_user):
    """The staff dashboard lists a host's events (seats, check-in) and no other."""
    import re

    host = client_of(app, "vert@uib.no")
    response = host.get("/dashboard")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Lokalt seminar i Bergen" in text and "Seminar i Tromsø" not in text
    assert "Plasser i bruk 1 / 10" in text
    assert f"/organiser/events/{hosted['a']}/checkin" in html
    assert "/organiser/events/new" not in html  # creating events is the organisers'
    assert "/dashboard" in host.get("/account/hosting").get_data(as_text=True)

    # Somebody who hosts nothing still has no dashboard.
    make_user("ingen@uib.no", name="Ingen Vert")
    assert client_of(app, "ingen@uib.no").get("/dashboard").status_code == 403
