"""Read bank statement files (CAMT.053, MT940, ING and Rabobank CSV in Dutch or English, ABN
AMRO's tab-separated TXT export (TXT*.TAB), and a ZIP of them) into `BankLine`s.

The format is detected from the content, never from the file name: banks and users rename
exports freely (ING's ``.sta`` is MT940, ASN's ``.940.txt`` too). Everything that is not
clearly one of the supported formats, or that is damaged or hostile, is refused with a
`BankFileError` whose Dutch message names the file and the problem.

Worked example: a CAMT.053 entry

    <Ntry><Amt Ccy="EUR">1210.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
      <BookgDt><Dt>2026-11-23</Dt></BookgDt><AcctSvcrRef>2026112300001</AcctSvcrRef>
      <NtryDtls><TxDtls><RltdPties><Dbtr><Nm>JANSEN BV</Nm></Dbtr>
        <DbtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></DbtrAcct></RltdPties>
        <RmtInf><Ustrd>Factuur 2026-0017</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>

in a statement for account NL44RABO0123456789 becomes

    BankLine(booked=date(2026, 11, 23), amount=Decimal("1210.00"),
             counter_iban="NL91ABNA0417164300", counter_name="JANSEN BV",
             description="Factuur 2026-0017", key="camt:NL44RABO0123456789:2026112300001",
             own_iban="NL44RABO0123456789", source="nov.xml")

Keys: the bank's own reference (AcctSvcrRef, MT940 bank reference, Rabobank Volgnr) when
there is one, else a hash of the line's content (ING's CSV: of what its Dutch and English
exports give alike, `_ing_key`, so either export of a day is the same lines); a batch
entry's lines get ``/1``, ``/2``...; a key that occurs again in the same file gets ``#2``,
``#3``... in file order (ING's CSV: in booking order, oldest first, `_ing_in_booking_order`,
so a line keeps its number when the day is exported again with newer lines), so two
identical payments on one day stay apart and re-reading the file gives the same keys. ABN
AMRO's TXT has no reference either: its lines get the key ABN AMRO's MT940 gives the same
transaction (`_abn_tab_line`), so the same days downloaded in both formats import once.

Returns (BankLine.reversal, never matched as a payment): CAMT RvslInd=true, TxDtls/RtrInf,
or a bank transaction code (Ntry/BkTxCd or TxDtls/BkTxCd) whose ISO sub-family says return
or reversal (RETURN_SUB_FAMILIES: RRTN, RPCR, UPDD, PRDD, RCDD, ...) or whose proprietary
code is written in those ISO codes or as SWIFT's "returned item" (NRTI); MT940 sign RC/RD,
/RTRN/ in :86:, or transaction type NRTI/FRTI in :61:. Banks' own numeric codes (Rabobank,
ABN AMRO) are not interpreted: their lists are not public in a stable form.

Balance check, per statement: the opening booked balance (CAMT OPBD, else PRCD; MT940
:60F:) plus the booked entries (CAMT BOOK entries, the entry amounts; MT940 every :61:) must
be the closing booked balance (CLBD; :62F:). When it is not, the file is still read: a
warning ("saldo-klopt-niet", `read_bank(path).warnings`) names the file and the statement,
and every line of that statement carries the figures (`BankLine.unbalanced`, a
`BalanceMismatch`), so that matching never links it (R0 saldo klopt niet: Controleren). Six
of the eighteen public sample files the project keeps (hand-edited test files from public
parsers) do not add up, so a refusal would refuse files that are otherwise fine. The keys
do not depend on it: re-reading a corrected file gives the same keys. Not checked, because
the statement is clearly partial or cannot be checked: one of the two balances is missing
(MT940 :60M:/:62M: pages), the CAMT statement or message is one page of several (StmtPgntn
/ MsgPgntn with a page number other than 1, or LastPgInd false), or the balances and
entries are not in one currency. An MT940 statement without any closing balance (neither
:62F: nor :62M:, which SWIFT makes mandatory) is refused: that is a download cut off
half-way, whose last entries are missing. ABN AMRO's TXT gives each line its own balances:
Beginsaldo + Bedrag must be Eindsaldo, else that line is marked and warned of in the same
way, the statement named "op regel N".
"""

from __future__ import annotations

import csv
import functools
import gc
import hashlib
import io
import pickle
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from itertools import pairwise, starmap
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import mt940

from addin.adapters.text_encoding import (
    decode_text,
    mixed_warning,
    physical_lines,
    utf16_without_bom,
)
from addin.adapters.xml_encoding import declared_encoding
from addin.core.bank import BalanceMismatch, BankLine
from addin.core.model import Warning_
from addin.core.money import format_eur
from addin.core.references import iban_is_valid
from addin.core.texts import dutch_count, nl_date

__all__ = [
    "BankFile",
    "BankFileError",
    "PackedBankFile",
    "read_bank",
    "read_bank_file",
    "read_packed",
    "serve_packed",
    "unpack",
]

# A statement of a few years of a busy account is tens of MB; anything far beyond that is
# not a bank export and would only exhaust memory.
MAX_FILE_BYTES = 512 * 1024 * 1024
# The warning's kind for a UTF-8 text file with lines read as Windows-1252.
MIXED_ENCODING = "gemengde-codering"
# No legitimate field (a name, a remittance text, an amount) comes near this.
MAX_FIELD_CHARS = 1024 * 1024
# The XML prolog (declaration, comments) must end within this many bytes.
MAX_PROLOG_BYTES = 64 * 1024

# An Excel cell holds at most this many characters (xlsx_patch refuses more); a longer bank
# text is cut, with this mark at the end, rather than refusing the whole file.
MAX_CELL_CHARS = 32_767
CUT_MARK = " (ingekort)"
# Bank dates are written into Betalingen: Excel has no dates before 1 March 1900 (its
# leap-year bug), and the reader takes none after 2199 (cells.LAST_DATE).
FIRST_DATE, LAST_DATE = date(1900, 3, 1), date(2199, 12, 31)
# An amount Excel can hold exactly (15 digits) and money.to_cents can round (28 digits).
MAX_AMOUNT = Decimal(10) ** 15
# Encodings a CAMT file may declare: ASCII-compatible, one byte per character, so that the
# DOCTYPE check on the bytes sees what the parser sees. Anything else (UTF-7, UTF-16,
# EBCDIC, unknown names) is refused as unreadable.
XML_ENCODINGS = frozenset(
    {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1", "iso-8859-15",
     "windows-1252", "cp1252"}
)  # fmt: skip
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_BLANK_CONTROL = re.compile("[\t\n\r\x0b\x0c\x1c-\x1f\x85]")
_IBAN_RE = re.compile(r"^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$")
_CAMT_AMOUNT_RE = re.compile(r"^\d+(\.\d+)?$")
_NL_AMOUNT_RE = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")


class BankFileError(ValueError):
    """A bank file that cannot be read; the message is Dutch and names the file."""


@dataclass(frozen=True, slots=True)
class BankFile:
    """What one bank file holds.

    Attributes:
      lines: every transaction, in file order (see `read_bank_file`).
      warnings: statements whose balances do not add up (kind "saldo-klopt-niet"), with a
        Dutch message naming the file and the statement; their lines carry `unbalanced`.
        And lines of a UTF-8 CSV or MT940 file that were not UTF-8 (kind MIXED_ENCODING,
        naming file and lines; see adapters/text_encoding).
      kind: the format found: "CAMT.053", "MT940", "CSV" or "ABN AMRO TXT".
      names: the statement files read, as every message names them: the file's name, or
        each file in a ZIP as "a.zip/nov.xml" (the lines' `source`).
    """

    lines: tuple[BankLine, ...]
    warnings: tuple[Warning_, ...] = ()
    kind: str = ""
    names: tuple[str, ...] = ()

    @property
    def files(self) -> int:
        """How many statement files were read: 1, or the files in a ZIP."""
        return len(self.names)


@dataclass(frozen=True, slots=True)
class _Raw:
    """A line before its key is made unique within the file, and the mismatch of its
    statement's balances (set on the line together with the key: one `replace` per line);
    `former_key` the key an earlier version gave it (BankLine.former_key), before it is
    made unique the same way."""

    line: BankLine
    base_key: str
    unbalanced: BalanceMismatch | None = None
    former_key: str = ""


def read_bank_file(path: Path) -> tuple[BankLine, ...]:
    """All transactions in the bank file at `path`, in file order (`read_bank(path).lines`).

    Raises BankFileError (Dutch message) for unreadable, damaged, hostile or unknown files.
    """
    return read_bank(path).lines


def read_bank(path: Path) -> BankFile:
    """The transactions in the bank file at `path`, and the statements whose balances do not
    add up. Raises BankFileError (Dutch message) for unreadable, damaged, hostile or
    unknown files.
    """
    return BankFile(*_read(Path(path), _lines))


Finished = TypeVar("Finished")


def _read(
    path: Path, finish: Callable[[Iterator[_Fields]], Finished]
) -> tuple[Finished, tuple[Warning_, ...], str, tuple[str, ...]]:
    """read_bank's work: `finish` makes the result of the lines' fields as they come (the
    BankLines, or their columns for another process)."""
    name = path.name
    try:
        if path.exists() and not path.is_file():
            # A FIFO would block for ever, /dev/zero never ends, a folder is no statement.
            raise BankFileError(
                f"Bankbestand {name}: dit is geen gewoon bestand (maar een map, apparaat of "
                "pipe); geef het pad van het bankafschrift."
            )
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BankFileError(f"Bankbestand {name}: het bestand is te groot ({size} bytes).")
        data = path.read_bytes()
    except FileNotFoundError:
        raise BankFileError(
            f"Bankbestand {path}: het bestand bestaat niet; controleer het pad."
        ) from None
    except OSError as exc:
        raise BankFileError(
            f"Bankbestand {name}: het bestand kan niet worden gelezen ({exc.strerror or exc})."
        ) from None
    if not data.strip():
        raise BankFileError(f"Bankbestand {name}: het bestand is leeg.")
    if data.startswith(_ZIP_MAGIC):
        return _read_zip(data, name, finish)
    kind = _detect(data)
    if kind not in _KINDS:
        raise BankFileError(_unknown_format(name, data))
    # Like matching: many small records and no reference cycles, so the cycle collector
    # would only re-scan what is being built (measured: 2.2 s against 2.6 s for 50,000).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        warnings: list[Warning_] = []
        # The readers yield their lines statement by statement (CSV row by row) and the keys
        # are made unique as they come, so only the finished lines stay in memory: never a
        # second copy of every line, nor the parser's records of the whole file.
        raws: Iterable[_Raw]
        if kind == "camt":
            raws = _read_camt(data, name, warnings)
        else:
            text, data = _decode(data, name, warnings), b""
            raws = _read_text(kind, text, name, warnings)
            del text  # the readers hold it for as long as they need it
        done = finish(_unique_fields(raws))
        return done, tuple(warnings), _KINDS[kind], (name,)
    finally:
        if was_enabled:
            gc.enable()


