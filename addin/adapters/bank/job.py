"""The bank import ("eerst de bank") as one job for every front door: `debiteuren bank` and
the Excel ribbon.

`import_bank(book, paths, as_of)` reads the statements (adapters/bankfiles), matches every
line not yet in Betalingen by the ordered rules of core/matching.py, plans the book as it
will be after the import, and returns all of it as data, with the `Patch` that writes it:
a Betalingen row per allocation (the rule and its evidence in Regel, bank text always as
text, never as a formula), the payer accounts the user confirmed added to Klanten.IBAN, and
the Werklijst of the plan after. It writes nothing itself: the command line applies the
patch to the closed workbook (xlsx_patch.apply_patch), the ribbon to the open one. A file
that cannot be read raises BankFileError (Dutch message) before anything is built, so
nothing is half written. When there is nothing new the patch is empty, and applying it
changes nothing (re-importing the same file).

Example::

    result = import_bank(book, [Path("november.xml")], date(2026, 11, 24))
    result.counts  -> {"Gekoppeld": 29, "Controleren": 6, "Genegeerd": 2}
    result.payments[0].rule  -> "R3 factuurnummer: factuur 2026-017 in de omschrijving, ..."
    apply_patch(Path("Debiteuren.xlsx"), result.patch)
"""

from __future__ import annotations

import contextlib
import gc
import pickle
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import TypeVar, overload

from addin import schema
from addin.adapters.bank.files import BankFile, BankFileError, read_bank, unpack
from addin.adapters.workbook.xlsx_patch import Patch
from addin.core.bank import BankLine, other_account, other_account_warning, own_accounts
from addin.core.letter_log import werklijst_rows
from addin.core.matching import Matcher
from addin.core.model import Book, CustomerId, Payment, PaymentStatus, Plan, Warning_
from addin.core.overview import overview_rows
from addin.core.plan import plan_book
from addin.core.texts import count_text

__all__ = [
    "BankFileError",
    "BankImport",
    "PaymentRows",
    "ReadBankFiles",
    "import_bank",
    "payment_row",
    "read_alongside",
]

T = TypeVar("T")

# How many statement files a summary names before it counts the rest.
SHOWN_FILES = 5


@dataclass(frozen=True, slots=True)
class BankImport:
    """What a bank import found and would write.

    Attributes:
      lines: bank lines read from the files (new or not).
      sources: the statement files read, named as every bank message names them (the
        lines' Bron): each file given, and each file in a ZIP as "a.zip/nov.xml".
      new_lines: lines not yet in Betalingen (by Sleutel); each gives one or more rows.
      payments: the new Betalingen rows, Regel as "rule: evidence".
      learned_ibans: (Klantnummer, IBAN) confirmed by the user, to add to Klanten.IBAN.
      warnings: statements whose balances do not add up (kind "saldo-klopt-niet"), and
        files of another account than Instellingen IBAN and Eigen rekeningen (kind
        "andere-rekening", one per file and account); their lines are never Gekoppeld
        (core/matching.py, R0 saldo klopt niet, R0 andere rekening); and CSV or MT940
        lines read as Windows-1252 in a UTF-8 file (kind "gemengde-codering").
      book_after: the book with the new rows, as the plan saw it.
      plan: the plan of `book_after` on `as_of`.
      patch: the write: append Betalingen, set Klanten.IBAN, replace Werklijst; empty when
        there is nothing new.
    """

    as_of: date
    lines: int
    new_lines: int
    sources: tuple[str, ...]
    payments: tuple[Payment, ...]
    learned_ibans: tuple[tuple[CustomerId, str], ...]
    warnings: tuple[Warning_, ...]
    book_after: Book
    plan: Plan
    patch: Patch

    @property
    def files(self) -> int:
        """How many statement files were read (a ZIP counting the files in it)."""
        return len(self.sources)

    def named_files(self) -> str:
        """The statement files read, for a summary: "november.xml", "a.zip/nov.xml,
        a.zip/dec.xml"; from the sixth on counted ("... en 17 andere") rather than listed,
        for a ZIP of a year of daily statements."""
        shown = ", ".join(self.sources[:SHOWN_FILES])
        more = len(self.sources) - SHOWN_FILES
        return f"{shown} en {more} andere" if more > 0 else shown

    @property
    def counts(self) -> dict[str, int]:
        """Rows per Status, every status present: {"Gekoppeld": n, "Controleren": n, ...}."""
        found = Counter(p.status for p in self.payments)
        return {status.value: found.get(status, 0) for status in PaymentStatus}

    def summary(self, files: str) -> str:
        """The first line both front doors show, `files` saying what was read ("1 bestand",
        "november.xml"): "1 regel gelezen uit november.xml, 1 nieuw: 1 gekoppeld, ..."."""
        counts = self.counts
        return (
            f"{count_text(self.lines, 'regel', 'regels')} gelezen uit {files}, "
            f"{self.new_lines} nieuw: {counts['Gekoppeld']} gekoppeld, "
            f"{counts['Controleren']} controleren, {counts['Genegeerd']} genegeerd."
        )

    @property
    def changes(self) -> bool:
        return bool(self.patch.append or self.patch.set_cells or self.patch.replace_sheet)


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


