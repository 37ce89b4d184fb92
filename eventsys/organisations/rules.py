"""Pure rules about organisations and ownership: no Flask, no database.

The question answered here decides who gets priority, so it only ever looks at facts
that cannot be self-declared: a *verified* e-mail address, or an organiser's
confirmation. Choosing an organisation from a list is not such a fact.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.no import orgnr

_DOMAIN_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


class OrgNumberError(ValueError):
    """Why an organisation number is not valid; `code` is stable, the text is English."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def normalise_org_number(raw: str) -> str:
    """Strip the spaces and dots people type ("974 760 673", "NO 974760673 MVA")."""
    text = raw.strip().upper()
    text = text.removeprefix("NO").removesuffix("MVA")
    return re.sub(r"[\s.]", "", text)


def org_number_check_digit(first_eight: str) -> int | None:
    """Modulus-11 check digit of the Brønnøysund registers, or None when none exists
    (python-stdnum's weighted sum, where the last digit weighs 1; a 10 means no valid
    number has these eight digits)."""
    digit = -orgnr.checksum(first_eight + "0") % 11
    return None if digit == 10 else digit


def validate_org_number(raw: str) -> str:
    """Return the 9-digit number, or raise OrgNumberError saying what is wrong.
    python-stdnum (`stdnum.no.orgnr`) checks digits, length and check digit; the rule
    that Enhetsregisteret numbers start with 8 or 9 is ours."""
    number = normalise_org_number(raw)
    try:
        orgnr.validate(number)
        bad_check_digit = False
    except InvalidLength as exc:  # a kind of InvalidFormat: first
        raise OrgNumberError(
            "wrong_length", "An organisation number has exactly 9 digits."
        ) from exc
    except InvalidFormat as exc:
        raise OrgNumberError("not_digits", "An organisation number has digits only.") from exc
    except InvalidChecksum:
        bad_check_digit = True
    if number[0] not in "89":
        raise OrgNumberError("wrong_start", "An organisation number starts with 8 or 9.")
    if bad_check_digit:
        raise OrgNumberError(
            "check_digit", "The check digit does not match: please check the number for typos."
        )
    return number


def same_name(known: str, typed: str) -> bool:
    """Does a typed organisation name mean the known one? Case, punctuation and the
    words "AS"/"ASA" aside, the typed name is the known name, or its start (people
    shorten "Universitetet i Bergen, Økonomiavdelingen" both ways)."""

    def words(text: str) -> list[str]:
        cleaned = re.sub(r"[^\w\s]", " ", text.casefold())
        return [w for w in cleaned.split() if w not in ("as", "asa")]

    a, b = words(known), words(typed)
    if not a or not b:
        return False
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    return longer[: len(shorter)] == shorter


def is_valid_org_number(raw: str) -> bool:
    try:
        validate_org_number(raw)
    except OrgNumberError:
        return False
    return True


def normalise_domain(raw: str) -> str:
    """'@Student.UiB.no ' -> 'student.uib.no'; raises ValueError for a malformed one."""
    domain = raw.strip().lower().lstrip("@").rstrip(".")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.match(label) for label in labels):
        raise ValueError(f"not an e-mail domain: {raw!r}")
    if labels[-1].isdigit():
        raise ValueError(f"not an e-mail domain: {raw!r}")
    return domain


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower().rstrip(".")


def domain_matches(email_domain_: str, org_domain: str) -> bool:
    """True for the domain itself and its sub-domains, at a label boundary:
    'student.uib.no' matches 'uib.no'; 'fakeuib.no' does not."""
    return email_domain_ == org_domain or email_domain_.endswith("." + org_domain)


def default_ownership_period(start: date) -> tuple[date, date]:
    """The binding period: the calendar year of `start` and the next one."""
    return start, date(start.year + 1, 12, 31)


