"""The ribbon's handlers end to end, against the example workbook opened in the stand-in for
Excel (tests/adapters/live_openpyxl.py: the LiveWorkbook interface over openpyxl), saved and
read back with python-calamine and openpyxl. The same jobs run on a copy through the command
line, and both workbooks must then hold the same data.

Not shown here (no Excel on Linux): that RunPython calls these functions, that xlwings moves
the values as the stand-in does, the message box, the file dialog, the folder opening.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import TableColumn, TableFormula
from python_calamine import CalamineWorkbook

from addin import ribbon, schema
from addin.adapters.excel import live
from addin.adapters.workbook.book_writer import write_book
from addin.adapters.workbook.reader import read_book
from addin.cli import main
from addin.core.letter_log import werklijst_rows
from addin.core.overview import overview_rows
from addin.core.plan import plan_book
from addin.core.plan_sheet import plan_rows
from tests.adapters.live_openpyxl import OpenpyxlWorkbook
from tests.adapters.test_live import add_plan_sheet
from tests.core.booktext import book
from tests.test_cli_bank import BOOK as BANK_BOOK
from tests.test_cli_bank import ONE_LINE, REVIEW_LINE, STATEMENT

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "workbook" / "Voorbeeld.xlsx"
DAY = date(2026, 11, 24)


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """The example as the build makes it: with a Plan sheet (array formula) and Peildatum."""
    folder = tmp_path / "excel"
    folder.mkdir()
    path = folder / "Voorbeeld.xlsx"
    shutil.copy(EXAMPLE, path)
    add_plan_sheet(path, peildatum=date(2026, 11, 20))
    return path


@pytest.fixture
def on_file(tmp_path: Path, workbook: Path) -> Path:
    """A copy for the command line, in its own folder."""
    folder = tmp_path / "cli"
    folder.mkdir()
    return Path(shutil.copy(workbook, folder / workbook.name))


def sheet(path: Path, name: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def trimmed(rows: list[list[object]]) -> list[list[object]]:
    """Rows without trailing empty cells (calamine pads to the used width)."""
    out = []
    for row in rows:
        row = list(row)
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    return out


def test_maak_herinneringen(workbook, on_file):
    before, _ = read_book(workbook)
    excel = OpenpyxlWorkbook(workbook)
    outcome = ribbon.maak_herinneringen(excel, DAY)
    excel.save()

    assert outcome.ok and outcome.folder == workbook.parent / "uitvoer" / "2026-11-24"
    pdfs = sorted(outcome.folder.glob("*.pdf"))
    assert len(pdfs) == 10 and all(p.stat().st_size > 1000 for p in pdfs)
    assert len(list(outcome.folder.glob("*.eml"))) == 10
    ((message, title, critical),) = excel.alerts
    assert title == "Debiteuren: Maak herinneringen" and not critical
    assert message.startswith(f"10 brieven gemaakt in {outcome.folder}: 4 Herinnering")

    # the same job on the file (the command line) gives the same workbook data
    assert main(["herinneringen", str(on_file), "--datum", DAY.isoformat()]) == 0
    got, problems = read_book(workbook)
    exp, _ = read_book(on_file)
    assert problems == ()
    assert len(got.contacts) == len(before.contacts) + 10
    assert got.contacts == exp.contacts  # documents relative to each workbook's folder
    assert got.agreements == exp.agreements
    assert got == exp
    assert sheet(workbook, "Werklijst") == sheet(on_file, "Werklijst")
    assert sheet(workbook, "Werklijst")[0][0].startswith("Werklijst 24-11-2026 - ")
    assert sheet(workbook, "Overzicht") == sheet(on_file, "Overzicht")
    assert sheet(workbook, "Overzicht")[0][0] == "Overzicht 24-11-2026"

    # the Plan sheet holds the plan after the letters as values (no UDFs off Windows)
    plan = plan_book(got, DAY)
    rows = trimmed(sheet(workbook, "Plan"))
    assert rows[0] == list(schema.PLAN_HEADER)
    exp_rows = [[v if v is not None else "" for v in row] for row in plan_rows(plan)]
    assert rows[1:] == trimmed(exp_rows)
    assert load_workbook(workbook)["Instellingen"]["E1"].value == datetime(2026, 11, 24)

    # pressed again the same day: nothing new
    excel = OpenpyxlWorkbook(workbook)
    again = ribbon.maak_herinneringen(excel, DAY)
    assert again.ok and again.folder is None
    assert (
        "Geen brieven te maken vandaag. Wel ander werk op de Werklijst: Bellen (10)"
        in (excel.alerts[0][0])
    )


def test_a_broken_template_leaves_the_workbook_unchanged(workbook):
    override = workbook.parent / "sjablonen" / "nl" / "herinnering.txt.j2"
    override.parent.mkdir(parents=True)
    override.write_text("{% block subject %}Kapot {{ nergens.iets }{% endblock %}", "utf-8")
    before = workbook.read_bytes()
    excel = OpenpyxlWorkbook(workbook)
    outcome = ribbon.maak_herinneringen(excel, DAY)
    assert not outcome.ok and outcome.folder is None
    ((message, _, critical),) = excel.alerts
    assert critical
    assert "herinnering.txt.j2" in message and "niets in de werkmap geschreven" in message
    assert excel.writes == 0
    excel.save()  # what Excel would hold now, saved: the same data as before
    assert read_book(workbook) == read_book_bytes(before, workbook.parent / "voor.xlsx")


def read_book_bytes(data: bytes, path: Path):
    path.write_bytes(data)
    return read_book(path)


@pytest.mark.parametrize("sheet_name", ["Contacten", "Werklijst", "Plan"])
def test_a_failure_while_writing_leaves_the_workbook_and_no_letters(workbook, sheet_name):
    """A protected sheet refuses the write part-way: what was written before it is put
    back and the run's letters are taken away, as the command line leaves a file that
    could not be written. Before, Contacten and Afspraken stayed written (a failure at the
    Werklijst) or the letters stayed unlogged in the folder (a protected Contacten), ready
    to be sent by hand and made again the next day."""
    before = _values(workbook)
    excel = OpenpyxlWorkbook(workbook, fail_on=sheet_name)
    outcome = ribbon.maak_herinneringen(excel, DAY)
    assert not outcome.ok and outcome.folder is None
    message = excel.alerts[0][0]
    assert message.startswith("Het schrijven in de werkmap is mislukt bij ")
    assert "er is niets in de werkmap veranderd" in message
    assert "De 10 brieven van deze run zijn weer verwijderd." in message
    assert "Error" not in message
    assert not list((workbook.parent / "uitvoer").rglob("*.*"))
    excel.save()
    assert _values(workbook) == before
    a1 = load_workbook(workbook)["Plan"]["A1"].value
    assert isinstance(a1, ArrayFormula) and a1.ref == "A1:I5000"  # as add_plan_sheet made it


class WriteFailsOnce(OpenpyxlWorkbook):
    """The first write of values into a sheet fails (Excel short of memory for a big block);
    clearing it and writing it again work."""

    def __init__(self, path: Path, sheet_name: str) -> None:
        super().__init__(path)
        self.sheet_name = sheet_name
        self.failed = False

    def write(self, sheet: str, row: int, column: int, values) -> None:
        if sheet == self.sheet_name and not self.failed:
            self.failed = True
            raise MemoryError
        super().write(sheet, row, column, values)


def test_a_plan_sheet_cleared_then_refused_gets_its_formula_back(workbook):
    """The Plan's values refused after the sheet was cleared: everything is put back, the
    Plan's array formula over the rows it covered (Excel's used range of the sheet)."""
    before = _values(workbook)
    excel = WriteFailsOnce(workbook, "Plan")
    outcome = ribbon.vernieuw_werklijst(excel, DAY)
    assert not outcome.ok and "er is niets in de werkmap veranderd" in outcome.message
    excel.save()
    assert _values(workbook) == before
    a1 = load_workbook(workbook)["Plan"]["A1"].value
    assert isinstance(a1, ArrayFormula) and a1.ref == "A1:I5000"
    assert a1.text == live.plan_formula()


class ProtectedPartWay(OpenpyxlWorkbook):
    """A sheet that takes its first change and refuses the rest (protected meanwhile): the
    run's write fails there, and so does putting its first change back."""

    def __init__(self, path: Path, sheet_name: str) -> None:
        super().__init__(path)
        self.sheet_name = sheet_name
        self.taken = 0

    def _check(self, sheet: str) -> None:
        super()._check(sheet)
        if sheet.casefold() == self.sheet_name.casefold():
            self.taken += 1
            if self.taken > 1:
                raise PermissionError(f"blad {sheet} is beveiligd")


