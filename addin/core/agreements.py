"""Promises to pay and payment arrangements: schedule, covered invoices and state.

An arrangement's instalments are made with dateutil (rrule for weekly intervals,
relativedelta for months so that 31 January is followed by 28/29 February, not skipped).
Its state compares what was due before the plan date with what has been paid on the covered
invoices since the agreement (PLAYBOOK A1-A3).

Example::

    >>> a = Agreement(id="R1", customer="K1", kind=AgreementKind.ARRANGEMENT,
    ...               first_date=date(2026, 1, 31), amount=Decimal("300.00"), instalments=3)
    >>> [(i.due.isoformat(), str(i.amount)) for i in schedule(a, a.amount)]
    [('2026-01-31', '100.00'), ('2026-02-28', '100.00'), ('2026-03-31', '100.00')]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import islice

from dateutil.relativedelta import relativedelta
from dateutil.rrule import WEEKLY, rrule

from addin.core.model import Agreement, AgreementKind, AgreementState, Interval
from addin.core.money import ZERO, to_cents


@dataclass(frozen=True, slots=True)
class Instalment:
    number: int  # 1-based
    due: date
    amount: Decimal


def _weekly(step: int) -> Callable[[date, int], Iterator[date]]:
    def dates(start: date, count: int) -> Iterator[date]:
        yield start  # most checks stop at the first instalment: no rrule needed for it
        if count > 1:
            begin = datetime(start.year, start.month, start.day)
            rule = rrule(WEEKLY, interval=step, dtstart=begin, count=count)
            yield from (d.date() for d in islice(rule, 1, None))

    return dates


@lru_cache(maxsize=256)
def _months(n: int) -> relativedelta:
    return relativedelta(months=n)


def _monthly(start: date, count: int) -> Iterator[date]:
    # relativedelta keeps month ends (31-1 -> 28-2 -> 31-3 counted from the start date);
    # building one costs ~20 us, so they are cached and the first date needs none.
    yield start
    for i in range(1, count):
        yield start + _months(i)


# Lazy: a status check stops at the first instalment not yet paid.
INSTALMENT_DATES: dict[Interval, Callable[[date, int], Iterator[date]]] = {
    Interval.WEEK: _weekly(1),
    Interval.TWO_WEEKS: _weekly(2),
    Interval.MONTH: _monthly,
}


def instalments(agreement: Agreement, total: Decimal) -> Iterator[Instalment]:
    """The instalments of an agreement covering `total`, in order; a promise is one.

    Without a Termijnbedrag the total is split evenly in cents, the last instalment taking
    the remainder; with one, every instalment is that amount and the last one the rest.
    """
    count = 1 if agreement.kind is AgreementKind.PROMISE else max(1, agreement.instalments)
    remaining = to_cents(total)
    if count == 1:  # every interval's first date is the first date itself
        yield Instalment(1, agreement.first_date, remaining)
        return
    dates = INSTALMENT_DATES[agreement.interval](agreement.first_date, count)
    each = (
        to_cents(agreement.instalment_amount)
        if agreement.instalment_amount is not None
        else to_cents(total / count)
    )
    for i, due in enumerate(dates, start=1):
        amount = remaining if i == count else min(each, remaining)
        yield Instalment(i, due, amount)
        remaining -= amount


def schedule(agreement: Agreement, total: Decimal) -> tuple[Instalment, ...]:
    """All instalments of an agreement covering `total` (see `instalments`)."""
    return tuple(instalments(agreement, total))


@dataclass(frozen=True, slots=True)
class AgreementStatus:
    """Where an agreement stands on the plan date.

    Attributes:
      missed: the first instalment not paid in full by its date, when state is MISSED.
      next_due: the next instalment still to pay, when state is RUNNING.
    """

    state: AgreementState
    total: Decimal
    paid: Decimal
    missed: Instalment | None = None
    next_due: Instalment | None = None


def agreement_status(
    agreement: Agreement, total: Decimal, paid: Decimal, as_of: date
) -> AgreementStatus:
    """State of an agreement covering `total` of which `paid` has been paid since it was made.

    An instalment counts as missed from the day after its date (a promise for Friday is kept
    if the money is there on Friday).
    """
    if paid >= total:
        return AgreementStatus(AgreementState.KEPT, total, paid)
    due_so_far = ZERO
    for inst in instalments(agreement, total):
        due_so_far += inst.amount
        if paid >= due_so_far:
            continue
        if inst.due < as_of:
            return AgreementStatus(AgreementState.MISSED, total, paid, missed=inst)
        return AgreementStatus(AgreementState.RUNNING, total, paid, next_due=inst)
    return AgreementStatus(AgreementState.KEPT, total, paid)  # pragma: no cover - paid >= total


def is_confirmed(agreement: Agreement) -> bool:
    return agreement.confirmation_sent is not None or agreement.signed_returned
