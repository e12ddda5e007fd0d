"""Domain records: what the workbook holds and what the engine returns.

All records are frozen and slotted; collections are tuples. Change a record with
``dataclasses.replace``. Every record read from the workbook carries ``row``, its Excel row
number on its sheet, so a problem or an action can point back at it.

Example::

    >>> inv = Invoice(number="2026-017", customer="K001", invoice_date=date(2026, 3, 1),
    ...               due_date=date(2026, 3, 31), amount=Decimal("1210.00"))
    >>> inv.is_credit_note
    False
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from addin.core.money import ZERO

InvoiceNo = str
CustomerId = str


class FastEnum(enum.Enum):
    """Enum members are singletons, so identity hashing is correct and much cheaper than
    Enum's name hashing; the engine looks enums up in dicts and sets millions of times."""

    __hash__ = object.__hash__


class CustomerKind(FastEnum):
    BUSINESS = "Zakelijk"
    CONSUMER = "Particulier"


class Audience(FastEnum):
    """Which customers a ladder row is for (Stappen.Voor)."""

    BUSINESS = "Zakelijk"
    CONSUMER = "Particulier"
    ALL = "Alle"


class Segment(FastEnum):
    A = "A"
    B = "B"
    C = "C"


class Role(FastEnum):
    """A contact person's function; calls prefer purchasing and management (PLAYBOOK W3)."""

    PURCHASING = "Inkoop"
    MANAGEMENT = "Directie"
    ACCOUNTS = "Administratie"
    OTHER = "Anders"


class Channel(FastEnum):
    PHONE = "Telefoon"
    LETTER = "Brief"
    EMAIL = "E-mail"
    LETTER_AND_EMAIL = "Brief en e-mail"
    VISIT = "Bezoek"
    HANDOVER = "Overdracht"

    @property
    def is_written(self) -> bool:
        return self in (Channel.LETTER, Channel.EMAIL, Channel.LETTER_AND_EMAIL)


class Outcome(FastEnum):
    PROMISE = "Toezegging"
    ARRANGEMENT = "Regeling"
    NO_ANSWER = "Geen gehoor"
    VOICEMAIL = "Voicemail"
    DISPUTE = "Geschil"
    SAYS_PAID = "Zegt betaald"
    NOT_RECEIVED = "Factuur niet ontvangen"
    PAID = "Betaald"
    OTHER = "Anders"

    @property
    def reached(self) -> bool:
        return self not in (Outcome.NO_ANSWER, Outcome.VOICEMAIL)


class Special(FastEnum):
    """Klanten.Bijzonderheid: insolvency proceedings, no reminders (PLAYBOOK Q3)."""

    BANKRUPTCY = "Faillissement"
    DEBT_RESTRUCTURING = "Schuldsanering"


class AgreementKind(FastEnum):
    PROMISE = "Toezegging"
    ARRANGEMENT = "Regeling"


class Interval(FastEnum):
    WEEK = "Week"
    TWO_WEEKS = "2 weken"
    MONTH = "Maand"


class PaymentStatus(FastEnum):
    LINKED = "Gekoppeld"
    REVIEW = "Controleren"
    IGNORED = "Genegeerd"


class Basis(FastEnum):
    """Stappen.Vanaf: where a ladder row's 'Na dagen' counts from."""

    DUE_DATE = "Vervaldatum"
    PREVIOUS_STEP = "Vorige stap"


class Action(FastEnum):
    """The action codes of DESIGN.md, in --json output, the Werklijst and =NEXTACTION."""

    NONE = "geen"
    WAIT = "wachten"
    CHECK_BANK = "bank-controleren"
    ASK_PROOF = "betaalbewijs-vragen"
    RESOLVE = "intern-oplossen"
    CALL = "bellen"
    REMINDER = "herinnering"
    OFFER_ARRANGEMENT = "regeling-aanbieden"
    FINAL_REMINDER = "laatste-herinnering"
    FOURTEEN_DAY_LETTER = "veertiendagenbrief"
    COLLECTION = "incasso"
    CONFIRM = "bevestigen"
    OWN = "eigen-actie"
    THANK = "bedanken"

    @property
    def is_letter(self) -> bool:
        """Actions that produce a letter in "Maak herinneringen"."""
        return self in LETTER_ACTIONS


LETTER_ACTIONS = frozenset(
    {
        Action.REMINDER,
        Action.OFFER_ARRANGEMENT,
        Action.FINAL_REMINDER,
        Action.FOURTEEN_DAY_LETTER,
        Action.CONFIRM,
        Action.THANK,
    }
)


