"""The facts of a letter (letter_content.compose): the arrangement offer within the
Instellingen bounds, credit notes subtracted, the customer's language, and the collection
agency named only in the final step (PLAYBOOK A4, Q1, L6)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from addin.core.letter_content import arrangement_offer, compose
from addin.core.model import Action
from addin.core.plan import plan_book
from tests.core.booktext import book

AS_OF = date(2026, 11, 24)
AGENCY = "Incasso Noord BV, Postbus 1, 9700 AA Groningen"

BOOK = """
[klanten]
| klant | naam         | soort       | segment | taal | adres      | postcode | plaats  | land    | e-mail          |
| K1    | Jansen BV    | Zakelijk    | C       | NL   | Dorpsweg 1 | 1234 AB  | Utrecht |         | info@jansen.nl  |
| K2    | Smith Ltd    | Zakelijk    | C       | EN   | 1 High St  | SW1A 1AA | London  | Verenigd Koninkrijk | ap@smith.co.uk |
| P1    | M. de Vries  | Particulier | C       | NL   | Kerkplein 2| 2345 BC  | Leiden  | Nederland |               |
[contactpersonen]
| klant | naam        | functie       | e-mail            |
| K1    | Petra Jansen| Administratie | petra@jansen.nl   |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag   | omschrijving | betalingskenmerk |
| F1      | K1    | 2026-10-01   | 2026-10-31  | 1210.00  | Onderhoud    | 1234567890123456 |
| F2      | K1    | 2026-10-05   | 2026-11-04  | 605.00   | Reparatie    |                  |
| C1      | K1    | 2026-10-10   | 2026-10-10  | -121.00  | Creditnota   |                  |
| F3      | K2    | 2026-10-01   | 2026-10-31  | 2000.00  | Consultancy  |                  |
| F4      | P1    | 2026-08-01   | 2026-08-31  | 300.00   | Cv-ketel     |                  |
"""


def _letters(text: str = BOOK, **settings):
    b = book(text, collection_agency=AGENCY, **settings)
    return b, plan_book(b, AS_OF).letters


def _task(letters, customer):
    return next(t for t in letters if t.customer == customer)


# Header: total, max instalments, min instalment -> expected count (0 = a payment date).
OFFERS = [
    ("2675.80", 6, "50", 6),
    ("250.00", 6, "50", 5),
    ("120.00", 6, "50", 2),
    ("99.99", 6, "50", 0),
    ("10000.00", 3, "50", 3),
    ("300.00", 6, "0", 6),
]


@pytest.mark.parametrize(("total", "most", "least", "exp"), OFFERS, ids=[o[0] for o in OFFERS])
def test_arrangement_offer_stays_within_the_bounds(total, most, least, exp):
    offer = arrangement_offer(Decimal(total), AS_OF, most, Decimal(least))
    got = len(offer.instalments)
    assert got == exp
    if exp:
        amounts = [i.amount for i in offer.instalments]
        assert sum(amounts) == Decimal(total)
        assert all(a >= Decimal(least) for a in amounts)
        assert offer.first_date == date(2026, 12, 8)  # two weeks after the letter
        dues = [i.due for i in offer.instalments]
        assert dues == sorted(dues) and dues[1] == date(2027, 1, 8)  # monthly
        assert offer.pay_by is None
    else:
        assert offer.pay_by == date(2026, 12, 8) and not offer.is_arrangement


def test_credit_notes_are_listed_and_subtracted():
    b, letters = _letters()
    task = _task(letters, "K1")
    content = compose(task, b, AS_OF)
    assert [i.number for i in content.invoices] == ["F1", "F2"]
    assert [(c.number, c.subtracted) for c in content.credit_notes] == [("C1", Decimal("121.00"))]
    assert content.total == Decimal("1694.00") == content.invoice_total - content.credit_total
    assert content.amount_to_pay == content.total
    # several invoices: the numbers are the reference
    assert content.reference == "F1 F2"
    assert content.recipient.attention == "Petra Jansen"
    assert content.recipient.email == "info@jansen.nl"
    assert content.recipient.address_lines == ("Dorpsweg 1", "1234 AB  Utrecht")


def test_single_invoice_uses_its_betalingskenmerk_and_language():
    b, letters = _letters()
    content = compose(_task(letters, "K2"), b, AS_OF)
    assert content.language == "EN"
    assert content.subject == "invoice F3"
    assert content.reference == "F3"
    assert content.recipient.address_lines == (
        "1 High St", "LONDON", "SW1A 1AA", "VERENIGD KONINKRIJK"
    )  # fmt: skip
    nl = compose(_task(letters, "K1"), b, AS_OF)
    assert nl.language == "NL" and nl.subject == "facturen F1 en F2"


def test_long_reference_falls_back_to_the_customer_number():
    text = BOOK.replace("| F2      | K1    |", "| F2-EEN-HEEL-LANG-FACTUURNUMMER-0000001 | K1    |")
    b, letters = _letters(text)
    content = compose(_task(letters, "K1"), b, AS_OF)
    assert content.reference == "Klantnr K1"


def _at_step(action: Action, customer: str, kind: str):
    step = {
        Action.REMINDER: "Herinnering",
        Action.OFFER_ARRANGEMENT: "Regeling aanbieden",
        Action.FINAL_REMINDER: "Laatste herinnering",
        Action.FOURTEEN_DAY_LETTER: "Veertiendagenbrief",
    }[action]
    text = f"""
