"""Scenario tests: one or more per PLAYBOOK row, written as the workbook's own tables.

Plan date is Tuesday 24-11-2026 unless a test says otherwise; call days are di, wo, do.
Calendar facts used: 20-11-2026 is a Friday, 23-11 a Monday; 25 and 26-12-2026 are
Christmas (Friday, Saturday); 27-4-2026 is Koningsdag (Monday).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from addin.core.model import Action, AgreementState
from addin.core.plan import plan_book
from tests.core.booktext import assert_plan, book

TUESDAY = date(2026, 11, 24)

CUSTOMERS = """
[klanten]
| klant | naam        | soort       | segment | eigenaar | iban               | telefoon |
| K1    | Jansen BV   | Zakelijk    | C       | Anna     | NL91ABNA0417164300 | 010-1    |
| K2    | Groot BV    | Zakelijk    | A       | Bram     |                    | 020-2    |
| P1    | M. de Vries | Particulier | C       |          |                    | 06-3     |
| PA    | T. Bakker   | Particulier | A       |          |                    | 06-4     |
"""


def plan(text: str, as_of: date = TUESDAY, **settings):
    return plan_book(book(CUSTOMERS + text, **settings), as_of)


def action_of(p, number: str):
    return next(a for a in p.actions if a.invoice == number)


# --- P1 bank first -------------------------------------------------------------------------


def test_p1_unreviewed_payment_blocks_contact_by_customer_iban_and_amount():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-09-01   | 2026-10-01  | 100.00 |
    | F2      | K2    | 2026-09-01   | 2026-10-01  | 250.00 |
    | F3      | P1    | 2026-09-01   | 2026-10-01  | 75.50  |
    | F4      | PA    | 2026-09-01   | 2026-10-01  | 80.00  |
    [betalingen]
    | datum      | bedrag | factuur | klant | tegenrekening      | status      |
    | 2026-11-23 | 40.00  |         |       | NL91ABNA0417164300 | Controleren |
    | 2026-11-23 | 10.00  |         | K2    |                    | Controleren |
    | 2026-11-23 | 75.50  |         |       | NL44RABO0123456789 | Controleren |
    | 2026-11-23 | 80.00  |         |       | NL44RABO0123456789 | Genegeerd   |
    """)
    assert_plan(
        p,
        """
    | factuur | actie            | datum      | reden                          |
    | F1      | bank-controleren | 2026-11-24 | betaling van 23-11-2026 (€ 40,00 |
    | F2      | bank-controleren | 2026-11-24 | Betalingen rij 3               |
    | F3      | bank-controleren | 2026-11-24 | € 75,50                        |
    | F4      | herinnering      | 2026-10-03 | stap Herinnering               |
    """,
    )


def test_p1_linked_payments_count_as_paid_and_partial_payment_keeps_rest_open():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag | betaald |
    | F1      | K1    | 2026-09-01   | 2026-10-01  | 100.00 |         |
    | F2      | K1    | 2026-09-01   | 2026-10-01  | 300.00 | 50.00   |
    [betalingen]
    | datum      | bedrag | factuur | klant | status    |
    | 2026-11-20 | 100.00 | F1      | K1    | Gekoppeld |
    | 2026-11-20 | 100.00 | F2      | K1    | Gekoppeld |
    """)
    assert_plan(
        p,
        """
    | factuur | actie       | status    | open   | reden            |
    | F1      | geen        | betaald   | 0.00   | betaald op 20-11 |
    | F2      | herinnering | vervallen | 150.00 | stap Herinnering |
    """,
    )


# --- P2 "zegt betaald" ------------------------------------------------------------------------


def test_p2_says_paid_asks_for_proof_next_working_day_until_a_later_contact():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-09-01   | 2026-10-01  | 100.00 |
    | F2      | K1    | 2026-09-01   | 2026-10-01  | 200.00 |
    [contacten]
    | datum      | klant | facturen | kanaal   | uitkomst     | stap        |
    | 2026-10-03 | K1    | F1, F2   | Brief    |              | Herinnering |
    | 2026-11-20 | K1    | F1, F2   | Telefoon | Zegt betaald |             |
    | 2026-11-23 | K1    | F2       | E-mail   | Anders       |             |
    """)
    assert_plan(
        p,
        """
    | factuur | actie               | datum      | reden                          |
    | F1      | betaalbewijs-vragen | 2026-11-23 | zegt op 20-11-2026 betaald     |
    | F2      | regeling-aanbieden  | 2026-11-27 | 7 dagen na Nabellen van 20-11  |
    """,
    )