_KINDS = {"camt": "CAMT.053", "mt940": "MT940", "csv": "CSV", "abn-tab": "ABN AMRO TXT"}


def _read_text(kind: str, text: str, name: str, warnings: list[Warning_]) -> Iterator[_Raw]:
    """The lines of a text format (all but CAMT, which is read from its bytes)."""
    if kind == "mt940":
        return _read_mt940(text, name, warnings)
    if kind == "abn-tab":
        return _read_abn_tab(text, name, warnings)
    return _read_csv(text, name)


# What every "not a bank file" message ends with.
# What to do next: ING, Rabobank, ABN AMRO, SNS, ASN, Knab and Triodos offer MT940 or
# CAMT.053 for the accounting (../shared/notes/BANK.md section 1, with sources; bunq is
# unverified, hence "de meeste"), whereas CSV layouts differ per bank and only ING's and
# Rabobank's are read.
_DOWNLOAD = (
    "Download het afschrift in uw internetbankieren als CAMT.053 of MT940 (de meeste "
    "banken bieden dat als export voor de boekhouding) en lees dat in."
)
_EXPECTED = (
    "verwacht CAMT.053 (XML), MT940, de TXT-export van ABN AMRO (.TAB) of een CSV-export van "
    f"ING of Rabobank. {_DOWNLOAD}"
)


def _unknown_format(name: str, data: bytes) -> str:
    # What users pick by mistake is named, so the message says what to pick instead.
    what = (
        " (dit is een PDF, het afschrift om te lezen; kies de export voor de boekhouding)"
        if data.startswith(b"%PDF-")
        else ""
    )
    return f"Bankbestand {name}: onbekend formaat{what}; {_EXPECTED}"


# --- ZIP (CAMT.053 as ABN AMRO and ING deliver it: one file per account or day) ------------

_ZIP_MAGIC = b"PK\x03\x04"
MAX_ZIP_MEMBERS = 10_000


def _read_zip(
    data: bytes, name: str, finish: Callable[[Iterator[_Fields]], Finished]
) -> tuple[Finished, tuple[Warning_, ...], str, tuple[str, ...]]:
    """Each statement file in the ZIP read as if given on its own, named "pakket.zip/x.xml";
    one that cannot be read refuses the whole ZIP, as one file does. Everything is checked
    before anything is parsed."""
    members = []
    for member, content in _zip_members(data, name):
        label = f"{name}/{member}"
        if not content.strip():
            raise BankFileError(f"Bankbestand {label}: het bestand is leeg.")
        kind = _detect(content)
        if kind not in _KINDS:
            raise BankFileError(_unknown_format(label, content))
        members.append((label, content, kind))
    del data
    warnings: list[Warning_] = []

    def fields() -> Iterator[_Fields]:
        for label, content, kind in members:
            raws: Iterable[_Raw]
            if kind == "camt":
                raws = _read_camt(content, label, warnings)
            else:
                raws = _read_text(kind, _decode(content, label, warnings), label, warnings)
            yield from _unique_fields(raws)

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        done = finish(fields())
    finally:
        if was_enabled:
            gc.enable()
    kinds = ", ".join(dict.fromkeys(_KINDS[kind] for _, _, kind in members))
    return done, tuple(warnings), kinds, tuple(label for label, _, _ in members)


def _zip_members(data: bytes, name: str) -> list[tuple[str, bytes]]:
    """The files in the ZIP (not its folders, nor the __MACOSX/ and ._ files a Mac adds),
    in the ZIP's order; their sizes as read, not as declared, count against the limit
    of one bank file (a ZIP bomb is refused)."""
    out: list[tuple[str, bytes]] = []
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = [
                i
                for i in package.infolist()
                if not i.is_dir()
                and not i.filename.startswith("__MACOSX/")
                and not i.filename.rsplit("/", 1)[-1].startswith("._")
            ]
            if any(i.filename == "[Content_Types].xml" for i in infos):
                raise BankFileError(
                    f"Bankbestand {name}: dit is een Excel-bestand (of een ander "
                    f"Office-bestand), geen bankafschrift; {_EXPECTED}"
                )
            if len(infos) > MAX_ZIP_MEMBERS:
                raise BankFileError(
                    f"Bankbestand {name}: het ZIP-bestand bevat {len(infos)} bestanden; dit is "
                    "geen pakket bankafschriften."
                )
            for info in infos:
                with package.open(info) as member:
                    content = member.read(MAX_FILE_BYTES - total + 1)
                total += len(content)
                if total > MAX_FILE_BYTES:
                    raise BankFileError(
                        f"Bankbestand {name}: de bestanden in het ZIP-bestand zijn samen te "
                        f"groot (meer dan {MAX_FILE_BYTES} bytes)."
                    )
                out.append((info.filename, content))
    except BankFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise BankFileError(
            f"Bankbestand {name}: het ZIP-bestand is beschadigd of onvolledig ({exc})."
        ) from None
    except (RuntimeError, NotImplementedError) as exc:  # a password, another compression
        raise BankFileError(
            f"Bankbestand {name}: het ZIP-bestand kan niet worden uitgepakt ({exc}); pak het "
            "zelf uit en geef de bestanden erin."
        ) from None
    if not out:
        raise BankFileError(f"Bankbestand {name}: het ZIP-bestand bevat geen bestanden.")
    return out


# --- bank files read in another process ----------------------------------------------------

# A BankFile as a process that read it sends it back: its lines as one tuple per BankLine
# field (in field order), its warnings, its kind. Pickling 50,000 BankLines one by one
# takes three times as long as pickling their values column by column (0.49 against
# 0.20 s there and back, rebuilding the lines included); values the lines share stay
# shared (pickle sends an object once).
PackedBankFile = tuple[tuple[tuple[object, ...], ...], tuple[Warning_, ...], str, tuple[str, ...]]


def unpack(packed: PackedBankFile) -> BankFile:
    """The BankFile `read_packed` sent as columns, equal to what read_bank gives."""
    columns, warnings, kind, names = packed
    # Positional, in BankLine's field order, as _unique_fields gives them.
    lines = tuple(map(BankLine, *columns)) if columns else ()
    return BankFile(lines, warnings, kind, names)


def read_packed(paths: Sequence[str]) -> list[PackedBankFile]:
    """Each path's `read_bank` as a PackedBankFile, the columns made straight from the
    lines' fields (no BankLine made only to be taken apart again). Raises the BankFileError of the
    first file that cannot be read, as read_bank does."""
    return [_read(Path(path), _columns) for path in paths]


def _columns(fields: Iterator[_Fields]) -> tuple[tuple[object, ...], ...]:
    return tuple(zip(*fields, strict=True))


def serve_packed(given: BinaryIO, out: BinaryIO) -> None:
    """What a process of its own runs to read bank files for another (job.read_alongside):
    the paths come pickled on `given`; on `out` go ("ok", [PackedBankFile, ...]), or
    ("error", message) for the first file that cannot be read. The pickles pass between
    two processes of the same program over their own pipes, never through a file."""
    paths = pickle.load(given)
    try:
        answer: tuple[str, object] = ("ok", read_packed(paths))
    except BankFileError as exc:
        answer = ("error", str(exc))
    pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


# --- detection and text helpers -------------------------------------------------------------


def _detect(data: bytes) -> str:
    head = data[:8192]
    if not utf16_without_bom(head):
        # Not for UTF-16 without a byte order mark: a leading "\r\x00\n\x00" would lose
        # its first byte and the rest be read a byte out of step.
        head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if head.startswith(b"<"):
            return "camt"
    # A cut UTF-8 character at the end does not matter here.
    text = decode_text(head).text.lstrip("\ufeff \t\r\n")
    if text.startswith("<"):
        return "camt"  # XML in UTF-16: the XML reader finds its encoding itself
    # MT940: a statement always has an account (:25:) and a statement number (:28C: or :28:).
    if re.search(r"^:25:", text, re.M) and re.search(r"^:28C?:", text, re.M):
        return "mt940"
    first = _first_filled_line(text)
    # Before the CSV headers: an ABN AMRO line's Omschrijving may well say "Datum".
    if _is_abn_tab_line(first):
        return "abn-tab"
    # The first column of ING's Dutch CSV and Rabobank's, and ING's English direction column.
    if "Datum" in first or "IBAN/BBAN" in first or "Debit/credit" in first:
        return "csv"
    return "unknown"


# What an empty line of a CSV may still hold: an export opened and saved again in Excel
# writes its empty rows as separators only (";;;;;;;;;;"), and a byte order mark may stand
# before it.
_EMPTY_CSV_LINE = ' \t\r\n\ufeff;,"'


def _first_filled_line(text: str) -> str:
    """The first line of `text` with something on it: an export may start with empty lines
    (a bank's, or one saved again), which are no header; "" when every line is empty."""
    for line in text.splitlines():
        if line.strip(_EMPTY_CSV_LINE):
            return line
    return ""


def _decode(data: bytes, name: str, warnings: list[Warning_]) -> str:
    # Dutch bank exports are UTF-8 (with or without BOM) or Windows-1252; a UTF-8 file with
    # a line that is not (a row pasted in from a Windows program) is read line by line.
    decoded = decode_text(data)
    if decoded.mixed_lines:
        warnings.append(
            Warning_(MIXED_ENCODING, f"Bankbestand {name}: " + mixed_warning(decoded.mixed_lines))
        )
    return decoded.text


_IBAN_JUNK = re.compile(r"[\s.]")


def _iban(text: str) -> str:
    if text and text.isalnum():  # nearly every account: nothing to take out
        return text.upper()
    return _IBAN_JUNK.sub("", text or "").upper()


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _hash(*parts: object) -> str:
    joined = "\x1f".join(str(p) for p in parts)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


# A BankLine's fields, in its field order.
_Fields = tuple[
    date, Decimal, str, str, str, str, str, bool, str, str, str, str, BalanceMismatch | None, str
]


def _lines(fields: Iterator[_Fields]) -> tuple[BankLine, ...]:
    # Positional, in BankLine's field order (dataclasses.replace looks every field up by
    # name: a sixth of reading 50,000 CAMT entries); test_bankfiles checks the fields.
    return tuple(starmap(BankLine, fields))


