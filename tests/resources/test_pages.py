"""The resource bank's pages: search without JavaScript, submitting, the organiser's
queue, publishing with a log, files checked by content, citations and the feed."""

import io
import json
import re
import zipfile

import pytest
from conftest import csrf_token

from tests.resources.conftest import tiny_pdf


def _post_form(client, page_url, url, data, files=None):
    token = csrf_token(client.get(page_url).get_data(as_text=True))
    payload = {"csrf_token": token, **data}
    if files:
        payload.update(files)
    return client.post(url, data=payload, content_type="multipart/form-data")


def test_a_newcomer_finds_frafall_material_in_two_clicks(client, make_resource):
    make_resource("Tiltak mot frafall i første studieår", themes=["completion"])
    front = client.get("/").get_data(as_text=True)
    # Click 1: the theme on the front page.
    link = re.search(r'href="([^"]*theme=completion[^"]*)"', front).group(1)
    assert "Gjennomføring og frafall" in front
    listing = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    # Click 2: the resource.
    rid = re.search(r'href="/resources/(\d+)"', listing).group(1)
    page = client.get(f"/resources/{rid}").get_data(as_text=True)
    assert "<h1>Tiltak mot frafall i første studieår</h1>" in page


def test_search_page_works_as_a_plain_get_form(client, make_resource):
    make_resource(
        "Frafall blant studenter", summary="Tiltak for *studenter* som vurderer å slutte."
    )
    make_resource("Studentøkonomi")
    html = client.get("/resources?q=studentene+frafall").get_data(as_text=True)
    # No script of its own: only the header's menu button (which the page works without).
    assert 'method="get"' in html
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/menu.js" defer>']
    assert "Ressurser funnet: 1" in html
    assert "<mark>Frafall</mark> blant <mark>studenter</mark>" in html
    html = client.get("/resources?q=frafall&lang=en").get_data(as_text=True)
    assert "Resources found: 1" in html


def test_unknown_filter_value_is_a_message_not_an_error(client, make_resource):
    response = client.get("/resources?kind=nonsense")
    assert response.status_code == 422
    assert "Velg ett av alternativene" in response.get_data(as_text=True)


def test_submit_review_send_back_and_publish_with_a_log(
    client, make_user, login, make_resource, organiser, smtp
):
    make_user("kari@uib.no", name="Kari Hansen")
    login("kari@uib.no")
    response = _post_form(
        client,
        "/resources/new",
        "/resources/new",
        {
            "kind": "best_practice",
            "title": "Kollokviegrupper",
            "summary": "Faste grupper",
            "language": "nb",
            "themes": ["completion"],
            "action": "submit",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    url = response.headers["Location"]
    assert "Venter på en arrangør" in client.get(url).get_data(as_text=True)
    # Not public yet.
    anonymous = client.application.test_client()
    assert anonymous.get(url).status_code == 404
    assert "Kollokviegrupper" not in anonymous.get("/resources").get_data(as_text=True)

    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    login("arrangement@kompetansenettverk.no")
    queue = client.get("/organiser/resources").get_data(as_text=True)
    assert "Kollokviegrupper" in queue
    rid = url.rsplit("/", 1)[-1]
    response = _post_form(client, url, f"/resources/{rid}/send_back", {"comment": ""})
    assert "Skriv hva bidragsyteren" in client.get(url).get_data(as_text=True)
    response = _post_form(
        client, url, f"/resources/{rid}/send_back", {"comment": "Legg til hvilket lærested"}
    )
    assert response.status_code == 302
    assert "Legg til hvilket lærested" in smtp.body(smtp.last_to("kari@uib.no"))
    # Kari fixes it and sends it again; the organiser publishes.
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    login("kari@uib.no")
    response = _post_form(
        client,
        f"{url}/edit",
        f"{url}/edit",
        {
            "kind": "best_practice",
            "title": "Kollokviegrupper ved UiB",
            "language": "nb",
            "themes": ["completion"],
        },
    )
    assert response.status_code == 302
    _post_form(client, url, f"/resources/{rid}/submit", {})
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))})
    login("arrangement@kompetansenettverk.no")
    _post_form(client, url, f"/resources/{rid}/publish", {})
    assert "Kollokviegrupper ved UiB" in anonymous.get("/resources").get_data(as_text=True)
    history = " ".join(client.get(url).get_data(as_text=True).split())
    for step in ("opprettet", "sendt tilbake", "endret (title)", "publisert"):
        assert step in history, step


