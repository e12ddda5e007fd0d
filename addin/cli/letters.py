"""`debiteuren herinneringen BOEK [--datum D] [--uit MAP] [--proef] [--json]`: the main job.

Makes today's letters (PDF with invoice copies, and an e-mail draft) and logs them in the
workbook, so running again the same day makes nothing twice. `--proef` makes the documents
in a preview folder and writes nothing to the workbook.

Example::

    $ debiteuren herinneringen Debiteuren.xlsx --datum 2026-11-24
    10 brieven gemaakt in uitvoer/2026-11-24: 4 herinnering, 2 regeling-aanbieden, ...
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from addin.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PROBLEMS,
    core_tables_refusal,
    fail,
    output_path,
    parse_day,
    print_json,
    problems_json,
    problems_note,
    tables_refusal,
    while_reading,
    writes_workbook,
)

if TYPE_CHECKING:
    from addin.adapters.documents.letter_job import SenderIncomplete


@writes_workbook
def cmd_herinneringen(args: argparse.Namespace) -> int:
    from addin.adapters.workbook.reader import read_book

    # Imported while the workbook is read, not at start-up: only this command needs jinja2,
    # reportlab and pypdf (0.4 s to load).
    book, read_problems = read_book(
        args.boek, meanwhile=while_reading(args.datum, "addin.adapters.documents.letter_job")
    )
    from addin.adapters.documents.letter_job import (
        RunRefused,
        SenderIncomplete,
        console_progress,
        run_letters,
    )
    from addin.adapters.workbook.xlsx_patch import PatchError, failed_file, write_failure
    from addin.cli.report import warning_json
    from addin.core.checks import in_sheet_order
    from addin.core.letter_log import no_letters_text
    from addin.core.sheet_layout import warnings_note
    from addin.core.texts import count_text

    refusal = (None if args.proef else core_tables_refusal(book, args.boek)) or tables_refusal(
        args, "herinneringen"
    )
    if refusal:
        return fail(args, refusal)
    try:
        job = run_letters(
            book,
            Path(args.boek),
            args.datum,
            dry_run=args.proef,
            folder=args.uit,
            progress=None if args.json else console_progress,
        )
    except RunRefused as exc:
        return fail(args, str(exc))
    except SenderIncomplete as exc:
        return refuse(args, exc)
    except PatchError as exc:
        return fail(args, f"{exc} De brieven van deze run zijn weer verwijderd.")
    except OSError as exc:
        name = failed_file(exc)
        where = f" ('{name}')" if name else ""
        return fail(
            args,
            f"de brieven konden niet worden geschreven{where}: {write_failure(exc)}. De "
            "brieven van deze run zijn weer verwijderd en er is niets in de werkmap geschreven.",
        )
    problems = in_sheet_order(read_problems, job.plan_after.problems)
    # Notes (an invoice PDF not found, a generated copy attached instead) are told, but the
    # letter is complete: they do not make the run "done, with problems".
    reported = bool(problems or job.skipped)
    per_step = Counter(m.task.step or m.task.action.value for m in job.made)
    if args.json:
        data: dict[str, Any] = {
            "datum": args.datum.isoformat(),
            "map": str(job.folder),
            "proef": job.dry_run,
            "gelogd": len(job.made) if job.written else 0,
            "brieven": [
                {
                    "klant": m.task.customer,
                    "actie": m.task.action.value,
                    "stap": m.task.step or None,
                    "facturen": list(m.task.invoices),
                    "pdf": m.document,
                    "eml": m.document[: -len(".pdf")] + ".eml",
                }
                for m in job.made
            ],
            "overgeslagen": [
                {
                    "klant": s.task.customer,
                    "actie": s.task.action.value,
                    "stap": s.task.step or None,
                    "facturen": list(s.task.invoices),
                    "reden": s.reason,
                }
                for s in job.skipped
            ],
            "meldingen": list(job.notes),
            "problemen": problems_json(problems),
            "waarschuwingen": [warning_json(w) for w in job.warnings],
        }
        print_json(data)
        return EXIT_PROBLEMS if reported else EXIT_OK
    for w in job.bank_warnings:  # PLAYBOOK P1: never silent about old or missing bank data
        print(f"Let op: {w.message}")
    if not job.made:
        print(no_letters_text(job.plan_after))
    else:
        steps = ", ".join(f"{n} {step}" for step, n in per_step.most_common())
        print(f"{count_text(len(job.made), 'brief', 'brieven')} gemaakt in {job.folder}: {steps}.")
        if job.dry_run:
            print("Proef: er is niets in de werkmap geschreven.")
        else:
            print(f"Gelogd in Contacten van {args.boek}; de Werklijst is bijgewerkt.")
        print("Niets is verstuurd: open de e-mailconcepten (.eml) of print de PDF's.")
    for s in job.skipped:
        print(
            f"Niet gemaakt: {s.task.step or s.task.action.value} voor {s.task.customer}: {s.reason}"
        )
    for note in job.notes:
        print(f"Let op: {note}")
    found = problems_note(problems)
    if found:
        print(found)
    note = warnings_note(len(job.plan_after.warnings))
    if note:
        print(note)
    return EXIT_PROBLEMS if reported else EXIT_OK


def refuse(args: argparse.Namespace, exc: SenderIncomplete) -> int:
    """Exit 2 with the refusal; with --json also each problem (blad, rij, kolom, melding)."""
    if getattr(args, "json", False):
        print_json({"fout": str(exc), "problemen": problems_json(exc.problems)})
        return EXIT_FAILED
    return fail(args, str(exc))


def register(sub: Any) -> None:
    help_text = "de brieven van vandaag maken en loggen (Maak herinneringen)"
    p = sub.add_parser("herinneringen", help=help_text, description=help_text)
    p.add_argument("boek", type=Path, metavar="BOEK", help="de werkmap (.xlsx of .xlsm)")
    p.add_argument("--datum", type=parse_day, default=None,
                   help="peildatum JJJJ-MM-DD (standaard: vandaag)")  # fmt: skip
    p.add_argument("--uit", type=output_path, default=None, metavar="MAP",
                   help="map voor de brieven")  # fmt: skip
    p.add_argument("--proef", action="store_true",
                   help="alleen de documenten maken, niets in de werkmap schrijven")  # fmt: skip
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.set_defaults(func=cmd_herinneringen)
