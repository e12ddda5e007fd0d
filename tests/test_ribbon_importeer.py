"""The ribbon's "Importeer facturen" and "Map met facturen" end to end, against the example
workbook opened in the stand-in for Excel (tests/adapters/live_openpyxl.py); the command line
on a copy must give the same data. Not shown here (no Excel on Linux): the file and folder
dialogs themselves."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from addin import ribbon
from addin.adapters.excel import live
from addin.adapters.excel.xlwings_book import INVOICE_FOLDER_PROMPT, INVOICE_PROMPT
from addin.adapters.workbook.reader import read_book
from addin.cli import main
from tests.adapters.live_openpyxl import OpenpyxlWorkbook
from tests.test_ribbon import DAY, workbook  # noqa: F401  (the fixture)
from tests.test_ribbon import EXAMPLE as ROOT_EXAMPLE

LIST = (
    "Factuurnummer;Klant;Factuurdatum;Vervaldatum;Bedrag\n"
    "2026-9001;K001;1-11-2026;1-12-2026;1.210,00\n"
    "2026-9002;Nieuwe Klant B.V.;2-11-2026;2-12-2026;605,00\n"
    "2026-9003;K002;3-11-2026;;-100,00\n"
)


def _copy(path: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "cli"
    folder.mkdir(exist_ok=True)
    return Path(shutil.copy(path, folder / path.name))


def test_importeer_facturen_matches_the_command_line(workbook: Path, tmp_path: Path) -> None:  # noqa: F811
    on_file = _copy(workbook, tmp_path)
    listed = tmp_path / "openstaand.csv"
    listed.write_text(LIST, encoding="utf-8")
    excel = OpenpyxlWorkbook(workbook, files=[listed])
    outcome = ribbon.importeer_facturen(excel, DAY)
    excel.save()
    assert excel.prompts == [INVOICE_PROMPT]
    assert outcome.ok, outcome.message
    assert outcome.message.startswith(
        "1 bestand gelezen: 2 facturen en 1 creditnota toegevoegd, 1 nieuwe klant, 0 PDF's"
    )
    assert main(["importeer", str(on_file), str(listed)]) == 0
    got, problems = read_book(workbook)
    assert problems == ()
    expected = read_book(on_file)[0]
    assert got.invoices == expected.invoices and got.customers == expected.customers
    assert [i.number for i in got.invoices[-3:]] == ["2026-9001", "2026-9002", "2026-9003"]
    assert got.customers[-1].name == "Nieuwe Klant B.V."
    # Again: nothing new, nothing written.
    excel = OpenpyxlWorkbook(workbook, files=[listed])
    again = ribbon.importeer_facturen(excel, DAY)
    assert again.ok and excel.writes == 0
    assert "Er is niets in de werkmap veranderd." in again.message


def test_map_met_facturen_and_cancel(workbook: Path, tmp_path: Path) -> None:  # noqa: F811
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "lijst.csv").write_text(LIST, encoding="utf-8")
    on_file = _copy(workbook, tmp_path)
    excel = OpenpyxlWorkbook(workbook, folder=folder)
    outcome = ribbon.importeer_facturenmap(excel, DAY)
    excel.save()
    assert excel.prompts == [INVOICE_FOLDER_PROMPT]
    assert outcome.ok and "1 bestand gelezen: 2 facturen" in outcome.message
    # the message box is titled after the button pressed (it said "Importeer facturen")
    assert [title for _, title, _ in excel.alerts] == ["Debiteuren: Map met facturen"]
    assert main(["importeer", str(on_file), str(folder)]) == 0
    assert read_book(workbook)[0].invoices == read_book(on_file)[0].invoices

    excel = OpenpyxlWorkbook(workbook)
    assert "Geen facturen gekozen" in ribbon.importeer_facturen(excel, DAY).message
    assert "Geen map gekozen" in ribbon.importeer_facturenmap(excel, DAY).message
    assert excel.writes == 0


def test_a_broken_file_alone_writes_nothing(workbook: Path, tmp_path: Path) -> None:  # noqa: F811
    broken = tmp_path / "kapot.xml"
    broken.write_text("<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'")
    excel = OpenpyxlWorkbook(workbook, files=[broken])
    outcome = ribbon.importeer_facturen(excel, DAY)
    assert not outcome.ok and excel.writes == 0
    assert "kapot.xml" in outcome.message and "niets in de werkmap geschreven" in outcome.message


def test_the_plan_formula_grows_in_excel_too(
    workbook: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(live, "plan_mode", lambda: "formula")  # Excel for Windows
    invoices = len(read_book(workbook)[0].invoices)
    rows = [f"G-{n};K001;1-11-2026;1-12-2026;10,00" for n in range(5000 - invoices)]
    listed = tmp_path / "groot.csv"
    listed.write_text("Factuur;Klant;Datum;Vervaldatum;Bedrag\n" + "\n".join(rows) + "\n")
    excel = OpenpyxlWorkbook(workbook, files=[listed])
    outcome = ribbon.importeer_facturen(excel, DAY)
    excel.save()
    assert outcome.ok, outcome.message
    a1 = load_workbook(workbook)["Plan"]["A1"].value
    assert isinstance(a1, ArrayFormula) and a1.ref == "A1:I10001"
    assert a1.text == live.plan_formula()


def test_a_list_memory_that_cannot_be_written_keeps_the_import_and_says_so(
    workbook: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    # As on the command line (tests/test_cli_importeer_lists.py): the rows are in the open
    # workbook when the memory is written, so its failure is a note, not "niets geschreven".
    (workbook.parent / f".{workbook.name}.importlijsten.json").mkdir()
    listed = tmp_path / "openstaand.csv"
    listed.write_text(LIST, encoding="utf-8")
    excel = OpenpyxlWorkbook(workbook, files=[listed])
    outcome = ribbon.importeer_facturen(excel, DAY)
    excel.save()
    assert not outcome.ok
    assert "niets in de werkmap geschreven" not in outcome.message, outcome.message
    assert "kon niet worden onthouden" in outcome.message, outcome.message
    got, _ = read_book(workbook)
    assert [i.number for i in got.invoices[-3:]] == ["2026-9001", "2026-9002", "2026-9003"]


@pytest.mark.parametrize(
    ("given", "exp_read", "exp_ok"),
    [
        (("nergens.csv",), 0, False),
        (("leeg",), 0, False),
        (("nergens.csv", "openstaand.csv"), 1, False),
        (("leeg", "openstaand.csv", "nergens.xml"), 1, False),
        (("openstaand.csv",), 1, True),
    ],
    ids=["missing", "empty-folder", "missing-and-a-list", "two-without-file-and-a-list", "list"],
)
def test_only_files_really_read_are_counted_alike_everywhere(
    workbook: Path,  # noqa: F811
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    given: tuple[str, ...],
    exp_read: int,
    exp_ok: bool,
) -> None:
    """A missing path or an empty folder is skipped with its reason; it was counted as a
    file read ("1 bestand gelezen") on the command line, in --json and in the ribbon."""
    (tmp_path / "leeg").mkdir()
    (tmp_path / "openstaand.csv").write_text(LIST, encoding="utf-8")
    paths = [tmp_path / name for name in given]
    files = f"{exp_read} bestand" + ("en" if exp_read != 1 else "")
    exp_code = 2 if exp_read == 0 else 0 if exp_ok else 1
    on_file = _copy(workbook, tmp_path)
    assert main(["importeer", str(on_file), *map(str, paths), "--proef"]) == exp_code
    assert capsys.readouterr().out.startswith(f"{files} gelezen: ")
    code = main(["importeer", str(on_file), *map(str, paths), "--proef", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert (code, data["bestanden"]) == (exp_code, exp_read)
    assert len(data["overgeslagen"]) == len(given) - exp_read
    outcome = ribbon.importeer_facturen(OpenpyxlWorkbook(workbook, files=paths), DAY)
    assert outcome.message.startswith(f"{files} gelezen: "), outcome.message
    assert outcome.ok is exp_ok


def test_a_plan_sheet_that_refuses_the_write_does_not_hide_the_imported_rows(
    workbook: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The rows go in first, the Plan sheet after them: a protected Plan sheet must not
    make the message say that nothing was written (the rows and PDFs are there)."""
    on_file = _copy(workbook, tmp_path)
    listed = tmp_path / "openstaand.csv"
    listed.write_text(LIST, encoding="utf-8")
    excel = OpenpyxlWorkbook(workbook, files=[listed], fail_on="Plan")
    outcome = ribbon.importeer_facturen(excel, DAY)
    excel.save()
    assert not outcome.ok
    assert outcome.message.startswith("1 bestand gelezen: 2 facturen en 1 creditnota")
    assert "niets in de werkmap" not in outcome.message
    assert outcome.message.endswith(
        "Let op: de facturen staan in de werkmap, maar het blad Plan en de Peildatum konden "
        "niet worden bijgewerkt. Los het op (een beveiligd blad?) en kies Vernieuw werklijst."
    )
    assert main(["importeer", str(on_file), str(listed)]) == 0
    assert read_book(workbook)[0].invoices == read_book(on_file)[0].invoices


