"""Issue 12: every bad input the fault run found ends in a Dutch message naming the file (and
sheet, row and column, or line), the right exit code, and the workbook byte-identical when
nothing was done. One test per reproducer, through the command line on real files."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from addin.adapters.bank.files import read_bank
from addin.adapters.workbook.book_writer import write_book
from addin.adapters.workbook.reader import read_book
from addin.cli import main
from addin.core.model import Invoice
from tests.test_cli_bank import ENTRY, camt

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "workbook" / "Voorbeeld.xlsx"
FIXTURES = ROOT / "tests" / "fixtures" / "bank"
DAY = "2026-11-24"


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "Boek.xlsx"
    shutil.copy(EXAMPLE, path)
    return path


def run(capsys, *args) -> tuple[int, dict]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, json.loads(out.out)


def entry(**values: str) -> str:
    fields = dict(amount="100.00", sign="CRDT", ref="R1", name="JANSEN BV",
                  iban="NL91ABNA0417164300", remittance="<Ustrd>Factuur 2026-0101</Ustrd>")  # fmt: skip
    fields.update(values)
    return ENTRY.format(**fields)


def bank_refused(capsys, workbook: Path, statement: Path) -> str:
    """Run `bank`, expect exit 2 and the workbook untouched; the message."""
    before = workbook.read_bytes()
    code, data = run(capsys, "bank", workbook, statement, "--datum", DAY, "--json")
    assert code == 2, data
    assert workbook.read_bytes() == before
    assert statement.name in data["fout"]
    return data["fout"]


# -- item 1: tracebacks instead of messages -----------------------------------------------------


@pytest.mark.parametrize("encoding", ["UTF-7", "x-onbekend", "UTF-16", "cp037"])
def test_camt_with_an_encoding_it_cannot_read_is_unreadable(capsys, workbook, tmp_path, encoding):
    statement = tmp_path / "nov.xml"
    statement.write_bytes(camt(entry()).replace("UTF-8", encoding).encode("latin-1"))
    message = bank_refused(capsys, workbook, statement)
    assert "onleesbaar" in message and encoding.lower() in message.lower()


def test_mt940_closing_balance_beyond_the_decimal_context(capsys, workbook, tmp_path):
    text = (FIXTURES / "mt940-ing-structured.sta").read_text()
    statement = tmp_path / "nov.sta"
    statement.write_text(
        text.replace(":62F:C261123EUR1599,00", ":62F:C261123EUR" + "9" * 30 + ",00")
    )
    message = bank_refused(capsys, workbook, statement)
    assert "onleesbaar" in message and "regel 18" in message


@pytest.mark.parametrize(
    ("tag", "bad", "line", "what"),
    [
        (":61:", ":61:26112X1123C1210,00NTRFEREF//1", 6, "geen boeking"),
        (":61:", ":61:2611231123X1210,00NTRFEREF//1", 6, "geen boeking"),
        (":61:", ":61:2613991123C1210,00NTRFEREF//1", 6, "geen boeking"),  # 99 December
        (":60F:", ":60F:C26112XEUR1000,00", 5, "geen saldo"),
        (":60F:", ":60F:C261122EURabc", 5, "geen saldo"),
    ],
    ids=["date-letter", "no-sign", "no-such-day", "balance-date", "balance-amount"],
)
def test_mt940_line_the_library_refuses_is_named_without_python_words(
    capsys, workbook, tmp_path, tag, bad, line, what
):
    """The mt940 library's refusal ("'NoneType' object has no attribute 'group'",
    "unconverted data remains: 99") was shown to the user; now the line is named."""
    lines = (FIXTURES / "mt940-ing-structured.sta").read_text().split("\n")
    at = next(k for k, text in enumerate(lines) if text.startswith(tag))
    lines[at] = bad
    statement = tmp_path / "nov.sta"
    statement.write_text("\n".join(lines))
    message = bank_refused(capsys, workbook, statement)
    assert f"regel {line} ({bad[:40]}) is {what}" in message
    assert not re.search(r"NoneType|group|unconverted|decimal|class", message)


def test_camt_closing_balance_beyond_the_decimal_context(capsys, workbook, tmp_path):
    balance = (
        '<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{amount}</Amt>'
        "<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-23</Dt></Dt></Bal>"
    )
    balances = balance.format(code="OPBD", amount="0.00") + balance.format(
        code="CLBD", amount="9" * 29 + ".00"
    )
    statement = tmp_path / "nov.xml"
    statement.write_text(camt(balances + entry()))
    message = bank_refused(capsys, workbook, statement)
    assert "onleesbaar" in message and "afschrift 1" in message


def test_camt_entry_amount_beyond_the_decimal_context_names_the_entry(capsys, workbook, tmp_path):
    statement = tmp_path / "nov.xml"
    statement.write_text(camt(entry() + entry(ref="R2", amount="9" * 40)))
    message = bank_refused(capsys, workbook, statement)
    assert "onleesbaar" in message and "boeking 2 (R2)" in message


def _limited(limit: int):
    def apply() -> None:
        # A file-size limit makes writes past it fail with EFBIG, as a full disk does with
        # ENOSPC (the signal that would kill the process instead is ignored).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def debiteuren(*args: object, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import sys; from addin.cli import main; sys.exit(main())",
         *map(str, args)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        preexec_fn=_limited(limit) if limit else None,
    )  # fmt: skip


def test_bank_when_the_workbook_cannot_be_replaced(workbook, tmp_path):
    statement = FIXTURES / "ing.csv"
    before = workbook.read_bytes()
    done = debiteuren("bank", workbook, statement, "--datum", DAY, limit=len(before) // 2)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "kon niet worden geschreven" in done.stderr and str(workbook) in done.stderr
    assert "Er is niets in de werkmap veranderd" in done.stderr
    assert workbook.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".debiteuren-")] == []


def test_importeer_when_the_workbook_cannot_be_replaced_says_so_once(workbook, tmp_path):
    """The write-back's own message ends "Er is niets in de werkmap veranderd."; importeer
    added "Er is niets veranderd." after it, a stutter."""
    listed = tmp_path / "openstaand.csv"
    listed.write_text(
        "Factuurnummer;Klantnummer;Factuurdatum;Vervaldatum;Bedrag\n"
        "N-1;K001;3-11-2026;3-12-2026;100,00\n",
        encoding="utf-8",
    )
    before = workbook.read_bytes()
    done = debiteuren("importeer", workbook, listed, limit=len(before) // 2)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and workbook.read_bytes() == before
    assert done.stderr.count("niets") == 1, done.stderr
    assert "niets in de werkmap veranderd" in done.stderr


@pytest.mark.parametrize("command", ["incassokosten", "rente"])
def test_a_long_value_on_the_command_line_is_quoted_by_its_start(capsys, command):
    with pytest.raises(SystemExit) as stopped:  # argparse's way out
        main([command, "9" * 300 + "x", "--van", "2026-01-01", "--tot", "2026-02-01"])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and "(301 tekens)" in err and "9" * 41 not in err


def test_letters_when_the_workbook_cannot_be_replaced_say_so(workbook, tmp_path):
    """The workbook could not be written: the message says so and why, and the letters of
    this run are removed again (letters issue, item 11: a run that fails half-way leaves the
    workbook as it was and no stray output)."""
    before = workbook.read_bytes()
    # Every letter file stays under the limit; the rewritten workbook does not.
    letters = tmp_path / "brieven"
    done = debiteuren(
        "herinneringen", workbook, "--datum", DAY, "--uit", letters, limit=len(before) - 1
    )
    assert done.returncode == 2, done.stderr
    assert "de brieven konden niet worden geschreven" not in done.stderr
    assert "kon niet worden geschreven" in done.stderr
    assert "De brieven van deze run zijn weer verwijderd" in done.stderr
    assert workbook.read_bytes() == before
    assert not list(letters.glob("**/*.pdf")) and not list(letters.glob("**/*.eml"))


def _header_only(path: Path, sheet: str) -> None:
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    table = next(iter(ws.tables.values()))
    first, last = table.ref.split(":")
    table.ref = f"{first}:{re.match('[A-Z]+', last).group()}1"
    table.autoFilter = None
    ws.delete_rows(2, ws.max_row)
    wb.save(path)


def test_a_table_with_only_its_header_row(capsys, workbook, tmp_path):
    _header_only(workbook, "Afspraken")
    with zipfile.ZipFile(workbook) as z:
        assert any(b'ref="A1:N1"' in z.read(n) for n in z.namelist() if "tables/" in n)
    code, data = run(capsys, "werklijst", workbook, "--datum", DAY, "--json")
    assert code in (0, 1) and data["acties"]
    code, data = run(capsys, "herinneringen", workbook, "--datum", DAY, "--proef", "--json",
                     "--uit", tmp_path / "uit")  # fmt: skip
    assert code in (0, 1) and data["brieven"]
    # And in a real process: no Rust backtrace on stderr.
    done = debiteuren("werklijst", workbook, "--datum", DAY, "--json")
    assert done.returncode in (0, 1) and "panicked" not in done.stderr, done.stderr


def test_huge_na_dagen_is_a_problem_not_an_overflow(capsys, workbook):
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Stappen"]
    column = [c.value for c in ws[1]].index("Na dagen") + 1
    ws.cell(row=3, column=column).value = 99999999999999999999999
    wb.save(workbook)
    code, data = run(capsys, "werklijst", workbook, "--datum", DAY, "--json")
    assert code == 1
    (problem,) = [p for p in data["problemen"] if p["blad"] == "Stappen"]
    assert (problem["rij"], problem["kolom"]) == (3, "Na dagen")
    assert "te groot" in problem["melding"]


@pytest.mark.parametrize("value", [0, "0", "-0", "-0.0"])
def test_max_belpogingen_zero_is_a_problem_not_an_index_error(capsys, workbook, tmp_path, value):
    """Found by the fuzzer (seed 31337): Max belpogingen 0 (also typed '-0') made a call row
    done before any call was made, and the ladder then took the last of no attempts
    (IndexError) for every invoice with a logged contact. It is a problem on its cell now,
    and the setting keeps its default."""
    row = _set_cells(workbook, "Instellingen", "Max belpogingen", {"Waarde": value})
    code, data = run(capsys, "werklijst", workbook, "--datum", DAY, "--json")
    assert code == 1
    (problem,) = [p for p in data["problemen"] if p["blad"] == "Instellingen"]
    assert (problem["rij"], problem["kolom"]) == (row, "Waarde")
    assert "verwacht 1 of meer" in problem["melding"] and "blijft 3" in problem["melding"]
    # The calls still count three unanswered attempts, as with the default.
    assert any("van 3 belpogingen zonder gehoor" in a["reden"] for a in data["acties"])
    code = main(["herinneringen", str(workbook), "--datum", DAY, "--proef", "--json",
                 "--uit", str(tmp_path / "uit")])  # fmt: skip
    assert code == 1 and "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("sheet", "header", "value", "said"),
    [
        # A page of text pasted into an IBAN cell: int() refused its 65,000 digits with a
        # ValueError (traceback) in the IBAN check; now an invalid IBAN on its cell.
        ("Klanten", "IBAN", "x" * 32_000, "IBAN"),
        ("Klanten", "IBAN", "NL91" + "9" * 5_000, "IBAN"),
        # Digits as text in a whole-number cell, past int()'s 4,300.
        ("Stappen", "Na dagen", "9" * 5_000, "te groot"),
        ("Stappen", "Na dagen", "-" + "9" * 5_000 + " dagen", "te groot"),
    ],
    ids=["iban-text", "iban-digits", "days", "negative-days"],
)
def test_thousands_of_digits_in_a_cell_are_a_problem_not_a_traceback(
    capsys, workbook, sheet, header, value, said
):
    wb = openpyxl.load_workbook(workbook)
    ws = wb[sheet]
    column = [c.value for c in ws[1]].index(header) + 1
    ws.cell(row=3, column=column).value = value
    wb.save(workbook)
    before = workbook.read_bytes()
    for command in ("werklijst", "controleer"):
        code, data = run(capsys, command, workbook, "--datum", DAY, "--json")
        assert code == 1
        (problem,) = [p for p in data["problemen"] if p["blad"] == sheet and p["rij"] == 3]
        assert problem["kolom"] == header and said in problem["melding"]
    code, data = run(capsys, "herinneringen", workbook, "--datum", DAY, "--json", "--proef")
    assert code in (0, 1) and workbook.read_bytes() == before


def test_a_negative_na_dagen_is_named_by_controleer_on_its_cell(capsys, workbook):
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Stappen"]
    column = [c.value for c in ws[1]].index("Na dagen") + 1
    ws.cell(row=3, column=column).value = -5
    wb.save(workbook)
    code, data = run(capsys, "controleer", workbook, "--datum", DAY, "--json")
    assert code == 1
    (problem,) = [p for p in data["problemen"] if p["blad"] == "Stappen"]
    assert (problem["rij"], problem["kolom"]) == (3, "Na dagen")
    assert problem["melding"].startswith("Na dagen -5 van stap "), problem


def test_a_header_twice_is_named_with_the_file_and_both_columns(capsys, workbook):
    # Omschrijving (G) renamed to a second Bedrag: the first (E) is read, as before, and
    # the line says so; it was read silently.
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Facturen"]
    ws["G1"] = "bedrag"
    ws.tables["tblFacturen"].tableColumns[6].name = "bedrag"
    wb.save(workbook)
    assert main(["controleer", str(workbook), "--datum", DAY]) == 1
    lines = capsys.readouterr().out.splitlines()
    exp = (
        f"  {workbook}:Facturen:1: [Bedrag] Blad Facturen heeft twee kolommen met de kop "
        "'Bedrag' (E en G): kolom E wordt gelezen, de andere kolom niet. Geef de andere kolom "
        "een eigen kop of verwijder hem."
    )
    assert exp in lines, lines


# -- item 2: one letter stops them all -----------------------------------------------------------


def _with_credit_note(workbook: Path, customer: str, amount: str) -> None:
    book, problems = read_book(workbook)
    assert problems == ()
    note = Invoice(number="CN-0001", customer=customer, invoice_date=date(2026, 11, 20),
                   amount=Decimal(amount), due_date=date(2026, 12, 20))  # fmt: skip
    write_book(replace(book, invoices=(*book.invoices, note)), workbook)


def test_no_letter_whose_total_is_zero_or_less(capsys, workbook, tmp_path):
    # K006's Herinnering asks € 897,16 (2026-0244 with 2026-0245 bundled into it, letters
    # issue item 8); the credit note covers the letter but not what K006 owes in all.
    _with_credit_note(workbook, "K006", "-897.16")
    code, data = run(capsys, "herinneringen", workbook, "--datum", DAY, "--proef", "--json",
                     "--uit", tmp_path / "uit")  # fmt: skip
    assert code == 0, data
    assert "K006" not in {x["klant"] for x in data["brieven"]}
    assert len(data["brieven"]) == 9
    code, data = run(capsys, "werklijst", workbook, "--datum", DAY, "--json")
    (action,) = [a for a in data["acties"] if a["factuur"] == "2026-0244"]
    assert action["actie"] == "intern-oplossen"
    assert "verrekenen" in action["reden"]


def test_one_letter_that_cannot_be_made_is_reported_and_skipped(capsys, workbook, tmp_path):
    override = workbook.parent / "sjablonen" / "nl" / "herinnering.txt.j2"
    override.parent.mkdir(parents=True)
    text = (ROOT / "templates" / "nl" / "herinnering.txt.j2").read_text(encoding="utf-8")
    # Fails at render time for one letter only: K031's, of € 389,00 (not the first
    # herinnering, which the pre-flight renders before any letter).
    text = text.replace(
        "{% block subject %}",
        '{% block subject %}{% if total|string == "389.00" %}{{ 1 // 0 }}{% endif %}',
    )
    override.write_text(text, encoding="utf-8")
    code, data = run(capsys, "herinneringen", workbook, "--datum", DAY, "--proef", "--json",
                     "--uit", tmp_path / "uit")  # fmt: skip
    assert code == 1, data
    assert len(data["brieven"]) == 9
    (skipped,) = data["overgeslagen"]
    assert skipped["klant"] == "K031" and "division" in skipped["reden"]


# -- item 3: wrong data written --------------------------------------------------------------


@pytest.mark.parametrize("damage", ["rename Facturen", "empty Klanten", "rename tblFacturen"])
def test_writing_commands_refuse_without_invoices_or_customers(capsys, workbook, damage):
    wb = openpyxl.load_workbook(workbook)
    if damage == "rename Facturen":
        wb["Facturen"].title = "Facturen oud"
        wb["Facturen oud"].tables["tblFacturen"].name = "tblFacturenOud"
        wb["Facturen oud"].tables["tblFacturen"].displayName = "tblFacturenOud"
    elif damage == "rename tblFacturen":
        table = wb["Facturen"].tables["tblFacturen"]
        table.name = table.displayName = "tblOud"
        wb["Facturen"].title = "Oud"
    wb.save(workbook)
    if damage == "empty Klanten":
        _header_only(workbook, "Klanten")
    before = workbook.read_bytes()
    code, data = run(capsys, "herinneringen", workbook, "--datum", DAY, "--json")
    assert code == 2
    assert "er is niets veranderd" in data["fout"]
    assert ("tblKlanten" if damage == "empty Klanten" else "tblFacturen") in data["fout"]
    code, data = run(capsys, "bank", workbook, FIXTURES / "ing.csv", "--datum", DAY, "--json")
    assert code == 2
    assert workbook.read_bytes() == before


def test_a_new_empty_workbook_is_told_how_to_fill_it(capsys, tmp_path):
    """`debiteuren nieuw` then `herinneringen`: the refusal says the tables are empty and how
    to fill them; it sent the user to `controleer`, which finds no problem in a new workbook."""
    path = tmp_path / "Nieuw.xlsm"
    assert main(["nieuw", str(path)]) == 0
    capsys.readouterr()
    assert main(["controleer", str(path)]) == 0
    capsys.readouterr()
    code, data = run(capsys, "herinneringen", path, "--datum", DAY, "--json")
    assert code == 2
    assert (
        "de tabel is leeg (vul hem, of lees facturen in met 'debiteuren importeer')"
        in (data["fout"])
    ), data["fout"]


# -- item 9: messages that point to the right place -----------------------------------------------


def test_bank_control_characters_are_removed(capsys, workbook, tmp_path):
    # XML 1.0 allows DEL and the C1 controls; a CSV allows anything.
    statement = tmp_path / "nov.xml"
    statement.write_text(
        camt(entry(name="JANSEN&#x7F; BV", remittance="<Ustrd>Fact&#x9B;uur</Ustrd>"))
    )
    (line,) = read_bank(statement).lines
    assert (line.counter_name, line.description) == ("JANSEN BV", "Factuur")
    code, data = run(capsys, "bank", workbook, statement, "--datum", DAY, "--json")
    assert code in (0, 1), data
    assert read_book(workbook)[0].payments[-1].description == "Factuur"
    csv = tmp_path / "ing.csv"
    text = (FIXTURES / "ing.csv").read_text(encoding="utf-8")
    csv.write_text(text.replace("Factuur", "Fac\x07tu\x00ur\x1b"), encoding="utf-8")
    code, data = run(capsys, "bank", workbook, csv, "--datum", DAY, "--json")
    assert code in (0, 1), data
    texts = [p.description for p in read_book(workbook)[0].payments]
    assert any("Factuur" in t for t in texts) and not any("\x07" in t for t in texts)


def test_bank_text_over_a_cell_is_cut_with_a_mark(capsys, workbook, tmp_path):
    statement = tmp_path / "nov.xml"
    statement.write_text(camt(entry(remittance=f"<Ustrd>{'w' * 40_000}</Ustrd>")))
    code, data = run(capsys, "bank", workbook, statement, "--datum", DAY, "--json")
    assert code in (0, 1), data
    text = read_book(workbook)[0].payments[-1].description
    assert len(text) == 32_767 and text.endswith("w (ingekort)")


@pytest.mark.parametrize(
    ("fixture", "old", "new", "where"),
    [
        ("camt053-v08-batch.xml", "2026-11-20", "1800-01-01", "boeking 1 (ING-20261120-77)"),
        ("rabobank.csv", '"2026-11-23","2026-11-23"', '"1899-12-30","2026-11-23"', "regel 2"),
        ("ing.csv", "20261123", "18991230", "regel 2"),
    ],
)
def test_bank_date_before_1900_names_the_file_and_line(
    capsys, workbook, tmp_path, fixture, old, new, where
):
    data = (FIXTURES / fixture).read_bytes()
    statement = tmp_path / fixture
    statement.write_bytes(data.replace(old.encode(), new.encode(), 1))
    message = bank_refused(capsys, workbook, statement)
    assert where in message and "1900" in message
    assert "tblBetalingen" not in message and "rij " not in message


@pytest.mark.parametrize("special", ["fifo", "/dev/null"])
def test_a_fifo_or_device_as_workbook(capsys, tmp_path, special):
    path = Path(special)
    if special == "fifo":
        path = tmp_path / "Boek.xlsx"
        os.mkfifo(path)
    for command in (["werklijst"], ["herinneringen", "--proef"], ["bank"]):
        extra = [FIXTURES / "ing.csv"] if command == ["bank"] else []
        code, data = run(capsys, command[0], path, *extra, *command[1:], "--datum", DAY, "--json")
        assert code == 2
        assert "geen gewoon bestand" in data["fout"] and "een map" not in data["fout"]


def test_a_fifo_as_bank_file(capsys, workbook, tmp_path):
    fifo = tmp_path / "nov.xml"
    os.mkfifo(fifo)
    message = bank_refused(capsys, workbook, fifo)  # and does not wait for a writer
    assert "geen gewoon bestand" in message


def _raw_cell(path: Path, ref: str, xml: str) -> None:
    """Replace cell `ref` on the Facturen sheet by raw XML (what Excel writes). The new cell
    keeps the old one's style (its date or money format): style numbers are the writer's."""
    with zipfile.ZipFile(path) as z:
        parts = {i: z.read(i) for i in z.infolist()}
    for info, body in parts.items():
        if info.filename == "xl/worksheets/sheet1.xml":
            text = body.decode()
            old = re.search(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', text)
            assert old is not None
            style = re.search(r' s="\d+"', old.group(0).split(">", 1)[0])
            cell = xml.replace(f'<c r="{ref}"', f'<c r="{ref}"{style.group(0) if style else ""}', 1)
            text = text[: old.start()] + cell + text[old.end() :]
            parts[info] = text.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, body in parts.items():
            z.writestr(info, body)


@pytest.mark.parametrize(
    ("ref", "xml", "column"),
    [
        ("D2", '<c r="D2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', "Vervaldatum"),
        ("E3", '<c r="E3" t="e"><v>#N/A</v></c>', "Bedrag"),
        ("C4", '<c r="C4"><v>nan</v></c>', "Factuurdatum"),
        ("E5", '<c r="E5"><v>NaN</v></c>', "Bedrag"),
    ],
)
def test_error_cells_and_nan_are_problems_with_sheet_row_column(capsys, workbook, ref, xml, column):
    with zipfile.ZipFile(workbook) as z:
        assert z.read("xl/workbook.xml").count(b"<sheet ") and b'name="Facturen"' in z.read(
            "xl/workbook.xml"
        )
    _raw_cell(workbook, ref, xml)
    code, data = run(capsys, "werklijst", workbook, "--datum", DAY, "--json")
    assert code == 1
    found = [p for p in data["problemen"] if p["blad"] == "Facturen" and p["kolom"] == column]
    assert [p["rij"] for p in found] == [int(ref[1:])], data["problemen"]
    assert "1899" not in found[0]["melding"] or "geen bruikbare datum" in found[0]["melding"]
    code_in_cell = re.search(r"<v>(#[^<]+)</v>", xml)
    if code_in_cell:  # the error value itself, not "is leeg"
        assert code_in_cell.group(1) in found[0]["melding"]


def _date_cell(path: Path, ref: str, value: float) -> None:
    """A number in a date-formatted cell of Facturen, written by openpyxl (a real .xlsx)."""
    wb = openpyxl.load_workbook(path)
    cell = wb["Facturen"][ref]
    assert cell.is_date, cell.number_format
    cell.value = value
    wb.save(path)


@pytest.mark.parametrize("value", [-1e308, -1.06e14], ids=["-1e308", "-1.06e14"])
def test_a_date_cell_python_calamine_panics_on_is_a_message_not_a_rust_report(
    workbook, tmp_path, value
):
    """python-calamine panics on such a cell (chrono: "TimeDelta::milliseconds out of
    bounds") and Rust writes its report to fd 2 before the exception reaches Python: in a
    real process, nothing of it may show; the message names file, sheet, row and column."""
    _date_cell(workbook, "D7", value)
    before = workbook.read_bytes()
    for args in (["werklijst", workbook, "--datum", DAY, "--json"],
                 ["herinneringen", workbook, "--datum", DAY, "--proef", "--uit", tmp_path / "uit"]):  # fmt: skip
        done = debiteuren(*args)
        assert done.returncode == 2, done.stdout + done.stderr
        output = done.stdout + done.stderr
        for mark in ("panicked", "Traceback", "RUST_BACKTRACE", "stack backtrace"):
            assert mark not in output, output
        assert str(workbook) in output
        assert "blad 'Facturen', rij 7, kolom Vervaldatum (cel D7)" in output, output
        assert "als datum is opgemaakt" in output
        assert workbook.read_bytes() == before


@pytest.mark.parametrize("value", [1e308, 2958466.0], ids=["1e308", "after-9999"])
def test_a_date_cell_out_of_range_without_a_panic_is_a_problem(capfd, workbook, value):
    """Out of range but not panicking (NaN: see the error-cell test above)."""
    _date_cell(workbook, "D7", value)
    code = main(["werklijst", str(workbook), "--datum", DAY, "--json"])
    out = capfd.readouterr()  # fd 1 and 2, where a Rust panic writes
    assert code == 1
    assert "panicked" not in out.err and "Traceback" not in out.err
    found = [
        p for p in json.loads(out.out)["problemen"] if p["blad"] == "Facturen" and p["rij"] == 7
    ]
    assert [p["kolom"] for p in found] == ["Vervaldatum"], found


def test_an_open_items_list_python_calamine_panics_on(capfd, workbook, tmp_path):
    listed = tmp_path / "export.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Openstaand"
    ws.append(["Factuurnr.", "Debiteur", "Factuurdatum", "Openstaand bedrag"])
    ws.append(["F-9", "K001", -1e308, 121.0])
    ws["C2"].number_format = "dd-mm-yyyy"
    wb.save(listed)
    before = workbook.read_bytes()
    code = main(["importeer", str(workbook), str(listed), "--json"])
    out = capfd.readouterr()
    assert code == 2, out.out
    (skipped,) = json.loads(out.out)["overgeslagen"]
    assert skipped["bestand"] == "export.xlsx"
    assert skipped["reden"].startswith("blad Openstaand rij 2, kolom C (cel C2) bevat -1e+308")
    assert "panicked" not in out.err and "Traceback" not in out.err
    assert workbook.read_bytes() == before


def _table_ref(path: Path, sheet: str, ref: str) -> None:
    """Set the ref of the table on `sheet` in the table part itself (a damaged file)."""
    with zipfile.ZipFile(path) as z:
        parts = {i: z.read(i) for i in z.infolist()}
    wb = openpyxl.load_workbook(path)
    name = next(iter(wb[sheet].tables))
    for info, body in parts.items():
        if info.filename.startswith("xl/tables/") and f'name="{name}"'.encode() in body:
            parts[info] = re.sub(rb'\bref="[^"]*"', f'ref="{ref}"'.encode(), body, count=1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, body in parts.items():
            z.writestr(info, body)


@pytest.mark.parametrize("damage", ["far cell", "table ref"])
def test_a_sheet_or_table_too_big_for_python_calamine_is_a_message_not_an_abort(
    workbook, tmp_path, damage
):
    """python-calamine holds a sheet or table as one block of cells: one value in XFD1048576
    (or a table ref up to there) made it ask 550 GB and abort the process (SIGABRT, no
    message; a fuzzed table ref found it). The reader refuses before asking."""
    if damage == "far cell":
        wb = openpyxl.load_workbook(workbook)
        wb["Afspraken"]["XFD1048576"] = "x"
        wb.save(workbook)
        expected = "blad 'Afspraken' beslaat volgens het bestand A1:XFD1048576"
    else:
        _table_ref(workbook, "Afspraken", "A1:XFD1048576")
        expected = "tabel 'tblAfspraken' op blad 'Afspraken' beslaat A1:XFD1048576"
    before = workbook.read_bytes()
    for args in (["werklijst", workbook, "--datum", DAY, "--json"],
                 ["herinneringen", workbook, "--datum", DAY, "--proef", "--uit", tmp_path / "uit"]):  # fmt: skip
        done = debiteuren(*args)
        output = done.stdout + done.stderr
        assert done.returncode == 2, output
        assert expected in output and str(workbook) in output, output
        assert "memory allocation" not in output and "Traceback" not in output
    assert workbook.read_bytes() == before


def test_an_open_items_list_too_big_for_python_calamine(workbook, tmp_path):
    listed = tmp_path / "export.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Factuurnr.", "Debiteur", "Factuurdatum", "Openstaand bedrag"])
    ws.append(["F-9", "K001", "1-10-2026", 121.0])
    ws["XFD1048576"] = "x"
    wb.save(listed)
    done = debiteuren("importeer", workbook, listed, "--json")
    assert done.returncode == 2, done.stdout + done.stderr
    (skipped,) = json.loads(done.stdout)["overgeslagen"]
    assert skipped["reden"].startswith("blad Sheet beslaat volgens het bestand A1:XFD1048576")


# -- item 10: defence in depth ----------------------------------------------------------------


def test_doctype_in_utf16le_without_bom_is_caught_by_the_pre_check(capsys, workbook, tmp_path):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    xml = camt(entry(name="&b;")).split("?>", 1)[1]
    statement = tmp_path / "nov.xml"
    statement.write_bytes((bomb + xml).encode("utf-16-le"))
    message = bank_refused(capsys, workbook, statement)
    assert "UTF-16" in message and "onleesbaar" in message


# -- item 11: a full output folder ------------------------------------------------------------


def test_a_full_output_folder_leaves_no_partial_set_of_letters(workbook, tmp_path):
    """The first letters fit, a later one does not (a per-file size limit in the process
    stands in for the full disk): the run removes what it wrote and says so."""
    probe = tmp_path / "proef"
    done = debiteuren("herinneringen", workbook, "--datum", DAY, "--proef", "--uit", probe)
    assert done.returncode == 0, done.stderr
    order = sorted(probe.glob("*.pdf"))  # letters are made in customer order = name order
    sizes = [max(p.stat().st_size, p.with_suffix(".eml").stat().st_size) for p in order]
    k = next(i for i in range(1, len(sizes)) if sizes[i] > max(sizes[:i]))
    before = workbook.read_bytes()
    out = tmp_path / "vol"
    done = debiteuren("herinneringen", workbook, "--datum", DAY, "--uit", out,
                      limit=max(sizes[:k]) + 1)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "De brieven konden niet worden geschreven" in done.stderr
    assert "weer verwijderd" in done.stderr
    assert not out.exists() or list(out.iterdir()) == []
    assert workbook.read_bytes() == before


@pytest.mark.parametrize(
    ("fixture", "spread", "bad", "exp"),
    [
        (
            "ing.csv",
            ('"Factuur 2026-0018"', '"Factuur 2026-0018\r\nen 2026-0020\r\nzie bijlage"'),
            ('"Af";"19,95"', '"Af";"19,9x"'),
            "Bankbestand ing.csv: regel 6 heeft een ongeldig bedrag '19,9x'.",
        ),
        (
            "rabobank.csv",
            ('"Factuur 2026-0050"', '"Factuur 2026-0050\r\nzie pakbon"'),
            ('"2026-11-24","2026-11-24","-45,00"', '"2026-11-34","2026-11-24","-45,00"'),
            "Bankbestand rabobank.csv: regel 4 heeft een ongeldige datum '2026-11-34'.",
        ),
        (
            "rabobank.csv",
            ('"Factuur 2026-0050"', '"Factuur 2026-0050\r\nzie pakbon"'),
            ('"-45,00","+3.455,00",', '"-45,00",'),
            "Bankbestand rabobank.csv: regel 4 heeft 25 kolommen in plaats van 26; het "
            "bestand is beschadigd of onvolledig.",
        ),
    ],
    ids=["ing-bedrag", "rabo-datum", "rabo-kolommen"],
)
def test_bank_csv_names_the_line_a_text_editor_shows(
    capsys, workbook, tmp_path, fixture, spread, bad, exp
):
    # A description over several lines (quoted, as the banks write it) made every later
    # row named by its record's count: 'regel 4' for what an editor shows on line 6.
    data = (FIXTURES / fixture).read_bytes().decode("cp1252")
    statement = tmp_path / fixture
    statement.write_bytes(
        data.replace(*spread, 1).replace(*bad, 1).encode("cp1252", errors="replace")
    )
    assert bank_refused(capsys, workbook, statement) == f"{exp} Er is niets veranderd."


def test_bank_csv_with_a_quote_never_closed_names_its_line(capsys, workbook, tmp_path):
    # An export without quotes (converted, or saved by another program) and one quote
    # typed in: the rest of the file became one field, over csv's limit: 'de CSV is
    # onleesbaar (field larger than field limit (131072))', without a line, in English.
    lines = (FIXTURES / "ing.csv").read_text("utf-8-sig").replace('"', "").splitlines()
    opened = lines[2].replace(";Factuur 2026-0018;", ';"Factuur 2026-0018;')
    statement = tmp_path / "ing.csv"
    statement.write_text("\n".join([*lines[:2], opened, *lines[3:] * 800]) + "\n", "utf-8")
    assert bank_refused(capsys, workbook, statement) == (
        "Bankbestand ing.csv: de CSV is onleesbaar (vanaf regel 3 staat een veld van meer "
        'dan 131.072 tekens; waarschijnlijk wordt daar een aanhalingsteken (") niet '
        "gesloten). Er is niets veranderd."
    )


def _set_cells(path: Path, sheet: str, key: str, values: dict[str, object]) -> int:
    """Set the cells of the row whose first column is `key`, by column header; its row."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    header = [c.value for c in ws[1]]
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == key]
    assert rows, key
    for column, value in values.items():
        ws.cell(rows[0], header.index(column) + 1).value = value
    wb.save(path)
    return rows[0]


