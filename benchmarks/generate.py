"""A big, deterministic Book for benchmarks: 100,000 invoices of 20,000 customers by default.

The mix resembles a real ledger on the plan date: 14 months of invoices, most paid through the
bank (Betalingen rows with Status Gekoppeld), a few paid in cash (Betaald), credit notes,
disputes, manual overrides, customers in insolvency, unreviewed bank lines, promises and
arrangements, and a contact log whose letters carry their ladder Stap. The same arguments
give the same Book (one random.Random(seed), no clock).

Example::

    $ python benchmarks/generate.py /tmp/groot.xlsx
    100000 facturen, 20000 klanten, 5000 afspraken, 50000 contacten -> /tmp/groot.xlsx
    (maken 2.9 s, schrijven 25.3 s)

    >>> book = generate_book(invoices=1_000, customers=200, agreements=50, contacts=500)
    >>> len(book.invoices), len(book.customers)
    (1000, 200)
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from addin.adapters.workbook.book_writer import write_book
from addin.core.ladder_default import DEFAULT_STEPS
from addin.core.model import (
    Agreement,
    AgreementKind,
    Book,
    Channel,
    Contact,
    ContactPerson,
    Customer,
    CustomerKind,
    Interval,
    Invoice,
    Outcome,
    Payment,
    PaymentStatus,
    Role,
    Settings,
    Special,
)

AS_OF = date(2026, 11, 24)  # the example's reference date (a Tuesday, a call day)
HISTORY_DAYS = 425  # about 14 months of invoices before the plan date

_STREETS = ("Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Industrieweg", "Havenkade")
_CITIES = ("Utrecht", "Amersfoort", "Zwolle", "Deventer", "Arnhem", "Breda", "Tilburg", "Leiden")
_FIRST = ("Jan", "Anna", "Pieter", "Sanne", "Mark", "Fleur", "Kees", "Lotte", "Bram", "Eva")
_LAST = ("de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "de Boer")
_KINDS = ("Bouw", "Installatie", "Transport", "Advies", "Techniek", "Handel")
_LETTERS = "ABCDEGHJKLMNPRSTVWXZ"
_OWNERS = ("Marieke", "Joost", "Ingrid", "Ahmed")
_WRITTEN_STEPS = [s.name for s in DEFAULT_STEPS if s.channel.is_written]


def _iban(rng: random.Random) -> str:
    """A Dutch IBAN with right check digits (ISO 13616, mod 97), as real bank data has: with
    random check digits every customer became a problem that each command built and printed."""
    rng.randint(10, 99)  # the random draw the check digits once were: the rest stays as it was
    bban = f"RABO0{rng.randint(100_000_000, 999_999_999)}"
    digits = "".join(str(int(ch, 36)) for ch in bban + "NL00")
    return f"NL{98 - int(digits) % 97:02d}{bban}"


def generate_book(
    invoices: int = 100_000,
    customers: int = 20_000,
    agreements: int = 5_000,
    contacts: int = 50_000,
    seed: int = 1,
    as_of: date = AS_OF,
) -> Book:
    """A Book of the given size with a realistic mix of invoice states on `as_of`."""
    rng = random.Random(seed)
    settings = Settings(
        company_name="Benchmark B.V.",
        address="Voorbeeldlaan 1",
        postcode="3511 AA",
        city="Utrecht",
        kvk="12345678",
        vat_number="NL001234560B01",
        # The account bankfiles.py's statements are of (OWN_IBAN): `bank` routes the lines
        # of another account's statement to Controleren (R0 andere rekening).
        iban="NL44RABO0123456789",
        bic="RABONL2U",
        email="debiteuren@benchmark.example",
        collection_agency="Incasso Nederland B.V., Postbus 1, 3500 AA Utrecht",
    )

    custs: list[Customer] = []
    persons: list[ContactPerson] = []
    for i in range(1, customers + 1):
        number = f"K{i:06d}"
        consumer = rng.random() < 0.25
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        name = f"{first} {last}" if consumer else f"{last.split()[-1]} {rng.choice(_KINDS)} B.V."
        roll = rng.random()
        custs.append(
            Customer(
                number=number,
                name=name,
                kind=CustomerKind.CONSUMER if consumer else CustomerKind.BUSINESS,
                address=f"{rng.choice(_STREETS)} {rng.randint(1, 250)}",
                postcode=f"{rng.randint(1000, 9999)} {rng.choice(_LETTERS)}{rng.choice(_LETTERS)}",
                city=rng.choice(_CITIES),
                country="Nederland",
                email=f"info@{number.lower()}.nl",
                phone=f"06-{rng.randint(10_000_000, 99_999_999)}",
                term_days=rng.choice((14, 45, 60)) if roll < 0.1 else None,
                owner=rng.choice(_OWNERS),
                automatic=rng.random() > 0.03,
                ibans=(_iban(rng),),
                special=(Special.BANKRUPTCY if roll > 0.998 else None),
            )
        )
        if not consumer:
            persons.append(
                ContactPerson(number, f"{first} {last}", rng.choice(tuple(Role)), custs[-1].phone)
            )

    invs: list[Invoice] = []
    pays: list[Payment] = []
    open_invoices: list[Invoice] = []
    for i in range(1, invoices + 1):
        cust = custs[rng.randrange(customers)]
        inv_date = as_of - timedelta(days=rng.randint(0, HISTORY_DAYS))
        term = cust.term_days or settings.default_term_days
        due = inv_date + timedelta(days=term)
        amount = Decimal(rng.randint(2_500, 600_000)) / 100
        roll = rng.random()
        kwargs: dict[str, object] = {}
        if roll < 0.02:
            amount = -amount / 4  # credit note
        elif roll < 0.03:
            kwargs["dispute"] = "levering onvolledig"
        elif roll < 0.035:
            kwargs["own_action"] = "Klant bezoeken"
            kwargs["own_action_date"] = as_of + timedelta(days=rng.randint(0, 20))
        amount = amount.quantize(Decimal("0.01"))
        inv = Invoice(
            number=f"F{i:07d}",
            customer=cust.number,
            invoice_date=inv_date,
            due_date=due,
            amount=amount,
            description="Levering en montage",
            **kwargs,  # type: ignore[arg-type]
        )
        # Older invoices are mostly paid; recent ones mostly open.
        age = (as_of - inv_date).days
        p_paid = 0.95 if age > 120 else 0.6 if age > 45 else 0.25
        paid_roll = rng.random()
        if amount > 0 and paid_roll < p_paid:
            paid_on = min(as_of - timedelta(days=1), due + timedelta(days=rng.randint(-10, 40)))
            paid_on = max(paid_on, inv_date)
            if paid_roll < 0.02:
                inv = replace(inv, paid=amount)  # paid in cash
            else:
                pays.append(
                    Payment(
                        date=paid_on,
                        amount=amount,
                        status=PaymentStatus.LINKED,
                        invoice=inv.number,
                        customer=cust.number,
                        counter_account=cust.ibans[0],
                        name=cust.name,
                        description=inv.number,
                        reference=inv.number,
                        rule="kenmerk",
                        source="bank.xml",
                        key=f"B{len(pays) + 1:07d}",
                    )
                )
        elif amount > 0:
            open_invoices.append(inv)
        invs.append(inv)

    # Unreviewed bank lines: one in 200 open invoices.
    for inv in open_invoices[::200]:
        pays.append(
            Payment(
                date=as_of - timedelta(days=1),
                amount=inv.amount,
                status=PaymentStatus.REVIEW,
                counter_account=_iban(rng),
                name="Onbekend",
                description="betaling",
                source="bank.xml",
                key=f"B{len(pays) + 1:07d}",
            )
        )

    overdue = [inv for inv in open_invoices if inv.due_date and inv.due_date < as_of]
    agrs: list[Agreement] = []
    for i in range(1, min(agreements, len(overdue)) + 1):
        inv = overdue[rng.randrange(len(overdue))]
        agreed = as_of - timedelta(days=rng.randint(1, 40))
        promise = rng.random() < 0.6
        agrs.append(
            Agreement(
                id=f"A{i:06d}",
                customer=inv.customer,
                kind=AgreementKind.PROMISE if promise else AgreementKind.ARRANGEMENT,
                first_date=agreed + timedelta(days=rng.randint(3, 30)),
                invoices=(inv.number,),
                agreed_on=agreed,
                amount=inv.amount,
                instalments=1 if promise else rng.randint(2, 6),
                interval=Interval.MONTH,
                confirmation_sent=agreed if rng.random() < 0.7 else None,
            )
        )

    cons: list[Contact] = []
    for _ in range(contacts if overdue else 0):
        inv = overdue[rng.randrange(len(overdue))]
        assert inv.due_date is not None
        day = min(as_of - timedelta(days=1), inv.due_date + timedelta(days=rng.randint(2, 60)))
        if rng.random() < 0.5:
            step = rng.choice(_WRITTEN_STEPS)
            cons.append(
                Contact(
                    day,
                    inv.customer,
                    Channel.LETTER_AND_EMAIL,
                    (inv.number,),
                    goal="betaling",
                    by="Debiteuren",
                    step=step,
                )
            )
        else:
            outcome = rng.choice(tuple(Outcome))
            cons.append(
                Contact(
                    day,
                    inv.customer,
                    Channel.PHONE,
                    (inv.number,),
                    outcome=outcome,
                    by=rng.choice(_OWNERS),
                )
            )
    cons.sort(key=lambda c: c.date)

    return Book(
        settings=settings,
        customers=tuple(custs),
        contact_persons=tuple(persons),
        invoices=tuple(invs),
        agreements=tuple(agrs),
        contacts=tuple(cons),
        payments=tuple(pays),
        steps=DEFAULT_STEPS,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Schrijf een groot testwerkboek.")
    parser.add_argument("out", help="het .xlsx-bestand dat wordt gemaakt")
    parser.add_argument("--facturen", type=int, default=100_000)
    parser.add_argument("--klanten", type=int, default=20_000)
    parser.add_argument("--afspraken", type=int, default=5_000)
    parser.add_argument("--contacten", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--datum", type=date.fromisoformat, default=AS_OF)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    book = generate_book(
        args.facturen, args.klanten, args.afspraken, args.contacten, args.seed, args.datum
    )
    built = time.perf_counter()
    write_book(book, args.out)
    done = time.perf_counter()
    print(
        f"{args.facturen} facturen, {args.klanten} klanten, {args.afspraken} afspraken, "
        f"{args.contacten} contacten -> {args.out} "
        f"(maken {built - start:.1f} s, schrijven {done - built:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
