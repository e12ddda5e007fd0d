"""Folders typed in Instellingen (adapters/documents/paths.py): a Windows folder (drive letter,
share) is refused on macOS and Linux, naming the cell and the value; a relative folder with
backslashes keeps working there (tests/adapters/test_safe_names.py). Real workbooks, the
real command line."""

from __future__ import annotations

import json
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

import openpyxl
import pytest

from addin.adapters.documents.paths import network_address, windows_only
from addin.adapters.workbook.book_writer import write_book
from addin.cli import main
from tests.adapters.test_handover import SENDER
from tests.core.booktext import book

# exp: refused on macOS / Linux (PurePosixPath); on Windows (PureWindowsPath) every one is
# a folder there.
FOLDERS = [
    ("D:\\Brieven", True),
    ("d:/brieven", True),
    ("D:Brieven", True),  # drive-relative: still drive D
    ("\\\\server\\share\\brieven", True),
    ("//server/share", True),
    ("facturen\\2026", False),
    ("uitvoer", False),
    ("/Users/jan/Brieven", False),
    ("~/Brieven", False),
    (" brieven ", False),
]


@pytest.mark.parametrize(("text", "exp"), FOLDERS, ids=[t for t, _ in FOLDERS])
def test_windows_only(text, exp):
    got = (windows_only(text, PurePosixPath), windows_only(text, PureWindowsPath))
    assert got == (exp, False)


def test_this_computer_is_posix_here():
    # The command-line tests below run on this system's flavour (no Windows CI here).
    assert type(PurePath()) is PurePosixPath


TEXT = """
[klanten]
| klant | naam    | soort    | adres      | postcode | plaats  | e-mail       | segment |
| K1    | Bouw BV | Zakelijk | Dorpsweg 1 | 1234 AB  | Utrecht | info@bouw.nl | C       |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag  |
| F1      | K1    | 2025-03-01   | 2025-03-31  | 1000.00 |
"""


def _tree(root: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(root)): (None if p.is_dir() else p.read_bytes())
        for p in sorted(root.rglob("*"))
    }


def _row(path: Path, label: str) -> int:
    ws = openpyxl.load_workbook(path)["Instellingen"]
    (row,) = [c.row for c in ws["A"] if c.value == label]
    return row


def _assert_folder_refused(
    capsys, tmp_path: Path, field: str, label: str, value: str, command: list[str], said: str
) -> None:
    """`command` on a workbook whose Instellingen `label` (`field`) is `value`: exit 2, the
    message names workbook, cell and value and then `said`, and nothing in the folder
    changed."""
    settings = {"company_name": "Test BV", "collection_agency": "Incasso BV", field: value}
    path = tmp_path / "Debiteuren.xlsx"
    write_book(book(TEXT, **settings, **SENDER), path)
    before = _tree(tmp_path)
    name, *rest = command
    code = main([name, str(path), *rest, "--json"])
    message = json.loads(capsys.readouterr().out)["fout"]
    where = (
        f"In '{path}', blad Instellingen, rij {_row(path, label)}, kolom Waarde: {label} '{value}'"
    )
    assert code == 2 and message.startswith(f"{where} {said}"), message
    assert "Er is niets gemaakt of geschreven." in message
    assert _tree(tmp_path) == before


