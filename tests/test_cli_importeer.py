"""`debiteuren importeer` on the public UBL samples (tests/fixtures/ubl) and crafted hostile
files: every usable sample imported into a fresh workbook whose Instellingen name the sample's
seller, its number, amount, due date and PDF checked against the file's own values (read here
independently with the standard library), the invalid and hostile files refused with the
workbook byte-identical, re-import changing nothing."""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest

from addin.adapters.workbook.book_writer import write_book
from addin.adapters.workbook.reader import read_book
from addin.cli import main
from addin.core.model import Book, Customer, Settings
from tests.ooxml import assert_valid

FIXTURES = Path(__file__).parent / "fixtures" / "ubl"
SAMPLES = sorted([*FIXTURES.glob("*.xml"), *(FIXTURES / "more").glob("*.xml")])
INVALID = sorted(
    [*(FIXTURES / "invalid").glob("*.xml"), *(FIXTURES / "more/invalid").glob("*.xml")]
)


# --- the file's own values, read without the importer -----------------------------------


def _local(elem: ET.Element) -> str:
    return elem.tag.rsplit("}", 1)[-1]


def _child(elem: ET.Element, *names: str) -> ET.Element | None:
    for name in names:
        elem = next((c for c in elem if _local(c) == name), None)  # type: ignore[assignment]
        if elem is None:
            return None
    return elem


def _children(elem: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in elem if _local(c) == name]


@dataclass
class Expected:
    number: str
    amount: Decimal
    currency: str
    due: date | None
    seller_kvk: str
    seller_vat: str
    pdf: bytes | None


def expected(path: Path) -> Expected:
    root = ET.parse(path).getroot()

    def text(*names: str) -> str:
        found = _child(root, *names)
        return (found.text or "").strip() if found is not None else ""

    credit = _local(root) == "CreditNote" or text("InvoiceTypeCode") in ("381",)
    amount = Decimal(text("LegalMonetaryTotal", "PayableAmount"))
    issue = date.fromisoformat(text("IssueDate"))
    due_text = text("DueDate")
    notes = " ".join(
        (n.text or "") for t in _children(root, "PaymentTerms") for n in _children(t, "Note")
    )
    days = {int(d) for d in re.findall(r"(\d+)\s*(?:dagen|days)", notes.replace("\xa0", " "))}
    due = (
        date.fromisoformat(due_text)
        if due_text
        else issue + timedelta(days=days.pop())
        if len(days) == 1
        else None
    )
    seller = _child(root, "AccountingSupplierParty", "Party")
    assert seller is not None
    legal = _child(seller, "PartyLegalEntity", "CompanyID")
    tax = _child(seller, "PartyTaxScheme", "CompanyID")
    pdf = None
    for ref in _children(root, "AdditionalDocumentReference"):
        obj = _child(ref, "Attachment", "EmbeddedDocumentBinaryObject")
        if obj is not None and obj.get("mimeCode") == "application/pdf":
            content = base64.b64decode("".join((obj.text or "").split()))
            if content.startswith(b"%PDF-") and pdf is None:
                pdf = content
    return Expected(
        number=text("ID"),
        amount=-abs(amount) if credit else amount,
        currency=text("DocumentCurrencyCode"),
        due=due,
        seller_kvk=(legal.text or "").strip() if legal is not None else "",
        seller_vat=(tax.text or "").strip() if tax is not None else "",
        pdf=pdf,
    )


# --- helpers ---------------------------------------------------------------------------------


def workbook(tmp: Path, settings: Settings, **book: object) -> Path:
    path = tmp / "Debiteuren.xlsx"
    write_book(Book(settings=settings, **book), path)  # type: ignore[arg-type]
    return path


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, dict[str, object]]:
    code = main(["importeer", *map(str, args), "--json"])
    return code, json.loads(capsys.readouterr().out)


def seller_settings(exp: Expected) -> Settings:
    return Settings(company_name="Test", kvk=exp.seller_kvk, vat_number=exp.seller_vat)


