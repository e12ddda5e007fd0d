"""The hand-over file for a collection agency: one folder and one ZIP per customer.

Contents (PLAYBOOK L8: a complete file): the claim statement as PDF (addressed to the
Incassobureau of Instellingen) and CSV, the invoice copies, every letter the contact log
names with its date, the contact log, the promises and arrangements, and the bank
payments of the customer. CSV files use `;` and Dutch number and date text, so Dutch Excel
opens them as they are; text that a spreadsheet would run as a formula is quoted.

Documents are only taken from inside Factuurmap or the workbook's folder (documents.py).
The folder is built under a temporary name and then put in place, an earlier dossier of the
same name kept aside until the run is done, so a failed run leaves the output folder as it
was: no half-made file, no folder it made.

Example::

    make_handover(book, Path("Debiteuren.xlsx"), "K013", date(2026, 11, 24), Path("uit"), rates)
    -> uit/Overdracht K013 Schildersbedrijf De Kwast 2026-11-24/  and  ...2026-11-24.zip
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from errno import EEXIST, EISDIR
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from addin.adapters.documents.paths import find_document, roots_for, safe_name
from addin.adapters.documents.pdf_text import drawable_text
from addin.adapters.tempfiles import EARLIER, make_folder, make_staging, remove_folders
from addin.core.claims import ClaimStatement, claim_statement
from addin.core.interest import InterestKind, Rate
from addin.core.model import Book, Channel, Special
from addin.core.money import ZERO, format_amount, format_eur
from addin.core.texts import nl_date

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Handover:
    """What was made: the folder, the ZIP, the files in it, and documents not found."""

    folder: Path
    archive: Path
    files: tuple[str, ...]
    statement: ClaimStatement
    missing: tuple[str, ...]


# A file's name inside the dossier, which itself has a name of up to 80 characters: every
# path in it stays under 150, so a dossier unpacked in a folder of up to 110 characters stays
# under Windows' MAX_PATH of 260 (Explorer and Python without the long-paths policy).
NAME_IN_DOSSIER = 40


def _free(files: dict[str, bytes | Path], stem: str, suffix: str) -> str:
    """`stem + suffix`, or `stem (2) + suffix` and so on when that name is taken, compared
    without case: invoice numbers safe_name makes alike ("2025/1", "2025:1"), or that differ
    only in case (one file when the ZIP is unpacked on Windows or macOS)."""
    taken = {k.casefold() for k in files}
    name, n = stem + suffix, 2
    while name.casefold() in taken:
        name, n = f"{stem} ({n}){suffix}", n + 1
    return name


def cell(value: object) -> str:
    """CSV text: Dutch dates and amounts; outside text never starts like a formula."""
    if value is None:
        return ""
    if isinstance(value, date):
        return nl_date(value)
    if isinstance(value, Decimal):
        return format_amount(value)
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8


def statement_rows(s: ClaimStatement) -> list[list[object]]:
    rows: list[list[object]] = []
    for line in s.lines:
        invoice = [line.invoice, line.invoice_date, line.due, line.amount, line.paid,
                   line.credited, line.open_principal]  # fmt: skip
        for p in line.interest.periods:
            rows.append([*invoice, p.start, p.end, p.days, p.percent, p.base, p.interest])
        if not line.interest.periods:
            rows.append([*invoice, None, None, 0, None, None, Decimal("0.00")])
    return rows


def total_rows(s: ClaimStatement) -> list[list[object]]:
    """The claim's totals as the PDF states them, under the periods, so the agency's
    spreadsheet has the collection costs and the total too. No empty line before them: a
    reader that takes each row's first field would stop there."""
    rows: list[list[object]] = [["Hoofdsom", s.principal], ["Wettelijke rente", s.interest]]
    if s.costs is not None:
        rows.append(["Buitengerechtelijke incassokosten", s.costs.fee])
        if s.costs.vat_applied:
            rows.append(["BTW over incassokosten", s.costs.vat])
    rows.append(["Totaal", s.total])
    return rows


STATEMENT_HEADER = (
    "Factuur",
    "Factuurdatum",
    "Vervaldatum",
    "Bedrag",
    "Betaald",
    "Verrekend",
    "Open hoofdsom",
    "Rente van",
    "Rente tot en met",
    "Dagen",
    "Rentepercentage",
    "Grondslag",
    "Rente",
)


