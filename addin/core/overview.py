"""The Overzicht sheet: ageing of the open invoices, key figures (DSO) and the top debtors.

Every figure is read off the engine's own Plan (statuses, open amounts, due dates, actions,
customer scores), so the Overzicht never disagrees with the Werklijst or =NEXTACTION. The
rows are values only; the workbook writer formats dates and Decimal amounts.

Example (plan date 24-11-2026; K1 invoiced 1000.00 in the last 12 months)::

    F1  K1  due 2026-12-10  open 400.00   ->  Niet vervallen     1   400.00
    F2  K1  due 2026-10-10  open 600.00   ->  31-60 dagen        1   600.00 (45 days late)
    DSO = 1000.00 open / 1000.00 revenue x 365 = 365 days
    DSO countback: the 1000.00 open counted back over the revenue per month, newest first
    Grootste debiteuren: K1, open 1000.00, vervallen 600.00, oudste vervaldatum 10-10-2026
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from addin.core.ledger import customer_index
from addin.core.model import (
    Action,
    Book,
    CustomerId,
    Invoice,
    NextAction,
    PaymentStatus,
    Plan,
    Status,
)
from addin.core.money import ZERO
from addin.core.sheet_layout import (
    Area,
    Chart,
    SheetLayout,
    Style,
    fit_heights,
    fit_widths,
    value_style,
)
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
# The countback method: the open total is counted back against each month's revenue, the
# newest month first, whole months while it covers them, then the part of the month it
# covers (e.g. 2950 open, revenue 400, 300, 500, 250, 1000, 800 in the months back:
# 31 + 30 + 31 + 31 + 30 days + 500/800 x 31 = 172 days). Less sensitive to seasons than
# the simple DSO; months are calendar months back from the plan date.
DSO_COUNTBACK_LABEL = "DSO countback (dagen, openstaand teruggeteld over de omzet per maand)"
COUNTBACK_MONTHS = 12
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


def dso_countback(open_total: Decimal, invoices: Sequence[Invoice], as_of: date) -> int | None:
    """Days Sales Outstanding by the countback method (see DSO_COUNTBACK_LABEL), whole
    days rounded half up; None without revenue in the last COUNTBACK_MONTHS months. When the
    open total is more than those months' revenue, the count stops at their days."""
    # Month k (1 = the latest) runs from just after as_of - k months up to as_of - (k - 1)
    # months. Every invoice is put in its month in one pass (bisect on the month ends),
    # not one pass over all invoices per month; Decimal sums are exact, so the order of
    # adding does not matter.
    edges = [as_of - relativedelta(months=k) for k in range(COUNTBACK_MONTHS, 0, -1)]
    edges.append(as_of)  # ascending: the oldest month's start ... as_of
    revenues = [ZERO] * (COUNTBACK_MONTHS + 1)  # by index into edges
    first, last = edges[0], as_of
    for i in invoices:
        day = i.invoice_date
        if first < day <= last:
            at = bisect_left(edges, day)
            revenues[at] += i.amount
    months = [
        ((edges[at] - edges[at - 1]).days, revenues[at]) for at in range(COUNTBACK_MONTHS, 0, -1)
    ]
    if sum((r for _, r in months), ZERO) <= ZERO:
        return None
    remaining = max(open_total, ZERO)
    days = Decimal(0)
    for length, revenue in months:
        if remaining <= ZERO:
            break
        if revenue > ZERO and remaining < revenue:
            days += remaining / revenue * length
            remaining = ZERO
            break
        days += length
        remaining -= max(revenue, ZERO)
    return int(days.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def figure_rows(plan: Plan, book: Book, open_actions: list[NextAction]) -> list[tuple[object, ...]]:
    """DSO both ways and the totals by situation: open, overdue, disputed, agreed, handed
    over."""
    revenue = sum((s.revenue for s in plan.scores), ZERO)
    count, open_total = _count_and_sum(open_actions)
    days = dso(open_total, revenue)
    countback = dso_countback(open_total, book.invoices, plan.as_of)
    review = [p for p in book.payments if p.status is PaymentStatus.REVIEW]
    return [
        (DSO_LABEL, days if days is not None else "geen omzet", None),
        (DSO_COUNTBACK_LABEL, countback if countback is not None else "geen omzet", None),
        ("Omzet 12 maanden", None, revenue),
        ("Openstaand", count, open_total),
        (
            "Waarvan vervallen",
            *_count_and_sum(a for a in open_actions if a.status is Status.OVERDUE),
        ),
        (
            # Not in Openstaand (that is what customers owe): what the business owes back
            # or has still to set off against their invoices.
            "Open creditnota's (nog te verrekenen)",
            *_count_and_sum(
                a for a in plan.actions if a.status is Status.CREDIT_NOTE and a.open_amount < ZERO
            ),
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
                _action_label(oldest),
            )
        )
    return rows


# What the Volgende actie column says of an invoice at the collection agency: its action is
# "geen" (nothing more for the user to do), which beside a large overdue amount reads as if
# the amount were forgotten.
AT_AGENCY = "overgedragen"


def _action_label(a: NextAction) -> str:
    if a.action is Action.NONE and a.reason.startswith(HANDED_OVER):
        return AT_AGENCY
    return a.action.value


NO_DEBTORS = "Geen openstaande facturen."
GOOD_HEADER = ("Klantnummer", "Naam", "Segment", "Betaalde facturen")


def good_payer_rows(plan: Plan, book: Book) -> list[tuple[object, ...]]:
    """PLAYBOOK R1: the customers who pay on time (scoring's good_payer), by number."""
    names = {number: c.name for number, c in customer_index(book).items()}
    return [
        (s.customer, names.get(s.customer, ""), s.segment.value, s.paid_invoices)
        for s in sorted(plan.scores, key=lambda s: s.customer)
        if s.good_payer
    ]


@dataclass(frozen=True, slots=True)
class Overview:
    """The figures of the Overzicht, for the sheet and for `debiteuren overzicht --json`."""

    as_of: date
    ageing: tuple[tuple[object, ...], ...]  # per bucket: label, count, amount (no total)
    total: tuple[object, ...]
    dso: int | None
    dso_countback: int | None
    figures: tuple[tuple[object, ...], ...]
    top: tuple[tuple[object, ...], ...]
    good_payers: tuple[tuple[object, ...], ...]


def overview(plan: Plan, book: Book) -> Overview:
    """Only open invoices count (status open or vervallen, their open amount); credit notes
    are left out. `book` gives the customers' names and the Betalingen still to review."""
    open_actions = [a for a in plan.actions if a.status in OPEN_STATUSES]
    ageing = ageing_rows(open_actions, plan.as_of)
    figures = figure_rows(plan, book, open_actions)
    simple, countback = figures[0][1], figures[1][1]
    return Overview(
        as_of=plan.as_of,
        ageing=tuple(ageing[:-1]),
        total=ageing[-1],
        dso=simple if isinstance(simple, int) else None,
        dso_countback=countback if isinstance(countback, int) else None,
        figures=tuple(figures),
        top=tuple(top_rows(plan, book, open_actions)),
        good_payers=tuple(good_payer_rows(plan, book)),
    )


# Where the charts sit: right of the tables, from column I down.
CHART_LEFT, CHART_RIGHT = 9, 17
AGEING_CHART = "ouderdom"
TOP_CHART = "grootste-debiteuren"


def overview_rows(plan: Plan, book: Book) -> SheetLayout:
    """The Overzicht sheet from A1: title, ageing, key figures, the top debtors and the good
    payers, with two charts (ageing per bucket, the largest debtors) over those cells."""
    o = overview(plan, book)
    rows: list[tuple[object, ...]] = []
    styles: list[tuple[Style | None, ...]] = []

    def add(row: tuple[object, ...], kind: Style | None = None, text: Style = Style.TEXT) -> int:
        rows.append(row)
        if kind is None:
            styles.append(tuple(value_style(v, text) for v in row))
        else:
            styles.append((kind,) * len(row))
        return len(rows)

    def add_total(row: tuple[object, ...]) -> None:
        rows.append(row)
        styles.append(
            tuple(Style.TOTAL_MONEY if isinstance(v, Decimal) else Style.TOTAL for v in row)
        )

    add((f"Overzicht {nl_date(o.as_of)}",), Style.TITLE)
    add(())
    add(("Openstaand per ouderdom",), Style.SECTION)
    add(AGEING_HEADER, Style.HEADER)
    first_bucket = len(rows) + 1
    for row in o.ageing:
        add(row)
    last_bucket = len(rows)
    add_total(o.total)
    add(())
    add(("Kerncijfers",), Style.SECTION)
    add(FIGURES_HEADER, Style.HEADER)
    for row in o.figures:
        add(row, text=Style.WRAP)  # the labels say how each figure is computed
    add(())
    add(("Grootste debiteuren",), Style.SECTION)
    if o.top:
        add(TOP_HEADER, Style.HEADER)
    else:  # a header over nothing reads as rows that failed to appear
        add((NO_DEBTORS,))
    first_top = len(rows) + 1
    for row in o.top:
        add(row)
    last_top = len(rows)
    add(())
    add(("Goede betalers (betalen op tijd)",), Style.SECTION)
    if o.good_payers:
        add(GOOD_HEADER, Style.HEADER)
        for row in o.good_payers:
            add(row)
    else:
        add(("Nog geen klant betaalt aantoonbaar op tijd (te weinig betaalde facturen).",))
    widths = fit_widths(rows, styles, (50.0, 45.0))
    ageing_chart = Chart(
        key=AGEING_CHART,
        kind="column",
        title="Openstaand per ouderdom",
        series_name="Bedrag",
        categories=Area(first_bucket, 1, last_bucket, 1),
        values=Area(first_bucket, 3, last_bucket, 3),
        anchor=Area(3, CHART_LEFT, 20, CHART_RIGHT),
    )
    charts = [ageing_chart]
    if o.top:
        charts.append(
            Chart(
                key=TOP_CHART,
                kind="bar",
                title="Grootste debiteuren (openstaand)",
                series_name="Open",
                categories=Area(first_top, 2, last_top, 2),
                values=Area(first_top, 4, last_top, 4),
                anchor=Area(22, CHART_LEFT, 42, CHART_RIGHT),
            )
        )
    return SheetLayout(
        rows=tuple(rows),
        styles=tuple(styles),
        widths=widths,
        heights=fit_heights(rows, styles, widths),
        charts=tuple(charts),
    )
