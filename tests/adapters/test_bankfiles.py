"""The bank file readers on real files: the shared public samples and our own fixtures."""

from __future__ import annotations

import csv
import io
import re
import shutil
import sys
import tracemalloc
import zipfile
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import mt940
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.iban import is_valid as iban_is_valid

from addin.adapters.bank import files, job
from addin.adapters.bank.files import BankFileError, read_bank, read_bank_file
from addin.adapters.bank.job import read_alongside
from addin.adapters.workbook.book_writer import write_book
from addin.core.bank import BalanceMismatch
from addin.core.matching import match_bank_lines
from addin.core.model import Book, Customer, Invoice
from benchmarks import bankfiles
from benchmarks.generate import generate_book

# shared/ sits beside the repository (in CI too); the samples are others' files, not ours.
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "bank"
if not SAMPLES.is_dir():
    SAMPLES = Path("/work/shared/samples/bank")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bank"

needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared samples not present")

# File name -> number of lines, counted by hand from the :61: / Ntry / TxDtls elements.
SAMPLE_COUNTS = {
    "camt053/genkgo-camt053.v2.five.decimals.xml": 1,
    "camt053/genkgo-camt053.v2.minimal.ultimate.xml": 1,
    "camt053/genkgo-camt053.v2.minimal.xml": 1,
    "camt053/genkgo-camt053.v2.multi.statement.xml": 2,
    "camt053/genkgo-camt053.v2.with-party-ids.xml": 1,
    "camt053/genkgo-camt053.v3.xml": 1,
    "camt053/genkgo-camt053.v4.xml": 1,
    "camt053/genkgo-camt053.v8.xml": 1,
    "mt940/asnb-0708271685_09022020_164516.940.txt": 8,
    "mt940/jejik-abnamro.sta": 10,
    "mt940/jejik-generic.sta": 2,
    "mt940/jejik-ing.sta": 7,
    "mt940/jejik-knab.sta": 3,
    "mt940/jejik-postfinance.sta": 4,
    "mt940/jejik-rabobank-iban.sta": 4,
    "mt940/jejik-rabobank.sta": 5,
    "mt940/jejik-sns.sta": 2,
    "mt940/jejik-triodos.sta": 2,
}


@needs_samples
@pytest.mark.parametrize(("name", "count"), sorted(SAMPLE_COUNTS.items()))
def test_every_shared_sample_imports(name: str, count: int) -> None:
    path = SAMPLES / name
    lines = read_bank_file(path)
    assert len(lines) == count
    assert all(isinstance(line.amount, Decimal) for line in lines)
    assert all(line.source == path.name and line.own_iban for line in lines)
    assert len({line.key for line in lines}) == count
    assert read_bank_file(path) == lines  # keys and all fields stable across reads


@needs_samples
def test_shared_samples_cover_the_whole_folder() -> None:
    found = {
        f"{p.parent.name}/{p.name}"
        for p in SAMPLES.glob("*/*")
        if "LICENSE" not in p.name and not p.name.endswith("wrong.xml")
    }
    assert found == set(SAMPLE_COUNTS)


@needs_samples
def test_broken_genkgo_sample_is_refused_in_dutch() -> None:
    with pytest.raises(BankFileError, match=r"genkgo-camt053\.v2\.wrong\.xml.*geen afschrift"):
        read_bank_file(SAMPLES / "camt053/genkgo-camt053.v2.wrong.xml")


@needs_samples
def test_camt_v8_sample_fields() -> None:
    (line,) = read_bank_file(SAMPLES / "camt053/genkgo-camt053.v8.xml")
    assert line.booked == date(2014, 12, 31)  # from BookgDt/DtTm
    assert line.amount == Decimal("8.85")  # entry amount, not the TxDtls "0 SEK"
    assert line.counter_iban == "NL56AGDH9619008421"
    assert line.counter_name == "NAME NAME"  # Dbtr/Pty/Nm for a credit
    assert line.reference == "4654654654654654"
    assert line.end_to_end == "MUELL/FINP/RA12345"
    assert line.key == "camt:NL26VAYB8060476890:AAAASESS-FP-CN_98765/01"


@needs_samples
def test_camt_multi_statement_debit_uses_creditor() -> None:
    lines = read_bank_file(SAMPLES / "camt053/genkgo-camt053.v2.multi.statement.xml")
    assert [line.amount for line in lines] == [Decimal("8.85"), Decimal("-7.00")]
    assert lines[1].counter_name == "Company Name 2"


@needs_samples
def test_mt940_samples_by_hand() -> None:
    asn = read_bank_file(SAMPLES / "mt940/asnb-0708271685_09022020_164516.940.txt")
    assert asn[0].own_iban == "NL81ASNB9999999999"
    assert asn[0].amount == Decimal("-65.00")
    assert asn[0].counter_iban == "NL47INGB9999999999"
    assert asn[0].counter_name == "hr gjlm paulissen"
    assert asn[0].description == "Betaling sieraden"
    rabo = read_bank_file(SAMPLES / "mt940/jejik-rabobank-iban.sta")
    assert rabo[0].counter_iban == "NL70ABNA0987654321"
    assert rabo[0].counter_name == "CONTRA ACCOUNT HOLDER"
    assert rabo[0].end_to_end == "01-01-2013 12:00 0030000987654321"
    assert rabo[1].description == "Reference 201301234"
    knab = read_bank_file(SAMPLES / "mt940/jejik-knab.sta")
    assert knab[1].amount == Decimal("-7260")
    assert knab[1].key == "mt940:123456789:B4G29PGCVO7Q06US"
    triodos = read_bank_file(SAMPLES / "mt940/jejik-triodos.sta")
    assert triodos[1].description == "HUUR KANTOOR - FEB 2010"
    assert triodos[0].counter_iban == ""  # >31 repeats the own account
    sns = read_bank_file(SAMPLES / "mt940/jejik-sns.sta")
    assert sns[0].booked == date(2012, 6, 8)  # booking date, not the value date


def test_camt_v04_batch_reversal_and_duplicates() -> None:
    lines = read_bank_file(FIXTURES / "camt053-v04-batch.xml")
    assert len(lines) == 7  # 3 batch lines, reversal, 2 twins, 1 debit; PDNG skipped
    batch = lines[:3]
    assert [b.amount for b in batch] == [Decimal("1210.00"), Decimal("1000.00"), Decimal("512.50")]
    assert batch[0].description == "Factuur 2026-0017 klantnr 4711"
    assert batch[0].end_to_end == "E2E-JANSEN-17"
    assert batch[1].counter_iban == "NL20INGB0001234567"  # normalised, spaces removed
    assert batch[1].counter_name == "De Vries & Zn"
    assert batch[1].reference == "RF18539007547034"
    assert batch[1].end_to_end == ""  # NOTPROVIDED
    assert batch[2].counter_name == "Bakkerij Smit"  # UltmtDbtr
    assert batch[2].description == "Betaling fact 2026-0021"  # AddtlTxInf
    assert [b.key for b in batch] == [
        f"camt:NL44RABO0123456789:2026112300001/{i}" for i in (1, 2, 3)
    ]
    reversal = lines[3]
    assert reversal.reversal and reversal.amount == Decimal("-1210.00")
    assert reversal.counter_iban == "NL91ABNA0417164300"  # the original payer
    twin_a, twin_b = lines[4], lines[5]
    assert twin_a.amount == twin_b.amount and twin_a.key != twin_b.key
    debit = lines[6]
    assert debit.amount == Decimal("-19.95") and debit.counter_name == "Telecom NV"
    assert debit.booked == date(2026, 11, 24)
    assert not any(line.reversal for line in lines if line is not reversal)
    assert read_bank_file(FIXTURES / "camt053-v04-batch.xml") == lines


def test_camt_elements_are_found_by_local_name_whatever_their_namespace(tmp_path) -> None:
    """The same file with a prefixed namespace, and with parts in a second namespace or in
    none, reads as the original: the reader compares local names."""
    text = (FIXTURES / "camt053-v04-batch.xml").read_text(encoding="utf-8")
    ns = 'xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04"'
    prefixed = re.sub(r"<(/?)(?=[A-Z])", r"<\1c:", text).replace(ns, ns.replace("xmlns", "xmlns:c"))
    mixed = text.replace("<RltdPties>", '<RltdPties xmlns="urn:example:other">').replace(
        "<RmtInf>", '<RmtInf xmlns="">'
    )
    exp = read_bank_file(FIXTURES / "camt053-v04-batch.xml")
    for name, variant in (("prefixed.xml", prefixed), ("mixed.xml", mixed)):
        path = tmp_path / name
        path.write_text(variant, encoding="utf-8")
        got = read_bank_file(path)
        assert [replace(g, source="") for g in got] == [replace(e, source="") for e in exp], name


