"""The open workbook through classic open-source xlwings: the `LiveWorkbook` of
adapters/live.py over an xlwings Book (no xlwings.pro, no server), and the file dialogs the
bank import asks with.

Only moves values; every decision is in adapters/live.py. There is no Excel on Linux, so it
is checked only by proxy: the openpyxl implementation of the same interface
(tests/adapters/live_openpyxl.py), and this class's table and cell code run over fake
xlwings objects that behave as xlwings and Excel document them (tests/adapters/
xlwings_fake.py: ListObject.Range with its totals row, Resize moving no cells, Range.Formula
and Range.HasFormula as pywin32 gives them). The sheet formats, charts, dialogs and the
rest of `.api` are not run, nor HasFormula's Mac form (appscript). That it behaves the same
in Excel (Windows and Mac) is not tested here.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from addin.adapters.excel.live import FormatSheet, LiveError, TableBlock

# --- xlwings ----------------------------------------------------------------------------------


def _has_formula(area: Any) -> bool | None:
    """Range.HasFormula through the native object xlwings gives (it has no property of its
    own for it): pywin32 on Windows (Null arrives as None), appscript on the Mac. None
    when only some cells hold a formula."""
    if sys.platform == "darwin":
        state = area.api.has_formula.get()
    else:
        state = area.api.HasFormula
    return state if isinstance(state, bool) else None


class XlwingsWorkbook:
    """`LiveWorkbook` over a classic open-source xlwings Book (no xlwings.pro, no server).

    Only moves values; every decision is in adapters/live.py. Checked only by proxy (no
    Excel on Linux): see the module docstring.
    """

    def __init__(self, book: Any) -> None:
        self.book = book
        self._tables: dict[str, tuple[str, str]] | None = None

    @classmethod
    def caller(cls) -> XlwingsWorkbook:
        import xlwings as xw  # only where Excel calls in

        return cls(xw.Book.caller())

    @property
    def fullname(self) -> str:
        return str(self.book.fullname)

    def _sheet(self, name: str) -> Any:
        for sheet in self.book.sheets:
            if sheet.name.casefold() == name.casefold():
                return sheet
        return None

    def _find_table(self, name: str) -> tuple[str, str] | None:
        if self._tables is None:
            self._tables = {
                table.name.casefold(): (sheet.name, table.name)
                for sheet in self.book.sheets
                for table in sheet.tables
            }
        return self._tables.get(name.casefold())

    def table(self, name: str) -> TableBlock | None:
        found = self._find_table(name)
        if found is None:
            return None
        sheet, real = found
        table = self.book.sheets[sheet].tables[real]
        area = table.range  # ListObject.Range: the header, the data and a shown totals row
        values = area.options(ndim=2).value
        totals = 1 if table.show_totals else 0
        return TableBlock(real, sheet, area.row, area.column, values, totals=totals)

    def sheet_block(self, sheet: str) -> TableBlock | None:
        found = self._sheet(sheet)
        if found is None:
            return None
        area = found.used_range
        values = area.options(ndim=2).value
        return TableBlock(found.name, found.name, area.row, area.column, values, plain=True)

    def sheet_names(self) -> Sequence[str]:
        return [sheet.name for sheet in self.book.sheets]

    def _block(self, sheet: str, row: int, column: int, rows: int, columns: int) -> Any:
        return self.book.sheets[sheet].range((row, column), (row + rows - 1, column + columns - 1))

    def cells(self, sheet: str, row: int, column: int, rows: int, columns: int) -> list[list[Any]]:
        return list(self._block(sheet, row, column, rows, columns).options(ndim=2).value)

    def formulas(
        self, sheet: str, row: int, column: int, rows: int, columns: int
    ) -> list[list[bool]]:
        # Range.Formula is "=..." for a formula, but also for a text constant that starts
        # with "=" (typed after an apostrophe, or written by us as text: live.cell_value), so
        # "=" only makes a cell a candidate. Range.HasFormula decides: True when every cell
        # of a range holds a formula, False when none does, Null when some do. Asked of the
        # block, then of each column with candidates, then cell by cell only in a column that
        # holds both (a computed column is one question, a block without "=" none).
        area = self._block(sheet, row, column, rows, columns)
        got = area.formula
        grid = [[got]] if isinstance(got, str) else [list(r) for r in got]
        flags = [[isinstance(f, str) and f.startswith("=") for f in r] for r in grid]
        if not any(map(any, flags)):
            return flags
        whole = _has_formula(area)
        if whole is not None:
            return [[whole and flag for flag in line] for line in flags]
        for c in range(columns):
            if not any(line[c] for line in flags):
                continue
            state = _has_formula(self._block(sheet, row, column + c, rows, 1))
            for r, line in enumerate(flags):
                if line[c]:
                    line[c] = bool(
                        state
                        if state is not None
                        else _has_formula(self._block(sheet, row + r, column + c, 1, 1))
                    )
        return flags

    def formula_texts(
        self, sheet: str, row: int, column: int, rows: int, columns: int
    ) -> list[list[str | None]]:
        # Range.Formula's text where `formulas` (Range.HasFormula) says it is one.
        got = self._block(sheet, row, column, rows, columns).formula
        grid = [[got]] if isinstance(got, str) else [list(r) for r in got]
        flags = self.formulas(sheet, row, column, rows, columns)
        return [
            [f[1:] if flag and isinstance(f, str) else None for f, flag in zip(g, fl, strict=False)]
            for g, fl in zip(grid, flags, strict=False)
        ]

    def name_cell(self, name: str) -> tuple[str, int, int] | None:
        for defined in self.book.names:
            if defined.name.split("!")[-1].casefold() != name.casefold():
                continue
            try:
                area = defined.refers_to_range
            except Exception:  # a name that refers to a constant or a formula
                return None
            if area.count != 1:
                return None
            return area.sheet.name, area.row, area.column
        return None

    def write(self, sheet: str, row: int, column: int, values: Sequence[Sequence[object]]) -> None:
        self.book.sheets[sheet].range((row, column)).value = [list(r) for r in values]

    def resize_table(self, name: str, rows: int) -> None:
        self._resize(name, rows=rows)

    def widen_table(self, name: str, columns: int) -> None:
        # The header cells already hold the new names: Excel takes them as the columns'.
        self._resize(name, columns=columns)

    def _resize(self, name: str, rows: int | None = None, columns: int | None = None) -> None:
        """ListObject.Resize from the same top-left cell (the header row stays), to `rows`
        rows and `columns` columns, each unchanged when not given.

        The range given is the table's whole new Range, counted as ListObject.Range counts
        (a shown totals row included), and Resize moves no cells. So widening keeps a totals
        row as the last row; growing the rows would make the last new row the totals row,
        which is why live.append_steps refuses a table that shows one."""
        found = self._find_table(name)
        if found is None:
            raise LiveError(f"De tabel '{name}' is verdwenen.")
        sheet, real = found
        table = self.book.sheets[sheet].tables[real]
        area = table.range
        top, left = area.row, area.column
        bottom = top + (area.rows.count if rows is None else rows) - 1
        right = left + (area.columns.count if columns is None else columns) - 1
        table.resize(self.book.sheets[sheet].range((top, left), (bottom, right)))

    def clear_sheet(self, sheet: str, formats: bool = False) -> None:
        found = self._sheet(sheet)
        if found is None:
            found = self.book.sheets.add(sheet, after=self.book.sheets[-1])
        if formats:
            found.clear()  # contents and formats; charts (shapes) stay
        else:
            found.clear_contents()

    def format_sheet(self, step: FormatSheet) -> None:
        """Cell formats, widths and heights through xlwings' own properties; the frozen
        header and the autofilter through Excel's object model on Windows only (the Mac's
        differs and is not reachable from here: there they are left as they are)."""
        ws = self._sheet(step.sheet)
        for row, column, rows, columns, fmt in step.blocks:
            area = ws.range((row, column), (row + rows - 1, column + columns - 1))
            if fmt.number_format:
                area.number_format = fmt.number_format
            font = area.font
            font.bold = fmt.bold
            font.italic = fmt.italic
            if fmt.size:
                font.size = fmt.size
            if fmt.colour:
                font.color = "#" + fmt.colour[-6:]
            if fmt.fill:
                area.color = "#" + fmt.fill[-6:]
            area.wrap_text = fmt.wrap
        for column, width in enumerate(step.widths, start=1):
            ws.range((1, column)).column_width = width
        for row, height in step.heights:
            ws.range((row, 1)).row_height = height
        for row, column, address in step.links:
            cell = ws.range((row, column))
            cell.add_hyperlink(address, text_to_display=str(cell.value or ""))
        self._charts(ws, step)
        if sys.platform.startswith("win"):
            self._filter_and_panes(ws, step)

    def _charts(self, ws: Any, step: FormatSheet) -> None:
        kinds = {"column": "column_clustered", "bar": "bar_clustered"}
        names = {chart.name for chart in ws.charts}
        for name, kind, title, source, top_left, bottom_right in step.charts:
            if name in names:
                chart = ws.charts[name]
            else:
                corner, end = ws.range(top_left), ws.range(bottom_right)
                chart = ws.charts.add(
                    corner.left, corner.top, end.left - corner.left, end.top - corner.top
                )
                chart.name = name
                chart.chart_type = kinds[kind]
            chart.set_source_data(ws.range(source))
            if sys.platform.startswith("win"):
                chart.api[1].HasTitle = True
                chart.api[1].ChartTitle.Text = title

    def _filter_and_panes(self, ws: Any, step: FormatSheet) -> None:
        sheet = ws.api
        if sheet.AutoFilterMode:
            sheet.AutoFilterMode = False
        if step.autofilter:
            sheet.Range(step.autofilter).AutoFilter()
        active = self.book.app.api.ActiveSheet
        ws.activate()
        window = self.book.app.api.ActiveWindow
        window.FreezePanes = False
        if step.freeze_rows:
            window.SplitColumn = 0
            window.SplitRow = step.freeze_rows
            window.FreezePanes = True
        active.Activate()

    def set_array_formula(self, sheet: str, formula: str, rows: int, columns: int) -> None:
        # A classic array formula over a fixed block, as the build writes it: every Excel
        # version takes it (a spilling Formula2 would need Excel 365).
        self.book.sheets[sheet].range((1, 1), (rows, columns)).formula_array = formula

    def calculate(self) -> None:
        self.book.app.calculate()

    def choose_files(self, prompt: str) -> tuple[Path, ...]:
        if sys.platform.startswith("win"):
            # Excel's own dialog (Application.GetOpenFilename): FileFilter, FilterIndex,
            # Title, ButtonText (Mac only), MultiSelect; positional for late-bound COM.
            file_filter = FILE_FILTERS.get(prompt, EXCEL_FILE_FILTER)
            chosen = self.book.app.api.GetOpenFilename(file_filter, 1, prompt, "", True)
            return excel_selection(chosen)
        if sys.platform == "darwin":
            return mac_choose_files(prompt)
        return tk_choose_files(prompt)

    def choose_folder(self, prompt: str) -> Path | None:
        if sys.platform.startswith("win"):
            # Office's folder picker (Application.FileDialog(msoFileDialogFolderPicker = 4)).
            dialog = self.book.app.api.FileDialog(4)
            dialog.Title = prompt
            if dialog.Show() != -1:  # -1: the user pressed OK
                return None
            return Path(str(dialog.SelectedItems(1)))
        if sys.platform == "darwin":
            return mac_choose_folder(prompt)
        return tk_choose_folder(prompt)

    def alert(self, message: str, title: str, critical: bool = False) -> None:
        self.book.app.alert(message, title=title, mode="critical" if critical else "info")

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Screen updating off while writing (faster, no flicker), always restored."""
        app = self.book.app
        before = app.screen_updating
        app.screen_updating = False
        try:
            yield
        finally:
            app.screen_updating = before


