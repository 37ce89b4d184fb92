"""Sending one newsletter issue to many subscribers: the batches `eventsys tick` runs.

    .venv/bin/python bench/newsletter_send.py [--subscribers 5000] [--batch 500]
        [--database-url URL]

Without --database-url it uses a new SQLite file in a temporary folder (a PostgreSQL
database given is emptied first: use a throw-away one). It makes the subscribers and a
scheduled issue, then runs `send_batch` + commit until the issue is sent, as tick does,
and prints per batch the time and the number of SQL statements, then the totals. SMTP
is not part of it: the batches write the e-mails to the outbox, which the mail worker
delivers afterwards.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def prepare(subscribers: int) -> int:
    """The subscribers (confirmed, half with a theme) and a scheduled issue."""
    from eventsys import database
    from eventsys.auth import operations as accounts
    from eventsys.auth.models import Role
    from eventsys.extensions import db
    from eventsys.newsletters import operations
    from eventsys.newsletters.models import Subscriber, subscriber_themes
    from eventsys.themes.models import Theme
    from eventsys.themes.operations import ensure_seed_themes

    ensure_seed_themes()
    organiser = accounts.create_user(
        "arrangement@bench.example", "bench-passord-1", role=Role.organiser, verified=True
    )
    now = datetime.now(UTC)
    db.session.execute(
        insert(Subscriber),
        [
            {
                "email": f"leser{n:05d}@bench.example",
                "language": "nb",
                "token": secrets.token_urlsafe(32),
                "confirmed_at": now,
                "created_at": now,
            }
            for n in range(subscribers)
        ],
    )
    theme_id = db.session.scalar(db.select(Theme.id).where(Theme.code == "mental_health"))
    ids = db.session.scalars(db.select(Subscriber.id).order_by(Subscriber.id)).all()
    db.session.execute(
        insert(subscriber_themes),
        [{"subscriber_id": i, "theme_id": theme_id} for i in ids[::2]],
    )
    issue = operations.create_issue(
        organiser,
        "Nyhetsbrev: høstens seminarer",
        "## Velkommen til høsten\n\n"
        + "Nettverket inviterer til **seminarer** om studenters psykiske helse. " * 20
        + "\n\n- [Seminar i Bergen](https://example.no/events/1)\n- [Kurs](https://example.no/events/2)\n",
        "nb",
        [],
    )
    operations.schedule(issue, now + timedelta(minutes=1))
    database.commit()
    return issue.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    from benchapp import database_url, fresh_app

    from eventsys.extensions import db

    url = database_url(args.database_url)
    app = fresh_app(url)
    with app.app_context():
        issue_id = prepare(args.subscribers)

        from eventsys.newsletters import operations

        statements = [0]

        @event.listens_for(db.engine, "before_cursor_execute")
        def count(*_args):
            statements[0] += 1

        print(f"database            {url.split('@')[-1]}")
        print(f"subscribers         {args.subscribers}, batch size {args.batch}")
        later = datetime.now(UTC) + timedelta(minutes=2)
        total_time, total_queries, batch = 0.0, 0, 0
        while True:
            statements[0] = 0
            started = time.perf_counter()
            queued = operations.send_batch(issue_id, later, size=args.batch)
            db.session.commit()  # the outbox rows; delivery is the mail worker's job
            elapsed = time.perf_counter() - started
            total_time += elapsed
            total_queries += statements[0]
            batch += 1
            print(
                f"batch {batch:3d}           {queued:4d} e-mails in {elapsed * 1000:7.0f} ms, "
                f"{statements[0]:5d} statements"
            )
            if queued == 0:
                break
        issue = db.session.get(operations.Issue, issue_id)
        print(
            f"total               {issue.recipients} e-mails in {total_time:.2f} s "
            f"= {issue.recipients / total_time:.0f} per second, {total_queries} statements"
        )
        assert issue.recipients == args.subscribers
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