def test_camt_v08_batch_and_unsplittable_batch() -> None:
    lines = read_bank_file(FIXTURES / "camt053-v08-batch.xml")
    assert [line.amount for line in lines] == [
        Decimal("1000.00"),
        Decimal("500.00"),
        Decimal("300.00"),  # one TxDtls lacks an amount: kept as one booking
    ]
    assert lines[0].counter_name == "Hoekstra Installaties BV"
    assert lines[0].reference == "1067931951601240"
    assert lines[1].end_to_end == "PAY-2"
    assert lines[0].own_iban == "NL69INGB0123456789"


def test_ing_csv() -> None:
    lines = read_bank_file(FIXTURES / "ing.csv")
    assert len(lines) == 5
    assert lines[1].amount == Decimal("1234.56")
    assert lines[1].counter_name == "Café Één"  # UTF-8 with BOM
    assert lines[2].amount == Decimal("-19.95")  # "Af"
    assert lines[0].booked == date(2026, 11, 23)
    assert lines[0].own_iban == "NL69INGB0123456789"
    assert lines[3].key != lines[4].key  # identical twins on one day
    assert read_bank_file(FIXTURES / "ing.csv") == lines


@pytest.mark.parametrize(
    ("af_bij", "bedrag", "exp"),
    [("Af", "-19,95", "-19.95"), ("Af", "19,95", "-19.95"), ("Bij", "+50,00", "50.00")],
    ids=["af-signed", "af", "bij-signed"],
)
def test_ing_csv_direction_is_af_bij_whatever_the_sign(
    tmp_path: Path, af_bij: str, bedrag: str, exp: str
) -> None:
    # ING writes the amount without a sign and the direction in Af Bij; a signed amount (a
    # file converted or edited) made "Af" "-19,95" a receipt of 19,95 that could be linked
    # to an invoice of that amount.
    text = (FIXTURES / "ing.csv").read_text("utf-8-sig").splitlines()
    row = text[3].replace('"Af";"19,95"', f'"{af_bij}";"{bedrag}"')
    path = tmp_path / "ing-teken.csv"
    path.write_text("\n".join([text[0], row]) + "\n", "utf-8")
    (line,) = read_bank_file(path)
    assert line.amount == Decimal(exp)


@pytest.mark.parametrize("where", ["every-line", "rows-only"])
def test_csv_with_a_separator_at_the_end_of_its_lines(tmp_path: Path, where: str) -> None:
    # A line ending in ";" (a converted or hand-saved export) gives an empty last column: it
    # was "de kolomkoppen horen niet bij een bekende CSV-export" or "regel 2 heeft 12
    # kolommen in plaats van 11".
    lines = (FIXTURES / "ing.csv").read_text("utf-8-sig").splitlines()
    ended = [line + ";" for line in lines]
    if where == "rows-only":
        ended[0] = lines[0]
    path = tmp_path / "ing-puntkomma.csv"
    path.write_text("\n".join(ended) + "\n", "utf-8")
    assert read_bank_file(path) == tuple(
        replace(line, source="ing-puntkomma.csv") for line in read_bank_file(FIXTURES / "ing.csv")
    )


def test_ing_csv_old_nine_columns_comma() -> None:
    (line,) = read_bank_file(FIXTURES / "ing-9kolommen.csv")
    assert line.amount == Decimal("512.50")
    assert line.counter_iban == "NL39RABO0300065264"


# ING's English export: its header as two public parsers give it (see files._ING_HEADER_EN),
# our own rows. ing-engels.csv is ing.csv in English: Debit/Credit, English transaction
# types, and the first Notifications as an English export words it.
def test_ing_csv_in_english_reads_as_the_dutch() -> None:
    english = read_bank_file(FIXTURES / "ing-engels.csv")
    dutch = read_bank_file(FIXTURES / "ing.csv")

    # The same key too: the same day exported in each language is imported once
    # (files._ing_key); the former keys took in each language's words.
    def same(line):
        return replace(line, source="", description="", former_key="")

    assert [same(line) for line in english] == [same(line) for line in dutch]
    assert english[0].former_key != dutch[0].former_key
    assert english[2].amount == Decimal("-19.95")  # "Debit"
    assert english[0].description == (
        "Name: Jansen BV Description: Factuur 2026-0017 IBAN: NL91ABNA0417164300 "
        "Value date: 23/11/2026"
    )
    assert [line.description for line in english[1:]] == [line.description for line in dutch[1:]]
    assert english[3].key != english[4].key  # identical twins on one day
    assert all(line.key.startswith("ing-csv:NL69INGB0123456789:") for line in english)
    assert read_bank_file(FIXTURES / "ing-engels.csv") == english


# The numbers of a bank text (files.text_numbers), part of ING's CSV key: the same in an
# export's Dutch and English wording, whatever the spacing and the form of a date.
@pytest.mark.parametrize(
    ("text", "exp"),
    [
        ("Naam: Jansen BV Omschrijving: Factuur 2026-0017 Valutadatum: 23-11-2026",
         "2026 0017 20261123"),
        ("Name: Jansen BV  Description: Factuur 2026-0017   Value date: 23/11/2026",
         "2026 0017 20261123"),
        ("Value date: 2026-11-23", "20261123"),
        ("Pasvolgnr: 001 3-1-2026 10:15 Transactie: 9A8B7C", "001 20260103 10 15 9 8 7"),
        ("Card sequence no.: 001 03/01/2026 10:15 Transaction: 9A8B7C",
         "001 20260103 10 15 9 8 7"),
        ("inkoop", ""),
    ],
    ids=["dutch", "english-spaced", "iso-date", "card-dutch", "card-english", "no-numbers"],
)  # fmt: skip
def test_text_numbers(text: str, exp: str) -> None:
    got = files.text_numbers(text)
    assert got == exp


def test_ing_csv_in_english_old_nine_columns_comma(tmp_path: Path) -> None:
    # The nine columns, comma separated and unquoted where it can, as cashplot's test has it.
    path = tmp_path / "ing-engels-9.csv"
    path.write_text(
        '"Date","Name / Description","Account","Counterparty","Code","Debit/credit",'
        '"Amount (EUR)","Transaction type","Notifications"\n'
        '20261120,Bakkerij Smit,NL69INGB0123456789,NL39RABO0300065264,GT,Credit,"512,50",'
        "Online Banking,Factuur 2026-0021\n",
        "utf-8",
    )
    (got,) = read_bank_file(path)
    (exp,) = read_bank_file(FIXTURES / "ing-9kolommen.csv")
    assert replace(got, source="", former_key="") == replace(exp, source="", former_key="")


def test_ing_csv_in_english_with_another_direction_names_its_column(tmp_path: Path) -> None:
    text = (FIXTURES / "ing-engels.csv").read_text("utf-8").splitlines()
    path = tmp_path / "ing-debet.csv"
    path.write_text("\n".join([text[0], text[3].replace('"Debit"', '"Debet"')]) + "\n", "utf-8")
    with pytest.raises(BankFileError) as err:
        read_bank_file(path)
    assert str(err.value) == "Bankbestand ing-debet.csv: regel 2 heeft 'Debit/credit' 'Debet'."


def test_rabobank_csv_cp1252() -> None:
    lines = read_bank_file(FIXTURES / "rabobank.csv")
    assert [line.amount for line in lines] == [
        Decimal("2500.00"),
        Decimal("-45.00"),
        Decimal("-2500.00"),
    ]
    assert lines[0].reference == "1067931951601240"
    assert lines[0].description == "Factuur 2026-0050 en 2026-0051"
    assert lines[1].counter_name == "Café Bakker"  # cp1252 decoded
    assert lines[2].reversal  # Reden retour
    assert lines[0].key == "rabo-csv:NL44RABO0123456789:000000000000012345"


# Rabobank's English export: its header as two public parsers give it (see
# files._RABO_HEADER_EN), our own rows. rabobank-engels.csv is rabobank.csv under that header.
def test_rabobank_csv_in_english_reads_as_the_dutch() -> None:
    english = read_bank_file(FIXTURES / "rabobank-engels.csv")
    dutch = read_bank_file(FIXTURES / "rabobank.csv")
    assert [replace(line, source="") for line in english] == [
        replace(line, source="") for line in dutch
    ]
    # The same key (the Seq No is the Volgnr): the same days in each language import once.
    assert english[0].key == "rabo-csv:NL44RABO0123456789:000000000000012345"
    assert english[2].reversal  # Reasoncode