@pytest.mark.parametrize(
    ("sheet", "key", "column", "exp"),
    [
        # fuzz seed 7102, opdrachten case 953: a Factuurmap of 300 characters
        (
            "Instellingen",
            "Factuurmap",
            "Waarde",
            "'facturen/2026-0222.pdf' kan niet worden gelezen",
        ),
        ("Facturen", "2026-0222", "Factuur-pdf", "'xxxxxxxxxxxxxxx"),
    ],
    ids=["factuurmap", "factuur-pdf"],
)
def test_a_document_name_too_long_for_the_system_is_missing_not_a_traceback(
    capsys, workbook, tmp_path, sheet, key, column, exp
):
    # A folder or file name over 255 bytes: pathlib's is_file() raised ENAMETOOLONG
    # ('File name too long') out of overdracht, as a traceback, where a missing invoice PDF
    # is a line under 'ontbreekt' and the dossier is made without it.
    _set_cells(workbook, sheet, key, {column: "x" * 300})
    before = workbook.read_bytes()
    code, out = run(capsys, "overdracht", workbook, "K016", "--datum", DAY, "--proef",
                    "--json", "--uit", tmp_path / "dossier")  # fmt: skip
    assert code == 0
    assert workbook.read_bytes() == before
    assert out["facturen"] == ["2026-0222"]
    missing = [m for m in out["ontbreekt"] if m.startswith("factuur 2026-0222: ")]
    assert len(missing) == 1
    assert exp in missing[0]
    assert missing[0].endswith("een naam in het pad is te lang (File name too long)")


