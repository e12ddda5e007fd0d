"""The work of the commands grows with the book, not with the book squared, and start-up
loads only what the command needs. Nothing here is timed: the tests count operations (sheet
scans and copies in the write-back) and look at the modules a command loaded, so they pass
or fail the same on a slow machine."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from email_validator import validate_email
from python_calamine import CalamineWorkbook
from stdnum.iban import is_valid as iban_is_valid

from addin.adapters.workbook import xlsx_patch
from addin.adapters.workbook.book_writer import write_book
from addin.adapters.workbook.xlsx_patch import Patch, apply_patch
from addin.core.bank import BankLine
from addin.core.letter_content import compose
from addin.core.matching import match_bank_lines
from addin.core.plan import plan_with_ledger
from benchmarks.generate import AS_OF, generate_book

ROOT = Path(__file__).resolve().parents[1]
VOORBEELD = ROOT / "workbook" / "Voorbeeld.xlsx"


@pytest.fixture(scope="module")
def agreements_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lineair") / "afspraken.xlsx"
    write_book(generate_book(invoices=3000, customers=600, agreements=400, contacts=50), path)
    return path


def _confirm(path: Path, ids: list[str]) -> dict[str, int]:
    """Set Bevestiging verstuurd and Status of these agreements in one patch; the operations."""
    before = dict(xlsx_patch.OPERATIONS)
    apply_patch(
        path,
        Patch(
            set_cells=tuple(
                (
                    "tblAfspraken",
                    "Afspraak",
                    agreement,
                    {"Bevestiging verstuurd": date(2026, 11, 24), "Status": "loopt"},
                )
                for agreement in ids
            )
        ),
        backup=False,
    )
    return {k: v - before.get(k, 0) for k, v in xlsx_patch.OPERATIONS.items()}


def test_setting_4x_the_cells_scans_and_copies_the_sheet_as_often(agreements_book, tmp_path):
    ids = [
        row[0]
        for row in CalamineWorkbook.from_path(str(agreements_book))
        .get_sheet_by_name("Afspraken")
        .to_python()[1:]
    ]
    assert len(ids) >= 200
    few, many = tmp_path / "weinig.xlsx", tmp_path / "veel.xlsx"
    few.write_bytes(agreements_book.read_bytes())
    many.write_bytes(agreements_book.read_bytes())
    n = len(ids) // 4
    exp = _confirm(few, ids[:n])
    got = _confirm(many, ids[: 4 * n])
    assert exp["scan"] >= 1 and exp["copy"] >= 1
    assert got == exp  # the same scans, copies and writes for 4x the cells
    rows = CalamineWorkbook.from_path(str(many)).get_sheet_by_name("Afspraken").to_python()
    status = rows[0].index("Status")
    assert [r[status] for r in rows[1 : 4 * n + 1]] == ["loopt"] * (4 * n)


def test_edits_of_one_row_apply_in_order(agreements_book, tmp_path):
    path = tmp_path / "volgorde.xlsx"
    path.write_bytes(agreements_book.read_bytes())
    first = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Afspraken").to_python()
    key = first[1][0]
    apply_patch(
        path,
        Patch(
            set_cells=(
                ("tblAfspraken", "Afspraak", key, {"Status": "loopt", "Notities": "een"}),
                ("tblAfspraken", "Afspraak", key, {"Notities": "twee"}),
            )
        ),
        backup=False,
    )
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Afspraken").to_python()
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Status"], row["Notities"]) == ("loopt", "twee")


def test_a_changed_key_is_found_by_the_next_edit(agreements_book, tmp_path):
    path = tmp_path / "sleutel.xlsx"
    path.write_bytes(agreements_book.read_bytes())
    key = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Afspraken").to_python()[1][0]
    apply_patch(
        path,
        Patch(
            set_cells=(
                ("tblAfspraken", "Afspraak", key, {"Afspraak": "NIEUW"}),
                ("tblAfspraken", "Afspraak", "NIEUW", {"Notities": "gevonden"}),
            )
        ),
        backup=False,
    )
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Afspraken").to_python()
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["Afspraak"], row["Notities"]) == ("NIEUW", "gevonden")


def _append_invoices(path: Path, count: int) -> dict[str, int]:
    """Append `count` invoices (text, dates, amounts, a row without Omschrijving, a text
    with an ampersand) in one patch; the operations it took."""
    rows = tuple(
        {
            "Factuurnummer": f"L-{k:06d}",
            "Klantnummer": "K0001",
            "Factuurdatum": date(2026, 1, 1 + k % 28),
            "Vervaldatum": date(2026, 2, 1 + k % 28),
            "Bedrag": Decimal(f"{k % 900 + 100}.{k % 100:02d}"),
            **({"Omschrijving": f"order {k} & co"} if k % 3 else {}),
        }
        for k in range(count)
    )
    before = dict(xlsx_patch.OPERATIONS)
    apply_patch(path, Patch(append=(("tblFacturen", rows),)), backup=False)
    return {k: v - before.get(k, 0) for k, v in xlsx_patch.OPERATIONS.items()}


def test_appending_4x_the_rows_scans_and_copies_the_sheet_as_often(agreements_book, tmp_path):
    few, many = tmp_path / "weinig.xlsx", tmp_path / "veel.xlsx"
    few.write_bytes(agreements_book.read_bytes())
    many.write_bytes(agreements_book.read_bytes())
    exp = _append_invoices(few, 500)
    got = _append_invoices(many, 2000)
    assert exp["scan"] >= 1 and exp["copy"] >= 1
    assert got == exp  # the same scans, copies and writes for 4x the rows
    rows = CalamineWorkbook.from_path(str(many)).get_sheet_by_name("Facturen").to_python()
    header = rows[0]
    last = dict(zip(header, rows[-1], strict=True))
    assert (last["Factuurnummer"], last["Bedrag"], last["Omschrijving"]) == (
        "L-001999",
        299.99,  # 1999 % 900 + 100
        "order 1999 & co",
    )
    assert last["Vervaldatum"] == date(2026, 2, 1 + 1999 % 28)
    assert [r[header.index("Factuurnummer")] for r in rows[-2000:]] == [
        f"L-{k:06d}" for k in range(2000)
    ]


# --- the engine's look-ups: by index, not a walk through a whole table per item -----------


class _Walked(tuple):  # type: ignore[type-arg]
    """A Book table that counts how often it is walked from start to end."""

    walks = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        type(self).walks += 1
        return super().__iter__()


def _counted(table: tuple) -> _Walked:  # type: ignore[type-arg]
    class Walked(_Walked):
        walks = 0

    return Walked(table)


def _confirmations_walk(letters: int) -> tuple[int, int]:
    """How often composing this many confirmation letters walks Contactpersonen and
    Afspraken."""
    book = generate_book(invoices=6000, customers=1200, agreements=800, contacts=100)
    persons, agreements = _counted(book.contact_persons), _counted(book.agreements)
    book = replace(book, contact_persons=persons, agreements=agreements)
    plan, ledger = plan_with_ledger(book, AS_OF)
    tasks = [t for t in plan.letters if t.agreement][:letters]
    assert len(tasks) == letters
    before = type(persons).walks, type(agreements).walks
    for task in tasks:
        compose(task, book, AS_OF, ledger=ledger)
    return type(persons).walks - before[0], type(agreements).walks - before[1]


def test_confirmation_letters_find_partner_and_agreement_without_walking_whole_tables():
    assert _confirmations_walk(10) == _confirmations_walk(40)


def _agreement_walks(lines: int) -> int:
    """How often matching this many bank lines (paid by customers with agreements, by
    amount only: rule R4/R5) walks Afspraken."""
    book = generate_book(invoices=3000, customers=600, agreements=400, contacts=50)
    agreements = _counted(book.agreements)
    book = replace(book, agreements=agreements)
    accounts = {c.number: c.ibans[0] for c in book.customers if c.ibans}
    payers = [a.customer for a in book.agreements if a.customer in accounts]
    bank = tuple(
        BankLine(
            booked=AS_OF,
            amount=Decimal("12.34"),
            counter_iban=accounts[payers[k % len(payers)]].replace(" ", "").upper(),
            counter_name="",
            description="",
            reference=f"zonder factuurnummer {k}",
            end_to_end="",
            own_iban="NL44RABO0123456789",
            source="test",
        )
        for k in range(lines)
    )
    before = type(agreements).walks
    match_bank_lines(book, bank, AS_OF)
    return type(agreements).walks - before


def test_matching_4x_the_lines_walks_the_agreements_as_often():
    assert _agreement_walks(50) == _agreement_walks(200)


# --- what a command loads ----------------------------------------------------------------

HEAVY = ("reportlab", "pypdf", "openpyxl", "pyOpenVBA", "jinja2", "segno")

_PROBE = """
import json, sys
from addin.cli import main
try:
    main(sys.argv[2:])
