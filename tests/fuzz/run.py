"""Run the fuzz cases: mutated bank files through `bank`, mutated workbooks through
`werklijst --json`, `herinneringen --proef` and `bank --proef` (issue 12), and mutated
invoice files (UBL e-invoices, open-items lists as CSV and XLSX) through `importeer`, and
mutated workbooks through controleer, overzicht, overdracht, bijwerken, the worksheet
functions, herinneringen and verstuur (`opdrachten`, commands_case).

A case fails on an uncaught exception, a traceback (Python's or a Rust panic) in the
output, an exit code other than 0/1/2, a changed workbook after exit 2 or a --proef, a file
left behind after exit 2, or more than 30 s.
Cases are numbered; case `i` of kind `k` with seed `s` is always the same input, so one
failure is reproduced with `--kind k --seed s --start i --stop i+1 --keep MAP`.

The big local run (README "Fuzzen")::

    python benchmarks/fuzz.py --bank 10000 --boeken 1000 --facturen 3000 --opdrachten 1000 --jobs 2

runs the cases in worker processes (`--worker`), each case in-process through
`addin.cli.main`; a worker that dies or hangs in C code (faulthandler stops it after
60 s) is counted as a hang for the case it was on, and a new worker goes on after it.
"""

from __future__ import annotations

import argparse
import contextlib
import faulthandler
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.fuzz.mutate import (
    mutate_bank,
    mutate_list_xlsx,
    mutate_workbook,
    mutate_workbook_texts,
    mutate_xml_texts,
)

ROOT = Path(__file__).resolve().parents[2]
BANK_FIXTURES = ROOT / "tests" / "fixtures" / "bank"
UBL_FIXTURES = ROOT / "tests" / "fixtures" / "ubl"
BASE_WORKBOOK = ROOT / "workbook" / "Voorbeeld.xlsx"
AS_OF = "2026-11-24"  # the example's reference date
CASE_SECONDS = 30  # computing time (CPU) of one command
WALL_SECONDS = 180  # and its wall time: a shared machine may be slow, a hang is for ever
TRACEBACK_MARKS = ("Traceback (most recent call last)", "panicked at", "RUST_BACKTRACE")


class CaseTimeout(BaseException):
    """Raised by the alarms when one command computes longer than CASE_SECONDS, or takes
    longer than WALL_SECONDS on the clock."""


@dataclass
class Outcome:
    """One command of one case."""

    argv: list[str]
    code: int | None
    seconds: float
    failure: str = ""  # empty: fine
    output: str = ""


@dataclass
class CaseResult:
    kind: str
    seed: int
    index: int
    mutation: str
    outcomes: list[Outcome]

    @property
    def failures(self) -> list[str]:
        return [f"{' '.join(o.argv[:1])}: {o.failure}" for o in self.outcomes if o.failure]


@contextlib.contextmanager
def _captured() -> Iterator[tuple[io.StringIO, io.StringIO, Path]]:
    """sys.stdout/err to strings, and fd 2 to a file (a Rust panic writes there)."""
    out, err = io.StringIO(), io.StringIO()
    fd, name = tempfile.mkstemp(prefix="fuzz-fd2-")
    saved = os.dup(2)
    sys.stderr.flush()
    os.dup2(fd, 2)
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        yield out, err, Path(name)
    finally:
        sys.stdout, sys.stderr = old
        os.dup2(saved, 2)
        os.close(saved)
        os.close(fd)


def _alarm(signum: int, _frame: object) -> None:
    raise CaseTimeout(signum)


def run_cli(argv: Sequence[str], seconds: float = CASE_SECONDS) -> Outcome:
    """`debiteuren ARGV` in this process; the failure is set when the case fails."""
    from addin.cli import main

    return run_guarded(list(argv), lambda: main(list(argv)), seconds)


