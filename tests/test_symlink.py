"""A workbook reached through a symbolic link: the real file is updated (its backup and lock
beside it), and the link stays a link. Before, the write replaced the link by a regular file
and the real workbook kept its old contents."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from addin import schema
from addin.adapters.workbook.reader import read_book
from addin.adapters.workbook.xlsx_patch import BACKUP_DIR, Patch, apply_patch
from addin.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "workbook" / "Voorbeeld.xlsx"
DAY = "2026-11-24"


def _linked(tmp_path: Path) -> tuple[Path, Path]:
    real = tmp_path / "echt" / "Voorbeeld.xlsx"
    real.parent.mkdir()
    shutil.copy(EXAMPLE, real)
    link = tmp_path / "elders" / "Werkmap.xlsx"
    link.parent.mkdir()
    link.symlink_to(real)
    return real, link


def test_herinneringen_updates_the_real_workbook_through_its_link(tmp_path, capsys):
    real, link = _linked(tmp_path)
    before = real.read_bytes()
    contacts = len(read_book(real)[0].contacts)

    code = main(["herinneringen", str(link), "--datum", DAY, "--json"])

    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["gelogd"] == 10
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert len(read_book(real)[0].contacts) == contacts + 10
    (backup,) = (real.parent / BACKUP_DIR).iterdir()
    assert backup.read_bytes() == before
    assert sorted(p.name for p in link.parent.iterdir()) == ["Werkmap.xlsx"]
    assert not list(tmp_path.rglob(".debiteuren-*.tmp"))
    assert not list(tmp_path.rglob(".debiteuren.lock"))


def test_apply_patch_follows_a_chain_of_links(tmp_path):
    real, link = _linked(tmp_path)
    second = tmp_path / "Nog een link.xlsx"
    second.symlink_to(link)
    row = {"Datum": date(2026, 11, 24), "Klantnummer": "K001", "Kanaal": "Telefoon"}
    result = apply_patch(second, Patch(append=((schema.CONTACTEN.name, (row,)),)))
    assert result.backup is not None and result.backup.parent == real.parent / BACKUP_DIR
    assert second.is_symlink() and link.is_symlink()
    assert read_book(second)[0].contacts == read_book(real)[0].contacts
    assert read_book(real)[0].contacts[-1].customer == "K001"