[klanten]
| klant | naam | soort |
| {customer} | Klant | {kind} |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag |
| F1 | {customer} | 2026-06-01 | 2026-07-01 | 1850.00 |
"""
    b = book(text, collection_agency=AGENCY)
    from addin.core.model import LetterTask

    task = LetterTask(customer, action, step, AS_OF, ("F1",), (), Decimal("1850.00"))
    return compose(task, b, AS_OF)


@pytest.mark.parametrize(
    ("action", "kind", "notice", "agency"),
    [
        (Action.REMINDER, "Zakelijk", False, ""),
        (Action.OFFER_ARRANGEMENT, "Zakelijk", False, ""),
        (Action.FINAL_REMINDER, "Zakelijk", True, ""),
        (Action.REMINDER, "Particulier", False, ""),
        (Action.FINAL_REMINDER, "Particulier", False, ""),
        (Action.FOURTEEN_DAY_LETTER, "Particulier", False, AGENCY),
    ],
    ids=lambda v: getattr(v, "value", str(v)),
)
def test_agency_is_named_only_in_the_final_step(action, kind, notice, agency):
    content = _at_step(action, "X1", kind)
    assert content.handover_notice is notice
    assert content.agency == agency


def test_fourteen_day_letter_has_the_exact_costs_on_the_sum():
    content = _at_step(Action.FOURTEEN_DAY_LETTER, "P1", "Particulier")
    facts = content.fourteen_day
    assert facts is not None and facts.costs is not None
    assert facts.costs.total == Decimal("277.50")  # 15% of 1850
    assert facts.wording == "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd"
    assert content.pay_by is None and content.offer is None


def test_offer_only_in_the_arrangement_steps():
    assert _at_step(Action.REMINDER, "X1", "Zakelijk").offer is None
    assert _at_step(Action.REMINDER, "X1", "Zakelijk").pay_by == date(2026, 12, 1)
    offer = _at_step(Action.OFFER_ARRANGEMENT, "X1", "Zakelijk").offer
    assert offer is not None and len(offer.instalments) == 6
    assert _at_step(Action.FINAL_REMINDER, "X1", "Zakelijk").offer == offer


def test_confirmation_carries_the_schedule():
    text = """
[klanten]
| klant | naam | soort | segment |
| K1 | Jansen BV | Zakelijk | C |
[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag |
| F1 | K1 | 2026-09-01 | 2026-10-01 | 900.00 |
[afspraken]
| afspraak | klant | facturen | soort | datum afspraak | bedrag | betaaldatum | aantal termijnen | interval |
| R1 | K1 | F1 | Regeling | 2026-11-20 | 900.00 | 2026-12-01 | 3 | Maand |
"""
    b = book(text)
    task = next(t for t in plan_book(b, AS_OF).letters if t.action is Action.CONFIRM)
    content = compose(task, b, AS_OF)
    conf = content.confirmation
    assert conf is not None and not conf.is_promise
    assert [(i.due.isoformat(), str(i.amount)) for i in conf.instalments] == [
        ("2026-12-01", "300.00"),
        ("2027-01-01", "300.00"),
        ("2027-02-01", "300.00"),
    ]
    assert content.amount_to_pay == Decimal("300.00")
    assert not content.handover_notice and content.agency == ""


@pytest.mark.parametrize(
    "count, language, exp",
    [
        (1, "NL", "factuur F01"),
        (2, "NL", "facturen F01 en F02"),
        (4, "NL", "facturen F01, F02, F03 en F04"),
        (5, "NL", "5 facturen"),
        (40, "NL", "40 facturen"),
        (4, "EN", "invoices F01, F02, F03 and F04"),
        (40, "EN", "40 invoices"),
    ],
)
def test_the_subject_lists_a_few_invoice_numbers_and_counts_many(count, language, exp):
    rows = "\n".join(
        f"| F{i:02d} | K1 | 2026-09-01 | 2026-10-01 | 100.00 |" for i in range(1, count + 1)
    )
    text = (
        "[klanten]\n| klant | naam | soort | segment | taal |\n"
        f"| K1 | Jansen | Zakelijk | C | {language} |\n"
        "[facturen]\n| factuur | klant | factuurdatum | vervaldatum | bedrag |\n" + rows
    )
    b, letters = _letters(text)
    got = compose(_task(letters, "K1"), b, AS_OF).subject
    assert got == exp
