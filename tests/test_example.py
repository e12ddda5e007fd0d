"""The shipped example: workbook/Voorbeeld.xlsx is what `example_book()` makes, and on its
reference date every situation of DESIGN.md is on screen."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from addin import schema
from addin.core.company_ids import kvk_error, vat_error
from addin.core.model import Action, CustomerKind, PaymentStatus, Segment, Special
from addin.core.workdays import WorkCalendar
from addin.example import EXAMPLE_DATE, example_book, write_example

SHIPPED = Path(__file__).resolve().parents[1] / "workbook" / "Voorbeeld.xlsx"
TOP_CUSTOMERS = {"K001", "K002", "K003", "K004", "K005"}


@pytest.fixture(scope="module")
def book():
    return example_book()


@pytest.fixture(scope="module")
def plan(book):
    from addin.core.plan import plan_book

    return plan_book(book, EXAMPLE_DATE)


def _sheet_values(path: Path) -> dict[str, object]:
    """Everything a user sees, compared by meaning (STYLE habit 12): sheets, tables and
    their ranges, every cell's value and number format."""
    wb = openpyxl.load_workbook(path)
    out: dict[str, object] = {"sheets": wb.sheetnames}
    for ws in wb.worksheets:
        out[f"{ws.title}!tables"] = sorted((n, ws.tables[n].ref) for n in ws.tables)
        out[f"{ws.title}!cells"] = [
            [(c.value, c.number_format) for c in row] for row in ws.iter_rows()
        ]
    return out


def test_shipped_workbook_is_a_fresh_generation(tmp_path):
    """Fails when example.py changed without `python -m addin.example workbook/Voorbeeld.xlsx`."""
    fresh = tmp_path / "Voorbeeld.xlsx"
    write_example(str(fresh))
    exp, got = _sheet_values(fresh), _sheet_values(SHIPPED)
    assert exp.keys() == got.keys()
    for key in exp:
        assert got[key] == exp[key], f"{key} differs: regenerate workbook/Voorbeeld.xlsx"


