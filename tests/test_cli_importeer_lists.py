"""`debiteuren importeer` with open-items lists (CSV and XLSX) as accounting packages export
them: five header dialects with both separators, decimal commas and dots, Dutch dates,
Windows-1252 and UTF-8 with BOM, a title above the header, the "mogelijk betaald" warning, a
missing column; and the Plan sheet's array formula growing with Facturen in the macro
workbook."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from addin.adapters.invoices.open_items import read_open_items
from addin.adapters.workbook.book_writer import write_book
from addin.adapters.workbook.reader import read_book
from addin.cli import main
from addin.core.model import Book, Customer, Invoice, Payment, PaymentStatus, Settings
from addin.excel.build import WorkbookOptions, build_workbook
from tests.ooxml import assert_valid

SETTINGS = Settings(company_name="Test", kvk="12345678")
KLANTEN = (Customer("K001", "Bakkerij Verhoef"), Customer("K002", "Café Émile"))
# For lists of codes only: a code not in Klanten is reported, not made a customer.
MORE_KLANTEN = (Customer("K003", "Drukkerij De Vries"), Customer("K004", "Garage Nieuw B.V."))

# (header line, rows in the domain's order: number, customer, date, due, amount), per
# dialect; {sep} is the separator, amounts are written per the test's decimal style.
DIALECTS = {
    "nl-volledig": ("Factuurnummer{sep}Klantnummer{sep}Factuurdatum{sep}Vervaldatum{sep}Bedrag",
                    "{n}{sep}{k}{sep}{d}{sep}{v}{sep}{a}"),
    "exact-open": ("Factuur{sep}Relatie{sep}Datum{sep}Vervaldatum{sep}Openstaand",
                   "{n}{sep}{k}{sep}{d}{sep}{v}{sep}{a}"),
    "engels": ("Invoice No.{sep}Customer{sep}Invoice Date{sep}Due Date{sep}Amount",
               "{n}{sep}{k}{sep}{d}{sep}{v}{sep}{a}"),
    "snelstart": ("Nummer{sep}Debiteur{sep}Boekdatum{sep}Vervaldag{sep}Totaal{sep}Saldo",
                  "{n}{sep}{k}{sep}{d}{sep}{v}{sep}{a}{sep}{a}"),
    "titel-erboven": ("Openstaande posten per 24-11-2026\n\n"
                      "Documentnummer{sep}Klantcode{sep}Documentdatum{sep}Due{sep}Total",
                      "{n}{sep}{k}{sep}{d}{sep}{v}{sep}{a}"),
}  # fmt: skip
ROWS = (
    ("2026-0301", "K001", "3-2-2026", "5-3-2026", Decimal("1234.56")),
    ("2026-0302", "K002", "03-02-26", "2026-03-05", Decimal("-50.00")),
    ("2026-0303", "K003", "4 feb 2026", "06-03-2026", Decimal("99.10")),
)


def workbook(tmp: Path, **book: object) -> Path:
    path = tmp / "Debiteuren.xlsx"
    write_book(Book(settings=SETTINGS, customers=KLANTEN, **book), path)  # type: ignore[arg-type]
    return path


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, dict[str, object]]:
    code = main(["importeer", *map(str, args), "--json"])
    return code, json.loads(capsys.readouterr().out)


def import_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, name: str = "openstaand.csv"
) -> tuple[Path, Path, int, dict[str, object]]:
    """`text` written as the list `name`, a new workbook beside it, and the one imported into
    the other: (workbook, list, exit code, --json output)."""
    listed = tmp_path / name
    listed.write_text(text, encoding="utf-8")
    book_path = workbook(tmp_path)
    code, out = run(capsys, book_path, listed)
    return book_path, listed, code, out


def amount_text(amount: Decimal, decimal: str) -> str:
    whole, _, cents = f"{abs(amount):.2f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", "." if decimal == "," else ",")
    text = f"{'-' if amount < 0 else ''}{grouped}{decimal}{cents}"
    return f'"{text}"' if decimal in text and "," in text else text


def write_list(path: Path, dialect: str, sep: str, decimal: str, encoding: str) -> None:
    header, row = DIALECTS[dialect]
    lines = [header.format(sep=sep)]
    for n, k, d, v, a in ROWS:
        lines.append(row.format(sep=sep, n=n, k=k, d=d, v=v, a=amount_text(a, decimal)))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize(
    ("sep", "decimal", "encoding"),
    # utf-16-le and -be write no byte order mark: such a file was "onbekend formaat".
    [
        (";", ",", "cp1252"),
        (",", ".", "utf-8-sig"),
        (",", ",", "utf-8"),
        ("\t", ",", "utf-16"),
        (";", ",", "utf-16-le"),
        ("\t", ",", "utf-16-be"),
    ],
    ids=[
        "puntkomma-komma-1252",
        "komma-punt-bom",
        "komma-komma-utf8",
        "tab-utf16",
        "puntkomma-utf16le-zonder-bom",
        "tab-utf16be-zonder-bom",
    ],
)
def test_csv_dialects(
    dialect: str,
    sep: str,
    decimal: str,
    encoding: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    listed = tmp_path / "openstaand.csv"
    write_list(listed, dialect, sep, decimal, encoding)
    book_path = workbook(tmp_path)
    code, out = run(capsys, book_path, listed)
    # K001 and K002 exist; K003 is no customer and the list names no one: its row is
    # reported (test_an_unknown_code_without_a_name_column_is_reported_not_a_customer).
    assert code == 1, out
    assert (out["facturen_toegevoegd"], out["creditnotas_toegevoegd"]) == (1, 1)
    assert out["klanten_toegevoegd"] == 0
    ((skipped),) = out["overgeslagen"]  # type: ignore[misc]
    assert skipped["bestand"].startswith("openstaand.csv regel ")
    assert "klant 'K003' staat niet in Klanten" in skipped["reden"]
    book, problems = read_book(book_path)
    assert problems == ()
    got = [(i.number, i.customer, i.invoice_date, i.due_date, i.amount) for i in book.invoices]
    assert got == [
        ("2026-0301", "K001", date(2026, 2, 3), date(2026, 3, 5), Decimal("1234.56")),
        ("2026-0302", "K002", date(2026, 2, 3), date(2026, 3, 5), Decimal("-50.00")),
    ]
    assert [c.number for c in book.customers] == ["K001", "K002"]
    # Again: nothing new, the workbook byte for byte as it was.
    before = book_path.read_bytes()
    code, again = run(capsys, book_path, listed)
    assert code == 1 and again["facturen_toegevoegd"] == 0
    assert book_path.read_bytes() == before
    # Once K003 is in Klanten, the same list brings its invoice with all it says.
    book_path.unlink()
    write_book(Book(settings=SETTINGS, customers=(*KLANTEN, MORE_KLANTEN[0])), book_path)
    code, out = run(capsys, book_path, listed)
    assert code == 0 and out["overgeslagen"] == []
    got = [(i.number, i.customer, i.invoice_date, i.due_date, i.amount)
           for i in read_book(book_path)[0].invoices]  # fmt: skip
    assert got[-1] == ("2026-0303", "K003", date(2026, 2, 4), date(2026, 3, 6), Decimal("99.10"))


def test_xlsx_list_with_a_title_and_customer_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = tmp_path / "export.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Debiteurenlijst"])
    ws.append([])
    ws.append(["Factuurnr.", "Debiteur", "Debiteurnaam", "Factuurdatum", "Openstaand bedrag"])
    ws.append(["F-9", "Bakkerij Verhoef", "", datetime(2026, 10, 1), 121.0])
    ws.append(["F-10", "D77", "Garage Nieuw B.V.", "1-10-2026", "€ 2.420,00"])
    wb.save(listed)
    book_path = workbook(tmp_path)
    code, out = run(capsys, book_path, listed)
    assert code == 0, out
    book, _ = read_book(book_path)
    assert [(i.number, i.customer, i.amount) for i in book.invoices] == [
        ("F-9", "K001", Decimal("121.00")),  # matched by name
        ("F-10", "D77", Decimal("2420.00")),  # the list's own code, free
    ]
    assert book.customers[-1].name == "Garage Nieuw B.V."


def test_codes_excel_changed_in_an_xlsx_list_are_named_not_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A list opened and saved in Excel: an invoice number Excel took for a date, and
    numbers of 16+ digits Excel rounded to 15, came in as invoice '2-1-2026', invoice
    '12345678901234567168' and a kenmerk one digit off. A kenmerk held exactly (written by
    the package, valid check digit) and numbers of up to 15 digits are read as before."""
    listed = tmp_path / "export.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Factuurnummer", "Klant", "Factuurdatum", "Bedrag", "Betalingskenmerk"])
    ws.append([date(2026, 1, 2), "K001", date(2026, 10, 1), 100.0, None])
    ws.append([12345678901234567890, "K001", date(2026, 10, 1), 100.0, None])
    ws.append(["F-3", "K001", date(2026, 10, 1), 100.0, 5000056789012340])
    ws.append(["F-4", "K001", date(2026, 10, 1), 100.0, 7000000000012345])
    ws.append([2026005, "K001", date(2026, 10, 1), 100.0, 1234567])
    wb.save(listed)
    book_path = workbook(tmp_path)
    code, out = run(capsys, book_path, listed)
    assert code == 1, out
    reasons = {s["bestand"]: s["reden"] for s in out["overgeslagen"]}  # type: ignore[attr-defined]
    assert reasons.keys() == {f"export.xlsx blad Sheet rij {r}" for r in (2, 3, 4)}
    assert reasons["export.xlsx blad Sheet rij 2"].startswith(
        "kolom 'Factuurnummer': '2-1-2026' is een datum, geen factuurnummer"
    )
    assert "meer dan 15 cijfers" in reasons["export.xlsx blad Sheet rij 3"]
    assert reasons["export.xlsx blad Sheet rij 4"].startswith(
        "kolom 'Betalingskenmerk': '5000056789012340' staat er als getal van meer dan 15"
    )
    book, _ = read_book(book_path)
    assert [(i.number, i.payment_reference) for i in book.invoices] == [
        ("F-4", "7000000000012345"),
        ("2026005", "1234567"),
    ]


