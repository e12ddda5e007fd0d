"""`debiteuren bank` on real files: a CAMT.053 statement written from the published layout,
a workbook written to disk, the result read back from the workbook."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from addin import schema
from addin.adapters.bank.files import read_bank_file
from addin.adapters.bank.job import BankFileError, PaymentRows, import_bank, payment_row
from addin.adapters.workbook.book_writer import write_book
from addin.adapters.workbook.reader import read_book
from addin.adapters.workbook.xlsx_patch import Patch, apply_patch
from addin.cli import main
from addin.core.plan import plan_book
from tests.core.booktext import book

BOOK = """
[klanten]
| klant | naam      | soort    | segment | iban               |
| K1    | Jansen BV | Zakelijk | C       | NL91ABNA0417164300 |
| K2    | Groot BV  | Zakelijk | C       |                    |
[facturen]
| factuur   | klant | factuurdatum | vervaldatum | bedrag  | betalingskenmerk |
| 2026-0101 | K1    | 2026-09-01   | 2026-10-01  | 1210.00 | 5000056789012345 |
| 2026-0102 | K2    | 2026-09-01   | 2026-10-01  | 500.00  |                  |
| 2026-0103 | K2    | 2026-09-01   | 2026-10-01  | 750.00  |                  |
"""

ENTRY = """
      <Ntry>
        <Amt Ccy="EUR">{amount}</Amt>
        <CdtDbtInd>{sign}</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-11-23</Dt></BookgDt>
        <ValDt><Dt>2026-11-23</Dt></ValDt>
        <AcctSvcrRef>{ref}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <Amt Ccy="EUR">{amount}</Amt>
          <CdtDbtInd>{sign}</CdtDbtInd>
          <RltdPties>
            <Dbtr><Pty><Nm>{name}</Nm></Pty></Dbtr>
            <DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct>
            <Cdtr><Pty><Nm>Installatiebedrijf Test BV</Nm></Pty></Cdtr>
            <CdtrAcct><Id><IBAN>NL44RABO0123456789</IBAN></Id></CdtrAcct>
          </RltdPties>
          <RmtInf>{remittance}</RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>"""


def camt(entries: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>TEST-1</MsgId><CreDtTm>2026-11-24T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-1</Id>
      <CreDtTm>2026-11-24T06:00:00</CreDtTm>
      <Acct><Id><IBAN>NL44RABO0123456789</IBAN></Id><Ccy>EUR</Ccy></Acct>
      {entries}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


STATEMENT = camt(
    ENTRY.format(amount="1210.00", sign="CRDT", ref="R1", name="JANSEN BV",
                 iban="NL91ABNA0417164300",
                 remittance="<Strd><CdtrRefInf><Ref>5000056789012345</Ref></CdtrRefInf></Strd>")
    + ENTRY.format(amount="500.00", sign="CRDT", ref="R2", name="GROOT BV",
                   iban="NL20INGB0001234567", remittance="<Ustrd>Factuur 2026-0102</Ustrd>")
    + ENTRY.format(amount="99.99", sign="CRDT", ref="R3",
                   name="=HYPERLINK(&quot;http://x&quot;)", iban="NL38RABO0300000001",
                   remittance="<Ustrd>=1+1 onbekend</Ustrd>")
    + ENTRY.format(amount="45.00", sign="DBIT", ref="R4", name="Leverancier",
                   iban="NL11RABO0300000002", remittance="<Ustrd>inkoop</Ustrd>")
)  # fmt: skip


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(BOOK), workbook)
    statement = tmp_path / "november.xml"
    statement.write_text(STATEMENT, encoding="utf-8")
    return workbook, statement


def run(capsys, *args) -> tuple[int, dict]:
    code = main([str(a) for a in args])
    return code, json.loads(capsys.readouterr().out)


def test_bank_import_matches_and_writes_betalingen(capsys, files):
    workbook, statement = files
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert code == 0
    assert (data["regels"], data["nieuw"]) == (4, 4)
    assert (data["gekoppeld"], data["controleren"], data["genegeerd"]) == (2, 1, 1)
    b, problems = read_book(workbook)
    assert problems == ()
    assert len(b.payments) == 4
    actions = {a.invoice: a for a in plan_book(b, date(2026, 11, 24)).actions}
    assert actions["2026-0101"].status.value == "betaald"
    assert actions["2026-0102"].status.value == "betaald"
    # Bank text is stored as text, never as a formula.
    ws = openpyxl.load_workbook(workbook)["Betalingen"]
    texts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)
             and c.value.startswith("=")]  # fmt: skip
    assert texts and all(c.data_type == "s" for c in texts)

    code, again = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert (code, again["nieuw"]) == (0, 0)
    assert len(read_book(workbook)[0].payments) == 4


ONE_LINE = camt(
    ENTRY.format(amount="1210.00", sign="CRDT", ref="R1", name="JANSEN BV",
                 iban="NL91ABNA0417164300",
                 remittance="<Strd><CdtrRefInf><Ref>5000056789012345</Ref></CdtrRefInf></Strd>")
)  # fmt: skip


def test_summary_of_one_line_is_singular(capsys, files):
    # "1 regels gelezen" was printed for a statement of one payment (the command line and
    # the ribbon alike).
    workbook, statement = files
    statement.write_text(ONE_LINE, encoding="utf-8")
    assert main(["bank", str(workbook), str(statement), "--datum", "2026-11-24"]) == 0
    exp = "1 regel gelezen uit 1 bestand, 1 nieuw: 1 gekoppeld, 0 controleren, 0 genegeerd."
    assert capsys.readouterr().out.splitlines()[0] == exp


def test_bank_dry_run_and_broken_file_change_nothing(capsys, files, tmp_path):
    workbook, statement = files
    before = workbook.read_bytes()
    code, data = run(capsys, "bank", workbook, statement, "--proef", "--json")
    assert code == 0 and data["proef"] and data["nieuw"] == 4
    assert workbook.read_bytes() == before
    bomb = tmp_path / "bom.xml"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Document>&b;</Document>',
                    encoding="utf-8")  # fmt: skip
    code = main(["bank", str(workbook), str(statement), str(bomb)])
    err = capsys.readouterr().err
    assert code == 2 and "bom.xml" in err and "niets veranderd" in err
    assert workbook.read_bytes() == before


# --- returns, R2 and balances through the real files and the command ----------------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bank"


def test_a_balance_with_a_huge_exponent_is_a_broken_file_not_a_traceback(capsys, tmp_path):
    # The MT940 parser takes "1E+999999999" as the opening balance; abs() of it raised
    # decimal.Overflow (a traceback) in the size check.
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(BOOK), workbook)
    text = (FIXTURES / "mt940-ing-structured.sta").read_text(encoding="utf-8")
    assert text.count(":60F:C261122EUR1000,00") == 1
    statement = tmp_path / "kapot.sta"
    statement.write_text(text.replace("EUR1000,00", "EUR1E+999999999"), encoding="utf-8")
    before = workbook.read_bytes()
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert code == 2 and workbook.read_bytes() == before
    assert data["fout"] == (
        "Bankbestand kapot.sta, saldo :60F:: het bedrag 1E+999999999 is onleesbaar (te groot "
        "voor een bedrag); het bestand is beschadigd of geen echt afschrift. Er is niets "
        "veranderd."
    )


RETURNS_BOOK = """
[klanten]
| klant | naam      | soort    | segment | iban               |
| K1    | Jansen BV | Zakelijk | C       | NL91ABNA0417164300 |
| K2    | Groot BV  | Zakelijk | C       |                    |
| K3    | Klein VOF | Zakelijk | C       |                    |
[facturen]
| factuur   | klant | factuurdatum | vervaldatum | bedrag  |
| 2026-0101 | K1    | 2026-09-01   | 2026-10-01  | 1210.00 |
| 2026-0102 | K2    | 2026-09-01   | 2026-10-01  | 250.00  |
| 2026-0103 | K2    | 2026-09-01   | 2026-10-01  | 500.00  |
| 2026-0104 | K3    | 2026-09-01   | 2026-10-01  | 99.00   |
"""


def _rows(data: dict) -> list[tuple]:
    return [
        (b["factuur"], b["bedrag"], b["status"], b["regel"].split(":")[0], b["klant"])
        for b in data["betalingen"]
    ]


@pytest.mark.parametrize("name", ["camt053-v02-returns.xml", "mt940-ing-structured.sta"])
def test_returns_never_pay_and_the_storno_reopens(capsys, tmp_path, name):
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(RETURNS_BOOK), workbook)
    code, data = run(capsys, "bank", workbook, FIXTURES / name, "--datum", "2026-11-24", "--json")
    assert code == 0 and data["waarschuwingen"] == []
    got = _rows(data)
    assert got[:2] == [
        ("2026-0101", "1210.00", "Gekoppeld", "R3 factuurnummer", "K1"),
        ("2026-0101", "-1210.00", "Gekoppeld", "R0 terugboeking", "K1"),  # re-opened
    ]
    assert ("2026-0103", "500.00", "Gekoppeld", "R2 end-to-end-id", "K2") in got
    # The returned items name open invoices of that exact amount, yet stay to be reviewed.
    assert (None, "99.00", "Controleren", "R0 terugboeking", None) in got
    if name.endswith(".xml"):
        assert (None, "250.00", "Controleren", "R0 terugboeking", None) in got
        assert got[-1] == (None, "-45.00", "Genegeerd", "R0 afschrijving", None)
    b, _ = read_book(workbook)
    actions = {a.invoice: a for a in plan_book(b, date(2026, 11, 24)).actions}
    assert actions["2026-0101"].open_amount == Decimal("1210.00")  # the storno re-opened it
    assert actions["2026-0103"].status.value == "betaald"
    assert actions["2026-0102"].open_amount == Decimal("250.00")  # the RRTN did not pay it


def test_statement_that_does_not_add_up_is_read_with_a_warning(capsys, tmp_path):
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(RETURNS_BOOK), workbook)
    statement = tmp_path / "nov.xml"
    text = (FIXTURES / "camt053-v02-returns.xml").read_text("utf-8")
    statement.write_text(text.replace('"EUR">1804.00<', '"EUR">1904.00<'), "utf-8")
    code, data = run(capsys, "bank", workbook, statement, "--proef", "--json")
    assert code == 0 and data["nieuw"] == 6
    (warning,) = data["waarschuwingen"]
    assert warning["soort"] == "saldo-klopt-niet"
    assert warning["melding"].startswith("Bankbestand nov.xml, afschrift TEST-V02-RET-1:")
    # Nothing is linked, not even the storno that re-opens 2026-0101 in the right file;
    # the bank costs stay Genegeerd.
    assert [(r[2], r[3]) for r in _rows(data)] == [
        ("Controleren", "R0 saldo klopt niet")] * 5 + [("Genegeerd", "R0 afschrijving")
    ]  # fmt: skip
    assert main(["bank", str(workbook), str(statement), "--proef"]) == 0
    out = capsys.readouterr().out
    assert "Let op: Bankbestand nov.xml, afschrift TEST-V02-RET-1" in out
    assert "0 gekoppeld, 5 controleren, 1 genegeerd." in out


# --- a statement off by a cent (fixtures written for it): nothing is linked --------------------

OFF_BY_A_CENT = {
    "camt053-v02-off-by-a-cent.xml": (
        "TEST-V02-CENT-1", ('"EUR">3459.99<', '"EUR">3460.00<'), ("<Id>TEST-V02-CENT-1</Id>",
        "<Id>TEST-V02-CENT-1</Id><StmtPgntn><PgNb>1</PgNb><LastPgInd>false</LastPgInd>"
        "</StmtPgntn>")
    ),
    # page 1 of 2: statement number 00001/1 and an intermediate closing balance (:62M:)
    "mt940-off-by-a-cent.sta": (
        "00001 van 23-11-2026", ("EUR3459,99", "EUR3460,00"),
        (":28C:00001\r\n", ":28C:00001/1\r\n", ":62F:", ":62M:")
    ),
}  # fmt: skip
LINKED_WHEN_RIGHT = [
    ("2026-0101", "1210.00", "Gekoppeld", "R1 betalingskenmerk", "K1"),
    ("2026-0102", "500.00", "Gekoppeld", "R3 factuurnummer", "K2"),
    ("2026-0103", "750.00", "Gekoppeld", "R2 end-to-end-id", "K2"),
]


@pytest.mark.parametrize("name", sorted(OFF_BY_A_CENT))
def test_statement_off_by_a_cent_is_never_linked(capsys, tmp_path, name):
    statement_id, _, _ = OFF_BY_A_CENT[name]
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(BOOK), workbook)
    statement = FIXTURES / name
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert code == 0
    assert (data["gekoppeld"], data["controleren"], data["genegeerd"]) == (0, 3, 0)
    # the invoice and customer a strong rule found stay as the proposal
    assert _rows(data) == [
        (invoice, amount, "Controleren", "R0 saldo klopt niet", customer)
        for invoice, amount, _, _, customer in LINKED_WHEN_RIGHT
    ]
    figures = (
        f"R0 saldo klopt niet: afschrift {statement_id}: beginsaldo € 1.000,00 + boekingen "
        "€ 2.460,00 = € 3.460,00, eindsaldo € 3.459,99; bij een kloppend saldo: "
    )
    regels = [b["regel"] for b in data["betalingen"]]
    assert regels[0] == figures + (
        "R1 betalingskenmerk: kenmerk 5000056789012345 van factuur 2026-0101, bedrag gelijk "
        "aan open € 1.210,00"
    )
    assert all(r.startswith(figures) for r in regels)
    (warning,) = data["waarschuwingen"]
    assert warning["soort"] == "saldo-klopt-niet" and statement_id in warning["melding"]
    b, problems = read_book(workbook)
    assert problems == () and data["geleerd"] == []
    assert [c.ibans for c in b.customers] == [("NL91ABNA0417164300",), ()]  # nothing learnt
    actions = {a.invoice: a for a in plan_book(b, date(2026, 11, 24)).actions}
    assert all(actions[n].status.value != "betaald" for n in ("2026-0101", "2026-0102"))
    # Importing it again adds nothing; nor does the corrected file (the same keys).
    fixed = tmp_path / name
    _write_changed(statement, fixed, OFF_BY_A_CENT[name][1])
    for again in (statement, fixed):
        code, data = run(capsys, "bank", workbook, again, "--datum", "2026-11-24", "--json")
        assert (code, data["nieuw"], data["betalingen"]) == (0, 0, [])


@pytest.mark.parametrize("name", sorted(OFF_BY_A_CENT))
@pytest.mark.parametrize("how", ["balances right", "page 1 of 2"])
def test_the_same_statement_adding_up_or_partial_links_as_before(capsys, tmp_path, name, how):
    _, right, partial = OFF_BY_A_CENT[name]
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(BOOK), workbook)
    statement = tmp_path / name
    _write_changed(FIXTURES / name, statement, right if how == "balances right" else partial)
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert code == 0 and data["waarschuwingen"] == []
    assert _rows(data) == LINKED_WHEN_RIGHT
    actions = {a.invoice: a for a in plan_book(read_book(workbook)[0], date(2026, 11, 24)).actions}
    assert actions["2026-0101"].status.value == "betaald"


def _write_changed(source: Path, target: Path, changes: tuple[str, ...]) -> None:
    """`source` with each (old, new) pair of `changes` replaced once, written to `target`."""
    text = source.read_bytes().decode("utf-8")
    for old, new in zip(changes[0::2], changes[1::2], strict=True):
        assert old in text, old
        text = text.replace(old, new, 1)
    target.write_bytes(text.encode("utf-8"))


# --- the job behind both front doors (adapters/bank_job.py) ------------------------------------


def test_import_bank_returns_the_patch_without_writing(tmp_path):
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(RETURNS_BOOK), workbook)
    before = workbook.read_bytes()
    b, _ = read_book(workbook)
    result = import_bank(b, [FIXTURES / "camt053-v02-returns.xml"], date(2026, 11, 24))
    assert workbook.read_bytes() == before  # nothing written
    assert (result.lines, result.new_lines) == (6, 6)
    assert result.counts == {"Gekoppeld": 3, "Controleren": 2, "Genegeerd": 1}
    assert result.payments[0].rule == (
        "R3 factuurnummer: factuur 2026-0101 in de omschrijving, bedrag gelijk aan open € 1.210,00"
    )
    assert result.changes and result.warnings == ()
    ((table, rows),) = result.patch.append
    assert table == "tblBetalingen" and [r["Sleutel"] for r in rows][:2] == [
        "camt:NL44RABO0123456789:RET-1",
        "camt:NL44RABO0123456789:RET-2",
    ]
    # the rows are made from the payments on demand: each row is payment_row, each column
    # the same values in one pass, and a slice is rows again
    exp = [payment_row(p) for p in result.payments]
    assert isinstance(rows, PaymentRows) and len(rows) == len(exp) == 6
    assert [rows[k] for k in range(len(rows))] == list(rows) == exp
    assert {h: rows.column(h) for h in rows.headers} == {h: [r[h] for r in exp] for h in exp[0]}
    assert list(rows[2:4]) == exp[2:4] and rows[-1] == exp[-1]
    assert [name for name, _ in result.patch.replace_sheet] == ["Werklijst", "Overzicht"]
    # the R2 payer's account is learnt from this run's own Gekoppeld row, in the same write
    assert result.learned_ibans == (("K2", "NL20INGB0001234567"),)
    apply_patch(workbook, result.patch)
    after, problems = read_book(workbook)
    assert problems == () and after.payments == tuple(
        replace(p, row=q.row) for p, q in zip(result.payments, after.payments, strict=True)
    )
    assert "NL20INGB0001234567" in next(c for c in after.customers if c.number == "K2").ibans
    # so re-importing the same file changes nothing at all.
    again = import_bank(after, [FIXTURES / "camt053-v02-returns.xml"], date(2026, 11, 24))
    assert (again.new_lines, again.learned_ibans) == (0, ())
    assert (again.changes, again.patch) == (False, Patch())


def test_import_bank_learns_a_confirmed_payer_account(tmp_path):
    workbook = tmp_path / "Debiteuren.xlsx"
    confirmed = (
        RETURNS_BOOK
        + """
