"""Write back into the user's .xlsx/.xlsm by editing only the parts the tool owns.

openpyxl's load-and-save rebuilds the whole package and loses the ribbon relationship, x14
extensions and chart detail (``notes/WRITEBACK.md``). This module instead splices bytes: it
appends rows to a table, sets cells in a table row found by key, or replaces the contents of
a sheet the tool owns, and copies every other zip member raw (its compressed bytes as they
are, in the same order). Parsing is done with the standard library for the small parts
(read only: nothing is ever re-serialised) and by byte search from the end of ``sheetData``
for the sheets, so a 40 MB sheet is never loaded into a tree.

Example::

    apply_patch(Path("Debiteuren.xlsm"), Patch(
        append=(("tblContacten", ({"Datum": date(2026, 11, 24), "Klantnummer": "K001",
                                   "Kanaal": "Brief", "Stap": "Herinnering"},)),),
        set_cells=(("tblAfspraken", "Afspraak", "A001",
                    {"Bevestiging verstuurd": date(2026, 11, 24)}),),
        replace_sheet=(("Werklijst", (("Klant", "Actie"), ("K001", "bellen"))),),
    ))
    ->  PatchResult(changed_parts=('xl/tables/table5.xml', 'xl/worksheets/sheet4.xml',
            'xl/worksheets/sheet5.xml', 'xl/worksheets/sheet9.xml', ...),
            backup=Path(".debiteuren-backup/Debiteuren.1.xlsm"),
            appended=(("tblContacten", 1),), notes=())

    The new Contacten row goes directly below the table (tblContacten's ref grows from
    A1:K61 to A1:K62); the date gets a date style (an existing one, else exactly one new
    xf with number format 14); text is written as inline text, so "=HYPERLINK(...)" stays
    text; a calculated column (Facturen.Open) gets its formula in the new rows.

Rules worth knowing:

- Everything is checked and built in memory first; the file is written only at the very
  end (temp file in the same folder, fsync, os.replace), so any `PatchError` leaves the
  workbook byte-identical. Nothing is written when the patch changes nothing.
- A symbolic link is followed: the real file is updated (and backed up beside itself), the
  link stays a link.
- The backup is the previous file itself (a hard link, else a copy) in the folder
  ``.debiteuren-backup`` next to the workbook, named ``<stem>.<n><suffix>`` with the first
  unused n counting up from 1: unique without a clock; cleaning old ones is the user's call.
- Refused, with a Dutch message saying what to do: the workbook open in Excel (a ``~$``
  owner file next to it) or LibreOffice (``.~lock.<name>#``), password protection, not a
  zip, Zip64, encrypted members, a missing table, sheet or header, a totals row, a query
  table, array formulas, new rows that would land on other content, a table or a merged
  range, overwriting a formula that is not a calculated column's (or a shared-formula
  master), control characters, text over 32,767 characters, dates before 1 March 1900 and
  timezone-aware datetimes.
- Any change to cell data sets ``fullCalcOnLoad="1"``: without it Excel shows the old cached
  results of formulas that depend on the new rows (Facturen.Open on new Betalingen rows).
  When formulas are added or removed, the calcChain part is dropped (Excel rebuilds it;
  stale entries trigger its repair dialog).
- Not done: A1-style defined names, chart ranges, conditional formatting and validation
  ranges are not extended to the new rows (structured references extend by themselves);
  docProps/app.xml does not list a sheet this module adds (Excel does not mind).
  A workbook re-saved by LibreOffice has no calculatedColumnFormula, so new rows there get
  no Open formula.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import html
import math
import os
import posixpath
import re
import shutil
import stat
import struct
import xml.etree.ElementTree as ET  # reading only: it renames prefixes when it writes
import zlib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby, repeat
from operator import add, itemgetter
from pathlib import Path
from typing import Any, NamedTuple, Protocol, runtime_checkable

from addin.adapters.tempfiles import make_temp, sync_folder
from addin.adapters.workbook import totals
from addin.adapters.workbook.sheet_styles import FORMATS, CellFormat
from addin.core.sheet_layout import Area, Chart, SheetLayout, Style
from addin.core.texts import plain_range_text
from addin.schema import CALCULATED_COLUMNS, normalise_header, table_spec, tables_to_check

BACKUP_DIR = ".debiteuren-backup"

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = DOC_REL_NS + "/officeDocument"
WORKSHEET_REL = DOC_REL_NS + "/worksheet"
TABLE_REL = DOC_REL_NS + "/table"
STYLES_REL = DOC_REL_NS + "/styles"
SHARED_STRINGS_REL = DOC_REL_NS + "/sharedStrings"
CALC_CHAIN_REL = DOC_REL_NS + "/calcChain"
DRAWING_REL = DOC_REL_NS + "/drawing"
CHART_REL = DOC_REL_NS + "/chart"
VBA_PROJECT_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
CONTENT_TYPES = "[Content_Types].xml"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XDR_NS = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
DRAWING_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
WORKSHEET_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
TABLE_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.table+xml"
# The look of the tables the shipped workbooks have (book_writer), for a table made of a range.
TABLE_STYLE = "TableStyleMedium2"

MAX_ROWS, MAX_COLS, MAX_TEXT = 1_048_576, 16_384, 32_767
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # password-encrypted Office files
BIG_PART = 1 << 20  # above this a changed part is deflated at level 1 (3.7x faster than 6)
DEFLATE_QUEUE = 16 << 20  # new XML waiting for the deflating thread at most (_Deflater)

# Built-in number formats that show a date or time (ECMA-376 part 1, 18.8.30).
DATE_NUMFMT_IDS = frozenset((*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)))
NEW_DATE_NUMFMT = 14  # the locale's short date: dd-mm-yyyy in Dutch Excel
TEXT_NUMFMT = 49  # the built-in "@" (Text): what is typed stays text (ECMA-376 Part 1, 18.8.30)
# The width Excel writes for a column of the default width (8.43 characters of Calibri 11, the
# font openpyxl-made workbooks use; the example in ECMA-376 Part 1, 18.3.1.13 <cols>), for a
# <col> added only to give a column its style when the sheet names no defaultColWidth.
DEFAULT_COL_WIDTH = "9.140625"

# How often the costly steps ran, for tests that keep the work linear without timing it:
# "scan" (a pass over a sheet's rows), "copy" (a sheet's bytes rebuilt) and "write" (a part
# stored). Setting 4x the cells must not take 4x the scans or copies. "batch": appended
# rows made into XML together (ROW_BATCH at most), so 4x the rows is 4x the batches of
# the same size, never one 4x bigger.
OPERATIONS: Counter[str] = Counter()


class PatchError(Exception):
    """The workbook cannot be patched as asked; the Dutch message says why and what to do."""


@dataclass(frozen=True, slots=True)
class RelatedPart:
    """A package part found through a relationship and replaced whole, as raw bytes (the
    VBA project, the ribbon).

    Attributes:
      rel_type: the type of the relationship that points at the part.
      content: the part's new bytes; a part that holds them already is left untouched.
      from_workbook: the relationship is the workbook part's (the VBA project); else the
        package's own (_rels/.rels: the ribbon).
      add_as: the part name to use when no such relationship exists: the part and its
        relationship are added (and a content type, when the package's defaults do not
        cover the part's extension). None: nothing is done then.
      content_type: the content type of an added part.
    """

    rel_type: str
    content: bytes
    from_workbook: bool = False
    add_as: str | None = None
    content_type: str = "application/xml"


@runtime_checkable
class ColumnRows(Protocol):
    """Rows to append that hand over a whole column at once, rather than a dict per row
    (bank/job.PaymentRows: 655,000 Betalingen rows of an MT940 file, each made into a dict
    only when it is indexed). Every row names every header in `headers`."""

    headers: tuple[str, ...]

    def __len__(self) -> int: ...

    def __getitem__(self, index: slice) -> ColumnRows:
        """The rows `index` selects, as ColumnRows again."""
        ...

    def column(self, header: str) -> Sequence[object]:
        """The values under `header`, one per row, in row order."""
        ...


@dataclass(frozen=True)
class Patch:
    """What to change in a workbook, as data (see the module docstring for an example).

    Attributes:
      append: (table name, rows): rows to append below the table; each row maps a header
        (matched as schema.normalise_header does) to a value; missing columns stay empty.
        Rows that are also `ColumnRows` are read column by column, never row by row.
      add_columns: (table name, headers): headers the table lacks become new empty columns
        at its right edge (done first, so the other edits can fill them); a header the
        table has is left alone.
      add_rows: (table name, key header, rows): the rows whose key value the table does
        not hold yet (compared as schema.normalise_header compares) are appended as
        `append` does; the rows it holds are left as they are (`bijwerken`: new
        Instellingen rows).
      replace_parts: whole package parts found through a relationship (RelatedPart).
      text_columns: (table name, headers): these columns get the Text format (numFmtId 49)
        as their column style (a <col> split or added; width and other attributes kept),
        and so do the table's empty cells in them that have a cell element of their own
        (a cell's style wins over its column's: Excel would make what is typed there a
        number), and the table's empty cells in rows with a row style of their own, which
        wins over the column's too (each gets a cell element with the row's style made
        Text). Cells that hold a value keep their style: a number stays a number. Done
        after add_columns, so new columns get it too; a header the table lacks is skipped.
      make_tables: (table name, sheet name, header row): the plain range whose headers are
        in that row of the sheet becomes an Excel table of that name (a workbook of the
        user's own); done first, so the other edits can find the table. Nothing when the
        workbook has a table of that name.
      ignore_text_numbers: (table name, headers): Excel's check "number stored as text"
        (the green triangle on every cell of digits in a Text column) is turned off for
        these whole columns of the table's sheet: an <ignoredError sqref="A1:A1048576 ..."
        numberStoredAsText="1"/> in the sheet's <ignoredErrors>, which is made when
        missing; the user's own ignoredError elements stay. Nothing when the sheet's
        ignoredErrors cover the columns already (a second run); a header the table lacks
        is skipped. Done after add_columns.
      set_cells: (table name, key header, key value, {header: value}): set cells in the
        first row of the table whose key column holds the key value.
      replace_sheet: (sheet name, rows): the sheet's cells become these rows from A1 on;
        a missing sheet is added at the end. Rows given as a core.sheet_layout.SheetLayout
        (the Werklijst, the Overzicht) bring their look: cell formats (added to styles.xml
        once, then found again by meaning), column widths, row heights, frozen header,
        autofilter (with its _xlnm._FilterDatabase name), links, landscape page set-up
        and charts (a drawing and chart parts, added once, found again by title).
      grow_array: (sheet name, rows needed, rows): when the array formula in the sheet's A1
        covers fewer than `rows needed` rows, its range becomes `rows` rows (the Plan sheet's
        =DEBITEUREN_PLAN when an import outgrows it); nothing when the sheet or the array
        formula is absent (a plain .xlsx, the Mac's values).

    Values: str (always text, never a formula), int, float, Decimal (a number), date and
    datetime (a number with a date style), bool (TRUE/FALSE), None (an empty cell).
    """

    append: tuple[tuple[str, Sequence[Mapping[str, object]]], ...] = ()
    set_cells: tuple[tuple[str, str, str, dict[str, object]], ...] = ()
    replace_sheet: tuple[tuple[str, Sequence[Sequence[object]] | SheetLayout], ...] = ()
    grow_array: tuple[tuple[str, int, int], ...] = ()
    add_columns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    add_rows: tuple[tuple[str, str, tuple[dict[str, object], ...]], ...] = ()
    replace_parts: tuple[RelatedPart, ...] = ()
    text_columns: tuple[tuple[str, tuple[str, ...]], ...] = ()
    ignore_text_numbers: tuple[tuple[str, tuple[str, ...]], ...] = ()
    make_tables: tuple[tuple[str, str, int], ...] = ()


@dataclass(frozen=True)
class PatchResult:
    """What `apply_patch` did.

    Attributes:
      changed_parts: zip members written anew or added, in package order.
      removed_parts: zip members dropped (calcChain, tables of a replaced sheet).
      backup: where the previous file is kept; None when no backup was asked or nothing
        changed.
      appended: (table name, number of rows appended), in patch order.
      notes: Dutch remarks for the user (tables or merged cells removed from a sheet).
      added_columns: (table name, header) of each column add_columns added.
      added_rows: (table name, key value) of each row add_rows appended.
      replaced: the relationship types of the replace_parts whose part changed or was added.
      text_columns: (table name, header) of each column text_columns formatted as Text
        (its column style or empty cells changed); columns that had it already are not named.
      ignored_text_numbers: the tables whose sheet got an ignoredError (ignore_text_numbers).
      made_tables: (table name, its ref) of each table make_tables made.
    """

    changed_parts: tuple[str, ...]
    removed_parts: tuple[str, ...]
    backup: Path | None
    appended: tuple[tuple[str, int], ...]
    notes: tuple[str, ...] = ()
    added_columns: tuple[tuple[str, str], ...] = ()
    added_rows: tuple[tuple[str, str], ...] = ()
    replaced: tuple[str, ...] = ()
    text_columns: tuple[tuple[str, str], ...] = ()
    ignored_text_numbers: tuple[str, ...] = ()
    made_tables: tuple[tuple[str, str], ...] = ()


# What a part that is not well-formed XML, or holds a bad cell reference, makes every
# reading of the package refuse with (apply_patch, check_tables, package_facts).
_DAMAGED = (ET.ParseError, ValueError, UnicodeDecodeError)


def _damaged(path: Path, err: Exception) -> PatchError:
    """The refusal for a workbook whose parts cannot be read (`_DAMAGED`): nothing written."""
    return PatchError(
        f"De werkmap '{path}' is beschadigd en kan niet bijgewerkt worden ({err}); open "
        f"hem in Excel, sla hem opnieuw op en probeer het nog eens."
    )


def apply_patch(
    path: Path, patch: Patch, *, backup: bool = True, dry_run: bool = False
) -> PatchResult:
    """Apply `patch` to the workbook at `path`; raise PatchError and change nothing on failure.

    With `dry_run` everything is worked out as for a real run and the result says what
    would change, but nothing is written (and an open workbook is not refused): `--proef`.
    """
    shown = Path(path)
    # A symbolic link: the real file is read, replaced and backed up, and the link stays.
    path = shown.resolve()
    if not dry_run:
        check_not_open(shown)
    data, seen = _read_workbook_file(path)
    package = _Package(path, data)
    try:
        planned = frozenset(name.casefold() for name, _, _ in patch.make_tables)
        editor = _Editor(package, path, dry_run=dry_run, planned_tables=planned)
        for table_name, sheet_name, header_row in patch.make_tables:
            editor.make_table(table_name, sheet_name, header_row)
        for table_name, headers in patch.add_columns:
            editor.add_columns(table_name, headers)
        for table_name, headers in patch.text_columns:
            editor.format_as_text(table_name, headers)
        for table_name, headers in patch.ignore_text_numbers:
            editor.ignore_text_numbers(table_name, headers)
        for table_name, key_header, keyed_rows in patch.add_rows:
            editor.add_missing_rows(table_name, key_header, keyed_rows)
        for table_name, rows in patch.append:
            editor.append(table_name, rows)
        # Consecutive edits of one table are one batch: one scan, one splice of its sheet.
        for _, edits in groupby(patch.set_cells, key=lambda e: e[0].casefold()):
            editor.set_cells_many(tuple(edits))
        for sheet_name, sheet_rows in patch.replace_sheet:
            editor.replace_sheet(sheet_name, sheet_rows)
        for sheet_name, needed, size in patch.grow_array:
            editor.grow_array(sheet_name, needed, size)
        for part in patch.replace_parts:
            editor.replace_part(part)
        editor.finish()
    except _DAMAGED as err:
        raise _damaged(path, err) from None
    done = {
        "appended": tuple(editor.appended),
        "notes": tuple(editor.notes),
        "added_columns": tuple(editor.added_columns),
        "added_rows": tuple(editor.added_rows),
        "replaced": tuple(editor.replaced),
        "text_columns": tuple(editor.text_columns),
        "ignored_text_numbers": tuple(editor.ignored_text_numbers),
        "made_tables": tuple(editor.made_tables),
    }
    if not package.modified:
        return PatchResult((), (), None, **done)  # type: ignore[arg-type]
    if dry_run:
        return PatchResult(
            package.changed_names(),
            tuple(sorted(package.removed)),
            None,
            **done,  # type: ignore[arg-type]
        )
    new_pieces = package.build()
    try:
        backup_path = _replace_file(path, new_pieces, seen, backup=backup)
    except OSError as err:
        # A read-only mount, an immutable file, a full disk: the temporary file is gone
        # again and the workbook is as it was.
        raise PatchError(
            f"De werkmap '{path}' kon niet worden geschreven: {write_failure(err)}. "
            f"Er is niets in de werkmap veranderd."
        ) from None
    return PatchResult(
        changed_parts=package.changed_names(),
        removed_parts=tuple(sorted(package.removed)),
        backup=backup_path,
        **done,  # type: ignore[arg-type]
    )


def append_row(path: Path, table_name: str) -> int:
    """The sheet row that `apply_patch` gives the first row it appends to `table_name`
    (below the table, or the one empty row of a table without data), so that what is
    worked out before the write (the bank import's plan: "controleren in Betalingen rij
    ...") can name the rows it is about to write. 0 when the workbook or the table cannot
    be read: `apply_patch` then says why."""
    path = Path(path).resolve()
    try:
        data, _ = _read_workbook_file(path)
        return _Editor(_Package(path, data), path).first_appended_row(table_name)
    except (PatchError, OSError, ET.ParseError, ValueError, UnicodeDecodeError):
        return 0


def check_tables(path: Path, command: str) -> None:
    """Raise the PatchError `apply_patch` would raise on writing into a table the workbook
    lacks (reads, never writes), for each table `command` needs (schema.tables_to_check).
    A writing command asks before it makes letters or other files, with the write-back's
    own way of finding a table and its own message."""
    path = Path(path).resolve()
    data, _ = _read_workbook_file(path)
    try:
        editor = _Editor(_Package(path, data), path)
        tables = editor.tables()
        have = {t.name.casefold() for t in tables}
        for spec in tables_to_check(command, [s.name for s in editor.sheets()]):
            if spec.name.casefold() not in have:
                raise editor._no_table(spec.name, tables)
    except _DAMAGED as err:
        raise _damaged(path, err) from None


@dataclass(frozen=True)
class PackageFacts:
    """What `bijwerken` needs to know of a workbook before it builds its patch.

    Attributes:
      tables: the names of the tables (ListObjects), as stored.
      charts: sheet name -> the titles of the charts in its drawing.
      vba_project: the VBA project part (found through the workbook's relationships) and
        its bytes, or None when the workbook has none.
      code_name: the workbook's code name (workbookPr codeName: its document module).
    """

    tables: tuple[str, ...]
    charts: dict[str, tuple[str, ...]]
    vba_project: tuple[str, bytes] | None
    code_name: str | None


def package_facts(path: Path) -> PackageFacts:
    """Read (never write) the facts `bijwerken` needs; PatchError as apply_patch raises it."""
    path = Path(path).resolve()
    data, _ = _read_workbook_file(path)
    package = _Package(path, data)
    try:
        editor = _Editor(package, path)
        charts: dict[str, tuple[str, ...]] = {}
        for sheet in editor.sheets():
            titles: list[str] = []
            for rel in _read_rels(package, sheet.part):
                if rel.type != DRAWING_REL or rel.external or package.name(rel.target) is None:
                    continue
                for chart in _read_rels(package, rel.target):
                    if chart.type == CHART_REL and package.name(chart.target) is not None:
                        titles.append(_chart_title(package.read(chart.target)))
            charts[sheet.name] = tuple(titles)
        vba = next(
            (r for r in editor._workbook_rels() if r.type == VBA_PROJECT_REL and not r.external),
            None,
        )
        vba_name = package.name(vba.target) if vba is not None else None
        props = _tree(package.read(editor.workbook_part)).find(_q("workbookPr"))
        return PackageFacts(
            tables=tuple(t.name for t in editor.tables()),
            charts=charts,
            vba_project=(vba_name, package.read(vba_name)) if vba_name else None,
            code_name=props.get("codeName") if props is not None else None,
        )
    except _DAMAGED as err:
        raise _damaged(path, err) from None


# --- the file ---------------------------------------------------------------------------


def failed_file(err: OSError) -> str | None:
    """The file a write failed on, as the user knows it: the target of a rename (a temp
    file replacing a letter) rather than the temp file's own name."""
    name = err.filename2 or err.filename
    return None if name is None else str(name)


def write_failure(err: OSError) -> str:
    """Why a file could not be written, in Dutch: "de schijf is vol (No space left...)"."""
    reasons = {
        errno.ENOSPC: "de schijf is vol",
        errno.EDQUOT: "de schijfruimte (quota) is op",
        errno.EROFS: "de map staat op een alleen-lezen schijf",
        errno.EACCES: "geen schrijfrechten op het bestand of de map",
        errno.EPERM: "het bestand of de map mag niet veranderd worden (beveiligd)",
        errno.EFBIG: "het bestand wordt te groot",
        errno.ENOTDIR: "een deel van het pad is een bestand, geen map",
        errno.EEXIST: "er staat al een bestand met die naam",
        errno.ENOENT: "de map bestaat niet",
        errno.EISDIR: "er staat een map met die naam",
        # A 200-character customer or folder name: say so, not "schrijven mislukt".
        errno.ENAMETOOLONG: "een naam in het pad is te lang; kies een kortere map of naam",
    }
    reason = reasons.get(err.errno or 0, "schrijven mislukt")
    return f"{reason} ({err.strerror or err})"


def _owner_files(path: Path) -> tuple[tuple[Path, str], ...]:
    """The files a program that has the workbook open puts beside it, with its name."""
    # Excel writes "~$" + the name; Word-style truncation drops the first two characters
    # of long names, and some Excel builds do the same, so both are checked. LibreOffice
    # (which opens and saves the workbook too, see README "Wat werkt waar") writes
    # ".~lock.<name>#"; saving there after a run would overwrite what the run wrote.
    name = path.name
    return (
        (path.with_name("~$" + name), "Excel"),
        (path.with_name("~$" + name[2:]), "Excel"),
        (path.with_name(f".~lock.{name}#"), "LibreOffice"),
    )


def check_not_open(path: Path) -> None:
    """Raise PatchError when the workbook must not be written now: Excel or LibreOffice
    has it open (its owner file exists), or it is marked read-only."""
    for owner, program in _owner_files(path):
        try:
            present = owner.exists()
        except OSError:
            # A name the system will not look at ('~$' makes a 254-byte name too long):
            # no program can have made that file; the read that follows names the trouble.
            continue
        if present:
            raise PatchError(
                f"De werkmap '{path}' is geopend in {program} (het bestand '{owner.name}' "
                f"staat ernaast). Sluit de werkmap en probeer het opnieuw; is hij niet "
                f"geopend, verwijder dan '{owner.name}'."
            )
    # Read-only (Windows' Alleen-lezen; no write bit for anyone elsewhere) is the user's
    # "do not change this file": Excel will not save over it, and neither may a run, even
    # though replacing the file through its folder would succeed.
    try:
        mode = path.stat().st_mode
    except OSError:
        return  # missing or unreadable: the read that follows says so
    if stat.S_ISREG(mode) and not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise PatchError(
            f"De werkmap '{path}' is alleen-lezen. Zet Alleen-lezen uit (Windows: "
            f"Eigenschappen van het bestand) of geef schrijfrechten, en probeer het opnieuw."
        )


def _read_workbook_file(path: Path) -> tuple[bytes, tuple[int, int]]:
    if not path.is_file():
        raise PatchError(f"De werkmap '{path}' bestaat niet; controleer het pad.")
    try:
        data = path.read_bytes()
        info = path.stat()
    except OSError as err:
        raise PatchError(
            f"De werkmap '{path}' kan niet gelezen worden ({err.strerror}); "
            f"is hij in een ander programma geopend?"
        ) from None
    if data.startswith(OLE_SIGNATURE):
        raise PatchError(
            f"De werkmap '{path}' is met een wachtwoord beveiligd (of een oud .xls-bestand); "
            f"sla hem op zonder wachtwoord als .xlsm of .xlsx."
        )
    if not data.startswith(b"PK\x03\x04"):
        raise PatchError(
            f"'{path}' is geen Excel-werkmap (.xlsx of .xlsm); open hem in Excel en sla hem "
            f"op als Excel-werkmap."
        )
    return data, (info.st_size, info.st_mtime_ns)


def _replace_file(
    path: Path,
    new_pieces: Sequence[bytes | bytearray | memoryview],
    seen: tuple[int, int],
    *,
    backup: bool,
) -> Path | None:
    """Write the new file (its pieces, one after the other) next to `path` and swap it in;
    keep the old file as the backup."""
    fd, tmp = make_temp(path.parent)  # named for this process: a killed run's is cleaned up
    try:
        with os.fdopen(fd, "wb") as out:
            out.writelines(new_pieces)
            out.flush()
            os.fsync(out.fileno())
        info = path.stat()
        os.chmod(tmp, stat.S_IMODE(info.st_mode))
        # Someone (Excel, a sync client) saved the file while we worked: ours would undo that.
        if (info.st_size, info.st_mtime_ns) != seen:
            raise PatchError(
                f"De werkmap '{path}' is gewijzigd terwijl het programma ermee bezig was; "
                f"er is niets weggeschreven. Probeer het opnieuw."
            )
        check_not_open(path)
        backup_path = _keep_backup(path) if backup else None
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    sync_folder(path.parent)
    return backup_path


def _keep_backup(path: Path) -> Path:
    folder = path.parent / BACKUP_DIR
    created = not folder.is_dir()
    folder.mkdir(exist_ok=True)
    try:
        return _backup_into(folder, path)
    except BaseException:
        if created:  # a refused write leaves nothing behind, not even an empty folder
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


# Bytes a file name may take (ext4, APFS; NTFS counts UTF-16 units, never more).
NAME_BYTES = 255


def _backup_name(path: Path, n: int) -> str:
    """`<stem>.<n><suffix>`, the stem cut short when a long workbook name (up to the 255
    bytes a name may take) would make the backup's name longer than that."""
    tail = f".{n}{path.suffix}"
    stem = path.stem
    while len((stem + tail).encode("utf-8")) > NAME_BYTES and stem:
        stem = stem[:-1]
    return stem + tail


def _backup_into(folder: Path, path: Path) -> Path:
    n = 1
    while True:
        target = folder / _backup_name(path, n)
        try:
            os.link(path, target)  # free, and the old inode is exactly the old file
            return target
        except FileExistsError:
            n += 1
        except OSError:
            try:
                with path.open("rb") as src, target.open("xb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                    dst.flush()
                    os.fsync(dst.fileno())
                return target
            except FileExistsError:
                n += 1


# --- the zip package: raw copy of untouched members ------------------------------------

_LOCAL = struct.Struct("<4s5H3L2H")  # local file header, 30 bytes
_CENTRAL = struct.Struct("<4s6H3L5H2L")  # central directory header, 46 bytes
_END = struct.Struct("<4s4H2LH")  # end of central directory, 22 bytes
_DATA_DESCRIPTOR = 0x08
_ENCRYPTED = 0x01
_UTF8_NAME = 0x800
_STORED, _DEFLATED = 0, 8


@dataclass(frozen=True, slots=True)
class _Deflated:
    """A part's new content, kept deflated (`_Package.write_pieces`): a sheet too big to
    hold whole, such as Betalingen after an MT940 import of 655,000 rows (600 MB of XML,
    about 60 MB deflated).

    Attributes:
      raw: the deflated bytes (level 1, as `_deflated` packs a big part).
      crc, usize: the CRC-32 and size of the content.
    """

    raw: bytes | bytearray
    crc: int
    usize: int

    def content(self) -> bytes:
        return zlib.decompress(self.raw, -15)


class _Deflater:
    """Deflates (level 1, raw, as `_deflated` packs a big part) and CRCs pieces of one part
    in their order on a second thread: zlib lets go of the GIL, so while it packs the
    sheet's old rows the caller makes the XML of the new ones (appending 50,000 Betalingen
    rows to a 75 MB sheet). At most DEFLATE_QUEUE bytes of new pieces wait (views of the
    sheet's own bytes cost nothing to keep), so memory stays as it was. The bytes are the
    ones one compressobj fed on the calling thread gives."""

    def __init__(self) -> None:
        self.packer = zlib.compressobj(1, zlib.DEFLATED, -15)
        self.raw = bytearray()  # grows in place: no second copy when it is done
        self.crc = 0
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="deflate")
        self.waiting: deque[tuple[Future[None], int]] = deque()
        self.queued = 0

    def _pack(self, piece: bytes | memoryview) -> None:
        self.crc = zlib.crc32(piece, self.crc)
        self.raw += self.packer.compress(piece)

    def add(self, piece: bytes | memoryview) -> None:
        cost = 0 if isinstance(piece, memoryview) else len(piece)
        while self.waiting and self.queued + cost > DEFLATE_QUEUE:
            self._done_first()
        self.waiting.append((self.pool.submit(self._pack, piece), cost))
        self.queued += cost

    def _done_first(self) -> None:
        future, cost = self.waiting.popleft()
        future.result()
        self.queued -= cost

    def finish(self) -> tuple[bytearray, int]:
        while self.waiting:
            self._done_first()
        self.raw += self.packer.flush()
        return self.raw, self.crc

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True, slots=True)
class _Member:
    """One zip member as the central directory describes it, plus where its data is."""

    name: str
    made_by: int
    needed: int
    flags: int
    method: int
    time: int
    date: int
    crc: int
    csize: int
    usize: int
    central_extra: bytes
    comment: bytes
    internal_attr: int
    external_attr: int
    local_extra: bytes
    data_start: int


class _Package:
    """The zip members of the workbook, with the changes made so far kept in memory."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.data = data
        self.members, self.comment = _read_members(path, data)
        self.by_lower = {m.name.lower(): m for m in self.members}
        self.originals: dict[str, bytes] = {}
        self.changed: dict[str, bytes | _Deflated] = {}
        self.added: dict[str, bytes | _Deflated] = {}
        self.removed: set[str] = set()

    @property
    def modified(self) -> bool:
        return bool(self.changed or self.added or self.removed)

    def name(self, part: str) -> str | None:
        """The member's name as stored (part names are case-insensitive in a package)."""
        if part in self.added:
            return part
        member = self.by_lower.get(part.lower())
        if member is None or member.name in self.removed:
            return None
        return member.name

    def read(self, part: str) -> bytes:
        name = self.name(part)
        if name is None:
            raise PatchError(f"De werkmap '{self.path}' mist het onderdeel '{part}'.")
        content = self.added.get(name, self.changed.get(name))
        if isinstance(content, _Deflated):
            return content.content()  # rare: no edit reads an appended-to sheet again
        if content is not None:
            return content
        return self._original(name)

    def _original(self, name: str) -> bytes:
        if name not in self.originals:
            member = self.by_lower[name.lower()]
            raw = self.data[member.data_start : member.data_start + member.csize]
            if member.method == _STORED:
                content = raw
            elif member.method == _DEFLATED:
                try:
                    content = zlib.decompressobj(-15).decompress(raw)
                except zlib.error:
                    content = b""
            else:
                raise self._broken(f"onderdeel '{name}' gebruikt een onbekende compressie")
            if len(content) != member.usize or zlib.crc32(content) != member.crc:
                raise self._broken(f"onderdeel '{name}' is beschadigd")
            self.originals[name] = content
        return self.originals[name]

    def _broken(self, what: str) -> PatchError:
        return PatchError(
            f"De werkmap '{self.path}' kan niet bijgewerkt worden: {what}. Open hem in Excel, "
            f"sla hem opnieuw op en probeer het nog eens."
        )

    def write(self, part: str, content: bytes | _Deflated) -> None:
        OPERATIONS["write"] += 1
        name = self.name(part)
        if name is None:
            self.added[part] = content
        elif name in self.added:
            self.added[name] = content
        elif self._is_original(name, content):
            self.changed.pop(name, None)
        else:
            self.changed[name] = content

    def _is_original(self, name: str, content: bytes | _Deflated) -> bool:
        if isinstance(content, bytes):
            return content == self._original(name)
        member = self.by_lower[name.lower()]
        if (content.usize, content.crc) != (member.usize, member.crc):
            return False
        return content.content() == self._original(name)

    def write_pieces(self, part: str, pieces: Iterable[bytes | memoryview]) -> None:
        """Store a part given as pieces of its content, deflated as they come once they
        pass BIG_PART, so that a big sheet's new XML is never whole in memory; a smaller
        part is stored as `write` stores it (the same content either way). The deflating
        is done by a second thread (`_Deflater`) while the caller makes the next pieces."""
        held: list[bytes | memoryview] = []
        size = 0
        deflater = None
        try:
            for piece in pieces:
                size += len(piece)
                if deflater is not None:
                    deflater.add(piece)
                    continue
                held.append(piece)
                if size > BIG_PART:
                    deflater = _Deflater()
                    for kept in held:
                        deflater.add(kept)
                    held = []
            if deflater is None:
                self.write(part, b"".join(held))
                return
            raw, crc = deflater.finish()
        finally:
            if deflater is not None:
                deflater.close()
        self.write(part, _Deflated(raw, crc, size))
        # The part's original XML is not needed again (it is decompressed anew if it is).
        name = self.name(part)
        if name is not None:
            self.originals.pop(name, None)

    def remove(self, part: str) -> None:
        name = self.name(part)
        if name is None:
            return
        if name in self.added:
            del self.added[name]
        else:
            self.changed.pop(name, None)
            self.removed.add(name)

    def changed_names(self) -> tuple[str, ...]:
        kept = [m.name for m in self.members if m.name in self.changed]
        return (*kept, *self.added)

    def build(self) -> list[bytes | bytearray | memoryview]:
        """The new package, as the pieces to write one after the other (never joined: the
        package of an MT940 import is 80 MB): untouched members copied raw, in their order;
        new ones last."""
        chunks: list[bytes | bytearray | memoryview] = []
        data = memoryview(self.data)
        central: list[bytes] = []
        offset = 0
        stamp = self.members[0] if self.members else None
        raw: bytes | bytearray | memoryview
        for member in self.members:
            if member.name in self.removed:
                continue
            if member.name in self.changed:
                entry = _deflated(member, self.changed[member.name])
                raw = entry[1]
                member = entry[0]
            else:
                raw = data[member.data_start : member.data_start + member.csize]
            header, record = _headers(member, offset)
            chunks += (header, raw)
            central.append(record)
            offset += len(header) + len(raw)
        for name, content in self.added.items():
            template = _Member(
                name, 20, 20, 0, _DEFLATED, stamp.time if stamp else 0,
                stamp.date if stamp else 33, 0, 0, 0, b"", b"", 0, 0, b"", 0,
            )  # fmt: skip
            member, raw = _deflated(template, content)
            header, record = _headers(member, offset)
            chunks += (header, raw)
            central.append(record)
            offset += len(header) + len(raw)
        directory = b"".join(central)
        if offset + len(directory) >= 0xFFFFFFFF or len(central) >= 0xFFFF:
            raise self._broken("het resultaat zou groter worden dan een gewone zip toelaat")
        end = _END.pack(
            b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset,
            len(self.comment),
        )  # fmt: skip
        return [*chunks, directory, end, self.comment]


def _deflated(member: _Member, content: bytes | _Deflated) -> tuple[_Member, bytes | bytearray]:
    if isinstance(content, _Deflated):
        raw, crc, usize = content.raw, content.crc, content.usize
    else:
        level = 1 if len(content) > BIG_PART else 6
        packer = zlib.compressobj(level, zlib.DEFLATED, -15)
        raw = packer.compress(content) + packer.flush()
        crc, usize = zlib.crc32(content), len(content)
    flags = member.flags & ~(_DATA_DESCRIPTOR | 0x06)  # bits 1-2: the level hint
    if not member.name.isascii():
        flags |= _UTF8_NAME
    new = _Member(
        member.name, member.made_by, max(member.needed, 20), flags, _DEFLATED, member.time,
        member.date, crc, len(raw), usize, member.central_extra,
        member.comment, member.internal_attr, member.external_attr, member.local_extra, 0,
    )  # fmt: skip
    return new, raw


def _headers(member: _Member, offset: int) -> tuple[bytes, bytes]:
    """The local header and central record of `member` placed at `offset`."""
    name = member.name.encode("utf-8" if member.flags & _UTF8_NAME else "cp437")
    # Sizes and CRC go in the local header, so the data descriptor flag is cleared.
    flags = member.flags & ~_DATA_DESCRIPTOR
    local = _LOCAL.pack(
        b"PK\x03\x04", member.needed, flags, member.method, member.time, member.date,
        member.crc, member.csize, member.usize, len(name), len(member.local_extra),
    )  # fmt: skip
    record = _CENTRAL.pack(
        b"PK\x01\x02", member.made_by, member.needed, flags, member.method, member.time,
        member.date, member.crc, member.csize, member.usize, len(name),
        len(member.central_extra), len(member.comment), 0, member.internal_attr,
        member.external_attr, offset,
    )  # fmt: skip
    return (
        local + name + member.local_extra,
        record + name + member.central_extra + member.comment,
    )


def _read_members(path: Path, data: bytes) -> tuple[list[_Member], bytes]:
    def broken(what: str) -> PatchError:
        return PatchError(
            f"De werkmap '{path}' kan niet bijgewerkt worden: {what}. Open hem in Excel, sla "
            f"hem opnieuw op en probeer het nog eens."
        )

    end_at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end_at < 0 or end_at + _END.size > len(data):
        raise broken("het is geen geldig zip-bestand")
    _, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, comment_len = _END.unpack_from(
        data, end_at
    )
    zip64 = data.rfind(b"PK\x06\x07", max(0, end_at - 20), end_at) >= 0
    if zip64 or 0xFFFF in (n_disk, n_total) or 0xFFFFFFFF in (cd_size, cd_offset):
        raise broken("het is een Zip64-bestand (groter dan 4 GB of zeer veel onderdelen)")
    if disk or cd_disk or n_disk != n_total:
        raise broken("het zip-bestand bestaat uit meerdere delen")
    comment = data[end_at + _END.size : end_at + _END.size + comment_len]
    members: list[_Member] = []
    pos = cd_offset
    for _ in range(n_total):
        if data[pos : pos + 4] != b"PK\x01\x02":
            raise broken("de inhoudsopgave van het zip-bestand is beschadigd")
        fields = _CENTRAL.unpack_from(data, pos)
        (
            _, made_by, needed, flags, method, mtime, mdate, crc, csize, usize,
            name_len, extra_len, comment_len, _, internal_attr, external_attr, local_at,
        ) = fields  # fmt: skip
        start = pos + _CENTRAL.size
        raw_name = data[start : start + name_len]
        extra = data[start + name_len : start + name_len + extra_len]
        member_comment = data[
            start + name_len + extra_len : start + name_len + extra_len + comment_len
        ]
        pos = start + name_len + extra_len + comment_len
        name = raw_name.decode("utf-8" if flags & _UTF8_NAME else "cp437")
        if flags & _ENCRYPTED:
            raise broken(f"onderdeel '{name}' is versleuteld")
        if 0xFFFFFFFF in (csize, usize, local_at) or _has_zip64_extra(extra):
            raise broken("het is een Zip64-bestand (groter dan 4 GB)")
        if data[local_at : local_at + 4] != b"PK\x03\x04":
            raise broken(f"onderdeel '{name}' staat niet waar de inhoudsopgave zegt")
        local = _LOCAL.unpack_from(data, local_at)
        local_name_len, local_extra_len = local[9], local[10]
        name_at = local_at + _LOCAL.size
        if data[name_at : name_at + local_name_len] != raw_name:
            raise broken(f"onderdeel '{name}' heeft twee verschillende namen")
        local_extra = data[name_at + local_name_len : name_at + local_name_len + local_extra_len]
        data_start = name_at + local_name_len + local_extra_len
        if data_start + csize > cd_offset:
            raise broken(f"onderdeel '{name}' loopt door in de inhoudsopgave")
        members.append(
            _Member(
                name,
                made_by,
                needed,
                flags,
                method,
                mtime,
                mdate,
                crc,
                csize,
                usize,
                extra,
                member_comment,
                internal_attr,
                external_attr,
                local_extra,
                data_start,
            )
        )
    return members, comment


def _has_zip64_extra(extra: bytes) -> bool:
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        if tag == 0x0001:
            return True
        pos += 4 + size
    return False


# --- small XML helpers (bytes) ----------------------------------------------------------

_ATTR = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attrs(start_tag: bytes) -> dict[str, str]:
    return {
        m.group(1).decode(): html.unescape((m.group(2) or m.group(3) or b"").decode("utf-8"))
        for m in _ATTR.finditer(start_tag)
    }


def _set_attr(start_tag: bytes, name: str, value: str | None) -> bytes:
    """`start_tag` with attribute `name` set to `value` (None removes it)."""
    pattern = re.compile(rb"\s" + re.escape(name.encode()) + rb"""\s*=\s*(?:"[^"]*"|'[^']*')""")
    found = pattern.search(start_tag)
    if value is None:
        return pattern.sub(b"", start_tag) if found else start_tag
    new = b" " + name.encode() + b'="' + _escape_attr(value).encode() + b'"'
    if found:
        return start_tag[: found.start()] + new + start_tag[found.end() :]
    end = len(start_tag) - (2 if start_tag.endswith(b"/>") else 1)
    return start_tag[:end] + new + start_tag[end:]


def _escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escape_attr(text: str) -> str:
    return _escape_text(text).replace('"', "&quot;")


def _start_tag(xml: bytes, local: str, start: int = 0) -> re.Match[bytes] | None:
    return re.compile(rb"<(?:[\w.-]+:)?" + local.encode() + rb"(?=[\s/>])[^>]*>").search(xml, start)


def _element_end(xml: bytes, tag: re.Match[bytes]) -> int:
    """Where the element opened by `tag` ends (after its end tag)."""
    if tag.group(0).endswith(b"/>"):
        return tag.end()
    qname = re.match(rb"<([\w:.-]+)", tag.group(0))
    assert qname is not None
    close = b"</" + qname.group(1) + b">"
    at = xml.find(close, tag.end())
    return at + len(close) if at >= 0 else tag.end()


def _remove_elements(
    xml: bytes, local: str, keep: Callable[[dict[str, str]], bool] | None = None
) -> tuple[bytes, int]:
    """`xml` without the elements named `local` for which keep(attrs) is false."""
    removed = 0
    pos = 0
    while (tag := _start_tag(xml, local, pos)) is not None:
        end = _element_end(xml, tag)
        if keep is not None and keep(_attrs(tag.group(0))):
            pos = end
            continue
        xml = xml[: tag.start()] + xml[end:]
        pos = tag.start()
        removed += 1
    return xml, removed


def _insert_before_close(xml: bytes, local: str, fragment: bytes) -> bytes:
    closes = list(re.finditer(rb"</(?:[\w.-]+:)?" + local.encode() + rb">", xml))
    if not closes:
        raise ValueError(local)
    at = closes[-1].start()
    return xml[:at] + fragment + xml[at:]


def _prefix(xml: bytes, root: str) -> str:
    """The prefix (with colon, or '') the part uses for its root element."""
    match = re.search(rb"<(?:([\w.-]+):)?" + root.encode() + rb"[\s/>]", xml)
    return match.group(1).decode() + ":" if match and match.group(1) else ""


def _tree(xml: bytes) -> ET.Element:
    return ET.fromstring(xml)


def _q(local: str, ns: str = MAIN_NS) -> str:
    return f"{{{ns}}}{local}"


# --- cell references --------------------------------------------------------------------


def _col_letters(col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def _parse_ref(ref: str) -> tuple[int, int]:
    """(column, row), both from 1, of a cell reference such as 'B12'."""
    match = _REF.fullmatch(ref.strip())
    if match is None:
        raise ValueError(ref)
    col = 0
    for char in match.group(1).upper():
        col = col * 26 + ord(char) - 64
    return col, int(match.group(2))


@dataclass(frozen=True, slots=True)
class _Area:
    left: int
    top: int
    right: int
    bottom: int

    @staticmethod
    def parse(ref: str) -> _Area:
        first, _, last = ref.partition(":")
        left, top = _parse_ref(first)
        right, bottom = _parse_ref(last or first)
        return _Area(min(left, right), min(top, bottom), max(left, right), max(top, bottom))

    def __str__(self) -> str:
        first = f"{_col_letters(self.left)}{self.top}"
        last = f"{_col_letters(self.right)}{self.bottom}"
        return first if first == last else f"{first}:{last}"

    def overlaps(self, other: _Area) -> bool:
        return not (
            other.right < self.left
            or other.left > self.right
            or other.bottom < self.top
            or other.top > self.bottom
        )

    def union(self, other: _Area) -> _Area:
        return _Area(
            min(self.left, other.left),
            min(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )


# --- the workbook's structure -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rel:
    id: str
    type: str
    target: str  # a part name, or the URL of an external target
    external: bool


@dataclass(frozen=True, slots=True)
class _Sheet:
    name: str
    part: str


@dataclass(frozen=True, slots=True)
class _Column:
    name: str
    formula: str | None  # calculatedColumnFormula
    array: bool


@dataclass(frozen=True, slots=True)
class _Table:
    name: str
    part: str
    sheet: _Sheet
    area: _Area
    header_rows: int
    totals_rows: int
    query: bool
    columns: tuple[_Column, ...]

    @property
    def data_top(self) -> int:
        return self.area.top + self.header_rows


def _rels_part(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _resolve(source: str, target: str) -> str:
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def _read_rels(package: _Package, part: str) -> list[_Rel]:
    rels_name = _rels_part(part) if part else "_rels/.rels"
    if package.name(rels_name) is None:
        return []
    rels = []
    for node in _tree(package.read(rels_name)).iter(_q("Relationship", PKG_REL_NS)):
        external = node.get("TargetMode") == "External"
        target = node.get("Target", "")
        rels.append(
            _Rel(
                node.get("Id", ""),
                node.get("Type", ""),
                target if external else _resolve(part, target),
                external,
            )
        )
    return rels


# --- values to cell XML -----------------------------------------------------------------

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_UNESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_EPOCH_1900, _EPOCH_1904 = date(1899, 12, 30), date(1904, 1, 1)
_FIRST_SERIAL_DATE = date(1900, 3, 1)  # before this Excel's 1900 leap-year bug shifts dates


@dataclass(frozen=True, slots=True)
class _CellValue:
    kind: str  # "" number, "b" boolean, "inlineStr" text
    inner: str  # the XML inside <c>, without the prefix applied yet
    is_date: bool = False


def _text_xml(text: str, p: str) -> str:
    """Inline string body: _xHHHH_ look-alikes escaped, blanks kept, CR kept as &#13;."""
    body = _escape_text(_ESCAPE_LIKE.sub(r"_x005F_\1", text)).replace("\r", "&#13;")
    space = _PRESERVE if _needs_preserve(text) else ""
    return f"<{p}is><{p}t{space}>{body}</{p}t></{p}is>"


def _needs_preserve(text: str) -> bool:
    """Whether Excel would drop blanks of `text` without xml:space="preserve"."""
    return text != text.strip() or "  " in text or "\n" in text or "\t" in text or "\r" in text


_PRESERVE = ' xml:space="preserve"'


def _escaped(texts: list[str]) -> tuple[list[str], list[str] | None] | None:
    """The bodies of `texts` (none empty) as `_text_xml` escapes them, and each one's
    xml:space attribute ("" or ' xml:space="preserve"'; None when no text needs it), made
    as one joined string: checked for control characters and length and escaped at once,
    a third of the time of a call per text. None when a check fails: the caller then goes
    text by text, which names the bad cell."""
    joined = _SEPARATOR.join(texts)
    if (
        not texts
        or joined.count(_SEPARATOR) != len(texts) - 1
        or _CONTROL_TEXT.search(joined)
        or max(map(len, texts)) > MAX_TEXT
    ):
        return None
    bodies = (
        _escape_text(_ESCAPE_LIKE.sub(r"_x005F_\1", joined))
        .replace("\r", "&#13;")
        .split(_SEPARATOR)
    )
    if not _keeps_space(joined, texts):
        return bodies, None
    return bodies, [_PRESERVE if _needs_preserve(t) else "" for t in texts]


def _text_cells(texts: list[str], p: str) -> dict[str, _CellValue]:
    """`_convert` of each of `texts` (distinct, none empty) at once (`_escaped`), for a
    Werklijst's 50,000 reasons and names. Empty when a check fails: the caller then converts
    cell by cell, which names the bad cell."""
    escaped = _escaped(texts)
    if escaped is None:
        return {}
    bodies, spaces = escaped
    template = f"<{p}is><{p}t{{}}>{{}}</{p}t></{p}is>"
    inner = list(map(template.format, spaces or repeat("", len(bodies)), bodies))
    return dict(zip(texts, map(_CellValue, repeat("inlineStr"), inner), strict=True))


_UNSEEN = _CellValue("", "")  # not yet converted (replace_sheet's texts)


def _convert(value: object, p: str, date1904: bool, where: str) -> _CellValue | None:
    """The cell body for `value`; `where` names the cell for the error message."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _CellValue("b", f"<{p}v>{int(value)}</{p}v>")
    if isinstance(value, int):
        return _CellValue("", f"<{p}v>{value}</{p}v>")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise PatchError(f"{where}: '{value}' is geen getal dat Excel kan opslaan.")
        return _CellValue("", f"<{p}v>{format(value, 'f')}</{p}v>")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise PatchError(f"{where}: '{value}' is geen getal dat Excel kan opslaan.")
        return _CellValue("", f"<{p}v>{value!r}</{p}v>")
    if isinstance(value, date):
        return _CellValue("", f"<{p}v>{_serial(value, date1904, where)}</{p}v>", is_date=True)
    if isinstance(value, str):
        if not value:
            return None
        bad = _CONTROL.search(value)
        if bad:
            raise PatchError(
                f"{where}: de tekst bevat een stuurteken (U+{ord(bad.group()):04X}) dat Excel "
                f"niet kan opslaan; haal het uit de tekst."
            )
        if len(value) > MAX_TEXT:
            raise PatchError(
                f"{where}: de tekst is {len(value)} tekens lang; een Excel-cel bevat er "
                f"hoogstens {MAX_TEXT}. Kort de tekst in."
            )
        return _CellValue("inlineStr", _text_xml(value, p))
    raise PatchError(
        f"{where}: waarden van het type {type(value).__name__} kunnen niet in een cel; "
        f"geef tekst, een getal, een datum of niets."
    )


def _serial(value: date, date1904: bool, where: str) -> str:
    if isinstance(value, datetime) and value.tzinfo is not None:
        raise PatchError(
            f"{where}: '{value}' heeft een tijdzone; Excel kent geen tijdzones. "
            f"Geef de lokale tijd zonder tijdzone."
        )
    day = value.date() if isinstance(value, datetime) else value
    if day < _FIRST_SERIAL_DATE:
        raise PatchError(
            f"{where}: de datum {day:%d-%m-%Y} ligt vóór 1 maart 1900 en kan in Excel niet "
            f"als datum staan; controleer de datum."
        )
    days = (day - (_EPOCH_1904 if date1904 else _EPOCH_1900)).days
    if not isinstance(value, datetime):
        return str(days)
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
    return repr(round(days + seconds / 86_400, 10))


def _style_attr(style: str | None) -> str:
    return f' s="{style}"' if style not in (None, "", "0") else ""


def _cell_xml(p: str, ref: str, cell: _CellValue | None, style: str | None) -> str:
    s = _style_attr(style)
    if cell is None:
        return f'<{p}c r="{ref}"{s}/>' if s else ""
    t = f' t="{cell.kind}"' if cell.kind else ""
    return f'<{p}c r="{ref}"{s}{t}>{cell.inner}</{p}c>'


# --- sheet XML by byte search -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _RowSpan:
    number: int
    start: int
    end: int


_CONTENT = re.compile(rb"<(?:[\w.-]+:)?(?:v|is|f)[\s/>]")
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s>/]")


@dataclass(frozen=True, slots=True)
class _Cell:
    col: int
    attrs: dict[str, str]
    body: bytes  # what is inside <c>...</c>
    start: int  # offsets in the sheet XML
    end: int

    @property
    def has_content(self) -> bool:
        return _CONTENT.search(self.body) is not None

    def formula(self) -> dict[str, str] | None:
        match = re.search(rb"<(?:[\w.-]+:)?f(?=[\s/>])[^>]*>", self.body)
        return _attrs(match.group(0)) if match else None


class _SheetXml:
    """A worksheet's XML with the positions of its sheetData; edits return new instances."""

    def __init__(self, xml: bytes, part: str, path: Path) -> None:
        self.part, self.path = part, path
        self.p = _prefix(xml, "worksheet")
        p = self.p.encode()
        open_tag = _start_tag(xml, "sheetData")
        if open_tag is None:
            raise PatchError(f"Het werkblad '{part}' in '{path}' heeft geen sheetData.")
        if open_tag.group(0).endswith(b"/>"):  # <sheetData/>: open it up
            opened = open_tag.group(0)[:-2].rstrip() + b">" + b"</" + p + b"sheetData>"
            xml = xml[: open_tag.start()] + opened + xml[open_tag.end() :]
            open_tag = _start_tag(xml, "sheetData")
            assert open_tag is not None
        self.xml = xml
        self.start = open_tag.end()
        self.end = xml.rfind(b"</" + p + b"sheetData>")
        if self.end < self.start:
            raise PatchError(f"Het werkblad '{part}' in '{path}' is beschadigd.")

    def rows_backwards(self) -> Iterator[_RowSpan]:
        """The rows from the last one up, found by searching bytes from the end."""
        OPERATIONS["scan"] += 1
        p = self.p.encode()
        tag, close = b"<" + p + b"row", b"</" + p + b"row>"
        xml, pos = self.xml, self.end
        while True:
            at = xml.rfind(tag, self.start, pos)
            if at < 0:
                return
            pos = at
            if xml[at + len(tag) : at + len(tag) + 1] not in (
                b" ",
                b">",
                b"/",
                b"\t",
                b"\n",
                b"\r",
            ):
                continue
            head_end = xml.find(b">", at) + 1
            head = xml[at:head_end]
            end = head_end if head.endswith(b"/>") else xml.find(close, head_end) + len(close)
            yield _RowSpan(self._row_number(head), at, end)

    def rows(self) -> Iterator[_RowSpan]:
        OPERATIONS["scan"] += 1
        p = re.escape(self.p.encode())
        pattern = re.compile(rb"<" + p + rb"row(?=[\s/>])[^>]*?(?:/>|>.*?</" + p + rb"row>)", re.S)
        for match in pattern.finditer(self.xml, self.start, self.end):
            head = self.xml[match.start() : self.xml.find(b">", match.start()) + 1]
            yield _RowSpan(self._row_number(head), match.start(), match.end())

    def _row_number(self, head: bytes) -> int:
        number = _attrs(head).get("r")
        if number is None or not number.isdigit():
            raise PatchError(
                f"Het werkblad '{self.part}' in '{self.path}' heeft rijen zonder rijnummer; "
                f"open de werkmap in Excel, sla hem opnieuw op en probeer het nog eens."
            )
        return int(number)

    def written_cell(self, row: _RowSpan, col: int) -> _Cell | None:
        """The cell in column `col` of `row` when it is written as Excel writes it
        (``<c r="B7" ...>``), found by a byte search instead of parsing the whole row; None
        when it is not found that way (absent, or written otherwise: `cells` decides)."""
        p = self.p.encode()
        xml = self.xml
        ref = (_col_letters(col) + str(row.number)).encode()
        at = xml.find(b"<" + p + b'c r="' + ref + b'"', row.start, row.end)
        head_end = xml.find(b">", at, row.end) if at >= 0 else -1
        if head_end < 0:
            return None
        attrs = _attrs(xml[at + len(p) + 2 : head_end])
        if xml[head_end - 1 : head_end] == b"/":
            return _Cell(col, attrs, b"", at, head_end + 1)
        close = b"</" + p + b"c>"
        end = xml.find(close, head_end, row.end)
        if end < 0:
            return None
        return _Cell(col, attrs, xml[head_end + 1 : end], at, end + len(close))

    def cells(self, row: _RowSpan) -> list[_Cell]:
        p = re.escape(self.p.encode())
        pattern = re.compile(rb"<" + p + rb"c(?=[\s/>])([^>]*?)(?:/>|>(.*?)</" + p + rb"c>)", re.S)
        cells = []
        for match in pattern.finditer(self.xml, row.start, row.end):
            attrs = _attrs(match.group(1))
            if "r" not in attrs:
                raise PatchError(
                    f"Het werkblad '{self.part}' in '{self.path}' heeft cellen zonder adres; "
                    f"open de werkmap in Excel, sla hem opnieuw op en probeer het nog eens."
                )
            col, _ = _parse_ref(attrs["r"])
            cells.append(_Cell(col, attrs, match.group(2) or b"", match.start(), match.end()))
        return cells

    def tail(self) -> bytes:
        return self.xml[self.end :]

    def splice(self, start: int, end: int, fragment: bytes) -> bytes:
        return self.splice_many(((start, end, fragment),))

    def splice_many(self, edits: Sequence[tuple[int, int, bytes]]) -> bytes:
        """The XML with each (start, end) range replaced by its fragment; the ranges are
        disjoint. One copy of the sheet however many ranges."""
        OPERATIONS["copy"] += 1
        chunks: list[bytes] = []
        at = 0
        # By (start, end): a fragment inserted at an offset (start == end) goes before the
        # range that is replaced from that offset.
        for start, end, fragment in sorted(edits, key=itemgetter(0, 1)):
            chunks += (self.xml[at:start], fragment)
            at = end
        chunks.append(self.xml[at:])
        return b"".join(chunks)

    def splice_pieces(
        self, edits: Sequence[tuple[int, int, bytes | Iterable[bytes]]]
    ) -> Iterator[bytes | memoryview]:
        """What `splice_many` joins, piece by piece, a fragment given as pieces passed on
        as they come (for `_Package.write_pieces`); the sheet's own bytes as views of
        them, not copies."""
        OPERATIONS["copy"] += 1
        at = 0
        xml = memoryview(self.xml)
        for start, end, fragment in sorted(edits, key=itemgetter(0, 1)):  # as splice_many
            yield xml[at:start]
            if isinstance(fragment, bytes):
                yield fragment
            else:
                yield from fragment
            at = end
        yield xml[at:]


# A <col> (CT_Col has no children: self-closing, or opened and closed at once).
_COL = re.compile(rb"(<(?:[\w.-]+:)?col(?=[\s/>])[^>]*>)(?:(?<=/>)|\s*</(?:[\w.-]+:)?col>)")


def _empty_cells(sheet: _SheetXml, columns: Iterable[int]) -> Iterator[re.Match[bytes]]:
    """The cells in `columns` without content (no value, formula or inline text), written
    as Excel and openpyxl write them (``<c r="E7" .../>`` or ``<c r="E7" ...></c>``); the
    start tag is group 1. The reference first in the pattern keeps it to a byte search for
    ``<c r="`` with a quick check of the letters: 0.3 s over the 150 MB of sheets of a
    100,000-invoice book, where trying every tag took 2.5 s."""
    p = re.escape(sheet.p.encode())
    letters = b"|".join(_col_letters(col).encode() for col in sorted(columns))
    pattern = re.compile(
        rb"(<" + p + rb'c r="(?:' + letters + rb')\d+"[^<>/]*(?:/>|>))(?:(?<=/>)|</' + p + rb"c>)"
    )
    return pattern.finditer(sheet.xml, sheet.start, sheet.end)


def _restyled_cols(
    entries: Sequence[tuple[int, int, bytes]], columns: set[int], style: str, blank: bytes
) -> list[bytes]:
    """The <col> elements (min, max, start tag; sorted, disjoint) with each of `columns` in
    one of its own with `style`: a range covering it is split around it (the pieces keep
    its width and other attributes), a column no range covers gets `blank`."""
    pending = sorted(columns)

    def piece(head: bytes, low: int, high: int, styled: bool) -> bytes:
        head = _set_attr(_set_attr(head, "min", str(low)), "max", str(high))
        return _set_attr(head[:-2].rstrip() + b"/>", "style", style) if styled else head

    out: list[bytes] = []
    for low, high, head in entries:
        while pending and pending[0] < low:
            col = pending.pop(0)
            out.append(piece(blank, col, col, True))
        inside = []
        while pending and pending[0] <= high:
            inside.append(pending.pop(0))
        if not inside:
            out.append(head)
            continue
        start = low
        for col in inside:
            if col > start:
                out.append(piece(head, start, col - 1, False))
            out.append(piece(head, col, col, True))
            start = col + 1
        if start <= high:
            out.append(piece(head, start, high, False))
    out += [piece(blank, col, col, True) for col in pending]
    return out


def _insertion_point(sheet: _SheetXml, first: int, last: int) -> tuple[int, int]:
    """The byte range the new rows first..last replace: the (empty) rows already numbered
    first..last, or an empty range right after the last row above them."""
    replace_from = replace_to = below = None
    for span in sheet.rows_backwards():
        if span.number > last:
            below = span.start
        elif span.number >= first:
            replace_to = replace_to or span.end
            replace_from = span.start
        else:
            if replace_from is not None and replace_to is not None:
                return replace_from, replace_to
            return span.end, span.end
    if replace_from is not None and replace_to is not None:
        return replace_from, replace_to
    at = below if below is not None else sheet.end
    return at, at


def _with_dimension(xml: bytes, area: _Area | None) -> bytes:
    """Grow <dimension ref> to cover `area` (or set it to A1 for an empty sheet)."""
    edit = _dimension_edit(xml, area)
    if edit is None:
        return xml
    start, end, tag = edit
    return xml[:start] + tag + xml[end:]


def _dimension_edit(xml: bytes, area: _Area | None) -> tuple[int, int, bytes] | None:
    """The byte range of <dimension> and its new tag (see `_with_dimension`), so a caller
    that splices the sheet anyway can do both in one copy; None without a dimension."""
    # dimension comes before sheetData: never search the rows of a big sheet for it
    data = _start_tag(xml, "sheetData")
    tag = _start_tag(xml[: data.start()] if data else xml, "dimension")
    if tag is None:
        return None  # optional in the format; openpyxl's write-only mode leaves it out
    if area is None:
        ref = "A1"
    else:
        old = _attrs(tag.group(0)).get("ref", "")
        try:
            ref = str(_Area.parse(old).union(area)) if old else str(area)
        except ValueError:
            ref = str(area)
    return tag.start(), tag.end(), _set_attr(tag.group(0), "ref", ref)


# --- styles ---------------------------------------------------------------------------


def _is_date_format(code: str) -> bool:
    # Quoted text, [colour]/[$-413] brackets and backslash escapes do not make a date.
    code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)
    return re.search(r"[dmyhs]", code, re.I) is not None and "general" not in code.lower()


class _Styles:
    """The cell formats of styles.xml, to reuse a date format or add exactly one."""

    def __init__(self, package: _Package, part: str | None, path: Path) -> None:
        self.package, self.part, self.path = package, part, path
        self.formats: list[int] = []
        self.custom: dict[int, str] = {}
        self.added: int | None = None
        self.text: int | None = None
        self._xf_cache: dict[CellFormat, str] = {}
        self._text_like: dict[int, str] = {}  # cellXfs index -> its Text twin (text_like)
        if part is not None:
            root = _tree(package.read(part))
            for node in root.iter(_q("numFmt")):
                self.custom[int(node.get("numFmtId", "0"))] = node.get("formatCode", "")
            xfs = root.find(_q("cellXfs"))
            if xfs is not None:
                self.formats = [int(xf.get("numFmtId", "0")) for xf in xfs.findall(_q("xf"))]

    def is_date(self, style: str | None) -> bool:
        index = int(style) if style and style.isdigit() else 0
        if index >= len(self.formats):
            return False
        fmt = self.formats[index]
        if fmt in DATE_NUMFMT_IDS:
            return True
        return fmt in self.custom and _is_date_format(self.custom[fmt])

    def date_style(self) -> str:
        for index in range(len(self.formats)):
            if self.is_date(str(index)):
                return str(index)
        if self.added is None:
            if self.part is None:
                raise PatchError(
                    f"De werkmap '{self.path}' heeft geen opmaakonderdeel (styles.xml), dus een "
                    f"datum kan niet als datum getoond worden; sla de werkmap op in Excel."
                )
            self.added = self._add_xf(NEW_DATE_NUMFMT)
        return str(self.added)

    def is_text(self, style: str | None) -> bool:
        index = int(style) if style and style.isdigit() else 0
        return index < len(self.formats) and self.formats[index] == TEXT_NUMFMT

    def text_style(self) -> str:
        """The cellXfs index of plain Text: an entry with numFmtId 49 and nothing else
        (default font, fill, border; no alignment), else exactly one added. A new workbook
        has one (book_writer's column style), so a second run finds what the first added."""
        if self.text is None:
            if self.part is None:
                raise PatchError(
                    f"De werkmap '{self.path}' heeft geen opmaakonderdeel (styles.xml), dus "
                    f"kolommen kunnen niet als Tekst opgemaakt worden; sla de werkmap op in Excel."
                )
            xfs = _tree(self.package.read(self.part)).find(_q("cellXfs"))
            for index, xf in enumerate(xfs.findall(_q("xf")) if xfs is not None else ()):
                plain = all(xf.get(a, "0") == "0" for a in ("fontId", "fillId", "borderId", "xfId"))
                if (
                    xf.get("numFmtId") == str(TEXT_NUMFMT)
                    and plain
                    and xf.get("quotePrefix", "0") in ("0", "false")
                    and not len(xf)
                ):
                    self.text = index
                    break
            else:
                self.text = self._add_xf(TEXT_NUMFMT)
        return str(self.text)

    def text_like(self, style: str | None) -> str:
        """The cellXfs index of `style` made Text: the same font, fill, border and
        alignment with numFmtId 49 (an equal entry reused, else one added), so a cell
        given it in a row with a row style keeps the row's look. Plain Text (text_style)
        for the default style and for an entry with other children than alignment and
        protection (an extLst is not ours to copy)."""
        if self.is_text(style):
            return style or "0"
        index = int(style) if style and style.isdigit() else 0
        if index == 0 or index >= len(self.formats) or self.part is None:
            return self.text_style()
        if index not in self._text_like:
            xml = self.package.read(self.part)
            p = re.escape(_prefix(xml, "styleSheet").encode())
            tag = _start_tag(xml, "cellXfs")
            assert tag is not None  # self.formats came from it
            entries = re.compile(
                rb"<" + p + rb"xf(?=[\s/>])[^>]*?(?:/>|>.*?</" + p + rb"xf>)", re.S
            ).findall(xml, tag.end(), _element_end(xml, tag))
            entry = entries[index]
            head_end = entry.find(b">") + 1
            head, body = entry[:head_end], entry[head_end:]
            children = re.findall(rb"<(?:[\w.-]+:)?([\w.-]+)(?=[\s/>])", body)
            if set(children) - {b"alignment", b"protection"}:
                return self.text_style()
            head = _set_attr(head, "numFmtId", str(TEXT_NUMFMT))
            head = _set_attr(head, "applyNumberFormat", "1")
            # _member compares by meaning, so a second run finds the entry the first added.
            found = self._member("cellXfs", (head + body).decode("utf-8"))
            if found == len(self.formats):
                self.formats.append(TEXT_NUMFMT)
            self._text_like[index] = str(found)
        return self._text_like[index]

    def _add_xf(self, num_fmt: int) -> int:
        """A cellXfs entry with built-in number format `num_fmt` and nothing else, added."""
        assert self.part is not None
        xml = self.package.read(self.part)
        p = _prefix(xml, "styleSheet")
        tag = _start_tag(xml, "cellXfs")
        if tag is None or tag.group(0).endswith(b"/>"):
            raise PatchError(
                f"De opmaak van de werkmap '{self.path}' heeft geen celopmaken; sla de werkmap "
                f"opnieuw op in Excel en probeer het nog eens."
            )
        index = len(self.formats)
        xf = (
            f'<{p}xf numFmtId="{num_fmt}" fontId="0" fillId="0" borderId="0" '
            f'xfId="0" applyNumberFormat="1"/>'
        ).encode()
        head = _set_attr(tag.group(0), "count", str(index + 1))
        xml = xml[: tag.start()] + head + xml[tag.end() :]
        xml = _insert_before_close(xml, "cellXfs", xf)
        self.package.write(self.part, xml)
        self.formats.append(num_fmt)
        return index

    # cell formats of tool-written sheets (core.sheet_layout.Style -> sheet_styles.CellFormat)

    def xf_for(self, fmt: CellFormat) -> str:
        """The cellXfs index of `fmt`: an identical entry already there, else one added.

        Entries are compared by meaning (element names, attributes, children), so the second
        run finds what the first added and styles.xml stays as the first run left it."""
        if fmt in self._xf_cache:
            return self._xf_cache[fmt]
        if self.part is None:
            raise PatchError(
                f"De werkmap '{self.path}' heeft geen opmaakonderdeel (styles.xml); sla de "
                f"werkmap op in Excel en probeer het opnieuw."
            )
        num_fmt = self._num_fmt_id(fmt.number_format)
        font = self._member("fonts", self._font_xml(fmt)) if self._font_needed(fmt) else 0
        fill = self._member("fills", self._fill_xml(fmt.fill)) if fmt.fill else 0
        attrs = f'numFmtId="{num_fmt}" fontId="{font}" fillId="{fill}" borderId="0" xfId="0"'
        applied = [
            name
            for name, used in (
                ("applyNumberFormat", num_fmt != 0),
                ("applyFont", font != 0),
                ("applyFill", fill != 0),
                ("applyAlignment", fmt.wrap or fmt.vertical is not None),
            )
            if used
        ]
        attrs += "".join(f' {name}="1"' for name in applied)
        align = ""
        if fmt.wrap or fmt.vertical is not None:
            parts = (' vertical="' + fmt.vertical + '"' if fmt.vertical else "") + (
                ' wrapText="1"' if fmt.wrap else ""
            )
            align = f"<{{p}}alignment{parts}/>"
        body = f"<{{p}}xf {attrs}>{align}</{{p}}xf>" if align else f"<{{p}}xf {attrs}/>"
        index = self._member("cellXfs", body)
        if index == len(self.formats):
            self.formats.append(num_fmt)
        self._xf_cache[fmt] = str(index)
        return str(index)

    @staticmethod
    def _font_needed(fmt: CellFormat) -> bool:
        return bool(fmt.bold or fmt.italic or fmt.underline or fmt.size or fmt.colour)

    def _font_xml(self, fmt: CellFormat) -> str:
        """A font like the workbook's default font (fonts[0]) with the format's changes."""
        root = _tree(self.package.read(self.part or ""))
        base = root.find(f"{_q('fonts')}/{_q('font')}")
        values: dict[str, str] = {}
        if base is not None:
            for child in base:
                values[child.tag.rsplit("}", 1)[-1]] = child.get("val", "")
        size = fmt.size or float(values.get("sz") or 11)
        out = "".join(
            f"<{{p}}{tag}/>"
            for tag, on in (("b", fmt.bold), ("i", fmt.italic), ("u", fmt.underline))
            if on
        )
        out += f'<{{p}}sz val="{size:g}"/>'
        out += f'<{{p}}color rgb="{fmt.colour}"/>' if fmt.colour else '<{p}color theme="1"/>'
        out += f'<{{p}}name val="{_escape_attr(values.get("name") or "Calibri")}"/>'
        if values.get("family"):
            out += f'<{{p}}family val="{values["family"]}"/>'
        if values.get("scheme"):
            out += f'<{{p}}scheme val="{values["scheme"]}"/>'
        return f"<{{p}}font>{out}</{{p}}font>"

    @staticmethod
    def _fill_xml(colour: str) -> str:
        return (
            f'<{{p}}fill><{{p}}patternFill patternType="solid"><{{p}}fgColor rgb="{colour}"/>'
            f'<{{p}}bgColor indexed="64"/></{{p}}patternFill></{{p}}fill>'
        )

    def _member(self, group: str, template: str) -> int:
        """The index of the child of <group> equal to `template` ({p} is the prefix), added
        at the end (count updated) when there is none."""
        xml = self.package.read(self.part or "")
        p = _prefix(xml, "styleSheet")
        fragment = template.replace("{p}", p)
        wanted = _canonical(ET.fromstring(fragment.replace(f"<{p}", "<").replace(f"</{p}", "</")))
        root = _tree(xml)
        holder = root.find(_q(group))
        children = list(holder) if holder is not None else []
        for k, child in enumerate(children):
            if _canonical(child) == wanted:
                return k
        tag = _start_tag(xml, group)
        if tag is None or tag.group(0).endswith(b"/>"):
            raise PatchError(
                f"De opmaak van de werkmap '{self.path}' mist '{group}'; sla de werkmap "
                f"opnieuw op in Excel en probeer het nog eens."
            )
        head = _set_attr(tag.group(0), "count", str(len(children) + 1))
        xml = xml[: tag.start()] + head + xml[tag.end() :]
        xml = _insert_before_close(xml, group, fragment.encode("utf-8"))
        self.package.write(self.part or "", xml)
        return len(children)

    def _num_fmt_id(self, code: str | None) -> int:
        if code is None:
            return 0
        for number, known in self.custom.items():
            if known == code:
                return number
        xml = self.package.read(self.part or "")
        p = _prefix(xml, "styleSheet")
        number = max([163, *self.custom]) + 1
        entry = f'<{p}numFmt numFmtId="{number}" formatCode="{_escape_attr(code)}"/>'.encode()
        tag = _start_tag(xml, "numFmts")
        if tag is not None and not tag.group(0).endswith(b"/>"):
            head = _set_attr(tag.group(0), "count", str(len(self.custom) + 1))
            xml = xml[: tag.start()] + head + xml[tag.end() :]
            xml = _insert_before_close(xml, "numFmts", entry)
        else:
            if tag is not None:  # <numFmts/>: drop it, a full one follows
                xml = xml[: tag.start()] + xml[tag.end() :]
            root_tag = _start_tag(xml, "styleSheet")
            assert root_tag is not None
            block = f'<{p}numFmts count="1">'.encode() + entry + f"</{p}numFmts>".encode()
            xml = xml[: root_tag.end()] + block + xml[root_tag.end() :]
        self.package.write(self.part or "", xml)
        self.custom[number] = code
        return number


def _canonical(element: ET.Element) -> tuple[object, ...]:
    """An element as comparable data: local names, attributes, children; no whitespace."""
    return (
        element.tag.rsplit("}", 1)[-1],
        tuple(sorted((k.rsplit("}", 1)[-1], v) for k, v in element.attrib.items())),
        tuple(_canonical(child) for child in element),
    )


# --- the edits ------------------------------------------------------------------------


@dataclass(slots=True)
class _RowEdit:
    """A row being edited: its original cells, and the new XML (with its style) of the
    cells set so far."""

    span: _RowSpan
    cells: dict[int, _Cell | tuple[str, str | None]]

    def splice(self, sheet: _SheetXml) -> tuple[int, int, bytes]:
        """The row's byte range and its new XML: untouched cells as their original bytes,
        in column order."""
        xml, span = sheet.xml, self.span
        parts = [
            xml[c.start : c.end] if isinstance(c, _Cell) else c[0].encode("utf-8")
            for _, c in sorted(self.cells.items())
        ]
        head_end = xml.find(b">", span.start) + 1
        # spans is only a hint for the row's cell range; a changed row goes without it.
        head = _set_attr(xml[span.start : head_end], "spans", None)
        return span.start, span.end, head + b"".join(parts) + f"</{sheet.p}row>".encode()


_ABSENT = object()  # a header the appended row does not name


def _row_headers(rows: Sequence[Mapping[str, object]]) -> set[str]:
    """Every header some row names."""
    if isinstance(rows, ColumnRows):
        return set(rows.headers)
    return {h for row in rows for h in row}


ROW_BATCH = 10_000  # appended rows made into XML at a time (see _NewRows.pieces)
_SEPARATOR = "\x01"  # joins a column's texts; a control character, so in no valid text
_CONTROL_TEXT = re.compile("[\x00\x02-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# A text that needs xml:space="preserve" (see _text_xml), found in a column's joined texts.
_KEEP_SPACE = re.compile(r"(?:\A|\x01)\s|\s(?:\x01|\Z)|  |[\n\t\r]")


def _keeps_space(joined: str, texts: list[str]) -> bool:
    """Whether any of `texts` (none empty, no control characters; `joined` is them joined
    by _SEPARATOR) needs xml:space="preserve": `_KEEP_SPACE.search(joined)`, answered by
    substring tests and the texts' first and last characters (str.isspace is re's \\s), a
    tenth of the time of the pattern, which tries its four branches at every character."""
    return (
        "  " in joined
        or "\n" in joined
        or "\t" in joined
        or "\r" in joined
        or any(map(str.isspace, map(itemgetter(0), texts)))
        or any(map(str.isspace, map(itemgetter(-1), texts)))
    )


class _Fragment(NamedTuple):
    """A column's cells that differ only in their row number and, when `values` is given,
    one value: cell k is head + row number + mid (+ values[k] + tail). `_NewRows._xml` puts
    head, mid and tail into its row template once, so that the cells are never made one by
    one (a third of appending 50,000 bank lines)."""

    head: str
    mid: str
    values: list[str] | None = None
    tail: str = ""


def _braced(text: str) -> str:
    """`text` as literal text of a str.format template."""
    return text.replace("{", "{{").replace("}", "}}")


def _cells_of(cells: _Fragment | list[str], numbers: list[str]) -> list[str]:
    """The cells of rows `numbers` one by one (a list stays as it is)."""
    if isinstance(cells, list):
        return cells
    if cells.values is None:
        return list(map(add, map(add, repeat(cells.head), numbers), repeat(cells.mid)))
    template = f"{_braced(cells.head)}{{}}{_braced(cells.mid)}{{}}{_braced(cells.tail)}"
    return list(map(template.format, numbers, cells.values))


class _NewRows:
    """The XML of rows appended below a table, built column by column.

    Per column, what does not change from row to row is worked out once: a template of the
    cell with its letter, style and type, into which only the row number and the value go
    (the calculated column's formula is part of its template). A column's values are
    converted together where they share a type: the texts are checked for control
    characters and length, and escaped, as one joined string; numbers and dates go through
    C-level `map`. Anything unusual (a bool, a datetime, a text that fails a check) takes
    the per-cell path `_convert`, which gives the same XML, or raises the PatchError that
    names the cell. The rows are then put together with one format call each.

    This is done ROW_BATCH rows at a time (`pieces`), so that what is held at once is the
    column strings of one batch, not of 655,000 rows (an MT940 import: 12 columns of them
    would be 800 MB); the XML is the same as in one go.
    """

    def __init__(
        self,
        editor: _Editor,
        table: _Table,
        p: str,
        positions: Mapping[str, int],
        last_cells: Mapping[int, _Cell],
        first: int,
        rows: Sequence[Mapping[str, object]],
    ) -> None:
        self.editor, self.table, self.p, self.rows = editor, table, p, rows
        self.first = first
        self.numbers: list[str] = []  # the row numbers of a batch (`pieces`), as text
        self.styles = {col: cell.attrs.get("s") for col, cell in last_cells.items()}
        self.formulas = {
            table.area.left + i: c.formula
            for i, c in enumerate(table.columns)
            if c.formula is not None
        }
        self.headers: dict[int, list[str]] = {}
        for header, col in positions.items():
            self.headers.setdefault(col, []).append(header)
        self.date_styles: dict[str | None, str | None] = {}

    def pieces(self) -> Iterator[bytes]:
        """The XML of the rows, ROW_BATCH rows a piece."""
        rows = self.rows
        for start in range(0, len(rows), ROW_BATCH):
            OPERATIONS["batch"] += 1
            batch = copy.copy(self)  # shares the styles found so far (date_styles)
            batch.rows = rows if len(rows) <= ROW_BATCH else rows[start : start + ROW_BATCH]
            first = self.first + start
            batch.numbers = list(map(str, range(first, first + len(batch.rows))))
            yield batch._xml()

    def _xml(self) -> bytes:
        p, table = self.p, self.table
        # The row template: the row number is argument 0, each column's values (a
        # _Fragment's) or cells (a list) the next argument; a constant cell has none.
        template = [f'<{p}row r="{{0}}">']
        args: list[list[str]] = [self.numbers]
        for col in range(table.area.left, table.area.right + 1):
            if col in self.headers:
                cells = self._column(col, self._values(col))
            elif col in self.formulas or self._style_attr(self.styles.get(col)):
                cells = self._absent(col, self.numbers)
            else:
                continue
            if isinstance(cells, list):
                template.append(f"{{{len(args)}}}")
                args.append(cells)
            elif cells.values is None:
                template.append(_braced(cells.head) + "{0}" + _braced(cells.mid))
            else:
                template.append(
                    f"{_braced(cells.head)}{{0}}{_braced(cells.mid)}{{{len(args)}}}"
                    + _braced(cells.tail)
                )
                args.append(cells.values)
        template.append(f"</{p}row>")
        text = "".join(map("".join(template).format, *args))
        args.clear()  # the cells are in `text` now: free them before it is encoded
        return text.encode("utf-8")

    # one column

    def _values(self, col: int) -> list[object]:
        headers = self.headers[col]
        if isinstance(self.rows, ColumnRows):
            # Every row names every header; of two spellings the later one wins, as in a dict.
            named = [h for h in self.rows.headers if h in headers]
            return list(self.rows.column(named[-1]))
        if len(headers) == 1:
            header = headers[0]
            try:
                return list(map(itemgetter(header), self.rows))
            except KeyError:  # not every row names the column
                return [row.get(header, _ABSENT) for row in self.rows]
        # Two spellings of one header: the one the row names last wins, as a dict would.
        return [
            next((row[h] for h in reversed(list(row)) if h in headers), _ABSENT)
            for row in self.rows
        ]

    def _column(self, col: int, values: list[object]) -> _Fragment | list[str]:
        kinds = set(map(type, values))
        if len(kinds) == 1 and object not in kinds:
            return self._cells(kinds.pop(), col, values, self.numbers)
        where: dict[object, list[int]] = {}  # type, or _ABSENT
        for k, value in enumerate(values):
            where.setdefault(_ABSENT if value is _ABSENT else type(value), []).append(k)
        out = [""] * len(values)
        numbers = self.numbers
        for kind, at in where.items():
            some = [numbers[k] for k in at]
            got = _cells_of(self._cells(kind, col, [values[k] for k in at], some), some)
            for k, cell in zip(at, got, strict=True):
                out[k] = cell
        return out

    def _cells(
        self, kind: object, col: int, values: list[Any], numbers: list[str]
    ) -> _Fragment | list[str]:
        """The cells of one column whose values are all of type `kind` (or all _ABSENT), as
        the rows `numbers` have them."""
        if kind is _ABSENT:
            return self._absent(col, numbers)
        style = self.styles.get(col)
        head = f'<{self.p}c r="{_col_letters(col)}'
        v, v_end = f"<{self.p}v>", f"</{self.p}v></{self.p}c>"
        if kind is str:
            return self._texts(col, values, numbers)
        if kind is Decimal and all(map(Decimal.is_finite, values)):
            shown = list(map(format, values, repeat("f")))
        elif kind is int:
            shown = list(map(str, values))
        elif kind is float and all(map(math.isfinite, values)):
            shown = list(map(repr, values))
        elif kind is date and min(values) >= _FIRST_SERIAL_DATE:
            epoch = (_EPOCH_1904 if self.editor.date1904 else _EPOCH_1900).toordinal()
            shown = list(map(str, map(int.__sub__, map(date.toordinal, values), repeat(epoch))))
            style = self._date_style(style)
        elif kind is type(None):
            s = self._style_attr(style)
            return _Fragment(head, f'"{s}/>') if s else [""] * len(values)
        else:
            return self._one_by_one(col, values, numbers)
        return _Fragment(head, '"' + self._style_attr(style) + ">" + v, shown, v_end)

    def _texts(self, col: int, texts: list[str], numbers: list[str]) -> _Fragment | list[str]:
        if "" in texts:
            # An empty text is no value (as `_convert` has it): the column's empty styled
            # cell, or no cell. The others still go together (Betalingen's Factuur,
            # Klantnummer and Kenmerk are empty on many rows of a bank import).
            s = self._style_attr(self.styles.get(col))
            head = f'<{self.p}c r="{_col_letters(col)}'
            out = [f'{head}{n}"{s}/>' for n in numbers] if s else [""] * len(texts)
            at = [k for k, t in enumerate(texts) if t]
            if at:
                some = [numbers[k] for k in at]
                got = _cells_of(self._texts(col, [texts[k] for k in at], some), some)
                for k, cell in zip(at, got, strict=True):
                    out[k] = cell
            return out
        escaped = _escaped(texts)
        if escaped is None:
            return self._one_by_one(col, texts, numbers)
        bodies, spaces = escaped
        p = self.p
        head = f'<{p}c r="{_col_letters(col)}'
        mid = f'"{self._style_attr(self.styles.get(col))} t="inlineStr"><{p}is><{p}t'
        tail = f"</{p}t></{p}is></{p}c>"
        if spaces is None:
            return _Fragment(head, mid + ">", bodies, tail)
        return _Fragment(head, mid, [f"{s}>{b}" for s, b in zip(spaces, bodies, strict=True)], tail)

    def _absent(self, col: int, numbers: list[str]) -> _Fragment | list[str]:
        """A row that does not name the column: the calculated column's formula, else an
        empty cell with the column's style, else no cell."""
        p, letter = self.p, _col_letters(col)
        s = self._style_attr(self.styles.get(col))
        if col in self.formulas and _moves(self.formulas[col] or "", col, self.table.data_top):
            # A formula of A1 references (a column bijwerken made of the user's own, written
            # as in the table's first data row): moved to each new row, as Excel fills it.
            from openpyxl.formula.translate import Translator  # only here: a slow import

            start = f"{letter}{self.table.data_top}"
            translator = Translator("=" + (self.formulas[col] or ""), start)
            return [
                f'<{p}c r="{letter}{n}"{s}><{p}f>'
                f"{_escape_text(translator.translate_formula(f'{letter}{n}')[1:])}</{p}f></{p}c>"
                for n in numbers
            ]
        if col in self.formulas:
            tail = f'"{s}><{p}f>{_escape_text(self.formulas[col] or "")}</{p}f></{p}c>'
        elif s:
            tail = f'"{s}/>'
        else:
            return [""] * len(numbers)
        return _Fragment(f'<{p}c r="{letter}', tail)

    def _one_by_one(self, col: int, values: Sequence[object], numbers: list[str]) -> list[str]:
        """Each cell through `_convert`: the general path, and the one that names a bad cell."""
        editor, p, letter = self.editor, self.p, _col_letters(col)
        out = []
        for value, number in zip(values, numbers, strict=True):
            try:
                cell = _convert(value, p, editor.date1904, "")
            except PatchError:  # again, to name the cell in the message
                header = self.headers[col][0]
                _convert(value, p, editor.date1904, editor._where(self.table, header, int(number)))
                raise
            style = self.styles.get(col)
            if cell is not None and cell.is_date:
                style = self._date_style(style)
            out.append(_cell_xml(p, letter + number, cell, style))
        return out

    def _date_style(self, style: str | None) -> str | None:
        """The column's style when it shows a date, else a date style (found or added once)."""
        if style not in self.date_styles:
            styles = self.editor.styles
            self.date_styles[style] = style if styles.is_date(style) else styles.date_style()
        return self.date_styles[style]

    @staticmethod
    def _style_attr(style: str | None) -> str:
        return f' s="{style}"' if style not in (None, "", "0") else ""


@dataclass
class _Editor:
    package: _Package
    path: Path
    # A dry run (--proef): the notes say what would be done ("wordt"), not what was ("is").
    dry_run: bool = False
    appended: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    added_columns: list[tuple[str, str]] = field(default_factory=list)
    added_rows: list[tuple[str, str]] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    text_columns: list[tuple[str, str]] = field(default_factory=list)
    ignored_text_numbers: list[str] = field(default_factory=list)
    made_tables: list[tuple[str, str]] = field(default_factory=list)
    # The tables make_tables makes in this patch (case folded): a formula may name them.
    planned_tables: frozenset[str] = frozenset()
    data_changed: bool = False
    formulas_changed: bool = False
    formulas_added: bool = False

    def __post_init__(self) -> None:
        office = [r for r in _read_rels(self.package, "") if r.type == OFFICE_DOCUMENT]
        if not office or self.package.name(office[0].target) is None:
            raise PatchError(
                f"'{self.path}' is geen Excel-werkmap (het werkmaponderdeel ontbreekt); "
                f"open hem in Excel en sla hem op als .xlsx of .xlsm."
            )
        self.workbook_part = self.package.name(office[0].target) or ""
        root = _tree(self.package.read(self.workbook_part))
        if root.tag != _q("workbook"):
            raise PatchError(
                f"De werkmap '{self.path}' is opgeslagen als 'Strict Open XML'; sla hem in "
                f"Excel op als gewone Excel-werkmap (.xlsx of .xlsm)."
            )
        props = root.find(_q("workbookPr"))
        self.date1904 = props is not None and props.get("date1904", "") in ("1", "true")
        rels = _read_rels(self.package, self.workbook_part)
        self.styles = _Styles(
            self.package,
            next((r.target for r in rels if r.type == STYLES_REL), None),
            self.path,
        )
        self._shared: list[str] | None = None

    # structure, re-read on demand because edits change it

    def _workbook_rels(self) -> list[_Rel]:
        return _read_rels(self.package, self.workbook_part)

    def sheets(self) -> list[_Sheet]:
        targets = {r.id: r.target for r in self._workbook_rels() if r.type == WORKSHEET_REL}
        root = _tree(self.package.read(self.workbook_part))
        sheets = []
        for node in root.iter(_q("sheet")):
            target = targets.get(node.get(_q("id", DOC_REL_NS), ""))
            if target is not None and self.package.name(target) is not None:
                sheets.append(_Sheet(node.get("name", ""), self.package.name(target) or ""))
        return sheets

    def tables(self, only: _Sheet | None = None) -> list[_Table]:
        tables = []
        for sheet in [only] if only else self.sheets():
            for rel in _read_rels(self.package, sheet.part):
                if rel.type == TABLE_REL and self.package.name(rel.target) is not None:
                    tables.append(self._table(sheet, self.package.name(rel.target) or ""))
        return tables

    def _table(self, sheet: _Sheet, part: str) -> _Table:
        root = _tree(self.package.read(part))
        columns = []
        for node in root.iter(_q("tableColumn")):
            formula = node.find(_q("calculatedColumnFormula"))
            columns.append(
                _Column(
                    _UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), node.get("name", "")),
                    formula.text if formula is not None and formula.text else None,
                    formula is not None and formula.get("array", "") in ("1", "true"),
                )
            )
        return _Table(
            name=root.get("displayName") or root.get("name") or "",
            part=part,
            sheet=sheet,
            area=_Area.parse(root.get("ref", "A1")),
            header_rows=int(root.get("headerRowCount", "1")),
            totals_rows=int(root.get("totalsRowCount", "0")),
            query=root.get("tableType") == "queryTable",
            columns=tuple(columns),
        )

    def find_table(self, name: str) -> _Table:
        tables = self.tables()
        for table in tables:
            if table.name.casefold() == name.casefold():
                return table
        raise self._no_table(name, tables)

    def _no_table(self, name: str, tables: Sequence[_Table]) -> PatchError:
        """Why the table `name` cannot be written, with the likely cause's fix: a table of
        another name on its sheet was renamed; data on its sheet without a table are a plain
        range (a workbook of the user's own, which the reader reads); else the sheet is gone."""
        found = ", ".join(sorted(t.name for t in tables)) or "geen"
        spec = table_spec(name)
        sheet = spec.sheet if spec is not None else None
        on_sheet = next(
            (
                s
                for s in self.sheets()
                if sheet is not None and s.name.casefold() == sheet.casefold()
            ),
            None,
        )
        if on_sheet is not None and any(t.sheet == on_sheet for t in tables):
            advice = "Herstel de tabelnaam in Excel (Tabelontwerp > Tabelnaam)."
        elif on_sheet is not None:
            advice = plain_range_text(on_sheet.name, name)
        elif tables:
            advice = "Herstel de tabelnaam in Excel (Tabelontwerp > Tabelnaam)."
        else:
            advice = (
                f"Maak er in Excel een tabel van met de naam '{name}' (klik in de gegevens, "
                "Invoegen > Tabel, dan Tabelontwerp > Tabelnaam), of begin met een nieuwe "
                "werkmap ('debiteuren nieuw') en neem uw gegevens daarin over."
            )
        return PatchError(
            f"De werkmap '{self.path}' heeft geen tabel '{name}' (gevonden: {found}). {advice}"
        )

    def _positions(self, table: _Table, headers: Sequence[str]) -> dict[str, int]:
        """header as given -> column number on the sheet: of a header in two columns, the
        first, the one the reader reads (and reports the other of)."""
        at: dict[str, int] = {}
        for i, c in enumerate(table.columns):
            at.setdefault(normalise_header(c.name), table.area.left + i)
        positions = {}
        for header in headers:
            col = at.get(normalise_header(header))
            if col is None:
                known = ", ".join(c.name for c in table.columns)
                raise PatchError(
                    f"De tabel '{table.name}' in '{self.path}' heeft geen kolom '{header}' "
                    f"(kolommen: {known}). Voeg de kolom toe of herstel de kolomkop."
                )
            positions[header] = col
        return positions

    def _sheet_xml(self, sheet: _Sheet) -> _SheetXml:
        return _SheetXml(self.package.read(sheet.part), sheet.part, self.path)

    def _where(self, table: _Table, header: str, row: int) -> str:
        return f"Werkmap '{self.path}', tabel '{table.name}', kolom '{header}', rij {row}"

    # append

    def append(self, table_name: str, rows: Sequence[Mapping[str, object]]) -> None:
        table = self.find_table(table_name)
        self._check_appendable(table)
        if not rows:
            self.appended.append((table.name, 0))
            return
        positions = self._positions(table, sorted(_row_headers(rows)))
        sheet, last_cells = self._last_row(table)
        first_new = self._first_new_row(table, last_cells)
        last_new = first_new + len(rows) - 1
        if last_new > MAX_ROWS:
            raise PatchError(
                f"De tabel '{table.name}' in '{self.path}' past niet meer op het werkblad: "
                f"{len(rows)} nieuwe rijen zouden voorbij rij {MAX_ROWS} komen."
            )
        target = _Area(table.area.left, first_new, table.area.right, last_new)
        self._check_free(table, sheet, target)

        insert_at, cut_to = _insertion_point(sheet, first_new, last_new)
        new_rows = _NewRows(self, table, sheet.p, positions, last_cells, first_new, rows)
        new_area = _Area(table.area.left, table.area.top, table.area.right, last_new)
        edits: list[tuple[int, int, bytes | Iterable[bytes]]] = [
            (insert_at, cut_to, new_rows.pieces())
        ]
        dimension = _dimension_edit(sheet.xml[: sheet.start], new_area)
        if dimension is not None:
            edits.append(dimension)
        # Made, spliced and deflated a batch of rows at a time: never the whole sheet.
        self.package.write_pieces(table.sheet.part, sheet.splice_pieces(edits))
        self._grow_table(table, new_area)
        self.appended.append((table.name, len(rows)))
        self.data_changed = True
        if new_rows.formulas:
            self.formulas_added = self.formulas_changed = True

    def _check_appendable(self, table: _Table) -> None:
        where = f"De tabel '{table.name}' in '{self.path}'"
        if table.totals_rows:
            raise PatchError(
                f"{where} heeft een totaalrij; daar kunnen geen rijen onder. Zet de totaalrij "
                f"uit (Tabelontwerp > Totaalrij) en probeer het opnieuw."
            )
        if table.query:
            raise PatchError(
                f"{where} komt uit een query; bij vernieuwen zouden nieuwe rijen verdwijnen. "
                f"Gebruik een gewone tabel."
            )
        if any(c.array for c in table.columns):
            raise PatchError(
                f"{where} heeft een kolom met een matrixformule; die kan het programma niet "
                f"doortrekken. Maak er een gewone formule van."
            )

    def _last_row(self, table: _Table) -> tuple[_SheetXml, dict[int, _Cell]]:
        """The table's sheet and the cells of its last row, by column (none written: {})."""
        sheet = self._sheet_xml(table.sheet)
        last = None
        for span in sheet.rows_backwards():
            if span.number <= table.area.bottom:
                last = span if span.number == table.area.bottom else None
                break
        return sheet, ({c.col: c for c in sheet.cells(last)} if last else {})

    def first_appended_row(self, table_name: str) -> int:
        """The sheet row `append` would give its first row (see `append_row`)."""
        table = self.find_table(table_name)
        if table.area.bottom != table.data_top:  # rows of data: below them, sheet unread
            return table.area.bottom + 1
        return self._first_new_row(table, self._last_row(table)[1])

    def _first_new_row(self, table: _Table, last_cells: Mapping[int, _Cell]) -> int:
        # An empty table is a header and one empty row (what Excel makes): fill that row.
        if table.area.bottom != table.data_top:
            return table.area.bottom + 1
        formulas = {table.area.left + i for i, c in enumerate(table.columns) if c.formula}
        used = [c for col, c in last_cells.items() if c.has_content and col not in formulas]
        return table.area.bottom + 1 if used else table.area.bottom

    def _check_free(self, table: _Table, sheet: _SheetXml, target: _Area) -> None:
        for other in self.tables(table.sheet):
            if other.part != table.part and other.area.overlaps(target):
                raise PatchError(
                    f"Onder de tabel '{table.name}' in '{self.path}' staat de tabel "
                    f"'{other.name}' ({other.area}); de nieuwe rijen ({target}) zouden erover "
                    f"vallen. Verplaats die tabel."
                )
        ref = _merged_cells_in(sheet.tail(), target)
        if ref:
            raise PatchError(
                f"Onder de tabel '{table.name}' in '{self.path}' staan samengevoegde cellen "
                f"({ref}) waar de nieuwe rijen moeten komen. Maak die ongedaan of verplaats ze."
            )
        for span in sheet.rows_backwards():
            if span.number < target.top:
                break
            if span.number > target.bottom:
                continue
            filled = [c for c in sheet.cells(span) if c.has_content]
            if span.number == table.area.bottom and table.area.bottom == target.top:
                filled = [c for c in filled if not table.area.left <= c.col <= table.area.right]
            if filled and totals.is_total_row(
                span.number, self._row_cells(sheet, span, table.area.left, table.area.right)
            ):
                # The user's own total under the table (bijwerken left it there): never
                # overwritten, and the advice is to make room above it, not to empty it.
                more = target.bottom - span.number + 1
                raise PatchError(
                    f"Onder de tabel '{table.name}' in '{self.path}' staat in rij "
                    f"{span.number} een totaalregel; de nieuwe rijen ({target}) zouden die "
                    f"overschrijven. Voeg in Excel {more} lege {'rij' if more == 1 else 'rijen'} "
                    f"in boven de totaalregel (rechtsklik op rij {span.number} > Invoegen) en "
                    f"probeer het opnieuw."
                )
            if filled:
                raise PatchError(
                    f"Onder de tabel '{table.name}' in '{self.path}' staat al iets in rij "
                    f"{span.number} (cel {filled[0].attrs['r']}); de nieuwe rijen ({target}) "
                    f"zouden het overschrijven. Maak de rijen onder de tabel leeg."
                )

    def _grow_table(self, table: _Table, area: _Area) -> None:
        xml = self.package.read(table.part)
        tag = _start_tag(xml, "table")
        assert tag is not None
        head = _set_attr(tag.group(0), "ref", str(area))
        # Leftovers of an interrupted insert in Excel; stale once the table has grown.
        head = _set_attr(_set_attr(head, "insertRow", None), "insertRowShift", None)
        xml = xml[: tag.start()] + head + xml[tag.end() :]
        flt = _start_tag(xml, "autoFilter")
        if flt is not None:
            xml = xml[: flt.start()] + _set_attr(flt.group(0), "ref", str(area)) + xml[flt.end() :]
        self.package.write(table.part, xml)

    # add columns

    def add_columns(self, table_name: str, headers: Sequence[str]) -> None:
        """New empty columns right of the table: the header cells (styled like the last
        header), the table's ref, autoFilter and tableColumns. Refused where the new columns
        would cover content, another table or merged cells."""
        table = self.find_table(table_name)
        have = {normalise_header(c.name) for c in table.columns}
        new = [h for h in dict.fromkeys(headers) if normalise_header(h) not in have]
        if not new:
            return
        where = f"De tabel '{table.name}' in '{self.path}'"
        if table.header_rows != 1 or table.totals_rows:
            raise PatchError(
                f"{where} heeft geen gewone kopregel of heeft een totaalrij; voeg de kolom "
                f"'{new[0]}' zelf toe in Excel en probeer het opnieuw."
            )
        left, right = table.area.right + 1, table.area.right + len(new)
        if right > MAX_COLS:
            raise PatchError(f"{where} kan geen kolommen meer krijgen (kolom {right}).")
        target = _Area(left, table.area.top, right, table.area.bottom)
        sheet = self._sheet_xml(table.sheet)
        for other in self.tables(table.sheet):
            if other.part != table.part and other.area.overlaps(target):
                raise PatchError(
                    f"Rechts naast {where[3:]} staat de tabel '{other.name}' ({other.area}); "
                    f"daar moet de nieuwe kolom '{new[0]}' komen. Verplaats die tabel."
                )
        ref = _merged_cells_in(sheet.tail(), target)
        if ref:
            raise PatchError(
                f"Rechts naast {where[3:]} staan samengevoegde cellen ({ref}) waar de "
                f"nieuwe kolom '{new[0]}' moet komen. Maak die ongedaan of verplaats ze."
            )
        header_span: _RowSpan | None = None
        for span in sheet.rows():
            if span.number > table.area.bottom:
                break
            if span.number < table.area.top:
                continue
            if span.number == table.area.top:
                header_span = span
            for cell in sheet.cells(span):
                if left <= cell.col <= right and cell.has_content:
                    raise PatchError(
                        f"Rechts naast {where[3:]} staat al iets in cel {cell.attrs['r']}; daar "
                        f"moet de nieuwe kolom '{new[0]}' komen. Maak die kolom leeg."
                    )
        if header_span is None:
            raise PatchError(f"{where} heeft geen kopregel op het werkblad.")
        p = sheet.p
        cells = sheet.cells(header_span)
        style = next((c.attrs.get("s") for c in reversed(cells) if c.col == table.area.right), None)
        parts = {
            c.col: sheet.xml[c.start : c.end].decode("utf-8")
            for c in cells
            if not left <= c.col <= right
        }
        for k, header in enumerate(new):
            col = left + k
            ref = f"{_col_letters(col)}{header_span.number}"
            parts[col] = _cell_xml(p, ref, _convert(header, p, self.date1904, ref), style)
        head_end = sheet.xml.find(b">", header_span.start) + 1
        head = _set_attr(sheet.xml[header_span.start : head_end], "spans", None)
        if head.endswith(b"/>"):
            head = head[:-2].rstrip() + b">"
        body = "".join(parts[c] for c in sorted(parts)).encode("utf-8")
        xml = sheet.splice(header_span.start, header_span.end, head + body + f"</{p}row>".encode())
        area = _Area(table.area.left, table.area.top, right, table.area.bottom)
        self.package.write(table.sheet.part, _with_dimension(xml, area))

        txml = self.package.read(table.part)
        tp = _prefix(txml, "table")
        column_id = rb"<(?:[\w.-]+:)?tableColumn\s[^>]*?\bid=\"(\d+)\""
        ids = [int(i) for i in re.findall(column_id, txml)]
        next_id = max(ids, default=0) + 1
        fragment = "".join(
            f'<{tp}tableColumn id="{next_id + k}" name="{_escape_attr(h)}"/>'
            for k, h in enumerate(new)
        ).encode("utf-8")
        txml = _insert_before_close(txml, "tableColumns", fragment)
        cols_tag = _start_tag(txml, "tableColumns")
        assert cols_tag is not None
        count = str(len(table.columns) + len(new))
        txml = (
            txml[: cols_tag.start()]
            + _set_attr(cols_tag.group(0), "count", count)
            + txml[cols_tag.end() :]
        )
        self.package.write(table.part, txml)
        self._grow_table(table, area)
        self.added_columns.extend((table.name, h) for h in new)
        self.data_changed = True

    # Text format on identifier columns

    def format_as_text(self, table_name: str, headers: Sequence[str]) -> None:
        """Give the table's columns `headers` the Text format: as the column's style (so
        what is typed later stays text) and on the table's empty cells there that have a
        cell element (a cell's own style wins over its column's: ECMA-376 Part 1, 18.3.1.4
        <c> s, 18.3.1.13 <col> style). Cells holding a value keep theirs."""
        table = self.find_table(table_name)
        at: dict[str, tuple[int, str]] = {}
        for i, column in enumerate(table.columns):
            at.setdefault(normalise_header(column.name), (table.area.left + i, column.name))
        wanted = dict(at[normalise_header(h)] for h in headers if normalise_header(h) in at)
        if not wanted:
            return
        xml = self.package.read(table.sheet.part)
        p = _prefix(xml, "worksheet")
        cols_tag = _start_tag(xml, "cols")
        entries: list[tuple[int, int, bytes]] = []
        cols_end = 0
        if cols_tag is not None:
            cols_end = _element_end(xml, cols_tag)
            for match in _COL.finditer(xml, cols_tag.end(), cols_end):
                attrs = _attrs(match.group(0))
                head = match.group(1)
                if not head.endswith(b"/>"):
                    head = head[:-1].rstrip() + b"/>"
                # A <col> without min or max: ValueError, reported as a damaged workbook.
                entries.append((int(attrs.get("min", "")), int(attrs.get("max", "")), head))
        entries.sort(key=itemgetter(0))

        def style_of(col: int) -> str | None:
            for low, high, head in entries:
                if low <= col <= high:
                    return _attrs(head).get("style")
            return None

        plain = {col for col in wanted if not self.styles.is_text(style_of(col))}
        body = (table.area.top + table.header_rows, table.area.bottom - table.totals_rows)
        sheet = _SheetXml(xml, table.sheet.part, self.path)
        empty = []  # (start, end, start tag, column)
        for match in _empty_cells(sheet, wanted):
            start, end = match.span(1)
            attrs = _attrs(match.group(1))
            col, row = _parse_ref(attrs.get("r", "A1"))
            if (
                col in wanted
                and body[0] <= row <= body[1]
                and not self.styles.is_text(attrs.get("s"))
            ):
                empty.append((start, end, sheet.xml[start:end], col))
        styled_rows = self._row_styled_cells(sheet, wanted, body)
        if not plain and not empty and not styled_rows:
            return
        style = self.styles.text_style()
        edits: list[tuple[int, int, bytes]] = [
            (start, end, _set_attr(head, "s", style)) for start, end, head, _col in empty
        ]
        edits += [(start, end, fragment) for start, end, fragment, _cols in styled_rows]
        if plain:
            fmt = _start_tag(xml, "sheetFormatPr")
            width = (_attrs(fmt.group(0)) if fmt else {}).get("defaultColWidth", DEFAULT_COL_WIDTH)
            blank = f'<{p}col min="0" max="0" width="{width}"/>'.encode()
            cols = (
                f"<{p}cols>".encode()
                + b"".join(_restyled_cols(entries, plain, style, blank))
                + f"</{p}cols>".encode()
            )
            if cols_tag is not None:  # the whole element anew: its <col>s sorted, split
                edits.append((cols_tag.start(), cols_end, cols))
        xml = sheet.splice_many(edits)
        if plain and cols_tag is None:
            xml = _put_element(xml, "cols", cols.decode("utf-8"))
        self.package.write(table.sheet.part, xml)
        changed = plain | {col for *_, col in empty}
        changed.update(col for *_, cols in styled_rows for col in cols)
        self.text_columns.extend(
            (table.name, name) for col, name in wanted.items() if col in changed
        )

    def ignore_text_numbers(self, table_name: str, headers: Sequence[str]) -> None:
        """Excel's "number stored as text" check off for the table's columns `headers`,
        whole columns of its sheet (Patch.ignore_text_numbers)."""
        table = self.find_table(table_name)
        at: dict[str, int] = {}
        for i, column in enumerate(table.columns):
            at.setdefault(normalise_header(column.name), table.area.left + i)
        columns = {at[normalise_header(h)] for h in headers if normalise_header(h) in at}
        if not columns:
            return
        xml = self.package.read(table.sheet.part)
        edit = _ignored_errors_edit(xml, columns)
        if edit is None:
            return
        start, end, fragment = edit
        # In pieces, views of the sheet's own bytes: a 40 MB sheet is not copied for this.
        view = memoryview(xml)
        self.package.write_pieces(table.sheet.part, (view[:start], fragment, view[end:]))
        self.ignored_text_numbers.append(table.name)

    def _row_styled_cells(
        self, sheet: _SheetXml, columns: Mapping[int, str], body: tuple[int, int]
    ) -> list[tuple[int, int, bytes, tuple[int, ...]]]:
        """Cells for `columns` in the table rows `body` that have a row style of their own
        (``<row s="5" customFormat="1">``, as Excel and LibreOffice write a row formatted
        as a whole): there a cell without an element takes the row's style, not the
        column's (ECMA-376 Part 1, 18.3.1.73 <row> s), so the column's Text would not
        reach it. Each such cell gets an element of its own with the row's style made Text
        (its look kept). As edits: (start, end, new bytes, columns given a cell)."""
        if sheet.xml.find(b"customFormat", sheet.start, sheet.end) < 0:
            return []  # the common case: one byte search, no pass over the rows
        p = sheet.p
        edits = []
        for span in sheet.rows():
            if not body[0] <= span.number <= body[1]:
                continue
            head_end = sheet.xml.find(b">", span.start) + 1
            head = sheet.xml[span.start : head_end]
            attrs = _attrs(head)
            row_style = attrs.get("s")
            if attrs.get("customFormat") not in ("1", "true") or self.styles.is_text(row_style):
                continue
            cells = sheet.cells(span)
            have = {cell.col for cell in cells}
            missing = [col for col in sorted(columns) if col not in have]
            if not missing:
                continue
            style = self.styles.text_like(row_style)
            new = {
                col: f'<{p}c r="{_col_letters(col)}{span.number}" s="{style}"/>'.encode()
                for col in missing
            }
            # The row anew from its start tag to its first cell, each new cell inserted
            # before the first cell right of it (cells in column order); spans, an
            # optional hint of the row's first and last column, is dropped as add_columns
            # drops it.
            new_head = _set_attr(head, "spans", None)
            if new_head.endswith(b"/>"):  # <row .../>: opened up, its cells, closed
                fragment = new_head[:-2].rstrip() + b">" + b"".join(new.values())
                edits.append((span.start, span.end, fragment + f"</{p}row>".encode(), tuple(new)))
                continue
            edits.append((span.start, head_end, new_head, ()))
            for col, cell in new.items():
                right = next((c.start for c in cells if c.col > col), None)
                at = right if right is not None else sheet.xml.rfind(b"</", span.start, span.end)
                edits.append((at, at, cell, (col,)))
        return edits

    # add missing rows

    def add_missing_rows(
        self, table_name: str, key_header: str, rows: Sequence[Mapping[str, object]]
    ) -> None:
        """Append the rows whose `key_header` value the table does not hold yet."""
        table = self.find_table(table_name)
        col = self._positions(table, (key_header,))[key_header]
        sheet = self._sheet_xml(table.sheet)
        have = {normalise_header(key) for key in self._key_index(table, sheet, {col})[col]}
        missing = []
        for row in rows:
            key = normalise_header(row.get(key_header, ""))
            if key and key not in have:
                have.add(key)
                missing.append(row)
        if missing:
            self.append(table.name, missing)
            self.added_rows.extend((table.name, str(row[key_header])) for row in missing)

    # replace a whole part

    def replace_part(self, part: RelatedPart) -> None:
        """`part.content` into the part its relationship points at, or added (with the
        relationship and, where needed, a content type) when `part.add_as` says where."""
        owner = self.workbook_part if part.from_workbook else ""
        rels = _read_rels(self.package, owner)
        rel = next((r for r in rels if r.type == part.rel_type and not r.external), None)
        if rel is not None:
            name = self.package.name(rel.target) or rel.target
            if self.package.name(name) is not None and self.package.read(name) == part.content:
                return
        elif part.add_as is not None:
            name = self.package.name(part.add_as) or part.add_as
            self._add_rel(owner, part.rel_type, name)
        else:
            return
        self.package.write(name, part.content)
        if not self._has_content_type(name):
            self._content_type(name, part.content_type)
        self.replaced.append(part.rel_type)

    def _has_content_type(self, part: str) -> bool:
        root = _tree(self.package.read(CONTENT_TYPES))
        extension = posixpath.splitext(part)[1].lstrip(".").lower()
        for node in root:
            if node.tag == _q("Override", CT_NS):
                found = node.get("PartName", "").lstrip("/").lower() == part.lower()
            else:
                found = node.get("Extension", "").lower() == extension
            if found:
                return True
        return False

    # set cells

    def set_cells(
        self, table_name: str, key_header: str, key_value: str, values: Mapping[str, object]
    ) -> None:
        self.set_cells_many(((table_name, key_header, key_value, values),))

    def set_cells_many(self, edits: Sequence[tuple[str, str, str, Mapping[str, object]]]) -> None:
        """Edits of one table, in order, each as `Patch.set_cells` describes: the rows are
        found through an index of the key columns built in one scan, and the sheet is
        spliced once, so the work grows with the rows, not with rows x edits."""
        if not edits:
            return
        table = self.find_table(edits[0][0])
        headers = [h for _, key_header, _, values in edits for h in (key_header, *values)]
        positions = self._positions(table, headers)
        key_cols = {positions[key_header] for _, key_header, _, _ in edits}
        if len(edits) > 1 and any(positions[h] in key_cols for *_, values in edits for h in values):
            # An edit changes a key a later edit may look for: one at a time, in order.
            for edit in edits:
                self.set_cells_many((edit,))
            return
        sheet = self._sheet_xml(table.sheet)
        index = self._key_index(table, sheet, key_cols)
        calculated = {
            table.area.left + i for i, c in enumerate(table.columns) if c.formula is not None
        }
        rows: dict[int, _RowEdit] = {}  # by the row's start offset
        for _, key_header, key_value, values in edits:
            span = index[positions[key_header]].get(str(key_value).strip())
            if span is None:
                raise PatchError(
                    f"De tabel '{table.name}' in '{self.path}' heeft geen rij met "
                    f"{key_header} = '{key_value}'. Controleer de waarde in de werkmap."
                )
            row = rows.get(span.start)
            if row is None:
                row = rows[span.start] = _RowEdit(span, {c.col: c for c in sheet.cells(span)})
            for header, value in values.items():
                self._set_one(table, sheet, row, positions[header], header, value, calculated)
        self.package.write(
            table.sheet.part, sheet.splice_many([row.splice(sheet) for row in rows.values()])
        )
        self.data_changed = True

    def _key_index(
        self, table: _Table, sheet: _SheetXml, key_cols: set[int]
    ) -> dict[int, dict[str, _RowSpan]]:
        """key column -> key text (stripped) -> the first data row holding it."""
        index: dict[int, dict[str, _RowSpan]] = {col: {} for col in key_cols}
        bottom = table.area.bottom - table.totals_rows
        for span in sheet.rows():
            if span.number < table.data_top:
                continue
            if span.number > bottom:
                break
            # Only the key cells, by byte search; the whole row parsed when that fails.
            found = [sheet.written_cell(span, col) for col in key_cols]
            cells = found if None not in found else sheet.cells(span)
            for cell in cells:
                if cell is not None and cell.col in index:
                    index[cell.col].setdefault(self._text(cell).strip(), span)
        return index

    def _set_one(
        self,
        table: _Table,
        sheet: _SheetXml,
        row: _RowEdit,
        col: int,
        header: str,
        value: object,
        calculated: set[int],
    ) -> None:
        ref = f"{_col_letters(col)}{row.span.number}"
        old = row.cells.get(col)
        if isinstance(old, _Cell):
            formula = old.formula()
            if formula is not None:
                if formula.get("t") == "shared" and "ref" in formula:
                    raise PatchError(
                        f"Cel {ref} ({header}) van de tabel '{table.name}' in '{self.path}' "
                        f"bevat een gedeelde formule waar andere cellen van afhangen; die wordt "
                        f"niet overschreven. Zet in Excel de formule opnieuw in de kolom."
                    )
                if formula.get("t") == "array" or col not in calculated:
                    raise PatchError(
                        f"Cel {ref} ({header}) van de tabel '{table.name}' in '{self.path}' "
                        f"bevat een formule; die wordt niet overschreven. Maak de cel leeg of "
                        f"kies een andere kolom."
                    )
                self.formulas_changed = True
            style = old.attrs.get("s")
        else:
            style = old[1] if old else None
        cell = _convert(value, sheet.p, self.date1904, self._where(table, header, row.span.number))
        if cell is not None and cell.is_date and not self.styles.is_date(style):
            style = self.styles.date_style()
        row.cells[col] = (_cell_xml(sheet.p, ref, cell, style), style)

    def _text(self, cell: _Cell) -> str:
        """A cell's value as text, to compare with a key."""
        kind = cell.attrs.get("t", "n")
        value = re.search(rb"<(?:[\w.-]+:)?v>(.*?)</(?:[\w.-]+:)?v>", cell.body, re.S)
        raw = html.unescape(value.group(1).decode("utf-8")) if value else ""
        if kind == "s":
            strings = self.shared_strings()
            return strings[int(raw)] if raw.isdigit() and int(raw) < len(strings) else ""
        if kind == "inlineStr":
            body = re.sub(rb"<(?:[\w.-]+:)?rPh\b.*?</(?:[\w.-]+:)?rPh>", b"", cell.body, flags=re.S)
            texts = re.findall(rb"<(?:[\w.-]+:)?t(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?t>", body, re.S)
            return _decode_x("".join(html.unescape(t.decode("utf-8")) for t in texts))
        if kind == "n" and raw:
            number = Decimal(raw)
            return str(int(number)) if number == number.to_integral_value() else str(number)
        return _decode_x(raw)

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            rel = next((r for r in self._workbook_rels() if r.type == SHARED_STRINGS_REL), None)
            self._shared = []
            if rel is not None and self.package.name(rel.target) is not None:
                for si in _tree(self.package.read(rel.target)).iter(_q("si")):
                    pieces = [t.text or "" for t in si.findall(_q("t"))]
                    pieces += [t.text or "" for t in si.findall(f"{_q('r')}/{_q('t')}")]
                    self._shared.append(_decode_x("".join(pieces)))
        return self._shared

    # make a table of a plain range

    def make_table(self, name: str, sheet_name: str, header_row: int) -> None:
        """The plain range whose headers are in `header_row` of the sheet becomes the Excel
        table `name`: a new table part (ref over the header and the data rows, autoFilter,
        a column per header named exactly as its cell, the shipped tables' style), the
        sheet's <tableParts>, its relationship and the content type. Nothing when the
        workbook has a table of that name (a second run). Refused where Excel would
        "repair" the result or where the range is not one table: see _table_area."""
        if any(t.name.casefold() == name.casefold() for t in self.tables()):
            return
        sheet = next((s for s in self.sheets() if s.name.casefold() == sheet_name.casefold()), None)
        if sheet is None:
            raise PatchError(f"De werkmap '{self.path}' heeft geen blad '{sheet_name}'.")
        where = f"Blad '{sheet.name}' in '{self.path}'"
        self._check_table_name(name, where)
        xml = self.package.read(sheet.part)
        area, headers, total_rows = self._table_area(
            sheet, _SheetXml(xml, sheet.part, self.path), header_row
        )
        for other in self.tables(sheet):
            if other.area.overlaps(area):
                raise PatchError(
                    f"{where}: het bereik {area} overlapt de tabel '{other.name}' "
                    f"({other.area}). Verplaats een van beide en probeer het opnieuw."
                )
        ref = _merged_cells_in(xml, area)
        if ref:
            raise PatchError(
                f"{where}: in het bereik {area} staan samengevoegde cellen ({ref}); een "
                f"tabel kan die niet bevatten. Maak ze ongedaan (Start > Samenvoegen en "
                f"centreren) en probeer het opnieuw."
            )
        # Excel allows no formula over several cells in a table (a matrix formula, or a
        # what-if data table): it would "repair" the workbook on opening.
        for tag in re.finditer(rb"<(?:[\w.-]+:)?f(?=[\s/>])[^>]*>", xml):
            attrs = _attrs(tag.group(0))
            ref = attrs.get("ref", "")
            if attrs.get("t") not in ("array", "dataTable") or ":" not in ref:
                continue
            spans = _Area.parse(ref)
            if str(spans).count(":") and spans.overlaps(area):
                raise PatchError(
                    f"{where}: in het bereik {area} staat een matrixformule over meerdere cellen "
                    f"({spans}); een tabel kan die niet bevatten. Maak er een formule per cel "
                    f"van, of verplaats hem buiten de gegevens, en probeer het opnieuw."
                )
        sheet_filter = _start_tag(xml, "autoFilter", _SheetXml(xml, sheet.part, self.path).end)
        if sheet_filter is not None:
            ref = _attrs(sheet_filter.group(0)).get("ref", "")
            on = _Area.parse(ref) if ref else None
            # On the range: its columns, from its header row down to its last row or less
            # (Excel's filter on a range without data rows is the header row alone).
            if (
                on is None
                or (on.left, on.top, on.right) != (area.left, area.top, area.right)
                or (on.bottom > area.bottom)
            ):
                raise PatchError(
                    f"{where} heeft een filter op {ref or '?'}, niet op de gegevens ({area}); "
                    f"een tabel brengt haar eigen filter mee. Zet dat filter uit (Gegevens > "
                    f"Filter) en probeer het opnieuw."
                )
            # Moved into the table: a sheet filter on the table's own cells is one too many.
            xml, _ = _remove_elements(xml, "autoFilter")
            self._filter_name(sheet, None)
        calculated = self._calculated(name, _SheetXml(xml, sheet.part, self.path), area, headers)
        formulas = {k: formula for k, (formula, _) in calculated.items()}
        verb = "wordt" if self.dry_run else "is"
        for k, (formula, fill) in calculated.items():
            if fill:  # an empty column: every row gets the formula, as in a new workbook
                xml = self._fill_column(xml, sheet.part, area, area.left + k, formula)
            self.notes.append(
                f"Kolom '{headers[k]}' op blad '{sheet.name}' {verb} een berekende kolom: "
                + (
                    "hij was leeg en elke rij krijgt de formule van een nieuwe werkmap."
                    if fill
                    else f"nieuwe rijen krijgen de formule van rij {area.top + 1}."
                )
            )
        if total_rows:
            xml = self._totals_over_table(xml, sheet, name, area, headers, total_rows)
        part = self._free_part("xl/tables/table{}.xml")
        self.package.write(part, _table_xml(self._free_table_id(), name, area, headers, formulas))
        self._content_type(part, TABLE_CONTENT_TYPE)
        rel_id = self._add_rel(sheet.part, TABLE_REL, part)
        self.package.write(sheet.part, _with_table_part(xml, rel_id))
        self.made_tables.append((name, str(area)))

    def _totals_over_table(
        self,
        xml: bytes,
        sheet: _Sheet,
        name: str,
        area: _Area,
        headers: Sequence[str],
        rows: Sequence[int],
    ) -> bytes:
        """The total rows' sums of exactly the new table's data in their column
        (=SUM(E2:E321) over data rows 2..321) as sums of the table's column
        (=SUM(tblFacturen[Bedrag])): a range of fixed rows would leave out every row the
        table gets later (from importeer, or typed under it in Excel). Other formulas, a
        shared formula (its other cells are derived from it) and a column whose name a
        structured reference would have to escape stay as they are."""
        sheet_xml = _SheetXml(xml, sheet.part, self.path)
        edits: list[tuple[int, int, bytes]] = []
        changed: list[str] = []
        for span in sheet_xml.rows_backwards():  # the total rows are the last ones
            if span.number < min(rows):
                break
            if span.number not in rows:
                continue
            for cell in sheet_xml.cells(span):
                attrs = cell.formula()
                if not (area.left <= cell.col <= area.right) or attrs is None:
                    continue
                if attrs.get("t") in ("shared", "array", "dataTable"):
                    continue
                found = _F_TEXT.search(cell.body)
                text = html.unescape(found.group(1).decode("utf-8")) if found else ""
                header = headers[cell.col - area.left]
                new = totals.as_table_sum(
                    text, cell.col - 1, area.top + 1, area.bottom, name, header
                )
                if found is None or new is None:
                    continue
                body = sheet_xml.xml.find(b">", cell.start) + 1  # where cell.body starts
                edits.append(
                    (body + found.start(1), body + found.end(1), _escape_text(new).encode())
                )
                changed.append(f"{cell.attrs['r']}: ={new}")
        if not edits:
            return xml
        self.formulas_changed = self.data_changed = True
        counts = (
            "gaat de hele kolom van de tabel tellen"
            if self.dry_run
            else "telt nu de hele kolom van de tabel"
        )
        self.notes.append(
            f"De totaalregel op blad '{sheet.name}' {counts}, ook de rijen die erbij komen "
            f"({', '.join(changed)})."
        )
        return sheet_xml.splice_many(edits)

    def _calculated(
        self, name: str, sheet_xml: _SheetXml, area: _Area, headers: Sequence[str]
    ) -> dict[int, tuple[str, bool]]:
        """Index in `headers` -> (calculatedColumnFormula, whether the rows need it), for
        each column of the new table that is a calculated column of the contract's table
        (Facturen.Open) and holds one formula on every data row (filled down: its A1
        references moved by row; written as in the first data row, so each new row gets it
        moved there, as Excel does), or nothing on any row (then the shipped workbook's
        formula, which the rows need, when tblBetalingen, which it names, is there). Plain
        values or differing formulas: left as they are."""
        spec = table_spec(name)
        out: dict[int, tuple[str, bool]] = {}
        for field_name in CALCULATED_COLUMNS.get(spec.name if spec else "", ()):
            header = normalise_header(spec.column(field_name).header) if spec else ""
            k = next((k for k, h in enumerate(headers) if normalise_header(h) == header), None)
            if k is None:
                continue
            formula = self._filled_down(sheet_xml, area, area.left + k)
            if formula == "" and field_name == "open":
                from addin.adapters.workbook.book_writer import OPEN_FORMULA  # openpyxl: slow

                named = {t.name.casefold() for t in self.tables()} | self.planned_tables
                if "tblbetalingen" in named:
                    out[k] = (OPEN_FORMULA, True)
            elif formula:
                out[k] = (formula, False)
        return out

    def _fill_column(self, xml: bytes, part: str, area: _Area, col: int, formula: str) -> bytes:
        """The sheet with `formula` in column `col` of every data row of `area`, whose
        cells there are empty: an empty cell element keeps its style, a new one takes the
        row's own style, else the column's (what the empty cell showed); a row without an
        element gets one."""
        sheet = _SheetXml(xml, part, self.path)
        p, letter = sheet.p, _col_letters(col)
        spans = {span.number: span for span in sheet.rows() if area.top <= span.number}
        column_style = _column_style(xml, col)
        f = f"<{p}f>{_escape_text(formula)}</{p}f>"
        edits: list[tuple[int, int, bytes]] = []
        for number in range(area.top + 1, area.bottom + 1):
            ref = f"{letter}{number}"
            span = spans.get(number)
            if span is None:  # before the next row's element, else at the end of sheetData
                at = min((s.start for n, s in spans.items() if n > number), default=sheet.end)
                cell = f'<{p}c r="{ref}"{_style_attr(column_style)}>{f}</{p}c>'
                edits.append((at, at, f'<{p}row r="{number}">{cell}</{p}row>'.encode()))
                continue
            cells = sheet.cells(span)
            old = next((c for c in cells if c.col == col), None)
            if old is not None:
                cell = f'<{p}c r="{ref}"{_style_attr(old.attrs.get("s"))}>{f}</{p}c>'
                edits.append((old.start, old.end, cell.encode()))
                continue
            head_end = sheet.xml.find(b">", span.start) + 1
            head = sheet.xml[span.start : head_end]
            attrs = _attrs(head)
            own = attrs.get("customFormat") in ("1", "true")
            style = attrs.get("s") if own else column_style
            new = f'<{p}c r="{ref}"{_style_attr(style)}>{f}</{p}c>'.encode()
            # spans, a hint of the row's first and last column, is dropped (as add_columns
            # drops it): the row has one cell more.
            new_head = _set_attr(head, "spans", None)
            if new_head.endswith(b"/>"):  # <row .../>: opened up, the cell, closed
                fragment = new_head[:-2].rstrip() + b">" + new + f"</{p}row>".encode()
                edits.append((span.start, span.end, fragment))
                continue
            edits.append((span.start, head_end, new_head))
            right = next((c.start for c in cells if c.col > col), None)
            at = right if right is not None else sheet.xml.rfind(b"</", span.start, span.end)
            edits.append((at, at, new))
        self.formulas_added = self.formulas_changed = self.data_changed = True
        return sheet.splice_many(edits)

    def _filled_down(self, sheet_xml: _SheetXml, area: _Area, col: int) -> str | None:
        """The formula (without "=") every data row of `area` holds in column `col`, as in
        its first data row; "" when no row holds anything there; None when a row holds a
        value, another formula or an array formula, or some rows hold nothing. A row that
        is empty across the area is no data row."""
        from openpyxl.formula.translate import Translator, TranslatorError  # a slow import

        letter = _col_letters(col)
        first: tuple[str, str | None] | None = None  # the formula and its shared-formula id
        translator: Any = None
        empty = 0
        for span in sheet_xml.rows():
            if not area.top < span.number <= area.bottom:
                continue
            cell = sheet_xml.written_cell(span, col)  # a byte search, the usual case
            if cell is None or not cell.has_content:
                cells = [c for c in sheet_xml.cells(span) if area.left <= c.col <= area.right]
                cell = next((c for c in cells if c.col == col), None)
            if cell is None or not cell.has_content:
                empty += any(c.has_content for c in cells)
                continue
            attrs = cell.formula()
            if attrs is None or attrs.get("t") == "array":
                return None
            if first is not None and attrs.get("t") == "shared" and attrs.get("si") == first[1]:
                continue  # a filled-down copy of the first cell's formula
            ref = f"{letter}{span.number}"
            text = totals.cell_formula(cell.body, ref, sheet_xml.xml)
            if not text:
                return None
            if first is None:
                first = (text, attrs.get("si") if attrs.get("t") == "shared" else None)
                translator = Translator("=" + text, ref)
                first_ref, first_row = ref, span.number
                continue
            if _rows_moved(first[0], span.number - first_row) == text:
                continue  # the quick test: its row numbers moved, nothing else changed
            try:
                same = translator.translate_formula(ref)[1:] == text
            except (TranslatorError, ValueError):
                same = False
            if not same:
                return None
        if first is None:
            return ""
        if empty:
            return None
        if first_ref != f"{letter}{area.top + 1}":  # written as in the first data row
            return str(translator.translate_formula(f"{letter}{area.top + 1}")[1:])
        return first[0]

    def _check_table_name(self, name: str, where: str) -> None:
        """A defined name (a named range) that is the table's name: Excel would rename one."""
        workbook = self.package.read(self.workbook_part)
        for tag in re.finditer(rb"<(?:[\w.-]+:)?definedName(?=[\s/>])[^>]*>", workbook):
            if _attrs(tag.group(0)).get("name", "").casefold() == name.casefold():
                raise PatchError(
                    f"{where}: de naam '{name}' is al in gebruik als gedefinieerde naam "
                    f"(Formules > Namen beheren); een tabel kan niet zo heten. Geef die naam "
                    f"een andere naam of verwijder hem, en probeer het opnieuw."
                )

    def _table_area(
        self, sheet: _Sheet, sheet_xml: _SheetXml, header_row: int
    ) -> tuple[_Area, list[str], tuple[int, ...]]:
        """The range from the header row's first to its last filled cell, down to the last
        row with a value in those columns (one empty data row when there is none, as
        Excel keeps for an empty table) above the total rows under it (totals.py), the
        headers, and the total rows. Refused: a header that is empty
        between others, repeated (case ignored, as Excel compares), not text (a number, a
        date, a formula) or holding a line break or a control character."""
        where = f"Blad '{sheet.name}' in '{self.path}'"
        header = next((r for r in sheet_xml.rows() if r.number == header_row), None)
        filled = [c for c in sheet_xml.cells(header) if c.has_content] if header else []
        if not filled:
            raise PatchError(f"{where}: rij {header_row} heeft geen kolomkoppen.")
        # A table of the user's own beside the range (its headers in the same row, right of
        # the range's) is not part of it; one where the range starts is in the way.
        in_row = [t for t in self.tables(sheet) if t.area.top <= header_row <= t.area.bottom]
        for table in in_row:
            if table.area.left <= filled[0].col <= table.area.right:
                raise PatchError(
                    f"{where}: het bereik vanaf {filled[0].attrs['r']} overlapt de tabel "
                    f"'{table.name}' ({table.area}). Verplaats een van beide en probeer het "
                    f"opnieuw."
                )
        cells = [c for c in filled if not any(t.area.left <= c.col <= t.area.right for t in in_row)]
        left, right = cells[0].col, cells[-1].col
        by_col = {c.col: c for c in cells}
        headers: list[str] = []
        seen: dict[str, str] = {}
        for col in range(left, right + 1):
            ref = f"{_col_letters(col)}{header_row}"
            cell = by_col.get(col)
            if cell is None:
                raise PatchError(
                    f"{where}: cel {ref} in de kopregel is leeg; elke kolom van een tabel "
                    f"heeft een kop. Vul de kop in of verwijder de lege kolom."
                )
            if cell.attrs.get("t") not in ("s", "inlineStr") or cell.formula() is not None:
                raise PatchError(
                    f"{where}: de kop in cel {ref} is geen tekst (maar een getal, datum of "
                    f"formule); een tabel heeft tekst als kop. Typ de kop als tekst."
                )
            text = self._text(cell)
            if not text.strip() or _CONTROL.search(text) or "\n" in text or "\r" in text:
                raise PatchError(
                    f"{where}: de kop in cel {ref} is leeg of heeft een regeleinde; een tabel "
                    f"heeft een kop van één regel. Pas de kop aan."
                )
            if text.casefold() in seen:
                raise PatchError(
                    f"{where}: de kop '{text}' staat twee keer in de kopregel "
                    f"({seen[text.casefold()]} en {ref}); in een tabel is elke kop uniek. Geef "
                    f"een van beide een andere naam."
                )
            seen[text.casefold()] = ref
            headers.append(text)
        # A total row of the user's own under the data ("Totaal", =SUM(E2:E321)) stays
        # where it is, out of the table: see totals.py for the rule.
        found_totals = totals.total_rows(
            (span.number, self._row_cells(sheet_xml, span, left, right))
            for span in sheet_xml.rows_backwards()
            if span.number > header_row
        )
        bottom = header_row
        for span in sheet_xml.rows_backwards():
            if span.number <= header_row:
                break
            if found_totals and span.number >= min(found_totals):
                continue
            if any(left <= c.col <= right and c.has_content for c in sheet_xml.cells(span)):
                bottom = span.number
                break
        area = _Area(left, header_row, right, max(bottom, header_row + 1))
        if found_totals and min(found_totals) <= area.bottom + 1:
            first = min(found_totals)
            raise PatchError(
                f"{where}: direct onder de gegevens ({area}) staat een totaalregel (rij "
                f"{first}); de tabel kan dan niet groeien, want nieuwe rijen zouden op de "
                f"totaalregel komen. Laat een of meer lege rijen tussen de gegevens en de "
                f"totaalregel (rechtsklik op rij {first} > Invoegen), of zet de totaalregel "
                f"boven de kopregel, en probeer het opnieuw."
            )
        return area, headers, found_totals

    def _row_cells(
        self, sheet_xml: _SheetXml, span: _RowSpan, left: int, right: int
    ) -> list[totals.RowCell]:
        """The filled cells of a row in columns left..right, as totals.is_total_row needs
        them: a formula's text, a typed text, or neither (a number, a date)."""
        out = []
        for cell in sheet_xml.cells(span):
            if not (left <= cell.col <= right and cell.has_content):
                continue
            col = cell.col - 1  # the rule counts columns from 0, as the reader does
            formula = totals.cell_formula(cell.body, cell.attrs["r"], sheet_xml.xml)
            if formula is not None:
                out.append(totals.RowCell(col, formula, None))
            elif cell.attrs.get("t") in ("s", "inlineStr", "str"):
                out.append(totals.RowCell(col, None, self._text(cell)))
            else:
                out.append(totals.RowCell(col, None, None))
        return out

    def _free_table_id(self) -> int:
        """An id no table of the workbook has (Excel wants them unique in the workbook)."""
        taken = {0}
        for table in self.tables():
            root = _tree(self.package.read(table.part))
            taken.add(int(root.get("id", "0")) if root.get("id", "0").isdigit() else 0)
        return max(taken) + 1

    # replace a sheet

    def replace_sheet(self, name: str, rows: Sequence[Sequence[object]] | SheetLayout) -> None:
        """The sheet's cells become `rows` from A1; a SheetLayout also brings its cell
        formats, column widths, frozen header, autofilter, links, page set-up and charts."""
        layout = rows if isinstance(rows, SheetLayout) else None
        sheet = next((s for s in self.sheets() if s.name.casefold() == name.casefold()), None)
        if sheet is None:
            sheet = self._add_sheet(name)
        xml = self._sheet_xml(sheet)
        p = xml.p
        out: list[str] = []
        width = 0
        # Per sheet, not per cell: column letters, the cell format of each Style, the
        # start of the error message naming a cell.
        letters: list[str] = [""]
        xfs: dict[Style, str] = {}  # each Style's s="..." attribute, or ""
        where_prefix = f"Werkmap '{self.path}', werkblad '{name}', cel "
        # A text's cell body depends on the text alone: each distinct one converted once
        # (a Werklijst repeats its statuses, actions and names on many rows).
        texts: dict[str, _CellValue | None] = dict(
            _text_cells(
                list(dict.fromkeys(v for values in rows for v in values if type(v) is str and v)),
                p,
            )
        )
        # Likewise a plain date's (a Werklijst's days repeat); not Decimals: 1.0 and 1.00
        # are equal keys but different cells.
        dates: dict[date, _CellValue | None] = {}
        date1904 = self.date1904
        for r, values in enumerate(rows, start=1):
            if r > MAX_ROWS or len(values) > MAX_COLS:
                raise PatchError(
                    f"Het werkblad '{name}' zou groter worden dan Excel toestaat "
                    f"({MAX_ROWS} rijen, {MAX_COLS} kolommen)."
                )
            while len(letters) <= len(values):
                letters.append(_col_letters(len(letters)))
            kinds = layout.styles[r - 1] if layout is not None else ()
            known = len(kinds)
            cells = []
            last = 0  # the row's last cell written, for the sheet's width
            for c, value in enumerate(values, start=1):
                ref = f"{letters[c]}{r}"
                if type(value) is str:
                    cell = texts.get(value, _UNSEEN)
                    if cell is _UNSEEN:
                        cell = texts[value] = _convert(value, p, date1904, where_prefix + ref)
                elif type(value) is date:
                    cell = dates.get(value, _UNSEEN)
                    if cell is _UNSEEN:
                        cell = dates[value] = _convert(value, p, date1904, where_prefix + ref)
                else:
                    cell = _convert(value, p, date1904, where_prefix + ref)
                kind = kinds[c - 1] if c <= known else None
                if cell is None and kind is not Style.HEADER:
                    continue
                if kind is not None:
                    s = xfs.get(kind)
                    if s is None:
                        s = xfs[kind] = _style_attr(self.styles.xf_for(FORMATS[kind]))
                else:
                    s = _style_attr(self.styles.date_style()) if cell and cell.is_date else ""
                # _cell_xml, written out: one call fewer for each of 180,000 cells
                if cell is None:  # an empty header cell; "" still makes the row written
                    cells.append(f'<{p}c r="{ref}"{s}/>' if s else "")
                elif cell.kind:
                    cells.append(f'<{p}c r="{ref}"{s} t="{cell.kind}">{cell.inner}</{p}c>')
                else:
                    cells.append(f'<{p}c r="{ref}"{s}>{cell.inner}</{p}c>')
                last = c
            if last > width:
                width = last
            height = layout.heights[r - 1] if layout and r - 1 < len(layout.heights) else None
            if cells:
                ht = f' ht="{height:g}" customHeight="1"' if height else ""
                out.append(f'<{p}row r="{r}"{ht}>{"".join(cells)}</{p}row>')
        if _FORMULA.search(xml.xml, xml.start, xml.end):
            self.formulas_changed = True
        # The settings around the rows (dimension, merges, widths, panes, filter, links,
        # page set-up) are edited in the sheet without its rows, so each of those searches
        # reads a few kB, not the whole sheet; the rows go in once at the end.
        shell = xml.xml[: xml.start] + xml.xml[xml.end :]
        area = _Area(1, 1, width, len(rows)) if out else None
        shell = _with_dimension(shell, area)
        shell = self._drop_merges_and_tables(sheet, shell)
        if layout is not None:
            shell = self._lay_out(sheet, shell, layout)
        empty = _SheetXml(shell, sheet.part, self.path)
        self.package.write(sheet.part, empty.splice(empty.start, empty.end, "".join(out).encode()))
        self.data_changed = True

    def grow_array(self, name: str, needed: int, rows: int) -> None:
        """Let the array formula anchored in A1 cover `rows` rows when it covers fewer than
        `needed`; refused when cells below it would be swallowed."""
        sheet = next((s for s in self.sheets() if s.name.casefold() == name.casefold()), None)
        if sheet is None:
            return
        xml = self._sheet_xml(sheet)
        first = next(xml.rows(), None)
        if first is None or first.number != 1:
            return
        anchor = next((c for c in xml.cells(first) if c.col == 1), None)
        formula = anchor.formula() if anchor else None
        if anchor is None or not formula or formula.get("t") != "array" or "ref" not in formula:
            return
        area = _Area.parse(formula["ref"])
        if area.bottom >= needed:
            return
        if rows > MAX_ROWS:
            raise PatchError(
                f"Het werkblad '{name}' zou groter worden dan Excel toestaat ({MAX_ROWS} rijen)."
            )
        grown = _Area(area.left, area.top, area.right, rows)
        for span in xml.rows():
            if span.number > 1 and any(
                area.left <= c.col <= area.right and c.has_content for c in xml.cells(span)
            ):
                raise PatchError(
                    f"Het blad '{name}' in '{self.path}' heeft waarden onder de formule in A1 "
                    f"(rij {span.number}); wis het blad (Ctrl+A, Delete) en druk op Vernieuw "
                    f"werklijst, of verwijder die waarden, en probeer het opnieuw."
                )
        match = re.search(rb"<(?:[\w.-]+:)?f(?=[\s/>])[^>]*>", anchor.body)
        assert match is not None
        start = xml.xml.find(anchor.body, anchor.start)  # where the cell's inside begins
        tag_start, tag_end = start + match.start(), start + match.end()
        new_tag = _set_attr(xml.xml[tag_start:tag_end], "ref", str(grown))
        new = xml.xml[:tag_start] + new_tag + xml.xml[tag_end:]
        self.package.write(sheet.part, _with_dimension(new, grown))
        self.formulas_changed = True
        self.data_changed = True

    def _lay_out(self, sheet: _Sheet, xml: bytes, layout: SheetLayout) -> bytes:
        """Widths, frozen panes, autofilter (and its defined name), links and page set-up of
        a tool-owned sheet; every element in the order CT_Worksheet requires."""
        p = _prefix(xml, "worksheet")
        cols = "".join(
            f'<{p}col min="{c}" max="{c}" width="{w:g}" customWidth="1"/>'
            for c, w in enumerate(layout.widths, start=1)
        )
        xml = _put_element(xml, "cols", f"<{p}cols>{cols}</{p}cols>" if cols else None)
        xml = _put_element(xml, "sheetViews", _sheet_views(xml, p, layout.freeze_rows))
        flt = layout.autofilter
        xml = _put_element(
            xml, "autoFilter", f'<{p}autoFilter ref="{_ref(flt)}"/>' if flt else None
        )
        self._filter_name(sheet, flt)
        links = "".join(
            f'<{p}hyperlink ref="{_col_letters(k.column)}{k.row}" '
            f'location="{_escape_attr(_sheet_ref(k.sheet))}!A{k.target_row}"/>'
            for k in layout.links
        )
        xml = _put_element(
            xml, "hyperlinks", f"<{p}hyperlinks>{links}</{p}hyperlinks>" if links else None
        )
        if layout.text_columns:
            # The sheet is the tool's: its ignoredErrors is replaced, the same on every run.
            xml = _put_element(
                xml,
                "ignoredErrors",
                f"<{p}ignoredErrors><{p}ignoredError sqref="
                f'"{_whole_columns_sqref(layout.text_columns)}" numberStoredAsText="1"/>'
                f"</{p}ignoredErrors>",
            )
        if layout.landscape:
            xml = _fit_to_page_width(xml, p)
        if layout.charts:
            xml = self._charts(sheet, xml, layout)
        return xml

    def _charts(self, sheet: _Sheet, xml: bytes, layout: SheetLayout) -> bytes:
        """Each chart of the layout, found again by its title in the sheet's drawing (then
        its part is rewritten with today's ranges and values) or added once: into the
        sheet's drawing, or a new drawing part when the sheet has none."""
        rels = _read_rels(self.package, sheet.part)
        drawing_rel = next((r for r in rels if r.type == DRAWING_REL and not r.external), None)
        drawing = drawing_rel.target if drawing_rel else None
        existing: dict[str, str] = {}
        if drawing is not None and self.package.name(drawing) is not None:
            for rel in _read_rels(self.package, drawing):
                if rel.type == CHART_REL and self.package.name(rel.target) is not None:
                    title = _chart_title(self.package.read(rel.target))
                    existing.setdefault(title, rel.target)
        for chart in layout.charts:
            body = _chart_xml(sheet.name, chart, layout.rows)
            if chart.title in existing:
                self.package.write(existing[chart.title], body)
                continue
            if drawing is None or self.package.name(drawing) is None:
                drawing = self._free_part("xl/drawings/drawing{}.xml")
                self.package.write(
                    drawing,
                    (
                        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                        f'<xdr:wsDr xmlns:xdr="{XDR_NS}" xmlns:a="{A_NS}"></xdr:wsDr>'
                    ).encode(),
                )
                self._content_type(drawing, DRAWING_CONTENT_TYPE)
                rel_id = self._add_rel(sheet.part, DRAWING_REL, drawing)
                p = _prefix(xml, "worksheet")
                xml = _put_element(
                    xml, "drawing", f'<{p}drawing xmlns:r="{DOC_REL_NS}" r:id="{rel_id}"/>'
                )
            part = self._free_part("xl/charts/chart{}.xml")
            self.package.write(part, body)
            self._content_type(part, CHART_CONTENT_TYPE)
            chart_id = self._add_rel(drawing, CHART_REL, part)
            self.package.write(drawing, _with_anchor(self.package.read(drawing), chart, chart_id))
        return xml

    def _free_part(self, pattern: str) -> str:
        n = 1
        while self.package.name(pattern.format(n)) is not None:
            n += 1
        return pattern.format(n)

    def _content_type(self, part: str, content_type: str) -> None:
        types = _insert_before_close(
            self.package.read("[Content_Types].xml"),
            "Types",
            f'<Override PartName="/{part}" ContentType="{content_type}"/>'.encode(),
        )
        self.package.write("[Content_Types].xml", types)

    def _add_rel(self, owner: str, rel_type: str, target_part: str) -> str:
        """A relationship from `owner` to `target_part`; its new id."""
        rels_part = _rels_part(owner)
        taken = {r.id for r in _read_rels(self.package, owner)}
        k = len(taken) + 1
        while f"rId{k}" in taken:
            k += 1
        folder = posixpath.dirname(owner)
        target = posixpath.relpath(target_part, folder) if folder else target_part
        entry = f'<Relationship Id="rId{k}" Type="{rel_type}" Target="{target}"/>'.encode()
        if self.package.name(rels_part) is None:
            self.package.write(
                rels_part,
                (
                    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    f'<Relationships xmlns="{PKG_REL_NS}">'
                ).encode()
                + entry
                + b"</Relationships>",
            )
        else:
            self.package.write(
                rels_part,
                _insert_before_close(self.package.read(rels_part), "Relationships", entry),
            )
        return f"rId{k}"

    def _filter_name(self, sheet: _Sheet, area: Area | None) -> None:
        """The hidden name _xlnm._FilterDatabase Excel keeps for a sheet's autofilter."""
        workbook = self.package.read(self.workbook_part)
        index = next((k for k, s in enumerate(self.sheets()) if s.part == sheet.part), None)
        if index is None:
            return
        name = "_xlnm._FilterDatabase"

        def keep(attrs: dict[str, str]) -> bool:
            return not (attrs.get("name") == name and attrs.get("localSheetId") == str(index))

        workbook, _ = _remove_elements(workbook, "definedName", keep)
        p = _prefix(workbook, "workbook")
        holder = _start_tag(workbook, "definedNames")
        if holder is not None and not _tree_has_children(workbook, holder):
            workbook = workbook[: holder.start()] + workbook[_element_end(workbook, holder) :]
            holder = None
        if area is not None:
            target = f"{_sheet_ref(sheet.name)}!{_ref(area, absolute=True)}"
            entry = (
                f'<{p}definedName name="{name}" localSheetId="{index}" hidden="1">'
                f"{_escape_text(target)}</{p}definedName>"
            ).encode()
            if holder is not None:
                workbook = _insert_before_close(workbook, "definedNames", entry)
            else:
                block = f"<{p}definedNames>".encode() + entry + f"</{p}definedNames>".encode()
                at = _after_last(workbook, ("sheets", "functionGroups", "externalReferences"))
                workbook = workbook[:at] + block + workbook[at:]
        self.package.write(self.workbook_part, workbook)

    def _drop_merges_and_tables(self, sheet: _Sheet, xml: bytes) -> bytes:
        tables = self.tables(sheet)
        xml, merges = _remove_elements(xml, "mergeCells")
        if merges:
            verb = "worden" if self.dry_run else "zijn"
            self.notes.append(
                f"Op het werkblad '{sheet.name}' {verb} de samengevoegde cellen opgeheven."
            )
        if tables:
            xml, _ = _remove_elements(xml, "tableParts")
            dropped = {t.part for t in tables}
            rels = [r for r in _read_rels(self.package, sheet.part) if r.target in dropped]
            self._drop_related(sheet.part, rels, [t.part for t in tables])
            names = ", ".join(t.name for t in tables)
            verb = "wordt" if self.dry_run else "is"
            self.notes.append(f"Op het werkblad '{sheet.name}' {verb} de tabel {names} verwijderd.")
        return xml

    def _add_sheet(self, name: str) -> _Sheet:
        if len(name) > 31 or re.search(r"[\[\]:*?/\\]", name) or not name.strip("' "):
            raise PatchError(
                f"'{name}' kan geen werkbladnaam zijn in Excel (hoogstens 31 tekens, geen "
                f"[ ] : * ? / \\); kies een andere naam voor het nieuwe blad in '{self.path}'."
            )
        n = 1
        while self.package.name(f"xl/worksheets/sheet{n}.xml") is not None:
            n += 1
        part = f"xl/worksheets/sheet{n}.xml"
        self.package.write(
            part,
            (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                f'<worksheet xmlns="{MAIN_NS}"><sheetData/></worksheet>'
            ).encode(),
        )
        rels_part = _rels_part(self.workbook_part)
        taken = {r.id for r in self._workbook_rels()}
        k = len(taken) + 1
        while f"rId{k}" in taken:
            k += 1
        rel_id = f"rId{k}"
        target = posixpath.relpath(part, posixpath.dirname(self.workbook_part))
        rels = _insert_before_close(
            self.package.read(rels_part),
            "Relationships",
            f'<Relationship Id="{rel_id}" Type="{WORKSHEET_REL}" Target="{target}"/>'.encode(),
        )
        self.package.write(rels_part, rels)
        workbook = self.package.read(self.workbook_part)
        p = _prefix(workbook, "workbook")
        ids = [int(s.get("sheetId", "0")) for s in _tree(workbook).iter(_q("sheet"))]
        sheet_tag = (
            f'<{p}sheet xmlns:r="{DOC_REL_NS}" name="{_escape_attr(name)}" '
            f'sheetId="{max(ids, default=0) + 1}" r:id="{rel_id}"/>'
        )
        self.package.write(
            self.workbook_part, _insert_before_close(workbook, "sheets", sheet_tag.encode())
        )
        types = _insert_before_close(
            self.package.read("[Content_Types].xml"),
            "Types",
            f'<Override PartName="/{part}" ContentType="{WORKSHEET_CONTENT_TYPE}"/>'.encode(),
        )
        self.package.write("[Content_Types].xml", types)
        self.notes.append(f"Het werkblad '{name}' {'wordt' if self.dry_run else 'is'} toegevoegd.")
        return _Sheet(name, part)

    def _drop_content_type(self, part: str) -> None:
        types, _ = _remove_elements(
            self.package.read("[Content_Types].xml"),
            "Override",
            lambda a: a.get("PartName", "").lstrip("/").lower() != part.lower(),
        )
        self.package.write("[Content_Types].xml", types)

    # bookkeeping

    def finish(self) -> None:
        if self.formulas_changed:
            self._drop_calc_chain()
        if self.data_changed:
            self._full_calc_on_load()

    def _drop_calc_chain(self) -> None:
        chain = [r for r in self._workbook_rels() if r.type == CALC_CHAIN_REL]
        if chain:
            self._drop_related(self.workbook_part, chain, [r.target for r in chain])

    def _drop_related(self, owner: str, rels: Sequence[_Rel], parts: Sequence[str]) -> None:
        """Remove `rels` from `owner`'s relationships, and `parts` (what they point to) with
        their content types."""
        ids = {r.id for r in rels}
        rels_part = _rels_part(owner)
        xml, _ = _remove_elements(
            self.package.read(rels_part), "Relationship", lambda a: a.get("Id") not in ids
        )
        self.package.write(rels_part, xml)
        for part in parts:
            self.package.remove(part)
            self._drop_content_type(part)

    def _full_calc_on_load(self) -> None:
        xml = self.package.read(self.workbook_part)
        tag = _start_tag(xml, "calcPr")
        if tag is not None:
            xml = (
                xml[: tag.start()]
                + _set_attr(tag.group(0), "fullCalcOnLoad", "1")
                + xml[tag.end() :]
            )
        else:
            p = _prefix(xml, "workbook")
            # calcPr comes after definedNames and before these (CT_Workbook's sequence).
            later = (
                "oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes",
                "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst",
            )  # fmt: skip
            found = [t for t in (_start_tag(xml, name) for name in later) if t is not None]
            fragment = f'<{p}calcPr fullCalcOnLoad="1"/>'.encode()
            if found:
                at = min(t.start() for t in found)
                xml = xml[:at] + fragment + xml[at:]
            else:
                xml = _insert_before_close(xml, "workbook", fragment)
        self.package.write(self.workbook_part, xml)


# --- sheet layout (tool-owned sheets) -----------------------------------------------------

# CT_Worksheet's children in the order the schema requires.
WORKSHEET_ORDER: tuple[str, ...] = (
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
    "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
    "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects",
    "controls", "webPublishItems", "tableParts", "extLst",
)  # fmt: skip


def _ref(area: Area, absolute: bool = False) -> str:
    d = "$" if absolute else ""
    first = f"{d}{_col_letters(area.left)}{d}{area.top}"
    return f"{first}:{d}{_col_letters(area.right)}{d}{area.bottom}"


def _sheet_ref(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _merged_cells_in(xml: bytes, area: _Area) -> str:
    """The ref of the first merged range in `xml` (a sheet's mergeCells) that overlaps
    `area`, or "": new rows, a new column or a table cannot go over merged cells."""
    for tag in re.finditer(rb"<(?:[\w.-]+:)?mergeCell(?=[\s/>])[^>]*>", xml):
        ref = _attrs(tag.group(0)).get("ref", "")
        if ref and _Area.parse(ref).overlaps(area):
            return ref
    return ""


def _table_xml(
    table_id: int,
    name: str,
    area: _Area,
    headers: Sequence[str],
    formulas: Mapping[int, str] | None = None,
) -> bytes:
    """A table part as Excel writes one for Invoegen > Tabel: a name, the ref, an autoFilter
    over it, one column per header (the header cell's exact text; a literal _xHHHH_
    escaped as ECMA-376 Part 1, 22.9.2.19 says), a calculated column's formula (`formulas`,
    by index in `headers`) as the shipped workbook writes it, and the style info."""
    names = [_escape_attr(_ESCAPE_LIKE.sub(r"_x005F_\1", h)) for h in headers]
    formulas = formulas or {}
    columns = "".join(
        f'<tableColumn id="{k + 1}" name="{n}"/>'
        if k not in formulas
        else f'<tableColumn id="{k + 1}" name="{n}"><calculatedColumnFormula>'
        f"{_escape_text(formulas[k])}</calculatedColumnFormula></tableColumn>"
        for k, n in enumerate(names)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<table xmlns="{MAIN_NS}" id="{table_id}" name="{name}" displayName="{name}" '
        f'ref="{area}" totalsRowShown="0"><autoFilter ref="{area}"/>'
        f'<tableColumns count="{len(headers)}">{columns}</tableColumns>'
        f'<tableStyleInfo name="{TABLE_STYLE}" showFirstColumn="0" showLastColumn="0" '
        'showRowStripes="1" showColumnStripes="0"/></table>'
    ).encode()


# A formula element's text (not a shared formula's other cell: that one has none).
_F_TEXT = re.compile(rb"<(?:[\w.-]+:)?f(?:\s[^>]*)?>(.*?)</(?:[\w.-]+:)?f>", re.S)


# A relative row number in an A1 reference (E2, $E2; not E$2, LOG10( or a name's digits),
# outside a text in quotes: what moves when a formula is filled down.
_RELATIVE_ROW = re.compile(r'("[^"]*")|(?<![\w.$])(\$?[A-Za-z]{1,3})(\d+)(?![\w(!])')


def _rows_moved(formula: str, rows: int) -> str:
    """The formula with its relative row numbers `rows` higher: what filling it down gives
    when it has no row range or other reference the Translator would also move. Only a
    quick yes; a formula that differs is compared again by the Translator."""
    return _RELATIVE_ROW.sub(
        lambda m: m.group(1) or f"{m.group(2)}{int(m.group(3)) + rows}", formula
    )


def _column_style(xml: bytes, col: int) -> str | None:
    """The style of column `col` (1 = A) from the sheet's <cols>: what its cells without an
    element show."""
    cols_tag = _start_tag(xml, "cols")
    if cols_tag is None:
        return None
    for match in _COL.finditer(xml, cols_tag.end(), _element_end(xml, cols_tag)):
        attrs = _attrs(match.group(0))
        low, high = attrs.get("min", ""), attrs.get("max", "")
        if low.isdigit() and high.isdigit() and int(low) <= col <= int(high):
            return attrs.get("style")
    return None


# What in a formula cannot be an A1 reference: a text in quotes, a structured reference's
# brackets (tblFacturen[[#This Row],[Bedrag]]), a quoted sheet name.
_NOT_REFERENCES = re.compile(r'"[^"]*"|\[[^\[\]]*(?:\[[^\]]*\][^\[\]]*)*\]|\'[^\']*\'')
# A cell or row/column reference as A1 style writes it (B2, $B$2, B:B, 2:2): a letter or
# digit run not glued to a name before it (tblFacturen, LOG10 are names or functions).
_A1_REFERENCE = re.compile(
    r"(?<![\w.])\$?(?:[A-Za-z]{1,3}\$?\d+|[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}|\d+:\$?\d+)(?![\w(])"
)


def _moves(formula: str, col: int, row: int) -> bool:
    """The formula (without "=") in column `col`, row `row` changes when filled one row
    down: it has relative A1 references. The shipped tables' structured references
    (tblFacturen[[#This Row],[Bedrag]]) do not move."""
    if not formula or not _A1_REFERENCE.search(_NOT_REFERENCES.sub("", formula)):
        return False  # the usual case, every append: no openpyxl import (tests/test_linear.py)
    from openpyxl.formula.translate import Translator  # only here: a slow import

    here = f"{_col_letters(col)}{row}"
    moved: str = Translator("=" + formula, here).translate_formula(f"{_col_letters(col)}{row + 1}")
    return moved != "=" + formula


def _with_table_part(xml: bytes, rel_id: str) -> bytes:
    """The worksheet with one more <tablePart> in its <tableParts> (made in its place of
    CT_Worksheet's order when missing), the relationships namespace declared on the root
    when the sheet had none (openpyxl leaves it off a sheet without relationships)."""
    root = re.search(rb"<(?:[\w.-]+:)?worksheet(?=[\s>])[^>]*>", xml)
    if root is None:
        raise ValueError("worksheet")
    bound = re.search(rb'xmlns:([\w.-]+)="' + re.escape(DOC_REL_NS.encode()) + rb'"', root.group(0))
    if bound is None:
        r = "r"
        head = root.group(0)
        xml = (
            xml[: root.start()]
            + head[:-1]
            + f' xmlns:r="{DOC_REL_NS}">'.encode()
            + xml[root.end() :]
        )
    else:
        r = bound.group(1).decode()
    p = _prefix(xml, "worksheet")
    entry = f'<{p}tablePart {r}:id="{rel_id}"/>'
    parts = _start_tag(xml, "tableParts")
    if parts is None:
        return _put_element(xml, "tableParts", f'<{p}tableParts count="1">{entry}</{p}tableParts>')
    block = xml[parts.start() : _element_end(xml, parts)]
    kept = re.findall(rb"<(?:[\w.-]+:)?tablePart(?=[\s/>])[^>]*>", block)
    fragment = (
        f'<{p}tableParts count="{len(kept) + 1}">'
        + "".join(k.decode("utf-8") for k in kept)
        + entry
        + f"</{p}tableParts>"
    )
    return _put_element(xml, "tableParts", fragment)


def _put_element(xml: bytes, local: str, fragment: str | None) -> bytes:
    """`xml` (a worksheet) with its `local` element replaced by `fragment` (None: removed),
    placed before the first element that CT_Worksheet puts after it."""
    xml, _ = _remove_elements(xml, local)
    if fragment is None:
        return xml
    later = WORKSHEET_ORDER[WORKSHEET_ORDER.index(local) + 1 :]
    found = [t.start() for t in (_start_tag(xml, name) for name in later) if t is not None]
    if found:
        at = min(found)
        return xml[:at] + fragment.encode("utf-8") + xml[at:]
    return _insert_before_close(xml, "worksheet", fragment.encode("utf-8"))


# A start tag (not an end tag, comment or processing instruction): prefix, local name.
_START_TAG = re.compile(rb"<(?:([\w.-]+):)?([\w.-]+)(?=[\s/>])[^>]*>")
_EXT_LST = re.compile(rb"<(?:[\w.-]+:)?extLst(?=[\s/>])")
_IGNORED_ERROR = re.compile(rb"<(?:[\w.-]+:)?ignoredError(?=[\s/>])[^>]*>")
# A range of whole columns in a sqref: A:A, $B:$D, or A1:A1048576 as this module writes it.
_WHOLE_COLUMNS = re.compile(r"\$?([A-Za-z]{1,3})(\$?1)?:\$?([A-Za-z]{1,3})(\$?\d+)?")


def _top_level(xml: bytes, start: int) -> list[tuple[str, int, int, re.Match[bytes]]]:
    """The worksheet's child elements from `start` (the end of sheetData) on: (local name,
    start, end, start tag), in document order."""
    children = []
    pos = start
    while (tag := _START_TAG.search(xml, pos)) is not None:
        end = _element_end(xml, tag)
        children.append((tag.group(2).decode(), tag.start(), end, tag))
        pos = end
    return children


def _sqref_whole_columns(sqref: str) -> set[int]:
    """The columns `sqref` covers from row 1 to the last row (A:A, A1:A1048576)."""
    covered: set[int] = set()
    for token in sqref.split():
        match = _WHOLE_COLUMNS.fullmatch(token)
        if match is None:
            continue
        top, bottom = match.group(2), match.group(4)
        whole = (top is None and bottom is None) or (
            top is not None and bottom is not None and int(bottom.lstrip("$")) == MAX_ROWS
        )
        if whole:
            first, _ = _parse_ref(match.group(1) + "1")
            last, _ = _parse_ref(match.group(3) + "1")
            covered.update(range(first, last + 1))
    return covered


def _whole_columns_sqref(columns: Iterable[int]) -> str:
    """'A1:A1048576 C1:D1048576' for columns 1, 3 and 4: runs of neighbours as one range."""
    runs: list[list[int]] = []
    for col in sorted(set(columns)):
        if runs and runs[-1][1] == col - 1:
            runs[-1][1] = col
        else:
            runs.append([col, col])
    return " ".join(f"{_col_letters(a)}1:{_col_letters(b)}{MAX_ROWS}" for a, b in runs)


def _ignored_errors_edit(xml: bytes, columns: Iterable[int]) -> tuple[int, int, bytes] | None:
    """The edit (start, end, new bytes) of the worksheet `xml` that turns Excel's check
    "number stored as text" off in the whole `columns`: one <ignoredError> more, in the
    sheet's <ignoredErrors> (after its ignoredError children, before its extLst) or in a
    new one where CT_Worksheet puts it (after headerFooter, rowBreaks, colBreaks,
    customProperties, cellWatches; before smartTags, drawing, legacyDrawing, tableParts,
    extLst: ECMA-376 Part 1, 18.3.1.99; an element this module does not know, such as
    mc:AlternateContent around controls, counts as later). None when ignoredError
    elements with numberStoredAsText cover the columns already. Only the part after
    sheetData is searched."""
    p = _prefix(xml, "worksheet")
    close = xml.rfind(f"</{p}sheetData>".encode())
    if close < 0:
        tag = _start_tag(xml, "sheetData")  # <sheetData/>: an empty sheet, a small part
        if tag is None:
            raise ValueError("sheetData")
        after = tag.end()
    else:
        after = close + len(f"</{p}sheetData>")
    children = _top_level(xml, after)
    existing = next((c for c in children if c[0] == "ignoredErrors"), None)
    covered: set[int] = set()
    if existing is not None:
        for found in _IGNORED_ERROR.finditer(xml, existing[1], existing[2]):
            attrs = _attrs(found.group(0))
            if attrs.get("numberStoredAsText") in ("1", "true"):
                covered |= _sqref_whole_columns(attrs.get("sqref", ""))
    needed = set(columns) - covered
    if not needed:
        return None
    element = (
        f'<{p}ignoredError sqref="{_whole_columns_sqref(needed)}" numberStoredAsText="1"/>'
    ).encode()
    if existing is not None:
        _, start, end, tag = existing
        if tag.group(0).endswith(b"/>"):  # <ignoredErrors/>: opened up
            opened = tag.group(0)[:-2].rstrip() + b">"
            return start, end, opened + element + f"</{p}ignoredErrors>".encode()
        ext = _EXT_LST.search(xml, tag.end(), end)
        at = ext.start() if ext is not None else xml.rfind(b"</", start, end)
        return at, at, element
    order = WORKSHEET_ORDER.index("ignoredErrors")
    later = (
        c[1] for c in children if c[0] not in WORKSHEET_ORDER or WORKSHEET_ORDER.index(c[0]) > order
    )
    first_later = next(later, None)
    at = xml.rfind(f"</{p}worksheet>".encode()) if first_later is None else first_later
    if at < 0:
        raise ValueError("worksheet")
    fragment = f"<{p}ignoredErrors>".encode() + element + f"</{p}ignoredErrors>".encode()
    return at, at, fragment


def _sheet_views(xml: bytes, p: str, freeze_rows: int) -> str:
    """One sheet view; the rows above `freeze_rows` + 1 stay in view. A selected tab stays
    selected."""
    old = _start_tag(xml, "sheetView")
    selected = (
        ' tabSelected="1"'
        if old and _attrs(old.group(0)).get("tabSelected") in ("1", "true")
        else ""
    )
    if not freeze_rows:
        return f'<{p}sheetViews><{p}sheetView{selected} workbookViewId="0"/></{p}sheetViews>'
    below = f"A{freeze_rows + 1}"
    return (
        f'<{p}sheetViews><{p}sheetView{selected} workbookViewId="0">'
        f'<{p}pane ySplit="{freeze_rows}" topLeftCell="{below}" activePane="bottomLeft" '
        f'state="frozen"/><{p}selection pane="bottomLeft" activeCell="{below}" '
        f'sqref="{below}"/></{p}sheetView></{p}sheetViews>'
    )


def _fit_to_page_width(xml: bytes, p: str) -> bytes:
    """Print landscape, as wide as one page (as tall as it needs): sheetPr/pageSetUpPr
    fitToPage and pageSetup's fitToWidth 1, fitToHeight 0. Other settings stay."""
    pr = _start_tag(xml, "sheetPr")
    setup_pr = f'<{p}pageSetUpPr fitToPage="1"/>'.encode()
    if pr is None:
        xml = _put_element(xml, "sheetPr", f"<{p}sheetPr>{setup_pr.decode()}</{p}sheetPr>")
    else:
        end = _element_end(xml, pr)
        inner = xml[pr.start() : end]
        found = _start_tag(inner, "pageSetUpPr")
        if found is not None:
            inner = (
                inner[: found.start()]
                + _set_attr(found.group(0), "fitToPage", "1")
                + inner[found.end() :]
            )
        elif pr.group(0).endswith(b"/>"):
            inner = pr.group(0)[:-2].rstrip() + b">" + setup_pr + f"</{p}sheetPr>".encode()
        else:
            # pageSetUpPr is the last child of sheetPr (after tabColor and outlinePr)
            close = inner.rfind(b"</")
            inner = inner[:close] + setup_pr + inner[close:]
        xml = xml[: pr.start()] + inner + xml[end:]
    setup = _start_tag(xml, "pageSetup")
    if setup is None:
        if _start_tag(xml, "pageMargins") is None:
            margins = (
                f'<{p}pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" '
                f'footer="0.3"/>'
            )
            xml = _put_element(xml, "pageMargins", margins)
        return _put_element(
            xml, "pageSetup", f'<{p}pageSetup orientation="landscape" fitToHeight="0"/>'
        )
    head = setup.group(0)
    for name, value in (("orientation", "landscape"), ("fitToWidth", None), ("fitToHeight", "0")):
        head = _set_attr(head, name, value)
    return xml[: setup.start()] + head + xml[setup.end() :]


def _tree_has_children(xml: bytes, tag: re.Match[bytes]) -> bool:
    if tag.group(0).endswith(b"/>"):
        return False
    return _start_tag(xml[tag.end() : _element_end(xml, tag)], "definedName") is not None


def _after_last(xml: bytes, names: Sequence[str]) -> int:
    ends = [_element_end(xml, t) for t in (_start_tag(xml, n) for n in names) if t is not None]
    return max(ends)


# --- charts (DrawingML) -------------------------------------------------------------------


def _chart_title(xml: bytes) -> str:
    """The text of a chart's title (how the tool finds its own charts again)."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return ""
    title = root.find(f".//{{{C_NS}}}title")
    if title is None:
        return ""
    return "".join(t.text or "" for t in title.iter(f"{{{A_NS}}}t"))


def _cache(values: Sequence[object], numeric: bool) -> str:
    points = "".join(
        f'<c:pt idx="{k}"><c:v>{_escape_text(_cached(v, numeric))}</c:v></c:pt>'
        for k, v in enumerate(values)
        if v is not None and v != ""
    )
    code = "<c:formatCode>General</c:formatCode>" if numeric else ""
    return f'{code}<c:ptCount val="{len(values)}"/>{points}'


def _cached(value: object, numeric: bool) -> str:
    if numeric and isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _chart_xml(sheet_name: str, chart: Chart, rows: Sequence[Sequence[object]]) -> bytes:
    """A clustered bar chart (vertical for "column", horizontal with the first row on top
    for "bar") over one label column and one value column of this sheet."""

    def column(area: Area) -> list[object]:
        out = []
        for r in range(area.top, area.bottom + 1):
            row = rows[r - 1] if r - 1 < len(rows) else ()
            out.append(row[area.left - 1] if area.left - 1 < len(row) else None)
        return out

    where = _sheet_ref(sheet_name)
    cats, vals = column(chart.categories), column(chart.values)
    horizontal = chart.kind == "bar"
    cat_pos, val_pos = ("l", "b") if horizontal else ("b", "l")
    orientation = "maxMin" if horizontal else "minMax"
    crosses = "max" if horizontal else "autoZero"
    title = _escape_text(chart.title)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<c:chartSpace xmlns:c="{C_NS}" xmlns:a="{A_NS}" xmlns:r="{DOC_REL_NS}">'
        '<c:roundedCorners val="0"/><c:chart>'
        "<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr>"
        '<a:defRPr sz="1200" b="1"/></a:pPr><a:r><a:rPr lang="nl-NL" sz="1200" b="1"/>'
        f"<a:t>{title}</a:t></a:r></a:p></c:rich></c:tx>"
        '<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>'
        "<c:plotArea><c:layout/><c:barChart>"
        f'<c:barDir val="{"bar" if horizontal else "col"}"/><c:grouping val="clustered"/>'
        '<c:varyColors val="0"/><c:ser><c:idx val="0"/><c:order val="0"/>'
        f"<c:tx><c:v>{_escape_text(chart.series_name)}</c:v></c:tx>"
        '<c:spPr><a:solidFill><a:srgbClr val="1F4E78"/></a:solidFill></c:spPr>'
        '<c:invertIfNegative val="0"/>'
        f"<c:cat><c:strRef><c:f>{_escape_text(where)}!{_ref(chart.categories, True)}</c:f>"
        f"<c:strCache>{_cache(cats, False)}</c:strCache></c:strRef></c:cat>"
        f"<c:val><c:numRef><c:f>{_escape_text(where)}!{_ref(chart.values, True)}</c:f>"
        f"<c:numCache>{_cache(vals, True)}</c:numCache></c:numRef></c:val>"
        '</c:ser><c:gapWidth val="60"/><c:axId val="50010"/><c:axId val="50020"/>'
        '</c:barChart><c:catAx><c:axId val="50010"/>'
        f'<c:scaling><c:orientation val="{orientation}"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{cat_pos}"/><c:numFmt formatCode="General" sourceLinked="0"/>'
        '<c:tickLblPos val="nextTo"/><c:crossAx val="50020"/><c:crosses val="autoZero"/>'
        '<c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        '<c:noMultiLvlLbl val="0"/></c:catAx><c:valAx><c:axId val="50020"/>'
        '<c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>'
        f'<c:axPos val="{val_pos}"/><c:majorGridlines/>'
        '<c:numFmt formatCode="&quot;€ &quot;#,##0" sourceLinked="0"/>'
        '<c:tickLblPos val="nextTo"/><c:crossAx val="50010"/>'
        f'<c:crosses val="{crosses}"/><c:crossBetween val="between"/></c:valAx></c:plotArea>'
        '<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'
    ).encode()


def _with_anchor(drawing: bytes, chart: Chart, rel_id: str) -> bytes:
    """`drawing` with one more anchored chart frame over `chart.anchor`."""
    p = _prefix(drawing, "wsDr")
    ids = [int(m) for m in re.findall(rb'<(?:[\w.-]+:)?cNvPr[^>]*\sid="(\d+)"', drawing)]
    frame_id = max(ids, default=1) + 1
    a = chart.anchor
    anchor = (
        f'<{p}twoCellAnchor editAs="oneCell">'
        f"<{p}from><{p}col>{a.left - 1}</{p}col><{p}colOff>0</{p}colOff>"
        f"<{p}row>{a.top - 1}</{p}row><{p}rowOff>0</{p}rowOff></{p}from>"
        f"<{p}to><{p}col>{a.right}</{p}col><{p}colOff>0</{p}colOff>"
        f"<{p}row>{a.bottom}</{p}row><{p}rowOff>0</{p}rowOff></{p}to>"
        f'<{p}graphicFrame macro=""><{p}nvGraphicFramePr>'
        f'<{p}cNvPr id="{frame_id}" name="Grafiek {_escape_attr(chart.key)}"/>'
        f"<{p}cNvGraphicFramePr/></{p}nvGraphicFramePr>"
        f'<{p}xfrm><a:off xmlns:a="{A_NS}" x="0" y="0"/><a:ext xmlns:a="{A_NS}" cx="0" cy="0"/>'
        f'</{p}xfrm><a:graphic xmlns:a="{A_NS}"><a:graphicData uri="{C_NS}">'
        f'<c:chart xmlns:c="{C_NS}" xmlns:r="{DOC_REL_NS}" r:id="{rel_id}"/>'
        f"</a:graphicData></a:graphic></{p}graphicFrame><{p}clientData/></{p}twoCellAnchor>"
    )
    return _insert_before_close(drawing, "wsDr", anchor.encode("utf-8"))


def _decode_x(text: str) -> str:
    return _UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text
