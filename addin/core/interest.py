"""Statutory interest: wettelijke rente (6:119 BW) and wettelijke handelsrente (6:119a BW).

The rates are data (``addin/data/wettelijke_rente.csv``, loaded by `addin.adapters.rates`); this
module only computes, so it takes the rate rows as an argument.

Conventions (notes/LEGAL.md 3.1 and 7; the law prescribes no day count):

- **Days.** Interest runs from ``start``, the day after the last day for payment
  (`interest_start`), through ``end`` inclusive, the day of payment: 6:119a lid 1 "met ingang van
  de dag volgend op de dag die is overeengekomen als de uiterste dag van betaling tot en met de
  dag waarop de schuldenaar de geldsom heeft voldaan".
- **Day count act/365 fixed.** A period's interest is ``base × percent / 100 × days / 365``, also
  in leap years (a year from an anniversary then has 366 days of 1/365 each).
- **Periods** are split at every rate change (6:120 lid 1: a new rate also applies to interest
  that is already running), at every anniversary of ``start`` and after every payment day.
- **Compounding.** On each anniversary of ``start`` the interest of the year just ended is added to
  the base (6:119 lid 2, 6:119a lid 3): the year counts from the start of the interest, not
  from 1 January. A start on 29 February has its anniversary on 1 March in other years.
- **Rounding.** Inside periods the arithmetic keeps full Decimal precision. Interest is rounded
  half-up to cents (`money.to_cents`) at exactly three points: when it is capitalised, when a
  payment settles it, and at ``end``. The total is the sum of those rounded amounts, so
  ``total == capitalised + paid + open`` to the cent. A period's own amount in the breakdown is
  unrounded; rounded for display, the rows can differ from the total by a cent.
- **Payments** (dated) count for the payment day itself and reduce the base from the next day.
  They settle costs first, then interest, then principal (art. 6:44 lid 1 BW). Of the interest
  the oldest goes first: interest already capitalised, then the running year's interest. That
  order lowers the base soonest, the reading most favourable to the debtor. A payment after
  ``end`` is ignored (it does not change interest up to ``end``); what exceeds everything owed is
  reported as ``unapplied``.

Worked example (LEGAL.md I1): a B2B invoice of €1,000 due 31-3-2025, paid 30-6-2025::

    >>> rates = (Rate(date(2025, 1, 1), Decimal("6"), Decimal("11.15")),
    ...          Rate(date(2025, 7, 1), Decimal("6"), Decimal("10.15")))
    >>> got = statutory_interest(Decimal("1000"), interest_start(date(2025, 3, 31)),
    ...                          date(2025, 6, 30), rates, InterestKind.COMMERCIAL)
    >>> got.total, [(p.days, p.percent) for p in got.periods]
    (Decimal('27.80'), [(91, Decimal('11.15'))])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from addin.core.model import FastEnum
from addin.core.money import ZERO, to_cents
from addin.core.texts import nl_date

DAYS_PER_YEAR = Decimal(365)
HUNDRED = Decimal(100)
ONE_DAY = timedelta(days=1)


class InterestKind(FastEnum):
    """Which statutory rate applies."""

    CONSUMER = "wettelijke rente"  # art. 6:119 BW: not a handelsovereenkomst
    COMMERCIAL = "wettelijke handelsrente"  # art. 6:119a BW: both parties act in business

    @property
    def article(self) -> str:
        return "art. 6:119 BW" if self is InterestKind.CONSUMER else "art. 6:119a BW"

    @property
    def compounding(self) -> str:
        """Where the yearly capitalisation is written down for this kind."""
        return "art. 6:119 lid 2 BW" if self is InterestKind.CONSUMER else "art. 6:119a lid 3 BW"


class RateTableError(ValueError):
    """A date the rate table does not cover, or a table out of order; the message is Dutch."""


@dataclass(frozen=True, slots=True)
class Rate:
    """One row of the dated rate table.

    Attributes:
        valid_from: first day the row applies; it applies until the day before the next row.
        consumer: wettelijke rente (6:119) in percent per year, e.g. Decimal("6").
        commercial: wettelijke handelsrente (6:119a) in percent per year, e.g. Decimal("11.15").
    """

    valid_from: date
    consumer: Decimal
    commercial: Decimal

    def __post_init__(self) -> None:
        for value in (self.consumer, self.commercial):
            _require_decimal(value, "rentepercentage")
            if value < ZERO:
                raise ValueError(f"rentepercentage {value} is negatief")

    def percent(self, kind: InterestKind) -> Decimal:
        return self.consumer if kind is InterestKind.CONSUMER else self.commercial


@dataclass(frozen=True, slots=True)
class InterestPeriod:
    """One line of the breakdown: a stretch of days with one rate and one base.

    Attributes:
        start: first interest day of the period.
        end: last interest day, inclusive.
        days: number of interest days, ``(end - start).days + 1``.
        percent: the rate in percent per year.
        base: the amount interest is computed on (open principal plus capitalised interest).
        interest: ``base × percent / 100 × days / 365``, unrounded.
    """

    start: date
    end: date
    days: int
    percent: Decimal
    base: Decimal
    interest: Decimal


@dataclass(frozen=True, slots=True)
class InterestResult:
    """Interest from ``start`` through ``end`` and what is still open at ``end``.

    Attributes:
        total: all interest that ran over the whole time, in cents (paid or not).
        periods: the breakdown, in date order.
        capitalised: (anniversary, amount added to the base) for each completed year.
        open_principal: principal not yet paid at ``end``.
        open_interest: interest not yet paid at ``end``, capitalised or not.
        open_costs: costs not yet paid at ``end``.
        unapplied: the part of the payments that exceeded everything owed.
    """

    total: Decimal
    periods: tuple[InterestPeriod, ...]
    capitalised: tuple[tuple[date, Decimal], ...]
    open_principal: Decimal
    open_interest: Decimal
    open_costs: Decimal
    unapplied: Decimal


def interest_start(due: date) -> date:
    """The first interest day: the day after the last day for payment (6:119a lid 1)."""
    return due + ONE_DAY


def commercial_start_without_term(received: date) -> date:
    """The first interest day under 6:119a lid 2 when no payment term was agreed.

    Interest is due "vanaf 30 dagen na de aanvang van de dag, volgende op die waarop de
    schuldenaar de factuur heeft ontvangen": the day after receipt starts at 00:00 of
    ``received + 1``; 30 days after that moment is 00:00 of ``received + 31``, the first day
    with interest. So ``received + 30`` is the last day without interest.

    >>> commercial_start_without_term(date(2026, 3, 1))
    datetime.date(2026, 4, 1)

    Whether the Algemene termijnenwet extends this statutory term when it ends on a weekend or
    holiday is an open point (notes/LEGAL.md section 8); it is not applied here.
    """
    return received + timedelta(days=31)


def statutory_interest(
    principal: Decimal,
    start: date,
    end: date,
    rates: Sequence[Rate],
    kind: InterestKind,
    payments: Sequence[tuple[date, Decimal]] = (),
    costs: Decimal = ZERO,
) -> InterestResult:
    """Statutory interest on ``principal`` from ``start`` through ``end`` (both inclusive).

    ``rates`` is the dated table in ascending order; ``payments`` are (day, amount) pairs and
    ``costs`` the costs (e.g. BIK) that payments settle before interest and principal. The
    conventions are in the module docstring. Zero interest (and no periods) when
    ``end < start``.
    """
    _require_decimal(principal, "hoofdsom")
    _require_decimal(costs, "kosten")
    if principal < ZERO:
        raise ValueError(f"hoofdsom {principal} is negatief")
    if costs < ZERO:
        raise ValueError(f"kosten {costs} zijn negatief")
    if not isinstance(kind, InterestKind):
        raise TypeError(f"soort rente moet InterestKind zijn, niet {kind!r}")
    for day, amount in payments:
        _require_decimal(amount, "betaling")
        if amount < ZERO:
            raise ValueError(f"betaling van {amount} op {day.isoformat()} is negatief")

    state = _Balance(principal=principal, capital_interest=ZERO, costs=costs)
    # Payments before the first interest day settle costs and principal before anything runs.
    early = [amount for day, amount in payments if day < start]
    later = sorted(((day, amount) for day, amount in payments if start <= day <= end))
    for amount in early:
        state.pay(amount)
    if end < start:
        return state.result(ZERO, (), ())

    _check_table(rates, start)
    periods: list[InterestPeriod] = []
    capitalised: list[tuple[date, Decimal]] = []
    total = ZERO
    year = 0
    day = start
    pay_index = 0
    while day <= end:
        anniversary = _add_years(start, year + 1)
        rate, next_change = _rate_on(rates, day)
        next_payment_day = later[pay_index][0] if pay_index < len(later) else None
        stop = min(end, anniversary - ONE_DAY, next_change - ONE_DAY if next_change else end)
        if next_payment_day is not None and next_payment_day < stop:
            stop = next_payment_day
        percent = rate.percent(kind)
        base = state.base
        days = (stop - day).days + 1
        interest = base * percent / HUNDRED * days / DAYS_PER_YEAR
        periods.append(InterestPeriod(day, stop, days, percent, base, interest))
        state.running += interest

        # Payments of this day: the day itself still ran on the old base.
        while pay_index < len(later) and later[pay_index][0] == stop:
            total += state.settle_running()
            state.pay(later[pay_index][1])
            pay_index += 1
        if stop + ONE_DAY == anniversary and anniversary <= end:
            # 6:119 lid 2: the year's interest joins the base from the anniversary on.
            total += state.settle_running()
            capitalised.append((anniversary, state.capitalise()))
            year += 1
        day = stop + ONE_DAY
    total += state.settle_running()
    return state.result(total, tuple(periods), tuple(capitalised))


# --- helpers --------------------------------------------------------------------------


@dataclass(slots=True)
class _Balance:
    """What the debtor owes while the computation runs (mutable on purpose, never returned).

    ``settled`` is the running year's interest already rounded to cents and counted in the
    total (it became a fixed debt at a payment); ``running`` is what accrued since, unrounded.
    """

    principal: Decimal
    capital_interest: Decimal  # capitalised interest still unpaid: part of the base
    costs: Decimal
    settled: Decimal = ZERO
    running: Decimal = ZERO
    unapplied: Decimal = ZERO

    @property
    def base(self) -> Decimal:
        return self.principal + self.capital_interest

    def settle_running(self) -> Decimal:
        """Round the running interest to cents and make it a fixed debt; return that amount."""
        amount = to_cents(self.running)
        self.settled += amount
        self.running = ZERO
        return amount

    def capitalise(self) -> Decimal:
        """Add the year's unpaid interest to the base; return the amount added."""
        # What of the year's interest was paid already is no longer owed, so only the unpaid
        # rest joins the base ("de over dat jaar verschuldigde rente").
        added = self.settled
        self.capital_interest += added
        self.settled = ZERO
        return added

    def pay(self, amount: Decimal) -> None:
        # Art. 6:44 lid 1: costs, then interest (the oldest, capitalised, first), then principal.
        part = min(self.costs, amount)
        self.costs -= part
        amount -= part
        part = min(self.capital_interest, amount)
        self.capital_interest -= part
        amount -= part
        part = min(self.settled, amount)
        self.settled -= part
        amount -= part
        part = min(self.principal, amount)
        self.principal -= part
        amount -= part
        self.unapplied += amount

    def result(
        self,
        total: Decimal,
        periods: tuple[InterestPeriod, ...],
        capitalised: tuple[tuple[date, Decimal], ...],
    ) -> InterestResult:
        return InterestResult(
            total=to_cents(total),
            periods=periods,
            capitalised=capitalised,
            open_principal=to_cents(self.principal),
            open_interest=to_cents(self.capital_interest + self.settled),
            open_costs=to_cents(self.costs),
            unapplied=to_cents(self.unapplied),
        )


