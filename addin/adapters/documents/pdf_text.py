"""Text as the PDFs' font can draw it.

The letters and the hand-over statement use reportlab's base-14 Helvetica (notes/LETTERS.md:
not embedded, WinAnsi encoding), which has every letter of Dutch, German, French and the
euro sign, but no ł, ő, ş, ı and no emoji: those were drawn as black boxes.

Example::

    drawable_text("Mehmet Yılmaz, Łódź") -> "Mehmet Yilmaz, Lódz"
    drawable_text("Zoë 😀 BV") -> "Zoë BV"
"""

from __future__ import annotations

import re
import unicodedata

# Letters that the PDF's font (base-14 Helvetica, WinAnsi) cannot draw and that decomposition
# does not reduce to one it can: drawn as their plain Latin look-alike instead of a black box.
LOOKALIKE = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H"})
GAP = "\ue000"  # where a character was left out (a private-use code point, never drawable)


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
        kept = [
            part
            for part in unicodedata.normalize("NFKD", ch)
            if _drawable(part) and not unicodedata.combining(part)
        ]  # the base letter, without its accent; nothing of an emoji or another script
        out.extend(kept or [GAP])
    # "Zoë 😀 BV" is "Zoë BV", not "Zoë  BV"; a double space of the text's own (PostNL's
    # "1234 AB  Utrecht") stays as it is
    return re.sub(f" {GAP}+ ", " ", "".join(out)).replace(GAP, "")


def _drawable(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True
