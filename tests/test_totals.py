"""A total row under a plain range ("Totaal", =SUM(...) under the invoices) is not data.

The rule (addin/adapters/workbook/totals.py) on its own, then the commands on real files:
Voorbeeld.xlsx with its tables deleted by openpyxl (a user's own workbook of plain ranges)
and a total row added under Facturen and Betalingen, some re-saved by LibreOffice so the
formulas hold their results as Excel would save them.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from addin.adapters.workbook.totals import (
    RowCell,
    as_table_sum,
    cell_formula,
    is_total_row,
    total_rows,
)
from addin.cli import main
from tests.libreoffice import convert
from tests.ooxml import assert_valid

VOORBEELD = Path(__file__).parents[1] / "workbook" / "Voorbeeld.xlsx"
AS_OF = "2026-11-24"  # the reference date of Voorbeeld.xlsx
UBL = Path(__file__).parent / "fixtures" / "ubl" / "cen__ubl-tc434-example1.xml"
UBL_2 = Path(__file__).parent / "fixtures" / "ubl" / "nlcius-logius__NLCIUS_e-factuur_vb_02.xml"

# --- the rule ---------------------------------------------------------------------------


def _cells(*cells: tuple[int, str]) -> tuple[RowCell, ...]:
    """(column, "=formula" or "text" or "12.5") as the rule's cells."""
    out = []
    for col, value in cells:
        if value.startswith("="):
            out.append(RowCell(col, value[1:], None))
        else:
            numeric = value.replace(".", "").isdigit()
            out.append(RowCell(col, None, None if numeric else value))
    return tuple(out)


# Row 323 under data in rows 2..321; columns from 0 (E = 4, F = 5, N = 13).
RULE = [
    ("label-and-sums", _cells((0, "Totaal"), (4, "=SUM(E2:E321)"), (5, "=SUM(F2:F321)")), True),
    ("label-in-klant", _cells((1, "Totaal:"), (4, "=SUM($E$2:$E$321)")), True),
    ("no-label", _cells((4, "=SUM(E2:E321)")), True),
    ("subtotal", _cells((0, "Subtotaal 2026"), (4, "=SUBTOTAL(9,E2:E321)")), True),
    ("english", _cells((0, "Total"), (4, "=_xlfn.AGGREGATE(9,4,E2:E321)")), True),
    ("other-formulas", _cells((0, "Totaal"), (4, "=SUM(E2:E321)"), (13, "=E323-F323")), True),
    ("invoice-number", _cells((0, "2026-0265"), (4, "=SUM(E2:E321)")), False),
    ("label-and-customer", _cells((0, "Totaal"), (1, "K001"), (4, "=SUM(E2:E321)")), False),
    ("typed-number", _cells((0, "Totaal"), (4, "=SUM(E2:E321)"), (5, "12.50")), False),
    ("not-a-total-word", _cells((0, "Stand 30-11"), (4, "=SUM(E2:E321)")), False),
    ("label-only", _cells((0, "Totaal"), (4, "12855.03")), False),
    ("other-column", _cells((0, "Totaal"), (4, "=SUM(F2:F321)")), False),
    ("not-above", _cells((0, "Totaal"), (4, "=SUM(E2:E400)")), False),
    ("two-ranges", _cells((0, "Totaal"), (4, "=SUM(E2:E10,E12:E321)")), False),
    ("a-product", _cells((0, "Totaal"), (4, "=E321*2")), False),
    ("table-column", _cells((0, "Totaal"), (4, "=SUM(tblFacturen[Bedrag])")), True),
    ("table-this-row", _cells((0, "Totaal"), (4, "=SUM(tblFacturen[@Bedrag])")), True),
]


@pytest.mark.parametrize(("cells", "exp"), [r[1:] for r in RULE], ids=[r[0] for r in RULE])
def test_is_total_row(cells, exp):
    got = is_total_row(323, cells)
    assert got == exp


# A total row's sum of the table's data rows in its column, as bijwerken rewrites it
# (data rows 2..321 of column E = 4).
AS_TABLE = [
    ("sum", "SUM(E2:E321)", "SUM(tblFacturen[Bedrag])"),
    ("absolute", "SUM($E$2:$E$321)", "SUM(tblFacturen[Bedrag])"),
    ("subtotal", "SUBTOTAL(9,E2:E321)", "SUBTOTAL(9,tblFacturen[Bedrag])"),
    ("part-of-the-rows", "SUM(E3:E321)", None),
    ("beyond-the-rows", "SUM(E2:E400)", None),
    ("other-column", "SUM(F2:F321)", None),
    ("not-a-sum", "E2+E3", None),
]