def test_a_debtor_code_of_the_accounting_package_with_a_known_name_is_that_customer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The package numbers its debtors its own way (10001 for the workbook's K001); the name
    # beside the code is the customer's. It became a second "Bakkerij Verhoef" (10001),
    # without address or e-mail, its invoices apart from K001's.
    book_path, _, code, out = import_text(
        tmp_path,
        capsys,
        "Factuurnummer;Debiteurnummer;Debiteurnaam;Factuurdatum;Openstaand\n"
        "2026-0600;10001;Bakkerij Verhoef;1-12-2026;100,00\n"
        "2026-0601;10001;Bakkerij Verhoef;2-12-2026;200,00\n"
        "2026-0602;10002;Garage Nieuw B.V.;2-12-2026;50,00\n"
        "2026-0603;10003;Garage Nieuw B.V.;3-12-2026;60,00\n",
    )
    assert code == 0, out
    assert out["klanten_toegevoegd"] == 2
    book, _ = read_book(book_path)
    got = [(i.number, i.customer) for i in book.invoices]
    # Two codes of one new name stay two debtors, as the package has them.
    exp = [("2026-0600", "K001"), ("2026-0601", "K001"), ("2026-0602", "10002"),
           ("2026-0603", "10003")]  # fmt: skip
    assert got == exp
    assert [(c.number, c.name) for c in book.customers] == [
        ("K001", "Bakkerij Verhoef"),
        ("K002", "Café Émile"),
        ("10002", "Garage Nieuw B.V."),
        ("10003", "Garage Nieuw B.V."),
    ]


# (code header, name header), the name column's header a word that also names a customer
# column: e-Boekhouden and SnelStart export "Relatiecode" beside "Relatie", other packages
# "Debiteurnummer" beside "Debiteur". The generic header took the customer column (the code
# lost: a new debtor got the next K-number) or was not read at all (refused: "de lijst
# heeft geen kolom met de klantnaam").
@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("Relatiecode", "Relatie"),
        ("Relatienummer", "Relatie"),
        ("Debiteurnummer", "Debiteur"),
        ("Debiteurcode", "Debiteur"),
        ("Klantcode", "Klant"),
        ("Customer number", "Customer"),
        ("Klantnummer", "Contact"),
    ],
)
@pytest.mark.parametrize("name_first", [False, True], ids=["code-eerst", "naam-eerst"])
def test_a_code_column_beside_a_name_column_of_a_generic_header_keeps_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], code: str, name: str, name_first: bool
) -> None:
    rows = [
        ("2026-0700", "10001", "Bakkerij Verhoef"),
        ("2026-0701", "K002", "Café Émile"),
        ("2026-0702", "10002", "Garage Nieuw B.V."),
    ]
    pair = (name, code) if name_first else (code, name)
    lines = [f"Factuurnummer;{pair[0]};{pair[1]};Factuurdatum;Openstaand"]
    for number, debtor, called in rows:
        cells = (called, debtor) if name_first else (debtor, called)
        lines.append(f"{number};{cells[0]};{cells[1]};1-12-2026;100,00")
    book_path, _, exit_code, out = import_text(tmp_path, capsys, "\n".join(lines) + "\n")
    assert exit_code == 0, out
    assert out["klanten_toegevoegd"] == 1 and out["overgeslagen"] == []
    book, _ = read_book(book_path)
    assert [(i.number, i.customer) for i in book.invoices] == [
        ("2026-0700", "K001"),  # the package's code for a name Klanten has
        ("2026-0701", "K002"),
        ("2026-0702", "10002"),  # a new debtor keeps the package's code and its name
    ]
    assert (book.customers[-1].number, book.customers[-1].name) == ("10002", "Garage Nieuw B.V.")


def test_a_list_that_names_its_customers_in_a_contact_column_imports_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Moneybird's lists name the customer under "Contact"; the list was refused ("geen
    # kolom voor klant"). A "Contactpersoon" is a person, never the customer.
    book_path, _, code, out = import_text(
        tmp_path,
        capsys,
        "Factuurnummer;Contact;Contactpersoon;Factuurdatum;Openstaand\n"
        "2026-0800;Bakkerij Verhoef;Jan Verhoef;1-12-2026;100,00\n"
        "2026-0801;Drukkerij De Vries;Els de Vries;1-12-2026;50,00\n",
    )
    assert code == 0, out
    book, _ = read_book(book_path)
    assert [c.name for c in book.customers] == [
        "Bakkerij Verhoef", "Café Émile", "Drukkerij De Vries"
    ]  # fmt: skip
    assert [i.customer for i in book.invoices] == ["K001", book.customers[-1].number]


def test_a_customer_text_on_many_rows_becomes_one_customer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "Bakker & Zn" cannot be a Klantnummer (a space, an ampersand) and differs from the
    # listed name: every row of it must still go to the one customer its first row added.
    book_path, _, code, out = import_text(
        tmp_path,
        capsys,
        "Factuur;Debiteur;Debiteurnaam;Datum;Bedrag\n"
        "C1;Bakker & Zn;Bakker en Zonen;1-1-2026;10,00\n"
        "C2;Bakker & Zn;Bakker en Zonen;2-1-2026;20,00\n"
        "C3;K001;;3-1-2026;30,00\n",
        "lijst.csv",
    )
    assert code == 0, out
    assert out["klanten_toegevoegd"] == 1
    book, _ = read_book(book_path)
    new = book.customers[-1]
    assert new.name == "Bakker en Zonen"
    assert [(i.number, i.customer) for i in book.invoices] == [
        ("C1", new.number),
        ("C2", new.number),
        ("C3", "K001"),
    ]


