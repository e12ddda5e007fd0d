"""Reading a list of open items (CSV or XLSX), as every accounting package exports it with its
own column names, into the import's `IncomingInvoice` rows.

Columns are found by header (core/invoice_import.OPEN_ITEMS_SYNONYMS, Dutch and English; the
header row may be below a title); the CSV's encoding (UTF-8 with or without BOM, UTF-16,
else Windows-1252, per line: adapters/text_encoding), separator (; , tab |) and decimal
separator (per amount column: "1.234,56" or "1,234.56") are detected; dates in the usual
Dutch forms and ISO are read by the workbook reader's own converters
(adapters/workbook/cells.py). When a needed column is missing the message lists the headers
found and the synonyms tried. Rows under the last invoice without customer and invoice date
whose number cell is empty, a total's label or a sentence (the package's totals and notes)
are the list's footer: not read, not reported.
A row of 0 euros ("0,00", "-0", "€ 0") is skipped and named (file, line, column), as an
e-invoice of PayableAmount 0 is; one whose Openstaand is 0 and Bedrag is not is paid in full:
not read, not reported.
A row is named by the line a text editor shows it on (a quoted field may span lines); a
quote that is never closed, which would make the rows after it one field, refuses the file
naming its line.

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
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import islice, repeat
from operator import itemgetter
from typing import Any, cast

from python_calamine import CalamineError, CalamineWorkbook

from addin.adapters.invoices.ubl import InvoiceFileError
from addin.adapters.text_encoding import (
    DecodedText,
    decode_text,
    mixed_warning,
    physical_lines,
    utf16_without_bom,
)
from addin.adapters.workbook.cells import (
    EXCEL_DIGITS,
    MAX_AMOUNT,
    CellError,
    exact_kenmerk,
    shown,
    to_amount,
    to_date,
    to_text,
    too_long_for_excel,
)
from addin.adapters.workbook.panics import held_stderr, is_panic, panic_cell
from addin.adapters.workbook.reader import (
    MAX_CELLS,
    area_text,
    build_records,
    cells_in,
    sheet_extents,
)
from addin.adapters.workbook.xlsx_patch import MAX_TEXT
from addin.core.invoice_import import (
    CURRENCY_HEADERS,
    EURO_TEXTS,
    OPEN_ITEMS_LABELS,
    ColumnMatch,
    IncomingInvoice,
    list_kind,
    match_columns,
    normalise,
)
from addin.core.money import format_eur
from addin.core.texts import dutch_count

__all__ = ["OpenItems", "RowProblem", "cell_text", "read_open_items"]

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
      partly_paid: (invoice, open amount, where: "lijst.csv regel 3") where the list shows
        less open than Bedrag.
      problems: rows skipped, with file, line and column.
      names: Klantnaam per customer text, when the list has a name column.
      code_column: the header of the customer column when it holds codes and the list
        has no name column ("" otherwise): an unknown code there names no customer.
      warnings: Dutch warnings about the file as a whole, to show after its name (the
        lines of a UTF-8 CSV that were read as Windows-1252).
    """

    rows: tuple[IncomingInvoice, ...]
    kind: str
    only_open_amount: bool
    partly_paid: tuple[tuple[str, Decimal, str], ...]
    problems: tuple[RowProblem, ...]
    names: dict[str, str]
    code_column: str = ""
    warnings: tuple[str, ...] = ()


def read_open_items(data: bytes, name: str, *, xlsx: bool = False) -> OpenItems:
    """Read a CSV (or with `xlsx`, a workbook's first sheet that has the columns)."""
    warnings: tuple[str, ...] = ()
    if xlsx:
        tables = _xlsx_tables(data, name)
    else:
        decoded = _decode(data, name)
        tables = [(*_csv_table(decoded.text, name), "regel")]
        if decoded.mixed_lines:
            warnings = (mixed_warning(decoded.mixed_lines),)
    first_failure: str | None = None
    for rows, lines, unit in tables:
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
        items = _read_rows(
            rows,
            at,
            headers,
            dict(match.columns),
            name,
            unit,
            lines[at + 1 :],
            match.customer_by_name,
        )
        return replace(items, warnings=warnings) if warnings else items
    if first_failure:
        raise InvoiceFileError(first_failure)
    raise InvoiceFileError(f"{name}: de lijst is leeg (geen kopjes gevonden).")


