"""Bank statements (camt.053 and CSV) matched by KID; the overdue list and reminders."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from eventsys import database
from eventsys.extensions import db
from eventsys.finance import bank, operations
from eventsys.finance.models import BankPayment, InvoiceReminder
from eventsys.payments.models import Invoice
from tests.conftest import csrf_token

NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def camt053(entries, statement_id="STMT-2027-03-01", seq="61"):
    """A camt.053 statement as a Norwegian bank writes it: one credit entry per
    payment, KID in the structured creditor reference."""
    rows = []
    for i, (amount, kid, payer, *rest) in enumerate(entries, start=1):
        ref = rest[0] if rest else f"{statement_id}-{i}"
        kid_xml = (
            f"<RmtInf><Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
            f"<Ref>{kid}</Ref></CdtrRefInf></Strd></RmtInf>"
            if kid
            else "<RmtInf><Ustrd>Betaling</Ustrd></RmtInf>"
        )
        rows.append(
            f"""<Ntry><Amt Ccy="NOK">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
  <BookgDt><Dt>2027-03-01</Dt></BookgDt><ValDt><Dt>2027-03-01</Dt></ValDt>
  <AcctSvcrRef>{ref}</AcctSvcrRef><BkTxCd/>
  <NtryDtls><TxDtls><Refs><AcctSvcrRef>{ref}</AcctSvcrRef></Refs>
    <RltdPties><Dbtr><Nm>{payer}</Nm></Dbtr></RltdPties>{kid_xml}</TxDtls></NtryDtls></Ntry>"""
        )
    rows.append(
        """<Ntry><Amt Ccy="NOK">120.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
  <BookgDt><Dt>2027-03-01</Dt></BookgDt><AcctSvcrRef>fee-1</AcctSvcrRef></Ntry>"""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{NS}"><BkToCstmrStmt>
<GrpHdr><MsgId>MSG-1</MsgId><CreDtTm>2027-03-02T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>{statement_id}</Id><ElctrncSeqNb>{seq}</ElctrncSeqNb><CreDtTm>2027-03-02T06:00:00</CreDtTm>
<Acct><Id><Othr><Id>12345678903</Id></Othr></Id></Acct>
{"".join(rows)}
</Stmt></BkToCstmrStmt></Document>""".encode()


@pytest.fixture
def owner_invoices(app, runner, make_org):
    make_org(
        "Universitetet i Bergen",
        ["uib.no"],
        org_number="974767880",
        periods=[("owner", date(2026, 1, 1), date(2027, 12, 31), "2000+")],
    )
    make_org(
        "Høgskulen på Vestlandet",
        ["hvl.no"],
        org_number="917641404",
        periods=[("owner", date(2027, 1, 1), date(2028, 12, 31), "0-500")],
    )
    make_org("Sammen", ["sammen.no"], kind="welfare_org", org_number="971573252",
             periods=[("owner", date(2027, 1, 1), date(2028, 12, 31), None)])  # fmt: skip
    assert runner.invoke(args=["eventsys", "invoice-owners", "--year", "2027"]).exit_code == 0
    with app.app_context():
        return {
            i.organisation_name: (i.id, i.kid, i.amount)
            for i in db.session.scalars(select(Invoice))
        }


def _import(app, data, name="kontoutskrift.xml"):
    with app.app_context():
        statement = operations.import_statement(data, name, None)
        database.commit()
        return [(p.kid, p.amount, p.outcome) for p in statement.payments]


def _invoice(app, invoice_id):
    with app.app_context():
        invoice = db.session.get(Invoice, invoice_id)
        return invoice.amount_paid, invoice.paid_at is not None


def test_camt053_payments_matched_by_kid_every_case(app, owner_invoices):
    uib, hvl, sammen = (owner_invoices[n] for n in
                        ("Universitetet i Bergen", "Høgskulen på Vestlandet", "Sammen"))  # fmt: skip
    wrong_check = uib[1][:-1] + str((int(uib[1][-1]) + 1) % 10)
    outcomes = _import(app, camt053([
        ("150000.00", uib[1], "UiB"),           # exact
        ("10000.00", hvl[1], "HVL"),            # partial
        ("25000.00", sammen[1], "Sammen"),      # over by 5000
        ("500.00", "200099992", "Ukjent"),      # valid KID, no invoice
        ("700.00", wrong_check, "Feil"),        # check digit wrong
        ("300.00", "", "Uten KID"),             # no KID
    ]))  # fmt: skip
    assert [o for *_, o in outcomes] == [
        bank.MATCHED,
        bank.PARTIAL,
        bank.OVER,
        bank.UNKNOWN_KID,
        bank.INVALID_KID,
        bank.INVALID_KID,
    ]
    assert len(outcomes) == 6  # the debit (bank fee) is not an incoming payment
    assert _invoice(app, uib[0]) == (150_000_00, True)
    assert _invoice(app, hvl[0]) == (10_000_00, False)
    assert _invoice(app, sammen[0]) == (25_000_00, True)
    # The rest of HVL's invoice arrives in the next statement.
    more = _import(app, camt053([("20000.00", hvl[1], "HVL")], "STMT-2027-03-02", "62"))
    assert more == [(hvl[1], 20_000_00, bank.MATCHED)] and _invoice(app, hvl[0]) == (
        30_000_00,
        True,
    )


