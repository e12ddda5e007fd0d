"""Instellingen complete before any letter (issue 10, item 4): with a letter due and the
sender's details missing or a wrong IBAN, `controleer` names each cell, and `herinneringen`
(also --proef), `overdracht` and the ribbon refuse with exit 2 and write nothing, neither in
the workbook nor in the output folder. Customers' IBANs are checked, but never refuse."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from addin import ribbon
from addin.adapters.workbook.book_writer import write_book
from addin.cli import main
from addin.core.model import Settings
from addin.example import example_book
from tests.adapters.live_openpyxl import OpenpyxlWorkbook

DAY = "2026-11-24"
REQUIRED = ("Bedrijfsnaam", "Adres", "Postcode", "Plaats", "E-mail", "IBAN")


def _run(capsys, *args) -> tuple[int, dict]:
    code = main([str(a) for a in args])
    return code, json.loads(capsys.readouterr().out)


def _workbook(tmp_path: Path, settings: Settings) -> Path:
    path = tmp_path / "Debiteuren.xlsx"
    write_book(replace(example_book(), settings=settings), path)
    return path


@pytest.fixture
def empty_settings(tmp_path: Path) -> Path:
    """The example's data with Instellingen as a new workbook has them (nothing filled)."""
    return _workbook(tmp_path, Settings())


def _complete(**changes: str) -> Settings:
    return replace(example_book().settings, **changes)


def test_controleer_names_every_missing_setting(capsys, empty_settings):
    code, data = _run(capsys, "controleer", empty_settings, "--datum", DAY, "--json")
    assert code == 1
    mine = [p for p in data["problemen"] if p["blad"] == "Instellingen"]
    assert sorted(p["melding"].split("'")[1] for p in mine) == sorted(REQUIRED)
    assert all(p["kolom"] == "Waarde" and isinstance(p["rij"], int) for p in mine)
    assert [p["rij"] for p in mine] == sorted(p["rij"] for p in mine)  # as in the sheet


@pytest.mark.parametrize("proef", [False, True])
def test_letters_are_refused_and_nothing_is_written(capsys, empty_settings, proef):
    before = empty_settings.read_bytes()
    flags = ["--proef"] if proef else []
    code, data = _run(capsys, "herinneringen", empty_settings, "--datum", DAY, *flags, "--json")
    assert code == 2
    assert "Instellingen" in data["fout"] and "niets geschreven" in data["fout"]
    assert {p["melding"].split("'")[1] for p in data["problemen"]} == set(REQUIRED)
    assert empty_settings.read_bytes() == before
    assert sorted(p.name for p in empty_settings.parent.iterdir()) == ["Debiteuren.xlsx"]


def test_text_output_names_sheet_row_and_column(capsys, empty_settings):
    assert main(["herinneringen", str(empty_settings), "--datum", DAY]) == 2
    err = capsys.readouterr().err
    assert "Instellingen, rij 2, kolom Waarde: Instelling 'Bedrijfsnaam' is leeg" in err


def test_a_wrong_iban_is_refused_a_test_iban_is_not(capsys, tmp_path):
    wrong = _workbook(tmp_path, _complete(iban="NL92ABNA0417164300"))
    code, data = _run(capsys, "herinneringen", wrong, "--datum", DAY, "--proef", "--json")
    assert code == 2
    ((problem,),) = [data["problemen"]]
    assert "NL92ABNA0417164300" in problem["melding"] and problem["blad"] == "Instellingen"

    (tmp_path / "ok").mkdir()
    # A textbook number: right check digits, no such account; no bank-specific test refuses it.
    fine = _workbook(tmp_path / "ok", _complete(iban="NL91 ABNA 0417 1643 00"))
    code, data = _run(capsys, "herinneringen", fine, "--datum", DAY, "--proef", "--json")
    assert code in (0, 1) and len(data["brieven"]) == 10


def test_overdracht_is_refused(capsys, empty_settings):
    before = empty_settings.read_bytes()
    code, data = _run(capsys, "overdracht", empty_settings, "K013", "--datum", DAY, "--json")
    assert code == 2 and "Instellingen" in data["fout"]
    assert empty_settings.read_bytes() == before
    assert sorted(p.name for p in empty_settings.parent.iterdir()) == ["Debiteuren.xlsx"]


def test_nothing_due_needs_no_settings(capsys, tmp_path):
    path = tmp_path / "Leeg.xlsx"
    write_book(replace(example_book(), settings=Settings(), invoices=()), path)
    _code, data = _run(capsys, "controleer", path, "--datum", DAY, "--json")
    assert not [p for p in data["problemen"] if p["blad"] == "Instellingen"]


