"""Admin pages for organisations and ownership periods."""

from datetime import date

from sqlalchemy import func, select

from eventsys.organisations.models import Organisation, Ownership


def _count(app, model):
    from eventsys.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_only_admins_reach_the_organisation_pages(client, make_user, login):
    assert client.get("/admin/organisations/").status_code == 302  # to the login page
    make_user("ola@uib.no", role="organiser")
    login("ola@uib.no")
    assert client.get("/admin/organisations/").status_code == 403


def test_invalid_org_number_is_explained_and_nothing_is_saved(app, make_user, login, submit):
    make_user("admin@nettverket.no", role="admin")
    login("admin@nettverket.no")
    response = submit(
        "/admin/organisations/new",
        {
            "name": "Høgskolen i Østfold",
            "org_number": "971 567 377",
            "kind": "institution",
            "domains": "hiof.no",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "kontrollsifferet stemmer ikke" in page
    assert 'aria-invalid="true"' in page
    assert _count(app, Organisation) == 0


def test_error_in_english_on_request(app, make_user, login, submit, client):
    make_user("admin@nettverket.no", role="admin")
    login("admin@nettverket.no")
    submit("/language", {"lang": "en", "next": "/admin/organisations/new"}, page="/")
    response = submit(
        "/admin/organisations/new",
        {"name": "X", "org_number": "12345", "kind": "institution", "domains": ""},
    )
    assert "An organisation number has exactly 9 digits." in response.get_data(as_text=True)


def test_create_organisation_and_default_two_year_period(app, make_user, login, submit):
    make_user("admin@nettverket.no", role="admin")
    login("admin@nettverket.no")
    response = submit(
        "/admin/organisations/new",
        {
            "name": "Høgskolen i Innlandet",
            "org_number": "NO 974 767 880 MVA",
            "kind": "institution",
            "domains": "inn.no\n@Stud.INN.no",
        },
    )
    assert response.status_code == 302
    edit_url = response.location
    response = submit(
        edit_url + "/periods",
        {
            "period-role": "owner",
            "period-valid_from": "2026-01-01",
            "period-valid_to": "",
            "period-staff_band": "1001-2000",
        },
        page=edit_url,
    )
    assert response.status_code == 302
    from eventsys.extensions import db

    with app.app_context():
        org = db.session.scalar(select(Organisation))
        assert org.org_number == "974767880"
        assert org.domain_names == ["inn.no", "stud.inn.no"]
        (period,) = org.ownerships
        assert (period.valid_from, period.valid_to) == (date(2026, 1, 1), date(2027, 12, 31))

    # An overlapping period is refused with a reason.
    response = submit(
        edit_url + "/periods",
        {
            "period-role": "observer",
            "period-valid_from": "2027-06-01",
            "period-valid_to": "2028-01-01",
            "period-staff_band": "",
        },
        page=edit_url,
    )
    assert response.status_code == 422
    assert "overlapper" in response.get_data(as_text=True)
    assert _count(app, Ownership) == 1


def test_a_domain_belongs_to_one_organisation(app, make_org, make_user, login, submit):
    make_org("Universitetet i Bergen", ["uib.no"])
    make_user("admin@nettverket.no", role="admin")
    login("admin@nettverket.no")
    response = submit(
        "/admin/organisations/new",
        {"name": "Kopi", "org_number": "", "kind": "other", "domains": "UIB.no"},
    )
    assert response.status_code == 422
    assert "tilhører en annen organisasjon" in response.get_data(as_text=True)
    assert _count(app, Organisation) == 1


def test_confirmed_affiliation_gives_priority_shown_on_profile(
    app, make_org, make_user, login, client
):
    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.organisations.operations import confirm_affiliation

    org_id = make_org(
        "Sammen",
        ["sammen.no"],
        kind="welfare_org",
        periods=[("owner", date(2025, 1, 1), date(2030, 12, 31), None)],
    )
    organiser_id = make_user("ola@nettverket.no", role="organiser")
    user_id = make_user("sara@gmail.com")
    with app.app_context():
        confirm_affiliation(
            db.session.get(User, user_id),
            db.session.get(Organisation, org_id),
            db.session.get(User, organiser_id),
        )
        database.commit()
    login("sara@gmail.com")
    page = client.get("/account").get_data(as_text=True)
    assert "En arrangør har bekreftet at du jobber ved Sammen" in page