# --- P3 disputes --------------------------------------------------------------------------


def test_p3_dispute_in_facturen_or_logged_takes_invoice_out_of_the_flow():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag | geschil              |
    | F1      | K1    | 2026-09-01   | 2026-10-01  | 100.00 | levering onvolledig  |
    | F2      | K1    | 2026-09-01   | 2026-10-01  | 100.00 |                      |
    | F3      | K2    | 2026-09-01   | 2026-10-01  | 100.00 |                      |
    [contacten]
    | datum      | klant | facturen | kanaal   | uitkomst | doel               |
    | 2026-11-02 | K1    | F2       | Telefoon | Geschil  | uren niet akkoord  |
    | 2026-11-02 | K2    |          | Telefoon | Geschil  | klacht over dienst |
    """)
    assert_plan(
        p,
        """
    | factuur | actie           | reden                                     |
    | F1      | intern-oplossen | geschil: levering onvolledig              |
    | F2      | intern-oplossen | geschil gemeld op 2-11-2026: uren niet    |
    | F3      | intern-oplossen | klacht over dienst                        |
    """,
    )


# --- P4 the customer's own term -------------------------------------------------------------


def test_p4_own_term_wins_and_empty_due_date_uses_the_term():
    p = plan_book(
        book(
            """
    [klanten]
    | klant | naam   | soort    | segment | betaaltermijn |
    | K1    | Eigen  | Zakelijk | C       | 60            |
    | K2    | Gewoon | Zakelijk | C       |               |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-10-01   | 2026-10-31  | 100.00 |
    | F2      | K1    | 2026-10-01   |             | 100.00 |
    | F3      | K2    | 2026-10-01   |             | 100.00 |
    | F4      | K2    | 2026-10-01   | 2026-10-15  | 100.00 |
    """,
            default_term_days=14,
        ),
        TUESDAY,
    )
    assert_plan(
        p,
        """
    | factuur | actie       | status    | datum      |
    | F1      | herinnering | open      | 2026-12-02 |
    | F2      | herinnering | open      | 2026-12-02 |
    | F3      | herinnering | vervallen | 2026-10-17 |
    | F4      | herinnering | vervallen | 2026-10-17 |
    """,
    )


# --- P5 goal ------------------------------------------------------------------------------------


def test_p5_every_action_states_its_goal():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag | geschil |
    | F1      | K1    | 2026-09-01   | 2026-10-01  | 100.00 |         |
    | F2      | K2    | 2026-11-01   | 2026-11-20  | 100.00 |         |
    | F3      | K1    | 2026-09-01   | 2026-10-01  | 100.00 | te laat |
    """)
    assert all(a.goal for a in p.actions), [(a.invoice, a.action) for a in p.actions if not a.goal]
    assert action_of(p, "F2").goal == "betaaldatum of regeling afspreken"


# --- L1, L2 first step and call first ---------------------------------------------------------