def run_guarded(
    label: list[str], call: Callable[[], int], seconds: float = CASE_SECONDS
) -> Outcome:
    """`call()` (an exit code) in this process under the case's alarms, its output captured;
    the failure is set when the case fails. `label` names it in the outcome (an argv)."""
    start = time.perf_counter()
    code: int | None = None
    failure = ""
    # CPU time, not the clock: on a loaded machine a fine run takes long on the clock; the
    # wall alarm catches what waits without computing (a FIFO, a lock).
    old = signal.signal(signal.SIGPROF, _alarm), signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, WALL_SECONDS)
    with _captured() as (out, err, fd2):
        try:
            try:
                code = call()
            except SystemExit as exc:  # argparse
                code = exc.code if isinstance(exc.code, int) else 2
            finally:
                signal.setitimer(signal.ITIMER_PROF, 0)
                signal.setitimer(signal.ITIMER_REAL, 0)
        except CaseTimeout as exc:
            failure = (
                f"langer dan {seconds:.0f} s rekentijd"
                if exc.args and exc.args[0] == signal.SIGPROF
                else f"langer dan {WALL_SECONDS} s"
            )
        except BaseException as exc:
            import traceback

            failure = f"uncaught {type(exc).__name__}: {str(exc)[:300]}"
            err.write(traceback.format_exc())
    signal.signal(signal.SIGPROF, old[0])
    signal.signal(signal.SIGALRM, old[1])
    raw = fd2.read_text("utf-8", "replace")
    fd2.unlink()
    output = out.getvalue() + err.getvalue() + raw
    if not failure:
        if any(mark in output for mark in TRACEBACK_MARKS):
            failure = "traceback in de uitvoer"
        elif code not in (0, 1, 2):
            failure = f"exit {code}"
    return Outcome(label, code, round(time.perf_counter() - start, 3), failure, output[-4000:])


