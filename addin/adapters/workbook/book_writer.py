"""Write a Book as a NEW workbook: one sheet and one Excel table per table of the contract.

This is how the shipped example and the benchmark files are made; it never touches an
existing workbook (write-back to the user's file is ``notes/WRITEBACK.md``'s business).
The identifier columns (schema.Column.text) are formatted as Text, with Excel's "number
stored as text" check off there (`ignore_text_numbers`: the one part openpyxl cannot write,
added to the new file by the safe write-back).
Every value goes through one conversion: dates become date cells shown as ``dd-mm-yyyy``,
money (Decimal) numbers shown as ``#,##0.00``, enums their Dutch text, booleans ``Ja``/``Nee``,
tuples ``a, b``, None and empty text an empty cell. Text is always stored as text, so a
customer called ``=HYPERLINK("x")`` can never become a formula. Facturen.Open is the one
native formula the tool writes:

    Bedrag - N(Betaald) - SUMIFS(Betalingen.Bedrag, Betalingen.Factuur = Factuurnummer,
    Betalingen.Status = "Gekoppeld")

stored in the long structured-reference form the file format needs (``[@Bedrag]`` is only
what Excel shows). Status, Volgende actie and Afspraken.Status stay empty: the engine fills
them.

Example::

    write_book(Book(invoices=(Invoice("2026-001", "K001", date(2026, 3, 1),
                                      Decimal("1210.00")),)), "uit.xlsx")
    ->  Facturen!A1:P2 is table tblFacturen: Factuurnummer 2026-001, Klantnummer K001,
        Factuurdatum 01-03-2026, Bedrag 1.210,00, Open =[@Bedrag]-N([@Betaald])-SUMIFS(...);
        Stappen holds DEFAULT_STEPS; Instellingen the shipped settings; other tables a header
        and one empty row (what Excel itself writes for an empty table).

openpyxl's write-only mode streams rows straight into the file (about 25 s for 100,000
invoices with 170,000 other rows; normal mode holds every cell in memory). Tables work there
when their columns are declared up front, which `_write_table` does.
"""

from __future__ import annotations

import enum
import gc
import io
import os
import sys
import traceback
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol, cast

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableFormula, TableStyleInfo

from addin import schema
from addin.adapters.workbook.xlsx_patch import Patch, apply_patch
from addin.core.ladder_default import DEFAULT_STEPS
from addin.core.model import Book, Interval, Settings
from addin.core.texts import with_suggestions
from addin.core.workdays import WEEKDAY_SHORT

DATE_FORMAT = "dd-mm-yyyy"
MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"  # Excel's Text: what is typed stays text
TABLE_STYLE = "TableStyleMedium2"
YES, NO = "Ja", "Nee"

# Column widths in characters: at least the header, at most this, judged on the first rows.
MIN_WIDTH, MAX_WIDTH, WIDTH_SAMPLE_ROWS = 9, 45, 300

# Facturen.Open: the long structured-reference form; Excel shows it as [@Bedrag] etc.
OPEN_FORMULA = (
    "tblFacturen[[#This Row],[Bedrag]]"
    "-N(tblFacturen[[#This Row],[Betaald]])"
    "-SUMIFS(tblBetalingen[Bedrag],"
    "tblBetalingen[Factuur],tblFacturen[[#This Row],[Factuurnummer]],"
    'tblBetalingen[Status],"Gekoppeld")'
)

# Zip entries get this time when a fixed timestamp is asked for (the zip format starts in 1980).
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class Layout(Protocol):
    """What a richer workbook adds to the plain tables while they are written (the macro
    workbook of addin/excel: formula columns, drop-downs, extra sheets and names). Write-only
    mode writes each sheet once, front to back, so these are hooks, not edits afterwards."""

    def formulas(self, spec: schema.TableSpec) -> Mapping[str, tuple[str, str]]:
        """Formula columns of `spec` besides Facturen.Open: field -> (formula in the long
        structured-reference form, without '='; number format)."""
        ...

    def beside_header(self, ws: Any, spec: schema.TableSpec) -> Sequence[object]:
        """Cells after the table's last header in row 1 (may set their column widths)."""
        ...

    def table_added(self, ws: Any, spec: schema.TableSpec, ref: str) -> None:
        """Called once the table `ref` is on `ws` (e.g. to add data validation)."""
        ...

    def sheets_added(self, wb: Workbook) -> None:
        """Called after the last sheet of the contract, before the package is written."""
        ...


