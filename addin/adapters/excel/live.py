"""The workbook open in Excel: its tables read into a Book, a Patch written back into it.

The ribbon's buttons (addin/ribbon.py) run inside Excel (RunPython), so they read and write
the open workbook, not its file. They use the same data as the command line: the tables go
through `reader.read_values` (the file reader's conversions and problem messages), and the
changes are the same `xlsx_patch.Patch` the file path applies (new columns, appended rows,
set cells, replaced sheets, the Plan's array formula; the new Instellingen rows and package
parts that only `bijwerken` asks for are refused: they need the closed file).

Every decision is a pure function over plain values, in this module: where appended rows
go, which row a key finds, what a value becomes in a cell (`cell_value`), what the Plan
sheet gets. They turn a Patch into `Step`s; `write_steps` hands the steps, in order, to a
`LiveWorkbook`, the small interface that only moves values in and out of the workbook.
Nothing is written until every step is known and every value converted, so a refused
patch (`LiveError`) leaves the workbook as it was. A failure while writing (a protected
sheet) puts back what the run already wrote, read just before each step, and is a
`LiveError` too; only when that cannot be done does a `LiveWriteError` name what was
written.

A table that shows a totals row (Tabelontwerp > Totaalrij) is read without it, takes new
columns with the totals row still last, and refuses appended rows, as the file write does:
ListObject.Resize moves no cells, so the table would take a new row as its totals row.

`adapters/xlwings_book.py` implements the interface over classic open-source xlwings.
There is no Excel on Linux, so that class is checked only by proxy: the tests run the same
interface a second time over an openpyxl workbook in memory (tests/adapters/live_openpyxl.py),
save it and read it back. That it behaves the same in Excel (Windows and Mac) is not tested here.

Example: three letters logged in a Contacten table at A1:K61 (header in row 1)::

    steps = patch_steps(workbook, Patch(append=(("tblContacten", rows),)))
    -> [Resize("tblContacten", 64, ...),       # header + 60 rows + 3 new: A1:K64
        Write("Contacten", 62, 1, ((datetime(2026, 11, 24), "'K007", "'2026-0212", ...),
                                   ...), ...)]

Text that Excel would turn into something else when it is entered ("=HYPERLINK(...)",
"+31 6 ...", "2026-0212", "K007", "'t Veerhuis", "WAAR") gets Excel's quote prefix "'", so
it stays exactly that text: Excel keeps the apostrophe out of the value.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import groupby
from pathlib import Path
from typing import Any, Protocol

from addin import schema
from addin.adapters.workbook import totals
from addin.adapters.workbook.cells import to_text
from addin.adapters.workbook.reader import Origin, header_offset, key_column, read_values
from addin.adapters.workbook.sheet_styles import FORMATS, CellFormat
from addin.adapters.workbook.xlsx_patch import MAX_COLS, MAX_TEXT, Patch
from addin.core.model import Book, Problem
from addin.core.money import CENT
from addin.core.sheet_layout import Area, SheetLayout, Style
from addin.excel import formulas


class LiveError(Exception):
    """The open workbook cannot take the change as asked; nothing was written (Dutch)."""


class LiveWriteError(Exception):
    """Writing into the open workbook failed part-way and could not be put back; the Dutch
    message names what was written and what was not.

    Attributes:
      written: the targets written completely before the failure ("tabel tblContacten").
    """

    def __init__(self, message: str, written: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.written = tuple(written)


# --- the interface to the workbook --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableBlock:
    """A table (or a sheet's used range) as the workbook holds it now.

    Attributes:
      name: the table's name as the workbook spells it (the sheet name for a used range).
      sheet: the sheet it is on.
      row: the Excel row of `values[0]` (the header row of a table).
      column: the Excel column (1 = A) of the first column.
      values: the cells, header row first, as xlwings gives them (None for empty); for a
        table, its whole ListObject.Range, which holds the totals row too when one is shown.
      plain: a sheet's used range rather than a table (the header is searched in it).
      totals: how many of the last rows of `values` are the table's totals row (1 when
        Excel shows one: ListObject.ShowTotals, else 0); they are not data.
    """

    name: str
    sheet: str
    row: int
    column: int
    values: Sequence[Sequence[object]]
    plain: bool = False
    totals: int = 0

    @property
    def headers(self) -> Sequence[object]:
        return self.values[0] if self.values else ()

    @property
    def width(self) -> int:
        return len(self.headers)

    @property
    def data(self) -> Sequence[Sequence[object]]:
        """The rows between the header and the totals row (Excel's DataBodyRange)."""
        return self.values[1 : len(self.values) - self.totals]


class LiveWorkbook(Protocol):
    """What the ribbon needs from an open workbook; `XlwingsWorkbook` is the real one.

    Rows and columns are Excel's (1-based). Values go in and out as xlwings moves them:
    None for an empty cell, float, bool, str, datetime.
    """

    @property
    def fullname(self) -> str: ...

    def table(self, name: str) -> TableBlock | None:
        """The table with this name (case ignored) on any sheet, header first; None if absent."""

    def sheet_block(self, sheet: str) -> TableBlock | None:
        """The used range of the sheet (case ignored), plain=True; None without that sheet."""

    def sheet_names(self) -> Sequence[str]: ...

    def cells(self, sheet: str, row: int, column: int, rows: int, columns: int) -> list[list[Any]]:
        """The values of a block of cells."""

    def formulas(
        self, sheet: str, row: int, column: int, rows: int, columns: int
    ) -> list[list[bool]]:
        """Per cell of a block: does it hold a formula (an array formula included)?"""

    def formula_texts(
        self, sheet: str, row: int, column: int, rows: int, columns: int
    ) -> list[list[str | None]]:
        """Per cell of a block: its formula as Excel writes it in English, without "="
        ("SUM(E2:E321)"), or None for a cell without one."""

    def name_cell(self, name: str) -> tuple[str, int, int] | None:
        """The sheet, row and column of a defined name that refers to one cell, else None."""

    def write(self, sheet: str, row: int, column: int, values: Sequence[Sequence[object]]) -> None:
        """Put a rectangle of values with its top-left cell at (row, column)."""

    def resize_table(self, name: str, rows: int) -> None:
        """Make the table `rows` rows long, header included, keeping its top and columns."""

    def widen_table(self, name: str, columns: int) -> None:
        """Make the table `columns` columns wide, keeping its top-left cell and its rows; the
        header cells of the new columns are already written and name them."""

    def clear_sheet(self, sheet: str, formats: bool = False) -> None:
        """Clear every cell's contents (array formulas too; formats stay unless `formats`);
        add the sheet at the end when it is missing."""

    def set_array_formula(self, sheet: str, formula: str, rows: int, columns: int) -> None:
        """Put `formula` as one array formula over rows x columns from A1."""

    def format_sheet(self, step: FormatSheet) -> None:
        """Give a tool-owned sheet its look: cell formats per block, column widths, row
        heights, frozen header, autofilter, links; the charts added once (found again by
        name), their ranges set."""

    def calculate(self) -> None: ...

    def choose_files(self, prompt: str) -> tuple[Path, ...]:
        """Ask the user for files; () when cancelled."""

    def choose_folder(self, prompt: str) -> Path | None:
        """Ask the user for a folder; None when cancelled."""

    def alert(self, message: str, title: str, critical: bool = False) -> None: ...

    def writing(self) -> AbstractContextManager[object]:
        """A batch of writes (screen updating off in Excel)."""


# --- steps: what to write, decided before anything is written ------------------------------


@dataclass(frozen=True, slots=True)
class Write:
    """Put `values` (already converted by `cell_value`) with the top-left at (row, column)."""

    sheet: str
    row: int
    column: int
    values: tuple[tuple[object, ...], ...]
    target: str  # what the user calls it, for the message: "tabel tblContacten"


@dataclass(frozen=True, slots=True)
class Resize:
    """Make a table `rows` rows long (header included)."""

    table: str
    rows: int
    target: str


@dataclass(frozen=True, slots=True)
class Widen:
    """Make a table `columns` columns wide (its new header cells are written just before)."""

    table: str
    columns: int
    target: str


@dataclass(frozen=True, slots=True)
class ClearSheet:
    sheet: str
    target: str
    formats: bool = False  # a laid-out sheet: its old formats go too (the header may move)


@dataclass(frozen=True, slots=True)
class ArrayFormula:
    sheet: str
    formula: str
    rows: int
    columns: int
    target: str


@dataclass(frozen=True, slots=True)
class Calculate:
    target: str = "herberekening"


@dataclass(frozen=True, slots=True)
class FormatSheet:
    """The look of a tool-owned sheet, as plain values (see `format_steps`).

    Attributes:
      blocks: (row, column, rows, columns, format): one format over a block of cells.
      widths: per column from A, in characters.
      heights: (row, points) of the rows that need more than one line.
      freeze_rows: the rows above the scrolling part (0: none).
      autofilter: the filter's range ("A8:N37") or "".
      links: (row, column, address) with the address as "#'Facturen'!A12".
      charts: (name, kind, title, source range "A5:A9,C5:C9", top-left cell, bottom-right
        cell).
    """

    sheet: str
    blocks: tuple[tuple[int, int, int, int, CellFormat], ...]
    widths: tuple[float, ...]
    heights: tuple[tuple[int, float], ...]
    freeze_rows: int
    autofilter: str
    links: tuple[tuple[int, int, str], ...]
    charts: tuple[tuple[str, str, str, str, str, str], ...]
    target: str


Step = Write | Resize | Widen | ClearSheet | ArrayFormula | Calculate | FormatSheet


# --- values ---------------------------------------------------------------------------------

# Excel turns typed text that starts like this into a formula (= + - @), an error value (#),
# or it eats a leading apostrophe; a tab or CR at the start is a CSV-injection classic.
_FORMULA_START = frozenset("=+-@#'\t\r\n")
# Text with a digit may become a number, date, time or percentage when Excel takes it in
# ("00123", "2026-0212", "3 feb", "12:30"); these words become TRUE/FALSE.
_DIGIT = re.compile(r"\d")
_BOOLEAN_WORDS = frozenset({"true", "false", "waar", "onwaar"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FIRST_DATE = date(1900, 3, 1)  # Excel's dates before this are off by its 1900 leap-year bug


def needs_quote(text: str) -> bool:
    """Would Excel read this text as anything but the same text? (A false yes is harmless:
    the quote prefix keeps the value; only the cell remembers it was entered as text.)"""
    return (
        text[0] in _FORMULA_START
        or _DIGIT.search(text) is not None
        or text.strip().casefold() in _BOOLEAN_WORDS
    )


def cell_value(value: object, where: str) -> object:
    """A Patch value as it goes into a cell through xlwings: text that Excel would read as
    something else gets the quote prefix "'", dates become datetimes, Decimals floats
    rounded to cents; `where` names the cell in the Dutch refusal."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        if not value:
            return None
        bad = _CONTROL.search(value)
        if bad:
            raise LiveError(
                f"{where}: de tekst bevat een stuurteken (U+{ord(bad.group()):04X}) dat Excel "
                f"niet kan opslaan; haal het uit de tekst."
            )
        if len(value) > MAX_TEXT:
            raise LiveError(
                f"{where}: de tekst is {len(value)} tekens lang; een Excel-cel bevat er "
                f"hoogstens {MAX_TEXT}. Kort de tekst in."
            )
        return "'" + value if needs_quote(value) else value
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise LiveError(f"{where}: '{value}' is geen getal dat Excel kan opslaan.")
        return float(value.quantize(CENT, rounding=ROUND_HALF_UP))
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise LiveError(f"{where}: '{value}' is geen getal dat Excel kan opslaan.")
        return value
    if isinstance(value, date):
        if isinstance(value, datetime) and value.tzinfo is not None:
            raise LiveError(f"{where}: '{value}' heeft een tijdzone; Excel kent geen tijdzones.")
        day = value.date() if isinstance(value, datetime) else value
        if day < _FIRST_DATE:
            raise LiveError(
                f"{where}: de datum {day:%d-%m-%Y} ligt vóór 1 maart 1900 en kan in Excel "
                f"niet als datum staan; controleer de datum."
            )
        if isinstance(value, datetime):
            return value
        return datetime(value.year, value.month, value.day)
    raise LiveError(
        f"{where}: waarden van het type {type(value).__name__} kunnen niet in een cel; "
        f"geef tekst, een getal, een datum of niets."
    )


def column_letter(column: int) -> str:
    """1 -> A, 28 -> AB."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _where(sheet: str, row: int, column: int) -> str:
    return f"Blad '{sheet}', cel {column_letter(column)}{row}"


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- reading ----------------------------------------------------------------------------


def read_live(workbook: LiveWorkbook) -> tuple[Book, tuple[Problem, ...]]:
    """Every table of the contract, by name (else the plain range on its sheet), into a
    Book with the problems named by the cells the workbook really has."""
    tables: dict[str, Sequence[Sequence[object]]] = {}
    origins: dict[str, Origin] = {}
    for spec in schema.TABLES:
        block = workbook.table(spec.name) or workbook.sheet_block(spec.sheet)
        if block is None or not block.values:
            continue
        # A totals row is not data (the file reader, python-calamine, leaves it out too).
        values = block.values[: len(block.values) - block.totals]
        if block.plain:  # nor is a total row of the user's own under a plain range
            values = _without_total_rows(workbook, block, values, spec)
        tables[spec.name] = values
        origins[spec.name] = Origin(block.sheet, block.row, block.column, plain=block.plain)
    return read_values(tables, origins)


def _without_total_rows(
    workbook: LiveWorkbook,
    block: TableBlock,
    values: Sequence[Sequence[object]],
    spec: schema.TableSpec,
) -> Sequence[Sequence[object]]:
    """The used range without the total rows under its data (totals.py), as the file
    reader leaves them out: the header row is the first of the first rows with every
    required header, as the reader finds it."""
    header = header_offset(values, spec)
    if header is None:
        return values
    width = max(map(len, values), default=0)

    def formulas_of(numbers: set[int]) -> dict[tuple[int, int], str]:
        found = {}
        for number in numbers:
            line = workbook.formula_texts(block.sheet, number, block.column, 1, width)[0]
            for j, text in enumerate(line):
                if text is not None:
                    found[(number, block.column - 1 + j)] = text
        return found

    data = values[header + 1 :]
    keep = totals.data_rows(
        data,
        block.row + header + 1,
        block.column - 1,
        key_column(values[header], spec),
        formulas_of,
    )
    return values[: header + 1 + keep]


# --- appending rows below a table -------------------------------------------------------------


def _positions(block: TableBlock, headers: Sequence[str]) -> dict[str, int]:
    """Header -> zero-based column in the block; a missing header is refused."""
    index: dict[str, int] = {}
    for k, header in enumerate(block.headers):
        index.setdefault(schema.normalise_header(to_text(header)), k)
    positions = {}
    for header in headers:
        pos = index.get(schema.normalise_header(header))
        if pos is None:
            raise LiveError(
                f"De tabel '{block.name}' op blad '{block.sheet}' heeft geen kolom "
                f"'{header}'. Voeg de kolom toe; er is niets in de werkmap geschreven."
            )
        positions[header] = pos
    return positions


def first_new_row(block: TableBlock, formulas: Sequence[bool] = ()) -> int:
    """Where appended rows start: below the table, or in the one empty row that Excel
    keeps in a table without data.

    `formulas` flags the cells of that one row that hold a formula. Such a cell counts as
    empty: a calculated column (Open = Bedrag - Betaald) fills even the empty row with its
    result, and xlsx_patch's rule for a file ignores calculated columns likewise, so the
    ribbon and the command line write a first row to the same place."""
    if len(block.data) == 1 and all(
        _is_blank(value) or (k < len(formulas) and formulas[k])
        for k, value in enumerate(block.data[0])
    ):
        return block.row + 1
    return block.row + len(block.values)


def one_row_formulas(workbook: LiveWorkbook, block: TableBlock) -> list[bool]:
    """The formula flags of a table's data row when it has exactly one (the only row
    `first_new_row` may fill), else none: one small read, not the whole table's."""
    if len(block.data) != 1 or not block.width:
        return []
    return workbook.formulas(block.sheet, block.row + 1, block.column, 1, block.width)[0]


def append_row(workbook: LiveWorkbook, name: str) -> int:
    """The sheet row `write_patch` gives the first row it appends to table `name`, as
    xlsx_patch's `append_row` does for a file; 0 when there is no such table (the write
    then says so)."""
    block = workbook.table(name)
    if block is None:
        return 0
    return first_new_row(block, one_row_formulas(workbook, block))


def _first_filled(cells: Sequence[Sequence[object]], start: int = 0) -> tuple[int, int] | None:
    """(row, column) offsets of the first cell that is not blank in `cells` from row
    `start` on, or None: what a write would overwrite (refused, never overwritten)."""
    for k, line in enumerate(cells[start:], start=start):
        for c, value in enumerate(line):
            if not _is_blank(value):
                return k, c
    return None


def append_steps(
    block: TableBlock,
    rows: Sequence[Mapping[str, object]],
    occupied: Sequence[Sequence[object]] = (),
    formulas: Sequence[bool] = (),
) -> list[Step]:
    """Grow the table and write each appended row's values under their headers.

    `occupied` is what the cells the new rows will cover hold now (rows below the table);
    anything there is refused rather than overwritten. Columns no row names (a calculated
    column such as Open) are not written, so Excel fills them. `formulas`: see
    `first_new_row`.
    """
    if not rows:
        return []
    if block.totals:
        # ListObject.Resize moves no cells: grown over the rows below, the table would take
        # its last new row as the totals row and keep the old totals row (its label and
        # SUBTOTAL formulas) as data. The file write refuses this too (xlsx_patch).
        raise LiveError(
            f"De tabel '{block.name}' op blad '{block.sheet}' heeft een totaalrij; daar "
            f"kunnen geen rijen onder. Zet de totaalrij uit (Tabelontwerp > Totaalrij) en "
            f"probeer het opnieuw; er is niets in de werkmap geschreven."
        )
    positions = _positions(block, sorted({h for row in rows for h in row}, key=str))
    start = first_new_row(block, formulas)
    reused = 1 if start == block.row + 1 and len(block.data) == 1 else 0
    filled = _first_filled(occupied, reused)
    if filled is not None:
        k, c = filled
        raise LiveError(
            f"Onder de tabel '{block.name}' staat iets in cel "
            f"{column_letter(block.column + c)}{start + k} (blad '{block.sheet}'); "
            f"daar moeten de nieuwe rijen komen. Verplaats het en probeer het "
            f"opnieuw; er is niets in de werkmap geschreven."
        )
    used = sorted(set(positions.values()))
    steps: list[Step] = [Resize(block.name, start - block.row + len(rows), f"tabel {block.name}")]
    # One write per run of adjacent columns, so a column nobody writes stays untouched.
    for _, run in groupby(enumerate(used), key=lambda kc: kc[1] - kc[0]):
        columns = [pos for _, pos in run]
        header_at = {pos: header for header, pos in positions.items()}
        values = tuple(
            tuple(
                cell_value(
                    line.get(header_at[pos]),
                    _where(block.sheet, start + k, block.column + pos),
                )
                for pos in columns
            )
            for k, line in enumerate(rows)
        )
        steps.append(
            Write(block.sheet, start, block.column + columns[0], values, f"tabel {block.name}")
        )
    return steps


# --- adding columns at a table's right edge ---------------------------------------------------


def missing_headers(block: TableBlock, headers: Sequence[str]) -> tuple[str, ...]:
    """The headers the table lacks (compared as schema.normalise_header does), once each:
    Patch.add_columns leaves a header the table has alone."""
    have = {schema.normalise_header(to_text(h)) for h in block.headers}
    new: dict[str, str] = {}
    for header in headers:
        new.setdefault(schema.normalise_header(header), header)
    return tuple(h for key, h in new.items() if key not in have)


def add_column_steps(
    block: TableBlock, new: Sequence[str], occupied: Sequence[Sequence[object]] = ()
) -> tuple[TableBlock, list[Step]]:
    """New empty columns at the table's right edge, as xlsx_patch's add_columns makes them
    on the file: the header cells written, then the table widened over them (Excel takes
    a header cell's text as the column's name). Also the block as it will be, so the rest
    of the patch can fill the new columns.

    `occupied` is what the cells the new columns will cover hold now (from the header row
    to the last row, a totals row included); anything there is refused rather than taken
    into the table. A totals row stays the table's last row: the widened range has the
    same rows (ListObject.Range holds the totals row), and the new columns' cells in it
    are left empty (no total).
    """
    if not new:
        return block, []
    left = block.column + block.width
    right = left + len(new) - 1
    where = f"De tabel '{block.name}' op blad '{block.sheet}'"
    if right > MAX_COLS:
        raise LiveError(
            f"{where} kan geen kolommen meer krijgen (kolom {right}); er is niets in de "
            f"werkmap geschreven."
        )
    filled = _first_filled(occupied)
    if filled is not None:
        k, c = filled
        raise LiveError(
            f"Rechts naast {where[3:]} staat al iets in cel "
            f"{column_letter(left + c)}{block.row + k}; daar moet de nieuwe kolom "
            f"'{new[c]}' komen. Maak die kolom leeg en probeer het opnieuw; er is "
            f"niets in de werkmap geschreven."
        )
    header = tuple(
        cell_value(h, _where(block.sheet, block.row, left + k)) for k, h in enumerate(new)
    )
    target = f"tabel {block.name}"
    steps: list[Step] = [
        Write(block.sheet, block.row, left, (header,), target),
        Widen(block.name, block.width + len(new), target),
    ]
    blank = (None,) * len(new)
    values = (
        (*block.headers, *new),
        *((*line, *blank) for line in block.values[1:]),
    )
    widened = TableBlock(
        block.name, block.sheet, block.row, block.column, values, totals=block.totals
    )
    return widened, steps


# --- setting cells in rows found by key -------------------------------------------------------


def _formula_headers(block: TableBlock) -> frozenset[int]:
    """Positions of the columns the contract marks as computed (Afspraken.Status): the tool
    may overwrite what is there, as xlsx_patch may overwrite a calculated column."""
    spec = schema.table_spec(block.name)
    if spec is None:
        return frozenset()
    computed = {schema.normalise_header(c.header) for c in spec.columns if c.formula}
    return frozenset(
        pos
        for pos, header in enumerate(block.headers)
        if schema.normalise_header(to_text(header)) in computed
    )


def set_cells_steps(
    block: TableBlock,
    updates: Sequence[tuple[str, str, Mapping[str, object]]],
    formulas: Sequence[Sequence[bool]] = (),
) -> list[Step]:
    """(key header, key value, {header: value}) per row to change: the first data row whose
    key cell reads as the key value. `formulas` flags the data cells holding a formula; those
    are refused (except in computed columns), as on the file."""
    if not updates:
        return []
    headers = {h for key, _, values in updates for h in (key, *values)}
    positions = _positions(block, sorted(headers))
    computed = _formula_headers(block)
    found: dict[tuple[str, str], int] = {}
    cells: dict[int, dict[int, object]] = {}  # column -> {row index: value}
    for key_header, key_value, values in updates:
        wanted = (key_header, str(key_value).strip())
        if wanted not in found:
            pos = positions[key_header]
            k = next(
                (k for k, row in enumerate(block.data) if to_text(row[pos]) == wanted[1]), None
            )
            if k is None:
                raise LiveError(
                    f"De tabel '{block.name}' heeft geen rij met {key_header} = "
                    f"'{key_value}'. Controleer de waarde; er is niets in de werkmap geschreven."
                )
            found[wanted] = k
        k = found[wanted]
        for header, value in values.items():
            pos = positions[header]
            row, column = block.row + 1 + k, block.column + pos
            if k < len(formulas) and formulas[k][pos] and pos not in computed:
                raise LiveError(
                    f"Cel {column_letter(column)}{row} ({header}) van de tabel '{block.name}' "
                    f"bevat een formule; die wordt niet overschreven. Maak de cel leeg of kies "
                    f"een andere kolom; er is niets in de werkmap geschreven."
                )
            cells.setdefault(pos, {})[k] = cell_value(value, _where(block.sheet, row, column))
    steps: list[Step] = []
    for pos in sorted(cells):
        column_cells = cells[pos]
        # One write per run of adjacent rows in a column.
        for _, run in groupby(enumerate(sorted(column_cells)), key=lambda ik: ik[1] - ik[0]):
            ks = [k for _, k in run]
            block_values = tuple((column_cells[k],) for k in ks)
            top = block.row + 1 + ks[0]
            target = f"tabel {block.name}"
            steps.append(Write(block.sheet, top, block.column + pos, block_values, target))
    return steps


# --- sheets the tool owns ---------------------------------------------------------------------


def _address(area: Area) -> str:
    return f"{column_letter(area.left)}{area.top}:{column_letter(area.right)}{area.bottom}"


def format_step(sheet: str, layout: SheetLayout) -> FormatSheet:
    """The FormatSheet of a layout: per column, one block per run of rows with one style."""
    blocks: list[tuple[int, int, int, int, CellFormat]] = []
    width = max((len(r) for r in layout.styles), default=0)
    for c in range(width):
        run: tuple[int, Style] | None = None  # (first row, style)
        for r, kinds in enumerate((*layout.styles, ()), start=1):
            kind = kinds[c] if c < len(kinds) else None
            if run is not None and kind is not run[1]:
                blocks.append((run[0], c + 1, r - run[0], 1, FORMATS[run[1]]))
                run = None
            if kind is not None and run is None:
                run = (r, kind)
    blocks.sort(key=lambda b: (b[0], b[1]))
    charts = tuple(
        (
            f"Grafiek {chart.key}",
            chart.kind,
            chart.title,
            f"{_address(chart.categories)},{_address(chart.values)}",
            f"{column_letter(chart.anchor.left)}{chart.anchor.top}",
            f"{column_letter(chart.anchor.right + 1)}{chart.anchor.bottom + 1}",
        )
        for chart in layout.charts
    )
    return FormatSheet(
        sheet=sheet,
        blocks=tuple(blocks),
        widths=layout.widths,
        heights=tuple((r, h) for r, h in enumerate(layout.heights, start=1) if h),
        freeze_rows=layout.freeze_rows,
        autofilter=_address(layout.autofilter) if layout.autofilter else "",
        links=tuple(
            (k.row, k.column, f"#'{k.sheet.replace(chr(39), chr(39) * 2)}'!A{k.target_row}")
            for k in layout.links
        ),
        charts=charts,
        target=f"blad {sheet}",
    )


def sheet_steps(sheet: str, rows: Sequence[Sequence[object]] | SheetLayout) -> list[Step]:
    """Replace a sheet's cells (Werklijst): clear it, then write the rows from A1; a
    SheetLayout also brings its look (`format_step`)."""
    width = max(map(len, rows), default=0)
    values = tuple(
        tuple(
            cell_value(line[c] if c < len(line) else None, _where(sheet, r, c + 1))
            for c in range(width)
        )
        for r, line in enumerate(rows, start=1)
    )
    laid_out = isinstance(rows, SheetLayout)
    steps: list[Step] = [ClearSheet(sheet, f"blad {sheet}", formats=laid_out)]
    if values and width:
        steps.append(Write(sheet, 1, 1, values, f"blad {sheet}"))
    if isinstance(rows, SheetLayout):
        steps.append(format_step(sheet, rows))
    return steps


def plan_formula() -> str:
    """Plan!A1's formula as the workbook build writes it (addin/excel/formulas.py), with the
    "=" that Range.FormulaArray takes."""
    return "=" + formulas.plan_formula()


def plan_mode(platform: str = sys.platform) -> str:
    """'formula' where worksheet functions run (Windows Excel with xlwings' UDF server),
    'values' elsewhere (the Mac: no UDFs, so the plan is written as values)."""
    return "formula" if platform.startswith("win") else "values"


def plan_steps(
    mode: str,
    has_sheet: bool,
    has_formula: bool,
    rows: Sequence[Sequence[object]],
    peildatum: tuple[str, int, int] | None,
    peildatum_value: object,
    as_of: date,
) -> list[Step]:
    """Make the Plan sheet show the plan (`rows`), and the Peildatum cell at least `as_of`.

    'values': clear the sheet (its array formula too) and write PLAN_HEADER and the rows, so
    the Status and Volgende actie look-ups in Facturen find them. 'formula': put the array
    formula back as the build wrote it when it is gone, and recalculate. No Plan sheet:
    nothing to do for it. Peildatum is set as the workbook's open macro sets it: only when
    it is empty or earlier, so a later date the user typed (to look ahead) stays.
    """
    steps: list[Step] = []
    if peildatum is not None:
        current = peildatum_value
        if isinstance(current, datetime):
            current = current.date()
        if not isinstance(current, date) or current < as_of:
            sheet, row, column = peildatum
            value = cell_value(as_of, "Peildatum")
            steps.append(Write(sheet, row, column, ((value,),), "Peildatum"))
    if not has_sheet:
        return steps
    sheet = schema.PLAN_SHEET
    if mode == "values":
        steps.extend(sheet_steps(sheet, (schema.PLAN_HEADER, *rows)))
        return steps
    if not has_formula:
        steps.append(ClearSheet(sheet, f"blad {sheet}"))
        covered = formulas.plan_rows_covered(len(rows))
        width = len(schema.PLAN_HEADER)
        steps.append(ArrayFormula(sheet, plan_formula(), covered, width, f"blad {sheet}"))
    steps.append(Calculate())
    return steps


def peildatum(workbook: LiveWorkbook) -> date | None:
    """The date in the Peildatum cell, if the workbook has one and it holds a date."""
    where = workbook.name_cell(schema.PEILDATUM_NAME)
    if where is None:
        return None
    value = workbook.cells(*where, 1, 1)[0][0]
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


# --- the whole patch ------------------------------------------------------------------------


def patch_steps(
    workbook: LiveWorkbook,
    patch: Patch,
    *,
    plan: Sequence[Sequence[object]] | None = None,
    as_of: date | None = None,
    mode: str | None = None,
) -> list[Step]:
    """Every step of `patch` (and of the Plan sheet, when `plan` rows are given), reading
    what the decisions need from the workbook; raises LiveError before anything is written.

    Columns are added first (as apply_patch does), so the other edits can fill them; a
    table is then taken as it will be once they are added."""
    if patch.add_rows or patch.replace_parts:
        # Only `bijwerken` asks for these, and only on a closed file (macros, ribbon parts).
        raise LiveError(
            "Deze wijziging (nieuwe Instellingen-rijen of delen van het bestand) kan niet in "
            "een geopende werkmap. Sluit de werkmap en gebruik 'debiteuren bijwerken'; er is "
            "niets in de werkmap geschreven."
        )
    steps: list[Step] = []
    widened: dict[str, TableBlock] = {}

    def table(name: str) -> TableBlock:
        return widened.get(name.casefold()) or _table(workbook, name)

    for name, headers in patch.add_columns:
        block = table(name)
        new = missing_headers(block, headers)
        occupied = (
            workbook.cells(
                block.sheet, block.row, block.column + block.width, len(block.values), len(new)
            )
            if new and block.column + block.width + len(new) - 1 <= MAX_COLS
            else []
        )
        block, column_steps = add_column_steps(block, new, occupied)
        widened[name.casefold()] = widened[block.name.casefold()] = block
        steps.extend(column_steps)
    for name, new_rows in patch.append:
        block = table(name)
        one_row = one_row_formulas(workbook, block) if new_rows else []
        start = first_new_row(block, one_row)
        occupied = (
            workbook.cells(block.sheet, start, block.column, len(new_rows), block.width)
            if new_rows
            else []
        )
        steps.extend(append_steps(block, new_rows, occupied, one_row))
    for name, group in groupby(patch.set_cells, key=lambda s: s[0]):
        block = table(name)
        updates = [(key, value, values) for _, key, value, values in group]
        formulas = (
            workbook.formulas(
                block.sheet, block.row + 1, block.column, len(block.data), block.width
            )
            if block.data
            else []
        )
        steps.extend(set_cells_steps(block, updates, formulas))
    for sheet, rows in patch.replace_sheet:
        steps.extend(sheet_steps(sheet, rows))
    steps.extend(grow_steps(workbook, patch.grow_array))
    if plan is not None:
        if as_of is None:
            raise ValueError("as_of is required with plan rows")
        names = {n.casefold() for n in workbook.sheet_names()}
        has_sheet = schema.PLAN_SHEET.casefold() in names
        has_formula = has_sheet and workbook.formulas(schema.PLAN_SHEET, 1, 1, 1, 1)[0][0]
        where = workbook.name_cell(schema.PEILDATUM_NAME)
        current = workbook.cells(*where, 1, 1)[0][0] if where else None
        mode = mode or plan_mode()
        steps.extend(plan_steps(mode, has_sheet, has_formula, plan, where, current, as_of))
    return steps


def grow_steps(workbook: LiveWorkbook, grow: Sequence[tuple[str, int, int]]) -> list[Step]:
    """The Plan sheet's array formula put back over more rows when the invoices outgrow it
    (Patch.grow_array, as the file write-back does): only where A1 holds the formula (not the
    Mac's values) and row `needed` is outside it (Excel reports a formula in every cell of
    an array's range)."""
    steps: list[Step] = []
    names = {n.casefold() for n in workbook.sheet_names()}
    for sheet, needed, rows in grow:
        if sheet != schema.PLAN_SHEET or sheet.casefold() not in names:
            continue
        if not workbook.formulas(sheet, 1, 1, 1, 1)[0][0]:
            continue
        if workbook.formulas(sheet, needed, 1, 1, 1)[0][0]:
            continue
        width = len(schema.PLAN_HEADER)
        steps.append(ClearSheet(sheet, f"blad {sheet}"))
        steps.append(ArrayFormula(sheet, plan_formula(), rows, width, f"blad {sheet}"))
    return steps


def _table(workbook: LiveWorkbook, name: str) -> TableBlock:
    block = workbook.table(name)
    if block is None:
        raise LiveError(
            f"De werkmap heeft geen tabel '{name}'. Maak de tabel aan (Invoegen > Tabel) of "
            f"herstel de naam; er is niets in de werkmap geschreven."
        )
    return block


def write_steps(
    workbook: LiveWorkbook, steps: Sequence[Step], *, undo: bool = True
) -> tuple[str, ...]:
    """Carry the steps out in order; the targets written, in order.

    With `undo`, what each step will overwrite is read just before it is carried out, and a
    failure part-way puts it all back, last step first: the workbook is as it was and a
    LiveError says so (the command line's rule: a run that fails half-way leaves the
    workbook as it was). When that cannot be done (a formula would be overwritten by its
    value, or Excel refuses the putting back as well), or without `undo`, a LiveWriteError
    names what was written before the failure."""
    done: list[str] = []
    restore: list[list[Step] | None] = []  # per step carried out: its undo
    cleared: set[str] = set()  # sheets cleared in this run: their undo covers later writes
    with workbook.writing():
        for step in steps:
            before: object = None
            begun = False
            try:
                if undo:
                    steps_back, before = _undo(workbook, step, cleared)
                    restore.append(steps_back)
                begun = True
                _carry_out(workbook, step)
            except Exception as exc:  # whatever Excel raised: say what is written already
                print(f"Debiteuren: schrijven mislukt: {exc!r}", file=sys.stderr)  # the console
                if undo and begun and _unchanged(workbook, step, cleared, before):
                    # Refused as a whole (a protected sheet refuses its undo too): nothing of
                    # it to put back.
                    restore.pop()
                if undo and _roll_back(workbook, restore):
                    raise LiveError(_undone_message(step.target, exc)) from exc
                complete = [t for t in done if t != step.target]
                raise LiveWriteError(_partial_message(done, step.target, exc), complete) from exc
            if isinstance(step, ClearSheet):
                cleared.add(step.sheet.casefold())
            if step.target not in done:
                done.append(step.target)
    return tuple(done)


def restore_value(value: object) -> object:
    """A value read from a cell, as it is written back so it becomes that value again: text
    that Excel would read as something else gets the quote prefix (see `cell_value`)."""
    if isinstance(value, str) and value and needs_quote(value):
        return "'" + value
    return value


def _undo(
    workbook: LiveWorkbook, step: Step, cleared: set[str]
) -> tuple[list[Step] | None, object]:
    """The steps that put back what `step` changes (None when that cannot be done exactly: a
    formula among the cells it overwrites), and what it changes as it is now (`_state`),
    both read from the workbook before the step."""
    state = _state(workbook, step, cleared)
    if isinstance(step, Write):
        if step.sheet.casefold() in cleared or not isinstance(state, list) or not state:
            return [], state  # a cleared sheet: its ClearSheet undo puts its old cells back
        rows, columns = len(state), len(state[0])
        if any(map(any, workbook.formulas(step.sheet, step.row, step.column, rows, columns))):
            return None, state
        values = tuple(tuple(restore_value(v) for v in line) for line in state)
        return [Write(step.sheet, step.row, step.column, values, step.target)], state
    if isinstance(step, Resize | Widen):
        block = _table(workbook, step.table)
        if isinstance(step, Widen):
            return [Widen(step.table, block.width, step.target)], state
        undo: list[Step] = [Resize(step.table, len(block.values), step.target)]
        grown = step.rows - len(block.values)
        if grown > 0 and block.width:
            # Excel fills a calculated column (Facturen's Open) into the rows a table grows
            # over, and shrinking it leaves those formulas below it: empty them again (the
            # cells were empty before: append_steps refuses to cover anything).
            blank = ((None,) * block.width,) * grown
            top = block.row + len(block.values)
            undo.append(Write(block.sheet, top, block.column, blank, step.target))
        return undo, state
    if isinstance(step, ClearSheet):
        return _sheet_undo(workbook, step, state), state
    # An array formula and a look only follow their sheet's ClearSheet (whose undo puts the
    # cells back; a tool-owned sheet's look returns with its next run); a recalculation
    # changes no data.
    return [], state


def _state(workbook: LiveWorkbook, step: Step, cleared: set[str]) -> object:
    """What `step` changes, as it is now: to see whether a failed step changed anything
    (a sheet cleared in this run: None, its ClearSheet has it)."""
    if isinstance(step, Write):
        if step.sheet.casefold() in cleared:
            return None
        rows, columns = len(step.values), max(map(len, step.values), default=0)
        if not rows or not columns:
            return None
        return workbook.cells(step.sheet, step.row, step.column, rows, columns)
    if isinstance(step, Resize | Widen):
        block = workbook.table(step.table)
        return None if block is None else (len(block.values), block.width)
    if isinstance(step, ClearSheet):
        return workbook.sheet_block(step.sheet)
    return None


def _unchanged(workbook: LiveWorkbook, step: Step, cleared: set[str], before: object) -> bool:
    try:
        return _state(workbook, step, cleared) == before
    except Exception:  # Excel cannot even be read now: assume the worst
        return False


def _sheet_undo(workbook: LiveWorkbook, step: ClearSheet, block: object) -> list[Step] | None:
    if not isinstance(block, TableBlock):  # the clear adds the sheet: an empty one harms no one
        return []
    undo: list[Step] = [ClearSheet(step.sheet, step.target)]
    rows = len(block.values)
    columns = max(map(len, block.values), default=0)
    if not rows or not columns:
        return undo
    if (
        step.sheet.casefold() == schema.PLAN_SHEET.casefold()
        and workbook.formulas(step.sheet, 1, 1, 1, 1)[0][0]
    ):
        # The build's array formula over what it covered (Excel reports the whole range).
        covered = max(block.row + rows - 1, 1)
        width = len(schema.PLAN_HEADER)
        return [*undo, ArrayFormula(step.sheet, plan_formula(), covered, width, step.target)]
    # Only the tool's own sheets are cleared (Werklijst, Overzicht, Plan as values), and each
    # run writes them whole again: their values come back, not a formula a user typed there
    # (asking Excel for the formulas of a 100,000-row Werklijst would cost a second read).
    values = tuple(
        tuple(restore_value(line[c] if c < len(line) else None) for c in range(columns))
        for line in block.values
    )
    return [*undo, Write(step.sheet, block.row, block.column, values, step.target)]


def _roll_back(workbook: LiveWorkbook, restore: Sequence[list[Step] | None]) -> bool:
    """Put back what the steps changed, the last first; whether that all went well."""
    if any(undo is None for undo in restore):
        return False
    try:
        for undo in reversed(restore):
            for step in undo or ():
                _carry_out(workbook, step)
    except Exception as exc:
        print(f"Debiteuren: terugzetten mislukt: {exc!r}", file=sys.stderr)
        return False
    return True


def write_patch(
    workbook: LiveWorkbook,
    patch: Patch,
    *,
    plan: Sequence[Sequence[object]] | None = None,
    as_of: date | None = None,
    mode: str | None = None,
    undo: bool = True,
) -> tuple[str, ...]:
    """`patch_steps` then `write_steps`: the whole change, decided first, then written (and
    put back again if Excel fails part-way, unless `undo` is False)."""
    steps = patch_steps(workbook, patch, plan=plan, as_of=as_of, mode=mode)
    return write_steps(workbook, steps, undo=undo)


def _carry_out(workbook: LiveWorkbook, step: Step) -> None:
    if isinstance(step, Write):
        workbook.write(step.sheet, step.row, step.column, step.values)
    elif isinstance(step, Resize):
        workbook.resize_table(step.table, step.rows)
    elif isinstance(step, Widen):
        workbook.widen_table(step.table, step.columns)
    elif isinstance(step, ClearSheet):
        workbook.clear_sheet(step.sheet, formats=step.formats)
    elif isinstance(step, ArrayFormula):
        workbook.set_array_formula(step.sheet, step.formula, step.rows, step.columns)
    elif isinstance(step, FormatSheet):
        workbook.format_sheet(step)
    else:
        workbook.calculate()


def _refusal(exc: Exception) -> str:
    """What Excel's failure was, in Dutch: its own text is English (COM's 'Exception
    occurred.') or Python's; the console keeps it (printed in write_steps)."""
    if isinstance(exc, PermissionError):
        return "Excel weigerde de wijziging; is het blad beveiligd?"
    return (
        "Excel weigerde de wijziging (een beveiligd blad, een open dialoogvenster of een cel "
        "die wordt bewerkt?)"
    )


def _undone_message(failed: str, exc: Exception) -> str:
    return (
        f"Het schrijven in de werkmap is mislukt bij {failed}: {_refusal(exc)} Wat al "
        f"geschreven was, is teruggezet: er is niets in de werkmap veranderd. Los het op "
        f"(Controleren > Beveiliging blad opheffen) en probeer het opnieuw."
    )


def _partial_message(done: Sequence[str], failed: str, exc: Exception) -> str:
    before = [t for t in done if t != failed]
    written = "Al geschreven: " + ", ".join(before) if before else "Daarvoor was niets geschreven"
    if failed in done:
        written += f"; van {failed} is een deel geschreven"
    return (
        f"Het schrijven in de werkmap is mislukt bij {failed}: {_refusal(exc)} "
        f"{written}. Controleer die bladen, of sluit de werkmap zonder op te slaan en probeer "
        f"het opnieuw."
    )
