"""The workbook reader: an .xlsx or .xlsm file in, a `Book` and the problems found out.
`read_values` does the same for tables already in memory (the open workbook through xlwings:
the ribbon and the worksheet functions), through the very same conversions and messages.

Tables are found by name (case ignored), columns by header (order free, extra columns
ignored), as DESIGN.md "The workbook contract" promises; a plain range on the sheet of the
same name is read when the table itself is missing. One bad cell never stops the rest: it
becomes a `Problem` pointing at the cell, and the row is skipped only when a required
value is missing or unreadable. Cross-table checks (duplicate invoice numbers, unknown
customers) are the core's job, not the reader's.

Example: a Facturen table whose first data row is Excel row 2 and whose row 14 reads
``2026-017 | K001 | 31-2-2026 | | 1.210,00`` gives no invoice for that row and the problem::

    Problem(CellRef("Facturen", 14, "Factuurdatum"),
            "Facturen!C14: '31-2-2026' is geen bestaande datum; verwacht dag-maand-jaar, "
            "zoals 3-2-2026. Factuurdatum is verplicht: rij overgeslagen.")

Speed: python-calamine parses the XML (in a worker thread, one table ahead); this module
converts column by column, with ``map`` over C-level callables where it can, so reading
costs little more than parsing: 100,000 invoices, 50,000 contacts and 20,000 customers
in about 1.2x the time of calamine's own ``to_python()``.
"""

from __future__ import annotations

import dataclasses
import gc
import re
from collections import deque
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from itertools import repeat
from operator import eq, is_, itemgetter, truediv
from pathlib import Path
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, TablesNotSupported

from addin import schema
from addin.adapters.pathnames import unusable
from addin.adapters.workbook import totals
from addin.adapters.workbook.cells import (
    FIRST_DATE,
    LAST_DATE,
    CellError,
    shown,
    to_amount,
    to_bool,
    to_date,
    to_enum,
    to_ibans,
    to_int,
    to_kvk,
    to_list,
    to_reference,
    to_text,
    to_vat_number,
    to_weekdays,
)
from addin.adapters.workbook.errors import WorkbookError
from addin.adapters.workbook.panics import held_stderr, is_panic, panic_cell
from addin.core.model import (
    Action,
    Agreement,
    AgreementKind,
    Audience,
    Basis,
    Book,
    CellRef,
    Channel,
    Contact,
    ContactPerson,
    Customer,
    CustomerKind,
    Interval,
    Invoice,
    Outcome,
    Payment,
    PaymentStatus,
    Problem,
    Role,
    Segment,
    Settings,
    Special,
    Step,
)
from addin.core.money import ZERO, format_amount
from addin.core.sending import POST_ROUTE, sent_routes
from addin.core.texts import dutch_count
from addin.core.workdays import WEEKDAY_SHORT

# --- field plans ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Field:
    """How one column becomes one record attribute.

    Attributes:
      convert: raw cell -> value; None (or '') for an empty cell; CellError when bad.
      default: the value of an empty cell in an optional column, or of a missing column.
      on_error: the value of a bad cell in an optional column, when not `default`.
      few: the column holds a few distinct texts (choices); each is converted once.
    """

    convert: Callable[[object], Any]
    default: Any = None
    on_error: Any = None
    has_on_error: bool = False
    few: bool = False  # few distinct values (choices): convert each distinct text once


_ROW_LABEL = object()  # default meaning "rij <Excel row>"
# '' or () for an empty cell
_NEVER_NONE = frozenset({to_text, to_reference, to_list, to_ibans, to_kvk, to_vat_number})


def _non_negative(value: object) -> int | None:
    number = to_int(value)
    if number is not None and number < 0:
        raise CellError(f"{number} is negatief; verwacht 0 of meer")
    return number


def _positive(value: object) -> int | None:
    number = to_int(value)
    if number is not None and number < 1:
        raise CellError(f"{number} is te klein; verwacht 1 of meer")
    return number


MAX_PORT = 65535  # TCP: a port number is 16 bits


def _port(value: object) -> int | None:
    number = _positive(value)
    if number is not None and number > MAX_PORT:
        raise CellError(f"{number} is geen poortnummer; verwacht 1 tot en met {MAX_PORT}")
    return number


_LANGUAGES = {"nl": "NL", "nederlands": "NL", "dutch": "NL", "en": "EN", "engels": "EN"}
_LANGUAGES |= {"english": "EN", "uk": "EN", "gb": "EN"}


def _language(value: object) -> str | None:
    text = to_text(value)
    if not text:
        return None
    language = _LANGUAGES.get(text.casefold())
    if language is None:
        raise CellError(f"'{text}' is geen taal; verwacht NL of EN")
    return language


_NONE_WORDS = frozenset({"geen", "nee", "-", "n.v.t.", "nvt"})
_ALL_WORDS = frozenset({"alle", "allen", "iedereen", "*"})


def _special(value: object) -> Special | None:
    if to_text(value).casefold() in _NONE_WORDS:
        return None
    return to_enum(Special, value)


def _segment_or_all(value: object) -> Segment | None:
    if to_text(value).casefold() in _ALL_WORDS:
        return None
    return to_enum(Segment, value)


def _sent(value: object) -> date | None:
    """Contacten.Verzonden: "05-12-2026 11:02 SMTP" as `verstuur` writes it (the day is the
    first word), or a date cell the user typed."""
    if value.__class__ is str:
        words = str(value).split()
        return to_date(words[0]) if words else None
    return to_date(value)


def _sent_note(value: object) -> str:
    """Contacten.Verzonden as text ("05-12-2026 11:02 SMTP; 05-12-2026 14:10 post"), '' for a
    date cell: only text names routes (core.sending.sent_routes)."""
    return value.strip() if isinstance(value, str) else ""


def _posted(value: object) -> date | None:
    """The day of Contacten.Verzonden's "post" part ("...; 05-12-2026 14:10 post"), or None.
    A post part whose day cannot be read ("; post", "; 7-12 post") is a CellError: the
    14-day letter then counts from the e-mail's day, earlier than the post's, and a term
    counted from too early a day voids the letter, so the cell is named (_DERIVED)."""
    if not isinstance(value, str):
        return None
    days = []
    for part in value.split(";"):
        if [r.casefold() for r in sent_routes(part)] != [POST_ROUTE]:
            continue
        first = part.split()[0]
        try:
            day = to_date(first) if first[:1].isdigit() else None
        except CellError:
            day = None
        if day is None:
            raise CellError(
                f"het deel '{part.strip()}' noemt geen dag die te lezen is (een "
                f"veertiendagenbrief telt dan vanaf de eerste dag in Verzonden); zet de dag "
                f"van verzending per post ervoor, zoals '07-12-2026 post'"
            )
        days.append(day)
    return max(days, default=None)


# What cannot stand in a server name: spaces and line breaks (a pasted paragraph, a name
# and its port on two lines) and the marks of an address or a path.
_NOT_IN_HOST = re.compile(r"""[\s\x00-\x1f\x7f/@;,"'<>\\]""")


def _host(value: object) -> str | None:
    """SMTP-server: one server name or address, nothing around it."""
    text = to_text(value)
    if text and _NOT_IN_HOST.search(text):
        raise CellError(f"{shown(value)} is geen servernaam; verwacht bijvoorbeeld smtp.example.nl")
    return text or None