def run_process(argv: Sequence[str], seconds: float = CASE_SECONDS) -> Outcome:
    """`debiteuren ARGV` as a real process (the installed entry point's module)."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from addin.cli import main; sys.exit(main())",
                *argv,
            ],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=WALL_SECONDS,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired:
        return Outcome(list(argv), None, WALL_SECONDS, f"langer dan {WALL_SECONDS} s")
    output = proc.stdout + proc.stderr
    failure = ""
    if any(mark in output for mark in TRACEBACK_MARKS):
        failure = "traceback in de uitvoer"
    elif proc.returncode not in (0, 1, 2):
        failure = f"exit {proc.returncode}"
    return Outcome(
        list(argv), proc.returncode, round(time.perf_counter() - start, 3), failure, output[-4000:]
    )


def _rng(kind: str, seed: int, index: int) -> random.Random:
    return random.Random(f"{kind}:{seed}:{index}")


_SMALL: dict[str, bytes] = {}


def small_workbook() -> bytes:
    """A small workbook (three invoices, two customers) for the bank cases: the bank file
    is what is mutated, and reading and planning the example costs most of a case."""
    if "book" not in _SMALL:
        from addin.adapters.workbook.book_writer import write_book
        from tests.core.booktext import book
        from tests.test_cli_bank import BOOK

        with tempfile.TemporaryDirectory(prefix="fuzz-base-") as tmp:
            path = Path(tmp) / "Klein.xlsx"
            write_book(book(BOOK), path)
            _SMALL["book"] = path.read_bytes()
    return _SMALL["book"]


def bank_case(seed: int, index: int, work: Path, *, process: bool = False) -> CaseResult:
    """A mutated copy of one shipped bank fixture through `bank` (mostly --proef; one case
    in eight writes, and a refused write must leave the workbook byte-identical)."""
    rng = _rng("bank", seed, index)
    fixtures = sorted(BANK_FIXTURES.iterdir())
    fixture = rng.choice(fixtures)
    what, data = mutate_bank(rng, fixture.read_bytes())
    bank_file = work / fixture.name
    bank_file.write_bytes(data)
    book = work / "Boek.xlsx"
    book.write_bytes(small_workbook())
    writes = rng.random() < 0.125
    argv = ["bank", str(book), str(bank_file), "--datum", AS_OF, "--json"]
    if not writes:
        argv.append("--proef")
    before = book.read_bytes()
    outcome = (run_process if process else run_cli)(argv)
    if not outcome.failure and (not writes or outcome.code == 2) and book.read_bytes() != before:
        outcome.failure = "werkmap veranderd terwijl er niets gedaan is"
    return CaseResult("bank", seed, index, f"{fixture.name}: {what}", [outcome])


def _mutated_book(work: Path, mutate: Callable[[], tuple[str, bytes]]) -> tuple[str, bytes, Path]:
    """The case's workbook, Boek.xlsx in `work`: `mutate()`'s (what was done, the bytes), or
    the example itself when the mutation fails; what was done, the bytes and the path."""
    try:
        what, data = mutate()
    except Exception as exc:
        what, data = (
            f"mutation failed ({type(exc).__name__}); base workbook",
            BASE_WORKBOOK.read_bytes(),
        )
    book = work / "Boek.xlsx"
    book.write_bytes(data)
    return what, data, book


def workbook_case(seed: int, index: int, work: Path, *, process: bool = False) -> CaseResult:
    """A mutated copy of the example workbook through werklijst, herinneringen --proef (one
    case in three: making the letters costs most of a case, and they are the same letters
    whatever the mutation) and bank --proef (one case in four)."""
    rng = _rng("boek", seed, index)
    what, data, book = _mutated_book(work, lambda: mutate_workbook(rng, BASE_WORKBOOK.read_bytes()))
    run = run_process if process else run_cli
    outcomes = [run(["werklijst", str(book), "--datum", AS_OF, "--json"])]
    if rng.random() < 1 / 3:
        outcomes.append(
            run(
                ["herinneringen", str(book), "--datum", AS_OF, "--proef", "--json",
                 "--uit", str(work / "brieven")]
            )
        )  # fmt: skip
    if rng.random() < 0.25:
        fixture = rng.choice(sorted(BANK_FIXTURES.iterdir()))
        outcomes.append(run(["bank", str(book), str(fixture), "--datum", AS_OF, "--proef"]))
    for o in outcomes:
        if not o.failure and book.read_bytes() != data:
            o.failure = "werkmap veranderd door een proef"
    return CaseResult("boek", seed, index, what, outcomes)


# Open-items lists as accounting packages export them (the header dialects `importeer`
# knows, tests/test_cli_importeer_lists.py), for the small workbook's customers K1 and K2
# and a code it does not know.
LIST_HEADERS = (
    ("Factuurnummer", "Klantnummer", "Factuurdatum", "Vervaldatum", "Bedrag"),
    ("Factuur", "Relatie", "Datum", "Vervaldatum", "Openstaand"),
    ("Invoice No.", "Customer", "Invoice Date", "Due Date", "Amount"),
    ("Nummer", "Debiteur", "Boekdatum", "Vervaldag", "Saldo"),
)
LIST_ROWS = (
    ("2026-0201", "K1", "3-10-2026", "2-11-2026", "1.234,56"),
    ("2026-0202", "K2", "2026-10-05", "04-11-2026", "-50,00"),
    ("2026-0203", "K9", "6 okt 2026", "", "99,10"),
    ("2026-0101", "K1", "1-9-2026", "1-10-2026", "1210,00"),  # already in the workbook
)


def invoice_file(rng: random.Random, work: Path) -> tuple[str, Path]:
    """One invoice file to mutate: a UBL fixture, or a list written as CSV or XLSX."""
    kind = rng.randrange(4)
    if kind < 2:
        fixtures = sorted(UBL_FIXTURES.rglob("*.xml"))
        fixture = rng.choice(fixtures)
        mutate = mutate_xml_texts if kind == 0 else mutate_bank
        what, data = mutate(rng, fixture.read_bytes())
        path = work / fixture.name
        path.write_bytes(data)
        return f"{fixture.relative_to(UBL_FIXTURES)}: {what}", path
    header = rng.choice(LIST_HEADERS)
    rows = [header, *rng.sample(LIST_ROWS, rng.randint(1, len(LIST_ROWS)))]
    if kind == 2:
        sep = rng.choice((";", ",", "\t"))
        text = "\r\n".join(sep.join(row) for row in rows) + "\r\n"
        encoding = rng.choice(("utf-8", "utf-8-sig", "cp1252"))
        what, data = mutate_bank(rng, text.encode(encoding))
        path = work / "openstaande-posten.csv"
        path.write_bytes(data)
        return f"list.csv ({encoding}, {sep!r}): {what}", path
    what, data = mutate_list_xlsx(rng, rows)
    path = work / "openstaande-posten.xlsx"
    path.write_bytes(data)
    return f"list.xlsx: {what}", path


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def import_case(seed: int, index: int, work: Path, *, process: bool = False) -> CaseResult:
    """A mutated invoice file through `importeer` (mostly --proef, one case in four writes).
    Besides the general checks: a --proef or a refusal (exit 2) leaves every file as it was
    (the workbook, and no PDF put in the Factuurmap), and a write leaves a workbook that
    `werklijst` reads."""
    rng = _rng("facturen", seed, index)
    what, invoice = invoice_file(rng, work)
    book = work / "Boek.xlsx"
    book.write_bytes(small_workbook())
    writes = rng.random() < 0.25
    argv = ["importeer", str(book), str(invoice), "--json"]
    if not writes:
        argv.append("--proef")
    before = _files(work)
    run = run_process if process else run_cli
    outcome = run(argv)
    outcomes = [outcome]
    if not outcome.failure and (not writes or outcome.code == 2) and _files(work) != before:
        changed = sorted(set(_files(work).items()) ^ set(before.items()))
        outcome.failure = f"bestanden veranderd terwijl er niets gedaan is: {changed[0][0]}"
    if not outcome.failure and writes and outcome.code != 2:
        after = run(["werklijst", str(book), "--datum", AS_OF, "--json"])
        if not after.failure and after.code != 0:
            after.failure = f"de werkmap na het importeren geeft exit {after.code}"
        outcomes.append(after)
    return CaseResult("facturen", seed, index, what, outcomes)


def overdue_customers(book_path: Path) -> list[str] | None:
    """The customers with an open overdue invoice in the workbook, sorted; None when it
    cannot be read (the command under test is to say why, not this helper)."""
    try:
        from datetime import date

        from addin.adapters.workbook.reader import read_book
        from addin.core.model import Status
        from addin.core.plan import plan_book

        book, _problems = read_book(book_path)
        plan = plan_book(book, date.fromisoformat(AS_OF))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # whatever it is, the commands under test meet it too
        return None
    return sorted(
        {a.customer for a in plan.actions if a.status is Status.OVERDUE and a.open_amount > 0}
    )


def _base_overdue() -> list[str]:
    if "overdue" not in _SMALL:
        _SMALL["overdue"] = "\n".join(overdue_customers(BASE_WORKBOOK) or ()).encode()
    return _SMALL["overdue"].decode().split("\n")


def set_smtp(book: Path, port: int) -> str:
    """Verzenden via SMTP to 127.0.0.1:`port` without a user (so no password is asked), in
    the Instellingen table, through openpyxl; a description, or why it could not."""
    import openpyxl

    values = {"Verzenden via": "SMTP", "SMTP-server": "127.0.0.1", "SMTP-poort": port,
              "SMTP-beveiliging": "Geen", "SMTP-gebruiker": None,
              "SMTP-afzender": "debiteuren@example.nl"}  # fmt: skip
    try:
        wb = openpyxl.load_workbook(book)
        ws = wb["Instellingen"]
        for row in ws.iter_rows(min_row=2, max_col=2):
            if isinstance(row[0].value, str) and row[0].value in values:
                row[1].value = values[row[0].value]
        wb.save(book)
    except Exception as exc:
        return f"SMTP not set ({type(exc).__name__})"
    return "SMTP to 127.0.0.1"


def udf_case(book: Path, readable: bool) -> Outcome:
    """The worksheet functions on the workbook's tables as xlwings passes them (floats,
    datetimes, None; tests/xlwings_values.py): DEBITEUREN_PLAN on all of them, and
    INCASSOKOSTEN and WETTELIJKERENTE on each invoice's Bedrag and Vervaldatum. A function
    must return, never raise: the plan as rows of cell values, the others a finite number or
    a '#FOUT: ' text. Only for a workbook the reader takes (`readable`): python-calamine,
    the stand-in for Excel here, panics on a header-only table and aborts on a table of a
    whole sheet (which the reader refuses first); Excel passes neither that way."""
    from datetime import datetime

    from tests.xlwings_values import table_values

    if not readable:
        return Outcome(["udfs"], 0, 0.0, "", "not read: the reader refuses the workbook")
    try:
        tables = table_values(book)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # also a Rust panic in python-calamine (a BaseException)
        return Outcome(["udfs"], 0, 0.0, "", f"not read: {type(exc).__name__}")
    problems: list[str] = []

    def check_value(name: str, got: object) -> None:
        if isinstance(got, str):
            if not got.startswith("#FOUT: "):
                problems.append(f"{name} gaf tekst zonder #FOUT: {got[:80]!r}")
        elif not isinstance(got, float) or got != got or got in (float("inf"), float("-inf")):
            problems.append(f"{name} gaf {got!r}")

    def call() -> int:
        from addin import schema, udfs

        udfs._LAST_PLAN.clear()  # a remembered plan from another case answers nothing here
        as_of = datetime.fromisoformat(AS_OF)
        blocks = [tables[spec.name] for spec in schema.TABLES]
        plan = udfs.DEBITEUREN_PLAN(*blocks, as_of)
        if not isinstance(plan, list) or not all(isinstance(r, list) for r in plan):
            problems.append(f"DEBITEUREN_PLAN gaf {type(plan).__name__}")
        else:
            for row in plan:
                for cell in row:
                    if not isinstance(cell, str | float | int | bool | datetime | type(None)) or (
                        isinstance(cell, float) and not abs(cell) < float("inf")
                    ):
                        problems.append(f"DEBITEUREN_PLAN gaf een cel {cell!r}")
        invoices = tables[schema.FACTUREN.name]
        header = invoices[0] if invoices else []
        amount = header.index("Bedrag") if "Bedrag" in header else None
        due = header.index("Vervaldatum") if "Vervaldatum" in header else None
        for row in invoices[1:]:
            bedrag = row[amount] if amount is not None and amount < len(row) else None
            van = row[due] if due is not None and due < len(row) else None
            check_value("INCASSOKOSTEN", udfs.INCASSOKOSTEN(bedrag, False))
            check_value("WETTELIJKERENTE", udfs.WETTELIJKERENTE(bedrag, van, as_of, "handel"))
        return 0

    outcome = run_guarded(["udfs"], call)
    if not outcome.failure and problems:
        outcome.failure = "; ".join(sorted(set(problems))[:3])
    return outcome


def formulas(data: bytes) -> set[str]:
    """The formula texts on the workbook's sheets (as the package holds them)."""
    import re
    import zipfile

    found: set[str] = set()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            for name in package.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    text = package.read(name).decode("utf-8", "replace")
                    found.update(re.findall(r"<f(?: [^>]*)?>([^<]*)</f>", text))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        pass  # a package zipfile cannot open has no formulas it can show
    return found


