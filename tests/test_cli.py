"""The command line on real workbook files: JSON contract, text output, exit codes.

Workbooks are written to disk (openpyxl via write_book, or by hand for messy input) and the
documented CLI is run on them, in-process through `main` and once as a real process.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import Table

from addin.adapters.workbook.book_writer import write_book
from addin.cli import main
from tests.core.booktext import book

BOOK = """
[klanten]
| klant | naam        | soort       | segment | eigenaar | telefoon  | adres       |
| K1    | Jansen BV   | Zakelijk    | C       | Anna     | 010-12345 | Dorpsweg 1  |
| K2    | Groot BV    | Zakelijk    | A       | Bram     | 020-12345 | Kerkplein 2 |
[contactpersonen]
| klant | naam      | functie | telefoon |
| K2    | Kees Kok  | Inkoop  | 06-1     |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag  | omschrijving      |
| F1      | K1    | 2026-10-01   | 2026-10-31  | 1210.00 | onderhoud         |
| F2      | K2    | 2026-10-01   | 2026-11-19  | 500.00  | =HYPERLINK("x")   |
| F3      | K1    | 2026-10-01   | 2026-10-31  | 100.00  |                   |
[betalingen]
| datum      | bedrag | factuur | klant | status    |
| 2026-11-23 | 100.00 | F3      | K1    | Gekoppeld |
"""


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "Debiteuren.xlsx"
    sender = {  # complete, so controleer finds nothing (core.sender)
        "address": "Kerkstraat 1",
        "postcode": "1234 AB",
        "city": "Utrecht",
        "email": "info@test.nl",
        "iban": "NL91ABNA0417164300",
    }
    write_book(book(BOOK, company_name="Test BV", **sender), path)
    return path


def test_werklijst_json_follows_the_contract(capsys, workbook):
    code, out, _ = run(capsys, "werklijst", workbook, "--datum", "2026-11-24", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["datum"] == "2026-11-24"
    assert {"acties", "problemen", "waarschuwingen"} <= set(data)
    acties = {a["factuur"]: a for a in data["acties"]}
    assert set(acties) == {"F1", "F2", "F3"}
    required = {
        "factuur",
        "klant",
        "status",
        "open",
        "actie",
        "datum",
        "kanaal",
        "contact",
        "telefoon",
        "eigenaar",
        "doel",
        "reden",
    }
    for a in data["acties"]:
        assert required <= set(a)
        assert re.fullmatch(r"-?\d+\.\d\d", a["open"]), a["open"]
        assert a["datum"] is None or re.fullmatch(r"\d{4}-\d\d-\d\d", a["datum"])
    f1, f2, f3 = acties["F1"], acties["F2"], acties["F3"]
    assert (f1["actie"], f1["datum"], f1["open"], f1["kanaal"], f1["eigenaar"]) == (
        "herinnering",
        "2026-11-02",
        "1210.00",
        "Brief en e-mail",
        "Anna",
    )
    assert (f2["actie"], f2["contact"], f2["telefoon"], f2["status"]) == (
        "bellen",
        "Kees Kok",
        "06-1",
        "vervallen",
    )
    assert (f3["actie"], f3["status"], f3["open"], f3["contact"], f3["kanaal"]) == (
        "geen",
        "betaald",
        "0.00",
        None,
        None,
    )
    assert data["problemen"] == []


def test_werklijst_text_is_a_dutch_days_work(capsys, workbook):
    code, out, _ = run(capsys, "werklijst", workbook, "--datum", "2026-11-24")
    assert code == 0
    assert out.startswith("Werklijst 24-11-2026 - Test BV")
    assert "Bellen (1)" in out and "Groot BV (K2)" in out and "Kees Kok" in out
    assert "Brieven klaar om te maken (1)" in out and "1.210,00" in out
    # K2, the top customer, is called about its overdue invoice: no "keep in touch" prompt
    # beside that call (PLAYBOOK R3), so nothing to warn of today.
    assert "Waarschuwingen" not in out and "Topklant" not in out


def test_stale_bank_data_is_warned(capsys, workbook):
    _, out, _ = run(capsys, "werklijst", workbook, "--datum", "2026-12-10", "--json")
    kinds = {w["soort"] for w in json.loads(out)["waarschuwingen"]}
    assert "bank-verouderd" in kinds
    _, out, _ = run(capsys, "werklijst", workbook, "--datum", "2026-12-10")
    assert "Waarschuwingen" in out
    _, out, _ = run(capsys, "werklijst", workbook, "--datum", "2026-11-24", "--json")
    kinds = {w["soort"] for w in json.loads(out)["waarschuwingen"]}
    assert "bank-verouderd" not in kinds


def test_datum_accepts_dutch_text_too(capsys, workbook):
    _, iso, _ = run(capsys, "werklijst", workbook, "--datum", "2026-11-24", "--json")
    _, dutch, _ = run(capsys, "werklijst", workbook, "--datum", "24-11-2026", "--json")
    assert json.loads(iso) == json.loads(dutch)


def _messy(path: Path) -> Path:
    """A workbook as people make them: plain range for Klanten, a table with columns in
    another order, text dates and amounts, an empty row, a duplicate and an unknown customer."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Klanten"
    ws.append(["Naam ", " klantnummer", "Soort", "Extra"])
    ws.append(["Jansen BV", "K1", "zakelijk", "x"])
    ws.append(["Piet Puk", "P1", "Particulier", ""])
    f = wb.create_sheet("Facturen")
    f.append(["Bedrag", "Factuurnummer", "Klantnummer", "Vervaldatum", "Factuurdatum"])
    f.append(["€ 1.234,56", "F1", "K1", "3-11-2026", "04-10-26"])
    f.append([None, None, None, None, None])
    f.append([99.5, "F2", "P1", date(2026, 11, 1), date(2026, 10, 1)])
    f.append([10, "F1", "K1", "3-11-2026", "4-10-2026"])
    f.append([10, "F3", "K9", "3-11-2026", "4-10-2026"])
    f.append([10, "F4", "K1", "31-02-2026", "4-10-2026"])
    f.add_table(Table(displayName="tblFacturen", ref="A1:E7"))
    wb.save(path)
    return path