# --- the file -------------------------------------------------------------------------------


def _decode(data: bytes, name: str) -> DecodedText:
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or utf16_without_bom(data)
    if b"\x00" in data[:1000] and not utf16:
        raise InvoiceFileError(f"{name}: onbekend formaat (binair bestand, geen CSV of XLSX).")
    # UTF-8, else (Excel's "CSV (gescheiden door lijstscheidingsteken)" on a Dutch Windows)
    # Windows-1252, line by line: one pasted Windows-1252 row keeps the others' accents.
    return decode_text(data)


def _separator(text: str) -> str:
    """The separator the header line uses most (outside quotes)."""
    for line in text.splitlines()[:HEADER_SEARCH_ROWS]:
        unquoted = re.sub(r'"[^"]*"', "", line)
        counts = {sep: unquoted.count(sep) for sep in SEPARATORS}
        best = max(counts, key=lambda s: counts[s])
        if counts[best]:
            return best
    return ";"


def _csv_table(text: str, name: str) -> tuple[list[list[object]], Sequence[int]]:
    """The records of the CSV (see _csv_rows), split by the separator of its first line
    that has one; unless under it no row names every needed column and under another one a
    row does: a title above the header may hold another separator ("Jansen, openstaande
    posten" above "Factuur;Klant;Datum;Bedrag")."""
    first = _separator(text)
    rows, starts = _csv_rows(text, first, name)
    found = _header(rows)
    if found is None or found[2].missing:
        top = "".join(islice(physical_lines(text), HEADER_SEARCH_ROWS))
        for other in SEPARATORS:
            if other == first:
                continue
            try:
                head = _header(list(csv.reader(io.StringIO(top, newline=""), delimiter=other)))
            except csv.Error:  # a field past csv's limit under this separator: not it
                continue
            if head is not None and not head[2].missing:
                return _csv_rows(text, other, name)
    return rows, starts


def _csv_rows(text: str, delimiter: str, name: str) -> tuple[list[list[object]], Sequence[int]]:
    """The records, and the line each starts on as a text editor numbers them: a quoted
    field may span lines (an Omschrijving of three lines), and a message names the line
    the user sees, not the record's count. A quote (") that is never closed refuses the
    file: everything after it would be one field, its rows lost without a word."""
    # The text's lines as they come, not an io.StringIO of it: that copies the whole text at
    # four bytes a character (text_encoding.physical_lines).
    reader = csv.reader(physical_lines(text), delimiter=delimiter)
    try:
        rows: list[list[object]] = list(reader)  # type: ignore[arg-type]
    except csv.Error:
        pass  # read again below, record by record, to name where the bad one starts
    else:
        if reader.line_num == len(rows):  # every record one line (a blank one is [])
            return rows, range(1, len(rows) + 1)
    reader = csv.reader(physical_lines(text), delimiter=delimiter)
    rows, starts = [], []
    start = 1
    try:
        for row in reader:
            rows.append(row)  # type: ignore[arg-type]
            starts.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        if "field limit" not in str(exc):  # the only error csv.reader has for text
            raise InvoiceFileError(f"{name}: geen leesbare CSV op regel {start} ({exc}).") from None
        raise InvoiceFileError(
            f"{name}: geen leesbare CSV: vanaf regel {start} staat een veld van meer dan "
            f"{dutch_count(csv.field_size_limit())} tekens. {_UNCLOSED}"
        ) from None
    _check_quotes(text, delimiter, name, rows, starts, reader.line_num)
    return rows, starts