def interest_notes(s: ClaimStatement) -> list[str]:
    """What the periods alone do not tell the agency, per invoice: interest added to the base
    on each anniversary, and interest already paid (the periods add up to more than the
    open interest, and Bedrag - Betaald - Verrekend to less than the open principal, because
    a payment or set-off settles interest before principal, art. 6:44 BW)."""
    law = "art. 6:119a lid 3 BW" if s.kind is InterestKind.COMMERCIAL else "art. 6:119 lid 2 BW"
    notes = []
    for line in s.lines:
        r = line.interest
        for day, amount in r.capitalised:
            notes.append(
                f"Factuur {line.invoice}: op {nl_date(day)} is {format_eur(amount)} rente bij de "
                f"grondslag opgeteld ({law})."
            )
        settled = r.total - r.open_interest
        if settled > ZERO:
            notes.append(
                f"Factuur {line.invoice}: van de rente ({format_eur(r.total)}) is "
                f"{format_eur(settled)} voldaan door betalingen of verrekening, die eerst de "
                f"rente en dan de hoofdsom aflossen (art. 6:44 BW); open is "
                f"{format_eur(r.open_interest)}."
            )
    return notes


def statement_pdf(s: ClaimStatement, book: Book, documents: Sequence[str]) -> bytes:
    """The claim statement on A4, addressed to the collection agency."""
    styles = getSampleStyleSheet()
    body, small = styles["BodyText"], styles["BodyText"].clone("small", fontSize=8, leading=10)

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(escape(drawable_text(text)).replace("\n", "<br/>"), style)

    settings = book.settings
    agency = settings.collection_agency.replace(",", "\n") or "Incassobureau"
    sender = "\n".join(
        x
        for x in (
            settings.company_name,
            settings.address,
            f"{settings.postcode} {settings.city}".strip(),
        )
        if x
    )
    law = "art. 6:119a BW (handelsrente)" if s.kind is InterestKind.COMMERCIAL else "art. 6:119 BW"
    c = s.customer
    story: list[object] = [
        para(sender),
        Spacer(1, 8 * mm),
        para(agency),
        Spacer(1, 8 * mm),
        para(f"Datum: {nl_date(s.as_of)}"),
        Paragraph(
            f"<b>Overdracht vordering: {escape(drawable_text(f'{c.name} ({c.number})'))}</b>", body
        ),
        Spacer(1, 4 * mm),
        para(
            "Debiteur: "
            + ", ".join(
                x
                for x in (
                    c.name,
                    c.address,
                    f"{c.postcode} {c.city}".strip(),
                    c.country,
                    c.email,
                    c.phone,
                )
                if x
            )
        ),
        para(
            f"Soort: {c.kind.value}. Wettelijke rente volgens {law}, tot en met {nl_date(s.as_of)}."
        ),
        Spacer(1, 4 * mm),
    ]
    # The column Verrekend only where credit notes were set off (art. 6:127 BW).
    credited = bool(s.set_off)
    table = [
        ["Factuur", "Factuurdatum", "Vervaldatum", "Bedrag", "Betaald"]
        + (["Verrekend"] if credited else [])
        + ["Open", "Rente"]
    ]
    for line in s.lines:
        table.append(
            [
                drawable_text(line.invoice),
                nl_date(line.invoice_date),
                nl_date(line.due),
                format_amount(line.amount),
                format_amount(line.paid),
            ]
            + ([format_amount(line.credited)] if credited else [])
            + [format_amount(line.open_principal), format_amount(line.interest.open_interest)]
        )
    grid = Table(table, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
            ]
        )
    )
    story += [grid, Spacer(1, 4 * mm)]
    for part in s.set_off:
        story.append(
            para(
                f"Verrekend met creditnota {part.credit_note}: {format_eur(part.amount)} van "
                f"factuur {part.invoice}, per {nl_date(part.day)} (art. 6:127 en 6:129 BW: "
                "vanaf die dag loopt over dit deel geen rente).",
                small,
            )
        )
    if s.credit_left > ZERO:
        story.append(
            para(
                f"Van de creditnota's blijft {format_eur(s.credit_left)} over; dat is niet "
                "verrekend.",
                small,
            )
        )
    if s.set_off:
        story.append(Spacer(1, 4 * mm))
    periods = [["Factuur", "Van", "Tot en met", "Dagen", "%", "Grondslag", "Rente"]]
    for line in s.lines:
        for p in line.interest.periods:
            periods.append(
                [
                    drawable_text(line.invoice),
                    nl_date(p.start),
                    nl_date(p.end),
                    str(p.days),
                    format_amount(p.percent),
                    format_amount(p.base),
                    format_amount(p.interest),
                ]
            )
    if len(periods) > 1:
        rent = Table(periods, repeatRows=1)
        rent.setStyle(
            TableStyle(
                [
                    ("FONTSIZE", (0, 0), (-1, -1), 7),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                    ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
                ]
            )
        )
        story += [para("Rente per periode:"), rent, Spacer(1, 2 * mm)]
        story += [para(note, small) for note in interest_notes(s)]
        story.append(Spacer(1, 4 * mm))
    costs = s.costs
    totals = [
        ["Hoofdsom", format_amount(s.principal)],
        ["Wettelijke rente", format_amount(s.interest)],
    ]
    if costs is not None:
        totals.append(["Buitengerechtelijke incassokosten", format_amount(costs.fee)])
        if costs.vat_applied:
            totals.append(["BTW over incassokosten", format_amount(costs.vat)])
    totals.append(["Totaal", format_amount(s.total)])
    summary = Table(totals)
    summary.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
            ]
        )
    )
    story += [summary, Spacer(1, 2 * mm), para(s.costs_note, small)]
    for number, reason in s.left_out:
        story.append(para(f"Niet overgedragen: factuur {number} ({reason}).", small))
    story += [
        Spacer(1, 4 * mm),
        para("Bijgevoegd: " + (", ".join(documents) or "geen documenten"), small),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        title=f"Overdracht {c.number}",
        author=settings.company_name,
        invariant=1,
    )
    doc.build(story)
    return out.getvalue()


