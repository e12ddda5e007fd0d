"""The buttons of the ribbon tab "Debiteuren", called from Excel by xlwings' RunPython:

    RunPython "import addin.ribbon; addin.ribbon.maak_herinneringen()"

Seven handlers: `maak_herinneringen`, `verstuur_emails`, `vernieuw_werklijst`,
`importeer_bankafschrift`, `importeer_facturen`, `importeer_facturenmap` (the button "Map met
facturen"), `controleer_gegevens`. Each takes the workbook that pressed the button
(``xw.Book.caller()``; the tests pass a `live.LiveWorkbook` instead), reads its tables
(adapters/live.py), runs the same engine and jobs as the command line (plan_book,
run_letters, run_send, bank_job.import_bank, invoices/job.import_invoices),
decides every change first and then writes it into the open workbook in one go, shows a
Dutch message box with the result, and opens the folder with the letters.

"Maak herinneringen", "Vernieuw werklijst" and "Importeer bankafschrift" refuse, as the
command line's herinneringen and bank do, when no invoice or no customer could be read (the
Werklijst and Afspraken.Status would otherwise be written from nothing); the imports of
invoices fill an empty workbook, and "Verstuur e-mails" sends what was already logged.

Any error becomes a Dutch message box that says what went wrong and that nothing was written
(everything is decided before the first cell is written); if Excel fails part-way through the
writing itself (a protected sheet), what was written is put back and the run's letters are
taken away; only when that cannot be done does the message name what was already written.

The date is today's: this and the command line are the only places that read the clock
(a later Peildatum, typed to look ahead, is what "Vernieuw werklijst" plans for). Every
button that changes data also refreshes the Plan sheet: on Windows by putting its array
formula back if it is gone and recalculating (the worksheet functions); on the Mac, which has
no worksheet functions from Python, by writing the plan there as values, so the Status and
Volgende actie columns of Facturen show it too.

Example: on 24-11-2026 with the example workbook, "Maak herinneringen" shows

    10 brieven gemaakt in C:\\...\\uitvoer\\2026-11-24: 4 Herinnering, 2 Regeling aanbieden, ...
    Gelogd in Contacten; de Werklijst is bijgewerkt.
    Niets is verstuurd: open de e-mailconcepten (.eml) of print de PDF's.

What only Excel shows, and is therefore not tested here: the buttons calling these functions,
xlwings moving the values, the message box and the file dialog, the folder opening.
"""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass, replace
from datetime import date
from functools import partial
from pathlib import Path

from jinja2 import TemplateError

from addin import schema
from addin.adapters.bank.job import BankFileError, import_bank
from addin.adapters.documents.letter_job import (
    LetterJob,
    RunRefused,
    SenderIncomplete,
    discard_files,
    run_letters,
    template_problem,
)
from addin.adapters.documents.letters import LetterTemplateError
from addin.adapters.documents.paths import FolderSettingError
from addin.adapters.excel import live
from addin.adapters.excel.live import LiveError, LiveWorkbook, LiveWriteError
from addin.adapters.excel.xlwings_book import (
    BANK_PROMPT,
    INVOICE_FOLDER_PROMPT,
    INVOICE_PROMPT,
    XlwingsWorkbook,
)
from addin.adapters.invoices import list_memory
from addin.adapters.invoices.job import import_invoices, remove_pdfs, save_pdfs
from addin.adapters.mail.job import (
    JournalStopped,
    SetupError,
    Transport,
    check_send_settings,
    run_send,
)
from addin.adapters.mail.password import PasswordError
from addin.adapters.workbook.lock import LockError, WorkbookLock, workbook_lock
from addin.adapters.workbook.xlsx_patch import Patch, PatchError, failed_file, write_failure
from addin.cli.common import core_tables_refusal
from addin.cli.importeer import memory_failure, summary_lines
from addin.cli.report import problem_line
from addin.cli.send import journal_stopped_text, summary_text
from addin.core.checks import in_sheet_order
from addin.core.letter_log import agreement_updates, no_letters_text, werklijst_rows
from addin.core.model import Action, Book, Plan, Problem
from addin.core.overview import overview_rows
from addin.core.plan import plan_book
from addin.core.plan_sheet import plan_rows
from addin.core.sender import letter_problems
from addin.core.sheet_layout import warnings_note
from addin.core.texts import count_text, make_table_advice, nl_date, plain_range_text

