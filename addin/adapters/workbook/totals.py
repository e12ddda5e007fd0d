"""A total row under a plain range: the user's own "Totaal" line, not a row of data.

Small businesses keep a total under their invoice list: a label ("Totaal") in the first
column or the Klant column, ``=SUM(E2:E321)`` under Bedrag, Betaald and Open, the other
cells empty; after one or more empty rows, or directly under the last invoice. Read as data
it is an invoice without a customer (a problem on every run), and a table made over it
would take it in (new rows would go below it). The rule, in `is_total_row`:

  a row is a total row when at least one of its cells holds a formula that sums (SUM,
  SUBTOTAL or AGGREGATE of one range) cells above it in its own column, and every other
  filled cell holds a formula, except at most one text cell that is a total label
  (`TOTAL_WORDS`: "Totaal", "Subtotaal", "Total:", "Totaal 2026", ...).

So a row with an invoice number, a customer or a date typed in it is never a total row,
whatever its formulas; a label that is not a total word ("Stand 30-11") leaves the row
data, as before. `total_rows` applies the rule to the last rows of a range, from the bottom
up: the total rows found (at most MAX_TOTAL_ROWS; empty rows between them are passed over)
end where the first row that is not one begins.

Example::

    >>> row = (RowCell(0, None, "Totaal"), RowCell(4, "SUM(E2:E321)", None))
    >>> is_total_row(323, row)
    True
    >>> is_total_row(323, (RowCell(0, None, "2026-001"), RowCell(4, "SUM(E2:E321)", None)))
    False
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

# The first word of a total row's label, case ignored (Dutch first; English as users type
# it in an English Excel). "Som" is Excel's Dutch name of SUM, used as a label too.
TOTAL_WORDS: tuple[str, ...] = (
    "totaal",
    "subtotaal",
    "eindtotaal",
    "totalen",
    "som",
    "total",
    "subtotal",
    "totals",
    "grand",  # "Grand total"
)

# At most this many total rows under a range (Subtotaal, BTW, Totaal): a bound on how far
# up the search goes, so a long range is never scanned.
MAX_TOTAL_ROWS = 5

# SUM(E2:E321), SUBTOTAL(9,$E$2:$E$321), AGGREGATE(9,4,E2:E321), as a file stores them
# (no "="; "_xlfn." before newer functions). Groups: first column, first row, last column,
# last row.
_COLUMN_SUM = re.compile(
    r"^\s*=?\s*(?:_xlfn\.)?(?:SUM|SUBTOTAL|AGGREGATE)\(\s*(?:\d+\s*,\s*)*"
    r"\$?([A-Z]{1,3})\$?(\d{1,7})\s*:\s*\$?([A-Z]{1,3})\$?(\d{1,7})\s*\)\s*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+")
# SUM(tblFacturen[Bedrag]): the sum of a table's column (bijwerken writes it so, below).
_TABLE_SUM = re.compile(
    r"^\s*=?\s*(?:_xlfn\.)?(?:SUM|SUBTOTAL|AGGREGATE)\(\s*(?:\d+\s*,\s*)*"
    r"[A-Za-z_\\][\w.]*\[[^\[\]#']+\]\s*\)\s*$",
    re.IGNORECASE,
)
# What a column name may not hold in a structured reference without escaping.
_ESCAPED_IN_NAMES = re.compile(r"[\[\]#'@]|^\s|\s$")


@dataclass(frozen=True, slots=True)
class RowCell:
    """One filled cell of a row, as the rule needs it.

    Attributes:
      col: the zero-based column index (A = 0).
      formula: the cell's formula (without "="), or None for a typed value.
      text: a typed value that is text; None for a formula or for a number, date or bool.
    """

    col: int
    formula: str | None
    text: str | None


def column_index(letters: str) -> int:
    """A column's letters as a zero-based index: "A" -> 0, "AA" -> 26."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


def is_total_label(text: str) -> bool:
    """A label whose first word is a total word: "Totaal", "totaal:", "Totaal 2026"."""
    word = _WORD.search(text)
    return word is not None and word.group(0).casefold() in TOTAL_WORDS


def sums_column_above(formula: str, col: int, row: int) -> bool:
    """The formula sums one range of its own column `col` (zero-based) ending above `row`,
    or a table's column (SUM(tblFacturen[Bedrag]), as bijwerken leaves a total row)."""
    if _TABLE_SUM.match(formula):
        return True
    found = _COLUMN_SUM.match(formula)
    if found is None:
        return False
    first, top, last, bottom = found.groups()
    return column_index(first) == column_index(last) == col and max(int(top), int(bottom)) < row