def test_a_column_of_plain_amounts_and_one_of_every_form_read_alike() -> None:
    # Plain amounts are read in bulk; one odd cell sends its column cell by cell: both ways
    # must read every form the same, and a bad cell still names its line and column.
    plain = "Factuur;Klant;Datum;Bedrag\nA1;K1;1-1-2026;1.234,56\nA2;K1;1-1-2026;-7,10\n"
    odd = plain + "A3;K1;1-1-2026;12,50-\nA4;K1;1-1-2026;€ 3,-\nA5;K1;1-1-2026;twaalf\n"
    got = {
        name: read_open_items(text.encode("cp1252"), "lijst.csv")
        for name, text in (("plain", plain), ("odd", odd))
    }
    exp = [Decimal("1234.56"), Decimal("-7.10")]
    assert [r.amount for r in got["plain"].rows] == exp
    assert [r.amount for r in got["odd"].rows] == [*exp, Decimal("-12.50"), Decimal("3.00")]
    (problem,) = got["odd"].problems
    assert problem.where == "lijst.csv regel 6" and "kolom 'Bedrag'" in problem.message


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_totals_and_a_note_under_the_list_are_not_invoices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    # Packages end a list with a totals row (labelled or not) and a printed-on note; each
    # was "Overgeslagen: ... geen klant" / "geen factuurnummer", exit 1, on every import.
    # A row under the list that still looks like an invoice is reported as before.
    rows = [
        ["Factuurnummer", "Klant", "Factuurdatum", "Bedrag"],
        ["2026-0300", "K001", "1-12-2026", "1.210,00"],
        ["2026-0301", "K002", "2-12-2026", "-121,00"],
        ["Totaal", "", "", "1.089,00"],
        ["", "", "", "1.089,00"],
        ["", "", "", ""],
        ["Afgedrukt op 3-12-2026 door admin", "", "", ""],
        ["Eindtotaal (2 posten)", "", "", "1.089,00"],
        ["", "Totaal", "", "1.089,00"],
    ]
    listed = tmp_path / f"openstaand.{form}"

    def write_list() -> None:
        if form == "csv":
            listed.write_text("".join(";".join(r) + "\r\n" for r in rows), encoding="utf-8")
        else:
            wb = openpyxl.Workbook()
            for r in rows:
                wb.active.append(r)
            wb.save(listed)

    write_list()
    book_path = workbook(tmp_path)
    code, out = run(capsys, book_path, listed)
    assert (code, out["overgeslagen"], out["facturen_toegevoegd"]) == (0, [], 1)
    assert [i.number for i in read_book(book_path)[0].invoices] == ["2026-0300", "2026-0301"]

    rows.append(["2026-0399", "", "", "5,00"])  # an invoice without customer and date
    listed.unlink()
    write_list()
    code, out = run(capsys, book_path, listed)
    where = "openstaand.csv regel 10" if form == "csv" else "openstaand.xlsx blad Sheet rij 10"
    assert code == 1
    assert [s["bestand"] for s in out["overgeslagen"]] == [where]  # type: ignore[union-attr]


def test_a_list_with_amounts_excl_and_incl_btw_imports_what_the_customer_owes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Bedrag was 1.000,00: the first column whose header starts with "bedrag".
    book_path, _, code, out = import_text(
        tmp_path,
        capsys,
        "Factuurnummer;Klant;Factuurdatum;Bedrag excl. btw;Bedrag btw;Bedrag incl. btw\n"
        "E1;K001;1-12-2026;1.000,00;210,00;1.210,00\n",
    )
    assert code == 0, out
    (invoice,) = read_book(book_path)[0].invoices
    assert (invoice.number, invoice.amount) == ("E1", Decimal("1210.00"))


def test_a_partly_paid_invoice_is_reported_until_the_workbook_knows_the_payment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "volgens de lijst staat nog ... open" came on every import of the list (exit 1), also
    # once the bank had linked the payment and Facturen's Open said the same.
    book_path, listed, code, out = import_text(
        tmp_path,
        capsys,
        "Factuurnummer;Klant;Factuurdatum;Bedrag;Openstaand\n"
        "P1;K001;1-11-2026;1.210,00;210,00\n"
        "P2;K002;2-11-2026;500,00;500,00\n",
    )
    assert code == 1 and [w["soort"] for w in out["waarschuwingen"]] == ["deels-betaald"]
    # Not yet known to the workbook: said again.
    code, out = run(capsys, book_path, listed)
    assert code == 1 and [w["soort"] for w in out["waarschuwingen"]] == ["deels-betaald"]
    # The bank linked the 1.000,00 (a Betalingen row Gekoppeld): the list is no news.
    book, _ = read_book(book_path)
    paid = Payment(date(2026, 11, 20), Decimal("1000.00"), invoice="P1", customer="K001",
                   status=PaymentStatus.LINKED, key="bank-1")  # fmt: skip
    write_book(replace(book, payments=(paid,)), book_path)
    code, out = run(capsys, book_path, listed)
    assert (code, out["waarschuwingen"]) == (0, [])
    # Betaald typed by hand counts as well, as in the Open column.
    write_book(replace(book, invoices=tuple(
        replace(i, paid=Decimal("1000.00")) if i.number == "P1" else i for i in book.invoices
    )), book_path)  # fmt: skip
    code, out = run(capsys, book_path, listed)
    assert (code, out["waarschuwingen"]) == (0, [])


def test_a_row_in_another_currency_is_skipped_as_an_e_invoice_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The Valuta column was not read: 1.000 dollars came in as € 1.000,00. A column whose
    # name only starts with it (Valutadatum, the value date) is no currency.
    book_path, _, code, out = import_text(
        tmp_path,
        capsys,
        "Factuurnummer;Klant;Factuurdatum;Valutadatum;Valuta;Bedrag\n"
        "V1;K001;1-12-2026;1-12-2026;EUR;100,00\n"
        "V2;K001;1-12-2026;1-12-2026;USD;1.000,00\n"
        "V3;K002;1-12-2026;1-12-2026;;50,00\n",
    )
    assert code == 1
    assert out["overgeslagen"] == [
        {
            "bestand": "openstaand.csv regel 3",
            "reden": "kolom 'Valuta': factuur V2 is in USD, niet in euro; de brieven, de "
            "QR-code en de wet gaan uit van euro's. Niet ingelezen.",
        }
    ]
    assert [i.number for i in read_book(book_path)[0].invoices] == ["V1", "V3"]


def test_list_amounts_round_and_stop_as_the_workbook_reader_does() -> None:
    # Half a cent rounds half away from zero (money.to_cents, the workbook's reader): a
    # column that also shows "2,50" rounded half to even (0,125 -> 0,12). An amount of
    # 10 biljoen or more is refused on its cell: such a column let 20000000000000,00 in.
    head = "Factuur;Klant;Datum;Bedrag\n"
    rows = "A1;K1;1-1-2026;2,50\nA2;K1;1-1-2026;0,125\nA3;K1;1-1-2026;1.000,125\n"
    big = "A4;K1;1-1-2026;20000000000000,00\n"
    for odd in ("", "A5;K1;1-1-2026;€ 3,-\n"):  # the bulk path, and cell by cell
        items = read_open_items((head + rows + big + odd).encode(), "lijst.csv")
        exp = [Decimal("2.50"), Decimal("0.13"), Decimal("1000.13")]
        assert [r.amount for r in items.rows][:3] == exp
        (problem,) = items.problems
        assert (
            problem.where == "lijst.csv regel 5" and "te groot voor een bedrag" in problem.message
        )


