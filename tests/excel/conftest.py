"""Workbooks built once for every test of the Excel binding."""

from __future__ import annotations

from pathlib import Path

import pytest

from addin.core.plan import plan_book
from addin.core.plan_sheet import plan_rows
from addin.example import EXAMPLE_DATE, EXAMPLE_TIMESTAMP, example_book
from addin.excel.build import WorkbookOptions, build_workbook

# Runs under Debian's Python with uno, never inside pytest (see test_libreoffice.py).
collect_ignore = ["lo_probe.py"]

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "workbook" / "Debiteuren.xlsm"


@pytest.fixture(scope="session")
def book():
    return example_book()


@pytest.fixture(scope="session")
def built(book, tmp_path_factory) -> Path:
    """What `debiteuren bouw` writes: the example, Excel 365 form, interpreter left empty."""
    path = tmp_path_factory.mktemp("bouw") / "Debiteuren.xlsm"
    path.write_bytes(build_workbook(book, WorkbookOptions(EXAMPLE_DATE, EXAMPLE_TIMESTAMP)))
    return path


@pytest.fixture(scope="session")
def classic_with_plan(book, tmp_path_factory) -> Path:
    """The --klassiek form with the engine's plan written as values on the Plan sheet (what
    the Mac gets from "Vernieuw werklijst"): every formula then has its input without xlwings."""
    rows = plan_rows(plan_book(book, EXAMPLE_DATE))
    options = WorkbookOptions(EXAMPLE_DATE, EXAMPLE_TIMESTAMP, lambdas=False, plan_rows=rows)
    path = tmp_path_factory.mktemp("klassiek") / "Klassiek.xlsm"
    path.write_bytes(build_workbook(book, options))
    return path
