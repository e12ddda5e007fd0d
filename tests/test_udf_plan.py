"""=DEBITEUREN_PLAN, the one array function behind =DUESTATUS and =NEXTACTION.

The function gets every table as xlwings passes a `tblX[#All]` argument (header first,
floats, datetimes, None; tests/xlwings_values.py reads them from a real saved workbook) and
must give, for every invoice, exactly what `debiteuren werklijst --json` gives for it. It
must never be stale: any change of any input (a customer, a promise, a contact, a payment,
a setting, the date) changes the answer; only the very same arguments are answered from
memory.
"""

from __future__ import annotations

import copy
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from addin import schema, udfs
from addin.adapters.workbook.book_writer import write_book
from addin.cli import main
from addin.core.plan_sheet import next_action_text
from addin.example import EXAMPLE_DATE
from benchmarks.generate import generate_book
from tests.xlwings_values import as_xlwings, table_values

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "workbook" / "Voorbeeld.xlsx"


def plan(tables: dict[str, list], as_of: date) -> list[list]:
    udfs._LAST_PLAN.clear()
    return call(tables, as_of)


def call(tables: dict[str, list], as_of: date) -> list[list]:
    return udfs.DEBITEUREN_PLAN(*(tables[spec.name] for spec in schema.TABLES), as_xlwings(as_of))


