"""What every command of the command line shares: exit codes, the Dutch argument parser,
--datum parsing, JSON printing and the failure message.

Example::

    >>> parse_day("24-11-2026").isoformat()
    '2026-11-24'
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import importlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, NoReturn

EXIT_OK, EXIT_PROBLEMS, EXIT_FAILED = 0, 1, 2


class DutchParser(argparse.ArgumentParser):
    """argparse with Dutch headings and errors that exit 2 with a Dutch message.

    `answer_json`: the command line asked for --json (set by `main` before parsing), so a
    mistake in it is reported as ``{"fout": ...}`` on stdout like every other refusal, for
    the script that reads it; the parser cannot know that itself once parsing failed.
    """

    answer_json = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "argumenten"
        self._optionals.title = "opties"
        self.add_argument("-h", "--help", action="help", help="deze hulp tonen en stoppen")

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "gebruik:", 1)

    def format_help(self) -> str:
        return super().format_help().replace("usage:", "gebruik:", 1)

    def error(self, message: str) -> Any:
        text = f"fout in de opdracht: {dutch(message)}"
        if self.answer_json:
            print_json({"fout": text[:1].upper() + text[1:]})
            self.exit(EXIT_FAILED)
        self.print_usage(sys.stderr)
        self.exit(EXIT_FAILED, f"{self.prog}: {text}\n")


# argparse's own messages (Python 3.11), in Dutch: prefix -> replacement.
ARGPARSE_DUTCH: tuple[tuple[str, str], ...] = (
    ("the following arguments are required: ", "deze argumenten ontbreken: "),
    ("unrecognized arguments: ", "onbekende argumenten: "),
    ("invalid choice: ", "ongeldige keuze: "),
    ("expected one argument", "verwacht één waarde"),
    ("not allowed with argument ", "niet toegestaan samen met "),
    ("one of the arguments ", "een van deze argumenten is verplicht: "),
)


def dutch(message: str) -> str:
    for english, translated in ARGPARSE_DUTCH:
        if english in message:
            message = message.replace(english, translated)
    return message.replace("(choose from ", "(kies uit ").replace(" is required", "")


# The dates a command line accepts. Before 1 March 1900 Excel's serial dates are off by a
# day (its 29-2-1900) and the write-back refuses them; far in the future the date
# arithmetic overflows (a year after 9999-12-31, holidays of year 10000). A date outside
# is a typo (0001-01-01, 9999-12-31), answered as one.
FIRST_DAY, LAST_DAY = date(1900, 3, 1), date(2999, 12, 31)
# Day-first with a four-digit year (24-11-2026), read here and not by the cell parser: that
# one stops at 31-12-2199 (the dates a cell may hold), so '31-12-2999' was 'ongeldige datum'
# while '2999-12-31' was taken; both forms now have the same range.
_DAY_FIRST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")


def parse_day(text: str) -> date:
    """--datum: ISO (2026-11-24) as the contract says, Dutch (24-11-2026) as people type;
    between FIRST_DAY and LAST_DAY."""
    # The cell parsers (and the domain model they load) only when a date needs them.
    from addin.adapters.workbook.cells import to_date

    value: date | None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        m = _DAY_FIRST.fullmatch(text.strip())
        try:
            value = date(int(m[4]), int(m[3]), int(m[1])) if m else to_date(text)
        except ValueError as exc:  # the cell parser's CellError, or a day like 31-2-2025
            raise argparse.ArgumentTypeError(
                f"ongeldige datum '{text}': gebruik JJJJ-MM-DD"
            ) from exc
        if value is None:
            raise argparse.ArgumentTypeError("lege datum: gebruik JJJJ-MM-DD") from None
    if not FIRST_DAY <= value <= LAST_DAY:
        raise argparse.ArgumentTypeError(
            f"datum '{text}' valt buiten 1-3-1900 tot en met 31-12-2999: gebruik JJJJ-MM-DD"
        )
    return value


def output_path(text: str) -> Path:
    """--uit, --png and nieuw's PAD: where a command writes. A Windows path (a drive "D:\\Uit",
    a share "\\\\server\\share") is refused on macOS and Linux, as Uitvoermap is in
    Instellingen (paths.windows_only): there it became a folder named "D:\\Uit" in the
    current folder."""
    from addin.adapters.documents.paths import network_address, windows_only

    if network_address(text):
        # "smb://server/share" became a folder "smb:" in the current folder.
        raise argparse.ArgumentTypeError(
            f"'{text}' is een netwerkadres, geen pad; verbind eerst met de netwerkmap en geef "
            "het pad zoals deze computer het toont (zoals /Volumes/share). Er is niets gemaakt."
        )
    if windows_only(text):
        raise argparse.ArgumentTypeError(
            f"'{text}' is een pad op Windows (met een stationsletter of \\\\server\\share), dat "
            "op deze computer niet bestaat; geef een pad op deze computer. Er is niets gemaakt."
        )
    return Path(text)


def without_cycle_collection(
    command: Callable[[argparse.Namespace], int],
) -> Callable[[argparse.Namespace], int]:
    """Run a command that reads a book and plans with the cycle collector off.

    Reading, planning and printing make millions of objects and no reference cycles; with
    the collector on, each pass it makes when they come in scans the whole Book again
    (0.3-0.4 s a pass at 100,000 invoices, several per `werklijst --json`). The command's
    objects are freed when it returns, before the collector is switched back on, so that
    no last pass scans them either.
    """

    @functools.wraps(command)
    def run(args: argparse.Namespace) -> int:
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return command(args)
        finally:
            if was_enabled:
                gc.enable()

    return run


def while_reading(as_of: date, *modules: str) -> Callable[[], None]:
    """What a command that plans needs after reading, for `read_book(meanwhile=...)`: its
    `modules` imported and the holidays of the plan's year worked out while the reader
    waits for python-calamine's first table (which parses without the GIL). Otherwise both
    come after the reading: the holidays package alone takes 0.09 s to load, the letter
    run's modules (jinja2, reportlab, pypdf) 0.4 s."""

    def load() -> None:
        for name in modules:
            importlib.import_module(name)
        from addin.core.workdays import load_holidays

        load_holidays(as_of.year)

    return load