def _one_of(choices: Sequence[str]) -> Callable[[object], str | None]:
    """A setting that is one of a few words, matched without regard to case or spaces."""
    by_key = {schema.normalise_header(c): c for c in choices}

    def convert(value: object) -> str | None:
        text = to_text(value)
        if not text:
            return None
        found = by_key.get(schema.normalise_header(text))
        if found is None:
            raise CellError(f"'{text}' is geen keuze; verwacht {' / '.join(choices)}")
        return found

    return convert


def _choice(enum_cls: type[Any], default: Any = None) -> _Field:
    return _Field(partial(to_enum, enum_cls), default, few=True)


_TEXT = _Field(to_text, "")
_DATE = _Field(to_date)
_AMOUNT = _Field(to_amount)
_LIST = _Field(to_list, ())

# Each plan names every non-formula column of its schema table (a test checks this).
_INVOICE_FIELDS: Mapping[str, _Field] = {
    "number": _TEXT,
    "customer": _TEXT,
    "invoice_date": _DATE,
    "due_date": _DATE,
    "amount": _AMOUNT,
    "paid": _Field(to_amount, ZERO),
    "description": _TEXT,
    "payment_reference": _Field(to_reference, ""),
    "pdf": _TEXT,
    "payment_link": _TEXT,
    "dispute": _TEXT,
    "own_action": _TEXT,
    "own_action_date": _DATE,
}

_CUSTOMER_FIELDS: Mapping[str, _Field] = {
    "number": _TEXT,
    "name": _TEXT,
    "kind": _choice(CustomerKind, CustomerKind.BUSINESS),
    "address": _TEXT,
    "postcode": _TEXT,
    "city": _TEXT,
    "country": _TEXT,
    "kvk": _Field(to_kvk, ""),
    "vat_number": _Field(to_vat_number, ""),
    "email": _TEXT,
    "phone": _TEXT,
    "term_days": _Field(_non_negative, few=True),
    "owner": _TEXT,
    # A value nobody can read must not send letters unseen: personal review (PLAYBOOK W4).
    "automatic": _Field(to_bool, True, on_error=False, has_on_error=True, few=True),
    "language": _Field(_language, "NL", few=True),
    "ibans": _Field(to_ibans, ()),
    "segment": _choice(Segment),
    "special": _Field(_special, few=True),
    "notes": _TEXT,
}

_CONTACT_PERSON_FIELDS: Mapping[str, _Field] = {
    "customer": _TEXT,
    "name": _TEXT,
    "role": _choice(Role, Role.OTHER),
    "phone": _TEXT,
    "email": _TEXT,
}

_AGREEMENT_FIELDS: Mapping[str, _Field] = {
    "id": _Field(to_text, _ROW_LABEL),
    "customer": _TEXT,
    "invoices": _LIST,
    "kind": _choice(AgreementKind),
    "agreed_on": _DATE,
    "amount": _AMOUNT,
    "first_date": _DATE,
    "instalments": _Field(_positive, 1, few=True),
    "instalment_amount": _AMOUNT,
    "interval": _choice(Interval, Interval.MONTH),
    "confirmation_sent": _DATE,
    "signed_returned": _Field(to_bool, False, few=True),
    "notes": _TEXT,
}

_CONTACT_FIELDS: Mapping[str, _Field] = {
    "date": _DATE,
    "customer": _TEXT,
    "invoices": _LIST,
    "channel": _choice(Channel),
    "person": _TEXT,
    "goal": _TEXT,
    "outcome": _choice(Outcome),
    "follow_up": _DATE,
    "by": _TEXT,
    "step": _TEXT,
    "document": _TEXT,
    # Unreadable but filled: sent on an unknown day, never sent again (date.min, see model).
    "sent": _Field(_sent, None, on_error=date.min, has_on_error=True),
}

# Attributes read from a column another attribute owns: table -> (attribute, the owning
# attribute, convert). The owner's field reports a bad cell; a convert may raise a CellError
# of its own (the attribute is then None), named on the owner's cell.
_DERIVED: Mapping[str, tuple[tuple[str, str, Callable[[object], Any]], ...]] = {
    schema.CONTACTEN.name: (("sent_note", "sent", _sent_note), ("posted", "sent", _posted)),
}

_PAYMENT_FIELDS: Mapping[str, _Field] = {
    "date": _DATE,
    "amount": _AMOUNT,
    "invoice": _TEXT,
    "customer": _TEXT,
    "counter_account": _TEXT,
    "name": _TEXT,
    "description": _TEXT,
    "reference": _TEXT,
    "rule": _TEXT,
    "status": _choice(PaymentStatus),
    "source": _TEXT,
    "key": _TEXT,
}

_STEP_FIELDS: Mapping[str, _Field] = {
    "name": _TEXT,
    "days": _Field(to_int, few=True),
    "basis": _choice(Basis),
    "action": _choice(Action),
    "channel": _choice(Channel),
    "template": _TEXT,
    "audience": _choice(Audience, Audience.ALL),
    "segment": _Field(_segment_or_all, few=True),
}

# (table, record class, plan, Book attribute)
_RECORD_TABLES: tuple[tuple[schema.TableSpec, type[Any], Mapping[str, _Field], str], ...] = (
    (schema.FACTUREN, Invoice, _INVOICE_FIELDS, "invoices"),
    (schema.KLANTEN, Customer, _CUSTOMER_FIELDS, "customers"),
    (schema.CONTACTPERSONEN, ContactPerson, _CONTACT_PERSON_FIELDS, "contact_persons"),
    (schema.AFSPRAKEN, Agreement, _AGREEMENT_FIELDS, "agreements"),
    (schema.CONTACTEN, Contact, _CONTACT_FIELDS, "contacts"),
    (schema.BETALINGEN, Payment, _PAYMENT_FIELDS, "payments"),
    (schema.STAPPEN, Step, _STEP_FIELDS, "steps"),
)

# The order problems are reported in, table by table (and read_values reads in).
_REPORT_ORDER = (
    schema.FACTUREN,
    schema.CONTACTEN,
    schema.KLANTEN,
    schema.BETALINGEN,
    schema.AFSPRAKEN,
    schema.CONTACTPERSONEN,
    schema.STAPPEN,
    schema.INSTELLINGEN,
)
# Parsing the next table (in a thread, without the GIL) overlaps converting this one, so
# the tables go from the biggest to the smallest: the conversion left after the last parse,
# which nothing overlaps, is then a small table's (with Betalingen last it was about 0.3 s
# at 100,000 invoices).
_READING_ORDER = (
    schema.FACTUREN,
    schema.BETALINGEN,
    schema.CONTACTEN,
    schema.KLANTEN,
    schema.CONTACTPERSONEN,
    schema.AFSPRAKEN,
    schema.STAPPEN,
    schema.INSTELLINGEN,
)

# Without these the plan is meaningless, so their absence is reported; the others are
# simply empty (Stappen: the engine's default ladder; Instellingen: the defaults).
_TABLES_MISSED = frozenset({schema.FACTUREN.name, schema.KLANTEN.name})

_SETTING_CONVERTERS: Mapping[str, Callable[[object], Any]] = {
    "default_term_days": _non_negative,
    "call_days": to_weekdays,
    "own_accounts": to_ibans,
    "crisis_mode": to_bool,
    "max_call_attempts": _positive,  # 0 would make a call row done before any call
    "max_instalments": _positive,
    "min_instalment": to_amount,
    "min_reminder_amount": to_amount,
    "vat_on_collection_costs": to_bool,
    "bank_max_age_days": _non_negative,
    "thank_good_payers": to_bool,
    "bundle_days": _non_negative,
    "worklist_days_ahead": _non_negative,
    "send_via": _one_of(schema.SEND_VIA),
    "smtp_server": _host,
    "smtp_port": _port,
    "smtp_security": _one_of(schema.SMTP_SECURITY),
    "max_mails_per_minute": _positive,
    "bcc_self": to_bool,
}


