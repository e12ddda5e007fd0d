"""Letters on paper and as e-mail drafts: jinja2 text, reportlab layout, pypdf copies.

The words come from jinja2 templates (``templates/<taal>/<sjabloon>.txt.j2``; a folder
``sjablonen`` next to the workbook overrides a template with the same relative name), the
facts from `addin.core.letter_content`, and this module only turns them into a PDF (A4,
letterhead, the recipient in the window of a Dutch window envelope, invoice table, payment
block with link and EPC QR, then a copy of every invoice) and a .eml draft. Nothing is sent.

Example::

    content = compose(task, book, as_of, ledger=ledger)
    text = render_letter(content, letter_templates(workbook))
    pdf = letter_pdf(content, text, invoice_copies(content, roots)[0])
    eml = letter_eml(content, text, pdf, "Herinnering 2026-0244.pdf")
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import segno
import segno.helpers
from jinja2 import (
    ChoiceLoader,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    pass_context,
)
from jinja2.ext import Extension
from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.errors import PdfReadError
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from addin.adapters.documents.paths import find_document, safe_name
from addin.adapters.documents.pdf_text import drawable_text
from addin.adapters.documents.template_limits import LimitedSandbox, TemplateLimitError, limits
from addin.core.addresses import MailAddress, header_text, parse_addresses
from addin.core.letter_content import InvoiceLine, LetterContent
from addin.core.model import Action
from addin.core.money import format_amount, to_cents

OVERRIDE_DIR = "sjablonen"
TEMPLATE_SUFFIX = ".txt.j2"
BLOCKS = ("subject", "intro", "body", "closing", "email")
# Blocks a template may have: `countersign`, the customer's "Voor akkoord" under our
# closing (a heading, then one label per line to fill in). Optional, so a user's own
# template from before it keeps working.
OPTIONAL_BLOCKS = ("countersign",)
# The underscores of a text label ("Naam: ____"): the PDF draws its own lines instead.
FILL_IN = re.compile(r"[\s_]+$")
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# A line of control tags only; an include writes text, so its line keeps its break.
STANDALONE_TAGS = re.compile(
    r"^[ \t]*((?:\{%(?![-+]?\s*include\b)[-+]?\s*.*?%\}[ \t]*)+)\n", re.MULTILINE
)

MONTHS = {
    "NL": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "EN": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}

# The fixed words of the page layout; the letter's own words are in the templates.
LABELS: dict[str, dict[str, str]] = {
    "NL": {
        "invoice": "Factuur",
        "date": "Datum",
        "due": "Vervaldatum",
        "description": "Omschrijving",
        "amount": "Bedrag",
        "paid": "Betaald",
        "open": "Open",
        "credit": "Creditnota",
        "total": "Totaal te betalen",
        "pay": "Betalen",
        "to_pay": "Bedrag",
        "first_instalment": "Eerste termijn",
        "pay_by": "Uiterlijk",
        "iban": "IBAN",
        "bic": "BIC",
        "name": "Ten name van",
        "reference": "Kenmerk",
        "link": "Direct betalen",
        "scan": "Scan met uw bank-app",
        "customer": "Klantnummer",
        "page": "pagina",
        "attention": "t.a.v.",
        "copy_title": "KOPIEFACTUUR",
        "copy_note": (
            "Kopie van de gegevens van factuur {number} uit onze administratie. "
            "De factuur zelf is eerder aan u verzonden."
        ),
        "incl": "Bedrag (incl. btw)",
        "page_copy": "KOPIE",
        "kvk": "KvK",
        "vat": "btw",
    },
    "EN": {
        "invoice": "Invoice",
        "date": "Date",
        "due": "Due date",
        "description": "Description",
        "amount": "Amount",
        "paid": "Paid",
        "open": "Open",
        "credit": "Credit note",
        "total": "Total to pay",
        "pay": "Payment",
        "to_pay": "Amount",
        "first_instalment": "First instalment",
        "pay_by": "Pay by",
        "iban": "IBAN",
        "bic": "BIC",
        "name": "Beneficiary",
        "reference": "Reference",
        "link": "Pay online",
        "scan": "Scan with your banking app",
        "customer": "Customer number",
        "page": "page",
        "attention": "attn.",
        "copy_title": "KOPIEFACTUUR",
        "copy_note": (
            "Copy of the details of invoice {number} from our records. "
            "The invoice itself was sent to you earlier."
        ),
        "incl": "Amount (incl. VAT)",
        "page_copy": "KOPIE",
        "kvk": "Chamber of Commerce",
        "vat": "VAT",
    },
}


class LetterTemplateError(LookupError):
    """A letter's template is missing or fails to render; the message says which and why."""


# -- text ---------------------------------------------------------------------------------------


def money(value: Decimal, language: str) -> str:
    """€ 1.234,56 in Dutch letters, € 1,234.56 in English ones."""
    if language == "EN":
        return f"€ {to_cents(value):,.2f}"
    return f"€ {format_amount(value)}"


def long_date(day: date, language: str) -> str:
    return f"{day.day} {MONTHS[language][day.month - 1]} {day.year}"


def short_date(day: date) -> str:
    return f"{day.day:02d}-{day.month:02d}-{day.year}"


@pass_context
def _bedrag(context: Any, value: Decimal) -> str:
    return money(value, context["language"])


@pass_context
def _datum(context: Any, value: date) -> str:
    return long_date(value, context["language"])


class StandaloneTags(Extension):
    """A line holding only tags (``{% if %}``, ``{% for %}``, ``{% endblock %}``) vanishes
    with its line break, and every other line keeps its own: so a blank line in a template
    is always a new paragraph and a tag inside a sentence never swallows a line break.
    (jinja's trim_blocks would eat the break after a tag ending a line of text.)"""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return STANDALONE_TAGS.sub(r"\1", source)


def shipped_templates() -> Path:
    """The templates shipped with the program.

    In a source checkout (and an editable install) that is the repository's ``templates/``
    folder, next to the package; in a wheel install the same files are package data
    ``addin/templates`` (pyproject maps the folder into the package).
    """
    checkout = Path(__file__).resolve().parents[3] / "templates"
    if (checkout / "nl").is_dir():
        return checkout
    return Path(str(resources.files("addin") / "templates"))


