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

from collections.abc import Callable, Collection, Container, Iterable, Sequence
from datetime import date
from itertools import chain, compress, repeat
from operator import attrgetter, is_not, lt
from typing import Any

from addin import schema
from addin.core.addresses import address_errors, all_plain
from addin.core.bank import own_accounts
from addin.core.company_ids import compact, kvk_error, vat_error
from addin.core.ledger import Ledger
from addin.core.model import Basis, Book, CellRef, Problem
from addin.core.references import all_ibans_valid, iban_is_valid

# (book, plan date, the plan's ledger or None): with a ledger a check reuses its indexes
# instead of building them again; `controleer` runs the checks without one (it plans nothing).
Check = Callable[[Book, date, Ledger | None], list[Problem]]

F, K, A, C, B, P, S = (
    schema.FACTUREN,
    schema.KLANTEN,
    schema.AFSPRAKEN,
    schema.CONTACTEN,
    schema.BETALINGEN,
    schema.CONTACTPERSONEN,
    schema.STAPPEN,
)


_NUMBER, _CUSTOMER, _EMAIL = attrgetter("number"), attrgetter("customer"), attrgetter("email")


def _ref(spec: schema.TableSpec, row: int, field: str) -> CellRef:
    return CellRef(spec.sheet, row, spec.column(field).header)


def _not_in(book: Book, spec: schema.TableSpec, number: str) -> str:
    """'staat niet in Klanten', or, when the reader skipped that row for a problem of its
    own (a customer without Naam), that it is there but skipped: the user sees it there."""
    if (spec.name, number) in book.skipped:
        return f"staat in {spec.sheet} op een rij die is overgeslagen (zie de melding daar)"
    return f"staat niet in {spec.sheet}"


def _known_customers(book: Book, ledger: Ledger | None) -> Collection[str]:
    """Every customer number in Klanten (the ledger's index has them all as keys)."""
    return ledger.customers if ledger is not None else set(map(_NUMBER, book.customers))


def check_duplicate_customers(book: Book, as_of: date, ledger: Ledger | None) -> list[Problem]:
    if len(_known_customers(book, ledger)) == len(book.customers):
        return []  # every number once: the usual case
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


def _due_before_invoice_date(invoices: Sequence[Any]) -> bool:
    """Whether some invoice's Vervaldatum lies before its invoice date, decided in C (map
    over the columns): this runs over every invoice of large books. An empty Vervaldatum
    (None) cannot be compared, so only then are the rows with one left out first."""
    stated = list(map(attrgetter("due_date"), invoices))
    try:
        return any(map(lt, stated, map(attrgetter("invoice_date"), invoices)))
    except TypeError:  # None < date: some Vervaldatum is empty
        filled = list(map(is_not, stated, repeat(None)))
        issued = map(attrgetter("invoice_date"), invoices)
        return any(map(lt, compress(stated, filled), compress(issued, filled)))


def check_invoice_rows(book: Book, as_of: date, ledger: Ledger | None) -> list[Problem]:
    """Per Facturen row: a repeated number, an unknown customer, a due date before the
    invoice date (one pass: this runs over every invoice of large books)."""
    known = _known_customers(book, ledger)
    invoices = book.invoices
    if ledger is not None:
        usable = ledger.all_usable  # decided while indexing
    else:
        numbers = list(map(_NUMBER, invoices))
        usable = len(set(numbers)) == len(numbers) and all(
            map(known.__contains__, map(_CUSTOMER, invoices))
        )
    if usable and not _due_before_invoice_date(invoices):
        return []  # the usual case: no per-row loop in Python
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
                    f"Klantnummer {inv.customer} van factuur {inv.number} "
                    f"{_not_in(book, K, inv.customer)}; deze factuur wordt overgeslagen",
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
    book: Book, spec: schema.TableSpec, rows: Sequence[Any], known: Container[str], what: str
) -> list[Problem]:
    if all(map(known.__contains__, map(_CUSTOMER, rows))):
        return []  # the usual case, decided in C without building anything per row
    return [
        Problem(
            _ref(spec, r.row, "customer"),
            f"Klantnummer {r.customer} {_not_in(book, K, r.customer)}; {what}",
        )
        for r in rows
        if r.customer not in known
    ]


