"""apply_patch on real workbooks: only the owned parts change, and every reader agrees.

The base workbook is the example Book written by write_book, then given what a user's
workbook has and openpyxl would lose: a comment, an image and a chart (added by openpyxl),
a VBA project, a ribbon (customUI14 part with its relationship) and a calcChain (added to
the zip by hand). Each test patches a fresh copy and compares part by part with the original,
then reads the result back with openpyxl, python-calamine and our own reader.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.utils import get_column_letter, range_boundaries
from PIL import Image as PILImage
from python_calamine import CalamineWorkbook

from addin import schema
from addin.adapters.workbook import xlsx_patch
from addin.adapters.workbook.book_writer import OPEN_FORMULA, write_book
from addin.adapters.workbook.reader import read_book
from addin.adapters.workbook.xlsx_patch import BACKUP_DIR, Patch, PatchError, apply_patch
from addin.core.model import Book
from addin.example import example_book
from tests.libreoffice import XLSX, convert
from tests.ooxml import schema_errors

EVIL = '=HYPERLINK("http://x","klik")'
UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
CALC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"

CONTACT = {
    "Datum": date(2026, 11, 24),
    "Klantnummer": "K001",
    "Facturen": "2026-0210",
    "kanaal ": "Brief",  # headers match as normalise_header does
    "Doel": EVIL,
    "Uitkomst": "Anders",
    "Vervolgdatum": date(2026, 12, 8),
    "Door": "  Marieke\tde Vries  ",
    "Stap": "Herinnering",
    "Document": "brief _x0041_ 1.pdf",
}


# --- making the workbooks -----------------------------------------------------------------


def _rezip(path: Path, add: dict[str, bytes], edit: dict[str, Callable[[bytes], bytes]]) -> None:
    """Rewrite the zip at `path` with members added and some edited (test setup only)."""
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, content in members:
            if info.filename in edit:
                content = edit[info.filename](content)
            dst.writestr(info.filename, content)
        for name, content in add.items():
            dst.writestr(name, content)


def _insert(close_tag: bytes, fragment: bytes) -> Callable[[bytes], bytes]:
    return lambda xml: xml.replace(close_tag, fragment + close_tag)


def _png() -> io.BytesIO:
    data = io.BytesIO()
    PILImage.new("RGB", (8, 8), (200, 30, 30)).save(data, format="PNG")
    data.seek(0)
    return data


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("base")
    written = folder / "geschreven.xlsx"
    write_book(example_book(), written)
    wb = openpyxl.load_workbook(written)
    wb["Klanten"]["A2"].comment = Comment("Belt liever 's ochtends", "Marieke")
    overview = wb["Overzicht"]
    overview.add_image(Image(_png()), "B2")
    chart = BarChart()
    chart.add_data(
        Reference(wb["Facturen"], min_col=5, min_row=1, max_row=10), titles_from_data=True
    )
    overview.add_chart(chart, "E2")
    path = folder / "Debiteuren.xlsm"
    wb.save(path)
    rels = (
        b'<Relationship Id="rIdUi" Type="'
        + UI_REL.encode()
        + b'" Target="customUI/customUI14.xml"/>'
    )
    wb_rels = (
        b'<Relationship Id="rIdVba" Type="' + VBA_REL.encode() + b'" Target="vbaProject.bin"/>'
        b'<Relationship Id="rIdCalc" Type="' + CALC_REL.encode() + b'" Target="calcChain.xml"/>'
    )
    types = (
        b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        b'<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.calcChain+xml"/>'
    )
    _rezip(
        path,
        add={
            "xl/vbaProject.bin": bytes(range(256)) * 40,
            "customUI/customUI14.xml": b'<customUI xmlns="http://schemas.microsoft.com/office/2009/07/customui"><ribbon/></customUI>',
            "xl/calcChain.xml": b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="N2" i="1"/></calcChain>',
        },
        edit={
            "_rels/.rels": _insert(b"</Relationships>", rels),
            "xl/_rels/workbook.xml.rels": _insert(b"</Relationships>", wb_rels),
            "[Content_Types].xml": lambda xml: _insert(b"</Types>", types)(
                xml.replace(PLAIN_MAIN.encode(), MACRO_MAIN.encode())
            ),
        },
    )
    return path


@pytest.fixture
def book(base: Path, tmp_path: Path) -> Path:
    path = tmp_path / base.name
    shutil.copy(base, path)
    return path


# --- reading back -----------------------------------------------------------------------


def _contents(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def _raw(path: Path) -> dict[str, bytes]:
    """Each member's compressed bytes, as stored."""
    data = path.read_bytes()
    with zipfile.ZipFile(path) as z:
        out = {}
        for info in z.infolist():
            extra_len = int.from_bytes(
                data[info.header_offset + 28 : info.header_offset + 30], "little"
            )
            start = info.header_offset + 30 + len(info.filename.encode()) + extra_len
            out[info.filename] = data[start : start + info.compress_size]
        return out


def _differing(before: Path, after: Path) -> set[str]:
    old, new = _contents(before), _contents(after)
    return {n for n in old.keys() | new.keys() if old.get(n) != new.get(n)}


def _table_rows(path: Path, name: str) -> list[list[object]]:
    wb = CalamineWorkbook.from_path(str(path), load_tables=True)
    return wb.get_table_by_name(name).to_python()


def _sheet_part(path: Path, sheet: str) -> str:
    wb = openpyxl.load_workbook(path, read_only=True)
    index = wb.sheetnames.index(sheet)
    wb.close()
    return f"xl/worksheets/sheet{index + 1}.xml"


# --- append ---------------------------------------------------------------------------


