"""adapters/text_encoding: the text of a CSV or MT940 file, UTF-8 or Windows-1252 decided per
line, and the lines of a UTF-8 file that were not UTF-8 named for a warning."""

from __future__ import annotations

import doctest

import pytest

from addin.adapters import text_encoding
from addin.adapters.text_encoding import decode_text

UTF8_E = "é".encode()  # b"\xc3\xa9"
CP1252_E = "é".encode("cp1252")  # b"\xe9"

# (bytes of the file, expected text, expected mixed_lines)
CASES = [
    (b"a;b\r\n" + UTF8_E + b";1\r\n", "a;b\r\né;1\r\n", ()),
    # Windows-1252 throughout (Excel's CSV): no UTF-8 accent anywhere, no warning
    (b"a;b\r\n" + CP1252_E + b";1\r\n" + CP1252_E + b"\r\n", "a;b\r\né;1\r\né\r\n", ()),
    # UTF-8 with one pasted Windows-1252 line: only that line read as Windows-1252
    (b"Caf" + UTF8_E + b"\nCaf" + CP1252_E + b"\nCaf" + UTF8_E + b"\n",
     "Café\nCafé\nCafé\n", (2,)),
    # \r\n counts once, a lone \r (old Mac) is a line end too, the last line has none
    (b"x" + UTF8_E + b"\r\n\r\n" + CP1252_E + b"\r" + CP1252_E, "xé\r\n\r\né\ré", (3, 4)),
    # a byte order mark says UTF-8: a bad line is named even without another accent
    (b"\xef\xbb\xbfa\nb" + CP1252_E + b"\n", "a\nbé\n", (2,)),
    # the five bytes Windows-1252 leaves undefined become U+FFFD, the rest of the line stays
    (UTF8_E + b"\n\x81" + CP1252_E + b"\x80\n", "é\n\ufffdé€\n", (2,)),
    ("a;é\r\n".encode("utf-16"), "a;é\r\n", ()),
    # UTF-16 without a byte order mark: NUL in every other byte of the ASCII text
    ("Datum;Naam\r\n1;Café\r\n".encode("utf-16-le"), "Datum;Naam\r\n1;Café\r\n", ()),
    ("Datum;Naam\r\n1;Café\r\n".encode("utf-16-be"), "Datum;Naam\r\n1;Café\r\n", ()),
    # a stray NUL or two in Windows-1252 text does not make it UTF-16
    (b"a;b\x00\r\nc\x00;" + CP1252_E + b"\r\n", "a;b\x00\r\nc\x00;é\r\n", ()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "exp_text", "exp_lines"),
    CASES,
    ids=[
        "utf8",
        "cp1252",
        "utf8-een-regel-1252",
        "regeleinden",
        "bom",
        "ongedefinieerd",
        "utf16",
        "utf16le-zonder-bom",
        "utf16be-zonder-bom",
        "nul-in-1252",
    ],
)
def test_decode_text(data: bytes, exp_text: str, exp_lines: tuple[int, ...]) -> None:
    got = decode_text(data)
    assert (got.text, got.mixed_lines) == (exp_text, exp_lines)


def test_docstring_examples() -> None:
    result = doctest.testmod(text_encoding)
    assert result.attempted > 0 and result.failed == 0
