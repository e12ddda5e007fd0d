"""The checks' fast paths give exactly what the libraries give.

`parse_address` recognises the usual address without email-validator, and `iban_is_valid`
does the MOD 97-10 check itself and asks python-stdnum once per shape: both must agree with
the library on every input, including the ones built to sit just inside or outside the
usual form (role names, special-use domains, "--", 63-character labels, 254 characters).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban

from addin.core.addresses import (
    _plain,
    _validated,
    address_errors,
    all_plain,
    parse_address,
    parse_addresses,
)
from addin.core.references import all_ibans_valid, iban_is_valid

ADDRESSES = [
    "jan@voorbeeld.nl",
    "Jan.de.Vries+factuur@sub.voorbeeld.nl",
    "INFO@voorbeeld.nl",
    "Postmaster@voorbeeld.nl",
    "info@k000001.nl",
    "a@localhost",
    "a@printer.local",
    "a@x.test",
    "a@x.invalid",
    "a@x.arpa",
    "a@onion",
    "a@xn--bcher-kva.de",
    "a@ab--cd.nl",
    "a--b@voorbeeld.nl",
    "a@-voorbeeld.nl",
    "a@voorbeeld-.nl",
    "a@voorbeeld..nl",
    ".a@voorbeeld.nl",
    "a.@voorbeeld.nl",
    "a@" + "x" * 63 + ".nl",
    "a@" + "x" * 64 + ".nl",
    "a" * 240 + "@voorbeeld.nl",
    "a" * 241 + "@voorbeeld.nl",
    "a" * 242 + "@voorbeeld.nl",
    "a@" + ".".join(["x" * 60] * 4) + ".nl",
    "a@Voorbeeld.NL",
    "a@123.nl",
    "a@1.2.3.4",
    "a_b%c@voorbeeld.nl",
    "jan@voorbeeld",
    "o'brien@voorbeeld.nl",
    "a b@voorbeeld.nl",
    "a@@voorbeeld.nl",
    "",
]


@pytest.mark.parametrize("text", ADDRESSES, ids=range(len(ADDRESSES)))
def test_usual_address_as_email_validator_reads_it(text):
    got = _plain(text)
    if got is not None:
        assert got == _validated(text)
    assert parse_address(text) == _validated(text)


_LOCAL = st.text(alphabet="abzAZ09._%+-'", min_size=1, max_size=12)
_LABEL = st.one_of(
    st.text(alphabet="abz09-", min_size=1, max_size=8),
    st.sampled_from(
        ["local", "test", "localhost", "arpa", "xn--bcher-kva", "info", "nl", "x" * 63, "y" * 64]
    ),
)
_DOMAIN = st.lists(_LABEL, min_size=1, max_size=4).map(".".join)


@settings(max_examples=600, deadline=None, derandomize=True)
@given(local=_LOCAL, domain=_DOMAIN)
def test_generated_addresses_agree_with_email_validator(local, domain):
    text = f"{local}@{domain}"
    got = _plain(text)
    if got is not None:
        assert got == _validated(text)


def _with_check_digits(country: str, bban: str) -> str:
    return country + stdnum_iban.calc_check_digits(country + "00" + bban) + bban


IBANS = [
    "NL91ABNA0417164300",
    "NL91 ABNA 0417 1643 00",
    "nl91abna0417164300",
    "NL51RABO0847144854",
    "NL91ABNA041716430",  # one digit short
    "NL91ABN10417164300",  # a digit where NL has a letter
    "DE89370400440532013000",
    "GB82WEST12345698765432",
    "XX91ABNA0417164300",
    "NL",
    "",
    "NL91ABNA0417164300EUR",
    "ＮＬ91ABNA0417164300",  # full-width letters: stdnum's own cleaning decides
    "NL91_ABNA0417164300",
    _with_check_digits("NL", "ABNA0417164300"),
    _with_check_digits("NL", "ABNA04171643"),
    _with_check_digits("ZZ", "ABNA0417164300"),
    _with_check_digits("NL", "1BNA0417164300"),
]


@pytest.mark.parametrize("text", IBANS, ids=range(len(IBANS)))
def test_iban_as_stdnum_reads_it(text):
    exp = bool(stdnum_iban.is_valid(text.replace(" ", ""), check_country=False))
    assert iban_is_valid(text) == exp


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    country=st.sampled_from(["NL", "DE", "BE", "GB", "FR", "XX", "N1"]),
    bban=st.text(alphabet="0123456789ABCZ", min_size=0, max_size=24),
    fix=st.booleans(),
)
def test_generated_ibans_agree_with_stdnum(country, bban, fix):
    text = _with_check_digits(country, bban) if fix else country + "42" + bban
    assert iban_is_valid(text) == bool(stdnum_iban.is_valid(text, check_country=False))


FIELDS = [
    *ADDRESSES,
    " jan@voorbeeld.nl ",
    "jan@voorbeeld.nl;",
    "jan@voorbeeld.nl; piet@voorbeeld.nl",
    "jan@voorbeeld.nl\n",
    "\n",
    "   ",
    "a@b.nl, evil@x.nl",
]


@pytest.mark.parametrize("field", FIELDS, ids=range(len(FIELDS)))
def test_address_errors_are_parse_addresses_errors(field):
    exp = parse_addresses(field).errors
    got = address_errors(field)
    assert got == exp


def _one_usual_address(field: str) -> bool:
    """What address_errors' fast path accepts, for a field without spaces around it."""
    return ";" not in field and field == field.strip(" \t\u00a0") and _plain(field) is not None