@dataclass(frozen=True)
class Templates:
    """A sandboxed jinja2 environment over the user's ``sjablonen`` and the shipped folder."""

    env: LimitedSandbox
    folders: tuple[Path, ...]


def letter_templates(workbook: Path | None = None, shipped: Path | None = None) -> Templates:
    """The templates for a workbook: its ``sjablonen`` folder first, then the shipped ones.

    Templates are text a user may have received with a workbook, so they run sandboxed, with
    limits on loops, numbers, texts and output (adapters/documents/template_limits.py);
    StrictUndefined makes a misspelt variable an error instead of a silent gap in a letter.
    Autoescape is off: this is plain text, and the PDF layer escapes it for reportlab.
    """
    folders = []
    if workbook is not None:
        own = workbook.resolve().parent / OVERRIDE_DIR
        if own.is_dir():
            folders.append(own)
    folders.append(shipped or shipped_templates())
    env = LimitedSandbox(
        loader=ChoiceLoader([FileSystemLoader(str(f)) for f in folders]),
        undefined=StrictUndefined,
        autoescape=False,
        extensions=[StandaloneTags],
        keep_trailing_newline=False,
        auto_reload=False,
    )
    env.filters["bedrag"] = _bedrag
    env.filters["datum"] = _datum
    return Templates(env, tuple(folders))


@dataclass(frozen=True, slots=True)
class RenderedText:
    """A letter's words.

    Attributes:
      paragraphs: the body text, one string per paragraph (a newline inside one is a line
        break); the invoice table goes before paragraphs[table_at].
      closing: the closing lines (greeting and sender).
      email: the plain-text body of the e-mail draft.
      template: the template file used, relative to its folder.
      countersign: the customer's block under the closing ("Voor akkoord:"), then one label
        per line to fill in ("Naam:", "Datum:", "Handtekening:"); empty for most letters.
    """

    subject: str
    paragraphs: tuple[str, ...]
    table_at: int
    closing: tuple[str, ...]
    email: str
    template: str
    countersign: tuple[str, ...] = ()


def _paragraphs(text: str) -> tuple[str, ...]:
    parts = (p.strip("\n").rstrip() for p in PARAGRAPH_BREAK.split(text.strip()))
    return tuple(p for p in parts if p.strip())


def template_context(content: LetterContent) -> dict[str, Any]:
    """The names a template sees: every field of LetterContent, plus its totals."""
    ctx = {f.name: getattr(content, f.name) for f in fields(content)}
    ctx["kind"] = content.kind.value
    ctx["invoice_total"] = content.invoice_total
    ctx["credit_total"] = content.credit_total
    return ctx


def render_letter(content: LetterContent, templates: Templates) -> RenderedText:
    """Render the letter's template (its step's Sjabloon, else the action code) in the
    customer's language; an English customer falls back to the Dutch template if a user's
    own Sjabloon exists only in Dutch."""
    names = [f"{content.language.lower()}/{content.template}{TEMPLATE_SUFFIX}"]
    if content.language != "NL":
        names.append(f"nl/{content.template}{TEMPLATE_SUFFIX}")
    try:
        tmpl = templates.env.select_template(names)
    except TemplateNotFound as exc:
        raise LetterTemplateError(
            f"Sjabloon '{content.template}' niet gevonden (gezocht: {', '.join(names)} in "
            f"{', '.join(str(f) for f in templates.folders)}); vul in Stappen een bestaand "
            "sjabloon in of zet het bestand in de map sjablonen naast de werkmap."
        ) from exc
    missing = [b for b in BLOCKS if b not in tmpl.blocks]
    if missing:
        raise LetterTemplateError(
            f"Sjabloon {tmpl.name} mist de blokken {', '.join(missing)}; elk sjabloon heeft "
            f"{{% block ... %}} voor {', '.join(BLOCKS)}."
        )
    ctx = tmpl.new_context(template_context(content))
    try:
        with limits(tmpl.name or names[0]):  # one budget for the whole letter
            parts = {b: "".join(tmpl.blocks[b](ctx)) for b in BLOCKS}
            for b in OPTIONAL_BLOCKS:
                parts[b] = "".join(tmpl.blocks[b](ctx)) if b in tmpl.blocks else ""
    except TemplateLimitError:
        raise  # its message names the template and the limit
    except Exception as exc:  # the user's template text: say which one failed and why
        raise LetterTemplateError(f"Sjabloon {tmpl.name} geeft een fout: {exc}") from exc
    intro = _paragraphs(parts["intro"])
    return RenderedText(
        subject=" ".join(parts["subject"].split()),
        paragraphs=intro + _paragraphs(parts["body"]),
        table_at=len(intro),
        closing=tuple(line.rstrip() for line in parts["closing"].strip().splitlines()),
        email=parts["email"].strip() + "\n",
        template=tmpl.name or names[0],
        countersign=tuple(
            FILL_IN.sub("", line) for line in parts["countersign"].splitlines() if line.strip()
        ),
    )


def plain_text(rendered: RenderedText) -> str:
    """The whole letter as text (golden files, previews): subject, paragraphs with a marker
    where the table goes, closing, the block to countersign (its lines as underscores, lined
    up), and the e-mail body."""
    body = list(rendered.paragraphs)
    body.insert(rendered.table_at, "[tabel met facturen]")
    countersign = ""
    if rendered.countersign:
        heading, *labels = rendered.countersign
        width = max((len(label) for label in labels), default=0)
        rows = [f"{label:<{width}} {'_' * 30}" for label in labels]
        countersign = "\n\n" + "\n".join([heading, *rows])
    return (
        f"Sjabloon: {rendered.template}\nOnderwerp: {rendered.subject}\n\n"
        + "\n\n".join(body)
        + "\n\n"
        + "\n".join(rendered.closing)
        + countersign
        + "\n\n--- e-mail ---\n"
        + rendered.email
    )


