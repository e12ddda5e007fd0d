"""What one letter says, as data: everything a template and the page layout need.

`compose` turns a LetterTask of the plan into a LetterContent: sender, recipient, the
invoices with what is open on each, the open credit notes subtracted (PLAYBOOK Q1), what to
pay and how (E2), and per step what the letter offers: a concrete arrangement within the
Instellingen bounds (A4), the exact costs and the Hoge Raad wording of the 14-day letter
(art. 6:96 lid 6 BW), or the agreement to confirm (A1, A2). The words are the templates'
job; this module only decides the facts, so a test can check them without rendering.

Example::

    >>> offer = arrangement_offer(Decimal("2675.80"), date(2026, 11, 24), 6, Decimal("50"))
    >>> len(offer.instalments), str(offer.instalments[0].amount), offer.first_date.isoformat()
    (6, '445.96', '2026-12-08')
    >>> str(offer.instalments[-1].amount)
    '446.00'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from addin.core.addresses import MailAddress, parse_addresses
from addin.core.agreements import Instalment, schedule
from addin.core.fourteen_day_letter import FourteenDayLetter, fourteen_day_letter
from addin.core.ladder_default import DEFAULT_STEPS
from addin.core.ledger import Ledger
from addin.core.model import (
    Action,
    Agreement,
    AgreementKind,
    Audience,
    Book,
    Channel,
    Contact,
    Customer,
    CustomerKind,
    LetterTask,
    Outcome,
    Settings,
)
from addin.core.money import CENT, ZERO, to_cents

# The first instalment (or the payment date when no arrangement fits) about two weeks after
# the letter: time for the post and for the customer to arrange the money.
OFFER_DELAY = timedelta(days=14)
# The friendly first reminder asks for payment within a week (texts.GOALS).
REMINDER_DELAY = timedelta(days=7)
# EPC QR field 10/11 and most bank apps cut a reference at 35 characters.
REFERENCE_MAX = 35
HOME_COUNTRIES = frozenset({"", "nl", "nederland", "netherlands", "the netherlands"})

# A letter abroad carries its address in the destination's own format, the country last in
# capitals (UPU; PostNL asks the same). Most countries a Dutch business writes to put the
# postcode before the place as the Netherlands does; these do not, each as its post says:
# - "town-line-capitals": the post town in capitals on its own line, the postcode in
#   capitals on the next (United Kingdom: Post Office, "Clear addressing", lines 4-5).
# - "town-line": the same lines as typed (Ireland: the Eircode on its own line under the
#   town, An Post, "Writing an address").
# - "town-first": the place, then the postcode on one line, as "CITY STATE ZIP" (United
#   States: USPS Publication 28, 2-1), Canada Post's "MUNICIPALITY PROVINCE POSTAL CODE" and
#   Australia Post's "SUBURB STATE POSTCODE" (the state typed in Plaats).
# Keyed by what users type in Klanten.Land (Dutch, English, ISO code), compared casefolded.
PLACE_ORDER: dict[str, str] = {
    **dict.fromkeys(
        ("verenigd koninkrijk", "united kingdom", "uk", "gb", "groot-brittannië",
         "groot-brittannie", "great britain", "engeland", "england", "schotland", "scotland",
         "wales", "noord-ierland", "northern ireland"),
        "town-line-capitals",
    ),
    **dict.fromkeys(("ierland", "ireland", "ie", "éire", "eire"), "town-line"),
    **dict.fromkeys(
        ("verenigde staten", "verenigde staten van amerika", "united states",
         "united states of america", "usa", "us", "vs", "canada", "ca", "australië",
         "australie", "australia", "au"),
        "town-first",
    ),
}  # fmt: skip


def place_lines(postcode: str, city: str, country: str) -> tuple[str, ...]:
    """The address's place lines for `country` (PLACE_ORDER; else "postcode  city", two
    spaces as PostNL asks).

    >>> place_lines("SW1A 1AA", "London", "Verenigd Koninkrijk")
    ('LONDON', 'SW1A 1AA')
    >>> place_lines("10001", "New York, NY", "USA")
    ('New York, NY  10001',)
    >>> place_lines("2000", "Antwerpen", "België")
    ('2000  Antwerpen',)
    """
    postcode, city = postcode.strip(), city.strip()
    order = PLACE_ORDER.get(country.strip().casefold())
    if order == "town-line-capitals":
        return tuple(p.upper() for p in (city, postcode) if p)
    if order == "town-line":
        return tuple(p for p in (city, postcode) if p)
    parts = (city, postcode) if order == "town-first" else (postcode, city)
    place = "  ".join(p for p in parts if p)
    return (place,) if place else ()


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who the letter goes to.

    Attributes:
      attention: the contact person for letters (bookkeeping first), "t.a.v." in the address.
      address_lines: street and "postcode  city" (two spaces, as PostNL asks), then the
        country in capitals when it is not the Netherlands.
      email: where the e-mail draft goes: the customer's addresses, else the contact's,
        as text ("a@b.nl; c@d.nl"); only the valid ones (core.addresses).
      addresses: the same, parsed: what the e-mail's To header is built from.
      address_errors: why a part of the E-mail field was left out (reported as a problem
        by checks.check_email_addresses; the letter is still made as PDF).
      salutation_name: the name to greet; empty means "Geachte heer/mevrouw".
    """

    name: str
    attention: str
    address_lines: tuple[str, ...]
    country: str
    email: str
    salutation_name: str
    addresses: tuple[MailAddress, ...] = ()
    address_errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    """One invoice the letter asks payment for; `paid` is everything already received."""

    number: str
    invoice_date: date
    due_date: date
    description: str
    amount: Decimal
    paid: Decimal
    open: Decimal
    payment_reference: str
    pdf: str
    payment_link: str


