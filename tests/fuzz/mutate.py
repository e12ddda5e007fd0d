"""Seeded mutations of bank files and workbooks, for the fuzz tests (tests/fuzz/run.py).

Every mutation is a pure function of a `random.Random` and the input bytes, so a case is
reproduced from its seed alone: `mutate_bank(rng, name, data)` -> (description, bytes),
`mutate_workbook(rng, data)` -> (description, bytes), `mutate_list_xlsx(rng, rows)` ->
(description, bytes) for an open-items list saved from Excel. The mutations aim at what real users
and hostile files send: flipped and inserted bytes, control characters, texts over Excel's
32,767-character cell limit, dates before 1900 and impossible dates, amounts beyond the
Decimal context, foreign encodings (UTF-7, UTF-16 without BOM, unknown names), DOCTYPEs,
truncation; in workbooks error cells (#DIV/0!, #N/A), NaN, huge numbers, tables with only
their header row, renamed or missing sheets and tables, and raw damage to the zip's XML.
"""

from __future__ import annotations

import contextlib
import io
import random
import re
import zipfile
from collections.abc import Callable

# -- values that break things ------------------------------------------------------------------

CONTROL = "".join(chr(c) for c in (0, 1, 7, 8, 11, 12, 27, 31, 127))
NASTY_TEXTS = (
    "",
    " ",
    "\x00",
    "a\x07b\x1bc",
    "x" * 40_000,
    "é" * 33_000,
    "=1+1",
    '=HYPERLINK("http://evil")',
    "@SUM(A1)",
    "<script>",
    "{{ 7 * 7 }}",
    "\r\n\r\n",
    "\u202e\u200b",
    "💶" * 10,
    "NaN",
    "-0",
    "1e400",
    "9" * 40,
    "31-2-2026",
    "1-1-1800",
    "0-0-0",
)
NASTY_NUMBERS = (
    0,
    -0.0,
    float("nan"),
    float("inf"),
    float("-inf"),
    1e308,
    -1e308,
    1e-320,
    2**63,
    -(2**63),
    99999999999999999999999,
    0.1 + 0.2,
    -1,
    2958466,  # one past Excel's last date serial
    -700000,
    60,  # Excel's 29-2-1900
)
ERRORS = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!")


# -- bytes -------------------------------------------------------------------------------------


