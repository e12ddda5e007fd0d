"""E-mail addresses from the workbook: parsed, validated, and made safe for a mail header.

Klanten.E-mail (and Contactpersonen.E-mail, Instellingen E-mail) holds one address or several
separated by ``;``, the separator Dutch Excel users type. Each part is checked with
email-validator (RFC 5322 / RFC 6531 syntax, IDNA 2008 domains; no DNS look-up, so this stays
pure). A part that is not exactly one address (a comma list, ``"Bank" <evil@x.nl>``, a line
break) is reported, never guessed at: outside text must never become a header or a recipient.
Display names and subjects are cleaned too (`header_text`): no control characters, and no
RFC 2047 encoded word that a mail program would decode into something like an address.

Example::

    >>> found = parse_addresses("jan@voorbeeld.nl; mehmet.yılmaz@kpnmail.nl")
    >>> [a.text for a in found.addresses], found.addresses[1].needs_smtputf8
    (['jan@voorbeeld.nl', 'mehmet.yılmaz@kpnmail.nl'], True)
    >>> parse_addresses("a@b.nl, evil@x.nl").errors
    ("'a@b.nl, evil@x.nl' is geen geldig e-mailadres: scheid meerdere adressen met ;",)
    >>> header_text("=?utf-8?q?Bcc=3A_evil=40x=2Enl?=")
    '= ?utf-8?q?Bcc=3A_evil=40x=2Enl? ='
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from email_validator.rfc_constants import CASE_INSENSITIVE_MAILBOX_NAMES

SEPARATOR = ";"
# Any character of Unicode category C (control, format, unassigned, private use, surrogate).
_CONTROL_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# Only a space and a line break around the separator are tolerated (Excel users type them).
_SPACE = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True, slots=True)
class MailAddress:
    """One valid address.

    Attributes:
      text: the address as the user will recognise it (domain in Unicode).
      local: the part before the @ (may be non-ASCII: RFC 6531).
      ascii_domain: the domain as the mail system needs it (IDNA "xn--" form).
      needs_smtputf8: the local part is non-ASCII, so the message must go with SMTPUTF8
        (a mail server without it cannot carry this address).
    """

    text: str
    local: str
    ascii_domain: str
    needs_smtputf8: bool


@dataclass(frozen=True, slots=True)
class ParsedAddresses:
    """The valid addresses of a field, and a Dutch message per part that is not one."""

    addresses: tuple[MailAddress, ...]
    errors: tuple[str, ...]


def has_control(text: str) -> bool:
    return any(unicodedata.category(ch) in _CONTROL_CATEGORIES for ch in text)


def _reason(part: str) -> str:
    if has_control(part):
        return "er staat een regelovergang of een onzichtbaar teken in"
    if "," in part and part.count("@") > 1:
        return "scheid meerdere adressen met ;"
    if "<" in part or ">" in part or '"' in part:
        return "vul alleen het adres in, zonder naam, aanhalingstekens of < >"
    if "@" not in part:
        return "er staat geen @ in"
    if " " in part:
        return "er staat een spatie in"
    return "controleer de schrijfwijze"


def _shown(part: str) -> str:
    """The bad value as it can be shown in a message: control characters as \\n, \\x1b."""
    out = []
    for ch in part:
        if unicodedata.category(ch) in _CONTROL_CATEGORIES:
            out.append(repr(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)[:120]


# The usual address: ASCII letters, digits and ._%+- before the @ (dots not first, last or
# doubled), and after it lower-case labels of letters, digits and inner hyphens, at most 63
# long, without "--" (email-validator's Punycode rule). email-validator accepts every such
# address of at most 254 characters whose domain is not special-use (.local, .test, ...),
# unchanged except that it lower-cases a few role names (info@, postmaster@): `_plain` gives
# the same result without it, about 30 times faster (tests/core/test_addresses.py compares
# the two on generated addresses). Anything else goes through email-validator.
_LOCAL = r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*"
_DOMAIN = r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_PLAIN = re.compile(f"({_LOCAL})@({_DOMAIN})")
_SPECIAL_USE = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_ROLE_NAMES = frozenset(CASE_INSENSITIVE_MAILBOX_NAMES)
# `_plain_parts` for many addresses at once, one a line (`all_plain`), given that the text
# holds no "--": the same local part; labels of letters and digits joined by single hyphens,
# at most 63 long; no special-use domain (looked back at from the line's end). Possessive
# quantifiers: each line is read once, without backtracking.
_LABEL_RUN = r"(?![a-z0-9-]{64})[a-z0-9]++(?:-[a-z0-9]++)*+"
_NOT_SPECIAL = "".join(f"(?<![@.]{re.escape(name)})" for name in sorted(_SPECIAL_USE))
_LINE = (
    rf"[A-Za-z0-9_%+-]++(?:\.[A-Za-z0-9_%+-]++)*+@{_LABEL_RUN}(?:\.{_LABEL_RUN})*+{_NOT_SPECIAL}"
)
_PLAIN_LINES = re.compile(f"{_LINE}(?:\n{_LINE})*+")


def _plain_parts(candidate: str) -> tuple[str, str] | None:
    """Local part and domain when the address has the usual form (see _PLAIN), else None
    (not decided)."""
    match = _PLAIN.fullmatch(candidate)
    if match is None or len(candidate) > 254 or "--" in candidate:
        return None
    local, domain = match.groups()
    if len(domain) > 253 or domain in _SPECIAL_USE:
        return None
    dot = domain.find(".")
    while dot >= 0:
        if domain[dot + 1 :] in _SPECIAL_USE:
            return None
        dot = domain.find(".", dot + 1)
    return local, domain


def _plain(candidate: str) -> MailAddress | None:
    """The address when it has the usual form (see _PLAIN), else None (not decided)."""
    parts = _plain_parts(candidate)
    if parts is None:
        return None
    local, domain = parts
    if local.lower() in _ROLE_NAMES:
        local = local.lower()
    return MailAddress(
        text=f"{local}@{domain}", local=local, ascii_domain=domain, needs_smtputf8=False
    )


@lru_cache(maxsize=4096)
def parse_address(part: str) -> MailAddress | str:
    """One address, or the Dutch reason it is not one."""
    candidate = part.strip(" \t\u00a0")
    plain = _plain(candidate)
    return plain if plain is not None else _validated(candidate)


def _validated(candidate: str) -> MailAddress | str:
    """`parse_address` through email-validator, for any text."""
    if not candidate or has_control(candidate):
        return f"'{_shown(candidate)}' is geen geldig e-mailadres: {_reason(candidate)}"
    try:
        valid = validate_email(
            candidate,
            check_deliverability=False,  # no DNS: the core does no I/O
            globally_deliverable=False,  # an in-house domain is the user's choice
            allow_display_name=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
        )
    except EmailNotValidError:
        return f"'{_shown(candidate)}' is geen geldig e-mailadres: {_reason(candidate)}"
    return MailAddress(
        text=valid.normalized,
        local=valid.local_part,
        ascii_domain=valid.ascii_domain,
        needs_smtputf8=bool(valid.smtputf8),
    )


def address_errors(field: str) -> tuple[str, ...]:
    """``parse_addresses(field).errors``; a field of one usual address (nearly every E-mail
    cell) is decided without building anything (checks.check_email_addresses runs over every
    customer of the book)."""
    if SEPARATOR not in field and _plain_parts(field.strip(" \t\u00a0")) is not None:
        return ()
    return parse_addresses(field).errors


def all_plain(fields: Sequence[str]) -> bool:
    """True when every field is one address of the usual form, so that `address_errors` is
    () for each: one regular expression over all of them, in C (checks.check_email_addresses
    runs over every customer and contact person of the book). False says nothing: the
    caller then asks `address_errors` per field."""
    if not fields:
        return True
    text = "\n".join(fields)
    return (
        text.count("\n") == len(fields) - 1  # no field holds a line break
        and max(map(len, fields)) <= 254
        and "--" not in text
        and _PLAIN_LINES.fullmatch(text) is not None
    )


def parse_addresses(field: str) -> ParsedAddresses:
    """Every ``;``-separated part of an E-mail cell; empty parts (a trailing ;) are ignored."""
    found: list[MailAddress] = []
    errors: list[str] = []
    text = field if field.strip() else ""
    # A line break between addresses is not tolerated: it is how header injection starts.
    for part in text.split(SEPARATOR) if text else ():
        if not part.strip(" \t\u00a0"):
            if has_control(part):
                errors.append("er staat een regelovergang of een onzichtbaar teken in")
            continue
        result = parse_address(part)
        if isinstance(result, str):
            errors.append(result)
        elif result.text.casefold() not in {a.text.casefold() for a in found}:
            found.append(result)
    return ParsedAddresses(tuple(found), tuple(errors))


def header_text(text: str) -> str:
    """Text that is safe in a header (a display name, a subject): control characters (CR,
    LF, tab, ...) become spaces, runs of spaces one, and "=?"/"?=" are split so that no mail
    program can read the name as an RFC 2047 encoded word (which would decode into, say,
    "Bcc: ..." or another address). The email package then quotes or encodes what remains."""
    cleaned = "".join(" " if unicodedata.category(ch) in _CONTROL_CATEGORIES else ch for ch in text)
    cleaned = cleaned.replace("=?", "= ?").replace("?=", "? =")
    return _SPACE.sub(" ", cleaned).strip()
