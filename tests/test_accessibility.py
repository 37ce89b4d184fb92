"""WCAG 2.1 AA in a real browser: Debian's Chromium driven by Playwright against the
app served by gunicorn on loopback. axe-core checks every page a participant, an
organiser, finance and an admin use; a keyboard-only test registers for an event
without a mouse."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe

from bench.registration_burst import Server

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PASSWORD = "riktig-passord-1"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(app, database_url, make_user, make_org, make_event):
    """The app on loopback with an owner, users of every role and a paying seat."""
    from datetime import date

    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.extensions import db
    from eventsys.registration import operations as reg_ops

    org_id = make_org(
        "Universitetet i Bergen",
        ["uib.no"],
        periods=[("owner", date(2025, 1, 1), date(2030, 12, 31), "2000+")],
    )
    for email, role in (
        ("jonas@bi.no", "participant"),
        ("ola@nettverket.no", "organiser"),
        ("okonomi@nettverket.no", "finance"),
        ("admin@nettverket.no", "admin"),
    ):
        make_user(email, password=PASSWORD, role=role, name=email.split("@")[0].title())
    now = datetime.now(UTC)
    event_id = make_event(
        capacity=1,
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=5),
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=19),
        priority_deadline=None,
        description="Erfaringer fra lærestedene og samskipnadene.",
    )
    other_id = make_event(
        title="Ensomhet blant studenter",
        capacity=30,
        starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=30, hours=5),
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=29),
    )
    with app.app_context():
        jonas = db.session.query(User).filter_by(email="jonas@bi.no").one()
        reg = reg_ops.register(event_id, reg_ops.Person(email=jonas.email, user=jonas), jonas)
        waiting = reg_ops.register(
            event_id, reg_ops.Person(email="sara@gmail.com", name="Sara", vouched=True), None
        )
        # Somebody else waits in Sara's tier, so that she can be moved (the move page).
        reg_ops.register(
            event_id, reg_ops.Person(email="per@gmail.com", name="Per", vouched=True), None
        )
        db.session.add_all(_finance_records())
        from eventsys.finance import documents, operations

        [contribution] = operations.invoice_owners(2027)
        database.commit()
        invoice_path = documents.signed_url(contribution.invoice).removeprefix(
            app.config["EVENTSYS_BASE_URL"]
        )
        reg_id, waiting_id = reg.id, waiting.id
    with Server(database_url, workers=2, threads=4) as server:
        yield {
            "url": server.base_url,
            "event": event_id,
            "waiting": waiting_id,
            "other": other_id,
            "reg": reg_id,
            "invoice": invoice_path,
            "org": org_id,
        }


# Finance pages, each in bokmål and English (the site has a payout and a discrepancy).
FINANCE_PAGES = (
    "/finance",
    "/finance/discrepancies",
    "/finance/stripe",
    "/finance/payouts/po_a11y",
)


def _finance_records():
    from eventsys.finance.models import StripePayout, StripeTransaction

    now = datetime.now(UTC)
    return [
        StripePayout(id="po_a11y", amount=73000, currency="NOK", created=now),
        StripeTransaction(
            id="txn_a11y", type="charge", amount=75000, fee=2000, net=73000, currency="NOK",
            created=now, source="ch_a11y", payment_intent="pi_a11y", payout_id="po_a11y",
        ),
    ]  # fmt: skip


def _login(page, site, email):
    page.goto(site["url"] + "/login")
    page.get_by_label("E-postadresse").fill(email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.wait_for_url(re.compile(r".*/(account|dashboard)$"))  # staff land on the dashboard


def _violations(page, url) -> list[str]:
    page.goto(url)
    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{url}: {v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


@pytest.mark.slow
def test_every_page_meets_wcag_21_aa(browser, site):
    base, event, reg = site["url"], site["event"], site["reg"]
    pages = {
        None: [
            site["invoice"],  # an invoice by its signed link, without an account
            "/",
            "/?lang=en",  # the front page: next events, årshjul items, new resources
            "/events",
            f"/events/{event}",
            "/login",
            "/signup",
            "/forgot-password",
            "/arshjul",
            "/accessibility",
        ],
        "jonas@bi.no": [
            "/",
            "/account",
            "/account/registrations",
            f"/registrations/{reg}/pay",
            f"/events/{site['other']}",
            f"/registrations/{reg}/transfer",
            "/account/calendar",
            "/account/data",
        ],
        "ola@nettverket.no": [
            "/organiser/events",
            "/organiser/events/new",
            f"/organiser/events/{event}/edit",
            f"/organiser/events/{event}/participants",
            "/organiser/arshjul",
            "/organiser/arshjul/new",
        ],
        "okonomi@nettverket.no": [
            f"{path}{lang}"
            for path in ("/finance/invoices", "/dashboard", *FINANCE_PAGES)
            for lang in ("", "?lang=en")
        ]
        # Contributions (one cannot be sent: no invoice address) and the organisation
        # page where finance adds it.
        + [
            f"{path}{sep}lang={lang}"
            for path, sep in (
                ("/finance/contributions?year=2027", "&"),
                (f"/admin/organisations/{site['org']}", "?"),
            )
            for lang in ("nb", "en")
        ],
        "admin@nettverket.no": [
            "/admin/organisations/",
            "/admin/organisations/new",
            f"/admin/organisations/{site['org']}",
            "/admin/themes/",
            "/dashboard",
        ],
    }
    # The staff dashboard, check-in, filters and the ticket, in both languages.
    for lang in ("nb", "en"):
        pages["ola@nettverket.no"] += [
            f"/dashboard?lang={lang}",
            f"/organiser/events/{event}/checkin?lang={lang}",
            f"/organiser/events/{event}/participants?state=confirmed&payment=unpaid&lang={lang}",
            f"/organiser/events/{event}/participants/{site['waiting']}/move?lang={lang}",
        ]
        pages["jonas@bi.no"].append(f"/account/registrations/{reg}/ticket?lang={lang}")
        # The participant's next step (the pay box), add to calendar with its help,
        # the cancel page with its money sentence, and changing needs.
        pages["jonas@bi.no"] += [
            f"/events/{event}?lang={lang}",
            f"/account/registrations?lang={lang}",
            f"/account/registrations/{reg}/cancel?lang={lang}",
            f"/account/registrations/{reg}/needs?lang={lang}",
            f"/account/calendar?lang={lang}",
        ]
        pages[None].append(f"/signup?lang={lang}")
    problems = []
    for who, paths in pages.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        if who:
            _login(page, site, who)
        for path in paths:
            problems += _violations(page, base + path)
        context.close()
    assert problems == [], "\n".join(problems)


@pytest.mark.slow
def test_a_form_with_errors_meets_wcag_too(browser, site):
    context = browser.new_context()
    page = context.new_page()
    page.goto(site["url"] + "/signup")
    page.get_by_role("button", name="Opprett konto").click()
    assert page.get_by_role("alert").is_visible()
    problems = [
        f"{v['id']}: {v['help']}" for v in Axe().run(page, options=WCAG_AA).response["violations"]
    ]
    assert problems == []
    # Each error is tied to its field for screen readers.
    email = page.get_by_label("E-postadresse")
    assert email.get_attribute("aria-invalid") == "true"
    assert "email-error" in email.get_attribute("aria-describedby")
    context.close()


@pytest.mark.slow
def test_register_for_an_event_with_the_keyboard_only(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.goto(site["url"] + "/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Hopp til hovedinnhold"
    page.get_by_label("E-postadresse").focus()
    page.keyboard.type("jonas@bi.no")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/account")

    page.goto(site["url"] + f"/events/{site['other']}")
    for _ in range(60):  # Tab through the page to the registration button
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.textContent.trim()")
        if focused.startswith("Meld meg på"):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", "the focused button shows no focus ring"
            break
    else:
        pytest.fail("the registration button cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "plass" in page.locator(".flashes").inner_text().lower()
    context.close()


@pytest.mark.slow
def test_header_fits_on_a_desktop_and_marks_required_fields_in_the_label(browser, site):
    """At 1280 px no menu entry wraps and the staff menu is one row; the logo shows;
    "(må fylles ut)" is part of each label, in the same place on every field."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _login(page, site, "admin@nettverket.no")
    page.goto(site["url"] + "/events")
    assert page.locator("header img.brand-logo").is_visible()
    for link in page.locator("header a:visible, header button:visible").all():
        box = link.bounding_box()  # (the phone's menu button is hidden here)
        line = float(
            page.evaluate(
                "(e) => parseFloat(getComputedStyle(e).lineHeight)", link.element_handle()
            )
        )
        assert box["height"] < 2 * line, f"{link.inner_text()!r} wraps"
    staff = page.get_by_role("navigation", name="Administrasjon").get_by_role("link")
    assert staff.count() >= 3
    assert len({round(link.bounding_box()["y"]) for link in staff.all()}) == 1
    context.close()

    page = browser.new_context().new_page()
    page.goto(site["url"] + "/signup")
    email_label = page.locator("label[for=email]")
    assert "(må fylles ut)" in email_label.inner_text()
    assert page.get_by_label("E-postadresse").is_visible()