# What a letter's e-mail draft may carry as headers; anything else came from a text in the
# workbook (a name, an address with a line break in it) and was let into the header block.
DRAFT_HEADERS = frozenset(
    {"from", "reply-to", "to", "cc", "bcc", "subject", "date", "message-id", "x-unsent",
     "mime-version", "content-type", "content-transfer-encoding"}
)  # fmt: skip
ADDRESS = r"[^@\s<>\"(),;:\\\[\]]+@[^@\s<>\"(),;:\\\[\]]+"


def draft_trouble(folder: Path) -> str:
    """What is wrong with the e-mail drafts (.eml) under `folder`: a header that is not a
    draft's, or a recipient that is not one plain address; "" when nothing is."""
    import re
    from email import policy
    from email.parser import BytesHeaderParser
    from email.utils import getaddresses

    for eml in sorted(folder.rglob("*.eml")):
        message = BytesHeaderParser(policy=policy.compat32).parsebytes(eml.read_bytes())
        for name in message:
            if name.casefold() not in DRAFT_HEADERS:
                return f"{eml.name}: kopregel {name!r}"
        for field in ("From", "Reply-To", "To", "Cc", "Bcc"):
            values = [str(v) for v in message.get_all(field, [])]
            for _name, address in getaddresses(values):
                if not re.fullmatch(ADDRESS, address):
                    return f"{eml.name}: {field} {address!r}"
    return ""


