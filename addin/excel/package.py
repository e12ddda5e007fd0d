"""The package around the sheets: macro-enabled content type, ribbon part, fixed zip.

Build order (notes/EXCEL.md): openpyxl writes the sheets -> `macro_enabled` sets the main
content type -> pyOpenVBA adds the VBA project -> `finish` adds the ribbon part and its
relationship last and writes every part with a fixed time in a fixed order. Nothing may run
openpyxl over the result: its load-and-save keeps the ribbon part but drops its relationship.

Example::

    data = finish(macro_bytes, ribbon_xml())
    ->  [Content_Types].xml first, _rels/.rels, the workbook's parts in the order written,
        customUI/customUI14.xml last; every entry dated 1980-01-01 00:00:00
"""

from __future__ import annotations

import io
import zipfile

from addin.excel.vba import sources_dir

CONTENT_TYPES = "[Content_Types].xml"
ROOT_RELS = "_rels/.rels"
XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
RIBBON_PART = "customUI/customUI14.xml"
# customUI14.xml (the 2009/07 namespace) is found through this type; the 2006 type is for
# the older customUI.xml part.
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON_REL_ID = "rIdDebiteurenRibbon"
# The zip format starts in 1980: the time of every entry, so two builds give the same bytes.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def ribbon_xml() -> bytes:
    """workbook/customUI14.xml, the ribbon tab."""
    return (sources_dir() / "customUI14.xml").read_bytes()


def macro_enabled(data: bytes) -> bytes:
    """The package with the workbook's content type set to macro-enabled (.xlsm): openpyxl
    writes the .xlsx type when it has no VBA archive of its own."""
    parts = _read(data)
    types = parts[CONTENT_TYPES]
    if types.count(XLSX_MAIN) != 1:
        raise ValueError("het hoofddeel van de werkmap heeft niet het .xlsx-inhoudstype")
    parts[CONTENT_TYPES] = types.replace(XLSX_MAIN, XLSM_MAIN)
    return _write(parts)


def finish(data: bytes, ribbon: bytes) -> bytes:
    """Add the ribbon part and its relationship (last, after everything else), and write
    the package with fixed entry times and part order."""
    parts = _read(data)
    if RIBBON_PART in parts:
        raise ValueError("de werkmap heeft al een lintdeel (customUI14.xml)")
    rels = parts[ROOT_RELS]
    end = rels.rindex(b"</Relationships>")
    relationship = (
        f'<Relationship Id="{RIBBON_REL_ID}" Type="{RIBBON_REL_TYPE}" Target="{RIBBON_PART}"/>'
    ).encode()
    parts[ROOT_RELS] = rels[:end] + relationship + rels[end:]
    parts[RIBBON_PART] = ribbon
    return _write(parts)


def _read(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        return {info.filename: src.read(info) for info in src.infolist()}


def _order(names: list[str]) -> list[str]:
    """[Content_Types].xml and the package relationships first (where Office puts them),
    the ribbon last, the rest as written."""
    first = [n for n in (CONTENT_TYPES, ROOT_RELS) if n in names]
    last = [n for n in (RIBBON_PART,) if n in names]
    return first + [n for n in names if n not in first and n not in last] + last


def _write(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in _order(list(parts)):
            entry = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, parts[name])
    return out.getvalue()
