"""File names made from user text (customer names, invoice numbers, subjects): safe on
Windows, macOS and Linux, checked on real files where the system can show it."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from addin.adapters.documents.paths import safe_name
from addin.adapters.workbook.book_writer import write_book
from addin.cli import main
from tests.adapters.test_handover import SENDER, _pdf
from tests.core.booktext import book

# Windows refuses these as a file's name, with any extension ("CON.pdf", "nul .eml"):
# https://learn.microsoft.com/windows/win32/fileio/naming-a-file#naming-conventions
RESERVED = ("CON", "con", "PRN", "AUX", "NUL", "nul .txt", "COM1", "com9", "LPT1", "CON.pdf")


@pytest.mark.parametrize("text", RESERVED)
def test_windows_reserved_names_are_never_made(text):
    got = safe_name(text)
    stem = got.split(".")[0].rstrip(" ").upper()
    assert stem not in {"CON", "PRN", "AUX", "NUL", "COM1", "COM9", "LPT1"}, got


@pytest.mark.parametrize(
    ("text", "exp"),
    [
        ("Café 't Hoekje", "Café 't Hoekje"),
        ("A/B Bouw", "A_B Bouw"),
        ('a:b*c?d"e<f>g|h', "a_b_c_d_e_f_g_h"),
        ("Bouw B.V.", "Bouw B.V"),  # Windows drops a trailing dot: the name would change
        ("CONSTRUCT", "CONSTRUCT"),  # only the exact reserved words
        ("COM10", "COM10"),
    ],
)
def test_safe_name_table(text, exp):
    assert safe_name(text) == exp


def test_a_cut_name_ends_without_a_dot_or_space():
    # Cut at the limit, "Bakkerij Verhoef & Zn. B.V." must not end in ". " (Windows strips
    # trailing dots and spaces, so the folder made would not be the one named).
    got = safe_name("x" * 10 + " . Bouw", limit=12)
    assert not got.endswith((".", " ")), got


def test_a_long_name_of_wide_characters_fits_in_one_file_name():
    # ext4 and APFS allow 255 bytes (UTF-8) per name, NTFS 255 UTF-16 units: 80 emoji are
    # 320 bytes. The name must leave room for a suffix like " (2).pdf" too.
    got = safe_name("🍰" * 200)
    assert len(got.encode("utf-8")) <= 200
    assert len(got.encode("utf-16-le")) // 2 <= 200


def test_handover_for_a_customer_with_a_long_name_of_emoji(capsys, tmp_path):
    # The dossier's folder and ZIP carry the customer's name: on this Linux machine a name
    # over 255 bytes is refused by the file system ("File name too long").
    root = tmp_path / "boek"
    root.mkdir()
    path = root / "Debiteuren.xlsx"
    name = "🍰" * 100
    text = f"""
    [klanten]
    | klant | naam   | soort    | adres      | postcode | plaats  |
    | K1    | {name} | Zakelijk | Dorpsweg 1 | 1234 AB  | Utrecht |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag  |
    | F1      | K1    | 2025-03-01   | 2025-03-31  | 1000.00 |
    """
    write_book(book(text, company_name="Test BV", collection_agency="Incasso BV", **SENDER), path)
    out = tmp_path / "uit"
    code = main(
        ["overdracht", str(path), "K1", "--datum", "2025-06-30", "--uit", str(out), "--json"]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0, data
    assert Path(data["zip"]).is_file() and Path(data["map"]).is_dir()


def test_two_customers_whose_numbers_make_the_same_file_name_get_two_letters(tmp_path):
    # "D/1" and "D:1" both become "D_1" in a file name (and "d1"/"D1" are one file on
    # Windows and macOS): the second letter overwrote the first, and both Contacten rows
    # pointed to one PDF, so verstuur would send one customer's letter to the other.
    from datetime import date

    from pypdf import PdfReader

    from addin.adapters.documents.letter_job import run_letters

    text = """
    [klanten]
    | klant | naam        | soort    | adres      | postcode | plaats  | e-mail      |
    | D/1   | Eerste BV   | Zakelijk | Dorpsweg 1 | 1234 AB  | Utrecht | a@eerste.nl |
    | D:1   | Tweede BV   | Zakelijk | Dorpsweg 2 | 1234 AB  | Utrecht | b@tweede.nl |
    | d_1   | Derde BV    | Zakelijk | Dorpsweg 3 | 1234 AB  | Utrecht | c@derde.nl  |
    | K9    | Groot BV    | Zakelijk | Dorpsweg 9 | 1234 AB  | Utrecht | g@groot.nl  |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | D/1   | 2026-10-01   | 2026-10-31  | 100.00 |
    | F2      | D:1   | 2026-10-01   | 2026-10-31  | 100.00 |
    | F3      | d_1   | 2026-10-01   | 2026-10-31  | 100.00 |
    | F9      | K9    | 2026-11-01   | 2026-12-31  | 90000.00 |
    """
    b = book(text, company_name="Test BV", **SENDER)
    path = tmp_path / "Debiteuren.xlsx"
    write_book(b, path)
    job = run_letters(b, path, date(2026, 11, 24), dry_run=True, parallel=False)
    documents = [m.document for m in job.made]
    assert len(job.made) == 3, (job.skipped, job)
    assert len({d.casefold() for d in documents}) == 3, documents
    for made in job.made:
        pdf = PdfReader(path.parent / made.document)
        assert made.task.invoices[0] in " ".join(p.extract_text() for p in pdf.pages)


def _handover_book(tmp_path: Path, name: str, invoices: str) -> Path:
    root = tmp_path / "boek"
    root.mkdir(exist_ok=True)
    path = root / "Debiteuren.xlsx"
    text = f"""
    [klanten]
    | klant | naam   | soort    | adres      | postcode | plaats  |
    | K1    | {name} | Zakelijk | Dorpsweg 1 | 1234 AB  | Utrecht |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag  | factuur-pdf |
    {invoices}
    """
    write_book(
        book(
            text,
            company_name="Test BV",
            collection_agency="Incasso BV",
            invoice_dir="facturen",
            **SENDER,
        ),
        path,
    )
    return path


def _handover(capsys, path: Path, day: str, out: Path) -> dict:
    code = main(
        ["overdracht", str(path), "K1", "--datum", day, "--uit", str(out), "--proef", "--json"]
    )
    data = json.loads(capsys.readouterr().out)
    assert code == 0, data
    return data


def test_a_long_customer_name_keeps_the_date_in_the_dossier_name(capsys, tmp_path):
    # Cut at 80 characters, "Overdracht K1 <long name> 2025-06-30" lost its date: the
    # dossier of a later day had the same name and removed the earlier one.
    name = "Stichting Woonzorg Nederland Regio Midden-Utrecht en Omstreken Afdeling Noord"
    path = _handover_book(tmp_path, name, "| F1 | K1 | 2025-03-01 | 2025-03-31 | 1000.00 | |")
    out = tmp_path / "uit"
    first = _handover(capsys, path, "2025-06-30", out)
    second = _handover(capsys, path, "2025-07-31", out)
    assert "2025-06-30" in Path(first["zip"]).name and "2025-07-31" in Path(second["zip"]).name
    assert Path(first["zip"]).is_file() and Path(second["zip"]).is_file()
    assert Path(first["map"]).is_dir() and Path(second["map"]).is_dir()


def test_invoice_numbers_that_make_one_file_name_both_go_into_the_dossier(capsys, tmp_path):
    # "2025/1" and "2025:1" are both "2025_1.pdf": the second PDF replaced the first.
    path = _handover_book(
        tmp_path,
        "Bouw BV",
        "| 2025/1 | K1 | 2025-03-01 | 2025-03-31 | 1000.00 | a.pdf |\n"
        "    | 2025:1 | K1 | 2025-03-01 | 2025-03-31 | 500.00  | b.pdf |",
    )
    _pdf(path.parent / "facturen" / "a.pdf", "Factuur A")
    _pdf(path.parent / "facturen" / "b.pdf", "Factuur B")
    data = _handover(capsys, path, "2025-06-30", tmp_path / "uit")
    assert data["ontbreekt"] == []
    with zipfile.ZipFile(data["zip"]) as z:
        pdfs = sorted(n for n in z.namelist() if "/facturen/" in n)
        texts = {PdfReader(io.BytesIO(z.read(n))).pages[0].extract_text().strip() for n in pdfs}
    assert len({n.casefold() for n in pdfs}) == 2, pdfs
    assert texts == {"Factuur A", "Factuur B"}


def test_nieuw_names_the_invoice_folder_it_could_not_write_without_a_python_repr(capsys, tmp_path):
    # The message was "[Errno 17] File exists: \"/…/N é's/facturen\"": English, and the
    # path in Python's repr (on Windows with every backslash doubled).
    folder = tmp_path / "N é's map"
    folder.mkdir()
    (folder / "facturen").write_bytes(b"")  # a file where the folder must go
    code = main(["nieuw", str(folder / "Boek.xlsm"), "--voorbeeld"])
    err = capsys.readouterr().err
    assert code != 0
    assert "Errno" not in err and '"' not in err, err
    assert f"'{folder / 'facturen'}'" in err and "er staat al een bestand met die naam" in err


def test_a_folder_name_too_long_for_the_file_system_is_said_in_dutch(capsys, tmp_path):
    # ext4 refuses a name over 255 bytes; the message said only "schrijven mislukt".
    from addin.example import example_book

    path = tmp_path / "Debiteuren.xlsx"
    write_book(example_book(), path)
    long = tmp_path / ("map " * 80)
    code = main(["overzicht", str(path), "--png", str(long), "--proef"])
    err = capsys.readouterr().err
    assert code != 0
    assert "een naam in het pad is te lang" in err, err


def test_letters_in_a_relative_uit_folder_are_logged_so_they_can_be_found(
    capsys, tmp_path, monkeypatch
):
    # `--uit "brieven & zo"` from another folder than the workbook's: Contacten.Document
    # said "brieven & zo/....pdf", relative to where the command ran, which the workbook's
    # rules (Factuurmap, then the workbook's folder) never find.
    import openpyxl

    from addin.adapters.documents.paths import find_document, roots_for
    from addin.core.model import Settings

    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    path = tmp_path / "Debiteuren.xlsx"
    text = """
    [klanten]
    | klant | naam     | soort    | adres      | postcode | plaats  | e-mail     |
    | K1    | Bouw BV  | Zakelijk | Dorpsweg 1 | 1234 AB  | Utrecht | a@bouw.nl  |
    | K9    | Groot BV | Zakelijk | Dorpsweg 9 | 1234 AB  | Utrecht | g@groot.nl |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag   |
    | F1      | K1    | 2026-10-01   | 2026-10-31  | 100.00   |
    | F9      | K9    | 2026-11-01   | 2026-12-31  | 90000.00 |
    """
    write_book(book(text, company_name="Test BV", **SENDER), path)
    monkeypatch.chdir(elsewhere)
    code = main(["herinneringen", str(path), "--datum", "2026-11-24", "--uit", "brieven & zo"])
    out = capsys.readouterr()
    assert code == 0, out
    ws = openpyxl.load_workbook(path, read_only=True)["Contacten"]
    rows = list(ws.iter_rows(values_only=True))
    document = rows[-1][rows[0].index("Document")]
    found = find_document(
        document, roots_for(path, Settings(invoice_dir="facturen"), "invoice_dir")
    )
    assert found.path == (elsewhere / "brieven & zo").resolve() / Path(document).name, (
        document,
        found,
    )


def test_a_handover_to_a_relative_uit_folder_is_logged_with_a_path_that_exists(
    capsys, tmp_path, monkeypatch
):
    # Run from another folder with `--uit dossiers`: Contacten.Document said
    # "dossiers/Overdracht ....zip", relative to a folder the workbook knows nothing of.
    import openpyxl

    path = _handover_book(tmp_path, "Bouw BV", "| F1 | K1 | 2025-03-01 | 2025-03-31 | 1000.00 | |")
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code = main(["overdracht", str(path), "K1", "--datum", "2025-06-30", "--uit", "dossiers"])
    assert code == 0, capsys.readouterr()
    ws = openpyxl.load_workbook(path, read_only=True)["Contacten"]
    rows = list(ws.iter_rows(values_only=True))
    document = rows[-1][rows[0].index("Document")]
    assert Path(document).is_absolute() and Path(document).is_file(), document


def test_every_path_in_a_dossier_leaves_room_under_windows_max_path(capsys, tmp_path):
    # Windows (without the long-paths policy) refuses a path over 260 characters, for
    # Explorer unpacking the ZIP too. A dossier under "C:\Users\Jan\OneDrive - Bakkerij
    # Verhoef & Zn\Debiteuren 2026\Overdracht\" (~75 characters) must fit: every path
    # inside it at most 150 characters. It was up to 188 (an 80-character letter name
    # under an 80-character dossier name).
    name = "Stichting Woonzorg Nederland Regio Midden-Utrecht en Omstreken Afdeling Noord"
    number = "2025-" + "9" * 60
    letter = "Herinnering aan " + name + " over de factuur van maart met een lange naam"
    root = tmp_path / "boek"
    root.mkdir()
    path = root / "Debiteuren.xlsx"
    text = f"""
    [klanten]
    | klant | naam   | soort    | adres      | postcode | plaats  |
    | K1    | {name} | Zakelijk | Dorpsweg 1 | 1234 AB  | Utrecht |
    [facturen]
    | factuur  | klant | factuurdatum | vervaldatum | bedrag  | factuur-pdf    |
    | {number} | K1    | 2025-03-01   | 2025-03-31  | 1000.00 | {number}.pdf   |
    [contacten]
    | datum      | klant | facturen | kanaal | stap        | document              |
    | 2025-04-02 | K1    | {number} | Brief  | Herinnering | brieven/{letter}.pdf  |
    """
    settings = dict(company_name="Test BV", collection_agency="Incasso BV", invoice_dir="facturen")
    write_book(book(text, **settings, **SENDER), path)
    _pdf(root / "facturen" / f"{number}.pdf", "Factuur")
    _pdf(root / "brieven" / f"{letter}.pdf", "Brief")
    data = _handover(capsys, path, "2025-06-30", tmp_path / "uit")
    with zipfile.ZipFile(data["zip"]) as z:
        names = z.namelist()
    assert any("/brieven/" in n for n in names) and any("/facturen/" in n for n in names)
    assert max(len(n) for n in names) <= 150, max(names, key=len)


def test_a_factuurmap_typed_on_windows_is_found_on_a_mac_or_linux(capsys, tmp_path):
    # "facturen\2026" in Instellingen, typed on Windows: elsewhere it was one folder
    # named "facturen\2026", so every invoice PDF was missing from the dossier.
    root = tmp_path / "boek"
    root.mkdir()
    path = root / "Debiteuren.xlsx"
    text = """
    [klanten]
    | klant | naam    | soort    | adres      | postcode | plaats  |
    | K1    | Bouw BV | Zakelijk | Dorpsweg 1 | 1234 AB  | Utrecht |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag  | factuur-pdf |
    | F1      | K1    | 2025-03-01   | 2025-03-31  | 1000.00 | F1.pdf      |
    """
    settings = dict(company_name="Test BV", collection_agency="Incasso BV")
    write_book(book(text, invoice_dir="facturen\\2026", **settings, **SENDER), path)
    _pdf(root / "facturen" / "2026" / "F1.pdf", "Factuur F1")
    data = _handover(capsys, path, "2025-06-30", tmp_path / "uit")
    assert data["ontbreekt"] == []


def test_an_uitvoermap_typed_on_windows_makes_folders_not_one_name_with_backslashes(
    capsys, tmp_path
):
    root = tmp_path / "boek"
    root.mkdir()
    path = root / "Debiteuren.xlsx"
    text = """
    [klanten]
    | klant | naam    | soort    | adres      | postcode | plaats  |
    | K1    | Bouw BV | Zakelijk | Dorpsweg 1 | 1234 AB  | Utrecht |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag  |
    | F1      | K1    | 2025-03-01   | 2025-03-31  | 1000.00 |
    """
    settings = dict(company_name="Test BV", collection_agency="Incasso BV")
    write_book(book(text, output_dir="uitvoer\\dossiers", **settings, **SENDER), path)
    code = main(["overdracht", str(path), "K1", "--datum", "2025-06-30", "--proef", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0, data
    assert Path(data["zip"]).parent == root / "uitvoer" / "dossiers", data["zip"]


def test_a_long_step_name_never_cuts_the_customer_number_off_the_letter_name():
    # "<date> <step> <customer>" cut at 80 characters lost the customer number when the
    # user's own step name was long: the file no longer said whose letter it was.
    from datetime import date
    from decimal import Decimal

    from addin.adapters.documents.letter_job import letter_name
    from addin.core.model import Action, LetterTask

    step = "Tweede herinnering met telefonische aankondiging van de veertiendagenbrief"
    task = LetterTask("K12345", Action.REMINDER, step, date(2026, 11, 24), ("F1",), (), Decimal(1))
    got = letter_name(task, date(2026, 11, 24))
    assert got.startswith("2026-11-24 Tweede herinnering") and got.endswith(" K12345"), got
    assert len(got) <= 80
