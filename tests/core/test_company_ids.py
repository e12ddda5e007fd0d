"""A customer's KvK-nummer and BTW-nummer (core/company_ids.py): what is wrong with one.

The valid BTW-nummers are the Belastingdienst's own examples and python-stdnum's test
numbers (NL with the mod-11 check; BE, DE with their own checks); the GB and CH numbers are
outside the EU and never checked."""

from __future__ import annotations

import pytest

from addin.core.company_ids import kvk_error, vat_error


@pytest.mark.parametrize(
    ("kvk", "exp"),
    [
        ("", None),
        ("32081330", None),
        ("09123456", None),  # Gelderland's numbers start with 0
        ("3208133", "7 cijfers; een KvK-nummer heeft er 8, controleer"),
        ("320813301", "9 cijfers; een KvK-nummer heeft er 8, controleer"),
        ("KVK32081330", "een KvK-nummer bestaat uit 8 cijfers"),
        ("3208-1330", "een KvK-nummer bestaat uit 8 cijfers"),
    ],
    ids=["empty", "eight", "leading-zero", "seven", "nine", "letters", "dash"],
)
def test_kvk_error(kvk, exp):
    got = kvk_error(kvk)
    if exp is None:
        assert got is None
    else:
        assert got is not None and got.startswith(exp)


@pytest.mark.parametrize(
    ("vat", "exp"),
    [
        ("", None),
        ("NL004495445B01", None),
        ("NL000099998B57", None),
        ("BE0403170701", None),
        ("DE136695976", None),
        ("GB980780684", None),  # not in the EU: not checked
        ("CHE123456789MWST", None),
        ("NL004495446B01", "geen geldig Nederlands btw-nummer"),
        ("NL1234567890", "geen geldig Nederlands btw-nummer"),
        ("BE0403170702", "geen geldig btw-nummer voor BE"),
        ("004495445B01", "de landcode ontbreekt; schrijf NL004495445B01"),
        ("12345", "het begint niet met een landcode"),
    ],
    ids=[
        "empty", "nl", "nl-2", "be", "de", "gb-unchecked", "ch-unchecked", "nl-check-digit",
        "nl-form", "be-check-digit", "no-country", "nonsense",
    ],
)  # fmt: skip
def test_vat_error(vat, exp):
    got = vat_error(vat)
    if exp is None:
        assert got is None
    else:
        assert got is not None and got.startswith(exp)
