"""Collection costs (BIK): the staffel of the Besluit vergoeding voor buitengerechtelijke
incassokosten art. 2, its minimum and maximum, BTW, several consumer claims and B2B.

Reference rows: notes/LEGAL.md section 7 (vectors B1, B4, B6, B12, B13) and the band edges
worked out by hand from the Besluit's text (15% to 2.500, 10% to 5.000, 5% to 10.000, 1% to
200.000, 0,5% above; at least 40, at most 6.775; BTW 21% on top of the capped fee).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from addin.core.collection_costs import (
    BIK_BRACKETS,
    BIK_MAX,
    BIK_MIN,
    VAT_RATE,
    business_costs,
    business_minimum,
    collection_costs,
    consumer_costs,
)
from addin.core.fourteen_day_letter import TERM_WORDING, fourteen_day_letter
from addin.core.money import CENT, to_cents

D = Decimal

# hoofdsom,     fee excl. BTW, total with 21% BTW, why
STAFFEL = [
    ("100.00", "40.00", "48.40", "B1: 15% = 15 < minimum 40; 40 × 1.21 = 48.40"),
    ("0.01", "40.00", "48.40", "a cent still costs the minimum"),
    ("266.66", "40.00", "48.40", "15% = 39.999 -> 40.00, just the minimum"),
    ("266.67", "40.00", "48.40", "15% = 40.0005 -> 40.00 (rounded once, half-up)"),
    ("266.70", "40.01", "48.41", "first amount above the minimum"),
    ("1000.00", "150.00", "181.50", "B4: 0.15 × 1000"),
    ("2500.00", "375.00", "453.75", "edge of band 1: 15% of 2500"),
    ("2500.01", "375.00", "453.75", "one cent into band 2: 375.001"),
    ("3000.00", "425.00", "514.25", "B6: 375 + 0.10 × 500"),
    ("5000.00", "625.00", "756.25", "edge of band 2: 375 + 250"),
    ("10000.00", "875.00", "1058.75", "edge of band 3: 625 + 250"),
    ("12345.67", "898.46", "1087.14", "band 4: 875 + 1% of 2345.67 = 898.4567"),
    ("200000.00", "2775.00", "3357.75", "edge of band 4: 875 + 1900"),
    ("200000.01", "2775.00", "3357.75", "band 5: 0.5% of a cent = 0.00005"),
    ("200001.00", "2775.01", "3357.76", "band 5: 2775.005 -> 2775.01 (half-up)"),
    ("500000.00", "4275.00", "5172.75", "2775 + 0.5% of 300000"),
    ("1000000.00", "6775.00", "8197.75", "exactly the maximum: 2775 + 4000"),
    ("1000000.01", "6775.00", "8197.75", "above: capped, BTW on the capped fee"),
    ("5000000.00", "6775.00", "8197.75", "far above: capped"),
]


@pytest.mark.parametrize(("principal", "fee", "total", "why"), STAFFEL, ids=[s[3] for s in STAFFEL])
def test_staffel(principal, fee, total, why):
    without = collection_costs(D(principal))
    with_vat = collection_costs(D(principal), vat=True)
    got = (without.fee, without.vat, without.total, with_vat.fee, with_vat.total)
    exp = (D(fee), D("0.00"), D(fee), D(fee), D(total))
    assert got == exp, why
    assert with_vat.vat == with_vat.total - with_vat.fee


# hoofdsom,  [(lower, upper, rate, part, amount), ...], calculated before the clamp
BANDS = [
    ("100.00", [("0", "2500", "0.15", "100.00", "15.00")], "15.00"),
    (
        "3000.00",
        [("0", "2500", "0.15", "2500", "375.00"), ("2500", "5000", "0.10", "500.00", "50.00")],
        "425.00",
    ),
    (
        "1234567.89",
        [
            ("0", "2500", "0.15", "2500", "375"),
            ("2500", "5000", "0.10", "2500", "250"),
            ("5000", "10000", "0.05", "5000", "250"),
            ("10000", "200000", "0.01", "190000", "1900"),
            ("200000", None, "0.005", "1034567.89", "5172.83945"),
        ],
        "7947.84",
    ),
]


@pytest.mark.parametrize(("principal", "bands", "calculated"), BANDS, ids=[b[0] for b in BANDS])
def test_breakdown_per_band(principal, bands, calculated):
    costs = collection_costs(D(principal))
    got = [(b.lower, b.upper, b.rate, b.part, b.amount) for b in costs.bands]
    exp = [
        (D(lo), None if up is None else D(up), D(rate), D(part), D(amount))
        for lo, up, rate, part, amount in bands
    ]
    assert got == exp
    assert costs.calculated == D(calculated)


def test_minimum_and_maximum_are_flagged():
    low, high, middle = (collection_costs(D(x)) for x in ("100", "2000000", "3000"))
    assert (low.at_minimum, low.at_maximum, low.calculated, low.fee) == (
        True,
        False,
        D("15.00"),
        D("40.00"),
    )
    assert (high.at_minimum, high.at_maximum, high.calculated, high.fee) == (
        False,
        True,
        D("11775.00"),
        D("6775.00"),
    )
    assert not middle.at_minimum and not middle.at_maximum


def test_table_matches_the_besluit():
    # Besluit art. 2 lid 1 (BWBR0031432): the cumulative maximum at the end of each band.
    got = [(b.upto, b.rate) for b in BIK_BRACKETS], BIK_MIN, BIK_MAX, VAT_RATE
    exp = (
        [
            (D(2500), D("0.15")),
            (D(5000), D("0.10")),
            (D(10000), D("0.05")),
            (D(200000), D("0.01")),
            (None, D("0.005")),
        ],
        D("40.00"),
        D("6775.00"),
        D("0.21"),
    )
    assert got == exp


def test_vat_on_the_minimum_and_the_maximum():
    # BTW sits on top of the capped fee (art. 2 lid 3 "wordt verhoogd met"; LEGAL.md open
    # point 2 decided: cap first, then BTW), as it sits on top of the minimum.
    assert collection_costs(D("1"), vat=True).vat == D("8.40")
    assert collection_costs(D("9999999"), vat=True).total == D("8197.75")


# claims of one consumer in one letter, costs on the sum (art. 6:96 lid 7 BW)
CONSUMER = [
    (["800.00", "900.00", "1000.00"], "395.00", "B12: BIK(2700), not 120 + 135 + 150 = 405"),
    (["100.00", "100.00"], "40.00", "two small claims: one minimum, not two"),
    (["2500.00"], "375.00", "a single claim"),
    (["600000.00", "600000.00"], "6775.00", "the sum is capped once"),
]


@pytest.mark.parametrize(("principals", "exp", "why"), CONSUMER, ids=[c[2] for c in CONSUMER])
def test_consumer_claims_are_charged_on_their_sum(principals, exp, why):
    got = consumer_costs([D(p) for p in principals])
    assert got.fee == D(exp), why
    assert got.principal == sum((D(p) for p in principals), D(0))


def test_b13_business_minimum_without_any_letter():
    # LEGAL.md B13: a B2B invoice of 100 one day late: at least 40 is due (art. 6:96 lid 4).
    assert business_minimum() == D("40.00")
    assert business_costs(D("100.00")).fee == D("40.00")
    assert business_costs(D("100.00"), vat=True).total == D("48.40")
    assert business_costs(D("3000.00")) == collection_costs(D("3000.00"))
    assert business_minimum() <= BIK_MIN  # so the staffel minimum covers lid 4


@pytest.mark.parametrize("bad", [100.0, "100", None, True], ids=["float", "str", "None", "bool"])
def test_non_decimal_input_is_refused(bad):
    with pytest.raises(TypeError):
        collection_costs(bad)
    with pytest.raises(TypeError):
        consumer_costs([D("10"), bad])


@pytest.mark.parametrize("bad", ["0", "-5", "NaN", "Infinity"])
def test_principal_must_be_a_positive_amount(bad):
    with pytest.raises(ValueError):
        collection_costs(D(bad))


def test_consumer_costs_need_a_claim():
    with pytest.raises(ValueError):
        consumer_costs([])
    with pytest.raises(TypeError):
        consumer_costs(D("100"))


def test_int_principal_is_exact_and_accepted():
    assert collection_costs(3000).fee == D("425.00")


# --- the 14-day letter's facts --------------------------------------------------------


def test_fourteen_day_letter_d1_with_b12_claims():
    # LEGAL.md D1 (posted Mon 3-3-2025) with the claims of B12, BTW announced.
    got = fourteen_day_letter(date(2025, 3, 3), [D("800.00"), D("900.00"), D("1000.00")], vat=True)
    assert (got.received, got.last_day, got.costs_due) == (
        date(2025, 3, 5),
        date(2025, 3, 19),
        date(2025, 3, 20),
    )
    assert got.wording == TERM_WORDING
    assert "vanaf de dag nadat deze brief bij u is bezorgd" in got.wording
    assert got.costs is not None and (got.costs.fee, got.costs.total) == (
        D("395.00"),
        D("477.95"),
    )
    assert fourteen_day_letter(date(2025, 3, 3)).costs is None


# --- properties -----------------------------------------------------------------------

AMOUNTS = st.decimals(
    min_value=D("0.01"), max_value=D("3000000"), places=2, allow_nan=False, allow_infinity=False
)


@given(AMOUNTS)
def test_fee_stays_between_minimum_and_maximum(principal):
    costs = collection_costs(principal, vat=True)
    assert BIK_MIN <= costs.fee <= BIK_MAX
    assert costs.total == costs.fee + to_cents(costs.fee * VAT_RATE)
    assert costs.fee == to_cents(costs.fee)


@given(AMOUNTS, AMOUNTS)
def test_fee_never_decreases_as_the_principal_grows(a, b):
    low, high = sorted((a, b))
    assert collection_costs(low).fee <= collection_costs(high).fee
    assert collection_costs(low).calculated <= collection_costs(high).calculated


@given(AMOUNTS)
def test_bands_add_up_to_the_principal_and_the_rounded_amount(principal):
    costs = collection_costs(principal)
    assert sum(b.part for b in costs.bands) == principal
    # Only the highest band reached can hold fractions of a cent, so the bands rounded one
    # by one (as the command line shows them) add up to the amount rounded once.
    assert sum(to_cents(b.amount) for b in costs.bands) == costs.calculated


@given(st.lists(AMOUNTS, min_size=1, max_size=6))
def test_one_letter_never_costs_more_than_separate_letters(principals):
    together = consumer_costs(principals)
    separate = [collection_costs(p) for p in principals]
    # Exact amounts: the staffel is concave (falling rates), and the minimum and maximum
    # keep that, so the sum of the claims never costs more than the claims one by one.
    exact_together = min(max(sum(b.amount for b in together.bands), BIK_MIN), BIK_MAX)
    exact_separate = sum(
        min(max(sum(b.amount for b in c.bands), BIK_MIN), BIK_MAX) for c in separate
    )
    assert exact_together <= exact_separate
    # In cents it can be one cent more per two claims, from rounding half-up once per
    # letter: three claims of 300.03 cost 3 × 45.00 apart but 135.01 together.
    slack = CENT * (len(principals) // 2)
    assert together.fee <= sum(c.fee for c in separate) + slack


def test_rounding_can_cost_a_cent_when_claims_are_joined():
    # The example behind the slack above: 15% of 300.03 is 45.0045 (45.00); of 900.09 it is
    # 135.0135 (135.01). The law asks for the costs on the sum, so 135.01 is right.
    assert collection_costs(D("300.03")).fee == D("45.00")
    assert consumer_costs([D("300.03")] * 3).fee == D("135.01")
