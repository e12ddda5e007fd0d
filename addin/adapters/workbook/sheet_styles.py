"""How each `core.sheet_layout.Style` looks: one cell format per style, shared by the file
write-back (styles.xml entries, xlsx_patch) and the open workbook (xlwings, adapters/excel).

Number formats are stored in Excel's (English) codes: `d-m-yyyy` is what Dutch Excel shows
as d-m-jjjj; the amount format puts a euro sign before the locale's own separators
(1.234,56 in Dutch Excel).

Example::

    FORMATS[Style.MONEY]  ->  CellFormat(number_format='"€ "#,##0.00', vertical="top")
"""

from __future__ import annotations

from dataclasses import dataclass

from addin.core.sheet_layout import Style

DATE_FORMAT = "d-m-yyyy"
MONEY_FORMAT = '"€ "#,##0.00;"€ "\\-#,##0.00'
COUNT_FORMAT = "#,##0"
# Colours as ARGB; the header is dark blue with white text, warnings dark red.
HEADER_FILL = "FF1F4E78"
WHITE = "FFFFFFFF"
WARNING_COLOUR = "FFC00000"
LINK_COLOUR = "FF0563C1"


@dataclass(frozen=True, slots=True)
class CellFormat:
    """One cell format: number format (None: General), font, fill and alignment."""

    number_format: str | None = None
    bold: bool = False
    italic: bool = False
    underline: bool = False
    size: float | None = None  # None: the workbook's default size
    colour: str | None = None
    fill: str | None = None
    wrap: bool = False
    vertical: str | None = "top"


FORMATS: dict[Style, CellFormat] = {
    Style.TITLE: CellFormat(bold=True, size=14, vertical=None),
    Style.WARNING: CellFormat(colour=WARNING_COLOUR, vertical=None),
    Style.SECTION: CellFormat(bold=True, size=12, vertical=None),
    Style.HEADER: CellFormat(bold=True, colour=WHITE, fill=HEADER_FILL, wrap=True),
    Style.GROUP: CellFormat(bold=True, wrap=True),
    Style.TEXT: CellFormat(),
    Style.WRAP: CellFormat(wrap=True),
    Style.DATE: CellFormat(number_format=DATE_FORMAT),
    Style.MONEY: CellFormat(number_format=MONEY_FORMAT),
    Style.NUMBER: CellFormat(number_format=COUNT_FORMAT),
    Style.LINK: CellFormat(underline=True, colour=LINK_COLOUR),
    Style.TOTAL: CellFormat(bold=True),
    Style.TOTAL_MONEY: CellFormat(number_format=MONEY_FORMAT, bold=True),
}
