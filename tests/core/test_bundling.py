"""Letters issue, item 8: no letters on consecutive days, and no step skipped.

Plan date is Tuesday 24-11-2026; "Brieven bundelen dagen" is 7 unless a test says otherwise,
so today's window ends on 1-12-2026. The default ladder: Herinnering 2 days after the due
date, Nabellen 7 days after that, Regeling aanbieden 7 days after the call.
"""

from __future__ import annotations

from datetime import date

from addin.core.plan import plan_book
from tests.core.booktext import assert_plan, book

TUESDAY = date(2026, 11, 24)

CUSTOMERS = """
[klanten]
| klant | naam      | soort    | segment | telefoon |
| K1    | Jansen BV | Zakelijk | C       | 010-1    |
| K2    | Groot BV  | Zakelijk | A       | 020-2    |
"""


def plan(text: str, as_of: date = TUESDAY, **settings):
    return plan_book(book(CUSTOMERS + text, **settings), as_of)


FOUR_INVOICES = """
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag |
| F1      | K1    | 2026-10-20   | 2026-11-20  | 100.00 |
| F2      | K1    | 2026-10-23   | 2026-11-23  | 200.00 |
| F3      | K1    | 2026-10-28   | 2026-11-28  | 300.00 |
| F4      | K1    | 2026-11-10   | 2026-12-10  | 400.00 |
"""


def test_the_same_step_joins_todays_letter_and_other_steps_wait_for_the_window():
    p = plan(FOUR_INVOICES)
    assert_plan(
        p,
        """
    | factuur | actie       | datum      | reden                                      |
    | F1      | herinnering | 2026-11-22 | stap Herinnering                           |
    | F2      | herinnering | 2026-11-24 | meegenomen in de brief van vandaag         |
    | F3      | herinnering | 2026-12-01 | verschoven naar 1-12-2026: de klant kreeg vandaag al een brief |
    | F4      | herinnering | 2026-12-12 | stap Herinnering                           |
    """,
    )
    (letter,) = p.letters
    assert letter.invoices == ("F1", "F2")


def test_without_bundling_the_letters_would_come_on_consecutive_days():
    """The fault the issue reports (K006): the window set to 0 brings it back."""
    p = plan(FOUR_INVOICES, bundle_days=0)
    assert_plan(
        p,
        """
    | factuur | actie       | datum      |
    | F2      | herinnering | 2026-11-25 |
    | F3      | herinnering | 2026-11-30 |
    """,
    )
    (letter,) = p.letters
    assert letter.invoices == ("F1",)


def test_after_a_letter_the_next_written_step_moves_to_the_windows_end():
    p = plan(
        FOUR_INVOICES
        + """
    [contacten]
    | datum      | klant | facturen | kanaal          | stap        |
    | 2026-11-22 | K1    | F1       | Brief en e-mail | Herinnering |
    """
    )
    assert_plan(
        p,
        """
    | factuur | actie       | datum      | reden                                       |
    | F1      | bellen      | 2026-12-01 | stap Nabellen                               |
    | F2      | herinnering | 2026-11-29 | de klant kreeg op 22-11-2026 al een brief   |
    | F3      | herinnering | 2026-11-30 | stap Herinnering                            |
    """,
    )
    assert p.letters == ()


def test_a_different_step_never_joins_it_waits():
    """F1 is at Regeling aanbieden today; F2's Herinnering would come tomorrow. Joining
    would let F2 skip nothing, but it is another step: it waits for the window's end."""
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-09-20   | 2026-10-20  | 100.00 |
    | F2      | K1    | 2026-10-23   | 2026-11-23  | 200.00 |
    [contacten]
    | datum      | klant | facturen | kanaal          | stap        | uitkomst |
    | 2026-10-22 | K1    | F1       | Brief en e-mail | Herinnering |          |
    | 2026-10-29 | K1    | F1       | Telefoon        | Nabellen    | Anders   |
    """)
    assert_plan(
        p,
        """
    | factuur | actie              | datum      | reden                     |
    | F1      | regeling-aanbieden | 2026-11-05 | stap Regeling aanbieden   |
    | F2      | herinnering        | 2026-12-01 | verschoven naar 1-12-2026 |
    """,
    )
    assert [(t.step, t.invoices) for t in p.letters] == [("Regeling aanbieden", ("F1",))]


def test_an_invoice_not_yet_overdue_never_joins_a_reminder():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-10-20   | 2026-11-20  | 100.00 |
    | F2      | K1    | 2026-10-26   | 2026-11-26  | 200.00 |
    """)
    assert_plan(
        p,
        """
    | factuur | actie       | datum      | status |
    | F1      | herinnering | 2026-11-22 | vervallen |
    | F2      | herinnering | 2026-12-01 | open      |
    """,
    )


def test_calls_are_not_moved():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag  |
    | G1      | K2    | 2026-10-20   | 2026-11-20  | 1000.00 |
    | G2      | K2    | 2026-10-22   | 2026-11-22  | 2000.00 |
    [contacten]
    | datum      | klant | facturen | kanaal | stap        |
    | 2026-11-23 | K2    | G1       | Brief  | Herinnering |
    """)
    assert_plan(
        p,
        """
    | factuur | actie  | datum      | stap   |
    | G2      | bellen | 2026-11-24 | Bellen |
    """,
    )


def test_the_letters_of_today_are_logged_and_tomorrow_brings_nothing():
    """Run the letters of today, log them, plan tomorrow: no letter for K1 on 25-11."""
    from dataclasses import replace

    from addin.core.letter_log import MadeLetter, contact_rows

    b = book(CUSTOMERS + FOUR_INVOICES)
    today = plan_book(b, TUESDAY)
    made = [MadeLetter(t, f"{t.customer}.pdf", t.channel) for t in today.letters]
    logged = replace(b, contacts=b.contacts + contact_rows(made, TUESDAY))
    for day in range(25, 31):
        assert plan_book(logged, date(2026, 11, day)).letters == (), day
    (letter,) = plan_book(logged, date(2026, 12, 1)).letters
    assert letter.invoices == ("F3",)
