"""PLAYBOOK R1: good payers can be thanked (letters issue, item 2), as scenarios.

Eight customers G1..G8 each paid three invoices on time (good payers); their revenue grows
with their number, so the biggest are thanked first. Plan date Tuesday 24-11-2026.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from addin.core.letter_log import MadeLetter, contact_rows
from addin.core.model import Action, Channel
from addin.core.plan import plan_book
from addin.core.texts import THANK_STEP
from tests.core.booktext import book

TUESDAY = date(2026, 11, 24)
GOOD = [f"G{n}" for n in range(1, 9)]


def _text(extra: str = "", contacts: str = "") -> str:
    klanten = "\n".join(f"| {g} | Klant {g} | Zakelijk | Straat {g} |" for g in GOOD)
    facturen = "\n".join(
        f"| {g}-{m} | {g} | 2026-0{m}-01 | 2026-0{m}-28 | {100 * int(g[1:])}.00 |"
        for g in GOOD
        for m in (5, 6, 7)
    )
    betalingen = "\n".join(
        f"| 2026-0{m}-20 | {100 * int(g[1:])}.00 | {g}-{m} | {g} | Gekoppeld |"
        for g in GOOD
        for m in (5, 6, 7)
    )
    return f"""
    [klanten]
    | klant | naam | soort | adres |
    {klanten}
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    {facturen}
    {extra}
    [betalingen]
    | datum | bedrag | factuur | klant | status |
    {betalingen}
    | 2026-11-23 | 1.00 | | | Genegeerd |
    {contacts}
    """


def thanks(p):
    return [t.customer for t in p.letters if t.action is Action.THANK]


def test_off_by_default():
    assert thanks(plan_book(book(_text()), TUESDAY)) == []


def test_at_most_five_per_run_biggest_first_then_the_next_ones():
    b = book(_text(), thank_good_payers=True)
    p = plan_book(b, TUESDAY)
    assert thanks(p) == ["G8", "G7", "G6", "G5", "G4"]
    (task,) = [t for t in p.letters if t.customer == "G8"]
    assert (task.step, task.channel, task.invoices, task.total) == (
        THANK_STEP,
        Channel.EMAIL,
        (),
        0,
    )
    # logged: thanked at most once per 12 months; the others follow on the next run
    made = [MadeLetter(t, f"{t.customer}.pdf", t.channel) for t in p.letters]
    logged = replace(b, contacts=b.contacts + contact_rows(made, TUESDAY))
    assert {c.step for c in logged.contacts} == {THANK_STEP}
    assert thanks(plan_book(logged, TUESDAY)) == []  # five a day, also over two runs
    assert thanks(plan_book(logged, date(2026, 11, 25))) == ["G3", "G2", "G1"]


def test_at_most_once_per_twelve_months():
    def thanked_on(day: str):
        return book(
            f"""
        [contacten]
        | datum | klant | kanaal | stap     |
        | {day} | G8    | E-mail | Bedankje |
        """
        ).contacts

    b = book(_text(), thank_good_payers=True)
    assert "G8" not in thanks(plan_book(replace(b, contacts=thanked_on("2025-11-25")), TUESDAY))
    assert "G8" in thanks(plan_book(replace(b, contacts=thanked_on("2025-11-24")), TUESDAY))


def test_never_a_customer_with_something_overdue_disputed_or_under_an_agreement():
    extra = """
    | X8 | G8 | 2026-10-01 | 2026-10-31 | 50.00 |
    | X7 | G7 | 2026-11-01 | 2026-12-01 | 50.00 |
    """
    b = book(_text(extra), thank_good_payers=True)
    b = replace(
        b,
        invoices=tuple(
            replace(i, dispute="klacht over levering") if i.number == "X7" else i
            for i in b.invoices
        ),
    )
    assert thanks(plan_book(b, TUESDAY)) == ["G6", "G5", "G4", "G3", "G2"]


def test_an_invoice_that_is_open_but_not_yet_due_is_no_reason_to_wait():
    extra = "| X8 | G8 | 2026-11-20 | 2026-12-20 | 50.00 |"
    assert thanks(plan_book(book(_text(extra), thank_good_payers=True), TUESDAY))[0] == "G8"


def test_a_thank_you_is_no_personal_contact_and_holds_back_no_reminder():
    b = book(_text(), thank_good_payers=True)
    contacts = book(
        """
    [contacten]
    | datum      | klant | kanaal | stap     |
    | 2026-11-20 | G8    | E-mail | Bedankje |
    """
    ).contacts
    b = replace(b, contacts=contacts)
    p = plan_book(b, TUESDAY)
    assert "G8" not in thanks(p)
    # a reminder due the next day is not moved by the thank-you (bundling ignores it)
    extra = "| X8 | G8 | 2026-10-20 | 2026-11-20 | 50.00 |"
    b2 = book(_text(extra), thank_good_payers=True)
    without = next(a for a in plan_book(b2, TUESDAY).actions if a.invoice == "X8")
    with_thanks = replace(b2, contacts=contacts)
    x8 = next(a for a in plan_book(with_thanks, TUESDAY).actions if a.invoice == "X8")
    assert (x8.action, x8.date) == (without.action, without.date) == (Action.CALL, TUESDAY)
    # and the top customer G8 was never spoken to: the R3 prompt stays
    kinds = {(w.kind, "G8" in w.message) for w in plan_book(b, TUESDAY).warnings}
    assert ("contact-onderhouden", True) in kinds


def _keep_in_touch(p) -> set[str]:
    return {
        g
        for w in p.warnings
        if w.kind == "contact-onderhouden"
        for g in GOOD
        if f"({g})" in w.message
    }


def test_no_keep_in_touch_prompt_for_a_top_customer_with_an_overdue_invoice():
    """PLAYBOOK R3, seed 000 tip 6: contact "between invoices". G8 (top customer, never
    spoken to) with an overdue invoice gets its collection call; "bel eens zonder dat er
    iets openstaat" beside that call would contradict it. With the invoice not yet due, the
    prompt is there, and G7 (nothing open) keeps it either way."""
    overdue = "| X8 | G8 | 2026-10-20 | 2026-11-20 | 50.00 |"
    p = plan_book(book(_text(overdue)), TUESDAY)
    assert next(a for a in p.actions if a.invoice == "X8").action is Action.CALL
    assert "G8" not in _keep_in_touch(p) and "G7" in _keep_in_touch(p)
    not_due = "| X8 | G8 | 2026-11-20 | 2026-12-20 | 50.00 |"
    assert {"G8", "G7"} <= _keep_in_touch(plan_book(book(_text(not_due)), TUESDAY))
