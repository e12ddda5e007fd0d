"""The hand-over file on real files: workbook written to disk, invoice PDFs made with
reportlab, the CLI run, the ZIP opened, the CSVs and the claim PDF read back (pypdf)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from addin.adapters.rates import load_rates
from addin.adapters.workbook.book_writer import write_book
from addin.cli import main
from addin.core.claims import claim_statement
from tests.core.booktext import book

BOOK = """
[klanten]
| klant | naam                | soort       | adres       | postcode | plaats  |
| K1    | =HYPERLINK("x") BV  | Zakelijk    | Dorpsweg 1  | 1234 AB  | Utrecht |
| P1    | M. de Vries         | Particulier | Kerkplein 2 | 2345 BC  | Leiden  |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag  | factuur-pdf    | geschil |
| F1      | K1    | 2025-03-01   | 2025-03-31  | 1000.00 | F1.pdf         |         |
| F2      | K1    | 2025-03-01   | 2025-03-31  | 500.00  | ../geheim.pdf  |         |
| F3      | K1    | 2025-03-01   | 2025-03-31  | 200.00  |                | klacht  |
| F4      | P1    | 2025-03-01   | 2025-03-31  | 300.00  |                |         |
[betalingen]
| datum      | bedrag | factuur | klant | status    |
| 2025-05-01 | 100.00 | F2      | K1    | Gekoppeld |
[contacten]
| datum      | klant | facturen | kanaal | stap        | document                |
| 2025-04-02 | K1    | F1, F2   | Brief  | Herinnering | brieven/herinnering.pdf |
"""


# The sender's details overdracht requires (core.sender).
SENDER = {
    "address": "Industrieweg 1",
    "postcode": "9700 AB",
    "city": "Groningen",
    "email": "debiteuren@test.nl",
    "iban": "NL91ABNA0417164300",
}


def _pdf(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, text)
    c.save()


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    root = tmp_path / "boek"
    path = root / "Debiteuren.xlsx"
    root.mkdir()
    write_book(
        book(
            BOOK,
            company_name="Installatiebedrijf Test BV",
            collection_agency="Incasso Noord BV, Postbus 1, 9700 AA Groningen",
            invoice_dir="facturen",
            **SENDER,
        ),
        path,
    )
    _pdf(root / "facturen" / "F1.pdf", "Factuur F1 origineel")
    _pdf(tmp_path / "geheim.pdf", "mag niet mee")
    _pdf(root / "brieven" / "herinnering.pdf", "Herinnering van 2 april")
    return path


def _written(tmp_path: Path, text: str, **settings: object) -> Path:
    """`text` (tests/core/booktext.py) as tmp_path/Debiteuren.xlsx, sent by Test BV."""
    path = tmp_path / "Debiteuren.xlsx"
    write_book(book(text, company_name="Test BV", **SENDER, **settings), path)
    return path


def run(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().out


def test_business_claim_is_i1_plus_costs():
    # notes/LEGAL.md I1: EUR 1,000 due 31-3-2025, paid 30-6-2025: 91 days at 11.15% = 27.80;
    # costs 15% of 1,000 = 150.00 (Besluit BIK art. 2).
    b = book("""
    [klanten]
    | klant | naam | soort    |
    | K1    | A BV | Zakelijk |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag  |
    | F1      | K1    | 2025-03-01   | 2025-03-31  | 1000.00 |
    """)
    s = claim_statement(b, "K1", date(2025, 6, 30), load_rates())
    got = (s.principal, s.interest, s.costs.total, s.total)
    assert got == (Decimal("1000.00"), Decimal("27.80"), Decimal("150.00"), Decimal("1177.80"))
    (period,) = s.lines[0].interest.periods
    assert (period.start, period.end, period.days) == (date(2025, 4, 1), date(2025, 6, 30), 91)


def test_handover_zip_holds_the_complete_file(capsys, workbook, tmp_path):
    out = tmp_path / "uit"
    code, text = run(
        capsys, "overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit", out, "--json"
    )
    data = json.loads(text)
    assert code == 0
    assert data["facturen"] == ["F1", "F2"]  # F3 is disputed: left out, and said so
    assert data["niet_overgedragen"] == [{"factuur": "F3", "reden": "geschil: klacht"}]
    # The 100.00 paid on F2 on 1-5-2025 settles the interest run until then first (1-4 to
    # 1-5 inclusive: 31 days at 11.15% on 500.00 = 4.73; art. 6:44 BW), so 95.27 goes to
    # the principal: 1,000.00 + 404.73. Costs: 375 + 10% of the rest = 210.71.
    assert (data["hoofdsom"], data["incassokosten"]) == ("1404.73", "210.71")
    archive = Path(data["zip"])
    assert archive.exists() and Path(data["map"]).is_dir()
    with zipfile.ZipFile(archive) as z:
        names = {n.split("/", 1)[1] for n in z.namelist()}
        assert {
            "vordering.pdf",
            "vordering.csv",
            "contacten.csv",
            "afspraken.csv",
            "betalingen.csv",
            "facturen/F1.pdf",
        } <= names
        assert any(n.startswith("brieven/2025-04-02") for n in names)
        assert not any("geheim" in n for n in names)  # outside the invoice folder: refused
        root = z.namelist()[0].split("/", 1)[0]
        copy = PdfReader(io.BytesIO(z.read(f"{root}/facturen/F1.pdf")))
        assert "Factuur F1 origineel" in copy.pages[0].extract_text()
        claim = PdfReader(io.BytesIO(z.read(f"{root}/vordering.pdf")))
        pdf_text = " ".join(p.extract_text() for p in claim.pages)
        contacts = z.read(f"{root}/contacten.csv").decode("utf-8-sig")
        statement = z.read(f"{root}/vordering.csv").decode("utf-8-sig")
    assert "Incasso Noord BV" in pdf_text and "Groningen" in pdf_text
    assert "1.404,73" in pdf_text and "210,71" in pdf_text
    assert "Niet overgedragen: factuur F3 (geschil: klacht)" in pdf_text
    assert any("geheim.pdf" in m and "buiten de factuurmap" in m for m in data["ontbreekt"])
    rows = list(csv.reader(io.StringIO(contacts), delimiter=";"))
    assert rows[0][0] == "Datum" and rows[1][0] == "2-4-2025" and rows[1][8] == "Herinnering"
    lines = list(csv.reader(io.StringIO(statement), delimiter=";"))
    f2 = [r for r in lines if r[0] == "F2"]
    assert f2 and f2[0][4] == "100,00"  # Betaald column, Dutch amount


def test_consumer_gets_no_costs_without_a_fourteen_day_letter(capsys, workbook, tmp_path):
    code, text = run(
        capsys,
        "overdracht",
        workbook,
        "P1",
        "--datum",
        "2025-06-30",
        "--uit",
        tmp_path / "uit",
        "--json",
    )
    data = json.loads(text)
    assert code == 0
    assert data["incassokosten"] is None
    assert data["hoofdsom"] == "300.00"


def test_unknown_customer_is_refused(capsys, workbook, tmp_path):
    code = main(["overdracht", str(workbook), "K9", "--uit", str(tmp_path / "uit")])
    err = capsys.readouterr().err
    # A sentence, as every refusal: "Fout: Klantnummer ...", not "Fout: klantnummer ...".
    assert code == 2 and err.startswith("Fout: Klantnummer K9 staat niet in Klanten"), err
    assert not (tmp_path / "uit").exists()


@pytest.mark.parametrize(
    ("where", "exp_reason"),
    [
        ("bestand/uit", "een deel van het pad is een bestand, geen map"),
        ("bestand", "er staat al een bestand met die naam"),
    ],
    ids=["under-a-file", "a-file"],
)
def test_an_output_folder_that_cannot_be_written_is_a_dutch_message(
    capsys, workbook, tmp_path, where, exp_reason
):
    """--uit under a file or on one (as a folder without write rights): the message names
    the folder and the reason in Dutch, not Python's '[Errno 20]' and the staging folder's
    name."""
    (tmp_path / "bestand").write_text("geen map")
    before = workbook.read_bytes()
    listing = sorted(tmp_path.rglob("*"))
    uit = tmp_path / where
    code, text = run(
        capsys, "overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit", uit, "--json"
    )
    message = json.loads(text)["fout"]
    assert code == 2 and str(uit) in message and "Uitvoermap" in message, message
    assert exp_reason in message and "Errno" not in message and ".overdracht-" not in message, (
        message
    )
    assert workbook.read_bytes() == before and sorted(tmp_path.rglob("*")) == listing


def test_nothing_to_hand_over_is_refused_before_any_file(capsys, workbook, tmp_path):
    """Before the due date nothing of K1 is overdue: no dossier of € 0,00 for the agency
    (it was made, with exit 0), but a Dutch refusal, exit 2, no folder, nothing logged."""
    before = workbook.read_bytes()
    out = tmp_path / "uit"
    code, text = run(
        capsys, "overdracht", workbook, "K1", "--datum", "2025-03-15", "--uit", out, "--json"
    )
    message = json.loads(text)["fout"]
    assert code == 2 and "niets over te dragen" in message and "K1" in message, message
    assert not out.exists() and workbook.read_bytes() == before


@pytest.mark.parametrize("typed", [" K1 ", "k1"], ids=["spaces", "lower-case"])
def test_the_customer_number_as_typed_finds_its_customer(capsys, workbook, tmp_path, typed):
    """KLANTNUMMER typed with spaces around it or in other case is the one customer it can
    only mean (it was "staat niet in Klanten")."""
    code, text = run(
        capsys, "overdracht", workbook, typed, "--datum", "2025-06-30", "--uit", tmp_path / "u",
        "--proef", "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(text)["klant"] == "K1", text


def test_text_that_looks_like_a_formula_is_quoted_in_csv(capsys, workbook, tmp_path):
    # The customer's name starts with "=": a spreadsheet must not run it.
    from addin.adapters.documents.handover import cell

    assert cell('=HYPERLINK("x") BV') == '\'=HYPERLINK("x") BV'
    assert cell("-12") == "'-12"
    assert cell(Decimal("-1234.5")) == "-1.234,50"


def test_handover_is_logged_so_the_engine_stops(capsys, workbook, tmp_path):
    from addin.adapters.workbook.reader import read_book
    from addin.core.plan import plan_book

    out = tmp_path / "uit"
    code, text = run(
        capsys, "overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit", out, "--json"
    )
    assert code == 0 and json.loads(text)["gelogd"] is True
    b, _ = read_book(workbook)
    (row,) = [c for c in b.contacts if c.channel.value == "Overdracht"]
    assert (row.customer, row.invoices, row.person) == ("K1", ("F1", "F2"), "Incasso Noord BV")
    actions = {a.invoice: a for a in plan_book(b, date(2025, 7, 1)).actions}
    assert actions["F1"].action.value == "geen"
    assert "overgedragen aan Incasso Noord BV op 30-6-2025" in actions["F1"].reason


def test_handover_dry_run_leaves_the_workbook_alone(capsys, workbook, tmp_path):
    before = workbook.read_bytes()
    code, text = run(
        capsys, "overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit",
        tmp_path / "uit", "--proef", "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(text)["gelogd"] is False
    assert workbook.read_bytes() == before


def test_a_second_handover_logs_nothing_twice(capsys, workbook, tmp_path):
    """PLAYBOOK X1: the same hand-over again rebuilds the folder but logs no second row."""
    from addin.adapters.workbook.reader import read_book

    out = tmp_path / "uit"
    args = ("overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit", out, "--json")
    code, text = run(capsys, *args)
    assert code == 0 and json.loads(text)["gelogd_facturen"] == ["F1", "F2"]
    before = workbook.read_bytes()
    code, text = run(capsys, *args)
    data = json.loads(text)
    assert code == 0 and data["gelogd"] is False and data["gelogd_facturen"] == []
    assert Path(data["zip"]).exists()
    assert workbook.read_bytes() == before
    b, _ = read_book(workbook)
    assert len([c for c in b.contacts if c.channel.value == "Overdracht"]) == 1


def test_a_later_handover_logs_only_the_invoices_not_handed_over_before(capsys, tmp_path):
    from addin.adapters.workbook.reader import read_book

    text = BOOK.replace(
        "| 2025-04-02 | K1    | F1, F2   | Brief  | Herinnering | brieven/herinnering.pdf |",
        "| 2025-04-02 | K1    | F1, F2   | Brief  | Herinnering | brieven/herinnering.pdf |\n"
        "| 2025-06-01 | K1    | F1       | Overdracht |         |                         |",
    )
    path = _written(tmp_path, text, collection_agency="Incasso Noord BV")
    code, out = run(
        capsys, "overdracht", path, "K1", "--datum", "2025-06-30", "--uit", tmp_path / "uit",
        "--json",
    )  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["gelogd_facturen"] == ["F2"]
    b, _ = read_book(path)
    rows = [c.invoices for c in b.contacts if c.channel.value == "Overdracht"]
    assert rows == [("F1",), ("F2",)]


def test_a_name_the_pdf_font_cannot_draw_is_written_with_its_look_alike_letters(tmp_path):
    """The claim PDF uses the letters' base-14 font: 'Łódź' was drawn with black boxes."""
    from addin.adapters.documents.handover import statement_pdf

    b = book(
        """
    [klanten]
    | klant | naam                   | soort    |
    | K1    | Mehmet Yılmaz Łódź 😀 | Zakelijk |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag  |
    | F1      | K1    | 2025-03-01   | 2025-03-31  | 1000.00 |
    """,
        company_name="Installatiebedrijf Test BV",
    )
    s = claim_statement(b, "K1", date(2025, 6, 30), load_rates())
    text = PdfReader(io.BytesIO(statement_pdf(s, b, []))).pages[0].extract_text()
    assert "Overdracht vordering: Mehmet Yilmaz Lódz (K1)" in " ".join(text.split())