def _flip(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    out = bytearray(data)
    n = rng.randint(1, 8)
    for _ in range(n):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return f"flip {n} bytes", bytes(out)


def _insert(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    pos = rng.randrange(len(data) + 1)
    chunk = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return f"insert {len(chunk)} random bytes at {pos}", data[:pos] + chunk + data[pos:]


def _delete(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    if not data:
        return "delete nothing", data
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, 200))
    return f"delete bytes {a}-{b}", data[:a] + data[b:]


def _duplicate(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    if not data:
        return "duplicate nothing", data
    a = rng.randrange(len(data))
    b = min(len(data), a + rng.randint(1, 400))
    return f"duplicate bytes {a}-{b}", data[:b] + data[a:b] + data[b:]


def _truncate(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    cut = rng.randrange(len(data) + 1)
    return f"truncate at {cut}", data[:cut]


def _control(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    text = data.decode("latin-1")
    letters = [m.start() for m in re.finditer(r"[A-Za-z]{3,}", text)]
    if not letters:
        return "no text for control characters", data
    pos = rng.choice(letters) + 1
    ch = rng.choice(CONTROL)
    return f"control {ord(ch):#x} at {pos}", (text[:pos] + ch + text[pos:]).encode("latin-1")


def _long_text(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    text = data.decode("latin-1")
    # A word in a text field (a name or remittance text): after a letter, before a letter.
    words = [m.start() for m in re.finditer(r"(?<=[a-z] )[A-Za-z]", text)]
    if not words:
        words = [m.start() for m in re.finditer(r"[a-z]{4,}", text)] or [0]
    pos = rng.choice(words)
    size = rng.choice((32_768, 40_000, 70_000))
    return f"{size} letters at {pos}", (text[:pos] + "w" * size + text[pos:]).encode("latin-1")


def _number(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    text = data.decode("latin-1")
    spots = list(re.finditer(r"\d+(?:[.,]\d+)?", text))
    if not spots:
        return "no number", data
    m = rng.choice(spots)
    new = rng.choice(
        ("9" * rng.randint(29, 60), "9" * 30 + ",99", "0", "1" + "0" * 400, "-1", "99999999,999")
    )
    return f"number {m.group()!r} -> {new[:12]}...", (
        text[: m.start()] + new + text[m.end() :]
    ).encode("latin-1")


def _date(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    text = data.decode("latin-1")
    spots = list(re.finditer(r"\b(?:\d{4}-\d\d-\d\d|\d{8}|\d{6})\b", text))
    if not spots:
        return "no date", data
    m = rng.choice(spots)
    old = m.group()
    if "-" in old:
        new = rng.choice(("1800-01-01", "0001-01-01", "1899-12-30", "9999-12-31", "2026-02-30"))
    elif len(old) == 8:
        new = rng.choice(("18000101", "00010101", "20260230", "99991231"))
    else:
        new = rng.choice(("000101", "261332", "999999", "000000"))
    return f"date {old} -> {new}", (text[: m.start()] + new + text[m.end() :]).encode("latin-1")


def _encoding(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    choice = rng.randrange(6)
    if choice == 0 and data.startswith(b"<?xml"):
        enc = rng.choice(("UTF-7", "x-nonsense", "UTF-16", "UTF-32", "cp037", "ebcdic-cp-us"))
        return f"declare {enc}", re.sub(rb'encoding="[^"]*"', f'encoding="{enc}"'.encode(), data)
    if choice == 1:
        return "utf-16-le without BOM", data.decode("latin-1").encode("utf-16-le")
    if choice == 2:
        return "utf-16-be without BOM", data.decode("latin-1").encode("utf-16-be")
    if choice == 3:
        return "utf-16 with BOM", data.decode("latin-1").encode("utf-16")
    if choice == 4:
        return "utf-32", data.decode("latin-1").encode("utf-32")
    return "bytes 0x80-0xff", data + bytes(range(0x80, 0x100))


def _doctype(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    doctype = b'<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    _head, _, rest = data.partition(b"?>")
    body = rest if data.startswith(b"<?xml") and rest else data
    doc = b'<?xml version="1.0"?>' + doctype + body
    if rng.random() < 0.5:
        return "DOCTYPE in utf-16-le without BOM", doc.decode("latin-1").encode("utf-16-le")
    return "DOCTYPE", doc


BYTE_MUTATORS: tuple[Callable[[random.Random, bytes], tuple[str, bytes]], ...] = (
    _flip,
    _insert,
    _delete,
    _duplicate,
    _truncate,
    _control,
    _long_text,
    _number,
    _date,
    _encoding,
    _doctype,
)


def mutate_bank(rng: random.Random, data: bytes, rounds: int | None = None) -> tuple[str, bytes]:
    """One to three mutations of a bank file's bytes, described."""
    steps = []
    for _ in range(rounds or rng.randint(1, 3)):
        what, data = rng.choice(BYTE_MUTATORS)(rng, data)
        steps.append(what)
    return "; ".join(steps), data


# -- workbooks ---------------------------------------------------------------------------------

TABLE_SHEETS = (
    "Facturen",
    "Klanten",
    "Contactpersonen",
    "Afspraken",
    "Contacten",
    "Betalingen",
    "Stappen",
    "Instellingen",
)


def _nasty_value(rng: random.Random) -> object:
    kind = rng.randrange(4)
    if kind == 0:
        return rng.choice(NASTY_TEXTS)
    if kind == 1:
        return rng.choice(NASTY_NUMBERS)
    if kind == 2:
        return rng.choice(ERRORS)
    from datetime import date, datetime

    return rng.choice(
        (date(1800, 1, 1), date(1899, 12, 30), date(1900, 2, 28), datetime(9999, 12, 31), None)
    )


def _cells(rng: random.Random, wb: object) -> str:
    steps = []
    for _ in range(rng.randint(1, 6)):
        sheet_name = rng.choice(TABLE_SHEETS)
        if sheet_name not in wb.sheetnames:  # type: ignore[attr-defined]
            continue
        ws = wb[sheet_name]  # type: ignore[index]
        if ws.max_row < 1:
            continue
        row = rng.randint(1 if rng.random() < 0.1 else 2, max(2, ws.max_row))
        col = rng.randint(1, max(1, ws.max_column))
        value = _nasty_value(rng)
        ws.cell(row=row, column=col).value = value
        steps.append(f"{sheet_name}!R{row}C{col}={str(value)[:20]!r}")
    return "cells " + ", ".join(steps)


def _structure(rng: random.Random, wb: object) -> str:
    sheet_name = rng.choice(TABLE_SHEETS)
    if sheet_name not in wb.sheetnames:  # type: ignore[attr-defined]
        return "no sheet"
    ws = wb[sheet_name]  # type: ignore[index]
    choice = rng.randrange(6)
    if choice == 0:
        wb.remove(ws)  # type: ignore[attr-defined]
        return f"remove sheet {sheet_name}"
    if choice == 1:
        ws.title = sheet_name + "_oud"
        return f"rename sheet {sheet_name}"
    tables = list(ws.tables.values())
    if choice == 2 and tables:
        tables[0].name = "tblAnders" + str(rng.randrange(100))
        return f"rename table on {sheet_name}"
    if choice == 3 and tables:
        # Only the header row: the table's range is its first row.
        first = tables[0].ref.split(":")[0]
        last_col = re.match(r"[A-Z]+", tables[0].ref.split(":")[1]).group()  # type: ignore[union-attr]
        row = re.search(r"\d+", first).group()  # type: ignore[union-attr]
        tables[0].ref = f"{first}:{last_col}{row}"
        tables[0].autoFilter = None
        ws.delete_rows(int(row) + 1, ws.max_row)
        return f"header-only table on {sheet_name}"
    if choice == 4:
        ws.delete_rows(2, ws.max_row)
        return f"delete data rows of {sheet_name}"
    col = rng.randint(1, max(1, ws.max_column))
    ws.cell(row=1, column=col).value = rng.choice(("", "Onbekend", None, "Bedrag", "#N/A"))
    return f"header {sheet_name} C{col}"


def mutate_workbook_cells(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """Cells and structure changed through openpyxl (what a user's Excel session can do)."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    steps = [_cells(rng, wb)]
    if rng.random() < 0.3:
        steps.append(_structure(rng, wb))
    out = io.BytesIO()
    wb.save(out)
    return "; ".join(steps), out.getvalue()


def _xml_edit(rng: random.Random, xml: bytes) -> tuple[str, bytes]:
    text = xml.decode("utf-8", "replace")
    choice = rng.randrange(7)
    if choice == 0:
        spots = list(re.finditer(r"<v>([^<]*)</v>", text))
        if spots:
            m = rng.choice(spots)
            new = rng.choice(("nan", "NaN", "inf", "-1e999", "1e400", "", "x", "99" * 20, "-0"))
            return f"<v>{m.group(1)[:10]}</v> -> {new}", (
                text[: m.start(1)] + new + text[m.end(1) :]
            ).encode()
    if choice == 1:
        spots = list(re.finditer(r'<c r="[A-Z]+\d+"( [^>]*)?>', text))
        if spots:
            m = rng.choice(spots)
            tag = m.group(0)
            new = (
                re.sub(r' t="[^"]*"', "", tag)[:-1]
                + f' t="{rng.choice(("e", "b", "s", "str", "d", "n", "zz"))}">'
            )
            return f"cell type {tag} -> {new}", (text[: m.start()] + new + text[m.end() :]).encode()
    if choice == 2:
        spots = list(re.finditer(r'ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"', text))
        if spots:
            m = rng.choice(spots)
            new = rng.choice(("A1:N1", "A1", "A1:A1", "Z9:A1", "A1:XFD1048576", "A0:B0", ""))
            return f"ref {m.group(1)} -> {new}", (
                text[: m.start(1)] + new + text[m.end(1) :]
            ).encode()
    if choice == 3:
        spots = list(re.finditer(r"<t[^>]*>([^<]*)</t>", text))
        if spots:
            m = rng.choice(spots)
            new = rng.choice(("#DIV/0!", "\x01", "x" * 40_000, "", "=1+1", "&amp;#0;"))
            return f"string {m.group(1)[:10]!r} -> {new[:10]!r}", (
                text[: m.start(1)] + new + text[m.end(1) :]
            ).encode()
    if choice == 4:
        cut = rng.randrange(len(xml) + 1)
        return f"truncate at {cut}", xml[:cut]
    if choice == 5:
        return _flip(rng, xml)
    spots = list(re.finditer(r'name="([^"]*)"', text))
    if spots:
        m = rng.choice(spots)
        return f"name {m.group(1)} -> X", (text[: m.start(1)] + "X" + text[m.end(1) :]).encode()
    return _delete(rng, xml)


def mutate_workbook_zip(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """Raw damage to the package: one XML member edited, or a member dropped."""
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        members = [(info, zin.read(info)) for info in zin.infolist()]
    xml_members = [i for i, (info, _) in enumerate(members) if info.filename.endswith(".xml")]
    target = rng.choice(xml_members)
    info, body = members[target]
    if rng.random() < 0.08:
        what = f"drop {info.filename}"
        del members[target]
    else:
        change, body = _xml_edit(rng, body)
        what = f"{info.filename}: {change}"
        members[target] = (info, body)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, body in members:
            zout.writestr(info.filename, body)
    if rng.random() < 0.05:
        return what + "; zip truncated", out.getvalue()[: rng.randrange(out.tell())]
    return what, out.getvalue()


def mutate_workbook(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """Half through openpyxl (cells, structure), half raw zip/XML damage."""
    if rng.random() < 0.5:
        return mutate_workbook_cells(rng, data)
    return mutate_workbook_zip(rng, data)


def mutate_list_xlsx(
    rng: random.Random, rows: list[tuple[str, ...]], nasty: bool = True
) -> tuple[str, bytes]:
    """An open-items list as an .xlsx (texts as the package wrote them, some cells typed as
    Excel would: amounts as numbers, dates as dates), with nasty values in some cells, a
    header damaged or rows above the header; one in six also has raw damage to its zip."""
    from datetime import date

    import openpyxl
    from openpyxl.utils.exceptions import IllegalCharacterError

    wb = openpyxl.Workbook()
    ws = wb.active
    for line in rows:
        cells: list[object] = list(line)
        if rng.random() < 0.5 and line is not rows[0]:
            amount = str(cells[-1]).replace(".", "").replace(",", ".")
            with contextlib.suppress(ValueError):
                cells[-1] = float(amount)
            cells[2] = date(2026, 10, rng.randint(1, 28))
        ws.append(cells)
    steps = []
    for _ in range(rng.randint(0, 4) if nasty else 0):
        row = rng.randint(1 if rng.random() < 0.2 else 2, max(2, ws.max_row))
        col = rng.randint(1, max(1, ws.max_column + 1))
        value = _nasty_value(rng)
        try:
            ws.cell(row=row, column=col).value = value
        except IllegalCharacterError:  # control characters: openpyxl (and Excel) cannot store
            continue
        steps.append(f"R{row}C{col}={str(value)[:20]!r}")
    if rng.random() < 0.15:
        ws.insert_rows(1, rng.randint(1, 3))
        ws.cell(row=1, column=1).value = "Openstaande posten"
        steps.append("title above the header")
    out = io.BytesIO()
    try:
        wb.save(out)
    except (AttributeError, TypeError, ValueError):
        # openpyxl cannot write some values it took (a date before 1900 in some cells):
        # the list without them, so the case still runs.
        return mutate_list_xlsx(rng, rows, nasty=False)
    data = out.getvalue()
    if rng.random() < 1 / 6:
        what, data = mutate_workbook_zip(rng, data)
        steps.append(what)
    return "cells " + ", ".join(steps), data


def mutate_xml_texts(rng: random.Random, data: bytes) -> tuple[str, bytes]:
    """One to four element texts of an XML file replaced by nasty texts or numbers, the XML
    kept well-formed: what a package that fills its fields wrongly sends (an e-invoice that
    parses, with an amount, a date or a name the import must refuse or take safely)."""
    from xml.sax.saxutils import escape

    text = data.decode("utf-8", "replace")
    spots = list(re.finditer(r">([^<>]{1,200})</", text))
    if not spots:
        return "no texts", data
    steps = []
    for m in sorted(
        rng.sample(spots, min(len(spots), rng.randint(1, 4))), key=lambda m: -m.start()
    ):
        value = str(rng.choice(NASTY_TEXTS + NASTY_NUMBERS))
        value = "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 32)  # XML 1.0 chars
        text = text[: m.start(1)] + escape(value) + text[m.end(1) :]
        steps.append(f"{m.group(1)[:20]!r} -> {value[:20]!r}")
    return "texts " + ", ".join(steps), text.encode("utf-8")


# Texts from outside (a customer's name, address, e-mail, number; the company's own
# settings) that try to become something else: a header or a second recipient of a letter's
# e-mail, a formula in the workbook, a file outside the output folder, a file name the
# system refuses.
ATTACK_TEXTS = (
    "a@b.nl\r\nBcc: evil@example.com",
    "a@b.nl\nX-Evil: 1",
    "Naam\r\nSubject: gratis",
    "a@b.nl, evil@example.com",
    '"Jan" <a@b.nl>; evil@example.com',
    "Jan <evil@example.com>",
    "geen adres",
    '=HYPERLINK("http://evil";"klik")',
    "=cmd|' /C calc'!A0",
    "@SUM(A1)",
    "+31612345678",
    "../../../../buiten",
    "a/b\\c",
    "CON",
    "K006",
    "\u202egnp.exe",
    "x" * 300,
    " ",
)
# The columns those texts go into: who a letter is for and what it says about them.
ATTACK_COLUMNS = {
    "Klanten": ("Klantnummer", "Naam", "Adres", "Postcode", "Plaats", "Land", "E-mail", "Taal"),
    "Contactpersonen": ("Klantnummer", "Naam", "E-mail"),
    "Facturen": ("Factuurnummer", "Klantnummer", "Omschrijving", "Betalingskenmerk"),
    "Instellingen": ("Waarde",),
}


def mutate_workbook_texts(
    rng: random.Random, data: bytes, customers: tuple[str, ...] = ()
) -> tuple[str, bytes]:
    """One to three attack texts in the columns above, through openpyxl; a row of one of
    `customers` (those that get a letter) when the sheet has one, so the letter run meets
    the text."""
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data))
    steps = []
    for _ in range(rng.randint(1, 3)):
        sheet_name = rng.choice(sorted(ATTACK_COLUMNS))
        ws = wb[sheet_name]
        header = [c.value for c in ws[1]]
        columns = [header.index(h) + 1 for h in ATTACK_COLUMNS[sheet_name] if h in header]
        rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value in customers]
        if sheet_name == "Facturen":
            rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value in customers]
        row = rng.choice(rows) if rows else rng.randint(2, max(2, ws.max_row))
        col = rng.choice(columns)
        value = rng.choice(ATTACK_TEXTS)
        ws.cell(row=row, column=col).value = value
        steps.append(f"{sheet_name}!R{row}C{col}={value[:40]!r}")
    out = io.BytesIO()
    wb.save(out)
    return "texts " + ", ".join(steps), out.getvalue()