def test_a_letter_document_name_too_long_for_the_system_is_not_sent(capsys, workbook):
    # The same for verstuur: a Document cell it looks for the letter's e-mail draft by.
    wb = openpyxl.load_workbook(workbook)
    ws = wb["Contacten"]
    header = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value == "K033"
               and ws.cell(r, header.index("Verzonden") + 1).value is None)  # fmt: skip
    ws.cell(row, header.index("Kanaal") + 1).value = "Brief en e-mail"
    # Beside the workbook: under a folder that does not exist the system says ENOENT first.
    ws.cell(row, header.index("Document") + 1).value = "x" * 300 + ".pdf"
    wb.save(workbook)
    before = workbook.read_bytes()
    code, out = run(capsys, "verstuur", workbook, "--datum", DAY, "--proef", "--json")
    assert code == 1
    assert workbook.read_bytes() == before
    assert out["te_verzenden"] == []
    assert [n["klant"] for n in out["niet_verzonden"]] == ["K033"], out


LONG = "x" * 300  # one name over the 255 bytes a file system takes


@pytest.mark.parametrize(
    "command",
    [
        ("controleer", "--datum", DAY),
        ("werklijst", "--json", "--datum", DAY),
        ("overzicht", "--proef", "--datum", DAY),
        ("overdracht", "K016", "--datum", DAY),
        ("herinneringen", "--datum", DAY),
        ("verstuur", "--datum", DAY),
        ("bijwerken", "--datum", DAY),
        ("bank", FIXTURES / "ing.csv", "--datum", DAY),
        ("importeer", FIXTURES / "ing.csv"),
        ("wachtwoord",),
    ],
    ids=lambda c: c[0],
)
def test_a_workbook_name_too_long_for_the_system_is_named_not_a_traceback(
    capsys, tmp_path, command
):
    # pathlib's is_file() and exists() raise ENAMETOOLONG ('File name too long') where a
    # missing file answers False: every command showed a traceback for such a BOEK.
    name, *rest = command
    book = tmp_path / f"{LONG}.xlsx"
    code = main([name, str(book), *map(str, rest)])
    out = capsys.readouterr()
    assert code == 2
    assert "Traceback" not in out.out + out.err
    assert "kan niet worden geopend: een naam in het pad is te lang (File name too long)" in (
        out.out + out.err
    )
    assert list(tmp_path.iterdir()) == []


