"""Operations on organisations and ownership periods. They flush; the caller commits."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from eventsys.auth.models import User
from eventsys.database import local_date, utcnow
from eventsys.extensions import db
from eventsys.organisations import rules
from eventsys.organisations.models import (
    Organisation,
    OrganisationDomain,
    OrganisationKind,
    Ownership,
    OwnershipRole,
    StaffBand,
)


class OrganisationError(Exception):
    """A problem the user can fix; `code` is stable, `field` names the input."""

    def __init__(self, code: str, field: str | None = None, detail: str = ""):
        super().__init__(detail or code)
        self.code = code
        self.field = field
        self.detail = detail


def _check_name(name: str, exclude_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise OrganisationError("name_required", "name")
    clash = db.session.scalar(select(Organisation).where(Organisation.name == name))
    if clash is not None and clash.id != exclude_id:
        raise OrganisationError("name_taken", "name")
    return name


def _check_org_number(raw: str | None, exclude_id: int | None = None) -> str | None:
    if raw is None or not raw.strip():
        return None
    try:
        number = rules.validate_org_number(raw)
    except rules.OrgNumberError as exc:
        raise OrganisationError(f"org_number_{exc.code}", "org_number", str(exc)) from exc
    clash = db.session.scalar(select(Organisation).where(Organisation.org_number == number))
    if clash is not None and clash.id != exclude_id:
        raise OrganisationError("org_number_taken", "org_number")
    return number


def _check_domains(raw: list[str], exclude_id: int | None = None) -> list[str]:
    domains = []
    for item in raw:
        if not item.strip():
            continue
        try:
            domain = rules.normalise_domain(item)
        except ValueError as exc:
            raise OrganisationError("domain_invalid", "domains", item.strip()) from exc
        if domain in domains:
            continue
        clash = db.session.scalar(
            select(OrganisationDomain).where(OrganisationDomain.domain == domain)
        )
        if clash is not None and clash.organisation_id != exclude_id:
            raise OrganisationError("domain_taken", "domains", domain)
        domains.append(domain)
    return domains


def create_organisation(
    name: str, kind: str, org_number: str | None = None, domains: list[str] | None = None
) -> Organisation:
    org = Organisation(
        name=_check_name(name),
        kind=OrganisationKind(kind),
        org_number=_check_org_number(org_number),
    )
    org.domains = [OrganisationDomain(domain=d) for d in _check_domains(domains or [])]
    db.session.add(org)
    db.session.flush()
    return org


def update_organisation(
    org: Organisation, name: str, kind: str, org_number: str | None, domains: list[str]
) -> Organisation:
    org.name = _check_name(name, exclude_id=org.id)
    org.kind = OrganisationKind(kind)
    org.org_number = _check_org_number(org_number, exclude_id=org.id)
    wanted = _check_domains(domains, exclude_id=org.id)
    keep = [d for d in org.domains if d.domain in wanted]
    have = {d.domain for d in keep}
    org.domains = keep + [OrganisationDomain(domain=d) for d in wanted if d not in have]
    db.session.flush()
    return org


def set_invoice_address(
    org: Organisation,
    email: str | None,
    lines: str | list[str] | None,
    postcode: str | None,
    city: str | None,
    reference: str | None = None,
    peppol_id: str | None = None,
) -> Organisation:
    """Admin or finance records where the organisation's invoices go (all empty: no
    invoice address; its contribution invoice then cannot be sent)."""
    try:
        address = rules.check_invoice_address(email, lines, postcode, city, reference, peppol_id)
    except rules.InvoiceAddressError as exc:
        raise OrganisationError(f"invoice_{exc.code}", exc.field) from exc
    org.invoice_email = address.email
    org.invoice_address = "\n".join(address.lines)
    org.invoice_postcode = address.postcode
    org.invoice_city = address.city
    org.invoice_reference = address.reference
    org.peppol_id = address.peppol_id
    db.session.flush()
    return org


def add_ownership(
    org: Organisation,
    role: str,
    valid_from: date,
    valid_to: date | None = None,
    staff_band: str | None = None,
) -> Ownership:
    """Add a period; without an end it is the two-calendar-year binding period."""
    if valid_to is None:
        valid_to = rules.default_ownership_period(valid_from)[1]
    if valid_to < valid_from:
        raise OrganisationError("period_order", "valid_to")
    role_ = OwnershipRole(role)
    band = StaffBand(staff_band) if staff_band else None
    if org.kind == OrganisationKind.welfare_org:
        band = None  # welfare organisations pay a flat contribution
    elif role_ == OwnershipRole.owner and band is None:
        raise OrganisationError("staff_band_required", "staff_band")
    for other in org.ownerships:
        if other.valid_from <= valid_to and valid_from <= other.valid_to:
            raise OrganisationError("period_overlap", "valid_from")
    period = Ownership(role=role_, valid_from=valid_from, valid_to=valid_to, staff_band=band)
    org.ownerships.append(period)
    db.session.flush()
    return period


def delete_ownership(period: Ownership) -> None:
    db.session.delete(period)
    db.session.flush()


def organisation_facts() -> list[rules.OrgFacts]:
    orgs = db.session.scalars(
        select(Organisation).options(
            selectinload(Organisation.domains), selectinload(Organisation.ownerships)
        )
    ).all()
    return [facts_of(org) for org in orgs]


def organisation_facts_for(person: rules.PersonFacts) -> list[rules.OrgFacts]:
    """The organisations `rules.affiliation` can pick for this person: those owning the
    address's domain or one of its parent domains, and the one an organiser confirmed.
    An indexed look-up, so the work does not grow with the number of organisations."""
    domain = rules.email_domain(person.email)
    labels = domain.split(".")
    suffixes = [".".join(labels[i:]) for i in range(len(labels) - 1)] if domain else []
    wanted = select(OrganisationDomain.organisation_id).where(
        OrganisationDomain.domain.in_(suffixes)
    )
    condition = Organisation.id.in_(wanted)
    if person.confirmed_org_id is not None:
        condition = condition | (Organisation.id == person.confirmed_org_id)
    # One query with the domains and periods joined (a handful of rows): every
    # registration asks this.
    orgs = (
        db.session.scalars(
            select(Organisation)
            .where(condition)
            .options(joinedload(Organisation.domains), joinedload(Organisation.ownerships))
        )
        .unique()
        .all()
    )
    return [facts_of(org) for org in orgs]


def facts_of(org: Organisation) -> rules.OrgFacts:
    return rules.OrgFacts(
        id=org.id,
        name=org.name,
        domains=tuple(org.domain_names),
        periods=tuple(rules.Period(p.role.value, p.valid_from, p.valid_to) for p in org.ownerships),
    )


def person_facts(
    user: User | None, email: str | None = None, vouched: bool = False
) -> rules.PersonFacts:
    if user is None:
        return rules.PersonFacts(email=email or "", email_verified=vouched)
    return rules.PersonFacts(
        email=user.email,
        email_verified=user.email_verified or vouched,
        confirmed_org_id=user.confirmed_organisation_id,
    )


def affiliation_for(user: User, on: date | None = None) -> rules.Affiliation:
    """The affiliation the system derives for a user on a day (today in Oslo by default)."""
    on = on or local_date()
    person = person_facts(user)
    return rules.affiliation(person, organisation_facts_for(person), on)


def confirm_affiliation(user: User, org: Organisation | None, by: User) -> None:
    """An organiser vouches (or withdraws the vouching) for a person's affiliation."""
    user.confirmed_organisation_id = org.id if org else None
    user.confirmed_by_id = by.id if org else None
    user.confirmed_at = utcnow() if org else None
    db.session.flush()
