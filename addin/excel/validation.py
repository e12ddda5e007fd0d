"""Drop-down lists (data validation) for the choice columns of the tables.

The allowed values are never typed here: they come from the reader's own plan of each table
(`addin.adapters.workbook.reader`), so a column offers exactly the texts the reader turns into a
value, in the order of the enum in `addin.core.model`. Yes/no columns offer the writer's Ja / Nee.

Example::

    >>> dict(choice_columns(schema.KLANTEN))["kind"]
    ('Zakelijk', 'Particulier')
    >>> dict(choice_columns(schema.STAPPEN))["segment"]
    ('A', 'B', 'C', 'Alle')

The list covers the table's data rows and MARGIN rows below them: typing below a table makes
Excel extend it, and the new row then has its drop-downs too. A value outside the list gets a
warning, not a refusal: the reader also accepts known aliases ("Email", "J").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from addin import schema
from addin.adapters.workbook import reader
from addin.adapters.workbook.book_writer import NO, YES
from addin.adapters.workbook.cells import to_bool, to_enum
from addin.core.model import Audience, Segment, Special

MARGIN = 10_000
# Excel's limit for a list typed into the validation itself (not a range).
MAX_LIST_CHARS = 255


def _enum_values(enum_cls: type[Any]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum_cls)


# The reader's converters that are not a plain enum choice, and the values they accept
# in the form the writer writes them.
_SPECIAL_CONVERTERS: dict[Callable[[object], Any], Callable[[], tuple[str, ...]]] = {
    to_bool: lambda: (YES, NO),
    reader._language: lambda: tuple(dict.fromkeys(reader._LANGUAGES.values())),
    reader._special: lambda: _enum_values(Special),
    reader._segment_or_all: lambda: (*_enum_values(Segment), Audience.ALL.value),
}


def _choices(convert: Callable[[object], Any]) -> tuple[str, ...] | None:
    if isinstance(convert, partial) and convert.func is to_enum:
        return _enum_values(convert.args[0])
    special = _SPECIAL_CONVERTERS.get(convert)
    return special() if special is not None else None


def choice_columns(spec: schema.TableSpec) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(field, allowed values) for each column of `spec` the reader reads as a choice, in
    column order."""
    plans = {table.name: plan for table, _cls, plan, _attr in reader._RECORD_TABLES}
    plan = plans.get(spec.name, {})
    for col in spec.columns:
        field = plan.get(col.field)
        if field is None:
            continue
        values = _choices(field.convert)
        if values is not None:
            yield col.field, values


def list_formula(values: tuple[str, ...]) -> str:
    """The validation's list as stored in the file: quoted, comma-separated."""
    for value in values:
        if "," in value or '"' in value:
            raise ValueError(
                f"keuze {value!r} kan niet in een keuzelijst (komma of aanhalingsteken)"
            )
    text = ",".join(values)
    if len(text) > MAX_LIST_CHARS:
        raise ValueError(f"keuzelijst te lang voor Excel ({len(text)} > {MAX_LIST_CHARS} tekens)")
    return f'"{text}"'


def validations(spec: schema.TableSpec, last_row: int) -> list[DataValidation]:
    """One drop-down per choice column, from row 2 to `last_row` + MARGIN."""
    out = []
    for field, values in choice_columns(spec):
        header = spec.column(field).header
        letter = get_column_letter(spec.headers.index(header) + 1)
        dv = DataValidation(
            type="list",
            formula1=list_formula(values),
            allow_blank=True,
            showDropDown=False,  # False shows the arrow (the attribute's name is inverted)
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=header,
            error=f"Kies een waarde uit de lijst: {', '.join(values)}.",
        )
        dv.add(f"{letter}2:{letter}{last_row + MARGIN}")
        out.append(dv)
    return out
