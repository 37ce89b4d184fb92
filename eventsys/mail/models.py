from datetime import datetime

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eventsys.columns import UTCDateTime
from eventsys.extensions import db
from eventsys.outbox import OutboxRow


class OutboundMail(OutboxRow, db.Model):
    """An e-mail written in the same transaction as the change it announces.

    `eventsys worker` delivers it after the commit; a row that could not be delivered
    stays here and is tried again after a pause (also by `eventsys tick`).
    """

    __tablename__ = "outbound_mail"
    done_column = "sent_at"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # Extra headers, e.g. List-Unsubscribe on newsletters and forum notices.
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{"filename", "content_type", "data" (base64)}]
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # {"maker", "args"} of a message drawn when it is sent (mail.queue_drawn): subject
    # and body stay empty until then, and hold what was sent afterwards.
    drawn_by: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_outbound_mail_unsent", "sent_at", "created_at"),)
