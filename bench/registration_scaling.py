"""A registration's work against the size of the waiting list and the number of
organisations: it must stay flat (issue 12).

    .venv/bin/python bench/registration_scaling.py [--waiting 10 5000]
        [--organisations 10 1000] [--repeat 20] [--database-url URL]

Without --database-url it uses a new SQLite file in a temporary folder (a PostgreSQL
database given is emptied first: use a throw-away one). For each size it fills a full
event's waiting list (or the organisation register) with rows, then times `repeat`
registrations one by one (each committed, as a request would) and prints the time per
registration, the SQL statements and the rows the database hands back for one. The
test tests/registration/test_scaling.py uses the same functions.
"""

from __future__ import annotations

import argparse
import sys
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@contextmanager
def counting():
    """Count the SQL statements sent and the rows the ORM session gets back while the
    block runs: {"statements": n, "rows": n}."""
    from eventsys.extensions import db

    seen = {"statements": 0, "rows": 0}

    def statement(*_args):
        seen["statements"] += 1

    def rows(state):
        result = state.invoke_statement()
        if not getattr(result, "returns_rows", True):
            return result
        frozen = result.freeze()
        seen["rows"] += len(frozen().all())
        return frozen()

    engine = db.engine
    session = db.session()
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(session, "do_orm_execute", rows)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(session, "do_orm_execute", rows)


def full_event(capacity: int = 2) -> int:
    """A published, open event whose `capacity` seats are taken; returns its id."""
    from bench.benchapp import open_event
    from eventsys import database

    ev = open_event(None, capacity, "Skaleringsseminar")
    database.commit()
    add_registrations(ev.id, capacity, "confirmed", "seat")
    return ev.id


def add_registrations(event_id: int, count: int, state: str = "waitlisted", prefix="wait"):
    """`count` tier-2 registrations in `state`, one statement."""
    from eventsys import database
    from eventsys.extensions import db
    from eventsys.registration.models import Registration

    if not count:
        return
    start = datetime.now(UTC) - timedelta(hours=1)
    db.session.execute(
        insert(Registration),
        [
            {
                "event_id": event_id,
                "email": f"{prefix}{n:06d}@fyll.example",
                "name": f"{prefix} {n}",
                "locale": "nb",
                "state": state,
                "tier": 2,
                "tier_reason": "unknown_domain",
                "registered_at": start + timedelta(microseconds=n),
                "queue_at": start + timedelta(microseconds=n),
            }
            for n in range(count)
        ],
    )
    database.commit()


def add_organisations(count: int, prefix: str = "org") -> None:
    """`count` owner organisations, each with a domain, in three statements."""
    from eventsys import database
    from eventsys.extensions import db
    from eventsys.organisations.models import Organisation, OrganisationDomain, Ownership

    if not count:
        return
    taken = db.session.scalar(text("SELECT coalesce(max(id), 0) FROM organisations"))
    ids = range(taken + 1, taken + 1 + count)
    db.session.execute(
        insert(Organisation),
        [{"id": i, "name": f"{prefix} {i}", "kind": "institution"} for i in ids],
    )
    db.session.execute(
        insert(OrganisationDomain),
        [{"organisation_id": i, "domain": f"{prefix}{i}.example.no"} for i in ids],
    )
    db.session.execute(
        insert(Ownership),
        [
            {
                "organisation_id": i,
                "role": "owner",
                "valid_from": date(2020, 1, 1),
                "valid_to": date(2099, 12, 31),
                "staff_band": "2000+",
            }
            for i in ids
        ],
    )
    database.commit()
    if db.engine.dialect.name == "postgresql":  # explicit ids: move the sequence on
        db.session.execute(
            text("SELECT setval('organisations_id_seq', (SELECT max(id) FROM organisations))")
        )
        database.commit()


def register_one(event_id: int, email: str) -> tuple[float, dict]:
    """One registration as the API makes it (an organiser vouching for the address),
    committed; returns (seconds, counts)."""
    from eventsys import database
    from eventsys.registration import operations as ops

    with counting() as seen:
        started = time.perf_counter()
        reg = ops.register(event_id, ops.Person(email=email, name="Ny", vouched=True), None)
        ops.position_of(reg)  # the API's answer tells the place
        database.commit()
        elapsed = time.perf_counter() - started
    return elapsed, dict(seen)


def per_registration(event_id: int, repeat: int, prefix: str, domain: str) -> tuple[float, dict]:
    """The median time of `repeat` registrations and the counts of the last one."""
    times, seen = [], {}
    for n in range(repeat):
        elapsed, seen = register_one(event_id, f"{prefix}{n}@{domain}")
        times.append(elapsed)
    times.sort()
    return times[len(times) // 2], seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waiting", type=int, nargs=2, default=[10, 5000])
    parser.add_argument("--organisations", type=int, nargs=2, default=[10, 1000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    from benchapp import database_url, fresh_app

    url = database_url(args.database_url)
    app = fresh_app(url)
    print(f"database            {url.split('@')[-1]}")
    print(f"{'':24}{'ms/registration':>16}{'statements':>12}{'rows read':>11}")
    results = {}
    with app.app_context():
        for what, sizes in (("waiting", args.waiting), ("organisations", args.organisations)):
            for size in sizes:
                event_id = full_event()
                if what == "waiting":
                    add_registrations(event_id, size, prefix=f"w{size}-")
                else:
                    add_organisations(size, prefix=f"o{size}-")
                seconds, seen = per_registration(
                    event_id, args.repeat, f"{what}{size}-", "gmail.com"
                )
                results[what, size] = seconds
                label = f"{size:>6,} {what}"
                print(
                    f"{label:<24}{seconds * 1000:>16.1f}{seen['statements']:>12}{seen['rows']:>11}"
                )
    for what, (small, large) in (("waiting", args.waiting), ("organisations", args.organisations)):
        ratio = results[what, large] / results[what, small]
        verdict = "target met" if ratio < 1.5 else "not met"
        print(f"{what:<14} time {large:,} / {small:,}: {ratio:.2f} (flat is < 1.5) {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
