"""`debiteuren bijwerken BOEK [--datum D] [--proef] [--json]`: a workbook made by an earlier
version brought to this one.

What changes, all through the safe write-back (adapters/workbook/xlsx_patch.py: a backup,
every other part byte-identical) and under the run lock:

- in a workbook of the user's own, each plain range a command writes into
  (schema.WRITTEN_TABLES) becomes the Excel table of the contract (tblContacten, ...): the
  commands that write there refuse without it. Refused, with nothing changed, where Excel
  would "repair" the result (merged cells, an empty, repeated or non-text header, another
  table or a filter in the way, the name taken by a defined name);
- the VBA modules that are ours (addin/excel/vba.py `modules()`) where their code differs,
  and the ones missing; the user's own modules stay (addin/excel/upgrade.py). A signed or
  password-protected project is left alone, and so is the ribbon then;
- the ribbon (customUI14.xml, found through the package's relationships) when it differs,
  or added when missing; not in a workbook without macros (a plain .xlsx);
- the Instellingen rows the table lacks, with the values a new workbook gets;
- the columns of the tables that the workbook lacks (Klanten.KvK and BTW-nummer,
  Contacten.Verzonden), empty, at the right of the table;
- the Text format on the identifier columns (schema.Column.text) as a new workbook has it,
  so what the user types there later stays text (a 16-digit Betalingskenmerk, a phone
  number's leading 0); cells that hold a value keep their format;
- Excel's check "number stored as text" off in those columns (the sheet's ignoredErrors),
  as a new workbook has it, so digits there show no green triangle;
- the Overzicht, with its charts, when it has none of them (as `overzicht --datum D` writes
  it); an Overzicht with its charts stays as it is.

A second run changes nothing (the file stays byte-identical, no new backup).

Example::

    $ debiteuren bijwerken Debiteuren.xlsm --json
    {"bestand": "Debiteuren.xlsm", "proef": false, "tabellen_gemaakt": [],
     "vba_modules_bijgewerkt": ["Ribbon"],
     "lint_bijgewerkt": true, "instellingen_toegevoegd": ["Zin op factuur", ...],
     "kolommen_toegevoegd": [{"tabel": "tblContacten", "kolom": "Verzonden"}],
     "tekstopmaak_ingesteld": [{"tabel": "tblFacturen", "kolom": "Factuurnummer"}, ...],
     "getal_als_tekst_genegeerd": ["tblFacturen", ...],
     "grafieken_toegevoegd": true, "meldingen": [], "backup": ".debiteuren-backup/...",
     "gewijzigd": true}
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from addin.cli.common import (
    EXIT_OK,
    fail,
    nothing_changed,
    parse_day,
    print_json,
    writes_workbook,
)

RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"


@writes_workbook
def cmd_bijwerken(args: argparse.Namespace) -> int:
    # Imported here, not at start-up (tests/test_linear.py): reader, engine, pyOpenVBA.
    from addin import schema
    from addin.adapters.pathnames import unusable
    from addin.adapters.workbook.book_writer import settings_value
    from addin.adapters.workbook.reader import read_book
    from addin.adapters.workbook.xlsx_patch import (
        VBA_PROJECT_REL,
        Patch,
        PatchError,
        RelatedPart,
        apply_patch,
        check_not_open,
        package_facts,
    )
    from addin.core.overview import overview_rows
    from addin.core.plan import plan_book
    from addin.core.texts import with_suggestions

    workbook = Path(args.boek)
    trouble = unusable(workbook)
    if trouble is not None:
        return fail(args, f"De werkmap '{workbook}' kan niet worden geopend: {trouble}.")
    if not workbook.is_file():
        return fail(args, f"De werkmap '{workbook}' bestaat niet; controleer het pad.")
    try:
        if not args.proef:
            check_not_open(workbook)
        book, _problems = read_book(workbook)
        facts = package_facts(workbook)
    except PatchError as exc:
        return fail(args, nothing_changed(str(exc)))
    # 0. A workbook of the user's own: each plain range a command writes into becomes the
    # Excel table of the contract (first in the patch, so the steps below find it).
    plain = dict(book.plain_ranges)
    make_tables = tuple(
        (spec.name, spec.sheet, plain[spec.name])
        for spec in schema.WRITTEN_TABLES
        if spec.name in plain and spec.name.casefold() not in map(str.casefold, facts.tables)
    )
    tables = {name.casefold() for name in facts.tables} | {t.casefold() for t, _, _ in make_tables}
    notes: list[str] = []

    # 1. The VBA project and the ribbon: only in a workbook with macros.
    parts: list[RelatedPart] = []
    if facts.vba_project is not None:
        from addin.excel.package import ribbon_xml
        from addin.excel.upgrade import update_project

        update = update_project(facts.vba_project[1], facts.code_name, workbook.resolve())
        if update.refusal is not None:
            notes.append(f"Let op: {update.refusal}.")
        else:
            if update.content is not None:
                parts.append(RelatedPart(VBA_PROJECT_REL, update.content, from_workbook=True))
            parts.append(RelatedPart(RIBBON_REL_TYPE, ribbon_xml(), add_as=RIBBON_PART))
        vba_changed = update.changed
    else:
        vba_changed = ()
        if workbook.suffix.lower() == ".xlsx":
            notes.append(
                "Let op: dit is een .xlsx-werkmap; daarin kunnen geen macro's, dus het lint "
                "en de knoppen zijn niet toegevoegd. Wilt u de knoppen in Excel, maak dan met "
                "'debiteuren nieuw' een .xlsm en neem uw gegevens daarin over."
            )
        else:
            notes.append(
                "Let op: deze werkmap heeft geen VBA-project; de macro's en het lint zijn "
                "niet toegevoegd. Maak met 'debiteuren nieuw' een werkmap met macro's."
            )

    # 2. Instellingen: the rows the table lacks, as a new workbook has them.
    add_rows: tuple[tuple[str, str, tuple[dict[str, object], ...]], ...] = ()
    if schema.INSTELLINGEN.name.casefold() in tables:
        settings = with_suggestions(book.settings)
        name_col, value_col = schema.INSTELLINGEN.headers
        rows = tuple(
            {name_col: name, value_col: settings_value(field, getattr(settings, field))}
            for field, name in schema.SETTINGS
        )
        add_rows = ((schema.INSTELLINGEN.name, name_col, rows),)

    # 3. Columns a table of this version has and the workbook's lacks (empty, at the right).
    add_columns = tuple(
        (spec.name, tuple(c.header for c in spec.columns if not c.required and not c.formula))
        for spec in schema.TABLES
        if spec.name.casefold() in tables
    )

    # 4. The Text format on the identifier columns, as a new workbook has it (book_writer).
    text_columns = tuple((t, h) for t, h in schema.TEXT_COLUMNS if t.casefold() in tables)

    # 5. The Overzicht with its charts, once.
    chart_titles = {"Openstaand per ouderdom", "Grootste debiteuren (openstaand)"}
    overzicht = next(
        (titles for sheet, titles in facts.charts.items()
         if sheet.casefold() == schema.OVERZICHT_SHEET.casefold()),
        (),
    )  # fmt: skip
    replace_sheet: tuple[tuple[str, Any], ...] = ()
    if not chart_titles & set(overzicht):
        plan = plan_book(book, args.datum)
        replace_sheet = ((schema.OVERZICHT_SHEET, overview_rows(plan, book)),)

    patch = Patch(
        make_tables=make_tables,
        add_columns=add_columns,
        add_rows=add_rows,
        replace_sheet=replace_sheet,
        replace_parts=tuple(parts),
        text_columns=text_columns,
        # 6. Excel's green triangle "Getal opgeslagen als tekst" off on those columns.
        ignore_text_numbers=text_columns,
    )
    try:
        result = apply_patch(workbook, patch, dry_run=args.proef)
    except PatchError as exc:
        return fail(args, nothing_changed(str(exc)))
    changed = bool(result.changed_parts or result.removed_parts)
    report = {
        "bestand": str(workbook),
        "proef": bool(args.proef),
        "tabellen_gemaakt": [
            {"tabel": t, "blad": _sheet(t), "bereik": ref} for t, ref in result.made_tables
        ],
        "vba_modules_bijgewerkt": list(vba_changed) if changed else [],
        "lint_bijgewerkt": RIBBON_REL_TYPE in result.replaced,
        "instellingen_toegevoegd": [key for _table, key in result.added_rows],
        "kolommen_toegevoegd": [{"tabel": t, "kolom": c} for t, c in result.added_columns],
        "tekstopmaak_ingesteld": [{"tabel": t, "kolom": c} for t, c in result.text_columns],
        "getal_als_tekst_genegeerd": list(result.ignored_text_numbers),
        "grafieken_toegevoegd": bool(replace_sheet) and changed,
        # What the write did besides (a sheet added, Open made a calculated column, a total
        # row's sum widened), then what could not be done: on stdout and in --json alike.
        "meldingen": [*result.notes, *notes],
        "backup": str(result.backup) if result.backup else None,
        "gewijzigd": changed and not args.proef,
    }
    if args.json:
        print_json(report)
    else:
        for line in upgrade_text(report):
            print(line)
    return EXIT_OK


def upgrade_text(report: dict[str, Any]) -> list[str]:
    """The report in Dutch, one line each. A table is named by its sheet, the tab the user
    sees ("kolom KvK in Klanten", as controleer and the README name it); --json keeps the
    table's own name under "tabel"."""
    name, proef = report["bestand"], report["proef"]
    done: list[str] = []
    for table in report["tabellen_gemaakt"]:
        done.append(
            f"Excel-tabel {table['tabel']} van de gegevens op {table['blad']} ({table['bereik']})"
        )
    if report["vba_modules_bijgewerkt"]:
        done.append("macro's (VBA-modules): " + ", ".join(report["vba_modules_bijgewerkt"]))
    if report["lint_bijgewerkt"]:
        done.append("het lint (de knoppen van het tabblad Debiteuren)")
    if report["instellingen_toegevoegd"]:
        done.append("Instellingen: " + ", ".join(report["instellingen_toegevoegd"]))
    for column in report["kolommen_toegevoegd"]:
        done.append(f"kolom {column['kolom']} in {_sheet(column['tabel'])}")
    by_table: dict[str, list[str]] = {}
    for column in report["tekstopmaak_ingesteld"]:
        by_table.setdefault(_sheet(column["tabel"]), []).append(column["kolom"])
    for table, columns in by_table.items():
        done.append(f"opmaak Tekst voor de kolommen van {table}: " + ", ".join(columns))
    if report["getal_als_tekst_genegeerd"]:
        done.append(
            "geen groene driehoekjes 'Getal opgeslagen als tekst' meer in de kolommen met "
            "Tekst van " + ", ".join(_sheet(t) for t in report["getal_als_tekst_genegeerd"])
        )
    if report["grafieken_toegevoegd"]:
        done.append("het Overzicht met zijn grafieken")
    lines: list[str] = []
    if not done:
        lines.append(f"De werkmap {name} is al bij; er is niets veranderd.")
    else:
        head = "Proef: zou bijwerken in" if proef else "Bijgewerkt in"
        lines.append(f"{head} {name}:")
        lines += [f"  - {item}" for item in done]
        if proef:
            lines.append("Proef: er is niets in de werkmap geschreven.")
        elif report["backup"]:
            lines.append(f"De vorige versie staat in {report['backup']}.")
    lines += report["meldingen"]
    return lines


def _sheet(table: str) -> str:
    """The sheet of one of schema.TABLES by its table name (tblKlanten -> Klanten); any
    other name as it is."""
    from addin import schema

    spec = schema.table_spec(table)
    return spec.sheet if spec is not None else table


def register(sub: Any) -> None:
    help_text = "een werkmap bijwerken: tabellen van gewone bereiken, macro's, lint, instellingen"
    p = sub.add_parser("bijwerken", help=help_text, description=help_text)
    p.add_argument("boek", type=Path, metavar="BOEK", help="de werkmap (.xlsx of .xlsm)")
    p.add_argument("--datum", type=parse_day, default=None,
                   help="peildatum voor het Overzicht JJJJ-MM-DD (standaard: vandaag)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="uitvoer als JSON")
    p.add_argument("--proef", action="store_true",
                   help="niets schrijven, alleen tonen wat zou veranderen")  # fmt: skip
    p.set_defaults(func=cmd_bijwerken)


__all__ = ["cmd_bijwerken", "register", "upgrade_text"]
