"""The formulas of the macro workbook: the one array formula of the Plan sheet, the Status and
Volgende actie columns of Facturen, and the LAMBDA names behind =DUESTATUS and =NEXTACTION.

All text here is the form stored in the file (English function names, commas, long
structured references, ``_xlfn.``/``_xlpm.`` prefixes); Excel shows it translated and short.
Both forms of a Facturen column come from one look-up expression (`plan_lookup`), so the
Excel 365 form (a LAMBDA name) and the classic form (the look-up itself) cannot drift apart:

    >>> column_formula("status", lambdas=True)
    'DUESTATUS(tblFacturen[[#This Row],[Factuurnummer]])'
    >>> column_formula("status", lambdas=False)
    'IFERROR(INDEX(Plan!$B:$B,MATCH(tblFacturen[[#This Row],[Factuurnummer]]&"",Plan!$A:$A,0)),"")'
    >>> lambda_definition("next_action")
    '_xlfn.LAMBDA(_xlpm.factuur,IFERROR(INDEX(Plan!$C:$C,MATCH(_xlpm.factuur&"",Plan!$A:$A,0)),""))'
"""

from __future__ import annotations

from addin import schema

# Facturen column -> (the defined name users see as a function, Plan column header).
LOOKUPS: dict[str, tuple[str, str]] = {
    "status": ("DUESTATUS", "Status"),
    "next_action": ("NEXTACTION", "Volgende actie"),
}
# The LAMBDA's parameter: shown in Excel's formula bar as =LAMBDA(factuur; ...).
PARAMETER = "factuur"
# Fewest rows the Plan array covers; it covers twice the invoices when there are more, so
# the user can add invoices for a long time before the range must grow.
MIN_PLAN_ROWS = 5000

_THIS_INVOICE = f"{schema.FACTUREN.name}[[#This Row],[{schema.FACTUREN.column('number').header}]]"


def plan_column(header: str) -> str:
    """The Plan sheet's column letter for one of schema.PLAN_HEADER's headers."""
    # Imported here: the invoice import needs this module (plan_rows_covered), not openpyxl
    # and the numpy it loads (a quarter of a second at start-up).
    from openpyxl.utils import get_column_letter

    letter: str = get_column_letter(schema.PLAN_HEADER.index(header) + 1)
    return letter


def plan_lookup(key: str, header: str) -> str:
    """The value in Plan column `header` on the row whose Factuurnummer is `key`, or "" for
    an invoice the plan does not list (a new row before the next recalculation)."""
    column = f"{schema.PLAN_SHEET}!${plan_column(header)}:${plan_column(header)}"
    numbers = f"{schema.PLAN_SHEET}!$A:$A"
    # key&"": Plan holds invoice numbers as text, a user may type 2025001 as a number.
    return f'IFERROR(INDEX({column},MATCH({key}&"",{numbers},0)),"")'


def column_formula(field: str, *, lambdas: bool) -> str:
    """Facturen's Status or Volgende actie formula: the LAMBDA name applied to the row's
    invoice number (Excel 365 and 2024), or the look-up itself (classic: Excel 2016-2021,
    LibreOffice)."""
    name, header = LOOKUPS[field]
    if lambdas:
        return f"{name}({_THIS_INVOICE})"
    return plan_lookup(_THIS_INVOICE, header)


def lambda_definition(field: str) -> str:
    """The defined name's formula: LAMBDA over the same look-up, parameter prefixed _xlpm.
    and LAMBDA prefixed _xlfn. as Excel stores them (XlsxWriter docs, "The Excel 365 LAMBDA()
    function"; rust_xlsxwriter's app_lambda example)."""
    _, header = LOOKUPS[field]
    parameter = f"_xlpm.{PARAMETER}"
    return f"_xlfn.LAMBDA({parameter},{plan_lookup(parameter, header)})"


def plan_input_columns() -> tuple[str, str]:
    """The first and last Facturen headers the plan reads: every column before the first
    formula column. Open, Status and Volgende actie are left out: Status and Volgende actie
    depend on the Plan sheet (a circular reference otherwise)."""
    columns = schema.FACTUREN.columns
    first_formula = next(i for i, col in enumerate(columns) if col.formula)
    if any(not col.formula for col in columns[first_formula:]):
        raise ValueError("Facturen: alle formulekolommen moeten achteraan staan")
    return columns[0].header, columns[first_formula - 1].header


def plan_formula() -> str:
    """=DEBITEUREN_PLAN(...) over every table (headers included, so columns are found by
    header) and the Peildatum cell."""
    first, last = plan_input_columns()
    args = [f"{schema.FACTUREN.name}[[#All],[{first}]:[{last}]]"]
    args += [f"{spec.name}[#All]" for spec in schema.TABLES if spec is not schema.FACTUREN]
    args.append(schema.PEILDATUM_NAME)
    return f"{schema.PLAN_FUNCTION}({','.join(args)})"


def plan_rows_covered(invoices: int) -> int:
    """How many rows the Plan array formula covers: a header plus room to grow."""
    return max(MIN_PLAN_ROWS, 2 * invoices + 1)