# --- choosing bank files ----------------------------------------------------------------------

BANK_PROMPT = "Kies de bankafschriften (CAMT.053, MT940, CSV of TXT van ABN AMRO, ook in een ZIP)"
# Excel's GetOpenFilename filter: pairs of "description,patterns".
EXCEL_FILE_FILTER = (
    "Bankafschriften (*.xml;*.sta;*.940;*.mt940;*.txt;*.tab;*.csv;*.zip),*.xml;*.sta;*.940;"
    "*.mt940;*.txt;*.tab;*.csv;*.zip,Alle bestanden (*.*),*.*"
)


INVOICE_PROMPT = "Kies de facturen (UBL-e-facturen .xml, of een lijst .csv / .xlsx)"
INVOICE_FOLDER_PROMPT = "Kies de map met de facturen (UBL .xml met PDF, .csv of .xlsx)"
INVOICE_FILE_FILTER = (
    "Facturen (*.xml;*.csv;*.xlsx;*.txt),*.xml;*.csv;*.xlsx;*.txt,Alle bestanden (*.*),*.*"
)
FILE_FILTERS = {BANK_PROMPT: EXCEL_FILE_FILTER, INVOICE_PROMPT: INVOICE_FILE_FILTER}


def excel_selection(chosen: object) -> tuple[Path, ...]:
    """What Excel's GetOpenFilename returns: False when cancelled, else one path or a
    sequence of paths (MultiSelect)."""
    if chosen is False or chosen is None:
        return ()
    if isinstance(chosen, str):
        return (Path(chosen),) if chosen and chosen != "False" else ()
    if isinstance(chosen, Sequence):
        return tuple(Path(str(p)) for p in chosen if p)
    return ()