def test_rabobank_csv_with_a_header_of_both_languages_is_refused(tmp_path: Path) -> None:
    rows = (FIXTURES / "rabobank-engels.csv").read_bytes().decode("cp1252").splitlines()
    path = tmp_path / "rabo-gemengd.csv"
    path.write_text("\n".join([rows[0].replace('"Amount"', '"Bedrag"'), *rows[1:]]), "cp1252")
    with pytest.raises(BankFileError, match="kolomkoppen horen niet bij een bekende CSV-export"):
        read_bank_file(path)


def test_rabobank_csv_utf8_and_garbled_header(tmp_path: Path) -> None:
    text = (FIXTURES / "rabobank.csv").read_bytes().decode("cp1252")
    utf8 = tmp_path / "rabo-utf8.txt"
    utf8.write_text(text, encoding="utf-8")
    garbled = tmp_path / "rabo-garbled.csv"
    garbled.write_text(text.replace("initiërende", "initiÎrende"), encoding="utf-8")
    expected = [line.amount for line in read_bank_file(FIXTURES / "rabobank.csv")]
    assert [line.amount for line in read_bank_file(utf8)] == expected
    assert [line.amount for line in read_bank_file(garbled)] == expected


def test_rabobank_csv_saved_by_excel_says_so(tmp_path: Path) -> None:
    # Opened in a Dutch Excel and saved again: the dates become 23-11-2026, and with them
    # the Volgnr loses its zeros (another key) and a 16-digit Betalingskenmerk becomes
    # 1,06793E+15. Refused as before, but saying why and what to do instead of only
    # "ongeldige datum".
    rows = list(csv.reader(io.StringIO((FIXTURES / "rabobank.csv").read_text("cp1252"))))
    for row in rows[1:]:
        year, month, day = row[4].split("-")
        row[4] = row[5] = f"{int(day)}-{int(month)}-{year}"
        row[3] = str(int(row[3]))
        row[6] = row[6].lstrip("+").replace(".", "")
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    saved = tmp_path / "rabo-excel.csv"
    saved.write_text(out.getvalue(), encoding="cp1252")
    with pytest.raises(BankFileError) as info:
        read_bank_file(saved)
    exp = (
        "Bankbestand rabo-excel.csv: regel 2 heeft de datum '23-11-2026', waar de bank "
        "2026-11-23 schrijft: het bestand is in Excel geopend en opgeslagen, en daarbij "
        "veranderen ook volgnummers en betalingskenmerken. Download het afschrift opnieuw en "
        "lees het in zonder het eerst in Excel op te slaan."
    )
    assert str(info.value) == exp


def test_a_zip_of_statements_is_read_member_by_member(tmp_path: Path) -> None:
    # ABN AMRO and ING deliver CAMT.053 as a ZIP (a file per account or day); it was
    # "onbekend formaat". Each file in it is read as if given on its own: the same lines
    # and keys (so importing the ZIP after its files adds nothing), the source naming both.
    names = ("camt053-v08-batch.xml", "camt053-v02-returns.xml", "mt940-ing-structured.sta")
    packed = tmp_path / "afschriften.zip"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        for n in names:
            z.write(FIXTURES / n, f"export/{n}")
        z.writestr("__MACOSX/export/._camt053-v08-batch.xml", b"\x00\x05\x16\x07")
    got = read_bank(packed)
    one_by_one = [read_bank(FIXTURES / n) for n in names]
    assert [line.key for line in got.lines] == [x.key for r in one_by_one for x in r.lines]
    assert [replace(line, source="") for line in got.lines] == [
        replace(x, source="") for r in one_by_one for x in r.lines
    ]
    assert {line.source for line in got.lines} == {f"afschriften.zip/export/{n}" for n in names}
    assert got.kind == "CAMT.053, MT940"


@pytest.mark.parametrize(
    ("members", "message"),
    [
        (
            {"export/leesmij.txt": b"geen afschrift"},
            "Bankbestand kapot.zip/export/leesmij.txt: onbekend formaat",
        ),
        ({"export/leeg.xml": b""}, "Bankbestand kapot.zip/export/leeg.xml: het bestand is leeg"),
        ({"export/": b""}, "Bankbestand kapot.zip: het ZIP-bestand bevat geen bestanden"),
        ({"bom.xml": b"<" + b" " * 5000}, "de bestanden in het ZIP-bestand zijn samen te groot"),
    ],
    ids=["unknown-member", "empty-member", "no-files", "bomb"],
)
def test_a_zip_that_cannot_be_read_names_the_file_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, members: dict[str, bytes], message: str
) -> None:
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 4096)  # the bomb: 5 kB of spaces
    packed = tmp_path / "kapot.zip"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as z:
        for n, content in members.items():
            z.writestr(n, content)
    with pytest.raises(BankFileError, match=re.escape(message)):
        read_bank(packed)
    cut = tmp_path / "afgebroken.zip"
    cut.write_bytes(packed.read_bytes()[:40])
    with pytest.raises(BankFileError, match=r"afgebroken\.zip: het ZIP-bestand is beschadigd"):
        read_bank(cut)


DOWNLOAD = (
    "Download het afschrift in uw internetbankieren als CAMT.053 of MT940 (de meeste "
    "banken bieden dat als export voor de boekhouding) en lees dat in."
)


def test_an_excel_file_is_named_as_such_not_read_as_a_zip(tmp_path: Path) -> None:
    # An .xlsx is a ZIP too: its parts were read as statements ("x.xlsx/xl/styles.xml:
    # dit XML-bestand is geen CAMT.053-afschrift").
    book = tmp_path / "Debiteuren.xlsx"
    write_book(Book(), book)
    with pytest.raises(BankFileError) as info:
        read_bank(book)
    assert str(info.value) == (
        "Bankbestand Debiteuren.xlsx: dit is een Excel-bestand (of een ander Office-bestand), "
        "geen bankafschrift; verwacht CAMT.053 (XML), MT940, de TXT-export van ABN AMRO (.TAB) "
        "of een CSV-export van ING of Rabobank. " + DOWNLOAD
    )


def test_a_pdf_statement_is_named_as_such(tmp_path: Path) -> None:
    pdf = tmp_path / "afschrift-november.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n")
    with pytest.raises(BankFileError) as info:
        read_bank(pdf)
    assert str(info.value) == (
        "Bankbestand afschrift-november.pdf: onbekend formaat (dit is een PDF, het afschrift "
        "om te lezen; kies de export voor de boekhouding); verwacht CAMT.053 (XML), MT940, de "
        "TXT-export van ABN AMRO (.TAB) of een CSV-export van ING of Rabobank. " + DOWNLOAD
    )


def test_format_is_detected_from_content_not_name(tmp_path: Path) -> None:
    renamed = tmp_path / "afschrift.csv"
    renamed.write_bytes((FIXTURES / "camt053-v08-batch.xml").read_bytes())
    assert len(read_bank_file(renamed)) == 3


def test_entity_bomb_is_refused_quickly(tmp_path: Path) -> None:
    # The classic "billion laughs": each entity expands to ten of the previous one.
    lines = ['  <!ENTITY l0 "lol">']
    lines += [f'  <!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    entities = "\n".join(lines)
    bomb = tmp_path / "bom.xml"
    bomb.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE Document [\n{entities}\n]>\n'
        "<Document><BkToCstmrStmt>&l9;</BkToCstmrStmt></Document>\n"
    )
    # Refused for its DOCTYPE before any entity is expanded (the message says why): not
    # timed, the refusal's reason is what shows it never expanded.
    with pytest.raises(BankFileError, match=r"bom\.xml.*DOCTYPE.*geweigerd"):
        read_bank_file(bomb)


def test_external_entity_without_doctype_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ent.xml"
    path.write_text("<Document><BkToCstmrStmt>&xxe;</BkToCstmrStmt></Document>")
    with pytest.raises(BankFileError, match="beschadigd"):
        read_bank_file(path)


def test_truncated_xml_is_refused(tmp_path: Path) -> None:
    data = (FIXTURES / "camt053-v04-batch.xml").read_bytes()
    path = tmp_path / "afgebroken.xml"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(BankFileError, match=r"afgebroken\.xml.*beschadigd of onvolledig"):
        read_bank_file(path)


def test_damaged_xml_names_line_and_column_in_dutch(tmp_path: Path) -> None:
    # The parser's English ("not well-formed (invalid token): line 3, column 40") stood in
    # the middle of the Dutch sentence; UBL invoices already said "regel 3, kolom 41".
    path = tmp_path / "kapot.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<Document><BkToCstmrStmt><Stmt>\n'
        "<Acct><Id><IBAN>NL44RABO0123456789</IBAN></Id></Acct><Nm>Caf\u00e9 & Zn</Nm>\n",
        "utf-8",
    )
    with pytest.raises(BankFileError) as info:
        read_bank_file(path)
    exp = (
        "Bankbestand kapot.xml: het XML-bestand is beschadigd of onvolledig: geen geldig XML "
        "op regel 3, kolom 64 (technische melding: not well-formed (invalid token))."
    )
    assert str(info.value) == exp