def test_letters_not_logged_are_taken_away_when_nothing_can_be_put_back(workbook):
    """When Excel refuses the putting back too, the letters of a run whose Contacten rows
    were not written are taken away (they are not logged); logged ones stay, named."""
    excel = ProtectedPartWay(workbook, "Contacten")  # the table grown, its rows refused
    outcome = ribbon.maak_herinneringen(excel, DAY)
    assert "mislukt bij tabel tblContacten" in outcome.message
    assert "van tabel tblContacten is een deel geschreven" in outcome.message
    assert "De 10 brieven van deze run zijn weer verwijderd: ze zijn niet gelogd" in (
        outcome.message
    )
    assert not list((workbook.parent / "uitvoer").rglob("*.*"))

    excel = ProtectedPartWay(workbook, "Werklijst")  # cleared, its rows refused
    outcome = ribbon.maak_herinneringen(excel, DAY)
    assert "Al geschreven: tabel tblContacten, tabel tblAfspraken" in outcome.message
    assert "De 10 brieven staan wel in " in outcome.message
    assert "gelogd in Contacten" in outcome.message
    assert len(list((workbook.parent / "uitvoer").rglob("*.pdf"))) == 10


def _values(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's values (the Plan's array formula has no values in the file)."""
    wb = CalamineWorkbook.from_path(str(path))
    return {name: wb.get_sheet_by_name(name).to_python() for name in wb.sheet_names}


def test_a_refused_write_after_the_letters_writes_nothing_and_says_so(workbook):
    wb = load_workbook(workbook)
    wb["Contacten"]["C63"] = "notitie onder de tabel"  # tblContacten is A1:L61
    wb.save(workbook)
    excel = OpenpyxlWorkbook(workbook)
    outcome = ribbon.maak_herinneringen(excel, DAY)
    assert not outcome.ok and excel.writes == 0
    assert "cel C63" in outcome.message and "niets in de werkmap geschreven" in outcome.message
    # What the run leaves is nothing at all: its letters are taken away again.
    assert "De 10 brieven van deze run zijn weer verwijderd" in outcome.message
    assert not list((workbook.parent / "uitvoer").rglob("*.*"))


class Named(OpenpyxlWorkbook):
    """The stand-in under another full name: a new workbook, or one on OneDrive."""

    def __init__(self, path: Path, fullname: str) -> None:
        super().__init__(path)
        self._fullname = fullname

    @property
    def fullname(self) -> str:
        return self._fullname


@pytest.mark.parametrize(
    ("fullname", "exp"),
    [("Map1", "nog niet opgeslagen"), ("https://d.docs.live.net/1/Voorbeeld.xlsx", "online")],
)
def test_an_unsaved_or_online_workbook_is_refused(workbook, fullname, exp):
    excel = Named(workbook, fullname)
    outcome = ribbon.maak_herinneringen(excel, DAY)
    assert not outcome.ok and exp in outcome.message and excel.writes == 0
    assert "niets in de werkmap geschreven" in outcome.message


def test_vernieuw_werklijst(workbook):
    excel = OpenpyxlWorkbook(workbook)
    outcome = ribbon.vernieuw_werklijst(excel, DAY)
    excel.save()
    assert outcome.ok and outcome.folder is None
    assert outcome.message.startswith("Werklijst bijgewerkt voor 24-11-2026. ")
    book, _ = read_book(workbook)
    plan = plan_book(book, DAY)
    layout = werklijst_rows(plan, book)
    exp = [[v if v is not None else "" for v in row] for row in layout]
    got = trimmed(sheet(workbook, "Werklijst"))
    assert len(got) == len(exp) > 10
    header = layout.freeze_rows
    assert got[:header] == trimmed(exp[:header])
    # the invoices, in order
    assert [r[3] for r in got[header:]] == [r[3] for r in exp[header:]]
    # the Overzicht from the same plan: dates stay dates, Decimal amounts come back as numbers
    exp_overview = [
        [float(v) if isinstance(v, Decimal) else "" if v is None else v for v in row]
        for row in overview_rows(plan, book)
    ]
    got_overview = trimmed(sheet(workbook, "Overzicht"))
    assert got_overview == trimmed(exp_overview)
    assert got_overview[0] == ["Overzicht 24-11-2026"] and len(got_overview) > 25
    assert trimmed(sheet(workbook, "Plan"))[1:] == trimmed(
        [[v if v is not None else "" for v in row] for row in plan_rows(plan)]
    )
    assert load_workbook(workbook)["Instellingen"]["E1"].value == datetime(2026, 11, 24)


def test_vernieuw_werklijst_plans_a_later_peildatum(workbook):
    wb = load_workbook(workbook)
    wb["Instellingen"]["E1"] = date(2026, 12, 15)
    wb.save(workbook)
    excel = OpenpyxlWorkbook(workbook)
    outcome = ribbon.vernieuw_werklijst(excel, DAY)
    excel.save()
    assert "voor 15-12-2026" in outcome.message
    assert sheet(workbook, "Werklijst")[0][0].startswith("Werklijst 15-12-2026")
    assert load_workbook(workbook)["Instellingen"]["E1"].value == datetime(2026, 12, 15)


def test_vernieuw_werklijst_brings_afspraken_status_up_to_date(workbook):
    later = date(2027, 3, 1)
    book, _ = read_book(workbook)
    before = dict(plan_book(book, DAY).agreement_states)
    after = {k: v.value for k, v in plan_book(book, later).agreement_states}
    assert any(before[k].value != v for k, v in after.items())  # some promise ran out
    excel = OpenpyxlWorkbook(workbook)
    assert ribbon.vernieuw_werklijst(excel, later).ok
    excel.save()
    rows = sheet(workbook, "Afspraken")
    head = rows[0]
    shown = {
        r[head.index("Afspraak")]: r[head.index("Status")]
        for r in rows[1:]
        if r[head.index("Afspraak")]
    }
    assert shown == after


def test_customer_text_that_looks_like_a_formula_stays_text(workbook):
    wb = load_workbook(workbook)
    ws = wb["Klanten"]
    names = {ws.cell(1, c).value: c for c in range(1, ws.max_column + 1)}
    evil = '=HYPERLINK("http://evil","klik")'
    for row in range(2, ws.max_row + 1):
        ws.cell(row, names["Naam"]).value = evil
        ws.cell(row, names["Naam"]).data_type = "s"
    wb.save(workbook)
    excel = OpenpyxlWorkbook(workbook)
    assert ribbon.vernieuw_werklijst(excel, DAY).ok
    excel.save()
    ws = load_workbook(workbook)["Werklijst"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Groep")
    column = [c.value for c in ws[header]].index("Naam") + 1
    cells = [ws.cell(r, column) for r in range(header + 1, ws.max_row + 1)]
    assert cells and all(c.data_type == "s" and c.value == evil for c in cells)
    assert {row[column - 1] for row in sheet(workbook, "Werklijst")[header:]} == {evil}


def test_on_windows_the_plan_formula_is_put_back(workbook, monkeypatch):
    from addin.adapters.excel import live

    monkeypatch.setattr(live, "plan_mode", lambda: "formula")
    wb = load_workbook(workbook)
    wb["Plan"]["A1"] = None  # a Mac run wrote values
    wb.save(workbook)
    excel = OpenpyxlWorkbook(workbook)
    assert ribbon.vernieuw_werklijst(excel, DAY).ok
    assert excel.calculations == 1
    excel.save()
    a1 = load_workbook(workbook)["Plan"]["A1"].value
    assert isinstance(a1, ArrayFormula) and a1.text == live.plan_formula()


def test_controleer_gegevens(workbook):
    excel = OpenpyxlWorkbook(workbook)
    outcome = ribbon.controleer_gegevens(excel, DAY)
    # the example's 4 warnings are named, with where they are (issue 10 item 5)
    assert outcome.ok and outcome.message == (
        "Geen problemen gevonden in Voorbeeld.xlsx.\n4 waarschuwingen: zie bovenaan de Werklijst."
    )

    wb = load_workbook(workbook)
    ws = wb["Facturen"]
    ws["C5"] = "31-2-2026"  # Factuurdatum
    ws["E6"] = "veel"  # Bedrag
    wb.save(workbook)
    excel = OpenpyxlWorkbook(workbook)
    outcome = ribbon.controleer_gegevens(excel, DAY)
    assert not outcome.ok and excel.writes == 0
    lines = outcome.message.splitlines()
    # the two bad rows, and the payments of the two invoices that were skipped with them
    assert lines[0] == "4 problemen gevonden in Voorbeeld.xlsx:"
    assert [line.split(" ")[0] for line in lines[3:5]] == ["Betalingen:4:", "Betalingen:9:"]
    assert lines[5:] == ["4 waarschuwingen: zie bovenaan de Werklijst."]
    assert lines[1].startswith("Facturen:5: [Factuurdatum] Facturen!C5: '31-2-2026'")
    assert lines[2].startswith("Facturen:6: [Bedrag] Facturen!E6: ")
    assert excel.alerts[0][2]  # shown as a warning


def test_a_long_list_of_problems_is_cut_short(workbook):
    wb = load_workbook(workbook)
    for row in range(2, 40):
        wb["Facturen"].cell(row, 3).value = "nooit"
    wb.save(workbook)
    excel = OpenpyxlWorkbook(workbook)
    lines = ribbon.controleer_gegevens(excel, DAY).message.splitlines()
    assert len(lines) == 1 + ribbon.MAX_PROBLEMS_SHOWN + 1 + 1
    assert lines[-2].startswith("... en nog ")
    assert lines[-2].endswith("de hele lijst: debiteuren controleer Voorbeeld.xlsx")
    assert lines[-1].endswith("waarschuwingen: zie bovenaan de Werklijst.")


def test_folder_command():
    folder = Path("/x/uitvoer/2026-11-24")
    assert ribbon.folder_command(folder, "win32") == ["explorer", str(folder)]
    assert ribbon.folder_command(folder, "darwin") == ["open", str(folder)]
    assert ribbon.folder_command(folder, "linux") is None


# --- Importeer bankafschrift ------------------------------------------------------------------


@pytest.fixture
def bank_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The command line's bank test: a workbook, a CAMT.053 statement with formula-looking
    names and descriptions; one copy of the workbook for Excel, one for the command line."""
    folder = tmp_path / "bank"
    folder.mkdir()
    workbook = folder / "Debiteuren.xlsx"
    write_book(book(BANK_BOOK), workbook)
    add_plan_sheet(workbook)
    statement = folder / "november.xml"
    statement.write_text(STATEMENT, encoding="utf-8")
    copy = tmp_path / "Debiteuren-cli.xlsx"
    shutil.copy(workbook, copy)
    return workbook, statement, copy


