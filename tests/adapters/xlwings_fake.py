"""The few xlwings objects that XlwingsWorkbook uses for tables and cells (Book, Sheet,
Table, Range, App), built over the openpyxl stand-in (live_openpyxl.py). With it the tests
run adapters/excel/xlwings_book.py's own code without Excel: which range it reads, how it
counts rows, what it gives to Table.resize.

Each object behaves as xlwings documents it, and through it as Excel's object model does:
- `Table.range` is ListObject.Range: the header, the data and a shown totals row;
- `Table.show_totals` is ListObject.ShowTotals (totalsRowCount in the file);
- `Table.resize(range)` is ListObject.Resize: no cells move (list_object_resize);
- `Range.value = [[...], ...]` fills from the top-left cell, each text as typed in Excel;
  `Range.options(ndim=2).value` reads a list of rows, values as xlwings gives them;
- `Range.formula` is Range.Formula: a formula's text, else the constant as text, so a text
  that starts with "=" (after an apostrophe) reads as "=..." too;
- `Range.api.HasFormula` is Range.HasFormula as pywin32 gives it: True when every cell of
  the range holds a formula (an array formula's cells included), False when none does,
  None (VARIANT Null) when some do. The Mac's appscript form (`api.has_formula.get()`) is
  not modelled.

This does not show that xlwings and Excel really do this; it checks our adapter against
what their documentation says they do.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import range_boundaries
from openpyxl.worksheet.formula import ArrayFormula

from tests.adapters.live_openpyxl import OpenpyxlWorkbook, list_object_resize


def _formula_text(value: object) -> str:
    """What Range.Formula shows for a cell holding a formula; a cell inside an array formula's
    range holds nothing in the file, so only its "=" is known (all XlwingsWorkbook reads)."""
    if isinstance(value, ArrayFormula):
        return str(value.text)
    return str(value) if isinstance(value, str) and value.startswith("=") else "="


@dataclass
class _Count:
    count: int


class FakeRange:
    def __init__(self, sheet: FakeSheet, top: int, left: int, bottom: int, right: int) -> None:
        self.sheet, self.top, self.left, self.bottom, self.right = sheet, top, left, bottom, right

    @property
    def row(self) -> int:
        return self.top

    @property
    def column(self) -> int:
        return self.left

    @property
    def rows(self) -> _Count:
        return _Count(self.bottom - self.top + 1)

    @property
    def columns(self) -> _Count:
        return _Count(self.right - self.left + 1)

    def options(self, ndim: int = 2) -> FakeRange:
        assert ndim == 2  # the only option XlwingsWorkbook asks for
        return self

    @property
    def value(self) -> list[list[Any]]:
        return self.sheet.stand_in.cells(
            self.sheet.name, self.top, self.left, self.rows.count, self.columns.count
        )

    @value.setter
    def value(self, rows: list[list[object]]) -> None:
        # xlwings writes a list of rows from the range's top-left cell, whatever its size
        self.sheet.stand_in.write(self.sheet.name, self.top, self.left, rows)

    @property
    def api(self) -> FakeRangeApi:
        return FakeRangeApi(self)

    @property
    def formula(self) -> str | tuple[tuple[str, ...], ...]:
        """Range.Formula: a formula's text, else the constant as text ("" when empty); one
        string for one cell, else rows (ArrayFormula cells count as formulas in Excel)."""
        ws = self.sheet.ws
        flags = self.sheet.stand_in.formulas(
            self.sheet.name, self.top, self.left, self.rows.count, self.columns.count
        )
        grid = tuple(
            tuple(
                _formula_text(cell.value)
                if flag
                else ("" if cell.value is None else str(cell.value))
                for flag, cell in zip(line_flags, line, strict=True)
            )
            for line_flags, line in zip(
                flags,
                ws.iter_rows(
                    min_row=self.top, max_row=self.bottom, min_col=self.left, max_col=self.right
                ),
                strict=True,
            )
        )
        return grid[0][0] if len(grid) == 1 and len(grid[0]) == 1 else grid


class FakeRangeApi:
    """The native Range object (pywin32), as far as XlwingsWorkbook uses it; counts the
    questions asked, so a test can see how many round trips to Excel a call costs."""

    def __init__(self, area: FakeRange) -> None:
        self.area = area

    @property
    def HasFormula(self) -> bool | None:  # Excel's own name
        area = self.area
        area.sheet.stand_in.has_formula_calls += 1
        flags = [
            flag
            for line in area.sheet.stand_in.formulas(
                area.sheet.name, area.top, area.left, area.rows.count, area.columns.count
            )
            for flag in line
        ]
        return True if all(flags) else False if not any(flags) else None


class FakeTable:
    def __init__(self, sheet: FakeSheet, table: Any) -> None:
        self.sheet, self.table = sheet, table

    @property
    def name(self) -> str:
        return str(self.table.name)

    @property
    def range(self) -> FakeRange:
        left, top, right, bottom = range_boundaries(self.table.ref)
        return FakeRange(self.sheet, top, left, bottom, right)

    @property
    def show_totals(self) -> bool:
        return bool(self.table.totalsRowCount)

    def resize(self, area: FakeRange) -> None:
        self.sheet.stand_in.resizes += 1
        list_object_resize(self.sheet.ws, self.table, area.left, area.top, area.right, area.bottom)


class _Named:
    """A collection xlwings indexes by name (case as stored) and iterates."""

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)

    def __getitem__(self, key: str | int) -> Any:
        if isinstance(key, int):
            return self.items[key]
        return next(item for item in self.items if item.name == key)


class FakeSheet:
    def __init__(self, stand_in: FakeStandIn, ws: Any) -> None:
        self.stand_in, self.ws = stand_in, ws

    @property
    def name(self) -> str:
        return str(self.ws.title)

    @property
    def tables(self) -> _Named:
        return _Named([FakeTable(self, t) for t in self.ws.tables.values()])

    def range(self, first: tuple[int, int], last: tuple[int, int] | None = None) -> FakeRange:
        bottom, right = last or first
        return FakeRange(self, first[0], first[1], bottom, right)

    @property
    def used_range(self) -> FakeRange:
        """Sheet.used_range: from the first to the last cell in use (the stand-in's)."""
        ws = self.ws
        return FakeRange(self, ws.min_row, ws.min_column, ws.max_row, ws.max_column)


class FakeApp:
    screen_updating = True


class FakeStandIn(OpenpyxlWorkbook):
    """The stand-in, counting the Table.resize calls and the Range.HasFormula questions that
    reach it through the fake."""

    resizes = 0
    has_formula_calls = 0


class FakeBook:
    """An xlwings Book over the stand-in (its sheets, tables, app and names)."""

    def __init__(self, stand_in: FakeStandIn) -> None:
        self.stand_in = stand_in
        self.app = FakeApp()
        self.names: list[Any] = []

    @property
    def fullname(self) -> str:
        return self.stand_in.fullname

    @property
    def sheets(self) -> _Named:
        return _Named([FakeSheet(self.stand_in, ws) for ws in self.stand_in.wb.worksheets])