except SystemExit:
    pass
with open(sys.argv[1], "w") as out:
    json.dump(sorted(sys.modules), out)
"""


def _modules(tmp_path: Path, *argv: str) -> set[str]:
    out = tmp_path / "modules.json"
    subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), *argv],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    return {name.split(".")[0] for name in json.loads(out.read_text())}


def test_werklijst_loads_no_pdf_openpyxl_or_vba_code(tmp_path):
    loaded = _modules(tmp_path, "werklijst", str(VOORBEELD), "--datum", "2026-11-24", "--json")
    assert "python_calamine" in loaded  # it did read the workbook
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_help_loads_neither_the_reader_nor_the_engine(tmp_path):
    loaded = _modules(tmp_path, "--help")
    assert loaded.isdisjoint({*HEAVY, "python_calamine", "holidays", "dateutil"})


def test_importeer_loads_no_openpyxl_or_pdf_code(tmp_path):
    book = tmp_path / "boek.xlsx"
    book.write_bytes(VOORBEELD.read_bytes())
    listed = tmp_path / "lijst.csv"
    listed.write_text("Factuur;Klant;Datum;Bedrag\nL-1;K001;1-11-2026;10,00\n")
    loaded = _modules(tmp_path, "importeer", str(book), str(listed), "--json")
    assert "python_calamine" in loaded  # it did read the workbook
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


_READING_PROBE = """
import json, sys
from addin.adapters.workbook import reader
from addin.core import workdays
seen = []
convert = reader._read_table
def spy(*args):
    if not seen:  # the first table read: what is loaded by then
        seen.append({
            "holidays": workdays.business_holidays.cache_info().currsize,
            "modules": sorted(sys.modules),
        })
    return convert(*args)