def test_importeer_bankafschrift_of_one_line_says_regel(bank_files):
    workbook, statement, _ = bank_files
    statement.write_text(ONE_LINE, encoding="utf-8")
    outcome = ribbon.importeer_bankafschrift(OpenpyxlWorkbook(workbook, files=[statement]), DAY)
    exp = "1 regel gelezen uit november.xml, 1 nieuw: 1 gekoppeld, 0 controleren, 0 genegeerd."
    assert outcome.message.splitlines()[0] == exp


def test_importeer_bankafschrift(bank_files):
    workbook, statement, on_file = bank_files
    excel = OpenpyxlWorkbook(workbook, files=[statement])
    outcome = ribbon.importeer_bankafschrift(excel, DAY)
    excel.save()
    assert outcome.ok and outcome.folder is None
    lines = outcome.message.splitlines()
    assert lines[0] == (
        "4 regels gelezen uit november.xml, 4 nieuw: 2 gekoppeld, 1 controleren, 1 genegeerd."
    )
    assert "Status Controleren" in outcome.message

    assert main(["bank", str(on_file), str(statement), "--datum", DAY.isoformat()]) == 0
    got, problems = read_book(workbook)
    assert problems == ()
    assert got == read_book(on_file)[0]
    assert len(got.payments) == 4
    assert {a.invoice: a.status.value for a in plan_book(got, DAY).actions}["2026-0101"] == (
        "betaald"
    )
    # bank text that looks like a formula stayed text
    ws = load_workbook(workbook)["Betalingen"]
    texts = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    formula_like = [c for c in texts if c.value.startswith("=")]
    assert {c.value for c in formula_like} == {'=HYPERLINK("http://x")', "=1+1 onbekend"}
    assert all(c.data_type == "s" for c in formula_like)
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    calamine = {v for row in sheet(workbook, "Betalingen") for v in row}
    assert '=HYPERLINK("http://x")' in calamine and "=1+1 onbekend" in calamine
    assert trimmed(sheet(workbook, "Plan"))[0] == list(schema.PLAN_HEADER)
    assert sheet(workbook, "Overzicht") == sheet(on_file, "Overzicht")
    assert sheet(workbook, "Overzicht")[0][0] == "Overzicht 24-11-2026"

    # The same file again changes nothing: the linked payer's account was learnt in the
    # first run's write, on both paths alike.
    excel = OpenpyxlWorkbook(workbook, files=[statement])
    again = ribbon.importeer_bankafschrift(excel, DAY)
    excel.save()
    assert again.ok and ", 0 nieuw:" in again.message
    assert excel.writes == 0 and "Er is niets in de werkmap veranderd." in again.message
    assert main(["bank", str(on_file), str(statement), "--datum", DAY.isoformat()]) == 0
    assert read_book(workbook)[0] == read_book(on_file)[0]


