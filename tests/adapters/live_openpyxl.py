"""`live.LiveWorkbook` a second time, over an openpyxl workbook in memory: the stand-in for
Excel in the tests (there is no Excel on Linux).

It behaves as Excel does where the ribbon's correctness depends on it, so that a writer that
gets something wrong fails a test:

- values come out as xlwings gives them: numbers as float, date cells as datetime, None for
  an empty cell, bools;
- text goes in as typed text does in Excel: a leading apostrophe is Excel's quote prefix (the
  value is the rest, and the cell is marked), text starting with = + - @ becomes a formula,
  text that reads as a number becomes a number; a datetime in a cell without a date format
  gets one (Excel applies its short date);
- a table's totals row (totalsRowCount, Excel's ShowTotals) is as ListObject gives it: its
  Range includes the totals row (Microsoft's ListObject.Range: "Includes the header, Insert
  row and Totals row if displayed"), and Resize "does not insert or move cells": the new
  range's last row becomes the totals row and the old totals row's cells stay where they
  are, as data;
- `fail_on` makes a write to that sheet raise, as Excel can part-way (a protected sheet).

`save()` writes the workbook with openpyxl, so the tests read the result back with
`read_book` (python-calamine) and openpyxl. What this cannot show is xlwings itself: that
XlwingsWorkbook moves the values the same way is checked only by this proxy.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import TableColumn

from addin.adapters.excel.live import FormatSheet, TableBlock
from tests.xlwings_values import as_xlwings as _cell_as_xlwings


def as_xlwings(value: object) -> object:
    """One cell as xlwings reads it."""
    if isinstance(value, ArrayFormula):
        return None  # a formula's result is not in the file; no test needs it
    return _cell_as_xlwings(value)


def typed(text: str) -> tuple[object, bool]:
    """What Excel makes of text entered into a cell: (value, quote prefix)."""
    if text.startswith("'"):
        return text[1:], True
    if text[:1] in ("=", "+", "-", "@") and len(text) > 1:
        return (text if text.startswith("=") else "=" + text), False
    if any(ch.isdigit() for ch in text):
        try:
            return float(text.replace(",", ".")), False
        except ValueError:
            pass
    return text, False


def _totals(table: Any) -> int:
    """The rows of the totals row: totalsRowCount in the file, ListObject.ShowTotals in Excel."""
    return int(table.totalsRowCount or 0)


def list_object_resize(ws: Any, table: Any, left: int, top: int, right: int, bottom: int) -> None:
    """Excel's ListObject.Resize to the range left/top:right/bottom (its whole new Range, a
    totals row included). No cells are inserted or moved: a totals row is the new range's
    last row, whatever is in it. New columns take their header cells' text as their names
    (Excel's own "Kolom1" where a header cell is empty). The header must stay where it is."""
    old_left, old_top, old_right, _ = range_boundaries(table.ref)
    if (left, top) != (old_left, old_top):
        raise ValueError("Resize: the header row and the first column must stay")
    ids = [c.id for c in table.tableColumns]
    del table.tableColumns[right - left + 1 :]
    for k, col in enumerate(range(old_right + 1, right + 1)):
        text = ws.cell(top, col).value
        name = str(text) if text not in (None, "") else f"Kolom{k + 1}"
        table.tableColumns.append(TableColumn(id=max(ids, default=0) + 1 + k, name=name))
    table.ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{bottom}"
    if table.autoFilter is not None:  # the header and the data, not a totals row
        last = bottom - _totals(table)
        table.autoFilter.ref = f"{get_column_letter(left)}{top}:{get_column_letter(right)}{last}"


class OpenpyxlWorkbook:
    """The LiveWorkbook interface over openpyxl (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        files: Sequence[Path] = (),
        fail_on: str | None = None,
        folder: Path | None = None,
    ) -> None:
        self.path = path
        self.wb = load_workbook(path)
        self.files = tuple(files)
        self.folder = folder
        self.prompts: list[str] = []
        self.fail_on = fail_on
        self.alerts: list[tuple[str, str, bool]] = []
        self.calculations = 0
        self.writes = 0

    def save(self) -> Path:
        self.wb.save(self.path)
        return self.path

    # reading

    @property
    def fullname(self) -> str:
        return str(self.path)

    def _sheet(self, name: str) -> Any:
        return next(
            (ws for ws in self.wb.worksheets if ws.title.casefold() == name.casefold()), None
        )

    def _find(self, name: str) -> tuple[Any, Any] | None:
        for ws in self.wb.worksheets:
            for table in ws.tables.values():
                if table.name.casefold() == name.casefold():
                    return ws, table
        return None

    def _values(self, ws: Any, top: int, left: int, bottom: int, right: int) -> list[list[Any]]:
        return [
            [as_xlwings(cell.value) for cell in row]
            for row in ws.iter_rows(min_row=top, max_row=bottom, min_col=left, max_col=right)
        ]

    def table(self, name: str) -> TableBlock | None:
        found = self._find(name)
        if found is None:
            return None
        ws, table = found
        left, top, right, bottom = range_boundaries(table.ref)
        values = self._values(ws, top, left, bottom, right)
        return TableBlock(table.name, ws.title, top, left, values, totals=_totals(table))

    def sheet_block(self, sheet: str) -> TableBlock | None:
        ws = self._sheet(sheet)
        if ws is None:
            return None
        top, left, bottom, right = ws.min_row, ws.min_column, ws.max_row, ws.max_column
        anchor = ws["A1"].value
        if isinstance(anchor, ArrayFormula):
            # Excel's UsedRange holds every cell of an array formula's range (the file only
            # its top-left cell).
            _, _, array_right, array_bottom = range_boundaries(anchor.ref)
            bottom, right = max(bottom, array_bottom), max(right, array_right)
        values = self._values(ws, top, left, bottom, right)
        return TableBlock(ws.title, ws.title, top, left, values, plain=True)

    def sheet_names(self) -> Sequence[str]:
        return self.wb.sheetnames

    def cells(self, sheet: str, row: int, column: int, rows: int, columns: int) -> list[list[Any]]:
        ws = self._sheet(sheet)
        return self._values(ws, row, column, row + rows - 1, column + columns - 1)

    def formulas(
        self, sheet: str, row: int, column: int, rows: int, columns: int
    ) -> list[list[bool]]:
        ws = self._sheet(sheet)
        return [
            [
                c.data_type == "f" or isinstance(c.value, ArrayFormula) or self._in_array(ws, c)
                for c in line
            ]
            for line in ws.iter_rows(
                min_row=row, max_row=row + rows - 1, min_col=column, max_col=column + columns - 1
            )
        ]

    def formula_texts(
        self, sheet: str, row: int, column: int, rows: int, columns: int
    ) -> list[list[str | None]]:
        ws = self._sheet(sheet)
        return [
            [c.value[1:] if c.data_type == "f" and isinstance(c.value, str) else None for c in line]
            for line in ws.iter_rows(
                min_row=row, max_row=row + rows - 1, min_col=column, max_col=column + columns - 1
            )
        ]

    @staticmethod
    def _in_array(ws: Any, cell: Any) -> bool:
        """Excel reports a formula in every cell of an array formula's range."""
        anchor = ws["A1"].value
        if not isinstance(anchor, ArrayFormula):
            return False
        left, top, right, bottom = range_boundaries(anchor.ref)
        return bool(left <= cell.column <= right and top <= cell.row <= bottom)

    def name_cell(self, name: str) -> tuple[str, int, int] | None:
        for defined_name, defined in self.wb.defined_names.items():
            if defined_name.casefold() != name.casefold():
                continue
            for sheet, ref in defined.destinations:
                left, top, right, bottom = range_boundaries(ref.replace("$", ""))
                if (left, top) == (right, bottom):
                    return sheet, top, left
        return None

    # writing

    def _check(self, sheet: str) -> None:
        self.writes += 1
        if self.fail_on is not None and sheet.casefold() == self.fail_on.casefold():
            raise PermissionError(f"blad {sheet} is beveiligd")

    def write(self, sheet: str, row: int, column: int, values: Sequence[Sequence[object]]) -> None:
        self._check(sheet)
        ws = self._sheet(sheet)
        for r, line in enumerate(values):
            for c, value in enumerate(line):
                cell = ws.cell(row=row + r, column=column + c)
                quoted = False
                if isinstance(value, str):
                    value, quoted = typed(value)
                cell.value = value
                cell.quotePrefix = quoted
                if quoted:
                    cell.data_type = "s"  # openpyxl would take "=..." for a formula
                if isinstance(value, datetime) and not cell.is_date:
                    cell.number_format = "dd-mm-yyyy"

    def resize_table(self, name: str, rows: int) -> None:
        found = self._find(name)
        assert found is not None
        ws, table = found
        self._check(ws.title)
        left, top, right, _ = range_boundaries(table.ref)
        list_object_resize(ws, table, left, top, right, top + rows - 1)

    def widen_table(self, name: str, columns: int) -> None:
        found = self._find(name)
        assert found is not None
        ws, table = found
        self._check(ws.title)
        left, top, _, bottom = range_boundaries(table.ref)
        list_object_resize(ws, table, left, top, left + columns - 1, bottom)

    def clear_sheet(self, sheet: str, formats: bool = False) -> None:
        self._check(sheet)
        ws = self._sheet(sheet)
        if ws is None:
            self.wb.create_sheet(sheet)
            return
        for line in ws.iter_rows():
            for cell in line:
                cell.value = None
                if formats:
                    cell.style = "Normal"
                    cell.hyperlink = None

    def format_sheet(self, step: FormatSheet) -> None:
        """What XlwingsWorkbook.format_sheet asks of Excel, done with openpyxl."""
        self._check(step.sheet)
        ws = self._sheet(step.sheet)
        for row, column, rows, columns, fmt in step.blocks:
            for line in ws.iter_rows(
                min_row=row, max_row=row + rows - 1, min_col=column, max_col=column + columns - 1
            ):
                for cell in line:
                    if fmt.number_format:
                        cell.number_format = fmt.number_format
                    cell.font = Font(
                        b=fmt.bold, i=fmt.italic, sz=fmt.size, color=fmt.colour,
                        u="single" if fmt.underline else None,
                    )  # fmt: skip
                    if fmt.fill:
                        cell.fill = PatternFill("solid", fgColor=fmt.fill)
                    cell.alignment = Alignment(wrap_text=fmt.wrap, vertical=fmt.vertical)
        for column, width in enumerate(step.widths, start=1):
            ws.column_dimensions[get_column_letter(column)].width = width
        for row, height in step.heights:
            ws.row_dimensions[row].height = height
        ws.freeze_panes = f"A{step.freeze_rows + 1}" if step.freeze_rows else None
        ws.auto_filter.ref = step.autofilter or None
        for row, column, address in step.links:
            ws.cell(row, column).hyperlink = Hyperlink(
                ref=ws.cell(row, column).coordinate, location=address.lstrip("#")
            )
        present = {chart.title.tx.rich.p[0].r[0].t for chart in ws._charts if chart.title}
        for _name, kind, title, source, top_left, _bottom_right in step.charts:
            if title in present:
                continue
            cats, values = (range_boundaries(part) for part in source.split(","))
            chart = BarChart()
            chart.type = "bar" if kind == "bar" else "col"
            chart.title = title
            chart.add_data(Reference(ws, min_col=values[0], min_row=values[1], max_row=values[3]))
            chart.set_categories(Reference(ws, min_col=cats[0], min_row=cats[1], max_row=cats[3]))
            ws.add_chart(chart, top_left)

    def set_array_formula(self, sheet: str, formula: str, rows: int, columns: int) -> None:
        self._check(sheet)
        ref = f"A1:{get_column_letter(columns)}{rows}"
        self._sheet(sheet)["A1"] = ArrayFormula(ref, formula)

    def calculate(self) -> None:
        self.calculations += 1

    def choose_files(self, prompt: str) -> tuple[Path, ...]:
        self.prompts.append(prompt)
        return self.files

    def choose_folder(self, prompt: str) -> Path | None:
        self.prompts.append(prompt)
        return self.folder

    def alert(self, message: str, title: str, critical: bool = False) -> None:
        self.alerts.append((message, title, critical))

    def writing(self) -> nullcontext[None]:
        return nullcontext()
