"""The ribbon's buttons that change the workbook take the same lock as the command line
(adapters/workbook/lock.py): busy means a message and nothing read or written; a stale lock
is cleared and said; Controleer gegevens only reads and does not wait."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import date

from addin import ribbon
from addin.adapters.workbook.lock import LOCK_NAME
from tests.adapters.live_openpyxl import OpenpyxlWorkbook
from tests.test_ribbon import workbook  # noqa: F401  (the fixture)

DAY = date(2026, 11, 24)


def _lock(path, pid: int, computer: str) -> None:
    (path.parent / LOCK_NAME).write_text(
        json.dumps(
            {
                "opdracht": "herinneringen",
                "computer": computer,
                "pid": pid,
                "gestart": "2026-11-24T09:12:05+01:00",
            }
        ),
        encoding="utf-8",
    )


def test_a_busy_workbook_is_refused_by_every_writing_button(workbook):  # noqa: F811
    _lock(workbook, 4242, "ELDERS-PC")
    for button in (
        ribbon.maak_herinneringen,
        ribbon.vernieuw_werklijst,
        ribbon.importeer_bankafschrift,
    ):
        live = OpenpyxlWorkbook(workbook)
        outcome = button(live, DAY)
        assert not outcome.ok
        assert "is bezig: een andere run (herinneringen) is gestart op 24-11-2026" in (
            outcome.message
        )
        assert "op computer ELDERS-PC" in outcome.message
        assert live.writes == 0
        assert live.alerts[0][2] is True  # shown as an error
    assert not (workbook.parent / "uitvoer").exists()
    assert ribbon.controleer_gegevens(OpenpyxlWorkbook(workbook), DAY).message


def test_a_stale_lock_is_cleared_and_the_button_runs(workbook):  # noqa: F811
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    _lock(workbook, child.pid, socket.gethostname())
    outcome = ribbon.maak_herinneringen(OpenpyxlWorkbook(workbook), DAY)
    assert outcome.ok, outcome.message
    assert "10 brieven gemaakt" in outcome.message
    assert "Een oude vergrendeling ('.debiteuren.lock') is opgeruimd" in outcome.message
    assert not (workbook.parent / LOCK_NAME).exists()
