"""Big, deterministic bank statements that pay the invoices of a generated Book.

`camt053(path, book, lines)` writes one CAMT.053 statement with `lines` booked entries;
`mt940(path, book, transactions)` writes an MT940 file of daily statements of 1,000
transactions each (Rabobank-style structured :86:); `ing_csv(path, book, rows)` ING's CSV
export (Dutch, eleven columns, newest first, 1,000 rows a day). All add up (opening balance plus the
entries is the closing balance), so the balance check runs without warnings. The mix: 45%
pay an open invoice in full naming it in the description, 15% pay half of one, 15% name
nothing but come from the customer's known IBAN, 15% come from an unknown account, 10% are
debits (costs). The same Book and count always give the same bytes.

Example::

    >>> from generate import generate_book
    >>> import tempfile, pathlib
    >>> book = generate_book(invoices=200, customers=40, agreements=5, contacts=20)
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> camt053(folder / "a.xml", book, 10) > 0, mt940(folder / "a.sta", book, 10) > 0
    (True, True)
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

from addin.core.model import Book

OWN_IBAN = "NL44RABO0123456789"  # check digits right, so readers take it as an IBAN
STATEMENT_SIZE = 1_000  # MT940: transactions per daily statement


def _payments(book: Book, count: int, seed: int = 7) -> Iterator[tuple[Decimal, str, str, str]]:
    """(signed amount, counter IBAN, counter name, description) for `count` lines."""
    rng = random.Random(seed)
    customers = {c.number: c for c in book.customers}
    unpaid = [i for i in book.invoices if i.amount > 0] or list(book.invoices)
    for n in range(count):
        inv = unpaid[rng.randrange(len(unpaid))]
        cust = customers.get(inv.customer)
        iban = cust.ibans[0] if cust and cust.ibans else f"NL{10 + n % 89:02d}INGB{n:010d}"
        name = cust.name if cust else "Onbekend"
        roll = rng.random()
        if roll < 0.45:
            yield inv.amount, iban, name, f"Factuur {inv.number}"
        elif roll < 0.60:
            half = (inv.amount / 2).quantize(Decimal("0.01"))
            yield half, iban, name, f"deelbetaling {inv.number}"
        elif roll < 0.75:
            yield inv.amount, iban, name, "betaling november"
        elif roll < 0.90:
            yield inv.amount, f"NL99ONBE{n:010d}", "Particulier", "overboeking"
        else:
            yield -Decimal(rng.randint(100, 20_000)) / 100, "", "Bank", "kosten"


def camt053(path: Path, book: Book, lines: int, booked: date = date(2026, 11, 23)) -> int:
    """Write the statement; return its size in bytes."""
    payments = list(_payments(book, lines))
    opening = Decimal("100000.00")
    closing = opening + sum((p[0] for p in payments), Decimal(0))
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
            "<GrpHdr><MsgId>BENCH</MsgId></GrpHdr><Stmt><Id>BENCH</Id>"
            f"<Acct><Id><IBAN>{OWN_IBAN}</IBAN></Id></Acct>\n"
            f'<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{opening}</Amt>'
            "<CdtDbtInd>CRDT</CdtDbtInd></Bal>\n"
            f'<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{abs(closing)}'
            f"</Amt><CdtDbtInd>{'CRDT' if closing >= 0 else 'DBIT'}</CdtDbtInd></Bal>\n"
        )
        for n, (amount, iban, name, text) in enumerate(payments):
            credit = amount >= 0
            party, account = ("Dbtr", "DbtrAcct") if credit else ("Cdtr", "CdtrAcct")
            acct = f"<{account}><Id><IBAN>{iban}</IBAN></Id></{account}>" if iban else ""
            out.write(
                f'<Ntry><Amt Ccy="EUR">{abs(amount)}</Amt>'
                f"<CdtDbtInd>{'CRDT' if credit else 'DBIT'}</CdtDbtInd><Sts>BOOK</Sts>"
                f"<BookgDt><Dt>{booked.isoformat()}</Dt></BookgDt>"
                f"<AcctSvcrRef>REF{n:08d}</AcctSvcrRef><NtryDtls><TxDtls><Refs>"
                f"<EndToEndId>E2E{n}</EndToEndId></Refs><RltdPties><{party}><Nm>"
                f"{escape(name)}</Nm></{party}>{acct}</RltdPties><RmtInf><Ustrd>{escape(text)}"
                "</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n"
            )
        out.write("</Stmt></BkToCstmrStmt></Document>\n")
    return path.stat().st_size


def _comma_amount(amount: Decimal) -> str:
    """Without its sign, with a decimal comma, as MT940 and ING's CSV write it."""
    return f"{abs(amount):.2f}".replace(".", ",")


