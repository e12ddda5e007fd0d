"""The command line: `debiteuren OPDRACHT BOEK [--datum JJJJ-MM-DD] [--json]`.

Thin on purpose: parse arguments, read the workbook, call the core, print, exit. This is
the only place besides the Excel entry points that reads the clock (the default --datum).

Exit codes (DESIGN.md): 0 done; 1 done, but problems in the data were reported;
2 nothing done (usage, unreadable or locked file, refused write).

Example::

    $ debiteuren werklijst Debiteuren.xlsx --datum 2026-11-24 --json
    {"datum": "2026-11-24", "acties": [...], "problemen": [], "waarschuwingen": [...]}
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from addin import __version__
from addin.adapters.workbook.errors import WorkbookError
from addin.cli import bank as cli_bank
from addin.cli import costs as cli_costs
from addin.cli import excel as cli_excel
from addin.cli import handover as cli_handover
from addin.cli import importeer as cli_importeer
from addin.cli import interest as cli_interest
from addin.cli import letters as cli_letters
from addin.cli import overview as cli_overview
from addin.cli import send as cli_send
from addin.cli import upgrade as cli_upgrade
from addin.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    DutchParser,
    exit_process,
    fail,
    keep_until_exit,
    parse_day,
    print_json,
    release_kept,
    while_reading,
    without_cycle_collection,
)

# Each command imports what it needs when it runs (reader, engine, PDF, VBA libraries), so
# start-up and `--help` load none of them and `werklijst` loads no PDF or openpyxl code.


@without_cycle_collection
def cmd_werklijst(args: argparse.Namespace) -> int:
    from addin.adapters.workbook.reader import read_book

    # The engine and the report code are loaded while the reader waits.
    book, read_problems = read_book(
        args.boek, meanwhile=while_reading(args.datum, "addin.cli.report", "addin.core.plan")
    )
    from addin.cli.report import plan_json, plan_text
    from addin.core.checks import in_sheet_order
    from addin.core.plan import plan_book

    plan = plan_book(book, args.datum)
    problems = in_sheet_order(read_problems, plan.problems)
    if args.json:
        print_json(plan_json(plan, book, problems))
    else:
        sys.stdout.write(plan_text(plan, book, problems, str(args.boek)))
    keep_until_exit(book, plan, problems)
    return EXIT_PROBLEMS if problems else EXIT_OK


@without_cycle_collection
def cmd_controleer(args: argparse.Namespace) -> int:
    from addin.adapters.workbook.reader import read_book

    book, read_problems = read_book(args.boek, meanwhile=_import_checks)
    from addin.cli.report import problem_json, problem_line
    from addin.core.checks import in_sheet_order, run_checks
    from addin.core.sender import letter_problems
    from addin.core.texts import count_text

    # Only the checks: the plan's problems are exactly these (core/plan.py), and the rest of
    # the plan (every invoice's next action) would cost 0.9 s at 100,000 invoices unread.
    problems = list(run_checks(book, args.datum))
    # The sender's details matter only when a letter is due: the plan only then.
    sender = letter_problems(book.settings, 1)
    if sender and _plan_letters(book, args.datum):
        problems += sender
    problems = in_sheet_order(read_problems, problems)
    if args.json:
        print_json({"problemen": [problem_json(p) for p in problems]})
    elif problems:
        print(f"{count_text(len(problems), 'probleem', 'problemen')} gevonden in {args.boek}:")
        for p in problems:
            print(f"  {problem_line(str(args.boek), p)}")
    else:
        print(f"Geen problemen gevonden in {args.boek}.")
    return EXIT_PROBLEMS if problems else EXIT_OK


def _import_checks() -> None:
    """What controleer needs besides the reader, imported while it waits for a table."""
    import addin.cli.report
    import addin.core.checks
    import addin.core.sender  # noqa: F401


def _plan_letters(book: Any, as_of: date) -> bool:
    """Whether a letter is due: the whole plan (and its engine) only when it matters."""
    from addin.core.plan import plan_book

    return bool(plan_book(book, as_of).letters)


def _book_args(p: argparse.ArgumentParser, dated: bool = True) -> None:
    p.add_argument("boek", type=Path, metavar="BOEK", help="de werkmap (.xlsx of .xlsm)")
    if dated:
        p.add_argument(
            "--datum",
            type=parse_day,
            default=None,
            help="peildatum JJJJ-MM-DD (standaard: vandaag)",
        )
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")


COMMANDS: dict[str, tuple[Callable[[argparse.Namespace], int], str]] = {
    "werklijst": (cmd_werklijst, "het werk van vandaag: wie bellen, welke brieven, wat wacht"),
    "controleer": (cmd_controleer, "de gegevens in de werkmap controleren"),
}


def _register(name: str) -> Callable[[Any], None]:
    """The sub-parser of one of COMMANDS (BOEK, --datum, --json)."""

    def register(sub: Any) -> None:
        func, help_text = COMMANDS[name]
        p = sub.add_parser(name, help=help_text, description=help_text)
        _book_args(p)
        p.set_defaults(func=func)

    return register


# Each command, with the function that adds its sub-parser (`register(subparsers)` calls
# `subparsers.add_parser(...)` and `set_defaults(func=...)`, the func taking the parsed
# arguments and returning the exit code). In the order of the README's table "Opdrachten",
# which `debiteuren --help` lists them in: the day as the playbook runs it (the bank first,
# then new invoices, the day's work, the letters and their e-mails), then the checks, the
# reports, the calculators, setting up (tests/test_cli.py holds the two in step).
REGISTRARS: dict[str, Callable[[Any], None]] = {
    "bank": cli_bank.register,
    "importeer": cli_importeer.register,
    "werklijst": _register("werklijst"),
    "herinneringen": cli_letters.register,
    "verstuur": cli_send.register_verstuur,
    "wachtwoord": cli_send.register_wachtwoord,
    "controleer": _register("controleer"),
    "overzicht": cli_overview.register,
    "overdracht": cli_handover.register,
    "rente": cli_interest.register,
    "incassokosten": cli_costs.register_incassokosten,
    "veertiendagen": cli_costs.register_veertiendagen,
    "nieuw": cli_excel.register_nieuw,
    "bijwerken": cli_upgrade.register,
    "bouw": cli_excel.register_bouw,
}


def build_parser() -> argparse.ArgumentParser:
    parser = DutchParser(
        prog="debiteuren",
        description="Debiteurenbeheer vanuit uw Excel-werkmap.",
    )
    parser.add_argument(
        "--version", action="version", version=f"debiteuren {__version__}", help="versie tonen"
    )
    sub = parser.add_subparsers(dest="opdracht", metavar="OPDRACHT", parser_class=DutchParser)
    sub.required = True
    for register in REGISTRARS.values():
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None, *, ending: bool = False) -> int:
    """Run one command; its exit code. `ending`: the process ends right after (`run`), so
    what a command handed to `keep_until_exit` is not freed here."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    arguments = sys.argv[1:] if argv is None else list(argv)
    DutchParser.answer_json = "--json" in arguments
    args = build_parser().parse_args(arguments)
    if getattr(args, "datum", "absent") is None:
        args.datum = date.today()
    try:
        return int(args.func(args))
    except WorkbookError as exc:
        return fail(args, str(exc))
    finally:
        if not ending:
            release_kept()


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command ended by Ctrl-C


def run() -> NoReturn:
    """The `debiteuren` command and `python -m addin.cli`: main, then the process ends
    (at once when the command allows it: `common.keep_until_exit`).

    A reader that stops early (`debiteuren werklijst BOEK --json | head`) closes the pipe
    under the output: that is the reader's choice, not an error to show as a traceback.
    The work was done before the output (a workbook write is whole or not at all), so the
    process ends quietly with exit code 1, as Python's own tools do on a closed pipe."""
    try:
        code = main(ending=True)
    except KeyboardInterrupt:
        # Ctrl-C: the command's own clean-up (finally, with) has run on the way out; a
        # workbook is replaced whole or not at all, so there is nothing half to report.
        print("\nAfgebroken (Ctrl-C).", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        # Point stdout at nothing, so the flush at exit cannot fail a second time.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_PROBLEMS)
    exit_process(code)
