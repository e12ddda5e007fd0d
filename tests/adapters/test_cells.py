"""Cell converters, table-driven: raw value as python-calamine gives it -> expected value.

Columns: the raw cell, the expected result (exp); the id names the case.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest

from addin.adapters.workbook.cells import (
    CellError,
    to_amount,
    to_bool,
    to_date,
    to_enum,
    to_ibans,
    to_int,
    to_list,
    to_text,
    to_weekdays,
)
from addin.core.model import (
    Audience,
    Channel,
    CustomerKind,
    Interval,
    Outcome,
    PaymentStatus,
    Role,
)


def cases(*rows):
    """parametrize rows (raw, exp, id) with readable ids."""
    return pytest.mark.parametrize(("raw", "exp"), [pytest.param(r, e, id=i) for r, e, i in rows])


def bad(*rows):
    """parametrize rows (raw, id, fragment the message must contain)."""
    return pytest.mark.parametrize(
        ("raw", "fragment"), [pytest.param(r, f, id=i) for r, i, f in rows]
    )


# --- to_text ---------------------------------------------------------------------------


@cases(
    ("  K001 ", "K001", "stripped"),
    ("", "", "empty"),
    ("   ", "", "spaces-only"),
    ("K\u00a0", "K", "nbsp"),
    (2026017.0, "2026017", "integral-float"),
    (12.5, "12.5", "fraction-float"),
    (30, "30", "int"),
    (date(2026, 2, 3), "3-2-2026", "date"),
    (True, "Ja", "bool"),
)
def test_to_text(raw, exp):
    got = to_text(raw)
    assert got == exp


# --- to_date ---------------------------------------------------------------------------


@cases(
    (date(2026, 2, 3), date(2026, 2, 3), "date-cell"),
    (datetime(2026, 2, 3, 15, 30), date(2026, 2, 3), "datetime-drops-time"),
    (46056.0, date(2026, 2, 3), "serial-float"),
    (46056, date(2026, 2, 3), "serial-int"),
    (46056.75, date(2026, 2, 3), "serial-with-time"),
    (61.0, date(1900, 3, 1), "first-safe-serial"),
    (20260203.0, date(2026, 2, 3), "yyyymmdd-number"),
    ("3-2-2026", date(2026, 2, 3), "dutch-dashes"),
    ("03-02-26", date(2026, 2, 3), "two-digit-year"),
    ("3/2/2026", date(2026, 2, 3), "slashes"),
    ("3.2.2026", date(2026, 2, 3), "dots"),
    (" 3-2-2026 ", date(2026, 2, 3), "spaces-around"),
    ("2026-02-03", date(2026, 2, 3), "iso"),
    ("2026-02-03 00:00:00", date(2026, 2, 3), "iso-with-time"),
    # ISO 8601 as exports from web packages write it; the T was lower-cased before the match
    # ("'2026-02-03T00:00:00' is geen datum").
    ("2026-02-03T00:00:00", date(2026, 2, 3), "iso-datetime-T"),
    ("2026-02-03T09:15:00.000", date(2026, 2, 3), "iso-datetime-fraction"),
    ("2026-02-03T00:00:00Z", date(2026, 2, 3), "iso-datetime-utc"),
    ("2026-02-03T00:00:00+01:00", date(2026, 2, 3), "iso-datetime-offset"),
    ("20260203", date(2026, 2, 3), "compact-text"),
    ("3 februari 2026", date(2026, 2, 3), "month-name"),
    ("3 feb 2026", date(2026, 2, 3), "month-abbrev"),
    ("3 Feb. 26", date(2026, 2, 3), "month-abbrev-dot-short-year"),
    ("1 mrt 2026", date(2026, 3, 1), "mrt"),
    ("31 mei 2026", date(2026, 5, 31), "mei"),
    ("dinsdag 3 februari 2026", date(2026, 2, 3), "weekday-prefix"),
    ("3-feb-2026", date(2026, 2, 3), "month-name-dashes"),
    ("29-2-2028", date(2028, 2, 29), "leap-day"),
    ("", None, "empty"),
    ("   ", None, "spaces-only"),
)
def test_to_date(raw, exp):
    got = to_date(raw)
    assert got == exp


def test_to_date_returns_a_plain_date_for_a_datetime():
    got = to_date(datetime(2026, 2, 3, 15, 30))
    assert type(got) is date


@bad(
    ("31-2-2026", "no-31-february", "geen bestaande datum"),
    ("29-2-2026", "no-leap-day", "'29-2-2026'"),
    ("13-13-2026", "month-13", "dag-maand-jaar"),
    ("3 frebuari 2026", "unknown-month", "onbekende maand"),
    ("morgen", "word", "'morgen'"),
    ("46056", "serial-as-text", "'46056'"),
    (60.0, "phantom-1900-02-29", "'60'"),
    (1.0, "tiny-serial", "Excel-datumnummer"),
    (2026017.0, "invoice-number", "'2026017'"),
    (-5.0, "negative", "geen datum"),
    (float("nan"), "nan", "geen datum"),
    (True, "bool", "geen datum"),
    (time(10, 0), "time", "geen datum"),
    (timedelta(days=2), "duration", "geen datum"),
)
def test_to_date_refuses(raw, fragment):
    with pytest.raises(CellError) as err:
        to_date(raw)
    assert fragment in str(err.value)
    assert "3-2-2026" in str(err.value)  # says what is expected


# --- to_amount -------------------------------------------------------------------------


@cases(
    (1210.0, Decimal("1210.00"), "whole-float"),
    (12.5, Decimal("12.50"), "float"),
    (16933.42, Decimal("16933.42"), "float-cents"),
    (0.1 + 0.2, Decimal("0.30"), "float-artefact"),
    (1.005, Decimal("1.01"), "half-up-as-shown"),
    (-12.5, Decimal("-12.50"), "negative-float"),
    (30, Decimal("30.00"), "int"),
    ("€ 1.234,56", Decimal("1234.56"), "euro-dutch"),
    ("1.234,56", Decimal("1234.56"), "dutch"),
    ("1234,56", Decimal("1234.56"), "comma-decimal"),
    ("-12,50", Decimal("-12.50"), "negative-text"),
    ("€-12,50", Decimal("-12.50"), "euro-negative"),
    ("-€ 12,50", Decimal("-12.50"), "negative-euro"),
    ("(12,50)", Decimal("-12.50"), "parentheses"),
    ("12,50-", Decimal("-12.50"), "trailing-minus"),
    ("1234.56", Decimal("1234.56"), "dot-decimal"),
    ("12.5", Decimal("12.50"), "dot-one-decimal"),
    ("1.234", Decimal("1234.00"), "dot-thousands"),
    ("1.234.567", Decimal("1234567.00"), "dots-thousands"),
    ("1,234.56", Decimal("1234.56"), "english"),
    ("0.125", Decimal("0.13"), "leading-zero-is-decimal"),
    ("EUR 10", Decimal("10.00"), "eur-code"),
    ("10 euro", Decimal("10.00"), "euro-word"),
    ("1 234,56", Decimal("1234.56"), "space-thousands"),
    ("1\u00a0234,56", Decimal("1234.56"), "nbsp-thousands"),
    ("€ 12,-", Decimal("12.00"), "whole-euros-dash"),
    ("", None, "empty"),
    ("  ", None, "spaces-only"),
)
def test_to_amount(raw, exp):
    got = to_amount(raw)
    assert got == exp
    assert got is None or got.as_tuple().exponent == -2


@bad(
    ("abc", "word", "'abc'"),
    ("1,234", "ambiguous-comma", "dubbelzinnig"),
    ("1.23.45", "bad-grouping", "duizendtallen"),
    ("12,", "trailing-separator", "geen bedrag"),
    ("1,2,3", "commas", "duizendtallen"),
    (float("inf"), "infinite", "geen bedrag"),
    (True, "bool", "geen bedrag"),
    (date(2026, 2, 3), "date", "geen bedrag"),
    # Beyond any invoice (1e13 euros, as for a float): sums and texts of such a Decimal
    # overflow the 28-digit context later, far from the cell.
    ("99999999999999999999999999", "26-digit-text", "te groot"),
    ("€ 10.000.000.000.000,00", "text-at-the-bound", "te groot"),
    (10**20, "big-int", "te groot"),
    (10**40, "int-beyond-the-context", "te groot"),
)
def test_to_amount_refuses(raw, fragment):
    with pytest.raises(CellError) as err:
        to_amount(raw)
    assert fragment in str(err.value)


def test_a_huge_value_is_quoted_short_in_the_message():
    # 1e300 as a number cell is 301 digits of text; the message quotes its start.
    with pytest.raises(CellError) as err:
        to_amount(1e300)
    message = str(err.value)
    assert message.startswith("'1000000000000000052504760255204420248704...' (301 tekens)")
    assert len(message) < 120, message


# --- to_int, to_bool -------------------------------------------------------------------


@cases(
    (30, 30, "int"),
    (30.0, 30, "float"),
    ("30", 30, "text"),
    ("30 dagen", 30, "dagen"),
    ("-3", -3, "negative"),
    ("", None, "empty"),
)
def test_to_int(raw, exp):
    got = to_int(raw)
    assert got == exp


@bad(
    (30.5, "fraction", "'30.5'"),
    ("dertig", "word", "geheel getal"),
    (True, "bool", "geheel getal"),
)
def test_to_int_refuses(raw, fragment):
    with pytest.raises(CellError) as err:
        to_int(raw)
    assert fragment in str(err.value)


@cases(
    ("Ja", True, "Ja"),
    ("nee", False, "nee"),
    ("J", True, "J"),
    ("N", False, "N"),
    ("yes", True, "yes"),
    ("TRUE", True, "true"),
    ("ONWAAR", False, "onwaar"),
    (1.0, True, "one"),
    (0.0, False, "zero"),
    (True, True, "excel-bool"),
    ("", None, "empty"),
)
def test_to_bool(raw, exp):
    got = to_bool(raw)
    assert got is exp


def test_to_bool_refuses():
    with pytest.raises(CellError, match="'misschien' is geen Ja of Nee"):
        to_bool("misschien")


# --- to_enum ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "raw", "exp"),
    [
        pytest.param(CustomerKind, "zakelijk", CustomerKind.BUSINESS, id="lower"),
        pytest.param(CustomerKind, "B2B", CustomerKind.BUSINESS, id="alias-b2b"),
        pytest.param(CustomerKind, "Bedrijf", CustomerKind.BUSINESS, id="alias-bedrijf"),
        pytest.param(CustomerKind, "Consument", CustomerKind.CONSUMER, id="alias-consument"),
        pytest.param(CustomerKind, "Privé", CustomerKind.CONSUMER, id="alias-prive"),
        pytest.param(Channel, "BRIEF EN E-MAIL", Channel.LETTER_AND_EMAIL, id="upper"),
        pytest.param(Channel, "brief en email", Channel.LETTER_AND_EMAIL, id="no-hyphen"),
        pytest.param(Channel, "Email", Channel.EMAIL, id="alias-email"),
        pytest.param(Channel, "Mail", Channel.EMAIL, id="alias-mail"),
        pytest.param(Channel, "Tel", Channel.PHONE, id="alias-tel"),
        pytest.param(Channel, "Bellen", Channel.PHONE, id="alias-bellen"),
        pytest.param(Interval, "2 Weken", Interval.TWO_WEEKS, id="two-weeks"),
        pytest.param(Interval, "2weken", Interval.TWO_WEEKS, id="no-space"),
        pytest.param(Interval, "maandelijks", Interval.MONTH, id="alias-monthly"),
        pytest.param(Outcome, " geen  gehoor ", Outcome.NO_ANSWER, id="extra-spaces"),
        pytest.param(PaymentStatus, "gekoppeld", PaymentStatus.LINKED, id="status"),
        pytest.param(Role, "Boekhouding", Role.ACCOUNTS, id="alias-role"),
        pytest.param(Audience, "alle", Audience.ALL, id="audience"),
        pytest.param(Channel, "", None, id="empty"),
    ],
)
def test_to_enum(cls, raw, exp):
    got = to_enum(cls, raw)
    assert got is exp


def test_to_enum_refuses_and_lists_the_choices():
    with pytest.raises(CellError) as err:
        to_enum(CustomerKind, "Overheid")
    assert str(err.value) == "'Overheid' is geen geldige keuze; verwacht Zakelijk / Particulier"


# --- lists -----------------------------------------------------------------------------


@cases(
    ("2026-1, 2026-2", ("2026-1", "2026-2"), "comma"),
    ("2026-1;2026-2 ; ", ("2026-1", "2026-2"), "semicolon-trailing"),
    ("2026-1\n2026-2", ("2026-1", "2026-2"), "newline"),
    (" 2026-1 ", ("2026-1",), "single"),
    (2026017.0, ("2026017",), "number"),
    ("", (), "empty"),
)
def test_to_list(raw, exp):
    got = to_list(raw)
    assert got == exp


@cases(
    ("NL91 ABNA 0417 1643 00", ("NL91ABNA0417164300",), "spaced"),
    ("nl91abna0417164300", ("NL91ABNA0417164300",), "lower"),
    (
        "NL91ABNA0417164300, be68 5390 0754 7034;\nDE89370400440532013000",
        ("NL91ABNA0417164300", "BE68539007547034", "DE89370400440532013000"),
        "several",
    ),
    ("", (), "empty"),
)
def test_to_ibans(raw, exp):
    got = to_ibans(raw)
    assert got == exp


def test_to_ibans_refuses_punctuation():
    with pytest.raises(CellError, match="'NL91-ABNA' is geen rekeningnummer"):
        to_ibans("NL91-ABNA")


@cases(
    ("di, wo, do", frozenset({1, 2, 3}), "short"),
    ("dinsdag en donderdag", frozenset({1, 3}), "long-with-en"),
    ("Ma;Vr", frozenset({0, 4}), "semicolon-case"),
    ("ma-vr", frozenset({0, 1, 2, 3, 4}), "range"),
    ("ma t/m wo", frozenset({0, 1, 2}), "tm-range"),
    ("di.", frozenset({1}), "dot"),
    ("", None, "empty"),
)
def test_to_weekdays(raw, exp):
    got = to_weekdays(raw)
    assert got == exp


@bad(
    ("di, wo, xx", "unknown-day", "'xx' is geen weekdag"),
    (3.0, "number", "geen weekdagen"),
)
def test_to_weekdays_refuses(raw, fragment):
    with pytest.raises(CellError) as err:
        to_weekdays(raw)
    assert fragment in str(err.value)
