"""`debiteuren bank BOEK BESTAND... [--datum D] [--proef] [--json]`: bank first (PLAYBOOK P1).

Reads the statements (CAMT.053, MT940, ING or Rabobank CSV; the format is recognised from
the content), matches every new line by the ordered rules of core/matching.py, and writes
the result into the workbook in one safe write: a Betalingen row per allocation, the payer
accounts the user confirmed added to Klanten.IBAN, and the Werklijst refreshed. Re-reading
the same file adds nothing (each line's Sleutel). `--proef` shows what would happen.

Example::

    $ debiteuren bank Debiteuren.xlsx november.xml --datum 2026-11-24
    124 regels gelezen uit 1 bestand, 37 nieuw: 29 gekoppeld, 6 controleren, 2 genegeerd.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import schema
from .adapters.bankfiles import BankFileError, read_bank_file
from .adapters.reader import read_book
from .adapters.xlsx_patch import Patch, PatchError, apply_patch, check_not_open
from .cli_common import EXIT_OK, EXIT_PROBLEMS, fail, parse_day, print_json
from .core.letter_log import werklijst_rows
from .core.matching import match_bank_lines
from .core.model import Payment
from .core.money import json_amount
from .core.plan import plan_book


def payment_row(p: Payment) -> dict[str, object]:
    """A Betalingen row; bank text goes in as text, never as a formula (xlsx_patch)."""
    return {
        "Datum": p.date,
        "Bedrag": p.amount,
        "Factuur": p.invoice,
        "Klantnummer": p.customer,
        "Tegenrekening": p.counter_account,
        "Naam": p.name,
        "Omschrijving": p.description,
        "Kenmerk": p.reference,
        "Regel": p.rule,
        "Status": p.status.value,
        "Bron": p.source,
        "Sleutel": p.key,
    }


def cmd_bank(args: argparse.Namespace) -> int:
    workbook = Path(args.boek)
    if not args.proef:
        try:
            check_not_open(workbook)
        except PatchError as exc:
            return fail(args, f"{exc} Er is niets veranderd.")
    book, read_problems = read_book(workbook)
    lines = []
    try:
        for path in args.bestanden:
            lines.extend(read_bank_file(Path(path)))
    except BankFileError as exc:
        return fail(args, f"{exc} Er is niets veranderd.")
    result = match_bank_lines(book, tuple(lines), args.datum)
    # The rule and its evidence go into Regel, so every match explains itself in the sheet.
    new = tuple(
        replace(m.payment, rule=f"{m.payment.rule}: {m.evidence}" if m.evidence else m.payment.rule)
        for m in result.matches
    )
    learned = tuple(result.learned_ibans)
    after = replace(book, payments=book.payments + new)
    plan = plan_book(after, args.datum)
    if not args.proef and (new or learned):
        ibans: dict[str, list[str]] = {}
        for c in book.customers:
            ibans.setdefault(c.number, list(c.ibans))
        for customer, iban in learned:
            if iban not in ibans.setdefault(customer, []):
                ibans[customer].append(iban)
        patch = Patch(
            append=((schema.BETALINGEN.name, tuple(payment_row(p) for p in new)),) if new else (),
            set_cells=tuple(
                (schema.KLANTEN.name, "Klantnummer", customer, {"IBAN": ", ".join(ibans[customer])})
                for customer in dict.fromkeys(c for c, _ in learned)
            ),
            replace_sheet=((schema.WERKLIJST_SHEET, werklijst_rows(plan, after)),),
        )
        try:
            apply_patch(workbook, patch)
        except PatchError as exc:
            return fail(args, str(exc))
    counts = Counter(p.status.value for p in new)
    problems = list(read_problems) + list(plan.problems)
    if args.json:
        data: dict[str, Any] = {
            "datum": args.datum.isoformat(),
            "bestanden": [str(p) for p in args.bestanden],
            "regels": len(lines),
            "nieuw": len({p.key for p in new}),
            "gekoppeld": counts.get("Gekoppeld", 0),
            "controleren": counts.get("Controleren", 0),
            "genegeerd": counts.get("Genegeerd", 0),
            "geleerd": [{"klant": c, "iban": i} for c, i in learned],
            "betalingen": [
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
            ],
            "proef": args.proef,
            "problemen": len(problems),
        }
        print_json(data)
    else:
        files = f"{len(args.bestanden)} bestand" + ("en" if len(args.bestanden) != 1 else "")
        print(
            f"{len(lines)} regels gelezen uit {files}, {len({p.key for p in new})} nieuw: "
            f"{counts.get('Gekoppeld', 0)} gekoppeld, {counts.get('Controleren', 0)} "
            f"controleren, {counts.get('Genegeerd', 0)} genegeerd."
        )
        for customer, iban in learned:
            print(f"  rekening {iban} toegevoegd aan klant {customer}")
        if counts.get("Controleren"):
            print("  Controleer de regels met Status Controleren in Betalingen: zolang die er "
                  "staan, wordt de klant niet benaderd.")  # fmt: skip
        if args.proef:
            print("Proef: er is niets in de werkmap geschreven.")
    return EXIT_PROBLEMS if problems else EXIT_OK


def register(sub: Any) -> None:
    help_text = "bankafschriften inlezen en betalingen koppelen (eerst de bank)"
    p = sub.add_parser("bank", help=help_text, description=help_text)
    p.add_argument("boek", type=Path, help="de werkmap (.xlsx of .xlsm)")
    p.add_argument("bestanden", type=Path, nargs="+", metavar="BESTAND",
                   help="CAMT.053, MT940 of CSV van ING of Rabobank")  # fmt: skip
    p.add_argument("--datum", type=parse_day, default=None,
                   help="peildatum JJJJ-MM-DD (standaard: vandaag)")  # fmt: skip
    p.add_argument("--proef", action="store_true", help="niets in de werkmap schrijven")
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.set_defaults(func=cmd_bank)
