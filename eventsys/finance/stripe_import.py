"""Import Stripe's balance transactions and payouts: from the API (`stripe-sync`,
through payments.gateway) or from the CSV export of Stripe's dashboard. Both upsert by
Stripe id, so running either again, or both, gives the same rows."""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text

from eventsys.database import add_once, utcnow
from eventsys.extensions import db
from eventsys.finance.models import StripePayout, StripeSync, StripeTransaction
from eventsys.payments import gateway

OSLO = ZoneInfo("Europe/Oslo")
RESYNC_MARGIN_DAYS = 7  # statuses (pending → available) and payouts settle within this


def _ts(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if value is not None else None


def transaction_fields(obj: dict, payout_id: str | None = None) -> dict:
    """Column values of a balance transaction as the API gives it (source expanded)."""
    source = obj.get("source")
    intent = ref = None
    if isinstance(source, dict):
        intent = source.get("payment_intent")
        if isinstance(intent, dict):
            intent = intent.get("id")
        ref = (source.get("metadata") or {}).get("registration")
        source = source.get("id")
    if obj.get("type") == "payout":
        payout_id = payout_id or source
    return {
        "id": obj["id"],
        "type": obj["type"],
        "amount": int(obj["amount"]),
        "fee": int(obj.get("fee") or 0),
        "net": int(obj["net"]),
        "currency": obj["currency"].upper(),
        "created": _ts(obj["created"]),
        "available_on": _ts(obj.get("available_on")),
        "status": obj.get("status") or "available",
        "source": source,
        "payment_intent": intent,
        "registration_ref": str(ref)[:40] if ref else None,
        "payout_id": payout_id,
        "description": (obj.get("description") or "")[:500],
    }


# A later, less complete record never makes a transaction forget what is known.
_KEPT_WHEN_MISSING = ("payout_id", "payment_intent", "registration_ref", "source")


def _upsert(model, values: dict, keep_when_missing) -> bool:
    """Insert or update the row with `values["id"]`; True when this call inserted it.
    Two writers at once may both find the row missing (take_turns orders the imports,
    but not every writer need take it): the insert is made in a savepoint
    (database.add_once), and the one whose insert meets the other's row updates that
    row instead of failing."""
    row = db.session.get(model, values["id"])
    if row is None:
        if add_once(model(**values)):
            return True
        row = db.session.get(model, values["id"])  # another run was first
    for name, value in values.items():
        if value is None and keep_when_missing(name):
            continue
        setattr(row, name, value)
    return False


def upsert_transaction(values: dict) -> bool:
    """Insert or update one transaction; True when it was new. A known payout or
    payment intent is never forgotten by a later, less complete record."""
    return _upsert(StripeTransaction, values, _KEPT_WHEN_MISSING.__contains__)


def upsert_payout(values: dict) -> bool:
    return _upsert(StripePayout, values, lambda _name: True)


def payout_fields(obj: dict) -> dict:
    arrival = _ts(obj.get("arrival_date"))
    return {
        "id": obj["id"],
        "amount": int(obj["amount"]),
        "currency": obj["currency"].upper(),
        "status": obj.get("status") or "paid",
        "arrival_date": arrival.date() if arrival else None,
        "created": _ts(obj["created"]),
    }


# PostgreSQL advisory lock key: "stripe imports take turns" (any constant of our own).
TURN_LOCK_KEY = 0x5751_7E01
SYNC_WAIT_SECONDS = 600  # a page of payouts fetches each payout's transactions meanwhile


def take_turns(wait_seconds: int | None = None) -> None:
    """Hold the Stripe import's turn until this transaction ends. Two runs at once
    (sync and sync, or sync and a CSV upload) then write one page after the other:
    pages of the same rows in different orders (the transaction list, a payout's
    list) can otherwise lock each other out (a deadlock). `wait_seconds` lifts the
    lock timeout for this transaction (a command may wait for the other run's page;
    a request keeps LOCK_TIMEOUT_MS and answers 503). SQLite already lets one writer
    in at a time (BEGIN IMMEDIATE)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    if wait_seconds is not None:
        db.session.execute(text(f"SET LOCAL lock_timeout = '{int(wait_seconds)}s'"))
    db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": TURN_LOCK_KEY})


def _since_timestamp(since: date | None) -> int | None:
    if since is None:
        return None
    return int(datetime.combine(since, time(0), OSLO).timestamp())


def default_since() -> date | None:
    """After a finished sync: a week before it began (to refresh what settles late);
    before any: everything."""
    last = db.session.scalar(
        select(func.max(StripeSync.started_at)).where(StripeSync.finished_at.is_not(None))
    )
    if last is None:
        return None
    return last.astimezone(OSLO).date() - timedelta(days=RESYNC_MARGIN_DAYS)


def sync(
    since: date | None = None,
    checkpoint: Callable[[], None] = lambda: None,
    page_size: int = 100,
) -> StripeSync:
    """Pull every page of balance transactions, then every payout and what it is made
    of. `checkpoint` is called after each page (the command commits there); a run that
    died half way is continued from its last page by the next run with the same
    `since`."""
    same_since = StripeSync.since.is_(None) if since is None else StripeSync.since == since
    run = db.session.scalar(
        select(StripeSync)
        .where(StripeSync.finished_at.is_(None), same_since)
        .order_by(StripeSync.id.desc())
    )
    if run is None:
        run = StripeSync(since=since, stage="transactions", cursor=None, imported=0)
        db.session.add(run)
        db.session.flush()
        checkpoint()
    gte = _since_timestamp(since)
    while run.stage == "transactions":
        page = gateway.balance_transactions(gte, run.cursor, limit=page_size)
        take_turns(SYNC_WAIT_SECONDS)
        for obj in page.items:
            upsert_transaction(transaction_fields(obj))
        run.imported += len(page.items)
        run.cursor = page.last_id or run.cursor
        if not page.has_more:
            run.stage, run.cursor = "payouts", None
        db.session.flush()
        checkpoint()
    while run.stage == "payouts":
        page = gateway.payouts(gte, run.cursor, limit=page_size)
        take_turns(SYNC_WAIT_SECONDS)
        for obj in page.items:
            upsert_payout(payout_fields(obj))
            after = None
            while True:  # the payout's transactions, every page
                inner = gateway.balance_transactions(None, after, payout=obj["id"], limit=page_size)
                for txn in inner.items:
                    upsert_transaction(transaction_fields(txn, payout_id=obj["id"]))
                after = inner.last_id
                if not inner.has_more:
                    break
        run.cursor = page.last_id or run.cursor
        if not page.has_more:
            run.stage, run.finished_at = "done", utcnow()
        db.session.flush()
        checkpoint()
    return run


# --- the dashboard's CSV export -------------------------------------------------------------

# Stripe's "Balance change from activity – itemized" export (Reports → Balance).
CSV_COLUMNS = (
    "balance_transaction_id",
    "created_utc",
    "available_on_utc",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
    "source_id",
    "description",
    "payment_intent_id",
    "automatic_payout_id",
    "payment_metadata[registration]",
)
REQUIRED_COLUMNS = (
    "balance_transaction_id",
    "created_utc",
    "currency",
    "gross",
    "fee",
    "net",
    "reporting_category",
)


class ImportError_(ValueError):
    def __init__(self, code: str, line: int = 0, detail: str = ""):
        super().__init__(f"{code} {line} {detail}")
        self.code = code
        self.line = line
        self.detail = detail


@dataclass
class CsvResult:
    created: int = 0
    updated: int = 0
    payouts: int = 0
    ids: list[str] = field(default_factory=list)


def _minor(text: str, line: int) -> int:
    """'750.00' or '-1,234.50' (major units, as the dashboard writes them) → øre."""
    try:
        value = Decimal(text.replace(",", "").strip())
    except InvalidOperation as exc:
        raise ImportError_("bad_amount", line, text) from exc
    minor = value * 100
    if minor != minor.to_integral_value():
        raise ImportError_("bad_amount", line, text)
    return int(minor)


def _csv_time(text: str, line: int) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise ImportError_("bad_date", line, text)


def _cell(row: dict, name: str) -> str:
    return (row.get(name) or "").strip()


def parse_csv(text: str) -> list[dict]:
    """Rows of the export as transaction values; raises ImportError_ on the first bad
    line, so nothing of a broken file is kept."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportError_("missing_columns", 1, ", ".join(missing))
    rows = []
    for line, raw in enumerate(reader, start=2):
        get = functools.partial(_cell, raw)
        kind = get("reporting_category")
        source = get("source_id") or None
        payout = get("automatic_payout_id") or None
        if kind == "payout":
            payout = payout or source
        txn_id = get("balance_transaction_id")
        if not txn_id.startswith("txn_"):
            raise ImportError_("bad_id", line, txn_id)
        created = _csv_time(get("created_utc"), line)
        if created is None:
            raise ImportError_("bad_date", line, "")
        currency = get("currency").upper()
        if len(currency) != 3:
            raise ImportError_("bad_currency", line, currency)
        rows.append(
            {
                "id": txn_id,
                "type": kind,
                "amount": _minor(get("gross"), line),
                "fee": _minor(get("fee"), line),
                "net": _minor(get("net"), line),
                "currency": currency,
                "created": created,
                "available_on": _csv_time(get("available_on_utc"), line),
                "status": "available",
                "source": source,
                "payment_intent": get("payment_intent_id") or None,
                "registration_ref": get("payment_metadata[registration]")[:40] or None,
                "payout_id": payout,
                "description": get("description")[:500],
            }
        )
    return rows


def import_csv(text: str) -> CsvResult:
    """Upsert the export's rows; a payout's own row also records the payout."""
    result = CsvResult()
    rows = parse_csv(text)
    take_turns()
    for values in rows:
        if upsert_transaction(values):
            result.created += 1
        else:
            result.updated += 1
        result.ids.append(values["id"])
        if values["type"] == "payout" and values["source"]:
            result.payouts += 1
            upsert_payout(
                {
                    "id": values["source"],
                    "amount": -values["amount"],
                    "currency": values["currency"],
                    "status": "paid",
                    "arrival_date": None,
                    "created": values["created"],
                }
            )
    db.session.flush()
    return result