# -- payment QR ---------------------------------------------------------------------------------


def _qr_fields(content: LetterContent) -> dict[str, Any] | None:
    amount = content.amount_to_pay
    if not (content.iban and content.beneficiary and amount > 0):
        return None
    ref = content.reference
    # Field 10 holds only ISO 11649 (RF...) references; a Dutch betalingskenmerk or an
    # invoice number goes in the free text (LEGAL.md 6.2: the safe option).
    structured = ref.upper().startswith("RF") and ref[2:4].isdigit()
    return {
        "name": content.beneficiary[:70],
        "iban": content.iban.replace(" ", ""),
        "amount": amount,
        "text": None if structured else (ref or content.customer_number)[:140],
        "reference": ref if structured else None,
        "bic": content.bic.replace(" ", "") or None,
    }


# The QR mask pattern, fixed. segno.helpers.make_epc_qr tries all eight and keeps the one
# with the lowest penalty score, which was a quarter of a letter's PDF time; any of the eight
# is a valid QR code that every reader decodes (ISO/IEC 18004 section 7.8), and a test reads
# the code back with zbarimg. Everything else is what make_epc_qr does (EPC069-12: error
# correction M, not boosted, version 13 at most).
EPC_MASK = 0
EPC_MAX_VERSION = 13


def epc_qr(content: LetterContent) -> segno.QRCode | None:
    """The EPC ("GiroCode") QR with amount and reference; None when it cannot be made."""
    try:
        payload = epc_payload(content)
    except ValueError:  # e.g. an IBAN or BIC of the wrong length in Instellingen
        return None
    if payload is None:
        return None
    qr = segno.make_qr(payload, error="m", boost_error=False, mask=EPC_MASK)
    # make_qr makes no Micro QR, so the version is a number ("M1" is Micro only).
    return qr if isinstance(qr.version, int) and qr.version <= EPC_MAX_VERSION else None


def epc_payload(content: LetterContent) -> bytes | None:
    """The bytes inside the EPC QR (for tests and checks); segno has no public accessor."""
    args = _qr_fields(content)
    if args is None:
        return None
    make: Callable[..., bytes] = segno.helpers._make_epc_qr_data  # type: ignore[attr-defined]
    return make(
        args["name"], args["iban"], args["amount"], args["text"], args["reference"],
        args["bic"], None, None,
    )  # fmt: skip


class QRFlowable(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """A QR code drawn as vector rectangles: sharp at any zoom and far cheaper than an image."""

    def __init__(self, qr: segno.QRCode, size: float) -> None:
        super().__init__()
        self.matrix = qr.matrix
        self.width = self.height = size

    def draw(self) -> None:
        n = len(self.matrix)
        border = 4  # the quiet zone scanners need, in white whatever the background
        unit = self.width / (n + 2 * border)
        c = self.canv
        c.setFillColor(colors.white)
        c.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        c.setFillColor(colors.black)
        # One literal path of "x y w h re" runs: ~400 rectangles through reportlab's path
        # API cost more than the rest of the page.
        ops = []
        for y, row in enumerate(self.matrix):
            x = 0
            top = self.height - (y + border + 1) * unit
            while x < n:
                if row[x]:
                    start = x
                    while x < n and row[x]:
                        x += 1
                    ops.append(
                        f"{(start + border) * unit:.3f} {top:.3f} {(x - start) * unit:.3f} "
                        f"{unit:.3f} re"
                    )
                else:
                    x += 1
        ops.append("f")
        c.addLiteral("\n".join(ops))


# -- PDF ----------------------------------------------------------------------------------------

PAGE_W, PAGE_H = A4
LEFT = 22 * mm
RIGHT = 20 * mm
WIDTH = PAGE_W - LEFT - RIGHT
# The window of a Dutch window envelope (C5/6, DL): 22 mm from the left, 50 mm from the top,
# 85 x 40 mm (notes/LETTERS.md).
WINDOW_X, WINDOW_TOP, WINDOW_W, WINDOW_H = 22 * mm, 50 * mm, 85 * mm, 40 * mm
BODY_TOP = 100 * mm  # the text starts under the window
BODY_TOP_TIGHT = 94 * mm  # ... a little closer when that keeps a letter on one page
BOTTOM = 24 * mm
ACCENT = colors.HexColor("#7a4a1e")
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#b0b0b0")
NO_PADDING = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}


@dataclass(frozen=True, slots=True)
class InvoiceCopy:
    """An invoice without a readable PDF of its own: a KOPIEFACTUUR page is generated."""

    line: InvoiceLine


