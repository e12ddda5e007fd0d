"""The workbook reader on real .xlsx/.xlsm files written with openpyxl."""

from __future__ import annotations

import dataclasses
import shutil
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.table import Table

from addin import schema
from addin.adapters.workbook import reader
from addin.adapters.workbook.cells import to_amount
from addin.adapters.workbook.reader import WorkbookError, read_book
from addin.core.model import (
    Action,
    Agreement,
    AgreementKind,
    Audience,
    Basis,
    CellRef,
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
    Problem,
    Role,
    Segment,
    Settings,
    Special,
    Step,
)
from addin.core.money import ZERO

# --- writing workbooks -----------------------------------------------------------------


@dataclass
class Sheet:
    """One sheet to write: headers and rows at `origin`, as an Excel table when `table`
    is given, else as a plain range; `above` rows (a title) go on top of the headers."""

    name: str
    headers: Sequence[object]
    rows: Sequence[Sequence[object]] = ()
    table: str | None = None
    origin: str = "A1"
    above: Sequence[Sequence[object]] = ()


def write_sheets(path: Path, *sheets: Sheet) -> Path:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for spec in sheets:
        ws = workbook.create_sheet(spec.name)
        letter, top = coordinate_from_string(spec.origin)
        left = column_index_from_string(letter)
        lines = [*spec.above, spec.headers, *spec.rows]
        for r, line in enumerate(lines):
            for c, value in enumerate(line):
                if value is not None:
                    ws.cell(row=top + r, column=left + c, value=value)
        if spec.table:
            header_row = top + len(spec.above)
            last_row = header_row + max(len(spec.rows), 1)
            last_col = get_column_letter(left + len(spec.headers) - 1)
            ref = f"{letter}{header_row}:{last_col}{last_row}"
            ws.add_table(Table(displayName=spec.table, ref=ref))
    workbook.save(path)
    return path


@pytest.fixture
def book_file(tmp_path: Path) -> Callable[..., Path]:
    """write(*sheets, name="boek.xlsx") -> the path of a new workbook in tmp_path."""

    def write(*sheets: Sheet, name: str = "boek.xlsx") -> Path:
        return write_sheets(tmp_path / name, *sheets)

    return write


# --- the tables used below ------------------------------------------------------------

INVOICE_HEADERS = ["Factuurnummer", "Klantnummer", "Factuurdatum", "Vervaldatum", "Bedrag"]
KLANTEN = Sheet("Klanten", ["Klantnummer", "Naam"], [["K001", "Acme BV"]], table="tblKlanten")


def facturen(rows, headers=INVOICE_HEADERS, **kwargs) -> Sheet:
    kwargs.setdefault("table", "tblFacturen")
    return Sheet("Facturen", headers, rows, **kwargs)


def invoice(number="2026-001", row=2, **fields) -> Invoice:
    fields.setdefault("customer", "K001")
    fields.setdefault("invoice_date", date(2026, 2, 3))
    fields.setdefault("amount", Decimal("1210.00"))
    return Invoice(number=number, row=row, **fields)


# --- the plans match the contract ------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "cls", "plan", "attribute"),
    reader._RECORD_TABLES,
    ids=lambda v: getattr(v, "name", ""),
)
def test_every_column_has_a_field_plan(spec, cls, plan, attribute):
    exp = {c.field for c in spec.columns if not c.formula}
    got = set(plan)
    assert got == exp
    assert got <= {f.name for f in dataclasses.fields(cls)}


def test_every_table_is_read():
    exp = set(schema.TABLES)
    got = set(reader._READING_ORDER)
    assert got == exp
    assert len(reader._READING_ORDER) == len(exp)
    assert set(reader._REPORT_ORDER) == exp
    assert len(reader._REPORT_ORDER) == len(exp)


def test_reading_some_tables_reads_those_as_a_full_read_does(book_file):
    # The invoice import reads Facturen, Klanten and Instellingen only.
    voorbeeld = Path(__file__).resolve().parents[2] / "workbook" / "Voorbeeld.xlsx"
    bad = facturen([["2026-001", "K001", "31-2-2026", None, 1210]])
    for path in (voorbeeld, book_file(bad, KLANTEN, Sheet("Contacten", ["Datum"], [["x"]]))):
        full, full_problems = read_book(path)
        some, problems = read_book(path, (schema.FACTUREN, schema.KLANTEN, schema.INSTELLINGEN))
        assert (some.invoices, some.customers, some.settings) == (
            full.invoices,
            full.customers,
            full.settings,
        )
        assert some.contacts == some.payments == some.agreements == some.steps == ()
        sheets = {"Facturen", "Klanten", "Instellingen"}
        assert problems == tuple(p for p in full_problems if p.source.sheet in sheets)
    assert [p.source.row for p in problems] == [2]  # the bad date, still reported


