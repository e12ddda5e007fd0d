"""The worksheet functions called with what Excel passes through xlwings: floats for numbers,
datetime for date cells, floats (serials) for dates computed by formulas (xlwings #2581),
str for text, None for empty cells, bool for WAAR/ONWAAR. Bad input gives a Dutch
"#FOUT: ..." text, never an exception.

Expected amounts: notes/LEGAL.md section 7 (B1, B4, B6 for the costs; I1, I7 for interest).
"""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from addin import udfs
from addin.excel.vba import windows_udfs
from addin.udfs import INCASSOKOSTEN, WETTELIJKERENTE

# bedrag (as Excel passes it), btw, expected, why
COSTS = [
    (100.0, False, 40.0, "B1 minimum"),
    (100.0, True, 48.4, "B1 minimum with BTW"),
    (1000.0, None, 150.0, "B4; btw left empty"),
    (3000.0, True, 514.25, "B6 with BTW"),
    (3000.0, 1.0, 514.25, "btw as a number 1"),
    (3000.0, "ja", 514.25, "btw as text ja"),
    (3000.0, "ONWAAR", 425.0, "btw as text ONWAAR"),
    ("3.000,00", False, 425.0, "amount typed as Dutch text"),
    (2000000.0, True, 8197.75, "capped, BTW on the capped fee"),
    (0.0, False, 0.0, "no claim, no costs"),
    (0.1 + 0.2, False, 40.0, "float noise: 0.30000000000000004 is 0.30"),
]


@pytest.mark.parametrize(("bedrag", "btw", "exp", "why"), COSTS, ids=[c[3] for c in COSTS])
def test_incassokosten(bedrag, btw, exp, why):
    got = INCASSOKOSTEN(bedrag, btw)
    assert isinstance(got, float), why
    assert got == exp, why


def test_incassokosten_btw_is_optional():
    assert INCASSOKOSTEN(3000.0) == 425.0


BAD_COSTS = [
    (None, False, "#FOUT: bedrag ontbreekt"),
    ("", False, "#FOUT: bedrag ontbreekt"),
    ("abc", False, "#FOUT: bedrag: 'abc' is geen bedrag"),
    (-5.0, False, "#FOUT: bedrag is negatief"),
    (True, False, "#FOUT: bedrag: 'Ja' is geen bedrag"),
    (100.0, "misschien", "#FOUT: btw: 'misschien' is geen Ja of Nee"),
]


@pytest.mark.parametrize(("bedrag", "btw", "exp"), BAD_COSTS, ids=[repr(b[0]) for b in BAD_COSTS])
def test_incassokosten_bad_input_gives_dutch_text(bedrag, btw, exp):
    got = INCASSOKOSTEN(bedrag, btw)
    assert isinstance(got, str) and got.startswith(exp)


# bedrag, van, tot, soort, expected, why
INTEREST = [
    (1000.0, datetime(2025, 4, 1), datetime(2025, 6, 30), "handel", 27.80, "I1: 91 d @ 11.15%"),
    (1000.0, datetime(2025, 4, 1), datetime(2025, 6, 30), None, 27.80, "soort empty: handel"),
    (1000.0, 45748.0, 45838.0, "handel", 27.80, "I1 with dates computed by formulas (serials)"),
    (1000.0, "1-4-2025", "30-6-2025", "Handelsrente", 27.80, "I1 with dates as text"),
    (750.0, datetime(2026, 1, 1), datetime(2026, 1, 31), "b2b", 6.47, "I7: 31 d @ 10.15%"),
    (1000.0, datetime(2025, 6, 30), datetime(2025, 4, 1), "handel", 0.0, "tot before van"),
]


@pytest.mark.parametrize(
    ("bedrag", "van", "tot", "soort", "exp", "why"), INTEREST, ids=[i[5] for i in INTEREST]
)
def test_wettelijkerente(bedrag, van, tot, soort, exp, why):
    got = WETTELIJKERENTE(bedrag, van, tot, soort)
    assert isinstance(got, float), why
    assert got == exp, why


