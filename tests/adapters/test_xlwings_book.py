"""adapters/excel/xlwings_book.py's table code, run over xlwings objects made as xlwings and
Excel document them (tests/adapters/xlwings_fake.py), and compared with the openpyxl
stand-in that the other live tests use: the same patch gives the same workbook.

Still a proxy: no Excel runs here. What it shows is that XlwingsWorkbook reads and resizes
a table as ListObject is documented to work, a totals row included.
"""

from __future__ import annotations

import fnmatch
import shutil
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from addin.adapters.excel import live
from addin.adapters.excel.live import LiveError
from addin.adapters.excel.xlwings_book import EXCEL_FILE_FILTER, XlwingsWorkbook
from addin.adapters.workbook.reader import read_book
from addin.adapters.workbook.xlsx_patch import Patch
from tests.adapters.live_openpyxl import OpenpyxlWorkbook
from tests.adapters.test_live import EXAMPLE, add_totals_row
from tests.adapters.xlwings_fake import FakeBook, FakeStandIn


@pytest.fixture
def twins(tmp_path: Path) -> tuple[Path, Path]:
    """Two copies of the example workbook: one for XlwingsWorkbook, one for the stand-in."""
    paths = (tmp_path / "xlwings.xlsx", tmp_path / "stand_in.xlsx")
    for path in paths:
        shutil.copy(EXAMPLE, path)
    return paths


def _tables(path: Path) -> dict[str, tuple[str, list[str], int, list[list[object]]]]:
    wb = load_workbook(path)
    return {
        t.name: (t.ref, [c.name for c in t.tableColumns], t.totalsRowCount or 0,
                 [[c.value for c in row] for row in ws[t.ref]])
        for ws in wb.worksheets
        for t in ws.tables.values()
    }  # fmt: skip


def test_the_table_is_its_whole_range_and_says_which_row_is_totals(twins):
    path, _ = twins
    sheet, below = add_totals_row(path, "tblContacten")
    excel = XlwingsWorkbook(FakeBook(FakeStandIn(path)))
    block = excel.table("TBLCONTACTEN")
    assert block is not None and (block.name, block.sheet, block.totals) == (
        "tblContacten", sheet, 1,
    )  # fmt: skip
    assert block.row + len(block.values) - 1 == below and block.values[-1][0] == "Totaal"
    assert len(block.data) == 60
    plain = excel.table("tblKlanten")
    assert plain is not None and plain.totals == 0 and len(plain.data) == 40


@pytest.mark.parametrize("totals", [False, True], ids=["plain", "with-totals"])
def test_a_column_added_through_xlwings_matches_the_stand_in(twins, totals):
    """Widen: XlwingsWorkbook._resize counts the rows of ListObject.Range, so a totals row
    stays the last row; the header and the value land where the stand-in puts them."""
    patch = Patch(
        add_columns=(("tblKlanten", ("Klantnummer", "Notitie")),),
        set_cells=(("tblKlanten", "Klantnummer", "K002", {"Notitie": "'t is goed"}),),
    )
    if totals:
        for path in twins:
            add_totals_row(path, "tblKlanten")
    via_xlwings, via_stand_in = twins
    fake = FakeStandIn(via_xlwings)
    assert live.write_patch(XlwingsWorkbook(FakeBook(fake)), patch) == ("tabel tblKlanten",)
    assert fake.resizes == 1
    fake.save()
    other = OpenpyxlWorkbook(via_stand_in)
    live.write_patch(other, patch)
    other.save()
    got, exp = _tables(via_xlwings), _tables(via_stand_in)
    assert got == exp
    _ref, names, count, rows = got["tblKlanten"]
    assert names[-1] == "Notitie" and count == int(totals)
    assert rows[-1][0] == ("Totaal" if totals else "K040") and rows[-1][-1] is None
    assert read_book(via_xlwings) == read_book(via_stand_in)


def test_rows_appended_through_xlwings_match_the_stand_in(twins):
    rows = ({"Datum": date(2026, 11, 24), "Klantnummer": "K001", "Kanaal": "Brief"},) * 2
    patch = Patch(append=(("tblContacten", rows),))
    via_xlwings, via_stand_in = twins
    fake = FakeStandIn(via_xlwings)
    live.write_patch(XlwingsWorkbook(FakeBook(fake)), patch)
    fake.save()
    other = OpenpyxlWorkbook(via_stand_in)
    live.write_patch(other, patch)
    other.save()
    assert _tables(via_xlwings) == _tables(via_stand_in)
    assert _tables(via_xlwings)["tblContacten"][0] == "A1:L63"