# --- finding tables and columns --------------------------------------------------------


def test_columns_in_another_order_with_extras_and_sloppy_headers(book_file):
    headers = ["  BEDRAG ", "Opmerking", "klantnummer", "Factuur nummer", "Factuurnummer",
               "factuurDatum"]  # fmt: skip
    path = book_file(facturen([[1210.0, "x", "K001", "nee", "2026-001", date(2026, 2, 3)]],
                              headers=headers), KLANTEN)  # fmt: skip
    book, problems = read_book(path)
    assert problems == ()
    assert book.invoices == (invoice(),)


def test_table_name_case_is_ignored(book_file):
    path = book_file(facturen([["2026-001", "K001", date(2026, 2, 3), None, 1210]],
                              table="TBLfacturen"), KLANTEN)  # fmt: skip
    book, problems = read_book(path)
    assert problems == ()
    assert [i.number for i in book.invoices] == ["2026-001"]


def test_missing_optional_columns_take_their_defaults(book_file):
    headers = ["Factuurnummer", "Klantnummer", "Factuurdatum", "Bedrag"]
    path = book_file(facturen([["2026-001", "K001", date(2026, 2, 3), 1210]], headers), KLANTEN)
    book, problems = read_book(path)
    assert problems == ()
    (got,) = book.invoices
    assert got == invoice()
    assert (got.due_date, got.paid, got.dispute) == (None, ZERO, "")


def test_missing_required_column_is_one_problem_and_the_table_is_not_read(book_file):
    headers = ["Factuurnummer", "Klantnummer", "Vervaldatum", "Bedrag"]
    path = book_file(facturen([["2026-001", "K001", date(2026, 3, 5), 1210]], headers), KLANTEN)
    book, problems = read_book(path)
    assert book.invoices == ()
    assert [p.source for p in problems] == [CellRef("Facturen", None, "Factuurdatum")]
    assert "Factuurdatum" in problems[0].message
    assert "niet gelezen" in problems[0].message


def test_missing_tables(book_file):
    path = book_file(Sheet("Overzicht", ["iets"], [["x"]]))
    book, problems = read_book(path)
    assert [p.source for p in problems] == [CellRef("Facturen"), CellRef("Klanten")]
    assert "tblFacturen" in problems[0].message
    assert book.steps == ()
    assert book.settings == Settings()
    assert book.invoices == book.customers == book.payments == ()


def test_plain_range_without_a_table_is_read_with_its_excel_rows(book_file):
    sheet = facturen(
        [
            ["2026-001", "K001", date(2026, 2, 3), None, 1210],
            ["2026-002", "K001", "morgen", None, 5],
        ],
        table=None,
        origin="B3",
        above=[["Facturen 2026"], []],
    )  # headers on row 5, data from row 6
    book, problems = read_book(book_file(sheet, KLANTEN))
    assert book.invoices == (invoice(row=6),)
    assert [p.source for p in problems] == [CellRef("Facturen", 7, "Factuurdatum")]
    assert problems[0].message.startswith("Facturen!D7: 'morgen' is geen datum")


def test_plain_range_without_the_required_headers_is_a_missing_table(book_file):
    sheet = Sheet("Facturen", ["Nummer", "Bedrag"], [["2026-001", 10]])
    book, problems = read_book(book_file(sheet, KLANTEN))
    assert book.invoices == ()
    assert [p.source for p in problems] == [CellRef("Facturen")]


def test_formula_columns_are_ignored(book_file):
    headers = [*INVOICE_HEADERS, "Open", "Status", "Volgende actie"]
    rows = [["2026-001", "K001", date(2026, 2, 3), None, 1210, "#VALUE!", "??", "x"]]
    book, problems = read_book(book_file(facturen(rows, headers), KLANTEN))
    assert problems == ()
    assert book.invoices == (invoice(),)


# exp: the sheet's problems for a header heading more than one column (the first is read)
TWO_AMOUNTS = (
    "Blad Facturen heeft twee kolommen met de kop 'Bedrag' (E en G): kolom E wordt gelezen, "
    "de andere kolom niet. Geef de andere kolom een eigen kop of verwijder hem."
)


