"""The checks across tables (core/checks.py): every problem, in order, with and without the
plan's ledger.

`plan_book` runs the checks after building its ledger and lets them reuse its indexes;
`controleer` runs them without one. Both must give the same problems in the same order, on a
book with one of each problem and on clean books (where the fast paths decide).
"""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from addin.core.checks import CHECKS, run_checks
from addin.core.ledger import Ledger
from addin.core.plan import plan_book
from benchmarks.generate import AS_OF, generate_book
from tests.core.booktext import book

AS_OF_TEST = date(2026, 11, 24)

DIRTY = """
[klanten]
| klant | naam      | e-mail                 | iban                   |
| K1    | Jansen BV | info@jansen.nl         | NL91ABNA0417164300     |
| K2    | Pietersen | piet@x.nl, evil@x.nl   | NL00ABNA0417164300     |
| K1    | Dubbel BV | a@printer.local        |                        |
| K3    | Clean BV  | c@clean.nl; d@clean.nl | NL91ABNA0417164300     |

[contactpersonen]
| klant | naam | e-mail        |
| K1    | Jan  | jan@jansen.nl |
| K9    | Wim  | wim@@x.nl     |

[facturen]
| factuur | klant | factuurdatum | vervaldatum | bedrag  |
| F1      | K1    | 2026-10-01   | 2026-10-31  | 1210.00 |
| F2      | K2    | 2026-10-01   |             | 500.00  |
| F1      | K2    | 2026-10-02   | 2026-11-01  | 100.00  |
| F3      | K8    | 2026-10-03   | 2026-09-01  | 100.00  |

[afspraken]
| klant | facturen | soort      | datum afspraak | betaaldatum |
| K7    | F1, F404 | Toezegging | 2026-11-01     | 2026-11-30  |

[contacten]
| datum      | klant | facturen | kanaal   |
| 2026-11-02 | K1    | F1, F405 | Telefoon |
| 2026-11-03 | K6    |          | Telefoon |

[betalingen]
| datum      | bedrag | factuur | status      |
| 2026-11-04 | 10.00  | F406    | Gekoppeld   |
| 2026-11-05 | 10.00  |         | Controleren |
"""

# exp: sheet, row, column, message (in the order run_checks gives them)
EXP = [
    ("Klanten", 4, "Klantnummer", "Klantnummer K1 staat ook op rij 2; de gegevens van die eerste rij worden gebruikt"),
    ("Facturen", 4, "Factuurnummer", "Factuurnummer F1 staat ook op rij 2; deze rij wordt overgeslagen"),
    ("Facturen", 5, "Klantnummer", "Klantnummer K8 van factuur F3 staat niet in Klanten; deze factuur wordt overgeslagen"),
    ("Facturen", 5, "Vervaldatum", "Vervaldatum van factuur F3 ligt voor de factuurdatum"),
    ("Afspraken", 2, "Klantnummer", "Klantnummer K7 staat niet in Klanten; deze afspraak telt niet mee"),
    ("Contacten", 3, "Klantnummer", "Klantnummer K6 staat niet in Klanten; dit contact telt alleen mee voor de genoemde facturen"),
    ("Contactpersonen", 3, "Klantnummer", "Klantnummer K9 staat niet in Klanten; deze contactpersoon wordt niet gebruikt"),
    ("Afspraken", 2, "Facturen", "Factuur F404 van afspraak A1 staat niet in Facturen"),
    ("Contacten", 2, "Facturen", "Factuur F405 staat niet in Facturen"),
    ("Betalingen", 2, "Factuur", "Factuur F406 staat niet in Facturen; deze betaling telt nergens mee"),
    ("Klanten", 3, "E-mail", "'piet@x.nl, evil@x.nl' is geen geldig e-mailadres: scheid meerdere adressen met ;"),
    ("Klanten", 4, "E-mail", "'a@printer.local' is geen geldig e-mailadres: controleer de schrijfwijze"),
    ("Contactpersonen", 3, "E-mail", "'wim@@x.nl' is geen geldig e-mailadres: controleer de schrijfwijze"),
    ("Klanten", 3, "IBAN", "IBAN 'NL00ABNA0417164300' van klant K2 is geen geldig IBAN (de controlecijfers kloppen niet); controleer het nummer"),
]  # fmt: skip


