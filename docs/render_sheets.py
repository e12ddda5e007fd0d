"""Render docs/werklijst.png and docs/overzicht.png: the Werklijst and Overzicht sheets of the
example as LibreOffice shows them after a run.

    python docs/render_sheets.py            # needs soffice, Debian's python3-uno, pdftoppm

Run with the project's Python, it copies workbook/Debiteuren.xlsm, writes both sheets for the
example's date through the safe write-back (what `herinneringen`, `bank` and `overzicht` do),
then runs itself under /usr/bin/python3 (where uno lives) to print one sheet to PDF with
LibreOffice in Dutch (nl-NL: 1.234,56), and poppler's pdftoppm turns page 1 into PNG. The
test of the rendered text (tests/test_sheet_render.py) uses the same PDF step:

    /usr/bin/python3 docs/render_sheets.py --pdf BOEK.xlsm Werklijst UIT.pdf
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parent
SHEETS = (("Werklijst", "werklijst.png"), ("Overzicht", "overzicht.png"))

# LibreOffice's locale for number and date display: Dutch, as a Dutch Excel shows the sheets.
LOCALE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N">
<prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>nl-NL</value></prop></item>
</oor:items>
"""


def write_sheets(workbook: Path) -> None:
    """Both sheets of the example for its date, written into `workbook` as a run does."""
    sys.path.insert(0, str(DOCS.parent))
    from addin import schema
    from addin.adapters.workbook.reader import read_book
    from addin.adapters.workbook.xlsx_patch import Patch, apply_patch
    from addin.core.letter_log import werklijst_rows
    from addin.core.overview import overview_rows
    from addin.core.plan import plan_book
    from addin.example import EXAMPLE_DATE

    book, _ = read_book(workbook)
    plan = plan_book(book, EXAMPLE_DATE)
    patch = Patch(
        replace_sheet=(
            (schema.WERKLIJST_SHEET, werklijst_rows(plan, book)),
            (schema.OVERZICHT_SHEET, overview_rows(plan, book)),
        )
    )
    apply_patch(workbook, patch, backup=False)


def pdf(workbook: Path, sheet_name: str, out: Path) -> None:
    """Print one sheet of `workbook` to `out` with LibreOffice (nl-NL), as its page set-up
    in the file says. Runs under /usr/bin/python3 (uno)."""
    import uno  # type: ignore[import-not-found]
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

    def prop(name: str, value: object) -> PropertyValue:
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    with tempfile.TemporaryDirectory() as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(LOCALE_XCU, encoding="utf-8")
        pipe = f"debiteuren-render{os.getpid()}"
        soffice = shutil.which("soffice") or shutil.which("libreoffice") or "soffice"
        proc = subprocess.Popen(
            [
                soffice,
                f"-env:UserInstallation={Path(profile).as_uri()}",
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
        try:
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
                        raise
                    time.sleep(0.5)
            desktop = ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.frame.Desktop", ctx
            )
            doc = desktop.loadComponentFromURL(
                workbook.resolve().as_uri(), "_blank", 0, (prop("Hidden", True),)
            )
            sheet = doc.Sheets.getByName(sheet_name)
            doc.CurrentController.setActiveSheet(sheet)
            for other in doc.Sheets.ElementNames:
                if other != sheet_name:
                    doc.Sheets.getByName(other).IsVisible = False
            style = doc.StyleFamilies.getByName("PageStyles").getByName(sheet.PageStyle)
            style.HeaderIsOn = style.FooterIsOn = False
            doc.storeToURL(out.resolve().as_uri(), (prop("FilterName", "calc_pdf_Export"),))
            doc.close(True)
            with contextlib.suppress(Exception):
                desktop.terminate()
        finally:
            with contextlib.suppress(Exception):
                proc.wait(timeout=30)
            if proc.poll() is None:
                proc.kill()


def pdf_of(workbook: Path, sheet_name: str, out: Path) -> None:
    """`pdf` from the project's Python: the same script under /usr/bin/python3."""
    subprocess.run(
        ["/usr/bin/python3", __file__, "--pdf", str(workbook), sheet_name, str(out)],
        check=True,
        timeout=300,
    )


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--pdf":
        pdf(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))
        return 0
    sys.path.insert(0, str(DOCS))
    from render_facturen import trim

    with tempfile.TemporaryDirectory() as tmp:
        workbook = Path(tmp) / "Debiteuren.xlsm"
        shutil.copyfile(DOCS.parent / "workbook" / "Debiteuren.xlsm", workbook)
        write_sheets(workbook)
        for sheet_name, png_name in SHEETS:
            out = Path(tmp) / f"{sheet_name}.pdf"
            pdf_of(workbook, sheet_name, out)
            png = DOCS / png_name
            subprocess.run(
                ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile",
                 str(out), str(png.with_suffix(""))],
                check=True,
            )  # fmt: skip
            trim(png)
            print(f"{png} geschreven")
    return 0


if __name__ == "__main__":
    sys.exit(main())
