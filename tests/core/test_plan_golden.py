"""The whole plan of a generated book, compared with a stored expectation (STYLE habit 12).

`plan_book` is tuned for speed (benchmarks/README.md); every tuning must keep the plan the
same. This test plans a book of 1,500 invoices made by `benchmarks.generate` (seed 9, the
first that also settles a letter by credit notes; otherwise the mix of the 100,000-invoice
benchmark: paid, open, credit notes, disputes, agreements, contacts) and compares every
action, letter, score, agreement state, problem and warning with
tests/golden/plan/generated-1500.txt, written by the engine before the tuning (c8ffee5).
The differences are shown as lines. Regenerate only for an intended change of the plan:
``DEBITEUREN_GOLDEN=1 pytest tests/core/test_plan_golden.py``.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import astuple, is_dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from pathlib import Path

from addin.core.plan import plan_book
from benchmarks.generate import AS_OF, generate_book

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "plan" / "generated-1500.txt"
REGENERATE = os.environ.get("DEBITEUREN_GOLDEN") == "1"


def _cell(value: object) -> str:
    """A field as text; Decimals keep their exponent (0.00 and 0 differ on a letter)."""
    if value is None:
        return "-"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date | Decimal | str | int):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_cell(v) for v in value) + "]"
    if is_dataclass(value) and not isinstance(value, type):
        return "(" + ", ".join(_cell(v) for v in astuple(value)) + ")"
    raise TypeError(f"no text form for {value!r}")


def plan_lines() -> list[str]:
    book = generate_book(invoices=1_500, customers=300, agreements=80, contacts=750, seed=9)
    plan = plan_book(book, AS_OF)
    lines = [f"as_of | {plan.as_of}"]
    for name in ("actions", "letters", "scores", "agreement_states", "problems", "warnings"):
        records = getattr(plan, name)
        lines.append(f"# {name}: {len(records)}")
        lines += [" | ".join(_cell(v) for v in record) for record in map(_fields, records)]
    return lines


def _fields(record: object) -> tuple[object, ...]:
    if isinstance(record, tuple):
        return record
    assert is_dataclass(record) and not isinstance(record, type)
    return tuple(getattr(record, f) for f in record.__dataclass_fields__)


def test_plan_of_a_generated_book_matches_golden():
    got = plan_lines()
    if REGENERATE:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text("\n".join(got) + "\n", encoding="utf-8")
    assert GOLDEN.exists(), f"{GOLDEN} missing: run with DEBITEUREN_GOLDEN=1 to create it"
    exp = GOLDEN.read_text(encoding="utf-8").splitlines()
    diff = list(difflib.unified_diff(exp, got, "exp", "got", lineterm="", n=0))
    assert not diff, "\n".join(diff[:60])


def test_the_generated_book_exercises_the_rules():
    """The expectation is only worth keeping while the book reaches most of the engine."""
    text = GOLDEN.read_text(encoding="utf-8")
    for action in ("herinnering", "laatste-herinnering", "regeling-aanbieden", "bellen",
                   "intern-oplossen", "bank-controleren", "betaalbewijs-vragen", "wachten",
                   "bevestigen", "incasso", "veertiendagenbrief"):  # fmt: skip
        assert f" | {action} | " in text, action
    for reason in ("dekken wat de brief", "meegenomen in de veertiendagenbrief",
                   "meegenomen in de brief van vandaag", "verschoven naar", "geschil"):  # fmt: skip
        assert reason in text, reason