# --- the workbook ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Range:
    """A table's cells as read: headers, data rows, and where the first data cell sits."""

    sheet: str
    name: str
    headers: Sequence[object]
    rows: list[list[Any]]
    first_row: int  # Excel row number of rows[0]
    first_col: int  # zero-based column index of headers[0]
    plain: bool = False  # a plain range found by its headers, not an Excel table


def read_book(
    path: str | Path,
    tables: Collection[schema.TableSpec] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[Book, tuple[Problem, ...]]:
    """Read every table of the workbook contract, or only `tables` (the Book's other parts
    stay empty and their sheets are not parsed: the invoice import needs three of eight);
    raise WorkbookError if the file is unusable.

    `meanwhile`, if given, is called while python-calamine parses the first table, when this
    thread would only wait: a command's own imports (the engine, the report code) then cost
    it no time."""
    path = Path(path)
    with held_stderr():  # a Rust panic's report never reaches the screen
        return _read_book(path, tables, meanwhile)


def _read_book(
    path: Path,
    tables: Collection[schema.TableSpec] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[Book, tuple[Problem, ...]]:
    specs = tuple(s for s in _READING_ORDER if tables is None or s in tables)
    if not specs:
        raise ValueError("read_book: no table of the workbook contract asked for")
    workbook = _open(path)
    package = _package_facts(path, None if tables is None else specs)
    found_problems: dict[str, list[Problem]] = {
        spec.name: [] for spec in _REPORT_ORDER if spec in specs
    }
    parts: dict[str, Any] = {}
    # Hundreds of thousands of new objects and no cycles among them: the cyclic collector
    # would only rescan them again and again (it doubled the reading time).
    collecting = gc.isenabled()
    gc.disable()
    # python-calamine parses a table's XML without holding the GIL, so one thread parses
    # the next table while this one converts the current; one table ahead bounds memory.
    # While the pool runs, only its thread calls the workbook.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="werkmap")
    try:
        pending = pool.submit(_find, workbook, specs[0], package)
        if meanwhile is not None:
            meanwhile()
        for i, spec in enumerate(specs):
            found = pending.result()
            if i + 1 < len(specs):
                pending = pool.submit(_find, workbook, specs[i + 1], package)
            _read_table(spec, found, parts, found_problems[spec.name])
    except CalamineError as err:
        raise WorkbookError(
            f"De werkmap '{path}' is beschadigd en kan niet gelezen worden ({err}); "
            f"open hem in Excel en sla hem opnieuw op."
        ) from err
    except BaseException as err:
        # python-calamine turns a Rust panic into PanicException (a BaseException): a damaged
        # part it did not expect. _find avoids or locates the known ones; this is the last
        # resort.
        if not is_panic(err):
            raise
        raise WorkbookError(
            f"De werkmap '{path}' is beschadigd en kan niet gelezen worden ({err}); "
            f"open hem in Excel en sla hem opnieuw op."
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        workbook.close()
        if collecting:
            gc.enable()
    return Book(**parts), tuple(p for table in found_problems.values() for p in table)


def _read_table(
    spec: schema.TableSpec, found: _Range | None, parts: dict[str, Any], problems: list[Problem]
) -> None:
    """Convert one found table into `parts` (Book keyword arguments); shared by both readers."""
    if found is not None and found.plain:
        parts["plain_ranges"] = parts.get("plain_ranges", frozenset()) | {
            (spec.name, found.first_row - 1)
        }
    if found is None:
        if spec.name in _TABLES_MISSED:
            problems.append(_missing_table(spec))
    elif spec is schema.INSTELLINGEN:
        parts["settings"], found_problems = _read_settings(found)
        problems.extend(found_problems)
    else:
        cls, plan, attribute = _PLANS[spec.name]
        parts[attribute], found_problems, skipped = _read_records(found, spec, cls, plan)
        problems.extend(found_problems)
        if skipped and spec in (schema.KLANTEN, schema.FACTUREN):
            parts["skipped"] = parts.get("skipped", frozenset()) | {
                (spec.name, number) for number in skipped
            }
        have = {schema.normalise_header(h) for h in found.headers}
        absent = {
            (spec.name, c.header)
            for c in spec.columns
            if not (c.required or c.formula) and schema.normalise_header(c.header) not in have
        }
        if absent:
            parts["absent_columns"] = parts.get("absent_columns", frozenset()) | absent


_PLANS = {spec.name: (cls, plan, attribute) for spec, cls, plan, attribute in _RECORD_TABLES}


# --- values from a live workbook ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a block of values sits in the workbook, so that problems name the real cells.

    Attributes:
      sheet: the sheet the values are on.
      row: the Excel row (1-based) of the first row of values: the header row of a table.
      column: the Excel column (1 = A) of the first value.
      plain: the values are a sheet's used range, not a table: the header row is searched
        in its first rows (a title above it is common), as `read_book` does on a file.
    """

    sheet: str
    row: int = 1
    column: int = 1
    plain: bool = False


def read_values(
    tables: Mapping[str, Sequence[Sequence[object]]],
    origins: Mapping[str, Origin] | None = None,
) -> tuple[Book, tuple[Problem, ...]]:
    """A Book from table values held in memory, as Excel gives them through xlwings.

    `tables` maps a table name of the contract (``tblFacturen``; case ignored) to its rows,
    the header row first: ``book.sheets["Facturen"].tables["tblFacturen"].range.value``.
    Cells arrive as xlwings passes them: None for empty, floats for numbers, datetimes for
    dates, bools, text; they go through the same conversions and problem messages as
    `read_book`, so a file and the open workbook give the same Book. `origins` (same keys)
    says where each block sits; without it a table is taken to be on the sheet of the
    contract with its header in row 1 (so a problem in the first data row names row 2).

    Example: ``{"tblKlanten": [["Klantnummer", "Naam"], ["K001", "Bakkerij Jansen"]]}`` gives
    one customer and the problem "Tabel tblFacturen ontbreekt ...".
    """
    named = {name.casefold(): values for name, values in tables.items()}
    placed = {name.casefold(): origin for name, origin in (origins or {}).items()}
    problems: list[Problem] = []
    parts: dict[str, Any] = {}
    collecting = gc.isenabled()
    gc.disable()  # as in read_book: many new objects, no cycles
    try:
        for spec in _REPORT_ORDER:
            key = spec.name.casefold()
            values = named.get(key)
            found = None if values is None else _values_range(spec, values, placed.get(key))
            _read_table(spec, found, parts, problems)
    finally:
        if collecting:
            gc.enable()
    return Book(**parts), tuple(problems)


def _values_range(
    spec: schema.TableSpec, values: Sequence[Sequence[object]], origin: Origin | None
) -> _Range | None:
    """The values as a `_Range`: None becomes '' (what calamine gives for an empty cell)."""
    if origin is None:
        origin = Origin(spec.sheet)
    if values and not isinstance(values[0], list | tuple):  # one row, xlwings' 1-D form
        values = [values]
    width = max(map(len, values), default=0)
    cells = [
        [("" if value is None else value) for value in row] + [""] * (width - len(row))
        for row in values
    ]
    if not cells or not width:
        return None
    if origin.plain:
        return _header_range(origin.sheet, cells, origin.row - 1, origin.column - 1, spec)
    return _Range(origin.sheet, spec.name, cells[0], cells[1:], origin.row + 1, origin.column - 1)


def _open(path: Path) -> CalamineWorkbook:
    trouble = unusable(path)
    if trouble is not None:  # is_file() below would raise it (a name over 255 bytes)
        raise WorkbookError(f"De werkmap '{path}' kan niet worden geopend: {trouble}.")
    if not path.is_file():
        if path.is_dir():
            raise WorkbookError(f"'{path}' is een map, geen werkmap; geef het pad van de .xlsm.")
        if path.exists():
            raise WorkbookError(
                f"'{path}' is geen gewoon bestand (maar bijvoorbeeld een apparaat of een pipe), "
                "dus geen werkmap; geef het pad van de .xlsm."
            )
        raise WorkbookError(f"De werkmap '{path}' bestaat niet; controleer het pad.")
    try:
        try:
            return CalamineWorkbook.from_path(str(path), load_tables=True)
        except TablesNotSupported:  # .xls / .ods: read the plain ranges instead
            return CalamineWorkbook.from_path(str(path))
    except PermissionError:
        raise WorkbookError(
            f"De werkmap '{path}' kan niet gelezen worden: geen toegang. "
            f"Is hij in een ander programma geopend of afgeschermd?"
        ) from None
    except PasswordError:
        raise WorkbookError(_protected(path)) from None
    except (CalamineError, OSError, ValueError) as err:
        if _is_ole_file(path):
            raise WorkbookError(_protected(path)) from None
        raise WorkbookError(
            f"De werkmap '{path}' is geen geldig Excel-bestand (.xlsx of .xlsm) of is "
            f"beschadigd; open hem in Excel en sla hem opnieuw op (technische melding: {err})."
        ) from None


def _protected(path: Path) -> str:
    return (
        f"De werkmap '{path}' is met een wachtwoord beveiligd (of een oud .xls-bestand); "
        f"sla hem op zonder wachtwoord als .xlsm of .xlsx."
    )


def _is_ole_file(path: Path) -> bool:
    # Excel encrypts password-protected workbooks into an OLE compound file, not a zip.
    try:
        with path.open("rb") as file:
            return file.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    except OSError:
        return False


def _find(
    workbook: CalamineWorkbook, spec: schema.TableSpec, package: _Package | None = None
) -> _Range | None:
    """The table by name, else a plain range with the table's headers on its sheet."""
    package = package or _Package({})
    try:
        table_names = workbook.table_names
    except CalamineError:  # no table support for this file type
        table_names = []
    wanted = spec.name.casefold()
    for name in table_names or ():
        if name.casefold() == wanted:
            ref = package.table_refs.get(wanted)
            if ref is not None and ref[0] >= ref[2]:
                # Only the header row (ref="A1:N1"): python-calamine panics on that range
                # ("invalid range bounds"), and there are no rows to read anyway.
                return _Range(spec.sheet, name, [c.header for c in spec.columns], [], ref[0] + 2, 0)
            _oversized(workbook.path, package, package.table_sheets.get(wanted, ""), name)
            table = workbook.get_table_by_name(name)
            row, col = table.start  # type: ignore[misc]  # a found table has a start
            try:
                rows = table.to_python()
            except BaseException as err:
                if not is_panic(err):
                    raise
                raise _panic_error(workbook, table.sheet, err, col, table.columns) from None
            found = _Range(table.sheet, name, table.columns, rows, row + 1, col)
            return _with_errors(found, package)
    for sheet_name in workbook.sheet_names:
        if sheet_name.casefold() == spec.sheet.casefold():
            _oversized(workbook.path, package, sheet_name)
            try:
                found_plain = _plain_range(workbook, sheet_name, spec)
                if found_plain is not None:
                    found_plain = _without_totals(found_plain, workbook.path, spec)
            except BaseException as err:
                if not is_panic(err):
                    raise
                raise _panic_error(workbook, sheet_name, err) from None
            return None if found_plain is None else _with_errors(found_plain, package)
    return None


def _panic_error(
    workbook: CalamineWorkbook,
    sheet: str,
    err: BaseException,
    first_col: int = 0,
    headers: Sequence[str] = (),
) -> WorkbookError:
    """The message for a python-calamine panic while reading `sheet`: the cell, if found."""
    path = workbook.path or "?"
    cell = panic_cell(path, sheet) if workbook.path else None
    if cell is None:
        return WorkbookError(
            f"De werkmap '{path}' kan niet gelezen worden: blad '{sheet}' bevat een waarde die "
            f"niet omgezet kan worden ({err}), waarschijnlijk een getal in een cel die als datum "
            f"is opgemaakt. Zoek de cel, zet er een datum in of maak hem leeg, en sla de werkmap "
            f"opnieuw op."
        )
    at = cell.column - first_col
    header = headers[at] if 0 <= at < len(headers) else ""
    return WorkbookError(
        f"De werkmap '{path}' kan niet gelezen worden: blad '{sheet}', rij {cell.row}, kolom "
        f"{header or cell.letters} (cel {cell.letters}{cell.row}) bevat {cell.value}, een getal "
        f"dat als datum is opgemaakt maar geen datum kan zijn; verwacht een datum tussen "
        f"1-3-1900 en 31-12-2199. Zet er de goede datum in of maak de cel leeg, en sla de "
        f"werkmap opnieuw op."
    )


# --- what python-calamine does not say: table ranges and error cells ------------------------


@dataclass(frozen=True, slots=True)
class _Package:
    """Facts read from the .xlsx package itself.

    Attributes:
      table_refs: table name (case folded) -> (first row, first column, last row, last
        column), zero-based, from the table part's ref; an unreadable ref is left out.
      errors: sheet name -> {(row, column): "#DIV/0!"}, zero-based, for every error cell
        (t="e"); python-calamine gives those as empty cells.
      extents: sheet name -> the sheet's used range as its <dimension ref> says, zero-based
        like table_refs.
      table_sheets: table name (case folded) -> the sheet that holds it.
    """

    table_refs: dict[str, tuple[int, int, int, int]]
    errors: Future[dict[str, dict[tuple[int, int], str]]] | None = None
    extents: dict[str, tuple[int, int, int, int]] = dataclasses.field(default_factory=dict)
    table_sheets: dict[str, str] = dataclasses.field(default_factory=dict)


# python-calamine holds a sheet (and a table) as one block of rows x columns cells of 32
# bytes, however few are filled: one value in XFD1048576 asks 550 GB and the process
# aborts (no exception, no message). Beyond this many cells the reader refuses instead;
# Facturen at Excel's full height (1,048,576 rows of 16 columns) is 17 million.
MAX_CELLS = 25_000_000


_REF = re.compile(rb'\bref="([A-Z]{1,3})([0-9]{1,7})(?::([A-Z]{1,3})([0-9]{1,7}))?"')
_NAMES = re.compile(rb'\b(?:name|displayName)="([^"]*)"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_ERROR_VALUE = re.compile(rb"<v>([^<]{1,20})</v>")


def _package_facts(path: Path, specs: Sequence[schema.TableSpec] | None = None) -> _Package:
    """Table ranges and error cells (of the sheets that hold `specs`' tables, or of every
    sheet); empty when the file is not a readable zip (python-calamine reported that
    already, or reads another format)."""
    import zipfile
    from xml.sax.saxutils import unescape

    refs: dict[str, tuple[int, int, int, int]] = {}
    table_sheets: dict[str, str] = {}
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            parts = sheet_parts(package, names)
            extents = _extents(package, parts)
            holders = _table_holders(package, names, parts)
            for member in names:
                if member.startswith("xl/tables/") and member.endswith(".xml"):
                    head = package.read(member)[:4096]
                    ref = _REF.search(head)
                    if ref is None:
                        continue
                    for name in _NAMES.findall(head):
                        text = unescape(name.decode("utf-8", "replace"), {"&quot;": '"'})
                        refs[text.casefold()] = _area(ref)
                        if member in holders:
                            table_sheets[text.casefold()] = holders[member]
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, RuntimeError):
        return _Package(refs)
    sheets = None
    if specs is not None:  # the sheet of each table, or of its plain range
        sheets = {table_sheets.get(s.name.casefold(), s.sheet).casefold() for s in specs}
        sheets |= {s.sheet.casefold() for s in specs}
    # The error scan inflates every sheet: in its own thread (zlib works without the GIL),
    # while python-calamine parses the first tables.
    return _Package(refs, _SCANNER.submit(_error_cells, path, sheets), extents, table_sheets)


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*>")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")


def _area(ref: re.Match[bytes]) -> tuple[int, int, int, int]:
    """A matched ref="A1:N5" as zero-based (first row, first column, last row, last column)."""
    first = (int(ref[2]) - 1, totals.column_index(ref[1].decode()))
    last = (int(ref[4]) - 1, totals.column_index(ref[3].decode())) if ref[3] else first
    return (*first, *last)


def _extents(package: Any, parts: Mapping[str, str]) -> dict[str, tuple[int, int, int, int]]:
    """Sheet name -> its <dimension ref>, read from the first few kilobytes of each sheet."""
    extents = {}
    for sheet, member in parts.items():
        with package.open(member) as stream:
            head = stream.read(16384)
        tag = _DIMENSION.search(head)
        ref = _REF.search(tag[0]) if tag else None
        if ref is not None:
            extents[sheet] = _area(ref)
    return extents


def sheet_extents(source: Any) -> dict[str, tuple[int, int, int, int]]:
    """`_extents` of a workbook file (a path or a binary file object); {} if unreadable."""
    import zipfile

    try:
        with zipfile.ZipFile(source) as package:
            return _extents(package, sheet_parts(package, set(package.namelist())))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, RuntimeError):
        return {}


def _table_holders(package: Any, names: set[str], parts: Mapping[str, str]) -> dict[str, str]:
    """Table part -> the name of the sheet whose relationships point to it."""
    import posixpath

    holders = {}
    for sheet, member in parts.items():
        folder, base = posixpath.split(member)
        rels = f"{folder}/_rels/{base}.rels"
        if rels not in names:
            continue
        for tag in _RELATIONSHIP.findall(package.read(rels)):
            attrs = dict(_ATTR.findall(tag))
            if attrs.get(b"Type", b"").endswith(b"/table"):
                target = attrs.get(b"Target", b"").decode("utf-8", "replace")
                if target.startswith("/"):
                    holders[target.lstrip("/")] = sheet
                else:
                    holders[posixpath.normpath(posixpath.join(folder, target))] = sheet
    return holders


def cells_in(area: tuple[int, int, int, int]) -> int:
    """The number of cells of a zero-based area (rows x columns)."""
    first_row, first_col, last_row, last_col = area
    return (abs(last_row - first_row) + 1) * (abs(last_col - first_col) + 1)


def area_text(area: tuple[int, int, int, int]) -> str:
    """A zero-based area as Excel writes it: (0, 0, 4, 13) -> "A1:N5"."""
    first_row, first_col, last_row, last_col = area
    return f"{_column_letter(first_col)}{first_row + 1}:{_column_letter(last_col)}{last_row + 1}"


def _oversized(path: object, package: _Package, sheet: str, table: str = "") -> None:
    """Raise WorkbookError when python-calamine would need more than MAX_CELLS for `sheet`
    (or for `table` on it): it would abort the process instead of raising."""
    limit = dutch_count(MAX_CELLS)
    extent = package.extents.get(sheet)
    if extent is not None and cells_in(extent) > MAX_CELLS:
        raise WorkbookError(
            f"De werkmap '{path}' kan niet gelezen worden: blad '{sheet}' beslaat volgens het "
            f"bestand {area_text(extent)}, meer dan {limit} cellen. Waarschijnlijk staat "
            f"er iets in een cel ver buiten de gegevens (Ctrl+End in Excel springt erheen): "
            f"verwijder die rijen of kolommen en sla de werkmap opnieuw op."
        )
    area = package.table_refs.get(table.casefold()) if table else None
    if area is not None and cells_in(area) > MAX_CELLS:
        raise WorkbookError(
            f"De werkmap '{path}' kan niet gelezen worden: tabel '{table}' op blad '{sheet}' "
            f"beslaat {area_text(area)}, meer dan {limit} cellen. Maak het bereik van de tabel "
            f"kleiner (Tabelontwerp > Formaat van tabel wijzigen) en sla de werkmap opnieuw op."
        )


_SCANNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="foutcellen")