def test_huge_field_is_refused(tmp_path: Path) -> None:
    data = (FIXTURES / "camt053-v08-batch.xml").read_text(encoding="utf-8")
    path = tmp_path / "groot.xml"
    path.write_text(data.replace("deel 1", "x" * (1024 * 1024 + 10)), encoding="utf-8")
    with pytest.raises(BankFileError, match=r"groot\.xml.*groter dan 1 MB"):
        read_bank_file(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "leeg"),
        (b"hello world\n", "onbekend formaat"),
        (b'"Datum";"Bedrag"\n"20261123";"1,00"\n', "kolomkoppen"),
        (b"<html><body>geen afschrift</body></html>", "geen CAMT.053"),
        (b":20:X\n:25:NL44RABO0123456789\n:28C:1\n:61:XYZ\n", "MT940-bestand is beschadigd"),
    ],
)
def test_unreadable_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "vreemd.dat"
    path.write_bytes(content)
    with pytest.raises(BankFileError, match=message) as info:
        read_bank_file(path)
    assert "vreemd.dat" in str(info.value)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    # The path as given (a wrong folder is the usual mistake) and the reason in Dutch,
    # not Python's "[Errno 2] No such file or directory".
    missing = tmp_path / "bestaat-niet.xml"
    with pytest.raises(BankFileError) as info:
        read_bank_file(missing)
    message = str(info.value)
    assert str(missing) in message and "bestaat niet" in message and "Errno" not in message


def test_csv_bad_amount_and_short_row(tmp_path: Path) -> None:
    header = (FIXTURES / "ing.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        header + '\n"20261123";"X";"NL69INGB0123456789";"";"OV";"Bij";"1e5";"";"";"";""\n'
    )
    with pytest.raises(BankFileError, match="ongeldig bedrag"):
        read_bank_file(bad)
    short = tmp_path / "short.csv"
    short.write_text(header + '\n"20261123";"X"\n')
    with pytest.raises(BankFileError, match="kolommen"):
        read_bank_file(short)


def test_currency_is_read_from_camt_amounts(tmp_path):
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "bank" / "camt053-v08-batch.xml"
    assert {line.currency for line in read_bank_file(fixture)} == {"EUR"}
    dollars = tmp_path / "usd.xml"
    dollars.write_text(fixture.read_text("utf-8").replace('Ccy="EUR"', 'Ccy="USD"'), "utf-8")
    assert {line.currency for line in read_bank_file(dollars)} == {"USD"}


# --- returns from bank transaction codes -----------------------------------------------------


def test_camt_returns_from_bank_transaction_codes() -> None:
    """camt053-v02-returns.xml: ISO sub-families UPDD (direct debit storno) and RRTN (our
    transfer returned) and the SWIFT code NRTI as Prtry mark returns without RvslInd."""
    lines = read_bank_file(FIXTURES / "camt053-v02-returns.xml")
    got = [(str(line.amount), line.reversal, line.counter_iban) for line in lines]
    assert got == [
        ("1210.00", False, "NL91ABNA0417164300"),  # PMNT/RCDT/ESCT: a payment
        ("-1210.00", True, "NL91ABNA0417164300"),  # PMNT/IDDT/UPDD: the customer, not us
        ("250.00", True, "NL20INGB0001234567"),  # PMNT/ICDT/RRTN: the payee of our transfer
        ("99.00", True, "NL38RABO0300000001"),  # Prtry NRTI
        ("500.00", False, "NL20INGB0001234567"),
        ("-45.00", False, ""),  # ACMT/MDOP/CHRG: costs, no party
    ]  # the PDNG entry is not booked: no line
    assert lines[4].end_to_end == "2026-0103"


@pytest.mark.parametrize(
    ("code", "returned"),
    [
        ("<Domn><Cd>PMNT</Cd><Fmly><Cd>RDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn>", True),
        ("<Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>RPCR</SubFmlyCd></Fmly></Domn>", True),
        ("<Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>PRDD</SubFmlyCd></Fmly></Domn>", True),
        ("<Prtry><Cd>PMNT/ICDT/RRTN</Cd></Prtry>", True),
        ("<Prtry><Cd>FRTI</Cd></Prtry>", True),
        ("<Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn>", False),
        ("<Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn>", False),
        ("<Prtry><Cd>541</Cd><Issr>RABOBANK</Issr></Prtry>", False),  # bank's own: not read
        ("<Prtry><Cd>NTRF</Cd></Prtry>", False),
    ],
    ids=[
        "RDDT-UPDD",
        "RCDT-RPCR",
        "IDDT-PRDD",
        "Prtry-ISO",
        "Prtry-FRTI",
        "ESCT",
        "ESDD",
        "Rabobank-541",
        "NTRF",
    ],
)
def test_return_codes_entry_and_transaction_level(tmp_path: Path, code: str, returned: bool):
    text = (FIXTURES / "camt053-v02-returns.xml").read_text("utf-8")
    plain = "<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd>"
    plain += "</Fmly></Domn></BkTxCd>"
    assert text.count(plain) == 2
    entry = tmp_path / "entry.xml"
    entry.write_text(text.replace(plain, f"<BkTxCd>{code}</BkTxCd>", 1), "utf-8")
    assert read_bank_file(entry)[0].reversal is returned
    # The same code on the transaction (TxDtls/BkTxCd) instead of the entry.
    tx = tmp_path / "tx.xml"
    tx.write_text(
        text.replace(plain, "", 1).replace(
            "<Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>",
            f"<Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs><BkTxCd>{code}</BkTxCd>",
            1,
        ),
        "utf-8",
    )
    assert read_bank_file(tx)[0].reversal is returned


def test_mt940_ing_structured_returned_item_and_own_iban() -> None:
    """ING's structured MT940 (:25: IBAN + currency; :61: type NRTI = SWIFT 'returned item')."""
    lines = read_bank_file(FIXTURES / "mt940-ing-structured.sta")
    got = [(str(line.amount), line.reversal, line.counter_iban, line.end_to_end) for line in lines]
    assert got == [
        ("1210.00", False, "NL91ABNA0417164300", ""),  # NTRF, EREF NOTPROVIDED
        ("-1210.00", True, "NL91ABNA0417164300", "INC-0101"),  # NRTI and /RTRN/
        ("500.00", False, "NL20INGB0001234567", "2026-0103"),
        ("99.00", True, "NL38RABO0300000001", ""),  # NRTI only
    ]
    assert {line.own_iban for line in lines} == {"NL69INGB0123456789"}  # without "EUR"
    assert lines[0].key == "mt940:NL69INGB0123456789:26112300001"
    assert lines[0].description == "Factuur 2026-0101"


def test_the_benchmark_statements_are_for_a_valid_own_account(tmp_path) -> None:
    """benchmarks/bankfiles.py writes ":25:IBAN EUR"; the reader drops the currency only
    after an IBAN with right check digits, so the account must have them."""
    book = generate_book(invoices=40, customers=10, agreements=1, contacts=1)
    bankfiles.mt940(tmp_path / "a.sta", book, 5)
    bankfiles.camt053(tmp_path / "a.xml", book, 5)
    for name in ("a.sta", "a.xml"):
        got = {line.own_iban for line in read_bank_file(tmp_path / name)}
        assert got == {bankfiles.OWN_IBAN}, name
    assert iban_is_valid(bankfiles.OWN_IBAN)


# --- statement balances ----------------------------------------------------------------------


def test_balanced_statements_give_no_warning() -> None:
    for name in ("camt053-v02-returns.xml", "mt940-ing-structured.sta"):
        assert read_bank(FIXTURES / name).warnings == (), name


def test_camt_balance_that_does_not_add_up_is_a_warning_naming_file_and_statement(tmp_path):
    text = (FIXTURES / "camt053-v02-returns.xml").read_text("utf-8")
    bad = tmp_path / "nov-onvolledig.xml"
    bad.write_text(text.replace('"EUR">1804.00<', '"EUR">1904.00<'), "utf-8")
    read = read_bank(bad)
    assert len(read.lines) == 6  # still read
    (warning,) = read.warnings
    assert warning.kind == "saldo-klopt-niet"
    assert warning.message == (
        "Bankbestand nov-onvolledig.xml, afschrift TEST-V02-RET-1: het beginsaldo € 1.000,00 "
        "plus de boekingen (€ 804,00) is € 1.804,00, maar het eindsaldo is € 1.904,00. Er "
        "ontbreken misschien boekingen: controleer of het bestand volledig is. De regels zijn "
        "wel ingelezen, maar geen ervan wordt automatisch gekoppeld: ontvangsten erin staan in "
        "Betalingen op Status Controleren."
    )
    exp = BalanceMismatch(
        "TEST-V02-RET-1", Decimal("1000.00"), Decimal("804.00"), Decimal("1904.00")
    )
    assert [line.unbalanced for line in read.lines] == [exp] * 6


