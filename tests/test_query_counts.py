"""No list page and no API list grows its number of SQL statements with its rows.

Every list is fetched twice: once over a world with 10 of everything and once over the
same world with 500 of everything. The statements sent to the database are counted
(SQLAlchemy's `before_cursor_execute` on the engine) and must be the same: a list that
loads something per row (the N+1 pattern) costs hundreds of round trips at 500 rows.

The test keeps itself honest: every GET route of the app is either in LISTS (measured
here) or in NOT_A_LIST (with the reason), so a new list route fails `test_every_route_
is_judged` until someone decides which it is.
"""

from __future__ import annotations

import pytest

from tests.query_world import counts_at, world_urls

# endpoint -> URLs (with {placeholders} from the world's ids) that list something.
# "api:" URLs are fetched with the admin's bearer token, the rest in the admin's browser
# (an admin holds every role).
LISTS: dict[str, list[str]] = {
    # public pages
    "public.index": ["/"],
    "events.index": ["/events"],
    "resources.index": ["/resources", "/resources?q=studentaktiv", "/resources?theme=t0"],
    "resources.atom": ["/resources.atom"],
    "resources.results_bibtex": ["/resources.bib"],
    "resources.results_csl": ["/resources.csl.json"],
    "forum.index": ["/forum"],
    "forum.category": ["/forum/c/{category_slug}"],
    "forum.thread": ["/forum/threads/{thread}", "/forum/threads/{event_thread}"],
    "forum.search_page": ["/forum/search?q=studentaktiv"],
    "forum.history": ["/forum/posts/{revised_post}/history"],
    "people.directory": ["/people"],
    "newsletters.index": ["/newsletters"],
    "newsletters.atom": ["/newsletters.atom"],
    "arshjul.index": ["/arshjul"],
    "arshjul.wheel_svg": ["/arshjul.svg"],
    "arshjul.feed": ["/arshjul.ics"],
    "arshjul.private_feed": ["/calendar/{calendar_token}.ics"],
    # a person's own pages
    "auth.account": ["/account"],
    "registration.mine": ["/account/registrations"],
    "people.hosting": ["/account/hosting"],
    "privacy.data": ["/account/data"],
    "privacy.download": ["/account/data.json"],
    "forum.following": ["/forum/following"],
    # organisers
    "dashboard.index": ["/dashboard"],
    "events.admin_index": ["/organiser/events"],
    "registration.participants": ["/organiser/events/{event}/participants"],
    # The move page's select offers everyone else waiting in the person's tier.
    "registration.move": ["/organiser/events/{event}/participants/{waiting_reg}/move"],
    "registration.participants_file": [
        "/organiser/events/{event}/participants.csv",
        "/organiser/events/{event}/participants.xlsx",
    ],
    "checkin.door": ["/organiser/events/{event}/checkin"],
    "people.hosts": ["/organiser/events/{event}/hosts"],
    "arshjul.admin_index": ["/organiser/arshjul"],
    "newsletters.admin_index": ["/organiser/newsletters"],
    "resources.queue": ["/organiser/resources"],
    "forum.moderation": ["/forum/moderation"],
    # finance
    "finance.index": ["/finance"],
    "finance.bank_statements": ["/finance/bank"],
    "finance.contributions": ["/finance/contributions?year={year}"],
    "finance.discrepancies": ["/finance/discrepancies"],
    "payments.invoices": ["/finance/invoices"],
    "finance.invoice_register": ["/finance/register"],
    "finance.report": ["/finance/reports?year={year}"],
    "finance.report_csv": [
        f"/finance/reports/{table}.csv?year={{year}}"
        for table in (
            "events",
            "months",
            "budget",
            "contributions",
            "payouts",
            "invoices",
            "discrepancies",
        )
    ],
    "finance.stripe": ["/finance/stripe"],
    "finance.payout": ["/finance/payouts/{payout}"],
    # admins
    "organisations.index": ["/admin/organisations/"],
    "people.admin": ["/admin/people"],
    "people.admin_history": ["/admin/people/{organisation}"],
    "themes.index": ["/admin/themes/"],
    # the JSON API
    "api.list_events": ["api:/api/v1/events"],
    "api.list_registrations": ["api:/api/v1/events/{event}/registrations"],
    "api.list_hosts": ["api:/api/v1/events/{event}/hosts"],
    "api.export_participants": [
        "api:/api/v1/events/{event}/participants.csv",
        "api:/api/v1/events/{event}/participants.xlsx",
    ],
    "api.list_organisations": ["api:/api/v1/organisations"],
    "api.list_people": ["api:/api/v1/people"],
    "api.list_resources": ["api:/api/v1/resources", "api:/api/v1/resources?q=studentaktiv"],
    "api.list_themes": ["api:/api/v1/themes"],
    "api.list_threads": ["api:/api/v1/forum/threads"],
    "api.get_thread": ["api:/api/v1/forum/threads/{thread}"],
    "api.list_newsletters": ["api:/api/v1/newsletters"],
    "api.finance_discrepancies": ["api:/api/v1/finance/discrepancies"],
    "api.finance_contributions": ["api:/api/v1/finance/contributions?year={year}"],
    "api.finance_summary": ["api:/api/v1/finance/summary?year={year}"],
}