@pytest.mark.slow
def test_phone_header_is_one_row_with_a_menu_button_for_the_keyboard(browser, site):
    """At 390×844 the header is the logo and a menu button (it was ~250 px of links);
    the button opens the account links and both menus, by keyboard too, and Escape
    closes it again."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _login(page, site, "admin@nettverket.no")
    page.goto(site["url"] + "/events")
    header = page.locator(".site-header")
    assert header.bounding_box()["height"] <= 80
    menu = page.get_by_role("button", name="Meny")
    assert menu.get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("navigation", name="Hovedmeny").is_visible()

    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the logo
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    page.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("navigation", name="Hovedmeny").is_visible()
    assert page.get_by_role("navigation", name="Administrasjon").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Mine påmeldinger"
    # axe with the menu open, in English.
    page.goto(site["url"] + "/events?lang=en")
    page.get_by_role("button", name="Menu").click()
    violations = Axe().run(page, options=WCAG_AA).response["violations"]
    assert violations == [], [v["id"] for v in violations]

    page.goto(site["url"] + "/events?lang=nb")
    menu.click()
    page.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.classList.contains('menu-button')")
    context.close()

    # A desktop keeps its menus in view, without the button.
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(site["url"] + "/events")
    assert not page.get_by_role("button", name="Meny").is_visible()
    assert page.get_by_role("navigation", name="Hovedmeny").is_visible()
    context.close()


@pytest.mark.slow
def test_resource_bank_pages_meet_wcag_in_bokmal_and_english(app, browser, site):
    """The resource bank's pages (search with results and snippets, a record, the
    forms, the organisers' queue, materials on an event page), in both languages."""
    from datetime import date

    from eventsys import database
    from eventsys.arshjul import operations as arshjul_ops
    from eventsys.auth.models import User
    from eventsys.demo.resources import simple_pdf
    from eventsys.extensions import db
    from eventsys.resources import operations
    from eventsys.themes.operations import ensure_seed_themes

    with app.app_context():
        ensure_seed_themes()
        # The front page shows an årshjul item beside the events and new resources.
        soon = date.today() + timedelta(days=10)
        arshjul_ops.create_item(
            {
                "title_nb": "Frist for innspill",
                "title_en": "Deadline for suggestions",
                "description": "",
                "category": "deadline",
                "audience": "public",
                "link": "",
                "recurrence_kind": "fixed_date",
                "month": soon.month,
                "day": soon.day,
                "all_day": True,
                "reminder_days": None,
            },
            None,
        )
        organiser = db.session.query(User).filter_by(email="ola@nettverket.no").one()
        jonas = db.session.query(User).filter_by(email="jonas@bi.no").one()
        record = operations.create_resource(
            {
                "kind": "best_practice",
                "title": "Kollokviegrupper mot frafall",
                "year": 2025,
                "summary": "Faste **grupper** fra første uke reduserer frafall.",
                "authors": ["Hansen, Kari"],
                "language": "nb",
            },
            organiser,
            themes=["completion"],
            event_id=site["event"],
            status="published",
        )
        operations.attach_file(record, "lysark.pdf", simple_pdf("Kollokvier"), organiser)
        operations.create_resource(
            {
                "kind": "conference",
                "title": "EAIR Forum",
                "language": "en",
                "starts_on": date(2099, 8, 25),
                "ends_on": date(2099, 8, 27),
                "location": "Lisboa",
                "deadline": date(2099, 3, 1),
            },
            organiser,
            status="published",
        )
        operations.create_resource(
            {"kind": "link", "title": "Forslag fra Jonas", "language": "nb"},
            jonas,
            status="submitted",
        )
        database.commit()
        record_id = record.id
    base = site["url"]
    pages = {
        None: [
            "/",
            "/resources",
            "/resources?q=frafall",
            "/resources?kind=conference",
            "/resources?kind=nonsense",
            f"/resources/{record_id}",
            f"/events/{site['event']}",
        ],
        "ola@nettverket.no": [
            "/resources/new",
            f"/resources/{record_id}/edit",
            "/organiser/resources",
            f"/events/{site['event']}",
        ],
    }
    problems = []
    for lang in ("nb", "en"):
        for who, paths in pages.items():
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            if who:
                _login(page, site, who)
            for path in paths:
                joiner = "&" if "?" in path else "?"
                url = f"{base}{path}{joiner}lang={lang}"
                response = page.goto(url)
                assert response.status in (200, 422), (url, response.status)
                assert page.locator("html").get_attribute("lang") == lang
                problems += [
                    f"{url}: {v['id']} ({v['impact']}): {v['help']}"
                    for v in Axe().run(page, options=WCAG_AA).response["violations"]
                ]
            context.close()
    assert problems == [], "\n".join(problems)


