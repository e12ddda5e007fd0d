"""Money: Decimal only, rounded to cents at defined points, never float.

Parsing Dutch number text ("1.234,56") and converting Excel floats is the adapters' job
(`addin.adapters.workbook.cells`); this module only holds the arithmetic conventions.

Example::

    >>> to_cents(Decimal("10.005"))
    Decimal('10.01')
    >>> format_eur(Decimal("-1234.5"))
    '€ -1.234,50'
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def to_cents(value: Decimal | int) -> Decimal:
    """Round to whole cents, half away from zero (the commercial convention)."""
    if value.__class__ is Decimal:  # the usual case, without a copy
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    if isinstance(value, float):
        raise TypeError(f"money must be Decimal, not float ({value!r})")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_amount(value: Decimal) -> str:
    """Dutch number text with two decimals: Decimal('-1234.5') -> '-1.234,50'."""
    text = f"{to_cents(value):,.2f}"
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def format_eur(value: Decimal) -> str:
    return f"€ {format_amount(value)}"


def json_amount(value: Decimal) -> str:
    """The command line contract's amount form: '1234.56'."""
    return f"{to_cents(value):.2f}"
