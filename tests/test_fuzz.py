"""Fuzzing in CI (issue 12): mutated copies of the shipped bank fixtures through `bank`, and
mutated copies of the example workbook (cells through openpyxl, raw zip/XML damage) through
`werklijst --json`, `herinneringen --proef` and `bank --proef`, mutated invoice files
(UBL e-invoices, open-items lists as CSV and XLSX) through `importeer`, and mutated
workbooks through `controleer`, `overzicht --proef`, `overdracht --proef`, `bijwerken
--proef`, the worksheet functions (addin/udfs.py) and a real `herinneringen` followed by
`verstuur --proef` (which must not connect to the SMTP server it is given). A case fails on an uncaught
exception, a traceback in the output, an exit code other than 0/1/2, a workbook changed
when nothing was done, a file left behind after exit 2, or more than 30 s (tests/fuzz/run.py).

The seed is fixed, so a failure here is the same failure on every machine; the case number
and mutation in the assertion reproduce it alone:
``python -m tests.fuzz.run --kind bank --seed 12 --start N --stop N+1 --worker``.
A few hundred cases run here; the big local run is ``python benchmarks/fuzz.py --bank 10000
--boeken 1000`` (README, "Fuzzen").
"""

from __future__ import annotations

import os

import pytest

from tests.fuzz.run import run_cases

SEED = int(os.environ.get("DEBITEUREN_FUZZ_SEED", "12"))
BANK_CASES = 240
BOOK_CASES = 16
INVOICE_CASES = 300
# About a second each (a real letter run among them): the CI share stays within half a
# minute; the big run is `benchmarks/fuzz.py --opdrachten N`.
COMMAND_CASES = 16


def _failures(kind: str, start: int, stop: int, *, process: bool = False) -> list[str]:
    return [
        f"case {r.index} ({r.mutation}): {'; '.join(r.failures)}"
        for r in run_cases(kind, SEED, start, stop, process=process)
        if r.failures
    ]


@pytest.mark.parametrize("part", range(4))
def test_mutated_bank_files(part: int) -> None:
    size = BANK_CASES // 4
    assert _failures("bank", part * size, (part + 1) * size) == []


@pytest.mark.parametrize("part", range(2))
def test_mutated_workbooks(part: int) -> None:
    size = BOOK_CASES // 2
    assert _failures("boek", part * size, (part + 1) * size) == []


@pytest.mark.parametrize("part", range(2))
def test_mutated_invoice_files(part: int) -> None:
    size = INVOICE_CASES // 2
    assert _failures("facturen", part * size, (part + 1) * size) == []


@pytest.mark.parametrize("part", range(2))
def test_mutated_workbooks_through_the_other_commands(part: int) -> None:
    size = COMMAND_CASES // 2
    assert _failures("opdrachten", part * size, (part + 1) * size) == []


def test_mutated_inputs_in_real_processes() -> None:
    """A few cases as the user runs them: a Rust panic or a crash at exit shows only here."""
    failures = _failures("bank", BANK_CASES, BANK_CASES + 3, process=True)
    failures += _failures("boek", BOOK_CASES, BOOK_CASES + 1, process=True)
    failures += _failures("facturen", INVOICE_CASES, INVOICE_CASES + 3, process=True)
    failures += _failures("opdrachten", COMMAND_CASES, COMMAND_CASES + 1, process=True)
    assert failures == []