# --- every sample --------------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name[:48])
def test_every_sample_is_imported_with_its_own_values(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exp = expected(sample)
    book_path = workbook(tmp_path, seller_settings(exp))
    before = book_path.read_bytes()
    code, out = run(capsys, book_path, sample)
    assert set(out) == {
        "bestanden", "facturen_toegevoegd", "creditnotas_toegevoegd", "klanten_toegevoegd",
        "pdfs_opgeslagen", "al_in_facturen", "overgeslagen", "waarschuwingen",
    }  # fmt: skip
    if exp.currency != "EUR":
        assert code == 1
        assert out["overgeslagen"][0]["bestand"] == sample.name  # type: ignore[index]
        assert exp.currency in out["overgeslagen"][0]["reden"]  # type: ignore[index]
        assert book_path.read_bytes() == before
        return
    if exp.amount == 0:
        # SI-UBL BR-NL-11's "ok_no_payment": a valid invoice with nothing to pay, so
        # nothing to collect: skipped and named (test_a_payable_amount_of_zero_...).
        assert code == 1 and book_path.read_bytes() == before
        assert "€ 0,00: er valt niets te innen" in out["overgeslagen"][0]["reden"]  # type: ignore[index]
        return
    book, problems = read_book(book_path)
    assert problems == ()
    (invoice,) = book.invoices
    assert invoice.number == exp.number
    assert invoice.amount == exp.amount
    assert invoice.due_date == exp.due
    assert out["facturen_toegevoegd"] + out["creditnotas_toegevoegd"] == 1  # type: ignore[operator]
    assert out["creditnotas_toegevoegd"] == (1 if exp.amount < 0 else 0)
    (customer,) = book.customers
    assert customer.number == invoice.customer and customer.kind.value == "Zakelijk"
    if exp.pdf is not None:
        saved = tmp_path / invoice.pdf
        assert saved.read_bytes() == exp.pdf
        assert len(pypdf.PdfReader(saved).pages) >= 1
        assert out["pdfs_opgeslagen"] == 1
    else:
        assert invoice.pdf == "" and out["pdfs_opgeslagen"] == 0
    # Importing the same file again changes nothing, byte for byte.
    after = book_path.read_bytes()
    code, again = run(capsys, book_path, sample)
    assert book_path.read_bytes() == after
    assert again["facturen_toegevoegd"] == again["creditnotas_toegevoegd"] == 0
    assert again["klanten_toegevoegd"] == again["pdfs_opgeslagen"] == 0
    assert (out["al_in_facturen"], again["al_in_facturen"]) == (0, 1)


def test_the_samples_carry_what_the_issue_promises() -> None:
    """The per-sample test above is only meaningful if the set has credit notes, PDFs,
    foreign currencies, due dates from terms and missing due dates."""
    found = [expected(p) for p in SAMPLES]
    assert sum(e.amount < 0 for e in found) >= 4
    assert sum(e.pdf is not None for e in found) >= 3
    assert {e.currency for e in found} >= {"EUR", "SEK", "USD", "CHF"}
    assert sum(e.due is None for e in found) >= 3


# --- refused -------------------------------------------------------------------------------

SETTINGS = Settings(company_name="Test", kvk="32141305", vat_number="NL8200.98.395.B.01")
GOOD = FIXTURES / "nlcius-logius__NLCIUS_e-factuur_vb_02.xml"


def _refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: Path
) -> tuple[dict[str, object], str]:
    book_path = workbook(tmp_path, SETTINGS)
    before = book_path.read_bytes()
    code, out = run(capsys, book_path, path)
    assert code == 2
    assert book_path.read_bytes() == before
    assert not (tmp_path / "facturen").exists()
    (skipped,) = out["overgeslagen"]  # type: ignore[misc]
    assert skipped["bestand"] == path.name
    return out, skipped["reden"]