def test_werklijst_names_the_row_the_ribbon_writes_a_payment_to(bank_files):
    """As on the command line: a payment to check that the import itself adds is named by
    the Betalingen row the live write puts it in (not 'rij 0'), and both paths agree."""
    workbook, statement, on_file = bank_files
    later = statement.with_name("later.xml")
    later.write_text(REVIEW_LINE, encoding="utf-8")
    for path in (statement, later):  # rows 2 to 5 into the empty table, then row 6
        excel = OpenpyxlWorkbook(workbook, files=[path])
        assert ribbon.importeer_bankafschrift(excel, DAY).ok
        excel.save()
        assert main(["bank", str(on_file), str(path), "--datum", DAY.isoformat()]) == 0
    texts = [
        v for row in sheet(workbook, "Werklijst") for v in row
        if isinstance(v, str) and "Betalingen rij" in v
    ]  # fmt: skip
    assert texts and all(t.endswith("nog controleren in Betalingen rij 6") for t in texts)
    assert sheet(workbook, "Betalingen")[5][1] == 750.0
    assert sheet(workbook, "Werklijst") == sheet(on_file, "Werklijst")


def _add_calculated_column(path: Path) -> None:
    """Give the empty Betalingen table a calculated column, as a user may add one: Excel
    then keeps its formula in the table's one empty row."""
    wb = load_workbook(path)
    ws = wb["Betalingen"]
    table = ws.tables["tblBetalingen"]
    left, top, right, bottom = range_boundaries(table.ref)
    assert bottom == top + 1  # the header and the one empty row
    column = right + 1
    ws.cell(top, column, "Dubbel")
    formula = f"{get_column_letter(left + 1)}{bottom}*2"
    ws.cell(bottom, column, "=" + formula)
    table.ref = f"{get_column_letter(left)}{top}:{get_column_letter(column)}{bottom}"
    table.tableColumns.append(
        TableColumn(
            id=column - left + 1,
            name="Dubbel",
            calculatedColumnFormula=TableFormula(attr_text=formula),
        )
    )
    table.autoFilter = None
    wb.save(path)