def test_l1_l2_first_step_two_days_after_due_call_first_for_segment_a_business():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-10-20   | 2026-11-19  | 100.00 |
    | F2      | K2    | 2026-10-20   | 2026-11-19  | 100.00 |
    | F3      | PA    | 2026-10-20   | 2026-11-19  | 100.00 |
    | F4      | K1    | 2026-11-20   | 2026-12-20  | 100.00 |
    """)
    assert_plan(
        p,
        """
    | factuur | actie       | datum      | status    | kanaal          | stap        |
    | F1      | herinnering | 2026-11-21 | vervallen | Brief en e-mail | Herinnering |
    | F2      | bellen      | 2026-11-24 | vervallen | Telefoon        | Bellen      |
    | F3      | herinnering | 2026-11-21 | vervallen | Brief en e-mail | Herinnering |
    | F4      | herinnering | 2026-12-22 | open      | Brief en e-mail | Herinnering |
    """,
    )


def test_l1_a_negative_na_dagen_never_dates_a_step_before_what_it_counts_from():
    # Herinnering -5 from the due date made a letter on 22-11 for an invoice due 27-11, and
    # again every day after (a contact before the due date never counts as the step done);
    # Nabellen -3 after it would come before it. Both are walked as 0 and reported
    # (tests/core/test_checks.py).
    ladder = """
    [stappen]
    | stap        | na dagen | vanaf       | actie       | kanaal          | voor | segment |
    | Herinnering | -5       | Vervaldatum | herinnering | Brief en e-mail | Alle | Alle    |
    | Nabellen    | -3       | Vorige stap | bellen      | Telefoon        | Alle | Alle    |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-10-20   | 2026-11-27  | 100.00 |
    | F2      | K2    | 2026-10-01   | 2026-11-02  | 100.00 |
    [contacten]
    | datum      | klant | facturen | kanaal | stap        |
    | 2026-11-19 | K2    | F2       | Brief  | Herinnering |
    """
    p = plan(ladder)
    assert p.letters == ()
    assert_plan(
        p,
        """
    | factuur | actie       | datum      | stap        |
    | F1      | herinnering | 2026-11-27 | Herinnering |
    | F2      | bellen      | 2026-11-24 | Nabellen    |
    """,
    )
    assert action_of(p, "F2").reason.endswith("0 dagen na Herinnering van 19-11-2026")


def test_l2_good_payer_gets_the_call_first_row():
    # K1 makes under 5% of revenue (segment C) but paid four invoices on time.
    paid = "\n".join(f"| G{i} | K1 | 2026-0{i}-01 | 2026-0{i}-28 | 100.00 |" for i in range(3, 7))
    pays = "\n".join(f"| 2026-0{i}-27 | 100.00 | G{i} | K1 | Gekoppeld |" for i in range(3, 7))
    p = plan_book(
        book(f"""
    [klanten]
    | klant | naam  | soort    |
    | KB    | Groot | Zakelijk |
    | K1    | Klein | Zakelijk |
    | K2    | Laat  | Zakelijk |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag   |
    | B1      | KB    | 2026-05-01   | 2026-05-31  | 20000.00 |
    {paid}
    | F1      | K1    | 2026-10-20   | 2026-11-19  | 100.00   |
    | F2      | K2    | 2026-10-20   | 2026-11-19  | 50.00    |
    [betalingen]
    | datum | bedrag | factuur | klant | status |
    | 2026-05-30 | 20000.00 | B1 | KB | Gekoppeld |
    {pays}
    """),
        TUESDAY,
    )
    assert_plan(
        p,
        """
    | factuur | actie       | datum      | reden                        |
    | F1      | bellen      | 2026-11-24 | goede betaler: eerst bellen  |
    | F2      | herinnering | 2026-11-21 | stap Herinnering             |
    """,
    )
    scores = {s.customer: s for s in p.scores}
    assert (scores["K1"].good_payer, scores["K1"].paid_invoices, scores["K1"].share_late) == (
        True,
        4,
        0,
    )
    assert [scores[k].segment.value for k in ("KB", "K1", "K2")] == ["A", "C", "C"]


# --- L3, L7 call attempts ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("calls", "exp_action", "exp_date", "exp_reason"),
    [
        ("", "bellen", "2026-11-24", "stap Bellen"),
        (
            "| 2026-11-17 | K2 | F1 | Telefoon | Geen gehoor |",
            "bellen",
            "2026-11-24",
            "1 van 3 belpogingen",
        ),
        ("| 2026-11-24 | K2 | F1 | Telefoon | Voicemail |", "bellen", "2026-11-25", "1 van 3"),
        (
            "| 2026-11-12 | K2 | F1 | Telefoon | Geen gehoor |\n"
            "| 2026-11-13 | K2 | F1 | Telefoon | Voicemail |\n"
            "| 2026-11-17 | K2 |    | Telefoon | Geen gehoor |",
            "herinnering",
            "2026-11-17",
            "stap Herinnering",
        ),
        (
            "| 2026-11-18 | K2 | F1 | Telefoon | Anders |",
            "herinnering",
            "2026-11-18",
            "stap Herinnering",
        ),
    ],
    ids=["no-call-yet", "one-miss", "voicemail-today", "max-attempts", "answered"],
)
def test_l3_l7_calls_until_answered_or_max_attempts_then_letter(
    calls, exp_action, exp_date, exp_reason
):
    p = plan(f"""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K2    | 2026-10-01   | 2026-11-09  | 100.00 |
    [contacten]
    | datum | klant | facturen | kanaal | uitkomst |
    {calls}
    """)
    assert_plan(
        p,
        f"""
    | factuur | actie        | datum      | reden         |
    | F1      | {exp_action} | {exp_date} | {exp_reason}  |
    """,
    )


def test_l7_max_call_attempts_is_a_setting():
    p = plan(
        """
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K2    | 2026-10-01   | 2026-11-09  | 100.00 |
    [contacten]
    | datum      | klant | facturen | kanaal   | uitkomst    |
    | 2026-11-17 | K2    | F1       | Telefoon | Geen gehoor |
    """,
        max_call_attempts=1,
    )
    assert action_of(p, "F1").action is Action.REMINDER


# --- L4, L5, L8 the ladder to the end ----------------------------------------------------------


LADDER_LOG = {
    "herinnering": "| 2026-10-03 | {k} | F1 | Brief en e-mail | | Herinnering |",
    "nabellen": "| 2026-10-12 | {k} | F1 | Telefoon | Anders | |",
    "regeling": "| 2026-10-19 | {k} | F1 | Brief en e-mail | | Regeling aanbieden |",
    "laatste": "| 2026-11-02 | {k} | F1 | Brief en e-mail | | Laatste herinnering |",
    "veertien": "| 2026-11-09 | {k} | F1 | Brief | | Veertiendagenbrief |",
}


@pytest.mark.parametrize(
    ("customer", "logged", "exp"),
    [
        (
            "K1",
            ["herinnering"],
            "| F1 | bellen | 2026-11-24 | Nabellen | 7 dagen na Herinnering van 3-10-2026 |",
        ),
        (
            "K1",
            ["herinnering", "nabellen"],
            "| F1 | regeling-aanbieden | 2026-10-19 | Regeling aanbieden | |",
        ),
        (
            "K1",
            ["herinnering", "nabellen", "regeling"],
            "| F1 | laatste-herinnering | 2026-11-02 | Laatste herinnering | |",
        ),
        (
            "K1",
            ["herinnering", "nabellen", "regeling", "laatste"],
            "| F1 | incasso | 2026-11-23 | Incasso | overdragen aan Incasso Noord |",
        ),
        (
            "P1",
            ["herinnering", "nabellen", "regeling", "laatste"],
            "| F1 | veertiendagenbrief | 2026-11-09 | Veertiendagenbrief | |",
        ),
        # 14-day letter posted Mon 9-11: received Wed 11-11, term ends 25-11, costs due 26-11;
        # the Incasso row's own date (9-11 + 21 days = 30-11) is later, so it stands.
        (
            "P1",
            ["herinnering", "nabellen", "regeling", "laatste", "veertien"],
            "| F1 | incasso | 2026-11-30 | Incasso | |",
        ),
        # A logged later step marks every earlier row done (pulled into a later letter).
        ("K1", ["laatste"], "| F1 | incasso | 2026-11-23 | Incasso | |"),
    ],
    ids=[
        "after-first-letter",
        "after-call",
        "after-offer",
        "business-handover",
        "consumer-14-day",
        "consumer-handover",
        "later-step-marks-earlier",
    ],
)
def test_l4_l5_l8_walk_the_ladder(customer, logged, exp):
    rows = "\n".join(LADDER_LOG[k].format(k=customer) for k in logged)
    p = plan(
        f"""
    [facturen]
    | factuur | klant      | factuurdatum | vervaldatum | bedrag |
    | F1      | {customer} | 2026-09-01   | 2026-10-01  | 500.00 |
    [contacten]
    | datum | klant | facturen | kanaal | uitkomst | stap |
    {rows}
    """,
        collection_agency="Incasso Noord BV, Postbus 1, Groningen",
    )
    assert_plan(p, "| factuur | actie | datum | stap | reden |\n" + exp)


def test_l8_consumer_handover_never_before_costs_are_due():
    # 14-day letter posted Friday 20-11-2026: received Tue 24-11 (Sun and Mon do not count),
    # term ends Tue 8-12, costs due Wed 9-12; Incasso's own date (20-11 + 21 = 11-12) is later.
    # With a ladder whose Incasso row follows after 1 day, the law decides the date.
    p = plan("""
    [stappen]
    | stap               | na dagen | vanaf       | actie              | kanaal     | voor        | segment |
    | Veertiendagenbrief | 2        | Vervaldatum | veertiendagenbrief | Brief      | Particulier | Alle    |
    | Incasso            | 1        | Vorige stap | incasso            | Overdracht | Alle        | Alle    |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | P1    | 2026-09-01   | 2026-10-01  | 500.00 |
    [contacten]
    | datum      | klant | facturen | kanaal | stap               |
    | 2026-11-20 | P1    | F1       | Brief  | Veertiendagenbrief |
    """)
    assert_plan(p, "| factuur | actie | datum |\n| F1 | incasso | 2026-12-09 |")


@pytest.mark.parametrize(
    ("sent", "posted", "due"),
    [
        # E-mailed Friday 20-11 and nothing posted: counted from the e-mail (costs due 9-12).
        (date(2026, 11, 20), None, "2026-12-09"),
        # Its paper copy posted Monday 23-11: received Wed 25-11 (Monday does not count),
        # term ends Wed 9-12, costs due Thu 10-12. The later day counts: whether the e-mail
        # alone was a valid aanmaning the workbook cannot tell.
        (date(2026, 11, 20), date(2026, 11, 23), "2026-12-10"),
        # Posted the same day as the e-mail: nothing changes.
        (date(2026, 11, 20), date(2026, 11, 20), "2026-12-09"),
        # E-mailed three days after the letter was made, posted on the day it was made:
        # the later day, the e-mail's, counts (as posting on Monday 23-11 would: 10-12).
        (date(2026, 11, 23), date(2026, 11, 20), "2026-12-10"),
    ],
    ids=["e-mail-only", "posted-later", "posted-same-day", "e-mailed-later"],
)
def test_l8_fourteen_day_letter_sent_both_ways_counts_from_the_later_day(sent, posted, due):
    b = book(
        CUSTOMERS
        + """
    [stappen]
    | stap               | na dagen | vanaf       | actie              | kanaal          | voor        | segment |
    | Veertiendagenbrief | 2        | Vervaldatum | veertiendagenbrief | Brief en e-mail | Particulier | Alle    |
    | Incasso            | 1        | Vorige stap | incasso            | Overdracht      | Alle        | Alle    |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | P1    | 2026-09-01   | 2026-10-01  | 500.00 |
    [contacten]
    | datum      | klant | facturen | kanaal          | stap               |
    | 2026-11-20 | P1    | F1       | Brief en e-mail | Veertiendagenbrief |
    """
    )
    letter = replace(b.contacts[0], sent=sent, posted=posted)
    p = plan_book(replace(b, contacts=(letter,)), TUESDAY)
    assert_plan(p, f"| factuur | actie | datum |\n| F1 | incasso | {due} |")


def test_l8_handed_over_invoice_needs_nothing():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-06-01   | 2026-07-01  | 500.00 |
    [contacten]
    | datum      | klant | facturen | kanaal     | met            |
    | 2026-10-01 | K1    | F1       | Overdracht | Incasso Noord  |
    """)
    assert_plan(
        p,
        "| factuur | actie | reden |\n| F1 | geen | overgedragen aan Incasso Noord op 1-10-2026 |",
    )


