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
from addin.core.sheet_layout import MAX_WIDTH, MIN_WIDTH, Area, Style
from tests.core.booktext import book
from tests.test_cli_letters import SENDER

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


WORK = """
[klanten]
| klant | naam      | soort    | segment |
| K1    | Jansen BV | Zakelijk | C       |
| K2    | Groot BV  | Zakelijk | C       |
| K3    | Klein BV  | Zakelijk | C       |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag | geschil        |
| F1      | K1    | 2026-10-01   | 2026-10-31  | 100.00 |                |
| F2      | K3    | 2026-11-01   | 2026-11-25  | 50.00  |                |
| F3      | K2    | 2026-10-01   | 2026-10-31  | 300.00 |                |
| F4      | K1    | 2026-11-01   | 2026-12-20  | 70.00  |                |
| F5      | K2    | 2026-10-01   | 2026-11-01  | 90.00  | niet besteld   |
[afspraken]
| afspraak | klant | facturen | soort      | datum afspraak | betaaldatum | bevestiging verstuurd |
| T1       | K2    | F3       | Toezegging | 2026-11-20     | 2026-12-01  | 2026-11-20            |
"""


def test_werklijst_groups_the_days_work_like_the_text():
    """Due work by group in the text's order and words, then waiting, then the coming days
    up to "Werklijst dagen vooruit" (7): F2's first step (27-11) is in, F4's (22-12) is not."""
    b = book(WORK, **SENDER)  # a sender: no afzender-onvolledig warning
    layout = werklijst_rows(plan_book(b, DAY), b)
    rows = layout.rows
    assert rows[0] == ("Werklijst 24-11-2026 - Test BV",)
    # every warning of the plan (no bank data yet, no address), in plain Dutch, on top
    assert rows[1] == ("Waarschuwingen (2)",)
    assert rows[2][0].startswith("Er zijn nog geen bankgegevens in Betalingen")
    assert rows[3][0].startswith("Geen adres of e-mail voor Jansen BV (K1)")
    header = layout.freeze_rows
    assert rows[header - 1][:4] == ("Groep", "Datum", "Actie", "Factuur")
    got = [(r[0], r[3], r[2]) for r in rows[header:]]
    assert got == [
        ("Intern oplossen en eigen acties", "F5", "intern-oplossen"),
        ("Brieven klaar om te maken", "F1", "herinnering"),
        ("Wachten op toezegging of regeling", "F3", "wachten"),
        ("Komende dagen", "F2", "herinnering"),
    ]
    assert layout.autofilter == Area(header, 1, len(rows), len(rows[header - 1]))
    # the invoice cells link to their rows on Facturen
    assert [(k.row, k.column, k.sheet) for k in layout.links] == [
        (header + 1 + n, 4, "Facturen") for n in range(4)
    ]
    f1 = next(i for i in b.invoices if i.number == "F1")
    assert layout.links[1].target_row == f1.row
    assert layout.styles[header][1] is Style.DATE and layout.styles[header][7] is Style.MONEY


def test_werklijst_days_ahead_is_a_setting():
    b = book(WORK)
    none_ahead = replace(b, settings=replace(b.settings, worklist_days_ahead=0))
    rows = werklijst_rows(plan_book(none_ahead, DAY), none_ahead).rows
    assert "Komende dagen" not in [r[0] for r in rows if r]
    far = replace(b, settings=replace(b.settings, worklist_days_ahead=30))
    rows = werklijst_rows(plan_book(far, DAY), far).rows
    assert [r[3] for r in rows if r and r[0] == "Komende dagen"] == ["F2", "F4"]


def test_widths_fit_the_content_within_bounds():
    b = book(WORK)
    layout = werklijst_rows(plan_book(b, DAY), b)
    assert len(layout.widths) == 14
    assert all(MIN_WIDTH <= w <= MAX_WIDTH for w in layout.widths)
    groep = layout.widths[0]
    assert groep >= len("Wachten op toezegging of regeling")


