"""Calls to Stripe that a transaction decided (refunds, closing Checkout pages), made
after its commit: never while the event row is locked, and never lost by a crash in
between. Each task carries the idempotency key fixed when it was written, so a retry
(the worker's, or the request's own attempt right after the commit) never refunds
twice."""

from __future__ import annotations

import logging

from sqlalchemy import select

from eventsys import database, outbox
from eventsys.extensions import db
from eventsys.payments import gateway
from eventsys.payments.models import Payment, StripeTask, StripeTaskKind

log = logging.getLogger("eventsys.payments")


def queue(
    kind: StripeTaskKind,
    target: str,
    idempotency_key: str,
    payment: Payment | None = None,
    amount: int | None = None,
) -> StripeTask:
    """Write the task in the current transaction and try it right after the commit
    (the worker and tick retry what fails). Queuing the same key twice is one task."""
    task = db.session.scalar(
        select(StripeTask).where(StripeTask.idempotency_key == idempotency_key)
    )
    if task is not None:
        return task
    task = StripeTask(
        kind=kind,
        target=target,
        idempotency_key=idempotency_key,
        payment_id=payment.id if payment is not None else None,
        amount=amount,
    )
    db.session.add(task)
    db.session.flush()
    task_id = task.id
    database.on_commit(lambda: run_due(only=[task_id]))
    return task


def run_due(limit: int = 20, only: list[int] | None = None) -> int:
    """One pass: claim due tasks (or just `only`), call Stripe with no transaction
    open, and record each outcome in its own short transaction."""
    ids = outbox.claim(db.session, StripeTask, limit, only=only)
    if not ids:
        return 0
    tasks = [
        (t.id, t.kind, t.target, t.amount, t.idempotency_key)
        for t in db.session.scalars(select(StripeTask).where(StripeTask.id.in_(ids)))
    ]
    db.session.commit()  # nothing is held while Stripe answers
    done = 0
    for task_id, kind, target, amount, key in tasks:
        try:
            result = _call(kind, target, amount, key)
        except gateway.GatewayError as exc:
            log.warning("Stripe task %s (%s %s) failed: %s", task_id, kind, target, exc)
            _record(task_id, error=str(exc) or exc.code)
        else:
            _record(task_id, result=result)
            done += 1
    return done


def _call(kind: StripeTaskKind, target: str, amount: int | None, key: str) -> str | None:
    if kind == StripeTaskKind.refund:
        return gateway.refund(target, amount or 0, idempotency_key=key)
    gateway.expire_session(target)
    return None


def _record(task_id: int, result: str | None = None, error: str | None = None) -> None:
    task = db.session.get(StripeTask, task_id)
    if error is not None:
        outbox.retry_later(task, error)
    else:
        outbox.finish(task)
        task.result = result
        if task.kind == StripeTaskKind.refund and task.payment_id is not None:
            payment = db.session.get(Payment, task.payment_id)
            if payment is not None and result:
                payment.stripe_refund = result
    db.session.commit()
