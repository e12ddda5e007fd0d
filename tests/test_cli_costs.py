"""`debiteuren incassokosten` and `debiteuren veertiendagen`: text, JSON contract, exit codes.

Amounts are LEGAL.md vectors B1 and B6; dates vector D1 (posted Mon 3-3-2025).
"""

from __future__ import annotations

import json

import pytest

from addin.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def usage_error(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    assert exc.value.code == 2
    return capsys.readouterr().err


def test_incassokosten_json_follows_the_contract(capsys):
    code, out, _ = run(capsys, "incassokosten", "3.000,00", "--btw", "--json")
    assert code == 0
    got = json.loads(out)
    exp = {
        "hoofdsom": "3000.00",
        "btw": True,
        "staffel": [
            {
                "van": "0.00",
                "tot": "2500.00",
                "percentage": "15",
                "deel": "2500.00",
                "bedrag": "375.00",
            },
            {
                "van": "2500.00",
                "tot": "5000.00",
                "percentage": "10",
                "deel": "500.00",
                "bedrag": "50.00",
            },
        ],
        "berekend": "425.00",
        "incassokosten": "425.00",
        "btw_bedrag": "89.25",
        "totaal": "514.25",
    }
    assert got == exp


def test_incassokosten_json_without_btw_and_open_top_band(capsys):
    code, out, _ = run(capsys, "incassokosten", "1234567.89", "--json")
    got = json.loads(out)
    assert code == 0
    assert (
        got["btw"],
        got["btw_bedrag"],
        got["berekend"],
        got["incassokosten"],
        got["totaal"],
    ) == (
        False,
        None,
        "7947.84",
        "6775.00",
        "6775.00",
    )
    assert got["staffel"][-1] == {
        "van": "200000.00",
        "tot": None,
        "percentage": "0.5",
        "deel": "1034567.89",
        "bedrag": "5172.84",
    }
    assert len(got["staffel"]) == 5


def test_incassokosten_text_shows_bands_and_total(capsys):
    code, out, _ = run(capsys, "incassokosten", "3000", "--btw")
    assert code == 0
    assert "hoofdsom van € 3.000,00" in out
    assert "15% over € 2.500,00" in out and "€ 375,00" in out
    assert "10% over € 500,00" in out and "€ 50,00" in out
    assert "€ 89,25" in out and "€ 514,25" in out
    assert "uitdrukkelijk vermeldt" in out  # the art. 2 lid 3 condition for BTW


def test_incassokosten_text_names_the_minimum(capsys):
    code, out, _ = run(capsys, "incassokosten", "100")
    assert code == 0
    assert "het minimum van € 40,00 (art. 2 lid 2)" in out
    assert out.rstrip().endswith("€ 40,00")
    assert "Btw" not in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["incassokosten", "abc"], "'abc' is geen bedrag"),
        (["incassokosten", "0"], "groter zijn dan nul"),
        (["incassokosten", "--", "-5"], "groter zijn dan nul"),
        (["incassokosten", "1,234"], "dubbelzinnig"),
        (["incassokosten"], "BEDRAG ontbreekt"),
        (["incassokosten", "100", "--onbekend"], "fout in de opdracht"),
    ],
    ids=["text", "zero", "negative", "ambiguous", "missing", "unknown option"],
)
def test_incassokosten_bad_amount_exits_2_in_dutch(capsys, args, message):
    err = usage_error(capsys, *args)
    assert message in err
    assert err.startswith("gebruik:")


def test_veertiendagen_json_d1(capsys):
    code, out, _ = run(capsys, "veertiendagen", "--verzonden", "2025-03-03", "--json")
    assert code == 0
    assert json.loads(out) == {
        "verzonden": "2025-03-03",
        "ontvangst": "2025-03-05",
        "laatste_dag": "2025-03-19",
        "kosten_vanaf": "2025-03-20",
        "formulering": "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd",
    }


def test_veertiendagen_text_d1_with_dutch_date(capsys):
    code, out, _ = run(capsys, "veertiendagen", "--verzonden", "3-3-2025")
    assert code == 0
    assert "verzonden op maandag 3-3-2025" in out
    assert "Vermoedelijke ontvangst:          woensdag 5-3-2025" in out
    assert "Laatste dag van de termijn:       woensdag 19-3-2025" in out
    assert "Incassokosten verschuldigd vanaf: donderdag 20-3-2025" in out
    assert '"binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd"' in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["veertiendagen"], "--verzonden ontbreekt"),
        (["veertiendagen", "--verzonden", "31-2-2025"], "ongeldige datum '31-2-2025'"),
    ],
    ids=["missing", "bad date"],
)
def test_veertiendagen_bad_date_exits_2_in_dutch(capsys, args, message):
    assert message in usage_error(capsys, *args)


def test_help_lists_both_commands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "incassokosten" in out and "veertiendagen" in out