def _error_cells(
    path: Path, sheets: Collection[str] | None = None
) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet name -> its error cells, for every sheet or the `sheets` named (case folded)."""
    import zipfile

    errors: dict[str, dict[tuple[int, int], str]] = {}
    try:
        with zipfile.ZipFile(path) as package:
            for sheet, member in sheet_parts(package, set(package.namelist())).items():
                if sheets is not None and sheet.casefold() not in sheets:
                    continue
                found = _errors_in(package, member)
                if found:
                    errors[sheet] = found
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, RuntimeError):
        pass
    return errors


def sheet_parts(package: Any, names: set[str]) -> dict[str, str]:
    """Sheet name -> its worksheet part, from workbook.xml and its relationships."""
    from xml.sax.saxutils import unescape

    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    targets: dict[bytes, str] = {}
    for tag in re.findall(rb"<Relationship\b[^>]*>", package.read("xl/_rels/workbook.xml.rels")):
        attrs = dict(_ATTR.findall(tag))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[attrs.get(b"Id", b"")] = target
    parts = {}
    for tag in _SHEET.findall(package.read("xl/workbook.xml")):
        attrs = dict(_ATTR.findall(tag))
        rid = next((v for k, v in attrs.items() if k.endswith(b":id")), b"")
        name = unescape(attrs.get(b"name", b"").decode("utf-8", "replace"), {"&quot;": '"'})
        if targets.get(rid) in names:
            parts[name] = targets[rid]
    return parts


def _errors_in(package: Any, member: str) -> dict[tuple[int, int], str]:
    """Error cells of one worksheet part, streamed: only the rare t="e" cells are parsed."""
    found: dict[tuple[int, int], str] = {}
    tail = b""
    with package.open(member) as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            pos = data.find(b't="e"')
            while pos >= 0:
                start = data.rfind(b"<c ", 0, pos)
                end = data.find(b"</c>", pos)
                if start < 0 or end < 0:
                    break  # the cell continues in the next chunk: the tail keeps it
                ref = _CELL_REF.search(data, start, pos)
                value = _ERROR_VALUE.search(data, pos, end)
                if ref is not None:
                    code = value[1].decode("utf-8", "replace") if value else "#FOUT"
                    found[(int(ref[2]) - 1, totals.column_index(ref[1].decode()))] = code
                pos = data.find(b't="e"', end)
            tail = data[-512:]
    return found


def _with_errors(found: _Range, package: _Package) -> _Range:
    """Error cells in the range as their code ("#DIV/0!") instead of empty: every column's
    converter then reports them (no date or amount reads "#N/A"), with sheet, row, column."""
    errors = package.errors.result().get(found.sheet) if package.errors else None
    if not errors:
        return found
    top, left = found.first_row - 1, found.first_col  # zero-based row of rows[0]
    for (row, col), code in errors.items():
        i, j = row - top, col - left
        if 0 <= i < len(found.rows) and 0 <= j < len(found.rows[i]) and found.rows[i][j] == "":
            found.rows[i][j] = code
    return found


_HEADER_SEARCH_ROWS = 10  # a title or a note above the headers is common


def _plain_range(
    workbook: CalamineWorkbook, sheet_name: str, spec: schema.TableSpec
) -> _Range | None:
    sheet = workbook.get_sheet_by_name(sheet_name)
    cells = sheet.to_python()
    if sheet.start is None or not cells:
        return None
    top, left = sheet.start
    return _header_range(sheet_name, cells, top, left, spec)


def _header_range(
    sheet_name: str, cells: list[list[Any]], top: int, left: int, spec: schema.TableSpec
) -> _Range | None:
    """The rows below the first row (of the first few) that holds every required header.

    `top` and `left` are the zero-based row and column of cells[0][0].
    """
    offset = header_offset(cells, spec)
    if offset is None:
        return None
    return _Range(
        sheet_name, sheet_name, cells[offset], cells[offset + 1 :], top + offset + 2, left, True
    )


def header_offset(rows: Sequence[Sequence[object]], spec: schema.TableSpec) -> int | None:
    """The index of the first of the first _HEADER_SEARCH_ROWS `rows` that holds every
    required header of `spec` (a plain range's header row), or None: the one search of the
    file reader and of the live read in Excel (adapters/excel/live.py)."""
    required = {schema.normalise_header(c.header) for c in spec.columns if c.required}
    return next(
        (
            offset
            for offset, row in enumerate(rows[:_HEADER_SEARCH_ROWS])
            if required <= {schema.normalise_header(cell) for cell in row}
        ),
        None,
    )


def _without_totals(found: _Range, path: str | None, spec: schema.TableSpec) -> _Range:
    """The plain range without the total rows under it ("Totaal" and =SUM(...) under the
    invoices: totals.py), their formulas read from the worksheet part."""
    if path is None:
        return found
    key = key_column(found.headers, spec)
    keep = totals.data_rows(
        found.rows,
        found.first_row,
        found.first_col,
        key,
        lambda numbers: _row_formulas(Path(path), found.sheet, numbers),
    )
    if keep == len(found.rows):
        return found
    return _Range(
        found.sheet,
        found.name,
        found.headers,
        found.rows[:keep],
        found.first_row,
        found.first_col,
        True,
    )


def key_column(headers: Sequence[object], spec: schema.TableSpec) -> int:
    """The index of the table's first required column among `headers` (0 if absent)."""
    wanted = schema.normalise_header(next((c.header for c in spec.columns if c.required), ""))
    return next((k for k, h in enumerate(headers) if schema.normalise_header(h) == wanted), 0)


_ROW_TAG = re.compile(rb"<(?:[\w.-]+:)?row(?=\s)[^>]*>")


def _row_start(xml: bytes, number: int) -> re.Match[bytes] | None:
    """The start tag of row `number`, searched from the end (the last rows are asked
    for): a regular expression over a 57 MB sheet took 0.16 s, this a few microseconds."""
    needle, end = b' r="%d"' % number, len(xml)  # a cell's r has letters: only rows match
    while (at := xml.rfind(needle, 0, end)) >= 0:
        tag = _ROW_TAG.match(xml, xml.rfind(b"<", 0, at))
        if tag is not None and tag.end() > at:
            return tag
        end = at
    return None


_ROW_CELL = re.compile(rb"<(?:[\w.-]+:)?c(?=[\s/>])([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?c>)", re.S)


def _row_formulas(path: Path, sheet: str, numbers: Collection[int]) -> dict[tuple[int, int], str]:
    """(sheet row, zero-based column) -> formula of the cells with one in rows `numbers` of
    `sheet`; {} when the file is no readable zip (another format: no total rows then)."""
    import zipfile

    found: dict[tuple[int, int], str] = {}
    try:
        with zipfile.ZipFile(path) as package:
            member = sheet_parts(package, set(package.namelist())).get(sheet)
            if member is None:
                return found
            xml = package.read(member)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, RuntimeError):
        return found
    for number in numbers:
        head = _row_start(xml, number)
        if head is None or head.group(0).endswith(b"/>"):
            continue
        end = re.compile(rb"</(?:[\w.-]+:)?row>").search(xml, head.end())
        for cell in _ROW_CELL.finditer(xml, head.end(), end.start() if end else len(xml)):
            ref = _CELL_REF.search(cell.group(1))
            if ref is None:
                continue
            address = ref[1].decode() + ref[2].decode()
            formula = totals.cell_formula(cell.group(2) or b"", address, xml)
            if formula is not None:
                found[(number, totals.column_index(ref[1].decode()))] = formula
    return found


