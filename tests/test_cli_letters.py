"""`debiteuren herinneringen` on a copy of the example workbook: letters on disk, logged in
the workbook so a second run makes nothing, only owned parts changed, dry run and lock."""

from __future__ import annotations

import email
import json
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


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "Voorbeeld.xlsx"
    shutil.copy(EXAMPLE, path)
    return path


def run(capsys, *args) -> tuple[int, dict]:
    code = main([str(a) for a in args])
    out = capsys.readouterr().out
    return code, json.loads(out)


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
