"""The temp files of runs: whose they are, and which a later run may remove."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from pathlib import Path

import pytest

from addin.adapters.tempfiles import (
    MAX_AGE,
    NEW_FILE_MODE,
    computer_tag,
    create_atomic,
    make_temp,
    remove_stale,
    write_atomic,
)


def _ended_pid() -> int:
    ended = subprocess.Popen(["true"])
    ended.wait()
    return ended.pid


def test_a_temp_file_is_named_for_its_process_and_computer(tmp_path):
    fd, path = make_temp(tmp_path)
    os.close(fd)
    assert path.name.startswith(f".debiteuren-{os.getpid()}-{computer_tag()}-")


def test_another_computers_temp_file_on_a_shared_folder_is_left_until_it_is_old(tmp_path):
    """A folder on a network share is cleaned from every computer that uses it: a temp file
    of a run busy on another computer has a pid that means nothing here, and was removed
    whenever no process of that number ran here (its run's rename then failed)."""
    dead, here = _ended_pid(), computer_tag()
    other = f"{int(here, 16) ^ 1:08x}"
    names = {
        "ours, ended": f".debiteuren-{dead}-{here}-a1.tmp",
        "ours, running": f".debiteuren-{os.getpid()}-{here}-b2.tmp",
        "older name, ended": f".debiteuren-{dead}-c3.tmp",
        "another computer": f".debiteuren-{dead}-{other}-d4.tmp",
        "another computer, old": f".debiteuren-{dead}-{other}-e5.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"half")
    old = time.time() - MAX_AGE - 60
    os.utime(tmp_path / names["another computer, old"], (old, old))
    removed = {p.name for p in remove_stale(tmp_path)}
    assert removed == {
        names["ours, ended"],
        names["older name, ended"],
        names["another computer, old"],
    }
    left = {p.name for p in Path(tmp_path).iterdir()}
    assert left == {names["ours, running"], names["another computer"]}


def test_create_atomic_never_writes_over_a_name_that_is_taken(tmp_path):
    """A new file whole, with the mode of any new file; a name taken by a file or by a link
    (even one pointing nowhere) is FileExistsError, with nothing written and no temp file."""
    new = tmp_path / "nieuw.pdf"
    create_atomic(new, b"%PDF heel")
    assert new.read_bytes() == b"%PDF heel" and new.stat().st_nlink == 1
    assert stat.S_IMODE(new.stat().st_mode) == NEW_FILE_MODE
    dangling = tmp_path / "link.pdf"
    dangling.symlink_to(tmp_path / "nergens.pdf")
    for taken in (new, dangling):
        with pytest.raises(FileExistsError):
            create_atomic(taken, b"%PDF anders")
    assert new.read_bytes() == b"%PDF heel" and not (tmp_path / "nergens.pdf").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.pdf", "nieuw.pdf"]


POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="Windows has no permission bits")


@POSIX_ONLY
@pytest.mark.parametrize("mode", [0o640, 0o600], ids=["group-only", "private"])
def test_write_atomic_keeps_the_mode_of_the_file_it_replaces(tmp_path, mode):
    """A letter the user made private, or readable by the group only, stays so when a run
    writes it anew: the rename put a file of the mode of any new file in its place."""
    letter = tmp_path / "Herinnering K001.pdf"
    letter.write_bytes(b"%PDF oud")
    letter.chmod(mode)
    write_atomic(letter, b"%PDF nieuw")
    exp, got = mode, stat.S_IMODE(letter.stat().st_mode)
    assert got == exp, f"{got:o} != {exp:o}"
    assert letter.read_bytes() == b"%PDF nieuw"
    assert [p.name for p in tmp_path.iterdir()] == [letter.name]  # no temp file left


@POSIX_ONLY
def test_write_atomic_gives_a_new_file_the_mode_of_any_new_file(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    new = tmp_path / "Herinnering K002.pdf"
    write_atomic(new, b"%PDF nieuw")
    exp, got = 0o666 & ~mask, stat.S_IMODE(new.stat().st_mode)
    assert got == exp, f"{got:o} != {exp:o}"
