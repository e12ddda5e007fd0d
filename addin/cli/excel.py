"""`debiteuren bouw [--uit PAD]` and `debiteuren nieuw PAD [--voorbeeld] [--klassiek] [--mac]`.

`bouw` builds the shipped workbook workbook/Debiteuren.xlsm from the example (the same
bytes on every build; the interpreter left to xlwings' defaults, so the file works on any
machine). `nieuw` writes a fresh workbook for this computer: its xlwings.conf points at the
Python that runs the command, and it never overwrites a file. With `--mac` (the default on
macOS) the Plan sheet holds the plan as values instead of =DEBITEUREN_PLAN(...): the Mac has
no worksheet functions from Python, and "Vernieuw werklijst" there writes values too.

Example::

    $ debiteuren nieuw Debiteuren.xlsm
    Nieuwe werkmap Debiteuren.xlsm gemaakt (lege tabellen, =NEXTACTION en =DUESTATUS voor
    Excel 365). Open hem in Excel en schakel macro's in.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from addin.cli.common import EXIT_OK, fail, output_path, print_json

# openpyxl and pyOpenVBA (addin.excel.build) are imported by the commands that build, not at
# start-up: every other command would pay for them.

SUFFIX = ".xlsm"
# The example's Factuurmap (addin/example.py): its invoice PDFs live beside the workbook.
INVOICE_FOLDER = "facturen"


def default_output() -> Path:
    """workbook/Debiteuren.xlsm in a source checkout, else Debiteuren.xlsm here."""
    from addin.excel.vba import sources_dir

    checkout = Path(__file__).resolve().parents[2] / "workbook"
    if sources_dir() == checkout:
        return checkout / "Debiteuren.xlsm"
    return Path("Debiteuren.xlsm")


def cmd_bouw(args: argparse.Namespace) -> int:
    from addin.adapters.documents.invoice_pdf import write_invoice_pdfs
    from addin.adapters.tempfiles import remove_stale, stage
    from addin.adapters.workbook.xlsx_patch import write_failure
    from addin.core.texts import dutch_count
    from addin.example import EXAMPLE_DATE, EXAMPLE_TIMESTAMP, example_book
    from addin.excel.build import WorkbookOptions, build_workbook

    out: Path = args.uit or default_output()
    if out.suffix.lower() != SUFFIX:
        return fail(args, f"'{out}' moet op {SUFFIX} eindigen (een werkmap met macro's)")
    # A link is written through: the file it points to gets the workbook (and its
    # Factuurmap, which is read beside the real file, the invoices), and the link stays.
    target = Path(os.path.realpath(out))
    options = WorkbookOptions(peildatum=EXAMPLE_DATE, timestamp=EXAMPLE_TIMESTAMP)
    book = example_book()
    try:
        # The build writes temp files of the workbook's size: a full disk stops it here.
        data = build_workbook(book, options)
    except OSError as exc:
        return fail(args, f"de werkmap '{out}' kon niet worden gemaakt: {write_failure(exc)}")
    # What an earlier bouw that was killed left (its temp files) goes first.
    remove_stale(target.parent, depth=1)
    # The workbook is written in full under a temp name first, put in place after the
    # invoices: a run that fails leaves the earlier workbook (or none) as it was, not half
    # a file or a new workbook beside invoices that failed.
    try:
        staged = stage(target.parent, data)
    except OSError as exc:
        return fail(args, f"de werkmap '{out}' kon niet worden geschreven: {write_failure(exc)}")
    placing: list[OSError] = []

    def place() -> None:
        # Inside the invoices' run: a workbook that cannot be put in place (open in Excel
        # on Windows, a folder of its name) takes away the invoices it made, as a failed
        # invoice does, instead of leaving a new facturen folder beside no workbook.
        try:
            os.replace(staged, target)
        except OSError as exc:
            placing.append(exc)
            raise

    try:
        # The example's invoices beside it (its Factuurmap), so letters carry originals;
        # each whole or not at all, and a failure takes away the files and folders it made.
        invoices = write_invoice_pdfs(book, target.parent / INVOICE_FOLDER, finish=place)
    except BaseException as exc:
        staged.unlink(missing_ok=True)
        if not isinstance(exc, OSError):
            raise
        if placing:
            return fail(
                args, f"de werkmap '{out}' kon niet worden geschreven: {write_failure(exc)}"
            )
        return fail(
            args,
            _invoices_failed(exc, target.parent, f"De werkmap '{out}' is niet geschreven."),
        )
    if args.json:
        print_json(
            {
                "bestand": str(out),
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "peildatum": EXAMPLE_DATE.isoformat(),
                "facturen": invoices,
            }
        )
    else:
        print(f"Werkmap {out} gebouwd ({dutch_count(len(data))} bytes).")
        print(f"{invoices} facturen (pdf) in {target.parent / INVOICE_FOLDER}.")
    return EXIT_OK


def _invoices_failed(exc: OSError, folder: Path, consequence: str) -> str:
    """Why the example's invoices beside the workbook in `folder` could not be written, and
    `consequence`. The path as the user types it, not str(exc): that is English and
    repr()s it."""
    from addin.adapters.workbook.xlsx_patch import failed_file, write_failure

    where = failed_file(exc) or str(folder / INVOICE_FOLDER)
    return (
        f"de facturen van het voorbeeld konden niet worden geschreven: '{where}': "
        f"{write_failure(exc)}. {consequence}"
    )


def cmd_nieuw(args: argparse.Namespace) -> int:
    from addin.adapters.documents.invoice_pdf import write_invoice_pdfs
    from addin.adapters.pathnames import unusable
    from addin.adapters.tempfiles import remove_stale
    from addin.adapters.workbook.xlsx_patch import write_failure
    from addin.core.model import Book
    from addin.core.plan import plan_book
    from addin.core.plan_sheet import plan_rows
    from addin.example import EXAMPLE_DATE, example_book
    from addin.excel.build import WorkbookOptions, build_workbook, interpreter_rows, write_new

    path: Path = args.pad
    if not path.suffix:
        path = path.with_suffix(SUFFIX)
    if path.suffix.lower() != SUFFIX:
        return fail(args, f"'{path}' moet op {SUFFIX} eindigen (een werkmap met macro's)")
    trouble = unusable(path)  # exists() would raise it (a name over 255 bytes)
    if trouble is not None:
        return fail(args, f"de werkmap '{path}' kan niet worden gemaakt: {trouble}")
    if path.exists():
        return fail(args, f"'{path}' bestaat al; er is niets overschreven. Kies een andere naam.")
    if not path.parent.is_dir():
        return fail(args, f"de map '{path.parent}' bestaat niet")
    # A killed earlier nieuw left its workbook-sized temp file here (and in facturen/).
    remove_stale(path.parent, depth=1)
    today = date.today()
    book = example_book() if args.voorbeeld else Book()
    peildatum = EXAMPLE_DATE if args.voorbeeld else today
    interpreter = interpreter_rows()
    mac = sys.platform == "darwin" if args.mac is None else args.mac
    options = WorkbookOptions(
        peildatum=peildatum,
        timestamp=datetime.now().replace(microsecond=0),
        lambdas=not args.klassiek,
        interpreter=interpreter,
        plan_rows=plan_rows(plan_book(book, peildatum)) if mac else None,
    )
    try:
        # The build writes temp files of the workbook's size: a full disk stops it here.
        data = build_workbook(book, options)
    except OSError as exc:
        return fail(args, f"de werkmap '{path}' kon niet worden gemaakt: {write_failure(exc)}")
    placing: list[OSError] = []

    def place() -> None:
        # The workbook last, inside the invoices' run (as bouw puts its own in place): a run
        # killed half-way left a whole workbook beside some of its invoices, which then
        # looked done; now it leaves no workbook, and the invoices it wrote are whole files
        # the next nieuw keeps. A workbook that cannot be made takes the invoices away.
        try:
            write_new(path, data)
        except OSError as exc:
            placing.append(exc)
            raise

    invoices = 0
    try:
        if args.voorbeeld:
            # Beside the workbook, where its Factuurmap points; a file there is kept. A
            # failure takes away the files and folders the run made.
            invoices = write_invoice_pdfs(
                book, path.parent / INVOICE_FOLDER, overwrite=False, finish=place
            )
        else:
            place()
    except OSError as exc:
        if isinstance(exc, FileExistsError) and placing:
            return fail(
                args, f"'{path}' bestaat al; er is niets overschreven. Kies een andere naam."
            )
        if placing:
            return fail(
                args, f"de werkmap '{path}' kon niet worden geschreven: {write_failure(exc)}"
            )
        return fail(
            args,
            _invoices_failed(
                exc, path.parent, f"Er is niets gemaakt: ook de werkmap '{path}' niet."
            ),
        )
    if args.json:
        data_json: dict[str, Any] = {
            "bestand": str(path),
            "voorbeeld": bool(args.voorbeeld),
            "klassiek": bool(args.klassiek),
            "mac": mac,
            "facturen": len(book.invoices),
            "peildatum": peildatum.isoformat(),
            "interpreter": dict(interpreter),
            "factuur_pdfs": invoices,
        }
        print_json(data_json)
    else:
        inhoud = "met het voorbeeld" if args.voorbeeld else "lege tabellen"
        vorm = (
            "Status en Volgende actie als gewone opzoekformules (Excel 2016-2021)"
            if args.klassiek
            else "=NEXTACTION en =DUESTATUS voor Excel 365"
        )
        print(f"Nieuwe werkmap {path} gemaakt ({inhoud}; {vorm}).")
        if invoices:
            print(f"{invoices} facturen (pdf) in {path.parent / INVOICE_FOLDER}.")
        if mac:
            print("Voor de Mac: het blad Plan heeft waarden; 'Vernieuw werklijst' ververst ze.")
        print(python_line(interpreter[0]))
        print(open_line())
    return EXIT_OK


def _excel_runs(platform: str) -> bool:
    """Windows and macOS: where Excel runs and the interpreter line means that computer."""
    return platform.startswith(("win", "darwin"))


def python_line(setting: tuple[str, str], platform: str = sys.platform) -> str:
    """The line about the Python the new workbook's xlwings.conf names (`interpreter_rows`).
    On Linux no Excel runs: the setting written is the Mac's, with a path that only means
    something here, so the line says how a workbook for Windows or the Mac gets its own."""
    key, path = setting
    if _excel_runs(platform):
        return f"Python voor Excel: {path} ({key})."
    return (
        f"Geen Excel op Linux: xlwings.conf krijgt {key} {path}; maak de werkmap voor "
        "Windows of de Mac daar met 'debiteuren nieuw', of vul Interpreter_Win of "
        "Interpreter_Mac in op het blad xlwings.conf."
    )


def open_line(platform: str = sys.platform) -> str:
    """The last line of `nieuw`: on Linux, right after "Geen Excel op Linux", where to open it."""
    if _excel_runs(platform):
        return "Open hem in Excel en schakel macro's in."
    return "Open hem in Excel op Windows of de Mac en schakel macro's in."


def register_bouw(sub: Any) -> None:
    help_text = "de meegeleverde werkmap workbook/Debiteuren.xlsm bouwen (uit het voorbeeld)"
    p = sub.add_parser("bouw", help=help_text, description=help_text)
    p.add_argument("--uit", type=output_path, default=None, metavar="PAD",
                   help="waar de werkmap komt (standaard workbook/Debiteuren.xlsm)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.set_defaults(func=cmd_bouw)


def register_nieuw(sub: Any) -> None:
    help_text = "een nieuwe werkmap met macro's maken voor deze computer"
    p = sub.add_parser("nieuw", help=help_text, description=help_text)
    p.add_argument(
        "pad",
        type=output_path,
        metavar="PAD",
        help="de nieuwe werkmap (.xlsm); bestaat hij al, dan stopt het",
    )
    p.add_argument("--voorbeeld", action="store_true",
                   help="met de voorbeeldgegevens in plaats van lege tabellen")  # fmt: skip
    p.add_argument("--klassiek", action="store_true",
                   help="voor Excel 2016-2021 en LibreOffice: gewone opzoekformules in plaats "
                        "van =NEXTACTION / =DUESTATUS")  # fmt: skip
    p.add_argument("--mac", action="store_true", default=None,
                   help="voor Excel op de Mac: het plan als waarden op het blad Plan in plaats "
                        "van de werkbladfunctie (standaard op macOS)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.set_defaults(func=cmd_nieuw)
