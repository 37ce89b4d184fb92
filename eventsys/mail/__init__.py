"""Outgoing e-mail: queued as rows (the outbox) inside the transaction of the change
they announce, delivered over SMTP by `eventsys worker` after the commit (or written
to the log when no MAIL_SERVER is configured). No request ever waits for SMTP."""

from __future__ import annotations

import base64
import contextlib
import logging
import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from types import SimpleNamespace

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from eventsys import outbox
from eventsys.clock import utcnow
from eventsys.extensions import db
from eventsys.mail.models import OutboundMail
from eventsys.text import one_line

log = logging.getLogger("eventsys.mail")

MAX_ATTEMPTS = outbox.MAX_ATTEMPTS

# Attachments drawn when the message is sent, by the worker, not in the request: a PDF
# takes a while to draw, and the request may hold a lock (the invoice series). A maker
# registered by name returns [(filename, content type, bytes)] from the arguments
# stored with the message.
ATTACHMENT_MAKERS: dict[str, Callable[..., list[tuple[str, str, bytes]]]] = {}


def _registrar(makers: dict):
    """A decorator that files a maker under a name in `makers`."""

    def by_name(name: str):
        def register(make):
            makers[name] = make
            return make

        return register

    return by_name


attachment_maker = _registrar(ATTACHMENT_MAKERS)


# Whole messages drawn when they are sent: a maker registered by name returns the
# arguments of `queue` (template, locale, attachments, context) from the JSON stored
# with the message, or None when there is nothing to say any more (what it was about
# is gone). For messages written while a lock is held (a registration holds its
# event's): the request stores a few ids, the worker renders.
MESSAGE_MAKERS: dict[str, Callable[..., dict | None]] = {}
message_maker = _registrar(MESSAGE_MAKERS)


SMTP_TIMEOUT = 30  # seconds; only the worker waits for it, never a request


def queue(
    recipient: str,
    template: str,
    locale: str | None = None,
    attachments: list[tuple] | None = None,
    made_attachments: list[tuple[str, dict]] | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
    flush: bool = True,
    **context,
) -> OutboundMail:
    """Render templates/email/<template>.txt (first line "Subject: …") in the
    recipient's language and queue it in the current transaction. `headers` are added
    as they are (List-Unsubscribe, say); `html` becomes an HTML alternative part.
    Many at once (a newsletter batch): `flush=False` and one flush after them all, so
    the rows go to the database in one multi-row INSERT.

    An attachment is (filename, content type, bytes) or, for an image shown inside the
    message, (filename, content type, bytes, content id); such a message also gets an
    HTML part from templates/email/<template>.html, which shows it as `cid:<id>`.
    `made_attachments` are (maker name, JSON arguments): drawn when the mail is sent."""
    message = OutboundMail(
        recipient=recipient,
        **_letter(template, locale, attachments, made_attachments, headers, html, **context),
    )
    db.session.add(message)
    if flush:
        db.session.flush()
    return message


def queue_drawn(recipient: str, maker: str, **args) -> OutboundMail:
    """Queue a message that the worker draws when it sends it, with the maker
    registered as `maker` (message_maker) and these JSON arguments. Nothing is rendered
    now; the subject and body are stored once it is sent."""
    message = OutboundMail(
        recipient=recipient,
        subject="",
        body_text="",
        headers={},
        attachments=[],
        drawn_by={"maker": maker, "args": args},
    )
    db.session.add(message)
    return message


def _letter(
    template: str,
    locale: str | None = None,
    attachments: list[tuple] | None = None,
    made_attachments: list[tuple[str, dict]] | None = None,
    headers: dict[str, str] | None = None,
    html: str | None = None,
    **context,
) -> dict:
    """A message's stored fields, rendered in `locale` (see queue)."""
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    context.setdefault("base_url", current_app.config["EVENTSYS_BASE_URL"])
    inline = any(len(att) > 3 for att in attachments or [])
    with force_locale(locale):
        rendered = render_template(f"email/{template}.txt", **context)
        if inline and html is None:
            html = render_template(f"email/{template}.html", **context)
    first, _, body = rendered.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email/{template}.txt must start with a 'Subject:' line")
    return {
        # A header is one line whatever the text (a title with a CR would make the
        # message unsendable, or add headers of its own).
        "subject": one_line(first.removeprefix("Subject:")),
        "body_text": body.strip() + "\n",
        "body_html": html,
        "headers": dict(headers or {}),
        "attachments": [
            {
                "filename": att[0],
                "content_type": att[1],
                "data": base64.b64encode(att[2]).decode("ascii"),
                **({"content_id": att[3]} if len(att) > 3 else {}),
            }
            for att in (attachments or [])
        ]
        + [{"make": name, "args": args} for name, args in (made_attachments or [])],
    }


def _drawn_letter(message: OutboundMail) -> dict | None:
    """The fields of a message drawn at sending (None: nothing to send any more)."""
    spec = message.drawn_by
    arguments = MESSAGE_MAKERS[spec["maker"]](**spec["args"])
    return None if arguments is None else _letter(**arguments)


def _build(message) -> EmailMessage:
    """The e-mail of an outbox row (or of fields drawn for it: same attributes)."""
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = message.recipient
    msg["Subject"] = one_line(message.subject)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="eventsys")
    for name, value in (message.headers or {}).items():
        msg[name] = value
    msg.set_content(message.body_text)
    html = None
    if message.body_html:
        msg.add_alternative(message.body_html, subtype="html")
        html = msg.get_payload()[-1]
    for att in _drawn(message.attachments or []):
        maintype, _, subtype = att["content_type"].partition("/")
        if html is not None and att.get("content_id"):
            # Shown inside the HTML part (multipart/related), referred to as cid:<id>.
            html.add_related(
                base64.b64decode(att["data"]),
                maintype=maintype,
                subtype=subtype.split(";")[0],
                cid=f"<{att['content_id']}>",
                filename=att["filename"],
                disposition="inline",
            )
            continue
        msg.add_attachment(
            base64.b64decode(att["data"]),
            maintype=maintype,
            subtype=subtype.split(";")[0],
            filename=att["filename"],
        )
    return msg


