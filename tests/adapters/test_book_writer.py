"""write_book: a small Book written and read back with openpyxl and with python-calamine.

Each test reads the file the way a user's tool would: tables by name, columns by header.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from addin import schema
from addin.adapters.workbook.book_writer import OPEN_FORMULA, write_book
from addin.core.ladder_default import DEFAULT_STEPS
from addin.core.model import (
    Agreement,
    AgreementKind,
    Book,
    Channel,
    Contact,
    ContactPerson,
    Customer,
    CustomerKind,
    Interval,
    Invoice,
    Outcome,
    Payment,
    PaymentStatus,
    Role,
    Settings,
    Special,
)

EVIL = '=HYPERLINK("x")'

BOOK = Book(
    settings=Settings(company_name="Test B.V.", call_days=frozenset({3, 1, 2}), crisis_mode=True),
    customers=(
        Customer("K1", EVIL, CustomerKind.BUSINESS, ibans=("NL91ABNA0417164300", "NL02INGB1")),
        Customer(
            "K2",
            "Piet Jansen",
            CustomerKind.CONSUMER,
            term_days=14,
            automatic=False,
            special=Special.DEBT_RESTRUCTURING,
            notes="=1+1",
        ),
    ),
    contact_persons=(ContactPerson("K1", "Anna de Vries", Role.PURCHASING, "06-12345678"),),
    invoices=(
        Invoice(
            "2026-001",
            "K1",
            date(2026, 3, 1),
            Decimal("1210.00"),
            date(2026, 3, 31),
            description="Levering",
            own_action="bellen",
            own_action_date=date(2026, 4, 2),
        ),
        Invoice("2026-002", "K2", date(2026, 3, 2), Decimal("-50.00")),
        Invoice(
            "2026-003",
            "K2",
            date(2026, 3, 3),
            Decimal("99.95"),
            paid=Decimal("99.95"),
            dispute="=kapot",
        ),
    ),
    agreements=(
        Agreement("A1", "K1", AgreementKind.PROMISE, date(2026, 4, 10), ("2026-001",)),
        Agreement(
            "A2",
            "K2",
            AgreementKind.ARRANGEMENT,
            date(2026, 5, 1),
            ("2026-003", "2026-002"),
            amount=Decimal("300.00"),
            instalments=3,
            interval=Interval.TWO_WEEKS,
            signed_returned=True,
        ),
    ),
    contacts=(
        Contact(
            date(2026, 4, 7),
            "K1",
            Channel.PHONE,
            ("2026-001",),
            outcome=Outcome.SAYS_PAID,
            step="Nabellen",
        ),
    ),
    payments=(
        Payment(date(2026, 4, 8), Decimal("100.00"), PaymentStatus.LINKED, invoice="2026-001"),
    ),
)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "boek.xlsx"
    write_book(BOOK, path)
    return path


@pytest.fixture(scope="module")
def wb(written: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(written)


def _rows(ws, spec: schema.TableSpec) -> list[dict[str, object]]:
    """The data rows of the sheet's table as {header: value}."""
    ref = ws.tables[spec.name].ref
    cells = list(ws[ref])
    headers = [c.value for c in cells[0]]
    return [dict(zip(headers, (c.value for c in row), strict=True)) for row in cells[1:]]


# -- structure --------------------------------------------------------------------------


def test_sheets_in_contract_order_then_werklijst_and_overzicht(wb):
    exp = [spec.sheet for spec in schema.TABLES] + ["Werklijst", "Overzicht"]
    assert wb.sheetnames == exp


@pytest.mark.parametrize("spec", schema.TABLES, ids=lambda s: s.name)
def test_each_sheet_has_one_table_with_the_contract_headers(wb, spec):
    ws = wb[spec.sheet]
    assert list(ws.tables) == [spec.name]
    table = ws.tables[spec.name]
    assert table.ref.startswith("A1:")
    assert table.tableStyleInfo.name.startswith("TableStyleMedium")
    got = [c.value for c in ws[1]]
    assert got == list(spec.headers)
    assert [col.name for col in table.tableColumns] == list(spec.headers)
    assert ws.freeze_panes == "A2"


# -- values -----------------------------------------------------------------------------


def test_invoice_values_dates_money_and_open_formula(wb):
    rows = _rows(wb["Facturen"], schema.FACTUREN)
    first = rows[0]
    assert first["Factuurnummer"] == "2026-001"
    assert first["Factuurdatum"] == datetime(2026, 3, 1)
    assert first["Vervaldatum"] == datetime(2026, 3, 31)
    assert first["Bedrag"] == 1210
    assert first["Betaald"] is None  # zero paid stays empty
    assert first["Eigen actie"] == "bellen"
    assert first["Eigen actiedatum"] == datetime(2026, 4, 2)
    assert first["Open"] == "=" + OPEN_FORMULA
    assert first["Status"] is None and first["Volgende actie"] is None
    assert rows[1]["Vervaldatum"] is None and rows[1]["Bedrag"] == -50
    assert rows[2]["Betaald"] == pytest.approx(99.95)

    ws = wb["Facturen"]
    assert ws["C2"].number_format == "dd-mm-yyyy"
    assert ws["C2"].is_date
    assert ws["E2"].number_format == "#,##0.00"
    assert ws["N2"].number_format == "#,##0.00"


