"""The error a workbook that cannot be read at all raises, apart from the reader, so the
command line can catch it without loading the reader (and python-calamine) at start-up.

Example::

    >>> str(WorkbookError("'x.xlsx' is geen werkmap"))
    "'x.xlsx' is geen werkmap"
"""


class WorkbookError(Exception):
    """The workbook file cannot be opened or read at all; the message is Dutch."""
