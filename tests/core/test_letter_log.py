"""What a letter run logs: the Contacten rows move the ladder on (nothing twice), the
Afspraken get their status and confirmation date, the Werklijst holds the day's plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from addin.core.letter_log import (
    CONFIRMATION_STEP,
    MadeLetter,
    agreement_updates,
    confirmed_agreements,
    contact_rows,
    werklijst_rows,
)
from addin.core.model import Action, AgreementState, Channel
from addin.core.plan import plan_book
from tests.core.booktext import book

DAY = date(2026, 11, 24)
BOOK = """
[klanten]
| klant | naam      | soort    | segment |
| K1    | Jansen BV | Zakelijk | C       |
| K2    | Groot BV  | Zakelijk | C       |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag |
| F1      | K1    | 2026-10-01   | 2026-10-31  | 100.00 |
| F2      | K1    | 2026-10-01   | 2026-10-31  | 200.00 |
| F3      | K2    | 2026-10-01   | 2026-10-31  | 300.00 |
[afspraken]
| afspraak | klant | facturen | soort      | datum afspraak | betaaldatum |
| T1       | K2    | F3       | Toezegging | 2026-11-20     | 2026-12-01  |
"""


def _made(plan):
    return tuple(
        MadeLetter(t, f"uitvoer/{t.customer}.pdf", Channel.LETTER_AND_EMAIL, "Piet")
        for t in plan.letters
    )


def test_logged_letters_are_not_made_again_the_same_day():
    b = book(BOOK)
    plan = plan_book(b, DAY)
    assert [(t.customer, t.action, t.invoices) for t in plan.letters] == [
        ("K1", Action.REMINDER, ("F1", "F2")),
        ("K2", Action.CONFIRM, ("F3",)),
    ]
    made = _made(plan)
    rows = contact_rows(made, DAY)
    assert [(r.customer, r.step, r.invoices, r.document) for r in rows] == [
        ("K1", "Herinnering", ("F1", "F2"), "uitvoer/K1.pdf"),
        ("K2", CONFIRMATION_STEP, ("F3",), "uitvoer/K2.pdf"),
    ]
    confirmed = confirmed_agreements(made)
    assert confirmed == {"T1"}
    after = replace(
        b,
        contacts=b.contacts + rows,
        agreements=tuple(replace(a, confirmation_sent=DAY) for a in b.agreements),
    )
    again = plan_book(after, DAY)
    assert again.letters == ()
    assert {a.invoice: a.action for a in again.actions} == {
        "F1": Action.CALL, "F2": Action.CALL, "F3": Action.WAIT}  # fmt: skip


def test_agreement_updates_set_status_and_confirmation_once():
    b = book(BOOK)
    states = (("T1", AgreementState.RUNNING),)
    got = agreement_updates(b.agreements, states, frozenset({"T1"}), DAY)
    assert got == (("T1", {"Status": "loopt", "Bevestiging verstuurd": DAY}),)
    already = tuple(replace(a, confirmation_sent=date(2026, 11, 21)) for a in b.agreements)
    assert agreement_updates(already, states, frozenset({"T1"}), DAY) == (
        ("T1", {"Status": "loopt"}),)  # fmt: skip


def test_werklijst_rows_hold_the_days_plan():
    b = book(BOOK)
    rows = werklijst_rows(plan_book(b, DAY), b)
    assert rows[0] == ("Werklijst 24-11-2026",)
    assert rows[1][:3] == ("Datum", "Actie", "Factuur")
    body = rows[2:]
    assert [r[2] for r in body] == ["F1", "F2", "F3"]
    assert {r[1] for r in body} == {"herinnering", "bevestigen"}