# Betalingen's columns, each as a function of the Payment (the same values as payment_row).
_COLUMNS: dict[str, Callable[[Payment], object]] = {
    "Datum": attrgetter("date"),
    "Bedrag": attrgetter("amount"),
    "Factuur": attrgetter("invoice"),
    "Klantnummer": attrgetter("customer"),
    "Tegenrekening": attrgetter("counter_account"),
    "Naam": attrgetter("name"),
    "Omschrijving": attrgetter("description"),
    "Kenmerk": attrgetter("reference"),
    "Regel": attrgetter("rule"),
    "Status": attrgetter("status.value"),
    "Bron": attrgetter("source"),
    "Sleutel": attrgetter("key"),
}


class PaymentRows(Sequence[dict[str, object]]):
    """The Betalingen rows of `payments` (`payment_row` each), made only when asked for.

    The write-back reads them a column at a time (xlsx_patch.ColumnRows), so an import of
    655,000 transactions never holds a dict of twelve values per row; indexing one still
    gives its dict, for the Excel ribbon and for tests.
    """

    __slots__ = ("payments",)
    headers: tuple[str, ...] = tuple(_COLUMNS)

    def __init__(self, payments: Sequence[Payment]) -> None:
        self.payments = payments

    def __len__(self) -> int:
        return len(self.payments)

    @overload
    def __getitem__(self, index: int) -> dict[str, object]: ...

    @overload
    def __getitem__(self, index: slice) -> PaymentRows: ...

    def __getitem__(self, index: int | slice) -> dict[str, object] | PaymentRows:
        if isinstance(index, slice):
            return PaymentRows(self.payments[index])
        return payment_row(self.payments[index])

    def column(self, header: str) -> list[object]:
        """The values under `header`, one per row, in one pass over the payments."""
        return list(map(_COLUMNS[header], self.payments))


# Statement files up to this size in all are read while the workbook is (read_alongside);
# bigger ones after it, so the two readers' peak memory never adds up (an MT940 of 655,000
# transactions is 81 MB; 50,000 CAMT.053 entries 20 MB).
ALONGSIDE_BYTES = 32 << 20
# From this size in all they are read by a second Python process rather than in a second
# thread: the parsers hold the GIL, and so does most of reading the workbook, so in a
# thread the two took as long as one after the other (50,000 CAMT.053 entries, 20 MB: 1.5 s
# of parsing). Below it, starting a Python (0.1-0.2 s) is not worth it.
PROCESS_BYTES = 4 << 20


