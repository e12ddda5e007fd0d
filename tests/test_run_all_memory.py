"""benchmarks/run_all.py counts the memory of a command's own child processes.

`bank` reads a large statement in a second process and `herinneringen` makes letters in
workers; the kernel's `ru_maxrss` is only the largest single process, so the benchmark also
samples the whole process tree. Checked on a real command that holds memory in itself and in
a child at the same time: the peak must be about their sum, more than either alone.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from benchmarks import run_all

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").exists(), reason="the tree is sampled from /proc (Linux)"
)

PARENT_MB, CHILD_MB = 120, 240

COMMAND = textwrap.dedent(
    f"""
    import subprocess, sys, threading

    def touch(buffer):
        for i in range(0, len(buffer), 4096):
            buffer[i] = 1

    # The child is started from a second thread, as the bank reader process is.
    child = threading.Thread(target=subprocess.run, args=([sys.executable, "-c",
        "import time\\nx = bytearray({CHILD_MB} << 20)\\n"
        "for i in range(0, len(x), 4096): x[i] = 1\\n"
        "print('ready', flush=True)\\ntime.sleep(0.6)"],))
    held = bytearray({PARENT_MB} << 20)
    touch(held)
    child.start()
    child.join()
    """
)


def test_peak_counts_the_child_process(tmp_path: Path) -> None:
    script = tmp_path / "command.py"
    script.write_text(COMMAND)
    # cwd: benchmarks/out/ exists only once run_all has made its inputs (not in CI).
    _, peak_kb, code = run_all.measure([sys.executable, str(script)], cwd=tmp_path)
    assert code == 0
    peak_mb = peak_kb / 1024
    # Each alone is at most CHILD_MB plus an interpreter (under 40 MB); together more.
    assert peak_mb > CHILD_MB + PARENT_MB * 0.8, peak_mb
    assert peak_mb < (CHILD_MB + PARENT_MB) * 1.5, peak_mb


def test_sample_of_an_ended_process_is_zero() -> None:
    tree = run_all.TreeMemory(2**22 + 12345)  # no such process
    assert tree.sample() == 0