def _unique_fields(raws: Iterable[_Raw]) -> Iterator[_Fields]:
    """The fields of each line with its final key, as the lines come. The values that
    repeat across a big file (dates, amounts, the payers' accounts and names, descriptions
    such as "kosten" or a paid invoice's number) are shared between its lines rather than
    held once per line: a third less memory for 655,000 MT940 transactions."""
    seen: dict[str, int] = {}
    seen_former: dict[str, int] = {}
    days: dict[date, date] = {}
    amounts: dict[str, Decimal] = {}
    texts: dict[str, str] = {}
    day, amount, text = days.setdefault, amounts.setdefault, texts.setdefault
    for raw in raws:
        base = _safe_key(raw.base_key)
        count = seen.get(base, 0) + 1
        seen[base] = count
        key = base if count == 1 else f"{base}#{count}"
        former = raw.former_key
        if former:
            # Made unique as that version made it, so it is the Sleutel it wrote.
            former = _safe_key(former)
            count = seen_former.get(former, 0) + 1
            seen_former[former] = count
            former = former if count == 1 else f"{former}#{count}"
        line = _safe_texts(raw.line)
        yield (
            day(line.booked, line.booked),
            # by its text: Decimal("5") == Decimal("5.00"), yet each keeps its own form
            amount(str(line.amount), line.amount),
            text(line.counter_iban, line.counter_iban),
            text(line.counter_name, line.counter_name),
            text(line.description, line.description),
            line.reference,
            line.end_to_end,
            line.reversal,
            key,
            line.own_iban,
            line.source,
            line.currency,
            raw.unbalanced if raw.unbalanced is not None else line.unbalanced,
            former,
        )


_TEXT_FIELDS = ("counter_iban", "counter_name", "description", "reference", "end_to_end",
                "own_iban", "source", "currency")  # fmt: skip


def safe_text(text: str) -> str:
    r"""Bank text as an Excel cell can hold it: control characters removed (line breaks and
    tabs become a space), and cut at 32,767 characters with "(ingekort)" at the end.

    >>> safe_text("Factuur\x07 2026-01\n17")
    'Factuur 2026-01 17'
    """
    if not text.isprintable():  # fast path: nearly every bank text is printable
        text = _CONTROL.sub("", _BLANK_CONTROL.sub(" ", text))
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - len(CUT_MARK)].rstrip() + CUT_MARK
    return text


def _safe_texts(line: BankLine) -> BankLine:
    # Nearly every line: all its texts printable, and together no longer than one cell may
    # be (so each is): one test of them joined instead of eight of each.
    joined = (
        f"{line.counter_iban}{line.counter_name}{line.description}{line.reference}"
        f"{line.end_to_end}{line.own_iban}{line.source}{line.currency}"
    )
    if len(joined) <= MAX_CELL_CHARS and joined.isprintable():
        return line
    # Any: replace() takes each field by name, and these are all text fields.
    changed: dict[str, Any] = {}
    for field in _TEXT_FIELDS:
        value = getattr(line, field)
        if len(value) > MAX_CELL_CHARS or not value.isprintable():
            cleaned = safe_text(value)
            if cleaned != value:
                changed[field] = cleaned
    return replace(line, **changed) if changed else line


def _safe_key(key: str) -> str:
    """A key as a cell can hold it; an overlong one (a 40,000-character bank reference)
    keeps its start and a hash of the whole, so it stays unique and stable."""
    if key.isprintable() and len(key) <= 200:
        return key
    cleaned = _CONTROL.sub("", key)
    if len(cleaned) <= 200 and cleaned == key:
        return key
    return f"{cleaned[:100]}~{_hash(key)}"


def _checked_date(day: date, name: str, where: str) -> date:
    """A bank date Excel can hold; else the file is refused, naming the line or entry."""
    if not FIRST_DATE <= day <= LAST_DATE:
        raise BankFileError(
            f"Bankbestand {name}{where}: de datum {day.day}-{day.month}-{day.year} ligt niet "
            f"tussen 1-3-1900 en 31-12-2199; het bestand is beschadigd of geen echt afschrift."
        )
    return day


def _checked_amount(amount: Decimal, name: str, where: str) -> Decimal:
    """An amount the workbook can hold; a bigger one (30 digits) is unreadable."""
    # copy_abs, not abs: abs rounds to the context and raises decimal.Overflow on an
    # exponent past its limit ("1E+999999999", which the MT940 parser takes as an amount).
    if not amount.is_finite() or amount.copy_abs() >= MAX_AMOUNT:
        raise BankFileError(
            f"Bankbestand {name}{where}: het bedrag {str(amount)[:40]} is onleesbaar (te groot "
            "voor een bedrag); het bestand is beschadigd of geen echt afschrift."
        )
    return amount


def _hash_key(
    prefix: str, own: str, line: BankLine, *extra: object, amount: Decimal | None = None
) -> str:
    """A key from the line's content; `amount`, when given, in place of the line's own."""
    digest = _hash(
        line.booked,
        line.amount if amount is None else amount,
        line.counter_iban,
        line.counter_name,
        line.description,
        line.reference,
        line.end_to_end,
        *extra,
    )
    return f"{prefix}:{own}:{digest}"


# --- CAMT.053 ------------------------------------------------------------------------------


def _check_prolog(data: bytes, name: str) -> None:
    """Refuse a DOCTYPE (entity definitions, external references) before parsing.

    A DOCTYPE may only appear in the prolog, before the root element, so scanning the prolog
    is enough; expat then rejects any entity reference as undefined.
    """
    if (
        data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
        or data[:2] in (b"\xff\xfe", b"\xfe\xff")
        or b"\x00" in data[:MAX_PROLOG_BYTES]
    ):
        # With or without a byte order mark: XML never holds U+0000, so a NUL byte in the
        # prolog is UTF-16 or UTF-32, which expat detects by itself and the scan below
        # (on ASCII bytes) would not see through.
        raise BankFileError(
            f"Bankbestand {name}: het XML-bestand is onleesbaar: tekenset UTF-16/32 wordt "
            "niet ondersteund (sla het op als UTF-8)."
        )
    encoding = declared_encoding(data)
    if encoding is not None and encoding.lower() not in XML_ENCODINGS:
        raise BankFileError(
            f"Bankbestand {name}: het XML-bestand is onleesbaar: tekenset "
            f"{encoding.lower()!r} wordt niet ondersteund (verwacht UTF-8 of ISO-8859-1)."
        )
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    limit = min(len(data), MAX_PROLOG_BYTES)
    while pos < limit:
        while pos < limit and data[pos : pos + 1].isspace():
            pos += 1
        if data.startswith(b"<?", pos):
            end = data.find(b"?>", pos)
            if end < 0:
                break
            pos = end + 2
        elif data.startswith(b"<!--", pos):
            end = data.find(b"-->", pos)
            if end < 0:
                break
            pos = end + 3
        elif data.startswith(b"<!", pos):
            raise BankFileError(
                f"Bankbestand {name}: het XML-bestand bevat een DOCTYPE of entiteiten; "
                "dat komt in bankafschriften niet voor en wordt uit veiligheid geweigerd."
            )
        elif data.startswith(b"<", pos):
            return
        else:
            break
    raise BankFileError(f"Bankbestand {name}: geen geldig XML-begin gevonden.")


def _from_first_tag(data: bytes) -> tuple[bytes, int, int]:
    """The XML from its first "<" on, and the lines and the columns of its line that came
    before it. expat refuses an XML declaration that is not at the very start, and a file
    may start with empty lines (and a byte order mark before them; the XML is then read as
    UTF-8, its default, or as its declaration says)."""
    start = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if start[:1] not in (b" ", b"\t", b"\r", b"\n"):
        return data, 0, 0  # nearly every file: nothing copied
    text = start.lstrip(b" \t\r\n")
    before = start[: len(start) - len(text)].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    lines = before.count(b"\n")
    return text, lines, len(before) - before.rfind(b"\n") - 1


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


# _read_camt gives every element its local name as its tag when the element ends (before its
# parent does), so the helpers below compare local names, whatever the namespaces, with
# ElementTree's find in C.


def _child(elem: ET.Element | None, *names: str) -> ET.Element | None:
    """The first descendant along local names `names`: the first child named names[0],
    its first child named names[1], and so on."""
    for wanted in names:
        if elem is None:
            return None
        elem = elem.find(wanted)
    return elem


def _children(elem: ET.Element | None, wanted: str) -> list[ET.Element]:
    return [] if elem is None else elem.findall(wanted)


def _text(elem: ET.Element | None, *names: str) -> str:
    """The stripped text of `_child(elem, *names)`; "" when there is none."""
    if len(names) == 1:  # most calls: findtext gives "" for no text and None for no child
        return "" if elem is None else (elem.findtext(names[0]) or "").strip()
    found = _child(elem, *names)
    return (found.text or "").strip() if found is not None else ""


def _read_camt(data: bytes, name: str, warnings: list[Warning_]) -> Iterator[_Raw]:
    """The lines, yielded statement by statement (a statement's balance check can mark
    all its lines, so they wait until its end)."""
    _check_prolog(data, name)
    data, skipped_lines, skipped_columns = _from_first_tag(data)
    out: list[_Raw] = []  # the current statement's lines
    done = 0  # lines of earlier statements
    own = ""
    seen_root = False
    statements = 0
    message_partial = False
    booked = _Booked()  # the statement's BOOK entries, for its balances
    first = 0  # where the statement's lines start in `out`
    entries = 0
    # Tag -> its local name, each worked out once (a file has a few dozen tags; 50,000
    # entries have 936,000 elements).
    local_names: dict[str, str] = {}
    try:
        for _event, elem in ET.iterparse(io.BytesIO(data), events=("end",)):
            text = elem.text
            if text is not None and len(text) > MAX_FIELD_CHARS:
                raise BankFileError(
                    f"Bankbestand {name}: het veld <{_local(elem.tag)}> is groter dan 1 MB; "
                    "dit is geen gewoon bankafschrift."
                )
            full = elem.tag
            tag = local_names.get(full)
            if tag is None:
                tag = local_names[full] = _local(full)
            if tag is not full:  # namespace-independent from here on (see _child)
                elem.tag = tag
            if tag == "Ntry":
                if not own:
                    raise BankFileError(
                        f"Bankbestand {name}: een boeking staat vóór het rekeningnummer "
                        "(Stmt/Acct) van het afschrift."
                    )
                entries += 1
                raws, amount = _camt_entry(elem, own, name, entries)
                out.extend(raws)
                if amount is not None:
                    booked.add(*amount)
                # Why: free the entry's subtree so 50,000 entries stay streaming.
                elem.clear()
            elif tag == "Acct" and not own:
                own = _iban(_text(elem, "Id", "IBAN") or _text(elem, "Id", "Othr", "Id"))
            elif tag == "GrpHdr":
                message_partial = _is_partial(_child(elem, "MsgPgntn"))
            elif tag == "Stmt":
                statements += 1
                mismatch = _camt_balance_check(elem, booked, name, statements, message_partial)
                if mismatch is not None:
                    warnings.append(_balance_warning(name, mismatch))
                    _mark_unbalanced(out, first, mismatch)
                yield from out
                done += len(out)
                out, first = [], 0
                own = ""
                booked = _Booked()
                elem.clear()
            elif tag == "BkToCstmrStmt":
                seen_root = True
    except ET.ParseError as exc:
        # Where, in Dutch; the parser's own words (English) last, as a technical note.
        line, column = getattr(exc, "position", (0, 0))
        # Counted in the file as it is, the empty lines before the XML with it.
        column += skipped_columns if line == 1 else 0
        line += skipped_lines
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        raise BankFileError(
            f"Bankbestand {name}: het XML-bestand is beschadigd of onvolledig: geen geldig XML "
            f"op regel {line}, kolom {column + 1} (technische melding: {reason})."
        ) from None
    except BankFileError:
        raise
    except (ValueError, LookupError) as exc:  # an encoding expat or Python cannot decode
        raise BankFileError(f"Bankbestand {name}: het XML-bestand is onleesbaar ({exc}).") from None
    if not seen_root:
        raise BankFileError(
            f"Bankbestand {name}: dit XML-bestand is geen CAMT.053-afschrift "
            "(BkToCstmrStmt ontbreekt)."
        )
    if not statements:
        raise BankFileError(
            f"Bankbestand {name}: het CAMT.053-bestand bevat geen afschrift (Stmt ontbreekt)."
        )
    yield from out  # entries after the last Stmt closed (a damaged file fails above first)