def test_l4_consumer_fourteen_day_letter_covers_every_overdue_claim():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | P1    | 2026-08-01   | 2026-09-01  | 500.00 |
    | F2      | P1    | 2026-10-01   | 2026-11-01  | 120.00 |
    | F3      | P1    | 2026-11-20   | 2026-12-20  | 80.00  |
    [contacten]
    | datum      | klant | facturen | kanaal | stap                |
    | 2026-10-01 | P1    | F1       | Brief  | Laatste herinnering |
    """)
    assert_plan(
        p,
        """
    | factuur | actie              | datum      | reden                              |
    | F1      | veertiendagenbrief | 2026-10-08 | stap Veertiendagenbrief            |
    | F2      | veertiendagenbrief | 2026-10-08 | art. 6:96 lid 7 BW                 |
    | F3      | herinnering        | 2026-12-22 | vervalt op 20-12-2026              |
    """,
    )
    (letter,) = [t for t in p.letters if t.action is Action.FOURTEEN_DAY_LETTER]
    assert letter.invoices == ("F1", "F2")
    assert str(letter.total) == "620.00"


# --- A1-A4 promises and arrangements --------------------------------------------------------------


def test_a1_a3_promise_waits_is_confirmed_and_a_missed_one_is_called_next_working_day():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-09-01   | 2026-10-01  | 100.00 |
    | F2      | K1    | 2026-09-01   | 2026-10-01  | 200.00 |
    | F3      | K2    | 2026-09-01   | 2026-10-01  | 300.00 |
    | F4      | P1    | 2026-09-01   | 2026-10-01  | 400.00 |
    [afspraken]
    | afspraak | klant | facturen | soort      | datum afspraak | betaaldatum | bevestiging verstuurd |
    | T1       | K1    | F1       | Toezegging | 2026-11-10     | 2026-11-27  | 2026-11-10            |
    | T2       | K1    | F2       | Toezegging | 2026-11-23     | 2026-11-30  |                       |
    | T3       | K2    |          | Toezegging | 2026-11-10     | 2026-11-20  | 2026-11-10            |
    | T4       | P1    | F4       | Toezegging | 2026-11-10     | 2026-11-24  | 2026-11-10            |
    """)
    assert_plan(
        p,
        """
    | factuur | actie      | datum      | reden                                      |
    | F1      | wachten    | 2026-11-27 | betaling beloofd op 27-11-2026             |
    | F2      | bevestigen | 2026-11-23 | toezegging T2 van 23-11-2026 nog niet       |
    | F3      | bellen     | 2026-11-23 | toezegging 20-11-2026 niet nagekomen       |
    | F4      | wachten    | 2026-11-24 | 24-11-2026                                 |
    """,
    )
    states = dict(p.agreement_states)
    assert states == {
        "T1": AgreementState.RUNNING,
        "T2": AgreementState.RUNNING,
        "T3": AgreementState.MISSED,
        "T4": AgreementState.RUNNING,
    }


