"""Letter throughput (issue 4): complete letters per second, from the plan to the files.

    python benchmarks/bench_letters.py [--brieven 300]

Each letter is a reminder for one overdue invoice whose Factuur-pdf is a real 1-page PDF
(appended and stamped KOPIE), plus its .eml; both cores are used for runs of 20 letters or
more. Target: at least 50 letters per second.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from reportlab.pdfgen import canvas

from addin.adapters.documents.letter_job import make_letters
from addin.core.model import Book, Customer, Invoice, Segment, Settings
from addin.core.plan import plan_book

AS_OF = date(2026, 11, 24)


def book(n: int) -> Book:
    customers = tuple(
        Customer(f"K{i:05d}", f"Klant {i} B.V.", address=f"Straat {i}", postcode="1234 AB",
                 city="Utrecht", email=f"k{i}@example.nl", segment=Segment.C)
        for i in range(n)
    )  # fmt: skip
    invoices = tuple(
        Invoice(f"2026-{i:05d}", f"K{i:05d}", AS_OF - timedelta(days=60),
                Decimal("1210.00") + i, due_date=AS_OF - timedelta(days=20),
                description="Onderhoud installatie", pdf=f"facturen/{i:05d}.pdf")
        for i in range(n)
    )  # fmt: skip
    settings = Settings(
        company_name="Bench B.V.",
        address="Laan 1",
        postcode="1000 AA",
        city="Amsterdam",
        iban="NL91ABNA0417164300",
        email="info@bench.nl",
    )
    return Book(settings=settings, customers=customers, invoices=invoices)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brieven", type=int, default=300)
    parser.add_argument("--herhaal", type=int, default=3)
    args = parser.parse_args(argv)
    b = book(args.brieven)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "facturen").mkdir()
        original = root / "facturen" / "origineel.pdf"
        c = canvas.Canvas(str(original))
        for line in range(40):
            c.drawString(72, 760 - 15 * line, f"Factuurregel {line}: onderhoud, 1 x 30,25")
        c.save()
        for i in range(args.brieven):
            (root / "facturen" / f"{i:05d}.pdf").write_bytes(original.read_bytes())
        workbook = root / "Debiteuren.xlsx"
        tasks = plan_book(b, AS_OF).letters
        assert len(tasks) == args.brieven, len(tasks)
        rates = []
        for k in range(args.herhaal):
            start = time.perf_counter()
            made, _skipped, _notes = make_letters(b, workbook, AS_OF, root / f"uit{k}", tasks)
            seconds = time.perf_counter() - start
            assert len(made) == args.brieven
            rates.append(args.brieven / seconds)
    best, median = max(rates), statistics.median(rates)
    verdict = "gehaald" if median >= 50 else "NIET gehaald"
    print(
        f"{args.brieven} brieven (PDF met origineel als KOPIE, plus .eml): "
        f"mediaan {median:.0f} brieven/s, beste {best:.0f} brieven/s (doel >= 50: {verdict})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