# --- statement balances --------------------------------------------------------------------


class _Booked:
    """The sum of a statement's booked entries and their currencies ("" when not given);
    a running total, so 50,000 entries leave no list behind."""

    __slots__ = ("currencies", "total")

    def __init__(self) -> None:
        self.total = Decimal(0)
        self.currencies: set[str] = set()

    def add(self, amount: Decimal, currency: str) -> None:
        self.total += amount
        self.currencies.add(currency)


# Opening booked balance (PRCD, "previously closed booked", where a bank sends that instead)
# and closing booked balance: ISO 20022 ExternalBalanceType1Code.
_OPENING, _CLOSING = ("OPBD", "PRCD"), ("CLBD",)


def _is_partial(pagination: ET.Element | None) -> bool:
    """One page of several (StmtPgntn / MsgPgntn): its balances need the other pages."""
    if pagination is None:
        return False
    page = _text(pagination, "PgNb").lstrip("0")
    return page not in ("", "1") or _text(pagination, "LastPgInd").lower() == "false"


def _camt_balance(
    stmt: ET.Element, codes: tuple[str, ...], name: str
) -> tuple[Decimal, str] | None:
    for code in codes:
        for bal in _children(stmt, "Bal"):
            if _text(bal, "Tp", "CdOrPrtry", "Cd") == code:
                amt = _child(bal, "Amt")
                amount = _camt_amount(amt, name)
                if amount is None or amt is None:
                    return None
                sign = _sign(_text(bal, "CdtDbtInd") or "CRDT", name)
                return sign * amount, (amt.get("Ccy") or "").strip().upper()
    return None


def _camt_balance_check(
    stmt: ET.Element,
    booked: _Booked,
    name: str,
    ordinal: int,
    message_partial: bool,
) -> BalanceMismatch | None:
    if message_partial or _is_partial(_child(stmt, "StmtPgntn")):
        return None
    opening = _camt_balance(stmt, _OPENING, f"{name}, saldo van afschrift {ordinal}")
    closing = _camt_balance(stmt, _CLOSING, f"{name}, saldo van afschrift {ordinal}")
    label = (
        _text(stmt, "Id")
        or _text(stmt, "ElctrncSeqNb")
        or _text(stmt, "LglSeqNb")
        or f"nr. {ordinal}"
    )
    until = _text(stmt, "FrToDt", "ToDtTm")[:10]
    if until:
        label = f"{label} tot {until}"
    return _mismatch(label, opening, booked, closing)


def _mismatch(
    statement: str,
    opening: tuple[Decimal, str] | None,
    booked: _Booked,
    closing: tuple[Decimal, str] | None,
) -> BalanceMismatch | None:
    """The mismatch when opening balance + booked entries != closing balance, else None.

    Not checked (None) when the statement is clearly partial or cannot be checked: a
    balance is missing, or the balances and entries are not all in one currency.
    """
    if opening is None or closing is None:
        return None
    currency = opening[1]
    if closing[1] != currency or (currency and booked.currencies - {"", currency}):
        return None
    total = booked.total
    if opening[0] + total == closing[0]:
        return None
    return BalanceMismatch(statement, opening[0], total, closing[0])


def _balance_warning(name: str, m: BalanceMismatch) -> Warning_:
    expected = m.opening + m.entries
    return Warning_(
        "saldo-klopt-niet",
        f"Bankbestand {name}, afschrift {m.statement}: het beginsaldo {format_eur(m.opening)} "
        f"plus de boekingen ({format_eur(m.entries)}) is {format_eur(expected)}, maar "
        f"het eindsaldo is {format_eur(m.closing)}. Er ontbreken misschien boekingen: "
        "controleer of het bestand volledig is. De regels zijn wel ingelezen, maar geen "
        "ervan wordt automatisch gekoppeld: ontvangsten erin staan in Betalingen op Status "
        "Controleren.",
    )


def _mark_unbalanced(out: list[_Raw], first: int, mismatch: BalanceMismatch) -> None:
    """Mark the statement's lines, out[first:]; their keys stay as they are (a re-import
    of the corrected file adds nothing)."""
    for index in range(first, len(out)):
        raw = out[index]
        out[index] = _Raw(raw.line, raw.base_key, mismatch, raw.former_key)


def _camt_amount(elem: ET.Element | None, name: str) -> Decimal | None:
    if elem is None:
        return None
    text = (elem.text or "").strip()
    if not _CAMT_AMOUNT_RE.match(text):
        raise BankFileError(f"Bankbestand {name}: ongeldig bedrag {text[:40]!r}.")
    return _checked_amount(Decimal(text), name, "")


def _camt_date(entry: ET.Element, name: str) -> date:
    for wrapper in ("BookgDt", "ValDt"):
        found = entry.find(wrapper)
        if found is None:
            continue
        text = _text(found, "Dt") or _text(found, "DtTm")[:10]
        if text:
            try:
                day = date.fromisoformat(text)
            except ValueError:
                raise BankFileError(f"Bankbestand {name}: ongeldige datum {text[:40]!r}.") from None
            return _checked_date(day, name, "")
    raise BankFileError(f"Bankbestand {name}: de boeking heeft geen boekdatum.")


def _sign(indicator: str, name: str) -> int:
    if indicator == "CRDT":
        return 1
    if indicator == "DBIT":
        return -1
    raise BankFileError(f"Bankbestand {name}: onbekende CdtDbtInd {indicator[:40]!r}.")


# ISO 20022 ExternalBankTransactionSubFamily1Code values that say the booking returns or
# reverses an earlier one (the ISO code list; the same names in OCA's camt import):
RETURN_SUB_FAMILIES = frozenset(
    {
        "RRTN",  # reversal due to payment return / reimbursement of a credit transfer
        "RPCR",  # reversal due to payment cancellation request
        "UPDD",  # reversal due to return / unpaid direct debit (storno of an incasso)
        "PRDD",  # reversal due to payment reversal (direct debit)
        "RCDD",  # reversal due to a payment cancellation request (direct debit)
        "ARET",  # ACH return
        "AREV",  # ACH reversal
        "UPCQ",  # unpaid cheque
        "CQRV",  # cheque reversal
        "XPCQ",  # unpaid foreign cheque
        "UPCT",  # unpaid card transaction
        "UDFT",  # dishonoured / unpaid draft
    }
)
# SWIFT MT940 field 61 subfield 6: "N" or "F" + the transaction type, RTI = returned item.
RETURN_MT940_TYPES = frozenset({"NRTI", "FRTI"})
_CODE_PARTS = re.compile(r"[^A-Z0-9]+")


def _is_return_code(code: ET.Element | None) -> bool:
    """A BkTxCd that marks a return: an ISO sub-family above (Domn/Fmly/SubFmlyCd), or a
    proprietary code (Prtry/Cd) written as ISO or SWIFT codes ("PMNT/ICDT/RRTN", "NRTI").
    Banks' own numeric codes (Rabobank 541, ABN AMRO 426...) are not interpreted."""
    if code is None:
        return False
    if _text(code, "Domn", "Fmly", "SubFmlyCd").upper() in RETURN_SUB_FAMILIES:
        return True
    proprietary = _text(code, "Prtry", "Cd").upper()
    return any(
        part in RETURN_SUB_FAMILIES or part in RETURN_MT940_TYPES or part == "RTI"
        for part in _CODE_PARTS.split(proprietary)
    )


def _camt_entry(
    entry: ET.Element, own: str, name: str, position: int
) -> tuple[list[_Raw], tuple[Decimal, str] | None]:
    """The lines of one Ntry (the `position`-th of the file), and its signed amount and
    currency when it is booked. Messages name the entry: "Bankbestand nov.xml, boeking 3"."""
    # (findtext(x) or "").strip() is _text(entry, x) without a call of ours: 50,000 entries.
    findtext = entry.findtext
    status = (findtext("Sts") or "").strip() or _text(entry, "Sts", "Cd")
    if status and status != "BOOK":
        # Pending or informational entries are not money on the account yet.
        return [], None
    svcr_ref = (findtext("AcctSvcrRef") or "").strip()
    where = f"{name}, boeking {position}" + (f" ({svcr_ref[:40]})" if svcr_ref else "")
    booked = _camt_date(entry, where)
    entry_sign = _sign((findtext("CdtDbtInd") or "").strip(), where)
    amt = entry.find("Amt")
    entry_amount = _camt_amount(amt, where)
    currency = ((amt.get("Ccy") if amt is not None else "") or "EUR").strip().upper()
    if entry_amount is None:
        raise BankFileError(f"Bankbestand {where}: de boeking heeft geen bedrag (Ntry/Amt).")
    # A return code on the entry counts as a reversal: same parties, never a payment.
    reversal = (findtext("RvslInd") or "").strip().lower() == "true" or _is_return_code(
        entry.find("BkTxCd")
    )
    entry_info = _clean(findtext("AddtlNtryInf"))
    details = [tx for nd in entry.findall("NtryDtls") for tx in nd.findall("TxDtls")]

    # A batch is split only when every transaction carries its own amount and they add up to
    # the booking; otherwise one line for the whole booking is the only honest reading.
    split = False
    if len(details) > 1:
        amounts = [_tx_amount(tx, entry_sign, where) for tx in details]
        if all(a is not None for a in amounts):
            split = sum(a for a in amounts if a is not None) == entry_sign * entry_amount
    raws: list[_Raw] = []
    if split:
        for index, tx in enumerate(details, start=1):
            amount = _tx_amount(tx, entry_sign, where)
            assert amount is not None
            raws.append(
                _camt_line(
                    tx, amount, booked, own, name, reversal, entry_info, svcr_ref, index, currency
                )
            )
    else:
        raws.append(
            _camt_line(
                details[0] if details else None,
                entry_sign * entry_amount,
                booked,
                own,
                name,
                reversal,
                entry_info,
                svcr_ref,
                0,
                currency,
            )
        )
    return raws, (entry_sign * entry_amount, currency)