def test_a_letter_named_after_its_date_has_that_date_once_in_the_dossier(capsys, tmp_path):
    text = BOOK.replace(
        "| 2025-04-02 | K1    | F1, F2   | Brief  | Herinnering | brieven/herinnering.pdf |",
        "| 2025-04-02 | K1    | F1, F2   | Brief  | Herinnering | "
        "uitvoer/2025-04-02/2025-04-02 Herinnering K1.pdf |",
    )
    path = _written(tmp_path, text, collection_agency="Incasso Noord BV")
    _pdf(tmp_path / "uitvoer" / "2025-04-02" / "2025-04-02 Herinnering K1.pdf", "Herinnering")
    code, out = run(
        capsys, "overdracht", path, "K1", "--datum", "2025-06-30", "--uit", tmp_path / "uit",
        "--json",
    )  # fmt: skip
    assert code == 0
    with zipfile.ZipFile(json.loads(out)["zip"]) as z:
        letters = [n.split("/", 1)[1] for n in z.namelist() if "/brieven/" in n]
    assert letters == ["brieven/2025-04-02 001 Herinnering K1.pdf"]


SET_OFF = """
[klanten]
| klant | naam | soort    |
| K1    | A BV | Zakelijk |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag  |
| F2      | K1    | 2025-04-01   | 2025-04-30  | 400.00  |
| F1      | K1    | 2025-03-01   | 2025-03-31  | 1000.00 |
| C1      | K1    | 2025-05-15   | 2025-05-15  | -300.00 |
| C2      | K1    | 2025-07-01   | 2025-07-01  | -50.00  |
"""