[betalingen]
| datum      | bedrag | factuur   | klant | tegenrekening      | status    | sleutel |
| 2026-11-02 | 99.00  | 2026-0104 | K3    | NL38RABO0300000001 | Gekoppeld | hand-1  |
"""
    )
    write_book(book(confirmed), workbook)
    b, _ = read_book(workbook)
    result = import_bank(b, [], date(2026, 11, 24))
    assert result.learned_ibans == (("K3", "NL38RABO0300000001"),)
    assert result.patch.set_cells == (
        ("tblKlanten", "Klantnummer", "K3", {"IBAN": "NL38RABO0300000001"}),
    )
    apply_patch(workbook, result.patch)
    assert read_book(workbook)[0].customers[2].ibans == ("NL38RABO0300000001",)


def test_import_bank_refuses_a_bad_file_before_matching(tmp_path):
    broken = tmp_path / "kapot.xml"
    data = (FIXTURES / "camt053-v02-returns.xml").read_bytes()
    broken.write_bytes(data[: len(data) // 2])
    with pytest.raises(BankFileError, match=r"kapot\.xml.*beschadigd"):
        import_bank(book(RETURNS_BOOK), [FIXTURES / "camt053-v02-returns.xml", broken],
                    date(2026, 11, 24))  # fmt: skip


def test_instalments_through_the_command(capsys, tmp_path):
    """R5 on a real file: the instalment is Gekoppeld, a part of one goes to Controleren, and
    the workbook's plan sees the arrangement running again."""
    arrangement = (
        BOOK
        + """
[afspraken]
| afspraak | klant | facturen  | soort    | datum afspraak | bedrag  | betaaldatum | aantal termijnen |
| A1       | K2    | 2026-0103 | Regeling | 2026-11-01     | 750.00  | 2026-11-20  | 3                |
"""
    )
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(arrangement), workbook)
    statement = tmp_path / "termijnen.xml"
    statement.write_text(
        camt(
            ENTRY.format(amount="250.00", sign="CRDT", ref="T1", name="GROOT BV",
                         iban="NL20INGB0001234567",
                         remittance="<Ustrd>termijn 1 factuur 2026-0103</Ustrd>")
            + ENTRY.format(amount="100.00", sign="CRDT", ref="T2", name="GROOT BV",
                           iban="NL20INGB0001234567",
                           remittance="<Ustrd>deel termijn 2 factuur 2026-0103</Ustrd>")
        ),
        encoding="utf-8",
    )  # fmt: skip
    b = read_book(workbook)[0]
    assert dict(plan_book(b, date(2026, 11, 24)).agreement_states)["A1"].value == "gemist"
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert code == 0
    assert _rows(data) == [
        ("2026-0103", "250.00", "Gekoppeld", "R5 termijn", "K2"),
        ("2026-0103", "100.00", "Controleren", "R5 termijn", "K2"),
    ]
    assert "termijn 1 van afspraak A1 (€ 250,00)" in data["betalingen"][0]["regel"]
    assert "past niet bij afspraak A1: open termijn € 250,00" in data["betalingen"][1]["regel"]
    b = read_book(workbook)[0]
    assert dict(plan_book(b, date(2026, 11, 24)).agreement_states)["A1"].value == "loopt"


