"""The letter run ("Maak herinneringen"): letters to files, in parallel, then one safe write
into the workbook.

A run has three stages, so that what it leaves is always one of three things:

1. Pre-flight (`PREFLIGHT`, before the first file): every check that can refuse the whole
   run: the workbook open in Excel, the output folder, each template the planned letters
   need (loaded, and tried on its first letter). A refusal raises RunRefused: exit 2, no
   files, workbook untouched. Further checks (a run lock, required settings, template
   limits) are added to the tuple as functions of the RunContext.
2. Letters: per letter compose (core) -> render the texts (jinja2) -> PDF with the invoice
   copies -> e-mail draft (.eml). A letter that cannot be made from its own data is
   skipped and reported (Skipped); the others are made (exit 1: done, something reported).
3. One write into the workbook: a Contacten row per letter, the Afspraken Status and
   Bevestiging verstuurd, the day's Werklijst and Overzicht: atomically into the file
   (xlsx_patch), or by the caller's writer (the open workbook in Excel, adapters/live.py).
   An I/O failure in stage 2 or 3 removes the files this run made and leaves the workbook
   as it was (exit 2).

Example::

    job = run_letters(book, Path("Debiteuren.xlsx"), date(2026, 11, 24), dry_run=False)
    job.made  -> 10 letters, job.folder -> uitvoer/2026-11-24, job.skipped -> ()
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError

from addin import schema
from addin.adapters.documents.letters import (
    LetterTemplateError,
    invoice_copies,
    letter_eml,
    letter_pdf,
    letter_templates,
    render_letter,
)
from addin.adapters.documents.paths import foreign_folder, roots_for, safe_name, setting_folder
from addin.adapters.documents.preflight import check_templates as check_templates_of
from addin.adapters.processes import child_init
from addin.adapters.tempfiles import recover_staging, remove_stale, write_atomic
from addin.adapters.workbook.xlsx_patch import Patch, PatchError, apply_patch, check_not_open
from addin.core.ladder_default import DEFAULT_STEPS
from addin.core.ledger import Ledger, step_key
from addin.core.letter_content import LetterContent, compose
from addin.core.letter_log import (
    MadeLetter,
    agreement_updates,
    confirmed_agreements,
    contact_rows,
    werklijst_rows,
)
from addin.core.model import Action, Book, Contact, LetterTask, Plan, Problem, Settings, Warning_
from addin.core.overview import overview_rows
from addin.core.plan import plan_book, plan_with_ledger
from addin.core.sender import letter_problems, refusal
from addin.core.texts import CONFIRMATION_STEP, LETTER_NAMES_EN, THANK_STEP


class SenderIncomplete(Exception):
    """Letters are due but Instellingen lacks the sender's details (core.sender); nothing
    was made or written. The message lists each problem with sheet, row and column."""

    def __init__(
        self, problems: tuple[Problem, ...], workbook: Path | str, what: str = "De brieven zijn"
    ) -> None:
        self.problems = problems
        super().__init__(refusal(problems, what, str(workbook)))


PARALLEL_FROM = 20  # below this many letters, starting worker processes costs more than it saves
# The P1 warnings the letter run repeats before its summary (plan.bank_warnings).
BANK_WARNINGS = frozenset({"bank-ontbreekt", "bank-verouderd"})


class RunRefused(Exception):
    """A check before the first file refuses the whole run; the message is Dutch and says
    what to do. Nothing was made and nothing written."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A letter that could not be made from its own data; the rest of the run went on."""

    task: LetterTask
    reason: str


