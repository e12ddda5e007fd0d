"""The Overzicht sheet: ageing of the open invoices, key figures (DSO) and the top debtors.

Every figure is read off the engine's own Plan (statuses, open amounts, due dates, actions,
customer scores), so the Overzicht never disagrees with the Werklijst or =NEXTACTION. The
rows are values only; the workbook writer formats dates and Decimal amounts.

Example (plan date 24-11-2026; K1 invoiced 1000.00 in the last 12 months)::

    F1  K1  due 2026-12-10  open 400.00   ->  Niet vervallen     1   400.00
    F2  K1  due 2026-10-10  open 600.00   ->  31-60 dagen        1   600.00 (45 days late)
    DSO = 1000.00 open / 1000.00 revenue x 365 = 365 days
    Grootste debiteuren: K1, open 1000.00, vervallen 600.00, oudste vervaldatum 10-10-2026
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from addin.core.ledger import customer_index
from addin.core.model import Action, Book, CustomerId, NextAction, PaymentStatus, Plan, Status
from addin.core.money import ZERO
from addin.core.texts import GOAL_INSOLVENCY, GOALS, HANDED_OVER, nl_date


class Bucket(NamedTuple):
    """An ageing bucket: invoices at most `upto` days past their due date (None: no limit)."""

    label: str
    upto: int | None


# Ageing buckets in days past the due date. Source: common credit-control practice (the
# 30/60/90-day ageing report of most accounting packages); no law or standard fixes them.
# "Niet vervallen" holds the invoices not yet past their due date (0 days or fewer).
AGEING_BUCKETS: tuple[Bucket, ...] = (
    Bucket("Niet vervallen", 0),
    Bucket("1-30 dagen", 30),
    Bucket("31-60 dagen", 60),
    Bucket("61-90 dagen", 90),
    Bucket("Meer dan 90 dagen", None),
)

# DSO as commonly defined: receivables / revenue x days in the period. Revenue is the
# engine's 12-month revenue per customer (scoring.window_start), the period 365 days.
DSO_DAYS = 365
DSO_LABEL = "DSO (dagen, openstaand / omzet 12 maanden x 365)"
TOP_DEBTORS = 10

OPEN_STATUSES = frozenset({Status.OPEN, Status.OVERDUE})
# The goals the rules give a dispute or a Bijzonderheid (rules.dispute, rules.insolvency);
# intern-oplossen for open credit notes has its own goal and is no dispute.
DISPUTE_GOALS = frozenset({GOALS[Action.RESOLVE], GOAL_INSOLVENCY})
AGREEMENT_ACTIONS = frozenset({Action.WAIT, Action.CONFIRM})

AGEING_HEADER = ("Ouderdom", "Facturen", "Bedrag")
FIGURES_HEADER = ("Kerncijfer", "Aantal", "Bedrag")
TOP_HEADER = (
    "Klantnummer", "Naam", "Segment", "Open", "Vervallen", "Oudste vervaldatum",
    "Volgende actie",
)  # fmt: skip


def days_overdue(action: NextAction, as_of: date) -> int:
    """Days past the due date on the plan date; 0 or less is not yet due."""
    due = action.due_date or as_of
    return (as_of - due).days


def bucket_of(days: int) -> Bucket:
    for bucket in AGEING_BUCKETS:
        if bucket.upto is None or days <= bucket.upto:
            return bucket
    raise AssertionError("the last bucket has no limit")  # pragma: no cover


def _count_and_sum(actions: Iterable[NextAction]) -> tuple[int, Decimal]:
    chosen = list(actions)
    return len(chosen), sum((a.open_amount for a in chosen), ZERO)


def ageing_rows(open_actions: list[NextAction], as_of: date) -> list[tuple[object, ...]]:
    """Count and open amount per ageing bucket, then the total."""
    per: dict[str, list[NextAction]] = {b.label: [] for b in AGEING_BUCKETS}
    for a in open_actions:
        per[bucket_of(days_overdue(a, as_of)).label].append(a)
    rows: list[tuple[object, ...]] = [
        (label, *_count_and_sum(members)) for label, members in per.items()
    ]
    rows.append(("Totaal", *_count_and_sum(open_actions)))
    return rows


def dso(open_total: Decimal, revenue: Decimal) -> int | None:
    """Days Sales Outstanding, whole days rounded half up; None without revenue."""
    if revenue <= ZERO:
        return None
    return int((open_total * DSO_DAYS / revenue).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def figure_rows(plan: Plan, book: Book, open_actions: list[NextAction]) -> list[tuple[object, ...]]:
    """DSO and the totals by situation: open, overdue, disputed, agreed, handed over."""
    revenue = sum((s.revenue for s in plan.scores), ZERO)
    count, open_total = _count_and_sum(open_actions)
    days = dso(open_total, revenue)
    review = [p for p in book.payments if p.status is PaymentStatus.REVIEW]
    return [
        (DSO_LABEL, days if days is not None else "geen omzet", None),
        ("Omzet 12 maanden", None, revenue),
        ("Openstaand", count, open_total),
        (
            "Waarvan vervallen",
            *_count_and_sum(a for a in open_actions if a.status is Status.OVERDUE),
        ),
        (
            "In geschil (geschil of bijzonderheid)",
            *_count_and_sum(
                a for a in open_actions if a.action is Action.RESOLVE and a.goal in DISPUTE_GOALS
            ),
        ),
        (
            "Onder afspraak (toezegging of regeling)",
            *_count_and_sum(
                a for a in open_actions if a.action in AGREEMENT_ACTIONS and a.agreement
            ),
        ),
        (
            "Overgedragen aan incassobureau",
            *_count_and_sum(
                a
                for a in open_actions
                if a.action is Action.NONE and a.reason.startswith(HANDED_OVER)
            ),
        ),
        ("Te controleren bankregels", len(review), sum((p.amount for p in review), ZERO)),
    ]


def top_rows(plan: Plan, book: Book, open_actions: list[NextAction]) -> list[tuple[object, ...]]:
    """The customers with the most open, largest first (ties by customer number)."""
    per: dict[CustomerId, list[NextAction]] = {}
    for a in open_actions:
        per.setdefault(a.customer, []).append(a)
    names = {number: c.name for number, c in customer_index(book).items()}
    segments = {s.customer: s.segment.value for s in plan.scores}
    totals = {c: sum((a.open_amount for a in members), ZERO) for c, members in per.items()}
    ranked = sorted((c for c in per if totals[c] > ZERO), key=lambda c: (-totals[c], c))
    rows: list[tuple[object, ...]] = []
    for customer in ranked[:TOP_DEBTORS]:
        members = per[customer]
        oldest = min(members, key=lambda a: (a.due_date or plan.as_of, a.invoice))
        rows.append(
            (
                customer,
                names.get(customer, ""),
                segments.get(customer, ""),
                totals[customer],
                sum((a.open_amount for a in members if a.status is Status.OVERDUE), ZERO),
                oldest.due_date,
                oldest.action.value,
            )
        )
    return rows


def overview_rows(plan: Plan, book: Book) -> tuple[tuple[object, ...], ...]:
    """The Overzicht sheet from A1: title, ageing, key figures and the top debtors.

    Only open invoices count (status open or vervallen, their open amount); credit notes
    are left out. `book` gives the customers' names and the Betalingen still to review.
    """
    open_actions = [a for a in plan.actions if a.status in OPEN_STATUSES]
    return (
        (f"Overzicht {nl_date(plan.as_of)}",),
        (),
        ("Openstaand per ouderdom",),
        AGEING_HEADER,
        *ageing_rows(open_actions, plan.as_of),
        (),
        ("Kerncijfers",),
        FIGURES_HEADER,
        *figure_rows(plan, book, open_actions),
        (),
        ("Grootste debiteuren",),
        TOP_HEADER,
        *top_rows(plan, book, open_actions),
    )
