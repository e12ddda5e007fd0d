"""Reading a list of open items (CSV or XLSX), as every accounting package exports it with its
own column names, into the import's `IncomingInvoice` rows.

Columns are found by header (core/invoice_import.OPEN_ITEMS_SYNONYMS, Dutch and English; the
header row may be below a title); the CSV's encoding (UTF-8 with or without BOM, UTF-16,
else Windows-1252), separator (; , tab |) and decimal separator (per amount column: "1.234,56"
or "1,234.56") are detected; dates in the usual Dutch forms and ISO are read by the
workbook reader's own converters (adapters/workbook/cells.py). When a needed column is
missing the message lists the headers found and the synonyms tried.

Example::

    items = read_open_items(b"Factuur;Relatie;Datum;Openstaand\\n2026-1;K001;3-2-2026;1.210,00\\n",
                            "lijst.csv")
    items.rows[0].number, items.rows[0].amount   -> ("2026-1", Decimal("1210.00"))
    items.only_open_amount                        -> True (the open amount became Bedrag)
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from python_calamine import CalamineError, CalamineWorkbook

from addin.adapters.invoices.ubl import InvoiceFileError
from addin.adapters.workbook.cells import CellError, to_amount, to_date, to_text
from addin.adapters.workbook.panics import held_stderr, is_panic, panic_cell
from addin.adapters.workbook.reader import MAX_CELLS, area_text, cells_in, sheet_extents
from addin.core.invoice_import import (
    IncomingInvoice,
    list_kind,
    match_columns,
)

__all__ = ["OpenItems", "RowProblem", "read_open_items"]

T = TypeVar("T")

HEADER_SEARCH_ROWS = 20  # a title or export date above the header row is common
SEPARATORS = (";", ",", "\t", "|")


@dataclass(frozen=True, slots=True)
class RowProblem:
    """A row that could not be read: where ('lijst.csv regel 14') and why (Dutch)."""

    where: str
    message: str


@dataclass(frozen=True, slots=True)
class OpenItems:
    """One list, read.

    Attributes:
      rows: the invoices, amount = Bedrag (or Openstaand when the list has no Bedrag).
      kind: what makes lists 'the same kind' (the headers read), for "mogelijk betaald".
      only_open_amount: the list had no Bedrag column; the open amount became Bedrag.
      partly_paid: (invoice, open amount) where the list shows less open than Bedrag.
      problems: rows skipped, with file, line and column.
      names: Klantnaam per customer text, when the list has a name column.
    """

    rows: tuple[IncomingInvoice, ...]
    kind: str
    only_open_amount: bool
    partly_paid: tuple[tuple[str, Decimal], ...]
    problems: tuple[RowProblem, ...]
    names: dict[str, str]


def read_open_items(data: bytes, name: str, *, xlsx: bool = False) -> OpenItems:
    """Read a CSV (or with `xlsx`, a workbook's first sheet that has the columns)."""
    tables = _xlsx_tables(data, name) if xlsx else [(_csv_rows(data, name), "regel")]
    first_failure: str | None = None
    for rows, unit in tables:
        found = _header(rows)
        if found is None:
            continue
        at, headers, match = found
        if match.missing:
            if not match.columns:  # not one known header: not a list of open items at all
                found_headers = ", ".join(f"'{h}'" for h in headers if h)
                failure = (
                    f"{name}: onbekend formaat: geen UBL-factuur en geen lijst met openstaande "
                    f"posten (geen bekend kopje gevonden; eerste regel: {found_headers})."
                )
            else:
                failure = f"{name}: {match.message(headers)}"
            first_failure = first_failure or failure
            continue
        return _read_rows(rows, at, headers, dict(match.columns), name, unit)
    if first_failure:
        raise InvoiceFileError(first_failure)
    raise InvoiceFileError(f"{name}: de lijst is leeg (geen kopjes gevonden).")


# --- the file -------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:1000]:
        raise InvoiceFileError(f"{name}: onbekend formaat (binair bestand, geen CSV of XLSX).")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Excel's "CSV (gescheiden door lijstscheidingsteken)" on a Dutch Windows.
        return data.decode("cp1252", errors="replace")


def _separator(text: str) -> str:
    """The separator the header line uses most (outside quotes)."""
    for line in text.splitlines()[:HEADER_SEARCH_ROWS]:
        unquoted = re.sub(r'"[^"]*"', "", line)
        counts = {sep: unquoted.count(sep) for sep in SEPARATORS}
        best = max(counts, key=lambda s: counts[s])
        if counts[best]:
            return best
    return ";"


def _csv_rows(data: bytes, name: str) -> list[list[object]]:
    text = _decode(data, name)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))
    try:
        return [list(row) for row in reader]
    except csv.Error as exc:
        raise InvoiceFileError(
            f"{name}: geen leesbare CSV op regel {reader.line_num} ({exc})."
        ) from None