@dataclass(frozen=True, slots=True)
class LetterJob:
    """What a run made and wrote.

    Attributes:
      skipped: letters not made, with the reason (reported; exit 1).
      notes: what the user should know about letters that were made (an invoice PDF that
        was not found and got a generated copy), first what was put right in the
        Uitvoermap (an overdracht killed half-way), last what the write did to the sheets
        it replaces (PatchResult.notes); told, the letter is complete (exit 0).
      warnings: the plan's warnings before the run (P1: bank data missing or old, ...).
    """

    folder: Path
    made: tuple[MadeLetter, ...]
    dry_run: bool
    written: bool
    plan_after: Plan
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[str, ...] = ()
    warnings: tuple[Warning_, ...] = ()
    files: tuple[Path, ...] = ()  # the files this run made (not those it overwrote)

    @property
    def bank_warnings(self) -> tuple[Warning_, ...]:
        return tuple(w for w in self.warnings if w.kind in BANK_WARNINGS)


def output_folder(workbook: Path, settings: Settings, as_of: date, dry_run: bool) -> Path:
    base = workbook.resolve().parent
    root = setting_folder(settings, "output_dir", workbook) or Path("uitvoer")
    root = root if root.is_absolute() else base / root
    return root / ("proef" if dry_run else "") / as_of.isoformat()


# The shipped step of each letter action, by name: only these have an English name (a
# user's step of their own keeps its name, so two steps never share one English name).
_SHIPPED_STEPS = frozenset(
    {(step_key(s.name), s.action) for s in DEFAULT_STEPS}
    | {(step_key(CONFIRMATION_STEP), Action.CONFIRM), (step_key(THANK_STEP), Action.THANK)}
)


def letter_name(task: LetterTask, as_of: date, language: str = "NL") -> str:
    """The file name (without suffix) of a letter: date, step name and customer number; the
    step's English name for an English customer (LETTER_NAMES_EN), since the PDF's name is
    the attachment's name the customer sees. Contacten.Stap keeps the user's step."""
    step = task.step or task.action.value
    if language == "EN" and (step_key(step), task.action) in _SHIPPED_STEPS:
        step = LETTER_NAMES_EN.get(task.action, step)
    # Each part cut on its own (10 + 1 + 45 + 1 + 23 = 80): a long step name of the user's
    # own must not cut off the customer number, which says whose letter the file is.
    # The whole once more for its bytes (45 emoji are 180).
    return safe_name(f"{as_of.isoformat()} {safe_name(step, 45)} {safe_name(task.customer, 23)}")


# -- stage 1: pre-flight ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunContext:
    """What the pre-flight checks see: the run as planned, before any file exists.

    Attributes:
      checks_open_file: the workbook file itself will be written (not the ribbon's writer).
    """

    book: Book
    workbook: Path
    as_of: date
    plan: Plan
    folder: Path
    dry_run: bool
    checks_open_file: bool
    ledger: Ledger | None = None  # the plan's, to compose from


def check_workbook_not_open(ctx: RunContext) -> None:
    """Excel holds the file: the write at the end would be refused, so refuse now."""
    if ctx.checks_open_file and not ctx.dry_run:
        try:
            check_not_open(ctx.workbook)
        except PatchError as exc:
            # Said as bank, importeer, overzicht and overdracht say it for the same file.
            raise RunRefused(f"{exc} Er is niets veranderd.") from exc


def check_output_folder(ctx: RunContext) -> None:
    """The output folder can hold files: nearest existing parent is a writable folder."""
    if not ctx.plan.letters:
        return
    probe = ctx.folder
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise RunRefused(
            f"de map voor de brieven ({ctx.folder}) kan niet worden aangemaakt of beschreven: "
            f"{probe} is geen map waarin geschreven mag worden. Kies in Instellingen een andere "
            "Uitvoermap (of gebruik --uit); er is niets gemaakt en niets in de werkmap geschreven."
        )


def check_templates(ctx: RunContext) -> None:
    """Every template the planned letters need loads and renders its first letter within
    the template limits (preflight.check_templates): a broken user template refuses the run
    here, not after half the letters exist."""
    try:
        check_templates_of(
            ctx.book,
            ctx.as_of,
            ctx.plan.letters,
            letter_templates(ctx.workbook),
            ledger=ctx.ledger,
        )
    except (LetterTemplateError, TemplateError) as exc:
        raise RunRefused(template_problem(exc)) from exc


