"""The precedence before the ladder: the first rule that speaks decides an invoice's action.

The order is DESIGN.md's, one small pure function per rule, listed in `RULES`:

  paid or credit note (geen) -> manual override until its date (eigen-actie, W5) ->
  Bijzonderheid (intern-oplossen, Q3) -> dispute (intern-oplossen, P3) -> unreviewed
  incoming payment (bank-controleren, P1) -> "zegt betaald" (betaalbewijs-vragen, P2) ->
  promise or arrangement (bellen when missed, bevestigen, wachten; A1-A3) -> open amount
  under the minimum (geen, Q2) -> open credit notes cover the overdue amount -> the ladder.

Example::

    invoice 2026-101 has Geschil "levering onvolledig"
    -> intern-oplossen, reason "geschil: levering onvolledig"
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date
from decimal import Decimal
from itertools import chain, compress, repeat
from operator import attrgetter, is_not
from typing import NamedTuple

from addin.core import ladder
from addin.core.agreements import is_confirmed
from addin.core.ledger import Ledger
from addin.core.model import (
    LETTER_ACTIONS,
    Action,
    AgreementKind,
    AgreementState,
    Channel,
    Contact,
    Customer,
    CustomerId,
    CustomerScore,
    Invoice,
    InvoiceNo,
    NextAction,
    Outcome,
    Payment,
    Special,
    Status,
)
from addin.core.money import ZERO, format_eur
from addin.core.texts import GOAL_INSOLVENCY, GOAL_MISSED, GOALS, nl_date, settled_reason


class Facts(NamedTuple):
    """What the rules know about one invoice on the plan date (a NamedTuple: one is made
    per open invoice, see model.NextAction)."""

    invoice: Invoice
    customer: Customer
    score: CustomerScore
    status: Status
    open_amount: Decimal
    due: date
    contacts: Sequence[Contact]
    latest: Contact | None  # the newest contact with an Uitkomst


class Verdict(NamedTuple):
    """A rule's decision; `make_action` turns it into a NextAction with contact details."""

    action: Action
    reason: str
    date: date | None = None
    channel: Channel | None = None
    goal: str | None = None
    step: str = ""
    agreement: str = ""


Rule = Callable[[Facts, Ledger], Verdict | None]

# Builds a NamedTuple from a tuple of all its fields in C (model.NextAction says why).
new_tuple = tuple.__new__


def settled(f: Facts, ledger: Ledger) -> Verdict | None:
    if f.status is Status.CREDIT_NOTE or f.status is Status.PAID:
        paid_on = ledger.paid_on(f.invoice.number)
        return Verdict(Action.NONE, settled_reason(f.status, f.open_amount, paid_on))
    return None


def own_action(f: Facts, ledger: Ledger) -> Verdict | None:
    inv = f.invoice
    if not inv.own_action and inv.own_action_date is None:
        return None
    if inv.own_action_date is not None and inv.own_action_date < ledger.as_of:
        return None  # the override has run out; the engine takes over again
    text = inv.own_action or "eigen actie"
    until = f" (tot en met {nl_date(inv.own_action_date)})" if inv.own_action_date else ""
    return Verdict(
        Action.OWN,
        f"eigen actie: {text}{until}",
        date=inv.own_action_date or ledger.as_of,
        goal=text,
    )


SPECIAL_REASONS: dict[Special, str] = {
    Special.BANKRUPTCY: "faillissement: geen herinneringen, vordering indienen bij de curator",
    Special.DEBT_RESTRUCTURING: (
        "schuldsanering: geen herinneringen, vordering indienen bij de bewindvoerder"
    ),
}


def insolvency(f: Facts, ledger: Ledger) -> Verdict | None:
    special = f.customer.special
    if special is None:
        return None
    return Verdict(
        Action.RESOLVE, SPECIAL_REASONS[special], date=ledger.as_of, goal=GOAL_INSOLVENCY
    )


def latest_outcome(contacts: Sequence[Contact]) -> Contact | None:
    for c in reversed(contacts):
        if c.outcome is not None:
            return c
    return None


def dispute(f: Facts, ledger: Ledger) -> Verdict | None:
    if f.invoice.dispute:
        return Verdict(Action.RESOLVE, f"geschil: {f.invoice.dispute}", date=ledger.as_of)
    latest = f.latest
    if latest is not None and latest.outcome is Outcome.DISPUTE:
        about = f": {latest.goal}" if latest.goal else ""
        return Verdict(
            Action.RESOLVE, f"geschil gemeld op {nl_date(latest.date)}{about}", date=ledger.as_of
        )
    return None


def _unreviewed_payment(f: Facts, ledger: Ledger) -> Payment | None:
    # The newest of the rows found by each key (the ledger keeps each key's newest); of
    # equals the first in this order, as max() over all their rows would pick.
    candidates = [
        ledger.review_by_invoice.get(f.invoice.number),
        ledger.review_by_customer.get(f.customer.number),
        *map(ledger.review_by_account.get, f.customer.ibans),
        ledger.review_by_amount.get(f.open_amount),
    ]
    found = [p for p in candidates if p is not None]
    if not found:
        return None
    return max(found, key=lambda p: (p.date, p.row))


