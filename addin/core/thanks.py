"""PLAYBOOK R1: good payers can be thanked (seed 000 tip 5: "Koester de klanten die op tijd
betalen"). With Instellingen "Bedankje goede betalers" on Ja, the letter run makes a short,
warm letter and e-mail draft (template `bedankt`, action `bedanken`, Stap "Bedankje", Kanaal
E-mail) for at most `PER_RUN` good payers a day (also over several runs), so switching it on
does not thank everyone on one day. A customer is thanked at most once per 12 months, and
never while anything of theirs is overdue, disputed or under an agreement. A thank-you is no
personal contact: it does not count for PLAYBOOK R3 (ledger.last_contact) and does not hold
back reminders (plan.bundle_letters).

Example::

    good payer K4 (segment A, revenue 12.000), nothing open, never thanked, setting on
    -> LetterTask(customer="K4", action=bedanken, step="Bedankje", invoices=(), total=0)
"""

from __future__ import annotations

from dateutil.relativedelta import relativedelta

from addin.core.ledger import Ledger, step_key
from addin.core.model import (
    Action,
    AgreementState,
    Channel,
    CustomerId,
    LetterTask,
    NextAction,
    Status,
)
from addin.core.money import ZERO
from addin.core.texts import THANK_STEP

PER_RUN = 5
EVERY = relativedelta(months=12)
# Invoices in these states keep a customer from being thanked: something is not right yet.
NOT_NOW = frozenset(
    {Action.RESOLVE, Action.CHECK_BANK, Action.ASK_PROOF, Action.WAIT, Action.CONFIRM, Action.OWN}
)


def is_thank_you(step: str) -> bool:
    return step_key(step) == step_key(THANK_STEP)


def thank_you_letters(actions: list[NextAction], ledger: Ledger) -> tuple[LetterTask, ...]:
    """Today's thank-you letters: the good payers with the most revenue first."""
    if not ledger.settings.thank_good_payers:
        return ()
    as_of = ledger.as_of
    since = as_of - EVERY
    thanked: set[CustomerId] = set()
    today = 0
    for c in ledger.book.contacts:
        if is_thank_you(c.step) and since < c.date <= as_of:
            thanked.add(c.customer)
            today += c.date == as_of
    room = PER_RUN - today  # a second run the same day thanks nobody more
    blocked: set[CustomerId] = set()  # overdue, disputed (intern-oplossen), agreements
    for a in (actions[k] for k in ledger.unsettled):
        if a.status is Status.OVERDUE or a.action in NOT_NOW or a.agreement:
            blocked.add(a.customer)
    for k, status in ledger.agreement_statuses.items():
        if status.state is not AgreementState.KEPT:
            blocked.add(ledger.book.agreements[k].customer)
    candidates = []
    for score in ledger.scores.values():
        customer = ledger.customers[score.customer]
        if (
            not score.good_payer
            or score.customer in thanked
            or score.customer in blocked
            or customer.special is not None
            or not customer.automatic
            or not (customer.email.strip() or customer.address.strip())
        ):
            continue
        candidates.append(score)
    candidates.sort(key=lambda s: (-s.revenue, s.customer))
    return tuple(
        LetterTask(
            customer=s.customer,
            action=Action.THANK,
            step=THANK_STEP,
            date=as_of,
            invoices=(),
            credit_notes=(),
            total=ZERO,
            channel=Channel.EMAIL,
        )
        for s in candidates[: max(room, 0)]
    )
