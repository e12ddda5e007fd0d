"""adapters/live.py: the decisions as pure functions, and the whole write through the
LiveWorkbook interface over openpyxl (tests/adapters/live_openpyxl.py), saved and read back.

XlwingsWorkbook itself is not run here (no Excel on Linux): it is checked only by proxy.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula
from python_calamine import CalamineWorkbook

from addin import schema
from addin.adapters.excel import live, xlwings_book
from addin.adapters.excel.live import (
    ArrayFormula as ArrayStep,
)
from addin.adapters.excel.live import (
    ClearSheet,
    LiveError,
    LiveWriteError,
    Resize,
    TableBlock,
    Widen,
    Write,
    cell_value,
)
from addin.adapters.workbook.reader import read_book
from addin.adapters.workbook.xlsx_patch import Patch, RelatedPart, apply_patch
from addin.core.model import Channel, Contact
from tests.adapters.live_openpyxl import OpenpyxlWorkbook, typed
from tests.adapters.test_reader import Sheet, facturen, write_sheets

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbook" / "Voorbeeld.xlsx"
W = "Blad 'X', cel A1"

# --- values -------------------------------------------------------------------------------

# What a Patch value becomes in a cell: text Excel would read as something else is quoted.
CELL_VALUES = [
    ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
    ("+31 6 12345678", "'+31 6 12345678"),
    ("-5", "'-5"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("#N/A", "'#N/A"),
    ("\tcmd", "'\tcmd"),
    ("\r=1+1", "'\r=1+1"),
    ("'t Veerhuis", "''t Veerhuis"),
    ("2026-0212", "'2026-0212"),
    ("00123", "'00123"),
    ("3 feb", "'3 feb"),
    ("WAAR", "'WAAR"),
    ("Brief en e-mail", "Brief en e-mail"),
    ("Restaurant 't Veerhuis", "Restaurant 't Veerhuis"),
    ("", None),
    (None, None),
    (True, True),
    (7, 7),
    (1.5, 1.5),
    (Decimal("12.345"), 12.35),
    (Decimal("-0.005"), -0.01),
    (Decimal("1210"), 1210.0),
    (date(2026, 11, 24), datetime(2026, 11, 24)),
    (datetime(2026, 11, 24, 9, 30), datetime(2026, 11, 24, 9, 30)),
]


@pytest.mark.parametrize(("value", "exp"), CELL_VALUES, ids=[repr(v) for v, _ in CELL_VALUES])
def test_cell_value(value, exp):
    got = cell_value(value, W)
    assert got == exp and type(got) is type(exp)


REFUSED = [
    (Decimal("NaN"), "geen getal"),
    (float("inf"), "geen getal"),
    (date(1899, 12, 31), "1 maart 1900"),
    (datetime(2026, 1, 1, tzinfo=UTC), "tijdzone"),
    ("a\x01b", "stuurteken"),
    ("x" * 32_768, "32767"),
    (timedelta(days=1), "timedelta"),
]


@pytest.mark.parametrize(("value", "exp"), REFUSED, ids=[type(v).__name__ for v, _ in REFUSED])
def test_cell_value_refuses(value, exp):
    with pytest.raises(LiveError, match=exp) as err:
        cell_value(value, W)
    assert str(err.value).startswith(W)


def test_the_stand_in_types_text_as_excel_does():
    """The proxy must be able to catch a writer that forgets the quote: unquoted, formula
    text becomes a formula and number text a number, as in Excel."""
    assert typed("=1+1") == ("=1+1", False)
    assert typed("+31 6") == ("=+31 6", False)
    assert typed("00123") == (123.0, False)
    assert typed("'00123") == ("00123", True)
    assert typed("-") == ("-", False)


# --- appending ----------------------------------------------------------------------------

CONTACTS = TableBlock(
    "tblContacten",
    "Log",
    3,
    2,
    [
        ["Datum", "Klantnummer", "Kanaal", "Open", "Stap"],
        [datetime(2026, 1, 5), "K1", "Telefoon", 1.0, None],
        [datetime(2026, 1, 6), "K2", "Brief", 2.0, "Herinnering"],
    ],
)


def test_append_writes_below_the_table_by_header_and_skips_unnamed_columns():
    rows = (
        {"Datum": date(2026, 11, 24), "klantnummer ": "K7", "Kanaal": "Brief", "Stap": "=x"},
        {"Datum": date(2026, 11, 24), "klantnummer ": "K8"},
    )
    got = live.append_steps(CONTACTS, rows, [[None] * 5, [None, "", "  ", None, None]])
    assert got == [
        Resize("tblContacten", 5, "tabel tblContacten"),
        Write(
            "Log",
            6,
            2,
            ((datetime(2026, 11, 24), "'K7", "Brief"), (datetime(2026, 11, 24), "'K8", None)),
            "tabel tblContacten",
        ),
        Write("Log", 6, 6, (("'=x",), (None,)), "tabel tblContacten"),  # Open (E) untouched
    ]


def test_append_fills_the_empty_row_of_a_table_without_data():
    empty = TableBlock("tblContacten", "Log", 1, 1, [["Datum", "Klantnummer"], [None, None]])
    assert live.first_new_row(empty) == 2
    got = live.append_steps(empty, ({"Klantnummer": "Acme"},), [[None, None]])
    assert got == [
        Resize("tblContacten", 2, "tabel tblContacten"),
        Write("Log", 2, 2, (("Acme",),), "tabel tblContacten"),
    ]


def test_append_fills_the_empty_row_that_holds_only_a_calculated_columns_result():
    """Excel shows a calculated column's result (0 here) even in an empty table's row."""
    empty = TableBlock("tblContacten", "Log", 1, 1, [["Datum", "Open"], [None, 0.0]])
    assert live.first_new_row(empty) == 3  # without the flags the 0 is data
    assert live.first_new_row(empty, [False, True]) == 2
    got = live.append_steps(empty, ({"Datum": "x"},), [[None, 0.0]], [False, True])
    assert got == [
        Resize("tblContacten", 2, "tabel tblContacten"),
        Write("Log", 2, 1, (("x",),), "tabel tblContacten"),
    ]


def test_append_refuses_to_overwrite_what_is_below_the_table():
    with pytest.raises(LiveError, match=r"cel D7 \(blad 'Log'\)"):
        live.append_steps(CONTACTS, ({"Kanaal": "Brief"},) * 2, [[None] * 5, [None, None, "x"]])


def test_append_refuses_an_unknown_header():
    with pytest.raises(LiveError, match=r"geen kolom 'Uitkomst'.*niets in de werkmap"):
        live.append_steps(CONTACTS, ({"Uitkomst": "Betaald"},), [[None] * 5])


# --- adding columns -------------------------------------------------------------------------


def test_missing_headers_skips_what_the_table_has_and_repeats():
    got = live.missing_headers(CONTACTS, ("klantnummer ", "Verzonden", "verzonden", "KvK"))
    assert got == ("Verzonden", "KvK")


def test_add_columns_writes_the_headers_then_widens_the_table():
    block, got = live.add_column_steps(CONTACTS, ("Verzonden", "2026"), [[None, None]] * 3)
    assert got == [
        Write("Log", 3, 7, (("Verzonden", "'2026"),), "tabel tblContacten"),
        Widen("tblContacten", 7, "tabel tblContacten"),
    ]
    # the rest of the patch sees the table as it will be
    assert block.headers == ("Datum", "Klantnummer", "Kanaal", "Open", "Stap", "Verzonden", "2026")
    assert block.data[1][-3:] == ("Herinnering", None, None)
    assert live.add_column_steps(CONTACTS, ()) == (CONTACTS, [])


def test_add_columns_refuses_to_take_in_what_is_right_of_the_table():
    with pytest.raises(LiveError, match=r"cel G4; daar moet de nieuwe kolom 'Verzonden'.*niets"):
        live.add_column_steps(CONTACTS, ("Verzonden",), [[None], ["x"], [None]])
    far = TableBlock("tblX", "X", 1, 16384, [["A"], [1.0]])
    with pytest.raises(LiveError, match="geen kolommen meer"):
        live.add_column_steps(far, ("B",))


# --- setting cells --------------------------------------------------------------------------

AGREEMENTS = TableBlock(
    "tblAfspraken",
    "Afspraken",
    1,
    1,
    [
        ["Afspraak", "Bevestiging verstuurd", "Status", "Notities"],
        ["A001", None, "=x", None],
        [1002.0, None, None, None],
        ["A003", None, None, "=y"],
    ],
)
NO_FORMULAS = [[False] * 4] * 3


def test_set_cells_finds_rows_by_key_and_writes_runs_per_column():
    updates = [
        ("Afspraak", "A001", {"Status": "loopt"}),
        ("Afspraak", "1002", {"Status": "gemist", "Bevestiging verstuurd": date(2026, 11, 24)}),
        ("Afspraak", " A003 ", {"Status": "nagekomen"}),
    ]
    got = live.set_cells_steps(AGREEMENTS, updates, NO_FORMULAS)
    assert got == [
        Write("Afspraken", 3, 2, ((datetime(2026, 11, 24),),), "tabel tblAfspraken"),
        Write("Afspraken", 2, 3, (("loopt",), ("gemist",), ("nagekomen",)), "tabel tblAfspraken"),
    ]


def test_set_cells_refuses_a_formula_except_in_a_computed_column():
    formulas = [[False, False, True, False], [False] * 4, [False, False, False, True]]
    ok = live.set_cells_steps(AGREEMENTS, [("Afspraak", "A001", {"Status": "x"})], formulas)
    assert [s.row for s in ok] == [2]  # Status is computed by the tool (schema "f")
    with pytest.raises(LiveError, match=r"Cel D4 \(Notities\).*formule"):
        live.set_cells_steps(AGREEMENTS, [("Afspraak", "A003", {"Notities": "x"})], formulas)


def test_set_cells_refuses_a_missing_key():
    with pytest.raises(LiveError, match="geen rij met Afspraak = 'A009'"):
        live.set_cells_steps(AGREEMENTS, [("Afspraak", "A009", {"Status": "x"})], NO_FORMULAS)


# --- sheets and the plan --------------------------------------------------------------------


def test_sheet_steps_clear_then_write_a_rectangle():
    got = live.sheet_steps("Werklijst", [("Werklijst 24-11-2026",), ("Datum", "Actie", "Open")])
    assert got == [
        ClearSheet("Werklijst", "blad Werklijst"),
        Write(
            "Werklijst",
            1,
            1,
            (("'Werklijst 24-11-2026", None, None), ("Datum", "Actie", "Open")),
            "blad Werklijst",
        ),
    ]


ROWS = [("2026-001", "open", "geen", "geen", None, "", "", "", "")]
PEIL = ("Instellingen", 30, 2)


@pytest.mark.parametrize(
    ("mode", "has_formula", "exp"),
    [
        ("values", True, ["Write", "ClearSheet", "Write"]),
        ("values", False, ["Write", "ClearSheet", "Write"]),
        ("formula", False, ["Write", "ClearSheet", "ArrayFormula", "Calculate"]),
        ("formula", True, ["Write", "Calculate"]),
    ],
)
def test_plan_steps_by_mode(mode, has_formula, exp):
    got = live.plan_steps(mode, True, has_formula, ROWS, PEIL, None, date(2026, 11, 24))
    assert [type(s).__name__ for s in got] == exp
    assert got[0] == Write("Instellingen", 30, 2, ((datetime(2026, 11, 24),),), "Peildatum")
    if mode == "values":
        assert got[2].values[0] == schema.PLAN_HEADER
        assert got[2].values[1][:3] == ("'2026-001", "open", "geen")
    if "ArrayFormula" in exp:
        step = got[2]
        assert isinstance(step, ArrayStep)
        assert step.formula.startswith("=DEBITEUREN_PLAN(tblFacturen[[#All],[Factuurnummer]:")
        assert (step.rows, step.columns) == (5000, len(schema.PLAN_HEADER))


def test_plan_steps_keep_a_later_peildatum_and_skip_a_missing_plan_sheet():
    day = date(2026, 11, 24)
    later = datetime(2026, 12, 1)
    assert live.plan_steps("values", False, False, ROWS, PEIL, later, day) == []
    earlier = live.plan_steps("values", False, False, ROWS, PEIL, datetime(2026, 11, 1), day)
    assert [s.target for s in earlier] == ["Peildatum"]
    assert live.plan_steps("formula", False, False, ROWS, None, None, day) == []


def test_plan_mode():
    assert [live.plan_mode(p) for p in ("win32", "darwin", "linux")] == [
        "formula",
        "values",
        "values",
    ]


# --- the stand-in workbook: read and write through the interface -----------------------------


@pytest.fixture
def example(tmp_path: Path) -> Path:
    path = tmp_path / "Voorbeeld.xlsx"
    shutil.copy(EXAMPLE, path)
    return path


def test_read_live_is_read_book(tmp_path):
    sheets = (
        facturen(
            [["2026-001", "K001", date(2026, 2, 3), None, 1210], ["2", "K001", "x", None, 1]],
            origin="C3",
            above=[["Facturen"], []],
        ),
        Sheet("Klanten", ["Klantnummer", "Naam"], [["K001", "Acme"]], origin="B4"),  # plain
        Sheet("Contacten", ["Datum", "Klantnummer", "Kanaal"], [[date(2026, 1, 2), "K001", "?"]]),
    )
    path = write_sheets(tmp_path / "b.xlsx", *sheets)
    got = live.read_live(OpenpyxlWorkbook(path))
    assert got == read_book(path)
    assert {(p.source.sheet, p.source.row) for p in got[1]} == {("Facturen", 7), ("Contacten", 2)}


def contact(customer: str, **kw) -> Contact:
    kw.setdefault("date", date(2026, 11, 24))
    kw.setdefault("channel", Channel.LETTER)
    return Contact(customer=customer, **kw)


def test_a_patch_written_live_reads_back_as_the_same_patch_on_the_file(example, tmp_path):
    """One Patch, two writers: xlsx_patch on a copy of the file, live.py through the
    interface; both workbooks then read as the same Book and the same Werklijst."""
    evil = '=HYPERLINK("http://x","klik")'
    patch = Patch(
        append=(
            (
                "tblContacten",
                (
                    {
                        "Datum": date(2026, 11, 24),
                        "Klantnummer": "K001",
                        "Kanaal": "Brief",
                        "Doel": evil,
                        "Met": "+31 6 12345678",
                        "Door": "'t Hoen",
                        "Facturen": "2026-0212, 2026-0213",
                    },
                ),
            ),
        ),
        set_cells=(
            (
                "tblAfspraken",
                "Afspraak",
                "A001",
                {"Bevestiging verstuurd": date(2026, 11, 24), "Status": "loopt"},
            ),
        ),
        replace_sheet=(
            (
                "Werklijst",
                (
                    ("Werklijst",),
                    ("Datum", "Naam", "Open"),
                    (date(2026, 11, 24), "@SUM(1)", Decimal("12.50")),
                ),
            ),
        ),
    )
    on_file = tmp_path / "file.xlsx"
    shutil.copy(example, on_file)
    apply_patch(on_file, patch, backup=False)
    stand_in = OpenpyxlWorkbook(example)
    done = live.write_patch(stand_in, patch)
    assert done == ("tabel tblContacten", "tabel tblAfspraken", "blad Werklijst")
    stand_in.save()
    exp_book, exp_problems = read_book(on_file)
    got_book, got_problems = read_book(example)
    assert got_book == exp_book and got_problems == exp_problems == ()
    logged = got_book.contacts[-1]
    assert (logged.goal, logged.person, logged.by) == (evil, "+31 6 12345678", "'t Hoen")
    assert logged.invoices == ("2026-0212", "2026-0213")

    def werklijst(path: Path) -> list[list[object]]:
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Werklijst").to_python()

    assert werklijst(example) == werklijst(on_file)
    # the text stayed text: a string cell, not a formula (openpyxl) and str (calamine)
    ws = load_workbook(example)["Contacten"]
    row = ws.max_row
    cells = {ws.cell(1, c).value: ws.cell(row, c) for c in range(1, ws.max_column + 1)}
    assert cells["Doel"].data_type == "s" and cells["Doel"].value == evil
    assert cells["Met"].data_type == "s"
    assert cells["Datum"].is_date
    assert load_workbook(example)["Werklijst"]["B3"].data_type == "s"


def test_added_columns_written_live_match_the_file(example, tmp_path):
    """Patch.add_columns, then cells set in the new column: live as on the file (the table
    one column wider, the new column named by its header, the values under it)."""
    patch = Patch(
        add_columns=(("tblKlanten", ("Klantnummer", "Notitie")),),
        set_cells=(("tblKlanten", "Klantnummer", "K002", {"Notitie": "'t is goed"}),),
    )
    on_file = tmp_path / "file.xlsx"
    shutil.copy(example, on_file)
    apply_patch(on_file, patch, backup=False)
    stand_in = OpenpyxlWorkbook(example)
    assert live.write_patch(stand_in, patch) == ("tabel tblKlanten",)
    stand_in.save()

    def klanten(path: Path) -> tuple[str, list[str | None], list[list[object]]]:
        ws = load_workbook(path)["Klanten"]
        table = ws.tables["tblKlanten"]
        names = [c.name for c in table.tableColumns]
        return table.ref, names, [[c.value for c in row] for row in ws[table.ref]]

    assert klanten(example) == klanten(on_file)
    _ref, names, rows = klanten(example)
    assert names[-1] == "Notitie" and rows[0][-1] == "Notitie"
    assert [r[-1] for r in rows[1:] if r[-1]] == ["'t is goed"]
    assert read_book(example) == read_book(on_file)


@pytest.mark.parametrize(
    "patch",
    [
        Patch(add_rows=(("tblInstellingen", "Instelling", ({"Instelling": "X"},)),)),
        Patch(replace_parts=(RelatedPart("x", b""),)),
    ],
    ids=["add_rows", "replace_parts"],
)
def test_what_only_bijwerken_asks_is_refused_live(example, patch):
    stand_in = OpenpyxlWorkbook(example)
    with pytest.raises(LiveError, match="debiteuren bijwerken"):
        live.write_patch(stand_in, patch)
    assert stand_in.writes == 0


def test_unquoted_text_would_have_become_a_formula(example):
    """The check above can fail: the stand-in turns unquoted formula text into a formula."""
    stand_in = OpenpyxlWorkbook(example)
    stand_in.write("Werklijst", 1, 1, [["=1+1", "+31 6"]])
    stand_in.save()
    ws = load_workbook(example)["Werklijst"]
    assert ws["A1"].data_type == "f" and ws["B1"].data_type == "f"


def test_a_refused_patch_writes_nothing(example):
    stand_in = OpenpyxlWorkbook(example)
    patch = Patch(
        append=(("tblContacten", ({"Datum": date(2026, 11, 24), "Klantnummer": "K1"},)),),
        set_cells=(("tblAfspraken", "Afspraak", "A999", {"Status": "x"}),),
    )
    with pytest.raises(LiveError, match="A999"):
        live.write_patch(stand_in, patch)
    assert stand_in.writes == 0


def _every_value(path: Path) -> dict[str, list[list[object]]]:
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def test_a_failure_part_way_puts_back_what_was_written(example):
    """A sheet that refuses the write (protected): what the run wrote before it (rows
    appended to tblContacten, a cell in tblAfspraken, the Werklijst cleared) is put back, so
    the workbook is as it was, as the command line leaves a file. The message says so in
    Dutch, without Python's or Excel's own English."""
    before = _every_value(example)
    stand_in = OpenpyxlWorkbook(example, fail_on="Overzicht")
    patch = Patch(
        append=(("tblContacten", ({"Datum": date(2026, 11, 24), "Klantnummer": "K1"},)),),
        set_cells=(("tblAfspraken", "Afspraak", "A001", {"Status": "gemist"}),),
        replace_sheet=(("Werklijst", (("a",),)), ("Overzicht", (("b",),))),
    )
    with pytest.raises(LiveError) as err:
        live.write_patch(stand_in, patch)
    message = str(err.value)
    assert message.startswith("Het schrijven in de werkmap is mislukt bij blad Overzicht: ")
    assert "is teruggezet: er is niets in de werkmap veranderd" in message
    assert "PermissionError" not in message and "beveiligd?" in message
    stand_in.save()
    assert _every_value(example) == before
    ws = load_workbook(example)["Contacten"]
    assert ws.tables["tblContacten"].ref == "A1:L61"


def test_a_failure_that_cannot_be_put_back_names_what_was_written(example):
    stand_in = OpenpyxlWorkbook(example, fail_on="Werklijst")
    patch = Patch(
        append=(("tblContacten", ({"Datum": date(2026, 11, 24), "Klantnummer": "K1"},)),),
        replace_sheet=(("Werklijst", (("a",),)),),
    )
    with pytest.raises(LiveWriteError) as err:
        live.write_patch(stand_in, patch, undo=False)
    message = str(err.value)
    assert "mislukt bij blad Werklijst: Excel weigerde de wijziging" in message
    assert "Al geschreven: tabel tblContacten" in message
    assert "PermissionError" not in message


def add_plan_sheet(path: Path, peildatum: date | None = date(2026, 11, 20)) -> None:
    """What the workbook build adds: a Plan sheet with the array formula, a Peildatum name."""
    wb = load_workbook(path)
    wb.create_sheet(schema.PLAN_SHEET)["A1"] = ArrayFormula("A1:I5000", live.plan_formula())
    wb["Instellingen"]["E1"] = peildatum  # where the build puts it (addin/excel/build.py)
    wb.defined_names[schema.PEILDATUM_NAME] = DefinedName(
        schema.PEILDATUM_NAME, attr_text="Instellingen!$E$1"
    )
    wb.save(path)


def test_the_plan_as_values_then_the_formula_back(example):
    add_plan_sheet(example)
    rows = [("2026-001", "vervallen", "bellen ...", "bellen", date(2026, 11, 24), "", "", "", "")]
    stand_in = OpenpyxlWorkbook(example)
    assert stand_in.formulas("Plan", 1, 1, 1, 1) == [[True]]
    live.write_patch(stand_in, Patch(), plan=rows, as_of=date(2026, 11, 24), mode="values")
    stand_in.save()
    sheet = CalamineWorkbook.from_path(str(example)).get_sheet_by_name("Plan").to_python()
    assert sheet[0] == list(schema.PLAN_HEADER)
    assert sheet[1][:5] == ["2026-001", "vervallen", "bellen ...", "bellen", date(2026, 11, 24)]
    assert len(sheet) == 2
    assert load_workbook(example)["Instellingen"]["E1"].value == datetime(2026, 11, 24)

    stand_in = OpenpyxlWorkbook(example)  # now on Windows: the formula comes back
    live.write_patch(stand_in, Patch(), plan=rows, as_of=date(2026, 11, 24), mode="formula")
    assert stand_in.calculations == 1
    stand_in.save()
    a1 = load_workbook(example)["Plan"]["A1"].value
    assert isinstance(a1, ArrayFormula) and a1.text == live.plan_formula()
    assert a1.ref == "A1:I5000"


# --- choosing files, opening folders ---------------------------------------------------------


def test_excel_selection():
    assert xlwings_book.excel_selection(False) == ()
    assert xlwings_book.excel_selection("C:\\a.xml") == (Path("C:\\a.xml"),)
    assert xlwings_book.excel_selection(("C:\\a.xml", "C:\\b.csv")) == (
        Path("C:\\a.xml"),
        Path("C:\\b.csv"),
    )


def test_mac_dialog_output():
    def cancelled(*args, **kwargs):
        return subprocess.CompletedProcess(args, 1, "", "User canceled. (-128)")

    def chosen(*args, **kwargs):
        return subprocess.CompletedProcess(args, 0, "/Users/a/nov.xml\n/Users/a/dec.xml\n", "")

    assert xlwings_book.mac_choose_files("Kies", run=cancelled) == ()
    assert xlwings_book.mac_choose_files("Kies", run=chosen) == (
        Path("/Users/a/nov.xml"),
        Path("/Users/a/dec.xml"),
    )


# Range.FormulaArray refuses a formula longer than 255 characters (Microsoft's Range.FormulaArray
# reference); Vernieuw werklijst sets the Plan formula that way on Windows.
FORMULA_ARRAY_LIMIT = 255
VBA_SOURCES = Path(__file__).resolve().parents[2] / "workbook" / "vba"


def test_every_formula_set_through_formula_array_fits():
    steps = live.plan_steps("formula", True, False, ROWS, PEIL, None, date(2026, 11, 24))
    arrays = [s for s in steps if isinstance(s, ArrayStep)]
    assert arrays
    for step in arrays:
        assert len(step.formula) <= FORMULA_ARRAY_LIMIT, (len(step.formula), step.formula)
    # The VBA may only set literal array formulas, and short ones.
    for source in sorted(VBA_SOURCES.iterdir()):
        for number, line in enumerate(source.read_text("utf-8").splitlines(), start=1):
            code = line.split("'", 1)[0] if '"' not in line else line
            if ".FormulaArray" not in code or "=" not in code.split(".FormulaArray", 1)[1]:
                continue
            assigned = code.split(".FormulaArray", 1)[1].split("=", 1)[1].strip()
            assert assigned.startswith('"') and assigned.endswith('"'), f"{source.name}:{number}"
            assert len(assigned[1:-1].replace('""', '"')) <= FORMULA_ARRAY_LIMIT, (
                f"{source.name}:{number}"
            )


def test_both_workbooks_have_every_method_of_the_interface():
    """A method added to LiveWorkbook (widen_table) needs it in Excel and in the stand-in."""
    wanted = {name for name in vars(live.LiveWorkbook) if not name.startswith("_")}
    for cls in (xlwings_book.XlwingsWorkbook, OpenpyxlWorkbook):
        assert wanted <= set(dir(cls)), (cls.__name__, wanted - set(dir(cls)))


# --- a table that shows a totals row (Tabelontwerp > Totaalrij) ------------------------------


def add_totals_row(path: Path, name: str) -> tuple[str, int]:
    """Give the table a totals row as Excel writes one: the row below the data, inside the
    table's ref (totalsRowCount="1"), a label in the first column and SUBTOTAL(103) in the
    second; the autofilter keeps to the header and the data. (sheet, totals row) back."""
    wb = load_workbook(path)
    ws, table = next((ws, t) for ws in wb.worksheets for t in ws.tables.values() if t.name == name)
    left, top, right, bottom = range_boundaries(table.ref)
    below = bottom + 1
    assert all(ws.cell(below, c).value is None for c in range(left, right + 1))
    first, second = table.tableColumns[0], table.tableColumns[1]
    first.totalsRowLabel = "Totaal"
    second.totalsRowFunction = "count"
    ws.cell(below, left, "Totaal")
    ws.cell(below, left + 1, f"=SUBTOTAL(103,{name}[{second.name}])")
    table.ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{below}"
    table.totalsRowCount = 1
    wb.save(path)
    return ws.title, below


WITH_TOTALS = TableBlock(
    "tblContacten",
    "Log",
    3,
    2,
    [
        ["Datum", "Klantnummer", "Kanaal"],
        [datetime(2026, 1, 5), "K1", "Telefoon"],
        ["Totaal", 1.0, None],
    ],
    totals=1,
)


def test_a_totals_row_is_not_data():
    assert WITH_TOTALS.data == [[datetime(2026, 1, 5), "K1", "Telefoon"]]
    # a key that only the totals row holds finds no row: its cells are never set
    with pytest.raises(LiveError, match="geen rij met Datum = 'Totaal'"):
        live.set_cells_steps(WITH_TOTALS, [("Datum", "Totaal", {"Kanaal": "x"})], [[False] * 3])


def test_append_below_a_totals_row_is_refused():
    with pytest.raises(LiveError, match=r"'tblContacten' op blad 'Log' heeft een totaalrij.*niets"):
        live.append_steps(WITH_TOTALS, ({"Kanaal": "Brief"},), [[None] * 3])


def test_add_columns_keeps_the_totals_row_last():
    block, got = live.add_column_steps(WITH_TOTALS, ("Verzonden",), [[None]] * 3)
    assert got == [
        Write("Log", 3, 5, (("Verzonden",),), "tabel tblContacten"),
        Widen("tblContacten", 4, "tabel tblContacten"),
    ]
    assert block.totals == 1 and block.values[-1] == ("Totaal", 1.0, None, None)
    assert block.data == ((datetime(2026, 1, 5), "K1", "Telefoon", None),)


def test_read_live_leaves_the_totals_row_out_as_the_file_reader_does(example):
    add_totals_row(example, "tblContacten")
    got_book, got_problems = live.read_live(OpenpyxlWorkbook(example))
    exp_book, exp_problems = read_book(example)
    assert (got_book, got_problems) == (exp_book, exp_problems)
    assert len(got_book.contacts) == 60 and got_problems == ()


def test_rows_appended_live_to_a_table_with_totals_are_refused(example):
    """Resize would make the last new row the totals row and the old one data: refused,
    with nothing written, not even the other table's cells asked in the same patch."""
    add_totals_row(example, "tblContacten")
    stand_in = OpenpyxlWorkbook(example)
    patch = Patch(
        set_cells=(("tblAfspraken", "Afspraak", "A001", {"Status": "loopt"}),),
        append=(("tblContacten", ({"Datum": date(2026, 11, 24), "Klantnummer": "K001"},)),),
    )
    with pytest.raises(LiveError, match="heeft een totaalrij"):
        live.write_patch(stand_in, patch)
    assert stand_in.writes == 0


