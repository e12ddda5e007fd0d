"""Temporary files the program writes before it swaps a finished file in, and their clean-up.

Every file the program writes (the workbook, a letter's PDF and e-mail draft) is first
written in full under a temporary name in the same folder,
``.debiteuren-<pid>-<computer>-<random>.tmp``, and then renamed over the real name (atomic on
every platform). So a run that is killed leaves no half file under a real name, only temp
files; the next run removes those whose process has ended (`remove_stale`), keeping the ones
of a run that is still busy, here or on another computer sharing the folder.

Example::

    write_atomic(Path("uitvoer/2026-11-24/Herinnering K001.pdf"), pdf_bytes)
    remove_stale(Path("uitvoer"), depth=2)
    -> (Path("uitvoer/2026-11-24/.debiteuren-4711-0bbfd16a-x1.tmp"),)
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import stat
import tempfile
import time
import zlib
from pathlib import Path

from addin.adapters.processes import pid_alive

PREFIX = ".debiteuren-"
SUFFIX = ".tmp"
# .debiteuren-<pid>-<computer>-<random>.tmp; a name without the computer (made before
# names carried it) counts as this computer's.
OWNER = re.compile(r"^\.debiteuren-(\d+)-(?:([0-9a-f]{8})-)?.*\.tmp$")
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
    # Named for this process and computer: a folder on a network share is cleaned from
    # other computers too, where this pid says nothing (`remove_stale`).
    prefix = f"{PREFIX}{os.getpid()}-{computer_tag()}-"
    fd, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=SUFFIX)
    return fd, Path(name)


def stage(folder: Path, data: bytes, mode: int = NEW_FILE_MODE) -> Path:
    """`data` written in full to a new temp file in `folder`, with `mode` (that of any new
    file unless told), for the caller to put in place (os.replace) or take away; nothing is
    left on a failure."""
    # No fsync before the rename (a power cut may leave an empty file under the real name):
    # measured on this project's machine (ext4) it cost 0.34-0.44 ms more a 60 kB file, on
    # top of 0.1-0.27 ms (2,000 files, min of 3): over the 0.2 ms a file the letter run
    # (at least 50 letters/s, each a PDF and a draft) may spend on it.
    fd, tmp = make_temp(folder)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp, mode)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that `path` is either the old file or the whole new one,
    with the old file's permissions (those of any new file when there was none)."""
    tmp = stage(path.parent, data, replaced_mode(path))
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def replaced_mode(path: Path) -> int:
    """The permission bits of the file at `path`, which a new one is to replace, or
    NEW_FILE_MODE when there is none (or it is not a file). The rename puts a new file in
    place, and a letter the user had made private (0600) or shared with a group only (0640)
    became readable to every user of the computer (mkstemp's 0600 and then NEW_FILE_MODE,
    whatever the old file had). Only the 0777
    bits: a set-user-id bit carried onto a file this program wrote is not the user's
    intent. One stat; Windows has only a read-only flag, which a rename over such a file
    refuses anyway, so nothing is kept there."""
    if os.name != "posix":
        return NEW_FILE_MODE
    try:
        st = os.stat(path)
    except OSError:  # missing; anything else the rename itself will name
        return NEW_FILE_MODE
    if not stat.S_ISREG(st.st_mode):
        return NEW_FILE_MODE
    return stat.S_IMODE(st.st_mode) & 0o777


