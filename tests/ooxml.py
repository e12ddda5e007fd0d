"""Is a written .xlsx/.xlsm one Excel opens without "We found a problem with some content"?

`check_workbook(path)` returns the list of defects (empty when sound), in two layers:

1. Schema: every XML part validated against the ECMA-376 Transitional (ISO/IEC 29500-4), OPC
   (ISO/IEC 29500-2) and customUI schemas copied into tests/xsd (see tests/xsd/SOURCES.md).
   Markup Compatibility is applied first, as Excel does: attributes and elements of namespaces
   a part declares `mc:Ignorable` are dropped, `mc:AlternateContent` is replaced by its
   `mc:Fallback` (LibreOffice and Excel write both). VML and the VBA project are not XML the
   schemas describe and are skipped; any other part whose root namespace has no schema here is
   reported, so a new kind of part cannot slip through unchecked.
2. Excel's rules beyond the schema (what Excel "repairs" on open): the package's
   relationships point at parts that exist and every part has a content type; a table's ref
   covers its header and rows, its header cells hold its column names, column names are
   unique, its autoFilter lies inside it, every row of a calculated column carries a
   formula; shared-string indices are in range; calcChain names only formula cells.

The compiled schemas are cached for the session (compiling sml.xsd takes about a second).

Usage::

    from tests.ooxml import assert_valid
    assert_valid(path)                 # both layers
    assert_valid(path, rules=False)    # schema only (a LibreOffice re-save)
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from functools import cache
from pathlib import Path

from lxml import etree

XSD = Path(__file__).resolve().parent / "xsd"

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# Root namespace of a part -> its schema file (relative to tests/xsd).
SCHEMAS = {
    MAIN: "transitional/sml.xsd",
    "http://schemas.openxmlformats.org/drawingml/2006/main": "transitional/dml-main.xsd",
    "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing": (
        "transitional/dml-spreadsheetDrawing.xsd"
    ),
    "http://schemas.openxmlformats.org/drawingml/2006/chart": "transitional/dml-chart.xsd",
    "http://schemas.openxmlformats.org/drawingml/2006/chartDrawing": (
        "transitional/dml-chartDrawing.xsd"
    ),
    "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties": (
        "transitional/shared-documentPropertiesExtended.xsd"
    ),
    "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties": (
        "transitional/shared-documentPropertiesCustom.xsd"
    ),
    CT: "opc/opc-contentTypes.xsd",
    REL: "opc/opc-relationships.xsd",
    "http://schemas.openxmlformats.org/package/2006/metadata/core-properties": (
        "opc/opc-coreProperties.local.xsd"
    ),
    # libxml2 refuses Microsoft's customui14.xsd as published (duplicate attribute uses); the
    # .libxml2 copy drops only those re-declarations (tests/xsd/SOURCES.md).
    "http://schemas.microsoft.com/office/2009/07/customui": "customui/customui14.libxml2.xsd",
    "http://schemas.microsoft.com/office/2006/01/customui": "customui/customUI.xsd",
}

# Parts that are not XML the schemas describe.
SKIPPED_SUFFIXES = (".bin", ".vml", ".png", ".jpeg", ".jpg", ".gif", ".emf", ".wmf")


@cache
def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD / name)))


def _apply_markup_compatibility(root: etree._Element) -> None:
    """ECMA-376 Part 3 as a consumer that understands nothing optional: drop what the part
    marks Ignorable, take the Fallback of every AlternateContent."""
    ignorable: set[str] = set()
    for el in root.iter():
        value = el.get(f"{{{MC}}}Ignorable")
        if value:
            ignorable.update(el.nsmap.get(prefix, "") for prefix in value.split())
    for el in list(root.iter(f"{{{MC}}}AlternateContent")):
        parent = el.getparent()
        if parent is None:
            continue
        index = parent.index(el)
        fallback = el.find(f"{{{MC}}}Fallback")
        for offset, child in enumerate(list(fallback) if fallback is not None else []):
            parent.insert(index + offset, child)
        parent.remove(el)
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        for attr in list(el.attrib):
            ns = etree.QName(attr).namespace
            if ns == MC or ns in ignorable:
                del el.attrib[attr]
        if el.tag == f"{{{MAIN}}}t":
            # Part 1 (18.4.12, its own example) writes <t xml:space="preserve">, and Excel and
            # LibreOffice do; sml.xsd's ST_Xstring forgot to allow it.
            el.attrib.pop(XML_SPACE, None)
        if etree.QName(el).namespace in ignorable and el.getparent() is not None:
            el.getparent().remove(el)


def schema_errors(name: str, data: bytes) -> list[str]:
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError as exc:
        return [f"{name}: geen goed gevormde XML: {exc}"]
    namespace = etree.QName(root).namespace or ""
    xsd = SCHEMAS.get(namespace)
    if xsd is None:
        return [f"{name}: geen schema voor de namespace {namespace!r}"]
    _apply_markup_compatibility(root)
    compiled = schema(xsd)
    if compiled.validate(root):
        return []
    return [f"{name}:{e.line}: {e.message}" for e in compiled.error_log]


# ---- Excel's rules beyond the schema ---------------------------------------------------------

CELL = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")


def col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def parse_ref(ref: str) -> tuple[int, int, int, int]:
    """'B2:D9' -> (min_col, min_row, max_col, max_row)."""
    first, _, last = ref.partition(":")
    a, b = CELL.match(first), CELL.match(last or first)
    if a is None or b is None:
        raise ValueError(ref)
    return col_index(a[1]), int(a[2]), col_index(b[1]), int(b[2])


def _q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target)).lstrip("/")


def _rels_name(part: str) -> str:
    folder, file = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{file}.rels")


def _relationships(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str, str]]:
    """rId -> (type, resolved target, TargetMode) of `part` ('' for the package)."""
    name = _rels_name(part) if part else "_rels/.rels"
    if name not in zf.namelist():
        return {}
    root = etree.fromstring(zf.read(name))
    out = {}
    for rel in root.iter(f"{{{REL}}}Relationship"):
        mode = rel.get("TargetMode", "Internal")
        target = rel.get("Target", "")
        resolved = target if mode == "External" else _resolve(part or "/", target)
        out[rel.get("Id", "")] = (rel.get("Type", ""), resolved, mode)
    return out


def _package_errors(zf: zipfile.ZipFile) -> list[str]:
    errors: list[str] = []
    names = set(zf.namelist())
    ct = etree.fromstring(zf.read("[Content_Types].xml"))
    defaults = {d.get("Extension", "").lower() for d in ct.iter(f"{{{CT}}}Default")}
    overrides = {o.get("PartName", "").lstrip("/") for o in ct.iter(f"{{{CT}}}Override")}
    for name in names:
        if name == "[Content_Types].xml" or name.endswith("/"):
            continue
        if name not in overrides and name.rsplit(".", 1)[-1].lower() not in defaults:
            errors.append(f"{name}: geen content type in [Content_Types].xml")
    for name in sorted(overrides - names):
        errors.append(f"[Content_Types].xml: Override voor {name}, dat deel bestaat niet")
    for rels in sorted(n for n in names if n.endswith(".rels")):
        folder = posixpath.dirname(posixpath.dirname(rels))
        source = posixpath.join(folder, posixpath.basename(rels)[: -len(".rels")])
        part = "" if rels == "_rels/.rels" else source
        if part and part not in names:
            errors.append(f"{rels}: relaties van {part}, dat deel bestaat niet")
        for rid, (_type, target, mode) in _relationships(zf, part).items():
            if mode != "External" and target not in names:
                errors.append(f"{rels}: {rid} wijst naar {target}, dat deel bestaat niet")
    return errors


def _shared_string_count(zf: zipfile.ZipFile, workbook: str) -> int | None:
    for rel_type, target, _mode in _relationships(zf, workbook).values():
        if rel_type.endswith("/sharedStrings"):
            root = etree.fromstring(zf.read(target))
            return len(root.findall(_q("si")))
    return None


def _cells(sheet: etree._Element) -> dict[tuple[int, int], etree._Element]:
    out = {}
    for c in sheet.iter(_q("c")):
        ref = c.get("r")
        if ref is None:
            continue
        m = CELL.match(ref)
        if m:
            out[(col_index(m[1]), int(m[2]))] = c
    return out


def _cell_text(c: etree._Element, strings: list[str]) -> str | None:
    kind = c.get("t", "n")
    if kind == "inlineStr":
        return "".join(c.find(_q("is")).itertext()) if c.find(_q("is")) is not None else ""
    v = c.find(_q("v"))
    if v is None or v.text is None:
        return None
    if kind == "s":
        i = int(v.text)
        return strings[i] if 0 <= i < len(strings) else None
    return v.text


def _total_row(
    cells: dict[tuple[int, int], etree._Element], strings: list[str], c1: int, c2: int, row: int
) -> bool:
    """Row `row` over columns c1..c2 is a total row of the user's own (addin's rule, in
    totals.py): under a table it is meant to stay out of it, so the ref is not short."""
    from addin.adapters.workbook.totals import RowCell, is_total_row

    found = []
    for c in range(c1, c2 + 1):
        cell = cells.get((c, row))
        if cell is None:
            continue
        f = cell.find(_q("f"))
        text = _cell_text(cell, strings)
        if f is not None:
            found.append(RowCell(c - 1, f.text or "", None))
        elif text not in (None, ""):
            found.append(
                RowCell(c - 1, None, text if cell.get("t") in ("s", "inlineStr") else None)
            )
    return is_total_row(row, found)


def _table_errors(
    name: str,
    table: etree._Element,
    sheet_name: str,
    cells: dict[tuple[int, int], etree._Element],
    strings: list[str],
) -> list[str]:
    errors: list[str] = []
    label = f"{name} ({table.get('name')} op {sheet_name})"
    ref = table.get("ref", "")
    try:
        c1, r1, c2, r2 = parse_ref(ref)
    except ValueError:
        return [f"{label}: ref {ref!r} is geen bereik"]
    header_rows = int(table.get("headerRowCount", "1"))
    totals = int(table.get("totalsRowCount", "0"))
    columns = table.findall(f"{_q('tableColumns')}/{_q('tableColumn')}")
    if len(columns) != c2 - c1 + 1:
        errors.append(
            f"{label}: ref {ref} is {c2 - c1 + 1} kolommen breed, {len(columns)} kolommen"
        )
    if r2 - r1 + 1 < header_rows + 1 + totals:
        errors.append(f"{label}: ref {ref} heeft geen gegevensrij (Excel eist er minstens één)")
    names = [col.get("name", "") for col in columns]
    lowered = [n.casefold() for n in names]
    for n in sorted({n for n in names if lowered.count(n.casefold()) > 1}):
        errors.append(f"{label}: kolomnaam {n!r} komt meer dan eens voor")
    ids = [col.get("id") for col in columns]
    if len(set(ids)) != len(ids):
        errors.append(f"{label}: kolom-id's zijn niet uniek")
    if header_rows:
        for offset, n in enumerate(names):
            cell = cells.get((c1 + offset, r1))
            text = None if cell is None else _cell_text(cell, strings)
            if text != n:
                errors.append(
                    f"{label}: kop in rij {r1}, kolom {c1 + offset} is {text!r}, niet {n!r}"
                )
    below = [
        (c, r2 + 1)
        for c in range(c1, c2 + 1)
        if (c, r2 + 1) in cells and _cell_text(cells[(c, r2 + 1)], strings) not in (None, "")
    ]
    if below and not _total_row(cells, strings, c1, c2, r2 + 1):
        errors.append(f"{label}: rij {r2 + 1} direct onder de tabel heeft waarden (ref te kort)")
    auto = table.find(_q("autoFilter"))
    if auto is not None:
        try:
            a1, ar1, a2, ar2 = parse_ref(auto.get("ref", ""))
        except ValueError:
            errors.append(f"{label}: autoFilter-ref {auto.get('ref')!r} is geen bereik")
        else:
            if not (c1 <= a1 <= a2 <= c2 and r1 <= ar1 <= ar2 <= r2 - totals):
                errors.append(f"{label}: autoFilter {auto.get('ref')} ligt niet binnen {ref}")
    first_data, last_data = r1 + header_rows, r2 - totals
    for offset, col in enumerate(columns):
        if col.find(_q("calculatedColumnFormula")) is None:
            continue
        missing = [
            r
            for r in range(first_data, last_data + 1)
            if (cell := cells.get((c1 + offset, r))) is None or cell.find(_q("f")) is None
        ]
        if missing:
            errors.append(
                f"{label}: berekende kolom {col.get('name')!r} zonder formule in rij(en) "
                f"{', '.join(map(str, missing[:10]))}{' ...' if len(missing) > 10 else ''}"
            )
    return errors


def rule_errors(zf: zipfile.ZipFile) -> list[str]:
    errors = _package_errors(zf)
    workbook = next(
        (t for ty, t, _m in _relationships(zf, "").values() if ty.endswith("/officeDocument")),
        None,
    )
    if workbook is None:
        return [*errors, "_rels/.rels: geen officeDocument-relatie"]
    wb_rels = _relationships(zf, workbook)
    strings: list[str] = []
    for rel_type, target, _mode in wb_rels.values():
        if rel_type.endswith("/sharedStrings"):
            sst = etree.fromstring(zf.read(target))
            strings = ["".join(si.itertext()) for si in sst.findall(_q("si"))]
    count = _shared_string_count(zf, workbook)
    wb = etree.fromstring(zf.read(workbook))
    rid_attr = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    formula_cells: set[tuple[str, str]] = set()  # (sheetId, ref)
    for sheet_el in wb.iter(_q("sheet")):
        rel = wb_rels.get(sheet_el.get(rid_attr, ""))
        if rel is None or not rel[0].endswith("/worksheet"):
            continue
        part = rel[1]
        sheet = etree.fromstring(zf.read(part))
        cells = _cells(sheet)
        sheet_name = sheet_el.get("name", "")
        for (col, row), c in cells.items():
            if c.find(_q("f")) is not None:
                formula_cells.add((sheet_el.get("sheetId", ""), c.get("r", "")))
            if c.get("t") == "s":
                v = c.find(_q("v"))
                index = int(v.text) if v is not None and v.text else -1
                if count is None or not 0 <= index < count:
                    errors.append(
                        f"{part} ({sheet_name}) {c.get('r')}: gedeelde tekst {index} bestaat "
                        f"niet ({count or 0} in sharedStrings)"
                    )
            del col, row
        for rel_type, target, _mode in _relationships(zf, part).values():
            if rel_type.endswith("/table"):
                table = etree.fromstring(zf.read(target))
                errors += _table_errors(target, table, sheet_name, cells, strings)
    for rel_type, target, _mode in wb_rels.values():
        if not rel_type.endswith("/calcChain"):
            continue
        sheet_id = ""
        for c in etree.fromstring(zf.read(target)).iter(_q("c")):
            sheet_id = c.get("i", sheet_id)
            if (sheet_id, c.get("r", "")) not in formula_cells:
                errors.append(f"{target}: {c.get('r')} (blad-id {sheet_id}) heeft geen formule")
    return errors


def check_workbook(path: Path, *, rules: bool = True) -> list[str]:
    """Every defect of the package at `path`; empty when Excel would open it unrepaired."""
    errors: list[str] = []
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            name = info.filename
            if name.endswith("/") or name.lower().endswith(SKIPPED_SUFFIXES):
                continue
            errors += schema_errors(name, zf.read(name))
        if rules:
            errors += rule_errors(zf)
    return errors


def assert_valid(path: Path, *, rules: bool = True) -> None:
    errors = check_workbook(path, rules=rules)
    assert not errors, f"{path.name}: {len(errors)} fouten:\n" + "\n".join(errors[:40])