def _review_rows(workbook: Path) -> tuple[dict[int, tuple[Decimal, str]], list[str]]:
    """Betalingen's Controleren rows (sheet row -> amount, Sleutel) and every Werklijst text
    that sends the user to a Betalingen row, as the written workbook has them."""
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Betalingen"]
    header = [c.value for c in ws[1]]
    status, amount, key = (header.index(h) for h in ("Status", "Bedrag", "Sleutel"))
    review = {
        row[0].row: (Decimal(str(row[amount].value)).quantize(Decimal("0.01")), row[key].value)
        for row in ws.iter_rows(min_row=2)
        if row[status].value == "Controleren"
    }
    texts = [
        c.value
        for row in wb["Werklijst"].iter_rows()
        for c in row
        if isinstance(c.value, str) and "Betalingen rij" in c.value
    ]
    return review, texts


REVIEW_LINE = camt(
    ENTRY.format(amount="750.00", sign="CRDT", ref="R9", name="ONBEKEND",
                 iban="NL38RABO0300000001", remittance="<Ustrd>betaling</Ustrd>")
)  # fmt: skip


def test_werklijst_names_the_betalingen_row_an_imported_payment_is_written_to(capsys, files):
    """A payment to check that this very import adds is named by the row it is written to
    (it was 'Betalingen rij 0': the plan is made before the write): below the rows already
    there, and into an empty Betalingen table (Excel's one empty row is filled)."""
    workbook, statement = files
    later = statement.with_name("later.xml")
    later.write_text(REVIEW_LINE, encoding="utf-8")
    code, _ = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert code == 0  # four lines: rows 2 to 5 of the empty table
    code, _ = run(capsys, "bank", workbook, later, "--datum", "2026-11-24", "--json")
    assert code == 0
    review, texts = _review_rows(workbook)
    # The 750.00 line is row 6, and invoice 2026-0103 (750.00, open) waits for it.
    assert review[6] == (Decimal("750.00"), "camt:NL44RABO0123456789:R9")
    assert texts and all(t.endswith("nog controleren in Betalingen rij 6") for t in texts)

    fresh = statement.with_name("leeg.xlsx")
    write_book(book(BOOK), fresh)
    code, _ = run(capsys, "bank", fresh, later, "--datum", "2026-11-24", "--json")
    assert code == 0
    review, texts = _review_rows(fresh)
    assert review.keys() == {2}
    assert texts and all(t.endswith("Betalingen rij 2") for t in texts)


