"""The text of a CSV or MT940 file, whose bytes carry no encoding: UTF-8 (with or without
byte order mark), UTF-16 (with a byte order mark, or without one where the text shows it:
`utf16_without_bom`), else Windows-1252 (Excel's "CSV" on a Dutch Windows), decided per line.

Per line, because files get mixed: a UTF-8 export with one row pasted in from a Windows
program holds a single Windows-1252 byte, and reading the whole file as Windows-1252 then
turns every "é" of the other rows into "Ã©". So the lines that are valid UTF-8 are read as
UTF-8 and only the others as Windows-1252; when the file shows it is UTF-8 (a byte order
mark, or a line with a UTF-8 accent), those other lines are named (`mixed_lines`) for a
warning. A file without any UTF-8 accent is plain Windows-1252 and gets no warning: its
ASCII lines read the same either way.

Example::

    >>> got = decode_text("Naam\\nCafé\\n".encode() + b"Caf\\xe9\\n")
    >>> got.text, got.mixed_lines
    ('Naam\\nCafé\\nCafé\\n', (3,))
    >>> decode_text(b"Naam\\nCaf\\xe9\\n").mixed_lines
    ()
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass
from operator import methodcaller

# Windows-1252 leaves five bytes undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D): they become
# U+FFFD, the replacement character, rather than refusing the whole file.
FALLBACK = "cp1252"
# How many line numbers a warning lists before it says "en N andere".
SHOWN_LINES = 5


@dataclass(frozen=True, slots=True)
class DecodedText:
    """A file's text and how it was read.

    Attributes:
      text: the text, line endings as in the file.
      mixed_lines: the lines (1-based, as a text editor numbers them) of a UTF-8 file
        that were not UTF-8 and were read as Windows-1252; empty when the file is one
        encoding throughout.
    """

    text: str
    mixed_lines: tuple[int, ...] = ()


# How much of a file `utf16_without_bom` looks at: enough lines to be sure, and cheap.
UTF16_SAMPLE = 4096


def utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when `data` is UTF-16 text without a byte order mark, else
    None. Every character of a Dutch CSV or MT940 (ASCII, and the accents of Latin-1) is a
    NUL byte and its own byte in UTF-16; so in UTF-16 LE at least half of the odd bytes are
    NUL and nearly none of the even ones (the other way round in BE). UTF-8 and
    Windows-1252 text has no NUL at all, so a stray one or two (a damaged file) never looks
    like this. Files with a byte order mark are not this function's: decode_text reads them.

    >>> utf16_without_bom("Datum;Bedrag".encode("utf-16-le")), utf16_without_bom(b"Datum")
    ('utf-16-le', None)
    """
    sample = data[: UTF16_SAMPLE & ~1]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nul, odd_nul = even.count(0), odd.count(0)
    if odd_nul * 2 >= len(odd) and even_nul * 20 <= len(even):
        return "utf-16-le"
    if even_nul * 2 >= len(even) and odd_nul * 20 <= len(odd):
        return "utf-16-be"
    return None


def decode_text(data: bytes) -> DecodedText:
    """The text of `data` (see the module docstring)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return DecodedText(data.decode("utf-16", errors="replace"))
    # Rare: Excel's "Unicode text" has a byte order mark; some exports and scripts leave it
    # out. Read the same as with one.
    utf16 = utf16_without_bom(data)
    if utf16:
        return DecodedText(data.decode(utf16, errors="replace"))
    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return DecodedText(data.decode("utf-8"))  # the common case: one pass, no copies
    except UnicodeDecodeError:
        pass
    if not bom and data.decode("utf-8", errors="ignore").isascii():
        # Not one UTF-8 character of two or more bytes anywhere: plain Windows-1252, what
        # the loop below gives too (ASCII lines read the same either way), in two passes
        # in C (5 ms for 100,000 lines against the loop's 130 ms).
        return DecodedText(data.decode(FALLBACK, errors="replace"))
    pieces: list[str] = []
    fallback: list[int] = []
    utf8_accent = bom
    # bytes.splitlines breaks at \n, \r\n and \r only (never inside a UTF-8 or Windows-1252
    # character), as csv.reader and a text editor count lines.
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        try:
            piece = line.decode("utf-8")
            utf8_accent = utf8_accent or not piece.isascii()
        except UnicodeDecodeError:
            piece = line.decode(FALLBACK, errors="replace")
            fallback.append(number)
        pieces.append(piece)
    return DecodedText("".join(pieces), tuple(fallback) if utf8_accent else ())


def mixed_warning(lines: tuple[int, ...]) -> str:
    """The Dutch warning for `DecodedText.mixed_lines`, for after the file's name.

    >>> mixed_warning((4,)).split(" en ")[0]
    'regel 4 is geen UTF-8 zoals de rest van het bestand'
    >>> mixed_warning((1, 2, 3, 4, 5, 6, 7)).split(" zijn ")[0]
    'regels 1, 2, 3, 4, 5 en 2 andere'
    """
    shown = ", ".join(str(n) for n in lines[:SHOWN_LINES])
    more = len(lines) - SHOWN_LINES
    if more > 0:
        where = f"regels {shown} en {more} andere"
    elif len(lines) > 1:
        head, _, last = shown.rpartition(", ")
        where = f"regels {head} en {last}"
    else:
        where = f"regel {shown}"
    one = len(lines) == 1
    return (
        f"{where} {'is' if one else 'zijn'} geen UTF-8 zoals de rest van het "
        f"bestand en {'is' if one else 'zijn'} gelezen als Windows-1252; controleer de "
        f"letters met accenten op {'die regel' if one else 'die regels'}."
    )


# A physical line with its ending, as io.StringIO(text, newline="") splits them (at \r\n, \r
# or \n, each kept): what csv.reader needs to see a quoted field's line breaks.
_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def physical_lines(text: str) -> Iterator[str]:
    """`text`'s lines with their endings, one at a time, as iterating
    ``io.StringIO(text, newline="")`` gives them, without the copy of the whole text that
    StringIO makes at four bytes a character (330 MB for an 85 MB ING export)."""
    return map(_group, _PHYSICAL_LINE.finditer(text))


_group = methodcaller("group")
