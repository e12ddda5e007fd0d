"""Temporary files the program writes before it swaps a finished file in, and their clean-up.

Every file the program writes (the workbook, a letter's PDF and e-mail draft) is first
written in full under a temporary name in the same folder, ``.debiteuren-<pid>-<random>.tmp``,
and then renamed over the real name (atomic on every platform). So a run that is killed
leaves no half file under a real name, only temp files; the next run removes those whose
process has ended (`remove_stale`), keeping the ones of a run that is still busy.

Example::

    write_atomic(Path("uitvoer/2026-11-24/Herinnering K001.pdf"), pdf_bytes)
    remove_stale(Path("uitvoer"), depth=2)  -> (Path("uitvoer/2026-11-24/.debiteuren-4711-x1.tmp"),)
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

from addin.adapters.processes import pid_alive

PREFIX = ".debiteuren-"
SUFFIX = ".tmp"
OWNER = re.compile(r"^\.debiteuren-(\d+)-.*\.tmp$")
MAX_AGE = 2 * 3600  # seconds: older than this the pid in the name may belong to another process


def _umask() -> int:
    # Python 3.11 has no os.getumask(); setting and restoring it is the portable way. Done
    # once, at import, before any thread of the run could create a file in between.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# The mode a file made with open() gets: mkstemp makes its file 0600 (private to this
# process), and a rename keeps that, so a letter would be unreadable to the colleague who
# shares the folder.
NEW_FILE_MODE = 0o666 & ~_umask()


def sync_folder(folder: Path) -> None:
    """Make a new or renamed file's directory entry durable (POSIX). Windows cannot open a
    folder, and has no directory fsync; that is fine there."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def make_temp(folder: Path) -> tuple[int, Path]:
    """An open, new temp file in `folder` named for this process: (fd, path)."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=f"{PREFIX}{os.getpid()}-", suffix=SUFFIX)
    return fd, Path(name)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that `path` is either the old file or the whole new one."""
    fd, tmp = make_temp(path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, NEW_FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def remove_stale(folder: Path, depth: int = 0) -> tuple[Path, ...]:
    """Remove the temp files of ended runs in `folder` (and `depth` levels of subfolders)."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return ()
    now = time.time()
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                if depth > 0:
                    removed.extend(remove_stale(Path(entry.path), depth - 1))
                continue
            if not (entry.name.startswith(PREFIX) and entry.name.endswith(SUFFIX)):
                continue
            owner = OWNER.match(entry.name)
            running = owner is not None and pid_alive(int(owner.group(1)))
            if running and now - entry.stat(follow_symlinks=False).st_mtime < MAX_AGE:
                continue
            os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue  # gone already, or not ours to remove: leave it
    return tuple(removed)


def make_folder(folder: Path) -> list[Path]:
    """Make `folder` and its missing parents; the folders made, deepest first, so that a run
    that fails afterwards can take them away again (`remove_folders`)."""
    made: list[Path] = []
    probe = folder
    while not probe.exists() and probe.parent != probe:
        made.append(probe)
        probe = probe.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        remove_folders(made)  # the parents it made before it failed
        raise
    return made


def remove_folders(folders: list[Path]) -> None:
    """Take away the folders `make_folder` made (deepest first), as long as they are empty."""
    for made in folders:
        try:
            made.rmdir()
        except OSError:
            return  # not empty after all, or gone: leave it and its parents
