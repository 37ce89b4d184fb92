"""Outgoing e-mail: queued as rows (the outbox) inside the transaction of the change
they announce, delivered over SMTP by `eventsys worker` after the commit (or written
to the log when no MAIL_SERVER is configured). No request ever waits for SMTP."""

from __future__ import annotations

import base64
import contextlib
import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

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
SMTP_TIMEOUT = 30  # seconds; only the worker waits for it, never a request


def queue(
    recipient: str,
    template: str,
    locale: str | None = None,
    attachments: list[tuple[str, str, bytes]] | None = None,
    **context,
) -> OutboundMail:
    """Render templates/email/<template>.txt (first line "Subject: …") in the
    recipient's language and queue it in the current transaction."""
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    context.setdefault("base_url", current_app.config["EVENTSYS_BASE_URL"])
    with force_locale(locale):
        rendered = render_template(f"email/{template}.txt", **context)
    first, _, body = rendered.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email/{template}.txt must start with a 'Subject:' line")
    message = OutboundMail(
        recipient=recipient,
        # A header is one line whatever the text (a title with a CR would make the
        # message unsendable, or add headers of its own).
        subject=one_line(first.removeprefix("Subject:")),
        body_text=body.strip() + "\n",
        attachments=[
            {
                "filename": name,
                "content_type": ctype,
                "data": base64.b64encode(data).decode("ascii"),
            }
            for name, ctype, data in (attachments or [])
        ],
    )
    db.session.add(message)
    db.session.flush()
    return message


def _build(message: OutboundMail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = message.recipient
    msg["Subject"] = one_line(message.subject)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="eventsys")
    msg.set_content(message.body_text)
    for att in message.attachments or []:
        maintype, _, subtype = att["content_type"].partition("/")
        msg.add_attachment(
            base64.b64decode(att["data"]),
            maintype=maintype,
            subtype=subtype.split(";")[0],
            filename=att["filename"],
        )
    return msg


class _Connection:
    """One SMTP connection for a batch of messages (or the log when none is set)."""

    def __init__(self):
        self.cfg = current_app.config
        self.smtp = None

    def send(self, msg: EmailMessage) -> None:
        if not self.cfg.get("MAIL_SERVER"):
            log.info("E-mail (no MAIL_SERVER set, not sent):\n%s", msg.as_string())
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
    messages = {
        m.id: _build(m)
        for m in db.session.scalars(select(OutboundMail).where(OutboundMail.id.in_(ids)))
        if _buildable(m)
    }
    db.session.commit()  # end the read: nothing is held while SMTP talks
    connection = _Connection()
    sent = 0
    try:
        for message_id in ids:
            built = messages.get(message_id)
            error = None if built is not None else "cannot be built"
            if built is not None:
                try:
                    connection.send(built)
                except (OSError, smtplib.SMTPException) as exc:
                    log.warning("E-mail %s not delivered: %s", message_id, exc)
                    error = str(exc) or exc.__class__.__name__
                    connection.close()
            _mark(message_id, error, permanent=built is None)
            sent += error is None
    finally:
        connection.close()
    return sent


def _buildable(message: OutboundMail) -> bool:
    try:
        _build(message)
    except ValueError as exc:
        # Never sendable (e.g. a malformed address): say so and go on with the others.
        log.error("E-mail %s to %r cannot be sent: %s", message.id, message.recipient, exc)
        return False
    return True


def _mark(message_id: int, error: str | None, permanent: bool = False) -> None:
    """Record one message's outcome in its own short transaction."""
    message = db.session.get(OutboundMail, message_id)
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
