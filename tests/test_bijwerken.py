"""`debiteuren bijwerken`: a workbook made by an earlier version brought to this one (issue 10
item 8), on the real files of that version: the built workbook and the example .xlsx as they
were at commit bb4ae24 (tests/fixtures/older, our own files).

What must hold: our VBA modules and the ribbon as a build makes them now, the user's own
modules kept; every Instellingen row of this version, the old values untouched; the new
columns; the Overzicht's two charts; every row of the user's data read back equal; every
other part byte-identical; a second run and `--proef` change nothing; the result validates
(tests/ooxml.py) and olevba reads its VBA project."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from openpyxl.styles import PatternFill
from pyopenvba import ExcelFile, VBAModuleKind
from pyopenvba.cfb import CFB
from python_calamine import CalamineWorkbook

from addin import schema
from addin.adapters.workbook.reader import read_book
from addin.adapters.workbook.xlsx_patch import BACKUP_DIR, package_facts
from addin.cli import main
from addin.excel.upgrade import code_body
from addin.excel.vba import read_modules
from tests.ooxml import assert_valid

with warnings.catch_warnings():
    # oletools 0.60 uses pyparsing names that newer pyparsing deprecates (noise, not ours).
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser

ROOT = Path(__file__).resolve().parent.parent
OLDER = ROOT / "tests" / "fixtures" / "older"
OLD_XLSM = OLDER / "Debiteuren-bb4ae24.xlsm"
OLD_XLSX = OLDER / "Voorbeeld-bb4ae24.xlsx"
BUILT = ROOT / "workbook" / "Debiteuren.xlsm"
DAY = "2026-11-24"
OUR_MODULES = ("xlwings", "Dictionary", "xlwings_udfs", "UdfHelp", "Ribbon", "ThisWorkbook")
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CHART_TITLES = {"Openstaand per ouderdom", "Grootste debiteuren (openstaand)"}
# The parts bijwerken may change in the bb4ae24 workbook; every other stays byte-identical.
MAY_CHANGE = {
    "[Content_Types].xml",  # the new drawing and chart parts
    "customUI/customUI14.xml",  # the ribbon
    "xl/vbaProject.bin",  # the modules
    "xl/styles.xml",  # the Overzicht's cell formats, the Text format
    "xl/worksheets/sheet1.xml",  # Text on tblFacturen's identifier columns
    "xl/tables/table2.xml",  # tblKlanten: KvK, BTW-nummer
    "xl/worksheets/sheet2.xml",  # their header cells; Text on the identifier columns
    "xl/worksheets/sheet3.xml",  # Text on tblContactpersonen's, tblAfspraken's,
    "xl/worksheets/sheet4.xml",
    "xl/tables/table5.xml",  # tblContacten: Verzonden
    "xl/worksheets/sheet5.xml",  # its header cell; Text
    "xl/worksheets/sheet6.xml",  # Text on tblBetalingen's
    "xl/tables/table8.xml",  # tblInstellingen: the new rows
    "xl/worksheets/sheet8.xml",
    "xl/worksheets/sheet10.xml",  # the Overzicht
}


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def _cli(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "addin.cli", *(str(a) for a in args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        cwd=ROOT,
    )


def _table(path: Path, name: str) -> list[list[object]]:
    """The table's header, then its rows."""
    table = CalamineWorkbook.from_path(str(path), load_tables=True).get_table_by_name(name)
    return [list(table.columns), *table.to_python()]


def _copy(source: Path, folder: Path, name: str | None = None) -> Path:
    target = folder / (name or source.name)
    shutil.copy(source, target)
    return target


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory) -> tuple[Path, dict[str, object]]:
    """The bb4ae24 workbook after `bijwerken --json`, as a real process."""
    path = _copy(OLD_XLSM, tmp_path_factory.mktemp("bijwerken"), "Debiteuren.xlsm")
    done = _cli("bijwerken", path, "--datum", DAY, "--json")
    assert done.returncode == 0, done.stderr + done.stdout
    return path, json.loads(done.stdout)