_UNCLOSED = (
    'Waarschijnlijk wordt daar een aanhalingsteken (") niet gesloten; zet het ontbrekende '
    "aanhalingsteken erbij (of exporteer de lijst opnieuw) en lees de lijst opnieuw in."
)


def _check_quotes(
    text: str,
    delimiter: str,
    name: str,
    rows: Sequence[Sequence[object]],
    starts: Sequence[int],
    end: int,
) -> None:
    """Refuse a record whose quoted field was not closed where it should have been: it runs
    over lines that have a row's separators (three or more; a description of a few lines
    has not), and csv.reader read it only by its leniency: the quote is closed by the next
    row's opening quote (followed by text, not a separator), or not at all before the end
    of the file. The rows it runs over would otherwise be lost without a word."""
    physical: list[str] | None = None
    for k, row in enumerate(rows):
        last = (starts[k + 1] if k + 1 < len(rows) else end + 1) - 1
        if last == starts[k] or not any(
            line.count(delimiter) >= 3 for field in row for line in str(field).splitlines()[1:]
        ):
            continue
        if physical is None:
            physical = list(physical_lines(text))
        raw = "".join(physical[starts[k] - 1 : last])
        try:
            for _ in csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter, strict=True):
                pass
        except csv.Error as exc:
            until = (
                f"het einde van het bestand (regel {last})"
                if "end of data" in str(exc)
                else f"regel {last}"
            )
            raise InvoiceFileError(
                f"{name}: geen leesbare CSV: een veld in de regel die op regel {starts[k]} "
                f"begint, loopt door tot {until}, over regels die er als rijen van de lijst "
                f"uitzien. {_UNCLOSED}"
            ) from None


def _xlsx_tables(
    data: bytes, name: str
) -> list[tuple[Sequence[Sequence[object]], Sequence[int], str]]:
    tables: list[tuple[Sequence[Sequence[object]], Sequence[int], str]] = []
    sheet = ""
    for sheet, area in sheet_extents(io.BytesIO(data)).items():
        if cells_in(area) > MAX_CELLS:  # python-calamine would abort the process
            limit = dutch_count(MAX_CELLS)
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
                tables.append((rows, range(1, len(rows) + 1), f"blad {sheet} rij"))
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