@lru_cache(maxsize=2)
def _styles(tight: bool = False) -> dict[str, ParagraphStyle]:
    """The paragraph styles; `tight` is the spacing tried when a letter would otherwise just
    spill onto a second page (less space between paragraphs, same type size)."""
    base = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=12 if tight else 13)
    return {
        "body": ParagraphStyle("p", parent=base, spaceAfter=3.5 if tight else 6),
        "subject": ParagraphStyle(
            "s", parent=base, fontName="Helvetica-Bold", spaceAfter=5 if tight else 9
        ),
        "small": ParagraphStyle("sm", parent=base, fontSize=8.5, leading=10.5),
        "cell": ParagraphStyle("c", parent=base, fontSize=8.5, leading=10.5),
        "num": ParagraphStyle("n", parent=base, fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
        "address": ParagraphStyle("a", parent=base, leading=13),
        "return": ParagraphStyle("r", parent=base, fontSize=6.5, leading=8, textColor=GREY),
        "title": ParagraphStyle(
            "t", parent=base, fontName="Helvetica-Bold", fontSize=16, leading=20, spaceAfter=10
        ),
    }


# "€ 1.234,56": the euro sign never ends a line with its amount on the next.
EURO_AMOUNT = re.compile(r"€ (?=[-\d])")


def _markup(text: str) -> str:
    return escape(drawable_text(text)).replace("\n", "<br/>")


def _prose(text: str) -> str:
    """A paragraph of the letter's own words, '€' tied to its amount. Only here: the table's
    amounts fit their columns (_table_widths), and reportlab takes longer to wrap text with a
    non-breaking space (the character, which WinAnsi has; the &nbsp; entity costs more)."""
    return EURO_AMOUNT.sub("€\xa0", _markup(text))


class _Mark(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """Records the page it lands on, so the invoice copies can be put in order afterwards."""

    def __init__(self, pages: dict[int, int], key: int) -> None:
        super().__init__()
        self.pages, self.key = pages, key
        self.width = self.height = 0

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.pages[self.key] = self.canv.getPageNumber() - 1


class _Layout:
    """The page furniture of one letter: letterhead, window address, footer, copy stamp."""

    def __init__(self, content: LetterContent) -> None:
        self.c = content
        self.labels = LABELS[content.language]
        self._window: list[Flowable] | None = None
        s = content.sender
        place = "  ".join(p for p in (s.postcode, s.city) if p)
        self.sender_lines = [x for x in (s.address, place, s.phone, s.email) if x]
        lab = self.labels
        ids = [
            f"{lab['kvk']} {s.kvk}" if s.kvk else "",
            f"{lab['vat']} {s.vat_number}" if s.vat_number else "",
            f"IBAN {_iban(s.iban)}" if s.iban else "",
            f"BIC {s.bic}" if s.bic else "",
        ]
        self.footer = _footer_lines(s.company_name, [i for i in ids if i])
        beside = max((stringWidth(drawable_text(x), "Helvetica", 8.5) for x in self.sender_lines),
                     default=0)  # fmt: skip
        self.name_lines = _name_lines(drawable_text(s.company_name), WIDTH - beside - 6 * mm)

    def letterhead(self, canv: pdfcanvas.Canvas) -> None:
        canv.setFillColor(ACCENT)
        (size, lines) = self.name_lines
        canv.setFont("Helvetica-Bold", size)
        y = PAGE_H - 22 * mm + (len(lines) - 1) * size * 1.15
        for line in lines:
            canv.drawString(LEFT, y, line)
            y -= size * 1.15
        canv.setFillColor(GREY)
        canv.setFont("Helvetica", 8.5)
        y = PAGE_H - 16 * mm
        for line in self.sender_lines:
            canv.drawRightString(PAGE_W - RIGHT, y, drawable_text(line))
            y -= 10.5

    def window(self, canv: pdfcanvas.Canvas) -> None:
        if self._window is None:  # made once, drawn on the letter and on each copy page
            st = _styles()
            r = self.c.recipient
            s = self.c.sender
            back = ", ".join(
                p for p in (s.company_name, s.address, f"{s.postcode} {s.city}".strip()) if p
            )
            lines = [r.name]
            if r.attention:
                lines.append(f"{self.labels['attention']} {r.attention}")
            lines.extend(r.address_lines)
            self._window = _window_flowables(back, lines, st)
        story = list(self._window)  # the frame takes its flowables off the list
        frame = Frame(
            WINDOW_X, PAGE_H - WINDOW_TOP - WINDOW_H, WINDOW_W, WINDOW_H,
            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, showBoundary=0,
        )  # fmt: skip
        frame.addFromList(story, canv)

    def foot(self, canv: pdfcanvas.Canvas) -> None:
        canv.setStrokeColor(RULE)
        canv.setLineWidth(0.5)
        canv.line(LEFT, 15 * mm, PAGE_W - RIGHT, 15 * mm)
        canv.setFillColor(GREY)
        y = 11 * mm
        for line, size in self.footer:
            canv.setFont("Helvetica", size)
            canv.drawCentredString(PAGE_W / 2, y, line)
            y -= size + 1.5

    def first(self, canv: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        self.letterhead(canv)
        self.window(canv)
        self.foot(canv)
        canv.restoreState()

    def later(self, canv: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        self.letterhead(canv)
        self.foot(canv)
        # a second page that gets separated from the first still says whose letter it is
        lab, c = self.labels, self.c
        canv.setFillColor(GREY)
        canv.setFont("Helvetica", 8.5)
        canv.drawString(
            LEFT,
            PAGE_H - 28 * mm,
            drawable_text(
                f"{lab['customer']}: {c.customer_number}  ·  {long_date(c.date, c.language)}"
                f"  ·  {lab['page']} {canv.getPageNumber()}"
            ),
        )
        canv.restoreState()

    def copy(self, canv: pdfcanvas.Canvas, doc: BaseDocTemplate) -> None:
        canv.saveState()
        self.letterhead(canv)
        self.window(canv)
        self.foot(canv)
        _stamp(canv, PAGE_W, PAGE_H, self.labels["page_copy"])
        canv.restoreState()


# Type sizes tried for the address, largest first, until it fits in the envelope window.
WINDOW_SIZES = (10, 9, 8, 7)


def _window_flowables(back: str, lines: list[str], st: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The return address and the recipient, fitted into the window: a frame draws nothing of
    a flowable too tall for it, so a long name or address would leave the window empty (an
    envelope without an address). Smaller type first; at the smallest size each line is cut
    to one line and the lines that still do not fit are left out."""

    def stack(size: float, texts: list[str]) -> list[Flowable]:
        style = ParagraphStyle("aw", parent=st["address"], fontSize=size, leading=size * 1.3)
        return [
            Paragraph(_markup(back), st["return"]),
            Spacer(1, 2 * mm),
            Paragraph("<br/>".join(_markup(x) for x in texts), style),
        ]

    def height(flows: list[Flowable]) -> float:
        return float(sum(f.wrap(WINDOW_W, WINDOW_H)[1] for f in flows))

    for size in WINDOW_SIZES:
        flows = stack(size, lines)
        if height(flows) <= WINDOW_H:
            return flows
    size = WINDOW_SIZES[-1]
    cut = [_fit(drawable_text(x), size, WINDOW_W) for x in lines]
    while len(cut) > 1 and height(stack(size, cut)) > WINDOW_H:
        cut.pop()
    return stack(size, cut)


NAME_SIZE, NAME_MIN_SIZE = 15.0, 10.0


def _name_lines(name: str, width: float) -> tuple[float, list[str]]:
    """The company name in the letterhead: smaller type, then two lines, so that it never runs
    into the address block on its right (a long name was drawn straight through it)."""
    size = NAME_SIZE
    while size > NAME_MIN_SIZE and stringWidth(name, "Helvetica-Bold", size) > width:
        size -= 0.5
    if stringWidth(name, "Helvetica-Bold", size) <= width:
        return size, [name]
    lines = simpleSplit(name, "Helvetica-Bold", size, width)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return size, [_fit(x, size, width, "Helvetica-Bold") for x in lines]


FOOTER_SIZE, FOOTER_MIN_SIZE = 7.5, 5.5


def _footer_lines(name: str, ids: list[str]) -> list[tuple[str, float]]:
    """The footer as (text, type size) lines within the text width: one line when it fits,
    else the company name above its numbers, each made smaller if it still does not fit. As
    one line at a fixed size a long company name ran into the page's edges."""
    one = drawable_text("  ·  ".join([name, *ids]))
    if stringWidth(one, "Helvetica", FOOTER_SIZE) <= WIDTH:
        return [(one, FOOTER_SIZE)]
    lines = []
    for text in (drawable_text(name), drawable_text("  ·  ".join(ids))):
        size = FOOTER_SIZE
        while size > FOOTER_MIN_SIZE and stringWidth(text, "Helvetica", size) > WIDTH:
            size -= 0.5
        if text:
            lines.append((text if size > FOOTER_MIN_SIZE else _fit(text, size), size))
    return lines


def _fit(text: str, size: float, width: float = WIDTH, font: str = "Helvetica") -> str:
    """`text` cut with an ellipsis to `width` at `size` points of `font`."""
    if stringWidth(text, font, size) <= width:
        return text
    # The longest prefix that fits with the ellipsis, found by halving (a prefix is never
    # wider than a longer one). Cut a character at a time, a 40,000-character Plaats was
    # measured whole 40,000 times: 26 s of one letter run (fuzz seed 7103, case 71).
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if stringWidth(text[:mid] + "…", font, size) <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "…"


def _iban(iban: str) -> str:
    compact = iban.replace(" ", "")
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def _stamp(canv: pdfcanvas.Canvas, width: float, height: float, word: str) -> None:
    """A red, translucent diagonal KOPIE with a small label top left."""
    canv.saveState()
    canv.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.22))
    canv.setFont("Helvetica-Bold", min(width, height) / 4.2)
    canv.translate(width / 2, height / 2)
    canv.rotate(35)
    canv.drawCentredString(0, -min(width, height) / 14, word)
    canv.restoreState()
    canv.saveState()
    canv.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.85))
    canv.setFont("Helvetica-Bold", 11)
    canv.drawString(12 * mm, height - 10 * mm, word)
    canv.restoreState()


def _invoice_table(content: LetterContent, tight: bool = False) -> Table:
    lab = LABELS[content.language]
    st = _styles(tight)
    lang = content.language

    def num(value: Decimal, bold: bool = False) -> Paragraph:
        text = _markup(money(value, lang))
        return Paragraph(f"<b>{text}</b>" if bold else text, st["num"])

    def cell(text: str) -> Paragraph:
        return Paragraph(_markup(text), st["cell"])

    head = [
        lab["invoice"], lab["date"], lab["due"], lab["description"], lab["amount"],
        lab["paid"], lab["open"],
    ]  # fmt: skip
    rows: list[list[Any]] = [
        [Paragraph(f"<b>{_markup(h)}</b>", st["num"] if i >= 4 else st["cell"])
         for i, h in enumerate(head)]
    ]  # fmt: skip
    for line in content.invoices:
        rows.append(
            [
                cell(line.number),
                cell(short_date(line.invoice_date)),
                cell(short_date(line.due_date)),
                cell(line.description),
                num(line.amount),
                num(line.paid),
                num(line.open),
            ]
        )
    for note in content.credit_notes:
        rows.append(
            [
                cell(note.number),
                cell(short_date(note.invoice_date)),
                cell(""),
                cell(_credit_text(note.description, lab["credit"])),
                num(note.amount),
                cell(""),
                num(-note.subtracted),
            ]
        )
    rows.append(["", "", "", Paragraph(f"<b>{_markup(lab['total'])}</b>", st["cell"]), "", "",
                 num(content.total, bold=True)])  # fmt: skip
    widths = _table_widths(content, st["num"].fontSize)
    table = Table(rows, colWidths=widths, repeatRows=1)
    last = len(rows) - 1
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5 if tight else 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5 if tight else 2.5),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
                ("LINEBELOW", (0, 1), (-1, last - 1), 0.3, RULE),
                ("LINEABOVE", (3, last), (-1, last), 0.8, colors.black),
                ("SPAN", (3, last), (5, last)),
            ]
        )
    )
    return table