def test_a_protected_facturen_sheet_leaves_klanten_as_it_was(
    workbook: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The new customer goes into Klanten before the invoices into Facturen: when Facturen
    refuses, the customer row is taken out again (it stayed, without its invoice)."""
    before = read_book(workbook)
    listed = tmp_path / "openstaand.csv"
    listed.write_text(LIST, encoding="utf-8")
    excel = OpenpyxlWorkbook(workbook, files=[listed], fail_on="Facturen")
    outcome = ribbon.importeer_facturen(excel, DAY)
    excel.save()
    assert not outcome.ok
    assert outcome.message.startswith("Het schrijven in de werkmap is mislukt bij tabel ")
    assert "er is niets in de werkmap veranderd" in outcome.message
    assert read_book(workbook) == before
    klanten = load_workbook(workbook)["Klanten"].tables["tblKlanten"].ref
    assert klanten == load_workbook(ROOT_EXAMPLE)["Klanten"].tables["tblKlanten"].ref


class GoneBeforeWriting(OpenpyxlWorkbook):
    """Excel gone after the files were read, before the first cell was written (COM raises
    what no handler foresees)."""

    def cells(self, sheet: str, row: int, column: int, rows: int, columns: int) -> list[list]:
        raise RuntimeError("The object invoked has disconnected from its clients.")


def test_an_unforeseen_error_before_writing_leaves_no_pdfs(tmp_path: Path) -> None:
    from tests.test_cli_importeer import SAMPLES, expected, seller_settings
    from tests.test_cli_importeer import workbook as make_workbook

    sample = next(s for s in SAMPLES if expected(s).pdf is not None)
    path = make_workbook(tmp_path, seller_settings(expected(sample)))
    outcome = ribbon.importeer_facturen(GoneBeforeWriting(path, files=[sample]), DAY)
    assert outcome.message.startswith("Er ging iets onverwachts mis; er is niets in de werkmap")
    assert not list(tmp_path.rglob("*.pdf"))
    # the same file through the stand-in that works: its PDF is saved
    assert ribbon.importeer_facturen(OpenpyxlWorkbook(path, files=[sample]), DAY).ok
    assert len(list(tmp_path.rglob("*.pdf"))) == 1