class Status(FastEnum):
    """An invoice's due status (=DUESTATUS)."""

    OPEN = "open"
    OVERDUE = "vervallen"
    PAID = "betaald"
    CREDIT_NOTE = "creditnota"


class AgreementState(FastEnum):
    RUNNING = "loopt"
    KEPT = "nagekomen"
    MISSED = "gemist"


@dataclass(frozen=True, slots=True)
class CellRef:
    """Where a value lives: sheet, Excel row (1-based) and column header; any may be unknown."""

    sheet: str
    row: int | None = None
    column: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem in the user's data, shown to the user; one bad row never stops the rest."""

    source: CellRef
    message: str


@dataclass(frozen=True, slots=True)
class Warning_:
    """Something the user should know before acting on the plan (e.g. stale bank data).

    Attributes:
      kind: a stable code for programs ("bank-verouderd").
      message: the Dutch text.
    """

    kind: str
    message: str


@dataclass(frozen=True, slots=True)
class Settings:
    """The Instellingen sheet, with the shipped defaults."""

    company_name: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    kvk: str = ""
    vat_number: str = ""
    iban: str = ""
    bic: str = ""
    # The company's other business accounts (a second bank, a savings account), compacted:
    # their statements are read as the IBAN's, and a transfer between any two of them is
    # never a customer's payment (core/matching.py, R0 eigen rekening).
    own_accounts: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    default_term_days: int = 30
    call_days: frozenset[int] = frozenset({1, 2, 3})  # date.weekday(): di, wo, do
    crisis_mode: bool = False
    max_call_attempts: int = 3
    max_instalments: int = 6
    min_instalment: Decimal = Decimal("50.00")
    min_reminder_amount: Decimal = Decimal("10.00")
    vat_on_collection_costs: bool = False
    collection_agency: str = ""
    bank_max_age_days: int = 7
    output_dir: str = ""
    invoice_dir: str = ""
    # Letters issue: R4's sentence for the user's own invoices (empty: the suggestion of
    # texts.invoice_sentence is written by `nieuw`), R1's thank-you letters, bundling.
    invoice_sentence: str = ""
    invoice_sentence_en: str = ""
    thank_good_payers: bool = False
    bundle_days: int = 7
    worklist_days_ahead: int = 7
    # Sending (issue 16): how, where and how fast; the password is never a setting.
    send_via: str = "Concept-map"
    smtp_server: str = ""
    smtp_port: int | None = None  # None: 587 for STARTTLS, 465 for SSL, 25 for Geen
    smtp_security: str = "STARTTLS"
    smtp_user: str = ""
    smtp_sender: str = ""  # From; empty means the E-mail setting
    max_mails_per_minute: int = 20
    bcc_self: bool = False
    # (field, Excel row) of every setting found on Instellingen, so a problem can name the
    # row of an empty or wrong value; a setting missing from the sheet has no row.
    # Not part of what the settings are: two books with the same values are equal.
    rows: tuple[tuple[str, int], ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Customer:
    """A row of Klanten.

    Attributes:
      number: Klantnummer, the key other tables refer to.
      kind: business or consumer; consumers get the 14-day letter before collection.
      term_days: the customer's own payment term; None means the default (PLAYBOOK P4).
      automatic: False turns written ladder steps into a call (PLAYBOOK W4).
      kvk: KvK-nummer (Chamber of Commerce, 8 digits as text), '' when unknown.
      vat_number: BTW-nummer (VAT), upper case without spaces or dots, '' when unknown.
      ibans: the payer accounts known for this customer (normalised, no spaces).
      segment: a user override of the computed A/B/C segment, or None.
      special: bankruptcy or debt restructuring: no reminders (PLAYBOOK Q3).
    """

    number: CustomerId
    name: str
    kind: CustomerKind = CustomerKind.BUSINESS
    address: str = ""
    postcode: str = ""
    city: str = ""
    country: str = ""
    kvk: str = ""
    vat_number: str = ""
    email: str = ""
    phone: str = ""
    term_days: int | None = None
    owner: str = ""
    automatic: bool = True
    language: str = "NL"
    ibans: tuple[str, ...] = ()
    segment: Segment | None = None
    special: Special | None = None
    notes: str = ""
    row: int = 0


@dataclass(frozen=True, slots=True)
class ContactPerson:
    """A row of Contactpersonen."""

    customer: CustomerId
    name: str
    role: Role = Role.OTHER
    phone: str = ""
    email: str = ""
    row: int = 0


@dataclass(frozen=True, slots=True)
class Invoice:
    """A row of Facturen.

    Attributes:
      due_date: Vervaldatum as entered; None means invoice date + the customer's term.
      amount: Bedrag incl. VAT; negative for a credit note.
      paid: Betaald, paid outside the bank import (cash); the tool never writes it.
      dispute: Geschil, the reason; empty means none (PLAYBOOK P3).
      own_action, own_action_date: the user's manual next action (PLAYBOOK W5).
    """

    number: InvoiceNo
    customer: CustomerId
    invoice_date: date
    amount: Decimal
    due_date: date | None = None
    paid: Decimal = ZERO
    description: str = ""
    payment_reference: str = ""
    pdf: str = ""
    payment_link: str = ""
    dispute: str = ""
    own_action: str = ""
    own_action_date: date | None = None
    row: int = 0

    @property
    def is_credit_note(self) -> bool:
        return self.amount < ZERO


@dataclass(frozen=True, slots=True)
class Agreement:
    """A row of Afspraken: a promise to pay (Toezegging) or an arrangement (Regeling).

    Attributes:
      invoices: the invoice numbers covered; empty means every open invoice of the customer
        dated on or before the agreement.
      amount: the total covered; None means the open amount of the covered invoices.
      first_date: the promised date, or the first instalment date.
      instalments: the number of instalments (1 for a promise).
      instalment_amount: None means amount / instalments, the last taking the remainder.
      confirmation_sent: the date the confirmation letter was made (written by the tool).
      signed_returned: the customer returned the signed confirmation.
    """

    id: str
    customer: CustomerId
    kind: AgreementKind
    first_date: date
    invoices: tuple[InvoiceNo, ...] = ()
    agreed_on: date | None = None
    amount: Decimal | None = None
    instalments: int = 1
    instalment_amount: Decimal | None = None
    interval: Interval = Interval.MONTH
    confirmation_sent: date | None = None
    signed_returned: bool = False
    notes: str = ""
    row: int = 0


@dataclass(frozen=True, slots=True)
class Contact:
    """A row of Contacten: a call, letter, e-mail, visit or hand-over.

    Attributes:
      invoices: the invoice numbers it concerned; empty means all the customer's invoices.
      step: the Stappen row this contact fulfils (letters made by the tool fill it).
      sent: the day the letter's e-mail left (Verzonden); None while it has not. A
        Verzonden the reader cannot read as a date is `date.min`: sent, day unknown.
      sent_note: Verzonden as text, as `verstuur` writes it ("05-12-2026 11:02 SMTP", and
        "; 05-12-2026 14:10 post" once the paper copy went); '' for a date cell. Its routes
        (core.sending.sent_routes) say whether a Brief en e-mail letter still owes its
        paper copy; `sent` stays the e-mail's day, the first word.
      posted: the day of Verzonden's "post" part (its paper copy, or a printed Kanaal Brief
        letter, went in the post); None without one. A 14-day letter sent both ways counts
        from the later of the two days (fourteen_days.letter_day).
    """

    date: date
    customer: CustomerId
    channel: Channel
    invoices: tuple[InvoiceNo, ...] = ()
    person: str = ""
    goal: str = ""
    outcome: Outcome | None = None
    follow_up: dt.date | None = None  # dt.: the field `date` above shadows the type
    by: str = ""
    step: str = ""
    document: str = ""
    sent: dt.date | None = None
    sent_note: str = ""
    posted: dt.date | None = None
    row: int = 0


@dataclass(frozen=True, slots=True)
class Payment:
    """A row of Betalingen: one allocation of one bank line.

    Only LINKED rows count as paid; a negative amount is a reversal.
    """

    date: date
    amount: Decimal
    status: PaymentStatus
    invoice: InvoiceNo = ""
    customer: CustomerId = ""
    counter_account: str = ""
    name: str = ""
    description: str = ""
    reference: str = ""
    rule: str = ""
    source: str = ""
    key: str = ""
    row: int = 0


@dataclass(frozen=True, slots=True)
class Step:
    """A row of Stappen, the escalation ladder (DESIGN.md "The default ladder")."""

    name: str
    days: int
    basis: Basis
    action: Action
    channel: Channel
    template: str = ""
    audience: Audience = Audience.ALL
    segment: Segment | None = None  # None: Alle
    row: int = 0


@dataclass(frozen=True, slots=True)
class Book:
    """A snapshot of the whole workbook, as the core sees it.

    Attributes:
      absent_columns: (table name, header) of each optional column of the contract that a
        table read from the workbook lacks (a workbook of an earlier version): a command that
        would write such a column writes what it has elsewhere (the invoice import: a new
        customer's KvK and BTW-nummer into Notities) until `bijwerken` adds it.
      skipped: (table name, number) of each Klanten or Facturen row the reader skipped for
        a problem in a required cell while its Klantnummer or Factuurnummer was filled (a
        customer without Naam): the checks say so where other rows name it, instead of
        "staat niet in Klanten" about a customer the user sees there.
      plain_ranges: (table name, Excel row of the header) of each contract table the reader
        found as a plain range on its sheet rather than as an Excel table (a workbook of the
        user's own): it reads the same, but the write-back cannot extend it, so the checks
        report it for the tables a command writes into.
    """

    settings: Settings = field(default_factory=Settings)
    customers: tuple[Customer, ...] = ()
    contact_persons: tuple[ContactPerson, ...] = ()
    invoices: tuple[Invoice, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    contacts: tuple[Contact, ...] = ()
    payments: tuple[Payment, ...] = ()
    steps: tuple[Step, ...] = ()
    absent_columns: frozenset[tuple[str, str]] = frozenset()
    skipped: frozenset[tuple[str, str]] = frozenset()
    plain_ranges: frozenset[tuple[str, int]] = frozenset()


# The precision of CustomerScore's two figures, built once (the plan asks for them for
# thousands of customers).
_TENTH = Decimal("0.1")
_HUNDREDTH = Decimal("0.01")


class CustomerScore(NamedTuple):
    """Payment behaviour and revenue segment of a customer (PLAYBOOK R1, R2, L2).

    A NamedTuple like NextAction: one is made per customer on every plan. The two Decimal
    figures are computed when asked for, from the exact integer counts.

    Attributes:
      revenue: invoiced in the 12 months up to the plan date.
      segment: the override from Klanten, else the Pareto segment.
      paid_invoices: invoices paid (by bank) in the 12 months, the basis of the two figures.
      days_late: the sum of max(0, paid - due) in days over those invoices.
      paid_late: how many of those were paid after their due date.
      good_payer: pays on time; gets the call-first rows of segment A.
      risky: flagged for a credit check or advance payment on the next order.
    """

    customer: CustomerId
    revenue: Decimal
    segment: Segment
    open_amount: Decimal
    paid_invoices: int
    days_late: int
    paid_late: int
    good_payer: bool
    risky: bool

    @property
    def average_days_late(self) -> Decimal | None:
        """Mean days paid after the due date, to one decimal; None without paid invoices."""
        if not self.paid_invoices:
            return None
        return (Decimal(self.days_late) / self.paid_invoices).quantize(_TENTH)

    @property
    def share_late(self) -> Decimal | None:
        """The fraction paid late, to two decimals; None without paid invoices."""
        if not self.paid_invoices:
            return None
        return (Decimal(self.paid_late) / self.paid_invoices).quantize(_HUNDREDTH)


class NextAction(NamedTuple):
    """The engine's verdict on one invoice (=DUESTATUS and =NEXTACTION).

    A NamedTuple rather than a frozen dataclass: one is made per invoice, and building a
    frozen dataclass costs six times as much (3.9 us against 0.6 us measured), which is a
    third of the engine's budget for 100,000 invoices. Change one with `_replace`.

    Attributes:
      date: when to do it; for overdue work the day it became due (calls: the next call day).
      step: the Stappen row this action is, when it comes from the ladder.
      goal: what the action should achieve (PLAYBOOK P5).
      reason: why, in Dutch, so the row explains itself.
    """

    invoice: InvoiceNo
    customer: CustomerId
    status: Status
    open_amount: Decimal
    action: Action
    reason: str
    date: date | None = None
    channel: Channel | None = None
    contact: str = ""
    phone: str = ""
    email: str = ""
    owner: str = ""
    goal: str = ""
    step: str = ""
    agreement: str = ""
    due_date: dt.date | None = None  # dt.: the field `date` above shadows the type


@dataclass(frozen=True, slots=True)
class LetterTask:
    """One letter to make: one customer, one step, all its invoices at that step.

    Attributes:
      invoices: the invoices the letter asks payment for.
      credit_notes: the customer's open credit notes, subtracted from the total (PLAYBOOK Q1).
      total: what the letter asks: open invoices minus open credit notes.
    """

    customer: CustomerId
    action: Action
    step: str
    date: date
    invoices: tuple[InvoiceNo, ...]
    credit_notes: tuple[InvoiceNo, ...]
    total: Decimal
    agreement: str = ""
    channel: Channel = Channel.LETTER_AND_EMAIL


@dataclass(frozen=True, slots=True)
class Plan:
    """The engine's result for one day."""

    as_of: date
    actions: tuple[NextAction, ...]
    letters: tuple[LetterTask, ...]
    scores: tuple[CustomerScore, ...]
    agreement_states: tuple[tuple[str, AgreementState], ...]
    problems: tuple[Problem, ...]
    warnings: tuple[Warning_, ...]