TABLE_WIDTHS = (22 * mm, 19 * mm, 22 * mm, 45 * mm, 21 * mm, 18 * mm, 21 * mm)
CELL_PADDING = 6  # left and right padding of a table cell together, in points
MIN_DESCRIPTION = 25 * mm


def _table_widths(content: LetterContent, size: float) -> list[float]:
    """The invoice table's column widths: an amount column as wide as its widest amount
    needs, taken from the description column (which wraps). With fixed widths an amount of a
    million or more broke after the euro sign, "€" on one line and the number under it."""
    lang = content.language

    def need(values: Sequence[Decimal], font: str = "Helvetica") -> float:
        texts = [drawable_text(money(v, lang)) for v in values]
        return max((stringWidth(t, font, size) for t in texts), default=0) + CELL_PADDING + 1

    notes = content.credit_notes
    widths = list(TABLE_WIDTHS)
    widths[4] = max(
        widths[4], need([i.amount for i in content.invoices] + [n.amount for n in notes])
    )
    widths[5] = max(widths[5], need([i.paid for i in content.invoices]))
    widths[6] = max(
        widths[6],
        need([i.open for i in content.invoices] + [-n.subtracted for n in notes]),
        need([content.total], "Helvetica-Bold"),
    )
    widths[3] = max(MIN_DESCRIPTION, WIDTH - sum(widths) + widths[3])
    return widths