PreflightCheck = Callable[[RunContext], None]
# Run in this order before the first file; each raises RunRefused to refuse the whole run.
PREFLIGHT: tuple[PreflightCheck, ...] = (
    check_workbook_not_open,
    check_output_folder,
    check_templates,
)


def template_problem(exc: Exception) -> str:
    """A user-edited template that does not work: say which file, which line, and that the
    workbook is unchanged."""
    where = ""
    if isinstance(exc, TemplateSyntaxError):
        where = f" in {exc.filename or exc.name or 'een sjabloon'}, regel {exc.lineno}"
    # The cause may end a sentence itself ("... naast de werkmap."); the advice covers a
    # file in 'sjablonen' that fails and a name in Stappen that finds no file.
    return (
        f"een sjabloon voor de brieven is niet goed{where}: {str(exc).rstrip('.')}. Pas het "
        "sjabloon in de map 'sjablonen' aan (of haal het weg), of de kolom Sjabloon in Stappen; "
        "er is niets gemaakt en niets in de werkmap geschreven."
    )


# -- stage 2: one letter, in a worker or in this process ----------------------------------------

# A worker gets each letter's content, composed in the parent from the plan's ledger, and
# only renders it: no Book, no ledger and no plan is copied to or rebuilt in a worker.
_STATE: dict[str, Any] = {}


def _init(workbook: Path, roots: tuple[Path, ...], as_of: date, folder: Path) -> None:
    _STATE.update(
        workbook=workbook,
        as_of=as_of,
        folder=folder,
        document_prefix=document_prefix(workbook, folder),
        templates=letter_templates(workbook),
        roots=roots,
    )


def document_prefix(workbook: Path, folder: Path) -> str:
    """What goes before a letter's file name in Contacten.Document: the folder relative to
    the workbook's (found there from any computer that has both), else the absolute folder.
    Never relative to where the command ran (`--uit brieven`): find_document looks in the
    Factuurmap and the workbook's folder only. Both resolved, so a symlinked folder or
    workbook still gives the short relative form."""
    try:
        relative = folder.resolve().relative_to(workbook.resolve().parent)
    except ValueError:
        return str(folder.absolute()) + os.sep
    return "" if relative == Path() else relative.as_posix() + "/"


@dataclass(frozen=True, slots=True)
class _Made:
    letter: MadeLetter
    notes: tuple[str, ...]


def _compose(
    task: LetterTask, book: Book, as_of: date, ledger: Ledger
) -> tuple[LetterTask, LetterContent | str]:
    """A letter's content, or why it cannot be composed from its data (then it is skipped)."""
    try:
        return task, compose(task, book, as_of, ledger=ledger)
    except (OSError, MemoryError):
        raise
    except Exception as exc:  # one letter's data must not stop the others
        return task, _skip_reason(exc)


def _named(
    jobs: Iterable[tuple[LetterTask, LetterContent | str]], as_of: date
) -> Iterator[tuple[LetterTask, LetterContent | str, str]]:
    """Each letter with its file name, unique in the run: customer numbers that differ only
    in what safe_name replaces ("D/1", "D:1") or in case ("d1", "D1": one file on Windows and
    macOS) would otherwise share one file, the later letter over the earlier, and both
    Contacten rows would name it. Named in the parent, in plan order, so a run made again
    gives the same names."""
    taken: set[str] = set()
    for task, content in jobs:
        if isinstance(content, str):
            yield task, content, ""
            continue
        base = name = letter_name(task, as_of, content.language)
        n = 2
        while name.casefold() in taken:
            name = f"{base} ({n})"
            n += 1
        taken.add(name.casefold())
        yield task, content, name


