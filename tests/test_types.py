"""The whole package type-checks under mypy with pyproject.toml's [tool.mypy]: the pure core
under --strict (its overrides), everything else (adapters, cli, excel, ribbon, udfs) plainly.
The core's records, money and dates are what every other part builds on; the rest holding
the line keeps a wrong type (a SheetLayout where rows were declared) from hiding there."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Files whose errors are known and left to the people changing them right now: none.
NOT_YET: tuple[str, ...] = ()


def test_the_package_passes_mypy_and_the_core_mypy_strict(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path), "addin"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [
        line
        for line in done.stdout.splitlines()
        if ": error:" in line and not line.startswith(NOT_YET)
    ]
    assert errors == [], done.stdout + done.stderr
    assert done.returncode == 0 or any(
        line.startswith(NOT_YET) for line in done.stdout.splitlines()
    )