def test_open_credit_notes_are_set_off_oldest_against_the_invoice_due_first():
    """The customer's open credit notes count against the claim (art. 6:127 BW): C1 against
    F1 (due first), from C1's date, when set-off could first be made (art. 6:129 lid 1 BW);
    C2 lies after the plan date and is left alone. The interest on F1 runs on 1,000.00
    until C1 and then on what is left, as after a payment that day (art. 6:44 BW); the
    collection costs are reckoned on the principal that remains."""
    b = book(SET_OFF)
    as_of = date(2025, 6, 30)
    rates = load_rates()
    s = claim_statement(b, "K1", as_of, rates)
    assert [line.invoice for line in s.lines] == ["F2", "F1"]  # workbook order
    (part,) = s.set_off
    assert (part.credit_note, part.invoice, part.day, part.amount) == (
        "C1", "F1", date(2025, 5, 15), Decimal("300.00"))  # fmt: skip
    f1 = s.lines[1]
    assert f1.credited == Decimal("300.00") and s.lines[0].credited == Decimal("0")
    without = claim_statement(
        book(SET_OFF.replace("| C1      | K1    | 2025-05-15   | 2025-05-15  | -300.00 |\n", "")),
        "K1",
        as_of,
        rates,
    )
    alone = without.lines[1].interest
    # 1-4 to 15-5 (45 days) at 11.15% on 1,000.00 = 13.75 is settled first, then the rest.
    assert f1.interest.open_principal == Decimal("1000.00") - (Decimal("300.00") - Decimal("13.75"))
    assert f1.interest.open_interest < alone.open_interest
    assert s.principal == f1.open_principal + Decimal("400.00")
    # Costs: 375 + 10% of the principal over 2,500 (Besluit BIK), on what remains.
    assert s.costs is not None and s.costs.fee < without.costs.fee
    assert s.credit_left == Decimal("0")


