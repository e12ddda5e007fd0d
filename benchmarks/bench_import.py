"""Time the invoice import (issue 15) the way `debiteuren importeer` runs it.

Targets, on the 2-core development machine:
- 1,000 UBL invoices of about 10 kB, each with a 50 kB embedded PDF: read, matched and
  appended to a workbook of 20,000 invoices in at most 10 s;
- a 100,000-row open-items CSV: parsed and appended in at most 3 s.

Usage: ``python benchmarks/bench_import.py [--herhaal 3] [--map /tmp/bench-import]``.
Everything is generated, deterministically, outside the repository: a workbook of 20,000
invoices and 5,000 customers (benchmarks/generate.py), 1,000 e-invoices to 300 buyers (half
of them already customers, matched by KvK in Notities; the rest added), and the CSV. Each
run starts from a fresh copy of the workbook and an empty PDF folder. What is timed: reading
the workbook (read_book), the job (import_invoices: parse, decide, match), saving the PDFs
and the safe write-back (apply_patch), i.e. everything the command does. Example output::

    UBL: 1000 bestanden (10.4 kB + PDF 50 kB, 66 MB), 1000 facturen, 150 klanten, 1000 PDF's
      mediaan 4.1 s (werkmap lezen 0.5 s, inlezen en koppelen 2.2 s, PDF's 0.3 s, schrijven 1.1 s)
    CSV: 100000 regels (5.2 MB): mediaan 2.4 s (...)
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from base64 import b64encode
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from addin.adapters.invoices.job import import_invoices, save_pdfs
from addin.adapters.workbook.book_writer import write_book
from addin.adapters.workbook.reader import read_book
from addin.adapters.workbook.xlsx_patch import apply_patch
from benchmarks.generate import generate_book

KVK, VAT = "87654321", "NL876543210B01"
FIXTURE_PDF = Path(__file__).resolve().parents[1] / "tests/fixtures/ubl"

UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0</cbc:CustomizationID>
<cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
<cbc:ID>B-{n:06d}</cbc:ID><cbc:IssueDate>{issue}</cbc:IssueDate>
<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
<cac:OrderReference><cbc:ID>PO-{n}</cbc:ID></cac:OrderReference>
<cac:AdditionalDocumentReference><cbc:ID>B-{n:06d}</cbc:ID><cac:Attachment>
<cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="B-{n:06d}.pdf">{pdf}</cbc:EmbeddedDocumentBinaryObject>
</cac:Attachment></cac:AdditionalDocumentReference>
<cac:AccountingSupplierParty><cac:Party><cbc:EndpointID schemeID="0106">{kvk}</cbc:EndpointID>
<cac:PartyName><cbc:Name>Benchmark B.V.</cbc:Name></cac:PartyName>
<cac:PostalAddress><cbc:StreetName>Voorbeeldlaan 1</cbc:StreetName><cbc:CityName>Utrecht</cbc:CityName>
<cbc:PostalZone>3511 AA</cbc:PostalZone><cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
<cac:PartyTaxScheme><cbc:CompanyID>{vat}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
<cac:PartyLegalEntity><cbc:RegistrationName>Benchmark B.V.</cbc:RegistrationName><cbc:CompanyID schemeID="0106">{kvk}</cbc:CompanyID></cac:PartyLegalEntity>
</cac:Party></cac:AccountingSupplierParty>
<cac:AccountingCustomerParty><cac:Party>
<cac:PartyName><cbc:Name>Koper {b}</cbc:Name></cac:PartyName>
<cac:PostalAddress><cbc:StreetName>Koperstraat {b}</cbc:StreetName><cbc:CityName>Amersfoort</cbc:CityName>
<cbc:PostalZone>3811 AB</cbc:PostalZone><cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
<cac:PartyLegalEntity><cbc:RegistrationName>Koper {b} B.V.</cbc:RegistrationName><cbc:CompanyID schemeID="0106">{buyer_kvk}</cbc:CompanyID></cac:PartyLegalEntity>
<cac:Contact><cbc:Name>Inkoper {b}</cbc:Name><cbc:ElectronicMail>inkoop{b}@koper.example</cbc:ElectronicMail></cac:Contact>
</cac:Party></cac:AccountingCustomerParty>
<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cbc:PaymentID>{n:016d}</cbc:PaymentID>
<cac:PayeeFinancialAccount><cbc:ID>NL02RABO0123456789</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
<cac:PaymentTerms><cbc:Note>30 dagen</cbc:Note></cac:PaymentTerms>
<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">{tax}</cbc:TaxAmount></cac:TaxTotal>
<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">{net}</cbc:LineExtensionAmount>
<cbc:TaxExclusiveAmount currencyID="EUR">{net}</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="EUR">{gross}</cbc:TaxInclusiveAmount>
<cbc:PayableAmount currencyID="EUR">{gross}</cbc:PayableAmount></cac:LegalMonetaryTotal>
{lines}</Invoice>
"""
LINE = """<cac:InvoiceLine><cbc:ID>{i}</cbc:ID><cbc:InvoicedQuantity unitCode="C62">1</cbc:InvoicedQuantity>
<cbc:LineExtensionAmount currencyID="EUR">{amount}</cbc:LineExtensionAmount>
<cac:Item><cbc:Name>Onderhoud installatie, regel {i}</cbc:Name><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID>
<cbc:Percent>21</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>
<cac:Price><cbc:PriceAmount currencyID="EUR">{amount}</cbc:PriceAmount></cac:Price></cac:InvoiceLine>
"""


