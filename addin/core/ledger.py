"""The indexes the engine looks things up in, built once per plan from a Book.

Everything here is derived from the Book and the plan date; nothing is stored elsewhere.
Building it is linear in the size of the workbook, so planning 100,000 invoices stays fast.

Example::

    ledger = Ledger.build(book, date(2026, 11, 24))
    ledger.open_amount(invoice)      # Bedrag - Betaald - linked Betalingen
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from .agreements import AgreementStatus, agreement_status
from .ladder_default import DEFAULT_STEPS
from .model import (
    Action,
    Agreement,
    Audience,
    Book,
    Channel,
    Contact,
    ContactPerson,
    Customer,
    CustomerId,
    CustomerKind,
    CustomerScore,
    Invoice,
    InvoiceNo,
    NextAction,
    Payment,
    PaymentStatus,
    Role,
    Segment,
    Settings,
    Status,
    Step,
)
from .money import ZERO
from .scoring import score_customers, window_start
from .texts import paid_reason, settled_reason
from .workdays import WorkCalendar

# Who to call first (PLAYBOOK W3): purchasing or management rather than bookkeeping.
CALL_PREFERENCE: tuple[Role, ...] = (Role.PURCHASING, Role.MANAGEMENT, Role.OTHER, Role.ACCOUNTS)
# Letters go where invoices go: the bookkeeping first.
LETTER_PREFERENCE: tuple[Role, ...] = (Role.ACCOUNTS, Role.OTHER, Role.PURCHASING, Role.MANAGEMENT)


def _pick(persons: list[ContactPerson], order: tuple[Role, ...]) -> ContactPerson | None:
    for role in order:
        for p in persons:
            if p.role is role:
                return p
    return None


def due_date(invoice: Invoice, customer: Customer, settings: Settings) -> date:
    """The effective due date (PLAYBOOK P4).

    An empty Vervaldatum is the invoice date plus the customer's own term, else the default.
    A customer's own agreed term also wins over an earlier Vervaldatum: such customers are
    left alone until their own term has passed.
    """
    term = customer.term_days
    own = invoice.invoice_date + timedelta(
        days=term if term is not None else settings.default_term_days
    )
    if invoice.due_date is None:
        return own
    if term is not None and own > invoice.due_date:
        return own
    return invoice.due_date


class Rung(NamedTuple):
    """A ladder row prepared for walking: its comparison key, its delay and what kind it is."""

    step: Step
    key: str  # the Stap name as compared with Contacten.Stap
    delay: timedelta
    is_call: bool
    is_written: bool
    is_handover: bool


def step_key(text: str) -> str:
    """How step names are compared: Stappen.Stap against Contacten.Stap, typed by people."""
    return " ".join(text.split()).casefold()


def _rung(step: Step) -> Rung:
    return Rung(
        step,
        step_key(step.name),
        timedelta(days=step.days),
        step.action is Action.CALL or step.channel is Channel.PHONE,
        step.channel.is_written,
        step.action is Action.COLLECTION or step.channel is Channel.HANDOVER,
    )


class _Sums:
    """Running per-customer sums while indexing invoices (mutable on purpose, local)."""

    __slots__ = ("credit", "customer", "lateness", "open", "overdue", "owner", "revenue", "term")

    def __init__(self, customer: Customer) -> None:
        self.customer = customer
        self.term = customer.term_days
        self.owner = customer.owner
        self.revenue = self.open = self.overdue = self.credit = ZERO
        self.lateness: list[int] = []


@dataclass(frozen=True, slots=True)
class Governing:
    """The agreement that governs an invoice, with its state on the plan date."""

    agreement: Agreement
    status: AgreementStatus


class Ledger:
    """Read-only indexes over a Book for one plan date. Built by `Ledger.build`."""

    __slots__ = (
        "_steps_cache",
        "agreement_statuses",
        "as_of",
        "book",
        "by_number",
        "calendar",
        "call_contact",
        "contacts_by_customer",
        "contacts_by_invoice",
        "credit_open",
        "customers",
        "due",
        "due_list",
        "governing",
        "invoices",
        "last_contact",
        "last_paid",
        "letter_contact",
        "linked",
        "linked_rows",
        "open",
        "open_list",
        "overdue_open",
        "owner_list",
        "paid_list",
        "review_by_account",
        "review_by_amount",
        "review_by_customer",
        "review_by_invoice",
        "scores",
        "settings",
        "settled",
        "status_list",
        "steps",
    )

    def __init__(self, book: Book, as_of: date) -> None:
        self.book = book
        self.as_of = as_of
        self.settings = book.settings
        self.calendar = WorkCalendar(book.settings.call_days)
        self.steps: tuple[Step, ...] = book.steps or DEFAULT_STEPS
        self._steps_cache: dict[tuple[CustomerKind, Segment, bool], tuple[Rung, ...]] = {}
        # The first row of a repeated customer number wins (checks.check_duplicate_customers).
        self.customers: dict[CustomerId, Customer] = {c.number: c for c in reversed(book.customers)}
        # Filled by _index_amounts: the invoices the engine plans, and each one's number.
        self.invoices: list[Invoice] = []
        self.by_number: dict[InvoiceNo, Invoice] = {}

    @classmethod
    def build(cls, book: Book, as_of: date) -> Ledger:
        """Index a book for planning on `as_of`.

        Only usable invoices are indexed: the first row of each invoice number, with a known
        customer (checks.check_invoice_rows reports the others).
        """
        self = cls(book, as_of)
        self._index_people()
        self._index_payments()
        self._index_amounts()
        self._index_contacts()
        self._index_agreements()
        return self

    # -- building ---------------------------------------------------------------------------

    def _index_people(self) -> None:
        persons: dict[CustomerId, list[ContactPerson]] = defaultdict(list)
        for p in self.book.contact_persons:
            persons[p.customer].append(p)
        self.call_contact = {k: _pick(v, CALL_PREFERENCE) for k, v in persons.items()}
        self.letter_contact = {k: _pick(v, LETTER_PREFERENCE) for k, v in persons.items()}

    def _index_payments(self) -> None:
        linked: dict[InvoiceNo, Decimal] = {}
        last_paid: dict[InvoiceNo, date] = {}
        linked_rows: dict[InvoiceNo, list[Payment]] = defaultdict(list)
        by_customer: dict[CustomerId, list[Payment]] = defaultdict(list)
        by_account: dict[str, list[Payment]] = defaultdict(list)
        by_amount: dict[Decimal, list[Payment]] = defaultdict(list)
        by_invoice: dict[InvoiceNo, list[Payment]] = defaultdict(list)
        for p in self.book.payments:
            if p.status is PaymentStatus.LINKED:
                number = p.invoice
                if number:
                    linked[number] = linked.get(number, ZERO) + p.amount
                    linked_rows[number].append(p)
                    if p.date > last_paid.get(number, date.min):
                        last_paid[number] = p.date
            elif p.status is PaymentStatus.REVIEW and p.amount > ZERO:
                if p.customer:
                    by_customer[p.customer].append(p)
                if p.counter_account:
                    by_account[p.counter_account].append(p)
                if p.invoice:
                    by_invoice[p.invoice].append(p)
                by_amount[p.amount].append(p)
        self.linked = linked
        self.last_paid = last_paid
        self.linked_rows = linked_rows
        self.review_by_customer = by_customer
        self.review_by_account = by_account
        self.review_by_amount = by_amount
        self.review_by_invoice = by_invoice

    def _index_amounts(self) -> None:
        """One pass over the invoices: which are usable, and per invoice its due date, open
        amount and status, and for a paid invoice or credit note its final NextAction; per
        customer the sums the rules and the scores need.

        This is the engine's hottest loop, and on large books its cost is memory access, so
        everything that needs an invoice's fields is done in this one visit: values go into
        lists aligned with `self.invoices` (dicts by number are made from them at C speed),
        per-customer sums into one accumulator per customer.
        """
        settings = self.settings
        linked = self.linked
        last_paid = self.last_paid
        as_of = self.as_of
        start = window_start(as_of)
        default_term = timedelta(days=settings.default_term_days)
        acc = {number: _Sums(c) for number, c in self.customers.items()}
        kept = self.invoices
        by_number = self.by_number
        dues: list[date] = []
        opens: list[Decimal] = []
        statuses: list[Status] = []
        settled: list[NextAction | None] = []
        credit, paid_status = Status.CREDIT_NOTE, Status.PAID
        overdue, not_due = Status.OVERDUE, Status.OPEN
        none = Action.NONE
        new_tuple = tuple.__new__
        for inv in self.book.invoices:
            number = inv.number
            sums = acc.get(inv.customer)
            if sums is None or number in by_number:
                continue
            by_number[number] = inv
            kept.append(inv)
            if sums.term is None:
                d = inv.due_date if inv.due_date is not None else inv.invoice_date + default_term
            else:
                d = due_date(inv, sums.customer, settings)
            amount = inv.amount
            if inv.paid:
                amount -= inv.paid
            if number in linked:
                amount -= linked[number]
            if start <= inv.invoice_date <= as_of:
                sums.revenue += inv.amount
            action = None
            if inv.amount < ZERO:
                status = credit
                if amount < ZERO:
                    sums.credit += amount
                reason = settled_reason(status, amount, None)
                action = new_tuple(
                    NextAction,
                    (number, inv.customer, status, amount, none, reason, None, None,
                     "", "", "", sums.owner, "", "", "", d),
                )  # fmt: skip
            elif amount > ZERO:
                sums.open += amount
                if d < as_of:
                    sums.overdue += amount
                    status = overdue
                else:
                    status = not_due
            else:
                status = paid_status
                paid_on = last_paid.get(number)
                if paid_on is not None and start <= paid_on <= as_of:
                    late = (paid_on - d).days
                    sums.lateness.append(late if late > 0 else 0)
                # tuple.__new__ skips NamedTuple's keyword handling: twice as fast, same
                # record (a property test compares it with the keyword-built one).
                action = new_tuple(
                    NextAction,
                    (number, inv.customer, status, amount, none, paid_reason(paid_on), None,
                     None, "", "", "", sums.owner, "", "", "", d),
                )  # fmt: skip
            dues.append(d)
            opens.append(amount)
            statuses.append(status)
            settled.append(action)
        self.due_list, self.open_list, self.status_list = dues, opens, statuses
        self.settled = settled
        numbers = list(by_number)
        self.due = dict(zip(numbers, dues, strict=True))
        self.open = dict(zip(numbers, opens, strict=True))
        self.credit_open = {k: v.credit for k, v in acc.items() if v.credit}
        self.overdue_open = {k: v.overdue for k, v in acc.items() if v.overdue}
        self.scores: dict[CustomerId, CustomerScore] = score_customers(
            self.customers.values(),
            {k: v.revenue for k, v in acc.items()},
            {k: v.open for k, v in acc.items()},
            {k: v.lateness for k, v in acc.items() if v.lateness},
            as_of,
        )

    def _index_contacts(self) -> None:
        by_invoice: dict[InvoiceNo, list[Contact]] = defaultdict(list)
        by_customer: dict[CustomerId, list[Contact]] = defaultdict(list)
        last: dict[CustomerId, date] = {}
        as_of = self.as_of
        for c in sorted(self.book.contacts, key=attrgetter("date", "row")):
            if c.invoices:
                for number in c.invoices:
                    by_invoice[number].append(c)
            else:
                by_customer[c.customer].append(c)
            if c.date <= as_of:
                last[c.customer] = c.date  # sorted by date: the last one seen is the newest
        self.contacts_by_invoice = by_invoice
        self.contacts_by_customer = by_customer
        self.last_contact = last

    def _index_agreements(self) -> None:
        by_customer: dict[CustomerId, list[Invoice]] = defaultdict(list)
        for inv in self.invoices:
            if inv.amount > ZERO:
                by_customer[inv.customer].append(inv)
        governing: dict[InvoiceNo, Governing] = {}
        statuses: dict[int, AgreementStatus] = {}
        ordered = sorted(
            enumerate(self.book.agreements),
            key=lambda ia: (ia[1].agreed_on or ia[1].first_date, ia[0]),
        )
        for index, agr in ordered:
            covered = self._covered(agr, by_customer.get(agr.customer, []))
            status = self._agreement_status(agr, covered)
            statuses[index] = status
            for inv in covered:
                governing[inv.number] = Governing(agr, status)  # later agreements win
        self.governing = governing
        self.agreement_statuses = statuses

    def _covered(self, agr: Agreement, customer_invoices: list[Invoice]) -> list[Invoice]:
        if agr.invoices:
            found = (self.by_number.get(n) for n in dict.fromkeys(agr.invoices))
            return [i for i in found if i is not None and i.amount > ZERO]
        cutoff = agr.agreed_on or agr.first_date
        out = []
        for inv in customer_invoices:
            if inv.invoice_date > cutoff:
                continue
            if self.open[inv.number] > ZERO or self._paid_since(inv.number, agr) > ZERO:
                out.append(inv)
        return out

    def _paid_since(self, number: InvoiceNo, agr: Agreement) -> Decimal:
        since = agr.agreed_on
        total = ZERO
        for p in self.linked_rows.get(number, ()):
            if since is None or p.date >= since:
                total += p.amount
        return total

    def _agreement_status(self, agr: Agreement, covered: list[Invoice]) -> AgreementStatus:
        open_now = sum((max(self.open[i.number], ZERO) for i in covered), ZERO)
        paid_since = sum((self._paid_since(i.number, agr) for i in covered), ZERO)
        total = agr.amount if agr.amount is not None else open_now + paid_since
        paid = max(paid_since, total - open_now)
        if covered and open_now <= ZERO:
            paid = max(paid, total)
        return agreement_status(agr, total, paid, self.as_of)

    # -- queries ----------------------------------------------------------------------------

    def paid_on(self, number: InvoiceNo) -> date | None:
        """The date of the last linked payment of a paid invoice (None if paid otherwise)."""
        return self.last_paid.get(number)

    def status(self, inv: Invoice) -> Status:
        if inv.amount < ZERO:
            return Status.CREDIT_NOTE
        if self.open[inv.number] <= ZERO:
            return Status.PAID
        if self.as_of > self.due[inv.number]:
            return Status.OVERDUE
        return Status.OPEN

    def contacts_for(self, inv: Invoice) -> list[Contact]:
        """Contacts about this invoice, oldest first: those naming it, and those for the
        whole customer (empty Facturen) made on or after the invoice date."""
        own = self.contacts_by_invoice.get(inv.number, [])
        general = self.contacts_by_customer.get(inv.customer)
        if not general:
            return own
        merged = own + [c for c in general if c.date >= inv.invoice_date]
        merged.sort(key=lambda c: (c.date, c.row))
        return merged

    def steps_for(self, customer: Customer, score: CustomerScore) -> tuple[Rung, ...]:
        """The ladder rows that apply to a customer, in table order.

        A good payer without a Segment override also gets the rows of segment A (call first,
        PLAYBOOK L2): the relationship matters there as much as revenue does.
        """
        good = score.good_payer and customer.segment is None
        key = (customer.kind, score.segment, good)
        cached = self._steps_cache.get(key)
        if cached is None:
            audience = Audience(customer.kind.value)
            cached = tuple(
                _rung(s)
                for s in self.steps
                if s.audience in (Audience.ALL, audience)
                and (
                    s.segment is None
                    or s.segment is score.segment
                    or (good and s.segment is Segment.A)
                )
            )
            self._steps_cache[key] = cached
        return cached