@pytest.mark.parametrize(
    ("formula", "exp"), [r[1:] for r in AS_TABLE], ids=[r[0] for r in AS_TABLE]
)
def test_as_table_sum(formula, exp):
    got = as_table_sum(formula, 4, 2, 321, "tblFacturen", "Bedrag")
    assert got == exp


def test_as_table_sum_leaves_a_column_name_that_needs_escaping():
    assert as_table_sum("SUM(E2:E321)", 4, 2, 321, "tblFacturen", "Bedrag [EUR]") is None


def test_total_rows_passes_empty_rows_and_stops_at_data():
    total = _cells((0, "Totaal"), (4, "=SUM(E2:E321)"))
    invoice = _cells((0, "2026-0264"), (1, "K001"), (4, "12855.03"))
    got = total_rows([(325, total), (324, ()), (323, total), (322, ()), (321, invoice)])
    assert got == (325, 323)
    assert total_rows([(321, invoice), (320, total)]) == ()


def test_a_shared_formula_is_the_first_cells_moved():
    """Excel writes a formula filled across once; E323's SUM moved to F323 sums F."""
    xml = (
        b'<row r="323"><c r="E323"><f t="shared" ref="E323:F323" si="0">SUM(E2:E321)</f>'
        b'<v>1</v></c><c r="F323"><f t="shared" si="0"/><v>2</v></c></row>'
    )
    assert cell_formula(b'<f t="shared" si="0"/><v>2</v>', "F323", xml) == "SUM(F2:F321)"
    assert cell_formula(b"<v>2</v>", "F323", xml) is None


# --- the commands on real workbooks --------------------------------------------------


def run(capsys, *args: object) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().out


def _own(
    path: Path, gap: int = 1, label_col: int = 1, seller: bool = False, totals: bool = True
) -> Path:
    """Voorbeeld.xlsx without its tables (a workbook of plain ranges), Open as a formula of
    the user's own on each invoice row, and under Facturen and Betalingen a total row `gap`
    empty rows below the data: its label in column `label_col` (1 = A), =SUM(...) under
    Bedrag, Betaald and Open. `seller`: Instellingen name the seller of the UBL samples,
    so importeer takes them."""
    wb = openpyxl.load_workbook(VOORBEELD)
    for ws in wb.worksheets:
        for name in list(ws.tables):
            del ws.tables[name]
    ws = wb["Facturen"]
    last = ws.max_row
    for r in range(2, last + 1):
        ws.cell(r, 14).value = (
            f"=E{r}-N(F{r})-SUMIFS(Betalingen!$B:$B,Betalingen!$C:$C,A{r},"
            f'Betalingen!$J:$J,"Gekoppeld")'
        )
    if totals:
        ws.cell(last + 1 + gap, label_col).value = "Totaal"
        for col, letter in ((5, "E"), (6, "F"), (14, "N")):
            ws.cell(last + 1 + gap, col).value = f"=SUM({letter}2:{letter}{last})"
        ws = wb["Betalingen"]
        last = ws.max_row
        ws.cell(last + 1 + gap, 1).value = "Totaal"
        ws.cell(last + 1 + gap, 2).value = f"=SUM(B2:B{last})"
    if seller:
        for row in wb["Instellingen"].iter_rows():
            if row[0].value == "KvK":
                row[1].value = "57151520"
            elif row[0].value == "BTW-nummer":
                row[1].value = "NL8200.98.395.B.01"
    wb.save(path)
    return path


def _files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("gap", "label_col"), [(1, 1), (0, 2), (3, 1)], ids=["gap-label-a", "under-label-b", "gap3"]
)
def test_the_plan_skips_the_total_rows(capsys, tmp_path, gap, label_col):
    """controleer and werklijst give what they give without the total rows: the seven
    plain-range problems and the same work (before: 'Klantnummer is leeg, maar verplicht'
    on Facturen's total row, "'Totaal' is geen datum" on Betalingen's)."""
    exp = {}
    for command in ("controleer", "werklijst"):
        bare = _own(tmp_path / "zonder.xlsx", totals=False)
        exp[command] = run(capsys, command, bare, "--datum", AS_OF, "--json")
    path = _own(tmp_path / "Eigen.xlsx", gap=gap, label_col=label_col)
    for command in ("controleer", "werklijst"):
        got = run(capsys, command, path, "--datum", AS_OF, "--json")
        assert got == exp[command], command
    assert len(json.loads(exp["controleer"][1])["problemen"]) == 7