def test_json_says_what_changed(upgraded):
    path, got = upgraded
    added = [name for _field, name in schema.SETTINGS[22:]]
    exp = {
        "bestand": str(path),
        "proef": False,
        "tabellen_gemaakt": [],  # its tables are Excel tables already
        "vba_modules_bijgewerkt": ["Ribbon"],  # the only module bb4ae24 has older
        "lint_bijgewerkt": True,
        "instellingen_toegevoegd": added,
        "kolommen_toegevoegd": [
            {"tabel": "tblKlanten", "kolom": "KvK"},
            {"tabel": "tblKlanten", "kolom": "BTW-nummer"},
            {"tabel": "tblContacten", "kolom": "Verzonden"},
        ],
        "tekstopmaak_ingesteld": [
            {"tabel": spec.name, "kolom": c.header}
            for spec in schema.TABLES
            for c in spec.columns
            if c.text
        ],
        # Excel's "number stored as text" off on those columns, per table's sheet
        "getal_als_tekst_genegeerd": [
            s.name for s in schema.TABLES if any(c.text for c in s.columns)
        ],
        "grafieken_toegevoegd": True,
        "meldingen": [],
        "backup": str(path.parent / BACKUP_DIR / "Debiteuren.1.xlsm"),
        "gewijzigd": True,
    }
    assert got == exp
    assert (path.parent / BACKUP_DIR / "Debiteuren.1.xlsm").read_bytes() == OLD_XLSM.read_bytes()


def test_vba_modules_are_those_of_a_fresh_build(upgraded):
    path, _ = upgraded
    got, exp = read_modules(path), read_modules(BUILT)
    assert set(got) == set(exp)
    for name in OUR_MODULES:
        assert got[name] == exp[name], name


def test_olevba_reads_the_upgraded_project(upgraded):
    path, _ = upgraded
    parser = VBA_Parser(str(path))
    try:
        assert parser.detect_vba_macros()
        got = {Path(name).stem: code for _f, _s, name, code in parser.extract_macros()}
    finally:
        parser.close()
    built = read_modules(BUILT)
    for name in OUR_MODULES:
        assert code_body(got[name]) == code_body(built[name]), name


def test_ribbon_is_the_current_one(upgraded):
    path, _ = upgraded
    assert (
        _parts(path)["customUI/customUI14.xml"]
        == (ROOT / "workbook" / "customUI14.xml").read_bytes()
    )


def test_instellingen_complete_and_old_rows_untouched(upgraded, tmp_path):
    path, _ = upgraded
    old, new = _table(OLD_XLSM, "tblInstellingen"), _table(path, "tblInstellingen")
    assert new[: len(old)] == old
    assert [row[0] for row in new[1:]] == [name for _field, name in schema.SETTINGS]
    # the added rows hold what a new workbook gets (`nieuw`, Instellingen as shipped)
    fresh = tmp_path / "nieuw.xlsm"
    assert main(["nieuw", str(fresh), "--json"]) == 0
    shipped = {row[0]: row[1] for row in _table(fresh, "tblInstellingen")[1:]}
    for name, value in new[len(old) :]:
        assert value == shipped[name], name


def test_new_columns_and_overzicht_its_charts(upgraded):
    path, _ = upgraded
    assert _table(path, "tblContacten")[0][-1] == "Verzonden"
    klanten, old = _table(path, "tblKlanten"), _table(OLD_XLSM, "tblKlanten")
    assert klanten[0] == [*old[0], "KvK", "BTW-nummer"]  # empty, at the right
    assert all(row[-2:] == ["", ""] for row in klanten[1:])
    book, _ = read_book(path)
    assert book.absent_columns == frozenset()
    facts = package_facts(path)
    assert set(facts.charts["Overzicht"]) == CHART_TITLES
    overzicht = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Overzicht").to_python()
    assert overzicht[0][0] == "Overzicht 24-11-2026"


def test_every_row_of_the_data_reads_back_equal(upgraded):
    path, _ = upgraded
    before, _ = read_book(OLD_XLSM)
    after, _ = read_book(path)
    for field in ("customers", "contact_persons", "invoices", "agreements", "contacts",
                  "payments", "steps"):  # fmt: skip
        assert getattr(after, field) == getattr(before, field), field
        assert getattr(before, field) or field == "contact_persons", field


def test_only_the_named_parts_change(upgraded):
    path, _ = upgraded
    old, new = _parts(OLD_XLSM), _parts(path)
    assert set(old) <= set(new)
    changed = {name for name in old if old[name] != new[name]}
    assert changed <= MAY_CHANGE, changed - MAY_CHANGE
    added = set(new) - set(old)
    assert added == {
        "xl/worksheets/_rels/sheet10.xml.rels", "xl/drawings/drawing1.xml",
        "xl/drawings/_rels/drawing1.xml.rels", "xl/charts/chart1.xml", "xl/charts/chart2.xml",
    }  # fmt: skip