def test_the_stand_in_resizes_as_excel_does_over_a_totals_row(example):
    """The refusal above guards against something real in the stand-in: grown by a row, the
    table's new last row is the totals row and the old "Totaal" row is read as data."""
    sheet, below = add_totals_row(example, "tblContacten")
    stand_in = OpenpyxlWorkbook(example)
    stand_in.write(sheet, below + 1, 1, [[datetime(2026, 11, 24), "'K001"]])
    stand_in.resize_table("tblContacten", below + 1)
    block = stand_in.table("tblContacten")
    assert block is not None and block.totals == 1
    assert block.data[-1][0] == "Totaal"  # the old totals row, now a data row
    assert block.values[-1][:2] == [datetime(2026, 11, 24), "K001"]  # the new row: totals


def test_a_column_added_live_keeps_the_totals_row_below_the_data(example):
    """Patch.add_columns and cells set in the new column, on a table with a totals row:
    the header lands in the header row, the value in its data row, and the totals row stays
    the table's last row with its label and formula; the file write refuses this one."""
    sheet, below = add_totals_row(example, "tblKlanten")
    before = load_workbook(example)[sheet]
    totals_before = [c.value for c in before[below]]
    patch = Patch(
        add_columns=(("tblKlanten", ("Notitie",)),),
        set_cells=(("tblKlanten", "Klantnummer", "K002", {"Notitie": "'t is goed"}),),
    )
    stand_in = OpenpyxlWorkbook(example)
    assert live.write_patch(stand_in, patch) == ("tabel tblKlanten",)
    stand_in.save()
    ws = load_workbook(example)[sheet]
    table = ws.tables["tblKlanten"]
    _left, top, right, bottom = range_boundaries(table.ref)
    assert (top, bottom, table.totalsRowCount) == (1, below, 1)
    assert table.autoFilter.ref == f"A1:{get_column_letter(right)}{below - 1}"
    assert ws.cell(top, right).value == table.tableColumns[-1].name == "Notitie"
    assert [c.value for c in ws[below]][: right - 1] == totals_before[: right - 1]
    assert ws.cell(below, right).value is None  # no total for the new column
    noted = [r for r in range(top + 1, below) if ws.cell(r, right).value is not None]
    assert len(noted) == 1 and ws.cell(noted[0], 1).value == "K002"
    assert ws.cell(noted[0], right).value == "'t is goed"
    book, problems = read_book(example)
    assert problems == () and len(book.customers) == 40
