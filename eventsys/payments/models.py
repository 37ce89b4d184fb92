import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import UTCDateTime, utcnow
from eventsys.extensions import db
from eventsys.organisations.models import _enum
from eventsys.outbox import OutboxRow


class PaymentStatus(enum.StrEnum):
    due = "due"
    invoiced = "invoiced"
    paid = "paid"
    refunded = "refunded"


class PaymentMethod(enum.StrEnum):
    card = "card"
    invoice = "invoice"


class Payment(db.Model):
    """The fee a tier-2 participant owes for a seat: one per registration."""

    __tablename__ = "payments"
    # Ids appear in links: SQLite must never hand a deleted one out again.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    amount: Mapped[int] = mapped_column(Integer)  # øre
    currency: Mapped[str] = mapped_column(String(3), default="NOK")
    status: Mapped[PaymentStatus] = mapped_column(
        _enum(PaymentStatus, "payment_status"), default=PaymentStatus.due
    )
    method: Mapped[PaymentMethod | None] = mapped_column(_enum(PaymentMethod, "payment_method"))
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    amount_paid: Mapped[int] = mapped_column(Integer, default=0)
    refunded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    amount_refunded: Mapped[int] = mapped_column(Integer, default=0)
    stripe_payment_intent: Mapped[str | None] = mapped_column(String(255), index=True)
    stripe_refund: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration = relationship("Registration", backref=db.backref("payment", uselist=False))
    checkouts: Mapped[list["CheckoutSession"]] = relationship(
        back_populates="payment", order_by="CheckoutSession.attempt", cascade="all, delete-orphan"
    )


class CheckoutSession(db.Model):
    """One Stripe Checkout attempt for a payment."""

    __tablename__ = "checkout_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer)
    stripe_session_id: Mapped[str] = mapped_column(String(255), unique=True)
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open|complete|expired|failed
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    payment: Mapped[Payment] = relationship(back_populates="checkouts")

    __table_args__ = (
        UniqueConstraint("payment_id", "attempt", name="uq_checkout_sessions_attempt"),
    )


class StripeEvent(db.Model):
    """Every Stripe event id processed, recorded in the transaction of its effect."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NumberSeries(db.Model):
    """Gapless counters (invoice numbers): the row is locked while a number is taken,
    in the same transaction as the document that uses it."""

    __tablename__ = "number_series"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer)


class InvoiceKind(enum.StrEnum):
    invoice = "invoice"
    credit_note = "credit_note"


class Invoice(db.Model):
    """An invoice or a credit note; both take their number from one gapless series."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    kind: Mapped[InvoiceKind] = mapped_column(_enum(InvoiceKind, "invoice_kind"))
    kid: Mapped[str | None] = mapped_column(String(25), unique=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id", ondelete="RESTRICT"))
    credit_for_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    org_number: Mapped[str | None] = mapped_column(String(9))  # None: a private person
    reference: Mapped[str] = mapped_column(String(200))
    recipient_email: Mapped[str] = mapped_column(String(320), default="")
    recipient_address: Mapped[str] = mapped_column(Text, default="")
    # The buyer's PEPPOL participant id ("scheme:identifier") when it is not
    # 0192:<org_number>; the EHF's EndpointID.
    buyer_endpoint: Mapped[str] = mapped_column(String(60), default="")
    description: Mapped[str] = mapped_column(String(300))
    amount: Mapped[int] = mapped_column(Integer)  # øre; negative for a credit note
    currency: Mapped[str] = mapped_column(String(3), default="NOK")
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bank payments received by KID (øre); finance's register compares it to `amount`.
    amount_paid: Mapped[int] = mapped_column(Integer, default=0)
    purpose: Mapped[str] = mapped_column(String(20), default="fee")  # fee | contribution
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    payment = relationship("Payment", backref="invoices")
    credit_for = relationship("Invoice", remote_side=[id])


class StripeTaskKind(enum.StrEnum):
    refund = "refund"
    expire_session = "expire_session"


class StripeTask(OutboxRow, db.Model):
    """A call to Stripe decided in a transaction (a refund, closing a Checkout page)
    and made after its commit, never while the event row is locked. The idempotency
    key is fixed when the task is written, so a retry after a crash never refunds
    twice."""

    __tablename__ = "stripe_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[StripeTaskKind] = mapped_column(_enum(StripeTaskKind, "stripe_task_kind"))
    payment_id: Mapped[int | None] = mapped_column(
        ForeignKey("payments.id", ondelete="SET NULL"), index=True
    )
    # The payment intent to refund, or the Checkout Session to expire.
    target: Mapped[str] = mapped_column(String(255))
    amount: Mapped[int | None] = mapped_column(Integer)  # øre, for refunds
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(String(255))  # e.g. the refund's id
