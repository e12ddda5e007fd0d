"""Text as the PDFs' font can draw it.

The letters and the hand-over statement use reportlab's base-14 Helvetica (notes/LETTERS.md:
not embedded, WinAnsi encoding), which has every letter of Dutch, German, French and the
euro sign, but no ł, ő, ş, ı and no emoji: those were drawn as black boxes.

Example::

    drawable_text("Mehmet Yılmaz, Łódź") -> "Mehmet Yilmaz, Lódz"
"""

from __future__ import annotations

import re
import unicodedata

# Letters that the PDF's font (base-14 Helvetica, WinAnsi) cannot draw and that decomposition
# does not reduce to one it can: drawn as their plain Latin look-alike instead of a black box.
LOOKALIKE = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H"})


def drawable_text(text: str) -> str:
    """`text` as the letter's font can draw it: a letter outside WinAnsi (ł, ő, ş, ı) as its
    base letter, anything else it cannot draw (emoji, other scripts) left out. Names and
    addresses come from outside; a black box in a customer's name is worse than "Lodz"."""
    if text.isascii():
        return text
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text.translate(LOOKALIKE):
        try:
            ch.encode("cp1252")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        for part in unicodedata.normalize("NFKD", ch):
            try:
                part.encode("cp1252")
            except UnicodeEncodeError:
                continue  # a combining accent, an emoji, a letter of another script
            if not unicodedata.combining(part):
                out.append(part)
    return re.sub(r"  +", " ", "".join(out))
