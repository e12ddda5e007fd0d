"""E-mail addresses from the workbook reach a draft's headers only as validated addresses:
each hostile field of the fault run gives exactly the intended recipient (or none, with a
problem naming sheet, row and column), never a second header or recipient, and never aborts
the run. Checked on a real workbook through `herinneringen --json`, drafts parsed back with
the email package."""

from __future__ import annotations

import email
import json
from dataclasses import replace
from email import policy
from email.message import EmailMessage
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from addin.adapters.workbook.book_writer import write_book
from addin.cli import main
from addin.core.addresses import header_text, parse_addresses
from tests.core.booktext import book

DAY = "2026-11-24"
BOOK = """
[klanten]
| klant | naam        | soort    | segment | adres      | postcode | plaats  |
| K1    | Klant Een   | Zakelijk | C       | Dorpsweg 1 | 1234 AB  | Utrecht |
| K2    | Klant Twee  | Zakelijk | C       | Dorpsweg 2 | 1234 AB  | Utrecht |
| K3    | Klant Drie  | Zakelijk | C       | Dorpsweg 3 | 1234 AB  | Utrecht |
| K4    | Klant Vier  | Zakelijk | C       | Dorpsweg 4 | 1234 AB  | Utrecht |
| K5    | Klant Vijf  | Zakelijk | C       | Dorpsweg 5 | 1234 AB  | Utrecht |
| K6    | Klant Zes   | Zakelijk | C       | Dorpsweg 6 | 1234 AB  | Utrecht |
| K7    | Klant Zeven | Zakelijk | C       | Dorpsweg 7 | 1234 AB  | Utrecht |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag |
| F1      | K1    | 2026-10-01   | 2026-10-31  | 100.00 |
| F2      | K2    | 2026-10-01   | 2026-10-31  | 200.00 |
| F3      | K3    | 2026-10-01   | 2026-10-31  | 300.00 |
| F4      | K4    | 2026-10-01   | 2026-10-31  | 400.00 |
| F5      | K5    | 2026-10-01   | 2026-10-31  | 500.00 |
| F6      | K6    | 2026-10-01   | 2026-10-31  | 600.00 |
| F7      | K7    | 2026-10-01   | 2026-10-31  | 700.00 |
[betalingen]
| datum      | bedrag | factuur | klant | status    |
| 2026-11-23 | 1.00   |         |       | Genegeerd |
"""

# customer -> (Naam, E-mail, the addresses the draft must go to and nothing else)
HOSTILE = {
    "K1": ("=?utf-8?q?Bcc=3A_evil=40x=2Enl?=", "jan@klant.nl", ["jan@klant.nl"]),
    "K2": ("Klant Twee", "a@b.nl, evil@x.nl", []),
    "K3": ("Klant Drie", '"Bank" <evil@x.nl>', []),
    "K4": ("Klant\r\nBcc: evil@x.nl", "piet@klant.nl", ["piet@klant.nl"]),
    "K5": ("Klant Vijf", "kees@klant.nl\r\nBcc: evil@x.nl", []),
    "K6": ("Mehmet Yılmaz", "mehmet.yılmaz@kpnmail.nl", ["mehmet.yılmaz@kpnmail.nl"]),
    "K7": ("Klant Zeven", "a@klant.nl; b@klant.nl;", ["a@klant.nl", "b@klant.nl"]),
}


# The sender's details every letter run requires (core.sender).
SENDER = {
    "address": "Industrieweg 1",
    "postcode": "9700 AB",
    "city": "Groningen",
    "email": "info@test.nl",
    "iban": "NL91ABNA0417164300",
}


def _hostile_book(**settings):
    b = book(BOOK, **{**SENDER, **settings})
    customers = tuple(
        replace(c, name=HOSTILE[c.number][0], email=HOSTILE[c.number][1]) for c in b.customers
    )
    return replace(b, customers=customers)


def _run(capsys, *args) -> tuple[int, dict]:
    code = main([str(a) for a in args])
    return code, json.loads(capsys.readouterr().out)


def _drafts(workbook: Path, data: dict) -> dict[str, EmailMessage]:
    out = {}
    for letter in data["brieven"]:
        raw = (workbook.parent / letter["eml"]).read_bytes()
        # An SMTPUTF8 message has UTF-8 headers (RFC 6532): parse it as text.
        out[letter["klant"]] = email.message_from_string(raw.decode(), policy=policy.default)
    return out


def _recipients(msg: EmailMessage) -> list[str]:
    found = []
    for name in ("To", "Cc", "Bcc", "Resent-To", "Resent-Cc", "Resent-Bcc"):
        for header in msg.get_all(name) or ():
            found += [a.addr_spec for a in header.addresses]
    return found


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "Debiteuren.xlsx"
    write_book(
        _hostile_book(
            company_name="Test BV\r\nBcc: evil@x.nl",
            email="info@test.nl",
            iban="NL91ABNA0417164300",
        ),
        path,
    )
    return path