@dataclass(frozen=True)
class Period:
    role: str  # "owner" | "observer"
    valid_from: date
    valid_to: date

    def covers(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


@dataclass(frozen=True)
class OrgFacts:
    id: int
    name: str
    domains: tuple[str, ...] = ()
    periods: tuple[Period, ...] = ()

    def role_on(self, day: date) -> str | None:
        """'owner' if an owner period covers the day, else 'observer' if one does, else None."""
        roles = {p.role for p in self.periods if p.covers(day)}
        if "owner" in roles:
            return "owner"
        return "observer" if "observer" in roles else None

    def contributes_on(self, day: date) -> bool:
        return self.role_on(day) == "owner"


@dataclass(frozen=True)
class PersonFacts:
    email: str
    email_verified: bool
    confirmed_org_id: int | None = None


class Reason(enum.StrEnum):
    verified_domain = "verified_domain"  # tier 1
    confirmed = "confirmed"  # tier 1
    unverified_email = "unverified_email"  # would be tier 1 once the address is verified
    not_owner_on_date = "not_owner_on_date"  # known organisation, but not contributing then
    unknown_domain = "unknown_domain"


@dataclass(frozen=True)
class Affiliation:
    tier: int  # 1 = owner staff, 2 = everybody else
    reason: Reason
    organisation: OrgFacts | None = None
    role: str | None = None  # the organisation's role on the day, when known


def _most_specific(orgs: list[tuple[OrgFacts, str]]) -> OrgFacts | None:
    # 'hvl.no' and 'stud.hvl.no' could belong to two organisations: the longer wins.
    if not orgs:
        return None
    return max(orgs, key=lambda pair: len(pair[1]))[0]


def affiliation(person: PersonFacts, organisations: list[OrgFacts], on: date) -> Affiliation:
    """Is this person owner staff for an event that starts on `on`, and why?

    Tier 1 when an organiser confirmed the person's affiliation with an organisation
    that is an owner on that day, or when the person's *verified* address is on a
    domain (or sub-domain) of such an organisation. Everything else is tier 2, with the
    reason kept so the profile page can explain it.
    """
    by_id = {org.id: org for org in organisations}
    if person.confirmed_org_id is not None:
        org = by_id.get(person.confirmed_org_id)
        if org is not None and org.contributes_on(on):
            return Affiliation(1, Reason.confirmed, org, "owner")

    domain = email_domain(person.email)
    matching = [(org, d) for org in organisations for d in org.domains if domain_matches(domain, d)]
    org = _most_specific(matching)
    if org is None:
        confirmed = by_id.get(person.confirmed_org_id) if person.confirmed_org_id else None
        if confirmed is not None:
            return Affiliation(2, Reason.not_owner_on_date, confirmed, confirmed.role_on(on))
        return Affiliation(2, Reason.unknown_domain)
    role = org.role_on(on)
    if role != "owner":
        return Affiliation(2, Reason.not_owner_on_date, org, role)
    if not person.email_verified:
        return Affiliation(2, Reason.unverified_email, org, role)
    return Affiliation(1, Reason.verified_domain, org, role)


# --- the address an organisation's invoices go to ------------------------------------------

PEPPOL_ORG_NUMBER_SCHEME = "0192"  # Norwegian organisation numbers in the PEPPOL network
_POSTCODE = re.compile(r"^[0-9]{4}$")
_PEPPOL_ID = re.compile(r"^[0-9]{4}:[A-Za-z0-9][A-Za-z0-9.:_-]{0,49}$")


class InvoiceAddressError(ValueError):
    """What is wrong with an invoice address; `code` is stable, `field` names the input."""

    def __init__(self, code: str, field: str):
        super().__init__(code)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class InvoiceAddress:
    """Where an organisation wants its invoices: an e-mail inbox (the PDF and the EHF
    go there), the postal address on the invoice, the reference its accounts-payable
    office needs ("deres referanse") and, when it is not 0192:<organisation number>,
    its PEPPOL participant id."""

    email: str = ""
    lines: tuple[str, ...] = ()
    postcode: str = ""
    city: str = ""
    reference: str = ""
    peppol_id: str = ""

    @property
    def postal(self) -> str:
        """The address as an invoice prints it: the lines, then "postcode city"."""
        last = f"{self.postcode} {self.city}".strip()
        return "\n".join([*self.lines, last] if last else self.lines)


def _single_line(value: str | None, field: str, longest: int) -> str:
    text = " ".join((value or "").split())
    if len(text) > longest:
        raise InvoiceAddressError("too_long", field)
    return text


def check_invoice_address(
    email: str | None,
    lines: str | list[str] | tuple[str, ...] | None,
    postcode: str | None,
    city: str | None,
    reference: str | None,
    peppol_id: str | None,
) -> InvoiceAddress:
    """The address tidied, or InvoiceAddressError for the first thing wrong: an e-mail
    address that is not one, a postcode that is not four digits, an address without
    postcode and place, or a PEPPOL id not written "scheme:identifier". Everything
    empty is an organisation without an invoice address."""
    from email_validator import EmailNotValidError, validate_email

    email = (email or "").strip()
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise InvoiceAddressError("email_invalid", "invoice_email") from exc
        if len(email) > 320:
            raise InvoiceAddressError("email_invalid", "invoice_email")
    if isinstance(lines, str):
        lines = lines.splitlines()
    lines = tuple(
        text for line in lines or () if (text := _single_line(line, "invoice_address", 200))
    )
    if len(lines) > 4:
        raise InvoiceAddressError("address_too_many_lines", "invoice_address")
    postcode = "".join((postcode or "").split())
    if postcode and not _POSTCODE.match(postcode):
        raise InvoiceAddressError("postcode_invalid", "invoice_postcode")
    city = _single_line(city, "invoice_city", 100)
    if (lines or city) and not postcode:
        raise InvoiceAddressError("postcode_required", "invoice_postcode")
    if postcode and not city:
        raise InvoiceAddressError("city_required", "invoice_city")
    reference = _single_line(reference, "invoice_reference", 200)
    peppol_id = "".join((peppol_id or "").split())
    if peppol_id and not _PEPPOL_ID.match(peppol_id):
        raise InvoiceAddressError("peppol_id_invalid", "peppol_id")
    return InvoiceAddress(email, lines, postcode, city, reference, peppol_id)


def peppol_participant(peppol_id: str | None, org_number: str | None) -> str | None:
    """The PEPPOL participant id an EHF is addressed to: the one given, else
    0192:<organisation number>; None for a buyer with neither."""
    if peppol_id:
        return peppol_id
    return f"{PEPPOL_ORG_NUMBER_SCHEME}:{org_number}" if org_number else None
