"""GET /api/v1/finance/summary and /discrepancies (and /contributions): finance only,
403 for everybody else, answers valid against the OpenAPI document."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from eventsys import database


@pytest.fixture
def token(app):
    from eventsys.auth import operations
    from eventsys.auth.models import Role

    def make(email, role):
        with app.app_context():
            user = operations.create_user(email, "passord-passord", role=Role(role), verified=True)
            value = operations.issue_api_token(user)
            database.commit()
        return {"Authorization": f"Bearer {value}"}

    return make


@pytest.fixture
def check(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    registry = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(spec))

    def validate(body, path):
        pointer = path.removeprefix("/api/v1").replace("/", "~1")
        ref = f"urn:openapi#/paths/{pointer}/get/responses/200/content/application~1json/schema"
        Draft202012Validator({"$ref": ref}, registry=registry).validate(body)
        return body

    return validate


def test_summary_in_ore_for_the_year(
    app, client, runner, token, check, make_org, paid_seats, fake_stripe
):
    year = datetime.now(ZoneInfo("Europe/Oslo")).year
    make_org("Universitetet i Bergen", ["uib.no"], org_number="974767880",
             periods=[("owner", date(year, 1, 1), date(year, 12, 31), "2000+")])  # fmt: skip
    runner.invoke(args=["eventsys", "invoice-owners", "--year", str(year)])
    paid_seats(2)
    runner.invoke(args=["eventsys", "stripe-sync"])
    headers = token("okonomi@nettverket.no", "finance")
    body = check(client.get(f"/api/v1/finance/summary?year={year}", headers=headers).get_json(),
                 "/api/v1/finance/summary")  # fmt: skip
    fee = 75000 * 24 // 1000 + 200
    assert body == {
        "year": year, "contributions_invoiced": 150_000_00, "contributions_paid": 0,
        "fees_card": 150000, "fees_invoiced": 0, "fees_outstanding": 0, "refunds": 0,
        "stripe_fees": 2 * fee, "net": 150000 - 2 * fee,
    }  # fmt: skip
    contributions = client.get(f"/api/v1/finance/contributions?year={year}", headers=headers)
    assert check(contributions.get_json(), "/api/v1/finance/contributions") == [
        {"organisation_id": contributions.get_json()[0]["organisation_id"],
         "organisation": "Universitetet i Bergen", "year": year, "band": "2000+",
         "amount": 150_000_00, "invoice_number": 1, "paid": False}
    ]  # fmt: skip


def test_discrepancies_list(app, client, runner, token, check, paid_seats, fake_stripe):
    paid_seats(1)
    charge = fake_stripe.charge_directly(12300)
    runner.invoke(args=["eventsys", "stripe-sync"])
    headers = token("okonomi@nettverket.no", "finance")
    body = check(client.get("/api/v1/finance/discrepancies", headers=headers).get_json(),
                 "/api/v1/finance/discrepancies")  # fmt: skip
    assert body == [
        {"kind": "money_without_registration", "amount": 12300, "currency": "NOK",
         "registration_id": None, "stripe_id": charge["id"],
         "detail": "no registration recorded this payment"}
    ]  # fmt: skip


@pytest.mark.parametrize("role", ["participant", "organiser"])
def test_everybody_else_gets_403(client, token, role):
    headers = token("noen@nettverket.no", role)
    for path in ("/api/v1/finance/summary?year=2027", "/api/v1/finance/discrepancies",
                 "/api/v1/finance/contributions?year=2027"):  # fmt: skip
        response = client.get(path, headers=headers)
        assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/finance/discrepancies").status_code == 401


@pytest.mark.parametrize("query", ["", "?year=abc", "?year=1999", "?year=99999999999"])
def test_a_bad_year_is_a_400(client, token, query):
    headers = token("okonomi@nettverket.no", "finance")
    response = client.get(f"/api/v1/finance/summary{query}", headers=headers)
    assert response.status_code == 400 and "error" in response.get_json()


def test_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"/finance/summary", "/finance/discrepancies"} <= set(paths)