def test_each_hostile_field_gives_exactly_the_intended_recipient(capsys, hostile):
    code, data = _run(capsys, "herinneringen", hostile, "--datum", DAY, "--json")
    assert code == 1  # done, and the bad addresses were reported
    drafts = _drafts(hostile, data)
    assert set(drafts) == set(HOSTILE)  # every letter made, also where the address is bad
    for customer, msg in drafts.items():
        exp = HOSTILE[customer][2]
        assert _recipients(msg) == exp, customer
        assert [a.addr_spec for a in msg["From"].addresses] == ["info@test.nl"]
        assert [a.addr_spec for a in msg["Reply-To"].addresses] == ["info@test.nl"]
        assert "evil" not in "".join(a.addr_spec for a in msg["From"].addresses)
        assert msg["Bcc"] is None and msg["Cc"] is None
        for name, value in msg.items():
            assert "\r" not in str(value) and "\n" not in str(value), (customer, name)
        pdf = hostile.parent / data["brieven"][list(drafts).index(customer)]["pdf"]
        assert len(PdfReader(pdf).pages) >= 1


def test_the_encoded_word_name_stays_a_name(capsys, hostile):
    _, data = _run(capsys, "herinneringen", hostile, "--datum", DAY, "--json")
    msg = _drafts(hostile, data)["K1"]
    (address,) = msg["To"].addresses
    assert address.addr_spec == "jan@klant.nl"
    assert "@" not in address.display_name.replace("evil=40x", "")
    assert "Bcc:" not in address.display_name


def test_international_address_is_written_with_smtputf8(capsys, hostile):
    _, data = _run(capsys, "herinneringen", hostile, "--datum", DAY, "--json")
    raw = (
        hostile.parent / next(x for x in data["brieven"] if x["klant"] == "K6")["eml"]
    ).read_bytes()
    assert "mehmet.yılmaz@kpnmail.nl".encode() in raw  # RFC 6531: the address as it is
    msg = email.message_from_string(raw.decode(), policy=policy.default)
    assert msg["To"].addresses[0].display_name == "Mehmet Yılmaz"


def test_bad_addresses_are_problems_with_sheet_row_and_column(capsys, hostile):
    code, data = _run(capsys, "werklijst", hostile, "--datum", DAY, "--json")
    assert code == 1
    where = {(p["blad"], p["rij"], p["kolom"]) for p in data["problemen"]}
    # K2, K3 and K5 are rows 3, 4 and 6 of Klanten
    assert where == {("Klanten", 3, "E-mail"), ("Klanten", 4, "E-mail"), ("Klanten", 6, "E-mail")}
    text = " ".join(p["melding"] for p in data["problemen"])
    assert "scheid meerdere adressen met ;" in text and "regelovergang" in text


def test_a_line_break_in_the_sender_address_leaves_no_from_and_is_reported(capsys, tmp_path):
    path = tmp_path / "Debiteuren.xlsx"
    write_book(_hostile_book(company_name="Test BV", email="info@test.nl\r\nBcc: evil@x.nl"), path)
    code, data = _run(capsys, "herinneringen", path, "--datum", DAY, "--json")
    assert code == 1
    for customer, msg in _drafts(path, data).items():
        assert msg["From"] is None and msg["Reply-To"] is None
        assert _recipients(msg) == HOSTILE[customer][2]
    _, worklist = _run(capsys, "werklijst", path, "--datum", DAY, "--json")
    sheet = openpyxl.load_workbook(path)["Instellingen"]
    row = next(r[0].row for r in sheet.iter_rows(min_row=2) if r[0].value == "E-mail")
    assert ("Instellingen", row, "Waarde") in {
        (p["blad"], p["rij"], p["kolom"]) for p in worklist["problemen"]
    }


@pytest.mark.parametrize(
    "field, exp",
    [
        ("jan@voorbeeld.nl", ["jan@voorbeeld.nl"]),
        (" jan@voorbeeld.nl ; piet@voorbeeld.nl ", ["jan@voorbeeld.nl", "piet@voorbeeld.nl"]),
        ("info@bücher.de", ["info@bücher.de"]),
        ("jan@voorbeeld.nl;JAN@voorbeeld.nl", ["jan@voorbeeld.nl"]),
        ("a@b.nl, evil@x.nl", []),
        ('"Bank" <evil@x.nl>', []),
        ("jan@voorbeeld.nl\nBcc: evil@x.nl", []),
        ("jan voorbeeld.nl", []),
        ("", []),
    ],
)
def test_parse_addresses(field, exp):
    got = parse_addresses(field)
    assert [a.text for a in got.addresses] == exp
    assert bool(got.errors) == (field.strip() != "" and not exp)


def test_idn_domain_is_written_in_ascii():
    (address,) = parse_addresses("info@bücher.de").addresses
    assert address.ascii_domain == "xn--bcher-kva.de" and not address.needs_smtputf8


@pytest.mark.parametrize(
    "text",
    ["=?utf-8?q?Bcc=3A_evil=40x=2Enl?=", "Jan\r\nBcc: evil@x.nl", "a\x00b\x1bc\u202ed"],
)
def test_header_text_has_no_control_characters_or_encoded_words(text):
    got = header_text(text)
    assert "=?" not in got and "?=" not in got
    assert not any(ord(ch) < 32 or ord(ch) == 0x7F for ch in got)