def test_append_changes_only_the_table_and_its_sheet(base, book):
    result = apply_patch(book, Patch(append=(("tblContacten", (CONTACT, CONTACT)),)))
    contacts = _sheet_part(base, "Contacten")
    table = next(n for n, c in _contents(base).items() if b'displayName="tblContacten"' in c)
    assert _differing(base, book) == {contacts, table}
    assert set(result.changed_parts) == {contacts, table}
    assert result.appended == (("tblContacten", 2),)
    old_raw, new_raw = _raw(base), _raw(book)
    assert list(old_raw) == list(new_raw), "member order kept"
    for name in old_raw.keys() - {contacts, table}:
        assert old_raw[name] == new_raw[name], f"{name} was not copied raw"


def test_appended_rows_read_back_by_openpyxl(base, book):
    before = openpyxl.load_workbook(base)["Contacten"].tables["tblContacten"].ref
    apply_patch(book, Patch(append=(("tblContacten", (CONTACT,)),)))
    ws = openpyxl.load_workbook(book)["Contacten"]
    ref = ws.tables["tblContacten"].ref
    last = int(before.split(":")[1][1:])
    assert ref == f"{before.split(':')[0]}:{before.split(':')[1].rstrip('0123456789')}{last + 1}"
    row = {ws.cell(1, c).value: ws.cell(last + 1, c) for c in range(1, 12)}
    assert row["Datum"].value == datetime(2026, 11, 24)
    assert row["Datum"].is_date
    assert row["Vervolgdatum"].is_date
    assert row["Doel"].value == EVIL
    assert row["Doel"].data_type == "s"
    assert row["Door"].value == "  Marieke\tde Vries  "


def test_appended_rows_read_back_by_calamine_and_the_reader(base, book):
    n = len(_table_rows(base, "tblContacten"))
    apply_patch(book, Patch(append=(("tblContacten", (CONTACT,)),)))
    rows = _table_rows(book, "tblContacten")
    assert len(rows) == n + 1
    assert rows[-1] == [
        date(2026, 11, 24),
        "K001",
        "2026-0210",
        "Brief",
        "",
        EVIL,
        "Anders",
        date(2026, 12, 8),
        "  Marieke\tde Vries  ",
        "Herinnering",
        "brief _x0041_ 1.pdf",  # a literal _x0041_ survives (written as _x005F_x0041_)
        "",  # Verzonden
    ]
    read, problems = read_book(book)
    _, problems_before = read_book(base)
    assert problems == problems_before
    assert read.contacts[-1].goal == EVIL
    assert read.contacts[-1].follow_up == date(2026, 12, 8)


# Rows whose columns mix value types, empty values and texts that need care: appended
# together, each column is converted as a whole (with per-type fast paths); appended one
# at a time, each cell on its own. Both must give the same sheet, byte for byte.
MIXED = (
    CONTACT,
    {**CONTACT, "Datum": datetime(2026, 11, 25, 14, 30), "Door": None, "Document": ""},
    {"Datum": date(2026, 11, 26), "Klantnummer": 1017, "Doel": " spatie vooraan"},
    {"Datum": None, "Klantnummer": 17.5, "Doel": "a\r\nb & <c>", "Stap": True},
    {"Klantnummer": Decimal("12.30"), "Doel": "_x0041_ en _X004a_", "Door": "€ ok"},
    {"Datum": date(2026, 11, 27), "Klantnummer": "K002", "Doel": "twee  spaties"},
)


def test_rows_appended_together_are_the_rows_appended_one_by_one(base, tmp_path):
    together, apart = tmp_path / "samen.xlsx", tmp_path / "los.xlsx"
    shutil.copyfile(base, together)
    shutil.copyfile(base, apart)
    apply_patch(together, Patch(append=(("tblContacten", MIXED),)), backup=False)
    for row in MIXED:
        apply_patch(apart, Patch(append=(("tblContacten", (row,)),)), backup=False)
    part = _sheet_part(base, "Contacten")
    assert _contents(together)[part] == _contents(apart)[part]
    rows = _table_rows(together, "tblContacten")[-len(MIXED) :]
    doel = [r[5] for r in rows]
    assert doel == [EVIL, EVIL, " spatie vooraan", "a\r\nb & <c>", "_x0041_ en _X004a_",
                    "twee  spaties"]  # fmt: skip
    assert [r[1] for r in rows] == ["K001", "K001", 1017, 17.5, 12.3, "K002"]
    assert rows[1][0] == datetime(2026, 11, 25, 14, 30)


def test_texts_with_empty_ones_among_them_are_the_cells_made_one_by_one(
    base, tmp_path, monkeypatch
):
    """A text column with empty texts (no value) goes together all the same; the XML is
    what `_convert` makes cell by cell, styled empty cells included."""
    rows = tuple(
        dict(CONTACT, Doel=["", "bel", " terug ", "", "a & b"][k % 5],
             Door="" if k % 3 else "Marieke", Document="" if k % 2 else CONTACT["Document"])
        for k in range(12)
    )  # fmt: skip
    together, apart = tmp_path / "samen.xlsx", tmp_path / "los.xlsx"
    # The table's last row styled as text in every column, so empty cells keep a style.
    wb = openpyxl.load_workbook(base, keep_vba=True)
    sheet = wb["Contacten"]
    for cell in sheet[
        sheet.tables["tblContacten"].ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    ]:
        cell.number_format = "@"
    wb.save(together)
    shutil.copyfile(together, apart)
    apply_patch(together, Patch(append=(("tblContacten", rows),)), backup=False)
    monkeypatch.setattr(
        xlsx_patch._NewRows,
        "_texts",
        lambda self, col, texts, numbers: self._one_by_one(col, texts, numbers),
    )
    apply_patch(apart, Patch(append=(("tblContacten", rows),)), backup=False)
    part = _sheet_part(base, "Contacten")
    assert _contents(together)[part] == _contents(apart)[part]


class _Columns:
    """Rows handed over column by column (xlsx_patch.ColumnRows); indexing a row fails, so
    the test shows the write-back never builds a row's dict."""

    def __init__(self, rows: tuple[dict[str, object], ...]) -> None:
        self.rows = rows
        self.headers = tuple(rows[0])

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: slice) -> _Columns:
        assert isinstance(index, slice), "a row was indexed"
        return _Columns(self.rows[index])

    def __iter__(self):
        raise AssertionError("the rows were iterated")

    def column(self, header: str) -> list[object]:
        return [row[header] for row in self.rows]


