"""Buitengerechtelijke incassokosten (BIK): the statutory staffel, to the cent.

The fee is a percentage of the hoofdsom per band, at least € 40 and at most € 6.775, and
is increased by 21% BTW only when the creditor hires a VAT-charging collector, cannot
deduct that VAT and says so explicitly (Besluit art. 2 lid 3). Several claims against one
consumer are charged once, on their sum (art. 6:96 lid 7 BW); a business debtor owes at
least € 40 without any reminder (art. 6:96 lid 4 BW). Sources and open points:
notes/LEGAL.md sections 1 and 7.

Rounding: each band's amount is the exact product (only the highest band reached can have
fractions of a cent, because every lower band is full and yields whole euros), the sum is
rounded half-up to the cent once, and then the minimum and maximum are applied; the BTW
is computed on that capped fee and rounded half-up once.

Example (LEGAL.md vector B6)::

    >>> costs = collection_costs(Decimal("3000.00"))
    >>> [(str(b.lower), str(b.rate), str(b.part), str(b.amount)) for b in costs.bands]
    [('0', '0.15', '2500', '375.00'), ('2500', '0.10', '500.00', '50.0000')]
    >>> costs.fee, collection_costs(Decimal("3000.00"), vat=True).total
    (Decimal('425.00'), Decimal('514.25'))
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from addin.core.money import ZERO, to_cents


@dataclass(frozen=True, slots=True)
class Bracket:
    """One row of the staffel.

    Attributes:
        upto: the cumulative hoofdsom at which this band ends; None for the open top band.
        rate: the share of the hoofdsom within the band that is charged (0.15 = 15%).
    """

    upto: Decimal | None
    rate: Decimal


# Besluit vergoeding voor buitengerechtelijke incassokosten (BWBR0031432), art. 2,
# Stb. 2012, 141; in force for verzuim from 1 July 2012 (art. 3). Text read from
# wetten.overheid.nl via statengeneraal/laws-markdown, checked 2026-11.
# Lid 1: 15% over the first € 2500, 10% over the next € 2500, 5% over the next € 5000,
# 1% over the next € 190.000, 0,5% over the rest, "met een maximum van € 6775".
BIK_BRACKETS: tuple[Bracket, ...] = (
    Bracket(upto=Decimal("2500"), rate=Decimal("0.15")),
    Bracket(upto=Decimal("5000"), rate=Decimal("0.10")),
    Bracket(upto=Decimal("10000"), rate=Decimal("0.05")),
    Bracket(upto=Decimal("200000"), rate=Decimal("0.01")),
    Bracket(upto=None, rate=Decimal("0.005")),
)
BIK_MIN = Decimal("40.00")  # art. 2 lid 2: "bedraagt ten minste € 40"
BIK_MAX = Decimal("6775.00")  # art. 2 lid 1: "met een maximum van € 6775"
# Art. 2 lid 3 refers to the general rate of art. 9 lid 1 Wet op de omzetbelasting 1968.
VAT_RATE = Decimal("0.21")
# Art. 6:96 lid 4 BW: in a handelsovereenkomst at least € 40 is due without any reminder.
B2B_MINIMUM = Decimal("40.00")


@dataclass(frozen=True, slots=True)
class Band:
    """The part of the hoofdsom that falls in one bracket, and what it costs.

    Attributes:
        lower: where the band starts (0, 2500, 5000, ...).
        upper: where the band ends; None for the open top band.
        rate: the share charged (0.15 = 15%).
        part: the part of the hoofdsom inside this band.
        amount: part × rate, exact (not rounded; only the highest band reached can have
            fractions of a cent).
    """

    lower: Decimal
    upper: Decimal | None
    rate: Decimal
    part: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class CostsResult:
    """The collection costs on one hoofdsom.

    Attributes:
        principal: the hoofdsom the costs are computed on (for several consumer claims:
            their sum).
        bands: the bands the hoofdsom reaches, lowest first.
        calculated: the sum of the band amounts rounded to the cent, before the minimum
            and maximum.
        fee: the fee excl. BTW: `calculated` held between BIK_MIN and BIK_MAX.
        vat_applied: whether the BTW increase of art. 2 lid 3 was asked for.
        vat: the BTW increase (0.00 when not applied).
        total: fee + vat, the amount to state in the letter.
    """

    principal: Decimal
    bands: tuple[Band, ...]
    calculated: Decimal
    fee: Decimal
    vat_applied: bool
    vat: Decimal
    total: Decimal

    @property
    def at_minimum(self) -> bool:
        return self.calculated < BIK_MIN

    @property
    def at_maximum(self) -> bool:
        return self.calculated > BIK_MAX


def _checked_principal(value: object) -> Decimal:
    # Floats carry binary noise (0.1 + 0.2); amounts from Excel are converted in the
    # adapters, so a float here is a programming error, as in money.to_cents.
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"hoofdsom must be Decimal, not {type(value).__name__} ({value!r})")
    principal = Decimal(value)
    if not principal.is_finite() or principal <= 0:
        raise ValueError(f"hoofdsom must be a positive amount, got {value!r}")
    return principal


def staffel_bands(principal: Decimal) -> tuple[Band, ...]:
    """The bands of BIK_BRACKETS that `principal` reaches, with each band's exact amount."""
    bands = []
    lower = Decimal(0)
    for bracket in BIK_BRACKETS:
        if principal <= lower:
            break
        top = principal if bracket.upto is None else min(principal, bracket.upto)
        part = top - lower
        bands.append(Band(lower, bracket.upto, bracket.rate, part, part * bracket.rate))
        if bracket.upto is None:
            break
        lower = bracket.upto
    return tuple(bands)


