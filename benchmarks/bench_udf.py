"""The worksheet side of issue 6: one =DEBITEUREN_PLAN call for the whole workbook.

    python benchmarks/bench_udf.py [--facturen 5000] [--herhaal 7]

Excel hands the array function every table as values (header first, numbers as float, dates
as datetime, empty cells as None); the call reads them into a Book, plans every invoice and
returns one row per invoice. The tables are written to a real .xlsx and read back in the
form xlwings passes (tests/xlwings_values.py), then the call is timed with its memo cleared
(a real recalculation after an edit) and once more with the memo warm (Excel calling the
same formula again in one recalculation). Target: the whole-plan call for 5,000 invoices
well under a second. For scale it also prints what per-row UDFs would cost at the lowest
per-call time reported for classic xlwings (3.8 ms, notes/EXCEL.md).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generate import AS_OF, generate_book

from addin import schema, udfs
from addin.adapters.workbook.book_writer import write_book
from tests.xlwings_values import as_xlwings, table_values

OUT = Path(__file__).resolve().parent / "out"
PER_ROW_UDF_SECONDS = 0.0038  # the lowest classic xlwings per-call cost reported (#1976)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facturen", type=int, default=5_000)
    parser.add_argument("--herhaal", type=int, default=7)
    args = parser.parse_args(argv)
    n = args.facturen
    book = generate_book(
        invoices=n, customers=max(n // 5, 1), agreements=max(n // 20, 1), contacts=n // 2
    )
    OUT.mkdir(exist_ok=True)
    path = OUT / f"udf-{n}.xlsx"
    if not path.exists():
        write_book(book, path)
    tables = table_values(path)
    arguments = [tables[spec.name] for spec in schema.TABLES]
    peildatum = as_xlwings(AS_OF)
    print(
        f"Werkmap: {len(book.invoices)} facturen, {len(book.customers)} klanten, "
        f"{len(book.agreements)} afspraken, {len(book.contacts)} contacten, "
        f"{len(book.payments)} betalingen"
    )

    cold: list[float] = []
    for _ in range(args.herhaal):
        udfs._LAST_PLAN.clear()
        start = time.perf_counter()
        rows = udfs.DEBITEUREN_PLAN(*arguments, peildatum)
        cold.append(time.perf_counter() - start)
    assert len(rows) == len(book.invoices) + 1, "one row per invoice plus the header"
    fresh = copy.deepcopy(arguments)  # Excel passes new lists with equal values each call
    start = time.perf_counter()
    again = udfs.DEBITEUREN_PLAN(*fresh, peildatum)
    warm = time.perf_counter() - start
    assert again is rows

    median, best = statistics.median(cold), min(cold)
    verdict = "gehaald" if median < 1.0 else "NIET gehaald"
    print(
        f"=DEBITEUREN_PLAN (herberekening): mediaan {median:.3f} s, minimum {best:.3f} s, "
        f"{median / n * 1e6:.0f} us per factuur (doel: ruim onder 1 s: {verdict})"
    )
    print(f"Dezelfde waarden nog eens (uit het geheugen): {warm * 1000:.1f} ms")
    per_row = n * PER_ROW_UDF_SECONDS
    print(
        f"Ter vergelijking: {n} losse UDF-aanroepen van 3,8 ms = {per_row:.0f} s "
        f"({per_row / median:.0f} x zo lang)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
