"""Command line: the collection costs on an amount and the dates of a 14-day letter.

Two commands, registered into `addin.cli` through `register`:

- ``debiteuren incassokosten BEDRAG [--btw] [--json]``: the BIK per the Besluit, band by band;
- ``debiteuren veertiendagen --verzonden DATUM [--json]``: presumed receipt, the last day
  of the term and the first day the costs are due.

Example::

    $ debiteuren incassokosten 3.000,00 --btw --json
    {"hoofdsom": "3000.00", "btw": true, "staffel": [{"van": "0.00", "tot": "2500.00",
     "percentage": "15", "deel": "2500.00", "bedrag": "375.00"}, ...],
     "berekend": "425.00", "incassokosten": "425.00", "btw_bedrag": "89.25", "totaal": "514.25"}
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from decimal import Decimal
from typing import Any

from addin.cli.common import EXIT_OK, amount_text, parse_day, print_json
from addin.core.collection_costs import BIK_MAX, BIK_MIN, VAT_RATE, CostsResult, collection_costs
from addin.core.fourteen_day_letter import FourteenDayLetter, fourteen_day_letter
from addin.core.money import format_eur, json_amount

DAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def parse_principal(text: str) -> Decimal:
    """BEDRAG for the costs: a hoofdsom, so more than zero."""
    amount = amount_text(text)
    if amount <= 0:
        raise argparse.ArgumentTypeError(
            f"'{text}': de hoofdsom moet groter zijn dan nul, zoals 1.234,56"
        )
    return amount


def percent_text(rate: Decimal) -> str:
    """0.15 -> '15', 0.005 -> '0.5' (JSON form; the text form uses a decimal comma)."""
    text = f"{rate * 100:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- incassokosten -----------------------------------------------------------------------


def costs_json(costs: CostsResult) -> dict[str, Any]:
    return {
        "hoofdsom": json_amount(costs.principal),
        "btw": costs.vat_applied,
        "staffel": [
            {
                "van": json_amount(band.lower),
                "tot": None if band.upper is None else json_amount(band.upper),
                "percentage": percent_text(band.rate),
                "deel": json_amount(band.part),
                "bedrag": json_amount(band.amount),
            }
            for band in costs.bands
        ],
        "berekend": json_amount(costs.calculated),
        "incassokosten": json_amount(costs.fee),
        "btw_bedrag": json_amount(costs.vat) if costs.vat_applied else None,
        "totaal": json_amount(costs.total),
    }


def costs_text(costs: CostsResult) -> str:
    lines = [
        f"Incassokosten over een hoofdsom van {format_eur(costs.principal)}",
        "(Besluit vergoeding voor buitengerechtelijke incassokosten, art. 2):",
        "",
    ]
    for band in costs.bands:
        upper = "en hoger" if band.upper is None else f"tot {format_eur(band.upper)}"
        label = (
            f"{percent_text(band.rate).replace('.', ',')}% over {format_eur(band.part)} "
            f"(van {format_eur(band.lower)} {upper})"
        )
        lines.append(f"  {label:<70} {format_eur(band.amount):>14}")
    lines.append(f"  {'Berekend':<70} {format_eur(costs.calculated):>14}")
    fee_label = "Incassokosten (excl. btw)"
    if costs.at_minimum:
        fee_label += f": het minimum van {format_eur(BIK_MIN)} (art. 2 lid 2)"
    elif costs.at_maximum:
        fee_label += f": het maximum van {format_eur(BIK_MAX)} (art. 2 lid 1)"
    lines.append(f"  {fee_label:<70} {format_eur(costs.fee):>14}")
    if costs.vat_applied:
        vat_label = f"Btw {percent_text(VAT_RATE)}% (art. 2 lid 3)"
        lines.append(f"  {vat_label:<70} {format_eur(costs.vat):>14}")
    lines.append(f"  {'Totaal':<70} {format_eur(costs.total):>14}")
    if costs.vat_applied:
        lines += [
            "",
            "Btw alleen als u een incassobureau of deurwaarder inschakelt, de btw niet kunt",
            "verrekenen en dat in de brief uitdrukkelijk vermeldt.",
        ]
    return "\n".join(lines) + "\n"


def cmd_incassokosten(args: argparse.Namespace) -> int:

    if args.bedrag is None:
        # Checked here rather than by argparse, whose message for a missing argument is English.
        args.parser.error("BEDRAG ontbreekt: geef de hoofdsom, zoals 1.234,56")
    costs = collection_costs(args.bedrag, vat=args.btw)
    if args.json:
        print_json(costs_json(costs))
    else:
        sys.stdout.write(costs_text(costs))
    return EXIT_OK


# --- veertiendagen -----------------------------------------------------------------------


def _day(day: date) -> str:
    from addin.core.texts import nl_date  # loads the domain model: not at start-up

    return f"{DAY_NAMES[day.weekday()]} {nl_date(day)}"


def letter_json(facts: FourteenDayLetter) -> dict[str, Any]:
    return {
        "verzonden": facts.posted.isoformat(),
        "ontvangst": facts.received.isoformat(),
        "laatste_dag": facts.last_day.isoformat(),
        "kosten_vanaf": facts.costs_due.isoformat(),
        "formulering": facts.wording,
    }


def letter_text(facts: FourteenDayLetter) -> str:
    return (
        f"Veertiendagenbrief verzonden op {_day(facts.posted)}:\n"
        f"  Vermoedelijke ontvangst:          {_day(facts.received)}\n"
        f"  Laatste dag van de termijn:       {_day(facts.last_day)}\n"
        f"  Incassokosten verschuldigd vanaf: {_day(facts.costs_due)}\n"
        "\n"
        f'Formulering in de brief: "{facts.wording}".\n'
        "Zet liever geen datum in de brief: een te vroege datum maakt de brief ongeldig\n"
        "(HR 25-11-2016, ECLI:NL:HR:2016:2704).\n"
    )


def cmd_veertiendagen(args: argparse.Namespace) -> int:

    if args.verzonden is None:
        # Checked here rather than with required=True, for the same reason as BEDRAG.
        args.parser.error("--verzonden ontbreekt: geef de verzenddatum, zoals 2026-11-24")
    facts = fourteen_day_letter(args.verzonden)
    if args.json:
        print_json(letter_json(facts))
    else:
        sys.stdout.write(letter_text(facts))
    return EXIT_OK


def register_incassokosten(sub: Any) -> None:
    help_text = "buitengerechtelijke incassokosten op een hoofdsom (staffel, art. 6:96 BW)"
    p = sub.add_parser(
        "incassokosten",
        help=help_text,
        description=help_text,
        usage="%(prog)s BEDRAG [--btw] [--json]",
    )
    p.add_argument(
        "bedrag",
        type=parse_principal,
        nargs="?",
        metavar="BEDRAG",
        help="de hoofdsom, zoals 1234.56 of 1.234,56",
    )
    p.add_argument(
        "--btw",
        action="store_true",
        help="met 21%% btw (alleen bij een incassobureau en niet-verrekenbare btw)",
    )
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.set_defaults(func=cmd_incassokosten, parser=p)


def register_veertiendagen(sub: Any) -> None:
    help_text = "de data van een veertiendagenbrief: ontvangst, laatste dag, kosten vanaf"
    p = sub.add_parser(
        "veertiendagen",
        help=help_text,
        description=help_text,
        usage="%(prog)s --verzonden DATUM [--json]",
    )
    p.add_argument(
        "--verzonden",
        type=parse_day,
        metavar="DATUM",
        help="verzenddatum JJJJ-MM-DD (verplicht)",
    )
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.set_defaults(func=cmd_veertiendagen, parser=p)
