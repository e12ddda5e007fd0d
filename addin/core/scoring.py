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
from dataclasses import dataclass
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
GOOD_PAYER_MIN_INVOICES = 3
GOOD_PAYER_MAX_SHARE_LATE = Decimal("0.10")
GOOD_PAYER_MAX_AVERAGE_DAYS_LATE = Decimal("3")
RISKY_MIN_SHARE_LATE = Decimal("0.50")
RISKY_MIN_AVERAGE_DAYS_LATE = Decimal("30")


@dataclass(frozen=True, slots=True)
class PaidInvoice:
    """An invoice paid in full by linked bank payments: its due date and the day it was paid."""

    customer: CustomerId
    due: date
    paid_on: date


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
    paid: Iterable[PaidInvoice],
    as_of: date,
) -> dict[CustomerId, CustomerScore]:
    """One score per customer; `paid` may hold invoices of any date (filtered here)."""
    start = window_start(as_of)
    lateness: dict[CustomerId, list[int]] = {}
    for p in paid:
        if start <= p.paid_on <= as_of:
            lateness.setdefault(p.customer, []).append(max(0, (p.paid_on - p.due).days))
    segments = revenue_segments(revenue)
    scores = {}
    for c in customers:
        days = lateness.get(c.number, [])
        average = share = None
        if days:
            average = (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1"))
            share = (Decimal(sum(1 for d in days if d > 0)) / len(days)).quantize(Decimal("0.01"))
        good = (
            average is not None
            and share is not None
            and len(days) >= GOOD_PAYER_MIN_INVOICES
            and share <= GOOD_PAYER_MAX_SHARE_LATE
            and average <= GOOD_PAYER_MAX_AVERAGE_DAYS_LATE
        )
        risky = (share is not None and share >= RISKY_MIN_SHARE_LATE) or (
            average is not None and average >= RISKY_MIN_AVERAGE_DAYS_LATE
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
