"""core.bank: is a statement's account another than the own ones (Instellingen IBAN and Eigen
rekeningen), and is a line's counter account one of them?

Table: the own IBAN as typed in Instellingen, the statement's account as the reader gives
it (an IBAN, or an old bare account number from MT940 :25:), and whether it is another.
"""

from __future__ import annotations

import pytest

from addin.core.bank import OwnAccounts, other_account, own_accounts
from addin.core.model import Settings

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


# Instellingen IBAN and Eigen rekeningen together: a statement of any of them is the
# company's own.
SEVERAL = [
    # own accounts                                   statement account       exp
    (("NL81RABO0312345678", "NL44RABO0123456789"),   "NL44RABO0123456789",   False),
    (("NL81RABO0312345678", "nl44 rabo 0123 4567 89"), "NL44RABO0123456789", False),
    (("", "NL44RABO0123456789"),                     "NL44RABO0123456789",   False),
    (("NL81RABO0312345678", "NL44RABO0123456789"),   "123456789",            False),
    (("NL81RABO0312345678", "NL44RABO0123456789"),   "NL02ABNA0123456789",   True),
    (("", ""),                                       "NL02ABNA0123456789",   False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("own", "account", "exp"), SEVERAL, ids=[f"{o}|{a}" for o, a, _ in SEVERAL]
)
def test_other_account_of_several_own(own, account, exp):
    got = other_account(own, account)
    assert got == exp


def test_own_accounts_are_the_iban_then_eigen_rekeningen_compacted_once():
    settings = Settings(iban="NL81 RABO 0312 3456 78",
                        own_accounts=("NL44RABO0123456789", "NL81RABO0312345678"))  # fmt: skip
    assert own_accounts(settings) == ("NL81RABO0312345678", "NL44RABO0123456789")
    assert own_accounts(Settings()) == ()


# A line's counter account (as the parsers give it: compact, upper case) against the own
# accounts NL81RABO0312345678 (IBAN) and NL44RABO0123456789 (Eigen rekeningen).
COUNTERS = [
    # counter account        exp
    ("NL44RABO0123456789",   True),
    ("NL81RABO0312345678",   True),
    ("123456789",            True),   # an old export's bare account number, zeros aside
    ("0312345678",           True),
    ("NL02ABNA0123456789",   False),
    ("23456789",             False),  # a tail is not the account: a customer's short number
    ("0",                    False),
    ("",                     False),
]  # fmt: skip


@pytest.mark.parametrize(("counter", "exp"), COUNTERS, ids=[c or "empty" for c, _ in COUNTERS])
def test_own_account_holds_a_counter_account(counter, exp):
    own = OwnAccounts.of(
        Settings(iban="NL81 RABO 0312 3456 78", own_accounts=("NL44RABO0123456789",))
    )
    got = own.holds(counter)
    assert got == exp
