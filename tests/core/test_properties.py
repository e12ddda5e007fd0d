"""Property tests: invariants of the engine on books and dates nobody wrote by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin.core import fourteen_days
from addin.core.agreements import schedule
from addin.core.ladder_default import DEFAULT_STEPS
from addin.core.ledger import Ledger
from addin.core.model import (
    Action,
    Agreement,
    AgreementKind,
    Book,
    Channel,
    Contact,
    ContactPerson,
    Customer,
    CustomerKind,
    Interval,
    Invoice,
    NextAction,
    Outcome,
    Payment,
    PaymentStatus,
    Role,
    Segment,
    Settings,
    Special,
    Status,
)
from addin.core.plan import next_actions, plan_book
from addin.core.rules import (
    RULES,
    SCREENED,
    Facts,
    decide,
    escalation_ladder,
    latest_outcome,
    make_action,
    marks,
    unmarked,
)
from addin.core.workdays import WorkCalendar, statutory_holidays

START = date(2025, 6, 1)
days = st.integers(min_value=0, max_value=600).map(lambda n: START + timedelta(days=n))
money = st.decimals(min_value=Decimal("-500"), max_value=Decimal("20000"), places=2)
positive = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2)
customer_ids = st.sampled_from(["K1", "K2", "K3", "K4"])
invoice_ids = st.sampled_from([f"F{i}" for i in range(12)])
step_names = st.sampled_from(["", *(s.name for s in DEFAULT_STEPS)])


@st.composite
def books(draw) -> Book:
    customers = tuple(
        Customer(
            number=number,
            name=f"Klant {number}",
            kind=draw(st.sampled_from(CustomerKind)),
            term_days=draw(st.none() | st.integers(0, 90)),
            automatic=draw(st.booleans()),
            segment=draw(st.none() | st.sampled_from(Segment)),
            special=draw(st.none() | st.none() | st.sampled_from(Special)),
            ibans=(f"NL00BANK{number}",),
            phone=draw(st.sampled_from(["", "010-1"])),
            row=i + 2,
        )
        for i, number in enumerate(["K1", "K2", "K3", "K4"])
    )
    invoices = []
    for i in range(draw(st.integers(0, 12))):
        issued = draw(days)
        invoices.append(
            Invoice(
                number=f"F{i}",
                customer=draw(customer_ids),
                invoice_date=issued,
                due_date=draw(
                    st.none() | st.just(issued + timedelta(days=draw(st.integers(0, 60))))
                ),
                amount=draw(money),
                paid=draw(st.sampled_from([Decimal("0.00"), Decimal("5.00")])),
                dispute=draw(st.sampled_from(["", "", "", "klacht"])),
                own_action=draw(st.sampled_from(["", "", "", "zelf bellen"])),
                own_action_date=draw(st.none() | days),
                row=i + 2,
            )
        )
    contacts = tuple(
        Contact(
            date=draw(days),
            customer=draw(customer_ids),
            channel=draw(st.sampled_from(Channel)),
            invoices=tuple(draw(st.lists(invoice_ids, max_size=2))),
            outcome=draw(st.none() | st.sampled_from(Outcome)),
            step=draw(step_names),
            row=i + 2,
        )
        for i in range(draw(st.integers(0, 10)))
    )
    payments = tuple(
        Payment(
            date=draw(days),
            amount=draw(money),
            status=draw(st.sampled_from(PaymentStatus)),
            invoice=draw(st.sampled_from(["", "F0", "F1", "F2", "F9"])),
            customer=draw(st.sampled_from(["", "K1"])),
            counter_account=draw(st.sampled_from(["", "NL00BANKK2"])),
            row=i + 2,
        )
        for i in range(draw(st.integers(0, 6)))
    )
    agreements = tuple(
        Agreement(
            id=f"A{i}",
            customer=draw(customer_ids),
            kind=draw(st.sampled_from(AgreementKind)),
            first_date=draw(days),
            invoices=tuple(draw(st.lists(invoice_ids, max_size=2))),
            agreed_on=draw(st.none() | days),
            amount=draw(st.none() | positive),
            instalments=draw(st.integers(1, 6)),
            interval=draw(st.sampled_from(Interval)),
            confirmation_sent=draw(st.none() | days),
            signed_returned=draw(st.booleans()),
            row=i + 2,
        )
        for i in range(draw(st.integers(0, 3)))
    )
    persons = (
        ContactPerson("K1", "Inge", Role.PURCHASING, "06-1"),
        ContactPerson("K1", "Adam", Role.ACCOUNTS, "06-2"),
    )
    call_days = draw(st.sampled_from([frozenset({1, 2, 3}), frozenset({0}), frozenset({4})]))
    return Book(
        settings=Settings(
            call_days=call_days,
            crisis_mode=draw(st.booleans()),
            max_call_attempts=draw(st.integers(1, 3)),
        ),
        customers=customers,
        contact_persons=persons,
        invoices=tuple(invoices),
        agreements=agreements,
        contacts=contacts,
        payments=payments,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=books(), as_of=days)
def test_plan_invariants(book: Book, as_of: date):
    plan = plan_book(book, as_of)
    assert plan == plan_book(book, as_of)  # deterministic, and the book is not changed
    # One action per invoice and one score per customer, in workbook order (all numbers
    # here are unique and known).
    assert [a.invoice for a in plan.actions] == [i.number for i in book.invoices]
    assert [s.customer for s in plan.scores] == [c.number for c in book.customers]
    ledger = Ledger.build(book, as_of)
    calendar = WorkCalendar(book.settings.call_days)
    for inv, a in zip(book.invoices, plan.actions, strict=True):
        linked = sum(
            (
                p.amount
                for p in book.payments
                if p.status is PaymentStatus.LINKED and p.invoice == inv.number
            ),
            Decimal(0),
        )
        assert a.open_amount == inv.amount - inv.paid - linked
        assert a.reason, a
        assert (a.status is Status.CREDIT_NOTE) == (inv.amount < 0)
        customer = next(c for c in book.customers if c.number == inv.customer)
        if a.status in (Status.PAID, Status.CREDIT_NOTE):
            # The short path builds the record positionally: every field in its place.
            assert a == NextAction(
                inv.number,
                inv.customer,
                a.status,
                a.open_amount,
                Action.NONE,
                a.reason,
                owner=customer.owner,
                due_date=ledger.due_of(inv.number),
            )
        if a.action is not Action.NONE:
            assert a.date is not None, a
            assert a.goal, a
        assert a.due_date == ledger.due_of(inv.number)
        # Ladder calls: only on call days that are working days, never in the past.
        if a.action is Action.CALL and a.step:
            assert a.date >= as_of
            assert calendar.is_working_day(a.date)
            assert a.date.weekday() in book.settings.call_days
        # Nothing is planned for insolvent customers but filing the claim.
        if customer.special is not None and a.status in (Status.OPEN, Status.OVERDUE):
            assert a.action in (Action.OWN, Action.RESOLVE)
    for letter in plan.letters:
        members = [a for a in plan.actions if a.invoice in letter.invoices]
        assert {a.customer for a in members} == {letter.customer}
        assert all(a.action is letter.action and a.date <= as_of for a in members)
        assert letter.total >= 0


@given(
    first=days,
    count=st.integers(1, 24),
    total=positive,
    interval=st.sampled_from(Interval),
    each=st.none() | positive,
)
def test_schedule_pays_exactly_the_total_in_order(first, count, total, interval, each):
    agr = Agreement(
        id="R",
        customer="K",
        kind=AgreementKind.ARRANGEMENT,
        first_date=first,
        instalments=count,
        interval=interval,
        instalment_amount=each,
    )
    got = schedule(agr, total)
    assert len(got) == count
    assert sum(i.amount for i in got) == total
    assert all(i.amount >= 0 for i in got)
    assert [i.due for i in got] == sorted(i.due for i in got)
    assert got[0].due == first


@given(day=days, call_days=st.frozensets(st.integers(0, 6)))
def test_calendar_moves_forward_to_the_right_kind_of_day(day, call_days):
    cal = WorkCalendar(call_days)
    nxt = cal.next_working_day(day)
    assert nxt > day and cal.is_working_day(nxt)
    assert all(not cal.is_working_day(day + timedelta(d)) for d in range(1, (nxt - day).days))
    call = cal.call_day_on_or_after(day)
    assert call >= day and cal.is_working_day(call)
    weekdays = call_days & {0, 1, 2, 3, 4} or {0, 1, 2, 3, 4}
    assert call.weekday() in weekdays


@given(posted=days)
def test_fourteen_day_term_is_never_too_early(posted):
    receipt = fourteen_days.presumed_receipt(posted)
    end = fourteen_days.term_end(posted)
    assert receipt >= posted + timedelta(days=2)
    assert receipt.weekday() not in (0, 6) and receipt not in statutory_holidays(receipt.year)
    assert end >= receipt + timedelta(days=14)
    assert end.weekday() < 5 and end not in statutory_holidays(end.year)
    assert fourteen_days.costs_due(posted) == end + timedelta(days=1)


def _open_facts(ledger: Ledger) -> list[tuple[int, Facts]]:
    """The facts of every open invoice, as plan.next_actions gathers them."""
    out = []
    for k in ledger.unsettled:
        inv = ledger.invoices[k]
        contacts = ledger.contacts_for(inv)
        who = inv.customer
        facts = Facts(
            inv, ledger.customers[who], ledger.scores[who], ledger.status_list[k],
            ledger.open_list[k], ledger.due_list[k], contacts, latest_outcome(contacts),
        )  # fmt: skip
        out.append((k, facts))
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=books(), as_of=days)
def test_every_rule_before_the_ladder_is_silent_for_an_unmarked_invoice(book: Book, as_of: date):
    assert (*SCREENED, escalation_ladder) == RULES
    ledger = Ledger.build(book, as_of)
    m = marks(ledger)
    for _, f in _open_facts(ledger):
        if unmarked(f, m):
            assert [rule(f, ledger) for rule in SCREENED] == [None] * len(SCREENED), f


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(book=books(), as_of=days)
def test_next_actions_is_decide_for_every_open_invoice(book: Book, as_of: date):
    ledger = Ledger.build(book, as_of)
    exp = list(ledger.settled)
    for k, f in _open_facts(ledger):
        exp[k] = make_action(f, decide(f, ledger), ledger)
    got = next_actions(Ledger.build(book, as_of))
    assert got == exp