# --- records --------------------------------------------------------------------------


def _read_records(
    found: _Range, spec: schema.TableSpec, cls: type[Any], plan: Mapping[str, _Field]
) -> tuple[tuple[Any, ...], list[Problem], frozenset[str]]:
    """The table's records, its problems, and the filled numbers (`number` field) of the
    rows skipped for a problem in a required cell."""
    positions, problems = _column_positions(found, spec)
    if problems:
        return (), problems, frozenset()
    problems = _duplicate_columns(found, spec)
    rows, n = found.rows, len(found.rows)
    row_numbers = range(found.first_row, found.first_row + n)
    values: dict[str, list[Any]] = {}
    # row index -> (column, error or None for empty) for each bad required cell
    bad_rows: dict[int, list[tuple[schema.Column, CellError | None]]] = {}
    optional_errors: list[tuple[int, schema.Column, CellError]] = []

    for column in spec.columns:
        if column.formula:
            continue
        field = plan[column.field]
        pos = positions.get(column.field)
        if pos is None:
            if field.default is _ROW_LABEL:
                values[column.field] = [f"rij {r}" for r in row_numbers]
            else:
                values[column.field] = [field.default] * n
            continue
        got, errors = _convert_column(rows, pos, field)
        if column.required:
            for k, err in errors.items():
                bad_rows.setdefault(k, []).append((column, err))
            empty = "" if field.convert is to_text else None
            # An identity scan: `None in got` would compare Decimals with None, which
            # goes through an abstract-class check per cell.
            if any(map(is_, got, repeat(empty))):
                for k, value in enumerate(got):
                    if value is empty and k not in errors:
                        bad_rows.setdefault(k, []).append((column, None))
        else:
            for k, err in errors.items():
                optional_errors.append((k, column, err))
                fallback = field.on_error if field.has_on_error else field.default
                got[k] = None if fallback is _ROW_LABEL else fallback
            if field.default is _ROW_LABEL:
                got = [value or f"rij {r}" for value, r in zip(got, row_numbers, strict=True)]
            elif (
                field.convert not in _NEVER_NONE
                and field.default is not None
                and any(map(is_, got, repeat(None)))
            ):
                default = field.default
                got = [default if value is None else value for value in got]
        values[column.field] = got
    for attribute, owner, convert in _DERIVED.get(spec.name, ()):
        pos = positions.get(owner)
        if pos is None:
            continue
        try:
            values[attribute] = list(map(convert, map(itemgetter(pos), rows)))
        except CellError:  # rare: the cells once more, one by one, to name each bad one
            values[attribute] = derived = []
            header = next(c.header for c in spec.columns if c.field == owner)
            for k, row in enumerate(rows):
                try:
                    derived.append(convert(row[pos]))
                except CellError as bad:
                    derived.append(None)
                    problems.append(
                        Problem(
                            CellRef(found.sheet, found.first_row + k, header),
                            f"{_address(found, pos, k)}: {bad}; de rij is wel gelezen.",
                        )
                    )

    own = sorted(positions.values())
    skipped = {k for k in bad_rows if not _is_empty(rows[k], own)}
    silent = bad_rows.keys() - skipped
    for k in sorted(skipped):
        for column, why in bad_rows[k]:
            problems.append(_required_problem(found, positions, column, k, why))
    for k, column, err in sorted(optional_errors, key=lambda e: e[0]):
        if k not in bad_rows:
            shown = _shown_default(plan[column.field], k + found.first_row)
            problems.append(_optional_problem(found, positions, column, k, err, shown))

    values["row"] = row_numbers  # type: ignore[assignment]
    records = _build(cls, values, n)
    skipped_numbers: frozenset[str] = frozenset()
    if bad_rows:
        drop = skipped | silent
        records = tuple(record for k, record in enumerate(records) if k not in drop)
        numbers = values.get("number")
        if numbers is not None:
            skipped_numbers = frozenset(filter(None, (numbers[k] for k in skipped)))
    return records, problems, skipped_numbers


