"""`debiteuren bank BOEK BESTAND... [--datum D] [--proef] [--json]`: bank first (PLAYBOOK P1).

Reads the statements (CAMT.053, MT940, ING or Rabobank CSV, ABN AMRO TXT; the format is
recognised from the content), matches every new line by the ordered rules of
core/matching.py, and writes the result into the workbook in one safe write: a Betalingen
row per allocation, the payer accounts the user confirmed added to Klanten.IBAN, and the
Werklijst refreshed. Re-reading
the same file adds nothing (each line's Sleutel). `--proef` shows what would happen. The
job itself is adapters/bank_job.import_bank (the Excel ribbon uses it too); this command
checks that the workbook is closed, runs it, and applies its patch.

Example::

    $ debiteuren bank Debiteuren.xlsx november.xml --datum 2026-11-24
    124 regels gelezen uit 1 bestand, 37 nieuw: 29 gekoppeld, 6 controleren, 2 genegeerd.

A statement whose opening balance plus its entries is not its closing balance is still
read, with a warning naming the file and the statement ("waarschuwingen" in --json), but
none of its lines is Gekoppeld: its receipts go to Controleren as "R0 saldo klopt niet"
with the statement's figures, and with the invoice and customer the other rules found as
the proposal.

A statement of another account than Instellingen IBAN and Eigen rekeningen (a private
account's export picked by mistake) is read the same way: a warning per file and account
("andere-rekening"), and its receipts in Controleren as "R0 andere rekening". Without an
own account in Instellingen there is nothing to compare, and nothing is said. A line from or
to one of the own accounts (to the savings account and back) is Genegeerd as "R0 eigen
rekening": never a customer's payment.
"""

from __future__ import annotations

import argparse
import gc
from functools import partial
from pathlib import Path
from typing import Any

from addin.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    core_tables_refusal,
    fail,
    keep_until_exit,
    nothing_changed,
    open_refusal,
    parse_day,
    print_json,
    problems_json,
    problems_note,
    tables_refusal,
    without_cycle_collection,
    writes_workbook,
)
from addin.core.money import json_amount

__all__ = ["cmd_bank", "register"]


@writes_workbook
@without_cycle_collection
def cmd_bank(args: argparse.Namespace) -> int:
    # Imported here, not at start-up: other commands need none of the bank readers, and
    # letter_log and sheet_layout load the engine (tests/test_linear.py).
    from addin import schema
    from addin.adapters.bank.job import BankFileError, import_bank, read_alongside
    from addin.adapters.workbook.reader import read_book
    from addin.adapters.workbook.xlsx_patch import PatchError, append_row, apply_patch
    from addin.core.checks import in_sheet_order
    from addin.core.sheet_layout import warnings_note
    from addin.core.texts import count_text
    from addin.core.workdays import load_holidays

    refusal = open_refusal(args)
    if refusal:
        return fail(args, refusal)
    workbook = Path(args.boek)
    paths = [Path(p) for p in args.bestanden]
    # The bank files are read while the workbook is (a second thread); a file that cannot
    # be read is still reported here, after the workbook's own refusals.
    # The second thread also works out the holidays the plan will ask for first while it
    # waits for the reading process (0.06 s off the plan).
    (book, read_problems), bank_files = read_alongside(
        paths, lambda: read_book(workbook), meanwhile=partial(load_holidays, args.datum.year)
    )
    refusal = (None if args.proef else core_tables_refusal(book, workbook)) or tables_refusal(
        args, "bank"
    )
    if refusal:
        return fail(args, refusal)
    # Where the new Betalingen rows will go, so the Werklijst names their rows.
    first_row = append_row(workbook, schema.BETALINGEN.name)
    try:
        result = import_bank(book, paths, args.datum, bank_files, first_row)
    except BankFileError as exc:
        return fail(args, f"{exc} Er is niets veranderd.")
    said: tuple[str, ...] = ()  # what the write did besides: a sheet added, ... removed
    if not args.proef and result.changes:
        try:
            said = apply_patch(workbook, result.patch).notes
        except PatchError as exc:
            return fail(args, nothing_changed(str(exc)))
    counts = result.counts
    new = result.payments
    problems = in_sheet_order(read_problems, result.plan.problems)
    if args.json:
        data: dict[str, Any] = {
            "datum": args.datum.isoformat(),
            "bestanden": [str(p) for p in args.bestanden],
            "regels": result.lines,
            "nieuw": result.new_lines,
            "gekoppeld": counts["Gekoppeld"],
            "controleren": counts["Controleren"],
            "genegeerd": counts["Genegeerd"],
            "geleerd": [{"klant": c, "iban": i} for c, i in result.learned_ibans],
            # An iterator: print_json writes it a chunk at a time (655,000 MT940 rows).
            "betalingen": (
                {
                    "datum": p.date.isoformat(),
                    "bedrag": json_amount(p.amount),
                    "factuur": p.invoice or None,
                    "klant": p.customer or None,
                    "status": p.status.value,
                    "regel": p.rule or None,
                    "sleutel": p.key,
                }
                for p in new
            ),
            "waarschuwingen": [{"soort": w.kind, "melding": w.message} for w in result.warnings],
            "meldingen": list(said),
            "proef": args.proef,
            "problemen": problems_json(problems),
        }
        print_json(data)
    else:
        print(result.summary(count_text(result.files, "bestand", "bestanden")))
        for warning in result.warnings:
            print(f"  Let op: {warning.message}")
        for customer, iban in result.learned_ibans:
            print(f"  rekening {iban} toegevoegd aan klant {customer}")
        if counts["Controleren"]:
            print("  Controleer de regels met Status Controleren in Betalingen: zolang die er "
                  "staan, wordt de klant niet benaderd.")  # fmt: skip
        for note in said:
            print(f"  Let op: {note}")
        if args.proef:
            print("Proef: er is niets in de werkmap geschreven.")
        found = problems_note(problems)
        if found:
            print(found)
        note = warnings_note(len(result.plan.warnings))
        if note:
            print(note)
    # The workbook is written and the lock let go of when this returns; the Book, the
    # matches and the plan after are held to the end of the process, which ends without
    # freeing them (common.exit_process), as werklijst's are. Made with the cycle collector
    # off, they are all in its youngest generation, which its first pass once it is back on
    # would scan (0.21 s); freeze + unfreeze moves them to the oldest in constant time, as
    # plan._no_cycle_collection does.
    keep_until_exit(book, result, problems)
    gc.freeze()
    gc.unfreeze()
    return EXIT_PROBLEMS if problems else EXIT_OK


def register(sub: Any) -> None:
    help_text = "bankafschriften inlezen en betalingen koppelen (eerst de bank)"
    p = sub.add_parser("bank", help=help_text, description=help_text)
    p.add_argument("boek", type=Path, metavar="BOEK", help="de werkmap (.xlsx of .xlsm)")
    p.add_argument("bestanden", type=Path, nargs="+", metavar="BESTAND",
                   help="CAMT.053, MT940, CSV van ING of Rabobank, of TXT van ABN AMRO "
                        "(ook in een ZIP)")  # fmt: skip
    p.add_argument("--datum", type=parse_day, default=None,
                   help="peildatum JJJJ-MM-DD (standaard: vandaag)")  # fmt: skip
    p.add_argument("--proef", action="store_true", help="niets in de werkmap schrijven")
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.set_defaults(func=cmd_bank)