TITLE = "Debiteuren"
MAX_PROBLEMS_SHOWN = 15  # a message box is no report; the rest: `debiteuren controleer`


class RibbonError(Exception):
    """The button cannot run on this workbook; the Dutch message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a button did: the message shown, whether it went well, the folder opened."""

    ok: bool
    message: str
    folder: Path | None = None


# --- the buttons -------------------------------------------------------------------------


def maak_herinneringen(workbook: LiveWorkbook | None = None, as_of: date | None = None) -> Outcome:
    """Maak herinneringen: today's letters and e-mail drafts, logged in Contacten."""
    return _run("Maak herinneringen", _letters, workbook, as_of, writes=True)


def verstuur_emails(
    workbook: LiveWorkbook | None = None,
    as_of: date | None = None,
    *,
    transport: Transport | None = None,
) -> Outcome:
    """Verstuur e-mails: the reviewed letters' e-mails, each once (SMTP or Outlook);
    `transport` replaces the one Instellingen chooses (tests: a stand-in Outlook)."""
    return _run(
        "Verstuur e-mails", partial(_send, transport=transport), workbook, as_of, writes=True
    )


def vernieuw_werklijst(workbook: LiveWorkbook | None = None, as_of: date | None = None) -> Outcome:
    """Vernieuw werklijst: the Werklijst and the Plan sheet for today."""
    return _run("Vernieuw werklijst", _worklist, workbook, as_of, writes=True)


def importeer_bankafschrift(
    workbook: LiveWorkbook | None = None, as_of: date | None = None
) -> Outcome:
    """Importeer bankafschrift: the chosen statements matched into Betalingen."""
    return _run("Importeer bankafschrift", _bank, workbook, as_of, writes=True)


def importeer_facturen(workbook: LiveWorkbook | None = None, as_of: date | None = None) -> Outcome:
    """Importeer facturen: the chosen e-invoices (UBL) or open-items lists into Facturen."""
    return _run("Importeer facturen", _invoice_files, workbook, as_of, writes=True)


def importeer_facturenmap(
    workbook: LiveWorkbook | None = None, as_of: date | None = None
) -> Outcome:
    """Importeer map met facturen: every invoice file in the chosen folder."""
    return _run("Map met facturen", _invoice_folder, workbook, as_of, writes=True)


def controleer_gegevens(workbook: LiveWorkbook | None = None, as_of: date | None = None) -> Outcome:
    """Controleer gegevens: every problem in the data, named by sheet, row and column."""
    return _run("Controleer gegevens", _check, workbook, as_of)


# --- running one --------------------------------------------------------------------------------

Job = Callable[[LiveWorkbook, date], Outcome]


def _run(
    title: str, job: Job, workbook: LiveWorkbook | None, as_of: date | None, writes: bool = False
) -> Outcome:
    book = workbook if workbook is not None else XlwingsWorkbook.caller()
    try:
        with ExitStack() as stack:
            # The same lock as the command line's writing commands (adapters/workbook/lock.py).
            lock = stack.enter_context(_lock(book, title)) if writes else None
            outcome = job(book, as_of or date.today())
            if lock is not None and lock.notes:
                outcome = replace(outcome, message=outcome.message + "\n\n" + "\n".join(lock.notes))
    except LockError as exc:
        outcome = Outcome(False, str(exc))
    except RunRefused as exc:
        outcome = Outcome(False, "De brieven zijn niet gemaakt: " + str(exc))
    except (
        RibbonError,
        LiveError,
        LiveWriteError,
        PatchError,
        BankFileError,
        SenderIncomplete,
        FolderSettingError,
    ) as exc:
        outcome = Outcome(False, _nothing_written(str(exc)))
    except (TemplateError, LetterTemplateError) as exc:
        outcome = Outcome(False, "De brieven zijn niet gemaakt: " + template_problem(exc))
    except OSError as exc:
        name = failed_file(exc)
        where = f" ('{name}')" if name else ""
        outcome = Outcome(
            False,
            f"Een bestand kon niet gelezen of geschreven worden{where}: {write_failure(exc)}. "
            f"Er is niets in de werkmap geschreven.",
        )
    except Exception:  # an unforeseen error must still reach the user in Excel
        traceback.print_exc()  # xlwings' console (Show Console) keeps the details
        # Python's own text is English and means nothing to the user: it stays in the
        # console (the traceback above), the message says where to find it.
        outcome = Outcome(
            False,
            "Er ging iets onverwachts mis; er is niets in de werkmap geschreven. Meld dit met "
            "de tekst uit het consolevenster van xlwings (Show Console in de xlwings-"
            "instellingen).",
        )
    book.alert(outcome.message, f"{TITLE}: {title}", critical=not outcome.ok)
    if outcome.folder is not None:
        open_folder(outcome.folder)
    return outcome


