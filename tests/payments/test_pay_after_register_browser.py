"""Pay after registering, in a real browser (Debian's Chromium through Playwright): a
person without priority registers for a paid seminar, the event page shows the next
step where they are (pay by card or choose invoice, with the deadline), they pay on
(fake) Stripe's page and come back to a page that says the fee is paid."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from conftest import free_port
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
PASSWORD = "riktig-passord-1"


@pytest.fixture
def served(app, fake_stripe):
    """The test app on loopback in this process, so that it talks to the fake Stripe
    the fixture configured; Stripe's page sends the browser back to it."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    saved = app.config["EVENTSYS_BASE_URL"]
    app.config["EVENTSYS_BASE_URL"] = f"http://127.0.0.1:{port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app.config["EVENTSYS_BASE_URL"]
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.config["EVENTSYS_BASE_URL"] = saved


@pytest.mark.slow
@pytest.mark.parametrize("viewport", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_register_then_pay_by_card_from_the_event_page(
    app, make_user, make_event, network, served, viewport
):
    from playwright.sync_api import expect, sync_playwright

    make_user("jonas@bi.no", password=PASSWORD, name="Jonas Lie")
    now = datetime.now(UTC)
    event_id = make_event(
        title="Seminar om frafall",
        capacity=10,
        payment_days=7,
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=5),
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=19),
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_context(
            viewport={"width": viewport[0], "height": viewport[1]}
        ).new_page()
        page.goto(served + "/login")
        page.get_by_label("E-postadresse").fill("jonas@bi.no")
        page.get_by_label("Passord").fill(PASSWORD)
        page.get_by_role("button", name="Logg inn").click()
        page.wait_for_url(re.compile(r".*/account$"))

        page.goto(f"{served}/events/{event_id}")
        page.get_by_role("button", name="Meld meg på").click()
        page.wait_for_url(re.compile(rf".*/events/{event_id}$"))
        # The next step is right here: pay by card or choose invoice, with the deadline.
        pay_box = page.get_by_role("group", name="Neste steg: betal avgiften")
        expect(pay_box).to_be_visible()
        expect(page.locator(".next-step-money")).to_contain_text(
            "Betal avgiften på kr 750,00 innen"
        )
        expect(pay_box.get_by_role("link", name="Velg faktura")).to_be_visible()

        pay_box.get_by_role("button", name="Betal kr 750,00 med kort").click()
        page.wait_for_url(re.compile(r".*/pay/cs_.*"))
        expect(page.get_by_text("Å betale: kr 750,00")).to_be_visible()
        page.get_by_role("button", name="Betal", exact=True).click()

        page.wait_for_url(re.compile(r".*/account/registrations$"))
        expect(page.locator(".flashes")).to_contain_text("betalingen er mottatt")
        expect(page.get_by_text("Avgiften på kr 750,00 er betalt.")).to_be_visible()

        page.goto(f"{served}/events/{event_id}")
        expect(page.get_by_text("Avgiften på kr 750,00 er betalt.")).to_be_visible()
        expect(page.get_by_role("group", name="Neste steg: betal avgiften")).to_have_count(0)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport[0], f"the event page is {width}px wide"
        browser.close()
