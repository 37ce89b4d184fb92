"""Outgoing e-mail: queued as rows inside the request's transaction, delivered over
SMTP after the commit (or written to the log when no MAIL_SERVER is configured)."""

from __future__ import annotations

import base64
import contextlib
import logging
import smtplib
import uuid
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import or_, select, update

from eventsys.database import utcnow
from eventsys.extensions import db
from eventsys.mail.models import OutboundMail

log = logging.getLogger("eventsys.mail")

# A claimed message not marked sent within this time is considered abandoned.
CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 8


def queue(
    recipient: str,
    template: str,
    locale: str | None = None,
    attachments: list[tuple] | None = None,
    **context,
) -> OutboundMail:
    """Render templates/email/<template>.txt (first line "Subject: …") in the
    recipient's language and queue it in the current transaction.

    An attachment is (filename, content type, bytes) or, for an image shown inside the
    message, (filename, content type, bytes, content id); such a message also gets an
    HTML part from templates/email/<template>.html, which shows it as `cid:<id>`."""
    locale = locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    context.setdefault("base_url", current_app.config["EVENTSYS_BASE_URL"])
    inline = any(len(att) > 3 for att in attachments or [])
    with force_locale(locale):
        rendered = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context) if inline else None
    first, _, body = rendered.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"email/{template}.txt must start with a 'Subject:' line")
    message = OutboundMail(
        recipient=recipient,
        subject=first.removeprefix("Subject:").strip(),
        body_text=body.strip() + "\n",
        body_html=html,
        attachments=[
            {
                "filename": att[0],
                "content_type": att[1],
                "data": base64.b64encode(att[2]).decode("ascii"),
                **({"content_id": att[3]} if len(att) > 3 else {}),
            }
            for att in (attachments or [])
        ],
    )
    db.session.add(message)
    db.session.flush()
    db.session.info.setdefault("queued_mail", []).append(message.id)
    return message


def take_queued_ids(session) -> list[int]:
    return session.info.pop("queued_mail", [])


def forget_queued(session) -> None:
    session.info.pop("queued_mail", None)


def _build(message: OutboundMail) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    msg["To"] = message.recipient
    msg["Subject"] = message.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="eventsys")
    msg.set_content(message.body_text)
    html = None
    if message.body_html:
        msg.add_alternative(message.body_html, subtype="html")
        html = msg.get_payload()[-1]
    for att in message.attachments or []:
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
                self.cfg["MAIL_SERVER"], self.cfg["MAIL_PORT"] or 25, timeout=30
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


def _claim(message_ids: list[int]) -> list[OutboundMail]:
    """Atomically take messages for delivery, so two processes never send one twice."""
    now = utcnow()
    token = uuid.uuid4().hex
    db.session.execute(
        update(OutboundMail)
        .where(
            OutboundMail.id.in_(message_ids),
            OutboundMail.sent_at.is_(None),
            or_(OutboundMail.claimed_at.is_(None), OutboundMail.claimed_at < now - CLAIM_TIMEOUT),
        )
        .values(claimed_at=now, claimed_by=token, attempts=OutboundMail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(OutboundMail).where(OutboundMail.claimed_by == token).order_by(OutboundMail.id)
        )
    )


def deliver(message_ids: list[int]) -> int:
    """Send the given messages: claimed in one transaction, marked in another."""
    if not message_ids:
        return 0
    messages = _claim(message_ids)
    connection = _Connection()
    sent = 0
    try:
        for message in messages:
            try:
                connection.send(_build(message))
            except ValueError as exc:
                # A message that cannot even be built (e.g. a malformed address) will
                # never go: mark it so it is not retried, and go on with the others.
                log.error("E-mail %s to %r cannot be sent: %s", message.id, message.recipient, exc)
                message.last_error = f"unsendable: {exc}"[:1000]
                message.attempts = MAX_ATTEMPTS
                continue
            except (OSError, smtplib.SMTPException) as exc:
                log.warning("E-mail %s to %s not delivered: %s", message.id, message.recipient, exc)
                message.last_error = str(exc)[:1000]
                message.claimed_at = None
                message.claimed_by = None
                connection.close()
            else:
                message.sent_at = utcnow()
                message.last_error = None
                sent += 1
    finally:
        connection.close()
        db.session.commit()
    return sent


def deliver_pending(older_than: timedelta = timedelta(minutes=1)) -> int:
    """Retry what a request could not deliver (used by `eventsys tick`)."""
    cutoff = utcnow() - older_than
    ids = db.session.scalars(
        select(OutboundMail.id)
        .where(
            OutboundMail.sent_at.is_(None),
            OutboundMail.created_at < cutoff,
            OutboundMail.attempts < MAX_ATTEMPTS,
        )
        .order_by(OutboundMail.id)
        .limit(500)
    ).all()
    db.session.commit()
    return deliver(list(ids))