def _credit_text(description: str, word: str) -> str:
    if description.casefold().startswith(word.casefold()):
        return description
    return f"{word}: {description}" if description else word


def _payment_block(
    content: LetterContent, tight: bool = False, qr: segno.QRCode | None = None
) -> list[Flowable]:
    lab = LABELS[content.language]
    st = _styles(tight)
    lang = content.language
    first = content.first_instalment
    rows = [
        (lab["first_instalment"] if first else lab["to_pay"],
         f"<b>{_markup(money(content.amount_to_pay, lang))}</b>"),
        *([(lab["pay_by"], _markup(long_date(first.due, lang)))] if first else []),
        (lab["iban"], _markup(_iban(content.iban))),
        (lab["name"], _markup(content.beneficiary)),
        (lab["reference"], _markup(content.reference)),
    ]  # fmt: skip
    if content.bic:  # under the IBAN it belongs to, with or without a first instalment
        rows.insert(rows.index((lab["iban"], _markup(_iban(content.iban)))) + 1,
                    (lab["bic"], _markup(content.bic)))  # fmt: skip
    if content.payment_link:
        url = escape(content.payment_link, {'"': "&quot;"})
        rows.append(
            (lab["link"], f'<a href="{url}" color="blue"><u>{escape(content.payment_link)}</u></a>')
        )
    text = "<br/>".join(f"{_markup(k)}: {v}" for k, v in rows)
    left = [Paragraph(f"<b>{_markup(lab['pay'])}</b>", st["body"]), Paragraph(text, st["body"])]
    right: list[Flowable] = (
        [QRFlowable(qr, (27 if tight else 32) * mm), Paragraph(_markup(lab["scan"]), st["small"])]
        if qr
        else []
    )
    table = Table([[left, right]], colWidths=[WIDTH - 40 * mm, 40 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BOX", (0, 0), (-1, -1), 0.5, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f7f3ee")),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 3 if tight else 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3 if tight else 5),
            ]
        )
    )
    return [Spacer(1, (2 if tight else 3) * mm), table, Spacer(1, (3 if tight else 5) * mm)]


def _copy_page(content: LetterContent, line: InvoiceLine) -> list[Flowable]:
    lab = LABELS[content.language]
    st = _styles()
    lang = content.language
    details = [
        (lab["invoice"], line.number),
        (lab["date"], short_date(line.invoice_date)),
        (lab["due"], short_date(line.due_date)),
        (lab["description"], line.description),
        (lab["incl"], money(line.amount, lang)),
        (lab["paid"], money(line.paid, lang)),
        (lab["open"], money(line.open, lang)),
        (lab["reference"], line.payment_reference or line.number),
        (lab["customer"], content.customer_number),
    ]
    table = Table(
        [
            [Paragraph(_markup(k), st["cell"]), Paragraph(_markup(v), st["cell"])]
            for k, v in details
        ],
        colWidths=[45 * mm, WIDTH - 45 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    note = lab["copy_note"].format(number=line.number)
    return [
        Paragraph(_markup(lab["copy_title"]), st["title"]),
        Paragraph(_markup(note), st["body"]),
        Spacer(1, 3 * mm),
        table,
    ]


def _letter_story(
    content: LetterContent,
    rendered: RenderedText,
    tight: bool = False,
    qr: segno.QRCode | None = None,
) -> list[Flowable]:
    """The letter's flowables. The last paragraph, the payment block and the closing are
    kept together: a letter never ends with only its greeting on a page of its own."""
    st = _styles(tight)
    s = content.sender
    when = long_date(content.date, content.language)
    dated = f"{s.city}, {when}" if s.city else when
    lab = LABELS[content.language]
    gap = 0.5 if tight else 1
    table = [
        Spacer(1, gap * mm),
        _invoice_table(content, tight),
        Spacer(1, (2.5 if tight else 4) * mm),
    ]
    story: list[Flowable] = [
        Paragraph(_markup(dated), st["body"]),
        Paragraph(_markup(f"{lab['customer']}: {content.customer_number}"), st["small"]),
        Spacer(1, (4 if tight else 6) * mm),
        Paragraph(_markup(rendered.subject), st["subject"]),
    ]
    paragraphs = [Paragraph(_prose(p), st["body"]) for p in rendered.paragraphs]
    if not (content.invoices or content.credit_notes):
        table = []  # a thank-you: no invoices, nothing to pay
    last: list[Flowable] = []
    if rendered.table_at >= len(paragraphs):
        story += paragraphs
        last = table
    else:
        for i, para in enumerate(paragraphs[:-1]):
            if i == rendered.table_at:
                story += table
            story.append(para)
        if rendered.table_at == len(paragraphs) - 1:
            story += table
        last = paragraphs[-1:]
    closing = [
        Paragraph(_markup(line) or "&nbsp;", st["body"] if i == 0 else st["address"])
        for i, line in enumerate(rendered.closing)
    ]
    payment: list[Flowable] = (
        _payment_block(content, tight, qr)
        if content.kind is not Action.THANK
        else [Spacer(1, (3 if tight else 4) * mm)]  # the gap the payment block leaves
    )
    countersign = _countersign(rendered.countersign, st, tight)
    story.append(KeepTogether([*last, *payment, *closing, *countersign]))
    return story


def _countersign(
    lines: Sequence[str], st: dict[str, ParagraphStyle], tight: bool
) -> list[Flowable]:
    """The customer's "Voor akkoord" under our signature: the heading, then each label with a
    drawn line beside it, every line starting after the widest label and of one length
    (underscores typed after labels of different widths never line up). The last line is
    the signature's and gets more room above it."""
    if not lines:
        return []
    heading, *labels = lines
    flows: list[Flowable] = [
        Spacer(1, (2 if tight else 5) * mm),
        Paragraph(f"<b>{_markup(heading)}</b>", st["address"]),
    ]
    if not labels:
        return flows
    font = st["address"].fontName, st["address"].fontSize
    line = 75 * mm
    widest = max(stringWidth(drawable_text(label), *font) for label in labels) + 3 * mm
    label_width = min(widest, WIDTH - line)  # a user's very long label wraps, the line stays
    row = (5.5 if tight else 7) * mm
    heights = [row] * (len(labels) - 1) + [row + 4 * mm]
    table = Table(
        [[Paragraph(_markup(label), st["address"]), ""] for label in labels],
        colWidths=[label_width, line],
        rowHeights=heights,
        hAlign="LEFT",
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (1, 0), (1, -1), 0.5, colors.black),
            ]
        )
    )
    return [*flows, table]


