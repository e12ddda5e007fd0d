"""The invoice import as one job for both front doors: `debiteuren importeer` and the ribbon
button "Importeer facturen".

`import_invoices(book, workbook, paths, previous_lists)` reads every file (UBL 2.1 e-invoices
and open-items lists, recognised by content; a folder means the files in it), decides what
each one adds (core/invoice_import.py), and returns it all as data with the `Patch` that
writes it: rows appended to tblFacturen, tblKlanten and tblContactpersonen, the Plan sheet's
array formula grown when Facturen outgrows it, plus the PDFs to save into the Factuurmap. It
writes nothing itself; `save_pdfs` and the patch are applied by the caller (the command line
to the closed file, the ribbon to the open workbook).

Each file is one unit: a file that cannot be used (unknown format, a missing element, an XML
bomb, truncated, over 50 MB, another seller) contributes nothing and is named with the reason
in `skipped`; an invoice in another currency than euro, or of PayableAmount 0 (nothing
to collect), is skipped the same way. An invoice
number already in Facturen is never added again (re-importing changes nothing); a changed
amount or due date is reported in `warnings`.

Example::

    result = import_invoices(book, Path("Debiteuren.xlsx"), [Path("facturen-november")], {})
    result.invoices_added, result.customers_added, len(result.pdfs)   -> (12, 2, 11)
    written = save_pdfs(result.pdfs); apply_patch(Path("Debiteuren.xlsx"), result.patch)
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from operator import attrgetter
from pathlib import Path
from typing import Any

from addin import schema
from addin.adapters.documents.paths import roots_for, safe_name
from addin.adapters.invoices.list_memory import Remembered
from addin.adapters.invoices.open_items import OpenItems, cell_text, read_open_items
from addin.adapters.invoices.ubl import InvoiceFileError, UblDocument, is_ubl, parse_ubl
from addin.adapters.pathnames import unusable
from addin.adapters.workbook.xlsx_patch import MAX_TEXT, Patch
from addin.core.invoice_import import (
    Buyer,
    CustomerIndex,
    CustomerNumbers,
    IncomingInvoice,
    check_list,
    country_name,
    differences,
    due_date,
    id_note,
    is_code,
    own_number,
    seller_is_user,
)
from addin.core.model import Book, Customer, CustomerKind, Payment, PaymentStatus
from addin.core.money import format_eur
from addin.core.texts import nl_date
from addin.excel import formulas

__all__ = [
    "MAX_BYTES",
    "TABLES",
    "InvoiceFileError",
    "InvoiceImport",
    "Notice",
    "PdfFile",
    "import_invoices",
    "remove_pdfs",
    "save_pdfs",
]

# The tables the import reads (read_book(path, TABLES)): what is there already (invoice
# numbers, amounts and due dates; customers to match), and the seller's KvK, BTW-nummer and
# Factuurmap. It appends to Contactpersonen without reading it.
TABLES = (schema.FACTUREN, schema.KLANTEN, schema.INSTELLINGEN)

# Klanten's KvK and BTW-nummer columns, as Book.absent_columns names them.
_KVK = (schema.KLANTEN.name, schema.KLANTEN.column("kvk").header)
_VAT = (schema.KLANTEN.name, schema.KLANTEN.column("vat_number").header)

MAX_BYTES = 50 * 1024 * 1024  # the issue's limit; an e-invoice with its PDF is far below it
INVOICE_DIR = "facturen"  # beside the workbook, when Instellingen has no Factuurmap


@dataclass(frozen=True, slots=True)
class Notice:
    """A skipped file or invoice, or a warning: which file (and line), and why (Dutch)."""

    file: str
    message: str
    kind: str = ""


@dataclass(frozen=True, slots=True)
class PdfFile:
    """A PDF to save: where, and its bytes; `existing` when an identical file is there."""

    path: Path
    content: bytes
    existing: bool = False


@dataclass(frozen=True)
class InvoiceImport:
    """What an import found and would write (see the module docstring).

    Attributes:
      files: the files really read (a folder counts its files); a path that gives no file
        (missing, a device, an empty folder, the workbook itself) and a file that cannot be
        opened or is over 50 MB are not read, so not counted (they are in `skipped`).
      files_failed: paths and files that contributed nothing because they could not be
        used (each one in `skipped`).
      files_used: the files read that could be used (0: nothing could be; exit code 2).
      invoices_added, credit_notes_added, customers_added: what the patch appends.
      already_in_book: invoices and credit notes whose number Facturen has already, so not
        read again (a second import of the same files: the summary says why nothing was
        added, instead of counting the files read and leaving the user to guess).
      pdfs: the PDFs to save (new files) or that are already there (identical).
      skipped: files and invoices not imported, with the reason.
      warnings: changed amounts or due dates, fake attachments, "mogelijk betaald", ...
      lists: per kind of open-items list, the invoice numbers it held now and where
        (remembered for the next import of the same kind).
      added: the invoice rows appended, as written.
    """

    files: int
    files_failed: int
    files_used: int
    invoices_added: int
    credit_notes_added: int
    customers_added: int
    already_in_book: int
    pdfs: tuple[PdfFile, ...]
    skipped: tuple[Notice, ...]
    warnings: tuple[Notice, ...]
    lists: Mapping[str, Remembered]
    added: tuple[dict[str, object], ...]
    patch: Patch

    @property
    def changes(self) -> bool:
        return bool(self.patch.append)

    @property
    def pdfs_saved(self) -> int:
        return sum(1 for p in self.pdfs if not p.existing)


@dataclass
class _Run:
    """The import's working state: what is known and what has been decided so far."""

    book: Book
    workbook: Path
    pdf_root: Path
    pdf_cell_prefix: str
    index: CustomerIndex
    numbers: CustomerNumbers
    invoices: dict[str, tuple[Decimal, date | None]]  # number (case-folded) -> amount, due
    payments: Callable[[], Sequence[Payment]]  # Betalingen, when needed
    invoice_rows: list[dict[str, object]] = field(default_factory=list)
    added_from: dict[str, str] = field(default_factory=dict)  # number (case-folded) -> source
    customer_rows: list[dict[str, object]] = field(default_factory=list)
    contact_rows: list[dict[str, object]] = field(default_factory=list)
    pdfs: list[PdfFile] = field(default_factory=list)
    pdf_names: set[str] = field(default_factory=set)
    skipped: list[Notice] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    lists: dict[str, Remembered] = field(default_factory=dict)
    credit_notes: int = 0
    known: int = 0  # invoice numbers Facturen had before this import
    failed: int = 0
    read: int = 0  # files whose bytes were read
    used: int = 0  # files read that could be used