# GET routes that show one thing, a form or a fixed set (with why), never a growing list.
NOT_A_LIST: dict[str, str] = {
    "static": "files",
    "public.accessibility": "a fixed statement",
    "public.healthz": "one query",
    "auth.login": "form",
    "auth.logout_confirm": "form",
    "auth.signup": "form",
    "auth.check_email": "message",
    "auth.forgot_password": "form",
    "auth.reset_password": "form",
    "auth.verify_email": "one token",
    "auth.confirm_email_change": "one token",
    "arshjul.account": "the six categories a person may follow",
    "arshjul.unsubscribe": "one token",
    "arshjul.event_calendar": "one event",
    "arshjul.create": "form",
    "arshjul.edit": "form for one item",
    "arshjul.delete": "confirmation for one item",
    "newsletters.account": "one person's subscription",
    "newsletters.confirm": "one token",
    "newsletters.subscribe": "form",
    "newsletters.unsubscribe": "one token",
    "newsletters.show": "one issue",
    "newsletters.create": "form",
    "newsletters.edit": "form for one issue",
    "registration.cancel": "confirmation for one registration",
    "registration.cancel_for": "confirmation for one registration",
    "registration.needs": "form for one registration's needs",
    "checkin.ticket": "one registration",
    "checkin.scanned": "one registration",
    "organisations.create": "form",
    "organisations.edit": "one organisation",
    "themes.edit": "one theme",
    "events.show": "one event",
    "events.create": "form",
    "events.edit": "form for one event",
    "events.cancel": "confirmation for one event",
    "events.delete_draft": "confirmation for one event",
    "people.my_profile": "one profile",
    "payments.pay": "one registration",
    "payments.transfer": "one registration",
    "payments.card_return": "one checkout",
    "payments.invoice": "one invoice",
    "documents.invoice": "one invoice",
    "documents.invoice_file": "one invoice",
    "finance.invoice_download": "one invoice",
    "forum.new_thread": "form",
    "forum.edit": "form for one post",
    "forum.moderate": "confirmation for one post",
    "forum.report": "form for one post",
    "forum.lock": "confirmation for one thread",
    "forum.unsubscribe": "one token",
    "forum.event_thread": "a redirect to the event's thread (measured as forum.thread)",
    "resources.show": "one resource",
    "resources.bibtex": "one resource",
    "resources.csl": "one resource",
    "resources.edit": "form for one resource",
    "resources.download": "one file",
    "resources.new": "form",
    "api.openapi": "the document",
    "api.get_event": "one event",
    "api.get_registration": "one registration",
    "api.get_resource": "one resource",
}


def test_every_route_is_judged(app):
    """A new GET route fails here until it is measured in LISTS or named in NOT_A_LIST."""
    routes = {r.endpoint for r in app.url_map.iter_rules() if "GET" in r.methods}
    assert not set(LISTS) & set(NOT_A_LIST)
    assert routes - set(LISTS) - set(NOT_A_LIST) == set(), "judge these routes"
    assert (set(LISTS) | set(NOT_A_LIST)) - routes == set(), "routes that are gone"


@pytest.fixture(scope="module")
def measured(app):
    """{url: (statements at 10 rows, statements at 500 rows)} for every URL in LISTS."""
    urls = world_urls(LISTS)
    small = counts_at(app, 10, urls)
    large = counts_at(app, 500, urls)
    return {url: (small[url], large[url]) for url in urls}


@pytest.mark.parametrize("url", world_urls(LISTS))
def test_statements_do_not_grow_with_rows(measured, url):
    at_10, at_500 = measured[url]
    assert isinstance(at_10, int), at_10  # the page answered 200
    assert isinstance(at_500, int), at_500
    assert at_10 == at_500, f"{url}: {at_10} statements at 10 rows, {at_500} at 500"