def test_missing_column_lists_headers_and_synonyms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = tmp_path / "lijst.csv"
    listed.write_text("Nummer;Wie;Wanneer;Bedrag\n1;K001;1-1-2026;10,00\n")
    book_path = workbook(tmp_path)
    before = book_path.read_bytes()
    code, out = run(capsys, book_path, listed)
    assert code == 2 and book_path.read_bytes() == before
    reason = out["overgeslagen"][0]["reden"]  # type: ignore[index]
    assert "geen kolom voor klant" in reason and "debiteur" in reason and "relatie" in reason
    assert "geen kolom voor factuurdatum" in reason
    assert "Gevonden kopjes: 'Nummer', 'Wie', 'Wanneer', 'Bedrag'" in reason


def test_bad_row_is_skipped_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book_path, _, code, out = import_text(
        tmp_path,
        capsys,
        "Factuur;Klant;Datum;Bedrag\nA1;K001;1-1-2026;10,00\nA2;K001;31-2-2026;5,00\n",
        "lijst.csv",
    )
    assert code == 1
    (skipped,) = out["overgeslagen"]  # type: ignore[misc]
    assert skipped["bestand"] == "lijst.csv regel 3"
    assert "kolom 'Datum'" in skipped["reden"] and "31-2-2026" in skipped["reden"]
    assert [i.number for i in read_book(book_path)[0].invoices] == ["A1"]


def test_an_invoice_gone_from_the_same_kind_of_list_is_possibly_paid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book_path = workbook(tmp_path)
    first = tmp_path / "week1.csv"
    first.write_text("Factuur;Klant;Datum;Openstaand\nA1;K001;1-1-2026;10\nA2;K002;1-1-2026;20\n")
    run(capsys, book_path, first)
    second = tmp_path / "week2.csv"
    second.write_text("Factuur;Klant;Datum;Openstaand\nA1;K001;1-1-2026;10\n")
    before = book_path.read_bytes()
    code, out = run(capsys, book_path, second)
    assert code == 1
    assert book_path.read_bytes() == before  # a warning, never marked paid
    (warning,) = out["waarschuwingen"]  # type: ignore[misc]
    assert warning["bestand"] == "week2.csv"
    assert warning["melding"] == (
        "factuur A2 staat niet meer in de lijst: mogelijk betaald (in de vorige lijst: "
        "week1.csv regel 3)"
    )
    # Another kind of list (other columns) says nothing about week 1's list.
    other = tmp_path / "andere.csv"
    other.write_text("Invoice,Customer,Date,Amount\nB1,K001,2026-01-01,5.00\n")
    code, out = run(capsys, book_path, other)
    assert code == 0 and out["waarschuwingen"] == []


def _xlsx_list(path: Path, *rows: list[object]) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Open posten"
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_the_list_warnings_name_the_line_or_the_sheet_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The 'deels-betaald' and 'mogelijk betaald' warnings named the file alone, while
    every other message of the import names the CSV's line or the XLSX's sheet and row:
    in a list of thousands the user could not find the invoice."""
    book_path = workbook(tmp_path)
    head = ["Factuur", "Klant", "Datum", "Bedrag", "Openstaand"]
    first = _xlsx_list(
        tmp_path / "week1.xlsx",
        head,
        ["A1", "K001", "1-1-2026", 100, 100],
        ["A2", "K002", "1-1-2026", 200, 150],
    )
    code, out = run(capsys, book_path, first)
    assert code == 1 and [(w["soort"], w["bestand"]) for w in out["waarschuwingen"]] == [
        ("deels-betaald", "week1.xlsx blad Open posten rij 3")
    ]
    second = tmp_path / "week2.csv"
    second.write_text("Factuur;Klant;Datum;Bedrag;Openstaand\nA1;K001;1-1-2026;100;100\n"
                      "A3;K002;2-1-2026;300;250\n")  # fmt: skip
    code, out = run(capsys, book_path, second)
    got = [(w["soort"], w["bestand"], w["melding"]) for w in out["waarschuwingen"]]
    assert code == 1 and [g[:2] for g in got] == [
        ("deels-betaald", "week2.csv regel 3"),
        ("mogelijk-betaald", "week2.csv"),
    ], got
    assert got[1][2].endswith(
        "mogelijk betaald (in de vorige lijst: week1.xlsx blad Open posten rij 3)"
    )
    # The Dutch summary names them the same way.
    third = tmp_path / "week3.csv"
    third.write_text("Factuur;Klant;Datum;Bedrag;Openstaand\nA1;K001;1-1-2026;100;100\n")
    assert main(["importeer", str(book_path), str(third), "--proef"]) == 1
    printed = capsys.readouterr().out
    assert (
        "  week3.csv: factuur A3 staat niet meer in de lijst: mogelijk betaald (in de "
        "vorige lijst: week2.csv regel 3)" in printed
    ), printed


def test_possibly_paid_names_the_line_after_a_number_listed_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A1 on two lines (two terms of one invoice) shifts nothing: A2 stood on line 4."""
    book_path = workbook(tmp_path)
    first = tmp_path / "week1.csv"
    first.write_text("Factuur;Klant;Datum;Openstaand\nA1;K001;1-1-2026;10\n"
                     "A1;K001;1-1-2026;10\nA2;K002;1-1-2026;20\nA3;K002;1-1-2026;30\n")  # fmt: skip
    run(capsys, book_path, first)
    second = tmp_path / "week2.csv"
    second.write_text("Factuur;Klant;Datum;Openstaand\nA1;K001;1-1-2026;10\nA3;K002;1-1-2026;30\n")
    code, out = run(capsys, book_path, second)
    assert code == 1 and [w["melding"][-29:] for w in out["waarschuwingen"]] == [
        "(in de vorige lijst: week1.csv regel 4)"[-29:]
    ]


