"""Every IBAN in what we ship and in our own fixtures has right check digits (ISO 13616,
MOD 97-10), unless the file is on ON_PURPOSE below with its reason.

A made-up account with wrong check digits looks careless to a reader who checks it, and it
takes another path through the readers (the MT940 own-account rule asks iban_is_valid).
NL02RABO0123456789 was such an account in the bank fixtures, benchmarks and docstrings.

What counts as IBAN-looking: capitals, a country of python-stdnum's IBAN registry, two
digits, then exactly that country's BBAN shape, compact or printed in groups of four
("NL91 ABNA 0417 1643 00"). So a Belgian company number (BE0403170701) or an RF reference
is not an IBAN here, and a customer IBAN that comes out of a real bank file is.

Scanned: every file git tracks; inside .xlsx/.xlsm the XML parts (the shared strings, cells),
inside PDFs the text pypdf extracts. Not scanned: images (docs/*.png are drawn from the
example data by docs/render_*.py, which is scanned with addin/example.py).

Public samples copied byte for byte (tests/fixtures/ubl, see its README's provenance
tables) are not ours to correct: a file there is passed over only while its bytes still have
the sha256 its README lists, so an edited copy is checked like our own files.
"""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import zipfile
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path

import pytest
from pypdf import PdfReader
from stdnum import iban

ROOT = Path(__file__).resolve().parents[1]
THIS = Path(__file__).resolve().relative_to(ROOT).as_posix()

# (file, its invalid IBANs exactly) -> why they are wrong on purpose. Checked both ways: an
# invalid IBAN not listed fails, and so does a listed one that is no longer there.
ON_PURPOSE: dict[str, tuple[frozenset[str], str]] = {
    "addin/core/sender.py": (
        frozenset({"NL00ABNA0417164300"}),
        "the module docstring shows the Dutch message for a wrong IBAN in Instellingen",
    ),
    "tests/core/test_checks.py": (
        frozenset({"NL00ABNA0417164300"}),
        "check_customer_ibans must report a customer IBAN with wrong check digits",
    ),
    "tests/core/test_fast_paths.py": (
        frozenset({"NL91ABNA0417164301"}),
        "the fast IBAN check must say no where python-stdnum says no (one digit changed)",
    ),
    "tests/test_cli_sender.py": (
        frozenset({"NL92ABNA0417164300"}),
        "a wrong own IBAN stops the letters, a wrong customer IBAN is only reported",
    ),
    "tests/adapters/test_bankfiles.py": (
        frozenset({"NL81ASNB9999999999", "NL47INGB9999999999", "NL70ABNA0987654321"}),
        "what the public MT940 samples in shared/samples/bank (ASN, jejik) say, as they say it",
    ),
    "tests/test_cli_bank.py": (
        frozenset({"NL81ASNB9999999999", "NL56ASNB9999999999"}),
        "the accounts of ASN's public MT940 sample (shared/samples/bank), as it says them, and "
        "that a wrong IBAN in Eigen rekeningen is reported",
    ),
    "tests/fixtures/ubl/README.md": (
        frozenset({
            "NL11BANK1111111111", "NL11BANK1111111112", "NL15ABNA0000000000",
            "NL15ABNA1111111111", "SE1212341234123412341234",
        }),
        "describes the public UBL samples and quotes their payment accounts",
    ),
}  # fmt: skip


def _bban_pattern(shape: str) -> str:
    """A regex for one country's IBAN from its registry BBAN shape ("4!a10!n"), allowing the
    printed form's single space after every fourth character."""
    kinds = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}
    chars = ["[0-9]", "[0-9]"]  # check digits, after the two country letters
    for count, kind in re.findall(r"(\d+)!([nac])", shape):
        chars += [kinds[kind]] * int(count)
    # the country code is characters 1-2, so a group boundary follows every (i + 3) % 4 == 0
    return "".join(c + ("(?: )?" if (i + 3) % 4 == 0 and i < len(chars) - 1 else "")
                   for i, c in enumerate(chars))  # fmt: skip


