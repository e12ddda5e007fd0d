"""Cell converters: one raw cell value, as python-calamine returns it, to one domain value.

A raw value is a ``str`` ('' for an empty cell), ``int``, ``float``, ``bool``, ``date``,
``datetime``, ``timedelta`` or ``time``. Users type what they are used to, so the
converters accept the Dutch forms as well as what Excel stores, always day-first. Each
converter returns None (or '' for text, () for lists) for an empty cell, so the caller
decides whether the field is required, and raises `CellError` with a Dutch message that
quotes the bad value and says what is expected.

The common cell types (a float amount, a date cell, a plain string) are handled before
any text parsing, because the reader calls these once per cell of a 100,000-row table.

Example::

    >>> to_date("3 feb 26"), to_date(46056.0)
    (datetime.date(2026, 2, 3), datetime.date(2026, 2, 3))
    >>> to_amount("€ 1.234,56"), to_amount(12.5), to_amount("1.234")
    (Decimal('1234.56'), Decimal('12.50'), Decimal('1234.00'))
    >>> to_enum(Channel, "brief EN email")
    <Channel.LETTER_AND_EMAIL: 'Brief en e-mail'>
    >>> try:
    ...     to_date("31-2-2026")
    ... except CellError as err:
    ...     print(err)
    '31-2-2026' is geen bestaande datum; verwacht dag-maand-jaar, zoals 3-2-2026
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import TypeGuard, TypeVar

from addin.core.company_ids import KVK_DIGITS, compact
from addin.core.model import (
    AgreementKind,
    Audience,
    Basis,
    Channel,
    CustomerKind,
    Interval,
    Outcome,
    PaymentStatus,
    Role,
    Special,
)
from addin.core.money import to_cents
from addin.core.references import betalingskenmerk_is_valid
from addin.core.workdays import WEEKDAYS

E = TypeVar("E", bound=enum.Enum)


class CellError(ValueError):
    """A cell value that cannot be read as what its column holds; the message is Dutch."""


# --- text -----------------------------------------------------------------------------


def to_text(value: object) -> str:
    """Stripped text; a whole number stored as float reads as '123', not '123.0'."""
    if value.__class__ is str:
        return value.strip()
    if isinstance(value, bool):
        return "Ja" if value else "Nee"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return _show_date(value.date())
        return f"{_show_date(value.date())} {value:%H:%M}"
    if isinstance(value, date):
        return _show_date(value)
    if value is None:
        return ""
    return str(value).strip()


# Excel keeps 15 significant digits of a number: typed into a cell not formatted as Text, a
# 16-digit Betalingskenmerk loses its last digit ("Excel stores only 15 significant
# digits", Microsoft's "Excel specifications and limits").
EXCEL_DIGITS = 15


def to_reference(value: object) -> str:
    """Facturen.Betalingskenmerk as text. A number cell of 16 or more digits was rounded by
    Excel when it was typed, so it is no longer the reference the customer must quote: an
    error on its cell, never a wrong kenmerk on a letter or in its QR code (unless it is
    exactly a valid betalingskenmerk, see `exact_kenmerk`).

    >>> to_reference(" 5000 0567 8901 2345 "), to_reference(1234567.0)
    ('5000 0567 8901 2345', '1234567')
    """
    if too_long_for_excel(value) and not exact_kenmerk(value):
        raise CellError(
            f"{shown(value)} staat er als getal en Excel bewaart maar {EXCEL_DIGITS} "
            f"cijfers van een getal: het betalingskenmerk is afgerond. Zet de kolom op "
            f"Tekst en typ het kenmerk opnieuw (of begin met een apostrof: '5000...)"
        )
    return to_text(value)


def too_long_for_excel(value: object) -> TypeGuard[int | float]:
    """A number cell of more digits than Excel keeps (EXCEL_DIGITS): typed, it was rounded."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and abs(value) >= 10**EXCEL_DIGITS
    )


def exact_kenmerk(value: float) -> bool:
    """A number cell that holds a valid 16-digit betalingskenmerk exactly: written by a
    program (an accounting package's export, pasted), not typed, since typing zeroes the
    16th digit; a whole number below 2**53 is exact in a cell's double."""
    if not abs(value) < 2**53 or value != int(value) or value < 0:
        return False
    return betalingskenmerk_is_valid(str(int(value)))