def test_a_header_twice_is_a_problem_naming_both_columns_and_the_first_is_read(book_file):
    headers = [*INVOICE_HEADERS, "Notities", " bedrag"]
    rows = [["2026-001", "K001", date(2026, 2, 3), None, 1210, "", 5]]
    book, problems = read_book(book_file(facturen(rows, headers), KLANTEN))
    assert problems == (Problem(CellRef("Facturen", 1, "Bedrag"), TWO_AMOUNTS),)
    assert book.invoices == (invoice(),)


def test_a_header_three_times_in_a_plain_range_and_twice_in_instellingen(book_file):
    headers = ["Bedrag", "Factuurnummer", "Klantnummer", "BEDRAG", "Factuurdatum", "Bedrag"]
    rows = [[1210, "2026-001", "K001", 7, date(2026, 2, 3), 8]]
    plain = facturen(rows, headers, table=None, origin="B3", above=[["Facturen 2026"], []])
    settings = Sheet(
        "Instellingen",
        ["Instelling", "Waarde", "Waarde"],
        [["Bedrijfsnaam", "Installatie Jansen", "Oud"]],
        table="tblInstellingen",
    )
    book, problems = read_book(book_file(plain, KLANTEN, settings))
    assert [(p.source, p.message) for p in problems] == [
        (
            CellRef("Facturen", 5, "Bedrag"),
            "Blad Facturen heeft drie kolommen met de kop 'Bedrag' (B, E en G): kolom B wordt "
            "gelezen, de andere kolommen niet. Geef de andere kolommen een eigen kop of "
            "verwijder ze.",
        ),
        (
            CellRef("Instellingen", 1, "Waarde"),
            "Blad Instellingen heeft twee kolommen met de kop 'Waarde' (B en C): kolom B wordt "
            "gelezen, de andere kolom niet. Geef de andere kolom een eigen kop of verwijder "
            "hem.",
        ),
    ]
    assert book.invoices == (invoice(row=6),)
    assert book.settings.company_name == "Installatie Jansen"


# --- values ----------------------------------------------------------------------------


def test_dates_as_cells_serials_and_text(book_file):
    rows = [
        ["a", "K001", date(2026, 2, 3), datetime(2026, 3, 5, 14, 0), 1],
        ["b", "K001", 46056, "5-3-2026", 1],
        ["c", "K001", "3-2-26", "5 maart 2026", 1],
        ["d", "K001", "2026-02-03", "05/03/2026", 1],
    ]
    book, problems = read_book(book_file(facturen(rows), KLANTEN))
    assert problems == ()
    got = [(i.invoice_date, i.due_date) for i in book.invoices]
    assert got == [(date(2026, 2, 3), date(2026, 3, 5))] * 4


def test_amounts_as_numbers_and_dutch_text(book_file):
    headers = [*INVOICE_HEADERS, "Betaald"]
    rows = [
        ["a", "K001", date(2026, 2, 3), None, 1234.56, None],
        ["b", "K001", date(2026, 2, 3), None, "€ 1.234,56", "10"],
        ["c", "K001", date(2026, 2, 3), None, "-12,50", 0.1],
        ["d", "K001", date(2026, 2, 3), None, 1234, "€ 0,10"],
    ]
    book, problems = read_book(book_file(facturen(rows, headers), KLANTEN))
    assert problems == ()
    got = [(i.amount, i.paid) for i in book.invoices]
    exp = [
        (Decimal("1234.56"), ZERO),
        (Decimal("1234.56"), Decimal("10.00")),
        (Decimal("-12.50"), Decimal("0.10")),
        (Decimal("1234.00"), Decimal("0.10")),
    ]
    assert got == exp


@pytest.mark.parametrize(
    "amounts",
    [
        pytest.param([0.0, 12.5, 0.0, 99.99] * 300, id="repeated"),
        pytest.param([k + 0.25 for k in range(1200)], id="distinct"),
        pytest.param([0.0, 12.5] * 300 + [1.005], id="with-a-fraction-of-a-cent"),
        pytest.param([0.0, 12.5] * 300 + [""], id="with-an-empty-cell"),
    ],
)
def test_amount_columns_read_the_same_as_single_amounts(book_file, amounts):
    rows = [[f"F{k}", "K001", date(2026, 2, 3), None, 1, a] for k, a in enumerate(amounts)]
    path = book_file(facturen(rows, [*INVOICE_HEADERS, "Betaald"]), KLANTEN)
    book, problems = read_book(path)
    assert problems == ()
    got = [(str(i.paid), i.paid.as_tuple().exponent) for i in book.invoices]
    exp = [(str(to_amount(a) or ZERO), -2) for a in amounts]
    assert got == exp