def test_a_workbook_name_of_255_bytes_is_written_with_its_backup(capsys, tmp_path):
    # 255 bytes is a name the system takes, but not Excel's '~$' owner file beside it nor
    # the backup '<stem>.1.xlsx': the check that the workbook is not open in Excel raised
    # ENAMETOOLONG, and the backup would have refused every write. The backup's stem is
    # cut to fit instead.
    book = tmp_path / ("y" * 250 + ".xlsx")
    shutil.copy(EXAMPLE, book)
    code = main(["bank", str(book), str(FIXTURES / "ing.csv"), "--datum", DAY])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert code in (0, 1)
    assert book.read_bytes() != EXAMPLE.read_bytes()
    (backup,) = (tmp_path / ".debiteuren-backup").iterdir()
    assert backup.name == "y" * 248 + ".1.xlsx"
    assert backup.read_bytes() == EXAMPLE.read_bytes()


def test_an_invoice_file_name_too_long_for_the_system_is_skipped_with_its_reason(
    capsys, workbook, tmp_path
):
    code = main(["importeer", str(workbook), str(tmp_path / f"{LONG}.xml"), "--proef"])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert code == 2
    assert f"{LONG}.xml: een naam in het pad is te lang (File name too long)" in out.out


def test_nieuw_with_a_name_too_long_for_the_system(capsys, tmp_path):
    code = main(["nieuw", str(tmp_path / f"{LONG}.xlsm")])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    assert code == 2
    assert "kan niet worden gemaakt: een naam in het pad is te lang" in out.err
    assert list(tmp_path.iterdir()) == []


