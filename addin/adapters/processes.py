"""Processes: is a process still running, and worker processes that end with their parent.

A letter run makes its letters in a pool of worker processes. When the run itself is killed
(``kill -9``, Task Manager, a crashed Excel), nothing tells those workers: they wait for
work that never comes. `child_init` makes a worker end with its parent, on every platform:

- Linux: the kernel sends SIGKILL when the parent dies (prctl PR_SET_PDEATHSIG);
- everywhere (macOS, Windows, and Linux as a second line): a daemon thread that looks at the
  parent twice a second (is its pid still running; on POSIX, has this worker been adopted by
  init) and ends the worker when it is gone.

`pid_alive` answers "is the process that made this lock or temp file still running" on
this computer, without signalling it (on Windows os.kill(pid, 0) would end the process).

Example::

    ProcessPoolExecutor(initializer=child_init, initargs=(os.getpid(), _init, (book,)))
    pid_alive(os.getpid())  -> True
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

WATCH_INTERVAL = 0.5  # seconds between looks at the parent
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def pid_alive(pid: int) -> bool:
    """Whether process `pid` is running on this computer (a zombie counts as ended)."""
    if pid <= 0:
        return False
    if sys.platform.startswith("win"):
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, it is someone else's
    except OSError:
        return True  # cannot tell: assume running, the safe side for a lock
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return False  # no /proc (macOS) or gone just now: os.kill said it exists
    # "pid (name) S ...": the name may hold spaces and parentheses, the state follows the last ")".
    return stat[stat.rfind(b")") + 2 : stat.rfind(b")") + 3] == b"Z"


def _windows_pid_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    process_query_limited_information, still_active, access_denied = 0x1000, 259, 5
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return bool(ctypes.get_last_error() == access_denied)  # type: ignore[attr-defined]
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


def end_with_parent(parent_pid: int) -> None:
    """Make this (worker) process end when `parent_pid` ends; call it first in the worker.

    Ctrl-C in a terminal interrupts every process of the run; the parent alone answers it
    (its files are made whole or not at all) and its workers end with it, so a worker
    ignores SIGINT instead of printing a traceback of its own.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # the watchdog below still does it
    # The process that started this one: the run itself (fork, spawn) or a fork server.
    started_by = os.getppid() if os.name == "posix" else None
    if not _parent_alive(parent_pid, started_by):  # it died before the line above took effect
        os._exit(1)
    threading.Thread(
        target=_watch, args=(parent_pid, started_by), name="ouder-bewaker", daemon=True
    ).start()


def _parent_alive(parent_pid: int, started_by: int | None) -> bool:
    # An orphan is adopted by init (or a subreaper), so on POSIX its parent pid changes.
    if started_by is not None and os.getppid() != started_by:
        return False
    return pid_alive(parent_pid)


def _watch(parent_pid: int, started_by: int | None) -> None:
    tick = threading.Event()
    while not tick.wait(WATCH_INTERVAL):
        if not _parent_alive(parent_pid, started_by):
            os._exit(1)


def child_init(
    parent_pid: int, init: Callable[..., Any] | None = None, args: Sequence[Any] = ()
) -> None:
    """A ProcessPoolExecutor initializer: bind the worker to its parent, then run `init`."""
    end_with_parent(parent_pid)
    if init is not None:
        init(*args)
