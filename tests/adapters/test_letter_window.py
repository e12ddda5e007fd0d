"""The recipient in the envelope window, whatever the workbook holds: a name and address of
120+ characters (or far too many lines) still land inside the 85 x 40 mm window, and letters
the PDF font cannot draw (ł, ı, emoji) never become black boxes. Real PDFs, read back with
pypdf and its text positions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from addin.adapters.documents.letters import (
    LEFT,
    PAGE_H,
    PAGE_W,
    RIGHT,
    WINDOW_H,
    WINDOW_TOP,
    WINDOW_W,
    WINDOW_X,
    drawable_text,
    letter_pdf,
    letter_templates,
    render_letter,
)
from addin.core.ledger import Ledger
from addin.core.letter_content import compose
from addin.core.plan import plan_book
from tests.core.booktext import book

AS_OF = date(2026, 11, 24)
TEXT = """
[klanten]
| klant | naam    | soort    | segment | adres      | postcode | plaats  | e-mail       |
| K1    | Klant   | Zakelijk | C       | Dorpsweg 1 | 1234 AB  | Utrecht | jan@klant.nl |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag | omschrijving |
| F1      | K1    | 2026-10-01   | 2026-10-31  | 100.00 | Onderhoud    |
"""
LONG_NAME = (
    'Ève & Zoë\'s "Bäckerei" Straße <Łódź> Holding 😀 Internationale Handelsonderneming '
    "Internationale Handelsonderneming Internationale Handelsonderneming"
)
LONG_ADDRESS = (
    "Burgemeester van Nieuwkoop-Schoonderwoerd-Dijkstra-Hoogewerff-Laan 1234 bis, gebouw C, "
    "verdieping 12, unit 405-407 achter"
)


def _pdf(
    name: str, address: str, contact: str = "", country: str = "", place: tuple[str, str] = ()
) -> bytes:
    text = TEXT
    if contact:
        text += (
            f"[contactpersonen]\n| klant | naam | functie |\n| K1 | {contact} | Administratie |\n"
        )
    b = book(
        text,
        company_name="Klimaattechniek Van Houten B.V.",
        address="Nijverheidsweg 18",
        postcode="3771 ME",
        city="Barneveld",
        iban="NL81RABO0312345678",
        email="info@vanhouten.nl",
    )
    b = replace(
        b,
        customers=tuple(
            replace(c, name=name, address=address, country=country) for c in b.customers
        ),
    )
    if place:
        postcode, city = place
        b = replace(
            b, customers=tuple(replace(c, postcode=postcode, city=city) for c in b.customers)
        )
    (task,) = plan_book(b, AS_OF).letters
    content = compose(task, b, AS_OF, ledger=Ledger.build(b, AS_OF))
    return letter_pdf(content, render_letter(content, letter_templates()), [])


def _window_lines(data: bytes) -> tuple[list[str], list[tuple[float, float, str]]]:
    """Page 1's text inside the window box, and every text run with its position."""
    runs: list[tuple[float, float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            x, y = tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]
            runs.append((x, y, text.strip()))

    PdfReader(BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    top, bottom = PAGE_H - WINDOW_TOP, PAGE_H - WINDOW_TOP - WINDOW_H
    inside = [
        t for x, y, t in runs if WINDOW_X - 1 <= x <= WINDOW_X + WINDOW_W and bottom <= y <= top
    ]
    return inside, runs


@pytest.mark.parametrize(
    "name, address, contact, country",
    [
        ("Klant BV", "Dorpsweg 1", "", ""),
        (LONG_NAME, LONG_ADDRESS, "", ""),
        # too long even at the smallest type: each line cut to one line, country kept
        (LONG_NAME * 2, LONG_ADDRESS * 2, "Anna " * 40, "Duitsland"),
    ],
    ids=["short", "120+ characters", "every line far too long"],
)
def test_the_recipient_is_always_in_the_window(name, address, contact, country):
    inside, runs = _window_lines(_pdf(name, address, contact, country))
    text = " ".join(inside)
    assert drawable_text(name).split()[0] in text  # the first word of the name
    assert "Klimaattechniek Van Houten B.V., Nijverheidsweg 18" in text  # the return address
    assert "1234 AB Utrecht" in text  # the postcode and city: what the post office reads
    if country:
        assert text.endswith(country.upper())
    if contact:
        assert "t.a.v. Anna Anna" in text
    # nothing of the address block strays under the window into the letter's date line
    date_y = next(y for x, y, t in runs if t.startswith("Barneveld, 24 november"))
    assert date_y < PAGE_H - WINDOW_TOP - WINDOW_H
    assert all(
        not (date_y < y < PAGE_H - WINDOW_TOP - WINDOW_H) for x, y, t in runs if x < 100 * mm
    )


@pytest.mark.parametrize(
    "country, place, exp",
    [
        ("Verenigd Koninkrijk", ("SW1A 1AA", "London"), ["LONDON", "SW1A 1AA"]),
        ("Ierland", ("D02 X285", "Dublin 2"), ["Dublin 2", "D02 X285"]),
        ("USA", ("10001", "New York, NY"), ["New York, NY 10001"]),
        ("België", ("2000", "Antwerpen"), ["2000 Antwerpen"]),
    ],
)
def test_an_address_abroad_is_in_its_country_s_order_and_in_the_window(country, place, exp):
    # "SW1A 1AA  London" was the Dutch order: the Post Office asks for the post town in
    # capitals on its own line and the postcode on the next, the USPS for "CITY ST ZIP".
    inside, runs = _window_lines(_pdf(LONG_NAME, LONG_ADDRESS, "Anna de Vries", country, place))
    lines = [" ".join(t.split()) for t in inside]
    at = lines.index(exp[0])
    assert lines[at : at + len(exp) + 1] == [*exp, country.upper()]
    date_y = next(y for x, y, t in runs if t.startswith("Barneveld, 24 november"))
    assert date_y < PAGE_H - WINDOW_TOP - WINDOW_H


@pytest.mark.parametrize(
    "exp, got_from",
    [
        ("Bakkerij Verhoef", "Bakkerij Verhoef"),
        ("Straße Zoë Ève Ørsted € – ‘x’", "Straße Zoë Ève Ørsted € – ‘x’"),  # all in the font
        ("Lódz", "Łódź"),
        ("Mehmet Yilmaz", "Mehmet Yılmaz"),
        ("Dvorák", "Dvořák"),
        ("Zoë BV", "Zoë 😀 BV"),
        ("1234 AB  Lódz", "1234 AB  Łódź"),  # PostNL's double space stays
        ("Holding  ·  KvK 1", "Holding 😀  ·  KvK 1"),
        ("Hà Noi", "Hà Nội"),
    ],
)
def test_drawable_text(exp, got_from):
    got = drawable_text(got_from)
    assert got == exp
    got.encode("cp1252")  # what base-14 Helvetica (WinAnsi) can draw


def test_a_name_the_font_cannot_draw_is_written_with_its_look_alike_letters():
    text = PdfReader(BytesIO(_pdf("Mehmet Yılmaz Łódź", "Dorpsweg 1"))).pages[0].extract_text()
    assert "Mehmet Yilmaz Lódz" in text


LONG_COMPANY = (
    "Stichting Regionaal Samenwerkingsverband Klimaattechniek, Installatie en Onderhoud "
    "Gelderland-Vallei en Omstreken"
)


def _runs(company: str) -> list[tuple[float, float, str, str, float]]:
    """Page 1's text runs of a letter from `company`: x, y, text, font name, size."""
    b = book(
        TEXT,
        company_name=company,
        address="Nijverheidsweg 18",
        postcode="3771 ME",
        city="Barneveld",
        iban="NL81RABO0312345678",
        bic="RABONL2U",
        kvk="71234560",
        vat_number="NL858123459B01",
        email="info@vanhouten.nl",
        phone="0342-412345",
    )
    (task,) = plan_book(b, AS_OF).letters
    content = compose(task, b, AS_OF, ledger=Ledger.build(b, AS_OF))
    data = letter_pdf(content, render_letter(content, letter_templates()), [])
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            name = font.get("/BaseFont", "") if font else ""
            runs.append((tm[4] + cm[4], tm[5] + cm[5], text.strip(), str(name)[1:], size))

    PdfReader(BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("company", ["Klimaattechniek Van Houten B.V.", LONG_COMPANY])
def test_the_footer_stays_within_the_margins(company):
    footer = [r for r in _runs(company) if r[1] < 15 * mm]
    text = " ".join(r[2] for r in footer)
    assert company in text and "BIC RABONL2U" in text
    for x, _y, t, font, size in footer:
        assert x >= LEFT - 1 and x + stringWidth(t, font, size) <= PAGE_W - RIGHT + 1, t


@pytest.mark.parametrize("company", ["Klimaattechniek Van Houten B.V.", LONG_COMPANY])
def test_the_company_name_in_the_letterhead_stays_clear_of_the_address_beside_it(company):
    runs = _runs(company)
    top = [r for r in runs if r[1] > PAGE_H - 30 * mm]
    name = [r for r in top if r[3] == "Helvetica-Bold"]
    beside = [r for r in top if r[3] == "Helvetica" and r[0] > PAGE_W / 2]
    assert " ".join(r[2] for r in name) == company
    assert {r[2] for r in beside} >= {"Nijverheidsweg 18", "0342-412345"}
    right_edge = max(x + stringWidth(t, font, size) for x, _y, t, font, size in name)
    assert right_edge < min(r[0] for r in beside)
