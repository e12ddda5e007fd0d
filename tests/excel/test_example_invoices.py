"""The example's invoices as PDFs (issue 10, item 7): workbook/facturen holds one per invoice,
the same bytes as a fresh generation, and the quick start's letters carry them stamped KOPIE
instead of a generated KOPIEFACTUUR."""

from __future__ import annotations

import json
import os
import shutil

from pypdf import PdfReader

from addin.adapters.documents.invoice_pdf import invoice_file_name, write_invoice_pdfs
from addin.cli import main
from tests.excel.conftest import SHIPPED

FOLDER = SHIPPED.parent / "facturen"


def test_shipped_invoices_are_a_fresh_generation(book, tmp_path):
    """Fails when the example changed without `debiteuren bouw`."""
    assert write_invoice_pdfs(book, tmp_path) == len(book.invoices)
    exp = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    got = {p.name: p.read_bytes() for p in FOLDER.iterdir()}
    assert sorted(got) == sorted(exp), "run `debiteuren bouw`"
    assert [n for n in exp if got[n] != exp[n]] == [], "run `debiteuren bouw`"
    # Factuur-pdf of every invoice names one of them, relative to the workbook.
    assert {i.pdf for i in book.invoices} == {f"facturen/{n}" for n in exp}
    assert {invoice_file_name(i) for i in book.invoices} == set(exp)
    assert book.settings.invoice_dir == "facturen"


def test_an_invoice_pdf_reads_back(book):
    invoice = book.invoices[-1]
    text = PdfReader(FOLDER / invoice_file_name(invoice)).pages[0].extract_text()
    assert invoice.number in text and book.settings.company_name in text
    assert "Totaal incl. btw" in text


def test_quick_start_letters_carry_the_originals(tmp_path, capsys):
    shutil.copy(SHIPPED, tmp_path / "Debiteuren.xlsm")
    shutil.copytree(FOLDER, tmp_path / "facturen")
    assert main(["herinneringen", str(tmp_path / "Debiteuren.xlsm"), "--datum", "2026-11-24"]) == 0
    capsys.readouterr()
    letters = sorted((tmp_path / "uitvoer" / "2026-11-24").glob("*.pdf"))
    assert len(letters) == 10
    for letter in letters:
        pages = [p.extract_text() for p in PdfReader(letter).pages]
        originals = [p for p in pages if "Totaal incl. btw" in p]
        assert originals and all("KOPIE" in p for p in originals), letter
        assert not any("KOPIEFACTUUR" in p for p in pages), letter


def test_quick_start_then_verstuur_sees_only_that_runs_letters(tmp_path, capsys):
    """The README's order, herinneringen then verstuur, on the shipped .xlsm and .xlsx: the
    example's old letters are sent already (Verzonden), so nothing is 'niet verstuurd' and
    what is left is the run's own letters."""
    for shipped in (SHIPPED, SHIPPED.parent / "Voorbeeld.xlsx"):
        folder = tmp_path / shipped.stem
        folder.mkdir()
        book = folder / shipped.name
        shutil.copy(shipped, book)
        shutil.copytree(FOLDER, folder / "facturen")
        assert main(["herinneringen", str(book), "--datum", "2026-11-24"]) == 0
        capsys.readouterr()
        code = main(["verstuur", str(book), "--datum", "2026-11-24", "--proef", "--json"])
        data = json.loads(capsys.readouterr().out)
        assert (data["niet_verzonden"], data["onzeker"]) == ([], []), shipped.name
        assert code == 0, shipped.name
        printed = [p["document"] for p in data["te_printen"]]
        assert printed == ["uitvoer/2026-11-24/2026-11-24 Veertiendagenbrief K032.pdf"]


def test_nieuw_voorbeeld_writes_them_and_keeps_existing(tmp_path, capsys):
    (tmp_path / "facturen").mkdir()
    own = tmp_path / "facturen" / "2026-0001.pdf"
    own.write_bytes(b"%PDF-1.4 eigen")
    assert main(["nieuw", str(tmp_path / "Boek.xlsm"), "--voorbeeld", "--json"]) == 0
    capsys.readouterr()
    names = {p.name for p in (tmp_path / "facturen").iterdir()}
    assert names == {p.name for p in FOLDER.iterdir()}
    assert own.read_bytes() == b"%PDF-1.4 eigen"


def _content(path) -> bytes | None:
    """A file's bytes, a link's target (not followed), None for a folder."""
    if path.is_symlink():
        return os.readlink(path).encode()
    return None if path.is_dir() else path.read_bytes()


def _tree(root) -> dict[str, bytes | None]:
    """Every path under `root` with its content: what a run left."""
    return {str(p.relative_to(root)): _content(p) for p in sorted(root.rglob("*"))}


def test_nieuw_voorbeeld_that_fails_on_its_invoice_folder_leaves_no_workbook(tmp_path, capsys):
    """A file named facturen where the example's invoices go: the new workbook stayed
    behind ('de werkmap staat er, maar de facturen niet'). Now nothing is left."""
    (tmp_path / "facturen").write_text("geen map")
    listing = _tree(tmp_path)
    code = main(["nieuw", str(tmp_path / "Boek.xlsm"), "--voorbeeld", "--json"])
    message = json.loads(capsys.readouterr().out)["fout"]
    assert code == 2 and "facturen" in message and "Errno" not in message, message
    assert "Er is niets gemaakt" in message and str(tmp_path / "Boek.xlsm") in message
    assert _tree(tmp_path) == listing


def test_nieuw_voorbeeld_that_fails_half_way_takes_its_invoices_away(tmp_path, capsys):
    """A link named like the tenth invoice, pointing nowhere, in the user's own facturen
    folder: the first nine PDFs and the workbook were written, then the write through the
    link failed and all of them stayed. Now the run leaves the folder and the link as they
    were, and no workbook."""
    folder = tmp_path / "facturen"
    folder.mkdir()
    (folder / "eigen.pdf").write_bytes(b"%PDF-1.4 eigen")
    names = sorted(p.name for p in FOLDER.iterdir())
    (folder / names[9]).symlink_to(tmp_path / "bestaat-niet" / "x.pdf")
    listing = _tree(tmp_path)
    code = main(["nieuw", str(tmp_path / "Boek.xlsm"), "--voorbeeld", "--json"])
    message = json.loads(capsys.readouterr().out)["fout"]
    assert code == 2 and str(folder / names[9]) in message, message
    assert _tree(tmp_path) == listing


def test_nieuw_voorbeeld_takes_away_the_invoice_folder_it_made(tmp_path, capsys):
    """The workbook's path fits under the system's limit (PATH_MAX), its invoices' paths do
    not: the workbook and an empty facturen folder stayed behind."""
    limit = os.pathconf(tmp_path, "PC_PATH_MAX")
    folder = tmp_path
    while len(str(folder)) < limit - 15:  # room for "/B.xlsm" and "/facturen", not a PDF
        folder = folder / ("m" * min(200, limit - 15 - len(str(folder)) - 1))
    folder.mkdir(parents=True)
    listing = _tree(tmp_path)
    code = main(["nieuw", str(folder / "B.xlsm"), "--voorbeeld", "--json"])
    message = json.loads(capsys.readouterr().out)["fout"]
    assert code == 2 and "een naam in het pad is te lang" in message, message
    assert _tree(tmp_path) == listing
