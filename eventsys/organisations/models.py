import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eventsys.database import UTCDateTime, utcnow
from eventsys.extensions import db
from eventsys.organisations import rules


class OrganisationKind(enum.StrEnum):
    institution = "institution"
    welfare_org = "welfare_org"
    other = "other"


class OwnershipRole(enum.StrEnum):
    owner = "owner"
    observer = "observer"


class StaffBand(enum.StrEnum):
    up_to_500 = "0-500"
    from_501 = "501-1000"
    from_1001 = "1001-2000"
    over_2000 = "2000+"


def _enum(cls, name):
    # Stored as the value (e.g. "2000+"), checked in Python; no native PG enum to migrate.
    return Enum(
        cls,
        name=name,
        native_enum=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    org_number: Mapped[str | None] = mapped_column(String(9), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(_enum(OrganisationKind, "organisation_kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Where its invoices go (rules.check_invoice_address): the inbox that gets the PDF
    # and the EHF, the postal address lines, postcode and place, the reference its
    # accounts-payable office wants, and a PEPPOL id other than 0192:<org_number>.
    invoice_email: Mapped[str] = mapped_column(String(320), default="")
    invoice_address: Mapped[str] = mapped_column(Text, default="")  # lines, "\n" between
    invoice_postcode: Mapped[str] = mapped_column(String(4), default="")
    invoice_city: Mapped[str] = mapped_column(String(100), default="")
    invoice_reference: Mapped[str] = mapped_column(String(200), default="")
    peppol_id: Mapped[str] = mapped_column(String(60), default="")

    domains: Mapped[list["OrganisationDomain"]] = relationship(
        back_populates="organisation",
        cascade="all, delete-orphan",
        order_by="OrganisationDomain.domain",
    )
    ownerships: Mapped[list["Ownership"]] = relationship(
        back_populates="organisation",
        cascade="all, delete-orphan",
        order_by="Ownership.valid_from",
    )

    @property
    def domain_names(self) -> list[str]:
        return [d.domain for d in self.domains]

    @property
    def invoice_to(self) -> rules.InvoiceAddress:
        lines = tuple(line for line in (self.invoice_address or "").splitlines() if line)
        return rules.InvoiceAddress(
            self.invoice_email or "",
            lines,
            self.invoice_postcode or "",
            self.invoice_city or "",
            self.invoice_reference or "",
            self.peppol_id or "",
        )

    @property
    def peppol_participant(self) -> str | None:
        return rules.peppol_participant(self.peppol_id, self.org_number)


class OrganisationDomain(db.Model):
    __tablename__ = "organisation_domains"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    # Lower-case, no leading "@"; one domain belongs to one organisation.
    domain: Mapped[str] = mapped_column(String(253), unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="domains")


class Ownership(db.Model):
    """A period in which an organisation is an owner (contributing) or an observer."""

    __tablename__ = "ownerships"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[OwnershipRole] = mapped_column(_enum(OwnershipRole, "ownership_role"))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    staff_band: Mapped[StaffBand | None] = mapped_column(_enum(StaffBand, "staff_band"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="ownerships")

    __table_args__ = (CheckConstraint("valid_to >= valid_from", name="period_order"),)
