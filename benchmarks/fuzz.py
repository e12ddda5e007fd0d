"""The big local fuzz run (issue 12): tens of thousands of mutated bank files and workbooks.

    python benchmarks/fuzz.py --bank 10000 --boeken 1000 --facturen 3000 --opdrachten 1000 \
        --jobs 2 [--seed 12] [--log F]

Runs tests/fuzz/run.py's cases in worker processes and prints, per kind, the cases run,
those that failed (uncaught exception, traceback in the output, wrong exit code, workbook
changed) and those that hung or killed their worker, and the slowest command. Failed cases
go to the log as JSON lines with their seed, number and mutation; the CI suite runs a few
hundred of the same cases (tests/test_fuzz.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz.run import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