def _build(cls: type[Any], columns: Mapping[str, Sequence[Any]], n: int) -> tuple[Any, ...]:
    """n records of a frozen, slotted dataclass from its attribute values, column-wise.

    Filling the slots column by column in C is twice as fast as calling the generated
    __init__ per row, and builds the same records. A record class with a __post_init__
    gets its __init__, so no check it makes is ever bypassed.
    """
    fields = dataclasses.fields(cls)
    if hasattr(cls, "__post_init__") or not hasattr(cls, "__slots__"):
        return tuple(map(cls, *(_column_or_default(f, columns, n) for f in fields)))
    records = tuple(map(object.__new__, repeat(cls, n)))
    for f in fields:
        slot = getattr(cls, f.name)  # the slot's member descriptor
        deque(map(slot.__set__, records, _column_or_default(f, columns, n)), maxlen=0)
    return records


# For other adapters that turn columns into records (the open-items lists).
build_records = _build


def _column_or_default(
    f: dataclasses.Field[Any], columns: Mapping[str, Sequence[Any]], n: int
) -> Sequence[Any]:
    column = columns.get(f.name)
    if column is not None:
        return column
    if f.default_factory is not dataclasses.MISSING:
        return [f.default_factory() for _ in range(n)]
    return repeat(f.default, n)  # type: ignore[return-value]