def test_rows_appended_through_xlwings_to_a_table_with_totals_are_refused(twins):
    path, _ = twins
    add_totals_row(path, "tblContacten")
    fake = FakeStandIn(path)
    patch = Patch(append=(("tblContacten", ({"Klantnummer": "K001"},)),))
    with pytest.raises(LiveError, match="totaalrij"):
        live.write_patch(XlwingsWorkbook(FakeBook(fake)), patch)
    assert (fake.writes, fake.resizes) == (0, 0)


def test_a_text_that_starts_with_an_equals_sign_is_no_formula(twins):
    """Range.Formula of a text cell "'=geen formule" is "=geen formule", as of a formula:
    taken for one, the cell was refused for writing. Range.HasFormula tells them apart,
    asked of the block, then per column, then per cell only where a column holds both."""
    path, _ = twins
    stand_in = OpenpyxlWorkbook(path)
    stand_in.write("Klanten", 3, 19, [["'=geen formule"]])  # K002's Notities, as text
    stand_in.write("Klanten", 4, 19, [["=1+1"]])  # K003's Notities, a formula
    stand_in.save()
    fake = FakeStandIn(path)
    excel = XlwingsWorkbook(FakeBook(fake))
    for sheet, rows, columns in (("Klanten", 40, 19), ("Facturen", 320, 16)):
        exp = OpenpyxlWorkbook(path).formulas(sheet, 2, 1, rows, columns)
        got = excel.formulas(sheet, 2, 1, rows, columns)
        assert got == exp
    klanten = excel.formulas("Klanten", 2, 19, 3, 1)
    assert klanten == [[False], [False], [True]]
    fake.has_formula_calls = 0
    facturen = excel.formulas("Facturen", 2, 1, 320, 16)
    assert all(line[13] for line in facturen) and not any(any(line[:13]) for line in facturen)
    assert fake.has_formula_calls == 2  # the block (some), column N (all): not 320 cells

    ok = Patch(set_cells=(("tblKlanten", "Klantnummer", "K002", {"Notities": "ander"}),))
    live.write_patch(excel, ok)
    assert fake.wb["Klanten"]["S3"].value == "ander"
    refused = Patch(set_cells=(("tblKlanten", "Klantnummer", "K003", {"Notities": "x"}),))
    with pytest.raises(LiveError, match=r"Cel S4 \(Notities\).*formule"):
        live.write_patch(excel, refused)


def test_a_failure_part_way_through_xlwings_puts_the_table_back(twins):
    """The putting back goes through XlwingsWorkbook too: the grown tblContacten shrinks to
    its old Range through ListObject.Resize and its new rows are emptied again."""
    path, _ = twins
    before = _tables(path)
    fake = FakeStandIn(path, fail_on="Afspraken")
    rows = ({"Datum": date(2026, 11, 24), "Klantnummer": "K001", "Kanaal": "Brief"},) * 2
    patch = Patch(
        append=(("tblContacten", rows),),
        set_cells=(("tblAfspraken", "Afspraak", "A001", {"Status": "gemist"}),),
    )
    with pytest.raises(LiveError, match="er is niets in de werkmap veranderd"):
        live.write_patch(XlwingsWorkbook(FakeBook(fake)), patch)
    assert fake.resizes == 2  # grown, then back
    fake.save()
    assert _tables(path) == before
    assert [c.value for c in fake.wb["Contacten"][62]] == [None] * 12


@pytest.mark.parametrize(
    "name",
    ["nov.xml", "MT940.STA", "ASN.940.txt", "NL44RABO.csv", "camt.zip", "TXT261124101500.TAB"],
)
def test_the_bank_file_picker_shows_every_export_bank_reads(name):
    # Excel's picker lists only what its filter's patterns match (case does not matter on
    # Windows): ABN AMRO's TXT261124101500.TAB was hidden behind "Alle bestanden".
    patterns = EXCEL_FILE_FILTER.split(",")[1].split(";")
    assert any(fnmatch.fnmatch(name.lower(), pattern) for pattern in patterns)