def test_numbers_typed_as_numbers_read_as_text(book_file):
    rows = [[2026017, 1001, date(2026, 2, 3), None, 10]]
    book, _ = read_book(book_file(facturen(rows), KLANTEN))
    got = [(i.number, i.customer) for i in book.invoices]
    assert got == [("2026017", "1001")]


def test_empty_rows_and_spaces_only_rows_are_skipped_silently(book_file):
    headers = [*INVOICE_HEADERS, "Omschrijving", "Open"]
    rows = [
        ["2026-001", "K001", date(2026, 2, 3), None, 1210, None, 1210],
        [None, None, None, None, None, None, 0],  # a formula column still has a value
        ["  ", " ", None, None, None, "   ", None],
        ["2026-002", "K001", date(2026, 2, 3), None, 1210, None, None],
    ]
    book, problems = read_book(book_file(facturen(rows, headers), KLANTEN))
    assert problems == ()
    assert [(i.number, i.row) for i in book.invoices] == [("2026-001", 2), ("2026-002", 5)]


def test_trailing_spaces_are_trimmed(book_file):
    headers = [*INVOICE_HEADERS, "Omschrijving"]
    rows = [[" 2026-001 ", "K001  ", date(2026, 2, 3), None, 1210, "  Levering "]]
    book, _ = read_book(book_file(facturen(rows, headers), KLANTEN))
    assert book.invoices == (invoice(description="Levering"),)


# --- problems --------------------------------------------------------------------------


def test_bad_date_in_a_required_column_skips_the_row(book_file):
    rows = [
        ["2026-001", "K001", date(2026, 2, 3), None, 1210],
        ["2026-002", "K001", "31-2-2026", None, 1210],
    ]
    book, problems = read_book(book_file(facturen(rows), KLANTEN))
    assert [i.number for i in book.invoices] == ["2026-001"]
    exp = Problem(
        CellRef("Facturen", 3, "Factuurdatum"),
        "Facturen!C3: '31-2-2026' is geen bestaande datum; verwacht dag-maand-jaar, zoals "
        "3-2-2026. Factuurdatum is verplicht: rij overgeslagen.",
    )
    assert problems == (exp,)


def test_problems_come_table_by_table_in_the_report_order(book_file):
    """Tables are parsed biggest first (reader._READING_ORDER); their problems are still
    reported Facturen, Contacten, Klanten, Betalingen, as before."""
    assert reader._READING_ORDER != reader._REPORT_ORDER
    sheets = (
        Sheet(
            "Betalingen",
            ["Datum", "Bedrag", "Status"],
            [["gisteren", 10, "Gekoppeld"]],
            table="tblBetalingen",
        ),
        Sheet("Klanten", ["Klantnummer", "Naam"], [["K001", None]], table="tblKlanten"),
        Sheet(
            "Contacten",
            ["Datum", "Klantnummer", "Kanaal"],
            [["morgen", "K001", "Telefoon"]],
            table="tblContacten",
        ),
        facturen([["2026-001", "K001", date(2026, 2, 3), None, "veel"]]),
    )
    _, problems = read_book(book_file(*sheets))
    got = [p.source.sheet for p in problems]
    assert got == ["Facturen", "Contacten", "Klanten", "Betalingen"]


def test_empty_required_cell_skips_the_row(book_file):
    rows = [["2026-001", "K001", date(2026, 2, 3), None, None]]
    book, problems = read_book(book_file(facturen(rows), KLANTEN))
    assert book.invoices == ()
    assert [p.source for p in problems] == [CellRef("Facturen", 2, "Bedrag")]
    assert problems[0].message == "Facturen!E2: Bedrag is leeg, maar verplicht: rij overgeslagen."


def test_bad_optional_value_is_read_with_its_default(book_file):
    rows = [["2026-001", "K001", date(2026, 2, 3), "binnenkort", 1210]]
    book, problems = read_book(book_file(facturen(rows), KLANTEN))
    assert book.invoices == (invoice(),)
    (problem,) = problems
    assert problem.source == CellRef("Facturen", 2, "Vervaldatum")
    assert problem.message.startswith("Facturen!D2: 'binnenkort' is geen datum")
    assert problem.message.endswith("Vervaldatum gelezen als leeg; de rij is wel gelezen.")


