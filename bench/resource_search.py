"""Searching 10 000 resources: the /resources page, timed in-process.

    .venv/bin/python bench/resource_search.py [--resources 10000] [--queries 300]
        [--database-url URL]

Without --database-url it uses a new SQLite file in a temporary folder. A PostgreSQL
URL must point at a throw-away database: its public schema is dropped first. The
records are written straight to the tables (through the real indexing code,
search.reindex), with titles and summaries drawn from the network's own workshop
notes, 1–2 themes each, eight kinds, 25 years, five languages and twenty
organisations. Words are drawn with Zipf's law (the n-th most frequent word about
1/n as often as the first), as in real text: the commonest words are in nearly every
record, the rarest in a few dozen. Then it requests /resources through Flask's test
client with four kinds of query, mixed in random order, each with random filters now
and then:

- rare:        one word from the rarest third of the vocabulary (tens of hits)
- common:      one of the ten commonest words (thousands of hits, up to all)
- phrase:      two or three words, which must all match (the search has no phrase
               operator; every word of a query must match)
- filter-only: no words; theme, kind and/or year (browsing)

and prints p50/p95/max of the whole page (query, rendering, snippets) per kind and
overall, and of the search alone.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONTEXT = ROOT.parent / "shared" / "context" / "workshop-themes.txt"
FALLBACK_WORDS = [
    "frafall",
    "studenter",
    "læringsmiljø",
    "ensomhet",
    "tilhørighet",
    "samskipnad",
    "økonomi",
    "bolig",
    "kollokvier",
    "mentor",
    "campus",
    "oppmøte",
    "gjennomføring",
    "trivsel",
    "psykisk",
    "helse",
    "engasjement",
    "frivillighet",
    "lånekassen",
    "stipend",
    "tilrettelegging",
    "universell",
    "utforming",
    "internasjonale",
]


def vocabulary() -> list[str]:
    text = CONTEXT.read_text(encoding="utf-8") if CONTEXT.exists() else ""
    words = [w.lower() for w in re.findall(r"[A-Za-zÆØÅæøå]{5,}", text)]
    return sorted(set(words)) or FALLBACK_WORDS


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def zipf_weights(count: int) -> list[float]:
    return [1 / rank for rank in range(1, count + 1)]


def fill(app, count: int, words: list[str], rng: random.Random) -> float:
    from eventsys import database
    from eventsys.extensions import db
    from eventsys.organisations.models import Organisation, OrganisationKind
    from eventsys.resources import search
    from eventsys.resources.models import Resource, ResourceKind, ResourceStatus
    from eventsys.themes.operations import all_themes, ensure_seed_themes

    started = time.perf_counter()
    with app.app_context():
        ensure_seed_themes()
        orgs = [
            Organisation(name=f"Lærested {n}", kind=OrganisationKind.institution) for n in range(20)
        ]
        db.session.add_all(orgs)
        db.session.flush()
        themes = all_themes()
        kinds = [k for k in ResourceKind if k != ResourceKind.conference]
        weights = zipf_weights(len(words))

        def draw(n: int) -> str:
            return " ".join(rng.choices(words, weights=weights, k=n))

        for first in range(0, count, 500):
            batch = []
            for _ in range(min(500, count - first)):
                batch.append(
                    Resource(
                        kind=rng.choice(kinds),
                        status=ResourceStatus.published,
                        title=draw(rng.randint(3, 8)).capitalize(),
                        summary=draw(rng.randint(30, 90)) + ".",
                        authors=[f"{rng.choice(words).title()}, {rng.choice(words).title()}"],
                        year=rng.randint(2000, 2025),
                        language=rng.choice(["nb", "nb", "nb", "en", "nn", "sv", "da"]),
                        organisation_id=rng.choice(orgs).id,
                        themes=rng.sample(themes, rng.randint(1, 2)),
                        published_at=database.utcnow(),
                    )
                )
            db.session.add_all(batch)
            db.session.flush()
            for resource in batch:
                search.reindex(resource)
            database.commit()
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does soon after a bulk load: statistics for the planner
            # and the visibility map that lets the search read ids from an index alone.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
    return time.perf_counter() - started


KINDS = ("rare", "common", "phrase", "filter-only")


def queries(
    words: list[str], themes: list[str], rng: random.Random, count: int
) -> list[tuple[str, str]]:
    """(kind, path) pairs, `count` of each kind, shuffled. `words` is in Zipf order."""
    from urllib.parse import urlencode

    kinds = ["literature", "report", "best_practice", "method", "presentation", "link"]
    common, rare = words[:10], words[len(words) * 2 // 3 :]
    made = []
    for kind in KINDS:
        for _ in range(count):
            params = {}
            if kind == "rare":
                params["q"] = rng.choice(rare)
            elif kind == "common":
                params["q"] = rng.choice(common)
            elif kind == "phrase":
                params["q"] = " ".join(rng.sample(words[:100], rng.choice([2, 2, 3])))
            if rng.random() < (0.6 if kind == "filter-only" else 0.3):
                params["theme"] = rng.choice(themes)
            if rng.random() < (0.4 if kind == "filter-only" else 0.15):
                params["kind"] = rng.choice(kinds)
            if rng.random() < (0.3 if kind == "filter-only" else 0.1):
                params["year"] = str(rng.randint(2000, 2025))
            made.append((kind, "/resources?" + urlencode(params)))
    rng.shuffle(made)
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100, help="per kind of query")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    tmp = tempfile.mkdtemp(prefix="eventsys-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
    os.environ["TEST_DATABASE_URL"] = url

    from flask_migrate import upgrade
    from sqlalchemy import text

    from config import TestConfig
    from eventsys import create_app
    from eventsys.extensions import db
    from eventsys.resources import search

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config())
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()

    rng = random.Random(args.seed)
    words = vocabulary()
    rng.shuffle(words)  # the Zipf order: words[0] is the commonest
    filled = fill(app, args.resources, words, rng)
    from eventsys.themes.operations import SEED_THEMES

    paths = queries(words, [code for code, _nb, _en in SEED_THEMES], rng, args.queries)

    client = app.test_client()
    for _kind, path in paths[:10]:  # warm up caches and the connection pool
        client.get(path)
    pages: dict[str, list[float]] = {kind: [] for kind in KINDS}
    hits: dict[str, list[int]] = {kind: [] for kind in KINDS}
    for kind, path in paths:
        started = time.perf_counter()
        response = client.get(path)
        pages[kind].append(time.perf_counter() - started)
        if response.status_code != 200:
            print(f"unexpected {response.status_code} for {path}")
            return 1
        found = re.search(r"(\d+)</p>", response.get_data(as_text=True).split("result-count")[1])
        hits[kind].append(int(found.group(1)) if found else 0)
    alone = []
    with app.app_context():
        from urllib.parse import parse_qs, urlsplit

        for _kind, path in paths:
            q = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
            filters = search.Filters(
                theme=q.get("theme"),
                kind=q.get("kind"),
                year=int(q["year"]) if "year" in q else None,
            )
            started = time.perf_counter()
            search.search(q.get("q"), filters)
            alone.append(time.perf_counter() - started)

    def ms(value: float) -> str:
        return f"{value * 1000:.1f} ms"

    every = [value for values in pages.values() for value in values]
    p95 = percentile(every, 0.95)
    print(f"database            {url.split('@')[-1]}")
    load = os.getloadavg()
    print(f"machine             {os.cpu_count()} cores, load average {load[0]:.1f} (1 min)")
    print(f"resources           {args.resources} written and indexed in {filled:.1f} s")
    print(f"queries             {len(paths)}, {args.queries} of each kind")
    for kind in KINDS:
        times = pages[kind]
        print(
            f"  {kind:<17} p50 {ms(statistics.median(times))}, p95 {ms(percentile(times, 0.95))},"
            f" max {ms(max(times))}  (median {statistics.median(hits[kind]):.0f} hits,"
            f" max {max(hits[kind])})"
        )
    print(
        f"page /resources     p50 {ms(statistics.median(every))}, p95 {ms(p95)}, max {ms(max(every))}"
    )
    print(
        f"search alone        p50 {ms(statistics.median(alone))}, p95 {ms(percentile(alone, 0.95))}"
    )
    print(f"p95 under 100 ms    {'OK' if p95 < 0.1 else 'NO'}")
    return 0 if p95 < 0.1 else 1


if __name__ == "__main__":
    sys.exit(main())
