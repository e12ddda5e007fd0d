"""The core stays pure: no spreadsheet, template or file libraries, no clock; and every
dispatch table covers its whole enum (STYLE habits 4, 5 and 9)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from addin.core import agreements, ladder, texts
from addin.core.model import Action, Basis, Interval

CORE = Path(__file__).resolve().parents[2] / "addin" / "core"
FORBIDDEN_MODULES = {
    "openpyxl",
    "xlwings",
    "jinja2",
    "python_calamine",
    "reportlab",
    "pypdf",
    "os",
    "pathlib",
    "io",
    "shutil",
    "subprocess",
    "zipfile",
    "lxml",
    "time",
}
FORBIDDEN_CALLS = {
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "today"),
    ("datetime", "utcnow"),
}


def _modules():
    return sorted(CORE.glob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_core_module_imports_nothing_impure(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & FORBIDDEN_MODULES, imported & FORBIDDEN_MODULES


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_core_never_reads_the_clock_or_opens_files(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            assert (name, node.func.attr) not in FORBIDDEN_CALLS, ast.unparse(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in {"open", "print", "input"}, ast.unparse(node)


def test_dispatch_tables_cover_their_enums():
    assert set(ladder.ANCHOR) == set(Basis)
    assert set(agreements.INSTALMENT_DATES) == set(Interval)
    assert set(texts.GOALS) == set(Action)