def _lock(workbook: LiveWorkbook, title: str) -> AbstractContextManager[WorkbookLock | None]:
    """The workbook's lock, taken before the button reads anything; none for a workbook that
    was never saved as a file here (no other run can reach it)."""
    try:
        path = workbook_path(workbook.fullname)
    except RibbonError:
        return nullcontext()
    if not path.is_file():
        return nullcontext()
    return workbook_lock(path, f"Excel: {title}")


def _nothing_written(message: str) -> str:
    if "geschreven" in message:  # the message already says what was (not) written
        return message
    return f"{message} Er is niets in de werkmap geschreven."


def workbook_path(fullname: str) -> Path:
    """The workbook's file, whose folder holds the letters and the `sjablonen`; refused for a
    workbook that was never saved or lives only online."""
    if fullname.lower().startswith(("http://", "https://")):
        raise RibbonError(
            f"De werkmap staat online ({fullname}), niet in een map op deze computer. Sla hem "
            f"op in een map op deze computer (of laat OneDrive hem lokaal bewaren) en probeer "
            f"het opnieuw."
        )
    path = Path(fullname)
    if not path.is_absolute() or not path.parent.is_dir():
        raise RibbonError(
            "De werkmap is nog niet opgeslagen. Sla hem eerst op (Bestand > Opslaan als); "
            "de brieven komen in een map naast de werkmap."
        )
    return path


def _refuse_without_core_tables(book: Book, workbook: LiveWorkbook) -> None:
    """As the command line's writing commands: no invoices or no customers read, nothing
    written (else the Werklijst and Afspraken.Status would be written from nothing)."""
    refusal = core_tables_refusal(
        book, workbook.fullname, check="Controleer gegevens", importer="Importeer facturen"
    )
    if refusal:
        raise RibbonError(refusal)


def _refuse_plain_tables(workbook: LiveWorkbook, command: str) -> None:
    """As the command line's writing commands (cli/common.tables_refusal): a table the button
    writes into (schema.tables_to_check) that is no Excel table stops it before any letter,
    e-mail or row is made. The write could only extend a table, and a sent e-mail whose
    Verzonden cannot be written would go out again next time."""
    sheets = workbook.sheet_names()
    for spec in schema.tables_to_check(command, sheets):
        if workbook.table(spec.name) is not None:
            continue
        on_sheet = any(name.casefold() == spec.sheet.casefold() for name in sheets)
        why = plain_range_text(spec.sheet, spec.name) if on_sheet else make_table_advice(spec.name)
        # _run adds that nothing was written.
        raise RibbonError(f"De werkmap heeft geen tabel '{spec.name}'. {why}")


def _warnings_note(plan: Plan, book: Book) -> str:
    """Item 5: how many warnings there are and where (the top of the Werklijst)."""
    note = warnings_note(len(plan.warnings))
    return f"\n{note}" if note else ""


def _problems_note(problems: Sequence[Problem]) -> str:
    if not problems:
        return ""
    return (
        f"\n\nLet op: {count_text(len(problems), 'probleem', 'problemen')} in de gegevens; "
        "kies Controleer gegevens "
        f"voor de lijst."
    )


# --- Maak herinneringen -----------------------------------------------------------------------