def bank_first(f: Facts, ledger: Ledger) -> Verdict | None:
    payment = _unreviewed_payment(f, ledger)
    if payment is None:
        return None
    payer = f", {payment.name}" if payment.name else ""
    return Verdict(
        Action.CHECK_BANK,
        f"inkomende betaling van {nl_date(payment.date)} ({format_eur(payment.amount)}{payer}) "
        f"nog controleren in Betalingen rij {payment.row}",
        date=ledger.as_of,
    )


def says_paid(f: Facts, ledger: Ledger) -> Verdict | None:
    latest = f.latest
    if latest is None or latest.outcome is not Outcome.SAYS_PAID:
        return None
    return Verdict(
        Action.ASK_PROOF,
        f"klant zegt op {nl_date(latest.date)} betaald te hebben; geen betaling gevonden",
        date=ledger.calendar.next_working_day(latest.date),
        channel=Channel.PHONE,
    )


KIND_WORD: dict[AgreementKind, str] = {
    AgreementKind.PROMISE: "toezegging",
    AgreementKind.ARRANGEMENT: "regeling",
}


def agreement(f: Facts, ledger: Ledger) -> Verdict | None:
    governing = ledger.governing.get(f.invoice.number)
    if governing is None:
        return None
    agr, status = governing.agreement, governing.status
    word = KIND_WORD[agr.kind]
    if status.state is AgreementState.MISSED and status.missed is not None:
        missed = status.missed
        if agr.kind is AgreementKind.PROMISE:
            what = f"toezegging {nl_date(missed.due)} niet nagekomen"
        else:
            what = (
                f"termijn {missed.number} van regeling {agr.id} "
                f"({nl_date(missed.due)}, {format_eur(missed.amount)}) niet betaald"
            )
        attempts = 0
        last = missed.due
        for c in f.contacts:
            if c.date <= missed.due or c.channel not in ladder.CALL_CHANNELS:
                continue
            if c.outcome is None or c.outcome.reached:
                return None  # spoken to since: the ladder takes over (or a new agreement)
            attempts += 1
            last = c.date
        if attempts >= ledger.settings.max_call_attempts:
            return None
        if attempts:
            what += (
                f"; {attempts} van {ledger.settings.max_call_attempts} belpogingen zonder gehoor"
            )
        return Verdict(
            Action.CALL,
            what,
            date=ledger.calendar.next_working_day(last),
            channel=Channel.PHONE,
            goal=GOAL_MISSED,
            agreement=agr.id,
        )
    if status.state is AgreementState.RUNNING and status.next_due is not None:
        if not is_confirmed(agr):
            made = f" van {nl_date(agr.agreed_on)}" if agr.agreed_on else ""
            return Verdict(
                Action.CONFIRM,
                f"{word} {agr.id}{made} nog niet schriftelijk bevestigd",
                date=agr.agreed_on or ledger.as_of,
                channel=Channel.LETTER_AND_EMAIL,
                agreement=agr.id,
            )
        nxt = status.next_due
        if agr.kind is AgreementKind.PROMISE:
            what = f"toezegging: betaling beloofd op {nl_date(nxt.due)}"
        else:
            count = max(1, agr.instalments)
            what = (
                f"regeling {agr.id}: termijn {nxt.number} van {count} "
                f"({format_eur(nxt.amount)}) op {nl_date(nxt.due)}"
            )
            if not agr.signed_returned:
                what += "; getekende bevestiging nog niet retour"
        return Verdict(Action.WAIT, what, date=nxt.due, agreement=agr.id)
    return None


def below_minimum(f: Facts, ledger: Ledger) -> Verdict | None:
    minimum = ledger.settings.min_reminder_amount
    if f.open_amount >= minimum:
        return None
    return Verdict(
        Action.NONE,
        f"open {format_eur(f.open_amount)} is minder dan het minimum van {format_eur(minimum)}",
    )


def credit_covers(f: Facts, ledger: Ledger) -> Verdict | None:
    if f.status is not Status.OVERDUE:
        return None
    credit = -ledger.credit_open.get(f.customer.number, ZERO)
    if credit <= ZERO or credit < ledger.overdue_open.get(f.customer.number, ZERO):
        return None
    return Verdict(
        Action.RESOLVE,
        f"open creditnota's ({format_eur(credit)}) dekken het vervallen bedrag: verrekenen",
        date=ledger.as_of,
        goal="creditnota verrekenen",
    )


def escalation_ladder(f: Facts, ledger: Ledger) -> Verdict:
    return ladder_verdict(ladder.walk(f.invoice, f.customer, f.score, f.due, f.contacts, ledger))


def ladder_verdict(r: ladder.LadderResult) -> Verdict:
    """The Verdict of a ladder result."""
    # Positional, through tuple.__new__ (see make_action): one per open invoice.
    return new_tuple(Verdict, (r.action, r.reason, r.date, r.channel, None, r.step, ""))


