"""`debiteuren herinneringen` on a copy of the example workbook: letters on disk, logged in
the workbook so a second run makes nothing, only owned parts changed, dry run and lock."""

from __future__ import annotations

import email
import json
import os
import shutil
import zipfile
from email import policy
from pathlib import Path

import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from addin.adapters.workbook.reader import read_book
from addin.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "workbook" / "Voorbeeld.xlsx"
DAY = "2026-11-24"
# The parts the letter run owns: the Afspraken, Contacten, Werklijst and Overzicht sheets and
# the Contacten table (numbered as write_book numbers them in the example).
OWNED = {
    # the Werklijst's cell formats (added once) and its filter name
    "xl/styles.xml",
    "xl/workbook.xml",
    "xl/worksheets/sheet4.xml",
    "xl/worksheets/sheet5.xml",
    "xl/worksheets/sheet9.xml",
    "xl/worksheets/sheet10.xml",
    "xl/tables/table5.xml",
    # the Overzicht's two charts, added once to this plain .xlsx: drawing, chart parts, the
    # sheet's relationships and their content types
    "xl/drawings/drawing1.xml",
    "xl/drawings/_rels/drawing1.xml.rels",
    "xl/charts/chart1.xml",
    "xl/charts/chart2.xml",
    "xl/worksheets/_rels/sheet10.xml.rels",
    "[Content_Types].xml",
}


# The sender's details every letter run requires (core.sender).
SENDER = {
    "company_name": "Test BV",
    "address": "Industrieweg 1",
    "postcode": "9700 AB",
    "city": "Groningen",
    "email": "info@test.nl",
    "iban": "NL91ABNA0417164300",
}


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "Voorbeeld.xlsx"
    shutil.copy(EXAMPLE, path)
    return path


def run(capsys, *args) -> tuple[int, dict]:
    code = main([str(a) for a in args])
    out = capsys.readouterr().out
    return code, json.loads(out)


def _jansen(tmp_path: Path, invoices: str, segment: str = "C") -> Path:
    """A workbook of one customer, Jansen BV (K1, business, `segment`), with the Facturen
    rows `invoices` (factuur | klant | factuurdatum | vervaldatum | bedrag) and the sender."""
    from addin.adapters.workbook.book_writer import write_book
    from tests.core.booktext import book

    path = tmp_path / "Debiteuren.xlsx"
    text = f"""
            [klanten]
            | klant | naam      | soort    | segment   | adres      |
            | K1    | Jansen BV | Zakelijk | {segment} | Dorpsweg 1 |
            [facturen]
            | factuur | klant | factuurdatum | vervaldatum | bedrag  |
            {invoices}
            """
    write_book(book(text, **SENDER), path)
    return path


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_letters_are_made_logged_and_not_made_twice(capsys, workbook):
    before = _parts(workbook)
    contacts_before = len(read_book(workbook)[0].contacts)
    code, data = run(capsys, "herinneringen", workbook, "--datum", DAY, "--json")
    assert code == 0 and not data["proef"]
    letters = data["brieven"]
    assert len(letters) == data["gelogd"] == 10
    assert {x["actie"] for x in letters} == {
        "herinnering",
        "regeling-aanbieden",
        "laatste-herinnering",
        "veertiendagenbrief",
        "bevestigen",
    }
    for x in letters:
        pdf = workbook.parent / x["pdf"]
        eml = workbook.parent / x["eml"]
        text = " ".join(p.extract_text() for p in PdfReader(pdf).pages)
        assert x["facturen"][0] in text
        msg = email.message_from_bytes(eml.read_bytes(), policy=policy.default)
        assert msg["X-Unsent"] == "1"
        (attachment,) = list(msg.iter_attachments())
        assert attachment.get_content() == pdf.read_bytes()

    after = _parts(workbook)
    changed = {n for n in before if before[n] != after.get(n)} | (set(after) - set(before))
    assert changed == OWNED
    book, problems = read_book(workbook)
    assert problems == ()
    assert len(book.contacts) == contacts_before + 10
    logged = [c for c in book.contacts if c.by == "Debiteuren" and c.date.isoformat() == DAY]
    assert {c.document for c in logged} == {x["pdf"] for x in letters}
    confirmed = [
        a for a in book.agreements if a.confirmation_sent and a.confirmation_sent.isoformat() == DAY
    ]
    assert len(confirmed) == 2
    sheet = CalamineWorkbook.from_path(str(workbook)).get_sheet_by_name("Werklijst").to_python()
    assert sheet[0][0] == "Werklijst 24-11-2026 - Klimaattechniek Van Houten B.V."
    header = next(row for row in sheet if row[0] == "Groep")
    assert header[:4] == ["Groep", "Datum", "Actie", "Factuur"]
    assert (workbook.parent / ".debiteuren-backup").is_dir()

    code, again = run(capsys, "herinneringen", workbook, "--datum", DAY, "--json")
    assert (code, again["brieven"], again["gelogd"]) == (0, [], 0)