def check_other_customers(book: Book, as_of: date, ledger: Ledger | None) -> list[Problem]:
    known = _known_customers(book, ledger)
    return (
        _unknown_customer(book, A, book.agreements, known, "deze afspraak telt niet mee")
        + _unknown_customer(
            book, C, book.contacts, known, "dit contact telt alleen mee voor de genoemde facturen"
        )
        + _unknown_customer(
            book, P, book.contact_persons, known, "deze contactpersoon wordt niet gebruikt"
        )
    )


def check_invoice_references(book: Book, as_of: date, ledger: Ledger | None) -> list[Problem]:
    # Every Facturen number (an empty reference counts as known); the ledger's index has
    # them all as keys when every row is usable.
    numbers: Container[str]
    if ledger is not None and ledger.all_usable:
        numbers = ledger.position
    else:
        numbers = set(map(_NUMBER, book.invoices))
    invoices = attrgetter("invoices")
    # The ledger's index of contacts by invoice has each number a contact names once (13,000
    # against 50,000 contacts in the benchmark book).
    by_contacts = (
        ledger.contacts_by_invoice
        if ledger is not None
        else chain.from_iterable(map(invoices, book.contacts))
    )
    referenced = chain(
        chain.from_iterable(map(invoices, book.agreements)),
        by_contacts,
        map(attrgetter("invoice"), book.payments),
    )
    if all(map(numbers.__contains__, filter(None, referenced))):
        return []  # the usual case, decided in C (map over the columns, no set built)
    numbers = set(numbers)
    numbers.add("")
    out = []
    for a in book.agreements:
        for n in a.invoices:
            if n not in numbers:
                out.append(
                    Problem(
                        _ref(A, a.row, "invoices"),
                        f"Factuur {n} van afspraak {a.id} {_not_in(book, F, n)}",
                    )
                )
    for c in book.contacts:
        for n in c.invoices:
            if n not in numbers:
                out.append(
                    Problem(_ref(C, c.row, "invoices"), f"Factuur {n} {_not_in(book, F, n)}")
                )
    for p in book.payments:
        if p.invoice and p.invoice not in numbers:
            out.append(
                Problem(
                    _ref(B, p.row, "invoice"),
                    f"Factuur {p.invoice} {_not_in(book, F, p.invoice)}; "
                    "deze betaling telt nergens mee",
                )
            )
    return out


def check_step_names(book: Book, as_of: date, ledger: Ledger | None) -> list[Problem]:
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


def check_step_days(book: Book, as_of: date, ledger: Ledger | None) -> list[Problem]:
    """Na dagen is 0 or more: a negative one would date a step before the due date (Vanaf
    Vervaldatum; a letter for an invoice not yet overdue, made again every day because a
    contact before the due date never counts as done) or before the previous step (Vorige
    stap). The ladder walks it as 0 meanwhile (ledger._rung)."""
    return [
        Problem(
            _ref(S, s.row, "days"),
            f"Na dagen {s.days} van stap '{s.name}' is negatief: de stap zou voor de "
            f"{'vervaldatum' if s.basis is Basis.DUE_DATE else 'vorige stap'} vallen; "
            "vul 0 of meer in (tot dan geldt 0)",
        )
        for s in book.steps
        if s.days < 0
    ]


def check_email_addresses(book: Book, as_of: date, ledger: Ledger | None) -> list[Problem]:
    """Every E-mail cell holds addresses separated by ; and nothing else (no names, commas,
    line breaks): outside text never becomes a recipient or a header. The letter is still
    made as PDF; only its e-mail draft goes without that address."""
    out = []
    for spec, rows in ((K, book.customers), (P, book.contact_persons)):
        if all_plain(list(filter(None, map(_EMAIL, rows)))):
            continue  # the usual case: every filled cell one usual address, decided in C
        header = spec.column("email").header
        for row in rows:
            if row.email:
                errors = address_errors(row.email)
                if errors:
                    ref = CellRef(spec.sheet, row.row, header)
                    out += [Problem(ref, message) for message in errors]
    if book.settings.email:
        # The cell to correct is the E-mail row's Waarde, named as check_own_company_ids
        # names the KvK and BTW-nummer rows beside it.
        setting_row = dict(book.settings.rows).get("email")
        ref = CellRef(schema.INSTELLINGEN.sheet, setting_row, _SETTING_VALUE)
        out += [
            Problem(ref, f"E-mail van uw eigen bedrijf klopt niet: {message}")
            for message in address_errors(book.settings.email)
        ]
    return out