def test_a_betalingskenmerk_excel_rounded_is_a_problem_and_never_used(book_file):
    """A 16-digit Betalingskenmerk typed into a General cell is a number Excel rounded to 15
    significant digits: it went into letters and QR codes as a wrong kenmerk. Shorter
    kenmerken typed as numbers, and kenmerken typed as text, read as before."""
    headers = [*INVOICE_HEADERS, "Betalingskenmerk"]
    rows = [
        ["2026-001", "K001", date(2026, 2, 3), None, 1210, 5000056789012340],
        ["2026-002", "K001", date(2026, 2, 3), None, 1210, 1234567],
        ["2026-003", "K001", date(2026, 2, 3), None, 1210, " 5000056789012345 "],
        # exactly a valid kenmerk (pasted from a package's export): typing zeroes digit 16
        ["2026-004", "K001", date(2026, 2, 3), None, 1210, 7000000000012345],
    ]
    book, problems = read_book(book_file(facturen(rows, headers), KLANTEN))
    refs = [i.payment_reference for i in book.invoices]
    assert refs == ["", "1234567", "5000056789012345", "7000000000012345"]
    (problem,) = problems
    assert problem.source == CellRef("Facturen", 2, "Betalingskenmerk")
    assert problem.message.startswith(
        "Facturen!F2: '5000056789012340' staat er als getal en Excel bewaart maar 15 cijfers"
    )
    assert problem.message.endswith("Betalingskenmerk gelezen als leeg; de rij is wel gelezen.")


def test_cell_addresses_follow_the_table_position(book_file):
    sheet = facturen([["2026-001", "K001", date(2026, 2, 3), None, "veel"]], origin="C10")
    _, problems = read_book(book_file(sheet, KLANTEN))
    assert [p.source for p in problems] == [CellRef("Facturen", 11, "Bedrag")]
    assert problems[0].message.startswith("Facturen!G11: 'veel' is geen bedrag")


@pytest.mark.parametrize("huge", [1e300, -1e20, 1e13])
def test_an_amount_too_big_for_cents_is_a_problem_in_a_column_of_numbers(book_file, huge):
    """A column of plain numbers takes the fast path; a number no invoice has (1e300 from a
    formula gone wrong) is a problem on its cell there too, as to_amount makes it for one
    cell, not a Decimal that breaks every sum and text after it."""
    rows = [["2026-001", "K001", date(2026, 2, 3), None, 1210.0]]
    rows += [["2026-002", "K001", date(2026, 2, 3), None, huge]]
    book, problems = read_book(book_file(facturen(rows), KLANTEN))
    assert book.invoices == (invoice(),)
    assert [p.source for p in problems] == [CellRef("Facturen", 3, "Bedrag")]
    assert "is geen bedrag" in problems[0].message


def test_a_bad_cell_among_many_good_ones(book_file):
    rows = [[f"F{k}", "K001", date(2026, 2, 3), None, 10.0] for k in range(500)]
    rows[321][4] = "tien"
    book, problems = read_book(book_file(facturen(rows), KLANTEN))
    assert len(book.invoices) == 499
    assert [p.source.row for p in problems] == [323]


# --- the other tables ------------------------------------------------------------------


def test_customers(book_file):
    headers = ["Klantnummer", "Naam", "Soort", "Betaaltermijn", "Automatisch", "Taal", "IBAN",
               "Segment", "Bijzonderheid", "Telefoon"]  # fmt: skip
    rows = [
        ["K001", "Acme BV", None, None, None, None, None, None, None, None],
        ["K002", "Jan Jansen", "particulier", "14 dagen", "Nee", "en",
         "nl91 abna 0417 1643 00, BE68539007547034", "a", "Faillissement", 612345678],
        ["K003", "Foo", "Overheid", -3, "misschien", "DE", "NL91-X", "Z", "Ziek", None],
    ]  # fmt: skip
    book, problems = read_book(
        book_file(facturen([]), Sheet("Klanten", headers, rows, "tblKlanten"))
    )
    exp = (
        Customer("K001", "Acme BV", row=2),
        Customer(
            "K002", "Jan Jansen", CustomerKind.CONSUMER, term_days=14, automatic=False,
            language="EN", ibans=("NL91ABNA0417164300", "BE68539007547034"),
            segment=Segment.A, special=Special.BANKRUPTCY, phone="612345678", row=3,
        ),
        Customer("K003", "Foo", automatic=False, row=4),
    )  # fmt: skip
    assert book.customers == exp
    got = [(p.source.column, p.message.rsplit(". ", 1)[-1]) for p in problems]
    assert got == [
        ("Soort", "Soort gelezen als Zakelijk; de rij is wel gelezen."),
        ("Betaaltermijn", "Betaaltermijn gelezen als leeg; de rij is wel gelezen."),
        ("Automatisch", "Automatisch gelezen als Nee; de rij is wel gelezen."),
        ("Taal", "Taal gelezen als NL; de rij is wel gelezen."),
        ("IBAN", "IBAN gelezen als leeg; de rij is wel gelezen."),
        ("Segment", "Segment gelezen als leeg; de rij is wel gelezen."),
        ("Bijzonderheid", "Bijzonderheid gelezen als leeg; de rij is wel gelezen."),
    ]
    assert all(p.source.row == 4 for p in problems)


