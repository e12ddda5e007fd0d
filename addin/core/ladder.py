"""Walking the escalation ladder (the Stappen table) for one invoice.

The rows that apply to the customer are walked in table order; the next action is the first
row not yet done, dated from the due date or from the day the previous row was done, plus
its "Na dagen" (DESIGN.md "The default ladder and how it is walked"):

- a written row is done when Contacten has a row for the invoice with that Stap; a logged
  row also marks every earlier row done (an invoice pulled into a later letter stays there);
- a call row is done by a call with an answer after the previous row, or by Max
  belpogingen unanswered calls, after which the next (written) row follows (PLAYBOOK L3, L7);
- the Incasso row is done by a hand-over (Kanaal Overdracht).

Crisis mode and Automatisch = Nee turn written rows into personal calls (PLAYBOOK W4).

Example (business customer, segment C, due 2-11-2026, nothing logged, plan 24-11-2026)::

    herinnering, dated 4-11-2026: "vervallen sinds 2-11-2026 (22 dagen); stap Herinnering"
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple

from addin.core import fourteen_days
from addin.core.ledger import Ledger, Rung, step_key
from addin.core.model import (
    Action,
    Basis,
    Channel,
    Contact,
    Customer,
    CustomerKind,
    CustomerScore,
    Invoice,
    Step,
)
from addin.core.texts import agency_name, days_text, handed_over_reason, nl_date

CALL_CHANNELS = frozenset({Channel.PHONE, Channel.VISIT})


class LadderResult(NamedTuple):
    """What the ladder says for an invoice: the action, its date, channel, step and reason."""

    action: Action
    date: date | None
    channel: Channel | None
    step: str
    reason: str
    personal: bool = False  # a call (ladder call, or a written row turned into a call)


def _anchor_for_due(due: date, prev_done: date | None) -> date:
    return due


def _anchor_for_previous(due: date, prev_done: date | None) -> date:
    return prev_done if prev_done is not None else due


# Where "Na dagen" counts from, one pure function per Vanaf value (STYLE habit 4).
ANCHOR: dict[Basis, Callable[[date, date | None], date]] = {
    Basis.DUE_DATE: _anchor_for_due,
    Basis.PREVIOUS_STEP: _anchor_for_previous,
}


_key = lru_cache(maxsize=1024)(step_key)
# Per plan the same few values: one 14-day letter date per day, one Incassobureau setting.
_costs_due = lru_cache(maxsize=4096)(fourteen_days.costs_due)
_agency_name = lru_cache(maxsize=64)(agency_name)
new_tuple = tuple.__new__
_HANDOVER = Channel.HANDOVER
_CHANNEL, _DATE = attrgetter("channel"), attrgetter("date")


def _overdue_text(due: date, as_of: date) -> str:
    late = (as_of - due).days
    if late > 0:
        return f"vervallen sinds {nl_date(due)} ({days_text(late)})"
    return f"vervalt op {nl_date(due)}"


def _overdue_text_of(due: date, ledger: Ledger) -> str:
    """`_overdue_text` on the plan date, made once per due date and plan (open invoices
    share a few hundred due dates)."""
    text = ledger.overdue_texts.get(due)
    if text is None:
        text = ledger.overdue_texts[due] = _overdue_text(due, ledger.as_of)
    return text


def walk(
    inv: Invoice,
    customer: Customer,
    score: CustomerScore,
    due: date,
    contacts: Sequence[Contact],
    ledger: Ledger,
) -> LadderResult:
    """The next ladder action for one open invoice."""
    if contacts:
        return _walk(customer, score, due, contacts, ledger)
    # Nothing logged: the result depends only on the rows that apply (steps_for), the due
    # date and the customer's Automatisch and payer flags, so invoices sharing them share it
    # (5,565 such walks, 561 distinct, in the benchmark book). Made once per plan.
    rungs = ledger.steps_for(customer, score)
    key = (id(rungs), due, customer.automatic, score.good_payer, score.segment)
    result = ledger.ladder_results.get(key)
    if result is None:
        result = ledger.ladder_results[key] = _walk(customer, score, due, contacts, ledger)
    return result


def _places(rungs: tuple[Rung, ...], ledger: Ledger) -> tuple[dict[str, int], tuple[int, ...]]:
    """For the rows that apply (one `steps_for` answer): each Stap key's last place, and the
    places of the 14-day letter rows; made once per plan and answer (in ledger.ladder_results,
    the ladder's own memo, under the answer's id: the ledger keeps every answer alive)."""
    memo = ("places", id(rungs))
    found = ledger.ladder_results.get(memo)
    if found is None:
        found = ledger.ladder_results[memo] = (
            {rung.key: i for i, rung in enumerate(rungs)},
            tuple(i for i, r in enumerate(rungs) if r.step.action is Action.FOURTEEN_DAY_LETTER),
        )
    return found


def _walk(
    customer: Customer,
    score: CustomerScore,
    due: date,
    contacts: Sequence[Contact],
    ledger: Ledger,
) -> LadderResult:
    """`walk` itself. Without contacts it may read of the customer and score only what
    `walk`'s memo key holds (the rows of steps_for, Automatisch, good payer, segment).
    `contacts`: oldest first, as `Ledger.contacts_for` gives them."""
    settings = ledger.settings
    as_of = ledger.as_of
    calendar = ledger.calendar

    if contacts and _HANDOVER in map(_CHANNEL, contacts):  # rare: searched in C first
        for c in contacts:
            if c.channel is _HANDOVER:
                agency = c.person or _agency_name(settings.collection_agency) or "het incassobureau"
                return LadderResult(Action.NONE, None, None, "", handed_over_reason(agency, c.date))

    rungs = ledger.steps_for(customer, score)
    # Contacts before the due date are not collection contacts (oldest first: usually none).
    relevant = contacts
    if contacts and contacts[0].date < due:
        relevant = [c for c in contacts if c.date >= due]
    logged: dict[str, date] = {}
    sent: dict[str, date] = {}  # the 14-day letter's clock: when it left (issue 16)
    for c in relevant:
        if c.step:
            key = _key(c.step)
            if key not in logged:
                logged[key] = c.date
                # fourteen_days.letter_day, inlined for the usual contact (not sent, or by
                # one route): this loop runs for every invoice
                if c.posted is not None:
                    sent[key] = fourteen_days.letter_day(c.date, c.sent, c.posted)
                else:
                    sent[key] = c.date if c.sent is None else max(c.date, c.sent)
    last_logged = -1  # the place of the last row logged
    fourteen: tuple[int, ...] = ()
    if logged:
        places, fourteen = _places(rungs, ledger)
        for key in logged:
            i = places.get(key, -1)
            if i > last_logged:
                last_logged = i

    personal_reason = ""
    if settings.crisis_mode:
        personal_reason = "crisismodus"
    elif not customer.automatic:
        personal_reason = "automatische herinneringen uit voor deze klant"

    # Every row up to the last logged one counts as done; the next counts from that one.
    prev_done: date | None = None
    prev_name = ""
    consumed: set[int] = set()
    fourteen_day_sent: date | None = None
    if last_logged >= 0:
        done = rungs[last_logged]
        prev_done, prev_name = logged[done.key], done.step.name
        for i in fourteen:  # the last logged 14-day letter up to there starts the clock
            if i <= last_logged and rungs[i].key in logged:
                fourteen_day_sent = sent[rungs[i].key]
    for i in range(last_logged + 1, len(rungs)):
        step, key, delay, is_call, is_written, is_handover = rungs[i]
        base = ANCHOR[step.basis](due, prev_done) + delay
        if prev_done is not None and base < prev_done:
            base = prev_done

        converted = is_written and bool(personal_reason)
        if is_call or converted:
            since = prev_done if prev_done is not None else due
            attempts: list[Contact] = []
            answered: Contact | None = None
            for c in relevant:
                if id(c) in consumed or c.date < since or c.channel not in CALL_CHANNELS:
                    continue
                if c.outcome is None or c.outcome.reached:
                    answered = c
                    break
                attempts.append(c)
            if answered is not None or len(attempts) >= settings.max_call_attempts:
                done_by = answered if answered is not None else attempts[-1]
                consumed.update(id(c) for c in attempts)
                consumed.add(id(done_by))
                prev_done = done_by.date
                prev_name = step.name
                continue
            when = base
            if attempts:
                when = max(when, calendar.next_working_day(attempts[-1].date))
            when = calendar.call_day_on_or_after(max(when, as_of))
            reason = _step_reason(step, due, ledger, prev_name, prev_done)
            if converted:
                instead = f"persoonlijk beoordelen in plaats van {step.name}"
                reason = f"{instead} ({personal_reason}); {reason}"
            elif (
                score.good_payer and step.segment is not None and score.segment is not step.segment
            ):
                reason += "; goede betaler: eerst bellen"
            if attempts:
                reason += (
                    f"; {len(attempts)} van {settings.max_call_attempts} belpogingen zonder gehoor"
                )
            call = (Action.CALL, when, Channel.PHONE, step.name, reason, True)
            return new_tuple(LadderResult, call)

        if is_handover:
            when = base
            if customer.kind is CustomerKind.CONSUMER and fourteen_day_sent is not None:
                when = max(when, _costs_due(fourteen_day_sent))
            agency = _agency_name(settings.collection_agency) or "het incassobureau"
            reason = (
                f"{_step_reason(step, due, ledger, prev_name, prev_done)}; overdragen aan {agency}"
            )
            return new_tuple(
                LadderResult, (Action.COLLECTION, when, Channel.HANDOVER, step.name, reason, False)
            )

        reason = _step_reason(step, due, ledger, prev_name, prev_done)
        # In C (tuple.__new__ with every field): one result per open invoice.
        return new_tuple(LadderResult, (step.action, base, step.channel, step.name, reason, False))

    return LadderResult(Action.NONE, None, None, "", "alle stappen van de ladder zijn gedaan")


def _step_reason(
    step: Step, due: date, ledger: Ledger, prev_name: str, prev_done: date | None
) -> str:
    text = _overdue_text_of(due, ledger)
    if step.basis is Basis.PREVIOUS_STEP and prev_done is not None:
        after = f"{days_text(step.days)} na {prev_name} van {nl_date(prev_done)}"
        return f"{text}; stap {step.name}, {after}"
    return f"{text}; stap {step.name}"
