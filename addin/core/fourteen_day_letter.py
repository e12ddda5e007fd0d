"""The facts a consumer's 14-day letter (art. 6:96 lid 6 BW) must get right, in one record.

Dates come from `fourteen_days` (presumed receipt per HR 25-11-2016, ECLI:NL:HR:2016:2704);
the costs from `collection_costs`, charged once on the sum of all open claims (art. 6:96
lid 7 BW), because the letter must state the exact amount that will be charged. The term
wording is the one the Hoge Raad approved; a letter saying "na dagtekening" or printing
a date that is too early is worthless (notes/LEGAL.md section 2), so letters should use
TERM_WORDING and, if they print a date at all, `last_day`.

Example (LEGAL.md vector D1 with B12's claims)::

    >>> facts = fourteen_day_letter(
    ...     date(2025, 3, 3), [Decimal("800.00"), Decimal("900.00"), Decimal("1000.00")]
    ... )
    >>> facts.received.isoformat(), facts.last_day.isoformat(), facts.costs_due.isoformat()
    ('2025-03-05', '2025-03-19', '2025-03-20')
    >>> facts.costs.total
    Decimal('395.00')
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from addin.core import fourteen_days
from addin.core.collection_costs import CostsResult, consumer_costs

# HR 25-11-2016, ECLI:NL:HR:2016:2704: the term starts the day after the debtor receives
# the letter; this is the wording the HR accepted (LEGAL.md section 2, checked 2026-11).
TERM_WORDING = "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd"


@dataclass(frozen=True, slots=True)
class FourteenDayLetter:
    """When a 14-day letter posted on a given day takes effect, and what it may charge.

    Attributes:
        posted: the day the letter is posted (or e-mailed).
        received: the presumed day of receipt.
        last_day: the last day of the 14-day term (extended past weekends and holidays).
        costs_due: the first day on which the collection costs are due.
        wording: the term as the letter must state it.
        costs: the collection costs on the sum of the claims; None when no claims given.
    """

    posted: date
    received: date
    last_day: date
    costs_due: date
    wording: str
    costs: CostsResult | None


def fourteen_day_letter(
    posted: date, principals: Sequence[Decimal] = (), *, vat: bool = False
) -> FourteenDayLetter:
    """The dates and the exact costs for a 14-day letter posted on `posted`."""
    return FourteenDayLetter(
        posted=posted,
        received=fourteen_days.presumed_receipt(posted),
        last_day=fourteen_days.term_end(posted),
        costs_due=fourteen_days.costs_due(posted),
        wording=TERM_WORDING,
        costs=consumer_costs(principals, vat=vat) if len(principals) else None,
    )