def check_customer_ibans(book: Book, as_of: date, ledger: Ledger | None) -> list[Problem]:
    """A customer's IBAN with wrong check digits: the bank import would never recognise it
    (reported, never refused: the letters do not use it)."""
    if all_ibans_valid(list(chain.from_iterable(map(attrgetter("ibans"), book.customers)))):
        return []  # the usual case, decided in bulk
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


def check_own_accounts(book: Book, as_of: date, ledger: Ledger | None) -> list[Problem]:
    """An IBAN in Instellingen "Eigen rekeningen" with wrong check digits, on that row's
    Waarde as the IBAN row's is named for letters (core/sender.py): a statement of the real
    account would be read as another account's, and a transfer from it taken for a
    customer's payment (reported, never refused)."""
    s = book.settings
    if all_ibans_valid(s.own_accounts):
        return []  # the usual case: none, or all right
    ref = CellRef(schema.INSTELLINGEN.sheet, dict(s.rows).get("own_accounts"), _SETTING_VALUE)
    return [
        Problem(
            ref,
            f"IBAN '{iban}' bij Eigen rekeningen is geen geldig IBAN (de controlecijfers "
            "kloppen niet); controleer het nummer",
        )
        for iban in s.own_accounts
        if not iban_is_valid(iban)
    ]


def check_customer_company_ids(book: Book, as_of: date, ledger: Ledger | None) -> list[Problem]:
    """A customer's KvK-nummer that is not 8 digits, or a BTW-nummer whose form or check
    digits are wrong (core/company_ids.py): the invoice import would not recognise the
    customer by it (reported, never refused)."""
    return [
        Problem(
            _ref(K, c.row, field),
            f"{what} '{getattr(c, field)}' van klant {c.number} klopt niet: {error}",
        )
        for c in book.customers
        if c.kvk or c.vat_number
        for field, what, error in _company_id_errors(c.kvk, c.vat_number)
    ]


def check_own_company_ids(book: Book, as_of: date, ledger: Ledger | None) -> list[Problem]:
    """The company's own KvK-nummer and BTW-nummer in Instellingen, checked as a customer's
    are (core/company_ids.py): they are printed on every letter and invoice, and the invoice
    import recognises the user's own invoices by them. Instellingen keeps them as typed, so
    they are compacted as the reader compacts Klanten's (reported, never refused)."""
    s = book.settings
    rows = dict(s.rows)
    return [
        Problem(
            CellRef(schema.INSTELLINGEN.sheet, rows.get(field), _SETTING_VALUE),
            f"{what} '{getattr(s, field).strip()}' van uw eigen bedrijf klopt niet: {error} "
            "(het staat op elke brief en factuur)",
        )
        for field, what, error in _company_id_errors(compact(s.kvk), compact(s.vat_number).upper())
    ]


_SETTING_VALUE = schema.INSTELLINGEN.column("value").header


def _company_id_errors(kvk: str, vat_number: str) -> list[tuple[str, str, str]]:
    """(field, Dutch name, what is wrong) for each of a KvK-nummer and a BTW-nummer, as the
    reader writes them (compact, the BTW-nummer in upper case), that is wrong."""
    out = []
    for field, what, error in (
        ("kvk", "KvK-nummer", kvk_error(kvk)),
        ("vat_number", "BTW-nummer", vat_error(vat_number)),
    ):
        if error is not None:
            out.append((field, what, error))
    return out