@pytest.mark.parametrize(
    ("field", "label", "value", "command"),
    [
        ("output_dir", "Uitvoermap", "D:\\Brieven", ["herinneringen", "--datum", "2025-06-30"]),
        ("invoice_dir", "Factuurmap", "D:\\Facturen", ["herinneringen", "--datum", "2025-06-30"]),
        ("output_dir", "Uitvoermap", "D:\\Dossiers", ["overdracht", "K1"]),
        ("invoice_dir", "Factuurmap", "D:\\Facturen", ["overdracht", "K1", "--uit", "dossier"]),
        # A share only where the command reads: without the refusal a dossier or letter
        # would be written from the root of this disk ('/server/share').
        ("output_dir", "Uitvoermap", "\\\\server\\share", ["verstuur", "--datum", "2025-06-30"]),
    ],
    ids=["herinneringen-uitvoermap", "herinneringen-factuurmap", "overdracht-uitvoermap",
         "overdracht-factuurmap", "verstuur-unc"],
)  # fmt: skip
def test_a_windows_folder_is_refused_on_a_mac_or_linux(
    capsys, tmp_path, monkeypatch, field, label, value, command
):
    """It became a folder 'D:' beside the workbook (or '//server/share' from the root of
    the disk) without a word. Now the command refuses, naming cell and value, and leaves
    the folder and the workbook as they were."""
    monkeypatch.chdir(tmp_path)  # --uit "dossier" lands here, and is checked too
    _assert_folder_refused(capsys, tmp_path, field, label, value, command, "is een map op Windows")


def test_an_import_into_a_windows_factuurmap_is_refused(capsys, tmp_path):
    """The import saves e-invoices' PDFs into the Factuurmap: a share there would have been
    '/server/share/...' from the root of the disk. A list alone is refused as well: the
    setting is wrong either way, and says so before anything is read."""
    path = tmp_path / "Debiteuren.xlsx"
    write_book(book(TEXT, company_name="Test BV", invoice_dir="\\\\server\\facturen"), path)
    listed = tmp_path / "lijst.csv"
    listed.write_text("Factuur;Klant;Datum;Bedrag\nF2;K1;1-4-2025;10,00\n")
    before = _tree(tmp_path)
    code = main(["importeer", str(path), str(listed), "--json"])
    message = json.loads(capsys.readouterr().out)["fout"]
    assert code == 2 and "Factuurmap '\\\\server\\facturen' is een map op Windows" in message
    assert _tree(tmp_path) == before


