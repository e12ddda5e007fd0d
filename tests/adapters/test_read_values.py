"""`read_values` (tables as Excel hands them through xlwings) against `read_book` (the same
workbook's file): the same Book and the same problems, named by sheet, row and column."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from python_calamine import CalamineWorkbook

from addin import schema
from addin.adapters.workbook.reader import Origin, read_book, read_values
from addin.core.model import CellRef, CustomerKind
from tests.adapters.live_openpyxl import as_xlwings
from tests.adapters.test_reader import KLANTEN, Sheet, facturen, write_sheets

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbook" / "Voorbeeld.xlsx"


def xlwings_tables(path: Path) -> tuple[dict[str, list[list[object]]], dict[str, Origin]]:
    """Every table of the file as `tbl.range.value` gives it (header first, None for empty,
    floats, datetimes) and where it sits, read with python-calamine."""
    workbook = CalamineWorkbook.from_path(str(path), load_tables=True)
    tables, origins = {}, {}
    for name in workbook.table_names:
        table = workbook.get_table_by_name(name)
        rows = [list(table.columns), *table.to_python()]
        tables[name] = [[as_xlwings(v) for v in row] for row in rows]
        data_row, column = table.start  # zero-based: the first data row, the first column
        origins[name] = Origin(table.sheet, data_row, column + 1)
    workbook.close()
    return tables, origins


def test_the_example_reads_the_same_as_from_its_file():
    exp = read_book(EXAMPLE)
    tables, origins = xlwings_tables(EXAMPLE)
    assert read_values(tables, origins) == exp
    # Without origins every table is taken to start at A1 of its own sheet: true here.
    assert read_values(tables) == exp
    assert len(exp[0].invoices) > 300 and exp[1] == ()


def test_values_arrive_as_xlwings_passes_them():
    exp = read_book(EXAMPLE)[0]
    tables, _ = xlwings_tables(EXAMPLE)
    cells = [v for rows in tables.values() for row in rows for v in row]
    # floats for every number, datetimes for dates, None for empty cells, bools as bools
    assert {type(v) for v in cells} <= {str, float, datetime, type(None), bool}
    assert float in {type(v) for v in cells} and datetime in {type(v) for v in cells}
    assert read_values({k.upper(): v for k, v in tables.items()})[0] == exp  # names: case ignored


def test_bad_cells_are_the_same_problems_at_the_same_cells(tmp_path):
    title = [["Facturen van 2026"], []]
    sheets = (
        facturen(
            [
                ["2026-001", "K001", date(2026, 2, 3), None, 1210],
                ["2026-002", "K001", "31-2-2026", None, "12,5"],  # no such day
                ["2026-003", "", date(2026, 2, 3), None, "veel"],  # no customer, no amount
                [None, None, None, None, None],  # empty: skipped silently
                ["2026-004", "K001", 46056, "morgen", 7],  # serial date; bad due date
            ],
            origin="C3",
            above=title,
        ),  # table header on row 5, columns C..G
        Sheet(
            "Klanten",
            ["Klantnummer", "Naam", "Soort", "Automatisch", "Betaaltermijn"],
            [[1001, "Acme BV", "Particulier", True, 14], ["K002", "Beta", "Bedrijf?", "x", -3]],
            table="tblKlanten",
        ),
        Sheet(
            "Instellingen",
            ["Instelling", "Waarde"],
            [["Standaard betaaltermijn", "dertig"], ["Beldagen", "di, do"]],
            table="tblInstellingen",
        ),
    )
    path = write_sheets(tmp_path / "fout.xlsx", *sheets)
    exp_book, exp_problems = read_book(path)
    tables, origins = xlwings_tables(path)
    got_book, got_problems = read_values(tables, origins)
    assert got_book == exp_book
    assert got_problems == exp_problems
    where = [(p.source.sheet, p.source.row, p.source.column) for p in got_problems]
    assert ("Facturen", 7, "Factuurdatum") in where
    assert ("Facturen", 8, "Klantnummer") in where
    assert ("Facturen", 10, "Vervaldatum") in where
    assert ("Instellingen", 2, "Waarde") in where
    assert any(p.message.startswith("Facturen!E7: '31-2-2026'") for p in got_problems)
    # a customer number typed as a number reads as its text, a bool as Ja
    customer = got_book.customers[0]
    assert (customer.number, customer.kind, customer.automatic) == (
        "1001",
        CustomerKind.CONSUMER,
        True,
    )
    assert got_book.settings.call_days == frozenset({1, 3})


def test_without_origins_rows_count_from_a_header_in_row_1(tmp_path):
    sheet = facturen([["2026-001", "K001", "31-2-2026", None, 5]], origin="C3")
    tables, _ = xlwings_tables(write_sheets(tmp_path / "b.xlsx", sheet, KLANTEN))
    _, problems = read_values(tables)
    assert [p.source for p in problems] == [CellRef("Facturen", 2, "Factuurdatum")]
    assert problems[0].message.startswith("Facturen!C2: ")


def test_a_plain_range_is_searched_for_its_header_as_on_the_file(tmp_path):
    sheet = facturen(
        [["2026-001", "K001", date(2026, 2, 3), None, 1210], ["2026-002", "K001", "x", None, 5]],
        table=None,
        origin="B3",
        above=[["Facturen 2026"], []],
    )
    path = write_sheets(tmp_path / "plat.xlsx", sheet, KLANTEN)
    exp = read_book(path)
    tables, origins = xlwings_tables(path)
    used = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Facturen").to_python()
    tables["tblFacturen"] = [[as_xlwings(v) for v in row] for row in used]
    origins["tblFacturen"] = Origin("Facturen", 3, 2, plain=True)
    got = read_values(tables, origins)
    assert got == exp
    assert [p.source for p in got[1]] == [CellRef("Facturen", 7, "Factuurdatum")]


def test_missing_and_empty_tables():
    book, problems = read_values({"tblKlanten": [["Klantnummer", "Naam"], ["K001", "Acme"]]})
    assert [c.number for c in book.customers] == ["K001"]
    assert [p.source for p in problems] == [CellRef(schema.FACTUREN.sheet)]
    assert "tblFacturen ontbreekt" in problems[0].message
    # an Excel table without data: the header and one empty row; a 1-D header row (what
    # xlwings gives for one row without ndim=2); a short (ragged) row
    book, problems = read_values(
        {
            "tblFacturen": [["Factuurnummer", "Klantnummer", "Factuurdatum", "Bedrag"]] * 1
            + [[None, None, None, None]],
            "tblKlanten": ["Klantnummer", "Naam"],
            "tblContacten": [
                ["Datum", "Klantnummer", "Kanaal", "Door"],
                [datetime(2026, 11, 24), "K001", "Telefoon"],
            ],
        }
    )
    assert problems == ()
    assert book.invoices == () and book.customers == ()
    assert [(c.date, c.customer, c.by) for c in book.contacts] == [(date(2026, 11, 24), "K001", "")]


def test_amounts_from_floats_are_cents():
    book, problems = read_values(
        {
            "tblFacturen": [
                ["Factuurnummer", "Klantnummer", "Factuurdatum", "Bedrag", "Betaald"],
                ["1", "K1", datetime(2026, 1, 1), 1210.1, None],
                ["2", "K1", 46023.0, 0.1 + 0.2, "1.234,56"],
            ],
            "tblKlanten": [["Klantnummer", "Naam"], ["K1", "Acme"]],
        }
    )
    assert [(i.amount, i.paid) for i in book.invoices] == [
        (Decimal("1210.10"), Decimal("0.00")),
        (Decimal("0.30"), Decimal("1234.56")),
    ]
    assert book.invoices[1].invoice_date == date(2026, 1, 1)
    assert problems == ()


def test_a_header_twice_is_the_same_problem_as_on_the_file(tmp_path):
    headers = ["Factuurnummer", "Klantnummer", "Factuurdatum", "Vervaldatum", "Bedrag", "bedrag"]
    sheet = facturen([["2026-001", "K001", date(2026, 2, 3), None, 1210, 5]], headers)
    path = write_sheets(tmp_path / "dubbel.xlsx", sheet, KLANTEN)
    exp_book, exp_problems = read_book(path)
    tables, origins = xlwings_tables(path)
    got_book, got_problems = read_values(tables, origins)
    assert (got_book, got_problems) == (exp_book, exp_problems)
    assert [p.source for p in got_problems] == [CellRef("Facturen", 1, "Bedrag")]
    assert "(E en F): kolom E wordt gelezen" in got_problems[0].message
    assert [i.amount for i in got_book.invoices] == [Decimal("1210.00")]


def test_verzonden_keeps_its_routes_and_its_first_word_stays_the_day(tmp_path):
    """Contacten.Verzonden as `verstuur` writes it, with the paper copy's "post" appended,
    typed by hand, or a date cell: the file and the open workbook give the same `sent`
    (the first word), `sent_note` (the text, whose routes say what still has to go) and
    `posted` (the day of its "post" part)."""
    from addin.core.sending import owes_paper_copy, sent_routes

    headers = ["Datum", "Klantnummer", "Kanaal", "Document", "Verzonden"]
    day = datetime(2026, 12, 1)
    verzonden = (
        "05-12-2026 11:02 SMTP; 05-12-2026 14:10 post",
        "05-12-2026 11:02 Outlook concept",
        "05-12-2026 11:02 SMTP ; post",  # typed by hand
        "01-12-2026 09:00 SMTP; 03-12-2026 Post",  # posted two days after the e-mail
        datetime(2026, 12, 5),  # a date the user typed
        "05-12-2026",
        None,
    )
    rows = [
        [day, "K001", "Brief en e-mail", f"{k}.pdf", v] for k, v in enumerate(verzonden, start=1)
    ]
    sheet = Sheet("Contacten", headers, rows, table="tblContacten")
    path = write_sheets(tmp_path / "Boek.xlsx", KLANTEN, sheet)
    book, problems = read_book(path)
    tables, origins = xlwings_tables(path)
    live_book, live_problems = read_values(tables, origins)
    assert (live_book.contacts, live_problems) == (book.contacts, problems)
    # "; post" without its day: named, as a 14-day letter then counts from the e-mail's day.
    (posted,) = [p for p in problems if p.source.sheet == "Contacten"]
    assert posted.source == CellRef("Contacten", 4, "Verzonden")
    assert "het deel 'post' noemt geen dag" in posted.message
    got = [
        (c.sent, sent_routes(c.sent_note), owes_paper_copy(c, c.sent_note), c.posted)
        for c in book.contacts
    ]
    one, three, five = date(2026, 12, 1), date(2026, 12, 3), date(2026, 12, 5)
    assert got == [
        (five, ("SMTP", "post"), False, five),
        (five, ("Outlook concept",), True, None),
        (five, ("SMTP", "post"), False, None),  # the post's day not written: unknown
        (one, ("SMTP", "Post"), False, three),
        (five, (), False, None),
        (five, (), False, None),
        (None, (), False, None),
    ]
