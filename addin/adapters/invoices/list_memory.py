"""What the previous import of each kind of open-items list contained, so the next import of
the same kind can say "staat niet meer in de lijst: mogelijk betaald".

Kept in a small JSON file beside the workbook (``.<werkmap>.importlijsten.json``), not in the
workbook: it is the tool's memory, not the user's data, and keeping it outside means that
re-importing the same list leaves the workbook byte for byte as it was (a hidden sheet would
be rewritten on every import). Losing the file only loses that warning once: the next import
starts remembering again. It is written only after the workbook write succeeded, and never
with --proef.

Example::

    remember(Path("Debiteuren.xlsx"), {"number=factuur|...": ("2026-1", "2026-2")})
    recall(Path("Debiteuren.xlsx"))  -> {"number=factuur|...": ["2026-1", "2026-2"]}
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["memory_path", "recall", "remember"]


def memory_path(workbook: Path) -> Path:
    return workbook.with_name(f".{workbook.name}.importlijsten.json")


def recall(workbook: Path) -> dict[str, list[str]]:
    """The remembered lists; {} when there is no (readable) memory."""
    try:
        data = json.loads(memory_path(workbook).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): [str(n) for n in v] for k, v in data.items() if isinstance(v, list)}


def remember(workbook: Path, lists: Mapping[str, Sequence[str]]) -> None:
    """Store the lists just imported (other kinds kept); atomic: temp file + replace."""
    if not lists:
        return
    data = recall(workbook)
    data.update({k: list(v) for k, v in lists.items()})
    target = memory_path(workbook)
    fd, tmp = tempfile.mkstemp(prefix=".importlijsten-", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            # dumps, not dump: dump encodes in Python, chunk by chunk (0.1 s for a list of
            # 100,000 invoices), dumps in C.
            out.write(json.dumps(data, ensure_ascii=False))
        os.replace(tmp, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
