"""Resource persons: appointed by admins with history, flagged when missing, shown in
the directory with filters; gatherings for resource persons only."""

from datetime import date, timedelta

import pytest

from tests.conftest import client_of, csrf_token, upcoming


@pytest.fixture
def owners3(app, make_org, make_user):
    from eventsys import database
    from eventsys.themes.operations import ensure_seed_themes

    today = date.today()
    period = [("owner", today - timedelta(days=100), today + timedelta(days=600), "2000+")]
    ids = {
        "uib": make_org("Universitetet i Bergen", ["uib.no"], periods=period),
        "uit": make_org("UiT Norges arktiske universitet", ["uit.no"], periods=period),
        "sio": make_org("SiO", ["sio.no"], kind="welfare_org", periods=period),
    }
    make_user("admin@nettverket.no", role="admin", name="Admin")
    make_user("kari@uib.no", name="Kari Hansen")
    make_user("ola@uib.no", name="Ola Nordmann")
    make_user("nils@uit.no", name="Nils Nilsen")
    with app.app_context():
        ensure_seed_themes()
        database.commit()
    return ids


def _appoint(client, org_id, email, valid_from="", valid_to=""):
    page = client.get("/admin/people").get_data(as_text=True)
    return client.post(
        "/admin/people",
        data={
            "csrf_token": csrf_token(page),
            "organisation": str(org_id),
            "email": email,
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )


def test_admins_appoint_with_history_and_see_owners_without_one(app, owners3):
    admin = client_of(app, "admin@nettverket.no")
    page = admin.get("/admin/people").get_data(as_text=True)
    assert "Eiere uten ressursperson nå" in page
    for name in ("Universitetet i Bergen", "UiT Norges arktiske universitet", "SiO"):
        assert name in page.split("Eiere uten ressursperson nå")[1].split("</ul>")[0]

    assert _appoint(admin, owners3["uib"], "kari@uib.no").status_code == 302
    assert _appoint(admin, owners3["uit"], "nils@uit.no").status_code == 302
    # A new resource person from tomorrow ends Kari's period today; history is kept.
    tomorrow = date.today() + timedelta(days=1)
    response = _appoint(admin, owners3["uib"], "ola@uib.no", tomorrow.isoformat())
    assert response.status_code == 302
    history = admin.get(f"/admin/people/{owners3['uib']}").get_data(as_text=True)
    assert "Kari Hansen" in history and "Ola Nordmann" in history

    page = admin.get("/admin/people").get_data(as_text=True)
    flagged = page.split("Eiere uten ressursperson nå")[1].split("</ul>")[0]
    assert "SiO" in flagged and "Bergen" not in flagged and "UiT" not in flagged

    # Unknown person: a message at the field, nothing kept.
    response = _appoint(admin, owners3["sio"], "finnes.ikke@sio.no")
    assert response.status_code == 422
    assert "Ingen har en konto med denne e-postadressen." in response.get_data(as_text=True)


def test_directory_filters_and_contact_only_with_consent(app, owners3):
    admin = client_of(app, "admin@nettverket.no")
    _appoint(admin, owners3["uib"], "kari@uib.no")
    _appoint(admin, owners3["uit"], "nils@uit.no")

    def profile(email, **values):
        client = client_of(app, email)
        page = client.get("/people/me").get_data(as_text=True)
        response = client.post("/people/me", data={"csrf_token": csrf_token(page), **values})
        assert response.status_code == 302, response.get_data(as_text=True)

    profile(
        "kari@uib.no",
        name="Kari Hansen",
        title="Seniorrådgiver",
        region="vest",
        themes=["mental_health", "completion"],
        bio="Jobber med **mestring**. <script>alert(1)</script>",
        phone="55 55 55 55",
        contact_email="kari.hansen@uib.no",
        contact_consent="y",
    )
    profile(
        "nils@uit.no",
        name="Nils Nilsen",
        region="nord",
        themes=["student_finances"],
        phone="77 77 77 77",
        contact_email="nils@uit.no",
    )
    public = app.test_client()
    page = public.get("/people").get_data(as_text=True)
    assert "Kari Hansen" in page and "Nils Nilsen" in page
    assert "<strong>mestring</strong>" in page and "<script>alert(1)" not in page
    assert "kari.hansen@uib.no" in page and "55 55 55 55" in page
    assert "77 77 77 77" not in page  # no consent

    page = public.get("/people?theme=mental_health").get_data(as_text=True)
    assert "Kari Hansen" in page and "Nils Nilsen" not in page
    page = public.get("/people?region=nord").get_data(as_text=True)
    assert "Nils Nilsen" in page and "Kari Hansen" not in page
    page = public.get(f"/people?organisation={owners3['uib']}").get_data(as_text=True)
    assert "Kari Hansen" in page and "Nils Nilsen" not in page
    assert "Ressurspersoner funnet: 1" in page


def test_a_gathering_for_resource_persons_refuses_others_with_a_clear_message(
    app, owners3, make_user, make_event
):
    admin = client_of(app, "admin@nettverket.no")
    _appoint(admin, owners3["uib"], "kari@uib.no")
    make_user("ola@nettverket.no", role="organiser", name="Ola Org")
    event_id = make_event(**upcoming(), kind="gathering", title="Ressurspersonsamling", fee=0)
    organiser = client_of(app, "ola@nettverket.no")
    page = organiser.get(f"/organiser/events/{event_id}/hosts").get_data(as_text=True)
    response = organiser.post(
        f"/organiser/events/{event_id}/hosts",
        data={"limit-csrf_token": csrf_token(page), "limit-limited": "y", "action": "limit"},
    )
    assert response.status_code == 302

    def register(email):
        client = client_of(app, email)
        page = client.get(f"/events/{event_id}").get_data(as_text=True)
        return client.post(
            f"/events/{event_id}/register",
            data={"csrf_token": csrf_token(page), "dietary_needs": "", "accessibility_needs": ""},
            follow_redirects=True,
        )

    refused = register("ola@uib.no")
    assert "bare for eiernes ressurspersoner" in refused.get_data(as_text=True)
    accepted = register("kari@uib.no")
    assert "bare for eiernes ressurspersoner" not in accepted.get_data(as_text=True)
    from eventsys.extensions import db
    from eventsys.registration.models import Registration

    with app.app_context():
        assert db.session.scalars(db.select(Registration.email)).all() == ["kari@uib.no"]