def test_a_memory_without_places_still_says_possibly_paid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The memory an earlier version wrote holds the numbers alone: the warning comes, without
    a line; the import then remembers the lines too."""
    from addin.adapters.invoices.list_memory import memory_path

    book_path = workbook(tmp_path)
    first = tmp_path / "week1.csv"
    first.write_text("Factuur;Klant;Datum;Openstaand\nA1;K001;1-1-2026;10\nA2;K002;1-1-2026;20\n")
    run(capsys, book_path, first)
    memory = memory_path(book_path)
    data = json.loads(memory.read_text(encoding="utf-8"))
    assert data.pop("bronnen") == {kind: ["week1.csv regel 2", "week1.csv regel 3"]
                                   for kind in data}  # fmt: skip
    memory.write_text(json.dumps(data), encoding="utf-8")
    second = tmp_path / "week2.csv"
    second.write_text("Factuur;Klant;Datum;Openstaand\nA1;K001;1-1-2026;10\n")
    code, out = run(capsys, book_path, second)
    assert code == 1 and [w["melding"] for w in out["waarschuwingen"]] == [
        "factuur A2 staat niet meer in de lijst: mogelijk betaald"
    ]
    assert json.loads(memory.read_text(encoding="utf-8"))["bronnen"] == {
        kind: ["week2.csv regel 2"] for kind in data
    }


def test_a_partial_list_reports_only_its_own_customers_gone_invoices(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book_path = tmp_path / "Debiteuren.xlsx"
    write_book(Book(settings=SETTINGS, customers=(*KLANTEN, *MORE_KLANTEN)), book_path)
    head = "Factuur;Klant;Datum;Openstaand\n"

    def week(name: str, *rows: str) -> tuple[int, list[dict[str, str]]]:
        path = tmp_path / name
        path.write_text(head + "".join(f"{r};1-1-2026;10\n" for r in rows))
        code, out = run(capsys, book_path, path)
        return code, out["waarschuwingen"]  # type: ignore[return-value]

    week("week1.csv", "A1;K001", "A2;K001", "B1;K002", "C1;K003", "D1;K004")
    # One customer's export: A2 is gone from K001's invoices; B1, C1 and D1 are simply not
    # in it. One note says the list is partial.
    code, warnings = week("week2.csv", "A1;K001")
    assert code == 1
    assert [(w["soort"], w["melding"][:38]) for w in warnings] == [
        ("mogelijk-betaald", "factuur A2 staat niet meer in de lijst"),
        ("deellijst", "de lijst noemt 1 van de 4 klanten van "),
    ]
    assert "3 facturen" in warnings[1]["melding"]
    # The next complete list still checks what the partial one left out: D1 is gone, and
    # its line is week 1's, where it was last seen.
    code, warnings = week("week3.csv", "A1;K001", "B1;K002", "C1;K003")
    assert [w["melding"] for w in warnings] == [
        "factuur D1 staat niet meer in de lijst: mogelijk betaald (in de vorige lijst: "
        "week1.csv regel 6)"
    ]


def test_plan_array_grows_when_facturen_outgrows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    invoices = tuple(
        Invoice(f"O-{n}", "K001", date(2026, 1, 1), Decimal("10.00")) for n in range(2)
    )
    book_path = tmp_path / "Debiteuren.xlsm"
    options = WorkbookOptions(date(2026, 11, 24), datetime(2026, 11, 24, 12, 0))
    book = Book(settings=SETTINGS, customers=KLANTEN, invoices=invoices)
    book_path.write_bytes(build_workbook(book, options))

    def plan_ref() -> str:
        with zipfile.ZipFile(book_path) as z:
            names = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
            for name in names:
                found = re.search(rb'<f t="array" ref="([A-Z0-9:]+)"', z.read(name))
                if found:
                    return found.group(1).decode()
        raise AssertionError("no array formula")

    assert plan_ref() == "A1:I5000"
    listed = tmp_path / "lijst.csv"
    rows = [f"N-{n};K001;1-10-2026;12,50" for n in range(4997)]
    listed.write_text("Factuur;Klant;Datum;Bedrag\n" + "\n".join(rows) + "\n")
    code, _ = run(capsys, book_path, listed)
    assert code == 0
    assert plan_ref() == "A1:I5000"  # 2 + 4,997 invoices and the header: 5,000 rows fit
    more = tmp_path / "meer.csv"
    # (other headers: the same kind of list would call the 4,997 missing ones paid)
    more.write_text("Factuurnummer;Klant;Datum;Bedrag\nN-x;K001;1-10-2026;1,00\n")
    code, _ = run(capsys, book_path, more)
    assert code == 0
    assert plan_ref() == "A1:I10001"  # 5,000 invoices: grown to twice that, plus the header
    book, problems = read_book(book_path)
    assert len(book.invoices) == 5000 and problems == ()
    assert_valid(book_path)  # what Excel would open without repairs
    with zipfile.ZipFile(book_path) as z:  # the macros and the ribbon are still there
        assert {"xl/vbaProject.bin", "customUI/customUI14.xml"} <= set(z.namelist())


def test_after_an_import_libreoffice_opens_it_and_computes_the_new_rows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real spreadsheet program reads the patched workbook: every table still there, the
    appended rows in tblFacturen and tblKlanten, and Open (the calculated column the
    write-back filled) computed on the new rows."""
    from python_calamine import CalamineWorkbook

    from tests.libreoffice import convert

    example = Path(__file__).resolve().parents[1] / "workbook" / "Voorbeeld.xlsx"
    book_path = tmp_path / "Voorbeeld.xlsx"
    book_path.write_bytes(example.read_bytes())
    listed = tmp_path / "lijst.csv"
    listed.write_text(
        "Factuur;Debiteur;Datum;Bedrag\nX-1;K001;1-11-2026;1.210,00\nX-2;Nieuw B.V.;1-11-2026;50\n"
    )
    code, out = run(capsys, book_path, listed)
    assert code == 0 and out["klanten_toegevoegd"] == 1
    resaved = convert(book_path, tmp_path)
    workbook = CalamineWorkbook.from_path(str(resaved), load_tables=True)
    assert {"tblFacturen", "tblKlanten", "tblContactpersonen"} <= set(workbook.table_names)
    table = workbook.get_table_by_name("tblFacturen")
    rows = {r[0]: dict(zip(table.columns, r, strict=True)) for r in table.to_python()}
    assert rows["X-1"]["Open"] == 1210 and rows["X-2"]["Open"] == 50
    klanten = workbook.get_table_by_name("tblKlanten").to_python()
    assert klanten[-1][1] == "Nieuw B.V."
    book, problems = read_book(resaved)
    assert problems == () and {"X-1", "X-2"} <= {i.number for i in book.invoices}


def test_a_list_memory_that_cannot_be_written_keeps_the_import_and_says_so(tmp_path, capsys):
    """The workbook has the new invoices by the time the memory of the list is written; a
    memory that cannot be written (here its name is a folder) must not report "niets
    veranderd" over a workbook that changed: the import stands and a note says what is
    missing (the next list cannot tell what disappeared)."""
    path = tmp_path / "Debiteuren.xlsx"
    write_book(Book(settings=SETTINGS, customers=(*KLANTEN, *MORE_KLANTEN)), path)
    (tmp_path / f".{path.name}.importlijsten.json").mkdir()
    lijst = tmp_path / "open.csv"
    write_list(lijst, "nl-volledig", ";", ",", "utf-8")
    code = main(["importeer", str(path), str(lijst)])
    out, err = capsys.readouterr()
    book, _ = read_book(path)
    assert {i.number for i in book.invoices} == {"2026-0301", "2026-0302", "2026-0303"}
    assert "niets veranderd" not in out + err, out + err
    assert code == 1 and "Let op:" in err and "onthouden" in err, err


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_a_list_of_only_its_header_writes_nothing_and_says_so(tmp_path, capsys, form):
    # It wrote the list memory (.<werkmap>.importlijsten.json) as the list of its kind,
    # although nothing was imported; after a real list it forgot that one.
    path = workbook(tmp_path)
    memory = tmp_path / f".{path.name}.importlijsten.json"
    empty = tmp_path / f"leeg.{form}"
    if form == "csv":
        empty.write_text("Factuur;Klant;Datum;Openstaand\n", encoding="utf-8")
    else:
        wb = openpyxl.Workbook()
        wb.active.append(["Factuur", "Klant", "Datum", "Openstaand"])
        wb.save(empty)
    before = path.read_bytes()
    code, out = run(capsys, path, empty)
    assert code == 2 and path.read_bytes() == before
    assert not memory.exists()
    assert out["overgeslagen"] == [{
        "bestand": empty.name,
        "reden": "de lijst heeft kolomkoppen maar geen regels met facturen; er is niets "
        "ingelezen.",
    }]  # fmt: skip
    assert main(["importeer", str(path), str(empty)]) == 2
    printed = capsys.readouterr().out
    assert (
        "geen regels met facturen" in printed and "Er is niets in de werkmap veranderd." in printed
    )
    # After a real list, the empty one leaves its memory as it was.
    first = tmp_path / "week1.csv"
    first.write_text("Factuur;Klant;Datum;Openstaand\nA1;K001;1-1-2026;10\n")
    assert run(capsys, path, first)[0] == 0
    remembered = memory.read_bytes()
    assert run(capsys, path, empty)[0] == 2
    assert memory.read_bytes() == remembered