@pytest.mark.parametrize(
    ("name", "statement", "right"),
    [
        ("camt053-v02-off-by-a-cent.xml", "TEST-V02-CENT-1", ('"EUR">3459.99<', '"EUR">3460.00<')),
        ("mt940-off-by-a-cent.sta", "00001 van 23-11-2026", ("EUR3459,99", "EUR3460,00")),
    ],
)
def test_off_by_a_cent_marks_every_line_and_keeps_the_keys(tmp_path, name, statement, right):
    read = read_bank(FIXTURES / name)
    exp = BalanceMismatch(statement, Decimal("1000.00"), Decimal("2460.00"), Decimal("3459.99"))
    assert [line.unbalanced for line in read.lines] == [exp] * 3
    assert [w.kind for w in read.warnings] == ["saldo-klopt-niet"]
    # The same file with the right closing balance: no mark, and otherwise the same lines
    # (keys included), so importing it after the wrong one adds nothing.
    fixed = tmp_path / name
    text = (FIXTURES / name).read_bytes().decode("utf-8")
    assert right[0] in text
    fixed.write_bytes(text.replace(*right).encode("utf-8"))
    good = read_bank(fixed)
    assert good.warnings == ()
    assert good.lines == tuple(replace(line, unbalanced=None) for line in read.lines)


def test_only_the_statement_that_does_not_add_up_is_marked(tmp_path):
    both = tmp_path / "twee.sta"
    both.write_bytes((FIXTURES / "mt940-ing-structured.sta").read_bytes()
                     + b"\n" + (FIXTURES / "mt940-off-by-a-cent.sta").read_bytes())  # fmt: skip
    read = read_bank(both)
    assert [line.unbalanced is not None for line in read.lines] == [False] * 4 + [True] * 3
    assert len(read.warnings) == 1


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (
            (
                "<Id>TEST-V02-RET-1</Id>",
                "<Id>TEST-V02-RET-1</Id><StmtPgntn><PgNb>2</PgNb><LastPgInd>true</LastPgInd>"
                "</StmtPgntn>",
            ),
            "page 2 of a statement",
        ),
        (
            (
                "<Id>TEST-V02-RET-1</Id>",
                "<Id>TEST-V02-RET-1</Id><StmtPgntn><PgNb>1</PgNb><LastPgInd>false</LastPgInd>"
                "</StmtPgntn>",
            ),
            "page 1 of several",
        ),
        (
            (
                "</CreDtTm></GrpHdr>",
                "</CreDtTm><MsgPgntn><PgNb>1</PgNb><LastPgInd>false</LastPgInd></MsgPgntn></GrpHdr>",
            ),
            "message page 1 of several",
        ),
        (("<Cd>CLBD</Cd>", "<Cd>CLAV</Cd>"), "no closing booked balance"),
        (("<Cd>OPBD</Cd>", "<Cd>ITBD</Cd>"), "no opening balance"),
        (('"EUR">1804.00<', '"USD">1804.00<'), "balances in two currencies"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_camt_partial_statement_is_not_checked(tmp_path, change, why):
    text = (FIXTURES / "camt053-v02-returns.xml").read_text("utf-8")
    old, new = change
    assert old in text
    path = tmp_path / "deel.xml"
    path.write_text(text.replace(old, new, 1).replace('"EUR">1000.00<', '"EUR">1.00<'), "utf-8")
    read = read_bank(path)
    assert read.warnings == (), why
    assert all(line.unbalanced is None for line in read.lines), why


def test_camt_prcd_counts_as_opening_balance(tmp_path):
    text = (FIXTURES / "camt053-v02-returns.xml").read_text("utf-8")
    path = tmp_path / "prcd.xml"
    path.write_text(text.replace("<Cd>OPBD</Cd>", "<Cd>PRCD</Cd>").replace(
        '"EUR">1000.00<', '"EUR">999.00<'), "utf-8")  # fmt: skip
    assert [w.kind for w in read_bank(path).warnings] == ["saldo-klopt-niet"]


def test_mt940_balance_check(tmp_path):
    text = (FIXTURES / "mt940-ing-structured.sta").read_text("utf-8")
    bad = tmp_path / "ing.sta"
    bad.write_text(text.replace(":62F:C261123EUR1599,00", ":62F:C261123EUR1598,00"), "utf-8")
    (warning,) = read_bank(bad).warnings
    assert "ing.sta, afschrift 00000 van 23-11-2026" in warning.message
    # The date as every message gives one, d-m-jjjj (it said 03-11-2026).
    early = tmp_path / "vroeg.sta"
    early.write_text(text.replace(":62F:C261123EUR1599,00", ":62F:C261103EUR1598,00"), "utf-8")
    (warning_early,) = read_bank(early).warnings
    assert "vroeg.sta, afschrift 00000 van 3-11-2026:" in warning_early.message
    assert "€ 1.599,00, maar het eindsaldo is € 1.598,00" in warning.message
    # An intermediate page (:60M:/:62M:) is not checked.
    page = tmp_path / "page.sta"
    page.write_text(text.replace(":60F:", ":60M:").replace(":62F:C261123EUR1599,00",
                                                            ":62M:C261123EUR1.00"), "utf-8")  # fmt: skip
    read = read_bank(page)
    assert read.warnings == () and all(line.unbalanced is None for line in read.lines)


@pytest.mark.parametrize(
    "cut_before",
    [":62F:", ":61:2611231123C99,00", "/EREF/2026-0103", "REMI/USTD//Retour"],
    ids=["before-closing-balance", "before-last-entry", "inside-description", "inside-last-86"],
)
def test_mt940_cut_off_half_way_is_refused_naming_the_statement(tmp_path, cut_before):
    """A download cut off half-way ends without the statement's closing balance (:62F:,
    mandatory in SWIFT MT940): it is refused, not read as a shorter statement whose
    missing balance would also skip the balance check (3 of 4 lines imported, exit 0)."""
    text = (FIXTURES / "mt940-ing-structured.sta").read_text("utf-8")
    path = tmp_path / "afgebroken.sta"
    path.write_text(text[: text.index(cut_before)], "utf-8")
    with pytest.raises(BankFileError) as info:
        read_bank(path)
    exp = (
        "Bankbestand afgebroken.sta: het afschrift op regel 2 (:20:) heeft geen eindsaldo "
        "(:62F:); het bestand is afgebroken of onvolledig. Download het afschrift opnieuw."
    )
    assert str(info.value) == exp
    # The second statement of two cut off: its own line is named.
    two = tmp_path / "twee.sta"
    whole = text.replace("-}\n", "")
    two.write_text(whole + whole[whole.index(":20:") : whole.index(":62F:")], "utf-8")
    with pytest.raises(BankFileError, match=r"twee\.sta: het afschrift op regel 19 \(:20:\)"):
        read_bank(two)


def test_mt940_dates_parsed_once_each_give_the_same_lines_and_errors(tmp_path):
    """The mt940 library's date parser is cached (files.py): the same file read again
    gives equal lines, and an impossible date is refused every time, not only the first."""
    path = FIXTURES / "mt940-ing-structured.sta"
    assert read_bank(path).lines == read_bank(path).lines
    text = path.read_text("utf-8")
    bad = tmp_path / "maand13.sta"
    bad.write_text(text.replace(":61:261123", ":61:261323", 1), "utf-8")
    for _ in range(2):
        with pytest.raises(BankFileError, match=r"maand13\.sta: het MT940-bestand is beschadigd"):
            read_bank(bad)


# The shared samples are others' test files, several hand-edited: these do not add up. They
# import with a warning; this pins which ones, so a change in the check shows here.
SAMPLES_THAT_DO_NOT_ADD_UP = {
    "camt053/genkgo-camt053.v2.five.decimals.xml": 1,
    "mt940/jejik-abnamro.sta": 1,
    "mt940/jejik-ing.sta": 1,
    "mt940/jejik-knab.sta": 1,
    "mt940/jejik-rabobank.sta": 2,
    "mt940/jejik-triodos.sta": 1,
}


# ... and this many of their lines belong to a statement that does not add up.
SAMPLE_LINES_UNBALANCED = {
    "camt053/genkgo-camt053.v2.five.decimals.xml": 1,
    "mt940/jejik-abnamro.sta": 8,
    "mt940/jejik-ing.sta": 7,
    "mt940/jejik-knab.sta": 2,
    "mt940/jejik-rabobank.sta": 3,
    "mt940/jejik-triodos.sta": 2,
}


@needs_samples
@pytest.mark.parametrize("name", sorted(SAMPLE_COUNTS))
def test_shared_samples_balance_warnings(name: str) -> None:
    read = read_bank(SAMPLES / name)
    assert len(read.lines) == SAMPLE_COUNTS[name]
    assert len(read.warnings) == SAMPLES_THAT_DO_NOT_ADD_UP.get(name, 0)
    assert all(Path(name).name in w.message for w in read.warnings)
    unbalanced = [line for line in read.lines if line.unbalanced is not None]
    assert len(unbalanced) == SAMPLE_LINES_UNBALANCED.get(name, 0)
    # every warning is a statement whose lines are marked, and the other way round
    assert len({line.unbalanced for line in unbalanced}) == len(read.warnings)


@needs_samples
@pytest.mark.parametrize("name", sorted(SAMPLE_COUNTS))
def test_shared_samples_link_only_what_adds_up(name: str) -> None:
    """Each receipt of a sample, its text pointed at an open invoice of exactly its amount:
    Gekoppeld when its statement adds up, Controleren (R0 saldo klopt niet) when not."""
    lines = [
        line for line in read_bank(SAMPLES / name).lines
        if line.amount > 0 and line.currency == "EUR" and not line.reversal
    ]  # fmt: skip
    customer = Customer(number="K1", name="Klant")
    invoices = tuple(
        Invoice(number=f"2026-{i:04d}", customer="K1", invoice_date=date(2026, 9, 1),
                due_date=date(2026, 10, 1), amount=line.amount)
        for i, line in enumerate(lines, start=1)
    )  # fmt: skip
    lines = [
        replace(line, description=f"Factuur {inv.number}", reference="", end_to_end="")
        for line, inv in zip(lines, invoices, strict=True)
    ]
    result = match_bank_lines(Book(customers=(customer,), invoices=invoices), lines,
                              date(2026, 11, 24))  # fmt: skip
    got = [(p.invoice, p.status.value, p.rule) for p in result.payments]
    exp = [
        (inv.number, "Controleren", "R0 saldo klopt niet")
        if line.unbalanced
        else (inv.number, "Gekoppeld", "R3 factuurnummer")
        for line, inv in zip(lines, invoices, strict=True)
    ]
    assert got == exp


def test_bank_files_read_alongside_other_work_come_back_as_read_one_by_one(tmp_path) -> None:
    paths = [FIXTURES / "camt053-v04-batch.xml", FIXTURES / "ing.csv"]
    result, files = read_alongside(paths, lambda: "werkmap gelezen")
    assert result == "werkmap gelezen"
    assert files is not None
    assert files.take() == [read_bank(p) for p in paths]
    bad = tmp_path / "leeg.xml"
    bad.write_bytes(b"")
    _, files = read_alongside([paths[0], bad], lambda: None)
    assert files is not None
    with pytest.raises(BankFileError, match="leeg"):
        files.take()  # the error comes when the files are asked for, as from read_bank


def test_big_bank_files_are_not_read_alongside() -> None:
    result, files = read_alongside([FIXTURES / "camt053-v04-batch.xml"], lambda: 7, limit=100)
    assert (result, files) == (7, None)  # import_bank reads them after the workbook


@pytest.mark.parametrize("process_from", [0, 1 << 30], ids=["process", "thread"])
def test_read_alongside_runs_its_warm_up_beside_the_reading(process_from: int) -> None:
    done: list[str] = []

    def fails() -> None:
        done.append("opgewarmd")
        raise ValueError("warm-up failures are not the reading's")

    paths = [FIXTURES / "camt053-v04-batch.xml"]
    _, files = read_alongside(paths, lambda: None, process_from=process_from, meanwhile=fails)
    assert files is not None
    assert files.take() == [read_bank(p) for p in paths]
    assert done == ["opgewarmd"]


# Every kind of file, one with a balance warning among them.
ALL_KINDS = [
    FIXTURES / "camt053-v04-batch.xml",
    FIXTURES / "camt053-v02-off-by-a-cent.xml",
    FIXTURES / "mt940-ing-structured.sta",
    FIXTURES / "rabobank.csv",
]


def test_bank_files_read_by_a_second_process_are_the_files_read_here(tmp_path) -> None:
    # process_from=0: these small files go to a second Python too (big ones do by size).
    result, read = read_alongside(ALL_KINDS, lambda: "werkmap gelezen", process_from=0)
    assert result == "werkmap gelezen"
    assert read is not None
    got = read.take()
    assert got == [read_bank(p) for p in ALL_KINDS]
    assert got[1].warnings  # the one off by a cent
    bad = tmp_path / "leeg.xml"
    bad.write_bytes(b"")
    _, read = read_alongside([ALL_KINDS[0], bad], lambda: None, process_from=0)
    assert read is not None
    with pytest.raises(BankFileError) as exp:
        read_bank(bad)
    with pytest.raises(BankFileError) as got_error:
        read.take()
    assert str(got_error.value) == str(exp.value)  # the message as from read_bank


@pytest.mark.parametrize(
    "python",
    ["geen-python", shutil.which("true") or "geen-true", "praat.sh"],
    ids=["cannot-start", "ends-without-answer", "garbled-answer"],
)
def test_bank_files_are_read_here_when_the_second_process_fails(
    python: str, tmp_path, monkeypatch
) -> None:
    if python == "praat.sh":  # prints something else than the answer on its stdout
        if sys.platform == "win32":
            pytest.skip("a shell script as the interpreter needs a POSIX shell")
        script = tmp_path / python
        script.write_text("#!/bin/sh\necho 'Welkom bij Python'\n")
        script.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(tmp_path / python) if "/" not in python else python)
    assert job._read_in_process(ALL_KINDS) == [read_bank(p) for p in ALL_KINDS]


