"""Structured payment references: RF creditor references (ISO 11649) and the Dutch
betalingskenmerk, with their check digits.

Only a reference whose check digits are right is trusted by the matching rule R1 (a typo in
a free-text "kenmerk" must not pay the wrong invoice). IBANs use the same MOD 97-10 check
(`iban_is_valid`), which tells ING's MT940 account "NL69INGB0123456789EUR" from its currency,
and which the sender's and the customers' IBANs must pass (core.sender, core.checks).

- RF (ISO 11649) and IBAN (ISO 13616): python-stdnum's `iso11649` and `iban` modules (pure
  Python, maintained since 2010, used by Odoo and Tryton) instead of our own MOD 97-10. For the
  IBAN only the check digits and the ISO 13616 registry's format of the country (length,
  letters or digits) count, never a national bank-code check (`check_country=False`): test
  numbers and new banks stay valid.
- Betalingskenmerk (Currence, acceptgiro / iDEAL): 16 digits, the first the check digit
  over the other 15. Weights 2, 4, 8, 5, 10, 9, 7, 3, 6, 1 (powers of 2 mod 11), repeating,
  from the rightmost digit leftwards; check = 11 - (sum mod 11), where 11 gives 0 and 10
  gives 1.

Example::

    >>> rf_is_valid("RF18 5390 0754 7034")
    True
    >>> rf_make("539007547034")
    'RF18539007547034'
    >>> betalingskenmerk_make("000000000012345")
    '7000000000012345'
    >>> betalingskenmerk_is_valid("7000 0000 0001 2345")
    True
    >>> iban_is_valid("NL91 ABNA 0417 1643 00")
    True
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import repeat
from operator import add, eq, itemgetter, mod

from stdnum import iban as stdnum_iban
from stdnum import iso11649
from stdnum.iso7064 import mod_97_10

# Powers of 2 mod 11, applied from the rightmost digit (Currence betalingskenmerk).
KENMERK_WEIGHTS: tuple[int, ...] = (2, 4, 8, 5, 10, 9, 7, 3, 6, 1)

_RF_START = re.compile(r"\bRF\d{2}[0-9A-Z]*(?: [0-9A-Z]+)*")
_SEPARATORS = str.maketrans("", "", " .-")


def compact(text: str) -> str:
    """A reference as compared: no spaces, dots or dashes, upper case."""
    return text.translate(_SEPARATORS).upper()


def rf_is_valid(reference: str) -> bool:
    """True for a well-formed RF creditor reference with correct check digits."""
    return bool(iso11649.is_valid(compact(reference)))


def iban_is_valid(iban: str) -> bool:
    """True for an IBAN whose check digits are right (ISO 13616) in its country's format.

    The same answer as python-stdnum's ``iban.is_valid(..., check_country=False)``, which
    costs about 20 µs: for an IBAN of ASCII letters and digits the MOD 97-10 check is one
    `int` here, and the country's format is looked up once per shape (country and the
    places of letters and digits), since that is all stdnum's format check looks at.
    """
    if iban.isalnum() and iban.isascii() and iban.isupper():
        number = iban  # already compact, and only A-Z and 0-9 (most cells)
    else:
        number = compact(iban)
        if not _IBAN_CHARS.fullmatch(number):
            return bool(stdnum_iban.is_valid(number, check_country=False))
    if len(number) > IBAN_MAX_LENGTH:
        # No country's IBAN is longer; and `int` refuses a number of over 4,300 digits
        # with a ValueError (a pasted page of text in an IBAN cell).
        return False
    # Each letter as its two digits (A = 10 ... Z = 35): per character through a dict, as
    # str.translate's path for longer replacements is slower still.
    if int("".join(map(_BASE36.__getitem__, number[4:] + number[:4]))) % 97 != 1:
        return False
    shape = number[:2] + number[4:].translate(_SHAPE)
    ok = _IBAN_SHAPES.get(shape)
    if ok is None:
        ok = bool(stdnum_iban.is_valid(number, check_country=False))
        if len(_IBAN_SHAPES) < 10_000:
            _IBAN_SHAPES[shape] = ok
    return ok


_IBAN_CHARS = re.compile(r"[A-Z0-9]+")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_BASE36 = {ch: str(int(ch, 36)) for ch in "0123456789" + _LETTERS}
_SHAPE = str.maketrans("0123456789" + _LETTERS, "9" * 10 + "A" * 26)
_IBAN_SHAPES: dict[str, bool] = {}  # country + shape of the BBAN -> stdnum's format check
# ISO 13616: at most 34 characters (the longest, Saint Lucia's, has 32).
IBAN_MAX_LENGTH = 34
_IBAN_LINES = re.compile(r"[A-Z0-9]{5,34}+(?:\n[A-Z0-9]{5,34}+)*+")
_COUNTRY, _FIRST_FOUR, _AFTER_FOUR = (
    itemgetter(slice(0, 2)), itemgetter(slice(0, 4)), itemgetter(slice(4, None))
)  # fmt: skip


def all_ibans_valid(ibans: Sequence[str]) -> bool:
    """True when `iban_is_valid` is True for every one of `ibans`, decided for all at once
    (checks.check_customer_ibans runs over every customer of the book): MOD 97-10 over
    columns in C (each IBAN turned round, the letters of all made digits by one
    `str.replace` per letter, each number through int), then the format once per country
    and shape. False says nothing: the caller then asks `iban_is_valid` per IBAN. Only
    IBANs already compact (A-Z, 0-9, five to IBAN_MAX_LENGTH) are taken."""
    if not ibans:
        return True
    text = "\n".join(ibans)
    if text.count("\n") != len(ibans) - 1 or _IBAN_LINES.fullmatch(text) is None:
        return False
    # MOD 97-10: BBAN, then country and check digits, each letter as two digits.
    turned = "\n".join(map(add, map(_AFTER_FOUR, ibans), map(_FIRST_FOUR, ibans)))
    for letter in _LETTERS:
        if letter in turned:
            turned = turned.replace(letter, _BASE36[letter])
    if not all(map(eq, map(mod, map(int, turned.split("\n")), repeat(97)), repeat(1))):
        return False
    # The format (stdnum's, through iban_is_valid and its cache): one IBAN of each country
    # and shape, whose check digits are right now.
    shapes = text.translate(_SHAPE).split("\n")
    first = dict(zip(map(add, map(_COUNTRY, ibans), map(_AFTER_FOUR, shapes)), ibans, strict=True))
    return all(map(iban_is_valid, first.values()))


def rf_make(body: str) -> str:
    """The RF reference for `body` (1-21 letters or digits), check digits computed."""
    body = compact(body)
    return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


def _kenmerk_check(digits: str) -> int:
    total = sum(
        int(d) * KENMERK_WEIGHTS[i % len(KENMERK_WEIGHTS)] for i, d in enumerate(reversed(digits))
    )
    check = 11 - total % 11
    return 0 if check == 11 else 1 if check == 10 else check


def betalingskenmerk_is_valid(reference: str) -> bool:
    """True for a valid betalingskenmerk (Betaalvereniging's specification, notes/LEGAL.md
    6.2): 7 digits (no check); 9-14 digits as C + L + N..., where L is the number of digits
    after it modulo 10; 16 digits as C + 15 N. C is the weighted modulus-11 check over
    everything after it."""
    ref = compact(reference)
    if not ref.isdigit():
        return False
    if len(ref) == 7:
        return True
    if 9 <= len(ref) <= 14:
        return int(ref[1]) == (len(ref) - 2) % 10 and int(ref[0]) == _kenmerk_check(ref[1:])
    if len(ref) == 16:
        return int(ref[0]) == _kenmerk_check(ref[1:])
    return False


def betalingskenmerk_make(number: str) -> str:
    """The 16-digit betalingskenmerk for a number of at most 15 digits (zero-padded)."""
    digits = compact(number).zfill(15)
    if len(digits) != 15 or not digits.isdigit():
        raise ValueError(f"geen betalingskenmerk mogelijk voor {number!r}")
    return f"{_kenmerk_check(digits)}{digits}"


def is_structured(reference: str) -> bool:
    """A reference R1 may trust: a valid RF reference or a valid betalingskenmerk."""
    return rf_is_valid(reference) or betalingskenmerk_is_valid(reference)


# Digits as people type a betalingskenmerk in a description: in groups split by one space,
# dot or dash ("5000 0567 8901 2345", "5000.0567.8901.2345").
_DIGIT_CHAIN = re.compile(r"\d+(?:[ .\-]\d+)*")
_CHAIN_SPLIT = re.compile(r"[ .\-]")
# A kenmerk found in free text has check digits: 9 to 14 or 16 digits (7 have none).
FREE_TEXT_KENMERK_LENGTHS = range(9, 17)


def digit_windows(text: str) -> Iterator[str]:
    """Every run of whole digit groups in `text`, joined, of 9 to 16 digits: where a
    betalingskenmerk typed in a description can be ("kenmerk 5000 0567 8901 2345", also
    beside another number: "Factuur 2026 0017 5000 0567 8901 2345"). Whole groups only, so
    "20260017" never yields "60017"; the caller keeps a window that is a known kenmerk."""
    for chain in _DIGIT_CHAIN.findall(text):
        groups = _CHAIN_SPLIT.split(chain)
        if sum(map(len, groups)) < FREE_TEXT_KENMERK_LENGTHS.start:
            continue
        for i in range(len(groups)):
            joined = ""
            for group in groups[i:]:
                joined += group
                if len(joined) >= FREE_TEXT_KENMERK_LENGTHS.stop:
                    break
                if len(joined) in FREE_TEXT_KENMERK_LENGTHS:
                    yield joined


def find_rf(text: str) -> tuple[str, ...]:
    """The valid RF references written in free text ("RF18 5390 0754 7034"), compacted.

    Banks print RF references in groups of four, so a word after the reference may look
    like one more group ("RF18 5390 0754 7034 DANK U" happens to be valid too, 1 in 97).
    Every run of groups with valid check digits is returned, longest first; the caller
    keeps the one that is a known invoice's reference.
    """
    found = []
    for m in _RF_START.finditer(text.upper()):
        groups = m.group().split()
        for end in range(len(groups), 0, -1):
            ref = "".join(groups[:end])
            if rf_is_valid(ref):
                found.append(ref)
    return tuple(dict.fromkeys(found))
