"""Customer scoring: revenue segments (Pareto 80/15/5) and payment behaviour.

Segment A is the customers that together make 80% of the last 12 months' revenue, B the
next 15%, C the rest (DESIGN.md); a Segment in Klanten overrides. Payment behaviour is
measured on the invoices paid through the bank in the same 12 months: the average days paid
after the due date and the share paid late (PLAYBOOK R1, R2).

Example::

    revenue K1 800, K2 150, K3 50  ->  K1: A, K2: B, K3: C
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from itertools import accumulate, repeat

from dateutil.relativedelta import relativedelta

from addin.core.model import Customer, CustomerId, CustomerScore, Segment
from addin.core.money import ZERO

# Thresholds, as data (PLAYBOOK L2, R1, R2). Shares are of revenue or of invoices.
SEGMENT_SHARES: tuple[tuple[Segment, Decimal], ...] = (
    (Segment.A, Decimal("0.80")),
    (Segment.B, Decimal("0.95")),
)
# Fewer paid invoices than this say nothing about a customer, good or bad.
MIN_INVOICES_TO_JUDGE = 3
# Shares in percent and averages in days, whole numbers so they compare exactly.
GOOD_PAYER_MAX_PERCENT_LATE = 10
GOOD_PAYER_MAX_AVERAGE_DAYS_LATE = 3
# Risky: usually late and by weeks, or very late on average (PLAYBOOK R2).
RISKY_MIN_PERCENT_LATE = 50
RISKY_MIN_DAYS_WHEN_USUALLY_LATE = 14
RISKY_MIN_AVERAGE_DAYS_LATE = 30


# One score per customer per plan: tuple.__new__ skips NamedTuple's Python constructor.
new_tuple = tuple.__new__


def window_start(as_of: date) -> date:
    """First day of the 12 months that end on the plan date."""
    start: date = as_of - relativedelta(years=1) + relativedelta(days=1)
    return start


def revenue_segments(revenue: Mapping[CustomerId, Decimal]) -> dict[CustomerId, Segment]:
    """Pareto segments: walk customers from the largest revenue down; a customer belongs to
    the first segment whose cumulative share had not yet been reached before it."""
    numbers = list(revenue)
    return dict(zip(numbers, _segments(numbers, list(revenue.values())), strict=True))


def _segments(numbers: Sequence[CustomerId], revenue: Sequence[Decimal]) -> list[Segment]:
    """`revenue_segments` by place: each customer's segment at its place in `numbers`."""
    total = sum((r for r in revenue if r > ZERO), ZERO)
    # Compare cumulative revenue with each band's share of the total (no division per row).
    bands = [(segment, share * total) for segment, share in SEGMENT_SHARES]
    # Largest revenue first; equal revenue in customer-number order (sorts are stable).
    ranked = sorted(range(len(numbers)), key=numbers.__getitem__)
    ranked.sort(key=revenue.__getitem__, reverse=True)
    amounts = list(map(revenue.__getitem__, ranked))
    # The customers with revenue come first; what the ones before each of them made, added
    # in C, only grows, so each band is a prefix found by bisection.
    with_revenue = bisect_left(amounts, True, key=ZERO.__ge__)
    before = list(accumulate(amounts[:with_revenue], initial=ZERO))[:with_revenue]
    out = [Segment.C] * len(numbers)
    done = 0
    for segment, limit in bands:
        upto = bisect_left(before, limit)
        for k in ranked[done:upto]:
            out[k] = segment
        done = max(done, upto)
    return out


def score_customers(
    customers: Sequence[Customer],
    revenue: Sequence[Decimal],
    open_amounts: Sequence[Decimal],
    paid_invoices: Sequence[int],
    days_late: Sequence[int],
    paid_late: Sequence[int],
) -> dict[CustomerId, CustomerScore]:
    """One score per customer; the other arguments hold each customer's figure at the
    customer's place in `customers`.

    The payment figures count the invoices paid in full by linked bank payments within the
    12 months up to the plan date (see `window_start`): how many, the sum of max(0, paid -
    due) in days, and how many of them were paid after their due date.
    """
    numbers = [c.number for c in customers]
    segments = _segments(numbers, revenue)
    # Column by column (one score per customer, 20,000 in the benchmark book): each
    # measure over all customers at once, the records assembled by map in C.
    counts, totals, lates = paid_invoices, days_late, paid_late
    goods = [
        count >= MIN_INVOICES_TO_JUDGE
        and 100 * late <= GOOD_PAYER_MAX_PERCENT_LATE * count
        and total <= GOOD_PAYER_MAX_AVERAGE_DAYS_LATE * count
        for count, total, late in zip(counts, totals, lates, strict=True)
    ]
    riskies = [
        count >= MIN_INVOICES_TO_JUDGE
        and (
            (
                100 * late >= RISKY_MIN_PERCENT_LATE * count
                and total >= RISKY_MIN_DAYS_WHEN_USUALLY_LATE * count
            )
            or total >= RISKY_MIN_AVERAGE_DAYS_LATE * count
        )
        for count, total, late in zip(counts, totals, lates, strict=True)
    ]
    rows = zip(
        numbers,
        revenue,
        [c.segment or s for c, s in zip(customers, segments, strict=True)],
        open_amounts,
        counts,
        totals,
        lates,
        goods,
        riskies,
        strict=True,
    )
    return dict(zip(numbers, map(new_tuple, repeat(CustomerScore), rows), strict=True))
