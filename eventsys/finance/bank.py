"""Bank statements (pure): read ISO 20022 camt.053 and the simple CSV, and decide
what an incoming payment does to the invoice its KID names. No Flask, no database."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from eventsys.payments.rules import kid_is_valid

# Outcomes of one incoming payment.
MATCHED = "matched"  # pays the rest of the invoice exactly
PARTIAL = "partial"  # less than the rest: the invoice stays open
OVER = "over"  # more than the rest: paid, and the difference is shown
UNKNOWN_KID = "unknown_kid"  # a valid KID no invoice has
INVALID_KID = "invalid_kid"  # no KID, or its check digit is wrong
DUPLICATE = "duplicate"  # the same bank entry came in an earlier statement
CREDITED = "credited"  # the invoice was cancelled by a credit note
CURRENCY = "currency"  # not NOK
NEEDS_LOOK = frozenset({PARTIAL, OVER, UNKNOWN_KID, INVALID_KID, DUPLICATE, CREDITED, CURRENCY})


class StatementError(ValueError):
    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Entry:
    ref: str  # the bank's own reference for the entry: the same in every statement
    booked_on: date
    amount: int  # øre, positive: money in
    currency: str
    kid: str
    payer: str


@dataclass(frozen=True)
class Statement:
    identity: str
    format: str
    entries: tuple[Entry, ...]


def _ore(text: str) -> int:
    try:
        value = Decimal(text.strip().replace(" ", "").replace("\xa0", "").replace(",", "."))
    except InvalidOperation as exc:
        raise StatementError("bad_amount", text) from exc
    minor = value * 100
    if minor != minor.to_integral_value():
        raise StatementError("bad_amount", text)
    return int(minor)


def _date(text: str) -> date:
    text = text.strip()
    try:
        if "." in text:  # 24.11.2026, as Norwegian banks write it
            day, month, year = text.split(".")
            return date(int(year), int(month), int(day))
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise StatementError("bad_date", text) from exc


# --- camt.053 ----------------------------------------------------------------------------

# No entities, no network, no huge trees: a statement is data, never instructions.
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
)


def _local(el, path: str):
    """The first descendant along `path` (local names, any camt namespace version)."""
    node = el
    for name in path.split("/"):
        if node is None:
            return None
        node = next(
            (c for c in node if isinstance(c.tag, str) and etree.QName(c).localname == name), None
        )
    return node


def _text(el, path: str) -> str:
    node = _local(el, path)
    return (node.text or "").strip() if node is not None else ""


def _children(el, name: str):
    return [c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == name]


def parse_camt053(data: bytes) -> Statement:
    """Incoming payments (credit entries) of a camt.053 bank-to-customer statement;
    an entry booked as a batch gives one payment per transaction in it."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise StatementError("not_camt", str(exc)) from exc
    if etree.QName(root).localname != "Document" or "camt.053" not in (
        etree.QName(root).namespace or ""
    ):
        raise StatementError("not_camt", str(etree.QName(root).namespace))
    statement = _local(root, "BkToCstmrStmt/Stmt")
    if statement is None:
        raise StatementError("not_camt", "no Stmt")
    account = _text(statement, "Acct/Id/IBAN") or _text(statement, "Acct/Id/Othr/Id")
    identity = f"camt053:{account}:{_text(statement, 'Id')}:{_text(statement, 'ElctrncSeqNb')}"
    entries = []
    for number, entry in enumerate(_children(statement, "Ntry"), start=1):
        if _text(entry, "CdtDbtInd") != "CRDT" or _text(entry, "RvslInd") == "true":
            continue
        booked = _date(_text(entry, "BookgDt/Dt") or _text(entry, "BookgDt/DtTm"))
        entry_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef") or f"{identity}:{number}"
        details = [tx for d in _children(entry, "NtryDtls") for tx in _children(d, "TxDtls")]
        if not details:
            details = [None]
        for index, tx in enumerate(details, start=1):
            amount_el = None
            if tx is not None:
                amount_el = _local(tx, "AmtDtls/TxAmt/Amt") or _local(tx, "Amt")
            if amount_el is None and len(details) == 1:
                amount_el = _local(entry, "Amt")
            if amount_el is None:
                raise StatementError("bad_amount", entry_ref)
            kid = payer = ""
            tx_ref = ""
            if tx is not None:
                kid = _text(tx, "RmtInf/Strd/CdtrRefInf/Ref")
                payer = _text(tx, "RltdPties/Dbtr/Nm") or _text(tx, "RltdPties/Dbtr/Pty/Nm")
                tx_ref = _text(tx, "Refs/AcctSvcrRef")
            ref = tx_ref or (entry_ref if len(details) == 1 else f"{entry_ref}/{index}")
            entries.append(
                Entry(
                    ref=ref[:255],
                    booked_on=booked,
                    amount=_ore(amount_el.text or ""),
                    currency=(amount_el.get("Ccy") or "NOK").upper(),
                    kid=kid.replace(" ", ""),
                    payer=payer[:200],
                )
            )
    return Statement(identity=identity[:255], format="camt053", entries=tuple(entries))


# --- the simple CSV -----------------------------------------------------------------------

CSV_COLUMNS = ("date", "amount", "currency", "kid", "payer", "reference")


def parse_csv(text: str) -> Statement:
    """`date,amount,currency,kid,payer,reference` (UTF-8; `;` also accepted as the
    separator; amounts in kroner with `,` or `.`). Rows with a negative amount are
    money out and are left alone. The file's digest is its identity."""
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    dialect = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=dialect)
    header = [h.strip().lower() for h in reader.fieldnames or []]
    missing = [c for c in ("date", "amount", "kid", "reference") if c not in header]
    if missing:
        raise StatementError("missing_columns", ", ".join(missing))
    digest = hashlib.sha256(text.encode()).hexdigest()
    entries = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        amount = _ore(row["amount"])
        if amount <= 0:
            continue
        ref = row["reference"]
        if not ref:
            raise StatementError("missing_reference", str(line))
        entries.append(
            Entry(
                ref=ref[:255],
                booked_on=_date(row["date"]),
                amount=amount,
                currency=(row.get("currency") or "NOK").upper()[:3],
                kid=row["kid"].replace(" ", ""),
                payer=row.get("payer", "")[:200],
            )
        )
    return Statement(identity=f"csv:{digest}", format="csv", entries=tuple(entries))


def parse(data: bytes) -> Statement:
    head = data.lstrip()[:100]
    if head.startswith(b"<"):
        return parse_camt053(data)
    try:
        return parse_csv(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise StatementError("not_text") from exc


# --- what a payment does ------------------------------------------------------------------


@dataclass(frozen=True)
class OpenInvoice:
    invoice_id: int
    amount: int
    amount_paid: int
    credited: bool = False


def outcome(entry: Entry, invoice: OpenInvoice | None, seen_before: bool) -> str:
    """Which of the outcomes an incoming payment has; only MATCHED, PARTIAL and OVER
    put money on an invoice."""
    if seen_before:
        return DUPLICATE
    if not entry.kid or not kid_is_valid(entry.kid):
        return INVALID_KID
    if entry.currency != "NOK":
        return CURRENCY
    if invoice is None:
        return UNKNOWN_KID
    if invoice.credited:
        return CREDITED
    rest = invoice.amount - invoice.amount_paid
    if entry.amount == rest:
        return MATCHED
    return PARTIAL if entry.amount < rest else OVER