def _doc(
    buffer: io.BytesIO, layout: _Layout, content: LetterContent, tight: bool = False
) -> BaseDocTemplate:
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=32 * mm,
        bottomMargin=BOTTOM,
        title=content.subject,
        author=content.sender.company_name,
        creator="Debiteuren",
        invariant=1,  # same input, same bytes: no timestamp or random id in the file
    )
    full = PAGE_H - 32 * mm - BOTTOM
    first_h = PAGE_H - BODY_TOP - BOTTOM
    letter_h = first_h + (BODY_TOP - BODY_TOP_TIGHT if tight else 0)
    doc.addPageTemplates(
        [
            PageTemplate(
                "first",
                [Frame(LEFT, BOTTOM, WIDTH, letter_h, id="f", **NO_PADDING)],
                onPage=layout.first,
            ),
            PageTemplate(
                "later",
                [Frame(LEFT, BOTTOM, WIDTH, full, id="l", **NO_PADDING)],
                onPage=layout.later,
            ),
            PageTemplate(
                "copy",
                [Frame(LEFT, BOTTOM, WIDTH, first_h, id="c", **NO_PADDING)],
                onPage=layout.copy,
            ),
        ]
    )
    return doc


# pypdf reports what it repairs in a damaged file through `logging`; with no handler set,
# Python prints those English lines on the user's terminal. The user hears about an unreadable
# invoice PDF from invoice_copies, in Dutch, so pypdf's own report is not shown.
logging.getLogger("pypdf").addHandler(logging.NullHandler())
logging.getLogger("pypdf").propagate = False


@dataclass(frozen=True, slots=True)
class _Original:
    reader: PdfReader


def _open_original(path: Path) -> PdfReader | None:
    """A user's invoice PDF, if pypdf can read every page of it; else None (a generated copy
    is used instead, so one broken file never stops the letter)."""
    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            return None
        if len(reader.pages) == 0:
            return None
        return reader
    except (PdfReadError, OSError, ValueError, KeyError, TypeError):
        return None


@lru_cache(maxsize=16)
def _stamp_page_pdf(width: float, height: float) -> bytes:
    buf = io.BytesIO()
    canv = pdfcanvas.Canvas(buf, pagesize=(width, height), invariant=1)
    _stamp(canv, width, height, "KOPIE")
    canv.showPage()
    canv.save()
    return buf.getvalue()


@lru_cache(maxsize=16)
def _stamp_page(width: float, height: float) -> Any:
    """The KOPIE page for this page size, parsed once per process (a merge only reads it)."""
    return PdfReader(io.BytesIO(_stamp_page_pdf(width, height))).pages[0]


def letter_pdf(
    content: LetterContent,
    rendered: RenderedText,
    copies: Sequence[Path | InvoiceCopy],
    *,
    notes: list[str] | None = None,
) -> bytes:
    """The letter as PDF, followed by a copy of every invoice (PLAYBOOK E1).

    A copy is the user's own PDF (a Path, from `invoice_copies`) with each page stamped
    KOPIE, or a generated KOPIEFACTUUR page (an InvoiceCopy). Letters without original PDFs
    are one reportlab document; with originals, pypdf puts the pages together in order.
    An original that cannot be read (damaged, encrypted) gets a generated copy, and a Dutch
    note for the user is added to `notes` (as invoice_copies words a missing file): the file
    is read here once, not a second time to check it.
    """
    items: list[_Original | InvoiceCopy] = []
    # `copies` is in the order of content.invoices (as invoice_copies makes it), so an
    # original that turns out unreadable is replaced by the generated copy of its invoice.
    same_order = len(copies) == len(content.invoices)
    for k, item in enumerate(copies):
        if isinstance(item, InvoiceCopy):
            items.append(item)
            continue
        reader = _open_original(item)
        if reader is not None:
            items.append(_Original(reader))
        elif same_order:
            line = content.invoices[k]
            items.append(InvoiceCopy(line))
            if notes is not None:
                notes.append(
                    f"factuur {line.number}: '{line.pdf}' is beschadigd of versleuteld en kan "
                    "niet gelezen worden; kopie gemaakt uit de gegevens"
                )

    # The QR code once, for both spacings; a thank-you letter asks for no payment.
    qr = epc_qr(content) if content.kind is not Action.THANK else None
    data, starts = _build(content, rendered, items, tight=False, qr=qr)
    if starts[LETTER_END] > 0:
        # The letter spills onto a second page: try the tighter spacing first (item 5 of the
        # letters issue: a letter that fits on one page is one page).
        tight = _build(content, rendered, items, tight=True, qr=qr)
        if tight[1][LETTER_END] < starts[LETTER_END]:
            data, starts = tight
    starts.pop(LETTER_END)
    if all(isinstance(it, InvoiceCopy) for it in items):
        return data

    built = PdfReader(io.BytesIO(data))
    total_pages = len(built.pages)
    letter_end = min(starts.values(), default=total_pages)
    bounds = [*sorted(starts.values()), total_pages]
    writer = PdfWriter()
    for page in built.pages[:letter_end]:
        writer.add_page(page)
    for k, it in enumerate(items):
        if isinstance(it, InvoiceCopy):
            start = starts[k]
            end = bounds[bounds.index(start) + 1]
            for page in built.pages[start:end]:
                writer.add_page(page)
            continue
        for page in it.reader.pages:
            # pypdf 7: change the page the writer holds, never the reader's (LETTERS.md).
            added = writer.add_page(page)
            if added.rotation % 360:  # the transfer re-parses the content stream: only if needed
                added.transfer_rotation_to_content()
            box = added.mediabox
            stamp = _stamp_page(round(float(box.width), 1), round(float(box.height), 1))
            added.merge_transformed_page(
                stamp, Transformation().translate(float(box.left), float(box.bottom))
            )
    writer.add_metadata({"/Title": content.subject, "/Author": content.sender.company_name})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