def test_the_same_statement_twice_is_refused_and_an_entry_seen_before_is_flagged(
    app, owner_invoices
):
    uib = owner_invoices["Universitetet i Bergen"]
    data = camt053([("1000.00", uib[1], "UiB", "REF-A")])
    _import(app, data)
    with app.app_context():
        with pytest.raises(operations.FinanceError) as info:
            operations.import_statement(data, "igjen.xml", None)
        assert info.value.code == "statement_duplicate"
        db.session.rollback()
    # A later statement that repeats the entry (overlapping periods).
    again = _import(app, camt053([("1000.00", uib[1], "UiB", "REF-A")], "STMT-OTHER", "70"))
    assert again == [(uib[1], 1000_00, bank.DUPLICATE)]
    assert _invoice(app, uib[0]) == (1000_00, False)  # counted once


def test_csv_statement_gives_the_same_matching(app, owner_invoices):
    uib = owner_invoices["Universitetet i Bergen"]
    text = ("date;amount;currency;kid;payer;reference\n"
            f"01.03.2027;150 000,00;NOK;{uib[1]};UiB;BANKREF-1\n"
            "01.03.2027;-50,00;NOK;;Gebyr;BANKREF-2\n")  # fmt: skip
    assert _import(app, text.encode(), "bank.csv") == [(uib[1], 150_000_00, bank.MATCHED)]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>",
         "statement_not_camt"),
        (b"<Document xmlns='urn:other'/>", "statement_not_camt"),
        (b"date,amount\n2027-01-01,1\n", "statement_missing_columns"),
        (b"date,amount,kid,reference\n2027-01-01,12.345,1,r\n", "statement_bad_amount"),
        (b"\xff\xfe", "statement_not_text"),
    ],
)  # fmt: skip
def test_a_bad_statement_is_refused_and_nothing_is_kept(app, data, code):
    with app.app_context():
        with pytest.raises(operations.FinanceError) as info:
            operations.import_statement(data, "x", None)
        assert info.value.code == code
        db.session.rollback()
        assert db.session.scalar(select(BankPayment)) is None


def test_upload_through_the_page(app, client, owner_invoices, make_user, login):
    uib = owner_invoices["Universitetet i Bergen"]
    make_user("okonomi@nettverket.no", role="finance", name="Økonomi")
    login("okonomi@nettverket.no")
    html = client.get("/finance/bank").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(html),
        "file": (io.BytesIO(camt053([("100.00", uib[1], "UiB")])), "camt.xml"),
    }
    assert (
        client.post("/finance/bank", data=data, content_type="multipart/form-data").status_code
        == 302
    )
    page = client.get("/finance/bank").get_data(as_text=True)
    assert "Delbetaling" in page and uib[1] in page
    data["file"] = (io.BytesIO(camt053([("100.00", uib[1], "UiB")])), "camt.xml")
    again = client.post("/finance/bank", data=data, content_type="multipart/form-data")
    assert again.status_code == 422 and "allerede importert" in again.get_data(as_text=True)


def test_overdue_invoices_are_listed_and_each_reminder_goes_once(
    app, client, submit, smtp, paying_invoice, make_user, login
):
    invoice_id = paying_invoice(due_days_ago=3)
    make_user("okonomi@nettverket.no", role="finance", name="Økonomi")
    login("okonomi@nettverket.no")
    page = client.get("/finance/register?status=overdue").get_data(as_text=True)
    assert "Forfalt" in page and "Send purring 1" in page
    response = submit(
        f"/finance/invoices/{invoice_id}/remind",
        {"number": "1"},
        page="/finance/register?status=overdue",
    )
    assert response.status_code == 302
    twice = submit(
        f"/finance/invoices/{invoice_id}/remind",
        {"number": "1"},
        page="/finance/register?status=overdue",
    )
    assert twice.status_code == 302
    reminders = [m for m in smtp.to("faktura@ntnu.no") if m["Subject"].startswith("Purring 1")]
    assert len(reminders) == 1
    names = {part.get_filename() for part in reminders[0].iter_attachments()}
    assert names == {"faktura-1.pdf", "faktura-1.xml"}
    with app.app_context():
        assert [r.number for r in db.session.scalars(select(InvoiceReminder))] == [1]
    page = client.get("/finance/register?status=overdue").get_data(as_text=True)
    assert "Send purring 2" in page
