"""Letters issue, item 5: a letter that fits on one page is one page (tighter spacing is
tried before spilling), and the closing, signature and payment block always stay together
with the last paragraph. Letters with 1, 5 and 25 invoices, with and without credit notes and
arrangement schedules, laid out and read back with pypdf."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from addin.adapters.documents.letters import letter_pdf, letter_templates, render_letter
from addin.core.ledger import Ledger
from addin.core.letter_content import compose
from addin.core.model import Action
from addin.core.plan import plan_book
from tests.core.booktext import book

AS_OF = date(2026, 11, 24)
HEAD = """
[klanten]
| klant | naam                 | soort    | segment | adres        | postcode | plaats    | e-mail         |
| K1    | Bakkerij Verhoef B.V | Zakelijk | C       | Dorpsstraat 1 | 3771 AB | Barneveld | info@verhoef.nl |
[contactpersonen]
| klant | naam         | functie       |
| K1    | Anna de Boer | Administratie |
"""
# The offer letters: the first reminder and an answered call are logged for every invoice.
OFFER_CONTACTS = """
[contacten]
| datum      | klant | kanaal          | stap        | uitkomst |
| 2026-09-22 | K1    | Brief en e-mail | Herinnering |          |
| 2026-09-29 | K1    | Telefoon        | Nabellen    | Anders   |
"""


def _book(count: int, credit: bool, offer: bool):
    rows = [
        f"| F{i:03d} | K1 | 2026-08-{1 + i % 20:02d} | 2026-09-20 | {100 + 37 * i}.50 | "
        f"Onderhoud installatie locatie {i} |"
        for i in range(count)
    ]
    if credit:
        rows.append("| C001 | K1 | 2026-09-01 | 2026-10-01 | -85.00 | Creditnota retour |")
    text = (
        HEAD
        + "[facturen]\n| factuur | klant | factuurdatum | vervaldatum | bedrag | omschrijving |\n"
        + "\n".join(rows)
        + ("\n" + OFFER_CONTACTS if offer else "")
    )
    return book(
        text,
        company_name="Klimaattechniek Van Houten B.V.",
        address="Nijverheidsweg 18",
        postcode="3771 ME",
        city="Barneveld",
        iban="NL81RABO0312345678",
        bic="RABONL2U",
        email="info@vanhouten.nl",
        phone="0342-412345",
    )


def _letter(count: int, credit: bool, offer: bool):
    b = _book(count, credit, offer)
    (task,) = plan_book(b, AS_OF).letters
    assert task.action is (Action.OFFER_ARRANGEMENT if offer else Action.REMINDER)
    content = compose(task, b, AS_OF, ledger=Ledger.build(b, AS_OF))
    rendered = render_letter(content, letter_templates())
    pages = [
        " ".join((p.extract_text() or "").split())
        for p in PdfReader(BytesIO(letter_pdf(content, rendered, []))).pages
    ]
    return content, rendered, pages


def _page_of(pages: list[str], text: str) -> int:
    words = " ".join(text.split())[:40]
    found = [i for i, p in enumerate(pages) if words in p]
    assert found, words
    return found[-1]


@pytest.mark.parametrize(
    "count, credit, offer, exp_pages",
    [
        (1, False, False, 1),
        (1, True, False, 1),
        (1, False, True, 1),
        (5, False, False, 1),
        (5, True, False, 1),
        (5, True, True, 2),  # six instalments and a credit note: too long for one
        (25, False, False, 2),
        (25, True, True, 2),
    ],
    ids=lambda v: str(v),
)
def test_one_page_where_it_fits_and_the_closing_stays_with_the_last_paragraph(
    count, credit, offer, exp_pages
):
    content, rendered, pages = _letter(count, credit, offer)
    assert len(pages) == exp_pages
    if offer:
        assert content.offer.is_arrangement and "Eerste termijn" in " ".join(pages)
    last = _page_of(pages, rendered.paragraphs[-1])
    assert _page_of(pages, rendered.closing[0]) == last
    assert _page_of(pages, rendered.closing[-1]) == last
    assert _page_of(pages, "Betalen") == last
    # nothing of the letter starts a page of its own with only the greeting
    assert pages[-1].count(" ") > 30


@pytest.mark.parametrize("offer", [False, True], ids=["amount", "first instalment"])
def test_the_bic_follows_the_iban_in_the_payment_block(offer):
    content, _, pages = _letter(1 if not offer else 5, False, offer)
    text = pages[-1]
    block = text[text.index("Betalen") :]
    assert content.bic and block.index("IBAN: NL81") < block.index("BIC: RABONL2U")
    assert ("Eerste termijn" in block) is offer


def test_amounts_of_a_million_and_more_stay_on_one_line_in_the_table():
    text = (
        HEAD
        + "[facturen]\n| factuur | klant | factuurdatum | vervaldatum | bedrag | omschrijving |\n"
        + "| F1 | K1 | 2026-08-01 | 2026-09-20 | 1234567.89 | Nieuwbouw koelhuis |\n"
        + "| F2 | K1 | 2026-08-02 | 2026-09-20 | 98765.43 | Meerwerk |\n"
        + "| C1 | K1 | 2026-08-03 | 2026-09-20 | -15000.00 | Creditnota korting |\n"
    )
    b = book(text, company_name="Klimaat B.V.", city="Barneveld", iban="NL81RABO0312345678")
    (task,) = plan_book(b, AS_OF).letters
    content = compose(task, b, AS_OF, ledger=Ledger.build(b, AS_OF))
    data = letter_pdf(content, render_letter(content, letter_templates()), [])
    lines = PdfReader(BytesIO(data)).pages[0].extract_text().splitlines()
    # each cell is a line of the page's text: the euro sign and its number in one
    cells = [x.strip() for x in lines]
    assert cells.count("€ 1.234.567,89") == 2 and "€ 1.318.333,32" in cells, cells
    assert "€" not in cells, cells


def test_the_euro_sign_never_ends_a_line_of_the_letter(tmp_path):
    """A sentence with the amount wherever the line happens to break: '€' stays with it."""
    content, _, _ = _letter(1, False, False)
    (tmp_path / "nl").mkdir()
    template = tmp_path / "nl" / f"{content.template}.txt.j2"
    ends = []
    for n in range(40):  # words of 1 to 8 letters: the amount at every place on a line
        words = " ".join("abcdefgh"[: 1 + k % 8] for k in range(n + 70))
        template.write_text(
            "{% block subject %}Herinnering{% endblock %}"
            f"{{% block intro %}}{words} van {{{{ total|bedrag }}}} graag.{{% endblock %}}"
            "{% block body %}{% endblock %}{% block closing %}Groet{% endblock %}"
            "{% block email %}x{% endblock %}",
            encoding="utf-8",
        )
        rendered = render_letter(content, letter_templates(shipped=tmp_path))
        text = PdfReader(BytesIO(letter_pdf(content, rendered, []))).pages[0].extract_text()
        ends += [line for line in text.splitlines() if line.rstrip().endswith("€")]
    assert ends == []


def test_a_second_page_of_a_letter_says_whose_letter_and_which_page():
    _, _, pages = _letter(25, False, False)
    assert len(pages) == 2
    assert "Klantnummer: K1 · 24 november 2026 · pagina 2" in pages[1]
    assert "pagina" not in pages[0]


def test_the_thank_you_letter_leaves_a_line_open_before_its_greeting():
    """The payment block keeps the greeting off the last paragraph; a thank-you has none."""
    from tests.core.test_thanks import _text

    b = book(_text(), thank_good_payers=True, company_name="Klimaat B.V.", city="Barneveld")
    task = next(t for t in plan_book(b, AS_OF).letters if t.action is Action.THANK)
    content = compose(task, b, AS_OF, ledger=Ledger.build(b, AS_OF))
    rendered = render_letter(content, letter_templates())
    runs: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((tm[5] * cm[3] + cm[5], text.strip()))

    data = letter_pdf(content, rendered, [])
    PdfReader(BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    greeting = next(y for y, t in runs if t.startswith("Met vriendelijke groet"))
    above = min(y for y, t in runs if y > greeting)  # the last line of the last paragraph
    assert above - greeting >= 2 * 13  # at least one empty line at the body's leading