# --- a statement of another account than Instellingen IBAN ----------------------------------


def test_statement_of_another_account_is_read_but_never_linked(capsys, tmp_path):
    # A private account's export was matched to invoices without a word: the user picked
    # the wrong file. Now it is read as a statement that does not add up is: a warning
    # per file and account, and its receipts in Controleren with what was found proposed.
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(BOOK, iban="NL81 RABO 0312 3456 78"), workbook)
    statement = tmp_path / "prive.xml"
    statement.write_text(STATEMENT, encoding="utf-8")
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert code == 0
    assert (data["gekoppeld"], data["controleren"], data["genegeerd"]) == (0, 3, 1)
    assert [r[:4] for r in _rows(data)] == [
        ("2026-0101", "1210.00", "Controleren", "R0 andere rekening"),
        ("2026-0102", "500.00", "Controleren", "R0 andere rekening"),
        (None, "99.99", "Controleren", "R0 andere rekening"),
        (None, "-45.00", "Genegeerd", "R0 afschrijving"),
    ]
    assert data["betalingen"][0]["regel"] == (
        "R0 andere rekening: afschrift van rekening NL44RABO0123456789, niet van de IBAN in "
        "Instellingen; bij de eigen rekening: R1 betalingskenmerk: kenmerk 5000056789012345 "
        "van factuur 2026-0101, bedrag gelijk aan open € 1.210,00"
    )
    (warning,) = data["waarschuwingen"]
    assert warning["soort"] == "andere-rekening"
    assert warning["melding"].startswith(
        "Bankbestand prive.xml is van rekening NL44RABO0123456789, niet van uw rekening "
        "NL81RABO0312345678 uit Instellingen."
    )
    assert data["geleerd"] == []
    actions = {a.invoice: a for a in plan_book(read_book(workbook)[0], date(2026, 11, 24)).actions}
    assert actions["2026-0101"].status.value != "betaald"
    # The command line says it too.
    other = tmp_path / "prive2.xml"
    other.write_text(STATEMENT.replace("<Id>STMT-1</Id>", "<Id>STMT-2</Id>")
                     .replace("R1<", "X1<").replace("R2<", "X2<").replace("R3<", "X3<")
                     .replace("R4<", "X4<"), encoding="utf-8")  # fmt: skip
    assert main(["bank", str(workbook), str(other), "--datum", "2026-11-24", "--proef"]) == 0
    out = capsys.readouterr().out
    assert "  Let op: Bankbestand prive2.xml is van rekening NL44RABO0123456789, niet van " in out


@pytest.mark.parametrize("own", ["NL44 RABO 0123 4567 89", "nl44rabo0123456789", ""])
def test_statement_of_the_own_account_or_without_one_in_instellingen_links_as_before(
    capsys, tmp_path, own
):
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(BOOK, iban=own), workbook)
    statement = tmp_path / "november.xml"
    statement.write_text(STATEMENT, encoding="utf-8")
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert code == 0 and data["waarschuwingen"] == []
    assert (data["gekoppeld"], data["controleren"], data["genegeerd"]) == (2, 1, 1)


# --- own accounts: Instellingen "Eigen rekeningen" and transfers between them ---------------

# shared/ sits beside the repository; the samples are others' files, not ours.
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "samples" / "bank"
if not SAMPLES.is_dir():
    SAMPLES = Path("/work/shared/samples/bank")
# ASN's public MT940 sample: account NL81ASNB9999999999, with two "INTERNE OVERBOEKING VIA
# MOBIEL" from NL56ASNB9999999999 (a savings account) among card payments and costs.
ASN = SAMPLES / "mt940" / "asnb-0708271685_09022020_164516.940.txt"

# The Excel row write_book gives Eigen rekeningen: Instellingen in schema order from row 2.
EIGEN_REKENINGEN_ROW = 2 + [f for f, _ in schema.SETTINGS].index("own_accounts")

ASN_BOOK = """
[klanten]
| klant | naam     | soort    | segment | iban |
| K1    | Groot BV | Zakelijk | C       |      |
[facturen]
| factuur   | klant | factuurdatum | vervaldatum | bedrag  |
| 2019-0101 | K1    | 2019-12-01   | 2020-01-01  | 1000.00 |
| 2019-0102 | K1    | 2019-12-01   | 2020-01-01  | 250.00  |
[betalingen]
| datum      | bedrag | factuur   | klant | tegenrekening      | status    | sleutel |
| 2019-12-20 | 250.00 | 2019-0102 | K1    | NL56ASNB9999999999 | Gekoppeld | hand-1  |
"""


@pytest.mark.skipif(not ASN.is_file(), reason="shared samples not present")
def test_a_transfer_from_an_own_account_is_never_a_customer_payment(capsys, tmp_path):
    # The savings account's two transfers went to Controleren as "geen factuur of klant
    # herkend", and the one of exactly € 1.000,00 held invoice 2019-0101 at bank-controleren
    # (an unreviewed receipt of its open amount); a transfer the user had linked by mistake
    # (hand-1) taught K1 the savings account as a payer account.
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(
        book(ASN_BOOK, iban="NL81ASNB9999999999", own_accounts=("NL56ASNB9999999999",)),
        workbook,
    )
    code, data = run(capsys, "bank", workbook, ASN, "--datum", "2020-02-10", "--json")
    assert [r[1:4] for r in _rows(data)] == [
        ("-65.00", "Genegeerd", "R0 afschrijving"),
        ("1000.00", "Genegeerd", "R0 eigen rekening"),
        ("-801.55", "Genegeerd", "R0 afschrijving"),
        ("-1.65", "Genegeerd", "R0 afschrijving"),
        ("828.72", "Controleren", "R6 controleren"),
        ("-1000.00", "Genegeerd", "R0 afschrijving"),
        ("1000.18", "Genegeerd", "R0 eigen rekening"),
        ("-903.76", "Genegeerd", "R0 afschrijving"),
    ]
    assert data["betalingen"][1]["regel"] == (
        "R0 eigen rekening: overboeking van uw eigen rekening NL56ASNB9999999999 (IBAN of "
        "Eigen rekeningen in Instellingen), geen betaling van een klant"
    )
    assert all(b["factuur"] is None and b["klant"] is None for b in data["betalingen"])
    assert (data["geleerd"], data["waarschuwingen"]) == ([], [])
    after, _ = read_book(workbook)
    assert after.customers[0].ibans == ()
    actions = {a.invoice: a for a in plan_book(after, date(2020, 2, 10)).actions}
    assert actions["2019-0101"].action.value != "bank-controleren"
    # The sample's accounts are anonymised (check digits wrong): reported on the row of
    # Eigen rekeningen, column Waarde, as any wrong IBAN there, but never refused.
    assert code == 1
    assert [p for p in data["problemen"] if p["rij"] == EIGEN_REKENINGEN_ROW] == [
        {
            "blad": "Instellingen",
            "rij": EIGEN_REKENINGEN_ROW,
            "kolom": "Waarde",
            "melding": "IBAN 'NL56ASNB9999999999' bij Eigen rekeningen is geen geldig IBAN "
            "(de controlecijfers kloppen niet); controleer het nummer",
        }
    ]