def zip_trouble(folder: Path) -> str:
    """What is wrong with the ZIP files under `folder` (the hand-over dossier): one that
    does not open or test clean, or a member named outside the folder it unpacks into."""
    import zipfile

    for path in sorted(folder.rglob("*.zip")):
        try:
            with zipfile.ZipFile(path) as package:
                bad = package.testzip()
                names = package.namelist()
        except (zipfile.BadZipFile, OSError) as exc:
            return f"{path.name}: {exc}"
        if bad is not None:
            return f"{path.name}: {bad} beschadigd"
        for name in names:
            if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name:
                return f"{path.name}: lid {name!r}"
    return ""


def _unchanged(book: Path, data: bytes, outcome: Outcome, why: str) -> None:
    if not outcome.failure and book.read_bytes() != data:
        outcome.failure = f"werkmap veranderd {why}"


def commands_case(seed: int, index: int, work: Path, *, process: bool = False) -> CaseResult:
    """A mutated copy of the example workbook through the commands the `boek` cases leave
    out: controleer --json, overzicht --proef --json, overdracht KLANT --proef --json (a
    customer with an open overdue invoice in the mutated book, else one of the example's),
    bijwerken --proef --json and the worksheet functions; then, on a copy, a real
    herinneringen and verstuur --proef --json, half the cases with Verzenden via SMTP to a
    port this process listens on: a --proef that connects fails. Besides the general
    checks: no --proef changes the workbook, no exit 2 changes it or leaves a file behind,
    the letter run writes no formula the workbook did not have, and its e-mail drafts carry
    only a draft's headers, each recipient one plain address (a text from the workbook never
    becomes a formula, a header or a recipient); a workbook the letter run wrote reads
    (controleer not exit 2 when the mutated one was not), and the dossier's ZIP opens clean
    with no member named outside it."""
    import shutil
    import socket

    rng = _rng("opdrachten", seed, index)

    def mutate() -> tuple[str, bytes]:
        if rng.random() < 1 / 3:  # texts aimed at the letters, their e-mails and files
            return mutate_workbook_texts(rng, BASE_WORKBOOK.read_bytes(), tuple(_base_overdue()))
        return mutate_workbook(rng, BASE_WORKBOOK.read_bytes())

    what, data, book = _mutated_book(work, mutate)
    run = run_process if process else run_cli
    overdue = overdue_customers(book)
    customers = overdue or _base_overdue()
    customer = rng.choice(customers)
    what += f"; overdracht {customer}"
    outcomes = [
        run(["controleer", str(book), "--datum", AS_OF, "--json"]),
        run(["overzicht", str(book), "--datum", AS_OF, "--proef", "--json"]),
    ]
    dossier = work / "dossier"
    handover = run(["overdracht", str(book), customer, "--datum", AS_OF, "--proef", "--json",
                    "--uit", str(dossier)])  # fmt: skip
    if not handover.failure and handover.code == 2 and _files(work) != {"Boek.xlsx": data}:
        handover.failure = "bestand achtergelaten na exit 2"
    if not handover.failure:
        handover.failure = zip_trouble(dossier)
    outcomes += [
        handover,
        run(["bijwerken", str(book), "--datum", AS_OF, "--proef", "--json"]),
        udf_case(book, overdue is not None),
    ]
    for o in outcomes:
        _unchanged(book, data, o, "door een proef of een controle")

    # The letters for verstuur: a real herinneringen on a copy in its own folder (the
    # Uitvoermap is relative to the workbook).
    # Two folders deep, so a letter written outside its Uitvoermap (a customer number such as
    # '../../x' in its file name) shows up in `work`.
    copy_dir = work / "binnen" / "kopie"
    copy_dir.mkdir(parents=True)
    copy = copy_dir / "Boek.xlsx"
    shutil.copy(book, copy)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.setblocking(False)
        if rng.random() < 0.5:
            what += "; " + set_smtp(copy, server.getsockname()[1])
        before = _files(copy_dir)
        letters = run(["herinneringen", str(copy), "--datum", AS_OF, "--json"])
        if not letters.failure and letters.code == 2 and _files(copy_dir) != before:
            changed = sorted(set(_files(copy_dir).items()) ^ set(before.items()))
            letters.failure = f"bestanden veranderd na exit 2: {changed[0][0]}"
        if not letters.failure and letters.code in (0, 1):
            written = formulas(copy.read_bytes()) - formulas(data)
            trouble = draft_trouble(copy_dir)
            if written:
                letters.failure = f"formule geschreven: {sorted(written)[0][:80]!r}"
            elif trouble:
                letters.failure = f"e-mailconcept: {trouble[:200]}"
        reread: list[Outcome] = []
        if not letters.failure and letters.code in (0, 1) and outcomes[0].code in (0, 1):
            # The written workbook still reads as well as the one it was made from.
            after = run(["controleer", str(copy), "--datum", AS_OF, "--json"])
            if not after.failure and after.code == 2:
                after.failure = "de werkmap na de brieven geeft exit 2"
            reread.append(after)
        before = _files(copy_dir)
        send = run(["verstuur", str(copy), "--datum", AS_OF, "--proef", "--json"])
        if not send.failure and _files(copy_dir) != before:
            changed = sorted(set(_files(copy_dir).items()) ^ set(before.items()))
            send.failure = f"bestanden veranderd door een proef: {changed[0][0]}"
        with contextlib.suppress(BlockingIOError):
            server.accept()[0].close()
            if not send.failure:
                send.failure = "verbinding met de mailserver bij --proef"
    outcomes += [letters, *reread, send]
    stray = [
        name
        for name in _files(work)
        if name != "Boek.xlsx" and not name.startswith(("dossier/", "binnen/kopie/"))
    ]
    if stray and not any(o.failure for o in outcomes):
        letters.failure = f"bestand buiten de uitvoermap: {stray[0]}"
    return CaseResult("opdrachten", seed, index, what, outcomes)


