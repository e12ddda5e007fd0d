"""A third, independent reader: LibreOffice headless (python3-uno, Debian's Python) opens the
built workbooks once for this module (tests/excel/lo_probe.py) and reports what it sees.

Proved here: the file loads without a repair step; LibreOffice lists the sheets, the eight
tables and the VBA modules (imported as its Basic library VBAProject); it recalculates the
native Open formula to the engine's open amounts; in the --klassiek form with the plan as
values on the Plan sheet, its Status and Volgende actie look-ups give exactly the engine's
texts for every invoice; and a copy it saves as .xlsm keeps the ribbon part with its
relationship and still passes pyOpenVBA's checks; a workbook of an earlier version after
`bijwerken` loads, and its identifier columns are Text (`@`) also where nothing is typed yet.
Not proved: anything of xlwings, the
ribbon or the LAMBDA names (LibreOffice 7.4 has none of them). `.ci/run` installs
LibreOffice and python3-uno; without them these tests skip and say why.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyopenvba import ExcelFile, check_file

from addin import schema
from addin.cli import main
from addin.core.ledger import Ledger
from addin.core.plan import plan_book
from addin.core.plan_sheet import due_status_text, next_action_text
from addin.example import EXAMPLE_DATE
from addin.excel import package, vba

PROBE = Path(__file__).with_name("lo_probe.py")
SYSTEM_PYTHON = "/usr/bin/python3"


def _missing() -> str | None:
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        return "LibreOffice (soffice) is niet geïnstalleerd; .ci/run installeert het"
    check = (
        subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, check=False)
        if Path(SYSTEM_PYTHON).exists()
        else None
    )
    if check is None or check.returncode != 0:
        return "python3-uno ontbreekt voor /usr/bin/python3; .ci/run installeert het"
    return None


NUMERIC_NUMBER = 7777


@pytest.fixture(scope="module")
def typed_as_number(classic_with_plan, tmp_path_factory) -> tuple[Path, str]:
    """A copy of the --klassiek workbook where a user typed the first invoice's number as a
    number (7777) while the plan lists it as text "7777", as DEBITEUREN_PLAN and Vernieuw
    werklijst write it. openpyxl may rewrite this copy: only its formulas matter here.
    Returns the copy and the invoice it stands for."""
    wb = load_workbook(classic_with_plan, keep_vba=True)
    facturen, plan = wb[schema.FACTUREN.sheet], wb[schema.PLAN_SHEET]
    original = facturen["A2"].value
    facturen["A2"] = NUMERIC_NUMBER
    (row,) = [r for r in plan.iter_rows(min_row=2, max_col=1) if r[0].value == original]
    row[0].value = str(NUMERIC_NUMBER)
    path = tmp_path_factory.mktemp("getal") / "Getal.xlsm"
    wb.save(path)
    return path, original


OLDER = Path(__file__).resolve().parents[1] / "fixtures" / "older" / "Debiteuren-bb4ae24.xlsm"
# Empty cells: KvK (R, a column bijwerken adds) and Postcode (E) in and below tblKlanten,
# Factuurnummer far below tblFacturen; Naam (B) is no identifier and stays General.
UPGRADED_CELLS = {"Klanten!R2": "@", "Klanten!E100": "@", "Facturen!A500": "@",
                  "Klanten!B100": "General"}  # fmt: skip


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory) -> Path:
    """The workbook of commit bb4ae24 after `bijwerken`."""
    path = tmp_path_factory.mktemp("bijwerken") / "Debiteuren.xlsm"
    shutil.copy(OLDER, path)
    assert main(["bijwerken", str(path), "--datum", "2026-11-24", "--json"]) == 0
    return path


@pytest.fixture(scope="module")
def seen(built, classic_with_plan, typed_as_number, upgraded, tmp_path_factory) -> dict[str, dict]:
    reason = _missing()
    if reason:
        print(f"overgeslagen: {reason}")
        pytest.skip(reason)
    work = tmp_path_factory.mktemp("libreoffice")
    jobs = [
        {"path": str(built), "resave": str(work / "opnieuw.xlsm"), "tables": ["tblFacturen"]},
        {"path": str(classic_with_plan), "resave": None, "tables": ["tblFacturen"]},
        {"path": str(typed_as_number[0]), "resave": None, "tables": ["tblFacturen"]},
        {"path": str(upgraded), "resave": None, "tables": ["tblKlanten"],
         "formats": [cell.split("!") for cell in UPGRADED_CELLS]},
    ]  # fmt: skip
    (work / "jobs.json").write_text(json.dumps(jobs), encoding="utf-8")
    subprocess.run(
        [SYSTEM_PYTHON, str(PROBE), str(work / "jobs.json"), str(work / "uit.json")],
        check=True,
        timeout=300,
    )
    report = json.loads((work / "uit.json").read_text(encoding="utf-8"))
    print(f"LibreOffice: {report['seconds']} s")
    built_result, classic_result, number_result, upgraded_result = report["results"]
    for result in report["results"]:
        assert result["loaded"], result.get("error")
    return {"built": built_result, "classic": classic_result, "number": number_result,
            "upgraded": upgraded_result}  # fmt: skip


def test_an_upgraded_older_workbook_has_text_identifier_columns(seen):
    assert seen["upgraded"]["formats"] == UPGRADED_CELLS
    assert seen["upgraded"]["tables"]["tblKlanten"][0][-2:] == ["KvK", "BTW-nummer"]


def _rows(result: dict) -> list[dict[str, object]]:
    header, *rows = result["tables"]["tblFacturen"]
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_libreoffice_opens_both_forms_and_lists_the_sheets(seen):
    exp = [s.sheet for s in schema.TABLES]
    exp += [schema.WERKLIJST_SHEET, schema.OVERZICHT_SHEET, schema.PLAN_SHEET]
    exp += [schema.XLWINGS_CONF_SHEET]
    for result in seen.values():
        assert result["sheets"] == exp


def test_libreoffice_sees_every_table(seen):
    assert seen["built"]["database_ranges"] == sorted(s.name for s in schema.TABLES)


def test_libreoffice_imports_every_vba_module(seen):
    modules = set(seen["built"]["basic"]["VBAProject"])
    assert {m.name for m in vba.modules()} <= modules


def test_libreoffice_recalculates_open_to_the_engines_open_amounts(seen, book):
    ledger = Ledger.build(book, EXAMPLE_DATE)
    exp = {inv.number: ledger.open_of(inv.number) for inv in ledger.invoices}
    got = {
        row["Factuurnummer"]: Decimal(str(row["Open"])).quantize(Decimal("0.01"))
        for row in _rows(seen["built"])
    }
    assert len(got) == len(exp) == len(book.invoices)
    diffs = {k: (exp[k], v) for k, v in got.items() if exp[k] != v}
    assert not diffs, diffs
    assert sum(1 for v in got.values() if v > 0) > 20  # not trivially zero


def test_classic_lookups_give_the_engines_status_and_next_action(seen, book):
    plan = plan_book(book, EXAMPLE_DATE)
    exp = {a.invoice: (due_status_text(a), next_action_text(a)) for a in plan.actions}
    got = {
        row["Factuurnummer"]: (row["Status"], row["Volgende actie"])
        for row in _rows(seen["classic"])
    }
    assert len(got) == len(exp) == len(book.invoices)
    diffs = {k: (exp[k], got[k]) for k in exp if got[k] != exp[k]}
    assert not diffs, list(diffs.items())[:5]
    assert len({status for status, _ in got.values()}) >= 3  # open, vervallen, betaald


def test_an_invoice_number_typed_as_a_number_still_finds_its_plan_row(seen, book, typed_as_number):
    _, original = typed_as_number
    a = next(a for a in plan_book(book, EXAMPLE_DATE).actions if a.invoice == original)
    (row,) = [r for r in _rows(seen["number"]) if r["Factuurnummer"] == NUMERIC_NUMBER]
    assert (row["Status"], row["Volgende actie"]) == (due_status_text(a), next_action_text(a))


def test_libreoffice_keeps_the_formulas_it_was_given(seen):
    built = dict(zip(_header(seen["built"]), seen["built"]["formulas"]["tblFacturen"], strict=True))
    classic = dict(
        zip(_header(seen["classic"]), seen["classic"]["formulas"]["tblFacturen"], strict=True)
    )
    assert built["Status"].startswith("=DUESTATUS(")
    assert classic["Status"].startswith("=IFERROR(INDEX($Plan.$B:$B;MATCH(")


def _header(result: dict) -> list[str]:
    return result["tables"]["tblFacturen"][0]


def test_resaved_copy_keeps_the_ribbon_and_the_vba_project(seen, built):
    copy = Path(seen["built"]["resaved"])
    with zipfile.ZipFile(copy) as z, zipfile.ZipFile(built) as original:
        assert z.read(package.RIBBON_PART) == original.read(package.RIBBON_PART)
        rels = z.read("_rels/.rels").decode()
    assert f'Type="{package.RIBBON_REL_TYPE}"' in rels
    assert f'Target="{package.RIBBON_PART}"' in rels
    report = check_file(copy)
    assert report.ok, [(i.code, i.message) for i in report.issues]
    with ExcelFile(copy) as wb:
        assert wb.validate() == []
        assert {m.name for m in vba.modules()} <= set(wb.module_names())