def test_a3_missed_promise_before_christmas_is_called_after_the_holidays():
    p = plan(
        """
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-09-01   | 2026-10-01  | 100.00 |
    [afspraken]
    | afspraak | klant | facturen | soort      | datum afspraak | betaaldatum | getekend retour |
    | T1       | K1    | F1       | Toezegging | 2026-12-01     | 2026-12-24  | Ja              |
    """,
        as_of=date(2026, 12, 29),
    )
    assert_plan(p, "| factuur | actie | datum |\n| F1 | bellen | 2026-12-28 |")


def test_a3_after_speaking_about_a_missed_promise_the_ladder_takes_over():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-09-01   | 2026-10-01  | 100.00 |
    [afspraken]
    | afspraak | klant | facturen | soort      | datum afspraak | betaaldatum | getekend retour |
    | T1       | K1    | F1       | Toezegging | 2026-10-05     | 2026-10-20  | Ja              |
    [contacten]
    | datum      | klant | facturen | kanaal   | uitkomst | stap        |
    | 2026-10-03 | K1    | F1       | Brief    |          | Herinnering |
    | 2026-10-21 | K1    | F1       | Telefoon | Anders   |             |
    """)
    assert_plan(p, "| factuur | actie | stap |\n| F1 | regeling-aanbieden | Regeling aanbieden |")


def test_a2_arrangement_instalments_paid_running_and_missed():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-06-01   | 2026-07-01  | 600.00 |
    | F2      | P1    | 2026-06-01   | 2026-07-01  | 600.00 |
    [afspraken]
    | afspraak | klant | facturen | soort   | datum afspraak | bedrag | betaaldatum | aantal termijnen | interval | bevestiging verstuurd | getekend retour |
    | R1       | K1    | F1       | Regeling | 2026-09-01    | 600.00 | 2026-10-15  | 3                | Maand    | 2026-09-01            | Nee             |
    | R2       | P1    | F2       | Regeling | 2026-09-01    | 600.00 | 2026-10-15  | 3                | Maand    | 2026-09-01            | Ja              |
    [betalingen]
    | datum      | bedrag | factuur | status    |
    | 2026-10-15 | 200.00 | F1      | Gekoppeld |
    | 2026-11-14 | 200.00 | F1      | Gekoppeld |
    | 2026-10-15 | 200.00 | F2      | Gekoppeld |
    """)
    # 15-11-2026 is a Sunday: the missed instalment is called on Monday.
    assert_plan(
        p,
        """
    | factuur | actie   | datum      | open   | reden                                                  |
    | F1      | wachten | 2026-12-15 | 200.00 | termijn 3 van 3 (€ 200,00) op 15-12-2026; getekende     |
    | F2      | bellen  | 2026-11-16 | 400.00 | termijn 2 van regeling R2 (15-11-2026, € 200,00) niet  |
    """,
    )


