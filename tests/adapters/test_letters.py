"""Letters end to end: the example workbook's plan composed, rendered with each template in
Dutch and English (golden text, STYLE habit 12), laid out as PDF with invoice copies, and
wrapped in an .eml draft; everything read back (pypdf, email)."""

from __future__ import annotations

import email
import os
import re
import subprocess
from dataclasses import replace
from decimal import Decimal
from email import policy
from functools import cache
from io import BytesIO
from pathlib import Path

import pytest
import segno
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from addin.adapters.documents.letters import (
    EPC_MASK,
    InvoiceCopy,
    epc_payload,
    epc_qr,
    invoice_copies,
    letter_eml,
    letter_pdf,
    letter_templates,
    plain_text,
    render_letter,
)
from addin.adapters.documents.paths import roots_for
from addin.adapters.workbook.reader import read_book
from addin.core.ledger import Ledger
from addin.core.letter_content import compose
from addin.core.model import Action, LetterTask
from addin.core.plan import plan_book
from addin.example import EXAMPLE_DATE

ROOT = Path(__file__).resolve().parents[2]
WORKBOOK = ROOT / "workbook" / "Voorbeeld.xlsx"
GOLDEN = ROOT / "tests" / "golden" / "letters"
REGENERATE = os.environ.get("DEBITEUREN_GOLDEN") == "1"
NUMBERED = re.compile(
    r"\b(tweede|derde|vierde|tweede\s+herinnering|second\s+reminder|third|"
    r"aanmaning\s*\d|herinnering\s*\d|reminder\s*\d)\b",
    re.IGNORECASE,
)
DATE_LIKE = re.compile(
    r"\b\d{1,2}[-/]\d{1,2}[-/]\d{2,4}\b|\b\d{1,2} (januari|februari|maart|april|mei|juni|juli|"
    r"augustus|september|oktober|november|december)\b",
    re.IGNORECASE,
)
KINDS = [
    Action.REMINDER,
    Action.OFFER_ARRANGEMENT,
    Action.FINAL_REMINDER,
    Action.FOURTEEN_DAY_LETTER,
    Action.CONFIRM,
]


@cache
def example():
    book, _ = read_book(WORKBOOK)
    plan = plan_book(book, EXAMPLE_DATE)
    return book, plan, Ledger.build(book, EXAMPLE_DATE)


@cache
def templates():
    return letter_templates()


def task_for(kind: Action) -> LetterTask:
    _, plan, _ = example()
    # the example has one customer with a credit note (K012): prefer it where it applies
    tasks = [t for t in plan.letters if t.action is kind]
    return max(tasks, key=lambda t: (len(t.credit_notes), -int(t.customer[1:])))


def content_for(kind: Action, language: str):
    book, _, ledger = example()
    content = compose(task_for(kind), book, EXAMPLE_DATE, ledger=ledger)
    return replace(content, language=language)


def pdf_text(data: bytes) -> list[str]:
    from io import BytesIO

    return [p.extract_text() or "" for p in PdfReader(BytesIO(data)).pages]


def test_the_example_plan_has_every_kind_of_letter():
    _, plan, _ = example()
    assert {t.action for t in plan.letters} == set(KINDS)


@pytest.mark.parametrize("language", ["NL", "EN"])
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_rendered_text_matches_golden(kind: Action, language: str):
    content = content_for(kind, language)
    rendered = render_letter(content, templates())
    assert rendered.template == f"{language.lower()}/{kind.value}.txt.j2"
    got = plain_text(rendered)
    path = GOLDEN / f"{kind.value}.{language.lower()}.txt"
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with DEBITEUREN_GOLDEN=1 to create it"
    assert got == path.read_text(encoding="utf-8")
    assert not NUMBERED.search(got), NUMBERED.search(got)


def test_first_reminder_invites_contact_and_never_names_the_agency():
    for language in ("NL", "EN"):
        text = plain_text(render_letter(content_for(Action.REMINDER, language), templates()))
        assert ("probleem" in text) if language == "NL" else ("problem" in text)
        assert "Incassobureau" not in text and "uit handen" not in text


def test_agency_only_in_the_fourteen_day_letter():
    book, _, _ = example()
    agency = book.settings.collection_agency
    for kind in KINDS:
        text = plain_text(render_letter(content_for(kind, "NL"), templates()))
        assert (agency in text) is (kind is Action.FOURTEEN_DAY_LETTER), kind
    final = plain_text(render_letter(content_for(Action.FINAL_REMINDER, "NL"), templates()))
    assert "uit handen geven" in final  # K012 is a business customer: its last written step