def test_a_list_whose_every_row_is_skipped_is_not_remembered(tmp_path, capsys):
    path = workbook(tmp_path)
    bad = tmp_path / "fout.csv"
    bad.write_text("Factuur;Klant;Datum;Openstaand\nA1;K001;31-2-2026;10\n", encoding="utf-8")
    code, out = run(capsys, path, bad)
    assert code == 1 and out["facturen_toegevoegd"] == 0
    assert out["overgeslagen"][0]["bestand"] == "fout.csv regel 2"  # type: ignore[index]
    assert not (tmp_path / f".{path.name}.importlijsten.json").exists()


def test_an_unknown_code_without_a_name_column_is_reported_not_a_customer(tmp_path, capsys):
    # K999 became a customer named "K999" (no name, no address: letters to nobody). Now
    # each of its rows is named, file, line, column and code, and nothing of it is
    # written; a name in the customer column still makes its customer, and a known code
    # or name is that customer.
    path, listed, code, out = import_text(
        tmp_path,
        capsys,
        "Factuur;Klantcode;Datum;Openstaand\n"
        "X1;K999;1-1-2026;10,00\n"
        "X2;K001;1-1-2026;20,00\n"
        "X3;K999;2-1-2026;30,00\n"
        "X4;Garage Nieuw B.V.;2-1-2026;40,00\n"
        "X5;Café Émile;2-1-2026;50,00\n",
        "open.csv",
    )
    assert code == 1
    reason = (
        "kolom 'Klantcode': klant 'K999' staat niet in Klanten en de lijst heeft geen kolom "
        "met de klantnaam. Voeg de klant toe aan Klanten (of exporteer de lijst met de naam "
        "erbij) en lees de lijst opnieuw in. Factuur {} is niet ingelezen."
    )
    assert out["overgeslagen"] == [
        {"bestand": "open.csv regel 2", "reden": reason.format("X1")},
        {"bestand": "open.csv regel 4", "reden": reason.format("X3")},
    ]
    book, _ = read_book(path)
    assert [(i.number, i.customer) for i in book.invoices] == [
        ("X2", "K001"), ("X4", "K003"), ("X5", "K002")
    ]  # fmt: skip
    assert [(c.number, c.name) for c in book.customers][2:] == [("K003", "Garage Nieuw B.V.")]
    assert main(["importeer", str(path), str(listed)]) == 1
    assert "  open.csv regel 2: kolom 'Klantcode': klant 'K999'" in capsys.readouterr().out


def zero_list(path: Path, form: str) -> None:
    """A list of five rows, three of them of 0 euros, as `form` writes it: 'csv' (Bedrag in
    its Dutch spellings of 0), 'xlsx' (Bedrag as numbers), 'open' (only Openstaand) or
    'beide' (Bedrag and Openstaand)."""
    header = ["Factuur", "Klant", "Datum", "Bedrag"]
    amounts: list[object] = ["100,00", "0,00", "-0", "€ 0", "-50,00"]
    if form == "xlsx":
        amounts = [100, 0, -0.0, 0.0, -50]
    elif form == "open":
        header[3] = "Openstaand"
    rows = [[f"N{i + 1}", "K001", "1-12-2026", a] for i, a in enumerate(amounts)]
    if form == "beide":
        header.append("Openstaand")
        for row in rows:
            row.append(row[3])
    if form == "xlsx":
        wb = openpyxl.Workbook()
        for row in [header, *rows]:
            wb.active.append(row)
        wb.save(path)
    else:
        path.write_text(
            "\n".join(";".join(map(str, r)) for r in [header, *rows]) + "\n", encoding="utf-8"
        )


@pytest.mark.parametrize("form", ["csv", "xlsx", "open", "beide"])
def test_a_row_of_0_euros_is_skipped_and_named_as_an_e_invoice_of_0_is(tmp_path, capsys, form):
    # A row of Bedrag 0 ("0,00", "-0" as a credit note of nothing, "€ 0", a number 0) came
    # into Facturen as an invoice of € 0,00, while an e-invoice of PayableAmount 0 is
    # skipped and named: nothing to collect. Now each such row is named (file, line,
    # column) and nothing of it is written.
    listed = tmp_path / ("nul.xlsx" if form == "xlsx" else "nul.csv")
    zero_list(listed, form)
    path = workbook(tmp_path)
    code, out = run(capsys, path, listed)
    assert code == 1
    column, what = ("Openstaand", "openstaand bedrag") if form == "open" else ("Bedrag", "bedrag")
    unit = "blad Sheet rij" if form == "xlsx" else "regel"
    assert out["overgeslagen"] == [
        {
            "bestand": f"{listed.name} {unit} {line}",
            "reden": f"kolom '{column}': factuur {number} heeft als {what} € 0,00: er valt "
            f"niets te innen. Niet ingelezen.",
        }
        for line, number in ((3, "N2"), (4, "N3"), (5, "N4"))
    ]
    assert (out["facturen_toegevoegd"], out["creditnotas_toegevoegd"]) == (1, 1)
    book, _ = read_book(path)
    assert [(i.number, i.amount) for i in book.invoices] == [
        ("N1", Decimal("100.00")), ("N5", Decimal("-50.00"))
    ]  # fmt: skip
    # The Dutch summary names them the same way.
    assert main(["importeer", str(path), str(listed), "--proef"]) == 1
    printed = capsys.readouterr().out
    assert f"Overgeslagen (3):\n  {listed.name} {unit} 3: kolom '{column}': factuur N2" in printed


def test_a_row_of_bedrag_0_with_something_open_is_skipped_and_says_both(tmp_path, capsys):
    # It came in as an invoice of € 0,00 with a 'deels-betaald' warning of € 50,00 open.
    path, _, code, out = import_text(
        tmp_path, capsys, "Factuur;Klant;Datum;Bedrag;Openstaand\nT1;K001;1-12-2026;0;50,00\n"
    )
    assert (code, out["waarschuwingen"]) == (1, [])
    assert out["overgeslagen"] == [
        {
            "bestand": "openstaand.csv regel 2",
            "reden": "kolom 'Bedrag': factuur T1 heeft als bedrag € 0,00, maar als openstaand "
            "bedrag € 50,00; een factuur van € 0,00 wordt niet ingelezen. Controleer de regel "
            "in het boekhoudpakket.",
        }
    ]
    assert read_book(path)[0].invoices == ()


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_csv_row_is_named_by_its_line_in_the_file_when_a_field_spans_lines(
    tmp_path, capsys, newline
):
    # An Omschrijving of three lines (quoted, as every package writes it) made each later
    # row named by its record: 'regel 3' for what a text editor shows on line 5.
    text = newline.join([
        "Factuur;Klant;Datum;Bedrag;Omschrijving",
        'M1;K001;1-12-2026;10,00;"Levering',  # lines 2 to 4
        "en montage",
        'in november"',
        "M2;K001;31-2-2026;5,00;kapot",  # line 5
        'M3;K002;1-12-2026;0,00;"twee',  # lines 6 and 7
        'regels"',
        "",
        "M4;K002;1-12-2026;7,00;al in Facturen",  # line 9
        "M5;K002;1-12-2026;x;",  # line 10
    ]) + newline  # fmt: skip
    listed = tmp_path / "open.csv"
    listed.write_bytes(text.encode("utf-8"))
    path = workbook(tmp_path, invoices=(Invoice("M4", "K002", date(2026, 12, 1), Decimal("8")),))
    code, out = run(capsys, path, listed)
    assert code == 1
    assert [(s["bestand"], s["reden"].split(":")[0]) for s in out["overgeslagen"]] == [
        ("open.csv regel 5", "kolom 'Datum'"),
        ("open.csv regel 6", "kolom 'Bedrag'"),
        ("open.csv regel 10", "kolom 'Bedrag'"),
    ]
    assert [(w["bestand"], w["soort"]) for w in out["waarschuwingen"]] == [
        ("open.csv regel 9", "gewijzigd")
    ]
    book, _ = read_book(path)
    assert [(i.number, i.description) for i in book.invoices][1:] == [
        ("M1", f"Levering{newline}en montage{newline}in november")
    ]  # as the file has it


