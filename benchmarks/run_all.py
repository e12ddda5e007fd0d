"""Every user-facing command as a whole process on the big workbook, beside the floor.

Usage: ``python benchmarks/run_all.py [--facturen 100000] [--herhaal 3] [--alleen NAAM ...]``

Makes (or reuses, cached in benchmarks/out/ until the code that makes them changes) the
workbook `generate.py` makes with its defaults and seed (other sizes scale customers,
agreements and contacts with it), a CAMT.053 of 50,000 lines and an MT940 of 655,000
transactions that pay its invoices (`bankfiles.py`). Then it runs each command as its own
process, `--herhaal` times (the slow ones fewer), and prints one Markdown table: the median
wall time, the ratio to the floor, the peak memory (the command with every process it
starts: the larger of the kernel's rusage and the summed resident size of the process tree,
sampled every 10 ms on Linux, so the bank reader process and the letter workers count) and
the target with whether it is met. The floor is a process that only reads every sheet with
python-calamine, measured in the same run (before and after the commands) so a busy minute
shows as a slow floor too. Writes go to copies in benchmarks/out/; the workbook itself is
never changed.

Two rows are not whole processes, because their targets are not: `plan_book` (the
engine alone, on the Book `generate_book` makes, in memory) and setting 5,000 Afspraken
cells in one write-back (`apply_patch`, timed inside one process). `plan_book` is timed from
the call to its return; freeing the plan afterwards is the caller's cost and is left out.

Example output (abridged)::

    | wat | mediaan | t.o.v. vloer | piekgeheugen | doel | gehaald |
    | vloer: python-calamine leest elk blad | 1.80 s | 1.00x | 167 MB | | |
    | `werklijst --json` | 2.60 s | 1.44x | 390 MB | <= 1.6x vloer, <= 2.5x geheugen | ja |
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

AS_OF = "2026-11-24"  # generate.AS_OF
CAMT_LINES = 50_000
MT940_TRANSACTIONS = 655_000
ING_ROWS = 374_000  # the ING export of issue 14's complaint: 1.5 GB read whole

FLOOR = """
import sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
for name in wb.sheet_names:
    wb.get_sheet_by_name(name).to_python()