def create_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` as a new file, whole or not at all, never over anything that
    has the name (FileExistsError, also for a link to elsewhere or a dangling one).

    Staged in full under a temp name and then hard-linked to `path`, which, unlike a
    rename, refuses a name that is taken; a run killed half-way leaves only the temp file
    (`remove_stale`). Where the file system has no hard links (FAT, some network shares)
    the file is created exclusively and written in place; a write that fails there takes
    it away again."""
    tmp = stage(path.parent, data)
    try:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:
            _create_in_place(path, data)
    finally:
        tmp.unlink(missing_ok=True)


def _create_in_place(path: Path, data: bytes) -> None:
    made = False
    try:
        # The close is inside the try: what the buffer still holds is written there, and a
        # full disk (or a network share, which reports late) fails there, not in write().
        with open(path, "xb") as out:  # FileExistsError: nothing made
            made = True
            out.write(data)
    except BaseException:
        if made:
            os.unlink(path)
        raise


def _in_use(owner: re.Match[str] | None, entry: os.DirEntry[str], now: float) -> bool:
    """Whether the temp file or staging folder `entry`, its name matched as `owner` (group
    1 the pid, group 2 the computer or None for this one), may still be its run's: a run of
    this computer whose process is alive, or any run of another computer sharing the folder
    (its pid cannot be asked about here), or an owner the name does not give; but never
    once it is older than MAX_AGE (the pid may belong to another process by then)."""
    if (
        owner is not None
        and owner.group(2) in (None, computer_tag())
        and not pid_alive(int(owner.group(1)))
    ):
        return False
    return now - entry.stat(follow_symlinks=False).st_mtime < MAX_AGE


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
            if owner is not None and _in_use(owner, entry, now):
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


# --- staging folders ------------------------------------------------------------------------
#
# `overdracht` builds its dossier in a hidden folder in the output folder,
# ``.overdracht-<pid>-<computer>-<random>``, moves an earlier dossier of the same name aside
# into it as ``eerder <name>``, puts the new one in place and then logs it
# (documents/handover.py). A run killed in between (kill -9, power loss) leaves that
# folder, perhaps holding the user's earlier dossier. `recover_staging` deals with it on the
# next run.

STAGING_PREFIX = ".overdracht-"
EARLIER = "eerder "
STAGING_OWNER = re.compile(r"^\.overdracht-(\d+)-([0-9a-f]{8})-")


def computer_tag() -> str:
    """This computer, as 8 hex digits: an output folder on a network share is seen from
    other computers too, where this run's pid says nothing (the lock names its computer
    for the same reason, workbook/lock.py)."""
    return f"{zlib.crc32(socket.gethostname().encode('utf-8', 'replace')):08x}"


def make_staging(folder: Path) -> Path:
    """A new, empty staging folder in `folder`, named for this process and computer:
    ``.overdracht-<pid>-<computer>-<random>``."""
    prefix = f"{STAGING_PREFIX}{os.getpid()}-{computer_tag()}-"
    return Path(tempfile.mkdtemp(prefix=prefix, dir=folder))


def _free_name(folder: Path, name: str) -> Path:
    """`folder / name`, or `name (2)` and so on when that is taken."""
    path, n = folder / name, 2
    stem, dot, suffix = name.rpartition(".") if name.endswith(".zip") else (name, "", "")
    while os.path.lexists(path):
        path = folder / (f"{stem} ({n}){dot}{suffix}")
        n += 1
    return path


def recover_staging(folder: Path, dry_run: bool = False) -> tuple[str, ...]:
    """Deal with the staging folders of ended `overdracht` runs in `folder`; Dutch notes on
    what was done. `dry_run` (a --proef run, which writes nothing) only says that a run
    without it will put things right. An earlier dossier whose name is free again goes back
    in place; one whose name the killed run's new dossier took is put beside it as ``eerder
    <name>`` (it may still be needed: nothing says whether the new one was logged). The
    folder is removed only when nothing but the half-made new dossier is left in it; a
    folder of a run that is still busy is left alone, and so is anything this code does not
    know."""
    notes: list[str] = []
    try:
        entries = [e for e in os.scandir(folder) if e.name.startswith(STAGING_PREFIX)]
    except OSError:
        return ()
    now = time.time()
    for entry in entries:
        try:
            if not entry.is_dir(follow_symlinks=False):
                continue
            # A folder without a pid (made before names carried one) counts as a running
            # run's until it is old.
            if _in_use(STAGING_OWNER.match(entry.name), entry, now):
                continue
            if dry_run:
                notes.append(
                    f"Een afgebroken overdracht liet '{entry.path}' achter; een run zonder "
                    "--proef zet een eerder dossier daarin terug en ruimt de map op."
                )
                continue
            notes.extend(_recover_one(folder, Path(entry.path)))
        except OSError:
            continue  # gone meanwhile, or not ours to touch: leave it
    return tuple(notes)


def _recover_one(folder: Path, work: Path) -> list[str]:
    notes: list[str] = []
    staged: list[Path] = []
    kept: list[Path] = []
    for item in sorted(work.iterdir()):
        if not item.name.startswith(EARLIER):
            staged.append(item)
            continue
        final = folder / item.name.removeprefix(EARLIER)
        try:
            if not os.path.lexists(final):
                item.replace(final)
                notes.append(
                    f"Het eerdere dossier '{final}' stond nog opzij van een afgebroken "
                    "overdracht; het is teruggezet."
                )
            else:
                beside = _free_name(folder, item.name)
                item.replace(beside)
                notes.append(
                    f"Een afgebroken overdracht had '{final}' al vervangen (misschien zonder "
                    f"het in Contacten te loggen); het eerdere dossier staat nu in '{beside}'. "
                    "Kijk welk u houdt en maak de overdracht zo nodig opnieuw."
                )
        except OSError as exc:
            kept.append(item)
            notes.append(
                f"Het eerdere dossier van een afgebroken overdracht staat nog in '{item}' en "
                f"kon niet worden teruggezet ({exc.strerror or exc}): zet het zelf terug."
            )
    # The rest is the half-made new dossier: a folder and a ZIP named like the dossier.
    # Anything else came from elsewhere (the user, another program) and stays.
    unknown = [p for p in staged if not p.name.startswith("Overdracht ")]
    if kept or unknown:
        if unknown:
            notes.append(
                f"De map '{work}' van een afgebroken overdracht bevat iets onbekends "
                f"('{unknown[0].name}'); ze is niet opgeruimd."
            )
        return notes
    try:
        for item in staged:
            if item.is_dir() and not item.is_symlink():
                shutil.rmtree(item)
            else:
                item.unlink()
        work.rmdir()
    except OSError as exc:
        notes.append(
            f"De map '{work}' van een afgebroken overdracht kon niet worden opgeruimd "
            f"({exc.strerror or exc}); er staat alleen een half gemaakt dossier in."
        )
        return notes
    if staged:
        notes.append(
            f"Het half gemaakte dossier van een afgebroken overdracht is opgeruimd ('{work}')."
        )
    elif not notes:
        notes.append(f"De lege map '{work}' van een afgebroken overdracht is opgeruimd.")
    return notes
