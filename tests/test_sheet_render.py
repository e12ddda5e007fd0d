"""The Werklijst and the Overzicht as LibreOffice prints them (issue 10, done when): no `###`,
no cut-off text (every customer name and every amount of the sheet is whole in the PDF's
text), and the Overzicht's two charts are drawn.

The PDF step is docs/render_sheets.py's (LibreOffice in Dutch, run under /usr/bin/python3 for
uno); the workbook is a copy of the shipped Debiteuren.xlsm, whose Werklijst and Overzicht the
build writes through the same write-back as every run."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from addin.adapters.workbook.reader import read_book
from addin.core.letter_log import werklijst_rows
from addin.core.money import format_amount
from addin.core.overview import overview_rows
from addin.core.plan import plan_book
from addin.example import EXAMPLE_DATE

ROOT = Path(__file__).resolve().parent.parent


def _needs_tools() -> None:
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice of poppler-utils ontbreekt; .ci/run installeert ze")
    if not Path("/usr/bin/python3").exists():
        pytest.skip("/usr/bin/python3 met python3-uno ontbreekt")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, Path]]:
    _needs_tools()
    folder = tmp_path_factory.mktemp("render")
    workbook = folder / "Debiteuren.xlsm"
    shutil.copy(ROOT / "workbook" / "Debiteuren.xlsm", workbook)
    out = {}
    for sheet in ("Werklijst", "Overzicht"):
        pdf = folder / f"{sheet}.pdf"
        subprocess.run(
            ["/usr/bin/python3", str(ROOT / "docs" / "render_sheets.py"), "--pdf",
             str(workbook), sheet, str(pdf)],
            check=True, timeout=300,
        )  # fmt: skip
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        out[sheet] = (" ".join(text.split()), pdf)
    return out


def _book():
    book, _ = read_book(ROOT / "workbook" / "Debiteuren.xlsm")
    return book, plan_book(book, EXAMPLE_DATE)


@pytest.mark.parametrize("sheet", ["Werklijst", "Overzicht"])
def test_every_name_and_amount_is_printed_whole(rendered, sheet):
    text, _ = rendered[sheet]
    assert "###" not in text
    book, plan = _book()
    layout = (werklijst_rows if sheet == "Werklijst" else overview_rows)(plan, book)
    names = {c.name for c in book.customers}
    shown = [v for row in layout.rows for v in row if isinstance(v, str) and v in names]
    amounts = [v for row in layout.rows for v in row if isinstance(v, Decimal)]
    assert len(shown) >= 10 and len(amounts) >= 10
    missing = [n for n in shown if n not in text]
    missing += [format_amount(a) for a in amounts if format_amount(a) not in text]
    assert missing == []


def test_the_overzicht_shows_its_charts(rendered):
    text, pdf = rendered["Overzicht"]
    # the charts' titles and axis labels are drawn (LibreOffice draws the chart as text and
    # vector paths): both titles, and euro tick labels of the value axes
    assert "Openstaand per ouderdom" in text and "Grootste debiteuren (openstaand)" in text
    assert re.search(r"€ \d{2}\.000", text)
    page = PdfReader(pdf).pages[0]
    assert len(page.get_contents().get_data()) > 20_000  # bars and grid lines, not just text