def test_messy_workbook_reads_with_problems_named_by_sheet_row_and_column(capsys, tmp_path):
    path = _messy(tmp_path / "rommel.xlsx")
    code, out, _ = run(capsys, "werklijst", path, "--datum", "2026-11-24", "--json")
    data = json.loads(out)
    assert code == 1
    acties = {a["factuur"]: a for a in data["acties"]}
    # F1's duplicate and F3 (unknown customer) are skipped; F4's impossible Vervaldatum is
    # optional, so F4 is read with the due date from the term (4-10 + 30 days).
    assert set(acties) == {"F1", "F2", "F4"}
    assert acties["F4"]["vervaldatum"] == "2026-11-03"
    assert acties["F1"]["open"] == "1234.56" and acties["F1"]["vervaldatum"] == "2026-11-03"
    assert acties["F2"]["open"] == "99.50"
    where = {(p["blad"], p["rij"], p["kolom"]) for p in data["problemen"]}
    assert ("Facturen", 5, "Factuurnummer") in where  # duplicate of row 2
    assert ("Facturen", 6, "Klantnummer") in where  # K9 unknown
    assert ("Facturen", 7, "Vervaldatum") in where  # 31-02 does not exist
    assert all(p["melding"] for p in data["problemen"])

    code, out, _ = run(capsys, "controleer", path)
    assert code == 1
    assert re.search(r"rommel\.xlsx:Facturen:7: \[Vervaldatum\] .*31-02-2026", out), out


def test_rows_that_name_a_skipped_row_say_it_was_skipped(capsys, workbook):
    """K2's Klanten row has no Naam and invoice F3 no valid Bedrag: both rows are skipped
    with a problem of their own. The rows that name them (K2's invoice and contact person,
    the payment of F3) say that row was skipped, not that K2 "staat niet in Klanten" while
    the user sees it there."""
    wb = openpyxl.load_workbook(workbook)
    klanten, facturen = wb["Klanten"], wb["Facturen"]
    k2 = next(r[0].row for r in klanten.iter_rows(min_row=2) if r[0].value == "K2")
    klanten.cell(row=k2, column=2).value = None  # Naam
    f3 = next(r[0].row for r in facturen.iter_rows(min_row=2) if r[0].value == "F3")
    facturen.cell(row=f3, column=5).value = "veel"  # Bedrag
    wb.save(workbook)
    code, out, _ = run(capsys, "controleer", workbook, "--json")
    assert code == 1
    got = sorted((p["blad"], p["melding"]) for p in json.loads(out)["problemen"])
    skipped = "op een rij die is overgeslagen (zie de melding daar)"
    exp = [
        ("Betalingen", f"Factuur F3 staat in Facturen {skipped}; deze betaling telt nergens mee"),
        ("Contactpersonen", f"Klantnummer K2 staat in Klanten {skipped}; deze contactpersoon "
                            "wordt niet gebruikt"),
        ("Facturen", f"Facturen!E{f3}: 'veel' is geen bedrag; verwacht een bedrag zoals "
                     "1.234,56. Bedrag is verplicht: rij overgeslagen."),
        ("Facturen", f"Klantnummer K2 van factuur F2 staat in Klanten {skipped}; deze factuur "
                     "wordt overgeslagen"),
        ("Klanten", f"Klanten!B{k2}: Naam is leeg, maar verplicht: rij overgeslagen."),
    ]  # fmt: skip
    assert got == exp


def test_controleer_clean_workbook_exits_0(capsys, workbook):
    code, out, _ = run(capsys, "controleer", workbook, "--json")
    assert (code, json.loads(out)) == (0, {"problemen": []})


def test_controleer_reports_a_bad_kvk_and_btw_nummer_by_row_and_column(capsys, tmp_path):
    """Reported, never refused: the rest of the workbook is read and planned as usual."""
    path = tmp_path / "Debiteuren.xlsx"
    text = """
[klanten]
| klant | naam      | kvk      | btw-nummer     |
| K1    | Jansen BV | 32081330 | NL004495445B01 |
| K2    | Groot BV  | 3208133  | NL004495446B01 |
| K3    | Klein BV  |          | GB980780684    |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag |
| F1      | K2    | 2026-10-01   | 2026-10-31  | 100.00 |
"""
    write_book(book(text, company_name="Test BV"), path)
    code, out, _ = run(capsys, "controleer", path, "--json")
    assert code == 1
    got = [(p["blad"], p["rij"], p["kolom"]) for p in json.loads(out)["problemen"]
           if p["blad"] == "Klanten"]  # fmt: skip
    assert got == [("Klanten", 3, "KvK"), ("Klanten", 3, "BTW-nummer")]
    code, out, _ = run(capsys, "werklijst", path, "--datum", "2026-11-24", "--json")
    assert [a["factuur"] for a in json.loads(out)["acties"]] == ["F1"]