def _make_one(job: tuple[LetterTask, LetterContent | str, str]) -> _Made | Skipped:
    """One letter's files; its own data failing (anything but I/O) skips it with the reason.
    I/O errors go up: the run then removes its files and writes nothing."""
    task, content, name = job
    if isinstance(content, str):
        return Skipped(task, content)
    folder = _STATE["folder"]
    try:
        rendered = render_letter(content, _STATE["templates"])
        copies, found = invoice_copies(content, _STATE["roots"])
        notes = list(found)
        pdf = letter_pdf(content, rendered, copies, notes=notes)
        eml = letter_eml(content, rendered, pdf, f"{name}.pdf")
    except (OSError, MemoryError):
        raise
    except Exception as exc:  # one letter's data must not stop the others
        return Skipped(task, _skip_reason(exc))
    # Whole files or none: a run killed here leaves a temp file, which the next run removes.
    write_atomic(folder / f"{name}.pdf", pdf)
    write_atomic(folder / f"{name}.eml", eml)
    document = _STATE["document_prefix"] + f"{name}.pdf"
    step = task.step or task.action.value
    said = tuple(f"{step} {task.customer}: {n}" for n in notes)
    return _Made(MadeLetter(task, document, task.channel, content.recipient.attention), said)


def _skip_reason(exc: Exception) -> str:
    if isinstance(exc, LetterTemplateError | TemplateError):
        return template_problem(exc).split(". Pas het sjabloon")[0]
    return f"de brief kon niet worden gemaakt ({type(exc).__name__}: {exc})"


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
) -> tuple[tuple[MadeLetter, ...], tuple[Skipped, ...], tuple[str, ...]]:
    """All letters, on both cores when there are many and `parallel` allows it (order
    kept): the letters made, those skipped, and the notes about the ones made. Pass the
    plan's `ledger` to compose from it (else one is built)."""
    if not tasks:  # nothing due: no empty day folder in the user's output folder
        return (), (), ()
    # Before the folder: a Factuurmap this computer cannot use refuses with nothing made.
    roots = roots_for(workbook, book.settings, "invoice_dir")
    folder.mkdir(parents=True, exist_ok=True)
    ledger = ledger if ledger is not None else Ledger.build(book, as_of)
    # Composed in order while the workers already render the first ones; a content is small
    # (one customer's lines) and is dropped once its letter is made.
    jobs = _named((_compose(task, book, as_of, ledger) for task in tasks), as_of)
    init = (workbook, roots, as_of, folder)
    results: list[_Made | Skipped] = []
    if not parallel or len(tasks) < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        _init(*init)
        for job in jobs:
            results.append(_make_one(job))
            if progress:
                progress(len(results), len(tasks))
    else:
        with ProcessPoolExecutor(
            max_workers=min(os.cpu_count() or 2, 4),
            # Workers end with this process, even when it is killed (adapters/processes.py).
            initializer=child_init,
            initargs=(os.getpid(), _init, init),
        ) as pool:
            for result in pool.map(_make_one, jobs, chunksize=8):
                results.append(result)
                if progress:
                    progress(len(results), len(tasks))
    made = tuple(r.letter for r in results if isinstance(r, _Made))
    skipped = tuple(r for r in results if isinstance(r, Skipped))
    notes = tuple(n for r in results if isinstance(r, _Made) for n in r.notes)
    return made, skipped, notes