class ReadBankFiles:
    """Bank files read in a second thread, handed over once (`take`): after that nothing
    here holds them, so import_bank can let go of the lines as it goes."""

    def __init__(self, future: Future[list[BankFile]]) -> None:
        self._future: Future[list[BankFile]] | None = future

    def take(self) -> list[BankFile]:
        """The files, in order; raises the BankFileError of the first unreadable one."""
        future, self._future = self._future, None
        if future is None:
            raise RuntimeError("the bank files were handed over already")
        return future.result()


def read_alongside(
    paths: Sequence[Path],
    work: Callable[[], T],
    limit: int = ALONGSIDE_BYTES,
    process_from: int = PROCESS_BYTES,
    meanwhile: Callable[[], object] | None = None,
) -> tuple[T, ReadBankFiles | None]:
    """`work()` (reading the workbook) while the bank files are read beside it: by a second
    thread, which from `process_from` bytes in all has a second Python process read them
    (`_read_in_process`). Returns work's result and the files to `take` when the caller is
    ready for them (a BankFileError is raised then, as import_bank would; `take` waits for
    them, this does not); None when the files are too big to read at the same time (over
    `limit` bytes): import_bank reads them itself. The cycle collector stays off while
    both run (each reader turns it off for its many small objects; one turning it back on
    would slow the other). `meanwhile()`, if given, runs in the second thread too, while
    the process parses (the thread only waits for its answer then): a warm-up whose result
    is not needed; whatever it raises is left for the work that needs it to meet again."""
    try:
        size = sum(Path(p).stat().st_size for p in paths)
    except OSError:
        size = limit + 1  # read_bank reports it, in order
    if size > limit:
        return work(), None
    collecting = gc.isenabled()
    gc.disable()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bankbestanden")
    try:
        read = _read_in_process if size >= process_from else _read_here
        pending = pool.submit(read, paths, meanwhile)
        result = work()
    finally:
        # Not waited for here: the caller can do other work (index the book) while the
        # last of the files is read; `take` waits.
        pool.shutdown(wait=False)
        if collecting:
            gc.enable()
    return result, ReadBankFiles(pending)


def _read_here(
    paths: Sequence[Path], meanwhile: Callable[[], object] | None = None
) -> list[BankFile]:
    files = [read_bank(Path(path)) for path in paths]
    _warm_up(meanwhile)
    return files


def _warm_up(meanwhile: Callable[[], object] | None) -> None:
    if meanwhile is None:
        return
    # Only a warm-up: whatever it raises, the work that needs it meets again.
    with contextlib.suppress(Exception):
        meanwhile()


# The second process is this Python, told on its command line only what to import; the
# module path and the file names come over its stdin (files.serve_packed). Nothing of this
# process is copied (no fork) or run again there (multiprocessing's spawn would re-import
# the __main__ script), so it starts the same on Windows. os._exit: its answer is sent,
# freeing its objects would only make this process wait longer.
_READER = (
    "import os, pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
    "from addin.adapters.bank.files import serve_packed; "
    "serve_packed(sys.stdin.buffer, sys.stdout.buffer); os._exit(0)"
)


def _read_in_process(
    paths: Sequence[Path], meanwhile: Callable[[], object] | None = None
) -> list[BankFile]:
    """`_read_here(paths)`, the parsing done by a second Python process, which uses the
    other core; the same files and the same BankFileError. Where no such process can run
    (a frozen program has no Python beside it) or it ends without an answer (killed), the
    files are read here after all."""
    if getattr(sys, "frozen", False) or not sys.executable:
        return _read_here(paths, meanwhile)
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", _READER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # Windows: no console
        )
    except (OSError, ValueError):
        return _read_here(paths, meanwhile)
    with process:
        assert process.stdin is not None and process.stdout is not None
        try:
            pickle.dump(sys.path, process.stdin)
            pickle.dump([str(path) for path in paths], process.stdin)
            process.stdin.close()
            _warm_up(meanwhile)  # while the process parses; this thread would only wait
            status, answer = pickle.load(process.stdout)
        except Exception:
            # A broken pipe, a cut answer, or a garbled one (something else printed on its
            # stdout): whatever it was, the files are read here.
            status, answer = "", None
    if status == "ok":
        return [unpack(file) for file in answer]
    if status == "error":
        raise BankFileError(answer)
    return _read_here(paths)