@pytest.mark.parametrize("path", ALL_KINDS, ids=lambda p: p.name)
def test_a_packed_bank_file_unpacks_equal(path: Path) -> None:
    exp = read_bank(path)
    assert [files.unpack(p) for p in files.read_packed([str(path)])] == [exp]
    assert files.unpack(((), (), "CSV", ("a.csv",))) == files.BankFile((), (), "CSV", ("a.csv",))


# Account texts as the files write them, and the account they are (files._iban: spaces,
# any Unicode white space and dots out, upper case; a plain account takes a short cut).
@pytest.mark.parametrize(
    ("text", "exp"),
    [
        ("NL91ABNA0417164300", "NL91ABNA0417164300"),
        ("nl91abna0417164300", "NL91ABNA0417164300"),
        ("NL91 ABNA 0417 1643 00", "NL91ABNA0417164300"),
        ("1291.99.348", "129199348"),
        ("NL91\u00a0ABNA\t0417164300\n", "NL91ABNA0417164300"),
        ("", ""),
        (None, ""),
    ],
    ids=["plain", "lower", "spaces", "dots", "unicode-space", "empty", "none"],
)
def test_account_text_normalised(text: str | None, exp: str) -> None:
    got = files._iban(text)  # type: ignore[arg-type]
    assert got == exp


def test_mt940_is_parsed_one_statement_at_a_time(tmp_path, monkeypatch):
    """The mt940 library is fed one statement per call (files._mt940_chunks), so the
    parse records held at once are one statement's, however long the file: 655,000
    transactions in 655 statements never have all their records alive together. Counted
    here on the real parser: 4x the statements is 4x the calls of one statement each."""
    statement = (FIXTURES / "mt940-ing-structured.sta").read_text("utf-8")
    body = statement[statement.index(":20:") : statement.rindex("-}")]
    parsed: list[int] = []

    class Counting(mt940.MT940):  # type: ignore[misc]
        def __init__(self, source: object) -> None:
            super().__init__(source)
            parsed.append(len(self.statements))

    monkeypatch.setattr(mt940, "MT940", Counting)
    for count in (3, 12):
        parsed.clear()
        path = tmp_path / f"{count}.sta"
        path.write_text(
            "".join(body.replace(":28C:00000", f":28C:{n:05d}") for n in range(count)), "utf-8"
        )
        read = read_bank(path)
        assert parsed == [1] * count
        assert len(read.lines) == 4 * count and read.warnings == ()


# files.swift_tags against the mt940 library's own _find_swift_tags, on texts made of the
# tags (whole and cut), slashes and words: same values for every text.
_TAG_PIECES = [t for tags in (mt940.RABO_TAGS, mt940.ABN_AMRO_TAGS) for t, _ in tags]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_TAG_PIECES),
            st.sampled_from(_TAG_PIECES).map(lambda t: t[:-1]),
            st.sampled_from(["/", "//", "E2E1", "JANSEN BV", "Factuur 2026-17", " ", ""]),
            st.text(alphabet="/ABCDEIMNRT ", max_size=6),
        ),
        max_size=12,
    ),
    st.sampled_from(["rabo", "abn"]),
)
def test_swift_tags_are_the_libraries(pieces: list[str], bank: str) -> None:
    tags = mt940.RABO_TAGS if bank == "rabo" else mt940.ABN_AMRO_TAGS
    text = "".join(pieces)
    exp = mt940._find_swift_tags(tags, text)
    got = files.swift_tags(tags)(text)
    assert got == exp