def test_credit_notes_covering_the_claim_leave_nothing_to_hand_over(capsys, tmp_path):
    """Credit notes that cover every overdue invoice, interest up to their day included:
    no dossier of EUR 0,00 (or of the EUR 40 minimum costs alone); nothing is made."""
    covered = SET_OFF.replace("-300.00", "-1900.00")
    path = _written(tmp_path, covered)
    before = path.read_bytes()
    args = ["overdracht", path, "K1", "--datum", "2025-06-30", "--uit", tmp_path / "uit"]
    assert main([str(a) for a in args]) == 2
    said = capsys.readouterr()
    assert "De open creditnota's van klant K1 (A BV) dekken op 30-6-2025" in said.err + said.out
    assert path.read_bytes() == before and not (tmp_path / "uit").exists()


def test_the_dossier_shows_the_set_off(capsys, tmp_path):
    path = _written(tmp_path, SET_OFF)
    code, text = run(
        capsys,
        "overdracht",
        path,
        "K1",
        "--datum",
        "2025-06-30",
        "--uit",
        tmp_path / "uit",
        "--json",
    )
    assert code == 0
    data = json.loads(text)
    assert data["verrekend"] == [
        {"creditnota": "C1", "factuur": "F1", "datum": "2025-05-15", "bedrag": "300.00"}
    ]
    with zipfile.ZipFile(data["zip"]) as z:
        names = {n.split("/", 1)[1]: n for n in z.namelist()}
        rows = list(
            csv.reader(
                io.StringIO(z.read(names["vordering.csv"]).decode("utf-8-sig")), delimiter=";"
            )
        )
        pdf = " ".join(
            " ".join(p.extract_text().split())
            for p in PdfReader(io.BytesIO(z.read(names["vordering.pdf"]))).pages
        )
    assert rows[0][4:7] == ["Betaald", "Verrekend", "Open hoofdsom"]
    assert next(r[5] for r in rows[1:] if r[0] == "F1") == "300,00"
    # the totals the PDF states, the costs among them (the CSV had no costs or total at all)
    at = [r[0] for r in rows].index("Hoofdsom")
    assert [r[0] for r in rows[at:]] == [
        "Hoofdsom", "Wettelijke rente", "Buitengerechtelijke incassokosten", "Totaal"
    ]  # fmt: skip
    assert rows[-2:] == [["Buitengerechtelijke incassokosten", "167,06"], ["Totaal", "1.298,29"]]
    assert (data["incassokosten"], data["totaal"]) == ("167.06", "1298.29")
    assert "Verrekend met creditnota C1: € 300,00 van factuur F1, per 15-5-2025" in pdf


CONSUMER = """
[klanten]
| klant | naam       | soort       | adres  | postcode | plaats |
| P1    | Jan Jansen | Particulier | Laan 2 | 2222 BB  | Zeist  |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag |
| F1      | P1    | 2025-03-01   | 2025-03-15  | 800.00 |
| F2      | P1    | 2025-05-01   | 2025-05-15  | 800.00 |
[contacten]
| datum      | klant | facturen | kanaal | stap               |
| 2025-04-01 | P1    | {about}  | Brief  | Veertiendagenbrief |
"""


@pytest.mark.parametrize("about", ["F1", ""], ids=["letter-names-F1", "letter-for-the-customer"])
def test_consumer_costs_only_on_the_claims_a_fourteen_day_letter_was_about(capsys, tmp_path, about):
    """Art. 6:96 lid 6 BW: a consumer owes collection costs on a claim only after a 14-day
    letter about that claim. The letter of 1-4-2025 (costs due from 18-4-2025) was about
    F1; F2 fell due on 15-5-2025, after it, and got no letter: the costs are 15% of F1's
    800.00 = 120.00, not 15% of 1,600.00 (they were)."""
    path = _written(tmp_path, CONSUMER.format(about=about))
    args = ["overdracht", path, "P1", "--datum", "2025-06-30", "--uit", tmp_path / "uit"]
    code, text = run(capsys, *args, "--json")
    data = json.loads(text)
    assert code == 0 and data["facturen"] == ["F1", "F2"]
    assert (data["hoofdsom"], data["incassokosten"]) == ("1600.00", "120.00")
    code, text = run(capsys, *args)
    assert "geen incassokosten over factuur F2: daarover is geen veertiendagenbrief" in text


def test_the_pdf_says_what_of_the_interest_was_paid_and_what_was_added_to_the_base(
    capsys, tmp_path
):
    """F1: 1,000.00 due 31-3-2025, 400.00 paid on 30-4-2025. The payment settles the 9.16
    interest first (art. 6:44 BW), so the periods add up to 9.16 + 11.35 = 20.51 while the
    claim states 11.35, and 1,000 - 400 is less than the open 609.16: the PDF says why.
    F2: due 31-1-2023, so on 1-2-2024 a year's interest (1,142.60 at 10.50/12.00/12.50%)
    was added to the base (art. 6:119a lid 3 BW). Before, neither was said anywhere."""
    text = """
    [klanten]
    | klant | naam | soort    |
    | K1    | A BV | Zakelijk |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag   |
    | F1      | K1    | 2025-03-01   | 2025-03-31  | 1000.00  |
    | F2      | K1    | 2023-01-01   | 2023-01-31  | 10000.00 |
    [betalingen]
    | datum      | bedrag | factuur | klant | status    |
    | 2025-04-30 | 400.00 | F1      | K1    | Gekoppeld |
    """
    path = _written(tmp_path, text)
    args = ["overdracht", path, "K1", "--datum", "2025-06-30", "--uit", tmp_path / "uit"]
    code, out = run(capsys, *args, "--json", "--proef")
    assert code == 0
    with zipfile.ZipFile(json.loads(out)["zip"]) as z:
        (name,) = [n for n in z.namelist() if n.endswith("vordering.pdf")]
        pdf = " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(z.read(name))).pages
        )
    assert (
        "Factuur F1: van de rente (€ 20,51) is € 9,16 voldaan door betalingen of verrekening, "
        "die eerst de rente en dan de hoofdsom aflossen (art. 6:44 BW); open is € 11,35."
    ) in pdf
    assert (
        "Factuur F2: op 1-2-2024 is € 1.142,60 rente bij de grondslag opgeteld "
        "(art. 6:119a lid 3 BW)."
    ) in pdf
    assert "minimaal € 40 (art. 6:96 lid 4 BW)" in pdf
    # no invoice copies or letters, but the CSVs are in the dossier (it said 'geen documenten')
    assert "Bijgevoegd: afspraken.csv, betalingen.csv, contacten.csv, vordering.csv" in pdf