def _show_date(day: date) -> str:
    return f"{day.day}-{day.month}-{day.year}"


SHOWN_MAX = 40  # characters of a value quoted in a message; a longer one is cut


def shown(value: object) -> str:
    """A raw value as the user would recognise it in a message: "'31-2-2026'"; a long one
    (a number cell of 1e300, a pasted paragraph) by its start and its length."""
    text = to_text(value)
    if len(text) > SHOWN_MAX:
        return f"'{text[:SHOWN_MAX]}...' ({len(text)} tekens)"
    return f"'{text}'"


# --- company numbers --------------------------------------------------------------------


def to_kvk(value: object) -> str:
    """Klanten.KvK as text without spaces or dots ('3208 1330' -> '32081330'); a number cell
    shorter than 8 digits gets back the leading zeros Excel dropped (1234567 -> '01234567').
    Anything else is kept as typed: `controleer` says what is wrong with it.

    >>> to_kvk("  3208.1330 "), to_kvk(9123456.0), to_kvk("")
    ('32081330', '09123456', '')
    """
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = to_text(value)
        if text.isdigit() and len(text) < KVK_DIGITS:
            return text.zfill(KVK_DIGITS)
        return text
    return compact(to_text(value))


def to_vat_number(value: object) -> str:
    """Klanten.BTW-nummer in upper case without spaces or dots ('nl 8547.12.345 b01' ->
    'NL854712345B01'); kept as typed otherwise (`controleer` checks it).

    >>> to_vat_number("nl 0044.95.445 b01")
    'NL004495445B01'
    """
    return compact(to_text(value)).upper()


# --- dates ----------------------------------------------------------------------------

_EXCEL_EPOCH = date(1899, 12, 30)
# Serial 60 is Excel's phantom 29-2-1900 and every serial before it is off by one day;
# nobody has invoices from then, so those numbers are refused rather than mis-read.
_MIN_SERIAL = 61
_MAX_SERIAL = (date(2199, 12, 31) - _EXCEL_EPOCH).days
FIRST_DATE = _EXCEL_EPOCH + timedelta(days=_MIN_SERIAL)
LAST_DATE = _EXCEL_EPOCH + timedelta(days=_MAX_SERIAL)
_RANGE_HINT = "verwacht een datum tussen 1-3-1900 en 31-12-2199 (een lege of foute cel?)"

_MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "feb": 2, "febr": 2, "february": 2,
    "maart": 3, "mrt": 3, "mar": 3, "maa": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "augustus": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

_WEEKDAY_PREFIX = r"(?:[a-z]+\.?,?\s+)?"  # "di 3 februari 2026", "dinsdag, 3 feb 2026"
# Matched on case-folded text: ISO 8601's T and Z are t and z there.
_TIME_SUFFIX = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?"
_DMY = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})" + _TIME_SUFFIX)
_YMD = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME_SUFFIX)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_NAMED = re.compile(_WEEKDAY_PREFIX + r"(\d{1,2})\.?[\s.-]*([a-z]+)\.?[\s.-]+(\d{4}|\d{2})")

_DATE_HINT = "verwacht dag-maand-jaar, zoals 3-2-2026"


def to_date(value: object) -> date | None:
    """A date from a date cell, an Excel serial number or Dutch day-first text; '' -> None."""
    cls = value.__class__
    if cls is date or cls is datetime:
        # python-calamine gives NaN in a date cell as 30-12-1899 (serial 0): dates outside
        # the serial range are not real dates in anyone's book.
        day: date = value if cls is date else value.date()  # type: ignore[assignment,attr-defined]
        if not FIRST_DATE <= day <= LAST_DATE:
            raise CellError(f"{shown(value)} is geen bruikbare datum; {_RANGE_HINT}")
        return day
    if cls is float or cls is int:
        return _date_from_number(value)  # type: ignore[arg-type]
    if cls is str:
        text = value.strip()  # type: ignore[attr-defined]
        return _date_from_text(text) if text else None
    if isinstance(value, bool | time | timedelta):
        raise CellError(f"{shown(value)} is geen datum; {_DATE_HINT}")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise CellError(f"{shown(value)} is geen datum; {_DATE_HINT}")


