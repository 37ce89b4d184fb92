# ruff: noqa: F811  (the fixtures of test_api.py, imported by name)
"""The community endpoints (CONTRACT.md): answers validated against the OpenAPI
document, errors in the API's shape."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.api.test_api import api, spec, token, validate  # noqa: F401  (fixtures)


@pytest.fixture
def themes_and_categories(app):
    from eventsys import database
    from eventsys.forum import operations
    from eventsys.themes.operations import ensure_seed_themes

    with app.app_context():
        ensure_seed_themes()
        operations.ensure_theme_categories()
        database.commit()


def test_people_and_resource_persons(api, token, validate, make_org, make_user):
    today = date.today()
    org = make_org(
        "Universitetet i Bergen",
        ["uib.no"],
        periods=[("owner", today - timedelta(days=30), today + timedelta(days=700), "2000+")],
    )
    make_user("kari@uib.no", name="Kari Hansen")
    admin = token("admin@nettverket.no", "admin")
    organiser = token("ola@nettverket.no", "organiser")

    body = {"email": "kari@uib.no"}
    response = api("POST", f"/organisations/{org}/resource-persons", organiser, json=body)
    assert response.status_code == 403
    response = api("POST", f"/organisations/{org}/resource-persons", admin, json=body)
    assert response.status_code == 201
    answer = validate(response.get_json(), "ResourcePerson")
    assert answer["email"] == "kari@uib.no" and answer["valid_from"] == today.isoformat()

    response = api("POST", "/organisations/999/resource-persons", admin, json=body)
    assert response.status_code == 404
    response = api(
        "POST",
        f"/organisations/{org}/resource-persons",
        admin,
        json={"email": "kari@uib.no", "valid_from": "2027-01-01", "valid_to": "2026-01-01"},
    )
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "period_order"

    people = api("GET", "/people", organiser)
    assert people.status_code == 200
    listed = validate(people.get_json(), "PeopleList")["people"]
    assert [p["name"] for p in listed] == ["Kari Hansen"]
    assert listed[0]["email"] is None  # no consent given
    assert api("GET", "/people?region=nord", organiser).get_json()["people"] == []
    assert api("GET", "/people?region=mars", organiser).status_code == 400


def test_event_hosts(api, token, validate, make_event, make_user):
    event_id = make_event()
    make_user("vert@uib.no", name="Vera Vert")
    organiser = token("ola@nettverket.no", "organiser")
    host = token("vert2@uib.no", "participant")
    response = api("POST", f"/events/{event_id}/hosts", organiser, json={"email": "vert@uib.no"})
    assert response.status_code == 201
    validate(response.get_json(), "Host")
    response = api("POST", f"/events/{event_id}/hosts", host, json={"email": "vert2@uib.no"})
    assert response.status_code == 403
    listed = validate(api("GET", f"/events/{event_id}/hosts", organiser).get_json(), "HostList")
    assert [h["email"] for h in listed["hosts"]] == ["vert@uib.no"]
    assert api("GET", f"/events/{event_id}/hosts", host).status_code == 403
    response = api("POST", f"/events/{event_id}/hosts", organiser, json={"email": "ukjent@x.no"})
    assert response.status_code == 404


def test_forum_threads_and_posts(api, token, validate, themes_and_categories):
    organiser = token("ola@nettverket.no", "organiser")
    member = token("kari@uib.no", "participant")
    body = {"category": "mental_health", "title": "Mestring", "body": "Hva **virker**?"}
    response = api("POST", "/forum/threads", organiser, json=body)
    assert response.status_code == 201
    thread = validate(response.get_json(), "ForumThreadDetail")
    assert thread["posts"][0]["state"] == "published"

    # A new member's first reply waits for a moderator.
    response = api("POST", f"/forum/threads/{thread['id']}/posts", member, json={"body": "Hei"})
    assert response.status_code == 201
    assert validate(response.get_json(), "ForumPost")["state"] == "pending"
    public = api("GET", f"/forum/threads/{thread['id']}", token("per@uio.no", "participant"))
    assert [p["body"] for p in validate(public.get_json(), "ForumThreadDetail")["posts"]] == [
        "Hva **virker**?"
    ]
    listed = validate(
        api("GET", "/forum/threads?category=mental_health", member).get_json(), "ForumThreadList"
    )
    assert [t["title"] for t in listed["threads"]] == ["Mestring"]
    assert api("GET", "/forum/threads?category=finnes-ikke", member).status_code == 404
    response = api("POST", "/forum/threads", member, json={**body, "title": " "})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "title_required"
    assert api("GET", "/forum/threads/999", member).status_code == 404


def test_newsletters_and_subscribers(api, token, validate, smtp, themes_and_categories):
    organiser = token("ola@nettverket.no", "organiser")
    response = api(
        "POST",
        "/newsletters",
        organiser,
        json={"title": "Vårbrev", "body": "Hei", "themes": ["mental_health"]},
    )
    assert response.status_code == 201
    issue = validate(response.get_json(), "Newsletter")
    assert issue["status"] == "draft" and issue["themes"] == ["mental_health"]
    send_at = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0).isoformat()
    response = api(
        "POST", f"/newsletters/{issue['id']}/schedule", organiser, json={"send_at": send_at}
    )
    assert response.status_code == 200
    assert validate(response.get_json(), "Newsletter")["status"] == "scheduled"
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    response = api(
        "POST", f"/newsletters/{issue['id']}/schedule", organiser, json={"send_at": past}
    )
    assert response.status_code == 400
    listed = validate(api("GET", "/newsletters", organiser).get_json(), "NewsletterList")
    assert [n["title"] for n in listed["newsletters"]] == ["Vårbrev"]
    kari = token("kari@uib.no", "participant")
    assert api("GET", "/newsletters", kari).status_code == 403

    response = api(
        "POST",
        "/newsletter/subscribers",
        kari,
        json={"email": "leser@example.no", "themes": ["mental_health"], "language": "en"},
    )
    assert response.status_code == 202
    assert (
        smtp.last_to("leser@example.no")["Subject"] == "Confirm your subscription to the newsletter"
    )
    response = api(
        "POST",
        "/newsletter/subscribers",
        kari,
        json={"email": "leser@example.no", "themes": ["ukjent"]},
    )
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "unknown_theme"
