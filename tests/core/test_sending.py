"""core.sending: which logged letters `verstuur` sends, and why the others wait; and the
consumer's 14-day letter counting from the day its e-mail left (issue 16, items 1 and 3)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from addin.core import fourteen_days
from addin.core.model import (
    Agreement,
    AgreementKind,
    Book,
    Channel,
    Contact,
    ContactPerson,
    Customer,
    CustomerKind,
    Invoice,
    Payment,
    PaymentStatus,
    Segment,
)
from addin.core.plan import plan_book
from addin.core.sending import Fate, JournalState, decide_sending

DAY = date(2026, 12, 1)
DOC = "uitvoer/2026-12-01/2026-12-01 Herinnering K1.pdf"


JANSEN = Customer("K1", "Jansen BV", email="boekhouding@jansen.nl", segment=Segment.C)
NO_EMAIL = {"customers": (replace(JANSEN, email=""),)}


def _book(*contacts: Contact, **extra: object) -> Book:
    return Book(
        customers=extra.pop("customers", (JANSEN,)),  # type: ignore[arg-type]
        invoices=(
            Invoice(
                "F1",
                "K1",
                DAY - timedelta(days=40),
                Decimal("100.00"),
                due_date=DAY - timedelta(days=10),
            ),
        ),
        contacts=contacts,
        **extra,  # type: ignore[arg-type]
    )


def _letter(**changes: object) -> Contact:
    base = Contact(DAY, "K1", Channel.LETTER_AND_EMAIL, ("F1",), step="Herinnering", document=DOC)
    return replace(base, **changes)


def _fate(book: Book, as_of: date = DAY, journal=None, drafts=frozenset({DOC}), unaddressed=()):
    decisions = decide_sending(
        book, plan_book(book, as_of), as_of, drafts, journal or {}, frozenset(unaddressed)
    )
    return [(d.fate, d.reason) for d in decisions]


PAID = Payment(DAY, Decimal("100.00"), PaymentStatus.LINKED, invoice="F1")
REVIEW = Payment(DAY, Decimal("100.00"), PaymentStatus.REVIEW, customer="K1")
PROMISE = Agreement(
    "A1", "K1", AgreementKind.PROMISE, DAY + timedelta(days=5), ("F1",), agreed_on=DAY
)

SMTP = "01-12-2026 11:02 SMTP"
CONCEPT = "01-12-2026 11:02 Outlook concept"
HANDMATIG = "01-12-2026 11:02 handmatig"
COPY = "de e-mail is verstuurd op 1-12-2026; het papieren exemplaar nog printen en posten"

CASES = [
    # (id, contact, book extras, as_of, journal, drafts, expected fate, words in the reason)
    ("due", _letter(), {}, DAY, {}, {DOC}, Fate.SEND, ""),
    ("e-mail only", _letter(channel=Channel.EMAIL), {}, DAY, {}, {DOC}, Fate.SEND, ""),
    ("already sent", _letter(sent=DAY), {}, DAY, {}, {DOC}, None, ""),
    # Brief en e-mail e-mailed by `verstuur`: its paper copy is listed until "post" follows
    ("e-mailed", _letter(sent=DAY, sent_note=SMTP), {}, DAY, {}, {DOC}, Fate.PRINT, COPY),
    (
        "by Outlook concept",
        _letter(sent=DAY, sent_note=CONCEPT),
        {},
        DAY,
        {},
        {DOC},
        Fate.PRINT,
        COPY,
    ),
    (
        "marked by hand",
        _letter(sent=DAY, sent_note=HANDMATIG),
        {},
        DAY,
        {},
        {DOC},
        Fate.PRINT,
        COPY,
    ),
    (
        "e-mailed, 14 days",
        _letter(sent=DAY, sent_note=SMTP),
        {},
        DAY + timedelta(days=14),
        {},
        {DOC},
        Fate.PRINT,
        COPY,
    ),
    (
        "e-mailed, 15 days",
        _letter(sent=DAY, sent_note=SMTP),
        {},
        DAY + timedelta(days=15),
        {},
        {DOC},
        None,
        "",
    ),
    (
        "e-mailed and posted",
        _letter(sent=DAY, sent_note=SMTP + "; 02-12-2026 09:00 post"),
        {},
        DAY,
        {},
        {DOC},
        None,
        "",
    ),
    (
        "posted, typed by hand",
        _letter(sent=DAY, sent_note=SMTP + "; Post"),
        {},
        DAY,
        {},
        {DOC},
        None,
        "",
    ),
    (
        "a date typed as text",
        _letter(sent=DAY, sent_note="01-12-2026"),
        {},
        DAY,
        {},
        {DOC},
        None,
        "",
    ),
    (
        "posted only",
        _letter(sent=DAY, sent_note="01-12-2026 11:02 post"),
        {},
        DAY,
        {},
        {DOC},
        None,
        "",
    ),
    (
        "e-mail only, e-mailed",
        _letter(channel=Channel.EMAIL, sent=DAY, sent_note=SMTP),
        {},
        DAY,
        {},
        {DOC},
        None,
        "",
    ),
    (
        "e-mailed, day unreadable",
        _letter(sent=date.min, sent_note="1-13-2026 SMTP"),
        {},
        DAY,
        {},
        {DOC},
        None,
        "",
    ),
    ("sent, day unknown", _letter(sent=date.min), {}, DAY, {}, {DOC}, None, ""),
    (
        "accepted in journal",
        _letter(),
        {},
        DAY,
        {DOC: JournalState.ACCEPTED},
        {DOC},
        Fate.RECORD,
        "",
    ),
    (
        "handed over, no answer",
        _letter(),
        {},
        DAY,
        {DOC: JournalState.HANDED_OVER},
        {DOC},
        Fate.UNSURE,
        "--markeer-verzonden",
    ),
    ("user said again", _letter(), {}, DAY, {DOC: JournalState.RETRY}, {DOC}, Fate.SEND, ""),
    ("refused before", _letter(), {}, DAY, {DOC: JournalState.REFUSED}, {DOC}, Fate.SEND, ""),
    ("made later", _letter(date=DAY + timedelta(days=1)), {}, DAY, {}, {DOC}, None, ""),
    ("14 days old", _letter(), {}, DAY + timedelta(days=14), {}, {DOC}, Fate.SEND, ""),
    (
        "15 days old",
        _letter(),
        {},
        DAY + timedelta(days=15),
        {},
        {DOC},
        Fate.TOO_OLD,
        "meer dan 14 dagen",
    ),
    ("letter only", _letter(channel=Channel.LETTER), {}, DAY, {}, {DOC}, Fate.PRINT, ""),
    ("no draft", _letter(), {}, DAY, {}, set(), Fate.NO_DRAFT, ".eml"),
    (
        "paid since",
        _letter(),
        {"payments": (PAID,)},
        DAY,
        {},
        {DOC},
        Fate.HELD_BACK,
        "factuur F1 is betaald",
    ),
    (
        "payment to review",
        _letter(),
        {"payments": (REVIEW,)},
        DAY,
        {},
        {DOC},
        Fate.HELD_BACK,
        "betaling te controleren",
    ),
    (
        "under a promise",
        _letter(),
        {"agreements": (PROMISE,)},
        DAY,
        {},
        {DOC},
        Fate.HELD_BACK,
        "onder een afspraak",
    ),
    (
        "confirmation of that promise",
        _letter(step="Bevestiging"),
        {"agreements": (PROMISE,)},
        DAY,
        {},
        {DOC},
        Fate.SEND,
        "",
    ),
    (
        "invoice gone",
        _letter(invoices=("F9",)),
        {},
        DAY,
        {},
        {DOC},
        Fate.HELD_BACK,
        "F9 staat niet meer",
    ),
    ("a call", _letter(channel=Channel.PHONE), {}, DAY, {}, {DOC}, None, ""),
    # Brief en e-mail for a customer without an e-mail address: paper only, unless the user
    # typed an address into the draft (only then is DOC not in `unaddressed`, see below)
    ("no address, no draft", _letter(), NO_EMAIL, DAY, {}, set(), Fate.PRINT, "geen e-mailadres"),
    ("no address, draft", _letter(), NO_EMAIL, DAY, {}, {DOC}, Fate.SEND, ""),
    (
        "no address, 15 days old",
        _letter(),
        NO_EMAIL,
        DAY + timedelta(days=15),
        {},
        set(),
        None,
        "",
    ),
    (
        "no address, e-mail only",
        _letter(channel=Channel.EMAIL),
        NO_EMAIL,
        DAY,
        {},
        set(),
        Fate.NO_DRAFT,
        ".eml",
    ),
    (
        "no address, went by e-mail before",
        _letter(),
        NO_EMAIL,
        DAY,
        {DOC: JournalState.HANDED_OVER},
        set(),
        Fate.UNSURE,
        "",
    ),
]


@pytest.mark.parametrize(
    ("contact", "extra", "as_of", "journal", "drafts", "exp", "words"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_fate_of_a_logged_letter(contact, extra, as_of, journal, drafts, exp, words):
    book = _book(contact, **extra)
    got = _fate(book, as_of, journal, frozenset(drafts))
    if exp is None:
        assert got == []
    else:
        assert [f for f, _ in got] == [exp]
        assert words in got[0][1]


@pytest.mark.parametrize(
    ("customer", "persons", "unaddressed", "exp"),
    [
        (replace(JANSEN, email=""), (), {DOC}, Fate.PRINT),
        (
            replace(JANSEN, email=""),
            (ContactPerson("K1", "Piet", email="piet@jansen.nl"),),
            {DOC},
            Fate.SEND,
        ),
        (replace(JANSEN, email="geen-adres"), (), {DOC}, Fate.SEND),  # load_draft names it
        (JANSEN, (), {DOC}, Fate.SEND),
    ],
    ids=["none anywhere", "a contact person's", "an invalid one", "the customer's"],
)
def test_paper_only_when_the_workbook_has_no_address(customer, persons, unaddressed, exp):
    """An address anywhere in the workbook, even an invalid one, is one to correct: the letter
    stays with the e-mails (and load_draft names what is wrong), not quietly on paper."""
    book = _book(_letter(), customers=(customer,), contact_persons=persons)
    got = _fate(book, unaddressed=unaddressed)
    assert [f for f, _ in got] == [exp]


def test_disputed_since_the_run_is_held_back():
    book = _book(_letter())
    disputed = replace(book, invoices=(replace(book.invoices[0], dispute="levering onvolledig"),))
    (got,) = _fate(disputed)
    assert got[0] is Fate.HELD_BACK and "geschil" in got[1]


# --- item 3: the 14-day letter counts from the day its e-mail left -------------------------


def _consumer_book(sent: date | None) -> Book:
    """A consumer whose 14-day letter was logged on DAY; every earlier step done."""
    due = DAY - timedelta(days=60)
    steps = ("Herinnering", "Nabellen", "Regeling aanbieden", "Laatste herinnering")
    contacts = tuple(
        Contact(
            due + timedelta(days=2 + k),
            "K1",
            Channel.LETTER_AND_EMAIL,
            ("F1",),
            step=s,
            outcome=None,
        )
        for k, s in enumerate(steps)
    )
    fourteen = Contact(
        DAY,
        "K1",
        Channel.LETTER_AND_EMAIL,
        ("F1",),
        step="Veertiendagenbrief",
        document="x.pdf",
        sent=sent,
    )
    return Book(
        customers=(Customer("K1", "Jansen", kind=CustomerKind.CONSUMER, segment=Segment.C),),
        invoices=(Invoice("F1", "K1", due - timedelta(days=30), Decimal("100.00"), due_date=due),),
        contacts=(*contacts, fourteen),
    )


@pytest.mark.parametrize(
    ("sent", "exp_from"),
    [(None, DAY), (DAY + timedelta(days=6), DAY + timedelta(days=6)), (date.min, DAY)],
    ids=["not sent by e-mail: the logged day", "sent 6 days later", "Verzonden unreadable"],
)
def test_collection_waits_for_the_costs_after_the_day_it_was_sent(sent, exp_from):
    as_of = DAY + timedelta(days=60)
    action = plan_book(_consumer_book(sent), as_of).actions[0]
    assert action.action.value == "incasso"
    assert action.date == max(DAY + timedelta(days=21), fourteen_days.costs_due(exp_from))
    assert action.date >= fourteen_days.costs_due(exp_from)
