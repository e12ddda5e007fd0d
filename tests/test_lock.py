"""One writing run per workbook (adapters/workbook/lock.py), through the command line as real
processes on a generated workbook: overlapping runs log every letter once, a busy workbook
is refused with who and when, a stale lock is cleared, a folder without a lock refuses the
run, and the reading commands and --proef do not wait for the lock."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from addin.adapters.workbook.book_writer import write_book
from addin.adapters.workbook.lock import LOCK_NAME, workbook_lock
from addin.adapters.workbook.reader import read_book
from benchmarks.generate import AS_OF, generate_book

DAY = AS_OF.isoformat()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("origineel") / "Gegenereerd.xlsx"
    write_book(generate_book(200, 40, 6, 40), path)  # a handful of letters on AS_OF
    return path


@pytest.fixture
def workbook(tmp_path: Path, generated: Path) -> Path:
    path = tmp_path / "Gegenereerd.xlsx"
    shutil.copy(generated, path)
    return path


def start(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "addin.cli", *(str(a) for a in args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def cli(*args: object) -> tuple[int, str, str]:
    p = start(*args)
    out, err = p.communicate(timeout=300)
    return p.returncode, out, err


def letters_logged(workbook: Path) -> Counter[tuple[str, str, str]]:
    book, _problems = read_book(workbook)
    return Counter(
        (c.customer, c.step, ",".join(c.invoices))
        for c in book.contacts
        if c.date == AS_OF and c.document
    )


@pytest.mark.parametrize(
    "runs, stagger",
    [(2, 0.3), (2, 0.0), (4, 0.3), (4, 0.0)],
    ids=["twee-na-elkaar", "twee-tegelijk", "vier-na-elkaar", "vier-tegelijk"],
)
def test_overlapping_runs_log_every_letter_once(workbook, runs, stagger):
    procs = []
    for _ in range(runs):
        procs.append(start("herinneringen", workbook, "--datum", DAY, "--json"))
        time.sleep(stagger)
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]

    made = [json.loads(out) for code, out, _err in results if code in (0, 1)]
    refused = [(json.loads(out), err) for code, out, err in results if code == 2]
    assert len(made) + len(refused) == runs
    assert made and made[0]["gelogd"] >= 3
    for data, _err in refused:
        assert "is bezig: een andere run (herinneringen) is gestart op" in data["fout"]
        assert f"op computer {socket.gethostname()}" in data["fout"]
    logged = letters_logged(workbook)
    assert set(logged.values()) == {1}  # every letter once
    assert sum(logged.values()) == sum(d["gelogd"] for d in made)
    assert not (workbook.parent / LOCK_NAME).exists()


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def _lock(workbook: Path, *, pid: int, computer: str, age: float = 0.0) -> Path:
    lock = workbook.parent / LOCK_NAME
    lock.write_text(
        json.dumps(
            {
                "programma": "debiteuren",
                "opdracht": "bank",
                "werkmap": str(workbook),
                "computer": computer,
                "pid": pid,
                "gestart": "2026-11-24T09:12:05+01:00",
            }
        ),
        encoding="utf-8",
    )
    if age:
        then = time.time() - age
        os.utime(lock, (then, then))
    return lock


@pytest.mark.parametrize(
    "computer, pid, age, reason",
    [
        ("here", "dead", 0.0, "draait niet meer (proces "),
        ("ELDERS-PC", 4242, 3 * 3600.0, "is al twee uur niet bijgewerkt"),
    ],
    ids=["proces-weg", "ouder-dan-twee-uur"],
)
def test_a_stale_lock_is_cleared_with_a_note(workbook, computer, pid, age, reason):
    computer = socket.gethostname() if computer == "here" else computer
    pid = _dead_pid() if pid == "dead" else pid
    lock = _lock(workbook, pid=pid, computer=computer, age=age)
    (workbook.parent / f".debiteuren-{_dead_pid()}-abc.tmp").write_bytes(b"half")

    code, out, err = cli("herinneringen", workbook, "--datum", DAY, "--json")

    assert code in (0, 1), err
    assert json.loads(out)["gelogd"] >= 3
    assert "Let op: Een oude vergrendeling ('.debiteuren.lock') is opgeruimd: de run (bank)" in err
    assert reason in err
    assert "tijdelijk bestand van een afgebroken run" in err
    assert not lock.exists()
    assert not list(workbook.parent.glob(".debiteuren-*.tmp"))


@pytest.mark.parametrize(
    "computer, pid",
    [("ELDERS-PC", 4242), ("here", os.getpid())],
    ids=["andere-computer", "draaiend-proces"],
)
def test_a_busy_workbook_is_refused_with_who_and_when(workbook, computer, pid):
    computer = socket.gethostname() if computer == "here" else computer
    lock = _lock(workbook, pid=pid, computer=computer)
    before = workbook.read_bytes()
    for command in (["herinneringen"], ["overdracht", None, "K00001"], ["bank", None, "x.xml"]):
        args = [workbook if a is None else a for a in command]
        if command == ["herinneringen"]:
            args.append(workbook)
        code, out, err = cli(*args, "--datum", DAY)
        assert code == 2, (command, out, err)
        assert "is bezig: een andere run (bank) is gestart op 24-11-2026 om " in err
        assert f"op computer {computer}." in err and "er is niets veranderd" in err
    assert workbook.read_bytes() == before
    assert not (workbook.parent / "uitvoer").exists()
    assert lock.exists()  # someone else's: left alone


def test_reading_commands_and_dry_runs_do_not_take_the_lock(workbook):
    _lock(workbook, pid=os.getpid(), computer=socket.gethostname())
    for args in (
        ["werklijst", workbook, "--json"],
        ["controleer", workbook, "--json"],
        ["herinneringen", workbook, "--proef", "--json"],
    ):
        code, out, err = cli(*args, "--datum", DAY)
        assert code in (0, 1), (args, err)
        json.loads(out)


def test_the_lock_is_given_back_after_an_error(workbook):
    sjablonen = workbook.parent / "sjablonen" / "nl"
    sjablonen.mkdir(parents=True)
    (sjablonen / "herinnering.txt.j2").write_text("{% block subject %}{{ nergens }", "utf-8")
    code, _out, err = cli("herinneringen", workbook, "--datum", DAY)
    assert code == 2 and "sjabloon" in err
    assert not (workbook.parent / LOCK_NAME).exists()


def test_a_folder_where_no_lock_can_be_made_refuses_the_run(workbook):
    folder = workbook.parent
    before = workbook.read_bytes()
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
        if os.geteuid() == 0:
            pytest.skip("no chattr here, and root may write in a read-only folder")
        folder.chmod(0o555)
    try:
        code, out, _err = cli("herinneringen", workbook, "--datum", DAY, "--json")
    finally:
        subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        folder.chmod(0o755)
    assert code == 2
    message = json.loads(out)["fout"]
    assert f"In de map '{folder}' kan geen vergrendeling ('.debiteuren.lock') worden" in message
    assert "Er is niets veranderd." in message
    assert workbook.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [workbook.name]


def test_the_same_thread_may_nest_the_lock_and_another_run_may_not(workbook):
    with workbook_lock(workbook, "herinneringen") as outer:
        with workbook_lock(workbook, "bank") as inner:
            assert inner.path == outer.path
        assert outer.path.exists()
        code, out, _err = cli("bank", workbook, "x.xml", "--datum", DAY, "--json")
        assert code == 2 and "(herinneringen)" in json.loads(out)["fout"]
    assert not outer.path.exists()
    with workbook_lock(workbook, "bank"):
        child = subprocess.run([sys.executable, "-c", _TAKE_LOCK, str(workbook)], timeout=60)
        assert child.returncode == 0  # the other process was refused (LockBusy)


_TAKE_LOCK = """
import sys
from pathlib import Path
from addin.adapters.workbook.lock import LockBusy, workbook_lock
try:
    with workbook_lock(Path(sys.argv[1]), "test"):
        pass
except LockBusy:
    sys.exit(0)
sys.exit(1)
"""


def test_the_lock_file_is_not_marked_executable(workbook):
    """os.open's default mode 0o777 made the lock rwxr-xr-x, a data file marked executable;
    it gets the mode of any new file (0o666 less the umask)."""
    umask = os.umask(0o022)
    try:
        with workbook_lock(workbook, "herinneringen"):
            mode = (workbook.parent / LOCK_NAME).stat().st_mode & 0o777
    finally:
        os.umask(umask)
    assert mode == 0o644
