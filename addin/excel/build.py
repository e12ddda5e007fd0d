"""What goes into the macro workbook, and the build from a Book to the bytes of an .xlsm.

On top of the plain tables of `addin.adapters.workbook.book_writer` (same values, formats, frozen
headers) the workbook gets, through the writer's `Layout` hooks:

- Facturen: Status and Volgende actie as formula columns: =DUESTATUS(...) / =NEXTACTION(...)
  (LAMBDA names, Excel 365/2024), or with `lambdas=False` the look-up itself (Excel 2016-2021,
  LibreOffice); see `addin.excel.formulas`.
- drop-downs on every choice column (`addin.excel.validation`);
- Instellingen: the Peildatum cell beside the table (defined name Peildatum), a plain date
  that the workbook's open macro moves to today;
- Plan: one legacy array formula =DEBITEUREN_PLAN(...) over A1:I{N}, or the engine's rows as
  values (the Mac, and checks in a spreadsheet program without xlwings);
- the hidden sheet xlwings.conf: UDF Modules = addin.udfs, and the interpreter when given;
- the defined names Peildatum, DUESTATUS and NEXTACTION;
- the Werklijst and the Overzicht with its two charts for the Peildatum, written by the safe
  write-back (`write_work_sheets`) as every later run rewrites them.

Then (`addin.excel.package`): macro-enabled content type, the VBA project (`addin.excel.vba`),
the ribbon part, and a zip with fixed times and part order. Example::

    data = build_workbook(example_book(), WorkbookOptions(EXAMPLE_DATE, EXAMPLE_TIMESTAMP))
    Path("Debiteuren.xlsm").write_bytes(data)   # the same bytes on every build
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula

from addin import schema
from addin.adapters.tempfiles import create_atomic
from addin.adapters.workbook.book_writer import DATE_FORMAT, text_cell, write_book
from addin.adapters.workbook.reader import read_book
from addin.adapters.workbook.xlsx_patch import Patch, apply_patch
from addin.core.letter_log import werklijst_rows
from addin.core.model import Book
from addin.core.overview import overview_rows
from addin.core.plan import plan_book
from addin.excel import formulas, package, validation, vba

TEXT_FORMAT = "General"
PEILDATUM_LABEL = "Peildatum"
# Beside the Instellingen table: one empty column, then the label and the date.
_PEILDATUM_GAP = 1
PLAN_WIDTHS = (14, 12, 60, 20, 12, 16, 22, 16, 60)
PLAN_NOTE = (
    "Dit blad rekent de formule =DEBITEUREN_PLAN(...) uit (Excel voor Windows met xlwings). "
    "Niet zelf invullen: Status en Volgende actie op Facturen zoeken hier hun factuur op. "
    "Op de Mac zet de knop 'Vernieuw werklijst' hier het plan als waarden neer."
)
CONF_NOTE = (
    "Instellingen voor xlwings (kolom A de naam, kolom B de waarde, vanaf A1 zonder lege regel). "
    "Interpreter_Win en Interpreter_Mac: het pad naar Python; 'debiteuren nieuw' vult ze in. "
    "Staan ze er niet, dan gebruikt xlwings zijn eigen instellingen (xlwings.conf)."
)


@dataclass(frozen=True, slots=True)
class WorkbookOptions:
    """How to build one workbook.

    Attributes:
      peildatum: the date in the Peildatum cell (the open macro moves it to today later).
      timestamp: the document's created/modified time (fixed: reproducible bytes).
      lambdas: True: Status / Volgende actie as =DUESTATUS / =NEXTACTION (LAMBDA names, Excel
        365 and 2024); False: the plain look-up (Excel 2016-2021, LibreOffice; `--klassiek`).
      interpreter: extra rows of the xlwings.conf sheet, e.g. (("Interpreter_Win", path),).
        Empty: xlwings' own default (its config files, else "python" on the PATH).
      plan_rows: the Plan sheet as values (schema.PLAN_HEADER's columns) instead of the
        array formula; None for the formula.
    """

    peildatum: date
    timestamp: datetime
    lambdas: bool = True
    interpreter: tuple[tuple[str, str], ...] = ()
    plan_rows: tuple[tuple[object, ...], ...] | None = field(default=None)


def build_workbook(
    book: Book, options: WorkbookOptions, *, udf_module: str = vba.UDF_MODULE
) -> bytes:
    """The .xlsm bytes of `book` with everything listed in the module docstring."""
    with tempfile.TemporaryDirectory(prefix="debiteuren-") as tmp:
        sheets = Path(tmp) / "bladen.xlsx"
        write_book(
            book,
            sheets,
            timestamp=options.timestamp,
            layout=MacroLayout(options, len(book.invoices)),
        )
        write_work_sheets(sheets, options.peildatum)
        staged = Path(tmp) / "werkmap.xlsm"
        staged.write_bytes(package.macro_enabled(sheets.read_bytes()))
        vba.add_project(staged, vba.modules(udf_module))
        return package.finish(staged.read_bytes(), package.ribbon_xml())


def write_work_sheets(path: Path, as_of: date) -> None:
    """The Werklijst and the Overzicht (with its charts) for `as_of`, written into the new
    workbook by the same safe write-back as every run, so a new workbook opens on them."""
    book, _ = read_book(path)
    plan = plan_book(book, as_of)
    patch = Patch(
        replace_sheet=(
            (schema.WERKLIJST_SHEET, werklijst_rows(plan, book)),
            (schema.OVERZICHT_SHEET, overview_rows(plan, book)),
        )
    )
    apply_patch(path, patch, backup=False)


def interpreter_rows(
    executable: str | None = None, platform: str | None = None
) -> tuple[tuple[str, str], ...]:
    """xlwings.conf rows that point at this Python: on Windows pythonw.exe beside it (no
    console window) as Interpreter_Win, elsewhere the executable as Interpreter_Mac."""
    executable = executable or sys.executable
    platform = platform or sys.platform
    if platform.startswith("win"):
        windowless = Path(executable).with_name("pythonw.exe")
        chosen = str(windowless) if windowless.is_file() else executable
        return (("Interpreter_Win", chosen),)
    return (("Interpreter_Mac", executable),)


def conf_rows(interpreter: Sequence[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The settings of the xlwings.conf sheet, in order."""
    return (*interpreter, ("UDF Modules", vba.UDF_MODULE))


# --- the writer's hooks ------------------------------------------------------------------


class MacroLayout:
    """`book_writer.Layout` for the macro workbook (see the module docstring)."""

    def __init__(self, options: WorkbookOptions, invoices: int) -> None:
        self.options = options
        self.plan_rows = formulas.plan_rows_covered(invoices)
        self.peildatum_ref = ""

    def formulas(self, spec: schema.TableSpec) -> Mapping[str, tuple[str, str]]:
        if spec is not schema.FACTUREN:
            return {}
        return {
            f: (formulas.column_formula(f, lambdas=self.options.lambdas), TEXT_FORMAT)
            for f in formulas.LOOKUPS
        }

    def beside_header(self, ws: Any, spec: schema.TableSpec) -> Sequence[object]:
        if spec is not schema.INSTELLINGEN:
            return []
        label_col = len(spec.columns) + _PEILDATUM_GAP + 1
        label, value = get_column_letter(label_col), get_column_letter(label_col + 1)
        ws.column_dimensions[label].width = 12
        ws.column_dimensions[value].width = 12
        self.peildatum_ref = f"{_sheet_ref(spec.sheet)}!${value}$1"
        cell = WriteOnlyCell(ws, value=self.options.peildatum)
        cell.number_format = DATE_FORMAT
        return [*([None] * _PEILDATUM_GAP), PEILDATUM_LABEL, cell]

    def table_added(self, ws: Any, spec: schema.TableSpec, ref: str) -> None:
        last_row = int(ref.rsplit(":", 1)[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        for dv in validation.validations(spec, last_row):
            ws.data_validations.append(dv)

    def sheets_added(self, wb: Workbook) -> None:
        self._plan_sheet(wb)
        self._conf_sheet(wb)
        if not self.peildatum_ref:
            raise RuntimeError("de Peildatum-cel is niet geschreven (geen Instellingen-tabel)")
        names = [(schema.PEILDATUM_NAME, self.peildatum_ref)]
        if self.options.lambdas:
            names += [
                (formulas.LOOKUPS[f][0], formulas.lambda_definition(f)) for f in formulas.LOOKUPS
            ]
        for name, text in names:
            wb.defined_names.add(DefinedName(name, attr_text=text))

    def _plan_sheet(self, wb: Workbook) -> None:
        ws = wb.create_sheet(schema.PLAN_SHEET)
        for i, width in enumerate(PLAN_WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        date_col = schema.PLAN_HEADER.index("Datum")
        ws.column_dimensions[get_column_letter(date_col + 1)].number_format = DATE_FORMAT
        note_col = len(schema.PLAN_HEADER) + 2
        ws.column_dimensions[get_column_letter(note_col)].width = 60
        ws.freeze_panes = "A2"
        note = [None, PLAN_NOTE]
        if self.options.plan_rows is None:
            last = get_column_letter(len(schema.PLAN_HEADER))
            ref = f"A1:{last}{self.plan_rows}"
            first: list[object] = [ArrayFormula(ref, "=" + formulas.plan_formula())]
            ws.append([*first, *([None] * (len(schema.PLAN_HEADER) - 1)), *note])
            return
        ws.append([*(text_cell(ws, h) for h in schema.PLAN_HEADER), *note])
        for row in self.options.plan_rows:
            ws.append([_plan_cell(ws, value) for value in row])

    def _conf_sheet(self, wb: Workbook) -> None:
        ws = wb.create_sheet(schema.XLWINGS_CONF_SHEET)
        ws.sheet_state = "hidden"
        ws.column_dimensions["A"].width = 20
        ws.column_dimensions["B"].width = 60
        for key, value in conf_rows(self.options.interpreter):
            ws.append([text_cell(ws, key), text_cell(ws, value)])
        ws.append([])  # xlwings reads from A1 down to the first empty cell
        ws.append([text_cell(ws, CONF_NOTE)])


def _plan_cell(ws: Any, value: object) -> object:
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, str):
        return text_cell(ws, value) if value else None
    return value


def _sheet_ref(sheet: str) -> str:
    return sheet if sheet.isalnum() else "'" + sheet.replace("'", "''") + "'"


def write_new(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path`, whole or not at all, never over an existing file
    (FileExistsError): `nieuw`'s workbook (tempfiles.create_atomic)."""
    create_atomic(Path(path), data)
