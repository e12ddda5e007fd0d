"""Table-driven tests of the small calculators: working days, call days, the 14-day letter's
dates, instalment schedules and revenue segments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from addin.core import fourteen_days
from addin.core.agreements import agreement_status, schedule
from addin.core.model import Agreement, AgreementKind, AgreementState, Interval, Segment
from addin.core.scoring import revenue_segments
from addin.core.workdays import WorkCalendar, statutory_holidays

D = date.fromisoformat
CAL = WorkCalendar(frozenset({1, 2, 3}))

# Holidays from the `holidays` package, checked against notes/LEGAL.md section 5
# (Koningsdag moves to Saturday when 27 April is a Sunday: 2025-04-26).
WORKING = [
    ("2026-04-27", False, "Koningsdag (Monday)"),
    ("2025-04-26", False, "Koningsdag 2025 on Saturday"),
    ("2026-04-03", True, "Good Friday is no general day off"),
    ("2026-04-06", False, "Easter Monday"),
    ("2026-05-14", False, "Ascension Day"),
    ("2026-05-25", False, "Whit Monday"),
    ("2026-05-05", True, "Bevrijdingsdag outside lustrum years: a working day for business"),
    ("2025-05-05", False, "Bevrijdingsdag 2025 (lustrum)"),
    ("2026-12-25", False, "Christmas"),
    ("2026-12-28", True, "Monday after Christmas"),
    ("2026-11-21", False, "Saturday"),
    ("2026-11-24", True, "Tuesday"),
]


@pytest.mark.parametrize(("day", "exp", "why"), WORKING, ids=[w[2] for w in WORKING])
def test_is_working_day(day, exp, why):
    got = CAL.is_working_day(D(day))
    assert got == exp, why


NEXT = [
    ("2026-04-24", "2026-04-28", "Friday -> Tuesday over Koningsdag"),
    ("2026-12-24", "2026-12-28", "Christmas Eve -> Monday after Christmas"),
    ("2026-12-31", "2027-01-04", "New Year's Eve -> Monday 4 January"),
    ("2026-05-13", "2026-05-15", "Ascension Thursday is skipped"),
]


@pytest.mark.parametrize(("day", "exp", "why"), NEXT, ids=[n[2] for n in NEXT])
def test_next_working_day(day, exp, why):
    assert CAL.next_working_day(D(day)) == D(exp), why


CALL = [
    ("2026-11-23", frozenset({1, 2, 3}), "2026-11-24", "Monday is no call day"),
    ("2026-11-27", frozenset({1, 2, 3}), "2026-12-01", "Friday -> Tuesday"),
    ("2026-04-27", frozenset({0}), "2026-05-04", "Monday call day on Koningsdag -> next Monday"),
    ("2026-12-22", frozenset({4}), "2027-01-08", "Fridays 25-12 and 1-1 are holidays"),
    ("2026-11-28", frozenset(), "2026-11-30", "no call days set: any working day"),
]


@pytest.mark.parametrize(("day", "days", "exp", "why"), CALL, ids=[c[3] for c in CALL])
def test_call_day_on_or_after(day, days, exp, why):
    assert WorkCalendar(days).call_day_on_or_after(D(day)) == D(exp), why


def test_statutory_holidays_follow_the_algemene_termijnenwet():
    # Atw art. 3: 5 May every year, and Good Friday treated the same (lid 2).
    assert D("2026-05-05") in statutory_holidays(2026)
    assert D("2026-04-03") in statutory_holidays(2026)
    assert D("2026-04-27") in statutory_holidays(2026)


# Presumed receipt: the second day after posting, Sundays, Mondays and Atw holidays not
# counted (HR 25-11-2016, ECLI:NL:HR:2016:2704, r.o. 3.5; notes/LEGAL.md section 2).
FOURTEEN = [
    # posted,      receipt,      last day,     costs due
    ("2026-11-20", "2026-11-24", "2026-12-08", "2026-12-09"),  # Fri: Sat counts, Sun+Mon not
    ("2026-11-24", "2026-11-26", "2026-12-10", "2026-12-11"),  # Tue: plain
    ("2026-04-23", "2026-04-25", "2026-05-11", "2026-05-12"),  # Thu: Fri, Sat; end Sat -> Mon
    ("2026-12-23", "2026-12-29", "2027-01-12", "2027-01-13"),  # Wed: Thu 24; 25, 26, 27, 28 skip
    ("2026-04-29", "2026-05-01", "2026-05-15", "2026-05-16"),  # 15-5 is a Friday: no extension
    ("2026-04-21", "2026-04-23", "2026-05-07", "2026-05-08"),  # term passes 5 May: no effect
    ("2026-11-26", "2026-11-28", "2026-12-14", "2026-12-15"),  # end Sat 12-12 -> Mon 14-12
    ("2026-04-24", "2026-04-28", "2026-05-12", "2026-05-13"),  # Fri: Mon 27-4 Koningsdag skipped
    ("2027-04-23", "2027-04-28", "2027-05-12", "2027-05-13"),  # Koningsdag 2027 is a Tuesday
    ("2027-04-09", "2027-04-13", "2027-04-28", "2027-04-29"),  # term ends on Koningsdag -> 28-4
    # notes/LEGAL.md vector D1 (HR 2016:2704): posted Mon 3-3-2025, received Wed 5-3,
    # term 6-3 to 19-3, costs due from 20-3.
    ("2025-03-03", "2025-03-05", "2025-03-19", "2025-03-20"),
]


@pytest.mark.parametrize(
    ("posted", "receipt", "last", "due"), FOURTEEN, ids=[f[0] for f in FOURTEEN]
)
def test_fourteen_day_letter_dates(posted, receipt, last, due):
    got = (
        fourteen_days.presumed_receipt(D(posted)),
        fourteen_days.term_end(D(posted)),
        fourteen_days.costs_due(D(posted)),
    )
    assert got == (D(receipt), D(last), D(due))


def _agreement(**kw):
    base = dict(id="R1", customer="K1", kind=AgreementKind.ARRANGEMENT, first_date=D("2026-01-31"))
    base.update(kw)
    return Agreement(**base)


SCHEDULES = [
    (
        dict(instalments=3),
        "300.00",
        [("2026-01-31", "100.00"), ("2026-02-28", "100.00"), ("2026-03-31", "100.00")],
    ),
    (
        dict(instalments=3, interval=Interval.TWO_WEEKS),
        "100.00",
        [("2026-01-31", "33.33"), ("2026-02-14", "33.33"), ("2026-02-28", "33.34")],
    ),
    (
        dict(instalments=4, interval=Interval.WEEK, instalment_amount=Decimal("40.00")),
        "150.00",
        [
            ("2026-01-31", "40.00"),
            ("2026-02-07", "40.00"),
            ("2026-02-14", "40.00"),
            ("2026-02-21", "30.00"),
        ],
    ),
    (dict(kind=AgreementKind.PROMISE, instalments=5), "99.99", [("2026-01-31", "99.99")]),
]


@pytest.mark.parametrize(
    ("kw", "total", "exp"),
    SCHEDULES,
    ids=[
        "monthly-month-ends",
        "two-weekly-remainder-last",
        "fixed-amount-rest-last",
        "promise-is-one-payment",
    ],
)
def test_schedule(kw, total, exp):
    got = [(i.due.isoformat(), str(i.amount)) for i in schedule(_agreement(**kw), Decimal(total))]
    assert got == exp


STATES = [
    ("0.00", "2026-01-31", AgreementState.RUNNING, 1),  # due today: not missed yet
    ("0.00", "2026-02-01", AgreementState.MISSED, 1),
    ("100.00", "2026-02-28", AgreementState.RUNNING, 2),
    ("150.00", "2026-03-01", AgreementState.MISSED, 2),  # half of the second is not enough
    ("300.00", "2026-01-01", AgreementState.KEPT, None),
]


@pytest.mark.parametrize(("paid", "as_of", "exp", "number"), STATES)
def test_agreement_status(paid, as_of, exp, number):
    got = agreement_status(_agreement(instalments=3), Decimal("300.00"), Decimal(paid), D(as_of))
    inst = got.missed or got.next_due
    assert (got.state, inst.number if inst else None) == (exp, number)


SEGMENTS = [
    ({"K1": "800", "K2": "150", "K3": "50"}, {"K1": "A", "K2": "B", "K3": "C"}),
    # K2 crosses 80% and is still A; K3 starts at 90%, inside B's band (80-95%).
    ({"K1": "500", "K2": "400", "K3": "100"}, {"K1": "A", "K2": "A", "K3": "B"}),
    ({"K1": "100", "K2": "0", "K3": "-20"}, {"K1": "A", "K2": "C", "K3": "C"}),
    (
        {"K1": "10", "K2": "10", "K3": "10", "K4": "10", "K5": "10"},
        {"K1": "A", "K2": "A", "K3": "A", "K4": "A", "K5": "B"},
    ),
]


@pytest.mark.parametrize(
    ("revenue", "exp"),
    SEGMENTS,
    ids=["80-15-5", "two-make-80", "no-revenue-is-C", "ties-by-number"],
)
def test_revenue_segments(revenue, exp):
    got = revenue_segments({k: Decimal(v) for k, v in revenue.items()})
    assert {k: v.value for k, v in got.items()} == exp
    assert set(got.values()) <= set(Segment)
