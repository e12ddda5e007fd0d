"""One writing run per workbook: the lock file ``.debiteuren.lock`` beside the real workbook.

Every command that writes the workbook (herinneringen, bank, overdracht, ...) and every
ribbon button that changes it takes this lock before its first read and gives it back at the
end, also on an error. A second run meanwhile is refused (`LockBusy`, exit 2) with a message
that says when and on which computer the other run started. Without the lock, two runs
started a moment apart both plan from the same old workbook and both log every letter.

- The lock is a small JSON file, made atomically (``O_CREAT | O_EXCL``: exactly one run
  can create it, on Windows, macOS, Linux and network shares alike), in the folder of the
  *resolved* workbook (a symbolic link leads to the real file's folder). One lock per folder:
  the runs of two workbooks in one folder share the output and temp files, so they take
  turns too.
- A lock is stale, and is cleared with a note, when its process is gone (same computer) or
  when it was not refreshed for two hours (any computer: a run refreshes it every few
  minutes). Clearing is itself guarded (``.debiteuren.lock.opruimen``), so two runs that
  find the same stale lock cannot both go ahead.
- A folder where no lock file can be made (read-only, no permission) refuses the run
  (`LockUnavailable`, exit 2): such a folder cannot take the workbook's write either.
- While the lock is held, temp files of ended runs beside the workbook are removed
  (adapters/tempfiles.py).
- The same thread may take the lock again (nested use is free); another thread of the same
  process is refused like another run.

Example::

    with workbook_lock(Path("Debiteuren.xlsx"), "herinneringen") as lock:
        lock.notes  -> ("Een oude vergrendeling van een afgebroken run ... is opgeruimd.",)
        ... read, plan, write ...

    (a second run meanwhile)
    LockBusy: De werkmap 'Debiteuren.xlsx' is bezig: een andere run (herinneringen) is gestart
    op 24-11-2026 om 09:12:05 op computer KANTOOR-PC. ...
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from addin.adapters import tempfiles
from addin.adapters.processes import pid_alive

LOCK_NAME = ".debiteuren.lock"
CLEARING_SUFFIX = ".opruimen"
STALE_AFTER = 2 * 3600  # seconds without a refresh
REFRESH_EVERY = 5 * 60  # seconds: well inside STALE_AFTER
CLEARING_STALE_AFTER = 60  # seconds: clearing takes milliseconds
SETTLE = 2.0  # seconds to wait for a lock just being written or cleared by another run


class LockError(Exception):
    """The workbook cannot be locked for this run; the Dutch message says why and what to do."""


class LockBusy(LockError):
    """Another run holds the workbook's lock."""


class LockUnavailable(LockError):
    """No lock file can be made in the workbook's folder."""


@dataclass
class WorkbookLock:
    """A held lock.

    Attributes:
      path: the lock file.
      workbook: the real (resolved) workbook.
      notes: Dutch remarks for the user (a stale lock cleared, temp files removed).
    """

    path: Path
    workbook: Path
    notes: list[str] = field(default_factory=list)
    _content: bytes = b""
    _stop: threading.Event = field(default_factory=threading.Event)


def lock_path(workbook: Path) -> Path:
    """The lock file of a workbook: beside the real file, whatever link led to it."""
    return Path(workbook).resolve().parent / LOCK_NAME


_held: dict[Path, tuple[int, int]] = {}  # lock file -> (thread id, depth), this process
_held_guard = threading.Lock()


@contextmanager
def workbook_lock(workbook: Path, command: str) -> Iterator[WorkbookLock]:
    """Hold the workbook's lock for the `with` block; raise LockBusy or LockUnavailable
    (nothing changed) when it cannot be had."""
    real = Path(workbook).resolve()
    path = real.parent / LOCK_NAME
    me = threading.get_ident()
    with _held_guard:
        holder = _held.get(path)
        if holder is not None and holder[0] == me:
            _held[path] = (me, holder[1] + 1)
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield WorkbookLock(path, real)
        finally:
            with _held_guard:
                _held[path] = (me, _held[path][1] - 1)
        return
    lock = _acquire(path, real, command)
    with _held_guard:
        _held[path] = (me, 1)
    refresher = threading.Thread(target=_refresh, args=(lock,), name="vergrendeling", daemon=True)
    refresher.start()
    try:
        removed = tempfiles.remove_stale(real.parent)
        if removed:
            what = "tijdelijk bestand" if len(removed) == 1 else "tijdelijke bestanden"
            lock.notes.append(
                f"{len(removed)} {what} van een afgebroken run naast de werkmap opgeruimd."
            )
        # An overdracht killed half-way beside the workbook (its default output folder).
        lock.notes.extend(tempfiles.recover_staging(real.parent))
        yield lock
    finally:
        lock._stop.set()
        with _held_guard:
            _held.pop(path, None)
        _release(lock)


# --- taking and giving back ---------------------------------------------------------------