def write_book(
    book: Book,
    path: str | os.PathLike[str],
    *,
    settings_rows: bool = True,
    timestamp: datetime | None = None,
    layout: Layout | None = None,
) -> None:
    """Write `book` to a new .xlsx at `path` (replacing any file there).

    settings_rows: False leaves the Instellingen table without rows (the reader's defaults).
    timestamp: when given, the document's created/modified times and every zip entry's time
      are fixed, so writing the same Book twice gives the same bytes (the shipped example).
    layout: hooks that add to the workbook (see `Layout`); None writes the plain tables.
    """
    wb = Workbook(write_only=True)
    wb.properties.creator = "Debiteuren"
    if timestamp is not None:
        wb.properties.created = timestamp
        wb.properties.modified = timestamp
    try:
        for spec in schema.TABLES:
            _write_table(wb, spec, _rows(book, spec, settings_rows=settings_rows), layout)
        for title in (schema.WERKLIJST_SHEET, schema.OVERZICHT_SHEET):
            wb.create_sheet(title)
        if layout is not None:
            layout.sheets_added(wb)
        wb.save(os.fspath(path))  # openpyxl stamps "modified" with the clock; undone below
    except OSError as exc:
        # A write-only sheet writes its rows to a temp file as they come: a full disk
        # stops it in any of these steps.
        del wb
        _drop_quietly(exc)
        raise
    ignore_text_numbers(Path(path))
    # The write-back deflates a big changed sheet at level 1 (fast, for a run on a big
    # book); a new workbook is packed as openpyxl and Excel pack theirs (a 100,000-invoice
    # book: 14.8 MB, not 18.9), with fixed times when asked.
    _repack(Path(path).read_bytes(), os.fspath(path), timestamp)


def _drop_quietly(exc: OSError) -> None:
    """Let go of the write-only sheets of a save that failed (a full disk) without a second
    report. Their XML writers wait suspended, holding temp files; when the garbage collector
    closes them they write their closing tags, fail again, and Python prints that as
    "Exception ignored in: <generator ...>" with a traceback, after the run had told the user
    in Dutch what went wrong. They are closed here, their second failure unheard."""
    hook = sys.unraisablehook
    sys.unraisablehook = lambda _: None
    try:
        traceback.clear_frames(exc.__traceback__)  # the save's frames hold the writers
        gc.collect()  # a writer and its generator refer to each other: a cycle
    finally:
        sys.unraisablehook = hook


def ignore_text_numbers(path: Path) -> None:
    """Turn off Excel's check "number stored as text" on the Text columns of every table
    (schema.Column.text) in the new workbook at `path`: digits there are text on purpose,
    and Excel would mark each such cell with a green triangle. openpyxl cannot write the
    sheet's <ignoredErrors>, so the safe write-back adds it (xlsx_patch
    Patch.ignore_text_numbers), as `bijwerken` does for an older workbook."""
    apply_patch(path, Patch(ignore_text_numbers=schema.TEXT_COLUMNS), backup=False)


# --- values ----------------------------------------------------------------------------


def cell_value(value: object) -> object:
    """The workbook form of a record's field value (see the module docstring)."""
    if value is None:
        return None
    if isinstance(value, bool):  # before int: bool is an int
        return YES if value else NO
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return ", ".join(str(cell_value(v)) for v in value) or None
    if isinstance(value, (frozenset, set)):
        return ", ".join(sorted(str(cell_value(v)) for v in value)) or None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return value or None
    return value  # date, Decimal, int


def settings_value(field: str, value: object) -> object:
    """Instellingen.Waarde: call days as 'di, wo, do' in weekday order, the rest as cells."""
    if field == "call_days":
        days = cast("frozenset[int]", value)
        return ", ".join(WEEKDAY_SHORT[d] for d in sorted(days)) or None
    return cell_value(value)


