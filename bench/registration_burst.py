"""A burst of simultaneous registrations against one event, through gunicorn on loopback,
measured against the bare-insert limit in the same run.

    .venv/bin/python bench/registration_burst.py [--requests 500] [--capacity 40]
        [--workers W] [--threads T] [--worker-class sync|gthread] [--concurrency 32]
        [--warm-up 100] [--database-url URL] [--no-baseline]

Without --database-url it uses a new SQLite file in a temporary folder (a PostgreSQL
database given is emptied first: use a throw-away one). One run starts, behind the same
gunicorn settings, first bench/bare_insert.py (a bare Flask + Flask-SQLAlchemy app that
inserts one row per POST) and then eventsys, warms each up with --warm-up calls that are
not measured (eventsys: on another event), fires the same burst at each, and prints
both rates, their ratio, p50/p99, the status codes and the seats held (which must
equal the capacity), then whether the targets of issue 12 are met: ratio >= 0.4 on
SQLite, >= 0.25 on PostgreSQL, eventsys p99 < 500 ms. The concurrency test in the
suite uses the same functions with fewer requests.
"""

from __future__ import annotations

import argparse
import math
import os
import runpy
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
#: gunicorn settings the bench uses unless told: those of gunicorn.conf.py, which
#: production and `make run` use (see README, Performance).
_GUNICORN = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
DEFAULT_WORKERS = _GUNICORN["workers"]
DEFAULT_THREADS = _GUNICORN.get("threads", 1)
DEFAULT_WORKER_CLASS = _GUNICORN["worker_class"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving wsgi:app on a free loopback port, with its own environment."""

    def __init__(
        self,
        database_url: str,
        workers: int = 4,
        threads: int = 8,
        extra_env: dict | None = None,
        worker_class: str = "gthread",
        app: str = "wsgi:app",
    ):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "EVENTSYS_CONFIG": "testing",
            "TEST_DATABASE_URL": database_url,
            "DATABASE_URL": database_url,
            **(extra_env or {}),
        }
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [
                gunicorn,
                "--workers",
                str(workers),
                "--worker-class",
                worker_class,
                "--threads",
                str(threads),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                app,
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.log: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()
        self._wait_ready()

    def _drain(self) -> None:
        for line in self.process.stdout:
            self.log.append(line)

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + "".join(self.log))
            try:
                if requests.get(self.base_url + "/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or workers booting
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz in time:\n" + "".join(self.log))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def prepare(app, capacity: int) -> tuple[str, int]:
    """An owner organisation, an organiser with an API token and an open event."""
    from bench.benchapp import open_event
    from eventsys import database
    from eventsys.auth import operations as accounts
    from eventsys.auth.models import Role
    from eventsys.organisations import operations as orgs

    with app.app_context():
        now = datetime.now(UTC)
        org = orgs.create_organisation("Universitetet i Bergen", "institution", None, ["uib.no"])
        orgs.add_ownership(
            org,
            "owner",
            (now - timedelta(days=365)).date(),
            (now + timedelta(days=730)).date(),
            "2000+",
        )
        organiser = accounts.create_user(
            "burst-organiser@nettverket.no", "burst-passord-123", role=Role.organiser, verified=True
        )
        token = accounts.issue_api_token(organiser, "burst")
        event_id = open_event(organiser, capacity, "Burst-seminar").id
        database.commit()
    return token, event_id


def warm_up_event(app) -> int:
    """A second open event, large enough that the warm-up calls all get seats."""
    from bench.benchapp import open_event
    from eventsys import database
    from eventsys.auth.models import User
    from eventsys.extensions import db

    with app.app_context():
        organiser = db.session.query(User).filter_by(email="burst-organiser@nettverket.no").one()
        event_id = open_event(organiser, 5000, "Oppvarming").id
        database.commit()
    return event_id


def burst(base_url: str, token: str, event_id: int, emails: list[str], concurrency: int):
    """POST one registration per address, all released at once; returns
    [(email, status, seconds, body)]."""
    url = f"{base_url}/api/v1/events/{event_id}/registrations"
    return burst_to(url, {"Authorization": f"Bearer {token}"}, emails, concurrency)


def burst_to(url: str, headers: dict, emails: list[str], concurrency: int):
    """POST {"email", "name"} per address to `url` from `concurrency` client threads,
    the first `concurrency` released at once; returns [(email, status, seconds, body)]."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=concurrency, pool_maxsize=concurrency)
    session.mount("http://", adapter)
    gate = threading.Barrier(min(concurrency, len(emails)))

    def one(index_email):
        index, email = index_email
        if index < gate.parties:
            gate.wait()
        started = time.perf_counter()
        try:
            response = session.post(
                url,
                json={"email": email, "name": email.split("@")[0]},
                headers=headers,
                timeout=120,
            )
            status, body = response.status_code, response.text
        except requests.RequestException as exc:  # counted as a failure, never hidden
            status, body = 0, repr(exc)
        return email, status, time.perf_counter() - started, body

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, enumerate(emails)))


