"""Request bodies have limits: 1 MB for JSON and webhooks, the upload limit for
forms (files); anything larger is a 413, JSON for the API and webhooks, a page for
forms, and it is refused before the body is read into memory."""

from __future__ import annotations

import io

import pytest


@pytest.fixture
def api_token(app, make_user):
    from eventsys import database
    from eventsys.auth import operations
    from eventsys.auth.models import User
    from eventsys.extensions import db

    make_user("arrangement@uib.no", role="organiser")
    with app.app_context():
        user = db.session.query(User).filter_by(email="arrangement@uib.no").one()
        token = operations.issue_api_token(user)
        database.commit()
    return token


def test_an_oversized_webhook_is_refused_with_413(client):
    response = client.post(
        "/stripe/webhook",
        data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=x"},
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_an_oversized_webhook_without_a_length_is_cut_off(client):
    """A chunked body (no Content-Length) is read only up to the limit."""
    body = io.BytesIO(b"{" + b" " * (2 * 1024 * 1024) + b"}")
    response = client.post(
        "/stripe/webhook",
        input_stream=body,
        headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        # As gunicorn does for a chunked body: the server ends the stream.
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413


def test_an_oversized_api_body_is_refused_with_json(client, api_token):
    response = client.post(
        "/api/v1/events",
        data=b'{"title": "' + b"x" * (1024 * 1024 + 10) + b'"}',
        headers={"Authorization": f"Bearer {api_token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    body = response.get_json()
    assert body["error"]["code"] == "too_large"


def test_an_oversized_form_gets_a_translated_page(client):
    response = client.post(
        "/signup",
        data={"name": "x" * (30 * 1024 * 1024)},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<html" in page and "for stor" in page


def test_the_limits_are_configurable(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_JSON_BYTES", 100)
    response = client.post(
        "/stripe/webhook",
        data=b"{" + b" " * 200 + b"}",
        headers={"Content-Type": "application/json", "Stripe-Signature": "t=1,v1=x"},
    )
    assert response.status_code == 413