def test_a_statement_of_an_own_account_links_as_one_of_the_iban(capsys, tmp_path):
    # A second business account's statement went to Controleren as "R0 andere rekening":
    # now it is read as Instellingen IBAN's, whichever of the accounts listed it is, typed
    # as Klanten.IBAN is (comma separated, spaces and case free).
    workbook = tmp_path / "Debiteuren.xlsx"
    owns = ("NL02ABNA0123456789", "nl44 rabo 0123 4567 89")
    write_book(book(BOOK, iban="NL81 RABO 0312 3456 78", own_accounts=owns), workbook)
    assert read_book(workbook)[0].settings.own_accounts == (
        "NL02ABNA0123456789", "NL44RABO0123456789"
    )  # fmt: skip
    statement = tmp_path / "spaarrekening.xml"
    statement.write_text(STATEMENT, encoding="utf-8")
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert (code, data["waarschuwingen"], data["problemen"]) == (0, [], [])
    assert [r[:4] for r in _rows(data)] == [
        ("2026-0101", "1210.00", "Gekoppeld", "R1 betalingskenmerk"),
        ("2026-0102", "500.00", "Gekoppeld", "R3 factuurnummer"),
        (None, "99.99", "Controleren", "R6 controleren"),
        (None, "-45.00", "Genegeerd", "R0 afschrijving"),
    ]


def test_a_statement_of_none_of_the_own_accounts_names_them_all(capsys, tmp_path):
    workbook = tmp_path / "Debiteuren.xlsx"
    owns = ("NL02ABNA0123456789", "NL36INGB0007654321")
    write_book(book(BOOK, iban="NL81RABO0312345678", own_accounts=owns), workbook)
    statement = tmp_path / "prive.xml"
    statement.write_text(STATEMENT, encoding="utf-8")
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert (code, data["gekoppeld"], data["controleren"], data["genegeerd"]) == (0, 0, 3, 1)
    (warning,) = data["waarschuwingen"]
    assert warning["melding"].startswith(
        "Bankbestand prive.xml is van rekening NL44RABO0123456789, niet van uw rekening "
        "NL81RABO0312345678, NL02ABNA0123456789 of NL36INGB0007654321 uit Instellingen."
    )
    assert "zet die dan bij Eigen rekeningen in Instellingen" in warning["melding"]
    assert data["betalingen"][0]["regel"].startswith(
        "R0 andere rekening: afschrift van rekening NL44RABO0123456789, niet van de IBAN of "
        "Eigen rekeningen in Instellingen; bij de eigen rekening: R1 betalingskenmerk"
    )


