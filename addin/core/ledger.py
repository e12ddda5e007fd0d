"""The indexes the engine looks things up in, built once per plan from a Book.

Everything here is derived from the Book and the plan date; nothing is stored elsewhere.
Building it is linear in the size of the workbook, so planning 100,000 invoices stays fast.

Example::

    ledger = Ledger.build(book, date(2026, 11, 24))
    ledger.open_of("2026-017")      # Bedrag - Betaald - linked Betalingen
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import compress, repeat
from operator import attrgetter, sub
from typing import Any, NamedTuple

from addin.core.agreements import AgreementStatus, agreement_status
from addin.core.ladder_default import DEFAULT_STEPS
from addin.core.model import (
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
from addin.core.money import ZERO
from addin.core.scoring import score_customers, window_start
from addin.core.texts import THANK_STEP, paid_reason, settled_reason
from addin.core.workdays import WorkCalendar

# Who to call first (PLAYBOOK W3): purchasing or management rather than bookkeeping.
CALL_PREFERENCE: tuple[Role, ...] = (Role.PURCHASING, Role.MANAGEMENT, Role.OTHER, Role.ACCOUNTS)
# Letters go where invoices go: the bookkeeping first.
LETTER_PREFERENCE: tuple[Role, ...] = (Role.ACCOUNTS, Role.OTHER, Role.PURCHASING, Role.MANAGEMENT)


# Both orders rank every Role, so a customer's only contact person is always the one.
_ONE_IS_PICKED = set(CALL_PREFERENCE) == set(LETTER_PREFERENCE) == set(Role)


def _pick(persons: list[ContactPerson], order: tuple[Role, ...]) -> ContactPerson | None:
    for role in order:
        for p in persons:
            if p.role is role:
                return p
    return None


def customer_index(book: Book) -> dict[CustomerId, Customer]:
    """Customers by number in workbook order; the first row of a repeated number wins
    (checks.check_duplicate_customers reports the others)."""
    out: dict[CustomerId, Customer] = {}
    for c in book.customers:
        out.setdefault(c.number, c)
    return out


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


class Linked:
    """The Gekoppeld rows of an invoice paid by more than one: their total and newest date
    under the names a Payment has (`amount`, `date`), so a Ledger.linked entry reads the
    same whether it is this or the invoice's one Payment row."""

    __slots__ = ("amount", "date", "rows")

    def __init__(self, first: Payment) -> None:
        self.amount: Decimal = first.amount
        self.date: date = first.date
        self.rows: list[Payment] = [first]

    def add(self, p: Payment) -> None:
        self.amount += p.amount
        if p.date > self.date:
            self.date = p.date
        self.rows.append(p)


def linked_rows(entry: Payment | Linked | None) -> Sequence[Payment]:
    """The Gekoppeld rows of a Ledger.linked entry, in workbook order."""
    if entry is None:
        return ()
    if isinstance(entry, Linked):
        return entry.rows
    return (entry,)


_NO_CONTACTS: tuple[Contact, ...] = ()


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
    if step.days < 0:
        # A negative Na dagen (reported by checks.check_step_days) would date a step before
        # the due date, where its logged contact never counts (ladder: contacts before the
        # due date are no collection contacts), so the letter would come back every day.
        # Walked as 0: never before what it counts from; the reason text says 0 dagen too.
        step = replace(step, days=0)
    return Rung(
        step,
        step_key(step.name),
        timedelta(days=step.days),
        step.action is Action.CALL or step.channel is Channel.PHONE,
        step.channel.is_written,
        step.action is Action.COLLECTION or step.channel is Channel.HANDOVER,
    )


@dataclass(frozen=True, slots=True)
class Governing:
    """The agreement that governs an invoice, with its state on the plan date."""

    agreement: Agreement
    status: AgreementStatus