def _header(rows: Sequence[Sequence[object]]) -> tuple[int, list[str], ColumnMatch] | None:
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
    rows: Sequence[Sequence[object]],
    at: int,
    headers: list[str],
    columns: dict[str, int],
    name: str,
    unit: str,
    lines: Sequence[int],
    customer_by_name: bool = False,
) -> OpenItems:
    """The rows below the header, column by column: each column is converted as a whole
    (text stripped in one map, each distinct date text parsed once, amounts checked and
    built in bulk when they are plain), then one pass over the rows puts them together.
    `lines`: the line (or sheet row) of each row below the header, for the messages.
    A bad cell becomes the row's problem (the first bad column, in the order customer,
    date, due date, amount, open amount), as reading row by row would give."""
    width = len(headers)
    body = rows[at + 1 :]
    if body and min(map(len, body)) < width:
        body = [row if len(row) >= width else [*row, *([""] * (width - len(row)))] for row in body]

    def column(what: str) -> list[object] | None:
        col = columns.get(what)
        return None if col is None else list(map(itemgetter(col), body))

    def label(what: str) -> str:
        return headers[columns[what]]

    numbers = _texts(column("number") or [])
    customers = _texts(column("customer") or [])
    errors: dict[int, str] = {}  # row index -> the problem of its first bad cell
    for k, customer in enumerate(customers):
        if not customer:
            errors[k] = f"kolom '{label('customer')}': geen klant"
    for what, noun in _CODES:
        if what in columns:
            _check_codes(column(what) or [], label(what), noun, errors)
    if body and max(map(len, body)) > width:
        # More values than the header has columns (a CSV's; a sheet's rows are as wide as
        # its header): "100,50" without quotes in a list separated by commas is two values,
        # and Bedrag would be 100,00 with the cents in a column without a header. That
        # explains whatever else is wrong with the row, so it is the row's problem.
        for k, row in enumerate(body):
            if len(row) > width and any(map(to_text, row[width:])):
                values = max(i for i, v in enumerate(row) if to_text(v)) + 1
                errors[k] = (
                    f"de regel heeft {values} waarden en de kopregel {width} kolommen: "
                    f"waarschijnlijk staat het scheidingsteken ook in een waarde zonder "
                    f"aanhalingstekens eromheen (zoals 100,50 in een lijst met komma's). Niet "
                    f"ingelezen."
                )
    issues = _dates(column("invoice_date") or [], label("invoice_date"), errors, required=True)
    due_raw = column("due_date")
    dues = _dates(due_raw, label("due_date"), errors) if due_raw is not None else None
    taken = set(columns.values())
    currency_col = next(
        (i for i, h in enumerate(headers) if i not in taken and normalise(h) in CURRENCY_HEADERS),
        None,
    )
    if currency_col is not None:
        # The letters, the QR code and the law count in euros: another currency is not
        # read, as an e-invoice in one is not.
        for k, row in enumerate(body):
            currency = to_text(row[currency_col]).strip()
            if currency.casefold() not in EURO_TEXTS:
                errors.setdefault(
                    k,
                    f"kolom '{headers[currency_col]}': factuur {numbers[k]} is in "
                    f"{currency[:10]}, niet in euro; de brieven, de QR-code en de wet gaan uit "
                    f"van euro's. Niet ingelezen.",
                )
    amount_raw, open_raw = column("amount"), column("open_amount")
    amounts = _amounts(amount_raw, label("amount"), errors) if amount_raw is not None else None
    opens = _amounts(open_raw, label("open_amount"), errors) if open_raw is not None else None
    names_raw = column("customer_name")
    names_texts = _texts(names_raw) if names_raw is not None else None
    texts = {
        what: _texts(raw) if (raw := column(what)) is not None else None
        for what in ("description", "payment_reference")
    }
    descriptions, references = texts["description"], texts["payment_reference"]

    problems: list[RowProblem] = []
    partly: list[tuple[str, Decimal, str]] = []
    names: dict[str, str] = {}
    # Under the last row with a customer and an invoice date, the package's footer: totals
    # and notes are no invoices, and no problems either (they were, on every import).
    # Looked for from the end: a 100,000-row list has a footer of a few rows at most.
    last = next((k for k in range(len(numbers) - 1, -1, -1) if customers[k] and issues[k]), -1)
    footer = {
        k
        for k in range(last + 1, len(numbers))
        if issues[k] is None
        and _footer_label(numbers[k])
        and (not customers[k] or _TOTAL_LABEL.match(customers[k]))
    }
    # A report exported page by page repeats its header row: no invoice, no problem either
    # (its 'Datum' is no date, so it is among the rows with an error).
    number_header, customer_header = label("number"), label("customer")
    footer.update(
        k for k in errors if numbers[k] == number_header and customers[k] == customer_header
    )
    kept: list[int] = []  # the rows that become invoices
    bedrag: list[Decimal] = []  # their Bedrag: the amount, else the open amount
    no_amounts = [None] * len(numbers)
    for k, number, amount, open_amount in zip(
        range(len(numbers)), numbers, amounts or no_amounts, opens or no_amounts, strict=True
    ):
        if not number or k in errors:
            if k in footer:
                continue
            if number:
                problems.append(RowProblem(f"{name} {unit} {lines[k]}", errors[k]))
            elif any(map(to_text, body[k])):
                problems.append(RowProblem(f"{name} {unit} {lines[k]}", "geen factuurnummer"))
            continue
        if amount is None:
            if open_amount is None:
                problems.append(
                    RowProblem(f"{name} {unit} {lines[k]}", "geen bedrag en geen openstaand bedrag")
                )
                continue
            if not open_amount:
                where, header = f"{name} {unit} {lines[k]}", label("open_amount")
                problems.append(_zero(where, header, "open_amount", number))
                continue
            bedrag.append(open_amount)
        else:
            if not amount:
                where, header = f"{name} {unit} {lines[k]}", label("amount")
                problems.append(_zero(where, header, "amount", number, open_amount))
                continue
            if open_amount is not None and open_amount != amount:
                if open_amount == 0:
                    continue  # paid in full: nothing to collect, nothing to import
                partly.append((number, open_amount, f"{name} {unit} {lines[k]}"))
            bedrag.append(amount)
        kept.append(k)
        if names_texts is not None:
            names.setdefault(customers[k], names_texts[k])

    def kept_of(values: list[Any] | None, default: object) -> list[Any]:
        if values is None:
            return [default] * len(kept)
        return values if len(kept) == len(values) else [values[k] for k in kept]

    out = build_records(
        IncomingInvoice,
        {
            "number": kept_of(numbers, ""),
            "issue_date": kept_of(issues, None),
            "amount": bedrag,
            "due_date": kept_of(dues, None),
            "customer_ref": kept_of(customers, ""),
            "credit_note": [b < 0 for b in bedrag],
            "description": kept_of(descriptions, ""),
            "payment_reference": kept_of(references, ""),
            "source": [f"{name} {unit} {lines[k]}" for k in kept],
        },
        len(kept),
    )
    return OpenItems(
        rows=tuple(out),
        kind=list_kind(headers, columns),
        only_open_amount=amount_raw is None,
        partly_paid=tuple(partly),
        problems=tuple(problems),
        names=names,
        code_column="" if names_raw is not None or customer_by_name else label("customer"),
    )


