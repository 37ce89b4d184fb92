"""Bokmål by default, English on request, and a complete bokmål catalogue."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_bokmal_by_default_and_english_on_request(client, submit):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="nb">' in page and "Logg inn" in page

    # A browser that prefers English still gets bokmål until the person chooses.
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Logg inn" in page

    response = submit("/language", {"lang": "en", "next": "/login"}, page="/")
    assert response.status_code == 302 and response.location == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in page and "Forgot your password?" in page


def test_every_user_facing_string_has_a_bokmal_translation():
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    method_map = [
        ("eventsys/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]
    found = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(ROOT, method_map, keywords=keywords)
    }
    with open(ROOT / "eventsys/translations/nb/LC_MESSAGES/messages.po", "rb") as f:
        catalog = read_po(f)
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id and m.string and not m.fuzzy
    }
    assert len(found) > 100 and "Log in" in found  # the extraction itself worked
    missing = sorted(found - translated)
    assert not missing, "untranslated (run `make messages` and translate nb): " + "; ".join(missing)