def _rows(book: Book, spec: schema.TableSpec, *, settings_rows: bool) -> Iterator[list[object]]:
    """The data rows of one table as cell values in header order."""
    if spec is schema.INSTELLINGEN:
        if settings_rows:
            yield from _settings_rows(book.settings)
        return
    records: Sequence[Any] = {
        schema.FACTUREN.name: book.invoices,
        schema.KLANTEN.name: book.customers,
        schema.CONTACTPERSONEN.name: book.contact_persons,
        schema.AFSPRAKEN.name: book.agreements,
        schema.CONTACTEN.name: book.contacts,
        schema.BETALINGEN.name: book.payments,
        schema.STAPPEN.name: book.steps or DEFAULT_STEPS,
    }[spec.name]
    fields = [col.field for col in spec.columns]
    formula = [col.formula for col in spec.columns]
    at = {field: i for i, field in enumerate(fields)}
    for record in records:
        row = [
            None if is_formula else cell_value(getattr(record, field))
            for field, is_formula in zip(fields, formula, strict=True)
        ]
        if spec is schema.FACTUREN and not record.paid:
            row[at["paid"]] = None  # Betaald: empty means 0, keep the column clean
        elif spec is schema.STAPPEN and row[at["segment"]] is None:
            row[at["segment"]] = "Alle"  # Step.segment None means every segment
        elif (
            spec is schema.AFSPRAKEN
            and record.instalments == 1
            and record.interval is Interval.MONTH
        ):
            # A promise has no schedule: leave Aantal termijnen / Interval empty (what the
            # reader takes as 1 and Maand), not "1" and "Maand" on every Toezegging.
            row[at["instalments"]] = None
            row[at["interval"]] = None
        yield row


def _settings_rows(settings: Settings) -> Iterator[list[object]]:
    settings = with_suggestions(settings)  # PLAYBOOK R4: the sentence for own invoices
    for field, name in schema.SETTINGS:
        yield [name, settings_value(field, getattr(settings, field))]


# --- sheets and tables -----------------------------------------------------------------


class _Cells:
    """Turns a row of values into what write-only mode needs, reusing one styled cell per
    column and format: styling a fresh cell per value would cost most of the write time."""

    def __init__(
        self, ws: Any, formulas: Mapping[int, tuple[str, str]], text: frozenset[int] = frozenset()
    ) -> None:
        self.ws = ws
        self.formulas = formulas  # column index -> (formula, number format)
        self.text = text  # the columns formatted as Text (schema.Column.text)
        self.styled: dict[tuple[int, str], WriteOnlyCell] = {}

    def _styled(self, col: int, number_format: str) -> WriteOnlyCell:
        cell = self.styled.get((col, number_format))
        if cell is None:
            cell = WriteOnlyCell(self.ws)
            cell.number_format = number_format
            self.styled[(col, number_format)] = cell
        return cell

    def row(self, values: list[object]) -> list[object]:
        out: list[object] = []
        for col, value in enumerate(values):
            if col in self.formulas:
                formula, number_format = self.formulas[col]
                cell = self._styled(col, number_format)
                cell.value = "=" + formula
                out.append(cell)
            elif isinstance(value, date):
                cell = self._styled(col, DATE_FORMAT)
                cell.value = value
                out.append(cell)
            elif isinstance(value, Decimal):
                cell = self._styled(col, MONEY_FORMAT)
                cell.value = value
                out.append(cell)
            elif col in self.text and isinstance(value, str):
                cell = self._styled(col, TEXT_FORMAT)
                cell.value = value
                cell.data_type = "s"  # text even when it starts with '='
                out.append(cell)
            elif isinstance(value, str) and value.startswith("="):
                out.append(text_cell(self.ws, value))
            else:
                out.append(value)
        return out


def text_cell(ws: Any, text: str) -> WriteOnlyCell:
    """A cell that holds `text` as text even when it starts with '=' (never a formula)."""
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # openpyxl makes any str starting with '=' a formula
    return cell


def _table_formulas(spec: schema.TableSpec, layout: Layout | None) -> dict[str, tuple[str, str]]:
    """field -> (formula, number format) of the table's formula columns."""
    formulas = {"open": (OPEN_FORMULA, MONEY_FORMAT)} if spec is schema.FACTUREN else {}
    if layout is not None:
        formulas.update(layout.formulas(spec))
    return formulas