def test_fourteen_day_letter_wording_costs_and_no_deadline_date():
    content = content_for(Action.FOURTEEN_DAY_LETTER, "NL")
    rendered = render_letter(content, templates())
    body = "\n\n".join(rendered.paragraphs)
    wording = "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd"
    assert wording in body
    assert "€ 277,50" in body  # BIK on € 1.850,00: 15%
    after = body[body.index(wording) :]
    assert not DATE_LIKE.search(after), DATE_LIKE.search(after)
    assert "na dagtekening" not in body
    data = letter_pdf(content, rendered, [InvoiceCopy(content.invoices[0])])
    letter = " ".join(pdf_text(data)[:2])
    flat = " ".join(letter.split())
    assert "€ 277,50" in flat and "bezorgd" in flat
    tail = flat[flat.index("binnen veertien dagen") :]
    assert not DATE_LIKE.search(tail.split("Met vriendelijke groet")[0])


def _original_pdf(path: Path, rotate: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path))
    c.drawString(72, 720, "ORIGINELE FACTUUR 2026-0203")
    c.showPage()
    c.drawString(72, 720, "pagina twee")
    c.save()
    if rotate:
        from pypdf import PdfWriter

        w = PdfWriter(clone_from=str(path))
        w.pages[1].rotate(90)
        w.write(str(path))
    return path


def test_pdf_with_original_and_generated_copies(tmp_path: Path):
    book, _, _ = example()
    # the final reminder (K012) has an invoice; give it an original PDF inside Factuurmap
    content = content_for(Action.FINAL_REMINDER, "NL")
    wb = tmp_path / "Debiteuren.xlsx"
    wb.write_bytes(b"")
    inv = content.invoices[0]
    _original_pdf(tmp_path / book.settings.invoice_dir / Path(inv.pdf).name, rotate=True)
    # the same content with two invoices: one original, one that has no file
    second = replace(inv, number="2026-9999", pdf="facturen/bestaat-niet.pdf")
    content = replace(content, invoices=(inv, second))
    roots = roots_for(wb, book.settings, "invoice_dir")
    copies, notes = invoice_copies(content, roots)
    assert isinstance(copies[0], Path) and isinstance(copies[1], InvoiceCopy)
    assert len(notes) == 1 and "2026-9999" in notes[0]
    rendered = render_letter(content, templates())
    data = letter_pdf(content, rendered, copies)
    pages = pdf_text(data)
    letter = "\n".join(pages[:-3])
    flat = " ".join(letter.split())
    assert "Restaurant 't Veerhuis" in flat
    assert "€ 2.318,75" in flat and "€ -185,00" in flat and "€ 2.133,75" in flat
    assert "NL81RABO0312345678" in flat.replace(" ", "")
    assert f"Kenmerk: {content.reference}" in flat
    assert "Laatste herinnering" in flat
    # originals: both pages, stamped; then the generated copy
    assert "ORIGINELE FACTUUR" in pages[-3] and "KOPIE" in pages[-3]
    assert "pagina twee" in pages[-2] and "KOPIE" in pages[-2]
    assert "KOPIEFACTUUR" in pages[-1] and "2026-9999" in pages[-1]
    assert PdfReader(__import__("io").BytesIO(data)).pages[-2].rotation == 0
    everything = "\n".join(pages)
    assert not NUMBERED.search(everything)


def test_generated_copies_only_and_the_payment_link(tmp_path: Path):
    content = content_for(Action.REMINDER, "NL")
    inv = replace(content.invoices[0], payment_link="https://betaal.example/abc")
    content = replace(content, invoices=(inv,), payment_link=inv.payment_link)
    rendered = render_letter(content, templates())
    data = letter_pdf(content, rendered, [InvoiceCopy(inv)])
    reader = PdfReader(__import__("io").BytesIO(data))
    assert "KOPIEFACTUUR" in reader.pages[-1].extract_text()
    uris = [
        a.get_object()["/A"]["/URI"]
        for page in reader.pages
        for a in page.get("/Annots", []) or []
        if "/A" in a.get_object()
    ]
    assert "https://betaal.example/abc" in uris


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_every_letter_pdf_reads_back(kind: Action):
    content = content_for(kind, "NL")
    rendered = render_letter(content, templates())
    data = letter_pdf(content, rendered, [InvoiceCopy(i) for i in content.invoices])
    flat = " ".join(" ".join(pdf_text(data)).split())
    assert content.recipient.name in flat
    assert content.reference in flat
    assert rendered.subject in flat
    assert not NUMBERED.search(flat)
    if kind is Action.CONFIRM:
        assert "ondertekenen" in flat


