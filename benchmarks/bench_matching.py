"""Bank matching benchmark: 50,000 bank lines against 100,000 open invoices.

    python benchmarks/bench_matching.py [--regels 50000] [--facturen 100000] [--herhaal 3]

The Book is built in memory (20,000 customers with one known IBAN each, every invoice open,
one in five with an RF Betalingskenmerk); the lines are a realistic mix: invoice number in
the text (exact, partial, two invoices at once), RF reference, amount and known account
only, unknown payers and debits. Prints the median and minimum of `match_bank_lines`
(target: at most 1 s) and how many rows each rule produced. The machine's speed varies
up to 2x from minute to minute: compare versions in alternating runs, not one run each.

Example output (2-core machine, November 2026)::

    50000 regels tegen 100000 open facturen: mediaan 0.78 s, minimum 0.75 s
      R0 afschrijving          Genegeerd    2544
      R1 betalingskenmerk      Controleren  1320
      R1 betalingskenmerk      Gekoppeld    1328
      R3 factuurnummer         Controleren  12140
      R3 factuurnummer         Gekoppeld    17897
      R4 bedrag en rekening    Controleren  8854
      R6 controleren           Controleren  5917
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from addin.core.bank import BankLine
from addin.core.matching import match_bank_lines
from addin.core.model import Book, Customer, Invoice
from addin.core.references import rf_make

AS_OF = date(2026, 11, 24)


def make_case(lines: int, invoices: int, customers: int = 20_000, seed: int = 1):
    rng = random.Random(seed)
    ibans = [f"NL{10 + i % 89:02d}BANK{i:010d}" for i in range(customers)]
    custs = tuple(
        Customer(number=f"K{i:06d}", name=f"Klant {i}", ibans=(ibans[i],)) for i in range(customers)
    )
    invs = []
    for i in range(invoices):
        c = rng.randrange(customers)
        issued = AS_OF - timedelta(days=rng.randint(1, 120))
        invs.append(
            Invoice(
                number=f"2026-{i:06d}",
                customer=custs[c].number,
                invoice_date=issued,
                due_date=issued + timedelta(days=30),
                amount=Decimal(rng.randint(1_000, 500_000)) / 100,
                payment_reference=rf_make(f"{i:09d}") if i % 5 == 0 else "",
            )
        )
    book = Book(customers=custs, invoices=tuple(invs))
    iban_of = {c.number: c.ibans[0] for c in custs}
    out = []
    for k in range(lines):
        inv = invs[rng.randrange(invoices)]
        iban = iban_of[inv.customer]
        roll = rng.random()
        amount, text, ref = inv.amount, "", ""
        if roll < 0.40:
            text = f"Factuur {inv.number} dank u"
        elif roll < 0.50:
            amount, text = (inv.amount / 2).quantize(Decimal("0.01")), f"fact {inv.number}"
        elif roll < 0.60:
            other = invs[rng.randrange(invoices)]
            amount, text = inv.amount + other.amount, f"{inv.number} {other.number}"
        elif roll < 0.75:
            ref = inv.payment_reference or rf_make(f"{k:09d}")
        elif roll < 0.85:
            text = "betaling november"
        elif roll < 0.95:
            iban, text = f"NL99ONBE{k:010d}", "overboeking"
        else:
            amount, text = -amount, "kosten"
        out.append(
            BankLine(
                booked=AS_OF - timedelta(days=1),
                amount=amount,
                counter_iban=iban,
                counter_name="Betaler",
                description=text,
                reference=ref,
                key=f"b{k}",
                source="bench.xml",
            )
        )
    return book, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regels", type=int, default=50_000)
    parser.add_argument("--facturen", type=int, default=100_000)
    parser.add_argument("--herhaal", type=int, default=3)
    args = parser.parse_args()
    book, lines = make_case(args.regels, args.facturen)
    times = []
    result = None
    for _ in range(args.herhaal):
        start = time.perf_counter()
        result = match_bank_lines(book, lines, AS_OF)
        times.append(time.perf_counter() - start)
    assert result is not None
    print(
        f"{len(lines)} regels tegen {len(book.invoices)} open facturen: "
        f"mediaan {statistics.median(times):.2f} s, minimum {min(times):.2f} s"
    )
    counts = Counter((p.rule, p.status.value) for p in result.payments)
    for (rule, status), n in sorted(counts.items()):
        print(f"  {rule:24} {status:12} {n}")


if __name__ == "__main__":
    main()