# Where the claim on an insolvent customer goes instead: to the trustee (PLAYBOOK Q3, after
# the Faillissementswet; the same route as the engine's intern-oplossen, rules.py).
INSOLVENCY_ROUTE = {
    Special.BANKRUPTCY: "dien de vordering in bij de curator",
    Special.DEBT_RESTRUCTURING: "dien de vordering in bij de bewindvoerder",
}


class NothingToHandOver(ValueError):
    """The customer has no overdue open invoice outside a dispute on the date: no claim."""


class DossierNotWritten(Exception):
    """A file or folder of the dossier could not be written; nothing of it was left."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(f"{path}: {error}")
        self.path = path
        self.error = error


class EarlierNotPutBack(Exception):
    """The run failed, and the earlier dossier it had moved aside could not go back in
    place (the new one could not be taken away): `stranded` says where it is now, as
    (its name, where it waits). `failure` is what stopped the run."""

    def __init__(self, failure: BaseException, stranded: tuple[tuple[Path, Path], ...]) -> None:
        super().__init__("; ".join(f"{final} -> {where}" for final, where in stranded))
        self.failure = failure
        self.stranded = stranded


def make_handover(
    book: Book,
    workbook: Path,
    customer: str,
    as_of: date,
    out_dir: Path,
    rates: Sequence[Rate],
    record: Callable[[Handover], None] | None = None,
) -> Handover:
    """Build the hand-over folder and ZIP for one customer (see the module docstring).
    Raises NothingToHandOver, before any file is made, when there is no claim.

    `record` (the CLI's log row) is called once the dossier is in place. A run that fails
    (a file that cannot be written, a name in the way, `record` raising) leaves the output
    folder as it was: no new dossier, an earlier one of the same name put back, no folder
    it made; a write failure is raised as DossierNotWritten. When the earlier dossier
    cannot be put back (the new one could not be taken away) EarlierNotPutBack says where
    it waits; the next run's tempfiles.recover_staging puts it back once its name is free."""
    statement = claim_statement(book, customer, as_of, rates)
    c = statement.customer
    if c.special is not None:
        # Insolvency (PLAYBOOK Q3): the claim goes to the trustee; an agency's dossier with
        # collection costs on top would be the wrong route.
        raise NothingToHandOver(
            f"Klant {c.number} ({c.name}) heeft in Klanten de Bijzonderheid "
            f"{c.special.value}: {INSOLVENCY_ROUTE[c.special]}, niet aan een incassobureau. "
            "Er is niets gemaakt."
        )
    if statement.lines and statement.principal + statement.interest <= ZERO:
        raise NothingToHandOver(
            f"De open creditnota's van klant {c.number} ({c.name}) dekken op "
            f"{nl_date(as_of)} de vervallen facturen: er is niets over te dragen; er is "
            "niets gemaakt."
        )
    if not statement.lines:
        # A dossier of EUR 0,00 would ask the agency to collect nothing.
        why = "".join(f"; factuur {n}: {reason}" for n, reason in statement.left_out)
        which = " die over te dragen zijn" if statement.left_out else ""
        raise NothingToHandOver(
            f"Klant {c.number} ({c.name}) heeft op {nl_date(as_of)} geen vervallen "
            f"openstaande facturen{which}{why}: er is niets over te dragen; er is niets "
            "gemaakt."
        )
    roots = roots_for(workbook, book.settings, "invoice_dir")
    files: dict[str, bytes | Path] = {}
    missing: list[str] = []
    invoices = {i.number: i for i in book.invoices if i.customer == customer}
    for line in statement.lines:
        pdf = invoices[line.invoice].pdf
        if pdf:
            found = find_document(pdf, roots)
            if found.path is not None:
                files[
                    _free(
                        files,
                        f"facturen/{safe_name(line.invoice, NAME_IN_DOSSIER)}",
                        found.path.suffix,
                    )
                ] = found.path
            else:
                missing.append(f"factuur {line.invoice}: {found.reason}")
    contacts = [x for x in book.contacts if x.customer == customer]
    for k, contact in enumerate(contacts, start=1):
        # An earlier hand-over's Document is that dossier's ZIP, no letter: copied into this
        # one it nested every earlier dossier (or, outside the folders, was 'missing').
        if contact.document and contact.channel is not Channel.HANDOVER:
            found = find_document(contact.document, roots)
            if found.path is not None:
                day = contact.date.isoformat()
                # a letter Debiteuren made is named after its date already: once is enough
                stem = found.path.stem.removeprefix(f"{day} ")
                name = f"brieven/{day} {k:03d} {safe_name(stem, NAME_IN_DOSSIER)}"
                files[name + found.path.suffix] = found.path
            else:
                missing.append(f"brief van {nl_date(contact.date)}: {found.reason}")
    files["contacten.csv"] = csv_bytes(
        (
            "Datum",
            "Facturen",
            "Kanaal",
            "Met",
            "Doel",
            "Uitkomst",
            "Vervolgdatum",
            "Door",
            "Stap",
            "Document",
        ),
        (
            [
                x.date,
                ", ".join(x.invoices),
                x.channel.value,
                x.person,
                x.goal,
                x.outcome.value if x.outcome else "",
                x.follow_up,
                x.by,
                x.step,
                x.document,
            ]
            for x in contacts
        ),
    )
    files["afspraken.csv"] = csv_bytes(
        (
            "Afspraak",
            "Soort",
            "Facturen",
            "Datum afspraak",
            "Bedrag",
            "Betaaldatum",
            "Aantal termijnen",
            "Termijnbedrag",
            "Interval",
            "Bevestiging verstuurd",
            "Getekend retour",
            "Notities",
        ),
        (
            [
                a.id,
                a.kind.value,
                ", ".join(a.invoices),
                a.agreed_on,
                a.amount,
                a.first_date,
                a.instalments,
                a.instalment_amount,
                a.interval.value,
                a.confirmation_sent,
                "Ja" if a.signed_returned else "Nee",
                a.notes,
            ]
            for a in book.agreements
            if a.customer == customer
        ),
    )
    files["betalingen.csv"] = csv_bytes(
        ("Datum", "Bedrag", "Factuur", "Tegenrekening", "Naam", "Omschrijving", "Status"),
        (
            [p.date, p.amount, p.invoice, p.counter_account, p.name, p.description, p.status.value]
            for p in book.payments
            if p.customer == customer or p.invoice in invoices
        ),
    )
    files["vordering.csv"] = csv_bytes(
        STATEMENT_HEADER, statement_rows(statement) + total_rows(statement)
    )
    # Everything else in the dossier, the CSVs too: "geen documenten" over a ZIP holding the
    # contact log, the payments and the claim per period misled the agency.
    enclosed = sorted(files)
    files["vordering.pdf"] = statement_pdf(statement, book, enclosed)

    # The date is kept whole after a long name is cut: a dossier of another day must not
    # get the same name (the folder of the same name is replaced).
    name = f"{safe_name(f'Overdracht {c.number} {c.name}', 68)} {as_of.isoformat()}"
    folder, archive = out_dir / name, out_dir / f"{name}.zip"
    try:
        for path, is_kind, reason in (
            (folder, Path.is_dir, EEXIST),
            (archive, Path.is_file, EISDIR),
        ):
            # An earlier dossier of this name is replaced; anything else is the user's.
            if path.is_symlink() or (path.exists() and not is_kind(path)):
                raise OSError(reason, os.strerror(reason), str(path))
        made = make_folder(out_dir)
    except OSError as exc:
        raise DossierNotWritten(_shown(exc, None, out_dir), exc) from exc
    try:
        # Named for this process: a later run knows whether the folder is still in use
        # (tempfiles.recover_staging).
        work = make_staging(out_dir)
    except OSError as exc:
        remove_folders(made)
        raise DossierNotWritten(_shown(exc, None, out_dir), exc) from exc
    handover = Handover(folder, archive, tuple(sorted(files)), statement, tuple(missing))
    # (final path, where its earlier version waits, whether the new one is in place)
    placed: list[tuple[Path, Path | None, bool]] = []
    try:
        staged = work / name
        for rel, content in files.items():
            target = staged / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Path):
                shutil.copyfile(content, target)
            else:
                target.write_bytes(content)
        staged_zip = work / archive.name
        with zipfile.ZipFile(staged_zip, "w", zipfile.ZIP_DEFLATED) as z:
            for rel in sorted(files):
                z.write(staged / rel, f"{name}/{rel}")
        for new, final in ((staged, folder), (staged_zip, archive)):
            earlier = None
            if final.exists():
                earlier = work / f"{EARLIER}{final.name}"
                final.replace(earlier)
            placed.append((final, earlier, False))
            new.replace(final)
            placed[-1] = (final, earlier, True)
        if record is not None:
            # Still undoable: the earlier dossier waits in the staging folder.
            record(handover)
    except BaseException as exc:
        # Nothing of this run stays: the new dossier goes, an earlier one comes back, and
        # so do the folders made for it (a half folder without its ZIP, or an empty
        # Uitvoermap, was left when a write failed half-way).
        # Best effort: a new dossier that cannot be taken away (a file held open on
        # Windows) keeps the earlier one from its place; that one then stays where it
        # waits, the staging folder stays with it, and the error says where it is.
        stranded: list[tuple[Path, Path]] = []
        for final, earlier, is_new in reversed(placed):
            if is_new:
                _take_away(final)
            if earlier is not None:
                try:
                    earlier.replace(final)
                except OSError:
                    stranded.append((final, earlier))
        if stranded:
            raise EarlierNotPutBack(exc, tuple(stranded)) from exc
        shutil.rmtree(work, ignore_errors=True)
        remove_folders(made)
        if isinstance(exc, OSError):
            raise DossierNotWritten(_shown(exc, work, out_dir), exc) from exc
        raise
    shutil.rmtree(work, ignore_errors=True)
    return handover


def _take_away(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _shown(exc: OSError, work: Path | None, out_dir: Path) -> Path:
    """The path to name in the message: where the failing file was to go, not the staging
    folder (".overdracht-..."), which means nothing to the user."""
    for text in (exc.filename, exc.filename2):
        if not text:
            continue
        path = Path(text)
        if work is None or not path.is_relative_to(work):
            return path
        rel = path.relative_to(work)
        # The staging folder holds the dossier's folder and ZIP under their final names,
        # and the earlier dossier ("eerder ...") while the new one is put in place.
        if rel.parts and not rel.parts[0].startswith("eerder "):
            return out_dir / rel
    return out_dir