@pytest.mark.parametrize("sample", INVALID, ids=lambda p: p.name[:48])
def test_invalid_samples_are_refused(
    sample: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exp = expected(sample)
    book_path = workbook(tmp_path, seller_settings(exp))
    before = book_path.read_bytes()
    code, out = run(capsys, book_path, sample)
    assert code == 2 and book_path.read_bytes() == before
    (skipped,) = out["overgeslagen"]  # type: ignore[misc]
    assert re.search(r"CustomizationID|PayeeFinancialAccount", skipped["reden"])


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol3;</Invoice>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY ext SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
<cbc:ID>&ext;</cbc:ID></Invoice>
"""


def test_xml_bomb_and_external_entity_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, text in (("bom.xml", BOMB), ("xxe.xml", XXE)):
        folder = tmp_path / name
        folder.mkdir()
        path = folder / name
        path.write_text(text)
        _, reason = _refused(folder, capsys, path)
        assert "DOCTYPE" in reason
        assert "root:" not in reason


def test_truncated_file_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = GOOD.read_bytes()
    path = tmp_path / "afgebroken.xml"
    path.write_bytes(data[: len(data) // 2])
    _, reason = _refused(tmp_path, capsys, path)
    assert re.search(r"regel \d+", reason)


@pytest.mark.parametrize(
    ("declared", "exp"),
    [("UTF-32", "tekenset 'UTF-32' wordt niet ondersteund"),
     ("x-onbekend", "tekenset 'x-onbekend' wordt niet ondersteund")],
)  # fmt: skip
def test_an_encoding_the_parser_cannot_read_is_refused_in_dutch(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], declared: str, exp: str
) -> None:
    """A declared encoding expat cannot decode was a traceback (ValueError "multi-byte
    encodings are not supported", LookupError "unknown encoding"); found by the fuzzer."""
    data = GOOD.read_bytes()
    path = tmp_path / "tekenset.xml"
    path.write_bytes(re.sub(rb'encoding="[^"]*"', f'encoding="{declared}"'.encode(), data, count=1))
    assert path.read_bytes() != data
    _, reason = _refused(tmp_path, capsys, path)
    assert exp in reason and "UTF-8" in reason


def test_a_due_date_before_the_invoice_date_is_skipped_and_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An e-invoice whose cbc:DueDate lies before its cbc:IssueDate was imported, and every
    command after it reported the Facturen row as a problem; found by the fuzzer."""
    text = GOOD.read_text(encoding="utf-8")
    path = tmp_path / "vervaldatum.xml"
    path.write_text(
        text.replace(
            "<cbc:IssueDate>2019-10-01</cbc:IssueDate>",
            "<cbc:IssueDate>2019-10-01</cbc:IssueDate>\n\t<cbc:DueDate>2019-09-01</cbc:DueDate>",
            1,
        ),
        encoding="utf-8",
    )
    assert "<cbc:DueDate>2019-09-01" in path.read_text(encoding="utf-8")
    book_path = workbook(tmp_path, SETTINGS)
    before = book_path.read_bytes()
    code, out = run(capsys, book_path, path)
    assert code == 1 and out["facturen_toegevoegd"] == 0
    assert book_path.read_bytes() == before and not (tmp_path / "facturen").exists()
    (skipped,) = out["overgeslagen"]  # type: ignore[misc]
    assert skipped["bestand"] == path.name
    assert "de vervaldatum 1-9-2019 ligt voor de factuurdatum 1-10-2019" in skipped["reden"]


def test_a_list_row_due_before_its_date_is_skipped_and_named_by_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same for an open-items list: the row is named by file and line, the rest of the
    list is imported, and the workbook then has no problem in Facturen."""
    path = tmp_path / "openstaand.csv"
    path.write_text(
        "Factuurnummer;Klant;Factuurdatum;Vervaldatum;Bedrag\n"
        "L-1;Bakkerij Verhoef;1-10-2026;31-10-2026;100,00\n"
        "L-2;Bakkerij Verhoef;15-10-2026;1-10-2026;200,00\n",
        encoding="utf-8",
    )
    book_path = workbook(tmp_path, SETTINGS)
    code, out = run(capsys, book_path, path)
    assert code == 1 and out["facturen_toegevoegd"] == 1
    (skipped,) = out["overgeslagen"]  # type: ignore[misc]
    assert skipped["bestand"] == "openstaand.csv regel 3"
    assert skipped["reden"].startswith(
        "factuur L-2: de vervaldatum 1-10-2026 ligt voor de factuurdatum 15-10-2026."
    )
    assert [i.number for i in read_book(book_path)[0].invoices] == ["L-1"]
    assert main(["controleer", str(book_path), "--datum", "2026-11-24"]) == 0


def test_missing_element_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = GOOD.read_text(encoding="utf-8")
    path = tmp_path / "zonder-datum.xml"
    path.write_text(re.sub(r"<cbc:IssueDate>[^<]*</cbc:IssueDate>", "", text, count=1))
    _, reason = _refused(tmp_path, capsys, path)
    assert "cbc:IssueDate" in reason
    path.write_text(re.sub(r"<cbc:PayableAmount[^>]*>[^<]*</cbc:PayableAmount>", "", text))
    _, reason = _refused(tmp_path, capsys, path)
    assert "cac:LegalMonetaryTotal/cbc:PayableAmount" in reason


def test_unknown_format_and_huge_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plaatje.xml"
    path.write_text('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>')
    _, reason = _refused(tmp_path, capsys, path)
    assert "onbekend formaat" in reason
    big = tmp_path / "groot.xml"
    with big.open("wb") as out:
        out.truncate(50 * 1024 * 1024 + 1)
    _, reason = _refused(tmp_path, capsys, big)
    assert "50 MB" in reason


def test_a_zip_of_e_invoices_says_to_unpack_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A portal's download of e-invoices is a ZIP; it was refused as "geen leesbaar
    # Excel-bestand (Cannot detect file format); sla de lijst opnieuw op als .xlsx".
    packed = tmp_path / "facturen-november.zip"
    with zipfile.ZipFile(packed, "w") as z:
        z.write(SAMPLES[0], SAMPLES[0].name)
    _, reason = _refused(tmp_path, capsys, packed)
    assert reason == (
        "een ZIP-bestand, geen Excel-lijst; pak het uit en geef de map of de bestanden erin."
    )


def test_another_seller_is_refused_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book_path = workbook(tmp_path, Settings(company_name="Ander", kvk="99999999"))
    code, out = run(capsys, book_path, GOOD)
    assert code == 2
    assert "niet uw bedrijf" in out["overgeslagen"][0]["reden"]  # type: ignore[index]


def test_without_kvk_or_vat_the_import_asks_for_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book_path = workbook(tmp_path, Settings(company_name="Test"))
    code, out = run(capsys, book_path, GOOD)
    assert code == 2
    assert "KvK of BTW-nummer" in out["overgeslagen"][0]["reden"]  # type: ignore[index]


# --- several files, customers, PDFs --------------------------------------------------------


def test_folder_bad_file_skipped_good_ones_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("vb_01a", "vb_02", "vb_03b", "vb_07", "vb_10"):
        src = FIXTURES / f"nlcius-logius__NLCIUS_e-factuur_{name}.xml"
        (folder / src.name).write_bytes(src.read_bytes())
    (folder / "kapot.xml").write_text("<Invoice")
    book_path = workbook(tmp_path, SETTINGS)
    code, out = run(capsys, book_path, folder)
    assert code == 1
    assert out["bestanden"] == 6
    assert [s["bestand"] for s in out["overgeslagen"]] == ["kapot.xml"]  # type: ignore[union-attr]
    assert (out["facturen_toegevoegd"], out["creditnotas_toegevoegd"]) == (4, 1)
    assert out["klanten_toegevoegd"] == 1  # one buyer (Logius) on five invoices
    book, _ = read_book(book_path)
    assert {i.customer for i in book.invoices} == {"K001"}
    assert_valid(book_path)  # Facturen, Klanten and Contactpersonen grown: Excel opens it
    logius = book.customers[0]
    assert (logius.kvk, logius.vat_number) == ("", "NL000000000000")  # its own column
    assert logius.notes == "OIN 00000004003214345001; uit e-factuur"  # OIN has none


def test_existing_customer_matched_by_kvk_and_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = FIXTURES / "si__SI-UBL-2.0_ok_minimal.xml"  # buyer KvK 11111111
    exp = expected(sample)
    mine = Customer("D-0041", "Ontvanger Holding", notes="KvK 1111 1111", email="oud@x.nl")
    other = Customer("D-0007", "Andere klant")
    book_path = workbook(tmp_path, seller_settings(exp), customers=(other, mine))
    code, out = run(capsys, book_path, sample)
    assert code == 0 and out["klanten_toegevoegd"] == 0
    book, _ = read_book(book_path)
    assert book.invoices[0].customer == "D-0041"
    assert book.customers[1].email == "oud@x.nl" and book.customers[1].name == "Ontvanger Holding"


def test_existing_customer_matched_by_its_kvk_column_before_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The KvK column is the user's record; a note naming the same number (say, of a parent
    company) does not win. Typed with spaces or dots, the number still matches."""
    sample = FIXTURES / "si__SI-UBL-2.0_ok_minimal.xml"  # buyer KvK 11111111
    exp = expected(sample)
    parent = Customer("D-0003", "Moeder Holding", notes="dochter: KvK 11111111")
    mine = Customer("D-0041", "Ontvanger", kvk="1111.1111")
    book_path = workbook(tmp_path, seller_settings(exp), customers=(parent, mine))
    code, out = run(capsys, book_path, sample)
    assert code == 0 and out["klanten_toegevoegd"] == 0
    assert read_book(book_path)[0].invoices[0].customer == "D-0041"


def test_a_workbook_of_an_earlier_version_keeps_the_ids_in_notities_until_bijwerken(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The example .xlsx as it was at bb4ae24 (tests/fixtures/older): its Klanten has no KvK
    or BTW-nummer column. The import adds none (no table grows sideways under the user's
    hands; the Excel door could not either): a new customer's ids go into Notities as before.
    After `bijwerken` the columns are there, empty for that customer, and its next invoice is
    still matched by the Notities text; a new buyer gets its ids in the columns."""
    from addin.adapters.workbook.xlsx_patch import Patch, apply_patch

    sample = FIXTURES / "si__SI-UBL-2.0_ok_minimal.xml"  # buyer KvK 11111111, no own id
    exp = expected(sample)
    book_path = tmp_path / "Voorbeeld.xlsx"
    book_path.write_bytes(
        (Path(__file__).parent / "fixtures" / "older" / "Voorbeeld-bb4ae24.xlsx").read_bytes()
    )
    own = {"KvK": exp.seller_kvk, "BTW-nummer": exp.seller_vat}
    cells = tuple(("tblInstellingen", "Instelling", k, {"Waarde": v}) for k, v in own.items())
    apply_patch(book_path, Patch(set_cells=cells), backup=False)
    before, _ = read_book(book_path)
    assert ("tblKlanten", "KvK") in before.absent_columns
    code, out = run(capsys, book_path, sample)
    assert code == 0 and out["klanten_toegevoegd"] == 1
    book, _ = read_book(book_path)
    new = book.customers[-1]
    assert new.notes == "KvK 11111111; BTW NL1234567890; uit e-factuur"
    assert (new.kvk, new.vat_number) == ("", "")
    assert_valid(book_path)

    assert main(["bijwerken", str(book_path), "--datum", "2026-11-24", "--json"]) == 0
    assert {"tabel": "tblKlanten", "kolom": "KvK"} in json.loads(capsys.readouterr().out)[
        "kolommen_toegevoegd"
    ]
    again = tmp_path / "tweede.xml"
    text = sample.read_text(encoding="utf-8")
    again.write_text(text.replace(f"<cbc:ID>{exp.number}</cbc:ID>", "<cbc:ID>T-2</cbc:ID>", 1))
    code, out = run(capsys, book_path, again)
    assert code == 0 and (out["facturen_toegevoegd"], out["klanten_toegevoegd"]) == (1, 0)
    book, _ = read_book(book_path)
    assert book.invoices[-1].number == "T-2" and book.invoices[-1].customer == new.number
    other = tmp_path / "ander.xml"
    other.write_text(
        text.replace(f"<cbc:ID>{exp.number}</cbc:ID>", "<cbc:ID>T-3</cbc:ID>", 1)
        .replace(">11111111<", ">22222222<")
        .replace("<cbc:RegistrationName>Ontvanger<", "<cbc:RegistrationName>Ander<")
        .replace("NL1234567890", "NL004495445B01")
    )
    code, out = run(capsys, book_path, other)
    assert code == 0 and out["klanten_toegevoegd"] == 1
    added = read_book(book_path)[0].customers[-1]
    assert (added.name, added.kvk, added.vat_number) == ("Ander", "22222222", "NL004495445B01")
    assert added.notes == "uit e-factuur"
    assert_valid(book_path)


def test_a_buyer_without_postcode_and_two_namesakes_becomes_a_new_customer_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.read_text(encoding="utf-8")
    text = text.replace("<cbc:PostalZone>2509 JE</cbc:PostalZone>", "", 1)
    text = text.replace('<cbc:CompanyID schemeID="0190">00000004003214345001</cbc:CompanyID>', "")
    assert "2509 JE" not in text and "00000004003214345001" not in text
    crafted = tmp_path / "zonder-postcode.xml"
    crafted.write_text(text, encoding="utf-8")
    twins = (Customer("K001", "Logius", postcode="2500 AA"), Customer("K002", "Logius"))
    book_path = workbook(tmp_path, SETTINGS, customers=twins)
    code, out = run(capsys, book_path, crafted)
    assert code == 1 and out["klanten_toegevoegd"] == 1
    (warning,) = out["waarschuwingen"]  # type: ignore[misc]
    assert warning["soort"] == "klant-onzeker" and "K001, K002" in warning["melding"]
    book, _ = read_book(book_path)
    assert book.invoices[0].customer == book.customers[-1].number == "K003"
    # With one Logius in the workbook, that one is the buyer.
    alone = tmp_path / "alleen"
    alone.mkdir()
    book_path = workbook(alone, SETTINGS, customers=twins[:1])
    code, out = run(capsys, book_path, crafted)
    assert code == 0 and out["klanten_toegevoegd"] == 0
    assert read_book(book_path)[0].invoices[0].customer == "K001"


def test_new_customer_gets_the_next_number_in_the_workbooks_pattern(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = FIXTURES / "si__SI-UBL-2.0_ok_minimal.xml"  # no PartyIdentification
    exp = expected(sample)
    customers = (Customer("D-0041", "A"), Customer("D-0007", "B"))
    book_path = workbook(tmp_path, seller_settings(exp), customers=customers)
    run(capsys, book_path, sample)
    book, _ = read_book(book_path)
    assert book.customers[-1].number == "D-0042"
    new = book.customers[-1]
    assert (new.kvk, new.vat_number, new.notes) == ("11111111", "NL1234567890", "uit e-factuur")


def test_a_klantnummer_of_thousands_of_digits_is_no_pattern_to_go_on_from(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Klantnummer of 5,000 digits (pasted by mistake) is no counter: int() refused it
    with a traceback; the new customer now follows the other numbers."""
    sample = FIXTURES / "si__SI-UBL-2.0_ok_minimal.xml"  # no PartyIdentification
    exp = expected(sample)
    customers = (
        Customer("D-0041", "A"), Customer("D-" + "9" * 5_000, "B"), Customer("D-0007", "C")
    )  # fmt: skip
    book_path = workbook(tmp_path, seller_settings(exp), customers=customers)
    run(capsys, book_path, sample)
    book, _ = read_book(book_path)
    assert book.customers[-1].number == "D-0042"


def test_pdf_name_is_made_safe_and_a_different_file_is_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = FIXTURES / "nlcius-logius__NLCIUS_e-factuur_vb_03b.xml"
    text = sample.read_text(encoding="utf-8")
    crafted = tmp_path / "in" / "f.xml"
    crafted.parent.mkdir()
    crafted.write_text(
        text.replace("<cbc:ID>Factuurscenario3</cbc:ID>", "<cbc:ID>../../x/y</cbc:ID>", 1)
    )
    folder = tmp_path / "pdf"
    folder.mkdir()
    (folder / "_.._x_y.pdf").write_bytes(b"someone else's file")
    book_path = workbook(tmp_path, replace(SETTINGS, invoice_dir="pdf"))
    code, out = run(capsys, book_path, crafted)
    assert code == 0 and out["pdfs_opgeslagen"] == 1
    book, _ = read_book(book_path)
    assert book.invoices[0].number == "../../x/y"
    assert book.invoices[0].pdf == "_.._x_y (2).pdf"
    assert (folder / "_.._x_y.pdf").read_bytes() == b"someone else's file"
    assert (folder / "_.._x_y (2).pdf").read_bytes().startswith(b"%PDF-")
    assert sorted(p.name for p in tmp_path.rglob("*.pdf")) == ["_.._x_y (2).pdf", "_.._x_y.pdf"]


def test_a_wrapped_base64_pdf_is_saved_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Base64 in XML is often wrapped: 76 characters a line, CR LF or LF, indented.
    sample = FIXTURES / "nlcius-logius__NLCIUS_e-factuur_vb_03b.xml"
    exp = expected(sample)
    assert exp.pdf is not None
    text = sample.read_text(encoding="utf-8")
    found = re.search(r'(mimeCode\s*=\s*"application/pdf"[^>]*>)([^<]+)<', text)
    assert found
    flat = "".join(found.group(2).split())
    lines = [flat[i : i + 76] for i in range(0, len(flat), 76)]
    wrapped = "".join(("\r\n\t " if k % 2 else "\n  ") + line for k, line in enumerate(lines))
    crafted = tmp_path / "gewikkeld.xml"
    crafted.write_text(text[: found.start(2)] + wrapped + "\n" + text[found.end(2) :])
    book_path = workbook(tmp_path, seller_settings(exp))
    code, out = run(capsys, book_path, crafted)
    assert code == 0 and out["pdfs_opgeslagen"] == 1, out
    (saved,) = (tmp_path / "facturen").iterdir()
    assert saved.read_bytes() == exp.pdf


@pytest.mark.parametrize(
    ("first", "second", "exp"),
    [
        (("TEST1", "mini.pdf"), ("Factuurscenario3", "Factuurscenario3.pdf"), 1),
        (("Algemene voorwaarden", "voorwaarden.pdf"), ("TEST2", "mini2.pdf"), 1),
        (("TEST1", "mini.pdf"), ("TEST2", "mini2.pdf"), 0),
    ],
    ids=["named-after-the-invoice", "terms-first", "neither-the-first"],
)
def test_of_several_pdfs_the_invoice_itself_is_kept(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    first: tuple[str, str],
    second: tuple[str, str],
    exp: int,
) -> None:
    # The sample has two PDFs. The first was kept whatever it was: terms and conditions
    # attached before the invoice became the invoice's PDF in Facturen and on every letter.
    sample = FIXTURES / "nlcius-logius__NLCIUS_e-factuur_vb_03b.xml"
    text = sample.read_text(encoding="utf-8")
    text = text.replace("<cbc:ID>TEST1</cbc:ID>", f"<cbc:ID>{first[0]}</cbc:ID>")
    text = text.replace('filename = "mini.pdf"', f'filename = "{first[1]}"')
    text = text.replace("<cbc:ID>TEST2</cbc:ID>", f"<cbc:ID>{second[0]}</cbc:ID>")
    text = text.replace('filename = "mini2.pdf"', f'filename = "{second[1]}"')
    pdfs = [
        base64.b64decode("".join(m.split()))
        for m in re.findall(r'mimeCode = "application/pdf"[^>]*>([^<]+)<', text)
    ]
    assert len(pdfs) == 2 and pdfs[0] != pdfs[1]
    crafted = tmp_path / "twee-pdfs.xml"
    crafted.write_text(text, encoding="utf-8")
    book_path = workbook(tmp_path, seller_settings(expected(sample)))
    code, out = run(capsys, book_path, crafted)
    assert code == 0 and out["pdfs_opgeslagen"] == 1, out
    (saved,) = (tmp_path / "facturen").iterdir()
    assert saved.read_bytes() == pdfs[exp]


@pytest.mark.parametrize(
    ("sample", "exp"),
    [
        ("more/cen__ubl-tc434-creditnote1.xml", "België"),
        ("nlcius-logius__NLCIUS_e-factuur_vb_01a.xml", "Nederland"),
        ("kosit__01.15a-INVOICE_ubl.xml", "Duitsland"),
    ],
    ids=["be", "nl", "de"],
)
def test_a_new_customers_country_is_written_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], sample: str, exp: str
) -> None:
    # Klanten.Land got the e-invoice's code ('BE') beside the example's 'Nederland', and a
    # letter abroad printed 'BE' as the last line of the address.
    path = FIXTURES / sample
    book_path = workbook(tmp_path, seller_settings(expected(path)))
    code, out = run(capsys, book_path, path)
    assert code == 0, out
    assert read_book(book_path)[0].customers[-1].country == exp


PAYABLE_SAMPLE = FIXTURES / "nlcius-logius__NLCIUS_e-factuur_vb_03b.xml"


def with_payable(tmp_path: Path, name: str, amount: str) -> Path:
    """The NLCIUS sample 03b as `name` with its PayableAmount (907.50) set to `amount`."""
    text = PAYABLE_SAMPLE.read_text(encoding="utf-8")
    assert text.count(">907.50</cbc:PayableAmount>") == 1
    crafted = tmp_path / name
    crafted.write_text(
        text.replace(">907.50</cbc:PayableAmount>", f">{amount}</cbc:PayableAmount>")
    )
    return crafted


def test_a_payable_amount_of_half_a_cent_is_rounded_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 907.505 became 907.50 (half to even); money rounds half away from zero everywhere.
    crafted = with_payable(tmp_path, "halve-cent.xml", "907.505")
    book_path = workbook(tmp_path, seller_settings(expected(PAYABLE_SAMPLE)))
    code, out = run(capsys, book_path, crafted)
    assert code == 0, out
    assert read_book(book_path)[0].invoices[-1].amount == Decimal("907.51")


@pytest.mark.parametrize(
    "amount", ["1" + "0" * 30, "20000000000000", "-1E+40", "1E+999999999", "-1E+999999999"]
)
def test_a_payable_amount_too_big_for_the_workbook_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], amount: str
) -> None:
    # 31 digits ended in a decimal.InvalidOperation traceback; 2e13 was written to Facturen,
    # where the reader then refuses it ("te groot voor een bedrag"); an exponent past the
    # decimal context's limit raised decimal.Overflow in abs().
    crafted = with_payable(tmp_path, "enorm.xml", amount)
    book_path = workbook(tmp_path, seller_settings(expected(PAYABLE_SAMPLE)))
    before = book_path.read_bytes()
    code, out = run(capsys, book_path, crafted)
    assert code == 2 and book_path.read_bytes() == before
    (skipped,) = out["overgeslagen"]  # type: ignore[misc]
    assert skipped["reden"] == (
        f"cac:LegalMonetaryTotal/cbc:PayableAmount '{amount}' is te groot voor een bedrag "
        "(10 biljoen euro of meer); het bestand is beschadigd of geen echte factuur."
    )


def test_fake_pdf_attachment_is_reported_not_saved(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = FIXTURES / "si__SI-UBL-2.0_ok_full.xml"
    book_path = workbook(tmp_path, seller_settings(expected(sample)))
    code, out = run(capsys, book_path, sample)
    assert code == 1
    assert out["pdfs_opgeslagen"] == 0
    (warning,) = out["waarschuwingen"]  # type: ignore[misc]
    assert "drawing.pdf" in warning["melding"] and warning["soort"] == "bijlage"
    assert not (tmp_path / "facturen").exists()


def test_pdf_beside_the_xml_is_copied(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "f.xml").write_bytes(GOOD.read_bytes())
    pdf = expected(FIXTURES / "nlcius-logius__NLCIUS_e-factuur_vb_03b.xml").pdf
    assert pdf is not None
    (folder / "f.pdf").write_bytes(pdf)
    book_path = workbook(tmp_path, SETTINGS)
    code, out = run(capsys, book_path, folder)
    assert code == 0 and out["bestanden"] == 1 and out["pdfs_opgeslagen"] == 1
    assert (tmp_path / "facturen" / "Factuurscenario2.pdf").read_bytes() == pdf


def test_changed_amount_is_reported_not_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book_path = workbook(tmp_path, SETTINGS)
    run(capsys, book_path, GOOD)
    before = book_path.read_bytes()
    changed = tmp_path / "gewijzigd.xml"
    changed.write_text(
        re.sub(r"(<cbc:PayableAmount[^>]*>)[^<]*", r"\g<1>999.00", GOOD.read_text(encoding="utf-8"))
    )
    code, out = run(capsys, book_path, changed)
    assert code == 1
    assert book_path.read_bytes() == before
    (warning,) = out["waarschuwingen"]  # type: ignore[misc]
    assert warning["soort"] == "gewijzigd" and "€ 999,00" in warning["melding"]


def test_a_second_import_says_the_invoices_were_in_facturen_already(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same e-invoice again: it said "1 bestand gelezen: 0 facturen ... toegevoegd" and
    nothing more, leaving the user to guess why; now it says the invoice was there."""
    book_path = workbook(tmp_path, SETTINGS)
    code, first = run(capsys, book_path, GOOD)
    assert (code, first["facturen_toegevoegd"], first["al_in_facturen"]) == (0, 1, 0)
    code, again = run(capsys, book_path, GOOD)
    assert (code, again["facturen_toegevoegd"], again["al_in_facturen"]) == (0, 0, 1)
    assert main(["importeer", str(book_path), str(GOOD)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "1 bestand gelezen: 0 facturen en 0 creditnota's toegevoegd, 0 nieuwe klanten, 0 PDF's "
        "opgeslagen.",
        "1 factuur stond al in Facturen en is niet opnieuw ingelezen.",
        "Er is niets in de werkmap veranderd.",
    ]


def test_proef_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sample = FIXTURES / "nlcius-logius__NLCIUS_e-factuur_vb_03b.xml"
    book_path = workbook(tmp_path, SETTINGS)
    before = book_path.read_bytes()
    code = main(["importeer", str(book_path), str(sample), "--proef"])
    assert code == 0
    # It said "1 PDF opgeslagen", and on the next line "geen PDF opgeslagen".
    assert capsys.readouterr().out.splitlines() == [
        "1 bestand gelezen: 1 factuur en 0 creditnota's zouden worden toegevoegd, 1 nieuwe "
        f"klant, 1 PDF zou worden opgeslagen in {tmp_path / 'facturen'}.",
        "Proef: er is niets in de werkmap geschreven en geen PDF opgeslagen.",
    ]
    assert book_path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Debiteuren.xlsx"]


def test_a_text_file_that_is_no_list_is_an_unknown_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notities.txt"
    path.write_text("Boodschappen voor morgen\nbrood\nmelk\n")
    _, reason = _refused(tmp_path, capsys, path)
    assert reason.startswith("onbekend formaat") and "Boodschappen voor morgen" in reason


@pytest.mark.parametrize(
    ("given", "exp_reason"),
    [
        ("{boek}", "dit is de werkmap zelf"),
        ("/dev/null", "geen gewoon bestand (maar een apparaat of pipe)"),
        ("leeg", "de map bevat geen bestanden om in te lezen"),
        ("nergens.xml", "bestand of map bestaat niet"),
    ],
    ids=["the-workbook", "a-device", "an-empty-folder", "missing"],
)
def test_a_path_that_holds_no_invoices_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], given: str, exp_reason: str
) -> None:
    """The skip names the real reason: the workbook itself (it was read as a list of open
    items and remembered), a device ("bestaat niet"), an empty folder (no word at all)."""
    path = workbook(tmp_path, Settings(company_name="Test", kvk="12345678"))
    (tmp_path / "leeg").mkdir()
    target = (
        str(path)
        if given == "{boek}"
        else given
        if given.startswith("/")
        else str(tmp_path / given)
    )
    code, data = run(capsys, path, target)
    assert code == 2
    assert [s["reden"] for s in data["overgeslagen"]] == [exp_reason], data  # type: ignore[union-attr,index]
    assert not (tmp_path / f".{path.name}.importlijsten.json").exists()


@pytest.mark.parametrize("amount", ["0.00", "0", "-0.001"])
def test_a_payable_amount_of_zero_is_skipped_and_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], amount: str
) -> None:
    # It was written to Facturen as an invoice of Bedrag 0 (paid in advance: nothing to
    # collect), its PDF saved beside the others.
    crafted = with_payable(tmp_path, "vooruitbetaald.xml", amount)
    exp = expected(PAYABLE_SAMPLE)
    book_path = workbook(tmp_path, seller_settings(exp))
    before = book_path.read_bytes()
    code, out = run(capsys, book_path, crafted)
    assert code == 1 and book_path.read_bytes() == before
    assert out["facturen_toegevoegd"] == 0 and out["pdfs_opgeslagen"] == 0
    (skipped,) = out["overgeslagen"]  # type: ignore[misc]
    assert skipped == {
        "bestand": "vooruitbetaald.xml",
        "reden": f"factuur {exp.number} heeft als te betalen bedrag "
        "(cac:LegalMonetaryTotal/cbc:PayableAmount) € 0,00: er valt niets te innen. "
        "Niet ingelezen.",
    }
    assert not (tmp_path / "facturen").exists()


def test_an_e_invoice_text_over_a_cell_is_cut_as_a_list_text_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A BuyerReference (the Omschrijving) or a buyer's name of 40,000 characters stopped
    the whole import with 'tblFacturen, kolom Omschrijving, rij 2: de tekst is 40011
    tekens lang', a row the user did not have yet. Cut with a mark, as a list's texts and
    the bank's are."""
    text = GOOD.read_text(encoding="utf-8")
    path = tmp_path / "lang.xml"
    path.write_text(
        text.replace("<cbc:BuyerReference>45856478<", f"<cbc:BuyerReference>{'r' * 40_000}<"),
        encoding="utf-8",
    )
    book_path = workbook(tmp_path, SETTINGS)
    code, out = run(capsys, book_path, path)
    assert (code, out["facturen_toegevoegd"], out["overgeslagen"]) == (0, 1, []), out
    (invoice,) = read_book(book_path)[0].invoices
    assert len(invoice.description) == 32_767
    assert invoice.description.startswith("referentie rrr")
    assert invoice.description.endswith("r (ingekort)")