def _letters(workbook: LiveWorkbook, as_of: date) -> Outcome:
    path = workbook_path(workbook.fullname)
    book, read_problems = live.read_live(workbook)
    _refuse_without_core_tables(book, workbook)
    _refuse_plain_tables(workbook, "herinneringen")
    staged: list[Patch] = []  # written below together with the Plan sheet, in one go
    # One process: inside Excel, Python may run in xlwings' COM server, whose worker
    # processes would start that server's module again (spawn); not worth the risk there.
    job = run_letters(book, path, as_of, write=staged.append, parallel=False)
    try:
        live.write_patch(workbook, staged[0], plan=plan_rows(job.plan_after), as_of=as_of)
    except LiveError as exc:
        # Nothing was written into the workbook (or what was, was put back): take this run's
        # letters away again, so what the run leaves is nothing at all (letters issue,
        # item 11).
        discard_files(job)
        if job.made:
            note = f" De {len(job.made)} brieven van deze run zijn weer verwijderd."
            raise LiveError(str(exc) + note) from exc
        raise
    except LiveWriteError as exc:
        if not job.made:
            raise
        if f"tabel {schema.CONTACTEN.name}" not in exc.written:
            # Not logged: left in the folder they would be sent by hand as if logged, and
            # made again next time. Taken away, as when nothing was written.
            discard_files(job)
            note = (
                f" De {len(job.made)} brieven van deze run zijn weer verwijderd: ze zijn "
                "niet gelogd in Contacten."
            )
            raise LiveWriteError(str(exc) + note, exc.written) from exc
        note = f" De {len(job.made)} brieven staan wel in {job.folder} en zijn gelogd in Contacten."
        raise LiveWriteError(str(exc) + note, exc.written) from exc
    except Exception:
        # Unforeseen, and raised before the first cell was written (write_steps turns every
        # failure while writing into one of the two above): the letters are not logged.
        discard_files(job)
        raise
    problems = in_sheet_order(read_problems, job.plan_after.problems)
    first = "".join(f"Let op: {w.message}\n\n" for w in job.bank_warnings)  # PLAYBOOK P1
    if not job.made:
        message = f"{no_letters_text(job.plan_after)} De Werklijst is bijgewerkt."
        return Outcome(
            True,
            first
            + message
            + _warnings_note(job.plan_after, book)
            + _skipped_note(job)
            + _problems_note(problems),
        )
    per_step = Counter(m.task.step or m.task.action.value for m in job.made)
    steps = ", ".join(f"{n} {step}" for step, n in per_step.most_common())
    message = (
        f"{count_text(len(job.made), 'brief', 'brieven')} gemaakt in {job.folder}: {steps}.\n"
        f"Gelogd in Contacten; de Werklijst is bijgewerkt.\n"
        f"Niets is verstuurd: open de e-mailconcepten (.eml) of print de PDF's."
    )
    warned = _warnings_note(job.plan_after, book)
    return Outcome(
        True, first + message + warned + _skipped_note(job) + _problems_note(problems), job.folder
    )


def _skipped_note(job: LetterJob) -> str:
    lines = [
        f"Niet gemaakt: {s.task.step or s.task.action.value} voor {s.task.customer}: {s.reason}"
        for s in job.skipped
    ]
    lines += [f"Let op: {note}" for note in job.notes]
    return "\n\n" + "\n".join(lines) if lines else ""


# --- Verstuur e-mails -------------------------------------------------------------------------


def _send(workbook: LiveWorkbook, as_of: date, transport: Transport | None) -> Outcome:
    path = workbook_path(workbook.fullname)
    book, problems = live.read_live(workbook)
    _refuse_plain_tables(workbook, "verstuur")
    # An older Contacten without Verzonden gets the column from the patch (add_columns), in
    # Excel as on the file.
    try:
        check_send_settings(book, problems)
        job = run_send(
            book,
            path,
            as_of,
            transport=transport,
            # Not put back on a failure: a Verzonden mark written for an e-mail that went
            # out must stay, or the next run sends it again.
            write=lambda patch: live.write_patch(workbook, patch, undo=False),
        )
    except (SetupError, PasswordError) as exc:
        raise RibbonError(f"{str(exc)[:1].upper()}{str(exc)[1:]}. Er is niets verstuurd.") from exc
    except JournalStopped as stop:
        return Outcome(False, journal_stopped_text(stop, book))
    ok = not (job.not_sent or job.unsure or job.write_error)
    return Outcome(ok, summary_text(job, book).strip())