def test_eigen_rekeningen_that_is_no_account_number_is_a_problem_on_its_row(capsys, tmp_path):
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(BOOK, own_accounts=("spaarrekening (ING)",)), workbook)
    assert main(["controleer", str(workbook), "--datum", "2026-11-24", "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problemen"]
    assert [p for p in problems if p["rij"] == EIGEN_REKENINGEN_ROW] == [
        {
            "blad": "Instellingen",
            "rij": EIGEN_REKENINGEN_ROW,
            "kolom": "Waarde",
            "melding": f"Instellingen!B{EIGEN_REKENINGEN_ROW}: 'spaarrekening (ING)' is geen rekeningnummer; "
            "verwacht een IBAN zoals NL91 ABNA 0417 1643 00, meerdere gescheiden door "
            "komma's. Eigen rekeningen blijft leeg.",
        }
    ]


# --- ING's CSV in English -------------------------------------------------------------------

# The header as two public parsers of ING's English export give it (files._ING_HEADER_EN).
ENGLISH_CSV = (
    '"Date";"Name / Description";"Account";"Counterparty";"Code";"Debit/credit";'
    '"Amount (EUR)";"Transaction type";"Notifications";"Resulting balance";"Tag"\n'
    '"20261123";"GROOT BV";"NL69INGB0123456789";"NL20INGB0001234567";"OV";"Credit";"500,00";'
    '"Transfer";"Name: GROOT BV Description: Factuur 2026-0102 IBAN: NL20INGB0001234567";'
    '"1500,00";""\n'
    '"20261123";"Leverancier";"NL69INGB0123456789";"NL11RABO0300000002";"IC";"Debit";"45,00";'
    '"SEPA direct debit";"inkoop";"1455,00";""\n'
)


def test_ing_csv_in_english_is_matched_as_the_dutch(capsys, files, tmp_path):
    workbook, _ = files
    statement = tmp_path / "NL69INGB0123456789_01-11-2026_23-11-2026.csv"
    statement.write_text(ENGLISH_CSV, encoding="utf-8")
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert code == 0
    assert _rows(data) == [
        ("2026-0102", "500.00", "Gekoppeld", "R3 factuurnummer", "K2"),
        (None, "-45.00", "Genegeerd", "R0 afschrijving", None),
    ]
    code, again = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert (code, again["nieuw"]) == (0, 0)


def test_a_zip_of_statements_names_the_file_inside_and_counts_its_files(capsys, tmp_path):
    # A ZIP of a private account's statement and the own one: the "andere rekening" warning
    # named the ZIP ("a.zip"), not the statement in it, and the summary said "uit 1 bestand"
    # for the two statements in it. Other bank messages name "a.zip/nov.xml".
    import zipfile

    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(BOOK, iban="NL81 RABO 0312 3456 78"), workbook)
    own = (STATEMENT.replace("NL44RABO0123456789</IBAN></Id><Ccy>", "NL81RABO0312345678</IBAN>"
                             "</Id><Ccy>").replace("<Id>STMT-1</Id>", "<Id>STMT-2</Id>")
           .replace("R1<", "X1<").replace("R2<", "X2<").replace("R3<", "X3<")
           .replace("R4<", "X4<"))  # fmt: skip
    package = tmp_path / "a.zip"
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("eigen.xml", own)
        z.writestr("nov.xml", STATEMENT)
    code, data = run(capsys, "bank", workbook, package, "--datum", "2026-11-24", "--json",
                     "--proef")  # fmt: skip
    assert code == 0
    (warning,) = data["waarschuwingen"]
    assert warning["soort"] == "andere-rekening"
    assert warning["melding"].startswith(
        "Bankbestand a.zip/nov.xml is van rekening NL44RABO0123456789, niet van uw rekening "
    )
    assert main(["bank", str(workbook), str(package), "--datum", "2026-11-24", "--proef"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("8 regels gelezen uit 2 bestanden, ")
    assert "  Let op: Bankbestand a.zip/nov.xml is van rekening NL44RABO0123456789" in out
    # A ZIP and a file beside it: three files.
    single = tmp_path / "los.xml"
    single.write_text(ONE_LINE.replace("<Id>STMT-1</Id>", "<Id>STMT-3</Id>")
                      .replace("R1<", "Y1<"), encoding="utf-8")  # fmt: skip
    args = ["bank", str(workbook), str(package), str(single), "--datum", "2026-11-24", "--proef"]
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("9 regels gelezen uit 3 bestanden, ")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_utf16_csv_without_byte_order_mark_is_read_as_with_one(capsys, files, tmp_path, encoding):
    # It was refused as "onbekend formaat": only a byte order mark said UTF-16.
    workbook, _ = files
    statement = tmp_path / "NL69INGB0123456789_01-11-2026_23-11-2026.csv"
    statement.write_bytes(ENGLISH_CSV.encode(encoding))
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert code == 0, data
    assert _rows(data) == [
        ("2026-0102", "500.00", "Gekoppeld", "R3 factuurnummer", "K2"),
        (None, "-45.00", "Genegeerd", "R0 afschrijving", None),
    ]


# --- blank lines before the header -----------------------------------------------------------

# The same two days as ENGLISH_CSV, exported with Mijn ING in Dutch.
DUTCH_CSV = (
    '"Datum";"Naam / Omschrijving";"Rekening";"Tegenrekening";"Code";"Af Bij";"Bedrag (EUR)";'
    '"Mutatiesoort";"Mededelingen";"Saldo na mutatie";"Tag"\n'
    '"20261123";"GROOT BV";"NL69INGB0123456789";"NL20INGB0001234567";"OV";"Bij";"500,00";'
    '"Overschrijving";"Naam: GROOT BV Omschrijving: Factuur 2026-0102 IBAN: NL20INGB0001234567";'
    '"1500,00";""\n'
    '"20261123";"Leverancier";"NL69INGB0123456789";"NL11RABO0300000002";"IC";"Af";"45,00";'
    '"Incasso";"inkoop";"1455,00";""\n'
)


@pytest.mark.parametrize(
    "before",
    ["\n\n", "\ufeff\r\n\r\n", "\ufeff;;;;;;;;;;\n;;;;;;;;;;\n", " \t\n\n"],
    ids=["blank-lines", "bom-then-blank-lines", "excel-saved-empty-rows", "spaces"],
)
def test_a_csv_starting_with_blank_lines_is_read_and_names_the_lines_of_the_file(
    capsys, files, tmp_path, before
):
    # It was refused: "onbekend formaat", or "de kolomkoppen horen niet bij een bekende
    # CSV-export" (the empty first line taken as the header).
    workbook, _ = files
    statement = tmp_path / "NL69INGB0123456789_01-11-2026_23-11-2026.csv"
    statement.write_text(before + DUTCH_CSV, encoding="utf-8")
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json",
                     "--proef")  # fmt: skip
    assert code == 0, data
    assert _rows(data) == [
        ("2026-0102", "500.00", "Gekoppeld", "R3 factuurnummer", "K2"),
        (None, "-45.00", "Genegeerd", "R0 afschrijving", None),
    ]
    # A message names the line of the file as it is, blank lines counted: the second
    # transaction is on line 5.
    statement.write_text(before + DUTCH_CSV.replace('"45,00"', '"45,x0"'), encoding="utf-8")
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert code == 2
    assert data["fout"] == (
        f"Bankbestand {statement.name}: regel 5 heeft een ongeldig bedrag '45,x0'. "
        "Er is niets veranderd."
    )


# --- the same days exported in Dutch and in English ------------------------------------------


def _payments_read_back(workbook: Path) -> list[tuple[str, str, str, str]]:
    b, problems = read_book(workbook)
    assert problems == ()
    return sorted((p.date.isoformat(), str(p.amount), p.counter_account, p.key) for p in b.payments)


# The same days in two exports of one bank: each line the same Sleutel in both, so the
# second adds nothing, whichever comes first.
# - ING in Dutch and in English, five transactions (the last two the same payment twice):
#   the texts differ ("Naam:"/"Name:", "Overschrijving"/"Transfer", the value date
#   23-11-2026/23/11/2026), and so did the Sleutel: every line came in again.
# - Rabobank in Dutch and in English, three lines: the English one was refused ("de
#   kolomkoppen horen niet bij een bekende CSV-export"); the Seq No is the Volgnr.
# - ABN AMRO's MT940 and its TXT, five transactions: a hash of what both give alike.
SAME_DAYS = [
    ("ing.csv", "ing-engels.csv", 5),
    ("rabobank.csv", "rabobank-engels.csv", 3),
    ("abnamro.sta", "abnamro.tab", 5),
]


@pytest.mark.parametrize(
    ("first", "second", "lines"),
    [*SAME_DAYS, *((b, a, n) for a, b, n in SAME_DAYS)],
    ids=[
        "ing-dutch-then-english", "rabobank-dutch-then-english", "abnamro-mt940-then-tab",
        "ing-english-then-dutch", "rabobank-english-then-dutch", "abnamro-tab-then-mt940",
    ],
)  # fmt: skip
def test_the_same_days_in_two_exports_of_one_bank_import_once(capsys, files, first, second, lines):
    workbook, _ = files
    code, data = run(capsys, "bank", workbook, FIXTURES / first, "--datum", "2026-11-24",
                     "--json")  # fmt: skip
    assert (code, data["regels"], data["nieuw"]) == (0, lines, lines)
    once = _payments_read_back(workbook)
    assert len(once) == lines and len({key for *_, key in once}) == lines
    code, data = run(capsys, "bank", workbook, FIXTURES / second, "--datum", "2026-11-24",
                     "--json")  # fmt: skip
    assert (code, data["regels"], data["nieuw"], data["betalingen"]) == (0, lines, 0, [])
    assert _payments_read_back(workbook) == once


def _ing_line(day: str, amount: str, counter: str, description: str, english: bool) -> str:
    direction, kind = ("Credit", "Transfer") if english else ("Bij", "Overschrijving")
    return (
        f'"{day}";"GROOT BV";"NL69INGB0123456789";"{counter}";"OV";"{direction}";"{amount}";'
        f'"{kind}";"{description}";"0,00";""\n'
    )


def test_different_payments_alike_on_one_day_all_import_in_either_language(capsys, files):
    # One payer, one day, one amount: other invoice numbers, the same payment made twice,
    # and texts that differ in letters only. Each is a payment of its own, in Dutch and in
    # English; the other language's export of the same day adds none of them again.
    workbook, statement = files
    descriptions = {
        "Factuur 2026-0102": "Factuur 2026-0102",
        "Factuur 2026-0103": "Factuur 2026-0103",
        "Naam: GROOT BV Omschrijving: Factuur 2026-0102": "Name: GROOT BV Description: Factuur 2026-0102",
        "nogmaals": "nogmaals",
        "restant": "restant",
    }  # fmt: skip
    dutch = DUTCH_CSV.split("\n")[0] + "\n"
    english = ENGLISH_CSV.split("\n")[0] + "\n"
    for nl, en in descriptions.items():
        dutch += _ing_line("20261123", "100,00", "NL20INGB0001234567", nl, english=False)
        english += _ing_line("20261123", "100,00", "NL20INGB0001234567", en, english=True)
    # The third again: the same payment made twice that day.
    dutch += _ing_line("20261123", "100,00", "NL20INGB0001234567", "Factuur 2026-0102", False)
    english += _ing_line("20261123", "100,00", "NL20INGB0001234567", "Factuur 2026-0102", True)
    statement.with_suffix(".nl.csv").write_text(dutch, encoding="utf-8")
    statement.with_suffix(".en.csv").write_text(english, encoding="utf-8")
    code, data = run(capsys, "bank", workbook, statement.with_suffix(".nl.csv"), "--datum",
                     "2026-11-24", "--json")  # fmt: skip
    assert (code, data["regels"], data["nieuw"]) == (0, 6, 6)
    code, data = run(capsys, "bank", workbook, statement.with_suffix(".en.csv"), "--datum",
                     "2026-11-24", "--json")  # fmt: skip
    assert (code, data["regels"], data["nieuw"]) == (0, 6, 0)
    assert len(_payments_read_back(workbook)) == 6


# The Sleutel an earlier version gave each line of fixtures/bank/ing.csv: a content hash
# that took in the Dutch texts.
FORMER_ING_KEYS = (
    "ing-csv:NL69INGB0123456789:1935861c038b6baf",
    "ing-csv:NL69INGB0123456789:ab2d69286ff92aee",
    "ing-csv:NL69INGB0123456789:17cb419827910aef",
    "ing-csv:NL69INGB0123456789:00b80dcac5ba8674",
    "ing-csv:NL69INGB0123456789:00b80dcac5ba8674#2",
)


def test_lines_imported_under_the_former_sleutel_are_not_imported_again(capsys, files):
    # A workbook whose ING lines were imported before the Sleutel stopped depending on the
    # export's language: the same file again must add nothing.
    workbook, _ = files
    code, data = run(capsys, "bank", workbook, FIXTURES / "ing.csv", "--datum", "2026-11-24",
                     "--json")  # fmt: skip
    assert (code, data["nieuw"]) == (0, 5)
    wb = openpyxl.load_workbook(workbook)
    ws = wb[schema.BETALINGEN.sheet]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Datum")
    column = [c.value for c in ws[header]].index("Sleutel") + 1
    rows = [r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, column).value]
    assert len(rows) == 5
    for row, key in zip(rows, FORMER_ING_KEYS, strict=True):
        ws.cell(row, column).value = key
    wb.save(workbook)
    code, data = run(capsys, "bank", workbook, FIXTURES / "ing.csv", "--datum", "2026-11-24",
                     "--json")  # fmt: skip
    assert (code, data["nieuw"]) == (0, 0)