def _tx_amount(tx: ET.Element, entry_sign: int, name: str) -> Decimal | None:
    # .001.02 (NL) puts it in AmtDtls/TxAmt/Amt; .001.04+ also directly under TxDtls. Never
    # "the first Amt below TxDtls": AmtDtls/InstdAmt may come first.
    amount = _camt_amount(_child(tx, "AmtDtls", "TxAmt", "Amt"), name)
    if amount is None:
        amount = _camt_amount(_child(tx, "Amt"), name)
    if amount is None:
        return None
    indicator = _text(tx, "CdtDbtInd")
    sign = _sign(indicator, name) if indicator else entry_sign
    return sign * amount


def _party(parties: ET.Element | None, role: str) -> tuple[str, str]:
    """(IBAN, name) of the Dbtr or Cdtr side; .001.08 wraps the party in Pty."""
    if parties is None:  # no RltdPties (bank costs, interest)
        return "", ""
    party = parties.find(role)
    name = (
        "" if party is None else (party.findtext("Nm") or "").strip() or _text(party, "Pty", "Nm")
    )
    if not name:
        ultimate = _child(parties, "Ultmt" + role)
        name = _text(ultimate, "Nm") or _text(ultimate, "Pty", "Nm")
    account = _child(parties, role + "Acct", "Id")
    iban = (
        ""
        if account is None
        else (account.findtext("IBAN") or "").strip() or _text(account, "Othr", "Id")
    )
    return _iban(iban), _clean(name)


def _camt_line(
    tx: ET.Element | None,
    amount: Decimal,
    booked: date,
    own: str,
    name: str,
    reversal: bool,
    entry_info: str,
    svcr_ref: str,
    index: int,
    currency: str = "EUR",
) -> _Raw:
    parties = tx.find("RltdPties") if tx is not None else None
    # The customer who paid us is the debtor of a credit; a reversal of that credit is booked
    # as a debit but still concerns the same debtor.
    primary, other = ("Dbtr", "Cdtr") if (amount > 0) != reversal else ("Cdtr", "Dbtr")
    counter_iban, counter_name = _party(parties, primary)
    if (not counter_iban and not counter_name) or (counter_iban and counter_iban == own):
        # The other side when this one is empty, or is our own account (a return that
        # carries only RtrInf keeps the original roles).
        alt_iban, alt_name = _party(parties, other)
        if alt_iban != own and (alt_iban or alt_name):
            counter_iban, counter_name = alt_iban, alt_name
    remittance = tx.find("RmtInf") if tx is not None else None
    ustrd = remittance.findall("Ustrd") if remittance is not None else ()
    if len(ustrd) == 1:  # nearly always: one line of text
        description = _clean(ustrd[0].text)
    else:
        description = " ".join(_clean(u.text) for u in ustrd)
    if not description:
        description = _clean(_text(tx, "AddtlTxInf")) or entry_info
    reference = ""
    for strd in _children(remittance, "Strd"):
        reference = _text(strd, "CdtrRefInf", "Ref")
        if reference:
            break
    refs = tx.find("Refs") if tx is not None else None
    end_to_end = "" if refs is None else (refs.findtext("EndToEndId") or "").strip()
    if end_to_end.upper() == "NOTPROVIDED":
        end_to_end = ""
    is_return = (
        reversal
        or (tx is not None and tx.find("RtrInf") is not None)
        or (tx is not None and _is_return_code(tx.find("BkTxCd")))
    )
    # Positional, in BankLine's field order (key and unbalanced come in _unique_fields).
    line = BankLine(
        booked, amount, counter_iban, counter_name, description, reference, end_to_end,
        is_return, "", own, name, currency,
    )  # fmt: skip
    key = f"camt:{own}:{svcr_ref}" if svcr_ref else _hash_key("camt", own, line)
    if index:
        key = f"{key}/{index}"
    return _Raw(line, key)


# --- MT940 ---------------------------------------------------------------------------------

_MT940_SIGN_RE = re.compile(r"^:61:\d{6}(?:\d{4})?(RC|RD|C|D)", re.M)
_ING_TAG = re.compile(r"/(?:CNTP|EREF|REMI)/")
_RABO_TAG = re.compile(r"/(?:EREF|BENM|ORDP|REMI|MARF|NAME)/")
_IBAN_START = re.compile(r"^([A-Z]{2}\d{2}[A-Z0-9]{10,30})\s+(.*)$")


def _own_account(account: str) -> str:
    account = account.strip()
    # Triodos writes "TRIODOSBANK/0390123456"; old Rabobank "1291.99.348EUR"; ING's
    # structured MT940 the IBAN and the currency, "NL69INGB0123456789EUR".
    account = account.rpartition("/")[2]
    account = _iban(account)
    old_rabo = re.match(r"^(\d+)[A-Z]{3}$", account)
    if old_rabo:
        return old_rabo.group(1)
    if account[-3:].isalpha() and not iban_is_valid(account) and iban_is_valid(account[:-3]):
        return account[:-3]
    return account


_MT940_STATEMENT = re.compile(r"^:20:", re.M)


def _has_closing_balance(text: str) -> bool:
    """A statement's closing balance, final (:62F:) or of an intermediate page (:62M:),
    looked for from the end, where it stands (a regex through the whole statement took
    0.33 s for the 655,000 entries of the benchmark's MT940 file)."""
    return text.rfind("\n:62F:") != -1 or text.rfind("\n:62M:") != -1


# The mt940 library parses each date (two per transaction) with datetime.strptime, a
# fifth of reading an MT940 file (65,000 transactions: 2.7 -> 2.2 s CPU); a file has a few
# hundred distinct dates, so each is parsed once. Same dates, same errors (lru_cache keeps
# no failure, so a bad date raises every time).
if not hasattr(mt940._parse_date, "cache_info"):
    mt940._parse_date = functools.lru_cache(maxsize=4096)(mt940._parse_date)


def swift_tags(tags: Sequence[tuple[str, str]]) -> Callable[[str], dict[str, str]]:
    """mt940's `_find_swift_tags(tags, text)` as a function of the text, with the same
    results: where each value ends (the nearest other tag) is found by one search of a
    pattern of all the other tags, not a `str.find` per tag (a quarter of the time of
    reading a Rabobank MT940 file). The leftmost match of an alternation is the smallest
    of the tags' first positions, which is what the library computes.

    >>> swift_tags(mt940.RABO_TAGS)("/EREF/E2E1/NAME/JANSEN BV/REMI/Factuur 17")
    {'eref': 'E2E1', 'name': 'JANSEN BV', 'remi': 'Factuur 17'}
    """
    others = {
        tag: re.compile("|".join(re.escape(t) for t, _ in tags if t != tag)) for tag, _ in tags
    }

    def find(text: str) -> dict[str, str]:
        values = {}
        for tag, name in tags:
            if text.startswith(tag):
                text = text[len(tag) :]
                found = others[tag].search(text)
                end = found.start() if found else len(text)
                values[name] = text[:end]
                text = text[end:]
            if not text:
                break
        return values

    return find


# Rabobank's structured :86: (mt940.rabo_description takes the text with its line breaks
# removed, as _mt940_line's `flat` is).
_rabo_tags = swift_tags(mt940.RABO_TAGS)


def _mt940_chunks(text: str) -> Iterator[str]:
    """The text of each statement: the mt940 library starts a statement at every line
    that begins with :20:, so parsing these pieces one by one gives the statements that
    parsing the whole file gives, without the records of every statement at once. What
    comes before the first :20: (a SWIFT or bank header) stays with the first."""
    starts = [m.start() for m in _MT940_STATEMENT.finditer(text)][1:]
    for start, end in pairwise([0, *starts, len(text)]):
        yield text[start:end]


