"""Every workbook the product writes validates (tests/ooxml.py): the schemas of ECMA-376
Transitional, OPC and customUI14, and Excel's rules beyond them. A LibreOffice re-save of each
is checked against the schemas only (LibreOffice writes its own tables and calcChain).

The checker itself is tested first on broken copies, so these tests can fail."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
import warnings
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest

from addin import schema
from addin.cli import main
from tests.libreoffice import convert
from tests.ooxml import _relationships, assert_valid, check_workbook

DAY = "2026-11-24"
STATEMENT = Path(__file__).resolve().parents[1] / "fixtures" / "bank" / "camt053-v08-batch.xml"


def _rewrite(source: Path, target: Path, name: str, change) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == name:
                data = change(data.decode("utf-8")).encode("utf-8")
            zout.writestr(info, data)
    return target


def _run(capsys, *args) -> int:
    code = main([str(a) for a in args])
    capsys.readouterr()
    return code


# ---- the checker finds what it should -------------------------------------------------------

BROKEN = {
    "schema": (
        "xl/worksheets/sheet1.xml",
        lambda s: s.replace("<sheetData>", '<sheetData><row r="1" bogus="1"/>', 1),
        "bogus",
    ),
    "calculated column": (
        "xl/worksheets/sheet1.xml",
        lambda s: re.sub(r'(<c r="O3"[^>]*>)<f>[^<]*</f>', r"\1", s, count=1),
        "berekende kolom",
    ),
    "table ref": (
        "xl/tables/table1.xml",
        lambda s: re.sub(r'ref="A1:([A-Z]+)(\d+)"', r'ref="A1:\g<1>5"', s, count=1),
        "direct onder de tabel",
    ),
    "duplicate column": (
        "xl/tables/table1.xml",
        lambda s: s.replace('name="Klantnummer"', 'name="factuurnummer"', 1),
        "meer dan eens",
    ),
    "autofilter": (
        "xl/tables/table1.xml",
        lambda s: re.sub(r'<autoFilter ref="[^"]*"', '<autoFilter ref="A1:ZZ9999"', s, count=1),
        "autoFilter",
    ),
    "relationship": (
        "xl/_rels/workbook.xml.rels",
        lambda s: s.replace('Target="styles.xml"', 'Target="stijlen.xml"', 1),
        "bestaat niet",
    ),
}


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_the_checker_finds_a_broken_part(built, tmp_path, kind):
    name, change, expected = BROKEN[kind]
    broken = _rewrite(built, tmp_path / "kapot.xlsm", name, change)
    errors = check_workbook(broken)
    assert any(expected in e for e in errors), errors


def test_the_checker_finds_bad_shared_strings_and_calcchain(tmp_path):
    source = tmp_path / "Voorbeeld.xlsx"
    shutil.copy(Path(__file__).resolve().parents[2] / "workbook" / "Voorbeeld.xlsx", source)
    broken = _rewrite(
        source,
        tmp_path / "kapot.xlsx",
        "xl/worksheets/sheet2.xml",
        lambda s: re.sub(
            r'<c r="A2"(?: s="\d+")? t="inlineStr"><is>.*?</is></c>',
            '<c r="A2" t="s"><v>99999</v></c>',
            s,
            count=1,
        ),
    )
    with zipfile.ZipFile(broken) as z:  # the cell was found and changed
        assert b"<v>99999</v>" in z.read("xl/worksheets/sheet2.xml")
    errors = check_workbook(broken)
    assert any("gedeelde tekst 99999" in e for e in errors), errors

    calc = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<c r="A2" i="1"/></calcChain>'
    )
    with_chain = tmp_path / "keten.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(with_chain, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/calcChain.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>',
                )
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdKeten" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/>'
                    b"</Relationships>",
                )
            zout.writestr(info, data)
        zout.writestr("xl/calcChain.xml", calc)
    errors = check_workbook(with_chain)
    assert any("calcChain.xml: A2" in e for e in errors), errors


# ---- what the product writes ----------------------------------------------------------------


def test_built_workbook_is_valid(built):
    assert_valid(built)


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    """`nieuw` in each form, and the built workbook after each writing command."""
    folder = tmp_path_factory.mktemp("nieuw")
    out: dict[str, Path] = {}
    for label, flags in {
        "leeg": [],
        "voorbeeld": ["--voorbeeld"],
        "klassiek": ["--voorbeeld", "--klassiek"],
        "klassiek-leeg": ["--klassiek"],
        "mac": ["--voorbeeld", "--mac"],
        "mac-leeg": ["--mac"],
    }.items():
        path = folder / f"{label}.xlsm"
        assert main(["nieuw", str(path), *flags, "--json"]) == 0
        out[label] = path
    return out


@pytest.mark.parametrize(
    "label", ["leeg", "voorbeeld", "klassiek", "klassiek-leeg", "mac", "mac-leeg"]
)
def test_new_workbooks_are_valid(made, label):
    assert_valid(made[label])


@pytest.mark.parametrize("label", ["mac", "mac-leeg"])
def test_mac_workbook_plan_holds_values(made, label):
    """--mac: no =DEBITEUREN_PLAN (its wrapper calls a Windows DLL); the plan as values."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(made[label])[schema.PLAN_SHEET]
    rows = list(ws.iter_rows(values_only=True))
    assert tuple(rows[0][: len(schema.PLAN_HEADER)]) == schema.PLAN_HEADER
    assert not [c for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert (len(rows) > 300) == (label == "mac")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        windows = openpyxl.load_workbook(made["voorbeeld"])[schema.PLAN_SHEET]
    assert windows["A1"].data_type == "f"


OLDER = Path(__file__).resolve().parents[1] / "fixtures" / "older" / "Debiteuren-bb4ae24.xlsm"


@pytest.fixture(scope="module")
def written(made, tmp_path_factory) -> dict[str, Path]:
    """The example workbook after each writing command, and the workbook of bb4ae24 after
    `bijwerken`: made once, for the checks and for the LibreOffice re-saves."""
    commands = {
        "herinneringen": ["herinneringen", "--datum", DAY],
        "bank": ["bank", STATEMENT, "--datum", DAY],
        "overzicht": ["overzicht", "--datum", DAY],
        "bijwerken": ["bijwerken", "--datum", DAY],
    }
    out: dict[str, Path] = {}
    for label, (command, *rest) in commands.items():
        path = tmp_path_factory.mktemp(label) / "Debiteuren.xlsm"
        shutil.copy(OLDER if label == "bijwerken" else made["voorbeeld"], path)
        with contextlib.redirect_stdout(io.StringIO()):
            assert main([command, str(path), *(str(a) for a in rest), "--json"]) in (0, 1)
        out[label] = path
    return out


def test_after_letters_is_valid(written):
    assert_valid(written["herinneringen"])


def test_after_bank_import_is_valid(written):
    assert_valid(written["bank"])


def test_after_overzicht_is_valid(written, tmp_path, capsys):
    """The Overzicht's charts found again in a built workbook, and added (drawing, chart
    parts, relationships, content types) to a plain .xlsx that has none."""
    assert_valid(written["overzicht"])
    plain = tmp_path / "Voorbeeld.xlsx"
    shutil.copy(Path(__file__).resolve().parents[2] / "workbook" / "Voorbeeld.xlsx", plain)
    assert main(["overzicht", str(plain), "--datum", DAY, "--json"]) in (0, 1)
    capsys.readouterr()
    assert_valid(plain)


def test_after_bijwerken_is_valid(written):
    assert_valid(written["bijwerken"])


def test_after_letters_on_the_example_xlsx_is_valid(tmp_path, capsys):
    path = tmp_path / "Voorbeeld.xlsx"
    shutil.copy(Path(__file__).resolve().parents[2] / "workbook" / "Voorbeeld.xlsx", path)
    assert_valid(path)
    code = main(["herinneringen", str(path), "--datum", DAY, "--json"])
    assert code in (0, 1), json.loads(capsys.readouterr().out)
    assert_valid(path)


@pytest.mark.parametrize("label", ["leeg", "voorbeeld", "klassiek", "mac"])
def test_libreoffice_resave_is_schema_valid(made, tmp_path, label):
    resaved = convert(made[label], tmp_path)
    assert_valid(resaved, rules=False)


@pytest.mark.parametrize("label", ["herinneringen", "bank", "overzicht", "bijwerken"])
def test_libreoffice_resave_after_a_write_is_schema_valid(written, tmp_path, label):
    resaved = convert(written[label], tmp_path)
    assert_valid(resaved, rules=False)


# ---- Excel's "number stored as text" check, off on the Text columns --------------------------

TEXT_HEADERS = {spec.name: {c.header for c in spec.columns if c.text} for spec in schema.TABLES}


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rest = divmod(col - 1, 26)
        out = chr(65 + rest) + out
    return out


def _column(letters: str) -> int:
    n = 0
    for char in letters:
        n = n * 26 + ord(char) - 64
    return n


def _text_number_columns(path: Path) -> dict[str, tuple[list[str], list[str]]]:
    """Per sheet holding a table of the contract: (the Text columns of its table as whole
    column ranges, 'E1:E1048576', sorted; the whole columns every <ignoredErrors> of the
    sheet ignores numberStoredAsText in, one range per column, in document order, with
    the number of <ignoredErrors> elements first as 'elements=N')."""
    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    out = {}
    with zipfile.ZipFile(path) as zf:
        rels = _relationships(zf, "xl/workbook.xml")
        workbook = ET.fromstring(zf.read("xl/workbook.xml"))
        for sheet in workbook.iter(f"{{{main_ns}}}sheet"):
            part = rels[sheet.get(f"{{{rel_ns}}}id")][1]
            tables = [t for ty, t, _ in _relationships(zf, part).values() if ty.endswith("/table")]
            for target in tables:
                table = ET.fromstring(zf.read(target))
                if table.get("displayName") not in TEXT_HEADERS:
                    continue
                left = _column(re.match(r"[A-Z]+", table.get("ref")).group(0))
                names = [c.get("name") for c in table.iter(f"{{{main_ns}}}tableColumn")]
                wanted = TEXT_HEADERS[table.get("displayName")]
                expected = sorted(
                    f"{_letters(left + i)}1:{_letters(left + i)}1048576"
                    for i, name in enumerate(names)
                    if name in wanted
                )
                root = ET.fromstring(zf.read(part))
                blocks = root.findall(f"{{{main_ns}}}ignoredErrors")
                got = [f"elements={len(blocks)}"]
                for block in blocks:
                    for error in block.findall(f"{{{main_ns}}}ignoredError"):
                        if error.get("numberStoredAsText") not in ("1", "true"):
                            continue
                        for token in error.get("sqref").split():
                            first, last = re.fullmatch(r"([A-Z]+)1:([A-Z]+)1048576", token).groups()
                            got += [
                                f"{_letters(c)}1:{_letters(c)}1048576"
                                for c in range(_column(first), _column(last) + 1)
                            ]
                out[sheet.get("name")] = (expected, got)
    return out


def _assert_text_numbers_ignored(path: Path) -> None:
    found = _text_number_columns(path)
    assert set(found) == {s.sheet for s in schema.TABLES}, found
    for sheet, (expected, got) in found.items():
        if not expected:  # Stappen, Instellingen: no Text columns, nothing to ignore
            assert got == ["elements=0"], sheet
            continue
        assert got[0] == "elements=1", (sheet, got)  # one element, never two
        assert sorted(got[1:]) == expected, sheet  # exactly the Text columns, each once


def test_the_checker_finds_ignored_errors_out_of_schema_order(built, tmp_path):
    # CT_Worksheet puts ignoredErrors before tableParts: after it, Excel repairs the file.
    def after_table_parts(s: str) -> str:
        block = re.search(r"<ignoredErrors>.*?</ignoredErrors>", s).group(0)
        return s.replace(block, "").replace("</worksheet>", block + "</worksheet>")

    broken = _rewrite(built, tmp_path / "kapot.xlsm", "xl/worksheets/sheet1.xml", after_table_parts)
    errors = check_workbook(broken)
    assert any("ignoredErrors" in e for e in errors), errors


def test_built_workbook_ignores_numbers_stored_as_text_in_text_columns(built):
    _assert_text_numbers_ignored(built)


def test_example_xlsx_ignores_numbers_stored_as_text_in_text_columns():
    _assert_text_numbers_ignored(
        Path(__file__).resolve().parents[2] / "workbook" / "Voorbeeld.xlsx"
    )


@pytest.mark.parametrize(
    "label", ["leeg", "voorbeeld", "klassiek", "klassiek-leeg", "mac", "mac-leeg"]
)
def test_new_workbooks_ignore_numbers_stored_as_text_in_text_columns(made, label):
    _assert_text_numbers_ignored(made[label])


@pytest.mark.parametrize("label", ["herinneringen", "bank", "overzicht", "bijwerken"])
def test_after_a_write_numbers_stored_as_text_are_ignored_once(written, label):
    # Kept by the letters run, the bank import and the Overzicht, never doubled; added to the
    # workbook of bb4ae24 by bijwerken.
    _assert_text_numbers_ignored(written[label])


# ---- the Werklijst: its invoice and customer numbers and phone numbers, digits as text ----------


def _werklijst_checks(path: Path) -> tuple[list[str], list[list[str]]]:
    """The Werklijst's columns Factuur, Klantnummer and Telefoon as whole column ranges
    ('D1:D1048576'), found by its header row; and per <ignoredErrors> of the sheet, the
    whole column ranges its ignoredError elements turn numberStoredAsText off in."""
    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(path, read_only=True)[schema.WERKLIJST_SHEET]
        header = next(r for r in ws.iter_rows(values_only=True) if "Factuur" in r)
    wanted = [
        f"{_letters(header.index(h) + 1)}1:{_letters(header.index(h) + 1)}1048576"
        for h in ("Factuur", "Klantnummer", "Telefoon")
    ]
    with zipfile.ZipFile(path) as zf:
        rels = _relationships(zf, "xl/workbook.xml")
        workbook = ET.fromstring(zf.read("xl/workbook.xml"))
        (sheet,) = [
            s
            for s in workbook.iter(f"{{{main_ns}}}sheet")
            if s.get("name") == schema.WERKLIJST_SHEET
        ]
        root = ET.fromstring(zf.read(rels[sheet.get(f"{{{rel_ns}}}id")][1]))
    blocks = []
    for block in root.findall(f"{{{main_ns}}}ignoredErrors"):
        got = []
        for error in block.findall(f"{{{main_ns}}}ignoredError"):
            assert error.get("numberStoredAsText") == "1"
            for token in error.get("sqref").split():
                first, last = re.fullmatch(r"([A-Z]+)1:([A-Z]+)1048576", token).groups()
                got += [
                    f"{_letters(c)}1:{_letters(c)}1048576"
                    for c in range(_column(first), _column(last) + 1)
                ]
        blocks.append(sorted(got))
    return sorted(wanted), blocks


@pytest.mark.parametrize("label", ["herinneringen", "bank"])
def test_werklijst_ignores_numbers_stored_as_text_in_its_number_columns(written, label):
    # Exact Online's invoice numbers are digits only ("26700012"): each showed Excel's green
    # triangle in the Werklijst, which every run writes anew. The sheet stays valid and
    # LibreOffice re-saves it (test_libreoffice_resave_after_a_write_is_schema_valid).
    wanted, blocks = _werklijst_checks(written[label])
    assert blocks == [wanted]


def test_werklijst_ignored_errors_stay_one_element_run_after_run(written, tmp_path):
    path = tmp_path / "Debiteuren.xlsm"
    shutil.copy(written["herinneringen"], path)
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["bank", str(path), str(STATEMENT), "--datum", DAY, "--json"]) in (0, 1)
    wanted, blocks = _werklijst_checks(path)
    assert blocks == [wanted]
    assert_valid(path)