def import_invoices(
    book: Book,
    workbook: Path,
    paths: Sequence[Path],
    previous_lists: Mapping[str, Remembered] | None = None,
    payments: Callable[[], Sequence[Payment]] | None = None,
) -> InvoiceImport:
    """Read, decide and plan; the result holds the patch and the PDFs (module docstring).
    `payments`: Betalingen, read when needed (a list shows an invoice of Facturen partly
    paid) by a book read without them (TABLES); else the book's own."""
    roots = roots_for(workbook, book.settings, "invoice_dir")
    if book.settings.invoice_dir.strip():
        pdf_root, prefix = roots[0], ""
    else:
        pdf_root, prefix = roots[-1] / INVOICE_DIR, INVOICE_DIR + "/"
    index = CustomerIndex(book.customers)
    run = _Run(
        book=book,
        workbook=workbook,
        pdf_root=pdf_root,
        pdf_cell_prefix=prefix,
        index=index,
        numbers=CustomerNumbers(c.number for c in book.customers),
        invoices={i.number.strip().casefold(): (i.amount, i.due_date) for i in book.invoices},
        payments=payments or (lambda: book.payments),
    )
    files = _expand(paths, run)
    # A 100,000-row list makes as many records and rows, and no cycles among them: the
    # cyclic collector would only scan them again and again (as in the workbook reader).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for path, shown in files:
            _import_file(run, path, shown, previous_lists or {})
    finally:
        if collecting:
            gc.enable()
    patch = _patch(run)
    return InvoiceImport(
        files=run.read,
        files_failed=run.failed,
        files_used=run.used,
        invoices_added=len(run.invoice_rows) - run.credit_notes,
        credit_notes_added=run.credit_notes,
        customers_added=len(run.customer_rows),
        already_in_book=run.known,
        pdfs=tuple(run.pdfs),
        skipped=tuple(run.skipped),
        warnings=tuple(run.warnings),
        lists=dict(run.lists),
        added=tuple(run.invoice_rows),
        patch=patch,
    )