# What a command has finished with but need not free itself: see `keep_until_exit`.
_kept: list[object] = []


def keep_until_exit(*objects: object) -> None:
    """Hold `objects` (a command's Book and Plan, once its output is written) until the
    process ends, instead of freeing them when the command returns.

    Freeing the millions of objects of a 100,000-invoice Book and its Plan costs about
    0.07 s, and Python's teardown at exit as much again, both after the last byte is
    written. Run as the process (`exit_process`), they are never freed: the process ends
    without the teardown (os._exit), as mypy's `hard_exit` does. When `main` is called in
    a process that goes on (tests), main frees them as it returns.
    """
    _kept.extend(objects)


def release_kept() -> bool:
    """Free what `keep_until_exit` holds; whether it held anything."""
    held = bool(_kept)
    _kept.clear()
    return held


def exit_process(code: int) -> NoReturn:
    """End the process with `code`. If the command handed its objects to `keep_until_exit`
    (all its work done), stdout and stderr are flushed and the process ends at once,
    without freeing them and without Python's teardown; otherwise (a command that may
    have threads, worker pools or temporary files to close) it exits the usual way."""
    if _kept:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a closed pipe (`| head`): the reader went away; end quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os._exit(EXIT_PROBLEMS)
        else:
            os._exit(code)
    sys.exit(code)


def print_json(data: dict[str, Any]) -> None:
    """The object as JSON on stdout: indented for a person at a terminal, else compact.

    Compact output is encoded by orjson, and a value that is an iterator (plan_json's
    100,000 actions) is written a chunk at a time, so neither all its objects nor the whole
    text are ever in memory: `werklijst --json` spent 60% of its time in the pure-Python
    encoder that indentation needs. The JSON is the same either way.
    """
    out = sys.stdout
    binary = getattr(out, "buffer", None)
    if out.isatty() or binary is None:
        print(json.dumps(json_lists(data), ensure_ascii=False, indent=2))
        return
    import orjson

    out.flush()
    # Like planning (core/plan.py): many small dicts and no cycles; the cycle collector
    # would only re-scan the whole Book, again and again, while they are made.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        _write_json(data, binary.write, orjson.dumps)
    finally:
        if was_enabled:
            gc.enable()
    binary.flush()