def _read_mt940(text: str, name: str, warnings: list[Warning_]) -> Iterator[_Raw]:
    """The lines, yielded statement by statement; one statement is parsed at a time."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    statements = 0
    first_line = 1
    for chunk in _mt940_chunks(text):
        for lines in _read_mt940_chunk(chunk, name, warnings, first_line):
            statements += 1
            yield from lines
        first_line += chunk.count("\n")
    if not statements:
        raise BankFileError(f"Bankbestand {name}: geen MT940-afschrift gevonden.")


def _read_mt940_chunk(
    text: str, name: str, warnings: list[Warning_], first_line: int = 1
) -> Iterator[list[_Raw]]:
    """The lines of each statement in `text` (one list per statement); `text` starts at
    line `first_line` of the file."""
    if any(len(part) > MAX_FIELD_CHARS for part in re.split(r"\n:\d\d[A-Z]?:", text)):
        raise BankFileError(f"Bankbestand {name}: een MT940-veld is groter dan 1 MB.")
    try:
        parsed = mt940.MT940(io.StringIO(text))
    except (AttributeError, ValueError, IndexError, TypeError, InvalidOperation):
        # The library's own words ("'NoneType' object has no attribute 'group'") tell the
        # user nothing: the line it could not read is found here instead.
        raise BankFileError(
            f"Bankbestand {name}: het MT940-bestand is beschadigd of onvolledig"
            f"{_mt940_fault(text, first_line)}."
        ) from None
    if parsed.statements and not _has_closing_balance(text):
        # Why: the closing balance is mandatory (SWIFT MT940 :62a:), and a download cut off
        # half-way ends without it; read as it is, the statement would lose its last entries
        # silently, and without a closing balance its balance check is skipped too.
        start = _MT940_STATEMENT.search(text)
        line = first_line + text.count("\n", 0, start.start() if start else 0)
        raise BankFileError(
            f"Bankbestand {name}: het afschrift op regel {line} (:20:) heeft geen eindsaldo "
            "(:62F:); het bestand is afgebroken of onvolledig. Download het afschrift opnieuw."
        )
    signs = iter(_MT940_SIGN_RE.findall(text))
    # The line of each :61: and of each :62F:, in file order, for messages naming the line.
    lines61 = iter(_line_numbers(text, ":61:", first_line))
    lines62 = iter(_line_numbers(text, ":62F:", first_line))
    for statement in parsed.statements:
        out: list[_Raw] = []
        first = 0
        own = _own_account(statement.account or "")
        if not own:
            raise BankFileError(f"Bankbestand {name}: een afschrift heeft geen rekening (:25:).")
        balance = statement.start_balance or statement.end_balance
        currency = ((balance.currency if balance else "") or "EUR").strip().upper()
        for tx in statement.transactions:
            sign = next(signs, "")
            where = f", regel {next(lines61, '?')}"
            _checked_amount(Decimal(tx.amount), name, where)
            _checked_date(tx.booking or tx.date, name, where)
            out.append(_mt940_line(tx, sign, own, name, currency))
        booked = _Booked()
        for tx in statement.transactions:
            booked.add(Decimal(tx.amount), "")
        # :60F: and :62F: only: an intermediate page (:60M:/:62M:) has neither here.
        start, end = statement.start_balance, statement.end_balance
        for balance, tag in ((start, ":60F:"), (end, ":62F:")):
            if balance is not None:
                where = f", regel {next(lines62, '?')}" if tag == ":62F:" else f", saldo {tag}"
                _checked_amount(Decimal(balance.amount), name, where)
        label = _clean(statement.information) or _clean(statement.statement) or own
        if end is not None:
            label = f"{label} van {nl_date(end.date)}"  # Rabobank numbers every one 00000/00
        mismatch = _mismatch(
            label,
            (Decimal(start.amount), start.currency.upper()) if start else None,
            booked,
            (Decimal(end.amount), end.currency.upper()) if end else None,
        )
        if mismatch is not None:
            warnings.append(_balance_warning(name, mismatch))
            _mark_unbalanced(out, first, mismatch)
        yield out


# What the mt940 library reads of a booking line (its TRANSACTION_RE, with a real date) and of
# a balance line (:60F:, :62F: and the intermediate :60M:, :62M:, :64:, :65:).
_MT940_BALANCE = re.compile(r"[CD](\d{6})[A-Z]{3}\d[\d,]{0,15}")
_MT940_BALANCE_TAGS = (":60F:", ":60M:", ":62F:", ":62M:", ":64:", ":65:")


def _mt940_fault(text: str, first_line: int) -> str:
    """Where an MT940 text the library refused goes wrong: ": regel N (:61:) ... " for the
    first booking or balance line it cannot read, else ''."""
    for k, line in enumerate(text.split("\n")):
        if line.startswith(":61:"):
            m = mt940.TRANSACTION_RE.match(line[4:])
            day = m["date"] if m else ""
            booking = (day[:2] + m["booking"]) if m and m["booking"] else ""
            if m is None or not _yymmdd(day) or (booking and not _yymmdd(booking)):
                return (
                    f": regel {first_line + k} ({line[:40]}) is geen boeking die te lezen is "
                    "(verwacht :61: met datum JJMMDD, C of D en een bedrag)"
                )
        elif line.startswith(_MT940_BALANCE_TAGS):
            value = line.split(":", 2)[2]
            m = _MT940_BALANCE.fullmatch(value.strip())
            if m is None or not _yymmdd(m[1]) or not _is_amount(value.strip()[10:]):
                return (
                    f": regel {first_line + k} ({line[:40]}) is geen saldo dat te lezen is "
                    "(verwacht C of D, datum JJMMDD, valuta en een bedrag)"
                )
    return ""


def _yymmdd(text: str) -> bool:
    try:
        datetime.strptime(text, "%y%m%d")
    except ValueError:
        return False
    return True


def _is_amount(text: str) -> bool:
    try:
        Decimal(text.replace(",", "."))
    except InvalidOperation:
        return False
    return True


def _line_numbers(text: str, tag: str, first_line: int = 1) -> list[int]:
    """The line numbers of the lines starting with `tag`, counted once through; `text`
    starts at line `first_line` of the file."""
    found, line, last = [], first_line, 0
    for m in re.finditer("^" + re.escape(tag), text, re.M):
        line += text.count("\n", last, m.start())
        last = m.start()
        found.append(line)
    return found


def _mt940_line(tx: mt940.Transaction, sign: str, own: str, name: str, currency: str) -> _Raw:
    ref61 = _clean(tx.reference)
    counter_iban, counter_name, description, reference, end_to_end, returned = _details_86(
        tx.description or "", _clean(tx.additional_data), ref61, own
    )
    line = BankLine(
        booked=tx.booking or tx.date,
        amount=Decimal(tx.amount),
        counter_iban=counter_iban,
        counter_name=counter_name,
        description=description,
        reference=reference,
        end_to_end=end_to_end,
        reversal=(
            returned
            or sign in ("RC", "RD")
            or (tx.id or "").upper() in RETURN_MT940_TYPES  # SWIFT type "returned item"
        ),
        own_iban=own,
        source=name,
        currency=currency,
    )
    bank_ref = _clean(tx.institution_reference)
    if bank_ref and bank_ref.upper() != "NONREF":
        return _Raw(line, f"mt940:{own}:{bank_ref}")
    # Without a bank reference the key is a hash of the line, with the amount in one form
    # whatever the file wrote ("C500," or "C500,00": ABN AMRO's samples show both), so that
    # ABN AMRO's TXT of the same days (_abn_tab_line) gets the same key. A line whose amount
    # was written with its zeros had the key of that form: kept as its former key, so that
    # what was imported under it is not imported again.
    plain = _without_trailing_zeros(line.amount)
    key = _hash_key("mt940", own, line, tx.date, ref61, amount=plain)
    if str(plain) == str(line.amount):
        return _Raw(line, key)
    return _Raw(line, key, None, _hash_key("mt940", own, line, tx.date, ref61))


def _details_86(
    raw86: str, additional: str, ref61: str, own: str
) -> tuple[str, str, str, str, str, bool]:
    """What an MT940 :86: text says: (counter IBAN, counter name, description, reference,
    end-to-end id, whether it says "returned" (/RTRN/)), normalised as BankLine holds them.
    `additional`: the :61: supplementary details (Rabobank's counter account), `ref61`: the
    :61: customer reference, `own`: the statement's account. Shared by the MT940 reader and
    ABN AMRO's TXT export, whose Omschrijving is the same text as its MT940 :86:.

    >>> _details_86("/TRTP/SEPA OVERBOEKING/IBAN/NL91ABNA0417164300/BIC/ABNANL2A/NAME/JANSEN B"
    ...         "V/REMI/Factuur 2026-0017/EREF/NOTPROVIDED", "", "NONREF", "NL44RABO0123456789")
    ('NL91ABNA0417164300', 'JANSEN BV', 'Factuur 2026-0017', '', '', False)
    """
    flat = "".join(raw86.splitlines())
    counter_iban = counter_name = description = reference = end_to_end = ""
    returned = "/RTRN/" in flat
    if "/TRTP/" in flat:  # ABN AMRO SEPA
        values = mt940.abn_amro_description(raw86)
        counter_iban = values.get("iban", "")
        counter_name = values.get("name", "")
        description = values.get("remi", "")
        end_to_end = values.get("eref", "")
    elif "/CNTP/" in flat or (
        flat.startswith("/")
        and _ING_TAG.search(flat)
        and "/BENM/" not in flat
        and "/ORDP/" not in flat
        and "/NAME/" not in flat
    ):
        values = mt940.ing_description(raw86)
        cntp = values.get("cntp") or {}
        remi = values.get("remi") or {}
        counter_iban = cntp.get("account_number", "")
        counter_name = cntp.get("name", "")
        description = remi.get("remittance_info", "")
        if remi.get("code") == "STRD" and remi.get("issuer") in ("CUR", "ISO"):
            reference, description = description, ""
        end_to_end = values.get("eref", "")
    elif _RABO_TAG.search(flat) and flat.startswith("/"):  # Rabobank MT940 structured
        values = _rabo_tags(flat)  # mt940.rabo_description(raw86), faster
        counter_name = values.get("name", "")
        description = values.get("remi", "")
        reference = values.get("cdtrref", "")
        end_to_end = values.get("eref", "")
        if _IBAN_RE.match(_iban(additional)):
            counter_iban = _iban(additional)
    elif re.search(r">\d\d", flat):  # Triodos: >20..>29 text, >31 account, >32/>33 name
        fields = dict(re.findall(r">(\d\d)([^>]*)", flat))
        description = "".join(fields.get(str(n), "") for n in range(20, 30))
        counter_iban = _iban(fields.get("31", ""))
        counter_name = (fields.get("32", "") + fields.get("33", "")).strip()
    else:  # ASN, SNS, Knab, old ING/ABN: free text, sometimes "IBAN name" on the first line
        lines = raw86.splitlines()
        first = _IBAN_START.match(lines[0].strip()) if lines else None
        if first:
            counter_iban, counter_name = first.group(1), first.group(2)
            description = " ".join(lines[1:])
        else:
            description = raw86
        if not counter_iban and _IBAN_RE.match(_iban(ref61)):
            counter_iban = _iban(ref61)
    if end_to_end.strip().upper() == "NOTPROVIDED":
        end_to_end = ""
    if _iban(counter_iban) == own:
        # Triodos repeats the own account in >31; it is not the other party.
        counter_iban = ""
    return (
        _iban(counter_iban),
        _clean(counter_name),
        _clean(description),
        _clean(reference),
        _clean(end_to_end),
        returned,
    )


# --- CSV (ING, Rabobank) -------------------------------------------------------------------

_ING_HEADER = (
    "Datum",
    "Naam / Omschrijving",
    "Rekening",
    "Tegenrekening",
    "Code",
    "Af Bij",
    "Bedrag (EUR)",
    "Mutatiesoort",
    "Mededelingen",
)
_ING_HEADER_NEW = (*_ING_HEADER, "Saldo na mutatie", "Tag")
# ING's export in English (Mijn ING set to English): the same columns in the same order
# under English names, "Debit"/"Credit" for Af/Bij, dates as YYYYMMDD and amounts as in the
# Dutch export. ING publishes no English header; two public parsers give the same one,
# checked 2026-12-05: cuiter/cashplot (src/controller/sources/ing-csv.ts and its test: the
# nine columns, comma separated, "Debit"/"Credit") and DanielHaitink/YNABGoingDutch
# (testfiles/ing-english.csv: the eleven, semicolons, "Debit", "45,14").
_ING_HEADER_EN = (
    "Date",
    "Name / Description",
    "Account",
    "Counterparty",
    "Code",
    "Debit/credit",
    "Amount (EUR)",
    "Transaction type",
    "Notifications",
)
_ING_HEADER_EN_NEW = (*_ING_HEADER_EN, "Resulting balance", "Tag")
# Debit/credit -> Af Bij. Anything else is left as it is, for _ing_row to refuse by name.
_ING_DIRECTIONS_EN = {"debit": "Af", "credit": "Bij"}
_RABO_HEADER = (
    "IBAN/BBAN",
    "Munt",
    "BIC",
    "Volgnr",
    "Datum",
    "Rentedatum",
    "Bedrag",
    "Saldo na trn",
    "Tegenrekening IBAN/BBAN",
    "Naam tegenpartij",
    "Naam uiteindelijke partij",
    "Naam initiërende partij",
    "BIC tegenpartij",
    "Code",
    "Batch ID",
    "Transactiereferentie",
    "Machtigingskenmerk",
    "Incassant ID",
    "Betalingskenmerk",
    "Omschrijving-1",
    "Omschrijving-2",
    "Omschrijving-3",
    "Reden retour",
    "Oorspr bedrag",
    "Oorspr munt",
    "Koers",
)
# Rabobank's export in English (Rabo Internet Banking set to English): the same 26 columns in
# the same order under English names, with the same values (comma separated and quoted,
# amounts "+1.234,56", dates YYYY-MM-DD, the same Seq No as Volgnr, so the same key).
# Rabobank publishes no English header; two public parsers give the same one, checked
# 2026-12-06: a beancount importer that reads both languages with one mapping (its header
# patterns, amounts with a decimal comma, dates YYYY-MM-DD) and a TypeScript statement
# detector whose profile "rabobank-csv-en-v1.2" lists the 26 names and checks "+9,99" amounts
# and 18-digit Seq Nos.
_RABO_HEADER_EN = (
    "IBAN/BBAN",
    "Ccy",
    "BIC",
    "Seq No",
    "Date",
    "Value Date",
    "Amount",
    "Bal After Bkng",
    "Counterpty IBAN/BBAN",
    "Name Counterpty",
    "Name Ultimate Pty",
    "Name Initiating Pty",
    "Counterpty BIC",
    "Code",
    "Batch ID",
    "Transaction Reference",
    "Mandate Reference",
    "Collector ID",
    "Payment Reference",
    "Description-1",
    "Description-2",
    "Description-3",
    "Reasoncode",
    "Instr Amt",
    "Instr Ccy",
    "Rate",
)


def _header_key(text: str) -> str:
    # Why: "initiërende" appears garbled between exports (initiÎrende); compare ASCII letters
    # of everything else exactly, and the accented letter not at all.
    folded = unicodedata.normalize("NFKD", text.strip()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9/()\- ]", "", folded.lower())


def _read_csv(text: str, name: str) -> Iterator[_Raw]:
    """The lines, yielded row by row. A row is named by the line a text editor shows it
    on: a quoted field may span lines, so that is where its record starts (csv.reader's
    line_num is where the previous one ended), not the record's count."""
    first = _first_filled_line(text[:65536])
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = csv.reader(physical_lines(text), delimiter=delimiter)
    start = 1  # the line the record being read starts on
    try:
        # Empty lines before the header are passed over, each still counted (line_num), so
        # that every message names the line of the file as it is.
        header = []
        for row in rows:
            if any(cell.strip(_EMPTY_CSV_LINE) for cell in row):
                header = [h.strip() for h in row]
                break
        start = rows.line_num + 1
        # A separator at the end of the line (a converted or hand-saved export) is an
        # empty last column, not a column of the bank's.
        while header and not header[-1]:
            header.pop()
        keys = tuple(_header_key(h) for h in header)
        if keys in (tuple(map(_header_key, _ING_HEADER)), tuple(map(_header_key, _ING_HEADER_NEW))):
            reader = _ing_row
            prefix = "ing-csv"
        elif keys in (
            tuple(map(_header_key, _ING_HEADER_EN)),
            tuple(map(_header_key, _ING_HEADER_EN_NEW)),
        ):
            reader = _ing_english_row
            prefix = "ing-csv"
        elif _rabo_header_ok(keys):
            reader = _rabo_row
            prefix = "rabo-csv"
        else:
            raise BankFileError(
                f"Bankbestand {name}: de kolomkoppen horen niet bij een bekende CSV-export "
                f"(ING of Rabobank). {_DOWNLOAD}"
            )
        ing: list[tuple[_Raw, list[str]]] = []
        for row in rows:
            number, start = start, rows.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            while len(row) > len(header) and not row[-1].strip():
                row.pop()
            if len(row) != len(header):
                raise BankFileError(
                    f"Bankbestand {name}: regel {number} heeft {len(row)} kolommen in plaats "
                    f"van {len(header)}; het bestand is beschadigd of onvolledig."
                )
            # By the header's compared form (_header_key, worked out once for the file, not
            # for every value of every row: a third of reading an ING export).
            record = dict(zip(keys, row, strict=True))
            if prefix == "ing-csv":
                # The balance after the line, where the export gives it (both languages'
                # eleven columns, tenth): it tells which way round a one-day file is.
                ing.append((reader(record, header, name, number, prefix), row[9:10]))
            else:
                yield reader(record, header, name, number, prefix)
        yield from _ing_in_booking_order(ing)
    except csv.Error as exc:
        # csv.reader stops only at a field over its limit: a quote (") that is never
        # closed, so that the rest of the file became one field.
        what = (
            f"vanaf regel {start} staat een veld van meer dan "
            f"{dutch_count(csv.field_size_limit())} tekens"
            + '; waarschijnlijk wordt daar een aanhalingsteken (") niet gesloten'
            if "field limit" in str(exc)
            else f"regel {start}: {exc}"
        )
        raise BankFileError(f"Bankbestand {name}: de CSV is onleesbaar ({what}).") from None


def _rabo_header_ok(keys: tuple[str, ...]) -> bool:
    """Rabobank's header in English, or in Dutch with its "initiërende" however garbled."""
    if keys == tuple(map(_header_key, _RABO_HEADER_EN)):
        return True
    expected = tuple(_header_key(h) for h in _RABO_HEADER)
    if len(keys) != len(expected):
        return False
    for got, want in zip(keys, expected, strict=True):
        if want.startswith("naam initi"):
            if not (got.startswith("naam initi") and got.endswith("rende partij")):
                return False
        elif got != want:
            return False
    return True


def _nl_amount(text: str, name: str, number: int) -> Decimal:
    text = text.strip()
    if not _NL_AMOUNT_RE.match(text):
        raise BankFileError(
            f"Bankbestand {name}: regel {number} heeft een ongeldig bedrag {text[:40]!r}."
        )
    return _checked_amount(
        Decimal(text.replace(".", "").replace(",", ".")), name, f", regel {number}"
    )


def _csv_date(text: str, fmt: str, name: str, number: int) -> date:
    text = text.strip()
    try:
        if fmt == "YYYYMMDD" and re.fullmatch(r"\d{8}", text):
            day = date(int(text[:4]), int(text[4:6]), int(text[6:]))
            return _checked_date(day, name, f", regel {number}")
        if fmt == "YYYY-MM-DD":
            return _checked_date(date.fromisoformat(text), name, f", regel {number}")
    except BankFileError:
        raise
    except ValueError:
        pass
    dutch = re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{4})", text)
    if fmt == "YYYY-MM-DD" and dutch:
        # Why: Rabobank writes 2026-11-23; a Dutch Excel that opened and saved the file
        # writes 23-11-2026, and has also cut the Volgnr's zeros (another key, so the
        # lines would come in twice) and made 16-digit kenmerken 1,06793E+15.
        day_, month, year = dutch.groups()
        raise BankFileError(
            f"Bankbestand {name}: regel {number} heeft de datum {text!r}, waar de bank "
            f"{year}-{int(month):02d}-{int(day_):02d} schrijft: het bestand is in Excel "
            "geopend en opgeslagen, en daarbij veranderen ook volgnummers en "
            "betalingskenmerken. Download het afschrift opnieuw en lees het in zonder het "
            "eerst in Excel op te slaan."
        )
    raise BankFileError(
        f"Bankbestand {name}: regel {number} heeft een ongeldige datum {text[:40]!r}."
    )


