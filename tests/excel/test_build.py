"""The built workbook as a package and as sheets: reproducible bytes, the parts Excel needs
for macros and the ribbon, the formulas in both forms, drop-downs, names, the hidden
xlwings.conf sheet, and the reader reading it back to the example Book.

The sheets are read back with openpyxl (only reading: nothing here saves a workbook)."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from addin import schema
from addin.adapters.workbook.reader import read_book
from addin.core.model import (
    Action,
    AgreementKind,
    Audience,
    Basis,
    Channel,
    CustomerKind,
    Interval,
    Outcome,
    PaymentStatus,
    Role,
    Segment,
    Special,
)
from addin.example import EXAMPLE_DATE, EXAMPLE_TIMESTAMP
from addin.excel import formulas, package, validation
from addin.excel.build import WorkbookOptions, build_workbook, conf_rows, interpreter_rows
from tests.excel.conftest import SHIPPED

MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
RIBBON_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def _parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _load(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's notes on data validation extensions
        return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def wb(built):
    return _load(built)


# --- the package -------------------------------------------------------------------------


def test_two_builds_are_byte_identical(book, built):
    again = build_workbook(book, WorkbookOptions(EXAMPLE_DATE, EXAMPLE_TIMESTAMP))
    assert again == built.read_bytes()


def test_shipped_workbook_is_a_fresh_build(built):
    """Fails when the code or the example changed without `debiteuren bouw`. Compared part by
    part, uncompressed (another zlib may compress the same parts differently)."""
    assert SHIPPED.exists(), "workbook/Debiteuren.xlsm ontbreekt: draai `debiteuren bouw`"
    exp, got = _parts(built.read_bytes()), _parts(SHIPPED.read_bytes())
    assert [n for n, _ in got] == [n for n, _ in exp], "run `debiteuren bouw`"
    for (name, exp_part), (_, got_part) in zip(exp, got, strict=True):
        assert got_part == exp_part, f"{name} differs: run `debiteuren bouw`"


def test_zip_entries_have_fixed_times_and_order(built):
    with zipfile.ZipFile(built) as z:
        infos = z.infolist()
    assert {i.date_time for i in infos} == {package.ZIP_EPOCH}
    names = [i.filename for i in infos]
    assert names[:2] == ["[Content_Types].xml", "_rels/.rels"]
    assert names[-1] == package.RIBBON_PART


def test_content_types_declare_a_macro_enabled_workbook_and_its_project(built):
    with zipfile.ZipFile(built) as z:
        types = z.read("[Content_Types].xml").decode()
        names = z.namelist()
    assert f'PartName="/xl/workbook.xml" ContentType="{MAIN}"' in types
    assert "spreadsheetml.sheet.main+xml" not in types
    assert 'Extension="bin" ContentType="application/vnd.ms-office.vbaProject"' in types
    assert "xl/vbaProject.bin" in names


def test_vba_project_and_ribbon_are_related(built):
    with zipfile.ZipFile(built) as z:
        workbook_rels = z.read("xl/_rels/workbook.xml.rels").decode()
        root_rels = z.read("_rels/.rels").decode()
        ribbon = z.read(package.RIBBON_PART)
    assert f'Type="{VBA_REL}" Target="vbaProject.bin"' in workbook_rels
    # The ribbon relationship is the last one of the package (added after everything else).
    last = re.findall(r"<Relationship [^>]*>", root_rels)[-1]
    assert f'Type="{RIBBON_REL}"' in last and f'Target="{package.RIBBON_PART}"' in last
    assert ribbon == package.ribbon_xml()


def test_workbook_code_name_for_workbook_open(built):
    with zipfile.ZipFile(built) as z:
        assert 'codeName="ThisWorkbook"' in z.read("xl/workbook.xml").decode()


# --- sheets, names, formulas -------------------------------------------------------------


def test_sheets_in_order_with_xlwings_conf_hidden(wb):
    exp = [spec.sheet for spec in schema.TABLES]
    exp += [schema.WERKLIJST_SHEET, schema.OVERZICHT_SHEET, schema.PLAN_SHEET]
    exp += [schema.XLWINGS_CONF_SHEET]
    assert wb.sheetnames == exp
    hidden = [ws.title for ws in wb.worksheets if ws.sheet_state != "visible"]
    assert hidden == [schema.XLWINGS_CONF_SHEET]


def test_every_table_has_dutch_headers_and_a_frozen_header_row(wb):
    for spec in schema.TABLES:
        ws = wb[spec.sheet]
        assert list(ws.tables) == [spec.name]
        assert [c.value for c in ws[1][: len(spec.headers)]] == list(spec.headers)
        assert ws.freeze_panes == "A2"


def test_formats_dates_and_money(wb):
    ws = wb[schema.FACTUREN.sheet]
    headers = list(schema.FACTUREN.headers)
    row = ws[2]
    assert row[headers.index("Factuurdatum")].number_format == "dd-mm-yyyy"
    assert row[headers.index("Bedrag")].number_format == "#,##0.00"
    assert row[headers.index("Open")].number_format == "#,##0.00"


def test_xlwings_conf_sheet_names_the_udf_module_and_leaves_the_interpreter_to_xlwings(wb):
    ws = wb[schema.XLWINGS_CONF_SHEET]
    rows = [(r[0].value, r[1].value) for r in ws.iter_rows(max_col=2)]
    settings = rows[: rows.index((None, None))]
    assert settings == [("UDF Modules", "addin.udfs")]


def test_conf_rows_with_an_interpreter_come_first():
    got = conf_rows((("Interpreter_Win", r"C:\Python\pythonw.exe"),))
    assert got == (("Interpreter_Win", r"C:\Python\pythonw.exe"), ("UDF Modules", "addin.udfs"))


@pytest.mark.parametrize(
    ("executable", "platform", "exp_key"),
    [
        ("/usr/local/bin/python3", "darwin", "Interpreter_Mac"),
        (r"C:\Python312\python.exe", "win32", "Interpreter_Win"),
    ],
    ids=["mac", "windows"],
)
def test_interpreter_rows(tmp_path, executable, platform, exp_key):
    ((key, value),) = interpreter_rows(executable, platform)
    assert key == exp_key
    assert value == executable  # no pythonw.exe beside a path that does not exist


def test_windows_prefers_pythonw_beside_python(tmp_path):
    (tmp_path / "python.exe").write_bytes(b"")
    (tmp_path / "pythonw.exe").write_bytes(b"")
    ((key, value),) = interpreter_rows(str(tmp_path / "python.exe"), "win32")
    assert (key, value) == ("Interpreter_Win", str(tmp_path / "pythonw.exe"))


def test_peildatum_is_a_named_date_cell_beside_instellingen(wb):
    name = wb.defined_names[schema.PEILDATUM_NAME]
    ((sheet, ref),) = list(name.destinations)
    assert sheet == schema.INSTELLINGEN.sheet
    cell = wb[sheet][ref.replace("$", "")]
    assert cell.value == datetime(2026, 11, 24)
    assert cell.number_format == "dd-mm-yyyy"
    assert cell.offset(column=-1).value == "Peildatum"
    table = wb[sheet].tables[schema.INSTELLINGEN.name]
    assert cell.column > openpyxl.utils.range_boundaries(table.ref)[2] + 1  # a gap column


def test_lambda_names_for_duestatus_and_nextaction(wb):
    assert wb.defined_names["DUESTATUS"].attr_text == (
        "_xlfn.LAMBDA(_xlpm.factuur,IFERROR(INDEX(Plan!$B:$B,"
        'MATCH(_xlpm.factuur&"",Plan!$A:$A,0)),""))'
    )
    assert wb.defined_names["NEXTACTION"].attr_text == (
        "_xlfn.LAMBDA(_xlpm.factuur,IFERROR(INDEX(Plan!$C:$C,"
        'MATCH(_xlpm.factuur&"",Plan!$A:$A,0)),""))'
    )


def test_plan_columns_match_the_contract():
    assert formulas.plan_column("Status") == "B"
    assert formulas.plan_column("Volgende actie") == "C"
    assert schema.PLAN_HEADER[0] == schema.FACTUREN.column("number").header


def test_plan_sheet_holds_one_legacy_array_formula(wb, book):
    ws = wb[schema.PLAN_SHEET]
    a1 = ws["A1"].value
    assert isinstance(a1, ArrayFormula)
    rows = max(5000, 2 * len(book.invoices) + 1)
    assert a1.ref == f"A1:I{rows}"
    assert a1.text == (
        "=DEBITEUREN_PLAN(tblFacturen[[#All],[Factuurnummer]:[Eigen actiedatum]],"
        "tblKlanten[#All],tblContactpersonen[#All],tblAfspraken[#All],tblContacten[#All],"
        "tblBetalingen[#All],tblStappen[#All],tblInstellingen[#All],Peildatum)"
    )


def test_plan_array_is_legacy_without_dynamic_array_metadata(built):
    with zipfile.ZipFile(built) as z:
        names = z.namelist()
        sheets = [z.read(n).decode() for n in names if n.startswith("xl/worksheets/sheet")]
    assert "xl/metadata.xml" not in names
    assert not any(' cm="' in s for s in sheets)


def test_plan_input_stops_before_the_formula_columns():
    first, last = formulas.plan_input_columns()
    headers = list(schema.FACTUREN.headers)
    assert (first, last) == ("Factuurnummer", "Eigen actiedatum")
    assert all(
        schema.FACTUREN.columns[i].formula for i in range(headers.index(last) + 1, len(headers))
    )


def test_plan_rows_grow_with_the_invoices():
    assert formulas.plan_rows_covered(10) == 5000
    assert formulas.plan_rows_covered(4000) == 8001


def _facturen_formulas(ws):
    headers = list(schema.FACTUREN.headers)
    row = ws[2]
    return {h: row[headers.index(h)].value for h in ("Open", "Status", "Volgende actie")}


def test_facturen_formulas_excel_365(wb):
    got = _facturen_formulas(wb[schema.FACTUREN.sheet])
    assert got["Status"] == "=DUESTATUS(tblFacturen[[#This Row],[Factuurnummer]])"
    assert got["Volgende actie"] == "=NEXTACTION(tblFacturen[[#This Row],[Factuurnummer]])"
    assert got["Open"].startswith("=tblFacturen[[#This Row],[Bedrag]]")


def test_facturen_formulas_classic(classic_with_plan):
    wb = _load(classic_with_plan)
    got = _facturen_formulas(wb[schema.FACTUREN.sheet])
    lookup = 'MATCH(tblFacturen[[#This Row],[Factuurnummer]]&"",Plan!$A:$A,0)'
    assert got["Status"] == f'=IFERROR(INDEX(Plan!$B:$B,{lookup}),"")'
    assert got["Volgende actie"] == f'=IFERROR(INDEX(Plan!$C:$C,{lookup}),"")'
    assert "DUESTATUS" not in wb.defined_names and "NEXTACTION" not in wb.defined_names
    assert schema.PEILDATUM_NAME in wb.defined_names


@pytest.mark.parametrize("lambdas", [True, False], ids=["365", "klassiek"])
def test_status_columns_are_calculated_columns_of_the_table(wb, classic_with_plan, lambdas):
    book_wb = wb if lambdas else _load(classic_with_plan)
    table = book_wb[schema.FACTUREN.sheet].tables[schema.FACTUREN.name]
    calculated = {c.name: c.calculatedColumnFormula for c in table.tableColumns}
    for field in ("status", "next_action"):
        header = schema.FACTUREN.column(field).header
        exp = formulas.column_formula(field, lambdas=lambdas)
        assert calculated[header].attr_text == exp
    assert calculated["Open"] is not None


def test_both_forms_share_one_lookup():
    for field, (_, header) in formulas.LOOKUPS.items():
        classic = formulas.column_formula(field, lambdas=False)
        assert classic == formulas.plan_lookup("tblFacturen[[#This Row],[Factuurnummer]]", header)
        assert formulas.lambda_definition(field).endswith(
            formulas.plan_lookup("_xlpm.factuur", header) + ")"
        )


def test_classic_plan_sheet_holds_the_rows_as_values(classic_with_plan, book):
    ws = _load(classic_with_plan)[schema.PLAN_SHEET]
    rows = list(ws.iter_rows(max_col=len(schema.PLAN_HEADER), values_only=True))
    assert rows[0] == schema.PLAN_HEADER
    assert len(rows) == len(book.invoices) + 1
    assert [r[0] for r in rows[1:]] == [inv.number for inv in book.invoices]


# --- drop-downs --------------------------------------------------------------------------

# The drop-downs the issue asks for, with the values of the model's enums.
EXPECTED_LISTS = {
    ("tblKlanten", "Soort"): [m.value for m in CustomerKind],
    ("tblKlanten", "Automatisch"): ["Ja", "Nee"],
    ("tblKlanten", "Taal"): ["NL", "EN"],
    ("tblKlanten", "Segment"): [m.value for m in Segment],
    ("tblKlanten", "Bijzonderheid"): [m.value for m in Special],
    ("tblContactpersonen", "Functie"): [m.value for m in Role],
    ("tblAfspraken", "Soort"): [m.value for m in AgreementKind],
    ("tblAfspraken", "Interval"): [m.value for m in Interval],
    ("tblAfspraken", "Getekend retour"): ["Ja", "Nee"],
    ("tblContacten", "Kanaal"): [m.value for m in Channel],
    ("tblContacten", "Uitkomst"): [m.value for m in Outcome],
    ("tblBetalingen", "Status"): [m.value for m in PaymentStatus],
    ("tblStappen", "Vanaf"): [m.value for m in Basis],
    ("tblStappen", "Actie"): [m.value for m in Action],
    ("tblStappen", "Kanaal"): [m.value for m in Channel],
    ("tblStappen", "Voor"): [m.value for m in Audience],
    ("tblStappen", "Segment"): [*(m.value for m in Segment), "Alle"],
}


def test_data_validation_drop_downs_cover_the_rows_and_a_margin(wb):
    got = {}
    for spec in schema.TABLES:
        ws = wb[spec.sheet]
        last_row = openpyxl.utils.range_boundaries(ws.tables[spec.name].ref)[3]
        for dv in ws.data_validations.dataValidation:
            assert dv.type == "list" and dv.showDropDown in (False, None)
            ((cells,),) = [str(dv.sqref).split()]
            first_col, first_row, last_col, end_row = openpyxl.utils.range_boundaries(cells)
            assert first_col == last_col and first_row == 2
            assert end_row == last_row + validation.MARGIN
            header = spec.headers[first_col - 1]
            got[(spec.name, header)] = dv.formula1.strip('"').split(",")
    assert got == EXPECTED_LISTS


def test_a_list_with_a_comma_is_refused():
    with pytest.raises(ValueError, match="komma"):
        validation.list_formula(("a,b",))


# --- read back ---------------------------------------------------------------------------


def test_reader_reads_the_built_workbook_back_to_the_example_book(built, book):
    got, problems = read_book(built)
    assert problems == ()
    assert got == book


def test_empty_workbook_reads_as_an_empty_book(tmp_path):
    from addin.core.model import Book

    path = tmp_path / "leeg.xlsm"
    path.write_bytes(build_workbook(Book(), WorkbookOptions(date(2026, 11, 22), EXAMPLE_TIMESTAMP)))
    got, problems = read_book(path)
    assert problems == ()
    assert got.invoices == () and got.customers == ()
    wb = _load(path)
    assert wb[schema.PLAN_SHEET]["A1"].value.ref == "A1:I5000"