def collection_costs(principal: Decimal, *, vat: bool = False) -> CostsResult:
    """The BIK on one hoofdsom per the Besluit, optionally increased by 21% BTW.

    BTW comes after the cap: the Besluit caps the fee in lid 1 and lid 3 says "de
    vergoeding wordt verhoogd met" the VAT percentage, so the increase sits on top of the
    capped fee (at most € 8.197,75), just as it sits on top of the € 40 minimum (€ 48,40).
    LEGAL.md open point 2 notes one collector (betalis.nl) reads it otherwise; this
    follows the statute's wording and LEGAL.md's recommendation.
    """
    base = _checked_principal(principal)
    bands = staffel_bands(base)
    calculated = to_cents(sum((b.amount for b in bands), ZERO))
    fee = min(max(calculated, BIK_MIN), BIK_MAX)
    vat_amount = to_cents(fee * VAT_RATE) if vat else ZERO
    return CostsResult(
        principal=base,
        bands=bands,
        calculated=calculated,
        fee=fee,
        vat_applied=vat,
        vat=vat_amount,
        total=fee + vat_amount,
    )


def consumer_costs(principals: Sequence[Decimal], *, vat: bool = False) -> CostsResult:
    """The BIK for all open claims against one consumer, charged once on their sum.

    Art. 6:96 lid 7 BW: the claims must go in one letter and the fee is computed on the
    total; €800 + €900 + €1.000 costs € 395,00 (BIK of € 2.700), not € 405,00.
    """
    if isinstance(principals, Decimal | str):
        raise TypeError("principals must be a sequence of Decimal amounts")
    amounts = [_checked_principal(p) for p in principals]
    if not amounts:
        raise ValueError("consumer_costs needs at least one claim")
    return collection_costs(sum(amounts, ZERO), vat=vat)


def business_minimum() -> Decimal:
    """The € 40 a business debtor owes from the day after the last payment day, without
    any reminder (art. 6:96 lid 4 BW)."""
    return B2B_MINIMUM


def business_costs(principal: Decimal, *, vat: bool = False) -> CostsResult:
    """The safe default for a business debtor: max(€ 40, staffel).

    Between businesses the Besluit is default law (a contract may agree more, which a court
    may reduce to the staffel), but € 40 is always due (art. 6:96 lid 4 BW). The staffel's
    own minimum is also € 40, so the result equals `collection_costs`; it is kept as its own
    function so callers state which rule they apply, and so the two minimums stay
    separate if either changes.
    """
    costs = collection_costs(principal, vat=vat)
    if costs.fee >= B2B_MINIMUM:
        return costs
    vat_amount = to_cents(B2B_MINIMUM * VAT_RATE) if vat else ZERO
    return replace(costs, fee=B2B_MINIMUM, vat=vat_amount, total=B2B_MINIMUM + vat_amount)