RUNNING = """
[klanten]
| klant | naam    | soort    |
| K1    | Delta BV | Zakelijk |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag  |
| F1      | K1    | 2025-01-01   | 2025-01-31  | 3000.00 |
| F2      | K1    | 2025-02-01   | 2025-02-28  | 500.00  |
[afspraken]
| klant | facturen | soort   | datum afspraak | bedrag  | betaaldatum | aantal termijnen | interval |
| K1    | F1       | Regeling | 2025-06-01    | 3000.00 | 2025-06-15  | 6                | Maand    |
"""


@pytest.mark.parametrize(
    ("text", "day", "exp"),
    [
        (RUNNING, "2025-06-10", ["F2"]),  # F1's first instalment is still to come
        (RUNNING, "2025-06-30", ["F1", "F2"]),  # missed on 15-6: F1 is claimed again
        (
            RUNNING.replace("| F2      | K1    | 2025-02-01   | 2025-02-28  | 500.00  |\n", ""),
            "2025-06-10",
            None,
        ),
    ],
    ids=["running", "missed", "only-the-running-one"],
)
def test_invoices_under_a_running_arrangement_are_not_handed_over(capsys, tmp_path, text, day, exp):
    """A customer who keeps to an arrangement was handed over, charged the costs, and (logged
    as handed over) the arrangement was no longer followed. Like a disputed invoice, an
    invoice under a running promise or arrangement stays out of the dossier; with nothing
    else, nothing is made (exit 2, a Dutch message, the workbook untouched)."""
    path = _written(tmp_path, text)
    before = path.read_bytes()
    args = ["overdracht", path, "K1", "--datum", day, "--uit", tmp_path / "uit", "--json"]
    code = main([str(a) for a in args])
    said = capsys.readouterr()
    if exp is None:
        assert code == 2 and path.read_bytes() == before and not (tmp_path / "uit").exists()
        assert "factuur F1: regeling A1 loopt, volgende termijn 15-6-2025" in said.err + said.out
        return
    assert code == 0 and json.loads(said.out)["facturen"] == exp


def test_the_summary_names_the_invoices_left_out(capsys, workbook, tmp_path):
    """Only the PDF named the disputed invoice that stayed out; the owner reading the
    command's summary could not tell why F3 was missing."""
    args = ["overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit", tmp_path / "uit"]
    code, text = run(capsys, *args, "--proef")
    assert code == 0 and "  niet overgedragen: factuur F3 (geschil: klacht)" in text


@pytest.mark.parametrize(
    ("special", "route"),
    [("Faillissement", "de curator"), ("Schuldsanering", "de bewindvoerder")],
)
def test_an_insolvent_customer_is_not_handed_over(capsys, tmp_path, special, route):
    """PLAYBOOK Q3: a customer in bankruptcy or debt restructuring has the claim filed with
    the trustee. overdracht made an agency's dossier with collection costs anyway."""
    text = f"""
    [klanten]
    | klant | naam | soort    | bijzonderheid |
    | K1    | A BV | Zakelijk | {special}     |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag  |
    | F1      | K1    | 2025-03-01   | 2025-03-31  | 1000.00 |
    """
    path = _written(tmp_path, text)
    before = path.read_bytes()
    args = ["overdracht", path, "K1", "--datum", "2025-06-30", "--uit", tmp_path / "uit"]
    assert main([str(a) for a in args]) == 2
    said = capsys.readouterr()
    assert (
        f"Klant K1 (A BV) heeft in Klanten de Bijzonderheid {special}: dien de vordering in "
        f"bij {route}, niet aan een incassobureau. Er is niets gemaakt."
    ) in said.err
    assert path.read_bytes() == before and not (tmp_path / "uit").exists()


@pytest.mark.parametrize("inside", [True, False], ids=["uit-beside-the-workbook", "uit-elsewhere"])
def test_a_second_handover_holds_no_earlier_dossier(capsys, workbook, tmp_path, inside):
    """The first hand-over logs its ZIP as the Contacten row's Document. A second one took
    that row for a letter: beside the workbook it copied the earlier ZIP into brieven/ (each
    run nesting all earlier dossiers), elsewhere it named it as a letter not found."""
    out = (workbook.parent if inside else tmp_path) / "uit"
    args = ("overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit", out, "--json")
    assert run(capsys, *args)[0] == 0
    code, text = run(capsys, *args)
    data = json.loads(text)
    assert code == 0
    assert not [name for name in data["bestanden"] if name.endswith(".zip")], data["bestanden"]
    assert not [m for m in data["ontbreekt"] if "brief van 30-6-2025" in m], data["ontbreekt"]
    with zipfile.ZipFile(data["zip"]) as z:
        assert not [n for n in z.namelist() if n.endswith(".zip")]