# --- Vernieuw werklijst -----------------------------------------------------------------------


def _worklist(workbook: LiveWorkbook, as_of: date) -> Outcome:
    # A later Peildatum is the user looking ahead (the open macro keeps it): plan that day.
    as_of = max(as_of, live.peildatum(workbook) or as_of)
    book, read_problems = live.read_live(workbook)
    _refuse_without_core_tables(book, workbook)
    plan = plan_book(book, as_of)
    # Afspraken.Status too: in Excel nothing else brings it up to date (loopt -> gemist).
    patch = Patch(
        set_cells=tuple(
            (schema.AFSPRAKEN.name, "Afspraak", agreement_id, values)
            for agreement_id, values in agreement_updates(
                book.agreements, plan.agreement_states, frozenset(), as_of
            )
        ),
        replace_sheet=(
            (schema.WERKLIJST_SHEET, werklijst_rows(plan, book)),
            (schema.OVERZICHT_SHEET, overview_rows(plan, book)),
        ),
    )
    live.write_patch(workbook, patch, plan=plan_rows(plan), as_of=as_of)
    due = [a for a in plan.actions if a.action is not Action.NONE and (a.date or as_of) <= as_of]
    counts = Counter(a.action.value for a in due)
    if due:
        listed = ", ".join(f"{n} {action}" for action, n in counts.most_common())
        today = f"{count_text(len(due), 'actie', 'acties')} voor vandaag of eerder: {listed}."
    else:
        today = "Geen acties voor vandaag."
    message = f"Werklijst bijgewerkt voor {nl_date(as_of)}. {today}"
    message += _warnings_note(plan, book)
    return Outcome(True, message + _problems_note((*read_problems, *plan.problems)))


# --- Importeer bankafschrift --------------------------------------------------------------


def _bank(workbook: LiveWorkbook, as_of: date) -> Outcome:
    files = workbook.choose_files(BANK_PROMPT)
    if not files:
        return Outcome(True, "Geen bankafschrift gekozen; er is niets veranderd.")
    book, read_problems = live.read_live(workbook)
    _refuse_without_core_tables(book, workbook)
    _refuse_plain_tables(workbook, "bank")
    # Numbered where they will be written, so the Werklijst names their Betalingen rows.
    result = import_bank(
        book, files, as_of, first_row=live.append_row(workbook, schema.BETALINGEN.name)
    )
    if result.changes:
        live.write_patch(workbook, result.patch, plan=plan_rows(result.plan), as_of=as_of)
    counts = result.counts
    # The statement files as the command line and the warnings name them: "a.zip/nov.xml".
    lines = [result.summary(result.named_files())]
    lines += [f"Let op: {warning.message}" for warning in result.warnings]
    lines += [f"Rekening {iban} toegevoegd aan klant {c}." for c, iban in result.learned_ibans]
    if counts["Controleren"]:
        lines.append(
            "Controleer de regels met Status Controleren in Betalingen: zolang die er staan, "
            "wordt de klant niet benaderd."
        )
    lines.append(
        "De Werklijst is bijgewerkt." if result.changes else "Er is niets in de werkmap veranderd."
    )
    problems = in_sheet_order(read_problems, result.plan.problems)
    warned = _warnings_note(result.plan, result.book_after)
    return Outcome(True, "\n".join(lines) + warned + _problems_note(problems))


# --- Importeer facturen ---------------------------------------------------------------------


def _invoice_files(workbook: LiveWorkbook, as_of: date) -> Outcome:
    files = workbook.choose_files(INVOICE_PROMPT)
    if not files:
        return Outcome(True, "Geen facturen gekozen; er is niets veranderd.")
    return _invoices(workbook, as_of, files)


def _invoice_folder(workbook: LiveWorkbook, as_of: date) -> Outcome:
    folder = workbook.choose_folder(INVOICE_FOLDER_PROMPT)
    if folder is None:
        return Outcome(True, "Geen map gekozen; er is niets veranderd.")
    return _invoices(workbook, as_of, (folder,))