def test_the_total_row_with_its_results_saved_is_skipped_too(capsys, tmp_path):
    """Saved by LibreOffice, the total row's cells hold the sums (a number under Bedrag, as
    Excel saves it): still no invoice."""
    bare = convert(_own(tmp_path / "zonder.xlsx", totals=False), tmp_path / "a")
    exp = run(capsys, "werklijst", bare, "--datum", AS_OF, "--json")
    path = convert(_own(tmp_path / "Eigen.xlsx", gap=0, label_col=2), tmp_path / "b")
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Facturen").to_python()
    assert rows[321][:5] == ["", "Totaal", "", "", 1_772_902.08], rows[321]
    assert run(capsys, "werklijst", path, "--datum", AS_OF, "--json") == exp


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_bijwerken_makes_the_tables_over_the_data_and_leaves_the_totals(capsys, tmp_path):
    path = _own(tmp_path / "Eigen.xlsx")
    code, out = run(capsys, "bijwerken", path, "--datum", AS_OF, "--json")
    assert code == 0, out
    made = {t["tabel"]: t["bereik"] for t in json.loads(out)["tabellen_gemaakt"]}
    assert (made["tblFacturen"], made["tblBetalingen"]) == ("A1:P321", "A1:L273")
    assert_valid(path)
    wb = openpyxl.load_workbook(path)
    total = [c.value for c in wb["Facturen"][323]]
    # The sums of the data rows became sums of the table's columns: new rows count too.
    assert total[:6] == [
        "Totaal", None, None, None, "=SUM(tblFacturen[Bedrag])", "=SUM(tblFacturen[Betaald])"
    ]  # fmt: skip
    assert total[13] == "=SUM(tblFacturen[Open])"
    assert [c.value for c in wb["Betalingen"][275]][:2] == ["Totaal", "=SUM(tblBetalingen[Bedrag])"]
    book = CalamineWorkbook.from_path(str(path), load_tables=True)
    assert len(book.get_table_by_name("tblFacturen").to_python()) == 320
    saved = convert(path, tmp_path)
    assert_valid(saved, rules=False)
    tables = openpyxl.load_workbook(saved)["Facturen"].tables
    assert dict(tables.items()) == {"tblFacturen": "A1:P321"}
    code, out = run(capsys, "controleer", path, "--datum", AS_OF, "--json")
    assert (code, json.loads(out)) == (0, {"problemen": []})


def test_bijwerken_refuses_a_total_row_directly_under_the_data(capsys, tmp_path):
    """The table could not grow: its first new row would be the total row."""
    path = _own(tmp_path / "Eigen.xlsx", gap=0)
    before = _files(tmp_path)
    code, out = run(capsys, "bijwerken", path, "--datum", AS_OF, "--json")
    assert code == 2, out
    assert json.loads(out)["fout"] == (
        f"Blad 'Facturen' in '{path.resolve()}': direct onder de gegevens (A1:P321) staat een "
        "totaalregel (rij 322); de tabel kan dan niet groeien, want nieuwe rijen zouden op de "
        "totaalregel komen. Laat een of meer lege rijen tussen de gegevens en de totaalregel "
        "(rechtsklik op rij 322 > Invoegen), of zet de totaalregel boven de kopregel, en "
        "probeer het opnieuw. Er is niets veranderd."
    )
    assert _files(tmp_path) == before