def _runs_and_rules(data: bytes) -> tuple[list[tuple[float, float, str]], list[tuple[float, ...]]]:
    """Page 1's text runs (x, y, text) and its horizontal strokes (x1, x2, y), in page
    coordinates: the lines a customer writes on."""
    runs: list[tuple[float, float, str]] = []
    rules: list[tuple[float, ...]] = []
    start: list[tuple[float, float]] = []

    def text(t, cm, tm, font, size):
        if t.strip():
            runs.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], t.strip()))

    def operand(op, args, cm, tm):
        if op in (b"m", b"l") and len(args) == 2:
            x, y = float(args[0]) * cm[0] + cm[4], float(args[1]) * cm[3] + cm[5]
            if op == b"l" and start and abs(start[-1][1] - y) < 0.01:
                rules.append((round(start[-1][0], 1), round(x, 1), round(y, 1)))
            start.append((x, y))

    PdfReader(BytesIO(data)).pages[0].extract_text(
        visitor_text=text, visitor_operand_before=operand
    )
    return runs, rules


@pytest.mark.parametrize("language", ["NL", "EN"])
def test_confirmation_is_countersigned_under_our_greeting_on_aligned_lines(language):
    """A Dutch business letter: our words, our greeting and name, then the customer's 'Voor
    akkoord' with name, date and signature on drawn lines that start and end in one place
    (underscores after labels of different widths never line up)."""
    book, plan, ledger = example()
    heading, labels = {
        "NL": ("Voor akkoord", ("Naam", "Datum", "Handtekening")),
        "EN": ("Agreed", ("Name", "Date", "Signature")),
    }[language]
    tasks = [t for t in plan.letters if t.action is Action.CONFIRM]
    assert len(tasks) == 2  # a promise (K020) and an arrangement (K022)
    for task in tasks:
        content = replace(compose(task, book, EXAMPLE_DATE, ledger=ledger), language=language)
        data = letter_pdf(content, render_letter(content, templates()), [])
        runs, rules = _runs_and_rules(data)
        assert not [t for _, _, t in runs if "___" in t]
        y_of = {t: y for _, y, t in runs}
        x_of = {t: x for x, _, t in runs}
        signed_by_us = y_of[content.sender.company_name]  # the last line of our closing
        top = y_of[f"{heading}:"]
        assert top < signed_by_us
        rows = [y_of[f"{label}:"] for label in labels]
        assert top > rows[0] > rows[1] > rows[2]
        assert len({x_of[f"{label}:"] for label in labels}) == 1
        lines = [r for r in rules if rows[-1] - 6 <= r[2] < top]
        assert len(lines) == 3, lines
        assert len({(x1, x2) for x1, x2, _ in lines}) == 1, lines
        x1, x2, _ = lines[0]
        assert x1 > max(x_of[f"{label}:"] for label in labels) and x2 - x1 >= 150
        for (_, _, y), row in zip(sorted(lines, key=lambda r: -r[2]), rows, strict=True):
            assert row - 6 <= y <= row  # the line under its label's baseline


def test_english_letter_uses_english_template_and_amounts():
    content = content_for(Action.REMINDER, "EN")
    rendered = render_letter(content, templates())
    data = letter_pdf(content, rendered, [])
    flat = " ".join(" ".join(pdf_text(data)).split())
    assert rendered.subject.startswith("Reminder")
    assert "Total to pay" in flat and "Kind regards" in flat


