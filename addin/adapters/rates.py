"""The statutory interest rate table: ``addin/data/wettelijke_rente.csv`` into typed rows.

The file ships inside the package and is read with importlib.resources, so it works from a
source checkout and from an installed wheel alike. Lines starting with ``#`` are comments.
Parsing lives here (an adapter); `addin.core.interest` only computes with the rows.

Example::

    >>> rows = parse_rate_table("vanaf,wettelijke_rente,handelsrente,bron\\n"
    ...                         "2025-01-01,6.00,11.15,vvoadvocatuur.nl\\n")
    >>> rows[0].rate.valid_from, rows[0].rate.commercial
    (datetime.date(2025, 1, 1), Decimal('11.15'))
    >>> load_rates()[-1].valid_from >= date(2026, 1, 1)
    True
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from itertools import pairwise

from addin.core.interest import Rate

RATE_FILE = "wettelijke_rente.csv"
COLUMNS = ("vanaf", "wettelijke_rente", "handelsrente", "bron")


class RateFileError(ValueError):
    """The rate table file cannot be read; the message is Dutch and names the line."""


@dataclass(frozen=True, slots=True)
class RateRow:
    """One line of the rate file.

    Attributes:
        rate: the typed rate for `addin.core.interest`.
        source: the ``bron`` column: where the numbers come from and what is unverified.
        line: the line number in the file, for messages.
    """

    rate: Rate
    source: str
    line: int


def parse_rate_table(text: str) -> tuple[RateRow, ...]:
    """Rows of a rate table in CSV text; raises RateFileError on a malformed line."""
    numbered = [
        (number, line)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]
    if not numbered:
        raise RateFileError("het rentebestand is leeg")
    reader = csv.reader(line for _, line in numbered)
    header = tuple(cell.strip() for cell in next(reader))
    if header != COLUMNS:
        raise RateFileError(
            f"regel {numbered[0][0]}: kolommen {', '.join(header)}; verwacht {', '.join(COLUMNS)}"
        )
    rows = []
    for (number, _), cells in zip(numbered[1:], reader, strict=True):
        if len(cells) != len(COLUMNS):
            raise RateFileError(
                f"regel {number}: {len(cells)} velden; verwacht {', '.join(COLUMNS)}"
            )
        day, consumer, commercial, source = (cell.strip() for cell in cells)
        rate = Rate(
            valid_from=_day(day, number),
            consumer=_percent(consumer, number),
            commercial=_percent(commercial, number),
        )
        rows.append(RateRow(rate=rate, source=source, line=number))
    for before, after in pairwise(rows):
        if after.rate.valid_from <= before.rate.valid_from:
            raise RateFileError(
                f"regel {after.line}: {after.rate.valid_from.isoformat()} komt niet na "
                f"{before.rate.valid_from.isoformat()} (regel {before.line}); zet ze oplopend"
            )
    return tuple(rows)


@lru_cache(maxsize=1)
def rate_table() -> tuple[RateRow, ...]:
    """The shipped table, read once per process."""
    text = resources.files("addin").joinpath("data", RATE_FILE).read_text(encoding="utf-8")
    return parse_rate_table(text)


def load_rates() -> tuple[Rate, ...]:
    """The shipped rates, oldest first, ready for `addin.core.interest.statutory_interest`."""
    return tuple(row.rate for row in rate_table())


def _day(text: str, number: int) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RateFileError(
            f"regel {number}: '{text}' is geen datum; verwacht JJJJ-MM-DD"
        ) from None


def _percent(text: str, number: int) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise RateFileError(
            f"regel {number}: '{text}' is geen percentage; verwacht bijvoorbeeld 11.15"
        ) from None
    if not value.is_finite() or value < 0:
        raise RateFileError(f"regel {number}: '{text}' is geen geldig percentage")
    return value
