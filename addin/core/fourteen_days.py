"""The consumer's 14-day letter (art. 6:96 lid 6 BW): presumed receipt and when costs are due.

Receipt is presumed on the second day after posting, not counting Sundays, Mondays and
algemeen erkende feestdagen (HR 25-11-2016, ECLI:NL:HR:2016:2704, r.o. 3.5). The 14 days
start the day after receipt; a term ending on a Saturday, Sunday or such holiday runs on to
the next day that is none of these (Algemene termijnenwet art. 1; taking the later day is the
safe side, since a date too early voids the letter). Collection costs are due from the day
after the term. Sources and open points: notes/LEGAL.md sections 2 and 5 (checked 2026-11).

Example::

    Posted on Friday 20-11-2026: Saturday counts, Sunday and Monday do not.

    >>> presumed_receipt(date(2026, 11, 20)).isoformat()
    '2026-11-24'
    >>> costs_due(date(2026, 11, 20)).isoformat()
    '2026-12-09'
"""

from __future__ import annotations

from datetime import date, timedelta

from addin.core.workdays import ONE_DAY, statutory_holidays

SUNDAY, MONDAY, SATURDAY = 6, 0, 5


def _counts_for_delivery(day: date) -> bool:
    return day.weekday() not in (SUNDAY, MONDAY) and day not in statutory_holidays(day.year)


def letter_day(logged: date, sent: date | None, posted: date | None = None) -> date:
    """The day a 14-day letter counts from: the day its e-mail left where Contacten.Verzonden
    is filled (issue 16), else the day it was logged (made, reviewed and posted). Never
    earlier than the logged day; a Verzonden whose day is unknown (date.min) counts from it.

    A letter sent both ways (Brief en e-mail: the e-mail, then its paper copy, Verzonden
    "...SMTP; ... post") counts from the later day, `posted`: whether the e-mail alone was
    a valid aanmaning depends on the consumer having agreed to e-mail, which the workbook
    does not record, and a term counted from too early a day voids the letter.

    >>> letter_day(date(2026, 12, 1), date(2026, 12, 4)).isoformat()
    '2026-12-04'
    >>> letter_day(date(2026, 12, 1), None).isoformat()
    '2026-12-01'
    >>> letter_day(date(2026, 12, 1), date(2026, 12, 1), posted=date(2026, 12, 3)).isoformat()
    '2026-12-03'
    """
    day = max(logged, sent) if sent is not None else logged
    return max(day, posted) if posted is not None else day


def presumed_receipt(posted: date) -> date:
    day, counted = posted, 0
    while counted < 2:
        day += ONE_DAY
        if _counts_for_delivery(day):
            counted += 1
    return day


def term_end(posted: date) -> date:
    """The last day of the 14-day term, extended past weekends and holidays."""
    end = presumed_receipt(posted) + timedelta(days=14)
    while end.weekday() in (SATURDAY, SUNDAY) or end in statutory_holidays(end.year):
        end += ONE_DAY
    return end


def costs_due(posted: date) -> date:
    """The first day on which the collection costs of the letter are due."""
    return term_end(posted) + ONE_DAY