def test_a_calculated_column_leaves_the_empty_row_to_fill_on_both_paths(bank_files):
    """An empty table whose one row holds only a calculated column's formula is empty:
    the file write filled it, the live write appended below it (leaving an empty payment
    row at the top and naming rows one lower than the command line)."""
    workbook, statement, on_file = bank_files
    for path in (workbook, on_file):
        _add_calculated_column(path)
    excel = OpenpyxlWorkbook(workbook, files=[statement])
    assert live.append_row(excel, "tblBetalingen") == 2
    assert ribbon.importeer_bankafschrift(excel, DAY).ok
    excel.save()
    assert main(["bank", str(on_file), str(statement), "--datum", DAY.isoformat()]) == 0
    first = [row[:3] for row in sheet(workbook, "Betalingen")[1:3]]
    assert first == [row[:3] for row in sheet(on_file, "Betalingen")[1:3]]
    assert all(first[0]), first  # row 2 holds the first payment, on both paths
    assert sheet(workbook, "Werklijst") == sheet(on_file, "Werklijst")


def test_no_bank_file_chosen_or_a_broken_one_changes_nothing(bank_files, tmp_path):
    workbook, statement, _ = bank_files
    excel = OpenpyxlWorkbook(workbook)
    outcome = ribbon.importeer_bankafschrift(excel, DAY)
    assert outcome.ok and "Geen bankafschrift gekozen" in outcome.message
    bomb = tmp_path / "bom.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Document>&b;</Document>',
        encoding="utf-8",
    )
    excel = OpenpyxlWorkbook(workbook, files=[statement, bomb])
    outcome = ribbon.importeer_bankafschrift(excel, DAY)
    assert not outcome.ok and "bom.xml" in outcome.message
    assert "niets in de werkmap geschreven" in outcome.message and excel.writes == 0
    assert excel.alerts[0][2]


