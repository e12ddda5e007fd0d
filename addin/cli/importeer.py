"""`debiteuren importeer BOEK BESTAND|MAP... [--proef] [--json]`: invoices from the accounting
package into Facturen (issue 15).

Reads UBL 2.1 e-invoices (with the PDF inside, or a PDF of the same name beside the XML) and
open-items lists (CSV, XLSX), recognised by their content; a folder means every file in it.
New invoices are appended to Facturen, new customers to Klanten (and the e-invoice's contact
to Contactpersonen), the PDFs saved into the Factuurmap (or `facturen` beside the workbook),
all in one safe write. The job is adapters/invoices/job.import_invoices (the ribbon's
"Importeer facturen" uses it too); this command checks that the workbook is closed, runs it,
saves the PDFs, applies the patch, and remembers the lists for "mogelijk betaald".

Example::

    $ debiteuren importeer Debiteuren.xlsx facturen-november/
    14 bestanden gelezen: 11 facturen en 1 creditnota toegevoegd, 2 nieuwe klanten, 11 PDF's
    opgeslagen in facturen.
    Overgeslagen (2):
      factuur-0419.xml: factuur 0419 is in USD, niet in euro; ...

Exit codes: 0 done; 1 done, but a file, invoice or row was skipped or a warning given; 2
nothing done (no file could be used, the workbook is open or cannot be written).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from addin.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PROBLEMS,
    fail,
    nothing_changed,
    open_refusal,
    print_json,
    tables_refusal,
    writes_workbook,
)

__all__ = ["cmd_importeer", "register", "summary_lines"]


if TYPE_CHECKING:  # the import job loads when the command runs
    from addin.adapters.invoices.job import InvoiceImport


@writes_workbook
def cmd_importeer(args: argparse.Namespace) -> int:
    # Imported here, not at start-up: the other commands need none of it (tests/test_linear.py).
    from addin import schema
    from addin.adapters.invoices import list_memory
    from addin.adapters.invoices.job import TABLES, import_invoices, remove_pdfs, save_pdfs
    from addin.adapters.workbook.reader import read_book
    from addin.adapters.workbook.xlsx_patch import PatchError, apply_patch, write_failure

    refusal = open_refusal(args)
    if refusal:
        return fail(args, refusal)
    workbook = Path(args.boek)
    book, _ = read_book(workbook, TABLES)  # only what the import uses
    refusal = tables_refusal(args, "importeer")
    if refusal:  # before any invoice PDF is made or copied
        return fail(args, refusal)
    result = import_invoices(
        book,
        workbook,
        [Path(p) for p in args.bestanden],
        list_memory.recall(workbook),
        # Betalingen only for a list that shows an invoice of Facturen partly paid (0.7 s
        # of reading for the 100,000-invoice book).
        lambda: read_book(workbook, (schema.BETALINGEN,))[0].payments,
    )
    unremembered = None
    if not args.proef:
        written: tuple[Path, ...] = ()
        try:
            if result.changes:
                written = save_pdfs(result.pdfs)
                apply_patch(workbook, result.patch)
        except PatchError as exc:
            remove_pdfs(written)
            return fail(args, nothing_changed(str(exc)))
        except OSError as exc:
            remove_pdfs(written)
            return fail(args, f"Een bestand kon niet geschreven worden: {write_failure(exc)}. "
                              f"Er is niets veranderd in de werkmap.")  # fmt: skip
        # The workbook has the import now: a memory that cannot be written takes nothing
        # back (the PDFs are in Factuur-pdf), it only leaves the next list less to compare.
        try:
            list_memory.remember(workbook, result.lists)
        except OSError as exc:
            unremembered = memory_failure(workbook, exc)
            print(f"Let op: {unremembered}", file=sys.stderr)
    if args.json:
        data = json_summary(result)
        if unremembered:
            data["waarschuwingen"].append(
                {"soort": "lijst-niet-onthouden", "bestand": None, "melding": unremembered}
            )
        print_json(data)
    else:
        for line in summary_lines(result, proef=args.proef):
            print(line)
    code = exit_code(result)
    return max(code, EXIT_PROBLEMS) if unremembered else code


def memory_failure(workbook: Path, exc: OSError) -> str:
    """The note when the memory of the lists (list_memory) cannot be written after the
    import itself was: the import stands (command line and ribbon)."""
    from addin.adapters.invoices import list_memory
    from addin.adapters.workbook.xlsx_patch import write_failure

    return (
        f"wat deze lijst bevatte kon niet worden onthouden in "
        f"'{list_memory.memory_path(workbook).name}' ({write_failure(exc)}); de facturen zijn "
        "wel ingelezen, maar bij de volgende lijst kan niet gemeld worden welke facturen eruit "
        "verdwenen zijn."
    )


def exit_code(result: InvoiceImport) -> int:
    """2 when no file could be used; 1 when something was skipped or a warning given."""
    if not result.files_used:
        return EXIT_FAILED
    return EXIT_PROBLEMS if result.skipped or result.warnings else EXIT_OK


def json_summary(result: InvoiceImport) -> dict[str, Any]:
    """The keys of the issue: {bestanden, facturen_toegevoegd, creditnotas_toegevoegd,
    klanten_toegevoegd, pdfs_opgeslagen, overgeslagen: [{bestand, reden}], waarschuwingen:
    [{soort, bestand, melding}]}, and al_in_facturen (the invoices not read again)."""
    return {
        "bestanden": result.files,
        "facturen_toegevoegd": result.invoices_added,
        "creditnotas_toegevoegd": result.credit_notes_added,
        "klanten_toegevoegd": result.customers_added,
        "pdfs_opgeslagen": result.pdfs_saved,
        "al_in_facturen": result.already_in_book,
        "overgeslagen": [{"bestand": s.file, "reden": s.message} for s in result.skipped],
        "waarschuwingen": [
            {"soort": w.kind, "bestand": w.file, "melding": w.message} for w in result.warnings
        ],
    }


def summary_lines(result: InvoiceImport, *, proef: bool = False) -> list[str]:
    """The Dutch summary (the command line prints it, the ribbon shows it)."""
    files = f"{result.files} bestand" + ("en" if result.files != 1 else "")
    invoices = f"{result.invoices_added} factu" + ("ren" if result.invoices_added != 1 else "ur")
    credits = f"{result.credit_notes_added} creditnota" + (
        "'s" if result.credit_notes_added != 1 else ""
    )
    customers = f"{result.customers_added} nieuwe klant" + (
        "en" if result.customers_added != 1 else ""
    )
    pdfs = f"{result.pdfs_saved} PDF" + ("'s" if result.pdfs_saved != 1 else "")
    if proef:  # nothing is saved: say what would be, as for the invoices
        pdfs += " zou worden opgeslagen" if result.pdfs_saved == 1 else " zouden worden opgeslagen"
    else:
        pdfs += " opgeslagen"
    # Where they go (the Factuurmap, or facturen beside the workbook): "11 PDF's opgeslagen"
    # left the user to look for them.
    folders = {pdf.path.parent for pdf in result.pdfs if not pdf.existing}
    if len(folders) == 1:
        pdfs += f" in {folders.pop()}"
    verb = "zouden worden toegevoegd" if proef else "toegevoegd"
    lines = [f"{files} gelezen: {invoices} en {credits} {verb}, {customers}, {pdfs}."]
    known = result.already_in_book
    if known:
        stood = "factuur stond" if known == 1 else "facturen stonden"
        lines.append(
            f"{known} {stood} al in Facturen en {'is' if known == 1 else 'zijn'} niet "
            "opnieuw ingelezen."
        )
    if result.skipped:
        lines.append(f"Overgeslagen ({len(result.skipped)}):")
        lines += [f"  {s.file}: {s.message}" for s in result.skipped]
    if result.warnings:
        lines.append(f"Let op ({len(result.warnings)}):")
        lines += [f"  {w.file}: {w.message}" for w in result.warnings]
    if proef:
        lines.append("Proef: er is niets in de werkmap geschreven en geen PDF opgeslagen.")
    elif not result.changes:
        lines.append("Er is niets in de werkmap veranderd.")
    return lines


def register(sub: Any) -> None:
    help_text = "facturen inlezen: UBL-e-facturen (met PDF) en lijsten met openstaande posten"
    p = sub.add_parser("importeer", help=help_text, description=help_text)
    p.add_argument("boek", type=Path, metavar="BOEK", help="de werkmap (.xlsx of .xlsm)")
    p.add_argument("bestanden", type=Path, nargs="+", metavar="BESTAND|MAP",
                   help="UBL 2.1 (XML), CSV of XLSX; een map: alle bestanden erin")  # fmt: skip
    p.add_argument("--proef", action="store_true", help="niets schrijven, alleen laten zien")
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.set_defaults(func=cmd_importeer)
