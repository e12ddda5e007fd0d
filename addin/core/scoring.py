"""Customer scoring: revenue segments (Pareto 80/15/5) and payment behaviour.

Segment A is the customers that together make 80% of the last 12 months' revenue, B the
next 15%, C the rest (DESIGN.md); a Segment in Klanten overrides. Payment behaviour is
measured on the invoices paid through the bank in the same 12 months: the average days paid
after the due date and the share paid late (PLAYBOOK R1, R2).

Example::

    revenue K1 800, K2 150, K3 50  ->  K1: A, K2: B, K3: C
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from .model import Customer, CustomerId, CustomerScore, Segment
from .money import ZERO

# Thresholds, as data (PLAYBOOK L2, R1, R2). Shares are of revenue or of invoices.
SEGMENT_SHARES: tuple[tuple[Segment, Decimal], ...] = (
    (Segment.A, Decimal("0.80")),
    (Segment.B, Decimal("0.95")),
)
# Fewer paid invoices than this say nothing about a customer, good or bad.
MIN_INVOICES_TO_JUDGE = 3
GOOD_PAYER_MAX_SHARE_LATE = Decimal("0.10")
GOOD_PAYER_MAX_AVERAGE_DAYS_LATE = Decimal("3")
# Risky: usually late and by weeks, or very late on average (PLAYBOOK R2).
RISKY_MIN_SHARE_LATE = Decimal("0.50")
RISKY_MIN_DAYS_WHEN_USUALLY_LATE = Decimal("14")
RISKY_MIN_AVERAGE_DAYS_LATE = Decimal("30")


def window_start(as_of: date) -> date:
    """First day of the 12 months that end on the plan date."""
    return as_of - relativedelta(years=1) + relativedelta(days=1)


def revenue_segments(revenue: Mapping[CustomerId, Decimal]) -> dict[CustomerId, Segment]:
    """Pareto segments: walk customers from the largest revenue down; a customer belongs to
    the first segment whose cumulative share had not yet been reached before it."""
    total = sum((r for r in revenue.values() if r > ZERO), ZERO)
    out: dict[CustomerId, Segment] = {}
    cumulative = ZERO
    for customer, amount in sorted(revenue.items(), key=lambda kv: (-kv[1], kv[0])):
        segment = Segment.C
        if amount > ZERO and total > ZERO:
            before = cumulative / total
            for candidate, share in SEGMENT_SHARES:
                if before < share:
                    segment = candidate
                    break
            cumulative += amount
        out[customer] = segment
    return out


def score_customers(
    customers: Iterable[Customer],
    revenue: Mapping[CustomerId, Decimal],
    open_amounts: Mapping[CustomerId, Decimal],
    lateness: Mapping[CustomerId, list[int]],
    as_of: date,
) -> dict[CustomerId, CustomerScore]:
    """One score per customer.

    `lateness` holds, per customer, max(0, paid - due) in days for each invoice paid in full
    by linked bank payments within the 12 months up to `as_of` (see `window_start`).
    """
    segments = revenue_segments(revenue)
    scores = {}
    no_days: list[int] = []
    for c in customers:
        days = lateness.get(c.number, no_days)
        average = share = None
        good = risky = False
        if days:
            average = (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"))
            share = (Decimal(sum(1 for d in days if d > 0)) / len(days)).quantize(Decimal("0.01"))
            good = (
                len(days) >= MIN_INVOICES_TO_JUDGE
                and share <= GOOD_PAYER_MAX_SHARE_LATE
                and average <= GOOD_PAYER_MAX_AVERAGE_DAYS_LATE
            )
            risky = len(days) >= MIN_INVOICES_TO_JUDGE and (
                (share >= RISKY_MIN_SHARE_LATE and average >= RISKY_MIN_DAYS_WHEN_USUALLY_LATE)
                or average >= RISKY_MIN_AVERAGE_DAYS_LATE
            )
        scores[c.number] = CustomerScore(
            customer=c.number,
            revenue=revenue.get(c.number, ZERO),
            segment=c.segment or segments.get(c.number, Segment.C),
            open_amount=open_amounts.get(c.number, ZERO),
            paid_invoices=len(days),
            average_days_late=average,
            share_late=share,
            good_payer=good,
            risky=risky,
        )
    return scores