"""

PLAN = """
import gc, json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from generate import generate_book
from addin.core.plan import plan_book
n, repeat = int(sys.argv[2]), int(sys.argv[3])
book = generate_book(n, max(1, n // 5), max(1, n // 20), max(1, n // 2))
plan_book(book, __import__("generate").AS_OF)  # warm: holidays, caches
times = []
for _ in range(repeat):
    start = time.perf_counter()
    plan = plan_book(book, __import__("generate").AS_OF)
    times.append(time.perf_counter() - start)
    # A caller keeps the plan it asked for: freeing it (about 20 ms at 100,000 invoices) is
    # the caller's cost, not plan_book's, so it happens after the clock stops.
    del plan
    gc.collect()
print(json.dumps(times))
"""

READ_BANK = """
import sys
from addin.adapters.bank.files import read_bank
print(len(read_bank(sys.argv[1]).lines))
"""

CELLS = """
import json, sys, time
from datetime import date
from python_calamine import CalamineWorkbook
from addin.adapters.workbook.xlsx_patch import Patch, apply_patch
path, count = sys.argv[1], int(sys.argv[2])
rows = CalamineWorkbook.from_path(path).get_sheet_by_name("Afspraken").to_python()[1:]
ids = [r[0] for r in rows][:count]
edits = tuple(("tblAfspraken", "Afspraak", i, {"Status": "loopt"}) for i in ids)
start = time.perf_counter()
apply_patch(path, Patch(set_cells=edits), backup=False)
print(json.dumps({"seconds": time.perf_counter() - start, "cells": len(edits)}))
"""


@dataclass
class Run:
    """The measurements of one row of the table."""

    label: str
    times: list[float] = field(default_factory=list)
    peaks: list[int] = field(default_factory=list)  # KB
    note: str = ""
    failed: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.times) if self.times else float("nan")

    @property
    def peak_mb(self) -> float:
        return max(self.peaks) / 1024 if self.peaks else float("nan")


class TreeMemory(threading.Thread):
    """The peak of the summed resident size (KB) of a process and all its descendants,
    sampled from /proc every `interval` seconds while it runs (Linux; elsewhere 0).

    The kernel's `ru_maxrss` is one process's peak (of a process and its children, the
    largest): a command that reads its bank file in a second process, or makes letters in
    workers, uses the sum. Sampling can miss a peak shorter than the interval, so `measure`
    reports the larger of the two; the sum counts shared library pages once per process, so
    it errs high."""

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = 0
        self.done = threading.Event()
        self.page_kb = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4

    def tree(self) -> list[int]:
        pids, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                with contextlib.suppress(OSError):  # the thread or process has just ended
                    todo.extend(int(c) for c in task.read_text().split())
        return pids

    def sample(self) -> int:
        total = 0
        for pid in self.tree():
            with contextlib.suppress(OSError, IndexError, ValueError):  # ended meanwhile
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self.page_kb
        return total

    def run(self) -> None:
        if not Path("/proc/self/statm").exists():
            return
        while not self.done.wait(self.interval):
            self.peak = max(self.peak, self.sample())


def measure(
    argv: Sequence[str], stdout: Path | None = None, cwd: Path = OUT
) -> tuple[float, int, int]:
    """(wall seconds, peak memory in KB of the process with its descendants, exit code).

    `os.wait4` gives the rusage of this child alone (getrusage(RUSAGE_CHILDREN) would be the
    maximum over every child so far). Its `ru_maxrss` is at least this process's resident
    size when the child was spawned, which is why `inputs` builds the inputs elsewhere.
    `TreeMemory` adds what the command's own child processes hold at the same time.
    """
    out = stdout.open("wb") if stdout else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, cwd=cwd)
        tree = TreeMemory(proc.pid)
        tree.start()
        assert proc.stderr is not None
        err = proc.stderr.read()
        tree.done.set()
        tree.join()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        cpu = usage.ru_utime + usage.ru_stime
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if stdout:
            out.close()  # type: ignore[union-attr]
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} -> {proc.returncode}: {err.decode()[-2000:]}")
    print(
        f"    ({cpu:.2f} s CPU; piek proces {usage.ru_maxrss / 1024:.0f} MB,"
        f" met subprocessen {tree.peak / 1024:.0f} MB)",
        file=sys.stderr,
        flush=True,
    )
    return wall, max(usage.ru_maxrss, tree.peak), proc.returncode


def repeat(run: Run, times: int, argv: Callable[[int], Sequence[str]], **kwargs: object) -> Run:
    for k in range(times):
        try:
            wall, peak, _ = measure(argv(k), **kwargs)  # type: ignore[arg-type]
        except RuntimeError as exc:
            run.failed = str(exc)
            print(f"  MISLUKT: {exc}", file=sys.stderr)
            return run
        run.times.append(wall)
        run.peaks.append(peak)
        print(f"  {run.label}: {wall:.2f} s, {peak / 1024:.0f} MB", file=sys.stderr, flush=True)
    return run


# --- inputs --------------------------------------------------------------------------------


def input_paths(invoices: int) -> tuple[Path, Path, Path, Path]:
    """Where the workbook, the CAMT.053, the MT940 and the ING CSV of this size are kept."""
    return (
        OUT / f"groot-{invoices}.xlsx",
        OUT / f"camt053-{CAMT_LINES}-{invoices}.xml",
        OUT / f"mt940-{MT940_TRANSACTIONS}-{invoices}.sta",
        OUT / f"ing-{ING_ROWS}-{invoices}.csv",
    )


# The code that decides the inputs' bytes: when any of it changes, inputs kept from before
# are made again (a new workbook now holds what the writer adds, say).
MAKERS = (
    HERE / "generate.py",
    HERE / "bankfiles.py",
    ROOT / "addin" / "schema.py",
    ROOT / "addin" / "core" / "model.py",
    ROOT / "addin" / "adapters" / "workbook" / "book_writer.py",
    ROOT / "addin" / "adapters" / "workbook" / "xlsx_patch.py",
)


def makers_digest() -> str:
    digest = hashlib.sha256()
    for path in MAKERS:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs(invoices: int) -> tuple[Path, Path, Path, Path]:
    """The inputs, made once (in a child process) and kept in benchmarks/out/, with a stamp
    of the code that made them (`MAKERS`); made again when that code has changed.

    They are made in a process of their own so that this one stays small: a child's peak
    memory as the kernel reports it (`ru_maxrss`) starts at its parent's resident size when
    it is spawned (fork or vfork, then exec), so a parent that had built a 100,000-invoice
    Book would lend every command's row (even `--help`) its own few hundred MB.
    """
    OUT.mkdir(exist_ok=True)
    paths = input_paths(invoices)
    stamp, digest = OUT / f"invoer-{invoices}.sha256", makers_digest()
    if not stamp.exists() or stamp.read_text().strip() != digest:
        for path in paths:
            path.unlink(missing_ok=True)
    if not all(path.exists() for path in paths):
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--maak-invoer",
             "--facturen", str(invoices)],
            check=True,
        )  # fmt: skip
    stamp.write_text(digest + "\n")
    return paths


def make_inputs(invoices: int) -> None:
    """Write the missing inputs (run in its own process by `inputs`)."""
    workbook, camt, mt, ing = input_paths(invoices)
    import bankfiles
    import generate

    book = generate.generate_book(
        invoices, max(1, invoices // 5), max(1, invoices // 20), max(1, invoices // 2)
    )
    if not workbook.exists():
        print(f"werkmap maken: {workbook}", file=sys.stderr)
        partial = workbook.with_suffix(".deels.xlsx")
        generate.write_book(book, partial)
        partial.replace(workbook)
    if not camt.exists():
        bankfiles.camt053(camt, book, CAMT_LINES)
    if not mt.exists():
        bankfiles.mt940(mt, book, MT940_TRANSACTIONS)
    if not ing.exists():
        bankfiles.ing_csv(ing, book, ING_ROWS)


def compiled() -> None:
    """Byte-compile the package, as an installed one is: with PYTHONDONTWRITEBYTECODE set
    (as on the development machine) and an editable install, every command would otherwise
    compile its modules from source again (0.05-0.15 s of each command's start)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "addin")], check=True)


def copy_of(workbook: Path, name: str) -> Path:
    target = OUT / "kopie" / name
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(workbook, target)
    shutil.rmtree(OUT / "kopie" / ".debiteuren-backup", ignore_errors=True)
    return target


def letters_made(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.pdf")) if folder.exists() else 0


# --- the table -----------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("ja" if ok else "**nee**")


def row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facturen", type=int, default=100_000)
    parser.add_argument("--herhaal", type=int, default=3, help="herhalingen per opdracht")
    parser.add_argument("--alleen", nargs="*", default=None,
                        help="alleen deze metingen (help, json, tekst, controleer, proef, "
                             "brieven, camt, mt940-lezen, ing-lezen, mt940, plan, "
                             "cellen)")  # fmt: skip
    parser.add_argument("--maak-invoer", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.maak_invoer:
        make_inputs(args.facturen)
        return 0
    wanted = set(args.alleen or ())

    def on(name: str) -> bool:
        return not wanted or name in wanted

    k = max(1, args.herhaal)
    once = max(1, k // 3)  # the slow commands
    workbook, camt, mt, ing = inputs(args.facturen)
    compiled()
    py = sys.executable
    cli = [py, "-m", "addin.cli"]
    day = ["--datum", AS_OF]
    book = str(workbook)

    floor = Run("vloer: python-calamine leest elk blad")
    repeat(floor, k, lambda _: [py, "-c", FLOOR, book])
    runs: dict[str, Run] = {}
    if on("help"):
        runs["help"] = repeat(Run("`debiteuren --help`"), k, lambda _: [*cli, "--help"])
    if on("json"):
        runs["json"] = repeat(
            Run("`werklijst --json`"), k, lambda _: [*cli, "werklijst", book, *day, "--json"]
        )
    if on("tekst"):
        runs["tekst"] = repeat(
            Run("`werklijst` (tekst)"), k, lambda _: [*cli, "werklijst", book, *day]
        )
    if on("controleer"):
        runs["controleer"] = repeat(
            Run("`controleer`"), k, lambda _: [*cli, "controleer", book, *day]
        )
    if on("proef"):
        folder = OUT / "brieven-proef"

        def proef(_: int) -> list[str]:
            shutil.rmtree(folder, ignore_errors=True)
            return [*cli, "herinneringen", book, *day, "--proef", "--uit", str(folder)]

        run = repeat(Run("`herinneringen --proef`"), once, proef)
        run.note = f"{letters_made(folder)} brieven"
        runs["proef"] = run
    if on("brieven"):
        folder = OUT / "brieven"

        def brieven(n: int) -> list[str]:
            shutil.rmtree(folder, ignore_errors=True)
            target = copy_of(workbook, f"brieven-{n}.xlsx")
            return [*cli, "herinneringen", str(target), *day, "--uit", str(folder)]

        run = repeat(Run("`herinneringen` (schrijft in een kopie)"), once, brieven)
        run.note = f"{letters_made(folder)} brieven"
        runs["brieven"] = run
    if on("camt"):

        def bank_camt(n: int) -> list[str]:
            target = copy_of(workbook, f"bank-{n}.xlsx")
            return [*cli, "bank", str(target), str(camt), *day]

        runs["camt"] = repeat(
            Run(f"`bank` CAMT.053, {CAMT_LINES:,} regels (schrijft in een kopie)"), k, bank_camt
        )
    if on("mt940-lezen"):
        runs["mt940-lezen"] = repeat(
            Run(f"MT940 van {MT940_TRANSACTIONS:,} transacties lezen (`read_bank`)"),
            once,
            lambda _: [py, "-c", READ_BANK, str(mt)],
        )
    if on("ing-lezen"):
        runs["ing-lezen"] = repeat(
            Run(f"ING-CSV van {ING_ROWS:,} regels lezen (`read_bank`)"),
            once,
            lambda _: [py, "-c", READ_BANK, str(ing)],
        )
    if on("mt940"):
        runs["mt940"] = repeat(
            Run(f"`bank --proef` MT940, {MT940_TRANSACTIONS:,} transacties"),
            once,
            lambda _: [*cli, "bank", book, str(mt), *day, "--proef"],
        )
    if on("plan"):
        out = OUT / "plan.json"
        plan = Run(f"`plan_book` van {args.facturen:,} facturen (in het geheugen)")
        repeat(plan, 1, lambda _: [py, "-c", PLAN, str(HERE), str(args.facturen), str(max(k, 5))],
               stdout=out)  # fmt: skip
        if not plan.failed:
            plan.times = json.loads(out.read_text())
            plan.peaks = []
        runs["plan"] = plan
    if on("cellen"):
        out = OUT / "cellen.json"
        cells = Run("5.000 cellen in Afspraken zetten (`apply_patch`)")
        times = []
        for n in range(k):
            target = copy_of(workbook, f"cellen-{n}.xlsx")
            repeat(cells, 1, lambda _, t=target: [py, "-c", CELLS, str(t), "5000"], stdout=out)
            if cells.failed:
                break
            result = json.loads(out.read_text())
            times.append(result["seconds"])
            cells.note = f"{result['cells']} cellen"
        cells.times, cells.peaks = times, []
        runs["cellen"] = cells
    repeat(floor, k, lambda _: [py, "-c", FLOOR, book])

    print(report(floor, runs, args.facturen))
    return 0


def report(floor: Run, runs: dict[str, Run], invoices: int) -> str:
    base, base_mb = floor.median, floor.peak_mb
    lines = [
        f"Gemeten op {datetime.now():%Y-%m-%d %H:%M} met `python benchmarks/run_all.py"
        f" --facturen {invoices}`: {platform.node() or 'machine'}, {cpu_name()}, "
        f"{os.cpu_count()} kernen, Python {platform.python_version()}, "
        f"belasting {os.getloadavg()[0]:.1f} bij het einde. Mediaan van de herhalingen; "
        "piekgeheugen van het commando met zijn subprocessen.",
        "",
        row(("wat", "mediaan", "t.o.v. vloer", "piekgeheugen", "doel", "gehaald")),
        row(("---", "---:", "---:", "---:", "---", "---")),
        row((floor.label, f"{base:.2f} s", "1.00x", f"{base_mb:.0f} MB", "", "")),
    ]
    for key, run in runs.items():
        if run.failed:
            lines.append(row((run.label, "mislukt", "", "", target_text(key), "**nee**")))
            continue
        ratio = run.median / base
        target, ok = target_of(key, run, ratio, base_mb)
        mem = f"{run.peak_mb:.0f} MB" if run.peaks else ""
        show_ratio = f"{ratio:.2f}x" if key not in ("plan", "cellen", "help") else ""
        median = f"{run.median:.2f} s"
        if run.note:
            median += f" ({run.note})"
        lines.append(row((run.label, median, show_ratio, mem, target, verdict(ok))))
    return "\n".join(lines)


TARGETS = {
    "help": "<= 0.2 s",
    "json": "<= 1.6x vloer; geheugen <= 2.5x vloer",
    "tekst": "",
    "controleer": "<= 1.2x vloer",
    "proef": "",
    "brieven": ">= 50 brieven/s",
    "camt": "<= 3x vloer",
    "mt940": "piek <= 1 GB",
    "mt940-lezen": "piek <= 1 GB",
    "ing-lezen": "piek <= 1 GB",
    "plan": "mediaan <= 0.5 s",
    "cellen": "<= 1 s",
}


def target_text(key: str) -> str:
    return TARGETS.get(key, "")


def target_of(key: str, run: Run, ratio: float, floor_mb: float) -> tuple[str, bool | None]:
    text = target_text(key)
    if key == "help":
        return text, run.median <= 0.2
    if key == "json":
        return f"{text} ({run.peak_mb / floor_mb:.1f}x)", ratio <= 1.6 and (
            run.peak_mb <= 2.5 * floor_mb
        )
    if key == "controleer":
        return text, ratio <= 1.2
    if key == "brieven":
        letters = int(run.note.split()[0]) if run.note else 0
        rate = letters / run.median if run.median else 0.0
        return f"{text} ({rate:.0f}/s)", rate >= 50
    if key == "camt":
        return text, ratio <= 3
    if key in ("mt940", "mt940-lezen", "ing-lezen"):
        return text, run.peak_mb <= 1024
    if key == "plan":
        return text, run.median <= 0.5
    if key == "cellen":
        return text, run.median <= 1.0
    return text, None


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "onbekende processor"


if __name__ == "__main__":
    sys.exit(main())