def _next_chunk(values: Iterator[Any]) -> list[Any]:
    return list(islice(values, JSON_CHUNK))


def _write_json(data: dict[str, Any], write: Callable[[bytes], object], dumps: Any) -> None:
    for index, (key, value) in enumerate(data.items()):
        write(b"{" if index == 0 else b",")
        write(dumps(key))
        write(b":")
        if isinstance(value, Iterator):
            write(b"[")
            first = True
            for chunk in iter(functools.partial(_next_chunk, value), []):
                text = dumps(chunk)[1:-1]
                if text:
                    write(text if first else b"," + text)
                    first = False
            write(b"]")
        else:
            write(dumps(value))
    write(b"{}\n" if not data else b"}\n")


JSON_CHUNK = 2_000  # objects per orjson call when a list is written piece by piece


def json_lists(data: dict[str, Any]) -> dict[str, Any]:
    """`data` with its iterator values made lists."""
    return {k: list(v) if isinstance(v, Iterator) else v for k, v in data.items()}


def fail(args: argparse.Namespace, message: str) -> int:
    """Report why nothing was done, as a sentence (the causes are phrased to follow a colon
    elsewhere, "... kon niet: de map ..."), on stderr or as {"fout": ...}; exit code 2."""
    message = message[:1].upper() + message[1:]
    if not message.rstrip().endswith((".", "?", "!")):
        # A sentence ends with a full stop: half of the refusals had none ("Fout: Klantnummer
        # K999 staat niet in Klanten van Boek.xlsm"), the other half did.
        message = message.rstrip() + "."
    if getattr(args, "json", False):
        print_json({"fout": message})
    else:
        print(f"Fout: {message}", file=sys.stderr)
    return EXIT_FAILED


def nothing_changed(message: str) -> str:
    """`message` followed by "Er is niets veranderd.", unless it says so already (the
    write-back's own message after a failed write ends "Er is niets in de werkmap
    veranderd.": said twice, it read as a stutter)."""
    if message.rstrip().endswith("veranderd."):
        return message
    return f"{message} Er is niets veranderd."


def problems_note(problems: Sequence[object]) -> str | None:
    """The line that tells why a run that did its work ends with exit code 1: the problems
    in the data, counted, and where to read them ("2 problemen in de gegevens: zie
    debiteuren controleer."), or None without any. One sentence for every command, so the
    text says what the exit code means (bank and overzicht said nothing)."""
    if not problems:
        return None
    from addin.core.texts import count_text

    found = count_text(len(problems), "probleem", "problemen")
    return f"{found} in de gegevens: zie debiteuren controleer."


def problems_json(problems: Sequence[Any]) -> list[dict[str, Any]]:
    """`problemen` of every command's --json: each problem as controleer --json gives it
    ({blad, rij, kolom, melding}), never only their number (herinneringen, bank and
    overdracht gave a count under the key that werklijst and controleer use for the list).
    The report module (and the engine it loads) only when there is a problem to give."""
    if not problems:
        return []
    from addin.cli.report import problem_json

    return [problem_json(p) for p in problems]


def amount_text(text: str) -> Decimal:
    """An amount typed on the command line: 1234.56 or 1.234,56 (Dutch)."""
    from addin.adapters.workbook.cells import CellError, to_amount

    try:
        value = to_amount(text)
    except CellError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value is None:
        raise argparse.ArgumentTypeError("leeg bedrag: geef bijvoorbeeld 1.234,56")
    return value