def test_unique_keys_keep_every_field_of_the_line() -> None:
    # files._unique_fields gives each BankLine's fields in order, _lines builds them positionally: every field distinct, so one put
    # in the wrong place shows; a new BankLine field must be added there too.
    from dataclasses import fields

    from addin.core.bank import BankLine

    mismatch = BalanceMismatch("STMT-1", Decimal("1"), Decimal("2"), Decimal("4"))
    line = BankLine(
        date(2026, 11, 23), Decimal("12.10"), "NL91ABNA0417164300", "JANSEN BV", "Factuur 17",
        "RF18539007547034", "E2E-1", True, "oud", "NL44RABO0123456789", "nov.xml", "USD",
        None, "vorig",
    )  # fmt: skip
    assert len(fields(BankLine)) == 14
    exp = (
        replace(line, key="camt:1", unbalanced=mismatch, former_key="ing:1"),
        replace(line, key="camt:1#2", former_key="ing:1#2"),
        replace(line, key="camt:1#3", former_key=""),
    )
    raws = [
        files._Raw(line, "camt:1", mismatch, "ing:1"),
        files._Raw(line, "camt:1", None, "ing:1"),
        files._Raw(line, "camt:1"),
    ]
    got = files._lines(files._unique_fields(raws))
    assert got == exp


def test_a_utf8_csv_with_one_windows_1252_line_keeps_the_others_accents(tmp_path: Path) -> None:
    # Rabobank's CSV as UTF-8, its third line (Café Bakker) left in Windows-1252 as if pasted
    # in from another export: the whole file was read as Windows-1252, so the header's
    # "initiërende" and line 2's "Zoë Müller" came out as "initiÃ«rende", "ZoÃ« MÃ¼ller".
    lines = (FIXTURES / "rabobank.csv").read_bytes().decode("cp1252").splitlines(keepends=True)
    lines[1] = lines[1].replace("Zuivelhandel Groenewoud", "Zoë Müller")
    mixed = tmp_path / "rabo-gemengd.csv"
    mixed.write_bytes(b"".join(line.encode("cp1252" if n == 2 else "utf-8")
                               for n, line in enumerate(lines)))  # fmt: skip
    read = read_bank(mixed)
    assert [line.counter_name for line in read.lines[:2]] == ["Zoë Müller", "Café Bakker"]
    ((warning),) = read.warnings  # type: ignore[misc]
    assert warning.kind == files.MIXED_ENCODING
    assert warning.message.startswith(
        "Bankbestand rabo-gemengd.csv: regel 3 is geen UTF-8 zoals de rest van het bestand"
    )
    # The file as the bank gave it (Windows-1252 throughout) gets no warning.
    assert read_bank(FIXTURES / "rabobank.csv").warnings == ()


# What comes before a CAMT file's first tag (files._from_first_tag): the XML from its first
# "<", and the lines and columns before it, so that messages name the file's own lines.
@pytest.mark.parametrize(
    ("data", "exp"),
    [
        (b"<?xml?>", (b"<?xml?>", 0, 0)),
        (b"\xef\xbb\xbf<?xml?>", (b"\xef\xbb\xbf<?xml?>", 0, 0)),
        (b"\n\n<?xml?>", (b"<?xml?>", 2, 0)),
        (b"\xef\xbb\xbf\r\n\r\n<?xml?>", (b"<?xml?>", 2, 0)),
        (b"\r\r  <?xml?>", (b"<?xml?>", 2, 2)),
        (b"  \t<a/>", (b"<a/>", 0, 3)),
    ],
    ids=["none", "bom", "blank-lines", "bom-crlf", "cr-then-spaces", "spaces"],
)
def test_from_first_tag(data: bytes, exp: tuple[bytes, int, int]) -> None:
    got = files._from_first_tag(data)
    assert got == exp


# The CSV reader's lines (files.physical_lines) are io.StringIO(text, newline="")'s, without
# its copy of the whole text at four bytes a character (an 85 MB ING export: 330 MB more).
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab;"\r\n\u2028\x85 é', max_size=40))
def test_physical_lines_are_stringio_lines(text: str) -> None:
    assert list(files.physical_lines(text)) == io.StringIO(text, newline="").readlines()


def test_a_csv_with_old_mac_line_ends_and_a_quoted_break_reads_as_before(tmp_path: Path) -> None:
    # Bare \r line ends (classic Mac) and a \r\n inside a quoted Mededelingen: the rows and
    # the lines named in messages are those StringIO gave.
    rows = (FIXTURES / "ing.csv").read_text("utf-8").splitlines()
    text = "\r".join(rows[:3]).replace("Factuur 2026-0017", "Factuur\r\n2026-0017") + "\r"
    path = tmp_path / "ing-mac.csv"
    path.write_text(text, "utf-8", newline="")
    got = read_bank_file(path)
    assert len(got) == 2 and "2026-0017" in got[0].description
    broken = text.replace('"Bij"', '"Bijna"', 1)
    path.write_text(broken, "utf-8", newline="")
    with pytest.raises(BankFileError, match="regel 2 heeft 'Af Bij' 'Bijna'"):
        read_bank_file(path)


def test_reading_a_big_ing_export_holds_little_beside_its_lines(tmp_path: Path) -> None:
    """Issue 14: an ING export of 374,000 rows peaked at 1 GB. Counted in bytes allocated
    (tracemalloc), not timed: what reading holds beside the lines it returns was 7.8 times
    the file (a StringIO copy of the text at four bytes a character, and every row read
    twice over at the end); now it is under 4 times."""
    header, first = (FIXTURES / "ing.csv").read_text("utf-8-sig").splitlines()[:2]
    rows = [
        first.replace("1210,00", f"{100 + k},{k % 100:02d}").replace("2026-0017", f"{k:05d}")
        for k in range(5000)
    ]
    path = tmp_path / "ing-groot.csv"
    path.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    tracemalloc.start()
    try:
        lines = read_bank_file(path)
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(lines) == 5000 and len({line.key for line in lines}) == 5000
    assert peak - held < 4 * path.stat().st_size, (peak - held) / path.stat().st_size


# --- ABN AMRO TXT (TXT*.TAB): abnamro.tab, our own rows in the layout public parsers give
# (see files._read_abn_tab), Windows-1252; abnamro.sta the same days as ABN AMRO's MT940.

TAB_EXP = [
    # booked, amount, counter_iban, counter_name, description, end_to_end, reversal
    (date(2026, 11, 23), Decimal("500.00"), "NL20INGB0001234567", "Groot BV",
     "Factuur 2026-0102", "", False),
    (date(2026, 11, 23), Decimal("1210.00"), "NL91ABNA0417164300", "Zuivelhandel Jöstra",
     "Betaling 5000056789012345", "E2E-2026-0101", False),
    (date(2026, 11, 24), Decimal("-25.50"), "", "",
     "BEA NR:XXX1234 22.11.26/12.54 Hema Zaandam,PAS123", "", False),
    # The older fixed-width text is read as ABN AMRO's MT940 reads it: all of it the
    # description (the matching rules find an invoice number or kenmerk in it).
    (date(2026, 11, 24), Decimal("-45.00"), "", "",
     "SEPA Overboeking IBAN: NL11RABO0300000002 BIC: RABONL2U Naam: Kantoorboekhandel "
     "Geüs Omschrijving: inkoop november", "", False),
    (date(2026, 11, 24), Decimal("-25.00"), "", "Sportschool Ümit", "", "INC-2026-11", True),
]  # fmt: skip


def test_abn_amro_tab_every_field() -> None:
    read = read_bank(FIXTURES / "abnamro.tab")
    assert (read.kind, read.warnings, read.names) == ("ABN AMRO TXT", (), ("abnamro.tab",))
    got = [
        (x.booked, x.amount, x.counter_iban, x.counter_name, x.description, x.end_to_end,
         x.reversal)
        for x in read.lines
    ]  # fmt: skip
    assert got == TAB_EXP
    # The amount exactly as written (Decimal, two places), the old account number as it is.
    assert [str(x.amount) for x in read.lines] == ["500.00", "1210.00", "-25.50", "-45.00",
                                                   "-25.00"]  # fmt: skip
    assert {(x.own_iban, x.currency, x.source, x.reference) for x in read.lines} == {
        ("123456789", "EUR", "abnamro.tab", "")
    }
    assert [x.unbalanced for x in read.lines] == [None] * 5
    assert len({x.key for x in read.lines}) == 5
    assert all(x.key.startswith("mt940:123456789:") for x in read.lines)