def _require_decimal(value: object, what: str) -> None:
    if isinstance(value, float):
        raise TypeError(f"{what} moet een Decimal zijn, geen float ({value!r})")
    if not isinstance(value, Decimal):
        raise TypeError(f"{what} moet een Decimal zijn, niet {type(value).__name__} ({value!r})")


def _check_table(rates: Sequence[Rate], start: date) -> None:
    if not rates:
        raise RateTableError("de rentetabel is leeg")
    for before, after in pairwise(rates):
        if after.valid_from <= before.valid_from:
            raise RateTableError(
                f"de rentetabel staat niet op volgorde: {nl_date(after.valid_from)} "
                f"volgt op {nl_date(before.valid_from)}; zet de datums oplopend"
            )
    if start < rates[0].valid_from:
        raise RateTableError(
            f"geen wettelijke rente bekend voor {nl_date(start)}: de rentetabel begint op "
            f"{nl_date(rates[0].valid_from)}; vul de tabel aan of kies een latere datum"
        )


def _rate_on(rates: Sequence[Rate], day: date) -> tuple[Rate, date | None]:
    """The row in force on ``day`` and the first day of the next row (None: the last row)."""
    # Tables hold a few dozen rows; a linear scan from the end is plenty.
    for index in range(len(rates) - 1, -1, -1):
        if rates[index].valid_from <= day:
            following = rates[index + 1].valid_from if index + 1 < len(rates) else None
            return rates[index], following
    raise RateTableError(f"geen wettelijke rente bekend voor {nl_date(day)}")


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        # 29 February: the year "ends" after 28 February, so the next one starts on 1 March.
        return date(day.year + years, 3, 1)