def _invoices(workbook: LiveWorkbook, as_of: date, paths: Sequence[Path]) -> Outcome:
    path = workbook_path(workbook.fullname)  # the PDFs go beside it (or into Factuurmap)
    book, _ = live.read_live(workbook)
    _refuse_plain_tables(workbook, "importeer")
    result = import_invoices(book, path, paths, list_memory.recall(path))
    if not result.files_used:
        lines = [*summary_lines(result)[:-1], "Er is niets in de werkmap geschreven."]
        return Outcome(False, "\n".join(lines))
    if result.changes:
        written = save_pdfs(result.pdfs)
        try:
            live.write_patch(workbook, result.patch)
        except LiveWriteError:
            raise  # rows written and not put back may name these PDFs: they stay
        except Exception:
            # Nothing was written into the workbook (a refusal, a write put back, or an
            # unforeseen error before the first cell): no stray PDFs.
            remove_pdfs(written)
            raise
        # The Plan sheet (values on the Mac, a recalculation on Windows) over the new rows.
        after, _ = live.read_live(workbook)
        plan = plan_book(after, as_of)
        try:
            live.write_patch(workbook, Patch(), plan=plan_rows(plan), as_of=as_of)
        except (LiveError, LiveWriteError) as exc:
            # The rows are in already: saying "niets geschreven" would hide them.
            plan_note = f"\n\nLet op: {_plan_not_written(exc)}"
        else:
            plan_note = ""
    else:
        plan_note = ""
    # The rows are in the workbook now: a memory that cannot be written is a note.
    try:
        list_memory.remember(path, result.lists)
    except OSError as exc:
        note = plan_note + f"\n\nLet op: {memory_failure(path, exc)}"
    else:
        note = plan_note
    ok = not (result.skipped or result.warnings or note)
    return Outcome(ok, "\n".join(summary_lines(result)) + note)


def _plan_not_written(exc: Exception) -> str:
    """The import's rows are in; only the Plan sheet (or the Peildatum) was refused."""
    partly = " (een deel is al geschreven)" if isinstance(exc, LiveWriteError) else ""
    return (
        f"de facturen staan in de werkmap, maar het blad Plan en de Peildatum konden niet "
        f"worden bijgewerkt{partly}. Los het op (een beveiligd blad?) en kies Vernieuw "
        f"werklijst."
    )


# --- Controleer gegevens ----------------------------------------------------------------------


def _check(workbook: LiveWorkbook, as_of: date) -> Outcome:
    book, read_problems = live.read_live(workbook)
    plan = plan_book(book, as_of)
    problems = in_sheet_order(
        read_problems, plan.problems, letter_problems(book.settings, len(plan.letters))
    )
    name = Path(workbook.fullname).name
    if not problems:
        return Outcome(True, f"Geen problemen gevonden in {name}." + _warnings_note(plan, book))
    lines = [problem_line("", p).lstrip(":") for p in problems[:MAX_PROBLEMS_SHOWN]]
    more = len(problems) - len(lines)
    tail = f"\n... en nog {more}; de hele lijst: debiteuren controleer {name}" if more else ""
    found = count_text(len(problems), "probleem", "problemen")
    message = f"{found} gevonden in {name}:\n" + "\n".join(lines) + tail
    return Outcome(False, message + _warnings_note(plan, book))


# --- the folder with the letters --------------------------------------------------------------


def folder_command(folder: Path, platform: str = sys.platform) -> list[str] | None:
    """How to show a folder: Explorer (os.startfile) on Windows, Finder (`open`) on the Mac;
    None elsewhere (no Excel there, so no one to show it to)."""
    if platform.startswith("win"):
        return ["explorer", str(folder)]
    if platform == "darwin":
        return ["open", str(folder)]
    return None


def open_folder(folder: Path) -> None:
    command = folder_command(folder)
    if command is None:
        return
    if sys.platform.startswith("win"):
        os.startfile(folder)  # type: ignore[attr-defined]  # Windows only
    else:
        subprocess.run(command, check=False)
