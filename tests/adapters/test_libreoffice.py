"""A real spreadsheet program in the loop: LibreOffice opens, recalculates and re-saves the
example workbook; the reader must read the re-saved file to the same plan, and the native
Open formula LibreOffice computed must equal the engine's open amounts.

LibreOffice writes a workbook very differently from openpyxl (shared strings, styles, cached
formula values), so this also proves the reader does not depend on openpyxl's way of writing.
`.ci/run` installs LibreOffice from Debian; without it these tests skip and say why.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from addin.adapters.workbook.reader import read_book
from addin.core.ledger import Ledger
from addin.core.plan import plan_book
from addin.example import EXAMPLE_DATE
from tests.libreoffice import convert

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "workbook" / "Voorbeeld.xlsx"


@pytest.fixture(scope="module")
def resaved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("lo")
    source = work / "Voorbeeld.xlsx"
    shutil.copy(EXAMPLE, source)
    result = convert(source, work)
    assert result.name == "Voorbeeld.xlsx"
    assert result.exists()
    return result


def test_libreoffice_keeps_every_table(resaved):
    names = set(CalamineWorkbook.from_path(str(resaved), load_tables=True).table_names)
    assert names == {
        "tblFacturen",
        "tblKlanten",
        "tblContactpersonen",
        "tblAfspraken",
        "tblContacten",
        "tblBetalingen",
        "tblStappen",
        "tblInstellingen",
    }


def test_resaved_workbook_reads_to_the_same_plan(resaved):
    original, original_problems = read_book(EXAMPLE)
    again, again_problems = read_book(resaved)
    assert original_problems == again_problems == ()
    exp = plan_book(original, EXAMPLE_DATE)
    got = plan_book(again, EXAMPLE_DATE)
    assert got.actions == exp.actions
    assert got.letters == exp.letters
    assert got.warnings == exp.warnings


def test_libreoffice_computes_open_like_the_engine(resaved):
    table = CalamineWorkbook.from_path(str(resaved), load_tables=True).get_table_by_name(
        "tblFacturen"
    )
    columns = table.columns
    number, open_ = columns.index("Factuurnummer"), columns.index("Open")
    computed = {
        row[number]: Decimal(str(row[open_])).quantize(Decimal("0.01"))
        for row in table.to_python()
        if row[number]
    }
    book, _ = read_book(EXAMPLE)
    ledger = Ledger.build(book, EXAMPLE_DATE)
    engine = {inv.number: ledger.open_of(inv.number) for inv in ledger.invoices}
    assert len(computed) == len(engine) == len(book.invoices)
    diffs = {k: (engine[k], v) for k, v in computed.items() if engine[k] != v}
    assert not diffs, diffs
    # The formula is not trivially zero: partly paid and open invoices exist.
    assert sum(1 for v in computed.values() if v > 0) > 20
