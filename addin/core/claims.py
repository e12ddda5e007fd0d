"""The claim statement for a hand-over to a collection agency (PLAYBOOK L8).

Per overdue invoice of the customer: the principal, what was paid, the statutory interest
from the day after the due date through the plan date (art. 6:119 BW for consumers, 6:119a
for businesses, split per period), and for the whole claim the collection costs: for a
business at least the statutory EUR 40 (art. 6:96 lid 4 BW), for a consumer only on the
claims a 14-day letter was about once its term has passed (art. 6:96 lid 6), computed on
the sum of those claims (lid 7). Disputed invoices are left out: a dispute is resolved
first (PLAYBOOK P3); so are invoices under a promise or arrangement that is running: the
customer keeps to the time given to pay.

Payments: Betaald (undated, e.g. cash) lowers the principal from the start; linked
Betalingen rows are dated and settle interest before principal (art. 6:44 BW). The costs
are stated for the claim as a whole and are not yet paid by anything.

Open credit notes of the customer are set off against the claim (art. 6:127 BW), the
oldest credit note against the invoice due first, and the set-off works back to the day it
could first be made (art. 6:129 lid 1 BW): the later of the credit note's and the invoice's
date, so no interest runs on the credited part after it. It is stated as a payment of that
day, and the collection costs are computed on what is left.

Example::

    business customer, invoice EUR 1,000 due 31-3-2025, plan date 30-6-2025
    -> principal 1,000.00, interest 27.80 (91 days at 11.15%), costs 150.00, total 1,177.80
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from addin.core import fourteen_days
from addin.core.collection_costs import CostsResult, business_costs, consumer_costs
from addin.core.interest import (
    InterestKind,
    InterestResult,
    Rate,
    interest_start,
    statutory_interest,
)
from addin.core.ladder_default import DEFAULT_STEPS
from addin.core.ledger import Ledger, step_key
from addin.core.model import (
    Action,
    AgreementState,
    Book,
    Customer,
    CustomerId,
    CustomerKind,
    Invoice,
    InvoiceNo,
    NextAction,
    PaymentStatus,
)
from addin.core.money import ZERO
from addin.core.texts import nl_date


@dataclass(frozen=True, slots=True)
class ClaimLine:
    """One overdue invoice in the claim.

    Attributes:
      amount: Bedrag as invoiced.
      paid: paid so far (Betaald and linked payments).
      interest: the statutory interest from the day after `due` through the plan date.
    """

    invoice: InvoiceNo
    invoice_date: date
    due: date
    amount: Decimal
    paid: Decimal
    open_principal: Decimal
    interest: InterestResult
    description: str = ""
    credited: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class SetOff:
    """Part of an open credit note set off against one invoice of the claim, from `day`."""

    credit_note: InvoiceNo
    invoice: InvoiceNo
    day: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class ClaimStatement:
    """What the customer owes on the plan date, for the collection agency.

    Attributes:
      costs: the collection costs, or None when none are due yet (see `costs_note`).
      left_out: invoices not handed over, with the reason (Dutch).
      set_off: the customer's open credit notes, set off against the claim's invoices.
      credit_left: what of those credit notes is left when every invoice is set off.
    """

    customer: Customer
    as_of: date
    kind: InterestKind
    lines: tuple[ClaimLine, ...]
    principal: Decimal
    interest: Decimal
    costs: CostsResult | None
    costs_note: str
    total: Decimal
    left_out: tuple[tuple[InvoiceNo, str], ...] = ()
    set_off: tuple[SetOff, ...] = ()
    credit_left: Decimal = ZERO


def early_handover(
    actions: Iterable[NextAction], invoices: Collection[InvoiceNo], as_of: date
) -> tuple[NextAction, ...]:
    """The plan's actions of the handed-over `invoices` whose ladder has not come to the
    hand-over on `as_of`: anything but `incasso` due by then (PLAYBOOK L8: the collection
    agency is the final step; a reminder or a call costs less and keeps the customer).
    `geen` is not early: an invoice handed over before, or settled since."""
    return tuple(
        a
        for a in actions
        if a.invoice in invoices
        and a.action is not Action.NONE
        and not (a.action is Action.COLLECTION and (a.date is None or a.date <= as_of))
    )


def _fourteen_day_letter(ledger: Ledger, inv: Invoice, due: date, as_of: date) -> date | None:
    """The day the first 14-day letter about `inv` counts from (fourteen_days.letter_day),
    or None. As the ladder reads Contacten: a row naming the invoice, or one for the whole
    customer (empty Facturen) on or after the invoice date, with a Stap of the 14-day
    letter; rows before the due date are no collection contacts (the debtor was not in
    default yet), and rows after the plan date have not happened on it."""
    steps = ledger.book.steps or DEFAULT_STEPS
    names = {step_key(s.name) for s in steps if s.action is Action.FOURTEEN_DAY_LETTER}
    days = [
        fourteen_days.letter_day(c.date, c.sent, c.posted)
        for c in ledger.contacts_for(inv)
        if due <= c.date <= as_of and step_key(c.step) in names
    ]
    return min(days) if days else None


def _running_agreement(ledger: Ledger, invoice: InvoiceNo) -> str:
    """Why `invoice` is under a running promise or arrangement on the plan date (Dutch), or
    "": the customer was given time to pay it, and keeps to it so far, so it is not
    claimed in full while that lasts (the engine waits too: `wachten`, `bevestigen`)."""
    governed = ledger.governing.get(invoice)
    if governed is None or governed.status.state is not AgreementState.RUNNING:
        return ""
    a, next_due = governed.agreement, governed.status.next_due
    why = f"{a.kind.value.lower()} {a.id} loopt"
    if next_due is not None:
        why += f", volgende termijn {nl_date(next_due.due)}"
    return why


def claim_statement(
    book: Book, customer: CustomerId, as_of: date, rates: Sequence[Rate]
) -> ClaimStatement:
    """The claim against one customer on `as_of`; the customer must be in the book."""
    ledger = Ledger.build(book, as_of)
    who = ledger.customers[customer]
    kind = InterestKind.CONSUMER if who.kind is CustomerKind.CONSUMER else InterestKind.COMMERCIAL
    dated: dict[InvoiceNo, list[tuple[date, Decimal]]] = {}
    for p in book.payments:
        if p.status is PaymentStatus.LINKED and p.invoice and p.date <= as_of:
            dated.setdefault(p.invoice, []).append((p.date, p.amount))
    overdue = []
    left_out = []
    for inv in ledger.invoices:
        if inv.customer != customer or inv.amount <= ZERO:
            continue
        open_amount = ledger.open_of(inv.number)
        due = ledger.due_of(inv.number)
        if open_amount <= ZERO or due >= as_of:
            continue
        if inv.dispute:
            left_out.append((inv.number, f"geschil: {inv.dispute}"))
            continue
        running = _running_agreement(ledger, inv.number)
        if running:
            left_out.append((inv.number, running))
            continue
        overdue.append((due, inv, open_amount))
    overdue.sort(key=lambda d: d[0])  # stable: workbook order within a due date

    def owed(inv: Invoice, due: date, day: date, parts: list[tuple[date, Decimal]]) -> Decimal:
        """What `inv` still owes on `day`, principal and interest (parts: set off before)."""
        paid = [(d, a) for d, a in dated.get(inv.number, ()) if d <= day]
        r = statutory_interest(
            inv.amount - inv.paid, interest_start(due), day, rates, kind,
            payments=sorted([*paid, *parts]),
        )  # fmt: skip
        return r.open_principal + r.open_interest

    set_off, credit_left = _set_off(ledger, customer, [(d, i) for d, i, _ in overdue], owed)
    credited: dict[InvoiceNo, list[SetOff]] = {}
    for part in set_off:
        credited.setdefault(part.invoice, []).append(part)
    lines = []
    letters: dict[InvoiceNo, date] = {}  # the invoices with a 14-day letter: its day
    for due, inv, open_amount in sorted(overdue, key=lambda d: ledger.position[d[1].number]):
        parts = credited.get(inv.number, [])
        payments = sorted([*dated.get(inv.number, ()), *((p.day, p.amount) for p in parts)])
        letter = _fourteen_day_letter(ledger, inv, due, as_of)
        if letter is not None:
            letters[inv.number] = letter
        start = interest_start(due)
        result = statutory_interest(
            inv.amount - inv.paid, start, as_of, rates, kind, payments=payments
        )
        lines.append(
            ClaimLine(
                invoice=inv.number,
                invoice_date=inv.invoice_date,
                due=due,
                amount=inv.amount,
                paid=inv.amount - open_amount,
                open_principal=result.open_principal,
                interest=result,
                description=inv.description,
                credited=sum((p.amount for p in parts), ZERO),
            )
        )
    principal = sum((line.open_principal for line in lines), ZERO)
    interest = sum((line.interest.open_interest for line in lines), ZERO)
    costs, note = _costs(book, who, lines, letters, as_of)
    total = principal + interest + (costs.total if costs else ZERO)
    return ClaimStatement(
        customer=who,
        as_of=as_of,
        kind=kind,
        lines=tuple(lines),
        principal=principal,
        interest=interest,
        costs=costs,
        costs_note=note,
        total=total,
        left_out=tuple(left_out),
        set_off=tuple(set_off),
        credit_left=credit_left,
    )


def _set_off(
    ledger: Ledger,
    customer: CustomerId,
    overdue: list[tuple[date, Invoice]],
    owed: Callable[[Invoice, date, date, list[tuple[date, Decimal]]], Decimal],
) -> tuple[list[SetOff], Decimal]:
    """The customer's open credit notes (oldest first) against the overdue invoices (`due`,
    invoice; due first), each part from the later of the two dates (art. 6:129 lid 1 BW)
    and at most what the invoice owes that day, interest included (`owed(invoice, due,
    day, parts set off before)`); and what is left of the credit notes."""
    notes = sorted(
        (
            (inv.invoice_date, ledger.position[inv.number], inv, -ledger.open_of(inv.number))
            for inv in ledger.invoices
            if inv.customer == customer
            and inv.amount < ZERO
            and inv.invoice_date <= ledger.as_of
            and ledger.open_of(inv.number) < ZERO
        ),
        key=lambda n: (n[0], n[1]),
    )
    earlier: dict[InvoiceNo, list[tuple[date, Decimal]]] = {}
    parts: list[SetOff] = []
    rest = ZERO
    for _, _, note, credit in notes:
        for due, inv in overdue:
            if credit <= ZERO:
                break
            day = max(note.invoice_date, inv.invoice_date)
            before = earlier.setdefault(inv.number, [])
            take = min(credit, owed(inv, due, day, before))
            if take <= ZERO:
                continue
            parts.append(SetOff(note.number, inv.number, day, take))
            before.append((day, take))
            credit -= take
        rest += credit
    return parts, rest


def _costs(
    book: Book,
    customer: Customer,
    lines: Sequence[ClaimLine],
    letters: Mapping[InvoiceNo, date],
    as_of: date,
) -> tuple[CostsResult | None, str]:
    """The collection costs of the claim and the note that explains them. A consumer owes
    them only on the claims whose 14-day letter's term has passed (art. 6:96 lid 6 BW: the
    letter must be about the claim), on their sum (lid 7); `letters` gives, per invoice,
    the day its first 14-day letter counts from (none: no letter about it)."""
    principals = [line.open_principal for line in lines]
    if sum(principals, ZERO) <= ZERO:  # none, or every one set off
        return None, "geen openstaande hoofdsom"
    vat = book.settings.vat_on_collection_costs
    if customer.kind is CustomerKind.BUSINESS:
        return business_costs(sum(principals, ZERO), vat=vat), (
            "buitengerechtelijke incassokosten volgens de staffel, minimaal € 40 "
            "(art. 6:96 lid 4 BW)"
        )
    owing = [line for line in lines if line.open_principal > ZERO]
    due_on = {
        line.invoice: fourteen_days.costs_due(letters[line.invoice])
        for line in owing
        if line.invoice in letters
    }
    sent = {number: letters[number] for number in due_on}
    charged = [line for line in owing if due_on.get(line.invoice, date.max) <= as_of]
    if not charged:
        if not due_on:
            return (
                None,
                "geen incassokosten: er is geen veertiendagenbrief verstuurd (art. 6:96 lid 6 BW)",
            )
        first = min(due_on, key=lambda n: (due_on[n], n))
        return None, (
            f"geen incassokosten: de termijn van de veertiendagenbrief van "
            f"{nl_date(sent[first])} loopt nog; de kosten zijn verschuldigd vanaf "
            f"{nl_date(due_on[first])}"
        )
    # The latest of the letters charged for: from then on the costs are due on all of them.
    last = max(charged, key=lambda line: due_on[line.invoice])
    note = (
        f"incassokosten verschuldigd sinds {nl_date(due_on[last.invoice])}, na de "
        f"veertiendagenbrief van {nl_date(sent[last.invoice])}, berekend over de som "
        "van de vorderingen (art. 6:96 lid 7 BW)"
    )
    for line in owing:
        due = due_on.get(line.invoice)
        if due is not None and due <= as_of:
            continue  # charged
        why = (
            "daarover is geen veertiendagenbrief verstuurd"
            if due is None
            else f"de termijn van de veertiendagenbrief loopt nog; ze zijn verschuldigd vanaf "
            f"{nl_date(due)}"
        )
        note += f"; geen incassokosten over factuur {line.invoice}: {why} (art. 6:96 lid 6 BW)"
    return consumer_costs([line.open_principal for line in charged], vat=vat), note