def test_rows_given_by_column_write_what_the_same_dicts_write(base, tmp_path):
    full = tuple({h: row.get(h) for h in CONTACT} for row in MIXED)
    by_row, by_column = tmp_path / "rijen.xlsx", tmp_path / "kolommen.xlsx"
    shutil.copyfile(base, by_row)
    shutil.copyfile(base, by_column)
    apply_patch(by_row, Patch(append=(("tblContacten", full),)), backup=False)
    done = apply_patch(by_column, Patch(append=(("tblContacten", _Columns(full)),)), backup=False)  # type: ignore[arg-type]
    assert done.appended == (("tblContacten", len(full)),)
    assert _contents(by_row) == _contents(by_column)


def test_rows_appended_in_batches_and_deflated_as_they_come_are_the_same_workbook(
    base, tmp_path, monkeypatch
):
    """Big appends are made ROW_BATCH rows at a time and deflated as they come (an MT940
    import of 655,000 rows); small batches and a small BIG_PART show it on a few rows."""
    rows = tuple(dict(CONTACT, Klantnummer=f"K{k:03d}", Doel=f"bel {k}") for k in range(40))
    whole, pieces = tmp_path / "heel.xlsx", tmp_path / "stukken.xlsx"
    shutil.copyfile(base, whole)
    shutil.copyfile(base, pieces)
    apply_patch(whole, Patch(append=(("tblContacten", rows),)), backup=False)
    monkeypatch.setattr(xlsx_patch, "ROW_BATCH", 7)
    monkeypatch.setattr(xlsx_patch, "BIG_PART", 1_000)
    monkeypatch.setattr(xlsx_patch, "DEFLATE_QUEUE", 500)  # the deflating thread waited for
    before = xlsx_patch.OPERATIONS["batch"]
    apply_patch(pieces, Patch(append=(("tblContacten", rows),)), backup=False)
    assert xlsx_patch.OPERATIONS["batch"] - before == 6  # 40 rows, 7 a batch
    assert _contents(whole) == _contents(pieces)
    # a bad cell in a later batch is still named by its row, and nothing is written
    bad = tuple(dict(r, Doel="bel\x07 terug") if k == 30 else r for k, r in enumerate(rows))
    kept = pieces.read_bytes()
    with pytest.raises(PatchError, match="stuurteken") as err:
        apply_patch(pieces, Patch(append=(("tblContacten", bad),)))
    assert "kolom 'Doel'" in str(err.value) and pieces.read_bytes() == kept


def test_a_bad_cell_among_many_rows_is_named(book):
    rows = [dict(CONTACT, Klantnummer=f"K{k:03d}") for k in range(50)]
    rows[37]["Doel"] = "bel\x07 terug"
    with pytest.raises(PatchError, match="stuurteken") as err:
        apply_patch(book, Patch(append=(("tblContacten", tuple(rows)),)))
    assert "kolom 'Doel'" in str(err.value)


def test_invoices_get_the_open_formula_and_old_rows_stay(base, book):
    invoice = {
        "Factuurnummer": "2026-9001",
        "Klantnummer": "K001",
        "Factuurdatum": date(2026, 11, 20),
        "Bedrag": Decimal("1210.55"),
    }
    apply_patch(book, Patch(append=(("tblFacturen", (invoice,)),)))
    part = _sheet_part(base, "Facturen")
    old, new = _contents(base)[part], _contents(book)[part]
    rows = old[old.index(b"<sheetData") : old.index(b"</sheetData>")]
    assert new[new.index(b"<sheetData") :].startswith(rows), "old rows and formulas untouched"
    # openpyxl writes "<x/>" with lxml and "<x />" without: accept both.
    assert re.search(rb'<dimension ref="A1:P322"\s*/>', new)
    ws = openpyxl.load_workbook(book)["Facturen"]
    last = ws.max_row
    headers = [c.value for c in ws[1]]
    row = dict(zip(headers, (c.value for c in ws[last]), strict=True))
    assert row["Open"] == "=" + OPEN_FORMULA
    assert row["Bedrag"] == pytest.approx(1210.55)
    assert ws[last][headers.index("Bedrag")].number_format == "#,##0.00"
    read, _ = read_book(book)
    assert read.invoices[-1].amount == Decimal("1210.55")
    assert read.invoices[-1].invoice_date == date(2026, 11, 20)


def test_braces_in_a_formula_or_a_text_are_written_as_they_are(base, book):
    """Appended rows are put together with str.format (xlsx_patch._Fragment): a calculated
    column's formula with braces (an array constant) and texts that look like format
    fields come out as they are, on every row."""
    with zipfile.ZipFile(base) as z:
        table = next(
            n for n in z.namelist() if n.startswith("xl/tables/") and b"tblFacturen" in z.read(n)
        )
    formula = 'SUM({1,2})&"{0}"'
    _rezip(
        book,
        add={},
        edit={
            table: lambda xml: re.sub(
                rb"(<calculatedColumnFormula>)[^<]*(</calculatedColumnFormula>)",
                lambda m: m[1] + formula.replace("&", "&amp;").encode() + m[2],
                xml,
            )
        },
    )
    texts = ["{0}", "{}", "{{x}}", "a {1} b"]
    invoices = tuple(
        {
            "Factuurnummer": f"2026-90{k:02}",
            "Klantnummer": "K001",
            "Factuurdatum": date(2026, 11, 20),
            "Bedrag": Decimal("10.00"),
            "Omschrijving": text,
        }
        for k, text in enumerate(texts)
    )
    apply_patch(book, Patch(append=(("tblFacturen", invoices),)))
    ws = openpyxl.load_workbook(book)["Facturen"]
    headers = [c.value for c in ws[1]]
    rows = [
        dict(zip(headers, (c.value for c in r), strict=True))
        for r in ws.iter_rows(min_row=ws.max_row - 3)
    ]
    assert [r["Omschrijving"] for r in rows] == texts
    assert [r["Open"] for r in rows] == ["=" + formula] * 4
    assert [r["Factuurnummer"] for r in rows] == [i["Factuurnummer"] for i in invoices]


