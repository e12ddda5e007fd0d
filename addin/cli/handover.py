"""`debiteuren overdracht BOEK KLANTNUMMER [--datum D] [--uit MAP] [--json]`.

Makes the hand-over file for the collection agency (adapters/handover.py) in MAP, by default
the Uitvoermap of Instellingen (relative to the workbook) or else the workbook's folder.

Example::

    $ debiteuren overdracht Debiteuren.xlsx K013 --datum 2026-11-24
    Overdrachtsdossier voor Schildersbedrijf De Kwast V.O.F. (K013): ...zip
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from addin.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    fail,
    open_refusal,
    output_path,
    parse_day,
    print_json,
    problems_json,
    problems_note,
    tables_refusal,
    while_reading,
    writes_workbook,
)

if TYPE_CHECKING:  # reportlab, the reader and the engine load when the command runs
    from addin.adapters.documents.handover import Handover
    from addin.core.model import Book, Settings


def out_dir(args: argparse.Namespace, settings: Settings) -> Path:
    from addin.adapters.documents.paths import setting_folder

    if args.uit is not None:
        return Path(args.uit)
    base = Path(args.boek).resolve().parent
    folder = setting_folder(settings, "output_dir", Path(args.boek))
    if folder is not None:
        return folder if folder.is_absolute() else base / folder
    return base


def handover_contact(
    book: Book, workbook: Path, result: Handover, as_of: date, invoices: tuple[str, ...]
) -> dict[str, object]:
    """The Contacten row that records the hand-over (Kanaal Overdracht) of `invoices`: from
    then on the engine plans nothing more for them (DESIGN.md, the Incasso row)."""
    from addin.core.letter_log import LOGGED_BY
    from addin.core.model import Channel
    from addin.core.texts import agency_name

    try:
        document = result.archive.resolve().relative_to(workbook.resolve().parent).as_posix()
    except ValueError:
        document = str(result.archive.absolute())  # never relative to where the command ran
    agency = agency_name(book.settings.collection_agency)
    return {
        "Datum": as_of,
        "Klantnummer": result.statement.customer.number,
        "Facturen": ", ".join(invoices),
        "Kanaal": Channel.HANDOVER.value,
        "Met": agency,
        "Doel": "dossier overgedragen aan het incassobureau",
        "Door": LOGGED_BY,
        "Document": document,
    }


def _customer_number(book: Book, typed: str) -> str | None:
    """The Klantnummer KLANTNUMMER means: as typed, else without the spaces around it, else
    the one number equal to it in other case ("k012" for K012); None when there is none."""
    numbers = {c.number for c in book.customers}
    typed = typed if typed in numbers else typed.strip()
    if typed in numbers:
        return typed
    same = [n for n in numbers if n.casefold() == typed.casefold()]
    return same[0] if len(same) == 1 else None


@writes_workbook
def cmd_overdracht(args: argparse.Namespace) -> int:
    from addin import schema
    from addin.adapters.documents.handover import (
        DossierNotWritten,
        EarlierNotPutBack,
        NothingToHandOver,
        make_handover,
    )
    from addin.adapters.documents.letter_job import SenderIncomplete
    from addin.adapters.rates import load_rates
    from addin.adapters.tempfiles import recover_staging
    from addin.adapters.workbook.reader import read_book
    from addin.adapters.workbook.xlsx_patch import Patch, PatchError, apply_patch, write_failure
    from addin.cli.letters import refuse
    from addin.core.checks import in_sheet_order
    from addin.core.claims import early_handover
    from addin.core.interest import RateTableError
    from addin.core.money import ZERO, format_eur, json_amount
    from addin.core.plan import plan_book
    from addin.core.sender import sender_problems
    from addin.core.texts import nl_date

    refusal = open_refusal(args)
    if refusal:
        return fail(args, refusal)
    book, read_problems = read_book(args.boek, meanwhile=while_reading(args.datum))
    refusal = tables_refusal(args, "overdracht")
    if refusal:
        return fail(args, refusal)
    plan = plan_book(book, args.datum)
    problems = in_sheet_order(read_problems, plan.problems)
    number = _customer_number(book, args.klant)
    if number is None:
        return fail(args, f"klantnummer {args.klant} staat niet in Klanten van {args.boek}")
    args.klant = number
    refused = sender_problems(book.settings)  # the file names and prints the sender
    if refused:
        return refuse(args, SenderIncomplete(refused, args.boek, "Het overdrachtsdossier is"))
    folder = out_dir(args, book.settings)
    from addin.core.letter_log import not_handed_over

    new: tuple[str, ...] = ()

    def log(made: Handover) -> None:
        """PLAYBOOK X1: a second hand-over (it may rebuild the folder) logs only what is
        new. Raising here takes the dossier away again (make_handover): one the workbook
        does not know was handed over would go out while the engine kept planning
        reminders for its invoices."""
        nonlocal new
        new = tuple(not_handed_over(book, args.klant, [x.invoice for x in made.statement.lines]))
        if not args.proef and new:
            row = handover_contact(book, Path(args.boek), made, args.datum, new)
            apply_patch(Path(args.boek), Patch(append=((schema.CONTACTEN.name, (row,)),)))

    # A dossier an earlier, killed run left half-way in its staging folder: put back or
    # cleared before this run adds its own; with --proef (which writes nothing) only said.
    for note in recover_staging(folder, dry_run=args.proef):
        print(f"Let op: {note}", file=sys.stderr)

    def cause(exc: BaseException) -> str:
        """What stopped the run, in Dutch (never Python's '[Errno 20]')."""
        if isinstance(exc, PatchError):
            return f"De overdracht kan niet in Contacten van {args.boek} worden gelogd: {exc}"
        if isinstance(exc, DossierNotWritten):
            where = "" if exc.path == folder else f" (bij '{exc.path}')"
            exc = exc.error
        elif isinstance(exc, OSError):
            where = ""  # its path may be the hidden staging folder's, meaningless to the user
        else:
            return "Het overdrachtsdossier is niet gemaakt (afgebroken)"
        return (
            f"Het overdrachtsdossier kon niet worden geschreven in de map '{folder}'{where}: "
            f"{write_failure(exc)}"
        )

    try:
        result = make_handover(
            book, Path(args.boek), args.klant, args.datum, folder, load_rates(), record=log
        )
    except (RateTableError, NothingToHandOver) as exc:
        return fail(args, str(exc))
    except DossierNotWritten as exc:
        return fail(
            args,
            f"{cause(exc)}. Kies in Instellingen een andere Uitvoermap (of gebruik --uit); er "
            "is niets in de werkmap geschreven en niets in de map achtergelaten.",
        )
    except PatchError as exc:
        return fail(
            args, f"{cause(exc)} Het dossier is daarom niet gemaakt; er is niets veranderd."
        )
    except EarlierNotPutBack as exc:
        # The rollback could not finish (a file of the new dossier held open): say where
        # the earlier dossier is now, instead of claiming nothing changed.
        where = "; ".join(
            f"het eerdere dossier '{final.name}' staat nu in '{place}'"
            for final, place in exc.stranded
        )
        return fail(
            args,
            f"{cause(exc.failure).rstrip('.')}. Het nieuwe dossier kon daarna niet helemaal "
            f"worden weggehaald uit '{folder}', dus {where}. Sluit wat de bestanden daar nog "
            "open heeft, haal het nieuwe dossier weg en zet het eerdere terug; de volgende "
            "overdracht doet dat ook (zet het ernaast als 'eerder ...' zolang de naam bezet "
            "is).",
        )

    logged = not args.proef and bool(new)
    s = result.statement
    # Handed over before the ladder came to Incasso: said, not refused (the user may know
    # better: a customer who cannot be reached, a fraud), but never silently.
    early = early_handover(plan.actions, {line.invoice for line in s.lines}, args.datum)
    if args.json:
        data: dict[str, Any] = {
            "klant": s.customer.number,
            "naam": s.customer.name,
            "datum": s.as_of.isoformat(),
            "map": str(result.folder),
            "zip": str(result.archive),
            "bestanden": list(result.files),
            "facturen": [line.invoice for line in s.lines],
            "hoofdsom": json_amount(s.principal),
            "rente": json_amount(s.interest),
            "incassokosten": json_amount(s.costs.total) if s.costs else None,
            "totaal": json_amount(s.total),
            "verrekend": [
                {
                    "creditnota": part.credit_note,
                    "factuur": part.invoice,
                    "datum": part.day.isoformat(),
                    "bedrag": json_amount(part.amount),
                }
                for part in s.set_off
            ],
            "niet_overgedragen": [
                {"factuur": number, "reden": reason} for number, reason in s.left_out
            ],
            "ontbreekt": list(result.missing),
            "vroeg": [
                {
                    "factuur": a.invoice,
                    "actie": a.action.value,
                    "stap": a.step or None,
                    "datum": a.date.isoformat() if a.date else None,
                }
                for a in early
            ],
            "gelogd": logged,
            "gelogd_facturen": list(new) if logged else [],
            "problemen": problems_json(problems),
        }
        print_json(data)
    else:
        print(f"Overdrachtsdossier voor {s.customer.name} ({s.customer.number}): {result.archive}")
        print(f"  facturen: {', '.join(line.invoice for line in s.lines) or 'geen'}")
        print(
            f"  hoofdsom {format_eur(s.principal)}, rente {format_eur(s.interest)}, "
            f"incassokosten {format_eur(s.costs.total) if s.costs else '-'}, "
            f"totaal {format_eur(s.total)}"
        )
        print(f"  {s.costs_note}")
        for part in s.set_off:
            print(
                f"  verrekend: creditnota {part.credit_note} {format_eur(part.amount)} met "
                f"factuur {part.invoice}, per {nl_date(part.day)}"
            )
        for number, reason in s.left_out:
            print(f"  niet overgedragen: factuur {number} ({reason})")
        if s.credit_left > ZERO:
            print(f"  niet verrekend: {format_eur(s.credit_left)} van de creditnota's blijft over")
        for m in result.missing:
            print(f"  ontbreekt: {m}")
        if early:
            steps = ", ".join(
                f"{a.invoice} (volgende stap {a.step or a.action.value}"
                + (
                    f", {'sinds' if a.date <= args.datum else 'op'} {nl_date(a.date)})"
                    if a.date
                    else ")"
                )
                for a in early
            )
            print(
                f"  Let op: vroeg overgedragen: de ladder staat nog niet op Incasso voor "
                f"{steps}. Het incassobureau is de laatste stap; een herinnering of "
                "telefoontje kost minder en houdt de klant."
            )
        if logged:
            print(f"  gelogd in Contacten van {args.boek} (Kanaal Overdracht): {', '.join(new)}")
        elif not args.proef and s.lines:
            print("  al eerder overgedragen: er is niets opnieuw gelogd")
        found = problems_note(problems)
        if found:
            print(found)
    return EXIT_PROBLEMS if problems else EXIT_OK


def register(sub: Any) -> None:

    help_text = "overdrachtsdossier voor het incassobureau maken (map en ZIP)"
    p = sub.add_parser("overdracht", help=help_text, description=help_text)
    p.add_argument("boek", type=Path, metavar="BOEK", help="de werkmap (.xlsx of .xlsm)")
    p.add_argument("klant", metavar="KLANTNUMMER", help="het klantnummer")
    p.add_argument(
        "--datum", type=parse_day, default=None, help="peildatum JJJJ-MM-DD (standaard: vandaag)"
    )
    p.add_argument("--uit", type=output_path, default=None, metavar="MAP",
                   help="map voor het dossier")  # fmt: skip
    p.add_argument("--proef", action="store_true",
                   help="alleen het dossier maken, de overdracht niet loggen")  # fmt: skip
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.set_defaults(func=cmd_overdracht)
