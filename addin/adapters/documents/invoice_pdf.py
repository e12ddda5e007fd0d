"""The example's own invoices as PDF files, so its letters carry real originals stamped KOPIE.

A user's invoices come from their own invoicing program; the example has none, so these are
drawn from its data: one A4 page per invoice (sender, customer, number, dates, description,
amount excl. and incl. 21% VAT, payment instruction). The same bytes on every run: reportlab
with `invariant=1` (fixed creation date and document id) and fixed metadata.

Example::

    written = write_invoice_pdfs(example_book(), Path("workbook/facturen"))
    -> workbook/facturen/2025-0301.pdf ... (one per invoice; the Factuur-pdf column names them)
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path, PurePosixPath

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from addin.adapters.tempfiles import create_atomic, make_folder, remove_folders, write_atomic
from addin.core.ledger import customer_index
from addin.core.model import Book, Customer, Invoice, Settings
from addin.core.money import format_eur, to_cents
from addin.core.texts import nl_date

VAT = Decimal("0.21")
DEFAULT_TERM_DAYS = 30


def invoice_pdf(invoice: Invoice, customer: Customer, settings: Settings) -> bytes:
    """One invoice as a PDF page, byte for byte the same for the same data."""
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1, pageCompression=1)
    credit = invoice.amount < 0
    title = "Creditnota" if credit else "Factuur"
    c.setTitle(f"{title} {invoice.number}")
    c.setAuthor(settings.company_name)
    c.setCreator("Debiteuren (voorbeeldfactuur)")
    c.setSubject(f"{title} {invoice.number} aan {customer.name}")
    width, height = A4
    left, right = 20 * mm, width - 20 * mm

    c.setFont("Helvetica-Bold", 14)
    c.drawRightString(right, height - 25 * mm, settings.company_name)
    c.setFont("Helvetica", 9)
    sender = [
        settings.address,
        f"{settings.postcode} {settings.city}".strip(),
        settings.email,
        f"KvK {settings.kvk}" if settings.kvk else "",
        f"btw {settings.vat_number}" if settings.vat_number else "",
    ]
    y = height - 31 * mm
    for line in filter(None, sender):
        c.drawRightString(right, y, line)
        y -= 4.5 * mm

    c.setFont("Helvetica", 10)
    y = height - 55 * mm
    place = f"{customer.postcode} {customer.city}".strip()
    for line in filter(None, (customer.name, customer.address, place)):
        c.drawString(left, y, line)
        y -= 5 * mm

    c.setFont("Helvetica-Bold", 20)
    c.drawString(left, height - 95 * mm, title.upper())
    due = invoice.due_date
    if due is None:
        due = invoice.invoice_date + timedelta(days=customer.term_days or DEFAULT_TERM_DAYS)
    facts = [
        (f"{title}nummer", invoice.number),
        (f"{title}datum", nl_date(invoice.invoice_date)),
        ("Vervaldatum", nl_date(due)),
        ("Klantnummer", customer.number),
    ]
    c.setFont("Helvetica", 10)
    y = height - 107 * mm
    for label, value in facts:
        c.drawString(left, y, label)
        c.drawString(left + 40 * mm, y, value)
        y -= 5.5 * mm

    total = invoice.amount
    net = to_cents(total / (1 + VAT))
    rows = [
        (invoice.description or "Geleverde diensten", format_eur(net)),
        ("Btw 21%", format_eur(total - net)),
    ]
    y -= 8 * mm
    c.setFont("Helvetica-Bold", 10)
    c.drawString(left, y, "Omschrijving")
    c.drawRightString(right, y, "Bedrag")
    c.line(left, y - 2 * mm, right, y - 2 * mm)
    y -= 8 * mm
    c.setFont("Helvetica", 10)
    for label, amount in rows:
        c.drawString(left, y, label[:90])
        c.drawRightString(right, y, amount)
        y -= 6 * mm
    c.line(left, y + 2 * mm, right, y + 2 * mm)
    c.setFont("Helvetica-Bold", 11)
    c.drawString(left, y - 3 * mm, "Totaal incl. btw")
    c.drawRightString(right, y - 3 * mm, format_eur(total))

    c.setFont("Helvetica", 10)
    y -= 22 * mm
    reference = invoice.payment_reference or invoice.number
    if credit:
        note = [f"Dit bedrag verrekenen wij met uw openstaande facturen (kenmerk {reference})."]
    else:
        note = [
            f"Graag {format_eur(total)} vóór {nl_date(due)} overmaken naar {settings.iban}",
            f"ten name van {settings.company_name}, onder vermelding van {reference}.",
        ]
    for line in note:
        c.drawString(left, y, line)
        y -= 5 * mm
    c.showPage()
    c.save()
    return out.getvalue()


def invoice_file_name(invoice: Invoice) -> str:
    """The file name a Factuur-pdf cell names (its last path part), else number.pdf."""
    name = PurePosixPath(invoice.pdf.replace("\\", "/")).name if invoice.pdf else ""
    return name or f"{invoice.number}.pdf"


def write_invoice_pdfs(
    book: Book, folder: Path, *, overwrite: bool = True, finish: Callable[[], object] | None = None
) -> int:
    """Every invoice of `book` as `folder`/<name>.pdf; how many files were written.
    `overwrite=False` keeps files that exist (a user's own folder), and never writes through
    a name taken by anything (a link to elsewhere); with `overwrite` a link is written
    through (the file it points to is replaced, the link stays). Each file is written whole
    or not at all (a temp file renamed or linked into place): a run stopped half-way leaves
    every earlier PDF whole. A run that fails takes away the files and folders it made (a
    file it overwrote stays overwritten, whole) and raises. `finish`, when given, runs after
    the last file as part of the run: its failure takes the files away as theirs does (bouw
    puts the workbook in place there, so invoices never stay without it)."""
    made = make_folder(folder)
    customers = customer_index(book)
    created: list[Path] = []
    written = 0
    try:
        for invoice in book.invoices:
            customer = customers.get(invoice.customer)
            if customer is None:
                continue
            target = folder / invoice_file_name(invoice)
            new = not target.exists()
            if not (new or overwrite):
                continue
            data = invoice_pdf(invoice, customer, book.settings)
            if overwrite:
                write_atomic(Path(os.path.realpath(target)), data)
            else:
                create_atomic(target, data)  # FileExistsError: a name taken meanwhile
            if new:
                created.append(target)
            written += 1
        if finish is not None:
            finish()
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        remove_folders(made)
        raise
    return written