@dataclass(frozen=True, slots=True)
class CreditLine:
    """An open credit note; `subtracted` (positive) is taken off the total."""

    number: str
    invoice_date: date
    description: str
    amount: Decimal
    open: Decimal
    subtracted: Decimal


@dataclass(frozen=True, slots=True)
class Offer:
    """What a reminder proposes: instalments, or (when none fits the bounds) a pay-by date."""

    instalments: tuple[Instalment, ...]
    pay_by: date | None

    @property
    def first_date(self) -> date | None:
        return self.instalments[0].due if self.instalments else self.pay_by

    @property
    def is_arrangement(self) -> bool:
        return len(self.instalments) > 1


@dataclass(frozen=True, slots=True)
class Confirmation:
    """The promise or arrangement a `bevestigen` letter confirms, with its schedule.

    Attributes:
      partner: the person it was made with (the Met of the contact that recorded it); the
        letter is addressed to and thanks this person; empty when unknown.
    """

    id: str
    is_promise: bool
    agreed_on: date | None
    total: Decimal
    instalments: tuple[Instalment, ...]
    partner: str = ""


@dataclass(frozen=True, slots=True)
class LetterContent:
    """Everything a letter template and the layout need; amounts Decimal, dates date.

    Attributes:
      kind: the action code (herinnering, regeling-aanbieden, ...).
      template: the template name: the step's Sjabloon, else the action code.
      date: the letter's date (the plan date).
      subject: the invoice numbers the letter is about (the template adds the framing).
      total: what the letter asks: open invoices minus open credit notes.
      reference: what to put with the transfer (the Betalingskenmerk of a single invoice,
        else the invoice numbers, else the customer number).
      payment_link: the one Betaallink that pays exactly this letter, if any.
      pay_by: a payment date (the first reminder, or when no arrangement fits).
      offer: the arrangement offer of regeling-aanbieden and laatste-herinnering.
      fourteen_day: the dates, costs and wording of the 14-day letter.
      confirmation: the agreement a bevestigen letter confirms.
      handover_notice: the last written step before the hand-over: the letter says, without
        threat, that the claim will be handed over if nothing happens (PLAYBOOK L6).
      agency: the collection agency's name, only where the letter may name it.
      amount_to_pay: the amount of the payment block and QR: the total, or for an offered
        or confirmed arrangement its first instalment.
      first_instalment: that first instalment (amount and date) when the payment block asks
        for it rather than the total.
    """

    sender: Settings
    recipient: Recipient
    customer_number: str
    customer_kind: CustomerKind
    language: str
    kind: Action
    template: str
    step: str
    date: date
    subject: str
    invoices: tuple[InvoiceLine, ...]
    credit_notes: tuple[CreditLine, ...]
    total: Decimal
    reference: str
    payment_link: str
    iban: str
    bic: str
    beneficiary: str
    pay_by: dt.date | None = None  # dt.: the field `date` above shadows the type
    offer: Offer | None = None
    fourteen_day: FourteenDayLetter | None = None
    confirmation: Confirmation | None = None
    handover_notice: bool = False
    agency: str = ""
    amount_to_pay: Decimal = ZERO
    first_instalment: Instalment | None = None

    @property
    def invoice_total(self) -> Decimal:
        return sum((i.open for i in self.invoices), ZERO)

    @property
    def credit_total(self) -> Decimal:
        return sum((c.subtracted for c in self.credit_notes), ZERO)


