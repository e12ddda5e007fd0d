"""A user's own workbook whose data are plain ranges, not Excel tables (ListObjects).

The reader reads such ranges by their headers; the write-back can only extend a table.
So `controleer` names each plain range a command writes into, and the writing commands
refuse before they make anything. Every workbook here is a real file: written by
write_book, its tables then deleted with openpyxl (what a user's own workbook looks like).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.table import Table
from python_calamine import CalamineWorkbook

from addin.adapters.workbook.book_writer import write_book
from addin.adapters.workbook.xlsx_patch import Patch, PatchError, apply_patch
from addin.cli import main
from tests.core.booktext import book
from tests.libreoffice import convert
from tests.ooxml import assert_valid

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
        "herinneringen, overdracht en verstuur schrijven hier en weigeren dan. Maak er een "
        "Excel-tabel van met 'debiteuren bijwerken' (dat doet het voor elk blad waar het "
        "nodig is), of in Excel: klik in de gegevens, Invoegen > Tabel, en noem de tabel "
        "'tblContacten' (Tabelontwerp > Tabelnaam)."
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
        f"bereik, geen Excel-tabel. Maak er een Excel-tabel van met 'debiteuren bijwerken' "
        "(dat doet het voor elk blad waar het nodig is), of in Excel: klik in de gegevens, "
        f"Invoegen > Tabel, en noem de tabel '{table}' (Tabelontwerp > Tabelnaam). Er is "
        "niets veranderd."
    )
    assert _files(tmp_path) == before


def test_the_same_commands_run_on_the_workbook_with_its_tables(capsys, tmp_path):
    """The refusal is about the plain ranges only: with its tables the workbook takes the
    letters (tblContacten grows)."""
    path = _with_tables(tmp_path)
    code, out, _ = run(capsys, *_argv("herinneringen", path, tmp_path), "--json")
    assert code == 0, out
    assert json.loads(out)["gelogd"] == 1


# --- bijwerken makes the tables -------------------------------------------------------

TABLE_NAMES = ("tblFacturen", "tblKlanten", "tblContactpersonen", "tblAfspraken",
               "tblContacten", "tblBetalingen", "tblInstellingen")  # fmt: skip


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _own(tmp_path: Path) -> Path:
    """A workbook of the user's own: no tables, a title above Contacten's headers and a sheet
    filter exactly on the ranges of Facturen and of Betalingen (Excel's Gegevens > Filter;
    on Betalingen, without data rows, the header row alone)."""
    path = _plain(tmp_path, title="Contactlog 2026")
    wb = openpyxl.load_workbook(path)
    for sheet, last in (("Facturen", 2), ("Betalingen", 1)):
        ws = wb[sheet]
        ws.auto_filter.ref = f"A1:{ws.cell(1, ws.max_column).column_letter}{last}"
    wb.save(path)
    return path


def test_bijwerken_makes_each_plain_range_an_excel_table(capsys, tmp_path):
    path = _own(tmp_path)
    before = _members(path)
    code, out, _ = run(capsys, "bijwerken", path, "--datum", AS_OF, "--json")
    assert code == 0, out
    made = json.loads(out)["tabellen_gemaakt"]
    assert [t["tabel"] for t in made] == list(TABLE_NAMES)
    contacten = next(t for t in made if t["tabel"] == "tblContacten")
    assert (contacten["blad"], contacten["bereik"][:3]) == ("Contacten", "A3:")
    assert_valid(path)
    after = _members(path)
    assert after["xl/theme/theme1.xml"] == before["xl/theme/theme1.xml"]
    new_tables = sorted(n for n in after if n.startswith("xl/tables/"))
    assert len(new_tables) == len(TABLE_NAMES)
    # Read back by both readers: every table by name, its columns the header cells' text.
    book = CalamineWorkbook.from_path(str(path), load_tables=True)
    assert sorted(book.table_names) == sorted(TABLE_NAMES)
    table = book.get_table_by_name("tblContacten")
    assert table.columns[:4] == ["Datum", "Klantnummer", "Facturen", "Kanaal"]
    wb = openpyxl.load_workbook(path)
    for name in TABLE_NAMES:
        sheet = next(ws for ws in wb.worksheets if name in ws.tables)
        ref = sheet.tables[name].ref
        top = int("".join(ch for ch in ref.split(":")[0] if ch.isdigit()))
        headers = [c.value for c in sheet[top]][: len(sheet.tables[name].tableColumns)]
        assert [c.name for c in sheet.tables[name].tableColumns] == headers, name
    # The sheet filters moved into the tables.
    assert (wb["Facturen"].auto_filter.ref, wb["Betalingen"].auto_filter.ref) == (None, None)
    code, out, _ = run(capsys, "controleer", path, "--datum", AS_OF, "--json")
    assert (code, json.loads(out)) == (0, {"problemen": []})


def test_bijwerken_a_second_time_changes_nothing(capsys, tmp_path):
    path = _own(tmp_path)
    assert run(capsys, "bijwerken", path, "--datum", AS_OF)[0] == 0
    once = path.read_bytes()
    backups = sorted((tmp_path / ".debiteuren-backup").iterdir())
    code, out, _ = run(capsys, "bijwerken", path, "--datum", AS_OF)
    assert code == 0
    assert out.startswith(f"De werkmap {path} is al bij; er is niets veranderd."), out
    assert path.read_bytes() == once
    assert sorted((tmp_path / ".debiteuren-backup").iterdir()) == backups


def test_bijwerken_proef_says_what_it_would_make_and_writes_nothing(capsys, tmp_path):
    path = _own(tmp_path)
    before = _files(tmp_path)
    code, out, _ = run(capsys, "bijwerken", path, "--datum", AS_OF, "--proef")
    assert code == 0
    assert "Proef: zou bijwerken in" in out
    assert "  - Excel-tabel tblContacten van de gegevens op Contacten (A3:L" in out, out
    assert _files(tmp_path) == before


def test_after_bijwerken_herinneringen_and_bank_write_into_the_tables(capsys, tmp_path):
    from tests.test_cli_bank import STATEMENT

    path = _own(tmp_path)
    assert run(capsys, "bijwerken", path, "--datum", AS_OF)[0] == 0
    code, out, _ = run(capsys, *_argv("herinneringen", path, tmp_path), "--json")
    assert code == 0, out
    assert json.loads(out)["gelogd"] == 1
    statement = tmp_path / "november.xml"
    statement.write_text(STATEMENT, encoding="utf-8")
    code, out, _ = run(capsys, "bank", path, statement, "--datum", AS_OF, "--json")
    assert code in (0, 1), out
    assert json.loads(out)["nieuw"] == 4
    assert_valid(path)
    book = CalamineWorkbook.from_path(str(path), load_tables=True)
    assert len(book.get_table_by_name("tblContacten").to_python()) == 1
    # The first new row took the empty one the table had (no payments yet).
    assert len(book.get_table_by_name("tblBetalingen").to_python()) == 4


def test_libreoffice_opens_the_converted_workbook_with_its_tables(capsys, tmp_path):
    path = _own(tmp_path)
    assert run(capsys, "bijwerken", path, "--datum", AS_OF)[0] == 0
    saved = convert(path, tmp_path)
    assert_valid(saved, rules=False)
    wb = openpyxl.load_workbook(saved)
    found = {name for ws in wb.worksheets for name in ws.tables}
    assert found >= set(TABLE_NAMES)


def test_a_table_of_the_users_own_beside_the_range_stays_as_it_is(capsys, tmp_path):
    """Its headers in the same row, after an empty column: not part of the new table (it was
    refused as an empty header in column M)."""
    path = _own(tmp_path)
    wb = openpyxl.load_workbook(path)
    _set(wb["Contacten"], ("N3", "Notitie"), ("O3", "Wie"), ("N4", "bellen"), ("O4", "Anna"))
    wb["Contacten"].add_table(Table(displayName="tblEigen", ref="N3:O4"))
    wb.save(path)
    code, out, _ = run(capsys, "bijwerken", path, "--datum", AS_OF, "--json")
    assert code == 0, out
    made = {t["tabel"]: t["bereik"] for t in json.loads(out)["tabellen_gemaakt"]}
    assert made["tblContacten"] == "A3:L4"
    assert_valid(path)
    tables = openpyxl.load_workbook(path)["Contacten"].tables
    assert dict(tables.items()) == {"tblEigen": "N3:O4", "tblContacten": "A3:L4"}


def _set(ws, *cells: tuple[str, object]) -> None:
    for ref, value in cells:
        ws[ref].value = value


def _refused(capsys, path: Path) -> str:
    before = _files(path.parent)
    code, out, _ = run(capsys, "bijwerken", path, "--datum", AS_OF, "--json")
    assert code == 2, out
    assert _files(path.parent) == before
    return json.loads(out)["fout"]


@pytest.mark.parametrize(
    ("spoil", "exp"),
    [
        (lambda wb: wb["Contacten"].merge_cells("B4:C4"),
         "in het bereik A3:L{last} staan samengevoegde cellen (B4:C4)"),
        (lambda wb: _set(wb["Contacten"], ("L3", None), ("M3", "Extra")),
         "cel L3 in de kopregel is leeg"),
        (lambda wb: wb["Contacten"].cell(3, 12, "datum"),
         "de kop 'datum' staat twee keer in de kopregel (A3 en L3)"),
        (lambda wb: wb["Contacten"].cell(3, 12, 2026),
         "de kop in cel L3 is geen tekst"),
        (lambda wb: setattr(wb["Contacten"].auto_filter, "ref", "A3:B4"),
         "heeft een filter op A3:B4, niet op de gegevens (A3:L{last})"),
        (lambda wb: wb.defined_names.add(DefinedName("tblContacten", attr_text="Contacten!$A$1")),
         "de naam 'tblContacten' is al in gebruik als gedefinieerde naam"),
        (lambda wb: _set(wb["Contacten"], ("K4", ArrayFormula("K4:K5", "=ROW(A4:A5)"))),
         "in het bereik A3:L{last} staat een matrixformule over meerdere cellen (K4:K5)"),
    ],
    ids=["merged", "empty-header", "repeated-header", "number-header", "filter-elsewhere",
         "defined-name", "array-formula"],
)  # fmt: skip
def test_bijwerken_refuses_what_excel_would_repair_and_changes_nothing(
    capsys, tmp_path, spoil, exp
):
    path = _own(tmp_path)
    wb = openpyxl.load_workbook(path)
    last = max(wb["Contacten"].max_row, 4)  # no contacts: the header and one empty row
    spoil(wb)
    wb.save(path)
    message = _refused(capsys, path)
    assert f"Blad 'Contacten' in '{path.resolve()}'" in message, message
    assert exp.format(last=last) in message, message


def test_a_range_over_another_table_is_refused(tmp_path):
    """The write-back on its own: a table of another name over the plain range's cells."""
    path = _plain(tmp_path, keep=("tblContacten",))
    wb = openpyxl.load_workbook(path)
    wb["Contacten"].tables["tblContacten"].name = "tblLog"
    wb["Contacten"].tables["tblContacten"].displayName = "tblLog"
    wb.save(path)
    before = path.read_bytes()
    with pytest.raises(PatchError, match=r"overlapt de tabel 'tblLog' \(A1:L"):
        apply_patch(path, Patch(make_tables=(("tblContacten", "Contacten", 1),)))
    assert path.read_bytes() == before


def test_make_tables_changes_only_what_a_table_needs(tmp_path):
    """The sheet, its new relationships part, the content types and the new table part;
    every other part byte-identical."""
    path = _plain(tmp_path)
    before = _members(path)
    result = apply_patch(path, Patch(make_tables=(("tblContacten", "Contacten", 1),)))
    after = _members(path)
    changed = {n for n in after if before.get(n) != after[n]}
    sheet = next(n for n in changed if n.startswith("xl/worksheets/sheet"))
    assert changed == {
        sheet,
        f"xl/worksheets/_rels/{sheet.rsplit('/', 1)[1]}.rels",
        "[Content_Types].xml",
        "xl/tables/table1.xml",
    }
    assert result.made_tables == (("tblContacten", "A1:L2"),)
    assert_valid(path)
