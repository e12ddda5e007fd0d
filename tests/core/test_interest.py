"""Statutory interest (art. 6:119 / 6:119a BW): worked examples, compounding, payments, the rate
table and Hypothesis properties.

Reference rows cite their source. Published examples (notes/LEGAL.md section 3.3 and 7):
- I1 and I7: B2B amounts on the shipped table, act/365, first and last day counted.
- I8: a third-party project's cent-exact results at 4%: €250/77 days = €2.11,
  €100/46 days = €0.50, €150/68 days = €1.12 (p × 0.04 × d / 365).
- "Rentetool" expert check: 12-12-2014 → 29-05-2015 is 20 days @ 3% + 148 days @ 2% (rate change
  on 1-1-2015). Its end date is exclusive; ours ("tot en met", 6:119a lid 1) is inclusive, so the
  same stretch is start 12-12-2014 through end 28-05-2015 here.
Other rows are derivations written out by hand in the comment next to them.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.adapters.rates import RateFileError, load_rates, parse_rate_table, rate_table
from addin.core.interest import (
    InterestKind,
    Rate,
    RateTableError,
    commercial_start_without_term,
    interest_start,
    statutory_interest,
)

D = date.fromisoformat
M = Decimal
B2B, B2C = InterestKind.COMMERCIAL, InterestKind.CONSUMER
TABLE = load_rates()
FLAT_4 = (Rate(D("2000-01-01"), M("4"), M("4")),)  # a constant 4% for hand-checkable rows


def percents_and_days(result):
    return [(p.days, p.percent) for p in result.periods]


# --- worked examples ------------------------------------------------------------------

# Columns: id | principal | first interest day | last interest day (inclusive) | kind | rates |
# expected total | expected periods as "days@percent".
# fmt: off
EXAMPLES = [
    # LEGAL.md I1: due 31-3-2025, paid 30-6-2025: 1000 × 11.15% × 91/365 = 27.7986.
    ("I1 B2B 1000, 91 days @ 11.15", "1000", "2025-04-01", "2025-06-30", B2B, TABLE, "27.80", "91@11.15"),
    # LEGAL.md I7: 750 × 10.15% × 31/365 = 6.4654.
    ("I7 B2B 750, 31 days @ 10.15", "750", "2026-01-01", "2026-01-31", B2B, TABLE, "6.47", "31@10.15"),
    # LEGAL.md I8 on a flat 4% table: 250 × 0.04 × 77/365 = 2.1096.
    ("I8 250 x 77 days @ 4", "250", "2021-01-01", "2021-03-18", B2C, FLAT_4, "2.11", "77@4"),
    # 100 × 0.04 × 46/365 = 0.5041.
    ("I8 100 x 46 days @ 4", "100", "2021-01-01", "2021-02-15", B2C, FLAT_4, "0.50", "46@4"),
    # 150 × 0.04 × 68/365 = 1.1178.
    ("I8 150 x 68 days @ 4", "150", "2021-01-01", "2021-03-09", B2C, FLAT_4, "1.12", "68@4"),
    # I8 again on the shipped table: 6:119 was 4% from 1-1-2023 to 30-6-2023.
    ("I8 250 x 77 days, table 2023", "250", "2023-01-01", "2023-03-18", B2C, TABLE, "2.11", "77@4.00"),
    # Rentetool expert check: 1000 × (0.03 × 20 + 0.02 × 148)/365 = 1.6438 + 8.1096 = 9.7534.
    ("Rentetool 20d @3 + 148d @2", "1000", "2014-12-12", "2015-05-28", B2C, TABLE, "9.75",
     "20@3.00 148@2.00"),
    # Handelsrente change on 1-7-2025 mid-period: 1000 × (0.1115 × 30 + 0.1015 × 31)/365
    # = 9.1644 + 8.6205 = 17.7849.
    ("B2B change 1-7-2025 mid-period", "1000", "2025-06-01", "2025-07-31", B2B, TABLE, "17.78",
     "30@11.15 31@10.15"),
    # The 16-3-2013 row (+8 points): 1000 × (0.0775 × 15 + 0.0875 × 16)/365 = 3.1849 + 3.8356.
    ("B2B 16-3-2013 row", "1000", "2013-03-01", "2013-03-31", B2B, TABLE, "7.02",
     "15@7.75 16@8.75"),
    # One day: start == end counts that day. 36500 × 0.04 / 365 = 4.
    ("one day", "36500", "2021-06-01", "2021-06-01", B2C, FLAT_4, "4.00", "1@4"),
    # Zero principal: the period is there, nothing accrues.
    ("zero principal", "0", "2021-01-01", "2021-12-31", B2C, FLAT_4, "0.00", "365@4"),
]
# fmt: on


def parse_periods(text):
    return [(int(days), M(percent)) for days, percent in (p.split("@") for p in text.split())]


@pytest.mark.parametrize(
    ("principal", "start", "end", "kind", "rates", "exp_total", "exp_periods"),
    [e[1:] for e in EXAMPLES],
    ids=[e[0] for e in EXAMPLES],
)
def test_worked_examples(principal, start, end, kind, rates, exp_total, exp_periods):
    got = statutory_interest(M(principal), D(start), D(end), rates, kind)
    assert got.total == M(exp_total)
    assert percents_and_days(got) == parse_periods(exp_periods)


def test_the_module_docstring_example_matches_the_cli_contract():
    # LEGAL.md I1 as the CLI sees it: --van is the due date, interest starts the day after.
    got = statutory_interest(
        M("1000"), interest_start(D("2025-03-31")), D("2025-06-30"), TABLE, B2B
    )
    assert (got.total, got.periods[0].start) == (M("27.80"), D("2025-04-01"))


# --- compounding (6:119 lid 2, 6:119a lid 3) -------------------------------------------


def test_compounding_adds_the_year_just_ended_on_the_anniversary():
    # 1000 @ 4% from 1-1-2021: year 1 = 40.00, capitalised on 1-1-2022; year 2 on 1040 = 41.60.
    # Simple interest would be 80.00.
    got = statutory_interest(M("1000"), D("2021-01-01"), D("2022-12-31"), FLAT_4, B2C)
    assert got.total == M("81.60")
    assert got.capitalised == ((D("2022-01-01"), M("40.00")),)
    assert [p.base for p in got.periods] == [M("1000"), M("1040.00")]
    assert got.open_interest == M("81.60")


def test_the_year_counts_from_the_start_not_from_1_january():
    # Start 1-7-2021: the split is at 1-7-2022, not at 1-1-2022.
    got = statutory_interest(M("1000"), D("2021-07-01"), D("2022-07-31"), FLAT_4, B2C)
    assert [(p.start, p.end) for p in got.periods] == [
        (D("2021-07-01"), D("2022-06-30")),
        (D("2022-07-01"), D("2022-07-31")),
    ]
    # 40.00 + 1040 × 0.04 × 31/365 = 40.00 + 3.5331 = 43.53
    assert got.total == M("43.53")


def test_no_capitalisation_when_the_end_is_the_last_day_of_the_year():
    got = statutory_interest(M("1000"), D("2021-01-01"), D("2021-12-31"), FLAT_4, B2C)
    assert (got.total, got.capitalised) == (M("40.00"), ())


def test_leap_day_start_has_its_anniversary_on_1_march():
    # 29-2-2024 … 28-2-2025 is one year of 366 days at act/365: 1000 × 0.04 × 366/365 = 40.1096.
    got = statutory_interest(M("1000"), D("2024-02-29"), D("2025-03-31"), FLAT_4, B2B)
    assert got.capitalised == ((D("2025-03-01"), M("40.11")),)
    # + 1040.11 × 0.04 × 31/365 = 3.5335 → 40.11 + 3.53
    assert got.total == M("43.64")


def test_compounding_with_rate_changes_on_the_shipped_table():
    # 1234.56 consumer from 1-7-2023: year 1 = 1234.56 × (0.06 × 184 + 0.07 × 182)/365
    # = 37.3378 + 43.0904 = 80.43 capitalised on 1-7-2024.
    got = statutory_interest(M("1234.56"), D("2023-07-01"), D("2024-07-31"), TABLE, B2C)
    assert got.capitalised == ((D("2024-07-01"), M("80.43")),)
    assert got.periods[-1].base == M("1314.99")
    # + 1314.99 × 0.07 × 31/365 = 7.8179
    assert got.total == M("88.25")


# --- payments (art. 6:44 BW) -----------------------------------------------------------


def test_partial_payment_goes_to_interest_first_and_lowers_the_base_the_next_day():
    # 1000 @ 4% from 1-1-2021; 500 paid on 1-3-2021 (day 60, still on the old base):
    # interest 1000 × 0.04 × 60/365 = 6.5753 → 6.58 paid first, 493.42 off the principal.
    # Then 506.58 × 0.04 × 305/365 = 16.9323 → 16.93.
    got = statutory_interest(
        M("1000"),
        D("2021-01-01"),
        D("2021-12-31"),
        FLAT_4,
        B2C,
        payments=[(D("2021-03-01"), M("500"))],
    )
    assert [(p.start, p.end, p.base) for p in got.periods] == [
        (D("2021-01-01"), D("2021-03-01"), M("1000")),
        (D("2021-03-02"), D("2021-12-31"), M("506.58")),
    ]
    assert got.total == M("23.51")
    assert (got.open_principal, got.open_interest) == (M("506.58"), M("16.93"))


def test_payment_settles_costs_before_interest_and_principal():
    # As above with €40 costs: 40 costs, 6.58 interest, 453.42 principal → base 546.58;
    # 546.58 × 0.04 × 305/365 = 18.2692.
    got = statutory_interest(
        M("1000"),
        D("2021-01-01"),
        D("2021-12-31"),
        FLAT_4,
        B2C,
        payments=[(D("2021-03-01"), M("500"))],
        costs=M("40"),
    )
    assert got.periods[-1].base == M("546.58")
    assert (got.total, got.open_costs, got.open_interest) == (M("24.85"), M("0.00"), M("18.27"))


def test_payment_pays_capitalised_interest_before_the_running_year():
    # Year 1: 40.00 capitalised on 1-1-2022 (base 1040). 20 paid on 1-1-2022 pays capitalised
    # interest, base 1020 from 2-1-2022: 1040 × 0.04/365 = 0.1140 → 0.11 at the payment, then
    # 1020 × 0.04 × 364/365 = 40.6882 → 40.69.
    got = statutory_interest(
        M("1000"),
        D("2021-01-01"),
        D("2022-12-31"),
        FLAT_4,
        B2C,
        payments=[(D("2022-01-01"), M("20"))],
    )
    assert [p.base for p in got.periods] == [M("1000"), M("1040.00"), M("1020.00")]
    assert got.total == M("80.80")
    assert (got.open_principal, got.open_interest) == (M("1000.00"), M("60.80"))


def test_full_payment_stops_the_interest_and_the_excess_is_unapplied():
    got = statutory_interest(
        M("100"),
        D("2021-01-01"),
        D("2021-12-31"),
        FLAT_4,
        B2C,
        payments=[(D("2021-01-10"), M("150"))],
    )
    # 100 × 0.04 × 10/365 = 0.1096 → 0.11; then nothing is left to bear interest.
    assert got.total == M("0.11")
    assert (got.open_principal, got.open_interest, got.unapplied) == (
        M("0.00"),
        M("0.00"),
        M("49.89"),
    )


def test_payment_before_the_start_lowers_the_principal_and_later_ones_are_ignored():
    got = statutory_interest(
        M("1000"),
        D("2021-01-01"),
        D("2021-12-31"),
        FLAT_4,
        B2C,
        payments=[(D("2020-12-15"), M("500")), (D("2022-01-05"), M("500"))],
    )
    assert got.total == M("20.00")  # 500 × 4% for a full year
    assert got.open_principal == M("500.00")


# --- start dates ------------------------------------------------------------------------

STARTS = [
    ("2025-03-31", "2025-04-01", "due date -> next day"),
    ("2024-12-31", "2025-01-01", "across the year end"),
    ("2024-02-28", "2024-02-29", "into a leap day"),
]


@pytest.mark.parametrize(("due", "exp", "why"), STARTS, ids=[s[2] for s in STARTS])
def test_interest_start_is_the_day_after_the_due_date(due, exp, why):
    assert interest_start(D(due)) == D(exp), why


# 6:119a lid 2: "vanaf 30 dagen na de aanvang van de dag, volgende op die waarop de schuldenaar
# de factuur heeft ontvangen": received + 1 at 00:00, plus 30 days = 00:00 of received + 31.
WITHOUT_TERM = [
    ("2026-03-01", "2026-04-01", "received 1 March: days 2-3 … 31-3 are the term"),
    ("2026-01-31", "2026-03-03", "received 31 Jan: term 1-2 … 2-3 (28-day February)"),
    ("2024-01-31", "2024-03-02", "received 31 Jan in a leap year"),
]


@pytest.mark.parametrize(("received", "exp", "why"), WITHOUT_TERM, ids=[w[2] for w in WITHOUT_TERM])
def test_commercial_start_without_an_agreed_term(received, exp, why):
    got = commercial_start_without_term(D(received))
    assert got == D(exp), why
    assert (got - D(received)).days == 31


# --- errors -----------------------------------------------------------------------------


def test_zero_before_the_start_date():
    got = statutory_interest(M("1000"), D("2025-04-01"), D("2025-03-31"), TABLE, B2B)
    assert (got.total, got.periods, got.open_principal) == (M("0.00"), (), M("1000.00"))


def test_a_date_before_the_first_row_is_refused_in_dutch():
    first = TABLE[0].valid_from
    with pytest.raises(
        RateTableError, match=r"geen wettelijke rente bekend voor .*de rentetabel begint op"
    ):
        statutory_interest(M("100"), first - timedelta(days=1), first, TABLE, B2B)


def test_rates_out_of_order_are_refused():
    rates = (Rate(D("2025-07-01"), M("6"), M("10")), Rate(D("2025-01-01"), M("6"), M("11")))
    with pytest.raises(RateTableError, match="niet op volgorde"):
        statutory_interest(M("100"), D("2025-08-01"), D("2025-08-31"), rates, B2B)


@pytest.mark.parametrize(
    "call",
    [
        lambda: statutory_interest(1000.0, D("2025-04-01"), D("2025-06-30"), TABLE, B2B),
        lambda: statutory_interest(
            M("1"), D("2025-04-01"), D("2025-06-30"), TABLE, B2B, costs=40.0
        ),
        lambda: statutory_interest(
            M("1"), D("2025-04-01"), D("2025-06-30"), TABLE, B2B, payments=[(D("2025-05-01"), 1.0)]
        ),
        lambda: Rate(D("2025-01-01"), 6.0, M("11.15")),
    ],
    ids=["principal", "costs", "payment", "rate"],
)
def test_float_is_refused(call):
    with pytest.raises(TypeError, match="float"):
        call()


def test_negative_principal_is_refused():
    with pytest.raises(ValueError, match="negatief"):
        statutory_interest(M("-1"), D("2025-04-01"), D("2025-06-30"), TABLE, B2B)


# --- the shipped rate table ---------------------------------------------------------------


def test_table_dates_strictly_increase():
    days = [r.valid_from for r in TABLE]
    assert days == sorted(set(days))


def test_table_has_a_row_for_every_half_year_since_2013():
    days = {r.valid_from for r in TABLE}
    last = max(days)
    half_years = [
        date(year, month, 1)
        for year in range(2013, last.year + 1)
        for month in (1, 7)
        if date(year, month, 1) <= last
    ]
    assert [d for d in half_years if d not in days] == []


def test_every_row_names_its_source_and_unverified_rows_say_so():
    rows = rate_table()
    assert all(row.source for row in rows)
    unverified = {row.rate.valid_from for row in rows if "ONGEVERIFIEERD" in row.source}
    # notes/LEGAL.md section 8 point 1 and the 2004 conflict stay marked until checked.
    assert {D("2025-07-01"), D("2013-03-16"), D("2004-01-01")} <= unverified


KNOWN_RATES = [
    # (day, consumer, commercial, source checked in the official text or two sources)
    ("2009-07-01", "4.00", "8.00", "Stb. 2009, 262"),
    ("2011-07-01", "4.00", "8.25", "Besluit van 23-6-2011; incassoregister.nl"),
    ("2015-01-01", "2.00", "8.05", "Stb. 2014, 491"),
    ("2023-01-01", "4.00", "10.50", "Besluit vaststelling wettelijke rente, BWBR0047640"),
    ("2024-01-01", "7.00", "12.50", "smkaccountants.nl; wieringa-advocaten.nl"),
    ("2025-01-01", "6.00", "11.15", "vvoadvocatuur.nl"),
]


@pytest.mark.parametrize(
    ("day", "consumer", "commercial", "source"), KNOWN_RATES, ids=[k[0] for k in KNOWN_RATES]
)
def test_known_rows(day, consumer, commercial, source):
    got = next(r for r in TABLE if r.valid_from == D(day))
    assert (got.consumer, got.commercial) == (M(consumer), M(commercial)), source


BAD_FILES = [
    ("vanaf,rente\n2025-01-01,6\n", "kolommen"),
    ("vanaf,wettelijke_rente,handelsrente,bron\n2025-13-01,6,11,x\n", "geen datum"),
    ("vanaf,wettelijke_rente,handelsrente,bron\n2025-01-01,zes,11,x\n", "geen percentage"),
    ("vanaf,wettelijke_rente,handelsrente,bron\n2025-01-01,6,11\n", "velden"),
    (
        "vanaf,wettelijke_rente,handelsrente,bron\n2025-07-01,6,10,x\n2025-01-01,6,11,x\n",
        "oplopend",
    ),
    ("# alleen commentaar\n", "leeg"),
]


@pytest.mark.parametrize(("text", "exp"), BAD_FILES, ids=[b[1] for b in BAD_FILES])
def test_malformed_rate_files_are_refused_in_dutch(text, exp):
    with pytest.raises(RateFileError, match=exp):
        parse_rate_table(text)


def test_comment_lines_and_quoted_sources_are_read():
    text = '# kop\nvanaf,wettelijke_rente,handelsrente,bron\n2025-01-01,6.00,11.15,"a, b"\n'
    (row,) = parse_rate_table(text)
    assert (row.rate.commercial, row.source, row.line) == (M("11.15"), "a, b", 3)


# --- properties (STYLE habit 13) ---------------------------------------------------------

FIRST = TABLE[0].valid_from
LAST = TABLE[-1].valid_from + timedelta(days=730)
days_in_table = st.dates(min_value=FIRST, max_value=LAST)
amounts = st.decimals(
    min_value=0, max_value=10_000_000, places=2, allow_nan=False, allow_infinity=False
)
kinds = st.sampled_from(list(InterestKind))


@given(amounts, days_in_table, st.integers(min_value=1, max_value=400), kinds)
def test_zero_when_end_is_before_start(principal, start, back, kind):
    got = statutory_interest(principal, start, start - timedelta(days=back), TABLE, kind)
    assert got.total == 0 and got.periods == ()


@given(amounts, days_in_table, st.integers(min_value=0, max_value=3000), kinds)
def test_never_negative(principal, start, length, kind):
    got = statutory_interest(principal, start, start + timedelta(days=length), TABLE, kind)
    assert got.total >= 0
    assert sum(p.days for p in got.periods) == length + 1


@given(amounts, days_in_table, st.integers(0, 2000), st.integers(1, 800), kinds)
def test_never_decreases_as_the_end_grows(principal, start, length, more, kind):
    end = start + timedelta(days=length)
    shorter = statutory_interest(principal, start, end, TABLE, kind)
    longer = statutory_interest(principal, start, end + timedelta(days=more), TABLE, kind)
    assert longer.total >= shorter.total


@given(amounts, amounts, days_in_table, st.integers(0, 2000), kinds)
def test_never_decreases_as_the_principal_grows(a, b, start, length, kind):
    low, high = sorted((a, b))
    end = start + timedelta(days=length)
    assert (
        statutory_interest(high, start, end, TABLE, kind).total
        >= statutory_interest(low, start, end, TABLE, kind).total
    )


@given(
    amounts,
    days_in_table,
    st.integers(0, 1500),
    st.lists(st.tuples(st.integers(0, 1500), amounts), max_size=4),
    amounts,
)
def test_payments_keep_the_books_balanced(principal, start, length, raw_payments, costs):
    # Whatever is paid goes to costs, interest or principal, or stays unapplied: nothing is lost.
    end = start + timedelta(days=length)
    payments = [(start + timedelta(days=offset), amount) for offset, amount in raw_payments]
    got = statutory_interest(principal, start, end, TABLE, B2B, payments=payments, costs=costs)
    paid = sum((a for d, a in payments if d <= end), M(0))
    owed_before = principal + costs + got.total
    owed_after = got.open_principal + got.open_costs + got.open_interest
    assert owed_before - (paid - got.unapplied) == owed_after
    assert min(got.open_principal, got.open_interest, got.open_costs, got.unapplied) >= 0
