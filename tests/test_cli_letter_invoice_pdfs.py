"""An invoice PDF named in Factuur-pdf that cannot be used: missing, not a PDF, or a PDF that
is damaged. Each gets a generated KOPIEFACTUUR page and a Dutch note naming the invoice and
the file; pypdf's own English repair messages never reach the user's terminal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from addin.adapters.workbook.book_writer import write_book
from addin.cli import main
from tests.core.booktext import book
from tests.test_cli_letters import SENDER

DAY = "2026-11-24"
BOOK = """
[klanten]
| klant | naam      | soort    | segment | adres      | postcode | plaats  | e-mail       |
| K1    | Klant Een | Zakelijk | C       | Dorpsweg 1 | 1234 AB  | Utrecht | jan@klant.nl |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag | factuur-pdf           |
| F1      | K1    | 2026-10-01   | 2026-10-31  | 100.00 | facturen/weg.pdf      |
| F2      | K1    | 2026-10-01   | 2026-10-31  | 200.00 | facturen/kapot.pdf    |
| F3      | K1    | 2026-10-01   | 2026-10-31  | 300.00 | facturen/geen-pdf.pdf |
[betalingen]
| datum      | bedrag | factuur | klant | status    |
| 2026-11-23 | 1.00   |         |       | Genegeerd |
"""


def _workbook(tmp_path: Path) -> Path:
    path = tmp_path / "Boek.xlsx"
    write_book(book(BOOK, **SENDER), path)
    (tmp_path / "facturen").mkdir()
    # starts like a PDF, but has no body, no cross-reference table and no end
    (tmp_path / "facturen" / "kapot.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage\n")
    (tmp_path / "facturen" / "geen-pdf.pdf").write_bytes(b"PK\x03\x04 a zip, not a pdf")
    return path


def test_an_unusable_invoice_pdf_is_named_in_dutch_and_replaced_by_a_generated_copy(
    capsys, tmp_path: Path
):
    path = _workbook(tmp_path)
    code = main(["herinneringen", str(path), "--datum", DAY, "--json"])
    captured = capsys.readouterr()
    assert code == 0
    data = json.loads(captured.out)
    notes = "\n".join(data["meldingen"])
    for number, file in (("F1", "weg.pdf"), ("F2", "kapot.pdf"), ("F3", "geen-pdf.pdf")):
        (note,) = [n for n in data["meldingen"] if f"factuur {number}:" in n]
        assert file in note and "kopie gemaakt uit de gegevens" in note, notes
    assert "beschadigd" in notes
    (letter,) = data["brieven"]
    pages = [p.extract_text() for p in PdfReader(tmp_path / letter["pdf"]).pages]
    assert len(pages) == 4 and all("KOPIEFACTUUR" in p for p in pages[1:])


def test_pypdf_repair_messages_stay_off_the_terminal(tmp_path: Path):
    """In its own process, as a user runs it: pytest's log capture would hide them here."""
    path = _workbook(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "addin.cli", "herinneringen", str(path), "--datum", DAY, "--proef"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "factuur F2: 'facturen/kapot.pdf' is beschadigd" in done.stdout
    assert done.stderr == ""
