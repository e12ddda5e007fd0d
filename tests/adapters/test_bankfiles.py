"""The bank file readers on real files: the shared public samples and our own fixtures."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from addin.adapters.bankfiles import BankFileError, read_bank_file

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
        f"camt:NL02RABO0123456789:2026112300001/{i}" for i in (1, 2, 3)
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


def test_ing_csv_old_nine_columns_comma() -> None:
    (line,) = read_bank_file(FIXTURES / "ing-9kolommen.csv")
    assert line.amount == Decimal("512.50")
    assert line.counter_iban == "NL39RABO0300065264"


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
    assert lines[0].key == "rabo-csv:NL02RABO0123456789:000000000000012345"


def test_rabobank_csv_utf8_and_garbled_header(tmp_path: Path) -> None:
    text = (FIXTURES / "rabobank.csv").read_bytes().decode("cp1252")
    utf8 = tmp_path / "rabo-utf8.txt"
    utf8.write_text(text, encoding="utf-8")
    garbled = tmp_path / "rabo-garbled.csv"
    garbled.write_text(text.replace("initiërende", "initiÎrende"), encoding="utf-8")
    expected = [line.amount for line in read_bank_file(FIXTURES / "rabobank.csv")]
    assert [line.amount for line in read_bank_file(utf8)] == expected
    assert [line.amount for line in read_bank_file(garbled)] == expected


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
    start = time.perf_counter()
    with pytest.raises(BankFileError, match=r"bom\.xml.*DOCTYPE.*geweigerd"):
        read_bank_file(bomb)
    assert time.perf_counter() - start < 1


def test_external_entity_without_doctype_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ent.xml"
    path.write_text("<Document><BkToCstmrStmt>&xxe;</BkToCstmrStmt></Document>")
    with pytest.raises(BankFileError, match="beschadigd"):
        read_bank_file(path)


def test_truncated_xml_is_refused(tmp_path: Path) -> None:
    data = (FIXTURES / "camt053-v04-batch.xml").read_bytes()
    path = tmp_path / "afgebroken.xml"
    path.write_bytes(data[: len(data) // 2])
    start = time.perf_counter()
    with pytest.raises(BankFileError, match=r"afgebroken\.xml.*beschadigd of onvolledig"):
        read_bank_file(path)
    assert time.perf_counter() - start < 1


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
        (b":20:X\n:25:NL02RABO0123456789\n:28C:1\n:61:XYZ\n", "MT940-bestand is beschadigd"),
    ],
)
def test_unreadable_files_are_refused(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "vreemd.dat"
    path.write_bytes(content)
    with pytest.raises(BankFileError, match=message) as info:
        read_bank_file(path)
    assert "vreemd.dat" in str(info.value)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BankFileError, match="kan niet worden gelezen"):
        read_bank_file(tmp_path / "bestaat-niet.xml")


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