ROW = "Q{n};K001;1-12-2026;10,00;gewoon"


@pytest.mark.parametrize(
    ("rows", "exp"),
    [
        (  # the rest of the file in one Omschrijving: Q3 to Q6 were gone without a word
            [ROW.format(n=1), 'Q2;K001;1-12-2026;10,00;"niet gesloten',
             *(ROW.format(n=n) for n in range(3, 7))],
            "een veld in de regel die op regel 3 begint, loopt door tot het einde van het "
            "bestand (regel 7), over regels die er als rijen van de lijst uitzien.",
        ),
        (  # closed by the next quote, Q7's: Q3 to Q6 were in Q2's Omschrijving
            [ROW.format(n=1), 'Q2;K001;1-12-2026;10,00;"niet gesloten',
             *(ROW.format(n=n) for n in range(3, 7)), 'Q7;K001;1-12-2026;10,00;"twee',
             'regels"'],
            "een veld in de regel die op regel 3 begint, loopt door tot regel 8, over regels "
            "die er als rijen van de lijst uitzien.",
        ),
        (  # a file too long for one field: csv.reader stopped; it named line 6003
            [ROW.format(n=1), 'Q2;K001;1-12-2026;10,00;"niet gesloten',
             *(ROW.format(n=n) for n in range(3, 6003))],
            "vanaf regel 3 staat een veld van meer dan 131.072 tekens.",
        ),
    ],
    ids=["tot-het-einde", "tot-de-volgende-quote", "te-lang"],
)  # fmt: skip
def test_a_quote_never_closed_refuses_the_list_naming_its_line(tmp_path, capsys, rows, exp):
    path, _, code, out = import_text(
        tmp_path, capsys, "\n".join(["Factuur;Klant;Datum;Bedrag;Omschrijving", *rows]) + "\n"
    )
    assert code == 2 and read_book(path)[0].invoices == ()
    assert out["overgeslagen"] == [
        {
            "bestand": "openstaand.csv",
            "reden": f"geen leesbare CSV: {exp} Waarschijnlijk wordt daar een aanhalingsteken "
            '(") niet gesloten; zet het ontbrekende aanhalingsteken erbij (of exporteer de '
            "lijst opnieuw) en lees de lijst opnieuw in.",
        }
    ]


def test_a_description_of_lines_full_of_separators_is_no_unclosed_quote(tmp_path, capsys):
    # Commas in a comma-separated list's description of two lines: quoted as it should be,
    # so read as it was.
    path, _, code, out = import_text(
        tmp_path,
        capsys,
        "Factuur,Klant,Datum,Bedrag,Omschrijving\n"
        'D1,K001,1-12-2026,"10,00","3 stoelen, 2 tafels, 1 kast,\n'
        '1 bank, 4 lampen, 2 kasten, 1 spiegel"\n'
        'D2,K001,1-12-2026,"5,00",gewoon\n',
    )
    assert (code, out["overgeslagen"]) == (0, [])
    assert [i.number for i in read_book(path)[0].invoices] == ["D1", "D2"]


def test_texts_excel_cannot_hold_are_cleaned_as_the_bank_import_cleans_them(tmp_path, capsys):
    # A control character (a bell, a vertical tab some packages write for a line break) or
    # a description over a cell's 32,767 characters stopped the whole import with a
    # message naming a row of Facturen the user did not have yet ('tblFacturen, kolom
    # Omschrijving, rij 3: de tekst bevat een stuurteken'). Removed and cut with a mark,
    # as the bank import does; tabs and line breaks, which a cell holds, stay.
    path, _, code, out = import_text(
        tmp_path,
        capsys,
        "Factuur;Klant;Klantnaam;Datum;Bedrag;Omschrijving\n"
        "C1\x07;K001;;1-12-2026;10,00;Levering\x0bmontage\x1b\n"
        "C2;K009;Nieuw\x1f BV;1-12-2026;20,00;" + "w" * 40_000 + "\n"
        'C3;K001;;1-12-2026;30,00;"twee\tkolommen\nen regels"\n',
    )
    assert (code, out["overgeslagen"], out["klanten_toegevoegd"]) == (0, [], 1), out
    book, problems = read_book(path)
    assert problems == ()
    got = [(i.number, i.description[:20], len(i.description)) for i in book.invoices]
    assert got == [
        ("C1", "Levering montage", 16),
        ("C2", "w" * 20, 32_767),
        ("C3", "twee\tkolommen\nen reg", 23),
    ]
    assert book.invoices[1].description.endswith("w (ingekort)")
    assert book.customers[-1].name == "Nieuw  BV"


def test_an_invoice_number_twice_in_a_list_is_named_not_dropped(tmp_path, capsys):
    # The second row of a number came in as nothing: without a word when it said the same
    # (two equal terms of one invoice: € 50 lost), and otherwise as 'staat al in Facturen
    # en is niet overschreven: bedrag € 50,00 in de werkmap', of an invoice that was not
    # in the workbook before this import.
    path, _, code, out = import_text(
        tmp_path,
        capsys,
        "Factuur;Klant;Datum;Vervaldatum;Bedrag\n"
        "T1;K001;1-12-2026;31-12-2026;50,00\n"
        "T1;K001;1-12-2026;31-1-2027;50,00\n"
        "T2;K001;1-12-2026;31-12-2026;60,00\n"
        "t2;K001;1-12-2026;31-12-2026;70,00\n",
    )
    assert (code, out["waarschuwingen"]) == (1, [])
    assert out["overgeslagen"] == [
        {
            "bestand": "openstaand.csv regel 3",
            "reden": "factuur T1 staat al in openstaand.csv regel 2 en is hier niet nogmaals "
            "ingelezen: vervaldatum 31-12-2026 daar, 31-1-2027 hier.",
        },
        {
            "bestand": "openstaand.csv regel 5",
            "reden": "factuur t2 staat al in openstaand.csv regel 4 en is hier niet nogmaals "
            "ingelezen: bedrag € 60,00 daar, € 70,00 hier.",
        },
    ]
    assert [(i.number, i.amount) for i in read_book(path)[0].invoices] == [
        ("T1", Decimal("50.00")), ("T2", Decimal("60.00"))
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("title", "sep"),
    [("Bouwbedrijf Jansen, openstaande posten per 24-11-2026", ";"),
     ("Openstaande posten; alle relaties", ","),
     ("Debiteuren | stand 24-11-2026", "\t")],
    ids=["komma-boven-puntkomma", "puntkomma-boven-komma", "pipe-boven-tab"],
)  # fmt: skip
def test_a_title_with_another_separator_above_the_header(tmp_path, capsys, title, sep):
    # The separator was the first line's: a title with a comma above a header with
    # semicolons made the list 'geen kolom voor factuurnummer ... Gevonden kopjes:
    # 'Bouwbedrijf Jansen', 'openstaande posten per 24-11-2026''.
    rows = [["Factuur", "Klant", "Datum", "Bedrag", "Omschrijving"],
            ["S1", "K001", "1-12-2026", "1234.56" if sep == "," else "1.234,56", "werk, materiaal"],
            ["S2", "K001", "31-2-2026", "5", "kapot"]]  # fmt: skip
    out_text = io.StringIO()
    csv.writer(out_text, delimiter=sep, lineterminator="\n").writerows(rows)
    path, _, code, out = import_text(tmp_path, capsys, f"{title}\n\n{out_text.getvalue()}")
    assert code == 1, out
    assert [s["bestand"] for s in out["overgeslagen"]] == ["openstaand.csv regel 5"]
    book, _ = read_book(path)
    assert [(i.number, i.amount, i.description) for i in book.invoices] == [
        ("S1", Decimal("1234.56"), "werk, materiaal")
    ]