def _sheet_part(path: Path, sheet: str) -> str:
    """The part of the sheet named `sheet` (through workbook.xml and its relationships)."""
    parts = _parts(path)
    book = ET.fromstring(parts["xl/workbook.xml"])
    rels = ET.fromstring(parts["xl/_rels/workbook.xml.rels"])
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    for node in book.iter(f"{{{MAIN}}}sheet"):
        if node.get("name") == sheet:
            return "xl/" + targets[node.get(f"{{{REL}}}id")].removeprefix("/xl/")
    raise KeyError(sheet)


def _col_styles(path: Path, sheet: str) -> dict[int, tuple[int, dict[str, str]]]:
    """Sheet column -> (numFmtId of its column style, the <col>'s other attributes)."""
    parts = _parts(path)
    xfs = ET.fromstring(parts["xl/styles.xml"]).find(f"{{{MAIN}}}cellXfs")
    formats = [int(xf.get("numFmtId", "0")) for xf in xfs]
    out = {}
    for col in ET.fromstring(parts[_sheet_part(path, sheet)]).iter(f"{{{MAIN}}}col"):
        attrs = {k: v for k, v in col.attrib.items() if k not in ("min", "max", "style")}
        for n in range(int(col.get("min")), int(col.get("max")) + 1):
            out[n] = (formats[int(col.get("style", "0"))], attrs)
    return out


def _valued_cells(path: Path, sheet: str) -> dict[str, bytes]:
    """Each cell that holds something, as its XML."""
    xml = _parts(path)[_sheet_part(path, sheet)]
    cells = re.finditer(rb'<c r="([A-Z]+\d+)"[^>]*?(?<!/)>.*?</c>', xml, re.S)
    return {m.group(1).decode(): m.group(0) for m in cells}


def test_identifier_columns_are_text_as_in_a_new_workbook(upgraded, tmp_path):
    # A workbook made now (`nieuw`) has the Text format (numFmtId 49) on every identifier
    # column; the upgraded one gets it as well, widths kept, the other columns as they were.
    path, _ = upgraded
    fresh = tmp_path / "nieuw.xlsm"
    assert main(["nieuw", str(fresh), "--json"]) == 0
    for spec in schema.TABLES:
        if spec.sheet == "Instellingen":
            continue
        new, old = _col_styles(path, spec.sheet), _col_styles(OLD_XLSM, spec.sheet)
        made = _col_styles(fresh, spec.sheet)
        at = {h: n for n, h in enumerate(_table(path, spec.name)[0], start=1)}
        made_at = {h: n for n, h in enumerate(_table(fresh, spec.name)[0], start=1)}
        for column in spec.columns:
            n = at[column.header]
            if column.text:
                assert new[n][0] == made[made_at[column.header]][0] == 49, column.header
                if n in old:
                    assert new[n][1] == old[n][1], (spec.name, column.header)
            else:
                assert new.get(n) == old.get(n), (spec.name, column.header)
        # the cells that hold a value keep their XML (a number stays a number)
        before, after = _valued_cells(OLD_XLSM, spec.sheet), _valued_cells(path, spec.sheet)
        assert {ref: after[ref] for ref in before} == before, spec.sheet


def test_result_validates(upgraded):
    path, _ = upgraded
    assert_valid(path)


def test_second_run_changes_nothing(upgraded, tmp_path):
    path = _copy(upgraded[0], tmp_path)
    before = path.read_bytes()
    done = _cli("bijwerken", path, "--datum", "2026-12-05", "--json")
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert path.read_bytes() == before
    assert not (tmp_path / BACKUP_DIR).exists()
    assert got["gewijzigd"] is False and got["backup"] is None
    assert got["vba_modules_bijgewerkt"] == got["instellingen_toegevoegd"] == []
    assert got["kolommen_toegevoegd"] == [] and not got["lint_bijgewerkt"]
    assert got["tekstopmaak_ingesteld"] == got["getal_als_tekst_genegeerd"] == []
    assert not got["grafieken_toegevoegd"]


