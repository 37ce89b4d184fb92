"""Finance records: Stripe's balance transactions and payouts as imported, the
resolution log of discrepancies, bank statements, owners' contributions and budgets.
Money in minor units (øre) with its currency."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import UTCDateTime, utcnow
from eventsys.extensions import db


class StripePayout(db.Model):
    __tablename__ = "stripe_payouts"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(20), default="paid")
    arrival_date: Mapped[date | None] = mapped_column(Date)
    created: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StripeTransaction(db.Model):
    """One balance transaction; the upsert key is Stripe's id."""

    __tablename__ = "stripe_transactions"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(Integer)
    fee: Mapped[int] = mapped_column(Integer, default=0)
    net: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    created: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    available_on: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="available")
    source: Mapped[str | None] = mapped_column(String(255))
    payment_intent: Mapped[str | None] = mapped_column(String(255), index=True)
    registration_ref: Mapped[str | None] = mapped_column(String(40))
    payout_id: Mapped[str | None] = mapped_column(String(255), index=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class StripeSync(db.Model):
    """One run of `stripe-sync`: a crashed run is continued from its last saved page."""

    __tablename__ = "stripe_syncs"

    id: Mapped[int] = mapped_column(primary_key=True)
    since: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(20), default="payouts")
    cursor: Mapped[str | None] = mapped_column(String(255))
    imported: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DiscrepancyResolution(db.Model):
    """Finance's note on a discrepancy: who, when, why. It stops showing, stays here."""

    __tablename__ = "discrepancy_resolutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(600), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    registration_id: Mapped[int | None] = mapped_column(Integer)
    stripe_id: Mapped[str | None] = mapped_column(String(255))
    detail: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    resolved_by = relationship("User")


class ContributionRate(db.Model):
    """A year's staff-band table (øre); `band` is a StaffBand value or "welfare"."""

    __tablename__ = "contribution_rates"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("year", "band", name="uq_contribution_rates_year_band"),)


class Contribution(db.Model):
    """One owner's yearly contribution: never two for one owner and year."""

    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT")
    )
    year: Mapped[int] = mapped_column(Integer)
    band: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(Integer)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the invoice was e-mailed to the owner's invoice address, and where to: each
    # invoice goes out once (a later run sends those still unsent, nothing twice).
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_to: Mapped[str] = mapped_column(String(320), default="")

    organisation = relationship("Organisation")
    invoice = relationship("Invoice")

    __table_args__ = (
        UniqueConstraint("organisation_id", "year", name="uq_contributions_owner_year"),
    )


class BudgetLine(db.Model):
    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    amount: Mapped[int] = mapped_column(Integer)  # øre

    __table_args__ = (UniqueConstraint("year", "code", name="uq_budget_lines_year_code"),)


class BankStatement(db.Model):
    """An imported bank statement; its identity refuses the same file twice."""

    __tablename__ = "bank_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    identity: Mapped[str] = mapped_column(String(255), unique=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    format: Mapped[str] = mapped_column(String(10))  # camt053 | csv
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    payments: Mapped[list[BankPayment]] = relationship(
        back_populates="statement", order_by="BankPayment.id"
    )


class BankPayment(db.Model):
    """One incoming payment on a statement and what it was matched to."""

    __tablename__ = "bank_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id", ondelete="CASCADE"))
    entry_ref: Mapped[str] = mapped_column(String(255))
    booked_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="NOK")
    kid: Mapped[str] = mapped_column(String(40), default="")
    payer: Mapped[str] = mapped_column(String(200), default="")
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(20))
    resolved_note: Mapped[str] = mapped_column(Text, default="")

    statement: Mapped[BankStatement] = relationship(back_populates="payments")
    invoice = relationship("Invoice", backref="bank_payments")

    __table_args__ = (Index("ix_bank_payments_invoice", "invoice_id"),)


class InvoiceReminder(db.Model):
    """A reminder e-mail finance sent for an overdue invoice: once per number."""

    __tablename__ = "invoice_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("invoice_id", "number", name="uq_invoice_reminders_number"),)