def test_customer_kvk_and_btw_nummer_lightly_normalised(book_file):
    """Spaces and dots go, the BTW-nummer is upper case, a KvK-nummer typed as a number gets
    back the leading zero Excel dropped; anything else stays as typed (controleer says what
    is wrong with it, core/checks.py), never a reading problem."""
    headers = ["Klantnummer", "Naam", "KvK", "BTW-nummer"]
    rows = [
        ["K001", "Acme BV", " 3208.1330 ", "nl 0044.95.445.b01"],
        ["K002", "Veluwe BV", 9123456, None],
        ["K003", "Raar BV", "KvK 1234-567", "GB 980 7806 84"],
        ["K004", "Leeg BV", None, None],
    ]
    book, problems = read_book(
        book_file(facturen([]), Sheet("Klanten", headers, rows, "tblKlanten"))
    )
    assert problems == ()
    got = [(c.kvk, c.vat_number) for c in book.customers]
    assert got == [
        ("32081330", "NL004495445B01"),
        ("09123456", ""),
        ("KvK1234-567", "GB980780684"),
        ("", ""),
    ]


def test_absent_columns_name_what_an_older_workbook_lacks(book_file):
    klanten = [c.header for c in schema.KLANTEN.columns if c.field not in ("kvk", "vat_number")]
    path = book_file(facturen([]), Sheet("Klanten", klanten, [["K001", "Acme BV"]], "tblKlanten"))
    book, _ = read_book(path, (schema.KLANTEN,))
    assert book.absent_columns == {("tblKlanten", "KvK"), ("tblKlanten", "BTW-nummer")}
    full = [c.header.upper() for c in schema.KLANTEN.columns]  # header case is ignored
    path = book_file(Sheet("Klanten", full, [], "tblKlanten"), name="nieuw.xlsx")
    assert read_book(path, (schema.KLANTEN,))[0].absent_columns == frozenset()


def test_agreements_defaults(book_file):
    headers = ["Afspraak", "Klantnummer", "Facturen", "Soort", "Betaaldatum", "Bedrag",
               "Aantal termijnen", "Interval", "Getekend retour", "Status"]  # fmt: skip
    rows = [
        [None, "K001", None, "Toezegging", date(2026, 3, 1), None, None, None, None, "loopt"],
        ["A7", "K001", "2026-1; 2026-2", "regeling", "1-4-2026", "€ 300", 3, "2 weken", "Ja",
         None],
    ]  # fmt: skip
    sheets = (facturen([]), KLANTEN, Sheet("Afspraken", headers, rows, "tblAfspraken"))
    book, problems = read_book(book_file(*sheets))
    assert problems == ()
    assert book.agreements == (
        Agreement("rij 2", "K001", AgreementKind.PROMISE, date(2026, 3, 1), row=2),
        Agreement(
            "A7", "K001", AgreementKind.ARRANGEMENT, date(2026, 4, 1), ("2026-1", "2026-2"),
            amount=Decimal("300.00"), instalments=3, interval=Interval.TWO_WEEKS,
            signed_returned=True, row=3,
        ),
    )  # fmt: skip


def test_contacts_contact_persons_and_payments(book_file):
    contacts = Sheet(
        "Contacten",
        ["Datum", "Klantnummer", "Facturen", "Kanaal", "Uitkomst", "Stap"],
        [[date(2026, 2, 10), "K001", 2026017, "Tel", "Voicemail", "Bellen"]],
        "tblContacten",
    )
    persons = Sheet(
        "Contactpersonen",
        ["Klantnummer", "Naam", "Functie"],
        [["K001", "Piet", "inkoop"], ["K001", "Kees", None]],
        "tblContactpersonen",
    )
    payments = Sheet(
        "Betalingen",
        ["Datum", "Bedrag", "Factuur", "Status", "Tegenrekening"],
        [
            [date(2026, 2, 11), 1210, 2026017, "Gekoppeld", "NL91ABNA0417164300"],
            [date(2026, 2, 11), 5, None, None, None],
        ],
        "tblBetalingen",
    )
    book, problems = read_book(book_file(facturen([]), KLANTEN, contacts, persons, payments))
    assert book.contacts == (
        Contact(date(2026, 2, 10), "K001", Channel.PHONE, ("2026017",),
                outcome=Outcome.VOICEMAIL, step="Bellen", row=2),
    )  # fmt: skip
    assert book.contact_persons == (
        ContactPerson("K001", "Piet", Role.PURCHASING, row=2),
        ContactPerson("K001", "Kees", row=3),
    )
    assert book.payments == (
        Payment(date(2026, 2, 11), Decimal("1210.00"), PaymentStatus.LINKED, "2026017",
                counter_account="NL91ABNA0417164300", row=2),
    )  # fmt: skip
    assert [p.source for p in problems] == [CellRef("Betalingen", 3, "Status")]


