"""Time the invoice import (issue 15): the whole command as a user runs it, and where the
time goes inside it.

Targets, on the 2-core development machine:
- 1,000 UBL invoices of about 10 kB, each with a 50 kB embedded PDF: read, matched and
  appended to a workbook of 20,000 invoices in at most 10 s;
- a 100,000-row open-items CSV: parsed and appended in at most 3 s.

Usage: ``python benchmarks/bench_import.py [--herhaal 3] [--map /tmp/bench-import]
[--alleen ubl|csv] [--profiel ubl|csv]``.

Everything is generated, deterministically, outside the repository (once; reused while it
is there): a workbook of 20,000 invoices and 5,000 customers (benchmarks/generate.py),
1,000 e-invoices to 300 buyers (half of them already customers, matched by KvK in Notities;
the rest added), and the CSV (Windows-1252, semicolons, decimal commas, Dutch dates).

What is measured, each `--herhaal` times on a fresh copy of the workbook (no PDF folder, no
list memory):
- the command: ``python -m addin.cli importeer BOEK BESTANDEN --json`` as its own process:
  wall time, CPU time (user + system) and peak memory of that process (os.wait4's rusage);
  this is the figure the target is about;
- in-process, the same steps timed one by one (wall and CPU): reading the workbook
  (read_book), the job (import_invoices: parse, decide, match), saving the PDFs and the safe
  write-back (apply_patch);
- the floor, as in run_all.py: a process that only reads every sheet of the same workbook
  with python-calamine, before and after, so a busy minute on the shared machine shows as a
  slow floor too; each command's time is also printed as a ratio to it.
The load average (os.getloadavg) is printed at the start and the end.

`--profiel ubl` (or csv) instead runs the in-process steps once under cProfile with CPU time
(time.process_time) as its clock and prints the functions that cost most.

Example output (abridged)::

    | wat | wand | CPU | t.o.v. vloer | piekgeheugen | doel | gehaald |
    | vloer: python-calamine leest elk blad | 0.41 s | 0.40 s | 1.00x | 60 MB | | |
    | `importeer` 1000 UBL (1000 facturen, 150 klanten, 1000 PDF's) | 3.10 s | ... | <= 10 s | ja |
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from base64 import b64encode
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from addin.adapters.invoices.job import TABLES, import_invoices, save_pdfs
from addin.adapters.workbook.book_writer import write_book
from addin.adapters.workbook.reader import read_book
from addin.adapters.workbook.xlsx_patch import apply_patch
from benchmarks.generate import generate_book

KVK, VAT = "87654321", "NL876543210B01"
ROOT = Path(__file__).resolve().parents[1]
FIXTURE_PDF = ROOT / "tests/fixtures/ubl"

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
<cac:PayeeFinancialAccount><cbc:ID>NL44RABO0123456789</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
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
    if out.is_dir() and len(list(out.glob("*.xml"))) == count:
        return out  # made by an earlier run: the same files
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
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
    path = folder / f"openstaand-{rows}.csv"
    if path.exists():
        return path  # made by an earlier run: the same list
    partial = path.with_suffix(".deels")
    with partial.open("w", encoding="cp1252", newline="") as out:
        out.write("Factuurnr.;Debiteur;Factuurdatum;Vervaldatum;Bedrag;Openstaand\r\n")
        for n in range(rows):
            day = date(2026, 1, 1) + timedelta(days=n % 300)
            amount = f"{(n * 37) % 90000 + 100:,}".replace(",", ".") + f",{n % 100:02d}"
            out.write(
                f"L-{n:06d};{customers[n % len(customers)]};{day.day}-{day.month}-{day.year};"
                f"{(day + timedelta(days=30)).strftime('%d-%m-%Y')};{amount};{amount}\r\n"
            )
    partial.replace(path)
    return path


FLOOR = """
import sys
from python_calamine import CalamineWorkbook
wb = CalamineWorkbook.from_path(sys.argv[1])
for name in wb.sheet_names:
    wb.get_sheet_by_name(name).to_python()