def test_open_formula_in_long_structured_reference_form():
    exp = (
        "tblFacturen[[#This Row],[Bedrag]]-N(tblFacturen[[#This Row],[Betaald]])"
        "-SUMIFS(tblBetalingen[Bedrag],tblBetalingen[Factuur],"
        'tblFacturen[[#This Row],[Factuurnummer]],tblBetalingen[Status],"Gekoppeld")'
    )
    assert exp == OPEN_FORMULA
    assert "[@" not in OPEN_FORMULA


def test_open_is_the_tables_calculated_column(wb):
    table = wb["Facturen"].tables["tblFacturen"]
    open_col = next(c for c in table.tableColumns if c.name == "Open")
    assert open_col.calculatedColumnFormula.attr_text == OPEN_FORMULA


@pytest.mark.parametrize("spec", schema.TABLES, ids=lambda s: s.name)
def test_identifier_columns_are_formatted_as_text(wb, spec):
    """Invoice and customer numbers, kenmerken, phone numbers, IBANs: the column and its
    cells are Text (@), so what the user types there stays text in Excel (a 16-digit
    Betalingskenmerk is not rounded, the 0 of 0612345678 stays). Other columns keep their
    formats (dates, money, General)."""
    ws = wb[spec.sheet]
    for i, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(i)
        cells = [ws.cell(row, i) for row in range(2, ws.max_row + 1)]
        formats = {c.number_format for c in cells if c.value is not None}
        if column.text:
            # An empty cell is not written; it takes the column's format.
            assert ws.column_dimensions[letter].number_format == "@", column.header
            assert formats <= {"@"}, (column.header, formats)
            assert formats or column.formula or not any(c.value for c in cells)
        else:
            assert ws.column_dimensions[letter].number_format == "General", column.header
            assert "@" not in formats, column.header
    assert any(c.text for c in spec.columns) == (
        spec.name in {"tblFacturen", "tblKlanten", "tblContactpersonen", "tblAfspraken",
                      "tblContacten", "tblBetalingen"}
    )  # fmt: skip


def test_formula_looking_text_stays_text(wb):
    ws = wb["Klanten"]
    assert ws["B2"].value == EVIL
    assert ws["B3"].data_type == "s"
    for cell in (ws["B2"], wb["Facturen"]["K4"]):
        assert cell.data_type == "s", cell.coordinate
    assert _rows(ws, schema.KLANTEN)[1]["Notities"] == "=1+1"


def test_customer_enums_booleans_and_tuples(wb):
    k1, k2 = _rows(wb["Klanten"], schema.KLANTEN)
    assert (k1["Soort"], k1["Automatisch"], k1["Taal"]) == ("Zakelijk", "Ja", "NL")
    assert k1["IBAN"] == "NL91ABNA0417164300, NL02INGB1"
    assert k1["Segment"] is None and k1["Bijzonderheid"] is None
    assert (k2["Soort"], k2["Automatisch"], k2["Betaaltermijn"]) == ("Particulier", "Nee", 14)
    assert k2["Bijzonderheid"] == "Schuldsanering"


def test_agreements_contacts_payments(wb):
    a1, a2 = _rows(wb["Afspraken"], schema.AFSPRAKEN)
    assert (a1["Soort"], a1["Aantal termijnen"], a1["Interval"]) == ("Toezegging", None, None)
    assert a1["Getekend retour"] == "Nee" and a1["Status"] is None
    assert (a2["Facturen"], a2["Aantal termijnen"], a2["Interval"]) == (
        "2026-003, 2026-002",
        3,
        "2 weken",
    )
    assert a2["Getekend retour"] == "Ja"
    (c,) = _rows(wb["Contacten"], schema.CONTACTEN)
    assert (c["Kanaal"], c["Uitkomst"], c["Stap"]) == ("Telefoon", "Zegt betaald", "Nabellen")
    assert c["Datum"] == datetime(2026, 4, 7)
    (p,) = _rows(wb["Betalingen"], schema.BETALINGEN)
    assert (p["Status"], p["Factuur"], p["Bedrag"]) == ("Gekoppeld", "2026-001", 100)
    assert wb["Betalingen"]["B2"].number_format == "#,##0.00"


def test_settings_rows_in_contract_order(wb):
    rows = _rows(wb["Instellingen"], schema.INSTELLINGEN)
    assert [r["Instelling"] for r in rows] == [name for _, name in schema.SETTINGS]
    got = {r["Instelling"]: r["Waarde"] for r in rows}
    assert got["Bedrijfsnaam"] == "Test B.V."
    assert got["Beldagen"] == "di, wo, do"
    assert got["Crisismodus"] == "Ja"
    assert got["Standaard betaaltermijn"] == 30
    assert got["Minimum bedrag herinnering"] == 10
    assert got["Adres"] is None