@pytest.mark.parametrize("before", ["\n\n", "\ufeff\r\n\r\n", "\n \t\n  "],
                         ids=["blank-lines", "bom-then-blank-lines", "spaces"])  # fmt: skip
def test_a_camt_starting_with_blank_lines_is_read_and_names_the_lines_of_the_file(
    capsys, files, tmp_path, before
):
    # Refused: expat wants the XML declaration at the very start ("XML or text declaration
    # not at start of entity").
    workbook, _ = files
    statement = tmp_path / "november.xml"
    statement.write_text(before + STATEMENT, encoding="utf-8")
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json",
                     "--proef")  # fmt: skip
    assert code == 0, data
    assert (data["regels"], data["gekoppeld"]) == (4, 2)
    # A damaged file is named by the line and column of the file as it is.
    broken = (before + STATEMENT).replace("<Id>STMT-1</Id>", "<Id>STMT-1</Idd>")
    statement.write_text(broken, encoding="utf-8")
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    line = broken[: broken.index("</Idd>")].count("\n") + 1
    assert code == 2
    assert f"geen geldig XML op regel {line}, kolom 19 " in data["fout"], data["fout"]


# --- alike ING lines numbered in booking order ------------------------------------------------


def _ing_export(path: Path, lines: list[tuple[str, str]], english: bool = False) -> Path:
    # lines: (description, balance after the line), in the file's order; each a payment of
    # 100,00 by one payer on one day, alike but for words (one _ing_key, "#n" apart).
    text = (ENGLISH_CSV if english else DUTCH_CSV).split("\n")[0] + "\n"
    for description, balance in lines:
        text += _ing_line("20261123", "100,00", "NL20INGB0001234567", description, english)
        text = text.removesuffix('"0,00";""\n') + f'"{balance}";""\n'
    path.write_text(text, encoding="utf-8")
    return path


def _descriptions(workbook: Path) -> list[str]:
    b, problems = read_book(workbook)
    assert problems == ()
    return sorted(p.description for p in b.payments)


@pytest.mark.parametrize(
    "later",
    [
        [("contributie", "1.200,00"), ("huur", "1.100,00")],  # ING's order: newest first
        [("huur", "1.100,00"), ("contributie", "1.200,00")],  # sorted again, oldest first
        [("contributie", ""), ("huur", "")],  # no balance to tell: ING's order
    ],
    ids=["newest-first", "oldest-first", "no-balance"],
)
def test_a_day_exported_again_after_a_payment_arrived_imports_that_payment(
    capsys, files, tmp_path, later
):
    # The morning's export has 'huur'; the evening's also 'contributie', paid later that day
    # by the same payer, the same amount, no numbers in either text: one _ing_key. Counted
    # in file order the newer line took the morning's Sleutel and was passed over, and the
    # morning's line came in a second time.
    workbook, _ = files
    morning = _ing_export(tmp_path / "ochtend.csv", [("huur", "1.100,00")])
    code, data = run(capsys, "bank", workbook, morning, "--datum", "2026-11-24", "--json")
    assert (code, data["nieuw"]) == (0, 1)
    evening = _ing_export(tmp_path / "avond.csv", later)
    code, data = run(capsys, "bank", workbook, evening, "--datum", "2026-11-24", "--json")
    assert (code, data["regels"], data["nieuw"]) == (0, 2, 1)
    assert _descriptions(workbook) == ["contributie", "huur"]
    # And the same evening in English adds nothing.
    code, data = run(capsys, "bank", workbook, _ing_export(tmp_path / "en.csv", later, True),
                     "--datum", "2026-11-24", "--json")  # fmt: skip
    assert (code, data["nieuw"]) == (0, 0)


def _former_keys(workbook: Path, statement: Path) -> None:
    """Gives the rows imported from `statement` the Sleutel the earlier version wrote."""
    formers = [line.former_key for line in read_bank_file(statement)]
    wb = openpyxl.load_workbook(workbook)
    ws = wb[schema.BETALINGEN.sheet]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "Datum")
    column = [c.value for c in ws[header]].index("Sleutel") + 1
    rows = [r for r in range(header + 1, ws.max_row + 1) if ws.cell(r, column).value]
    assert len(rows) == len(formers)
    for row, key in zip(rows, formers, strict=True):
        ws.cell(row, column).value = key
    wb.save(workbook)


def test_alike_lines_beside_lines_imported_under_the_former_key_each_import_once(
    capsys, files, tmp_path
):
    # 'huur' imported by the earlier version (former key); then in ING's order the day with
    # 'contributie' added, then with a second 'huur' too: three payments, three rows (it
    # was four: the new 'huur' took the former key's first place and 'contributie' the
    # Sleutel's, so 'contributie' and the old 'huur' came in again).
    workbook, _ = files
    morning = _ing_export(tmp_path / "ochtend.csv", [("huur", "1.100,00")])
    code, data = run(capsys, "bank", workbook, morning, "--datum", "2026-11-24", "--json")
    assert (code, data["nieuw"]) == (0, 1)
    _former_keys(workbook, morning)
    noon = [("contributie", "1.200,00"), ("huur", "1.100,00")]
    evening = [("huur", "1.300,00"), *noon]
    for name, lines in (("middag.csv", noon), ("avond.csv", evening)):
        code, data = run(capsys, "bank", workbook, _ing_export(tmp_path / name, lines),
                         "--datum", "2026-11-24", "--json")  # fmt: skip
        assert (code, data["nieuw"]) == (0, 1)
    assert _descriptions(workbook) == ["contributie", "huur", "huur"]


def test_a_line_imported_under_the_former_key_is_not_imported_from_the_other_language(
    capsys, files, tmp_path
):
    # Imported by the earlier version from the Dutch export; now the Dutch and the English
    # export of that day in one run: the Dutch line is known by its former key, and the
    # English one (whose former key took in English words) is the same line as the Dutch.
    workbook, _ = files
    dutch = _ing_export(tmp_path / "nl.csv", [("Factuur 2026-0102", "1.100,00")])
    code, data = run(capsys, "bank", workbook, dutch, "--datum", "2026-11-24", "--json")
    assert (code, data["nieuw"]) == (0, 1)
    _former_keys(workbook, dutch)
    english = _ing_export(tmp_path / "en.csv", [("Factuur 2026-0102", "1100,00")], True)
    code, data = run(capsys, "bank", workbook, dutch, english, "--datum", "2026-11-24",
                     "--json")  # fmt: skip
    assert (code, data["regels"], data["nieuw"]) == (0, 2, 0)
    assert _descriptions(workbook) == ["Factuur 2026-0102"]


# --- a workbook of the user's own, its data in plain ranges ---------------------------------