def _drawn(attachments: list[dict]) -> list[dict]:
    """The stored attachments, with those to be made at sending drawn now."""
    found = []
    for att in attachments:
        if "make" not in att:
            found.append(att)
            continue
        for filename, content_type, data in ATTACHMENT_MAKERS[att["make"]](**att["args"]):
            found.append(
                {
                    "filename": filename,
                    "content_type": content_type,
                    "data": base64.b64encode(data).decode("ascii"),
                }
            )
    return found


def readable(msg: EmailMessage) -> str:
    """The message as a person reads it, for the log when no MAIL_SERVER is set: the
    headers and the decoded plain text, not the wire format (quoted-printable splits a
    long link over lines with "=", and a link pasted from there does not work)."""
    lines = [f"{name}: {msg[name]}" for name in ("From", "To", "Subject") if msg[name]]
    body = msg.get_body(preferencelist=("plain",))
    lines += ["", body.get_content().rstrip() if body is not None else ""]
    files = [part.get_filename() for part in msg.iter_attachments() if part.get_filename()]
    if files:
        lines += ["", "Attachments: " + ", ".join(files)]
    return "\n".join(lines)


class _Connection:
    """One SMTP connection for a batch of messages (or the log when none is set)."""

    def __init__(self):
        self.cfg = current_app.config
        self.smtp = None

    def send(self, msg: EmailMessage) -> None:
        if not self.cfg.get("MAIL_SERVER"):
            log.info("E-mail (no MAIL_SERVER set, not sent):\n%s", readable(msg))
            return
        if self.smtp is None:
            self.smtp = smtplib.SMTP(
                self.cfg["MAIL_SERVER"], self.cfg["MAIL_PORT"] or 25, timeout=SMTP_TIMEOUT
            )
            if self.cfg.get("MAIL_USE_TLS"):
                self.smtp.starttls()
            if self.cfg.get("MAIL_USERNAME"):
                self.smtp.login(self.cfg["MAIL_USERNAME"], self.cfg["MAIL_PASSWORD"] or "")
        self.smtp.send_message(msg)

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.smtp.quit()
            self.smtp = None


def deliver_due(limit: int = 50) -> int:
    """One delivery pass of the worker: claim the messages that are due, send them over
    one SMTP connection and mark each as it goes. No transaction is open while SMTP is
    talked to, so a slow mail server never holds a database lock. Returns how many
    were sent."""
    ids = outbox.claim(db.session, OutboundMail, limit)
    if not ids:
        return 0
    prepared = {
        m.id: _prepare(m)
        for m in db.session.scalars(select(OutboundMail).where(OutboundMail.id.in_(ids)))
    }
    db.session.commit()  # end the read: nothing is held while SMTP talks
    connection = _Connection()
    sent = 0
    try:
        for message_id in ids:
            built, drawn, error, permanent = prepared.get(
                message_id, (None, None, "cannot be built", True)
            )
            if built is not None:
                try:
                    connection.send(built)
                except (OSError, smtplib.SMTPException) as exc:
                    log.warning("E-mail %s not delivered: %s", message_id, exc)
                    error = str(exc) or exc.__class__.__name__
                    connection.close()
            _mark(message_id, error, permanent=permanent, drawn=drawn)
            sent += error is None
    finally:
        connection.close()
    return sent


def _prepare(
    message: OutboundMail,
) -> tuple[EmailMessage | None, dict | None, str | None, bool]:
    """The message to send, the fields drawn for it now (when it is drawn at sending),
    the reason it cannot be sent, and whether that is for good. Reads the row only:
    the caller's transaction stays a read."""
    drawn = None
    try:
        letter = message
        if message.drawn_by and not message.body_text:
            drawn = _drawn_letter(message)
            if drawn is None:
                return None, None, "nothing to send any more", True
            letter = SimpleNamespace(recipient=message.recipient, **drawn)
        return _build(letter), drawn, None, False
    except ValueError as exc:
        # Never sendable (e.g. a malformed address): say so and go on with the others.
        log.error("E-mail %s to %r cannot be sent: %s", message.id, message.recipient, exc)
        return None, drawn, "cannot be built", True
    except Exception:
        # Drawing it failed (a template or data it reads): the others still go out, and
        # this one is tried again after a pause, when the fault may be mended.
        log.exception("E-mail %s could not be drawn; tried again later", message.id)
        return None, None, "could not be drawn", False


def _mark(
    message_id: int, error: str | None, permanent: bool = False, drawn: dict | None = None
) -> None:
    """Record one message's outcome in its own short transaction (and what was drawn
    for it, so that the outbox keeps what was sent)."""
    message = db.session.get(OutboundMail, message_id)
    for field, value in (drawn or {}).items():
        setattr(message, field, value)
    if error is None:
        outbox.finish(message, utcnow())
    elif permanent:
        outbox.give_up(message, error)
    else:
        outbox.retry_later(message, error)
    db.session.commit()


def deliver_all(limit: int = 500) -> int:
    """Deliver until nothing is due (tick's leftovers, tests); at most `limit`."""
    total = 0
    while total < limit:
        sent = deliver_due(min(50, limit - total))
        if sent == 0:
            break
        total += sent
    return total