def test_a_second_run_does_not_say_the_letters_were_sent(capsys, workbook):
    # Nothing is ever sent by herinneringen: "al verstuurd" told the user the opposite of
    # the first run's "Niets is verstuurd".
    assert main(["herinneringen", str(workbook), "--datum", DAY]) == 0
    assert "Niets is verstuurd" in capsys.readouterr().out
    assert main(["herinneringen", str(workbook), "--datum", DAY]) == 0
    out = capsys.readouterr().out
    assert (
        "Geen brieven te maken vandaag. Wel ander werk op de Werklijst: Bellen (10), Bank "
        "controleren (2), Intern oplossen en eigen acties (6), Overdragen aan incassobureau (2)."
    ) in out
    assert "verstuurd" not in out, out


@pytest.mark.parametrize(
    ("segment", "exp"),
    [
        ("A", "Geen brieven te maken vandaag. Wel ander werk op de Werklijst: Bellen (1)."),
        ("C", "1 brief gemaakt in "),
    ],
    ids=["call-first", "letter"],
)
def test_no_letter_but_a_call_says_so_not_that_nothing_is_overdue(capsys, tmp_path, segment, exp):
    """A top customer's overdue invoice is called about first (PLAYBOOK L2): the run made no
    letter and said "er is niets vervallen", while the Werklijst had a call for today."""
    path = _jansen(tmp_path, "| F1 | K1 | 2026-09-01 | 2026-10-01 | 1210.00 |", segment)
    assert main(["herinneringen", str(path), "--datum", DAY]) == 0
    out = capsys.readouterr().out
    assert exp in out, out
    assert "niets vervallen" not in out, out


def test_no_work_at_all_keeps_the_short_message(capsys, tmp_path):
    path = _jansen(tmp_path, "| F1 | K1 | 2026-11-01 | 2026-12-01 | 1210.00 |")
    assert main(["herinneringen", str(path), "--datum", DAY]) == 0
    out = capsys.readouterr().out
    assert "Geen brieven te maken vandaag: ze zijn al gemaakt of er is niets vervallen." in out


def test_dry_run_writes_nothing_to_the_workbook(capsys, workbook):
    before = workbook.read_bytes()
    code, data = run(capsys, "herinneringen", workbook, "--datum", DAY, "--proef", "--json")
    assert code == 0 and data["proef"] and data["gelogd"] == 0 and len(data["brieven"]) == 10
    assert "proef" in data["map"]
    assert all((workbook.parent / x["pdf"]).exists() for x in data["brieven"])
    assert workbook.read_bytes() == before


def test_open_workbook_is_refused_and_nothing_changes(capsys, workbook):
    before = workbook.read_bytes()
    lock = workbook.with_name("~$" + workbook.name)
    lock.write_bytes(b"owner")
    code = main(["herinneringen", str(workbook), "--datum", DAY])
    err = capsys.readouterr().err
    assert code == 2 and "geopend in Excel" in err
    assert workbook.read_bytes() == before
    assert not (workbook.parent / "uitvoer").exists()


def _refused_before_any_file(capsys, workbook: Path, said: str) -> None:
    """`herinneringen --json` refuses with `said` in its message, and changes nothing: the
    workbook's bytes and its folder's listing stay as they were."""
    before = workbook.read_bytes()
    listing = sorted(workbook.parent.iterdir())
    code = main(["herinneringen", str(workbook), "--datum", DAY, "--json"])
    message = json.loads(capsys.readouterr().out)["fout"]
    assert code == 2 and said in message, message
    assert workbook.read_bytes() == before and sorted(workbook.parent.iterdir()) == listing


def test_a_workbook_open_in_libreoffice_is_refused_before_any_file(capsys, workbook):
    (workbook.parent / f".~lock.{workbook.name}#").write_text(",user,host,05.12.2026 10:00,")
    _refused_before_any_file(capsys, workbook, "geopend in LibreOffice")