def test_a4_unreasonable_arrangement_is_warned():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-06-01   | 2026-07-01  | 600.00 |
    [afspraken]
    | afspraak | klant | facturen | soort    | datum afspraak | betaaldatum | aantal termijnen | getekend retour |
    | R1       | K1    | F1       | Regeling | 2026-11-01     | 2026-11-30  | 24               | Ja              |
    """)
    kinds = {w.kind for w in p.warnings}
    assert {"regeling-te-lang", "termijn-te-laag"} <= kinds


# --- W1 call days, working days ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "as_of", "call_days", "exp"),
    [
        ("2026-11-18", "2026-11-19", frozenset({1, 2, 3}), "2026-11-24"),  # base Fri 20-11 -> Tue
        ("2026-11-18", "2026-11-23", frozenset({1, 2, 3}), "2026-11-24"),  # Monday is no call day
        (
            "2026-12-21",
            "2026-12-21",
            frozenset({4}),
            "2027-01-01",
        ),  # base 23-12; Fri 25-12 Christmas
        ("2026-04-20", "2026-04-20", frozenset({0}), "2026-05-04"),  # Mon 27-4 is Koningsdag
    ],
    ids=["friday-to-tuesday", "not-on-monday", "christmas", "koningsdag"],
)
def test_w1_ladder_calls_on_call_days_that_are_working_days(due, as_of, call_days, exp):
    p = plan(
        f"""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K2    | 2026-01-01   | {due}       | 100.00 |
    """,
        as_of=date.fromisoformat(as_of),
        call_days=call_days,
    )
    got = action_of(p, "F1")
    if exp == "2027-01-01":  # New Year's Day is no working day either: the Friday after
        exp = "2027-01-08"
    assert (got.action, got.date.isoformat()) == (Action.CALL, exp)


# --- W2, W3 who -----------------------------------------------------------------------------------


def test_w2_w3_owner_and_the_right_contact_person():
    p = plan("""
    [contactpersonen]
    | klant | naam  | functie       | telefoon | e-mail        |
    | K2    | Adm   | Administratie | 020-9    | adm@groot.nl  |
    | K2    | Dir   | Directie      | 020-8    | dir@groot.nl  |
    | K1    | Adm1  | Administratie |          | a@jansen.nl   |
    | K1    | Inkp  | Inkoop        | 010-7    |               |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K2    | 2026-10-01   | 2026-11-19  | 100.00 |
    | F2      | K1    | 2026-10-01   | 2026-11-19  | 100.00 |
    """)
    call, letter = action_of(p, "F1"), action_of(p, "F2")
    assert (call.action, call.contact, call.phone, call.owner) == (
        Action.CALL,
        "Dir",
        "020-8",
        "Bram",
    )
    assert (letter.action, letter.contact, letter.email, letter.owner) == (
        Action.REMINDER,
        "Adm1",
        "a@jansen.nl",
        "Anna",
    )


# --- W4 crisis mode and Automatisch ----------------------------------------------------------------


def test_w4_crisis_mode_turns_letters_into_personal_calls():
    text = """
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-10-01   | 2026-11-02  | 100.00 |
    """
    assert action_of(plan(text), "F1").action is Action.REMINDER
    got = action_of(plan(text, crisis_mode=True), "F1")
    assert (got.action, got.date) == (Action.CALL, TUESDAY)
    assert "persoonlijk beoordelen in plaats van Herinnering (crisismodus)" in got.reason


def test_w4_automatic_off_per_customer():
    p = plan_book(
        book("""
    [klanten]
    | klant | naam | soort    | segment | automatisch |
    | K1    | Zelf | Zakelijk | C       | Nee         |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-10-01   | 2026-11-02  | 100.00 |
    [contacten]
    | datum      | klant | facturen | kanaal   | uitkomst |
    | 2026-11-05 | K1    | F1       | Telefoon | Anders   |
    """),
        TUESDAY,
    )
    got = action_of(p, "F1")
    # The first written row became a call and that call was made: next is Nabellen.
    assert (got.action, got.step) == (Action.CALL, "Nabellen")


# --- W5 manual override ---------------------------------------------------------------------------


def test_w5_manual_override_wins_until_its_date():
    text = """
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag | eigen actie          | eigen actiedatum | geschil |
    | F1      | K1    | 2026-09-01   | 2026-10-01  | 100.00 | bezoek op de beurs   | 2026-11-30       | ja      |
    | F2      | K1    | 2026-09-01   | 2026-10-01  | 100.00 | niet aanmanen        |                  |         |
    """
    assert_plan(
        plan(text),
        """
    | factuur | actie       | datum      | reden                                            |
    | F1      | eigen-actie | 2026-11-30 | eigen actie: bezoek op de beurs (tot en met 30-11 |
    | F2      | eigen-actie | 2026-11-24 | niet aanmanen                                    |
    """,
    )
    assert action_of(plan(text, as_of=date(2026, 12, 1)), "F1").action is Action.RESOLVE


# --- Q1-Q3 practice ------------------------------------------------------------------------------


def test_q1_open_credit_notes_are_subtracted_in_the_letter():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag  |
    | F1      | K1    | 2026-10-01   | 2026-11-02  | 500.00  |
    | F2      | K1    | 2026-10-01   | 2026-11-02  | 250.00  |
    | C1      | K1    | 2026-10-15   | 2026-11-15  | -100.00 |
    """)
    assert_plan(p, "| factuur | actie | status |\n| C1 | geen | creditnota |")
    (letter,) = p.letters
    assert (letter.invoices, letter.credit_notes, str(letter.total)) == (
        ("F1", "F2"),
        ("C1",),
        "650.00",
    )