def test_formulas_added_drop_the_calc_chain(base, book):
    result = apply_patch(book, Patch(append=(("tblFacturen", ({"Factuurnummer": "X"},)),)))
    assert result.removed_parts == ("xl/calcChain.xml",)
    parts = _contents(book)
    assert "xl/calcChain.xml" not in parts
    assert b"calcChain" not in parts["xl/_rels/workbook.xml.rels"]
    assert b"calcChain" not in parts["[Content_Types].xml"]
    assert b'fullCalcOnLoad="1"' in parts["xl/workbook.xml"]
    # the ribbon and VBA stay, with their relationships
    for name in ("xl/vbaProject.bin", "customUI/customUI14.xml", "_rels/.rels"):
        assert parts[name] == _contents(base)[name]


def test_empty_table_fills_its_empty_row_first(tmp_path):
    path = tmp_path / "leeg.xlsx"
    write_book(Book(), path)
    apply_patch(path, Patch(append=(("tblContacten", (CONTACT,)),)))
    assert openpyxl.load_workbook(path)["Contacten"].tables["tblContacten"].ref == "A1:L2"
    apply_patch(path, Patch(append=(("tblContacten", (CONTACT,)),)))
    assert openpyxl.load_workbook(path)["Contacten"].tables["tblContacten"].ref == "A1:L3"
    assert [r[1] for r in _table_rows(path, "tblContacten")] == ["K001", "K001"]