def test_importeer_fills_the_empty_row_then_refuses_to_overwrite_the_total(capsys, tmp_path):
    path = _own(tmp_path / "Eigen.xlsx", seller=True)
    assert run(capsys, "bijwerken", path, "--datum", AS_OF)[0] == 0
    code, out = run(capsys, "importeer", path, UBL, "--json")
    assert (code, json.loads(out)["facturen_toegevoegd"]) == (0, 1), out
    assert_valid(path)
    ws = openpyxl.load_workbook(path)["Facturen"]
    assert dict(ws.tables.items()) == {"tblFacturen": "A1:P322"}
    assert (ws["A322"].value, ws["A323"].value, ws["E323"].value) == (
        "12115118",
        "Totaal",
        "=SUM(tblFacturen[Bedrag])",
    )
    # LibreOffice computes the total with the new invoice (1,772,902.08 before).
    values = openpyxl.load_workbook(convert(path, tmp_path), data_only=True)["Facturen"]
    assert values["E323"].value == pytest.approx(1_772_902.08 + 250.33)
    before = _files(tmp_path)
    code, out = run(capsys, "importeer", path, UBL_2, "--json")
    assert code == 2, out
    assert json.loads(out)["fout"] == (
        f"Onder de tabel 'tblFacturen' in '{path.resolve()}' staat in rij 323 een "
        "totaalregel; de nieuwe rijen (A323:P323) zouden die overschrijven. Voeg in Excel 1 "
        "lege rij in boven de totaalregel (rechtsklik op rij 323 > Invoegen) en probeer het "
        "opnieuw. Er is niets veranderd."
    )
    assert _files(tmp_path) == before


# --- the calculated Open column ------------------------------------------------------

OPEN = 'E{r}-N(F{r})-SUMIFS(Betalingen!$B:$B,Betalingen!$C:$C,A{r},Betalingen!$J:$J,"Gekoppeld")'


def _open_column(path: Path, cells: object) -> Path:
    """The workbook with Facturen's Open cells (N2:N321) set by `cells(row)`."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Facturen"]
    for r in range(2, 322):
        ws.cell(r, 14).value = cells(r)  # type: ignore[operator]
    wb.save(path)
    return path


def _shared(path: Path) -> Path:
    """Open as Excel writes a formula filled down: once in N2 (t="shared", ref N2:N321),
    the other cells naming it only."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = members[sheet].decode()
    first = f"<f>{OPEN.format(r=2)}</f>"
    assert first in xml, xml[:2000]
    xml = xml.replace(first, first.replace("<f>", '<f t="shared" ref="N2:N321" si="0">'))
    for r in range(3, 322):
        xml = xml.replace(f"<f>{OPEN.format(r=r)}</f>", '<f t="shared" si="0"/>')
    assert xml.count('<f t="shared" si="0"/>') == 319
    members[sheet] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _table_formulas(path: Path) -> dict[str, str | None]:
    table = openpyxl.load_workbook(path)["Facturen"].tables["tblFacturen"]
    return {
        c.name: c.calculatedColumnFormula.attr_text if c.calculatedColumnFormula else None
        for c in table.tableColumns
        if c.calculatedColumnFormula is not None
    }


@pytest.mark.parametrize("shared", [False, True], ids=["formula-per-cell", "filled-down"])
def test_open_filled_down_becomes_a_calculated_column_importeer_fills(capsys, tmp_path, shared):
    """Each new invoice row gets the user's Open formula moved to its row (before: no
    calculated column, and the row imported had no Open)."""
    path = _own(tmp_path / "Eigen.xlsx", seller=True)
    if shared:
        _shared(path)
    code, out = run(capsys, "bijwerken", path, "--datum", AS_OF, "--json")
    assert code == 0
    assert json.loads(out)["meldingen"][:3] == [
        "Kolom 'Open' op blad 'Facturen' is een berekende kolom: nieuwe rijen krijgen de "
        "formule van rij 2.",
        "De totaalregel op blad 'Facturen' telt nu de hele kolom van de tabel, ook de rijen "
        "die erbij komen (E323: =SUM(tblFacturen[Bedrag]), F323: =SUM(tblFacturen[Betaald]), "
        "N323: =SUM(tblFacturen[Open])).",
        "De totaalregel op blad 'Betalingen' telt nu de hele kolom van de tabel, ook de rijen "
        "die erbij komen (B275: =SUM(tblBetalingen[Bedrag])).",
    ]
    assert _table_formulas(path) == {"Open": OPEN.format(r=2)}
    code, out = run(capsys, "importeer", path, UBL, "--json")
    assert code == 0, out
    assert_valid(path)
    ws = openpyxl.load_workbook(path)["Facturen"]
    assert (ws["A322"].value, ws["N322"].value) == ("12115118", "=" + OPEN.format(r=322))
    book = CalamineWorkbook.from_path(str(path), load_tables=True)
    assert len(book.get_table_by_name("tblFacturen").to_python()) == 321
    # LibreOffice opens it and computes the new row's Open: its amount, nothing paid.
    saved = convert(path, tmp_path)
    assert_valid(saved, rules=False)
    values = openpyxl.load_workbook(saved, data_only=True)["Facturen"]
    assert (values["E322"].value, values["N322"].value) == (250.33, 250.33)


