"""Checks across tables: each a small function returning problems, listed in `CHECKS`.

The reader reports what is wrong inside a cell; these report what is wrong between rows
and tables (a duplicate invoice number, a customer number nobody knows). Each problem names
sheet, row and column. The engine plans only the first row of each invoice number with
a known customer (`Ledger.build`); these checks tell the user about the others.

Example::

    Facturen row 14 repeats invoice number 2026-017 from row 9
    -> Problem(CellRef("Facturen", 14, "Factuurnummer"),
               "Factuurnummer 2026-017 staat ook op rij 9; deze rij wordt overgeslagen")
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from itertools import chain
from typing import Any

from addin import schema
from addin.core.addresses import address_errors
from addin.core.company_ids import kvk_error, vat_error
from addin.core.model import Book, CellRef, Problem
from addin.core.references import iban_is_valid

Check = Callable[[Book, date], list[Problem]]

F, K, A, C, B, P, S = (
    schema.FACTUREN,
    schema.KLANTEN,
    schema.AFSPRAKEN,
    schema.CONTACTEN,
    schema.BETALINGEN,
    schema.CONTACTPERSONEN,
    schema.STAPPEN,
)


def _ref(spec: schema.TableSpec, row: int, field: str) -> CellRef:
    return CellRef(spec.sheet, row, spec.column(field).header)


def check_duplicate_customers(book: Book, as_of: date) -> list[Problem]:
    seen: dict[str, int] = {}
    out = []
    for c in book.customers:
        if c.number in seen:
            out.append(
                Problem(
                    _ref(K, c.row, "number"),
                    f"Klantnummer {c.number} staat ook op rij {seen[c.number]}; "
                    "de gegevens van die eerste rij worden gebruikt",
                )
            )
        else:
            seen[c.number] = c.row
    return out


def check_invoice_rows(book: Book, as_of: date) -> list[Problem]:
    """Per Facturen row: a repeated number, an unknown customer, a due date before the
    invoice date (one pass: this runs over every invoice of large books)."""
    known = {c.number for c in book.customers}
    invoices = book.invoices
    numbers = [inv.number for inv in invoices]
    if (
        len(set(numbers)) == len(numbers)
        and {inv.customer for inv in invoices} <= known
        and not any(i.due_date is not None and i.due_date < i.invoice_date for i in invoices)
    ):
        return []  # the usual case: no per-row loop in Python (measured 25% faster)
    seen: dict[str, int] = {}
    out = []
    for inv in invoices:
        first = seen.get(inv.number)
        if first is not None:
            out.append(
                Problem(
                    _ref(F, inv.row, "number"),
                    f"Factuurnummer {inv.number} staat ook op rij {first}; "
                    "deze rij wordt overgeslagen",
                )
            )
        else:
            seen[inv.number] = inv.row
        if inv.customer not in known:
            out.append(
                Problem(
                    _ref(F, inv.row, "customer"),
                    f"Klantnummer {inv.customer} van factuur {inv.number} staat niet in "
                    "Klanten; deze factuur wordt overgeslagen",
                )
            )
        if inv.due_date is not None and inv.due_date < inv.invoice_date:
            out.append(
                Problem(
                    _ref(F, inv.row, "due_date"),
                    f"Vervaldatum van factuur {inv.number} ligt voor de factuurdatum",
                )
            )
    return out


def _unknown_customer(
    spec: schema.TableSpec, rows: Sequence[Any], known: set[str], what: str
) -> list[Problem]:
    if {r.customer for r in rows} <= known:
        return []  # the usual case, decided without building anything per row
    return [
        Problem(
            _ref(spec, r.row, "customer"), f"Klantnummer {r.customer} staat niet in Klanten; {what}"
        )
        for r in rows
        if r.customer not in known
    ]


def check_other_customers(book: Book, as_of: date) -> list[Problem]:
    known = {c.number for c in book.customers}
    return (
        _unknown_customer(A, book.agreements, known, "deze afspraak telt niet mee")
        + _unknown_customer(
            C, book.contacts, known, "dit contact telt alleen mee voor de genoemde facturen"
        )
        + _unknown_customer(
            P, book.contact_persons, known, "deze contactpersoon wordt niet gebruikt"
        )
    )


def check_invoice_references(book: Book, as_of: date) -> list[Problem]:
    # Lists rather than generators: C fills the sets (these run over whole tables).
    numbers = set([inv.number for inv in book.invoices])
    numbers.add("")
    referenced = set(chain.from_iterable([a.invoices for a in book.agreements]))
    referenced.update(chain.from_iterable([c.invoices for c in book.contacts]))
    referenced.update([p.invoice for p in book.payments])
    if referenced <= numbers:
        return []  # the usual case, decided with set operations
    out = []
    for a in book.agreements:
        for n in a.invoices:
            if n not in numbers:
                out.append(
                    Problem(
                        _ref(A, a.row, "invoices"),
                        f"Factuur {n} van afspraak {a.id} staat niet in Facturen",
                    )
                )
    for c in book.contacts:
        for n in c.invoices:
            if n not in numbers:
                out.append(
                    Problem(_ref(C, c.row, "invoices"), f"Factuur {n} staat niet in Facturen")
                )
    for p in book.payments:
        if p.invoice and p.invoice not in numbers:
            out.append(
                Problem(
                    _ref(B, p.row, "invoice"),
                    f"Factuur {p.invoice} staat niet in Facturen; deze betaling telt nergens mee",
                )
            )
    return out


def check_step_names(book: Book, as_of: date) -> list[Problem]:
    seen: dict[str, int] = {}
    out = []
    for s in book.steps:
        key = " ".join(s.name.split()).casefold()
        if key in seen:
            out.append(
                Problem(
                    _ref(S, s.row, "name"),
                    f"Stap '{s.name}' staat ook op rij {seen[key]}; "
                    "een gelogde stap is dan niet eenduidig",
                )
            )
        else:
            seen[key] = s.row
    return out


def check_email_addresses(book: Book, as_of: date) -> list[Problem]:
    """Every E-mail cell holds addresses separated by ; and nothing else (no names, commas,
    line breaks): outside text never becomes a recipient or a header. The letter is still
    made as PDF; only its e-mail draft goes without that address."""
    out = []
    for spec, rows in ((K, book.customers), (P, book.contact_persons)):
        header = spec.column("email").header
        for row in rows:
            if row.email:
                errors = address_errors(row.email)
                if errors:
                    ref = CellRef(spec.sheet, row.row, header)
                    out += [Problem(ref, message) for message in errors]
    if book.settings.email:
        ref = CellRef(schema.INSTELLINGEN.sheet, None, "E-mail")
        out += [Problem(ref, message) for message in address_errors(book.settings.email)]
    return out


def check_customer_ibans(book: Book, as_of: date) -> list[Problem]:
    """A customer's IBAN with wrong check digits: the bank import would never recognise it
    (reported, never refused: the letters do not use it)."""
    header = K.column("ibans").header
    return [
        Problem(
            CellRef(K.sheet, c.row, header),
            f"IBAN '{iban}' van klant {c.number} is geen geldig IBAN (de controlecijfers "
            "kloppen niet); controleer het nummer",
        )
        for c in book.customers
        for iban in c.ibans
        if not iban_is_valid(iban)
    ]


def check_customer_company_ids(book: Book, as_of: date) -> list[Problem]:
    """A customer's KvK-nummer that is not 8 digits, or a BTW-nummer whose form or check
    digits are wrong (core/company_ids.py): the invoice import would not recognise the
    customer by it (reported, never refused)."""
    out = []
    for c in book.customers:
        if not (c.kvk or c.vat_number):
            continue
        for field, what, value, error in (
            ("kvk", "KvK-nummer", c.kvk, kvk_error(c.kvk)),
            ("vat_number", "BTW-nummer", c.vat_number, vat_error(c.vat_number)),
        ):
            if error is not None:
                out.append(
                    Problem(
                        _ref(K, c.row, field),
                        f"{what} '{value}' van klant {c.number} klopt niet: {error}",
                    )
                )
    return out


CHECKS: tuple[Check, ...] = (
    check_duplicate_customers,
    check_invoice_rows,
    check_other_customers,
    check_invoice_references,
    check_step_names,
    check_email_addresses,
    check_customer_ibans,
    check_customer_company_ids,
)


def run_checks(book: Book, as_of: date) -> tuple[Problem, ...]:
    out: list[Problem] = []
    for check in CHECKS:
        out.extend(check(book, as_of))
    return tuple(out)
