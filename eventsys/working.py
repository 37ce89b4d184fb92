"""`eventsys worker`: the process that does the outboxes' work after the commit, so
no request waits for SMTP (or repeats a Stripe call that a crash interrupted)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable

from sqlalchemy.exc import OperationalError

from eventsys import mail
from eventsys.extensions import db
from eventsys.payments import stripe_outbox

log = logging.getLogger("eventsys.worker")

#: One pass of each outbox; each returns how many rows it finished.
PASSES: list[Callable[[], int]] = [mail.deliver_due, stripe_outbox.run_due]


class Worker:
    def __init__(self, poll_seconds: float = 1.0):
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()

    def stop_on_signals(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.stopping.set())

    def run_once(self) -> int:
        done = 0
        for one_pass in PASSES:
            try:
                done += one_pass()
            except OperationalError:
                db.session.rollback()  # the database is busy: next round
                log.warning("worker: %s busy, tried again shortly", one_pass.__qualname__)
            except Exception:
                db.session.rollback()
                log.exception("worker: %s failed", one_pass.__qualname__)
        return done

    def drain(self) -> int:
        """Passes until nothing is due (or the worker is told to stop)."""
        total = 0
        while not self.stopping.is_set():
            done = self.run_once()
            if done == 0:
                break
            total += done
        return total

    def run_forever(self) -> None:
        log.info("worker started")
        while not self.stopping.is_set():
            if self.run_once() == 0:
                self.stopping.wait(self.poll_seconds)
        log.info("worker stopped")