"""


@dataclass
class Figures:
    """One row of the table: wall and CPU seconds and peak memory (KB) per run."""

    label: str
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak: list[int] = field(default_factory=list)
    note: str = ""

    def add(self, wall: float, cpu: float, peak: int = 0) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)
        if peak:
            self.peak.append(peak)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)


def process(argv: list[str], cwd: Path) -> tuple[float, float, int, bytes]:
    """(wall s, CPU s, peak RSS KB, stdout) of one child process, from os.wait4's rusage."""
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out_file, stderr=err_file, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    proc.returncode = code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} -> {code}: {err.decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out


def fresh(base: Path, work: Path) -> Path:
    """A copy of the workbook in an empty folder: no facturen/, no list memory, no backups."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    book_path = work / "Debiteuren.xlsx"
    shutil.copyfile(base, book_path)
    return book_path


def command_run(base: Path, work: Path, source: Path, figures: Figures) -> None:
    book_path = fresh(base, work)
    argv = [sys.executable, "-m", "addin.cli", "importeer", str(book_path), str(source), "--json"]
    wall, cpu, peak, out = process(argv, ROOT)
    summary = json.loads(out)
    figures.add(wall, cpu, peak)
    figures.note = (
        f"{summary['facturen_toegevoegd']} facturen, {summary['klanten_toegevoegd']} klanten, "
        f"{summary['pdfs_opgeslagen']} PDF's, {len(summary['overgeslagen'])} overgeslagen"
    )


STEPS = ("werkmap lezen", "inlezen en koppelen", "PDF's opslaan", "terugschrijven")


def steps_run(base: Path, work: Path, source: Path) -> dict[str, tuple[float, float]]:
    """The command's steps in this process, each as (wall s, CPU s)."""
    book_path = fresh(base, work)
    got: dict[str, tuple[float, float]] = {}

    def step(name: str, fn: Callable[[], object]) -> object:
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        got[name] = (time.perf_counter() - wall, time.process_time() - cpu)
        return result

    book = step(STEPS[0], lambda: read_book(book_path, TABLES)[0])
    result = step(STEPS[1], lambda: import_invoices(book, book_path, [source], {}))  # type: ignore[arg-type]
    step(STEPS[2], lambda: save_pdfs(result.pdfs))  # type: ignore[attr-defined]
    step(STEPS[3], lambda: apply_patch(book_path, result.patch))  # type: ignore[attr-defined]
    return got


def profile(base: Path, work: Path, source: Path, top: int = 30) -> None:
    """The in-process steps once under cProfile, CPU time as the clock."""
    book_path = fresh(base, work)

    def run() -> None:
        book, _ = read_book(book_path, TABLES)
        result = import_invoices(book, book_path, [source], {})
        save_pdfs(result.pdfs)
        apply_patch(book_path, result.patch)

    profiler = cProfile.Profile(time.process_time)
    cpu = time.process_time()
    profiler.runcall(run)
    print(f"CPU onder cProfile: {time.process_time() - cpu:.2f} s (belasting {load()})")
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"


HEADER = (
    "wat",
    "wand (mediaan)",
    "CPU (mediaan)",
    "t.o.v. vloer (wand / CPU)",
    "piekgeheugen",
    "doel",
    "gehaald",
)


def table(floor: Figures, rows: list[tuple[Figures, float | None]]) -> list[str]:
    base, base_cpu = floor.median, floor.median_cpu
    lines = [
        row(HEADER),
        row(("---", "---:", "---:", "---:", "---:", "---", "---")),
    ]
    for figures, target in [(floor, None), *rows]:
        label = figures.label + (f" ({figures.note})" if figures.note else "")
        peak = f"{max(figures.peak) / 1024:.0f} MB" if figures.peak else ""
        met = "" if target is None else ("ja" if figures.median <= target else "**nee**")
        lines.append(
            row((
                label, f"{figures.median:.2f} s", f"{figures.median_cpu:.2f} s",
                f"{figures.median / base:.2f}x / {figures.median_cpu / base_cpu:.2f}x", peak,
                f"<= {target:.0f} s" if target is not None else "", met,
            ))
        )  # fmt: skip
    return lines


def make_inputs(folder: Path, ubl_count: int, rows: int) -> None:
    """Write the missing inputs (run in a process of its own by `main`)."""
    folder.mkdir(parents=True, exist_ok=True)
    base = folder / "basis.xlsx"
    if not base.exists():
        print("werkmap met 20.000 facturen maken...", flush=True)
        make_workbook(folder)
    make_ubl(folder, ubl_count)
    customers = [c.number for c in read_book(base)[0].customers]
    make_csv(folder, rows, customers)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--herhaal", type=int, default=3)
    parser.add_argument("--map", type=Path, default=Path("/tmp/bench-import"))
    parser.add_argument("--ubl", type=int, default=1000)
    parser.add_argument("--regels", type=int, default=100_000)
    parser.add_argument("--alleen", choices=("ubl", "csv"), default=None)
    parser.add_argument("--profiel", choices=("ubl", "csv"), default=None)
    parser.add_argument("--maak-invoer", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    folder: Path = args.map
    if args.maak_invoer:
        make_inputs(folder, args.ubl, args.regels)
        return 0
    base, ubl = folder / "basis.xlsx", folder / "ubl"
    csv_path = folder / f"openstaand-{args.regels}.csv"
    if not (base.exists() and csv_path.exists() and ubl.is_dir()) or (
        len(list(ubl.glob("*.xml"))) != args.ubl
    ):
        # In a process of its own, so that this one stays small: a child's peak memory as
        # the kernel reports it (ru_maxrss) starts at its parent's resident size at spawn.
        subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--maak-invoer", "--map",
             str(folder), "--ubl", str(args.ubl), "--regels", str(args.regels)],
            check=True,
        )  # fmt: skip
    sizes = [p.stat().st_size for p in ubl.glob("*.xml")]
    print(f"UBL: {len(sizes)} bestanden, gemiddeld {statistics.mean(sizes) / 1024:.0f} kB "
          f"(met PDF van 50 kB), samen {sum(sizes) / 1e6:.0f} MB; "
          f"CSV: {args.regels} regels, {csv_path.stat().st_size / 1e6:.1f} MB")  # fmt: skip
    sources: dict[str, tuple[Path, str, float]] = {}
    if args.alleen in (None, "ubl") or args.profiel == "ubl":
        sources["ubl"] = (ubl, f"{len(sizes)} UBL-bestanden", 10.0)
    if args.alleen in (None, "csv") or args.profiel == "csv":
        sources["csv"] = (csv_path, f"CSV van {args.regels} regels", 3.0)
    work = folder / "werk"
    if args.profiel:
        profile(base, work, sources[args.profiel][0])
        return 0

    print(f"belasting bij het begin: {load()}", flush=True)
    floor = Figures("vloer: python-calamine leest elk blad")
    floor_argv = [sys.executable, "-c", FLOOR, str(base)]
    for _ in range(args.herhaal):
        wall, cpu, peak, _ = process(floor_argv, ROOT)
        floor.add(wall, cpu, peak)
    rows: list[tuple[Figures, float | None]] = []
    for source, label, target in sources.values():
        command = Figures(f"`importeer` {label}")
        for _ in range(args.herhaal):
            command_run(base, work, source, command)
            print(f"  {command.label}: {command.wall[-1]:.2f} s (CPU {command.cpu[-1]:.2f} s)",
                  file=sys.stderr, flush=True)  # fmt: skip
        rows.append((command, target))
    for _ in range(args.herhaal):
        wall, cpu, peak, _ = process(floor_argv, ROOT)
        floor.add(wall, cpu, peak)
    # The steps in this process last: they make it big, which would show in the children.
    breakdowns: list[str] = []
    for key, (source, _, _) in sources.items():
        runs = [steps_run(base, work, source) for _ in range(args.herhaal)]
        parts = ", ".join(
            f"{name} {statistics.median(r[name][0] for r in runs):.2f} s "
            f"(CPU {statistics.median(r[name][1] for r in runs):.2f} s)"
            for name in STEPS
        )
        total = statistics.median(sum(w for w, _ in r.values()) for r in runs)
        total_cpu = statistics.median(sum(c for _, c in r.values()) for r in runs)
        breakdowns.append(
            f"- {key.upper()} in dit proces: samen {total:.2f} s (CPU {total_cpu:.2f} s): {parts}"
        )
    print(f"\nGemeten met `python benchmarks/bench_import.py --herhaal {args.herhaal}`, "
          f"belasting bij het einde {load()} ({os.cpu_count()} kernen). Mediaan van de "
          f"herhalingen; piekgeheugen van het proces zelf.\n")  # fmt: skip
    print("\n".join(table(floor, rows)))
    print()
    print("\n".join(breakdowns))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