def _xlsx_tables(data: bytes, name: str) -> list[tuple[list[list[object]], str]]:
    tables: list[tuple[list[list[object]], str]] = []
    sheet = ""
    for sheet, area in sheet_extents(io.BytesIO(data)).items():
        if cells_in(area) > MAX_CELLS:  # python-calamine would abort the process
            limit = f"{MAX_CELLS:,}".replace(",", ".")
            raise InvoiceFileError(
                f"{name}: blad {sheet} beslaat volgens het bestand {area_text(area)}, meer dan "
                f"{limit} cellen; waarschijnlijk staat er iets ver buiten de lijst. Verwijder "
                f"die rijen of kolommen en sla de lijst opnieuw op."
            )
    try:
        with held_stderr():  # a Rust panic's report never reaches the screen
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            for sheet in book.sheet_names:
                rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
                tables.append((rows, f"blad {sheet} rij"))
    except (CalamineError, ValueError, OSError) as exc:
        raise InvoiceFileError(
            f"{name}: geen leesbaar Excel-bestand ({exc}); sla de lijst opnieuw op als .xlsx "
            f"of .csv."
        ) from None
    except BaseException as exc:
        if not is_panic(exc):
            raise
        raise InvoiceFileError(_panic_message(data, name, sheet, exc)) from None
    return tables


def _panic_message(data: bytes, name: str, sheet: str, exc: BaseException) -> str:
    """python-calamine panicked on `sheet`: the cell that did it, when it can be found."""
    cell = panic_cell(io.BytesIO(data), sheet) if sheet else None
    if cell is None:
        return (
            f"{name}: blad {sheet or '?'} bevat een waarde die niet omgezet kan worden ({exc}), "
            f"waarschijnlijk een getal in een cel die als datum is opgemaakt; zet er een datum "
            f"in of maak de cel leeg, en sla de lijst opnieuw op."
        )
    return (
        f"{name}: blad {sheet} rij {cell.row}, kolom {cell.letters} (cel {cell.letters}"
        f"{cell.row}) bevat {cell.value}, "
        f"een getal dat als datum is opgemaakt maar geen datum kan zijn; zet er de goede datum "
        f"in of maak de cel leeg, en sla de lijst opnieuw op."
    )


def _header(rows: Sequence[Sequence[object]]) -> tuple[int, list[str], object] | None:
    """The first row (of the first few) whose headers name every needed column; else the
    first non-empty row, so the message can list its headers."""
    first = None
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        headers = [to_text(v) for v in row]
        if not any(headers):
            continue
        match = match_columns(headers)
        if not match.missing:
            return i, headers, match
        if first is None:
            first = (i, headers, match)
    return first


# --- the rows -------------------------------------------------------------------------------


