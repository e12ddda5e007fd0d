"""The macro-enabled workbook Debiteuren.xlsm, built on any OS without Excel.

`build.build_workbook(book, options)` gives the bytes: the tables of the contract, the Plan
sheet and the hidden xlwings.conf sheet (openpyxl, `build`), the VBA project (pyOpenVBA,
`vba`), the ribbon tab and a reproducible zip (`package`). The formulas are in `formulas`,
the drop-down lists in `validation`. The command line is `addin.cli.excel` (bouw, nieuw).
"""