def test_controleer_names_a_customer_iban_that_is_an_own_account(capsys, tmp_path):
    """Klanten IBAN holding the company's own account (Instellingen IBAN, or one of Eigen
    rekeningen) went unreported: a transfer from it is never the customer's payment (R0).
    Written as users type it (spaces, lower case), among the customer's other accounts."""
    path = tmp_path / "Debiteuren.xlsx"
    text = """
[klanten]
| klant | naam      | iban                                       |
| K1    | Jansen BV | nl91 abna 0417 1643 00                     |
| K2    | Groot BV  | NL02ABNA0123456789, NL44RABO0123456789     |
| K3    | Klein BV  | NL18RABO0123459876                         |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag |
| F1      | K2    | 2026-10-01   | 2026-10-31  | 100.00 |
"""
    write_book(
        book(
            text,
            company_name="Test BV",
            iban="NL91 ABNA 0417 1643 00",
            own_accounts=("NL44RABO0123456789",),
        ),
        path,
    )
    code, out, _ = run(capsys, "controleer", path, "--json")
    got = json.loads(out)["problemen"]
    exp = [("Klanten", 2, "IBAN", "NL91ABNA0417164300", "K1"),
           ("Klanten", 3, "IBAN", "NL44RABO0123456789", "K2")]  # fmt: skip
    assert code == 1 and [(p["blad"], p["rij"], p["kolom"]) for p in got] == [e[:3] for e in exp], (
        got
    )
    for p, (*_, iban, customer) in zip(got, exp, strict=True):
        assert p["melding"].startswith(f"IBAN '{iban}' van klant {customer} is een rekening van uw")
        assert (
            "Eigen rekeningen" in p["melding"] and "haal het IBAN bij de klant weg" in p["melding"]
        )
    code, out, _ = run(capsys, "werklijst", path, "--datum", "2026-11-24", "--json")
    problems = json.loads(out)["problemen"]
    assert [(p["blad"], p["rij"], p["kolom"]) for p in problems] == [e[:3] for e in exp]


def test_controleer_names_row_and_waarde_for_each_own_company_value(capsys, tmp_path):
    """The company's own E-mail, KvK and BTW-nummer in Instellingen: each problem names the
    setting's row and the column Waarde, the cell to correct, the same way for all three."""
    path = tmp_path / "Debiteuren.xlsx"
    text = """
[klanten]
| klant | naam      |
| K1    | Jansen BV |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag |
| F1      | K1    | 2026-10-01   | 2026-10-31  | 100.00 |
"""
    own = {"email": "geen-adres", "kvk": "123", "vat_number": "NL004495446B01"}
    write_book(book(text, company_name="Test BV", **own), path)
    sheet = openpyxl.load_workbook(path)["Instellingen"]
    row_of = {r[0].value: r[0].row for r in sheet.iter_rows(min_row=2)}
    code, out, _ = run(capsys, "controleer", path, "--json")
    assert code == 1
    got = sorted(
        (
            (p["rij"], p["kolom"])
            for p in json.loads(out)["problemen"]
            if p["blad"] == "Instellingen"
        ),
        key=str,
    )
    exp = sorted(((row_of[name], "Waarde") for name in ("E-mail", "KvK", "BTW-nummer")), key=str)
    assert got == exp


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["werklijst", "bestaat-niet.xlsx"], "bestaat-niet.xlsx"),
        (["werklijst", "{kapot}"], "kapot.xlsx"),
    ],
    ids=["missing-file", "not-a-workbook"],
)
def test_unreadable_workbook_exits_2_with_a_dutch_message(capsys, tmp_path, args, message):
    broken = tmp_path / "kapot.xlsx"
    broken.write_bytes(b"dit is geen werkmap")
    args = [
        str(broken) if a == "{kapot}" else str(tmp_path / a) if a.endswith(".xlsx") else a
        for a in args
    ]
    code, out, err = run(capsys, *args)
    assert code == 2
    assert message in err and err.startswith("Fout: ")
    code, out, _ = run(capsys, *args, "--json")
    assert code == 2 and message in json.loads(out)["fout"]


def test_bad_usage_exits_2_in_dutch(capsys, workbook):
    with pytest.raises(SystemExit) as exc:
        main(["werklijst", str(workbook), "--datum", "morgen"])
    assert exc.value.code == 2
    assert "ongeldige datum 'morgen'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [
        ["werklijst", "{boek}", "--json", "--datum", "2026-13-01"],
        ["werklijst", "--json"],
        ["rente", "abc", "--van", "2025-01-01", "--tot", "2025-02-01", "--handel", "--json"],
        ["controleer", "{boek}", "--json", "--onbekend"],
    ],
    ids=["bad-date", "missing-book", "bad-amount", "unknown-option"],
)
def test_bad_usage_with_json_is_a_json_error_on_stdout(capsys, workbook, args):
    """A script that asked for --json gets {"fout": ...} for a wrong command line too, as
    for every other refusal, and exit code 2."""
    with pytest.raises(SystemExit) as exc:
        main([str(workbook) if a == "{boek}" else a for a in args])
    out, err = capsys.readouterr()
    assert exc.value.code == 2
    assert json.loads(out)["fout"].startswith("Fout in de opdracht: "), out
    assert err == ""


@pytest.mark.parametrize(
    ("command", "exp"),
    [
        ("herinneringen", ["BOEK", "--uit MAP"]),
        ("overdracht", ["BOEK KLANTNUMMER", "--uit MAP"]),
        ("bouw", ["--uit PAD"]),
        ("nieuw", ["PAD"]),
        ("werklijst", ["BOEK"]),
    ],
)
def test_help_names_the_arguments_as_the_readme_does(capsys, command, exp):
    """The README's table says `herinneringen BOEK [--uit MAP]`; --help said `boek` and
    `--uit UIT` (the option's own name)."""
    with pytest.raises(SystemExit):
        main([command, "--help"])
    usage = " ".join(capsys.readouterr().out.split("\n\n")[0].split())
    assert all(word in usage for word in exp), usage


