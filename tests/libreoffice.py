"""LibreOffice headless as a test tool: convert (re-save) a workbook the way a user's copy of
LibreOffice would. Tests that need it skip with the reason when it is not installed
(`.ci/run` installs it from Debian)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

XLSX = "xlsx:Calc MS Excel 2007 XML"


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice (soffice) is niet geïnstalleerd; .ci/run installeert het")
    return found


def convert(source: Path, folder: Path, target: str = XLSX) -> Path:
    """`source` re-saved by LibreOffice as `target` into `folder`/lo; its own profile in
    `folder`/profiel, so parallel runs never share one."""
    out = folder / "lo"
    subprocess.run(
        [
            soffice(),
            f"-env:UserInstallation=file://{folder / 'profiel'}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    (result,) = out.iterdir()
    return result