def _read_rows(
    rows: list[list[object]],
    at: int,
    headers: list[str],
    columns: dict[str, int],
    name: str,
    unit: str,
) -> OpenItems:
    body = rows[at + 1 :]
    amount_col = columns.get("amount")
    open_col = columns.get("open_amount")
    parse_amount = {
        col: _amount_parser([row[col] for row in body if col < len(row)])
        for col in (amount_col, open_col)
        if col is not None
    }
    parse_date = _date_parser()
    number_col, customer_col = columns["number"], columns["customer"]
    date_col, due_col = columns["invoice_date"], columns.get("due_date")
    name_col = columns.get("customer_name")
    text_cols = {k: columns.get(k) for k in ("description", "payment_reference")}
    out: list[IncomingInvoice] = []
    problems: list[RowProblem] = []
    partly: list[tuple[str, Decimal]] = []
    names: dict[str, str] = {}
    width = len(headers)
    for offset, row in enumerate(body):
        line = at + 2 + offset
        if len(row) < width:
            row = [*row, *([""] * (width - len(row)))]
        number = to_text(row[number_col])
        if not number:
            if any(to_text(v) for v in row):
                problems.append(RowProblem(f"{name} {unit} {line}", "geen factuurnummer"))
            continue
        where = f"{name} {unit} {line}"
        try:
            customer = to_text(row[customer_col])
            if not customer:
                raise CellError(f"kolom '{headers[customer_col]}': geen klant")
            issue = _cell(parse_date, row[date_col], headers[date_col], required=True)
            due = _cell(parse_date, row[due_col], headers[due_col]) if due_col is not None else None
            amount = (
                _cell(parse_amount[amount_col], row[amount_col], headers[amount_col])
                if amount_col is not None
                else None
            )
            open_amount = (
                _cell(parse_amount[open_col], row[open_col], headers[open_col])
                if open_col is not None
                else None
            )
        except CellError as exc:
            problems.append(RowProblem(where, str(exc)))
            continue
        if amount is None and open_amount is None:
            problems.append(RowProblem(where, "geen bedrag en geen openstaand bedrag"))
            continue
        if open_amount is not None and open_amount == 0 and amount not in (None, 0):
            continue  # paid in full: nothing to collect, nothing to import
        bedrag = amount if amount is not None else open_amount
        assert bedrag is not None and isinstance(issue, date)
        if amount is not None and open_amount is not None and open_amount != amount:
            partly.append((number, open_amount))
        if name_col is not None:
            names.setdefault(customer, to_text(row[name_col]))
        texts = {k: to_text(row[c]) if c is not None else "" for k, c in text_cols.items()}
        out.append(
            IncomingInvoice(
                number=number,
                issue_date=issue,
                amount=bedrag,
                due_date=due if isinstance(due, date) else None,
                customer_ref=customer,
                credit_note=bedrag < 0,
                description=texts["description"],
                payment_reference=texts["payment_reference"],
                source=where,
            )
        )
    return OpenItems(
        rows=tuple(out),
        kind=list_kind(headers, columns),
        only_open_amount=amount_col is None,
        partly_paid=tuple(partly),
        problems=tuple(problems),
        names=names,
    )


def _cell(
    parse: Callable[[object], T | None], value: object, header: str, *, required: bool = False
) -> T | None:
    try:
        got = parse(value)
    except CellError as exc:
        raise CellError(f"kolom '{header}': {exc}") from None
    if got is None and required:
        raise CellError(f"kolom '{header}': leeg")
    return got


def _date_parser() -> Callable[[object], date | None]:
    seen: dict[object, date | None] = {}  # lists repeat dates: parse each text once

    def parse(value: object) -> date | None:
        if value.__class__ is str:
            try:
                return seen[value]
            except KeyError:
                got = seen[value] = to_date(value)
                return got
        return to_date(value)

    return parse


_COMMA_DECIMAL = re.compile(r"\d,\d{1,2}(?:\s*-)?\s*$")
_DOT_DECIMAL = re.compile(r"\d\.\d{1,2}(?:\s*-)?\s*$")
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")


def _amount_parser(values: Sequence[object]) -> Callable[[object], Decimal | None]:
    """One parser per amount column: the decimal separator is the one the column's texts
    use ("1.234,56" or "1,234.56"); a column that never shows it reads as Dutch text does
    (cells.to_amount: "1.234" is twelve hundred and thirty-four)."""
    texts = [v for v in values if isinstance(v, str) and v.strip()]
    comma = any(_COMMA_DECIMAL.search(t) for t in texts)
    dot = any(_DOT_DECIMAL.search(t) for t in texts)
    if dot and not comma:
        group, point = ",", "."
    elif comma and not dot:
        group, point = ".", ","
    else:
        return to_amount

    def parse(value: object) -> Decimal | None:
        if value.__class__ is str:
            text = value.replace(group, "").replace(point, ".").strip()  # type: ignore[attr-defined]
            if _PLAIN.fullmatch(text):
                try:
                    return Decimal(text).quantize(Decimal("0.01"))
                except InvalidOperation:
                    pass
            if not text:
                return None
            return to_amount(value.replace(group, "").replace(point, ","))  # type: ignore[attr-defined]
        return to_amount(value)

    return parse
