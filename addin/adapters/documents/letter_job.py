"""The letter run ("Maak herinneringen"): letters to files, in parallel, then one safe write
into the workbook.

Per letter: compose (core) -> render the texts (jinja2) -> PDF with the invoice copies ->
e-mail draft (.eml, X-Unsent). The documents go to a dated folder. Unless it is a dry run,
the workbook then gets, in one write, a Contacten row per letter, the Afspraken Status and
Bevestiging verstuurd, and the day's Werklijst: atomically into the file (xlsx_patch), or by
the caller's writer (the open workbook in Excel, adapters/live.py). A failure anywhere
before that write leaves the workbook as it was; the documents made so far are simply made
again next time.

Example::

    job = run_letters(book, Path("Debiteuren.xlsx"), date(2026, 11, 24), dry_run=False)
    job.made  -> 10 letters, job.folder -> uitvoer/2026-11-24
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError

from addin import schema
from addin.adapters.documents.letters import (
    invoice_copies,
    letter_eml,
    letter_pdf,
    letter_templates,
    render_letter,
)
from addin.adapters.documents.paths import roots_for, safe_name
from addin.adapters.documents.preflight import check_templates
from addin.adapters.processes import child_init
from addin.adapters.tempfiles import remove_stale, write_atomic
from addin.adapters.workbook.xlsx_patch import Patch, PatchError, apply_patch, check_not_open
from addin.core.ledger import Ledger
from addin.core.letter_content import LetterContent, compose
from addin.core.letter_log import (
    MadeLetter,
    agreement_updates,
    confirmed_agreements,
    contact_rows,
    werklijst_rows,
)
from addin.core.model import Book, Contact, LetterTask, Plan, Problem
from addin.core.overview import overview_rows
from addin.core.plan import plan_book, plan_with_ledger
from addin.core.sender import letter_problems, refusal


class SenderIncomplete(Exception):
    """Letters are due but Instellingen lacks the sender's details (core.sender); nothing
    was made or written. The message lists each problem with sheet, row and column."""

    def __init__(self, problems: tuple[Problem, ...], what: str = "De brieven zijn") -> None:
        self.problems = problems
        super().__init__(refusal(problems, what))


PARALLEL_FROM = 20  # below this many letters, starting worker processes costs more than it saves


@dataclass(frozen=True, slots=True)
class LetterFailure:
    """A letter that could not be made; the run skipped it and went on (Dutch message)."""

    task: LetterTask
    message: str


@dataclass(frozen=True, slots=True)
class LetterJob:
    """What a run made and wrote; `failed` the letters it skipped."""

    folder: Path
    made: tuple[MadeLetter, ...]
    dry_run: bool
    written: bool
    plan_after: Plan
    failed: tuple[LetterFailure, ...] = ()


def output_folder(workbook: Path, setting: str, as_of: date, dry_run: bool) -> Path:
    base = workbook.resolve().parent
    root = Path(setting.strip()).expanduser() if setting.strip() else Path("uitvoer")
    root = root if root.is_absolute() else base / root
    return root / ("proef" if dry_run else "") / as_of.isoformat()


# -- one letter, in a worker or in this process -------------------------------------------------

# A worker gets each letter's content, composed in the parent from the plan's ledger, and
# only renders it: no Book, no ledger and no plan is copied to or rebuilt in a worker.
_STATE: dict[str, Any] = {}


def _init(workbook: Path, invoice_dir: str, as_of: date, folder: Path) -> None:
    _STATE.update(
        workbook=workbook,
        as_of=as_of,
        folder=folder,
        templates=letter_templates(workbook),
        roots=roots_for(workbook, invoice_dir),
    )


def _make_one(job: tuple[LetterTask, LetterContent]) -> MadeLetter:
    task, content = job
    workbook, as_of, folder = (_STATE[k] for k in ("workbook", "as_of", "folder"))
    rendered = render_letter(content, _STATE["templates"])
    name = safe_name(f"{as_of.isoformat()} {task.step or task.action.value} {task.customer}")
    copies, _missing = invoice_copies(content, _STATE["roots"])
    pdf = letter_pdf(content, rendered, copies)
    # Whole files or none: a run killed here leaves a temp file, which the next run removes.
    write_atomic(folder / f"{name}.pdf", pdf)
    write_atomic(folder / f"{name}.eml", letter_eml(content, rendered, pdf, f"{name}.pdf"))
    try:
        document = (folder / f"{name}.pdf").relative_to(workbook.resolve().parent).as_posix()
    except ValueError:
        document = str(folder / f"{name}.pdf")
    return MadeLetter(task, document, task.channel, content.recipient.attention)


def _skipped(task: LetterTask, exc: Exception) -> LetterFailure:
    what = task.step or task.action.value
    return LetterFailure(
        task,
        f"de brief '{what}' aan klant {task.customer} kon niet worden gemaakt "
        f"({type(exc).__name__}: {str(exc)[:300]}); overgeslagen, de andere brieven zijn "
        "wel gemaakt",
    )


def _make_or_skip(
    job: tuple[LetterTask, LetterContent | LetterFailure],
) -> MadeLetter | LetterFailure:
    """One letter; a letter that cannot be made (its data, or a template that fails on
    it) is reported, not the end of the run. A full disk (OSError) and a template that does
    not compile stop the run: they hit every letter."""
    task, content = job
    if isinstance(content, LetterFailure):
        return content
    try:
        return _make_one((task, content))
    except (OSError, TemplateSyntaxError):
        raise
    except Exception as exc:  # any other failure concerns this letter only
        return _skipped(task, exc)


def _composed(
    tasks: Sequence[LetterTask], book: Book, as_of: date, ledger: Ledger
) -> Iterator[tuple[LetterTask, LetterContent | LetterFailure]]:
    for task in tasks:
        try:
            yield task, compose(task, book, as_of, ledger=ledger)
        except Exception as exc:  # this letter's data; the others go on
            yield task, _skipped(task, exc)


def _remove_run_files(folder: Path, before: set[str], started: int) -> None:
    """Remove what this run wrote in `folder`: new files, and older ones it overwrote."""
    for entry in folder.iterdir():
        try:
            if entry.is_file() and (
                entry.name not in before or entry.stat().st_mtime_ns >= started
            ):
                entry.unlink()
        except OSError:
            continue
    with contextlib.suppress(OSError):
        folder.rmdir()  # only when empty: a folder this run made for nothing


def make_letters(
    book: Book,
    workbook: Path,
    as_of: date,
    folder: Path,
    tasks: Sequence[LetterTask],
    progress: Callable[[int, int], None] | None = None,
    *,
    parallel: bool = True,
    ledger: Ledger | None = None,
) -> tuple[tuple[MadeLetter, ...], tuple[LetterFailure, ...]]:
    """All letters, on both cores when there are many and `parallel` allows it (order
    kept), and those skipped (`LetterFailure`). Pass the plan's `ledger` to compose from it
    (else one is built). When the run stops (a full disk, a template that does not compile)
    the files it wrote are removed again: no partial set of letters is left."""
    folder.mkdir(parents=True, exist_ok=True)
    before = {entry.name for entry in folder.iterdir()}
    started = time.time_ns()
    try:
        results = _make_all(book, workbook, as_of, folder, tasks, progress, parallel, ledger)
    except BaseException:
        _remove_run_files(folder, before, started)
        raise
    made = tuple(r for r in results if isinstance(r, MadeLetter))
    return made, tuple(r for r in results if isinstance(r, LetterFailure))


def _make_all(
    book: Book,
    workbook: Path,
    as_of: date,
    folder: Path,
    tasks: Sequence[LetterTask],
    progress: Callable[[int, int], None] | None,
    parallel: bool,
    ledger: Ledger | None,
) -> list[MadeLetter | LetterFailure]:
    ledger = ledger if ledger is not None else Ledger.build(book, as_of)
    # Composed in order while the workers already render the first ones; a content is small
    # (one customer's lines) and is dropped once its letter is made.
    jobs = _composed(tasks, book, as_of, ledger)
    init = (workbook, book.settings.invoice_dir, as_of, folder)
    made: list[MadeLetter | LetterFailure] = []
    if not parallel or len(tasks) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        _init(*init)
        for job in jobs:
            made.append(_make_or_skip(job))
            if progress:
                progress(len(made), len(tasks))
        return made
    with ProcessPoolExecutor(
        max_workers=min(os.cpu_count() or 2, 4),
        # Workers end with this process, even when it is killed (adapters/processes.py).
        initializer=child_init,
        initargs=(os.getpid(), _init, init),
    ) as pool:
        for letter in pool.map(_make_or_skip, jobs, chunksize=8):
            made.append(letter)
            if progress:
                progress(len(made), len(tasks))
    return made


def run_letters(
    book: Book,
    workbook: Path,
    as_of: date,
    *,
    dry_run: bool = False,
    folder: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    write: Callable[[Patch], object] | None = None,
    parallel: bool = True,
) -> LetterJob:
    """Make today's letters and, unless `dry_run`, log them in the workbook.

    `write` gets the whole Patch once, after every letter exists. By default it is applied
    to the file at `workbook`, which is refused while Excel has that file open (checked
    before any letter is made). The Excel ribbon passes its own writer (the open workbook
    through xlwings, adapters/live.py) and so skips that check: there the open workbook is
    the one being written. `workbook` still locates the output folder and the templates.
    `parallel=False` makes every letter in this process (see addin/ribbon.py for why).
    Raises SenderIncomplete, also for a dry run, when letters are due and Instellingen lacks
    the sender's details.
    """
    if not dry_run and write is None:
        check_not_open(workbook)  # before any letter is made
    plan, ledger = plan_with_ledger(book, as_of)
    refused = letter_problems(book.settings, len(plan.letters))
    if refused:
        raise SenderIncomplete(refused)  # before any folder or letter exists
    # before any file
    check_templates(book, as_of, plan.letters, letter_templates(workbook), ledger=ledger)
    target = folder or output_folder(workbook, book.settings.output_dir, as_of, dry_run)
    # Temp files of a killed run: in today's folder and in the other days' folders.
    remove_stale(target)
    remove_stale(output_folder(workbook, book.settings.output_dir, as_of, False).parent, depth=2)
    made, failed = make_letters(
        book, workbook, as_of, target, plan.letters, progress, parallel=parallel, ledger=ledger
    )
    del ledger  # the plan after the letters needs a new one (new contacts, confirmations)
    logged = contact_rows(made, as_of)
    confirmed = confirmed_agreements(made)
    after = replace(
        book,
        contacts=book.contacts + logged,
        agreements=tuple(
            replace(a, confirmation_sent=as_of)
            if a.id in confirmed and a.confirmation_sent is None
            else a
            for a in book.agreements
        ),
    )
    plan_after = plan_book(after, as_of)
    if dry_run:
        return LetterJob(target, made, True, False, plan_after, failed)
    patch = Patch(
        append=((schema.CONTACTEN.name, tuple(_contact_row(c) for c in logged)),) if logged else (),
        set_cells=tuple(
            (schema.AFSPRAKEN.name, "Afspraak", agreement_id, values)
            for agreement_id, values in agreement_updates(
                book.agreements, plan_after.agreement_states, confirmed, as_of
            )
        ),
        replace_sheet=(
            (schema.WERKLIJST_SHEET, werklijst_rows(plan_after, after)),
            (schema.OVERZICHT_SHEET, overview_rows(plan_after, after)),
        ),
    )
    if write is None:
        try:
            apply_patch(workbook, patch)
        except PatchError as exc:
            raise PatchError(
                f"{exc} De {len(made)} brieven staan wel in {target}, maar zijn niet in "
                "Contacten gelogd: verstuur ze niet; de volgende run maakt ze opnieuw."
            ) from None
    else:
        write(patch)
    return LetterJob(target, made, False, True, plan_after, failed)


def _contact_row(c: Contact) -> dict[str, object]:
    return {
        "Datum": c.date,
        "Klantnummer": c.customer,
        "Facturen": ", ".join(c.invoices),
        "Kanaal": c.channel.value,
        "Met": c.person,
        "Doel": c.goal,
        "Door": c.by,
        "Stap": c.step,
        "Document": c.document,
    }


def console_progress(done: int, total: int) -> None:
    """A one-line progress bar on stderr, only when it is a terminal."""
    if not sys.stderr.isatty():
        return
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\rBrieven maken [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