# The columns that hold a code typed as digits, and what the messages call it.
_CODES = (
    ("number", "factuurnummer"),
    ("customer", "klantnummer"),
    ("payment_reference", "betalingskenmerk"),
)


def _check_codes(raw: Sequence[object], header: str, noun: str, errors: dict[int, str]) -> None:
    """A code column of a list saved from Excel (a CSV's cells are all text): a date cell
    is a number Excel took for a date when the list was opened (1-2, 2026-01), and a
    number of 16 digits or more was rounded to Excel's 15; either way the code is no longer
    the package's, so the row is the problem rather than a wrong number in Facturen."""
    for k, value in enumerate(raw):
        if value.__class__ is str:
            continue
        if isinstance(value, date):
            errors.setdefault(
                k,
                f"kolom '{header}': {shown(value)} is een datum, geen {noun}; Excel maakt "
                f"van een {noun} als 1-2 of 2026-01 een datum. Lees de lijst in zoals het "
                f"boekhoudpakket hem maakt (CSV), of zet de kolom in Excel op Tekst en typ "
                f"het {noun} opnieuw. Niet ingelezen.",
            )
        elif too_long_for_excel(value) and not (
            noun == "betalingskenmerk" and exact_kenmerk(value)
        ):
            errors.setdefault(
                k,
                f"kolom '{header}': {shown(value)} staat er als getal van meer dan "
                f"{EXCEL_DIGITS} cijfers, en zo'n getal rondt Excel af: het {noun} klopt niet "
                f"meer. Lees de lijst in zoals het boekhoudpakket hem maakt (CSV), of zet de "
                f"kolom in Excel op Tekst. Niet ingelezen.",
            )