def test_vernieuw_werklijst_gives_the_sheets_their_look(workbook):
    """The live path formats what xlwings can: through the stand-in, the same header,
    formats, widths, frozen header, filter, links and charts as the file write-back."""
    excel = OpenpyxlWorkbook(workbook)
    assert ribbon.vernieuw_werklijst(excel, DAY).ok
    excel.save()
    wb = load_workbook(workbook)
    ws = wb["Werklijst"]
    book, _ = read_book(workbook)
    layout = werklijst_rows(plan_book(book, DAY), book)
    header = layout.freeze_rows
    assert ws.freeze_panes == f"A{header + 1}"
    assert ws.auto_filter.ref == f"A{header}:N{len(layout.rows)}"
    assert ws.cell(header, 1).font.b and ws.cell(header, 1).fill.fgColor.rgb == "FF1F4E78"
    assert ws.cell(header + 1, 2).number_format == "d-m-yyyy"
    assert "€" in ws.cell(header + 1, 8).number_format
    assert ws.column_dimensions["N"].width == layout.widths[13]
    link = ws.cell(header + 1, 4).hyperlink
    assert link is not None and link.location.startswith("'Facturen'!A")
    overview = wb["Overzicht"]
    assert len(overview._charts) == 2


# --- no invoices or no customers: the writing buttons refuse, as the command line does ----------


@pytest.mark.parametrize("damage", ["rename Facturen", "empty Klanten", "rename tblFacturen"])
@pytest.mark.parametrize(
    "button", [ribbon.maak_herinneringen, ribbon.vernieuw_werklijst, ribbon.importeer_bankafschrift]
)
def test_writing_buttons_refuse_without_invoices_or_customers(workbook, damage, button):
    """Issue 12 item 3 in Excel: with Facturen renamed or Klanten empty, the buttons would
    write an empty Werklijst and every Afspraken.Status "nagekomen". They show the command
    line's refusal instead, write nothing and make no letters."""
    from tests.test_bad_input import _header_only

    wb = load_workbook(workbook)
    if damage == "rename Facturen":
        wb["Facturen"].title = "Facturen oud"
        table = wb["Facturen oud"].tables["tblFacturen"]
        table.name = table.displayName = "tblFacturenOud"
    elif damage == "rename tblFacturen":
        table = wb["Facturen"].tables["tblFacturen"]
        table.name = table.displayName = "tblOud"
        wb["Facturen"].title = "Oud"
    wb.save(workbook)
    if damage == "empty Klanten":
        _header_only(workbook, "Klanten")
    excel = OpenpyxlWorkbook(workbook, files=[ROOT / "tests" / "fixtures" / "bank" / "ing.csv"])
    outcome = button(excel, DAY)
    assert not outcome.ok and outcome.folder is None
    ((message, title, critical),) = excel.alerts
    assert critical and title.startswith("Debiteuren: ")
    table = (
        "tblKlanten (blad Klanten)" if damage == "empty Klanten" else "tblFacturen (blad Facturen)"
    )
    assert message == (
        f"De werkmap '{workbook}' heeft geen bruikbare rijen in de tabel {table}: de tabel is "
        "leeg (vul hem, of lees facturen in met Importeer facturen), ontbreekt of is hernoemd, "
        "of elke rij heeft een probleem (die noemt Controleer gegevens). Zonder facturen en "
        "klanten wordt er niets in de werkmap geschreven; er is niets veranderd."
    )
    assert excel.writes == 0
    assert not (workbook.parent / "uitvoer").exists()