# --- files ----------------------------------------------------------------------------------


def _expand(paths: Sequence[Path], run: _Run) -> list[tuple[Path, str]]:
    """Files as given, each with the name the report gives it; a folder gives its files (not
    hidden ones, not the workbook itself, not its PDFs: those belong to the XML beside
    them). A path that gives no file (missing, a device, an empty folder, the workbook
    itself) is skipped with its reason (named as given). A file given twice (a folder and a
    file in it, a link to it) is read once, as first given: read again, each of its invoices
    was skipped as already read "in" itself, and each warning came twice."""
    out: list[Path] = []
    own = run.workbook.resolve()
    taken: set[object] = set()
    for path in paths:
        path = Path(path)
        reason = unusable(path)  # is_dir() would raise it (a name over 255 bytes)
        if reason is not None:
            pass
        elif path.is_dir():
            found = [
                child
                for child in sorted(path.iterdir())
                if child.is_file()
                and not child.name.startswith((".", "~$"))
                and child.suffix.lower() != ".pdf"
                and child.resolve() != own
            ]
            out.extend(_once(found, taken))
            if not found:
                reason = "de map bevat geen bestanden om in te lezen"
        elif path.is_file():
            if path.resolve() == own:  # it would be read as a list of open items
                reason = "dit is de werkmap zelf"
            else:
                out.extend(_once([path], taken))
        elif path.exists():
            reason = "geen gewoon bestand (maar een apparaat of pipe)"
        else:
            reason = "bestand of map bestaat niet"
        if reason is not None:
            run.skipped.append(Notice(str(path), reason, "bestand"))
            run.failed += 1
    return list(zip(out, shown_names(out), strict=True))


def _once(files: Sequence[Path], taken: set[object]) -> list[Path]:
    """Those of `files` not taken yet, now taken. Compared as the file on disk (device and
    inode; Windows gives its file index there): a link, a path through "..", or another
    spelling of a name on a disk that ignores case, is the same file. A file system that
    gives no inode (0, some network shares) is compared by the real path."""
    out = []
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            out.append(file)  # gone in between: the read names it
            continue
        key = (stat.st_dev, stat.st_ino) if stat.st_ino else str(file.resolve())
        if key not in taken:
            taken.add(key)
            out.append(file)
    return out


def shown_names(files: Sequence[Path]) -> list[str]:
    """The name the report gives each file: its path from the folder the files share, so
    the files of one folder the user gave are named by their names, and of "november/a.xml"
    and "december/a.xml" (by name alone one "a.xml" for two files) by those paths. Files
    on different drives share no folder: then as given.

    >>> shown_names([Path("/data/nov/a.xml"), Path("/data/dec/a.xml")])
    ['nov/a.xml', 'dec/a.xml']
    """
    absolute = [os.path.abspath(f) for f in files]
    try:
        base = os.path.commonpath([os.path.dirname(a) for a in absolute]) if files else ""
    except ValueError:
        return [str(f) for f in files]
    return [os.path.relpath(a, base) for a in absolute]


def _import_file(run: _Run, path: Path, name: str, previous: Mapping[str, Remembered]) -> None:
    """Import one file; `name` is the file as the report names it (_expand)."""
    try:
        data = _read(path, name)
        run.read += 1
        if not data.strip():
            raise InvoiceFileError(f"{name}: het bestand is leeg.")
        kind = _format(data, name)
        if kind == "ubl":
            _import_ubl(run, path, name, parse_ubl(data, name))
        else:
            items = read_open_items(data, name, xlsx=kind == "xlsx")
            _import_list(run, name, items, previous)
    except InvoiceFileError as exc:
        run.skipped.append(Notice(name, _reason(str(exc), name), "bestand"))
        run.failed += 1
    else:
        run.used += 1


def _reason(message: str, name: str) -> str:
    return message[len(name) + 2 :] if message.startswith(name + ": ") else message