def _rows(problems):
    return [(p.source.sheet, p.source.row, p.source.column, p.message) for p in problems]


def test_every_problem_in_order_without_a_ledger():
    got = _rows(run_checks(book(DIRTY), AS_OF_TEST))
    assert got == EXP


def test_the_ledger_changes_no_problem_and_no_order():
    b = book(DIRTY)
    ledger = Ledger.build(b, AS_OF_TEST)
    assert not ledger.all_usable
    assert _rows(run_checks(b, AS_OF_TEST, ledger)) == EXP
    assert _rows(plan_book(b, AS_OF_TEST).problems) == EXP


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_each_check_alone_with_and_without_the_ledger(check):
    b = book(DIRTY)
    assert check(b, AS_OF_TEST, Ledger.build(b, AS_OF_TEST)) == check(b, AS_OF_TEST, None)


def _generated(**changes):
    b = generate_book(invoices=2_000, customers=400, agreements=100, contacts=1_000, seed=3)
    return dataclasses.replace(b, **changes) if changes else b


def test_a_clean_generated_book_has_no_problems_either_way():
    b = _generated()
    ledger = Ledger.build(b, AS_OF)
    assert ledger.all_usable
    assert run_checks(b, AS_OF, ledger) == run_checks(b, AS_OF) == ()


def test_an_empty_vervaldatum_is_no_problem_and_one_before_the_invoice_date_is():
    b = _generated()
    invoices = list(b.invoices)
    for k in range(0, len(invoices), 3):  # many empty: the fast path leaves them out first
        invoices[k] = dataclasses.replace(invoices[k], due_date=None)
    assert run_checks(_generated(invoices=tuple(invoices)), AS_OF) == ()
    late = invoices[-1]
    invoices[-1] = dataclasses.replace(late, due_date=date(2000, 1, 1))
    b = _generated(invoices=tuple(invoices))
    exp = [("Facturen", late.row, "Vervaldatum", f"Vervaldatum van factuur {late.number} ligt voor de factuurdatum")]  # fmt: skip
    assert _rows(run_checks(b, AS_OF)) == exp
    assert _rows(run_checks(b, AS_OF, Ledger.build(b, AS_OF))) == exp


def test_a_negative_na_dagen_is_reported_on_its_cell():
    b = book("""
    [stappen]
    | stap        | na dagen | vanaf       | actie       | kanaal          | voor | segment |
    | Herinnering | -5       | Vervaldatum | herinnering | Brief en e-mail | Alle | Alle    |
    | Nabellen    | 0        | Vorige stap | bellen      | Telefoon        | Alle | Alle    |
    | Regeling    | -1       | Vorige stap | regeling-aanbieden | Brief | Alle | Alle    |
    """)
    exp = [
        ("Stappen", 2, "Na dagen", "Na dagen -5 van stap 'Herinnering' is negatief: de stap zou voor de vervaldatum vallen; vul 0 of meer in (tot dan geldt 0)"),
        ("Stappen", 4, "Na dagen", "Na dagen -1 van stap 'Regeling' is negatief: de stap zou voor de vorige stap vallen; vul 0 of meer in (tot dan geldt 0)"),
    ]  # fmt: skip
    assert _rows(run_checks(b, AS_OF_TEST)) == exp
    assert _rows(plan_book(b, AS_OF_TEST).problems) == exp


def test_a_customer_iban_that_is_an_own_account_is_named_on_its_row():
    """The generated book's customers all have an IBAN: taking one of them as an Eigen
    rekening makes that customer's row the one problem, with the ledger or without."""
    b = _generated()
    customer = b.customers[17]
    settings = dataclasses.replace(
        b.settings, iban="NL91ABNA0417164300", own_accounts=(customer.ibans[0],)
    )
    assert (
        run_checks(_generated(settings=dataclasses.replace(settings, own_accounts=())), AS_OF) == ()
    )
    b = _generated(settings=settings)
    got = run_checks(b, AS_OF)
    assert got == run_checks(b, AS_OF, Ledger.build(b, AS_OF))
    assert [(p.source.sheet, p.source.row, p.source.column) for p in got] == [
        ("Klanten", customer.row, "IBAN")
    ]
    assert f"van klant {customer.number} is een rekening van uw eigen bedrijf" in got[0].message
