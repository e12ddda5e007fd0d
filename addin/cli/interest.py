"""`debiteuren rente BEDRAG --van D --tot D (--handel | --consument) [--json]`: statutory interest.

``--van`` is the due date, the last day without interest; interest runs from the next day
through ``--tot`` inclusive (art. 6:119a lid 1 BW, "tot en met"). Rates come from the table
shipped in ``addin/data/wettelijke_rente.csv``. Exit 0 when computed; 2 on a usage error or a
date the table does not cover.

Example (notes/LEGAL.md I1)::

    $ debiteuren rente 1000 --van 2025-03-31 --tot 2025-06-30 --handel --json
    {"bedrag": "1000.00", "van": "2025-03-31", "tot": "2025-06-30",
     "soort": "wettelijke handelsrente", "rente": "27.80",
     "perioden": [{"van": "2025-04-01", "tot": "2025-06-30", "dagen": 91,
                   "percentage": "11.15", "grondslag": "1000.00", "rente": "27.80"}]}
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from addin.cli.common import EXIT_OK, fail, parse_amount, parse_day, print_json
from addin.core.money import format_eur, json_amount

if TYPE_CHECKING:  # the engine loads when the command runs, not at start-up
    from addin.core.interest import InterestKind, InterestResult


def register(sub: Any) -> None:
    """Add the `rente` command to the sub-parsers of `addin.cli.build_parser`."""

    help_text = "wettelijke (handels)rente over een bedrag berekenen"
    usage = "debiteuren rente BEDRAG --van DATUM --tot DATUM (--handel | --consument) [--json]"
    p = sub.add_parser("rente", help=help_text, description=help_text, usage=usage)
    p.add_argument("bedrag", type=parse_amount, metavar="BEDRAG", help="hoofdsom, zoals 1.234,56")
    # --van, --tot and the kind are checked in cmd_rente rather than by argparse, so that a
    # missing or doubled option gets a Dutch message (argparse's own are English).
    p.add_argument(
        "--van",
        type=parse_day,
        metavar="DATUM",
        help="vervaldatum JJJJ-MM-DD: de laatste dag zonder rente",
    )
    p.add_argument(
        "--tot",
        type=parse_day,
        metavar="DATUM",
        help="betaaldatum JJJJ-MM-DD: de laatste dag met rente (tot en met)",
    )
    p.add_argument(
        "--handel", action="store_true", help="wettelijke handelsrente, art. 6:119a BW (zakelijk)"
    )
    p.add_argument(
        "--consument", action="store_true", help="wettelijke rente, art. 6:119 BW (particulier)"
    )
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.set_defaults(func=cmd_rente)


def cmd_rente(args: argparse.Namespace) -> int:
    from addin.adapters.rates import RateFileError, load_rates
    from addin.core.interest import InterestKind, RateTableError, interest_start, statutory_interest
    from addin.core.texts import nl_date

    missing = [name for name in ("van", "tot") if getattr(args, name) is None]
    if missing:
        return fail(args, f"geef {' en '.join('--' + m for m in missing)} op (JJJJ-MM-DD)")
    if args.handel == args.consument:
        return fail(
            args, "kies --handel (zakelijke klant) of --consument (particulier), één van beide"
        )
    args.soort = InterestKind.COMMERCIAL if args.handel else InterestKind.CONSUMER
    if args.tot < args.van:
        return fail(
            args,
            f"--tot ({nl_date(args.tot)}) ligt vóór --van ({nl_date(args.van)}); "
            "geef eerst de vervaldatum, dan de betaaldatum",
        )
    try:
        result = statutory_interest(
            args.bedrag, interest_start(args.van), args.tot, load_rates(), args.soort
        )
    except (RateTableError, RateFileError) as exc:
        return fail(args, str(exc))
    if args.json:
        print_json(interest_json(args, result))
    else:
        sys.stdout.write(interest_text(args, result))
    return EXIT_OK


def interest_json(args: argparse.Namespace, result: InterestResult) -> dict[str, Any]:
    return {
        "bedrag": json_amount(args.bedrag),
        "van": args.van.isoformat(),
        "tot": args.tot.isoformat(),
        "soort": args.soort.value,
        "rente": json_amount(result.total),
        "perioden": [
            {
                "van": p.start.isoformat(),
                "tot": p.end.isoformat(),
                "dagen": p.days,
                "percentage": _percent_json(p.percent),
                "grondslag": json_amount(p.base),
                "rente": json_amount(p.interest),
            }
            for p in result.periods
        ],
    }


def interest_text(args: argparse.Namespace, result: InterestResult) -> str:
    from addin.core.texts import days_text, nl_date

    kind: InterestKind = args.soort
    days = sum(p.days for p in result.periods)
    lines = [
        f"{kind.value.capitalize()} ({kind.article}) over {format_eur(args.bedrag)}",
        f"vervaldatum {nl_date(args.van)}, rente tot en met {nl_date(args.tot)}"
        f" ({days_text(days)}): {format_eur(result.total)}",
    ]
    if result.periods:
        rows = [("periode", "dagen", "rente %", "grondslag", "rente")]
        rows += [
            (
                f"{nl_date(p.start)} t/m {nl_date(p.end)}",
                str(p.days),
                _percent_text(p.percent),
                format_eur(p.base),
                format_eur(p.interest),
            )
            for p in result.periods
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        lines.append("")
        for row in rows:
            cells = [row[0].ljust(widths[0])]
            cells += [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
            lines.append("  ".join(cells).rstrip())
        notes = [
            f"Op {nl_date(day)} is {format_eur(amount)} rente bij de grondslag opgeteld "
            f"({kind.compounding})."
            for day, amount in result.capitalised
        ]
        if len(result.periods) > 1:
            notes.append(
                "De rente per periode is afgerond; het totaal is berekend op de onafgeronde "
                "bedragen en kan een cent afwijken van de optelsom."
            )
        if notes:
            lines.append("")
            lines.extend(notes)
    return "\n".join(lines) + "\n"


def _percent_json(value: Decimal) -> str:
    return f"{value:.2f}"


def _percent_text(value: Decimal) -> str:
    return _percent_json(value).replace(".", ",")