def _read(path: Path, name: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InvoiceFileError(
                f"{name}: het bestand is {size / 1024 / 1024:.0f} MB; meer dan 50 MB wordt "
                f"niet ingelezen."
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise InvoiceFileError(
            f"{name}: kan niet gelezen worden ({exc.strerror or exc})."
        ) from None
    if len(data) > MAX_BYTES:  # grew while being read
        raise InvoiceFileError(f"{name}: meer dan 50 MB wordt niet ingelezen.")
    return data


def _format(data: bytes, name: str) -> str:
    """'ubl', 'xlsx' or 'csv', from the content; anything else is refused."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        if is_ubl(data):
            return "ubl"
        if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
            parse_ubl(data, name)  # refuses with the DOCTYPE message
        raise InvoiceFileError(
            f"{name}: onbekend formaat: XML, maar geen UBL 2.1-factuur of -creditnota."
        )
    if head.startswith(b"PK\x03\x04"):
        if _is_office_package(data):
            return "xlsx"
        raise InvoiceFileError(
            f"{name}: een ZIP-bestand, geen Excel-lijst; pak het uit en geef de map of de "
            f"bestanden erin."
        )
    if head.startswith(b"%PDF"):
        raise InvoiceFileError(
            f"{name}: een PDF is geen factuurbestand; leg hem naast de XML-factuur met dezelfde "
            f"naam, of kies de XML (UBL) of een lijst (CSV, XLSX)."
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InvoiceFileError(
            f"{name}: onbekend formaat (oud Excel-bestand .xls of beveiligd); sla de lijst op "
            f"als .xlsx of .csv."
        )
    return "csv"


def _is_office_package(data: bytes) -> bool:
    """An .xlsx is a ZIP with [Content_Types].xml; any other ZIP (a portal's download of
    e-invoices) is not a list. A damaged one is left to the Excel reader to name."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return "[Content_Types].xml" in package.namelist()
    except (zipfile.BadZipFile, OSError, EOFError):
        return True


# --- UBL ------------------------------------------------------------------------------------


def _import_ubl(run: _Run, path: Path, name: str, doc: UblDocument) -> None:
    settings = run.book.settings
    invoice = _cell_texts(doc.invoice)
    if not (settings.kvk.strip() or settings.vat_number.strip()):
        raise InvoiceFileError(
            f"{name}: vul eerst KvK of BTW-nummer in bij Instellingen; daarmee controleert de "
            f"import dat de e-factuur van u is."
        )
    if not seller_is_user(doc.seller_kvks, doc.seller_vats, settings.kvk, settings.vat_number):
        ids = ", ".join((*doc.seller_kvks, *doc.seller_vats)) or "geen KvK- of btw-nummer"
        raise InvoiceFileError(
            f"{name}: de verkoper is {doc.seller_name or 'onbekend'} ({ids}), niet uw bedrijf "
            f"(Instellingen KvK {settings.kvk or '-'}, BTW-nummer {settings.vat_number or '-'})."
        )
    if invoice.currency != "EUR":
        run.skipped.append(
            Notice(
                name,
                f"factuur {invoice.number} is in {invoice.currency}, niet in euro; de brieven, de "
                f"QR-code en de wet gaan uit van euro's. Niet ingelezen.",
                "valuta",
            )
        )
        return
    if not invoice.amount:
        # Nothing to collect (paid in advance: PrepaidAmount is the whole total), and a
        # Facturen row of Bedrag 0 would only stand in the Werklijst as paid; its PDF is
        # not saved either.
        what = "creditnota" if invoice.credit_note else "factuur"
        run.skipped.append(
            Notice(
                name,
                f"{what} {invoice.number} heeft als te betalen bedrag "
                f"(cac:LegalMonetaryTotal/cbc:PayableAmount) € 0,00: er valt niets te innen. "
                f"Niet ingelezen.",
                "nulbedrag",
            )
        )
        return
    for problem in doc.pdf_problems:
        run.warnings.append(Notice(name, f"{problem}; niet opgeslagen", "bijlage"))
    due = due_date(invoice)
    if _known(run, invoice, due, name) or not _dates_in_order(run, invoice, due, name):
        return
    assert invoice.buyer is not None
    customer = run.index.match(invoice.buyer)
    if customer is None and (namesakes := run.index.ambiguous(invoice.buyer)):
        customer_no = _new_customer(run, invoice.buyer)
        numbers = ", ".join(c.number for c in namesakes)
        run.warnings.append(
            Notice(
                name,
                f"koper '{invoice.buyer.name}' heeft geen postcode, KvK- of btw-nummer en er "
                f"zijn {len(namesakes)} klanten met die naam ({numbers}); daarom als nieuwe "
                f"klant {customer_no} toegevoegd. Is het een van hen, zet de factuur dan op "
                f"die klant en verwijder {customer_no}.",
                "klant-onzeker",
            )
        )
    else:
        customer_no = customer.number if customer else _new_customer(run, invoice.buyer)
    pdf = doc.pdf if doc.pdf is not None else _pdf_beside(path, run, name)
    _add_invoice(run, invoice, customer_no, due, pdf)


def _cell_texts(invoice: IncomingInvoice) -> IncomingInvoice:
    """The e-invoice's texts (and its buyer's) as a cell can hold them (open_items.
    cell_text, as a list's): XML 1.0 has none of the control characters a cell cannot
    hold, but nothing keeps a BuyerReference or a name under 32,767 characters, and one
    longer stopped the whole import naming a row of Facturen the user did not have yet."""
    buyer = invoice.buyer
    if buyer is not None and (long := _long_texts(buyer)):
        invoice = replace(invoice, buyer=replace(buyer, **long))
    long = _long_texts(invoice)
    return replace(invoice, **long) if long else invoice


def _long_texts(record: IncomingInvoice | Buyer) -> dict[str, Any]:
    # Any: replace() takes each field by name, and these are all text fields.
    return {
        f.name: cell_text(value)
        for f in fields(record)
        if isinstance(value := getattr(record, f.name), str) and len(value) > MAX_TEXT
    }


def _pdf_beside(path: Path, run: _Run, name: str) -> bytes | None:
    for suffix in (".pdf", ".PDF"):
        candidate = path.with_suffix(suffix)
        if candidate.is_file():
            try:
                content = candidate.read_bytes()
            except OSError:
                return None
            if content.startswith(b"%PDF-") and b"%%EOF" in content[-2048:]:
                return content
            run.warnings.append(
                Notice(
                    name,
                    f"'{candidate.name}' ernaast is geen (hele) PDF; niet opgeslagen",
                    "bijlage",
                )
            )
            return None
    return None


def _new_customer(run: _Run, buyer: Buyer) -> str:
    number = own_number(buyer.own_id, run.index) or run.numbers.take(run.index.by_number)
    # The KvK and VAT number go into Klanten's own columns; a table of an earlier version
    # without them gets them in Notities, as before (the import does not add the columns:
    # `bijwerken` does, see the README), and matching reads them back from there.
    kvk_column = _KVK not in run.book.absent_columns
    vat_column = _VAT not in run.book.absent_columns
    kvk = buyer.kvk if kvk_column else ""
    vat = buyer.vat if vat_column else ""
    customer = Customer(
        number=number,
        name=buyer.name,
        kind=CustomerKind.BUSINESS,
        address=buyer.address,
        postcode=buyer.postcode,
        city=buyer.city,
        country=country_name(buyer.country),
        kvk=kvk,
        vat_number=vat,
        email=buyer.email,
        phone=buyer.phone,
        notes=id_note(buyer, kvk=not kvk_column, vat=not vat_column),
    )
    run.index.add(customer, new=True)
    run.customer_rows.append(
        _drop_empty(
            {
                "Klantnummer": number,
                "Naam": buyer.name,
                "Soort": CustomerKind.BUSINESS.value,  # e-invoices are business documents
                "Adres": buyer.address,
                "Postcode": buyer.postcode,
                "Plaats": buyer.city,
                "Land": customer.country,
                _KVK[1]: kvk,
                _VAT[1]: vat,
                "E-mail": buyer.email,
                "Telefoon": buyer.phone,
                "Notities": customer.notes,
            }
        )
    )
    if buyer.contact:
        run.contact_rows.append(
            _drop_empty(
                {
                    "Klantnummer": number,
                    "Naam": buyer.contact,
                    "Functie": "Administratie",  # who an invoice is addressed to
                    "Telefoon": buyer.phone,
                    "E-mail": buyer.email,
                }
            )
        )
    return number


# --- open-items lists -----------------------------------------------------------------------


def _import_list(
    run: _Run, name: str, items: OpenItems, previous: Mapping[str, Remembered]
) -> None:
    if not items.rows and not items.problems:
        # Only the header: nothing to import, and nothing to remember either: an empty
        # list says nothing about which invoices are still open (it would have been
        # remembered as the list of its kind, and its file written for nothing).
        raise InvoiceFileError(
            f"{name}: de lijst heeft kolomkoppen maar geen regels met facturen; er is niets "
            f"ingelezen."
        )
    for problem in items.problems:
        run.skipped.append(Notice(problem.where, problem.message, "regel"))
    # The warning names the file itself; `name` is the file as the import shows it.
    run.warnings.extend(Notice(name, w, "gemengde-codering") for w in items.warnings)
    if not items.rows:
        return  # every row skipped (named above): nothing read to remember
    numbers = tuple(dict.fromkeys(map(attrgetter("number"), items.rows)))
    sources = _first_sources(items.rows, numbers)
    known = _open_in_workbook(run, items.partly_paid)
    for number, open_amount, where in items.partly_paid:
        if known.get(number.strip().casefold()) == open_amount:
            continue  # Facturen's Open says the same: the payment is in the workbook already
        run.warnings.append(
            Notice(
                where,
                f"factuur {number}: volgens de lijst staat nog {format_eur(open_amount)} open; "
                f"Bedrag is het factuurbedrag, het betaalde deel komt uit de bank of Betaald",
                "deels-betaald",
            )
        )
    # "Mogelijk betaald" needs the customers this list names, compared with the previous
    # list of this kind: the invoices in Facturen by number, and every row's customer.
    earlier = previous.get(items.kind)
    earlier = earlier if earlier is not None and earlier.numbers else None
    customer_of = {i.number: i.customer for i in run.book.invoices} if earlier else {}
    listed: set[str] = set()
    # The customer of each customer text, looked up (or added) once per list: lists repeat
    # their customers, and a text that made a new customer keeps meaning that customer.
    customers: dict[str, str] = {}
    for row in items.rows:
        due = row.due_date
        if _known(run, row, due, row.source):
            if earlier:
                found = customer_of.get(row.number) or customers.get(row.customer_ref)
                if found is None and (match := run.index.by_reference(row.customer_ref)):
                    found = match.number
                if found:
                    listed.add(found)
            continue
        if not _dates_in_order(run, row, due, row.source):
            continue
        customer_number = customers.get(row.customer_ref)
        if customer_number is None:
            customer = run.index.by_reference(row.customer_ref)
            if customer:
                customer_number = customer.number
            elif items.code_column and is_code(row.customer_ref):
                customer_number = ""  # no name to make a customer of: each row reported
            else:
                customer_number = _list_customer(run, row, items)
            customers[row.customer_ref] = customer_number
        if not customer_number:
            run.skipped.append(
                Notice(
                    row.source,
                    f"kolom '{items.code_column}': klant '{row.customer_ref}' staat niet in "
                    f"Klanten en de lijst heeft geen kolom met de klantnaam. Voeg de klant toe "
                    f"aan Klanten (of exporteer de lijst met de naam erbij) en lees de lijst "
                    f"opnieuw in. Factuur {row.number} is niet ingelezen.",
                    "klant-onbekend",
                )
            )
            continue
        listed.add(customer_number)
        _add_invoice(run, row, customer_number, due, None)
    if not earlier:
        run.lists[items.kind] = Remembered(numbers, sources)
        return
    check = check_list(earlier.numbers, numbers, customer_of, listed)
    before = earlier.where()
    for number in check.possibly_paid:
        # The line it stood on in the earlier list: this list has none for it.
        was = f" (in de vorige lijst: {before[number]})" if before.get(number) else ""
        run.warnings.append(
            Notice(
                name,
                f"factuur {number} staat niet meer in de lijst: mogelijk betaald{was}",
                "mogelijk-betaald",
            )
        )
    if check.not_checked:
        run.warnings.append(
            Notice(
                name,
                f"de lijst noemt {check.listed} van de {check.previous} klanten van de vorige "
                f"lijst van deze soort: een deellijst. {len(check.not_checked)} facturen van de "
                f"andere klanten zijn daarom niet als 'mogelijk betaald' gemeld; de volgende "
                f"volledige lijst controleert ze wel.",
                "deellijst",
            )
        )
    here = dict(zip(numbers, sources, strict=True))
    run.lists[items.kind] = Remembered(
        check.remember, tuple(here.get(n) or before.get(n, "") for n in check.remember)
    )


def _first_sources(rows: Sequence[IncomingInvoice], numbers: Sequence[str]) -> tuple[str, ...]:
    """Where each of `numbers` (the rows' invoice numbers, each once, in order) first stood,
    remembered so that the next list can name the line of one that is gone."""
    sources = tuple(map(attrgetter("source"), rows))
    if len(numbers) == len(rows):
        return sources  # each number on one row: the usual list, no look-up needed
    first: dict[str, str] = {}
    for row in rows:
        first.setdefault(row.number, row.source)
    return tuple(map(first.__getitem__, numbers))


def _open_in_workbook(
    run: _Run, partly_paid: Sequence[tuple[str, Decimal, str]]
) -> dict[str, Decimal]:
    """The open amount of each of these invoices that is in Facturen, as its Open column
    computes it: Bedrag - Betaald - its Gekoppeld Betalingen (by case-folded number).
    Betalingen is read only when one of them is in Facturen."""
    wanted = {number.strip().casefold() for number, _, _ in partly_paid}
    open_amounts = {
        key: i.amount - i.paid
        for i in (run.book.invoices if wanted else ())
        if (key := i.number.strip().casefold()) in wanted
    }
    if not open_amounts:
        return {}
    for p in run.payments():
        key = p.invoice.strip().casefold()
        if p.status is PaymentStatus.LINKED and key in open_amounts:
            open_amounts[key] -= p.amount
    return open_amounts


def _list_customer(run: _Run, row: IncomingInvoice, items: OpenItems) -> str:
    ref = row.customer_ref.strip()
    listed_name = items.names.get(row.customer_ref, "").strip()
    if known := run.index.by_listed_name(listed_name):
        return known.number
    own = own_number(ref, run.index) if (listed_name or " " not in ref) else None
    number = own or run.numbers.take(run.index.by_number)
    name = listed_name or ref
    run.index.add(Customer(number=number, name=name), new=True)
    run.customer_rows.append({"Klantnummer": number, "Naam": name})
    return number


# --- both -----------------------------------------------------------------------------------


def _known(run: _Run, invoice: IncomingInvoice, due: date | None, where: str) -> bool:
    """True when the invoice number is in Facturen (or was added by this import); a changed
    amount or due date is reported, never overwritten. One this import added already (an
    earlier row of the list, an earlier file) is named as skipped, what differs or not: two
    rows of one number may be two terms of one invoice, and the second was lost without a
    word, or reported as 'staat al in Facturen' of an invoice that was not there."""
    key = invoice.number.strip().casefold()
    existing = run.invoices.get(key)
    if existing is None:
        return False
    first = run.added_from.get(key)
    if first is not None:
        changes = differences(existing[0], existing[1], invoice.amount, due, ("daar", "hier"))
        run.skipped.append(
            Notice(
                where,
                f"factuur {invoice.number} staat al in {first} en is hier niet nogmaals "
                f"ingelezen" + (": " + "; ".join(changes) if changes else "") + ".",
                "dubbel",
            )
        )
        return True
    run.known += 1
    changes = differences(existing[0], existing[1], invoice.amount, due)
    if changes:
        run.warnings.append(
            Notice(
                where,
                f"factuur {invoice.number} staat al in Facturen en is niet overschreven: "
                + "; ".join(changes),
                "gewijzigd",
            )
        )
    return True


def _dates_in_order(run: _Run, invoice: IncomingInvoice, due: date | None, where: str) -> bool:
    """False, with the invoice skipped and named, when its due date lies before its invoice
    date: the checks call such a Facturen row a problem (checks.check_invoice_rows), so the
    import would write a mistake into the workbook that every command then reports."""
    if due is None or due >= invoice.issue_date:
        return True
    what = "creditnota" if invoice.credit_note else "factuur"
    run.skipped.append(
        Notice(
            where,
            f"{what} {invoice.number}: de vervaldatum {nl_date(due)} ligt voor de factuurdatum "
            f"{nl_date(invoice.issue_date)}. Niet ingelezen; verbeter de datums in het "
            f"boekhoudpakket en lees het bestand opnieuw in.",
            "datums",
        )
    )
    return False


def _add_invoice(
    run: _Run, invoice: IncomingInvoice, customer: str, due: date | None, pdf: bytes | None
) -> None:
    # The row names only what it has (a 100,000-row list makes this the loop that counts).
    row: dict[str, object] = {}
    if invoice.number:
        row["Factuurnummer"] = invoice.number
    if customer:
        row["Klantnummer"] = customer
    row["Factuurdatum"] = invoice.issue_date
    if due is not None:
        row["Vervaldatum"] = due
    row["Bedrag"] = invoice.amount
    if invoice.description:
        row["Omschrijving"] = invoice.description
    if invoice.payment_reference:
        row["Betalingskenmerk"] = invoice.payment_reference
    if pdf is not None and (pdf_cell := _plan_pdf(run, invoice.number, pdf)):
        row["Factuur-pdf"] = pdf_cell
    run.invoice_rows.append(row)
    key = invoice.number.strip().casefold()
    run.invoices[key] = (invoice.amount, due)
    run.added_from[key] = invoice.source
    if invoice.credit_note or invoice.amount < 0:
        run.credit_notes += 1


def _plan_pdf(run: _Run, number: str, content: bytes) -> str:
    """`<Factuurnummer>.pdf` in the Factuurmap, made safe; the same bytes already there are
    reused; a different file there gives `<Factuurnummer> (2).pdf`. Never outside the
    folder: safe_name leaves no separators, and the result is checked."""
    base = safe_name(number)
    for n in range(1, 10_000):
        file_name = f"{base}.pdf" if n == 1 else f"{base} ({n}).pdf"
        target = run.pdf_root / file_name
        if target.parent != run.pdf_root or file_name.casefold() in run.pdf_names:
            continue
        if target.exists():
            try:
                same = target.is_file() and target.read_bytes() == content
            except OSError:
                same = False
            if not same:
                continue
            run.pdfs.append(PdfFile(target, content, existing=True))
        else:
            run.pdfs.append(PdfFile(target, content))
        run.pdf_names.add(file_name.casefold())
        return run.pdf_cell_prefix + file_name
    raise InvoiceFileError(f"{number}: geen vrije bestandsnaam voor de PDF in {run.pdf_root}")


def _drop_empty(row: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in row.items() if v is not None and v != ""}


def _patch(run: _Run) -> Patch:
    append: list[tuple[str, tuple[dict[str, object], ...]]] = []
    if run.customer_rows:
        append.append((schema.KLANTEN.name, tuple(run.customer_rows)))
    if run.contact_rows:
        append.append((schema.CONTACTPERSONEN.name, tuple(run.contact_rows)))
    if run.invoice_rows:
        append.append((schema.FACTUREN.name, tuple(run.invoice_rows)))
    if not append:
        return Patch()
    invoices = len(run.book.invoices) + len(run.invoice_rows)
    # The Plan array formula must cover a header plus every invoice; when it does not, it
    # grows to what a fresh build would give (twice the invoices), so it lasts a while.
    grow = ((schema.PLAN_SHEET, invoices + 1, formulas.plan_rows_covered(invoices)),)
    return Patch(append=tuple(append), grow_array=grow)


# --- saving the PDFs ------------------------------------------------------------------------


def save_pdfs(pdfs: Sequence[PdfFile]) -> tuple[Path, ...]:
    """Write the new PDFs (never over an existing file); the paths written, so a caller whose
    workbook write then fails can remove them (`remove_pdfs`). Raises OSError after removing
    what it wrote itself."""
    written: list[Path] = []
    try:
        for pdf in pdfs:
            if pdf.existing:
                continue
            pdf.path.parent.mkdir(parents=True, exist_ok=True)
            with open(pdf.path, "xb") as out:
                written.append(pdf.path)
                out.write(pdf.content)
    except OSError:
        remove_pdfs(written)
        raise
    return tuple(written)


def remove_pdfs(paths: Sequence[Path]) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            os.remove(path)