def test_steps(book_file):
    headers = ["Stap", "Na dagen", "Vanaf", "Actie", "Kanaal", "Voor", "Segment"]
    rows = [
        ["Bellen", 2, "Vervaldatum", "bellen", "Telefoon", "Zakelijk", "A"],
        ["Herinnering", "2", "vervaldatum", "Herinnering", "Brief en e-mail", None, "Alle"],
        ["Incasso", 21, "Vorige stap", "incasso", "Overdracht", "alle", None],
    ]
    book, problems = read_book(book_file(facturen([]), KLANTEN, Sheet("Stappen", headers, rows,
                                                                      "tblStappen")))  # fmt: skip
    assert problems == ()
    assert book.steps == (
        Step("Bellen", 2, Basis.DUE_DATE, Action.CALL, Channel.PHONE,
             audience=Audience.BUSINESS, segment=Segment.A, row=2),
        Step("Herinnering", 2, Basis.DUE_DATE, Action.REMINDER, Channel.LETTER_AND_EMAIL, row=3),
        Step("Incasso", 21, Basis.PREVIOUS_STEP, Action.COLLECTION, Channel.HANDOVER, row=4),
    )  # fmt: skip


def test_settings(book_file):
    rows = [
        ["Bedrijfsnaam", " Voorbeeld BV "],
        ["Standaard betaaltermijn", 14],
        ["Beldagen", "ma, do"],
        ["crisismodus", "Ja"],
        ["Min termijnbedrag", "€ 25,00"],
        ["Minimum bedrag herinnering (euro)", 5],
        ["KvK", 12345678],
        ["Max belpogingen", "vaak"],
        ["Max termijnen", None],
        ["Onbekende instelling", "x"],
    ]
    sheet = Sheet("Instellingen", ["Instelling", "Waarde"], rows, "tblInstellingen")
    book, problems = read_book(book_file(facturen([]), KLANTEN, sheet))
    exp = dataclasses.replace(
        Settings(),
        company_name="Voorbeeld BV",
        default_term_days=14,
        call_days=frozenset({0, 3}),
        crisis_mode=True,
        min_instalment=Decimal("25.00"),
        min_reminder_amount=Decimal("5.00"),
        kvk="12345678",
    )
    assert book.settings == exp
    assert problems == (
        Problem(
            CellRef("Instellingen", 9, "Waarde"),
            "Instellingen!B9: 'vaak' is geen geheel getal; verwacht bijvoorbeeld 30. "
            "Max belpogingen blijft 3.",
        ),
    )


@pytest.mark.parametrize(
    ("cell", "exp_port", "exp_problem"),
    [
        (587, 587, None),
        (65535, 65535, None),
        (
            65536,
            None,
            "65536 is geen poortnummer; verwacht 1 tot en met 65535. SMTP-poort blijft leeg.",
        ),
        (0, None, "0 is te klein; verwacht 1 of meer. SMTP-poort blijft leeg."),
    ],
    ids=["587", "highest", "beyond-highest", "zero"],
)
def test_smtp_port_is_a_port_number(book_file, cell, exp_port, exp_problem):
    """A port beyond 65535 is a problem on its row, not a connection error at sending."""
    sheet = Sheet(
        "Instellingen", ["Instelling", "Waarde"], [["SMTP-poort", cell]], "tblInstellingen"
    )
    book, problems = read_book(book_file(facturen([]), KLANTEN, sheet))
    got = [(p.source.sheet, p.source.row, p.source.column, p.message) for p in problems]
    exp = [("Instellingen", 2, "Waarde", f"Instellingen!B2: {exp_problem}")] if exp_problem else []
    assert (book.settings.smtp_port, got) == (exp_port, exp)


# --- files -----------------------------------------------------------------------------