def test_abn_amro_tab_and_its_mt940_give_the_same_lines_and_keys() -> None:
    # ABN AMRO's MT940 has no bank reference either: its key is a hash of the line, the value
    # date and the :61: reference (NONREF). The TXT gives the same, so the same days
    # downloaded in both formats import once. MT940 writes "C500," where the TXT has 500,00.
    tab = read_bank(FIXTURES / "abnamro.tab").lines
    sta = read_bank(FIXTURES / "abnamro.sta").lines
    assert [x.key for x in tab] == [x.key for x in sta]
    assert [replace(x, source="", amount=x.amount.normalize(), former_key="") for x in tab] == [
        replace(x, source="", amount=x.amount.normalize(), former_key="") for x in sta
    ]


def _with_zeros(text: str) -> str:
    """An MT940's :61: and balance amounts written with their two decimals ("C500,00")."""

    def two(m: re.Match[str]) -> str:
        whole, cents = m[2], m[3]
        return f"{m[1]}{whole},{(cents + '00')[:2]}"

    return re.sub(r"((?::61:\d{10}|:6[02]F:[CD]\d{6}EUR)[CD]?)(\d+),(\d{0,2})", two, text)


def test_abn_amro_mt940_with_its_zeros_keeps_the_key_and_knows_its_former_one(tmp_path) -> None:
    """Public ABN AMRO MT940 samples write "C500," and "C500,00" alike. The key took the
    amount as written, so an MT940 with the zeros and the TXT of the same days (500,00)
    gave different keys: the same payments twice. Now the key takes one form of the amount;
    the key the amount as written gave is the line's former key (what earlier imports
    wrote), for both the MT940 and the TXT."""
    text = (FIXTURES / "abnamro.sta").read_bytes().decode("cp1252")
    zeros = _with_zeros(text)
    assert ":61:2611231123C500,00N654NONREF" in zeros and "C261120EUR3025,00" in zeros
    path = tmp_path / "abn-nullen.sta"
    path.write_bytes(zeros.encode("cp1252"))
    with_zeros = read_bank(path).lines
    plain = read_bank(FIXTURES / "abnamro.sta").lines
    tab = read_bank(FIXTURES / "abnamro.tab").lines
    assert [x.key for x in with_zeros] == [x.key for x in plain] == [x.key for x in tab]
    # "C500," had no other form: no former key; "C500,00" had its own, the TXT the same.
    assert [x.former_key for x in plain] == [""] * len(plain)
    assert all(x.former_key and x.former_key != x.key for x in with_zeros)
    assert [x.former_key for x in tab] == [x.former_key for x in with_zeros]


def _tab_rows() -> list[str]:
    return (FIXTURES / "abnamro.tab").read_bytes().decode("cp1252").splitlines()


def _write_tab(path: Path, rows: list[str]) -> Path:
    path.write_bytes("".join(row + "\r\n" for row in rows).encode("cp1252"))
    return path


def test_abn_amro_tab_identical_lines_get_numbered_and_keep_their_keys(tmp_path) -> None:
    rows = _tab_rows()
    # The same card payment twice on one day (balances chained), then the file again.
    second = rows[2].replace("4735,00\t4709,50", "4709,50\t4684,00")
    twice = read_bank(_write_tab(tmp_path / "twee.tab", [*rows[:3], second])).lines
    assert twice[3].key == twice[2].key + "#2"
    assert read_bank(tmp_path / "twee.tab").lines == twice


@pytest.mark.parametrize(
    ("row", "change", "exp"),
    [
        (3, ("\t-25,50\t", "\t-25.50\t"), "regel 3 heeft een ongeldig bedrag '-25.50'."),
        (3, ("\t4709,50\t", "\t4.709,50\t"), "regel 3 heeft een ongeldig bedrag '4.709,50'."),
        (4, ("\t20261124\t", "\t20261131\t"), "regel 4 heeft een ongeldige datum '20261131'."),
        (5, ("\tEUR\t", "\tE1R\t"), "regel 5 heeft een ongeldige munt 'E1R'."),
        (2, ("\t20261123\t1210,00", "\t1210,00"),
         "regel 2 heeft 7 kolommen in plaats van 8; het bestand is beschadigd of onvolledig."),
    ],
)  # fmt: skip
def test_abn_amro_tab_broken_line_is_named(tmp_path, row, change, exp) -> None:
    rows = _tab_rows()
    assert change[0] in rows[row - 1]
    rows[row - 1] = rows[row - 1].replace(*change, 1)
    path = _write_tab(tmp_path / "TXT261124101500.TAB", rows)
    with pytest.raises(BankFileError) as info:
        read_bank(path)
    assert str(info.value) == f"Bankbestand TXT261124101500.TAB: {exp}"


def test_abn_amro_tab_line_that_does_not_add_up_is_read_with_a_warning(tmp_path) -> None:
    rows = _tab_rows()
    rows[1] = rows[1].replace("\t4735,00\t", "\t4736,00\t")
    read = read_bank(_write_tab(tmp_path / "nov.tab", rows))
    assert len(read.lines) == 5  # still read
    (warning,) = read.warnings
    assert warning.kind == "saldo-klopt-niet"
    assert warning.message == (
        "Bankbestand nov.tab, afschrift op regel 2: het beginsaldo € 3.525,00 plus de "
        "boekingen (€ 1.210,00) is € 4.735,00, maar het eindsaldo is € 4.736,00. Er "
        "ontbreken misschien boekingen: controleer of het bestand volledig is. De regels zijn "
        "wel ingelezen, maar geen ervan wordt automatisch gekoppeld: ontvangsten erin staan in "
        "Betalingen op Status Controleren."
    )
    exp = BalanceMismatch("op regel 2", Decimal("3525.00"), Decimal("1210.00"), Decimal("4736.00"))
    assert [x.unbalanced for x in read.lines] == [None, exp, None, None, None]
    # The keys do not depend on it: the corrected file adds nothing.
    good = read_bank(FIXTURES / "abnamro.tab").lines
    assert [x.key for x in read.lines] == [x.key for x in good]


TAB_HEADER = "\t".join(
    ("Rekeningnummer", "Muntsoort", "Transactiedatum", "Beginsaldo", "Eindsaldo", "Rentedatum",
     "Bedrag", "Omschrijving")
)  # fmt: skip


@pytest.mark.parametrize(
    "how",
    ["seven columns", "a header row", "a dot decimal", "a tab-separated table"],
)
def test_abn_amro_tab_near_misses_are_refused_as_today(tmp_path, how) -> None:
    rows = _tab_rows()
    if how == "seven columns":  # without Rentedatum
        rows = ["\t".join(r.split("\t")[:5] + r.split("\t")[6:]) for r in rows]
    elif how == "a header row":
        rows = [TAB_HEADER, *rows]
    elif how == "a dot decimal":
        rows = [re.sub(r"(\d),(\d\d)\b", r"\1.\2", r) for r in rows]
    else:
        rows = ["naam\tplaats\tbedrag", "Jansen\tZaandam\t12,50"]
    path = _write_tab(tmp_path / "export.tab", rows)
    with pytest.raises(BankFileError) as info:
        read_bank(path)
    assert str(info.value) == (
        "Bankbestand export.tab: onbekend formaat; verwacht CAMT.053 (XML), MT940, de TXT-export "
        "van ABN AMRO (.TAB) of een CSV-export van ING of Rabobank. " + DOWNLOAD
    )


def test_abn_amro_tab_whose_text_says_datum_is_no_csv(tmp_path) -> None:
    # The ING/Rabobank test looks for "Datum" in the first line: an ABN AMRO line whose
    # Omschrijving holds it must still be read as what it is.
    rows = _tab_rows()
    rows[0] = rows[0].replace("REMI/Factuur 2026-0102", "REMI/Factuur 2026-0102 Datum 1-11")
    read = read_bank(_write_tab(tmp_path / "datum.tab", rows))
    assert read.kind == "ABN AMRO TXT"
    assert read.lines[0].description == "Factuur 2026-0102 Datum 1-11"


def test_abn_amro_tab_in_a_zip(tmp_path) -> None:
    package = tmp_path / "export.zip"
    with zipfile.ZipFile(package, "w") as z:
        z.write(FIXTURES / "abnamro.tab", "TXT261124101500.TAB")
    read = read_bank(package)
    assert read.kind == "ABN AMRO TXT"
    assert [x.key for x in read.lines] == [x.key for x in read_bank_file(FIXTURES / "abnamro.tab")]