CASES = {
    "bank": bank_case,
    "boek": workbook_case,
    "facturen": import_case,
    "opdrachten": commands_case,
}


def run_cases(
    kind: str, seed: int, start: int, stop: int, *, process: bool = False
) -> Iterator[CaseResult]:
    """Cases start..stop-1 of `kind`, each in a fresh temporary folder."""
    for index in range(start, stop):
        with tempfile.TemporaryDirectory(prefix=f"fuzz-{kind}-") as tmp:
            yield CASES[kind](seed, index, Path(tmp), process=process)


# -- the big run: workers, each a process that reports every case as a JSON line --------------


def _worker(kind: str, seed: int, start: int, stop: int) -> None:
    # A hang in C code never returns to the interpreter's alarm: stop the whole worker then.
    for index in range(start, stop):
        print(json.dumps({"begin": index}), flush=True)
        faulthandler.dump_traceback_later(3 * WALL_SECONDS, exit=True)
        with tempfile.TemporaryDirectory(prefix=f"fuzz-{kind}-") as tmp:
            result = CASES[kind](seed, index, Path(tmp))
        faulthandler.cancel_dump_traceback_later()
        data = asdict(result)
        for o in data["outcomes"]:
            if not o["failure"]:
                o["output"] = ""
        print(json.dumps({"end": index, "result": data}), flush=True)