def check_customer_own_accounts(book: Book, as_of: date, ledger: Ledger | None) -> list[Problem]:
    """A customer whose IBAN is one of the company's own accounts (Instellingen IBAN or Eigen
    rekeningen; core/bank.py): a transfer from that account is the company's own (matching
    R0), never this customer's payment, so the IBAN there only misleads; usually the
    company's IBAN typed into the wrong row (reported, never refused). Planning runs it on
    every book: without own accounts it returns at once, and one set test over the customers'
    IBANs (the reader compacts them as own_accounts does) decides the usual case."""
    own = frozenset(own_accounts(book.settings))
    if not own or own.isdisjoint(chain.from_iterable(map(attrgetter("ibans"), book.customers))):
        return []
    header = K.column("ibans").header
    return [
        Problem(
            CellRef(K.sheet, c.row, header),
            f"IBAN '{iban}' van klant {c.number} is een rekening van uw eigen bedrijf "
            "(Instellingen, IBAN of Eigen rekeningen): een overboeking vanaf die rekening is "
            "nooit een betaling van deze klant; haal het IBAN bij de klant weg",
        )
        for c in book.customers
        for iban in c.ibans
        if iban in own
    ]


def check_plain_ranges(book: Book, as_of: date, ledger: Ledger | None) -> list[Problem]:
    """A table some command writes into that the reader found as a plain range (a
    workbook of the user's own): it reads fine, but the write-back can only extend an Excel
    table, so the command that writes there would refuse. One problem per table, at its
    header row, with the way to make it a table."""
    from addin.core.texts import make_table_advice

    if not book.plain_ranges:
        return []  # every table an Excel table: the usual case
    header_rows = dict(book.plain_ranges)
    out = []
    for spec in schema.WRITTEN_TABLES:
        row = header_rows.get(spec.name)
        if row is None:
            continue
        commands = [name for name, written in schema.WRITTEN_BY if spec in written]
        if not commands:
            effect = "bijwerken kan er dan geen nieuwe instellingen aan toevoegen"
        elif len(commands) == 1:
            effect = f"{commands[0]} schrijft hier en weigert dan"
        else:
            effect = f"{', '.join(commands[:-1])} en {commands[-1]} schrijven hier en weigeren dan"
        out.append(
            Problem(
                CellRef(spec.sheet, row),
                f"De gegevens op blad {spec.sheet} (kopregel in rij {row}) zijn geen "
                f"Excel-tabel: {effect}. {make_table_advice(spec.name)}",
            )
        )
    return out


CHECKS: tuple[Check, ...] = (
    check_plain_ranges,
    check_duplicate_customers,
    check_invoice_rows,
    check_other_customers,
    check_invoice_references,
    check_step_names,
    check_step_days,
    check_email_addresses,
    check_customer_ibans,
    check_own_accounts,
    check_customer_company_ids,
    check_own_company_ids,
    check_customer_own_accounts,
)


# The contract's sheets in the order a user meets them (schema.TABLES); another sheet after.
_SHEET_RANK = {spec.sheet.casefold(): i for i, spec in enumerate(schema.TABLES)}


def in_sheet_order(*found: Iterable[Problem]) -> list[Problem]:
    """The problems the reader and the checks found, as the user reads the workbook: by
    sheet (Facturen, Klanten, ... Instellingen; another sheet after them), then by row (one
    without a row first). Each source lists its own way (the reader column by column, the
    checks check by check), so 'Facturen:6' came before 'Facturen:3'. Stable: a row's
    problems keep the order they were found in, the reader's first."""

    def key(p: Problem) -> tuple[int, int]:
        ref = p.source
        return (_SHEET_RANK.get(ref.sheet.casefold(), len(_SHEET_RANK)), ref.row or 0)

    return sorted(chain.from_iterable(found), key=key)


def run_checks(book: Book, as_of: date, ledger: Ledger | None = None) -> tuple[Problem, ...]:
    """Every check's problems, in `CHECKS` order. `ledger`: the plan's, built from the same
    book and date, when the caller has one."""
    out: list[Problem] = []
    for check in CHECKS:
        out.extend(check(book, as_of, ledger))
    return tuple(out)
