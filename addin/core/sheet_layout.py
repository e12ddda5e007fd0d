"""A sheet the tool writes (Werklijst, Overzicht) as values plus how it looks, as data.

The core decides what each cell is (a title, a warning, a header, a date, an amount, text
that wraps), how wide each column is, where the panes freeze, which range gets the
autofilter, which cells link to a row elsewhere and which charts show which cells. The
adapters turn that into styles.xml entries and sheet XML (the file write-back) or into
xlwings formatting calls (Excel); neither decides anything about the layout.

Example::

    SheetLayout(rows=(("Werklijst 24-11-2026",), ("Groep", "Datum"), ("Bellen", date(...))),
                styles=((Style.TITLE,), (Style.HEADER, Style.HEADER), (Style.GROUP, Style.DATE)),
                widths=(16.0, 11.0), freeze_rows=2, autofilter=Area(2, 1, 3, 2))
    ->  A1 bold and large, row 2 a styled header with a filter, column B as d-m-jjjj,
        rows below 2 scroll under the header.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from addin.core.model import FastEnum
from addin.core.money import format_eur


class Style(FastEnum):
    """What a cell is; the adapters map each to one cell format."""

    TITLE = "titel"
    WARNING = "waarschuwing"
    SECTION = "kop"
    HEADER = "kolomkop"
    GROUP = "groep"
    TEXT = "tekst"
    WRAP = "tekst-omloop"
    DATE = "datum"
    MONEY = "bedrag"
    NUMBER = "getal"
    LINK = "koppeling"
    TOTAL = "totaal"
    TOTAL_MONEY = "totaal-bedrag"


@dataclass(frozen=True, slots=True)
class Area:
    """A block of cells, 1-based and inclusive."""

    top: int
    left: int
    bottom: int
    right: int


@dataclass(frozen=True, slots=True)
class Link:
    """Cell (row, column) of this sheet links to row `target_row` of sheet `sheet` (column A)."""

    row: int
    column: int
    sheet: str
    target_row: int


@dataclass(frozen=True, slots=True)
class Chart:
    """A native chart over cells of the same sheet.

    Attributes:
      key: a stable name, so a chart once added is found again (the chart part's name).
      kind: "column" (vertical bars) or "bar" (horizontal bars, first row on top).
      categories, values: the label and value cells (one column each).
      anchor: the cells the chart covers.
      series_name: the legend text of the one series.
    """

    key: str
    kind: str
    title: str
    series_name: str
    categories: Area
    values: Area
    anchor: Area


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """The rows of a tool-owned sheet from A1, with a Style per cell (None: plain)."""

    rows: tuple[tuple[object, ...], ...]
    styles: tuple[tuple[Style | None, ...], ...]
    widths: tuple[float, ...] = ()
    heights: tuple[float | None, ...] = ()
    freeze_rows: int = 0
    autofilter: Area | None = None
    links: tuple[Link, ...] = ()
    charts: tuple[Chart, ...] = ()
    landscape: bool = True
    # Columns (1 = A) of text that may be all digits (invoice and customer numbers, phone
    # numbers): Excel's "number stored as text" check is turned off in them, whole columns,
    # or it marks each such cell with a green triangle.
    text_columns: tuple[int, ...] = ()

    def __iter__(self) -> Iterator[tuple[object, ...]]:
        """Iterating a layout gives its rows, as a plain rows tuple would."""
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> tuple[object, ...]:
        return self.rows[index]


# Widths in characters of the default font; a column is never narrower or wider.
MIN_WIDTH, MAX_WIDTH = 6.0, 60.0
# Cells that span (a title, a warning) run over empty neighbours: they do not widen a column.
SPANNING = frozenset({Style.TITLE, Style.WARNING, Style.SECTION})


def shown_length(value: object, style: Style | None) -> int:
    """About how many characters the cell shows."""
    if value is None:
        return 0
    if isinstance(value, date):
        return 10  # 28-11-2026
    if isinstance(value, Decimal):
        return len(format_eur(value))
    if isinstance(value, int):
        return len(f"{value:,}")
    text = str(value)
    if "\n" not in text:  # nearly every cell: one line
        return len(text)
    return max(len(line) for line in text.split("\n"))


def fit_widths(
    rows: Sequence[Sequence[object]],
    styles: Sequence[Sequence[Style | None]],
    maximum: Sequence[float] = (),
) -> tuple[float, ...]:
    """Per column: the longest shown value plus a margin, within MIN_WIDTH and the column's
    maximum (`maximum[c]`, else MAX_WIDTH); text beyond it wraps where the style says so."""
    count = max((len(r) for r in rows), default=0)
    longest = [0] * count
    # The columns that count and their margins follow from a row's styles and length: the
    # rows share their styles tuples (letter_log.werklijst_rows), so each is worked out
    # once per distinct tuple, not per cell (20,000 Werklijst rows).
    measured: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for values, kinds in zip(rows, styles, strict=True):
        shape = (id(kinds), len(values))
        columns = measured.get(shape)
        if columns is None:
            columns = measured[shape] = _measured_columns(kinds, len(values))
        for c, extra in columns:
            value = values[c]
            if type(value) is str and "\n" not in value:  # nearly every cell: one line
                n = len(value) + extra
            else:
                n = shown_length(value, None) + extra
            if n > longest[c]:
                longest[c] = n
    return tuple(
        float(min(maximum[c] if c < len(maximum) else MAX_WIDTH, max(MIN_WIDTH, n)))
        for c, n in enumerate(longest)
    )


def _measured_columns(kinds: Sequence[Style | None], count: int) -> list[tuple[int, int]]:
    """(column, margin) of a row's cells that size their column: spanning ones do not; a
    header has room for its filter button."""
    known = len(kinds)
    out = []
    for c in range(count):
        style = kinds[c] if c < known else None
        if style not in SPANNING:
            out.append((c, 4 if style is Style.HEADER else 3))
    return out


# Points per line of the default 11-point font; a wrapped cell needs one line per this many
# characters of its column's width (a little under 1, as proportional text runs wider).
LINE_HEIGHT = 15.0
CHARS_PER_WIDTH = 0.9
WRAPPING = frozenset({Style.WRAP, Style.HEADER, Style.GROUP})


def fit_heights(
    rows: Sequence[Sequence[object]],
    styles: Sequence[Sequence[Style | None]],
    widths: Sequence[float],
) -> tuple[float | None, ...]:
    """Per row: the height its wrapped cells need, or None for one line. Written into the
    file because LibreOffice does not grow rows for wrapped text by itself."""
    out: list[float | None] = []
    # Only wrapping cells can need more lines; which they are, and their room, follow
    # from a row's styles and length (shared tuples: see fit_widths).
    wrapping: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for values, kinds in zip(rows, styles, strict=True):
        shape = (id(kinds), len(values))
        columns = wrapping.get(shape)
        if columns is None:
            known = len(kinds)
            columns = wrapping[shape] = [
                (c, max(1, int((widths[c] - 1) * CHARS_PER_WIDTH)))
                for c in range(min(len(values), len(widths)))
                if (kinds[c] if c < known else None) in WRAPPING
            ]
        lines = 1
        for c, room in columns:
            value = values[c]
            if value is None:
                continue
            for line in str(value).split("\n"):
                lines_here = -(-len(line) // room) if line else 1
                lines = max(lines, lines_here)
        out.append(lines * LINE_HEIGHT if lines > 1 else None)
    return tuple(out)


def value_style(value: object, text: Style = Style.TEXT) -> Style | None:
    """The style a data cell gets from its value: dates, amounts and counts formatted."""
    if value is None:
        return None
    if isinstance(value, bool):
        return text
    if isinstance(value, date):
        return Style.DATE
    if isinstance(value, Decimal):
        return Style.MONEY
    if isinstance(value, int):
        return Style.NUMBER
    return text


def warnings_note(count: int) -> str:
    """What the CLI summary and the ribbon say about the plan's warnings."""
    if count == 0:
        return ""
    word = "waarschuwing" if count == 1 else "waarschuwingen"
    return f"{count} {word}: zie bovenaan de Werklijst."
