"""`debiteuren rente`: the JSON contract, the Dutch text and the exit codes.

The reference row is LEGAL.md I1: B2B €1,000, due 31-3-2025, paid 30-6-2025 = 91 days at
11.15% = €27.80 (art. 6:119a lid 1: from the day after the due date through the payment day).
"""

from __future__ import annotations

import json

import pytest

from addin.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["rente", *args])
    except SystemExit as exc:  # argparse usage errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_follows_the_contract(capsys):
    code, out, _ = run(
        capsys, "1000", "--van", "2025-03-31", "--tot", "2025-06-30", "--handel", "--json"
    )
    assert code == 0
    exp = {
        "bedrag": "1000.00",
        "van": "2025-03-31",
        "tot": "2025-06-30",
        "soort": "wettelijke handelsrente",
        "rente": "27.80",
        "perioden": [
            {
                "van": "2025-04-01",
                "tot": "2025-06-30",
                "dagen": 91,
                "percentage": "11.15",
                "grondslag": "1000.00",
                "rente": "27.80",
            }
        ],
    }
    assert json.loads(out) == exp


def test_json_for_a_program_is_one_line_as_every_command_gives_it(capsys):
    """Read by a program (stdout no terminal), every command gives compact JSON
    (common.print_json); rente alone indented it, whoever read it."""
    code, out, _ = run(
        capsys, "1000", "--van", "2025-03-31", "--tot", "2025-06-30", "--handel", "--json"
    )
    assert code == 0
    assert out.count("\n") == 1 and out.endswith("}\n"), out


def test_text_is_dutch_with_a_breakdown(capsys):
    code, out, _ = run(capsys, "1000", "--van", "31-3-2025", "--tot", "30-6-2025", "--handel")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Wettelijke handelsrente (art. 6:119a BW) over € 1.000,00"
    assert lines[1] == "vervaldatum 31-3-2025, rente tot en met 30-6-2025 (91 dagen): € 27,80"
    assert lines[3].split() == ["periode", "dagen", "rente", "%", "grondslag", "rente"]
    assert lines[4].split() == [
        "1-4-2025",
        "t/m",
        "30-6-2025",
        "91",
        "11,15",
        "€",
        "1.000,00",
        "€",
        "27,80",
    ]


AMOUNTS = [
    ("1234.56", "1234.56", "dot decimals"),
    ("1.234,56", "1234.56", "Dutch thousands and comma"),
    ("1234,56", "1234.56", "comma decimals"),
    ("750", "750.00", "whole euros"),
]


@pytest.mark.parametrize(("text", "exp", "why"), AMOUNTS, ids=[a[2] for a in AMOUNTS])
def test_amount_forms(capsys, text, exp, why):
    code, out, _ = run(
        capsys, text, "--van", "2025-12-31", "--tot", "2026-01-31", "--handel", "--json"
    )
    assert code == 0, why
    assert json.loads(out)["bedrag"] == exp


def test_consumer_over_an_anniversary_shows_each_period_and_the_capitalisation(capsys):
    # 1000 consumer from 1-7-2023: 6% (184 d) and 7% (182 d) in year 1 = 30.2466 + 34.9041 = 65.15,
    # capitalised on 1-7-2024; then 1065.15 × 7% × 31/365 = 6.3328.
    code, out, _ = run(
        capsys, "1000", "--van", "2023-06-30", "--tot", "2024-07-31", "--consument", "--json"
    )
    assert code == 0
    data = json.loads(out)
    assert data["soort"] == "wettelijke rente"
    assert [(p["dagen"], p["percentage"], p["grondslag"]) for p in data["perioden"]] == [
        (184, "6.00", "1000.00"),
        (182, "7.00", "1000.00"),
        (31, "7.00", "1065.15"),
    ]
    assert data["rente"] == "71.48"
    code, out, _ = run(capsys, "1000", "--van", "2023-06-30", "--tot", "2024-07-31", "--consument")
    assert "Op 1-7-2024 is € 65,15 rente bij de grondslag opgeteld (art. 6:119 lid 2 BW)." in out


def test_same_day_means_no_interest(capsys):
    code, out, _ = run(
        capsys, "1000", "--van", "2025-03-31", "--tot", "2025-03-31", "--handel", "--json"
    )
    assert code == 0
    assert (json.loads(out)["rente"], json.loads(out)["perioden"]) == ("0.00", [])


FAILURES = [
    (["1000", "--van", "2025-03-31", "--tot", "2025-06-30"], "Kies --handel", "no kind"),
    (
        ["1000", "--van", "2025-03-31", "--tot", "2025-06-30", "--handel", "--consument"],
        "één van beide",
        "both kinds",
    ),
    (["1000", "--tot", "2025-06-30", "--handel"], "Geef --van op", "no --van"),
    (
        ["1000", "--van", "2025-06-30", "--tot", "2025-03-31", "--handel"],
        "ligt vóór --van",
        "end before due date",
    ),
    (
        ["100", "--van", "2001-01-01", "--tot", "2025-01-01", "--handel"],
        "de rentetabel begint op 8-8-2002",
        "before the table",
    ),
]


@pytest.mark.parametrize(("args", "exp", "why"), FAILURES, ids=[f[2] for f in FAILURES])
def test_failures_exit_2_with_a_dutch_message(capsys, args, exp, why):
    code, out, err = run(capsys, *args)
    assert code == 2, why
    assert exp in err
    assert out == ""
    code, out, _ = run(capsys, *args, "--json")
    assert code == 2
    assert exp in json.loads(out)["fout"]


USAGE = [
    (
        ["abc", "--van", "2025-03-31", "--tot", "2025-06-30", "--handel"],
        "'abc' is geen bedrag",
        "bad amount",
    ),
    (
        ["-5", "--van", "2025-03-31", "--tot", "2025-06-30", "--handel"],
        "negatief",
        "negative amount",
    ),
    (["5", "--van", "31-2-2025", "--tot", "2025-06-30", "--handel"], "ongeldige datum", "bad date"),
]


@pytest.mark.parametrize(("args", "exp", "why"), USAGE, ids=[u[2] for u in USAGE])
def test_usage_errors_exit_2_with_a_dutch_message(capsys, args, exp, why):
    code, _, err = run(capsys, *args)
    assert code == 2, why
    assert "fout in de opdracht" in err and exp in err