def agreement_invoices(
    agreements: Sequence[Agreement], invoices: Iterable[Invoice]
) -> dict[CustomerId, list[Invoice]]:
    """Customer -> their invoices with an amount above zero, in workbook order, for the
    customers with an agreement that names no Facturen: only those agreements need a
    customer's invoices; most name theirs. `invoices`: the usable ones, in workbook order."""
    wide = {a.customer for a in agreements if not a.invoices}
    by_customer: dict[CustomerId, list[Invoice]] = defaultdict(list)
    if wide:
        for inv in invoices:
            if inv.customer in wide and inv.amount > ZERO:
                by_customer[inv.customer].append(inv)
    return by_customer


def govern(
    agreements: Sequence[Agreement],
    by_customer: dict[CustomerId, list[Invoice]],
    invoice: Callable[[InvoiceNo], Invoice | None],
    open_of: Callable[[Invoice], Decimal],
    paid_since: Callable[[InvoiceNo, Agreement], Decimal],
    as_of: date,
) -> tuple[dict[InvoiceNo, Governing], dict[int, AgreementStatus]]:
    """Which agreement governs each invoice and every agreement's status (by its index in
    Afspraken) on `as_of`: the one rule, used by the Ledger and by the bank's matching
    (matching.AgreementStates), each with its own look-ups of an invoice, its open amount
    (Bedrag - Betaald - Gekoppeld) and what was paid on it since the agreement.

    An agreement covers the invoices it names, else its customer's invoices dated up to the
    agreement that are open or were paid on since; agreements are taken by date (then row),
    so a later one governs an invoice two cover. `by_customer`: `agreement_invoices`."""
    governing: dict[InvoiceNo, Governing] = {}
    statuses: dict[int, AgreementStatus] = {}
    ordered = sorted(
        enumerate(agreements), key=lambda ia: (ia[1].agreed_on or ia[1].first_date, ia[0])
    )
    for index, agr in ordered:
        named = agr.invoices
        if len(named) == 1:  # the usual agreement: one invoice, no generators for it
            one = invoice(named[0])
            covered = [one] if one is not None and one.amount > ZERO else []
        elif named:
            found = (invoice(n) for n in dict.fromkeys(named))
            covered = [i for i in found if i is not None and i.amount > ZERO]
        else:
            cutoff = agr.agreed_on or agr.first_date
            covered = [
                inv
                for inv in by_customer.get(agr.customer, [])
                if inv.invoice_date <= cutoff
                and (open_of(inv) > ZERO or paid_since(inv.number, agr) > ZERO)
            ]
        # The open amounts (below zero counting as zero) and what was paid since, each
        # summed from ZERO in the covered invoices' order.
        open_now = paid_now = ZERO
        for i in covered:
            o = open_of(i)
            open_now += ZERO if o < ZERO else o
            paid_now += paid_since(i.number, agr)
        total = agr.amount if agr.amount is not None else open_now + paid_now
        paid = max(paid_now, total - open_now)
        if covered and open_now <= ZERO:
            paid = max(paid, total)
        status = agreement_status(agr, total, paid, as_of)
        statuses[index] = status
        governed = Governing(agr, status)  # frozen: one for all the invoices it covers
        for inv in covered:
            governing[inv.number] = governed  # later agreements win
    return governing, statuses


