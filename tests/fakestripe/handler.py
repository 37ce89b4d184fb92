"""The HTTP side: turns requests into FakeStripe calls, and the pay page's HTML."""

from __future__ import annotations

import copy
import html
import json
import re
import traceback
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from .wire import StripeApiError, money


def pay_page(fake, method: str, session_id: str, form: dict) -> tuple[int, dict, bytes]:
    """Stripe's hosted Checkout page, reduced to a Pay and a Cancel button."""
    fake._tick()
    with fake._lock:
        session = fake._objects.get(session_id)
        if session is None or session["object"] != "checkout.session":
            return 404, {}, _page("Fant ikke betalingen", "<p>Ukjent betaling.</p>")
        session = copy.deepcopy(session)
        items = copy.deepcopy(fake._line_items[session_id])
    if method == "POST" and form.get("action") == "cancel":
        if session["cancel_url"]:
            return 303, {"Location": session["cancel_url"]}, b""
        return 200, {}, _page("Avbrutt", "<p>Betalingen ble avbrutt.</p>")
    if session["status"] != "open":
        text = (
            "Betalingen er allerede fullført."
            if session["status"] == "complete"
            else "Betalingen er utløpt."
        )
        return 409 if method == "POST" else 200, {}, _page("Ikke åpen", f"<p>{text}</p>")
    if method == "POST" and form.get("action") == "pay":
        fake.pay(session_id)
        success = (session["success_url"] or "").replace("{CHECKOUT_SESSION_ID}", session_id)
        if success:
            return 303, {"Location": success}, b""
        return 200, {}, _page("Betalt", "<p>Takk! Betalingen er gjennomført.</p>")
    rows = "".join(
        f"<tr><td>{html.escape(i['description'])}</td><td>{i['quantity']}</td>"
        f"<td>{money(i['amount_total'], i['currency'])}</td></tr>"
        for i in items
    )
    email = html.escape(session["customer_email"] or "")
    body = (
        "<p>Testmodus: ingen ekte penger trekkes.</p>"
        '<table><thead><tr><th scope="col">Vare</th><th scope="col">Antall</th>'
        f'<th scope="col">Beløp</th></tr></thead><tbody>{rows}</tbody></table>'
        f"<p><strong>Å betale: {money(session['amount_total'], session['currency'])}</strong></p>"
        + (f"<p>E-post: {email}</p>" if email else "")
        + f'<form method="post" action="/pay/{html.escape(session_id)}">'
        '<button type="submit" name="action" value="pay">Betal</button> '
        '<button type="submit" name="action" value="cancel">Avbryt</button></form>'
    )
    return 200, {}, _page("Betal med kort", body)


def _page(title: str, body: str) -> bytes:
    return (
        '<!doctype html><html lang="nb"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} – Fake Stripe Checkout</title>"
        "<style>body{font-family:sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}"
        "td,th{padding:.25rem .75rem .25rem 0;text-align:left}"
        "button{font-size:1rem;padding:.5rem 1rem}</style></head>"
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    """Turns HTTP requests into calls on the FakeStripe the server belongs to."""

    protocol_version = "HTTP/1.1"  # keep-alive, as the stripe library's session expects
    server_version = "FakeStripe/1.0"
    timeout = 30  # close idle keep-alive connections eventually
    # Headers and body leave in one write, with Nagle off: otherwise every request waits
    # ~40 ms for a delayed ACK, which the whole test suite would pay for.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def _dispatch(self, method: str) -> None:
        fake = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        pay = re.fullmatch(r"/pay/([^/]+)", url.path)
        if pay and method in ("GET", "POST"):
            form = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
            status, headers, content = pay_page(fake, method, pay.group(1), form)
            self._answer(status, {"Content-Type": "text/html; charset=utf-8", **headers}, content)
            return
        try:
            status, headers, result, events = fake._handle_api(
                method, url.path, url.query, body, self.headers
            )
        except Exception as exc:  # a bug in the fake: answer like Stripe's 500, keep the trace
            traceback.print_exc()
            status, headers, events = 500, {"Stripe-Should-Retry": "false"}, []
            result = StripeApiError(500, f"FakeStripe failed: {exc!r}", type="api_error").body()
        content = json.dumps(result, indent=2).encode()
        # Like Stripe, send the webhooks an API request caused only after answering it.
        held = fake._hold(events)
        try:
            self._answer(status, {"Content-Type": "application/json", **headers}, content)
        finally:
            fake._release(held)

    def _answer(self, status: int, headers: dict, content: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)
        self.wfile.flush()

    def log_message(self, format: str, *args) -> None:
        pass  # tests read FakeStripe.requests; the standalone server logs through `log`