def test_a_header_twice_gets_the_value_in_its_first_column_as_the_reader_reads(tmp_path):
    """The reader reads the first of two columns with one header (and says so); the rows
    this writes went to the last one, so a logged contact read back without its date."""
    path = tmp_path / "dubbel.xlsx"
    write_book(Book(), path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Contacten"]
    ws["M1"] = " datum"  # a second Datum column, at the table's right edge
    ws.tables["tblContacten"].ref = "A1:M2"
    ws.tables["tblContacten"].tableColumns = []  # openpyxl names them from row 1 again
    wb.save(path)
    apply_patch(path, Patch(append=(("tblContacten", (CONTACT,)),)))
    ws = openpyxl.load_workbook(path)["Contacten"]
    assert (ws["A2"].value, ws["M2"].value) == (datetime(2026, 11, 24), None)
    book, problems = read_book(path)
    assert [c.date for c in book.contacts] == [date(2026, 11, 24)]
    assert [(p.source.sheet, p.source.row, p.source.column) for p in problems] == [
        ("Contacten", 1, "Datum")
    ]


def test_append_row_is_where_apply_patch_appends(tmp_path):
    """`append_row` tells beforehand the row `append` writes to: the empty row of a table
    without data, below the rows of one with data (a blank last row of the table too), and
    0 when there is no such table or no workbook."""
    path = tmp_path / "leeg.xlsx"
    write_book(Book(), path)
    wb = openpyxl.load_workbook(path)
    assert wb["Contacten"].tables["tblContacten"].ref == "A1:L2"  # Excel's one empty row
    for expected in (2, 3):
        assert xlsx_patch.append_row(path, "tblcontacten") == expected
        apply_patch(path, Patch(append=(("tblContacten", (CONTACT,)),)))
        assert openpyxl.load_workbook(path)["Contacten"].cell(expected, 2).value == "K001"
    # The table ends in a blank row (a user cleared it): new rows go below it.
    wb = openpyxl.load_workbook(path)
    wb["Contacten"].tables["tblContacten"].ref = "A1:L4"
    wb.save(path)
    assert xlsx_patch.append_row(path, "tblContacten") == 5
    apply_patch(path, Patch(append=(("tblContacten", (CONTACT,)),)))
    assert openpyxl.load_workbook(path)["Contacten"].cell(5, 2).value == "K001"
    assert xlsx_patch.append_row(path, "tblGeenTabel") == 0
    assert xlsx_patch.append_row(tmp_path / "weg.xlsx", "tblContacten") == 0


def test_a_date_style_is_added_once_when_the_workbook_has_none(tmp_path):
    path = tmp_path / "kaal.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Werklijst"
    wb.save(path)
    before = _contents(path)["xl/styles.xml"].count(b"<xf ")
    rows = tuple((date(2026, 1, d), "x") for d in range(1, 11))
    apply_patch(path, Patch(replace_sheet=(("Werklijst", rows),)))
    apply_patch(path, Patch(replace_sheet=(("Werklijst", rows),)))
    assert _contents(path)["xl/styles.xml"].count(b"<xf ") == before + 1
    ws = openpyxl.load_workbook(path)["Werklijst"]
    assert ws["A10"].value == datetime(2026, 1, 10)
    assert ws["A10"].is_date


def test_dates_in_a_1904_workbook(tmp_path):
    path = tmp_path / "mac.xlsx"
    write_book(Book(), path)
    _rezip(
        path,
        {},
        {
            "xl/workbook.xml": lambda x: re.sub(
                rb"<workbookPr\s*/>", b'<workbookPr date1904="1"/>', x
            )
        },
    )
    apply_patch(path, Patch(append=(("tblContacten", (CONTACT,)),)))
    ws = openpyxl.load_workbook(path)["Contacten"]
    assert ws.parent.epoch.year == 1904
    assert ws["A2"].value == datetime(2026, 11, 24)


# --- set cells --------------------------------------------------------------------------


def test_set_cells_in_the_row_found_by_key(base, book):
    apply_patch(
        book,
        Patch(
            set_cells=(
                (
                    "tblAfspraken",
                    "Afspraak",
                    "A001",
                    {"Bevestiging verstuurd": date(2026, 11, 24), "Status": "loopt"},
                ),
            )
        ),
    )
    assert _differing(base, book) == {_sheet_part(base, "Afspraken")}
    rows = _table_rows(book, "tblAfspraken")
    headers = schema.AFSPRAKEN.headers
    row = dict(zip(headers, next(r for r in rows if r[0] == "A001"), strict=True))
    assert row["Bevestiging verstuurd"] == date(2026, 11, 24)
    assert row["Status"] == "loopt"
    read, _ = read_book(book)
    assert next(a for a in read.agreements if a.id == "A001").confirmation_sent == date(
        2026, 11, 24
    )


@pytest.mark.parametrize(
    "rewrite",
    [
        # as written: the key cell is found by its r="A2" without parsing the row
        lambda xml: xml,
        # r not first, single quotes: the whole row is parsed, as before
        lambda xml: re.sub(rb'<c r="(A\d+)"([^>]*?)(/?)>', rb"<c\2 r='\1'\3>", xml),
    ],
    ids=["r-eerst", "r-later"],
)
def test_set_cells_finds_the_key_however_the_cell_is_written(base, tmp_path, rewrite):
    path = tmp_path / "sleutel.xlsx"
    shutil.copyfile(base, path)
    _rezip(path, {}, {_sheet_part(base, "Afspraken"): rewrite})
    apply_patch(path, Patch(set_cells=(("tblAfspraken", "Afspraak", "A002", {"Status": "x"}),)))
    rows = _table_rows(path, "tblAfspraken")
    status = schema.AFSPRAKEN.headers.index("Status")
    assert [r[status] for r in rows if r[0] == "A002"] == ["x"]


def test_set_cells_refuses_to_overwrite_a_formula(base, tmp_path):
    path = tmp_path / "formule.xlsx"
    wb = openpyxl.load_workbook(base)
    wb["Afspraken"]["N2"] = "=1+1"  # Notities of A001, not a calculated column
    wb.save(path)
    before = path.read_bytes()
    with pytest.raises(PatchError, match="bevat een formule"):
        apply_patch(
            path, Patch(set_cells=(("tblAfspraken", "Afspraak", "A001", {"Notities": "x"}),))
        )
    assert path.read_bytes() == before


def test_set_cells_missing_key(book):
    with pytest.raises(PatchError, match="geen rij met Afspraak = 'A999'"):
        apply_patch(book, Patch(set_cells=(("tblAfspraken", "Afspraak", "A999", {"Status": "x"}),)))


# --- replace sheet ----------------------------------------------------------------------


def test_replace_sheet_keeps_the_sheet_settings(base, book):
    rows = (("Klant", "Actie", "Datum"), ("K001", "bellen", date(2026, 11, 25)), (None, EVIL))
    apply_patch(book, Patch(replace_sheet=(("Werklijst", rows),)))
    part = _sheet_part(base, "Werklijst")
    assert _differing(base, book) == {part}
    old, new = _contents(base)[part], _contents(book)[part]
    assert re.search(rb'<dimension ref="A1:C3"\s*/>', new)
    # Everything before sheetData stays as it was, except the dimension.
    head = re.compile(rb"<dimension[^>]*>")
    before = head.sub(b"", old[: old.index(b"<sheetData")])
    assert head.sub(b"", new[: new.index(b"<sheetData")]) == before
    ws = openpyxl.load_workbook(book)["Werklijst"]
    assert list(ws.values) == [
        ("Klant", "Actie", "Datum"),
        ("K001", "bellen", datetime(2026, 11, 25)),
        (None, EVIL, None),
    ]


REPLACED_TEXTS = (
    "gewoon", " spatie vooraan", "achteraan ", "twee  spaties", "a\r\nb & <c>", "tab\there",
    "_x0041_ en _X004a_", "{0} {}", EVIL, "",
)  # fmt: skip


@pytest.mark.parametrize(
    "extra", [(), ("stuur\x02teken",), ("x" * 32_768,)], ids=["netjes", "stuurteken", "te-lang"]
)
def test_replace_sheet_texts_at_once_are_the_cells_made_one_by_one(
    base, tmp_path, monkeypatch, extra
):
    """A sheet's distinct texts are converted together (xlsx_patch._text_cells); the XML is
    what `_convert` makes text by text, and a bad text is named by its cell either way."""
    texts = REPLACED_TEXTS + extra
    rows = (("Kop", "Tekst"), *((k, t) for k, t in enumerate(texts)), ("weer", texts[1]))
    together, apart = tmp_path / "samen.xlsx", tmp_path / "los.xlsx"
    shutil.copyfile(base, together)
    shutil.copyfile(base, apart)

    def write(path: Path) -> str:
        try:
            apply_patch(path, Patch(replace_sheet=(("Werklijst", rows),)), backup=False)
        except PatchError as exc:
            return str(exc).replace(str(path), "BOEK")
        return ""

    made = write(together)
    monkeypatch.setattr(xlsx_patch, "_text_cells", lambda texts, p: {})
    assert write(apart) == made
    assert ("cel B12" in made) == bool(extra)
    part = _sheet_part(base, "Werklijst")
    assert _contents(together)[part] == _contents(apart)[part]


def test_replace_sheet_adds_a_missing_sheet(base, book):
    result = apply_patch(book, Patch(replace_sheet=(("Nieuw blad", (("a", 1),)),)))
    assert {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"} <= set(
        result.changed_parts
    )
    assert any("toegevoegd" in note for note in result.notes)
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[-1] == "Nieuw blad"
    assert list(wb["Nieuw blad"].values) == [("a", 1)]
    assert CalamineWorkbook.from_path(str(book)).get_sheet_by_name("Nieuw blad").to_python() == [
        ["a", 1]
    ]


def test_replace_sheet_drops_its_table_and_says_so(book):
    result = apply_patch(book, Patch(replace_sheet=(("Stappen", (("leeg",),)),)))
    assert any("tblStappen" in note for note in result.notes)
    assert "tblStappen" not in CalamineWorkbook.from_path(str(book), load_tables=True).table_names
    assert list(openpyxl.load_workbook(book)["Stappen"].values) == [("leeg",)]


# --- refusals: the file stays as it was -------------------------------------------------


def _refused(path: Path, patch: Patch, match: str) -> None:
    before = path.read_bytes()
    with pytest.raises(PatchError, match=match) as err:
        apply_patch(path, patch)
    assert str(path) in str(err.value)
    assert path.read_bytes() == before
    assert not (path.parent / BACKUP_DIR).exists()
    assert sorted(p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")) == []


def test_refused_while_excel_has_it_open(book):
    (book.parent / ("~$" + book.name)).write_bytes(b"owner")
    _refused(book, Patch(append=(("tblContacten", (CONTACT,)),)), "geopend in Excel")


def test_refused_while_libreoffice_has_it_open(book):
    # LibreOffice's lock file: saving there afterwards would overwrite what this run wrote.
    (book.parent / f".~lock.{book.name}#").write_bytes(b"owner")
    _refused(book, Patch(append=(("tblContacten", (CONTACT,)),)), "geopend in LibreOffice")


def test_refused_when_the_file_is_marked_read_only(book):
    # Windows' Alleen-lezen, or no write bit for anyone: Excel would not save over it either.
    book.chmod(0o444)
    try:
        _refused(book, Patch(append=(("tblContacten", (CONTACT,)),)), "alleen-lezen")
    finally:
        book.chmod(0o644)


def test_failure_halfway_changes_nothing(book):
    bad = dict(CONTACT, Doel="bel\x07")
    patch = Patch(
        append=(("tblContacten", (CONTACT,)), ("tblFacturen", ({"Omschrijving": 1},))),
        set_cells=(("tblAfspraken", "Afspraak", "A001", {"Notities": "bel\x07"}),),
    )
    _refused(book, patch, "stuurteken")
    _refused(
        book,
        Patch(append=(("tblFacturen", ({"Factuurnummer": "1"},)), ("tblContacten", (bad,)))),
        "stuurteken",
    )


@pytest.mark.parametrize(
    ("patch", "match"),
    [
        (Patch(append=(("tblOnbekend", ({},)),)), "geen tabel 'tblOnbekend'"),
        (Patch(append=(("tblContacten", ({"Onbekend": 1},)),)), "geen kolom 'Onbekend'"),
        (Patch(append=(("tblContacten", ({"Doel": "x" * 32_768},)),)), "hoogstens 32767"),
        (Patch(append=(("tblContacten", ({"Datum": date(1900, 2, 28)},)),)), "1 maart 1900"),
        (Patch(append=(("tblContacten", ({"Datum": object()},)),)), "type object"),
        (Patch(replace_sheet=(("a/b", ()),)), "werkbladnaam"),
    ],
    ids=["table", "header", "long-text", "early-date", "type", "sheet-name"],
)
def test_bad_patches_are_refused(book, patch, match):
    _refused(book, patch, match)


def test_refused_when_content_sits_below_the_table(base, tmp_path):
    path = tmp_path / "eronder.xlsx"
    wb = openpyxl.load_workbook(base)
    ws = wb["Contacten"]
    ws.cell(ws.max_row + 2, 3, "notitie")
    wb.save(path)
    _refused(path, Patch(append=(("tblContacten", (CONTACT, CONTACT, CONTACT)),)), "staat al iets")


def test_refused_with_a_totals_row(base, tmp_path):
    path = tmp_path / "totaal.xlsx"
    shutil.copy(base, path)
    _rezip(
        path,
        {},
        {
            name: (lambda xml: xml.replace(b"<table ", b'<table totalsRowCount="1" ', 1))
            for name, content in _contents(base).items()
            if b'displayName="tblContacten"' in content
        },
    )
    _refused(path, Patch(append=(("tblContacten", (CONTACT,)),)), "totaalrij")


@pytest.mark.parametrize(
    ("data", "match"),
    [(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "wachtwoord"), (b"hallo", "geen Excel")],
    ids=["encrypted", "not-a-zip"],
)
def test_unusable_files_are_refused(tmp_path, data, match):
    path = tmp_path / "Debiteuren.xlsx"
    path.write_bytes(data)
    _refused(path, Patch(append=(("tblContacten", (CONTACT,)),)), match)


def test_damaged_part_is_refused(book):
    _rezip(book, {}, {"xl/workbook.xml": lambda xml: xml[:-20]})
    _refused(book, Patch(append=(("tblContacten", (CONTACT,)),)), "beschadigd")


def test_zip_with_data_descriptors_is_copied(base, tmp_path):
    """zipfile writes data descriptors (flag bit 3) when the output cannot seek."""

    class Unseekable(io.RawIOBase):
        def __init__(self) -> None:
            self.data = bytearray()

        def writable(self) -> bool:
            return True

        def write(self, b) -> int:  # type: ignore[override]
            self.data += b
            return len(b)

    out = Unseekable()
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    path = tmp_path / "stroom.xlsx"
    path.write_bytes(bytes(out.data))
    assert all(i.flag_bits & 0x08 for i in zipfile.ZipFile(path).infolist())
    apply_patch(path, Patch(append=(("tblContacten", (CONTACT,)),)))
    with zipfile.ZipFile(path) as z:
        assert z.testzip() is None
    assert _table_rows(path, "tblContacten")[-1][1] == "K001"


# --- backup -----------------------------------------------------------------------------


def test_backup_is_the_previous_file(base, book):
    first = apply_patch(book, Patch(append=(("tblContacten", (CONTACT,)),)))
    assert first.backup == book.parent / BACKUP_DIR / "Debiteuren.1.xlsm"
    assert first.backup.read_bytes() == base.read_bytes()
    between = book.read_bytes()
    second = apply_patch(book, Patch(append=(("tblContacten", (CONTACT,)),)))
    assert second.backup == book.parent / BACKUP_DIR / "Debiteuren.2.xlsm"
    assert second.backup.read_bytes() == between
    assert first.backup.read_bytes() == base.read_bytes()


def test_no_change_no_write(book):
    before = book.stat().st_mtime_ns
    result = apply_patch(book, Patch())
    assert result.backup is None and result.changed_parts == ()
    assert book.stat().st_mtime_ns == before


# --- LibreOffice ------------------------------------------------------------------------


def test_libreoffice_opens_the_patched_file(book, tmp_path):
    n = len(_table_rows(book, "tblContacten"))
    apply_patch(book, Patch(append=(("tblContacten", (CONTACT, CONTACT)),)))
    resaved = convert(book, tmp_path, XLSX)
    rows = _table_rows(resaved, "tblContacten")
    assert len(rows) == n + 2
    assert rows[-1][5] == EVIL
    assert rows[-1][0] == date(2026, 11, 24)


def test_patch_a_workbook_libreoffice_wrote(base, tmp_path):
    source = tmp_path / "bron.xlsx"
    write_book(example_book(), source)
    resaved = convert(source, tmp_path)
    assert "xl/sharedStrings.xml" in _contents(resaved)
    original = tmp_path / "origineel.xlsx"
    shutil.copy(resaved, original)
    n = len(_table_rows(resaved, "tblContacten"))
    apply_patch(
        resaved,
        Patch(
            append=(("tblContacten", (CONTACT,)),),
            set_cells=(
                ("tblAfspraken", "Afspraak", "A001", {"Bevestiging verstuurd": date(2026, 11, 24)}),
            ),
        ),
    )
    changed = _differing(original, resaved)
    assert "xl/sharedStrings.xml" not in changed and "xl/styles.xml" not in changed
    rows = _table_rows(resaved, "tblContacten")
    assert len(rows) == n + 1 and rows[-1][5] == EVIL
    read, _ = read_book(resaved)
    assert next(a for a in read.agreements if a.id == "A001").confirmation_sent == date(
        2026, 11, 24
    )
    assert read.contacts[-1].goal == EVIL


# --- tool-owned sheets with their layout (Werklijst, Overzicht) ----------------------------


def _werklijst(path: Path):
    from addin.core.letter_log import werklijst_rows
    from addin.core.plan import plan_book

    got, _ = read_book(path)
    return werklijst_rows(plan_book(got, date(2026, 11, 24)), got)


def test_werklijst_layout_changes_only_its_parts_and_styles_once(base, book):
    layout = _werklijst(book)
    apply_patch(book, Patch(replace_sheet=(("Werklijst", layout),)))
    part = _sheet_part(base, "Werklijst")
    # the sheet, the formats it needs (added once) and its filter name in workbook.xml
    assert _differing(base, book) == {part, "xl/styles.xml", "xl/workbook.xml"}
    first = _contents(book)
    for _ in range(9):
        apply_patch(book, Patch(replace_sheet=(("Werklijst", layout),)), backup=False)
    assert _contents(book) == first  # ten runs: styles.xml as the first left it
    old_raw, new_raw = _raw(base), _raw(book)
    assert {n for n in old_raw if old_raw[n] != new_raw.get(n)} == {
        part, "xl/styles.xml", "xl/workbook.xml"}  # fmt: skip

    wb = openpyxl.load_workbook(book)
    ws = wb["Werklijst"]
    header = layout.freeze_rows
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.auto_filter.ref == f"A{header}:N{len(layout.rows)}"
    assert [c.value for c in ws[header]] == list(schema.WERKLIJST_HEADER)
    first_row = ws[header + 1]
    assert first_row[1].number_format == "d-m-yyyy"
    assert "€" in first_row[7].number_format and first_row[7].value == float(layout.rows[header][7])
    assert ws[header][0].font.b and ws[header][0].fill.fgColor.rgb == "FF1F4E78"
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws.column_dimensions["N"].width == layout.widths[13] and ws["N9"].alignment.wrap_text
    link = first_row[3].hyperlink
    invoice = layout.rows[header][3]
    facturen = wb["Facturen"]
    assert link.location == f"'Facturen'!A{link.location.rsplit('A', 1)[1]}"
    assert facturen[f"A{link.location.rsplit('A', 1)[1]}"].value == invoice
    index = wb.sheetnames.index("Werklijst")
    names = re.findall(rb"<definedName [^>]*>[^<]*</definedName>", first["xl/workbook.xml"])
    exp = (
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
        f"'Werklijst'!$A${header}:$N${len(layout.rows)}</definedName>"
    ).encode()
    assert names.count(exp) == 1


# xlsx_patch._keeps_space answers what the _KEEP_SPACE pattern answers over the joined
# texts, for texts as the column fast path gets them (none empty, no control characters).
@settings(max_examples=500, deadline=None)
@given(
    st.lists(
        st.text(
            alphabet=st.one_of(
                st.sampled_from([" ", "\n", "\t", "\r", "\xa0", "\u2003", "\x85", "a", "_"]),
                st.characters(blacklist_categories=("Cs", "Cc")),
            ),
            min_size=1,
            max_size=6,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_keeps_space_is_the_pattern(texts: list[str]) -> None:
    joined = xlsx_patch._SEPARATOR.join(texts)
    exp = xlsx_patch._KEEP_SPACE.search(joined) is not None
    got = xlsx_patch._keeps_space(joined, texts)
    assert got == exp


# --- Excel's "number stored as text" check off (Patch.ignore_text_numbers) ---------------------

_WS = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    "<sheetData/>{tail}</worksheet>"
)
_OURS = '<ignoredError sqref="A1:A1048576 C1:D1048576" numberStoredAsText="1"/>'
_MARGINS = (
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
)

# (the sheet's elements after sheetData, the same after columns A, C and D are ignored)
IGNORED_ERRORS = [
    ("", f"<ignoredErrors>{_OURS}</ignoredErrors>"),
    (  # after the page set-up, before drawing and tableParts (CT_Worksheet's order)
        f'{_MARGINS}<drawing r:id="rId2"/><tableParts count="0"/>',
        f'{_MARGINS}<ignoredErrors>{_OURS}</ignoredErrors><drawing r:id="rId2"/>'
        '<tableParts count="0"/>',
    ),
    (  # the user's own kept, ours after them, before the element's extLst
        '<ignoredErrors><ignoredError sqref="B2" evalError="1"/><extLst/></ignoredErrors>',
        f'<ignoredErrors><ignoredError sqref="B2" evalError="1"/>{_OURS}<extLst/>'
        "</ignoredErrors>",
    ),
    (  # columns already ignored (Excel's A:A form, $ signs) are not named again
        '<ignoredErrors><ignoredError sqref="$A:$A C1:C1048576" numberStoredAsText="1"/>'
        "</ignoredErrors>",
        '<ignoredErrors><ignoredError sqref="$A:$A C1:C1048576" numberStoredAsText="1"/>'
        '<ignoredError sqref="D1:D1048576" numberStoredAsText="1"/></ignoredErrors>',
    ),
    (  # a single cell is not the whole column; another error kind does not count
        '<ignoredErrors><ignoredError sqref="A5" numberStoredAsText="1"/>'
        '<ignoredError sqref="C:D" formula="1"/></ignoredErrors>',
        '<ignoredErrors><ignoredError sqref="A5" numberStoredAsText="1"/>'
        f'<ignoredError sqref="C:D" formula="1"/>{_OURS}</ignoredErrors>',
    ),
    (  # an element this module does not know (controls in mc:AlternateContent) is later
        '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility'
        '/2006"><mc:Fallback/></mc:AlternateContent>',
        f"<ignoredErrors>{_OURS}</ignoredErrors>"
        '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility'
        '/2006"><mc:Fallback/></mc:AlternateContent>',
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("tail", "exp_tail"),
    IGNORED_ERRORS,
    ids=["leeg", "volgorde", "eigen-en-extlst", "al-genegeerd", "cel-en-ander-soort", "onbekend"],
)
def test_ignored_errors_edit(tail: str, exp_tail: str) -> None:
    xml = _WS.format(tail=tail).encode()
    edit = xlsx_patch._ignored_errors_edit(xml, {1, 3, 4})
    assert edit is not None
    start, end, fragment = edit
    got = xml[:start] + fragment + xml[end:]
    assert got.decode() == _WS.format(tail=exp_tail)
    assert schema_errors("sheet.xml", got) == []
    assert xlsx_patch._ignored_errors_edit(got, {1, 3, 4}) is None  # a second run: nothing


def test_ignored_errors_with_a_prefix_and_an_empty_element() -> None:
    xml = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<x:sheetData></x:sheetData><x:ignoredErrors/></x:worksheet>"
    )
    edit = xlsx_patch._ignored_errors_edit(xml, {2})
    assert edit is not None
    start, end, fragment = edit
    got = xml[:start] + fragment + xml[end:]
    assert got.endswith(
        b'<x:ignoredErrors><x:ignoredError sqref="B1:B1048576" numberStoredAsText="1"/>'
        b"</x:ignoredErrors></x:worksheet>"
    )
    assert schema_errors("sheet.xml", got) == []


@pytest.mark.parametrize(
    ("where", "patch", "match"),
    [
        ("below", Patch(append=(("tblContacten", (CONTACT,)),)),
         "Onder de tabel 'tblContacten' in '{path}' staan samengevoegde cellen ({ref})"),
        ("right", Patch(add_columns=(("tblContacten", ("Extra",)),)),
         "staan samengevoegde cellen ({ref}) waar de nieuwe kolom 'Extra' moet komen"),
    ],
    ids=["new-rows", "new-column"],
)  # fmt: skip
def test_refused_where_merged_cells_sit_in_the_way(base, tmp_path, where, patch, match):
    """New rows under a table and a new column beside it never go over merged cells."""
    path = tmp_path / "samengevoegd.xlsx"
    wb = openpyxl.load_workbook(base)
    ws = wb["Contacten"]
    left, top, right, bottom = range_boundaries(ws.tables["tblContacten"].ref)
    if where == "below":
        ref = f"{get_column_letter(left)}{bottom + 1}:{get_column_letter(left + 1)}{bottom + 1}"
    else:
        ref = f"{get_column_letter(right + 1)}{top + 1}:{get_column_letter(right + 2)}{top + 1}"
    ws.merge_cells(ref)
    wb.save(path)
    _refused(path, patch, re.escape(match.format(path=path.resolve(), ref=ref)))


@pytest.mark.parametrize(
    "formula",
    [
        "E2-F2",
        "$E$2-$F$2",
        "E$2-F$2",
        "$E2",
        "SUM(B:B)",
        "SUM(2:2)",
        "E2:E10",
        "ROUND(E2,2)",
        "IFERROR(E2-F2,0)",
        "MAX(0,E7-F7)",
        'IF(A2="B2","x",LOG10(C3))',
        "'Blad 1'!A1+1",
        "Blad1!B2*2",
        "E7-SUMIF(Betalingen!C:C,A7,Betalingen!B:B)",
        "LOG10(100)",
        '"A1"&"B2"',
        "tblFacturen[[#This Row],[Bedrag]]-N([@Betaald])",
        'SUMIFS(tblBetalingen[Bedrag],tblBetalingen[Factuur],[@Factuurnummer],"Gekoppeld")',
    ],
)
def test_whether_a_formula_moves_is_decided_as_openpyxl_s_translator_decides(formula):
    # 80320ba answers "no A1 reference, so it does not move" without importing openpyxl (a
    # slow import on every append); that answer must never differ from the Translator's.
    from openpyxl.formula.translate import Translator

    from addin.adapters.workbook.xlsx_patch import _moves

    for row in (2, 7):
        moved = Translator("=" + formula, f"G{row}").translate_formula(f"G{row + 1}")
        assert _moves(formula, 7, row) == (moved != "=" + formula)