@pytest.mark.parametrize(
    "cells",
    [
        lambda r: 100.0 + r,  # plain values
        lambda r: "=" + OPEN.format(r=r) if r != 100 else "=E100",  # one differs
        lambda r: "=" + OPEN.format(r=r) if r != 100 else None,  # one empty
    ],
    ids=["values", "one-differs", "one-empty"],
)
def test_open_of_values_or_differing_formulas_is_left_alone(capsys, tmp_path, cells):
    """No calculated column, and the row importeer appends has no Open, as before."""
    path = _open_column(_own(tmp_path / "Eigen.xlsx", seller=True), cells)
    before = [c.value for c in openpyxl.load_workbook(path)["Facturen"]["N"]][:322]
    assert run(capsys, "bijwerken", path, "--datum", AS_OF)[0] == 0
    assert_valid(path)
    assert _table_formulas(path) == {}
    assert run(capsys, "importeer", path, UBL, "--json")[0] == 0
    ws = openpyxl.load_workbook(path)["Facturen"]
    assert [c.value for c in ws["N"]][:322] == before
    assert ws["N322"].value is None


def test_an_empty_open_column_gets_the_shipped_formula_on_every_row(capsys, tmp_path):
    """As in a new workbook: the calculated column, its formula in every invoice row and in
    the row importeer appends; LibreOffice computes it (2025-0301 is paid by a linked
    payment: Open 0; the imported invoice: its amount)."""
    from addin.adapters.workbook.book_writer import OPEN_FORMULA

    path = _open_column(_own(tmp_path / "Eigen.xlsx", seller=True), lambda r: None)
    assert main(["bijwerken", str(path), "--datum", AS_OF]) == 0
    assert (
        "Kolom 'Open' op blad 'Facturen' is een berekende kolom: hij was leeg en elke rij "
        "krijgt de formule van een nieuwe werkmap."
    ) in capsys.readouterr().out.splitlines()
    assert_valid(path)
    assert _table_formulas(path) == {"Open": OPEN_FORMULA}
    assert run(capsys, "importeer", path, UBL, "--json")[0] == 0
    assert_valid(path)
    ws = openpyxl.load_workbook(path)["Facturen"]
    assert {c.value for c in ws["N"][1:322]} == {"=" + OPEN_FORMULA}
    assert ws["N323"].value == "=SUM(tblFacturen[Open])"  # the total row's
    values = openpyxl.load_workbook(convert(path, tmp_path), data_only=True)["Facturen"]
    assert (values["A2"].value, values["N2"].value) == ("2025-0301", 0)
    assert (values["E322"].value, values["N322"].value) == (250.33, 250.33)


# --- in Excel: the ribbon reads the open workbook ------------------------------------


@pytest.mark.parametrize("through", ["stand-in", "xlwings"])
def test_the_live_read_in_excel_skips_the_total_rows_too(tmp_path, through):
    """The ribbon's read of the open workbook (values through xlwings, formulas asked for
    the last rows) gives what read_book gives the file: no problem for the total rows
    (before: 'Klantnummer is leeg' and "'Totaal' is geen datum" in Excel only)."""
    from addin.adapters.excel import live
    from addin.adapters.excel.xlwings_book import XlwingsWorkbook
    from addin.adapters.workbook.reader import read_book
    from tests.adapters.live_openpyxl import OpenpyxlWorkbook
    from tests.adapters.xlwings_fake import FakeBook, FakeStandIn

    path = _own(tmp_path / "Eigen.xlsx", gap=0, label_col=2)
    bare = _own(tmp_path / "zonder.xlsx", totals=False)
    opened = {
        "stand-in": lambda p: OpenpyxlWorkbook(p),
        "xlwings": lambda p: XlwingsWorkbook(FakeBook(FakeStandIn(p))),
    }[through]
    got_book, got_problems = live.read_live(opened(path))
    exp_book, exp_problems = live.read_live(opened(bare))
    assert (got_book, got_problems) == (exp_book, exp_problems)
    assert len(got_book.invoices) == 320
    assert (got_book.invoices, got_problems) == (read_book(path)[0].invoices, read_book(path)[1])