def test_bank_help_names_every_format_it_reads(capsys):
    """bank reads ABN AMRO's TXT export (README, "Opdrachten"); its --help still named only
    CAMT.053, MT940 and the CSVs of ING and Rabobank."""
    with pytest.raises(SystemExit):
        main(["bank", "--help"])
    got = " ".join(capsys.readouterr().out.split())
    for exp in ("CAMT.053", "MT940", "CSV van ING of Rabobank", "TXT van ABN AMRO", "ZIP"):
        assert exp in got, got


def test_help_lists_the_commands_in_the_order_of_the_readme(capsys):
    """`debiteuren --help` lists every command, in the order of the README's table
    "Opdrachten" (it listed werklijst first and bouw among the calculators)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Opdrachten\n", 1)[1]
    table = section.split("\n| opdracht | wat |\n", 1)[1].split("\n\n", 1)[0]
    exp = re.findall(r"^\| `debiteuren (\w+)", table, flags=re.MULTILINE)
    assert len(exp) == len(set(exp)) > 10, table
    with pytest.raises(SystemExit):
        main(["--help"])
    listing = capsys.readouterr().out.split("OPDRACHT\n", 1)[1].split("\n\n", 1)[0]
    got = re.findall(r"^    (\w+)", listing, flags=re.MULTILINE)
    assert got == exp


def test_each_commands_options_are_those_of_the_readme_in_its_order(capsys):
    """Each row of the README's table "Opdrachten" names the options its --help shows, in
    the same order (verstuur's row had --json before --markeer-verzonden and --opnieuw,
    which exclude each other, and bijwerken's --proef before --json)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("\n| opdracht | wat |\n", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| `debiteuren (\w+)([^`]*)`", table, flags=re.MULTILINE)
    assert len(rows) > 10, table
    for command, synopsis in rows:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        usage = capsys.readouterr().out.split("\n\n", 1)[0]
        got = [o for o in re.findall(r"--[a-z-]+", usage) if o != "--help"]
        assert re.findall(r"--[a-z-]+", synopsis) == got, (command, synopsis, usage)
    verstuur = dict(rows)["verstuur"]
    assert "[--markeer-verzonden DOCUMENT \\| --opnieuw DOCUMENT]" in verstuur


@pytest.mark.parametrize(
    ("where", "exp_reason"),
    [
        ("bestand/Debiteuren.xlsm", "een deel van het pad is een bestand, geen map"),
        ("nergens/Debiteuren.xlsm", "de map bestaat niet"),
    ],
    ids=["under-a-file", "no-such-folder"],
)
def test_bouw_where_it_cannot_write_says_why_in_dutch(capsys, tmp_path, where, exp_reason):
    (tmp_path / "bestand").write_text("geen map")
    code = main(["bouw", "--uit", str(tmp_path / where), "--json"])
    message = json.loads(capsys.readouterr().out)["fout"]
    assert code == 2 and exp_reason in message and str(tmp_path / where) in message, message
    assert "Errno" not in message, message


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31", "9999-12-31", "9999-12-20"])
@pytest.mark.parametrize(
    "args",
    [
        ["werklijst", "{boek}", "--datum", "{day}"],
        ["herinneringen", "{boek}", "--proef", "--datum", "{day}"],
        ["veertiendagen", "--verzonden", "{day}"],
        ["rente", "100", "--van", "2020-01-01", "--tot", "{day}", "--handel"],
    ],
    ids=["werklijst", "herinneringen", "veertiendagen", "rente"],
)
def test_a_date_out_of_any_calendar_in_use_is_a_usage_error(capsys, workbook, args, day):
    """A typo like 0001-01-01 or 9999-12-31 on the command line: exit 2 with a Dutch
    message, not an OverflowError from the date arithmetic (holidays, a year later)."""
    with pytest.raises(SystemExit) as exc:
        main([str(workbook) if a == "{boek}" else day if a == "{day}" else a for a in args])
    assert exc.value.code == 2
    assert "valt buiten 1-3-1900 tot en met 31-12-2999" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("typed", "day"),
    [("31-12-2999", "2999-12-31"), ("1-1-2200", "2200-01-01"), ("1-3-1900", "1900-03-01")],
)
def test_a_day_first_date_has_the_same_range_as_iso(capsys, typed, day):
    """The README: dates 2026-11-24 or 24-11-2026, from 1-3-1900 up to and including
    31-12-2999. The day-first form went through the cell parser, which stops at 31-12-2199:
    '31-12-2999' was 'ongeldige datum' while '2999-12-31' was taken."""
    assert main(["veertiendagen", "--verzonden", typed, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["verzonden"] == day


@pytest.mark.parametrize("typed", ["1-1-3000", "28-2-1900", "31-12-9999"])
def test_a_day_first_date_out_of_range_says_the_range(capsys, typed):
    with pytest.raises(SystemExit) as exc:
        main(["veertiendagen", "--verzonden", typed])
    assert exc.value.code == 2
    assert "valt buiten 1-3-1900 tot en met 31-12-2999" in capsys.readouterr().err


def test_ctrl_c_ends_with_a_dutch_line_and_exit_130(capsys, monkeypatch):
    """Ctrl-C reaches the command as KeyboardInterrupt wherever it is (the user cannot be
    run in a test; `main` stands in for the command it was in): one Dutch line, no
    traceback, the shell's code for a command ended by Ctrl-C."""
    import addin.cli as cli

    def interrupted(**_: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "main", interrupted)
    with pytest.raises(SystemExit) as exc:
        try:
            cli.run()
        except KeyboardInterrupt:  # escaping, it would stop pytest itself
            pytest.fail("KeyboardInterrupt left run() (a traceback for the user)")
    assert exc.value.code == 130
    assert capsys.readouterr().err == "\nAfgebroken (Ctrl-C).\n"


def test_a_worker_leaves_ctrl_c_to_the_run():
    """Ctrl-C in a terminal reaches the letter workers too; they ignore it (and end with
    the run) instead of each printing a KeyboardInterrupt traceback."""
    code = (
        "import os, signal\n"
        "from addin.adapters.processes import end_with_parent\n"
        "end_with_parent(os.getppid())\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "print('nog bezig')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "nog bezig\n", "")


def test_console_script_runs_as_a_real_process(workbook):
    exe = Path(sys.executable).with_name("debiteuren")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "addin.cli"]
    done = subprocess.run(
        [*cmd, "werklijst", str(workbook), "--datum", "2026-11-24", "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["datum"] == "2026-11-24"


@pytest.mark.parametrize(
    ("args", "exp"),
    [
        (["werklijst"], "deze argumenten ontbreken: BOEK"),
        (["onzin"], "ongeldige keuze: 'onzin'"),
        (["werklijst", "x.xlsx", "--foo"], "onbekende argumenten: --foo"),
    ],
    ids=["missing-book", "unknown-command", "unknown-option"],
)
def test_usage_errors_are_dutch(capsys, args, exp):
    with pytest.raises(SystemExit) as exc:
        main(args)
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert exp in err and "gebruik:" in err


@pytest.mark.parametrize(
    ("amounts", "exp"),
    [
        (["0.00", "0", "-0.00", "0.00"], ["0.00", "0.00", "-0.00", "0.00"]),
        (["-0.00", "0.00"], ["-0.00", "0.00"]),
        (["1.5", "1.50", "12.345"], ["1.50", "1.50", "12.35"]),
    ],
    ids=["zero-then-negative-zero", "negative-zero-first", "equal-values"],
)
def test_open_amounts_in_json_as_each_is_formatted(amounts, exp):
    """actions_json formats each distinct amount once; -0.00 keeps its own form."""
    from decimal import Decimal

    from addin.cli.report import actions_json
    from addin.core.model import Action, NextAction, Status

    actions = [
        NextAction(f"F{k}", "K1", Status.PAID, Decimal(a), Action.NONE, "betaald")
        for k, a in enumerate(amounts)
    ]
    got = [a["open"] for a in actions_json(actions, {})]
    assert got == exp


def test_action_json_puts_every_field_under_its_key():
    """actions_json unpacks NextAction as a tuple: each field, all distinct, lands under
    its own key (a reordering of NextAction's fields would show here)."""
    from datetime import date
    from decimal import Decimal

    from addin.cli.report import action_json
    from addin.core.model import Action, Channel, Customer, NextAction, Status

    action = NextAction(
        invoice="F1",
        customer="K1",
        status=Status.OVERDUE,
        open_amount=Decimal("12.5"),
        action=Action.CALL,
        reason="reden",
        date=date(2026, 11, 24),
        channel=Channel.PHONE,
        contact="Jan",
        phone="0612345678",
        email="jan@example.nl",
        owner="Piet",
        goal="doel",
        step="Bellen",
        agreement="A1",
        due_date=date(2026, 10, 1),
    )
    customers = {"K1": Customer(number="K1", name="Bakkerij Jansen")}
    exp = {
        "factuur": "F1",
        "klant": "K1",
        "naam": "Bakkerij Jansen",
        "status": "vervallen",
        "open": "12.50",
        "vervaldatum": "2026-10-01",
        "actie": Action.CALL.value,
        "datum": "2026-11-24",
        "kanaal": "Telefoon",
        "contact": "Jan",
        "telefoon": "0612345678",
        "email": "jan@example.nl",
        "eigenaar": "Piet",
        "doel": "doel",
        "reden": "reden",
        "stap": "Bellen",
        "afspraak": "A1",
    }
    got = action_json(action, customers)
    assert list(got.items()) == list(exp.items())


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_a_reader_that_stops_early_gets_no_traceback(tmp_path, json_flag):
    """`debiteuren werklijst BOEK --json | head -c 100`: the pipe closes under the output.
    A generated book big enough that the output outgrows the pipe's buffer (64 kB)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from generate import generate_book

    path = tmp_path / "groot.xlsx"
    write_book(generate_book(3000, 600, 150, 1500), path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "addin.cli", "werklijst", str(path), "--datum", "2026-11-24",
         *json_flag],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    assert len(proc.stdout.read(100)) == 100
    proc.stdout.close()  # the reader goes away
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) in (0, 1)
    assert "Traceback" not in err and "BrokenPipe" not in err, err


FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize(
    "argv",
    [
        ["bank", "{boek}", str(FIXTURES / "bank" / "camt053-v04-batch.xml")],
        ["overzicht", "{boek}"],
        ["importeer", "{boek}", str(FIXTURES / "ubl")],
        ["overdracht", "{boek}", "K013"],
        ["herinneringen", "{boek}"],
    ],
    ids=lambda argv: argv[0],
)
def test_writing_commands_refuse_a_workbook_open_in_excel(tmp_path, capsys, argv):
    """Excel's owner file beside the workbook: exit 2, the Dutch message, nothing written
    (cli/common.open_refusal, shared by these commands)."""
    folder = tmp_path / "map"
    folder.mkdir()
    boek = folder / "Debiteuren.xlsx"
    boek.write_bytes(
        (Path(__file__).resolve().parents[1] / "workbook" / "Voorbeeld.xlsx").read_bytes()
    )
    (folder / "~$Debiteuren.xlsx").write_bytes(b"owner")
    before = boek.read_bytes()
    args = [a.format(boek=boek) for a in argv]
    dated = [] if argv[0] == "importeer" else ["--datum", "2026-11-24"]  # no plan date there
    code = main([*args, *dated, "--json"])
    fout = json.loads(capsys.readouterr().out)["fout"]
    assert code == 2
    assert "is geopend in Excel" in fout and fout.endswith("Er is niets veranderd.")
    assert boek.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["Debiteuren.xlsx", "~$Debiteuren.xlsx"]


@pytest.mark.parametrize(
    ("verzonden", "handover"),
    [
        # E-mailed Friday 20-11, paper copy not (yet) posted: the e-mail's day counts.
        ("20-11-2026 10:02 SMTP", "2026-12-09"),
        # Its paper copy posted Monday 23-11 (as `verstuur --markeer-verzonden` writes it):
        # received Wed 25-11, term ends Wed 9-12, collection costs due Thu 10-12.
        ("20-11-2026 10:02 SMTP; 23-11-2026 09:15 post", "2026-12-10"),
        # Typed by hand, "Post" with a capital: the same.
        ("20-11-2026 10:02 SMTP; 23-11-2026 Post", "2026-12-10"),
        # A post part without a readable day: the e-mail's day still counts, and the cell
        # is named (test_a_post_part_without_a_readable_day_is_named_on_its_cell).
        ("20-11-2026 10:02 SMTP; post", "2026-12-09"),
    ],
    ids=["e-mail-only", "posted-later", "typed-by-hand", "post-without-day"],
)
def test_fourteen_day_letter_by_e_mail_and_post_counts_from_the_later_day(
    capsys, tmp_path, verzonden, handover
):
    """A consumer's 14-day letter sent as Brief en e-mail: the hand-over (collection costs
    due) is planned from the later of the e-mail's day and the day Verzonden says its paper
    copy went in the post, read from the workbook's own Verzonden text."""
    path = tmp_path / "Boek.xlsx"
    text = """
    [klanten]
    | klant | naam         | soort       | adres      | e-mail       |
    | P1    | Sanne Willems | Particulier | Dorpsweg 1 | sanne@mail.nl |
    [stappen]
    | stap               | na dagen | vanaf       | actie              | kanaal          | voor        | segment |
    | Veertiendagenbrief | 2        | Vervaldatum | veertiendagenbrief | Brief en e-mail | Particulier | Alle    |
    | Incasso            | 1        | Vorige stap | incasso            | Overdracht      | Alle        | Alle    |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | P1    | 2026-09-01   | 2026-10-01  | 500.00 |
    [contacten]
    | datum      | klant | facturen | kanaal          | stap               |
    | 2026-11-20 | P1    | F1       | Brief en e-mail | Veertiendagenbrief |
    [betalingen]
    | datum      | bedrag | factuur | klant | status    |
    | 2026-11-23 | 10.00  |         |       | Genegeerd |
    """
    write_book(book(text, company_name="Test BV"), path)
    wb = openpyxl.load_workbook(path)
    contacts = wb["Contacten"]
    column = [c.value for c in contacts[1]].index("Verzonden") + 1
    contacts.cell(row=2, column=column).value = verzonden
    wb.save(path)
    code, out, _ = run(capsys, "werklijst", path, "--datum", "2026-11-24", "--json")
    assert code == (1 if verzonden.endswith("; post") else 0), out
    (f1,) = json.loads(out)["acties"]
    assert (f1["actie"], f1["datum"]) == ("incasso", handover)


@pytest.mark.parametrize(
    ("verzonden", "part"),
    [("20-11-2026 10:02 SMTP; post", "post"), ("20-11-2026 10:02 SMTP; 23-11 post", "23-11 post"),
     ("20-11-2026 10:02 SMTP; 14:10 23-11-2026 post", "14:10 23-11-2026 post")],
    ids=["no-day", "no-year", "time-first"],
)  # fmt: skip
def test_a_post_part_without_a_readable_day_is_named_on_its_cell(capsys, tmp_path, verzonden, part):
    """Verzonden says the paper copy went in the post but not on a day that can be read:
    the 14-day letter then counts from the e-mail's day, maybe too early (a void letter),
    and nothing said so. Now werklijst and controleer name the cell, from the file and
    with the same message from the ribbon's live read (reader.read_values)."""
    path = tmp_path / "Boek.xlsx"
    text = """
    [klanten]
    | klant | naam          | soort       | adres      | e-mail        |
    | P1    | Sanne Willems | Particulier | Dorpsweg 1 | sanne@mail.nl |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | P1    | 2026-09-01   | 2026-10-01  | 500.00 |
    [contacten]
    | datum      | klant | facturen | kanaal          | stap               |
    | 2026-11-20 | P1    | F1       | Brief en e-mail | Veertiendagenbrief |
    """
    write_book(book(text, company_name="Test BV"), path)
    wb = openpyxl.load_workbook(path)
    contacts = wb["Contacten"]
    column = [c.value for c in contacts[1]].index("Verzonden") + 1
    contacts.cell(row=2, column=column).value = verzonden
    wb.save(path)
    letter = openpyxl.utils.get_column_letter(column)
    for command in ("werklijst", "controleer"):
        code, out, _ = run(capsys, command, path, "--datum", "2026-11-24", "--json")
        assert code == 1, out
        (problem,) = json.loads(out)["problemen"]
        assert (problem["blad"], problem["rij"], problem["kolom"]) == ("Contacten", 2, "Verzonden")
        assert problem["melding"] == (
            f"Contacten!{letter}2: het deel '{part}' noemt geen dag die te lezen is (een "
            "veertiendagenbrief telt dan vanaf de eerste dag in Verzonden); zet de dag van "
            "verzending per post ervoor, zoals '07-12-2026 post'; de rij is wel gelezen."
        )


def test_werklijst_names_the_bank_lines_to_review_as_the_sheet_does(capsys, tmp_path):
    """The Werklijst sheet said "4 waarschuwingen" (its own line about bank lines still to
    review) where `werklijst` and --json listed 3: the line is now a plan warning
    (bank-controleren), the same in the text, --json and the sheet."""
    import shutil

    path = tmp_path / "Voorbeeld.xlsx"
    shutil.copy(Path(__file__).resolve().parents[1] / "workbook" / "Voorbeeld.xlsx", path)
    code, out, _ = run(capsys, "werklijst", path, "--datum", "2026-11-24", "--json")
    warnings = json.loads(out)["waarschuwingen"]
    assert code == 0 and warnings[-1] == {
        "soort": "bank-controleren",
        "melding": "1 bankregel staat in Betalingen op Controleren: kijk hem na; zolang hij er "
        "staat, wordt de klant niet benaderd.",
    }
    _, text, _ = run(capsys, "werklijst", path, "--datum", "2026-11-24")
    assert f"Waarschuwingen ({len(warnings)})" in text
    code, out, _ = run(capsys, "herinneringen", path, "--datum", "2026-11-24", "--json",
                       "--uit", tmp_path / "uit")  # fmt: skip
    sheet = openpyxl.load_workbook(path, read_only=True)["Werklijst"]
    headings = [r[0] for r in sheet.iter_rows(max_row=3, values_only=True)]
    assert f"Waarschuwingen ({len(warnings)})" in headings


# K2's KvK has 7 digits: one problem in the data (reported, never refused), while K1's
# overdue F1 gives a letter to make and a claim to hand over.
ONE_PROBLEM = """
[klanten]
| klant | naam      | soort    | segment | adres      | postcode | plaats  | e-mail       | kvk     |
| K1    | Jansen BV | Zakelijk | C       | Dorpsweg 1 | 1234 AB  | Utrecht | k1@jansen.nl |         |
| K2    | Groot BV  | Zakelijk | C       | Kerkweg 2  | 1234 AC  | Utrecht | k2@groot.nl  | 3208133 |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag  |
| F1      | K1    | 2026-09-01   | 2026-10-01  | 1210.00 |
"""
COMMANDS_THAT_PLAN = [
    ["werklijst", "{boek}"],
    ["herinneringen", "{boek}"],
    ["bank", "{boek}", str(FIXTURES / "bank" / "camt053-v04-batch.xml")],
    ["overdracht", "{boek}", "K1"],
    ["overzicht", "{boek}"],
]


def _one_problem_book(tmp_path: Path) -> Path:
    path = tmp_path / "Debiteuren.xlsx"
    sender = {"address": "Kerkstraat 1", "postcode": "1234 AB", "city": "Utrecht",
              "email": "info@test.nl", "iban": "NL91ABNA0417164300"}  # fmt: skip
    write_book(book(ONE_PROBLEM, company_name="Test BV", **sender), path)
    return path


@pytest.mark.parametrize("argv", COMMANDS_THAT_PLAN, ids=lambda argv: argv[0])
def test_every_command_gives_the_problems_as_controleer_does(capsys, tmp_path, argv):
    """`problemen` in --json is the same list everywhere ({blad, rij, kolom, melding}, as
    controleer --json gives it): herinneringen, bank and overdracht gave only a count under
    that key, and overzicht nothing, while each ended with exit code 1 for them."""
    boek = _one_problem_book(tmp_path)
    code, out, _ = run(capsys, "controleer", boek, "--datum", "2026-11-24", "--json")
    exp = json.loads(out)["problemen"]
    assert [(p["blad"], p["rij"], p["kolom"]) for p in exp] == [("Klanten", 3, "KvK")]
    args = [a.format(boek=boek) for a in argv]
    code, out, _ = run(capsys, *args, "--datum", "2026-11-24", "--json")
    got = json.loads(out)["problemen"]
    assert (code, got) == (1, exp)


@pytest.mark.parametrize("argv", COMMANDS_THAT_PLAN[1:], ids=lambda argv: argv[0])
def test_every_command_says_why_it_ends_with_exit_code_1(capsys, tmp_path, argv):
    """The text says what exit code 1 means, in one sentence for every command (bank and
    overzicht said nothing, overdracht said it on stderr without a full stop)."""
    boek = _one_problem_book(tmp_path)
    args = [a.format(boek=boek) for a in argv]
    code, out, err = run(capsys, *args, "--datum", "2026-11-24")
    assert code == 1, err
    assert "\n1 probleem in de gegevens: zie debiteuren controleer.\n" in out, out


@pytest.mark.parametrize(
    ("argv", "exp"),
    [
        (["overdracht", "{boek}", "K999"], "Klantnummer K999 staat niet in Klanten van {boek}."),
        (["rente", "1000", "--handel"], "Geef --van en --tot op (JJJJ-MM-DD)."),
        (["nieuw", "{map}/nergens/Nieuw.xlsm"], "De map '{map}/nergens' bestaat niet."),
        (["nieuw", "{map}/Nieuw.xlsx"], "'{map}/Nieuw.xlsx' moet op .xlsm eindigen (een werkmap met macro's)."),
    ],
    ids=["unknown-customer", "rente-without-dates", "nieuw-no-folder", "nieuw-not-xlsm"],
)  # fmt: skip
def test_every_refusal_is_a_sentence_with_a_full_stop(capsys, workbook, argv, exp):
    """Half of the refusals ended without a full stop; cli/common.fail ends each one."""
    fill = {"boek": str(workbook), "map": str(workbook.parent)}
    code, _, err = run(capsys, *[a.format(**fill) for a in argv])
    assert (code, err) == (2, f"Fout: {exp.format(**fill)}\n")
    code, out, _ = run(capsys, *[a.format(**fill) for a in argv], "--json")
    assert (code, json.loads(out)) == (2, {"fout": exp.format(**fill)})


@pytest.mark.parametrize(
    ("facturen", "exp"),
    [
        (
            "| F1 | K1 | 2026-11-01 | 2026-12-01 | 100.00 | 0      |\n"
            "| F2 | K1 | 2026-10-01 | 2026-10-31 | 50.00  | 50.00  |",
            "Later gepland: 1 actie. Niets te doen: 1 factuur (betaald, creditnota, "
            "overgedragen of onder het minimum).",
        ),
        (
            "",
            "Er staan nog geen facturen in de werkmap: lees ze in met 'debiteuren importeer' "
            "of vul het blad Facturen.",
        ),
    ],
    ids=["one-of-each", "no-invoices"],
)
def test_werklijst_counts_in_dutch_singular_and_says_what_an_empty_book_needs(
    capsys, tmp_path, facturen, exp
):
    """It said 'Later gepland: 1 acties. Niets te doen: 1 facturen', and on a new workbook
    'Niets te doen: 0 facturen' instead of where the invoices come from."""
    path = tmp_path / "Debiteuren.xlsx"
    text = f"""
[klanten]
| klant | naam      | soort    | segment |
| K1    | Jansen BV | Zakelijk | C       |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag | betaald |
{facturen}
"""
    write_book(book(text, company_name="Test BV"), path)
    code, out, _ = run(capsys, "werklijst", path, "--datum", "2026-11-24")
    assert code == 0
    assert exp in out.splitlines(), out


# The commands that replace the Werklijst or the Overzicht whole, with what they need.
REPLACING = {
    "herinneringen": lambda book, day: ["herinneringen", book, "--datum", day],
    "bank": lambda book, day: [
        "bank",
        book,
        FIXTURES / "bank" / "camt053-v04-batch.xml",
        "--datum",
        day,
    ],
    "overzicht": lambda book, day: ["overzicht", book, "--datum", day],
}


@pytest.mark.parametrize("command", sorted(REPLACING))
def test_what_a_replaced_sheet_loses_is_said_in_text_and_json(command, tmp_path, capsys):
    # Merged cells on the Werklijst and a table of the user's own on the Overzicht go when
    # the program writes those sheets anew. Only bijwerken said so (on stderr); these three
    # commands removed them without a word.
    path = tmp_path / "Voorbeeld.xlsx"
    wb = openpyxl.load_workbook(Path(__file__).resolve().parents[1] / "workbook" / "Voorbeeld.xlsx")
    wb["Werklijst"].merge_cells("H2:J2")
    own = wb["Overzicht"]
    for row in (("Wie", "Bedrag"), ("Piet", 10), ("Anna", 20)):
        own.append(row)
    top = own.max_row - 2
    own.add_table(Table(displayName="tblMijnLijst", ref=f"A{top}:B{top + 2}"))
    wb.save(path)
    merged = "Op het werkblad 'Werklijst' zijn de samengevoegde cellen opgeheven."
    table = "Op het werkblad 'Overzicht' is de tabel tblMijnLijst verwijderd."
    exp = [table] if command == "overzicht" else [merged, table]

    for how in ("json", "text"):
        copy = tmp_path / f"{how}.xlsx"
        copy.write_bytes(path.read_bytes())
        argv = [str(a) for a in REPLACING[command](copy, "2026-11-24")]
        code = main([*argv, "--json"] if how == "json" else argv)
        out = capsys.readouterr().out
        assert code in (0, 1), out
        if how == "json":
            assert json.loads(out)["meldingen"][-len(exp) :] == exp
        else:
            said = [line.strip() for line in out.splitlines() if line.strip() in
                    {f"Let op: {e}" for e in (merged, table)}]  # fmt: skip
            assert said == [f"Let op: {e}" for e in exp]


def test_problems_are_listed_by_sheet_and_row(tmp_path, capsys):
    # The reader's problems came first, column by column, then the checks' problems check
    # by check: 'Facturen:6' before 'Facturen:3', Instellingen before Facturen.
    path = tmp_path / "Voorbeeld.xlsx"
    wb = openpyxl.load_workbook(Path(__file__).resolve().parents[1] / "workbook" / "Voorbeeld.xlsx")
    facturen = wb["Facturen"]
    headers = [c.value for c in facturen[1]]
    facturen.cell(6, headers.index("Factuurnummer") + 1).value = None  # the reader: skipped
    facturen.cell(3, headers.index("Klantnummer") + 1, "K999")  # a check: unknown customer
    facturen.cell(4, headers.index("Betaald") + 1, "veel")  # the reader: no amount
    settings = wb["Instellingen"]
    for row in settings.iter_rows(min_row=2):
        if row[0].value == "IBAN":
            row[1].value = "NL91ABNA041716430" + "1"  # a check: the own IBAN's digits
    wb.save(path)
    for command in ("controleer", "werklijst"):
        code = main([command, str(path), "--datum", "2026-11-24", "--json"])
        assert code == 1
        got = [(p["blad"], p["rij"]) for p in json.loads(capsys.readouterr().out)["problemen"]]
        assert got[:3] == [("Facturen", 3), ("Facturen", 4), ("Facturen", 6)]
        # then Betalingen (a payment of the invoice now without a number); the own IBAN is
        # a problem of controleer's only (the sender's details), a warning on the Werklijst
        exp = ["Betalingen", "Instellingen"] if command == "controleer" else ["Betalingen"]
        assert [sheet for sheet, _ in got[3:]] == exp
