"""A customer's company numbers: the KvK-nummer and the BTW-nummer (Klanten.KvK, BTW-nummer).

What is wrong with one, in Dutch, or None when nothing is; `controleer` reports it as a
problem of that cell and never refuses the workbook for it (the letters do not use them;
the invoice import matches on them).

- KvK-nummer (Handelsregisterwet 2007; kvk.nl: "een uniek 8-cijferig KVK-nummer"): eight
  digits. KvK publishes no check digit for it, so only the form is checked.
- BTW-nummer (btw-identificatienummer): an EU VAT number is checked with python-stdnum's
  `eu.vat` (the country's form and check digits; for NL `nl.btw`: NL, 9 digits, B, 2 digits,
  with the mod-11 check of the older numbers and the mod-97 check of the sole-proprietor
  numbers of 2020). A number of a country outside the EU (GB, CH, NO) is not checked: stdnum
  knows their forms, but such a customer's number is rare here and a false alarm is worse.

Checked on 2026-12-05 against kvk.nl ("KVK-nummer: alles wat je moet weten") and
python-stdnum 2.2.

Example::

    >>> kvk_error("3208133") is None, vat_error("NL004495445B01") is None
    (False, True)
    >>> vat_error("004495445B01")
    'de landcode ontbreekt; schrijf NL004495445B01'
    >>> vat_error("GB980780684") is None
    True
"""

from __future__ import annotations

import re
from functools import lru_cache

from stdnum.eu import vat as eu_vat
from stdnum.nl import btw as nl_btw

KVK_DIGITS = 8
# stdnum's eu.vat knows every EU member state (GR is written EL) and Northern Ireland (XI).
_EU_PREFIXES = frozenset(c.upper() for c in eu_vat.MEMBER_STATES) | {"EL"}
_COUNTRY = re.compile(r"^[A-Z]{2}")
# What people type inside the numbers and what does not count: spaces and dots.
_NOISE = re.compile(r"[\s.]+")


def compact(text: str) -> str:
    """A KvK-nummer or BTW-nummer as typed, without its spaces and dots ('3208 1330' ->
    '32081330'): how both are compared and checked (the reader's Klanten.KvK and
    BTW-nummer, the checks of Instellingen)."""
    return _NOISE.sub("", text)


def kvk_error(kvk: str) -> str | None:
    """Why `kvk` (as the reader gives it: no spaces or dots) is no KvK-nummer, or None."""
    if not kvk or (len(kvk) == KVK_DIGITS and kvk.isdigit() and kvk.isascii()):
        return None
    if kvk.isdigit():
        return f"{len(kvk)} cijfers; een KvK-nummer heeft er {KVK_DIGITS}, controleer het nummer"
    return f"een KvK-nummer bestaat uit {KVK_DIGITS} cijfers, zonder letters of streepjes"


# Checked on every plan (core/checks.py), which the Excel door makes again and again on the
# same customers: python-stdnum takes about 30 us a number, so each distinct one once.
@lru_cache(maxsize=65536)
def vat_error(vat: str) -> str | None:
    """Why `vat` (upper case, no spaces or dots) is no valid EU btw-nummer, or None; None
    too for a number of a country outside the EU (not checked)."""
    if not vat:
        return None
    country = _COUNTRY.match(vat)
    if country is None:
        if nl_btw.is_valid("NL" + vat):
            return f"de landcode ontbreekt; schrijf NL{vat}"
        return "het begint niet met een landcode (zoals NL); controleer het nummer"
    if country[0] not in _EU_PREFIXES:
        return None
    if nl_btw.is_valid(vat) if country[0] == "NL" else eu_vat.is_valid(vat):
        return None
    if country[0] == "NL":
        return (
            "geen geldig Nederlands btw-nummer (NL, 9 cijfers, B, 2 cijfers, met een "
            "kloppend controlecijfer); controleer het nummer"
        )
    return f"geen geldig btw-nummer voor {country[0]} (vorm of controlecijfer); controleer het"
