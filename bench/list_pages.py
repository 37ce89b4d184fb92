"""List pages and API lists over many rows: time and SQL statements per page.

    .venv/bin/python bench/list_pages.py [--rows 500] [--repeat 3] [--all]
        [--database-url URL]

Without --database-url it uses a new SQLite file in a temporary folder (a PostgreSQL
database given is emptied first: use a throw-away one). It writes the world of
tests/query_world.py with `--rows` of everything (bulk inserts: people, owners,
events, one event with every person registered in every state, payments, invoices,
resources, forum, newsletters, årshjul, finance) and fetches, in-process through
Flask's test client, the organiser's participant page and the API lists (with
--all: every URL of tests/test_query_counts.py). It prints per URL the best time of
`--repeat` requests and the statements one request sends.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAIN = [
    "/organiser/events/{event}/participants",
    "api:/api/v1/events",
    "api:/api/v1/events/{event}/registrations",
    "api:/api/v1/events/{event}/hosts",
    "api:/api/v1/organisations",
    "api:/api/v1/people",
    "api:/api/v1/resources",
    "api:/api/v1/forum/threads",
    "api:/api/v1/newsletters",
    "api:/api/v1/finance/discrepancies",
    "api:/api/v1/finance/contributions?year={year}",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="every list URL of the test")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    from benchapp import database_url, fresh_app

    from tests import query_world

    url = database_url(args.database_url)
    app = fresh_app(url)
    ids = query_world.build_world(app, args.rows)
    web = query_world.browser(app)
    urls = MAIN
    if args.all:
        from tests.test_query_counts import LISTS

        urls = query_world.world_urls(LISTS)

    print(f"database  {url.split('@')[-1]}")
    print(f"rows      {args.rows} of everything; best of {args.repeat}")
    print(f"{'ms':>8} {'stmts':>6}  url")
    for page in urls:
        runs = [query_world.fetch(app, web, ids, page) for _ in range(args.repeat)]
        statements = runs[-1][0]
        best = min(seconds for _, seconds in runs)
        print(f"{best * 1000:8.1f} {statements:6d}  {page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
