"""A letter run killed with kill -9 while its worker processes make letters: no worker is
alive 5 s later (adapters/processes.py: they end with their parent), and the next run clears
the dead run's lock and temp files, then makes and logs every letter once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from addin.adapters.processes import pid_alive
from addin.adapters.workbook.book_writer import write_book
from addin.adapters.workbook.reader import read_book
from addin.core.plan import plan_book
from benchmarks.generate import AS_OF, generate_book


def _children(pid: int) -> set[int]:
    """The live descendants of `pid`, from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_bytes()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat[stat.rfind(b")") + 2 :].split()[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for child, its_parent in parents.items():
            if its_parent == parent and child not in found:
                found.add(child)
                todo.append(child)
    return {c for c in found if pid_alive(c)}


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_kill_9_leaves_no_worker_and_the_next_run_cleans_up(tmp_path):
    workbook = tmp_path / "Veel.xlsx"
    generated = generate_book(600, 150, 10, 100)
    expected = len(plan_book(generated, AS_OF).letters)  # 20 (bundled): worker processes
    write_book(generated, workbook)
    day = AS_OF.isoformat()
    letters = tmp_path / "uitvoer" / day
    old = tmp_path / "uitvoer" / "2026-11-23"
    old.mkdir(parents=True)
    (old / f".debiteuren-{2**22 + 7}-half.tmp").write_bytes(b"%PDF-1.4 half")  # no such pid

    cmd = [sys.executable, "-m", "addin.cli", "herinneringen", str(workbook), "--datum", day]
    run = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        assert _wait(lambda: bool(list(letters.glob("*.pdf"))), 300), "no letter was made"
        workers = _children(run.pid)
        assert workers, "the run made its letters without worker processes"
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        ended = _wait(lambda: not any(pid_alive(w) for w in workers), 5)
        alive = sorted(w for w in workers if pid_alive(w))
    finally:
        for w in workers:
            if pid_alive(w):
                os.kill(w, signal.SIGKILL)  # an orphan of this test must not outlive it
        if run.poll() is None:
            run.kill()
    assert ended and alive == []

    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode in (0, 1), done.stderr
    assert "Een oude vergrendeling ('.debiteuren.lock') is opgeruimd" in done.stderr
    assert "draait niet meer (proces " in done.stderr
    assert not list(tmp_path.rglob(".debiteuren-*.tmp"))
    assert not (tmp_path / ".debiteuren.lock").exists()
    book, _problems = read_book(workbook)
    logged = Counter((c.customer, c.step) for c in book.contacts if c.date == AS_OF)
    assert len(logged) == expected and set(logged.values()) == {1}
    assert len(list(letters.glob("*.pdf"))) == expected