def _run_shard(kind: str, seed: int, start: int, stop: int, log: Path) -> dict[str, object]:
    """Run cases start..stop-1 in worker processes, restarting after a dead worker."""
    failures: list[dict[str, object]] = []
    hangs: list[int] = []
    done = 0
    slowest = (0.0, -1, "")  # seconds, case, command
    index = start
    with log.open("a", encoding="utf-8") as record:
        while index < stop:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.fuzz.run", "--worker", "--kind", kind,
                 "--seed", str(seed), "--start", str(index), "--stop", str(stop)],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                cwd=ROOT,
            )  # fmt: skip
            current = index
            assert proc.stdout is not None
            for line in proc.stdout:
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if "begin" in msg:
                    current = msg["begin"]
                    continue
                result = msg["result"]
                done += 1
                if done % 50 == 0:  # progress, for a run of hours: cases done per shard
                    with log.with_suffix(".voortgang").open("a", encoding="utf-8") as note:
                        note.write(f"{kind} {start}-{stop}: {done} gedaan, "
                                   f"{len(failures)} mislukt, {len(hangs)} vast\n")  # fmt: skip
                slowest = max(
                    [slowest]
                    + [(o["seconds"], result["index"], o["argv"][0]) for o in result["outcomes"]]
                )
                if any(o["failure"] for o in result["outcomes"]):
                    failures.append(result)
                    record.write(json.dumps(result, ensure_ascii=False) + "\n")
                    record.flush()
                current = msg["end"] + 1
            proc.wait()
            if current < stop:  # the worker died on case `current`
                hangs.append(current)
                record.write(json.dumps({"kind": kind, "seed": seed, "index": current,
                                         "dood": proc.returncode}) + "\n")  # fmt: skip
                done += 1
                current += 1
            index = current
    return {"cases": done, "failures": failures, "hangs": hangs, "slowest": slowest}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bank", type=int, default=0, help="aantal gemuteerde bankbestanden")
    parser.add_argument("--boeken", type=int, default=0, help="aantal gemuteerde werkmappen")
    parser.add_argument(
        "--facturen", type=int, default=0, help="aantal gemuteerde factuurbestanden (importeer)"
    )
    parser.add_argument(
        "--opdrachten",
        type=int,
        default=0,
        help="aantal gemuteerde werkmappen door controleer, overzicht, overdracht, bijwerken, "
        "de werkbladfuncties, herinneringen en verstuur",
    )
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--start", type=int, default=0, help="eerste case (herhalen)")
    parser.add_argument("--jobs", type=int, default=2, help="parallelle werkprocessen")
    parser.add_argument("--log", type=Path, default=Path("fuzz-fouten.jsonl"))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kind", choices=sorted(CASES), help=argparse.SUPPRESS)
    parser.add_argument("--stop", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.kind, args.seed, args.start, args.stop)
        return 0
    from concurrent.futures import ThreadPoolExecutor

    shards: list[tuple[str, int, int]] = []
    counts = (
        ("bank", args.bank),
        ("boek", args.boeken),
        ("facturen", args.facturen),
        ("opdrachten", args.opdrachten),
    )
    for kind, count in counts:
        size = -(-count // args.jobs) if count else 0
        for first in range(args.start, args.start + count, max(size, 1)):
            shards.append((kind, first, min(first + size, args.start + count)))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(
            pool.map(lambda s: (s[0], _run_shard(s[0], args.seed, s[1], s[2], args.log)), shards)
        )
    total = {kind: [0, 0, 0, (0.0, -1, "")] for kind in CASES}
    for kind, r in results:
        t = total[kind]
        t[0] += r["cases"]  # type: ignore[operator]
        t[1] += len(r["failures"])  # type: ignore[arg-type]
        t[2] += len(r["hangs"])  # type: ignore[arg-type]
        t[3] = max(t[3], r["slowest"])  # type: ignore[type-var]
    seconds = time.perf_counter() - started
    for kind, (cases, failed, hung, (slow, case, command)) in total.items():
        if cases:
            print(f"{kind}: {cases} cases, {failed} mislukt, {hung} vastgelopen of gestorven, "
                  f"traagste commando {slow:.1f} s ({command}, case {case})")  # fmt: skip
    print(f"tijd {seconds:.0f} s, seed {args.seed}, fouten in {args.log}")
    return 1 if any(t[1] or t[2] for t in total.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