def _column_positions(
    found: _Range, spec: schema.TableSpec
) -> tuple[dict[str, int], list[Problem]]:
    """Where each non-formula column of the spec is; a problem per missing required one."""
    index: dict[str, int] = {}
    for pos, header in enumerate(found.headers):
        index.setdefault(schema.normalise_header(header), pos)
    positions: dict[str, int] = {}
    problems: list[Problem] = []
    for column in spec.columns:
        if column.formula:
            continue
        at = index.get(schema.normalise_header(column.header))
        if at is not None:
            positions[column.field] = at
        elif column.required:
            required = ", ".join(c.header for c in spec.columns if c.required)
            problems.append(
                Problem(
                    CellRef(found.sheet, None, column.header),
                    f"Tabel {found.name} op blad {found.sheet} mist de verplichte kolom "
                    f"'{column.header}': de tabel is niet gelezen. Voeg de kolom toe "
                    f"(verplicht zijn: {required}).",
                )
            )
    return positions, problems


_COUNT_WORDS = {2: "twee", 3: "drie", 4: "vier"}


def _duplicate_columns(found: _Range, spec: schema.TableSpec) -> list[Problem]:
    """A problem per header of the contract that heads two or more columns (compared as
    schema.normalise_header compares: 'Bedrag' and ' bedrag'). The first is read, as
    _column_positions finds it, and written (xlsx_patch, live): said so, never silent."""
    read = {schema.normalise_header(c.header): c for c in spec.columns if not c.formula}
    places: dict[str, list[int]] = {}
    for pos, header in enumerate(found.headers):
        key = schema.normalise_header(header)
        if key in read:
            places.setdefault(key, []).append(pos)
    problems = []
    for key, where in places.items():
        if len(where) < 2:
            continue
        header = read[key].header
        letters = [_column_letter(found.first_col + pos) for pos in where]
        listed = ", ".join(letters[:-1]) + " en " + letters[-1]
        count = _COUNT_WORDS.get(len(where), str(len(where)))
        others = "de andere kolom" if len(where) == 2 else "de andere kolommen"
        them = "hem" if len(where) == 2 else "ze"
        problems.append(
            Problem(
                CellRef(found.sheet, found.first_row - 1, header),
                f"Blad {found.sheet} heeft {count} kolommen met de kop '{header}' ({listed}): "
                f"kolom {letters[0]} wordt gelezen, {others} niet. "
                f"Geef {others} een eigen kop of verwijder {them}.",
            )
        )
    return problems


def _convert_column(
    rows: list[list[Any]], pos: int, field: _Field
) -> tuple[list[Any], dict[int, CellError]]:
    """Convert column `pos`; the per-cell error handling runs only if some cell is bad.

    The fast paths keep the loop over 100,000 cells inside C where they can: plain text
    is only stripped, a column of plain numbers becomes cents in one pass, and a column of
    choices (Ja/Nee, Zakelijk/Particulier) is converted once per distinct text.
    """
    convert = field.convert
    cell = itemgetter(pos)
    if convert is to_text or convert is to_reference:
        try:
            return _shared(list(map(str.strip, map(cell, rows)))), {}
        except TypeError:  # a number or date among the text
            pass
    elif convert is to_date:
        try:
            return _shared(
                [
                    v
                    if v.__class__ is date and FIRST_DATE <= v <= LAST_DATE
                    else None
                    if v == ""
                    else to_date(v)
                    for v in map(cell, rows)
                ]
            ), {}
        except CellError:
            pass
    raw = list(map(cell, rows))
    if convert is to_text:
        try:  # invoice and customer numbers typed as numbers: 2026017.0 -> '2026017'
            if all(map(float.is_integer, raw)):
                return list(map(str, map(int, raw))), {}
        except TypeError:
            pass
    elif convert is to_amount:
        amounts = _amount_column(raw)
        if amounts is not None:
            return amounts, {}
    elif field.few:
        distinct = set(raw)
        # Only text keys: as dict keys True, 1 and 1.0 are one value, but not as cells.
        if all(value.__class__ is str for value in distinct):
            try:
                table = {value: convert(value) for value in distinct}
            except CellError:
                pass
            else:
                return list(map(table.__getitem__, raw)), {}
    if convert is not to_date:
        try:
            return list(map(convert, raw)), {}
        except CellError:
            pass
    got: list[Any] = []
    errors: dict[int, CellError] = {}
    for k, value in enumerate(raw):
        try:
            got.append(convert(value))
        except CellError as err:
            got.append(None)
            errors[k] = err
    return got, errors