def import_bank(
    book: Book,
    paths: Sequence[Path],
    as_of: date,
    files: ReadBankFiles | None = None,
    first_row: int = 0,
) -> BankImport:
    """Read, match and plan; the result holds the patch to write (see the module docstring).
    `files`: the bank files read already (`read_alongside`), else they are read here.
    `first_row`: the Betalingen row the first new row will be written to (xlsx_patch's
    `append_row`, live's `first_new_row`): the new rows carry their rows, so the plan's
    "controleren in Betalingen rij ..." names where they will be; 0 leaves them unnumbered.

    Raises BankFileError when any file cannot be read; nothing is matched then.
    """
    lines: list[BankLine] = []
    warnings: list[Warning_] = []
    # The book indexed for matching while the files read beside it are still coming in
    # (the other core: 0.4 s for the 100k book); files read here come first, as before,
    # so the parser's peak and the indexes never add up.
    matcher = Matcher(book, as_of) if files is not None else None
    done = files.take() if files is not None else []
    owns = own_accounts(book.settings)
    sources: list[str] = []
    for path in paths:
        read = done.pop(0) if done else read_bank(Path(path))
        lines.extend(read.lines)
        warnings.extend(read.warnings)
        sources.extend(read.names)
        if owns:
            # The accounts each statement file is for (a file may hold several statements,
            # a ZIP several files): named as the line's source, "a.zip/nov.xml" in a ZIP,
            # as the other bank messages name it.
            accounts = dict.fromkeys(map(attrgetter("source", "own_iban"), read.lines))
            warnings.extend(
                other_account_warning(source or Path(path).name, account, owns)
                for source, account in accounts
                if other_account(owns, account)
            )
        del read  # its tuple of lines would keep every BankLine alive
    del done
    read_count = len(lines)
    # The rule and its evidence go into Regel, so every match explains itself in the sheet.
    result = (matcher or Matcher(book, as_of)).match(lines, explained=True, first_row=first_row)
    del matcher
    # Each step lets go of what the next no longer needs: the bank lines once matched, the
    # matches once their rows are made. An MT940 of 655,000 transactions would otherwise
    # hold three records of every transaction at once (issue 14: peak at most 1 GB).
    del lines
    matches, learned = result.matches, tuple(result.learned_ibans)
    del result
    new = tuple(m.payment for m in matches)
    del matches
    after = replace(book, payments=book.payments + new)
    plan = plan_book(after, as_of)
    patch = _patch(book, new, learned, plan, after) if new or learned else Patch()
    return BankImport(
        as_of=as_of,
        lines=read_count,
        sources=tuple(sources),
        new_lines=len({p.key for p in new}),
        payments=new,
        learned_ibans=learned,
        warnings=tuple(warnings),
        book_after=after,
        plan=plan,
        patch=patch,
    )


def _patch(
    book: Book,
    new: tuple[Payment, ...],
    learned: tuple[tuple[CustomerId, str], ...],
    plan: Plan,
    after: Book,
) -> Patch:
    ibans: dict[str, list[str]] = {}
    for c in book.customers:
        ibans.setdefault(c.number, list(c.ibans))
    for customer, iban in learned:
        if iban not in ibans.setdefault(customer, []):
            ibans[customer].append(iban)
    return Patch(
        append=((schema.BETALINGEN.name, PaymentRows(new)),) if new else (),
        set_cells=tuple(
            (schema.KLANTEN.name, "Klantnummer", customer, {"IBAN": ", ".join(ibans[customer])})
            for customer in dict.fromkeys(c for c, _ in learned)
        ),
        replace_sheet=(
            (schema.WERKLIJST_SHEET, werklijst_rows(plan, after)),
            (schema.OVERZICHT_SHEET, overview_rows(plan, after)),
        ),
    )