def _write_table(
    wb: Workbook,
    spec: schema.TableSpec,
    rows: Iterable[list[object]],
    layout: Layout | None = None,
) -> None:
    ws = wb.create_sheet(spec.sheet)
    headers = spec.headers
    formulas = _table_formulas(spec, layout)
    rows = iter(rows)
    # Widths need the first rows before the sheet's column part is written (write-only mode
    # writes it when the first row arrives), so look ahead and then chain them back.
    head = [row for _, row in zip(range(WIDTH_SAMPLE_ROWS), rows, strict=False)]
    for i, width in enumerate(_widths(headers, head), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    text = frozenset(i for i, col in enumerate(spec.columns) if col.text)
    for i in text:
        # The column's own format: what Excel gives a cell typed in it, the table's new
        # rows included (schema.Column.text says why).
        ws.column_dimensions[get_column_letter(i + 1)].number_format = TEXT_FORMAT
    ws.freeze_panes = "A2"
    beside = [] if layout is None else list(layout.beside_header(ws, spec))

    fields = [col.field for col in spec.columns]
    cells = _Cells(ws, {fields.index(f): formula for f, formula in formulas.items()}, text)
    ws.append([*headers, *beside])
    count = 0
    for source in (head, rows):
        for row in source:
            ws.append(cells.row(row))
            count += 1
    if not count and formulas:
        # Excel keeps a calculated column's formula in the empty row of an empty table, so
        # the first invoice typed there computes Open, Status and Volgende actie at once.
        ws.append(cells.row([None] * len(fields)))

    last = get_column_letter(len(headers))
    # An empty table is a header and one empty row, as Excel makes it.
    ref = f"A1:{last}{max(count, 1) + 1}"
    table = Table(displayName=spec.name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    table.autoFilter = AutoFilter(ref=ref)
    # Write-only mode cannot read the header cells back, so the columns are declared here.
    table.tableColumns = [
        TableColumn(
            id=i,
            name=col.header,
            calculatedColumnFormula=(
                TableFormula(attr_text=formulas[col.field][0]) if col.field in formulas else None
            ),
        )
        for i, col in enumerate(spec.columns, start=1)
    ]
    with warnings.catch_warnings():
        # The warning says to declare the columns by hand, which the lines above do.
        warnings.filterwarnings("ignore", "In write-only mode you must add table columns")
        ws.add_table(table)
    if layout is not None:
        layout.table_added(ws, spec, ref)


def _widths(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[float]:
    widths = []
    for i, header in enumerate(headers):
        longest = len(header) + 3  # room for the filter button
        for row in rows:
            value = row[i]
            if isinstance(value, date):
                longest = max(longest, 11)
            elif isinstance(value, Decimal):
                longest = max(longest, len(f"{value:,.2f}") + 1)
            elif value is not None:
                longest = max(longest, len(str(value)) + 1)
        widths.append(float(min(MAX_WIDTH, max(MIN_WIDTH, longest))))
    return widths


# --- reproducible package --------------------------------------------------------------


def _repack(data: bytes, path: str, timestamp: datetime | None) -> None:
    """Copy the package, every entry deflated at zlib's default level; with `timestamp`,
    fixed entry times and docProps/core.xml's modified time fixed (openpyxl's save sets it
    to the clock). Entry order stays as openpyxl wrote it."""
    stamp = timestamp.strftime("%Y-%m-%dT%H:%M:%SZ") if timestamp is not None else ""
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            content = src.read(info.filename)
            if stamp and info.filename == "docProps/core.xml":
                content = _fix_modified(content, stamp)
            when = _ZIP_EPOCH if stamp else info.date_time
            entry = zipfile.ZipInfo(info.filename, date_time=when)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, content)


def _fix_modified(core_xml: bytes, stamp: str) -> bytes:
    start_tag = b"<dcterms:modified"
    start = core_xml.find(start_tag)
    if start < 0:
        return core_xml
    open_end = core_xml.find(b">", start) + 1
    close = core_xml.find(b"</dcterms:modified>", open_end)
    return core_xml[:open_end] + stamp.encode() + core_xml[close:]