LETTER_END = -1  # the _Mark key of the letter's last page (0-based)


def _build(
    content: LetterContent,
    rendered: RenderedText,
    items: Sequence[_Original | InvoiceCopy],
    *,
    tight: bool,
    qr: segno.QRCode | None = None,
) -> tuple[bytes, dict[int, int]]:
    """The reportlab document: the letter, then the generated copies; with the page each
    copy starts on, and under LETTER_END the page the letter ends on."""
    layout = _Layout(content)
    buffer = io.BytesIO()
    doc = _doc(buffer, layout, content, tight)
    starts: dict[int, int] = {}
    story = [
        NextPageTemplate("later"),
        *_letter_story(content, rendered, tight, qr),
        _Mark(starts, LETTER_END),
    ]
    for k, it in enumerate(items):
        if isinstance(it, InvoiceCopy):
            story += [
                NextPageTemplate("copy"),
                PageBreak(),
                _Mark(starts, k),
                *_copy_page(content, it.line),
            ]
    doc.build(story)
    return buffer.getvalue(), starts


def invoice_copies(
    content: LetterContent, roots: Sequence[Path]
) -> tuple[tuple[Path | InvoiceCopy, ...], tuple[str, ...]]:
    """For each invoice of the letter its own PDF when Factuur-pdf resolves safely inside
    `roots` (documents.find_document) and looks like a PDF, else a generated copy; with the
    Dutch reasons for the invoices that got a generated copy although a file was named."""
    out: list[Path | InvoiceCopy] = []
    notes: list[str] = []
    for line in content.invoices:
        if line.pdf:
            found = find_document(line.pdf, roots)
            if found.path is not None and _looks_like_pdf(found.path):
                out.append(found.path)  # read by letter_pdf, which names it if it cannot
                continue
            reason = found.reason or f"'{line.pdf}' is geen pdf"
            notes.append(f"factuur {line.number}: {reason}; kopie gemaakt uit de gegevens")
        out.append(InvoiceCopy(line))
    return tuple(out), tuple(notes)


def _looks_like_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(1024).lstrip().startswith(b"%PDF-")
    except OSError:
        return False


# -- e-mail draft -------------------------------------------------------------------------------


def _address(name: str, address: MailAddress) -> Address:
    """A header address from parsed parts only: the display name cleaned (header_text), the
    addr-spec from the validated local part and the IDNA domain, so no field can become
    another header or recipient."""
    return Address(
        display_name=header_text(name), username=address.local, domain=address.ascii_domain
    )


def email_html(text: str, language: str) -> str:
    """The same words as the plain body, as simple HTML: a paragraph per blank-line block."""
    paras = [p for p in PARAGRAPH_BREAK.split(text.strip()) if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(escape(line) for line in p.strip("\n").splitlines()) + "</p>"
        for p in paras
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{language.lower()}">\n<head><meta charset="utf-8"></head>\n'
        f'<body style="font-family: Arial, Helvetica, sans-serif; font-size: 11pt;">\n'
        f"{body}\n</body>\n</html>\n"
    )


class _HeaderClasses(HeaderRegistry):
    """The standard header registry, but each header's class made once: HeaderRegistry
    builds a new class for every header it parses (24 per draft, a quarter of its time).
    The same classes, so the same bytes."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


_SMTP = SMTP.clone(header_factory=_HeaderClasses())
_SMTPUTF8 = SMTPUTF8.clone(header_factory=_HeaderClasses())


def letter_eml(
    content: LetterContent,
    rendered: RenderedText,
    pdf_bytes: bytes,
    filename: str,
    *,
    now: datetime | None = None,
) -> bytes:
    """An e-mail draft with the letter attached, marked ``X-Unsent: 1`` so classic Outlook
    opens it as an editable draft; nothing is sent (DESIGN.md "Letters").

    Date and Message-ID make it a complete message the send command can pass on as it is;
    the body is multipart/alternative (plain text and the same words as simple HTML), the
    PDF attached. From, Reply-To and To are built from validated addresses only
    (core.addresses); an address with a non-ASCII local part is written with the SMTPUTF8
    policy (RFC 6531), everything else with plain SMTP (display names as encoded words).
    """
    s = content.sender
    sender = parse_addresses(s.email).addresses[:1]
    recipients = content.recipient.addresses
    utf8 = any(a.needs_smtputf8 for a in (*sender, *recipients))
    msg = EmailMessage(policy=_SMTPUTF8 if utf8 else _SMTP)
    if sender:
        msg["From"] = _address(s.company_name, sender[0])
        msg["Reply-To"] = _address(s.company_name, sender[0])
    if recipients:
        msg["To"] = [_address(content.recipient.name, a) for a in recipients]
    msg["Subject"] = header_text(rendered.subject)
    msg["Date"] = format_datetime(now or datetime.now(UTC).astimezone())
    domain = sender[0].ascii_domain if sender else "debiteuren.invalid"
    msg["Message-ID"] = make_msgid("debiteuren", domain=domain)
    msg["X-Unsent"] = "1"
    msg.set_content(rendered.email)
    msg.add_alternative(email_html(rendered.email, content.language), subtype="html")
    msg.add_attachment(
        pdf_bytes, maintype="application", subtype="pdf", filename=safe_name(filename, 150)
    )
    return msg.as_bytes()


def letter_filename(content: LetterContent, rendered: RenderedText) -> str:
    """A file name for the letter: date, customer number and subject, safe on any system."""
    return (
        safe_name(f"{content.date.isoformat()} {content.customer_number} {rendered.subject}", 120)
        + ".pdf"
    )