def _date_from_number(number: float) -> date:
    if number - number != 0:  # NaN or infinite
        raise CellError(f"{shown(number)} is geen datum; {_DATE_HINT}")
    serial = int(number)  # a fraction is the time of day
    if _MIN_SERIAL <= serial <= _MAX_SERIAL:
        return _EXCEL_EPOCH + timedelta(days=serial)
    if 19000101 <= serial <= 21991231 and number == serial:  # 20260203 typed as a number
        return _checked_date(number, serial // 10000, serial // 100 % 100, serial % 100)
    raise CellError(
        f"{shown(number)} is geen datum; {_DATE_HINT} "
        f"(een getal wordt gelezen als Excel-datumnummer, tussen {_MIN_SERIAL} en {_MAX_SERIAL})"
    )


def _date_from_text(text: str) -> date:
    lowered = text.casefold()
    if m := _DMY.fullmatch(lowered):
        return _checked_date(text, _year(m[4]), int(m[3]), int(m[1]))
    if m := _YMD.fullmatch(lowered):
        return _checked_date(text, int(m[1]), int(m[3]), int(m[4]))
    if m := _COMPACT.fullmatch(lowered):
        return _checked_date(text, int(m[1]), int(m[2]), int(m[3]))
    if m := _NAMED.fullmatch(lowered):
        month = _MONTHS.get(m[2])
        if month is None:
            raise CellError(f"{shown(text)} is geen datum: onbekende maand '{m[2]}'; {_DATE_HINT}")
        return _checked_date(text, _year(m[3]), month, int(m[1]))
    raise CellError(f"{shown(text)} is geen datum; {_DATE_HINT}")


def _year(digits: str) -> int:
    # Two-digit years are this century: invoices from the 1900s are not in anyone's book.
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def _checked_date(raw: object, year: int, month: int, day: int) -> date:
    try:
        found = date(year, month, day)
    except ValueError:
        raise CellError(f"{shown(raw)} is geen bestaande datum; {_DATE_HINT}") from None
    if not FIRST_DATE <= found <= LAST_DATE:
        raise CellError(f"{shown(raw)} is geen bruikbare datum; {_RANGE_HINT}")
    return found


# --- amounts --------------------------------------------------------------------------

_AMOUNT_HINT = "verwacht een bedrag zoals 1.234,56"
# No invoice comes near it, and a bigger Decimal overflows the 28-digit context in a sum
# or a text later, far from its cell (the bound to_amount has for a float too).
MAX_AMOUNT = Decimal(10) ** 13


def _bounded(amount: Decimal | int, value: object) -> Decimal:
    """`amount` in cents, or CellError naming `value` when it is MAX_AMOUNT or more."""
    if amount >= MAX_AMOUNT or amount <= -MAX_AMOUNT:
        raise CellError(f"{shown(value)} is te groot voor een bedrag; {_AMOUNT_HINT}")
    return to_cents(amount)


_CURRENCY = re.compile(r"€|euros?|eur", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u00a0\u202f']+")
_NUMBER_BODY = re.compile(r"\d[\d.,]*")
_THOUSANDS_HEAD = re.compile(r"[1-9]\d{0,2}")


def to_amount(value: object) -> Decimal | None:
    """A Decimal in whole cents from a number cell or Dutch amount text; '' -> None."""
    cls = value.__class__
    if cls is float:
        # Finite floats whose shortest form has at most two decimals (nearly every amount)
        # are exact in cents; the round trip below proves it without building a string.
        if value - value == 0.0 and abs(value) < 1e13:  # type: ignore[operator, arg-type]
            cents = round(value * 100)  # type: ignore[operator]
            if cents / 100 == value:
                return Decimal(cents).scaleb(-2)
            return to_cents(Decimal(repr(value)))
        raise CellError(f"{shown(value)} is geen bedrag; {_AMOUNT_HINT}")
    if cls is int:
        return _bounded(value, value)  # type: ignore[arg-type]
    if cls is str:
        text = value.strip()  # type: ignore[attr-defined]
        return _amount_from_text(text) if text else None
    if isinstance(value, float):
        return to_amount(float(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return _bounded(int(value), value)
    raise CellError(f"{shown(value)} is geen bedrag; {_AMOUNT_HINT}")


def _amount_from_text(text: str) -> Decimal:
    body = _SPACES.sub("", _CURRENCY.sub("", text)).replace("\u2212", "-")
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1]
    if body[:1] in ("-", "+"):
        negative, body = negative != (body[0] == "-"), body[1:]
    elif body.endswith("-") and not body.endswith(",-") and not body.endswith(".-"):
        negative, body = not negative, body[:-1]  # bookkeeping style "12,50-"
    for whole_euros in (",--", ",-", ".--", ".-"):  # "€ 12,-"
        if body.endswith(whole_euros):
            body = body[: -len(whole_euros)]
            break
    if not _NUMBER_BODY.fullmatch(body) or body.endswith((".", ",")):
        raise CellError(f"{shown(text)} is geen bedrag; {_AMOUNT_HINT}")
    number = _decimal_text(text, body)
    try:
        amount = to_cents(Decimal(number))
    except InvalidOperation:
        raise CellError(f"{shown(text)} is geen bedrag; {_AMOUNT_HINT}") from None
    return _bounded(-amount if negative else amount, text)


def _decimal_text(text: str, body: str) -> str:
    """'1.234,56' -> '1234.56': the last separator is the decimal one, unless Dutch
    grouping says otherwise ('1.234' is 1234)."""
    dots, commas = body.count("."), body.count(",")
    if dots and commas:
        decimal_sep = "." if body.rfind(".") > body.rfind(",") else ","
        thousands_sep = "," if decimal_sep == "." else "."
        whole, _, fraction = body.rpartition(decimal_sep)
        if decimal_sep in whole:
            raise CellError(f"{shown(text)} is geen bedrag; {_AMOUNT_HINT}")
        return f"{_ungroup(text, whole, thousands_sep)}.{fraction}"
    if dots + commas == 0:
        return body
    sep = "." if dots else ","
    whole, _, fraction = body.rpartition(sep)
    if dots + commas > 1:
        return _ungroup(text, body, sep)
    if len(fraction) == 3 and _THOUSANDS_HEAD.fullmatch(whole):
        if sep == ".":
            return whole + fraction  # Dutch text: "1.234" is twelve hundred thirty-four
        # A lone comma before three digits is 1,234 euro to a Dutch reader and 1234 to an
        # English one; guessing wrong changes the amount a thousandfold.
        raise CellError(
            f"{shown(text)} is dubbelzinnig: schrijf 1.234,00 voor duizend-en-zoveel "
            f"of 1,23 voor een bedrag in centen"
        )
    return f"{whole}.{fraction}"


def _ungroup(text: str, number: str, sep: str) -> str:
    plain = number.replace(sep, "")
    groups = number.split(sep)
    if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
        raise CellError(f"{shown(text)} is geen bedrag: de groepen van duizendtallen kloppen niet")
    return plain


# --- whole numbers, yes/no ------------------------------------------------------------

_INT_TEXT = re.compile(
    r"([+-]?\d+)(?:[.,]0+)?\s*(?:dagen|dag|dg|d|termijnen|termijn|keer|x|maal)?\.?"
)


# Days and counts beyond this are typing errors; they would also carry a date past the
# calendar's end (date + 99999999999999999999999 days is an OverflowError).
MAX_INT = 100_000


def to_int(value: object) -> int | None:
    """A whole number (days, counts): 30, 30.0, '30', '30 dagen'; '' -> None."""
    cls = value.__class__
    number: int | None = None
    if cls is float:
        if value.is_integer():  # type: ignore[attr-defined]
            number = int(value)  # type: ignore[call-overload]
    elif cls is int:
        number = value  # type: ignore[assignment]
    elif cls is str:
        text = value.strip().casefold()  # type: ignore[attr-defined]
        if not text:
            return None
        if m := _INT_TEXT.fullmatch(text):
            # Past MAX_INT's few digits it is too big anyway; and `int` refuses a number of
            # over 4,300 digits with a ValueError, not a CellError.
            number = int(m[1]) if len(m[1]) <= 20 else MAX_INT + 1
    if number is None:
        raise CellError(f"{shown(value)} is geen geheel getal; verwacht bijvoorbeeld 30")
    if abs(number) > MAX_INT:
        raise CellError(f"{shown(value)} is te groot; verwacht een getal tot 100.000")
    return number


_YES = frozenset({"ja", "j", "yes", "y", "true", "waar", "1"})
_NO = frozenset({"nee", "n", "no", "false", "onwaar", "0"})


def to_bool(value: object) -> bool | None:
    """Ja/Nee (and J/N, yes/no, WAAR/ONWAAR, 1/0, an Excel boolean); '' -> None."""
    if value.__class__ is bool:
        return value
    key = to_text(value).casefold()
    if not key:
        return None
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(f"{shown(value)} is geen Ja of Nee; verwacht Ja of Nee")


# --- choices --------------------------------------------------------------------------

# Words users write for a choice, besides its own text. Keys are compared like the
# choices themselves: case, spaces, hyphens and dots ignored.
ALIASES: dict[type[enum.Enum], dict[str, enum.Enum]] = {
    CustomerKind: {
        "b2b": CustomerKind.BUSINESS,
        "bedrijf": CustomerKind.BUSINESS,
        "zakelijke klant": CustomerKind.BUSINESS,
        "b2c": CustomerKind.CONSUMER,
        "consument": CustomerKind.CONSUMER,
        "privé": CustomerKind.CONSUMER,
        "prive": CustomerKind.CONSUMER,
        "particuliere klant": CustomerKind.CONSUMER,
    },
    Audience: {
        "b2b": Audience.BUSINESS,
        "bedrijf": Audience.BUSINESS,
        "b2c": Audience.CONSUMER,
        "consument": Audience.CONSUMER,
        "privé": Audience.CONSUMER,
        "prive": Audience.CONSUMER,
        "allen": Audience.ALL,
        "iedereen": Audience.ALL,
        "*": Audience.ALL,
    },
    Channel: {
        "email": Channel.EMAIL,
        "mail": Channel.EMAIL,
        "tel": Channel.PHONE,
        "telefonisch": Channel.PHONE,
        "bellen": Channel.PHONE,
        "gebeld": Channel.PHONE,
        "post": Channel.LETTER,
        "brief + e-mail": Channel.LETTER_AND_EMAIL,
        "brief/e-mail": Channel.LETTER_AND_EMAIL,
        "brief & e-mail": Channel.LETTER_AND_EMAIL,
        "brief en mail": Channel.LETTER_AND_EMAIL,
        "incasso": Channel.HANDOVER,
        "incassobureau": Channel.HANDOVER,
    },
    Role: {
        "inkoper": Role.PURCHASING,
        "directeur": Role.MANAGEMENT,
        "eigenaar": Role.MANAGEMENT,
        "dga": Role.MANAGEMENT,
        "boekhouding": Role.ACCOUNTS,
        "financiën": Role.ACCOUNTS,
        "financien": Role.ACCOUNTS,
        "crediteuren": Role.ACCOUNTS,
        "crediteurenadministratie": Role.ACCOUNTS,
        "overig": Role.OTHER,
    },
    Outcome: {
        "niet bereikt": Outcome.NO_ANSWER,
        "ingesproken": Outcome.VOICEMAIL,
        "betaalt": Outcome.PROMISE,
        "betalingsregeling": Outcome.ARRANGEMENT,
        "niet ontvangen": Outcome.NOT_RECEIVED,
        "overig": Outcome.OTHER,
    },
    Special: {
        "failliet": Special.BANKRUPTCY,
        "wsnp": Special.DEBT_RESTRUCTURING,
        "schuldhulp": Special.DEBT_RESTRUCTURING,
        "schuldhulpverlening": Special.DEBT_RESTRUCTURING,
    },
    AgreementKind: {
        "belofte": AgreementKind.PROMISE,
        "betaalbelofte": AgreementKind.PROMISE,
        "betalingsregeling": AgreementKind.ARRANGEMENT,
        "termijnen": AgreementKind.ARRANGEMENT,
    },
    Interval: {
        "wekelijks": Interval.WEEK,
        "1 week": Interval.WEEK,
        "tweewekelijks": Interval.TWO_WEEKS,
        "2-wekelijks": Interval.TWO_WEEKS,
        "twee weken": Interval.TWO_WEEKS,
        "maandelijks": Interval.MONTH,
        "1 maand": Interval.MONTH,
        "per maand": Interval.MONTH,
    },
    PaymentStatus: {
        "gekoppelde": PaymentStatus.LINKED,
        "controle": PaymentStatus.REVIEW,
        "te controleren": PaymentStatus.REVIEW,
        "negeren": PaymentStatus.IGNORED,
    },
    Basis: {
        "vervaldag": Basis.DUE_DATE,
        "vorige": Basis.PREVIOUS_STEP,
        "vorige actie": Basis.PREVIOUS_STEP,
    },
}

_CHOICE_NOISE = str.maketrans("", "", " \t\n\r\u00a0-_.")
_CHOICES: dict[type[enum.Enum], dict[str, enum.Enum]] = {}


def _choice_key(text: str) -> str:
    return text.casefold().translate(_CHOICE_NOISE)


def _choices(enum_cls: type[E]) -> dict[str, E]:
    table = _CHOICES.get(enum_cls)
    if table is None:
        table = {_choice_key(alias): m for alias, m in ALIASES.get(enum_cls, {}).items()}
        table.update({_choice_key(member.value): member for member in enum_cls})
        _CHOICES[enum_cls] = table
    return table  # type: ignore[return-value]


def to_enum(enum_cls: type[E], value: object) -> E | None:
    """The member whose Dutch text (or a known alias) the cell holds; '' -> None.

    Case, spaces and hyphens are ignored: "BRIEF EN EMAIL" is Channel.LETTER_AND_EMAIL.
    """
    text = to_text(value)
    if not text:
        return None
    member = _choices(enum_cls).get(_choice_key(text))
    if member is None:
        expected = " / ".join(str(m.value) for m in enum_cls)
        raise CellError(f"{shown(text)} is geen geldige keuze; verwacht {expected}")
    return member


# --- lists ----------------------------------------------------------------------------

_LIST_SEPARATORS = re.compile(r"[,;\n\r]+")


def to_list(value: object) -> tuple[str, ...]:
    """Invoice numbers separated by commas or semicolons: '2026-1; 2026-2' -> two numbers."""
    if value.__class__ is not str:
        text = to_text(value)
        return (text,) if text else ()
    if "," not in value and ";" not in value and "\n" not in value:
        text = value.strip()
        return (text,) if text else ()
    return tuple(item for item in (part.strip() for part in _LIST_SEPARATORS.split(value)) if item)


def to_ibans(value: object) -> tuple[str, ...]:
    """Account numbers separated by commas, semicolons or line breaks, spaces removed."""
    if value.__class__ is str and value.isalnum() and value.isascii():
        return (value.upper(),)
    ibans = []
    for part in _LIST_SEPARATORS.split(to_text(value)):
        iban = "".join(part.split()).upper()
        if not iban:
            continue
        if not iban.isascii() or not iban.isalnum():
            raise CellError(
                f"'{part.strip()}' is geen rekeningnummer; verwacht een IBAN zoals "
                f"NL91 ABNA 0417 1643 00, meerdere gescheiden door komma's"
            )
        ibans.append(iban)
    return tuple(ibans)


_WEEKDAY_TOKENS = re.compile(r"[^\s,;/&+]+")
_RANGE = re.compile(r"\s*(?:-|–|t/m|tot en met|tot)\s*")


def to_weekdays(value: object) -> frozenset[int] | None:
    """Weekdays as date.weekday() numbers: 'di, wo, do', 'dinsdag en donderdag', 'ma-vr'."""
    if value.__class__ is not str:
        if to_text(value) == "":
            return None
        raise CellError(f"{shown(value)} zijn geen weekdagen; verwacht bijvoorbeeld di, wo, do")
    text = value.strip().casefold()
    if not text:
        return None
    days: set[int] = set()
    for token in _WEEKDAY_TOKENS.findall(_RANGE.sub("-", text)):
        if token == "en":
            continue
        first, _, last = token.partition("-")
        start, end = _weekday(value, first), _weekday(value, last or first)
        days.update((start + i) % 7 for i in range((end - start) % 7 + 1))
    if not days:
        raise CellError(f"{shown(value)} zijn geen weekdagen; verwacht bijvoorbeeld di, wo, do")
    return frozenset(days)


def _weekday(raw: object, word: str) -> int:
    word = word.rstrip(".")
    day = WEEKDAYS.get(word)
    if day is None and word.endswith("s"):  # "dinsdags"
        day = WEEKDAYS.get(word[:-1])
    if day is None:
        raise CellError(
            f"{shown(raw)}: '{word}' is geen weekdag; verwacht ma, di, wo, do, vr, za of zo"
        )
    return day