def mt940(path: Path, book: Book, transactions: int, last: date = date(2026, 11, 23)) -> int:
    """Write the file; return its size in bytes."""
    payments = list(_payments(book, transactions))
    statements = max(1, -(-len(payments) // STATEMENT_SIZE))
    balance = Decimal("100000.00")
    with path.open("w", encoding="utf-8") as out:
        for s in range(statements):
            day = last - timedelta(days=statements - 1 - s)
            chunk = payments[s * STATEMENT_SIZE : (s + 1) * STATEMENT_SIZE]
            yymmdd = day.strftime("%y%m%d")
            out.write(
                f":20:940S{s:06d}\n:25:{OWN_IBAN} EUR\n:28C:{s + 1:05d}\n"
                f":60F:{'C' if balance >= 0 else 'D'}{yymmdd}EUR{_comma_amount(balance)}\n"
            )
            for n, (amount, iban, name, text) in enumerate(chunk, start=s * STATEMENT_SIZE):
                sign = "C" if amount >= 0 else "D"
                out.write(
                    f":61:{yymmdd}{yymmdd[2:]}{sign}{_comma_amount(amount)}NTRFNONREF//B{n:09d}\n"
                    f"{iban}\n"
                    f":86:/EREF/E2E{n}/NAME/{name}/REMI/{text}\n"
                )
                balance += amount
            out.write(f":62F:{'C' if balance >= 0 else 'D'}{yymmdd}EUR{_comma_amount(balance)}\n")
            out.write("-\n")
    return path.stat().st_size


ING_OWN_IBAN = "NL69INGB0123456789"


def ing_csv(path: Path, book: Book, rows: int, last: date = date(2026, 11, 23)) -> int:
    """ING's Dutch CSV export (semicolons, eleven columns with the balance after each row),
    newest first as ING lists it; return its size in bytes."""
    payments = list(_payments(book, rows))
    days = max(1, -(-len(payments) // STATEMENT_SIZE))
    balance = Decimal("100000.00")
    lines = []
    for n, (amount, iban, name, text) in enumerate(payments):
        day = last - timedelta(days=days - 1 - n // STATEMENT_SIZE)
        balance += amount
        direction, code, kind = ("Bij", "OV", "Overschrijving") if amount >= 0 else (
            "Af", "IC", "Incasso"
        )  # fmt: skip
        lines.append(
            f'"{day:%Y%m%d}";"{name}";"{ING_OWN_IBAN}";"{iban}";"{code}";"{direction}";'
            f'"{_comma_amount(amount)}";"{kind}";"Naam: {name} Omschrijving: {text} IBAN: '
            f'{iban} Valutadatum: {day:%d-%m-%Y}";"{"-" if balance < 0 else ""}'
            f'{_comma_amount(balance)}";""\n'
        )
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '"Datum";"Naam / Omschrijving";"Rekening";"Tegenrekening";"Code";"Af Bij";'
            '"Bedrag (EUR)";"Mutatiesoort";"Mededelingen";"Saldo na mutatie";"Tag"\n'
        )
        out.writelines(reversed(lines))
    return path.stat().st_size
