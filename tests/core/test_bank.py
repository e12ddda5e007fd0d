"""core.bank.other_account: is a statement's account another than Instellingen IBAN?

Table: the own IBAN as typed in Instellingen, the statement's account as the reader gives
it (an IBAN, or an old bare account number from MT940 :25:), and whether it is another.
"""

from __future__ import annotations

import pytest

from addin.core.bank import other_account

CASES = [
    # own IBAN (Instellingen)   statement account        exp
    ("NL44RABO0123456789",      "NL44RABO0123456789",    False),
    ("NL44 RABO 0123 4567 89",  "NL44RABO0123456789",    False),
    ("nl44rabo0123456789",      "NL44RABO0123456789",    False),
    ("NL44RABO0123456789",      "NL81RABO0312345678",    True),
    ("NL44RABO0123456789",      "123456789",             False),  # old account number
    ("NL44RABO0123456789",      "0123456789",            False),
    ("NL44RABO0123456789",      "312345678",             True),
    ("NL44RABO0123456789",      "",                      False),  # no account in the file
    ("",                        "NL44RABO0123456789",    False),  # no own IBAN: no check
]  # fmt: skip


@pytest.mark.parametrize(("own", "account", "exp"), CASES, ids=[f"{o}|{a}" for o, a, _ in CASES])
def test_other_account(own, account, exp):
    got = other_account(own, account)
    assert got == exp


def test_the_benchmarks_statements_are_of_the_benchmarks_own_account():
    # They were not (NL91ABNA0417164300 in Instellingen, NL44RABO0123456789 on the
    # statements): run_all's bank rows would have measured a run of all Controleren.
    from benchmarks.bankfiles import OWN_IBAN
    from benchmarks.generate import generate_book

    settings = generate_book(invoices=10, customers=2, agreements=1, contacts=1).settings
    assert not other_account(settings.iban, OWN_IBAN)