def parse_amount(text: str) -> Decimal:
    """BEDRAG on the command line, never negative."""
    value = amount_text(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is negatief: geef het openstaande bedrag")
    return value


Command = Callable[[argparse.Namespace], int]


def writes_workbook(func: Command) -> Command:
    """Decorate a command that writes the workbook `args.boek`: it runs holding the
    workbook's lock (adapters/workbook/lock.py), taken before its first read and given back
    when it ends, also on an error. A second run meanwhile, or a folder where no lock can
    be made, exits 2 with a Dutch message and nothing changed. With `--proef` (nothing is
    written) and for a path that is not a file (the command says what is wrong with it)
    no lock is taken. A stale lock that was cleared is noted on stderr.

    Usage, one line above the command: ``@writes_workbook``.
    """

    @functools.wraps(func)
    def locked(args: argparse.Namespace) -> int:
        # Here, not at start-up: the lock's modules (socket, ctypes) cost every command.
        from addin.adapters.pathnames import unusable
        from addin.adapters.workbook.lock import LockError, workbook_lock

        workbook = Path(args.boek)
        if getattr(args, "proef", False) or unusable(workbook) or not workbook.is_file():
            return func(args)
        command = getattr(args, "opdracht", None) or func.__name__.removeprefix("cmd_")
        with contextlib.ExitStack() as stack:
            try:
                lock = stack.enter_context(workbook_lock(workbook, command))
            except LockError as exc:
                return fail(args, str(exc))
            for note in lock.notes:
                print(f"Let op: {note}", file=sys.stderr)
            return func(args)

    return locked


def open_refusal(args: argparse.Namespace) -> str | None:
    """Why a writing command must not start, or None: the workbook `args.boek` is open in
    Excel (a ``~$`` owner file beside it). Not asked with `--proef`, which writes nothing.
    Usage: ``refusal = open_refusal(args)``, then ``return fail(args, refusal)`` if set."""
    if getattr(args, "proef", False):
        return None
    from addin.adapters.workbook.xlsx_patch import PatchError, check_not_open

    try:
        check_not_open(Path(args.boek))
    except PatchError as exc:
        return nothing_changed(str(exc))
    return None


def tables_refusal(args: argparse.Namespace, command: str) -> str | None:
    """Why `command` must not start, or None: a table it writes into (schema.WRITTEN_BY) is
    no Excel table in the workbook `args.boek`, so the write-back at its end would refuse
    after the letters, PDFs or mails were made. Asked right after reading, before any of
    that, with the write-back's own finding of tables and message (xlsx_patch.check_tables;
    which tables: schema.tables_to_check)."""
    from addin.adapters.workbook.xlsx_patch import PatchError, check_tables

    try:
        check_tables(Path(args.boek), command)
    except PatchError as exc:
        return nothing_changed(str(exc))
    return None


def core_tables_refusal(
    book: Any,
    workbook: object,
    check: str = "'debiteuren controleer'",
    importer: str = "'debiteuren importeer'",
) -> str | None:
    """Why a writing command must not write, or None: without invoices and customers the
    derived sheets (Werklijst, Afspraken.Status) would be written from nothing (every
    arrangement "nagekomen", an empty Werklijst). `check` names the way to list the
    problems and `importer` the way to fill the tables (the ribbon's buttons: "Controleer
    gegevens", "Importeer facturen"): an empty table is no problem `check` would list, as in
    a new workbook, so the message must not send the user there for it."""
    from addin import schema

    empty = [
        f"{spec.name} (blad {spec.sheet})"
        for spec, rows in ((schema.FACTUREN, book.invoices), (schema.KLANTEN, book.customers))
        if not rows
    ]
    if not empty:
        return None
    return (
        f"De werkmap '{workbook}' heeft geen bruikbare rijen in de tabel "
        f"{' en '.join(empty)}: de tabel is leeg (vul hem, of lees facturen in met "
        f"{importer}), ontbreekt of is hernoemd, of elke rij heeft een probleem (die noemt "
        f"{check}). Zonder facturen en klanten wordt er niets in de werkmap geschreven; er "
        "is niets veranderd."
    )
