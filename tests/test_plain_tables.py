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
| klant | naam        | soort       | e-mail         | adres      | postcode | plaats  |
| K1    | Jansen BV   | Zakelijk    | info@jansen.nl | Dorpsweg 1 | 1234 AB  | Utrecht |
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
