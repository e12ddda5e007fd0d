"""The Overzicht: ageing buckets, DSO and the key totals, the top debtors; all from the Plan.

The book below has one open invoice in each situation the Overzicht counts (not yet due,
due today, 30 and 31 days late, disputed, bankrupt customer, an unconfirmed promise, handed
over, a credit note, an old paid invoice), so every figure is checked by hand:

  open       F1 400 + F2 300 + F3 500 + F4 250 + F5 800 + F6 (1000 - 400 betaald) 600
             + F9 100 = 2950.00, 7 invoices (credit note F7 left out)
  revenue    F1..F7 and F9 invoiced in the 12 months: 3350 - 100 (credit note) = 3250.00;
             F8 (1-10-2025) falls before the window
  DSO        2950 / 3250 x 365 = 331.3 -> 331 days
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from addin.core import overview
from addin.core.model import Action
from addin.core.overview import AGEING_BUCKETS, bucket_of, dso, overview_rows
from addin.core.plan import plan_book
from tests.core.booktext import book

DAY = date(2026, 11, 24)
BOOK = """
[klanten]
| klant | naam      | soort    | segment | bijzonderheid |
| K1    | Alfa BV   | Zakelijk | A       |               |
| K2    | Beta BV   | Zakelijk | B       |               |
| K3    | Gamma BV  | Zakelijk | C       | Faillissement |
| K4    | Delta BV  | Zakelijk | C       |               |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag  | betaald | geschil             |
| F1      | K1    | 2026-11-10   | 2026-12-10  | 400.00  |         |                     |
| F2      | K1    | 2026-09-25   | 2026-10-25  | 300.00  |         |                     |
| F3      | K2    | 2026-09-01   | 2026-10-24  | 500.00  |         | levering onvolledig |
| F4      | K2    | 2026-08-01   | 2026-08-31  | 250.00  |         |                     |
| F5      | K3    | 2026-06-01   | 2026-07-01  | 800.00  |         |                     |
| F6      | K4    | 2026-07-01   | 2026-07-31  | 1000.00 | 400.00  |                     |
| F7      | K4    | 2026-11-20   | 2026-11-24  | -100.00 |         |                     |
| F8      | K1    | 2025-10-01   | 2025-10-31  | 150.00  | 150.00  |                     |
| F9      | K1    | 2026-11-24   | 2026-11-24  | 100.00  |         |                     |
[afspraken]
| afspraak | klant | facturen | soort      | datum afspraak | betaaldatum |
| T1       | K2    | F4       | Toezegging | 2026-11-20     | 2026-12-01  |
[contacten]
| datum      | klant | facturen | kanaal     |
| 2026-11-01 | K4    | F6       | Overdracht |
[betalingen]
| datum      | bedrag | status      | sleutel |
| 2026-11-23 | 77.00  | Controleren | b-1     |
| 2026-11-23 | 5.00   | Genegeerd   | b-2     |
"""

EXP = (
    ("Overzicht 24-11-2026",),
    (),
    ("Openstaand per ouderdom",),
    ("Ouderdom", "Facturen", "Bedrag"),
    ("Niet vervallen", 2, Decimal("500.00")),  # F1 (due in 16 days), F9 (due today)
    ("1-30 dagen", 1, Decimal("300.00")),  # F2, 30 days
    ("31-60 dagen", 1, Decimal("500.00")),  # F3, 31 days
    ("61-90 dagen", 1, Decimal("250.00")),  # F4, 85 days
    ("Meer dan 90 dagen", 2, Decimal("1400.00")),  # F5 146 days, F6 116 days
    ("Totaal", 7, Decimal("2950.00")),
    (),
    ("Kerncijfers",),
    ("Kerncijfer", "Aantal", "Bedrag"),
    ("DSO (dagen, openstaand / omzet 12 maanden x 365)", 331, None),
    # 2950 counted back over the months' revenue 400, 300, 500, 250, 1000, then 500 of
    # F5's 800: 31 + 30 + 31 + 31 + 30 + 500/800 x 31 = 172.4 days
    ("DSO countback (dagen, openstaand teruggeteld over de omzet per maand)", 172, None),
    ("Omzet 12 maanden", None, Decimal("3250.00")),
    ("Openstaand", 7, Decimal("2950.00")),
    ("Waarvan vervallen", 5, Decimal("2450.00")),  # F2..F6
    ("Open creditnota's (nog te verrekenen)", 1, Decimal("-100.00")),  # F7
    ("In geschil (geschil of bijzonderheid)", 2, Decimal("1300.00")),  # F3, F5
    ("Onder afspraak (toezegging of regeling)", 1, Decimal("250.00")),  # F4 (bevestigen)
    ("Overgedragen aan incassobureau", 1, Decimal("600.00")),  # F6
    ("Te controleren bankregels", 1, Decimal("77.00")),
    (),
    ("Grootste debiteuren",),
    (
        "Klantnummer",
        "Naam",
        "Segment",
        "Open",
        "Vervallen",
        "Oudste vervaldatum",
        "Volgende actie",
    ),
    # K1 and K3 both have 800.00 open: customer number decides.
    ("K1", "Alfa BV", "A", Decimal("800.00"), Decimal("300.00"), date(2026, 10, 25), "bellen"),
    (
        "K3",
        "Gamma BV",
        "C",
        Decimal("800.00"),
        Decimal("800.00"),
        date(2026, 7, 1),
        "intern-oplossen",
    ),
    ("K2", "Beta BV", "B", Decimal("750.00"), Decimal("750.00"), date(2026, 8, 31), "bevestigen"),
    (
        "K4",
        "Delta BV",
        "C",
        Decimal("600.00"),
        Decimal("600.00"),
        date(2026, 7, 31),
        "overgedragen",
    ),
    (),
    ("Goede betalers (betalen op tijd)",),
    ("Nog geen klant betaalt aantoonbaar op tijd (te weinig betaalde facturen).",),
)


def _diff(exp, got) -> str:
    lines = []
    for i in range(max(len(exp), len(got))):
        e = exp[i] if i < len(exp) else "(none)"
        g = got[i] if i < len(got) else "(none)"
        if e != g:
            lines.append(f"row {i + 1}: exp {e!r}\n        got {g!r}")
    return "\n".join(lines)


def test_overview_of_a_book_with_every_situation():
    b = book(BOOK)
    got = overview_rows(plan_book(b, DAY), b).rows
    assert got == EXP, _diff(EXP, got)


def test_the_figures_are_the_plans_own():
    """The actions the rows are counted from, as the engine decides them."""
    b = book(BOOK)
    actions = {a.invoice: a.action for a in plan_book(b, DAY).actions}
    assert actions["F2"] is Action.CALL  # segment A calls first (the top-debtor row's action)
    assert actions["F3"] is actions["F5"] is Action.RESOLVE
    assert actions["F4"] is Action.CONFIRM
    assert actions["F6"] is Action.NONE


def test_values_only_dates_and_decimal_money():
    b = book(BOOK)
    for row in overview_rows(plan_book(b, DAY), b):
        for value in row:
            assert value is None or isinstance(value, str | int | Decimal | date)
            assert not isinstance(value, float)


# Ageing buckets: days past the due date -> bucket label (edges on both sides of each limit).
@pytest.mark.parametrize(
    ("days", "exp"),
    [
        (-16, "Niet vervallen"),
        (0, "Niet vervallen"),
        (1, "1-30 dagen"),
        (30, "1-30 dagen"),
        (31, "31-60 dagen"),
        (60, "31-60 dagen"),
        (61, "61-90 dagen"),
        (90, "61-90 dagen"),
        (91, "Meer dan 90 dagen"),
        (4000, "Meer dan 90 dagen"),
    ],
    ids=lambda v: str(v),
)
def test_bucket_of(days, exp):
    got = bucket_of(days).label
    assert got == exp


def test_buckets_rise_and_end_open():
    limits = [b.upto for b in AGEING_BUCKETS]
    assert limits[-1] is None
    assert limits[:-1] == sorted(limits[:-1])


# DSO: open / revenue x 365, whole days, half up; no revenue gives no figure.
@pytest.mark.parametrize(
    ("open_total", "revenue", "exp"),
    [
        ("2950.00", "3250.00", 331),
        ("100.00", "730.00", 50),  # exactly 50
        ("1.00", "730.00", 1),  # 0.5 days rounds half up
        ("0.00", "1000.00", 0),
        ("500.00", "0.00", None),
        ("500.00", "-10.00", None),
    ],
    ids=["example", "exact", "half-up", "nothing-open", "no-revenue", "negative-revenue"],
)
def test_dso(open_total, revenue, exp):
    got = dso(Decimal(open_total), Decimal(revenue))
    assert got == exp


def test_top_ten_only_and_no_revenue_dso():
    """Eleven debtors: the smallest drops out; invoices older than 12 months: no DSO."""
    lines = "\n".join(
        f"| F{n:02} | K{n:02} | 2025-01-01 | 2025-01-31 | {100 + n}.00 |" for n in range(1, 12)
    )
    customers = "\n".join(f"| K{n:02} | Klant {n} |" for n in range(1, 12))
    b = book(
        f"""
        [klanten]
        | klant | naam |
        {customers}
        [facturen]
        | factuur | klant | factuurdatum | vervaldatum | bedrag |
        {lines}
        """
    )
    got = overview_rows(plan_book(b, DAY), b).rows
    figures = {row[0]: row[1:] for row in got if row}
    assert figures[overview.DSO_LABEL] == ("geen omzet", None)
    assert figures[overview.DSO_COUNTBACK_LABEL] == ("geen omzet", None)
    start = got.index(overview.TOP_HEADER) + 1
    top = got[start : got.index((), start)]
    assert [row[0] for row in top] == [f"K{n:02}" for n in range(11, 1, -1)]
    assert top[0][3:6] == (Decimal("111.00"), Decimal("111.00"), date(2025, 1, 31))


def test_an_empty_book():
    b = book("")
    got = overview_rows(plan_book(b, DAY), b).rows
    assert got[4:10] == tuple(
        (label, 0, Decimal("0.00")) for label in [*(k.label for k in AGEING_BUCKETS), "Totaal"]
    )
    assert got[-4] == (overview.NO_DEBTORS,)
    assert got[-1][0].startswith("Nog geen klant betaalt")