reader._read_table = spy
from addin.cli import main
try:
    main(sys.argv[2:])
except SystemExit:
    pass
with open(sys.argv[1], "w") as out:
    json.dump(seen[0], out)
"""


@pytest.mark.parametrize(
    ("command", "needs"),
    [
        (["werklijst", "--json"], "addin.core.plan"),
        (["herinneringen", "--proef", "--json"], "addin.adapters.documents.letter_job"),
        (["overzicht", "--proef", "--json"], "addin.core.plan"),
        (["verstuur", "--proef", "--json"], "addin.adapters.mail.job"),
    ],
)
def test_planning_commands_load_holidays_and_code_while_the_workbook_is_read(
    tmp_path, command, needs
):
    """The holidays package (0.09 s) and a command's own libraries (the letter run's 0.4 s)
    load while python-calamine parses the first table, not after the reading: by the time
    the first table is converted, they are there."""
    book = tmp_path / "boek.xlsx"
    book.write_bytes(VOORBEELD.read_bytes())
    out = tmp_path / "seen.json"
    name, *flags = command
    subprocess.run(
        [sys.executable, "-c", _READING_PROBE, str(out), name, str(book),
         "--datum", "2026-11-24", *flags],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )  # fmt: skip
    seen = json.loads(out.read_text())
    assert seen["holidays"] >= 1  # 2026's
    assert needs in seen["modules"]


# --- the checks and the plan at 4x the book --------------------------------------------------


def _library_calls(monkeypatch: pytest.MonkeyPatch, customers: int) -> dict[str, int]:
    """How often the checks ask email-validator and python-stdnum, for a book of this size
    (a third of the customers with an IBAN of right check digits, the rest wrong, one
    unusual address)."""
    import dataclasses

    from stdnum import iban as stdnum_iban

    from addin.core import addresses, checks, references

    book = generate_book(invoices=customers, customers=customers, agreements=1, contacts=1)
    fixed = []
    for k, c in enumerate(book.customers):
        if k % 3 == 0 and c.ibans:
            body = c.ibans[0][4:]
            fixed.append(
                dataclasses.replace(
                    c, ibans=(f"NL{stdnum_iban.calc_check_digits('NL00' + body)}{body}",)
                )
            )
        elif c.ibans:  # check digits 00 are never right (ISO 7064: 02 to 98)
            fixed.append(dataclasses.replace(c, ibans=(f"NL00{c.ibans[0][4:]}",)))
        else:
            fixed.append(c)
    fixed[1] = dataclasses.replace(fixed[1], email="info@bücher.de")
    book = dataclasses.replace(book, customers=tuple(fixed))
    calls = {"email-validator": 0, "stdnum": 0}

    def counted(name: str, func: object) -> object:
        def call(*args: object, **kwargs: object) -> object:
            calls[name] += 1
            return func(*args, **kwargs)  # type: ignore[operator]

        return call

    monkeypatch.setattr(addresses, "validate_email", counted("email-validator", validate_email))
    monkeypatch.setattr(references.stdnum_iban, "is_valid", counted("stdnum", iban_is_valid))
    addresses.parse_address.cache_clear()
    references._IBAN_SHAPES.clear()
    problems = checks.run_checks(book, date(2026, 11, 24))
    assert any("IBAN" in p.message for p in problems)
    return calls


def test_4x_the_customers_ask_the_address_and_iban_libraries_as_often(monkeypatch):
    exp = _library_calls(monkeypatch, 200)
    got = _library_calls(monkeypatch, 800)
    assert 1 <= exp["email-validator"] <= 2 and 1 <= exp["stdnum"] <= 2
    assert got == exp  # once per unusual address, once per IBAN shape


def _collector_passes(action: object) -> int:
    import gc

    passes = 0

    def count(phase: str, info: dict[str, int]) -> None:
        nonlocal passes
        passes += phase == "start"

    was_enabled = gc.isenabled()
    gc.enable()
    gc.callbacks.append(count)
    try:
        action()  # type: ignore[operator]
    finally:
        gc.callbacks.remove(count)
        if not was_enabled:
            gc.disable()
    return passes


@pytest.mark.parametrize("invoices", [2000, 8000])
def test_plan_book_makes_no_collector_pass(invoices):
    """No pass of the cycle collector over the book or the plan, inside plan_book or at the
    caller's next allocations (each pass scanned every record: 0.3 s at 100,000 invoices)."""
    import gc

    from addin.core.plan import plan_book

    book = generate_book(invoices, invoices // 5, invoices // 20, invoices // 2)
    plans = []
    young = []

    def plan() -> None:
        plans.append(plan_book(book, date(2026, 11, 24)))
        young.append(len(gc.get_objects(generation=0)) + len(gc.get_objects(generation=1)))

    got = _collector_passes(plan)
    assert got == 0
    # What the plan keeps is in the oldest generation: the next pass, which some later
    # allocation starts, does not scan its actions.
    assert len(plans[0].actions) == invoices
    assert young[0] < invoices // 10


@pytest.mark.parametrize("command", ["werklijst", "controleer"])
def test_reading_and_planning_commands_make_no_collector_pass(tmp_path, capsys, command):
    import dataclasses

    from addin.cli import build_parser

    book = tmp_path / "boek.xlsx"
    generated = generate_book(2000, 400, 100, 1000)
    # A quarter of the customers with wrong IBAN check digits: controleer builds problems too.
    customers = tuple(
        dataclasses.replace(c, ibans=(f"NL00{c.ibans[0][4:]}",)) if k % 4 == 0 and c.ibans else c
        for k, c in enumerate(generated.customers)
    )
    write_book(dataclasses.replace(generated, customers=customers), book)
    args = build_parser().parse_args([command, str(book), "--datum", "2026-11-24", "--json"])
    codes = []
    got = _collector_passes(lambda: codes.append(args.func(args)))  # the command, not argparse
    assert codes and codes[0] in (0, 1)
    assert json.loads(capsys.readouterr().out)["acties" if command == "werklijst" else "problemen"]
    assert got == 0