@pytest.fixture
def door(app, database_url, make_user, event_with_people):
    """An event starting in an hour with forty confirmed participants, on loopback."""
    from eventsys.extensions import db
    from eventsys.registration import checkin
    from eventsys.registration.models import Registration

    make_user("ola@nettverket.no", password=PASSWORD, role="organiser", name="Ola")
    surnames = ["Berg", "Dahl", "Haugen", "Lie", "Moen", "Nilsen", "Solberg", "Vik"]
    firsts = ["Anne", "Bjørn", "Ingrid", "Kari", "Lars"]
    names = [f"{first} {last}" for last in surnames for first in firsts]
    event_id, ids = event_with_people(
        [(name, f"p{i}@gmail.com") for i, name in enumerate(names)],
        title="Seminar om gjennomføring",
    )
    with app.app_context():
        last = db.session.get(Registration, ids[names.index("Lars Vik")])
        link = checkin.link_for(last).removeprefix(app.config["EVENTSYS_BASE_URL"])
    with Server(database_url, workers=2, threads=4) as server:
        yield {"url": server.base_url, "event": event_id, "qr_path": link}


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width}px wide"


@pytest.mark.slow
def test_check_in_at_the_door_on_a_phone(browser, door):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _login(page, door, "ola@nettverket.no")
    url = door["url"] + f"/organiser/events/{door['event']}/checkin"
    page.goto(url)
    _no_sideways_scroll(page)
    counter = page.locator("#checkin-counter")
    assert counter.inner_text() == "0 av 40 har kommet"

    # Far down the list, one tap: no page load, the place and the counter stay right.
    row = page.locator("li.checkin-row", has_text="Kari Vik")
    row.scroll_into_view_if_needed()
    page.evaluate("window.notReloaded = true")
    assert page.evaluate("window.scrollY") > 500
    before = row.bounding_box()["y"]
    row.get_by_role("button", name=re.compile(r"Sjekk inn\W+Kari Vik")).click()
    expect(counter).to_have_text("1 av 40 har kommet")
    assert page.evaluate("window.notReloaded") is True
    assert abs(row.bounding_box()["y"] - before) < 2  # the row stays where it was
    assert "Kari Vik er sjekket inn." in page.locator("#checkin-status").inner_text()
    # expect() waits for the script's answer; a bare is_visible() raced it under load.
    undo = row.get_by_role("button", name=re.compile(r"Angre\W+Kari Vik"))
    expect(undo).to_be_visible()
    undo.click()
    expect(counter).to_have_text("0 av 40 har kommet")
    expect(row.get_by_role("button", name=re.compile(r"Sjekk inn\W+Kari Vik"))).to_be_visible()

    # Search by name as you type; the search stays in the address for a reload.
    page.get_by_label("Søk etter navn").fill("ingrid")
    visible = page.locator("li.checkin-row:visible")
    expect(visible).to_have_count(8)
    assert all("Ingrid" in text for text in visible.all_inner_texts())
    expect(page).to_have_url(re.compile(r"q=ingrid"))
    visible.first.get_by_role("button").click()
    expect(counter).to_have_text("1 av 40 har kommet")
    assert page.get_by_label("Søk etter navn").input_value() == "ingrid"
    expect(page.locator("li.checkin-row:visible")).to_have_count(8)
    assert page.evaluate("window.notReloaded") is True
    problems = [v["id"] for v in Axe().run(page, options=WCAG_AA).response["violations"]]
    assert problems == []

    # Scanning a participant's QR code on the phone checks that person in.
    page.goto(door["url"] + door["qr_path"])
    assert "Lars Vik er sjekket inn" in page.get_by_role("heading", level=1).inner_text()
    assert "2 av 40 har kommet" in page.inner_text("main")
    _no_sideways_scroll(page)
    assert [v["id"] for v in Axe().run(page, options=WCAG_AA).response["violations"]] == []
    context.close()


