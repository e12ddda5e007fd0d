"""Engine and reader benchmarks for issue 2, printing figures and ratios.

    python benchmarks/bench_engine.py [--facturen 100000] [--herhaal 5]

1. Planning: `plan_book` on an in-memory Book of 100,000 invoices, 20,000 customers,
   5,000 arrangements and 50,000 contacts (target: at most 1 s).
2. Reading: `read_book` on that Book written as .xlsx, against python-calamine alone reading
   the same tables with `to_python()` (target: at most 1.5 x).

Each figure is the median of --herhaal runs (the minimum is printed too: on a shared
2-core machine the minimum is the best estimate of the code's own cost). The speed of this
machine varies up to 2x from minute to minute, so the engine's time is also printed as a
ratio to python-calamine reading the same book, which moves with the machine. The workbook is
written once to benchmarks/out/ (ignored by git) and reused while its size matches.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from python_calamine import CalamineWorkbook

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import AS_OF, generate_book

from addin import schema
from addin.adapters.workbook.book_writer import write_book
from addin.adapters.workbook.reader import read_book
from addin.core.plan import plan_book

OUT = Path(__file__).resolve().parent / "out"


def timed(func: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median, minimum) wall-clock seconds of `repeat` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
        del result  # freeing what a caller keeps is the caller's cost: after the clock
    return statistics.median(times), min(times)


def calamine_alone(path: Path) -> None:
    """What python-calamine itself needs: open the file and load every table's rows."""
    wb = CalamineWorkbook.from_path(str(path), load_tables=True)
    names = {n.casefold(): n for n in wb.table_names}
    for spec in schema.TABLES:
        name = names.get(spec.name.casefold())
        if name is not None:
            wb.get_table_by_name(name).to_python()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facturen", type=int, default=100_000)
    parser.add_argument("--klanten", type=int, default=20_000)
    parser.add_argument("--afspraken", type=int, default=5_000)
    parser.add_argument("--contacten", type=int, default=50_000)
    parser.add_argument("--herhaal", type=int, default=5)
    args = parser.parse_args(argv)
    as_of: date = AS_OF

    book = generate_book(args.facturen, args.klanten, args.afspraken, args.contacten)
    size = f"{len(book.invoices)} facturen, {len(book.customers)} klanten, "
    size += f"{len(book.agreements)} afspraken, {len(book.contacts)} contacten, "
    size += f"{len(book.payments)} betalingen"
    print(f"Boek: {size}")

    median, best = timed(lambda: plan_book(book, as_of), args.herhaal)
    verdict = "gehaald" if median <= 1.0 else "NIET gehaald"
    print(
        f"Planning (engine):      mediaan {median:.3f} s, minimum {best:.3f} s  "
        f"(doel <= 1,0 s: {verdict})"
    )

    OUT.mkdir(exist_ok=True)
    path = OUT / f"bench-{args.facturen}-{args.klanten}-{args.afspraken}-{args.contacten}.xlsx"
    if not path.exists():
        start = time.perf_counter()
        write_book(book, path)
        print(
            f"Werkmap geschreven:     {path.name} in {time.perf_counter() - start:.1f} s "
            f"({path.stat().st_size / 1e6:.1f} MB)"
        )

    read_median, read_best = timed(lambda: read_book(path), args.herhaal)
    cal_median, cal_best = timed(lambda: calamine_alone(path), args.herhaal)
    ratio = read_median / cal_median
    verdict = "gehaald" if ratio <= 1.5 else "NIET gehaald"
    print(f"Lezen (read_book):      mediaan {read_median:.3f} s, minimum {read_best:.3f} s")
    print(f"Lezen (calamine alleen): mediaan {cal_median:.3f} s, minimum {cal_best:.3f} s")
    print(
        f"Verhouding lezen/calamine: {ratio:.2f} x (minima {read_best / cal_best:.2f} x; "
        f"doel <= 1,5 x: {verdict})"
    )
    print(
        f"Planning / calamine alleen: {median / cal_median:.2f} x (maat voor deze machine: "
        f"de snelheid van deze gedeelde machine wisselt tot 2 x per minuut)"
    )
    read, problems = read_book(path)
    assert len(read.invoices) == len(book.invoices), "the reader lost invoices"
    assert not problems, problems[:3]
    return 0


if __name__ == "__main__":
    sys.exit(main())
