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
from pathlib import Path, PurePath, PureWindowsPath

from addin import schema
from addin.adapters.pathnames import reason
from addin.adapters.workbook.errors import WorkbookError
from addin.core.model import Settings

LINK = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Found:
    """The outcome of looking a document up: a readable file, or why not (Dutch)."""

    path: Path | None
    reason: str = ""


# This computer's kind of path: PureWindowsPath on Windows, PurePosixPath on macOS and Linux.
SYSTEM_PATHS: type[PurePath] = type(PurePath())


def windows_only(text: str, system: type[PurePath] = SYSTEM_PATHS) -> bool:
    """Whether a folder typed in Instellingen names a place only Windows has, a drive
    ("D:\\Brieven") or a share ("\\\\server\\share"), while `system` is not Windows: there
    it named a folder "D:" beside the workbook, or "//server/share" from the root of the
    disk. A relative folder with backslashes ("facturen\\2026") is a folder on any system.

        windows_only("D:\\Brieven", PurePosixPath) -> True
        windows_only("D:\\Brieven", PureWindowsPath) -> False
        windows_only("facturen\\2026", PurePosixPath) -> False

    A network address ("smb://...") is no folder on any system: see `network_address`.
    """
    return not issubclass(system, PureWindowsPath) and bool(PureWindowsPath(text.strip()).drive)


# A scheme of two letters or more: "D://Brieven" is drive D (windows_only), not an address.
ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]+://", re.IGNORECASE)


def network_address(text: str) -> bool:
    """Whether a folder typed in Instellingen or on the command line is a network address
    ("smb://server/share/brieven", as the Finder's "Verbind met server" shows it): no
    system opens that as a folder, and it became a folder "smb:" beside the workbook.

        network_address("smb://server/share") -> True
        network_address("/Volumes/share") -> False
    """
    return bool(ADDRESS.match(text.strip()))


def foreign_folder(text: str) -> bool:
    """A folder text this computer cannot use: `windows_only` or a `network_address`."""
    return windows_only(text) or network_address(text)


class FolderSettingError(WorkbookError):
    """A folder in Instellingen that this computer cannot use (a Windows folder on a Mac)."""


def setting_folder(settings: Settings, field: str, workbook: Path) -> Path | None:
    """The folder Instellingen `field` ("output_dir", "invoice_dir") of `workbook` names,
    None when it is empty. A backslash is a separator, as in find_document, since the
    workbook may have been set up on Windows ("facturen\\2026") and opened on a Mac, where it
    would name one folder "facturen\\2026". Raises FolderSettingError, naming the workbook,
    the cell and the value, for a folder only Windows has on a computer that is not Windows
    (windows_only)."""
    text = str(getattr(settings, field)).strip()
    if not text:
        return None
    if foreign_folder(text):
        label = dict(schema.SETTINGS)[field]
        row = dict(settings.rows).get(field)
        cell = f", rij {row}, kolom Waarde" if row else ""
        where = f"In '{workbook}', blad Instellingen{cell}"
        if network_address(text):
            raise FolderSettingError(
                f"{where}: {label} '{text}' is een netwerkadres, geen map. Verbind eerst met "
                f"de netwerkmap (Mac: Finder, Ga, Verbind met server; Windows: "
                f"\\\\server\\share) en vul bij {label} de map in zoals deze computer die "
                f"toont (zoals '/Volumes/share/brieven'), of een map naast de werkmap (zoals "
                f"'brieven'). Er is niets gemaakt of geschreven."
            )
        raise FolderSettingError(
            f"{where}: {label} '{text}' is een map op Windows (met een stationsletter of "
            f"\\\\server\\share), die op deze computer niet bestaat. Vul bij {label} een map in "
            f"die hier bestaat, of een map naast de werkmap (zoals 'brieven'); op Windows werkt "
            f"'{text}' wel. Er is niets gemaakt of geschreven."
        )
    return Path(text.replace("\\", "/")).expanduser()


def roots_for(workbook: Path, settings: Settings, field: str) -> tuple[Path, ...]:
    """The folders documents may come from: the folder setting `field` (relative to the
    workbook) first, then the workbook's folder."""
    base = workbook.resolve().parent
    roots = []
    folder = setting_folder(settings, field, workbook)
    if folder is not None:
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
    trouble = ""
    for option in options:
        try:
            resolved = option.resolve()
            if not inside(resolved, roots):
                return Found(None, f"'{text}' ligt buiten de factuurmap en de map van de werkmap")
            if resolved.is_file():
                return Found(resolved)
        except (OSError, RuntimeError) as exc:
            # pathlib's is_file() passes on what the system says about a path it cannot look
            # at (a name over 255 bytes from a long Factuurmap or cell, a folder without read
            # rights; resolve() a symlink loop): not this place, and the next root may hold it.
            trouble = trouble or (
                f"'{_shortened(text)}' kan niet worden gelezen ({_shortened(str(option))}): "
                f"{_unusable(exc)}"
            )
    return Found(None, trouble or f"'{text}' niet gevonden")


def _shortened(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _unusable(exc: OSError | RuntimeError) -> str:
    """Why a path cannot be looked at, in Dutch, with the system's words after it."""
    if isinstance(exc, RuntimeError):
        return f"het pad verwijst in een kring naar zichzelf ({exc})"
    return reason(exc)


# Names Windows keeps for devices, whatever the extension ("CON.pdf", "nul .eml"):
# https://learn.microsoft.com/windows/win32/fileio/naming-a-file#naming-conventions
# (checked 2026-12-05). A file made on a Mac or in a synced folder must open on Windows too.
WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {
        f"{port}{n}"
        for port in ("COM", "LPT")
        for n in (*"123456789", "\u00b9", "\u00b2", "\u00b3")
    }
)

# Bytes a name may take: ext4 and APFS allow 255 UTF-8 bytes, NTFS 255 UTF-16 units (never
# more than the UTF-8 bytes); 200 leaves room for what callers add (" (2).pdf", ".zip").
NAME_BYTES = 200


def safe_name(text: str, limit: int = 80) -> str:
    """A file or folder name from user text, valid on Windows, macOS and Linux: no path
    separators or control characters, no trailing dot or space (Windows drops them, so the
    name made would not be the name written down), no device name, at most `limit`
    characters and NAME_BYTES bytes."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", text).strip(" .")[:limit]
    while len(cleaned.encode("utf-8")) > NAME_BYTES:
        cleaned = cleaned[:-1]
    cleaned = cleaned.rstrip(" .")
    if cleaned.split(".")[0].rstrip(" ").upper() in WINDOWS_RESERVED:
        cleaned = "_" + cleaned
    return cleaned or "_"
