"""The worked examples in the docstrings of addin/excel (pytest's doctest collection only
covers addin/core and addin/schema.py)."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["addin.excel.formulas", "addin.excel.validation", "addin.excel.vba"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