def test_maak_herinneringen_names_the_letter_it_could_not_write(workbook):
    # As on the command line: the letter's own name and the reason in Dutch, not Python's
    # "[Errno 21] Is a directory: '.debiteuren-...tmp' -> ...".
    blocked = workbook.parent / "uitvoer" / "2026-11-24" / "2026-11-24 Herinnering K006.pdf"
    blocked.mkdir(parents=True)
    excel = OpenpyxlWorkbook(workbook)
    outcome = ribbon.maak_herinneringen(excel, DAY)
    assert not outcome.ok
    assert f"('{blocked}'): er staat een map met die naam" in outcome.message, outcome.message
    assert "Errno" not in outcome.message and ".tmp" not in outcome.message


def test_importeer_bankafschrift_of_another_account_warns_as_the_command_line(tmp_path):
    # The ribbon runs the same job: a private account's statement is named, not linked.
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(BANK_BOOK, iban="NL81RABO0312345678"), workbook)
    add_plan_sheet(workbook)
    statement = tmp_path / "prive.xml"
    statement.write_text(STATEMENT, encoding="utf-8")
    excel = OpenpyxlWorkbook(workbook, files=[statement])
    outcome = ribbon.importeer_bankafschrift(excel, DAY)
    lines = outcome.message.splitlines()
    assert lines[0].endswith("4 nieuw: 0 gekoppeld, 3 controleren, 1 genegeerd.")
    assert lines[1].startswith(
        "Let op: Bankbestand prive.xml is van rekening NL44RABO0123456789, niet van uw "
        "rekening NL81RABO0312345678 uit Instellingen."
    )


def test_vernieuw_werklijst_counts_one_action_in_the_singular(tmp_path):
    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(
        book(
            """
            [klanten]
            | klant | naam      | soort    | segment |
            | K1    | Jansen BV | Zakelijk | C       |
            [facturen]
            | factuur   | klant | factuurdatum | vervaldatum | bedrag  |
            | 2026-0101 | K1    | 2026-09-01   | 2026-10-01  | 1210.00 |
            """
        ),
        workbook,
    )
    outcome = ribbon.vernieuw_werklijst(OpenpyxlWorkbook(workbook), DAY)
    assert outcome.message.startswith(
        "Werklijst bijgewerkt voor 24-11-2026. 1 actie voor vandaag of eerder: 1 herinnering."
    ), outcome.message


class Disconnected(OpenpyxlWorkbook):
    """Excel gone away in the middle (COM raises something no handler foresees)."""

    def name_cell(self, name: str) -> tuple[str, int, int] | None:
        raise RuntimeError("The object invoked has disconnected from its clients.")


def test_an_unforeseen_error_gives_a_dutch_message_and_keeps_the_details_in_the_console(
    workbook, capsys
):
    excel = Disconnected(workbook)
    outcome = ribbon.vernieuw_werklijst(excel, DAY)
    assert not outcome.ok and excel.writes == 0
    assert outcome.message.startswith("Er ging iets onverwachts mis; er is niets in de werkmap")
    assert "RuntimeError" not in outcome.message and "disconnected" not in outcome.message
    assert "RuntimeError: The object invoked has disconnected" in capsys.readouterr().err


def test_an_unforeseen_error_before_the_log_takes_the_letters_away(workbook):
    """Excel gone before the letters were logged: they are not left in the folder as if
    logged (the message says nothing was written)."""
    outcome = ribbon.maak_herinneringen(Disconnected(workbook), DAY)
    assert not outcome.ok and outcome.message.startswith("Er ging iets onverwachts mis")
    assert not list((workbook.parent / "uitvoer").rglob("*.*"))


