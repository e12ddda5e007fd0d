"""What the previous import of each kind of open-items list contained, so the next import of
the same kind can say "staat niet meer in de lijst: mogelijk betaald".

Kept in a small JSON file beside the workbook (``.<werkmap>.importlijsten.json``), not in the
workbook: it is the tool's memory, not the user's data, and keeping it outside means that
re-importing the same list leaves the workbook byte for byte as it was (a hidden sheet would
be rewritten on every import). Losing the file only loses that warning once: the next import
starts remembering again. It is written only after the workbook write succeeded, and never
with --proef.

Example::

    remember(Path("Debiteuren.xlsx"),
             {"number=factuur|...": Remembered(("2026-1",), ("week1.csv regel 2",))})
    recall(Path("Debiteuren.xlsx"))
    -> {"number=factuur|...": Remembered(("2026-1",), ("week1.csv regel 2",))}

The file: ``{"number=factuur|...": ["2026-1"], "bronnen": {"number=factuur|...":
["week1.csv regel 2"]}}``: where each invoice stood, so "mogelijk betaald" can name the
line of the earlier list it is gone from.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from addin.adapters.tempfiles import write_atomic

__all__ = ["Remembered", "memory_path", "recall", "remember"]

# The key under which the places are kept, beside the kinds' lists of numbers: a kind is
# never this text (list_kind: "what=header|..."), and a version that knows no places
# passes over it (it is no list).
SOURCES = "bronnen"


@dataclass(frozen=True, slots=True)
class Remembered:
    """One kind of list as the last import of it left it.

    Attributes:
      numbers: its invoice numbers (with those a partial list left unchecked).
      sources: where each of them stood, as the import named it ("week1.csv regel 3"),
        in the same order; () when not known (remembered by a version that kept none).
    """

    numbers: tuple[str, ...]
    sources: tuple[str, ...] = ()

    def where(self) -> dict[str, str]:
        """Invoice number -> where it stood ({} when not known)."""
        return dict(zip(self.numbers, self.sources, strict=False)) if self.sources else {}


def memory_path(workbook: Path) -> Path:
    return workbook.with_name(f".{workbook.name}.importlijsten.json")


def _load(workbook: Path) -> dict[str, object]:
    try:
        data = json.loads(memory_path(workbook).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def recall(workbook: Path) -> dict[str, Remembered]:
    """The remembered lists; {} when there is no (readable) memory."""
    data = _load(workbook)
    places = data.get(SOURCES)
    places = places if isinstance(places, dict) else {}
    out = {}
    for kind, numbers in data.items():
        if not isinstance(numbers, list):
            continue
        sources = places.get(kind)
        if not (isinstance(sources, list) and len(sources) == len(numbers)):
            sources = []  # not kept, or not this list's: the warning names no line then
        out[str(kind)] = Remembered(tuple(map(str, numbers)), tuple(map(str, sources)))
    return out


def remember(workbook: Path, lists: Mapping[str, Remembered]) -> None:
    """Store the lists just imported (other kinds kept); atomic: temp file + replace."""
    if not lists:
        return
    data = _load(workbook)
    places = data.get(SOURCES)
    places = dict(places) if isinstance(places, dict) else {}
    for kind, listed in lists.items():
        data[kind] = list(listed.numbers)
        if listed.sources:
            places[kind] = list(listed.sources)
        else:
            places.pop(kind, None)
    data[SOURCES] = places
    target = memory_path(workbook)
    # dumps, not dump: dump encodes in Python, chunk by chunk (0.1 s for a list of 100,000
    # invoices), dumps in C. write_atomic gives the file the mode of any new file: a
    # colleague sharing the folder reads it too (mkstemp's 0600 would hide the "mogelijk
    # betaald" comparison from them), and its temp file is one remove_stale knows.
    write_atomic(target, json.dumps(data, ensure_ascii=False).encode("utf-8"))
