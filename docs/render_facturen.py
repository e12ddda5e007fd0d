"""Render docs/facturen.png: the Facturen sheet of the example as LibreOffice shows it, with
Status and Volgende actie filled in from the plan.

    python docs/render_facturen.py            # needs soffice and Debian's python3-uno

The workbook is the --klassiek form with the engine's plan written as values on the Plan
sheet (what the Mac gets from "Vernieuw werklijst"), so LibreOffice computes Open, Status and
Volgende actie itself. Run with the project's Python, it builds that workbook and then runs
itself under /usr/bin/python3 (where uno lives) to hide the other columns, keep the rows
with something to do and print the sheet to PDF, which poppler's pdftoppm turns into PNG.
Not part of the tests.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
SHOWN = ("Factuurnummer", "Klantnummer", "Vervaldatum", "Bedrag", "Open", "Status",
         "Volgende actie")  # fmt: skip
ROWS = 14


def build(path: Path) -> None:
    sys.path.insert(0, str(DOCS.parent))
    from addin.core.plan import plan_book
    from addin.core.plan_sheet import plan_rows
    from addin.example import EXAMPLE_DATE, EXAMPLE_TIMESTAMP, example_book
    from addin.excel.build import WorkbookOptions, build_workbook

    book = example_book()
    rows = plan_rows(plan_book(book, EXAMPLE_DATE))
    options = WorkbookOptions(EXAMPLE_DATE, EXAMPLE_TIMESTAMP, lambdas=False, plan_rows=rows)
    path.write_bytes(build_workbook(book, options))


def render(workbook: Path, png: Path) -> None:
    sys.path.insert(0, str(DOCS.parent / "tests" / "excel"))
    import contextlib

    import uno  # type: ignore[import-not-found]
    from lo_probe import prop, start  # type: ignore[import-not-found]

    with tempfile.TemporaryDirectory() as profile:
        proc, desktop = start(Path(profile))
        try:
            hidden = (prop("Hidden", True),)
            doc = desktop.loadComponentFromURL(workbook.as_uri(), "_blank", 0, hidden)
            doc.calculateAll()
            sheet = doc.Sheets.getByName("Facturen")
            doc.CurrentController.setActiveSheet(sheet)
            columns = sheet.Columns
            headers = [sheet.getCellByPosition(c, 0).String for c in range(columns.Count)]
            last_col = max(i for i, h in enumerate(headers) if h)
            for c in range(last_col + 1):
                columns.getByIndex(c).IsVisible = headers[c] in SHOWN
            columns.getByIndex(headers.index("Volgende actie")).Width = 27000  # 1/100 mm
            # Dutch number display (1.234,56), as Excel in Dutch shows it
            dutch = uno.createUnoStruct("com.sun.star.lang.Locale", "nl", "NL", "")
            formats = doc.NumberFormats
            key = formats.queryKey("#.##0,00", dutch, False)
            if key == -1:
                key = formats.addNew("#.##0,00", dutch)
            for name in ("Bedrag", "Open"):
                c = headers.index(name)
                sheet.getCellRangeByPosition(c, 1, c, 400).NumberFormat = key
            header = sheet.getCellRangeByPosition(0, 0, last_col, 0)
            header.CharWeight = 150.0  # bold
            header.CellBackColor = 0xDDEBF7
            action = headers.index("Volgende actie")
            shown, row = 0, 1
            while sheet.getCellByPosition(0, row).String:
                text = sheet.getCellByPosition(action, row).String
                keep = shown < ROWS and not text.startswith("geen")
                sheet.Rows.getByIndex(row).IsVisible = keep
                shown += keep
                row += 1
            area = sheet.getCellRangeByPosition(0, 0, last_col, row - 1).RangeAddress
            sheet.setPrintAreas((area,))
            for other in doc.Sheets.ElementNames:
                if other != "Facturen":
                    doc.Sheets.getByName(other).setPrintAreas(())
                    doc.Sheets.getByName(other).IsVisible = False
            style = doc.StyleFamilies.getByName("PageStyles").getByName(sheet.PageStyle)
            style.IsLandscape, style.Width, style.Height = True, 29700, 21000
            style.ScaleToPagesX, style.ScaleToPagesY = 1, 1
            style.HeaderIsOn = style.FooterIsOn = False
            pdf = png.with_suffix(".pdf")
            doc.storeToURL(pdf.as_uri(), (prop("FilterName", "calc_pdf_Export"),))
            doc.close(True)
        finally:
            with contextlib.suppress(Exception):
                desktop.terminate()
            proc.wait(timeout=30)


def trim(png: Path, border: int = 16) -> None:
    """Cut the page's white margins (Pillow comes with reportlab)."""
    from PIL import Image, ImageChops, ImageOps

    image = Image.open(png).convert("RGB")
    box = ImageChops.difference(image, Image.new("RGB", image.size, "white")).getbbox()
    if box:
        ImageOps.expand(image.crop(box), border=border, fill="white").save(png, optimize=True)


def main() -> int:
    png = DOCS / "facturen.png"
    if len(sys.argv) == 3:  # the second half, under /usr/bin/python3
        render(Path(sys.argv[1]), Path(sys.argv[2]))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        workbook = Path(tmp) / "Klassiek.xlsm"
        build(workbook)
        subprocess.run(["/usr/bin/python3", __file__, str(workbook), str(png)], check=True)
        pdf = png.with_suffix(".pdf")
        # poppler's pdftoppm: the one page as PNG, cropped to what is printed
        subprocess.run(
            ["pdftoppm", "-png", "-r", "150", "-singlefile", str(pdf), str(png.with_suffix(""))],
            check=True,
        )
        pdf.unlink()
        trim(png)
    print(f"{png} geschreven")
    return 0


if __name__ == "__main__":
    sys.exit(main())