def test_wettelijkerente_consumer_rate_is_lower():
    args = (1000.0, datetime(2025, 4, 1), datetime(2025, 6, 30))
    assert WETTELIJKERENTE(*args, "gewoon") < WETTELIJKERENTE(*args)


BAD_INTEREST = [
    (None, datetime(2025, 4, 1), datetime(2025, 6, 30), "handel", "#FOUT: bedrag ontbreekt"),
    (1000.0, None, datetime(2025, 6, 30), "handel", "#FOUT: van ontbreekt"),
    (1000.0, datetime(2025, 4, 1), "", "handel", "#FOUT: tot ontbreekt"),
    (1000.0, "31-2-2025", datetime(2025, 6, 30), "handel", "#FOUT: van: '31-2-2025' is geen"),
    (1000.0, datetime(2025, 4, 1), datetime(2025, 6, 30), "hoog", "#FOUT: soort 'hoog'"),
    (1000.0, datetime(1950, 1, 1), datetime(1950, 6, 30), "handel", "#FOUT: geen wettelijke"),
]


@pytest.mark.parametrize(
    ("bedrag", "van", "tot", "soort", "exp"), BAD_INTEREST, ids=[b[4] for b in BAD_INTEREST]
)
def test_wettelijkerente_bad_input_gives_dutch_text(bedrag, van, tot, soort, exp):
    got = WETTELIJKERENTE(bedrag, van, tot, soort)
    assert isinstance(got, str) and got.startswith(exp), got


def test_kind_table_covers_both_kinds():
    assert set(udfs.KINDS.values()) == set(udfs.InterestKind)


def test_functions_carry_no_annotations():
    # xlwings' Windows decorator turns annotations into converters; a union is none.
    for function in (INCASSOKOSTEN, WETTELIJKERENTE, udfs.DEBITEUREN_PLAN):
        assert function.__annotations__ == {}


@pytest.fixture
def windows_decorated():
    """addin.udfs imported with xlwings' Windows decorators and pywin32 stubbed, by the same
    code the workbook build uses to write the VBA wrappers (notes/EXCEL.md)."""
    with windows_udfs("addin.udfs") as pair:
        yield pair


def test_windows_decorators_register_both_functions(windows_decorated):
    xl_udfs, module = windows_decorated
    meta = module.INCASSOKOSTEN.__xlfunc__
    assert meta["category"] == "Debiteuren"
    assert [(a["name"], a.get("optional", "-"), a["options"]) for a in meta["args"]] == [
        ("bedrag", "-", {}),
        ("btw", False, {}),
    ]
    meta = module.WETTELIJKERENTE.__xlfunc__
    assert [a["name"] for a in meta["args"]] == ["bedrag", "van", "tot", "soort"]
    assert meta["argmap"]["soort"]["optional"] == "handel"

    class Workbook:
        Name = "Debiteuren.xlsm"

    vba = io.StringIO()
    xl_udfs.generate_vba_wrapper("addin.udfs", module, vba, Workbook())
    text = vba.getvalue()
    assert "Function INCASSOKOSTEN(bedrag, Optional btw)" in text
    assert "Function WETTELIJKERENTE(bedrag, van, tot, Optional soort)" in text
    # the plan function: every table as a 2-D block, so a one-row table stays a list of rows
    meta = module.DEBITEUREN_PLAN.__xlfunc__
    names = [a["name"] for a in meta["args"]]
    assert names == [
        "facturen",
        "klanten",
        "contactpersonen",
        "afspraken",
        "contacten",
        "betalingen",
        "stappen",
        "instellingen",
        "peildatum",
        "caller",
    ]
    assert all(a["options"] == {"ndim": 2} for a in meta["args"][:8])
    # `caller` is xlwings' reserved argument: Excel passes the calling range, not the user
    assert f"Function DEBITEUREN_PLAN({', '.join(names[:-1])})" in text
