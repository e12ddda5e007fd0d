"""A user's own workbook whose data are plain ranges, not Excel tables (ListObjects).

The reader reads such ranges by their headers; the write-back can only extend a table.
So `controleer` names each plain range a command writes into, and the writing commands
refuse before they make anything. Every workbook here is a real file: written by
write_book, its tables then deleted with openpyxl (what a user's own workbook looks like).
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from addin.adapters.workbook.book_writer import write_book
from addin.cli import main
from tests.core.booktext import book

BOOK = """
[klanten]
| klant | naam      | soort    | segment | e-mail         | adres      | postcode | plaats  |
| K1    | Jansen BV | Zakelijk | C       | info@jansen.nl | Dorpsweg 1 | 1234 AB  | Utrecht |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag  | omschrijving |
| F1      | K1    | 2026-09-01   | 2026-10-01  | 1210.00 | onderhoud    |
"""
SENDER = {
    "company_name": "Test BV",
    "address": "Kerkstraat 1",
    "postcode": "1234 AB",
    "city": "Utrecht",
    "email": "info@test.nl",
    "iban": "NL91ABNA0417164300",
}
AS_OF = "2026-11-24"


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _with_tables(tmp_path: Path) -> Path:
    path = tmp_path / "Eigen.xlsx"
    write_book(book(BOOK, **SENDER), path)
    return path


def _plain(tmp_path: Path, keep: tuple[str, ...] = (), title: str | None = None) -> Path:
    """The workbook with every table deleted but those named in `keep`; `title`: a title
    and an empty row above Contacten's headers (its header row is then row 3)."""
    path = _with_tables(tmp_path)
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for name in list(ws.tables):
            if name not in keep:
                del ws.tables[name]
    if title is not None:
        ws = wb["Contacten"]
        ws.insert_rows(1, 2)
        ws["A1"] = title
    wb.save(path)
    return path


def test_controleer_names_each_plain_range_a_command_writes_into(capsys, tmp_path):
    path = _plain(tmp_path, keep=("tblBetalingen",), title="Contactlog 2026")
    code, out, _ = run(capsys, "controleer", path, "--datum", AS_OF, "--json")
    assert code == 1
    got = [(p["blad"], p["rij"]) for p in json.loads(out)["problemen"]]
    # Stappen is only read; Betalingen kept its table; Contacten's header is in row 3.
    exp = [
        ("Facturen", 1),
        ("Klanten", 1),
        ("Contactpersonen", 1),
        ("Afspraken", 1),
        ("Contacten", 3),
        ("Instellingen", 1),
    ]
    assert got == exp
    contacten = json.loads(out)["problemen"][4]["melding"]
    assert contacten == (
        "De gegevens op blad Contacten (kopregel in rij 3) zijn geen Excel-tabel: "
        "herinneringen, overdracht en verstuur schrijven hier en weigeren dan. Maak er in "
        "Excel een tabel van met de naam 'tblContacten' (klik in de gegevens, Invoegen > "
        "Tabel, dan Tabelontwerp > Tabelnaam)."
    )


def test_controleer_text_names_file_sheet_and_row(capsys, tmp_path):
    path = _plain(tmp_path)
    code, out, _ = run(capsys, "controleer", path, "--datum", AS_OF)
    assert code == 1
    assert out.startswith(f"7 problemen gevonden in {path}:\n"), out
    assert f"  {path}:Betalingen:1: De gegevens op blad Betalingen" in out


def test_controleer_on_the_same_workbook_with_its_tables_finds_nothing(capsys, tmp_path):
    code, out, _ = run(capsys, "controleer", _with_tables(tmp_path), "--datum", AS_OF, "--json")
    assert (code, json.loads(out)) == (0, {"problemen": []})


@pytest.mark.parametrize("command", ["werklijst"])
def test_the_plan_reports_them_too(capsys, tmp_path, command):
    """The checks are the plan's problems: werklijst exits 1 and counts them."""
    path = _plain(tmp_path)
    code, out, _ = run(capsys, command, path, "--datum", AS_OF, "--json")
    assert code == 1
    assert len(json.loads(out)["problemen"]) == 7


# --- the writing commands refuse before they make anything ---------------------------

UBL = Path(__file__).parent / "fixtures" / "ubl" / "cen__ubl-tc434-example1.xml"


def _argv(command: str, path: Path, tmp_path: Path) -> list[object]:
    """The command line of `command` on the workbook `path`, its output under tmp_path/uit."""
    from tests.test_cli_bank import STATEMENT

    statement = tmp_path / "november.xml"
    statement.write_text(STATEMENT, encoding="utf-8")
    out = tmp_path / "uit"
    return {
        "herinneringen": ["herinneringen", path, "--datum", AS_OF, "--uit", out],
        "overdracht": ["overdracht", path, "K1", "--datum", AS_OF, "--uit", out],
        "bank": ["bank", path, statement, "--datum", AS_OF],
        "importeer": ["importeer", path, UBL],
        "verstuur": ["verstuur", path, "--datum", AS_OF],
    }[command]


def _files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(
    ("command", "keep", "table", "sheet"),
    [
        ("herinneringen", (), "tblContacten", "Contacten"),
        # Every table but Afspraken: refused on it, before a letter is made.
        ("herinneringen", ("*", "tblAfspraken"), "tblAfspraken", "Afspraken"),
        ("overdracht", (), "tblContacten", "Contacten"),
        ("bank", (), "tblBetalingen", "Betalingen"),
        ("bank", ("*", "tblKlanten"), "tblKlanten", "Klanten"),
        ("importeer", (), "tblFacturen", "Facturen"),
        ("importeer", ("*", "tblContactpersonen"), "tblContactpersonen", "Contactpersonen"),
        ("verstuur", (), "tblContacten", "Contacten"),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, tuple) else v,
)
def test_a_writing_command_refuses_up_front_on_a_plain_range(
    capsys, tmp_path, command, keep, table, sheet
):
    """Exit 2 with the write-back's message naming file, sheet and table, and nothing made:
    the workbook byte-identical, no letter, dossier, PDF or backup (before: the letters
    were made, then the write-back refused and they were deleted again)."""
    if keep and keep[0] == "*":  # every table but keep[1]
        names = {"tblFacturen", "tblKlanten", "tblContactpersonen", "tblAfspraken",
                 "tblContacten", "tblBetalingen", "tblStappen", "tblInstellingen"}  # fmt: skip
        keep = tuple(names - {keep[1]})
    path = _plain(tmp_path, keep=keep)
    argv = _argv(command, path, tmp_path)
    before = _files(tmp_path)
    code, out, _ = run(capsys, *argv, "--json")
    assert code == 2, out
    message = json.loads(out)["fout"]
    assert message == (
        f"De werkmap '{path.resolve()}' heeft geen tabel '{table}' (gevonden: "
        f"{', '.join(sorted(keep)) or 'geen'}). De gegevens op blad '{sheet}' zijn een gewoon "
        f"bereik, geen Excel-tabel. Maak er in Excel een tabel van met de naam '{table}' "
        "(klik in de gegevens, Invoegen > Tabel, dan Tabelontwerp > Tabelnaam). Er is niets "
        "veranderd."
    )
    assert _files(tmp_path) == before


def test_the_same_commands_run_on_the_workbook_with_its_tables(capsys, tmp_path):
    """The refusal is about the plain ranges only: with its tables the workbook takes the
    letters (tblContacten grows)."""
    path = _with_tables(tmp_path)
    code, out, _ = run(capsys, *_argv("herinneringen", path, tmp_path), "--json")
    assert code == 0, out
    assert json.loads(out)["gelogd"] == 1