def test_eml_is_an_unsent_draft_with_the_pdf():
    content = content_for(Action.REMINDER, "NL")
    rendered = render_letter(content, templates())
    pdf = letter_pdf(content, rendered, [])
    raw = letter_eml(content, rendered, pdf, "Herinnering 2026-0244.pdf")
    msg = email.message_from_bytes(raw, policy=policy.default)
    assert msg["X-Unsent"] == "1"
    assert msg["Subject"] == rendered.subject
    assert content.recipient.email in msg["To"]
    assert content.sender.email in msg["From"]
    assert msg["Date"].datetime is not None
    assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", msg["Message-ID"].strip())
    assert msg.get_content_type() == "multipart/mixed"
    (alternative,) = [
        p for p in msg.iter_parts() if p.get_content_type() == "multipart/alternative"
    ]
    kinds = [p.get_content_type() for p in alternative.iter_parts()]
    assert kinds == ["text/plain", "text/html"]
    body = msg.get_body(preferencelist=("plain",)).get_content()
    assert "€ 897,16" in body
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "€ 897,16" in html and html.count("<p>") == body.strip().count("\r\n\r\n") + 1
    (att,) = list(msg.iter_attachments())
    assert att.get_content_type() == "application/pdf"
    assert att.get_filename() == "Herinnering 2026-0244.pdf"
    assert att.get_content() == pdf


def test_epc_qr_payload():
    content = content_for(Action.REMINDER, "NL")
    payload = epc_payload(content)
    assert payload is not None and payload.startswith(b"BCD\n")
    lines = payload.decode("latin-1").split("\n")
    assert lines[3] == "SCT" and lines[6] == "NL81RABO0312345678"
    assert lines[7] == "EUR897.16" and lines[-1] == content.reference
    qr = epc_qr(content)
    assert qr is not None
    assert qr.matrix == segno.make_qr(payload, error="m", boost_error=False, mask=qr.mask).matrix


@pytest.mark.parametrize(
    ("beneficiary", "reference", "amount"),
    [
        (None, None, None),
        ("Café Één & Zonen B.V.", "RF18539007547034", "12345.67"),
        ("Bakkerij De Korenaar", "1234 5678 9012 3456", "0.01"),
    ],
    ids=["voorbeeld", "rf-en-accenten", "betalingskenmerk"],
)
def test_epc_qr_with_its_fixed_mask_reads_back(tmp_path: Path, beneficiary, reference, amount):
    """The mask is fixed for speed (letters.EPC_MASK); a real reader still decodes the code
    to exactly the EPC payload."""
    content = content_for(Action.REMINDER, "NL")
    if beneficiary:
        content = replace(
            content, beneficiary=beneficiary, reference=reference, amount_to_pay=Decimal(amount)
        )
    qr = epc_qr(content)
    assert qr is not None and qr.mask == EPC_MASK
    png = tmp_path / "qr.png"
    qr.save(png, scale=4, border=4)
    read = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sbinary", str(png)], capture_output=True, check=True
    ).stdout
    assert read.rstrip(b"\n") == epc_payload(content)


def test_sjablonen_next_to_the_workbook_override(tmp_path: Path):
    shipped = ROOT / "templates"
    own = tmp_path / "sjablonen" / "nl"
    own.mkdir(parents=True)
    text = (shipped / "nl" / "herinnering.txt.j2").read_text(encoding="utf-8")
    (own / "herinnering.txt.j2").write_text(
        text.replace("Misschien is het aan uw aandacht ontsnapt", "Eigen tekst"), encoding="utf-8"
    )
    wb = tmp_path / "Debiteuren.xlsx"
    wb.write_bytes(b"")
    rendered = render_letter(content_for(Action.REMINDER, "NL"), letter_templates(wb))
    assert "Eigen tekst" in rendered.paragraphs[1]


def test_template_cannot_reach_python_internals(tmp_path: Path):
    from addin.adapters.documents.letters import LetterTemplateError

    own = tmp_path / "sjablonen" / "nl"
    own.mkdir(parents=True)
    blocks = "".join(
        f"{{% block {b} %}}x{{% endblock %}}" for b in ("subject", "intro", "closing", "email")
    )
    (own / "herinnering.txt.j2").write_text(
        blocks + "{% block body %}{{ sender.__class__.__mro__ }}{% endblock %}", encoding="utf-8"
    )
    wb = tmp_path / "Debiteuren.xlsx"
    wb.write_bytes(b"")
    with pytest.raises(LetterTemplateError):
        render_letter(content_for(Action.REMINDER, "NL"), letter_templates(wb))


