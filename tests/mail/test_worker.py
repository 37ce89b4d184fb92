"""Mail leaves the request: the outbox is delivered by `eventsys worker`, so a slow
SMTP server never makes a registration wait, nor blocks anybody else's writes."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from conftest import Mailbox, serving_mail, upcoming
from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db
from eventsys.mail.models import OutboundMail

SMTP_DELAY = 3.0  # seconds the server takes to accept each message


class SlowMailbox(Mailbox):
    def __init__(self, app):
        super().__init__(app)
        self.talking = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.talking.set()
        await asyncio.sleep(SMTP_DELAY)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp(app):
    with serving_mail(app, SlowMailbox(app)) as mailbox:
        yield mailbox


def _register(client, event_id, token):
    started = time.monotonic()
    response = client.post(
        f"/api/v1/events/{event_id}/registrations",
        headers={"Authorization": f"Bearer {token}"},
        json={},
    )
    return response, time.monotonic() - started


@pytest.mark.slow
def test_a_slow_mail_server_delays_neither_registrations_nor_other_writes(
    app, client, make_event, network, slow_smtp, api_token
):
    event_id = make_event(capacity=10, **upcoming())
    response, took = _register(client, event_id, api_token("kari@uib.no"))
    assert response.status_code == 201
    assert took < 1.0, f"the registration waited {took:.1f} s"
    with app.app_context():
        queued = db.session.scalars(select(OutboundMail)).all()
        assert [(m.recipient, m.sent_at) for m in queued] == [("kari@uib.no", None)]

    # The worker delivers while somebody else registers: that write is not blocked
    # by the worker's slow SMTP conversation.
    worker = threading.Thread(target=slow_smtp.deliver)
    worker.start()
    assert slow_smtp.talking.wait(5), "the worker never reached the mail server"
    response, took = _register(client, event_id, api_token("per@uib.no"))
    assert response.status_code == 201
    assert took < 1.0, f"a write waited {took:.1f} s for the mail worker"
    worker.join(timeout=4 * SMTP_DELAY)
    assert not worker.is_alive()

    # Both confirmations arrive through the worker, each once.
    assert sorted(str(m["To"]) for m in slow_smtp.messages) == ["kari@uib.no", "per@uib.no"]
    with app.app_context():
        assert all(m.sent_at for m in db.session.scalars(select(OutboundMail)))


def test_two_workers_never_send_one_message_twice(app, smtp, make_event, network):
    from eventsys.registration import operations as reg_ops

    event_id = make_event(capacity=40, fee=0, **upcoming())
    with app.app_context():
        for n in range(12):
            reg_ops.register(
                event_id, reg_ops.Person(email=f"p{n}@uib.no", name=f"P{n}", vouched=True), None
            )
        database.commit()
    workers = [threading.Thread(target=smtp.deliver) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    received = sorted(str(m["To"]) for m in smtp.received)
    assert received == sorted(f"p{n}@uib.no" for n in range(12))


def test_the_worker_command_delivers_and_stops(app, runner, smtp, make_event, network):
    from eventsys.registration import operations as reg_ops

    event_id = make_event(**upcoming())
    with app.app_context():
        reg_ops.register(event_id, reg_ops.Person(email="kari@uib.no", vouched=True), None)
        database.commit()
    assert smtp.received == []  # nothing is sent before a worker runs
    result = runner.invoke(args=["eventsys", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 item(s) done" in result.output
    assert [str(m["To"]) for m in smtp.received] == ["kari@uib.no"]