def test_a_place_name_of_excels_full_cell_length_is_cut_in_the_window(workbook, tmp_path):
    # fuzz seed 7103, opdrachten case 71: a Plaats of 40,000 characters took herinneringen
    # 26 s, all of it in cutting the address line to the envelope window one character at a
    # time, measuring the whole line each time. Here four customers who get a letter have
    # one of Excel's 32,767 characters: the letters are made, the address cut with an
    # ellipsis (how many times a line is measured is counted below, not timed).
    customers = ("K006", "K007", "K010", "K011")
    for customer in customers:
        _set_cells(workbook, "Klanten", customer, {"Plaats": "x" * 32_767})
    out = tmp_path / "brieven"
    code = main(["herinneringen", str(workbook), "--datum", DAY, "--proef", "--uit", str(out)])
    assert code == 0
    letter = next(out.glob("*Herinnering K006.pdf"))
    first_page = PdfReader(letter).pages[0].extract_text()
    assert re.search(r"x{20,}…", first_page), first_page[:300]


@pytest.mark.parametrize("length", [100, 1_000, 32_767])
def test_cutting_a_line_to_its_width_measures_it_a_logarithmic_number_of_times(monkeypatch, length):
    """The cut to the envelope window measures candidate lines by halving: about log2 of the
    length (15 for Excel's 32,767 characters), where cutting a character at a time measured
    the whole line once per character cut. Counted with reportlab's own stringWidth."""
    from addin.adapters.documents import letters

    measured = []

    def counting(text: str, font: str, size: float) -> float:
        measured.append(len(text))
        return real(text, font, size)

    real = letters.stringWidth
    monkeypatch.setattr(letters, "stringWidth", counting)
    cut = letters._fit("Plaats " + "x" * length, 10)
    assert cut.endswith("…") and real(cut, "Helvetica", 10) <= letters.WIDTH
    # The longest prefix that fits: one character more does not.
    assert real(cut[:-1] + "x…", "Helvetica", 10) > letters.WIDTH
    assert len(measured) <= length.bit_length() + 3, len(measured)