def pdf_of_50kb() -> bytes:
    """A real one-page PDF (the Logius sample's) grown to 50 kB by a comment block."""
    import re

    text = (FIXTURE_PDF / "nlcius-logius__NLCIUS_e-factuur_vb_03b.xml").read_text()
    found = re.search(r'mimeCode\s*=\s*"application/pdf"[^>]*>([^<]+)<', text)
    assert found
    from base64 import b64decode

    pdf = b64decode(found.group(1))
    head, rest = pdf.split(b"\n", 1)
    padding = b"".join(b"%" + b"x" * 78 + b"\n" for _ in range(50_000 // 80))
    return head + b"\n" + padding + rest


def make_workbook(folder: Path) -> Path:
    book = generate_book(invoices=20_000, customers=5_000, agreements=500, contacts=5_000)
    # Half of the 300 buyers are customers already, with their KvK in Notities.
    customers = tuple(
        replace(c, notes=f"KvK {10_000_000 + i}") if i < 150 else c
        for i, c in enumerate(book.customers)
    )
    book = replace(
        book, customers=customers, settings=replace(book.settings, kvk=KVK, vat_number=VAT)
    )
    path = folder / "basis.xlsx"
    write_book(book, path)
    return path


def make_ubl(folder: Path, count: int) -> Path:
    out = folder / "ubl"
    out.mkdir(parents=True, exist_ok=True)
    pdf = b64encode(pdf_of_50kb()).decode()
    issue = date(2026, 11, 1)
    for n in range(count):
        b = n % 300
        amounts = [f"{(n * 7 + i * 13) % 900 + 100}.00" for i in range(12)]
        net = sum(int(a[:-3]) for a in amounts)
        tax = round(net * 0.21, 2)
        lines = "".join(LINE.format(i=i + 1, amount=a) for i, a in enumerate(amounts))
        (out / f"B-{n:06d}.xml").write_text(
            UBL.format(
                n=n, b=b, issue=(issue + timedelta(days=n % 20)).isoformat(), pdf=pdf,
                kvk=KVK, vat=VAT, buyer_kvk=10_000_000 + b, net=f"{net}.00", tax=f"{tax:.2f}",
                gross=f"{net + tax:.2f}", lines=lines,
            ),
            encoding="utf-8",
        )  # fmt: skip
    return out


def make_csv(folder: Path, rows: int, customers: list[str]) -> Path:
    path = folder / "openstaand.csv"
    with path.open("w", encoding="cp1252", newline="") as out:
        out.write("Factuurnr.;Debiteur;Factuurdatum;Vervaldatum;Bedrag;Openstaand\r\n")
        for n in range(rows):
            day = date(2026, 1, 1) + timedelta(days=n % 300)
            amount = f"{(n * 37) % 90000 + 100:,}".replace(",", ".") + f",{n % 100:02d}"
            out.write(
                f"L-{n:06d};{customers[n % len(customers)]};{day.day}-{day.month}-{day.year};"
                f"{(day + timedelta(days=30)).strftime('%d-%m-%Y')};{amount};{amount}\r\n"
            )
    return path


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def one_run(base: Path, work: Path, source: Path) -> dict[str, float | int]:
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    book_path = work / "Debiteuren.xlsx"
    shutil.copyfile(base, book_path)
    t_read, (book, _) = timed(lambda: read_book(book_path))  # type: ignore[misc]
    t_job, result = timed(lambda: import_invoices(book, book_path, [source], {}))
    t_pdf, _ = timed(lambda: save_pdfs(result.pdfs))  # type: ignore[attr-defined]
    t_write, _ = timed(lambda: apply_patch(book_path, result.patch, backup=False))  # type: ignore[attr-defined]
    return {
        "total": t_read + t_job + t_pdf + t_write,
        "read": t_read,
        "job": t_job,
        "pdf": t_pdf,
        "write": t_write,
        "invoices": result.invoices_added,  # type: ignore[attr-defined]
        "customers": result.customers_added,  # type: ignore[attr-defined]
        "pdfs": result.pdfs_saved,  # type: ignore[attr-defined]
        "skipped": len(result.skipped),  # type: ignore[attr-defined]
    }


def report(label: str, runs: list[dict[str, float | int]], target: float) -> None:
    med = {
        k: statistics.median(r[k] for r in runs) for k in ("total", "read", "job", "pdf", "write")
    }
    last = runs[-1]
    print(
        f"{label}: {last['invoices']} facturen, {last['customers']} nieuwe klanten, "
        f"{last['pdfs']} PDF's, {last['skipped']} overgeslagen\n"
        f"  mediaan {med['total']:.2f} s, minimum {min(r['total'] for r in runs):.2f} s "
        f"(werkmap lezen {med['read']:.2f} s, inlezen en koppelen {med['job']:.2f} s, "
        f"PDF's {med['pdf']:.2f} s, schrijven {med['write']:.2f} s); doel <= {target:.0f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--herhaal", type=int, default=3)
    parser.add_argument("--map", type=Path, default=Path("/tmp/bench-import"))
    parser.add_argument("--ubl", type=int, default=1000)
    parser.add_argument("--regels", type=int, default=100_000)
    args = parser.parse_args(argv)
    folder: Path = args.map
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / "basis.xlsx"
    if not base.exists():
        print("werkmap met 20.000 facturen maken...", flush=True)
        base = make_workbook(folder)
    ubl = make_ubl(folder, args.ubl)
    sizes = [p.stat().st_size for p in ubl.glob("*.xml")]
    print(f"UBL: {len(sizes)} bestanden, gemiddeld {statistics.mean(sizes) / 1024:.0f} kB "
          f"(met PDF van 50 kB), samen {sum(sizes) / 1e6:.0f} MB")  # fmt: skip
    runs = [one_run(base, folder / "werk", ubl) for _ in range(args.herhaal)]
    report("UBL", runs, 10)
    customers = [c.number for c in read_book(base)[0].customers]
    csv_path = make_csv(folder, args.regels, customers)
    print(f"CSV: {args.regels} regels, {csv_path.stat().st_size / 1e6:.1f} MB")
    runs = [one_run(base, folder / "werk", csv_path) for _ in range(args.herhaal)]
    report("CSV", runs, 3)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
