"""A burst of simultaneous registrations against one event, through gunicorn on loopback.

    .venv/bin/python bench/registration_burst.py [--requests 500] [--capacity 40]
        [--workers 4] [--threads 8] [--concurrency 64] [--database-url URL]

Without --database-url it uses a new SQLite file in a temporary folder. It prints the
registrations per second, the p50/p99 latency, the status codes and the seats held
(which must equal the capacity). The concurrency test in the suite uses the same
functions with fewer requests.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving wsgi:app on a free loopback port, with its own environment."""

    def __init__(
        self, database_url: str, workers: int = 4, threads: int = 8, extra_env: dict | None = None
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
                "gthread",
                "--threads",
                str(threads),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "wsgi:app",
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
    from eventsys import database
    from eventsys.auth import operations as accounts
    from eventsys.auth.models import Role
    from eventsys.events import operations as events
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
        event = events.create_event(
            {
                "title": "Burst-seminar",
                "kind": "seminar",
                "format": "on_site",
                "venue": "Bergen",
                "starts_at": now + timedelta(days=30),
                "ends_at": now + timedelta(days=30, hours=6),
                "capacity": capacity,
                "registration_opens_at": now - timedelta(days=1),
                "registration_closes_at": now + timedelta(days=29),
                "fee": 75000,
            },
            organiser,
            status="published",
        )
        event_id = event.id
        database.commit()
    return token, event_id


def burst(base_url: str, token: str, event_id: int, emails: list[str], concurrency: int):
    """POST one registration per address, all released at once; returns
    [(email, status, seconds, body)]."""
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=concurrency, pool_maxsize=concurrency)
    session.mount("http://", adapter)
    gate = threading.Barrier(min(concurrency, len(emails)))
    url = f"{base_url}/api/v1/events/{event_id}/registrations"
    headers = {"Authorization": f"Bearer {token}"}

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--capacity", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    tmp = tempfile.mkdtemp(prefix="eventsys-bench-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite"
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

    with Server(url, workers=args.workers, threads=args.threads) as server:
        started = time.perf_counter()
        results = burst(
            server.base_url, token, event_id, emails_for(args.requests), args.concurrency
        )
        elapsed = time.perf_counter() - started

    latencies = sorted(r[2] for r in results)
    statuses: dict[int, int] = {}
    for _, status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    counts = seat_counts(app, event_id)
    held = counts.get("confirmed", 0) + counts.get("offered", 0)
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    print(f"database            {url.split('@')[-1]}")
    print(
        f"server              gunicorn {args.workers} workers x {args.threads} threads, {args.concurrency} clients"
    )
    print(
        f"registrations       {len(results)} in {elapsed:.2f} s = {len(results) / elapsed:.1f} per second"
    )
    print(
        f"latency             p50 {statistics.median(latencies) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
    )
    print(f"status codes        {dict(sorted(statuses.items()))}")
    print(f"states              {dict(sorted(counts.items()))}")
    print(
        f"seats held          {held} of capacity {args.capacity} {'OK' if held == args.capacity else 'WRONG'}"
    )
    return 0 if held == args.capacity and statuses.get(201) == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