def _ing_row(
    record: dict[str, str], header: list[str], name: str, number: int, prefix: str
) -> _Raw:
    """A Dutch ING row, its values by their column's _header_key ("af bij")."""
    by_key = record
    direction = by_key["af bij"].strip().lower()
    if direction not in ("af", "bij"):
        raise BankFileError(
            f"Bankbestand {name}: regel {number} heeft '{header[5]}' {by_key['af bij']!r}."
        )
    # The direction is Af Bij's; ING writes no sign, and one added (a converted file) must
    # not turn money out into a receipt.
    amount = abs(_nl_amount(by_key["bedrag (eur)"], name, number))
    own = _iban(by_key["rekening"])
    line = BankLine(
        booked=_csv_date(by_key["datum"], "YYYYMMDD", name, number),
        amount=amount if direction == "bij" else -amount,
        counter_iban=_iban(by_key["tegenrekening"]),
        counter_name=_clean(by_key["naam / omschrijving"]),
        description=_clean(by_key["mededelingen"]),
        own_iban=own,
        source=name,
    )
    # The key of what the Dutch and the English export share, so that the same day exported
    # in each language is one set of lines (see _ing_key); the former key took in the
    # export's own words (Mededelingen, Mutatiesoort), and rows imported with it still count.
    former = _hash_key(prefix, own, line, by_key["code"], by_key["mutatiesoort"])
    return _Raw(line, _ing_key(prefix, own, line, by_key["code"]), None, former)


def _ing_in_booking_order(rows: list[tuple[_Raw, list[str]]]) -> Iterator[_Raw]:
    """ING's lines with alike lines (one key: _ing_key) numbered in booking order, oldest
    first ("K", "K#2", ...), whatever the order of the file. ING lists the newest first,
    so counted in file order a payment that arrived after the day was first exported took
    "K" and the earlier line, imported then as "K", became "K#2": the new payment was
    passed over as imported and the earlier one came in again (or, beside lines imported
    under the former key, came in twice). Counted from the oldest, a line keeps its number
    as the day goes on. `rows`: each line with the balance after it ([] when the export has
    none). The former key keeps its own count in file order (_unique_fields), as the
    version that wrote it counted."""
    if not rows:
        return
    newest_first = _newest_first(rows)
    totals = Counter(raw.base_key for raw, _ in rows)
    counted: dict[str, int] = {}
    for k in range(len(rows)):
        raw = rows[k][0]
        # Let go of each line as it is handed on: the final lines are made from them as they
        # come (_unique_fields), and the whole file's lines were held twice at the end.
        rows[k] = _GONE
        base = raw.base_key
        count = counted.get(base, 0) + 1
        counted[base] = count
        place = totals[base] - count + 1 if newest_first else count
        yield raw if place == 1 else _Raw(raw.line, f"{base}#{place}", None, raw.former_key)


_GONE: Any = None  # a row _ing_in_booking_order has handed on


def _newest_first(rows: list[tuple[_Raw, list[str]]]) -> bool:
    """Whether an ING file lists its lines newest first: by its first and last day, and in a
    file of one day by the balance after each line (each line's balance is the one before
    it plus its amount, in booking order); where neither tells, ING's own order, newest
    first (a file opened and sorted again in Excel may be the other way round)."""
    first, last = rows[0][0].line.booked, rows[-1][0].line.booked
    if first != last:
        return first > last
    for (upper, balance), (lower, next_balance) in pairwise(rows):
        before, after = _balance(balance), _balance(next_balance)
        if before is None or after is None:
            break
        forward = before + lower.line.amount == after
        backward = after + upper.line.amount == before
        if forward != backward:
            return backward
    return True