def burst_requests(base_url: str, token: str, calls: list[tuple[str, dict]], concurrency: int):
    """POST each (path, json) at once; returns [(status, body)]."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=concurrency, pool_maxsize=concurrency)
    session.mount("http://", adapter)
    gate = threading.Barrier(min(concurrency, len(calls)))
    headers = {"Authorization": f"Bearer {token}"}

    def one(index_call):
        index, (path, body) = index_call
        if index < gate.parties:
            gate.wait()
        try:
            response = session.post(base_url + path, json=body, headers=headers, timeout=120)
            return response.status_code, response.text
        except requests.RequestException as exc:
            return 0, repr(exc)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(one, enumerate(calls)))


def seat_counts(app, event_id: int) -> dict[str, int]:
    from sqlalchemy import func, select

    from eventsys.extensions import db
    from eventsys.registration.models import Registration

    with app.app_context():
        rows = db.session.execute(
            select(Registration.state, func.count())
            .where(Registration.event_id == event_id)
            .group_by(Registration.state)
        ).all()
        db.session.rollback()
    return {state.value: count for state, count in rows}


def emails_for(count: int) -> list[str]:
    """Half owner staff (uib.no), half others, interleaved."""
    return [f"p{i:04d}@uib.no" if i % 2 else f"p{i:04d}@gmail.com" for i in range(count)]


TARGET_RATIO = {"sqlite": 0.4, "postgresql": 0.25}
TARGET_P99 = 0.5  # seconds, at 32 clients


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float]
    statuses: dict[int, int]

    @property
    def rate(self) -> float:
        """Successful POSTs (201) per second."""
        return self.statuses.get(201, 0) / self.seconds

    def percentile(self, q: float) -> float:
        return self.latencies[max(0, math.ceil(len(self.latencies) * q) - 1)]

    def line(self) -> str:
        return (
            f"{self.name:<10} {len(self.latencies)} in {self.seconds:.2f} s = "
            f"{self.rate:7.1f}/s, p50 {self.percentile(0.5) * 1000:5.0f} ms, "
            f"p99 {self.percentile(0.99) * 1000:5.0f} ms, status {dict(sorted(self.statuses.items()))}"
        )


def measure(name: str, results, seconds: float) -> Result:
    statuses: dict[int, int] = {}
    for _, status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return Result(name, seconds, sorted(r[2] for r in results), statuses)


def fire(server_url: str, path: str, headers: dict, emails, concurrency: int):
    started = time.perf_counter()
    results = burst_to(server_url + path, headers, emails, concurrency)
    return results, time.perf_counter() - started


def empty_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=40)
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    parser.add_argument("--worker-class", default=DEFAULT_WORKER_CLASS, choices=("gthread", "sync"))
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--warm-up", type=int, default=100, help="unmeasured calls before each burst"
    )
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-baseline", action="store_true", help="eventsys only")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    tmp = tempfile.mkdtemp(prefix="eventsys-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
    bare_url = args.database_url or f"sqlite:///{tmp}/bare.sqlite"
    dialect = "postgresql" if url.startswith("postgresql") else "sqlite"
    if dialect == "postgresql":
        empty_postgres(url)
    os.environ["TEST_DATABASE_URL"] = url

    from flask_migrate import upgrade

    from config import TestConfig
    from eventsys import create_app

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url

    app = create_app(Config())
    with app.app_context():
        upgrade()
    token, event_id = prepare(app, args.capacity)
    warm_id = warm_up_event(app)
    emails = emails_for(args.requests)
    # Each server first answers calls that are not measured, so that every worker
    # process has compiled its templates and statements: the burst measures the
    # steady state, not the first requests after a start.
    warm_emails = [f"warm-{e}" for e in emails_for(args.warm_up)]
    settings = dict(workers=args.workers, threads=args.threads, worker_class=args.worker_class)

    bare = None
    if not args.no_baseline:
        from bench.bare_insert import create_table

        create_table(bare_url)
        with Server(
            bare_url,
            **settings,
            extra_env={"BARE_DATABASE_URL": bare_url},
            app="bench.bare_insert:app",
        ) as server:
            fire(server.base_url, "/rows", {}, warm_emails, args.concurrency)
            bare = measure("bare", *fire(server.base_url, "/rows", {}, emails, args.concurrency))
    with Server(url, **settings) as server:
        fire(
            server.base_url,
            f"/api/v1/events/{warm_id}/registrations",
            {"Authorization": f"Bearer {token}"},
            warm_emails,
            args.concurrency,
        )
        results, seconds = fire(
            server.base_url,
            f"/api/v1/events/{event_id}/registrations",
            {"Authorization": f"Bearer {token}"},
            emails,
            args.concurrency,
        )
    mine = measure("eventsys", results, seconds)

    counts = seat_counts(app, event_id)
    held = counts.get("confirmed", 0) + counts.get("offered", 0)
    print(f"database            {url.split('@')[-1]}")
    print(
        f"server              gunicorn {args.workers} workers x {args.threads} threads "
        f"({args.worker_class}), "
        f"{args.concurrency} clients, {args.requests} requests"
    )
    if bare:
        print(bare.line())
        if bare.statuses.get(201, 0) != len(bare.latencies):
            print("WARNING             the bare app failed requests: its rate is not a limit")
    print(mine.line())
    print(f"states              {dict(sorted(counts.items()))}")
    print(
        f"seats held          {held} of capacity {args.capacity} "
        f"{'OK' if held == args.capacity else 'WRONG'}"
    )
    met = True
    if bare:
        ratio = mine.rate / bare.rate
        want = TARGET_RATIO[dialect]
        ok = ratio >= want
        met &= ok
        print(
            f"ratio               {ratio:.2f} of the bare insert: target >= {want} {'met' if ok else 'not met'}"
        )
    p99 = mine.percentile(0.99)
    ok = p99 < TARGET_P99
    met &= ok
    print(
        f"p99                 {p99 * 1000:.0f} ms: target < {TARGET_P99 * 1000:.0f} ms "
        f"at 32 clients {'met' if ok else 'not met'}"
    )
    print(f"targets             {'target met' if met else 'not met'}")
    correct = held == args.capacity and mine.statuses.get(201) == len(results)
    return 0 if correct else 1


if __name__ == "__main__":
    raise SystemExit(main())