def test_q1_credit_notes_covering_everything_mean_settle_not_remind():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag  |
    | F1      | K1    | 2026-10-01   | 2026-11-02  | 100.00  |
    | C1      | K1    | 2026-10-15   | 2026-11-15  | -150.00 |
    """)
    assert_plan(
        p, "| factuur | actie | reden |\n| F1 | intern-oplossen | dekken het vervallen bedrag |"
    )
    assert p.letters == ()


def test_q2_no_reminder_under_the_minimum():
    p = plan("""
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag | betaald |
    | F1      | K1    | 2026-10-01   | 2026-11-02  | 100.00 | 95.01   |
    | F2      | K1    | 2026-10-01   | 2026-11-02  | 9.99    |        |
    | F3      | K1    | 2026-10-01   | 2026-11-02  | 10.00   |        |
    """)
    assert_plan(
        p,
        """
    | factuur | actie       | reden                                         |
    | F1      | geen        | open € 4,99 is minder dan het minimum van € 10,00 |
    | F2      | geen        | minimum                                       |
    | F3      | herinnering | stap Herinnering                              |
    """,
    )


@pytest.mark.parametrize(
    ("special", "exp"), [("Faillissement", "curator"), ("Schuldsanering", "bewindvoerder")]
)
def test_q3_insolvency_means_no_reminders(special, exp):
    p = plan_book(
        book(f"""
    [klanten]
    | klant | naam | soort    | bijzonderheid |
    | K1    | Weg  | Zakelijk | {special}     |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag |
    | F1      | K1    | 2026-10-01   | 2026-11-02  | 100.00 |
    """),
        TUESDAY,
    )
    assert_plan(p, f"| factuur | actie | reden |\n| F1 | intern-oplossen | {exp} |")


# --- precedence, exactly as DESIGN.md lists it ----------------------------------------------------

# Each rule in order; the invoice below matches all of them. Removing the winner each time
# must reveal the next one in DESIGN.md's order.
PRECEDENCE = [
    ("paid", "geen"),
    ("override", "eigen-actie"),
    ("special", "intern-oplossen"),
    ("dispute", "intern-oplossen"),
    ("bank", "bank-controleren"),
    ("says-paid", "betaalbewijs-vragen"),
    ("promise", "bevestigen"),
    ("minimum", "geen"),
    ("ladder", "herinnering"),
]


def _everything(without: set[str]):
    def on(key: str, text: str) -> str:
        return "" if key in without else text

    return f"""
    [klanten]
    | klant | naam | soort    | segment | bijzonderheid                        |
    | K1    | Alles| Zakelijk | C       | {on("special", "Faillissement")}     |
    [facturen]
    | factuur | klant | factuurdatum | vervaldatum | bedrag | eigen actie                 | geschil                   |
    | F1      | K1    | 2026-09-01   | 2026-10-01  | 5.00   | {on("override", "zelf doen")} | {on("dispute", "klacht")} |
    [betalingen]
    | datum      | bedrag                      | factuur | klant | status                                      |
    | 2026-11-20 | {on("paid", "5.00") or "1.00"} | F1      | K1    | {"Gekoppeld" if "paid" not in without else "Genegeerd"} |
    | 2026-11-23 | 3.00                        |         | {on("bank", "K1")} | Controleren                 |
    [contacten]
    | datum      | klant | facturen | kanaal   | uitkomst                        |
    | 2026-11-20 | K1    | F1       | Telefoon | {on("says-paid", "Zegt betaald") or "Anders"} |
    [afspraken]
    | afspraak | klant | facturen | soort      | datum afspraak | betaaldatum                 |
    | T1       | K1    | F1       | Toezegging | 2026-11-20     | {on("promise", "2026-12-01") or "2026-10-01"} |
    """


def test_precedence_before_the_ladder_is_designs_order():
    without: set[str] = set()
    got = []
    for key, _ in PRECEDENCE:
        p = plan_book(
            book(
                _everything(without),
                min_reminder_amount=__import__("decimal").Decimal(
                    "10" if "minimum" not in without else "0"
                ),
            ),
            TUESDAY,
        )
        got.append((key, action_of(p, "F1").action.value))
        without.add(key)
    assert got == PRECEDENCE
