"""Finding the user's documents (invoice PDFs, letters) named in the workbook, safely.

A Factuur-pdf or Document cell holds a path or a link. Relative paths resolve against the
Factuurmap setting, then against the workbook's folder; a path that ends up outside those
folders (``..``, an absolute path elsewhere, a symlink out) is refused, so a workbook from
someone else can never make the tool read or send an arbitrary file.

Example::

    >>> roots = (Path("/data/facturen"), Path("/data"))
    >>> inside(Path("/data/facturen/2026-017.pdf"), roots)
    True
    >>> inside(Path("/etc/passwd"), roots)
    False
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

LINK = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Found:
    """The outcome of looking a document up: a readable file, or why not (Dutch)."""

    path: Path | None
    reason: str = ""


def roots_for(workbook: Path, document_dir: str) -> tuple[Path, ...]:
    """The folders documents may come from: the setting (relative to the workbook) first."""
    base = workbook.resolve().parent
    roots = []
    if document_dir.strip():
        folder = Path(document_dir.strip()).expanduser()
        roots.append((folder if folder.is_absolute() else base / folder).resolve())
    roots.append(base)
    return tuple(roots)


def inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def find_document(text: str, roots: Sequence[Path]) -> Found:
    """Resolve a workbook cell to a readable file inside `roots`."""
    text = text.strip()
    if not text:
        return Found(None, "geen bestand opgegeven")
    if LINK.match(text):
        return Found(None, f"'{text}' is een link, geen bestand")
    candidate = Path(text.replace("\\", "/")).expanduser()
    options = [candidate] if candidate.is_absolute() else [root / candidate for root in roots]
    for option in options:
        resolved = option.resolve()
        if not inside(resolved, roots):
            return Found(None, f"'{text}' ligt buiten de factuurmap en de map van de werkmap")
        if resolved.is_file():
            return Found(resolved)
    return Found(None, f"'{text}' niet gevonden")


def safe_name(text: str, limit: int = 80) -> str:
    """A file or folder name from user text: no path separators or control characters."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).strip(" .")
    return cleaned[:limit] or "_"