MAC_SCRIPT = (
    'set chosen to choose file with prompt "{prompt}" with multiple selections allowed\n'
    'set out to ""\n'
    "repeat with f in chosen\n"
    "set out to out & POSIX path of f & linefeed\n"
    "end repeat\n"
    "return out"
)


def mac_choose_files(prompt: str, run: Callable[..., Any] = subprocess.run) -> tuple[Path, ...]:
    """The macOS file dialog through osascript (always present, unlike tkinter for some
    Python installs); cancel -> ()."""
    script = MAC_SCRIPT.format(prompt=prompt.replace('"', "'"))
    done = run(["osascript", "-e", script], capture_output=True, text=True, check=False)
    if done.returncode != 0:  # -128: the user cancelled
        return ()
    return osascript_paths(done.stdout)


def osascript_paths(output: str) -> tuple[Path, ...]:
    return tuple(Path(line) for line in output.splitlines() if line.strip())


def mac_choose_folder(prompt: str, run: Callable[..., Any] = subprocess.run) -> Path | None:
    """The macOS folder dialog through osascript; cancel -> None."""
    script = (
        f'return POSIX path of (choose folder with prompt "{prompt.replace(chr(34), chr(39))}")'
    )
    done = run(["osascript", "-e", script], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return None
    paths = osascript_paths(done.stdout)
    return paths[0] if paths else None


def tk_choose_folder(prompt: str) -> Path | None:
    """tkinter's folder dialog; None when cancelled or without Tk."""
    try:
        import tkinter
        from tkinter import filedialog
    except ImportError:
        return None
    root = tkinter.Tk()
    try:
        root.withdraw()
        root.attributes("-topmost", True)
        chosen = filedialog.askdirectory(title=prompt, parent=root)
    finally:
        root.destroy()
    return Path(chosen) if chosen else None


def tk_choose_files(prompt: str) -> tuple[Path, ...]:
    """tkinter's file dialog, on top of other windows; () when cancelled or without Tk."""
    try:
        import tkinter
        from tkinter import filedialog
    except ImportError:
        return ()
    root = tkinter.Tk()
    try:
        root.withdraw()
        root.attributes("-topmost", True)
        chosen = filedialog.askopenfilenames(title=prompt, parent=root)
    finally:
        root.destroy()
    return tuple(Path(p) for p in chosen)