class _Files:
    """The files and folders this run creates, so an I/O failure can take them away again:
    what existed before the run is left alone."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.new_dirs: list[Path] = []
        probe = folder
        while not probe.exists() and probe.parent != probe:
            self.new_dirs.append(probe)
            probe = probe.parent
        self.before = set(folder.iterdir()) if folder.is_dir() else set()

    def new_files(self) -> tuple[Path, ...]:
        if not self.folder.is_dir():
            return ()
        return tuple(p for p in sorted(self.folder.iterdir()) if p not in self.before)

    def remove_new(self) -> None:
        _remove(self.new_files(), self.new_dirs)


def _remove(files: Sequence[Path], dirs: Sequence[Path]) -> None:
    for path in files:
        with suppress(OSError):
            if path.is_file():
                path.unlink()
    for d in dirs:  # deepest first; only when empty
        with suppress(OSError):
            d.rmdir()


def discard_files(job: LetterJob) -> None:
    """Take a run's letters away again (its writer failed before writing anything)."""
    _remove(job.files, [job.folder])


# -- the run ------------------------------------------------------------------------------------


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
    preflight: Sequence[PreflightCheck] = PREFLIGHT,
) -> LetterJob:
    """Make today's letters and, unless `dry_run`, log them in the workbook.

    `write` gets the whole Patch once, after every letter exists. By default it is applied
    to the file at `workbook`, which is refused while Excel has that file open (checked
    before any letter is made). The Excel ribbon passes its own writer (the open workbook
    through xlwings, adapters/live.py) and so skips that check: there the open workbook is
    the one being written. `workbook` still locates the output folder and the templates.
    `parallel=False` makes every letter in this process (see addin/ribbon.py for why).

    Raises RunRefused before any file when a pre-flight check refuses; an OSError (or the
    writer's error) after the first file, with this run's files removed again.
    Raises SenderIncomplete, also for a dry run, when letters are due and Instellingen lacks
    the sender's details.
    """
    plan, ledger = plan_with_ledger(book, as_of)
    refused = letter_problems(book.settings, len(plan.letters))
    if refused:
        raise SenderIncomplete(refused, workbook)  # before any folder or letter exists
    target = folder or output_folder(workbook, book.settings, as_of, dry_run)
    ctx = RunContext(book, workbook, as_of, plan, target, dry_run, write is None, ledger)
    for check in preflight:
        check(ctx)

    # Temp files of a killed run: in today's folder and in the other days' folders. With
    # --uit (`folder`), an Uitvoermap this computer cannot use (a Windows folder, a network
    # address: paths.foreign_folder) is not looked at: --uit is the way round it on a Mac
    # for a workbook shared with Windows (the message says so), and it was refused here
    # all the same.
    remove_stale(target)
    recovered: tuple[str, ...] = ()
    if folder is None or not foreign_folder(book.settings.output_dir):
        root = output_folder(workbook, book.settings, as_of, False).parent
        remove_stale(root, depth=2)
        # The Uitvoermap is overdracht's output folder too: a dossier a killed run left
        # aside there is put back (tempfiles.recover_staging), and the user told.
        recovered = recover_staging(root, dry_run=dry_run)
    files = _Files(target)
    try:
        made, skipped, notes = make_letters(
            book, workbook, as_of, target, plan.letters, progress, parallel=parallel, ledger=ledger
        )
        del ledger  # the plan after the letters needs a new one (new contacts, confirmations)
        job = _log(book, workbook, as_of, target, made, dry_run, write)
    except BaseException:
        files.remove_new()
        raise
    return replace(
        job,
        skipped=skipped,
        notes=recovered + notes + job.notes,
        warnings=plan.warnings,
        files=files.new_files(),
    )


def _log(
    book: Book,
    workbook: Path,
    as_of: date,
    target: Path,
    made: tuple[MadeLetter, ...],
    dry_run: bool,
    write: Callable[[Patch], object] | None,
) -> LetterJob:
    """Stage 3: the letters made, in the workbook in one write (or only planned: dry run)."""
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
        return LetterJob(target, made, True, False, plan_after)
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
        # What the write did besides (a sheet added, merged cells or a user's table on the
        # Werklijst or Overzicht removed), told with the letters' notes.
        said = apply_patch(workbook, patch).notes
    else:
        write(patch)
        said = ()
    return LetterJob(target, made, False, True, plan_after, notes=tuple(said))


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