def test_the_built_workbook_is_up_to_date(tmp_path, capsys):
    path = _copy(BUILT, tmp_path)
    before = path.read_bytes()
    assert main(["bijwerken", str(path)]) == 0
    assert "is al bij; er is niets veranderd" in capsys.readouterr().out
    assert path.read_bytes() == before


def test_proef_writes_nothing_and_says_what_would_change(tmp_path, capsys):
    path = _copy(OLD_XLSM, tmp_path)
    assert main(["bijwerken", str(path), "--datum", DAY, "--proef"]) == 0
    out = capsys.readouterr().out
    assert path.read_bytes() == OLD_XLSM.read_bytes()
    assert not (tmp_path / BACKUP_DIR).exists()
    assert "macro's (VBA-modules): Ribbon" in out
    # Tables by their sheet, the tab the user sees (it said tblContacten, tblKlanten, ...).
    assert "kolom Verzonden in Contacten" in out
    assert "kolom KvK in Klanten" in out and "kolom BTW-nummer in Klanten" in out
    assert "opmaak Tekst voor de kolommen van Betalingen: Factuur, Klantnummer, " in out
    assert "tbl" not in out
    assert "Proef: er is niets in de werkmap geschreven." in out


def test_a_sheet_added_is_told_as_would_be_added_in_a_proef(tmp_path, capsys):
    """A workbook of the user's own without an Overzicht: --proef said 'Het werkblad
    'Overzicht' is toegevoegd.' right after 'er is niets in de werkmap geschreven'."""
    path = tmp_path / "Eigen.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Klanten"
    wb["Klanten"].append(["Klantnummer", "Naam"])
    wb["Klanten"].append(["K1", "Jansen BV"])
    wb.create_sheet("Facturen").append(["Factuurnummer", "Klantnummer", "Factuurdatum", "Bedrag"])
    wb.save(path)
    before = path.read_bytes()
    assert main(["bijwerken", str(path), "--datum", DAY, "--proef"]) == 0
    got = capsys.readouterr()
    assert "Het werkblad 'Overzicht' wordt toegevoegd." in got.out, got
    assert "is toegevoegd" not in got.out + got.err
    assert path.read_bytes() == before
    assert main(["bijwerken", str(path), "--datum", DAY]) == 0
    assert "Het werkblad 'Overzicht' is toegevoegd." in capsys.readouterr().out
    assert "Overzicht" in openpyxl.load_workbook(path).sheetnames