def test_a_workbook_marked_read_only_is_refused_before_any_file(capsys, workbook):
    workbook.chmod(0o444)
    _refused_before_any_file(capsys, workbook, "alleen-lezen")
    assert workbook.stat().st_mode & 0o777 == 0o444


def test_letters_get_the_mode_of_any_new_file(capsys, workbook):
    """A letter is a new file like any other: readable by whoever may read the folder (the
    umask decides), not private to this process as its temporary file was (0600)."""
    umask = os.umask(0)
    os.umask(umask)
    code = main(["herinneringen", str(workbook), "--datum", DAY, "--json"])
    capsys.readouterr()
    assert code == 0
    modes = {p.name: p.stat().st_mode & 0o777 for p in _letter_files(workbook)}
    assert modes and set(modes.values()) == {0o666 & ~umask}, modes


def test_a_template_that_does_not_exist_is_refused_in_clean_sentences(capsys, workbook):
    import openpyxl

    wb = openpyxl.load_workbook(workbook)
    ws = wb["Stappen"]
    col = next(c.column for c in ws[1] if c.value == "Sjabloon")
    for row in range(2, ws.max_row + 1):
        ws.cell(row=row, column=col).value = "bestaat-niet"
    wb.save(workbook)
    code = main(["herinneringen", str(workbook), "--datum", DAY, "--json"])
    message = json.loads(capsys.readouterr().out)["fout"]
    assert code == 2 and "'bestaat-niet' niet gevonden" in message, message
    assert ".." not in message and "Sjabloon in Stappen" in message, message
    assert not _letter_files(workbook)


def test_a_broken_user_template_stops_the_run_and_changes_nothing(capsys, workbook):
    before = workbook.read_bytes()
    override = workbook.parent / "sjablonen" / "nl" / "herinnering.txt.j2"
    override.parent.mkdir(parents=True)
    override.write_text("{% block subject %}Kapot {{ nergens.iets }{% endblock %}", "utf-8")
    code = main(["herinneringen", str(workbook), "--datum", DAY])
    err = capsys.readouterr().err
    assert code == 2
    assert "sjabloon" in err and "herinnering.txt.j2" in err and "niets in de werkmap" in err
    assert workbook.read_bytes() == before


# -- what a run leaves (letters issue, item 11) -------------------------------------------------


def _letter_files(workbook: Path) -> list[Path]:
    out = workbook.parent / "uitvoer"
    return sorted(p for p in out.rglob("*") if p.is_file()) if out.exists() else []


def test_a_broken_template_refuses_before_any_file(capsys, workbook):
    before = workbook.read_bytes()
    override = workbook.parent / "sjablonen" / "nl" / "regeling-aanbieden.txt.j2"
    override.parent.mkdir(parents=True)
    # Loads fine; fails on every letter it renders (a misspelt name): the run is refused on
    # the first one, before the herinnering letters (made earlier in the run) exist.
    override.write_text(
        "{% block subject %}{{ onbekend }}{% endblock %}{% block intro %}{% endblock %}"
        "{% block body %}{% endblock %}{% block closing %}{% endblock %}"
        "{% block email %}{% endblock %}",
        "utf-8",
    )
    code = main(["herinneringen", str(workbook), "--datum", DAY])
    err = capsys.readouterr().err
    assert code == 2 and "regeling-aanbieden.txt.j2" in err and "niets gemaakt" in err
    assert workbook.read_bytes() == before
    assert _letter_files(workbook) == []


def test_an_output_folder_that_cannot_be_made_refuses_before_any_file(capsys, workbook, tmp_path):
    before = workbook.read_bytes()
    blocker = tmp_path / "geen-map"
    blocker.write_text("een bestand, geen map", "utf-8")
    code = main(["herinneringen", str(workbook), "--datum", DAY, "--uit", str(blocker / "brieven")])
    err = capsys.readouterr().err
    assert code == 2 and "kan niet worden aangemaakt" in err
    assert workbook.read_bytes() == before and _letter_files(workbook) == []


