"""Who may do what, for every route of the app (taken from app.url_map), every method,
every role, and the owner of a registration against another participant.

The table below is DESIGN.md's: only organisers see an event's participants and
work its list; only finance sees money (invoices); participants act on their own
registrations (answer offers, pay, hand over, cancel); admins manage organisations
and may do everything an organiser or finance may. A new route without a line here
fails the test, so every route's access is decided on purpose.

"Denied" is what each kind of route answers to someone without access: a redirect to
the login page (web, not logged in), 401/403/404 (404 hides that a private object
exists). Everything else counts as "allowed" (a form sent empty answers 422, an
action that does not apply 409 or a redirect with a message), and nothing may be a
500.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db

ANON, OWNER, OTHER, ORGANISER, FINANCE, ADMIN = (
    "anonymous",
    "owner",
    "other participant",
    "organiser",
    "finance",
    "admin",
)
ROLES = (ANON, OTHER, FINANCE, OWNER, ORGANISER, ADMIN)
ALL = frozenset(ROLES)
USERS = ALL - {ANON}
ORG = frozenset({ORGANISER, ADMIN})
FIN = frozenset({FINANCE, ADMIN})
ADM = frozenset({ADMIN})
OWN = frozenset({OWNER})
# Capability links (a token in the URL is the permission): anyone holding it.
CAPABILITY = "capability"

EXPECTED: dict[str, frozenset | str] = {
    # public pages and feeds
    "public.index": ALL,
    "public.accessibility": ALL,
    "public.healthz": ALL,
    "events.index": ALL,
    "events.show": ALL,
    "arshjul.index": ALL,
    "arshjul.feed": ALL,
    "arshjul.wheel_svg": ALL,
    "arshjul.event_calendar": ALL,
    "payments.stripe_webhook": ALL,  # the signature is the permission
    "api.openapi": ALL,
    # accounts
    "auth.signup": ALL,
    "auth.check_email": ALL,
    "auth.login": ALL,
    "auth.logout": ALL,
    "auth.logout_confirm": ALL,
    "auth.forgot_password": ALL,
    "auth.set_language": ALL,
    "auth.verify_email": CAPABILITY,
    "auth.reset_password": CAPABILITY,
    "auth.confirm_email_change": CAPABILITY,
    "arshjul.unsubscribe": CAPABILITY,
    "arshjul.private_feed": CAPABILITY,
    "payments.card_return": CAPABILITY,
    "auth.account": USERS,
    "auth.change_email": USERS,
    "auth.change_password": USERS,
    "auth.resend_verification": USERS,
    "arshjul.account": USERS,
    "arshjul.follows": USERS,
    "arshjul.new_link": USERS,
    "privacy.data": USERS,
    "privacy.download": USERS,
    "privacy.delete": USERS,
    # a participant's own registrations
    "registration.mine": USERS,
    "registration.register": USERS,
    "registration.accept": OWN,
    "registration.decline": OWN,
    "registration.cancel": OWN,
    "registration.needs": OWN,
    "payments.pay": OWN,
    "payments.pay_by_card": OWN,
    "payments.pay_by_invoice": OWN,
    "payments.transfer": OWN,
    "payments.invoice": OWN | FIN,
    # organisers
    "events.admin_index": ORG,
    "events.create": ORG,
    "events.edit": ORG,
    "events.cancel": ORG,
    "events.delete_draft": ORG,
    "events.publish": ORG,
    "registration.participants": ORG,
    "registration.participants_file": ORG,
    "registration.confirm_affiliation": ORG,
    "registration.attendance": ORG,
    "registration.cancel_for": ORG,
    "registration.move": ORG,
    "registration.waive_fee": ORG,
    "registration.message_participants": ORG,
    "registration.register_on_behalf": ORG,
    "arshjul.admin_index": ORG,
    "arshjul.create": ORG,
    "arshjul.edit": ORG,
    "arshjul.delete": ORG,
    # finance
    "payments.invoices": FIN,
    "payments.mark_paid": FIN,
    "finance.index": FIN,
    "finance.report": FIN,
    "finance.report_csv": FIN,
    "finance.budget": FIN,
    "finance.discrepancies": FIN,
    "finance.resolve": FIN,
    "finance.stripe": FIN,
    "finance.payout": FIN,
    "finance.contributions": FIN,
    "finance.invoice_contributions": FIN,
    "finance.contribution_rates": FIN,
    "finance.invoice_register": FIN,
    "finance.invoice_download": FIN,
    "finance.remind": FIN,
    "finance.bank_statements": FIN,
    "finance.note_bank_payment": FIN,
    "documents.invoice": CAPABILITY,  # an invoice's signed link, sent to its payer
    "documents.invoice_file": CAPABILITY,
    "api.finance_summary": FIN,
    "api.finance_discrepancies": FIN,
    "api.finance_contributions": FIN,
    # admins
    "organisations.index": FIN,  # finance keeps the owners' invoice addresses
    "themes.index": ADM,
    # Check-in at the door and the staff dashboard.
    "checkin.ticket": OWN,  # the confirmation with the QR code to show at the door
    "checkin.door": ORG,
    "checkin.tap": ORG,
    # The signed link in a participant's QR code: it checks the person in only for an
    # organiser of the event, and is a 404 for everyone else (tests/registration/
    # test_checkin.py); the table's made-up token is a 404 for all.
    "checkin.scanned": CAPABILITY,
    "dashboard.index": ORG | FIN,
    # The resource bank: published records are public; the world's record is one the
    # owner has submitted, so only its contributor and the organisers see it.
    "resources.index": ALL,
    "resources.atom": ALL,
    "resources.results_bibtex": ALL,
    "resources.results_csl": ALL,
    "resources.show": OWN | ORG,
    "resources.bibtex": OWN | ORG,
    "resources.csl": OWN | ORG,
    "resources.download": OWN | ORG,
    "resources.new": USERS,
    "resources.edit": OWN | ORG,
    "resources.move": ORG,  # publish
    "resources.queue": ORG,
    "resources.import_bibtex": ORG,
    "resources.notify_materials": ORG,
    "api.list_themes": USERS,
    "api.list_resources": USERS,
    "api.create_resource": USERS,
    "api.get_resource": OWN | ORG,
    "api.update_resource": OWN | ORG,
    "themes.edit": ADM,
    "organisations.create": ADM,
    "organisations.edit": FIN,
    "organisations.save": ADM,
    "organisations.invoice_address": FIN,
    "organisations.add_period": ADM,
    "organisations.delete_period": ADM,
    # the JSON API (any valid token is a logged-in user)
    "api.list_events": USERS,
    "api.get_event": USERS,
    "api.create_registration": USERS,  # yourself; organisers on someone's behalf
    "api.get_registration": OWN | ORG,
    "api.cancel_registration": OWN | ORG,
    "api.accept_offer": OWN,
    "api.decline_offer": OWN,
    # An organiser may arrange payment for someone they registered on their behalf
    # (a payment link, or the employer's invoice details given by phone).
    "api.checkout": OWN | ORG,
    "api.choose_invoice": OWN | ORG,
    "api.create_event": ORG,
    "api.update_event": ORG,
    "api.delete_event": ORG,
    "api.list_registrations": ORG,
    "api.export_participants": ORG,
    "api.message_participants": ORG,
    "api.mark_attendance": ORG,
    "api.move_registration": ORG,
    "api.waive_fee": ORG,
    "api.confirm_affiliation": ORG,
    "api.list_organisations": ORG | FIN,
    "api.create_organisation": ADM,
    # forum (category threads are public; posting needs a verified account)
    "forum.index": ALL,
    "forum.search_page": ALL,
    "forum.category": ALL,
    "forum.thread": ALL,
    "forum.history": ALL,
    "forum.new_thread": USERS,
    "forum.reply": USERS,
    "forum.report": USERS,
    "forum.follow": USERS,
    "forum.following": USERS,
    "forum.event_thread": USERS,  # on to the thread, which checks the seat
    "forum.edit": OWN,  # the author, within the editing window
    "forum.moderation": ORG,
    "forum.moderate": ORG,
    "forum.lock": ORG,
    "forum.dismiss": ORG,
    "forum.categories_from_themes": ORG,
    "forum.unsubscribe": CAPABILITY,
    # newsletters
    "newsletters.index": ALL,
    "newsletters.atom": ALL,
    "newsletters.subscribe": ALL,
    "newsletters.show": ORG,  # a draft; sent issues are public
    "newsletters.confirm": CAPABILITY,
    "newsletters.unsubscribe": CAPABILITY,
    "newsletters.account": USERS,
    "newsletters.admin_index": ORG,
    "newsletters.create": ORG,
    "newsletters.edit": ORG,
    "newsletters.schedule": ORG,
    # people and hosts (a host's rights for one event: tests/people/test_hosts.py)
    "people.directory": ALL,
    "people.my_profile": USERS,
    "people.hosting": USERS,
    "people.hosts": ORG,
    "people.admin": ADM,
    "people.admin_history": ADM,
    "api.list_people": USERS,
    "api.appoint_resource_person": ADM,
    "api.list_hosts": ORG,
    "api.add_host": ORG,
    "api.list_threads": USERS,
    "api.create_thread": USERS,
    "api.get_thread": USERS,
    "api.create_post": USERS,
    "api.list_newsletters": ORG,
    "api.create_newsletter": ORG,
    "api.schedule_newsletter": ORG,
    "api.subscribe": USERS,
}

EMAILS = {
    OWNER: "eier@gmail.com",
    OTHER: "annen@gmail.com",
    ORGANISER: "arrangor@nettverket.no",
    FINANCE: "okonomi@nettverket.no",
    ADMIN: "admin@nettverket.no",
}
ROLE_OF = {OWNER: "participant", OTHER: "participant", ORGANISER: "organiser"}
ROLE_OF |= {FINANCE: "finance", ADMIN: "admin"}


@pytest.fixture(scope="module")
def matrix_app(database_url):
    """An app on the suite's database without CSRF checks, so a POST reaches the
    access check (CSRF has tests of its own)."""
    from config import TestConfig
    from eventsys import create_app

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        WTF_CSRF_ENABLED = False

    made = create_app(Config())
    yield made
    with made.app_context():
        db.engine.dispose()


def _rules(matrix_app):
    return [
        rule
        for rule in sorted(matrix_app.url_map.iter_rules(), key=lambda r: r.rule)
        if rule.endpoint != "static"
    ]


def _routes():
    """(endpoint, method) of every route; the URL map does not need a database."""
    from config import TestConfig
    from eventsys import create_app

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    made = create_app(Config())
    return sorted(
        (rule.endpoint, method)
        for rule in _rules(made)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def test_every_route_has_a_line_in_the_table(matrix_app):
    endpoints = {rule.endpoint for rule in _rules(matrix_app)}
    assert sorted(endpoints - set(EXPECTED)) == [], "decide who may use these routes"
    assert sorted(set(EXPECTED) - endpoints) == [], "routes that no longer exist"


class World:
    """Users of every role with sessions and API tokens, and one of everything a URL
    can name: an event with the owner's registration (a fee, an invoice), a cycle
    item, an organisation with an ownership period."""

    def __init__(self, app, make_org):
        from eventsys.auth import operations as auth_ops
        from eventsys.auth.models import Role

        self.app = app
        self.make_org = make_org
        self.sessions, self.tokens = {}, {}
        with app.app_context():
            for role, email in EMAILS.items():
                user = auth_ops.create_user(
                    email,
                    "riktig-passord-1",
                    name=role.title(),
                    role=Role(ROLE_OF[role]),
                    verified=True,
                )
                self.sessions[role] = auth_ops.start_session(user)
                self.tokens[role] = auth_ops.issue_api_token(user)
            database.commit()
        self.build()

    def build(self):
        """A fresh set of objects (after an allowed action may have changed them)."""
        from eventsys.arshjul import operations as arshjul_ops
        from eventsys.auth.operations import find_user
        from eventsys.events import operations as event_ops
        from eventsys.organisations.models import Ownership
        from eventsys.payments import operations as pay_ops
        from eventsys.registration import operations as reg_ops

        now = datetime.now(UTC)
        self.org_id = self.make_org(f"Org {now.timestamp()}", [])
        with self.app.app_context():
            self.period_id = db.session.scalar(
                select(Ownership.id).where(Ownership.organisation_id == self.org_id)
            )
            event = event_ops.create_event(
                dict(
                    title="Seminar",
                    kind="seminar",
                    format="on_site",
                    venue="Bergen",
                    starts_at=now + timedelta(days=30),
                    ends_at=now + timedelta(days=30, hours=6),
                    capacity=5,
                    registration_opens_at=now - timedelta(days=1),
                    registration_closes_at=now + timedelta(days=29),
                    fee=75000,
                ),
                None,
                status="published",
            )
            owner = find_user(EMAILS[OWNER])
            reg = reg_ops.register(
                event.id, reg_ops.Person(email=owner.email, name="Eier", user=owner), None
            )
            self.event_id, self.reg_id = event.id, reg.id
            database.commit()
            invoice = pay_ops.choose_invoice(
                reg.id, "974767880", "Ref 1", "faktura@uib.no", "", "UiB"
            )
            self.invoice_id = invoice.id
            from eventsys.finance.models import StripePayout

            self.payout_id = f"po_{int(now.timestamp() * 1000)}"
            db.session.add(StripePayout(id=self.payout_id, amount=1, currency="NOK", created=now))
            self.item_id = arshjul_ops.create_item(
                dict(
                    title_nb="Frist",
                    title_en="Deadline",
                    description="",
                    category="deadline",
                    audience="public",
                    link="",
                    recurrence_kind="fixed_date",
                    month=2,
                    day=15,
                    all_day=True,
                    reminder_days=14,
                ),
                None,
            ).id
            self.calendar_token = arshjul_ops.calendar_token(owner)
            from eventsys.demo.resources import simple_pdf
            from eventsys.resources import operations as resource_ops
            from eventsys.themes import operations as theme_ops

            resource = resource_ops.create_resource(
                {"kind": "report", "title": "Frafall i høyere utdanning", "year": 2025},
                owner,
                status="submitted",
            )
            pdf = simple_pdf("Frafall")
            resource_ops.attach_file(resource, "rapport.pdf", pdf, owner)
            self.resource_id = resource.id
            self.theme_id = theme_ops.create_theme(
                f"matrise_{int(now.timestamp() * 1000)}", "Tema", "Theme"
            ).id
            self._community(owner, find_user(EMAILS[ORGANISER]))
            database.commit()

    def _community(self, owner, organiser):
        """A forum thread with the owner's (approved) post and a report, a draft
        newsletter."""
        from eventsys.forum import operations as forum
        from eventsys.forum.models import ForumCategory
        from eventsys.newsletters import operations as newsletters

        category = db.session.scalar(select(ForumCategory).where(ForumCategory.slug == "matrise"))
        if category is None:
            category = ForumCategory(slug="matrise", name_nb="Matrise", name_en="Matrix")
            db.session.add(category)
        thread = forum.create_thread(organiser, category, "Tråd", "Tekst")
        post = forum.reply(owner, thread, "Svar")
        if post.state == "pending":
            forum.moderate_post(organiser, post, "approve", "")
        self.thread_id, self.post_id = thread.id, post.id
        self.report_id = forum.report(organiser, post, "Sjekk").id
        self.issue_id = newsletters.create_issue(organiser, "Brev", "Tekst", "nb", []).id

    def url(self, endpoint):
        values = {
            "event_id": self.event_id,
            "reg_id": self.reg_id,
            "invoice_id": self.invoice_id,
            "item_id": self.item_id,
            "org_id": self.org_id,
            "period_id": self.period_id,
            "theme_id": self.theme_id,
            "resource_id": self.resource_id,
            "payout_id": self.payout_id,
            "payment_id": 1,
            "ext": "pdf",
            "table": "events",
            "organisation_id": self.org_id,
            "slug": "matrise",
            "thread_id": self.thread_id,
            "post_id": self.post_id,
            "report_id": self.report_id,
            "issue_id": self.issue_id,
            "action": {"forum.lock": "lock", "resources.move": "publish"}.get(endpoint, "hide"),
            "fmt": "csv",
            "token": self.calendar_token if endpoint == "arshjul.private_feed" else "x" * 20,
        }
        rule = next(r for r in self.app.url_map.iter_rules() if r.endpoint == endpoint)
        with self.app.test_request_context():
            return url_for(endpoint, **{k: v for k, v in values.items() if k in rule.arguments})

    def request(self, role, method, endpoint):
        client = self.app.test_client()
        headers = {}
        if role != ANON:
            with client.session_transaction() as session:
                session["_user_id"] = self.sessions[role]
                session["_fresh"] = True
            headers["Authorization"] = f"Bearer {self.tokens[role]}"
        kwargs = {"json": {}} if endpoint.startswith("api.") and method != "GET" else {}
        return client.open(self.url(endpoint), method=method, headers=headers, **kwargs)


def _denied(endpoint, response) -> bool:
    if endpoint.startswith("api."):
        return response.status_code in (401, 403, 404)
    if response.status_code == 302:
        return "/login" in response.location
    return response.status_code in (401, 403, 404)


def _check(world, endpoint, method, expected, rebuild=True) -> dict:
    """Every role against one route; returns the roles whose outcome differs from the
    table (and fails at once on a 500)."""
    outcome = {}
    fresh = True
    # Those without access first (they must change nothing); each one with access
    # after the first gets fresh objects, as an allowed action may have used them up.
    for role in sorted(ROLES, key=lambda r: expected == CAPABILITY or r in expected):
        allowed = expected == CAPABILITY or role in expected
        if allowed and rebuild and not fresh:
            world.build()
        response = world.request(role, method, endpoint)
        assert response.status_code < 500, (method, endpoint, role, response.status_code)
        if allowed:
            fresh = False
        if expected != CAPABILITY:
            outcome[role] = not _denied(endpoint, response)
    return {
        role: ("allowed" if ok else "denied")
        for role, ok in outcome.items()
        if ok != (role in expected)
    }


def test_who_may_read_every_page(app, matrix_app, make_org):
    """Every GET route in one world: reading changes nothing."""
    world = World(matrix_app, make_org)
    wrong = {}
    for endpoint, method in _routes():
        if method == "GET":
            found = _check(world, endpoint, method, EXPECTED[endpoint], rebuild=False)
            if found:
                wrong[endpoint] = found
    assert wrong == {}


@pytest.mark.parametrize("endpoint, method", [r for r in _routes() if r[1] != "GET"])
def test_who_may_act(app, matrix_app, make_org, endpoint, method):
    world = World(matrix_app, make_org)
    wrong = _check(world, endpoint, method, EXPECTED[endpoint])
    assert wrong == {}, f"{method} {endpoint}: expected only {sorted(EXPECTED[endpoint])}"