@pytest.mark.parametrize("tables", [False, True], ids=["plain-ranges", "renamed-table"])
def test_a_workbook_without_the_betalingen_table_says_what_to_do(capsys, files, tables):
    """The reader reads plain ranges, but the bank's rows go into the table tblBetalingen: a
    workbook without any table was told to 'restore the table name' of a table it never had.
    Now it is told that its Betalingen sheet is a plain range and how to make the table; a
    renamed table still gets the advice to restore its name."""
    workbook, statement = files
    plain = workbook.with_name("Eigen.xlsx")
    wb = openpyxl.load_workbook(workbook)
    for sheet in wb.worksheets:
        for name in list(sheet.tables):
            if tables and name == "tblBetalingen":
                sheet.tables[name].displayName = sheet.tables[name].name = "tblBank"
            elif not tables:
                del sheet.tables[name]
    wb.save(plain)
    before = plain.read_bytes()
    code, data = run(capsys, "bank", plain, statement, "--datum", "2026-11-24", "--json")
    assert code == 2 and plain.read_bytes() == before
    message = data["fout"]
    assert "heeft geen tabel 'tblBetalingen'" in message, message
    if tables:
        assert "tblBank" in message and "Herstel de tabelnaam" in message, message
    else:
        assert (
            "(gevonden: geen). De gegevens op blad 'Betalingen' zijn een gewoon bereik, geen "
            "Excel-tabel. Maak er een Excel-tabel van met 'debiteuren bijwerken'"
        ) in message
        # The data are there, as a plain range: the advice is to make it a table.
        assert "Herstel" not in message, message


# --- ABN AMRO TXT (TXT*.TAB) -------------------------------------------------------------------


def test_abn_amro_tab_through_the_command(capsys, tmp_path):
    # It was refused as "onbekend formaat". Its account is the old number, which the IBAN
    # in Instellingen holds; the SEPA line's invoice number reaches matching.
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(BOOK, iban="NL02 ABNA 0123 4567 89"), workbook)
    statement = tmp_path / "TXT261124101500.TAB"
    statement.write_bytes((FIXTURES / "abnamro.tab").read_bytes())
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert code == 0 and data["waarschuwingen"] == []
    assert (data["regels"], data["nieuw"]) == (5, 5)
    assert [r[:4] for r in _rows(data)] == [
        ("2026-0102", "500.00", "Gekoppeld", "R3 factuurnummer"),
        # The kenmerk stands in the text (REMI), as ABN AMRO's MT940 gives it: R1 finds it
        # there (it went to Controleren as R4, amount and payer account, a proposal).
        ("2026-0101", "1210.00", "Gekoppeld", "R1 betalingskenmerk"),
        (None, "-25.50", "Genegeerd", "R0 afschrijving"),
        (None, "-45.00", "Genegeerd", "R0 afschrijving"),
        (None, "-25.00", "Controleren", "R0 terugboeking"),  # /RTRN/: a return
    ]
    actions = {a.invoice: a for a in plan_book(read_book(workbook)[0], date(2026, 11, 24)).actions}
    assert actions["2026-0102"].status.value == "betaald"
    once = _payments_read_back(workbook)
    assert ("2026-11-23", "500.00", "NL20INGB0001234567") in [p[:3] for p in once]
    # Read again: nothing new.
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert (code, data["regels"], data["nieuw"], data["betalingen"]) == (0, 5, 0, [])
    assert _payments_read_back(workbook) == once


def test_abn_amro_tab_line_that_does_not_add_up_is_never_linked(capsys, files, tmp_path):
    # Line 1's Eindsaldo one euro off: that receipt goes to Controleren with the figures,
    # the other lines link as before; a warning names the file and the line.
    workbook, _ = files
    rows = (FIXTURES / "abnamro.tab").read_bytes().split(b"\r\n")
    rows[0] = rows[0].replace(b"\t3525,00\t", b"\t3526,00\t", 1)
    statement = tmp_path / "nov.tab"
    statement.write_bytes(b"\r\n".join(rows))
    code, data = run(capsys, "bank", workbook, statement, "--proef", "--json")
    assert code == 0
    assert [w["soort"] for w in data["waarschuwingen"]] == ["saldo-klopt-niet"]
    assert data["waarschuwingen"][0]["melding"].startswith(
        "Bankbestand nov.tab, afschrift op regel 1: het beginsaldo € 3.025,00 plus de "
        "boekingen (€ 500,00) is € 3.525,00, maar het eindsaldo is € 3.526,00."
    )
    first = data["betalingen"][0]
    got = (first["factuur"], first["bedrag"], first["status"])
    assert got == ("2026-0102", "500.00", "Controleren")
    assert first["regel"].startswith(
        "R0 saldo klopt niet: afschrift op regel 1: beginsaldo € 3.025,00 + boekingen € 500,00 "
        "= € 3.525,00, eindsaldo € 3.526,00; bij een kloppend saldo: R3 factuurnummer"
    )


@pytest.mark.parametrize("second", ["abn-nullen.sta", "abnamro.tab"])
def test_an_abn_mt940_imported_under_its_former_key_is_not_imported_again(
    capsys, files, tmp_path, second
):
    # An ABN AMRO MT940 that writes its amounts with their zeros ("C500,00") was imported
    # when the key took the amount as written: its rows carry that key. The same file read
    # again, or the TXT of the same days, adds nothing (BankLine.former_key).
    from tests.adapters.test_bankfiles import _with_zeros

    workbook, _ = files
    zeros = tmp_path / "abn-nullen.sta"
    zeros.write_bytes(
        _with_zeros((FIXTURES / "abnamro.sta").read_bytes().decode("cp1252")).encode("cp1252")
    )
    code, data = run(capsys, "bank", workbook, zeros, "--datum", "2026-11-24", "--json")
    assert (code, data["nieuw"]) == (0, 5)
    assert all(line.former_key for line in read_bank_file(zeros))
    _former_keys(workbook, zeros)
    once = _payments_read_back(workbook)
    source = zeros if second == "abn-nullen.sta" else FIXTURES / second
    code, data = run(capsys, "bank", workbook, source, "--datum", "2026-11-24", "--json")
    assert (code, data["regels"], data["nieuw"], data["betalingen"]) == (0, 5, 0, [])
    assert _payments_read_back(workbook) == once


def test_bank_json_has_the_keys_the_readme_gives(capsys, tmp_path):
    """The README did not say what bank --json gives (a script had to guess that its
    'bestanden' is a list where importeer's is a count)."""
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    documented = readme.split("`bank --json` geeft `", 1)[1].split("`", 1)[0]
    exp = re.findall(r'"(\w+)"', documented)
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(BOOK), workbook)
    statement = FIXTURES / "camt053-v04-batch.xml"
    code, data = run(capsys, "bank", workbook, statement, "--datum", "2026-11-24", "--json")
    assert code in (0, 1)
    assert list(data) == exp
    assert data["bestanden"] == [str(statement)]
    assert set(data["betalingen"][0]) == {
        "datum", "bedrag", "factuur", "klant", "status", "regel", "sleutel"}  # fmt: skip


def test_a_csv_of_another_bank_is_refused_saying_which_export_to_download(capsys, files):
    # Another bank's CSV (its own columns, as bunq, Knab or Triodos lay theirs out) was
    # refused with what the program reads, not what the user can do about it: every
    # major Dutch bank offers MT940 or CAMT.053 for the accounting.
    workbook, _ = files
    before = workbook.read_bytes()
    statement = workbook.parent / "export.csv"
    statement.write_text(
        '"Date";"Interest Date";"Amount";"Account";"Counterparty";"Name";"Description"\n'
        '"2026-11-20";"2026-11-20";"1.210,00";"NL91ABNA0417164300";"NL44RABO0123456789";'
        '"Bakkerij Verhoef";"Factuur 2026-001"\n',
        encoding="utf-8",
    )
    code = main(["bank", str(workbook), str(statement), "--datum", "2026-11-24"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "Fout: Bankbestand export.csv: onbekend formaat; verwacht CAMT.053 (XML), MT940, de "
        "TXT-export van ABN AMRO (.TAB) of een CSV-export van ING of Rabobank. Download het "
        "afschrift in uw internetbankieren als CAMT.053 of MT940 (de meeste banken bieden dat "
        "als export voor de boekhouding) en lees dat in. Er is niets veranderd.\n"
    )
    assert workbook.read_bytes() == before