def test_unreadable_original_falls_back_to_a_generated_copy(tmp_path: Path):
    content = content_for(Action.REMINDER, "NL")
    bad = tmp_path / "kapot.pdf"
    bad.write_bytes(b"%PDF-1.4 kapot")
    data = letter_pdf(content, render_letter(content, templates()), [bad] * len(content.invoices))
    assert "KOPIEFACTUUR" in pdf_text(data)[-1]


def test_no_golden_file_is_orphaned():
    names = {f"{k.value}.{lang}.txt" for k in KINDS for lang in ("nl", "en")}
    assert {p.name for p in GOLDEN.glob("*.txt")} <= names


# -- arrangements pay per instalment; confirmations thank the right person (items 6, 7) --------


def _epc_amount(content) -> str:
    payload = epc_payload(content).decode("utf-8").split("\n")
    return payload[7]  # EPC069-12 field 8: "EUR123.45"


def test_an_offered_arrangement_asks_for_its_first_instalment():
    content = content_for(Action.OFFER_ARRANGEMENT, "NL")
    assert content.offer is not None and content.offer.is_arrangement
    first = content.offer.instalments[0]
    assert content.first_instalment == first and content.amount_to_pay == first.amount
    assert first.amount < content.total
    assert _epc_amount(content) == f"EUR{first.amount}"
    rendered = render_letter(content, templates())
    text = " ".join(pdf_text(letter_pdf(content, rendered, []))[:1])
    flat = " ".join(text.split())
    exp = f"Eerste termijn: € {str(first.amount).replace('.', ',')}"
    assert exp in flat and "Uiterlijk: 8 december 2026" in flat
    # the whole schedule stays in the text
    assert all(
        f"{i.due.day} december" in flat or i.due.month != 12 for i in content.offer.instalments
    )


def test_a_confirmation_thanks_the_person_the_agreement_was_made_with():
    book, _, ledger = example()
    task = next(t for t in example()[1].letters if t.customer == "K022")
    content = compose(task, book, EXAMPLE_DATE, ledger=ledger)
    agreement = next(a for a in book.agreements if a.id == task.agreement)
    (call,) = [c for c in book.contacts if c.customer == "K022" and c.date == agreement.agreed_on]
    assert content.confirmation.partner == call.person != ""
    assert content.recipient.attention == call.person
    rendered = render_letter(content, templates())
    flat = " ".join(" ".join(pdf_text(letter_pdf(content, rendered, []))).split())
    assert f"Beste {call.person}," in flat and "Bedankt voor het prettige contact" in flat
    assert f"t.a.v. {call.person}" in flat
    # its first instalment in the payment box
    assert f"€ {str(content.confirmation.instalments[0].amount).replace('.', ',')}" in flat


def test_a_confirmation_without_a_known_call_partner_names_nobody():
    book, _, _ = example()
    task = next(t for t in example()[1].letters if t.customer == "K022")
    # the call that recorded the arrangement without a Met
    contacts = tuple(
        replace(c, person="") if c.customer == "K022" and c.outcome is not None else c
        for c in book.contacts
    )
    book = replace(book, contacts=contacts)
    content = compose(task, book, EXAMPLE_DATE, ledger=Ledger.build(book, EXAMPLE_DATE))
    assert content.confirmation.partner == ""
    assert content.recipient.attention == "" and content.recipient.salutation_name == ""
    rendered = render_letter(content, templates())
    text = plain_text(rendered)
    assert "Geachte heer, mevrouw," in text and "prettige contact" not in text


@pytest.mark.parametrize("language", ["NL", "EN"])
@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.value)
def test_copies_of_more_than_one_invoice_are_spoken_of_in_the_plural(kind: Action, language):
    """A letter about two invoices encloses both copies; "a copy of the invoice" with two
    invoices in the table reads as if one was forgotten (review of the letters)."""
    content = content_for(kind, language)
    second = replace(content.invoices[0], number="2026-9999")
    one = plain_text(render_letter(replace(content, invoices=content.invoices[:1]), templates()))
    two = plain_text(render_letter(replace(content, invoices=(*content.invoices[:1], second)),
                                   templates()))  # fmt: skip
    singular = "kopie van de factuur" if language == "NL" else "copy of the invoice"
    plural = "kopie van de facturen" if language == "NL" else "copies of the invoices"
    if kind is Action.CONFIRM:  # a confirmation encloses no copies and says none
        assert singular not in one + two and plural not in one + two
        return
    assert singular in one and plural not in one
    assert singular not in two and plural in two