def cli_actions(path: Path, as_of: date, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    main(["werklijst", str(path), "--datum", as_of.isoformat(), "--json"])
    return json.loads(capsys.readouterr().out)["acties"]


def assert_same_as_cli(rows: list[list], actions: list[dict]) -> None:
    assert rows[0] == list(schema.PLAN_HEADER)
    body = rows[1:]
    assert [r[0] for r in body] == [a["factuur"] for a in actions]
    for row, a in zip(body, actions, strict=True):
        got = dict(zip(schema.PLAN_HEADER, row, strict=True))
        assert got["Status"] == a["status"]
        assert got["Actie"] == a["actie"]
        assert got["Volgende actie"].startswith(a["actie"])
        assert a["reden"] in got["Volgende actie"]
        assert got["Reden"] == a["reden"]
        day = got["Datum"]
        assert (day.date().isoformat() if day else None) == a["datum"]
        assert (got["Kanaal"] or None) == a["kanaal"]
        assert (got["Contact"] or None) == a["contact"]
        assert (got["Telefoon"] or None) == a["telefoon"]


def test_example_matches_the_command_line(capsys):
    rows = plan(table_values(EXAMPLE), EXAMPLE_DATE)
    assert len(rows) == 321
    assert_same_as_cli(rows, cli_actions(EXAMPLE, EXAMPLE_DATE, capsys))
    # every action code of the example shows up, each row's text starting with its code
    codes = {r[3] for r in rows[1:]}
    assert len(codes) == 13


@pytest.mark.parametrize("seed_size", [(150, 40, 10, 60), (400, 90, 30, 200)])
def test_generated_workbooks_match_the_command_line(tmp_path, capsys, seed_size):
    invoices, customers, agreements, contacts = seed_size
    book = generate_book(invoices, customers, agreements, contacts)
    path = tmp_path / "gegenereerd.xlsx"
    write_book(book, path)
    for as_of in (date(2026, 11, 24), date(2026, 12, 24), date(2027, 4, 27)):
        assert_same_as_cli(plan(table_values(path), as_of), cli_actions(path, as_of, capsys))


def _row_of(rows: list[list], invoice: str) -> dict:
    for row in rows[1:]:
        if row[0] == invoice:
            return dict(zip(schema.PLAN_HEADER, row, strict=True))
    raise AssertionError(invoice)


def _column(tables: dict[str, list], table: str, header: str) -> int:
    return tables[table][0].index(header)


def _first_with(rows: list[list], code: str) -> dict:
    return next(dict(zip(schema.PLAN_HEADER, r, strict=True)) for r in rows[1:] if r[3] == code)


def test_never_stale_when_the_date_changes():
    tables = table_values(EXAMPLE)
    before = plan(tables, EXAMPLE_DATE)
    waiting = _first_with(before, "wachten")
    later = call(tables, date(2027, 6, 1))  # memo warm: a new date must still re-plan
    assert later is not before
    assert _row_of(later, waiting["Factuurnummer"])["Actie"] != "wachten"


def test_never_stale_when_a_payment_is_linked():
    tables = table_values(EXAMPLE)
    before = plan(tables, EXAMPLE_DATE)
    target = _first_with(before, "herinnering")
    changed = copy.deepcopy(tables)
    head = changed[schema.BETALINGEN.name][0]
    row = [None] * len(head)
    open_amount = next(
        r[_column(tables, schema.FACTUREN.name, "Bedrag")]
        for r in tables[schema.FACTUREN.name][1:]
        if r[0] == target["Factuurnummer"]
    )
    for header, value in {
        "Datum": datetime(2026, 11, 23),
        "Bedrag": open_amount,
        "Factuur": target["Factuurnummer"],
        "Status": "Gekoppeld",
    }.items():
        row[head.index(header)] = value
    changed[schema.BETALINGEN.name].append(row)
    after = call(changed, EXAMPLE_DATE)
    got = _row_of(after, target["Factuurnummer"])
    assert (got["Status"], got["Actie"]) == ("betaald", "geen")


def test_never_stale_when_a_dispute_a_setting_or_a_contact_changes():
    tables = table_values(EXAMPLE)
    before = plan(tables, EXAMPLE_DATE)
    call_row = _first_with(before, "bellen")
    number = call_row["Factuurnummer"]

    disputed = copy.deepcopy(tables)
    col = _column(tables, schema.FACTUREN.name, "Geschil")
    for r in disputed[schema.FACTUREN.name][1:]:
        if r[0] == number:
            r[col] = "levering onvolledig"
    got = _row_of(call(disputed, EXAMPLE_DATE), number)
    assert got["Actie"] == "intern-oplossen" and "levering onvolledig" in got["Reden"]

    crisis = copy.deepcopy(tables)
    reminder = _first_with(before, "herinnering")["Factuurnummer"]
    for r in crisis[schema.INSTELLINGEN.name][1:]:
        if r[0] == "Crisismodus":
            r[1] = "Ja"
    assert _row_of(call(crisis, EXAMPLE_DATE), reminder)["Actie"] == "bellen"

    # a customer who says he paid: a logged contact with that outcome
    said_paid = copy.deepcopy(tables)
    head = said_paid[schema.CONTACTEN.name][0]
    row = [None] * len(head)
    customer = next(r[1] for r in tables[schema.FACTUREN.name][1:] if r[0] == number)
    for header, value in {
        "Datum": datetime(2026, 11, 23),
        "Klantnummer": customer,
        "Facturen": number,
        "Kanaal": "Telefoon",
        "Uitkomst": "Zegt betaald",
    }.items():
        row[head.index(header)] = value
    said_paid[schema.CONTACTEN.name].append(row)
    assert _row_of(call(said_paid, EXAMPLE_DATE), number)["Actie"] == "betaalbewijs-vragen"


def test_same_arguments_are_answered_from_memory():
    tables = table_values(EXAMPLE)
    first = plan(tables, EXAMPLE_DATE)
    assert call(copy.deepcopy(tables), EXAMPLE_DATE) is first  # equal values, not identity


def test_columns_in_another_order_and_extra_columns_give_the_same_plan():
    tables = table_values(EXAMPLE)
    expected = plan(tables, EXAMPLE_DATE)
    shuffled = copy.deepcopy(tables)
    for name in (schema.FACTUREN.name, schema.KLANTEN.name):
        rows = shuffled[name]
        order = list(reversed(range(len(rows[0]))))
        shuffled[name] = [[r[i] for i in order] + ["extra"] for r in rows]
        shuffled[name][0][-1] = "Mijn eigen kolom"
    assert plan(shuffled, EXAMPLE_DATE) == expected


def test_bad_date_gives_a_dutch_text_in_the_cell():
    tables = table_values(EXAMPLE)
    udfs._LAST_PLAN.clear()
    args = [tables[spec.name] for spec in schema.TABLES]
    assert udfs.DEBITEUREN_PLAN(*args, None) == [["#FOUT: peildatum ontbreekt"]]
    assert udfs.DEBITEUREN_PLAN(*args, "morgen")[0][0].startswith("#FOUT: peildatum")


def test_an_empty_workbook_gives_just_the_header(tmp_path):
    from addin.core.model import Book

    path = tmp_path / "leeg.xlsx"
    write_book(Book(), path)
    assert plan(table_values(path), EXAMPLE_DATE) == [list(schema.PLAN_HEADER)]


def test_next_action_text_starts_with_the_code_for_every_action(capsys):
    from addin.adapters.workbook.reader import read_book
    from addin.core.plan import plan_book

    book, _ = read_book(EXAMPLE)
    for a in plan_book(book, EXAMPLE_DATE).actions:
        text = next_action_text(a)
        assert text.split(" ")[0].rstrip(":") == a.action.value
        assert text.endswith(a.reason)


class _Caller:
    """xlwings' `caller` argument: the calling range; only its shape is used."""

    def __init__(self, rows: int, columns: int) -> None:
        self.shape = (rows, columns)


def test_the_plan_fills_its_array_formula_with_empty_text_not_na():
    tables = table_values(EXAMPLE)
    args = [tables[spec.name] for spec in schema.TABLES]
    udfs._LAST_PLAN.clear()
    bare = udfs.DEBITEUREN_PLAN(*args, as_xlwings(EXAMPLE_DATE))
    padded = udfs.DEBITEUREN_PLAN(*args, as_xlwings(EXAMPLE_DATE), _Caller(5000, 9))
    assert len(padded) == 5000 and padded[: len(bare)] == bare
    assert padded[len(bare)] == [""] * 9 and padded[-1] == [""] * 9
    # a range smaller than the plan (a user shrank it) gets the whole plan; Excel cuts it
    assert udfs.DEBITEUREN_PLAN(*args, as_xlwings(EXAMPLE_DATE), _Caller(10, 9)) == bare


def test_never_stale_when_a_customer_or_a_promise_changes():
    tables = table_values(EXAMPLE)
    before = plan(tables, EXAMPLE_DATE)
    target = _first_with(before, "herinnering")
    number = target["Factuurnummer"]
    customer = next(r[1] for r in tables[schema.FACTUREN.name][1:] if r[0] == number)

    bankrupt = copy.deepcopy(tables)
    col = _column(tables, schema.KLANTEN.name, "Bijzonderheid")
    for r in bankrupt[schema.KLANTEN.name][1:]:
        if r[0] == customer:
            r[col] = "Faillissement"
    assert _row_of(call(bankrupt, EXAMPLE_DATE), number)["Actie"] == "intern-oplossen"

    promised = copy.deepcopy(tables)
    head = promised[schema.AFSPRAKEN.name][0]
    row = [None] * len(head)
    for header, value in {
        "Afspraak": "T-NIEUW",
        "Klantnummer": customer,
        "Facturen": number,
        "Soort": "Toezegging",
        "Datum afspraak": datetime(2026, 11, 23),
        "Betaaldatum": datetime(2026, 12, 4),
        "Getekend retour": "Ja",
    }.items():
        row[head.index(header)] = value
    promised[schema.AFSPRAKEN.name].append(row)
    got = _row_of(call(promised, EXAMPLE_DATE), number)
    assert got["Actie"] == "wachten" and got["Datum"] == datetime(2026, 12, 4)
