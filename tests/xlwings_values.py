"""The values xlwings hands a UDF for a table reference, read from a real workbook file.

xlwings converts each cell of a range argument to Python as Excel holds it: numbers as
float (Excel has no integers), date-formatted cells as datetime, text as str, TRUE/FALSE as
bool, an empty cell as None; a `tblX[#All]` argument arrives as a list of rows with the
header row first. python-calamine reads the same cells from the saved file (ints for whole
numbers, date or datetime for dates, "" for empty cells), so converting its values the way
xlwings would gives a faithful stand-in for what Excel passes, without Excel.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from python_calamine import CalamineWorkbook

from addin import schema


def as_xlwings(value: object) -> object:
    """One cell as xlwings passes it (see the module docstring)."""
    if value == "" or value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return value


def table_values(path: Path, *, facturen_upto: str = "Eigen actiedatum") -> dict[str, list]:
    """Every contract table as `tblX[#All]` gives it, header first; Facturen only up to the
    column `facturen_upto` (the Plan formula passes Factuurnummer:Eigen actiedatum)."""
    workbook = CalamineWorkbook.from_path(str(path), load_tables=True)
    out: dict[str, list] = {}
    for spec in schema.TABLES:
        table = workbook.get_table_by_name(spec.name)
        header = list(table.columns)
        rows = [header, *table.to_python()]
        if spec is schema.FACTUREN:
            stop = header.index(facturen_upto) + 1
            rows = [row[:stop] for row in rows]
        out[spec.name] = [[as_xlwings(v) for v in row] for row in rows]
    workbook.close()
    return out
