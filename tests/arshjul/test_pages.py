"""The year wheel page, the wheel as an image, a person's calendar page and the
organisers' item pages, as a browser (and a screen reader) gets them."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, time
from html.parser import HTMLParser

import pytest

SVG = "{http://www.w3.org/2000/svg}"


class Page(HTMLParser):
    """What the tests look at: ids of list entries, the wheel's attributes and links,
    and anything the CSP would block."""

    def __init__(self, html: str):
        super().__init__()
        self.entry_ids: list[str] = []
        self.svg: dict | None = None
        self.svg_links: list[str] = []
        self.inline_styles = 0
        self.inline_scripts = 0
        self.handlers = 0
        self.scripts: list[str] = []
        self._in_svg = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.inline_styles += 1
        self.handlers += sum(1 for name in attrs if name.startswith("on"))
        if tag == "script":
            if attrs.get("src"):
                self.scripts.append(attrs["src"])
            else:
                self.inline_scripts += 1
        if tag == "style":
            self.inline_styles += 1
        if tag == "li" and "arshjul-entry" in attrs.get("class", ""):
            self.entry_ids.append(attrs["id"])
        if tag == "svg":
            self.svg, self._in_svg = attrs, True
        if tag == "a" and self._in_svg:
            self.svg_links.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "svg":
            self._in_svg = False


@pytest.fixture
def year_2027(make_item, make_event):
    return {
        "deadline": make_item(),  # 15 February
        "meeting": make_item(
            title_nb="Styringsgruppemøte",
            category="meeting",
            recurrence_kind="nth_weekday",
            month=9,
            weekday=1,
            nth=2,
            all_day=False,
            start_time=time(10),
            end_time=time(12),
        ),
        "webinar": make_item(  # four times a year
            title_nb="Frokostwebinar",
            category="seminar",
            recurrence_kind="rrule",
            rrule="FREQ=MONTHLY;BYMONTH=2,4,9,11;BYDAY=1TH",
            rrule_start=datetime(2026, 1, 1).date(),
            all_day=False,
            start_time=time(8, 30),
            end_time=time(9, 15),
        ),
        "holidays": make_item(  # over New Year: shows in January 2027 too
            title_nb="Juleferie",
            category="activity",
            recurrence_kind="period",
            month=12,
            day=20,
            end_month=1,
            end_day=5,
        ),
        "secret": make_item(title_nb="Sakspapirer sendes ut", audience="secretariat"),
        "event": make_event(title="Seminar om studentengasjement"),
        "draft": make_event(title="Hemmelig utkast", status="draft"),
    }


def test_the_wheel_page_lists_every_entry_of_the_year_beside_an_svg(client, year_2027):
    response = client.get("/arshjul?year=2027")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    page = Page(html)

    ids = year_2027
    assert page.entry_ids == [
        f"item-{ids['holidays']}",  # 20 December 2026 – 5 January 2027
        f"item-{ids['webinar']}",  # 4 February
        f"item-{ids['deadline']}",  # 15 February
        f"event-{ids['event']}",  # 3 March
        f"item-{ids['webinar']}-2027-04-01",
        f"item-{ids['webinar']}-2027-09-02",
        f"item-{ids['meeting']}",  # 14 September
        f"item-{ids['webinar']}-2027-11-04",
        f"item-{ids['holidays']}-2027-12-20",
    ]
    assert "Hemmelig utkast" not in html and "Sakspapirer" not in html

    # The wheel: a group named by a title and a description, its drawing hidden from
    # screen readers (the list is the content; nested links in an image fail WCAG).
    assert page.svg["role"] == "group"
    assert '<g aria-hidden="true">' in html
    assert page.svg["aria-labelledby"] == "wheel-title wheel-desc"
    assert '<title id="wheel-title">Årshjul 2027</title>' in html
    assert re.search(r'<desc id="wheel-desc">Et årshjul\..*Antall oppføringer: 9\.', html)
    # Every entry is a shape linking to the entry in the list, or to the event page.
    assert sorted(page.svg_links) == sorted(
        f"#{anchor}" if anchor.startswith("item") else f"/events/{ids['event']}"
        for anchor in page.entry_ids
    )
    assert "Styringsgruppemøte" in html and "tirsdag 14. september 2027, 10:00–12:00" in html
    assert "20. desember 2026 – 5. januar 2027" in html

    # The page keeps the CSP: no inline styles, scripts or event handlers.
    assert (page.inline_styles, page.inline_scripts, page.handlers) == (0, 0, 0)
    # Only scripts from this site: the page's own and the header's menu button.
    assert page.scripts == ["/static/js/menu.js", "/static/js/arshjul.js"]
    assert client.get("/static/js/arshjul.js").status_code == 200

    # Subscribing: webcal and a link to copy.
    assert 'href="webcal://localhost/arshjul.ics"' in html
    assert 'id="feed-url" value="http://localhost/arshjul.ics" readonly' in html


def test_lists_say_truthfully_how_items_repeat(client, make_item, organiser):
    """A one-off 2027 item is not 'every year'; custom rules are words, not FREQ=…"""
    once = make_item(title_nb="Jubileumsseminar", month=1, day=15, first_year=2027, last_year=2027)
    make_item(title_nb="Budsjettfrist", first_year=2025, last_year=2028)
    make_item(
        title_nb="Frokostwebinar",
        category="seminar",
        recurrence_kind="rrule",
        rrule="FREQ=MONTHLY;BYMONTH=2,4,9,11;BYDAY=1TH",
        rrule_start=datetime(2026, 1, 1).date(),
    )

    listing = client.get("/organiser/arshjul").get_data(as_text=True)
    assert "15. januar 2027" in listing and "Hvert år 15. januar" not in listing
    assert "Hvert år 15. februar, 2025–2028" in listing
    assert "Første torsdag i februar, april, september og november, fra 1. januar 2026" in listing
    assert "Egen regel" not in listing
    # The rule itself only as a detail for experts.
    assert "<code>FREQ=MONTHLY;BYMONTH=2,4,9,11;BYDAY=1TH</code>" in listing
    # The editor says it in words too.
    editor = client.get(f"/organiser/arshjul/{once}/edit").get_data(as_text=True)
    assert '<p class="item-when">15. januar 2027</p>' in editor

    page = client.get("/arshjul?year=2027").get_data(as_text=True)
    entry = page[page.index(f'id="item-{once}"') :]
    entry = entry[: entry.index("</li>")]
    assert "fredag 15. januar 2027" in entry and "Hvert år" not in entry
    assert "Hvert år 15. februar, 2025–2028" in page
    assert "Første torsdag i februar, april, september og november" in page
    assert "FREQ=" not in page

    english = client.get("/arshjul?year=2027&lang=en").get_data(as_text=True)
    assert "Every year on 15 February, 2025–2028" in english
    assert "The first Thursday of February, April, September and November" in english


def test_year_switch_category_filter_and_today(client, year_2027):
    html = client.get("/arshjul?year=2027&category=meeting&category=activity").get_data(
        as_text=True
    )
    page = Page(html)
    assert page.entry_ids == [
        f"item-{year_2027['holidays']}",
        f"item-{year_2027['meeting']}",
        f"item-{year_2027['holidays']}-2027-12-20",
    ]
    assert "/arshjul?year=2026&amp;category=meeting&amp;category=activity" in html
    assert "/arshjul?year=2028&amp;category=meeting&amp;category=activity" in html
    assert 'value="http://localhost/arshjul.ics?category=meeting&amp;category=activity"' in html
    assert "En strek markerer dagen i dag" not in html  # 2027 is not this year

    this_year = datetime.now(UTC).year
    assert "En strek markerer dagen i dag" in client.get("/arshjul").get_data(as_text=True)
    assert f'<title id="wheel-title">Årshjul {this_year}</title>' in client.get(
        "/arshjul"
    ).get_data(as_text=True)
    assert client.get("/arshjul?year=twenty").status_code == 400
    assert client.get("/arshjul?category=nope").status_code == 400


def test_the_page_in_english(client, year_2027):
    html = client.get("/arshjul?year=2027&lang=en").get_data(as_text=True)
    assert "Month by month" in html and "Subscribe in your calendar" in html
    assert "Budget deadline for the owners" in html  # the item's English title


def test_the_wheel_alone_as_svg(client, year_2027):
    response = client.get("/arshjul.svg?year=2027")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)  # well-formed XML
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Årshjul 2027"
    links = [a.get("href") for a in root.iter(f"{SVG}a")]
    assert f"http://localhost/arshjul?year=2027#item-{year_2027['deadline']}" in links
    assert f"http://localhost/events/{year_2027['event']}" in links
    assert b"Sakspapirer" not in response.data


def test_who_sees_the_items_for_owners_and_the_secretariat(
    client, submit, make_user, login, owners, make_item, year_2027
):
    for_owners = make_item(title_nb="Kontingent forfaller", audience="owners", day=28)
    make_user("kari@uib.no")  # owner staff
    login("kari@uib.no")
    html = client.get("/arshjul?year=2027").get_data(as_text=True)
    assert f'id="item-{for_owners}"' in html and "for: Ansatte hos eierne" in html
    assert f'id="item-{year_2027["secret"]}"' not in html

    assert submit("/logout", {}, page="/").status_code == 302
    make_user("arrangement@kompetansenettverk.no", role="organiser")
    login("arrangement@kompetansenettverk.no")
    html = client.get("/arshjul?year=2027").get_data(as_text=True)
    assert f'id="item-{year_2027["secret"]}"' in html
    assert "for: Sekretariatet (arrangører)" in html
    assert f'id="item-{for_owners}"' in html  # the organisers' overview has every item


def _form(**overrides) -> dict:
    data = {
        "title_nb": "Nasjonal konferanse om studenters suksess",
        "title_en": "National conference on student success",
        "description": "Nettverkets årlige konferanse.",
        "category": "conference",
        "audience": "public",
        "link": "https://www.example.no/konferanse",
        "recurrence_kind": "nth_weekday",
        "nth_n": "3",
        "nth_weekday": "3",
        "nth_month": "11",
        "all_day": "y",
        "reminder_days": "60",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_organiser_creates_edits_and_deletes_an_item(client, submit, organiser):
    response = submit("/organiser/arshjul/new", _form())
    assert response.status_code == 302
    item_url = response.location
    item_id = int(re.search(r"/organiser/arshjul/(\d+)/edit", item_url).group(1))
    listing = client.get("/organiser/arshjul").get_data(as_text=True)
    assert "Nasjonal konferanse om studenters suksess" in listing
    assert "Tredje torsdag i november" in listing and "60 dager før" in listing
    assert 'value="National conference on student success"' in client.get(item_url).get_data(
        as_text=True
    )
    page = client.get("/arshjul?year=2027").get_data(as_text=True)
    assert f'id="item-{item_id}"' in page and "torsdag 18. november 2027" in page

    response = submit(
        item_url,
        _form(
            recurrence_kind="period",
            period_start_day="20",
            period_start_month="12",
            period_end_day="5",
            period_end_month="1",
            nth_n=None,
            nth_weekday=None,
            nth_month=None,
        ),
    )
    assert response.status_code == 302
    listing = client.get("/organiser/arshjul").get_data(as_text=True)
    assert "Hvert år fra 20. desember til 5. januar" in listing

    delete_url = f"/organiser/arshjul/{item_id}/delete"
    assert "Slette «Nasjonal konferanse" in client.get(delete_url).get_data(as_text=True)
    response = submit(delete_url, {})
    assert response.status_code == 302
    listing = client.get(response.location).get_data(as_text=True)
    assert "«Nasjonal konferanse om studenters suksess» er slettet fra årshjulet." in listing
    assert f"/organiser/arshjul/{item_id}/edit" not in listing
    assert f"arshjul-{item_id}@" not in client.get("/arshjul.ics").get_data(as_text=True)
    assert client.get(item_url).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title_nb": ""}, "title_nb", "Skriv inn en norsk tittel."),
        (
            {"recurrence_kind": "fixed_date", "fixed_day": "30", "fixed_month": "2"},
            "fixed_day",
            "Denne dagen finnes ikke i måneden du har valgt.",
        ),
        (
            {"recurrence_kind": "fixed_date", "fixed_day": "tretti", "fixed_month": "2"},
            "fixed_day",
            "Skriv inn et helt tall.",
        ),
        (
            {"recurrence_kind": "fixed_date", "fixed_day": "12"},
            "fixed_month",
            "Velg en måned.",
        ),
        (
            {
                "recurrence_kind": "period",
                "period_start_day": "1",
                "period_start_month": "2",
                "period_end_day": "29",
                "period_end_month": "2",
            },
            "period_end_day",
            "En periode kan ikke begynne eller slutte 29. februar.",
        ),
        (
            {"all_day": None, "start_time": "14:00", "end_time": "12:00"},
            "end_time",
            "Slutten må være etter starten, samme dag.",
        ),
        ({"all_day": None, "start_time": "25:00"}, "start_time", "Skriv inn et klokkeslett"),
        (
            {"reminder_minutes": "30"},
            "reminder_minutes",
            "Påminnelser for heldagspunkter gis i hele dager",
        ),
        ({"link": "http://example.no"}, "link", "Lenken må begynne med https://."),
        ({"first_year": "2030", "last_year": "2028"}, "last_year", "Siste år kan ikke være før"),
        (
            {"recurrence_kind": "rrule", "rrule": "FREQ=DAILY", "rrule_start": "2027-01-01"},
            "rrule",
            "Regelen er ikke gyldig",
        ),
    ],
)
def test_organiser_form_errors_in_norwegian(client, submit, organiser, overrides, field, message):
    response = submit("/organiser/arshjul/new", _form(**overrides))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html
    assert f'href="#{field}"' in html, html[html.find("error-summary") :][:800]
    assert message in html
    assert f'id="{field}-error"' in html


def _errors_in_page_order(html: str) -> tuple[list[str], list[str]]:
    """The ids the error summary links to, and the ids of the error messages beside
    the fields, each in the order they stand on the page."""
    form_start = html.index('<form method="post" action="/organiser/arshjul')
    summary = html[html.index('class="error-summary"') : form_start]
    links = re.findall(r'href="#([\w-]+)"', summary)
    form = html[form_start:]
    beside = re.findall(r'id="([\w-]+)-error"', form)
    return links, beside


def test_an_empty_form_says_what_to_fill_in_beside_each_field_in_page_order(
    client, submit, organiser
):
    # What a browser sends for the new item page left as it is.
    empty = {"title_nb": "", "category": "deadline", "audience": "public", "all_day": "y"}
    response = submit("/organiser/arshjul/new", {**empty, "recurrence_kind": "fixed_date"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Fyll ut dette feltet" not in html
    links, beside = _errors_in_page_order(html)
    assert links == beside == ["title_nb", "fixed_day", "fixed_month"]
    for field, message in (
        ("title_nb", "Skriv inn en norsk tittel."),
        ("fixed_day", "Skriv inn dagen i måneden."),
        ("fixed_month", "Velg en måned."),
    ):
        error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S).group(1)
        assert message in error
        control = re.search(rf'<(?:input|select)[^>]*\bid="{field}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in control and f"{field}-error" in control
    assert "novalidate" in html[html.index('<form method="post" action="/organiser') :][:200]

    # A period: both ends, day before month, then the times of a timed item.
    response = submit(
        "/organiser/arshjul/new",
        {**empty, "title_nb": "Ferie", "recurrence_kind": "period", "reminder_days": "x"},
    )
    links, beside = _errors_in_page_order(response.get_data(as_text=True))
    assert (
        links
        == beside
        == [
            "period_start_day",
            "period_start_month",
            "period_end_day",
            "period_end_month",
            "reminder_days",
        ]
    )

    response = submit("/organiser/arshjul/new", {**empty, "recurrence_kind": "rrule"})
    html = response.get_data(as_text=True)
    links, beside = _errors_in_page_order(html)
    assert links == beside == ["title_nb", "rrule", "rrule_start"]
    assert "Skriv inn datoen regelen starter." in html


def test_only_organisers_manage_items(client, make_user, login, make_item):
    item_id = make_item()
    assert client.get("/organiser/arshjul").status_code == 302  # to the login page
    make_user("kari@uib.no")
    login("kari@uib.no")
    assert client.get("/organiser/arshjul").status_code == 403
    assert client.get(f"/organiser/arshjul/{item_id}/edit").status_code == 403
    assert client.post(f"/organiser/arshjul/{item_id}/delete").status_code in (400, 403)


def test_following_categories_on_my_calendar(client, submit, make_user, login):
    make_user("kari@uib.no")
    login("kari@uib.no")
    html = client.get("/account/calendar").get_data(as_text=True)
    assert "Min kalender" in html and "Kopier" in html
    assert (Page(html).inline_styles, Page(html).inline_scripts) == (0, 0)
    response = submit(
        "/account/calendar/follows",
        {"categories": ["deadline", "meeting"]},
        page="/account/calendar",
    )
    assert response.status_code == 302
    html = client.get("/account/calendar").get_data(as_text=True)
    assert "Lagret. Du følger: Møte, Frist." in html
    checked = set(
        re.findall(
            r'checked id="categories-\d" name="categories" type="checkbox" value="(\w+)"', html
        )
    )
    assert checked == {"deadline", "meeting"}
    submit("/account/calendar/follows", {}, page="/account/calendar")
    assert "Du følger ingen kategorier" in client.get("/account/calendar").get_data(as_text=True)
