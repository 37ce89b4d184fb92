"""Hostile input anywhere is a clear 4xx (or an ordinary answer), never a 500: query
strings on every page, forms full of odd values on every form, JSON of the wrong type
at the top level on every API route, and signed webhooks of odd shapes. A webhook for
a Checkout Session eventsys never made is acknowledged (2xx) and logged, so Stripe
does not retry it for days."""

from __future__ import annotations

import json
import logging

import pytest

from tests.security.test_access_matrix import (  # noqa: F401  (matrix_app is a fixture)
    ADMIN,
    ANON,
    OWNER,
    World,
    _routes,
    matrix_app,
)

HOSTILE_VALUES = [
    "",
    " ",
    "x" * 5000,
    "-1",
    "0",
    "99999999999999999999999",
    "1e308",
    "NaN",
    "-0",
    "9999-12-31T23:59",
    "0001-01-01T00:00",
    "2027-02-30",
    "'; DROP TABLE users; --",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://evil")',
    "\u202e\ufeff\U0001f600",
    "%s%n",
    "../../etc/passwd",
    "a\r\nb",
]
QUERY_NAMES = [
    "year",
    "page",
    "category",
    "q",
    "kind",
    "theme",
    "language",
    "lang",
    "next",
    "session_id",
    "since",
    "month",
    "status",
    "sort",
    "format",
]
FORM_NAMES = [
    "title",
    "kind",
    "format",
    "capacity",
    "fee",
    "starts_at",
    "ends_at",
    "registration_opens_at",
    "registration_closes_at",
    "priority_deadline",
    "cancellation_deadline",
    "payment_days",
    "offer_hours",
    "venue",
    "online_url",
    "language",
    "description",
    "name",
    "email",
    "password",
    "confirm",
    "org_number",
    "reference",
    "recipient_email",
    "recipient_address",
    "organisation_name",
    "reason",
    "before",
    "organisation_id",
    "subject",
    "message",
    "attended",
    "dietary_needs",
    "accessibility_needs",
    "override",
    "waive_fee",
    "categories",
    "lang",
    "next",
    "role",
    "valid_from",
    "valid_to",
    "staff_band",
    "domains",
    "title_nb",
    "title_en",
    "category",
    "audience",
    "link",
    "recurrence_kind",
    "month",
    "day",
    "weekday",
    "nth",
    "rrule",
    "start_time",
    "end_time",
    "reminder_days",
    "profile-name",
    "profile-locale",
    "pw-current",
    "pw-password",
    "email-email",
    "email-current",
]


def _rotated(names, offset):
    """Every name a hostile value, a different one for each neighbour; over all the
    offsets each name meets every value."""
    return {
        name: HOSTILE_VALUES[(i + offset) % len(HOSTILE_VALUES)] for i, name in enumerate(names)
    }


def _client(world, role):
    client = world.app.test_client()
    headers = {}
    if role != ANON:
        with client.session_transaction() as session:
            session["_user_id"] = world.sessions[role]
        headers["Authorization"] = f"Bearer {world.tokens[role]}"
    return client, headers


def test_query_strings_on_every_page_never_give_a_500(app, matrix_app, make_org):  # noqa: F811
    world = World(matrix_app, make_org)
    failures = []
    for endpoint, method in _routes():
        if method != "GET":
            continue
        for role in (ANON, ADMIN):
            client, headers = _client(world, role)
            for offset in range(0, len(HOSTILE_VALUES), 3):
                query = _rotated(QUERY_NAMES, offset)
                response = client.get(world.url(endpoint), query_string=query, headers=headers)
                if response.status_code >= 500:
                    failures.append((endpoint, role, offset, response.status_code))
    assert failures == []


OWN_FORMS = {
    "registration.accept",
    "registration.decline",
    "registration.cancel",
    "payments.pay_by_card",
    "payments.pay_by_invoice",
    "payments.transfer",
}


def test_hostile_forms_on_every_form_never_give_a_500(app, matrix_app, make_org):  # noqa: F811
    """Every web form sent with odd values in every field (as admin, who reaches every
    form; as the owner for the participant's own forms)."""
    world = World(matrix_app, make_org)
    failures = []
    for endpoint, method in _routes():
        if method != "POST" or endpoint.startswith("api.") or endpoint == "auth.logout":
            continue
        role = OWNER if endpoint in OWN_FORMS else ADMIN
        client, _ = _client(world, role)
        for offset in range(0, len(HOSTILE_VALUES), 2):
            response = client.post(world.url(endpoint), data=_rotated(FORM_NAMES, offset))
            if response.status_code >= 500:
                failures.append((endpoint, role, offset, response.status_code))
    assert failures == []