def _registry() -> re.Pattern[str]:
    shapes = re.findall(
        r'^([A-Z]{2}) .*?bban="([^"]+)"',
        files("stdnum").joinpath("iban.dat").read_text(encoding="utf-8"),
        re.M,
    )
    countries = "|".join(f"{cc}{_bban_pattern(shape)}" for cc, shape in shapes)
    # no letter or digit right before: "XNL91..." is not an IBAN; anything may follow, as
    # ING's MT940 writes the own account and currency together ("NL69INGB0123456789EUR")
    return re.compile(rf"(?<![A-Za-z0-9])(?=[A-Z]{{2}}[0-9]{{2}})(?:{countries})")


IBAN_LIKE = _registry()


def _published() -> dict[str, str]:
    """Public sample -> the sha256 its folder's README gives for the bytes as published."""
    out = {}
    for readme in (ROOT / "tests/fixtures").rglob("README.md"):
        rows = re.findall(r"^\| `([^`]+)` \|.*\| `([0-9a-f]{64})` \|$", readme.read_text(), re.M)
        for name, sha in rows:
            out[(readme.parent / name).relative_to(ROOT).as_posix()] = sha
    return out


def _texts(path: str) -> Iterator[str]:
    data = (ROOT / path).read_bytes()
    if path.endswith((".xlsx", ".xlsm")):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                if name.endswith((".xml", ".rels")):
                    yield z.read(name).decode("utf-8")
    elif path.endswith(".pdf"):
        yield "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    elif b"\0" not in data[:8192]:  # images and other binaries hold no text to read
        yield data.decode("utf-8", errors="replace")


def invalid_ibans(path: str) -> set[str]:
    """The IBAN-looking strings in the file at `path` whose check digits are wrong, compact."""
    found = {m.group(0).replace(" ", "") for text in _texts(path) for m in IBAN_LIKE.finditer(text)}
    return {n for n in found if not iban.is_valid(n, check_country=False)}


def _tracked() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [p for p in out.split("\0") if p and (ROOT / p).is_file()]


@pytest.mark.parametrize(
    ("text", "exp"),
    [
        ("<IBAN>NL02RABO0123456789</IBAN>", {"NL02RABO0123456789"}),  # the old own account
        ("<IBAN>NL44RABO0123456789</IBAN>", set()),
        ("IBAN NL00 ABNA 0417 1643 00 of", {"NL00ABNA0417164300"}),  # printed in groups
        (":25:NL69INGB0123456789EUR", set()),
        (":25:NL68INGB0123456789EUR", {"NL68INGB0123456789"}),  # currency right after it
        ("SE1212341234123412341234", {"SE1212341234123412341234"}),
        ("BE0403170701 RF19539007547034 XX91ABNA0417164300", set()),  # not IBAN-shaped
        ("XNL02RABO0123456789", set()),  # inside a longer word
    ],
    ids=["wrong", "right", "grouped", "mt940", "mt940-wrong", "sweden", "not-ibans", "word"],
)
def test_what_counts_as_a_wrong_iban(tmp_path, text, exp):
    got = {m.group(0).replace(" ", "") for m in IBAN_LIKE.finditer(text)}
    assert {n for n in got if not iban.is_valid(n, check_country=False)} == exp


def test_scan_reads_inside_workbooks_and_pdfs():
    # the example workbook and an invoice PDF carry the example company's IBAN: were the
    # scan blind inside them, the repository test below would pass on anything
    def ibans(path: str) -> set[str]:
        return {m.group(0) for t in _texts(path) for m in IBAN_LIKE.finditer(t)}

    assert ibans("workbook/Voorbeeld.xlsx") and ibans("workbook/Debiteuren.xlsm")
    assert ibans("workbook/facturen/2026-0001.pdf")


def test_every_iban_we_wrote_has_right_check_digits():
    published = _published()
    got: dict[str, set[str]] = {}
    for path in _tracked():
        if path == THIS:
            continue  # quotes the wrong IBANs of ON_PURPOSE and of its own cases
        sha = published.get(path)
        if sha and hashlib.sha256((ROOT / path).read_bytes()).hexdigest() == sha:
            continue  # a public sample as published: not ours to correct
        bad = invalid_ibans(path)
        if bad or path in ON_PURPOSE:
            got[path] = bad
    exp = {path: set(ibans) for path, (ibans, _why) in ON_PURPOSE.items()}
    assert got == exp