def test_a_handover_that_cannot_be_logged_leaves_no_dossier(capsys, tmp_path):
    """Something under tblContacten stops the log row. The dossier stayed (exit 2, 'het
    dossier staat klaar'), unlogged: sent to the agency, while the engine kept planning
    reminders for its invoices. Now the run takes it away, and the folder it made."""
    from openpyxl import load_workbook

    text = """
    [klanten]
    | klant | naam | soort    |
    | K1    | A BV | Zakelijk |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag  |
    | F1      | K1    | 2025-03-01   | 2025-03-31  | 1000.00 |
    [contacten]
    | datum      | klant | facturen | kanaal  | uitkomst    |
    | 2025-04-10 | K1    | F1       | Telefoon | Geen gehoor |
    """
    path = _written(tmp_path, text)
    wb = load_workbook(path)
    wb["Contacten"]["A3"] = "notitie onder de tabel"
    wb.save(path)
    before = path.read_bytes()
    out = tmp_path / "uit" / "dossiers"
    args = ["overdracht", path, "K1", "--datum", "2025-06-30", "--uit", out]
    assert main([str(a) for a in args]) == 2
    said = capsys.readouterr()
    assert "De overdracht kan niet in Contacten van" in said.err
    assert "Het dossier is daarom niet gemaakt; er is niets veranderd." in said.err
    assert path.read_bytes() == before and not (tmp_path / "uit").exists()


def _tree(root: Path) -> dict[str, bytes | None]:
    """Every path under `root` with its bytes (None for a folder): what a run left."""
    return {
        str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes())
        for p in sorted(root.rglob("*"))
    }


def test_a_folder_in_the_way_of_the_zip_leaves_the_earlier_dossier_as_it_was(
    capsys, workbook, tmp_path
):
    """A folder named like the ZIP (the user's, not a dossier) stopped the run after the
    new dossier folder had replaced the earlier one: the earlier dossier was gone and a
    folder without its ZIP was left. Now nothing changes and the message names the ZIP."""
    out = tmp_path / "uit"
    args = ("overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit", out, "--json")
    code, text = run(capsys, *args, "--proef")
    archive = Path(json.loads(text)["zip"])
    assert code == 0 and archive.is_file()
    archive.unlink()
    (archive / "uitgepakt.txt").parent.mkdir()
    (archive / "uitgepakt.txt").write_text("van de gebruiker")
    (Path(json.loads(text)["map"]) / "notitie.txt").write_text("bij het eerdere dossier")
    before, listing = workbook.read_bytes(), _tree(tmp_path)
    code, text = run(capsys, *args)
    message = json.loads(text)["fout"]
    assert code == 2 and str(archive) in message and "er staat een map met die naam" in message
    assert "Errno" not in message and ".overdracht-" not in message, message
    assert workbook.read_bytes() == before and _tree(tmp_path) == listing


def test_a_write_that_fails_half_way_leaves_no_folder_behind(capsys, workbook, tmp_path):
    """--uit a new folder whose path is so long that the dossier's files no longer fit under
    the system's path limit (PATH_MAX, 4096 bytes on Linux; Windows' MAX_PATH is the same
    story): the folder was made, the write failed, and empty folders stayed behind."""
    limit = os.pathconf(tmp_path, "PC_PATH_MAX")
    out = tmp_path / "uit"
    while len(str(out)) < limit - 70:  # room for the folder, not for the dossier's files
        out = out / ("m" * min(200, limit - 70 - len(str(out)) - 1))
    before, listing = workbook.read_bytes(), _tree(tmp_path)
    code, text = run(
        capsys, "overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit", out, "--json"
    )
    message = json.loads(text)["fout"]
    assert code == 2 and "een naam in het pad is te lang" in message, message
    assert ".overdracht-" not in message and "er is niets in de werkmap geschreven" in message
    assert workbook.read_bytes() == before and _tree(tmp_path) == listing


def test_a_log_that_fails_puts_the_earlier_dossier_back(capsys, workbook, tmp_path):
    """A hand-over made with --proef, then the real one, whose log row cannot be written
    (a note under tblContacten): the new dossier was taken away, and with it the earlier
    one it had replaced. Now the earlier dossier is back as it was."""
    from openpyxl import load_workbook

    out = tmp_path / "uit"
    args = ("overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit", out, "--json")
    assert run(capsys, *args, "--proef")[0] == 0
    wb = load_workbook(workbook)
    wb["Contacten"]["A3"] = "notitie onder de tabel"
    wb.save(workbook)
    before, listing = workbook.read_bytes(), _tree(tmp_path)
    code, text = run(capsys, *args)
    assert code == 2 and "kan niet in Contacten van" in json.loads(text)["fout"], text
    assert workbook.read_bytes() == before and _tree(tmp_path) == listing


@pytest.mark.parametrize(
    ("verzonden", "costs", "said"),
    [
        ("01-04-2025 10:00 SMTP", "120.00", "incassokosten verschuldigd sinds 18-4-2025"),
        (
            "01-04-2025 10:00 SMTP; 14-04-2025 09:00 post",
            None,
            "de termijn van de veertiendagenbrief van 14-4-2025 loopt nog; de kosten zijn "
            "verschuldigd vanaf 1-5-2025",
        ),
    ],
    ids=["e-mailed", "posted-two-weeks-later"],
)
def test_consumer_costs_count_from_the_later_of_e_mail_and_post(
    capsys, tmp_path, verzonden, costs, said
):
    """A 14-day letter e-mailed on 1-4-2025 (costs due 18-4) whose paper copy was posted on
    Monday 14-4 (received Wed 16-4, term ends 30-4, costs due 1-5): on 25-4 the dossier
    claims no collection costs yet, since whether the e-mail alone was a valid aanmaning
    depends on the consumer having agreed to e-mail, which the workbook does not say."""
    path = _written(tmp_path, CONSUMER.format(about="F1"))
    wb = openpyxl.load_workbook(path)
    contacts = wb["Contacten"]
    column = [c.value for c in contacts[1]].index("Verzonden") + 1
    contacts.cell(row=2, column=column).value = verzonden
    wb.save(path)
    args = ["overdracht", path, "P1", "--datum", "2025-04-25", "--uit", tmp_path / "uit"]
    code, text = run(capsys, *args, "--json", "--proef")
    assert code == 0
    assert json.loads(text)["incassokosten"] == costs
    code, text = run(capsys, *args, "--proef")
    assert said in " ".join(text.split())