def arrangement_offer(
    total: Decimal, letter_date: date, max_instalments: int, min_instalment: Decimal
) -> Offer:
    """A reasonable arrangement within the Instellingen bounds (PLAYBOOK A4).

    As many monthly instalments as the bounds allow: at most `max_instalments`, each at
    least `min_instalment` (n = min(max, total // min)); the first about two weeks after the
    letter. Every instalment but the last is the total divided evenly, rounded down to the
    cent so none falls below the minimum; the last takes the remainder. Below two minimum
    instalments no arrangement fits, and the offer is a payment date instead.
    """
    first = letter_date + OFFER_DELAY
    minimum = max(to_cents(min_instalment), CENT)
    count = min(max(max_instalments, 1), int(total // minimum))
    if count < 2:
        return Offer((), first)
    each = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    plan = Agreement(
        id="",
        customer="",
        kind=AgreementKind.ARRANGEMENT,
        first_date=first,
        amount=total,
        instalments=count,
        instalment_amount=each,
    )
    return Offer(schedule(plan, total), None)


def payment_reference(lines: tuple[InvoiceLine, ...], customer: Customer, language: str) -> str:
    """The Betalingskenmerk of a single invoice, else the invoice numbers if they fit in
    35 characters, else the customer number (the bank matches on any of them)."""
    if len(lines) == 1:
        return (lines[0].payment_reference or lines[0].number)[:REFERENCE_MAX]
    joined = " ".join(i.number for i in lines)
    if len(joined) <= REFERENCE_MAX:
        return joined
    word = "Customer" if language == "EN" else "Klantnr"
    return f"{word} {customer.number}"[:REFERENCE_MAX]


# Up to this many invoice numbers are listed in a subject; more are counted ("12 facturen"):
# a subject of 40 numbers filled three lines of the letter and a whole e-mail subject line,
# and the table under it lists them anyway.
SUBJECT_NUMBERS = 4


def _subject(lines: tuple[InvoiceLine, ...], language: str) -> str:
    """'factuur F1', 'facturen F1, F2 en F3', '12 facturen' (English: 'invoices F1 and F2')."""
    numbers = [i.number for i in lines]
    if not numbers:
        return ""
    if language == "EN":
        head, last_join = ("invoice" if len(numbers) == 1 else "invoices"), " and "
    else:
        head, last_join = ("factuur" if len(numbers) == 1 else "facturen"), " en "
    if len(numbers) > SUBJECT_NUMBERS:
        return f"{len(numbers)} {head}"
    listed = numbers[0] if len(numbers) == 1 else ", ".join(numbers[:-1]) + last_join + numbers[-1]
    return f"{head} {listed}"


def _recipient(customer: Customer, ledger: Ledger, partner: str | None = None) -> Recipient:
    """The address block and greeting: the letter contact (bookkeeping first), or for a
    confirmation the person the agreement was made with (`partner`; "" when unknown: then
    nobody is named, PLAYBOOK A1/A2 and the letters issue item 7)."""
    contact = ledger.letter_contact.get(customer.number)
    if partner is not None:
        contact = next(
            (
                p
                for p in ledger.persons.get(customer.number, ())
                if p.name.strip().casefold() == partner.casefold()
            ),
            None,
        )
    attention = contact.name if contact is not None else (partner or "")
    lines = [customer.address.strip()] if customer.address.strip() else []
    country = customer.country.strip()
    lines.extend(place_lines(customer.postcode, customer.city, country))
    abroad = country.casefold() not in HOME_COUNTRIES
    if abroad:
        lines.append(country.upper())
    field = customer.email.strip() or (contact.email.strip() if contact is not None else "")
    if partner and contact is not None and contact.email.strip():
        field = contact.email.strip()  # the confirmation goes to the person it was made with
    parsed = parse_addresses(field)
    greet = attention or (customer.name if customer.kind is CustomerKind.CONSUMER else "")
    return Recipient(
        name=customer.name,
        attention=attention,
        address_lines=tuple(lines),
        country=country if abroad else "",
        email="; ".join(a.text for a in parsed.addresses),
        salutation_name=greet,
        addresses=parsed.addresses,
        address_errors=parsed.errors,
    )


THANK_TEMPLATE = "bedankt"


def _template_name(task: LetterTask, book: Book) -> str:
    code: str = task.action.value
    if code == Action.THANK.value:
        return THANK_TEMPLATE
    for step in book.steps or DEFAULT_STEPS:
        if step.name == task.step and step.action is task.action and step.template.strip():
            return step.template.strip()
    return code


def is_last_written_step(task: LetterTask, book: Book, kind: CustomerKind) -> bool:
    """True when no further letter follows this step before a hand-over on the customer's
    ladder (the final step of PLAYBOOK L6): then the letter may mention the hand-over."""
    audience = Audience(kind.value)
    rows = [s for s in (book.steps or DEFAULT_STEPS) if s.audience in (Audience.ALL, audience)]
    names = [s.name for s in rows]
    if task.step not in names:
        return False
    for step in rows[names.index(task.step) + 1 :]:
        if step.action is Action.COLLECTION or step.channel is Channel.HANDOVER:
            return True
        if step.action.is_letter:
            return False
    return False


def agreement_partner(agreement: Agreement, contacts: Iterable[Contact]) -> str:
    """The person a promise or arrangement was made with: the Met of the contact that
    recorded it (Uitkomst Toezegging or Regeling, on the Datum afspraak, about its invoices;
    the last such row). Empty when no contact says so: the letter then names nobody."""
    want = Outcome.PROMISE if agreement.kind is AgreementKind.PROMISE else Outcome.ARRANGEMENT
    about = set(agreement.invoices)
    found = ""
    for c in sorted(contacts, key=lambda c: (c.date, c.row)):
        if c.customer != agreement.customer or c.outcome is not want or not c.person.strip():
            continue
        if about and c.invoices and not about & set(c.invoices):
            continue
        if agreement.agreed_on is not None and c.date != agreement.agreed_on:
            continue
        found = c.person.strip()
    return found


def _confirmation(task: LetterTask, book: Book, ledger: Ledger) -> Confirmation | None:
    agreement = ledger.agreements_by_id.get(task.agreement)
    if agreement is None:
        return None
    total = agreement.amount if agreement.amount is not None else task.total
    contacts: dict[int, Contact] = {}
    for number in task.invoices:
        inv = ledger.invoice(number)
        if inv is not None:
            contacts.update((id(c), c) for c in ledger.contacts_for(inv))
    return Confirmation(
        id=agreement.id,
        is_promise=agreement.kind is AgreementKind.PROMISE,
        agreed_on=agreement.agreed_on,
        total=to_cents(total),
        instalments=schedule(agreement, total),
        partner=agreement_partner(agreement, contacts.values()),
    )


def compose(
    task: LetterTask, book: Book, as_of: date, *, ledger: Ledger | None = None
) -> LetterContent:
    """The content of the letter for `task`, dated `as_of`.

    Pass the plan's `ledger` when composing many letters: building one indexes the whole
    book, which is most of the cost of a letter for a large workbook.
    """
    ledger = ledger if ledger is not None else Ledger.build(book, as_of)
    settings = book.settings
    customer = ledger.customers[task.customer]
    language = "EN" if customer.language.strip().upper() == "EN" else "NL"

    lines = []
    for number in task.invoices:
        inv = ledger.invoice(number)
        if inv is None:
            continue
        open_amount = ledger.open_of(number)
        lines.append(
            InvoiceLine(
                number=inv.number,
                invoice_date=inv.invoice_date,
                due_date=ledger.due_of(number),
                description=inv.description,
                amount=inv.amount,
                paid=inv.amount - open_amount,
                open=open_amount,
                payment_reference=inv.payment_reference.strip(),
                pdf=inv.pdf.strip(),
                payment_link=inv.payment_link.strip(),
            )
        )
    invoices = tuple(lines)
    credits = []
    for number in task.credit_notes:
        note = ledger.invoice(number)
        if note is None:
            continue
        open_amount = ledger.open_of(number)
        credits.append(
            CreditLine(
                number=note.number,
                invoice_date=note.invoice_date,
                description=note.description,
                amount=note.amount,
                open=open_amount,
                subtracted=-open_amount,
            )
        )

    # A link pays what its own page says, usually the invoice amount: it is offered only
    # when one link covers every invoice and nothing is subtracted from what it asks.
    links = {i.payment_link for i in invoices}
    link = ""
    if len(links) == 1 and not credits and all(i.open == i.amount for i in invoices):
        link = links.pop()

    kind = task.action
    offer = None
    pay_by = None
    fourteen = None
    confirmation = None
    if kind is Action.REMINDER:
        pay_by = as_of + REMINDER_DELAY
    elif kind in (Action.OFFER_ARRANGEMENT, Action.FINAL_REMINDER):
        offer = arrangement_offer(
            task.total, as_of, settings.max_instalments, settings.min_instalment
        )
        pay_by = offer.pay_by
    elif kind is Action.FOURTEEN_DAY_LETTER:
        # One letter for all claims; the costs once on their sum (art. 6:96 lid 7 BW).
        principal = task.total
        fourteen = fourteen_day_letter(
            as_of,
            [principal] if principal > ZERO else [],
            vat=settings.vat_on_collection_costs,
        )
    elif kind is Action.CONFIRM:
        confirmation = _confirmation(task, book, ledger)

    # PLAYBOOK L6: the agency is named only in the final step. The consumer's 14-day letter
    # is that step and must state the consequences of not paying, so it names the agency;
    # a business customer's last written reminder only says the claim will be handed over.
    final = kind is not Action.CONFIRM and is_last_written_step(task, book, customer.kind)
    agency = settings.collection_agency.strip() if kind is Action.FOURTEEN_DAY_LETTER else ""

    # An arrangement (offered or confirmed) is paid per instalment: the payment block and QR
    # ask for the first one, on its date; the whole schedule is in the text.
    first: Instalment | None = None
    if confirmation is not None and len(confirmation.instalments) > 1:
        first = confirmation.instalments[0]
    elif offer is not None and offer.is_arrangement:
        first = offer.instalments[0]
    to_pay = first.amount if first is not None else to_cents(task.total)

    return LetterContent(
        sender=settings,
        recipient=_recipient(
            customer, ledger, confirmation.partner if confirmation is not None else None
        ),
        customer_number=customer.number,
        customer_kind=customer.kind,
        language=language,
        kind=kind,
        template=_template_name(task, book),
        step=task.step,
        date=as_of,
        subject=_subject(invoices, language),
        invoices=invoices,
        credit_notes=tuple(credits),
        total=to_cents(task.total),
        reference=payment_reference(invoices, customer, language),
        payment_link=link,
        iban=settings.iban.strip(),
        bic=settings.bic.strip(),
        beneficiary=settings.company_name.strip(),
        pay_by=pay_by,
        offer=offer,
        fourteen_day=fourteen,
        confirmation=confirmation,
        handover_notice=final and kind is not Action.FOURTEEN_DAY_LETTER,
        agency=agency,
        amount_to_pay=to_pay,
        first_instalment=first,
    )
