"""`debiteuren overzicht BOEK [--datum D] [--json] [--png MAP] [--proef]`: the Overzicht.

Writes the Overzicht sheet (ageing, DSO simple and by countback, the key totals, the largest
debtors, the good payers, and its two charts) through the safe write-back, as the other
writing commands do (nothing with --proef), and prints the figures. `--png MAP` also draws
the two charts as ouderdom.png and grootste-debiteuren.png with matplotlib (imported only
there, so other commands never pay for it).

Example::

    $ debiteuren overzicht Debiteuren.xlsm --datum 2026-11-24 --json
    {"datum": "2026-11-24", "ouderdom": [{"emmer": "Niet vervallen", "facturen": 12,
     "bedrag": "78692.82"}, ...], "dso": 41, "dso_countback": 48,
     "grootste_debiteuren": [{"klant": "K001", "naam": "...", "open": "56268.28", ...}],
     "goede_betalers": [{"klant": "K001", "naam": "..."}]}
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from addin.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    fail,
    nothing_changed,
    open_refusal,
    output_path,
    parse_day,
    print_json,
    problems_json,
    problems_note,
    while_reading,
    writes_workbook,
)
from addin.core.money import format_eur, json_amount
from addin.core.texts import days_text, nl_date

if TYPE_CHECKING:
    from addin.core.overview import Overview

PNG_AGEING = "ouderdom.png"
PNG_TOP = "grootste-debiteuren.png"


def overview_json(o: Overview) -> dict[str, Any]:
    return {
        "datum": o.as_of.isoformat(),
        "ouderdom": [
            {"emmer": label, "facturen": count, "bedrag": json_amount(amount)}  # type: ignore[arg-type]
            for label, count, amount in o.ageing
        ],
        "dso": o.dso,
        "dso_countback": o.dso_countback,
        # The sheet's Kerncijfers after the two DSO rows (those are the keys above).
        "kerncijfers": [
            {"kerncijfer": label, "aantal": count, "bedrag": json_amount(amount)}  # type: ignore[arg-type]
            for label, count, amount in o.figures[2:]
        ],
        "grootste_debiteuren": [
            {
                "klant": customer,
                "naam": name or None,
                "open": json_amount(open_amount),  # type: ignore[arg-type]
                "vervallen": json_amount(overdue),  # type: ignore[arg-type]
                "oudste_vervaldatum": oldest.isoformat() if isinstance(oldest, date) else None,
                "actie": action,
            }
            for customer, name, _segment, open_amount, overdue, oldest, action in o.top
        ],
        "goede_betalers": [{"klant": row[0], "naam": row[1] or None} for row in o.good_payers],
    }


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` characters, a cut one ending in "…" (the columns after a
    long name stay in line)."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def overview_text(o: Overview) -> list[str]:
    lines = [f"Overzicht {nl_date(o.as_of)}", "", "Openstaand per ouderdom"]
    for label, count, amount in (*o.ageing, o.total):
        lines.append(f"  {label:<20} {count:>5}  {format_eur(amount):>16}")  # type: ignore[arg-type]
    lines.append("")
    simple = days_text(o.dso) if o.dso is not None else "geen omzet"  # "1 dag", not "1 dagen"
    countback = days_text(o.dso_countback) if o.dso_countback is not None else "geen omzet"
    lines.append(f"DSO (openstaand / omzet 12 maanden x 365): {simple}")
    lines.append(f"DSO countback (teruggeteld over de omzet per maand): {countback}")
    # The rest of the sheet's Kerncijfers: the text showed only the DSO of them, so the
    # disputed, agreed, handed-over and to-review totals were on the sheet alone.
    lines += ["", "Kerncijfers"]
    for label, count, amount in o.figures[2:]:
        number = "" if count is None else count
        lines.append(f"  {label:<40} {number:>5}  {format_eur(amount):>16}")  # type: ignore[arg-type]
    if o.top:
        lines += ["", "Grootste debiteuren"]
        for customer, name, _seg, open_amount, overdue, _oldest, action in o.top:
            lines.append(
                f"  {customer:<6} {_cut(str(name), 34):<34} open {format_eur(open_amount):>14}"  # type: ignore[arg-type]
                f"  vervallen {format_eur(overdue):>14}  {action}"  # type: ignore[arg-type]
            )
    if o.good_payers:
        names = ", ".join(f"{row[1]} ({row[0]})" for row in o.good_payers)
        lines += ["", f"Goede betalers: {names}"]
    return lines


# A customer's name on the chart's axis: longer ones are cut (with "…") so that the bars, not
# the names, get the width (a 70-letter foundation name left the bars a sixth of it).
CHART_LABEL_MAX = 28
NOTHING_OPEN = "Geen openstaande facturen"
BAR_COLOUR = "#1F4E78"


def chart_label(name: str, number: str) -> str:
    """The name as the chart shows it, a cut one with its customer number (names cut alike
    stay apart): 'Stichting Woningcorporatie Midden-Nederland', 'K198' ->
    'Stichting Woningcorpor… K198'."""
    if len(name) <= CHART_LABEL_MAX:
        return name
    return name[: CHART_LABEL_MAX - len(number) - 2].rstrip() + "… " + number


def euro_tick(value: float, _position: object = None) -> str:
    """An axis tick in Dutch money form, in whole euros: 1234567.0 -> '€ 1.234.567' (not
    matplotlib's '1234567' or '1.2 1e6')."""
    return "€ " + f"{round(value):,}".replace(",", ".")


def chart_figures(o: Overview) -> dict[str, Any]:
    """The two charts as matplotlib figures by file name (matplotlib, imported only here):
    amounts on a euro axis from 0; with nothing open, a chart that says so instead of an
    empty axis running from -0,04 to 0,04."""
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    def money_axis(axis: Any) -> None:
        axis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        axis.set_major_formatter(FuncFormatter(euro_tick))

    def say_nothing_open(ax: Any) -> None:
        ax.set_axis_off()
        ax.text(0.5, 0.5, NOTHING_OPEN, ha="center", va="center", transform=ax.transAxes)

    figures: dict[str, Any] = {}
    fig, ax = plt.subplots(figsize=(7, 4), dpi=120)
    ax.set_title(f"Openstaand per ouderdom, {nl_date(o.as_of)}")
    amounts = [float(row[2]) for row in o.ageing]  # type: ignore[arg-type]
    if any(amounts):
        ax.bar([str(row[0]) for row in o.ageing], amounts, color=BAR_COLOUR)
        ax.set_ylabel("Bedrag")
        ax.set_ylim(bottom=0)
        money_axis(ax.yaxis)
        ax.tick_params(axis="x", labelrotation=15)
    else:
        say_nothing_open(ax)
    fig.tight_layout()
    figures[PNG_AGEING] = fig
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    ax.set_title(f"Grootste debiteuren (openstaand), {nl_date(o.as_of)}")
    if o.top:
        names = [chart_label(str(row[1] or row[0]), str(row[0])) for row in o.top][::-1]
        # Bars by place, named after: matplotlib draws bars named alike (two customers
        # called Jansen, or names cut alike) as one bar.
        places = range(len(names))
        ax.barh(places, [float(row[3]) for row in o.top][::-1], color=BAR_COLOUR)  # type: ignore[arg-type]
        ax.set_yticks(places, names)
        ax.set_xlabel("Open")
        ax.set_xlim(left=0)
        money_axis(ax.xaxis)
        ax.tick_params(axis="x", labelrotation=20)
    else:
        say_nothing_open(ax)
    fig.tight_layout()
    figures[PNG_TOP] = fig
    return figures


def render_pngs(o: Overview) -> dict[str, bytes]:
    """The two charts as PNG bytes by file name; drawn before anything is written, so a
    failure to draw leaves nothing behind."""
    import io

    import matplotlib.pyplot as plt

    out: dict[str, bytes] = {}
    for name, fig in chart_figures(o).items():
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        plt.close(fig)
        out[name] = buffer.getvalue()
    return out


@writes_workbook
def cmd_overzicht(args: argparse.Namespace) -> int:
    # Imported here, not at start-up (tests/test_linear.py): the reader and the engine.
    from addin import schema
    from addin.adapters.tempfiles import make_folder, remove_folders, write_atomic
    from addin.adapters.workbook.reader import read_book
    from addin.adapters.workbook.xlsx_patch import Patch, PatchError, apply_patch, write_failure
    from addin.core.checks import in_sheet_order
    from addin.core.overview import overview, overview_rows
    from addin.core.plan import plan_book
    from addin.core.sheet_layout import warnings_note

    refusal = open_refusal(args)
    if refusal:
        return fail(args, refusal)
    workbook = Path(args.boek)
    book, read_problems = read_book(workbook, meanwhile=while_reading(args.datum))
    plan = plan_book(book, args.datum)
    figures = overview(plan, book)
    # The charts are drawn and their folder made before the workbook is written, and the
    # files written after it: a folder that cannot be made changes nothing, and a refused
    # workbook write leaves no folder of this run behind.
    charts = render_pngs(figures) if args.png else {}
    png_folder = Path(args.png) if args.png else None
    made: list[Path] = []
    if png_folder is not None:
        try:
            made = make_folder(png_folder)
        except OSError as exc:
            return fail(
                args,
                f"De map voor de grafieken '{png_folder}' kan niet worden gemaakt: "
                f"{write_failure(exc)}. Er is niets veranderd.",
            )
    said: tuple[str, ...] = ()  # what the write did besides: the sheet added, ... removed
    if not args.proef:
        patch = Patch(replace_sheet=((schema.OVERZICHT_SHEET, overview_rows(plan, book)),))
        try:
            said = apply_patch(workbook, patch).notes
        except PatchError as exc:
            remove_folders(made)
            return fail(args, nothing_changed(str(exc)))
    pngs = [png_folder / name for name in charts] if png_folder is not None else []
    for png in pngs:
        try:
            write_atomic(png, charts[png.name])
        except OSError as exc:
            done = "" if args.proef else f" Het Overzicht in {workbook} is wel bijgewerkt."
            return fail(
                args,
                f"De grafiek '{png}' kon niet worden geschreven: {write_failure(exc)}.{done}",
            )
    problems = in_sheet_order(read_problems, plan.problems)
    if args.json:
        print_json(
            {
                **overview_json(figures),
                "meldingen": list(said),
                "problemen": problems_json(problems),
            }
        )
    else:
        for line in overview_text(figures):
            print(line)
        print()
        if args.proef:
            print("Proef: er is niets in de werkmap geschreven.")
        else:
            print(f"Het Overzicht in {workbook} is bijgewerkt.")
        for note in said:
            print(f"Let op: {note}")
        for png in pngs:
            print(f"Grafiek geschreven: {png}")
        found = problems_note(problems)
        if found:
            print(found)
        note = warnings_note(len(plan.warnings))
        if note:
            print(note)
    return EXIT_PROBLEMS if problems else EXIT_OK


def register(sub: Any) -> None:
    help_text = "het Overzicht: ouderdom, DSO, grootste debiteuren, goede betalers, grafieken"
    p = sub.add_parser("overzicht", help=help_text, description=help_text)
    p.add_argument("boek", type=Path, metavar="BOEK", help="de werkmap (.xlsx of .xlsm)")
    p.add_argument("--datum", type=parse_day, default=None,
                   help="peildatum JJJJ-MM-DD (standaard: vandaag)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.add_argument("--png", type=output_path, default=None, metavar="MAP",
                   help=f"de grafieken ook als {PNG_AGEING} en {PNG_TOP} in MAP")  # fmt: skip
    p.add_argument("--proef", action="store_true", help="niets in de werkmap schrijven")
    p.set_defaults(func=cmd_overzicht)


__all__ = ["cmd_overzicht", "overview_json", "register"]