# --- a run killed inside the staging window, and a rollback that cannot finish -------------

# Runs the CLI and kills itself with SIGKILL (no clean-up of any kind runs) just before its
# MOMENT-th rename into or out of the staging folder, or, for 5, right after the 4th: after
# the earlier folder went aside (2), the new folder is in place (3), the earlier ZIP went
# aside (4), both new files are in place, before the log row (5); 1 is before any of it.
KILLED_AT = """
import os, signal, sys
from pathlib import Path

moment, real, seen = int(sys.argv[1]), Path.replace, 0

def replace(self, target):
    global seen
    if ".overdracht-" in str(self) + str(target):
        seen += 1
        if seen == moment:
            os.kill(os.getpid(), signal.SIGKILL)
    done = real(self, target)
    if moment == 5 and seen == 4:
        os.kill(os.getpid(), signal.SIGKILL)
    return done

Path.replace = replace
from addin.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _staging(out: Path) -> list[Path]:
    return sorted(out.glob(".overdracht-*"))


@pytest.mark.parametrize(
    ("moment", "folder_back", "zip_back"),
    [(1, True, True), (2, True, True), (3, False, True), (4, False, True), (5, False, False)],
    ids=["staged", "folder-aside", "folder-placed", "zip-aside", "both-placed"],
)
def test_a_run_killed_in_the_staging_window_is_put_right_by_the_next(
    capsys, workbook, tmp_path, moment, folder_back, zip_back
):
    """kill -9 (or a power cut) between moving the earlier dossier aside and the end of the
    run left the hidden staging folder, with the earlier dossier in it, and nothing ever
    said so. The next overdracht puts the earlier dossier back where its name is free, puts
    it beside the new one as 'eerder ...' where the killed run's dossier took the name (it
    may not have been logged), and removes the staging folder: nothing else was in it."""
    import signal
    import subprocess
    import sys

    out = tmp_path / "uit"
    args = ["overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit", out]
    code, text = run(capsys, *args, "--proef", "--json")
    assert code == 0, text
    folder, archive = Path(json.loads(text)["map"]), Path(json.loads(text)["zip"])
    (folder / "notitie.txt").write_text("bij het eerdere dossier")  # the user's: not remade
    archive.write_bytes(b"het eerdere dossier")
    earlier_folder, earlier_zip = _tree(folder), archive.read_bytes()

    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_AT, str(moment), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == -signal.SIGKILL, err
    # Named for its process, so a later run can tell it is not still busy.
    assert [p.name.split("-")[1] for p in _staging(out)] == [str(proc.pid)]

    # Another day's dossier: this run's own files leave the killed run's names alone (a
    # real run: one with --proef only says what it would put right).
    again = ["overdracht", workbook, "K1", "--datum", "2025-07-01", "--uit", out]
    assert main([str(a) for a in again]) == 0
    said = capsys.readouterr().err
    assert _staging(out) == [], said
    for back, name, exp, got in (
        (folder_back, folder.name, earlier_folder, _tree),
        (zip_back, archive.name, earlier_zip, Path.read_bytes),
    ):
        if back:
            assert got(out / name) == exp, name
            assert "Traceback" not in said
        else:  # the killed run's dossier has the name; the earlier one is beside it
            assert got(out / f"eerder {name}") == exp, name
            assert f"het eerdere dossier staat nu in '{out / f'eerder {name}'}'" in said, said
            assert (out / name).exists() and got(out / name) != exp
    if moment in (2, 4):
        assert "is teruggezet" in said, said
    if moment < 5:  # the new ZIP (or folder and ZIP) it had made was still in the folder
        assert "Het half gemaakte dossier van een afgebroken overdracht is opgeruimd" in said
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 4 + (not folder_back) + (not zip_back), names


def test_only_the_staging_folder_of_an_ended_run_is_touched(capsys, workbook, tmp_path):
    """Staging folders holding an earlier dossier: one of a process that has ended (its
    dossier goes back), one of a process still running (this one: it may be an overdracht
    busy right now, so its folder stays as it is), one of another computer sharing the
    folder (whose pids this one cannot see: it stays too)."""
    import subprocess

    from addin.adapters.tempfiles import computer_tag

    out = tmp_path / "uit"
    args = ["overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit", out, "--proef"]
    code, text = run(capsys, *args, "--json")
    assert code == 0, text
    folder, archive = Path(json.loads(text)["map"]), Path(json.loads(text)["zip"])
    ended = subprocess.Popen(["true"])
    ended.wait()
    here = computer_tag()
    gone = out / f".overdracht-{ended.pid}-{here}-a1b2c3d4"
    busy = out / f".overdracht-{os.getpid()}-{here}-x"
    elsewhere = out / f".overdracht-{ended.pid}-{int(here, 16) ^ 1:08x}-y"  # another computer
    for work in (gone, busy, elsewhere):
        work.mkdir()
    listing = _tree(folder)
    folder.replace(gone / f"eerder {folder.name}")
    archive.replace(busy / f"eerder {archive.name}")
    (elsewhere / "eerder Overdracht K1 iets 2025-06-29.zip").write_bytes(b"van elders")
    waiting = _tree(busy), _tree(elsewhere)
    before = [_tree(w) for w in (gone, busy, elsewhere)]
    # A --proef run changes no one's dossier: it says what a real run will put right.
    assert main([str(a) for a in [*args[:4], "2025-07-01", *args[5:]]]) == 0
    said = capsys.readouterr().err
    assert [_tree(w) for w in (gone, busy, elsewhere)] == before and not folder.exists()
    assert f"Let op: Een afgebroken overdracht liet '{gone}'" in said
    assert str(busy) not in said and str(elsewhere) not in said
    assert main([str(a) for a in [*args[:4], "2025-07-01", *args[5:-1]]]) == 0
    said = capsys.readouterr().err
    assert _tree(folder) == listing and not gone.exists()
    assert f"Let op: Het eerdere dossier '{folder}' stond nog opzij" in said, said
    assert (_tree(busy), _tree(elsewhere)) == waiting and not archive.exists()


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr (e2fsprogs)")
def test_a_new_dossier_that_cannot_be_taken_away_says_where_the_earlier_one_is(
    capsys, workbook, tmp_path, monkeypatch
):
    """The log row fails (a note under tblContacten) while the new dossier's folder cannot
    be removed (here made immutable, as root, the moment before the log; on Windows a file
    held open does the same): putting the earlier folder back raised a plain OSError, a
    traceback. Now the message says where the earlier dossier waits, and it is whole."""
    import subprocess

    from openpyxl import load_workbook

    import addin.adapters.workbook.xlsx_patch as xlsx_patch

    out = tmp_path / "uit"
    args = ("overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit", out, "--json")
    code, text = run(capsys, *args, "--proef")
    folder = Path(json.loads(text)["map"])
    (folder / "notitie.txt").write_text("bij het eerdere dossier")
    listing = _tree(folder)
    wb = load_workbook(workbook)
    wb["Contacten"]["A3"] = "notitie onder de tabel"
    wb.save(workbook)
    real = xlsx_patch.apply_patch

    def held_then_logged(*a: object, **k: object) -> object:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        return real(*a, **k)  # the real write, which fails on the note

    monkeypatch.setattr(xlsx_patch, "apply_patch", held_then_logged)
    try:
        code, text = run(capsys, *args)
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=False)
    message = json.loads(text)["fout"]
    assert code == 2 and "kan niet in Contacten van" in message, message
    waits = _staging(out)[0] / f"eerder {folder.name}"
    assert f"het eerdere dossier '{folder.name}' staat nu in '{waits}'" in message, message
    assert "Errno" not in message and "niets veranderd" not in message
    assert _tree(waits) == listing


def test_a_letter_run_puts_back_what_a_killed_overdracht_left(capsys, tmp_path):
    """herinneringen clears the temp files of killed runs beside the workbook (the lock)
    and in the Uitvoermap (the letter run); overdracht's output folder is one of the two,
    so the staging folder a killed overdracht left there is dealt with too, and said."""
    import subprocess

    from addin.adapters.tempfiles import computer_tag

    text = """
    [klanten]
    | klant | naam | soort    | e-mail   |
    | K1    | A BV | Zakelijk | a@a.nl   |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag  |
    | F1      | K1    | 2025-03-01   | 2025-03-31  | 1000.00 |
    """
    path = _written(tmp_path, text, output_dir="uit")
    ended = subprocess.Popen(["true"])
    ended.wait()
    dossiers = []
    for where in (tmp_path, tmp_path / "uit"):
        work = where / f".overdracht-{ended.pid}-{computer_tag()}-a1b2c3d4"
        (work / "eerder Overdracht K1 A BV 2025-06-30").mkdir(parents=True)
        (work / "eerder Overdracht K1 A BV 2025-06-30" / "vordering.csv").write_text("x")
        (work / "eerder Overdracht K1 A BV 2025-06-30.zip").write_bytes(b"zip")
        (work / "Overdracht K1 A BV 2025-06-30").mkdir()  # the half-made new one
        dossiers.append(where / "Overdracht K1 A BV 2025-06-30")
    code = main(["herinneringen", str(path), "--datum", "2025-06-30"])
    said = capsys.readouterr()
    assert code in (0, 1), said
    for dossier in dossiers:
        assert (dossier / "vordering.csv").read_text() == "x", said
        assert dossier.with_name(dossier.name + ".zip").read_bytes() == b"zip"
        assert _staging(dossier.parent) == []
        assert f"Let op: Het eerdere dossier '{dossier}' stond nog opzij" in said.out + said.err


def test_a_handover_before_the_ladder_reaches_incasso_is_said_not_refused(
    capsys, workbook, tmp_path
):
    """PLAYBOOK L8: the collection agency is the final step. K1's ladder is at Nabellen (one
    reminder logged): the dossier is made, and the text and --json say it went early; once
    Laatste herinnering is logged, Incasso is due and nothing is said."""
    out = tmp_path / "uit"
    args = ("overdracht", workbook, "K1", "--datum", "2025-06-30", "--uit", out, "--proef")
    code, text = run(capsys, *args, "--json")
    data = json.loads(text)
    assert code == 0 and data["facturen"] == ["F1", "F2"]
    assert [(v["factuur"], v["actie"], v["stap"]) for v in data["vroeg"]] == [
        ("F1", "bellen", "Nabellen"),
        ("F2", "bellen", "Nabellen"),
    ]
    code, text = run(capsys, *args)
    assert code == 0
    assert (
        "Let op: vroeg overgedragen: de ladder staat nog niet op Incasso voor F1 (volgende "
        "stap Nabellen, op 1-7-2025), F2 (volgende stap Nabellen, op 1-7-2025)." in text
    )
    done = BOOK + "| 2025-04-20 | K1 | F1, F2 | Brief | Laatste herinnering | |\n"
    (tmp_path / "klaar").mkdir()
    path = _written(tmp_path / "klaar", done, invoice_dir="facturen")
    code, text = run(capsys, "overdracht", path, "K1", "--datum", "2025-06-30", "--uit", out,
                     "--proef", "--json")  # fmt: skip
    assert code == 0 and json.loads(text)["vroeg"] == []
    code, text = run(capsys, "overdracht", path, "K1", "--datum", "2025-06-30", "--uit", out,
                     "--proef")  # fmt: skip
    assert "vroeg overgedragen" not in text