def test_a_letter_that_cannot_be_made_is_skipped_and_the_rest_are_made(capsys, workbook):
    override = workbook.parent / "sjablonen" / "nl" / "herinnering.txt.j2"
    override.parent.mkdir(parents=True)
    shipped = (ROOT / "templates" / "nl" / "herinnering.txt.j2").read_text("utf-8")
    # The template fails only on K007's data (the first herinnering, K006, renders fine).
    override.write_text(
        shipped.replace(
            "{% block subject %}",
            '{% block subject %}{% if customer_number == "K007" %}{{ 1 // 0 }}{% endif %}',
            1,
        ),
        "utf-8",
    )
    code, data = run(capsys, "herinneringen", workbook, "--datum", DAY, "--json")
    assert code == 1
    assert [(s["klant"], s["stap"]) for s in data["overgeslagen"]] == [("K007", "Herinnering")]
    assert "division" in data["overgeslagen"][0]["reden"]
    assert len(data["brieven"]) == data["gelogd"] == 9
    assert "K007" not in {x["klant"] for x in data["brieven"]}
    book, _ = read_book(workbook)
    assert not [c for c in book.contacts if c.customer == "K007" and c.date.isoformat() == DAY]
    # next time it is planned again
    override.unlink()
    code, again = run(capsys, "herinneringen", workbook, "--datum", DAY, "--json")
    assert (code, [x["klant"] for x in again["brieven"]]) == (0, ["K007"])


def test_an_io_failure_half_way_removes_this_runs_files(capsys, workbook):
    before = workbook.read_bytes()
    folder = workbook.parent / "uitvoer" / DAY
    folder.mkdir(parents=True)
    earlier = folder / "notitie.txt"
    earlier.write_text("van de gebruiker", "utf-8")
    # A folder where K012's letter must go: writing it fails after other letters exist.
    (folder / f"{DAY} Laatste herinnering K012.pdf").mkdir()
    code = main(["herinneringen", str(workbook), "--datum", DAY])
    err = capsys.readouterr().err
    assert code == 2 and "weer verwijderd" in err
    assert workbook.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{DAY} Laatste herinnering K012.pdf",
        "notitie.txt",
    ]
    assert earlier.read_text("utf-8") == "van de gebruiker"


def test_a_refused_workbook_write_removes_this_runs_files(capsys, workbook):
    import openpyxl

    wb = openpyxl.load_workbook(workbook)
    wb["Contacten"]["C70"] = "notitie onder de tabel"
    wb.save(workbook)
    before = workbook.read_bytes()
    code = main(["herinneringen", str(workbook), "--datum", DAY])
    err = capsys.readouterr().err
    assert code == 2 and "weer verwijderd" in err
    assert workbook.read_bytes() == before
    assert _letter_files(workbook) == []


# -- P1: the letter run is never silent about old bank data (letters issue, item 3) ----------


def test_old_bank_data_is_warned_about_first_and_the_run_goes_on(capsys, workbook):
    code, data = run(
        capsys, "herinneringen", workbook, "--datum", "2026-12-15", "--proef", "--json"
    )
    assert code == 0
    kinds = [w["soort"] for w in data["waarschuwingen"]]
    assert "bank-verouderd" in kinds and data["brieven"]
    code = main(["herinneringen", str(workbook), "--datum", "2026-12-15", "--proef"])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("Let op: De nieuwste bankgegevens zijn van")


def test_no_bank_data_is_warned_about(capsys, tmp_path):
    path = _jansen(tmp_path, "| F1 | K1 | 2026-10-01 | 2026-10-31 | 1210.00 |")
    code, data = run(capsys, "herinneringen", path, "--datum", DAY, "--json")
    assert code == 0 and len(data["brieven"]) == 1
    assert [w["soort"] for w in data["waarschuwingen"]] == ["bank-ontbreekt"]


def test_one_letter_and_one_problem_are_counted_in_the_singular(capsys, tmp_path):
    """'1 brief gemaakt', '1 probleem': the summary a Dutch reader sees, not '1 brieven'."""
    path = _jansen(
        tmp_path,
        """| F1 | K1 | 2026-10-01 | 2026-10-31 | 1210.00 |
            | F2 | K9 | 2026-10-01 | 2026-10-31 | 10.00   |""",
    )
    code = main(["controleer", str(path), "--datum", DAY])
    out = capsys.readouterr().out
    assert code == 1 and out.startswith(f"1 probleem gevonden in {path}:"), out
    code = main(["herinneringen", str(path), "--datum", DAY])
    out = capsys.readouterr().out
    assert code == 1
    assert "\n1 brief gemaakt in " in out and "1 Herinnering." in out, out
    assert "1 probleem in de gegevens: zie debiteuren controleer." in out, out


# -- names (item 9) -----------------------------------------------------------------------------


def test_every_letter_is_named_by_its_step(capsys, workbook):
    code = main(["herinneringen", str(workbook), "--datum", DAY, "--proef"])
    out = capsys.readouterr().out
    assert code == 0 and "2 Bevestiging" in out and "bevestigen" not in out
    names = [p.name for p in _letter_files(workbook)]
    assert f"{DAY} Bevestiging K020.pdf" in names
    assert not [n for n in names if "bevestigen" in n]