def _balance(cells: list[str]) -> Decimal | None:
    """ING's "Saldo na mutatie" ("1.500,00", "-12,34") as a Decimal; None when missing or
    not an amount (only the order of the file is read from it)."""
    text = cells[0].strip() if cells else ""
    if not _NL_AMOUNT_RE.match(text):
        return None
    return Decimal(text.replace(".", "").replace(",", "."))


# A date in a bank text: day first ("23-11-2026", "23/11/2026", "23.11.2026") or year
# first ("2026-11-23").
_DAY_FIRST_DATE = re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)")
_YEAR_FIRST_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DIGITS = re.compile(r"\d+")


def text_numbers(text: str) -> str:
    """The numbers in a bank text, in order, each date as one number (year, month, day,
    whichever way round it was written): what stays when the text is worded in another
    language. ING's Mededelingen says
    "Naam: ... Omschrijving: Factuur 2026-0102 ... Valutadatum: 23-11-2026" in Dutch and
    "Name: ... Description: Factuur 2026-0102 ... Value date: 23/11/2026" in English; the
    payer's own text, the invoice numbers, accounts, card numbers and times are the same.

    >>> text_numbers("Name: X Description: Factuur 2026-0102 Value date: 23/11/2026")
    '2026 0102 20261123'
    >>> text_numbers("Naam: X Omschrijving: Factuur 2026-0102 Valutadatum: 23-11-2026")
    '2026 0102 20261123'
    """
    dated = _DAY_FIRST_DATE.sub(lambda m: f"{m[3]}{int(m[2]):02d}{int(m[1]):02d}", text)
    dated = _YEAR_FIRST_DATE.sub(lambda m: f"{m[1]}{int(m[2]):02d}{int(m[3]):02d}", dated)
    return " ".join(_DIGITS.findall(dated))


def _ing_key(prefix: str, own: str, line: BankLine, code: str) -> str:
    """An ING CSV line's key from what its Dutch and English exports both give alike: the
    day, the signed amount in cents, the counter account, ING's two-letter code (the same in
    both: "OV", "BA", "ID") and the numbers in the description (`text_numbers`); not the
    words of Mededelingen, Mutatiesoort or the name column, which the language changes, nor
    the spacing or the form of the date and amount. Two payments alike in all of these on
    one day (the same payment made twice, or texts that differ in words only) get "#2" from
    _unique_fields, as identical lines always did: each is still imported once."""
    digest = _hash(
        line.booked,
        f"{line.amount:.2f}",
        line.counter_iban,
        code.strip().upper(),
        text_numbers(line.description),
    )
    return f"{prefix}:{own}:{digest}"


_ING_KEYS_NEW = tuple(map(_header_key, _ING_HEADER_NEW))


def _ing_english_row(
    record: dict[str, str], header: list[str], name: str, number: int, prefix: str
) -> _Raw:
    """An English ING row read as the Dutch one it translates: each value under the Dutch
    column name, Debit/Credit as Af/Bij. Its key is the Dutch row's (_ing_key leaves out
    what the language changes), so the same day exported once in each language is imported
    once; its former key took in the English texts."""
    dutch = dict(zip(_ING_KEYS_NEW, record.values(), strict=False))
    direction = dutch["af bij"]
    dutch["af bij"] = _ING_DIRECTIONS_EN.get(direction.strip().lower(), direction)
    return _ing_row(dutch, header, name, number, prefix)


def _rabo_row(
    record: dict[str, str], header: list[str], name: str, number: int, prefix: str
) -> _Raw:
    values = list(record.values())
    own = _iban(values[0])
    volgnr = values[3].strip()
    description = " ".join(_clean(values[i]) for i in (19, 20, 21) if values[i].strip())
    line = BankLine(
        booked=_csv_date(values[4], "YYYY-MM-DD", name, number),
        amount=_nl_amount(values[6], name, number),
        counter_iban=_iban(values[8]),
        counter_name=_clean(values[9]),
        description=description,
        reference=_clean(values[18]),
        reversal=bool(values[22].strip()),
        own_iban=own,
        source=name,
        currency=(values[1].strip().upper() or "EUR"),
    )
    key = f"{prefix}:{own}:{volgnr}" if volgnr else _hash_key(prefix, own, line)
    return _Raw(line, key)


# --- ABN AMRO TXT (the TXT*.TAB of Internet Bankieren's "Download transacties") ------------

# No header, one transaction a line, eight tab-separated columns, as two public parsers agree
# (checked 2026-12-06): denilsonsa/abn-amro-statement-parser (src/abnamroparser/tsvparser.py,
# HEADERS, and its TXT_SAMPLE.TAB) and oschrenk/amrotron (src/main/scala/model/Row.scala).
# Rekeningnummer (an old 9-digit number or an IBAN), Munt, Transactiedatum (JJJJMMDD),
# Beginsaldo, Eindsaldo, Rentedatum, Bedrag (signed, comma decimal, no thousands
# separator), Omschrijving: the text of ABN AMRO's MT940 :86: on one line (its lines joined
# with a space, the /TRTP/ form without), padded with spaces. Windows-1252, as _decode reads.
_TAB_COLUMNS = 8
_TAB_AMOUNT_RE = re.compile(r"^[+-]?\d+(,\d+)?$")
_TAB_DATE_RE = re.compile(r"^\d{8}$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


def _is_abn_tab_line(line: str) -> bool:
    """Whether `line` is a line of ABN AMRO's TXT export: eight tab-separated fields with a
    currency, two dates and three comma-decimal amounts where that export has them. The
    first line decides (there is no header); the reader checks every other one and names a
    broken one by its line number."""
    fields = line.rstrip("\r\n").split("\t")
    if len(fields) != _TAB_COLUMNS or not fields[0].strip():
        return False
    amounts = (fields[3], fields[4], fields[6])
    return (
        bool(_CURRENCY_RE.match(fields[1].strip()))
        and all(_yyyymmdd(fields[i].strip()) for i in (2, 5))
        and all("," in a and _TAB_AMOUNT_RE.match(a.strip()) for a in amounts)
    )


def _yyyymmdd(text: str) -> bool:
    if not _TAB_DATE_RE.match(text):
        return False
    try:
        date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return False
    return True


def _read_abn_tab(text: str, name: str, warnings: list[Warning_]) -> Iterator[_Raw]:
    """The lines, yielded line by line. Each line carries its own balances: Beginsaldo +
    Bedrag must be Eindsaldo, else the line is read with a warning and its mismatch, as an
    unbalanced statement's lines are (the statement named "op regel N")."""
    # Line by line (physical_lines: no list nor copy of the whole text), numbered as an
    # editor shows them.
    for number, line in enumerate(physical_lines(text), 1):
        row = line.rstrip("\r\n")
        if not row.strip(" \t\ufeff"):
            continue
        fields = row.lstrip("\ufeff").split("\t")
        # A tab at the end of the line (a file saved again elsewhere) is no column of the bank's.
        while len(fields) > _TAB_COLUMNS and not fields[-1].strip():
            fields.pop()
        if len(fields) != _TAB_COLUMNS:
            raise BankFileError(
                f"Bankbestand {name}: regel {number} heeft {len(fields)} kolommen in plaats "
                f"van {_TAB_COLUMNS}; het bestand is beschadigd of onvolledig."
            )
        yield _abn_tab_line(fields, name, number, warnings)


def _abn_tab_line(fields: list[str], name: str, number: int, warnings: list[Warning_]) -> _Raw:
    own = _own_account(fields[0])
    if not own:
        raise BankFileError(f"Bankbestand {name}: regel {number} heeft geen rekeningnummer.")
    currency = fields[1].strip().upper()
    if not _CURRENCY_RE.match(currency):
        raise BankFileError(
            f"Bankbestand {name}: regel {number} heeft een ongeldige munt {fields[1][:40]!r}."
        )
    booked = _csv_date(fields[2], "YYYYMMDD", name, number)
    value_date = _csv_date(fields[5], "YYYYMMDD", name, number)
    opening, closing, amount = (_tab_amount(fields[i], name, number) for i in (3, 4, 6))
    # The same code as ABN AMRO's MT940 (:86: is this Omschrijving), so the same values.
    counter_iban, counter_name, description, reference, end_to_end, returned = _details_86(
        fields[7], "", "", own
    )
    line = BankLine(
        booked=booked,
        amount=amount,
        counter_iban=counter_iban,
        counter_name=counter_name,
        description=description,
        reference=reference,
        end_to_end=end_to_end,
        reversal=returned,
        own_iban=own,
        source=name,
        currency=currency,
    )
    # No bank reference: the key is the one ABN AMRO's MT940 gives the same transaction
    # (_mt940_line: a hash of the line, the value date and the :61: reference, NONREF at
    # ABN AMRO), so the same days downloaded as MT940 and as TXT import once. Its MT940
    # writes the amount without trailing zeros ("D9,", "D11,8"), and the hash takes the
    # amount as written; the line keeps the TXT's exact amount.
    # No balance objects for a line that adds up: a fifth less time (30,000 lines: 1.34 ->
    # 1.06 s CPU).
    plain = _without_trailing_zeros(amount)
    key = _hash_key("mt940", own, line, value_date, "NONREF", amount=plain)
    # The key an MT940 of the same days had when it wrote the amount with its zeros, as the
    # TXT does ("C500,00"; _mt940_line's former key): what was imported under it counts.
    former = (
        "" if str(plain) == str(amount) else _hash_key("mt940", own, line, value_date, "NONREF")
    )
    if opening + amount == closing:  # nearly every line
        return _Raw(line, key, None, former)
    booked_total = _Booked()
    booked_total.add(amount, currency)
    mismatch = _mismatch(
        f"op regel {number}", (opening, currency), booked_total, (closing, currency)
    )
    if mismatch is not None:
        warnings.append(_balance_warning(name, mismatch))
    return _Raw(line, key, mismatch, former)


def _tab_amount(text: str, name: str, number: int) -> Decimal:
    text = text.strip()
    if not _TAB_AMOUNT_RE.match(text):
        raise BankFileError(
            f"Bankbestand {name}: regel {number} heeft een ongeldig bedrag {text[:40]!r}."
        )
    return _checked_amount(Decimal(text.replace(",", ".")), name, f", regel {number}")


def _without_trailing_zeros(amount: Decimal) -> Decimal:
    """The amount as ABN AMRO's MT940 writes it: "9," for 9,00 and "11,8" for 11,80."""
    if amount == amount.to_integral_value():
        whole = amount.quantize(Decimal(1))
        return whole if whole else Decimal(0)  # "0,", never "-0"
    return amount.normalize()
