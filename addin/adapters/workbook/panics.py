"""Rust panics in python-calamine: never on the user's screen, always a Dutch message.

python-calamine turns a panic in its Rust code into ``PanicException`` (a BaseException),
which the readers catch; but Rust's panic hook has already written its report to the
process's standard error (fd 2, not ``sys.stderr``) by then::

    thread '<unnamed>' panicked at .../chrono-0.4.45/src/lib.rs:717:17:
    TimeDelta::milliseconds out of bounds

(-1e308 in a date-formatted cell does that). `held_stderr` sends fd 2 to a temporary file
while python-calamine runs; afterwards whatever was written there is passed on to the real
standard error, unless it holds a panic report, which is dropped: the reader raises its own
message instead, naming the cell `panic_cell` finds.

Example::

    with held_stderr():
        rows = table.to_python()   # a panic: PanicException, and nothing on the screen
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from addin.adapters.workbook.totals import column_index

_lock = threading.Lock()
_held: list[tuple[int, IO[bytes], Any]] = []  # (saved fd 2, capture file, saved handle)
_depth = 0
_PANIC_MARK = b"panicked at"


def is_panic(err: BaseException) -> bool:
    """True for python-calamine's PanicException (pyo3_runtime.PanicException)."""
    return type(err).__name__ == "PanicException"


@contextlib.contextmanager
def held_stderr() -> Iterator[None]:
    """fd 2 (and on Windows the standard error handle Rust writes to) to a temporary file.

    Nested and concurrent uses share one redirection, undone when the last one ends; what
    others wrote to standard error in the meantime is passed on then, a panic report not.
    """
    _hold()
    try:
        yield
    finally:
        _release()


def _hold() -> None:
    global _depth
    with _lock:
        _depth += 1
        if _depth > 1:
            return
        _flush()
        try:
            saved = os.dup(2)
        except OSError:  # no standard error at all (pythonw): nothing to keep off the screen
            return
        capture = tempfile.TemporaryFile(prefix="debiteuren-stderr-")  # noqa: SIM115 (closed in _release)
        os.dup2(capture.fileno(), 2)
        _held.append((saved, capture, _swap_windows_handle(capture)))


def _release() -> None:
    global _depth
    with _lock:
        _depth -= 1
        if _depth > 0 or not _held:
            return
        saved, capture, handle = _held.pop()
        _flush()
        _restore_windows_handle(handle)
        os.dup2(saved, 2)
        os.close(saved)
        capture.seek(0)
        written = capture.read()
        capture.close()
    if written and _PANIC_MARK not in written:
        with contextlib.suppress(OSError):
            os.write(2, written)


def _flush() -> None:
    for stream in (sys.stderr, sys.__stderr__):
        with contextlib.suppress(Exception):
            if stream is not None:
                stream.flush()


# Rust's standard library on Windows writes to GetStdHandle(STD_ERROR_HANDLE) on every
# write, not to the C runtime's fd 2, so the handle is swapped too. (Not run in CI: Linux.)
_STD_ERROR_HANDLE = -12


def _swap_windows_handle(capture: IO[bytes]) -> Any:
    if sys.platform != "win32":
        return None
    import ctypes
    import msvcrt
    from ctypes import wintypes

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    kernel32.GetStdHandle.restype = wintypes.HANDLE
    kernel32.GetStdHandle.argtypes = [wintypes.DWORD]
    kernel32.SetStdHandle.argtypes = [wintypes.DWORD, wintypes.HANDLE]
    old = kernel32.GetStdHandle(wintypes.DWORD(_STD_ERROR_HANDLE & 0xFFFFFFFF))
    new = msvcrt.get_osfhandle(capture.fileno())
    kernel32.SetStdHandle(wintypes.DWORD(_STD_ERROR_HANDLE & 0xFFFFFFFF), new)
    return (kernel32, old)


def _restore_windows_handle(handle: Any) -> None:
    if handle is None or sys.platform != "win32":
        return
    from ctypes import wintypes

    kernel32, old = handle
    kernel32.SetStdHandle(wintypes.DWORD(_STD_ERROR_HANDLE & 0xFFFFFFFF), old)


# --- which cell: found after the fact, in the sheet's XML ------------------------------