def test_an_english_customers_letter_is_named_in_english(capsys, workbook):
    """The attachment's name is what the customer sees: K027 (Taal EN) gets 'Reminder', in
    the PDF, the .eml's attachment and Contacten.Document alike; Contacten.Stap stays the
    user's own step, and a Dutch customer keeps the Dutch name."""
    code, data = run(capsys, "herinneringen", workbook, "--datum", DAY, "--json")
    assert code == 0
    by_customer = {x["klant"]: x for x in data["brieven"]}
    english, dutch = by_customer["K027"], by_customer["K006"]
    assert english["pdf"] == f"uitvoer/{DAY}/{DAY} Reminder K027.pdf"
    assert dutch["pdf"] == f"uitvoer/{DAY}/{DAY} Herinnering K006.pdf"
    for letter in (english, dutch):
        pdf = workbook.parent / letter["pdf"]
        assert pdf.is_file() and pdf.with_suffix(".eml") == workbook.parent / letter["eml"]
        msg = email.message_from_bytes(pdf.with_suffix(".eml").read_bytes(), policy=policy.default)
        (attachment,) = list(msg.iter_attachments())
        assert attachment.get_filename() == pdf.name
    logged = {c.customer: c for c in read_book(workbook)[0].contacts if c.date.isoformat() == DAY}
    assert (logged["K027"].document, logged["K027"].step) == (english["pdf"], "Herinnering")
    assert (logged["K006"].document, logged["K006"].step) == (dutch["pdf"], "Herinnering")


# -- R1: a thank-you to good payers (item 2) ----------------------------------------------------


def test_good_payers_get_a_thank_you_letter_and_e_mail_once(capsys, tmp_path):
    from dataclasses import replace as _replace

    from addin.adapters.workbook.book_writer import write_book
    from tests.core.booktext import book
    from tests.core.test_thanks import _text

    b = book(_text(), thank_good_payers=True, **SENDER)
    b = _replace(
        b,
        customers=tuple(_replace(c, email=f"{c.number.lower()}@klant.nl") for c in b.customers),
    )
    path = tmp_path / "Debiteuren.xlsx"
    write_book(b, path)
    code, data = run(capsys, "herinneringen", path, "--datum", DAY, "--json")
    assert code == 0
    assert [(x["klant"], x["actie"], x["stap"]) for x in data["brieven"]] == [
        (k, "bedanken", "Bedankje") for k in ("G8", "G7", "G6", "G5", "G4")
    ]
    first = data["brieven"][0]
    assert first["pdf"].endswith(f"{DAY} Bedankje G8.pdf")
    pages = PdfReader(path.parent / first["pdf"]).pages
    text = " ".join(" ".join(p.extract_text() for p in pages).split())
    assert len(pages) == 1 and "Dank u wel" in text and "op tijd" in text
    assert "Betalen" not in text and "€" not in text and "Factuur" not in text
    msg = email.message_from_bytes((path.parent / first["eml"]).read_bytes(), policy=policy.default)
    assert [a.addr_spec for a in msg["To"].addresses] == ["g8@klant.nl"]
    assert "op tijd" in msg.get_body(preferencelist=("plain",)).get_content()
    logged = [c for c in read_book(path)[0].contacts if c.customer == "G8"]
    assert [(c.channel.value, c.step, c.goal) for c in logged] == [
        ("E-mail", "Bedankje", "goede betaler bedanken")
    ]
    code, again = run(capsys, "herinneringen", path, "--datum", DAY, "--json")
    assert (code, again["brieven"]) == (0, [])


def test_a_letter_that_cannot_replace_its_file_is_named_in_the_message(capsys, workbook):
    """A folder where a letter should go: the message names the letter (not the temporary
    file that was to replace it) and the reason in Dutch; nothing of the run is left."""
    blocked = workbook.parent / "uitvoer" / DAY / f"{DAY} Herinnering K006.pdf"
    blocked.mkdir(parents=True)
    before = workbook.read_bytes()
    code = main(["herinneringen", str(workbook), "--datum", DAY, "--json"])
    message = json.loads(capsys.readouterr().out)["fout"]
    assert code == 2 and str(blocked) in message and ".tmp" not in message, message
    assert "er staat een map met die naam" in message, message
    assert workbook.read_bytes() == before and _letter_files(workbook) == []