def _many_without_address(count: int) -> str:
    """A book of `count` customers without address or e-mail, each with an overdue invoice:
    one "geen-adres" warning each, beside "no bank data yet"."""
    customers = "\n".join(f"| K{k:03} | Klant {k} BV | Zakelijk | C |" for k in range(count))
    invoices = "\n".join(
        f"| F{k:03} | K{k:03} | 2026-10-01 | 2026-10-31 | {100 + k}.00 |" for k in range(count)
    )
    return f"""
[klanten]
| klant | naam | soort | segment |
{customers}
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag |
{invoices}
"""


def test_a_long_list_of_warnings_goes_below_the_work_and_the_top_stays_short():
    """The rows above the table stay frozen in view: with more than WARNINGS_ON_TOP
    warnings, the top names the first of each kind and how many more, so the header stays
    near the top of the screen; every warning is listed below the table, outside its filter."""
    b = book(_many_without_address(1200), **SENDER)
    layout = werklijst_rows(plan_book(b, DAY), b)
    rows = layout.rows
    header = layout.freeze_rows
    assert rows[1] == (
        "Waarschuwingen (1.201): van elke soort de eerste; alle 1.201 staan onder de werklijst",
    )
    assert rows[2][0].startswith("Er zijn nog geen bankgegevens in Betalingen")
    assert rows[3] == (
        "Geen adres of e-mail voor Klant 0 BV (K000): de brief kan niet worden verstuurd. "
        "En nog 1.199 van deze soort.",
    )
    assert header == 6 and rows[header - 1][:2] == ("Groep", "Datum")
    work = layout.autofilter
    assert (work.top, work.bottom) == (header, header + 1200)
    assert all(r[0] == "Brieven klaar om te maken" for r in rows[header : work.bottom])
    assert rows[work.bottom : work.bottom + 2] == ((), ("Alle waarschuwingen (1.201)",))
    below = [r[0] for r in rows[work.bottom + 2 :]]
    assert len(below) == 1201 and below[0].startswith("Er zijn nog geen bankgegevens")
    assert len(set(below[1:])) == 1200
    assert {layout.styles[k][0] for k in range(work.bottom + 2, len(rows))} == {Style.WARNING}


def test_up_to_ten_warnings_are_all_on_top():
    b = book(_many_without_address(9), **SENDER)
    layout = werklijst_rows(plan_book(b, DAY), b)
    assert layout.rows[1] == ("Waarschuwingen (10)",)
    assert [r[0][:24] for r in layout.rows[3:12]] == ["Geen adres of e-mail voo"] * 9
    assert layout.freeze_rows == 14 and layout.autofilter.bottom == len(layout.rows)


def _sender_warnings(b) -> list[str]:
    return [w.message for w in plan_book(b, DAY).warnings if w.kind == "afzender-onvolledig"]


def test_letters_ready_without_a_complete_sender_are_warned_of_on_the_werklijst():
    """herinneringen refuses while Instellingen lacks the sender (core/sender.py); the
    Werklijst, which lists the letters as ready to make, says so on top. Not a problem (the
    plan is right), so werklijst's exit code stays; controleer names the cells."""
    # Plaats empty, and the IBAN with check digits 00 (never right: ISO 7064).
    half = {**SENDER, "city": "", "iban": "NL00" + SENDER["iban"][4:]}
    (text,) = _sender_warnings(book(WORK, **half))
    assert text.startswith("1 brief staat klaar, maar herinneringen maakt hem pas als de afzender")
    assert "(Plaats, IBAN: leeg of niet goed)" in text
    assert _sender_warnings(book(WORK, **SENDER)) == []
    b = book(WORK, **half)
    layout = werklijst_rows(plan_book(b, DAY), b)
    assert any(r and r[0] == text for r in layout.rows[:6])
    assert _sender_warnings(book(_many_without_address(3))) == [
        "3 brieven staan klaar, maar herinneringen maakt ze pas als de afzender in Instellingen "
        "compleet is (Bedrijfsnaam, Adres, Postcode, Plaats, E-mail, IBAN: leeg of niet goed); "
        "debiteuren controleer noemt de cellen."
    ]
    nothing_due = book(WORK, **half)
    assert _sender_warnings(replace(nothing_due, invoices=())) == []
