"""`debiteuren bank` on real files: a CAMT.053 statement written from the published layout,
a workbook written to disk, the result read back from the workbook."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from addin.adapters.book_writer import write_book
from addin.adapters.reader import read_book
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
            <CdtrAcct><Id><IBAN>NL02RABO0123456789</IBAN></Id></CdtrAcct>
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
      <Acct><Id><IBAN>NL02RABO0123456789</IBAN></Id><Ccy>EUR</Ccy></Acct>
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
                   iban="NL44INGB0001234567", remittance="<Ustrd>Factuur 2026-0102</Ustrd>")
    + ENTRY.format(amount="99.99", sign="CRDT", ref="R3",
                   name="=HYPERLINK(&quot;http://x&quot;)", iban="NL18RABO0300000001",
                   remittance="<Ustrd>=1+1 onbekend</Ustrd>")
    + ENTRY.format(amount="45.00", sign="DBIT", ref="R4", name="Leverancier",
                   iban="NL18RABO0300000002", remittance="<Ustrd>inkoop</Ustrd>")
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
    actions = {
        a.invoice: a for a in plan_book(b, __import__("datetime").date(2026, 11, 24)).actions
    }
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
