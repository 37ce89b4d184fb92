"""Run the same work in several threads at once, each in its own app context (so its
own database session), and collect what went wrong: a failure in a thread must fail
the test that started it."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_together(app, work: Callable[[], object], count: int = 2) -> list[Exception]:
    errors: list[Exception] = []

    def one() -> None:
        try:
            with app.app_context():
                work()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors
