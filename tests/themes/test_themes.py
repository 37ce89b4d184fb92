"""The theme vocabulary: seeded, kept by admins, nb/en names."""

import pytest
from conftest import csrf_token


@pytest.fixture
def admin(make_user, login):
    make_user("admin@kompetansenettverk.no", role="admin", name="Admin")
    login("admin@kompetansenettverk.no")


def _seed(app):
    from eventsys import database
    from eventsys.themes.operations import ensure_seed_themes

    with app.app_context():
        added = ensure_seed_themes()
        database.commit()
    return added


def test_seed_is_complete_and_idempotent(app):
    from eventsys.extensions import db
    from eventsys.themes.models import Theme
    from eventsys.themes.operations import SEED_THEMES

    _seed(app)
    assert _seed(app) == 0
    with app.app_context():
        codes = [t.code for t in db.session.query(Theme).order_by(Theme.position)]
    assert codes == [code for code, _nb, _en in SEED_THEMES]


def test_migration_seeds_the_same_themes_as_the_code():
    import importlib.util
    from pathlib import Path

    from eventsys.themes.operations import SEED_THEMES

    path = next(Path("migrations/versions").glob("*themes_vocabulary*.py"))
    spec = importlib.util.spec_from_file_location("mig", path)
    module = importlib.util.module_from_spec(spec)
    # Only the module's constants are needed, not Alembic's context.
    source = path.read_text().split("def upgrade")[0]
    exec(compile(source, str(path), "exec"), module.__dict__)
    assert module.SEED == SEED_THEMES


def test_admin_adds_and_renames_a_theme(app, client, admin, submit):
    _seed(app)
    page = client.get("/admin/themes/")
    assert page.status_code == 200
    assert "Gjennomføring og frafall" in page.get_data(as_text=True)

    response = submit(
        "/admin/themes/",
        {"code": "digital_learning", "name_nb": "Digital læring", "name_en": "Digital learning"},
    )
    assert response.status_code == 302
    html = client.get("/admin/themes/").get_data(as_text=True)
    assert "digital_learning" in html and "Digital læring" in html

    from eventsys.extensions import db
    from eventsys.themes.models import Theme

    with app.app_context():
        theme_id = db.session.query(Theme).filter_by(code="digital_learning").one().id
    edit_url = f"/admin/themes/{theme_id}"
    token = csrf_token(client.get(edit_url).get_data(as_text=True))
    response = client.post(
        edit_url,
        data={
            "csrf_token": token,
            "name_nb": "Digital undervisning",
            "name_en": "Digital teaching",
        },
    )
    assert response.status_code == 302
    html = client.get("/admin/themes/?lang=en").get_data(as_text=True)
    assert "Digital undervisning" in html and "Digital teaching" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "completion", "name_nb": "X", "name_en": "X"}, "Et tema med denne koden"),
        ({"code": "Ugyldig kode!", "name_nb": "X", "name_en": "X"}, "En kode er 2–50 tegn"),
    ],
)
def test_bad_theme_is_refused_with_a_message(app, client, admin, submit, data, message):
    _seed(app)
    response = submit("/admin/themes/", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_only_admins_keep_themes(client, make_user, login):
    make_user("arrangement@kompetansenettverk.no", role="organiser")
    login("arrangement@kompetansenettverk.no")
    assert client.get("/admin/themes/").status_code == 403


def test_events_get_themes_shown_on_the_page_and_filtered_on(
    app, client, make_event, submit, make_user, login
):
    from tests.events.test_pages import event_form

    _seed(app)
    make_user("arrangement@kompetansenettverk.no", role="organiser")
    login("arrangement@kompetansenettverk.no")
    assert 'value="completion"' in client.get("/organiser/events/new").get_data(as_text=True)
    response = submit(
        "/organiser/events/new",
        event_form(
            title="Frafallsseminaret",
            starts_at="2099-03-10T09:00",
            ends_at="2099-03-10T15:00",
            registration_opens_at="2099-01-10T09:00",
            registration_closes_at="2099-03-08T23:59",
            priority_deadline="",
            cancellation_deadline="",
            themes=["completion", "mental_health"],
            action="publish",
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    make_event(title="Økonomiseminaret")
    edit_page = client.get(response.location).get_data(as_text=True)
    assert 'value="completion" checked' in edit_page or 'checked id="themes-0"' in edit_page
    event_id = response.location.split("/")[-2]
    html = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Gjennomføring og frafall" in html and "Psykisk helse og trivsel" in html
    listing = client.get("/events?theme=completion").get_data(as_text=True)
    assert "Frafallsseminaret" in listing and "Økonomiseminaret" not in listing
    assert "Økonomiseminaret" in client.get("/events").get_data(as_text=True)
    assert client.get("/events?theme=nope").status_code == 422