@pytest.mark.slow
def test_check_in_works_without_javascript_and_keeps_the_place(browser, door):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    _login(page, door, "ola@nettverket.no")
    page.goto(door["url"] + f"/organiser/events/{door['event']}/checkin")
    page.get_by_label("Søk etter navn").fill("moen")
    page.get_by_role("button", name="Søk", exact=True).click()
    assert page.locator("li.checkin-row").count() == 5
    page.get_by_role("button", name=re.compile(r"Sjekk inn\W+Lars Moen")).click()
    page.wait_for_load_state()
    assert "q=moen" in page.url and page.url.endswith("#reg-" + page.url.split("#reg-")[-1])
    assert page.locator("#checkin-counter").inner_text() == "1 av 40 har kommet"
    assert page.locator("li.checkin-row").count() == 5  # still the same search
    assert page.locator("li.checkin-row:target").inner_text().startswith("Lars Moen")
    context.close()


@pytest.mark.slow
def test_staff_pages_fit_a_phone(browser, site):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _login(page, site, "admin@nettverket.no")
    event = site["event"]
    for path in (
        "/dashboard",
        "/organiser/events",
        f"/organiser/events/{event}/edit",
        f"/organiser/events/{event}/participants",
        f"/organiser/events/{event}/checkin",
        "/organiser/events/new",
        "/organiser/arshjul",
        "/organiser/arshjul/new",
        "/finance/invoices",
        "/admin/organisations/",
        "/admin/organisations/new",
        "/admin/themes/",
    ):
        page.goto(site["url"] + path)
        _no_sideways_scroll(page)
    # The participant list is a card per person on a phone, still labelled.
    page.goto(site["url"] + f"/organiser/events/{event}/participants")
    card = page.locator("table.participants tbody tr").first
    assert card.evaluate("e => getComputedStyle(e).display") == "block"
    labels = card.locator("td").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert '"Betaling"' in labels and "Ikke betalt" in card.inner_text()
    context.close()

    # On a desktop the list is a table that fits the page without scrolling sideways.
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    _login(page, site, "admin@nettverket.no")
    page.goto(site["url"] + f"/organiser/events/{event}/participants")
    _no_sideways_scroll(page)
    table = page.locator("table.participants").bounding_box()
    main = page.locator("main").bounding_box()
    assert table["x"] + table["width"] <= main["x"] + main["width"]
    assert page.locator("table.participants thead").is_visible()
    context.close()


