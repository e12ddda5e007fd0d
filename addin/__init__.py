"""Debiteuren: debt collection from the Excel workbook a Dutch small business keeps."""

import os

__version__ = "0.1.0"

# openpyxl serialises with lxml when it is installed and with its own writer otherwise, and the
# two differ in bytes (" />" against "/>", attribute order). The built workbook must be the
# same file on every machine, so openpyxl always uses its own writer. It reads this variable
# once, on its first import; every entry point imports this package first.
os.environ["OPENPYXL_LXML"] = "False"