def test_default_ladder_when_the_book_has_no_steps(wb):
    rows = _rows(wb["Stappen"], schema.STAPPEN)
    assert [r["Stap"] for r in rows] == [s.name for s in DEFAULT_STEPS]
    assert rows[0] == {
        "Stap": "Bellen",
        "Na dagen": 2,
        "Vanaf": "Vervaldatum",
        "Actie": "bellen",
        "Kanaal": "Telefoon",
        "Sjabloon": "bellen",
        "Voor": "Zakelijk",
        "Segment": "A",
    }
    assert rows[1]["Segment"] == "Alle" and rows[1]["Voor"] == "Alle"


# -- python-calamine --------------------------------------------------------------------


def test_calamine_reads_tables_by_name(written):
    cw = CalamineWorkbook.from_path(str(written), load_tables=True)
    assert cw.table_names == [spec.name for spec in schema.TABLES]
    for spec in schema.TABLES:
        table = cw.get_table_by_name(spec.name)
        assert table.sheet == spec.sheet
        assert table.columns == list(spec.headers)
    facturen = cw.get_table_by_name("tblFacturen").to_python()
    assert facturen[0][:5] == ["2026-001", "K1", date(2026, 3, 1), date(2026, 3, 31), 1210.0]
    klanten = cw.get_table_by_name("tblKlanten").to_python()
    assert klanten[0][1] == EVIL


def test_settings_rows_false_leaves_instellingen_empty(tmp_path):
    path = tmp_path / "leeg.xlsx"
    write_book(BOOK, path, settings_rows=False)
    ws = openpyxl.load_workbook(path)["Instellingen"]
    assert ws.tables["tblInstellingen"].ref == "A1:B2"
    assert ws["A2"].value is None


# -- empty tables -----------------------------------------------------------------------


def test_empty_book_has_valid_empty_tables(tmp_path):
    path = tmp_path / "leeg.xlsx"
    write_book(Book(), path, settings_rows=False)
    wb = openpyxl.load_workbook(path)
    cw = CalamineWorkbook.from_path(str(path), load_tables=True)
    for spec in schema.TABLES:
        if spec is schema.STAPPEN:
            continue  # the default ladder
        last = openpyxl.utils.get_column_letter(len(spec.columns))
        assert wb[spec.sheet].tables[spec.name].ref == f"A1:{last}2"  # header + one empty row
        table = cw.get_table_by_name(spec.name)
        assert table.columns == list(spec.headers)
        assert all(v == "" for row in table.to_python() for v in row)
    assert len(cw.get_table_by_name("tblStappen").to_python()) == len(DEFAULT_STEPS)


# -- reproducible bytes -----------------------------------------------------------------


def test_fixed_timestamp_gives_identical_bytes(tmp_path):
    stamp = datetime(2026, 11, 24, 7, 0)
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_book(BOOK, a, timestamp=stamp)
    write_book(BOOK, b, timestamp=stamp)
    assert a.read_bytes() == b.read_bytes()
    props = openpyxl.load_workbook(a).properties
    assert props.created == stamp and props.modified == stamp


# -- round trip through the reader ------------------------------------------------------


def _without_rows(book: Book) -> Book:
    tables = {
        f.name: tuple(dataclasses.replace(r, row=0) for r in getattr(book, f.name))
        for f in dataclasses.fields(book)
        if f.name not in ("settings", "absent_columns")
    }
    return dataclasses.replace(book, **tables)


def test_reader_gives_back_what_was_written(written):
    """Every field survives write_book -> read_book; only the row numbers are new, an
    empty ladder comes back as the default one that was written, and empty invoice
    sentences as the suggested ones (PLAYBOOK R4)."""
    from addin.adapters.workbook.reader import read_book
    from addin.core.texts import with_suggestions

    got, problems = read_book(written)
    assert problems == ()
    exp = dataclasses.replace(BOOK, steps=DEFAULT_STEPS, settings=with_suggestions(BOOK.settings))
    assert _without_rows(got) == _without_rows(exp)
    assert "binnen 30 dagen" in got.settings.invoice_sentence
    assert [c.row for c in got.customers] == [2, 3]


def test_a_big_new_workbook_is_packed_at_the_usual_level(tmp_path):
    """The Text columns' ignoredErrors is added through the write-back, which deflates a
    changed part over 1 MB at level 1 for speed; a new workbook is packed as openpyxl and
    Excel pack theirs (the benchmark's 100,000-invoice book was 18.9 MB instead of 14.8)."""
    import zipfile
    import zlib

    invoices = tuple(
        Invoice(f"2026-{k:05d}", "K1", date(2026, 1, 1 + k % 28), Decimal(k % 997) + 1)
        for k in range(15_000)
    )
    path = tmp_path / "Groot.xlsx"
    write_book(dataclasses.replace(BOOK, invoices=invoices), path)
    with zipfile.ZipFile(path) as z:
        (name,) = [
            i.filename for i in z.infolist() if i.file_size > (1 << 20)
        ]  # the Facturen sheet
        info, raw = z.getinfo(name), z.read(name)
    assert b"<ignoredErrors>" in raw
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    usual = len(packer.compress(raw) + packer.flush())
    fast = zlib.compressobj(1, zlib.DEFLATED, -15)
    assert info.compress_size == usual < len(fast.compress(raw) + fast.flush())
