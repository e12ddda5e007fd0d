"""The Dutch working-day calendar: weekends, public holidays and call days (PLAYBOOK W1).

Public holidays come from the `holidays` package (NL, category "public"), less Good Friday,
which is not a general day off in the Netherlands (notes/LEGAL.md section 5). Statutory
terms (the 14-day letter) use `statutory_holidays`, which follows the Algemene termijnenwet.

Example::

    >>> cal = WorkCalendar(call_days=frozenset({1, 2, 3}))
    >>> cal.next_working_day(date(2026, 4, 24))   # Friday; Monday 27 April is Koningsdag
    datetime.date(2026, 4, 28)
    >>> cal.call_day_on_or_after(date(2026, 11, 23))   # Monday -> Tuesday
    datetime.date(2026, 11, 24)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

ONE_DAY = timedelta(days=1)

# Dutch weekday names and abbreviations (Instellingen.Beldagen) -> date.weekday().
WEEKDAYS: dict[str, int] = {
    "ma": 0,
    "maandag": 0,
    "di": 1,
    "dinsdag": 1,
    "wo": 2,
    "woensdag": 2,
    "do": 3,
    "donderdag": 3,
    "vr": 4,
    "vrijdag": 4,
    "za": 5,
    "zaterdag": 5,
    "zo": 6,
    "zondag": 6,
}
WEEKDAY_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")

_NOT_A_DAY_OFF = frozenset({"Good Friday", "Easter Sunday", "Pentecost"})


@lru_cache(maxsize=64)
def business_holidays(year: int) -> frozenset[date]:
    """Days off for planning calls and letters: NL public holidays except Good Friday."""
    import holidays  # here, not at import: it costs 0.2 s of start-up for every command

    days = holidays.country_holidays("NL", years=year)
    return frozenset(day for day, name in days.items() if name not in _NOT_A_DAY_OFF)


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> frozenset[date]:
    """Algemeen erkende feestdagen (Algemene termijnenwet art. 3): 5 May every year,
    Good Friday included (art. 3 lid 2)."""
    import holidays

    days = holidays.country_holidays("NL", years=year, categories=("public", "optional"))
    return frozenset(days)


def load_holidays(year: int) -> None:
    """Work out `year`'s holidays now: the first time loads the holidays package (0.06 s),
    which the bank command does beside its reading rather than inside its plan."""
    business_holidays(year)
    statutory_holidays(year)


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Working days are Monday-Friday except business holidays; calls only on call days."""

    call_days: frozenset[int] = frozenset({1, 2, 3})

    def is_working_day(self, day: date) -> bool:
        return _is_working_day(day)

    def working_day_on_or_after(self, day: date) -> date:
        while not _is_working_day(day):
            day += ONE_DAY
        return day

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self.working_day_on_or_after(day + ONE_DAY)

    def call_day_on_or_after(self, day: date) -> date:
        """The first working day on or after `day` that is a call day.

        With no call days configured, any working day is a call day.
        """
        return _call_day_on_or_after(day, self.call_days)


@lru_cache(maxsize=4096)
def _is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in business_holidays(day.year)


@lru_cache(maxsize=8192)
def _call_day_on_or_after(day: date, call_days: frozenset[int]) -> date:
    days = call_days & {0, 1, 2, 3, 4} or frozenset({0, 1, 2, 3, 4})
    for _ in range(400):
        if day.weekday() in days and _is_working_day(day):
            return day
        day += ONE_DAY
    raise ValueError(f"no call day found after {day}")  # unreachable with any weekday set
