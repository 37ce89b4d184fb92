"""The resource bank in the JSON API; answers are validated against the OpenAPI
document the app serves."""

import base64

import pytest

from tests.api.test_api import api, spec, token, validate  # noqa: F401  (fixtures)
from tests.resources.conftest import tiny_pdf


def test_themes(api, token, validate, themes):  # noqa: F811
    response = api("GET", "/themes", token("kari@uib.no", "participant"))
    assert response.status_code == 200
    listed = response.get_json()
    assert listed["themes"][0] == {
        "code": "completion",
        "name_nb": "Gjennomføring og frafall",
        "name_en": "Completion and dropout",
    }
    for theme in listed["themes"]:
        validate(theme, "Theme")


def test_organiser_publishes_directly_others_submit(api, token, validate, themes):  # noqa: F811
    organiser = token("ola@nettverket.no", "organiser")
    participant = token("kari@uib.no", "participant")
    body = {
        "kind": "literature",
        "title": "Frafall i høyere utdanning",
        "summary": "En **oversikt**.",
        "authors": ["Hansen, Kari", "Olsen, Per"],
        "year": 2023,
        "language": "nb",
        "themes": ["completion"],
        "doi": "https://doi.org/10.1000/abc.1",
        "url": "https://www.nokut.no/rapport",
        "status": "published",
    }
    created = api("POST", "/resources", organiser, json=body)
    assert created.status_code == 201, created.get_json()
    resource = validate(created.get_json(), "Resource")
    assert resource["status"] == "published" and resource["doi"] == "10.1000/abc.1"
    assert resource["themes"] == ["completion"] and resource["authors"][1] == "Olsen, Per"

    refused = api("POST", "/resources", participant, json=body)
    assert refused.status_code == 403
    validate(refused.get_json(), "Error")
    submitted = api(
        "POST", "/resources", participant, json=body | {"status": None, "title": "Mitt"}
    )
    assert submitted.status_code == 201
    mine = validate(submitted.get_json(), "Resource")
    assert mine["status"] == "submitted"
    # Search finds the published one only.
    listed = api("GET", "/resources?q=frafallet&theme=completion", participant).get_json()
    assert [r["title"] for r in listed["resources"]] == ["Frafall i høyere utdanning"]
    assert listed["total"] == 1
    # The organiser publishes the submission with PATCH; the contributor cannot.
    assert (
        api(
            "PATCH", f"/resources/{mine['id']}", participant, json={"status": "published"}
        ).status_code
        == 403
    )
    published = api("PATCH", f"/resources/{mine['id']}", organiser, json={"status": "published"})
    assert validate(published.get_json(), "Resource")["status"] == "published"


def test_patch_changes_fields_and_keeps_history(app, api, token, validate, themes):  # noqa: F811
    from eventsys.extensions import db
    from eventsys.resources.models import Resource

    organiser = token("ola@nettverket.no", "organiser")
    rid = api(
        "POST",
        "/resources",
        organiser,
        json={"kind": "report", "title": "Studiebarometeret", "status": "published"},
    ).get_json()["id"]
    changed = api(
        "PATCH",
        f"/resources/{rid}",
        organiser,
        json={"year": 2024, "themes": ["learning_environment"]},
    )
    assert changed.status_code == 200
    body = validate(changed.get_json(), "Resource")
    assert body["year"] == 2024 and body["themes"] == ["learning_environment"]
    with app.app_context():
        log = db.session.get(Resource, rid).log
        assert log[-1].action == "edited"
        assert log[-1].changes == {"year": [None, 2024], "themes": [[], ["learning_environment"]]}


def test_conference_fields(api, token, validate, themes):  # noqa: F811
    organiser = token("ola@nettverket.no", "organiser")
    body = {
        "kind": "conference",
        "title": "EAIR Forum 2027",
        "starts_on": "2027-08-25",
        "ends_on": "2027-08-28",
        "location": "Lisboa",
        "deadline": "2027-02-15",
        "url": "https://www.eair.nl/forum",
        "language": "en",
        "status": "published",
    }
    created = validate(api("POST", "/resources", organiser, json=body).get_json(), "Resource")
    assert (created["starts_on"], created["deadline"], created["location"]) == (
        "2027-08-25",
        "2027-02-15",
        "Lisboa",
    )


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"themes": ["no_such_theme"]}, 400, "unknown_theme"),
        ({"doi": "11.1000/x"}, 400, "doi_invalid"),
        ({"doi": "10.abc/x"}, 400, "doi_invalid"),
        ({"url": "javascript:alert(1)"}, 400, "url_invalid"),
        ({"url": "ftp://example.org/x"}, 400, "url_invalid"),
        ({"kind": "poem"}, 400, "invalid_choice"),
        ({"authors": "Hansen"}, 400, "invalid_type"),
        ({"year": "2024"}, 400, "invalid_type"),
        ({"event_id": 999999}, 400, "unknown_event"),
        (
            {
                "file": {
                    "filename": "lysark.pdf",
                    "content_base64": base64.b64encode(b"MZ\x90\x00" + b"\x00" * 100).decode(),
                }
            },
            400,
            "file_unknown_type",
        ),
        (
            {
                "file": {
                    "filename": "bilde.png",
                    "content_base64": base64.b64encode(tiny_pdf("x")).decode(),
                }
            },
            400,
            "file_mismatch",
        ),
        ({"file": {"filename": "a.pdf", "content_base64": "***"}}, 400, "invalid_file"),
    ],
)
def test_bad_input_is_a_clear_4xx(api, token, validate, themes, change, status, code):  # noqa: F811
    organiser = token("ola@nettverket.no", "organiser")
    body = {"kind": "literature", "title": "Bok", "status": "published"} | change
    response = api("POST", "/resources", organiser, json=body)
    assert response.status_code == status, response.get_json()
    error = validate(response.get_json(), "Error")["error"]
    assert error["code"] == code and error["message"]
    assert api("GET", "/resources", organiser).get_json()["total"] == 0


def test_a_checked_file_gets_a_url(client, api, token, validate, themes):  # noqa: F811
    organiser = token("ola@nettverket.no", "organiser")
    pdf = tiny_pdf("Kollokvier")
    body = {
        "kind": "presentation",
        "title": "Lysark",
        "status": "published",
        "file": {"filename": "lysark.pdf", "content_base64": base64.b64encode(pdf).decode()},
    }
    created = validate(api("POST", "/resources", organiser, json=body).get_json(), "Resource")
    path = created["file_url"].split("localhost", 1)[-1].split(":5000", 1)[-1]
    assert client.get(path).data == pdf
    found = api("GET", "/resources?q=kollokvier", organiser).get_json()
    assert [r["id"] for r in found["resources"]] == [created["id"]]


def test_unpublished_resources_are_not_found_for_others(api, token, themes):  # noqa: F811
    kari = token("kari@uib.no", "participant")
    per = token("per@ntnu.no", "participant")
    rid = api(
        "POST", "/resources", kari, json={"kind": "link", "title": "Utkast", "status": "draft"}
    ).get_json()["id"]
    assert api("GET", f"/resources/{rid}", kari).status_code == 200
    assert api("GET", f"/resources/{rid}", per).status_code == 404
    assert api("GET", "/resources?year=abc", per).status_code == 400
    assert api("GET", "/resources?theme=nope", per).status_code == 400
