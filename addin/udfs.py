"""Worksheet functions for Excel (classic open-source xlwings UDFs, Windows Excel only).

``=INCASSOKOSTEN(bedrag; [btw])`` gives the buitengerechtelijke incassokosten on a hoofdsom
per the Besluit (BWBR0031432, art. 2); ``=WETTELIJKERENTE(bedrag; van; tot; [soort])`` the
statutory interest from the first interest day through the last, inclusive, with the
shipped rate table. Both return a number, or a Dutch text starting with ``#FOUT:`` when an
argument cannot be used, so one bad row shows its reason instead of breaking the sheet.

This module is an adapter: it converts what Excel passes (floats for numbers, datetime for
date cells, floats for dates computed by formulas, xlwings issue #2581; str for text; None
for an empty cell; bool for WAAR/ONWAAR) with `addin.adapters.workbook.cells`, calls the core with
Decimals and dates, and turns the Decimal result into a float only on the way out.

The functions carry no type annotations on purpose: xlwings' Windows decorator turns an
argument's annotation into a converter (`xlfunc` reads `get_type_hints`), and a hint such as
``float | None`` is no converter. The decorators are looked up on `xw` at import time, so a
build step can bind xlwings' Windows `xlfunc`/`xlarg`/`xlret` to generate the VBA wrappers
on Linux (notes/EXCEL.md); elsewhere they are no-ops.

Example (what Excel shows for =INCASSOKOSTEN(3000; WAAR), LEGAL.md vector B6)::

    >>> INCASSOKOSTEN(3000.0, True)
    514.25
    >>> INCASSOKOSTEN(None)
    '#FOUT: bedrag ontbreekt'
    >>> from datetime import datetime
    >>> WETTELIJKERENTE(1000.0, datetime(2025, 4, 1), datetime(2025, 6, 30), "handel")
    27.8
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

import xlwings as xw

from addin import schema
from addin.adapters.rates import RateFileError, load_rates
from addin.adapters.workbook.cells import CellError, to_amount, to_bool, to_date, to_text
from addin.adapters.workbook.reader import read_values
from addin.core.collection_costs import collection_costs
from addin.core.interest import InterestKind, RateTableError, statutory_interest
from addin.core.plan import plan_book
from addin.core.plan_sheet import plan_rows

T = TypeVar("T")

CATEGORY = "Debiteuren"
ERROR_PREFIX = "#FOUT: "

# What users type for the kind of interest; compared case-insensitively, spaces ignored.
KINDS: dict[str, InterestKind] = {
    "handel": InterestKind.COMMERCIAL,
    "handelsrente": InterestKind.COMMERCIAL,
    "wettelijkehandelsrente": InterestKind.COMMERCIAL,
    "zakelijk": InterestKind.COMMERCIAL,
    "b2b": InterestKind.COMMERCIAL,
    "6:119a": InterestKind.COMMERCIAL,
    "gewoon": InterestKind.CONSUMER,
    "wettelijk": InterestKind.CONSUMER,
    "wettelijkerente": InterestKind.CONSUMER,
    "consument": InterestKind.CONSUMER,
    "particulier": InterestKind.CONSUMER,
    "b2c": InterestKind.CONSUMER,
    "6:119": InterestKind.CONSUMER,
}


class _Refused(ValueError):
    """An argument the function cannot use; the message is the Dutch text for the cell."""


def _required(value: object, name: str, convert: Callable[[object], T | None]) -> T:
    """The argument converted, or _Refused naming it when it is empty or unusable."""
    if value is None:
        raise _Refused(f"{name} ontbreekt")
    try:
        got = convert(value)
    except CellError as exc:
        raise _Refused(f"{name}: {exc}") from None
    if got is None:
        raise _Refused(f"{name} ontbreekt")
    return got


def _amount(value: object, name: str) -> Decimal:
    amount = _required(value, name, to_amount)
    if amount < 0:
        raise _Refused(f"{name} is negatief ({to_text(value)}); geef een bedrag van 0 of meer")
    return amount


def _day(value: object, name: str) -> date:
    return _required(value, name, to_date)


def _flag(value: object, name: str) -> bool:
    try:
        flag = to_bool(value)
    except CellError as exc:
        raise _Refused(f"{name}: {exc}") from None
    return bool(flag)


def _kind(value: object) -> InterestKind:
    text = to_text(value).casefold().replace(" ", "").replace("-", "")
    if not text:
        return InterestKind.COMMERCIAL
    kind = KINDS.get(text)
    if kind is None:
        raise _Refused(f'soort \'{to_text(value)}\' is onbekend; gebruik "handel" of "gewoon"')
    return kind


@xw.func(category=CATEGORY)
@xw.arg("bedrag", doc="de hoofdsom in euro (zonder rente)")
@xw.arg("btw", doc="WAAR als 21% btw wordt doorberekend (alleen bij een incassobureau)")
def INCASSOKOSTEN(bedrag, btw=False):  # type: ignore[no-untyped-def]  # see module doc
    """Buitengerechtelijke incassokosten op de hoofdsom (Besluit BIK art. 2), in euro."""
    try:
        principal = _amount(bedrag, "bedrag")
        vat = _flag(btw, "btw")
    except _Refused as exc:
        return ERROR_PREFIX + str(exc)
    if principal == 0:
        return 0.0  # nothing owed, nothing to collect: no minimum either
    return float(collection_costs(principal, vat=vat).total)


@xw.func(category=CATEGORY)
@xw.arg("bedrag", doc="de hoofdsom in euro")
@xw.arg("van", doc="de eerste dag met rente: de dag na de vervaldag")
@xw.arg("tot", doc="de laatste dag met rente (tot en met), meestal de betaaldag")
@xw.arg("soort", doc='"handel" (art. 6:119a BW, standaard) of "gewoon" (art. 6:119 BW)')
def WETTELIJKERENTE(bedrag, van, tot, soort="handel"):  # type: ignore[no-untyped-def]
    """Wettelijke (handels)rente over de hoofdsom van 'van' tot en met 'tot', in euro."""
    try:
        principal = _amount(bedrag, "bedrag")
        start = _day(van, "van")
        end = _day(tot, "tot")
        kind = _kind(soort)
        result = statutory_interest(principal, start, end, load_rates(), kind)
    except _Refused as exc:
        return ERROR_PREFIX + str(exc)
    except (RateTableError, RateFileError) as exc:
        return ERROR_PREFIX + str(exc)
    return float(result.total)


# --- the whole plan as one array formula ----------------------------------------------------

# Excel may call the same array formula more than once in one recalculation (and again for
# every cell a user selects in the Formula bar); one remembered answer absorbs that without a
# second run of the engine. Keyed by the raw arguments, so any change of any input re-plans.
_LAST_PLAN: list[tuple[tuple[object, ...], list[list[object]]]] = []


@xw.func(category=CATEGORY)
@xw.arg("facturen", ndim=2, doc="tblFacturen[[#All],[Factuurnummer]:[Eigen actiedatum]]")
@xw.arg("klanten", ndim=2, doc="tblKlanten[#All]")
@xw.arg("contactpersonen", ndim=2, doc="tblContactpersonen[#All]")
@xw.arg("afspraken", ndim=2, doc="tblAfspraken[#All]")
@xw.arg("contacten", ndim=2, doc="tblContacten[#All]")
@xw.arg("betalingen", ndim=2, doc="tblBetalingen[#All]")
@xw.arg("stappen", ndim=2, doc="tblStappen[#All]")
@xw.arg("instellingen", ndim=2, doc="tblInstellingen[#All]")
@xw.arg("peildatum", doc="de datum waarop het plan geldt (meestal vandaag)")
def DEBITEUREN_PLAN(  # type: ignore[no-untyped-def]  # see module doc
    facturen,
    klanten,
    contactpersonen,
    afspraken,
    contacten,
    betalingen,
    stappen,
    instellingen,
    peildatum,
    caller=None,
):
    """Status en volgende actie van elke factuur: één rij per factuur, met kopregel."""
    # in the order of schema.TABLES, which is the order of the parameters
    blocks = (
        facturen,
        klanten,
        contactpersonen,
        afspraken,
        contacten,
        betalingen,
        stappen,
        instellingen,
    )
    key = (*blocks, peildatum)
    if _LAST_PLAN and _LAST_PLAN[0][0] == key:
        return _padded(_LAST_PLAN[0][1], caller)
    try:
        as_of = _day(peildatum, "peildatum")
    except _Refused as exc:
        return [[ERROR_PREFIX + str(exc)]]
    tables = dict(zip((spec.name for spec in schema.TABLES), blocks, strict=True))
    book, _problems = read_values({name: rows for name, rows in tables.items() if rows})
    rows: list[list[object]] = [list(schema.PLAN_HEADER)]
    rows.extend([_cell(value) for value in row] for row in plan_rows(plan_book(book, as_of)))
    _LAST_PLAN[:] = [(key, rows)]
    return _padded(rows, caller)


def _padded(rows: list[list[object]], caller: object) -> list[list[object]]:
    """The rows filled out with empty text to the size of the calling array formula, so the
    cells below the plan show nothing instead of #N/A. `caller` is xlwings' reserved argument
    (the calling range, on Windows; absent in tests and on other front doors)."""
    try:
        height, width = caller.shape  # type: ignore[attr-defined]
    except Exception:  # no caller, or Excel could not tell: the plan as it is
        return rows
    if height <= len(rows) or not rows:
        return rows
    blank: list[object] = [""] * max(width, len(rows[0]))
    return rows + [blank] * (height - len(rows))


def _cell(value: object) -> object:
    """What Excel gets: dates as datetime (xlwings' converter wants one), text as it is."""
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value