def test_a_participant_cannot_publish(client, make_user, login, themes):
    make_user("kari@uib.no")
    login("kari@uib.no")
    response = _post_form(
        client,
        "/resources/new",
        "/resources/new",
        {"kind": "link", "title": "Lenke", "language": "nb", "action": "publish"},
    )
    assert response.status_code == 422
    assert "Du kan ikke gjøre det" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"doi": "11.1000/x"}, "En DOI ser ut som"),
        ({"url": "javascript:alert(1)"}, "Lenken må begynne med https://"),
        ({"title": ""}, "Skriv inn en tittel"),
        ({"kind": "conference"}, "En konferanse trenger"),
        (
            {"kind": "conference", "starts_on": "2027-05-10", "deadline": "2027-06-01"},
            "Fristen for innsending må være før",
        ),
    ],
)
def test_bad_input_gets_a_message(client, organiser, login, themes, values, message):
    login("arrangement@kompetansenettverk.no")
    data = {"kind": "literature", "title": "Bok", "language": "nb", "action": "publish"} | values
    response = _post_form(client, "/resources/new", "/resources/new", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("lysark.pdf", b"MZ\x90\x00" + b"\x00" * 200, "Denne filtypen tas ikke imot"),
        ("lysark.pdf", _docx(), "Filens navn stemmer ikke"),
        ("lysark.pdf", b"", "Filen er tom"),
    ],
)
def test_uploads_are_checked_by_content(client, organiser, login, themes, name, data, message):
    login("arrangement@kompetansenettverk.no")
    response = _post_form(
        client,
        "/resources/new",
        "/resources/new",
        {"kind": "presentation", "title": "Lysark", "language": "nb", "action": "publish"},
        files={"file": (io.BytesIO(data), name)},
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert "Lysark" not in client.get("/resources").get_data(as_text=True)


def test_upload_limit_is_configurable(app, client, organiser, login, themes):
    login("arrangement@kompetansenettverk.no")
    saved = app.config["UPLOAD_MAX_BYTES"]
    app.config["UPLOAD_MAX_BYTES"] = 1000
    try:
        response = _post_form(
            client,
            "/resources/new",
            "/resources/new",
            {"kind": "presentation", "title": "Stor", "language": "nb", "action": "publish"},
            files={"file": (io.BytesIO(tiny_pdf("x" * 2000)), "stor.pdf")},
        )
    finally:
        app.config["UPLOAD_MAX_BYTES"] = saved
    assert response.status_code == 422
    assert "Filen er for stor" in response.get_data(as_text=True)


def test_files_download_and_unpublished_ones_are_private(client, make_resource, make_user, login):
    pdf = tiny_pdf("Hello")
    public = make_resource("Lysark", file=("lysark.pdf", pdf))
    hidden = make_resource("Utkast", status="draft", file=("utkast.pdf", pdf))
    response = client.get(f"/resources/{public}/file")
    assert response.status_code == 200 and response.data == pdf
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert client.get(f"/resources/{hidden}/file").status_code == 404
    make_user("kari@uib.no")
    login("kari@uib.no")
    assert client.get(f"/resources/{hidden}/file").status_code == 404
    organiser_client = client.application.test_client()
    token = csrf_token(organiser_client.get("/login").get_data(as_text=True))
    organiser_client.post(
        "/login",
        data={
            "csrf_token": token,
            "password": "riktig-passord-1",
            "email": "arrangement@kompetansenettverk.no",
        },
    )
    assert organiser_client.get(f"/resources/{hidden}/file").data == pdf


def test_citations_single_and_results(client, make_resource):
    import bibtexparser

    rid = make_resource(
        "Frafall i høyere utdanning",
        kind="literature",
        authors=["Hansen, Kari", "Olsen, Per"],
        year=2023,
        doi="10.1000/abc.1",
    )
    make_resource("Annen frafallsstudie", kind="report", year=2022)
    library = bibtexparser.parse_string(client.get(f"/resources/{rid}.bib").get_data(as_text=True))
    entry = library.entries[0]
    assert entry.entry_type == "article"
    assert entry["author"] == "Hansen, Kari and Olsen, Per" and entry["doi"] == "10.1000/abc.1"
    csl = json.loads(client.get(f"/resources/{rid}.csl.json").data)
    assert csl[0]["author"][0] == {"family": "Hansen", "given": "Kari"}
    assert csl[0]["issued"] == {"date-parts": [[2023]]} and csl[0]["DOI"] == "10.1000/abc.1"
    results = bibtexparser.parse_string(
        client.get("/resources.bib?kind=report").get_data(as_text=True)
    )
    assert [e.entry_type for e in results.entries] == ["techreport"]
    assert len(json.loads(client.get("/resources.csl.json").data)) == 2


def test_bibtex_import_makes_drafts(client, organiser, login, themes):
    login("arrangement@kompetansenettverk.no")
    bib = (
        "@article{hansen2023, title={Frafall i {h\\o}yere utdanning}, author={Hansen, Kari and Olsen, Per},"
        " year={2023}, doi={10.1000/abc}, abstract={Om frafall.}}\n"
        "@techreport{nokut2022, title={Studiebarometeret}, year=2022, institution={NOKUT}}\n"
        "@misc{bad, title={Feil}, doi={not-a-doi}}\n"
    )
    response = _post_form(
        client,
        "/organiser/resources",
        "/organiser/resources/import",
        {},
        files={"file": (io.BytesIO(bib.encode()), "liste.bib")},
    )
    assert response.status_code == 302
    queue = client.get("/organiser/resources").get_data(as_text=True)
    assert "2 poster importert som utkast; 1 kunne ikke leses" in queue
    assert "Frafall i høyere utdanning" in queue and "Studiebarometeret" in queue


def test_atom_feed_of_new_resources_per_theme(client, make_resource):
    import xml.etree.ElementTree as ET

    make_resource("Psykisk helse-tiltak", themes=["mental_health"])
    make_resource("Frafallstiltak", themes=["completion"])
    atom = "{http://www.w3.org/2005/Atom}"
    root = ET.fromstring(client.get("/resources.atom").data)
    assert len(root.findall(f"{atom}entry")) == 2
    response = client.get("/resources.atom?theme=completion")
    assert response.mimetype == "application/atom+xml"
    titles = [
        e.find(f"{atom}title").text for e in ET.fromstring(response.data).findall(f"{atom}entry")
    ]
    assert titles == ["Frafallstiltak"]
    assert client.get("/resources.atom?theme=nope").status_code == 404


def test_an_organiser_changes_the_organisation_and_it_is_logged(
    app, client, make_resource, make_org, login
):
    from eventsys.extensions import db
    from eventsys.resources.models import Resource

    uib = make_org("Universitetet i Bergen", ["uib.no"])
    rid = make_resource("Kollokviegrupper")
    login("arrangement@kompetansenettverk.no")
    url = f"/resources/{rid}/edit"
    response = _post_form(
        client,
        url,
        url,
        {
            "kind": "best_practice",
            "title": "Kollokviegrupper",
            "language": "nb",
            "organisation_id": str(uib),
        },
    )
    assert response.status_code == 302
    assert "Universitetet i Bergen" in client.get(f"/resources/{rid}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Resource, rid).log[-1].changes["organisation_id"] == [None, uib]


def test_editing_keeps_the_file_when_no_new_one_is_sent(client, make_resource, login):
    pdf = tiny_pdf("Kollokvier")
    rid = make_resource("Lysark", kind="presentation", file=("lysark.pdf", pdf))
    login("arrangement@kompetansenettverk.no")
    url = f"/resources/{rid}/edit"
    response = _post_form(
        client, url, url, {"kind": "presentation", "title": "Lysark fra UiT", "language": "nb"}
    )
    assert response.status_code == 302
    assert client.get(f"/resources/{rid}/file").data == pdf