def _shared(values: list[Any]) -> list[Any]:
    """The column with equal values as one object, when its values repeat (customer numbers,
    descriptions, dates: the reader gets a new object for every cell, and the Book keeps
    them all): tens of MB less for a big workbook, for a few ms. Only for columns of one
    type (text, or dates and None), where equal values are interchangeable."""
    if len(set(values[:_SAMPLE])) * 2 > min(len(values), _SAMPLE):
        return values
    table: dict[Any, Any] = {}
    return list(map(table.setdefault, values, values))


def _amount_column(raw: list[Any]) -> list[Decimal | None] | None:
    """Amounts for a column of plain numbers that are whole cents, else None.

    Does in C, column-wise, what `to_amount` does per float: round(x * 100) gives the
    cents, and dividing back proves the float was exactly that amount.
    """
    try:
        cents = list(map(float.__round__, map(float.__mul__, raw, repeat(100.0))))
    except TypeError:  # text or empty cells: an optional column (Betaald) is mostly empty
        filled = [value for value in raw if value != ""]
        if not filled or len(filled) == len(raw):
            return None
        amounts = _amount_column(filled)
        if amounts is None:
            return None
        found = iter(amounts)
        return [None if value == "" else next(found) for value in raw]
    except (ValueError, OverflowError):  # NaN, infinity
        return None
    if not all(map(eq, map(truediv, cents, repeat(100)), raw)):
        return None
    # to_amount's bound for one float (below 1e13 euros): a bigger number is no amount, and
    # the cell-by-cell path reports it on its cell.
    if max(map(abs, cents), default=0) >= _MAX_CENTS:
        return None
    if len(set(cents[:_SAMPLE])) * 2 > min(len(cents), _SAMPLE):
        return list(map(Decimal.scaleb, map(Decimal, cents), repeat(-2)))
    # Amounts repeat (0, a subscription fee): build each Decimal once and share it.
    table = {c: Decimal(c).scaleb(-2) for c in set(cents)}
    return list(map(table.__getitem__, cents))


_SAMPLE = 1000
_MAX_CENTS = 10**15  # 1e13 euros in cents


def _is_empty(row: Sequence[object], positions: Sequence[int]) -> bool:
    """No value in the table's own columns; formula and extra columns do not count."""
    for pos in positions:
        value = row[pos]
        if value.__class__ is str:
            if value.strip():
                return False
        elif value is not None:
            return False
    return True


# --- settings -------------------------------------------------------------------------

_SETTING_FIELDS = {
    schema.normalise_header(dutch): (field, dutch) for field, dutch in schema.SETTINGS
}
_NAME_NOISE = re.compile(r"\s*(\(.*\))?\s*:?\s*$")  # "Standaard betaaltermijn (dagen):"


# A setting's problem ends with what the plan goes on with: "... SMTP-poort blijft leeg."
_KEPT = re.compile(r"\. [^.]+ blijft [^.]*\.?$")


def setting_problem_cause(message: str) -> str:
    """A setting's problem message without what the plan goes on with ("SMTP-poort blijft
    leeg"), for a command that does not go on (verstuur), nor with a final full stop."""
    return _KEPT.sub("", message).rstrip(".")


def _read_settings(found: _Range) -> tuple[Settings, list[Problem]]:
    positions, problems = _column_positions(found, schema.INSTELLINGEN)
    if problems:
        return Settings(), problems
    problems = _duplicate_columns(found, schema.INSTELLINGEN)
    name_pos, value_pos = positions["name"], positions["value"]
    defaults = Settings()
    values: dict[str, Any] = {}
    rows: dict[str, int] = {}
    for k, row in enumerate(found.rows):
        key = schema.normalise_header(to_text(row[name_pos]))
        match = _SETTING_FIELDS.get(key) or _SETTING_FIELDS.get(_NAME_NOISE.sub("", key))
        if match is None or match[0] in values:
            continue
        field, dutch = match
        rows[field] = found.first_row + k
        convert = _SETTING_CONVERTERS.get(field, to_text)
        raw = row[value_pos]
        try:
            value = convert(raw)
        except CellError as err:
            kept = _show(getattr(defaults, field))
            address = _address(found, value_pos, k)
            problems.append(
                Problem(
                    CellRef(
                        found.sheet, found.first_row + k, schema.INSTELLINGEN.columns[1].header
                    ),
                    f"{address}: {err}. {dutch} blijft {kept}.",
                )
            )
            continue
        if value is not None and value != "":
            values[field] = value
    return Settings(**values, rows=tuple(rows.items())), problems


# --- messages -------------------------------------------------------------------------


def _missing_table(spec: schema.TableSpec) -> Problem:
    required = ", ".join(c.header for c in spec.columns if c.required)
    return Problem(
        CellRef(spec.sheet),
        f"Tabel {spec.name} ontbreekt: er is geen tabel met die naam en geen blad "
        f"'{spec.sheet}' met de kolommen {required}. Maak de tabel aan of herstel de naam.",
    )


def _required_problem(
    found: _Range,
    positions: Mapping[str, int],
    column: schema.Column,
    k: int,
    err: CellError | None,
) -> Problem:
    address = _address(found, positions[column.field], k)
    if err is None:
        message = f"{address}: {column.header} is leeg, maar verplicht: rij overgeslagen."
    else:
        message = f"{address}: {err}. {column.header} is verplicht: rij overgeslagen."
    return Problem(CellRef(found.sheet, found.first_row + k, column.header), message)


def _optional_problem(
    found: _Range,
    positions: Mapping[str, int],
    column: schema.Column,
    k: int,
    err: CellError,
    shown: str,
) -> Problem:
    address = _address(found, positions[column.field], k)
    return Problem(
        CellRef(found.sheet, found.first_row + k, column.header),
        f"{address}: {err}. {column.header} gelezen als {shown}; de rij is wel gelezen.",
    )


def _shown_default(field: _Field, row: int) -> str:
    value = field.on_error if field.has_on_error else field.default
    return f"'rij {row}'" if value is _ROW_LABEL else _show(value)


def _show(value: object) -> str:
    """A default as the user would write it: leeg, Ja, 30, 50,00, di, wo, do."""
    if value is None or value == "" or value == ():
        return "leeg"
    if isinstance(value, bool):
        return "Ja" if value else "Nee"
    if isinstance(value, Decimal):
        return format_amount(value)
    if isinstance(value, frozenset):
        return ", ".join(WEEKDAY_SHORT[d] for d in sorted(value))
    if hasattr(value, "value"):  # an Enum member
        return str(value.value)
    return str(value)


_PLAIN_SHEET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def _address(found: _Range, pos: int, k: int) -> str:
    """The cell as Excel writes it: Facturen!D14, 'Mijn facturen'!D14."""
    sheet = found.sheet
    if not _PLAIN_SHEET_NAME.fullmatch(sheet):
        sheet = "'" + sheet.replace("'", "''") + "'"
    return f"{sheet}!{_column_letter(found.first_col + pos)}{found.first_row + k}"


def _column_letter(index: int) -> str:
    """Zero-based column index -> Excel letters: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