def test_the_users_own_module_survives(tmp_path, capsys):
    path = _copy(OLD_XLSM, tmp_path)
    own = 'Attribute VB_Name = "Module1"\r\nPublic Sub Hallo()\r\n    MsgBox "eigen code"\r\nEnd Sub\r\n'
    with ExcelFile(path) as wb:
        wb.vba_project().add_module("Module1", own, kind=VBAModuleKind.standard)
        wb.set_module("Sheet1", "Private Sub Worksheet_Activate()\r\nEnd Sub\r\n")
        wb.save()
    before = read_modules(path)
    assert main(["bijwerken", str(path), "--datum", DAY, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["vba_modules_bijgewerkt"] == ["Ribbon"]
    after = read_modules(path)
    assert after["Module1"] == before["Module1"] and "eigen code" in after["Module1"]
    assert after["Sheet1"] == before["Sheet1"]
    assert after["Ribbon"] == read_modules(BUILT)["Ribbon"]


def test_missing_modules_are_added(tmp_path, capsys):
    path = _copy(OLD_XLSM, tmp_path)
    with ExcelFile(path) as wb:
        wb.vba_project().delete_module("UdfHelp")
        wb.save()
    assert "UdfHelp" not in read_modules(path)
    assert main(["bijwerken", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["vba_modules_bijgewerkt"] == ["UdfHelp", "Ribbon"]
    assert read_modules(path)["UdfHelp"] == read_modules(BUILT)["UdfHelp"]


def test_a_signed_project_is_left_alone(tmp_path, capsys):
    """A signature part beside vbaProject.bin, as Excel keeps it: the macros and the ribbon
    stay as they are (changing them would break the signature); the rest is done."""
    path = tmp_path / "Getekend.xlsm"
    signature = "http://schemas.microsoft.com/office/2006/relationships/vbaProjectSignature"
    with zipfile.ZipFile(OLD_XLSM) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr(
            "xl/_rels/vbaProject.bin.rels",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns='
            '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship '
            f'Id="rId1" Type="{signature}" Target="vbaProjectSignature.bin"/></Relationships>',
        )
        zout.writestr("xl/vbaProjectSignature.bin", b"\x30\x82\x00\x00")
    before = _parts(path)
    assert main(["bijwerken", str(path), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["vba_modules_bijgewerkt"] == [] and got["lint_bijgewerkt"] is False
    assert "digitaal ondertekend" in got["meldingen"][0]
    assert got["instellingen_toegevoegd"] and got["gewijzigd"]
    after = _parts(path)
    for part in ("xl/vbaProject.bin", "customUI/customUI14.xml", "xl/vbaProjectSignature.bin"):
        assert after[part] == before[part], part


def test_a_password_protected_project_is_left_alone(tmp_path, capsys):
    """The PROJECT stream's DPB as a password makes it (longer than the empty one's; that is
    how pyOpenVBA tells, and it refuses to save such a project): macros and ribbon stay."""
    with zipfile.ZipFile(OLD_XLSM) as z:
        cfb = CFB.from_bytes(z.read("xl/vbaProject.bin"))
    project = re.sub(rb'DPB="[0-9A-F]*"', b'DPB="' + b"0E0CD1ECDFF4E7F5" * 5 + b'"',
                     cfb.get_stream("PROJECT"))  # fmt: skip
    cfb.write_stream("PROJECT", project)
    path = tmp_path / "Beveiligd.xlsm"
    with zipfile.ZipFile(OLD_XLSM) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, cfb.to_bytes() if info.filename == "xl/vbaProject.bin" else data)
    before = _parts(path)
    assert main(["bijwerken", str(path), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["vba_modules_bijgewerkt"] == [] and got["lint_bijgewerkt"] is False
    assert "met een wachtwoord beveiligd" in got["meldingen"][0]
    assert got["kolommen_toegevoegd"] and got["gewijzigd"]
    after = _parts(path)
    for part in ("xl/vbaProject.bin", "customUI/customUI14.xml"):
        assert after[part] == before[part], part


def test_xlsx_gets_settings_but_no_macros(tmp_path, capsys):
    path = _copy(OLD_XLSX, tmp_path)
    assert main(["bijwerken", str(path), "--datum", DAY, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["vba_modules_bijgewerkt"] == [] and got["lint_bijgewerkt"] is False
    assert len(got["instellingen_toegevoegd"]) == len(schema.SETTINGS) - 22
    assert got["grafieken_toegevoegd"] is True
    assert "geen macro's" in got["meldingen"][0]
    names = set(_parts(path))
    assert "xl/vbaProject.bin" not in names and "customUI/customUI14.xml" not in names
    assert [row[0] for row in _table(path, "tblInstellingen")[1:]] == [
        name for _field, name in schema.SETTINGS
    ]
    assert_valid(path)
    before = path.read_bytes()
    assert main(["bijwerken", str(path), "--datum", DAY, "--json"]) == 0
    capsys.readouterr()
    assert path.read_bytes() == before


def test_a_workbook_without_a_ribbon_gets_one(tmp_path, capsys):
    """The ribbon part, its relationship and (the xml default covers it) no content type."""
    path = tmp_path / "ZonderLint.xlsm"
    with zipfile.ZipFile(OLD_XLSM) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "customUI/customUI14.xml":
                continue
            if info.filename == "_rels/.rels":
                start = data.index(b'<Relationship Id="rIdDebiteurenRibbon"')
                data = data[:start] + data[data.index(b"/>", start) + 2 :]
            zout.writestr(info, data)
    assert main(["bijwerken", str(path), "--datum", DAY, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["lint_bijgewerkt"] is True
    parts = _parts(path)
    assert parts["customUI/customUI14.xml"] == (ROOT / "workbook" / "customUI14.xml").read_bytes()
    assert b"ui/extensibility" in parts["_rels/.rels"]
    assert_valid(path)


def test_refused_when_open_in_excel(tmp_path, capsys):
    path = _copy(OLD_XLSM, tmp_path)
    (tmp_path / f"~${path.name}").write_bytes(b"")
    assert main(["bijwerken", str(path), "--json"]) == 2
    got = json.loads(capsys.readouterr().out)
    assert "is geopend in Excel" in got["fout"] and str(path) in got["fout"]
    assert path.read_bytes() == OLD_XLSM.read_bytes()


@pytest.mark.parametrize(
    ("content", "exp"),
    [(b"geen werkmap", "geen geldig Excel-bestand"), (None, "bestaat niet")],
    ids=["not-a-workbook", "missing"],
)
def test_refused_with_a_dutch_message(tmp_path, capsys, content, exp):
    path = tmp_path / "Kapot.xlsm"
    if content is not None:
        path.write_bytes(content)
    assert main(["bijwerken", str(path)]) == 2
    err = capsys.readouterr().err
    assert exp in err and "Kapot.xlsm" in err


def _rewrite(path: Path, edits: dict[str, Callable[[bytes], bytes]]) -> None:
    """The workbook with the named parts changed by their functions (the rest as it was)."""
    with zipfile.ZipFile(path) as z:
        parts = [(info, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts:
            edit = edits.get(info.filename)
            z.writestr(info, edit(data) if edit else data)


def _replace(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    def edit(xml: bytes) -> bytes:
        assert xml.count(old) == 1, old
        return xml.replace(old, new)

    return edit


def test_text_columns_split_ranges_and_restyle_only_empty_cells(tmp_path, capsys):
    # Klanten with one <col> for A:P (the text columns A, E, I and N inside it, KvK and
    # BTW-nummer new at R and S); empty cells N3 and I4 with a style of their own (#,##0.00:
    # it would make what is typed there a number), written both ways; a Postcode E3 held
    # as a number; Betalingen without <cols> at all.
    path = _copy(OLD_XLSX, tmp_path)
    klanten = re.compile(rb"<cols>.*?</cols>", re.S)
    _rewrite(path, {
        "xl/worksheets/sheet2.xml": lambda xml: re.sub(
            rb'<c r="I4"[^>]*>.*?</c>', b'<c r="I4" s="2"></c>', _replace(
            b'<c r="N3" t="inlineStr"><is><t>NL36BUNQ6914055142</t></is></c>', b'<c r="N3" s="2"/>'
        )(_replace(b'<c r="E3" t="inlineStr"><is><t>3811 HR</t></is></c>', b'<c r="E3"><v>3811</v></c>')(
            klanten.sub(b'<cols><col min="1" max="16" width="12" customWidth="1"/></cols>', xml)
        )), count=1),
        "xl/worksheets/sheet6.xml": lambda xml: klanten.sub(b"", xml),
    })  # fmt: skip
    assert main(["bijwerken", str(path), "--datum", DAY, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert {"tabel": "tblKlanten", "kolom": "IBAN"} in got["tekstopmaak_ingesteld"]
    assert_valid(path)
    cols = _col_styles(path, "Klanten")
    text = {1, 5, 9, 14, 18, 19}  # Klantnummer, Postcode, Telefoon, IBAN, KvK, BTW-nummer
    for n in range(1, 17):
        assert cols[n] == (49 if n in text else 0, {"width": "12", "customWidth": "1"}), n
    assert 17 not in cols  # Notities: no <col> before, none now
    assert cols[18] == cols[19] == (49, {"width": "9.140625"})
    betalingen = _col_styles(path, "Betalingen")
    headers = _table(path, "tblBetalingen")[0]
    assert sorted(betalingen) == sorted(
        headers.index(c.header) + 1 for c in schema.BETALINGEN.columns if c.text
    )
    sheet = _parts(path)["xl/worksheets/sheet2.xml"]
    styles = ET.fromstring(_parts(path)["xl/styles.xml"]).find(f"{{{MAIN}}}cellXfs")
    n3 = re.search(rb'<c r="N3" s="(\d+)"/>', sheet)
    assert n3 and styles[int(n3.group(1))].get("numFmtId") == "49"
    assert f'<c r="I4" s="{n3.group(1).decode()}"></c>'.encode() in sheet
    assert b'<c r="E3"><v>3811</v></c>' in sheet  # a number stays a number
    assert [xf.get("numFmtId") for xf in styles].count("49") == 1
    before = path.read_bytes()
    assert main(["bijwerken", str(path), "--datum", DAY, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tekstopmaak_ingesteld"] == []
    assert path.read_bytes() == before


def test_text_reaches_the_empty_cells_of_rows_with_a_row_style(tmp_path, capsys):
    # Rows formatted as a whole (<row s=".." customFormat="1">, what openpyxl's
    # row_dimensions and Excel's row formatting write): an empty cell without an element
    # there takes the row's style, not the column's, so the column's Text did not reach
    # it and digits typed there became a number. Row 3 of Klanten yellow, row 4 with the
    # number format 0.00 and customFormat="true" as LibreOffice writes it, row 5 emptied
    # to a bare <row .../>.
    path = _copy(OLD_XLSX, tmp_path)
    book = openpyxl.load_workbook(path)
    klanten = book["Klanten"]
    yellow = PatternFill("solid", fgColor="FFFFFF00")
    klanten.row_dimensions[3].fill = yellow
    klanten.row_dimensions[4].number_format = "0.00"
    klanten.row_dimensions[5].fill = yellow
    book.save(path)
    _rewrite(path, {
        "xl/worksheets/sheet2.xml": lambda xml: re.sub(
            rb'<row r="5"[^>]*>.*?</row>', b'<row r="5" customFormat="1" s="3"/>', xml,
            flags=re.S).replace(b'<row r="4" customFormat="1"', b'<row r="4" customFormat="true"')
    })  # fmt: skip
    assert main(["bijwerken", str(path), "--datum", DAY, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert {"tabel": "tblKlanten", "kolom": "Telefoon"} in got["tekstopmaak_ingesteld"]
    assert_valid(path)
    headers = _table(path, "tblKlanten")[0]
    text = [headers.index(c.header) + 1 for c in schema.KLANTEN.columns if c.text]
    klanten = openpyxl.load_workbook(path)["Klanten"]
    for row in (3, 4, 5):
        empty = [klanten.cell(row, col) for col in text if klanten.cell(row, col).value is None]
        assert len(empty) >= (len(text) if row == 5 else 2), row  # KvK and BTW-nummer, new
        for cell in empty:
            assert cell.number_format == "@", cell.coordinate
            # the row's look kept: its fill, the Text format instead of its number format
            assert cell.fill.fgColor.rgb == ("FFFFFF00" if row in (3, 5) else "00000000")
    before = path.read_bytes()
    assert main(["bijwerken", str(path), "--datum", DAY, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tekstopmaak_ingesteld"] == []
    assert path.read_bytes() == before


def test_text_columns_without_ignored_errors_get_them_once_and_keep_the_users_own(tmp_path, capsys):
    # The example as the previous version wrote it: Text columns, no <ignoredErrors> (Excel
    # showed a green triangle on every Factuurnummer "2026001"). On Klanten the user had
    # turned off "formula omits adjacent cells" for a cell, and "number stored as text"
    # for the whole Postcode column (E) the Excel way, A:A form: both stay, E is not
    # named twice.
    path = _copy(ROOT / "workbook" / "Voorbeeld.xlsx", tmp_path)
    block = re.compile(rb"<ignoredErrors>.*?</ignoredErrors>")
    own = (
        b'<ignoredErrors><ignoredError sqref="J3" formulaRange="1"/>'
        b'<ignoredError sqref="E:E" numberStoredAsText="1"/></ignoredErrors>'
    )
    sheets = {f"xl/worksheets/sheet{n}.xml": (lambda xml: block.sub(b"", xml)) for n in range(1, 9)}
    sheets["xl/worksheets/sheet2.xml"] = lambda xml: block.sub(own, xml)
    _rewrite(path, sheets)
    assert main(["bijwerken", str(path), "--datum", DAY, "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["tekstopmaak_ingesteld"] == [] and got["gewijzigd"]
    assert got["getal_als_tekst_genegeerd"] == [
        s.name for s in schema.TABLES if any(c.text for c in s.columns)
    ]
    assert_valid(path)
    klanten = _parts(path)["xl/worksheets/sheet2.xml"]
    assert block.findall(klanten) == [
        own[: -len(b"</ignoredErrors>")]
        + b'<ignoredError sqref="A1:A1048576 H1:I1048576 K1:K1048576 P1:P1048576"'
        b' numberStoredAsText="1"/></ignoredErrors>'
    ]  # Klantnummer, KvK, BTW-nummer, Telefoon, IBAN; Postcode (E) was the user's
    before = path.read_bytes()
    assert main(["bijwerken", str(path), "--datum", DAY]) == 0
    assert "is al bij; er is niets veranderd" in capsys.readouterr().out
    assert path.read_bytes() == before
