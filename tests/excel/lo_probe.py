"""LibreOffice in the loop: open workbooks headless through UNO and report what it sees.

Run with Debian's Python (python3-uno lives there, not in the project's venv):

    /usr/bin/python3 tests/excel/lo_probe.py JOBS.json OUT.json

JOBS.json is a list of {"path": ..., "resave": PATH or null, "tables": [names], "formats":
[[sheet, cell], ...] (optional)}. For each
job OUT.json gets: whether the file loaded (no interaction handler is given, so a file that
needs repairing fails to load instead of being repaired silently), the sheets, the database
ranges (Excel tables), the modules of each Basic library (LibreOffice imports VBA as Basic),
the named tables' cells after a full recalculation, the number format code of each cell in
"formats" (as "Sheet!A1": code), and the re-saved copy (.xlsm filter).
One soffice process serves every job. Standard library and uno only.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

XLSM_FILTER = "Calc MS Excel 2007 VBA XML"


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def start(profile: Path) -> tuple[subprocess.Popen, object]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pipe = f"debiteuren{os.getpid()}"
    proc = subprocess.Popen(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.5)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return proc, desktop


def cells(doc: object, name: str) -> list[list[object]]:
    ranges = doc.DatabaseRanges
    if not ranges.hasByName(name):
        return []
    area = ranges.getByName(name).getDataArea()
    sheet = doc.Sheets.getByIndex(area.Sheet)
    block = sheet.getCellRangeByPosition(
        area.StartColumn, area.StartRow, area.EndColumn, area.EndRow
    )
    return [list(row) for row in block.getDataArray()]


def formulas(doc: object, name: str) -> list[str]:
    """The formulas of the table's second row (its first data row), as LibreOffice holds them."""
    ranges = doc.DatabaseRanges
    if not ranges.hasByName(name):
        return []
    area = ranges.getByName(name).getDataArea()
    sheet = doc.Sheets.getByIndex(area.Sheet)
    row = sheet.getCellRangeByPosition(
        area.StartColumn, area.StartRow + 1, area.EndColumn, area.StartRow + 1
    )
    return list(row.getFormulaArray()[0])


def probe(desktop: object, job: dict) -> dict:
    out: dict = {"path": job["path"], "loaded": False}
    url = Path(job["path"]).resolve().as_uri()
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
    if doc is None:
        out["error"] = "loadComponentFromURL gaf niets terug"
        return out
    try:
        out["loaded"] = True
        out["sheets"] = list(doc.Sheets.getElementNames())
        out["database_ranges"] = sorted(doc.DatabaseRanges.getElementNames())
        libraries = doc.BasicLibraries
        out["basic"] = {}
        for lib in libraries.getElementNames():
            libraries.loadLibrary(lib)
            out["basic"][lib] = sorted(libraries.getByName(lib).getElementNames())
        doc.calculateAll()
        out["tables"] = {name: cells(doc, name) for name in job.get("tables", [])}
        out["formulas"] = {name: formulas(doc, name) for name in job.get("tables", [])}
        out["formats"] = {
            f"{sheet}!{ref}": doc.NumberFormats.getByKey(
                doc.Sheets.getByName(sheet).getCellRangeByName(ref).NumberFormat
            ).FormatString
            for sheet, ref in job.get("formats", [])
        }
        if job.get("resave"):
            target = Path(job["resave"]).resolve().as_uri()
            doc.storeToURL(target, (prop("FilterName", XLSM_FILTER),))
            out["resaved"] = job["resave"]
    finally:
        doc.close(True)
    return out


def main(jobs_path: str, out_path: str) -> int:
    jobs = json.loads(Path(jobs_path).read_text(encoding="utf-8"))
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lo-profiel-") as tmp:
        proc, desktop = start(Path(tmp))
        results = []
        try:
            for job in jobs:
                try:
                    results.append(probe(desktop, job))
                except Exception:
                    results.append({"path": job["path"], "loaded": False,
                                    "error": traceback.format_exc()})  # fmt: skip
        finally:
            with contextlib.suppress(Exception):  # soffice may already be gone
                desktop.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    report = {"seconds": round(time.monotonic() - started, 1), "results": results}
    Path(out_path).write_text(json.dumps(report, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