def test_the_header_repeated_on_every_page_is_no_row(tmp_path, capsys):
    # A report exported page by page repeats its header: each one was skipped and named
    # ("kolom 'Datum': 'Datum' is geen datum"), and the import ended with exit code 1.
    header = "Factuur;Klant;Datum;Bedrag"
    path, _, code, out = import_text(
        tmp_path,
        capsys,
        f"{header}\nP1;K001;1-12-2026;5,00\n\n{header}\nP2;K001;1-12-2026;6,00\n"
        f"{header}\nP3;K001;31-2-2026;7,00\n",
    )
    assert code == 1
    assert [s["bestand"] for s in out["overgeslagen"]] == ["openstaand.csv regel 7"]
    assert [i.number for i in read_book(path)[0].invoices] == ["P1", "P2"]


def test_a_row_with_more_values_than_the_header_has_columns_is_named(tmp_path, capsys):
    # '100,50' without quotes in a list separated by commas is two values: Bedrag became
    # € 100,00 and the 50 cents went into a column without header, without a word. A
    # separator at the end of a line (an empty value more) is no problem.
    path, _, code, out = import_text(
        tmp_path,
        capsys,
        "Factuur,Klant,Datum,Bedrag\n"
        "S1,K001,1-12-2026,100,50\n"
        'S2,K001,1-12-2026,"100,50"\n'
        "S3,K001,1-12-2026,7,,\n",
    )
    assert code == 1
    assert out["overgeslagen"] == [
        {
            "bestand": "openstaand.csv regel 2",
            "reden": "de regel heeft 5 waarden en de kopregel 4 kolommen: waarschijnlijk staat "
            "het scheidingsteken ook in een waarde zonder aanhalingstekens eromheen (zoals "
            "100,50 in een lijst met komma's). Niet ingelezen.",
        }
    ]
    assert [(i.number, i.amount) for i in read_book(path)[0].invoices] == [
        ("S2", Decimal("100.50")), ("S3", Decimal("7.00"))
    ]  # fmt: skip


def test_a_utf8_list_with_one_windows_1252_line_keeps_every_accent_and_names_the_line(
    tmp_path, capsys
):
    # A UTF-8 export with one row pasted in from a Windows program: the file was read as
    # Windows-1252 as a whole, and every other row's "é" became "Ã©" without a word.
    lines = [
        b"Factuur;Klant;Datum;Bedrag;Omschrijving",
        "E1;K001;1-12-2026;10,00;Levering café".encode(),
        "E2;K002;1-12-2026;20,00;Crème brûlée".encode("cp1252"),  # line 3
        "E3;K002;1-12-2026;30,00;Reparatie één".encode(),
    ]
    listed = tmp_path / "open.csv"
    listed.write_bytes(b"\r\n".join(lines) + b"\r\n")
    path = workbook(tmp_path)
    code, out = run(capsys, path, listed)
    assert code == 1 and out["facturen_toegevoegd"] == 3
    ((warning),) = out["waarschuwingen"]  # type: ignore[misc]
    assert (warning["bestand"], warning["soort"]) == ("open.csv", "gemengde-codering")
    assert warning["melding"].startswith("regel 3 is geen UTF-8 zoals de rest van het bestand")
    book, _ = read_book(path)
    assert [(i.number, i.description) for i in book.invoices] == [
        ("E1", "Levering café"),
        ("E2", "Crème brûlée"),
        ("E3", "Reparatie één"),
    ]
    main(["importeer", str(path), str(listed)])  # the text output names file and line too
    assert "open.csv: regel 3 is geen UTF-8" in capsys.readouterr().out


def test_files_of_two_folders_are_named_by_their_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report named files by their name alone: the same export of two months, each in
    its own folder, gave two 'openstaand.csv regel 3' and two 'kapot.xml'. Now each is named
    from the folder the files share, the same in the text and in --json; the files of one
    folder the user gave keep their plain names."""
    book_path = workbook(tmp_path)
    for month in ("november", "december"):
        folder = tmp_path / "exports" / month
        folder.mkdir(parents=True)
        (folder / "openstaand.csv").write_text(
            f"Factuur;Klant;Datum;Openstaand\n{month}-1;K001;1-1-2026;10\n{month}-2;K001;31-2-2026;10\n"
        )
        (folder / "kapot.xml").write_text("<Invoice>")
    months = [tmp_path / "exports" / "november", tmp_path / "exports" / "december"]
    code, out = run(capsys, book_path, *months, "--proef")
    exp = [
        os.path.join(month, name)
        for month in ("november", "december")
        for name in ("kapot.xml", "openstaand.csv regel 3")
    ]
    assert code == 1 and [s["bestand"] for s in out["overgeslagen"]] == exp, out
    assert main(["importeer", str(book_path), *map(str, months), "--proef"]) == 1
    printed = capsys.readouterr().out
    assert [line.split(": ")[0].strip() for line in printed.splitlines()[2:6]] == exp, printed
    code, out = run(capsys, book_path, months[0], "--proef")
    assert [s["bestand"] for s in out["overgeslagen"]] == ["kapot.xml", "openstaand.csv regel 3"]


def test_a_file_given_twice_is_read_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The folder, the list in it, a link to the list and a path through '..': the list
    was read four times, every invoice of it 'staat al in openstaand.csv regel 2 en is hier
    niet nogmaals ingelezen' (itself), and the partly-paid warning came four times. Now it
    is read once, named as first given."""
    book_path = workbook(tmp_path)
    folder = tmp_path / "exports"
    folder.mkdir()
    listed = folder / "openstaand.csv"
    listed.write_text("Factuur;Klant;Datum;Bedrag;Openstaand\nX-1;K001;1-1-2026;20;5\n")
    (tmp_path / "link.csv").symlink_to(listed)
    again = tmp_path / "exports" / ".." / "exports" / "openstaand.csv"
    code, out = run(capsys, book_path, folder, listed, tmp_path / "link.csv", again, "--proef")
    assert code == 1 and out["bestanden"] == 1 and out["overgeslagen"] == [], out
    assert [w["bestand"] for w in out["waarschuwingen"]] == ["openstaand.csv regel 2"], out
    assert out["facturen_toegevoegd"] == 1


def test_a_field_too_long_only_under_another_separator_is_no_traceback(tmp_path, capsys):
    """Found by the fuzzer (seed 99001, case 1297): no header under the file's separator
    (',') sends the search to the other separators, and under ';' a line of 140,001
    characters is one field past csv's limit: csv.Error ended the run with a traceback."""
    text = "titel,zonder,kopjes\n" + "x" * 70_000 + "," + "y" * 70_000 + "\nnog,een,regel\n"
    path, _, code, out = import_text(tmp_path, capsys, text)
    assert code == 2 and read_book(path)[0].invoices == ()
    (skipped,) = out["overgeslagen"]
    assert skipped["bestand"] == "openstaand.csv" and "kopjes" in skipped["reden"]


def test_the_list_memory_gets_the_mode_of_any_new_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # It was made 0600 (mkstemp's mode, kept by the rename): a colleague sharing the folder
    # could not read it and silently lost the "mogelijk betaald" comparison.
    umask = os.umask(0)
    os.umask(umask)
    book_path = workbook(tmp_path)
    listed = tmp_path / "week1.csv"
    listed.write_text("Factuur;Klant;Datum;Openstaand\nA1;K001;1-1-2026;10\n")
    run(capsys, book_path, listed)
    memory = tmp_path / f".{book_path.name}.importlijsten.json"
    assert memory.stat().st_mode & 0o777 == 0o666 & ~umask