@pytest.mark.parametrize(
    "command",
    [
        ["herinneringen", "BOEK", "--datum", "2025-06-30", "--uit", "D:\\Brieven"],
        ["overdracht", "BOEK", "K1", "--datum", "2025-06-30", "--uit", "\\\\server\\share"],
        ["overzicht", "BOEK", "--datum", "2025-06-30", "--png", "D:\\Grafieken"],
        ["nieuw", "C:\\Users\\jan\\Debiteuren.xlsm"],
        ["bouw", "--uit", "D:\\Debiteuren.xlsm"],
    ],
    ids=["herinneringen", "overdracht", "overzicht", "nieuw", "bouw"],
)
def test_a_windows_path_on_the_command_line_is_refused_on_a_mac_or_linux(
    capsys, tmp_path, monkeypatch, command
):
    """--uit 'D:\\Brieven' (pasted from a Windows colleague's mail) made a folder or file
    named 'D:\\Brieven' in the current folder, as the same text in Uitvoermap did. Now the
    command refuses it as it refuses Uitvoermap, naming the option, and makes nothing."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "Debiteuren.xlsx"
    write_book(book(TEXT, company_name="Test BV", collection_agency="Incasso BV", **SENDER), path)
    before = _tree(tmp_path)
    argv = [str(path) if word == "BOEK" else word for word in command]
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--json"])
    message = json.loads(capsys.readouterr().out)["fout"]
    assert exc.value.code == 2 and f"'{argv[-1]}' is een pad op Windows" in message, message
    assert f"argument {'PAD' if argv[0] == 'nieuw' else argv[-2]}:" in message
    assert _tree(tmp_path) == before


def test_herinneringen_with_uit_works_beside_a_windows_uitvoermap(capsys, tmp_path, monkeypatch):
    """A workbook shared with a Windows colleague keeps Uitvoermap 'D:\\Brieven'; on the Mac
    --uit is the way round it (the refusals say 'of gebruik --uit'), as for overdracht. It
    was refused all the same (the cleanup of Uitvoermap's day folders read the setting)."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "Debiteuren.xlsx"
    settings = {"company_name": "Test BV", "output_dir": "D:\\Brieven"}
    write_book(book(TEXT, **settings, **SENDER), path)
    code = main(["herinneringen", str(path), "--datum", "2025-06-30", "--uit", "brieven", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["gelogd"] == 1, out
    assert sorted(p.name for p in (tmp_path / "brieven").iterdir()) == [
        "2025-06-30 Herinnering K1.eml",
        "2025-06-30 Herinnering K1.pdf",
    ]
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == [
        "Debiteuren.xlsx",
        "brieven",
    ]


# --- a network address typed as a folder ------------------------------------------------------

# exp: an address (smb://, afp://, ...) that no system opens as a folder; a drive "D://"
# and plain folders are not.
ADDRESSES = [
    ("smb://server/share/brieven", True),
    (" SMB://nas.local/facturen ", True),
    ("afp://nas/brieven", True),
    ("D://Brieven", False),
    ("brieven", False),
    ("/Volumes/share/brieven", False),
]


@pytest.mark.parametrize(("text", "exp"), ADDRESSES, ids=[t for t, _ in ADDRESSES])
def test_network_address(text, exp):
    assert network_address(text) == exp


@pytest.mark.parametrize(
    ("field", "label", "command"),
    [
        ("output_dir", "Uitvoermap", ["herinneringen", "--datum", "2025-06-30"]),
        ("invoice_dir", "Factuurmap", ["herinneringen", "--datum", "2025-06-30"]),
        ("output_dir", "Uitvoermap", ["overdracht", "K1"]),
    ],
    ids=["herinneringen-uitvoermap", "herinneringen-factuurmap", "overdracht-uitvoermap"],
)
def test_a_network_address_as_folder_is_refused(
    capsys, tmp_path, monkeypatch, field, label, command
):
    """'smb://server/share/brieven' became a folder 'smb:' beside the workbook without a
    word. Now it is refused as a Windows share is, naming the cell and the value."""
    monkeypatch.chdir(tmp_path)
    value = "smb://server/share/brieven"
    _assert_folder_refused(
        capsys, tmp_path, field, label, value, command, "is een netwerkadres, geen map"
    )


def test_an_import_into_a_network_address_factuurmap_is_refused(capsys, tmp_path):
    path = tmp_path / "Debiteuren.xlsx"
    write_book(book(TEXT, company_name="Test BV", invoice_dir="smb://nas/facturen"), path)
    listed = tmp_path / "lijst.csv"
    listed.write_text("Factuur;Klant;Datum;Bedrag\nF2;K1;1-4-2025;10,00\n")
    before = _tree(tmp_path)
    code = main(["importeer", str(path), str(listed), "--json"])
    message = json.loads(capsys.readouterr().out)["fout"]
    assert code == 2 and "Factuurmap 'smb://nas/facturen' is een netwerkadres" in message
    assert _tree(tmp_path) == before


@pytest.mark.parametrize(
    "command",
    [
        ["herinneringen", "BOEK", "--datum", "2025-06-30", "--uit", "smb://server/brieven"],
        ["overdracht", "BOEK", "K1", "--datum", "2025-06-30", "--uit", "smb://server/share"],
    ],
    ids=["herinneringen", "overdracht"],
)
def test_a_network_address_on_the_command_line_is_refused(capsys, tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "Debiteuren.xlsx"
    write_book(book(TEXT, company_name="Test BV", collection_agency="Incasso BV", **SENDER), path)
    before = _tree(tmp_path)
    argv = [str(path) if word == "BOEK" else word for word in command]
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--json"])
    message = json.loads(capsys.readouterr().out)["fout"]
    assert exc.value.code == 2 and f"'{argv[-1]}' is een netwerkadres" in message, message
    assert f"argument {argv[-2]}:" in message
    assert _tree(tmp_path) == before