# Excel's built-in date and time formats (ECMA-376 18.8.30, and the East Asian ones).
_DATE_FORMAT_IDS = frozenset({*range(14, 23), *range(27, 37), 45, 46, 47, *range(50, 59)})
_QUOTED = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_NUM_FMT = re.compile(rb"<(?:\w+:)?numFmt\b[^>]*>")
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_REF = re.compile(rb"([A-Z]{1,3})([0-9]{1,7})")
# Far below zero, the milliseconds of the day count overflow and chrono panics
# ("TimeDelta::milliseconds out of bounds"); -1.06e14 does, -1e13 is only out of range.
_PANICS_BELOW = -1e13
_LAST_SERIAL = 2_958_466  # 1-1-10000: beyond what any date type holds


def date_styles(styles_xml: bytes) -> frozenset[int]:
    """The cell-style indexes (`s="..."`) whose number format shows a date or a time.

    >>> sorted(date_styles(b'<numFmts><numFmt numFmtId="164" formatCode="dd-mm-yyyy"/>'
    ...                    b'</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/>'
    ...                    b'<xf numFmtId="14"/><xf numFmtId="4"/></cellXfs>'))
    [1, 2]
    """
    custom: set[int] = set()
    for tag in _NUM_FMT.findall(styles_xml):
        attrs = dict(_ATTR.findall(tag))
        code = _QUOTED.sub("", attrs.get(b"formatCode", b"").decode("utf-8", "replace"))
        if re.search(r"[dmyhsDMYHS]", code) and "general" not in code.casefold():
            with contextlib.suppress(ValueError):
                custom.add(int(attrs.get(b"numFmtId", b"")))
    found = _CELL_XFS.search(styles_xml)
    styles: set[int] = set()
    for i, tag in enumerate(_XF.findall(found[0]) if found else ()):
        try:
            number_format = int(dict(_ATTR.findall(tag)).get(b"numFmtId", b"0"))
        except ValueError:
            continue
        if number_format in _DATE_FORMAT_IDS or number_format in custom:
            styles.add(i)
    return frozenset(styles)


@dataclass(frozen=True, slots=True)
class SuspectCell:
    """A cell python-calamine could not convert.

    Attributes:
      row: the Excel row (1-based).
      column: the zero-based column index (A is 0).
      letters: the column as Excel writes it ("D").
      value: the cell's value as written in the file ("-1e308").
    """

    row: int
    column: int
    letters: str
    value: str


def panic_cell(source: Any, sheet: str) -> SuspectCell | None:
    """The cell of `sheet` that made python-calamine panic, best guess; None when no cell
    looks like the cause.

    `source` is the workbook file (a path or a binary file object). A number in a date-
    formatted cell far below zero is the known cause (-1e308: its milliseconds do not fit in
    64 bits), and the first such cell the one calamine stopped at; failing that, any date-
    formatted number outside 1900-9999 (or NaN).
    """
    import zipfile

    from addin.adapters.workbook.reader import sheet_parts

    try:
        with zipfile.ZipFile(source) as package:
            names = set(package.namelist())
            member = sheet_parts(package, names).get(sheet)
            if member is None:
                return None
            styles = (
                date_styles(package.read("xl/styles.xml")) if "xl/styles.xml" in names else None
            )
            body = package.read(member)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError, RuntimeError):
        return None
    suspect = None
    for match in _CELL.finditer(body):
        attrs = dict(_ATTR.findall(match[1]))
        if attrs.get(b"t", b"n") != b"n" or not match[2]:
            continue
        if styles is not None and _style(attrs) not in styles:
            continue
        value = _VALUE.search(match[2])
        ref = _REF.fullmatch(attrs.get(b"r", b""))
        if value is None or ref is None:
            continue
        text = value[1].decode("utf-8", "replace").strip()
        try:
            number = float(text)
        except ValueError:
            continue
        letters = ref[1].decode()
        cell = SuspectCell(int(ref[2]), column_index(letters), letters, text)
        if number < _PANICS_BELOW:
            return cell
        if suspect is None and not 0 <= number < _LAST_SERIAL:
            suspect = cell
    return suspect


def _style(attrs: dict[bytes, bytes]) -> int:
    try:
        return int(attrs.get(b"s", b"0"))
    except ValueError:
        return -1
