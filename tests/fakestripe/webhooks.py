"""Webhook delivery: signed POSTs to a URL or to a sender callable, under the test's control."""

from __future__ import annotations

import copy
import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .wire import sign_payload


@dataclass
class Delivery:
    """One attempt to deliver a webhook, and what the receiver answered."""

    event_id: str | None
    event_type: str | None
    status: int | None
    error: str | None
    signature: str
    payload: bytes
    redelivery: bool = False
    at: float = field(default_factory=time.time)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


Sender = Callable[[bytes, dict], Any]


class WebhookMixin:
    """FakeStripe's webhook side. Uses the state FakeStripe sets up: `_lock`,
    `_objects`, `_payloads` (event id → exact JSON body), `_deliveries`, the delivery
    queue (`_queue`, `_queue_cond`, `_held`, `_in_flight`, `_stopping`, `_worker_errors`) and
    the settings `webhook_url`, `webhook_secret`, `sender`, `auto_deliver`,
    `enabled_events`, `webhook_timeout`, `_log`.
    """

    def set_webhook(
        self, url: str | None = None, secret: str | None = None, sender: Sender | None = None
    ) -> None:
        """Point webhooks at `url` (HTTP POST) or at `sender(payload, headers) -> status`."""
        with self._lock:
            self.webhook_url = url
            self.sender = sender
            if secret is not None:
                self.webhook_secret = secret

    @staticmethod
    def flask_sender(client, path: str = "/stripe/webhook") -> Sender:
        """A sender that posts webhooks through a Flask test client (no live server)."""

        def send(payload: bytes, headers: dict) -> int:
            return client.post(path, data=payload, headers=headers).status_code

        return send

    def sign(self, payload: bytes | str, t: int | None = None, secret: str | None = None) -> str:
        """A Stripe-Signature header for `payload`; pass an old `t` or another `secret`
        to craft stale or forged signatures."""
        return sign_payload(payload, secret or self.webhook_secret, t)

    def pending_events(self, type: str | None = None) -> list[dict]:
        """Events for the endpoint that no delivery has answered with 2xx yet, oldest first."""
        with self._lock:
            delivered = {d.event_id for d in self._deliveries if d.ok}
            return [
                copy.deepcopy(e)
                for e in self._sorted("event", newest_first=False)
                if self._enabled(e["type"])
                and e["id"] not in delivered
                and (type is None or e["type"] == type)
            ]

    def deliver(
        self,
        event_id: str,
        *,
        secret: str | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
        tamper: Callable[[bytes], bytes] | None = None,
    ) -> Delivery:
        """Deliver one event now and return the attempt.

        `secret`/`timestamp` sign with another secret or time, `signature` replaces
        the header outright, and `tamper` alters the body after it was signed.
        Refuses an event already delivered (use `redeliver` for a duplicate).
        """
        with self._lock:
            if any(d.ok and d.event_id == event_id for d in self._deliveries):
                raise ValueError(f"{event_id} was already delivered; use redeliver()")
        return self._send(
            event_id, secret=secret, timestamp=timestamp, signature=signature, tamper=tamper
        )

    def redeliver(self, event_id: str, **overrides) -> Delivery:
        """Send an event again (same id, same body, fresh signature), as Stripe's retries do."""
        return self._send(event_id, redelivery=True, **overrides)

    def deliver_all(
        self,
        order: str | Callable[[list[dict]], list[dict]] = "created",
        *,
        seed: int | None = None,
        type: str | None = None,
    ) -> list[Delivery]:
        """Deliver every pending event: in creation order, "reversed", "random"
        (reproducible with `seed`), or in the order a callable returns."""
        self.flush()
        events = self.pending_events(type)
        if order == "reversed":
            events.reverse()
        elif order == "random":
            random.Random(seed).shuffle(events)
        elif callable(order):
            events = list(order(events))
        elif order != "created":
            raise ValueError(f"unknown order {order!r}")
        return [self._send(e["id"]) for e in events]

    def deliver_raw(
        self, payload: bytes | str, *, signature: str | None = None, secret: str | None = None
    ) -> Delivery:
        """Post an arbitrary body (a hand-made event) to the endpoint, signed unless
        `signature` is given."""
        body = payload.encode() if isinstance(payload, str) else payload
        try:
            parsed = json.loads(body)
            event_id, event_type = parsed.get("id"), parsed.get("type")
        except (ValueError, AttributeError):
            event_id = event_type = None
        header = signature or sign_payload(body, secret or self.webhook_secret)
        return self._post(event_id, event_type, body, header, redelivery=False)

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until webhooks caused by API requests have been delivered.

        Re-raises the first exception a `sender` raised in the background (an error
        in the app's webhook view should fail the test, not vanish in a thread).
        """
        deadline = time.monotonic() + timeout
        with self._queue_cond:
            while self._queue or self._in_flight or self._held:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError("webhook deliveries did not finish")
                self._queue_cond.wait(remaining)
            errors, self._worker_errors = self._worker_errors, []
        if errors:
            raise errors[0]

    # --- webhook internals ------------------------------------------------------------------

    def _enabled(self, event_type: str) -> bool:
        return "*" in self.enabled_events or event_type in self.enabled_events

    def _has_target(self) -> bool:
        return self.sender is not None or self.webhook_url is not None

    def _auto(self, event_ids: list[str]) -> list[str]:
        if not (self.auto_deliver and self._has_target()):
            return []
        with self._lock:
            return [e for e in event_ids if self._enabled(self._objects[e]["type"])]

    def _deliver_now(self, event_ids: list[str]) -> None:
        """Deliver events caused by a test control before it returns (after any queued)."""
        todo = self._auto(event_ids)
        if todo:
            self.flush()
            for event_id in todo:
                self._send(event_id)

    def _hold(self, event_ids: list[str]) -> list[str]:
        """Before an API response goes out: note the webhooks it will cause, so that a
        flush() the client makes right after reading the response waits for them."""
        todo = self._auto(event_ids)
        if todo:
            with self._queue_cond:
                self._held += 1
        return todo

    def _release(self, held: list[str]) -> None:
        """After the API response went out: queue the held webhooks for delivery."""
        if held:
            with self._queue_cond:
                self._held -= 1
                if not self._stopping:
                    self._queue.extend(held)
                self._queue_cond.notify_all()

    def _delivery_loop(self) -> None:
        while True:
            with self._queue_cond:
                while not self._queue and not self._stopping:
                    self._queue_cond.wait()
                if self._stopping:
                    return
                event_id = self._queue.popleft()
                self._in_flight += 1
            try:
                self._send(event_id)
            except BaseException as exc:  # kept for flush(): the test should see it
                with self._queue_cond:
                    self._worker_errors.append(exc)
            finally:
                with self._queue_cond:
                    self._in_flight -= 1
                    self._queue_cond.notify_all()

    def _send(
        self,
        event_id: str,
        *,
        redelivery: bool = False,
        secret: str | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
        tamper: Callable[[bytes], bytes] | None = None,
    ) -> Delivery:
        with self._lock:
            if event_id not in self._payloads:
                raise KeyError(event_id)
            payload = self._payloads[event_id]
            event_type = self._objects[event_id]["type"]
        header = signature or sign_payload(payload, secret or self.webhook_secret, timestamp)
        if tamper is not None:
            payload = tamper(payload)
        return self._post(event_id, event_type, payload, header, redelivery=redelivery)

    def _post(
        self,
        event_id: str | None,
        event_type: str | None,
        payload: bytes,
        signature: str,
        *,
        redelivery: bool,
    ) -> Delivery:
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": signature,
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            "Cache-Control": "no-cache",
            "Accept": "*/*; q=0.5, application/xml",
        }
        status: int | None = None
        error: str | None = None
        failure: BaseException | None = None
        if self.sender is not None:
            try:
                answer = self.sender(payload, headers)
                status = int(getattr(answer, "status_code", answer))
            except BaseException as exc:
                error, failure = repr(exc), exc
        elif self.webhook_url is not None:
            status, error = self._http_post(self.webhook_url, payload, headers)
        else:
            raise RuntimeError("no webhook endpoint: call set_webhook(url=...) or pass sender=")
        delivery = Delivery(event_id, event_type, status, error, signature, payload, redelivery)
        with self._lock:
            self._deliveries.append(delivery)
        if self._log:
            self._log(f"webhook {event_type} {event_id} -> {status or error}")
        if failure is not None:
            raise failure
        return delivery

    def _http_post(self, url: str, payload: bytes, headers: dict) -> tuple[int | None, str | None]:
        # No proxies: the endpoint is on loopback, and an HTTP_PROXY in the environment
        # must not swallow it.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        request = urllib.request.Request(url, data=payload, headers=headers, method="POST")
        try:
            with opener.open(request, timeout=self.webhook_timeout) as response:
                return response.status, None
        except urllib.error.HTTPError as exc:
            return exc.code, None
        except (urllib.error.URLError, OSError) as exc:
            return None, repr(exc)