def test_a_windows_uitvoermap_is_refused_with_its_cell_and_nothing_made(workbook, monkeypatch):
    """Maak herinneringen on a Mac with Uitvoermap 'D:\\Brieven' (set up on Windows): the
    letters went into a folder named 'D:' beside the workbook. The ribbon says which cell,
    writes nothing to the workbook and makes no folder."""
    monkeypatch.chdir(workbook.parent)
    wb = load_workbook(workbook)
    (row,) = [r[0].row for r in wb["Instellingen"].iter_rows() if r[0].value == "Uitvoermap"]
    wb["Instellingen"].cell(row, 2).value = "D:\\Brieven"
    wb.save(workbook)
    listing = sorted(p.name for p in workbook.parent.iterdir())
    excel = OpenpyxlWorkbook(workbook)
    outcome = ribbon.maak_herinneringen(excel, DAY)
    assert not outcome.ok and outcome.folder is None
    ((message, _, critical),) = excel.alerts
    assert critical and excel.writes == 0
    assert message.startswith(
        f"In '{workbook}', blad Instellingen, rij {row}, kolom Waarde: Uitvoermap 'D:\\Brieven'"
    ), message
    assert sorted(p.name for p in workbook.parent.iterdir()) == listing


def test_importeer_bankafschrift_of_a_zip_names_the_statements_in_it(tmp_path):
    # The summary named the ZIP ("uit a.zip"), where the command line and the warnings
    # name the statement files in it ("a.zip/nov.xml").
    import zipfile

    workbook = tmp_path / "Debiteuren.xlsx"
    write_book(book(BANK_BOOK), workbook)
    add_plan_sheet(workbook)
    package = tmp_path / "a.zip"
    with zipfile.ZipFile(package, "w") as z:
        z.writestr("map/nov.xml", STATEMENT)
        z.writestr("dec.xml", ONE_LINE.replace("<Id>STMT-1</Id>", "<Id>STMT-2</Id>")
                   .replace("R1<", "X1<"))  # fmt: skip
    single = tmp_path / "los.xml"
    single.write_text(ONE_LINE.replace("<Id>STMT-1</Id>", "<Id>STMT-3</Id>")
                      .replace("R1<", "Y1<"), encoding="utf-8")  # fmt: skip
    excel = OpenpyxlWorkbook(workbook, files=[package, single])
    outcome = ribbon.importeer_bankafschrift(excel, DAY)
    assert outcome.message.splitlines()[0].startswith(
        "6 regels gelezen uit a.zip/map/nov.xml, a.zip/dec.xml, los.xml, 6 nieuw: "
    ), outcome.message
    # A ZIP of a month of daily statements: the first five named, the rest counted.
    many = tmp_path / "b.zip"
    with zipfile.ZipFile(many, "w") as z:
        for day in range(1, 8):
            z.writestr(f"{day}.xml", ONE_LINE.replace("<Id>STMT-1</Id>", f"<Id>D{day}</Id>")
                       .replace("R1<", f"D{day}<"))  # fmt: skip
    outcome = ribbon.importeer_bankafschrift(OpenpyxlWorkbook(workbook, files=[many]), DAY)
    assert outcome.message.splitlines()[0].startswith(
        "7 regels gelezen uit b.zip/1.xml, b.zip/2.xml, b.zip/3.xml, b.zip/4.xml, b.zip/5.xml "
        "en 2 andere, 7 nieuw: "
    ), outcome.message


# --- plain ranges: the writing buttons refuse up front, as the command line does ---------------


@pytest.mark.parametrize(
    ("button", "table"),
    [
        (ribbon.maak_herinneringen, "tblContacten"),
        (ribbon.verstuur_emails, "tblContacten"),
        (ribbon.importeer_bankafschrift, "tblBetalingen"),
        (ribbon.importeer_facturen, "tblFacturen"),
    ],
    ids=["herinneringen", "verstuur", "bank", "facturen"],
)
def test_writing_buttons_refuse_a_plain_range_before_making_anything(workbook, button, table):
    """A workbook of the user's own whose sheet holds the data as a plain range: the write
    could only extend a table, so the button stops before any letter, e-mail or row (a sent
    e-mail whose Verzonden cannot be written would go out again next time)."""
    wb = load_workbook(workbook)
    sheet = next(ws for ws in wb.worksheets if table in ws.tables)
    del sheet.tables[table]
    wb.save(workbook)
    ubl = sorted((ROOT / "tests" / "fixtures" / "ubl").glob("*.xml"))[0]
    files = [ROOT / "tests" / "fixtures" / "bank" / "ing.csv", ubl]
    excel = OpenpyxlWorkbook(
        workbook, files=files[1:] if "facturen" in table.lower() else files[:1]
    )
    outcome = button(excel, DAY)
    assert not outcome.ok and outcome.folder is None
    ((message, _title, critical),) = excel.alerts
    assert critical
    assert message.startswith(
        f"De werkmap heeft geen tabel '{table}'. De gegevens op blad '{sheet.title}' zijn een "
        "gewoon bereik, geen Excel-tabel. Maak er een Excel-tabel van met 'debiteuren bijwerken'"
    ), message
    assert message.endswith("(Tabelontwerp > Tabelnaam). Er is niets in de werkmap geschreven.")
    assert excel.writes == 0
    assert not (workbook.parent / "uitvoer").exists()
    assert not (workbook.parent / "facturen").exists()