def test_two_generations_are_byte_identical(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_example(str(a))
    write_example(str(b))
    assert a.read_bytes() == b.read_bytes()


def test_size(book):
    assert 30 <= len(book.customers) <= 50
    assert 250 <= len(book.invoices) <= 350
    kinds = Counter(c.kind for c in book.customers)
    assert kinds[CustomerKind.BUSINESS] > 0 and kinds[CustomerKind.CONSUMER] > 0


def test_invoices_span_14_months_before_the_reference_date(book):
    dates = [i.invoice_date for i in book.invoices]
    assert max(dates) <= EXAMPLE_DATE
    assert (EXAMPLE_DATE - min(dates)).days >= 395


def test_newest_bank_data_is_one_working_day_old(book):
    newest = max(p.date for p in book.payments)
    cal = WorkCalendar()
    assert cal.next_working_day(newest) == EXAMPLE_DATE


def test_rows_match_the_sheet(book):
    assert [i.row for i in book.invoices[:3]] == [2, 3, 4]
    assert book.customers[-1].row == len(book.customers) + 1


def test_settings_are_crisis_free_with_midweek_call_days(book):
    assert book.settings.crisis_mode is False
    assert book.settings.call_days == frozenset({1, 2, 3})
    assert EXAMPLE_DATE.weekday() in book.settings.call_days


def test_book_has_every_kind_of_record(book):
    payments = Counter(p.status for p in book.payments)
    assert payments[PaymentStatus.LINKED] > 100 and payments[PaymentStatus.REVIEW] >= 1
    assert any(i.paid for i in book.invoices)
    assert any(i.is_credit_note for i in book.invoices)
    assert any(i.dispute for i in book.invoices)
    assert any(i.own_action_date and i.own_action_date > EXAMPLE_DATE for i in book.invoices)
    assert {c.language for c in book.customers} == {"NL", "EN"}
    assert {c.term_days for c in book.customers} >= {None, 14, 45, 60}
    assert {c.special for c in book.customers if c.special} == set(Special)


# -- the engine on the example (needs addin.core.plan) -----------------------------------


def test_no_problems_in_the_example(plan):
    assert plan.problems == ()
    # Fresh bank data (the one bank line to review is on purpose: it shows Bank controleren)
    assert not [w for w in plan.warnings if w.kind in ("bank-ontbreekt", "bank-verouderd")]


def test_the_example_company_numbers_pass_their_checks(book):
    """The checks of `controleer` cover the customers only; the example's own KvK and
    BTW-nummer in Instellingen (on every letter and invoice) must pass them too."""
    got = (kvk_error(book.settings.kvk), vat_error(book.settings.vat_number))
    assert got == (None, None), book.settings.vat_number


# `bedanken` is a letter to a customer (plan.letters), never an invoice's next action.
@pytest.mark.parametrize(
    "action", [a for a in Action if a is not Action.THANK], ids=lambda a: a.value
)
def test_every_action_code_is_work_on_the_reference_date(plan, action):
    # `geen` is nothing to do, so the engine gives it no date.
    got = [
        a
        for a in plan.actions
        if a.action is action
        and (a.date is None if action is Action.NONE else a.date is not None)
        and (a.date is None or a.date <= EXAMPLE_DATE)
    ]
    assert got, f"no invoice has next action {action.value} on or before {EXAMPLE_DATE}"


def test_the_history_holds_no_letter_still_to_send(book, plan):
    """Every letter logged before the reference date left long ago, as in a workbook that has
    been in use: `verstuur` after the quick start must see only what that run made, not
    twenty old letters whose files the example does not ship."""
    from addin.core.sending import EMAIL_CHANNELS, decide_sending

    got = decide_sending(book, plan, EXAMPLE_DATE, frozenset(), {})
    assert [(d.contact.customer, d.contact.document, d.fate.value) for d in got] == []
    emails = [c for c in book.contacts if c.channel in EMAIL_CHANNELS]
    assert emails and all(c.sent == c.date for c in emails)


def test_top_customers_are_segment_a_and_called_first(plan):
    segments = {s.customer: s.segment for s in plan.scores}
    assert {c for c, s in segments.items() if s is Segment.A} == TOP_CUSTOMERS
    call_first = [
        a
        for a in plan.actions
        if a.customer in TOP_CUSTOMERS
        and a.action is Action.CALL
        and a.step == "Bellen"
        and a.date is not None
        and a.date <= EXAMPLE_DATE
    ]
    assert len(call_first) >= 2


def test_every_letter_step_is_due(plan):
    letters = Counter(t.action for t in plan.letters)
    for action in (
        Action.REMINDER,
        Action.OFFER_ARRANGEMENT,
        Action.FINAL_REMINDER,
        Action.FOURTEEN_DAY_LETTER,
        Action.CONFIRM,
    ):
        assert letters[action] >= 1, action.value
    assert any(t.credit_notes for t in plan.letters)


def test_schema_sheets_exist_in_the_shipped_file():
    wb = openpyxl.load_workbook(SHIPPED)
    for spec in schema.TABLES:
        assert spec.name in wb[spec.sheet].tables


def test_reader_gives_back_the_example_book(book):
    """The writer and the reader (addin.adapters.workbook.reader) agree on every field and row."""
    from addin.adapters.workbook.reader import read_book

    got, problems = read_book(SHIPPED)
    assert problems == ()
    assert got == book


def test_with_the_setting_on_the_example_thanks_its_good_payers(book):
    from dataclasses import replace

    from addin.core.plan import plan_book

    on = replace(book, settings=replace(book.settings, thank_good_payers=True))
    thanks = [t for t in plan_book(on, EXAMPLE_DATE).letters if t.action is Action.THANK]
    assert 1 <= len(thanks) <= 5
    assert not [t for t in plan_book(book, EXAMPLE_DATE).letters if t.action is Action.THANK]