def test_customer_iban_is_reported_not_refused(capsys, tmp_path):
    book = example_book()
    first = replace(book.customers[0], ibans=("NL92ABNA0417164300",))
    path = tmp_path / "Debiteuren.xlsx"
    write_book(replace(book, customers=(first, *book.customers[1:])), path)
    code, data = _run(capsys, "controleer", path, "--datum", DAY, "--json")
    assert code == 1
    ((problem,),) = [data["problemen"]]
    assert (problem["blad"], problem["kolom"]) == ("Klanten", "IBAN")
    assert "NL92ABNA0417164300" in problem["melding"]
    code, data = _run(capsys, "herinneringen", path, "--datum", DAY, "--proef", "--json")
    assert code == 1 and data["brieven"]


def test_the_ribbon_refuses(empty_settings):
    before = empty_settings.read_bytes()
    excel = OpenpyxlWorkbook(empty_settings)
    outcome = ribbon.maak_herinneringen(excel, excel_day())
    assert not outcome.ok and outcome.folder is None
    ((message, _title, critical),) = excel.alerts
    assert critical and "Instellingen, rij 2, kolom Waarde" in message
    assert excel.writes == 0
    assert empty_settings.read_bytes() == before
    assert sorted(p.name for p in empty_settings.parent.iterdir()) == ["Debiteuren.xlsx"]

    check = ribbon.controleer_gegevens(OpenpyxlWorkbook(empty_settings), excel_day())
    assert "Bedrijfsnaam" in check.message


def excel_day():
    from datetime import date

    return date(2026, 11, 24)


def test_nothing_due_leaves_no_empty_day_folder(capsys, tmp_path):
    # Before the first invoice falls due: no letter, so no uitvoer/<datum> folder either.
    path = tmp_path / "Debiteuren.xlsx"
    write_book(example_book(), path)
    code, data = _run(capsys, "herinneringen", path, "--datum", "2025-10-01", "--json")
    assert code in (0, 1) and data["brieven"] == []
    assert not (tmp_path / "uitvoer").exists()


@pytest.mark.parametrize(
    ("kvk", "vat", "wrong"),
    [
        ("1234567", "NL858123459B01", ["KvK"]),  # seven digits
        ("12345678", "NL858123456B01", ["BTW-nummer"]),  # mod-11 check digit wrong
        ("KvK 1234", "858123459B01", ["KvK", "BTW-nummer"]),  # letters; no country code
        ("1234 5678", "nl 8581.23.459 b01", []),  # spaces and dots, as typed, are fine
    ],
)
def test_controleer_checks_the_own_kvk_and_btw_nummer(capsys, tmp_path, kvk, vat, wrong):
    """Printed on every letter and invoice, so a typing error there is reported by row."""
    path = _workbook(tmp_path, _complete(kvk=kvk, vat_number=vat))
    code, data = _run(capsys, "controleer", path, "--datum", DAY, "--json")
    mine = [p for p in data["problemen"] if p["blad"] == "Instellingen"]
    assert [p["melding"].split(" ")[0].replace("-nummer", "") for p in mine] == [
        w.replace("-nummer", "") for w in wrong
    ]
    assert all(p["kolom"] == "Waarde" and isinstance(p["rij"], int) for p in mine)
    rows = {p["rij"] for p in mine}
    assert len(rows) == len(wrong)  # each its own Instellingen row
    assert code == (1 if wrong else 0)


def test_the_refusal_names_the_workbook(capsys, empty_settings):
    # It named sheet, row and column but not the file, as the other refusals do.
    code, data = _run(capsys, "herinneringen", empty_settings, "--datum", DAY, "--json")
    assert code == 2
    assert data["fout"].startswith(
        "De brieven zijn niet gemaakt: de gegevens van de afzender op het blad Instellingen "
        f"van de werkmap '{empty_settings}' zijn onvolledig.\n"
    )
    assert main(["herinneringen", str(empty_settings), "--datum", DAY]) == 2
    assert f"van de werkmap '{empty_settings}' zijn onvolledig." in capsys.readouterr().err
    code, data = _run(capsys, "overdracht", empty_settings, "K013", "--datum", DAY, "--json")
    assert code == 2
    assert data["fout"].startswith(
        "Het overdrachtsdossier is niet gemaakt: de gegevens van de afzender op het blad "
        f"Instellingen van de werkmap '{empty_settings}' zijn onvolledig.\n"
    )
