"""Write-back benchmark: append 1,000 contact-log rows beside 100,000 invoices.

    python benchmarks/bench_writeback.py [--facturen 100000] [--herhaal 5] [--openpyxl 1]

1. `apply_patch` appends 1,000 rows to tblContacten of the generated workbook (median of
   --herhaal runs, each on a fresh copy; target: at most 2 s).
2. openpyxl load + save of the same file (--openpyxl runs; about 25 s each).
3. The ratio (target: at least 5x) and the file sizes before and after.

The workbook is written once to benchmarks/out/ (ignored by git; about 30 s) and reused, the
same file bench_engine.py uses.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import AS_OF, generate_book

from addin.adapters.workbook.book_writer import write_book
from addin.adapters.workbook.xlsx_patch import Patch, apply_patch

OUT = Path(__file__).resolve().parent / "out"


def contact_rows(n: int) -> tuple[dict[str, object], ...]:
    """n contact-log rows as a letter run writes them."""
    return tuple(
        {
            "Datum": AS_OF - timedelta(days=i % 30),
            "Klantnummer": f"K{i % 20_000:05d}",
            "Facturen": f"2026-{i:05d}",
            "Kanaal": "Brief en e-mail",
            "Doel": "betaling binnen 14 dagen",
            "Vervolgdatum": AS_OF + timedelta(days=14),
            "Door": "Debiteuren",
            "Stap": "Herinnering",
            "Document": f"brieven/herinnering-{i:05d}.pdf",
        }
        for i in range(n)
    )


def workbook(invoices: int) -> Path:
    OUT.mkdir(exist_ok=True)
    customers, agreements, contacts = invoices // 5, invoices // 20, invoices // 2
    path = OUT / f"bench-{invoices}-{customers}-{agreements}-{contacts}.xlsx"
    if not path.exists():
        start = time.perf_counter()
        write_book(generate_book(invoices, customers, agreements, contacts), path)
        print(f"Werkmap geschreven: {path.name} in {time.perf_counter() - start:.1f} s")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facturen", type=int, default=100_000)
    parser.add_argument("--rijen", type=int, default=1_000)
    parser.add_argument("--herhaal", type=int, default=5)
    parser.add_argument(
        "--openpyxl", type=int, default=1, help="aantal openpyxl-runs (0: overslaan)"
    )
    args = parser.parse_args(argv)
    source = workbook(args.facturen)
    rows = contact_rows(args.rijen)
    patch = Patch(append=(("tblContacten", rows),))

    with tempfile.TemporaryDirectory() as tmp:
        times = []
        for i in range(args.herhaal):
            copy = Path(tmp) / f"run{i}.xlsx"
            shutil.copy(source, copy)
            start = time.perf_counter()
            result = apply_patch(copy, patch, backup=False)
            times.append(time.perf_counter() - start)
        patched_size = copy.stat().st_size
        append = statistics.median(times)
        verdict = "gehaald" if append <= 2.0 else "NIET gehaald"
        print(
            f"apply_patch, {args.rijen} rijen in tblContacten: mediaan {append:.3f} s, "
            f"minimum {min(times):.3f} s (doel <= 2 s: {verdict})"
        )
        print(f"  gewijzigde onderdelen: {', '.join(result.changed_parts)}")

        if args.openpyxl:
            saved = Path(tmp) / "openpyxl.xlsx"
            op_times = []
            for _ in range(args.openpyxl):
                start = time.perf_counter()
                wb = openpyxl.load_workbook(source)
                wb.save(saved)
                op_times.append(time.perf_counter() - start)
                del wb
            reference = statistics.median(op_times)
            ratio = reference / append
            verdict = "gehaald" if ratio >= 5 else "NIET gehaald"
            print(f"openpyxl laden + opslaan (zonder rijen toe te voegen): {reference:.1f} s")
            print(f"Verhouding openpyxl / apply_patch: {ratio:.0f} x (doel >= 5 x: {verdict})")
            print(f"  grootte na openpyxl: {saved.stat().st_size / 1e6:.1f} MB")
        print(
            f"Grootte: origineel {source.stat().st_size / 1e6:.1f} MB, "
            f"na apply_patch {patched_size / 1e6:.1f} MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