TOP_LEVEL = [b"[]", b'"text"', b"1", b"null", b"true", b"{", b"[" * 5000 + b"]" * 5000, b"\xff\xfe"]


@pytest.mark.parametrize("body", TOP_LEVEL, ids=lambda b: repr(b[:12]))
def test_json_of_the_wrong_type_is_never_a_500_on_any_api_route(app, matrix_app, make_org, body):  # noqa: F811
    world = World(matrix_app, make_org)
    failures = []
    for endpoint, method in _routes():
        if not endpoint.startswith("api.") or method == "GET":
            continue
        for role in (ADMIN, OWNER):
            response = world.app.test_client().open(
                world.url(endpoint),
                method=method,
                data=body,
                headers={
                    "Authorization": f"Bearer {world.tokens[role]}",
                    "Content-Type": "application/json",
                },
            )
            # Routes without a body (cancel, accept) may ignore it; the rest refuse it.
            ok = response.status_code < 400 or (
                response.status_code < 500 and "error" in (response.get_json() or {})
            )
            if not ok:
                failures.append((method, endpoint, role, response.status_code))
    assert failures == []


# --- webhooks ----------------------------------------------------------------------------


@pytest.fixture
def signed(client, fake_stripe):
    """POST a payload to the webhook, signed as Stripe signs (with the fake Stripe's
    secret, so a checkout event's session is looked up in a real Stripe API)."""
    from tests.fakestripe.wire import sign_payload

    def post(payload):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return client.post(
            "/stripe/webhook",
            data=data,
            headers={
                "Stripe-Signature": sign_payload(data, fake_stripe.webhook_secret, None),
                "Content-Type": "application/json",
            },
        )

    return post


ODD_EVENTS = [
    [],
    "text",
    1,
    None,
    {},
    {"id": "evt_1"},
    {"id": "evt_2", "type": "checkout.session.completed"},
    {"id": "evt_3", "type": "checkout.session.completed", "data": None},
    {"id": "evt_4", "type": "checkout.session.completed", "data": {"object": "cs_1"}},
    {"id": "evt_5", "type": "checkout.session.completed", "data": {"object": {}}},
    {"id": "evt_6", "type": "checkout.session.completed", "data": {"object": {"id": 12}}},
    {"id": 7, "type": "checkout.session.completed", "data": {"object": {"id": "cs_x"}}},
    {"id": "evt_8", "type": ["x"], "data": {"object": {}}},
    {"id": "evt_9", "type": "charge.refunded", "data": {"object": {"amount_refunded": "all"}}},
    {
        "id": "evt_10",
        "type": "charge.refunded",
        "data": {"object": {"payment_intent": ["pi"], "amount_refunded": 10**30}},
    },
    {"id": "x" * 10000, "type": "charge.refunded", "data": {"object": {}}},
    {"id": "evt_11", "type": "checkout.session.async_payment_failed", "data": {"object": {}}},
]


@pytest.mark.parametrize("event", ODD_EVENTS, ids=lambda e: json.dumps(e)[:40])
def test_signed_webhooks_of_odd_shapes_are_answered_without_a_500(signed, event):
    response = signed(event)
    assert response.status_code < 500
    assert response.get_json() is not None


def test_a_deeply_nested_webhook_is_a_400(signed):
    response = signed(b'{"id": "evt_1", "data": ' + b"[" * 100000 + b"]" * 100000 + b"}")
    assert 400 <= response.status_code < 500


def test_a_webhook_for_a_session_eventsys_never_made_is_acknowledged_and_logged(
    app, client, fake_stripe, caplog
):
    """A Checkout Session of another system on the same Stripe account (or a forged
    id in a correctly signed event): answered 2xx once, logged, not retried."""
    from tests.fakestripe.wire import sign_payload

    payload = json.dumps(
        {
            "id": "evt_foreign",
            "type": "checkout.session.completed",
            "data": {"object": {"id": "cs_test_never_made_here", "object": "checkout.session"}},
        }
    ).encode()
    headers = {
        "Stripe-Signature": sign_payload(payload, fake_stripe.webhook_secret, None),
        "Content-Type": "application/json",
    }
    with caplog.at_level(logging.WARNING):
        response = client.post("/stripe/webhook", data=payload, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "unknown_session"
    assert "cs_test_never_made_here" in caplog.text
    again = client.post("/stripe/webhook", data=payload, headers=headers)
    assert again.status_code == 200 and again.get_json()["outcome"] == "duplicate"