def as_table_sum(
    formula: str, col: int, top: int, bottom: int, table: str, column: str
) -> str | None:
    """The formula with its range as the table's column when it sums exactly rows
    top..bottom of its own column `col` (zero-based): SUM(E2:E321) -> SUM(tblFacturen[Bedrag]);
    None for any other formula, or a column name that would need escaping."""
    found = _COLUMN_SUM.match(formula)
    if found is None or _ESCAPED_IN_NAMES.search(column):
        return None
    first, start, last, end = found.groups()
    if not (
        column_index(first) == column_index(last) == col and (int(start), int(end)) == (top, bottom)
    ):
        return None
    head = formula[: found.start(1)].rstrip("$")
    return f"{head}{table}[{column}]{formula[found.end(4) :]}".lstrip("=").lstrip()


def is_total_row(row: int, cells: Iterable[RowCell]) -> bool:
    """The rule of this module's docstring for sheet row `row`, given its filled cells."""
    cells = tuple(cells)
    typed = [c for c in cells if c.formula is None]
    if len(typed) > 1 or (typed and not (typed[0].text and is_total_label(typed[0].text))):
        return False
    return any(c.formula is not None and sums_column_above(c.formula, c.col, row) for c in cells)


def total_rows(rows_upwards: Iterable[tuple[int, Sequence[RowCell]]]) -> tuple[int, ...]:
    """The sheet rows of the total rows under a range, given its rows from the last one up
    as (row number, filled cells); empty rows are passed over, the first row that is not a
    total row ends the search. Bottom-up order; () when the last filled row is data."""
    found: list[int] = []
    for number, cells in rows_upwards:
        if not cells:
            continue
        if len(found) == MAX_TOTAL_ROWS or not is_total_row(number, cells):
            break
        found.append(number)
    return tuple(found)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def data_rows(
    rows: Sequence[Sequence[object]],
    first_row: int,
    first_col: int,
    key: int,
    formulas_of: Callable[[set[int]], Mapping[tuple[int, int], str]],
) -> int:
    """How many of a plain range's data `rows` (values, the sheet row of rows[0] is
    `first_row`, the zero-based column of each row's first value `first_col`) are data:
    len(rows), or fewer when total rows end it. The values alone cannot tell a formula from
    a typed number, so `formulas_of(sheet rows)` -> {(sheet row, zero-based column):
    formula} is asked, and only for the last rows that could be totals by their values: a
    total label in them, or nothing in column `key` (the first required one: Factuurnummer).
    An invoice row is neither, so a range of data only costs nothing more."""
    candidates: list[int] = []  # indexes into rows, bottom-up
    for k in range(len(rows) - 1, -1, -1):
        row = rows[k]
        filled = [v for v in row if not _blank(v)]
        if not filled:
            continue
        labelled = any(isinstance(v, str) and is_total_label(v) for v in filled)
        keyless = key >= len(row) or _blank(row[key])
        if len(candidates) == MAX_TOTAL_ROWS or not (labelled or keyless):
            break
        candidates.append(k)
    if not candidates:
        return len(rows)
    formulas = formulas_of({first_row + k for k in candidates})

    def cells(k: int) -> list[RowCell]:
        out = []
        for j, value in enumerate(rows[k]):
            formula = formulas.get((first_row + k, first_col + j))
            if formula is not None:
                out.append(RowCell(first_col + j, formula, None))
            elif not _blank(value):
                out.append(RowCell(first_col + j, None, value if isinstance(value, str) else None))
        return out

    found = total_rows((first_row + k, cells(k)) for k in candidates)
    return min(found) - first_row if found else len(rows)


# --- formulas as a worksheet part stores them -----------------------------------------

_F = re.compile(rb"<(?:[\w.-]+:)?f(?=[\s/>])([^>]*?)(?:/>|>(.*?)</(?:[\w.-]+:)?f>)", re.S)
_ATTR = re.compile(rb'([\w:.-]+)="([^"]*)"')


def cell_formula(body: bytes, ref: str, xml: bytes) -> str | None:
    """The formula of the cell at `ref` whose XML body (what is inside <c>) is `body`, or
    None. Excel writes a formula filled down or across once, in its first cell (a shared
    formula); the other cells name it only (<f t="shared" si="0"/>): theirs is that formula
    moved from the first cell to `ref`, found in `xml`, the whole worksheet part."""
    import html

    found = _F.search(body)
    if found is None:
        return None
    text = html.unescape((found.group(2) or b"").decode("utf-8", "replace"))
    attrs = dict(_ATTR.findall(found.group(1)))
    if text or attrs.get(b"t") != b"shared" or b"si" not in attrs:
        return text
    master = re.search(
        rb"<(?:[\w.-]+:)?f\s[^>]*\bsi=\"" + re.escape(attrs[b"si"]) + rb"\"[^>]*(?<!/)>([^<]+)<",
        xml,
    )
    at = xml.rfind(b' r="', 0, master.start()) if master else -1
    if master is None or at < 0:
        return None
    origin = xml[at + 4 : xml.find(b'"', at + 4)].decode("ascii", "replace")
    from openpyxl.formula.translate import Translator, TranslatorError

    try:
        moved: str = Translator(
            "=" + html.unescape(master.group(1).decode()), origin
        ).translate_formula(ref)
    except (TranslatorError, ValueError):
        return None
    return moved[1:]