def test_xlsm_is_read(book_file):
    path = book_file(facturen([["2026-001", "K001", date(2026, 2, 3), None, 1210]]), KLANTEN,
                     name="Debiteuren.xlsm")  # fmt: skip
    book, problems = read_book(path)
    assert problems == ()
    assert book.invoices == (invoice(),)


def test_corrupt_file(tmp_path):
    path = tmp_path / "kapot.xlsx"
    path.write_bytes(b"dit is geen werkmap")
    with pytest.raises(WorkbookError, match=r"kapot\.xlsx") as err:
        read_book(path)
    # What to do in Dutch first; the reader's own English words only as the labelled
    # technical detail at the end, for whoever helps the user.
    message = str(err.value)
    assert "open hem in Excel en sla hem opnieuw op (technische melding: " in message, message


def test_truncated_workbook(book_file, tmp_path):
    good = book_file(facturen([["2026-001", "K001", date(2026, 2, 3), None, 1210]]), KLANTEN)
    bad = tmp_path / "half.xlsx"
    bad.write_bytes(good.read_bytes()[:400])
    with pytest.raises(WorkbookError, match=r"half\.xlsx"):
        read_book(bad)


def test_password_protected_workbook(tmp_path):
    path = tmp_path / "geheim.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))  # an OLE container
    with pytest.raises(WorkbookError, match="wachtwoord"):
        read_book(path)


def test_missing_file(tmp_path):
    with pytest.raises(WorkbookError, match="bestaat niet"):
        read_book(tmp_path / "weg.xlsx")


def test_broken_sheet_inside_a_valid_zip(book_file, tmp_path):
    good = book_file(facturen([["2026-001", "K001", date(2026, 2, 3), None, 1210]]), KLANTEN)
    bad = tmp_path / "stuk.xlsx"
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    with pytest.raises(WorkbookError, match=r"stuk\.xlsx"):
        read_book(bad)


def test_reading_leaves_garbage_collection_as_it_was(book_file):
    import gc

    path = book_file(facturen([]), KLANTEN)
    read_book(path)
    assert gc.isenabled()
    gc.disable()
    try:
        read_book(path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_records_equal_those_built_normally(book_file, tmp_path):
    path = book_file(facturen([["2026-001", "K001", date(2026, 2, 3), None, 1210]]), KLANTEN)
    shutil.copy(path, tmp_path / "kopie.xlsx")
    book, _ = read_book(tmp_path / "kopie.xlsx")
    (got,) = book.invoices
    exp = invoice()
    assert got == exp
    assert hash(got) == hash(exp)
    with pytest.raises(dataclasses.FrozenInstanceError):
        got.amount = ZERO  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class _Checked:
    amount: int
    row: int = 0

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError("negative")


def test_records_with_a_post_init_are_built_through_it():
    got = reader._build(_Checked, {"amount": [1, 2], "row": [5, 6]}, 2)
    assert got == (_Checked(1, 5), _Checked(2, 6))
    with pytest.raises(ValueError, match="negative"):
        reader._build(_Checked, {"amount": [1, -2], "row": [5, 6]}, 2)


def test_fields_without_a_column_get_their_dataclass_default():
    got = reader._build(_Checked, {"amount": [1]}, 1)
    assert got == (_Checked(1, 0),)
    got = reader._build(Settings, {"company_name": ["X"]}, 1)
    assert got == (Settings(company_name="X"),)


@pytest.mark.parametrize(
    ("cell", "exp"),
    [
        ("smtp.example.nl", "smtp.example.nl"),
        ("  smtp.example.nl ", "smtp.example.nl"),
        ("[2001:db8::1]", "[2001:db8::1]"),
        ("smtp.müller.de", "smtp.müller.de"),
        ("smtp.example.nl\nBcc: x@example.org", None),
        ("smtp.example.nl 587", None),
        ("info@example.nl", None),
        ("https://smtp.example.nl", None),
    ],
)
def test_smtp_server_is_one_server_name(book_file, cell, exp):
    """A server name with a space, a line break or an address's marks is a problem on its row
    (verstuur then refuses), not a name the mail library is handed."""
    sheet = Sheet(
        "Instellingen", ["Instelling", "Waarde"], [["SMTP-server", cell]], "tblInstellingen"
    )
    book, problems = read_book(book_file(facturen([]), KLANTEN, sheet))
    assert book.settings.smtp_server == (exp or "")
    if exp is None:
        ((p),) = problems
        assert (p.source.row, p.source.column) == (2, "Waarde")
        assert "is geen servernaam; verwacht bijvoorbeeld smtp.example.nl" in p.message
    else:
        assert problems == ()