@pytest.mark.slow
def test_previews_before_sending_meet_wcag_in_both_languages(browser, site):
    """The message preview and the capacity preview, as an organiser reaches them."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, site, "ola@nettverket.no")
    event = site["event"]
    problems = []
    for lang, send, save in (
        ("nb", "Forhåndsvis e-posten", "Lagre"),
        ("en", "Preview the e-mail", "Save"),
    ):
        if lang == "en":
            page.get_by_role("button", name="English").click()
        page.goto(site["url"] + f"/organiser/events/{event}/participants")
        form = page.locator("#message-participants")
        form.locator("input[name=subject]").fill("Program")
        form.locator("textarea[name=message]").fill("Vi starter kl. 09:00.")
        form.get_by_role("button", name=send).click()
        page.wait_for_load_state()
        assert page.locator(".email-body").is_visible()
        problems += [
            f"{lang} message preview: {v['id']}"
            for v in Axe().run(page, options=WCAG_AA).response["violations"]
        ]
        page.goto(site["url"] + f"/organiser/events/{event}/edit")
        page.locator("input[name=capacity]").fill("2")
        page.get_by_role("button", name=save, exact=True).click()
        page.wait_for_load_state()
        assert page.locator(".capacity-preview").is_visible()
        problems += [
            f"{lang} capacity preview: {v['id']}"
            for v in Axe().run(page, options=WCAG_AA).response["violations"]
        ]
    assert problems == []
    context.close()


@pytest.mark.slow
def test_the_arshjul_editor_with_errors_meets_wcag_in_both_languages(browser, site):
    """The item editor sent empty: messages beside the fields and the summary on top,
    in bokmål and English, and the items list with a custom rule in words."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    _login(page, site, "ola@nettverket.no")
    problems = []
    for lang, save, message in (
        ("nb", "Lagre", "Skriv inn dagen i måneden."),
        ("en", "Save", "Enter the day of the month."),
    ):
        if lang == "en":
            page.get_by_role("button", name="English").click()
        problems += _violations(page, site["url"] + "/organiser/arshjul")
        problems += _violations(page, site["url"] + "/organiser/arshjul/new")
        page.get_by_role("button", name=save, exact=True).click()
        page.wait_for_load_state()
        assert page.locator(".error-summary").is_visible()
        assert message in page.locator("#fixed_day-error").inner_text()
        # Native bubbles would stop the browser sending the form (novalidate).
        assert page.locator("#title_nb").get_attribute("aria-invalid") == "true"
        problems += [
            f"{lang} årshjul editor with errors: {v['id']}"
            for v in Axe().run(page, options=WCAG_AA).response["violations"]
        ]
    assert problems == []
    context.close()
