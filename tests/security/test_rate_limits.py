"""Rate limits on login, sign-up, password reset, verification mails and the API. The
counters are in the database, so they hold across app instances, workers and hosts."""

from __future__ import annotations

import threading

import pytest
import requests
from conftest import csrf_token

from eventsys import database
from eventsys.extensions import db


def _limited_app(database_url, **limits):
    """An app on the suite's database with rate limiting switched on."""
    from config import TestConfig
    from eventsys import create_app

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_ENABLED = True

    for name, value in limits.items():
        setattr(Config, name, value)
    return create_app(Config())


@pytest.fixture
def limited(app, database_url):
    made = []

    def make(**limits):
        other = _limited_app(database_url, **limits)
        # The smtp fixture points the suite's app at its server; this app too.
        other.config.update(
            MAIL_SERVER=app.config["MAIL_SERVER"], MAIL_PORT=app.config["MAIL_PORT"]
        )
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()


def _post_form(client, url, data):
    html = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token(html), **data})


def test_wrong_logins_for_one_address_are_stopped_with_a_429_page(limited, make_user):
    make_user("kari@uib.no")
    app = limited(RATELIMIT_LOGIN_PER_ADDRESS="3 per 15 minutes")
    client = app.test_client()
    for _ in range(3):
        response = _post_form(client, "/login", {"email": "kari@uib.no", "password": "gjett-1234"})
        assert response.status_code == 422
    response = _post_form(client, "/login", {"email": "Kari@UiB.no", "password": "gjett-1234"})
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 15 * 60
    page = response.get_data(as_text=True)
    assert "For mange forsøk. Prøv igjen om 15 minutter." in page
    # The right password is not let through either while the limit holds.
    response = _post_form(
        client, "/login", {"email": "kari@uib.no", "password": "riktig-passord-1"}
    )
    assert response.status_code == 429
    # Another address is not affected.
    make_user("per@uib.no")
    response = _post_form(client, "/login", {"email": "per@uib.no", "password": "riktig-passord-1"})
    assert response.status_code == 302


def test_the_limit_holds_across_two_app_instances_on_one_database(limited, make_user):
    """Two workers (or hosts) share the count: per-process counters would let four
    guesses through on each."""
    make_user("kari@uib.no")
    first = limited(RATELIMIT_LOGIN_PER_ADDRESS="4 per hour").test_client()
    second = limited(RATELIMIT_LOGIN_PER_ADDRESS="4 per hour").test_client()
    statuses = []
    for client in (first, second, first, second, first, second):
        response = _post_form(client, "/login", {"email": "kari@uib.no", "password": "gjett-1234"})
        statuses.append(response.status_code)
    assert statuses == [422, 422, 422, 422, 429, 429]


def test_the_limit_holds_across_gunicorn_workers_under_a_parallel_burst(
    app, database_url, make_user
):
    from bench.registration_burst import Server

    make_user("kari@uib.no")
    env = {"EVENTSYS_RATELIMIT_ENABLED": "1", "EVENTSYS_RATELIMIT_LOGIN_PER_ADDRESS": "5 per hour"}
    with Server(database_url, workers=2, threads=1, extra_env=env) as server:
        session = requests.Session()
        token = csrf_token(session.get(server.base_url + "/login").text)
        cookies = session.cookies.get_dict()
        statuses = []
        lock = threading.Lock()

        def guess():
            response = requests.post(
                server.base_url + "/login",
                data={"csrf_token": token, "email": "kari@uib.no", "password": "gjett-1234"},
                cookies=cookies,
                headers={"Connection": "close"},
                allow_redirects=False,
                timeout=30,
            )
            with lock:
                statuses.append(response.status_code)

        threads = [threading.Thread(target=guess) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(statuses) == [422] * 5 + [429] * 11, server.log[-20:]


def test_reset_mails_to_one_address_are_limited(limited, make_user, smtp):
    make_user("kari@uib.no")
    app = limited(RATELIMIT_MAIL_PER_ADDRESS="3 per 15 minutes")
    client = app.test_client()
    statuses = [
        _post_form(client, "/forgot-password", {"email": "kari@uib.no"}).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    assert len(smtp.to("kari@uib.no")) == 3


def test_sign_up_mails_to_one_address_are_limited(limited, make_user, smtp):
    make_user("kari@uib.no")
    app = limited(RATELIMIT_MAIL_PER_ADDRESS="2 per 15 minutes")
    client = app.test_client()
    statuses = [
        _post_form(
            client,
            "/signup",
            {"name": "Kari", "email": "kari@uib.no", "password": "et-langt-passord"},
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [302, 302, 429, 429]
    assert len(smtp.to("kari@uib.no")) == 2


def test_sign_ups_from_one_address_are_limited(limited, smtp):
    app = limited(RATELIMIT_MAIL_PER_IP="3 per hour")
    client = app.test_client()
    statuses = [
        _post_form(
            client,
            "/signup",
            {"name": "Bot", "email": f"bot{n}@example.org", "password": "et-langt-passord"},
        ).status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]


def test_verification_mails_are_limited(limited, make_user, smtp):
    make_user("kari@uib.no", verified=False)
    app = limited(RATELIMIT_MAIL_PER_ADDRESS="2 per 15 minutes")
    client = app.test_client()
    assert (
        _post_form(
            client, "/login", {"email": "kari@uib.no", "password": "riktig-passord-1"}
        ).status_code
        == 302
    )
    statuses = [_post_form(client, "/verify/resend", {}).status_code for _ in range(3)]
    # The form is on the account page; GET /verify/resend is not a page.
    assert statuses[:2] == [302, 302] and statuses[2] == 429


def test_the_api_answers_429_in_json_with_retry_after(limited, make_user):
    from eventsys.auth import operations
    from eventsys.auth.models import User

    make_user("arr@nettverket.no", role="organiser")
    app = limited(RATELIMIT_API="3 per minute")
    with app.app_context():
        user = db.session.query(User).filter_by(email="arr@nettverket.no").one()
        token = operations.issue_api_token(user)
        database.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    statuses = [client.get("/api/v1/events", headers=headers).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    response = client.get("/api/v1/events", headers=headers)
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert response.get_json()["error"]["message"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_expired_windows_are_purged_by_tick(app, limited, make_user):
    from datetime import timedelta

    from eventsys.database import utcnow
    from eventsys.ratelimit import RateLimitCounter, purge_expired

    make_user("kari@uib.no")
    client = limited(RATELIMIT_LOGIN_PER_ADDRESS="3 per minute").test_client()
    _post_form(client, "/login", {"email": "kari@uib.no", "password": "gjett-1234"})
    with app.app_context():
        assert db.session.query(RateLimitCounter).count() >= 1
        purge_expired(utcnow() + timedelta(days=2))
        database.commit()
        assert db.session.query(RateLimitCounter).count() == 0