def _zero(
    where: str, header: str, what: str, number: str, open_amount: Decimal | None = None
) -> RowProblem:
    """A row of 0 euros ("0,00", "-0", "€ 0"): nothing to collect, and a Facturen row of
    Bedrag 0 would only stand in the Werklijst as paid. Skipped and named, as an e-invoice
    of PayableAmount 0 is (job._import_ubl). Bedrag 0 with something open is no invoice to
    collect either, but the list contradicts itself: said so, not 'niets te innen'."""
    said = f"kolom '{header}': factuur {number} heeft als {OPEN_ITEMS_LABELS[what]} € 0,00"
    if open_amount:
        return RowProblem(
            where,
            f"{said}, maar als openstaand bedrag {format_eur(open_amount)}; een factuur van "
            f"€ 0,00 wordt niet ingelezen. Controleer de regel in het boekhoudpakket.",
        )
    return RowProblem(where, f"{said}: er valt niets te innen. Niet ingelezen.")


# A totals row's label ("Totaal", "Subtotaal", "Eindtotaal (12 posten)", "Total"); a
# note is a sentence of three words or more (an invoice number is one word).
_TOTAL_LABEL = re.compile(r"^(?:sub|eind)?(?:totaal|totalen|total|totals)\b", re.IGNORECASE)


def _footer_label(number: str) -> bool:
    """The factuurnummer cell of a row under the list: empty, a total's label or a note."""
    return not number or bool(_TOTAL_LABEL.match(number)) or len(number.split()) > 2


def _texts(raw: list[object]) -> list[str]:
    """Each cell as stripped text (cells.to_text), in one C-level map when all are text;
    as a cell can hold it (`cell_text`)."""
    try:
        texts = list(map(str.strip, raw))  # type: ignore[arg-type]
    except TypeError:  # numbers or dates among them (a workbook's list)
        texts = list(map(to_text, raw))
    if _UNSTORABLE.search("".join(texts)) or (texts and max(map(len, texts)) > MAX_TEXT):
        return list(map(cell_text, texts))
    return texts


# What an Excel cell cannot hold (xlsx_patch refuses it, naming a row of Facturen the user
# has not got yet, and nothing is imported): control characters other than tab and line
# breaks, and more than MAX_TEXT characters. The bank import's rule (bank/files.safe_text):
# the blank ones (a vertical tab some packages write for a line break) become a space, the
# rest is removed, and a longer text is cut with a mark. Tabs and line breaks, which a cell
# holds, stay as they were.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_BLANK_CONTROL = re.compile("[\x0b\x0c\x1c-\x1f]")
CUT_MARK = " (ingekort)"


def cell_text(text: str) -> str:
    r"""A list's (or an e-invoice's) text as a cell can hold it.

    >>> cell_text("Levering\x0bmontage\x07")
    'Levering montage'
    """
    text = _UNSTORABLE.sub("", _BLANK_CONTROL.sub(" ", text)).strip()
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - len(CUT_MARK)].rstrip() + CUT_MARK
    return text


