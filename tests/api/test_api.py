"""The JSON API of CONTRACT.md. Every answer is checked against the OpenAPI document
the app serves (status documented, body matching its schema: tests/openapi_check.py),
so the document cannot drift from the code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsys.events.models import Event
from eventsys.organisations.models import Organisation


@pytest.fixture
def spec(api_document):
    return api_document.document


@pytest.fixture
def validate(api_document):
    def check(body, schema_name):
        return api_document.validate(body, api_document.schema(schema_name))

    return check


@pytest.fixture
def token(app):
    """A token for a new user of the given role."""
    from eventsys import database
    from eventsys.auth import operations
    from eventsys.auth.models import Role

    def make(email="ola@nettverket.no", role="organiser", locale="nb"):
        with app.app_context():
            user = operations.create_user(
                email, "passord-passord", role=Role(role), verified=True, locale=locale
            )
            value = operations.issue_api_token(user)
            database.commit()
        return value

    return make


@pytest.fixture
def api(api_request):
    """Every answer is checked against the document (tests/openapi_check.py)."""
    return api_request


def future(days=30, hours=0):
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days, hours=hours)
    return moment.isoformat()


def event_body(**overrides):
    body = {
        "title": "Læringsmiljø i praksis",
        "kind": "seminar",
        "format": "on_site",
        "venue": "OsloMet, Pilestredet 46",
        "starts_at": future(30),
        "ends_at": future(30, 6),
        "capacity": 2,
        "registration_opens_at": future(-1),
        "registration_closes_at": future(29),
        "fee": 75000,
    }
    body.update(overrides)
    return body


def test_errors_have_the_documented_shape(api, token, validate):
    organiser = token()
    cases = [
        (api("GET", "/events"), 401, "unauthorized"),
        (api("GET", "/events", token="evs_wrong"), 401, "unauthorized"),
        (api("POST", "/events", organiser, data="not json"), 400, "invalid_json"),
        (api("POST", "/events", organiser, json=[1, 2]), 400, "invalid_json"),
        (api("POST", "/events", organiser, json={"title": "x"}), 400, "missing_field"),
        (
            api("POST", "/events", organiser, json=event_body(starts_at="2027-03-10T09:00:00")),
            400,
            "naive_datetime",
        ),
        (
            api("POST", "/events", organiser, json=event_body(starts_at="next tuesday")),
            400,
            "invalid_datetime",
        ),
        (api("POST", "/events", organiser, json=event_body(kind="party")), 400, "invalid_choice"),
        (api("POST", "/events", organiser, json=event_body(capacity="40")), 400, "invalid_type"),
        (api("POST", "/events", organiser, json=event_body(capacity=True)), 400, "invalid_type"),
        (
            api("POST", "/events", organiser, json=event_body(ends_at=future(29))),
            400,
            "ends_before_start",
        ),
        (api("GET", "/events/999999", organiser), 404, "not_found"),
        (api("GET", "/no-such-thing", organiser), 404, "not_found"),
        (api("DELETE", "/events", organiser), 405, "method_not_allowed"),
        (api("POST", "/registrations/12345/cancel", organiser), 404, "not_found"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (code, response.get_json())
        body = validate(response.get_json(), "Error")
        assert body["error"]["code"] == code


def test_participants_cannot_create_events(api, token):
    participant = token("kari@uib.no", "participant")
    response = api("POST", "/events", participant, json=event_body())
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_bad_input_leaves_nothing_behind(app, api, token):
    admin = token("admin@nettverket.no", "admin")
    response = api(
        "POST",
        "/organisations",
        admin,
        json={
            "name": "Høgskolen i Innlandet",
            "kind": "institution",
            "org_number": "974767880",
            "domains": ["inn.no"],
            "ownerships": [{"role": "owner", "valid_from": "2026-01-01", "staff_band": "lots"}],
        },
    )
    assert response.status_code == 400
    from eventsys.extensions import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_organisation_with_invalid_org_number_is_refused(api, token):
    admin = token("admin@nettverket.no", "admin")
    response = api(
        "POST",
        "/organisations",
        admin,
        json={"name": "X", "kind": "other", "org_number": "974767881"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "org_number_check_digit"


def test_organisations_round_trip(api, token, validate):
    admin = token("admin@nettverket.no", "admin")
    response = api(
        "POST",
        "/organisations",
        admin,
        json={
            "name": "Studentsamskipnaden i Innlandet",
            "kind": "welfare_org",
            "org_number": "974 760 673",
            "domains": ["SINN.no"],
            "ownerships": [{"role": "owner", "valid_from": "2026-01-01"}],
        },
    )
    assert response.status_code == 201, response.get_json()
    org = validate(response.get_json(), "Organisation")
    assert org["org_number"] == "974760673" and org["domains"] == ["sinn.no"]
    assert org["ownerships"] == [
        {"role": "owner", "valid_from": "2026-01-01", "valid_to": "2027-12-31", "staff_band": None}
    ]
    listed = api("GET", "/organisations", admin).get_json()["organisations"]
    assert [validate(o, "Organisation")["name"] for o in listed] == [
        "Studentsamskipnaden i Innlandet"
    ]


def test_event_lifecycle_and_registrations(app, api, token, validate, make_org):
    from datetime import date

    make_org(
        "Universitetet i Bergen",
        ["uib.no"],
        periods=[("owner", date(2025, 1, 1), date(2030, 12, 31), "2000+")],
    )
    organiser = token()
    created = api("POST", "/events", organiser, json=event_body())
    assert created.status_code == 201, created.get_json()
    event = validate(created.get_json(), "Event")
    assert event["status"] == "draft" and event["seats_held"] == 0
    assert event["starts_at"].endswith(("+01:00", "+02:00"))  # Oslo time with offset

    # A draft is invisible to participants and cannot be registered for.
    participant = token("kari@uib.no", "participant")
    assert api("GET", f"/events/{event['id']}", participant).status_code == 404

    published = api("PATCH", f"/events/{event['id']}", organiser, json={"status": "published"})
    assert validate(published.get_json(), "Event")["status"] == "published"

    def register(email):
        response = api(
            "POST",
            f"/events/{event['id']}/registrations",
            organiser,
            json={"email": email, "name": email},
        )
        assert response.status_code == 201, response.get_json()
        return validate(response.get_json(), "Registration")

    owner = register("ola@uib.no")
    other = register("jonas@bi.no")
    waiting = register("sara@gmail.com")
    assert (owner["state"], owner["tier"], owner["fee_due"]) == ("confirmed", 1, 0)
    assert (other["state"], other["tier"], other["fee_due"]) == ("confirmed", 2, 75000)
    assert other["payment"]["status"] == "due"
    assert (waiting["state"], waiting["position"]) == ("waitlisted", 1)

    again = api(
        "POST", f"/events/{event['id']}/registrations", organiser, json={"email": "SARA@gmail.com"}
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_registered"

    # The participant registers themselves with their own token.
    mine = api("POST", f"/events/{event['id']}/registrations", participant, json={}).get_json()
    assert validate(mine, "Registration")["position"] == 1  # owner staff queues first
    # ... and cannot read someone else's registration.
    assert api("GET", f"/registrations/{other['id']}", participant).status_code == 404

    cancelled = api("POST", f"/registrations/{other['id']}/cancel", organiser)
    assert validate(cancelled.get_json(), "Registration")["state"] == "cancelled"
    offered = api("GET", f"/registrations/{mine['id']}", participant).get_json()
    assert offered["state"] == "offered" and offered["offer_expires_at"]
    accepted = api("POST", f"/registrations/{mine['id']}/accept", participant)
    assert validate(accepted.get_json(), "Registration")["state"] == "confirmed"
    declined = api("POST", f"/registrations/{mine['id']}/decline", participant)
    assert declined.status_code == 409 and declined.get_json()["error"]["code"] == "not_offered"

    # Lowering capacity bumps nobody and says so.
    lowered = api("PATCH", f"/events/{event['id']}", organiser, json={"capacity": 1})
    body = validate(lowered.get_json(), "Event")
    assert body["capacity"] == 1 and body["seats_held"] == 2
    assert body["warnings"][0]["code"] == "over_capacity"

    listing = api("GET", f"/events/{event['id']}/registrations", organiser).get_json()[
        "registrations"
    ]
    assert len(listing) == 4
    for item in listing:
        validate(item, "Registration")
    assert api("GET", f"/events/{event['id']}/registrations", participant).status_code == 403

    cancel_event = api("PATCH", f"/events/{event['id']}", organiser, json={"status": "cancelled"})
    assert cancel_event.get_json()["status"] == "cancelled"
    with app.app_context():
        from eventsys.extensions import db

        assert db.session.get(Event, event["id"]).sequence >= 2


def test_waive_fee_and_move_through_the_api(api, token, validate):
    organiser = token()
    event = api(
        "POST", "/events", organiser, json=event_body(capacity=0, status="published")
    ).get_json()
    first = api(
        "POST", f"/events/{event['id']}/registrations", organiser, json={"email": "a@gmail.com"}
    ).get_json()
    second = api(
        "POST", f"/events/{event['id']}/registrations", organiser, json={"email": "b@gmail.com"}
    ).get_json()
    no_reason = api(
        "POST",
        f"/registrations/{second['id']}/move",
        organiser,
        json={"reason": " ", "before_registration_id": first["id"]},
    )
    assert no_reason.status_code == 400
    moved = api(
        "POST",
        f"/registrations/{second['id']}/move",
        organiser,
        json={"reason": "Innleder", "before_registration_id": first["id"]},
    )
    assert validate(moved.get_json(), "Registration")["position"] == 1
    waived = api(
        "POST",
        f"/registrations/{first['id']}/waive-fee",
        organiser,
        json={"reason": "studentassistent"},
    )
    body = validate(waived.get_json(), "Registration")
    assert body["fee_due"] == 0 and body["payment"]["status"] == "waived"


def test_exports_and_messages_through_the_api(api, token, smtp):
    import io

    from openpyxl import load_workbook

    organiser = token()
    event = api(
        "POST", "/events", organiser, json=event_body(capacity=1, status="published")
    ).get_json()
    for email, needs in (("a@gmail.com", "Glutenfri"), ("b@gmail.com", "")):
        response = api(
            "POST",
            f"/events/{event['id']}/registrations",
            organiser,
            json={"email": email, "dietary_needs": needs},
        )
        assert response.status_code == 201
    csv_text = (
        api("GET", f"/events/{event['id']}/participants.csv", organiser)
        .get_data()
        .decode("utf-8-sig")
    )
    assert "Glutenfri" in csv_text and csv_text.count("\r\n") == 3
    xlsx = api("GET", f"/events/{event['id']}/participants.xlsx", organiser).get_data()
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert any(cell.value == "Glutenfri" for row in sheet.iter_rows() for cell in row)
    participant = token("kari@uib.no", "participant")
    assert api("GET", f"/events/{event['id']}/participants.csv", participant).status_code == 403

    sent = api(
        "POST",
        f"/events/{event['id']}/messages",
        organiser,
        json={"subject": "Praktisk info", "message": "Velkommen!"},
    )
    assert sent.get_json() == {"sent": 1}  # only the confirmed one, not the waiting
    assert smtp.last_to("a@gmail.com")["Subject"] == "Praktisk info"
    assert not [m for m in smtp.to("b@gmail.com") if m["Subject"] == "Praktisk info"]


def test_control_characters_are_refused_everywhere(api, token, client):
    organiser = token()
    response = api("POST", "/events", organiser, json=event_body(title="Semi\x00nar"))
    assert (
        response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_characters"
    )
    assert client.get("/events?kind=sem\x00").status_code == 400
    page = client.post("/login", data={"email": "a\x00@b.no", "password": "x"})
    assert page.status_code == 400


def test_attendance_and_deleting_drafts_through_the_api(api, token, validate):
    organiser = token()
    event = api("POST", "/events", organiser, json=event_body(status="published")).get_json()
    reg = api(
        "POST", f"/events/{event['id']}/registrations", organiser, json={"email": "a@gmail.com"}
    ).get_json()
    early = api(
        "POST", f"/registrations/{reg['id']}/attendance", organiser, json={"attended": True}
    )
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "event_not_started"
    assert (
        api(
            "POST", f"/registrations/{reg['id']}/attendance", organiser, json={"attended": "yes"}
        ).status_code
        == 400
    )

    assert api("DELETE", f"/events/{event['id']}", organiser).status_code == 409  # published
    draft = api("POST", "/events", organiser, json=event_body()).get_json()
    assert api("DELETE", f"/events/{draft['id']}", organiser).status_code == 204
    assert api("GET", f"/events/{draft['id']}", organiser).status_code == 404


def test_a_body_that_is_not_an_object_is_refused_everywhere(api, token, spec, validate):
    """Issue 8: waive-fee with a JSON array body was a 500, and the document gave the
    call no body, so the fuzzing never sent one."""
    organiser = token()
    event = api("POST", "/events", organiser, json=event_body(status="published")).get_json()
    reg = api(
        "POST", f"/events/{event['id']}/registrations", organiser, json={"email": "a@gmail.com"}
    ).get_json()
    for path in ("waive-fee", "cancel", "checkout", "accept"):
        for body in ([1, 2], "reason", 3):
            response = api("POST", f"/registrations/{reg['id']}/{path}", organiser, json=body)
            assert response.status_code == 400, (path, body, response.status_code)
            assert validate(response.get_json(), "Error")["error"]["code"] == "invalid_json"
    waived = api("POST", f"/registrations/{reg['id']}/waive-fee", organiser)
    assert validate(waived.get_json(), "Registration")["fee_due"] == 0

    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            if method in ("post", "patch", "put"):
                assert "requestBody" in operation, (method, path)
            if path != "/openapi.json":
                assert {"400", "401", "403", "404"} <= set(operation["responses"]), (method, path)


def test_messages_follow_the_callers_language(api, token, validate):
    """Accept-Language (nb, no, nn or en) first, else the account's language; the
    sentences are the ones the pages show for the same codes."""
    norwegian, english = token(), token("kari@uib.no", "organiser", locale="en")

    def message(response, status, code):
        body = validate(response.get_json(), "Error")["error"]
        assert (response.status_code, body["code"]) == (status, code)
        return body["message"]

    missing = "/events/999999"
    assert message(api("GET", missing, norwegian), 404, "not_found") == "Fant ikke arrangementet."
    assert message(api("GET", missing, english), 404, "not_found") == "The event was not found."
    for header, expected in (
        ("en-GB,en;q=0.9", "The event was not found."),
        ("nn-NO", "Fant ikke arrangementet."),
        ("de, no;q=0.8", "Fant ikke arrangementet."),
    ):
        response = api("GET", missing, english, headers={"Accept-Language": header})
        assert message(response, 404, "not_found") == expected, header

    wrong = api("POST", "/events", english, json=event_body(capacity="40"))
    assert message(wrong, 400, "invalid_type") == "capacity: This value has the wrong type."
    assert wrong.get_json()["error"]["details"] == {"field": "capacity"}
    wrong = api(
        "POST",
        "/events",
        english,
        json=event_body(capacity="40"),
        headers={"Accept-Language": "nb"},
    )
    assert message(wrong, 400, "invalid_type") == "capacity: Verdien har feil type."
    assert message(api("GET", "/events"), 401, "unauthorized").startswith("Send hodefeltet")

    event = api("POST", "/events", norwegian, json=event_body(status="published")).get_json()
    reg = api(
        "POST", f"/events/{event['id']}/registrations", norwegian, json={"email": "a@gmail.com"}
    ).get_json()
    moved = api("POST", f"/registrations/{reg['id']}/move", norwegian, json={"reason": "Taler"})
    assert message(moved, 409, "not_waiting") == ("Bare påmeldinger på ventelisten kan flyttes.")
