"""The time-based work that `eventsys tick` does. Every step is idempotent, commits its
own work, and can run on several hosts at once without doing anything twice."""

from __future__ import annotations

from eventsys import mail


def run() -> list[str]:
    report = []
    sent = mail.deliver_pending()
    report.append(f"mail: {sent} delayed message(s) delivered")
    return report