class _Bad:
    """A cell that could not be read, with the message for its row."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _dates(
    raw: list[object], header: str, errors: dict[int, str], *, required: bool = False
) -> list[date | None]:
    """The column's dates; a bad (or, when required, empty) cell is recorded in `errors`
    unless its row has an error already. Lists repeat dates: each distinct text is parsed
    once."""
    seen: dict[object, date | _Bad | None] = {}

    def parse(value: object) -> date | _Bad | None:
        try:
            got = to_date(value)
        except CellError as exc:
            return _Bad(f"kolom '{header}': {exc}")
        if got is None and required:
            return _Bad(f"kolom '{header}': leeg")
        return got

    if all(v.__class__ is str for v in set(raw)):
        for value in set(raw):
            seen[value] = parse(value)
        got = list(map(seen.__getitem__, raw))
    else:  # as dict keys True, 1 and 1.0 are one value, but not as cells
        got = list(map(parse, raw))
    if any(v.__class__ is _Bad for v in seen.values()) or not seen:
        for k, value in enumerate(got):
            if value.__class__ is _Bad:
                errors.setdefault(k, value.message)
                got[k] = None
    return got  # type: ignore[return-value]


def _amounts(raw: list[object], header: str, errors: dict[int, str]) -> list[Decimal | None]:
    """The column's amounts (see `_amount_parser`); a bad cell is recorded in `errors`
    unless its row has an error already. A column of plain texts ("1.234,56") is
    normalised, checked and turned into Decimals in bulk."""
    parse, group, point = _amount_parser(raw)
    if group and raw and set(map(type, raw)) == {str}:
        joined = _SEPARATOR.join(raw)  # type: ignore[arg-type]
        if joined.count(_SEPARATOR) == len(raw) - 1:
            plain = list(
                map(str.strip, joined.replace(group, "").replace(point, ".").split(_SEPARATOR))
            )
            if all(map(_PLAIN.fullmatch, plain)):
                try:
                    # Half away from zero, as money.to_cents and so the workbook's reader.
                    bulk = list(
                        map(Decimal.quantize, map(Decimal, plain), repeat(CENT), repeat(HALF_UP))
                    )
                except InvalidOperation:
                    pass  # too many digits for the context: the cell by cell path says which
                else:
                    if not bulk or max(map(abs, bulk)) < MAX_AMOUNT:
                        return cast("list[Decimal | None]", bulk)  # else cell by cell says which
    got: list[Decimal | None] = []
    for k, value in enumerate(raw):
        try:
            got.append(parse(value))
        except CellError as exc:
            errors.setdefault(k, f"kolom '{header}': {exc}")
            got.append(None)
    return got


_COMMA_DECIMAL = re.compile(r"\d,\d{1,2}(?:\s*-)?\s*$")
_DOT_DECIMAL = re.compile(r"\d\.\d{1,2}(?:\s*-)?\s*$")
_PLAIN = re.compile(r"-?\d+(?:\.\d+)?")
# The same two searches over a column's texts joined by _SEPARATOR: a value ends at the
# separator (or at the end), and neither \d nor \s matches the separator.
_COMMA_DECIMAL_COLUMN = re.compile(r"\d,\d{1,2}(?:\s*-)?\s*(?:\x01|\Z)")
_DOT_DECIMAL_COLUMN = re.compile(r"\d\.\d{1,2}(?:\s*-)?\s*(?:\x01|\Z)")
_SEPARATOR = "\x01"  # joins a column's texts; a control character, not in an amount
CENT = Decimal("0.01")
HALF_UP = ROUND_HALF_UP


def _amount_parser(values: Sequence[object]) -> tuple[Callable[[object], Decimal | None], str, str]:
    """One parser per amount column, with its group and decimal separators: the decimal
    separator is the one the column's texts use ("1.234,56" or "1,234.56"); a column that
    never shows it reads as Dutch text does (cells.to_amount: "1.234" is twelve hundred
    and thirty-four), and then the separators are ''."""
    texts = [v for v in values if v.__class__ is str]
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) == max(len(texts) - 1, 0):  # no text holds the separator
        comma = _COMMA_DECIMAL_COLUMN.search(joined) is not None
        dot = _DOT_DECIMAL_COLUMN.search(joined) is not None
    else:
        comma = any(map(_COMMA_DECIMAL.search, texts))
        dot = any(map(_DOT_DECIMAL.search, texts))
    if dot and not comma:
        group, point = ",", "."
    elif comma and not dot:
        group, point = ".", ","
    else:
        return to_amount, "", ""

    def parse(value: object) -> Decimal | None:
        if value.__class__ is str:
            text = value.replace(group, "").replace(point, ".").strip()
            if _PLAIN.fullmatch(text):
                try:
                    amount = Decimal(text).quantize(CENT, rounding=HALF_UP)
                except InvalidOperation:
                    pass
                else:
                    if abs(amount) < MAX_AMOUNT:  # else to_amount says it is too big
                        return amount
            if not text:
                return None
            return to_amount(value.replace(group, "").replace(point, ","))
        return to_amount(value)

    return parse, group, point