class Ledger:
    """Read-only indexes over a Book for one plan date. Built by `Ledger.build`."""

    __slots__ = (
        "_steps_cache",
        "agreement_statuses",
        "agreements_by_id",
        "all_usable",
        "as_of",
        "book",
        "calendar",
        "call_contact",
        "contacts_by_customer",
        "contacts_by_invoice",
        "credit_notes",
        "credit_open",
        "customers",
        "due_list",
        "governing",
        "invoices",
        "ladder_results",
        "last_contact",
        "last_letter",
        "letter_contact",
        "linked",
        "open_list",
        "overdue_open",
        "overdue_texts",
        "owner_list",
        "paid_list",
        "persons",
        "position",
        "review_by_account",
        "review_by_amount",
        "review_by_customer",
        "review_by_invoice",
        "scores",
        "settings",
        "settled",
        "status_list",
        "steps",
        "unsettled",
    )
    due_list: list[date]
    open_list: list[Decimal]
    all_usable: bool

    def __init__(self, book: Book, as_of: date) -> None:
        self.book = book
        self.as_of = as_of
        self.settings = book.settings
        self.calendar = WorkCalendar(book.settings.call_days)
        self.steps: tuple[Step, ...] = book.steps or DEFAULT_STEPS
        self._steps_cache: dict[tuple[CustomerKind, Segment, bool], tuple[Rung, ...]] = {}
        # Due date -> the ladder's "vervallen sinds ..." text on as_of, and the ladder's
        # results for invoices without contacts (ladder.walk fills both).
        self.overdue_texts: dict[date, str] = {}
        self.ladder_results: dict[tuple[Any, ...], Any] = {}
        # In workbook order; the first row of a repeated customer number wins
        # (checks.check_duplicate_customers).
        self.customers: dict[CustomerId, Customer] = customer_index(book)
        # Filled by _index_amounts: the invoices the engine plans, and each one's number.
        self.invoices: list[Invoice] = []
        self.position: dict[InvoiceNo, int] = {}

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
        # Customer -> their Contactpersonen rows, in workbook order.
        self.persons: dict[CustomerId, list[ContactPerson]] = persons
        one = _ONE_IS_PICKED
        self.call_contact = {
            k: v[0] if one and len(v) == 1 else _pick(v, CALL_PREFERENCE)
            for k, v in persons.items()
        }
        self.letter_contact = {
            k: v[0] if one and len(v) == 1 else _pick(v, LETTER_PREFERENCE)
            for k, v in persons.items()
        }

    def _index_payments(self) -> None:
        """Linked payments per invoice, and the newest unreviewed incoming one by every key
        the bank-first rule looks up (customer, payer account, invoice, exact amount)."""
        # invoice number -> its one Gekoppeld row, or a Linked for several: nothing is made
        # for the usual invoice paid by one bank line (77,000 in the benchmark book), and
        # both are read as .amount (the total) and .date (the newest).
        linked: dict[InvoiceNo, Payment | Linked] = {}
        # Per key only the row the rule shows: the newest by (date, row), of equals the
        # first in sheet order (what max() of the key's rows gives), not every row: after
        # a bank import 41,000 rows are to review, and a customer's or an amount's list of
        # them was walked again for each of its open invoices.
        by_customer: dict[CustomerId, Payment] = {}
        by_account: dict[str, Payment] = {}
        by_amount: dict[Decimal, Payment] = {}
        by_invoice: dict[InvoiceNo, Payment] = {}

        def keep(index: dict[Any, Payment], key: object, p: Payment) -> None:
            q = index.get(key)
            if q is None or (p.date, p.row) > (q.date, q.row):
                index[key] = p

        is_linked, review = PaymentStatus.LINKED, PaymentStatus.REVIEW
        for p in self.book.payments:
            status = p.status
            if status is is_linked:
                number = p.invoice
                if number:
                    entry = linked.get(number)
                    if entry is None:
                        linked[number] = p
                    elif isinstance(entry, Linked):
                        entry.add(p)
                    else:
                        several = linked[number] = Linked(entry)
                        several.add(p)
            elif status is review and p.amount > ZERO:
                if p.customer:
                    keep(by_customer, p.customer, p)
                if p.counter_account:
                    keep(by_account, p.counter_account, p)
                if p.invoice:
                    keep(by_invoice, p.invoice, p)
                keep(by_amount, p.amount, p)
        self.linked = linked
        self.review_by_customer = by_customer
        self.review_by_account = by_account
        self.review_by_amount = by_amount
        self.review_by_invoice = by_invoice

    def _index_amounts(self) -> None:
        """Per invoice: usable or not, due date, open amount, status, and for a paid invoice
        or credit note its final NextAction; per customer the sums rules and scores need.

        This is the engine's hottest code, so it works column by column: each field is taken
        out of all invoices at once (list comprehensions, `zip`, `dict(zip(...))`), a
        Python-level step runs only where a decision is needed, and the settled actions are
        assembled by `map` over zipped columns (the benchmark in benchmarks/ measures it).
        Per-customer figures are kept in lists by the customer's place in Klanten: each
        invoice's place is looked up once, and every sum and look-up after that indexes a list
        instead of hashing a customer number again.
        """
        settings = self.settings
        as_of = self.as_of
        start = window_start(as_of)
        customers = self.customers
        invoices: Sequence[Invoice] = self.book.invoices
        numbers = [i.number for i in invoices]
        who = [i.customer for i in invoices]
        # One index by number serves every look-up (invoice, due date, open amount); fewer
        # keys than rows means a repeated number, an unknown customer a KeyError.
        position = dict(zip(numbers, range(len(numbers)), strict=True))
        place = dict(zip(customers, range(len(customers)), strict=True))
        try:
            slots = list(map(place.__getitem__, who))
        except KeyError:
            slots = []
        # Every Facturen row usable (its number unique, its customer known), the usual case:
        # the checks (core/checks.py) then need not look for the rows that are not.
        self.all_usable = len(position) == len(numbers) and len(slots) == len(numbers)
        if not self.all_usable:
            invoices = self._usable()
            numbers = [i.number for i in invoices]
            who = [i.customer for i in invoices]
            position = dict(zip(numbers, range(len(numbers)), strict=True))
            slots = list(map(place.__getitem__, who))
        self.position = position
        self.invoices = invoices = list(invoices)
        n = len(invoices)
        known = list(customers.values())
        issued = [i.invoice_date for i in invoices]
        amounts = [i.amount for i in invoices]

        # Due dates: Vervaldatum, else invoice date + default term; for customers with an
        # own term, `due_date`'s rule inlined (PLAYBOOK P4): the later of the two.
        default_term = timedelta(days=settings.default_term_days)
        stated = [i.due_date for i in invoices]
        dues = [
            d if d is not None else i + default_term for d, i in zip(stated, issued, strict=True)
        ]
        terms = [timedelta(days=c.term_days) if c.term_days is not None else None for c in known]
        if any(terms):
            has_term = [t is not None for t in terms]
            for k in compress(range(n), map(has_term.__getitem__, slots)):
                own = issued[k] + terms[slots[k]]  # type: ignore[operator]
                d = stated[k]
                if d is None or own > d:
                    dues[k] = own

        # Open amounts: Bedrag - Betaald - linked payments; the newest linked payment date.
        entries = list(map(self.linked.get, numbers))
        opens = [
            (a - p if p else a) - e.amount if e is not None else (a - p if p else a)
            for a, p, e in zip(amounts, [i.paid for i in invoices], entries, strict=True)
        ]
        paid_dates = [e.date if e is not None else None for e in entries]

        credit, paid, overdue, not_due = (
            Status.CREDIT_NOTE, Status.PAID, Status.OVERDUE, Status.OPEN
        )  # fmt: skip
        statuses = [
            credit if a < ZERO else paid if o <= ZERO else overdue if d < as_of else not_due
            for a, o, d in zip(amounts, opens, dues, strict=True)
        ]

        # Positions by status, each list made once; most invoices are paid.
        unsettled = [k for k, s in enumerate(statuses) if s is overdue or s is not_due]
        credit_notes = [k for k, s in enumerate(statuses) if s is credit]

        # Per-customer sums, each over only the invoices it concerns.
        revenue = [ZERO] * len(known)
        in_window = [start <= i <= as_of for i in issued]
        for j, a in compress(zip(slots, amounts, strict=True), in_window):
            revenue[j] += a
        open_sum = [ZERO] * len(known)
        overdue_sum: dict[CustomerId, Decimal] = {}
        for k in unsettled:
            o = opens[k]
            open_sum[slots[k]] += o
            if statuses[k] is overdue:
                c = who[k]
                overdue_sum[c] = overdue_sum.get(c, ZERO) + o
        credit_sum: dict[CustomerId, Decimal] = {}
        for k in credit_notes:
            o = opens[k]
            if o < ZERO:
                c = who[k]
                credit_sum[c] = credit_sum.get(c, ZERO) + o
        # Per customer, the invoices paid in full through the bank within the window, the
        # days paid after the due date summed, and how many were late: paid - due worked out
        # by map in C, only the counting in Python.
        paid_count, days_late, paid_late = [0] * len(known), [0] * len(known), [0] * len(known)
        paid_in_window = [
            s is paid and p is not None and start <= p <= as_of
            for s, p in zip(statuses, paid_dates, strict=True)
        ]
        late_by = map(
            attrgetter("days"),
            map(sub, compress(paid_dates, paid_in_window), compress(dues, paid_in_window)),
        )
        for j, late in zip(compress(slots, paid_in_window), late_by, strict=True):
            paid_count[j] += 1
            if late > 0:
                days_late[j] += late
                paid_late[j] += 1

        # The final actions of paid invoices and credit notes, built by map over columns in
        # C (tuple.__new__(NextAction, row) skips NamedTuple's Python-level constructor; a
        # property test compares the result with the keyword-built record). Open invoices
        # get a placeholder here that next_actions replaces: cheaper than skipping them. The
        # reason of a paid invoice is made once per payment date.
        by_date = {p: paid_reason(p) for p in set(paid_dates)}
        reasons = [
            by_date[p] if s is paid else "" for s, p in zip(statuses, paid_dates, strict=True)
        ]
        for k in credit_notes:
            reasons[k] = settled_reason(credit, opens[k], None)
        owners = [c.owner for c in known]
        rows = zip(
            numbers, who, statuses, opens, repeat(Action.NONE, n), reasons, repeat(None, n),
            repeat(None, n), repeat("", n), repeat("", n), repeat("", n),
            map(owners.__getitem__, slots), repeat("", n), repeat("", n),
            repeat("", n), dues, strict=True,
        )  # fmt: skip
        self.settled = list(map(tuple.__new__, repeat(NextAction, n), rows))
        self.unsettled = unsettled  # positions of the invoices the rules must decide
        self.credit_notes = credit_notes
        self.due_list, self.open_list, self.status_list = dues, opens, statuses
        self.credit_open = credit_sum
        self.overdue_open = overdue_sum
        self.scores: dict[CustomerId, CustomerScore] = score_customers(
            known, revenue, open_sum, paid_count, days_late, paid_late
        )

    def _usable(self) -> list[Invoice]:
        """The first row of each invoice number, with a known customer (the usual case, a
        clean book, is decided with set operations)."""
        invoices = self.book.invoices
        numbers = [i.number for i in invoices]
        if len(set(numbers)) == len(numbers) and {i.customer for i in invoices} <= set(
            self.customers
        ):
            return list(invoices)
        seen: set[InvoiceNo] = set()
        out = []
        for inv in invoices:
            if inv.customer in self.customers and inv.number not in seen:
                seen.add(inv.number)
                out.append(inv)
        return out

    def _index_contacts(self) -> None:
        """Contacts by invoice and by customer, oldest first; per customer the last contact
        (PLAYBOOK R3) and the newest written one (for bundling letters): one pass."""
        by_invoice: dict[InvoiceNo, list[Contact]] = defaultdict(list)
        by_customer: dict[CustomerId, list[Contact]] = defaultdict(list)
        last: dict[CustomerId, date] = {}
        # Customer -> (the day of the newest written contact (Brief, E-mail) up to as_of,
        # the Facturen of each written contact that day, one tuple per contact).
        newest: dict[CustomerId, tuple[date, list[tuple[InvoiceNo, ...]]]] = {}
        written = {channel: channel.is_written for channel in Channel}
        thanks: dict[str, bool] = {}  # Stap text -> is a thank-you (a book has few distinct)
        thank_key = step_key(THANK_STEP)
        as_of = self.as_of
        # Stable sort by date keeps the workbook's row order within a day.
        for c in sorted(self.book.contacts, key=attrgetter("date")):
            about = c.invoices
            if about:
                for number in about:
                    by_invoice[number].append(c)
            else:
                by_customer[c.customer].append(c)
            day = c.date
            if day > as_of:
                continue
            step = c.step
            if step != THANK_STEP:  # a thank-you is no contact (R3)
                last[c.customer] = day  # sorted by date: the last one seen is the newest
            if written[c.channel]:
                thank_you = thanks.get(step)
                if thank_you is None:
                    thank_you = thanks[step] = step_key(step) == thank_key
                if thank_you:
                    continue  # a thank-you holds back no reminder
                seen = newest.get(c.customer)
                if seen is None or day > seen[0]:
                    newest[c.customer] = (day, [about])
                else:  # the same day: dates only grow here
                    seen[1].append(about)
        self.contacts_by_invoice = by_invoice
        self.contacts_by_customer = by_customer
        self.last_contact = last
        self.last_letter = newest

    def _index_agreements(self) -> None:
        invoices, position, opens = self.invoices, self.position, self.open_list
        self.governing, self.agreement_statuses = govern(
            self.book.agreements,
            agreement_invoices(self.book.agreements, invoices),
            # `invoice` and `open_of` inlined: they are asked once per covered invoice.
            lambda number: invoices[k] if (k := position.get(number)) is not None else None,
            lambda inv: opens[position[inv.number]],
            self._paid_since,
            self.as_of,
        )
        # Afspraak -> the first row with that id (a letter names its agreement by id).
        by_id: dict[str, Agreement] = {}
        for agr in self.book.agreements:
            by_id.setdefault(agr.id, agr)
        self.agreements_by_id = by_id

    def _paid_since(self, number: InvoiceNo, agr: Agreement) -> Decimal:
        since = agr.agreed_on
        total = ZERO
        for p in linked_rows(self.linked.get(number)):
            if since is None or p.date >= since:
                total += p.amount
        return total

    # -- queries ----------------------------------------------------------------------------

    def invoice(self, number: InvoiceNo) -> Invoice | None:
        k = self.position.get(number)
        return self.invoices[k] if k is not None else None

    def open_of(self, number: InvoiceNo) -> Decimal:
        """Bedrag - Betaald - linked payments of a usable invoice."""
        return self.open_list[self.position[number]]

    def due_of(self, number: InvoiceNo) -> date:
        """The effective due date of a usable invoice (see `due_date`)."""
        return self.due_list[self.position[number]]

    def paid_on(self, number: InvoiceNo) -> date | None:
        """The date of the last linked payment of a paid invoice (None if paid otherwise)."""
        entry = self.linked.get(number)
        return entry.date if entry is not None else None

    def contacts_for(self, inv: Invoice) -> Sequence[Contact]:
        """Contacts about this invoice, oldest first: those naming it, and those for the
        whole customer (empty Facturen) made on or after the invoice date. Read-only: the
        ledger's own list where it can (the engine asks this for every open invoice)."""
        own = self.contacts_by_invoice.get(inv.number, _NO_CONTACTS)
        by_customer = self.contacts_by_customer
        general = by_customer.get(inv.customer) if by_customer else None
        if not general:
            return own
        merged = [*own, *[c for c in general if c.date >= inv.invoice_date]]
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