@pytest.mark.parametrize("field", FIELDS, ids=range(len(FIELDS)))
def test_all_plain_of_one_field_is_the_fast_path(field):
    got = all_plain([field])
    assert got == _one_usual_address(field)
    if got:
        assert address_errors(field) == ()


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    fields=st.lists(
        st.one_of(
            st.sampled_from(FIELDS),
            st.builds(lambda local, domain: f"{local}@{domain}", _LOCAL, _DOMAIN),
        ),
        max_size=6,
    )
)
def test_all_plain_is_every_field_on_the_fast_path(fields):
    got = all_plain(fields)
    assert got == all(map(_one_usual_address, fields))
    if got:
        assert all(address_errors(f) == () for f in fields)


def _compact_and_valid(text: str) -> bool:
    """What all_ibans_valid decides for: A-Z and 0-9 only, five or more, and valid by
    python-stdnum itself."""
    compact = re.fullmatch("[A-Z0-9]{5,}", text) is not None
    return compact and bool(stdnum_iban.is_valid(text, check_country=False))


@pytest.mark.parametrize("text", IBANS, ids=range(len(IBANS)))
def test_all_ibans_valid_of_one(text):
    assert all_ibans_valid([text]) == _compact_and_valid(text)


_IBAN_TEXT = st.builds(
    lambda country, bban, fix: _with_check_digits(country, bban) if fix else country + "42" + bban,
    st.sampled_from(["NL", "DE", "BE", "GB", "FR", "XX", "N1"]),
    st.text(alphabet="0123456789ABCZ", min_size=0, max_size=24),
    st.booleans(),
)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(
    texts=st.lists(
        st.one_of(_IBAN_TEXT, st.sampled_from(IBANS), st.sampled_from(["NL91ABNA\n0417164300"])),
        max_size=6,
    )
)
def test_all_ibans_valid_is_each_valid(texts):
    assert all_ibans_valid(texts) == all(map(_compact_and_valid, texts))


@pytest.mark.parametrize(
    "texts",
    [
        ["NL91ABNA0417164301", "NL91ABNA0417164300"],  # one wrong, one right, same shape
        ["NL91ABNA0417164300", "NL91ABNA0417164301"],
        ["NL91ABNA0417164300", "NL51RABO0847144854", "DE89370400440532013000"],  # all right
        ["NL91ABNA0417164300", "NL91ABNA041716430"],  # one too short for NL
        [],
    ],
    ids=range(5),
)
def test_all_ibans_valid_of_several(texts):
    assert all_ibans_valid(texts) == all(map(_compact_and_valid, texts))
