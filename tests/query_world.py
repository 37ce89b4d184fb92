"""A world with `n` of everything, written fast (bulk inserts), and a counter of the SQL
statements one request sends. Used by tests/test_query_counts.py and
bench/list_pages.py."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, insert, select, text, update

ADMIN = "admin@uib.no"
PASSWORD = "riktig-passord-1"


def build_world(app, n: int, now: datetime | None = None) -> dict:
    """Write `n` rows of every listed thing; return the ids the list URLs need."""
    from eventsys import database
    from eventsys.arshjul import operations as arshjul_operations
    from eventsys.arshjul.models import CycleItem
    from eventsys.arshjul.rules import Category, RecurrenceKind
    from eventsys.auth import operations as auth_operations
    from eventsys.auth.models import Role, User
    from eventsys.events.models import Event, EventFormat, EventKind, EventStatus
    from eventsys.extensions import db
    from eventsys.finance.models import (
        BankPayment,
        BankStatement,
        Contribution,
        DiscrepancyResolution,
        InvoiceReminder,
        StripePayout,
        StripeTransaction,
    )
    from eventsys.forum import search as forum_search
    from eventsys.forum.models import (
        FollowMode,
        ForumCategory,
        ForumFollow,
        ForumPost,
        ForumThread,
        ModerationLog,
        PostReport,
        PostRevision,
        PostState,
    )
    from eventsys.newsletters.models import Issue, IssueStatus
    from eventsys.organisations.models import (
        Organisation,
        OrganisationDomain,
        OrganisationKind,
        Ownership,
        OwnershipRole,
    )
    from eventsys.payments.models import (
        CheckoutSession,
        Invoice,
        InvoiceKind,
        Payment,
        PaymentMethod,
        PaymentStatus,
    )
    from eventsys.people.models import EventHost, PersonProfile, ResourcePerson, person_themes
    from eventsys.registration.models import Registration
    from eventsys.registration.rules import State
    from eventsys.resources import search as resource_search
    from eventsys.resources.models import (
        Resource,
        ResourceFile,
        ResourceKind,
        ResourceStatus,
        resource_themes,
    )
    from eventsys.themes.models import Theme, event_themes

    now = now or datetime.now(UTC).replace(microsecond=0)
    soon = now + timedelta(days=30)
    # Finance lists are by year: everything dated falls in the year of the events.
    year, day = soon.year, soon.date()
    rng = range(n)

    def bulk(model, rows):
        if rows:
            db.session.execute(insert(model), rows)

    def ids(model, order=None):
        return list(db.session.scalars(select(model.id).order_by(order or model.id)))

    with app.app_context():
        admin = auth_operations.find_user(ADMIN) or auth_operations.create_user(
            ADMIN, PASSWORD, name="Admin", role=Role.admin, verified=True
        )
        db.session.flush()
        admin_id = admin.id
        token = auth_operations.issue_api_token(admin)
        calendar_token = arshjul_operations.calendar_token(admin)

        bulk(
            Theme,
            [
                dict(code=f"t{i}", name_nb=f"Tema {i}", name_en=f"Theme {i}", position=i)
                for i in rng
            ],
        )
        theme_ids = ids(Theme)
        bulk(
            Organisation,
            [
                dict(
                    name=f"Organisasjon {i}",
                    org_number=f"{900000000 + i}",
                    kind=OrganisationKind.institution,
                )
                for i in rng
            ],
        )
        org_ids = ids(Organisation)
        bulk(
            OrganisationDomain,
            [dict(organisation_id=o, domain=f"org{i}.no") for i, o in enumerate(org_ids)],
        )
        bulk(
            Ownership,
            [
                dict(
                    organisation_id=o,
                    role=OwnershipRole.owner,
                    valid_from=date(2020, 1, 1),
                    valid_to=date(2030, 12, 31),
                    staff_band="2000+",
                )
                for o in org_ids
            ],
        )
        bulk(
            User,
            [
                dict(
                    email=f"p{i}@org{i}.no",
                    name=f"Person {i}",
                    password_hash=admin.password_hash,
                    role=Role.participant,
                    email_verified_at=now,
                )
                for i in rng
            ],
        )
        user_ids = [u for u in ids(User) if u != admin_id]
        bulk(
            PersonProfile,
            [
                dict(user_id=u, title="Rådgiver", region="vest", contact_consent=True)
                for u in user_ids
            ],
        )
        profile_ids = ids(PersonProfile)
        db.session.execute(
            insert(person_themes),
            [dict(profile_id=p, theme_id=theme_ids[i % n]) for i, p in enumerate(profile_ids)],
        )
        # Each person the current resource person of one owner; the first owner also
        # has a long history of earlier ones.
        bulk(
            ResourcePerson,
            [
                dict(
                    organisation_id=org_ids[i],
                    user_id=u,
                    valid_from=date(2020, 1, 1),
                    valid_to=date(2030, 12, 31),
                    appointed_by_id=user_ids[(i + 1) % n],
                )
                for i, u in enumerate(user_ids)
            ]
            + [
                dict(
                    organisation_id=org_ids[0],
                    user_id=u,
                    valid_from=date(1000 + i, 1, 1),
                    valid_to=date(1000 + i, 12, 31),
                    appointed_by_id=user_ids[(i + 1) % n],
                )
                for i, u in enumerate(user_ids)
            ],
        )

        def event_row(i, status=EventStatus.published):
            starts = soon + timedelta(minutes=i)
            return dict(
                title=f"Seminar {i} om studentaktiv læring",
                kind=EventKind.seminar,
                format=EventFormat.on_site,
                status=status,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                capacity=n,
                registration_opens_at=now - timedelta(days=1),
                registration_closes_at=starts - timedelta(days=1),
                fee=75000,
                host_organisation_id=org_ids[i],
                created_by_id=user_ids[i],
            )

        bulk(Event, [event_row(i) for i in rng] + [event_row(i, EventStatus.draft) for i in rng])
        event_ids = ids(Event)
        big_event = event_ids[0]
        db.session.execute(
            insert(event_themes),
            [dict(event_id=e, theme_id=theme_ids[i % n]) for i, e in enumerate(event_ids)],
        )
        bulk(EventHost, [dict(event_id=e, user_id=admin_id) for e in event_ids[:n]])
        bulk(EventHost, [dict(event_id=big_event, user_id=u) for u in user_ids])

        # The big event: every person registered, in every state; tier 2 pays.
        states = [State.CONFIRMED, State.WAITLISTED, State.OFFERED, State.CONFIRMED]
        registrations = []
        for i, u in enumerate(user_ids):
            state = states[i % len(states)]
            registrations.append(
                dict(
                    event_id=big_event,
                    user_id=u,
                    email=f"p{i}@org{i}.no",
                    name=f"Person {i}",
                    state=state,
                    tier=1 + i % 2,
                    organisation_id=org_ids[i],
                    registered_at=now - timedelta(minutes=n - i),
                    queue_at=now - timedelta(minutes=n - i),
                    confirmed_at=now if state == State.CONFIRMED else None,
                    offer_expires_at=now + timedelta(days=1) if state == State.OFFERED else None,
                    dietary_needs="vegetar",
                    registered_by_id=user_ids[(i + 1) % n] if i % 5 == 0 else None,
                )
            )
        # The admin registered for every other published event, waiting for half.
        for i, e in enumerate(event_ids[1:n]):
            registrations.append(
                dict(
                    event_id=e,
                    user_id=admin_id,
                    email=ADMIN,
                    name="Admin",
                    state=State.WAITLISTED if i % 2 else State.CONFIRMED,
                    tier=2,
                    confirmed_at=None if i % 2 else now,
                )
            )
        bulk(Registration, registrations)
        waiting_reg = db.session.scalar(
            select(Registration.id)
            .where(Registration.event_id == big_event, Registration.state == State.WAITLISTED)
            .order_by(Registration.id.desc())
            .limit(1)
        )
        paying = list(
            db.session.execute(
                select(Registration.id, Registration.state).where(Registration.tier == 2)
            )
        )
        bulk(
            Payment,
            [
                dict(
                    registration_id=r,
                    amount=75000,
                    status=[PaymentStatus.due, PaymentStatus.invoiced, PaymentStatus.paid][i % 3],
                    method=[None, PaymentMethod.invoice, PaymentMethod.card][i % 3],
                    deadline=soon,
                    paid_at=soon if i % 3 == 2 else None,
                    amount_paid=75000 if i % 3 == 2 else 0,
                    stripe_payment_intent=f"pi_{i}" if i % 3 == 2 else None,
                )
                for i, (r, state) in enumerate(paying)
                if state == State.CONFIRMED or i % 2
            ],
        )
        payment_ids = ids(Payment)
        bulk(
            CheckoutSession,
            [
                dict(
                    payment_id=p,
                    attempt=1,
                    stripe_session_id=f"cs_{i}",
                    url=f"https://checkout.example/{i}",
                    expires_at=soon,
                )
                for i, p in enumerate(payment_ids)
            ],
        )
        bulk(
            Invoice,
            [
                dict(
                    number=100000 + i,
                    kind=InvoiceKind.invoice,
                    kid=f"{100000 + i}",
                    payment_id=p,
                    organisation_name=f"Organisasjon {i % n}",
                    org_number=f"{900000000 + i % n}",
                    reference=f"Ref {i}",
                    recipient_email=f"p{i}@org{i}.no",
                    description="Deltakeravgift",
                    amount=75000,
                    issued_on=day,
                    due_on=day + timedelta(days=14),
                )
                for i, p in enumerate(payment_ids)
            ]
            + [
                dict(
                    number=200000 + i,
                    kind=InvoiceKind.invoice,
                    kid=f"{200000 + i}",
                    organisation_name=f"Organisasjon {i}",
                    org_number=f"{900000000 + i}",
                    reference=f"Kontingent {i}",
                    description=f"Kontingent {year}",
                    amount=5000000,
                    issued_on=day,
                    due_on=day + timedelta(days=30),
                    purpose="contribution",
                )
                for i in rng
            ],
        )
        # A tenth of the fee invoices credited.
        bulk(
            Invoice,
            [
                dict(
                    number=300000 + i,
                    kind=InvoiceKind.credit_note,
                    credit_for_id=credited,
                    organisation_name=f"Organisasjon {i}",
                    reference=f"Kreditnota {i}",
                    description="Kreditnota",
                    amount=-75000,
                    issued_on=day,
                    due_on=day,
                )
                for i, credited in enumerate(ids(Invoice)[: max(1, n // 10)])
            ],
        )
        contribution_invoices = list(
            db.session.scalars(
                select(Invoice.id).where(Invoice.purpose == "contribution").order_by(Invoice.id)
            )
        )
        bulk(
            Contribution,
            [
                dict(organisation_id=o, year=year, band="2000+", amount=5000000, invoice_id=inv)
                for o, inv in zip(org_ids, contribution_invoices, strict=True)
            ],
        )
        bulk(
            BankStatement,
            [
                dict(identity=f"stmt-{i}", format="csv", imported_at=now - timedelta(minutes=i))
                for i in rng
            ],
        )
        statement_ids = ids(BankStatement)
        bulk(
            BankPayment,
            [
                dict(
                    statement_id=s,
                    entry_ref=f"e{i}",
                    booked_on=day,
                    amount=75000,
                    kid=f"{100000 + i}",
                    payer=f"Person {i}",
                    invoice_id=contribution_invoices[i] if i % 2 else None,
                    outcome="matched" if i % 2 else "unmatched",
                )
                for i, s in enumerate(statement_ids)
            ],
        )
        bulk(
            StripePayout,
            [
                dict(
                    id=f"po_{i}", amount=75000, currency="nok", created=soon - timedelta(minutes=i)
                )
                for i in rng
            ],
        )
        # Charges no registration knows: a discrepancy each.
        bulk(
            StripeTransaction,
            [
                dict(
                    id=f"txn_{i}",
                    type="charge",
                    amount=75000,
                    fee=2000,
                    net=73000,
                    currency="nok",
                    created=soon - timedelta(minutes=i),
                    source=f"ch_{i}",
                    payment_intent=f"pi_stray_{i}",
                    registration_ref=f"stray-{i}",
                    payout_id="po_0",
                )
                for i in rng
            ],
        )

        bulk(
            Resource,
            [
                dict(
                    kind=ResourceKind.report,
                    status=ResourceStatus.published,
                    title=f"Rapport {i} om studentaktiv læring",
                    summary="Hvordan *studentaktiv* læring virker.",
                    authors=[f"Forfatter {i}"],
                    year=2020,
                    event_id=event_ids[i],
                    organisation_id=org_ids[i],
                    contributor_id=user_ids[i],
                    published_at=now - timedelta(hours=i),
                )
                for i in rng
            ]
            + [
                dict(
                    kind=ResourceKind.method,
                    status=ResourceStatus.submitted,
                    title=f"Metode {i}",
                    contributor_id=user_ids[i],
                    organisation_id=org_ids[i],
                )
                for i in rng
            ],
        )
        resource_ids = ids(Resource)
        db.session.execute(
            insert(resource_themes),
            [dict(resource_id=r, theme_id=theme_ids[0]) for r in resource_ids],
        )
        bulk(
            ResourceFile,
            [
                dict(
                    resource_id=r,
                    filename=f"rapport-{i}.pdf",
                    content_type="application/pdf",
                    size=1000,
                    sha256="0" * 64,
                    storage_key=f"blob-{i}",
                    uploaded_by_id=user_ids[i % n],
                )
                for i, r in enumerate(resource_ids)
                if i % 2
            ],
        )
        for resource in db.session.scalars(select(Resource)):
            resource_search.reindex(resource)

        bulk(
            ForumCategory,
            [
                dict(
                    slug=f"kategori-{i}",
                    name_nb=f"Kategori {i}",
                    name_en=f"Category {i}",
                    position=i,
                )
                for i in rng
            ],
        )
        category_ids = ids(ForumCategory)
        bulk(
            ForumThread,
            [
                dict(
                    category_id=category_ids[0] if i else category_ids[1 % n],
                    title=f"Tråd {i}",
                    author_id=user_ids[i],
                    last_post_at=now - timedelta(minutes=i),
                )
                for i in rng
            ]
            + [dict(event_id=big_event, title="Seminar 0", author_id=admin_id)],
        )
        thread_ids = ids(ForumThread)
        long_thread, event_thread = thread_ids[0], thread_ids[-1]
        posts = [
            dict(
                thread_id=t,
                author_id=user_ids[i],
                body=f"Innlegg {i} om studentaktiv læring",
                state=PostState.published,
                created_at=now - timedelta(minutes=n - i),
                published_at=now - timedelta(minutes=n - i),
            )
            for i, t in enumerate(thread_ids[:n])
        ]
        for t in (long_thread, event_thread):
            posts += [
                dict(
                    thread_id=t,
                    author_id=user_ids[i],
                    body=f"Svar {i} om studentaktiv læring",
                    state=PostState.published,
                    created_at=now - timedelta(seconds=n - i),
                    published_at=now - timedelta(seconds=n - i),
                )
                for i in rng
            ]
        posts += [
            dict(
                thread_id=long_thread,
                author_id=user_ids[i],
                body=f"Venter {i}",
                state=PostState.pending,
            )
            for i in rng
        ]
        bulk(ForumPost, posts)
        # Every reply quotes the post before it.
        db.session.execute(
            update(ForumPost.__table__)
            .where(ForumPost.body.like("Svar %"))
            .values(quoted_post_id=ForumPost.id - 1)
        )
        for post_id, body, state in db.session.execute(
            select(ForumPost.id, ForumPost.body, ForumPost.state)
        ):
            forum_search.reindex(post_id, body, state == PostState.published)
        post_ids = ids(ForumPost)
        revised_post = post_ids[0]
        bulk(
            PostRevision,
            [
                dict(post_id=revised_post, body=f"Utkast {i}", written_at=now - timedelta(hours=i))
                for i in rng
            ],
        )
        bulk(
            PostReport,
            [dict(post_id=post_ids[i], reporter_id=user_ids[i], reason="Spam") for i in rng],
        )
        bulk(
            ForumFollow,
            [dict(user_id=admin_id, thread_id=t, mode=FollowMode.daily) for t in thread_ids[:n]]
            + [dict(user_id=admin_id, category_id=c, mode=FollowMode.weekly) for c in category_ids],
        )

        bulk(
            CycleItem,
            [
                dict(
                    title_nb=f"Frist {i}",
                    category=Category.DEADLINE,
                    recurrence_kind=RecurrenceKind.FIXED_DATE,
                    month=1 + i % 12,
                    day=1 + i % 28,
                    created_by_id=user_ids[i],
                )
                for i in rng
            ],
        )
        cycle_ids = ids(CycleItem)
        bulk(
            Issue,
            [
                dict(
                    title=f"Nyhetsbrev {i}",
                    body="Nytt fra nettverket.",
                    status=IssueStatus.sent,
                    sent_at=now - timedelta(days=i),
                    recipients=10,
                    created_by_id=user_ids[i],
                    cycle_item_id=cycle_ids[i],
                )
                for i in rng
            ],
        )
        bulk(
            ModerationLog,
            [
                dict(actor_id=user_ids[i], action="hide", thread_id=long_thread, reason="Spam")
                for i in rng
            ],
        )
        bulk(
            InvoiceReminder,
            [
                dict(invoice_id=inv, number=1, sent_by_id=user_ids[i])
                for i, inv in enumerate(contribution_invoices)
            ],
        )
        bulk(
            DiscrepancyResolution,
            [
                dict(
                    key=f"resolved-{i}",
                    kind="stray_charge",
                    amount=100,
                    currency="nok",
                    note="Sjekket",
                    resolved_by_id=user_ids[i],
                    resolved_at=now - timedelta(minutes=i),
                )
                for i in rng
            ],
        )
        database.commit()
        return dict(
            token=token,
            calendar_token=calendar_token,
            event=big_event,
            waiting_reg=waiting_reg,
            thread=long_thread,
            event_thread=event_thread,
            revised_post=revised_post,
            category_slug="kategori-0",
            organisation=org_ids[0],
            payout="po_0",
            year=year,
        )


@contextlib.contextmanager
def counting(app):
    """Yields a list whose length is the number of statements sent meanwhile."""
    from eventsys.extensions import db

    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", count)


def browser(app):
    from tests.conftest import client_of

    return client_of(app, ADMIN, PASSWORD)


def fetch(app, web, ids: dict, url: str):
    """(statements, seconds) of one GET of `url` (with {ids} filled in)."""
    api = url.startswith("api:")
    path = url.removeprefix("api:").format(**ids)
    client = app.test_client() if api else web
    headers = {"Authorization": f"Bearer {ids['token']}"} if api else {}
    with counting(app) as sent:
        started = time.perf_counter()
        response = client.get(path, headers=headers)
        seconds = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code)
    return len(sent), seconds


def _empty(app):
    """Every table, and on SQLite the full-text indexes too (FTS5 tables are outside
    the models; on PostgreSQL their rows go with the rows they index)."""
    from eventsys.extensions import db
    from tests.conftest import _empty_tables

    _empty_tables(app)
    with app.app_context(), db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            for table in ("resource_search", "forum_search"):
                conn.execute(text(f"DELETE FROM {table}"))


def counts_at(app, n: int, urls: list[str]) -> dict[str, int | str]:
    """Build a world of `n` and count the statements of each URL (the second request,
    so what is cached once per process does not count); a URL that does not answer
    200 gets what went wrong instead."""
    _empty(app)
    ids = build_world(app, n)
    try:
        web = browser(app)
        found = {}
        for url in urls:
            try:
                fetch(app, web, ids, url)
                found[url] = fetch(app, web, ids, url)[0]
            except AssertionError as error:
                found[url] = repr(error)
        return found
    finally:
        _empty(app)


def world_urls(lists: dict[str, list[str]]) -> list[str]:
    return [url for urls in lists.values() for url in urls]