# The rules before the ladder, each silent for an invoice without `Marks`.
SCREENED: tuple[Rule, ...] = (
    settled,
    own_action,
    insolvency,
    dispute,
    bank_first,
    says_paid,
    agreement,
    below_minimum,
    credit_covers,
)
RULES: tuple[Rule, ...] = (*SCREENED, escalation_ladder)


class Marks(NamedTuple):
    """What the rules before the ladder look for, gathered once per plan (`marks`).

    Most open invoices carry none of these marks, and for such an invoice every rule before
    the ladder is silent, so `escalation_ladder(f, ledger)` is `decide(f, ledger)`: the
    engine then skips nine rule calls (`plan.next_actions`). An open invoice is unmarked when

    - its own action, own action date and dispute are empty (`PLAIN`: own_action, dispute),
    - its customer is not in `customers` (insolvency; bank_first by customer or by one of
      the customer's IBANs; credit_covers),
    - its number is not in `numbers` (agreement; bank_first by invoice),
    - its open amount is at least `minimum` (below_minimum) and not in `amounts`
      (bank_first by amount),
    - its latest contact with an outcome has none of `outcomes` (dispute, says_paid).

    Each condition is its rule's own "return None", some wider (credit_covers is taken on
    any status): a marked invoice goes through `decide` as before. `SCREENED` names the rules
    this covers; tests/core/test_properties.py holds each of them to it.
    """

    minimum: Decimal
    numbers: AbstractSet[InvoiceNo]
    customers: AbstractSet[CustomerId]
    amounts: Mapping[Decimal, object]
    outcomes: frozenset[Outcome]


# An invoice's (own_action, own_action_date, dispute) when none is filled in.
PLAIN = ("", None, "")
own_and_dispute = attrgetter("own_action", "own_action_date", "dispute")


def marks(ledger: Ledger) -> Marks:
    """The `Marks` of a ledger's book on its plan date."""
    customers = ledger.customers
    loud = set(ledger.review_by_customer)
    specials = map(attrgetter("special"), customers.values())
    loud.update(compress(customers.keys(), map(is_not, specials, repeat(None))))
    accounts = ledger.review_by_account
    if accounts:  # a customer's IBAN among the payer accounts to review: found in C first
        ibans = set(chain.from_iterable(map(attrgetter("ibans"), customers.values())))
        if not accounts.keys().isdisjoint(ibans):
            loud.update(k for k, c in customers.items() if not accounts.keys().isdisjoint(c.ibans))
    overdue_open = ledger.overdue_open
    for number, credit in ledger.credit_open.items():
        if -credit > ZERO and -credit >= overdue_open.get(number, ZERO):
            loud.add(number)
    return Marks(
        minimum=ledger.settings.min_reminder_amount,
        numbers=ledger.governing.keys() | ledger.review_by_invoice.keys(),
        customers=loud,
        amounts=ledger.review_by_amount,
        outcomes=frozenset({Outcome.DISPUTE, Outcome.SAYS_PAID}),
    )


def unmarked(f: Facts, m: Marks) -> bool:
    """True when the open invoice of `f` carries none of the `Marks`: plan.next_actions
    then sends it to the ladder at once."""
    latest = f.latest
    return (
        own_and_dispute(f.invoice) == PLAIN
        and f.customer.number not in m.customers
        and f.invoice.number not in m.numbers
        and f.open_amount >= m.minimum
        and f.open_amount not in m.amounts
        and (latest is None or latest.outcome not in m.outcomes)
    )


def decide(f: Facts, ledger: Ledger) -> Verdict:
    for rule in RULES:
        verdict = rule(f, ledger)
        if verdict is not None:
            return verdict
    raise AssertionError("the ladder rule always decides")  # pragma: no cover


PERSONAL = frozenset({Action.CALL, Action.ASK_PROOF, Action.RESOLVE, Action.OWN, Action.COLLECTION})


def make_action(f: Facts, verdict: Verdict, ledger: Ledger) -> NextAction:
    """Add the who: the owner, and the right contact person for the channel (PLAYBOOK W2, W3)."""
    invoice, customer, _, status, open_amount, due, _, _ = f
    action, reason, when, channel, goal, step, agreement = verdict
    name = phone = email = ""
    if action in PERSONAL:
        person = ledger.call_contact.get(customer.number)
    elif action in LETTER_ACTIONS:
        person = ledger.letter_contact.get(customer.number)
    else:
        person = None
    if person is not None:
        name = person.name
        phone = person.phone or customer.phone
        email = person.email or customer.email
    elif action is not Action.NONE:
        phone, email = customer.phone, customer.email
    # Positional, through tuple.__new__ (NamedTuple's constructor and _make are Python-level
    # and check the length): one per open invoice.
    return new_tuple(
        NextAction,
        (
            invoice.number,  # invoice
            customer.number,  # customer
            status,
            open_amount,
            action,
            reason,
            when,  # date
            channel,
            name,  # contact
            phone,
            email,
            customer.owner,
            goal if goal is not None else GOALS[action],
            step,
            agreement,
            due,  # due_date
        ),
    )