def _acquire(path: Path, workbook: Path, command: str) -> WorkbookLock:
    lock = WorkbookLock(path, workbook)
    content = json.dumps(
        {
            "programma": "debiteuren",
            "opdracht": command,
            "werkmap": str(workbook),
            "computer": socket.gethostname(),
            "pid": os.getpid(),
            "gestart": datetime.now().astimezone().isoformat(timespec="seconds"),
        },
        ensure_ascii=False,
    ).encode("utf-8")
    deadline = time.monotonic() + SETTLE
    while True:
        try:
            # 0o666 (less the umask), as any new file: os.open's default 0o777 would mark a
            # data file executable.
            flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
            fd = os.open(path, flags, 0o666)
        except FileExistsError:
            pass
        except OSError as err:
            # Windows answers "access denied" for a lock that is being deleted just now.
            if not path.exists():
                if os.name != "nt" or time.monotonic() >= deadline:
                    raise LockUnavailable(_unavailable(path, workbook, err)) from None
                time.sleep(0.05)
                continue
        else:
            try:
                os.write(fd, content)
                os.fsync(fd)
            finally:
                os.close(fd)
            lock._content = content
            return lock
        raw, age = _read(path)
        if raw is None:
            continue  # given back just now: try again
        holder = _parse(raw)
        reason = _stale_reason(holder, age)
        if reason is None:
            if holder is None and time.monotonic() < deadline:
                time.sleep(0.05)  # made a moment ago, its content not yet written
                continue
            raise LockBusy(_busy(workbook, holder))
        if _clear(path, raw):
            lock.notes.append(_stale_note(holder, reason))
        elif time.monotonic() < deadline:
            time.sleep(0.05)  # another run is clearing it: see who gets it
        else:
            raise LockBusy(_busy(workbook, holder))


def _release(lock: WorkbookLock) -> None:
    raw, _age = _read(lock.path)
    if raw == lock._content:  # ours still (not cleared as stale and taken by another run)
        with suppress(OSError):
            os.unlink(lock.path)


def _refresh(lock: WorkbookLock) -> None:
    while not lock._stop.wait(REFRESH_EVERY):
        with suppress(OSError):
            os.utime(lock.path)


# --- reading a lock ---------------------------------------------------------------------------


def _read(path: Path) -> tuple[bytes | None, float]:
    """The lock's bytes and its age in seconds; (None, 0) when it is not there."""
    try:
        with open(path, "rb") as f:
            raw = f.read(64 * 1024)
            age = time.time() - os.fstat(f.fileno()).st_mtime
    except FileNotFoundError:
        return None, 0.0
    except OSError:
        return b"", 0.0  # there but unreadable: treated as held
    return raw, age


def _parse(raw: bytes) -> dict[str, object] | None:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _stale_reason(holder: dict[str, object] | None, age: float) -> str | None:
    if age > STALE_AFTER:
        return "is al twee uur niet bijgewerkt"
    if holder is None:
        return None
    pid = holder.get("pid")
    here = holder.get("computer") == socket.gethostname()
    if here and isinstance(pid, int) and not pid_alive(pid):
        return f"draait niet meer (proces {pid})"
    return None


def _clear(path: Path, raw: bytes) -> bool:
    """Remove the stale lock whose bytes are `raw`, unless another run is clearing it or it
    changed meanwhile; True when it is gone."""
    guard = path.with_name(path.name + CLEARING_SUFFIX)
    try:
        fd = os.open(guard, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    except FileExistsError:
        _raw, age = _read(guard)
        if age > CLEARING_STALE_AFTER:  # a run killed while clearing
            guard.unlink(missing_ok=True)
        return False
    except OSError:
        return False
    os.close(fd)
    try:
        now, _age = _read(path)
        if now != raw:
            return now is None
        path.unlink(missing_ok=True)
        return True
    except OSError:
        return False
    finally:
        guard.unlink(missing_ok=True)


# --- messages -------------------------------------------------------------------------------


def _started(holder: dict[str, object] | None) -> tuple[str, str, str]:
    """(command, "op 24-11-2026 om 09:12:05", computer) of the run that made a lock."""
    if holder is None:
        return "onbekend", "op een onbekend moment", "onbekend"
    when = "op een onbekend moment"
    started = holder.get("gestart")
    if isinstance(started, str):
        try:
            moment = datetime.fromisoformat(started).astimezone()
            when = f"op {moment:%d-%m-%Y} om {moment:%H:%M:%S}"
        except ValueError:
            pass
    command = holder.get("opdracht")
    return (
        command if isinstance(command, str) and command else "onbekend",
        when,
        str(holder.get("computer") or "onbekend"),
    )


def _stale_note(holder: dict[str, object] | None, reason: str) -> str:
    command, when, computer = _started(holder)
    return (
        f"Een oude vergrendeling ('{LOCK_NAME}') is opgeruimd: de run ({command}) die {when} "
        f"op computer {computer} begon, {reason}."
    )


def _busy(workbook: Path, holder: dict[str, object] | None) -> str:
    command, when, computer = _started(holder)
    return (
        f"De werkmap '{workbook}' is bezig: een andere run ({command}) is gestart {when} op "
        f"computer {computer}. Wacht tot die klaar is en probeer het dan opnieuw; er is niets "
        f"veranderd. (Is die run afgebroken, dan ruimt het programma de vergrendeling "
        f"'{LOCK_NAME}' zelf op zodra dat proces niet meer draait, of na twee uur.)"
    )


def _unavailable(path: Path, workbook: Path, err: OSError) -> str:
    return (
        f"In de map '{path.parent}' kan geen vergrendeling ('{LOCK_NAME}') worden gemaakt "
        f"({err.strerror or err}), dus kan de werkmap '{workbook.name}' daar niet veilig "
        f"bijgewerkt worden. Zet de werkmap in een map waarin u mag schrijven. Er is niets "
        f"veranderd."
    )
